#!/usr/bin/env bash
# Start conditions over real SSH (src/job_conditions.c): the file check runs on the job's
# host through the test sshd, with a path holding a space and a quote (quoted for the
# remote shell, only * and ? left to it); the file found, whose name holds an escape
# sequence, is recorded escaped with its size; a judgement on J1's exit status
# (exit >= 3) and one on a file missing on the host.
set -u
UNYO=${1:?usage: test_jobs_conditions_ssh.sh PATH/TO/unyo}
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
st() { q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1'"; }
U() { "$UNYO" --db "$DB" --lang en "$@"; }

sshd_start a
sshd_alias lib-ap01 a
"$UNYO" init --db "$DB" --template all >/dev/null || bad "init"
"$UNYO" operator add tester --role operator --db "$DB" >/dev/null || bad "operator add"
"$UNYO" host import-ssh-config --db "$DB" >/dev/null || bad "import-ssh-config"

IN="$T/in box/it's"
mkdir -p "$IN"
chmod 755 "$T/in box" "$IN"
cat >"$T/cond.ini" <<EOF
[W1]
name_ja = 受信待ち
name_en = Wait over SSH
period = manual
host = lib-ap01
command = echo ran-over-ssh
wait_file = $IN/*.csv

[J1]
name_ja = 前処理
name_en = Before
period = manual
host = lib-ap01
command = exit 3

[J2]
name_ja = 警告時の処理
name_en = On a warning
period = manual
host = lib-ap01
command = echo j2-ran
when = J1 exit >= 3

[F1]
name_ja = 旗なしで実行
name_en = Without the flag
period = manual
host = lib-ap01
command = echo f1-ran
when = file $IN/flag missing
EOF
out=$(U jobs load --file "$T/cond.ini" 2>&1) && ok "jobs load" || bad "jobs load: $out"
D=2026-11-24

out=$(U jobs run W1 --date $D 2>&1)
[ "$(st W1)" = file_wait ] && ok "no file on the host: waiting for file" || bad "W1: $(st W1): $out"
name=$(printf 'a\033]0;x\007.csv')
printf 'twelve bytes' >"$IN/$name"
chmod 644 "$IN/$name"
out=$(U jobs run W1 --date $D 2>&1)
[ "$(st W1)" = succeeded ] && ok "the file there: W1 ran over SSH" || bad "W1: $(st W1): $out"
show=$(U jobs show W1@$D)
case "$show" in *'a\x1b]0;x\x07.csv (12 bytes'*) ok "the file found, escaped, with its size" ;;
*) bad "show: $show" ;; esac
case "$show" in *$'\033'* | *$'\007'*) bad "a raw control character in jobs show" ;;
*) ok "no raw control character reached the terminal" ;; esac
case "$show" in *ran-over-ssh*) ok "its command's output" ;; *) bad "output: $show" ;; esac

U jobs run J1 --date $D >/dev/null 2>&1
[ "$(st J1)" = failed ] && ok "J1 exit 3: failed" || bad "J1: $(st J1)"
out=$(U jobs run J2 --date $D 2>&1)
[ "$(st J2)" = succeeded ] && ok "J2 (J1 exit >= 3) judged to run and ran" || bad "J2: $(st J2): $out"
out=$(U jobs run F1 --date $D 2>&1)
[ "$(st F1)" = succeeded ] && ok "F1 (file missing on the host) ran" || bad "F1: $(st F1): $out"
: >"$IN/flag"
chmod 644 "$IN/flag"
U jobs rerun F1@$D >/dev/null 2>&1 || bad "rerun F1"
out=$(U jobs run F1 --date $D 2>&1)
[ "$(st F1)" = judged_out ] && ok "rerun with the flag there: skipped by judgement" || bad "F1 rerun: $(st F1): $out"

[ $FAILS = 0 ] || exit 1
echo "all passed"
