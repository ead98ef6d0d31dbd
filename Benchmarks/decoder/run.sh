#!/usr/bin/env bash
# Decoder benchmark (issue 17): makes the seeded 640×480 frames of Tests/decoder/distorted.py
# (PER frames per category, 20 by default; 12 categories, one of them without a code), then times
# our decodeQR and zbarimg on them. Needs node, python3 with Tests/decoder/requirements.txt, and
# zbarimg (Debian zbar-tools) for the reference column.
#
#   Benchmarks/decoder/run.sh            PER=40 Benchmarks/decoder/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
frames=$(mktemp -d)
trap 'rm -rf "$frames"' EXIT
echo "/proc/loadavg at the start: $(cat /proc/loadavg)"
python3 Tests/decoder/distorted.py --generate-only --keep "$frames" --per-category "${PER:-20}" --seed 17
BENCH_COMMAND="PER=${PER:-20} ROUNDS=${ROUNDS:-3} Benchmarks/decoder/run.sh" node Benchmarks/decoder/bench.mjs "$frames" --rounds "${ROUNDS:-3}"
