#!/usr/bin/env bash
# The Jobs pane in Japanese, a job that needs a host: its definition names a host the
# site lacks and a role three hosts share (AP), so loading does not guess. The row reads
# 対象ホスト未割当 with the role, the header counts it, r refuses it with the way out;
# a opens a chooser of the inventory's hosts (the AP ones first), the question names the
# job and the host, n assigns nothing, y assigns: the row is an ordinary waiting run, the
# store and the audit say so, and :log shows `unyo … jobs assign JOB HOST`. A lists every
# job that needs a host, also one not due today, and assigns it the same way.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T09:00:00+09:00 # a Tuesday, a service day
t_init "$1"
export UNYO_JOB_EXECUTOR=local

cat >"$T_DIR/jobs.ini" <<EOF
[T-NIGHT]
name_ja = 夜間集計（テスト）
name_en = Nightly totals (test)
period = daily
host = site-ap9
role = AP
command = echo '集計 12件'
timeout = 60
expected_start = 01:00

[T-YEAR]
name_ja = 年次集計（テスト）
name_en = Yearly totals (test)
period = yearly
months = 4
monthday = 1
role = AP
command = true
timeout = 60

[T-OTHER]
name_ja = 月次整理（テスト）
name_en = Monthly tidy (test)
period = monthly
monthday = 1
host = misc9
role = other
command = true
timeout = 60

[T-OK]
name_ja = 割当済みのジョブ
name_en = Placed job
period = daily
host = lib-ap01
command = true
timeout = 60
expected_start = 23:00
EOF
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en jobs load --file "$T_DIR/jobs.ini" \
    >"$T_DIR/load.log" 2>&1 || t_fail "jobs load: $(cat "$T_DIR/load.log")"
grep -qF "T-NIGHT needs a host: no host site-ap9 in the inventory, and 3 hosts have the role AP" \
    "$T_DIR/load.log" || t_fail "load did not say why: $(cat "$T_DIR/load.log")"
q() { sqlite3 -cmd ".timeout 10000" "$T_DB" "$1"; } # the pane may be writing: wait, do not read nothing
# The site then has its one host of the role "other" (the demo has none), its role
# arriving as from another console by sync: nothing placed it yet (A does, below).
UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" host add misc1 --address 127.0.0.1 \
    >/dev/null 2>&1 || t_fail "host add misc1"
q "UPDATE hosts SET role = 'other' WHERE name = 'misc1'"

t_start 120 30 --lang ja --pane jobs
t_wait "T-NIGHT"
t_wait "対象ホスト未割当"
t_wait "役割: AP"
t_wait "遅延 1、対象ホスト未割当 1（a で割り当て）"
t_ok "a needs-a-host row: state 対象ホスト未割当, the role, the count in the header"

# r does not run it, and says how to get it running
t_keys r
t_wait "T-NIGHT は対象ホスト未割当です。a でホスト台帳から割り当ててから r で実行してください"
[[ $(q "SELECT state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'T-NIGHT'") == waiting ]] ||
    t_fail "r started a job without a host"
t_ok "r refuses a job that needs a host"
t_keys Enter
t_wait "T-NIGHT@2026-11-24  夜間集計（テスト）"
t_wait "ホスト:     対象ホスト未割当  AP — a で割り当て"
t_keys Escape
t_wait "遅延 1、対象ホスト未割当 1"
t_ok "the run's detail says it needs a host and how to assign one"

# a: the chooser, AP hosts first; n assigns nothing
t_keys a
t_wait "T-NIGHT の対象ホスト（役割: AP）"
t_wait "lib-ap01  AP  10.10.1.11"
t_wait "lib-ap02  AP"
t_wait "lib-db01  DB"
t_keys j Enter
t_wait "ジョブ T-NIGHT（夜間集計（テスト））を今後ホスト lib-ap02 で実行しますか?"
t_keys n
t_wait "T-NIGHT: ホストは割り当てませんでした。"
[[ -z $(q "SELECT host_id FROM jobs WHERE code = 'T-NIGHT'") ]] || t_fail "n assigned a host"
t_ok "a shows the hosts (role first); the question names job and host; n assigns nothing"

t_keys a
t_wait "T-NIGHT の対象ホスト（役割: AP）"
t_keys j Enter
t_wait "ジョブ T-NIGHT（夜間集計（テスト））を今後ホスト lib-ap02 で実行しますか?"
t_keys y
t_wait "T-NIGHT は今後 lib-ap02 で実行されます。r で実行できます。"
t_wait_gone "対象ホスト未割当"
t_wait "lib-ap02"
[[ $(q "SELECT h.name FROM jobs j JOIN hosts h ON h.id = j.host_id WHERE j.code = 'T-NIGHT'") == lib-ap02 ]] ||
    t_fail "the store does not hold the assignment"
[[ $(q "SELECT detail FROM audit WHERE action = 'job.assign'") == "T-NIGHT -> lib-ap02" ]] ||
    t_fail "the assignment is not audited"
t_ok "y assigns: the row is an ordinary waiting run, stored and audited"

t_keys :
t_type "log"
t_keys Enter
t_wait "コマンドログ"
t_wait "unyo --db $T_DB jobs assign T-NIGHT lib-ap02"
t_keys Escape
t_wait_gone "コマンドログ"
t_ok ":log shows the equivalent unyo jobs assign"

# A: every job that needs a host, also those not due today (T-YEAR on April 1st, T-OTHER
# on the 1st); the first item places those whose role has one host (T-OTHER on misc1)
t_keys A
t_wait "対象ホスト未割当のジョブ（2 件）: Enter でホストを選ぶ"
t_wait "→ うち 1 件を役割の唯一のホストへ割り当てる"
t_wait "T-YEAR  年次集計（テスト）"
t_wait "T-OTHER  月次整理（テスト）"
t_keys Enter
t_wait "1 件のジョブを、それぞれの役割（AP、DB など）の唯一のホストに割り当てますか?"
t_keys y
t_wait "1 件を役割の唯一のホストに割り当てました。"
[[ $(q "SELECT h.name FROM jobs j JOIN hosts h ON h.id = j.host_id WHERE j.code = 'T-OTHER'") == misc1 ]] ||
    t_fail "T-OTHER not placed on misc1"
t_keys :
t_type "log"
t_keys Enter
t_wait "unyo --db $T_DB jobs assign --by-role"
t_keys Escape
t_wait_gone "コマンドログ"
t_keys A
t_wait "対象ホスト未割当のジョブ（1 件）: Enter でホストを選ぶ"
t_wait "T-YEAR  年次集計（テスト）"
t_assert_not "→ うち"
t_keys Enter
t_wait "T-YEAR の対象ホスト（役割: AP）"
t_keys Enter
t_wait "ジョブ T-YEAR（年次集計（テスト））を今後ホスト lib-ap01 で実行しますか?"
t_keys y
t_wait "T-YEAR は今後 lib-ap01 で実行されます。r で実行できます。"
[[ $(q "SELECT h.name FROM jobs j JOIN hosts h ON h.id = j.host_id WHERE j.code = 'T-YEAR'") == lib-ap01 ]] ||
    t_fail "T-YEAR not assigned"
t_keys A
t_wait "対象ホスト未割当のジョブはありません"
t_ok "A lists the jobs that need a host whatever their day, and assigns one"

# now it runs
t_keys r
t_wait "T-NIGHT（夜間集計（テスト））を lib-ap02 で今すぐ実行しますか?"
t_keys y
t_wait_cmd "[[ \$(sqlite3 '$T_DB' \"SELECT r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.code = 'T-NIGHT'\") == succeeded ]]" "" "T-NIGHT to succeed"
t_ok "assigned, the job runs"
t_keys q
t_wait_exit
