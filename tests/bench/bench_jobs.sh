#!/usr/bin/env bash
# Job queue benchmarks.
#  1. Scheduling: 10,000 daily jobs. `unyo jobs load` of one INI file with 10,000 sections,
#     then `unyo jobs due` for a day: the first call computes the due jobs and creates
#     10,000 runs, the second only lists them. Target: instant (well under a second).
#  2. The runner's own cost per job with the local executor against `sh -c true`.
#  3. Runner overhead per job, paired in the same invocation with plain OpenSSH: N jobs
#     running `true` on a loopback sshd through `unyo jobs run --due` (one SSH connection
#     per run, claim + result + events in the store) against N times `ssh HOST true`.
#     Target: <= 20 ms per job over the command's own time. Needs root and sshd; reported
#     as not measured otherwise.
#   tests/bench/bench_jobs.sh [PATH/TO/unyo] [JOBS]
set -u
UNYO=${1:-${UNYO:-build/unyo}}
UNYO=$(realpath "$UNYO")
NJOBS=${2:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
export UNYO_USER=bench LANG=C.UTF-8 LC_ALL=C.UTF-8
export UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$HERE/../../data" && pwd)}
unset UNYO_NOW
W=$(mktemp -d /tmp/unyo-bench-jobs-XXXXXX)
trap 'rm -rf "$W"' EXIT
ms_since() { echo $((($(now_ns) - $1) / 1000000)); }

# ---- 1. scheduling ----
DB=$W/sched.db
"$UNYO" init --db "$DB" >/dev/null
"$UNYO" operator add bench --role operator --db "$DB" >/dev/null
"$UNYO" host add h1 --address 127.0.0.1 --db "$DB" >/dev/null
awk -v n="$NJOBS" 'BEGIN {
  for (i = 0; i < n; i++) {
    printf "[B%05d]\nname_ja = ベンチ%d\nname_en = bench %d\nperiod = daily\nhost = h1\n", i, i, i
    printf "command = true\ngroup = g%d\nexpected_start = 06:00\n", i % 50
    if (i % 10) printf "after = B%05d\n", i - 1
  }
}' >"$W/jobs.ini"
t=$(now_ns)
"$UNYO" jobs load --file "$W/jobs.ini" --db "$DB" >/dev/null || echo "!! jobs load failed"
load_ms=$(ms_since "$t")
t=$(now_ns)
"$UNYO" jobs due --date 2026-11-24 --csv --db "$DB" >"$W/due1.csv"
first_ms=$(ms_since "$t")
t=$(now_ns)
"$UNYO" jobs due --date 2026-11-24 --csv --db "$DB" >"$W/due2.csv"
second_ms=$(ms_since "$t")
rows=$(($(wc -l <"$W/due2.csv") - 1))
# The reference in the same invocation: the bare process (open store, list nothing).
t=$(now_ns)
"$UNYO" jobs due --date 2026-11-24 --csv --db "$W/empty.db" >/dev/null 2>&1 || true
empty_ms=$(ms_since "$t")
echo "jobs: load $NJOBS definitions (with deps) ${load_ms} ms"
echo "jobs: due, first call (compute + create $rows runs) ${first_ms} ms"
echo "jobs: due, second call (list $rows runs) ${second_ms} ms"
echo "jobs: reference, unyo start-up with no store ${empty_ms} ms"

# ---- 2. the runner's own cost per job, without SSH ----
# 100 jobs of `true` through `unyo jobs run --local` (claim, run, result, events: three
# transactions per job) against 100 times `sh -c true`, paired, medians of 3.
DB3=$W/local.db
"$UNYO" init --db "$DB3" >/dev/null
"$UNYO" operator add bench --role operator --db "$DB3" >/dev/null
"$UNYO" host add h1 --address 127.0.0.1 --db "$DB3" >/dev/null
awk 'BEGIN { for (i = 0; i < 100; i++)
  printf "[L%03d]\nname_ja = l\nname_en = l\nperiod = daily\nhost = h1\ncommand = true\n", i }' \
    >"$W/local.ini"
"$UNYO" jobs load --file "$W/local.ini" --db "$DB3" >/dev/null
: >"$W/lu.ms"
: >"$W/ls.ms"
for rep in 1 2 3; do
    t=$(now_ns)
    "$UNYO" jobs run --due --local --date "2026-12-0$rep" --db "$DB3" >/dev/null 2>&1 ||
        echo "!! jobs run --local failed"
    ms_since "$t" >>"$W/lu.ms"
    t=$(now_ns)
    for i in $(seq 1 100); do sh -c true; done
    ms_since "$t" >>"$W/ls.ms"
done
lu=$(median <"$W/lu.ms")
ls_=$(median <"$W/ls.ms")
awk -v u="$lu" -v s="$ls_" 'BEGIN {
  printf "jobs: 100 local runs of true: unyo jobs run --local %d ms, sh -c true x100 %d ms: %.1f ms per job of runner overhead (target <= 20 ms)\n", u, s, (u - s) / 100 }'

# ---- 3. runner overhead against plain ssh ----
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
    echo "jobs: runner overhead per job: not measured (needs root and sshd)"
    exit 0
fi
source "$HERE/../lib/sshd.sh"
trap 'sshd_cleanup; rm -rf "$W"' EXIT
sshd_env_init
sshd_start a
sshd_add_user unyobench "$(head -c 12 /dev/urandom | base64)"
export SSHD_USER=unyobench
sshd_alias b1 a
N=20
DB2=$W/run.db
"$UNYO" init --db "$DB2" >/dev/null
"$UNYO" operator add bench --role operator --db "$DB2" >/dev/null
"$UNYO" host import-ssh-config --db "$DB2" >/dev/null
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
  printf "[R%02d]\nname_ja = r\nname_en = r\nperiod = daily\nhost = b1\ncommand = true\n", i }' \
    >"$W/run.ini"
"$UNYO" jobs load --file "$W/run.ini" --db "$DB2" >/dev/null
: >"$W/unyo.ms"
: >"$W/ssh.ms"
for rep in 1 2 3 4 5; do
    day=$(date -d "2026-12-0$rep" +%F)
    t=$(now_ns)
    "$UNYO" jobs run --due --date "$day" --db "$DB2" >"$W/run.out" 2>&1 ||
        { echo "!! jobs run failed: $(tail -3 "$W/run.out")"; exit 1; }
    ms_since "$t" >>"$W/unyo.ms"
    t=$(now_ns)
    for i in $(seq 1 $N); do
        ssh -F "$HOME/.ssh/config" -o UserKnownHostsFile="$HOME/.ssh/known_hosts" \
            -i "$HOME/.ssh/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=yes b1 true \
            2>"$W/ssh.err" || { echo "!! plain ssh failed: $(cat "$W/ssh.err")"; exit 1; }
    done
    ms_since "$t" >>"$W/ssh.ms"
done
u=$(median <"$W/unyo.ms")
s=$(median <"$W/ssh.ms")
echo "jobs: $N runs of 'true' over SSH: unyo jobs run ${u} ms, plain ssh x$N ${s} ms (medians of 5)"
awk -v u="$u" -v s="$s" -v n="$N" 'BEGIN {
  d = (u - s) / n
  printf "jobs: runner overhead per job %.1f ms over plain ssh (target <= 20 ms): %s\n", d,
    (d <= 20 ? "ok" : "OVER") }'
