#!/usr/bin/env bash
# The coverage benchmark (issue 7, E2): a 30,000-person roster and a day of 100,000 check-ins at the
# organisation's 16 places (gate, 3 workshops, 12 buses) plus 5,000 elsewhere, seeded straight into
# a fresh database; then `GET /api/v1/orgs/{id}/coverage` (and the service call under it) is timed
# 15 times, and the 30-day history once. Target: ≤ 100 ms on SQLite. See Benchmarks/README.md.
#
# Runs the `CoverageBenchmark` suite of the Swift tests (debug build, the one `swift build
# --build-tests` makes), which is skipped unless RAVAO_BENCH_COVERAGE=1. With RAVAO_TEST_POSTGRES set
# it measures PostgreSQL too. The summary line is appended to $RAVAO_BENCH_OUT (default: printed only).
set -euo pipefail
cd "$(dirname "$0")/.."
export RAVAO_BENCH_COVERAGE=1
swift build --build-tests
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
swift test --skip-build --filter CoverageBenchmark 2>&1 | grep -E "^coverage |passed|failed|error" || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
