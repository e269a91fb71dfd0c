#!/usr/bin/env bash
# `unyo check run` across several host aliases of one loopback sshd, one host
# down and one that never answers: parallel in one process, one NG, results in
# checklist_events and host_metrics, the shipped checks on this machine.
set -u
UNYO=${1:?usage: test_ssh_checks.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
trap 'kill $BH 2>/dev/null; sshd_cleanup' EXIT
BH=
sshd_env_init
export UNYO_USER=tester
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$(dirname "$0")/../../data" && pwd)}
FAILS=0
ok() { echo "ok - $*"; }
bad() {
    echo "FAIL - $*"
    FAILS=$((FAILS + 1))
}
DB=$T/unyo.db
q() { sqlite3 "$DB" "$1"; }

sshd_start a
for i in 1 2 3 4 5; do sshd_alias srv$i a; done
"$UNYO" init --db "$DB" >/dev/null || bad "init"
"$UNYO" operator add tester --role operator --db "$DB" >/dev/null || bad "operator add"
"$UNYO" host import-ssh-config --db "$DB" >"$T/out" || bad "import-ssh-config"
grep -q "Imported 5" "$T/out" && ok "import-ssh-config: 5 hosts" || bad "import: $(cat "$T/out")"
"$UNYO" host edit srv2 --role DB --db "$DB" >/dev/null
"$UNYO" host add down1 --address 127.0.0.1 --port "$(free_port)" --user "$SSHD_TEST_USER" --role AP --db "$DB" >/dev/null

cat >"$T/checks.ini" <<'EOF'
[alive]
template = L025
command = echo alive
pattern = ^alive$
severity = critical

[memory]
template = L025
command = awk '/^MemTotal:/{t=$2} /^MemAvailable:/{a=$2} END{printf "mem_used_pct=%d\n", (t-a)*100/t}' /proc/meminfo
pattern = mem_used_pct=(?<use>\d+)
condition = use <= 100
value = use
unit = %
metric = mem_used_pct

[since]
template = L033
roles = DB
command = echo since={since} host=$(hostname)
pattern = since=(?<since>\d+)
condition = since > 0
value = since
EOF

start1=$(date +%s)
"$UNYO" check run --checks "$T/checks.ini" --concurrency 4 --db "$DB" >"$T/out" 2>&1
rc=$?
[ "$rc" = 3 ] && ok "check run: exit 3 when something is NG" || bad "check run rc=$rc"
ng=$(grep -c '^  \[' "$T/out")
[ "$ng" = 2 ] && ok "the down host's two checks listed NG" || { bad "NG count $ng"; cat "$T/out"; }
grep -q "L025 down1 alive: .*connection refused" "$T/out" && ok "NG names host, item, reason" ||
    { bad "NG line"; cat "$T/out"; }
[ "$(q "SELECT count(*) FROM checklist_events WHERE source='check' AND status='ok'")" = 11 ] &&
    ok "11 OK rows recorded" || bad "ok rows: $(q "SELECT status, count(*) FROM checklist_events GROUP BY 1")"
[ "$(q "SELECT count(*) FROM checklist_events WHERE status='ng' AND reason LIKE 'unreachable: connection refused: %'")" = 2 ] &&
    ok "the down host's checks are NG 'unreachable', none 'skip'" || bad "unreachable rows"
[ "$(q "SELECT count(*) FROM checklist_events e JOIN operators o ON o.id = e.operator_id WHERE o.login='unyo-check'")" = 13 ] &&
    ok "rows carry the check run, not a person" || bad "actor on rows"
[ "$(q "SELECT count(DISTINCT t.code) FROM checklist_events e JOIN templates t ON t.id = e.template_id")" = 2 ] &&
    ok "rows point at L025 / L033" || bad "template ids"
[ "$(q "SELECT count(*) FROM host_metrics WHERE metric='mem_used_pct'")" = 5 ] &&
    ok "host_metrics: memory for 5 hosts" || bad "metrics: $(q "SELECT metric, count(*) FROM host_metrics GROUP BY 1")"
q "SELECT raw_output FROM checklist_events WHERE note='check=since'" | grep -q "host=" &&
    ok "raw output stored" || bad "raw output"

# {since} is the previous run's time on the second run (a second later, so
# the two runs' times differ).
sleep 1
before=$(date +%s)
"$UNYO" check run --checks "$T/checks.ini" --item since --json --db "$DB" >"$T/json"
v=$(python3 -c "import json,sys; r=json.load(open('$T/json')); print(int(float(r[0]['value'])))" 2>/dev/null)
[ -n "$v" ] && [ "$v" -le "$before" ] && [ "$v" -ge "$start1" ] && ok "{since} = last run ($v)" ||
    bad "since value '$v' not within the first run [$start1, $before]"

# A host that accepts and never speaks does not hold the others up.
bport=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $bport)); s.listen(64); time.sleep(900)" &
BH=$!
# until it listens (python may start slowly under load)
wait_for 60 eval "(exec 3<>/dev/tcp/127.0.0.1/$bport) 2>/dev/null" || bad "the silent listener did not start"
"$UNYO" host add silent1 --address 127.0.0.1 --port "$bport" --user "$SSHD_TEST_USER" --db "$DB" >/dev/null
# The silent host alone has a short ConnectTimeout (that path is what is tested);
# the healthy hosts get a generous --timeout: a loaded machine is slow, not down.
printf 'Host silent1\n  ConnectTimeout 2\n' >>"$HOME/.ssh/config"
"$UNYO" check run --checks "$T/checks.ini" --item alive --timeout 60 --db "$DB" >"$T/out" 2>&1
grep -q "silent1 alive: .*no SSH greeting" "$T/out" && ok "silent host: NG after the timeout" ||
    { bad "silent host"; cat "$T/out"; }
[ "$(grep -c ' OK ' "$T/out")" = 5 ] && ok "the 5 healthy hosts still OK" || { bad "healthy hosts"; cat "$T/out"; }

# The shipped checks run on this machine (dry run: nothing recorded).
n_before=$(q "SELECT count(*) FROM checklist_events")
"$UNYO" check run --host 'srv*' --dry-run --db "$DB" >"$T/out" 2>&1
grep -q "srv1 *alive *L025 *OK" "$T/out" && ok "shipped alive check OK" || { bad "shipped alive"; cat "$T/out"; }
grep -q "srv1 *disk_use *L025" "$T/out" && ok "shipped disk check ran" || bad "shipped disk"
[ "$(q "SELECT count(*) FROM checklist_events")" = "$n_before" ] && ok "--dry-run records nothing" ||
    bad "dry run recorded"

# Unknown host keys are refused in batch unless --accept-new.
SSHD_NO_KNOWN=1 sshd_start b
sshd_alias fresh1 b
"$UNYO" host add fresh1 --ssh-alias fresh1 --db "$DB" >/dev/null
"$UNYO" check run --checks "$T/checks.ini" --host fresh1 --item alive --db "$DB" >"$T/out" 2>&1
grep -q "fresh1 alive: .*host key not known" "$T/out" && ok "batch: unknown host key is NG" || { bad "unknown key in batch"; cat "$T/out"; }
"$UNYO" check run --checks "$T/checks.ini" --host fresh1 --item alive --accept-new --db "$DB" >"$T/out" 2>&1
[ $? = 0 ] && ok "batch: --accept-new trusts it" || { bad "--accept-new"; cat "$T/out"; }

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
