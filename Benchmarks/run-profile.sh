#!/usr/bin/env bash
# Where a request's CPU goes, by stage (issue 16): runs one load with wrk against a release server and
# samples the server with `perf record -e cpu-clock -g` (a software clock: works in VMs without
# hardware counters), then splits the samples with profile-stages.py.
#
#   Benchmarks/run-profile.sh bare|404|healthz|scans-sqlite|scans-postgres
#
# Settings: RAVAO_PROFILE_SECONDS (sampling time, default 10), RAVAO_PROFILE_CONNECTIONS (64),
# RAVAO_PROFILE_WARMUP (seconds of scans before sampling, default 3; with a small RAVAO_RATIO_POOL a
# long warm-up makes every sampled scan a returning person, as at a factory gate),
# RAVAO_BIN / RAVAO_BARE_BIN (default the release builds run-ratio.sh makes), RAVAO_RATIO_PG,
# RAVAO_RATIO_PG_OPTIONS (appended to the database URL after "?", e.g. writers=4),
# RAVAO_PROFILE_KEEP=1 keeps perf.data and the demangled samples. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${1:?bare, 404, healthz, scans-sqlite or scans-postgres}
SECONDS_=${RAVAO_PROFILE_SECONDS:-10}
C=${RAVAO_PROFILE_CONNECTIONS:-64}
BIN=${RAVAO_BIN:-$ROOT/.build-release/release/ravao}
BARE=${RAVAO_BARE_BIN:-$ROOT/Benchmarks/bare/.build/release/bare}
PG=${RAVAO_RATIO_PG:-postgres://postgres:ravao@127.0.0.1:5432}
export RAVAO_POOL=${RAVAO_RATIO_POOL:-50000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ravao-profile.XXXXXX")
PID=; PG_DB=
cleanup() {
  [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  if [ -n "$PG_DB" ]; then dropdb --maintenance-db="$PG/postgres" "$PG_DB" 2>/dev/null || true; fi
  if [ "${RAVAO_PROFILE_KEEP:-}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
start() { "$@" >"$WORK/server.log" 2>&1 & PID=$!; for _ in $(seq 1 300); do curl -fsS -o /dev/null "$BASE/${PROBE-healthz}" 2>/dev/null && return; sleep 0.2; done; cat "$WORK/server.log"; exit 1; }
ravao() { RAVAO_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))') start "$BIN" serve --host 127.0.0.1 --port "$PORT" --database "$1" --sms "outbox:$WORK/sms.jsonl" --base-url "$BASE"; }
WRK_ARGS=("$BASE/")
case $TARGET in
  bare) PROBE="" start "$BARE" "$PORT" ;;
  404) ravao "sqlite:$WORK/ravao.sqlite"; WRK_ARGS=("$BASE/nope") ;;
  healthz) ravao "sqlite:$WORK/ravao.sqlite"; WRK_ARGS=("$BASE/healthz") ;;
  scans-sqlite|scans-postgres)
    if [ "$TARGET" = scans-sqlite ]; then ravao "sqlite:$WORK/ravao.sqlite"; else
      PG_DB=ravao_profile_$(date +%s)_$$; createdb --maintenance-db="$PG/postgres" "$PG_DB"; ravao "$PG/$PG_DB${RAVAO_RATIO_PG_OPTIONS:+?$RAVAO_RATIO_PG_OPTIONS}"; fi
    python3 Benchmarks/ratio-helper.py doors "$BASE" "$WORK/sms.jsonl" "${RAVAO_RATIO_PLACES:-16}" "$WORK/doors.txt" >/dev/null
    WRK_ARGS=(-s Benchmarks/scans.lua "$BASE" -- "@$WORK/doors.txt")
    # Warm up: people exist, caches are filled, as in the measured cells.
    wrk -t1 -c64 "-d${RAVAO_PROFILE_WARMUP:-3}s" "${WRK_ARGS[@]}" >/dev/null ;;
  *) echo "unknown target $TARGET" >&2; exit 2 ;;
esac
wrk -t1 "-c$C" "-d$((SECONDS_ + 4))s" --latency "${WRK_ARGS[@]}" >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
sleep 2
# Who uses the two cores during the sampled window: the server, PostgreSQL's processes, wrk, the rest.
ticks() { python3 Benchmarks/cpu-split.py snapshot "$PID" "$WRK_PID"; }
ticks >"$WORK/cpu.before"
perf record -q -e cpu-clock -F 1999 -g -p "$PID" -o "$WORK/perf.data" -- sleep "$SECONDS_" 2>/dev/null
ticks >"$WORK/cpu.after"
wait "$WRK_PID"
perf script -i "$WORK/perf.data" 2>/dev/null | swift demangle --simplified >"$WORK/samples.txt"
echo "### profile: $TARGET, $C connections, ${SECONDS_} s, $(cut -d' ' -f1-3 /proc/loadavg) load, $(git rev-parse --short HEAD)"
echo
awk '/^Requests\/sec:/ {print "wrk: " $2 " req/s"} $1 == "99%" {print "p99 " $2}' "$WORK/wrk.txt" | paste -sd' ' -
echo
python3 Benchmarks/cpu-split.py report "$WORK/cpu.before" "$WORK/cpu.after" "$WORK/wrk.txt"
echo
python3 Benchmarks/profile-stages.py ${RAVAO_PROFILE_VERBOSE:+-v} <"$WORK/samples.txt"
