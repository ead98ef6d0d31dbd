#!/bin/sh
# Tracing and dashboard benchmark (issue 6): fills a SQLite database with N check-ins
# (default 1,000,000; 50,000 places, 2,000,000 people, 28 days) and times 14-day traces of depth 1
# and 2 for random cases and the dashboards of the largest provinces.
#
#   Benchmarks/run-tracing.sh [CHECKINS] [DB]
#
# Uses RAVAO_BIN and RAVAO_BENCH_BIN if set, else builds both release binaries in .build-release.
set -eu
N=${1:-1000000}
DB=${2:-/tmp/ravao-bench-$N.sqlite}
cd "$(dirname "$0")/.."
if [ -z "${RAVAO_BIN:-}" ] || [ -z "${RAVAO_BENCH_BIN:-}" ]; then
    swift build -c release --product ravao --scratch-path .build-release
    swift build -c release --product ravao-bench --scratch-path .build-release
    RAVAO_BIN=${RAVAO_BIN:-.build-release/release/ravao}
    RAVAO_BENCH_BIN=${RAVAO_BENCH_BIN:-.build-release/release/ravao-bench}
fi
if [ ! -f "$DB" ]; then
    "$RAVAO_BIN" migrate --database "sqlite:$DB" --log-level warning
    python3 Benchmarks/gen-checkins.py "$DB" "$N"
    # The generator fills the per-place rollups; the per-unit ones are counted from them, and the
    # stays computed from the check-ins.
    "$RAVAO_BIN" rebuild-rollups --database "sqlite:$DB" --log-level warning
fi
echo "database: $DB ($(du -h "$DB" | cut -f1)), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$RAVAO_BENCH_BIN" bench-tracing --database "sqlite:$DB" --cases "${CASES:-30}" --log-level warning
