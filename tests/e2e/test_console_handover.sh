#!/usr/bin/env bash
# Handover between two operators: yamada signs (asked first; with a note, naming suzuki and a
# to-do), then the console restarts as suzuki, who acknowledges. The signer
# cannot acknowledge their own handover.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

T_USER=yamada
q() { sqlite3 "$T_DB" "$1"; }
t_start 100 30 --lang ja --pane handover
t_wait "今月の引継ぎはまだありません"
t_keys S
t_wait "引継ぎに署名（交代する人）"
t_type "OPAC端末の件は中央館に連絡済み"
# To: the operator of the next shift first (suzuki works the late shift today)
t_keys Tab Right
t_wait "鈴木 一郎 (suzuki・次の勤務)"
t_keys Tab
t_type "DBサーバのディスク使用率を再確認"
t_keys Enter
# signing asks first, naming the addressee; n signs nothing and keeps the form
t_wait "鈴木 一郎 (suzuki・次の勤務) 宛てに引継ぎに署名しますか"
t_keys n
t_wait_gone "(y/n)"
[[ $(q "SELECT count(*) FROM handovers") == 0 ]] || t_fail "n signed the handover"
t_wait "DBサーバのディスク使用率を再確認" # the form is still there with its text
t_keys Enter
t_wait "(y/n)"
t_keys y
t_wait "引継ぎに署名しました"
t_wait "宛先 鈴木 一郎"
t_wait "未確認（A で確認）"
[[ $(q "SELECT count(*) FROM handovers WHERE deleted = 0") == 1 ]] || t_fail "y did not sign"
t_keys G # the carried to-dos are at the end of the summary
t_wait "DBサーバのディスク使用率を再確認"
t_keys g
# the signer cannot acknowledge: refused at once, no question first
t_keys A
t_wait "この引継ぎはあなたが署名したものです"
t_assert_not "(y/n)"
t_assert_not "引継ぎを確認しました"
# W withdraws it (asks first; n keeps it), the text comes back in the form, signed again
t_keys W
t_wait "取り下げ"
t_wait "(y/n)" # the question itself: 取り下げ is on screen before W
t_keys n
t_wait_gone "(y/n)"
[[ $(q "SELECT count(*) FROM handovers WHERE deleted = 0") == 1 ]] || t_fail "n withdrew the handover"
t_keys W
t_wait "(y/n)"
t_keys y
t_wait "引継ぎに署名（交代する人）"
t_wait "OPAC端末の件は中央館に連絡済み"
t_wait "DBサーバのディスク使用率を再確認"
t_wait "鈴木 一郎 (suzuki・次の勤務)"
[[ $(q "SELECT count(*) FROM handovers WHERE deleted = 0") == 0 ]] || t_fail "W did not withdraw"
[[ $(q "SELECT count(*) FROM audit WHERE action = 'handover.withdraw'") == 1 ]] || t_fail "withdraw not audited"
t_keys Enter
t_wait "(y/n)"
t_keys y
t_wait "引継ぎに署名しました"
[[ $(q "SELECT note FROM handovers WHERE deleted = 0") == OPAC端末の件は中央館に連絡済み ]] ||
    t_fail "the re-signed handover lost its note"
t_keys q
t_wait_exit
t_ok "yamada signs the handover for suzuki (asked first), withdraws it and signs it again"

# someone else than the addressee is refused before any question
T_USER=tanaka
t_start 100 30 --lang ja --pane handover
t_wait "未確認（A で確認）"
t_keys A
t_wait "この引継ぎは 鈴木 一郎 宛てです"
t_assert_not "(y/n)"
t_keys W # tanaka signed nothing: said at once, no question
t_wait "あなたが署名した未確認の引継ぎはありません"
t_assert_not "(y/n)"
t_keys q
t_wait_exit
[[ $(q "SELECT count(*) FROM handovers WHERE acked_at IS NOT NULL") == 0 ]] || t_fail "tanaka acknowledged"
t_ok "the refusal (addressed to suzuki) comes before the confirmation"

T_USER=suzuki
t_start 80 24 --lang en --pane handover
t_wait "not acknowledged yet"
t_wait "note: OPAC端末の件は中央館に連絡済み"
t_keys A
t_wait "Acknowledge the latest handover"
t_keys y
t_wait "Handover acknowledged."
t_wait "acknowledged by 鈴木 一郎"
# history shows it
t_keys H
t_wait "Handovers of 2026-11"
t_wait "デモ 運用者 → 鈴木 一郎"
t_keys j Enter
t_wait "Handover signed by デモ 運用者"
t_keys Escape
t_wait "Handovers of 2026-11"
t_keys q
t_wait_exit
t_ok "suzuki acknowledges; history lists it"
