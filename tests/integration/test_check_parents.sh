#!/usr/bin/env bash
# Issue 15, dependencies, against the loopback sshd. core-sw01 is an alias of a
# closed port (down); srv1 (its child) is down too; srv2 is up, with an NG check,
# and has two parents: core-sw01 (down) and hv01 (up).
#  - one round: one draft for core-sw01 that names srv1; srv1's results read
#    "unreachable via core-sw01" (no draft, not counted as NG); srv2 has a parent up,
#    so its NG opens its own draft as usual;
#  - `check problems`, the checklist and `host parents` say so; cycles and unknown
#    hosts are refused.
set -u
UNYO=${1:?usage: test_check_parents.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
trap 'sshd_cleanup' EXIT
sshd_env_init
export UNYO_USER=tester UNYO_NOW=2026-11-24T10:00:00+09:00
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
sshd_alias srv2 a
sshd_alias hv01 a
# Down hosts: aliases of a port nothing listens on (connection refused).
dead=$(free_port)
for h in core-sw01 srv1; do
    printf 'Host %s\n  HostName 127.0.0.1\n  Port %s\n  User %s\n' "$h" "$dead" \
        "${SSHD_USER:-$SSHD_TEST_USER}" >>"$HOME/.ssh/config"
done
u init >/dev/null || bad "init"
u operator add tester --role operator >/dev/null || bad "operator add"
for h in core-sw01 hv01 srv1 srv2; do
    u host add "$h" --ssh-alias "$h" >/dev/null || bad "host add $h"
done
u host parents srv1 --set core-sw01 >/dev/null || bad "host parents srv1 --set"
u host parents srv2 --set core-sw01,hv01 >/dev/null || bad "host parents srv2 --set"

# Refused: a cycle, an unknown host, the host itself; nothing changes.
out=$(u host parents core-sw01 --set srv1 2>&1) && bad "a cycle was accepted"
[[ $out == *"srv1 already depends on core-sw01: parents must not form a cycle"* ]] &&
    ok "a cycle is refused, naming the host that already depends" || bad "cycle message: $out"
out=$(u host parents srv1 --set nosuch 2>&1) && bad "an unknown parent was accepted"
[[ $out == *"no host named nosuch"* ]] && ok "an unknown parent is refused" || bad "unknown: $out"
out=$(u host parents srv1 2>&1)
[[ $out == *core-sw01* ]] && ok "host parents lists core-sw01" || bad "host parents: $out"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'host.parents'")" = 2 ] &&
    ok "two audited changes of parents (refusals write nothing)" || bad "audit of host.parents"

cat >"$T/checks.ini" <<INI
[alive]
template = L025
command = echo up=1
pattern = up=(?<up>\d+)
condition = up == 1

[disk]
template = L025
hosts = srv2
command = echo use=93
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %
INI
u check run --checks "$T/checks.ini" --timeout 120 >"$T/out" 2>&1
rc=$?
[ "$rc" = 3 ] && ok "check run: exit 3 (NG)" || { bad "check run rc=$rc"; cat "$T/out"; }
grep -q "srv1 alive: .*→ unreachable via core-sw01: no draft" "$T/out" &&
    ok "run: srv1 is unreachable via core-sw01, no draft" || { bad "srv1 line"; cat "$T/out"; }
grep -qE "core-sw01 alive: .*→ draft INC-.*\(behind it: srv1\)" "$T/out" &&
    ok "run: core-sw01's draft, srv1 behind it" || { bad "core line"; cat "$T/out"; }
grep -q "1 unreachable through a down parent" "$T/out" && grep -q ": 2 OK, 2 NG\." "$T/out" &&
    ok "run: 2 NG counted (core-sw01, srv2), 1 unreachable apart" || { bad "counts"; cat "$T/out"; }
[ "$(q "SELECT count(*) FROM incidents")" = 2 ] &&
    ok "two drafts: core-sw01 and srv2 (a parent up), none for srv1" ||
    bad "incidents: $(q "SELECT count(*) FROM incidents")"
[ "$(q "SELECT e.unreachable_via FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'srv1'")" = core-sw01 ] &&
    ok "srv1's result is recorded unreachable via core-sw01" || bad "srv1 event"
[ "$(q "SELECT count(*) FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'srv2' AND e.status = 'ng' AND e.unreachable_via IS NULL")" = 1 ] &&
    ok "srv2 (hv01 up) is NG as usual" || bad "srv2 event"
ref=$(q "SELECT i.ref FROM incidents i JOIN links l ON l.to_id = i.id JOIN checklist_events e ON e.id = l.from_id JOIN hosts h ON h.id = e.host_id WHERE h.name = 'core-sw01' LIMIT 1")
u incident show "$ref" >"$T/show" 2>&1
grep -q "Unreachable through core-sw01, so no draft of their own: srv1" "$T/show" &&
    ok "core-sw01's draft names srv1" || { bad "draft text"; cat "$T/show"; }

u check problems --json >"$T/p.json"
python3 -c "
import json; p=[x for x in json.load(open('$T/p.json')) if x['host']=='srv1']
assert p and all(x['unreachable_via']=='core-sw01' for x in p), p" &&
    ok "check problems: srv1 unreachable via core-sw01" || { bad "problems json"; cat "$T/p.json"; }
u checklist >"$T/cl.txt" 2>&1
grep -E "srv1.*\[unreachable via core-sw01\]" "$T/cl.txt" >/dev/null &&
    ok "checklist: srv1's reason reads unreachable via core-sw01" || { bad "checklist"; cat "$T/cl.txt"; }
"$UNYO" --db "$DB" --lang ja check problems >"$T/pja.txt" 2>&1
grep -q "core-sw01" "$T/pja.txt" && ok "check problems (ja) lists it" || bad "ja problems"

# The parents cleared: srv1's failure is its own again (a draft of its own).
u host parents srv1 --clear >/dev/null || bad "--clear"
u check run --checks "$T/checks.ini" --timeout 120 >"$T/out2" 2>&1
grep -q "srv1 alive: .*→ draft INC-" "$T/out2" && ok "without parents srv1 has its own draft" ||
    { bad "after clear"; cat "$T/out2"; }

# A cycle two consoles made by syncing (each refused here, but not across consoles):
# core-sw01 and srv1 each the other's parent, both down. Neither stands behind a
# down root, so both keep their NG and nothing goes without a draft.
u host parents srv1 --set core-sw01 >/dev/null || bad "--set again"
q "UPDATE hosts SET parents = (SELECT id FROM hosts WHERE name = 'srv1') WHERE name = 'core-sw01'"
u check run --checks "$T/checks.ini" --timeout 120 >"$T/out3" 2>&1
grep -q "unreachable via" "$T/out3" && { bad "a cycle hid an NG"; cat "$T/out3"; } ||
    ok "a synced cycle: both down hosts keep their NG"
grep -qE "srv1 alive: .*→ (draft|added to) INC-" "$T/out3" && grep -qE "core-sw01 alive: .*→ (draft|added to) INC-" "$T/out3" &&
    ok "a synced cycle: each has its draft" || { bad "drafts in a cycle"; cat "$T/out3"; }

[ "$FAILS" = 0 ] || exit 1
echo "all ok"
