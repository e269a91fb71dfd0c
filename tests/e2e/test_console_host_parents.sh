#!/usr/bin/env bash
# Issue 15, dependencies in the console: P in the Hosts pane sets lib-ad01's parent
# core-sw01 in a form. core-sw01 cannot be
# reached (a closed port) in the same round; lib-ad01's NG is then recorded
# unreachable via core-sw01 with no draft (one draft: core-sw01's), the Hosts pane's reach
# column says "到達不能（core-sw01 経由）" and p lists the parents; the checklist
# marks the reason.
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

# P in the Hosts pane sets the parents in a form (a Japanese comma is a comma).
t_start 130 32 --lang ja --pane hosts
t_keys /
t_type "lib-ad01"
t_keys Enter
t_wait_gone "lib-ap01"
t_keys P
t_wait "lib-ad01 の親ホスト"
t_type "core-sw01、"
t_keys Enter
t_wait "lib-ad01 の親ホストを設定しました。"
[[ $(u host parents lib-ad01 --json) == *'"parent": "core-sw01"'* ]] || t_fail "P did not set: $(u host parents lib-ad01)"
# core-sw01 is down: reached over SSH at a port nothing listens on (refused at once).
u host edit core-sw01 --transport ssh --address 127.0.0.1 --port 1 --ssh-alias "" >/dev/null ||
    t_fail "host edit core-sw01"
drafts=$(q "SELECT count(*) FROM incidents")
u check run --checks "$T_DIR/checks.ini" --host 'core-sw01,lib-ad01' --timeout 60 >"$T_DIR/run.out" 2>&1 || true
grep -qF "→ unreachable via core-sw01: no draft" "$T_DIR/run.out" || t_fail "check run: $(cat "$T_DIR/run.out")"
grep -qF "(behind it: lib-ad01)" "$T_DIR/run.out" || t_fail "check run: $(cat "$T_DIR/run.out")"
[[ $(q "SELECT count(*) FROM incidents") == $((drafts + 1)) ]] ||
    t_fail "one draft (core-sw01's) expected: $((drafts + 1)) != $(q "SELECT count(*) FROM incidents")"

t_start 130 32 --lang ja --pane hosts
t_keys /
t_type "lib-ad01"
t_keys Enter
t_wait_gone "lib-ap01"
t_wait "到達不能（core-sw01 経由）"
t_keys p
t_wait "親ホスト: core-sw01"
t_wait "到達不能（core-sw01 経由）: 個別の下書きなし"
t_keys Escape
t_wait_gone "親ホスト: core-sw01"
t_start 130 32 --lang ja --pane checklist
t_wait "[到達不能（core-sw01 経由）] disk"
echo "ok - a host behind a down parent reads unreachable via it in the Hosts pane and the checklist; no draft"
