#!/usr/bin/env bash
# Fan-out benchmark: the check suite on 50 host aliases of one loopback sshd,
# `unyo check run` (one process, non-blocking SSH in one poll loop) against
# `parallel-ssh` (one OpenSSH client process per host) running the same
# commands. Prints both, and the ratio. Needs root (sshd) and parallel-ssh.
#   tests/bench/bench_ssh.sh [PATH/TO/unyo] [HOSTS]
set -u
UNYO=${1:-build/unyo}
N=${2:-50}
UNYO=$(realpath "$UNYO")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lib/sshd.sh"
if [ "$(id -u)" != 0 ] || ! command -v parallel-ssh >/dev/null; then
    echo "bench_ssh: SKIP (needs root, sshd and parallel-ssh)"
    exit 0
fi
trap sshd_cleanup EXIT
sshd_env_init
export UNYO_USER=bench UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$HERE/../../data" && pwd)}
sshd_start a
# A throwaway login with a plain /bin/sh: root's shell start-up files on a
# developer machine (pyenv, cargo ...) cost ~250 ms per command and would
# measure bash, not SSH.
sshd_add_user unyobench "$(head -c 12 /dev/urandom | base64)"
export SSHD_USER=unyobench
: >"$T/hosts"
for i in $(seq 1 "$N"); do
    sshd_alias "h$i" a
    echo "h$i" >>"$T/hosts"
done
DB=$T/unyo.db
"$UNYO" init --db "$DB" >/dev/null
"$UNYO" operator add bench --role operator --db "$DB" >/dev/null
"$UNYO" host import-ssh-config --db "$DB" >/dev/null

# The suite: the commands of the tech-notes reference run (uptime; df -P /; free -m).
cat >"$T/checks.ini" <<'INI'
[alive]
template = L025
command = uptime
pattern = load average: (?<load1>[0-9.]+)
condition = load1 < 100
value = load1
metric = cpu_load

[disk]
template = L025
command = df -P /
pattern = (?<use>\d+)%\s+/$
condition = use < 100
value = use
metric = disk_used_pct

[memory]
template = L025
command = free -m
pattern = ^Mem:\s+(?<total>\d+)\s+(?<used>\d+)
condition = used >= 0
value = used
INI
CMD='uptime; df -P /; free -m'
# OpenSSH reads ~/.ssh from the passwd entry, not $HOME: name the files.

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
run_unyo() { # concurrency
    local s e
    s=$(now)
    "$UNYO" check run --checks "$T/checks.ini" --concurrency "$1" --timeout 60 --quiet --db "$DB" >"$T/unyo.out" 2>&1
    local rc=$?
    e=$(now)
    local okc
    okc=$(sqlite3 "$DB" "SELECT count(*) FROM checklist_events WHERE status='ok'")
    echo "$(ms "$s" "$e") $rc"
}
run_pssh() { # parallelism
    local s e
    rm -rf "$T/pssh-out"
    s=$(now)
    parallel-ssh -h "$T/hosts" -p "$1" -t 60 -o "$T/pssh-out" \
        -x "-F $HOME/.ssh/config -o UserKnownHostsFile=$HOME/.ssh/known_hosts -i $HOME/.ssh/id_ed25519 -o BatchMode=yes -o StrictHostKeyChecking=yes" \
        "$CMD" >"$T/pssh.log" 2>&1
    e=$(now)
    local good
    good=$(grep -c '\[SUCCESS\]' "$T/pssh.log")
    echo "$(ms "$s" "$e") $good"
}

echo "bench_ssh: $N hosts (aliases of one sshd on 127.0.0.1), 3 checks each; $(nproc) CPUs"
best_u=999999
best_p=999999
for c in 10 50; do
    for rep in 1 2 3; do
        read -r t rc < <(run_unyo "$c")
        echo "  unyo check run --concurrency $c: ${t} ms (exit $rc)"
        [ "$t" -lt "$best_u" ] && best_u=$t
    done
done
okrows=$(sqlite3 "$DB" "SELECT count(*) FROM checklist_events WHERE status='ok'")
echo "  unyo: $okrows OK results recorded over all runs (expect $((N * 3 * 6)))"
for p in 10 50; do
    for rep in 1 2 3; do
        read -r t good < <(run_pssh "$p")
        echo "  parallel-ssh -p $p: ${t} ms ($good/$N hosts succeeded)"
        [ "$t" -lt "$best_p" ] && best_p=$t
    done
done
ratio=$(python3 -c "print(f'{$best_p/$best_u:.2f}')")
echo "bench_ssh: best unyo ${best_u} ms, best parallel-ssh ${best_p} ms, ratio ${ratio}x (target >= 3x)"
