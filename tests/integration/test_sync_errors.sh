#!/usr/bin/env bash
# Sync errors against a real PostgreSQL 15 give clear messages and leave the
# store's pending changes alone: wrong password (scram), unreachable server,
# schema version mismatch both ways; plus --status and the config file.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
. "$(dirname "$0")/sync_lib.sh"
pg_start
build_driver

a=$(new_store a)
"$DRIVER" "$a" 7 50
pending=$(pending_of "$a")
[ "$pending" -gt 0 ] || fail "no pending changes before the first sync"
ok "history written before sync was configured counts as pending ($pending)"

out=$(must_fail "$UNYO" sync --db "$a")
assert_contains "$out" "[sync]" "no URL anywhere: says where to set one"

pg_add_password_user pwuser right-password
out=$(must_fail "$UNYO" central init --url "postgresql://pwuser:wrong@127.0.0.1:$PG_PORT/unyo" --db "$a")
assert_contains "$out" "refused the login" "wrong password: central init says the login was refused"
out=$(must_fail "$UNYO" sync --url "postgresql://pwuser:wrong@127.0.0.1:$PG_PORT/unyo" --db "$a")
assert_contains "$out" "refused the login" "wrong password: sync says the login was refused"
assert_contains "$out" "$pending changes stay pending" "wrong password: pending changes are kept"

closed=$(pg_free_port)
out=$(must_fail "$UNYO" sync --url "host=127.0.0.1 port=$closed dbname=unyo user=postgres" --db "$a")
assert_contains "$out" "cannot reach the central database" "closed port: unreachable"
[ "$(pending_of "$a")" = "$pending" ] || fail "pending changed"
status=$("$UNYO" sync --status --db "$a")
assert_contains "$status" "Last error" "--status shows the last error"
assert_contains "$status" "Offline since" "--status shows since when the console is offline"

# The right password via ~/.pgpass, the URL from config.ini.
echo "127.0.0.1:$PG_PORT:unyo:pwuser:right-password" >"$HOME/.pgpass"; chmod 600 "$HOME/.pgpass"
mkdir -p "$XDG_CONFIG_HOME/unyo"
printf '[sync]\nurl = host=127.0.0.1 port=%s dbname=unyo user=pwuser\ninterval = 30\n' "$PG_PORT" >"$XDG_CONFIG_HOME/unyo/config.ini"
"$UNYO" central init --db "$a" >/dev/null || fail "central init with .pgpass and config.ini"
out=$("$UNYO" sync --db "$a")
assert_contains "$out" "Sent $pending" "sync with the URL from config.ini and the password from .pgpass"
[ "$(pending_of "$a")" = 0 ] || fail "pending after sync"
status=$("$UNYO" sync --status --db "$a")
assert_not_contains "$status" "Last error" "a successful round clears the last error"
out=$("$UNYO" sync --db "$a")
assert_contains "$out" "Up to date" "an up-to-date round says so"

# Version mismatch, both ways.
"$DRIVER" "$a" 8 10
pending=$(pending_of "$a")
pg_psql "UPDATE unyo.meta SET value = '999' WHERE key = 'store_version'"
out=$(must_fail "$UNYO" sync --db "$a")
assert_contains "$out" "upgrade unyo on this console" "central newer: upgrade this console"
out=$(must_fail "$UNYO" central init --db "$a")
assert_contains "$out" "upgrade unyo on this console" "central init refuses to downgrade"
pg_psql "UPDATE unyo.meta SET value = '1' WHERE key = 'store_version'"
out=$(must_fail "$UNYO" sync --db "$a")
assert_contains "$out" "upgrade the central database" "central older: upgrade the central database"
[ "$(pending_of "$a")" = "$pending" ] || fail "pending changed by a refused sync"
ok "refused rounds keep the pending changes"
out=$("$UNYO" central init --db "$a")
assert_contains "$out" "Upgraded the central schema" "central init upgrades"
"$UNYO" sync --db "$a" >/dev/null
[ "$(pending_of "$a")" = 0 ] || fail "pending after upgrade"
ok "after the upgrade the pending changes go"

# JSON status for programs.
"$UNYO" sync --status --json --db "$a" | grep -q '"pending"' || fail "--status --json"
ok "--status --json"
finish
