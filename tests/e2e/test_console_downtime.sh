#!/usr/bin/env bash
# Issue 15, downtimes in the console: D in the Hosts pane puts the selected host in
# downtime in a form (from and to filled with now and an hour on, a reason); the host
# then says "停止中 … まで" in its reach column and p says why; an NG recorded in it
# shows [停止中] in the checklist and opens no draft; the Hosts pane's "NG n" and the
# handover's count leave it out (the handover lists it as NG・停止中).
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
T_NOW=2026-11-24T10:00:00+09:00 # a Tuesday: the library is open
t_init "$1"
u() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang en "$@"; }
q() { sqlite3 "$T_DB" "$1"; }
cat >"$T_DIR/checks.ini" <<'INI'
[disk]
template = L025
command = echo use=95
pattern = use=(?<use>\d+)
condition = use < 80
value = use
unit = %
INI

t_start 130 32 --lang ja --pane hosts
t_keys /
t_type "lib-ad01"
t_keys Enter
t_wait_gone "lib-ap01"
t_keys D
t_wait "lib-ad01 を停止中にする"
t_wait "2026-11-24 11:00"
t_keys Tab Tab
t_type "ディスク交換"
t_keys Enter
t_wait "lib-ad01 は 2026-11-24 11:00 まで停止中です。"
t_wait "停止中 11-24 11:00 まで"
[[ $(q "SELECT reason || '|' || starts_at || '|' || ends_at FROM downtimes") == \
    "ディスク交換|2026-11-24T01:00:00.000Z|2026-11-24T02:00:00.000Z" ]] ||
    t_fail "the form recorded: $(q "SELECT * FROM downtimes")"
t_keys p
t_wait "11-24 11:00 まで停止中: ディスク交換"
t_keys Escape
t_wait_gone "まで停止中: ディスク交換"

# An NG in the downtime: no draft, [停止中] in the checklist.
drafts=$(q "SELECT count(*) FROM incidents")
u check run --checks "$T_DIR/checks.ini" --host lib-ad01 >"$T_DIR/run.out" 2>&1 || true
grep -qF "→ in downtime: ディスク交換" "$T_DIR/run.out" || t_fail "check run: $(cat "$T_DIR/run.out")"
[[ $(q "SELECT count(*) FROM incidents") == "$drafts" ]] || t_fail "the NG in downtime opened a draft"
t_start 130 32 --lang ja --pane checklist
t_wait "[停止中] disk: use=95"
t_wait "（ほかに確認済・停止中の NG 1）" # the header counts it apart
t_start 130 32 --lang ja --pane hosts
t_wait "停止中 11-24 11:00 まで"
t_assert_not "NG 1"
t_start 130 40 --lang ja --pane handover
t_wait "ほかに確認済 0・停止中 1"
t_wait "NG・停止中 L025"
echo "ok - D puts a host in downtime; the pane, p and the checklist say so; no draft"
