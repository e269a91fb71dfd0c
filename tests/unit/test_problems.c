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
#include "problems.h"
#include "reports.h"
#include "search.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#include "support/ledger_fixture.h"

static void test_lifecycle_and_publish(void **state)
{
    struct ledger_fx *f = *state;
    char a[24], b[24], ref[24], *err = NULL;
    fx_incident(f, "OPAC端末が起動しない", "電源投入後にログイン画面が出ない", a);
    fx_incident(f, "OPAC端末が起動しない（東図書館）", NULL, b);
    assert_int_equal(
        problem_create(f->st, "OPAC端末の起動障害", "複数館で同じ症状", "sato", NULL, ref, &err),
        0);
    assert_memory_equal(ref, "PRB-20261124-", 13);
    assert_int_equal(problem_link_incident(f->st, ref, a, &err), 0);
    assert_int_equal(problem_link_incident(f->st, ref, b, &err), 0);
    fx_expect_fail(problem_link_incident(f->st, ref, a, &err), &err, "already linked");
    fx_expect_fail(problem_link_incident(f->st, ref, "INC-20990101-0000", &err), &err, NULL);
    struct incident inc;
    assert_int_equal(incident_get(f->st, f->sla, a, time_now_ms(), &inc, &err), 0);
    struct problem p;
    assert_int_equal(problem_get(f->st, ref, &p, &err), 0);
    assert_string_equal(inc.problem_id, p.id);
    assert_int_equal(p.incidents, 2);
    incident_clear(&inc);

    /* Out of order: refused, nothing written. */
    int ev = fx_count(f->st, "SELECT count(*) FROM problem_events");
    struct problem_update u = {.status = "known_error"};
    fx_expect_fail(problem_update(f->st, ref, &u, &err), &err, "root cause");
    u = (struct problem_update){.status = "resolved", .root_cause = "電源ユニットの劣化"};
    fx_expect_fail(problem_update(f->st, ref, &u, &err), &err, "permanent measure");
    u = (struct problem_update){.status = "closed"};
    fx_expect_fail(problem_update(f->st, ref, &u, &err), &err, NULL);
    u = (struct problem_update){.status = "open"};
    fx_expect_fail(problem_update(f->st, ref, &u, &err), &err, "forward");
    u = (struct problem_update){.prevention_due = "2026-02-30"};
    fx_expect_fail(problem_update(f->st, ref, &u, &err), &err, "YYYY-MM-DD");
    u = (struct problem_update){0};
    fx_expect_fail(problem_update(f->st, ref, &u, &err), &err, NULL);
    fx_expect_fail(problem_publish(f->st, ref, NULL, NULL, &err), &err, "resolved");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM problem_events"), ev);

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
    fx_expect_fail(problem_publish(f->st, ref, NULL, NULL, &err), &err, "already");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM knowledge"), 1);

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
    fx_expect_fail(problem_list(f->st, "weird", 10, &rows, &n, &err), &err, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle_and_publish, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
