#!/usr/bin/env bash
# Substitute days (振替) and odd durations (issue 16), with UNYO_NOW and the local
# executor: on Monday 2026-12-28, the last service day before the year-end closure
# (12/29-1/3 in data/calendar.ini), a Tuesday job with closed_day = before runs that
# day, shown with the day it stands for (12/29 → 12/28), once; one with skip does not
# run; bad closed_day values are refused with FILE:LINE. A daily job with five fast
# runs in its history (run through the CLI on the days before) then takes seconds:
# `jobs due`, `jobs show` and the Jobs pane say it is slow, and it is audited once.
# `jobs list` shows each job's closed-day rule and its latest run's substitute day and
# odd duration (text, CSV, JSON with usual_seconds a number); the daily report's jobs
# section notes both.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-12-28T09:00:00+09:00 # a Monday, a service day; 12/29 is closed
t_init "$1"
export UNYO_JOB_EXECUTOR=local
U() { UNYO_USER=$T_USER "$T_BIN" --db "$T_DB" --lang en "$@"; }
q() { sqlite3 "$T_DB" "$1"; }

write_jobs() { # $1: T-SLOW's command
    cat >"$T_DIR/jobs.ini" <<EOF
[T-WEEKLY]
name_ja = 週次集計（テスト）
name_en = Weekly totals (test)
period = weekly
weekday = tue
closed_day = before
host = lib-ap01
command = echo weekly

[T-SKIP]
name_ja = 週次清掃（テスト）
name_en = Weekly clean-up (test)
period = weekly
weekday = tue
closed_day = skip
host = lib-ap01
command = echo skip

[T-SLOW]
name_ja = 夜間統合（テスト）
name_en = Nightly merge (test)
period = daily
host = lib-ap01
command = $1
timeout = 600
EOF
}

# ---- bad input: nothing is loaded ----
printf '[T-BAD]\nname_ja = x\nname_en = x\nperiod = weekly\nstep = s\nclosed_day = run\n' \
    >"$T_DIR/bad.ini"
out=$(UNYO_NOW=$T_NOW U jobs load --file "$T_DIR/bad.ini" 2>&1) && t_fail "closed_day = run loaded"
[[ $out == *"bad.ini:6:"*"closed_day run (expected after, before or skip)"* ]] ||
    t_fail "unknown closed_day: $out"
printf '[T-BAD]\nname_ja = x\nname_en = x\nperiod = daily\nstep = s\nclosed_day = before\n' \
    >"$T_DIR/bad.ini"
out=$(UNYO_NOW=$T_NOW U jobs load --file "$T_DIR/bad.ini" 2>&1) && t_fail "daily + before loaded"
[[ $out == *"bad.ini:6:"*"daily job already runs on every service day"* ]] ||
    t_fail "daily + before: $out"
printf '[T-BAD]\nname_ja = x\nname_en = x\nperiod = manual\nstep = s\nclosed_day = after\n' \
    >"$T_DIR/bad.ini"
out=$(UNYO_NOW=$T_NOW U jobs load --file "$T_DIR/bad.ini" 2>&1) && t_fail "manual + after loaded"
[[ $out == *"bad.ini:6:"*"no due date"* ]] || t_fail "manual + after: $out"
[[ $(q "SELECT count(*) FROM jobs WHERE code = 'T-BAD'") == 0 ]] || t_fail "a refused job was installed"
t_ok "closed_day: an unknown value and a rule the period cannot use are refused with FILE:LINE"

# ---- a history of fast runs, on the days before ----
write_jobs true
UNYO_NOW=$T_NOW U jobs load --file "$T_DIR/jobs.ini" >"$T_DIR/load.log" 2>&1 ||
    t_fail "jobs load: $(cat "$T_DIR/load.log")"
for d in 21 22 23 24 25; do
    out=$(UNYO_NOW=2026-12-${d}T09:00:00+09:00 U jobs run T-SLOW --local --date 2026-12-$d 2>&1) ||
        t_fail "history run on 12/$d: $out"
done
[[ $(q "SELECT count(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'T-SLOW' \
AND r.state = 'succeeded'") == 5 ]] || t_fail "five succeeded runs expected"
[[ $(q "SELECT count(*) FROM job_runs WHERE duration_flag IS NOT NULL") == 0 ]] ||
    t_fail "a history of alike runs flagged one"
t_ok "five fast runs of T-SLOW on 12/21-12/25"

# Today it takes seconds; a difference of 2 s from the usual is odd here (default 60 s).
printf '[jobs]\nduration_min_diff = 2\n' >"$XDG_CONFIG_HOME/unyo/config.ini"
write_jobs 'sleep 5; echo merged'
UNYO_NOW=$T_NOW U jobs load --file "$T_DIR/jobs.ini" >"$T_DIR/load.log" 2>&1 ||
    t_fail "jobs load: $(cat "$T_DIR/load.log")"

# ---- the moved run on its new day ----
due=$(UNYO_NOW=$T_NOW U jobs due)
[[ $due == *"T-WEEKLY@2026-12-28"*"moved (closed day): 12/29 → 12/28"* ]] ||
    t_fail "the Tuesday job is not shown moved to Monday: $due"
[[ $due != *"T-SKIP@"* ]] || t_fail "a skip job was moved: $due"
[[ $(UNYO_NOW=$T_NOW U jobs due --csv) == *"T-WEEKLY@2026-12-28,"*",2026-12-29,"* ]] ||
    t_fail "jobs due --csv has no moved_from"
out=$(UNYO_NOW=$T_NOW U jobs due --date 2026-12-29)
[[ $out == *"No jobs are due on 2026-12-29"* ]] || t_fail "a closed day has runs: $out"
out=$(UNYO_NOW=$T_NOW U jobs due --date 2027-01-05)
[[ $out == *"T-WEEKLY@2027-01-05"* && $out == *"T-SKIP@2027-01-05"* && $out != *"moved"* ]] ||
    t_fail "the next Tuesday: $out"
[[ $(q "SELECT count(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'T-WEEKLY' \
AND r.due_day BETWEEN '2026-12-28' AND '2027-01-04'") == 1 ]] || t_fail "the 12/29 run is not there once"
t_ok "closed_day = before: 12/29's run on 12/28, shown so; skip: none; 1/5 as usual"

# ---- the slow run ----
out=$(UNYO_NOW=$T_NOW U jobs run T-SLOW --local 2>&1) || t_fail "run T-SLOW: $out"
due=$(UNYO_NOW=$T_NOW U jobs due)
[[ $due == *"slow: usual "*" → this time "* ]] || t_fail "jobs due has no slow warning: $due"
[[ $(UNYO_NOW=$T_NOW U jobs due --csv) == *",slow"* ]] || t_fail "jobs due --csv has no duration"
show=$(UNYO_NOW=$T_NOW U jobs show T-SLOW@2026-12-28)
[[ $show == *"Warnings:"*"slow: usual "* ]] || t_fail "jobs show: $show"
[[ $(q "SELECT count(*) FROM audit WHERE action = 'job.duration'") == 1 ]] ||
    t_fail "the slow run is not audited once"
t_ok "a run much slower than its history: jobs due, jobs show, audited once"

# ---- jobs list and the daily report ----
list=$(UNYO_NOW=$T_NOW U jobs list)
grep -E "^T-WEEKLY .*moved to the service day before.*moved \(closed day\): 12/29 → 12/28" \
    <<<"$list" >/dev/null || t_fail "jobs list: T-WEEKLY's rule and moved run: $list"
grep -E "^T-SKIP .*that run is skipped" <<<"$list" >/dev/null || t_fail "jobs list: T-SKIP: $list"
grep -E "^T-SLOW .*that run is skipped.*slow: usual .* → this time " <<<"$list" >/dev/null ||
    t_fail "jobs list: T-SLOW's slow run: $list"
csv=$(UNYO_NOW=$T_NOW U jobs list --csv | tr -d "\r")
[[ $(head -1 <<<"$csv") == *",closed_day,latest_run,moved_from,duration,usual_seconds" ]] ||
    t_fail "jobs list --csv header: $(head -1 <<<"$csv")"
grep -q "^T-WEEKLY,.*,before,2026-12-28,2026-12-29,," <<<"$csv" || t_fail "jobs list --csv T-WEEKLY: $csv"
grep -qE "^T-SLOW,.*,skip,2026-12-28,,slow,[0-9]+$" <<<"$csv" || t_fail "jobs list --csv T-SLOW: $csv"
UNYO_NOW=$T_NOW U jobs list --json | python3 -c '
import json, sys
rows = {r["code"]: r for r in json.load(sys.stdin)}
s, w = rows["T-SLOW"], rows["T-WEEKLY"]
assert s["duration"] == "slow" and isinstance(s["usual_seconds"], int), s
assert w["moved_from"] == "2026-12-29" and w["closed_day"] == "before", w
assert w["usual_seconds"] is None and w["duration"] is None, w
' || t_fail "jobs list --json"
rep=$(UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang ja report daily --date 2026-12-28 --markdown)
grep -E "T-WEEKLY .*振替: 12/29 → 12/28" <<<"$rep" >/dev/null || t_fail "report: T-WEEKLY not moved: $rep"
grep -E "T-SLOW .*遅い: 通常 .* → 今回 " <<<"$rep" >/dev/null || t_fail "report: T-SLOW not slow: $rep"
t_ok "jobs list (text, CSV, JSON) and the daily report show the substitute day and the slow run"

# ---- the Jobs pane, in Japanese ----
t_start 160 30 --lang ja --pane jobs
t_wait "振替: 12/29 → 12/28"
t_wait "遅い: 通常 "
t_ok "the Jobs pane shows the moved run and the slow one"
t_keys q
t_wait_exit
