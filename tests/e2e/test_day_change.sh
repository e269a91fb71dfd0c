#!/usr/bin/env bash
# The operator's day, step (i): an account change drafted by the operator,
# approved by a second person, executed, in the Changes pane. The second person
# (鈴木 一郎, an engineer) acts in a console of their own on the same store: a
# second console process with UNYO_USER=suzuki, as on a shared terminal (the
# console has no "act as" of its own). yamada: + the form, the procedure steps,
# s submits. suzuki: a asks (naming the change and its window), then a comment;
# approved. yamada: S asks, starts; Space records each step's output; D completes.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/day.sh"
day_init "$1" nossh
status() { day_q "SELECT status FROM changes WHERE title = '東図書館の職員アカウント追加'"; }

# ---- draft (yamada) ----
day_start changes
t_wait "変更依頼はまだありません"
day_check "Changes pane, empty"
t_keys +
t_wait "変更依頼の起票"
day_check "change form"
t_type "情報政策課"
t_keys Tab
t_type "東図書館の職員アカウント追加"
t_keys Tab
t_type "新任職員の着任"
t_keys Tab
t_type "業務システムにアカウントを追加する"
t_keys Tab
t_type "追加したアカウントを削除する"
t_keys Tab Left # リスク: 中 → 低
t_wait "◀ 低 ▶"
t_keys Tab
t_type "２０２６／１２／０８ 08:00" # typed on a Japanese keyboard
t_keys Tab
t_type "2026-12-08 12:00"
t_keys Enter
t_wait "手順 1（空欄で終了）"
REF=$(day_q "SELECT ref FROM changes WHERE title = '東図書館の職員アカウント追加'")
[[ -n $REF ]] || t_fail "the change was not saved"
t_type "業務システムの管理画面でアカウントを作成する"
t_keys Enter
t_wait "手順 2（空欄で終了）"
t_type "ログインできることを確認する"
t_keys Enter
t_wait "手順 3（空欄で終了）"
t_keys Enter
t_wait "$REF の手順は 2 件です。s でレビューに提出します。"
day_check "Changes pane with the draft"
t_keys s
t_wait "$REF はレビュー中になりました"
[[ $(status) == in_review ]] || t_fail "$REF is $(status), not in review"
t_screen | grep "^$REF" | grep -qE " yamada *$" &&
    t_fail "Changes pane: the 起票者 column shows the login yamada, not 山田 太郎"
t_screen | grep "^$REF" | grep -qF "山田 太郎" || t_fail "Changes pane: the 起票者 column does not name 山田 太郎"
t_screen | grep -qF "図書館システムの利…" &&
    t_fail "Changes pane, s: the window warning is cut at the screen's edge (…図書館システムの利…), not wrapped"
day_check "Changes pane, in review"
t_ok "(i) the change $REF drafted with 2 steps and submitted by 山田 太郎"
t_keys q
t_wait_exit

# ---- approve (suzuki, a second console process) ----
# shellcheck disable=SC2034 # read by t_start
T_USER=suzuki
day_start changes
t_wait "│ 鈴木 一郎 │"
t_wait "$REF"
t_keys a
t_wait "$REF「東図書館の職員アカウント追加」を承認しますか?"
day_check "approval question"
t_keys y
t_wait "$REF を承認"
t_type "手順を確認しました"
t_keys Enter
t_wait "$REF は承認済みになりました"
[[ $(status) == approved ]] || t_fail "$REF is $(status), not approved"
t_screen | grep "^$REF" | grep -qE " suzuki *$" &&
    t_fail "Changes pane: the 承認者 column shows the login suzuki, not 鈴木 一郎"
t_screen | grep "^$REF" | grep -qF "鈴木 一郎" || t_fail "Changes pane: the 承認者 column does not name 鈴木 一郎"
day_check "Changes pane, approved"
t_ok "(i) $REF approved by 鈴木 一郎 in a console of their own (UNYO_USER=suzuki)"
t_keys q
t_wait_exit

# ---- execute (yamada) ----
# shellcheck disable=SC2034 # read by t_start
T_USER=yamada
day_start changes
t_wait "$REF"
t_keys S
t_wait "$REF の作業を今開始しますか？"
day_check "start question"
t_keys y
t_wait "$REF は実施中になりました"
t_keys Space
t_wait "手順 1: 業務システムの管理画面でアカウントを作成する"
t_type "higashi-05 を作成"
t_keys Enter
t_wait_gone "手順 1: 業務システムの管理画面でアカウントを作成する"
t_keys Space
t_wait "手順 2: ログインできることを確認する"
t_type "ログイン確認済み"
t_keys Enter
t_wait_gone "手順 2: ログインできることを確認する"
t_keys D
t_wait "$REF は完了になりました"
[[ $(status) == "done" ]] || t_fail "$REF is $(status), not done"
day_check "Changes pane, done"
t_keys Enter
t_wait "higashi-05 を作成"
day_check "change detail"
t_ok "(i) $REF started, both steps recorded and completed by 山田 太郎"
t_keys Escape
t_keys q
t_wait_exit
echo "all passed"
