/* What the panes pick from and count, read through the core (no SQL in screens/):
 * the intake form's libraries, the handover's addressees, a host's sparkline values,
 * the status bar's open incidents, and the change a pane polls to reload. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "i18n.h"
#include "incident_views.h"
#include "incidents.h"
#include "support/ledger_fixture.h"
#include "libraries.h"
#include "operators.h"
#include "store.h"
#include "util.h"

#define HOST_ID "00000000-0000-7000-8000-000000000001"

/* The intake form offers the central library first, then the branches, then the rest
 * (each by code), named in the interface language. */
static void test_libraries(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    struct library_brief *v;
    size_t n;
    assert_int_equal(library_list(f->st, &v, &n, &err), 0);
    assert_int_equal(n, 9);
    assert_string_equal(v[0].code, "CEN");
    assert_string_equal(v[0].kind, "central");
    /* branches by code, then the centre and the data centre */
    const char *const order[] = {"CEN", "EKI", "HIG", "KIT", "KOD", "MIN", "NIS", "CHI", "DC"};
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i].code, order[i]);
    assert_string_equal(library_name(&v[0]), "Central Library");
    i18n_init("ja");
    assert_string_equal(library_name(&v[0]), "中央図書館");
    i18n_init("en");
    library_list_free(v, n);
    /* a removed library is not offered */
    assert_int_equal(store_exec(f->st, "UPDATE libraries SET deleted = 1 WHERE code = 'EKI'", &err),
                     0);
    assert_int_equal(library_list(f->st, &v, &n, &err), 0);
    assert_int_equal(n, 8);
    assert_string_equal(v[1].code, "HIG");
    library_list_free(v, n);
}

/* Signing a handover offers the other active operators by login ("name (login)"). */
static void test_operators(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    assert_int_equal(store_require_operator(f->st, &err), 0);
    struct operator_brief *v;
    size_t n;
    assert_int_equal(operator_list_active(f->st, f->st->operator_id, &v, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].login, "ito");
    assert_string_equal(v[0].name, "伊藤 由美");
    assert_string_equal(v[1].login, "sato");
    assert_string_equal(v[2].login, "takahashi");
    operator_briefs_free(v, n);
    assert_int_equal(
        store_exec(f->st, "UPDATE operators SET active = 0 WHERE login = 'sato'", &err), 0);
    assert_int_equal(operator_list_active(f->st, NULL, &v, &n, &err), 0);
    assert_int_equal(n, 3); /* yamada is in without an exception; sato is not */
    assert_string_equal(v[0].login, "ito");
    assert_string_equal(v[1].login, "takahashi");
    assert_string_equal(v[2].login, "yamada");
    operator_briefs_free(v, n);
}

static void add_metric(struct store *st, const char *metric, double value, int minute)
{
    char id[ID_LEN + 1];
    id_new(id);
    char *sql = xasprintf("INSERT INTO host_metrics(id, host_id, metric, value, at, hlc, origin) "
                          "VALUES('%s', '" HOST_ID "', '%s', %g, "
                          "'2026-11-24T01:%02d:00.000Z', 1, 'o')",
                          id, metric, value, minute);
    char *err = NULL;
    assert_int_equal(store_exec(st, sql, &err), 0);
    free(sql);
}

/* The Hosts pane's sparkline: the latest values of one metric, oldest first. */
static void test_host_metrics(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    double vals[4];
    assert_int_equal(host_metric_recent(f->st, HOST_ID, "cpu_load", vals, 4, &err), 0);
    for (int i = 0; i < 6; i++) /* inserted out of order on purpose */
        add_metric(f->st, "cpu_load", (double)((i * 7) % 6), (i * 7) % 6);
    add_metric(f->st, "disk_used_pct", 99, 59);
    assert_int_equal(host_metric_recent(f->st, HOST_ID, "cpu_load", vals, 4, &err), 4);
    for (int i = 0; i < 4; i++)
        assert_true(vals[i] == (double)(i + 2)); /* minutes 2..5: the latest four */
    assert_int_equal(host_metric_recent(f->st, HOST_ID, "disk_used_pct", vals, 4, &err), 1);
    assert_true(vals[0] == 99);
}

/* The status bar's "open" count agrees with the Incidents list: running incidents
 * count, a draft (not listed) and a recovered one do not. */
static void test_open_incidents(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    long open = -1;
    assert_int_equal(incident_count_open(f->st, &open, &err), 0);
    assert_int_equal(open, 0);
    char a[24], b[24];
    fx_incident(f, "OPAC端末が起動しない", NULL, a);
    fx_incident(f, "貸出処理で応答が遅い", NULL, b);
    struct incident_new d = {.library = "CEN",
                             .channel = "phone",
                             .title = "下書き",
                             .impact = 2,
                             .urgency = 2,
                             .draft = 1};
    assert_int_equal(incident_create(f->st, f->sla, &d, NULL, NULL, &err), 0);
    assert_int_equal(incident_count_open(f->st, &open, &err), 0);
    assert_int_equal(open, 2);
    fx_step(f, a, "isolated", NULL);
    fx_step(f, a, "first_response", "再起動");
    fx_step(f, a, "recovered", NULL);
    assert_int_equal(incident_count_open(f->st, &open, &err), 0);
    assert_int_equal(open, 1);
}

/* A discarded draft is gone: not offered, not counted; only a draft can be discarded;
 * the discard is audited. */
static void test_discard_draft(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    char a[24], d[24];
    fx_incident(f, "OPAC端末が起動しない", NULL, a);
    struct incident_new n = {.library = "CEN",
                             .channel = "phone",
                             .title = "下書き",
                             .impact = 2,
                             .urgency = 2,
                             .draft = 1};
    assert_int_equal(incident_create(f->st, f->sla, &n, NULL, d, &err), 0);
    int drafts = -1;
    assert_int_equal(incident_my_draft_count(f->st, &drafts, &err), 0);
    assert_int_equal(drafts, 1);
    assert_int_equal(incident_discard_draft(f->st, a, &err), -1); /* not a draft */
    assert_non_null(strstr(err, a));
    free(err);
    err = NULL;
    if (incident_discard_draft(f->st, d, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(incident_my_draft_count(f->st, &drafts, &err), 0);
    assert_int_equal(drafts, 0);
    assert_int_equal(incident_discard_draft(f->st, d, &err), -1); /* gone */
    free(err);
    err = NULL;
    sqlite3_stmt *s =
        store_stmt(f->st, "SELECT count(*) FROM audit WHERE action = 'incident.discard'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_reset(s);
    long open = -1;
    assert_int_equal(incident_count_open(f->st, &open, &err), 0);
    assert_int_equal(open, 1);
}

/* A pane reloads when another connection (a runner, the CLI) has committed. */
static void test_data_version(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    int64_t v0 = store_data_version(f->st);
    assert_int_equal(store_data_version(f->st), v0);
    struct store *other = NULL;
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &other, &err), 0);
    store_busy_timeout(other, 10000);
    assert_int_equal(store_exec(other, "UPDATE operators SET name = 'X' WHERE login = 'ito'", &err),
                     0);
    store_close(other);
    assert_true(store_data_version(f->st) != v0);
}

int main(void)
{
    i18n_init("en");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_libraries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_operators, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_host_metrics, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_open_incidents, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_discard_draft, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_data_version, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
