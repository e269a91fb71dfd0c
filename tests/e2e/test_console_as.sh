#!/usr/bin/env bash
# A second person at the keyboard, in ONE console (issue 13): yamada submits a change
# for review; `:as suzuki` (Tab completes the login, listed by name) hands the keyboard
# to the engineer 鈴木 一郎: the status line shows 鈴木's name at once, the approval is
# recorded as 鈴木's (the change's detail names 鈴木 as the approver, the audit names who
# handed over to whom) and `:log` shows `UNYO_USER=suzuki unyo …`; four-eyes still holds
# (鈴木 cannot approve the change 鈴木 filed); `:as` alone goes back to yamada; an
# unknown login is refused in Japanese and changes nothing. The Handover pane's `u`
# chooses the person by name.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

# A fresh store instead of the demo's: yamada (a manager) and 鈴木 (an engineer).
rm -f "$T_DB"
cli() { UNYO_USER=$1 UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang ja "${@:2}"; }
q() { sqlite3 "$T_DB" "$1"; }
cli yamada init >"$T_DIR/init.out" 2>&1 || t_fail "init: $(cat "$T_DIR/init.out")"
cli yamada operator add yamada --role manager --name "山田 太郎" >/dev/null
cli yamada operator add suzuki --role engineer --name "鈴木 一郎" >/dev/null
cli yamada operator add sato --role operator --name "佐藤 健" >/dev/null
# yamada's change (a draft, submitted in the console below) and 鈴木's own (in review)
cli yamada change new --dept 中央館 --title "OPAC画面の文言変更" --rollback "旧文言に戻す" \
    --step "文言を差し替える" >/dev/null 2>&1 || t_fail "yamada change new"
YREF=$(q "SELECT ref FROM changes WHERE title = 'OPAC画面の文言変更'")
cli suzuki change new --dept 情報政策課 --title "鈴木自身の変更" --rollback "元に戻す" \
    --step "作業" >/dev/null 2>&1 || t_fail "suzuki change new"
SREF=$(q "SELECT ref FROM changes WHERE title = '鈴木自身の変更'")
cli suzuki change step "$SREF" plan >/dev/null && cli suzuki change step "$SREF" submit >/dev/null ||
    t_fail "suzuki submits"

T_USER=yamada
t_start 120 32 --lang ja --pane changes
t_wait "│ 山田 太郎 │"
t_keys /
t_type "OPAC"
t_keys Enter
# the footer names the filter once it is applied (the title is on screen before)
t_wait "絞り込み /OPAC/: 1 / 2 件"
t_wait "OPAC画面の文言変更"
t_keys s
t_wait "変更 $YREF は"
[[ $(q "SELECT status FROM changes WHERE ref = '$YREF'") == in_review ]] ||
    t_fail "yamada's change is not in review: $(q "SELECT status FROM changes WHERE ref = '$YREF'")"
t_ok "yamada submits $YREF for review in the console"

# ---- an unknown login is refused, nothing changes ----
audits=$(q "SELECT count(*) FROM audit WHERE action = 'operator.act_as'")
t_keys :
t_type "as nobody"
t_keys Enter
t_wait "nobody はこのストアの有効な運用者ではありません"
t_wait "│ 山田 太郎 │"
[[ $(q "SELECT count(*) FROM audit WHERE action = 'operator.act_as'") == "$audits" ]] ||
    t_fail "a refused :as was audited"
t_ok ":as with an unknown login is refused in Japanese"

# ---- :as suzuki (Tab completes), the status line follows at once ----
t_keys :
t_type "as su"
t_keys Tab
t_wait "鈴木 一郎 (suzuki)"
t_wait ":as suzuki"
t_keys Enter
t_wait "以後の操作は 鈴木 一郎 として記録します"
t_wait "│ 鈴木 一郎 │"
t_assert_not "│ 山田 太郎 │"
[[ $(q "SELECT a.detail FROM audit a JOIN operators o ON o.id = a.operator_id WHERE a.action = 'operator.act_as' AND o.login = 'yamada'") == "from=yamada to=suzuki" ]] ||
    t_fail "the hand-over is not audited as yamada's: $(q "SELECT * FROM audit WHERE action = 'operator.act_as'")"
t_ok ":as suzuki shows 鈴木 一郎 on the status line, audited as yamada handing over"

# ---- 鈴木 approves yamada's change ----
t_keys a
t_wait "(y/n)"
t_keys y
# the comment's form replaces the question ("コメント" is on screen before y)
t_wait_gone "(y/n)"
t_wait "コメント"
t_type "文言を確認済み"
t_keys Enter
t_wait "変更 $YREF は"
[[ $(q "SELECT o.login FROM changes c JOIN operators o ON o.id = c.approver_id WHERE c.ref = '$YREF'") == suzuki ]] ||
    t_fail "the approver is not suzuki: $(q "SELECT approver_id FROM changes WHERE ref = '$YREF'")"
t_keys Enter
t_wait "鈴木 一郎 ("
t_keys Escape
t_keys :
t_type "log"
t_keys Enter
t_wait "UNYO_USER=suzuki unyo --db $T_DB change"
t_keys Escape
t_ok "approved as 鈴木 一郎: the detail names 鈴木, :log shows UNYO_USER=suzuki"

# ---- four-eyes still holds: 鈴木 cannot approve 鈴木's own change ----
t_keys /
t_type "鈴木自身"
t_keys Enter
t_wait "絞り込み /鈴木自身/: 1 / 2 件"
t_wait "鈴木自身の変更"
before=$(q "SELECT count(*) FROM change_events")
t_keys a
t_wait "$SREF: 起票者は自分の"
t_assert_not "(y/n)"
[[ $(q "SELECT count(*) FROM change_events") == "$before" ]] || t_fail "the refusal wrote events"
[[ $(q "SELECT status FROM changes WHERE ref = '$SREF'") == in_review ]] || t_fail "$SREF moved"
t_ok "as 鈴木, approving 鈴木's own change is refused (four-eyes)"

# ---- :as alone goes back to yamada ----
t_keys :
t_type "as"
t_keys Enter
t_wait "以後の操作は 山田 太郎 として記録します"
t_wait "│ 山田 太郎 │"
t_assert_not "│ 鈴木 一郎 │"
t_ok ":as alone goes back to yamada"

# ---- the Handover pane's u chooses by name ----
t_keys :
t_type "pane handover"
t_keys Enter
t_keys u
t_wait "誰が操作しますか"
t_wait "山田 太郎（yamada）— 現在の操作者"
t_wait "佐藤 健 (sato)"
t_keys Escape
t_wait_gone "誰が操作しますか"
t_wait "│ 山田 太郎 │"
# by login: sato is the first row; Enter hands the keyboard to 佐藤
t_keys u
t_wait "誰が操作しますか"
t_keys Enter
t_wait "以後の操作は 佐藤 健 として記録します"
t_wait "│ 佐藤 健 │"
[[ $(q "SELECT count(*) FROM audit WHERE action = 'operator.act_as' AND detail = 'from=yamada to=sato'") == 1 ]] ||
    t_fail "the hand-over to sato is not audited"
t_keys :
t_type "as yamada"
t_keys Enter
t_wait "│ 山田 太郎 │"
t_keys q
t_wait_exit
t_ok "the Handover pane's u lists the operators by name and hands the keyboard over"
