#!/usr/bin/env bash
# Runs claimed through the central database (a real PostgreSQL 15) and executed over a
# real loopback sshd: two stores synced to one central database and a timer (`unyo jobs
# run --due` on one of them again) race on 20 due runs: each runs exactly once (one
# line per run in a file on the host). A runner killed (kill -9) mid-run loses its
# lease: a run asked for elsewhere meanwhile is refused naming the holder console; once
# the lease expires the run is marked interrupted and rerun (retries = 1). A central
# database that is down: central jobs are refused with the reason, scope = local runs.
set -u
UNYO=${1:?usage: test_jobs_claims.sh PATH/TO/unyo}
UNYO=$(readlink -f "$UNYO")
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
cleanup_hooks=()
RUNNER_PIDS=()
cleanup() {
    local p h
    for p in "${RUNNER_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
    sshd_cleanup
}
trap cleanup EXIT
sshd_env_init
source "$LIB/pg.sh"
export UNYO_USER=tester LANG=C.UTF-8 LC_ALL=C.UTF-8
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$(dirname "$0")/../../data" && pwd)}
unset UNYO_NOW XDG_CONFIG_HOME
FAILS=0
ok() { echo "ok - $*"; }
bad() {
    echo "FAIL - $*"
    FAILS=$((FAILS + 1))
}
pg_start || { echo "FAIL - PostgreSQL did not start"; exit 1; }
sshd_start a
sshd_alias lib-ap01 a
A=$T/a.db
B=$T/b.db
LOG=$SSHD_SCRATCH/claims.log
for db in "$A" "$B"; do
    "$UNYO" init --db "$db" >/dev/null || bad "init $db"
    "$UNYO" operator add tester --role operator --db "$db" >/dev/null || bad "operator add"
done
mkdir -p "$HOME/.config/unyo"
# Sync configured: claims go through the central database. The lease is shorter than
# the default so the expiry cases below wait seconds, not a minute, yet long enough that
# a runner starved of CPU on a loaded machine still renews it in time (a lapse there
# would let a second runner take over a run that is still going).
printf '[sync]\nurl = %s\n[jobs]\nlease = 15\n' "$UNYO_TEST_PGURL" >"$HOME/.config/unyo/config.ini"
chmod 600 "$HOME/.config/unyo/config.ini"
"$UNYO" central init --db "$A" >/dev/null || bad "central init"
[ "$(pg_psql "SELECT to_regclass('unyo.job_claims') IS NOT NULL")" = t ] &&
    ok "unyo central init creates unyo.job_claims" || bad "no unyo.job_claims"
"$UNYO" host import-ssh-config --db "$A" >/dev/null || bad "import-ssh-config"

{
    for i in $(seq -w 1 20); do
        printf '[C%s]\nname_ja = 競争%s\nname_en = Race %s\nperiod = daily\nhost = lib-ap01\n' "$i" "$i" "$i"
        printf 'command = echo C%s >>%s; sleep 0.2\n' "$i" "$LOG"
    done
    printf '[K01]\nname_ja = 中断\nname_en = Killed\nperiod = manual\nhost = lib-ap01\nretries = 1\n'
    printf 'command = echo K01 >>%s; echo K01-output-so-far; if [ -e %s/slow ]; then sleep 20; fi\n' "$LOG" "$SSHD_SCRATCH"
    printf '[K02]\nname_ja = 中断二\nname_en = Killed, no retry\nperiod = manual\nhost = lib-ap01\n'
    printf 'command = echo K02 >>%s; if [ -e %s/slow ]; then sleep 20; fi\n' "$LOG" "$SSHD_SCRATCH"
    printf '[L01]\nname_ja = 端末だけ\nname_en = This console only\nperiod = manual\nhost = lib-ap01\n'
    printf 'scope = local\ncommand = echo L01 >>%s\n' "$LOG"
    printf '[M01]\nname_ja = 中央\nname_en = Central\nperiod = manual\nhost = lib-ap01\n'
    printf 'command = echo M01 >>%s\n' "$LOG"
} >"$T/jobs.ini"
out=$("$UNYO" jobs load --file "$T/jobs.ini" --db "$A" 2>&1) && ok "jobs load: $out" || bad "jobs load: $out"
[ "$(sqlite3 "$A" "SELECT scope FROM jobs WHERE code = 'L01'")" = local ] && ok "scope = local stored" ||
    bad "scope of L01"
printf '[X]\nperiod = manual\nscope = everywhere\n' >"$T/bad.ini"
out=$("$UNYO" jobs load --file "$T/bad.ini" --db "$A" 2>&1) && bad "scope = everywhere accepted" ||
    case "$out" in *"scope everywhere (expected local or central)"*) ok "a bad scope is refused: $out" ;; *) bad "bad scope: $out" ;; esac
"$UNYO" sync --db "$A" >/dev/null && "$UNYO" sync --db "$B" >/dev/null || bad "first sync"
n=$(sqlite3 "$B" "SELECT count(*) FROM jobs WHERE code GLOB 'C[0-9][0-9]' OR code IN ('K01', 'K02', 'L01', 'M01')")
[ "$n" = 24 ] && ok "b has the job definitions" || bad "jobs on b: $n"

# ---- 20 due runs, two consoles and a timer at the same moment ----
DAY=2026-11-24
: >"$LOG"
chmod 666 "$LOG"
"$UNYO" jobs run --due --date $DAY --db "$A" >"$T/run-a.out" 2>&1 &
p1=$!
"$UNYO" jobs run --due --date $DAY --db "$B" >"$T/run-b.out" 2>&1 &
p2=$!
"$UNYO" jobs run --due --date $DAY --db "$A" >"$T/run-t.out" 2>&1 &
p3=$!
wait $p1 $p2 $p3
lines=$(wc -l <"$LOG")
dups=$(sort "$LOG" | uniq -d | tr '\n' ' ')
distinct=$(sort -u "$LOG" | wc -l)
[ "$lines" = 20 ] && [ -z "$dups" ] && [ "$distinct" = 20 ] &&
    ok "20 due runs, 3 runners: each ran exactly once ($lines lines, 20 distinct)" ||
    bad "race: $lines lines, $distinct distinct, twice: $dups"
started=0
for f in run-a run-b run-t; do
    s=$(sed -n 's/.*: \([0-9]*\) started.*/\1/p' "$T/$f.out")
    started=$((started + ${s:-0}))
done
[ "$started" = 20 ] && ok "the runners' summaries add up to 20 started" || bad "started $started: $(cat "$T"/run-*.out)"
grep -h "elsewhere" "$T"/run-*.out | head -1 | grep -q "already run by console\|holds it" &&
    ok "a run refused here names the console that holds or ran it" || bad "no elsewhere report: $(cat "$T"/run-*.out)"
[ "$(pg_psql "SELECT count(*) FROM unyo.job_claims WHERE state = 'succeeded'")" = 20 ] &&
    ok "20 claims recorded succeeded centrally" || bad "claims: $(pg_psql "SELECT state, count(*) FROM unyo.job_claims GROUP BY 1")"
for db in "$A" "$B" "$A" "$B"; do "$UNYO" sync --db "$db" >/dev/null; done
n=$(sqlite3 "$B" "SELECT count(*) FROM job_runs WHERE due_day = '$DAY' AND state = 'succeeded'")
[ "$n" = 20 ] && ok "after a sync both stores show 20 succeeded runs" || bad "b: $n succeeded"
out=$("$UNYO" jobs run --due --date $DAY --db "$B" 2>&1)
[ "$(wc -l <"$LOG")" = 20 ] && ok "running the day again runs nothing" || bad "ran again: $out"

# ---- a runner killed mid-run: refusal while held, then lease expiry -> interrupted, rerun ----
: >"$LOG"
touch "$SSHD_SCRATCH/slow"
chmod 666 "$SSHD_SCRATCH/slow"
"$UNYO" jobs run K01 --date $DAY --db "$A" >"$T/k-a.out" 2>&1 &
KP=$!
RUNNER_PIDS+=("$KP")
wait_for 120 grep -q K01 "$LOG" || bad "K01 did not start: $(cat "$T/k-a.out")"
k01_out() { sqlite3 "$A" "SELECT r.output FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'K01'" | grep -q K01-output-so-far; }
wait_for 120 k01_out || bad "K01's output so far is not in a's store"
"$UNYO" sync --db "$A" >/dev/null
"$UNYO" sync --db "$B" >/dev/null
[ "$(sqlite3 "$B" "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'K01'")" = running ] &&
    ok "b has pulled a's running run as running" ||
    bad "K01 on b: $(sqlite3 "$B" "SELECT r.state, r.claimed_by FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'K01'")"
origin_a=$(sqlite3 "$A" "SELECT value FROM local_meta WHERE key = 'origin'")
out=$("$UNYO" jobs run K01 --date $DAY --db "$B" 2>&1)
rc=$?
[ $rc != 0 ] && case "$out" in *"console ${origin_a: -8} on "*"holds it"*) true ;; *) false ;; esac &&
    ok "a claim while the lease is held elsewhere is refused naming the holder: $out" ||
    bad "held refusal rc=$rc: $out (origin ${origin_a: -8})"
[ "$(grep -c K01 "$LOG")" = 1 ] && ok "the refused runner ran nothing" || bad "K01 ran twice while held"
kill -9 "$KP"
wait "$KP" 2>/dev/null
rm -f "$SSHD_SCRATCH/slow"
# Refused while the lease lasts (at most 15 s after the kill), then the rerun.
wait_for 120 "$UNYO" jobs run K01 --date $DAY --db "$B" >"$T/k-b.out" 2>&1 || bad "K01 never rerun: $(cat "$T/k-b.out")"
q() { sqlite3 "$B" "SELECT $1 FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'K01'"; }
[ "$(q r.state)" = succeeded ] && [ "$(q r.attempt)" = 2 ] && ok "after the lease expired, K01 was rerun as attempt 2" ||
    bad "K01 on b: $(q r.state) attempt $(q r.attempt): $(cat "$T/k-b.out")"
ev=$(sqlite3 "$B" "SELECT e.note FROM job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = 'K01' AND e.kind = 'interrupted'")
case "$ev" in *"stopped renewing its claim of attempt 1"*"output that had arrived:"*K01-output-so-far*) ok "attempt 1 marked interrupted: $ev" ;; *) bad "interrupted event: $ev" ;; esac
[ "$(grep -c K01 "$LOG")" = 2 ] && ok "K01 ran twice in all: the killed attempt and the rerun" || bad "K01 lines: $(grep -c K01 "$LOG")"
[ "$(pg_psql "SELECT string_agg(attempt || ':' || state, ',' ORDER BY attempt) FROM unyo.job_claims c WHERE run_id = '$(q r.id)'")" = "1:interrupted,2:succeeded" ] &&
    ok "central claims: attempt 1 interrupted, attempt 2 succeeded" || bad "central K01 claims"

# ---- no retry left: the expired attempt ends interrupted; a rerun asked for runs ----
: >"$LOG"
touch "$SSHD_SCRATCH/slow"
"$UNYO" jobs run K02 --date $DAY --db "$A" >"$T/k2-a.out" 2>&1 &
KP=$!
RUNNER_PIDS+=("$KP")
wait_for 120 grep -q K02 "$LOG" || bad "K02 did not start: $(cat "$T/k2-a.out")"
kill -9 "$KP"
wait "$KP" 2>/dev/null
rm -f "$SSHD_SCRATCH/slow"
k2() { "$UNYO" jobs run K02 --date $DAY --db "$B" 2>&1 | tee "$T/k2-b.out" | grep -q "no retry left"; }
wait_for 120 k2 || bad "K02 not interrupted: $(cat "$T/k2-b.out")"
q2() { sqlite3 "$B" "SELECT $1 FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'K02'"; }
[ "$(q2 r.state)" = interrupted ] && [ "$(grep -c K02 "$LOG")" = 1 ] &&
    ok "without retries the expired attempt ends interrupted and does not run again: $(cat "$T/k2-b.out")" ||
    bad "K02: $(q2 r.state), $(grep -c K02 "$LOG") runs"
"$UNYO" jobs rerun K02@$DAY --db "$B" >/dev/null || bad "jobs rerun K02"
out=$("$UNYO" jobs run K02 --date $DAY --db "$B" 2>&1) && [ "$(q2 r.state)" = succeeded ] && [ "$(q2 r.attempt)" = 2 ] &&
    [ "$(grep -c K02 "$LOG")" = 2 ] && ok "a rerun asked for runs as attempt 2" || bad "K02 rerun: $out $(q2 r.state) $(q2 r.attempt)"

# ---- the central database down: central jobs refused with the reason, scope = local runs ----
: >"$LOG"
pg_stop_server
out=$("$UNYO" jobs run M01 --date $DAY --db "$A" 2>&1)
rc=$?
[ $rc != 0 ] && case "$out" in *"M01 not run: the central database cannot be reached"*) true ;; *) false ;; esac &&
    ok "a central job asked for by name is refused: $out" || bad "M01 rc=$rc: $out"
out=$("$UNYO" jobs run L01 --date $DAY --db "$A" 2>&1) && ok "a scope = local job runs without the central database" ||
    bad "L01: $out"
grep -q L01 "$LOG" && ! grep -q M01 "$LOG" && ok "L01 ran, M01 did not" || bad "log: $(cat "$LOG")"
out=$("$UNYO" jobs run --due --date 2026-11-25 --db "$A" 2>&1)
rc=$?
[ $rc != 0 ] && case "$out" in *"not run"*"the central database cannot be reached ("*"20 run(s) not started: the central database cannot be reached"*) true ;; *) false ;; esac &&
    ok "jobs run --due refuses the central runs and says why (exit $rc)" || bad "due with central down rc=$rc: $out"
out=$("$UNYO" jobs run --due --date 2026-11-25 --db "$A" --lang ja 2>&1)
case "$out" in *"中央データベース"*) ok "the reason in Japanese" ;; *) bad "ja: $out" ;; esac
pg_start_server

[ $FAILS = 0 ] && echo "all passed" || echo "$FAILS failed"
exit $((FAILS > 0))
