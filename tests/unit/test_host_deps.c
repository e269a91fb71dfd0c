/* Dependencies between hosts (src/host_deps.c, issue 15): the core decision (every
 * parent down: unreachable via them; one up: the host's NG stands), cycles refused
 * (directly, through a chain, and a graph that already holds one never loops), a
 * multi-level chain, and in the store: host_parents_set's refusals, and a check run
 * whose host's parent is down (its latest result a connection failure) recording the
 * NG unreachable via it, with no draft and not counted. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "checklist.h"
#include "checks.h"
#include "host_deps.h"
#include "hosts.h"
#include "seed_data.h"
#include "store.h"
#include "support/ledger_fixture.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"

/* core <- sw <- ap ; hv (no parents) ; db <- sw, hv */
static const struct host_dep G[] = {
    {"C", "core-sw01", NULL}, {"S", "sw02", "C"},        {"A", "lib-ap01", "S"},
    {"H", "hv01", NULL},      {"D", "lib-db01", "S, H"},
};
#define NG_ (sizeof G / sizeof *G)

static void test_all_parents_down(void **state)
{
    (void)state;
    int down[NG_] = {0};
    char *via = NULL;
    down[1] = 1; /* sw02 */
    assert_int_equal(host_deps_all_down(G, NG_, 2, down, &via), 1);
    assert_string_equal(via, "sw02");
    free(via);
    /* No parents: never unreachable through one. */
    assert_int_equal(host_deps_all_down(G, NG_, 0, down, &via), 0);
    assert_null(via);
    /* Two parents: both down, both named. */
    down[3] = 1;
    assert_int_equal(host_deps_all_down(G, NG_, 4, down, &via), 1);
    assert_string_equal(via, "sw02,hv01");
    free(via);
}

static void test_one_parent_up(void **state)
{
    (void)state;
    int down[NG_] = {0};
    char *via = NULL;
    down[1] = 1; /* sw02 down, hv01 up: a path exists, lib-db01's NG stands */
    assert_int_equal(host_deps_all_down(G, NG_, 4, down, &via), 0);
    assert_null(via);
    /* A parent not in the graph (removed) counts as up. */
    const struct host_dep g2[] = {{"X", "x", "GONE"}};
    int d2[1] = {1};
    assert_int_equal(host_deps_all_down(g2, 1, 0, d2, &via), 0);
}

static void test_multi_level(void **state)
{
    (void)state;
    /* core-sw01 down; sw02 could not be reached either (down this round): sw02 is
     * unreachable via core-sw01 and lib-ap01 via sw02. */
    int down[NG_] = {0};
    char *via = NULL;
    down[0] = 1;
    down[1] = 1;
    assert_int_equal(host_deps_all_down(G, NG_, 1, down, &via), 1);
    assert_string_equal(via, "core-sw01");
    free(via);
    assert_int_equal(host_deps_all_down(G, NG_, 2, down, &via), 1);
    assert_string_equal(via, "sw02");
    free(via);
    /* core-sw01 down but sw02 answered: lib-ap01's NG is its own. */
    down[1] = 0;
    assert_int_equal(host_deps_all_down(G, NG_, 2, down, &via), 0);
}

static void test_cycles(void **state)
{
    (void)state;
    assert_true(host_deps_cycle(G, NG_, "C", "A"));     /* core <- sw <- ap <- core */
    assert_true(host_deps_cycle(G, NG_, "C", "D"));     /* through lib-db01's sw02 */
    assert_true(host_deps_cycle(G, NG_, "S", "S"));     /* itself */
    assert_false(host_deps_cycle(G, NG_, "C", "H"));    /* hv01 depends on nothing */
    assert_false(host_deps_cycle(G, NG_, "A", "H, C")); /* more parents, no loop */
    /* A cycle already in the graph (two consoles synced) never loops. */
    const struct host_dep loop[] = {{"P", "p", "Q"}, {"Q", "q", "P"}, {"R", "r", NULL}};
    assert_false(host_deps_cycle(loop, 3, "R", "P"));
    assert_true(host_deps_cycle(loop, 3, "P", "Q"));
}

static char *event_via(struct ledger_fx *f)
{
    sqlite3_stmt *s = store_stmt(f->st, "SELECT e.unreachable_via FROM checklist_events e JOIN "
                                        "hosts h ON h.id = e.host_id WHERE h.name = 'lib-ap01' "
                                        "ORDER BY e.hlc DESC LIMIT 1");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    char *v = col_text(s, 0) ? xstrdup(col_text(s, 0)) : NULL;
    sqlite3_reset(s);
    return v;
}

/* The parent's latest result, as an earlier round would have left it. */
static void parent_result(struct ledger_fx *f, const char *id, int64_t at_ms, int conn_failed)
{
    char at[TIME_ISO_LEN + 1], *err = NULL;
    time_format_iso(at_ms, at);
    char *sql = xasprintf(
        "INSERT INTO checklist_events(id, day, template_id, host_id, status, note, reason, "
        "source, operator_id, at, hlc, origin, conn_failed) SELECT '%s', '2026-11-24', "
        "(SELECT id FROM templates WHERE code = 'L025'), (SELECT id FROM hosts WHERE name = "
        "'core-sw01'), '%s', 'check=disk', 'x', 'check', (SELECT id FROM operators LIMIT 1), "
        "'%s', %lld, 'test', %s",
        id, conn_failed ? "ng" : "ok", at, (long long)store_hlc_next(f->st),
        conn_failed ? "1" : "NULL");
    if (store_exec(f->st, sql, &err) != 0)
        fail_msg("%s", err);
    free(sql);
}

/* 1 when lib-ap01's L025 is NG and counted as NG; its reason reads unreachable when not. */
static int counted(struct store *st, const struct calendar *cal, const char *day)
{
    char *err = NULL;
    struct checklist_day cd;
    if (checklist_load(st, cal, day, &cd, &err) != 0)
        fail_msg("%s", err);
    const struct checklist_item *it = checklist_find(&cd, "L025", "lib-ap01");
    assert_non_null(it);
    assert_int_equal(it->status, CHECK_NG);
    int c = !it->in_downtime;
    assert_int_equal(it->unreachable, !c);
    if (!c)
        assert_non_null(strstr(checklist_item_note(it), "[unreachable via core-sw01] "));
    checklist_day_free(&cd);
    return c;
}

static void test_store(void **state)
{
    struct ledger_fx *f = *state;
    struct store *st = f->st;
    char *err = NULL;
    struct host_fields hf = {0};
    hf.ssh_port = -1;
    hf.name = "core-sw01";
    hf.address = "10.0.0.1";
    char id[ID_LEN + 1];
    assert_int_equal(host_add(st, &hf, id, &err), 0);
    fx_expect_fail(host_parents_set(st, "lib-ap01", "core-sw01, nosuch", &err), &err,
                   "no host named nosuch");
    fx_expect_fail(host_parents_set(st, "lib-ap01", "lib-ap01", &err), &err,
                   "cannot be its own parent");
    assert_int_equal(host_parents_set(st, "lib-ap01", "core-sw01,core-sw01", &err), 0);
    fx_expect_fail(host_parents_set(st, "core-sw01", "lib-ap01", &err), &err,
                   "lib-ap01 already depends on core-sw01");
    struct host h;
    char *names = NULL;
    assert_int_equal(host_get(st, "lib-ap01", &h, &err), 0);
    assert_int_equal(host_parents_names(st, &h, &names, &err), 0);
    assert_string_equal(names, "core-sw01"); /* given twice, kept once */
    free(names);
    host_clear(&h);
    assert_int_equal(fx_count(st, "SELECT count(*) FROM audit WHERE action = 'host.parents'"), 1);

    /* A check run on lib-ap01 (local) only, its parent down in the last round. */
    struct template_set ts = {0};
    if (templates_load_builtin(UNYO_TEST_DATADIR, "library", &ts, &err) != 0 ||
        seed_install_templates(st, &ts, &err) != 0 ||
        store_exec(st, "UPDATE hosts SET transport = 'local' WHERE name = 'lib-ap01'", &err) != 0)
        fail_msg("%s", err);
    templates_free(&ts);
    char ini[160];
    snprintf(ini, sizeof ini, "%s/checks.ini", f->dir);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fprintf(fp, "[disk]\ntemplate = L025\nhosts = lib-ap01\ncommand = echo use=91\n"
                "pattern = use=(?<use>\\d+)\ncondition = use < 80\nvalue = use\n");
    fclose(fp);
    struct check_set set = {0};
    if (checks_load_file(ini, &set, &err) != 0)
        fail_msg("%s", err);
    int64_t now = time_now_ms();
    parent_result(f, "01JTESTPARENT0000000000001", now - 60000, 1);
    struct check_run_opts o = {0};
    struct check_report rep;
    if (checks_run(st, &set, &o, &rep, &err) != 0)
        fail_msg("checks_run: %s", err);
    assert_int_equal(rep.count, 1);
    assert_false(rep.results[0].ok);
    assert_string_equal(rep.results[0].unreachable_via, "core-sw01");
    assert_int_equal(rep.results[0].incident_ref[0], 0);
    assert_int_equal(rep.ng, 0);
    assert_int_equal(rep.unreachable, 1);
    check_report_free(&rep);
    assert_int_equal(fx_count(st, "SELECT count(*) FROM incidents"), 0);
    char *via = event_via(f);
    assert_string_equal(via, "core-sw01");
    free(via);
    struct calendar *cal = calendar_new_default();
    char day[16];
    time_format_jst_date(now, day);
    assert_int_equal(counted(st, cal, day), 0);

    /* The parent answered since: the NG is the host's own, with its draft. */
    parent_result(f, "01JTESTPARENT0000000000002", now - 30000, 0);
    if (checks_run(st, &set, &o, &rep, &err) != 0)
        fail_msg("checks_run: %s", err);
    assert_null(rep.results[0].unreachable_via);
    assert_true(rep.results[0].incident_ref[0] != 0);
    assert_int_equal(rep.ng, 1);
    check_report_free(&rep);
    assert_null(event_via(f));
    assert_int_equal(counted(st, cal, day), 1);
    calendar_free(cal);
    checks_free(&set);
}

/* A result unreachable via a parent is not an NG of its own: check run's exit
 * status and the console's messages count NGs with check_report_ng_split. */
static void test_unreachable_not_counted(void **state)
{
    (void)state;
    struct check_result res[3];
    memset(res, 0, sizeof res);
    char via[] = "core-sw01";
    res[0].ok = 0; /* behind a down parent */
    res[0].unreachable_via = via;
    res[1].ok = 0; /* the parent itself: counted */
    res[2].ok = 1;
    struct check_report rep;
    memset(&rep, 0, sizeof rep);
    rep.results = res;
    rep.count = 3;
    size_t counted = 9, down = 9, acked = 9;
    check_report_ng_split(&rep, &counted, &down, &acked);
    assert_int_equal(counted, 1);
    assert_int_equal(down, 0);
    assert_int_equal(acked, 0);
    res[1].ok = 1; /* only the unreachable one is left: nothing counts */
    check_report_ng_split(&rep, &counted, &down, &acked);
    assert_int_equal(counted, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_parents_down),
        cmocka_unit_test(test_one_parent_up),
        cmocka_unit_test(test_multi_level),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_unreachable_not_counted),
        cmocka_unit_test_setup_teardown(test_store, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
