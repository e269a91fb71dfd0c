#!/usr/bin/env bash
# `unyo session open` on a PTY shell: output recorded as asciicast v2 in
# ssh_sessions (who, host, start, end, exit), input typed with echo off never
# in the record, `session list` and `session export`.
set -u
UNYO=${1:?usage: test_ssh_session.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
trap sshd_cleanup EXIT
sshd_env_init
export UNYO_USER=tester
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$(dirname "$0")/../../data" && pwd)}
FAILS=0
ok() { echo "ok - $*"; }
bad() {
    echo "FAIL - $*"
    FAILS=$((FAILS + 1))
}
DB=$T/unyo.db
sshd_start a
sshd_alias srv1 a
"$UNYO" init --db "$DB" >/dev/null
"$UNYO" operator add tester --role operator --db "$DB" >/dev/null
"$UNYO" host import-ssh-config --db "$DB" >/dev/null

# Each line is typed once the remote side is ready for it: the shell has run
# the previous line (a marker it prints, computed so that the echo of the
# typed line cannot match), and the terminal's echo is off before the secret.
screen_has() { grep -qF -- "$1" "$T/screen" 2>/dev/null; }
{
    echo 'stty -echo; echo "echo-off-$((20+3))"; read secret; stty echo; echo "length=${#secret}"'
    wait_for 120 screen_has "echo-off-23" || echo "the shell never turned echo off" >"$T/feed-err"
    echo 'topsecret-value'
    wait_for 120 screen_has "length=15" || echo "the shell never read the secret" >>"$T/feed-err"
    echo 'printf "\343\201\202 wide\n"; echo sum=$((40+2))'
    wait_for 120 screen_has "sum=42" || echo "no sum=42" >>"$T/feed-err"
    echo 'exit 7'
} | timeout 300 "$UNYO" session open --save-screen "$T/model" srv1 --db "$DB" >"$T/screen" 2>"$T/err"
rc=$?
[ -s "$T/feed-err" ] && { bad "remote side not ready: $(cat "$T/feed-err")"; cat "$T/screen"; }
[ "$rc" = 7 ] && ok "session: exit status of the shell" || { bad "session rc=$rc"; cat "$T/err"; }
grep -q "sum=42" "$T/screen" && ok "session: output shown" || bad "session output"
grep -q "^sum=42$" "$T/model" && grep -q "^あ wide$" "$T/model" && ok "screen model (libvterm) holds the output" ||
    { bad "screen model"; cat "$T/model"; }
grep -q "topsecret" "$T/model" && bad "screen shows echo-off input" || ok "screen: echo-off input not shown"
id=$(sqlite3 "$DB" "SELECT id FROM ssh_sessions")
[ -n "$id" ] && ok "session row" || bad "no session row"
"$UNYO" session list --db "$DB" >"$T/list"
grep -q "srv1 *tester .* 7 *exit" "$T/list" && ok "session list: host, operator, exit" || { bad "list"; cat "$T/list"; }
"$UNYO" session export "$id" --db "$DB" >"$T/s.cast"
python3 - "$T/s.cast" >"$T/py" 2>&1 <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = json.loads(lines[0])
assert h["version"] == 2 and h["width"] > 0 and h["height"] > 0 and h["timestamp"] > 0, h
assert h["env"]["TERM"] == "xterm-256color"
ev = [json.loads(l) for l in lines[1:]]
assert all(e[1] in ("o", "r") for e in ev)
assert all(ev[i][0] <= ev[i + 1][0] for i in range(len(ev) - 1)), "time goes forward"
out = "".join(e[2] for e in ev if e[1] == "o")
assert "sum=42" in out
assert "\u3042 wide" in out
assert "length=15" in out
assert "topsecret" not in out, "input typed with echo off was recorded"
print("cast ok", len(ev), "events")
PY
[ $? = 0 ] && ok "export: valid asciicast v2, echo-off input absent ($(cat "$T/py"))" || { bad "cast"; cat "$T/py"; }
sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action LIKE 'session.%'" | grep -q '^2$' && ok "session audited" || bad "audit"

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
