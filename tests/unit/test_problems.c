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

static void test_lifecycle_and_publish(void **state)
{
    struct fx *f = *state;
    char a[24], b[24], ref[24], *err = NULL;
    incident(f, "OPAC端末が起動しない", "電源投入後にログイン画面が出ない", a);
    incident(f, "OPAC端末が起動しない（東図書館）", NULL, b);
    assert_int_equal(
        problem_create(f->st, "OPAC端末の起動障害", "複数館で同じ症状", "sato", NULL, ref, &err),
        0);
    assert_memory_equal(ref, "PRB-20261124-", 13);
    assert_int_equal(problem_link_incident(f->st, ref, a, &err), 0);
    assert_int_equal(problem_link_incident(f->st, ref, b, &err), 0);
    expect_fail(problem_link_incident(f->st, ref, a, &err), &err, "already linked");
    expect_fail(problem_link_incident(f->st, ref, "INC-20990101-0000", &err), &err, NULL);
    struct incident inc;
    assert_int_equal(incident_get(f->st, f->sla, a, time_now_ms(), &inc, &err), 0);
    struct problem p;
    assert_int_equal(problem_get(f->st, ref, &p, &err), 0);
    assert_string_equal(inc.problem_id, p.id);
    assert_int_equal(p.incidents, 2);
    incident_clear(&inc);

    /* Out of order: refused, nothing written. */
    int ev = count(f->st, "SELECT count(*) FROM problem_events");
    struct problem_update u = {.status = "known_error"};
    expect_fail(problem_update(f->st, ref, &u, &err), &err, "root cause");
    u = (struct problem_update){.status = "resolved", .root_cause = "電源ユニットの劣化"};
    expect_fail(problem_update(f->st, ref, &u, &err), &err, "permanent measure");
    u = (struct problem_update){.status = "closed"};
    expect_fail(problem_update(f->st, ref, &u, &err), &err, NULL);
    u = (struct problem_update){.status = "open"};
    expect_fail(problem_update(f->st, ref, &u, &err), &err, "forward");
    u = (struct problem_update){.prevention_due = "2026-02-30"};
    expect_fail(problem_update(f->st, ref, &u, &err), &err, "YYYY-MM-DD");
    u = (struct problem_update){0};
    expect_fail(problem_update(f->st, ref, &u, &err), &err, NULL);
    expect_fail(problem_publish(f->st, ref, NULL, NULL, &err), &err, "resolved");
    assert_int_equal(count(f->st, "SELECT count(*) FROM problem_events"), ev);

    u = (struct problem_update){.status = "known_error",
                                .root_cause = "電源ユニットの経年劣化",
                                .workaround = "予備機に切り替えて業務を継続する"};
    assert_int_equal(problem_update(f->st, ref, &u, &err), 0);
    u = (struct problem_update){.status = "resolved",
                                .permanent_measure = "全館のOPAC端末の電源ユニットを交換",
                                .prevention_status = "交換計画を策定済み",
                                .prevention_due = "2027-03-31"};
    assert_int_equal(problem_update(f->st, ref, &u, &err), 0);
    problem_clear(&p);
    assert_int_equal(problem_get(f->st, ref, &p, &err), 0);
    assert_string_equal(p.status, "resolved");
    assert_string_equal(p.prevention_due, "2027-03-31");
    assert_string_equal(p.workaround, "予備機に切り替えて業務を継続する");
    problem_clear(&p);

    char kid[ID_LEN + 1];
    assert_int_equal(problem_publish(f->st, ref, "OPAC 起動 電源", kid, &err), 0);
    expect_fail(problem_publish(f->st, ref, NULL, NULL, &err), &err, "already");
    assert_int_equal(count(f->st, "SELECT count(*) FROM knowledge"), 1);

    /* Intake of a similar incident suggests the article. */
    struct search_hit *h;
    size_t n;
    assert_int_equal(search_suggest_knowledge(f->st, "OPAC端末が起動しない", 5, &h, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].id, kid);
    assert_string_equal(h[0].title, "OPAC端末の起動障害");
    search_hits_free(h, n);
    assert_int_equal(search_suggest_knowledge(f->st, "予約メールが送信されない", 5, &h, &n, &err),
                     0);
    assert_int_equal(n, 0);
    search_hits_free(h, n);
    /* Knowledge is in the full-text index too. */
    int partial;
    assert_int_equal(
        search_run(f->st, "予備機に切り替え", SEARCH_KNOWLEDGE, 5, &h, &n, &partial, &err), 0);
    assert_int_equal(n, 1);
    search_hits_free(h, n);

    u = (struct problem_update){.status = "closed", .note = "再発なし"};
    assert_int_equal(problem_update(f->st, ref, &u, &err), 0);
    struct problem *rows;
    assert_int_equal(problem_list(f->st, "closed", 10, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    problem_list_free(rows, n);
    expect_fail(problem_list(f->st, "weird", 10, &rows, &n, &err), &err, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle_and_publish, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
