#!/usr/bin/env bash
# Issue 15, flapping and recovery: `unyo check run` on a host whose check runs on this
# machine (transport local) and reads a file the test flips. An NG then an OK: the
# open incident gets a note with the time (JST) and the value, and stays open. OK and
# NG alternating: flapping is said (run, problems, in Japanese too), one incident
# stands for it, and while it flaps an NG opens no new draft even when the draft was
# thrown away. Each run is its own process (UNYO_NOW restarts the clock): results are
# ordered by hlc.
. "$UNYO_TESTLIB/common.sh"
export UNYO_NOW=2026-11-24T10:00:00+09:00 UNYO_USER=mgr
DB=$T/unyo.db
u() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }

u init >/dev/null
u operator add mgr --role manager --name "Manager M" >/dev/null
u host add srv1 >/dev/null
u host edit srv1 --transport local >/dev/null
cat >"$T/checks.ini" <<INI
[disk]
template = L025
command = cat $T/value
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %
severity = warning
INI
run() { echo "use=$1" >"$T/value"; u check run --checks "$T/checks.ini" 2>&1 || true; }

# Recovery: NG opens a draft, submitted; OK notes the recovery on it, nothing closed.
out=$(run 91)
assert_contains "$out" "→ draft INC-" "the first NG opens a draft"
ref=$(q "SELECT ref FROM incidents")
u incident submit "$ref" >/dev/null
out=$(run 42)
assert_contains "$out" "Recovered: srv1 disk → noted on $ref" "the run says the recovery was noted"
out=$(u incident show "$ref")
assert_contains "$out" "Recovered: the check was OK at 2026-11-24 10:0" "the note has the time in JST"
assert_contains "$out" "JST, value 42 %" "and the value"
[ "$(q "SELECT status FROM incidents WHERE ref = '$ref'")" = received ] &&
    ok "the incident is not closed by the recovery" || fail "the recovery changed the incident's status"
out=$(run 43)
assert_not_contains "$out" "Recovered:" "an OK after OK notes nothing"
[ "$(q "SELECT count(*) FROM incident_events WHERE note LIKE 'Recovered:%'")" = 1 ] &&
    ok "one recovery note" || fail "wrong number of recovery notes"

# Flapping: NG/OK alternating from here. The results so far are NG OK OK; the 9th
# change is the 11th result in all (50.21 %, above 50).
for i in 1 2 3 4 5 6 7; do
    v=91; [ $((i % 2)) = 0 ] && v=42
    out=$(run $v)
    assert_not_contains "$out" "flapping" "result $((i + 3)) is not flapping yet"
done
out=$(run 42)
assert_contains "$out" "Flapping: srv1 disk (50%) → noted on $ref" "flapping starts on the 11th result; the open incident is told"
[ "$(q "SELECT count(*) FROM incidents")" = 1 ] && ok "one incident for the flapping" ||
    fail "flapping opened another incident"
[ "$(q "SELECT count(*) FROM incident_events WHERE note LIKE 'Flapping: the state changed in 50% of the last 21 results%'")" = 1 ] &&
    ok "the incident notes the flapping once" || fail "no flapping note on the incident"
out=$(run 91)
assert_contains "$out" "[flapping 55%]" "an NG while flapping is marked"
out=$(u check problems)
assert_contains "$out" "Flapping" "check problems has a flapping column"
out=$(u check problems --json)
assert_contains "$out" '"flapping": true' "problems --json: flapping"
out=$("$UNYO" --db "$DB" --lang ja check problems)
assert_contains "$out" "不安定" "problems in Japanese: 不安定"

# The incident is closed while it still flaps (by SQL, standing for a person walking
# the workflow to closed): its NGs open no new draft.
notes=$(q "SELECT count(*) FROM incident_events WHERE note LIKE 'Recovered:%'")
q "UPDATE incidents SET status = 'closed' WHERE ref = '$ref'"
out=$(run 42)
out=$(run 91)
assert_contains "$out" "→ flapping: no new draft" "an NG while flapping with no open incident opens no draft"
[ "$(q "SELECT count(*) FROM incidents")" = 1 ] && ok "still one incident" ||
    fail "an NG while flapping opened a draft"
[ "$(q "SELECT count(*) FROM incident_events WHERE note LIKE 'Recovered:%'")" = "$notes" ] &&
    ok "no recovery note while flapping" || fail "a recovery was noted while flapping"

# Thresholds from config.ini [checks]; a bad one refuses the run, nothing written.
mkdir -p "$XDG_CONFIG_HOME/unyo"
printf '[checks]\nflap_high = 50\nflap_low = 60\n' >"$XDG_CONFIG_HOME/unyo/config.ini"
results=$(q "SELECT count(*) FROM checklist_events")
echo use=42 >"$T/value"
out=$(must_fail u check run --checks "$T/checks.ini")
assert_contains "$out" "config.ini [checks]: flap_low (60) is above flap_high (50)" "a low above the high is refused"
out=$(must_fail u check problems)
assert_contains "$out" "flap_low (60) is above flap_high (50)" "problems says so too"
printf '[checks]\nflap_high = lots\n' >"$XDG_CONFIG_HOME/unyo/config.ini"
out=$(must_fail u check run --checks "$T/checks.ini")
assert_contains "$out" "config.ini [checks] flap_high: not a percentage from 0 to 100: lots" "a threshold that is not a number is refused"
[ "$(q "SELECT count(*) FROM checklist_events")" = "$results" ] && ok "a refused run writes no result" ||
    fail "a refused run wrote results"
# A high threshold of 99.5 %: twelve alternations (60.21 %) no longer start it on a
# fresh host.
printf '[checks]\nflap_high = 99.5\nflap_low = 25\n' >"$XDG_CONFIG_HOME/unyo/config.ini"
u host add srv2 >/dev/null
u host edit srv2 --transport local >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    v=91; [ $((i % 2)) = 0 ] && v=42
    out=$(echo "use=$v" >"$T/value"; u check run --checks "$T/checks.ini" --host srv2 2>&1 || true)
done
assert_not_contains "$out" "flapping" "with flap_high 99.5 twelve alternations do not flap"
finish
