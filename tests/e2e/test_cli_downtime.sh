#!/usr/bin/env bash
# Issue 15, downtimes: `unyo downtime add|list|end` and the windows of approved changes,
# on hosts whose checks run on this machine (transport local, as the demo's). An NG
# inside a downtime is recorded as such, opens no draft and is not counted as NG (the
# checklist, the daily report); a change approved with a target host puts it in
# downtime for its window only, ended at the window's end even while the change is
# still in progress; a cancelled change holds nothing. A downtime that ends before it
# starts, on an unknown host or wholly in the past is refused with nothing written
# (English and Japanese). Times move with UNYO_NOW.
. "$UNYO_TESTLIB/common.sh"
export UNYO_NOW=2026-11-24T10:00:00+09:00 UNYO_USER=mgr
DB=$T/unyo.db
u() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }

u init >/dev/null
u operator add mgr --role manager --name "Manager M" >/dev/null
u operator add alice --role operator --name "Alice A" >/dev/null
u operator add eng --role engineer --name "Eng E" >/dev/null
for h in srv1 srv2; do
    u host add $h >/dev/null
    u host edit $h --transport local >/dev/null
done
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
drafts() { q "SELECT count(*) FROM incidents"; }

# ---- refusals: nothing written ----
export UNYO_USER=alice
out=$(must_fail u downtime add srv1 --from "2026-11-24 12:00" --to "2026-11-24 11:00" --reason "disk swap")
assert_contains "$out" "the downtime would end (2026-11-24 11:00) before it starts (2026-11-24 12:00)" \
    "an end before the start is refused"
out=$(must_fail u downtime add srv1 --from "2026-11-24 08:00" --to "2026-11-24 09:00" --reason "disk swap")
assert_contains "$out" "the downtime is wholly in the past" "a downtime wholly in the past is refused"
out=$(must_fail u downtime add nosuch --from "2026-11-24 10:00" --to "2026-11-24 12:00" --reason "disk swap")
assert_contains "$out" "unknown host nosuch" "an unknown host is refused"
out=$(must_fail u downtime add srv1 --from "2026-11-24 10:00" --to "2026-11-24 12:00" --reason " ")
assert_contains "$out" "a downtime needs a reason" "a blank reason is refused"
rc=0
u downtime add srv1 --to "2026-11-24 12:00" --reason "disk swap" >"$T/usage" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -qF "add needs --from, --to and --reason" "$T/usage" &&
    ok "a missing --from is a usage error (exit 2)" || fail "missing --from: exit $rc, $(cat "$T/usage")"
out=$(must_fail "$UNYO" --db "$DB" --lang ja downtime add srv1 --from "2026-11-24 12:00" --to "2026-11-24 11:00" --reason "交換")
assert_contains "$out" "停止期間の終わり（2026-11-24 11:00）が始まり（2026-11-24 12:00）より前です" "the refusal in Japanese"
out=$(must_fail "$UNYO" --db "$DB" --lang ja downtime add srv1 --from "2026-11-24 08:00" --to "2026-11-24 09:00" --reason "交換")
assert_contains "$out" "停止期間がすべて過去です" "the past refusal in Japanese"
[ "$(q "SELECT count(*) FROM downtimes")" = 0 ] && [ "$(q "SELECT count(*) FROM audit WHERE action LIKE 'downtime.%'")" = 0 ] &&
    ok "nothing written by a refusal" || fail "a refused downtime wrote a row"

# ---- a manual downtime of srv1 from 09:30 (already on) to 12:00 ----
out=$(u downtime add srv1 --from "2026-11-24 09:30" --to "2026-11-24 12:00" --reason "disk swap by the vendor")
assert_contains "$out" "srv1 is in downtime from 2026-11-24 09:30 to 2026-11-24 12:00 JST" "add says when"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'downtime.add'")" = 1 ] && ok "the downtime is audited" ||
    fail "no audit row for the downtime"
out=$(u downtime list)
assert_contains "$out" "disk swap by the vendor" "listed with its reason"
assert_contains "$out" "manual" "listed as manual"
out=$(u downtime list --json)
assert_contains "$out" '"host": "srv1", "from": "2026-11-24T00:30:00.000Z", "to": "2026-11-24T03:00:00.000Z", "source": "manual"' \
    "list --json: UTC times and the source"
assert_contains "$out" '"now": true' "list --json: on now"

out=$(run)
assert_contains "$out" "L025 srv1 disk: use=91 (limit: use < 80) (ran on this machine: demo host) → in downtime: disk swap by the vendor (until 11-24 12:00)" \
    "the run says srv1's NG is in downtime"
assert_contains "$out" "L025 srv2 disk: use=91 (limit: use < 80) (ran on this machine: demo host) → draft INC-" \
    "srv2, not in downtime, opens a draft"
[ "$(drafts)" = 1 ] && ok "the NG inside the downtime opens no draft" || fail "drafts: $(drafts)"
[ "$(q "SELECT count(*) FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'srv1' AND e.status = 'ng' AND e.downtime_id = (SELECT id FROM downtimes)")" = 1 ] &&
    ok "the NG is recorded with its downtime" || fail "srv1's NG does not name the downtime"
out=$(u checklist)
assert_contains "$out" "[downtime] disk: use=91" "the checklist shows the NG as in downtime"
out=$("$UNYO" --db "$DB" --lang ja checklist)
assert_contains "$out" "[停止中] disk: use=91" "and in Japanese"
out=$(u report daily --markdown 2>&1)
assert_contains "$out" "| Checks NG | 1 |" "the report counts srv2's NG only"
assert_contains "$out" "| Checks NG in downtime (not counted) | 1 |" "and says one NG was in downtime"
assert_contains "$out" "| NG (downtime) | L025 |" "the report's row says in downtime"

# ---- ending it: asks first; without a terminal only with --yes ----
out=$(must_fail u downtime end srv1 </dev/null)
assert_contains "$out" "there is no terminal to ask" "end asks first (no terminal: refused)"
[ "$(q "SELECT count(*) FROM downtimes WHERE ended_at IS NOT NULL")" = 0 ] && ok "nothing ended without --yes" ||
    fail "ended without asking"
export UNYO_NOW=2026-11-24T10:20:00+09:00
out=$(u downtime end srv1 --yes)
assert_contains "$out" "Ended the downtime of srv1." "end --yes"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'downtime.end'")" = 1 ] && ok "the end is audited" || fail "no audit row for the end"
out=$(u downtime list)
assert_not_contains "$out" "disk swap by the vendor" "an ended downtime is not listed"
out=$(u downtime list --all --csv)
assert_contains "$out" "srv1,2026-11-24T00:30:00.000Z,2026-11-24T01:20:00.000Z,manual,,disk swap by the vendor,alice,true,false" \
    "list --all: ended at 10:20"
out=$(run)
assert_contains "$out" "L025 srv1 disk: use=91 (limit: use < 80) (ran on this machine: demo host) → draft INC-" \
    "after the end, srv1's NG opens a draft"
out=$(must_fail u downtime end srv1 --yes)
assert_contains "$out" "no downtime of srv1 is on or to come" "ending twice is refused"

# ---- a change approved with srv2 as target: downtime for its window ----
export UNYO_USER=mgr
u change new --dept IT --title "Disk swap srv2" --rollback "put the old disk back" --step "swap" \
    --host srv2 --window-start "2026-11-24 10:30" --window-end "2026-11-24 11:00" >/dev/null 2>&1 ||
    fail "change new"
REF=$(q "SELECT ref FROM changes WHERE title = 'Disk swap srv2'")
u change step "$REF" plan >/dev/null 2>&1 && u change step "$REF" submit >/dev/null 2>&1 || fail "change to review"
out=$(u downtime list)
assert_not_contains "$out" "$REF" "a change in review puts nothing in downtime"
UNYO_USER=eng u change approve "$REF" --note ok >/dev/null 2>&1 || fail "change approve"
out=$(u downtime list)
assert_contains "$out" "$REF" "the approved change's window is listed"
assert_contains "$out" "2026-11-24 10:30  2026-11-24 11:00  change" "for its window, as from a change"
out=$(must_fail u downtime end srv2 --yes)
assert_contains "$out" "the downtime of srv2 comes from change $REF" "a change's downtime cannot be ended by hand"
n_drafts=$(drafts)
export UNYO_NOW=2026-11-24T10:40:00+09:00
out=$(run)
assert_contains "$out" "L025 srv2 disk: use=91 (limit: use < 80) (ran on this machine: demo host) → in downtime: change $REF: Disk swap srv2 (until 11-24 11:00)" \
    "inside the window srv2's NG is in downtime"
CID=$(q "SELECT id FROM changes WHERE ref = '$REF'")
[ "$(q "SELECT e.downtime_id FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'srv2' ORDER BY e.hlc DESC LIMIT 1")" = "$CID" ] &&
    ok "srv2's NG is recorded with the change as its downtime" || fail "srv2's NG does not name the change"
[ "$(drafts)" = "$n_drafts" ] && ok "no new draft inside the window" || fail "drafts: $(drafts), was $n_drafts"
# the change overruns: in progress past 11:00, the downtime ended at the window's end
u change step "$REF" start >/dev/null 2>&1 || fail "change start"
export UNYO_NOW=2026-11-24T11:10:00+09:00
[ "$(q "SELECT status FROM changes WHERE ref = '$REF'")" = in_progress ] || fail "the change is not in progress"
out=$(run)
assert_contains "$out" "L025 srv2 disk: use=91 (limit: use < 80) (ran on this machine: demo host) → added to INC-" \
    "an overrun change holds nothing past its window"
out=$(u downtime list)
assert_not_contains "$out" "$REF" "nor is it listed after its window"

# ---- a cancelled change gives none ----
u change new --dept IT --title "Cancelled work" --rollback "none" --step "x" \
    --host srv1 --window-start "2026-11-24 11:30" --window-end "2026-11-24 12:30" >/dev/null 2>&1 ||
    fail "change new 2"
REF2=$(q "SELECT ref FROM changes WHERE title = 'Cancelled work'")
u change step "$REF2" plan >/dev/null 2>&1 && u change step "$REF2" submit >/dev/null 2>&1 &&
    UNYO_USER=eng u change approve "$REF2" --note ok >/dev/null 2>&1 || fail "change 2 to approved"
out=$(u downtime list)
assert_contains "$out" "$REF2" "the second change's window is listed once approved"
u change cancel "$REF2" --note "not needed" >/dev/null 2>&1 || fail "change cancel"
out=$(u downtime list --all)
assert_not_contains "$out" "$REF2" "a cancelled change gives no downtime"
[ "$(q "SELECT count(*) FROM downtimes")" = 1 ] && ok "change windows are never copied into downtimes" ||
    fail "downtimes rows: $(q "SELECT count(*) FROM downtimes")"
out=$(u audit verify 2>&1) || fail "audit verify: $out"
ok "the chain verifies with downtimes in it"
finish
