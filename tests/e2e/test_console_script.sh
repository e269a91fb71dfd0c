#!/usr/bin/env bash
# Headless scripting (--script, --dump-screen, --size): the same key handling as
# the terminal, without one; the dump is plain text for diffs.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
cat >"$T_DIR/script" <<'S'
# open the first item (L025, its hosts under it), mark the first host OK, the
# second NG with a value, skip the third
key Enter
key j o
key j x
type 38
key Enter n
key j s
type 定期点検のため
key Enter
dump DUMP1
key 2
type /
type ネットワーク
key Enter
S
sed -i "s|DUMP1|$T_DIR/after-marks.txt|" "$T_DIR/script"
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en --script "$T_DIR/script" \
    --dump-screen "$T_DIR/end.txt" --size 100x30 || t_fail "the script failed"
grep -q "1 OK, 1 NG" "$T_DIR/after-marks.txt" || t_fail "marks not on the dumped screen"
grep -q "NG 1 │" "$T_DIR/after-marks.txt" || t_fail "NG counter not updated"
grep -q "定期点検のため" "$T_DIR/after-marks.txt" || t_fail "skip reason not shown"
grep -q "matches for /ネットワーク/" "$T_DIR/end.txt" || t_fail "filter not applied"
[[ $(wc -l <"$T_DIR/end.txt") == 30 ]] || t_fail "the dump is not 30 lines"
t_ok "script marks, filters and dumps the screen"

# a bad script line names FILE:LINE
printf 'key j\nfrobnicate\n' >"$T_DIR/bad"
if UNYO_USER=$T_USER "$T_BIN" --db "$T_DB" --script "$T_DIR/bad" 2>"$T_DIR/err"; then
    t_fail "a bad script line was accepted"
fi
grep -q "bad:2: expected key, type, resize, click, wheel or dump" "$T_DIR/err" || t_fail "no FILE:LINE: $(cat "$T_DIR/err")"
t_ok "a bad script line names FILE:LINE"

# nothing from the database reaches the terminal as a control sequence
sqlite3 "$T_DB" "UPDATE incidents SET title = 'evil' || char(27) || '[2J' || char(7) || 'title'
                 WHERE id = (SELECT id FROM incidents ORDER BY received_at DESC LIMIT 1)"
printf 'key 2\n' >"$T_DIR/evil"
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en --script "$T_DIR/evil" \
    --dump-screen "$T_DIR/evil.txt" --size 120x30 || t_fail "the script failed"
grep -qF 'evil\x1b[2J\x07title' "$T_DIR/evil.txt" || t_fail "control characters not escaped: $(grep evil "$T_DIR/evil.txt")"
t_ok "control characters from the store are shown escaped"

# the mouse, scripted (tmux cannot send mouse events to a pane): click a tab, a
# row, the wheel
cat >"$T_DIR/mouse" <<'S'
# tab bar "1:Checklist 2:Incidents ...": column 14 is in "2:Incidents"
click 14 0
dump DUMP_TAB
# row 3 of the table (screen line 5: tabs, header row, data rows from line 2)
click 5 5
dump DUMP_ROW
wheel down 5 10
wheel down 5 10
dump DUMP_WHEEL
click 0 0
S
sed -i "s|DUMP_TAB|$T_DIR/m-tab.txt|; s|DUMP_ROW|$T_DIR/m-row.txt|; s|DUMP_WHEEL|$T_DIR/m-wheel.txt|" "$T_DIR/mouse"
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en --script "$T_DIR/mouse" \
    --dump-screen "$T_DIR/m-end.txt" --size 100x30 || t_fail "the mouse script failed"
# the Incidents header (at 100 columns the intake time column is hidden for the title)
grep -q "^Ref .* Status .* Title" "$T_DIR/m-tab.txt" || t_fail "a click on the tab did not open Incidents"
grep -q "^4 of " "$T_DIR/m-row.txt" || t_fail "a click on a row did not select it: $(tail -3 "$T_DIR/m-row.txt")"
grep -q "^10 of " "$T_DIR/m-wheel.txt" || t_fail "the wheel did not scroll: $(tail -3 "$T_DIR/m-wheel.txt")"
grep -q "today —" "$T_DIR/m-end.txt" || t_fail "a click on tab 1 did not return to the Checklist"
t_ok "mouse: tab click, row click, wheel"
