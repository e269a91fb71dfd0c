#!/usr/bin/env bash
# Dates and numbers typed on a Japanese keyboard (issue 13), in the Japanese
# console: full-width digits in the checklist's value prompt (３１．５ °C is
# out of range: NG), `:goto` with a full-width date in the Checklist and Reports
# panes, the report's day prompt with 2026/11/20. A checklist note of two lines
# shows its first line and ⏎ (never a literal \n) and Enter shows all of it; a
# note of two lines in an incident's timeline or a handover shows both lines. The CLI takes
# the same forms (--value ３１, --date ２０２６／１１／２３); a bad date exits 2.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

cli() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang ja "$@"; }

# ---- the CLI ----
out=$(cli checklist mark L032 ok --value ３１ --date ２０２６／１１／２３ 2>&1) ||
    t_fail "full-width --value and --date refused: $out"
grep -qF "L032" <<<"$out" || t_fail "unexpected answer: $out"
[[ $(sqlite3 "$T_DB" "SELECT count(*) FROM checklist_events WHERE value = 31 AND day = '2026-11-23'") == 1 ]] ||
    t_fail "the value 31 for 2026-11-23 is not in checklist_events"
set +e
out=$(cli checklist --date ２０２６／１３／０１ 2>&1)
rc=$?
set -e
((rc == 2)) || t_fail "a bad full-width date exited $rc, not 2: $out"
grep -qF "２０２６／１３／０１" <<<"$out" || t_fail "the refusal does not show what was typed: $out"
t_ok "the CLI takes full-width --value and --date, and refuses a bad date with exit 2"

# two-line notes: a checklist note and an incident timeline note
cli checklist mark L031 note --note $'空調停止\n業者に連絡済み' >"$T_DIR/cli.log" 2>&1 ||
    t_fail "checklist note: $(cat "$T_DIR/cli.log")"

ref=$(cli incident list --csv | sed -n 2p | cut -d, -f1)
[[ $ref == INC-* ]] || t_fail "no incident in the demo store"
cli incident step "$ref" note --note $'ベンダーに電話\n折り返し待ち' >"$T_DIR/cli.log" 2>&1 ||
    t_fail "incident note: $(cat "$T_DIR/cli.log")"
cli handover sign --note $'空調の再確認\n業者は午後に来訪' >"$T_DIR/cli.log" 2>&1 ||
    t_fail "handover sign: $(cat "$T_DIR/cli.log")"

t_start 160 45 --lang ja --pane checklist
t_wait "NG 1 │"
t_keys /
t_type "^L031\$"
t_keys Enter
t_wait "絞り込み /^L031\$/: 1 / " # applied: the note is on screen before the filter too
t_wait "空調停止 ⏎"
t_assert_not '空調停止\n'
t_keys Enter
t_wait "業者に連絡済み"
t_keys Escape
t_wait_gone "業者に連絡済み"
t_ok "a two-line checklist note shows its first line and ⏎; Enter shows all of it"

# ---- full-width digits in the value prompt ----
t_keys /
t_type "^L032\$"
t_keys Enter
t_wait "サーバ室"
t_keys v
t_wait "27 °C"
t_type "３１．５"
t_keys Enter
t_wait "インシデントの下書きを作成しますか"
t_keys n
t_wait_gone "インシデントの下書きを作成しますか" # 31.5 °C shows once saved, before n
t_wait "31.5 °C"
t_keys / Enter
t_ok "the value prompt takes full-width digits (３１．５ → 31.5 °C, NG)"

# ---- :goto a date, full-width ----
t_keys :
t_type "goto ２０２６／１１／２２"
t_keys Enter
t_wait "2026-11-22 (日)"
t_keys :
t_type "goto 2026-11-23"
t_keys Enter
t_wait "2026-11-23 (月)"
t_ok ":goto takes a date in the Checklist pane"

# ---- Reports: :goto and the day prompt ----
t_keys :
t_type "pane reports"
t_keys Enter
t_wait "日次報告書 2026-11-23"
t_keys :
t_type "goto ２０２６－１１－２１"
t_keys Enter
t_wait "日次報告書 2026-11-21"
t_keys p
t_wait "日付 (YYYY-MM-DD)"
t_keys C-u
t_type "２０２６／１１／２０"
t_keys Enter
t_wait "日次報告書 2026-11-20"
t_keys :
t_type "goto 明日"
t_keys Enter
t_wait "goto には一覧の行番号か"
t_ok "the Reports pane goes to a day typed full-width (:goto, p)"

# ---- an incident's timeline: a two-line note on two rows ----
t_keys :
t_type "pane incidents"
t_keys Enter
t_wait "$ref"
t_keys g Enter # the newest: the list's first row, as in `incident list`
t_wait "ベンダーに電話"
t_wait "折り返し待ち"
t_assert_not 'ベンダーに電話\n'
t_ok "a two-line note in the timeline shows both lines, no literal \\n"

# ---- the handover: the signed note on two rows ----
t_keys Escape
t_keys :
t_type "pane handover"
t_keys Enter
t_wait "メモ: 空調の再確認"
t_wait "業者は午後に来訪"
t_assert_not '空調の再確認\n'
t_ok "a two-line handover note shows both lines"
t_keys q
t_wait_exit
