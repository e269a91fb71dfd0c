#!/usr/bin/env bash
# The Jobs pane with sync configured and the central database out of reach: starting a
# central job is refused in the status line with the reason (in English and Japanese),
# nothing runs; R (every due run) says how many were not started and why; a job
# defined with scope = local runs anyway.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"
export UNYO_JOB_EXECUTOR=local
# Nothing listens on port 1: the central database cannot be reached.
printf '[sync]\nurl = postgresql://nobody@127.0.0.1:1/unyo?connect_timeout=5\n' \
    >"$XDG_CONFIG_HOME/unyo/config.ini"
chmod 600 "$XDG_CONFIG_HOME/unyo/config.ini"
cat >"$T_DIR/jobs.ini" <<EOF
[T-CEN]
name_ja = 中央のジョブ
name_en = Central job
period = daily
host = lib-ap01
command = echo CEN >>'$T_DIR/ran.txt'
expected_start = 08:00

[T-LOC]
name_ja = この端末のジョブ
name_en = This console's job
period = daily
host = lib-ap01
scope = local
command = echo LOC >>'$T_DIR/ran.txt'
expected_start = 09:00
EOF
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" jobs load --file "$T_DIR/jobs.ini" \
    >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"
q() { sqlite3 "$T_DB" "$1"; }
state() { q "SELECT state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1'"; }

t_start 140 30 --lang en --pane jobs
t_wait "2026-11-24 today — 2 runs"
t_wait "T-CEN" # the list's rows, not only its header: r acts on the selected run
t_keys r
t_wait "(y/n)"
t_keys y
t_wait "T-CEN not run: the central database cannot be reached"
[[ $(state T-CEN) == waiting ]] || t_fail "T-CEN is $(state T-CEN)"
[[ ! -e $T_DIR/ran.txt ]] || t_fail "something ran: $(cat "$T_DIR/ran.txt")"
t_ok "a central job is refused with the reason; nothing runs"
t_keys R
t_wait "(y/n)"
t_keys y
t_wait "2026-11-24: 1 run(s) not started: the central database cannot be reached"
t_wait_cmd '[[ $(state T-LOC) == succeeded ]]' "" "T-LOC to succeed"
[[ $(cat "$T_DIR/ran.txt") == LOC ]] || t_fail "ran: $(cat "$T_DIR/ran.txt")"
[[ $(state T-CEN) == waiting ]] || t_fail "T-CEN is $(state T-CEN)"
t_ok "R runs the scope = local job and says the central one was not started, and why"
t_keys q
t_wait_exit

t_start 140 30 --lang ja --pane jobs
t_wait "2026-11-24 本日 — 2 件"
t_wait "T-CEN" # the rows drawn: r before them finds no run selected
t_keys r
t_wait "(y/n)"
t_keys y
t_wait "中央データベースに接続できず"
[[ $(state T-CEN) == waiting ]] || t_fail "T-CEN is $(state T-CEN)"
t_ok "the refusal in Japanese"
t_keys q
t_wait_exit
