# Helpers for the benchmark scripts.
# The benchmarks act as the operator "bench" through UNYO_USER, which only a
# store made by unyo demo or by the tests allows: mark the stores they make
# as test stores, as the test harness does (tests/lib/common.sh).
export UNYO_TEST_STORE=${UNYO_TEST_STORE-1}
now_ns() { date +%s%N; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# A store with N synthetic incidents, made once and reused.
bench_store() {
  local n=$1 db=$BENCH_DIR/incidents-$1.db
  if [ ! -f "$db" ]; then
    "$UNYO" init --db "$db" --template all >/dev/null
    "$UNYO" operator add bench --role operator --db "$db" >/dev/null
    "$UNYO" operator add bench-se --role engineer --db "$db" >/dev/null
    "$UNYO" demo --generate "$n" --db "$db" 2>/dev/null
  fi
  echo "$db"
}
