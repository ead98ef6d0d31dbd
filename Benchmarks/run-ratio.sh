#!/usr/bin/env bash
# Ravao against the bare framework, in one run on one machine (issue 16).
#
# Builds release binaries of the bare Hummingbird server (Benchmarks/bare) and of ravao, then runs wrk
# against (the first three alternated, RAVAO_RATIO_ROUNDS times):
#   bare      GET /                      the framework alone, answering "ok"
#   404       GET /nope on ravao         an unknown path through the whole middleware chain
#   healthz   GET /healthz on ravao      the middleware plus one SELECT 1
#   scans     POST /api/v1/scans         on SQLite (synchronous=FULL, WAL), fresh file
#   scans     POST /api/v1/scans         on PostgreSQL (a fresh database created for the run)
# at each connection count, and appends a table to Benchmarks/RESULTS.md: req/s, ratio to bare at the
# same connection count, p99, errors, the 1-minute load average at the end of each cell.
#
# Scans come from many doors at once: RAVAO_RATIO_PLACES places, each a kiosk with its own device key;
# each request picks a door and a person at random (scans.lua). Every 201 answer's checkInId goes to a
# ledger, checked afterwards: each id answered once and present once in `checkins`, no client id
# recorded twice, no more rows than answers plus what was in flight at the deadline.
#
# Settings (environment):
#   RAVAO_RATIO_DURATION     each measured cell (default 10s)
#   RAVAO_RATIO_WARMUP       scans before measuring each engine (default 3s; 0 skips it)
#   RAVAO_RATIO_CONNECTIONS  connection counts (default "16 64 256")
#   RAVAO_RATIO_THREADS      wrk threads (default 1: wrk shares the two cores with the server)
#   RAVAO_RATIO_ROUNDS       bare, 404 and /healthz alternate this many times per connection count; the
#                            table gives medians (default 3)
#   RAVAO_RATIO_PLACES       doors (default 16)
#   RAVAO_RATIO_POOL         people whose cards are scanned (default 50000)
#   RAVAO_RATIO_ENGINES      "sqlite postgres" (default both)
#   RAVAO_RATIO_PG           PostgreSQL server URL without the database
#                            (default postgres://postgres:ravao@127.0.0.1:5432)
#   RAVAO_RATIO_PG_OPTIONS   appended to the database URL after "?" (e.g. writers=4&pool=16)
#   RAVAO_RATIO_LABEL        a word for the run in RESULTS.md (e.g. before, after)
#   RAVAO_RATIO_RESULTS      where to append the table (default Benchmarks/RESULTS.md; "-" prints only)
#   RAVAO_BIN, RAVAO_BARE_BIN  use these binaries instead of building
#   RAVAO_RATIO_KEEP=1       keep the temp directory (logs, wrk outputs, ledgers)
# Exits 1 when a scan failed, a check-in is missing, or a cell could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DURATION=${RAVAO_RATIO_DURATION:-10s}
WARMUP=${RAVAO_RATIO_WARMUP:-3s}
CONNECTIONS=${RAVAO_RATIO_CONNECTIONS:-16 64 256}
THREADS=${RAVAO_RATIO_THREADS:-1}
ROUNDS=${RAVAO_RATIO_ROUNDS:-3}
PLACES=${RAVAO_RATIO_PLACES:-16}
export RAVAO_POOL=${RAVAO_RATIO_POOL:-50000}
ENGINES=${RAVAO_RATIO_ENGINES:-sqlite postgres}
PG=${RAVAO_RATIO_PG:-postgres://postgres:ravao@127.0.0.1:5432}
PG_OPTIONS=${RAVAO_RATIO_PG_OPTIONS:-}
LABEL=${RAVAO_RATIO_LABEL:-}
RESULTS=${RAVAO_RATIO_RESULTS:-$ROOT/Benchmarks/RESULTS.md}

say() { printf '\n== %s\n' "$*"; }
die() { printf '\nrun-ratio: %s\n' "$*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (Debian: apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is not installed"
command -v python3 >/dev/null || die "python3 is needed"
case " $ENGINES " in *" postgres "*) command -v psql >/dev/null && command -v createdb >/dev/null || die "psql and createdb are needed for PostgreSQL";; esac

# --- build -------------------------------------------------------------------------------------
if [ -n "${RAVAO_BIN:-}" ]; then BIN=$RAVAO_BIN; else
  say "building ravao (release, .build-release)"
  swift build -c release --product ravao --scratch-path .build-release
  BIN=$ROOT/.build-release/release/ravao
fi
if [ -n "${RAVAO_BARE_BIN:-}" ]; then BARE=$RAVAO_BARE_BIN; else
  say "building the bare server (release, Benchmarks/bare/.build)"
  (cd Benchmarks/bare && swift build -c release)
  BARE=$ROOT/Benchmarks/bare/.build/release/bare
fi
[ -x "$BIN" ] || die "no server binary at $BIN"
[ -x "$BARE" ] || die "no bare server binary at $BARE"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ravao-ratio.XXXXXX")
SERVER_PID=
PG_DB=
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "run-ratio: the server did not stop within 30 s of SIGTERM; killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
cleanup() {
  local status=$?
  stop_server
  if [ -n "$PG_DB" ]; then dropdb --if-exists --maintenance-db="$PG/postgres" "$PG_DB" 2>/dev/null || true; fi
  if [ "${RAVAO_RATIO_KEEP:-}" = 1 ] || [ "$status" -ne 0 ]; then echo "run-ratio: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for URL LOG
  for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$2" >&2; die "the server exited before answering $1"; }
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  die "no answer from $1 within 60 s"
}
load1() { cut -d' ' -f1 /proc/loadavg; }
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99_ms() {
  awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v}
       else if (v ~ /m$/) {sub(/m$/,"",v); print v*60000} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000}}' "$1"
}
# Non-2xx answers (wrk's own line; scans.lua reports its own) and socket errors (connect, read, write,
# timeout). `errors FILE 404`: every answer is expected to be a 404, so only socket errors count.
errors() {
  local non2xx sock
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$1"); non2xx=${non2xx:-0}
  [ "${2:-}" = 404 ] && non2xx=0
  sock=$(awk '/Socket errors:/ {gsub(",",""); print $4+$6+$8+$10}' "$1"); sock=${sock:-0}
  echo $((non2xx + sock))
}

declare -A RPS P99 ERR LOAD NOTE
# cell NAME CONNECTIONS URL [wrk options...] [-- script arguments...]
cell() {
  local name=$1 c=$2 url=$3; shift 3
  local out=$WORK/$name-$c.txt opts=() rest=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  rest=("$@")
  wrk "-t$THREADS" "-c$c" "-d$DURATION" --latency "${opts[@]}" "$url" "${rest[@]}" >"$out" 2>&1 || { cat "$out"; die "wrk failed for $name at $c connections"; }
  RPS[$name,$c]=$(rps "$out"); P99[$name,$c]=$(p99_ms "$out"); LOAD[$name,$c]=$(load1)
  if grep -q '^ravao: created=' "$out"; then
    local failed sock
    failed=$(sed -n 's/^ravao: .*non2xx=\([0-9]*\).*/\1/p' "$out"); sock=$(sed -n 's/^ravao: .*socket_errors=\([0-9]*\).*/\1/p' "$out")
    ERR[$name,$c]=$((failed + sock))
  elif [ "${name%%#*}" = 404 ]; then
    ERR[$name,$c]=$(errors "$out" 404)
  else
    ERR[$name,$c]=$(errors "$out")
  fi
  printf '  %-14s -c%-4s %10s req/s  p99 %8s ms  errors %s  load %s\n' "$name" "$c" "${RPS[$name,$c]}" "${P99[$name,$c]}" "${ERR[$name,$c]}" "${LOAD[$name,$c]}"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " +uncommitted" || true)
FAILED=0

# median NAME C: the middle of the ROUNDS cells NAME#1..NAME#ROUNDS (req/s and p99), their errors
# summed, the last one's load.
median() {
  local name=$1 c=$2 r rps=() p99=() errs=0
  for r in $(seq 1 "$ROUNDS"); do rps+=("${RPS[$name#$r,$c]}"); p99+=("${P99[$name#$r,$c]}"); errs=$((errs + ${ERR[$name#$r,$c]})); done
  RPS[$name,$c]=$(printf '%s\n' "${rps[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  P99[$name,$c]=$(printf '%s\n' "${p99[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  ERR[$name,$c]=$errs; LOAD[$name,$c]=${LOAD[$name#$ROUNDS,$c]}
}

start_ravao() { # start_ravao NAME DATABASE
  PORT=$(free_port); BASE=http://127.0.0.1:$PORT
  OUTBOX=$WORK/sms-$1.jsonl; LOG=$WORK/server-$1.log
  RAVAO_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))') \
    "$BIN" serve --host 127.0.0.1 --port "$PORT" --database "$2" --sms "outbox:$OUTBOX" --base-url "$BASE" >"$LOG" 2>&1 &
  SERVER_PID=$!
  wait_for "$BASE/healthz" "$LOG"
}

# --- bare, 404 and /healthz, alternated ---------------------------------------------------------
# The machine is shared: another tenant's load comes and goes within a minute. Bare, ravao's 404 and
# /healthz therefore run in turn, ROUNDS times at each connection count, with both servers up, and the
# table gives each one's median; the notes list every round's ratio.
BARE_PORT=$(free_port)
say "bare Hummingbird on :$BARE_PORT"
"$BARE" "$BARE_PORT" >"$WORK/bare.log" 2>&1 &
BARE_PID=$!
SERVER_PID=$BARE_PID wait_for "http://127.0.0.1:$BARE_PORT/" "$WORK/bare.log"
start_ravao chain "sqlite:$WORK/chain.sqlite"
say "ravao 404 and /healthz ($BASE), $ROUNDS rounds alternated with bare"
for c in $CONNECTIONS; do
  for r in $(seq 1 "$ROUNDS"); do
    cell "bare#$r" "$c" "http://127.0.0.1:$BARE_PORT/"
    cell "404#$r" "$c" "$BASE/nope"
    cell "healthz#$r" "$c" "$BASE/healthz"
  done
  median bare "$c"; median 404 "$c"; median healthz "$c"
  NOTE[rounds,$c]=$(for r in $(seq 1 "$ROUNDS"); do awk -v a="${RPS[404#$r,$c]}" -v b="${RPS[bare#$r,$c]}" 'BEGIN { printf "%.2f ", a / b }'; done)
done
stop_server
kill -TERM "$BARE_PID" 2>/dev/null || true; wait "$BARE_PID" 2>/dev/null || true

# --- scans ---------------------------------------------------------------------------------------
scan_engine() { # scan_engine NAME DATABASE
  local name=$1 database=$2
  start_ravao "$name" "$database"
  say "ravao on $name ($BASE)"
  python3 Benchmarks/ratio-helper.py doors "$BASE" "$OUTBOX" "$PLACES" "$WORK/doors-$name.txt"
  if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
    wrk "-t$THREADS" -c64 "-d$WARMUP" -s Benchmarks/scans.lua "$BASE" -- "@$WORK/doors-$name.txt" >"$WORK/warmup-$name.txt" 2>&1
    grep -q '^ravao: created=[0-9]* duplicate=0 non2xx=0 socket_errors=0' "$WORK/warmup-$name.txt" \
      || { cat "$WORK/warmup-$name.txt"; die "scans failed during the warm-up on $name"; }
  fi
  local cells=()
  for c in $CONNECTIONS; do
    local ledger=$WORK/ledger-$name-$c; mkdir -p "$ledger"
    local before; before=$(python3 Benchmarks/ratio-helper.py count "$database")
    # The projector's lag (issue 16: ≤ 2 s under this load), read from /metrics (open to loopback)
    # twice a second while the cell runs; the largest value seen is kept.
    local lagfile=$WORK/lag-$name-$c
    echo 0 >"$lagfile"
    ( while :; do
        v=$(curl -s --max-time 1 "$BASE/metrics" | sed -n 's/^ravao_projector_lag_seconds \([0-9.e+]*\).*/\1/p')
        [ -n "$v" ] && awk -v a="$(cat "$lagfile")" -v b="$v" 'BEGIN { print (b + 0 > a + 0) ? b : a }' >"$lagfile.new" && mv "$lagfile.new" "$lagfile"
        sleep 0.5
      done ) &
    local sampler=$!
    RAVAO_LEDGER_DIR=$ledger cell "scans-$name" "$c" "$BASE" -s Benchmarks/scans.lua -- "@$WORK/doors-$name.txt"
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    NOTE[lag-$name,$c]="largest ravao_projector_lag_seconds seen (sampled every 0.5 s): $(cat "$lagfile") s"
    echo "  projector lag -c$c: ${NOTE[lag-$name,$c]}"
    local out=$WORK/scans-$name-$c.txt
    cells+=("$c:$ledger:$before:$(sed -n 's/^ravao: created=\([0-9]*\).*/\1/p' "$out"):$(sed -n 's/^ravao: .*timeouts=\([0-9]*\).*/\1/p' "$out")")
    grep '^ravao: !!!' "$out" | head -n 4 || true
  done
  # Graceful stop: every request the server accepted has finished before the rows are counted.
  stop_server
  local i total_created=0 slack=64 first_before
  for i in "${!cells[@]}"; do
    IFS=: read -r c ledger before created timeouts <<<"${cells[$i]}"
      if [ "$i" = 0 ]; then first_before=$before; fi
    total_created=$((total_created + created)); slack=$((slack + c + timeouts))
    NOTE[scans-$name,$c]=$(python3 Benchmarks/ratio-helper.py verify "$database" "$ledger" "$created" 2>&1) || FAILED=1
    echo "  ledger -c$c: ${NOTE[scans-$name,$c]}"
  done
  # Rows added over all cells: at least every 201, at most that plus what was in flight when wrk
  # stopped (one request per connection, and timed-out ones; the warm-up's 64 included).
  local added=$(( $(python3 Benchmarks/ratio-helper.py count "$database") - first_before ))
  if [ "$added" -lt "$total_created" ] || [ "$added" -gt $((total_created + slack)) ]; then
    NOTE[rows-$name]="FAILED: $added rows added for $total_created answers 201 (at most $slack in flight at the deadlines)"; FAILED=1
  else
    NOTE[rows-$name]="OK: $added rows added for $total_created answers 201 ($((added - total_created)) in flight at the deadlines)"
  fi
  echo "  rows: ${NOTE[rows-$name]}"
}

for engine in $ENGINES; do
  case $engine in
    sqlite) scan_engine sqlite "sqlite:$WORK/ravao.sqlite" ;;
    postgres)
      PG_DB=ravao_ratio_$(date +%s)_$$
      createdb --maintenance-db="$PG/postgres" "$PG_DB"
      scan_engine postgres "$PG/$PG_DB${PG_OPTIONS:+?$PG_OPTIONS}"
      dropdb --maintenance-db="$PG/postgres" "$PG_DB" || true
      PG_DB= ;;
    *) die "unknown engine $engine (sqlite, postgres)" ;;
  esac
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- table ---------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.3f", a / b; else print "–" }'; }
fmt() { awk -v v="$1" 'BEGIN { if (v == "") print "–"; else { n = sprintf("%.0f", v); s = ""; while (length(n) > 3) { s = "," substr(n, length(n) - 2) s; n = substr(n, 1, length(n) - 3) } print n s } }'; }
TABLE=$WORK/table.md
{
  echo
  echo "### $(date -u '+%Y-%m-%d %H:%M') UTC · $COMMIT$DIRTY${LABEL:+ · $LABEL}"
  echo
  echo "\`Benchmarks/run-ratio.sh\`: $(nproc) cores ($(uname -m)), wrk -t$THREADS -d$DURATION on the same machine," \
       "$PLACES doors (places with a kiosk key each), $RAVAO_POOL-person card pool, warm-up $WARMUP per engine." \
       "Load average before $LOAD_BEFORE, after $LOAD_AFTER."
  echo
  printf '| what |'; for c in $CONNECTIONS; do printf ' %s conns: req/s (× bare) | p99 ms | errors | load |' "$c"; done; echo
  printf '| --- |'; for c in $CONNECTIONS; do printf ' --- | --- | --- | --- |'; done; echo
  for row in "bare:bare Hummingbird GET /" "404:ravao 404 (GET /nope)" "healthz:ravao GET /healthz" \
             "scans-sqlite:scans, SQLite" "scans-postgres:scans, PostgreSQL"; do
    key=${row%%:*}; title=${row#*:}
    [ -n "${RPS[$key,${CONNECTIONS%% *}]:-}" ] || continue
    printf '| %s |' "$title"
    for c in $CONNECTIONS; do
      if [ "$key" = bare ]; then r="$(fmt "${RPS[$key,$c]}")"; else r="$(fmt "${RPS[$key,$c]}") ($(ratio "${RPS[$key,$c]}" "${RPS[bare,$c]}"))"; fi
      printf ' %s | %s | %s | %s |' "$r" "${P99[$key,$c]}" "${ERR[$key,$c]}" "${LOAD[$key,$c]}"
    done
    echo
  done
  echo
  for c in $CONNECTIONS; do echo "- 404 × bare in each of the $ROUNDS rounds at $c connections: ${NOTE[rounds,$c]}"; done
  for key in scans-sqlite scans-postgres; do
    for c in $CONNECTIONS; do
      if [ -n "${NOTE[$key,$c]:-}" ]; then echo "- ledger, $key at $c connections: ${NOTE[$key,$c]}"; fi
      if [ -n "${NOTE[lag-${key#scans-},$c]:-}" ]; then echo "- projector, $key at $c connections: ${NOTE[lag-${key#scans-},$c]}"; fi
    done
    if [ -n "${NOTE[rows-${key#scans-}]:-}" ]; then echo "- rows, ${key#scans-}: ${NOTE[rows-${key#scans-}]}"; fi
  done
} >"$TABLE"
say "results"
cat "$TABLE"
if [ "$RESULTS" != - ]; then
  if ! grep -q '^## Ratio runs' "$RESULTS"; then
    printf '\n## Ratio runs (issue 16, `run-ratio.sh`)\n\nRatios are to the bare Hummingbird server at the same connection count in the same run.\n' >>"$RESULTS"
  fi
  cat "$TABLE" >>"$RESULTS"
  echo "appended to $RESULTS"
fi
[ "$FAILED" = 0 ] || die "a ledger check failed (see above)"
