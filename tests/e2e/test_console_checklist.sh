#!/usr/bin/env bash
# Checklist pane: mark OK, NG with a value (and the incident draft), skip with a
# required reason, a note; the NG counter of the status line follows; earlier
# days are browsable.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

# The row of host $1 shows $2.
row_has() {
    local deadline=$((SECONDS + T_TIMEOUT))
    while ((SECONDS < deadline)); do
        t_screen | grep -F -- " $1 " | grep -qF -- "$2" && return 0
        sleep 0.05
    done
    t_fail "the row of $1 does not show $2"
}

run() {
    local lang=$1 w=$2 h=$3
    t_start "$w" "$h" --lang "$lang"
    if [[ $lang == ja ]]; then
        ok1="OK 1、" ng1="NG 1、" skip1="省略 1" draft="インシデントの下書きを作成しますか"
        saved="インシデントの下書き INC-" required="必須です" reason="理由" prev="2026-11-22 (日)"
        l025="定常監視" ng1host="NG 1: lib-ad01"
    else
        ok1="1 OK," ng1="1 NG," skip1="1 skipped" draft="Create an incident draft?"
        saved="Incident draft INC-" required="required" reason="Reason" prev="2026-11-22 (Sun)"
        l025="Server alive" ng1host="NG 1:" # 80 columns: the name of the host is cut
    fi
    t_wait "NG 0 │"
    # one row per item: L025's hosts are under it (0 of 10 OK, all to do), opened
    # with Enter; the marks go on the host rows
    t_wait "0/10 OK"
    t_wait "▸ $l025"
    t_assert_not "core-sw01"
    t_keys Enter
    t_wait "▾ $l025"
    t_wait "core-sw01"
    t_keys j o
    t_wait "$ok1"
    t_wait "1/10 OK"
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
    # the item's row counts its NG host and names it
    t_wait "$ng1host"
    # skip needs a reason
    t_keys j s
    t_wait "$reason"
    t_keys Enter
    t_wait "$required"
    t_type "保守作業のため停止中"
    t_keys Enter
    t_wait "$skip1"
    t_wait "保守作業のため停止中"
    # the list sizes its columns by content: at 200 columns the row shows the
    # reason whole, at 80 its start (and the message all of it)
    if ((w >= 200)); then row_has lib-ap01 "保守作業のため停止中"; else row_has lib-ap01 "保守作業"; fi
    # a note
    t_keys j e
    t_type "再起動後に確認"
    t_keys Enter
    t_wait "再起動後に確認"
    if ((w >= 200)); then row_has lib-ap02 "再起動後に確認"; else row_has lib-ap02 "再起動"; fi
    # a value out of range turns NG (server-room temperature, 18–27 °C)
    t_keys /
    t_type "^L032\$|温度|temperature"
    t_keys Enter
    # the footer names the filter once applied (the typed pattern shows L032 before)
    if [[ $lang == ja ]]; then t_wait "絞り込み /^L032\$|温度|temperature/: "; else t_wait "filter /^L032\$|温度|temperature/: "; fi
    t_wait "L032"
    t_keys v
    t_wait "18"; t_wait "27 °C"
    t_type "31.5"
    t_keys Enter
    t_wait "$draft"
    t_keys n
    t_wait_gone "$draft" # "NG 2 │" is on screen once the value is saved, before n
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
