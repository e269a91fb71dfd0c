#!/usr/bin/env bash
# A console's store restored from last week's backup, against a real
# PostgreSQL 15: the central database holds changes this console made after
# the backup. A normal round notices, sends nothing and says to run
# `unyo sync --full`; that brings every change back, keeps an edit made since
# the restore, and moves the console's clock past its own earlier versions,
# so its next edit wins everywhere. Running it twice changes nothing.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start

a=$(new_store a); b=$(new_store b)
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null
for h in web01 web03 web04; do "$UNYO" host add "$h" --role AP --db "$a" >/dev/null; done
"$UNYO" incident new --library CEN --channel phone --title "OPAC slow" --impact 2 --urgency 2 \
  --db "$a" >/dev/null
ref=$(incident_ref "$a" "OPAC slow")
sync_q "$a"; sync_q "$b"
backup_store "$a" "$T/backup"

# After the backup: a create, a step, an edit, a delete, all synced. Their
# clocks are a day ahead (as when another console's fast clock was observed),
# so the restored console's own clock starts below them.
tomorrow=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
UNYO_NOW=$tomorrow "$UNYO" incident new --library HIG --channel mail --title "printer jam" \
  --impact 3 --urgency 3 --db "$a" >/dev/null
UNYO_NOW=$tomorrow "$UNYO" incident step "$ref" isolated --note "called back" --db "$a" >/dev/null
UNYO_NOW=$tomorrow "$UNYO" host edit web01 --role DB --db "$a" >/dev/null
UNYO_NOW=$tomorrow "$UNYO" host remove web03 --db "$a" >/dev/null
UNYO_NOW=$tomorrow "$UNYO" host add web02 --role file --db "$a" >/dev/null
UNYO_NOW=$tomorrow sync_q "$a"
sync_q "$b"

restore_store "$T/backup" "$a"
# Edits on the restored store before anyone noticed: web04's is newer than
# the central version of that row, so it must survive; web01's is older than
# the edit made "tomorrow" before the restore, so that one wins.
"$UNYO" host edit web04 --location "2F server room" --db "$a" >/dev/null
"$UNYO" host edit web01 --location "1F" --db "$a" >/dev/null

out=$(must_fail "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "restored from an older copy" "a normal round notices the restored store"
assert_contains "$out" "unyo sync --full" "and tells the operator to run unyo sync --full"
[ "$(central_field hosts location web04)" = "" ] || fail "the restored store pushed before --full"
ok "a restored store sends nothing before --full"
out=$(must_fail "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a" --lang ja)
assert_contains "$out" "unyo sync --full" "the Japanese message names the command"
assert_contains "$out" "復元" "and says, in Japanese, that the store was restored"
out=$("$UNYO" sync --status --db "$a")
assert_contains "$out" "unyo sync --full" "unyo sync --status shows the restored state"
[ "$(sqlite3 "$a" "SELECT count(*) FROM hosts WHERE name = 'web02'")" = 0 ] || fail "pulled own rows before --full"

out=$("$UNYO" sync --full --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "received" "unyo sync --full prints what moved"
assert_contains "$out" "conflicts 1" "--full reports the one edit that lost to a newer version"
web01=$(sqlite3 "$a" "SELECT id FROM hosts WHERE name = 'web01'")
[ "$(sqlite3 "$a" "SELECT count(*) FROM audit WHERE action = 'sync.conflict' AND row_id = '$web01'")" = 1 ] \
  || fail "the lost edit of web01 is not in the audit trail"
ok "the edit that lost is in the audit trail"
[ "$(sqlite3 "$a" "SELECT role || ' ' || deleted || ' ' || coalesce(location, '-') FROM hosts WHERE name = 'web01'")" = "DB 0 -" ] \
  || fail "web01: $(sqlite3 "$a" "SELECT role, deleted, location FROM hosts WHERE name = 'web01'")"
ok "the edit made after the backup is back, over an older edit made since the restore"
[ "$(sqlite3 "$a" "SELECT count(*) FROM hosts WHERE name = 'web03' AND deleted = 0")" = 0 ] || fail "web03 not deleted"
ok "the delete made after the backup is back"
[ "$(sqlite3 "$a" "SELECT role FROM hosts WHERE name = 'web02' AND deleted = 0")" = file ] || fail "web02 missing"
ok "the host created after the backup is back"
assert_contains "$("$UNYO" incident list --csv --db "$a")" "printer jam" "the incident created after the backup is back"
assert_contains "$("$UNYO" incident show "$ref" --db "$a")" "called back" "the step recorded after the backup is back"
[ "$(sqlite3 "$a" "SELECT location FROM hosts WHERE name = 'web04'")" = "2F server room" ] || fail "edit since restore lost"
ok "the edit made on the restored store stays"
assert_not_contains "$("$UNYO" sync --status --db "$a")" "unyo sync --full" "--status no longer reports a restore"
sync_q "$b"
[ "$(sqlite3 "$b" "SELECT location FROM hosts WHERE name = 'web04'")" = "2F server room" ] || fail "b lacks the edit made since the restore"
ok "the edit made on the restored store reaches the other console"
same_exports "$a" "$b" || fail "the restored store differs from the other console after --full"
ok "after --full the restored store matches the other console"

"$UNYO" export --csv "$T/before-again" --db "$a" >/dev/null 2>&1
out=$("$UNYO" sync --full --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "Up to date" "unyo sync --full a second time moves nothing"
"$UNYO" export --csv "$T/after-again" --db "$a" >/dev/null 2>&1
diff -r "$T/before-again" "$T/after-again" >/dev/null || fail "a second --full changed the store"
ok "a second --full leaves the store as it was"

# The console's clock moved past its own versions from before the restore:
# an edit now (today's clock) wins over the one made "tomorrow".
"$UNYO" host edit web01 --role AP --db "$a" >/dev/null
sync_q "$a"; sync_q "$b"
[ "$(sqlite3 "$b" "SELECT role FROM hosts WHERE name = 'web01'")" = AP ] || fail "the new edit lost to the pre-restore version"
ok "a new edit on the restored store wins over its pre-restore version, on the other console too"
converge "$a" "$b"
same_exports "$a" "$b" || fail "stores differ at the end"
ok "both consoles converge to identical exports"
out=$("$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "Up to date" "normal rounds work again after --full"
finish
