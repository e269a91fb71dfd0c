#!/usr/bin/env bash
# A change step's evidence taken from a recorded console session, in Japanese, from
# the Changes pane: e lists the sessions linked to the change first, then those on its
# target hosts; the whole session's text or a range of its lines (v marks, Enter
# takes) becomes the step's output, as the screen showed it: colours and every other
# control sequence applied, none stored. The sessions are recorded on a loopback sshd
# (`unyo session open`, set-up only).
set -u
UNYO=${1:?usage: $0 PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v tmux >/dev/null ||
    ! command -v sqlite3 >/dev/null; then
    echo "SKIP: needs root, OpenSSH sshd, tmux and sqlite3"
    exit 77
fi
. "$LIB/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00
t_init "$UNYO"
. "$LIB/sshd.sh"
sshd_env_init
trap 'sshd_cleanup; t_cleanup' EXIT
sshd_start a
sshd_alias e2ehost a
q() { sqlite3 "$T_DB" "$1"; }
U() { UNYO_USER=$1 UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" "${@:2}"; }
U yamada host import-ssh-config >"$T_DIR/import.log" 2>&1 ||
    t_fail "host import-ssh-config: $(cat "$T_DIR/import.log")"

# ---- set-up: a change in progress on e2ehost, two recorded sessions ----
U yamada change new --dept 情報システム担当 --title "ディスク増設" --rollback "元に戻す" \
    --step "ディスクの状態を確認する" --step "設定を確認する" --host e2ehost >/dev/null 2>&1 ||
    t_fail "change new"
REF=$(q "SELECT ref FROM changes WHERE title = 'ディスク増設'")
U yamada change step "$REF" plan >/dev/null 2>&1 && U yamada change step "$REF" submit >/dev/null 2>&1 &&
    U takahashi change approve "$REF" --note "確認済み" >/dev/null 2>&1 &&
    U yamada change step "$REF" start >/dev/null 2>&1 || t_fail "change to in progress"

# session SCREEN LINES...: types each line once the previous one has run (a marker the
# typed line's echo cannot match), then exits; the session's output goes to SCREEN.
record() {
    local screen=$1
    shift
    {
        local i=0
        for line in "$@"; do
            i=$((i + 1))
            echo "$line; echo step-\$((100+$i))-done"
            wait_for 120 grep -qF "step-$((100 + i))-done" "$screen" || echo "no marker $i" >>"$T_DIR/feed-err"
        done
        echo 'exit'
    } | UNYO_USER=yamada UNYO_NOW=$T_NOW timeout 300 "$T_BIN" --db "$T_DB" session open -A e2ehost \
        >"$screen" 2>>"$T_DIR/session.err"
    [ ! -s "$T_DIR/feed-err" ] || t_fail "the remote shell was not ready: $(cat "$T_DIR/feed-err")"
}
# on the target host, not linked: coloured output
record "$T_DIR/s1" "printf '\\033[1;31mDISK-%s\\033[0m \\033[32mOK\\033[0m\\n' \$((40+2))"
S1=$(q "SELECT id FROM ssh_sessions ORDER BY started_at DESC, id DESC LIMIT 1")
# linked to the change: three lines to choose from
record "$T_DIR/s2" "echo LINE-\$((1)); echo LINE-\$((2)); echo LINE-\$((3))"
S2=$(q "SELECT id FROM ssh_sessions WHERE id <> '$S1'")
[[ -n $S1 && -n $S2 ]] || t_fail "sessions not recorded: $(cat "$T_DIR/session.err")"
U yamada change link "$REF" --session "$S2" >/dev/null 2>&1 || t_fail "change link"

# ---- the whole text of a session on a target host ----
t_start 140 36 --lang ja --pane changes
t_wait "変更管理台帳"
t_keys /
t_type "ディスク増設"
t_keys Enter
t_wait "1 / "
t_keys e
t_wait "$REF 手順 1: どのセッションから証跡を取りますか？"
t_wait "［関連付け済み］e2ehost"
# the linked session is first
t_screen | grep -A1 "どのセッション" | tail -1 | grep -q "［関連付け済み］e2ehost" ||
    t_fail "the linked session is not first: $(t_screen)"
t_keys j Enter
t_wait "$REF 手順 1 の証跡（e2ehost のセッション）"
t_wait "セッション全体（"
t_keys Enter
t_wait "$REF の手順 1 を完了しました。証跡は e2ehost のセッションの"
out=$(q "SELECT s.output FROM change_steps s JOIN changes c ON c.id = s.change_id WHERE c.ref = '$REF' AND s.seq = 1")
grep -q "^DISK-42 OK$" <<<"$out" || t_fail "step 1's output lacks the coloured line as shown: $out"
[[ $(q "SELECT instr(s.output, char(27)) FROM change_steps s JOIN changes c ON c.id = s.change_id WHERE c.ref = '$REF' AND s.seq = 1") == 0 ]] ||
    t_fail "an escape sequence went into the record"
[[ $(q "SELECT s.session_id FROM change_steps s JOIN changes c ON c.id = s.change_id WHERE c.ref = '$REF' AND s.seq = 1") == "$S1" ]] ||
    t_fail "step 1 does not name its session"
t_ok "e takes a whole session's text as step 1's evidence, control sequences applied, none stored"

# ---- a range of lines of the linked session ----
t_keys e
t_wait "$REF 手順 2: どのセッションから証跡を取りますか？"
t_keys Enter
t_wait "$REF 手順 2 の証跡（e2ehost のセッション）"
t_keys j Enter
t_wait "$REF 手順 2: e2ehost のセッションの行"
t_wait "v/Space 範囲の始点"
num() { t_screen | sed -n "s/.*[ >] *\([0-9][0-9]*\)  $1 *│.*/\1/p" | head -1; }
t_wait "  LINE-3"
L1=$(num LINE-1)
L3=$(num LINE-3)
LAST=$(t_screen | sed -n 's/.*[ >] *\([0-9][0-9]*\)  .*│.*/\1/p' | tail -1)
[[ -n $L1 && -n $L3 && -n $LAST ]] || t_fail "line numbers not shown: $(t_screen)"
(( L3 == L1 + 2 )) || t_fail "LINE-1..3 are not adjacent ($L1, $L3)"
# the cursor starts on the last line: up to LINE-3, mark, up to LINE-1, take
for ((i = LAST; i > L3; i--)); do t_keys k; done
t_keys v
t_wait "$L3-$L3 行を選択中"
t_keys k k
t_wait "$L1-$L3 行を選択中"
t_keys Enter
t_wait "$REF の手順 2 を完了しました。証跡は e2ehost のセッションの 3 行です。"
[[ $(q "SELECT s.output FROM change_steps s JOIN changes c ON c.id = s.change_id WHERE c.ref = '$REF' AND s.seq = 2") == $'LINE-1\nLINE-2\nLINE-3' ]] ||
    t_fail "step 2's output: $(q "SELECT output FROM change_steps WHERE seq = 2")"
t_ok "a range of lines (v, k, Enter) of the linked session is step 2's evidence"

# the detail shows the evidence; :log the CLI equivalents
t_keys Enter
t_wait "> DISK-42 OK"
t_wait "関連:          端末セッション e2ehost 09:00–09:00"
t_wait "SSH セッション e2ehost 09:00–09:00"
t_assert_not "$S1" # the session by its host and time, not its id
t_assert_not "$S2"
t_keys G
t_wait "> LINE-2"
t_keys Escape
t_resize 200 36 # the log's lines unwrapped
t_keys :
t_type "log"
t_keys Enter
t_wait "change do $REF 1 --evidence-session $S1"
t_wait "change do $REF 2 --evidence-session $S2 --lines $L1-$L3"
t_keys Escape
t_keys q
t_wait_exit
t_ok "the detail shows the evidence; :log has unyo change do … --evidence-session"
