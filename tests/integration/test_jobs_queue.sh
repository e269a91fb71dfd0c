#!/usr/bin/env bash
# The job queue (issue #16, Rundeck's rundeck/rundeck#1047): a run due while its
# concurrency group or its host is busy waits as "queued" with the reason, and is never
# skipped. Three runs of one group due at once run one after another in due order, each
# recorded queued, then running, then succeeded; the next queued run starts in the runner
# whose run freed the slot; `[jobs] host_limit.HOST = 1` holds across groups and across
# two runner processes. Local commands (jobs run --local) that wait for a gate file this
# test creates: every step waits on a condition, never on time.
. "$UNYO_TESTLIB/common.sh"
export UNYO_DATADIR=${UNYO_DATADIR:?}
export UNYO_USER=yamada
DB=$T/unyo.db
D=2026-11-24
U() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }
state() { q "SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '$D'"; }
# until SECONDS WHAT CONDITION...: polls the condition (a state in the store, a file).
until_ok() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    while ! "$@"; do
        ((SECONDS < deadline)) || fail "waited ${deadline}s for: $what"
        sleep 0.05
    done
}
is() { [ "$(state "$1")" = "$2" ]; }
kinds() { q "SELECT group_concat(kind, ' ') FROM (SELECT e.kind FROM job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = '$1' AND r.due_day = '$D' ORDER BY e.hlc)"; }

UNYO_USER=yamada "$UNYO" demo --db "$DB" >/dev/null 2>&1 || fail "demo store"
mkdir -p "$XDG_CONFIG_HOME/unyo"
printf '[jobs]\nhost_limit.lib-bk01 = 1\n' >"$XDG_CONFIG_HOME/unyo/config.ini"

G=$T/gates
mkdir -p "$G"
job() { # CODE HOST GROUP START
    printf '[%s]\nname_ja = 順番%s\nname_en = Queue %s\nperiod = daily\nhost = %s\ngroup = %s\n' \
        "$1" "$1" "$1" "$2" "$3"
    # the gate, or the test's directory gone (a failed test leaves nothing running)
    printf 'expected_start = %s\ncommand = while [ ! -e %s/%s ] && [ -d %s ]; do sleep 0.05; done; echo %s done\n' \
        "$4" "$G" "$1" "$G" "$1"
}
{
    job Q1 lib-file01 qg 05:01
    job Q2 lib-file01 qg 05:02
    job Q3 lib-file01 qg 05:03
    job H1 lib-bk01 ha 05:10
    job H2 lib-bk01 hb 05:11
} >"$T/queue.ini"
U jobs load --file "$T/queue.ini" >/dev/null || fail "jobs load"
# The demo's own jobs due that day are held: only these five run.
U jobs due --date $D >/dev/null
for r in $(U jobs due --date $D --csv | awk -F, 'NR > 1 && $2 !~ /^[QH][0-9]$/ {print $1}'); do
    U jobs hold "$r" >/dev/null || fail "hold $r"
done

# Runner 1 starts Q1; Q2 and Q3 wait for the group at once.
U jobs run --due --local --date $D >"$T/p1.out" 2>&1 &
P1=$!
cleanup_hooks+=("kill $P1 2>/dev/null")
until_ok 60 "Q1 running" is Q1 running
until_ok 60 "Q2 queued" is Q2 queued
until_ok 60 "Q3 queued" is Q3 queued
csv=$(U jobs due --date $D --csv)
assert_contains "$csv" "Q2@$D,Q2,Queue Q2,lib-file01,queued" "Q2 is queued, not skipped"
assert_contains "$csv" "concurrency group qg is busy: Q1@$D is running" "the reason names the group and the run"
assert_contains "$(U jobs due --date $D --csv | grep "^Q3@")" "late_start" "a queued run past its start is late"
show=$(U jobs show Q2@$D)
assert_contains "$show" "Queued since:" "jobs show: since when it waits"
assert_contains "$show" "Waiting for: concurrency group qg is busy" "jobs show: for what"
ja=$(U --lang ja jobs due --date $D)
assert_contains "$ja" "待機中" "Japanese: 待機中"
assert_contains "$ja" "同時実行グループ qg" "Japanese: the reason"

# Runner 2 takes H1 (its own group, a free host); H2 of another group waits for the host.
U jobs run --due --local --date $D >"$T/p2.out" 2>&1 &
P2=$!
cleanup_hooks+=("kill $P2 2>/dev/null")
until_ok 60 "H1 running" is H1 running
until_ok 60 "H2 queued" is H2 queued
assert_contains "$(U jobs due --date $D --csv)" "host lib-bk01 is busy: 1 of 1 running (H1@$D)" \
    "the host limit holds across groups, with the reason"
# A third runner (the next timer round) starts nothing and skips nothing.
out=$(U jobs run --due --local --date $D) || fail "a runner with nothing free: exit $?"
assert_contains "$out" "0 started" "nothing starts while every slot is busy"
assert_contains "$out" "waited in the queue" "it says the runs wait"
for c in Q2 Q3 H2; do is $c queued || fail "$c left the queue: $(state $c)"; done
ok "the queued runs stay queued"

# Q1 ends: runner 1 starts Q2 at once (first in the queue), then Q3.
touch "$G/Q1"
until_ok 60 "Q2 running" is Q2 running
is Q3 queued || fail "Q3 started before Q2 ended: $(state Q3)"
touch "$G/Q2"
until_ok 60 "Q3 running" is Q3 running
touch "$G/Q3" "$G/H2"
until_ok 60 "Q3 succeeded" is Q3 succeeded
# H2 still waits for H1 (runner 2): runner 1 leaves it queued.
wait $P1 || fail "runner 1 failed: $(cat "$T/p1.out")"
is H2 queued || fail "H2 started while H1 ran on the same host: $(state H2)"
touch "$G/H1"
until_ok 60 "H2 succeeded" is H2 succeeded
wait $P2 || fail "runner 2 failed: $(cat "$T/p2.out")"
grep -q "^H2 .*succeeded" "$T/p2.out" || fail "H2 was not run by runner 2 (the one whose run freed the host): $(cat "$T/p2.out")"
ok "the runner whose run freed the slot ran the queued one"

# Three runners tried them: the same wait is recorded once; Q3 waited for Q1, then for Q2
# (a new reason), keeping its place: the time it began to wait stays.
for c in Q2 H2; do
    [ "$(kinds $c)" = "waiting queued running succeeded" ] || fail "$c events: $(kinds $c)"
done
[ "$(kinds Q3)" = "waiting queued queued running succeeded" ] || fail "Q3 events: $(kinds Q3)"
ok "Q2, Q3, H2: queued, then running, then succeeded"
[ "$(q "SELECT count(DISTINCT json_extract(e.data, '$.since')) || ' ' || group_concat(json_extract(e.data, '$.by'), ' ') FROM job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = 'Q3' AND e.kind = 'queued'")" = "1 Q1@$D Q2@$D" ] ||
    fail "Q3's wait: $(q "SELECT group_concat(e.data, ' ') FROM job_run_events e JOIN job_runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id WHERE j.code = 'Q3' AND e.kind = 'queued'")"
ok "Q3 waited for Q1, then for Q2, since the same time"
[ "$(kinds Q1)" = "waiting running succeeded" ] || fail "Q1 events: $(kinds Q1)"
order=$(q "SELECT group_concat(code, ' ') FROM (SELECT j.code FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE r.due_day = '$D' AND j.concurrency_group = 'qg' ORDER BY r.started_at)")
[ "$order" = "Q1 Q2 Q3" ] || fail "group qg ran in the order $order"
overlap=$(q "SELECT count(*) FROM job_runs a JOIN jobs ja ON ja.id = a.job_id, job_runs b JOIN jobs jb ON jb.id = b.job_id WHERE a.due_day = '$D' AND b.due_day = '$D' AND a.id < b.id AND ((ja.concurrency_group = 'qg' AND jb.concurrency_group = 'qg') OR (ja.code IN ('H1','H2') AND jb.code IN ('H1','H2'))) AND a.started_at < b.ended_at AND b.started_at < a.ended_at")
[ "$overlap" = 0 ] || fail "$overlap pair(s) ran at once"
ok "in due order, one after another, never two at once in the group or on the host"
[ "$(q "SELECT count(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE r.due_day = '$D' AND j.code IN ('Q1','Q2','Q3','H1','H2') AND r.state = 'succeeded'")" = 5 ] ||
    fail "not every run succeeded"
ok "none skipped"
finish
