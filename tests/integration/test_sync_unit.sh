#!/usr/bin/env bash
# Runs the sync core's cmocka tests (tests/unit/test_sync_pg.c) against a
# throwaway PostgreSQL 15; under plain ctest they skip without UNYO_TEST_PGURL.
. "$UNYO_TESTLIB/common.sh"
. "$UNYO_TESTLIB/pg.sh"
pg_start
prog=$(dirname "$UNYO")/tests/test_sync_pg
[ -x "$prog" ] || fail "$prog not built"
"$prog" || fail "test_sync_pg"
ok "sync core tests against PostgreSQL 15"
finish
