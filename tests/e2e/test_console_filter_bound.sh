#!/usr/bin/env bash
# The `/` filter's work is bounded: `(a|aa)+$` over titles like "aaaa…b"
# backtracks exponentially. Each title stops at the match limit, the pane says
# how many titles were not checked instead of counting them silently as no
# match, and `q` during a long scan exits at once (the scan is cancelled, not
# waited for). Conditions only, no timing.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" demo --generate 300 --db "$T_DB" >/dev/null 2>&1 ||
    t_fail "unyo demo --generate failed"
# every live incident's title becomes 40..79 a's and a b
sqlite3 "$T_DB" "UPDATE incidents SET title =
                   replace(hex(zeroblob(40 + abs(random()) % 40)), '00', 'a') || 'b'
                 WHERE deleted = 0" || t_fail "could not set the titles"
n=$(sqlite3 "$T_DB" "SELECT count(*) FROM local_incident_titles")
((n >= 300)) || t_fail "too few titles ($n)"
pat='(a|aa)+$'

for lang in ${T_LANGS:-en ja}; do
    # 1. a finished scan names the titles it could not check
    t_start 200 40 --lang "$lang" --pane incidents
    t_wait "INC-2026"
    t_keys /
    t_type "$pat"
    t_keys Enter
    if [[ $lang == en ]]; then
        t_wait "0 of 0 matches for /$pat/ ($n titles not checked: pattern too complex)" 60
    else
        t_wait "$n 件のタイトルは未確認: パターンが複雑すぎます" 60
    fi
    t_keys q
    t_wait_exit
    t_ok "the cut-short titles are counted in the pane ($lang)"
done

# 2. a scan over a large title table (as a store with a million incidents
# has it): without a bound and a cancel it would run for hours; `q` exits.
sqlite3 "$T_DB" "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000)
                 INSERT INTO local_incident_titles(title, k, incident_id)
                 SELECT replace(hex(zeroblob(60 + x % 30)), '00', 'a') || 'b', 0, 'bulk-' || x
                 FROM c" || t_fail "could not fill the title table"
for lang in ${T_LANGS:-en ja}; do
    t_start 200 40 --lang "$lang" --pane incidents
    t_wait "INC-2026"
    t_keys /
    t_type "$pat"
    t_keys Enter
    if [[ $lang == en ]]; then t_wait "filtering /$pat/"; else t_wait "絞り込み中 /$pat/"; fi
    # a new pattern cancels the running scan and starts its own
    t_keys /
    t_type "zzz"
    t_keys Enter
    if [[ $lang == en ]]; then t_wait "0 of 0 matches for /zzz/" 60; else t_wait "0 / 0 件が /zzz/ に一致" 60; fi
    t_keys /
    t_type "$pat"
    t_keys Enter
    if [[ $lang == en ]]; then t_wait "filtering /$pat/"; else t_wait "絞り込み中 /$pat/"; fi
    t_keys q
    t_wait_exit 60
    t_ok "q during a long filter scan exits ($lang)"
done
