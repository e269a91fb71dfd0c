#!/usr/bin/env bash
# The daily schedule (issue 16): in the Jobs pane, v shows the day's runs on a 24-hour
# axis in Japanese: the hours header, the expected bar (░) and the actual one (█), a
# late run marked ！; Enter opens the run's detail as the list does, Esc comes back to
# the schedule, [ changes the day, v goes back to the list; a terminal too small gets a
# message (the console's own, below 80x24); a read-only console shows it too. `unyo jobs schedule --json` gives the same rows, numbers as numbers.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"

cat >"$T_DIR/jobs.ini" <<'INI'
[T-DONE]
name_ja = 夜間集計（テスト）
name_en = Night totals (test)
period = daily
host = lib-ap01
command = true
expected_start = 06:00
expected_end = 06:40

[T-LATE]
name_ja = 遅れるジョブ
name_en = Late job
period = daily
host = lib-ap01
command = true
expected_start = 08:00
expected_end = 08:30
INI
u() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" "$@"; }
q() { sqlite3 "$T_DB" "$1"; }
u jobs load --file "$T_DIR/jobs.ini" >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"
# a week of history (20 minutes each, from 06:00 JST); today's T-DONE ran 06:00-06:20
for d in 17 18 19 20 21 22 23 24; do
    u jobs due --date 2026-11-$d >/dev/null 2>&1 || t_fail "jobs due 2026-11-$d"
done
q "UPDATE job_runs SET state = 'succeeded',
     started_at = date(due_day, '-1 day') || 'T21:00:00.000Z',
     ended_at = date(due_day, '-1 day') || 'T21:20:00.000Z'
   WHERE job_id IN (SELECT id FROM jobs WHERE code IN ('T-DONE', 'T-LATE'))
     AND (due_day < '2026-11-24' OR job_id = (SELECT id FROM jobs WHERE code = 'T-DONE'))"

# the CLI first: read-only, JSON numbers as numbers
before=$(q "SELECT count(*) FROM job_runs")
u jobs schedule --date 2026-11-24 --json >"$T_DIR/s.json" 2>"$T_DIR/s.err" ||
    t_fail "jobs schedule --json: $(cat "$T_DIR/s.err")"
python3 - "$T_DIR/s.json" <<'PY' || t_fail "jobs schedule --json: $(cat "$T_DIR/s.json")"
import json, sys
rows = {r["job"]: r for r in json.load(open(sys.argv[1]))}
d, l = rows["T-DONE"], rows["T-LATE"]
assert d["usual_seconds"] == 1200 and isinstance(d["usual_seconds"], int), d
assert d["expected_start"] == "2026-11-23T21:00:00.000Z", d
assert d["expected_end"] == "2026-11-23T21:20:00.000Z", d
assert d["started"] == "2026-11-23T21:00:00.000Z" and d["state"] == "succeeded", d
assert d["flags"] is None, d
assert l["state"] == "waiting" and l["started"] is None, l
assert l["expected_end"] == "2026-11-23T23:20:00.000Z", l
assert l["flags"] == "late_start late_end", l
PY
[[ $(q "SELECT count(*) FROM job_runs") == "$before" ]] || t_fail "jobs schedule wrote runs"
u --lang ja jobs schedule --date 2026-11-24 >"$T_DIR/s.txt" 2>&1
grep -q '^T-LATE .*08:00 .*08:20 .*開始遅延, 終了遅延' "$T_DIR/s.txt" ||
    t_fail "jobs schedule text: $(cat "$T_DIR/s.txt")"
t_ok "jobs schedule --json: expected, actual, late flags, usual duration as a number; reads only"

t_start 80 24 --lang ja --pane jobs
t_wait "2026-11-24"
t_wait "T-LATE"
t_keys v
t_wait "v 一覧  j/k 移動  Enter 詳細"
t_wait "0 1 2 3 4 5 6 7 8 9 10"
t_wait_cmd "t_screen | grep -q 'T-LATE 遅れるジョブ.*！'" 60 "T-LATE marked late"
t_wait_cmd "t_screen | grep 'T-DONE' | grep -q '█'" 60 "T-DONE's actual bar"
t_wait_cmd "t_screen | grep 'T-LATE' | grep -q '░'" 60 "T-LATE's expected bar"
t_wait_cmd "! t_screen | grep 'T-DONE' | grep -q '！'" 60 "T-DONE not marked late"
t_ok "v shows the daily schedule: hours header, bars, the late run marked ！"

# Enter on the second row (T-LATE) opens its detail; Esc back to the schedule
t_keys j Enter
t_wait "T-LATE@2026-11-24"
t_keys Escape
t_wait "v 一覧  j/k 移動  Enter 詳細"
t_ok "Enter opens the run's detail; Esc returns to the schedule"

t_keys '['
t_wait "2026-11-23 —"
t_wait_cmd "t_screen | grep 'T-LATE' | grep -q '█'" 60 "yesterday's T-LATE ran"
t_ok "[ shows the day before in the schedule"

t_resize 30 10
t_wait "端末を 80×24 以上に広げて" # the console's own minimum, before the schedule's
t_resize 160 40 # larger: the hours take 5 columns each
t_wait "0    1    2    3    4    5"
t_wait_cmd "t_screen | grep 'T-DONE' | grep -q '██'" 60 "T-DONE's bar 2 columns wide at 160x40"
t_resize 80 24
t_wait "0 1 2 3 4 5 6 7 8 9 10"
t_wait "v 一覧  j/k 移動  Enter 詳細"
t_keys v
t_wait "r 開始  R 予定分を全実行"
t_ok "a tiny terminal gets a message; v returns to the list"
t_keys q
t_wait_exit

# the schedule only looks: a read-only console shows it too
t_start 80 24 --lang ja --pane jobs --read-only
t_wait "T-LATE"
t_keys v
t_wait "v 一覧  j/k 移動  Enter 詳細"
t_ok "v works in a read-only console"
t_keys q
t_wait_exit
