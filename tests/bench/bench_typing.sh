#!/usr/bin/env bash
# Typing latency with busy sessions: `unyo ssh HOST --bench-typing N` (hidden)
# opens N more sessions to the loopback sshd, each running
# `while :; do date; done`, then types BENCH_KEYS keys into the shell on
# screen, one at a time; for each, the time from the key (taken as read) to
# the doupdate of the frame that shows its echo, measured inside the process.
# Reported: median and p95, with 10 streaming sessions (target: median <= 5 ms)
# and, as the reference in the same run, with none.
#
#   tests/bench/bench_typing.sh [UNYO_BINARY]
#
# Runs in tmux (80x24) so the frames go to a real terminal. Needs root (sshd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:-${UNYO:-$root/build/unyo}}")
keys=${BENCH_KEYS:-200}
streams=${BENCH_STREAMS:-10}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null; then
    echo "SKIP: needs root, sshd and tmux"
    exit 0
fi
export UNYO_DATADIR=${UNYO_DATADIR:-$root/data} LANG=C.UTF-8 LC_ALL=C.UTF-8 UNYO_USER=bench
. "$here/../lib/sshd.sh"
sock="unyo-bench-typing-$$"
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

q() { printf '%q' "$1"; }
run() { # streams -> prints the result line
    local f=$T/typing.$1
    rm -f "$f" "$f.done"
    tmux -L "$sock" new-window -d "$(q "$bin") --db $(q "$db") ssh benchhost --bench-typing $1 --bench-keys $keys 2>$(q "$f"); echo done >$(q "$f.done")"
    local deadline=$((SECONDS + 180))
    while [ ! -s "$f.done" ]; do
        ((SECONDS < deadline)) || {
            echo "timed out ($1 streams)" >&2
            return 1
        }
        sleep 0.1
    done
    grep bench-typing "$f" || {
        cat "$f" >&2
        return 1
    }
}
echo "typing latency, $keys keys, 80x24 tmux:"
echo "  with $streams streaming sessions: $(run "$streams")"
echo "  reference, no other session:     $(run 0)"
echo "  target: median <= 5 ms with $streams streaming sessions"
