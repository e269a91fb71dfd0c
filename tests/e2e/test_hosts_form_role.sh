#!/usr/bin/env bash
# The Hosts form places the jobs waiting for a role (the CLI's side is
# e2e.test_jobs_role_cli). Two jobs name a host the site lacks and the role その他,
# which no demo host has: the Jobs pane shows them 対象ホスト未割当. A host added in
# the Hosts pane with the role その他 is that role's only host: the form's message says
# in Japanese how many jobs now run on it, the store holds them on it, and the Jobs
# pane shows them on that host with nothing left unassigned.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"

cat >"$T_DIR/jobs.ini" <<EOF
[T-MISC1]
name_ja = 雑務集計（テスト）
name_en = Misc totals (test)
period = daily
host = misc9
role = other
command = true
timeout = 60
expected_start = 23:00

[T-MISC2]
name_ja = 雑務整理（テスト）
name_en = Misc tidy (test)
period = daily
host = misc9
role = other
command = true
timeout = 60
expected_start = 23:30
EOF
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en jobs load --file "$T_DIR/jobs.ini" \
    >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"
grep -qF "T-MISC1 needs a host" "$T_DIR/load.log" || t_fail "T-MISC1 does not wait for a host: $(cat "$T_DIR/load.log")"
q() { sqlite3 -cmd ".timeout 10000" "$T_DB" "$1"; } # the pane may be writing: wait, do not read nothing
[[ $(q "SELECT count(*) FROM hosts WHERE role = 'other'") == 0 ]] || t_fail "the demo has a host of role other"
# Whether the screen's row of a job holds a text.
row_has() { t_screen | grep -F -- "$1" | grep -qF -- "$2"; }

t_start 120 30 --lang ja --pane jobs
t_wait "T-MISC1"
t_wait "T-MISC2"
row_has T-MISC1 "対象ホスト未割当" || t_fail "T-MISC1 is not shown as needing a host"
row_has T-MISC2 "対象ホスト未割当" || t_fail "T-MISC2 is not shown as needing a host"
t_ok "the Jobs pane shows both jobs needing a host"

t_keys :
t_type "pane hosts"
t_keys Enter
t_wait "lib-bk01"
t_keys a
t_wait "ホストの追加"
t_type "misc1"
t_keys Tab
t_type "127.0.0.5"
t_keys Tab
t_keys Left # the role chosen on the form: ネットワーク, then その他
t_wait "◀ ネットワーク ▶"
t_keys Right
t_wait "◀ その他 ▶"
t_keys Enter
t_wait "ホスト misc1 を保存しました。この役割のホストを待っていたジョブ 2 件をこのホストに割り当てました"
t_wait_gone "ホストの追加"
[[ $(q "SELECT role FROM hosts WHERE name = 'misc1'") == other ]] || t_fail "misc1 is not stored with the role other"
[[ $(q "SELECT count(*) FROM jobs j JOIN hosts h ON h.id = j.host_id WHERE h.name = 'misc1' AND j.code LIKE 'T-MISC%'") == 2 ]] ||
    t_fail "the store does not hold both jobs on misc1"
t_ok "adding a host with the role places the jobs waiting for it, and the form says how many, in Japanese"

t_keys :
t_type "pane jobs"
t_keys Enter
t_wait "T-MISC1"
t_wait_cmd 'row_has T-MISC1 misc1 && row_has T-MISC2 misc1' "" "the Jobs pane to show T-MISC1 and T-MISC2 on misc1"
row_has T-MISC1 "対象ホスト未割当" && t_fail "T-MISC1 still shown as needing a host"
row_has T-MISC2 "対象ホスト未割当" && t_fail "T-MISC2 still shown as needing a host"
t_ok "the Jobs pane shows the jobs on misc1"
t_keys q
t_wait_exit
