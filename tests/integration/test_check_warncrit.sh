#!/usr/bin/env bash
# Issue 15, two levels for a check, over real SSH (the test sshd): a check with
# warn = use > 80 and crit = use > 95.
#  - use=85: WARN (警告). Recorded as NG of level warn, no incident draft, shown as
#    such by check run (text, --json), check problems (--json, --csv) and the
#    checklist; counted apart from NG.
#  - acknowledged --until-worse at WARN: WARN again (even a worse value) keeps it;
#  - use=97: CRIT (異常). The acknowledgement ends (reason worse, audited) and the
#    CRIT opens its draft, as a new problem would.
set -u
UNYO=${1:?usage: test_check_warncrit.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
trap 'sshd_cleanup' EXIT
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
q() { sqlite3 "$DB" "$1"; }
u() { "$UNYO" --db "$DB" --lang en "$@"; }

sshd_start a
sshd_alias srv1 a
u init >/dev/null || bad "init"
u operator add tester --role operator >/dev/null || bad "operator add"
u host add srv1 --ssh-alias srv1 >/dev/null || bad "host add"
# The server reads the value from a file this test writes (sshd runs here).
cat >"$T/checks.ini" <<EOF
[disk]
name = Disk use
template = L025
command = cat $T/value
pattern = use=(?<use>\d+)
warn = use > 80
crit = use > 95
value = use
unit = %
severity = warning
EOF
# Generous: --timeout is per host; a loaded machine must not turn OK into NG.
run() { u check run --checks "$T/checks.ini" --timeout 120 "$@" >"$T/out" 2>&1; echo $?; }

# ---- WARN: no draft, shown and counted apart -----------------------------------
echo use=85 >"$T/value"
rc=$(run)
[ "$rc" = 3 ] && ok "WARN: check run exit 3 (an NG)" || { bad "check run rc=$rc"; cat "$T/out"; }
grep -q "L025 srv1 disk: use=85 (warning: use > 80) \[WARN\] → WARN: no incident draft" "$T/out" &&
    ok "check run: the NG line says WARN and no draft" || { bad "WARN line"; cat "$T/out"; }
grep -q "Of the NG, 1 WARN (no incident draft) and 0 CRIT." "$T/out" &&
    ok "check run: WARN counted apart" || { bad "WARN count"; cat "$T/out"; }
[ "$(q "SELECT count(*) FROM incidents")" = 0 ] && ok "WARN opens no incident draft" ||
    bad "drafts after WARN: $(q "SELECT ref, title FROM incidents")"
[ "$(q "SELECT status || ' ' || level FROM checklist_events WHERE source = 'check'")" = "ng warn" ] &&
    ok "recorded as NG of level warn" || bad "event: $(q "SELECT status, level FROM checklist_events")"
u check problems --json >"$T/p.json"
python3 -c "
import json,sys; p=json.load(open('$T/p.json'))
sys.exit(0 if len(p)==1 and p[0]['level']=='warn' and p[0]['host']=='srv1' else 1)" &&
    ok "problems --json: level warn" || { bad "problems json"; cat "$T/p.json"; }
"$UNYO" --db "$DB" --lang ja check problems >"$T/p.txt" 2>&1
grep -q "警告" "$T/p.txt" && ok "problems (ja): 警告" || { bad "problems ja"; cat "$T/p.txt"; }
u checklist --json >"$T/cl.json"
python3 -c "
import json,sys; r=[x for x in json.load(open('$T/cl.json')) if x['code']=='L025' and x['host']=='srv1']
sys.exit(0 if r and r[0]['status']=='ng' and r[0]['warn'] is True else 1)" && ok "checklist --json: the item is NG, warn true" ||
    { bad "checklist"; cat "$T/cl.json"; }

# ---- acknowledged until worse at WARN ------------------------------------------
out=$(u check ack srv1 disk --note "cleanup planned tonight" --until-worse 2>&1)
case "$out" in
*"cleanup planned tonight (by tester, at WARN, until it is CRIT)"*) ok "ack at WARN: until it is CRIT" ;;
*) bad "ack output: $out" ;;
esac
u check problems --csv >"$T/p.csv"
grep -q "cleanup planned tonight,worse,false,false,,warn,warn" "$T/p.csv" &&
    ok "problems --csv: level and ack_level warn" || { bad "problems csv"; cat "$T/p.csv"; }

echo use=90 >"$T/value" # worse, but still WARN: kept
run >/dev/null
grep -q "→ acknowledged: cleanup planned tonight" "$T/out" && ok "WARN again: still acknowledged" ||
    { bad "WARN again"; cat "$T/out"; }
[ "$(q "SELECT count(*) FROM check_acks WHERE ended_at IS NULL")" = 1 ] && ok "the ack holds" ||
    bad "acks: $(q "SELECT ended_reason FROM check_acks")"

# ---- CRIT: the ack ends, the draft opens ---------------------------------------
echo use=97 >"$T/value"
rc=$(run)
[ "$rc" = 3 ] && ok "CRIT: exit 3" || bad "rc=$rc"
grep -q "use=97 (critical: use > 95) → the acknowledgement made at WARN ended: it is CRIT now → draft INC-" "$T/out" &&
    ok "check run: the WARN ack ended and a draft opened" || { bad "CRIT line"; cat "$T/out"; }
[ "$(q "SELECT ended_reason FROM check_acks")" = worse ] && ok "the ack ended: worse" ||
    bad "ended_reason: $(q "SELECT ended_reason FROM check_acks")"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'check.ack.end' AND detail LIKE '%reason=worse%'")" = 1 ] &&
    ok "the end is audited" || bad "audit: $(q "SELECT action, detail FROM audit WHERE action LIKE 'check.%'")"
[ "$(q "SELECT count(*) FROM incidents WHERE status = 'draft' AND title LIKE '%srv1%disk%'")" = 1 ] &&
    ok "one draft for srv1 x disk" || bad "drafts: $(q "SELECT ref, title FROM incidents")"
"$UNYO" --db "$DB" --lang ja check problems >"$T/p.txt" 2>&1
grep -q "異常" "$T/p.txt" && ok "problems (ja): 異常" || { bad "problems ja CRIT"; cat "$T/p.txt"; }
[ "$(q "SELECT level FROM checklist_events WHERE source = 'check' ORDER BY hlc DESC LIMIT 1")" = crit ] &&
    ok "recorded level crit" || bad "level: $(q "SELECT level FROM checklist_events")"

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
