#!/usr/bin/env bash
# Sync under failure, against a real PostgreSQL 15: the connection cut
# mid-push and mid-pull (a loopback proxy that resets after N bytes, and
# pg_terminate_backend), the server restarted during a round, `unyo sync`
# killed with SIGKILL mid-round. After recovery: no loss, no duplicates,
# identical stores.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start
build_driver

a=$(new_store a); b=$(new_store b)
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null
"$UNYO" demo --generate 4000 --db "$a" >/dev/null 2>&1
"$DRIVER" "$a" 11 200
before=$(pending_of "$a")

# 1. Cut mid-push: nothing is half-written centrally, nothing is forgotten locally.
start_cutproxy up 400000
out=$(must_fail "$UNYO" sync --url "$PROXY_URL" --db "$a")
stop_cutproxy
assert_contains "$out" "changes stay pending" "a push cut mid-stream fails clearly"
[ "$(pending_of "$a")" = "$before" ] || fail "pending changed after a cut push"
[ "$(central_count incidents)" = 0 ] || fail "a cut push left rows centrally"
ok "a cut push leaves the central database untouched and the changes pending"
sync_q "$a"
check_complete "$a" || fail "after the retried push"
[ "$(pending_of "$a")" = 0 ] || fail "pending after push"
ok "the retried push sends everything once"

# 2. Cut mid-pull: chunks already applied stay, the rest comes next round.
start_cutproxy down 600000
out=$(must_fail "$UNYO" sync --url "$PROXY_URL" --db "$b")
stop_cutproxy
assert_contains "$out" "central database" "a pull cut mid-stream fails clearly"
sync_q "$b"
converge "$a" "$b"
same_exports "$a" "$b" || fail "stores differ after a cut pull"
check_complete "$b" || fail "b incomplete"
ok "after a cut pull, the next round completes it: identical stores"

# 3. pg_terminate_backend mid-push and mid-pull (timing-based, several tries).
"$UNYO" demo --generate 3000 --db "$b" >/dev/null 2>&1
for delay in 0.05 0.15 0.3; do
  ( "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$b" >/dev/null 2>&1 || true ) &
  p=$!
  sleep "$delay"
  pg_psql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'unyo'" >/dev/null
  wait $p
done
converge "$a" "$b"
same_exports "$a" "$b" || fail "stores differ after terminated backends"
check_complete "$a" || fail "a incomplete after terminated backends"
ok "backends terminated mid-round: no loss, no duplicates"

# 4. Server restarted (immediate stop: a crash) during a round.
"$UNYO" demo --generate 3000 --db "$a" >/dev/null 2>&1
( "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a" >"$T/restart.out" 2>&1 || true ) &
p=$!
sleep 0.2
pg_restart
wait $p
converge "$a" "$b"
same_exports "$a" "$b" || fail "stores differ after a server restart"
check_complete "$b" || fail "b incomplete after a server restart"
ok "server restarted during a round: recovered, no loss, no duplicates"

# 5. unyo sync killed with SIGKILL mid-round, at several points.
"$UNYO" demo --generate 3000 --db "$a" >/dev/null 2>&1
"$UNYO" demo --generate 3000 --db "$b" >/dev/null 2>&1
for delay in 0.02 0.1 0.25 0.5; do
  "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null 2>&1 &
  pa=$!
  "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$b" >/dev/null 2>&1 &
  pb=$!
  sleep "$delay"
  kill -9 $pa $pb 2>/dev/null || true
  wait $pa $pb 2>/dev/null || true
  "$DRIVER" "$a" "$RANDOM" 20
done
converge "$a" "$b"
same_exports "$a" "$b" || fail "stores differ after SIGKILL"
check_complete "$a" || fail "a incomplete after SIGKILL"
ok "unyo sync killed mid-round: the next rounds recover, no loss, no duplicates"

# 6. A new console pulls a large backlog: the search index is suspended for
# the bulk apply and rebuilt after, also when the first try is killed.
c=$(new_store c)
"$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$c" >/dev/null 2>&1 &
pc=$!
sleep 0.4
kill -9 $pc 2>/dev/null || true
wait $pc 2>/dev/null || true
converge "$a" "$b" "$c"
same_exports "$a" "$c" || fail "the new console differs"
[ "$(sqlite3 "$c" "SELECT count(*) FROM local_sync_meta WHERE key = 'search_suspended' AND value IS NOT NULL")" = 0 ] || fail "search index left suspended"
q="SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_fts_%') || ' ' || (SELECT count(*) FROM search_fts_map)"
[ "$(sqlite3 "$c" "$q")" = "$(sqlite3 "$a" "$q")" ] || fail "search index of the new console: $(sqlite3 "$c" "$q") vs $(sqlite3 "$a" "$q")"
ok "a bulk pull (killed once) leaves a complete search index"
finish
