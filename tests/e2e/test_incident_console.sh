#!/usr/bin/env bash
# Incidents and consoles together (issue 13), in Japanese, against a real sshd
# on loopback: from an incident's detail one key (x) opens a console on its
# affected host in the Consoles pane, linked to the incident as the shell
# opens; the session's `:` line opens empty so the documented `link incident
# REF` works as typed; closing the session comes back to the incident, whose
# timeline names the session by host and times ("e2ehost 09:00–09:01 (1分)"),
# never its uuid; Enter on it plays the recording: pause and play, seek
# (start, 30 s forward and back), speed, search of the text, the keys, q back.
# Every assertion polls the screen with a timeout.
set -u
UNYO=${1:?usage: $0 PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null ||
    ! command -v sqlite3 >/dev/null; then
    echo "SKIP: needs root, OpenSSH sshd, tmux and sqlite3"
    exit 77
fi
. "$LIB/tmux.sh"
t_init "$UNYO"
. "$LIB/sshd.sh"
sshd_env_init # HOME moves to the sshd's temp dir (~/.ssh with key, known_hosts, config)
trap 'sshd_cleanup; t_cleanup' EXIT
sshd_start a
sshd_alias e2ehost a
q() { sqlite3 "$T_DB" "$1"; }
cli() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" "$@"; }
cli host import-ssh-config >"$T_DIR/import.log" 2>&1 ||
    t_fail "host import-ssh-config: $(cat "$T_DIR/import.log")"
R=$((RANDOM % 1000))
cli incident new --library CEN --channel phone --title "e2e 業務AP 応答なし $R" --impact 2 \
    --urgency 2 --host e2ehost >/dev/null 2>&1 || t_fail "incident new"
cli incident new --library CEN --channel phone --title "e2e 関連 $R" --impact 3 --urgency 3 \
    >/dev/null 2>&1 || t_fail "incident new (2)"
REF=$(q "SELECT ref FROM incidents WHERE title = 'e2e 業務AP 応答なし $R'")
REF2=$(q "SELECT ref FROM incidents WHERE title = 'e2e 関連 $R'")
[ -n "$REF" ] && [ -n "$REF2" ] || t_fail "no incidents"
# Waits until the screen matches the extended regex $1.
t_wait_re() { t_wait_cmd "t_screen | grep -qE -- '$1'" "${2:-$T_TIMEOUT}" "$1"; }

# ---- the incident's detail: x opens a console on its host ----
t_start 120 40 --lang ja --pane incidents
t_wait "$REF"
t_keys /
t_type "応答なし $R"
t_keys Enter
# the filter runs on a worker: until its footer shows, the list is unfiltered
t_wait "1 / 1 件が /応答なし $R/ に一致"
t_wait_gone "e2e 関連 $R"
t_keys g Enter
t_wait "経過記録"
t_wait "応答なし $R"
t_keys x
t_wait " 1:e2ehost"
t_wait_gone "(接続中"
t_wait "e2ehost のセッションをインシデント $REF に紐付けました"
SID=$(q "SELECT id FROM ssh_sessions WHERE host_name = 'e2ehost' ORDER BY started_at DESC LIMIT 1")
[ -n "$SID" ] || t_fail "no session row"
n=$(q "SELECT count(*) FROM links l JOIN incidents i ON i.id = l.from_id WHERE l.from_kind = 'incident' AND l.to_kind = 'ssh_session' AND l.to_id = '$SID' AND i.ref = '$REF'")
[ "$n" = 1 ] || t_fail "the session is not linked to $REF (links: $n)"
t_ok "x on the incident opens a console on its host, linked to the incident"

# ---- the session's : line opens empty: the documented command works ----
t_keys C-] :
t_wait "link incident 番号、link change 番号"
t_assert_not ":link incident"
t_type "link incident $REF2"
t_keys Enter
t_wait "e2ehost のセッションをインシデント $REF2 に紐付けました"
n=$(q "SELECT count(*) FROM links l JOIN incidents i ON i.id = l.from_id WHERE l.to_id = '$SID' AND i.ref = '$REF2'")
[ "$n" = 1 ] || t_fail ":link incident $REF2 did not link (links: $n)"
t_ok "the : line of a session opens empty; link incident REF as documented links"

# Detached, the incident (pane 2) already shows the open session: this
# console's own writes mark the pane stale.
t_keys C-] d
t_keys 2
t_wait "経過記録"
t_wait_re "端末セッション: e2ehost [0-9]{2}:[0-9]{2}– \\(接続中\\)"
t_keys 5
t_wait " 1:e2ehost"
t_keys Enter
t_ok "while the session is open the incident's timeline shows it as 接続中"

# ---- a command, then close: back to the incident ----
t_type "echo first-\$((1000+$R))"
t_keys Enter
t_wait "first-$((1000 + R))"
t_type "sleep 3; echo second-\$((2000+$R))"
t_keys Enter
t_wait "second-$((2000 + R))"
t_type "exit"
t_keys Enter
t_wait "1:e2ehost (終了 0)"
t_keys Enter
t_wait "e2ehost のセッションを閉じました。インシデント $REF に戻ります"
t_wait "経過記録"
t_wait "$REF"
t_wait_re "端末セッション: e2ehost [0-9]{2}:[0-9]{2}–[0-9]{2}:[0-9]{2} \\([0-9]+(秒|分)\\)"
t_wait "（Enter で再生）"
t_assert_not "$SID"
t_assert_not "ssh_session"
t_ok "closing the session returns to the incident; its timeline names the session by host and times"

# ---- Enter plays the recording ----
t_keys Enter
t_wait "録画: e2ehost"
t_wait "閲覧のみ"
t_wait "second-$((2000 + R))" # plays to its end
t_wait "‖ 一時停止中"
t_keys g
t_wait_gone "first-$((1000 + R))"
t_ok "Enter plays the recording to its end; g goes back to the start"

# Search: the first output, paused there; the later output is not on screen yet.
t_keys /
t_type "first-$((1000 + R))"
t_keys Enter
t_wait "「first-$((1000 + R))」: "
t_wait "first-$((1000 + R))"
t_wait "‖ 一時停止中"
t_assert_not "second-$((2000 + R))"
t_ok "/ finds the text in the recording and shows the screen there, paused"

# Play from there: the later output comes; then the end.
t_keys Space
t_wait "▶ 再生中"
t_wait "second-$((2000 + R))"
t_wait "録画の最後です"
t_ok "Space plays on from the match"

# Seek: 30 s back (the start), 30 s forward (the end).
t_keys k
t_wait_gone "second-$((2000 + R))"
t_wait " 0:00 / "
t_keys j
t_wait "second-$((2000 + R))"
t_ok "k / j seek 30 s back and forward"

# Speed, search again from the end (wraps), the keys, back to the incident.
t_keys +
t_wait "×2"
t_keys -
t_keys -
t_wait "×0.5"
t_keys /
t_type "second-$((2000 + R))"
t_keys Enter
t_wait "「second-$((2000 + R))」: "
t_keys '?'
t_wait "再生のキー"
t_wait "録画の文字を検索"
t_keys x
t_wait_gone "再生のキー"
t_keys q
t_wait_gone "録画: e2ehost"
t_wait "経過記録"
t_ok "+ and - change the speed, ? lists the keys, q returns to the incident"

# An incident with no affected host: x offers the inventory. The session
# linked to it with :link shows in its timeline too.
t_keys /
t_type "関連 $R"
t_keys Enter
t_wait_gone "応答なし $R"
t_keys g Enter
t_wait "経過記録"
t_wait "$REF2"
t_wait_re "端末セッション: e2ehost [0-9]{2}:[0-9]{2}–[0-9]{2}:[0-9]{2}"
t_keys x
t_wait "対象ホストが記録されていません"
t_wait "e2ehost"
t_keys Escape
t_wait_gone "対象ホストが記録されていません"
t_ok "x on an incident without a host offers the inventory"
t_keys q
t_wait_exit
