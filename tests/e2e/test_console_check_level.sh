#!/usr/bin/env bash
# Issue 15, two levels for a check in the console: a check with warn / crit
# thresholds. A WARN result shows as 警告 in the checklist (the item's status, the
# heading's count apart from NG) and in the Hosts pane (警告 1; p lists it as 警告);
# a CRIT as NG / 異常.
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
warn = use > 80
crit = use > 95
value = use
unit = %
INI
echo use=85 >"$T_DIR/value"
u check run --checks "$T_DIR/checks.ini" --host lib-ad01 >/dev/null 2>&1 || true
[[ $(q "SELECT level FROM checklist_events WHERE source = 'check'") == warn ]] ||
    t_fail "the check run recorded no WARN"

t_start 130 32 --lang ja --pane checklist
t_wait "NG 0、警告 1"
t_wait_cmd "t_screen | grep -qE '警告 +L025'" "" "the L025 item of lib-ad01 shown as 警告"

t_start 130 32 --lang ja --pane hosts
t_wait "警告 1"
t_keys /
t_type "lib-ad01"
t_keys Enter
t_keys p
t_wait "lib-ad01 のチェックの問題: 1 件"
t_wait_cmd "t_screen | grep -qE '警告  disk \\(L025\\)'" "" "the problem listed as 警告 after p"

# CRIT: NG in the Hosts pane, 異常 in its list.
echo use=99 >"$T_DIR/value"
u check run --checks "$T_DIR/checks.ini" --host lib-ad01 >/dev/null 2>&1 || true
t_start 130 32 --lang ja --pane hosts
t_wait "NG 1"
t_keys /
t_type "lib-ad01"
t_keys Enter
t_keys p
t_wait_cmd "t_screen | grep -qE '異常  disk \\(L025\\)'" "" "the problem listed as 異常 after p"
echo "ok - WARN and CRIT in the checklist and the Hosts pane"
