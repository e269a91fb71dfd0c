#!/usr/bin/env bash
# Issue 11 §3 in the console: a row the central database refuses no longer
# leaves the status line in "sync error" for ever; the console syncs the rest
# and counts the set-aside row on the status line (English and Japanese).
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/pg.sh"
t_init "$1"
cleanup_hooks=()
pg_start
trap 'for h in "${cleanup_hooks[@]}"; do $h || true; done; t_cleanup' EXIT
T_TIMEOUT=60

"$T_BIN" central init --url "$UNYO_TEST_PGURL" --db "$T_DB" >/dev/null
printf '[sync]\nurl = %s\ninterval = 2\n' "$UNYO_TEST_PGURL" >"$XDG_CONFIG_HOME/unyo/config.ini"
chmod 600 "$XDG_CONFIG_HOME/unyo/config.ini"
origin=$(sqlite3 "$T_DB" "SELECT value FROM local_meta WHERE key = 'origin'")
# A check's output with \377 as an older unyo stored it (straight through SQLite).
sqlite3 "$T_DB" "INSERT INTO audit(id, at, action, kind, detail, hlc, origin) VALUES \
('01JPOISON0000000000000000C', '2026-11-23T00:00:00.000Z', 'check.run', 'checklist_events', \
CAST(X'6370752034FF' AS TEXT), 1, '$origin')"

t_start 160 30 --lang en
t_wait "1 set aside"
t_ok "the status line counts the set-aside row"
t_assert_not "sync error"
[[ $(pg_psql "SELECT count(*) FROM unyo.incidents") -gt 0 ]] || t_fail "nothing else was sent"
t_ok "everything else reached the central database"

t_start 160 30 --lang ja
t_wait "保留 1 件"
t_ok "the status line in Japanese"
echo "all passed"
