#!/usr/bin/env bash
# make bench: every benchmark, each paired with a reference run in the same
# invocation, printing medians. Big stores are made once and cached under
# BUILD/bench/ (BENCH_N, BENCH_RUNS override sizes and repetitions).
set -euo pipefail
BUILD=$(readlink -f "${1:-build}")
HERE=$(cd "$(dirname "$0")" && pwd)
export UNYO=$BUILD/unyo BENCH_DIR=$BUILD/bench
mkdir -p "$BENCH_DIR"
export UNYO_USER=bench LANG=C.UTF-8
. "$HERE/lib.sh"
failed=0
for b in "$HERE"/bench_*.sh; do
  echo "== $(basename "$b")"
  bash "$b" "$UNYO" || { echo "!! $(basename "$b") failed"; failed=1; }
done
# Programs linked against the core, on the shared 1M-incident store.
if [ -x "$BUILD/tests/bench_incidents" ]; then
  echo "== bench_incidents"
  "$BUILD/tests/bench_incidents" "$(bench_store "${BENCH_N:-1000000}")" || { echo "!! bench_incidents failed"; failed=1; }
fi
exit $failed
