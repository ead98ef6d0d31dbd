#!/usr/bin/env bash
# The coverage benchmark (issue 7, E2): a 30,000-person roster and a day of 100,000 check-ins at the
# organisation's 16 places (gate, 3 workshops, 12 buses) plus 5,000 elsewhere. Target: coverage
# answers in ≤ 100 ms on SQLite. See Benchmarks/README.md.
#
#   Benchmarks/run-coverage.sh [DATABASE]
#
# DATABASE defaults to a fresh SQLite file in a temp directory; give sqlite:PATH to keep (and, on a
# second run, reuse) the seeded file, or postgres://user:pass@host:port/db?schema=NAME for PostgreSQL.
# 1. `ravao-bench bench-coverage` seeds the workload (unless the database holds it) and times the store
#    call behind the route, checking every answer;
# 2. `ravao serve` on the same database, and Benchmarks/coverage-http.py times the HTTP request;
# 3. `ravao-bench bench-coverage --measure late` times the call when new check-ins arrive between calls.
# Uses RAVAO_BIN and RAVAO_BENCH_BIN if set, else builds both release binaries in .build-release. RAVAO_BENCH_REPETITIONS
# (default 20) sets the timed calls per measure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -z "${RAVAO_BIN:-}" ] || [ -z "${RAVAO_BENCH_BIN:-}" ]; then
    swift build -c release --product ravao --scratch-path .build-release
    swift build -c release --product ravao-bench --scratch-path .build-release
    RAVAO_BIN=${RAVAO_BIN:-$ROOT/.build-release/release/ravao}
    RAVAO_BENCH_BIN=${RAVAO_BENCH_BIN:-$ROOT/.build-release/release/ravao-bench}
fi
REPS=${RAVAO_BENCH_REPETITIONS:-20}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ravao-coverage.XXXXXX")
DATABASE=${1:-sqlite:$WORK/app.sqlite}
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The tree's commit ('+': Sources differ from it); with RAVAO_BIN, say which commit that binary was built from.
echo "$(date -u '+%Y-%m-%d %H:%M') UTC, tree $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources || echo '+'), binary $RAVAO_BIN, $(nproc) cores"
"$RAVAO_BENCH_BIN" bench-coverage --database "$DATABASE" --repetitions "$REPS" --measure first,warm,parts,history \
    --token-file "$WORK/token" --log-level warning | tee "$WORK/bench.txt"
read -r ORG DAY TOTAL PRESENT MISSING < <(awk '/^workload:/ { print $3, $5, $9, $11, $13 }' "$WORK/bench.txt")

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$RAVAO_BIN" serve --host 127.0.0.1 --port "$PORT" --database "$DATABASE" --sms "outbox:$WORK/sms.jsonl" \
    --log-level warning >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "the server exited" >&2; exit 1; }
    sleep 0.2
done
echo "load average before HTTP: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 Benchmarks/coverage-http.py "http://127.0.0.1:$PORT" "$WORK/token" "$ORG" "$DAY" "$TOTAL" "$PRESENT" "$MISSING" "$REPS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
# Last, because the check-ins it adds make every coverage call for the next two minutes re-read
# them (OrgStore.refreshOverlap): measured before, the HTTP figures would include that.
"$RAVAO_BENCH_BIN" bench-coverage --database "$DATABASE" --repetitions "$REPS" --measure late --log-level warning | grep -v '^workload:'
