#!/usr/bin/env bash
# ctest-resource-lock: unyo-job-tmp-files
# The change ledger and the job queue through the CLI, without SSH (jobs run --local):
# the monthly patch round from its template with a service-hours warning, separation of
# duties, steps in order, config records on done and back on rollback; jobs load / due /
# run / hold / mark / deliver / history, and refusals that leave the store unchanged.
. "$UNYO_TESTLIB/common.sh"
export UNYO_DATADIR=${UNYO_DATADIR:?}
DB=$T/unyo.db
U() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }

UNYO_USER=yamada "$UNYO" demo --db "$DB" >/dev/null 2>&1 || fail "demo store"
export UNYO_USER=yamada

# ---- changes ----
out=$(U change new --template patch-round --month 2026-12 --effect 'patch:lib-wsus01:KB5031234' \
    --effect 'software:lib-web01:nginx 1.22.1' --host lib-wsus01 \
    --window-start "2026-12-12 10:00" --window-end "2026-12-12 12:00" 2>&1)
assert_contains "$out" "Filed change CHG-" "change new from the patch-round template"
assert_contains "$out" "falls in service hours for 120 min" "window in service hours is warned"
REF=$(U change list --csv | awk -F, 'NR == 2 {print $1}')
[ -n "$REF" ] || fail "change list --csv gives the ref"
assert_contains "$(U change show "$REF")" "月例パッチ適用 2026-12" "title from the template"
U change step "$REF" plan >/dev/null || fail "plan"
U change step "$REF" submit >/dev/null || fail "submit"
before=$(q "SELECT count(*) FROM change_events")
out=$(must_fail U change approve "$REF")
assert_contains "$out" "only an engineer" "an operator cannot approve"
out=$(UNYO_USER=sato must_fail U change step "$REF" return)
assert_contains "$out" "--note" "return wants a reason"
[ "$(q "SELECT count(*) FROM change_events")" = "$before" ] && ok "refusals wrote nothing" ||
    fail "refusals wrote events"
UNYO_USER=sato U change approve "$REF" >/dev/null || fail "an engineer approves"
[ "$(q "SELECT o.login FROM changes c JOIN operators o ON o.id = c.approver_id")" = sato ] &&
    ok "approver recorded" || fail "approver"
U change step "$REF" start >/dev/null 2>&1 || fail "start"
out=$(must_fail U change do "$REF" 2)
assert_contains "$out" "in order" "step 2 before step 1 is refused"
for i in 1 2 3 4 5 6 7; do U change do "$REF" $i --output "ok $i" >/dev/null || fail "do $i"; done
U change step "$REF" done >/dev/null || fail "done"
cfg=$(U config list --csv)
assert_contains "$cfg" "lib-wsus01,patch,KB5031234" "done applied the patch record"
assert_contains "$cfg" "lib-web01,software,nginx,1.22.1" "done applied the software record"
json=$(U change show "$REF" --json)
assert_contains "$json" "\"status\":\"done\"" "change show --json"
U change rollback "$REF" --note "業務AP起動不可" >/dev/null || fail "rollback"
assert_not_contains "$(U config list --csv)" "KB5031234" "rollback removed the patch record"
assert_contains "$(U change show "$REF")" "rolled back" "timeline shows the rollback"

# ---- jobs ----
assert_contains "$(U jobs load)" "Installed 35 job definitions" "jobs load"
assert_contains "$(U jobs load)" "Installed 35 job definitions" "jobs load again (upsert)"
[ "$(q "SELECT count(*) FROM jobs")" = 35 ] && ok "no duplicates after a reload" || fail "duplicates"
due=$(U jobs due --date 2026-11-24)
assert_contains "$due" "L071@2026-11-24" "jobs due lists the day's runs"
[ "$(q "SELECT count(*) FROM job_runs WHERE due_day = '2026-11-24'")" = 13 ] && ok "13 runs due" ||
    fail "runs due: $(q "SELECT count(*) FROM job_runs WHERE due_day = '2026-11-24'")"
U jobs due --date 2026-11-24 >/dev/null
[ "$(q "SELECT count(*) FROM job_runs WHERE due_day = '2026-11-24'")" = 13 ] && ok "idempotent" ||
    fail "not idempotent"
U jobs hold L089@2026-11-24 >/dev/null || fail "hold"
out=$(U jobs run --due --local --date 2026-11-24)
assert_contains "$out" "11 started, 11 succeeded, 0 failed" "run --local: all but the held one"
assert_contains "$(U jobs due --date 2026-11-24 --csv)" "L089@2026-11-24,L089,Reservation notice postcards,lib-ap01,held" \
    "the held run stays held"
U jobs release L089@2026-11-24 >/dev/null || fail "release"
assert_contains "$(U jobs run L089 --local --date 2026-11-24)" "1 succeeded" "released run runs"
out=$(must_fail U jobs mark L071@2026-11-24 succeeded)
assert_contains "$out" "command" "a command job's result is the runner's"
U jobs mark L096@2026-11-24 succeeded --note "返送メール 3件をリスト化" >/dev/null ||
    fail "mark a manual job"
U jobs deliver L071@2026-11-24 --to 各館 >/dev/null || fail "deliver"
[ "$(q "SELECT department FROM job_deliveries")" = 各館 ] && ok "delivery recorded" || fail "delivery"
assert_contains "$(U jobs history L071)" "2026-11-24" "history"
show=$(U jobs show L071@2026-11-24)
assert_contains "$show" "/tmp/unyo-job-L071.txt (" "show lists the collected file"
assert_contains "$(U --lang ja jobs due --date 2026-11-24)" "成功" "Japanese states"
# A definition naming a host the site does not have loads as needing a host (it used to
# refuse the whole load), named FILE:LINE, and never runs until a host is assigned.
cat >"$T/bad.ini" <<'EOF'
[Z1]
name_ja = z
name_en = z
period = daily
host = no-such-host
command = true
EOF
out=$(U jobs load --file "$T/bad.ini") || fail "a job on an unknown host refused the load: $out"
assert_contains "$out" "bad.ini:2:" "unknown host names FILE:LINE"
assert_contains "$out" "Z1 needs a host: no host no-such-host in the inventory" "and says why"
[ "$(q "SELECT count(*) FROM jobs WHERE code = 'Z1' AND host_id IS NULL")" = 1 ] &&
    ok "Z1 loaded without a host" || fail "Z1 not loaded"
assert_contains "$(U jobs due --date 2026-11-24 --csv)" "Z1@2026-11-24,Z1,z,,unassigned" "due: unassigned"
out=$(U jobs run --due --local --date 2026-11-24)
assert_contains "$out" "not run: needs a host (unyo jobs assign Z1 HOST)" "the runner says why it skips"
assert_contains "$out" "1 run(s) not started" "and counts it"
[ "$(q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'Z1'")" = waiting ] &&
    ok "Z1 not run" || fail "Z1 ran without a host"
U jobs assign Z1 lib-ap01 >/dev/null || fail "assign"
assert_contains "$(U jobs run Z1 --local --date 2026-11-24)" "1 succeeded" "assigned, it runs"
finish
