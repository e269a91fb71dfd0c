#!/usr/bin/env bash
# `unyo ssh HOST` asks a password or a key's passphrase in its own screen:
# every key typed goes to the answer (the first one used to quit unyo and the
# rest of the password went to the remote shell), a wrong answer asks again,
# a key's passphrase is asked as such before any server password, and the
# secret is never on screen, in the remote shell's history or in the store.
# ctest-resource-lock: system-users
set -u
UNYO=${1:?usage: $0 PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null ||
    ! command -v sqlite3 >/dev/null || [ ! -x /bin/bash ]; then
    echo "SKIP: needs root, OpenSSH sshd, tmux, bash and sqlite3"
    exit 77
fi
. "$LIB/tmux.sh"
t_init "$UNYO"
. "$LIB/sshd.sh"
sshd_env_init
trap 'sshd_cleanup; t_cleanup' EXIT
T_TIMEOUT=30
pw="Typed-pw-$RANDOM-x"
pp="Key-pp-$RANDOM-y"
user=unyotyped
sshd_add_user "$user" "$pw"
# A home of its own with bash, so the remote shell keeps a history file.
uhome=$T/home-$user
mkdir -p "$uhome"
chown "$user" "$uhome"
usermod -s /bin/bash -d "$uhome" "$user"
printf 'HISTFILE=%s/.bash_history\nPS1="remote$ "\n' "$uhome" >"$uhome/.bashrc"
chown "$user" "$uhome/.bashrc"
sshd_start pw "PasswordAuthentication yes"
SSHD_USER=$user sshd_alias pwhost pw "IdentitiesOnly yes" "IdentityFile $T/none"
# A passphrase-protected key the server also accepts (next to passwords).
ssh-keygen -q -t ed25519 -N "$pp" -C typed-key -f "$T/pkey"
cat "$T/pkey.pub" >>"$T/authorized_keys"
SSHD_USER=$user sshd_alias pkhost pw "IdentitiesOnly yes" "IdentityFile $T/pkey"

# Types $1 one key at a time, as a person does.
type_slowly() {
    local s=$1 i
    for ((i = 0; i < ${#s}; i++)); do t_type "${s:i:1}"; done
}

# Runs a command in the remote shell once it is there and waits for its output.
remote_ready() {
    t_type 'echo READY-$((6*7))'
    t_keys Enter
    t_wait "READY-42"
}

check_clean() { # secret what
    t_assert_not "$1"
    grep -qF -- "$1" "$uhome/.bash_history" 2>/dev/null && t_fail "$2 in the remote shell's history"
    grep -qF -- "$1" "$T_DIR/stderr" 2>/dev/null && t_fail "$2 on unyo's stderr"
    grep -rqF -- "$1" "$T_DB" "$T_DB"-wal 2>/dev/null && t_fail "$2 in the store"
    return 0
}

# 1. Password: a wrong one typed key by key, then the right one.
t_start 100 30 ssh pwhost
t_wait "$user@pwhost's password:"
type_slowly "wrong-$RANDOM"
t_dead && t_fail "unyo quit while the password was typed"
t_keys Enter
t_wait "authentication failed"
t_wait "$user@pwhost's password:"
t_ok "a wrong password typed key by key asks again"
type_slowly "$pw"
t_dead && t_fail "unyo quit while the password was typed"
t_assert_not "$pw"
t_keys Enter
remote_ready
t_type 'exit'
t_keys Enter
t_wait_exit
grep -q "READY" "$uhome/.bash_history" || t_fail "the remote history was not written (the check below would be empty)"
check_clean "$pw" "the password"
grep -q "cancelled" "$T_DIR/stderr" && t_fail "the password question was cancelled"
t_ok "the password typed key by key opens the session; never on screen, in history or in the store"

# 2. A key with a passphrase, on a server that also takes passwords: the
# passphrase is asked (naming the key), never the server's password.
failed_before=$(grep -c "Failed password" "$(sshd_log pw)")
t_start 100 30 ssh pkhost
t_wait "Passphrase for $T/pkey"
t_assert_not "password:"
type_slowly "bad-$RANDOM"
t_keys Enter
t_wait "Wrong passphrase"
t_wait "Passphrase for $T/pkey"
t_assert_not "password:"
t_ok "the passphrase is asked as such, again when wrong, before any password"
type_slowly "$pp"
t_keys Enter
remote_ready
t_type 'exit'
t_keys Enter
t_wait_exit
grep -q "Accepted publickey for $user" "$(sshd_log pw)" || t_fail "the key did not log in: $(tail -5 "$(sshd_log pw)")"
[ "$(grep -c "Failed password" "$(sshd_log pw)")" = "$failed_before" ] ||
    t_fail "a password was sent to the server during the key login"
check_clean "$pp" "the passphrase"
t_ok "the key's passphrase logs in with the key; never on screen, in history or in the store"
