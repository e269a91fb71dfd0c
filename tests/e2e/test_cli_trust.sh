#!/usr/bin/env bash
# The CLI is exact about what it is given and what it prints (issue 11 §3, §5):
# every numeric option is validated (--limit abc is an error, not "all rows" or
# "none"), a failed write to stdout is an error, --csv with --json is refused,
# --help works after any verb of every command, and no message or listing lets
# an ESC from the command line or the store reach the terminal. In English and
# Japanese.
. "$UNYO_TESTLIB/common.sh"
DB=$T/unyo.db
export UNYO_USER=yamada UNYO_NOW=2026-11-23T09:00:00+09:00
"$UNYO" demo --db "$DB" >/dev/null 2>&1 || fail "unyo demo failed"
ESC=$'\e'
# rc_of CMD...: the exit status, output to $T/out and $T/err
rc_of() { set +e; "$@" >"$T/out" 2>"$T/err"; local rc=$?; set -e; echo "$rc"; }
no_esc() { # file what
    if grep -q "$ESC" "$1"; then od -c "$1" | head >&2; fail "$2: ESC reached the output"; fi
    ok "$2"
}

for lang in en ja; do
    L=(--lang "$lang" --db "$DB")
    if [[ $lang == en ]]; then not_num="takes a whole number, not abc"; range="takes a whole number from"
    else not_num="には整数を指定してください（abc は使えません）"; range="までの整数を指定してください"; fi

    # ---- numbers ----
    for cmd in "incident list --limit abc" "audit --limit abc" "incident list --offset abc" \
        "inquiry list --limit abc" "search disk --limit abc" "session list --limit abc" \
        "demo --generate abc" "host add h9 --port abc" "host exec --timeout abc h9 true" \
        "host exec --max-output abc h9 true"; do
        # shellcheck disable=SC2086
        rc=$(rc_of "$UNYO" "${L[@]}" $cmd)
        [[ $rc == 2 ]] || fail "$cmd: exit $rc, not 2 (usage)"
        assert_contains "$(cat "$T/err")" "$not_num" "$cmd refused ($lang)"
        [[ ! -s $T/out ]] || fail "$cmd printed rows: $(head -3 "$T/out")"
    done
    for cmd in "audit --limit 5x" "incident list --limit -1" "audit --limit 0" "host add h9 --port 70000" \
        "incident list --limit 99999999999999999999"; do
        # shellcheck disable=SC2086
        rc=$(rc_of "$UNYO" "${L[@]}" $cmd)
        [[ $rc == 2 ]] || fail "$cmd: exit $rc, not 2"
        assert_contains "$(cat "$T/err")" "$([[ $cmd == *5x* ]] && echo "$not_num" | sed 's/abc/5x/' || echo "$range")" \
            "$cmd refused ($lang)"
    done
    rc=$(rc_of "$UNYO" "${L[@]}" audit --limit 3)
    [[ $rc == 0 && $(($(wc -l <"$T/out") - 1)) == 3 ]] || fail "audit --limit 3: rc $rc, $(wc -l <"$T/out") lines"
    ok "audit --limit 3 lists 3 rows ($lang)"

    # ---- a failed write to stdout ----
    for fmt in --csv --json ""; do
        # shellcheck disable=SC2086
        set +e; "$UNYO" "${L[@]}" template list $fmt >/dev/full 2>"$T/err"; rc=$?; set -e
        [[ $rc != 0 ]] || fail "template list $fmt > /dev/full exited 0"
        if [[ $lang == en ]]; then assert_contains "$(cat "$T/err")" "could not write the output" "template list $fmt > /dev/full fails ($lang)"
        else assert_contains "$(cat "$T/err")" "出力を書き込めませんでした" "template list $fmt > /dev/full fails ($lang)"; fi
    done

    # ---- --csv with --json ----
    rc=$(rc_of "$UNYO" "${L[@]}" template list --json --csv)
    [[ $rc == 2 && ! -s $T/out ]] || fail "--json --csv: exit $rc"
    if [[ $lang == en ]]; then assert_contains "$(cat "$T/err")" "--csv and --json cannot be used together" "--json --csv refused ($lang)"
    else assert_contains "$(cat "$T/err")" "--csv と --json は同時に指定できません" "--json --csv refused ($lang)"; fi

    # ---- --help after any verb, every command family ----
    nouns=$("$UNYO" help | sed -n 's/^  \([a-z]*\) .*/\1/p')
    [[ $(wc -w <<<"$nouns") -ge 20 ]] || fail "help lists too few commands: $nouns"
    for noun in $nouns; do
        rc=$(rc_of "$UNYO" "${L[@]}" "$noun" --help)
        [[ $rc == 0 ]] || fail "$noun --help: exit $rc: $(cat "$T/err")"
        assert_contains "$(cat "$T/out")" "unyo $noun" "$noun --help ($lang)" >/dev/null
        # every verb the usage names: "unyo NOUN VERB[|VERB...]" (each verb
        # once: in English; Japanese checks the nouns and the verbs below)
        verbs=""
        [[ $lang == en ]] && verbs=$("$UNYO" "${L[@]}" help "$noun" | sed -n "s/^unyo $noun \[\{0,1\}\([a-z|-]*\).*/\1/p" | tr '|' '\n' | grep -v '^-' | sort -u)
        for verb in $verbs; do
            rc=$(rc_of "$UNYO" "${L[@]}" "$noun" "$verb" --help)
            [[ $rc == 0 ]] || fail "$noun $verb --help: exit $rc: $(cat "$T/err")"
            grep -q "^unyo $noun .*$verb" "$T/out" || fail "$noun $verb --help does not show its synopsis: $(cat "$T/out")"
        done
        ok "$noun [$(echo $verbs)] --help ($lang)"
    done
    rc=$(rc_of "$UNYO" "${L[@]}" incident list --status open --help)
    [[ $rc == 0 ]] || fail "incident list --status open --help: exit $rc"
    assert_contains "$(cat "$T/out")" "unyo incident list" "incident list … --help shows list ($lang)"
    assert_not_contains "$(cat "$T/out")" "unyo incident new" "incident list --help shows only list ($lang)"
    rc=$(rc_of "$UNYO" "${L[@]}" checklist mark --help)
    [[ $rc == 0 ]] || fail "checklist mark --help: exit $rc"
    assert_contains "$(cat "$T/out")" "unyo checklist mark " "checklist mark --help ($lang)"

    # ---- ESC never echoed ----
    rc=$(rc_of "$UNYO" "${L[@]}" incident show "X${ESC}]0;pwned${ESC}\\")
    [[ $rc != 0 ]] || fail "incident show of a bad ref succeeded"
    no_esc "$T/err" "incident show echoes a ref with ESC escaped ($lang)"
    assert_contains "$(cat "$T/err")" '\x1b]0;pwned' "the ESC is shown as \\x1b ($lang)"
    rc=$(rc_of "$UNYO" "${L[@]}" "zz${ESC}[2J")
    [[ $rc == 2 ]] || fail "unknown command: exit $rc"
    no_esc "$T/err" "an unknown command name is echoed escaped ($lang)"
    rc=$(rc_of "$UNYO" "${L[@]}" operator add "x${ESC}[31m" --role "boss${ESC}[2J")
    no_esc "$T/err" "operator add echoes a bad role escaped ($lang)"
    rc=$(rc_of "$UNYO" "${L[@]}" audit --limit "${ESC}[2J")
    [[ $rc == 2 ]] || fail "audit --limit ESC: exit $rc"
    no_esc "$T/err" "a numeric option echoes its text escaped ($lang)"
done

# a message printed straight to stderr (not through cli_fail) with a path typed
# on the command line
"$UNYO" --db "$DB" export --csv "$T/ex${ESC}[2J" >"$T/out" 2>"$T/err" || fail "export failed: $(cat "$T/err")"
no_esc "$T/err" "export's confirmation names the directory escaped"
assert_contains "$(cat "$T/err")" 'ex\x1b[2J' "the directory is shown with \x1b"

# ---- stored text with ESC: text listings and show escape it; JSON escapes it;
# CSV keeps it exact (data) ----
lib=$(sqlite3 "$DB" "SELECT code FROM libraries WHERE deleted = 0 LIMIT 1")
"$UNYO" --db "$DB" incident new --library "$lib" --channel phone --impact 2 --urgency 2 \
    --title "osc${ESC}]52;c;cHduZWQ=${ESC}\\ clear${ESC}[2J title${ESC}]0;x"$'\a' >"$T/out" 2>"$T/err" ||
    fail "incident new failed: $(cat "$T/err")"
no_esc "$T/out" "incident new's confirmation"
ref=$(sqlite3 "$DB" "SELECT ref FROM incidents WHERE title LIKE 'osc%'")
for lang in en ja; do
    "$UNYO" --lang "$lang" --db "$DB" incident list --search osc >"$T/out"
    no_esc "$T/out" "incident list ($lang)"
    assert_contains "$(cat "$T/out")" "osc" "the incident is listed ($lang)"
    "$UNYO" --lang "$lang" --db "$DB" incident show "$ref" >"$T/out"
    no_esc "$T/out" "incident show ($lang)"
    assert_contains "$(cat "$T/out")" '\x1b]52;c;cHduZWQ=' "incident show shows the OSC 52 escaped ($lang)"
done
"$UNYO" --db "$DB" incident show "$ref" --json >"$T/out"
no_esc "$T/out" "incident show --json"
assert_contains "$(cat "$T/out")" '\u001b]52' "JSON escapes ESC as \\u001b"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/out" || fail "incident show --json is not JSON"
"$UNYO" --db "$DB" incident list --search osc --json >"$T/out"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/out" || fail "incident list --json is not JSON"
no_esc "$T/out" "incident list --json"
"$UNYO" --db "$DB" incident list --search osc --csv >"$T/out"
grep -q "${ESC}]52" "$T/out" && ok "CSV keeps stored text exact (data)" || fail "CSV changed the stored text"
finish
