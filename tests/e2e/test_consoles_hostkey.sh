#!/usr/bin/env bash
# Consoles pane: an unknown host key shows its SHA256 fingerprint and asks
# y/n (yes adds it to known_hosts); a changed key is refused with both
# fingerprints and the known_hosts line; `:link incident REF` (prefix + :)
# writes a links row for the recorded session; Ctrl-C goes to the server.
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
SSHD_NO_KNOWN=1 sshd_start a
sshd_alias newhost a
SSHD_NO_KNOWN=1 sshd_start b
sshd_alias badhost b
# badhost's port is recorded with another server's key: a changed key.
echo "[127.0.0.1]:$PORT_b $(cut -d' ' -f1,2 "$(sshd_hostkey_pub a)")" >>"$HOME/.ssh/known_hosts"
fp_a=$(ssh-keygen -lf "$(sshd_hostkey_pub a)" | awk '{print $2}')
fp_b=$(ssh-keygen -lf "$(sshd_hostkey_pub b)" | awk '{print $2}')

t_start 110 30 --pane consoles
t_wait "No console sessions."
t_keys o
t_wait "Host (inventory name"
t_type newhost
t_keys Enter
t_wait "not in known_hosts"
t_wait "$fp_a"
t_wait "(y/n)"
t_ok "unknown host key: SHA256 fingerprint shown, y/n asked"
t_keys y
t_wait_gone "(y/n)"
grep -q "^\[127.0.0.1\]:$PORT_a " "$HOME/.ssh/known_hosts" || t_fail "key not added to known_hosts"
t_type "echo ok-\$((4000+7))"
t_keys Enter
t_wait "ok-4007"
t_ok "y trusts the key (known_hosts), the shell runs"

# Ctrl-C reaches the remote shell instead of quitting unyo.
# Interrupt only once sleep runs: after the echo, bash still has to fork and
# hand the terminal to the child's process group; a C-c in that window reaches
# bash alone, and sleep runs on. The sleep has a length of its own for pgrep.
nap="30.$$"
t_type "echo sleeping-\$((3000+9)); sleep $nap; echo not-\$((6000+1))"
t_keys Enter
t_wait "sleeping-3009"
t_wait_cmd "pgrep -u '$SSHD_TEST_USER' -f 'sleep $nap' >/dev/null" 60 "the remote sleep"
t_keys C-c
t_type "echo after-\$((5000+1))"
t_keys Enter
t_wait "after-5001"
t_assert_not "not-6001"
t_ok "C-c goes to the server"

ref=$(sqlite3 "$T_DB" "SELECT ref FROM incidents WHERE deleted = 0 LIMIT 1")
[ -n "$ref" ] || t_fail "demo store has no incident"
t_keys C-] :
t_wait "link incident REF, link change REF" # the hint; the line itself is empty
t_assert_not ":link incident"
t_type "link incident $ref"
t_keys Enter
t_wait "linked to incident"
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM links l JOIN incidents i ON i.id = l.from_id WHERE i.ref = '$ref' AND l.to_kind = 'ssh_session' AND l.to_id = (SELECT id FROM ssh_sessions WHERE host_name = 'newhost')")
[ "$n" = 1 ] || t_fail "no links row (got $n)"
t_ok ":link incident $ref writes a links row"

# Changed key: refused, both fingerprints and the known_hosts line shown.
t_keys C-] d
t_wait "detached"
t_keys o
t_wait "Host (inventory name"
t_type badhost
t_keys Enter
t_wait "HOST KEY CHANGED"
t_wait "$fp_b"
t_wait "$fp_a"
t_wait "known_hosts:"
t_wait "(failed)"
t_ok "changed host key refused with both fingerprints and the known_hosts line"
t_keys C-] c
t_wait_gone "badhost"
t_type "exit"
t_keys Enter
t_wait "(exited 0)"
t_keys Enter
t_wait "No console sessions."
t_keys q
t_wait_exit
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM ssh_sessions WHERE host_name = 'newhost' AND end_reason = 'exit' AND exit_status = 0")
[ "$n" = 1 ] || t_fail "session end not recorded"
t_ok "shell exit shows (exited 0), Enter closes the tab, the end is recorded"
