#!/usr/bin/env bash
# Issue 15, flapping in the console: a check alternating OK/NG (a command reading a
# file the test flips) is marked [不安定] in the checklist (its detail says how often
# it changed) and in the Hosts pane (NG 1 [不安定]; p lists it), and one incident
# stands for it.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T10:00:00+09:00 # a Tuesday: the library is open
t_init "$1"
u() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "$@"; }
q() { sqlite3 "$T_DB" "$1"; }
cat >"$T_DIR/checks.ini" <<INI
[disk]
template = L025
command = cat $T_DIR/value
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %
INI
incidents=$(q "SELECT count(*) FROM incidents")
# OK NG OK NG ...: the 10th result (an NG, 9 changes: 50.21 %) starts the flapping.
for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
    if ((i % 2)); then echo use=95; else echo use=50; fi >"$T_DIR/value"
    u check run --checks "$T_DIR/checks.ini" --host lib-ad01 >/dev/null 2>&1 || true
done
[[ $(q "SELECT count(*) FROM checklist_events WHERE source = 'check' AND note = 'check=disk'") == 12 ]] ||
    t_fail "the check runs did not record 12 results"
[[ $(q "SELECT count(*) FROM incidents") == $((incidents + 1)) ]] ||
    t_fail "the flapping check opened more than one incident"

t_start 130 32 --lang ja --pane checklist
t_wait_cmd "t_screen | grep -qE 'lib-ad01.*\\[不安定\\]'" "" "lib-ad01's row marked [不安定] in the checklist"

t_start 130 32 --lang ja --pane hosts
t_wait "NG 1 [不安定]"
t_keys /
t_type "lib-ad01"
t_keys Enter
t_keys p
t_wait "lib-ad01 のチェックの問題: 1 件"
t_wait_cmd "t_screen | grep -qE '異常  disk \\(L025\\) .*\\[不安定\\]'" "" "the problem listed as [不安定] after p"
echo "ok - flapping in the checklist and the Hosts pane"
