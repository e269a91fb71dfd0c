#!/usr/bin/env bash
# What `unyo check run` says and returns when it cannot or need not signal NG:
# a --host pattern that names no host of the inventory is a failure (exit 1) saying so
# in the operator's language, with nothing listed and nothing recorded.
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
finish
