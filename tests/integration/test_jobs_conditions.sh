#!/usr/bin/env bash
# Start conditions (issue 16, src/job_conditions.c) through the CLI, without SSH (jobs run
# --local, the demo's hosts): a job waits for its file ("waiting for file") until the file
# has appeared and stopped growing, then runs, the file found recorded on the run (its
# name escaped: a server's file name never reaches the terminal raw); a job whose file is
# not there by the cut-off ends "did not arrive" with a warning and an incident draft; a
# judgement job is skipped (and the job after it only) when J1 exit != 0, and runs when
# J1 exit == 0. No fixed sleeps: each step waits for what the runner records.
. "$UNYO_TESTLIB/common.sh"
export UNYO_DATADIR=${UNYO_DATADIR:?}
DB=$T/unyo.db
U() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }
# wait_for 'CONDITION' WHAT: polls (running the runner meanwhile, as cron would) until it holds
wait_for() {
    local deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        eval "$1" && return 0
        sleep 0.1
    done
    fail "timed out waiting for: $2"
}

UNYO_USER=yamada "$UNYO" demo --db "$DB" >/dev/null 2>&1 || fail "demo store"
export UNYO_USER=yamada
# Only this test's jobs fall due: the demo's own (which write under /tmp and sleep) are
# switched off, so `jobs run --due` runs J1..J3 alone.
q "UPDATE jobs SET enabled = 0"
mkdir -p "$T/in"
echo 1 >"$T/j1exit"
cat >"$T/cond.ini" <<INI
[FW1]
name_ja = ファイル待ち
name_en = File wait
period = manual
host = lib-ap01
command = echo "ran on \$(wc -c < $T/in/data.csv) bytes"
wait_file = $T/in/*.csv
wait_stable = 1s

[NA1]
name_ja = 未着
name_en = Never arrives
period = manual
host = lib-ap01
command = echo should not run
wait_file = $T/never/in?.dat
wait_stable = 30s
wait_until = 06:30

[J1]
name_ja = 前処理
name_en = Before
period = daily
host = lib-ap01
command = exit \$(cat $T/j1exit)

[J2]
name_ja = 判定
name_en = Judged
period = daily
host = lib-ap01
command = echo judged-ran
when = J1 exit == 0

[J3]
name_ja = 後続
name_en = After the judged one
period = daily
host = lib-ap01
command = echo after-j2
after = J2

[F1]
name_ja = ファイル判定
name_en = File judged
period = daily
host = lib-ap01
command = echo file-judged-ran
when = file $T/flag.ok exists
INI
assert_contains "$(U jobs load --file "$T/cond.ini")" "Installed 6 job definitions" "load the conditions"

list=$(U --lang ja jobs list)
assert_contains "$(grep '^FW1 ' <<<"$list")" "ファイル待ち $T/in/*.csv" "jobs list shows the file waited for"
assert_contains "$(grep '^J2 ' <<<"$list")" "判定: J1 の終了コード == 0" "and the judgement"
assert_contains "$(U jobs list --csv | grep '^NA1,')" "wait_file=$T/never/in?.dat; wait_stable=30; wait_until=06:30" \
    "--csv gives the definition as written"

# ---- bad values: FILE:LINE in the operator's language ----
printf '[X]\nname_ja = x\nname_en = x\nperiod = daily\nhost = lib-ap01\ncommand = true\nwait_stable = soon\n' >"$T/bad.ini"
out=$(must_fail U --lang ja jobs load --file "$T/bad.ini")
assert_contains "$out" "bad.ini:7:" "a bad wait_stable names its line"
assert_contains "$out" "wait_stable soon は指定できません" "and the key, in Japanese"
printf '[X]\nname_ja = x\nname_en = x\nperiod = daily\nhost = lib-ap01\ncommand = true\nwhen = J9 exit == 0\n' >"$T/bad2.ini"
out=$(must_fail U jobs load --file "$T/bad2.ini")
assert_contains "$out" "bad2.ini:7:" "when naming an unknown job names its line"

# ---- waiting for a file, then its close check ----
D=2026-11-24
out=$(U jobs run FW1 --local --date $D)
assert_contains "$out" "waiting for file" "no file yet: the run waits for it"
[ "$(q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'FW1'")" = file_wait ] &&
    ok "state file_wait" || fail "state: $(q "SELECT state FROM job_runs")"
assert_contains "$(U jobs due --date $D)" "waiting for file" "jobs due shows the wait"
assert_contains "$(U --lang ja jobs show FW1@$D)" "ファイル待ち" "jobs show in Japanese: ファイル待ち"
# A file whose name holds an escape sequence: it sorts first and is the one waited on.
name=$(printf 'a\033[2Jx.csv')
printf 'part1\n' >"$T/in/$name"
ln -sf "$T/in/$name" "$T/in/data.csv" 2>/dev/null || true
U jobs run FW1 --local --date $D >/dev/null
[ "$(q "SELECT state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'FW1'")" = file_wait ] &&
    ok "seen once: still waiting (its size must hold for 1 s)" || fail "started on the first sight"
printf 'part2 more bytes\n' >>"$T/in/$name"
out=$(U jobs run FW1 --local --date $D)
[ "$(q "SELECT state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'FW1'")" = file_wait ] &&
    ok "grown since: still waiting" || fail "started while the file grew"
[ "$(q "SELECT wait_size FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'FW1'")" = 23 ] &&
    ok "the size last seen is on the run" || fail "wait_size"
wait_for '[ "$(U jobs run FW1 --local --date $D >/dev/null 2>&1; q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '"'FW1'"'")" = succeeded ]' \
    "FW1 runs once its file stopped growing"
ok "the file stopped growing: the job ran"
show=$(U jobs show FW1@$D)
assert_contains "$show" "ran on 23 bytes" "it ran on the whole file"
assert_contains "$show" "File found:" "the file found is recorded on the run"
assert_contains "$show" '\x1b[2Jx.csv (23 bytes' "its name escaped, with its size"
[[ $show == *$'\033'* ]] && fail "a raw escape reached the terminal" || ok "no raw escape in jobs show"
out=$(U jobs run FW1 --local --date $D 2>&1)
[[ $out == *$'\033'* ]] && fail "a raw escape in jobs run" || ok "no raw escape in jobs run"

# ---- the cut-off: did not arrive ----
out=$(must_fail U jobs run NA1 --local --date $D)
assert_contains "$out" "did not arrive" "past the cut-off: did not arrive"
assert_contains "$out" "warning:" "a warning"
assert_contains "$out" "incident draft" "and a draft"
[ "$(q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'NA1'")" = not_arrived ] &&
    ok "state not_arrived" || fail "NA1 state"
inc=$(q "SELECT i.status FROM job_runs r JOIN jobs j ON j.id = r.job_id JOIN incidents i ON i.id = r.incident_id WHERE j.code = 'NA1'")
[ "$inc" = draft ] && ok "an incident draft linked to the run" || fail "no draft: $inc"
title=$(q "SELECT i.title FROM job_runs r JOIN jobs j ON j.id = r.job_id JOIN incidents i ON i.id = r.incident_id WHERE j.code = 'NA1'")
assert_contains "$title" "its file did not arrive" "the draft says the file did not arrive"
assert_contains "$(U --lang ja jobs show NA1@$D)" "未着" "jobs show in Japanese: 未着"
[ "$(q "SELECT r.started_at IS NULL AND r.output IS NULL FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'NA1'")" = 1 ] &&
    ok "its command never ran" || fail "NA1 ran"

# ---- judgement: J2 runs only when J1 exit == 0; J3 after J2 only ----
echo 1 >"$T/j1exit"
U jobs run --due --local --date 2026-11-25 >/dev/null 2>&1 || true # J1 fails: exit status 1
st() { q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '$2'"; }
[ "$(st J1 2026-11-25)" = failed ] && ok "J1 exit 1: failed" || fail "J1: $(st J1 2026-11-25)"
[ "$(st J2 2026-11-25)" = judged_out ] && ok "J2 skipped by judgement" || fail "J2: $(st J2 2026-11-25)"
[ "$(st J3 2026-11-25)" = judged_out ] && ok "J3 (after J2 only) skipped too" || fail "J3: $(st J3 2026-11-25)"
assert_contains "$(U --lang ja jobs show J2@2026-11-25)" "判定で実行せず" "判定で実行せず in jobs show"
assert_contains "$(U jobs show J2@2026-11-25)" "exit status 1" "the event says what was seen"
[ "$(st F1 2026-11-25)" = judged_out ] && ok "F1: no $T/flag.ok, skipped by judgement" || fail "F1: $(st F1 2026-11-25)"
: >"$T/flag.ok"
echo 0 >"$T/j1exit"
out=$(U jobs run --due --local --date 2026-11-26)
[ "$(st J1 2026-11-26)" = succeeded ] && ok "J1 exit 0" || fail "J1: $(st J1 2026-11-26)"
[ "$(st J2 2026-11-26)" = succeeded ] && ok "J2 judged to run and ran" || fail "J2: $(st J2 2026-11-26)"
[ "$(st J3 2026-11-26)" = succeeded ] && ok "J3 ran after it" || fail "J3: $(st J3 2026-11-26)"
assert_contains "$(U jobs show J2@2026-11-26)" "judged-ran" "J2's output"
[ "$(st F1 2026-11-26)" = succeeded ] && ok "F1: $T/flag.ok there, judged to run and ran" || fail "F1: $(st F1 2026-11-26)"
finish
