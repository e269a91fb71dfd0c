#!/usr/bin/env bash
# Safe keys: C-c in a form with input asks like Esc; the incident draft chooser offers a
# new intake first and the drafts newest first, G goes to the last, d discards a draft
# after a question naming it (n keeps it, y tombstones it, audited); leaving a resumed
# draft can really discard it; drafts are not counted as open in the status bar, as the
# list's status=open does not show them; `unyo incident discard` and `unyo handover withdraw`.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
q() { sqlite3 "$T_DB" "$1"; }
cli() { UNYO_USER=$T_USER UNYO_NOW=${NOW:-$T_NOW} "$T_BIN" --db "$T_DB" --lang en "$@"; }

open_before=$(q "SELECT count(*) FROM incidents WHERE deleted = 0 AND status NOT IN ('draft', 'recovered', 'closed')")
draft() { # draft TITLE NOW
    NOW=$2 cli incident new --draft --library CEN --channel phone --title "$1" --impact 2 \
        --urgency 2 >"$T_DIR/new.log" 2>&1 || t_fail "incident new --draft: $(cat "$T_DIR/new.log")"
}
draft "古い下書き（プリンタ）" 2026-11-23T08:00:00+09:00
draft "中の下書き（無線LAN）" 2026-11-23T08:20:00+09:00
draft "新しい下書き（OPAC）" 2026-11-23T08:40:00+09:00
ref_of() { q "SELECT ref FROM incidents WHERE title = '$1'"; }
OLD=$(ref_of "古い下書き（プリンタ）") MID=$(ref_of "中の下書き（無線LAN）") NEW=$(ref_of "新しい下書き（OPAC）")

# ---- the status bar counts what the list shows: drafts are not open incidents ----
t_start 160 50 --lang en --pane incidents
t_wait "[Incidents] Inquiries Problems"
t_wait "│ open $open_before │"
t_ok "the status bar's open count ($open_before) leaves the 3 drafts out, as the list's status=open does"

# ---- the chooser: new intake first, drafts newest first; G; d asks, n keeps, y discards ----
t_keys +
t_wait "Unfinished drafts (Enter opens, d discards)"
scr=$(t_screen)
l_new=$(grep -n "│ New incident" <<<"$scr" | head -1 | cut -d: -f1)
l_n=$(grep -n "Resume draft $NEW" <<<"$scr" | head -1 | cut -d: -f1)
l_m=$(grep -n "Resume draft $MID" <<<"$scr" | head -1 | cut -d: -f1)
l_o=$(grep -n "Resume draft $OLD" <<<"$scr" | head -1 | cut -d: -f1)
((l_new < l_n && l_n < l_m && l_m < l_o)) || t_fail "chooser order: new $l_new, $NEW $l_n, $MID $l_m, $OLD $l_o"
t_ok "the chooser lists a new intake first, then the drafts newest first"
t_keys G d # the last one: the oldest draft
t_wait "Discard the draft $OLD \"古い下書き（プリンタ）\"?"
t_keys n
t_wait_gone "Discard the draft $OLD" # the chooser's title is on screen under the question
t_wait "Unfinished drafts" # back to the chooser
[[ $(q "SELECT deleted FROM incidents WHERE ref = '$OLD'") == 0 ]] || t_fail "n discarded $OLD"
t_keys G d
t_wait "Discard the draft $OLD"
t_keys y
t_wait "The draft $OLD is discarded."
[[ $(q "SELECT deleted FROM incidents WHERE ref = '$OLD'") == 1 ]] || t_fail "y did not discard $OLD"
[[ $(q "SELECT count(*) FROM audit WHERE action = 'incident.discard' AND detail = '$OLD'") == 1 ]] ||
    t_fail "the discard is not audited"
t_wait "Unfinished drafts"
t_assert_not "Resume draft $OLD"
t_ok "G reaches the last draft; d asks naming it; n keeps it, y discards it (audited)"

# ---- leaving a resumed draft: Esc offers keep / discard / back; discard is real ----
t_keys j Enter # the newest draft
t_wait "New incident (draft $NEW)"
t_keys Tab Tab Tab
t_type "追記"
t_keys C-c # C-c asks, like Esc
t_wait "Leave the intake of draft $NEW"
t_wait "Keep the draft $NEW and leave"
t_keys Escape # back to the form
t_wait_gone "Leave the intake"
t_wait "New incident (draft $NEW)"
t_keys Escape
t_wait "Discard the draft $NEW (thrown away"
t_keys j Enter
t_wait "The draft $NEW is discarded."
[[ $(q "SELECT deleted FROM incidents WHERE ref = '$NEW'") == 1 ]] || t_fail "discard did not discard $NEW"
t_keys +
t_wait "Unfinished drafts"
t_assert_not "Resume draft $NEW"
t_wait "Resume draft $MID"
t_keys Escape
t_wait_gone "Unfinished drafts"
t_ok "Esc / C-c on a resumed draft: back keeps the form, discard really discards it"

# ---- C-c in an ordinary form with input asks; n keeps the text, y closes ----
t_keys 4
t_wait "Change requests"
t_keys +
t_wait "New change request"
t_type "資料課"
t_keys C-c
t_wait "Discard what you typed? (y/n)"
t_keys n
t_wait_gone "(y/n)"
t_wait "資料課"
t_keys C-c
t_wait "(y/n)"
t_keys y
t_wait_gone "New change request"
t_ok "C-c in a form with input asks first, like Esc"
t_keys q
t_wait_exit

# ---- the CLI: incident discard, handover withdraw ----
cli incident discard "$MID" >"$T_DIR/d.log" 2>&1 || t_fail "incident discard: $(cat "$T_DIR/d.log")"
[[ $(q "SELECT deleted FROM incidents WHERE ref = '$MID'") == 1 ]] || t_fail "CLI discard"
ref=$(q "SELECT ref FROM incidents WHERE deleted = 0 AND status <> 'draft' LIMIT 1")
if cli incident discard "$ref" >"$T_DIR/d2.log" 2>&1; then t_fail "discarded a non-draft"; fi
grep -q "only a draft can be discarded" "$T_DIR/d2.log" || t_fail "refusal: $(cat "$T_DIR/d2.log")"
cli handover sign --note "夜間バックアップ注意" --to suzuki --todo "UPS業者に折り返し" >/dev/null 2>&1 ||
    t_fail "handover sign"
cli handover withdraw >"$T_DIR/w.log" 2>&1 || t_fail "handover withdraw: $(cat "$T_DIR/w.log")"
grep -q "Note: 夜間バックアップ注意" "$T_DIR/w.log" && grep -q "To-do: UPS業者に折り返し" "$T_DIR/w.log" ||
    t_fail "withdraw did not print the text: $(cat "$T_DIR/w.log")"
[[ $(q "SELECT count(*) FROM handovers WHERE deleted = 0") == 0 ]] || t_fail "withdraw left the handover"
t_ok "unyo incident discard REF (drafts only) and unyo handover withdraw (prints the text)"
