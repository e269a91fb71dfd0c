#!/usr/bin/env bash
# Issue 15, connections kept between check rounds: `unyo check watch` against a
# loopback sshd (LogLevel VERBOSE logs one "Accepted publickey" per login).
#  - three rounds over two hosts log in twice, not six times: each host's
#    connection is kept and its next round runs on it; every result is recorded;
#  - a kept connection the server closed while it waited is replaced: the round
#    that finds it dead connects again and its results are OK, not NG;
#  - a kept connection that answers nothing (its server process stopped, as a
#    firewall that forgot the connection does) is given up after a few seconds
#    and replaced, again with OK results;
#  - --keep off connects anew every round; a bad --keep or --every is a usage
#    error (exit 2); SIGTERM ends the watch with exit 0;
#  - while another round of the store runs (its lock file held), check run --due
#    and check watch run nothing and say so (exit 0).
set -u
UNYO=${1:?usage: test_check_watch.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v sqlite3 >/dev/null; then
    echo "SKIP: needs root, OpenSSH sshd and sqlite3"
    exit 77
fi
source "$LIB/sshd.sh"
cleanup() {
    [ -n "${STOPPED:-}" ] && kill -CONT $STOPPED 2>/dev/null
    [ -n "${WATCH:-}" ] && kill "$WATCH" 2>/dev/null
    sshd_cleanup
}
trap cleanup EXIT
sshd_env_init
export UNYO_USER=tester
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$(dirname "$0")/../../data" && pwd)}
FAILS=0
F0=0
ok() { # only when nothing failed since the last ok
    [ "$FAILS" = "$F0" ] && echo "ok - $*"
    F0=$FAILS
}
bad() {
    echo "FAIL - $*"
    FAILS=$((FAILS + 1))
}
DB=$T/unyo.db
q() { sqlite3 "$DB" "$1"; }
results() { q "SELECT count(*) FROM checklist_events WHERE source='check' AND note='check=kept'"; }
ngs() { q "SELECT count(*) FROM checklist_events WHERE source='check' AND note='check=kept' AND status <> 'ok'"; }
logins() { grep -c "Accepted publickey" "$(sshd_log a)"; }
# The server processes of the open connections: the listener's children (the
# privileged monitors) and theirs (the processes that speak to the client).
sessions() {
    local p
    for p in $(pgrep -P "$PID_a"); do
        echo "$p"
        pgrep -P "$p"
    done
}
# Polls until $1 succeeds; generous: a loaded machine is slow, never wrong.
wait_for() {
    local deadline=$((SECONDS + ${2:-120}))
    until eval "$1"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}
# The interval is 1 s and the rounds 2 s apart: every round finds both hosts due.
# (exec: in the background, $! is then the watch itself, not a subshell)
watch() { exec "$UNYO" check watch --checks "$T/checks.ini" --every 2s --timeout 120 --db "$DB" "$@"; }

sshd_start a
sshd_alias w1 a
sshd_alias w2 a
"$UNYO" init --db "$DB" >/dev/null || bad "init"
"$UNYO" operator add tester --role operator --db "$DB" >/dev/null || bad "operator add"
for h in w1 w2; do "$UNYO" host add $h --ssh-alias $h --db "$DB" >/dev/null || bad "host add $h"; done
cat >"$T/checks.ini" <<'EOF2'
[kept]
template = L025
interval = 1s
command = echo use=18
pattern = use=(?<use>\d+)
condition = use < 80
value = use
EOF2

# ---- three rounds, two logins ----
before=$(logins)
(watch --rounds 3) >"$T/out" 2>&1 || bad "check watch --rounds 3 exited $?: $(cat "$T/out")"
n=$(grep -c "results on 2 hosts" "$T/out")
[ "$n" = 3 ] || bad "3 rounds with results expected, got $n: $(cat "$T/out")"
[ "$(results)" = 6 ] || bad "6 results expected, got $(results)"
[ "$(ngs)" = 0 ] || bad "NG results: $(ngs)"
[ $(($(logins) - before)) = 2 ] ||
    bad "three rounds over two hosts logged in $(($(logins) - before)) times, not 2"
grep -q "2 connections kept" "$T/out" || bad "the round lines do not say the connections are kept: $(cat "$T/out")"
ok "three rounds over two hosts log in twice; every result recorded, all OK"

# Each watch starts with a round; the check's 1 s interval must have passed since
# the last one's results (a wait for the clock, not for the machine).
next_watch() { sleep 1.5; }

# ---- the server closes the kept connections between rounds ----
next_watch
before=$(logins)
r0=$(results)
watch --rounds 3 >"$T/out2" 2>&1 &
WATCH=$!
wait_for '[ "$(results)" -ge $((r0 + 2)) ]' || bad "the first round did not record"
pkill -TERM -P "$PID_a" # every connection's sshd process: the kept ones end
wait "$WATCH" || bad "check watch exited $? after its connections were closed: $(cat "$T/out2")"
WATCH=
[ "$(results)" = $((r0 + 6)) ] || bad "6 more results expected, got $(($(results) - r0))"
[ "$(ngs)" = 0 ] || bad "a closed kept connection made an NG: $(q "SELECT note, reason FROM checklist_events WHERE status <> 'ok'")"
[ $(($(logins) - before)) = 4 ] ||
    bad "4 logins expected (2, then 2 after the close), got $(($(logins) - before))"
ok "a kept connection the server closed is replaced; the round's results are OK"

# ---- a kept connection that answers nothing ----
next_watch
before=$(logins)
r0=$(results)
watch --rounds 2 >"$T/out3" 2>&1 &
WATCH=$!
wait_for '[ "$(results)" -ge $((r0 + 2)) ]' || bad "the first round did not record"
STOPPED=$(sessions)
kill -STOP $STOPPED # the kept connections' server processes stop answering
wait "$WATCH" || bad "check watch exited $? with a silent kept connection: $(cat "$T/out3")"
WATCH=
kill -CONT $STOPPED
STOPPED=
[ "$(results)" = $((r0 + 4)) ] || bad "4 more results expected, got $(($(results) - r0))"
[ "$(ngs)" = 0 ] || bad "a silent kept connection made an NG"
[ $(($(logins) - before)) = 4 ] || bad "4 logins expected, got $(($(logins) - before))"
ok "a kept connection that answers nothing is given up and replaced; results OK"

# ---- --keep off, bad values, SIGTERM ----
next_watch
before=$(logins)
(watch --rounds 2 --keep off) >"$T/out4" 2>&1 || bad "--keep off exited $?"
[ $(($(logins) - before)) = 4 ] || bad "--keep off: 4 logins expected, got $(($(logins) - before))"
grep -q "every round connects anew" "$T/out4" || bad "--keep off does not say so: $(cat "$T/out4")"
ok "--keep off connects anew every round"
(watch --keep 5) >"$T/out5" 2>&1
[ $? = 2 ] || bad "--keep 5 (no unit) should be a usage error"
grep -q -- "--keep" "$T/out5" || bad "the usage error does not name --keep: $(cat "$T/out5")"
(watch --every soon) >"$T/out5" 2>&1
[ $? = 2 ] || bad "--every soon should be a usage error"
ok "a bad --keep or --every is a usage error naming the option"
watch --every 1h >"$T/out6" 2>&1 &
WATCH=$!
wait_for 'grep -q "results on\|nothing due" "$T/out6"' || bad "the watch did not run its first round"
kill -TERM "$WATCH"
wait "$WATCH"
rc=$?
WATCH=
[ "$rc" = 0 ] || bad "SIGTERM: exit $rc, not 0"
grep -q "Stopped" "$T/out6" || bad "SIGTERM: the watch does not say it stopped: $(cat "$T/out6")"
ok "SIGTERM stops the watch (exit 0) without waiting for the next round"

# ---- one round of a store at a time ----
# Another round (here: this shell) holds the store's round lock: check run --due
# and check watch run nothing and say so; once it is released they run.
next_watch
r0=$(results)
exec 9>"$DB.checks-lock"
flock 9
"$UNYO" check run --due --checks "$T/checks.ini" --timeout 120 --db "$DB" >"$T/out7" 2>&1
rc=$?
[ "$rc" = 0 ] || bad "check run --due beside another round: exit $rc, not 0"
grep -q "another round of checks on this store is running" "$T/out7" ||
    bad "check run --due does not say another round runs: $(cat "$T/out7")"
(watch --rounds 1) >"$T/out8" 2>&1 || bad "check watch beside another round exited $?"
grep -q "skipped" "$T/out8" || bad "check watch does not say it skipped: $(cat "$T/out8")"
[ "$(results)" = "$r0" ] || bad "a round ran while another held the lock"
exec 9>&-
"$UNYO" check run --due --checks "$T/checks.ini" --timeout 120 --db "$DB" >"$T/out9" 2>&1 ||
    bad "check run --due after the lock was released: $(cat "$T/out9")"
[ "$(results)" = $((r0 + 2)) ] || bad "the released round did not run: $(($(results) - r0)) results"
ok "one round of a store at a time: the other says so and runs nothing"

[ "$FAILS" = 0 ] || { for f in "$T"/out*; do echo "== $f"; cat "$f"; done; exit 1; }
