#!/usr/bin/env bash
# Consoles pane: password authentication asks in the pane with echo off; a
# wrong answer asks again; the password is never on screen, in the recording
# or in the store. Everything unyo writes to the terminal is kept (tmux
# pipe-pane), so "never on screen" holds for every moment, not only the last.
set -u
UNYO=${1:?usage: $0 PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null ||
    ! command -v sqlite3 >/dev/null; then
    echo "SKIP: needs root, OpenSSH sshd, tmux and sqlite3"
    exit 77
fi
. "$LIB/tmux.sh"
t_init "$UNYO"
. "$LIB/sshd.sh"
sshd_env_init
trap 'sshd_cleanup; t_cleanup' EXIT
pw="Con-pw-$RANDOM-$RANDOM-x"
tail=${pw:3} # what would reach the remote shell if the prompt lost the first key
sshd_add_user unyocon "$pw"
sshd_start pw "PasswordAuthentication yes"
SSHD_USER=unyocon sshd_alias pwhost pw "IdentitiesOnly yes" "IdentityFile $T/none"

t_start 100 30 --pane consoles
t_tmux pipe-pane -t 0 -o "cat >>$(printf '%q' "$T_DIR/pane.out")"
t_keys o
t_wait "Host (inventory name"
t_type pwhost
t_keys Enter
t_wait "unyocon@pwhost's password:"
t_wait "Typing is not shown"
t_type "wrong-$RANDOM"
t_keys Enter
# The first prompt stays on screen until unyo has read Enter: wait for the
# refusal, which only the second prompt carries, before typing again (keys
# typed before a prompt are dropped, as OpenSSH's are).
t_wait "authentication failed"
t_wait "unyocon@pwhost's password:"
t_wait "Typing is not shown"
t_ok "password asked in the pane; a wrong one asks again"
t_type "$pw"
t_keys Enter
# The prompt goes once unyo has read Enter, so every key before it too.
t_wait_gone "Typing is not shown"
t_wait_gone "(password?)"
t_assert_not "$tail"
t_type "id -un; echo logged-in-\$((6000+1))"
t_keys Enter
t_wait "logged-in-6001"
t_wait "unyocon"
t_assert_not "$tail"
t_ok "the right password connects; it is never on screen"
t_type "exit"
t_keys Enter
t_wait "(exited 0)"
t_keys Enter
t_wait "No console sessions."
t_keys q
t_wait_exit
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM ssh_sessions WHERE host_name = 'pwhost'")
[ "$n" = 1 ] || t_fail "session not recorded ($n)"
grep -rqF -- "$tail" "$T_DB" "$T_DB"-wal 2>/dev/null && t_fail "the password is in the store"
[[ -s $T_DIR/pane.out ]] || t_fail "nothing recorded of the terminal output"
grep -qF -- "$tail" "$T_DIR/pane.out" && t_fail "the password was on screen at some moment"
t_ok "session recorded; the password is not in the store, nor ever on screen"
