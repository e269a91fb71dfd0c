#!/usr/bin/env bash
# Issue 15, dependencies: a host's parents (hosts.parents, migration 028) travel with
# the host row through the central PostgreSQL database: set on one console, listed
# on the other, chained there (audit verify clean), and cleared there back again.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start
export UNYO_NOW=2026-11-24T10:00:00+09:00

a=$(new_store a)
b=$(new_store b)
for h in core-sw01 hv01 srv1; do
  "$UNYO" host add "$h" --db "$a" >/dev/null || fail "host add $h"
done
"$UNYO" host parents srv1 --set core-sw01,hv01 --db "$a" >/dev/null || fail "host parents on a"
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null || fail "central init"
sync_q "$a" || fail "sync of a"
[ -n "$(pg_psql "SELECT parents FROM unyo.hosts WHERE name = 'srv1'")" ] &&
  ok "the parents reached the central database" || fail "central hosts.parents is empty"
sync_q "$b" || fail "sync of b"
out=$("$UNYO" host parents srv1 --json --db "$b")
assert_contains "$out" '"parent": "core-sw01"' "the other console lists core-sw01"
assert_contains "$out" '"parent": "hv01"' "and hv01"
out=$("$UNYO" audit verify --db "$b" 2>&1) || fail "verify of b: $out"
assert_contains "$out" "Nothing was changed unseen" "the pulled host row is chained and verifies"

"$UNYO" host parents srv1 --clear --db "$b" >/dev/null || fail "clear on b"
sync_q "$b" || fail "second sync of b"
sync_q "$a" || fail "second sync of a"
out=$("$UNYO" host parents srv1 --lang en --db "$a")
assert_contains "$out" "srv1 has no parents" "clearing on b reaches a"
finish
