#!/usr/bin/env bash
# Issue 14: `unyo audit verify` over the shared 1M-incident store (every chain link
# recomputed, every row of every chained table hashed and compared with its newest
# link, the triggers against the shipped schema), paired with the reference in the
# same invocation: sqlite3 only reading the same rows and links (SELECT *), the floor
# any check of every row pays. Target: seconds. A bench store that does not verify
# clean fails the bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-1000000}
RUNS=${BENCH_RUNS:-3}
db=$(bench_store "$N")
# A store cached from before migration 014 is chained at its first open (not timed).
"$UNYO" audit verify --db "$db" >/dev/null 2>&1 || true
tables="audit incident_events inquiry_events problem_events change_events job_run_events
checklist_events host_metrics job_deliveries operators libraries hosts templates incidents
inquiries problems knowledge links jobs job_deps job_runs changes change_steps config_items
shifts handovers ssh_sessions handover_items change_effects local_chain local_chain_rows"
u=(); s=()
out=$BENCH_DIR/verify.out
for i in $(seq "$RUNS"); do
  t0=$(now_ns)
  "$UNYO" audit verify --db "$db" >"$out" 2>&1 || { cat "$out"; echo "the bench store does not verify clean"; exit 1; }
  t1=$(now_ns)
  for t in $tables; do sqlite3 "$db" "SELECT * FROM \"$t\"" >/dev/null; done
  t2=$(now_ns)
  u+=($(( (t1 - t0) / 1000000 ))); s+=($(( (t2 - t1) / 1000000 )))
done
mu=$(printf '%s\n' "${u[@]}" | median); ms=$(printf '%s\n' "${s[@]}" | median)
echo "audit verify, $N incidents ($(grep -o 'Checked [0-9]* chain links, [0-9]* rows' "$out")): median ${mu} ms; sqlite3 reading the same rows median ${ms} ms; ratio $(awk -v a="$mu" -v b="$ms" 'BEGIN{printf "%.2f", a/b}') (target: seconds)"
