#!/usr/bin/env bash
# Search inside recordings in the console (issue 15): R in the Consoles pane searches
# the recorded sessions (a recording made before, indexed on the first search), lists
# the line with its host and moment, and Enter opens the player paused at that moment,
# showing what a pager drew there; m in the player lists the recording's markers.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

op=$(sqlite3 "$T_DB" "SELECT id FROM operators WHERE login = 'yamada'")
origin=$(sqlite3 "$T_DB" "SELECT value FROM local_meta WHERE key = 'origin'")
cast=$(printf '%s\n' \
    '{"version": 2, "width": 80, "height": 24, "timestamp": 1795482000}' \
    '[0.500, "o", "$ less /var/log/app.log\r\n"]' \
    '[12.500, "o", "\u001b[?1049h\u001b[H\u001b[2Jquokka-777 disk quota exceeded\r\n:"]' \
    '[20.000, "m", "INC-20261123-0001 isolated: quota raised"]' \
    '[30.000, "o", "\u001b[?1049l$ exit\r\n"]')
sqlite3 "$T_DB" "INSERT INTO ssh_sessions(id, host_name, operator_id, started_at, ended_at,
  exit_status, end_reason, cols, rows, transcript, created_at, updated_at, hlc, origin)
  VALUES('01990000-0000-7000-8000-000000000001', 'lib-ap01', '$op', '2026-11-23T00:10:00.000Z',
  '2026-11-23T00:10:31.000Z', 0, 'exit', 80, 24, '$(printf '%s' "$cast" | sed "s/'/''/g")',
  '2026-11-23T00:10:00.000Z', '2026-11-23T00:10:31.000Z', 1, '$origin')"

t_start 120 34 --lang ja
t_keys 5
t_wait "コンソール"
t_keys R
t_wait "セッション記録を検索"
t_type "quokka"
t_keys Enter
t_wait "「quokka」を表示したセッション記録"
t_wait "lib-ap01"
t_wait "+0:00:12  quokka-777 disk"
t_ok "R lists the line a pager showed, with its host and moment"
t_keys Enter
t_wait "0:12 で一時停止中"
t_wait "quokka-777 disk quota exceeded"
t_ok "Enter opens the player paused at the moment, the pager's screen shown"
t_keys m
t_wait "マーカー (Enter でその時点へ)"
t_wait "0:20  INC-20261123-0001 isolated: quota raised"
t_keys Enter
t_wait "0:20: INC-20261123-0001"
t_ok "m lists the markers and Enter jumps to one"
t_keys q
t_wait_gone "一時停止"
t_keys q
t_wait_exit
[[ $(sqlite3 "$T_DB" "SELECT lines FROM local_session_indexed") == 4 ]] ||
    t_fail "the recording was not indexed once: $(sqlite3 "$T_DB" "SELECT * FROM local_session_indexed")"
t_ok "the recording made before was indexed by the first search"
