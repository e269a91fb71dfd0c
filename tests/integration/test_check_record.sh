#!/usr/bin/env bash
# Issue 11 §1/§3: the record of a check run never lies.
#  - an NG of one check is not hidden by a later OK of another check of the same
#    item and host: checklist, handover and daily report show NG and name the check;
#  - an unknown host key is NG "unreachable: host key unknown: ..." (whole reason),
#    recorded by the check run, not a skip by the operator;
#  - every NG has one incident draft per host x check; the next run adds to it;
#  - `unyo check run` never prints a server's escape sequences (also --quiet/--json/--csv).
set -u
UNYO=${1:?usage: test_check_record.sh PATH/TO/unyo}
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
ESC=$(printf '\033')

sshd_start a
sshd_alias srv1 a
"$UNYO" init --db "$DB" >/dev/null || bad "init"
"$UNYO" operator add tester --role operator --db "$DB" >/dev/null || bad "operator add"
"$UNYO" host add srv1 --ssh-alias srv1 --db "$DB" >/dev/null || bad "host add"

# cpu_load fails, then disk_use and log_errors pass: same item (L025), same host.
cat >"$T/checks.ini" <<'EOF'
[cpu_load]
template = L025
command = echo load=4.32
pattern = load=(?<load>[0-9.]+)
condition = load < 2
value = load
severity = warning

[disk_use]
template = L025
command = echo use=18
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %

[log_errors]
template = L025
command = echo errors=0
pattern = errors=(?<n>\d+)
condition = n == 0
EOF

# Generous: --timeout is per host; a loaded machine must not turn OK into NG.
"$UNYO" check run --checks "$T/checks.ini" --timeout 120 --db "$DB" >"$T/out" 2>&1
rc=$?
[ "$rc" = 3 ] && ok "check run: exit 3 (one NG)" || { bad "check run rc=$rc"; cat "$T/out"; }
grep -q "L025 srv1 cpu_load: load=4.32" "$T/out" && ok "run lists the NG" || { bad "NG line"; cat "$T/out"; }

"$UNYO" checklist --json --db "$DB" >"$T/cl.json"
st=$(python3 -c "
import json; r=[x for x in json.load(open('$T/cl.json')) if x['code']=='L025' and x['host']=='srv1']
print(r[0]['status'], r[0].get('failed_checks'), r[0]['who'])")
[ "$st" = "ng cpu_load check run" ] && ok "checklist (json): L025 srv1 is NG, failed cpu_load, by the check run" ||
    bad "checklist json: '$st'"
"$UNYO" checklist --db "$DB" >"$T/cl.txt"
grep -E "^L025 .* srv1 .*NG .*cpu_load" "$T/cl.txt" >/dev/null && ok "checklist (text): NG row names cpu_load" ||
    { bad "checklist text"; cat "$T/cl.txt"; }
"$UNYO" handover --db "$DB" >"$T/ho.txt" 2>&1
grep -E "L025.*srv1" "$T/ho.txt" >/dev/null && ok "handover lists L025 srv1" || { bad "handover"; cat "$T/ho.txt"; }
"$UNYO" report daily --json --db "$DB" >"$T/rep.json" 2>&1
python3 -c "
import json,sys; d=json.load(open('$T/rep.json'))
s=json.dumps(d, ensure_ascii=False)
sys.exit(0 if 'cpu_load' in s and 'srv1' in s else 1)" && ok "daily report shows the NG with cpu_load" ||
    { bad "daily report"; head -c 2000 "$T/rep.json"; }

# One incident draft for the problem, linked to the result; the next run adds to it.
[ "$(q "SELECT count(*) FROM incidents WHERE status='draft' AND title LIKE '%srv1%cpu_load%'")" = 1 ] &&
    ok "one incident draft for srv1 x cpu_load" || bad "drafts: $(q "SELECT ref, title FROM incidents")"
[ "$(q "SELECT count(*) FROM links l JOIN checklist_events e ON e.id = l.from_id WHERE l.to_kind='incident' AND e.status='ng'")" = 1 ] &&
    ok "the draft is linked to the NG result" || bad "links"
"$UNYO" check run --checks "$T/checks.ini" --timeout 120 --db "$DB" >"$T/out" 2>&1
grep -q "added to INC-" "$T/out" && ok "second run: added to the open draft" || { bad "second run"; cat "$T/out"; }
[ "$(q "SELECT count(*) FROM incidents")" = 1 ] && ok "still one incident" || bad "incidents: $(q "SELECT count(*) FROM incidents")"
[ "$(q "SELECT count(*) FROM incident_events WHERE kind='linked'")" = 1 ] && ok "the second NG is an event on it" ||
    bad "events: $(q "SELECT kind FROM incident_events")"

# Unknown host key: NG "unreachable", by the check run, reason whole.
SSHD_NO_KNOWN=1 sshd_start b
sshd_alias fresh1 b
"$UNYO" host add fresh1 --ssh-alias fresh1 --db "$DB" >/dev/null
"$UNYO" check run --checks "$T/checks.ini" --host fresh1 --timeout 120 --db "$DB" >"$T/out" 2>&1
grep -q "fresh1 disk_use: unreachable: host key unknown: " "$T/out" && ok "unknown key: NG unreachable" ||
    { bad "unknown key run"; cat "$T/out"; }
[ "$(q "SELECT count(*) FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name='fresh1' AND e.status='skip'")" = 0 ] &&
    ok "nothing recorded as skip" || bad "skip rows for fresh1"
"$UNYO" checklist --json --db "$DB" >"$T/cl.json"
st=$(python3 -c "
import json; r=[x for x in json.load(open('$T/cl.json')) if x['code']=='L025' and x['host']=='fresh1']
print(r[0]['status'], r[0]['who'], '|', r[0]['note'])")
case "$st" in
"ng check run | cpu_load: unreachable: host key unknown: "*"(unyo host trust NAME)."*) ok "checklist: NG by the check run, full reason" ;;
*) bad "fresh1 row: $st" ;;
esac

# A manual NG: `unyo checklist incident` opens the draft; a later NG of it adds.
"$UNYO" checklist mark L033 ng --host srv1 --note "fan noise" --db "$DB" >/dev/null || bad "mark ng"
"$UNYO" checklist incident L033 --host srv1 --db "$DB" >"$T/out" 2>&1
grep -q "L033 srv1 (mark by hand): incident draft INC-" "$T/out" && ok "checklist incident: a draft for the manual NG" ||
    { bad "checklist incident"; cat "$T/out"; }
"$UNYO" checklist mark L033 ng --host srv1 --note "fan noise again" --db "$DB" >/dev/null || bad "mark ng 2"
"$UNYO" checklist incident L033 --host srv1 --db "$DB" >"$T/out" 2>&1
grep -q "L033 srv1 (mark by hand): added to incident INC-" "$T/out" && ok "checklist incident: the next NG adds to it" ||
    { bad "checklist incident 2"; cat "$T/out"; }
"$UNYO" checklist incident L025 --host srv1 --db "$DB" >"$T/out" 2>&1
grep -q "L025 srv1 (cpu_load): added to incident INC-" "$T/out" && ok "checklist incident: an automated NG already has its draft" ||
    { bad "checklist incident L025"; cat "$T/out"; }

# A hostile server: title, clipboard (OSC 52) and clear-screen in its output.
cat >"$T/hostile.ini" <<'EOF'
[hostile]
template = L033
command = printf '\033]52;c;aGVsbG8=\007\033]0;pwned\007\033[2J\033[Hboom\n'
pattern = ^fine$
EOF
for mode in "" "--quiet" "--json" "--csv"; do
    "$UNYO" check run --checks "$T/hostile.ini" --host srv1 --timeout 120 $mode --db "$DB" >"$T/out" 2>&1
    if grep -q "$ESC" "$T/out"; then
        bad "check run $mode printed an ESC byte"
        od -c "$T/out" | head -5
    elif ! grep -q "boom" "$T/out" && [ "$mode" != "--quiet" ]; then
        bad "check run $mode: the reason is missing"
        cat "$T/out"
    else
        ok "check run ${mode:-(text)}: no escape sequence reaches the terminal"
    fi
done
"$UNYO" checklist --db "$DB" >"$T/out" 2>&1
grep -q "$ESC" "$T/out" && bad "checklist printed an ESC byte" || ok "checklist: no escape sequence"

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
