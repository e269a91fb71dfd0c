#!/usr/bin/env bash
# The operator's day, step (h): run the offline loan merge (L068 オフラインデータ統合)
# from the Jobs pane on lib-ap01, a loopback sshd: r asks first, naming the job
# and the host; y runs it over SSH; the row turns 成功 and Enter shows its output
# and timeline. (The job is loaded at set-up: `unyo jobs load --file`, as a site
# does today.) `unyo init` installed the shipped jobs too: those this site has no
# host for wait as 対象ホスト未割当, so the operator filters the list to L068.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/day.sh"
day_init "$1"
day_jobs
state() { day_q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'L068' AND r.due_day = '$DAY'"; }

day_start jobs
t_wait "オフラインデータ統合"
t_wait "2026-12-08 本日 — "
t_wait "対象ホスト未割当"
t_keys /
t_type "L068"
t_keys Enter
t_wait "絞り込み /L068/: 1 / "
day_check "Jobs pane"
t_keys r
t_wait "L068（オフラインデータ統合）を lib-ap01 で今すぐ実行しますか?"
day_check "run question"
[[ $(state) == waiting ]] || t_fail "L068 ran before y: $(state)"
t_keys y
t_wait_cmd '[[ $(state) == succeeded ]]' 120 "L068 succeeded"
t_wait "成功 1、"
t_screen | grep "L068" | grep -q "^成功 " || t_fail "the row does not show 成功"
grep -qF "貸出 18件 返却 25件" <<<"$(day_q "SELECT r.output FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'L068'")" ||
    t_fail "the job's output is not recorded"
[[ -s $SSHD_SCRATCH/unyo-job-L068.log ]] || t_fail "the job did not write its log on the host"
day_check "Jobs pane after the run"
t_ok "(h) L068 ran over SSH on lib-ap01 from the console and succeeded"

t_keys Enter
t_wait "オフライン貸出・返却データ統合: 貸出 18件 返却 25件"
t_wait "経過"
s=$(t_screen)
grep -qE "実行者: +$UUID_RE" <<<"$s" && { printf '%s\n' "$s" >&2; t_fail "Jobs pane, Enter on L068: 実行者 shows the runner's UUID/pid"; }
grep -qF "実行者:     山田 太郎（この端末）" <<<"$s" || { printf '%s\n' "$s" >&2; t_fail "Jobs pane, Enter on L068: 実行者 does not name 山田 太郎 and this console"; }
grep -qE "(待機|実行中|成功) +yamada" <<<"$s" && t_fail "Jobs pane, Enter on L068: the timeline names the login (yamada), not 山田 太郎"
grep -qE "実行中 +山田 太郎" <<<"$s" || { printf '%s\n' "$s" >&2; t_fail "Jobs pane, Enter on L068: the timeline does not name 山田 太郎"; }
grep -qF " bytes)" <<<"$s" && t_fail "Jobs pane, Enter on L068: the file size reads (20 bytes), in English"
grep -qF "（20 バイト）" <<<"$s" || { printf '%s\n' "$s" >&2; t_fail "Jobs pane, Enter on L068: the file size is not （20 バイト）"; }
grep -qE "$UUID_RE" <<<"$s" && { printf '%s\n' "$s" >&2; t_fail "the job's detail shows a UUID"; }
check_text "job run detail" "$s"
t_ok "(h) the run's detail shows the output and the timeline"
t_keys Escape
t_keys q
t_wait_exit
echo "all passed"
