#!/usr/bin/env bash
# The operator's day, steps (j) and (k), chained (the report reads the handover):
# (j) hand over: 山田 太郎 signs in the Handover pane (S: a note, the addressee
#     佐藤 花子, a carried to-do; asked first), 佐藤 花子 acknowledges in a console
#     of their own (UNYO_USER=sato) with A;
# (k) read the daily report in the Reports pane (8): the day's checklist NG
#     (31 °C recorded in this console), the signed handover; every page of the
#     report in Japanese.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/day.sh"
day_init "$1" nossh
q() { day_q "$1"; }

day_start checklist
t_wait "サーバ室内温度・湿度管理（温度）"
t_keys /
t_type '^L032$'
t_keys Enter
t_wait "絞り込み /^L032\$/: 1 / "
t_keys v
t_wait "値: L032"
t_type "31"
t_keys Enter
t_wait "インシデントの下書きを作成しますか? (y/n)"
t_keys n
t_wait_gone "(y/n)"

# ---- (j) sign (yamada) ----
t_keys 6
t_wait "未実施・NG の点検項目"
day_check "Handover pane, live summary"
t_keys S
t_wait "引継ぎに署名（交代する人）"
t_type "サーバ室の温度が31度、空調業者に連絡済み"
t_keys Tab Right
t_wait "佐藤 花子 (sato)"
t_keys Tab
t_type "10時に温度を再確認"
t_wait "10時に温度を再確認" # drawn, before the screen is read
day_check "handover form"
t_keys Enter
t_wait "佐藤 花子 (sato) 宛てに引継ぎに署名しますか"
day_check "sign question"
t_keys y
t_wait "引継ぎに署名しました"
t_wait "未確認（A で確認）"
[[ $(q "SELECT count(*) FROM handovers WHERE deleted = 0 AND acked_at IS NULL") == 1 ]] || t_fail "not signed"
t_screen | grep -qF "宛先 sato" && t_fail "Handover pane after signing: the header names the addressee by login (宛先 sato), not 佐藤 花子"
t_wait "宛先 佐藤 花子"
day_check "Handover pane, signed"
t_ok "(j) 山田 太郎 signed the handover to 佐藤 花子 (asked first)"
t_keys q
t_wait_exit

# ---- (j) acknowledge (sato, a console of their own) ----
# shellcheck disable=SC2034 # read by t_start
T_USER=sato
day_start handover
t_wait "│ 佐藤 花子 │"
t_wait "未確認（A で確認）"
t_keys A
for _ in $(seq 1 100); do # a question first, if there is one
    s=$(t_screen)
    if grep -qF "(y/n)" <<<"$s"; then t_keys y; break; fi
    grep -qF "を確認しました" <<<"$s" && break
    sleep 0.1
done
t_wait "を確認しました"
t_screen | grep -qF "sato が 2026-12-08" &&
    t_fail "Handover pane after A: 'sato が … に確認済み' names the login, not 佐藤 花子"
t_screen | grep -qF "(yamada, " && t_fail "Handover pane after A: the to-do's '(yamada, …)' names the login, not 山田 太郎"
t_screen | grep -qF "引き継ぎを確認しました" &&
    t_fail "Handover pane, A: the message spells 引き継ぎ while the pane says 引継ぎ"
[[ $(q "SELECT count(*) FROM handovers WHERE acked_at IS NOT NULL") == 1 ]] || t_fail "not acknowledged"
day_check "Handover pane, acknowledged"
t_ok "(j) 佐藤 花子 acknowledged it in a console of their own (UNYO_USER=sato)"

# ---- (k) the daily report ----
t_keys 8
t_wait "日次報告書 2026-12-08"
t_wait "2026-12-08（今日）"
# The report is made in the background: its header shows at once, its lines (and
# the position read below) once made. Wait for "… 作成" (made at), not
# "報告書を作成中…" (making).
report_made() {
    local s
    s=$(t_screen)
    grep -qF "作成" <<<"$s" && ! grep -qF "作成中" <<<"$s"
}
t_wait_cmd report_made 120 "the daily report made (作成, not 作成中)"
# The report's position, " TOP/LINES " at the right of its footer.
rp_pos() { t_screen | grep -oE ' [0-9]+/[0-9]+ *$' | tail -n 1 | tr -d ' '; }
# Keys are read in order: once the ? overlay opened after a key is up and closed
# again, that key has been handled (a PageDown on the last page changes nothing
# to wait for; a fixed wait for a change fails on a slow machine).
# (The overlay by its title: the pane's key line ends with "? キー一覧" too.)
rp_barrier() {
    t_keys '?'
    t_wait "キー一覧（j/k"
    t_keys Escape
    t_wait_gone "キー一覧（j/k"
}
pages=0
while :; do # every page, until PageDown no longer moves it
    pages=$((pages + 1))
    day_check "daily report, page $pages"
    ((pages < 20)) || t_fail "the report does not end"
    pos=$(rp_pos)
    [[ -n $pos ]] || break # no position: the report fits on one page
    t_keys PageDown
    rp_barrier
    [[ $(rp_pos) != "$pos" ]] || break
done
((pages >= 2)) || t_fail "the report has one page only"
t_keys g
t_keys /
t_type "L032"
t_keys Enter
t_wait "31 °C（範囲 18–27）"
t_screen | grep "L032" | grep -qE " yamada +[0-9]" &&
    t_fail "Reports pane, daily report: the 担当 column names logins (yamada), not 山田 太郎"
t_screen | grep -qE "unyo-check" && t_fail "Reports pane, daily report: the 担当 column names the checker unyo-check, not 自動点検"
t_screen | grep -qE "^ +[0-9]{2}:[0-9]{2} +none " &&
    t_fail "Reports pane, 署名した引継ぎ: the シフト column shows none when no shift was started"
t_keys /
t_type "署名した引継ぎ"
t_keys Enter
t_wait_cmd 't_screen | grep -qE "署名した引継ぎ +1"' 30 "署名した引継ぎ 1"
t_screen | grep -qE "[0-9]{2}:[0-9]{2} +(none|早番|遅番|未設定) +(yamada|sato) " &&
    t_fail "Reports pane, 署名した引継ぎ: 引継ぎ元/先 name logins, not 山田 太郎 / 佐藤 花子"
t_ok "(k) the daily report ($pages pages) shows the 31 °C NG and the signed handover, in Japanese"
t_keys q
t_wait_exit
echo "all passed"
