#!/usr/bin/env bash
# `unyo --read-only` on the command line (issue 14): every verb that changes the record
# is refused by the store itself with the one message and a non-zero exit, before any
# effect: the store's dump is the same after all of them. The list of writing verbs is
# checked against `unyo help --table`, so a new verb must be put in one list or the other.
# The reading verbs still work.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

cli() { UNYO_USER=${WHO:-yamada} UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "$@"; }
q() { sqlite3 "$T_DB" "$1"; }
dump() { sqlite3 "$T_DB" .dump | md5sum; }
MSG="read-only: this console cannot change the record"

# something of each ledger to act on (written before going read-only)
cli change new --dept 中央館 --title "文言変更" --rollback "戻す" --step "差し替える" >/dev/null 2>&1 ||
    t_fail "change new"
CREF=$(q "SELECT ref FROM changes LIMIT 1")
cli inquiry new --library MIN --channel phone --title "予約の件" >/dev/null 2>&1 || t_fail "inquiry new"
QREF=$(q "SELECT ref FROM inquiries LIMIT 1")
cli problem new --title "OPAC端末の起動不良" >/dev/null 2>&1 || t_fail "problem new"
PREF=$(q "SELECT ref FROM problems LIMIT 1")
cli jobs load >/dev/null 2>&1 || t_fail "jobs load"
cli jobs due >/dev/null 2>&1 || true
RUN=$(q "SELECT j.code FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.command IS NOT NULL LIMIT 1")
[[ -n $RUN ]] || t_fail "no job run today"
JOB=$(q "SELECT code FROM jobs LIMIT 1")
IREF=$(q "SELECT ref FROM incidents WHERE status <> 'closed' LIMIT 1")
ITEM=P026
ASNEEDED=$(q "SELECT code FROM templates WHERE pane = 'checklist' AND period_text = '随時' LIMIT 1")
cli checklist mark "$ITEM" ng --host lib-ap01 --note "NG" >/dev/null 2>&1 || t_fail "checklist mark ng"
# a signed handover with a carried to-do (for clear and withdraw), one waiting for suzuki
cli handover sign --note "引継ぎ" --todo "返却箱の確認" --to suzuki >/dev/null 2>&1 || t_fail "handover sign"
TODO=$(q "SELECT substr(id, 1, 8) FROM handover_items LIMIT 1")
# a recorded session (as a console would leave it) for change link
SESSION=01a25000-0000-7000-8000-000000000001
q "INSERT INTO ssh_sessions(id, host_name, operator_id, started_at, created_at, updated_at, hlc, origin)
   SELECT '$SESSION', 'lib-ap01', id, '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z',
          '2026-11-23T00:00:00.000Z', 1, 'test' FROM operators WHERE login = 'yamada'"
printf 'Host newhost\n    HostName 127.0.0.1\n' >"$T_DIR/ssh_config"
before=$(dump)

# NOUN VERB: the arguments of a call that would write, were the store writable
writes=(
    "init|"
    "demo|"
    "operator add|kimura --role operator"
    "operator role|suzuki --role engineer"
    "operator passwd|"
    "operator deactivate|suzuki --yes"
    "library add|KIT --name 北館"
    "library rename|MIN --name 南館"
    "library retire|MIN"
    "import|--csv $T_DIR --db $T_DIR/new.db"
    "checklist mark|$ITEM ok --host lib-ap01"
    "checklist add|$ASNEEDED"
    "checklist incident|$ITEM --host lib-ap01"
    "shift set|2026-11-23 early yamada"
    "shift clear|2026-11-23 early"
    "shift start|early"
    "handover sign|--note x"
    "handover clear|$TODO"
    "handover withdraw|"
    "host add|lib-new01"
    "host edit|lib-ap01 --os RHEL9"
    "host remove|lib-ap01"
    "host import-ssh-config|--file $T_DIR/ssh_config"
    "host parents|lib-ap01 --set lib-db01"
    "check run|--host lib-ap01"
    "check watch|--rounds 1 --host lib-ap01"
    "check ack|lib-ap01 cpu_load --note x"
    "check unack|lib-ap01 cpu_load"
    "downtime add|lib-ap01 --from 2026-11-23T10:00 --to 2026-11-23T12:00 --reason x"
    "downtime end|lib-ap01 --yes"
    "session open|lib-ap01"
    "sync|--url postgresql://127.0.0.1:1/none"
    "sync conflicts|keep 01234567"
    "sync conflicts|reapply 01234567"
    "incident new|--library MIN --channel phone --title t --impact 1 --urgency 1"
    "incident submit|$IREF"
    "incident step|$IREF note --note x"
    "incident link|$IREF problem $PREF"
    "incident discard|$IREF"
    "inquiry new|--library MIN --channel phone --title t"
    "inquiry step|$QREF investigating"
    "inquiry draft|$QREF --text answer"
    "inquiry review|$QREF --approve"
    "inquiry answer|$QREF"
    "inquiry convert|$QREF --impact 1 --urgency 1"
    "problem new|--title t"
    "problem update|$PREF --status investigating"
    "problem link|$PREF $IREF"
    "problem publish|$PREF"
    "sla scan|"
    "change new|--dept x --title t --rollback r --step s"
    "change step|$CREF plan"
    "change approve|$CREF --note ok"
    "change cancel|$CREF --note x"
    "change rollback|$CREF"
    "change do|$CREF 1"
    "change add-step|$CREF x"
    "change effect|$CREF config:lib-ap01:x"
    "change add-host|$CREF lib-ap01"
    "change remove-host|$CREF lib-ap01"
    "change add-link|$CREF incident:$IREF"
    "change remove-link|$CREF incident:$IREF"
    "change remove-effect|$CREF 1"
    "change link|$CREF --session $SESSION"
    "jobs load|"
    "jobs run|$RUN --local"
    "jobs hold|$RUN"
    "jobs release|$RUN"
    "jobs cancel|$RUN"
    "jobs rerun|$RUN"
    "jobs mark|$RUN succeeded"
    "jobs deliver|$RUN --to 総務課"
    "jobs assign|$JOB lib-ap01"
    "session index|"
)
# the verbs that only read (or reach outside the store: central init sets up PostgreSQL,
# host exec and host trust act on the hosts and ~/.ssh; a session they record is refused)
reads=" operator:list library:list calendar:- template:list export:- checklist:list shift:list
 shift:now handover:show handover:list audit:list audit:verify audit:export host:list host:show host:exec host:trust
 check:list check:problems downtime:list session:list session:export session:search session:redact ssh:- central:init incident:list incident:show
 incident:inbox inquiry:list inquiry:show problem:list problem:show sla:show sla:report
 search:- report:daily report:monthly change:list change:show config:list jobs:list jobs:due
 jobs:show jobs:history jobs:schedule completion:bash help:- "

declare -A listed=([handover:ack]=1) # below, as suzuki
for w in "${writes[@]}"; do
    v=${w%%|*}
    [[ $v == *" "* ]] || v="$v -"
    listed[${v/ /:}]=1
done
while IFS=$'\t' read -r noun verb opt _; do
    [[ $opt == - ]] || continue
    k="$noun:$verb"
    [[ -n ${listed[$k]:-} || $reads == *" $k "* || $reads == *" $k
"* || $reads == *"
 $k "* ]] || t_fail "verb $noun $verb is in neither list of this test"
done < <("$T_BIN" help --table)
t_ok "every verb of unyo help --table is classified"

bad=""
for w in "${writes[@]}"; do
    v=${w%%|*}
    args=${w#*|}
    # shellcheck disable=SC2086
    if cli --read-only $v $args >"$T_DIR/out" 2>"$T_DIR/err" </dev/null; then
        bad+=$'\n'"unyo --read-only $v $args succeeded"
    elif ! grep -qF "$MSG" "$T_DIR/err"; then
        bad+=$'\n'"unyo --read-only $v $args: not the read-only refusal: $(cat "$T_DIR/err")"
    fi
done
WHO=suzuki cli --read-only handover ack >/dev/null 2>"$T_DIR/err" && bad+=$'\n'"handover ack succeeded"
grep -qF "$MSG" "$T_DIR/err" || bad+=$'\n'"handover ack: $(cat "$T_DIR/err")"
[[ -z $bad ]] || t_fail "$bad"
[[ $(dump) == "$before" ]] || t_fail "a refused write changed the store"
[[ ! -e $T_DIR/new.db ]] || t_fail "import made a store"
t_ok "every writing verb is refused with the message, nothing written"

cli --read-only incident list >"$T_DIR/out" 2>&1 || t_fail "incident list: $(cat "$T_DIR/out")"
grep -qF "$IREF" "$T_DIR/out" || t_fail "incident list shows nothing"
cli --read-only report daily --date 2026-11-23 >/dev/null 2>&1 || t_fail "report daily"
cli --read-only audit >/dev/null 2>&1 || t_fail "audit"
cli --read-only jobs schedule --json >/dev/null 2>&1 || t_fail "jobs schedule"
[[ $(dump) == "$before" ]] || t_fail "reading changed the store"
t_ok "the reading verbs work read-only"

# an observer is read-only without the option
WHO=ito cli operator add mori --role observer >/dev/null || t_fail "adding an observer"
before=$(dump)
WHO=mori cli incident step "$IREF" note --note x >/dev/null 2>"$T_DIR/err" &&
    t_fail "an observer wrote a note"
grep -qF "$MSG" "$T_DIR/err" || t_fail "observer: $(cat "$T_DIR/err")"
WHO=mori cli operator add kimura --role operator >/dev/null 2>"$T_DIR/err" &&
    t_fail "an observer added an operator"
grep -qF "$MSG" "$T_DIR/err" || t_fail "observer: $(cat "$T_DIR/err")"
[[ $(dump) == "$before" ]] || t_fail "the observer's refused writes changed the store"
t_ok "an observer is refused every write, nothing written"
