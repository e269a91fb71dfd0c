/* The store: creation, refusals that leave files untouched, ids, clocks, time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "id.h"
#include "operators.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/unyo-test-store-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    unsetenv("UNYO_NOW");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

static char *path_in(const char *name)
{
    return xasprintf("%s/%s", tmpdir, name);
}

static void test_create_is_private_and_never_overwrites(void **state)
{
    (void)state;
    char *p = path_in("sub/dir/unyo.db");
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_CREATE_NEW, &st, &err), 0);
    assert_int_equal((int)strlen(st->origin), ID_LEN);
    store_close(st);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    /* A second init must refuse and keep the first store's identity. */
    assert_int_equal(store_open(p, STORE_CREATE_NEW, &st, &err), -1);
    assert_non_null(strstr(err, "already exists"));
    free(err);
    err = NULL;
    assert_int_equal(store_open(p, STORE_OPEN_EXISTING, &st, &err), 0);
    assert_int_equal(sqlite3_db_readonly(st->db, "main"), 0);
    store_close(st);
    free(p);
}

static void test_missing_store_says_how_to_create(void **state)
{
    (void)state;
    char *p = path_in("nope.db");
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_OPEN_EXISTING, &st, &err), -1);
    assert_non_null(strstr(err, "unyo init"));
    assert_int_equal(access(p, F_OK), -1);
    free(err);
    free(p);
}

static void write_file(const char *p, const char *content, size_t len)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    fclose(f);
}

static void test_not_a_database_is_left_untouched(void **state)
{
    (void)state;
    char *p = path_in("notes.txt");
    const char text[] = "これはデータベースではありません。\nJust some notes, long enough to look "
                        "like a header of a file that is not SQLite at all.\n";
    write_file(p, text, sizeof text - 1);
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_OPEN_EXISTING, &st, &err), -1);
    assert_non_null(strstr(err, "not a unyo store"));
    free(err);
    size_t len;
    char *after = read_file(p, &len, NULL);
    assert_int_equal(len, sizeof text - 1);
    assert_memory_equal(after, text, len);
    free(after);
    char *wal = xasprintf("%s-wal", p);
    assert_int_equal(access(wal, F_OK), -1);
    free(wal);
    free(p);
}

static void test_newer_store_is_refused(void **state)
{
    (void)state;
    char *p = path_in("future.db");
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_CREATE_NEW, &st, &err), 0);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", store_schema_version() + 5);
    assert_int_equal(store_exec(st, pragma, &err), 0);
    store_close(st);
    assert_int_equal(store_open(p, STORE_OPEN_EXISTING, &st, &err), -1);
    assert_non_null(strstr(err, "newer unyo"));
    free(err);
    free(p);
}

static void test_foreign_sqlite_file_is_refused(void **state)
{
    (void)state;
    char *p = path_in("other.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_OPEN_EXISTING, &st, &err), -1);
    assert_non_null(strstr(err, "not a unyo store"));
    free(err);
    free(p);
}

static void test_unwritable_path_is_reported(void **state)
{
    (void)state;
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open("/proc/unyo/unyo.db", STORE_CREATE_NEW, &st, &err), -1);
    assert_non_null(strstr(err, "/proc/unyo"));
    free(err);
}

static void test_events_are_append_only(void **state)
{
    (void)state;
    char *p = path_in("events.db");
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_CREATE_NEW, &st, &err), 0);
    assert_int_equal(store_audit(st, "test", "store", NULL, "one", &err), 0);
    assert_int_equal(store_exec(st, "UPDATE audit SET detail = 'changed'", &err), -1);
    assert_non_null(strstr(err, "append-only"));
    free(err);
    err = NULL;
    assert_int_equal(store_exec(st, "DELETE FROM audit", &err), -1);
    free(err);
    store_close(st);
    free(p);
}

static void test_operator_required_and_registered(void **state)
{
    (void)state;
    char *p = path_in("ops.db");
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_CREATE_NEW, &st, &err), 0);
    setenv("UNYO_USER", "hanako", 1);
    assert_int_equal(store_require_operator(st, &err), -1);
    assert_non_null(strstr(err, "unyo operator add hanako"));
    free(err);
    err = NULL;
    assert_int_equal(operator_add(st, "hanako", "山田 花子", "operator", NULL, &err), 0);
    assert_int_equal(operator_add(st, "hanako", "x", "operator", NULL, &err), -1);
    assert_non_null(strstr(err, "already exists"));
    free(err);
    err = NULL;
    assert_int_equal(operator_add(st, "bad name", "x", "operator", NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(operator_add(st, "ken", "x", "boss", NULL, &err), -1);
    assert_non_null(strstr(err, "boss"));
    free(err);
    err = NULL;
    assert_int_equal(store_require_operator(st, &err), 0);
    assert_string_equal(st->operator_name, "山田 花子");
    assert_string_equal(st->operator_role, "operator");
    unsetenv("UNYO_USER");
    store_close(st);
    free(p);
}

static void test_ids_are_time_ordered_and_unique(void **state)
{
    (void)state;
    char prev[ID_LEN + 1] = "";
    for (int i = 0; i < 20000; i++) {
        char id[ID_LEN + 1];
        id_new_at(id, 1700000000000LL + i / 100);
        assert_true(id_valid(id));
        assert_int_equal(id[14], '7'); /* version 7 */
        assert_true(strchr("89ab", id[19]) != NULL);
        assert_true(strcmp(prev, id) < 0);
        memcpy(prev, id, sizeof id);
    }
    assert_false(id_valid("0190a4b2-0000-7000-8000-00000000000G"));
}

static void test_seed_ids_are_the_same_on_every_console(void **state)
{
    (void)state;
    char a[ID_LEN + 1], b[ID_LEN + 1], c[ID_LEN + 1];
    id_for_name(a, "template", "L025");
    id_for_name(b, "template", "L025");
    id_for_name(c, "library", "L025");
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_true(id_valid(a));
    assert_int_equal(a[14], '8'); /* version 8 */

    /* Two consoles registering the same person get the same operator row. */
    char *p1 = path_in("one.db"), *p2 = path_in("two.db");
    struct store *s1 = NULL, *s2 = NULL;
    char *err = NULL, id1[ID_LEN + 1], id2[ID_LEN + 1];
    assert_int_equal(store_open(p1, STORE_CREATE_NEW, &s1, &err), 0);
    assert_int_equal(store_open(p2, STORE_CREATE_NEW, &s2, &err), 0);
    assert_int_equal(operator_add(s1, "yamada", "山田 花子", "operator", id1, &err), 0);
    assert_int_equal(operator_add(s2, "yamada", "山田 花子", "operator", id2, &err), 0);
    assert_string_equal(id1, id2);
    assert_string_not_equal(s1->origin, s2->origin);
    store_close(s1);
    store_close(s2);
    free(p1);
    free(p2);
}

static void test_clock_is_shared_by_processes_on_one_store(void **state)
{
    (void)state;
    char *p = path_in("shared.db");
    struct store *a = NULL, *b = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_CREATE_NEW, &a, &err), 0);
    assert_int_equal(store_open(p, STORE_OPEN_EXISTING, &b, &err), 0);
    /* a's clock runs an hour ahead (a clock seen from another console). */
    store_hlc_observe(a, store_hlc_next(a) + ((int64_t)3600000 << 16));
    assert_int_equal(store_begin(a, &err), 0);
    int64_t ahead = store_hlc_next(a);
    assert_int_equal(store_commit(a, &err), 0);
    /* b opened before that write; its next transaction must still order after it. */
    assert_int_equal(store_begin(b, &err), 0);
    assert_true(store_hlc_next(b) > ahead);
    store_rollback(b);
    store_close(a);
    store_close(b);
    free(p);
}

static void test_hlc_never_goes_backwards(void **state)
{
    (void)state;
    char *p = path_in("hlc.db");
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_CREATE_NEW, &st, &err), 0);
    int64_t a = store_hlc_next(st);
    store_hlc_observe(st, a + ((int64_t)3600000 << 16)); /* a clock an hour ahead */
    int64_t b = store_hlc_next(st);
    assert_true(b > a + ((int64_t)3600000 << 16));
    assert_int_equal(store_audit(st, "t", "store", NULL, NULL, &err), 0);
    int64_t last = st->hlc_last;
    store_close(st);
    assert_int_equal(store_open(p, STORE_OPEN_EXISTING, &st, &err), 0);
    assert_true(store_hlc_next(st) > last);
    store_close(st);
    free(p);
}

static void test_time_formats(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(time_parse("2026-11-22T22:00:00.000Z", &ms), 0);
    char buf[32];
    time_format_iso(ms, buf);
    assert_string_equal(buf, "2026-11-22T22:00:00.000Z");
    time_format_jst(ms, buf, 0);
    assert_string_equal(buf, "2026-11-23 07:00");
    time_format_jst_date(ms, buf);
    assert_string_equal(buf, "2026-11-23");
    int64_t jst;
    assert_int_equal(time_parse("2026-11-23 07:00", &jst), 0); /* no zone: JST */
    assert_true(jst == ms);
    assert_int_equal(time_parse("2026-11-23T07:00:00+09:00", &jst), 0);
    assert_true(jst == ms);
    assert_int_equal(time_parse("2026-12-31 24:00", &jst), 0);
    time_format_jst(jst, buf, 0);
    assert_string_equal(buf, "2027-01-01 00:00");
    assert_int_equal(time_parse("2026-02-29", &jst), -1);
    assert_int_equal(time_parse("2026-11-23 25:00", &jst), -1);
    assert_int_equal(time_parse("yesterday", &jst), -1);

    setenv("UNYO_NOW", "2027-01-01T00:00:00+09:00", 1);
    /* time_now_ms reads UNYO_NOW once per process: checked by the e2e tests. */
    unsetenv("UNYO_NOW");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_is_private_and_never_overwrites),
        cmocka_unit_test(test_missing_store_says_how_to_create),
        cmocka_unit_test(test_not_a_database_is_left_untouched),
        cmocka_unit_test(test_newer_store_is_refused),
        cmocka_unit_test(test_foreign_sqlite_file_is_refused),
        cmocka_unit_test(test_unwritable_path_is_reported),
        cmocka_unit_test(test_events_are_append_only),
        cmocka_unit_test(test_operator_required_and_registered),
        cmocka_unit_test(test_ids_are_time_ordered_and_unique),
        cmocka_unit_test(test_hlc_never_goes_backwards),
        cmocka_unit_test(test_seed_ids_are_the_same_on_every_console),
        cmocka_unit_test(test_clock_is_shared_by_processes_on_one_store),
        cmocka_unit_test(test_time_formats),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
