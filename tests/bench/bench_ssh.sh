#!/usr/bin/env bash
# Fan-out benchmark: the check suite on 50 host aliases of one loopback sshd,
# `unyo check run` (one process, non-blocking SSH in one poll loop) against
# `parallel-ssh` (one OpenSSH client process per host) running the same
# commands. Prints both medians, and the ratio; then what one connection costs
# each (one host at a time), and unyo alone on BENCH_SSH_BIG aliases (default
# 1,000) x 8 checks (target: under 60 s). Needs root (sshd) and parallel-ssh.
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
# UNYO_USER acts as "bench": the store must be a test store (tests/lib/common.sh).
export UNYO_USER=bench UNYO_TEST_STORE=1 UNYO_DATADIR=${UNYO_DATADIR:-$(cd "$HERE/../../data" && pwd)}
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

# A run that failed (not 0, all OK; not 3, some NG) measured nothing.
fails() {
    case $1 in 0 | 3) ;; *)
        echo "bench_ssh: unyo check run failed (exit $1):" >&2
        head -n 20 "$T/unyo.out" "$T/big.out" 2>/dev/null >&2
        exit 1
        ;;
    esac
}
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo "bench_ssh: $N hosts (aliases of one sshd on 127.0.0.1), 3 checks each; $(nproc) CPUs"
declare -A tu tp
for c in 10 50; do
    for rep in 1 2 3; do
        read -r t rc < <(run_unyo "$c")
        echo "  unyo check run --concurrency $c: ${t} ms (exit $rc)"
        fails "$rc"
        tu[$c]+="$t "
    done
done
okrows=$(sqlite3 "$DB" "SELECT count(*) FROM checklist_events WHERE status='ok'")
echo "  unyo: $okrows OK results recorded over all runs (expect $((N * 3 * 6)))"
for p in 10 50; do
    for rep in 1 2 3; do
        read -r t good < <(run_pssh "$p")
        echo "  parallel-ssh -p $p: ${t} ms ($good/$N hosts succeeded)"
        tp[$p]+="$t "
    done
done
best_u=999999 best_p=999999
for c in 10 50; do
    mu=$(printf '%s\n' ${tu[$c]} | median)
    mp=$(printf '%s\n' ${tp[$c]} | median)
    echo "  at $c at once: unyo median ${mu} ms, parallel-ssh median ${mp} ms"
    awk -v a="$mu" -v b="$best_u" 'BEGIN{exit !(a < b)}' && best_u=$mu
    awk -v a="$mp" -v b="$best_p" 'BEGIN{exit !(a < b)}' && best_p=$mp
done
ratio=$(python3 -c "print(f'{$best_p/$best_u:.2f}')")
echo "bench_ssh: unyo ${best_u} ms, parallel-ssh ${best_p} ms (each its better median), ratio ${ratio}x (target >= 3x)"

# Kept connections (issue 15): `unyo check watch` keeps each host's connection
# between rounds. The first round connects as check run does; the later ones run
# the same three checks on the kept connections. Compared with the same
# parallel-ssh median (which connects every time: it has no way to keep them).
sed 's/^\(template = .*\)$/\1\ninterval = 1s/' "$T/checks.ini" >"$T/checks-kept.ini"
"$UNYO" check watch --checks "$T/checks-kept.ini" --every 2s --rounds 6 --concurrency 10 \
    --timeout 60 --db "$DB" >"$T/watch.out" 2>&1 || {
    echo "bench_ssh: unyo check watch failed:" >&2
    head -n 20 "$T/watch.out" >&2
    exit 1
}
rounds=$(grep -o 'in [0-9.]* s' "$T/watch.out" | awk '{print int($2 * 1000)}')
first=$(echo "$rounds" | head -n 1)
kept=$(echo "$rounds" | tail -n +2 | median)
echo "  unyo check watch, $N hosts x 3 checks: first round ${first} ms (connecting), later rounds median ${kept} ms on kept connections ($(echo "$rounds" | tail -n +2 | tr '\n' ' ')ms)"
ratio_kept=$(python3 -c "print(f'{$best_p/max($kept,1):.1f}')")
echo "bench_ssh: kept connections: unyo ${kept} ms a round, parallel-ssh ${best_p} ms, ratio ${ratio_kept}x (target >= 3x)"

# Where the time goes: one host at a time, so each figure is one connection's
# cost. OpenSSH: a process, key exchange, authentication, a session, the
# commands. unyo: the same work in one process, plus recording the results.
head -n 10 "$T/hosts" >"$T/hosts10"
one_ssh=() one_unyo=()
for rep in 1 2 3; do
    s=$(now)
    while read -r h; do
        ssh -F "$HOME/.ssh/config" -o UserKnownHostsFile="$HOME/.ssh/known_hosts" -i "$HOME/.ssh/id_ed25519" \
            -o BatchMode=yes "$h" "$CMD" >/dev/null 2>&1 </dev/null
    done <"$T/hosts10"
    e=$(now)
    one_ssh+=($((($(ms "$s" "$e")) / 10)))
    s=$(now)
    "$UNYO" check run --checks "$T/checks.ini" --host 'h?' --concurrency 1 --timeout 60 --db "$DB" >"$T/unyo.out" 2>&1
    rc=$?
    e=$(now)
    fails "$rc"
    n9=$(grep -c '^h[0-9]$' "$T/hosts")
    one_unyo+=($((($(ms "$s" "$e")) / n9)))
done
echo "bench_ssh: one connection at a time: ssh (process + connection + commands) median $(printf '%s\n' "${one_ssh[@]}" | median) ms; unyo check run median $(printf '%s\n' "${one_unyo[@]}" | median) ms a host"

# Scale: BENCH_SSH_BIG aliases x 8 checks, unyo alone.
BIG=${BENCH_SSH_BIG:-1000}
if [ "$BIG" -gt 0 ]; then
    for i in $(seq $((N + 1)) "$BIG"); do
        sshd_alias "h$i" a
    done
    "$UNYO" host import-ssh-config --db "$DB" >/dev/null
    cat >"$T/checks8.ini" <<'INI'
[alive]
template = L025
command = echo alive; cat /proc/uptime
pattern = ^alive\n(?<up>[0-9.]+)
condition = up > 0
value = up

[load]
template = L025
command = cat /proc/loadavg
pattern = ^(?<load1>[0-9.]+)
condition = load1 < 100
value = load1
metric = cpu_load

[memory]
template = L025
command = awk '/^MemTotal:/{t=$2} /^MemAvailable:/{a=$2} END{if (t) printf "mem_used_pct=%d\n", (t-a)*100/t}' /proc/meminfo
pattern = mem_used_pct=(?<use>\d+)
condition = use <= 100
value = use
metric = mem_used_pct

[disk]
template = L025
command = df -P /
pattern = (?<use>\d+)%\s+/$
condition = use <= 100
value = use
metric = disk_used_pct

[procs]
template = L025
command = ls /proc | grep -c '^[0-9]'
pattern = ^(?<n>\d+)
condition = n > 0
value = n

[users]
template = L025
command = who | wc -l
pattern = ^(?<n>\d+)
condition = n >= 0
value = n

[clock]
template = L025
command = date +%s
pattern = ^(?<t>\d+)
condition = t > 0
value = t

[kernel]
template = L025
command = uname -r
pattern = ^(?<v>\d+)
condition = v > 0
value = v
INI
    big=()
    for rep in 1 2 3; do
        s=$(now)
        "$UNYO" check run --checks "$T/checks8.ini" --concurrency 100 --timeout 120 --quiet --db "$DB" >"$T/big.out" 2>&1
        rc=$?
        e=$(now)
        echo "  unyo check run, $BIG hosts x 8 checks, --concurrency 100: $(ms "$s" "$e") ms (exit $rc)"
        fails "$rc"
        big+=($(ms "$s" "$e"))
    done
    echo "bench_ssh: $BIG hosts x 8 checks: median $(printf '%s\n' "${big[@]}" | median) ms (target < 60000 ms)"
fi
