#!/usr/bin/env bash
# The Incidents pane: intake by keyboard only, the priority shown live, a step-by-step workflow from the detail
# (isolated, escalated to an engineer, first response, recovered, library
# notified after a y/n question, closed) seen
# in the timeline and the list, the incident in `unyo report daily`; a draft
# survives killing the console and is offered on reopen; an inquiry drafted by
# an operator cannot be approved by that operator, and is by an engineer;
# `:filter status=…` narrows the list by fields.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
q() { sqlite3 "$T_DB" "$1"; }

# ---- intake, keyboard only ----
t_start 160 50 --lang en --pane incidents
t_wait "[Incidents] Inquiries Problems"
t_keys +
t_wait "New incident"
t_wait "Priority           P3" # impact 2 × urgency 2
t_keys Tab Tab # library (central first), channel (phone) -> reporter
t_type "中央館 鈴木"
t_keys Tab
t_type "OPAC端末が起動しない"
t_wait "OPAC端末が起動しない"
t_keys Tab
t_type "2階の蔵書検索端末、電源は入る"
t_keys Tab Right Tab # category: next one
t_type 1
t_keys Tab
t_type 1
t_wait "Priority           P1" # shown live
t_keys Tab Space               # the first host
t_wait "= "
t_keys Enter # Enter on the last field saves
# (not t_wait "received": the list's footer "sorted by received" shows it already)
saved_ref() { q "SELECT ref FROM incidents WHERE title = 'OPAC端末が起動しない' AND status = 'received'"; }
# shellcheck disable=SC2016 # t_wait_cmd evaluates the condition
t_wait_cmd '[[ -n $(saved_ref) ]]' "" "the incident was saved"
ref=$(saved_ref)
t_wait "$ref received"
[[ $(q "SELECT priority || reporter FROM incidents WHERE ref = '$ref'") == "P1中央館 鈴木" ]] ||
    t_fail "priority or reporter wrong: $(q "SELECT priority, reporter FROM incidents WHERE ref = '$ref'")"
[[ $(q "SELECT count(*) FROM links WHERE from_id = (SELECT id FROM incidents WHERE ref = '$ref')
        AND to_kind = 'host'") == 1 ]] || t_fail "the host was not linked"
t_wait "$ref"
t_ok "intake by keyboard (P1 live)"

# ---- the workflow from the detail ----
t_keys g Enter
t_wait "Timeline"
t_wait "$ref"
t_keys i
t_wait "Note (what was found"
t_type "LANケーブル抜け"
t_keys Enter
t_wait "isolated recorded"
t_keys e
t_wait "escalate to"
t_keys Enter # the first engineer
t_wait "escalated to"
t_wait "Assignee: 佐藤 健"
t_keys f
t_wait "first response"
t_wait "Note (what was done" # the prompt: the detail's SLA lines name first response before f
t_keys Enter
t_wait "first response recorded"
t_keys r Enter
t_wait "recovered recorded"
# T (library notified) cannot be undone: it asks first, naming the incident
t_keys T
t_wait "$ref: record that the library was notified? It cannot be undone. (y/n)"
t_keys n
t_wait_gone "record that the library was notified"
[[ -z $(q "SELECT notified_to FROM incidents WHERE ref = '$ref'") ]] || t_fail "notified recorded after n"
t_keys T
t_wait "$ref: record that the library was notified?"
t_keys y
t_wait "Told whom"
t_type "中央館 鈴木"
t_keys Enter
notified_to() { q "SELECT notified_to FROM incidents WHERE ref = '$ref'"; }
# shellcheck disable=SC2016 # t_wait_cmd evaluates the condition
t_wait_cmd '[[ $(notified_to) == "中央館 鈴木" ]]' "" "notified recorded after y"
t_wait "Notified: 中央館 鈴木"
t_keys c Enter
t_wait "closed recorded"
for step in isolated escalated "first response" recovered closed "LANケーブル抜け"; do
    t_screen | grep -q -- "  $step\|$step" || t_fail "timeline lacks $step"
done
t_screen | grep -q "recovery .*met" || t_fail "the SLA recovery step is not shown met"
# a refusal from the core shows as a message
t_keys f Enter
t_wait "first response is not allowed while closed"
t_keys Escape 2>/dev/null || true
t_keys Escape
t_wait "sorted by received"
t_screen | grep "$ref" | grep -q "closed" || t_fail "the list does not show $ref closed"
t_ok "isolated, escalated, first response, recovered, closed: timeline and list"

# ---- field filter and inbox ----
t_keys :
t_type "filter status=closed priority=P1"
t_keys Enter
t_wait "incidents for status=closed priority=P1"
t_wait "$ref"
t_keys Escape
t_wait "sorted by received"
t_ok ":filter status=closed priority=P1"

# full-text search (trigram index) and the inbox
t_keys s
t_wait "Full-text search"
t_type "起動しない"
t_keys Enter
t_wait 'incidents for search "起動しない"'
t_wait "$ref"
t_keys Escape
t_wait "sorted by received"
t_keys I
t_wait "incidents for inbox of yamada"
t_keys Escape
t_wait "sorted by received"
t_ok "s searches the full text, I shows the inbox"

report=$(UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" report daily 2026-11-23 --db "$T_DB" --lang en)
grep -q "$ref" <<<"$report" || grep -q "OPAC端末が起動しない" <<<"$report" ||
    t_fail "the incident is not in the daily report: $report"
t_ok "the incident is in unyo report daily"

# ---- a draft survives killing the console ----
t_keys +
t_wait "New incident"
t_keys Tab Tab Tab
t_type "停電後に業務サーバが起動しない"
t_keys Tab # a change of field saves the draft
t_type "UPS切替後"
# the autosave timer (3 s) saves typing without a change of field
t_wait_cmd 'q "SELECT description FROM incidents WHERE status = '"'draft'"'" | grep -q "UPS切替後"' "" \
    "the draft saved while typing (autosave)"
t_tmux kill-session -t 0
t_start 160 50 --lang en --pane incidents
t_wait "unfinished incident drafts: 1"
t_keys +
t_wait "Resume draft"
t_wait "停電後に業務サーバが起動しない"
t_keys G Enter # a new intake is at the top, the drafts below it
t_wait "New incident (draft INC-"
t_wait "UPS切替後"
t_keys Escape
t_wait "Keep the draft"
t_keys Enter
t_wait "stays"
t_ok "a draft survives killing the console and is offered again"

# ---- an inquiry: the operator drafts, cannot approve; an engineer approves ----
t_keys v
t_wait "Incidents [Inquiries] Problems"
t_keys +
t_wait "New inquiry"
t_keys Tab Tab
t_type "西館 田村"
t_keys Tab
t_type "予約の取り置き期間を知りたい"
t_keys Tab
t_type "利用者から取り置き期間の問い合わせ"
t_keys Enter
inquiry_ref() { q "SELECT ref FROM inquiries WHERE title = '予約の取り置き期間を知りたい'"; }
# shellcheck disable=SC2016 # t_wait_cmd evaluates the condition
t_wait_cmd '[[ -n $(inquiry_ref) ]]' "" "the inquiry was saved"
iq=$(inquiry_ref)
t_keys g Enter
t_wait "$iq"
t_keys i
t_wait "investigating recorded"
t_keys d
t_wait "Answer"
t_type "取り置き期間は7日間です。"
t_keys Enter
t_wait "saved"
t_keys a
t_wait "$iq: approve" # the prompt's title (the detail's key line says approve too)
t_keys Enter
t_wait "only an engineer may approve this inquiry"
t_keys Escape
t_keys q
t_wait_exit
[[ $(q "SELECT status FROM inquiries WHERE ref = '$iq'") == drafted ]] || t_fail "self-approval was not refused"
t_ok "the operator's own draft cannot be approved by the operator (message shown)"

# ---- a problem: created, root cause recorded, incident linked ----
t_start 160 50 --lang en --pane incidents
t_wait "[Incidents]"
t_keys v v
t_wait "Incidents Inquiries [Problems]"
t_keys +
t_wait "New problem"
t_type "OPAC端末の起動不良が続く"
t_keys Enter
problem_ref() { q "SELECT ref FROM problems WHERE title = 'OPAC端末の起動不良が続く'"; }
# shellcheck disable=SC2016 # t_wait_cmd evaluates the condition
t_wait_cmd '[[ -n $(problem_ref) ]]' "" "the problem was saved"
pq=$(problem_ref)
t_wait "$pq created"
t_keys g Enter
t_wait "$pq"
t_keys R
t_wait "Root cause"
t_type "電源ユニットの劣化"
t_keys Enter
t_wait "saved"
t_keys L
t_type "$ref"
t_keys Enter
t_wait "OPAC端末が起動しない"
t_screen | grep -q "電源ユニットの劣化" || t_fail "the root cause is not shown"
t_keys q
t_wait_exit
t_ok "a problem: root cause, linked incident"

T_USER=sato t_start 160 50 --lang en --pane incidents
t_wait "[Incidents]"
t_keys v
t_wait "$iq"
t_keys g Enter
t_wait "Draft answer (by yamada)"
t_keys a
t_wait "$iq: approve" # the prompt's title (the detail's key line says approve too)
t_keys Enter
t_wait "saved"
t_wait "approved"
[[ $(q "SELECT status FROM inquiries WHERE ref = '$iq'") == approved ]] || t_fail "the engineer's approval was not saved"
t_keys q
t_wait_exit
t_ok "an engineer approves the operator's draft"
