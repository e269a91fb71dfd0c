#!/usr/bin/env bash
# Issue 13, "Japanese all the way": in the Japanese console on the demo store, no
# pane and no detail view shows a raw enumerated value (a state, role, risk,
# channel, shift or host role key) or a timeline's JSON ({"...); the text output
# of `unyo … show` neither. --json and --csv keep the keys (machine data).
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-12-07T11:00:00+09:00
t_init "$1"
U() { UNYO_USER=${UU:-yamada} UNYO_NOW=${AT:-$T_NOW} "$T_BIN" --db "$T_DB" "$@"; }

# Events whose data the timeline shows: an assignment, a paused clock.
REF=$(sqlite3 "$T_DB" "SELECT ref FROM incidents WHERE status = 'received' ORDER BY received_at DESC LIMIT 1")
[[ -n $REF ]] || REF=$(U --lang en incident new --library CEN --channel phone --title "表示テスト" \
    --impact 2 --urgency 2 | grep -o 'INC-[0-9a-f-]*' | head -1)
[[ -n $REF ]] || t_fail "no incident to work on"
U --lang en incident step "$REF" assigned --assignee suzuki >/dev/null 2>&1 ||
    U --lang en incident step "$REF" assigned --assignee yamada >/dev/null || t_fail "assign $REF"
U --lang en incident step "$REF" paused --note "図書館の回答待ち" >/dev/null || t_fail "pause $REF"
AT=2026-12-07T12:00:00+09:00 U --lang en incident step "$REF" resumed >/dev/null ||
    t_fail "resume $REF"

# The detector of raw values (RAW, raw_words, check_text, check_screen).
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/japanese.sh"

# ---- the CLI's text output ----
has() { # TEXT NEEDLE WHAT
    case "$1" in *"$2"*) t_ok "$3" ;; *) printf '%s\n' "$1" >&2; t_fail "$3: no \"$2\"" ;; esac
}
out=$(U --lang ja incident show "$REF")
has "$out" "担当: " "incident show labels the assignee in Japanese"
has "$out" "停止: 1時間" "incident show reads the paused time as 1時間"
check_text "unyo incident show" "$out"
for c in "operator list" "host list" "change list" "incident list" "shift list" "template list" "handover show"; do
    # shellcheck disable=SC2086
    check_text "unyo $c" "$(U --lang ja $c)"
done
U --lang en change new --dept 情報政策課 --title "表示テスト変更" --rollback "戻す" --step "作業" \
    --risk high >/dev/null 2>&1 || t_fail "change new"
CREF=$(sqlite3 "$T_DB" "SELECT ref FROM changes WHERE title = '表示テスト変更'")
U --lang en change step "$CREF" plan >/dev/null 2>&1 || t_fail "change plan"
out=$(U --lang ja change show "$CREF")
has "$out" "高" "change show labels the risk"
check_text "unyo change show" "$out"
has "$(U --json incident show "$REF")" '"assignee"' "--json keeps the keys"


# ---- every pane, and its detail view (Enter), in Japanese ----
# PANE, a text the pane shows once drawn, and whether Enter opens a detail view
# to check too (not in the hosts and consoles panes: Enter there connects).
panes=(
    "checklist|L025|detail"
    "incidents|$REF|"
    "jobs|ジョブ|detail"
    "changes|$CREF|detail"
    "consoles|コンソール|"
    "handover|未解決のインシデント|"
    "hosts|バックアップ|" # lib-bk01's role, whole
    "reports|日次報告書|"
)
# The screen without its status line, whose clock (HH:MM from UNYO_NOW) may turn
# a minute meanwhile: a change there is not a sign that Enter was handled.
body() { t_screen | sed '$d'; }
for p in "${panes[@]}"; do
    IFS='|' read -r pane mark detail <<<"$p"
    t_start 200 50 --lang ja --pane "$pane"
    t_wait "$mark"
    check_screen "$pane pane"
    if [[ -n $detail ]]; then
        before=$(body)
        t_keys Enter
        t_wait_cmd '[[ "$(body)" != "$before" ]]' 30 "$pane: Enter changes the screen"
        check_screen "$pane pane, after Enter"
    fi
done

# The incident with the assignment and the paused clock: its detail's timeline.
t_start 200 50 --lang ja --pane incidents
t_wait "$REF"
# The newest incident (the list is newest first): the cursor's row.
t_keys Enter
t_wait "経過記録"
t_screen | grep -q "^ *$REF " || t_fail "the detail is not $REF's"
t_wait "担当: 鈴木 一郎"
t_wait "停止: 1時間"
check_screen "incident detail"
t_keys Escape
t_wait_gone "経過記録"
t_stop 2>/dev/null || true
echo "all passed"
