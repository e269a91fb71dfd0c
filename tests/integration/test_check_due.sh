#!/usr/bin/env bash
# Issue 15, checks on a schedule: `unyo check run --due` against a loopback sshd.
#  - a check with interval 5m runs on the first --due, not on a second one a minute
#    later, and again six minutes later; a check with no interval never runs with
#    --due (on demand only), and `check list` says so;
#  - a `hours = service` check does not run out of the service hours nor on a closed
#    day of the shipped calendar (2026-12-29), and runs when the service opens;
#  - the latest result is the newest by the hybrid clock, not by its `at`;
#  - the same recording as `check run`: checklist rows, host metrics, an NG's draft,
#    exit status 3 on NG; nothing due says so and exits 0;
#  - a bad interval (0, a bare number, negative) is refused with FILE:LINE.
set -u
UNYO=${1:?usage: test_check_due.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
trap 'sshd_cleanup' EXIT
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
runs() { q "SELECT count(*) FROM checklist_events WHERE source='check' AND note='check=$1'"; }
# --due at a given JST time; generous --timeout: a loaded machine must not turn OK into NG.
due() {
    UNYO_NOW="$1" "$UNYO" check run --due --checks "$T/checks.ini" --timeout 120 --db "$DB" \
        "${@:2}" >"$T/out" 2>&1
}

sshd_start a
sshd_alias srv1 a
"$UNYO" init --db "$DB" >/dev/null || bad "init"
"$UNYO" operator add tester --role operator --db "$DB" >/dev/null || bad "operator add"
"$UNYO" host add srv1 --ssh-alias srv1 --db "$DB" >/dev/null || bad "host add"

cat >"$T/checks.ini" <<'EOF2'
[five]
template = L025
interval = 5m
command = echo use=18
pattern = use=(?<use>\d+)
condition = use < 80
value = use
metric = disk_used_pct

[svc]
template = L033
interval = 1h
hours = service
command = echo errors=3
pattern = errors=(?<n>\d+)
condition = n == 0

[manual]
template = L025
command = echo ok
pattern = ^ok$
EOF2

"$UNYO" check list --checks "$T/checks.ini" >"$T/list" 2>&1
grep -E "^manual .* on demand" "$T/list" >/dev/null && grep -E "^five .* 5m +always" "$T/list" >/dev/null &&
    grep -E "^svc .* 1h +service hours" "$T/list" >/dev/null &&
    ok "check list: intervals, service hours, and 'on demand' for a check with no interval" ||
    { bad "check list"; cat "$T/list"; }
"$UNYO" check list --checks "$T/checks.ini" --json >"$T/list.json"
python3 -c "
import json,sys; d={x['id']:x for x in json.load(open('$T/list.json'))}
sys.exit(0 if d['five']['interval']=='5m' and d['svc']['hours']=='service' and d['manual']['interval'] is None else 1)" &&
    ok "check list --json: interval and hours keys" || { bad "check list --json"; cat "$T/list.json"; }

# Monday 2026-12-07 10:00 JST, in service: five and svc run (svc is NG: exit 3), manual not.
due 2026-12-07T10:00:00+09:00
rc=$?
[ "$rc" = 3 ] && ok "first --due: exit 3 (svc is NG)" || { bad "first --due rc=$rc"; cat "$T/out"; }
[ "$(runs five)/$(runs svc)/$(runs manual)" = 1/1/0 ] && ok "first --due: five and svc ran, manual (no interval) did not" ||
    { bad "first --due runs: $(runs five)/$(runs svc)/$(runs manual)"; cat "$T/out"; }
grep -q "L033 srv1 svc: n=3 (limit: n == 0) → draft INC-" "$T/out" && ok "first --due: the NG opened its draft" ||
    { bad "draft line"; cat "$T/out"; }
[ "$(q "SELECT count(*) FROM host_metrics WHERE metric='disk_used_pct'")" = 1 ] && ok "first --due: a host metric" ||
    bad "metrics: $(q "SELECT count(*) FROM host_metrics")"
"$UNYO" checklist --json --date 2026-12-07 --db "$DB" >"$T/cl.json" 2>"$T/cl.err"
python3 -c "
import json,sys; r=[x for x in json.load(open('$T/cl.json')) if x['code']=='L033' and x['host']=='srv1']
sys.exit(0 if r and r[0]['status']=='ng' else 1)" && ok "the day's checklist takes the result (L033 srv1 NG)" ||
    { bad "checklist"; head -c 1500 "$T/cl.json"; cat "$T/cl.err"; }

# One minute later: nothing is due; said, exit 0, nothing recorded.
due 2026-12-07T10:01:00+09:00
rc=$?
[ "$rc" = 0 ] && ok "--due a minute later: exit 0" || { bad "second --due rc=$rc"; cat "$T/out"; }
grep -q "Nothing is due: 2 within their interval, 0 waiting for the service hours, 1 on demand only" "$T/out" &&
    grep -q "The next check is due at 2026-12-07 10:05" "$T/out" && ok "--due a minute later: says nothing is due, and when next" ||
    { bad "nothing-due message"; cat "$T/out"; }
[ "$(runs five)/$(runs svc)" = 1/1 ] && ok "--due a minute later: nothing ran" || bad "second --due runs: $(runs five)/$(runs svc)"
due 2026-12-07T10:01:00+09:00 --json
[ "$(cat "$T/out")" = "[]" ] && ok "--due --json with nothing due: an empty list" || { bad "--json nothing due"; cat "$T/out"; }

# Six minutes after the first: five again (OK, exit 0), svc (1h) not.
due 2026-12-07T10:06:00+09:00
rc=$?
[ "$rc" = 0 ] && [ "$(runs five)/$(runs svc)" = 2/1 ] && ok "--due six minutes later: five ran again, svc not yet" ||
    { bad "third --due rc=$rc runs $(runs five)/$(runs svc)"; cat "$T/out"; }

# Tuesday 05:00 JST, before the service opens (07:00): five runs, svc waits.
due 2026-12-08T05:00:00+09:00
[ "$(runs five)/$(runs svc)" = 3/1 ] && ok "out of the service hours: svc (hours = service) did not run" ||
    { bad "out of hours runs $(runs five)/$(runs svc)"; cat "$T/out"; }
due 2026-12-08T05:01:00+09:00
grep -q "1 waiting for the service hours" "$T/out" && grep -q "due at 2026-12-08 05:05" "$T/out" &&
    ok "out of hours: nothing due, svc waits for the service hours, five is next at 05:05" || { bad "out-of-hours message"; cat "$T/out"; }
due 2026-12-08T07:30:00+09:00
[ "$(runs svc)" = 2 ] && ok "in the service hours: svc ran" || { bad "07:30 svc runs $(runs svc)"; cat "$T/out"; }

# 2026-12-29, a closed day (year-end closure) in the shipped calendar: svc does not run.
due 2026-12-29T10:00:00+09:00
[ "$(runs five)/$(runs svc)" = 5/2 ] && ok "closed day: five ran, svc did not" ||
    { bad "closed day runs $(runs five)/$(runs svc)"; cat "$T/out"; }

# The newest result by the hybrid clock decides, not the largest `at`: a run by a
# process whose clock is two minutes behind is the latest one.
UNYO_NOW=2026-12-29T09:58:00+09:00 "$UNYO" check run --item five --checks "$T/checks.ini" --timeout 120 --db "$DB" >/dev/null 2>&1
due 2026-12-29T10:04:00+09:00
[ "$(runs five)" = 7 ] && ok "the latest result by hlc (dated 09:58) makes five due at 10:04" ||
    { bad "hlc order: five runs $(runs five)"; cat "$T/out"; }

# --due with --host: only that host's pairs.
"$UNYO" host add srv2 --ssh-alias srv1 --db "$DB" >/dev/null || bad "host add srv2"
due 2026-12-29T10:05:00+09:00 --host srv1
grep -q "Nothing is due" "$T/out" && ok "--due --host srv1: srv2's due checks are not run" || { bad "--host"; cat "$T/out"; }

# Bad intervals: FILE:LINE, nothing runs.
for v in 0 5 -5m 5x 0m 1m1h; do
    printf '[x]\ntemplate = L025\ncommand = true\ninterval = %s\npattern = ok\n' "$v" >"$T/bad.ini"
    n=$(q "SELECT count(*) FROM checklist_events")
    "$UNYO" check run --due --checks "$T/bad.ini" --db "$DB" >"$T/out" 2>&1
    rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 3 ] && grep -q "$T/bad.ini:4: bad interval \"$v\"" "$T/out" &&
        [ "$(q "SELECT count(*) FROM checklist_events")" = "$n" ]; then
        ok "interval = $v: refused with FILE:LINE (exit $rc)"
    else
        bad "interval = $v: rc=$rc"
        cat "$T/out"
    fi
done
printf '[x]\ntemplate = L025\ncommand = true\npattern = ok\nhours = service\n' >"$T/bad.ini"
"$UNYO" check list --checks "$T/bad.ini" >"$T/out" 2>&1
grep -q "$T/bad.ini:2: check \[x\] has hours = service but no interval" "$T/out" && ok "hours = service without an interval: refused" ||
    { bad "hours without interval"; cat "$T/out"; }

echo "failures: $FAILS"
[ "$FAILS" = 0 ]
