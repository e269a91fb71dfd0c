#!/usr/bin/env bash
# One exit code rule for every command: 0 ok, 1 failure, 2 usage (a bad option
# or argument). Every verb of the option tables (`unyo help --table`) is given
# an option it does not have and must answer 2 before touching anything.
. "$UNYO_TESTLIB/common.sh"
DB=$T/store/unyo.db
"$UNYO" init --db "$DB" >/dev/null
"$UNYO" operator add tester --role manager --db "$DB" >/dev/null
sum=$(sha256sum "$DB")
rc_of() { set +e; "$@" </dev/null >"$T/out" 2>"$T/err"; local rc=$?; set -e; echo "$rc"; }

"$UNYO" --lang en help --table >"$T/table"
n=0
while IFS=$'\t' read -r noun verb opt _; do
    [[ $opt == - ]] || continue
    args=("$noun")
    [[ $verb == - ]] || args+=("$verb")
    rc=$(rc_of timeout 60 "$UNYO" --db "$DB" "${args[@]}" --no-such-option)
    [[ $rc == 2 ]] || fail "unyo ${args[*]} --no-such-option: exit $rc, not 2: $(cat "$T/err")"
    grep -q -- "--no-such-option" "$T/err" || fail "unyo ${args[*]}: the bogus option is not named"
    n=$((n + 1))
done <"$T/table"
[[ $n -gt 60 ]] || fail "only $n verbs walked"
ok "$n verbs answer a bogus option with exit 2 and name it"
[[ $(sha256sum "$DB") == "$sum" ]] && ok "no bogus option changed the store" || fail "the store changed"

[[ $(rc_of "$UNYO" frobnicate) == 2 ]] && ok "unknown command: 2" || fail "unknown command"
[[ $(rc_of "$UNYO" --db "$DB" incident frobnicate) == 2 ]] && ok "unknown verb: 2" || fail "unknown verb"
[[ $(rc_of "$UNYO" --db "$DB" incident show) == 2 ]] && ok "missing operand: 2" || fail "missing operand"
[[ $(rc_of "$UNYO" --db "$DB" problem new) == 2 ]] && ok "problem new without --title: 2" || fail "problem new without --title: $(cat "$T/err")"
[[ $(rc_of "$UNYO" --db "$DB" audit --limit abc) == 2 ]] && ok "malformed value: 2" || fail "malformed value"
[[ $(rc_of "$UNYO" --db "$DB" --csv operator list --json) == 2 ]] && ok "--csv with --json: 2" || fail "--csv --json"
[[ $(rc_of "$UNYO" --db "$T/none.db" operator list) == 1 ]] && ok "a missing store is a failure: 1" || fail "missing store"
[[ $(rc_of "$UNYO" --db "$DB" incident show INC-NOPE) == 1 ]] && ok "an unknown record is a failure: 1" || fail "unknown record"
[[ $(rc_of "$UNYO" --db "$DB" operator list) == 0 ]] && ok "success: 0" || fail "operator list"
finish
