#!/usr/bin/env bash
# Consoles and Hosts panes end to end, and `unyo ssh HOST`, against a real sshd
# on loopback: the real binary in tmux, its own HOME and store. From the Hosts
# pane a session opens; output, resize (stty size on the remote), an
# alternate-screen program (vi, else less) and its restore, closing, then the
# recording exported as asciicast v2. Then `unyo ssh HOST` full screen: a
# command, exit, recorded. Every assertion polls the screen with a timeout.
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
UNYO_USER=$T_USER "$T_BIN" host import-ssh-config --db "$T_DB" >"$T_DIR/import.log" 2>&1 ||
    t_fail "host import-ssh-config: $(cat "$T_DIR/import.log")"
R=$((RANDOM % 1000))
UNYO_USER=$T_USER "$T_BIN" --db "$T_DB" change new --dept 情報システム担当 --title "e2e session link" \
    --rollback "戻す" --step "作業" >/dev/null 2>&1 || t_fail "change new"
CREF=$(sqlite3 "$T_DB" "SELECT ref FROM changes WHERE title = 'e2e session link'")

# ---- Hosts pane -> Consoles pane ----
t_start 100 30 --pane hosts
t_wait "e2ehost"
t_keys /
t_type '^e2ehost'
t_keys Enter
t_wait_gone "lib-"
# c runs the checks for the host in the background: progress, then the result
# and the recorded metrics as sparklines.
t_keys c
t_wait "checks on e2ehost:"
n=$(sqlite3 "$T_DB" "SELECT count(DISTINCT metric) FROM host_metrics m JOIN hosts h ON h.id = m.host_id WHERE h.name = 'e2ehost' AND metric IN ('cpu_load', 'mem_used_pct', 'disk_used_pct')")
[ "$n" = 3 ] || t_fail "checks did not record cpu, mem and disk (got $n)"
t_wait "%"
t_screen | grep "e2ehost" | grep -q "[▁▂▃▄▅▆▇█]" || t_fail "no sparkline for e2ehost"
t_ok "c runs the host's checks in the background; metrics shown as sparklines"
t_keys Enter
t_wait " 1:e2ehost"
t_wait_gone "(connecting)"
t_ok "Enter on a host opens a session in the Consoles pane"

t_type "echo hello-\$((1000+$R))"
t_keys Enter
t_wait "hello-$((1000 + R))"
t_ok "typed command runs, its output is on screen"

# 100x30 terminal: tab bar, session tabs, message and status lines leave 26x100.
t_type "stty size"
t_keys Enter
t_wait "26 100"
t_resize 120 40
t_type "clear; stty size"
t_keys Enter
t_wait "36 120"
t_ok "resize reaches the server (stty size 36 120)"

# An alternate-screen program, then the shell screen comes back.
t_type "echo marker-\$((3000+$R))"
t_keys Enter
t_wait "marker-$((3000 + R))"
if command -v vi >/dev/null; then
    t_type "vi $SSHD_SCRATCH/vi-file.txt"
    t_keys Enter
    t_wait "vi-file.txt"
    t_wait_gone "marker-$((3000 + R))"
    t_type "iwritten-in-vi"
    t_keys Escape
    t_wait "written-in-vi"
    t_type ":wq"
    t_keys Enter
else
    seq 1 200 | sed 's/^/pager-line-/' >"$SSHD_SCRATCH/pager.txt"
    t_type "less $SSHD_SCRATCH/pager.txt"
    t_keys Enter
    t_wait "pager-line-1"
    t_wait_gone "marker-$((3000 + R))"
    t_type "q"
fi
t_wait "marker-$((3000 + R))"
t_ok "alternate screen (vi/less) used and the shell screen restored"

# Zoom to the whole screen and back.
t_keys C-] z
t_wait_gone "1:Checklist"
t_wait "marker-$((3000 + R))"
t_keys C-] z
t_wait "1:Checklist"
t_ok "prefix z zooms the session to the whole screen and back"

# Paste: tmux brackets it (unyo asked the outer terminal for bracketed paste),
# unyo passes it on to the remote shell.
t_tmux set-buffer "echo pasted-\$((7000+$R))"
t_tmux paste-buffer -p -t 0
t_keys Enter
t_wait "pasted-$((7000 + R))"
t_ok "paste reaches the server"
# A program that did not ask for bracketed paste gets the bare text.
t_type "clear; cat -v"
t_keys Enter
# The shell turns bracketed paste off as it accepts the line, before clear runs:
# once the screen is cleared, the pane has seen that, and cat is reading.
t_wait_gone "pasted-$((7000 + R))"
t_tmux set-buffer "plain-paste-$R"
t_tmux paste-buffer -p -t 0
t_keys Enter
t_wait "plain-paste-$R"
t_assert_not "200~"
t_keys C-d
t_ok "paste is unbracketed when the remote program did not ask"
# A program that asked (mode 2004) gets the whole paste between the markers.
# armed-N is printed after the request: once it shows, the pane has seen it.
t_type "clear; printf '\\033[?2004h'; echo armed-\$((5000+$R)); cat -v"
t_keys Enter
t_wait "armed-$((5000 + R))"
t_tmux set-buffer "bracketed-$R"
t_tmux paste-buffer -p -t 0
t_keys Enter
t_wait "^[[200~bracketed-$R^[[201~"
t_keys C-d
t_ok "paste is bracketed, whole, when the remote program asked"

# Scroll mode with a search: prefix + [, / pattern.
t_type "seq 1 300 | sed 's/^/sb-/'"
t_keys Enter
t_wait "sb-300"
t_keys C-] '['
t_wait "scroll 0/"
t_keys /
t_type "^sb-17\$"
t_keys Enter
t_wait "sb-16"
t_keys q
t_wait_gone "scroll "
t_ok "scroll mode and PCRE2 search in the scrollback"

# The command line links the session to a change (change_link_session): an unknown
# change is refused with nothing written; the link and its audit row are stored.
# The line opens empty, so the command is typed as the help writes it (it was
# pre-filled with "link incident ", and the documented command then read
# "link incident link change ..."); Tab completes its words.
t_keys C-] :
t_wait "link incident REF, link change REF"
t_assert_not ":link incident"
t_type "link change CHG-19990101-0000"
t_keys Enter
t_wait "no change CHG-19990101-0000"
t_keys C-] :
t_wait "link incident REF, link change REF"
t_type "li"
t_keys Tab
t_type "c"
t_keys Tab
t_wait ":link change"
t_type "$CREF"
t_keys Enter
t_wait "linked to change $CREF"
SID=$(sqlite3 "$T_DB" "SELECT id FROM ssh_sessions WHERE host_name = 'e2ehost' ORDER BY started_at DESC LIMIT 1")
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM links l JOIN changes c ON c.id = l.from_id WHERE l.from_kind = 'change' AND l.to_kind = 'ssh_session' AND l.to_id = '$SID' AND c.ref = '$CREF'")
[ "$n" = 1 ] || t_fail "session $SID not linked to $CREF (links: $n)"
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM audit WHERE action = 'change.link'")
[ "$n" = 1 ] || t_fail "expected one change.link audit row, found $n"
t_ok "prefix : link change REF links the session; an unknown change is refused"

# Close through the prefix key: confirm, the tab goes away.
t_keys C-] c
t_wait "(y/n)"
t_keys y
t_wait "No console sessions."
t_ok "prefix c closes the session"

# After a session had the keys the console still reads pastes itself (mode
# 2004 and ESC [ 200 ~ stay the console's): pasted line breaks in the / line
# are spaces, and the line stays open instead of being submitted.
t_keys 7
t_wait "e2ehost"
t_keys /
printf 'pl-one\npl-two-%s\n' "$R" | t_tmux load-buffer -b lines -
t_tmux paste-buffer -p -b lines -t 0
t_wait "pl-one pl-two-$R"
t_keys Escape
t_wait_gone "pl-one pl-two-$R"
t_ok "a paste after a session still reaches the / line whole (line breaks as spaces)"
t_keys q
t_wait_exit

id=$(sqlite3 "$T_DB" "SELECT id FROM ssh_sessions WHERE host_name = 'e2ehost' AND ended_at IS NOT NULL ORDER BY started_at DESC LIMIT 1")
[ -n "$id" ] || t_fail "no ended session row"
UNYO_USER=$T_USER "$T_BIN" session export "$id" --db "$T_DB" >"$T_DIR/s.cast" ||
    t_fail "session export failed"
# The same link from the command line (unyo change link): a second change gets
# the ended session; an unknown session is refused and writes nothing.
UNYO_USER=$T_USER "$T_BIN" --db "$T_DB" change new --dept 情報システム担当 --title "e2e cli link" \
    --rollback "戻す" --step "作業" >/dev/null 2>&1 || t_fail "change new (cli link)"
CREF2=$(sqlite3 "$T_DB" "SELECT ref FROM changes WHERE title = 'e2e cli link'")
links() { sqlite3 "$T_DB" "SELECT count(*) FROM links WHERE from_kind = 'change' AND to_kind = 'ssh_session'"; }
before=$(links)
rc=0
UNYO_USER=$T_USER "$T_BIN" --db "$T_DB" change link "$CREF2" --session 00000000-nope \
    >"$T_DIR/link.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || t_fail "change link with an unknown session: exit $rc, want 1"
grep -q "no SSH session 00000000-nope" "$T_DIR/link.out" || t_fail "unknown session: $(cat "$T_DIR/link.out")"
[ "$(links)" = "$before" ] || t_fail "a refused link wrote a row"
UNYO_USER=$T_USER "$T_BIN" --db "$T_DB" change link "$CREF2" --session "$id" >"$T_DIR/link.out" 2>&1 ||
    t_fail "change link: $(cat "$T_DIR/link.out")"
grep -q "linked to $CREF2" "$T_DIR/link.out" || t_fail "change link said: $(cat "$T_DIR/link.out")"
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM links l JOIN changes c ON c.id = l.from_id WHERE l.from_kind = 'change' AND l.to_kind = 'ssh_session' AND l.to_id = '$id' AND c.ref = '$CREF2'")
[ "$n" = 1 ] || t_fail "unyo change link: session $id not linked to $CREF2 (links: $n)"
rc=0
UNYO_USER=$T_USER "$T_BIN" --db "$T_DB" change link "$CREF2" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || t_fail "change link without --session: exit $rc, want 2"
t_ok "unyo change link REF --session ID links a session; unknown ones are refused"

python3 - "$T_DIR/s.cast" "hello-$((1000 + R))" "36 120" >"$T_DIR/py" 2>&1 <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = json.loads(lines[0])
assert h["version"] == 2 and h["width"] > 0 and h["height"] > 0 and h["timestamp"] > 0, h
ev = [json.loads(l) for l in lines[1:]]
assert all(isinstance(e[0], (int, float)) and e[1] in ("o", "r") for e in ev)
assert all(ev[i][0] <= ev[i + 1][0] for i in range(len(ev) - 1)), "time goes forward"
out = "".join(e[2] for e in ev if e[1] == "o")
for want in sys.argv[2:]:
    assert want in out, want
assert any(e[1] == "r" and e[2] == "120x36" for e in ev), "resize event"
print("cast ok", len(ev), "events")
PY
[ $? = 0 ] || t_fail "cast: $(cat "$T_DIR/py")"
t_ok "session export: asciicast v2 header, output and resize recorded ($(cat "$T_DIR/py"))"

# ---- unyo ssh HOST: full screen ----
t_start 90 25 ssh e2ehost
t_wait_gone "Connecting"
t_wait "bash-" # the remote shell's prompt: "Connecting" may not have been drawn yet above
t_type "echo full-\$((2000+$R)); stty size"
t_keys Enter
t_wait "full-$((2000 + R))"
t_wait "25 90"
t_type "exit"
t_keys Enter
t_wait_exit
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM ssh_sessions WHERE host_name = 'e2ehost' AND end_reason = 'exit' AND transcript LIKE '%full-$((2000 + R))%'")
[ "$n" = 1 ] || t_fail "full-screen session not recorded (rows: $n)"
t_ok "unyo ssh: full screen (25x90), exits with the shell, recorded"
