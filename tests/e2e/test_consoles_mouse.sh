#!/usr/bin/env bash
# The mouse over an SSH session in the Consoles pane, against a real sshd on
# loopback: the real binary in tmux (TERM=screen-256color, so the outer
# terminal reports the mouse in X10 form, sent here as raw bytes with
# send-keys -H). A remote program that asks for the mouse records the bytes it
# reads: a click and the wheel arrive at the right cell in SGR 1006 form, a
# drag in X10 form; Shift+click and prefix m keep the mouse with the console
# (nothing reaches the program, the wheel scrolls back); tmux's pane flags
# show that motion is asked of the outer terminal only while the program
# wants drags. Once the program gives the mouse back, the wheel scrolls back.
set -u
UNYO=${1:?usage: $0 PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null; then
    echo "SKIP: needs root, OpenSSH sshd and tmux"
    exit 77
fi
. "$LIB/tmux.sh"
t_init "$UNYO"
. "$LIB/sshd.sh"
sshd_env_init
trap 'sshd_cleanup; t_cleanup' EXIT
sshd_start a
sshd_alias e2ehost a
UNYO_USER=$T_USER "$T_BIN" host import-ssh-config --db "$T_DB" >"$T_DIR/import.log" 2>&1 ||
    t_fail "host import-ssh-config: $(cat "$T_DIR/import.log")"
R=$((RANDOM % 1000))

# An X10 mouse report from the outer terminal at screen (y, x): code + 32,
# x + 33, y + 33.
mouse() { # CODE Y X
    # shellcheck disable=SC2046 # three bytes, three arguments
    t_keys -H 1b 5b 4d $(printf '%02x %02x %02x' $((32 + $1)) $((33 + $3)) $((33 + $2)))
}
flag() { t_tmux display-message -t 0 -p "#{$1}"; }
# Waits until the remote program wrote its file, then compares it.
expect_bytes() { # FILE WANT(printf format) WHAT
    # shellcheck disable=SC2059 # the wanted bytes are given as a printf format
    printf "$2" >"$T_DIR/want"
    cmp -s "$1" "$T_DIR/want" ||
        t_fail "$3: the program read $(od -c "$1" 2>/dev/null | head -3), want $(od -c "$T_DIR/want" | head -3)"
}

t_start 100 30 --pane consoles
t_wait "No console sessions."
t_keys o
t_type e2ehost
t_keys Enter
t_wait " 1:e2ehost"
t_wait_gone "(connecting)"
t_type "echo shell-\$((1000+$R))"
t_keys Enter
t_wait "shell-$((1000 + R))"

# Screen: row 0 the console's tabs, row 1 the session tabs, session row 0 on
# screen row 2. Session cell (row 3, col 5) is screen (5, 5).
t_type "clear; printf '\\033[?1000h\\033[?1006h'; stty raw -echo; echo ready-\$((2000+$R)); head -c 28 >$SSHD_SCRATCH/click.bin; stty sane; printf '\\033[?1006l\\033[?1000l'; echo done-\$((2000+$R))"
t_keys Enter
t_wait "ready-$((2000 + R))"
# (tmux 3.3 shows 1002 as mouse_button_flag; its mouse_any_flag is any mode.)
[ "$(flag mouse_button_flag)" = 0 ] ||
    t_fail "drags asked of the terminal for a program that wants clicks only"
# Shift+click: the console's; its release (X10 carries no Shift) is not passed.
mouse 4 5 5
mouse 3 5 5
# prefix m: the mouse is the console's (the wheel scrolls back), then again
# the program's. (ncurses 6.4 decodes an X10 Shift+wheel as a motion, so
# Shift alone cannot give the wheel to the console.)
t_keys C-] m
t_wait "mouse: the console's"
mouse 64 5 5
t_wait "k/j PgUp/PgDn"
t_keys q
t_wait_gone "k/j PgUp/PgDn"
t_keys C-] m
t_wait "mouse: to the program"
# A click (press, release) and the wheel up: to the program, SGR 1006.
mouse 0 5 5
mouse 3 5 5
mouse 64 5 5
t_wait "done-$((2000 + R))"
expect_bytes "$SSHD_SCRATCH/click.bin" '\033[<0;6;4M\033[<0;6;4m\033[<64;6;4M' "click and wheel"
t_ok "a click and the wheel reach the program at its cell (row 3, col 5) in SGR 1006 form; Shift+click and prefix m keep the mouse for the console"

# A program asking for drags (1002) in X10 form: press, move, release.
t_type "clear; printf '\\033[?1002h'; stty raw -echo; echo ready-\$((3000+$R)); head -c 18 >$SSHD_SCRATCH/drag.bin; stty sane; printf '\\033[?1002l'; echo done-\$((3000+$R))"
t_keys Enter
t_wait "ready-$((3000 + R))"
deadline=$((SECONDS + T_TIMEOUT))
until [ "$(flag mouse_button_flag)" = 1 ]; do
    ((SECONDS < deadline)) || t_fail "the terminal was not asked for drags (1002)"
    sleep 0.05
done
mouse 0 5 5
mouse 32 5 8
mouse 3 5 8
t_wait "done-$((3000 + R))"
expect_bytes "$SSHD_SCRATCH/drag.bin" '\033[M &$\033[M@)$\033[M#)$' "drag"
deadline=$((SECONDS + T_TIMEOUT))
until [ "$(flag mouse_button_flag)$(flag mouse_standard_flag)" = 01 ]; do
    ((SECONDS < deadline)) || t_fail "drag reporting left on after the program gave the mouse back"
    sleep 0.05
done
t_ok "a drag reaches the program in X10 form; motion is asked of the terminal only meanwhile"

# No program wants the mouse: the wheel is the console's scrollback again.
t_type "seq 1 100 | sed 's/^/sb-/'"
t_keys Enter
t_wait "sb-100"
mouse 64 5 5
t_wait "scroll 3/"
mouse 65 5 5
t_wait_gone "scroll "
t_ok "without a program asking, the wheel scrolls the session back and forth"

t_keys C-] c
t_wait "(y/n)"
t_keys y
t_wait "No console sessions."
t_keys q
t_wait_exit

# `unyo ssh HOST` full screen: the terminal's mouse is taken only while the
# program asks for it; session cell (row 3, col 5) is screen (3, 5).
t_start 90 25 ssh e2ehost
t_wait_gone "Connecting"
# the remote shell's prompt (bash --norc: "bash-5.x$ "): the session is up. The wait
# for "Connecting" to go returned before the console had drawn it, and the flag
# below was then read before unyo ssh had set up the terminal at all.
t_wait "bash-"
[ "$(flag mouse_standard_flag)" = 0 ] || t_fail "unyo ssh took the mouse with no program asking"
t_type "clear; printf '\\033[?1000h\\033[?1006h'; stty raw -echo; echo ready-\$((4000+$R)); head -c 18 >$SSHD_SCRATCH/full.bin; stty sane; printf '\\033[?1006l\\033[?1000l'; echo done-\$((4000+$R))"
t_keys Enter
t_wait "ready-$((4000 + R))"
deadline=$((SECONDS + T_TIMEOUT))
until [ "$(flag mouse_standard_flag)" = 1 ]; do
    ((SECONDS < deadline)) || t_fail "unyo ssh did not ask the terminal for the mouse"
    sleep 0.05
done
mouse 0 3 5
mouse 3 3 5
t_wait "done-$((4000 + R))"
expect_bytes "$SSHD_SCRATCH/full.bin" '\033[<0;6;4M\033[<0;6;4m' "unyo ssh click"
deadline=$((SECONDS + T_TIMEOUT))
until [ "$(flag mouse_standard_flag)" = 0 ]; do
    ((SECONDS < deadline)) || t_fail "unyo ssh kept the mouse after the program gave it back"
    sleep 0.05
done
t_type "exit"
t_keys Enter
t_wait_exit
t_ok "unyo ssh: a click reaches the program; the terminal's mouse is taken only meanwhile"
