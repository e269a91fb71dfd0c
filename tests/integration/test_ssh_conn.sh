#!/usr/bin/env bash
# SSH connections against real OpenSSH servers on 127.0.0.1: key, agent and
# password authentication, host keys (unknown, changed), refused / silent
# ports, a connection killed mid-command, a 50 MB burst, ProxyJump, RSA keys.
set -u
UNYO=${1:?usage: test_ssh_conn.sh PATH/TO/unyo}
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

sshd_start a
sshd_alias ap1 a

# 1. Key authentication (IdentityFile default ~/.ssh/id_ed25519), stdout, stderr, status.
out=$("$UNYO" host exec ap1 'echo hello; echo oops >&2; exit 3' 2>"$T/err")
rc=$?
[ "$out" = hello ] && ok "key auth: stdout" || bad "key auth: stdout '$out'"
[ "$rc" = 3 ] && ok "key auth: exit status" || bad "key auth: exit status $rc"
expect_in "$T/err" oops "key auth: stderr"

# 2. Agent authentication: a key only the agent holds.
ssh-keygen -q -t ed25519 -N '' -C agent-key -f "$T/agent_key"
cat "$T/agent_key.pub" >>"$T/authorized_keys"
agent_start
ssh-add -q "$T/agent_key" 2>/dev/null
sshd_alias agent1 a "IdentityFile $T/none"
out=$("$UNYO" host exec agent1 'echo via-agent' 2>"$T/err")
[ "$out" = via-agent ] && ok "agent auth" || { bad "agent auth: $out"; cat "$T/err"; }
agentfp=$(ssh-keygen -lf "$T/agent_key.pub" | awk '{print $2}')
wait_for 30 grep -qF -- "$agentfp" "$(sshd_log a)" # sshd may log a moment after the session
expect_in "$(sshd_log a)" "$agentfp" "agent auth: sshd accepted the agent's key"
unset SSH_AUTH_SOCK

# 3. Password authentication, and a wrong password.
sshd_add_user unyopw 'S3cret-pw!'
sshd_start pw "PasswordAuthentication yes"
SSHD_USER=unyopw sshd_alias pw1 pw "IdentitiesOnly yes" "IdentityFile $T/none"
out=$(echo 'S3cret-pw!' | "$UNYO" host exec pw1 'id -un' 2>"$T/err")
[ "$out" = unyopw ] && ok "password auth" || { bad "password auth: '$out'"; cat "$T/err"; }
echo 'wrong' | "$UNYO" host exec pw1 'id -un' >/dev/null 2>"$T/err"
rc=$?
[ "$rc" != 0 ] && ok "wrong password fails" || bad "wrong password accepted"
expect_in "$T/err" "authentication failed" "wrong password: says authentication failed"
expect_in "$T/err" "unyopw@pw1" "wrong password: names user and host"
if grep -q 'S3cret\|wrong' "$T/err"; then bad "password echoed in the message"; else ok "password not in message"; fi

# 3b. Keyboard-interactive (PAM), the prompt answered from stdin.
sshd_add_user unyokbd 'Kbd-pass1'
sshd_start kbd "UsePAM yes" "KbdInteractiveAuthentication yes" "PasswordAuthentication no"
SSHD_USER=unyokbd sshd_alias kb1 kbd "IdentitiesOnly yes" "IdentityFile $T/none"
out=$(echo 'Kbd-pass1' | "$UNYO" host exec kb1 'id -un' 2>"$T/err")
[ "$out" = unyokbd ] && ok "keyboard-interactive auth" || { bad "keyboard-interactive: '$out'"; cat "$T/err"; }
echo 'nope' | "$UNYO" host exec kb1 'id -un' >/dev/null 2>"$T/err"
expect_in "$T/err" "tried: keyboard-interactive" "keyboard-interactive: wrong answer named"

# 4. Unknown host key: refused without a terminal, shown as OpenSSH does; then trusted.
SSHD_NO_KNOWN=1 sshd_start c
sshd_alias new1 c
fp=$(ssh-keygen -lf "$(sshd_hostkey_pub c)" | awk '{print $2}')
"$UNYO" host exec new1 true </dev/null 2>"$T/err"
[ $? != 0 ] && ok "unknown key: refused when nobody can confirm" || bad "unknown key accepted"
expect_in "$T/err" "$fp" "unknown key: SHA256 fingerprint like ssh-keygen -l"
"$UNYO" host trust --yes new1 >"$T/out" 2>&1
expect_in "$T/out" "$fp" "trust: prints the fingerprint"
grep -q "^\[127.0.0.1\]:$PORT_c " "$HOME/.ssh/known_hosts" && ok "trust: appended to known_hosts" ||
    bad "trust: known_hosts not updated"
ssh-keygen -F "[127.0.0.1]:$PORT_c" -f "$HOME/.ssh/known_hosts" >/dev/null && ok "trust: ssh-keygen -F finds it" ||
    bad "trust: entry unreadable by OpenSSH"
out=$("$UNYO" host exec new1 'echo known' </dev/null 2>&1)
[ "$out" = known ] && ok "unknown key: works once trusted" || bad "after trust: $out"

# Hashed known_hosts entries are matched too.
SSHD_NO_KNOWN=1 sshd_start h
sshd_alias hashed1 h
echo "[127.0.0.1]:$PORT_h $(cut -d' ' -f1,2 "$(sshd_hostkey_pub h)")" >"$T/kh_plain"
ssh-keygen -H -f "$T/kh_plain" >/dev/null 2>&1
cat "$T/kh_plain" >>"$HOME/.ssh/known_hosts"
grep -q '^|1|' "$T/kh_plain" && ok "hashed entry made" || bad "ssh-keygen -H did not hash"
out=$("$UNYO" host exec hashed1 'echo hashed' </dev/null 2>&1)
[ "$out" = hashed ] && ok "hashed known_hosts entry matches" || bad "hashed: $out"

# 5. Changed host key: refused, both fingerprints and FILE:LINE, nothing sent.
SSHD_NO_KNOWN=1 sshd_start d
sshd_alias changed1 d
ssh-keygen -q -t ed25519 -N '' -f "$T/other_hostkey"
echo "# a comment line" >>"$HOME/.ssh/known_hosts"
echo "[127.0.0.1]:$PORT_d $(cut -d' ' -f1,2 "$T/other_hostkey.pub")" >>"$HOME/.ssh/known_hosts"
line=$(grep -n "^\[127.0.0.1\]:$PORT_d " "$HOME/.ssh/known_hosts" | cut -d: -f1)
newfp=$(ssh-keygen -lf "$(sshd_hostkey_pub d)" | awk '{print $2}')
oldfp=$(ssh-keygen -lf "$T/other_hostkey.pub" | awk '{print $2}')
"$UNYO" host exec --accept-new changed1 true </dev/null 2>"$T/err"
[ $? != 0 ] && ok "changed key: refused (even with --accept-new)" || bad "changed key accepted"
expect_in "$T/err" "HOST KEY CHANGED" "changed key: says so"
expect_in "$T/err" "$newfp" "changed key: new fingerprint"
expect_in "$T/err" "$oldfp" "changed key: old fingerprint"
expect_in "$T/err" "known_hosts:$line" "changed key: known_hosts FILE:LINE"
# Once sshd has logged the end of the connection, it would have logged any
# authentication attempt too.
wait_for 30 grep -q "Connection closed\|Disconnected\|Connection reset" "$(sshd_log d)"
if grep -Eqi 'userauth|Accepted|Failed (publickey|password)|Postponed' "$(sshd_log d)"; then
    bad "changed key: sshd saw an authentication attempt"
    cat "$(sshd_log d)"
else
    ok "changed key: no credentials reached sshd"
fi

# 6. Closed port: refused, at once.
cport=$(free_port)
cat >>"$HOME/.ssh/config" <<EOF
Host closed1
  HostName 127.0.0.1
  Port $cport
  User root
EOF
"$UNYO" host exec closed1 true 2>"$T/err"
expect_in "$T/err" "connection refused" "closed port: refused"

# 7. A port that accepts but never speaks: times out after ConnectTimeout.
bport=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $bport)); s.listen(64); time.sleep(900)" &
BH=$!
# until it listens (python may start slowly under load)
wait_for 60 eval "(exec 3<>/dev/tcp/127.0.0.1/$bport) 2>/dev/null" || bad "the silent listener did not start"
cat >>"$HOME/.ssh/config" <<EOF
Host silent1
  HostName 127.0.0.1
  Port $bport
  User root
  ConnectTimeout 2
EOF
"$UNYO" host exec silent1 true 2>"$T/err"
rc=$?
[ "$rc" != 0 ] && ok "silent port: fails" || bad "silent port: rc 0"
expect_in "$T/err" "no SSH greeting" "silent port: timeout names the phase"
# It gave up on the configured ConnectTimeout, not on a default (how long that
# took is the machine's business, not this test's).
expect_in "$T/err" "within 2 s" "silent port: the ConnectTimeout of ssh_config applied"
kill "$BH" 2>/dev/null
wait "$BH" 2>/dev/null

# 8. Connection killed mid-command.
# (a sleep of a length no other test or earlier run uses: pgrep finds this one)
nap="1234.$$"
"$UNYO" host exec ap1 "sleep $nap" 2>"$T/err" &
EX=$!
wait_for 120 pgrep -u "$SSHD_TEST_USER" -f "sleep $nap" >/dev/null || bad "the remote command did not start"
# Every process of the connection goes (the monitor and, for a non-root login,
# the unprivileged child that holds the socket), as when the server dies: killing
# only the monitor leaves the child to notice in its own time.
descendants() { local c; for c in $(pgrep -P "$1"); do descendants "$c"; echo "$c"; done; }
kill -KILL $(descendants "$PID_a") 2>/dev/null
wait_for 120 eval '! kill -0 $EX 2>/dev/null' && ok "killed session: noticed (the command had 20 min to go)" ||
    { bad "killed session: not noticed"; kill "$EX"; }
wait "$EX"
rc=$?
[ "$rc" != 0 ] && ok "killed session: fails" || bad "killed session: rc 0"
grep -qi "lost\|closed\|disconnect\|signal" "$T/err" && ok "killed session: says why ($(head -c 120 "$T/err"))" ||
    { bad "killed session message"; cat "$T/err"; }

# 9. A 50 MB burst of output.
n=$("$UNYO" host exec --max-output 60000000 ap1 'head -c 52428800 /dev/zero' | wc -c)
[ "$n" = 52428800 ] && ok "50 MB burst: all bytes" || bad "50 MB burst: $n bytes"
n=$("$UNYO" host exec --max-output 1000 ap1 'head -c 52428800 /dev/zero' 2>"$T/err" | wc -c)
[ "$n" = 1000 ] && ok "output cap: cut at 1000 bytes" || bad "output cap: $n"
expect_in "$T/err" "cut at" "output cap: says so"

# 10. ProxyJump through a bastion (in-process, direct-tcpip).
sshd_start bastion
sshd_start inner
sshd_alias gw bastion
sshd_alias inner1 inner "ProxyJump gw"
out=$("$UNYO" host exec inner1 'echo through-the-bastion' 2>"$T/err")
[ "$out" = through-the-bastion ] && ok "ProxyJump" || { bad "ProxyJump: $out"; cat "$T/err"; }
wait_for 30 grep -q "Accepted publickey" "$(sshd_log bastion)"
grep -q "Accepted publickey" "$(sshd_log bastion)" && ok "ProxyJump: bastion authenticated us" ||
    bad "ProxyJump: bastion not used"
# Agent authentication through the jump (agent I/O passes the send/recv callbacks).
export SSH_AUTH_SOCK="$T/agent.sock"
sshd_alias gwa bastion "IdentityFile $T/none"
sshd_alias inner4 inner "ProxyJump gwa" "IdentityFile $T/none"
out=$("$UNYO" host exec inner4 'echo agent-jump' 2>"$T/err")
[ "$out" = agent-jump ] && ok "ProxyJump with agent keys on both hops" || { bad "agent+jump: $out"; cat "$T/err"; }
unset SSH_AUTH_SOCK
sshd_start bastion2
sshd_alias gw2 bastion2
sshd_alias inner3 inner "ProxyJump gw,gw2"
out=$("$UNYO" host exec inner3 'echo two-hops' 2>"$T/err")
[ "$out" = two-hops ] && ok "ProxyJump with two hops" || { bad "two hops: $out"; cat "$T/err"; }
wait_for 30 grep -q "Accepted publickey" "$(sshd_log bastion2)"
grep -q "Accepted publickey" "$(sshd_log bastion2)" && ok "two hops: second bastion used" || bad "two hops: bastion2 unused"
sshd_alias inner2 inner "ProxyJump root@127.0.0.1:$cport"
"$UNYO" host exec inner2 true 2>"$T/err"
expect_in "$T/err" "jump host" "ProxyJump: a dead bastion is named"

# 11. RSA keys: the clear message about libssh2 #634.
ssh-keygen -q -t rsa -b 2048 -N '' -f "$T/rsa_key"
cat "$T/rsa_key.pub" >>"$T/authorized_keys"
sshd_alias rsa1 a "IdentitiesOnly yes" "IdentityFile $T/rsa_key"
"$UNYO" host exec rsa1 true </dev/null 2>"$T/err"
if [ $? = 0 ]; then
    ok "RSA key accepted (this libssh2 signs with rsa-sha2)"
else
    expect_in "$T/err" "#634" "RSA key: names libssh2 #634"
    expect_in "$T/err" "ed25519" "RSA key: says to use ed25519"
fi

# 12. Passphrase-protected key, answer from stdin.
ssh-keygen -q -t ed25519 -N 'pass phrase' -f "$T/enc_key"
cat "$T/enc_key.pub" >>"$T/authorized_keys"
sshd_alias enc1 a "IdentitiesOnly yes" "IdentityFile $T/enc_key"
out=$(echo 'pass phrase' | "$UNYO" host exec enc1 'echo unlocked' 2>"$T/err")
[ "$out" = unlocked ] && ok "passphrase-protected key" || { bad "passphrase key: $out"; cat "$T/err"; }

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
