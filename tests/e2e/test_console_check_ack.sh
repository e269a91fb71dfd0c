#!/usr/bin/env bash
# Issue 15, acknowledgements in the console: an acknowledged problem shows as such in
# the checklist ([確認済] and the note; the detail says who and until when) and in
# the Hosts pane (NG 1（ほかに確認済 1）; p lists it), A acknowledges another in a form,
# and once expired the handover lists it for the incoming operator. The status line's
# NG count leaves out an item NG only through acknowledged checks, as does the
# handover (which lists it as NG・確認済).
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T10:00:00+09:00 # a Tuesday: the library is open
t_init "$1"
u() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "$@"; }
q() { sqlite3 "$T_DB" "$1"; }
cat >"$T_DIR/checks.ini" <<'INI'
[disk]
template = L025
command = echo use=95
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %
[inode]
template = L025
command = echo use=97
pattern = use=(?<use>\d+)
condition = use < 90
value = use
unit = %
INI
u check run --checks "$T_DIR/checks.ini" --host lib-ad01 >/dev/null 2>&1 || true
[[ $(q "SELECT count(*) FROM checklist_events WHERE status = 'ng' AND source = 'check'") == 2 ]] ||
    t_fail "the check run recorded no NG"
# The status line's NG count with lib-ad01's L025 NG and nothing acknowledged.
t_start 130 32 --lang ja --pane checklist
t_wait "│ NG "
t_wait_cmd "t_screen | grep -qE '│ NG [0-9]+ │'"
ng0=$(t_screen | grep -oE '│ NG [0-9]+ │' | head -1 | grep -oE '[0-9]+')
((ng0 >= 1)) || t_fail "the status line counts no NG: $(t_screen | tail -1)"
u check ack lib-ad01 disk --note "業者対応中" --until "2026-11-24 12:00" >/dev/null ||
    t_fail "check ack failed"

t_start 130 32 --lang ja --pane checklist
t_wait "[確認済] 業者対応中"

t_start 130 32 --lang ja --pane hosts
t_wait "NG 1（ほかに確認済 1）"
t_wait "│ NG $ng0 │" # inode still NG and not acknowledged: the item still counts
t_keys /
t_type "lib-ad01"
t_keys Enter
t_keys p
t_wait "lib-ad01 のチェックの問題: 2 件"
t_wait "確認済: 業者対応中 (デモ 運用者、11-24 12:00 まで)"
t_keys Escape
t_wait_gone "のチェックの問題"
# A: acknowledge the other one (inode) until it recovers
t_keys A
t_wait "lib-ad01 の問題を確認済にする"
t_keys Right # the second check: inode
t_keys Tab
t_type "閾値見直し中"
t_keys Enter
t_wait "lib-ad01 inode を確認済にしました。"
t_wait "確認済の NG 2"
[[ $(q "SELECT kind FROM check_acks WHERE check_id = 'inode' AND ended_at IS NULL") == recovery ]] ||
    t_fail "the form did not record the inode ack"
# Both checks of the item acknowledged: the status line leaves it out (a new console,
# as the counters refresh on their own clock), the handover lists it as not counted.
t_start 130 40 --lang ja --pane handover
t_wait "│ NG $((ng0 - 1)) │"
t_wait "ほかに確認済 1・停止中 0"
t_wait "NG・確認済 L025"
t_start 130 32 --lang ja --pane checklist # its header counts NG as the status line does
t_wait "（ほかに確認済・停止中の NG 1）"

# 13:00: the disk acknowledgement has expired: the handover lists it.
T_NOW=2026-11-24T13:00:00+09:00
t_start 130 40 --lang ja --pane handover
t_wait "未解決のインシデント" # the pane drawn: G before the console is up may be lost
t_keys G
t_wait "期限切れ・このシフトで期限を迎える確認済 (1)"
t_wait "lib-ad01 disk: 業者対応中 (デモ 運用者、11-24 12:00 に期限切れ)"
echo "ok - acknowledgements in the checklist, the Hosts pane and the handover"
