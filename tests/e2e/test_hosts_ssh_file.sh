#!/usr/bin/env bash
# A host imported from an ssh_config file other than ~/.ssh/config connects the
# way that file says (integration.test_ssh_hosts). The Hosts pane names the
# file beside the alias: the same alias in two files reaches two machines.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

cat >"$T_DIR/team.conf" <<EOF2
Host team-a1
    HostName 192.0.2.7
    Port 2222
    User ops
EOF2
UNYO_USER=$T_USER "$T_BIN" --db "$T_DB" --lang en host import-ssh-config --file "$T_DIR/team.conf" \
    >"$T_DIR/import.log" 2>&1 || t_fail "import: $(cat "$T_DIR/import.log")"

t_start 200 30 --lang ja --pane hosts
t_wait "team-a1"
t_wait "ssh:team-a1 (team.conf)"
t_ok "the Hosts pane names the ssh_config file an imported host is read from"
t_keys q
t_wait_exit
