#!/usr/bin/env bash
# Sync conflicts as work, against a real PostgreSQL 15: two consoles edit the
# same field of the same host; the later edit wins everywhere and the conflict
# is listed by `unyo sync conflicts` on both consoles, with both values.
# reapply writes the value that lost again as a new edit, which syncs: both
# stores converge on it. keep on another conflict closes it everywhere.
# Resolved, unknown and gone conflicts are refused.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start

a=$(new_store a); b=$(new_store b)
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null
for h in web01 web02; do "$UNYO" host add "$h" --role AP --db "$a" >/dev/null; done
sync_q "$a"; sync_q "$b"
out=$("$UNYO" sync conflicts --db "$a")
assert_contains "$out" "No sync conflicts" "no conflict before anyone edits"

# The same field on both consoles, a first: b's later edit wins.
"$UNYO" host edit web01 --location "1F on a" --db "$a" >/dev/null
"$UNYO" host edit web02 --notes "notes on a" --db "$a" >/dev/null
"$UNYO" host edit web01 --location "2F on b" --db "$b" >/dev/null
"$UNYO" host edit web02 --notes "notes on b" --db "$b" >/dev/null
sync_q "$a"; sync_q "$b"; converge "$a" "$b"
[ "$(sqlite3 "$a" "SELECT location FROM hosts WHERE name = 'web01'")" = "2F on b" ] || fail "LWW on a"
ok "the later edit wins on both consoles"
assert_contains "$("$UNYO" sync --status --db "$a")" "Open conflicts (edits another console's edit replaced): 2" \
  "unyo sync --status counts the open conflicts"

for db in "$a" "$b"; do
  out=$("$UNYO" sync conflicts --db "$db")
  assert_contains "$out" "web01" "the conflict names the host, not its id"
  assert_contains "$out" "1F on a" "the value that lost is listed"
  assert_contains "$out" "2F on b" "the winning value is listed"
  assert_contains "$out" "Open conflicts: 2 of 2" "both conflicts are open"
  assert_not_contains "$out" "$(sqlite3 "$db" "SELECT id FROM hosts WHERE name = 'web01'")" "no host id in the list"
done
ok "both consoles list the conflicts with both values"
out=$("$UNYO" sync conflicts --db "$a" --lang ja)
assert_contains "$out" "設置場所" "the Japanese list names the field in Japanese"
assert_contains "$out" "未対応" "and says the conflict is open"

id1=$("$UNYO" sync conflicts --csv --db "$a" | awk -F, '$3 == "web01" {print $1}')
id2=$("$UNYO" sync conflicts --csv --db "$a" | awk -F, '$3 == "web02" {print $1}')
[ -n "$id1" ] && [ -n "$id2" ] || fail "conflict ids: '$id1' '$id2'"
json=$("$UNYO" sync conflicts --json --db "$a")
assert_contains "$json" '"lost": "1F on a"' "--json keeps the value that lost"
assert_contains "$json" '"fields": "location"' "--json keeps the column's name"

# reapply on a (by a prefix of the id): a new edit of a, which wins everywhere.
out=$("$UNYO" sync conflicts reapply "${id1:0:30}" --db "$a")
assert_contains "$out" "1F on a" "reapply says what it wrote"
[ "$(sqlite3 "$a" "SELECT location FROM hosts WHERE name = 'web01'")" = "1F on a" ] || fail "reapply did not write"
converge "$a" "$b"
for db in "$a" "$b"; do
  [ "$(sqlite3 "$db" "SELECT location FROM hosts WHERE name = 'web01'")" = "1F on a" ] \
    || fail "$db: $(sqlite3 "$db" "SELECT location FROM hosts WHERE name = 'web01'")"
done
same_exports "$a" "$b" || fail "stores differ after reapply"
ok "reapply: both stores converge on the value written again"

# keep on b: the winner stays, and a sees it resolved after a sync.
out=$("$UNYO" sync conflicts keep "$id2" --db "$b")
assert_contains "$out" "notes on b" "keep names the value kept"
converge "$a" "$b"
[ "$(sqlite3 "$a" "SELECT notes FROM hosts WHERE name = 'web02'")" = "notes on b" ] || fail "keep changed the value"
out=$("$UNYO" sync conflicts --db "$a")
assert_contains "$out" "winner kept" "a resolution made on b shows on a"
assert_contains "$out" "lost value written again" "and the reapply shows as done"
assert_not_contains "$out" "Open conflicts: 1" "nothing open"
assert_contains "$out" "Open conflicts: 0 of 2" "no conflict is open any more"
ok "keep closes the conflict on every console"

# Refusals: resolved, unknown; nothing written.
n=$(sqlite3 "$a" "SELECT count(*) FROM audit")
out=$(must_fail "$UNYO" sync conflicts keep "$id1" --db "$a")
assert_contains "$out" "already resolved" "a resolved conflict is refused"
out=$(must_fail "$UNYO" sync conflicts reapply "$id2" --db "$a")
assert_contains "$out" "already resolved" "reapply of a kept conflict is refused"
out=$(must_fail "$UNYO" sync conflicts keep ffffffff --db "$a")
assert_contains "$out" "no conflict" "an unknown id is refused"
out=$(must_fail "$UNYO" sync conflicts drop "$id1" --db "$a")
assert_contains "$out" "keep ID or reapply ID" "an unknown action is refused with what it takes"
[ "$(sqlite3 "$a" "SELECT count(*) FROM audit")" = "$n" ] || fail "a refusal wrote to the audit trail"
ok "resolved and unknown conflicts are refused, nothing written"

# A conflict on a host removed since cannot be resolved.
"$UNYO" host edit web02 --notes "third on a" --db "$a" >/dev/null
"$UNYO" host edit web02 --notes "third on b" --db "$b" >/dev/null
sync_q "$a"; sync_q "$b"; converge "$a" "$b"
id3=$("$UNYO" sync conflicts --csv --db "$a" | awk -F, '$3 == "web02" && $14 == "" {print $1}')
[ -n "$id3" ] || fail "no third conflict: $("$UNYO" sync conflicts --csv --db "$a")"
"$UNYO" host remove web02 --db "$a" >/dev/null
out=$(must_fail "$UNYO" sync conflicts reapply "$id3" --db "$a")
assert_contains "$out" "no longer exists" "a conflict on a removed host is refused"
ok "a conflict on a record that is gone is refused"
finish
