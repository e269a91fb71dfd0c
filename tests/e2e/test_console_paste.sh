#!/usr/bin/env bash
# A 1 MiB paste (tmux delivers it in a fraction of a second) into the
# incident intake form and into the `/` line: the console keeps answering
# keys, the field keeps what it can hold and says the rest was not kept, and
# the saved incident has the capped title. The console asks for bracketed
# paste (tmux paste-buffer -p brackets it as a terminal does). Outcomes only.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
q() { sqlite3 "$T_DB" "$1"; }
# one line of 1 MiB: "障害ab" repeated (valid UTF-8, no newline)
python3 -c 'import sys; s = "障害ab" * 200000; sys.stdout.write(s.encode()[:1048576].decode("utf-8", "ignore"))' \
    >"$T_DIR/paste.txt"
(($(stat -c %s "$T_DIR/paste.txt") > 1000000)) || t_fail "the paste file is too small"

for lang in ${T_LANGS:-en ja}; do
    t_start 160 50 --lang "$lang" --pane incidents
    t_wait "INC-2026"
    t_keys +
    if [[ $lang == en ]]; then t_wait "New incident"; else t_wait "インシデント受付"; fi
    t_keys Tab Tab Tab # library, channel, reporter -> title
    t_tmux load-buffer -b big "$T_DIR/paste.txt"
    t_tmux paste-buffer -p -b big -t 0
    if [[ $lang == en ]]; then
        t_wait "this field holds at most 500 characters: the rest was not kept" 60
    else
        t_wait "この欄に入るのは 500 文字までです" 60
    fi
    # the console still answers: the next field takes a pasted line break as a
    # space (a paste never submits the form), then typing
    t_keys Tab
    printf 'line1\nline2\n' | t_tmux load-buffer -b lines -
    t_tmux paste-buffer -p -b lines -t 0
    t_type "after-paste-$lang"
    t_wait "line1 line2 after-paste-$lang" 60
    t_keys Tab Tab Tab Tab Enter # category, impact, urgency, hosts; Enter saves
    # The saved row, then the message naming it: the pane's footer says "sorted
    # by received" before Enter is handled, so the bare word proves nothing.
    saved() { q "SELECT ref FROM incidents WHERE description = 'line1 line2 after-paste-$lang'"; }
    # shellcheck disable=SC2016 # t_wait_cmd evaluates the condition
    t_wait_cmd '[[ -n $(saved) ]]' 60 "the pasted incident saved ($lang)"
    ref=$(saved)
    if [[ $lang == en ]]; then t_wait "$ref received" 60; else t_wait "$ref を受け付けました" 60; fi
    len=$(q "SELECT length(title) FROM incidents WHERE description = 'line1 line2 after-paste-$lang'")
    [[ $len == 500 ]] || t_fail "the saved title has ${len:-no} characters, not 500"
    [[ $(q "SELECT substr(title, 1, 4) FROM incidents WHERE description = 'line1 line2 after-paste-$lang'") == "障害ab" ]] ||
        t_fail "the saved title does not start with the pasted text"
    t_ok "1 MiB pasted into the intake title: capped at 500 with a message, console answers ($lang)"

    # the `/` line editor
    t_keys /
    t_tmux paste-buffer -p -b big -t 0
    if [[ $lang == en ]]; then
        t_wait "at most 4096 characters: the rest was not kept" 60
    else
        t_wait "入力できるのは 4096 文字までです" 60
    fi
    t_keys Escape
    t_keys q
    t_wait_exit 60
    t_ok "1 MiB pasted into the / line: capped with a message, q exits ($lang)"
done
