#!/usr/bin/env bash
# Issue 15, acknowledgements: `unyo check ack|unack|problems` on a host whose checks
# run on this machine (transport local, as the demo's). An acknowledged NG opens no
# draft; past its time (UNYO_NOW) it holds nothing and the handover lists it; an OK
# ends it; a time in the past, an unknown host or check and a check that is not a
# problem are refused with nothing written (English and Japanese).
. "$UNYO_TESTLIB/common.sh"
export UNYO_NOW=2026-11-24T10:00:00+09:00 UNYO_USER=mgr
DB=$T/unyo.db
u() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }

u init >/dev/null
u operator add mgr --role manager --name "Manager M" >/dev/null
u operator add alice --role operator --name "Alice A" >/dev/null
u host add srv1 >/dev/null
u host edit srv1 --transport local >/dev/null
echo 'use=91' >"$T/value"
cat >"$T/checks.ini" <<INI
[disk]
template = L025
command = cat $T/value
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %
severity = warning
INI
run() { u check run --checks "$T/checks.ini" 2>&1 || true; }

out=$(run)
assert_contains "$out" "→ draft INC-" "the first NG opens a draft"
drafts=$(q "SELECT count(*) FROM incidents")

# Refusals: nothing written.
export UNYO_USER=alice
out=$(must_fail u check ack srv1 disk --note "vendor" --until "2026-11-24 09:00")
assert_contains "$out" "the acknowledgement would end in the past" "a time in the past is refused"
out=$(must_fail u check ack nosuch disk --note "vendor")
assert_contains "$out" "unknown host nosuch" "an unknown host is refused"
out=$(must_fail u check ack srv1 memory --note "vendor")
assert_contains "$out" "unknown check memory" "an unknown check is refused"
out=$(must_fail "$UNYO" --db "$DB" --lang ja check ack srv1 disk --note "業者" --until "2026-11-24 09:00")
assert_contains "$out" "確認済の期限が過去です" "the refusal in Japanese"
[ "$(q "SELECT count(*) FROM check_acks")" = 0 ] && ok "nothing written by a refusal" ||
    fail "a refused ack wrote a row"

out=$(u check problems)
assert_contains "$out" "srv1" "the problem is listed"
assert_not_contains "$out" "alice" "not acknowledged yet"

# Acknowledged until 12:00: listed as such; the next NG opens and adds nothing.
out=$(u check ack srv1 disk --note "vendor replacing the disk" --until "2026-11-24 12:00")
assert_contains "$out" "Acknowledged srv1 disk: vendor replacing the disk (by Alice A, until 11-24 12:00)" "ack says until when"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'check.ack'")" = 1 ] && ok "the ack is audited" ||
    fail "no audit row for the ack"
out=$(u check problems --json)
assert_contains "$out" '"acked": true' "problems --json: acknowledged"
assert_contains "$out" '"ack_by": "alice"' "problems --json: by whom"
assert_contains "$out" '"ack_expired": false' "problems --json: not expired"
out=$(u report daily --date 2026-11-24 --markdown)
assert_contains "$out" "| Checks NG acknowledged (not counted) | 1 |" "the daily report leaves the acknowledged NG out"
assert_contains "$out" "| Checks NG | 0 |" "and counts no NG"
assert_contains "$out" "NG (acknowledged)" "its row says acknowledged"
events=$(q "SELECT count(*) FROM incident_events")
out=$(run)
assert_contains "$out" "→ acknowledged: vendor replacing the disk" "the run says the NG is acknowledged"
assert_not_contains "$out" "→ added to" "and adds nothing to the draft"
[ "$(q "SELECT count(*) FROM incidents")" = "$drafts" ] && [ "$(q "SELECT count(*) FROM incident_events")" = "$events" ] &&
    ok "an acknowledged NG opens no draft and adds no event" || fail "the acknowledged NG touched the incidents"
[ "$(q "SELECT count(*) FROM checklist_events WHERE status = 'ng'")" = 2 ] && ok "the NG is still recorded" ||
    fail "the acknowledged NG was not recorded"

# 12:30: expired. The problems say so, the run adds to the draft, the handover lists it.
export UNYO_NOW=2026-11-24T12:30:00+09:00
out=$(u check problems --csv)
assert_contains "$out" "true,alice,vendor replacing the disk,2026-11-24T03:00:00.000Z,true" "problems --csv: expired"
out=$(run)
assert_contains "$out" "→ added to INC-" "an expired ack no longer holds"
out=$(u handover show 2>&1)
assert_contains "$out" "Acknowledgements expired or ending with this shift (1)" "the handover lists the expired ack"
assert_contains "$out" "srv1 disk: vendor replacing the disk (by Alice A, expired 11-24 12:00)" "with its note and time"

# Until worse (one severity: until it recovers); the OK ends it.
u check ack srv1 disk --note "vendor again" --until-worse >/dev/null
out=$(run)
assert_contains "$out" "→ acknowledged: vendor again (by Alice A, until it gets worse)" "until-worse holds while NG"
echo 'use=40' >"$T/value"
out=$(run)
[ "$(q "SELECT ended_reason FROM check_acks WHERE note = 'vendor again'")" = recovered ] &&
    ok "the OK ends the acknowledgement" || fail "the ack did not end on recovery"
out=$(u check problems)
assert_not_contains "$out" "srv1" "no problem once OK"
out=$(must_fail u check ack srv1 disk --note "x")
assert_contains "$out" "is not a problem now" "a check that is not a problem is refused"

# unack
echo 'use=95' >"$T/value"
run >/dev/null
u check ack srv1 disk --note "looking" >/dev/null
out=$(u check unack srv1 disk)
assert_contains "$out" "srv1 disk is no longer acknowledged" "unack"
out=$(must_fail u check unack srv1 disk)
assert_contains "$out" "is not acknowledged" "unack twice is refused"
finish
