#!/usr/bin/env bash
# Issue 14, "Records no one can rewrite unseen", against a real PostgreSQL: every
# sync leaves this console's chain head in the central database (unyo.chain_heads);
# `unyo audit verify --url` compares the local chain with every head recorded, so a
# store whose history was rewritten AND re-chained from scratch — which verifies
# clean on its own — is caught and the rewritten link named. Rows pulled from another
# console are chained on arrival and verify clean there.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start
build_driver

a=$(new_store a)
b=$(new_store b)
"$DRIVER" "$a" 11 40
"$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a" >/dev/null || fail "central init"
sync_q "$a" || fail "first sync of a"
"$DRIVER" "$a" 12 20
sync_q "$a" || fail "second sync of a"
origin=$(sqlite3 "$a" "SELECT value FROM local_meta WHERE key = 'origin'")
heads=$(pg_psql "SELECT count(*) FROM unyo.chain_heads WHERE origin = '$origin'")
[ "$heads" = 2 ] && ok "each sync recorded the chain head centrally (2 heads)" || fail "central heads: $heads"
[ "$(pg_psql "SELECT hash FROM unyo.chain_heads WHERE origin = '$origin' ORDER BY seq DESC LIMIT 1")" = \
  "$(sqlite3 "$a" "SELECT lower(hex(hash)) FROM local_chain_heads WHERE origin = '$origin'")" ] &&
  ok "the newest central head is the local one" || fail "central head differs from the local head"

out=$("$UNYO" audit verify --url "$UNYO_TEST_PGURL" --db "$a" 2>&1) || fail "clean verify: $out"
assert_contains "$out" "and 2 chain heads the central database recorded" "verify compared both heads"
assert_contains "$out" "Nothing was changed unseen" "a clean store verifies against central"

# Another console pulls a's rows: chained there on arrival, under a's origin.
sync_q "$b" || fail "sync of b"
out=$("$UNYO" audit verify --url "$UNYO_TEST_PGURL" --db "$b" 2>&1) || fail "verify of b: $out"
assert_contains "$out" "Nothing was changed unseen" "pulled rows verify clean on the other console"
[ "$(sqlite3 "$b" "SELECT count(*) FROM local_chain c JOIN local_chain_heads h ON h.o = c.o WHERE h.origin = '$origin'")" -gt 0 ] &&
  ok "the pulled rows are chained under their own origin" || fail "no link of a's origin on b"

# The rewrite: an incident's title changed, then the whole chain thrown away and
# rebuilt (the migration undone and run again), so the store is self-consistent.
id=$(sqlite3 "$a" "SELECT id FROM incidents ORDER BY id LIMIT 1")
[ -n "$id" ] || fail "no incident in a"
undo=$(sqlite3 "$a" "SELECT group_concat('DROP TRIGGER ' || name, '; ') FROM sqlite_master \
WHERE type = 'trigger' AND name LIKE 'local\_chain\_%' ESCAPE '\'")
# The migrations after 014 are undone too (the store's version counts migrations in
# order, so 014 runs again only with those after it): 031 jobs.wait_*/run_when and job_runs.wait_*/judged_at, 030 checklist_events.level, 028 hosts.parents and checklist_events.unreachable_via/conn_failed, 027 jobs.closed_day and job_runs.nominal_day/duration_flag/usual_ms, 024 downtimes and checklist_events.downtime_id, 022 check_acks, 021 incidents.sla_*, 019 operators.changed_by, 018 jobs.scope, 016 the
# recordings' search index, 015 local_passphrases.
schema_dir=$(dirname "$0")/../../data/schema
pos014=$(ls "$schema_dir" | sort | grep -n '^014_' | cut -d: -f1)
last=$(ls "$schema_dir" | sort | tail -1)
[ "$last" = 031_job_conditions.sql ] || fail "a migration after 031 ($last): undo it in this test too"
sqlite3 "$a" "UPDATE incidents SET title = '書き換えた件名' WHERE id = '$id'; $undo; \
DROP TABLE local_chain; DROP TABLE local_chain_rows; DROP TABLE local_chain_heads; \
DROP TABLE local_chain_dirty; ALTER TABLE jobs DROP COLUMN wait_file; ALTER TABLE jobs DROP COLUMN wait_stable; ALTER TABLE jobs DROP COLUMN wait_until; ALTER TABLE jobs DROP COLUMN run_when; ALTER TABLE job_runs DROP COLUMN wait_path; ALTER TABLE job_runs DROP COLUMN wait_size; ALTER TABLE job_runs DROP COLUMN wait_since; ALTER TABLE job_runs DROP COLUMN wait_found; ALTER TABLE job_runs DROP COLUMN judged_at; ALTER TABLE checklist_events DROP COLUMN level; ALTER TABLE hosts DROP COLUMN parents; ALTER TABLE checklist_events DROP COLUMN unreachable_via; ALTER TABLE checklist_events DROP COLUMN conn_failed; ALTER TABLE jobs DROP COLUMN closed_day; ALTER TABLE job_runs DROP COLUMN nominal_day; ALTER TABLE job_runs DROP COLUMN duration_flag; ALTER TABLE job_runs DROP COLUMN usual_ms; DROP TABLE downtimes; ALTER TABLE checklist_events DROP COLUMN downtime_id; DROP TABLE check_acks; DROP INDEX checklist_events_check; ALTER TABLE jobs DROP COLUMN scope; ALTER TABLE operators DROP COLUMN changed_by; \
ALTER TABLE incidents DROP COLUMN sla_ack_due; ALTER TABLE incidents DROP COLUMN sla_ack_result; ALTER TABLE incidents DROP COLUMN sla_first_due; ALTER TABLE incidents DROP COLUMN sla_first_result; ALTER TABLE incidents DROP COLUMN sla_recovery_due; ALTER TABLE incidents DROP COLUMN sla_recovery_result; \
DROP TABLE local_session_fts; DROP TABLE local_session_indexed; DROP TABLE local_passphrases; \
PRAGMA user_version = $((pos014 - 1))"
out=$("$UNYO" audit verify --db "$a" 2>&1) || fail "the re-chained store should look clean on its own: $out"
assert_contains "$out" "Nothing was changed unseen" "re-chained, the store looks clean without central"
if out=$("$UNYO" audit verify --url "$UNYO_TEST_PGURL" --db "$a" 2>&1); then
  fail "verify against central passed a rewritten history: $out"
fi
assert_contains "$out" "the history of this store was rewritten: link" "central's heads catch the rewritten history (exit 1)"
finish
