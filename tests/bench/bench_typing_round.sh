#!/usr/bin/env bash
# Typing while the console runs a check round (issue 15: "the console staying
# responsive, typing p95 <= 5 ms during the run"). The console runs, in tmux
# (120x40), with `[checks] schedule = on` over BENCH_ROUND_HOSTS (default 1,000)
# aliases of a loopback sshd, 8 checks each (the console's 10 hosts at once); its hidden mode
# `--bench-typing-round N` waits until the round's thread is running, then gives
# the Hosts pane N down/up keys 20 ms apart and times each from the key to the
# doupdate of its frame. Reference in the same run: the same keys with no round.
#
#   tests/bench/bench_typing_round.sh [UNYO_BINARY]
#
# On this bench the "hosts" share the console's two cores (every login forks an
# sshd here), so it is harsher than real hosts are.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:-${UNYO:-$root/build/unyo}}")
keys=${BENCH_KEYS:-300}
hosts=${BENCH_ROUND_HOSTS:-1000}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null; then
    echo "SKIP: needs root, sshd and tmux"
    exit 0
fi
export UNYO_DATADIR=${UNYO_DATADIR:-$root/data} LANG=C.UTF-8 LC_ALL=C.UTF-8 UNYO_USER=bench
export UNYO_TEST_STORE=1
. "$here/../lib/sshd.sh"
sock="unyo-bench-round-$$"
cleanup() {
    tmux -L "$sock" kill-server >/dev/null 2>&1 || true
    sshd_cleanup
}
trap cleanup EXIT
sshd_env_init
sshd_start a
sshd_add_user unyobench "$(head -c 12 /dev/urandom | base64)"
export SSHD_USER=unyobench
for i in $(seq 1 "$hosts"); do sshd_alias "r$i" a; done
db=$T/unyo.db
export XDG_CONFIG_HOME=$HOME/.config
"$bin" init --db "$db" >/dev/null
"$bin" operator add bench --role operator --db "$db" >/dev/null
"$bin" host import-ssh-config --db "$db" >/dev/null
mkdir -p "$XDG_CONFIG_HOME/unyo/checks"
for c in 1 2 3 4 5 6 7 8; do
    printf '[c%d]\ntemplate = L025\ninterval = 1h\ncommand = echo use=%d\npattern = use=(?<use>\\d+)\ncondition = use < 80\nvalue = use\n\n' "$c" "$c"
done >"$XDG_CONFIG_HOME/unyo/checks/round.ini"
tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 -e HOME="$HOME" -e LANG=C.UTF-8 \
    -e LC_ALL=C.UTF-8 -e UNYO_USER=bench -e UNYO_TEST_STORE=1 -e UNYO_DATADIR="$UNYO_DATADIR" \
    -e XDG_CONFIG_HOME="$XDG_CONFIG_HOME" -e TERM=screen-256color

q() { printf '%q' "$1"; }
run() { # schedule (on|off) -> the result line
    local f=$T/typing.$1
    rm -f "$f" "$f.done"
    printf '[checks]\nschedule = %s\n' "$1" >"$XDG_CONFIG_HOME/unyo/config.ini"
    tmux -L "$sock" new-window -d "$(q "$bin") --db $(q "$db") --pane hosts --bench-typing-round $keys 2>$(q "$f"); echo done >$(q "$f.done")"
    local deadline=$((SECONDS + 600))
    while [ ! -s "$f.done" ]; do
        ((SECONDS < deadline)) || {
            echo "timed out (schedule $1)" >&2
            return 1
        }
        sleep 0.2
    done
    grep bench-typing-round "$f" || {
        cat "$f" >&2
        return 1
    }
}
echo "typing in the Hosts pane, $keys keys 20 ms apart, 120x40 tmux, $(nproc) CPUs:"
echo "  during a round over $hosts hosts x 8 checks: $(run on)"
echo "  reference, no round:                  $(run off)"
echo "  target: p95 <= 5 ms during the round"
