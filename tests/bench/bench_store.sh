#!/usr/bin/env bash
# Foundation: generation rate for 1,000,000 incidents with events (target
# >= 200k rows/s), and `unyo export --csv` of that store paired with
# `sqlite3 -csv` exporting the same tables (target: unyo within 1.5x).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-1000000}
RUNS=${BENCH_RUNS:-3}

rates=(); idx=()
for i in $(seq "$RUNS"); do
  db=$BENCH_DIR/gen-$i.db; rm -f "$db" "$db"-wal "$db"-shm
  "$UNYO" init --db "$db" >/dev/null
  "$UNYO" operator add bench --role operator --db "$db" >/dev/null
  out=$("$UNYO" demo --generate "$N" --db "$db" 2>&1 | tr '\r' '\n')
  rates+=("$(echo "$out" | grep Generated | sed -E 's/.*: ([0-9]+) rows\/s/\1/')")
  idx+=("$(echo "$out" | grep Rebuilt | sed -E 's/.* in ([0-9.]+) s/\1/')")
  [ "$i" -lt "$RUNS" ] && rm -f "$db" "$db"-wal "$db"-shm
done
echo "generate $N incidents: median $(printf '%s\n' "${rates[@]}" | median) rows/s over $RUNS runs (target >= 200000); full-text index rebuilt after the load in a median $(printf '%s\n' "${idx[@]}" | median) s"
db=$BENCH_DIR/gen-$RUNS.db

tables=$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'local\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%\_fts%' ESCAPE '\' ORDER BY rowid")
u=(); s=()
for i in $(seq 5); do
  rm -rf "$BENCH_DIR/ex-unyo" "$BENCH_DIR/ex-sqlite"; mkdir -p "$BENCH_DIR/ex-sqlite"
  t0=$(now_ns); "$UNYO" export --csv "$BENCH_DIR/ex-unyo" --db "$db" 2>/dev/null; t1=$(now_ns)
  for t in $tables; do sqlite3 -csv -header "$db" "SELECT * FROM \"$t\" ORDER BY id" > "$BENCH_DIR/ex-sqlite/$t.csv"; done
  t2=$(now_ns)
  u+=($(( (t1 - t0) / 1000000 ))); s+=($(( (t2 - t1) / 1000000 )))
done
mu=$(printf '%s\n' "${u[@]}" | median); ms=$(printf '%s\n' "${s[@]}" | median)
echo "export all tables ($(du -sh "$BENCH_DIR/ex-unyo" | cut -f1)): unyo median ${mu} ms, sqlite3 -csv median ${ms} ms, ratio $(awk -v a="$mu" -v b="$ms" 'BEGIN{printf "%.2f", a/b}') (target <= 1.5)"
rm -rf "$BENCH_DIR/ex-unyo" "$BENCH_DIR/ex-sqlite"
