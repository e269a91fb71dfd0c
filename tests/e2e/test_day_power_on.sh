#!/usr/bin/env bash
# The operator's day, step (d): mark the terminals' power-on (L034 利用者検索用端末・
# 業務端末電源投入) done in the Checklist pane: o records OK with the operator and
# the time; the day's counter moves; e adds a note (which branch was late).
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/day.sh"
day_init "$1" nossh

day_start checklist
t_wait "利用者検索用端末・業務端末電源投入"
t_wait "OK 0、"
t_keys /
t_type '^L034$'
t_keys Enter
t_wait "絞り込み /^L034\$/: 1 / "
t_keys o
t_wait_cmd '[[ $(day_q "SELECT e.status FROM checklist_events e JOIN templates t ON t.id = e.template_id WHERE t.code = '"'L034'"'") == ok ]]' 30 "L034 recorded OK"
t_wait "OK 1、"
t_screen | grep "L034" | grep -q "^OK " || t_fail "L034 is not shown OK"
t_screen | grep "L034" | grep -qF "山田 太郎" || t_fail "L034 does not name who marked it"
day_check "Checklist pane after L034 OK"
t_keys e
t_wait "メモ: L034"
t_type "北図書館の2台は9時に再投入"
t_keys Enter
# the typed note is on screen in the prompt before Enter is handled: wait for the
# prompt to go, then for the row's memo (and only then read the store)
t_wait_gone "メモ: L034"
t_wait "北図書館の2台は9時に再"
[[ $(day_q "SELECT count(*) FROM checklist_events WHERE note = '北図書館の2台は9時に再投入'") == 1 ]] || t_fail "the note is not recorded"
t_screen | grep -qF "北図書館の2台は9時に再投入" ||
    t_fail "Checklist pane at 160 columns: the memo 北図書館の2台は9時に再投入 is cut (北図書館の2台は9時に再…) while the item column keeps 90 cells"
day_check "Checklist pane with the note"
t_ok "(d) the terminals' power-on is marked OK (by 山田 太郎, with a note)"
t_keys q
t_wait_exit
echo "all passed"
