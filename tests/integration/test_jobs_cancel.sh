#!/usr/bin/env bash
# ctest-resource-lock: unyo-job-tmp-files
# Stopping a job's command on its host: a run cancelled by another process (`unyo jobs
# cancel` while `unyo jobs run` runs it over a real sshd) ends the command and what it
# started in the background, the run stays cancelled with a note that the command was
# stopped and keeps the output it had; a timeout stops the remote command the same way;
# `jobs run --local` (the test executor) stops its process group too.
set -u
UNYO=${1:?usage: test_jobs_cancel.sh PATH/TO/unyo}
LIB=${UNYO_TESTLIB:-$(dirname "$0")/../lib}
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "SKIP: needs root and OpenSSH sshd"
    exit 77
fi
source "$LIB/sshd.sh"
cleanup() {
    pkill -u unyocan 2>/dev/null # anything a failed run left behind
    [ -n "${LOCAL_MARK:-}" ] && pkill -x -f "$LOCAL_MARK" 2>/dev/null # only if a check failed
    sshd_cleanup
}
trap cleanup EXIT
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
DAY=2026-11-24
q() { sqlite3 "$DB" "$1"; }
run_q() { q "SELECT r.$2 FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '$DAY'"; }
note_q() { q "SELECT group_concat(e.note, ' | ') FROM job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND e.kind = '$2'"; }
# Waits up to $2 tenths of a second for command $1 to succeed (generous: a
# loaded machine is slow; only a condition that never comes costs the time).
wait_until() { wait_for $((($2 + 9) / 10)) eval "$1"; }

sshd_start a
# A user of this test only: what runs as it on the "host" (this machine) is the job's.
sshd_add_user unyocan "$(head -c 12 /dev/urandom | base64)"
export SSHD_USER=unyocan
sshd_alias lib-ap01 a
"$UNYO" init --db "$DB" >/dev/null || bad "init"
"$UNYO" operator add tester --role operator --db "$DB" >/dev/null || bad "operator add"
"$UNYO" host import-ssh-config --db "$DB" >/dev/null || bad "import-ssh-config"

# Sleeps of distinctive lengths, so pgrep finds exactly these commands. One runs in the
# background of the job's shell: stopping must reach it too.
LOCAL_MARK="sleep 3147"
cat >"$T/jobs.ini" <<EOF
[X-CANCEL]
name_ja = 取り消すジョブ
name_en = Job to cancel
period = manual
host = lib-ap01
timeout = 120
command = echo 'before the cancel'; sleep 3142 & sleep 3141; echo 'never printed'
[X-TIMEOUT]
name_ja = 時間切れのジョブ
name_en = Job that times out
period = manual
host = lib-ap01
timeout = 20
command = echo 'before the timeout'; sleep 3143
[X-WIN]
name_ja = Windows ホストで取り消す
name_en = Job to cancel on a Windows host
period = manual
host = lib-ap01
timeout = 120
command = echo 'win before'; sleep 3144
[X-LOCAL]
name_ja = ローカルで取り消す
name_en = Local job to cancel
period = manual
host = lib-ap01
timeout = 120
retries = 2
command = echo 'local before'; $LOCAL_MARK
EOF
"$UNYO" jobs load --file "$T/jobs.ini" --db "$DB" >/dev/null || bad "jobs load"

# -- cancelled from another process while it runs over SSH
"$UNYO" jobs run X-CANCEL --date $DAY --db "$DB" >"$T/run.out" 2>&1 &
PR=$!
wait_until '[ "$(run_q X-CANCEL state):$(run_q X-CANCEL output)" = "running:before the cancel" ] && pgrep -u unyocan -f "sleep 3141" >/dev/null' 1200 &&
    ok "the command runs on the host, its first output stored" ||
    bad "not running: [$(run_q X-CANCEL state):$(run_q X-CANCEL output)] $(cat "$T/run.out")"
pgrep -u unyocan -f "sleep 3142" >/dev/null && ok "its background child runs too" || bad "no background child"
out=$("$UNYO" jobs cancel X-CANCEL@$DAY --db "$DB" 2>&1) && ok "jobs cancel: $out" || bad "jobs cancel: $out"
# It says what happened, not the action's name: cancelled, and the runner stops the command.
[[ $out == *"Run X-CANCEL@$DAY: cancelled while running: its runner stops the command on the host."* ]] &&
    ok "jobs cancel says the runner stops the command" || bad "jobs cancel said: $out"
# The runner notices and stops the command (SIGTERM; it ends at once). (How fast
# is for make bench; here only that it happens, long before the 120 s timeout.)
wait_until '! kill -0 $PR 2>/dev/null' 900 && ok "the runner finishes after the cancel" ||
    { bad "the runner still runs 90 s after the cancel" && kill $PR; }
wait $PR 2>/dev/null
wait_until '! pgrep -u unyocan -f "sleep 314[12]" >/dev/null' 300 &&
    ok "the command and its background child are gone from the host" ||
    bad "still on the host: $(pgrep -a -u unyocan -f 'sleep 314')"
[ "$(run_q X-CANCEL state)" = cancelled ] && ok "the run stays cancelled" || bad "state $(run_q X-CANCEL state)"
note=$(note_q X-CANCEL stopped)
case "$note" in "the command on the host was stopped: process group "[0-9]*" ended on SIGTERM")
    ok "stopped event: $note" ;;
*) bad "stopped note: [$note] events: $(q 'SELECT kind, note FROM job_run_events')" ;;
esac
case "$(note_q X-CANCEL cancelled)" in *"its runner stops the command"*) ok "the cancel says the runner stops it" ;;
*) bad "cancel note: $(note_q X-CANCEL cancelled)" ;;
esac
case "$(run_q X-CANCEL output)" in "before the cancel"*) ok "the output before the cancel is kept" ;;
*) bad "output: [$(run_q X-CANCEL output)]" ;;
esac
case "$(run_q X-CANCEL output)" in *"@@unyo"* | *"never printed"*) bad "output: [$(run_q X-CANCEL output)]" ;;
*) ok "no process-group marker in the output" ;;
esac
"$UNYO" jobs show X-CANCEL@$DAY --db "$DB" | grep -q "was stopped: process group" &&
    ok "jobs show lists the stop" || bad "jobs show: $("$UNYO" jobs show X-CANCEL@$DAY --db "$DB")"

# -- a timeout stops the remote command the same way, the output so far kept
"$UNYO" jobs run X-TIMEOUT --date $DAY --db "$DB" >"$T/to.out" 2>&1 && bad "timed-out job exits 0" ||
    ok "timed-out job: runner exits non-zero"
wait_until '! pgrep -u unyocan -f "sleep 3143" >/dev/null' 300 && ok "the timed-out command is gone from the host" ||
    bad "timed-out command still runs: $(pgrep -a -u unyocan -f 'sleep 3143')"
[ "$(run_q X-TIMEOUT state)" = failed ] && ok "the timed-out run failed" || bad "state $(run_q X-TIMEOUT state)"
case "$(note_q X-TIMEOUT failed)" in "timed out after 20 s; the command on the host was stopped: "*) ok "timeout note: $(note_q X-TIMEOUT failed)" ;;
*) bad "timeout note: [$(note_q X-TIMEOUT failed)]" ;;
esac
case "$(run_q X-TIMEOUT output)" in "before the timeout"*) ok "the output before the timeout is kept" ;;
*) bad "timeout output: [$(run_q X-TIMEOUT output)]" ;;
esac

# -- the local test executor stops its process group as well
"$UNYO" jobs run X-LOCAL --local --date $DAY --db "$DB" >"$T/local.out" 2>&1 &
PL=$!
wait_until '[ "$(run_q X-LOCAL state)" = running ] && pgrep -f "$LOCAL_MARK" >/dev/null' 1200 &&
    ok "the local command runs" || bad "local not running: $(cat "$T/local.out")"
"$UNYO" jobs cancel X-LOCAL@$DAY --db "$DB" >/dev/null 2>&1 || bad "cancel the local run"
wait_until '! kill -0 $PL 2>/dev/null && ! pgrep -f "$LOCAL_MARK" >/dev/null' 900 &&
    ok "local: the runner ends and its command is gone" ||
    { bad "local command still runs" && kill $PL; }
wait $PL 2>/dev/null
case "$(note_q X-LOCAL stopped)" in *"was stopped: process group "*" ended on SIGTERM") ok "local stop recorded" ;;
*) bad "local stop note: [$(note_q X-LOCAL stopped)]" ;;
esac
# A cancelled run is not retried, nor reported as such (it has retries = 2).
grep -Eq "[1-9][0-9]* retried| retry " "$T/local.out" && bad "the runner reports a retry: $(cat "$T/local.out")" ||
    ok "the runner reports the cancelled run as stopped, not retried"
[ "$(run_q X-LOCAL state)" = cancelled ] && ok "the local run stays cancelled" || bad "local state $(run_q X-LOCAL state)"

# -- a host the inventory says runs Windows: the command goes unwrapped (no sh line in
# front for cmd.exe to choke on), and a cancel can only close the connection -- said so.
# (The test sshd runs sh; what is checked is what unyo sends and records.)
"$UNYO" host edit lib-ap01 --os "Windows Server 2019" --db "$DB" >/dev/null || bad "host edit --os"
"$UNYO" jobs run X-WIN --date $DAY --db "$DB" >"$T/win.out" 2>&1 &
PW=$!
wait_until '[ "$(run_q X-WIN state):$(run_q X-WIN output)" = "running:win before" ]' 1200 &&
    ok "Windows host: the command runs as written" || bad "Windows host: [$(run_q X-WIN state):$(run_q X-WIN output)] $(cat "$T/win.out")"
"$UNYO" jobs cancel X-WIN@$DAY --db "$DB" >/dev/null 2>&1 || bad "cancel the Windows run"
wait_until '! kill -0 $PW 2>/dev/null' 900 && ok "Windows host: the runner ends after the cancel" ||
    { bad "Windows host: the runner still runs" && kill $PW; }
wait $PW 2>/dev/null
case "$(note_q X-WIN stopped)" in *"a Windows host: the connection is closed, but the command may still be running there") ok "Windows host: the note says the command may still run" ;;
*) bad "Windows stop note: [$(note_q X-WIN stopped)]" ;;
esac
pkill -u unyocan -f "sleep 3144" 2>/dev/null

echo "$FAILS failed"
[ $FAILS = 0 ]
