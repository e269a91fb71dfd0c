#!/usr/bin/env bash
# Opening the console at 80x24 and 200x60, in Japanese and English: status line
# (JST clock, service state, counters), switching panes by Tab, Shift-Tab and
# number, the help overlay, the command line, and q quitting.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
# the demo's counts, from the store itself
nopen=$(sqlite3 "$T_DB" "SELECT count(*) FROM incidents WHERE deleted = 0 AND
                          status NOT IN ('recovered', 'closed')")

for size in "80 24" "200 60"; do
    for lang in ja en; do
        t_start $size --lang "$lang"
        if [[ $lang == ja ]]; then
            pane1="1:点検" pane2="2:インシデント" service="時間内・終了まで15:00" open="未解決"
            help="キー一覧" handover="S 署名" reports="日次報告書 2026-11-23"
        else
            pane1="1:Checklist" pane2="2:Incidents" service="in service, closes 15:00"
            open="open" help="Keys (j/k" handover="S sign" reports="Daily report 2026-11-23"
        fi
        t_wait "$pane1"
        t_wait "11-23 09:00 JST"
        t_wait "$service"
        t_wait "$open $nopen │"
        t_wait "NG 0"
        # Tab to Incidents, a number to the last pane, Shift-Tab back, 6 to Handover
        t_keys Tab
        t_wait "INC-2026"
        t_keys 8
        t_wait "$reports"
        t_keys BTab BTab BTab BTab BTab BTab
        t_wait_gone "$reports"
        t_wait "INC-2026"
        t_keys 6
        t_wait "$handover"
        t_keys 1
        t_wait_gone "$handover"
        t_keys '?'
        t_wait "$help"
        t_keys Escape
        t_wait_gone "$help"
        # the command line completes command names, and :pane switches
        t_keys :
        t_type "pa"
        t_keys Tab
        t_wait ":pane"
        t_type "incidents"
        t_keys Enter
        t_wait "INC-2026"
        # an unknown command is answered with the list of commands, every one of
        # them (the list is the completion table's: :messages, :library, :setup …)
        t_keys :
        t_type "frobnicate"
        t_keys Enter
        if [[ $lang == ja ]]; then t_wait "不明なコマンド: frobnicate"; else t_wait "unknown command: frobnicate"; fi
        t_keys :
        t_type "messages"
        t_keys Enter
        # the overlay's title: "frobnicate" is on the message line before Enter
        if [[ $lang == ja ]]; then t_wait "メッセージ（j/k"; else t_wait "Messages (j/k"; fi
        t_wait "frobnicate"
        # the message, wrapped in the overlay, read as one line
        msg=$(t_screen | sed -n '/frobnicate/,/Tab/p' | sed -E 's/^[^│]*│//; s/│.*$//' | tr -s ' \n' ' ')
        for c in filter goto help library log messages operator pane quit refresh setup shift sort; do
            grep -qE "[ ,(:]$c[,;)。]" <<<"$msg" ||
                { t_screen >&2; t_fail "the unknown-command message does not list $c ($lang): $msg"; }
        done
        grep -q "…" <<<"$msg" && { t_screen >&2; t_fail ":messages cuts the message instead of wrapping it ($lang)"; }
        t_keys Escape
        if [[ $lang == ja ]]; then t_wait_gone "メッセージ（j/k"; else t_wait_gone "Messages (j/k"; fi
        t_wait "INC-2026"
        t_keys q
        t_wait_exit
        t_ok "open, status, panes, help, quit at $size ($lang)"
    done
done

# Below 80x24: a plain notice instead of a broken screen; q still quits.
t_start 60 20 --lang en
t_wait "Enlarge the terminal to at least 80×24 (now 60×20)."
t_resize 80 24
t_wait "1:Checklist"
t_resize 60 20
t_wait "Enlarge the terminal"
t_keys q
t_wait_exit
t_ok "tiny terminal shows the enlarge notice"

t_start 60 20 --lang ja
t_wait "端末を 80×24 以上に広げてください"
t_keys q
t_wait_exit
t_ok "tiny terminal notice in Japanese"

# --keys prints the binding table (for the manual)
"$T_BIN" --keys --lang en | grep -q "checklist.ok" || t_fail "--keys misses pane bindings"
t_ok "--keys lists the bindings"
