#!/usr/bin/env bash
# National-scale run on PostgreSQL (issue 19, item 5).
#
#   Benchmarks/run-national.sh [CHECKINS] [PHASE...]
#
# PHASES (default: all of them, in this order)
#   generate  a fresh database: `ravao migrate` (check-ins partitioned by day, migration 21), then
#             Benchmarks/gen-national.py (COPY, a realistic mix of factories, apartment blocks,
#             markets, buses and shops over 28 days), then `ravao rebuild-rollups` (the server's own
#             statements for the per-unit rollups and the stays), then `gen-national.py --finish`
#             (the keys and indexes the load went without, ANALYZE). Skipped when the database
#             already has check-ins.
#   sizes     bytes on disk per check-in (every partition of check-ins and of the tables that grow
#             with them, indexes and TOAST included) and the extrapolation to 1,000,000,000
#   bench     `ravao-bench bench-tracing`: 30 random 14-day traces at depth 1 and 2 (with the server's
#             default contact limit, 100,000), the province and country dashboards
#   ingest    `ravao serve` on the loaded database, kiosks at 16 new places, wrk with scans.lua
#   drop      the nightly purge dropping the oldest day (`ravao purge`), against deleting one day's
#             check-ins row by row (in a transaction rolled back)
#   verify    (not in the default list) the derived tables against the check-ins on a sample
#   explain   (not in the default list) the plans of a depth-1 trace, a person's history, a coverage
#             and a province dashboard, through PostgreSQL's auto_explain (log read from
#             RAVAO_NATIONAL_PGLOG, default /var/log/postgresql/postgresql-15-main.log)
#
# Heavy phases run at nice 19, and so do their PostgreSQL server processes (reniced every 5 s):
# the machine is shared. Settings (environment):
#   RAVAO_NATIONAL_PG      server URL without the database (default postgres://postgres:ravao@127.0.0.1:5432)
#   RAVAO_NATIONAL_DB      database (default ravao_national; created if missing)
#   RAVAO_NATIONAL_STATUS  file given a one-line status as the run goes (default: none)
#   RAVAO_NATIONAL_DEADLINE  UTC HH:MM after which the generator writes no further day (default: none)
#   RAVAO_BIN, RAVAO_BENCH_BIN  binaries (default: .build-release/release/ravao and ravao-bench)
#   RAVAO_NATIONAL_DURATION  the ingest run's length (default 20s)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${1:-50000000}; shift || true
PHASES=${*:-generate sizes bench ingest drop}
PG=${RAVAO_NATIONAL_PG:-postgres://postgres:ravao@127.0.0.1:5432}
DBNAME=${RAVAO_NATIONAL_DB:-ravao_national}
URL=$PG/$DBNAME
STATUS=${RAVAO_NATIONAL_STATUS:-/dev/null}
BIN=${RAVAO_BIN:-$ROOT/.build-release/release/ravao}
BENCH=${RAVAO_BENCH_BIN:-$ROOT/.build-release/release/ravao-bench}
DURATION=${RAVAO_NATIONAL_DURATION:-20s}
[ -x "$BIN" ] && [ -x "$BENCH" ] || { echo "run-national: build first: swift build -c release --scratch-path .build-release" >&2; exit 1; }

say() { printf '\n== %s (%s UTC, load %s)\n' "$*" "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
status() { echo "$(date -u +%H:%M:%S) UTC run-national ($N check-ins, pid $$): $*" >"$STATUS"; }
q() { psql "$URL" -X -At -v ON_ERROR_STOP=1 "$@"; }
# PostgreSQL's processes for this database get nice 19 too, while a heavy phase runs.
RENICER=
renice_loop() {
  while true; do
    for pid in $(psql "$PG/postgres" -X -At -c "SELECT pid FROM pg_stat_activity WHERE datname = '$DBNAME'" 2>/dev/null); do
      renice -n 19 -p "$pid" >/dev/null 2>&1 || true
    done
    sleep 5
  done
}
start_renicer() { renice_loop & RENICER=$!; }
stop_renicer() { if [ -n "$RENICER" ]; then kill "$RENICER" 2>/dev/null || true; wait "$RENICER" 2>/dev/null || true; RENICER=; fi; }
SERVER_PID=
cleanup() {
  stop_renicer
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

echo "run-national: $N check-ins, database $DBNAME, commit $(git rev-parse --short HEAD)$(git status --porcelain --untracked-files=no | grep -q . && echo ' +uncommitted'), $(nproc) cores"
psql "$PG/postgres" -X -At -c "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1 || createdb --maintenance-db="$PG/postgres" "$DBNAME"

for phase in $PHASES; do case $phase in
generate)
  if [ "$(q -c "SELECT to_regclass('checkins') IS NOT NULL AND EXISTS (SELECT 1 FROM checkins)" 2>/dev/null || echo f)" = t ]; then
    echo "run-national: $DBNAME already holds check-ins; not generating"; continue
  fi
  say "generate"; status "generating (started $(date -u +%H:%M))"
  T0=$(date +%s)
  "$BIN" migrate --database "$URL" --log-level warning
  # Big sorts (stays, per-unit rollups) and index builds: more memory for this database only.
  q -c "ALTER DATABASE $DBNAME SET work_mem = '512MB'" -c "ALTER DATABASE $DBNAME SET maintenance_work_mem = '1GB'"
  start_renicer
  nice -n 19 python3 Benchmarks/gen-national.py "$URL" "$N" --status "$STATUS" ${RAVAO_NATIONAL_DEADLINE:+--deadline "$RAVAO_NATIONAL_DEADLINE"}
  T1=$(date +%s)
  say "rebuild-rollups (the server's per-unit rollups and stays)"; status "ravao rebuild-rollups (generation took $((T1 - T0)) s)"
  nice -n 19 "$BIN" rebuild-rollups --database "$URL" --log-level warning
  T2=$(date +%s)
  say "keys and indexes"; status "keys and indexes (rebuild-rollups took $((T2 - T1)) s)"
  nice -n 19 python3 Benchmarks/gen-national.py "$URL" "$N" --status "$STATUS" --finish
  q -c "ALTER DATABASE $DBNAME RESET work_mem" -c "ALTER DATABASE $DBNAME RESET maintenance_work_mem"
  stop_renicer
  T3=$(date +%s)
  echo "generation $((T1 - T0)) s, rebuild-rollups $((T2 - T1)) s, keys and indexes $((T3 - T2)) s"
  status "generated: $((T3 - T0)) s in all (gen $((T1 - T0)) s, rollups $((T2 - T1)) s, indexes $((T3 - T2)) s); measuring next"
  ;;
sizes)
  say "sizes"
  q <<'SQL'
\pset footer off
\pset format aligned
\pset tuples_only off
WITH t(name) AS (VALUES ('checkins'), ('checkin_keys'), ('stays'), ('place_day_people'), ('unit_people_days'), ('place_days'), ('unit_days'), ('unit_day_tallies')),
s AS (
  SELECT t.name, SUM(pg_total_relation_size(p.relid)) AS bytes, SUM(pg_relation_size(p.relid)) AS heap,
         SUM(pg_indexes_size(p.relid)) AS indexes, SUM(c.reltuples)::BIGINT AS rows_estimate
  FROM t, LATERAL (SELECT relid FROM pg_partition_tree(t.name::regclass) WHERE isleaf UNION SELECT t.name::regclass) p
  JOIN pg_class c ON c.oid = p.relid AND c.relkind = 'r'
  GROUP BY t.name),
n AS (SELECT COUNT(*) AS checkins FROM checkins)
SELECT s.name AS "table", pg_size_pretty(s.bytes) AS total, pg_size_pretty(s.heap) AS heap, pg_size_pretty(s.indexes) AS indexes,
       s.rows_estimate AS "rows (estimate)", ROUND(s.bytes::numeric / n.checkins, 1) AS "bytes per check-in"
FROM s, n ORDER BY s.bytes DESC;
SELECT (SELECT COUNT(*) FROM checkins) AS checkins,
       (SELECT COUNT(DISTINCT (scanned_at + 25200) / 86400) FROM checkins) AS days,
       (SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'checkins'::regclass) AS "checkins partitions",
       pg_size_pretty(SUM(pg_total_relation_size(p.relid))) AS "all of them",
       ROUND(SUM(pg_total_relation_size(p.relid))::numeric / (SELECT COUNT(*) FROM checkins), 1) AS "bytes per check-in",
       pg_size_pretty(SUM(pg_total_relation_size(p.relid))::numeric / (SELECT COUNT(*) FROM checkins) * 1e9) AS "at 1,000,000,000",
       pg_size_pretty(pg_database_size(current_database())) AS database
FROM (VALUES ('checkins'), ('checkin_keys'), ('stays'), ('place_day_people'), ('unit_people_days'), ('place_days'), ('unit_days'), ('unit_day_tallies')) t(name),
     LATERAL (SELECT relid FROM pg_partition_tree(t.name::regclass) WHERE isleaf UNION SELECT t.name::regclass) p
     JOIN pg_class c ON c.oid = p.relid AND c.relkind = 'r';
SQL
  ;;
bench)
  say "bench-tracing (30 cases, 14-day window, contact limit 100,000)"
  "$BENCH" bench-tracing --database "$URL" --cases "${CASES:-30}" --case-limit 30 --maximum-contacts 100000 --log-level warning
  ;;
ingest)
  say "scan ingest on the loaded database"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/ravao-national.XXXXXX")
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BASE=http://127.0.0.1:$PORT
  # A long retention: this run must not start the nightly purge of the generated month.
  RAVAO_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))') \
    "$BIN" serve --host 127.0.0.1 --port "$PORT" --database "$URL" --sms "outbox:$WORK/sms.jsonl" --base-url "$BASE" --retention-days 3650 >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break; sleep 0.2; done
  python3 Benchmarks/ratio-helper.py doors "$BASE" "$WORK/sms.jsonl" 16 "$WORK/doors.txt"
  BEFORE=$(q -c "SELECT COUNT(*) FROM checkin_keys")
  for c in 16 64; do
    RAVAO_POOL=50000 wrk -t1 -c$c -d"$DURATION" --latency -s Benchmarks/scans.lua "$BASE" -- "@$WORK/doors.txt" >"$WORK/wrk-$c.txt" 2>&1
    echo "  $c connections: $(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk-$c.txt") scans/s, p50 $(awk '$1 == "50%" {print $2}' "$WORK/wrk-$c.txt"), p99 $(awk '$1 == "99%" {print $2}' "$WORK/wrk-$c.txt"), $(grep '^ravao: created' "$WORK/wrk-$c.txt"), load $(cut -d' ' -f1 /proc/loadavg)"
  done
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  echo "  rows added: $(( $(q -c "SELECT COUNT(*) FROM checkin_keys") - BEFORE )) (work files in $WORK)"
  ;;
drop)
  say "dropping a day against deleting it row by row"
  OLDEST=$(q -c "SELECT MIN((scanned_at + 25200) / 86400) FROM checkins")
  NEXT=$((OLDEST + 1))
  ROWS=$(q -c "SELECT COUNT(*) FROM checkins WHERE scanned_at >= $NEXT * 86400 - 25200 AND scanned_at < ($NEXT + 1) * 86400 - 25200")
  echo "  row by row, the check-ins of day $NEXT ($ROWS rows) in one DELETE, rolled back:"
  q -c '\timing on' -c "BEGIN" -c "DELETE FROM checkins WHERE scanned_at >= $NEXT * 86400 - 25200 AND scanned_at < ($NEXT + 1) * 86400 - 25200" -c "ROLLBACK" | grep -i time
  # The purge with a retention that puts the cutoff at the end of the oldest day (it drops that
  # day's partitions and deletes its client ids; stays go one night later).
  NOW=$(date +%s); DAYS=$(( (NOW - (OLDEST + 1) * 86400 + 25200) / 86400 ))
  echo "  ravao purge --retention-days $DAYS (cutoff inside day $((OLDEST + 1)); drops day $OLDEST):"
  T0=$(date +%s.%N)
  "$BIN" purge --database "$URL" --retention-days "$DAYS" --log-level warning
  T1=$(date +%s.%N)
  echo "  purge: $(echo "$T1 - $T0" | bc) s"
  ;;
verify)
  # The derived tables against the check-ins, on a sample: what the server's writer would have made.
  say "derived tables against the check-ins (sample)"
  q <<'SQL'
\pset footer off
\pset tuples_only off
WITH s AS (SELECT place_id, person_id, scanned_at, (scanned_at + 25200) / 86400 AS day FROM checkins TABLESAMPLE SYSTEM (0.01) REPEATABLE (3))
SELECT COUNT(*) AS "sampled check-ins",
       COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM place_day_people x WHERE x.place_id = s.place_id AND x.day = s.day AND x.person_id = s.person_id)) AS "in place_day_people",
       COUNT(*) FILTER (WHERE (SELECT COUNT(*) FROM unit_people_days u JOIN places p ON p.id = s.place_id
                               WHERE u.person_id = s.person_id AND u.day = s.day AND u.scheme = p.units_scheme
                                 AND u.unit_code IN (p.ward_code, p.province_code, 'VN')) = 3) AS "in unit_people_days (ward, province, VN)",
       COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM stays t WHERE t.person_id = s.person_id AND t.place_id = s.place_id
                                      AND s.scanned_at BETWEEN t.started_at AND t.ended_at)) AS "inside a stay of theirs"
FROM s;
WITH d AS (SELECT place_id, day, scans FROM place_days TABLESAMPLE SYSTEM (5) REPEATABLE (3) LIMIT 200)
SELECT COUNT(*) AS "sampled place-days",
       COUNT(*) FILTER (WHERE d.scans = (SELECT COUNT(*) FROM checkins c WHERE c.place_id = d.place_id
                                          AND c.scanned_at >= d.day * 86400 - 25200 AND c.scanned_at < (d.day + 1) * 86400 - 25200)) AS "scans equal",
       COUNT(*) FILTER (WHERE (SELECT COUNT(*) FROM place_day_people x WHERE x.place_id = d.place_id AND x.day = d.day)
                            = (SELECT COUNT(DISTINCT person_id) FROM checkins c WHERE c.place_id = d.place_id
                                AND c.scanned_at >= d.day * 86400 - 25200 AND c.scanned_at < (d.day + 1) * 86400 - 25200)) AS "distinct people equal"
FROM d;
SQL
  ;;
explain)
  # The server's own statements with their real parameters: auto_explain logs the plan of every
  # statement of this database's new sessions while `ravao-bench explain-national` runs.
  say "query plans (auto_explain of a depth-1 trace, a history, a coverage and a province dashboard)"
  PGLOG=${RAVAO_NATIONAL_PGLOG:-/var/log/postgresql/postgresql-15-main.log}
  OUT=${RAVAO_NATIONAL_PLANS:-/tmp/ravao-national-plans.log}
  START=$(($(stat -c %s "$PGLOG") + 1))
  q -c "ALTER DATABASE $DBNAME SET session_preload_libraries = 'auto_explain'" -c "ALTER DATABASE $DBNAME SET auto_explain.log_min_duration = 0" \
    -c "ALTER DATABASE $DBNAME SET auto_explain.log_analyze = on" -c "ALTER DATABASE $DBNAME SET auto_explain.log_buffers = on"
  "$BENCH" explain-national --database "$URL" --log-level warning || true
  q -c "ALTER DATABASE $DBNAME RESET session_preload_libraries" -c "ALTER DATABASE $DBNAME RESET auto_explain.log_min_duration" \
    -c "ALTER DATABASE $DBNAME RESET auto_explain.log_analyze" -c "ALTER DATABASE $DBNAME RESET auto_explain.log_buffers"
  tail -c +"$START" "$PGLOG" >"$OUT"
  echo "  plans: $OUT ($(grep -c 'duration:' "$OUT") statements)"
  ;;
*) echo "run-national: unknown phase $phase" >&2; exit 1 ;;
esac; done
