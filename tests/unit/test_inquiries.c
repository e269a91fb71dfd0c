#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incidents.h"
#include "inquiries.h"
#include "operators.h"
#include "problems.h"
#include "reports.h"
#include "search.h"
#include "seed_data.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

/* Tuesday 2026-11-24 10:00 JST: in service. */
#define NOW "2026-11-24T10:00:00+09:00"

struct fx {
    char dir[64];
    char path[96];
    struct store *st;
    struct sla *sla;
};

static void as(struct store *st, const char *login)
{
    setenv("UNYO_USER", login, 1);
    st->operator_id[0] = '\0';
}

static int setup(void **state)
{
    setenv("UNYO_NOW", NOW, 1);
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-inc-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/unyo.db", f->dir);
    char *err = NULL;
    if (store_open(f->path, STORE_CREATE_NEW, &f->st, &err) != 0 ||
        seed_install_libraries(f->st, UNYO_TEST_DATADIR "/libraries.ini", &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    as(f->st, "yamada");
    if (operator_add(f->st, "yamada", "山田 花子", "operator", NULL, &err) != 0 ||
        operator_add(f->st, "sato", "佐藤 健", "engineer", NULL, &err) != 0 ||
        operator_add(f->st, "takahashi", "高橋 誠", "engineer", NULL, &err) != 0 ||
        operator_add(f->st, "ito", "伊藤 由美", "manager", NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    assert_int_equal(store_exec(f->st,
                                "INSERT INTO hosts(id, name, created_at, updated_at, hlc, origin) "
                                "VALUES('00000000-0000-7000-8000-000000000001', 'lib-ap01', 'x', "
                                "'x', 1, 'o')",
                                &err),
                     0);
    as(f->st, "yamada");
    f->sla = sla_new(NULL, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    sla_free(f->sla);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int count(struct store *st, const char *sql)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

__attribute__((unused)) static void incident(struct fx *f, const char *title, const char *desc,
                                             char ref[24])
{
    struct incident_new in = {.library = "CEN",
                              .channel = "phone",
                              .title = title,
                              .description = desc,
                              .impact = 2,
                              .urgency = 2};
    char *err = NULL;
    int rc = incident_create(f->st, f->sla, &in, NULL, ref, &err);
    if (rc != 0)
        fail_msg("%s", err);
}

__attribute__((unused)) static void step(struct fx *f, const char *ref, const char *s,
                                         const char *note)
{
    struct incident_step_args a = {.note = note, .assignee = "sato"};
    char *err = NULL;
    if (incident_step(f->st, f->sla, ref, s, &a, &err) != 0)
        fail_msg("%s: %s", s, err);
}

static void new_inquiry(struct fx *f, char ref[24])
{
    struct inquiry_new in = {.library = "MIN",
                             .channel = "phone",
                             .reporter = "南図書館 吉田",
                             .title = "予約の取り置き期限を変更したい",
                             .question = "取り置き期限を7日から10日にできるか。"};
    char *err = NULL;
    if (inquiry_create(f->st, &in, NULL, ref, &err) != 0)
        fail_msg("%s", err);
}

static void expect_fail(int rc, char **errp, const char *needle)
{
    char *err = *errp;
    *errp = NULL;
    assert_int_equal(rc, -1);
    assert_non_null(err);
    if (needle && !strstr(err, needle))
        fail_msg("\"%s\" lacks \"%s\"", err, needle);
    free(err);
}

static void test_review_cycle(void **state)
{
    struct fx *f = *state;
    char ref[24], *err = NULL;
    new_inquiry(f, ref);
    assert_memory_equal(ref, "INQ-20261124-", 13);
    assert_int_equal(inquiry_step(f->st, ref, "investigating", NULL, &err), 0);
    /* Review and answer before a draft exist: refused. */
    as(f->st, "sato");
    expect_fail(inquiry_review(f->st, ref, 1, NULL, NULL, &err), &err, "draft");
    err = NULL;
    expect_fail(inquiry_answer(f->st, ref, "x", &err), &err, "approved");
    err = NULL;
    /* The engineer drafts; he cannot review his own draft. */
    assert_int_equal(inquiry_draft(f->st, ref, "システム設定で変更できます。", &err), 0);
    assert_int_equal(inquiry_step(f->st, ref, "in_review", NULL, &err), 0);
    int events = count(f->st, "SELECT count(*) FROM inquiry_events");
    expect_fail(inquiry_review(f->st, ref, 1, NULL, NULL, &err), &err, "another engineer");
    err = NULL;
    assert_int_equal(count(f->st, "SELECT count(*) FROM inquiry_events"), events);
    /* An operator is no reviewer. */
    as(f->st, "yamada");
    expect_fail(inquiry_review(f->st, ref, 1, NULL, NULL, &err), &err, "engineer");
    err = NULL;
    /* Another engineer returns it; corrections are required. */
    as(f->st, "takahashi");
    expect_fail(inquiry_review(f->st, ref, 0, NULL, NULL, &err), &err, "--note");
    err = NULL;
    assert_int_equal(inquiry_review(f->st, ref, 0, "期限は館ごとの設定である旨を追記", NULL, &err),
                     0);
    struct inquiry q;
    assert_int_equal(inquiry_get(f->st, ref, &q, &err), 0);
    assert_string_equal(q.status, "drafted");
    assert_string_equal(q.reviewer_login, "takahashi");
    inquiry_clear(&q);
    /* The operator redrafts; the engineer approves with a correction. */
    as(f->st, "yamada");
    assert_int_equal(inquiry_draft(f->st, ref, "館ごとの設定で変更できます。", &err), 0);
    assert_int_equal(inquiry_step(f->st, ref, "in_review", NULL, &err), 0);
    as(f->st, "sato");
    assert_int_equal(
        inquiry_review(f->st, ref, 1, NULL, "館ごとの設定画面で10日に変更できます。", &err), 0);
    as(f->st, "yamada");
    expect_fail(inquiry_step(f->st, ref, "closed", NULL, &err), &err, NULL);
    err = NULL;
    assert_int_equal(inquiry_answer(f->st, ref, NULL, &err), 0);
    assert_int_equal(inquiry_step(f->st, ref, "closed", NULL, &err), 0);
    assert_int_equal(inquiry_get(f->st, ref, &q, &err), 0);
    assert_string_equal(q.status, "closed");
    assert_string_equal(q.answer, "館ごとの設定画面で10日に変更できます。");
    assert_string_equal(q.draft_by_login, "yamada");
    assert_true(q.answered > 0 && q.closed > 0);
    struct inquiry_event *ev;
    size_t n;
    assert_int_equal(inquiry_events(f->st, q.id, &ev, &n, &err), 0);
    assert_int_equal(n, 10);
    assert_string_equal(ev[4].kind, "returned");
    assert_string_equal(ev[4].operator_login, "takahashi");
    inquiry_events_free(ev, n);
    inquiry_clear(&q);
    expect_fail(inquiry_step(f->st, ref, "investigating", NULL, &err), &err, NULL);
    err = NULL;
    expect_fail(inquiry_step(f->st, ref, "bogus", NULL, &err), &err, "unknown step");
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE kind = 'inquiries'"), 10);
}

static void test_convert_to_incident(void **state)
{
    struct fx *f = *state;
    char ref[24], inc_ref[24], *err = NULL;
    new_inquiry(f, ref);
    expect_fail(inquiry_convert(f->st, f->sla, ref, 5, 1, NULL, inc_ref, &err), &err, "impact");
    err = NULL;
    assert_int_equal(count(f->st, "SELECT count(*) FROM incidents"), 0);
    assert_int_equal(inquiry_convert(f->st, f->sla, ref, 2, 1, "software", inc_ref, &err), 0);
    struct inquiry q;
    assert_int_equal(inquiry_get(f->st, ref, &q, &err), 0);
    assert_string_equal(q.status, "converted");
    assert_string_equal(q.incident_ref, inc_ref);
    struct incident inc;
    assert_int_equal(incident_get(f->st, f->sla, inc_ref, time_now_ms(), &inc, &err), 0);
    assert_string_equal(inc.inquiry_id, q.id);
    assert_string_equal(inc.title, q.title);
    assert_string_equal(inc.library_code, "MIN");
    assert_string_equal(inc.priority, "P2");
    assert_int_equal(inc.received, q.received);
    struct ledger_link *l;
    size_t n;
    assert_int_equal(incident_links(f->st, inc.id, &l, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].kind, "inquiry");
    ledger_links_free(l, n);
    incident_clear(&inc);
    inquiry_clear(&q);
    /* Converted is closed. */
    expect_fail(inquiry_convert(f->st, f->sla, ref, 2, 1, NULL, inc_ref, &err), &err, NULL);
}

static void test_list(void **state)
{
    struct fx *f = *state;
    char a[24], b[24], *err = NULL;
    new_inquiry(f, a);
    new_inquiry(f, b);
    assert_int_equal(inquiry_step(f->st, a, "investigating", NULL, &err), 0);
    struct inquiry_filter flt = {.status = "received"};
    struct inquiry *rows;
    size_t n;
    assert_int_equal(inquiry_list(f->st, &flt, &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, b);
    inquiry_list_free(rows, n);
    struct inquiry_filter s = {.search = "取り置き期限"};
    assert_int_equal(inquiry_list(f->st, &s, &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 2);
    inquiry_list_free(rows, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_review_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_convert_to_incident, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
