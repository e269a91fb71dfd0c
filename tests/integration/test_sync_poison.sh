#!/usr/bin/env bash
# Issue 11 §3: one row the central database refuses (a check's output holding
# \377, stored as is by an older unyo) blocked every later sync for ever. Against
# a real PostgreSQL 15: a store upgraded from before migration 008 has such rows
# repaired and synced; a row the central database still refuses is set aside
# (named by --status, counted in the sync output), everything else flows, and a
# repaired set-aside row goes on the next round; a job whose output holds \377
# is stored as valid UTF-8 and syncs.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start
build_driver

a=$(new_store a)
"$DRIVER" "$a" 11 40
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null || fail "central init"
sync_q "$a" || fail "first sync"
origin=$(sqlite3 "$a" "SELECT value FROM local_meta WHERE key = 'origin'")
version=$(sqlite3 "$a" "PRAGMA user_version")

# raw_row DB ID DETAIL-HEX: an audit row (append-only) written straight through
# SQLite, bytes as they are, the way an older unyo stored a server's output.
raw_row() {
  sqlite3 "$1" "INSERT INTO audit(id, at, action, kind, detail, hlc, origin) VALUES ('$2', \
'2026-11-24T00:00:00.000Z', 'check.run', 'checklist_events', CAST(X'$3' AS TEXT), 1, '$origin')"
}
# "load 4.22 <ff> done"
BAD=6c6f616420342e323220ff20646f6e65

# ---- a store from before migration 008 ---------------------------------------
raw_row "$a" 01JLEGACY0000000000000000A $BAD
"$DRIVER" "$a" 12 10
# What the older unyo's store looked like: no migration 008 yet, nor any later one
# (each undone here, newest first: 031 jobs.wait_*/run_when and job_runs.wait_*/judged_at, 030 checklist_events.level, 028 hosts.parents and checklist_events.unreachable_via/conn_failed, 027 jobs.closed_day and job_runs.nominal_day/duration_flag/usual_ms, 024 downtimes and checklist_events.downtime_id, 022 check_acks, 021 incidents.sla_*, 019 operators.changed_by, 018 jobs.scope, 013 an index on audit, 012 widened a CHECK (run
# again it changes nothing), 011 added hosts.ssh_config, 010 jobs.host_role, 009
# hosts.transport; 014 the records' chain, its tables and triggers; 015
# local_passphrases; 016 the recordings' search index). A migration added after 031
# must be undone here too.
schema_dir=$(dirname "$0")/../../data/schema
pos008=$(ls "$schema_dir" | sort | grep -n '^008_' | cut -d: -f1)
last=$(ls "$schema_dir" | sort | tail -1)
[ "$last" = 031_job_conditions.sql ] && [ "$version" = "$(ls "$schema_dir" | wc -l)" ] ||
  fail "a migration after 031 ($last): undo it in this test too"
undo014=$(sqlite3 "$a" "SELECT group_concat('DROP TRIGGER ' || name, '; ') FROM sqlite_master \
WHERE type = 'trigger' AND name LIKE 'local\_chain\_%' ESCAPE '\'")
sqlite3 "$a" "$undo014; DROP TABLE local_chain; DROP TABLE local_chain_rows; \
DROP TABLE local_chain_heads; DROP TABLE local_chain_dirty"
sqlite3 "$a" "ALTER TABLE jobs DROP COLUMN wait_file; ALTER TABLE jobs DROP COLUMN wait_stable; ALTER TABLE jobs DROP COLUMN wait_until; ALTER TABLE jobs DROP COLUMN run_when; ALTER TABLE job_runs DROP COLUMN wait_path; ALTER TABLE job_runs DROP COLUMN wait_size; ALTER TABLE job_runs DROP COLUMN wait_since; ALTER TABLE job_runs DROP COLUMN wait_found; ALTER TABLE job_runs DROP COLUMN judged_at; ALTER TABLE checklist_events DROP COLUMN level; ALTER TABLE hosts DROP COLUMN parents; ALTER TABLE checklist_events DROP COLUMN unreachable_via; ALTER TABLE checklist_events DROP COLUMN conn_failed; ALTER TABLE jobs DROP COLUMN closed_day; ALTER TABLE job_runs DROP COLUMN nominal_day; ALTER TABLE job_runs DROP COLUMN duration_flag; ALTER TABLE job_runs DROP COLUMN usual_ms; DROP TABLE downtimes; ALTER TABLE checklist_events DROP COLUMN downtime_id; DROP TABLE check_acks; DROP INDEX checklist_events_check; ALTER TABLE incidents DROP COLUMN sla_ack_due; ALTER TABLE incidents DROP COLUMN sla_ack_result; ALTER TABLE incidents DROP COLUMN sla_first_due; ALTER TABLE incidents DROP COLUMN sla_first_result; ALTER TABLE incidents DROP COLUMN sla_recovery_due; ALTER TABLE incidents DROP COLUMN sla_recovery_result; ALTER TABLE operators DROP COLUMN changed_by; ALTER TABLE jobs DROP COLUMN scope; DROP TABLE local_session_fts; \
DROP TABLE local_session_indexed; DROP TABLE IF EXISTS local_passphrases; \
DROP INDEX audit_sync_conflict; ALTER TABLE hosts DROP COLUMN ssh_config; \
ALTER TABLE jobs DROP COLUMN host_role; ALTER TABLE hosts DROP COLUMN transport; \
DROP TABLE local_sync_setaside; DELETE FROM local_meta WHERE key = 'utf8_repair'; \
PRAGMA user_version = $((pos008 - 1))"
[ "$(sqlite3 "$a" "SELECT hex(detail) FROM audit WHERE id = '01JLEGACY0000000000000000A'")" = \
  "$(echo $BAD | tr a-f A-F)" ] || fail "the legacy row does not hold the raw byte"
out=$("$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a" 2>&1) || fail "sync after the upgrade: $out"
assert_not_contains "$out" "invalid byte sequence" "the upgraded store syncs"
[ "$(pg_psql "SELECT detail FROM unyo.audit WHERE id = '01JLEGACY0000000000000000A'")" = \
  'load 4.22 \xff done' ] && ok "the legacy row was repaired (\\xff as text) and reached the central database" ||
  fail "central legacy row: $(pg_psql "SELECT detail FROM unyo.audit WHERE id = '01JLEGACY0000000000000000A'")"
[ "$(pending_of "$a")" = 0 ] || fail "pending after the upgrade's sync"
check_complete "$a" || fail "rows missing centrally after the upgrade"
ok "every row of the upgraded store is central"

# ---- a row the central database refuses is set aside ---------------------------
raw_row "$a" 01JPOISON0000000000000000B $BAD
"$DRIVER" "$a" 13 25
before=$(pending_of "$a")
out=$("$UNYO" --lang en sync --url "$UNYO_TEST_PGURL" --db "$a" 2>&1) || fail "sync with a refused row failed: $out"
assert_contains "$out" "1 rows refused by the central database are set aside" "sync says a row was set aside"
[ "$(pending_of "$a")" = 0 ] || fail "pending after a round with a refused row: $(pending_of "$a")"
ok "everything else flowed ($before pending before)"
[ "$(pg_psql "SELECT count(*) FROM unyo.audit WHERE id = '01JPOISON0000000000000000B'")" = 0 ] ||
  fail "the refused row is central"
status=$("$UNYO" --lang en sync --status --db "$a")
assert_contains "$status" "Set aside (refused" "--status has a set-aside section"
assert_contains "$status" "audit 01JPOISON0000000000000000B" "--status names the refused row"
assert_contains "$status" "invalid byte sequence" "--status gives the server's reason"
json=$("$UNYO" sync --status --json --db "$a")
assert_contains "$json" '"table": "audit", "pending": 0, "pushed_total": ' "--status --json lists audit (counts as JSON numbers)"
assert_contains "$(echo "$json" | grep '"audit"')" '"set_aside": 1}' "--status --json counts the set-aside row in its table"
status_ja=$("$UNYO" --lang ja sync --status --db "$a")
assert_contains "$status_ja" "保留中" "--status in Japanese"
# Later changes keep flowing.
"$DRIVER" "$a" 14 10
out=$("$UNYO" --lang en sync --url "$UNYO_TEST_PGURL" --db "$a" 2>&1) || fail "later sync: $out"
[ "$(pending_of "$a")" = 0 ] || fail "later changes stuck"
ok "later changes go while the row stays set aside"
# --retry: still refused, set aside again, the round still succeeds.
out=$("$UNYO" --lang en sync --retry --url "$UNYO_TEST_PGURL" --db "$a" 2>&1) || fail "sync --retry: $out"
assert_contains "$out" "1 rows refused" "--retry sends it again; still refused, set aside again"
# Repaired (as the store's repair pass does), it goes on the next round.
sqlite3 "$a" "INSERT OR REPLACE INTO local_meta(key, value) VALUES('utf8_repair', 'pending')"
out=$("$UNYO" --lang en sync --url "$UNYO_TEST_PGURL" --db "$a" 2>&1) || fail "sync after repair: $out"
assert_not_contains "$out" "set aside" "nothing set aside after the repair"
[ "$(pg_psql "SELECT detail FROM unyo.audit WHERE id = '01JPOISON0000000000000000B'")" = \
  'load 4.22 \xff done' ] && ok "the repaired row reached the central database" || fail "repaired row not central"
status=$("$UNYO" --lang en sync --status --db "$a")
assert_not_contains "$status" "Set aside (refused" "--status: nothing set aside any more"
check_complete "$a" || fail "rows missing centrally"

# ---- fresh server output: a job printing \377 --------------------------------------
cat >"$T/jobs.ini" <<'JOBS'
[Z377]
name_ja = 不正バイト
name_en = Invalid byte
period = daily
host = local-test
command = printf 'cpu \377 high\n'
JOBS
"$UNYO" host add local-test --address 127.0.0.1 --db "$a" >/dev/null 2>&1 || fail "host add"
"$UNYO" jobs load --file "$T/jobs.ini" --db "$a" >/dev/null 2>&1 || fail "jobs load"
{
  "$UNYO" jobs due --date 2026-11-24 --db "$a" >/dev/null
  "$UNYO" jobs run Z377 --local --date 2026-11-24 --db "$a" >/dev/null 2>&1 || true
  [ "$(sqlite3 "$a" "SELECT output FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'Z377'")" = \
    'cpu \xff high' ] && ok "a job's \\377 is stored as \\xff text" ||
    fail "job output: $(sqlite3 "$a" "SELECT hex(output) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'Z377'")"
  out=$("$UNYO" --lang en sync --url "$UNYO_TEST_PGURL" --db "$a" 2>&1) || fail "sync of the job's run: $out"
  assert_not_contains "$out" "set aside" "the job's run syncs"
  check_complete "$a" || fail "rows missing centrally after the job"
}
finish
