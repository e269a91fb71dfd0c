#!/usr/bin/env bash
# Read-only mode in the console (issue 14): `unyo --read-only` opens on the demo store,
# shows the ledgers, marks the status line 閲覧のみ, and every action key of every pane
# that would change the record (data/keys.ini) gives the one refusal in Japanese instead
# of a form; the writing `:` commands too. Nothing is written: the store's dump is the
# same before and after. An observer (role) gets the same console without the option.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

q() { sqlite3 "$T_DB" "$1"; }
dump() { sqlite3 "$T_DB" .dump | md5sum; }
MSG="閲覧のみ: このコンソールでは記録を変更できません"
before=$(dump)
incidents=$(q "SELECT count(*) FROM incidents")
audits=$(q "SELECT count(*) FROM audit")

t_start 140 36 --lang ja --read-only
t_wait "閲覧のみ │"
t_ok "the read-only console opens and marks the status line"

# press KEY in pane N (1..8); the message is cleared first by switching panes
refused() {
    local pane=$1 key=$2 other=1
    [[ $pane == 1 ]] && other=8
    t_keys "$other"
    t_keys "$pane"
    t_wait_gone "$MSG"
    t_keys "$key"
    t_wait "$MSG"
}

# the ledgers are shown
t_keys 2
t_wait "インシデント"
[[ $incidents -gt 0 ]] || t_fail "the demo has no incidents"

# pane: keys that change the record (data/keys.ini)
declare -A keys=(
    [1]="o x s v e a c"
    [2]="+ i e f S r c o p u T t l x d R a b w C m P L K A"
    [3]="r R h c x m d a A"
    [4]="+ s a t S Space o A H E L e D b C"
    [5]="o c L i"
    [6]="S A W c t o u"
    [7]="e a c Enter"
)
for pane in 1 2 3 4 5 6 7; do
    for k in ${keys[$pane]}; do
        refused "$pane" "$k" || t_fail "pane $pane key $k was not refused"
    done
done
t_ok "every action key of every pane gives the read-only message"

for c in "operator add kimura" "shift" "as suzuki"; do
    t_keys 2
    t_keys 1
    t_wait_gone "$MSG"
    t_keys :
    t_type "$c"
    t_keys Enter
    t_wait "$MSG"
done
t_ok "the writing : commands are refused"

# the views still work: Incidents' view switch and the reports
t_keys 2
t_wait_gone "$MSG" # the last refusal goes with the change of pane
t_keys v
# v switches to the inquiries, not refused (a wait for the message to go proved
# nothing: switching panes clears it before v is read)
t_wait "インシデント [問い合わせ] 問題"
t_assert_not "$MSG"
t_keys 8
t_wait "■ 概要"
t_keys q
t_wait_exit
[[ $(dump) == "$before" ]] || t_fail "the read-only console changed the store"
[[ $(q "SELECT count(*) FROM audit") == "$audits" ]] || t_fail "audit rows were written"
t_ok "nothing was written (same dump, no audit row)"

# ---- an observer: read-only without the option ----
UNYO_USER=ito UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" operator add mori --role observer \
    --name "森 光" >/dev/null || t_fail "adding an observer"
before=$(dump)
T_USER=mori
t_start 140 36 --lang ja --pane incidents
t_wait "閲覧のみ │"
t_wait "森 光"
t_keys +
t_wait "$MSG"
t_keys q
t_wait_exit
[[ $(dump) == "$before" ]] || t_fail "the observer's console changed the store"
t_ok "an observer's console is read-only"
