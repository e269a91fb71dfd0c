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

static void new_inquiry(struct ledger_fx *f, char ref[24])
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

static void test_review_cycle(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24], *err = NULL;
    new_inquiry(f, ref);
    assert_memory_equal(ref, "INQ-20261124-", 13);
    assert_int_equal(inquiry_step(f->st, ref, "investigating", NULL, &err), 0);
    /* Review and answer before a draft exist: refused. */
    fx_as(f->st, "sato");
    fx_expect_fail(inquiry_review(f->st, ref, 1, NULL, NULL, &err), &err, "draft");
    err = NULL;
    fx_expect_fail(inquiry_answer(f->st, ref, "x", &err), &err, "approved");
    err = NULL;
    /* The engineer drafts; he cannot review his own draft. */
    assert_int_equal(inquiry_draft(f->st, ref, "システム設定で変更できます。", &err), 0);
    assert_int_equal(inquiry_step(f->st, ref, "in_review", NULL, &err), 0);
    int events = fx_count(f->st, "SELECT count(*) FROM inquiry_events");
    fx_expect_fail(inquiry_review(f->st, ref, 1, NULL, NULL, &err), &err,
                   "the author of the draft cannot approve it");
    err = NULL;
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM inquiry_events"), events);
    /* An operator is no reviewer. */
    fx_as(f->st, "yamada");
    fx_expect_fail(inquiry_review(f->st, ref, 1, NULL, NULL, &err), &err, "engineer");
    err = NULL;
    /* Another engineer returns it; corrections are required. */
    fx_as(f->st, "takahashi");
    fx_expect_fail(inquiry_review(f->st, ref, 0, NULL, NULL, &err), &err, "--note");
    err = NULL;
    assert_int_equal(inquiry_review(f->st, ref, 0, "期限は館ごとの設定である旨を追記", NULL, &err),
                     0);
    struct inquiry q;
    assert_int_equal(inquiry_get(f->st, ref, &q, &err), 0);
    assert_string_equal(q.status, "drafted");
    assert_string_equal(q.reviewer_login, "takahashi");
    inquiry_clear(&q);
    /* The operator redrafts; the engineer approves with a correction. */
    fx_as(f->st, "yamada");
    assert_int_equal(inquiry_draft(f->st, ref, "館ごとの設定で変更できます。", &err), 0);
    assert_int_equal(inquiry_step(f->st, ref, "in_review", NULL, &err), 0);
    fx_as(f->st, "sato");
    assert_int_equal(
        inquiry_review(f->st, ref, 1, NULL, "館ごとの設定画面で10日に変更できます。", &err), 0);
    fx_as(f->st, "yamada");
    fx_expect_fail(inquiry_step(f->st, ref, "closed", NULL, &err), &err, NULL);
    err = NULL;
    assert_int_equal(inquiry_answer(f->st, ref, NULL, &err), 0);
    assert_int_equal(inquiry_step(f->st, ref, "closed", NULL, &err), 0);
    assert_int_equal(inquiry_get(f->st, ref, &q, &err), 0);
    assert_string_equal(q.status, "closed");
    assert_string_equal(q.answer, "館ごとの設定画面で10日に変更できます。");
    assert_string_equal(q.draft_by_login, "yamada");
    assert_true(q.answered > 0 && q.closed > 0);
    struct ledger_event *ev;
    size_t n;
    assert_int_equal(inquiry_events(f->st, q.id, &ev, &n, &err), 0);
    assert_int_equal(n, 10);
    assert_string_equal(ev[4].kind, "returned");
    assert_string_equal(ev[4].operator_login, "takahashi");
    ledger_events_free(ev, n);
    inquiry_clear(&q);
    fx_expect_fail(inquiry_step(f->st, ref, "investigating", NULL, &err), &err, NULL);
    err = NULL;
    fx_expect_fail(inquiry_step(f->st, ref, "bogus", NULL, &err), &err, "unknown step");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit WHERE kind = 'inquiries'"), 10);
}

static void test_convert_to_incident(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24], inc_ref[24], *err = NULL;
    new_inquiry(f, ref);
    fx_expect_fail(inquiry_convert(f->st, f->sla, ref, 5, 1, NULL, inc_ref, &err), &err, "impact");
    err = NULL;
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM incidents"), 0);
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
    fx_expect_fail(inquiry_convert(f->st, f->sla, ref, 2, 1, NULL, inc_ref, &err), &err, NULL);
}

static void test_list(void **state)
{
    struct ledger_fx *f = *state;
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
        cmocka_unit_test_setup_teardown(test_review_cycle, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_convert_to_incident, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_list, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
