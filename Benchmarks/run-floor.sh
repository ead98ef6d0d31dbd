#!/usr/bin/env bash
# The floor under a durable PostgreSQL scan, beside the bare framework and ravao, in one run (issue 16).
#
# Builds (release) the bare server (Benchmarks/bare) and the floor server (Benchmarks/floor: Hummingbird
# and PostgresNIO committing only the check-in and its retry key, in ravao's schema, with group commit),
# then alternates, RAVAO_FLOOR_ROUNDS times, at RAVAO_FLOOR_CONNECTIONS connections:
#   bare    GET / on the bare server
#   floor   POST /api/v1/scans on the floor server (scans.lua, the same requests as ravao's)
#   ravao   POST /api/v1/scans on ravao, PostgreSQL
# Each cell gets a fresh database. The CPU of each party (server, PostgreSQL's processes, wrk, the rest
# of the machine) is read from /proc over the measured window and given per answered request.
#
# Settings: RAVAO_FLOOR_ROUNDS (3), RAVAO_FLOOR_CONNECTIONS (64), RAVAO_FLOOR_DURATION (10, seconds),
# RAVAO_FLOOR_WARMUP (12: with the default pool of 10,000 cards, every measured ravao scan is a
# returning person, as at a factory gate), RAVAO_POOL (10000), RAVAO_FLOOR_LANES (1: batches the floor
# keeps in flight), RAVAO_BIN, RAVAO_BARE_BIN, RAVAO_FLOOR_BIN (skip the builds), RAVAO_RATIO_PG,
# RAVAO_FLOOR_CELLS ("bare floor ravao"). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=${RAVAO_FLOOR_ROUNDS:-3}
C=${RAVAO_FLOOR_CONNECTIONS:-64}
DURATION=${RAVAO_FLOOR_DURATION:-10}
WARMUP=${RAVAO_FLOOR_WARMUP:-12}
CELLS=${RAVAO_FLOOR_CELLS:-bare floor ravao}
export RAVAO_POOL=${RAVAO_POOL:-10000}
export FLOOR_LANES=${RAVAO_FLOOR_LANES:-1}
PG=${RAVAO_RATIO_PG:-postgres://postgres:ravao@127.0.0.1:5432}
BIN=${RAVAO_BIN:-$ROOT/.build-release/release/ravao}
BARE=${RAVAO_BARE_BIN:-$ROOT/Benchmarks/bare/.build/release/bare}
FLOOR=${RAVAO_FLOOR_BIN:-$ROOT/Benchmarks/floor/.build/release/floor}
[ -n "${RAVAO_BIN:-}" ] || swift build -c release --product ravao --scratch-path .build-release >/dev/null
[ -n "${RAVAO_BARE_BIN:-}" ] || (cd Benchmarks/bare && swift build -c release >/dev/null)
[ -n "${RAVAO_FLOOR_BIN:-}" ] || (cd Benchmarks/floor && swift build -c release >/dev/null)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ravao-floor.XXXXXX")
PID=; PG_DB=
stop() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; fi
  if [ -n "$PG_DB" ]; then dropdb --maintenance-db="$PG/postgres" "$PG_DB" 2>/dev/null || true; PG_DB=; fi
}
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
start() { "$@" >"$WORK/server.log" 2>&1 & PID=$!; for _ in $(seq 1 600); do curl -fsS -o /dev/null "$BASE/${PROBE-healthz}" 2>/dev/null && return; sleep 0.2; done; cat "$WORK/server.log"; exit 1; }
fresh_db() { PG_DB=ravao_floor_$(date +%s%N)_$$; createdb --maintenance-db="$PG/postgres" "$PG_DB"; }

# One measured window: wrk for DURATION s, /proc read around it. Prints "req/s p99 non2xx server pg wrk rest".
measure() {
  wrk -t1 "-c$C" "-d$((DURATION + 2))s" --latency "$@" >"$WORK/wrk.txt" 2>&1 &
  local wrk_pid=$!
  sleep 1
  python3 Benchmarks/cpu-split.py snapshot "$PID" "$wrk_pid" >"$WORK/cpu.before"
  sleep "$DURATION"
  python3 Benchmarks/cpu-split.py snapshot "$PID" "$wrk_pid" >"$WORK/cpu.after"
  wait "$wrk_pid"
  local rps p99 bad
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$WORK/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
  bad=$(awk -F'non2xx=' '/^ravao: created=/ {split($2, a, " "); print a[1]}' "$WORK/wrk.txt")
  echo "$rps $p99 ${bad:-0} $(python3 Benchmarks/cpu-split.py line "$WORK/cpu.before" "$WORK/cpu.after" "$WORK/wrk.txt")"
}

cell() {
  case $1 in
    bare) PROBE="" start "$BARE" "$PORT"; measure "$BASE/" ;;
    floor)
      fresh_db; "$BIN" migrate --database "$PG/$PG_DB" >/dev/null 2>&1
      start "$FLOOR" "$PORT" "$PG/$PG_DB" "$WORK/doors.txt"
      wrk -t1 "-c$C" -d3s -s Benchmarks/scans.lua "$BASE" -- "@$WORK/doors.txt" >/dev/null
      measure -s Benchmarks/scans.lua "$BASE" -- "@$WORK/doors.txt" ;;
    ravao)
      fresh_db
      RAVAO_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))') start "$BIN" serve --host 127.0.0.1 --port "$PORT" \
        --database "$PG/$PG_DB" --sms "outbox:$WORK/sms.jsonl" --base-url "$BASE"
      python3 Benchmarks/ratio-helper.py doors "$BASE" "$WORK/sms.jsonl" 16 "$WORK/doors.txt" >/dev/null
      wrk -t1 "-c$C" "-d${WARMUP}s" -s Benchmarks/scans.lua "$BASE" -- "@$WORK/doors.txt" >/dev/null
      measure -s Benchmarks/scans.lua "$BASE" -- "@$WORK/doors.txt" ;;
  esac
  stop
}

echo "### floor: $C connections, ${DURATION} s per cell, pool $RAVAO_POOL, floor lanes $FLOOR_LANES, $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round | cell | req/s | × bare | p99 | failed | server µs/req | PostgreSQL µs/req | wrk µs/req | rest µs/req |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq 1 "$ROUNDS"); do
  bare_rps=
  for c in $CELLS; do
    read -r rps p99 bad server pg wrk_us rest < <(cell "$c")
    [ "$c" = bare ] && bare_rps=$rps
    ratio=$([ -n "$bare_rps" ] && python3 -c "print(f'{$rps / $bare_rps:.3f}')" || echo -)
    [ "$c" = bare ] && pg=–
    echo "| $round | $c | $rps | $ratio | $p99 | $bad | $server | $pg | $wrk_us | $rest |"
  done
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
