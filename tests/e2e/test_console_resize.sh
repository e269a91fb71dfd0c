#!/usr/bin/env bash
# Resizing mid-form keeps the input (Japanese, cursor movement by character,
# Backspace deleting a whole character); too small a terminal shows the notice
# and the form comes back intact; Esc on typed input asks first.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

t_start 80 24 --lang ja
t_wait "NG 0 │"
# the checklist's first row is L025 with its hosts under it: Enter opens it, the
# first host row takes the mark
t_keys Enter
t_wait "▾ 定常監視"
t_keys j x
t_wait "NG: L025"
t_type "41.5"
t_keys Tab
t_type "ファンが異音を発している"
t_wait "ファンが異音を発している" # all of it typed, before the BSpaces
t_keys BSpace BSpace   # removes る and い, one character each
# "ファンが異音を発して" is on screen before the keys too (the start of the
# typed text): wait until both are handled, the い gone as well as the る.
bs_done() {
    local s
    s=$(t_screen)
    grep -qF "ファンが異音を発して" <<<"$s" && ! grep -qF "ファンが異音を発してい" <<<"$s"
}
t_wait_cmd bs_done "" "both BSpaces handled (ファンが異音を発して, no い after it)"
t_assert_not "発している"
t_keys Left Left Left  # inside the text: insert before 発
t_type "少し"
t_wait "ファンが異音を少し発して"
# The console has drawn for width $1: its status line, right-aligned, reaches that
# width and ends with the word it ended with before ($tail). Until the console
# redraws, tmux shows the old lines (cut when the window shrinks), and the input
# was on screen before the resize: without this the waits below return at once.
tail=$(t_screen | tail -n 1 | awk '{print $NF}')
drawn_for() {
    local last w
    last=$(t_screen | tail -n 1)
    w=$(wc -L <<<"$last")
    ((w > $1 - 4 && w <= $1)) && [[ $(awk '{print $NF}' <<<"$last") == "$tail" ]]
}
for size in "200 60" "100 30" "60 20" "80 24"; do
    t_resize $size
    if [[ $size == "60 20" ]]; then
        t_wait "端末を 80×24 以上に広げてください"
    else
        t_wait_cmd "drawn_for ${size% *}" "" "the console drawn at $size"
        t_wait "ファンが異音を少し発して"
        t_wait "41.5"
    fi
done
t_ok "resizing keeps the form's input"

# Esc with typed input asks; n keeps the form
t_keys Escape
t_wait "入力した内容を破棄しますか"
t_keys n
# the form's text is on screen under the question: wait for the question to go
t_wait_gone "入力した内容を破棄しますか"
t_wait "ファンが異音を少し発して"
t_keys Enter
t_wait "インシデントの下書きを作成しますか"
t_keys n
t_wait "NG 1 │"
t_ok "the form saves after resizes"

# q with unsaved input in a form: the form takes the key as text; Esc then
# discards after asking.
t_keys j s
t_type "q"
t_wait "理由"
t_keys Escape
t_wait "入力した内容を破棄しますか"
t_keys y
t_wait_gone "理由"
t_keys q
t_wait_exit
t_ok "q quits once the form is closed"
