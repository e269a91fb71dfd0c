#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS over its
# seed corpus (tests/fuzz/corpus/NAME, copied to a scratch corpus so the tree
# keeps only the seeds). Exits non-zero on any finding; the crashing input is
# left in BUILD/fuzz-findings/. Usage: scripts/fuzz.sh [BUILD_DIR] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-fuzz}
shift || true
SECONDS_EACH=${FUZZ_SECONDS:-60}
cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DUNYO_FUZZ=ON \
  -DUNYO_WERROR="${UNYO_WERROR:-OFF}" >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
findings="$BUILD/fuzz-findings"
mkdir -p "$findings"
failed=0
export UNYO_DATADIR=$PWD/data TZ=UTC
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  seeds=tests/fuzz/corpus/$name
  work="$BUILD/fuzz-corpus/$name"
  mkdir -p "$work" "$seeds"
  dict=()
  [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
  log="$BUILD/fuzz-$name.log"
  if "$BUILD/tests/fuzz/$t" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$findings/$name-" \
      -print_final_stats=1 "$work" "$seeds" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $t: ${runs} executions in ${SECONDS_EACH}s, no findings"
  else
    echo "fuzz $t: FINDING (log: $log)"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -20 || true
    # The stack and the input itself: CI's scratch directory is gone after
    # the run, so the log is all there is to reproduce the finding from.
    grep -E '^ +#[0-9]+ ' "$log" | head -12 || true
    for unit in "$findings/$name"-*; do
      [ -f "$unit" ] && [ "$(stat -c %s "$unit")" -le 8192 ] &&
        echo "input (base64) $(basename "$unit"): $(base64 -w0 "$unit")"
    done
    failed=1
  fi
done
exit $failed
