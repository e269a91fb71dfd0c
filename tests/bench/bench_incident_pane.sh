#!/usr/bin/env bash
# Incidents pane benchmark on the 1,000,000-incident store of bench_console.sh.
#
#   tests/bench/bench_incident_pane.sh [UNYO_BINARY [CACHE_DIR]]
#
# Measures (medians of BENCH_RUNS):
#   filter        PCRE2 /起動/ over every title, in the process (--bench-filter;
#                 target <= 200 ms): scans local_incident_titles
#                 (data/schema/009_incident_list.sql) on per-core threads;
#   priority page one page (45 rows) of the unfiltered list sorted by priority, the
#                 keyset query src/incident_list.c runs, at the top and in the middle
#                 of the order (target: an index walk, a few ms), with its query plan;
#   generate      `unyo demo --generate` rate for BENCH_GEN_ROWS incidents (the
#                 title triggers must not slow the bulk load much).
# The store is made once by bench_console.sh's rules and kept in CACHE_DIR.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:-$root/build/unyo}")
cache=${2:-$(dirname "$bin")/bench-cache}
runs=${BENCH_RUNS:-11}
rows=${BENCH_ROWS:-1000000}
gen_rows=${BENCH_GEN_ROWS:-200000}
export UNYO_DATADIR=${UNYO_DATADIR:-$root/data}
export UNYO_USER=yamada LANG=C.UTF-8
mkdir -p "$cache"
db=$cache/console-$rows.db

if [[ ! -f $db.done ]]; then
    echo "making the store ($rows incidents; a few minutes, once) ..." >&2
    rm -f "$db" "$db-wal" "$db-shm"
    "$bin" demo --db "$db" >/dev/null
    "$bin" demo --generate "$rows" --db "$db" >/dev/null
    touch "$db.done"
fi
# Opening the store applies new migrations (the first run after 009 fills the side table).
t0=$EPOCHREALTIME
"$bin" --db "$db" --first-frame --pane incidents >/dev/null 2>&1 </dev/null || "$bin" incident list --db "$db" >/dev/null
t1=$EPOCHREALTIME
cat "$db" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "nan"}'; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

flt=$("$bin" --db "$db" --bench-filter '起動' "$runs")

sel="SELECT ref, received_at, library_id, priority, status, title, id, acknowledged_at,
first_response_at, recovered_at, sla_paused_since, sla_paused_seconds FROM incidents WHERE deleted = 0"
mid=$(sqlite3 "$db" "SELECT priority, received_at, id FROM incidents WHERE priority = 'P3'
                     ORDER BY received_at LIMIT 1 OFFSET 100000" | tr '|' ' ')
read -r mp mr mi <<<"$mid"
top_sql="$sel AND (priority, received_at, id) < ('~', '~', '~')
 ORDER BY priority DESC, received_at DESC, id DESC LIMIT 45"
mid_sql="$sel AND (priority, received_at, id) < ('$mp', '$mr', '$mi')
 ORDER BY priority DESC, received_at DESC, id DESC LIMIT 45"
page_ms() {
    local sql=$1 t=()
    for _ in $(seq "$runs"); do
        t+=("$(printf '.timer on\n%s;\n' "$sql" | sqlite3 "$db" 2>&1 |
            sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | tail -1 |
            awk '{printf "%.3f", $1 * 1000}')")
    done
    printf '%s\n' "${t[@]}" | median
}
top_ms=$(page_ms "$top_sql")
mid_ms=$(page_ms "$mid_sql")
plan=$(sqlite3 "$db" "EXPLAIN QUERY PLAN $mid_sql" | sed -n 's/.*--//p' | tr '\n' ' ')

gdb=$(mktemp -d)/gen.db
"$bin" demo --db "$gdb" >/dev/null
gen=$("$bin" demo --generate "$gen_rows" --db "$gdb" 2>&1 | tr '\r' '\n' | grep -E 'rows/s' | tail -1)
rm -rf "$(dirname "$gdb")"

printf '%-48s %12s %10s\n' "incidents pane benchmark ($rows incidents, $runs runs)" "median" "target"
printf '%-48s %9s ms\n' "open the store (applies pending migrations)" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", (b - a) * 1000}')"
printf '%-48s %9s ms %8s ms\n' "PCRE2 filter /起動/ over titles" "$(field median_ms "$flt")" 200
printf '%-48s %9s ms\n' "  CPU time of one filter (all threads)" "$(field cpu_ms "$flt")"
printf '%-48s %9s MB\n' "  peak RSS, filter bench" "$(($(field maxrss_kb "$flt" | cut -d. -f1) / 1024))"
printf '%-48s %9s ms\n' "priority sort: first page (sqlite3 .timer)" "$top_ms"
printf '%-48s %9s ms\n' "priority sort: page at P3 row 100,000" "$mid_ms"
printf '%-48s %s\n' "  plan" "$plan"
printf '%-48s %s\n' "generate $gen_rows incidents" "$gen"
printf '%-48s %s\n' "load average" "$(cut -d' ' -f1-3 /proc/loadavg)"
