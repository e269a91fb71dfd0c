#!/usr/bin/env bash
# ctest-resource-lock: unyo-job-tmp-files
# The demo `make run` opens (`unyo demo`, no option) holds a day in progress, dated by the
# clock: at 07:25 on a Tuesday the Jobs pane lists the day's runs, those due before now
# done, the later ones waiting; today's checklist round is recorded up to now. The
# demo's hosts run their commands on this machine (transport 'local', shown in the
# Hosts pane as ローカル実行（デモ）): a job run and a check run from the console
# succeed offline, the results say they ran here, and nothing is tried over SSH (no
# "unreachable", no host-key question; the check values are this machine's).
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T07:25:00+09:00 # a Tuesday, a service day
T_DEMO_ARGS=                     # the demo as `make run` makes it
t_init "$1"
q() { sqlite3 "$T_DB" "$1"; }
run_q() { q "SELECT r.$2 FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '2026-11-24'"; }
rm -f /tmp/unyo-job-L078.txt

# The store: every host local, today's jobs and checklist round so far.
[[ $(q "SELECT count(*) FROM hosts WHERE deleted = 0 AND transport <> 'local'") == 0 ]] ||
    t_fail "a demo host would be reached over SSH"
[[ $(run_q L068 state) == succeeded ]] || t_fail "L068 (06:00) is not done at 07:25: $(run_q L068 state)"
[[ $(run_q L078 state) == waiting ]] || t_fail "L078 (07:30) is not waiting at 07:25: $(run_q L078 state)"
n=$(q "SELECT count(*) FROM checklist_events WHERE day = '2026-11-24'")
((n > 0)) || t_fail "no checklist round recorded today"
[[ $(q "SELECT count(*) FROM checklist_events WHERE day = '2026-11-24' AND at > '2026-11-23T22:25:00Z'") == 0 ]] ||
    t_fail "the demo recorded a check after now"
t_ok "the demo store holds today so far ($n checklist marks today)"

# Jobs pane: today's runs.
t_start 160 40 --lang ja --pane jobs
t_wait "2026-11-24 本日 — 13 件"
t_wait "成功 9、失敗 0、待ち 4"
t_wait "オフラインデータ統合"
t_ok "the Jobs pane lists today's jobs, those due before now done"

# r on L078: runs here, at once, and says so.
t_keys /
t_type L078
t_keys Enter
t_wait "絞り込み /L078/: 1 / 13 件"
t_keys r
deadline=$((SECONDS + T_TIMEOUT))
while ((SECONDS < deadline)); do
    s=$(t_screen)
    if grep -qF "(y/n)" <<<"$s"; then # a confirmation before running (safe keys)
        t_keys y
        break
    fi
    grep -qE "(実行中|成功) +L078" <<<"$s" && break
    sleep 0.05
done
t_wait_cmd '[[ $(run_q L078 state) == succeeded ]]' "$T_TIMEOUT" "L078 succeeded"
t_wait "成功   L078"
[[ $(run_q L078 exit_status) == 0 ]] || t_fail "L078 exit status $(run_q L078 exit_status)"
case "$(run_q L078 output)" in *"発注振分リスト: 5部署 63件"*) ;; *) t_fail "L078 output: $(run_q L078 output)" ;; esac
[[ -s /tmp/unyo-job-L078.txt ]] || t_fail "the job's output file was not written on this machine"
note=$(q "SELECT e.note FROM job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = 'L078' AND r.due_day = '2026-11-24' AND e.kind = 'succeeded'")
[[ $note == "この端末で実行（デモのホスト）" ]] || t_fail "the run's event does not say it ran here: $note"
t_keys Enter
t_wait "この端末で実行（デモのホスト）"
t_ok "a job on a demo host runs on this machine and its timeline says so"
t_keys Escape

# Hosts pane: every demo host is shown as run here; c runs its checks here.
t_keys 7
t_wait "ローカル実行（デモ）"
t_assert_not "ssh:lib-"
t_keys /
t_type lib-ap01
t_keys Enter
t_wait "絞り込み: /lib-ap01/"
t_keys c
t_wait "lib-ap01 のチェック: 結果 8 件"
s=$(t_screen)
grep -qF "接続不可" <<<"$s" && t_fail "a check tried to connect"
grep -qF "known_hosts" <<<"$s" && t_fail "a host key question for a demo host"
alive=$(q "SELECT status || ' ' || reason FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'lib-ap01' AND e.note = 'check=alive' AND e.source = 'check'")
case "$alive" in "ok "*"この端末で実行: デモのホスト"*) ;; *) t_fail "the alive check: $alive" ;; esac
up=$(q "SELECT value FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'lib-ap01' AND e.note = 'check=alive'")
mine=$(cut -d' ' -f1 /proc/uptime)
awk -v a="$up" -v b="$mine" 'BEGIN { exit !(a > 0 && a <= b) }' || t_fail "uptime $up is not this machine's ($mine)"
# Every result is OK or NG from the real command: none says the host could not be reached.
[[ $(q "SELECT count(*) FROM checklist_events WHERE source = 'check' AND reason NOT LIKE '%この端末で実行: デモのホスト%'") == 0 ]] ||
    t_fail "a check result does not say it ran here"
t_ok "checks on a demo host run on this machine (alive: OK, uptime $up s)"

# Enter (connect) on a demo host: refused with the reason, no connection.
t_keys Enter
t_wait "lib-ap01 はデモのホストです"
t_ok "a console to a demo host is refused, not dialled"

t_keys q
t_wait_exit

# The command line keeps to the same rule: host exec runs here, host trust has nothing to trust.
U() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang ja "$@"; }
out=$(U host exec lib-ap01 'echo "pid $$"; exit 3' 2>"$T_DIR/exec.err") && rc=0 || rc=$?
[[ $rc == 3 && $out == "pid "* ]] || t_fail "host exec on a demo host: rc=$rc out=$out"
grep -qF "この端末で実行しました" "$T_DIR/exec.err" || t_fail "host exec did not say it ran here: $(cat "$T_DIR/exec.err")"
U host trust lib-ap01 >/dev/null 2>"$T_DIR/trust.err" && t_fail "host trust on a demo host succeeded"
grep -qF "lib-ap01 はデモのホストです" "$T_DIR/trust.err" || t_fail "host trust: $(cat "$T_DIR/trust.err")"
[[ $(U host list --csv | grep -c "ローカル実行（デモ）") == 10 ]] || t_fail "host list does not show the demo hosts' reach"
t_ok "host exec runs a demo host's command here; host trust refuses; host list shows the reach"
