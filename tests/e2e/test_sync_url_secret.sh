#!/usr/bin/env bash
# Issue 11 §4: a malformed sync URL made libpq quote the password, which unyo
# printed and kept in the store (local_sync_meta). No password is ever shown or
# stored, whatever the spelling; config.ini holding one warns when others can read it.
. "$UNYO_TESTLIB/common.sh"
DB=$T/unyo.db
"$UNYO" init --db "$DB" >/dev/null
SECRET='Xq7-S3cret'
stored() { sqlite3 "$DB" "SELECT group_concat(value, ' ') FROM local_sync_meta"; }
check_url() { # URL WHAT
  local out
  out=$(must_fail "$UNYO" --lang en sync --url "$1" --db "$DB")
  assert_not_contains "$out" "$SECRET" "sync, $2: the password is not shown"
  assert_not_contains "$(stored)" "$SECRET" "sync, $2: the password is not stored"
  out=$(must_fail "$UNYO" --lang en central init --url "$1" --db "$DB")
  assert_not_contains "$out" "$SECRET" "central init, $2: the password is not shown"
  out=$(must_fail "$UNYO" --lang ja sync --url "$1" --db "$DB")
  assert_not_contains "$out" "$SECRET" "sync in Japanese, $2: the password is not shown"
}
# libpq quotes the token: "invalid percent-encoded token: "<password>%zz""
check_url "postgresql://u:$SECRET%zz@127.0.0.1/db" "bad percent-encoding in the password"
# libpq quotes the whole URI.
check_url "postgresql://u:$SECRET@[::1/db" "unclosed IPv6 bracket"
check_url "postgresql://u@[::1/db?password=$SECRET" "password as a URI parameter"
check_url "postgresql://u:$SECRET@127.0.0.1:5x/db" "bad port"
check_url "host=127.0.0.1 password='$SECRET%zz x' port=5x" "quoted keyword value"
check_url "host=127.0.0.1 password=$SECRET junk" "keyword/value with a stray word"
out=$(must_fail "$UNYO" --lang en sync --url "postgresql://u:$SECRET@[::1/db" --db "$DB")
assert_contains "$out" "***" "the message says where the password was cut"
status=$("$UNYO" --lang en sync --status --db "$DB")
assert_not_contains "$status" "$SECRET" "--status does not show it"

# config.ini with a password: a warning while others can read it.
mkdir -p "$XDG_CONFIG_HOME/unyo"
CFG=$XDG_CONFIG_HOME/unyo/config.ini
printf '[sync]\nurl = postgresql://u:%s@[::1/db\n' "$SECRET" >"$CFG"
chmod 644 "$CFG"
out=$(must_fail "$UNYO" --lang en sync --db "$DB")
assert_contains "$out" "chmod 600" "a world-readable config.ini with a password is warned about"
assert_not_contains "$out" "$SECRET" "the warning does not show the password"
out=$(must_fail "$UNYO" --lang ja sync --db "$DB")
assert_contains "$out" "chmod 600" "the warning in Japanese names the command"
assert_not_contains "$out" "warning" "the warning is translated"
chmod 600 "$CFG"
out=$(must_fail "$UNYO" --lang en sync --db "$DB")
assert_not_contains "$out" "chmod 600" "a private config.ini: no warning"
printf '[sync]\nurl = postgresql://u@[::1/db\n' >"$CFG"
chmod 644 "$CFG"
out=$(must_fail "$UNYO" --lang en sync --db "$DB")
assert_not_contains "$out" "chmod 600" "no password in config.ini: no warning"
finish
