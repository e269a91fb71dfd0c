#!/usr/bin/env bash
# After a large pull the search index is rebuilt after the rows are committed
# (issue 16), against a real PostgreSQL 15: `unyo sync --no-index` leaves it
# suspended, `unyo search` still finds a pulled incident (a scan of the rows,
# complete), and the next `unyo sync` rebuilds it, after which search uses the
# index again. A plain `unyo sync` rebuilds before it exits and says so.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start

a=$(new_store a)
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null
"$UNYO" demo --generate 5000 --db "$a" >/dev/null 2>&1
"$UNYO" incident new --library CEN --channel phone --title "quokkagate sensor jammed" \
  --impact 2 --urgency 2 --db "$a" >/dev/null
ref=$(incident_ref "$a" "quokkagate sensor jammed")
sync_q "$a"

flag() { sqlite3 "$1" "SELECT coalesce((SELECT value FROM local_sync_meta WHERE key = 'search_suspended'), '')"; }
suspended() { sqlite3 "$1" "SELECT count(*) FROM local_meta WHERE key = 'search_suspended_triggers'"; }
indexed() { sqlite3 "$1" "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"quokkagate\"'"; }

# 1. --no-index: the rows are in, the index waits, search still finds them.
b=$(new_store b)
"$UNYO" sync --no-index --url "$UNYO_TEST_PGURL" --db "$b" >"$T/out" 2>"$T/err"
[ "$(incident_ref "$b" "quokkagate sensor jammed")" = "$ref" ] || fail "the incident was not pulled"
[ "$(flag "$b")" = 1 ] || fail "the pull did not leave the index to build (flag '$(flag "$b")')"
[ "$(suspended "$b")" = 1 ] || fail "the index is not suspended after --no-index"
[ "$(indexed "$b")" = 0 ] || fail "the pulled incident is already indexed"
! grep -q "search index" "$T/err" || fail "--no-index still built the index: $(cat "$T/err")"
ok "sync --no-index commits the pulled rows and leaves the search index suspended"
out=$("$UNYO" search quokkagate --db "$b" 2>&1)
assert_contains "$out" "$ref" "search finds the pulled incident while the index is suspended"
out=$("$UNYO" search "sensor jam" --scope incidents --db "$b" 2>&1)
assert_contains "$out" "$ref" "two words, one of them short, find it too"
case $out in *"latest"*) fail "a search on the suspended index says it is partial: $out" ;; esac
ok "the scan of a suspended index is complete (no partial note)"

# 2. The next sync builds it: search uses the index again.
"$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$b" >/dev/null 2>"$T/err"
[ "$(flag "$b")" = "" ] || fail "the flag stayed after the next sync: $(flag "$b")"
[ "$(suspended "$b")" = 0 ] || fail "the index is still suspended after the next sync"
[ "$(indexed "$b")" = 1 ] || fail "the pulled incident is not in the index"
q="SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_fts_%') || ' ' || (SELECT count(*) FROM search_fts_map)"
[ "$(sqlite3 "$b" "$q")" = "$(sqlite3 "$a" "$q")" ] || fail "index of b: $(sqlite3 "$b" "$q") vs $(sqlite3 "$a" "$q")"
out=$("$UNYO" search quokkagate --db "$b" 2>&1)
assert_contains "$out" "$ref" "search finds it through the rebuilt index"
ok "the next sync rebuilds the search index and search uses it again"

# 3. A plain sync of a large backlog rebuilds before it exits, and says so.
c=$(new_store c)
"$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$c" --lang ja >"$T/out" 2>"$T/err"
assert_contains "$(cat "$T/err")" "検索索引" "sync says (in Japanese) that it builds the search index"
[ "$(flag "$c")" = "" ] && [ "$(suspended "$c")" = 0 ] && [ "$(indexed "$c")" = 1 ] ||
  fail "a plain sync left the index suspended"
"$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null
ok "a plain sync of a large backlog leaves a complete search index"
finish
