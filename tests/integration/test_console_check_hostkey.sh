#!/usr/bin/env bash
# Console (hosts pane, c): a check run that meets an unknown host key records
# the checks NG "unreachable: host key unknown" by the check run, and asks the
# same question a session does (the SHA256 fingerprint, y/n). n keeps it
# refused; the checklist pane shows the NG row by the check run and, on Enter,
# the whole reason. y trusts exactly that key and runs the checks again.
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
T_TIMEOUT=60
SSHD_NO_KNOWN=1 sshd_start a
sshd_alias fresh1 a
fp=$(ssh-keygen -lf "$(sshd_hostkey_pub a)" | awk '{print $2}')
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" host add fresh1 --ssh-alias fresh1 --db "$T_DB" >/dev/null ||
    t_fail "host add"
mkdir -p "$XDG_CONFIG_HOME/unyo/checks"
cat >"$XDG_CONFIG_HOME/unyo/checks/test.ini" <<'EOF'
[alive]
template = L025
hosts = fresh1
command = echo alive
pattern = ^alive$
severity = critical
EOF
q() { sqlite3 "$T_DB" "$1"; }

ng0=$(UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" checklist --json --db "$T_DB" |
    python3 -c "import json,sys; print(sum(1 for r in json.load(sys.stdin) if r['status'] == 'ng'))")
t_start 220 40 --pane hosts
t_wait "NG $ng0 "
t_keys /
t_type "fresh1"
t_keys Enter
t_wait "fresh1"
t_keys c
t_wait "not in known_hosts"
t_wait "$fp"
t_wait "(y/n)"
t_ok "check run: unknown host key asks with the SHA256 fingerprint, y/n"
n=$(q "SELECT count(*) FROM checklist_events e JOIN hosts h ON h.id = e.host_id JOIN operators o ON o.id = e.operator_id WHERE h.name = 'fresh1' AND e.status = 'ng' AND o.login = 'unyo-check' AND e.reason LIKE 'unreachable: host key unknown: %'")
[ "$n" = 1 ] || t_fail "expected one NG 'unreachable' by the check run, got $n: $(q "SELECT status, reason FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'fresh1'")"
[ "$(q "SELECT count(*) FROM checklist_events WHERE status = 'skip' AND source = 'check'")" = 0 ] ||
    t_fail "a check run recorded a skip"
t_ok "recorded NG 'unreachable: host key unknown' by the check run, not a skip"
# The status line counts it (the demo day has one NG already).
t_wait "NG $((ng0 + 1))"
t_ok "status line NG count follows the check run"
t_keys n
t_wait_gone "(y/n)"
grep -q "^\[127.0.0.1\]:$PORT_a " "$HOME/.ssh/known_hosts" && t_fail "n added the key"

# The checklist pane: the row is NG by the check run; Enter shows the whole reason.
t_keys :
t_type "pane checklist"
t_keys Enter
t_keys /
t_type "fresh1"
t_keys Enter
t_wait "check run"
t_keys Enter
t_wait "unreachable: host key unknown: "
t_wait "NAME)."
t_ok "checklist pane: NG row by the check run, Enter shows the full reason"
t_keys Escape
t_keys :
t_type "pane hosts"
t_keys Enter

# y trusts exactly the key shown and runs the checks again.
t_keys c
t_wait "(y/n)"
t_keys y
t_wait "checks on fresh1: 1 results, 0 NG"
grep -q "^\[127.0.0.1\]:$PORT_a " "$HOME/.ssh/known_hosts" || t_fail "key not added to known_hosts"
n=$(q "SELECT count(*) FROM checklist_events e JOIN hosts h ON h.id = e.host_id WHERE h.name = 'fresh1' AND e.status = 'ok'")
[ "$n" = 1 ] || t_fail "no OK result after trusting (got $n)"
t_ok "y trusts the key and the checks run OK"
t_keys q
t_wait_exit
