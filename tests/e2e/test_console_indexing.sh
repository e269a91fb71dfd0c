#!/usr/bin/env bash
# After a large sync pull the search index is rebuilt in the background
# (issue 16): while the store's index is suspended the status line says
# 索引作成中 ("indexing"); once a pull has left it to be built, the console
# rebuilds it on a thread of its own and the mark goes, without a key. Not
# while a pull is still under way (the flag says "pulling"). The pull itself
# needs PostgreSQL (tests/integration/test_sync_bgindex.sh); here the store is
# put in the state a pull leaves.
set -eu
. "${UNYO_TESTLIB:-$(dirname "$0")/../lib}/tmux.sh"
t_init "$1"
cli() { UNYO_USER=$T_USER UNYO_NOW=$T_NOW "$T_BIN" --db "$T_DB" "$@"; }
suspended() { sqlite3 "$T_DB" "SELECT count(*) FROM local_meta WHERE key = 'search_suspended_triggers'"; }

cli search --suspend >/dev/null
sqlite3 "$T_DB" "INSERT INTO local_sync_meta(key, value) VALUES('search_suspended', 'pulling')
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value"
t_start 200 40 --lang ja
t_wait "索引作成中"
t_ok "the status line says 索引作成中 while the search index is suspended"
# A search meanwhile scans the rows: the CLI finds a demo incident by its title.
title=$(sqlite3 "$T_DB" "SELECT title FROM incidents WHERE deleted = 0 AND length(title) >= 4 ORDER BY received_at DESC LIMIT 1")
ref=$(sqlite3 "$T_DB" "SELECT ref FROM incidents WHERE title = '$title' ORDER BY received_at DESC LIMIT 1")
out=$(cli search "$title" 2>&1)
[[ $out == *"$ref"* ]] || t_fail "search on the suspended index missed $ref: $out"
[[ $(suspended) == 1 ]] || t_fail "the console rebuilt the index under a pull"
t_ok "a search on the suspended index finds the rows; nobody rebuilds under a pull"

# The pull is done: the console rebuilds the index and the mark goes.
sqlite3 "$T_DB" "UPDATE local_sync_meta SET value = '1' WHERE key = 'search_suspended'"
t_wait_cmd '[[ $(suspended) == 0 ]]' "$T_TIMEOUT" "the console rebuilding the search index"
t_wait_gone "索引作成中"
[[ $(sqlite3 "$T_DB" "SELECT count(*) FROM local_sync_meta WHERE key = 'search_suspended' AND value IS NOT NULL") == 0 ]] ||
    t_fail "the flag stayed after the rebuild"
t_ok "the console rebuilds the index in the background and the mark goes"
t_keys :
t_type q
t_keys Enter
t_wait_exit
