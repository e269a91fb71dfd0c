#!/usr/bin/env bash
# What `unyo check run` says and returns when it cannot or need not signal NG:
# a --host pattern that names no host of the inventory is a failure (exit 1) saying so
# in the operator's language, with nothing listed and nothing recorded; a run whose
# NGs are all in a downtime or acknowledged is not a failure (exit 0, and it says
# so), while one NG that calls for action still exits 3.
. "$UNYO_TESTLIB/common.sh"
export UNYO_NOW=2026-11-24T10:00:00+09:00 UNYO_USER=mgr
DB=$T/unyo.db
u() { "$UNYO" --db "$DB" --lang en "$@"; }
q() { sqlite3 "$DB" "$1"; }

u init >/dev/null
u operator add mgr --role manager --name "Manager M" >/dev/null
for h in srv1 srv2; do
    u host add $h >/dev/null
    u host edit $h --transport local >/dev/null
done
echo 'use=40' >"$T/value"
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

# ---- --host naming no host ----
for args in "--host nosuch" "--host srv9*" "--host nosuch --due"; do
    rc=0
    # shellcheck disable=SC2086
    out=$(u check run --checks "$T/checks.ini" $args 2>&1) || rc=$?
    [ "$rc" = 1 ] && ok "check run $args: exit 1" || fail "check run $args: exit $rc: $out"
    pat=${args#--host }; pat=${pat% --due}
    assert_contains "$out" "no host matches $pat" "check run $args says no host matches"
    assert_not_contains "$out" "results on" "and lists nothing"
done
rc=0
out=$("$UNYO" --db "$DB" --lang ja check run --checks "$T/checks.ini" --host nosuch 2>&1) || rc=$?
[ "$rc" = 1 ] && ok "in Japanese too: exit 1" || fail "ja: exit $rc"
assert_contains "$out" "nosuch に一致するホストはありません" "the refusal in Japanese"
[ "$(q "SELECT count(*) FROM checklist_events")" = 0 ] && ok "nothing recorded" || fail "a result was recorded"
# A pattern that names a host still runs.
rc=0
out=$(u check run --checks "$T/checks.ini" --host 'srv1' 2>&1) || rc=$?
[ "$rc" = 0 ] && ok "a matching --host runs (exit 0)" || fail "matching --host: exit $rc: $out"
assert_contains "$out" "1 results on 1 hosts" "on the host it names"

# ---- exit 3 only for NGs that call for action ----
echo 'use=91' >"$T/value"
runrc() { rc=0; out=$(u check run --checks "$T/checks.ini" "$@" 2>&1) || rc=$?; }
runrc
[ "$rc" = 3 ] && ok "NG on both hosts: exit 3" || fail "NG: exit $rc: $out"
u downtime add srv1 --from "2026-11-24 09:30" --to "2026-11-24 12:00" --reason "disk swap" >/dev/null
u check ack srv2 disk --note "vendor coming" --until "2026-11-24 12:00" >/dev/null
runrc
[ "$rc" = 0 ] && ok "every NG in downtime or acknowledged: exit 0" || fail "downtime+ack: exit $rc: $out"
assert_contains "$out" "Every NG is in a downtime (1) or acknowledged (1): nothing calls for action." \
    "the run says they were in downtime or acknowledged"
assert_contains "$out" "2 NG" "the NGs are still listed"
runrc --host srv1
[ "$rc" = 0 ] && ok "only the downtime host: exit 0" || fail "downtime only: exit $rc"
rc=0
out=$("$UNYO" --db "$DB" --lang ja check run --checks "$T/checks.ini" 2>&1) || rc=$?
[ "$rc" = 0 ] && ok "in Japanese too: exit 0" || fail "ja downtime+ack: exit $rc"
assert_contains "$out" "NG はすべて停止中（1 件）か確認済（1 件）です。" "said in Japanese"
# Past the acknowledgement, srv2's NG calls for action again.
export UNYO_NOW=2026-11-24T12:30:00+09:00
runrc
[ "$rc" = 3 ] && ok "an expired acknowledgement: exit 3 again" || fail "expired ack: exit $rc: $out"
assert_not_contains "$out" "nothing calls for action" "and it does not say all is in downtime"
finish
