#!/bin/sh
# Tracing and dashboard benchmark (issue 6): fills a SQLite database with N check-ins
# (default 1,000,000; 50,000 places, 2,000,000 people, 28 days) and times 14-day traces of depth 1
# and 2 for random cases and the dashboards of the largest provinces.
#
#   Benchmarks/run-tracing.sh [CHECKINS] [DB]
#
# Uses RAVAO_BIN if set, else builds the release binary in .build-release.
set -eu
N=${1:-1000000}
DB=${2:-/tmp/ravao-bench-$N.sqlite}
cd "$(dirname "$0")/.."
if [ -z "${RAVAO_BIN:-}" ]; then
    swift build -c release --product ravao --scratch-path .build-release
    RAVAO_BIN=.build-release/release/ravao
fi
if [ ! -f "$DB" ]; then
    "$RAVAO_BIN" migrate --database "sqlite:$DB" --log-level warning
    python3 Benchmarks/gen-checkins.py "$DB" "$N"
    # The generator fills the per-place rollups; the per-unit ones are counted from them, and the
    # stays computed from the check-ins.
    "$RAVAO_BIN" rebuild-rollups --database "sqlite:$DB" --log-level warning
fi
echo "database: $DB ($(du -h "$DB" | cut -f1)), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$RAVAO_BIN" bench-tracing --database "sqlite:$DB" --cases "${CASES:-30}" --log-level warning
