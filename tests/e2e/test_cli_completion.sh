#!/usr/bin/env bash
# Bash completion made from the option tables: `unyo completion bash` prints a
# script that bash loads, and compgen-driven answers follow the tables (nouns,
# verbs, options, enum values, small ranges, directories for DIR values).
. "$UNYO_TESTLIB/common.sh"
"$UNYO" completion bash >"$T/unyo.bash"
bash -n "$T/unyo.bash" && ok "the script is valid bash" || fail "syntax error in the script"
# The build's copy (build/completion/unyo) is the same script.
built=$(dirname "$UNYO")/completion/unyo
if [[ -f $built ]]; then
    cmp -s "$built" "$T/unyo.bash" && ok "build/completion/unyo is what unyo completion bash prints" ||
        fail "build/completion/unyo is stale"
fi
mkdir -p "$T/work/outdir" && : >"$T/work/afile"
answer() { # words... (the last is being completed) -> the completions, sorted, one line
    (cd "$T/work" && bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
        _unyo
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$T/unyo.bash" "$@")
}
check() { # expected words -- words...
    local want=$1; shift
    local got; got=$(answer "$@")
    [[ "$got" == "$want " ]] || fail "complete [$*]: got [$got], want [$want]"
    ok "complete [$*] → $want"
}
complete_has() { # word -- words...
    local w=$1; shift
    local got; got=$(answer "$@")
    [[ " $got " == *" $w "* ]] || fail "complete [$*]: [$got] lacks $w"
    ok "complete [$*] offers $w"
}
check "import incident init inquiry" unyo i
complete_has completion unyo ""
check "discard inbox link list new show step submit" unyo incident ""
check "--channel" unyo incident new --ch
check "alert mail phone rounds visit" unyo incident new --channel ""
check "1 2 3" unyo incident new --impact ""
check "report" unyo --db x.db sla rep
check "sla sla_total" unyo sla report --section ""
check "--csv --db --file --help --json --month" unyo calendar --
check "outdir" unyo export --csv ""
check "en ja" unyo --lang ""
check "bash" unyo completion ""
# every noun of the tables is offered
while read -r noun; do
    complete_has "$noun" unyo "" >/dev/null
done < <("$UNYO" help --table | cut -f1 | sort -u)
ok "every noun of the option tables is offered"
finish
