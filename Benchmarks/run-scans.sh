#!/usr/bin/env bash
# The scan benchmark (issue 3): builds the release server, starts it on a fresh SQLite file, signs in,
# registers a place and a device key, warms up, then measures GET /healthz and POST /api/v1/scans with
# wrk in the same server run, prints a summary and checks that every scan wrk saw answered 201 is a
# row in `checkins`. See Benchmarks/README.md.
#
# Settings (environment):
#   RAVAO_BENCH_DURATION     each measured run (default 20s)
#   RAVAO_BENCH_CONNECTIONS  wrk connections (default 64)
#   RAVAO_BENCH_THREADS      wrk threads (default 2)
#   RAVAO_BENCH_WARMUP       scan warm-up before measuring (default 5s; 0 skips it)
#   RAVAO_BENCH_POOL         people whose cards are scanned (default 10000)
#   RAVAO_BIN                use this server binary instead of building .build-release
#   RAVAO_BENCH_KEEP=1       keep the temp directory (database, server log, wrk outputs)
#   RAVAO_BENCH_STRICT=1     exit 1 when a target is missed (failures and lost rows always exit 1)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DURATION=${RAVAO_BENCH_DURATION:-20s}
CONNECTIONS=${RAVAO_BENCH_CONNECTIONS:-64}
THREADS=${RAVAO_BENCH_THREADS:-2}
WARMUP=${RAVAO_BENCH_WARMUP:-5s}
export RAVAO_POOL=${RAVAO_BENCH_POOL:-10000}
PHONE=0912345678
PHONE_E164=+84912345678

# Targets (issue 3): on this class of machine (2 cores, wrk on the same cores).
TARGET_SCANS=20000
TARGET_P99_MS=25
TARGET_RATIO=0.6

say() { printf '\n== %s\n' "$*"; }
die() { printf '\nrun-scans: %s\n' "$*" >&2; exit 1; }

command -v wrk >/dev/null || die "wrk is not installed (Debian: apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is not installed"
command -v python3 >/dev/null || die "python3 is needed (JSON and sqlite3 module)"

# --- build -------------------------------------------------------------------------------------
if [ -n "${RAVAO_BIN:-}" ]; then
  BIN=$RAVAO_BIN
else
  say "building the release server (.build-release)"
  swift build -c release --product ravao --scratch-path .build-release
  BIN=$ROOT/.build-release/release/ravao
fi
[ -x "$BIN" ] || die "no server binary at $BIN"

# --- start the server ------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ravao-bench.XXXXXX")
DB=$WORK/ravao.sqlite
OUTBOX=$WORK/sms.jsonl
LOG=$WORK/server.log
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
SERVER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "run-scans: the server did not stop within 30 s of SIGTERM; killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

cleanup() {
  local status=$?
  stop_server
  if [ "$status" -ne 0 ] && [ -f "$LOG" ]; then
    echo "--- last lines of the server log ($LOG)" >&2
    tail -n 30 "$LOG" >&2 || true
  fi
  if [ "${RAVAO_BENCH_KEEP:-}" = 1 ] || [ "$status" -ne 0 ]; then
    echo "run-scans: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting $BIN on $BASE (database $DB)"
"$BIN" serve --host 127.0.0.1 --port "$PORT" --database "sqlite:$DB" --sms "outbox:$OUTBOX" \
  --base-url "$BASE" >"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited before answering /healthz"
  curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "$BASE/healthz" || die "the server did not answer /healthz within 60 s"
head -n 5 "$LOG"

# --- sign in, place, device key ----------------------------------------------------------------
json() { # json KEY... : walks the JSON on stdin (a number indexes a list) and prints the value
  python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@"
}
post() { # post PATH JSON [TOKEN] -> body on stdout, status in $WORK/status
  local auth=()
  [ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
  curl -sS -o "$WORK/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "${auth[@]}" \
    --data "$2" "$BASE$1" >"$WORK/status"
  cat "$WORK/body"
}
status() { cat "$WORK/status"; }

say "signing in as $PHONE"
post /api/v1/auth/otp "{\"phone\":\"$PHONE\"}" >/dev/null
[ "$(status)" = 202 ] || die "requesting a code answered $(status): $(cat "$WORK/body")"
CODE=
for _ in $(seq 1 100); do
  CODE=$(python3 - "$OUTBOX" "$PHONE_E164" <<'EOF' || true
import json, re, sys
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
except OSError:
    sys.exit(0)
for line in lines:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("to") == sys.argv[2]:
        codes = re.findall(r"(?<!\d)\d{6}(?!\d)", m.get("text", ""))
        if codes:
            print(codes[0])
EOF
)
  [ -n "$CODE" ] && break
  sleep 0.1
done
[ -n "$CODE" ] || die "no SMS code for $PHONE_E164 appeared in $OUTBOX"
TOKEN=$(post /api/v1/auth/verify "{\"phone\":\"$PHONE\",\"code\":\"$CODE\"}" | json token)
[ "$(status)" = 200 ] || die "verifying the code answered $(status)"

WARD=$(curl -fsS "$BASE/api/v1/units?parent=48" | json 0 code)
PLACE_ID=$(post /api/v1/places "{\"name\":\"Siêu thị Benchmark\",\"type\":\"restaurant\",\"wardCode\":\"$WARD\",\"address\":\"12 Lê Duẩn\",\"registrantName\":\"Trần Thị Ba\"}" "$TOKEN" | json id)
[ "$(status)" = 201 ] || die "registering a place answered $(status)"
echo "place $PLACE_ID in ward $WARD"

DEVICE_BODY=$(post "/api/v1/places/$PLACE_ID/devices" '{"name":"Cổng chính (benchmark)"}' "$TOKEN")
if [ "$(status)" = 201 ]; then
  KEY=$(printf '%s' "$DEVICE_BODY" | json key)
  KEY_KIND="device key"
elif [ "$(status)" = 404 ] || [ "$(status)" = 405 ]; then
  KEY=$TOKEN
  KEY_KIND="owner's session token (no device endpoint in this build)"
else
  die "creating a device key answered $(status): $DEVICE_BODY"
fi
echo "scans authenticate with: $KEY_KIND"

# A scan by hand first: the payloads of scans.lua must be accepted, not just answered.
PROBE=$(post /api/v1/scans "{\"placeId\":\"$PLACE_ID\",\"payload\":\"001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Phố Huế, Hà Nội|01012021\",\"direction\":\"in\",\"clientId\":\"$(python3 -c 'import uuid; print(uuid.uuid4())')\"}" "$KEY")
[ "$(status)" = 201 ] || die "a probe scan answered $(status): $PROBE"

count_rows() {
  python3 - "$DB" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
checkins = db.execute("SELECT COUNT(*) FROM checkins").fetchone()[0]
distinct = db.execute("SELECT COUNT(DISTINCT client_id) FROM checkins").fetchone()[0]
rejected = db.execute("SELECT COUNT(*) FROM rejected_scans").fetchone()[0]
people = db.execute("SELECT COUNT(*) FROM people").fetchone()[0]
print(checkins, distinct, rejected, people)
EOF
}

# --- measure -----------------------------------------------------------------------------------
WRK=(wrk "-t$THREADS" "-c$CONNECTIONS" --latency)
LOAD_BEFORE=$(uptime | sed 's/.*load average: //')

if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
  say "warm-up: $WARMUP of scans"
  "${WRK[@]}" "-d$WARMUP" -s Benchmarks/scans.lua "$BASE" -- "$PLACE_ID" "$KEY" >"$WORK/warmup.txt"
  grep '^ravao:' "$WORK/warmup.txt" || true
  grep -q '^ravao: created=[0-9]* duplicate=[0-9]* non2xx=0 socket_errors=0' "$WORK/warmup.txt" \
    || { cat "$WORK/warmup.txt"; die "scans failed during the warm-up"; }
fi

say "GET /healthz: ${THREADS} threads, $CONNECTIONS connections, $DURATION"
"${WRK[@]}" "-d$DURATION" "$BASE/healthz" | tee "$WORK/healthz.txt"

read -r ROWS_BEFORE _ _ _ < <(count_rows)
say "POST /api/v1/scans: ${THREADS} threads, $CONNECTIONS connections, $DURATION"
"${WRK[@]}" "-d$DURATION" -s Benchmarks/scans.lua "$BASE" -- "$PLACE_ID" "$KEY" | tee "$WORK/scans.txt"
LOAD_AFTER=$(uptime | sed 's/.*load average: //')

# Stop the server (SIGTERM, graceful) so that every request it accepted has finished before counting.
stop_server
read -r ROWS_AFTER DISTINCT_AFTER REJECTED PEOPLE < <(count_rows)

# --- summary -------------------------------------------------------------------------------------
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99_ms() { # the 99% line of --latency, in milliseconds
  awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v}
       else if (v ~ /m$/) {sub(/m$/,"",v); print v*60000} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000}}' "$1"
}
field() { sed -n "s/^ravao: .*$1=\([0-9]*\).*/\1/p" "$WORK/scans.txt" | head -n 1; }

HEALTHZ_RPS=$(rps "$WORK/healthz.txt")
HEALTHZ_P99=$(p99_ms "$WORK/healthz.txt")
SCANS_RPS=$(rps "$WORK/scans.txt")
SCANS_P99=$(p99_ms "$WORK/scans.txt")
CREATED=$(field created); DUPLICATE=$(field duplicate); NON2XX=$(field non2xx)
SOCKET_ERRORS=$(field socket_errors); TIMEOUTS=$(field timeouts)
[ -n "$CREATED" ] || die "scans.lua printed no counts (see $WORK/scans.txt)"
NEW_ROWS=$((ROWS_AFTER - ROWS_BEFORE))
# wrk stops at the deadline with up to one request in flight per connection; those (and timed-out
# ones) may have been recorded without wrk counting the answer. So: created <= new rows <= created
# + connections + timeouts. Fewer rows than 201 answers would be lost check-ins.
SLACK=$((CONNECTIONS + TIMEOUTS))
RATIO=$(awk -v s="$SCANS_RPS" -v h="$HEALTHZ_RPS" 'BEGIN { if (h > 0) printf "%.2f", s / h; else print "n/a" }')
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (+uncommitted changes)" || true)

verdict() { # verdict CONDITION: awk arithmetic
  if awk "BEGIN { exit !($1) }"; then echo "meets target"; else echo "BELOW TARGET"; fi
}
MISSED=0
FAILED=0

say "summary"
printf '  commit            %s%s\n' "$COMMIT" "$DIRTY"
printf '  machine           %s cores, %s\n' "$(nproc)" "$(uname -srm)"
printf '  load average      before %s; after %s\n' "$LOAD_BEFORE" "$LOAD_AFTER"
printf '  wrk               -t%s -c%s -d%s (same machine), auth: %s\n' "$THREADS" "$CONNECTIONS" "$DURATION" "$KEY_KIND"
printf '  healthz           %s req/s, p99 %s ms\n' "$HEALTHZ_RPS" "$HEALTHZ_P99"
printf '  scans             %s req/s   [target >= %s: %s]\n' "$SCANS_RPS" "$TARGET_SCANS" "$(verdict "$SCANS_RPS >= $TARGET_SCANS")"
printf '  scans p99         %s ms      [target <= %s ms: %s]\n' "$SCANS_P99" "$TARGET_P99_MS" "$(verdict "$SCANS_P99 <= $TARGET_P99_MS")"
printf '  scans / healthz   %s         [target >= %s: %s]\n' "$RATIO" "$TARGET_RATIO" "$(verdict "$RATIO >= $TARGET_RATIO")"
printf '  answers           %s created (201), %s duplicate (200), %s non-2xx, %s socket errors (%s timeouts)\n' \
  "$CREATED" "$DUPLICATE" "$NON2XX" "$SOCKET_ERRORS" "$TIMEOUTS"
printf '  checkins rows     %s new during the scan run (%s in total, %s distinct clientIds), %s rejected scans, %s people\n' \
  "$NEW_ROWS" "$ROWS_AFTER" "$DISTINCT_AFTER" "$REJECTED" "$PEOPLE"

awk "BEGIN { exit !($SCANS_RPS >= $TARGET_SCANS && $SCANS_P99 <= $TARGET_P99_MS && $RATIO >= $TARGET_RATIO) }" || MISSED=1

if [ "$NON2XX" != 0 ] || [ "$SOCKET_ERRORS" != 0 ]; then
  echo "  !!! $NON2XX scans answered non-2xx and $SOCKET_ERRORS had socket errors: the throughput figure is NOT valid" >&2
  FAILED=1
fi
if [ "$NEW_ROWS" -lt "$CREATED" ]; then
  echo "  !!! LOST CHECK-INS: wrk saw $CREATED answers 201 but only $NEW_ROWS rows were added" >&2
  FAILED=1
elif [ "$NEW_ROWS" -gt $((CREATED + SLACK)) ]; then
  echo "  !!! $NEW_ROWS rows were added for $CREATED answers 201: more than the $SLACK requests that can be in flight at the deadline" >&2
  FAILED=1
else
  printf '  durability        OK: %s rows >= %s answers 201 (%s more: requests cut off at the deadline, at most %s)\n' \
    "$NEW_ROWS" "$CREATED" "$((NEW_ROWS - CREATED))" "$SLACK"
fi
if [ "$DISTINCT_AFTER" != "$ROWS_AFTER" ] || [ "$REJECTED" != 0 ]; then
  echo "  !!! $ROWS_AFTER rows but $DISTINCT_AFTER distinct clientIds, $REJECTED rejected scans" >&2
  FAILED=1
fi

echo
echo "RESULTS.md row:"
printf '| %s | %s%s | %s cores | -t%s -c%s -d%s | %s | %s | %s ms | %s | %s | %s |\n' \
  "$(date -u +%Y-%m-%d)" "$COMMIT" "$DIRTY" "$(nproc)" "$THREADS" "$CONNECTIONS" "$DURATION" "$HEALTHZ_RPS" "$SCANS_RPS" \
  "$SCANS_P99" "$RATIO" "$NON2XX" "$LOAD_BEFORE / $LOAD_AFTER"

[ "$FAILED" = 0 ] || exit 1
if [ "$MISSED" = 1 ] && [ "${RAVAO_BENCH_STRICT:-}" = 1 ]; then exit 1; fi
exit 0
