#!/usr/bin/env bash
# Consoles pane: password authentication asks in the pane with echo off; a
# wrong answer asks again; the password is never on screen, in the recording
# or in the store.
# ctest-resource-lock: system-users
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
T_TIMEOUT=15
pw="Con-pw-$RANDOM-x"
sshd_add_user unyocon "$pw"
sshd_start pw "PasswordAuthentication yes"
SSHD_USER=unyocon sshd_alias pwhost pw "IdentitiesOnly yes" "IdentityFile $T/none"

t_start 100 30 --pane consoles
t_keys o
t_wait "Host (inventory name"
t_type pwhost
t_keys Enter
t_wait "unyocon@pwhost's password:"
t_wait "Typing is not shown"
t_type "wrong-$RANDOM"
t_keys Enter
t_wait "unyocon@pwhost's password:"
t_ok "password asked in the pane; a wrong one asks again"
t_type "$pw"
t_wait_gone "NOTHING-TO-SEE" # let the keys land
t_assert_not "$pw"
t_keys Enter
t_wait_gone "(password?)"
t_wait_gone "Typing is not shown"
t_type "id -un"
t_keys Enter
t_wait "unyocon"
t_assert_not "$pw"
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
grep -rqF -- "$pw" "$T_DB" "$T_DB"-wal 2>/dev/null && t_fail "the password is in the store"
t_ok "session recorded; the password is not in the store"
