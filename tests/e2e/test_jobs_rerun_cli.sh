#!/usr/bin/env bash
# JP1's rerun modes through the CLI on a 4-job net (A -> B -> C, A -> D) with the local
# executor: B fails; --from-failed reruns B and C (not A, D); --only B alone; --after the
# runs after B (C) only; a failed B marked succeeded with a reason lets C run, and the
# failure stays in B's history. Refusals (a running run, --after with nothing after it,
# a run that did not fail, an unknown run, no reason) write nothing. Each job appends its
# code to a log file: the lines say what ran.
. "$UNYO_TESTLIB/common.sh"
export UNYO_DATADIR=${UNYO_DATADIR:?}
DB=$T/unyo.db
LOG=$T/ran.log
U() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }
DAY=2026-11-24 # a Tuesday, a service day
ran() { tr '\n' ' ' <"$LOG" | sed 's/ $//'; }
state() { q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '$DAY'"; }
attempt() { q "SELECT r.attempt FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '$DAY'"; }
written() { q "SELECT (SELECT count(*) FROM job_run_events) || '/' || (SELECT count(*) FROM audit) || '/' || (SELECT group_concat(state || attempt, ',') FROM (SELECT state, attempt FROM job_runs ORDER BY id))"; }
# The day's runner: exit 1 when a run failed (B, on purpose), so never fatal here.
run_day() { U jobs run --local --date $DAY >"$T/run.out" 2>&1 || true; }

U init >/dev/null || fail "init"
U operator add tester --role manager --name "テスト 太郎" >/dev/null || fail "operator add"
U host add h1 --address 127.0.0.1 >/dev/null || fail "host add"
cat >"$T/net.ini" <<INI
[NA]
name_ja = 集計A
name_en = job A
period = daily
host = h1
command = echo NA >> $LOG
[NB]
name_ja = 集計B
name_en = job B
period = daily
host = h1
after = NA
command = echo NB >> $LOG; test -f $T/b_ok
[NC]
name_ja = 集計C
name_en = job C
period = daily
host = h1
after = NB
command = echo NC >> $LOG
[ND]
name_ja = 集計D
name_en = job D
period = daily
host = h1
after = NA
command = echo ND >> $LOG
[NE]
name_ja = 待機E
name_en = job E
period = daily
host = h1
command = touch $T/e_started; while [ ! -f $T/e_go ]; do sleep 0.1; done
INI
U jobs load --file "$T/net.ini" >/dev/null || fail "load the net"
U jobs due --date $DAY >/dev/null || fail "jobs due"
: >"$T/e_go" # E ends at once in the first round
run_day
[ "$(state NB)" = failed ] && ok "B failed" || fail "B: $(state NB)"
[ "$(state NC)" = waiting ] && ok "C waits for B" || fail "C: $(state NC)"
[ "$(state NA)/$(state ND)" = succeeded/succeeded ] && ok "A and D succeeded" || fail "A/D"

# ---- refusals: nothing written ----
before=$(written)
out=$(must_fail U jobs rerun NB@$DAY --after)
assert_contains "$out" "start only once it has succeeded" "--after on a failed run is refused"
assert_contains "$out" "unyo jobs mark NB@$DAY succeeded --reason" "and names the way on"
out=$(must_fail U jobs rerun ND@$DAY --after)
assert_contains "$out" "ND@$DAY has no runs after it" "--after on a run with no dependents"
out=$(must_fail U jobs rerun NA@$DAY --from-failed)
assert_contains "$out" "NA@$DAY succeeded: --from-failed reruns a run that did not succeed" \
    "--from-failed on a run that succeeded"
out=$(must_fail U jobs rerun NZ@$DAY --from-failed)
assert_contains "$out" "no run of NZ on $DAY" "an unknown run"
out=$(must_fail U jobs mark NA@$DAY succeeded --reason "念のため")
assert_contains "$out" "NA@$DAY is succeeded, not failed" "marking a run that did not fail"
out=$(must_fail U jobs mark NB@$DAY succeeded)
assert_contains "$out" "--reason" "marking a failed run without a reason"
rc=0
U jobs rerun NB@$DAY --from-failed --after >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] && ok "two modes at once: a usage error (exit 2)" || fail "two modes: not exit 2"
out=$(must_fail U --lang ja jobs rerun ND@$DAY --after)
assert_contains "$out" "後に実行するジョブがありません" "refusals in Japanese"
[ "$(written)" = "$before" ] && ok "the refusals wrote nothing" || fail "refusals wrote: $before -> $(written)"

# ---- --from-failed: B and C, not A, D ----
touch "$T/b_ok"
: >"$LOG"
out=$(U jobs rerun NB@$DAY --from-failed) || fail "rerun --from-failed: $out"
assert_contains "$out" "NB@$DAY queued again" "--from-failed queues B"
assert_contains "$out" "start after it as always: NC@$DAY" "and says C follows it"
run_day
[ "$(ran)" = "NB NC" ] && ok "--from-failed ran B and C only" || fail "ran: $(ran)"
[ "$(attempt NA)/$(attempt ND)" = 1/1 ] && ok "A and D not rerun" || fail "A/D attempts"

# ---- --only: B alone ----
: >"$LOG"
out=$(U jobs rerun NB@$DAY --only) || fail "rerun --only: $out"
assert_contains "$out" "Run NB@$DAY: queued." "--only says what rerun always said"
run_day
[ "$(ran)" = "NB" ] && ok "--only ran B alone" || fail "ran: $(ran)"
[ "$(state NC)/$(attempt NC)" = succeeded/1 ] && ok "C (ended) not rerun by --only" || fail "C: $(state NC)/$(attempt NC)"
: >"$LOG"
U jobs rerun NB@$DAY >/dev/null || fail "rerun without a mode"
run_day
[ "$(ran)" = "NB" ] && ok "no mode: --only, as before" || fail "ran: $(ran)"

# ---- --after: C only ----
: >"$LOG"
out=$(U jobs rerun NB@$DAY --after) || fail "rerun --after: $out"
assert_contains "$out" "NC@$DAY queued again" "--after queues C"
assert_not_contains "$out" "NB@$DAY," "and not B"
run_day
[ "$(ran)" = "NC" ] && ok "--after ran C only" || fail "ran: $(ran)"
[ "$(q "SELECT count(*) FROM job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = 'NC' AND e.kind = 'rerun' AND e.note LIKE 'rerun after NB@$DAY%'")" = 1 ] &&
    ok "C's rerun event names B" || fail "C's rerun event"
[ "$(q "SELECT count(*) FROM audit a JOIN operators o ON o.id = a.operator_id WHERE a.action = 'job.rerun' AND o.login = 'tester' AND a.detail LIKE '%\"mode\":\"after\"%'")" = 1 ] &&
    ok "the rerun is audited with the person and the mode" || fail "audit of --after"

# ---- a running run is not rerun ----
rm -f "$T/e_go" "$T/e_started"
U jobs rerun NE@$DAY >/dev/null || fail "rerun E"
U jobs run NE --local --date $DAY >"$T/e.out" 2>&1 &
epid=$!
for _ in $(seq 600); do [ -f "$T/e_started" ] && [ "$(state NE)" = running ] && break; sleep 0.1; done
[ "$(state NE)" = running ] || fail "E did not start"
before=$(written)
out=$(must_fail U jobs rerun NE@$DAY --only)
assert_contains "$out" "NE@$DAY is running" "a running run is not rerun"
[ "$(written)" = "$before" ] && ok "nothing written" || fail "the refusal wrote"
touch "$T/e_go"
wait $epid || fail "E: $(cat "$T/e.out")"

# ---- mark succeeded with a reason: C runs ----
rm -f "$T/b_ok"
: >"$LOG"
U jobs rerun NB@$DAY --only >/dev/null && run_day
[ "$(state NB)" = failed ] || fail "B should fail again: $(state NB)"
out=$(U jobs rerun NB@$DAY --from-failed) || fail "from-failed with C ended: $out"
assert_contains "$out" "NB@$DAY, NC@$DAY queued again" "--from-failed requeues an ended C too"
run_day
[ "$(ran)" = "NB NB" ] && ok "B failed again, C waits" || fail "ran: $(ran)"
[ "$(state NC)" = queued ] || fail "C: $(state NC)"
: >"$LOG"
out=$(U jobs mark NB@$DAY succeeded --reason "手で再処理した") || fail "mark succeeded: $out"
assert_contains "$out" "succeeded" "mark says succeeded"
run_day
[ "$(ran)" = "NC" ] && ok "marked succeeded, C runs" || fail "ran: $(ran)"
show=$(U jobs show NB@$DAY)
assert_contains "$show" "failed" "the failure stays in B's history"
assert_contains "$show" "set succeeded" "the mark is in B's history"
assert_contains "$show" "手で再処理した" "with the reason"
[ "$(q "SELECT o.login FROM job_run_events e JOIN operators o ON o.id = e.operator_id WHERE e.kind = 'marked_succeeded'")" = tester ] &&
    ok "the mark names the person" || fail "who marked"
[ "$(q "SELECT count(*) FROM audit WHERE action = 'job.mark_succeeded' AND detail LIKE '%手で再処理した%'")" = 1 ] &&
    ok "the mark is audited with the reason" || fail "audit of the mark"
[ "$(q "SELECT exit_status FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'NB'")" = 1 ] &&
    ok "B keeps its exit status" || fail "exit status"
assert_contains "$(U --lang ja jobs show NB@$DAY)" "手動で成功" "the mark in Japanese"
U audit verify >/dev/null 2>&1 && ok "audit verify clean" || fail "audit verify"
finish
