#!/usr/bin/env bash
# The Jobs pane: the day's runs are created when the pane opens (as `unyo jobs due`
# does), a late run is flagged, r starts a run in the background (the test and demo
# executor, UNYO_JOB_EXECUTOR=local, runs it on this machine) and the UI keeps
# answering while it runs; the detail shows it running with its output so far (the
# runner stores it as it comes), then succeeded with all of it. A failing job shows its
# exit status and incident draft; a manual job is marked by hand and its delivery
# recorded; hold / release; [ ] change the day.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"
export UNYO_JOB_EXECUTOR=local

MARK=$T_DIR/merge.started GO=$T_DIR/merge.go
cat >"$T_DIR/jobs.ini" <<EOF
[T-MERGE]
name_ja = 貸出返却データ統合（テスト）
name_en = Loan merge (test)
period = daily
host = lib-ap01
command = echo 'merge started'; : >'$MARK'; while [ ! -e '$GO' ] && [ -e '$MARK' ]; do sleep 0.1; done; echo '統合件数: 42'
timeout = 600
expected_start = 08:00
expected_end = 08:30

[T-FAIL]
name_ja = 失敗するジョブ
name_en = Failing job
period = daily
host = lib-ap01
command = echo 'disk full' >&2; exit 3
timeout = 60
expected_start = 10:00

[T-MANUAL]
name_ja = 帳票の手渡し
name_en = Hand over the lists
period = daily
host = lib-ap01
step = 帳票を印刷する
step = 担当課に渡す
deliver_to = 資料課
expected_start = 11:00
EOF
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" jobs load --file "$T_DIR/jobs.ini" \
    >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"
q() { sqlite3 "$T_DB" "$1"; }
[[ $(q "SELECT count(*) FROM job_runs") == 0 ]] || t_fail "runs exist before the pane opens"

t_start 120 30 --lang en --pane jobs
t_wait "2026-11-24 today — 3 runs"
t_wait "local executor (test and demo)"
t_wait "not started by 08:00" # T-MERGE is late (expected 08:00, now 09:00)
[[ $(q "SELECT count(*) FROM job_runs WHERE due_day = '2026-11-24'") == 3 ]] ||
    t_fail "the pane did not create the day's runs"
t_ok "opening the pane creates the day's runs; the late one is flagged"

# r asks first, naming the job and its host; n starts nothing
t_keys r
t_wait "Run T-MERGE (Loan merge (test)) on lib-ap01 now?"
t_keys n
t_wait "T-MERGE was not started."
[[ $(q "SELECT state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'T-MERGE'") == waiting ]] ||
    t_fail "n started T-MERGE"
t_ok "r asks naming the job and host; n starts nothing"
# r y: T-MERGE (first row) runs in the background
t_keys r
t_wait "(y/n)"
t_keys y
t_wait "T-MERGE: started in the background"
t_wait "runner busy (1)"
t_keys Enter
t_wait "T-MERGE@2026-11-24  Loan merge (test)"
t_wait "State:     running (attempt 1)"
t_wait "running for 0:"
# the console answers while the job runs: scroll the detail and come back
t_keys j k
t_wait "State:     running"
t_wait_cmd '[[ -e $MARK ]]' "" "the command to start"
# the output so far is on screen while the run is still running (the command waits
# after its first line until $GO exists): the runner stores it as it comes, the
# detail reloads by itself
live=0
deadline=$((SECONDS + T_TIMEOUT))
while ((SECONDS < deadline)); do
    scr=$(t_screen 2>/dev/null || true)
    if grep -qF "State:     running" <<<"$scr"; then
        grep -qxF "  merge started" <<<"$scr" && live=1 && break
    elif grep -qF "State:     succeeded" <<<"$scr"; then
        break
    fi
    sleep 0.05
done
((live)) || t_fail "the first line was not shown while the run was running"
grep -qxF "  統合件数: 42" <<<"$scr" && t_fail "the second line shown before the command printed it"
[[ $(q "SELECT state || ':' || output FROM job_runs r JOIN jobs j ON j.id = r.job_id
        WHERE j.code = 'T-MERGE'") == "running:merge started" ]] ||
    t_fail "the store does not hold the output so far of the running run"
t_ok "a running run's output so far shows in the detail, state still running"
: >"$GO"
t_wait "State:     succeeded (attempt 1)"
t_wait "統合件数: 42"
t_wait "merge started"
t_wait "Exit:      0"
t_wait "T-MERGE: 1 started, 1 succeeded"
t_ok "a run goes running → succeeded in the detail view, output shown"

# history of the job in the detail
t_wait "History of T-MERGE"
t_keys Escape
t_wait "State "
t_wait "2026-11-24 today — 3 runs: 0 running, 1 succeeded"

# a failing run: exit status and incident draft
t_keys j r
t_wait "Run T-FAIL"
t_keys y
t_wait "T-FAIL: 1 started, 0 succeeded, 1 failed"
t_keys Enter
t_wait "State:     failed (attempt 1)"
t_wait "Exit:      3"
t_wait "Incident draft: INC-20261124-"
t_wait "disk full"
t_keys Escape
ref=$(q "SELECT i.ref FROM job_runs r JOIN incidents i ON i.id = r.incident_id")
[[ $ref == INC-20261124-* ]] || t_fail "no incident linked to the failed run"
t_wait "$ref"
t_ok "a failed run shows its exit status and incident draft $ref"

# a finished run does not start again; x queues it again (this run only, asked first)
t_keys r
t_wait "T-FAIL is failed: only a waiting or queued run starts"
t_keys x
t_wait "Rerun T-FAIL@2026-11-24"
t_keys Enter
t_wait "Rerun T-FAIL (2026-11-24)? (y/n)"
t_keys y
t_wait "T-FAIL queued again"
t_ok "x reruns the failed job"

# manual work: r explains, m marks, d records a delivery
t_keys j r
t_wait "T-MANUAL is manual work"
t_keys m
t_wait "Mark T-MANUAL"
t_keys Enter # succeeded
t_wait "T-MANUAL: succeeded"
t_type "印刷して手渡し"
t_keys Enter
t_wait_gone "Mark T-MANUAL"
t_wait "T-MANUAL: succeeded"
t_keys d
t_wait "Delivery of T-MANUAL@2026-11-24"
t_wait "資料課"
t_keys Tab Tab
t_type "週次リスト2部"
t_keys Enter
t_wait "Delivery of T-MANUAL to 資料課 recorded."
[[ $(q "SELECT count(*) FROM job_deliveries") == 1 ]] || t_fail "no delivery row"
t_ok "manual job marked; delivery recorded"

# hold is refused for a finished run with the core's message; hold/release a waiting one
t_keys h
t_wait "T-MANUAL@2026-11-24: hold is not allowed while succeeded (only while waiting, queued, waiting for file)"
t_keys k # T-FAIL is queued again
t_keys h
t_wait "T-FAIL: held"
t_wait "held "
t_keys h
t_wait "T-FAIL: queued"
t_ok "hold / release, refusals in the status line"

# a runner outside the console (cron's `unyo jobs run`): the pane follows by itself
t_wait "2026-11-24 today — 3 runs: 0 running, 2 succeeded, 0 failed"
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" jobs run T-FAIL --local \
    >"$T_DIR/run.log" 2>&1 && t_fail "T-FAIL should fail"
t_wait "2026-11-24 today — 3 runs: 0 running, 2 succeeded, 1 failed"
t_ok "a run by another process shows up without a key"

# R runs every due run of the day (here: T-FAIL queued again)
t_keys x
t_wait "Rerun T-FAIL@2026-11-24"
t_keys Enter
t_wait "Rerun T-FAIL (2026-11-24)? (y/n)"
t_keys y
t_wait "T-FAIL queued again"
t_keys R
t_wait "Run every due run of 2026-11-24 now (1 waiting or queued)?"
t_keys n
t_wait "Nothing was started."
[[ $(q "SELECT state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'T-FAIL'") == queued ]] ||
    t_fail "n ran the due runs"
t_keys R
t_wait "(y/n)"
t_keys y
t_wait "2026-11-24: 1 started, 0 succeeded, 1 failed"
t_ok "R asks with the count of due runs; n starts nothing, y runs them"

# the next day: runs are created for it; the previous day comes back
t_keys ]
t_wait "2026-11-25 — 3 runs"
t_keys [
t_wait "2026-11-24 today — 3 runs"
t_keys [
t_wait "2026-11-23 — 0 runs"
t_wait "No runs on this day."
t_keys q
t_wait_exit
t_ok "[ ] change the day"
