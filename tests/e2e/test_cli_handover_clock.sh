#!/usr/bin/env bash
# "The latest handover" (ack and withdraw without an id, handover show) is the one
# signed last by the hybrid clock, not the one with the latest wall time: a console
# whose clock is five minutes behind signs a newer handover with an earlier
# signed_at, and it is still the one the incoming operator acknowledges.
. "$UNYO_TESTLIB/common.sh"
DB=$T/unyo.db
at() { local when=$1 who=$2; shift 2; UNYO_NOW=$when UNYO_USER=$who "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }

UNYO_USER=mgr "$UNYO" --db "$DB" init >/dev/null
UNYO_USER=mgr "$UNYO" --db "$DB" operator add mgr --role manager --name "Manager M" >/dev/null
for who in alice carol bob; do
    UNYO_USER=mgr "$UNYO" --db "$DB" operator add $who --role operator --name "${who^} X" >/dev/null
done

# alice signs at 10:00; carol, on a console five minutes behind, signs after her.
at 2026-11-23T10:00:00+09:00 alice handover sign --note "older from alice" --to bob >/dev/null
at 2026-11-23T09:55:00+09:00 carol handover sign --note "newer from carol" --to bob >/dev/null
[ "$(q "SELECT count(*) FROM handovers")" = 2 ] && ok "both handovers signed" || fail "not two handovers"

out=$(at 2026-11-23T10:01:00+09:00 bob handover show)
assert_contains "$out" "signed by carol" "handover show shows the handover signed last"
assert_contains "$out" "newer from carol" "with its note"

at 2026-11-23T10:01:00+09:00 bob handover ack >/dev/null
acked=$(q "SELECT note FROM handovers WHERE acked_at IS NOT NULL")
[ "$acked" = "newer from carol" ] && ok "handover ack acknowledges the handover signed last" ||
    fail "handover ack acknowledged [$acked], not carol's newer handover"

# Withdraw without an id takes back the signer's own latest, by the same clock.
at 2026-11-23T11:00:00+09:00 alice handover sign --note "alice first" --to bob >/dev/null
at 2026-11-23T10:55:00+09:00 alice handover sign --note "alice second" --to bob >/dev/null
out=$(at 2026-11-23T10:56:00+09:00 alice handover withdraw)
assert_contains "$out" "Note: alice second" "withdraw takes back the handover signed last"
left=$(q "SELECT group_concat(note, '|') FROM handovers WHERE deleted = 0 AND from_operator_id = (SELECT id FROM operators WHERE login = 'alice')")
assert_contains "$left" "alice first" "the earlier one stays"
assert_not_contains "$left" "alice second" "the later one is withdrawn"
finish
