#!/usr/bin/env bash
# The job queue in the Jobs pane (issue 16): while a runner runs Q1 (held on a gate file
# this test creates), Q2 of the same concurrency group, due at the same time, shows as
# 待機中 with the reason (the group, and the run holding it) and its lateness ("not
# started by"); once Q1 ends the same runner runs Q2, none skipped. Local commands
# (jobs run --local); every step waits on a condition.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"
U() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "$@"; }
q() { sqlite3 "$T_DB" "$1"; }
state() { q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '2026-11-24'"; }

G=$T_DIR/gates
mkdir -p "$G"
for c in Q1 Q2; do
    printf '[%s]\nname_ja = 順番待ち%s\nname_en = Queue %s\nperiod = daily\nhost = lib-file01\n' "$c" "$c" "$c"
    printf 'group = qg\nexpected_start = 05:00\n'
    # the gate, or the test's directory gone (a failed test leaves nothing running)
    printf 'command = while [ ! -e %s/%s ] && [ -d %s ]; do sleep 0.05; done; echo %s\n' "$G" "$c" "$G" "$c"
done >"$T_DIR/queue.ini"
U jobs load --file "$T_DIR/queue.ini" >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"
U jobs due >/dev/null
for r in $(U jobs due --csv | awk -F, 'NR > 1 && $2 !~ /^Q[12]$/ {print $1}'); do
    U jobs hold "$r" >/dev/null || t_fail "hold $r"
done
touch "$G/Q2"
U jobs run --due --local >"$T_DIR/run.log" 2>&1 &
RUNNER=$!
trap 'kill $RUNNER 2>/dev/null || true; t_cleanup' EXIT
t_wait_cmd '[[ $(state Q1) == running && $(state Q2) == queued ]]' 60 "Q1 running, Q2 queued"

t_start 200 30 --lang ja --pane jobs
t_wait "待機中"
t_wait "同時実行グループ qg が使用中: Q1@2026-11-24 が実行中"
t_wait "05:00 までに開始していません"
t_ok "the Jobs pane: Q2 待機中, waiting for group qg held by Q1, and late"
t_keys q
t_wait_exit

touch "$G/Q1"
wait $RUNNER || t_fail "the runner failed: $(cat "$T_DIR/run.log")"
[[ $(state Q1) == succeeded && $(state Q2) == succeeded ]] || t_fail "Q1 $(state Q1), Q2 $(state Q2)"
grep -q "^Q2 .*succeeded" "$T_DIR/run.log" || t_fail "Q2 not run by the same runner: $(cat "$T_DIR/run.log")"
t_ok "Q1 ended, the same runner ran the queued Q2"
