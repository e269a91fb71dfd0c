#!/usr/bin/env bash
# Host keys of another type, as OpenSSH treats them: a host known_hosts holds
# under one key type that now offers only another is refused as a changed key
# (also with --accept-new; nothing is added, no credential is sent), and a
# server holding both keys is asked for the type already trusted.
set -u
UNYO=${1:?usage: test_ssh_hostkey_types.sh PATH/TO/unyo}
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
KH=$HOME/.ssh/known_hosts

# A server whose ED25519 key is trusted (sshd_start adds it to known_hosts)
# but that now offers only an ECDSA key.
ssh-keygen -q -t ecdsa -N '' -f "$T/host_ecdsa"
sshd_start eco "HostKey $T/host_ecdsa" "HostKeyAlgorithms ecdsa-sha2-nistp256"
sshd_alias eco1 eco
ecfp=$(ssh-keygen -lf "$T/host_ecdsa.pub" | awk '{print $2}')
before=$(cat "$KH")

"$UNYO" host exec --accept-new eco1 'echo got-in' </dev/null >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" != 0 ] && ok "another key type: refused with --accept-new" || bad "another key type accepted (rc 0)"
grep -q got-in "$T/out" && bad "the command ran" || ok "another key type: the command never ran"
expect_in "$T/err" "HOST KEY CHANGED" "another key type: reported as a changed key"
expect_in "$T/err" "ED25519" "another key type: names the type known_hosts holds"
expect_in "$T/err" "$ecfp" "another key type: shows the offered key's fingerprint"
[ "$(cat "$KH")" = "$before" ] && ok "another key type: known_hosts untouched" ||
    { bad "known_hosts changed:"; cat "$KH"; }
"$UNYO" host exec eco1 true </dev/null >/dev/null 2>"$T/err2"
expect_in "$T/err2" "HOST KEY CHANGED" "another key type: refused without --accept-new too"
# No credential went to the server: it never saw an authentication attempt.
# (Wait until sshd has logged the end of both connections, before auth.)
deadline=$((SECONDS + 30))
while ((SECONDS < deadline)) && [ "$(grep -c 'preauth' "$(sshd_log eco)")" -lt 2 ]; do sleep 0.1; done
if grep -qE "Accepted|Failed|Postponed|userauth" "$(sshd_log eco)"; then
    bad "the server saw an authentication attempt:"
    grep -E "Accepted|Failed|Postponed|userauth" "$(sshd_log eco)" | head -5
else
    ok "another key type: nothing sent before the refusal"
fi

# A server holding both keys, ED25519 trusted: the trusted type is asked for,
# so the host is not shown as unknown (libssh2 alone would take ECDSA first).
sshd_start both "HostKey $T/host_ecdsa"
sshd_alias both1 both
out=$("$UNYO" host exec both1 'echo both-ok' </dev/null 2>"$T/err")
[ "$out" = both-ok ] && ok "both keys, ED25519 trusted: connects without a question" ||
    { bad "both keys: '$out'"; cat "$T/err"; }

# The same with only the ECDSA key trusted (hashed entry, as HashKnownHosts
# writes it): ECDSA is asked for.
sed -i "/^\[127.0.0.1\]:$PORT_both /d" "$KH"
echo "[127.0.0.1]:$PORT_both $(cut -d' ' -f1,2 "$T/host_ecdsa.pub")" >>"$KH"
ssh-keygen -q -H -f "$KH" >/dev/null 2>&1
rm -f "$KH.old"
out=$("$UNYO" host exec both1 'echo ecdsa-ok' </dev/null 2>"$T/err")
[ "$out" = ecdsa-ok ] && ok "both keys, only ECDSA trusted (hashed): connects" ||
    { bad "both keys, ECDSA trusted: '$out'"; cat "$T/err"; }

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
