#!/usr/bin/env bash
# Everything up to date without a key: two consoles on one store (two
# processes, two tmux sessions); what one of them (or the CLI) writes shows in
# the other's pane and status line, the cursor staying on its record; an
# incident's SLA state in the list turns breached when its due time passes.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
# Two sessions on one server: name the session in every target ("0:", "b:"),
# a bare "0" or "b" may resolve to a window of the other one.
t_keys() { t_tmux send-keys -t 0: "$@"; }
t_type() { t_tmux send-keys -t 0: -l "$1"; }
t_screen() { t_tmux capture-pane -t 0: -p; }
cli() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang ja "$@"; }

# A second console: a session "b" on the same tmux server as t_start's "0".
b_start() {
    local q=""
    for a in "$@"; do q+=" $(printf '%q' "$a")"; done
    t_tmux new-session -d -s b -x 160 -y 50 -e HOME="$HOME" -e XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
        -e XDG_DATA_HOME="$XDG_DATA_HOME" -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
        -e UNYO_USER=suzuki -e UNYO_NOW="$T_NOW" -e UNYO_DATADIR="${UNYO_DATADIR:-}" \
        -e TERM=screen-256color \
        "$(printf '%q' "$T_BIN") --db $(printf '%q' "$T_DB")$q 2>>$(printf '%q' "$T_DIR/stderr")"
}
b_keys() { t_tmux send-keys -t b: "$@"; }
b_type() { t_tmux send-keys -t b: -l "$1"; }
b_wait() {
    t_wait_cmd "t_tmux capture-pane -t b: -p 2>/dev/null | grep -qF -- $(printf '%q' "$1")" \
        "$T_TIMEOUT" "console b: $1"
}
# The incident list's footer: "ROW / ROWS 件".
footer() { t_screen | grep -o '[0-9]* / [0-9]* 件' | head -1; }

# ---- the checklist: marked in console b, shown in console a ----
t_start 160 50 --lang ja
t_wait "NG 0 │"
b_start --lang ja
b_wait "NG 0 │"
b_keys Enter # the first row, L025, opens: its hosts under it
b_wait "▾ 定常監視"
b_keys j o
b_wait "OK 1、"
t_wait "OK 1、" # console a: no key pressed
b_keys j x
b_wait "NG: L025"
b_type "42"
b_keys Tab Enter
b_wait "インシデントの下書きを作成しますか"
b_keys n
b_wait "NG 1 │"
t_wait "NG 1 │" # a's status line counter
t_wait "NG 1、"
t_ok "a checklist mark in one console shows in the other, status line included"

# ---- the incident list: an incident added by the CLI ----
t_keys 2
t_wait "[インシデント] 問い合わせ 問題 (v)"
t_wait "1 / "
t_keys j
t_wait "2 / "
before=$(footer)
total=${before#* / }
total=${total% 件}
cli incident new --library CEN --channel phone --title "ライブ更新のテスト" --impact 2 --urgency 2 \
    >/dev/null
t_wait "ライブ更新のテスト" # no key pressed
# the new row is above: the cursor stays on its incident, one row further down
t_wait "3 / $((total + 1)) 件"
t_ok "an incident added by the CLI shows in the list, the cursor on the same incident"

# ---- ... and changed in console b ----
b_keys 2
b_wait "ライブ更新のテスト"
b_keys g Enter
b_wait "ライブ更新のテスト"
b_keys t
b_type "別端末からのメモ"
b_keys Enter
b_wait "別端末からのメモ"
ref=$(sqlite3 "$T_DB" "SELECT ref FROM incidents WHERE title = 'ライブ更新のテスト'")
t_keys g Enter
t_wait "$ref"
t_wait "別端末からのメモ" # the note appears first in b; a shows it on its own
b_keys i
b_wait "メモ（確認結果"
b_keys Enter
t_wait_cmd "t_screen | grep -F '$ref' | grep -qF '1次切り分け'" "$T_TIMEOUT" "a shows $ref isolated"
t_ok "a step recorded in one console shows in the other's detail"

# ---- SLA with the clock: warning, then breached at the due time ----
# The open incident past acknowledgement and first response with the least
# time left: only its recovery clock runs.
ref=$(cli --csv incident list --sla ok | awk -F, '$4 == "first_response" {print $9 "," $1}' |
    sort -n | head -1 | cut -d, -f2)
[[ -n $ref ]] || t_fail "no demo incident with a running recovery clock"
due=$(cli incident show "$ref" --json | grep -o '"recovery":{[^}]*}' | grep -o '"due":"[^"]*"' |
    cut -d'"' -f4)
[[ -n $due ]] || t_fail "no recovery due time for $ref"
T_NOW=$(date -u -d "$due 15 seconds ago" +%Y-%m-%dT%H:%M:%SZ)
t_start 160 50 --lang ja --pane incidents
t_wait_cmd "t_screen | grep -F '$ref' | grep -qF '警告'" "$T_TIMEOUT" "$ref shown 警告 (warning)"
t_wait_cmd "t_screen | grep -F '$ref' | grep -qF '超過'" "$T_TIMEOUT" "$ref shown 超過 (breached)"
t_ok "the SLA state turns breached at the due time without a key"
t_keys q
t_wait_exit
