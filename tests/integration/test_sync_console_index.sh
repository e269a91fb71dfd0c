#!/usr/bin/env bash
# A console whose background sync pulls a large backlog rebuilds the search
# index itself afterwards (issue 16), with no CLI involved: the worker's pull
# commits the rows with the index suspended, the console's counters find it
# due and a background thread rebuilds it; a pulled incident is then in the
# index and the status line carries no 索引作成中 mark.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/pg.sh"
t_init "$1"
cleanup_hooks=()
pg_start
trap 'for h in "${cleanup_hooks[@]}"; do $h || true; done; t_cleanup' EXIT
T_TIMEOUT=120

# Another console's backlog in the central database.
A=$T_DIR/a.db
"$T_BIN" init --db "$A" >/dev/null
UNYO_USER=$T_USER "$T_BIN" operator add "$T_USER" --role operator --db "$A" >/dev/null
"$T_BIN" central init --url "$UNYO_TEST_PGURL" --db "$A" >/dev/null
UNYO_USER=$T_USER "$T_BIN" demo --generate 5000 --db "$A" >/dev/null 2>&1
UNYO_USER=$T_USER "$T_BIN" incident new --library CEN --channel phone \
    --title "quokkagate sensor jammed" --impact 2 --urgency 2 --db "$A" >/dev/null
UNYO_USER=$T_USER "$T_BIN" sync --url "$UNYO_TEST_PGURL" --db "$A" >/dev/null

printf '[sync]\nurl = %s\ninterval = 600\n' "$UNYO_TEST_PGURL" >"$XDG_CONFIG_HOME/unyo/config.ini"
pulled() { sqlite3 "$T_DB" "SELECT count(*) FROM incidents WHERE title = 'quokkagate sensor jammed'"; }
indexed() { sqlite3 "$T_DB" "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"quokkagate\"'"; }
waiting() { sqlite3 "$T_DB" "SELECT (SELECT count(*) FROM local_meta WHERE key = 'search_suspended_triggers') + (SELECT count(*) FROM local_sync_meta WHERE key = 'search_suspended' AND value IS NOT NULL)"; }

export UNYO_SYNC_TRACE=1 # the console's stderr (a file) says when it rebuilt
t_start 200 40 --lang ja
t_wait_cmd '[[ $(pulled) == 1 ]]' "$T_TIMEOUT" "the console's round pulling the backlog"
t_ok "the console's background round pulled the backlog"
t_wait_cmd '[[ $(waiting) == 0 && $(indexed) == 1 ]]' "$T_TIMEOUT" "the console rebuilding the search index"
t_wait "同期済み"
t_wait_gone "索引作成中"
grep -q "index: built" "$T_DIR/stderr" || t_fail "the console did not rebuild the index: $(cat "$T_DIR/stderr")"
t_ok "the console rebuilt the search index after its pull; the mark is gone"
ref=$(sqlite3 "$T_DB" "SELECT ref FROM incidents WHERE title = 'quokkagate sensor jammed'")
out=$(UNYO_USER=$T_USER "$T_BIN" search quokkagate --db "$T_DB" 2>&1)
[[ $out == *"$ref"* ]] || t_fail "search after the rebuild missed $ref: $out"
t_ok "search finds the pulled incident through the index"
