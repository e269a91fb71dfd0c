#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "calendar.h"
#include "incidents.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#include "support/ledger_fixture.h"

static void new_incident(struct ledger_fx *f, char ref[24], int64_t received)
{
    const char *hosts[] = {"lib-ap01"};
    struct incident_new in = {.library = "CEN",
                              .channel = "phone",
                              .reporter = "中央館 貸出係",
                              .title = "OPAC端末が起動しない",
                              .description = "開館前の電源投入後、ログイン画面が表示されない。",
                              .category = "hardware",
                              .impact = 1,
                              .urgency = 1,
                              .hosts = hosts,
                              .nhosts = 1,
                              .received = received};
    char *err = NULL;
    int rc = incident_create(f->st, f->sla, &in, NULL, ref, &err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
}

static int step(struct ledger_fx *f, const char *ref, const char *s, const char *note,
                const char *assignee, const char *to, char **err)
{
    struct incident_step_args a = {.note = note, .assignee = assignee, .to = to};
    return incident_step(f->st, f->sla, ref, s, &a, err);
}

static void ok(struct ledger_fx *f, const char *ref, const char *s, const char *note,
               const char *assignee, const char *to)
{
    char *err = NULL;
    int rc = step(f, ref, s, note, assignee, to, &err);
    if (rc != 0)
        fprintf(stderr, "%s: %s\n", s, err);
    assert_int_equal(rc, 0);
}

/* Refused, with a message, and nothing written. */
static void refused(struct ledger_fx *f, const char *ref, const char *s, const char *note,
                    const char *assignee, const char *to, const char *needle)
{
    int ev = fx_count(f->st, "SELECT count(*) FROM incident_events");
    int au = fx_count(f->st, "SELECT count(*) FROM audit");
    char *err = NULL;
    assert_int_equal(step(f, ref, s, note, assignee, to, &err), -1);
    assert_non_null(err);
    if (needle && !strstr(err, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err, needle);
    free(err);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM incident_events"), ev);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit"), au);
}

static void test_full_workflow(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    new_incident(f, ref, 0);
    assert_memory_equal(ref, "INC-20261124-", 13);
    struct incident inc;
    char *err = NULL;
    assert_int_equal(incident_get(f->st, f->sla, ref, time_now_ms(), &inc, &err), 0);
    assert_string_equal(inc.priority, "P1");
    assert_string_equal(inc.status, "received");
    assert_string_equal(inc.library_code, "CEN");
    assert_int_equal(inc.sla.overall, SLA_OK);
    incident_clear(&inc);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM links WHERE from_kind = 'incident' AND "
                                     "to_kind = 'host'"),
                     1);

    ok(f, ref, "isolated", "端末の電源ユニット故障の可能性", NULL, NULL);
    ok(f, ref, "escalated", NULL, "sato", NULL);
    ok(f, ref, "note", "予備機を手配", NULL, NULL);
    ok(f, ref, "first_response", "予備機に切り替え", NULL, NULL);
    ok(f, ref, "paused", "ベンダーの部品待ち", NULL, NULL);
    ok(f, ref, "resumed", NULL, NULL, NULL);
    ok(f, ref, "second_response", "ベンダーが電源ユニットを交換", NULL, NULL);
    ok(f, ref, "recovered", NULL, NULL, NULL);
    ok(f, ref, "notified", NULL, NULL, "中央館 貸出係 佐々木様");
    ok(f, ref, "closed", NULL, NULL, NULL);

    assert_int_equal(incident_get(f->st, f->sla, ref, time_now_ms(), &inc, &err), 0);
    assert_string_equal(inc.status, "closed");
    assert_string_equal(inc.assignee_login, "sato");
    assert_true(inc.acknowledged > 0 && inc.first_response > 0 && inc.recovered > 0 &&
                inc.closed > 0 && inc.notified > 0);
    assert_string_equal(inc.notified_to, "中央館 貸出係 佐々木様");
    assert_int_equal(inc.paused_since, 0);
    assert_int_equal(inc.sla.overall, SLA_MET);
    struct ledger_event *ev;
    size_t n;
    assert_int_equal(incident_events(f->st, inc.id, &ev, &n, &err), 0);
    assert_int_equal(n, 11);
    assert_string_equal(ev[0].kind, "received");
    assert_string_equal(ev[2].kind, "escalated");
    assert_string_equal(ev[2].data, "{\"assignee\":\"sato\"}");
    assert_string_equal(ev[2].operator_login, "yamada");
    assert_string_equal(ev[n - 1].kind, "closed");
    ledger_events_free(ev, n);
    incident_clear(&inc);
    /* Every change left an audit row. */
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit WHERE kind = 'incidents'"), 11);

    /* Reopen from closed, then the steps again. */
    ok(f, ref, "reopened", "再発", NULL, NULL);
    assert_int_equal(incident_get(f->st, f->sla, ref, time_now_ms(), &inc, &err), 0);
    assert_string_equal(inc.status, "reopened");
    assert_int_equal(inc.recovered, 0);
    assert_int_equal(inc.closed, 0);
    incident_clear(&inc);
}

static void test_refusals(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    new_incident(f, ref, 0);
    refused(f, ref, "closed", NULL, NULL, NULL, "recovered");
    refused(f, ref, "recovered", NULL, NULL, NULL, NULL);
    refused(f, ref, "escalated", NULL, "sato", NULL, NULL); /* not isolated yet */
    refused(f, ref, "notified", NULL, NULL, "x", NULL);
    refused(f, ref, "resumed", NULL, NULL, NULL, "not paused");
    refused(f, ref, "paused", NULL, NULL, NULL, "reason");
    refused(f, ref, "note", NULL, NULL, NULL, NULL);
    refused(f, ref, "received", NULL, NULL, NULL, "unknown step");
    refused(f, ref, "explode", NULL, NULL, NULL, "unknown step");
    ok(f, ref, "isolated", NULL, NULL, NULL);
    refused(f, ref, "isolated", NULL, NULL, NULL, NULL);
    refused(f, ref, "escalated", NULL, NULL, NULL, "--assignee");
    refused(f, ref, "escalated", NULL, "yamada", NULL, "not an engineer");
    refused(f, ref, "escalated", NULL, "nobody", NULL, "unknown operator");
    refused(f, ref, "assigned", NULL, "nobody", NULL, "unknown operator");
    refused(f, ref, "second_response", NULL, NULL, NULL, NULL);
    ok(f, ref, "paused", "図書館の回答待ち", NULL, NULL);
    refused(f, ref, "paused", "again", NULL, NULL, "already paused");
    char *err = NULL;
    assert_int_equal(incident_step(f->st, f->sla, "INC-20990101-zzzz", "note",
                                   &(struct incident_step_args){.note = "x"}, &err),
                     -1);
    assert_non_null(strstr(err, "no incident"));
    free(err);
}

static void test_bad_input_creates_nothing(void **state)
{
    struct ledger_fx *f = *state;
    int before = fx_count(f->st, "SELECT count(*) FROM incidents");
    int audit = fx_count(f->st, "SELECT count(*) FROM audit");
    struct incident_new base = {.library = "CEN",
                                .channel = "phone",
                                .title = "プリンタが印刷できない",
                                .impact = 2,
                                .urgency = 2};
    char *err = NULL;
    struct incident_new in = base;
    in.impact = 4;
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "impact"));
    free(err), err = NULL;
    in = base;
    in.urgency = 0;
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, NULL, &err), -1);
    free(err), err = NULL;
    in = base;
    in.library = "XXX";
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "unknown library"));
    assert_non_null(strstr(err, "CEN"));
    free(err), err = NULL;
    in = base;
    const char *hosts[] = {"lib-ap01", "no-such-host"};
    in.hosts = hosts;
    in.nhosts = 2;
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "no-such-host"));
    free(err), err = NULL;
    in = base;
    in.channel = "fax";
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, NULL, &err), -1);
    free(err), err = NULL;
    in = base;
    in.category = "weather";
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, NULL, &err), -1);
    free(err), err = NULL;
    in = base;
    in.title = "";
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, NULL, &err), -1);
    free(err), err = NULL;
    /* An unknown acting operator. */
    fx_as(f->st, "stranger");
    assert_int_equal(incident_create(f->st, f->sla, &base, NULL, NULL, &err), -1);
    assert_non_null(strstr(err, "stranger"));
    free(err), err = NULL;
    fx_as(f->st, "yamada");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM incidents"), before);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM links"), 0);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit"), audit);
}

static void test_draft_and_submit(void **state)
{
    struct ledger_fx *f = *state;
    struct incident_new in = {.library = "HIG",
                              .channel = "mail",
                              .title = "予約メールが送信されない",
                              .impact = 2,
                              .urgency = 3,
                              .draft = 1};
    char ref[24], *err = NULL;
    assert_int_equal(incident_create(f->st, f->sla, &in, NULL, ref, &err), 0);
    /* A draft is a row: it survives closing the store (a crash). */
    store_close(f->st);
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &f->st, &err), 0);
    struct incident inc;
    assert_int_equal(incident_get(f->st, f->sla, ref, time_now_ms(), &inc, &err), 0);
    assert_string_equal(inc.status, "draft");
    assert_string_equal(inc.priority, "P4");
    assert_int_equal(inc.sla.overall, SLA_NONE);
    incident_clear(&inc);
    /* Drafts stay out of the list unless asked for. */
    struct incident_filter flt = {0};
    struct incident *rows;
    size_t n;
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 0);
    incident_list_free(rows, n);
    flt.status = "draft";
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    incident_list_free(rows, n);
    refused(f, ref, "isolated", NULL, NULL, NULL, "draft");
    /* The form saves again as the operator types; the index follows. */
    in.title = "予約確保メールが送信されない";
    in.impact = 1;
    in.urgency = 1;
    assert_int_equal(incident_update_draft(f->st, f->sla, ref, &in, &err), 0);
    in.impact = 7;
    assert_int_equal(incident_update_draft(f->st, f->sla, ref, &in, &err), -1);
    free(err), err = NULL;
    assert_int_equal(incident_get(f->st, f->sla, ref, time_now_ms(), &inc, &err), 0);
    assert_string_equal(inc.title, "予約確保メールが送信されない");
    assert_string_equal(inc.priority, "P1");
    incident_clear(&inc);
    assert_int_equal(incident_submit(f->st, f->sla, ref, &err), 0);
    in.impact = 1;
    assert_int_equal(incident_update_draft(f->st, f->sla, ref, &in, &err), -1);
    assert_non_null(strstr(err, "not a draft"));
    free(err), err = NULL;
    assert_int_equal(incident_submit(f->st, f->sla, ref, &err), -1);
    free(err), err = NULL;
    ok(f, ref, "isolated", NULL, NULL, NULL);
}

static void test_inbox_and_list_filters(void **state)
{
    struct ledger_fx *f = *state;
    char a[24], b[24];
    new_incident(f, a, 0);
    new_incident(f, b, 0);
    ok(f, a, "isolated", NULL, NULL, NULL);
    ok(f, a, "escalated", NULL, "sato", NULL);
    ok(f, b, "assigned", NULL, "takahashi", NULL);
    char *err = NULL;
    struct incident_filter flt = {.inbox = 1};
    struct incident *rows;
    size_t n;
    fx_as(f->st, "sato");
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, a);
    incident_list_free(rows, n);
    fx_as(f->st, "takahashi");
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, b);
    incident_list_free(rows, n);
    /* Recovered work leaves the inbox. */
    fx_as(f->st, "sato");
    ok(f, a, "first_response", NULL, NULL, NULL);
    ok(f, a, "recovered", NULL, NULL, NULL);
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 0);
    incident_list_free(rows, n);

    struct incident_filter g = {.status = "recovered"};
    assert_int_equal(incident_list(f->st, f->sla, &g, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    incident_list_free(rows, n);
    struct incident_filter h = {.library = "CEN", .priority = "p1", .assignee = "takahashi"};
    assert_int_equal(incident_list(f->st, f->sla, &h, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, b);
    incident_list_free(rows, n);
    struct incident_filter bad = {.priority = "P7"};
    assert_int_equal(incident_list(f->st, f->sla, &bad, time_now_ms(), &rows, &n, NULL, &err), -1);
    free(err);
}

static void test_breach_scan(void **state)
{
    struct ledger_fx *f = *state;
    char late[24], fresh[24];
    /* Received Monday 09:00: by Tuesday 10:00 every P1 clock is past its target. */
    new_incident(f, late, time_now_ms() - 25LL * 3600 * 1000);
    new_incident(f, fresh, 0);
    char *err = NULL;
    struct incident_filter flt = {.sla = SLA_BREACHED};
    struct incident *rows;
    size_t n;
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, late);
    assert_int_equal(rows[0].sla.step[SLA_RECOVERY].state, SLA_BREACHED);
    incident_list_free(rows, n);
    flt.sla = SLA_OK;
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, fresh);
    incident_list_free(rows, n);

    int found = 0;
    assert_int_equal(sla_scan(f->st, f->sla, time_now_ms(), NULL, NULL, &found, &err), 0);
    assert_int_equal(found, 3);
    assert_int_equal(sla_scan(f->st, f->sla, time_now_ms(), NULL, NULL, &found, &err), 0);
    assert_int_equal(found, 0);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM incident_events WHERE kind = "
                                     "'sla_breached'"),
                     3);
    /* A step recorded late does not add a second breach for the same step. */
    ok(f, late, "isolated", NULL, NULL, NULL);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM incident_events WHERE kind = "
                                     "'sla_breached'"),
                     3);
    struct incident inc;
    assert_int_equal(incident_get(f->st, f->sla, late, time_now_ms(), &inc, &err), 0);
    assert_int_equal(inc.breaches, 7);
    assert_int_equal(inc.sla.step[SLA_ACK].state, SLA_MISSED);
    incident_clear(&inc);
}

static void test_pause_in_ledger(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    new_incident(f, ref, 0);
    ok(f, ref, "isolated", NULL, NULL, NULL);
    ok(f, ref, "paused", "図書館の回答待ち", NULL, NULL);
    struct incident inc;
    char *err = NULL;
    assert_int_equal(incident_get(f->st, f->sla, ref, time_now_ms(), &inc, &err), 0);
    assert_true(inc.paused_since > 0);
    assert_int_equal(inc.sla.paused, 1);
    assert_int_equal(inc.sla.step[SLA_RECOVERY].due, INT64_MAX);
    incident_clear(&inc);
    /* Recovery while paused resumes the clock first. */
    ok(f, ref, "first_response", NULL, NULL, NULL);
    ok(f, ref, "recovered", NULL, NULL, NULL);
    assert_int_equal(incident_get(f->st, f->sla, ref, time_now_ms(), &inc, &err), 0);
    assert_int_equal(inc.paused_since, 0);
    assert_int_equal(inc.sla.paused, 0);
    assert_int_equal(inc.sla.step[SLA_RECOVERY].state, SLA_MET);
    incident_clear(&inc);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM incident_events WHERE kind = 'resumed'"),
                     1);
}

/* Two consoles submit one draft at the same moment: exactly one wins, the other is
 * told it is no longer a draft, and the incident is received once. */
struct submitter {
    struct store *st;
    const struct sla *sla;
    const char *ref;
    pthread_barrier_t *go;
    int rc;
    char *err;
};

static void *submit_thread(void *arg)
{
    struct submitter *s = arg;
    pthread_barrier_wait(s->go);
    s->rc = incident_submit(s->st, s->sla, s->ref, &s->err);
    return NULL;
}

static void test_concurrent_submit(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    struct store *other;
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &other, &err), 0);
    for (int round = 0; round < 8; round++) {
        struct incident_new in = {.library = "HIG",
                                  .channel = "mail",
                                  .title = "予約メールが送信されない",
                                  .impact = 2,
                                  .urgency = 3,
                                  .draft = 1};
        char ref[24];
        assert_int_equal(incident_create(f->st, f->sla, &in, NULL, ref, &err), 0);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        struct submitter a = {f->st, f->sla, ref, &go, 0, NULL};
        struct submitter b = {other, f->sla, ref, &go, 0, NULL};
        pthread_t ta, tb;
        assert_int_equal(pthread_create(&ta, NULL, submit_thread, &a), 0);
        assert_int_equal(pthread_create(&tb, NULL, submit_thread, &b), 0);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        pthread_barrier_destroy(&go);
        if ((a.rc == 0) == (b.rc == 0))
            fail_msg("round %d: rc %d and %d (%s / %s)", round, a.rc, b.rc, a.err ? a.err : "",
                     b.err ? b.err : "");
        assert_non_null(strstr(a.rc ? a.err : b.err, "draft"));
        free(a.err);
        free(b.err);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM incident_events e JOIN incidents i ON i.id = "
                 "e.incident_id WHERE i.ref = '%s' AND e.kind = 'received'",
                 ref);
        assert_int_equal(fx_count(f->st, sql), 1);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM audit WHERE action = 'incident.submit' AND detail = '%s'",
                 ref);
        assert_int_equal(fx_count(f->st, sql), 1);
    }
    store_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_workflow, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_refusals, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_creates_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_draft_and_submit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_submit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_inbox_and_list_filters, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_breach_scan, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_pause_in_ledger, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
