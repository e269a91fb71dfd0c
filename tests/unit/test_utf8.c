/* utf8_repair and the store's one-time repair of text an older unyo stored as
 * it came from a server (issue 11: one \377 blocked sync for ever). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "textwidth.h"
#include "utf8.h"
#include "util.h"

static void repaired_n(const char *in, size_t len, const char *want)
{
    char *out = utf8_repair(in, len);
    assert_string_equal(out, want);
    assert_true(utf8_storable(out, strlen(out)));
    char *again = utf8_repair(out, strlen(out));
    assert_string_equal(again, out);
    free(again);
    free(out);
}

#define repaired(lit, want) repaired_n(lit, sizeof lit - 1, want)

static void test_repair(void **state)
{
    (void)state;
    repaired("", "");
    repaired("plain", "plain");
    repaired("load \377 high", "load \\xff high");
    repaired("日本語", "日本語");
    repaired("\xef\xbf\xbd", "\xef\xbf\xbd");             /* a real U+FFFD is text */
    repaired("a\0b", "a\\x00b");                          /* PostgreSQL refuses NUL too */
    repaired("\xc0\xaf", "\\xc0\\xaf");                   /* overlong '/' */
    repaired("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* a surrogate */
    repaired("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
    repaired("\xe6\x97", "\\xe6\\x97");                   /* cut short */
    repaired("\xe6\x97\xa5\xe6", "\xe6\x97\xa5\\xe6");
    assert_null(utf8_repair(NULL, 0));
    assert_false(utf8_storable("\377", 1));
    assert_true(utf8_storable("ok", 2));
}

static char tmpdir[] = "/tmp/unyo-test-utf8-XXXXXX";

/* A store an older unyo left with a raw \377 in an append-only row and in a
 * mutable one: opening it repairs both once, queues them for sync again, and
 * puts a row sync had set aside back in the outbox. */
static void test_store_repair(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(tmpdir));
    char *path = xasprintf("%s/s.db", tmpdir), *err = NULL;
    struct store *st = NULL;
    assert_int_equal(store_open(path, STORE_CREATE_NEW, &st, &err), 0);
    /* bind_text itself repairs: a write through the store API is clean. */
    sqlite3_stmt *s = store_stmt(st, "SELECT ?1");
    bind_text(s, 1, "x\377y");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal(col_text(s, 0), "x\\xffy");
    sqlite3_reset(s);
    char *origin = xstrdup(st->origin);
    store_close(st);

    /* What an older unyo wrote: raw bytes, straight through SQLite. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *sql = xasprintf(
        "INSERT INTO audit(id, at, action, kind, detail, hlc, origin) VALUES"
        " ('01J0000000000000000000000A', '2026-11-24T00:00:00Z', 'x', 'k', "
        "  CAST(X'6F757420FF20656E64' AS TEXT), 1, '%s'),"
        " ('01J0000000000000000000000B', '2026-11-24T00:00:00Z', 'x', 'k', 'fine', 2, '%s');"
        "INSERT INTO local_sync_setaside(tbl, row_id, error, at) VALUES"
        " ('audit', '01J0000000000000000000000A', 'invalid byte sequence', 'now');"
        "INSERT OR REPLACE INTO local_meta(key, value) VALUES('utf8_repair', 'pending');",
        origin, origin);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    free(sql);
    sqlite3_close(db);

    assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &st, &err), 0);
    s = store_stmt(st, "SELECT detail FROM audit WHERE id = '01J0000000000000000000000A'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal(col_text(s, 0), "out \\xff end");
    sqlite3_reset(s);
    s = store_stmt(st, "SELECT count(*) FROM local_sync_setaside");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0);
    sqlite3_reset(s);
    s = store_stmt(st, "SELECT count(*) FROM local_sync_outbox WHERE tbl = 'audit' AND row_id = "
                       "'01J0000000000000000000000A'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_true(sqlite3_column_int(s, 0) >= 1);
    sqlite3_reset(s);
    /* Still append-only afterwards. */
    assert_int_not_equal(store_exec(st, "UPDATE audit SET detail = 'x'", &err), 0);
    free(err);
    err = NULL;
    char *flag = store_meta_get(st, "utf8_repair");
    assert_null(flag);
    store_close(st);
    free(origin);
    free(path);
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repair),
        cmocka_unit_test(test_store_repair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
