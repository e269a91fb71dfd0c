#!/usr/bin/env bash
# The incidents list pages by keyset (never OFFSET): a row reached by :goto,
# page-down, the ends, any sort and either direction must be the row SQLite
# puts at that position.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" demo --generate 12000 --db "$T_DB" >/dev/null 2>&1 ||
    t_fail "unyo demo --generate failed"
total=$(sqlite3 "$T_DB" "SELECT count(*) FROM incidents WHERE deleted = 0")

# ref at 1-based position $2 in the order $1
ref_at() {
    sqlite3 "$T_DB" "SELECT ref FROM incidents WHERE deleted = 0 ORDER BY $1 LIMIT 1 OFFSET $(($2 - 1))"
}
# the ref of the first data row on screen (line 3: tabs, header, rows)
top_ref() { t_screen | sed -n 3p | awk '{print $1}'; }

check() { # order, position
    local want got deadline=$((SECONDS + T_TIMEOUT))
    want=$(ref_at "$1" "$2")
    while ((SECONDS < deadline)); do
        got=$(top_ref)
        [[ $got == "$want" ]] && return 0
        sleep 0.05
    done
    t_fail "row $2 in order '$1': screen shows $got, SQLite says $want"
}

t_start 120 40 --lang en --pane incidents
t_wait "of $total incidents"
desc="received_at DESC, id DESC"
for pos in 1 2 500 4097 9000 $((total - 100)); do
    t_keys :
    t_type "goto $pos"
    t_keys Enter
    check "$desc" "$pos"
done
# page-down from a far row: 36 rows visible (40 - tabs, header, footer, message, status)
t_keys :
t_type "goto 8000"
t_keys Enter
check "$desc" 8000
footer_pos() { t_screen | grep -o "[0-9]* of $total incidents" | head -1 | cut -d' ' -f1; }
t_keys PageDown
t_wait_gone "8000 of $total"
p1=$(footer_pos)
((p1 > 8001)) || t_fail "page-down moved to $p1"
check "$desc" "$p1"
t_keys PageUp PageUp
t_wait_gone "$p1 of $total"
p2=$(footer_pos)
((p2 == 8000 - (p1 - 8000))) || t_fail "page-up moved to $p2"
check "$desc" "$p2"
t_keys G
t_wait "$total of $total"
t_keys g
check "$desc" 1
t_ok "received, newest first"

# oldest first
t_keys '<'
t_wait "sorted by received"
for pos in 1 3000 11000; do
    t_keys :
    t_type "goto $pos"
    t_keys Enter
    check "received_at ASC, id ASC" "$pos"
done
t_ok "received, oldest first"

# by status (index incidents_status); -status: reversed from the natural
# order, as `:sort -NAME` is in every list
t_keys :
t_type "sort -status"
t_keys Enter
t_wait "sorted by status, reversed"
for pos in 1 5000 $((total - 50)); do
    t_keys :
    t_type "goto $pos"
    t_keys Enter
    check "status ASC, received_at ASC, id ASC" "$pos" # still oldest first
done
t_keys '<'
t_wait "Status▼"
for pos in 2 7000; do
    t_keys :
    t_type "goto $pos"
    t_keys Enter
    check "status DESC, received_at DESC, id DESC" "$pos"
done
t_ok "status, both directions"

# the filtered list keeps the same order as SQLite, in any sort
t_keys :
t_type "filter ネットワーク"
t_keys Enter
nf=$(sqlite3 "$T_DB" "SELECT count(*) FROM incidents WHERE deleted = 0 AND title LIKE '%ネットワーク%'")
t_wait "of $nf matches"
like="title LIKE '%ネットワーク%'"
ref_at() {
    sqlite3 "$T_DB" "SELECT ref FROM incidents WHERE deleted = 0 AND $like ORDER BY $1 LIMIT 1 OFFSET $(($2 - 1))"
}
for pos in 1 17 $((nf / 2)); do
    t_keys :
    t_type "goto $pos"
    t_keys Enter
    check "status DESC, received_at DESC, id DESC" "$pos"
done
t_keys :
t_type "sort received"
t_keys Enter
for pos in 1 $((nf / 3)); do
    t_keys :
    t_type "goto $pos"
    t_keys Enter
    check "received_at DESC, id DESC" "$pos"
done
t_ok "filtered list in SQLite's order"
t_keys q
t_wait_exit
