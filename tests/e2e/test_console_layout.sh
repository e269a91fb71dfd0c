#!/usr/bin/env bash
# Issue 13, "nothing cut off", in the Japanese console at 200 and 80 columns:
# list columns are sized by content (a long memo and the item's name both whole
# at 200; at 80 the name is not cut to a stub while a short value column keeps
# only what it needs); the checklist is one row per item with its hosts under
# it (counts, NG hosts, opened and closed, marks on a host row); a long refusal
# and a long form label wrap instead of being cut; closing the `?` overlay leaves
# the screen as it was; a message of one pane does not stay on another; at 80
# columns the Incidents title keeps its first 12 characters (Japanese and English).
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
U() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "$@"; }

MEMO="空調の吹き出し口付近で測定、ラック背面は二十六度、明日の朝に設備課へ再確認を依頼する予定"
U checklist mark L032 ok --value 22 --note "$MEMO" >/dev/null || t_fail "mark L032"
U checklist mark L025 ng --host lib-ap01 --note "応答なし" >/dev/null || t_fail "mark L025 NG"
U checklist mark L025 ok --host lib-ad01 >/dev/null || t_fail "mark L025 OK"
NAME="サーバ室内温度・湿度管理（温度）"

lines_with() { t_screen | grep -cF -- "$1" || true; }
row_of() { t_screen | grep -F -- "$1" | head -1; }
# The screen without its status line, whose clock (HH:MM, running from UNYO_NOW)
# may turn a minute between two captures on a slow machine.
no_clock() { t_screen | sed '$d'; }

# ---- 200 columns: the grouped checklist, the memo and the name whole ----
t_start 200 50 --lang ja --pane checklist
t_wait "137 項目"
# L025 has an NG host: it starts open, its row counts and names it
t_wait "▾ 定常監視"
t_wait "1/10 OK"
t_wait "NG 1: lib-ap01"
(($(lines_with "L025") == 11)) || t_fail "L025: expected its row and 10 host rows, saw $(lines_with L025)"
t_wait "  └"
# an item without NG is closed: one row, its hosts under it hidden
t_wait "▸ バックアップ取得確認"
(($(lines_with "L026") == 1)) || t_fail "L026 is not one closed row"
row_of "L026" | grep -qF "0/10 OK" || t_fail "L026's row does not count its hosts: $(row_of L026)"
row_of "L026" | grep -qF "未実施 10" || t_fail "L026's row does not say 10 to do"
t_ok "checklist: one row per item, counts and NG hosts, an NG item open"
# the memo and the name both whole (the memo was cut at 24 cells, the name took 130)
row_of "L032 " | grep -qF -- "$MEMO" || t_fail "the memo is cut at 200 columns: $(row_of 'L032 ')"
row_of "L032 " | grep -qF -- "$NAME" || t_fail "the name is cut at 200 columns"
t_ok "200 columns: the long memo and the item's name whole"
# Space closes and opens an item; a mark on a host row
t_keys g
t_keys Space
t_wait "▸ 定常監視"
t_wait_cmd '(($(lines_with L025) == 1))' 30 "L025 closed to one row"
t_keys Space
t_wait "▾ 定常監視"
t_keys j
t_keys o
t_wait "L025 core-sw01: OK"
t_wait "2/10 OK"
# ← from a host row goes back to the item, ← again closes it, → opens it again
t_keys Left Left
t_wait "▸ 定常監視"
t_keys Right
t_wait "▾ 定常監視"
t_ok "checklist: Space, ← and → open and close an item, o marks a host row"
# ? then close: the screen as before
before=$(no_clock)
t_keys '?'
t_wait "キー一覧"
t_keys Escape
t_wait_gone "キー一覧"
t_wait_cmd '[[ "$(no_clock)" == "$before" ]]' 30 "the screen after closing ? to equal the one before"
t_ok "? then Esc leaves no residue (checklist)"
t_keys q
t_wait_exit

# ---- 80 columns ----
t_start 80 24 --lang ja --pane checklist
t_wait "137 項目"
t_keys /
t_type "^L032\$"
t_keys Enter
# the footer names the filter once applied: L032 is on the first page before it,
# and the columns are sized by the rows shown
t_wait "絞り込み /^L032\$/: 1 / "
t_wait "L032 "
row=$(row_of "L032 ")
# the name is not a stub: at least "サーバ室内温度" (14 cells), as the flex column
# shares the width with the memo by need
grep -qF "サーバ室内温度" <<<"$row" || t_fail "at 80 columns the name is cut to a stub: $row"
grep -qF "空調の吹き" <<<"$row" || t_fail "at 80 columns the memo is gone: $row"
# the value column keeps what its cells need ("22 °C", the header 値): the
# header's gap between 値 and メモ is a few cells, not 13
head=$(t_screen | grep -F "状態 " | head -1)
gap=$(sed -E 's/.*値( *)メモ.*/\1/' <<<"$head")
((${#gap} <= 6)) || t_fail "the value column is wider than its content: '$head'"
t_ok "80 columns: the name readable, the value column as wide as its content"
t_keys / Enter
# a long refusal wraps, whole, instead of being cut (the pane names of :pane)
t_keys :
t_type "pane 存在しない"
t_keys Enter
t_wait "存在しない"
t_wait "reports"
# the message lines: after the pane's footer, above the status line
msg=$(t_screen | sed -n '/^o OK  x NG/,$p' | sed '1d;$d')
grep -qF "checklist" <<<"$msg" || t_fail "the refusal's start is cut: $msg"
grep -qF "…" <<<"$msg" && t_fail "the refusal is cut: $msg"
t_ok "a long refusal wraps to as many lines as it needs"
# ... and :messages shows it again
t_keys :
t_type "messages"
t_keys Enter
t_wait "メッセージ（j/k"
t_keys Escape
t_wait_gone "メッセージ（j/k"
# a message said in the Consoles pane does not stay after leaving it
t_keys 5
t_wait "コンソールセッションはありません"
t_keys :
t_type "sort 名前"
t_keys Enter
t_wait "並べ替え"
consoles_msg=$(t_screen | tail -n 2 | head -n 1)
[[ -n ${consoles_msg// /} ]] || t_fail "no message in the Consoles pane"
t_keys Tab
t_wait "引継ぎ"
t_wait_gone "$consoles_msg"
t_ok "the Consoles pane's message is gone after switching panes"
# a long form label wraps (the Consoles pane's host prompt), and the refusal
# of a demo host under it is read whole
t_keys 5
t_wait "コンソールセッションはありません"
t_keys o
t_wait "ssh_config の別名"
t_assert_not "ホスト（台帳の名前…"
t_type "lib-ap01"
t_keys Enter
t_wait "必要です"
t_keys Escape
t_wait "破棄"
t_keys y
t_wait_gone "破棄" # the question hides the form: its label is not on screen before y
t_wait_gone "ssh_config の別名"
# ? then close in the Reports pane (a box over wide characters): as before
t_keys 8
t_wait "日次報告"
# the report made: "… 作成" (made at), not "報告書を作成中…" (making), which
# the bare word "作成" matched too
report_made() {
    local s
    s=$(t_screen)
    grep -qF "作成" <<<"$s" && ! grep -qF "作成中" <<<"$s"
}
t_wait_cmd report_made 60 "the daily report made (作成, not 作成中)"
sleep 0.5 # nothing more to wait for: the report is drawn
before=$(no_clock)
t_keys '?'
# the overlay by its title: the Reports pane's key line ends with "? キー一覧", cut
# at 80 columns, whole at a wider screen
t_wait "キー一覧（j/k"
t_keys Escape
t_wait_gone "キー一覧（j/k"
t_wait_cmd '[[ "$(no_clock)" == "$before" ]]' 30 "the Reports screen after closing ? to equal the one before"
t_ok "? then Esc leaves no residue (reports, 80 columns)"
t_keys q
t_wait_exit

# ---- 80 columns: the Incidents title is what a person reads ----
# (it had 4 cells, "利用者カ…", while the ref and the intake time had all they
# asked; now the intake time and the library are hidden whole before the title
# falls below 24 cells)
for lang in ja en; do
    t_start 80 24 --lang $lang --pane incidents
    t_wait "INC-"
    t_wait "利用者カード"
    row=$(row_of "利用者カード")
    grep -qF "利用者カードが読み取れな" <<<"$row" || t_fail "$lang: at 80 columns the title is cut to a stub: $row"
    row=$(row_of "プロキシ経由")
    grep -qF "プロキシ経由で外部サイト" <<<"$row" || t_fail "$lang: at 80 columns the title is cut to a stub: $row"
    # the ref is whole, and no column is a stub of a cell or two ("1…")
    grep -qE "INC-[0-9]{8}-[0-9a-f]{4} " <<<"$row" || t_fail "$lang: the ref is cut: $row"
    t_screen | grep -E "^INC-" | grep -qE " [^ ]…( |$)" && t_fail "$lang: a column cut to a stub: $(t_screen | grep -E '^INC-' | head -3)"
    t_ok "80 columns ($lang): the incident title shows its first 12 characters"
    t_keys q
    t_wait_exit
done
