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

#include "changes.h"
#include "ledger.h"
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

/* A real SQLite failure in the middle of a read: a progress handler that
 * returns non-zero makes sqlite3_step fail with SQLITE_INTERRUPT. It counts
 * its calls while a statement whose SQL contains needle runs; with limit 0 it
 * only counts (a first, complete read measures the query), else it
 * interrupts at call number limit. */
struct interrupter {
    sqlite3 *db;
    const char *needle;
    long calls, limit;
    int fired;
};

static int interrupt_cb(void *p)
{
    struct interrupter *it = p;
    for (sqlite3_stmt *s = sqlite3_next_stmt(it->db, NULL); s; s = sqlite3_next_stmt(it->db, s)) {
        if (!sqlite3_stmt_busy(s) || !strstr(sqlite3_sql(s), it->needle))
            continue;
        it->calls++;
        if (it->limit && it->calls >= it->limit) {
            it->fired = 1;
            return 1;
        }
        break;
    }
    return 0;
}

static void interrupt_from(struct interrupter *it, long limit)
{
    it->calls = 0;
    it->limit = limit;
    it->fired = 0;
    sqlite3_progress_handler(it->db, 1, interrupt_cb, it);
}

static const char rows_sql[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
    "SELECT 'note', 'row ' || i, 'alice', '2026-12-01T00:00:00Z' FROM n";

static void test_next_row_tells_an_error_from_the_end(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, rows_sql, -1, &s, NULL), SQLITE_OK);
    char *err = NULL;
    struct interrupter it = {db, "WITH RECURSIVE n(i)", 0, 0, 0};

    /* Measure a complete read: 200 rows, then the end (0), no error. */
    interrupt_from(&it, 0);
    int rows = 0, r;
    while ((r = store_next_row(s, &err)) == 1)
        rows++;
    assert_int_equal(r, 0);
    assert_int_equal(rows, 200);
    assert_null(err);
    long total = it.calls;
    assert_true(total > 10);
    sqlite3_reset(s);

    /* Interrupted half-way: rows first, then -1 with a message, never 0. */
    interrupt_from(&it, total / 2);
    rows = 0;
    while ((r = store_next_row(s, &err)) == 1)
        rows++;
    assert_int_equal(r, -1);
    assert_true(it.fired);
    assert_true(rows > 0 && rows < 200);
    assert_non_null(err);
    assert_non_null(strstr(err, "interrupted"));
    free(err);
    err = NULL;

    /* The statement was reset: it reads from the first row again. */
    sqlite3_progress_handler(db, 0, NULL, NULL);
    assert_int_equal(store_next_row(s, &err), 1);
    assert_string_equal((const char *)sqlite3_column_text(s, 1), "row 1");
    sqlite3_reset(s);

    /* A lookup: found, not found (0, no error), failed (-1). */
    sqlite3_stmt *one;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1 WHERE ?1", -1, &one, NULL), SQLITE_OK);
    sqlite3_bind_int(one, 1, 1);
    assert_int_equal(store_one_row(one, &err), 1);
    sqlite3_reset(one);
    sqlite3_bind_int(one, 1, 0);
    assert_int_equal(store_one_row(one, &err), 0);
    assert_null(err);
    sqlite3_reset(one);
    struct interrupter at_once = {db, "SELECT 1 WHERE", 0, 0, 0};
    interrupt_from(&at_once, 1);
    sqlite3_bind_int(one, 1, 1);
    assert_int_equal(store_one_row(one, &err), -1);
    assert_true(at_once.fired);
    assert_non_null(strstr(err, "interrupted"));
    free(err);
    err = NULL;
    sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_finalize(one);

    /* ledger_events_read: an error, and no short timeline left behind. */
    struct ledger_event *ev = NULL;
    size_t nev = 0;
    interrupt_from(&it, total / 2);
    assert_int_equal(ledger_events_read(s, &ev, &nev, &err), -1);
    assert_null(ev);
    assert_int_equal((int)nev, 0);
    assert_non_null(strstr(err, "interrupted"));
    free(err);
    err = NULL;
    sqlite3_progress_handler(db, 0, NULL, NULL);
    assert_int_equal(ledger_events_read(s, &ev, &nev, &err), 0);
    assert_int_equal((int)nev, 200);
    ledger_events_free(ev, nev);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* The timeline `unyo change show` prints: a read that fails half-way through
 * the change's events is an error (the CLI exits non-zero with it), never a
 * shorter timeline. */
static void test_interrupted_timeline_is_an_error(void **state)
{
    (void)state;
    char *p = path_in("timeline.db");
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(p, STORE_CREATE_NEW, &st, &err), 0);
    setenv("UNYO_USER", "alice", 1);
    assert_int_equal(operator_add(st, "alice", "Alice", "operator", NULL, &err), 0);
    static const char *const steps[] = {"stop", "update", "check"};
    struct change_new in = {0};
    in.dept = "IT";
    in.title = "nginx update";
    in.rollback = "old version";
    in.steps = steps;
    in.nsteps = 3;
    char id[ID_LEN + 1], ref[24];
    if (change_create(st, &in, id, ref, &err) != 0)
        fail_msg("%s", err);
    /* A long timeline: 300 more events. */
    char *sql = xasprintf(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
        "INSERT INTO change_events(id, change_id, kind, note, operator_id, at, hlc, origin) "
        "SELECT printf('%%s-%%04d', '%s', i), '%s', 'note', 'event ' || i, "
        "(SELECT id FROM operators WHERE login = 'alice'), "
        "printf('2026-12-01T00:%%02d:%%02dZ', i / 60, i %% 60), i, 'o' FROM n",
        id, id);
    assert_int_equal(store_exec(st, sql, &err), 0);
    free(sql);

    struct change c;
    struct interrupter it = {st->db, "FROM change_events e", 0, 0, 0};
    interrupt_from(&it, 0);
    assert_int_equal(change_get(st, ref, 1, &c, &err), 0);
    size_t full = c.nevents;
    assert_true(full >= 301);
    change_clear(&c);
    long total = it.calls;
    assert_true(total > 10);

    interrupt_from(&it, total / 2);
    assert_int_equal(change_get(st, ref, 1, &c, &err), -1);
    assert_true(it.fired);
    assert_non_null(err);
    assert_non_null(strstr(err, "interrupted"));
    assert_null(c.events);
    assert_int_equal((int)c.nevents, 0);
    free(err);
    err = NULL;

    /* Nothing stuck: the next read is whole. */
    sqlite3_progress_handler(st->db, 0, NULL, NULL);
    assert_int_equal(change_get(st, ref, 1, &c, &err), 0);
    assert_int_equal((int)c.nevents, (int)full);
    change_clear(&c);
    store_close(st);
    free(p);
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
        cmocka_unit_test(test_next_row_tells_an_error_from_the_end),
        cmocka_unit_test(test_interrupted_timeline_is_an_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
