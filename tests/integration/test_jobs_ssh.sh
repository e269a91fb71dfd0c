#!/usr/bin/env bash
# ctest-resource-lock: unyo-job-tmp-files
# The job runner over real SSH: the shipped job definitions on four host aliases of one
# loopback sshd (lib-ap01, lib-db01, lib-web01, lib-bk01), the day's runs executed with
# dependencies and output files collected; a failing job -> incident draft; a host that
# is down -> failed with the reason; two runners started at once never run a job twice; a
# running command's output so far is in the store before it ends.
set -u
UNYO=${1:?usage: test_jobs_ssh.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
trap sshd_cleanup EXIT
sshd_env_init
export UNYO_USER=tester LANG=C.UTF-8 LC_ALL=C.UTF-8
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$(dirname "$0")/../../data" && pwd)}
unset UNYO_NOW
FAILS=0
ok() { echo "ok - $*"; }
bad() {
    echo "FAIL - $*"
    FAILS=$((FAILS + 1))
}
DB=$T/unyo.db
q() { sqlite3 "$DB" "$1"; }

sshd_start a
# (sshd.sh logs in as its test user, whose shell reads no start-up files)
for h in lib-ap01 lib-db01 lib-web01 lib-bk01; do sshd_alias "$h" a; done
"$UNYO" init --db "$DB" --template all >/dev/null || bad "init"
"$UNYO" operator add tester --role operator --db "$DB" >/dev/null || bad "operator add"
"$UNYO" host import-ssh-config --db "$DB" >/dev/null || bad "import-ssh-config"
# The demo commands write under /tmp on the "host" (here this machine, as the test user).
rm -f /tmp/unyo-job-*.txt /tmp/unyo-job-*.log /tmp/unyo-job-backup.tar

out=$("$UNYO" jobs load --db "$DB" 2>&1) && ok "jobs load: $out" || bad "jobs load: $out"
n=$(q "SELECT count(*) FROM jobs")
[ "$n" -ge 35 ] && ok "$n jobs installed" || bad "jobs installed: $n"

# Tuesday 2026-11-24: 12 command jobs and one manual one are due.
DAY=2026-11-24
out=$("$UNYO" jobs run --due --date $DAY --db "$DB" 2>&1)
rc=$?
[ $rc = 0 ] && ok "jobs run --due over SSH exits 0" || bad "jobs run rc=$rc: $out"
echo "$out" | grep -q "12 started, 12 succeeded, 0 failed" && ok "12 runs succeeded over SSH" ||
    bad "run summary: $out"
[ "$(q "SELECT count(*) FROM job_runs WHERE due_day = '$DAY' AND state = 'waiting'")" = 1 ] &&
    ok "the manual job stays waiting" || bad "manual job state"
claimed=$(q "SELECT claimed_by FROM job_runs WHERE due_day = '$DAY' AND state = 'succeeded' LIMIT 1")
case "$claimed" in */[0-9]*) ok "claimed_by is origin/pid ($claimed)" ;; *) bad "claimed_by $claimed" ;; esac
out71=$(q "SELECT r.output FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'L071' AND r.due_day = '$DAY'")
case "$out71" in *"予約在庫リスト"*) ok "output kept (UTF-8)" ;; *) bad "output: $out71" ;; esac
files=$(q "SELECT r.files FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'L071' AND r.due_day = '$DAY'")
case "$files" in "/tmp/unyo-job-L071.txt ("*" bytes)") ok "output file collected: $files" ;; *) bad "files: $files" ;; esac
order=$(q "SELECT group_concat(code) FROM (SELECT j.code FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE r.due_day = '$DAY' AND j.code IN ('L068','L071','L079','L080','L078','L094') ORDER BY r.started_at)")
[ "$order" = "L068,L071,L079,L080,L078,L094" ] && ok "dependencies respected: $order" || bad "order $order"
"$UNYO" jobs deliver L071@$DAY --to 各館 --db "$DB" >/dev/null && ok "delivery recorded" || bad "deliver"
[ "$(q "SELECT files FROM job_deliveries")" = "$files" ] && ok "delivery lists the run's files" ||
    bad "delivery files"

# A failing job and a host that is down.
"$UNYO" host add lib-down --address 127.0.0.1 --port "$(free_port)" --user "$SSHD_TEST_USER" --db "$DB" >/dev/null
cat >"$T/fail.ini" <<'EOF'
[X-FAIL]
name_ja = 失敗するジョブ
name_en = Failing job
period = manual
host = lib-db01
command = echo 'ORA-01555: snapshot too old' >&2; exit 5
[X-DOWN]
name_ja = 停止中ホスト
name_en = Host down
period = manual
host = lib-down
timeout = 5
command = true
EOF
"$UNYO" jobs load --file "$T/fail.ini" --db "$DB" >/dev/null || bad "load fail.ini"
"$UNYO" jobs run X-FAIL --date $DAY --db "$DB" >"$T/out" 2>&1 && bad "failing job exits 0" ||
    ok "failing job: runner exits non-zero"
[ "$(q "SELECT count(*) FROM incidents WHERE status = 'draft' AND description LIKE '%ORA-01555%'")" = 1 ] &&
    ok "failure -> incident draft with the output" || bad "incident draft"
"$UNYO" jobs run X-DOWN --date $DAY --db "$DB" >"$T/out" 2>&1
note=$(q "SELECT note FROM job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = 'X-DOWN' AND e.kind = 'failed'")
case "$note" in *"could not run"*) ok "host down: $note" ;; *) bad "host down note: $note" ;; esac

# Two runners at once on another day: every run executed exactly once.
DAY2=2026-11-25
"$UNYO" jobs run --due --date $DAY2 --db "$DB" >"$T/r1" 2>&1 &
P1=$!
"$UNYO" jobs run --due --date $DAY2 --db "$DB" >"$T/r2" 2>&1 &
P2=$!
wait $P1
wait $P2
"$UNYO" jobs run --due --date $DAY2 --db "$DB" >"$T/r3" 2>&1 # whatever a group held back
runs=$(q "SELECT count(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE r.due_day = '$DAY2' AND j.command IS NOT NULL")
starts=$(q "SELECT count(*) FROM job_run_events e JOIN job_runs r ON r.id = e.run_id WHERE r.due_day = '$DAY2' AND e.kind = 'running'")
succ=$(q "SELECT count(*) FROM job_runs WHERE due_day = '$DAY2' AND state = 'succeeded'")
[ "$runs" = "$starts" ] && [ "$runs" = "$succ" ] && ok "two runners: $runs runs, each started once" ||
    bad "two runners: runs=$runs starts=$starts succeeded=$succ"

due=$("$UNYO" jobs due --date $DAY2 --csv --db "$DB")
echo "$due" | head -1 | grep -q "^run,code,name,host,state" && ok "jobs due --csv header" || bad "csv: $due"

# The output so far is in the store while the command still runs over SSH (it waits
# after its first line until the test lets it go on, or its files are gone), read by
# another connection; the final write keeps all of it.
MARK=$SSHD_SCRATCH/live.mark GO=$SSHD_SCRATCH/live.go
cat >"$T/live.ini" <<EOF
[X-LIVE]
name_ja = 途中経過の表示
name_en = Output while running
period = manual
host = lib-ap01
timeout = 600
command = echo 'live one'; : >'$MARK'; while [ ! -e '$GO' ] && [ -e '$MARK' ]; do sleep 0.1; done; echo 'live two'
EOF
"$UNYO" jobs load --file "$T/live.ini" --db "$DB" >/dev/null || bad "load live.ini"
"$UNYO" jobs run X-LIVE --date $DAY --db "$DB" >"$T/live.out" 2>&1 &
PL=$!
live_q="SELECT r.state || ':' || coalesce(r.output, '') FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'X-LIVE' AND r.due_day = '$DAY'"
# (stderr may carry the server's notices, e.g. "Could not chdir to home directory")
live_seen() {
    live=$(q "$live_q")
    case "$live" in "running:live one"*) return 0 ;; esac
    return 1
}
live=""
wait_for 120 live_seen && ok "over SSH: the output so far is stored while the run runs" ||
    bad "while running: [$live] (command started: $([ -e "$MARK" ] && echo yes || echo no))"
: >"$GO"
wait $PL && ok "the live run succeeded" || bad "live run: $(cat "$T/live.out")"
case "$(q "$live_q")" in
"succeeded:live one"$'\n'"live two"*) ok "the final write keeps the whole output" ;;
*) bad "after the run: [$(q "$live_q")]" ;;
esac

echo "$FAILS failed"
[ $FAILS = 0 ]
