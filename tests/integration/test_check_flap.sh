#!/usr/bin/env bash
# Issue 15, flapping and recovery against the loopback sshd: the check reads a file
# the test flips (use=91 NG, use=42 OK) over SSH.
#  - NG then OK: the open draft gets a note with the time (JST) and the value and
#    stays a draft (a person confirms);
#  - OK/NG alternating: flapping starts at 9 changes (50.21 %), the check run and
#    `check problems` say so, and one incident stands for it.
set -u
UNYO=${1:?usage: test_check_flap.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
trap 'sshd_cleanup' EXIT
sshd_env_init
export UNYO_USER=tester UNYO_NOW=2026-11-24T10:00:00+09:00
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$(dirname "$0")/../../data" && pwd)}
FAILS=0
ok() { echo "ok - $*"; }
bad() {
    echo "FAIL - $*"
    FAILS=$((FAILS + 1))
}
DB=$T/unyo.db
q() { sqlite3 "$DB" "$1"; }
u() { "$UNYO" --db "$DB" --lang en "$@"; }

sshd_start a
sshd_alias srv1 a
u init >/dev/null || bad "init"
u operator add tester --role operator >/dev/null || bad "operator add"
u host add srv1 --ssh-alias srv1 >/dev/null || bad "host add"
cat >"$T/checks.ini" <<INI
[disk]
template = L025
command = cat $T/value
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %
INI
run() {
    echo "use=$1" >"$T/value"
    chmod 644 "$T/value"
    u check run --checks "$T/checks.ini" --timeout 120 >"$T/out" 2>&1
}

run 91
grep -q "→ draft INC-" "$T/out" && ok "NG over SSH opens a draft" || { bad "no draft"; cat "$T/out"; }
ref=$(q "SELECT ref FROM incidents")
run 42
grep -q "Recovered: srv1 disk → noted on $ref" "$T/out" && ok "OK after NG: the run says the recovery was noted" ||
    { bad "no recovery line"; cat "$T/out"; }
u incident show "$ref" >"$T/show" 2>&1
grep -q "Recovered: the check was OK at 2026-11-24 10:[0-9][0-9] JST, value 42 %" "$T/show" &&
    ok "the incident's note has the JST time and the value" || { bad "no recovery note"; cat "$T/show"; }
[ "$(q "SELECT status FROM incidents WHERE ref = '$ref'")" = draft ] &&
    ok "the incident is not closed by the recovery" || bad "the recovery changed the incident"

# NG OK so far; 7 more alternating results (8 changes, 45.05 %), then the 10th
# result in all (9 changes, 50.21 %) starts the flapping.
for v in 91 42 91 42 91 42 91; do run $v; done
grep -q "flapping" "$T/out" && bad "flapping before 9 changes" || ok "8 changes: not flapping yet"
run 42
grep -q "Flapping: srv1 disk (50%) → noted on $ref" "$T/out" &&
    ok "the 9th change flaps; the open incident is told" || { bad "no flapping at the 9th change"; cat "$T/out"; }
run 91
grep -q "\[flapping 55%\] → added to $ref" "$T/out" && ok "an NG while flapping joins the one incident" ||
    { bad "the NG while flapping"; cat "$T/out"; }
[ "$(q "SELECT count(*) FROM incidents")" = 1 ] && ok "one incident for the flapping" ||
    bad "flapping opened more incidents"
u check problems --json >"$T/p" 2>&1
grep -q '"flapping": true' "$T/p" && ok "check problems --json: flapping" || { bad "problems"; cat "$T/p"; }
run 42
grep -q "Recovered:" "$T/out" && bad "a recovery noted while flapping" || ok "no recovery note while flapping"

[ "$FAILS" = 0 ] || exit 1
