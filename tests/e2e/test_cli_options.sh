#!/usr/bin/env bash
# Every verb of every command comes from one table (src/cli/, issue 12): walked
# here from `unyo help --table`, each verb answers --help with its synopsis
# (exit 0, the same text as `unyo help NOUN VERB`), each typed option refuses a
# malformed value with a translated message and exit 2 before anything is
# opened or written, and the man page's synopsis is the one the tables print.
. "$UNYO_TESTLIB/common.sh"
export UNYO_USER=yamada UNYO_NOW=2026-11-23T09:00:00+09:00
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NODB=$T/none.db # never created: a refused option touches no store
rc_of() { set +e; "$@" >"$T/out" 2>"$T/err"; local rc=$?; set -e; echo "$rc"; }

"$UNYO" --lang en help --table >"$T/table" || fail "help --table failed"
nverbs=$(awk -F'\t' '$3 == "-"' "$T/table" | wc -l)
nnouns=$(cut -f1 "$T/table" | sort -u | wc -l)
[[ $nnouns -ge 27 && $nverbs -ge 70 ]] || fail "the tables list too few commands: $nnouns nouns, $nverbs verbs"
ok "the tables list $nnouns commands with $nverbs verbs"

# The overview lists every command of the tables.
overview=$("$UNYO" --lang en help)
for noun in $(cut -f1 "$T/table" | sort -u); do
    grep -q "^  $noun " <<<"$overview" || fail "unyo help does not list $noun"
done
ok "unyo help lists every command"

# ---- --help after every verb, in both languages ----
for lang in en ja; do
    while IFS=$'\t' read -r noun verb opt _; do
        [[ $opt == - ]] || continue
        words=("$noun"); [[ $verb == - ]] || words+=("$verb")
        rc=$(rc_of "$UNYO" --lang "$lang" --db "$NODB" "${words[@]}" --help)
        [[ $rc == 0 ]] || fail "${words[*]} --help ($lang): exit $rc: $(cat "$T/err")"
        grep -q "^unyo ${words[*]}\( \|$\)\|^unyo $noun \[$verb\]" "$T/out" ||
            fail "${words[*]} --help ($lang) does not show its synopsis: $(head -5 "$T/out")"
        cp "$T/out" "$T/help1"
        rc=$(rc_of "$UNYO" --lang "$lang" --db "$NODB" help "${words[@]}")
        [[ $rc == 0 ]] && cmp -s "$T/out" "$T/help1" ||
            fail "unyo help ${words[*]} ($lang) differs from ${words[*]} --help"
        # --help anywhere after the verb, after other options too
        rc=$(rc_of "$UNYO" --lang "$lang" --db "$NODB" "${words[@]}" --no-such-option --help)
        [[ $rc == 0 ]] || fail "${words[*]} --no-such-option --help ($lang): exit $rc"
    done <"$T/table"
    [[ ! -e $NODB ]] || fail "--help created the store"
    ok "every verb answers --help with its synopsis, as unyo help does ($lang)"
done

# ---- a malformed value for every typed option ----
# bad_value TYPE MIN MAX CHOICES: a value the type refuses
bad_values() {
    case $1 in
    int) echo "abc"; echo "1x"; if [[ $2 -gt -9000000000000000000 ]]; then echo "$(($2 - 1))"; fi
         if [[ $3 -lt 9000000000000000000 ]]; then echo "$(($3 + 1))"; else echo "99999999999999999999"; fi ;;
    date) echo "2026-02-30"; echo "tomorrow" ;;
    month) echo "2026-13"; echo "11/2026" ;;
    time) echo "2026-11-22 25:00"; echo "noon" ;;
    enum) echo "no-such-choice" ;;
    number) echo "abc"; echo "3x"; echo "３ｘ" ;;
    esac
}
declare -A want_en=([int]="takes a whole number" [date]="takes a date YYYY-MM-DD" \
    [month]="takes a month YYYY-MM" [time]="takes a time such as" [enum]="takes" \
    [number]="is not a number")
declare -A want_ja=([int]="整数を指定してください" [date]="日付 YYYY-MM-DD を指定してください" \
    [month]="月 YYYY-MM を指定してください" [time]="のような日時を指定してください" \
    [enum]="のいずれかを指定してください" [number]="は数値ではありません")
for lang in en ja; do
    n=0
    while IFS=$'\t' read -r noun verb opt type min max choices; do
        [[ $opt != - && $type != flag && $type != string ]] || continue
        words=("$noun"); [[ $verb == - ]] || words+=("$verb")
        while read -r bad; do
            rc=$(rc_of "$UNYO" --lang "$lang" --db "$NODB" "${words[@]}" "--$opt" "$bad")
            what="${words[*]} --$opt '$bad' ($lang)"
            [[ $rc == 2 ]] || fail "$what: exit $rc, not 2: $(cat "$T/err")"
            [[ ! -s $T/out ]] || fail "$what printed to stdout: $(head -3 "$T/out")"
            err=$(cat "$T/err")
            assert_contains "$err" "--$opt" "$what names the option" >/dev/null
            assert_contains "$err" "$bad" "$what quotes the value" >/dev/null
            if [[ $lang == en ]]; then
                want=${want_en[$type]}; [[ $type == enum ]] && want="takes $choices, not"
            else want=${want_ja[$type]}; fi
            assert_contains "$err" "$want" "$what says what it takes" >/dev/null
            grep -q "unyo ${words[*]}\( \|$\)\|unyo $noun \[$verb\]" <<<"$err" ||
                fail "$what does not show the synopsis: $err"
            n=$((n + 1))
        done < <(bad_values "$type" "$min" "$max" "$choices")
    done <"$T/table"
    [[ $n -ge 60 ]] || fail "only $n malformed values tried ($lang)"
    [[ ! -e $NODB ]] || fail "a refused option created the store"
    ok "$n malformed option values refused with exit 2 and a message ($lang)"
done

# The same as --name=VALUE, and a flag given a value, and an unknown option.
rc=$(rc_of "$UNYO" --lang en --db "$NODB" audit --limit=-5)
[[ $rc == 2 ]] && assert_contains "$(cat "$T/err")" "from 1 to" "--limit=-5 refused" >/dev/null || fail "--limit=-5: exit $rc"
rc=$(rc_of "$UNYO" --lang en --db "$NODB" export --csv "$T/x" --bom=yes)
[[ $rc == 2 ]] && assert_contains "$(cat "$T/err")" "--bom takes no value" "--bom=yes refused" >/dev/null || fail "--bom=yes: exit $rc"
rc=$(rc_of "$UNYO" --lang ja --db "$NODB" incident list --frobnicate)
[[ $rc == 2 ]] && assert_contains "$(cat "$T/err")" "--frobnicate" "unknown option named" >/dev/null || fail "--frobnicate: exit $rc"
rc=$(rc_of "$UNYO" --lang en --db "$NODB" incident frobnicate)
[[ $rc == 2 ]] && assert_contains "$(cat "$T/err")" "unknown verb frobnicate: use new, submit, list" "unknown verb lists the verbs" >/dev/null || fail "unknown verb: exit $rc"
# A word after a default verb names the verbs the same way (jobs list frob, as jobs frob).
for noun in jobs checklist config; do
  rc=$(rc_of "$UNYO" --lang en --db "$NODB" "$noun" list frob)
  [[ $rc == 2 ]] || fail "$noun list frob: exit $rc, not 2"
  assert_contains "$(cat "$T/err")" "unknown verb frob: use list" "$noun list frob lists the verbs" >/dev/null
done
rc=$(rc_of "$UNYO" --lang en --db "$NODB" jobs list frob)
assert_contains "$(cat "$T/err")" "unknown verb frob: use list, load, due, run, hold, release, cancel" "jobs list frob names every verb" >/dev/null
ok "--opt=value, flags with a value, unknown options and verbs are usage errors"

# A valid value passes the parser: the command runs (here: no store, exit 1).
rc=$(rc_of "$UNYO" --lang en --db "$NODB" audit --limit 5)
[[ $rc == 1 ]] || fail "audit --limit 5 without a store: exit $rc, not 1: $(cat "$T/err")"
ok "a valid value reaches the command"

# ---- the man page's synopsis is the tables' ----
"$UNYO" --lang en help --man-synopsis >"$T/gen"
sed -n '/^\.\\" BEGIN GENERATED SYNOPSIS$/,/^\.\\" END GENERATED SYNOPSIS$/p' "$ROOT/doc/unyo.1" |
    sed '1d;$d' >"$T/man"
[[ -s $T/man ]] || fail "doc/unyo.1 has no GENERATED SYNOPSIS block"
if ! diff -u "$T/man" "$T/gen" >"$T/diff"; then
    cat "$T/diff" >&2
    fail "doc/unyo.1's synopsis is stale: run \`make man\` (scripts/update-man-synopsis.sh)"
fi
page=$(MANWIDTH=200 man -l "$ROOT/doc/unyo.1" 2>/dev/null)
while IFS=$'\t' read -r noun verb opt _; do
    [[ $opt == - ]] || continue
    if [[ $verb == - ]]; then assert_contains "$page" "unyo $noun" "man: $noun" >/dev/null
    else grep -q "unyo $noun $verb\|unyo $noun \[$verb\]" <<<"$page" || fail "man page lacks unyo $noun $verb"; fi
done <"$T/table"
ok "the man page's synopsis is generated from the tables and lists every verb"
finish
