#!/usr/bin/env bash
# The operator's day, steps (e) to (g), chained on one incident:
# (e) a fault phoned in from a branch (東図書館): + in the Incidents pane, the
#     intake form, saved (受付). The keystrokes from + to saved are counted and
#     printed (issue 13's closing note asks for them);
# (f) isolate (i, with what was found) and escalate (e, to the engineer 鈴木 一郎);
# (g) recover (r) and notify the library (T, asked first, then whom).
# Each step is asserted on screen and in the store.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/day.sh"
day_init "$1" nossh
ev() { day_q "SELECT count(*) FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.ref = '$REF' AND e.kind = '$1'"; }

day_start incidents
t_wait "受付（JST）"
# ---- (e) the phone intake, counted from the first key to saved ----
day_k +
t_wait "インシデント受付"
t_wait "受付経路           ◀ 電話 ▶" # the channel starts at 電話
# The screen without the status line, whose clock may turn a minute meanwhile: a
# change there taken for the Right's would send another Right, past 東図書館.
body() { t_screen | sed '$d'; }
for _ in $(seq 1 20); do # 図書館: → until 東図書館 (中央図書館 → 駅前分館 → 東図書館 today)
    t_screen | grep -qF "◀ 東図書館 ▶" && break
    # shellcheck disable=SC2034 # read by the condition t_wait_cmd evaluates
    s=$(body)
    day_k Right
    t_wait_cmd '[[ "$(body)" != "$s" ]]' 30 "Right changes the library"
done
t_wait "◀ 東図書館 ▶"
day_k Tab Tab # → 報告者
day_ty "東図書館 田中"
day_k Tab
day_ty "貸出端末が固まる"
day_k Tab
day_ty "カウンター2番の業務端末が再起動しても固まる"
day_k Tab Tab Tab Tab # 分類, 影響度, 緊急度 as they are → 対象機器 (the last field)
day_k Enter           # saves
t_wait "を受け付けました"
REF=$(day_q "SELECT ref FROM incidents WHERE title = '貸出端末が固まる'")
[[ -n $REF ]] || t_fail "the intake was not saved"
t_wait "$REF を受け付けました"
[[ $(day_q "SELECT i.status || ' ' || i.channel || ' ' || l.code FROM incidents i JOIN libraries l ON l.id = i.library_id WHERE i.ref = '$REF'") == "received phone HIG" ]] ||
    t_fail "$REF: $(day_q "SELECT status, channel FROM incidents WHERE ref = '$REF'")"
echo "# phone intake keystrokes, + to saved: $DAY_KEYS keys + $DAY_CHARS characters typed = $((DAY_KEYS + DAY_CHARS))"
t_wait "│ 未解決 1 │"
day_check "Incidents pane after the intake"
t_ok "(e) the phoned-in fault is saved as $REF ($DAY_KEYS keys and $DAY_CHARS characters)"

# ---- (f) isolate and escalate, from the incident's detail ----
t_keys /
t_type "$REF"
t_keys Enter
t_wait "に一致"
t_screen | grep -q "^$REF " ||
    t_fail "Incidents pane: / $REF (the incident number) matches nothing; the filter does not search the number column"
t_wait "1 / 1 件"
t_keys Enter
t_wait "経過記録"
t_screen | grep -q "^ *$REF " || t_fail "the detail is not $REF's"
day_check "incident detail"
t_keys i
t_wait "メモ（確認結果、任意）" # the prompt (メモ alone may be on the detail already)
day_check "isolate prompt"
t_type "端末のLANケーブル抜け、差し直しても固まる"
t_keys Enter
t_wait_cmd '[[ $(ev isolated) == 1 ]]' 30 "isolated recorded"
t_keys e
t_wait "鈴木 一郎"
day_check "escalation prompt"
t_keys Enter
t_wait_cmd '[[ $(ev escalated) == 1 ]]' 30 "escalated recorded"
t_wait "鈴木 一郎 にエスカレーションしました"
t_wait "担当: 鈴木 一郎"
day_check "incident detail after isolate and escalate"
t_ok "(f) $REF isolated and escalated to 鈴木 一郎 in the console"

t_screen | grep -qF "suzuki にエスカレーションしました" &&
    t_fail "incident detail, e: the message names the login (suzuki にエスカレーションしました), not 鈴木 一郎"

# ---- (g) recover and notify ----
# The first response comes before recovery (r right after e is refused).
t_keys f
t_wait "1次対応"
t_wait "メモ（実施内容、任意）" # the prompt: the detail's SLA lines name 1次対応 before f
day_check "first response prompt"
t_keys Enter
t_wait_cmd '[[ $(ev first_response) == 1 ]]' 30 "first response recorded"
t_keys r
t_wait "復旧"
t_wait "メモ（任意）" # the prompt: 復旧 is on the detail before r
day_check "recovery prompt"
t_keys Enter
t_wait_cmd '[[ $(ev recovered) == 1 ]]' 30 "recovered recorded"
t_keys T
t_wait "(y/n)"
day_check "notify question"
t_keys y
t_wait "連絡した相手"
t_type "東図書館 田中"
t_keys Enter
t_wait_cmd '[[ $(ev notified) == 1 ]]' 30 "notified recorded"
t_wait "東図書館 田中"
day_check "incident detail after recover and notify"
[[ $(day_q "SELECT status FROM incidents WHERE ref = '$REF'") == recovered ]] ||
    t_fail "$REF status: $(day_q "SELECT status FROM incidents WHERE ref = '$REF'")"
t_ok "(g) $REF recovered and the library notified in the console"
t_keys Escape
t_keys q
t_wait_exit
echo "all passed"
