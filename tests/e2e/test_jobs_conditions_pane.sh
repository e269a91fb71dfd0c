#!/usr/bin/env bash
# Start conditions in the Jobs pane (issue 16, src/job_conditions.c), in Japanese: R runs
# the day; a job whose file is not there yet shows ファイル待ち with the file it waits for
# in its detail; a judgement job after a failed J1 shows 判定で実行せず; once the file is
# there and has kept its size, R again runs the waiting job, and the detail names the
# file found with its size.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"
export UNYO_JOB_EXECUTOR=local
mkdir -p "$T_DIR/in"
cat >"$T_DIR/jobs.ini" <<EOF
[T-WAIT]
name_ja = 受信ファイル取込
name_en = Import the received file
period = daily
host = lib-ap01
command = echo imported
wait_file = $T_DIR/in/*.csv
wait_until = 23:00
expected_start = 08:00

[T-J1]
name_ja = 前処理
name_en = Before
period = daily
host = lib-ap01
command = exit 2
expected_start = 08:10

[T-J2]
name_ja = 判定後の処理
name_en = Judged
period = daily
host = lib-ap01
command = echo judged
when = T-J1 exit == 0
expected_start = 08:20
EOF
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" jobs load --file "$T_DIR/jobs.ini" \
    >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"
q() { sqlite3 "$T_DB" "$1"; }
st() { q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1'"; }

t_start 120 30 --lang ja --pane jobs
t_wait "T-WAIT"
t_keys R
t_wait "(y/n)"
t_keys y
t_wait_cmd '[[ $(st T-J2) == judged_out ]]' "" "T-J2 judged out"
t_wait "ファイル待ち"
t_wait "判定で実行せず"
[[ $(st T-WAIT) == file_wait ]] || t_fail "T-WAIT: $(st T-WAIT)"
t_wait "08:00 までに開始していません" # still waiting at 09:00 for an 08:00 start: late
t_ok "the pane shows ファイル待ち (late, as it has not started) and 判定で実行せず"
t_keys Enter # the first row: T-WAIT (by expected start)
t_wait "T-WAIT@2026-11-24"
t_wait "待つファイル: $T_DIR/in/*.csv"
t_wait "打ち切り 23:00"
t_ok "its detail names the file it waits for and the cut-off"
t_keys Escape
t_wait "T-J2"
printf 'a,b\n1,2\n' >"$T_DIR/in/day.csv"
t_keys R
t_wait "(y/n)"
t_keys y
t_wait_cmd '[[ $(st T-WAIT) == succeeded ]]' "" "T-WAIT ran once its file was there"
t_keys Enter
t_wait "T-WAIT@2026-11-24"
t_wait "到着したファイル: $T_DIR/in/day.csv（8 バイト"
t_wait "ファイル到着"
t_ok "with no close check asked, the file seen runs the job; the detail names it and its size"
t_keys Escape
t_wait "T-J2"
t_keys q
t_wait_exit
