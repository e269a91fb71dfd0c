#!/usr/bin/env bash
# Issue 15: a downtime is a ledger row like the others: it reaches another console
# through the central PostgreSQL database (listed there, and the NG recorded in it on
# the first console shows as in downtime on the second), is chained there on arrival
# (audit verify clean), and ending it on that console reaches the first one.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start
export UNYO_NOW=2026-11-24T10:00:00+09:00

a=$(new_store a)
b=$(new_store b)
"$UNYO" host add srv1 --db "$a" >/dev/null || fail "host add"
"$UNYO" host edit srv1 --transport local --db "$a" >/dev/null || fail "host edit"
cat >"$T/checks.ini" <<'INI'
[disk]
template = L025
command = echo use=93
pattern = use=(?<use>\d+)
condition = use < 80
value = use
INI
"$UNYO" downtime add srv1 --from "2026-11-24 09:00" --to "2026-11-24 18:00" --reason "disk swap" --db "$a" >/dev/null ||
  fail "downtime add on a"
"$UNYO" check run --checks "$T/checks.ini" --db "$a" >/dev/null 2>&1 || true # exit 3: NG
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null || fail "central init"
sync_q "$a" || fail "sync of a"
[ "$(pg_psql "SELECT count(*) FROM unyo.downtimes")" = 1 ] && ok "the downtime reached the central database" ||
  fail "central downtimes: $(pg_psql "SELECT count(*) FROM unyo.downtimes")"
[ "$(pg_psql "SELECT count(*) FROM unyo.checklist_events WHERE downtime_id IS NOT NULL")" = 1 ] &&
  ok "the NG in downtime reached it naming the downtime" ||
  fail "central checklist_events.downtime_id: $(pg_psql "SELECT count(*) FROM unyo.checklist_events WHERE downtime_id IS NOT NULL")"
sync_q "$b" || fail "sync of b"
out=$("$UNYO" downtime list --json --db "$b")
assert_contains "$out" '"host": "srv1"' "the other console lists the downtime"
assert_contains "$out" '"reason": "disk swap"' "with its reason"
out=$("$UNYO" checklist --lang en --db "$b")
assert_contains "$out" "[downtime] disk: use=93" "the other console's checklist shows the NG as in downtime"
out=$("$UNYO" audit verify --db "$b" 2>&1) || fail "verify of b: $out"
assert_contains "$out" "Nothing was changed unseen" "the pulled downtime is chained and verifies"

"$UNYO" downtime end srv1 --yes --db "$b" >/dev/null || fail "downtime end on b"
sync_q "$b" || fail "second sync of b"
sync_q "$a" || fail "second sync of a"
[ -n "$(sqlite3 "$a" "SELECT ended_at FROM downtimes")" ] &&
  ok "ending it on b reaches a" || fail "a: $(sqlite3 "$a" "SELECT * FROM downtimes")"
out=$("$UNYO" downtime list --db "$a" --lang en)
assert_not_contains "$out" "disk swap" "a no longer lists it"
finish
