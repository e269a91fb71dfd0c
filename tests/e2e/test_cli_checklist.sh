#!/usr/bin/env bash
# The checklist, shift and handover commands end to end: list the day's checks, mark
# them (an out-of-range value becomes NG), refuse bad input, schedule shifts, sign a
# handover as one operator and acknowledge it as another.
. "$UNYO_TESTLIB/common.sh"
export UNYO_NOW=2026-11-02T14:00:00+09:00 UNYO_USER=alice
DB=$T/unyo.db
u() { "$UNYO" --db "$DB" --lang en "$@"; }

u init >/dev/null
# the manager registers them (only a manager adds operators)
UNYO_USER=mgr u operator add mgr --role manager --name "Manager M" >/dev/null
UNYO_USER=mgr u operator add alice --role operator --name "Alice A" >/dev/null
UNYO_USER=mgr u operator add bob --role operator --name "Bob B" >/dev/null

out=$(u checklist)
assert_contains "$out" "L032" "the day's list shows the daily temperature check"
assert_contains "$out" "to do" "undone checks say so"

out=$(u checklist mark L032 ok --value 31 --note "AC stopped" 2>&1)
assert_contains "$out" "out of range" "an out-of-range value is reported"
assert_contains "$out" "recorded ng" "and recorded as NG"
out=$(u checklist --json)
assert_contains "$out" '"status": "ng"' "JSON carries the status key"

out=$(must_fail u checklist mark L032H skip)
assert_contains "$out" "reason" "skip without a reason is refused"
out=$(must_fail u checklist mark L032 ok --value abc)
assert_contains "$out" "not a number" "a value that is not a number is refused"
out=$(must_fail u checklist mark NOPE ok)
assert_contains "$out" "NOPE" "an unknown item is refused"
out=$(must_fail u checklist --date 2026-13-01)
assert_contains "$out" "YYYY-MM-DD" "a bad date is refused"

# typed on a Japanese keyboard: full-width digits, slashes, an ideographic space
out=$(u checklist mark L032 ok --value ３１ --date ２０２６／１１／０２ 2>&1)
assert_contains "$out" "recorded ng for 2026-11-02" "a full-width value and date are accepted"
out=$(u checklist mark L032 ok --value "　２２．５　" --date 2026/11/01 2>&1)
assert_contains "$out" "recorded ok for 2026-11-01" "a full-width decimal value is read as 22.5"
out=$(u checklist --date ２０２６－１１－０１ --csv)
assert_contains "$out" "22.5" "the listing takes a full-width date too"
rc=0
out=$(u checklist --date ２０２６／１３／０１ 2>&1) || rc=$?
[[ $rc == 2 ]] || fail "a bad full-width date exits $rc, not 2"
assert_contains "$out" "not ２０２６／１３／０１" "the refusal shows the date as typed"
rc=0
out=$(u checklist mark L032 ok --value ３ｘ 2>&1) || rc=$?
[[ $rc == 2 ]] || fail "a value that is not a number exits $rc, not 2"
assert_contains "$out" "not a number" "a full-width value that is not a number is refused"

u checklist add L042 >/dev/null
out=$(u checklist --csv)
assert_contains "$out" "L042" "an as-needed item added by hand is listed"

u shift set 2026-11-02 early alice >/dev/null
u shift set 2026-11-02 late bob >/dev/null
out=$(u shift now)
assert_contains "$out" "alice" "alice is on the early shift at 14:00"
out=$(u shift set ２０２６／１１／０３ early alice)
assert_contains "$out" "2026-11-03" "shift set takes a full-width day"
out=$(u shift list --month ２０２６－１１ --csv)
assert_contains "$out" "2026-11-03" "and shift list a full-width month"
out=$(must_fail u shift set 2026-11-02 dawn bob)
assert_contains "$out" "early" "an unknown shift names the known ones"

out=$(u handover sign --note "Watch the AC" --to bob --todo "Call the vendor")
assert_contains "$out" "Signed handover" "the outgoing operator signs"
out=$(must_fail u handover ack)
assert_contains "$out" "signed" "the signer cannot acknowledge"
out=$(UNYO_USER=bob u handover ack)
assert_contains "$out" "acknowledged" "the incoming operator acknowledges"
out=$(u handover show --markdown)
assert_contains "$out" "L032" "the signed summary lists the NG check"
assert_contains "$out" "Watch the AC" "and the note"
assert_contains "$out" "Call the vendor" "and the carried item"
out=$(u handover list --csv)
assert_contains "$out" "bob" "the list shows who acknowledged"
finish
