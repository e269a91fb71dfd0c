#!/usr/bin/env bash
# ctest-resource-lock: unyo-job-tmp-files
# Jobs on a real site, through the CLI: a fresh `unyo init --template library` store holds
# the shipped jobs, and with no hosts every job with a command "needs a host" — nothing
# fails. `jobs list` and `jobs due` show them, the runner skips them and says why; a DB
# host added and a job assigned, it runs; giving the host its role places the other DB
# jobs; `jobs load` keeps them, and an assignment by a person survives a reload.
. "$UNYO_TESTLIB/common.sh"
export UNYO_DATADIR=${UNYO_DATADIR:?}
DB=$T/unyo.db
U() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }
DAY=2026-11-24 # a Tuesday: L074 (DB, daily) is due

out=$(U init --template library) || fail "init --template library: $out"
assert_contains "$out" "Installed 35 shipped job definitions" "init installs the shipped jobs"
assert_contains "$out" "30 of them need a host" "and says how many need a host"
assert_contains "$out" "change templates: patch-round" "the change templates at hand"
[ "$(q "SELECT count(*) FROM jobs")" = 35 ] && ok "35 jobs in the store" || fail "jobs: $(q "SELECT count(*) FROM jobs")"
[ "$(q "SELECT count(*) FROM jobs WHERE command IS NOT NULL AND host_id IS NULL")" = 30 ] &&
    ok "every job with a command needs a host" || fail "unassigned count"
U operator add tester --role manager --name "テスト 太郎" >/dev/null || fail "operator add"

list=$(U jobs list)
assert_contains "$list" "needs a host" "jobs list shows needs-a-host rows"
l074=$(grep '^L074 ' <<<"$list")
assert_contains "$l074" "needs a host" "L074 needs a host"
assert_contains "$l074" "DB" "with the role its definition names"
assert_contains "$(U --lang ja jobs list)" "対象ホスト未割当" "in Japanese: 対象ホスト未割当"
assert_contains "$(U jobs due --date $DAY)" "needs a host" "jobs due: the day's run needs a host"

out=$(U jobs run --due --local --date $DAY)
assert_contains "$out" "not run: needs a host (unyo jobs assign L074 HOST)" "the runner says why it skips"
assert_contains "$out" "0 started" "nothing runs without a host"
out=$(must_fail U jobs run L074 --local --date $DAY)
assert_contains "$out" "unyo jobs assign L074" "one job asked for: refused with the way out"

U host add db1 --address 127.0.0.1 >/dev/null || fail "host add"
out=$(must_fail U jobs assign L074 nosuch)
assert_contains "$out" "nosuch" "an unknown host is refused"
out=$(U jobs assign L074 db1) || fail "assign: $out"
assert_contains "$out" "L074 now runs on db1" "jobs assign"
assert_contains "$(grep '^L074 ' <<<"$(U jobs list)")" "db1" "jobs list shows the host"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'job.assign'")" = 1 ] && ok "assign audited" || fail "audit"
out=$(U jobs run L074 --local --date $DAY)
assert_contains "$out" "1 succeeded" "assigned, the job runs"
[ "$(q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'L074' AND r.due_day = '$DAY'")" = succeeded ] &&
    ok "L074's run succeeded" || fail "L074 state"
# What a person does to the run is answered with the state it is in now.
out=$(U jobs rerun L074@$DAY) || fail "rerun: $out"
assert_contains "$out" "Run L074@$DAY: queued." "jobs rerun says the run is queued"
out=$(U jobs hold L074@$DAY) || fail "hold: $out"
assert_contains "$out" "Run L074@$DAY: held." "jobs hold says the run is held"
out=$(U jobs cancel L074@$DAY) || fail "cancel: $out"
assert_contains "$out" "Run L074@$DAY: cancelled." "jobs cancel says the run is cancelled"
assert_not_contains "$out" ": cancel." "not the action's name"
U jobs rerun L074@$DAY >/dev/null || fail "rerun after cancel"
out=$(U --lang ja jobs cancel L074@$DAY) || fail "cancel (ja): $out"
assert_contains "$out" "実行 L074@$DAY: 取消。" "in Japanese: 取消"

# The other DB jobs: placed as soon as db1 is the one host of role DB.
db_jobs=$(q "SELECT count(*) FROM jobs WHERE host_role = 'DB' AND command IS NOT NULL")
out=$(U host edit db1 --role DB) || fail "host edit --role: $out"
assert_contains "$out" "Jobs that needed a host of role DB now run on it: $((db_jobs - 1))." \
    "giving a host its role places the jobs waiting for that role"
out=$(U jobs load) || fail "jobs load: $out"
assert_contains "$out" "library.ini:" "each job left without a host is named FILE:LINE"
[ "$(q "SELECT count(*) FROM jobs j JOIN hosts h ON h.id = j.host_id WHERE h.name = 'db1' AND j.command IS NOT NULL")" = "$db_jobs" ] &&
    ok "every DB job with a command runs on db1 ($db_jobs)" || fail "DB jobs not placed"
# A second DB host: a placed job stays; a person moves it.
U host add db2 --address 127.0.0.2 --role DB >/dev/null || fail "host add db2"
U jobs assign L075 db2 >/dev/null || fail "assign L075 db2"
U jobs load >/dev/null || fail "reload"
[ "$(q "SELECT h.name FROM jobs j JOIN hosts h ON h.id = j.host_id WHERE j.code = 'L075'")" = db2 ] &&
    ok "an assignment survives a reload" || fail "L075 moved back"
# An AP host whose role arrived without a placement (as from another console by sync):
# --by-role places every AP job on it; the backup jobs still wait.
U host add ap1 --address 127.0.0.3 >/dev/null || fail "host add ap1"
q "UPDATE hosts SET role = 'AP' WHERE name = 'ap1'"
ap_jobs=$(q "SELECT count(*) FROM jobs WHERE host_role = 'AP' AND command IS NOT NULL AND host_id IS NULL")
left=$(q "SELECT count(*) FROM jobs WHERE host_role = 'backup' AND command IS NOT NULL AND host_id IS NULL")
out=$(U jobs assign --by-role) || fail "assign --by-role: $out"
assert_contains "$out" "$ap_jobs job(s) placed on the only host of their role; $left still need a host" \
    "jobs assign --by-role"
[ "$(q "SELECT count(*) FROM jobs j JOIN hosts h ON h.id = j.host_id WHERE h.name = 'ap1'")" = "$ap_jobs" ] &&
    ok "the AP jobs run on ap1" || fail "AP jobs not on ap1"
# The backup host, added in Japanese: the waiting backup jobs are placed and it says so.
out=$(U --lang ja host add bk1 --address 127.0.0.4 --role backup) || fail "host add bk1: $out"
assert_contains "$out" "役割「バックアップ」のホストを待っていたジョブをこのホストに割り当てました: $left 件。" \
    "in Japanese, naming the role"
[ "$(q "SELECT count(*) FROM jobs WHERE host_role = 'backup' AND command IS NOT NULL AND host_id IS NULL")" = 0 ] &&
    ok "no backup job waits any more" || fail "backup jobs still wait"
finish
