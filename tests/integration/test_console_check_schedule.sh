#!/usr/bin/env bash
# Issue 15, checks on a schedule in the console, against a loopback sshd: with
# [checks] schedule = on the console runs a due check over SSH in the background
# with no key pressed, and keys keep working while that round runs (a pane switch is
# drawn). Quitting during a round does not wait for the host: the round stops,
# records nothing (no half-made result), and the console exits well before the
# check's own host timeout (60 s) would have ended it.
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
sshd_env_init
trap 'sshd_cleanup; t_cleanup' EXIT
sshd_start a
sshd_alias slow1 a
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" host add slow1 --ssh-alias slow1 --db "$T_DB" >/dev/null ||
    t_fail "host add"
q() { sqlite3 "$T_DB" "$1"; }
mkdir -p "$XDG_CONFIG_HOME/unyo/checks"
cat >"$XDG_CONFIG_HOME/unyo/checks/slow.ini" <<EOF2
[slow]
template = L025
hosts = slow1
interval = 5m
marker = $SSHD_SCRATCH/slow.started
command = touch {marker}
  sleep 600
  echo ok
pattern = ^ok\$
EOF2
printf '[checks]\nschedule = on\n' >"$XDG_CONFIG_HOME/unyo/config.ini"

t_start 130 32 --lang en --pane hosts
# No key pressed: the round starts by itself and the command runs on the host.
t_wait_cmd "[ -e '$SSHD_SCRATCH/slow.started' ]" 60 "the scheduled check running on slow1"
t_ok "schedule = on: the due check runs over SSH with no key pressed"
# Keys are handled while the round runs: switch to the Checklist pane and back.
t_keys 1
t_wait "Item"
t_keys 7
t_wait "Reach"
t_ok "keys work while a round runs"
start=$SECONDS
t_keys q
# The host would hold the round for 60 s (the host timeout): quitting must not wait.
t_wait_exit 45
t_ok "quit during a round: exited after $((SECONDS - start)) s"
[[ $(q "SELECT count(*) FROM checklist_events WHERE note = 'check=slow'") == 0 ]] ||
    t_fail "a stopped round recorded: $(q "SELECT status, reason FROM checklist_events WHERE note = 'check=slow'")"
t_ok "the stopped round recorded nothing"
