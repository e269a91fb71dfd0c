#!/usr/bin/env bash
# The / filter: a PCRE2 pattern over incident titles (smart case), n/N move
# between matches, a bad pattern shows PCRE2's message and offset; the :
# command line sorts and completes.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" demo --generate 300 --db "$T_DB" >/dev/null 2>&1 ||
    t_fail "unyo demo --generate failed"
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM incidents WHERE deleted = 0 AND
                     (title LIKE '%ネットワーク%' OR title LIKE '%プリンタ%')")
nweb=$(sqlite3 "$T_DB" "SELECT count(*) FROM incidents WHERE deleted = 0 AND title LIKE 'Web OPAC%'")
((n >= 2)) || t_fail "the demo store has too few matching incidents ($n)"

for lang in ${T_LANGS:-en ja}; do
    t_start 200 60 --lang "$lang" --pane incidents
    t_wait "INC-2026"
    t_keys /
    t_type "ネットワーク|プリンタ"
    t_keys Enter
    if [[ $lang == en ]]; then t_wait "matches for /ネットワーク|プリンタ/"; else t_wait "件が /ネットワーク|プリンタ/ に一致"; fi
    t_assert_not "ICタグリーダー"
    t_keys n
    if [[ $lang == en ]]; then t_wait "2 of $n matches"; else t_wait "2 / $n 件が"; fi
    t_keys N N
    if [[ $lang == en ]]; then t_wait "$n of $n matches"; else t_wait "$n / $n 件が"; fi
    # smart case: lower case matches upper case letters, an upper-case letter does not
    if ((nweb > 0)); then
        t_keys /
        t_type "web opac"
        t_keys Enter
        # the footer names the pattern once the scan is done: the title may be
        # on screen before the filter, and the typed line shows "web opac" too
        if [[ $lang == en ]]; then t_wait "matches for /web opac/"; else t_wait "件が /web opac/ に一致"; fi
        t_wait "Web OPACにログインできない"
        t_keys /
        t_type "Web opac"
        t_keys Enter
        t_wait_gone "Web OPACにログインできない"
    fi
    # a bad pattern: PCRE2's message with the offset
    t_keys /
    t_type "(起動"
    t_keys Enter
    if [[ $lang == en ]]; then t_wait "bad pattern at offset 3: missing closing parenthesis"
    else t_wait "パターンの誤り（位置 3）"; fi
    # clearing: said so, and the rows the bad pattern's filter left out are back
    t_keys / Enter
    if [[ $lang == en ]]; then t_wait "filter cleared"; else t_wait "絞り込みを解除しました"; fi
    t_wait "ICタグリーダー"
    # :sort by priority via completion
    t_keys :
    t_type "so"
    t_keys Tab
    t_type "status"
    t_keys Enter
    if [[ $lang == en ]]; then t_wait "Status▼"; else t_wait "状態▼"; fi
    t_keys q
    t_wait_exit
    t_ok "filter, bad pattern, sort ($lang)"
done
