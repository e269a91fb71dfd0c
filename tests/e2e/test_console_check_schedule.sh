#!/usr/bin/env bash
# Issue 15, checks on a schedule in the console: with [checks] schedule = on in
# config.ini, a check whose interval has come round runs in the background and is
# recorded without any key pressed; the message line says so for an NG and the Hosts
# pane in front and the status line show it. A check with no interval is not run. With an unknown value
# the console says [checks] schedule is on or off and runs nothing.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T10:00:00+09:00 # a Tuesday: the library is open
t_init "$1"
q() { sqlite3 "$T_DB" "$1"; }
mkdir -p "$XDG_CONFIG_HOME/unyo/checks"
cat >"$XDG_CONFIG_HOME/unyo/checks/sched.ini" <<'INI'
[sched_disk]
template = L025
hosts = lib-ad01
interval = 5m
command = echo use=95
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %
[by_hand]
template = L025
hosts = lib-ad01
command = echo use=1
pattern = use=(?<use>\d+)
INI
printf '[checks]\nschedule = maybe\n' >"$XDG_CONFIG_HOME/unyo/config.ini"
t_start 130 32 --lang en --pane hosts
t_wait "[checks] schedule is on or off"
t_keys q
t_wait_exit
[[ $(q "SELECT count(*) FROM checklist_events WHERE source = 'check'") == 0 ]] ||
    t_fail "an unknown schedule value ran checks"
t_ok "schedule = maybe: said, and no check ran"

printf '[checks]\nschedule = on\n' >"$XDG_CONFIG_HOME/unyo/config.ini"
t_start 130 32 --lang en --pane hosts
# No key is pressed: the round runs by itself.
t_wait_cmd '[[ $(q "SELECT count(*) FROM checklist_events WHERE source = '"'check'"' AND note = '"'check=sched_disk'"'") == 1 ]]' \
    "$T_TIMEOUT" "the scheduled check recorded"
t_wait "scheduled checks: 1 NG (of 1 run)"
t_wait "NG 1 · local run (demo)" # the Hosts pane in front reloaded
t_wait "│ NG 1 │"                 # the status line's counters were read again
[[ $(q "SELECT count(*) FROM checklist_events WHERE note = 'check=by_hand'") == 0 ]] ||
    t_fail "a check with no interval ran on the schedule"
[[ $(q "SELECT count(*) FROM incidents WHERE status = 'draft' AND title LIKE '%lib-ad01%sched_disk%'") == 1 ]] ||
    t_fail "the scheduled NG opened no draft: $(q "SELECT ref, title FROM incidents WHERE status = 'draft'")"
t_ok "schedule = on: the due check ran with no key pressed, NG with its draft; the Hosts pane shows it"
t_keys q
t_wait_exit
