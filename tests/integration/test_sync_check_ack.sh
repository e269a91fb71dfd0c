#!/usr/bin/env bash
# Issue 15: an acknowledgement of a check problem is a ledger row like the others:
# it reaches another console through the central PostgreSQL database (the problem
# shows acknowledged there, by whom), is chained there on arrival (audit verify
# clean), and taking it back on that console reaches the first one. A result's level
# (WARN, migration 030) reaches the other console too.
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
[inode]
template = L025
command = echo use=85
pattern = use=(?<use>\d+)
warn = use > 80
crit = use > 95
value = use
INI
"$UNYO" check run --checks "$T/checks.ini" --db "$a" >/dev/null 2>&1 || true # exit 3: NG
"$UNYO" check ack srv1 disk --note "vendor on site" --until "2026-11-24 18:00" --db "$a" >/dev/null ||
  fail "check ack on a"
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null || fail "central init"
sync_q "$a" || fail "sync of a"
[ "$(pg_psql "SELECT count(*) FROM unyo.check_acks")" = 1 ] && ok "the ack reached the central database" ||
  fail "central check_acks: $(pg_psql "SELECT count(*) FROM unyo.check_acks")"
sync_q "$b" || fail "sync of b"
out=$("$UNYO" check problems --json --db "$b")
assert_contains "$out" '"acked": true' "the other console shows the problem acknowledged"
assert_contains "$out" '"ack_note": "vendor on site"' "with its note"
# The level of each result travels with it (migration 030): WARN on the other console.
[ "$(pg_psql "SELECT count(*) FROM unyo.checklist_events WHERE level = 'warn'")" = 1 ] &&
  ok "central checklist_events.level: the WARN" ||
  fail "central level: $(pg_psql "SELECT level FROM unyo.checklist_events")"
assert_contains "$out" '"level": "warn"' "the other console lists the inode problem as WARN"
out=$("$UNYO" audit verify --db "$b" 2>&1) || fail "verify of b: $out"
assert_contains "$out" "Nothing was changed unseen" "the pulled ack is chained and verifies"

"$UNYO" check unack srv1 disk --db "$b" >/dev/null || fail "unack on b"
sync_q "$b" || fail "second sync of b"
sync_q "$a" || fail "second sync of a"
[ "$(sqlite3 "$a" "SELECT ended_reason FROM check_acks")" = unack ] &&
  ok "taking it back on b reaches a" || fail "a: $(sqlite3 "$a" "SELECT ended_reason FROM check_acks")"
out=$("$UNYO" check problems --json --db "$a")
assert_contains "$out" '"acked": false' "a shows the problem no longer acknowledged"
finish
