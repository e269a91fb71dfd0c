#!/usr/bin/env bash
# ssh_config's authentication options are honoured as OpenSSH honours them:
# PubkeyAuthentication no (no key, no agent offered), PasswordAuthentication
# no, PreferredAuthentications. Checked on the server side (sshd's log).
# ctest-resource-lock: system-users
set -u
UNYO=${1:?usage: test_ssh_auth_config.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
trap sshd_cleanup EXIT
sshd_env_init
export UNYO_USER=tester
FAILS=0
ok() { echo "ok - $*"; }
bad() {
    echo "FAIL - $*"
    FAILS=$((FAILS + 1))
}
expect_in() { # expect_in FILE TEXT DESCRIPTION
    if grep -qF -- "$2" "$1"; then ok "$3"; else
        bad "$3 (no '$2' in:)"
        sed 's/^/    /' "$1" | head -20
    fi
}
# Waits until sshd has logged the end of the n-th connection (the log is
# written by sshd's own processes, after the client is gone).
log_settled() { # NAME COUNT
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)) && [ "$(grep -c 'Connection closed\|Disconnected from\|session closed' "$(sshd_log "$1")")" -lt "$2" ]; do
        sleep 0.1
    done
}

user=unyoauthcfg
pw="Auth-cfg-$RANDOM-pw"
sshd_add_user "$user" "$pw"
# The server takes both the key (~/.ssh/id_ed25519 is in authorized_keys) and
# the password.
sshd_start both "PasswordAuthentication yes"
LOG=$(sshd_log both)

# Baseline: the key is used.
SSHD_USER=$user sshd_alias withkey both
out=$("$UNYO" host exec withkey 'id -un' </dev/null 2>"$T/err")
[ "$out" = "$user" ] && ok "baseline: key login" || { bad "baseline: '$out'"; cat "$T/err"; }
log_settled both 1
expect_in "$LOG" "Accepted publickey for $user" "baseline: the server saw the key"

# 1. PubkeyAuthentication no: the key (and an agent) are never offered; the
# password is asked and used.
: >"$LOG"
agent_start
ssh-add -q "$HOME/.ssh/id_ed25519" 2>/dev/null
SSHD_USER=$user sshd_alias nopubkey both "PubkeyAuthentication no"
out=$(echo "$pw" | "$UNYO" host exec nopubkey 'id -un' 2>"$T/err")
[ "$out" = "$user" ] && ok "PubkeyAuthentication no: password login" || { bad "no pubkey: '$out'"; cat "$T/err"; }
log_settled both 1
expect_in "$LOG" "Accepted password for $user" "PubkeyAuthentication no: logged in by password"
if grep -q "publickey" "$LOG"; then
    bad "PubkeyAuthentication no: a key was offered:"
    grep publickey "$LOG" | head -3
else
    ok "PubkeyAuthentication no: no key offered (not even the agent's)"
fi
unset SSH_AUTH_SOCK

# 2. PreferredAuthentications password: the same, through the other option.
: >"$LOG"
SSHD_USER=$user sshd_alias prefpw both "PreferredAuthentications password"
out=$(echo "$pw" | "$UNYO" host exec prefpw 'id -un' 2>"$T/err")
[ "$out" = "$user" ] && ok "PreferredAuthentications password: login" || { bad "pref: '$out'"; cat "$T/err"; }
log_settled both 1
grep -q "publickey" "$LOG" && bad "PreferredAuthentications password: a key was offered" ||
    ok "PreferredAuthentications password: no key offered"

# 3. PasswordAuthentication no and no usable key: fails without asking or
# sending a password, and says why.
: >"$LOG"
SSHD_USER=$user sshd_alias nopw both "PasswordAuthentication no" "IdentitiesOnly yes" "IdentityFile $T/none"
echo "$pw" | "$UNYO" host exec nopw 'id -un' >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" != 0 ] && ok "PasswordAuthentication no: no login without a key" || bad "PasswordAuthentication no: logged in"
expect_in "$T/err" "ssh_config leaves none of them usable" "PasswordAuthentication no: says the configuration forbids it"
grep -q "password:" "$T/err" && bad "PasswordAuthentication no: a password was asked" ||
    ok "PasswordAuthentication no: no password asked"
log_settled both 1
grep -q "password for" "$LOG" && bad "PasswordAuthentication no: a password reached the server" ||
    ok "PasswordAuthentication no: nothing sent"

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
