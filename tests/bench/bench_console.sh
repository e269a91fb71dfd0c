#!/usr/bin/env bash
# Console benchmark on a store of 1,000,000 incidents.
#
#   tests/bench/bench_console.sh [UNYO_BINARY [CACHE_DIR]]
#
# Measures (medians), each paired with a reference run in the same loop:
#   first frame  exec of `unyo --first-frame` to its exit after the first
#                complete frame, inside a tmux pty (target <= 50 ms), against
#                `sqlite3 DB "<the first page's query>"` as a whole process;
#   page-down    at row 900,000, per key, measured inside the process
#                (--bench-pagedown; target <= 5 ms);
#   filter       PCRE2 over 1M titles, inside the process (--bench-filter;
#                target <= 200 ms), against `grep -cP` over the titles;
#   peak RSS     of each mode (target <= 50 MB).
# The store is made once and kept in CACHE_DIR (default: next to the binary).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:-$root/build/unyo}")
cache=${2:-$(dirname "$bin")/bench-cache}
runs=${BENCH_RUNS:-11}
rows=${BENCH_ROWS:-1000000}
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
# Warm the page cache the same way for every measurement.
cat "$db" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "nan"}'; }

first_page_sql="SELECT ref, received_at, library_id, priority, status, title, id FROM incidents \
WHERE deleted = 0 AND (received_at, id) < ('~', '~') ORDER BY received_at DESC, id DESC LIMIT 45"

# ---- first frame, in a real pty (tmux), paired with the sqlite3 reference ----
sock="unyo-bench-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
out=$(mktemp -d)
trap 'tm kill-server 2>/dev/null || true; rm -rf "$out"' EXIT
tm new-session -d -x 200 -y 50 -e UNYO_DATADIR="$UNYO_DATADIR" -e UNYO_USER=yamada \
    -e LANG=C.UTF-8 bash --norc --noprofile
cat >"$out/loop.sh" <<EOF
for i in \$(seq $runs); do
  for pane in checklist incidents; do
    t0=\$EPOCHREALTIME; "$bin" --db "$db" --first-frame --pane \$pane; t1=\$EPOCHREALTIME
    echo "\$pane \$t0 \$t1" >>"$out/ff"
  done
  t0=\$EPOCHREALTIME; sqlite3 "$db" "$first_page_sql" >/dev/null; t1=\$EPOCHREALTIME
  echo "sqlite3 \$t0 \$t1" >>"$out/ff"
done
/usr/bin/time -f "%M" -o "$out/rss_ff" "$bin" --db "$db" --first-frame --pane incidents
echo done >"$out/ff.done"
clear
EOF
tm send-keys "bash $out/loop.sh" Enter
for _ in $(seq 600); do [[ -f $out/ff.done ]] && break; sleep 0.2; done
[[ -f $out/ff.done ]] || { echo "first-frame loop did not finish" >&2; exit 1; }
ms() { awk -v k="$1" '$1 == k {printf "%.2f\n", ($3 - $2) * 1000}' "$out/ff" | median; }
ff_check=$(ms checklist)
ff_inc=$(ms incidents)
ff_ref=$(ms sqlite3)
rss_ff=$(cat "$out/rss_ff")

# ---- in-process measurements ----
pd=$("$bin" --db "$db" --bench-pagedown 200 --bench-row 900000)
flt=$("$bin" --db "$db" --bench-filter '起動' "$runs")
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }
# grep reference: the same titles as a text file, made once
if [[ ! -f $cache/titles-$rows.txt ]]; then
    sqlite3 "$db" "SELECT title FROM incidents WHERE deleted = 0" >"$cache/titles-$rows.txt"
fi
g=()
for _ in $(seq "$runs"); do
    t0=$EPOCHREALTIME
    grep -cP '起動' "$cache/titles-$rows.txt" >"$out/grep.out"
    t1=$EPOCHREALTIME
    g+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) * 1000}')")
done
grep_ref=$(printf '%s\n' "${g[@]}" | median)

printf '%-44s %10s %10s\n' "console benchmark ($rows incidents, $runs runs)" "median" "target"
printf '%-44s %8s ms %8s ms\n' "first frame, checklist pane (exec→exit)" "$ff_check" 50
printf '%-44s %8s ms %8s ms\n' "first frame, incidents pane (exec→exit)" "$ff_inc" 50
printf '%-44s %8s ms\n' "  reference: sqlite3 first page (process)" "$ff_ref"
printf '%-44s %8s ms %8s ms\n' "page-down at row 900,000 (per key)" "$(field median_ms "$pd")" 5
printf '%-44s %8s ms\n' "  jump to row 900,000 (anchors, once)" "$(field setup_ms "$pd")"
printf '%-44s %8s\n' "  load average while measuring" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %8s ms %8s ms\n' "PCRE2 filter /起動/ over titles" "$(field median_ms "$flt")" 200
printf '%-44s %8s ms\n' "  CPU time of one filter (all threads)" "$(field cpu_ms "$flt")"
printf '%-44s %8s ms\n' "  reference: grep -cP over a title file" "$grep_ref"
printf '%-44s %8s MB %8s MB\n' "peak RSS, first frame" "$((rss_ff / 1024))" 50
printf '%-44s %8s MB %8s MB\n' "peak RSS, page-down bench" "$(($(field maxrss_kb "$pd" | cut -d. -f1) / 1024))" 50
printf '%-44s %8s MB %8s MB\n' "peak RSS, filter bench" "$(($(field maxrss_kb "$flt" | cut -d. -f1) / 1024))" 50
