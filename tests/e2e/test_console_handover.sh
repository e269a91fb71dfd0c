#!/usr/bin/env bash
# Handover between two operators: yamada signs (with a note, naming suzuki and a
# to-do), then the console restarts as suzuki, who acknowledges. The signer
# cannot acknowledge their own handover.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

T_USER=yamada
t_start 100 30 --lang ja --pane handover
t_wait "今月の引継ぎはまだありません"
t_keys S
t_wait "引継ぎに署名（交代する人）"
t_type "OPAC端末の件は中央館に連絡済み"
t_keys Tab Right # To: the first other operator (ito), then suzuki
t_wait "伊藤 由美 (ito)"
t_keys Right Right # sato, suzuki
t_wait "鈴木 一郎 (suzuki)"
t_keys Tab
t_type "DBサーバのディスク使用率を再確認"
t_keys Enter
t_wait "引継ぎに署名しました"
t_wait "宛先 suzuki"
t_wait "未確認（A で確認）"
t_keys G # the carried to-dos are at the end of the summary
t_wait "DBサーバのディスク使用率を再確認"
t_keys g
# the signer cannot acknowledge
t_keys A
t_wait "(y/n)"
t_keys y
t_wait_gone "(y/n)"
t_assert_not "引継ぎを確認しました"
t_keys q
t_wait_exit
t_ok "yamada signs the handover for suzuki"

T_USER=suzuki
t_start 80 24 --lang en --pane handover
t_wait "not acknowledged yet"
t_wait "note: OPAC端末の件は中央館に連絡済み"
t_keys A
t_wait "Acknowledge the latest handover"
t_keys y
t_wait "Handover acknowledged."
t_wait "acknowledged by suzuki"
# history shows it
t_keys H
t_wait "Handovers of 2026-11"
t_wait "yamada → suzuki"
t_keys j Enter
t_wait "Handover signed by yamada"
t_keys Escape
t_wait "Handovers of 2026-11"
t_keys q
t_wait_exit
t_ok "suzuki acknowledges; history lists it"
