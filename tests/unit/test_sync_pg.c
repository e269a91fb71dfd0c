/* Sync core against a real PostgreSQL: value round trips, concurrent edits,
 * natural-key collisions, and the non-blocking session API. Needs
 * UNYO_TEST_PGURL (an empty database the test may fill); without it every
 * test is skipped with a message. tests/integration/test_sync_unit.sh starts
 * a throwaway PostgreSQL 15 and runs this program. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central.h"
#include "id.h"
#include "store.h"
#include "sync.h"
#include "timefmt.h"
#include "util.h"

static const char *url;
static char dir[] = "/tmp/unyo-sync-XXXXXX";
static int nstores;

static struct store *new_store(void)
{
    char *path = xasprintf("%s/s%d.db", dir, nstores++);
    struct store *st;
    char *err = NULL;
    assert_int_equal(store_open(path, STORE_CREATE_NEW, &st, &err), 0);
    free(path);
    return st;
}

static void exec_pg(const char *sql)
{
    PGconn *c;
    char *err = NULL;
    assert_int_equal(central_connect(url, &c, &err), 0);
    PGresult *r = PQexec(c, sql);
    assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    PQclear(r);
    PQfinish(c);
}

static void fresh_central(struct store *st)
{
    exec_pg("DROP SCHEMA IF EXISTS unyo CASCADE");
    PGconn *c;
    char *err = NULL;
    int from, to;
    assert_int_equal(central_connect(url, &c, &err), 0);
    assert_int_equal(central_init(st, c, &from, &to, &err), 0);
    PQfinish(c);
}

static void sync_ok(struct store *st)
{
    char *err = NULL;
    int rc = sync_run(st, url, NULL, NULL, NULL, &err);
    if (rc != 0)
        fail_msg("sync: %s", err);
}

static void add_host(struct store *st, const char *id, const char *name, const char *notes)
{
    char *err = NULL;
    assert_int_equal(store_begin(st, &err), 0);
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO hosts(id, name, notes, created_at, updated_at, "
                                     "hlc, origin) VALUES(?1, ?2, ?3, 'c', 'u', ?4, ?5)");
    bind_text(s, 1, id);
    bind_text(s, 2, name);
    bind_text(s, 3, notes);
    bind_int(s, 4, store_hlc_next(st));
    bind_text(s, 5, st->origin);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    assert_int_equal(store_commit(st, &err), 0);
}

static void edit_host(struct store *st, const char *id, const char *notes)
{
    char *err = NULL;
    assert_int_equal(store_begin(st, &err), 0);
    sqlite3_stmt *s = store_stmt(st, "UPDATE hosts SET notes = ?2, hlc = ?3, origin = ?4 "
                                     "WHERE id = ?1");
    bind_text(s, 1, id);
    bind_text(s, 2, notes);
    bind_int(s, 3, store_hlc_next(st));
    bind_text(s, 4, st->origin);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    assert_int_equal(store_commit(st, &err), 0);
}

static char *one(struct store *st, const char *sql, const char *arg)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
    if (arg)
        bind_text(s, 1, arg);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = xstrdup(col_text(s, 0) ? col_text(s, 0) : "(null)");
    sqlite3_finalize(s);
    return v;
}

static int skip_without_pg(void **state)
{
    (void)state;
    if (!url) {
        print_message("UNYO_TEST_PGURL is not set: skipping the PostgreSQL sync tests "
                      "(tests/integration/test_sync_unit.sh runs them)\n");
        skip();
    }
    return 0;
}

static void test_values_round_trip(void **state)
{
    skip_without_pg(state);
    struct store *a = new_store(), *b = new_store();
    fresh_central(a);
    static const char *const odd[] = {"tab\there", "line\nbreak\r\n",          "back\\slash", "\\N",
                                      "",          "起動不可 ｶﾅ 🙂", "\"q\",'s'"};
    char id[ID_LEN + 1];
    for (size_t i = 0; i < ARRAY_LEN(odd); i++) {
        char name[16];
        snprintf(name, sizeof name, "h%zu", i);
        id_new(id);
        add_host(a, id, name, odd[i]);
    }
    id_new(id);
    add_host(a, id, "nullnotes", NULL);
    /* A REAL must come back bit for bit. */
    char *err = NULL;
    assert_int_equal(store_begin(a, &err), 0);
    sqlite3_stmt *s = store_stmt(a, "INSERT INTO host_metrics(id, host_id, metric, value, at, hlc, "
                                    "origin) VALUES(?1, ?2, 'load', ?3, 'x', ?4, ?5)");
    char mid[ID_LEN + 1];
    id_new(mid);
    bind_text(s, 1, mid);
    bind_text(s, 2, id);
    sqlite3_bind_double(s, 3, 0.1 + 0.2);
    bind_int(s, 4, store_hlc_next(a));
    bind_text(s, 5, a->origin);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    assert_int_equal(store_commit(a, &err), 0);

    sync_ok(a);
    sync_ok(b);
    for (size_t i = 0; i < ARRAY_LEN(odd); i++) {
        char name[16];
        snprintf(name, sizeof name, "h%zu", i);
        char *v = one(b, "SELECT notes FROM hosts WHERE name = ?1", name);
        assert_non_null(v);
        assert_string_equal(v, odd[i]);
        free(v);
    }
    char *v = one(b, "SELECT typeof(notes) FROM hosts WHERE name = ?1", "nullnotes");
    assert_string_equal(v, "null");
    free(v);
    v = one(b, "SELECT value = 0.1 + 0.2 FROM host_metrics WHERE id = ?1", mid);
    assert_string_equal(v, "1");
    free(v);
    store_close(a);
    store_close(b);
}

static void test_concurrent_edit_is_audited(void **state)
{
    skip_without_pg(state);
    struct store *a = new_store(), *b = new_store();
    fresh_central(a);
    char id[ID_LEN + 1];
    id_new(id);
    add_host(a, id, "shared", "original");
    sync_ok(a);
    sync_ok(b);
    edit_host(a, id, "edited on a");
    edit_host(b, id, "edited on b"); /* later clock: wins */
    sync_ok(a);
    sync_ok(b); /* b's push meets a's edit: a conflict, b wins */
    sync_ok(a);
    char *v = one(a, "SELECT notes FROM hosts WHERE id = ?1", id);
    assert_string_equal(v, "edited on b");
    free(v);
    v = one(b, "SELECT detail FROM audit WHERE action = 'sync.conflict' AND row_id = ?1", id);
    assert_non_null(v);
    assert_non_null(strstr(v, "\"winner\": \"local\""));
    assert_non_null(strstr(v, "edited on a"));
    assert_non_null(strstr(v, "edited on b"));
    free(v);
    /* A sequential edit is not a conflict. */
    edit_host(a, id, "later on a");
    sync_ok(a);
    sync_ok(b);
    v = one(b, "SELECT count(*) FROM audit WHERE action = 'sync.conflict' AND row_id = ?1", id);
    assert_string_equal(v, "1");
    free(v);
    v = one(b, "SELECT notes FROM hosts WHERE id = ?1", id);
    assert_string_equal(v, "later on a");
    free(v);
    store_close(a);
    store_close(b);
}

static void test_late_clock_edit_still_wins(void **state)
{
    skip_without_pg(state);
    struct store *a = new_store(), *b = new_store();
    fresh_central(a);
    char id[ID_LEN + 1];
    id_new(id);
    add_host(a, id, "skewed", "from a");
    sync_ok(a);
    sync_ok(b);
    /* b edits after seeing a's version, with a clock behind a's (another
     * process on the store, or a console whose clock lags). */
    char *err = NULL;
    assert_int_equal(store_begin(b, &err), 0);
    sqlite3_stmt *s = store_stmt(b, "UPDATE hosts SET notes = 'edited on b', hlc = hlc - 1000, "
                                    "origin = ?2 WHERE id = ?1");
    bind_text(s, 1, id);
    bind_text(s, 2, b->origin);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    assert_int_equal(store_commit(b, &err), 0);
    sync_ok(b);
    sync_ok(a);
    sync_ok(b);
    for (int k = 0; k < 2; k++) {
        char *v = one(k ? b : a, "SELECT notes || ' ' || hlc FROM hosts WHERE id = ?1", id);
        char *w = one(a, "SELECT 'edited on b ' || hlc FROM hosts WHERE id = ?1", id);
        assert_string_equal(v, w);
        free(v);
        free(w);
    }
    char *v =
        one(b, "SELECT count(*) FROM audit WHERE action = 'sync.conflict' AND row_id = ?1", id);
    assert_string_equal(v, "0");
    free(v);
    store_close(a);
    store_close(b);
}

static void test_unique_collision_renames_later_row(void **state)
{
    skip_without_pg(state);
    struct store *a = new_store(), *b = new_store();
    fresh_central(a);
    char ida[ID_LEN + 1], idb[ID_LEN + 1];
    id_new(ida);
    id_new(idb); /* greater: the one renamed */
    add_host(a, ida, "web01", "a");
    add_host(b, idb, "web01", "b");
    for (int i = 0; i < 3; i++) {
        sync_ok(a);
        sync_ok(b);
    }
    char *want = xasprintf("web01~%s", idb + ID_LEN - 8);
    for (int k = 0; k < 2; k++) {
        struct store *st = k ? b : a;
        char *v = one(st, "SELECT name FROM hosts WHERE id = ?1", ida);
        assert_string_equal(v, "web01");
        free(v);
        v = one(st, "SELECT name FROM hosts WHERE id = ?1", idb);
        assert_string_equal(v, want);
        free(v);
    }
    free(want);
    store_close(a);
    store_close(b);
}

static void test_repush_is_idempotent(void **state)
{
    skip_without_pg(state);
    struct store *a = new_store(), *b = new_store();
    fresh_central(a);
    char id[ID_LEN + 1];
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof name, "r%d", i);
        id_new(id);
        add_host(a, id, name, "x");
    }
    sync_ok(a);
    /* As if the process died after the central commit, before forgetting
     * what it sent: the same new rows go again (the direct COPY is refused,
     * the merge makes them no-ops). */
    char *err = NULL;
    assert_int_equal(store_exec(a,
                                "INSERT INTO local_sync_outbox(tbl, row_id) "
                                "SELECT 'hosts', id FROM hosts",
                                &err),
                     0);
    struct sync_report rep = {0};
    assert_int_equal(sync_run(a, url, &rep, NULL, NULL, &err), 0);
    assert_int_equal(rep.sent, 20);
    assert_int_equal(rep.pushed, 0);
    sync_report_free(&rep);
    sync_ok(b);
    char *v = one(b, "SELECT count(*) FROM hosts WHERE name LIKE 'r%'", NULL);
    assert_string_equal(v, "20");
    free(v);
    store_close(a);
    store_close(b);
}

static int wait_round(struct sync_session *ss)
{
    for (int i = 0; i < 200; i++) {
        struct pollfd p = {sync_fd(ss), sync_poll_events(ss), 0};
        poll(&p, 1, 50);
        sync_step(ss);
        if (sync_session_state(ss) != SYNC_STATE_RUNNING &&
            sync_session_state(ss) != SYNC_STATE_IDLE)
            return 0;
    }
    return -1;
}

static void test_session(void **state)
{
    skip_without_pg(state);
    struct store *a = new_store();
    fresh_central(a);
    char id[ID_LEN + 1];
    id_new(id);
    add_host(a, id, "session-host", "x");
    struct sync_session *ss = sync_session_new(a, url, 3600);
    char line[128];
    sync_status_line(ss, line, sizeof line);
    assert_non_null(strstr(line, "syncing"));
    assert_int_equal(sync_session_pending(ss), -1);
    sync_step(ss); /* starts the first round at once, never blocks */
    assert_int_equal(wait_round(ss), 0);
    assert_int_equal(sync_session_state(ss), SYNC_STATE_SYNCED);
    assert_int_equal(sync_session_pending(ss), 0);
    sync_status_line(ss, line, sizeof line);
    assert_non_null(strstr(line, "synced"));
    /* A local write, a kick: the next round carries it. */
    id_new(id);
    add_host(a, id, "session-host-2", "y");
    sync_session_kick(ss);
    assert_int_equal(sync_session_timeout_ms(ss), 0);
    sync_step(ss);
    assert_int_equal(wait_round(ss), 0);
    assert_int_equal(sync_session_pending(ss), 0);
    sync_session_free(ss);

    /* Unreachable: offline, with the pending count. */
    ss = sync_session_new(a, "host=127.0.0.1 port=1 dbname=x connect_timeout=2", 3600);
    id_new(id);
    add_host(a, id, "offline-host", "z");
    sync_step(ss);
    assert_int_equal(wait_round(ss), 0);
    assert_int_equal(sync_session_state(ss), SYNC_STATE_OFFLINE);
    sync_status_line(ss, line, sizeof line);
    assert_non_null(strstr(line, "offline since"));
    assert_non_null(strstr(line, "1 pending"));
    assert_non_null(sync_session_error(ss));
    sync_session_free(ss);
    store_close(a);
}

int main(void)
{
    url = getenv("UNYO_TEST_PGURL");
    if (url && !*url)
        url = NULL;
    setenv("LANGUAGE", "en", 1);
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_round_trip),
        cmocka_unit_test(test_concurrent_edit_is_audited),
        cmocka_unit_test(test_late_clock_edit_still_wins),
        cmocka_unit_test(test_unique_collision_renames_later_row),
        cmocka_unit_test(test_repush_is_idempotent),
        cmocka_unit_test(test_session),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char *cmd = xasprintf("rm -rf %s", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    free(cmd);
    return rc;
}
