#!/usr/bin/env bash
# The Changes pane, draft to done with separation of duties: operator a files a
# change (form, then steps one by one), submits it and cannot approve it; engineer b
# approves it (and cannot approve a change b filed) and returns another with a note; a
# starts it (g only moves to the first row; S asks first, naming the window), checks off every step with its output, marks it done and rolls it back. The status is on screen at every stage and
# every refusal is the core's message in the status line.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00
t_init "$1"
q() { sqlite3 "$T_DB" "$1"; }
U() { UNYO_USER=$1 UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "${@:2}"; }
# the demo's manager registers them (only a manager adds operators)
U ito operator add a --role operator --name "運用 A" >/dev/null || t_fail "add a"
U ito operator add b --role engineer --name "技術 B" >/dev/null || t_fail "add b"
# b's own change, in review (filed from the CLI)
U b change new --dept 情報政策課 --title "B自身の変更" --rollback "元に戻す" --step "作業" \
    >/dev/null 2>&1 || t_fail "b change new"
BREF=$(q "SELECT ref FROM changes WHERE title = 'B自身の変更'")
U b change step "$BREF" plan >/dev/null && U b change step "$BREF" submit >/dev/null ||
    t_fail "b submits"
# yamada's change in review with a window in service hours (Saturday 10:00-12:00)
U yamada change new --dept 中央館 --title "OPAC画面の文言変更" --rollback "旧文言に戻す" \
    --step "文言を差し替える" --window-start "2026-11-28 10:00" --window-end "2026-11-28 12:00" \
    >/dev/null 2>&1 || t_fail "yamada change new"
YREF=$(q "SELECT ref FROM changes WHERE title = 'OPAC画面の文言変更'")
U yamada change step "$YREF" plan >/dev/null 2>&1 && U yamada change step "$YREF" submit >/dev/null 2>&1 ||
    t_fail "yamada submits"

# ---- a files a change and submits it ----
T_USER=a
t_start 120 30 --lang en --pane changes
t_wait "Change requests — 2, 2 open, 2 in review, 1 with a window in service hours"
t_wait "11-28 10:00–12:00 ⚠"
t_keys +
t_wait "New change request"
t_type "資料課"
t_keys Tab
t_type "プロキシ除外ルール追加"
t_keys Tab
t_type "新しいDBサービスへの接続"
t_keys Tab
t_type "夜間に設定を変更する"
t_keys Tab
t_type "設定ファイルを戻して再読込"
t_keys Tab Tab # risk stays medium
t_type "2026-11-29 18:00"
t_keys Tab
t_type "2026-11-29 20:00"
t_keys Enter
t_wait "Filed change CHG-20261124-"
AREF=$(q "SELECT ref FROM changes WHERE title = 'プロキシ除外ルール追加'")
[[ -n $AREF ]] || t_fail "the change was not filed"
# the target hosts are asked first (marked in the inventory: test_changes_form);
# Esc leaves none
t_wait "Target hosts of $AREF"
t_keys Escape
t_wait "$AREF: step 1 (empty finishes)"
t_type "設定ファイルをバックアップする"
t_keys Enter
t_wait "$AREF: step 2 (empty finishes)"
t_type "除外ルールを追加して再読込する"
t_keys Enter
t_wait "$AREF: step 3 (empty finishes)"
t_keys Enter
t_wait "$AREF has 2 step(s). s submits it for review."
t_wait "draft "
t_wait "11-29 18:00–20:00" # Sunday after 17:30: outside service hours, no mark
t_assert_not "11-29 18:00–20:00 ⚠"
t_ok "a files $AREF with two steps (draft)"
t_keys s
t_wait "Change $AREF is now in review"
# a cannot approve it: the core's message, nothing written
before=$(q "SELECT count(*) FROM change_events")
t_keys a
t_wait "only an engineer may approve this change (a is an operator)"
t_assert_not "(y/n)" # the refusal comes before any question
[[ $(q "SELECT status FROM changes WHERE ref = '$AREF'") == in_review ]] || t_fail "status moved"
[[ $(q "SELECT count(*) FROM change_events") == "$before" ]] || t_fail "a refusal wrote events"
t_keys Enter
t_wait "Status:        in review"
t_wait "設定ファイルをバックアップする"
t_keys Escape
t_keys q
t_wait_exit
t_ok "a submits; a cannot approve their own change"

# ---- b approves a's change, cannot approve b's own ----
T_USER=b
t_start 120 30 --lang en --pane changes
t_wait "3 in review"
t_keys /
t_type "除外ルール"
t_keys Enter
t_wait "filter /除外ルール/: 1 of 3"
# a asks first, naming the change and its window; n approves nothing
before=$(q "SELECT count(*) FROM change_events")
t_keys a
t_wait "Approve $AREF"
t_wait "プロキシ除外ルール追加"
t_wait "window 11-29 18:00–20:00"
t_keys n
t_wait "$AREF was not approved."
[[ $(q "SELECT status FROM changes WHERE ref = '$AREF'") == in_review ]] || t_fail "n approved the change"
[[ $(q "SELECT count(*) FROM change_events") == "$before" ]] || t_fail "n wrote events"
# y, then a comment: it is kept in the change's timeline
t_keys a
t_wait "(y/n)"
t_keys y
t_wait_gone "(y/n)"
t_wait "Comment"
t_type "手順とロールバックを確認済み"
t_keys Enter
t_wait "Change $AREF is now approved."
[[ $(q "SELECT e.note FROM change_events e JOIN changes c ON c.id = e.change_id WHERE c.ref = '$AREF' AND e.kind = 'approved'") == 手順とロールバックを確認済み ]] ||
    t_fail "the approval comment is not in the timeline: $(q "SELECT kind, note FROM change_events")"
t_keys Enter # the detail's timeline shows the comment
t_wait "手順とロールバックを確認済み"
t_keys Escape
t_wait_gone "Status:        approved"
t_wait "approved "
[[ $(q "SELECT o.login FROM changes c JOIN operators o ON o.id = c.approver_id WHERE c.ref = '$AREF'") == b ]] ||
    t_fail "approver not recorded"
t_keys /
t_type "B自身"
t_keys Enter
t_wait "filter /B自身/: 1 of 3"
t_keys a
t_wait "$BREF: the requester cannot approve their own change"
t_assert_not "(y/n)"
# return yamada's change with a note: the note is required
t_keys /
t_type "OPAC"
t_keys Enter
t_wait "filter /OPAC/: 1 of 3"
t_keys t
t_wait "Return $YREF to the requester"
t_keys Enter
t_wait "required"
t_type "作業時間帯を閉館後にしてください"
t_keys Enter
t_wait "Change $YREF is now returned."
t_keys q
t_wait_exit
t_ok "b approves $AREF; b cannot approve $BREF that b filed; b returns $YREF with a note"

# ---- a starts, checks off the steps, done ----
T_USER=a
t_start 120 30 --lang en --pane changes
t_wait "Change requests — 3" # the list drawn: keys typed before the console is up may be echoed or lost
t_keys /
t_type "除外ルール"
t_keys Enter
t_wait "filter /除外ルール/: 1 of 3"
t_keys D # not yet: the core refuses
t_wait "$AREF: done is not allowed while approved (only while in progress)"
# g is "first row" here as in every list: it never starts the change
# (keys are read in order: once S's question is up, g has been handled)
t_keys g
# S asks first, naming the change and where its window stands; n starts nothing
t_keys S
t_wait "Start the work of $AREF now? Its window 11-29 18:00–20:00 JST has NOT begun yet. (y/n)"
[[ $(q "SELECT status FROM changes WHERE ref = '$AREF'") == approved ]] || t_fail "g started the change"
t_keys n
t_wait "$AREF was not started."
[[ $(q "SELECT status FROM changes WHERE ref = '$AREF'") == approved ]] || t_fail "n started the change"
t_keys S
t_wait "(y/n)"
t_keys y
t_wait "Change $AREF is now in progress"
t_keys Space
t_wait "$AREF step 1: 設定ファイルをバックアップする"
t_type "squid.conf.20261128 を保存"
t_keys Enter
t_wait "Step 1 of $AREF done; 1 to go."
t_keys D
t_wait "change $AREF: 1 of 2 procedure steps are not done yet"
t_keys o
t_wait "$AREF step 2: 除外ルールを追加して再読込する"
t_keys Enter
t_wait "every step is done: D marks the change done."
t_keys D
t_wait "Change $AREF is now done."
t_keys Enter
t_wait "Status:        done"
t_wait "[x] 1. 設定ファイルをバックアップする"
t_wait "> squid.conf.20261128 を保存"
t_wait "[x] 2. 除外ルールを追加して再読込する"
t_wait "Approved by:   技術 B"
t_keys Escape
t_wait "filter /除外ルール/: 1 of 3"
[[ $(q "SELECT status FROM changes WHERE ref = '$AREF'") == done ]] || t_fail "not done in the store"
# roll it back: asks first
t_keys b
t_wait "Roll back $AREF (done)? Config records are restored. (y/n)"
t_keys n
t_wait_gone "(y/n)"
t_keys b
t_wait "(y/n)"
t_keys y
# the reason's form replaces the question, which named "Roll back $AREF" too
t_wait_gone "(y/n)"
t_wait "Roll back $AREF"
t_type "業務APが起動しない"
t_keys Enter
t_wait "Change $AREF is now rolled back."
t_keys q
t_wait_exit
[[ $(q "SELECT status FROM changes WHERE ref = '$AREF'") == rolled_back ]] || t_fail "not rolled back"
[[ $(q "SELECT count(*) FROM change_steps s JOIN changes c ON c.id = s.change_id WHERE c.ref = '$AREF' AND s.done_at IS NOT NULL") == 2 ]] ||
    t_fail "steps not recorded"
t_ok "a starts $AREF, checks off both steps, marks it done, rolls it back"
