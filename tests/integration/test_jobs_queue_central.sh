#!/usr/bin/env bash
# The job queue across consoles (issue 16): with sync configured, the group and host
# limits also count the live claims of other consoles in the central database
# (unyo.job_claims, a real PostgreSQL 15), runs this store has not pulled yet. Another
# console's live claim in group qg, and one on lib-bk01 (host_limit.lib-bk01 = 1):
# Q1 and H1 wait as queued naming those runs; once the other runs end (or a lease runs
# out) they run. A claim records its group, host and CODE@DAY for the other consoles.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
export UNYO_DATADIR=${UNYO_DATADIR:?}
export UNYO_USER=yamada
DB=$T/unyo.db
D=2026-11-24
U() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }
state() { q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '$D'"; }

pg_start || fail "PostgreSQL did not start"
UNYO_USER=yamada "$UNYO" demo --db "$DB" >/dev/null 2>&1 || fail "demo store"
mkdir -p "$XDG_CONFIG_HOME/unyo"
printf '[sync]\nurl = %s\n[jobs]\nhost_limit.lib-bk01 = 1\n' "$UNYO_TEST_PGURL" >"$XDG_CONFIG_HOME/unyo/config.ini"
chmod 600 "$XDG_CONFIG_HOME/unyo/config.ini"
U central init >/dev/null 2>&1 || fail "central init: $(U central init 2>&1)"
{
    printf '[Q1]\nname_ja = 順番1\nname_en = Queue 1\nperiod = daily\nhost = lib-file01\ngroup = qg\n'
    printf 'expected_start = 05:01\ncommand = echo Q1\n'
    printf '[H1]\nname_ja = 順番H\nname_en = Queue H\nperiod = daily\nhost = lib-bk01\ngroup = hz\n'
    printf 'expected_start = 05:02\ncommand = echo H1\n'
} >"$T/queue.ini"
U jobs load --file "$T/queue.ini" >/dev/null || fail "jobs load"
U jobs due --date $D >/dev/null
for r in $(U jobs due --date $D --csv | awk -F, 'NR > 1 && $2 !~ /^(Q1|H1)$/ {print $1}'); do
    U jobs hold "$r" >/dev/null || fail "hold $r"
done

# Another console runs Z1 (group qg) and Z2 (on lib-bk01, another group): live leases.
pg_psql "INSERT INTO unyo.job_claims (run_id, attempt, holder, holder_name, state, lease_until, concurrency_group, host, ref) VALUES ('other-1', 1, 'o/1', 'console X', 'running', now() + interval '1 hour', 'qg', 'lib-ap02', 'Z1@$D'), ('other-2', 1, 'o/2', 'console X', 'running', now() + interval '1 hour', 'hy', 'lib-bk01', 'Z2@$D')"
out=$(U jobs run --due --local --date $D 2>&1) || fail "runner: $out"
assert_contains "$out" "0 started" "nothing starts while the other console holds the slots"
[ "$(state Q1)" = queued ] && [ "$(state H1)" = queued ] || fail "Q1 $(state Q1), H1 $(state H1)"
csv=$(U jobs due --date $D --csv)
assert_contains "$csv" "concurrency group qg is busy: Z1@$D is running" "Q1 waits for the other console's run of its group"
assert_contains "$csv" "host lib-bk01 is busy: 1 of 1 running (Z2@$D)" "H1 waits for the other console's run on its host"
[ "$(pg_psql "SELECT count(*) FROM unyo.job_claims WHERE ref IN ('Q1@$D', 'H1@$D')")" = 0 ] &&
    ok "a queued run claims nothing centrally" || fail "a queued run was claimed"

# Z1's lease runs out (its runner died); Z2 ends: both slots are free.
pg_psql "UPDATE unyo.job_claims SET lease_until = now() - interval '1 minute' WHERE run_id = 'other-1'"
pg_psql "UPDATE unyo.job_claims SET state = 'succeeded', ended_at = now(), lease_until = NULL WHERE run_id = 'other-2'"
out=$(U jobs run --due --local --date $D 2>&1) || fail "runner: $out"
[ "$(state Q1)" = succeeded ] && [ "$(state H1)" = succeeded ] || fail "Q1 $(state Q1), H1 $(state H1): $out"
ok "once the slots free (a lease run out, a run ended) the queued runs run"
[ "$(pg_psql "SELECT concurrency_group || ' ' || host || ' ' || ref FROM unyo.job_claims WHERE ref = 'Q1@$D'")" = "qg lib-file01 Q1@$D" ] &&
    ok "the claim records its group, host and run for the other consoles" ||
    fail "claim: $(pg_psql "SELECT * FROM unyo.job_claims")"
finish
