#!/usr/bin/env bash
# Terminal throughput: `seq 1 1000000` through a unyo session (libvterm model,
# ncurses frames) against plain OpenSSH `ssh -tt` running the same command, both
# inside the same tmux (80x24) against the same loopback sshd, alternated in
# one run. Median of BENCH_RUNS (5) wall times each, and the ratio (target:
# unyo no slower, ratio <= 1).
#
#   tests/bench/bench_term_throughput.sh [UNYO_BINARY]
#
# unyo: `unyo ssh HOST --bench-seq CMD` (hidden) measures inside the process
# from start (before connecting) until the channel's EOF, with every byte
# through libvterm and the final frame written to the terminal. ssh: the
# wall time of `ssh -tt HOST CMD` in the tmux pane, measured by the pane's
# shell (connect included on both sides). Needs root (sshd) and tmux.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:-${UNYO:-$root/build/unyo}}")
runs=${BENCH_RUNS:-5}
cmd=${BENCH_CMD:-seq 1 1000000}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null; then
    echo "SKIP: needs root, sshd and tmux"
    exit 0
fi
export UNYO_DATADIR=${UNYO_DATADIR:-$root/data} LANG=C.UTF-8 LC_ALL=C.UTF-8 UNYO_USER=bench
. "$here/../lib/sshd.sh"
sock="unyo-bench-tp-$$"
cleanup() {
    tmux -L "$sock" kill-server >/dev/null 2>&1 || true
    sshd_cleanup
}
trap cleanup EXIT
sshd_env_init
sshd_start a
sshd_alias benchhost a
db=$T/unyo.db
"$bin" init --db "$db" >/dev/null
"$bin" operator add bench --role operator --db "$db" >/dev/null
tmux -L "$sock" -f /dev/null new-session -d -x 80 -y 24 -e HOME="$HOME" -e LANG=C.UTF-8 \
    -e LC_ALL=C.UTF-8 -e UNYO_USER=bench -e UNYO_DATADIR="$UNYO_DATADIR" -e TERM=screen-256color
tmux -L "$sock" set-option -g remain-on-exit off >/dev/null

# Runs a command in a new tmux window and waits for the file it writes.
run_in_tmux() { # file command
    local f=$1
    rm -f "$f"
    tmux -L "$sock" new-window -d "$2"
    local deadline=$((SECONDS + 120))
    while [ ! -s "$f" ] || ! grep -q . "$f"; do
        ((SECONDS < deadline)) || {
            echo "timed out: $2" >&2
            return 1
        }
        sleep 0.05
    done
    sleep 0.1 # the writer closes the file
}

q() { printf '%q' "$1"; }
# OpenSSH reads ~/.ssh from the passwd entry, not $HOME: name the test files.
ssho="-F $(q "$HOME/.ssh/config") -i $(q "$HOME/.ssh/id_ed25519") -o UserKnownHostsFile=$(q "$HOME/.ssh/known_hosts") -o BatchMode=yes"
u_times=() s_times=()
for i in $(seq 1 "$runs"); do
    # unyo
    f=$T/unyo.$i
    run_in_tmux "$f.done" "$(q "$bin") --db $(q "$db") ssh benchhost --bench-seq $(q "$cmd") 2>$(q "$f"); echo done >$(q "$f.done")"
    ms=$(sed -n 's/.*total_ms=\([0-9.]*\).*/\1/p' "$f")
    [ -n "$ms" ] || {
        echo "unyo run $i: $(cat "$f")" >&2
        exit 1
    }
    u_times+=("$ms")
    # plain ssh
    f=$T/ssh.$i
    run_in_tmux "$f" "s=\$(date +%s%N); ssh -tt $ssho benchhost $(q "$cmd"); e=\$(date +%s%N); echo \$(( (e - s) / 1000000 )) >$(q "$f")"
    s_times+=("$(cat "$f")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mu=$(median "${u_times[@]}")
ms=$(median "${s_times[@]}")
echo "term throughput ($cmd, 80x24 tmux, $runs runs): unyo median ${mu} ms [${u_times[*]}]"
echo "term throughput ($cmd, 80x24 tmux, $runs runs): ssh  median ${ms} ms [${s_times[*]}]"
awk -v u="$mu" -v s="$ms" 'BEGIN {printf "ratio unyo/ssh = %.2f (target <= 1.00)\n", u / s}'
