#!/usr/bin/env bash
# make bench: every benchmark, each paired with a reference run in the same
# invocation, printing medians. Stores are cached under BUILD/bench/.
set -euo pipefail
BUILD=$(readlink -f "${1:-build}")
HERE=$(cd "$(dirname "$0")" && pwd)
export UNYO=$BUILD/unyo BENCH_DIR=$BUILD/bench
mkdir -p "$BENCH_DIR"
export UNYO_USER=bench LANG=C.UTF-8
for b in "$HERE"/bench_*.sh; do
  echo "== $(basename "$b")"
  bash "$b" || echo "!! $(basename "$b") failed"
done
