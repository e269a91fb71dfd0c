#!/usr/bin/env bash
# The operator's day, step (c): record the server-room temperature, 31 °C (typed
# with full-width digits, as on a Japanese keyboard), in the Checklist pane: v on
# L032 (range 18–27 °C) records NG and offers an incident draft; y saves it; in
# the Incidents pane + resumes the draft and Enter on its last field registers
# the incident (受付): the status line then counts one open incident.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/day.sh"
day_init "$1" nossh

day_start checklist
t_wait "サーバ室内温度・湿度管理（温度）"
t_keys /
t_type '^L032$'
t_keys Enter
t_wait "絞り込み /^L032\$/: 1 / "
t_keys v
t_wait "値: L032 サーバ室内温度・湿度管理（温度）（18〜27 °C）"
day_check "the value prompt"
t_type '３１'
t_keys Enter
t_wait "NG を記録しました。インシデントの下書きを作成しますか? (y/n)"
t_wait "31 °C (18–27)"
day_check "the NG question"
t_keys y
t_wait "インシデントの下書き INC-"
REF=$(day_q "SELECT ref FROM incidents WHERE title LIKE '%L032%'")
[[ -n $REF ]] || t_fail "no incident draft for L032"
t_wait "$REF を保存しました"
[[ $(day_q "SELECT e.status || ' ' || e.value FROM checklist_events e JOIN templates t ON t.id = e.template_id WHERE t.code = 'L032'") == "ng 31.0" ]] ||
    t_fail "L032 31 °C is not recorded NG: $(day_q "SELECT status, value FROM checklist_events")"
day_check "Checklist pane after the NG"
t_ok "(c) 31 °C recorded NG, incident draft $REF saved"

# The Incidents pane: the draft, resumed with +, registered.
t_keys 2
t_wait "受付（JST）"
# the draft this console made in the Checklist pane is listed without a restart
t_wait "$REF"
t_keys +
t_wait "未完了の下書き（Enter で開く、d で破棄）"
t_wait "下書き $REF を再開"
day_check "draft chooser"
t_keys j Enter
t_wait "インシデント受付（下書き $REF）"
t_screen | grep -qF '\n' && t_fail "intake form of $REF: the 詳細 field shows a literal \\n between its lines"
day_check "intake form of the draft"
t_keys Tab Tab Tab Tab Tab Tab Tab Tab # to the last field (対象機器)
t_keys Enter
t_wait "$REF を受け付けました"
t_wait "│ 未解決 1 │"
[[ $(day_q "SELECT status FROM incidents WHERE ref = '$REF'") == received ]] || t_fail "$REF is not registered"
day_check "Incidents pane with $REF registered"
t_ok "(c) the temperature incident $REF is registered from the console (未解決 1)"
t_keys q
t_wait_exit
echo "all passed"
