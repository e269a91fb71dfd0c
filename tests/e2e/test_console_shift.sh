#!/usr/bin/env bash
# The shift on a fresh `unyo init` store (not the demo): the status line says nobody
# has started the shift; yamada starts it from the Handover pane and the status line
# shows 山田 太郎 and 早番; `:log` shows the equivalent `unyo shift start early`; an
# operator is registered from the console; an engineer acting through UNYO_USER sees
# their own name and takes the shift over with `:shift` (Tab completes the codes,
# shown by their Japanese names). An unregistered user of `unyo operator add` is told
# who can register them, not to run the command that just failed.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"

# A fresh store instead of the demo's.
rm -f "$T_DB"
cli() { UNYO_USER=$1 UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" --lang ja "${@:2}"; }
cli yamada init >"$T_DIR/init.out" 2>&1 || t_fail "init: $(cat "$T_DIR/init.out")"
grep -qF -- "--role manager" "$T_DIR/init.out" || t_fail "init does not say how to register: $(cat "$T_DIR/init.out")"
cli yamada operator add yamada --role manager --name "山田 太郎" >/dev/null
if cli tanaka operator add tanaka --role operator >"$T_DIR/add.out" 2>&1; then
    t_fail "an unregistered user added an operator"
fi
grep -qF "山田 太郎 (yamada)" "$T_DIR/add.out" || t_fail "the refusal names nobody: $(cat "$T_DIR/add.out")"
if grep -qF "unyo operator add tanaka" "$T_DIR/add.out"; then
    t_fail "the refusal tells tanaka to run the command that failed: $(cat "$T_DIR/add.out")"
fi
t_ok "operator add by an unregistered user names who can register them"

T_USER=yamada
t_start 100 30 --lang ja --pane handover
t_wait "│ 山田 太郎 │ シフト未開始"
t_keys t
t_wait "どのシフトを開始しますか"
t_wait "早番  07:00-15:30"
t_keys Enter
t_wait "山田 太郎が2026-11-23の早番を開始しました（15:30まで）。"
t_wait "│ 山田 太郎 │ 早番"
t_assert_not "シフト未開始"
t_keys :
t_type "log"
t_keys Enter
t_wait "コマンドログ"
t_wait "unyo --db $T_DB shift start early"
t_keys Escape
t_wait_gone "コマンドログ"
t_ok "the shift started from the Handover pane shows on the status line and in :log"

# Registering an engineer from the console (the same core call as unyo operator add).
t_keys o
t_wait "運用者の登録"
t_type "sato"
t_keys Tab
t_type "佐藤 健"
t_keys Tab Right
t_wait "技術者（保守）"
t_keys Enter
t_wait "佐藤 健（sato）を技術者（保守）として登録しました。"
t_keys :
t_type "log"
t_keys Enter
t_wait "operator add sato --role engineer --name '佐藤"
t_keys Escape
t_keys q
t_wait_exit
cli yamada operator list --csv >"$T_DIR/list.out" # the role key: the text shows its label (SE)
grep -q "^sato,佐藤 健,engineer," "$T_DIR/list.out" || t_fail "sato not registered: $(cat "$T_DIR/list.out")"
t_ok "an operator registered from the console"

# The engineer acting through UNYO_USER sees their own name, then takes over.
T_USER=sato
t_start 120 30 --lang ja --pane handover
t_wait "│ 佐藤 健 │ 早番（山田 太郎）"
t_assert_not "│ 山田 太郎 │"
t_keys :
t_type "shift "
t_keys Tab
t_wait "早番 07:00-15:30 (early)"
t_wait "遅番 15:30-24:00 (late)"
t_type "e"
t_keys Tab
t_wait ":shift early"
t_keys Enter
t_wait "佐藤 健が2026-11-23の早番を山田 太郎から引き継ぎました（15:30まで）。"
# "│ 佐藤 健 │ 早番" is also the start of the old "早番（山田 太郎）": wait for that to go
t_wait_gone "早番（山田 太郎）"
t_wait "│ 佐藤 健 │ 早番"
t_keys :
t_type "shift early"
t_keys Enter
t_wait "早番はすでに開始しています"
t_assert_not "早番（山田 太郎）" # and it does not come back with a later refresh
t_keys q
t_wait_exit
cli yamada audit --csv >"$T_DIR/audit.out"
grep -q "sato.*shift.start.*shift=early.*from=yamada" "$T_DIR/audit.out" ||
    t_fail "the take-over is not audited with both names: $(cat "$T_DIR/audit.out")"
t_ok "an engineer via UNYO_USER sees their own name and takes the shift over with :shift"

# The CLI verb gives the same result: yamada takes the shift back, as 遅番.
cli yamada shift start 遅番 >"$T_DIR/late.out" 2>&1 || t_fail "shift start: $(cat "$T_DIR/late.out")"
grep -qF "山田 太郎が2026-11-23の遅番を佐藤 健から引き継ぎました（24:00まで）。" "$T_DIR/late.out" ||
    t_fail "shift start said: $(cat "$T_DIR/late.out")"
t_ok "unyo shift start"

# A take-over from a console whose clock is behind still counts: sato's clock is
# five minutes behind the one yamada started 遅番 with; after sato takes it over,
# starting it again says it is already sato's, not another take-over from yamada.
behind() { UNYO_USER=sato UNYO_NOW=2026-11-23T08:55:00+09:00 "$T_BIN" --db "$T_DB" --lang ja "$@"; }
behind shift start late >"$T_DIR/behind.out" 2>&1 || t_fail "shift start behind: $(cat "$T_DIR/behind.out")"
grep -qF "佐藤 健が2026-11-23の遅番を山田 太郎から引き継ぎました" "$T_DIR/behind.out" ||
    t_fail "the take-over said: $(cat "$T_DIR/behind.out")"
behind shift start late >"$T_DIR/again.out" 2>&1 || true
grep -qF "遅番はすでに開始しています" "$T_DIR/again.out" ||
    t_fail "after sato's take-over, the shift is not sato's: $(cat "$T_DIR/again.out")"
t_ok "a take-over from a console whose clock is behind holds the shift"
