#!/usr/bin/env bash
# Every list pane answers the shared list keys alike (src/ui/ui_list.c): g and
# G select the first and the last row, < reverses the whole order (the last
# row comes first; < again restores it), PgDn shows the next page and PgUp
# comes back, a click selects the row under it and the wheel moves the
# selection, / narrows the list to the matching rows, n and N move between
# the matches round the ends, and / with an empty pattern shows every row
# again. The same script runs in Checklist, Hosts, Changes, Jobs and
# Incidents on the demo store (with a few hosts, changes, jobs and incidents
# added so that each list is longer than a page; the incident list is
# keyset-paged, its filter a scan of the titles).
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"
export UNYO_JOB_EXECUTOR=local
U() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "$@"; }

# The selected row: the one line drawn in the selection colour (row.selected
# of data/theme.ini's 256-colour section), without its escapes.
sel() {
    t_tmux capture-pane -t 0 -p -e | grep -m1 -F $'\e[48;5;117m' | sed 's/\x1b\[[0-9;]*m//g; s/ *$//'
}
# The data rows on screen: the lines after the table's header (the line that
# starts with $HEAD), up to the first empty line or $ROWS_MAX lines.
rows() {
    t_screen | sed 's/ *$//' | awk -v head="$HEAD" -v max="$ROWS_MAX" '
        found && (length($0) == 0 || n >= max) { exit }
        found { print; n++ }
        index($0, head) == 1 { found = 1 }'
}
row_at() { rows | sed -n "${1}p"; }
# An X10 mouse report from the outer terminal at screen (y, x) (0-based): code
# + 32, x + 33, y + 33 (0 press, 3 release, 65 wheel down).
mouse() { # CODE Y X
    # shellcheck disable=SC2046 # three bytes, three arguments
    t_keys -H 1b 5b 4d $(printf '%02x %02x %02x' $((32 + $1)) $((33 + $3)) $((33 + $2)))
}
nrows() { rows | wc -l; }

# Waits until the selected row is $1 ($2 names the step in a failure).
want_sel() {
    local want=$1 what=$2 got="" deadline=$((SECONDS + T_TIMEOUT))
    while ((SECONDS < deadline)); do
        got=$(sel)
        [[ -n $want && $got == "$want" ]] && return 0
        sleep 0.05
    done
    t_fail "$NAME: $what: the selected row is '$got', expected '$want'"
}
# Waits until the selected row is not $1, and prints it.
sel_moved() {
    local from=$1 what=$2 got="" deadline=$((SECONDS + T_TIMEOUT))
    while ((SECONDS < deadline)); do
        got=$(sel)
        [[ -n $got && $got != "$from" ]] && {
            printf '%s\n' "$got"
            return 0
        }
        sleep 0.05
    done
    t_fail "$NAME: $what: the selection stayed on '$from'"
}

# Waits until the selected row is the screen's row $1 (a number, or "last")
# and not $3, and prints it ($2 names the step in a failure).
sel_on_row() {
    local which=$1 what=$2 not=${3:-} got="" row="" deadline=$((SECONDS + T_TIMEOUT))
    while ((SECONDS < deadline)); do
        got=$(sel)
        if [[ $which == last ]]; then row=$(rows | tail -n 1); else row=$(row_at "$which"); fi
        [[ -n $got && $got == "$row" && $got != "$not" ]] && {
            printf '%s\n' "$got"
            return 0
        }
        sleep 0.05
    done
    t_fail "$NAME: $what: the selected row is '$got', not row $which on screen ('$row')"
}

# check_pane PANE HEAD ROWS_MAX PATTERN MATCHES READY [VIEW_KEYS NAME]
#   HEAD: how the table's header line starts; ROWS_MAX: data rows on a page;
#   PATTERN: a / filter; MATCHES: how many rows it leaves; READY: text that
#   says the list is loaded; VIEW_KEYS: keys that bring the list in front
#   (a pane's other view), NAME: the list's name in messages.
check_pane() {
    PANE=$1 HEAD=$2 ROWS_MAX=$3 NAME=${8:-$1}
    local pattern=$4 matches=$5 ready=$6 view_keys=${7:-} first last page2
    t_start 120 24 --lang en --pane "$PANE"
    if [[ -n $view_keys ]]; then
        t_wait "[Incidents]"
        # shellcheck disable=SC2086 # several keys
        t_keys $view_keys
    fi
    t_wait "$ready"
    ((${#HEAD} > 0)) && t_wait "$HEAD"
    # G: the last row, at the bottom of the screen; g: the first row, at the
    # top. Each waits for the selection to be drawn on that screen row (a
    # row read before the key is handled would be the other page's).
    t_keys G
    last=$(sel_on_row last "G")
    t_keys g
    first=$(sel_on_row 1 "g after G" "$last")
    t_keys G
    want_sel "$last" "G again"
    [[ $(rows | tail -n 1) == "$last" ]] || t_fail "$NAME: G selected '$last', not the bottom row on screen"
    # <: the last row comes first, the first last; < again: as before
    t_keys '<'
    t_wait "reversed"
    t_keys g
    want_sel "$last" "g after <"
    [[ $(row_at 1) == "$last" ]] || t_fail "$NAME: after <, the first row on screen is not the old last one"
    t_keys G
    want_sel "$first" "G after <"
    t_keys '<'
    t_wait_gone "reversed"
    t_keys g
    want_sel "$first" "g after < <"
    t_ok "$NAME: g and G select the ends, < reverses the order and < again restores it"
    # PgDn: a row that was not on the first page; PgUp: back
    local before
    before=$(rows)
    t_keys PgDn
    page2=$(sel_moved "$first" "PgDn")
    grep -qxF -- "$page2" <<<"$before" && t_fail "$NAME: PgDn selected '$page2', a row of the first page"
    t_keys PgUp
    want_sel "$first" "PgUp"
    t_ok "$NAME: PgDn shows the next page, PgUp comes back"
    # the mouse: a click selects the row under it, the wheel moves three rows
    local y
    y=$(t_screen | awk -v head="$HEAD" 'index($0, head) == 1 { print NR - 1; exit }')
    mouse 0 $((y + 3)) 2
    mouse 3 $((y + 3)) 2
    want_sel "$(row_at 3)" "a click on the third row"
    mouse 65 $((y + 3)) 2
    want_sel "$(row_at 6)" "the wheel down"
    t_keys g
    want_sel "$first" "g after the mouse"
    t_ok "$NAME: a click selects a row, the wheel moves the selection"
    # /: only the matching rows, the first selected; n, N round the ends
    t_keys /
    t_type "$pattern"
    t_keys Enter
    local deadline=$((SECONDS + T_TIMEOUT))
    while (($(nrows) != matches)) && ((SECONDS < deadline)); do sleep 0.05; done
    (($(nrows) == matches)) || t_fail "$NAME: /$pattern/ left $(nrows) rows, expected $matches"
    rows | grep -qvE -- "$pattern" && t_fail "$NAME: a row that does not match /$pattern/ is shown"
    want_sel "$(row_at 1)" "/ selects the first match"
    t_keys n
    want_sel "$(row_at 2)" "n"
    t_keys N
    want_sel "$(row_at 1)" "N"
    t_keys N
    want_sel "$(row_at "$matches")" "N at the first match"
    t_keys n
    want_sel "$(row_at 1)" "n at the last match"
    t_keys /
    t_keys Enter
    t_wait "filter cleared"
    deadline=$((SECONDS + T_TIMEOUT))
    while (($(nrows) != ROWS_MAX)) && ((SECONDS < deadline)); do sleep 0.05; done
    (($(nrows) == ROWS_MAX)) || t_fail "$NAME: the cleared filter shows $(nrows) rows"
    t_ok "$NAME: / narrows to $matches rows, n and N move between them round the ends"
    t_keys q
    t_wait_exit
}

# Checklist: 137 items of the demo store for the day; P026 is on every host (10).
check_pane checklist "Status " 18 "P026" 10 "137 items"

# Hosts: the demo's 10 and 16 more (a page is 20 rows).
for i in $(seq -w 1 16); do
    U host add "list-h$i" --address "10.99.0.$i" --role other >/dev/null || t_fail "host add list-h$i"
done
check_pane hosts "Name" 20 "lib-(ap|db|web)0" 4 "list-h10"

# Changes: 24 change requests (18 rows a page).
for i in $(seq -w 1 24); do
    U change new --dept 資料課 --title "List change $i" --rollback "戻す" --step "作業" \
        >/dev/null 2>&1 || t_fail "change new $i"
done
check_pane changes "Ref " 18 "List change 0[1-3]" 3 "Change requests — 24"

# Jobs: 24 manual jobs of the day (18 rows a page).
{
    for i in $(seq -w 1 24); do
        printf '[T-L%s]\nname_ja = 一覧ジョブ %s\nname_en = List job %s\nperiod = daily\nhost = lib-ap01\n' \
            "$i" "$i" "$i"
        printf 'step = 確認する\nexpected_start = 10:%s\n\n' "$i"
    done
} >"$T_DIR/jobs.ini"
U jobs load --file "$T_DIR/jobs.ini" >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"
check_pane jobs "State " 18 "T-L0[1-3]" 3 "24 runs"

# Incidents: the demo's and 24 more, received a minute apart (19 rows a page).
for i in $(seq -w 1 24); do
    U incident new --library CEN --channel phone --title "List incident $i" --impact 3 --urgency 3 \
        --received "2026-11-24 08:$i" >/dev/null 2>&1 || t_fail "incident new $i"
done
ninc=$(sqlite3 "$T_DB" "SELECT count(*) FROM incidents WHERE deleted = 0")
check_pane incidents "Ref " 19 "List incident 0[1-3]" 3 "of $ninc incidents"

# The Incidents pane's other lists, inquiries (v) and problems (v v): 24 of
# each (19 rows a page).
for i in $(seq -w 1 24); do
    U inquiry new --library CEN --channel phone --title "List inquiry $i" >/dev/null 2>&1 ||
        t_fail "inquiry new $i"
    U problem new --title "List problem $i" >/dev/null 2>&1 || t_fail "problem new $i"
done
nq=$(sqlite3 "$T_DB" "SELECT count(*) FROM inquiries WHERE deleted = 0")
np=$(sqlite3 "$T_DB" "SELECT count(*) FROM problems WHERE deleted = 0")
check_pane incidents "Ref " 19 "List inquiry 0[1-3]" 3 "of $nq inquiries" v inquiries
check_pane incidents "Ref " 19 "List problem 0[1-3]" 3 "of $np problems" "v v" problems
