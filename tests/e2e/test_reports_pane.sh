#!/usr/bin/env bash
# The Reports pane on the demo store: today's daily report holds the demo's
# incidents and the day's work (a checklist NG with its value, the handover
# signed); [ goes to the previous day (the demo's skipped check and its
# reason); w writes the report as Markdown and as CSV; the monthly report shows
# the same counts as `unyo report monthly`; the SLA report opens on the current
# half-year; E exports the store as CSV in the background, the same files as
# `unyo export --csv`. `unyo report daily` prints the day's work too, and the
# pane speaks Japanese.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

cli() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" "$@"; }
# Waits until a line of the screen matches an extended regular expression.
t_wait_re() {
    local re=$1 deadline=$((SECONDS + T_TIMEOUT))
    while ((SECONDS < deadline)); do
        t_screen 2>/dev/null | grep -qE -- "$re" && return 0
        sleep 0.05
    done
    t_fail "timed out waiting for /$re/"
}

# The day's work before the console opens: one NG with a value, one OK, a
# handover with a carried to-do.
cli checklist mark L032 ng --value 35 --note "空調の設定を確認" >"$T_DIR/cli.log" 2>&1 ||
    t_fail "checklist mark: $(cat "$T_DIR/cli.log")"
cli checklist mark L025 ok --host lib-ad01 >>"$T_DIR/cli.log" 2>&1 ||
    t_fail "checklist mark: $(cat "$T_DIR/cli.log")"
cli handover sign --note "午前の引継ぎ" --todo "DBサーバの再確認" >>"$T_DIR/cli.log" 2>&1 ||
    t_fail "handover sign: $(cat "$T_DIR/cli.log")"

# ---- the CLI prints the same daily report ----
out=$(cli report daily --markdown)
for want in "# Daily report 2026-11-23" "## Work of the day" "| Checks NG | 1 |" \
    "| Handovers signed | 1 |" "## Checklist: NG, skipped and not done" \
    "| NG | L032 | Server room temperature |  | 35 °C (range 18–27) | 空調の設定を確認 |" \
    "## Incidents received" "| INC-20261123-"; do
    grep -qF -- "$want" <<<"$out" || t_fail "unyo report daily lacks: $want"
done
cli report daily --json | python3 -c 'import json,sys; d=json.load(sys.stdin); k=[s["key"] for s in d["sections"]]; assert d["title"]=="Daily report 2026-11-23", d["title"]; assert k[0]=="summary" and "handovers" in k and "checklist" in k, k' ||
    t_fail "unyo report daily --json is not one JSON document with every section"
t_ok "unyo report daily includes the day's work (Markdown, JSON)"

# ---- today's daily report ----
t_start 160 40 --lang en --pane reports
t_wait "Daily report 2026-11-23"
t_wait "2026-11-23 (today)"
t_wait "made at 09:"
t_keys /
t_type "INC-20261123-"
t_keys Enter
t_wait_re "INC-20261123-[0-9a-f]{4} +2026-11-23"
t_keys /
t_type "L032"
t_keys Enter
# the 担当 column names the person (operators.name), not the login
ME=$(sqlite3 "$T_DB" "SELECT name FROM operators WHERE login = '$T_USER' AND deleted = 0")
t_wait_re "NG +L032 +Server room temperature +35 °C \(range 18–27\) +空調の設定を確認 +$ME"
t_keys g /
t_type "Handovers signed"
t_keys Enter
t_wait_re "Handovers signed +1"
t_ok "today's daily report shows the demo's incidents and the checklist NG with its value"

# ---- the previous day ----
t_keys /
t_keys Enter # clears the filter
t_keys '['
t_wait "Daily report 2026-11-22"
t_wait_gone "(today)"
t_keys /
t_type "L034"
t_keys Enter
t_wait_re "skipped +L034 +Power on OPAC and counter terminals .*東図書館は館内整理のため端末停止中"
t_ok "[ shows the previous day with its skipped check"

# ---- write it to a file: Markdown, then CSV ----
t_keys w
t_wait "Write the report to a file"
t_wait "~/unyo-reports/daily-2026-11-22.md"
t_keys Enter
t_wait "Wrote $HOME/unyo-reports/daily-2026-11-22.md"
md=$HOME/unyo-reports/daily-2026-11-22.md
[[ -s $md ]] || t_fail "no file $md"
head -1 "$md" | grep -qxF "# Daily report 2026-11-22" || t_fail "$md: wrong title: $(head -1 "$md")"
for want in "## Summary" "| INC-20261122-" "## Work of the day" "| Checks skipped | 1 |" \
    "| skipped | L034 | Power on OPAC and counter terminals |" "東図書館は館内整理のため端末停止中" \
    "## Handovers signed"; do
    grep -qF -- "$want" "$md" || t_fail "$md lacks: $want"
done
cli report daily --date 2026-11-22 --markdown | diff -u - "$md" >"$T_DIR/md.diff" ||
    t_fail "the file differs from unyo report daily: $(cat "$T_DIR/md.diff")"
t_keys w
t_wait "Write the report to a file"
t_keys C-u
t_type "$T_DIR/out/day.csv"
t_keys Enter
t_wait "Wrote $T_DIR/out/day.csv"
grep -q '^checklist,skipped,L034,' "$T_DIR/out/day.csv" || t_fail "day.csv lacks the skipped check"
grep -q '^summary,Incidents received,' "$T_DIR/out/day.csv" || t_fail "day.csv lacks the summary"
t_ok "w writes the report as Markdown (the same as the CLI's) and as CSV"

# ---- the monthly report ----
t_keys /
t_keys Enter
t_keys m
t_wait "Monthly report 2026-11"
t_wait "2026-11 (this month)"
n=$(cli --csv report monthly --month 2026-11 --section summary | tr -d "\r" | awk -F, '$1=="Incidents received" {print $2}')
[[ -n $n && $n -gt 0 ]] || t_fail "the CLI's monthly report has no incidents (got '$n')"
t_wait_re "Incidents received +$n( |$)"
closed=$(cli --csv report monthly --month 2026-11 --section summary | tr -d "\r" | awk -F, '$1=="Incidents closed" {print $2}')
t_wait_re "Incidents closed +$closed( |$)"
t_keys '['
t_wait "Monthly report 2026-10"
t_keys t
t_wait "Monthly report 2026-11"
t_ok "the monthly report shows the counts of unyo report monthly ($n received, $closed closed)"

# ---- SLA achievement: the current half of the fiscal year ----
t_keys s
t_wait "SLA achievement 2026-10-01 .. 2027-03-31"
t_wait "(this half-year)"
t_wait "All priorities"
t_keys '['
t_wait "SLA achievement 2026-04-01 .. 2026-09-30"
t_ok "the SLA report opens on the current half-year; [ steps back a half"

# ---- the CSV export of the whole store ----
t_keys E
t_wait "Export every table of the store as CSV"
t_wait "~/unyo-reports/export-20261123-"
t_keys Enter
t_wait "Exported "
t_keys j k # the pane still answers
t_keys q
t_wait_exit
exp=$(ls -d "$HOME"/unyo-reports/export-20261123-* | head -1)
[[ -s $exp/incidents.csv ]] || t_fail "no incidents.csv in $exp"
cli export --csv "$T_DIR/cli-export" >"$T_DIR/export.log" 2>&1 ||
    t_fail "unyo export: $(cat "$T_DIR/export.log")"
diff -r "$T_DIR/cli-export" "$exp" >"$T_DIR/export.diff" ||
    t_fail "the pane's export differs from unyo export --csv: $(head -20 "$T_DIR/export.diff")"
t_ok "E exports the same files as unyo export --csv ($(ls "$exp" | wc -l) files)"

# ---- in Japanese ----
t_start 160 40 --lang ja --pane reports
t_wait "日次報告書 2026-11-23"
t_wait "2026-11-23（今日）"
t_keys G
t_wait "■ 署名した引継ぎ"
t_wait "午前の引継ぎ"
t_keys q
t_wait_exit
t_ok "the pane speaks Japanese"

# ---- the Handover pane: SLA time left, clearing a carried to-do, history ----
t_start 140 40 --lang en --pane handover
t_wait_re "P[1-4] INC-[0-9]{8}-[0-9a-f]{4} .*, recovery target overrun by [0-9]+:[0-9]{2}"
t_wait_re "P[1-4] INC-[0-9]{8}-[0-9a-f]{4} .*, SLA left [0-9]+:[0-9]{2}"
t_keys G k # the last line is the hint; the to-do is above it
t_wait "Carried to-dos (1)"
t_keys c
t_wait 'Clear the carried to-do "DBサーバの再確認'
t_keys y
t_wait "Carried to-do cleared."
t_wait "Carried to-dos (0)"
[[ $(sqlite3 "$T_DB" "SELECT count(*) FROM handover_items WHERE cleared_at IS NOT NULL") == 1 ]] ||
    t_fail "the carried to-do is not cleared in the store"
t_keys H
t_wait "Handovers of 2026-11"
t_wait_re "2026-11-23 09:[0-9]{2} +early +$ME → \* +not acknowledged +午前の引継ぎ"
t_keys '['
t_wait "Handovers of 2026-10"
t_keys ']'
t_wait "Handovers of 2026-11"
t_keys Escape
t_wait "Last handover: signed by"
t_keys q
t_wait_exit
t_ok "handover: SLA left and overrun shown, c clears a carried to-do, [ ] change the history's month"
