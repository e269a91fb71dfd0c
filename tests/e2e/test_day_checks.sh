#!/usr/bin/env bash
# The operator's day, step (b): run the server checks from the console, against
# a loopback sshd registered as lib-ap01 (its key trusted at set-up). c in the
# Hosts pane runs the host's checks in the background; the result line counts
# them, the Checklist pane shows the host's items done by the automated checks
# (OK or NG: the values are this machine's), Enter shows each check's result.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/day.sh"
day_init "$1"

day_start hosts
t_wait "lib-ap01"
day_check "Hosts pane"
t_keys c
t_wait "lib-ap01 のチェック: 結果" 300 # every check over SSH, on a loaded machine too
s=$(t_screen)
n=$(grep -oE "lib-ap01 のチェック: 結果 [0-9]+ 件" <<<"$s" | grep -oE "[0-9]+ 件" | grep -oE "[0-9]+")
((n >= 5)) || t_fail "only $n check results"
grep -qF "接続不可" <<<"$s" && t_fail "the checks could not reach the loopback sshd"
day_check "Hosts pane after the checks"
recorded=$(day_q "SELECT count(*) FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'lib-ap01' AND e.source = 'check' AND e.day = '$DAY'")
[[ $recorded == "$n" ]] || t_fail "$n results shown, $recorded recorded"
unreach=$(day_q "SELECT count(*) FROM checklist_events WHERE source = 'check' AND (reason LIKE '%接続%' OR reason LIKE '%known_hosts%')")
[[ $unreach == 0 ]] || t_fail "$unreach results say the host could not be reached"
t_ok "(b) c in the Hosts pane ran $n checks on lib-ap01 over SSH, all recorded"
# The Hosts pane shows the metrics the checks recorded.
t_wait_cmd 't_screen | grep "lib-ap01" | grep -q "[▁▂▃▄▅▆▇█]"' 30 "sparklines for lib-ap01"

# The Checklist pane: L025 (定常監視) of lib-ap01 is no longer 未実施.
t_keys 1
t_wait "定常監視"
t_screen | grep "L025" | grep -q "未実施" && t_fail "L025 is still 未実施 after the checks"
t_screen | grep "L025" | grep -qE "^(OK|NG|警告) " || t_fail "L025 has no result"
# The list sizes its columns by content, so an NG row's reason is read whole: it
# quotes the server's own output ("no pattern file found" of data/checks/linux.ini),
# labelled as such (出力: 「…」); nothing else on the screen is raw.
if t_screen | grep -qE "no pattern file|not synchronised"; then
    t_screen | grep -qE "出力: 「(no pattern file|not synchronised)" ||
        { t_screen >&2; t_fail "Checklist pane: an NG reason shows the server's English output without quoting it as its output (出力: 「…」)"; }
    t_ok "Checklist pane: the server's output in an NG reason is quoted as such (出力: 「…」)"
fi
day_check_quoted "Checklist pane after the checks"
t_keys /
t_type '^L025$'
t_keys Enter
t_wait "絞り込み /^L025\$/"
t_keys Enter
t_wait "L025 定常監視 @lib-ap01"
t_wait "自動チェック"
day_check "L025's check results"
s=$(t_screen)
grep -qE "alive|cpu_load|memory|disk_use|uptime_s|load=|use=" <<<"$s" && { printf '%s\n' "$s" >&2; t_fail "Checklist pane, Enter on L025: the checks are named by their ini keys (alive, cpu_load, memory, disk_use) or values read uptime_s=…"; }
# (an NG item shows its worst results only: which checks depends on this machine)
grep -qE "死活|CPU負荷|メモリ使用率|ディスク使用率" <<<"$s" || { printf '%s\n' "$s" >&2; t_fail "Checklist pane, Enter on L025: no check is named in Japanese (死活, CPU負荷, …)"; }
t_ok "(b) the Checklist pane shows the results of the automated checks, named in Japanese"
t_keys Escape
# c in the Checklist pane runs the checks of every host, after a question that says how many.
before=$(day_q "SELECT count(*) FROM checklist_events WHERE source = 'check'")
t_keys c
t_wait "1 台のホストのチェックを今すぐ実行しますか"
day_check "run-every-host question"
t_keys n
t_wait_gone "1 台のホストのチェックを今すぐ実行しますか"
sleep 0.5 # checks n would have started wrongly run in the background: give them a moment
[[ $(day_q "SELECT count(*) FROM checklist_events WHERE source = 'check'") == "$before" ]] || t_fail "n ran the checks"
t_keys c
t_wait "1 台のホストのチェックを今すぐ実行しますか"
t_keys y
t_wait "1 台のチェック: 結果" 300
after=$(day_q "SELECT count(*) FROM checklist_events WHERE source = 'check'")
((after >= before + n)) || t_fail "c then y recorded $((after - before)) results, not $n"
day_check "Checklist pane after running every host's checks"
t_ok "(b) c in the Checklist pane runs the checks of every host (1 台), after asking"
t_keys q
t_wait_exit
echo "all passed"
