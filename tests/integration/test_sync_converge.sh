#!/usr/bin/env bash
# Sync convergence against a real PostgreSQL 15: two and three stores doing
# random offline work (inserts, edits, tombstones, appends, colliding natural
# keys) and syncing in random seeded orders all end byte-identical in
# `unyo export --csv`; the central copy holds every row once.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start
build_driver
SEEDS=${SYNC_SEEDS:-"1 2 3"}

a=$(new_store a)
out=$(must_fail "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "unyo central init" "sync before central init says how to create the schema"
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" | grep -q "Created the central schema" || fail "central init"
ok "central init creates the schema"
out=$("$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "up to date" "central init again is a no-op"

for seed in $SEEDS; do
  pg_psql "DROP SCHEMA unyo CASCADE"
  rm -f "$T"/[abc].db*
  a=$(new_store a); b=$(new_store b); c=$(new_store c)
  "$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null
  stores=("$a" "$b" "$c")
  n=2; [ $((seed % 2)) = 1 ] && n=3
  RANDOM=$seed
  for step in $(seq 24); do
    s=${stores[$((RANDOM % n))]}
    if [ $((RANDOM % 3)) = 0 ]; then
      sync_q "$s"
    else
      "$DRIVER" "$s" "$((seed * 1000 + step))" $((5 + RANDOM % 40))
    fi
  done
  converge "${stores[@]:0:$n}"
  same_exports "${stores[@]:0:$n}" || fail "seed $seed: $n stores differ after sync"
  ok "seed $seed: $n stores converge to identical exports"
  for t in incidents incident_events hosts host_metrics knowledge audit; do
    l=$(local_count "$a" "$t"); r=$(central_count "$t")
    [ "$l" = "$r" ] || fail "seed $seed: $t has $l rows locally, $r centrally"
  done
  ok "seed $seed: central holds every row once"
  [ "$(pending_of "$a")" = 0 ] || fail "pending after convergence"
  # Tombstones travel: a row deleted on one console is deleted everywhere.
  d=$(sqlite3 "$a" "SELECT count(*) FROM incidents WHERE deleted = 1")
  [ "$d" = "$(sqlite3 "$b" "SELECT count(*) FROM incidents WHERE deleted = 1")" ] || fail "tombstones"
done

# A concurrent edit of the same row on two consoles: last writer wins
# everywhere and both versions are in the audit trail.
inc=$(sqlite3 "$a" "SELECT id FROM incidents WHERE deleted = 0 LIMIT 1")
sqlite3 "$a" "UPDATE incidents SET title = 'edit on a', hlc = hlc + 1000, origin = (SELECT value FROM local_meta WHERE key='origin') WHERE id = '$inc'"
sqlite3 "$b" "UPDATE incidents SET title = 'edit on b', hlc = hlc + 2000, origin = (SELECT value FROM local_meta WHERE key='origin') WHERE id = '$inc'"
sync_q "$a"; sync_q "$b"; converge "$a" "$b"
[ "$(sqlite3 "$a" "SELECT title FROM incidents WHERE id = '$inc'")" = "edit on b" ] || fail "LWW"
[ "$(sqlite3 "$b" "SELECT count(*) FROM audit WHERE action = 'sync.conflict' AND row_id = '$inc'")" -ge 1 ] || fail "conflict not audited"
same_exports "$a" "$b" || fail "concurrent edit: stores differ"
ok "a concurrent edit: last writer wins everywhere, the conflict is in the audit trail"

# The central database is lost and re-created empty: consoles notice the new
# instance, upload their history again and converge.
pg_psql "DROP SCHEMA unyo CASCADE"
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$b" >/dev/null
"$DRIVER" "$b" 99 20
converge "$a" "$b"
same_exports "$a" "$b" || fail "stores differ after the central database was re-created"
check_complete "$a" || fail "central incomplete after re-creation"
ok "a re-created central database gets every console's history again"
finish
