#!/usr/bin/env bash
# Checklist pane: mark OK, NG with a value (and the incident draft), skip with a
# required reason, a note; the NG counter of the status line follows; earlier
# days are browsable.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

run() {
    local lang=$1 w=$2 h=$3
    t_start "$w" "$h" --lang "$lang"
    if [[ $lang == ja ]]; then
        ok1="OK 1、" ng1="NG 1、" skip1="省略 1" draft="インシデントの下書きを作成しますか"
        saved="インシデントの下書き INC-" required="必須です" reason="理由" prev="2026-11-22 (日)"
    else
        ok1="1 OK," ng1="1 NG," skip1="1 skipped" draft="Create an incident draft?"
        saved="Incident draft INC-" required="required" reason="Reason" prev="2026-11-22 (Sun)"
    fi
    t_wait "NG 0 │"
    t_keys o
    t_wait "$ok1"
    t_keys j x
    t_wait "NG: L025"
    t_type "42"
    t_keys Tab
    t_type "ファン異音"
    t_keys Enter
    t_wait "$draft"
    t_wait "NG 1 │" # the status line counter
    t_wait "$ng1"
    t_keys y
    t_wait "$saved"
    t_wait "ファン異音"
    # skip needs a reason
    t_keys j s
    t_wait "$reason"
    t_keys Enter
    t_wait "$required"
    t_type "保守作業のため停止中"
    t_keys Enter
    t_wait "$skip1"
    t_wait "保守作業のため停止中"
    # a note
    t_keys j e
    t_type "再起動後に確認"
    t_keys Enter
    t_wait "再起動後に確認"
    # a value out of range turns NG (server-room temperature, 18–27 °C)
    t_keys /
    t_type "^L032\$|温度|temperature"
    t_keys Enter
    t_wait "L032"
    t_keys v
    t_wait "18"; t_wait "27 °C"
    t_type "31.5"
    t_keys Enter
    t_wait "$draft"
    t_keys n
    t_wait "NG 2 │"
    t_wait "31.5 °C"
    t_keys / Enter
    # an as-needed item added by hand (as-needed templates are listed first)
    t_keys a
    if [[ $lang == ja ]]; then t_wait "この日にチェック項目を追加"; else t_wait "Add a checklist item"; fi
    t_keys Enter
    if [[ $lang == ja ]]; then t_wait "を 2026-11-23 に追加しました"; else t_wait "added to 2026-11-23"; fi
    # yesterday, and back
    t_keys '['
    t_wait "$prev"
    t_keys ']'
    t_wait "$ok1"
    t_keys q
    t_wait_exit
    t_ok "checklist marks at ${w}x$h ($lang)"
}

run en 80 24
# a fresh store for the second language
rm -f "$T_DB" "$T_DB-wal" "$T_DB-shm"
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" demo --no-today --db "$T_DB" >/dev/null 2>&1
marks="SELECT count(*) FROM checklist_events WHERE status IN ('ok','ng','skip')"
n0=$(sqlite3 "$T_DB" "$marks")
run ja 200 60

# the marks are in the ledger, visible headless too
n=$(sqlite3 "$T_DB" "$marks")
((n - n0 == 4)) || t_fail "expected 4 new marks in checklist_events, found $((n - n0))"
t_ok "marks stored"
