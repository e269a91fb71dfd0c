#!/usr/bin/env bash
# Recordings you can search and trust, against the loopback sshd: secrets printed in
# a session are redacted before they reach the recording and the search index (the
# rule's mark stays); a word shown only by `less` (a full-screen program, on the
# alternate screen) is found by `unyo session search`, at its moment; the search's
# filters and --json; a redaction rule that does not compile refuses the session.
set -u
UNYO=${1:?usage: test_session_search.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v less >/dev/null; then
    echo "SKIP: needs root, OpenSSH sshd and less"
    exit 77
fi
source "$LIB/sshd.sh"
trap sshd_cleanup EXIT
sshd_env_init
export UNYO_USER=tester
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$(dirname "$0")/../../data" && pwd)}
export XDG_CONFIG_HOME=$T/cfg
mkdir -p "$XDG_CONFIG_HOME/unyo"
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

# The secrets are put together by the remote shell, so the echo of the typed line
# does not hold them: only the output does.
screen_has() { grep -qF -- "$1" "$T/screen" 2>/dev/null; }
{
    echo "printf 'quokka-%s\n' 777 >/tmp/unyo-search-\$\$.txt; echo ready-\$((40+1))"
    wait_for 120 screen_has "ready-41" || echo "no ready-41" >"$T/feed-err"
    echo "printf 'db_pass''word=%s\n' hunter'2X'; printf 'key AKIA%s\n' IOSFODNN7EXAMPLE"
    echo "printf -- '-----BEGIN %s-----\nMIIE%sbody\n-----END %s-----\n' 'RSA PRIVATE KEY' s3cr3t 'RSA PRIVATE KEY'"
    echo "echo printed-\$((50+2))"
    wait_for 120 screen_has "printed-52" || echo "no printed-52" >>"$T/feed-err"
    echo "less /tmp/unyo-search-\$\$.txt"
    wait_for 120 screen_has "quokka-777" || echo "less never showed the file" >>"$T/feed-err"
    printf q
    echo "rm -f /tmp/unyo-search-\$\$.txt; echo done-\$((60+3))"
    wait_for 120 screen_has "done-63" || echo "no done-63" >>"$T/feed-err"
    echo 'exit 0'
} | TERM=xterm-256color timeout 300 "$UNYO" session open srv1 --db "$DB" >"$T/screen" 2>"$T/err"
rc=$?
[ -s "$T/feed-err" ] && { bad "remote side not ready: $(cat "$T/feed-err")"; cat "$T/err"; }
[ "$rc" = 0 ] && ok "session ran" || { bad "session rc=$rc"; cat "$T/err"; }
grep -q "hunter2X" "$T/screen" && ok "the operator saw the output as it was" || bad "screen"
id=$(sqlite3 "$DB" "SELECT id FROM ssh_sessions")
"$UNYO" session export "$id" --db "$DB" >"$T/s.cast"

# Redaction: not in the recording, not in the index; the marks are.
for s in hunter2X AKIAIOSFODNN7EXAMPLE MIIEs3cr3tbody; do
    grep -q "$s" "$T/s.cast" && bad "recording holds $s" || ok "recording: $s redacted"
    sqlite3 "$DB" "SELECT line FROM local_session_fts" | grep -q "$s" && bad "index holds $s" ||
        ok "index: $s absent"
done
for m in "db_password=[redacted:password]" "key [redacted:aws-access-key]" "[redacted:private-key]"; do
    grep -qF "$m" "$T/s.cast" && ok "recording marks $m" || bad "no $m in the recording"
done
"$UNYO" session search "redacted:private-key" --db "$DB" >"$T/red" 2>&1
grep -qF "[redacted:private-key]" "$T/red" && ok "search finds the mark" || { bad "mark search"; cat "$T/red"; }
"$UNYO" session search hunter2X --db "$DB" >"$T/none" 2>&1
[ ! -s "$T/none" ] || ! grep -q hunter2X "$T/none" && ok "search: the secret is not found" ||
    { bad "secret found"; cat "$T/none"; }
sqlite3 "$DB" "SELECT detail FROM audit WHERE action = 'session.end'" | grep -q "redacted=password:1,private-key:1,aws-access-key:1" &&
    ok "audit names the rules, not the secrets" || { bad "audit"; sqlite3 "$DB" "SELECT detail FROM audit"; }

# The word less showed (only on its screen: the file was never printed).
grep -q "quokka-777" "$T/s.cast" && ok "the recording holds the pager's output" || bad "cast"
"$UNYO" session search quokka-777 --db "$DB" >"$T/found" 2>&1
grep -q "srv1 *tester .* quokka-777" "$T/found" && grep -q "${id:0:8}" "$T/found" &&
    ok "session search finds the word less showed: session, host, operator, line" ||
    { bad "search"; cat "$T/found"; }
"$UNYO" session search QUOKKA-777 --host srv1 --from 2000-01-01 --json --db "$DB" >"$T/found.json"
python3 - "$T/found.json" "$id" >"$T/py" 2>&1 <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 1, rows
r = rows[0]
assert r["session"] == sys.argv[2] and r["host"] == "srv1" and r["operator"] == "tester", r
assert r["line"] == "quokka-777", r
assert int(r["offset_ms"]) > 0, r
print("json ok", r["offset"])
PY
[ $? = 0 ] && ok "search --json: $(cat "$T/py")" || { bad "json"; cat "$T/py"; }
"$UNYO" session search quokka-777 --host srv2 --db "$DB" >"$T/other"
grep -q quokka "$T/other" && bad "--host srv2 found srv1's line" || ok "search --host filters"
"$UNYO" session search quokka-777 --from 2099-01-01 --db "$DB" >"$T/later"
grep -q quokka "$T/later" && bad "--from filters nothing" || ok "search --from filters"

# Lazily indexed: an index forgotten is built again by the next search or by index.
sqlite3 "$DB" "DELETE FROM local_session_fts; DELETE FROM local_session_indexed"
"$UNYO" session index --db "$DB" | grep -q "^1 " && ok "session index: 1 recording" || bad "index"
"$UNYO" session search quokka-777 --db "$DB" | grep -q quokka-777 && ok "found after reindex" || bad "reindex"

# A rule that does not compile: the session is refused with FILE:LINE, nothing recorded.
printf '[ok]\npattern = abc\n[broken]\npattern = (unclosed\n' >"$XDG_CONFIG_HOME/unyo/redact.ini"
echo 'exit 0' | timeout 120 "$UNYO" session open srv1 --db "$DB" >"$T/o2" 2>"$T/e2"
rc=$?
[ "$rc" != 0 ] && grep -q "redact.ini:4: rule \[broken\]" "$T/e2" && ok "bad rule refuses the session ($(head -1 "$T/e2"))" ||
    { bad "bad rule rc=$rc"; cat "$T/e2"; }
[ "$(sqlite3 "$DB" "SELECT count(*) FROM ssh_sessions")" = 1 ] && ok "no session recorded" || bad "recorded"
"$UNYO" session redact --check --db "$DB" >/dev/null 2>"$T/e3"
[ $? = 1 ] && grep -q "redact.ini:4:" "$T/e3" && ok "session redact --check names the line" || bad "check"

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
