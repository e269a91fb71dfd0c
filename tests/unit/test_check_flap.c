/* Flapping and recovery of check problems (src/check_flap.c, issue 15).
 *
 * The percentage is Icinga's (Nagios') weighted state change over the last 21
 * results: change k = 1 (oldest pair) .. 20 (newest) weighs w(k) = 0.8 + 0.4 (k - 1) / 19,
 * pct = 100 * sum(w) / 20. The figures below are worked by hand from that formula.
 * The store tests run a check on a `local` host whose command reads a file the test
 * rewrites (use=90 is NG, use=50 OK). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_ack.h"
#include "check_flap.h"
#include "checks.h"
#include "incidents.h"
#include "support/ledger_fixture.h"
#include "seed_data.h"
#include "store.h"
#include "templates.h"
#include "util.h"

#define EPS 1e-9

/* ---- the pure computation ---- */

static void test_percent_figures(void **state)
{
    (void)state;
    int s[CHECK_FLAP_HISTORY];
    /* Steady: no change, 0 %. */
    for (int i = 0; i < 21; i++)
        s[i] = 1;
    assert_float_equal(check_flap_percent(s, 21), 0.0, EPS);
    assert_float_equal(check_flap_percent(s, 1), 0.0, EPS);
    assert_float_equal(check_flap_percent(s, 0), 0.0, EPS);
    /* One change, the newest pair: w(20) = 1.2 -> 6 %. */
    s[20] = 0;
    assert_float_equal(check_flap_percent(s, 21), 6.0, EPS);
    /* One change, the oldest pair: w(1) = 0.8 -> 4 %. */
    s[20] = 1;
    s[0] = 0;
    assert_float_equal(check_flap_percent(s, 21), 4.0, EPS);
    /* Alternating on every result: sum w(1..20) = 16 + 0.4 * 190 / 19 = 20 -> 100 %. */
    for (int i = 0; i < 21; i++)
        s[i] = i % 2;
    assert_float_equal(check_flap_percent(s, 21), 100.0, 1e-9);
    /* A longer history weighs its last 21 only: 40 alternating results, still 100 %. */
    for (int i = 0; i < 40; i++)
        s[i] = i % 2;
    assert_float_equal(check_flap_percent(s, 40), 100.0, 1e-9);
    /* Nine alternating results after a steady start: changes k = 12..20,
     * 9 * 0.8 + 0.4 * (11 + ... + 19) / 19 = 7.2 + 54 / 19 = 10.0421 -> 50.2105 %. */
    for (int i = 0; i < 21; i++)
        s[i] = i < 11 ? 1 : i % 2;
    assert_float_equal(check_flap_percent(s, 21), 100.0 * (7.2 + 54.0 / 19.0) / 20.0, 1e-9);
    /* Fewer than 21 results: the missing older ones count as no change and the
     * divisor stays 20. OK NG OK: k = 19, 20: 1.6 + 0.4 * (18 + 19) / 19 -> 11.8947 %. */
    s[0] = 1, s[1] = 0, s[2] = 1;
    assert_float_equal(check_flap_percent(s, 3), 100.0 * (1.6 + 0.4 * 37.0 / 19.0) / 20.0, 1e-9);
    assert_float_equal(check_flap_percent(s, 2), 6.0, EPS);
}

static void test_walk_steady_alternating(void **state)
{
    (void)state;
    int s[CHECK_FLAP_HISTORY];
    struct check_flap f;
    for (int i = 0; i < 30; i++)
        s[i] = 0; /* NG all along: a problem, not flapping */
    check_flap_walk(s, 30, 50, 25, &f);
    assert_false(f.flapping);
    assert_false(f.was_flapping);
    assert_float_equal(f.pct, 0.0, EPS);
    assert_int_equal(f.results, 30);
    /* Alternating from the first result: after 9 results (8 changes, k = 13..20:
     * 6.4 + 0.4 * 124 / 19 = 9.0105 -> 45.05 %) not yet; the 10th (9 changes,
     * 50.21 %) starts it. */
    for (int i = 0; i < 30; i++)
        s[i] = i % 2;
    check_flap_walk(s, 9, 50, 25, &f);
    assert_false(f.flapping);
    assert_float_equal(f.pct, 100.0 * (6.4 + 49.6 / 19.0) / 20.0, 1e-9);
    check_flap_walk(s, 10, 50, 25, &f);
    assert_true(f.flapping);
    assert_false(f.was_flapping);
    assert_float_equal(f.pct, 100.0 * (7.2 + 54.0 / 19.0) / 20.0, 1e-9);
    check_flap_walk(s, 11, 50, 25, &f);
    assert_true(f.flapping);
    assert_true(f.was_flapping);
    /* Other thresholds move the start: above 60 % needs 11 changes (60.21 %). */
    check_flap_walk(s, 11, 60, 25, &f);
    assert_false(f.flapping);
    check_flap_walk(s, 12, 60, 25, &f);
    assert_true(f.flapping);
}

static void test_walk_hysteresis(void **state)
{
    (void)state;
    /* 12 alternating results (11 changes), then OK on and on. At 21 results the 11
     * changes are k = 1..11: 8.8 + 0.4 * 55 / 19 = 9.9579 -> 49.79 %: below the high
     * threshold but above the low one, so it still flaps. At 26 results (k = 1..6:
     * 4.8 + 0.4 * 15 / 19 = 5.1158 -> 25.58 %) it still flaps; at 27 (k = 1..5:
     * 4 + 0.4 * 10 / 19 = 4.2105 -> 21.05 %) it stops. */
    int s[CHECK_FLAP_HISTORY];
    for (int i = 0; i < 40; i++)
        s[i] = i < 12 ? i % 2 : 1;
    struct check_flap f;
    check_flap_walk(s, 21, 50, 25, &f);
    assert_true(f.flapping);
    assert_float_equal(f.pct, 100.0 * (8.8 + 22.0 / 19.0) / 20.0, 1e-9);
    check_flap_walk(s, 26, 50, 25, &f);
    assert_true(f.flapping);
    assert_float_equal(f.pct, 100.0 * (4.8 + 6.0 / 19.0) / 20.0, 1e-9);
    check_flap_walk(s, 27, 50, 25, &f);
    assert_false(f.flapping);
    assert_true(f.was_flapping);
    assert_float_equal(f.pct, 100.0 * (4.0 + 4.0 / 19.0) / 20.0, 1e-9);
    /* A check whose highest figure was 45.05 % (8 alternations, then NG on and on)
     * never starts. */
    int u[CHECK_FLAP_HISTORY];
    for (int i = 0; i < 30; i++)
        u[i] = i < 9 ? i % 2 : 0;
    check_flap_walk(u, 30, 50, 25, &f);
    assert_false(f.flapping);
    /* A low threshold at the very value keeps it flapping (stops only below). */
    check_flap_walk(s, 26, 50, 100.0 * (4.8 + 6.0 / 19.0) / 20.0, &f);
    assert_true(f.flapping);
}

static void test_thresholds_config(void **state)
{
    (void)state;
    double hi, lo;
    char *err = NULL;
    assert_int_equal(check_flap_thresholds(&hi, &lo, &err), 0);
    assert_float_equal(hi, 50.0, EPS);
    assert_float_equal(lo, 25.0, EPS);
}

/* ---- with a store ---- */

struct t {
    struct ledger_fx *f;
    char val[128];
    struct check_set set;
};

static void set_value(struct t *t, int v)
{
    FILE *fp = fopen(t->val, "w");
    assert_non_null(fp);
    fprintf(fp, "use=%d\n", v);
    fclose(fp);
}

static int setup(void **state)
{
    void *fs;
    if (fx_setup(&fs) != 0)
        return -1;
    struct t *t = calloc(1, sizeof *t);
    t->f = fs;
    char *err = NULL;
    struct template_set ts = {0};
    if (templates_load_builtin(UNYO_TEST_DATADIR, "library", &ts, &err) != 0 ||
        seed_install_templates(t->f->st, &ts, &err) != 0 ||
        store_exec(t->f->st, "UPDATE hosts SET transport = 'local'", &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    templates_free(&ts);
    snprintf(t->val, sizeof t->val, "%s/value", t->f->dir);
    char ini[128];
    snprintf(ini, sizeof ini, "%s/checks.ini", t->f->dir);
    FILE *fp = fopen(ini, "w");
    fprintf(fp,
            "[disk]\ntemplate = L025\ncommand = cat %s\npattern = use=(?<use>\\d+)\n"
            "condition = use < 80\nvalue = use\nunit = %%\nseverity = warning\n",
            t->val);
    fclose(fp);
    if (checks_load_file(ini, &t->set, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    checks_free(&t->set);
    void *fs = t->f;
    free(t);
    return fx_teardown(&fs);
}

struct one {
    int ok, flapping, held, created;
    char ref[24], recovered[24];
};

/* One run of the check with the value v. */
static struct one run(struct t *t, int v)
{
    set_value(t, v);
    struct check_run_opts o = {0};
    struct check_report rep;
    char *err = NULL;
    if (checks_run(t->f->st, &t->set, &o, &rep, &err) != 0)
        fail_msg("checks_run: %s", err);
    assert_int_equal(rep.count, 1);
    struct check_result *r = &rep.results[0];
    struct one o1 = {r->ok, r->flapping, r->flap_held, r->incident_created, "", ""};
    snprintf(o1.ref, sizeof o1.ref, "%s", r->incident_ref);
    snprintf(o1.recovered, sizeof o1.recovered, "%s", r->recovered_ref);
    check_report_free(&rep);
    return o1;
}

static int count(struct t *t, const char *sql)
{
    return fx_count(t->f->st, sql);
}

static const char *host_id(struct t *t)
{
    static char id[ID_LEN + 1];
    sqlite3_stmt *s = store_stmt(t->f->st, "SELECT id FROM hosts WHERE name = 'lib-ap01'");
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(id, sizeof id, "%s", col_text(s, 0));
    sqlite3_reset(s);
    return id;
}

/* NG opens a draft; it is submitted; OK: a note with the time and value, the
 * incident stays open; a second OK adds nothing. */
static void test_recovery_note(void **state)
{
    struct t *t = *state;
    char *err = NULL;
    struct one r = run(t, 90);
    assert_false(r.ok);
    assert_true(r.created);
    char ref[24];
    snprintf(ref, sizeof ref, "%s", r.ref);
    assert_int_equal(incident_submit(t->f->st, t->f->sla, ref, &err), 0);
    r = run(t, 42);
    assert_true(r.ok);
    assert_string_equal(r.recovered, ref);
    assert_int_equal(count(t, "SELECT count(*) FROM incident_events WHERE kind = 'note' AND note "
                              "LIKE 'Recovered: the check was OK at 2026-11-24 10:__ JST, value "
                              "42 \\%' ESCAPE '\\'"),
                     1);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents WHERE status = 'received'"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'check.note'"), 1);
    r = run(t, 43);
    assert_true(r.ok);
    assert_string_equal(r.recovered, "");
    assert_int_equal(count(t, "SELECT count(*) FROM incident_events WHERE note LIKE 'Recovered%'"),
                     1);
    /* Every recovery of the problem is told while the incident is open. */
    r = run(t, 95);
    assert_false(r.ok);
    assert_false(r.created);
    assert_string_equal(r.ref, ref);
    r = run(t, 40);
    assert_string_equal(r.recovered, ref);
    assert_int_equal(count(t, "SELECT count(*) FROM incident_events WHERE note LIKE 'Recovered%'"),
                     2);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents WHERE status = 'received'"), 1);
}

/* OK/NG alternating: the first NG's draft is the one incident; when flapping starts
 * (the 10th result) it gets a note; while it flaps no NG opens a draft, even with
 * that draft thrown away, and no recovery is noted; once it has stopped, an NG opens
 * a draft again. */
static void test_flapping_one_draft(void **state)
{
    struct t *t = *state;
    char *err = NULL;
    char first[24] = "";
    for (int i = 0; i < 9; i++) {
        struct one r = run(t, i % 2 ? 90 : 50);
        assert_false(r.flapping);
        if (i == 1)
            snprintf(first, sizeof first, "%s", r.ref);
        if (i % 2 == 0 && i > 0)
            assert_string_equal(r.recovered, first);
    }
    assert_int_equal(count(t, "SELECT count(*) FROM incidents"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM incident_events WHERE note LIKE 'Recovered%'"),
                     4);
    struct one r = run(t, 90); /* the 10th: 50.21 % */
    assert_true(r.flapping);
    assert_false(r.created);
    assert_string_equal(r.ref, first);
    assert_int_equal(count(t, "SELECT count(*) FROM incident_events WHERE note LIKE "
                              "'Flapping: the state changed in 50% of the last 21 results%'"),
                     1);
    struct check_flap f;
    assert_int_equal(check_flap_state(t->f->st, host_id(t), "disk", &f, &err), 0);
    assert_true(f.flapping);
    struct check_problems p;
    assert_int_equal(check_problems_list(t->f->st, NULL, time_now_ms(), &p, &err), 0);
    assert_int_equal(p.count, 1);
    assert_true(p.items[0].flapping);
    check_problems_free(&p);

    r = run(t, 50);
    assert_true(r.flapping);
    assert_string_equal(r.recovered, "");
    assert_int_equal(incident_discard_draft(t->f->st, first, &err), 0);
    for (int i = 0; i < 6; i++) {
        r = run(t, i % 2 ? 50 : 90);
        assert_true(r.flapping);
        assert_int_equal(r.created, 0);
        if (!r.ok) {
            assert_true(r.held);
            assert_string_equal(r.ref, "");
        }
    }
    assert_int_equal(count(t, "SELECT count(*) FROM incidents"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM incident_events WHERE note LIKE 'Recovered%'"),
                     4);
    /* Steady OK until it stops, then NG: a draft as usual. */
    int n = 0;
    do {
        r = run(t, 50);
        assert_true(++n < 30);
    } while (r.flapping);
    r = run(t, 90);
    assert_false(r.flapping);
    assert_true(r.created);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents WHERE deleted = 0"), 1);
}

/* Flapping starts with no open incident (each NG's draft thrown away): one draft
 * "Flapping: …" stands for it; the NGs that follow join it. */
static void test_flapping_own_draft(void **state)
{
    struct t *t = *state;
    char *err = NULL;
    for (int i = 0; i < 9; i++) {
        struct one r = run(t, i % 2 ? 90 : 50);
        if (r.created)
            assert_int_equal(incident_discard_draft(t->f->st, r.ref, &err), 0);
    }
    assert_int_equal(count(t, "SELECT count(*) FROM incidents WHERE deleted = 0"), 0);
    struct one r = run(t, 90);
    assert_true(r.flapping);
    assert_true(r.held);
    assert_true(r.created);
    assert_int_equal(count(t, "SELECT count(*) FROM incidents WHERE deleted = 0 AND status = "
                              "'draft' AND title LIKE 'Flapping: Check NG: %'"),
                     1);
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'check.flap'"), 1);
    char ref[24];
    snprintf(ref, sizeof ref, "%s", r.ref);
    for (int i = 0; i < 6; i++) {
        r = run(t, i % 2 ? 90 : 50);
        assert_true(r.flapping);
        assert_false(r.created);
        if (!r.ok)
            assert_string_equal(r.ref, ref);
    }
    assert_int_equal(count(t, "SELECT count(*) FROM incidents WHERE deleted = 0"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent_figures),
        cmocka_unit_test(test_walk_steady_alternating),
        cmocka_unit_test(test_walk_hysteresis),
        cmocka_unit_test(test_thresholds_config),
        cmocka_unit_test_setup_teardown(test_recovery_note, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flapping_one_draft, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flapping_own_draft, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
