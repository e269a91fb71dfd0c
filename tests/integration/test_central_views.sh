#!/usr/bin/env bash
# The central database as an engineer reads it (issue 17), against a real
# PostgreSQL 15: `unyo central init` makes schema ledger with a typed view per
# ledger table (timestamptz, boolean, integer, jsonb ...), a comment in Japanese
# and English on every view, mirror table and column, and the views people ask
# for. SLA achievement for a month is one SELECT and agrees with `unyo sla
# report`. A value a console wrote that does not parse reads as NULL, never as an
# error. An older central database is migrated in place: nothing lost or sent
# again, sync keeps working before and after.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start

a=$T/a.db
# The demo's incidents as of the 20th of last month (JST): every SLA step is long
# settled by now, so the view and `unyo sla report` (both at the real clock) cannot
# see a step fall due between them, and the month is whole whatever today is.
month=$(TZ=Asia/Tokyo date -d "$(TZ=Asia/Tokyo date +%Y-%m-15) -1 month" +%Y-%m)
UNYO_NOW="${month}-20T12:00:00+09:00" "$UNYO" demo --db "$a" >/dev/null
out=$("$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "search_path" "central init says how to reach the views"
sync_q "$a"
q() { pg_psql "$1"; }

# Typed views, one per ledger table.
n=$(sqlite3 "$a" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'local\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%\_fts%' ESCAPE '\'")
[ "$(q "SELECT count(*) FROM pg_views WHERE schemaname = 'ledger' AND viewname IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'unyo')")" = "$n" ] ||
  fail "not one view per ledger table ($n)"
[ "$(q "SET search_path TO ledger, public; SELECT count(*) FROM incidents")" = "$(sqlite3 "$a" "SELECT count(*) FROM incidents")" ] ||
  fail "ledger.incidents does not hold the incidents"
types=$(q "SELECT string_agg(column_name || ':' || data_type, ' ' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'ledger' AND table_name = 'incidents' AND column_name IN ('received_at', 'deleted', 'impact', 'hlc', 'sla_recovery_due')")
[ "$types" = "deleted:boolean hlc:bigint impact:integer received_at:timestamp with time zone sla_recovery_due:timestamp with time zone" ] ||
  fail "ledger.incidents types: $types"
[ "$(q "SELECT data_type FROM information_schema.columns WHERE table_schema = 'ledger' AND table_name = 'incident_events' AND column_name = 'data'")" = jsonb ] ||
  fail "event data is not jsonb"
[ "$(q "SELECT data_type FROM information_schema.columns WHERE table_schema = 'ledger' AND table_name = 'shifts' AND column_name = 'day'")" = date ] ||
  fail "a day is not a date"
ok "a typed view per ledger table: timestamptz, boolean, integer, bigint, jsonb, date"

# A comment on every view, mirror table and column (Japanese / English).
missing=$(q "SELECT string_agg(c.table_schema || '.' || c.table_name || '.' || c.column_name, ' ') FROM information_schema.columns c WHERE (c.table_schema = 'ledger' OR (c.table_schema = 'unyo' AND c.table_name NOT IN ('meta', 'chain_heads', 'job_claims') AND c.column_name <> 'server_seq')) AND col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position) IS NULL")
[ -z "$missing" ] || fail "columns without a comment: $missing"
missing=$(q "SELECT string_agg(n.nspname || '.' || c.relname, ' ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'ledger' AND c.relkind = 'v' AND obj_description(c.oid, 'pg_class') IS NULL")
[ -z "$missing" ] || fail "views without a comment: $missing"
comment=$(q "SELECT col_description('ledger.incidents'::regclass, (SELECT ordinal_position FROM information_schema.columns WHERE table_schema = 'ledger' AND table_name = 'incidents' AND column_name = 'received_at')::int)")
case "$comment" in *受付*" / "*) ok "every view, table and column has a comment (ja / en): $comment" ;; *) fail "comment: $comment" ;; esac

# SLA achievement for a month in one SELECT, as unyo sla report counts it.
from=$month-01 to=$(date -d "$month-01 +1 month -1 day" +%Y-%m-%d)
report=$("$UNYO" sla report --from "$from" --to "$to" --csv --section sla --db "$a" | tail -n +2 |
  awk -F, '{sub(/ /, "_", $2); print $1 "," $2 "," $4 "," $5 "," $6}' | sort)
view=$(q "SELECT priority || ',' || step || ',' || incidents || ',' || met || ',' || missed FROM ledger.sla_monthly WHERE month = '$month'" | sort)
[ -n "$view" ] || fail "ledger.sla_monthly has nothing for $month"
[ "$report" = "$view" ] || { printf 'report:\n%s\nview:\n%s\n' "$report" "$view" >&2; fail "ledger.sla_monthly differs from unyo sla report"; }
ok "SLA achievement for $month in one SELECT, the same as unyo sla report"
open_view=$(q "SELECT count(*) FROM ledger.open_incidents")
open_cli=$(sqlite3 "$a" "SELECT count(*) FROM incidents WHERE deleted = 0 AND status NOT IN ('draft', 'recovered', 'closed')")
[ "$open_view" = "$open_cli" ] && [ "$open_view" -gt 0 ] || fail "open_incidents: $open_view, store: $open_cli"
q "SELECT ref, library, priority, next_step_ja, sla_state FROM ledger.open_incidents ORDER BY next_due LIMIT 3" >"$T/open.txt"
grep -q "INC-" "$T/open.txt" || fail "open_incidents: $(cat "$T/open.txt")"
for v in today_checks today_job_runs today_changes references; do
  q "SELECT count(*) FROM ledger.\"$v\"" >/dev/null || fail "ledger.$v does not answer"
done
[ "$(q "SELECT references_table FROM ledger.\"references\" WHERE table_name = 'incidents' AND column_name = 'library_id'")" = libraries ] ||
  fail "ledger.references does not say incidents.library_id -> libraries"
ok "open incidents with their SLA, today's checks, runs and changes, the references between tables"

# What a console wrote that does not parse reads as NULL, never as an error.
q "INSERT INTO unyo.incidents (id, server_seq, ref, status, priority, received_at, deleted, impact, hlc, origin, title)
   VALUES ('bad-row', nextval('unyo.server_seq'), 'INC-BAD', 'received', 'P1', '2026-02-30T99:00:00Z', 7, 99999999999, 1, 'x', 't')" >/dev/null
[ "$(q "SELECT coalesce(received_at::text, 'null') || ' ' || deleted || ' ' || coalesce(impact::text, 'null') FROM ledger.incidents WHERE id = 'bad-row'")" = "null true null" ] ||
  fail "a bad value: $(q "SELECT received_at, deleted, impact FROM ledger.incidents WHERE id = 'bad-row'")"
q "SELECT count(*) FROM ledger.sla_monthly" >/dev/null || fail "a bad row breaks sla_monthly"
q "DELETE FROM unyo.incidents WHERE id = 'bad-row'" >/dev/null
ok "a value that does not parse reads as NULL; the views still answer"

# An older central database (before the views, the SLA columns and changed_by) is
# migrated in place: nothing lost, nothing sent again, sync goes on.
ver=$(q "SELECT value FROM unyo.meta WHERE key = 'store_version'")
rows=$(q "SELECT count(*) FROM unyo.incidents")
q "DROP SCHEMA ledger CASCADE; ALTER TABLE unyo.incidents DROP COLUMN sla_ack_due, DROP COLUMN sla_ack_result, DROP COLUMN sla_first_due, DROP COLUMN sla_first_result, DROP COLUMN sla_recovery_due, DROP COLUMN sla_recovery_result; ALTER TABLE unyo.operators DROP COLUMN changed_by; UPDATE unyo.meta SET value = '$((ver - 2))' WHERE key = 'store_version'" >/dev/null
out=$(must_fail "$UNYO" sync --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "unyo central init" "a console refuses to sync with the older central database and says what to do"
seq_before=$(q "SELECT last_value FROM unyo.server_seq")
out=$("$UNYO" central init --url "$UNYO_TEST_PGURL" --db "$a")
assert_contains "$out" "Upgraded the central schema" "central init upgrades it in place"
[ "$(q "SELECT count(*) FROM unyo.incidents")" = "$rows" ] || fail "rows lost in the migration"
# The incidents from before the SLA columns get them in place, computed by unyo.
view=$(q "SELECT priority || ',' || step || ',' || incidents || ',' || met || ',' || missed FROM ledger.sla_monthly WHERE month = '$month'" | sort)
[ "$report" = "$view" ] || { printf 'report:\n%s\nview:\n%s\n' "$report" "$view" >&2; fail "the migrated incidents' SLA columns differ from unyo sla report"; }
ok "the incidents from before the SLA columns have them after the migration, as unyo sla report counts"
[ "$(q "SELECT last_value FROM unyo.server_seq")" = "$seq_before" ] || fail "the migration re-stamped rows"
out=$("$UNYO" sync --csv --url "$UNYO_TEST_PGURL" --db "$a")
[ "$(echo "$out" | wc -l)" -le 1 ] || fail "rows sent again after the migration: $out"
[ "$(q "SELECT count(*) FROM ledger.sla_monthly")" -gt 0 ] || fail "no views after the migration"
lib=$(sqlite3 "$a" "SELECT code FROM libraries ORDER BY code LIMIT 1")
out=$("$UNYO" incident new --library "$lib" --channel phone --title "移行後の障害" --impact 1 --urgency 1 --db "$a")
ref=$(sqlite3 "$a" "SELECT ref FROM incidents WHERE title = '移行後の障害'")
"$UNYO" incident step "$ref" isolated --note "after" --db "$a" >/dev/null
sync_q "$a"
[ "$(q "SELECT status || ' ' || (sla_recovery_due > received_at) FROM ledger.incidents WHERE ref = '$ref'")" = "isolated true" ] ||
  fail "a step after the migration did not reach the central database with its SLA: $(q "SELECT status, sla_recovery_due FROM ledger.incidents WHERE ref = '$ref'")"
ok "an older central database migrated in place; sync goes on and carries the SLA columns"
finish
