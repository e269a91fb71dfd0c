/* The daily checklist: due items by period and calendar, per-host expansion, marks and
 * corrections, roll-over, refusals, counts and the NG incident draft. Each test uses its
 * own store, created on Sunday 2026-11-01, with a calendar where Monday
 * 2026-11-09 is closed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "checklist.h"
#include "incidents.h"
#include "operators.h"
#include "seed_data.h"
#include "sla.h"
#include "store.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

struct fixture {
    char dir[64];
    struct store *st;
    struct calendar *cal;
};

static struct template_item extra(const char *code, unsigned periods, int per_host, int weekday,
                                  int monthday, unsigned months)
{
    struct template_item t;
    memset(&t, 0, sizeof t);
    t.code = (char *)code;
    t.source = "test";
    t.item_no = 900;
    t.category1 = t.category2 = t.category3 = "";
    t.name_ja = "テスト点検";
    t.name_en = "Test check";
    t.summary_ja = t.summary_en = "";
    t.period_text = "test";
    t.periods = periods;
    t.pane = "checklist";
    t.duty_engineer = t.duty_operator = "";
    t.per_host = per_host;
    t.weekday = weekday;
    t.monthday = monthday;
    t.months = months;
    return t;
}

static void add_host(struct store *st, const char *name)
{
    char id[ID_LEN + 1];
    id_new(id);
    char *sql = xasprintf("INSERT INTO hosts(id, name, created_at, updated_at, hlc, origin) "
                          "VALUES('%s', '%s', 'x', 'x', 1, 'o')",
                          id, name);
    char *err = NULL;
    assert_int_equal(store_exec(st, sql, &err), 0);
    free(sql);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-test-chk-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *db = xasprintf("%s/unyo.db", f->dir);
    char *err = NULL;
    assert_int_equal(store_open(db, STORE_CREATE_NEW, &f->st, &err), 0);
    free(db);
    struct template_set set = {0};
    if (templates_load_builtin(UNYO_TEST_DATADIR, "library", &set, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(seed_install_templates(f->st, &set, &err), 0);
    templates_free(&set);
    struct template_item extras[] = {
        extra("X_DAILY", PERIOD_DAILY, 0, -1, 0, 0),
        extra("X_WEEKLY", PERIOD_WEEKLY, 0, 1, 0, 0),
        extra("X_MONTHLY", PERIOD_MONTHLY, 0, -1, 10, 0),
        extra("X_YEARLY", PERIOD_YEARLY, 0, -1, 20, 1u << 10),
        extra("X_ASNEEDED", PERIOD_AS_NEEDED, 0, -1, 0, 0),
        extra("X_HOST", PERIOD_DAILY, 1, -1, 0, 0),
        extra("X_TEMP", PERIOD_DAILY, 0, -1, 0, 0),
    };
    extras[6].value_unit = "°C";
    extras[6].has_range = 1;
    extras[6].value_min = 18;
    extras[6].value_max = 27;
    struct template_set xs = {extras, ARRAY_LEN(extras)};
    assert_int_equal(seed_install_templates(f->st, &xs, &err), 0);
    /* The store was created on Sunday 2026-11-01 (09:00 JST): roll-over looks no further
     * back. */
    assert_int_equal(
        store_exec(f->st, "UPDATE templates SET created_at = '2026-11-01T00:00:00.000Z'", &err), 0);
    /* the manager registers the others (only a manager adds operators) */
    setenv("UNYO_USER", "mgr", 1);
    assert_int_equal(operator_add(f->st, "mgr", "Manager", "manager", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "alice", "Alice", "operator", NULL, &err), 0);
    assert_int_equal(operator_add(f->st, "bob", "Bob", "operator", NULL, &err), 0);
    setenv("UNYO_USER", "alice", 1);
    f->st->operator_id[0] = '\0';
    add_host(f->st, "web01");
    add_host(f->st, "db01");
    char *cal_path = xasprintf("%s/calendar.ini", f->dir);
    FILE *fp = fopen(cal_path, "w");
    assert_non_null(fp);
    fputs("[hours]\ndefault = 07:00-24:00\nsun = 07:00-17:30\n[closed]\n2026-11-09 = test\n", fp);
    fclose(fp);
    f->cal = calendar_load(cal_path, &err);
    if (!f->cal)
        fail_msg("%s", err);
    free(cal_path);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    calendar_free(f->cal);
    store_close(f->st);
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

/* The store remembers the acting operator once resolved; forget it to switch. */
static void act_as(struct fixture *f, const char *login)
{
    setenv("UNYO_USER", login, 1);
    f->st->operator_id[0] = 0;
}

static const struct checklist_item *item(const struct checklist_day *d, const char *code,
                                         const char *host)
{
    return checklist_find(d, code, host);
}

static int count_events(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM checklist_events");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    return n;
}

static int mark(struct fixture *f, const char *day, const char *code, const char *status,
                const char *value, const char *reason, const char *host, char *id)
{
    struct checklist_mark m = {status, value, NULL, reason, host};
    char *err = NULL;
    int rc = checklist_mark(f->st, f->cal, day, code, &m, id, &err);
    if (rc != 0 && getenv("TEST_VERBOSE"))
        fprintf(stderr, "refused: %s\n", err);
    free(err);
    return rc;
}

static void test_due_items_by_period(void **state)
{
    struct fixture *f = *state;
    struct checklist_day d;
    char *err = NULL;

    /* Monday 2026-11-02: daily and weekly; not the monthly (10th) nor the yearly (Nov 20). */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-02", &d, &err), 0);
    assert_non_null(item(&d, "X_DAILY", NULL));
    assert_non_null(item(&d, "X_WEEKLY", NULL));
    assert_false(item(&d, "X_WEEKLY", NULL)->overdue);
    assert_null(item(&d, "X_MONTHLY", NULL));
    assert_null(item(&d, "X_YEARLY", NULL));
    assert_null(item(&d, "X_ASNEEDED", NULL));
    assert_string_equal(item(&d, "X_DAILY", NULL)->due_day, "2026-11-02");
    assert_int_equal(item(&d, "X_DAILY", NULL)->status, CHECK_TODO);
    /* Shipped daily checks are there too. */
    assert_non_null(item(&d, "L032", NULL));
    checklist_day_free(&d);

    /* Closed Monday 2026-11-09: nothing falls due (only roll-overs may show). */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-09", &d, &err), 0);
    for (size_t i = 0; i < d.count; i++)
        assert_true(d.items[i].overdue);
    checklist_day_free(&d);

    /* Tuesday 2026-11-10: the weekly moved off the closed Monday; the monthly (10th). */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-10", &d, &err), 0);
    assert_non_null(item(&d, "X_WEEKLY", NULL));
    assert_string_equal(item(&d, "X_WEEKLY", NULL)->due_day, "2026-11-10");
    assert_false(item(&d, "X_WEEKLY", NULL)->overdue);
    assert_non_null(item(&d, "X_MONTHLY", NULL));
    assert_false(item(&d, "X_MONTHLY", NULL)->overdue);
    checklist_day_free(&d);

    /* Wednesday 2026-11-11: no weekly due (its roll-over is from the 10th). */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-11", &d, &err), 0);
    assert_true(item(&d, "X_WEEKLY", NULL)->overdue);
    checklist_day_free(&d);

    /* Friday 2026-11-20: the yearly item. */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-20", &d, &err), 0);
    assert_non_null(item(&d, "X_YEARLY", NULL));
    assert_false(item(&d, "X_YEARLY", NULL)->overdue);
    checklist_day_free(&d);

    /* A bad day is refused. */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-02-30", &d, &err), -1);
    assert_non_null(err);
    free(err);
}

static void test_per_host_expansion(void **state)
{
    struct fixture *f = *state;
    struct checklist_day d;
    char *err = NULL;
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-02", &d, &err), 0);
    int hosts = 0;
    for (size_t i = 0; i < d.count; i++)
        if (streq(d.items[i].code, "X_HOST")) {
            hosts++;
            assert_non_null(d.items[i].host_name);
        }
    assert_int_equal(hosts, 2);
    assert_non_null(item(&d, "X_HOST", "web01"));
    assert_non_null(item(&d, "X_HOST", "db01"));
    assert_null(item(&d, "X_HOST", "nope"));
    assert_null(item(&d, "X_DAILY", NULL)->host_name);
    /* Shipped per-host item L025 (alive and performance check) also expands. */
    assert_non_null(item(&d, "L025", "web01"));
    assert_non_null(item(&d, "L025", "db01"));
    checklist_day_free(&d);
}

static void test_marks_and_corrections(void **state)
{
    struct fixture *f = *state;
    struct checklist_day d;
    char *err = NULL;
    const char *day = "2026-11-02";
    char id1[ID_LEN + 1], id2[ID_LEN + 1];

    assert_int_equal(mark(f, day, "X_DAILY", "ok", NULL, NULL, NULL, id1), 0);
    assert_int_equal(mark(f, day, "X_HOST", "ng", NULL, NULL, "web01", NULL), 0);
    assert_int_equal(mark(f, day, "X_HOST", "skip", NULL, "host is being replaced", "db01", NULL),
                     0);
    assert_int_equal(mark(f, day, "X_TEMP", "ok", "22.5", NULL, NULL, NULL), 0);
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    assert_int_equal(item(&d, "X_DAILY", NULL)->status, CHECK_OK);
    assert_string_equal(item(&d, "X_DAILY", NULL)->who_login, "alice");
    assert_non_null(item(&d, "X_DAILY", NULL)->at);
    assert_string_equal(item(&d, "X_DAILY", NULL)->last_event_id, id1);
    assert_int_equal(item(&d, "X_HOST", "web01")->status, CHECK_NG);
    assert_int_equal(item(&d, "X_HOST", "db01")->status, CHECK_SKIP);
    assert_string_equal(item(&d, "X_HOST", "db01")->reason, "host is being replaced");
    const struct checklist_item *temp = item(&d, "X_TEMP", NULL);
    assert_int_equal(temp->status, CHECK_OK);
    assert_true(temp->has_value);
    assert_true(temp->value > 22.4 && temp->value < 22.6);
    assert_string_equal(temp->unit, "°C");
    assert_false(temp->out_of_range);
    checklist_day_free(&d);

    /* Out of range: NG even when marked ok; a value alone derives the status. */
    assert_int_equal(mark(f, day, "X_TEMP", "ok", "31", NULL, NULL, id2), 0);
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    assert_int_equal(item(&d, "X_TEMP", NULL)->status, CHECK_NG);
    assert_true(item(&d, "X_TEMP", NULL)->out_of_range);
    checklist_day_free(&d);
    /* typed on a Japanese keyboard: full-width digits, period, minus, U+3000 */
    assert_int_equal(mark(f, day, "X_TEMP", NULL, "　３１．５　", NULL, NULL, NULL), 0);
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    assert_int_equal(item(&d, "X_TEMP", NULL)->status, CHECK_NG);
    assert_true(item(&d, "X_TEMP", NULL)->value > 31.4 && item(&d, "X_TEMP", NULL)->value < 31.6);
    checklist_day_free(&d);
    assert_int_equal(mark(f, day, "X_TEMP", NULL, "－３", NULL, NULL, NULL), 0);
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    assert_true(item(&d, "X_TEMP", NULL)->value < -2.9 && item(&d, "X_TEMP", NULL)->value > -3.1);
    checklist_day_free(&d);
    {
        struct checklist_mark bad = {NULL, "３ｘ", NULL, NULL, NULL};
        assert_int_equal(checklist_mark(f->st, f->cal, day, "X_TEMP", &bad, NULL, &err), -1);
        assert_string_equal(err, "\"３ｘ\" is not a number");
        free(err);
        err = NULL;
    }
    assert_int_equal(mark(f, day, "X_TEMP", NULL, "20", NULL, NULL, NULL), 0);
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    assert_int_equal(item(&d, "X_TEMP", NULL)->status, CHECK_OK);
    checklist_day_free(&d);

    /* A correction is a new event; the old one stays. A note alone keeps the status. */
    act_as(f, "bob");
    assert_int_equal(mark(f, day, "X_DAILY", "ng", NULL, NULL, NULL, id2), 0);
    struct checklist_mark note = {"note", NULL, "fan noisy", NULL, NULL};
    assert_int_equal(checklist_mark(f->st, f->cal, day, "X_DAILY", &note, NULL, &err), 0);
    act_as(f, "alice");
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    const struct checklist_item *daily = item(&d, "X_DAILY", NULL);
    assert_int_equal(daily->status, CHECK_NG);
    assert_string_equal(daily->note, "fan noisy");
    assert_string_equal(daily->who_login, "bob");
    assert_string_equal(daily->status_event_id, id2);
    checklist_day_free(&d);
    sqlite3_stmt *s = store_stmt(f->st, "SELECT count(*) FROM checklist_events WHERE id = ?1");
    bind_text(s, 1, id1);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_reset(s);
    /* Every mark is audited. */
    s = store_stmt(f->st, "SELECT count(*) FROM audit WHERE action = 'checklist.mark'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), count_events(f->st));
    sqlite3_reset(s);
}

static void test_refusals_write_nothing(void **state)
{
    struct fixture *f = *state;
    const char *day = "2026-11-02";
    int before = count_events(f->st);
    assert_int_equal(mark(f, day, "X_DAILY", "skip", NULL, NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, day, "X_DAILY", "skip", NULL, "", NULL, NULL), -1);
    assert_int_equal(mark(f, day, "NOPE", "ok", NULL, NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, day, "L001", "ok", NULL, NULL, NULL, NULL), -1); /* not checklist */
    assert_int_equal(mark(f, day, "X_TEMP", "ok", "abc", NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, day, "X_TEMP", "ok", "12x", NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, day, "X_TEMP", "ok", "nan", NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, day, "X_HOST", "ok", NULL, NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, day, "X_HOST", "ok", NULL, NULL, "nohost", NULL), -1);
    assert_int_equal(mark(f, day, "X_DAILY", "ok", NULL, NULL, "web01", NULL), -1);
    assert_int_equal(mark(f, day, "X_MONTHLY", "ok", NULL, NULL, NULL, NULL), -1); /* not due */
    assert_int_equal(mark(f, day, "X_ASNEEDED", "ok", NULL, NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, "2026-11-2", "X_DAILY", "ok", NULL, NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, "tomorrow", "X_DAILY", "ok", NULL, NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, "2099-01-05", "X_DAILY", "ok", NULL, NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, day, "X_DAILY", "done", NULL, NULL, NULL, NULL), -1);
    assert_int_equal(mark(f, day, "X_DAILY", "note", NULL, NULL, NULL, NULL), -1);
    act_as(f, "mallory");
    assert_int_equal(mark(f, day, "X_DAILY", "ok", NULL, NULL, NULL, NULL), -1);
    act_as(f, "alice");
    assert_int_equal(count_events(f->st), before);

    char *err = NULL;
    struct checklist_mark m = {"skip", NULL, NULL, NULL, NULL};
    assert_int_equal(checklist_mark(f->st, f->cal, day, "X_DAILY", &m, NULL, &err), -1);
    assert_non_null(strstr(err, "reason"));
    free(err);
}

static void test_weekly_rolls_over_until_done(void **state)
{
    struct fixture *f = *state;
    struct checklist_day d;
    char *err = NULL;
    /* Due Monday 11-02, not done: overdue on Tuesday and Wednesday. */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-03", &d, &err), 0);
    const struct checklist_item *w = item(&d, "X_WEEKLY", NULL);
    assert_non_null(w);
    assert_true(w->overdue);
    assert_string_equal(w->due_day, "2026-11-02");
    assert_int_equal(w->status, CHECK_TODO);
    /* Overdue items come first. */
    assert_true(d.items[0].overdue);
    checklist_day_free(&d);
    /* Daily items do not roll over. */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-03", &d, &err), 0);
    assert_string_equal(item(&d, "X_DAILY", NULL)->due_day, "2026-11-03");
    checklist_day_free(&d);

    /* Marked on Wednesday: recorded against Monday. */
    char id[ID_LEN + 1];
    assert_int_equal(mark(f, "2026-11-04", "X_WEEKLY", "ok", NULL, NULL, NULL, id), 0);
    sqlite3_stmt *s = store_stmt(f->st, "SELECT day FROM checklist_events WHERE id = ?1");
    bind_text(s, 1, id);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal(col_text(s, 0), "2026-11-02");
    sqlite3_reset(s);
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-05", &d, &err), 0);
    assert_null(item(&d, "X_WEEKLY", NULL));
    checklist_day_free(&d);
    /* Monday's own list shows it done. */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-02", &d, &err), 0);
    assert_int_equal(item(&d, "X_WEEKLY", NULL)->status, CHECK_OK);
    checklist_day_free(&d);
}

static void test_as_needed_added_by_hand(void **state)
{
    struct fixture *f = *state;
    struct checklist_day d;
    char *err = NULL;
    assert_int_equal(checklist_add(f->st, f->cal, "2026-11-02", "X_ASNEEDED", NULL, &err), 0);
    assert_int_equal(checklist_add(f->st, f->cal, "2026-11-02", "X_ASNEEDED", NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(checklist_add(f->st, f->cal, "2026-11-02", "X_DAILY", NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(checklist_add(f->st, f->cal, "2026-11-02", "NOPE", NULL, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-02", &d, &err), 0);
    const struct checklist_item *a = item(&d, "X_ASNEEDED", NULL);
    assert_non_null(a);
    assert_true(a->added_by_hand);
    assert_int_equal(a->status, CHECK_TODO);
    checklist_day_free(&d);
    assert_int_equal(mark(f, "2026-11-02", "X_ASNEEDED", "ok", NULL, NULL, NULL, NULL), 0);
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-02", &d, &err), 0);
    assert_int_equal(item(&d, "X_ASNEEDED", NULL)->status, CHECK_OK);
    checklist_day_free(&d);
    /* Done, so it does not roll over to the next day. */
    assert_int_equal(checklist_load(f->st, f->cal, "2026-11-03", &d, &err), 0);
    assert_null(item(&d, "X_ASNEEDED", NULL));
    checklist_day_free(&d);
}

static void test_counts(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    const char *day = "2026-11-02";
    struct checklist_day d;
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    int total = (int)d.count;
    checklist_day_free(&d);
    int ng = -1, todo = -1;
    assert_int_equal(checklist_counts(f->st, f->cal, day, &ng, &todo, &err), 0);
    assert_int_equal(ng, 0);
    assert_int_equal(todo, total);
    assert_int_equal(mark(f, day, "X_DAILY", "ok", NULL, NULL, NULL, NULL), 0);
    assert_int_equal(mark(f, day, "X_TEMP", "ok", "40", NULL, NULL, NULL), 0);
    assert_int_equal(mark(f, day, "X_HOST", "ng", NULL, NULL, "db01", NULL), 0);
    assert_int_equal(checklist_counts(f->st, f->cal, day, &ng, &todo, &err), 0);
    assert_int_equal(ng, 2);
    assert_int_equal(todo, total - 3);
}

static void test_ng_draft_and_link(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    char ok_id[ID_LEN + 1], ng_id[ID_LEN + 1], host_id[ID_LEN + 1];
    assert_int_equal(mark(f, "2026-11-02", "X_DAILY", "ok", NULL, NULL, NULL, ok_id), 0);
    struct checklist_mark m = {"ok", "31.5", "air conditioner off", NULL, NULL};
    assert_int_equal(checklist_mark(f->st, f->cal, "2026-11-02", "X_TEMP", &m, ng_id, &err), 0);
    struct checklist_draft dr;
    assert_int_equal(checklist_ng_draft(f->st, ok_id, &dr, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(checklist_ng_draft(f->st, ng_id, &dr, &err), 0);
    assert_non_null(strstr(dr.title, "X_TEMP"));
    assert_non_null(strstr(dr.description, "31.5"));
    assert_non_null(strstr(dr.description, "18"));
    assert_non_null(strstr(dr.description, "air conditioner off"));
    assert_string_equal(dr.category, "hardware");
    assert_string_equal(dr.host_id, "");
    assert_string_equal(dr.event_id, ng_id);
    checklist_draft_free(&dr);

    char hid[ID_LEN + 1];
    assert_int_equal(mark(f, "2026-11-02", "X_HOST", "ng", NULL, NULL, "web01", hid), 0);
    assert_int_equal(checklist_ng_draft(f->st, hid, &dr, &err), 0);
    assert_non_null(strstr(dr.title, "web01"));
    assert_string_equal(dr.category, "server");
    snprintf(host_id, sizeof host_id, "%s", dr.host_id);
    assert_true(id_valid(host_id));
    checklist_draft_free(&dr);

    char incident[ID_LEN + 1];
    id_new(incident);
    assert_int_equal(checklist_link_incident(f->st, hid, incident, &err), 0);
    sqlite3_stmt *s = store_stmt(f->st, "SELECT to_kind, to_id FROM links WHERE "
                                        "from_kind = 'checklist_event' AND from_id = ?1");
    bind_text(s, 1, hid);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal(col_text(s, 0), "incident");
    assert_string_equal(col_text(s, 1), incident);
    sqlite3_reset(s);
}

/* A check run's result as checks_run records it: source 'check', note "check=ID",
 * by the check-run actor. Returns the event id in id. */
static void check_result(struct fixture *f, const char *day, const char *code, const char *host,
                         const char *check, const char *status, const char *reason, char *id)
{
    char *err = NULL;
    char actor[ID_LEN + 1];
    id_for_name(actor, "operator", CHECKLIST_CHECK_ACTOR);
    char *sql = xasprintf(
        "INSERT OR IGNORE INTO operators(id, login, name, role, active, created_at, updated_at, "
        "hlc, origin) VALUES('%s', '%s', 'check run', 'operator', 0, 'x', 'x', 1, 'o')",
        actor, CHECKLIST_CHECK_ACTOR);
    assert_int_equal(store_exec(f->st, sql, &err), 0);
    free(sql);
    char ev[ID_LEN + 1];
    id_new(ev);
    sqlite3_stmt *s = store_stmt(
        f->st,
        "INSERT INTO checklist_events(id, day, template_id, host_id, status, note, reason, "
        "source, operator_id, at, hlc, origin) SELECT ?1, ?2, t.id, (SELECT id FROM hosts WHERE "
        "name = ?3), ?4, ?5, ?6, 'check', ?7, '2026-11-02T01:00:00.000Z', ?8, 'o' FROM templates "
        "t WHERE t.code = ?9");
    char note[64];
    snprintf(note, sizeof note, "check=%s", check);
    bind_text(s, 1, ev);
    bind_text(s, 2, day);
    bind_text(s, 3, host);
    bind_text(s, 4, status);
    bind_text(s, 5, note);
    bind_text(s, 6, reason);
    bind_text(s, 7, actor);
    bind_int(s, 8, store_hlc_next(f->st));
    bind_text(s, 9, code);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_reset(s);
    if (id)
        memcpy(id, ev, ID_LEN + 1);
}

/* Issue 11: cpu_load NG then disk_use OK for one item and host showed OK. */
static void test_worst_of_checks(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    const char *day = "2026-11-02";
    check_result(f, day, "X_HOST", "web01", "cpu_load", "ng", "load=4.32 (limit: load < 2)", NULL);
    check_result(f, day, "X_HOST", "web01", "time_offset", "ng", "offset=3 (limit: offset < 1)",
                 NULL);
    check_result(f, day, "X_HOST", "web01", "disk_use", "ok", "use=18 %", NULL);
    check_result(f, day, "X_HOST", "web01", "log_errors", "ok", "passed", NULL);
    check_result(f, day, "X_HOST", "db01", "disk_use", "ok", "use=18 %", NULL);
    struct checklist_day d;
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    const struct checklist_item *it = item(&d, "X_HOST", "web01");
    assert_non_null(it);
    assert_int_equal(it->status, CHECK_NG);
    assert_string_equal(it->failed, "cpu_load, time_offset");
    assert_int_equal(it->n_results, 4);
    assert_true(it->by_check_run);
    assert_non_null(strstr(checklist_item_note(it), "cpu_load: load=4.32"));
    assert_non_null(strstr(checklist_item_note(it), "time_offset: offset=3"));
    assert_null(it->note); /* "check=ID" is a key, not a note */
    assert_string_equal(it->who_login, CHECKLIST_CHECK_ACTOR);
    const struct checklist_item *db = item(&d, "X_HOST", "db01");
    assert_int_equal(db->status, CHECK_OK);
    assert_null(db->failed);
    checklist_day_free(&d);
    int ng = 0, todo = 0;
    assert_int_equal(checklist_counts(f->st, f->cal, day, &ng, &todo, &err), 0);
    assert_int_equal(ng, 1);

    /* A later OK of the failing check itself clears that check only. */
    check_result(f, day, "X_HOST", "web01", "cpu_load", "ok", "load=0.5", NULL);
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    it = item(&d, "X_HOST", "web01");
    assert_int_equal(it->status, CHECK_NG);
    assert_string_equal(it->failed, "time_offset");
    checklist_day_free(&d);

    /* A person's mark settles the item as of its time ... */
    assert_int_equal(mark(f, day, "X_HOST", "ok", NULL, NULL, "web01", NULL), 0);
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    it = item(&d, "X_HOST", "web01");
    assert_int_equal(it->status, CHECK_OK);
    assert_false(it->by_check_run);
    assert_null(it->failed);
    checklist_day_free(&d);
    /* ... and a later NG of any check counts again. */
    check_result(f, day, "X_HOST", "web01", "disk_use", "ng",
                 "unreachable: host key unknown: host key not known: ssh-ed25519 key SHA256:abc "
                 "is not in /root/.ssh/known_hosts. Verify the fingerprint with the server's "
                 "administrator, then trust it (unyo host trust NAME).",
                 NULL);
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    it = item(&d, "X_HOST", "web01");
    assert_int_equal(it->status, CHECK_NG);
    assert_string_equal(it->failed, "disk_use");
    /* the full reason, not cut */
    assert_non_null(strstr(checklist_item_note(it), "(unyo host trust NAME)."));
    checklist_day_free(&d);
}

/* Not store_stmt: that caches by the SQL's address, and these are built. */
static int count(struct store *st, const char *sql)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
    int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    return n;
}

/* One draft per host x check; a second NG of the same problem adds to it while it is
 * open; a new draft once it is closed or recovered. */
static void test_ng_incident_per_problem(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    if (seed_install_libraries(f->st, UNYO_TEST_DATADIR "/libraries.ini", &err) != 0)
        fail_msg("%s", err);
    struct sla *sla = sla_new(NULL, NULL);
    const char *day = "2026-11-02";
    char a1[ID_LEN + 1], b1[ID_LEN + 1], a2[ID_LEN + 1], c1[ID_LEN + 1];
    check_result(f, day, "X_HOST", "web01", "cpu_load", "ng", "load=4.32", a1);
    check_result(f, day, "X_HOST", "web01", "time_offset", "ng", "offset=3", b1);
    check_result(f, day, "X_HOST", "db01", "cpu_load", "ng", "load=9", c1);
    struct checklist_incident x, y, z, w;
    assert_int_equal(checklist_ng_incident(f->st, sla, a1, &x, &err), 0);
    assert_true(x.created);
    assert_int_equal(checklist_ng_incident(f->st, sla, b1, &y, &err), 0);
    assert_true(y.created);
    assert_string_not_equal(x.incident_id, y.incident_id);
    assert_int_equal(checklist_ng_incident(f->st, sla, c1, &z, &err), 0);
    assert_true(z.created);
    assert_string_not_equal(x.incident_id, z.incident_id);
    /* The same event again: nothing new. */
    int before = count(f->st, "SELECT count(*) FROM incident_events");
    assert_int_equal(checklist_ng_incident(f->st, sla, a1, &w, &err), 0);
    assert_false(w.created);
    assert_string_equal(w.incident_id, x.incident_id);
    assert_int_equal(count(f->st, "SELECT count(*) FROM incident_events"), before);
    /* A second NG of cpu_load on web01 (the next run) adds to the open draft. */
    check_result(f, day, "X_HOST", "web01", "cpu_load", "ng", "load=5.1", a2);
    assert_int_equal(checklist_ng_incident(f->st, sla, a2, &w, &err), 0);
    assert_false(w.created);
    assert_string_equal(w.incident_id, x.incident_id);
    assert_int_equal(count(f->st, "SELECT count(*) FROM incidents"), 3);
    char *sql = xasprintf("SELECT count(*) FROM incident_events WHERE incident_id = '%s' AND "
                          "kind = 'linked' AND note LIKE '%%cpu_load%%'",
                          x.incident_id);
    assert_int_equal(count(f->st, sql), 1);
    free(sql);
    sql = xasprintf("SELECT count(*) FROM links WHERE from_kind = 'checklist_event' AND "
                    "to_kind = 'incident' AND to_id = '%s'",
                    x.incident_id);
    assert_int_equal(count(f->st, sql), 2);
    free(sql);
    /* The draft names the host and the check, and is linked to the host. */
    sql = xasprintf("SELECT count(*) FROM incidents WHERE id = '%s' AND status = 'draft' AND "
                    "title LIKE '%%web01%%cpu_load%%' AND description LIKE '%%load=4.32%%'",
                    x.incident_id);
    assert_int_equal(count(f->st, sql), 1);
    free(sql);
    /* Once closed, the next NG opens a new draft. */
    sql = xasprintf("UPDATE incidents SET status = 'closed' WHERE id = '%s'", x.incident_id);
    assert_int_equal(store_exec(f->st, sql, &err), 0);
    free(sql);
    char a3[ID_LEN + 1];
    check_result(f, day, "X_HOST", "web01", "cpu_load", "ng", "load=6", a3);
    assert_int_equal(checklist_ng_incident(f->st, sla, a3, &w, &err), 0);
    assert_true(w.created);
    assert_string_not_equal(w.incident_id, x.incident_id);
    /* An OK result is refused, writing nothing. */
    char ok[ID_LEN + 1];
    check_result(f, day, "X_HOST", "db01", "disk_use", "ok", "use=1", ok);
    before = count(f->st, "SELECT count(*) FROM incidents");
    assert_int_equal(checklist_ng_incident(f->st, sla, ok, &w, &err), -1);
    assert_non_null(err);
    free(err);
    assert_int_equal(count(f->st, "SELECT count(*) FROM incidents"), before);
    sla_free(sla);
}

static long addable_index(const struct checklist_addable *v, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].code, code) == 0)
            return (long)i;
    return -1;
}

/* The pane's "a add" picker: active checklist templates, the as-needed ones first (what
 * the key is for), then by code, with whether a host has to be picked; a retired
 * template is not offered. */
static void test_addable_list(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    struct checklist_addable *v;
    size_t n;
    assert_int_equal(checklist_addable_list(f->st, &v, &n, &err), 0);
    long daily = addable_index(v, n, "X_DAILY"), host = addable_index(v, n, "X_HOST");
    long asn = addable_index(v, n, "X_ASNEEDED"), mon = addable_index(v, n, "X_MONTHLY");
    assert_true(daily >= 0 && host >= 0 && asn >= 0 && mon >= 0);
    assert_true(asn < daily && asn < host && asn < mon);
    assert_true(daily < host && host < mon); /* then by code */
    assert_int_equal(v[host].per_host, 1);
    assert_int_equal(v[asn].per_host, 0);
    assert_string_equal(v[asn].name_en, "Test check");
    assert_string_equal(v[asn].name_ja, "テスト点検");
    assert_string_equal(v[asn].period_text, "test");
    checklist_addable_free(v, n);
    assert_int_equal(
        store_exec(f->st, "UPDATE templates SET active = 0 WHERE code = 'X_ASNEEDED'", &err), 0);
    assert_int_equal(checklist_addable_list(f->st, &v, &n, &err), 0);
    assert_int_equal(addable_index(v, n, "X_ASNEEDED"), -1);
    assert_true(addable_index(v, n, "X_DAILY") >= 0);
    checklist_addable_free(v, n);
}

/* One row per item with its hosts under it: the groups of a day, with counts and
 * the worst state. */
static void test_grouped_by_item(void **state)
{
    struct fixture *f = *state;
    const char *day = "2026-11-02";
    assert_int_equal(mark(f, day, "X_HOST", "ng", NULL, NULL, "web01", NULL), 0);
    assert_int_equal(mark(f, day, "L025", "ok", NULL, NULL, "web01", NULL), 0);
    assert_int_equal(mark(f, day, "L025", "ok", NULL, NULL, "db01", NULL), 0);
    assert_int_equal(mark(f, day, "X_DAILY", "skip", NULL, "closed", NULL, NULL), 0);
    struct checklist_day d;
    char *err = NULL;
    assert_int_equal(checklist_load(f->st, f->cal, day, &d, &err), 0);
    struct checklist_group *g;
    size_t n;
    checklist_group_items(&d, &g, &n);
    assert_true(n < d.count);
    size_t items = 0;
    int seen_host = 0, seen_l025 = 0, seen_daily = 0;
    for (size_t i = 0; i < n; i++) {
        const struct checklist_item *head = &d.items[g[i].first];
        assert_int_equal(g[i].first, items); /* consecutive, every item once */
        items += g[i].count;
        assert_int_equal(g[i].ok + g[i].ng + g[i].skip + g[i].todo, (int)g[i].count);
        for (size_t k = g[i].first; k < g[i].first + g[i].count; k++)
            assert_string_equal(d.items[k].code, head->code);
        if (streq(head->code, "X_HOST")) {
            seen_host = 1;
            assert_true(g[i].per_host);
            assert_int_equal(g[i].count, 2);
            assert_int_equal(g[i].ng, 1);
            assert_int_equal(g[i].todo, 1);
            assert_int_equal(g[i].worst, CHECK_NG);
        } else if (streq(head->code, "L025")) {
            seen_l025 = 1;
            assert_int_equal(g[i].count, 2);
            assert_int_equal(g[i].ok, 2);
            assert_int_equal(g[i].worst, CHECK_OK);
        } else if (streq(head->code, "X_DAILY")) {
            seen_daily = 1;
            assert_false(g[i].per_host);
            assert_int_equal(g[i].count, 1);
            assert_int_equal(g[i].worst, CHECK_SKIP);
        }
    }
    assert_int_equal(items, d.count);
    assert_true(seen_host && seen_l025 && seen_daily);
    free(g);
    checklist_day_free(&d);
}

/* The one rule every NG count follows: downtime first, then an acknowledgement. */
static void test_ng_standing(void **state)
{
    (void)state;
    assert_int_equal(checklist_ng_standing(0, 1, 1), CHECKLIST_NOT_NG);
    assert_int_equal(checklist_ng_standing(1, 0, 0), CHECKLIST_NG_COUNTED);
    assert_int_equal(checklist_ng_standing(1, 0, 1), CHECKLIST_NG_ACKED);
    assert_int_equal(checklist_ng_standing(1, 1, 0), CHECKLIST_NG_DOWNTIME);
    assert_int_equal(checklist_ng_standing(1, 1, 1), CHECKLIST_NG_DOWNTIME);
    struct checklist_item it = {.status = CHECK_OK, .out_of_range = 1};
    assert_int_equal(checklist_item_ng(&it), CHECKLIST_NG_COUNTED); /* out of range is NG */
    it.status = CHECK_NG, it.out_of_range = 0, it.acked = 1;
    assert_int_equal(checklist_item_ng(&it), CHECKLIST_NG_ACKED);
    it.status = CHECK_TODO;
    assert_int_equal(checklist_item_ng(&it), CHECKLIST_NOT_NG);
}

int main(void)
{
    /* Now is the end of November; setup dates the store's creation to 2026-11-01. */
    setenv("UNYO_NOW", "2026-11-30T20:00:00+09:00", 1);
    setenv("LANGUAGE", "en", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ng_standing),
        cmocka_unit_test_setup_teardown(test_due_items_by_period, setup, teardown),
        cmocka_unit_test_setup_teardown(test_per_host_expansion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marks_and_corrections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_write_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weekly_rolls_over_until_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_as_needed_added_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ng_draft_and_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worst_of_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ng_incident_per_problem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_addable_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grouped_by_item, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
