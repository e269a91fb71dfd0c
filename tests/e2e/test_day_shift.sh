#!/usr/bin/env bash
# The operator's day, step (a): start the shift, in the Japanese console, on a
# fresh `unyo init` store. Before: the status line says nobody started it; t in
# the Handover pane asks which shift, Enter starts the early shift; the status
# line then shows 山田 太郎 and 早番, and the store records the start.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/day.sh"
day_init "$1" nossh

day_start handover
t_wait "│ 山田 太郎 │ シフト未開始"
day_check "Handover pane before the shift"
t_keys t
t_wait "どのシフトを開始しますか"
# The chooser names each shift by its Japanese name and hours, no code
# (`early` was raw; `:shift 早番` takes the name).
day_check "shift chooser"
t_assert_not "(early)"
t_keys Enter
t_wait "山田 太郎が2026-12-08の早番を開始しました（15:30まで）。"
t_wait "│ 山田 太郎 │ 早番"
t_assert_not "シフト未開始"
day_check "Handover pane after the shift started"
[[ $(day_q "SELECT count(*) FROM audit WHERE action = 'shift.start'") == 1 ]] || t_fail "the shift start is not audited"
t_ok "(a) the shift is started in the console: 山田 太郎 │ 早番"
t_keys q
t_wait_exit
echo "all passed"
