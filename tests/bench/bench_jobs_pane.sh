#!/usr/bin/env bash
# The Jobs pane with 10,000 runs a day (10,000 daily jobs), in tmux:
#   first frame   `unyo --pane jobs --first-frame` against the same with --pane changes
#                 (a pane with an almost empty list) as the reference; the day loads in
#                 the background, so also:
#   full list     from starting the console to the screen showing the day's N runs
#                 (recover, ensure the runs, one query for the day, first page drawn);
#   keys          in one console: G (last row), Home (first row), / filter, ] (next day:
#                 10,000 runs created), [ (back), each from the key to the screen showing
#                 the result (tmux polling included, a few ms).
# Medians of BENCH_RUNS (default 7).
#   tests/bench/bench_jobs_pane.sh [PATH/TO/unyo] [JOBS]
set -u
UNYO=$(realpath "${1:-${UNYO:-build/unyo}}")
NJOBS=${2:-10000}
RUNS=${BENCH_RUNS:-7}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$HERE/../../data" && pwd)}
export UNYO_USER=bench LANG=C.UTF-8 LC_ALL=C.UTF-8 UNYO_NOW=2026-11-24T09:00:00+09:00
command -v tmux >/dev/null || { echo "jobs pane: tmux not found, not measured"; exit 0; }
W=$(mktemp -d /tmp/unyo-bench-jobs-pane-XXXXXX)
SOCK=unyo-bench-jobs-pane-$$
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$W"' EXIT
DB=$W/u.db
"$UNYO" init --db "$DB" >/dev/null
"$UNYO" operator add bench --role operator --db "$DB" >/dev/null
"$UNYO" host add h1 --address 127.0.0.1 --db "$DB" >/dev/null
# Start times from 05:00 over 17 hours, as many jobs a minute as that takes
# (10 at 10,000 jobs, 99 at 100,000).
awk -v n="$NJOBS" 'BEGIN {
  per = int((n + 1019) / 1020)
  for (i = 0; i < n; i++) {
    m = int(i / per)
    printf "[B%05d]\nname_ja = ベンチ%d\nname_en = bench %d\nperiod = daily\nhost = h1\n", i, i, i
    printf "command = true\nexpected_start = %02d:%02d\n", 5 + int(m / 60), m % 60
  }
}' >"$W/jobs.ini"
"$UNYO" jobs load --file "$W/jobs.ini" --db "$DB" >/dev/null || { echo "!! jobs load failed"; exit 1; }

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
tm new-session -d -x 160 -y 50 -e TERM=screen-256color bash --norc
# first frame: timed by the shell inside tmux (the console needs the terminal)
first_frame() { # pane -> file of ms
    tm send-keys -t 0 "for i in \$(seq $RUNS); do s=\$(date +%s%N); '$UNYO' --db '$DB' --lang en --pane $1 --first-frame; e=\$(date +%s%N); echo \$(((e - s) / 1000000)) >>'$W/ff.$1'; done; echo done >'$W/ff.$1.done'" Enter
    for _ in $(seq 600); do [[ -f $W/ff.$1.done ]] && break; sleep 0.1; done
}
"$UNYO" jobs due --db "$DB" >/dev/null # the day's runs exist, as after a first start
first_frame jobs
first_frame changes
ff_jobs=$(median <"$W/ff.jobs")
ff_ref=$(median <"$W/ff.changes")
runs=$(sqlite3 "$DB" "SELECT count(*) FROM job_runs WHERE due_day = '2026-11-24'" 2>/dev/null || echo "?")
echo "jobs pane: first frame with $runs runs ${ff_jobs} ms (reference: changes pane ${ff_ref} ms)"

wait_for() { # text -> 0 when seen within 20 s
    local deadline=$((SECONDS + 20))
    while ((SECONDS < deadline)); do
        tm capture-pane -p -t 0 2>/dev/null | grep -qF -- "$1" && return 0
    done
    return 1
}
: >"$W/full"
for _ in $(seq "$RUNS"); do
    tm kill-server >/dev/null 2>&1
    t=$(now_ns)
    tm new-session -d -x 160 -y 50 -e TERM=screen-256color -e UNYO_NOW="$UNYO_NOW" \
        "'$UNYO' --db '$DB' --lang en --pane jobs"
    wait_for "today — $runs runs" && echo $((($(now_ns) - t) / 1000000)) >>"$W/full"
done
echo "jobs pane: start to the full list of $NJOBS runs $(median <"$W/full") ms (tmux start and polling included)"
# key latencies in the last console
key_ms() { # label keys... ; last arg: the text that shows the result
    local want=${*: -1} t
    t=$(now_ns)
    tm send-keys -t 0 "${@:1:$#-1}"
    wait_for "$want" || { echo "!! timed out waiting for $want" >&2; echo 99999; return; }
    echo $((($(now_ns) - t) / 1000000))
}
wait_for "today — $runs runs" || { echo "!! the pane did not open"; exit 1; }
last=$(printf 'B%05d' $((NJOBS - 1)))
: >"$W/G" >"$W/home" >"$W/next" >"$W/prev" >"$W/filter"
for _ in $(seq "$RUNS"); do
    key_ms G "$last" >>"$W/G"
    key_ms Home "B00000 " >>"$W/home"
    key_ms ] "2026-11-25 — $runs runs" >>"$W/next"
    key_ms [ "2026-11-24 today — $runs runs" >>"$W/prev"
    key_ms / B0500 Enter "filter /B0500/: 10 of $runs" >>"$W/filter"
    tm send-keys -t 0 / Enter # clear the filter
    wait_for "r start  R run all due" || true
done
echo "jobs pane: G (last of $NJOBS rows) $(median <"$W/G") ms, Home $(median <"$W/home") ms"
echo "jobs pane: ] next day (create + list $NJOBS runs) $(median <"$W/next") ms, [ back $(median <"$W/prev") ms"
echo "jobs pane: filter /B0500/ over $NJOBS runs $(median <"$W/filter") ms"
