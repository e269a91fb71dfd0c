#!/usr/bin/env bash
# The Jobs pane's rerun modes on a 4-job net (NA -> NB -> NC, NA -> ND; NB fails): x offers
# the three modes in a picker and asks, naming every run it puts back; a mode that does not
# apply is refused with the core's words; m on the failed run asks for a reason in a form,
# then asks naming what may start; the run is marked succeeded and NC runs after it.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"
export UNYO_JOB_EXECUTOR=local
LOG=$T_DIR/ran.log

cat >"$T_DIR/net.ini" <<INI
[NA]
name_ja = 集計A
name_en = Job A
period = daily
host = lib-ap01
command = echo NA >> '$LOG'
expected_start = 01:00
[NB]
name_ja = 集計B
name_en = Job B
period = daily
host = lib-ap01
after = NA
command = echo NB >> '$LOG'; test -f '$T_DIR/b_ok'
expected_start = 02:00
[NC]
name_ja = 集計C
name_en = Job C
period = daily
host = lib-ap01
after = NB
command = echo NC >> '$LOG'
expected_start = 03:00
[ND]
name_ja = 集計D
name_en = Job D
period = daily
host = lib-ap01
after = NA
command = echo ND >> '$LOG'
expected_start = 04:00
INI
U() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "$@"; }
q() { sqlite3 "$T_DB" "$1"; }
state() { q "SELECT r.state || '/' || r.attempt FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '2026-11-24'"; }
U jobs load --file "$T_DIR/net.ini" >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"

t_start 160 30 --lang en --pane jobs
t_wait "2026-11-24 today — 4 runs"
# the day's runner outside the console (a timer): NB fails, NC waits for it
U jobs run --local --date 2026-11-24 >"$T_DIR/run.log" 2>&1 && t_fail "NB should fail"
t_wait "4 runs: 0 running, 2 succeeded, 1 failed"
[[ $(state NB) == failed/1 && $(state NC) == waiting/1 ]] || t_fail "NB $(state NB), NC $(state NC)"

# select NB by the filter
t_keys /
t_type "^NB"
t_keys Enter
t_wait "Job B"
t_wait_gone "Job C"

# x: the picker of the three modes
t_keys x
t_wait "Rerun NB@2026-11-24"
t_wait "this run only (as rerun always did)"
t_wait "from this failed run: it and every run after it"
t_wait "the runs after it, not itself"
t_keys G Enter # the runs after it: refused while NB has not succeeded
t_wait "NB@2026-11-24 is failed: the runs after it start only once it has succeeded"
t_wait_gone "this run only (as rerun always did)"
[[ $(state NC) == waiting/1 ]] || t_fail "the refusal changed NC: $(state NC)"
t_ok "x offers the modes; --after on a failed run is refused with the way on"

# x, from the failed run: asks naming the runs; n reruns nothing
t_keys x
t_wait "Rerun NB@2026-11-24"
t_keys j Enter
t_wait "Rerun NB (2026-11-24)? NC, not run yet, follow once it succeeds. (y/n)"
t_keys n
t_wait "NB@2026-11-24: nothing was rerun."
[[ $(state NB) == failed/1 ]] || t_fail "n reran NB: $(state NB)"
t_ok "x asks naming what it reruns and what follows; n reruns nothing"

# m on the failed run: a form for the reason, then a question naming what may start
t_keys m
t_wait "Mark NB@2026-11-24 (failed) succeeded"
t_wait "Reason"
t_type "入力ファイルを手で取り込んだ"
t_keys Enter
t_wait "Mark NB@2026-11-24 succeeded? NC may start then. (y/n)"
t_keys y
t_wait "NB@2026-11-24 marked succeeded; its failure stays in its history"
[[ $(state NB) == succeeded/1 ]] || t_fail "NB: $(state NB)"
[[ $(q "SELECT note FROM job_run_events WHERE kind = 'marked_succeeded'") == 入力ファイルを手で取り込んだ ]] ||
    t_fail "the reason is not in NB's history"
t_ok "m on a failed run: reason, question, marked succeeded"

# NC runs after it; then x, the runs after it: NC alone, asked first
: >"$LOG"
U jobs run --local --date 2026-11-24 >"$T_DIR/run.log" 2>&1 || t_fail "run: $(cat "$T_DIR/run.log")"
[[ $(cat "$LOG") == NC ]] || t_fail "ran: $(cat "$LOG")"
t_keys x
t_wait "Rerun NB@2026-11-24"
t_keys G Enter
t_wait "Rerun NC (2026-11-24)? (y/n)"
t_keys y
t_wait "NC queued again"
[[ $(state NC) == queued/2 && $(state NB) == succeeded/1 ]] || t_fail "NC $(state NC), NB $(state NB)"
t_ok "x, the runs after it: NC queued again, NB not"

# x, from the failed run, on a run that succeeded: refused
t_keys x
t_wait "Rerun NB@2026-11-24"
t_keys j Enter
t_wait "NB@2026-11-24 succeeded: --from-failed reruns a run that did not succeed"
t_ok "--from-failed on a run that succeeded is refused"

# :log says what was done as the equivalent commands (the refusals and the n: nothing)
t_keys :
t_type "log"
t_keys Enter
t_wait "jobs mark NB@2026-11-24 succeeded --reason"
t_wait "jobs rerun NB@2026-11-24 --after"
t_assert_not "jobs rerun NB@2026-11-24 --from-failed"
t_keys Escape
t_wait_gone "jobs rerun NB@2026-11-24 --after"
t_keys q
t_wait_exit
t_ok ":log has the mark and the rerun as commands"
