/* The incident list the console shows (src/incident_list.h) and the choices
 * its views offer (src/incident_views.h): what an operator paging, sorting
 * and filtering the Incidents pane would notice. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "incident_list.h"
#include "incident_views.h"
#include "incidents.h"
#include "problems.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#include "support/ledger_fixture.h"

#define GENERATED 10000L /* a jump to the middle is a far one (over 4096 rows from either end) */
#define PAGE 45

/* A fixture with GENERATED synthetic incidents (src/demo.h) on top of the
 * ledger fixture. */
static int big_setup(void **state)
{
    if (fx_setup(state) != 0)
        return -1;
    struct ledger_fx *f = *state;
    char *err = NULL;
    long long rows = 0;
    if (demo_generate(f->st, GENERATED, &rows, NULL, NULL, &err) != 0) {
        fprintf(stderr, "demo_generate: %s\n", err);
        free(err);
        return -1;
    }
    return 0;
}

static void new_incident(struct ledger_fx *f, const char *title, int64_t received, int draft,
                         char ref[24])
{
    struct incident_new in = {.library = "CEN",
                              .channel = "phone",
                              .title = title,
                              .impact = 2,
                              .urgency = 2,
                              .received = received,
                              .draft = draft};
    char *err = NULL;
    int rc = incident_create(f->st, f->sla, &in, NULL, ref, &err);
    if (rc != 0)
        fail_msg("incident_create: %s", err);
}

/* The sort key of a row as the list orders it. */
struct key {
    char k1[24];
    int64_t recv;
    char id[ID_LEN + 1];
};

static void key_of(const struct inc_list_row *r, enum inc_sort sort, struct key *k)
{
    snprintf(k->k1, sizeof k->k1, "%s",
             sort == INC_SORT_PRIORITY ? r->inc.priority
             : sort == INC_SORT_STATUS ? r->inc.status
                                       : "");
    k->recv = r->inc.received;
    memcpy(k->id, r->inc.id, sizeof k->id); /* both ID_LEN + 1 */
}

static int key_cmp(const struct key *a, const struct key *b)
{
    int c = strcmp(a->k1, b->k1);
    if (!c)
        c = (a->recv > b->recv) - (a->recv < b->recv);
    if (!c)
        c = strcmp(a->id, b->id);
    return c;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every row of l in display order, page by page (forward, or from the last
 * page back to the first), as keys. Fails the test on a read error. */
static struct key *read_all(struct inc_list *l, long total, enum inc_sort sort, int backward)
{
    struct key *keys = xcalloc((size_t)total, sizeof *keys);
    struct inc_list_row rows[PAGE];
    long npages = (total + PAGE - 1) / PAGE;
    for (long pg = 0; pg < npages; pg++) {
        long from = (backward ? npages - 1 - pg : pg) * PAGE;
        long want = from + PAGE > total ? total - from : PAGE;
        char *err = NULL;
        long got = inc_list_fetch(l, from, want, rows, &err);
        if (err)
            fail_msg("fetch %ld: %s", from, err);
        assert_int_equal(got, want);
        for (long i = 0; i < got; i++)
            key_of(&rows[i], sort, &keys[from + i]);
        inc_list_rows_clear(rows, got);
    }
    return keys;
}

/* Every row once, in the order shown, in each sort and direction, paging
 * forward and back; a far jump (`:5000`) lands on the same row as paging. */
static void test_pages_every_row_once_in_order(void **state)
{
    struct ledger_fx *f = *state;
    long expect = fx_count(f->st, "SELECT count(*) FROM incidents WHERE deleted = 0");
    assert_true(expect >= GENERATED);
    for (int sort = 0; sort < INC_SORT_COUNT; sort++)
        for (int desc = 1; desc >= 0; desc--) {
            char *err = NULL;
            struct inc_list *l = inc_list_new(f->st, f->sla, &err);
            assert_null(err);
            assert_int_equal(inc_list_set_order(l, (enum inc_sort)sort, desc, &err), 0);
            assert_int_equal(inc_list_count(l, &err), 0);
            assert_true(inc_list_counted(l));
            assert_int_equal(inc_list_size(l), expect);
            struct key *fwd = read_all(l, expect, (enum inc_sort)sort, 0);
            for (long i = 1; i < expect; i++) {
                int c = key_cmp(&fwd[i - 1], &fwd[i]);
                if (desc ? c <= 0 : c >= 0)
                    fail_msg("sort %s desc %d: row %ld is out of order", inc_sort_keys[sort], desc,
                             i);
            }
            char **ids = xcalloc((size_t)expect, sizeof *ids);
            for (long i = 0; i < expect; i++)
                ids[i] = fwd[i].id;
            qsort(ids, (size_t)expect, sizeof *ids, cmp_str);
            for (long i = 1; i < expect; i++)
                if (strcmp(ids[i - 1], ids[i]) == 0)
                    fail_msg("incident %s is listed twice", ids[i]);
            free(ids);
            /* paging back from the end shows the same rows */
            inc_list_reset(l);
            assert_int_equal(inc_list_count(l, &err), 0);
            struct key *back = read_all(l, expect, (enum inc_sort)sort, 1);
            for (long i = 0; i < expect; i++)
                assert_int_equal(key_cmp(&fwd[i], &back[i]), 0);
            free(back);
            inc_list_free(l);
            /* a far jump on a fresh list reads a few rows, not all before it */
            l = inc_list_new(f->st, f->sla, &err);
            inc_list_set_order(l, (enum inc_sort)sort, desc, &err);
            assert_int_equal(inc_list_count(l, &err), 0);
            struct inc_list_row row[3];
            assert_int_equal(inc_list_fetch(l, 5000, 3, row, &err), 3);
            assert_null(err);
            assert_true(inc_list_rows_read(l) < 2000);
            assert_int_equal(inc_list_total(l), expect);
            for (int i = 0; i < 3; i++) {
                struct key k;
                key_of(&row[i], (enum inc_sort)sort, &k);
                assert_int_equal(key_cmp(&k, &fwd[5000 + i]), 0);
            }
            inc_list_rows_clear(row, 3);
            free(fwd);
            inc_list_free(l);
        }
}

/* The count the footer shows: a quick lower bound first ("1000+"), the exact
 * count from a connection of its own, the same as the ledger holds. */
static void test_counts(void **state)
{
    struct ledger_fx *f = *state;
    long expect = fx_count(f->st, "SELECT count(*) FROM incidents WHERE deleted = 0");
    char *err = NULL;
    struct inc_list *l = inc_list_new(f->st, f->sla, &err);
    assert_int_equal(inc_list_count_first(l, 1000, &err), 0);
    assert_int_equal(inc_list_total(l), 1000);
    assert_false(inc_list_counted(l));
    long n = 0;
    assert_int_equal(incident_count_at(f->path, &n, &err), 0);
    assert_int_equal(n, expect);
    assert_int_equal(inc_list_set_count(l, n), 1);
    assert_true(inc_list_counted(l));
    assert_int_equal(inc_list_size(l), expect);
    assert_int_equal(inc_list_set_count(l, 5), 0); /* a late count changes nothing */
    assert_int_equal(inc_list_size(l), expect);
    /* rows past the end: none */
    struct inc_list_row row[2];
    assert_int_equal(inc_list_fetch(l, expect, 2, row, &err), 0);
    inc_list_free(l);
    assert_int_equal(incident_count_at("/nonexistent/unyo.db", &n, &err), -1);
    assert_non_null(err);
    free(err);
}

/* A few incidents: the quick count is exact. */
static void test_small_count_is_exact(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    for (int i = 0; i < 3; i++)
        new_incident(f, "OPAC端末が起動しない", 0, 0, ref);
    char *err = NULL;
    struct inc_list *l = inc_list_new(f->st, f->sla, &err);
    assert_int_equal(inc_list_count_first(l, 1000, &err), 0);
    assert_true(inc_list_counted(l));
    assert_int_equal(inc_list_size(l), 3);
    struct inc_list_row rows[5];
    assert_int_equal(inc_list_fetch(l, 0, 5, rows, &err), 3);
    for (int i = 0; i < 3; i++) {
        const char *lib = rows[i].inc.library_name; /* in the UI language */
        assert_true(strcmp(lib, "中央図書館") == 0 || strcmp(lib, "Central Library") == 0);
        assert_string_equal(rows[i].inc.status, "received");
        assert_true(rows[i].has_sla); /* an open incident shows its clock */
    }
    inc_list_rows_clear(rows, 3);
    inc_list_free(l);
}

struct matcher {
    const char *needle;
    const char *skip; /* titles containing it are "too costly" */
};

static int match_title(void *ctx, const char *title, size_t len)
{
    struct matcher *mt = ctx;
    char *t = xmalloc(len + 1);
    memcpy(t, title, len);
    t[len] = 0;
    int r = mt->skip && strstr(t, mt->skip) ? -1 : strstr(t, mt->needle) != NULL;
    free(t);
    return r;
}

static struct inc_scan *scan(struct inc_list *l, struct matcher *mt)
{
    struct inc_scan *s = inc_scan_new(l);
    struct inc_scan_ops ops = {match_title, NULL, NULL, mt};
    inc_scan_run(s, &ops);
    return s;
}

/* The title filter keeps exactly the incidents whose title matches, shows
 * them in the list's order, and follows a change of order. */
static void test_title_filter(void **state)
{
    struct ledger_fx *f = *state;
    const char *needle = "起動";
    long expect = fx_count(f->st, "SELECT count(*) FROM incidents WHERE deleted = 0 AND "
                                  "instr(title, '起動') > 0");
    assert_true(expect > 0);
    char *err = NULL;
    struct inc_list *l = inc_list_new(f->st, f->sla, &err);
    assert_int_equal(inc_list_count(l, &err), 0);
    long total = inc_list_size(l);
    struct matcher mt = {needle, NULL};
    struct inc_scan *s = scan(l, &mt);
    assert_false(inc_scan_failed(s));
    assert_int_equal(inc_scan_matches(s), expect);
    inc_list_take_scan(l, s);
    inc_scan_free(s);
    assert_true(inc_list_filtered(l));
    assert_int_equal(inc_list_size(l), expect);
    for (int sort = 0; sort < INC_SORT_COUNT; sort++) {
        assert_int_equal(inc_list_set_order(l, (enum inc_sort)sort, 1, &err), 0);
        struct key *keys = read_all(l, expect, (enum inc_sort)sort, 0);
        for (long i = 1; i < expect; i++)
            if (key_cmp(&keys[i - 1], &keys[i]) <= 0)
                fail_msg("filtered, sort %s: row %ld is out of order", inc_sort_keys[sort], i);
        free(keys);
    }
    /* every row shown has the word in its title */
    struct inc_list_row rows[PAGE];
    long got = inc_list_fetch(l, 0, PAGE, rows, &err);
    assert_true(got > 0);
    for (long i = 0; i < got; i++)
        assert_non_null(strstr(rows[i].inc.title, needle));
    inc_list_rows_clear(rows, got);
    /* clearing the filter shows every incident again */
    inc_list_clear_filter(l);
    assert_false(inc_list_filtered(l));
    assert_int_equal(inc_list_size(l), total);
    /* titles the matcher gives up on are counted, not listed */
    struct matcher costly = {needle, needle};
    s = scan(l, &costly);
    assert_int_equal(inc_scan_matches(s), 0);
    assert_int_equal(inc_scan_cut(s), expect);
    inc_scan_free(s);
    inc_list_free(l);
}

/* `/INC-…` finds the incident by its reference number (issue 13); a pattern
 * that does not look like a reference searches the titles only. */
static void test_filter_by_ref(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    assert_true(inc_ref_like("INC-20261208-"));
    assert_true(inc_ref_like("^inc-2026"));
    assert_true(inc_ref_like("20261208-7f"));
    assert_false(inc_ref_like("a"));
    assert_false(inc_ref_like("2026"));
    sqlite3_stmt *q = store_stmt(f->st, "SELECT ref, title FROM incidents WHERE deleted = 0 "
                                        "AND status <> 'draft' ORDER BY ref LIMIT 1");
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    char *ref = xstrdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_reset(q);
    struct inc_list *l = inc_list_new(f->st, f->sla, &err);
    struct matcher mt = {ref, NULL};
    struct inc_scan *s = inc_scan_new(l);
    inc_scan_with_refs(s, inc_ref_like(ref));
    struct inc_scan_ops ops = {match_title, NULL, NULL, &mt};
    inc_scan_run(s, &ops);
    assert_int_equal(inc_scan_matches(s), 1);
    inc_scan_free(s);
    s = scan(l, &mt); /* titles only: no title holds a reference */
    assert_int_equal(inc_scan_matches(s), 0);
    inc_scan_free(s);
    inc_list_free(l);
    free(ref);
}

/* A scan made in one order and taken after the order changed shows the
 * list's new order. */
static void test_filter_follows_order_changed_while_scanning(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    struct inc_list *l = inc_list_new(f->st, f->sla, &err);
    struct matcher mt = {"起動", NULL};
    struct inc_scan *s = scan(l, &mt); /* received, newest first */
    long n = inc_scan_matches(s);
    inc_list_set_order(l, INC_SORT_PRIORITY, 0, &err);
    inc_list_take_scan(l, s);
    inc_scan_free(s);
    struct key *keys = read_all(l, n, INC_SORT_PRIORITY, 0);
    for (long i = 1; i < n; i++)
        if (key_cmp(&keys[i - 1], &keys[i]) >= 0)
            fail_msg("row %ld is out of priority order", i);
    free(keys);
    inc_list_free(l);
}

/* `:filter status=open priority=P1 ...` */
static void test_field_filter(void **state)
{
    struct ledger_fx *f = *state;
    struct inc_fields flt = {0};
    char *err = NULL;
    assert_int_equal(inc_fields_parse("起動", &flt, &err), 0); /* a pattern */
    assert_int_equal(inc_fields_parse("status=open 起動", &flt, &err), 0);
    assert_int_equal(inc_fields_parse("sla=late", &flt, &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err, "late"));
    free(err);
    err = NULL;
    assert_int_equal(inc_fields_parse("status=open priority=P2 library=CEN sla=ok", &flt, &err), 1);
    assert_true(flt.open);
    assert_null(flt.status);
    assert_string_equal(flt.priority, "P2");
    assert_string_equal(flt.library, "CEN");
    assert_int_equal(flt.sla, SLA_OK);

    /* open: every state before recovered, newest first; not closed, not drafts */
    int64_t now = time_now_ms();
    char a[24], b[24], c[24], d[24];
    new_incident(f, "older open", now - 3600000, 0, a);
    new_incident(f, "newer open", now - 60000, 0, b);
    new_incident(f, "closed one", now - 7200000, 0, c);
    new_incident(f, "a draft", 0, 1, d);
    fx_step(f, a, "isolated", NULL);
    fx_step(f, c, "isolated", NULL);
    fx_step(f, c, "first_response", NULL);
    fx_step(f, c, "recovered", NULL);
    fx_step(f, c, "closed", NULL);
    inc_fields_clear(&flt);
    assert_int_equal(inc_fields_parse("status=open", &flt, &err), 1);
    struct incident *rows = NULL;
    size_t n = 0;
    int partial = -1;
    assert_int_equal(inc_fields_list(f->st, f->sla, &flt, 500, now, &rows, &n, &partial, &err), 0);
    assert_int_equal(partial, 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].ref, b);
    assert_string_equal(rows[1].ref, a);
    assert_string_equal(rows[1].status, "isolated");
    incident_list_free(rows, n);
    /* one status */
    inc_fields_clear(&flt);
    assert_int_equal(inc_fields_parse("status=closed", &flt, &err), 1);
    assert_int_equal(inc_fields_list(f->st, f->sla, &flt, 500, now, &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, c);
    incident_list_free(rows, n);
    /* an unknown value is refused by the ledger, with its message */
    inc_fields_clear(&flt);
    assert_int_equal(inc_fields_parse("priority=P9", &flt, &err), 1);
    assert_int_equal(inc_fields_list(f->st, f->sla, &flt, 500, now, &rows, &n, NULL, &err), -1);
    assert_non_null(err);
    free(err);
    inc_fields_clear(&flt);
}

/* The choices the views offer. */
static void test_choices(void **state)
{
    struct ledger_fx *f = *state;
    struct incident_choice *c = NULL;
    size_t n = 0;
    char *err = NULL;
    assert_int_equal(incident_engineers(f->st, &c, &n, &err), 0);
    assert_int_equal(n, 2); /* sato and takahashi: not the operator, not the manager */
    assert_string_equal(c[0].key, "sato");
    assert_string_equal(c[1].key, "takahashi");
    incident_choices_free(c, n);

    assert_int_equal(incident_library_choices(f->st, &c, &n, &err), 0);
    assert_true(n >= 2);
    assert_string_equal(c[0].key, "CEN"); /* the central library first */
    for (size_t i = 0; i < n; i++)
        assert_true(c[i].name[0] != 0);
    incident_choices_free(c, n);

    /* drafts: yamada's own, the latest saved first; sato sees none of them */
    char d1[24], d2[24], inc[24];
    new_incident(f, "first draft", 0, 1, d1);
    new_incident(f, "second draft", 0, 1, d2);
    new_incident(f, "not a draft", 0, 0, inc);
    assert_int_equal(incident_my_drafts(f->st, 9, &c, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_true(c[0].at >= c[1].at && c[1].at > 0);
    int first = strcmp(c[0].key, d1) == 0 ? 0 : 1;
    assert_string_equal(c[first].key, d1);
    assert_string_equal(c[first].name, "first draft");
    assert_string_equal(c[1 - first].key, d2);
    assert_string_equal(c[1 - first].name, "second draft");
    incident_choices_free(c, n);
    assert_int_equal(incident_my_drafts(f->st, 1, &c, &n, &err), 0);
    assert_int_equal(n, 1); /* at most limit */
    incident_choices_free(c, n);
    int k = -1;
    assert_int_equal(incident_my_draft_count(f->st, &k, &err), 0);
    assert_int_equal(k, 2);
    fx_as(f->st, "sato");
    assert_int_equal(incident_my_drafts(f->st, 9, &c, &n, &err), 0);
    assert_int_equal(n, 0);
    incident_choices_free(c, n);
    assert_int_equal(incident_my_draft_count(f->st, &k, &err), 0);
    assert_int_equal(k, 0);
    fx_as(f->st, "yamada");

    assert_string_equal(problem_next_status("open"), "investigating");
    assert_string_equal(problem_next_status("resolved"), "closed");
    assert_null(problem_next_status("closed"));
    assert_null(problem_next_status("nonsense"));
}

int main(void)
{
    const struct CMUnitTest big[] = {
        cmocka_unit_test(test_pages_every_row_once_in_order),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_title_filter),
        cmocka_unit_test(test_filter_follows_order_changed_while_scanning),
        cmocka_unit_test(test_filter_by_ref),
    };
    const struct CMUnitTest small[] = {
        cmocka_unit_test_setup_teardown(test_small_count_is_exact, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_field_filter, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_choices, fx_setup, fx_teardown),
    };
    int rc = cmocka_run_group_tests_name("generated ledger", big, big_setup, fx_teardown);
    return rc | cmocka_run_group_tests_name("small ledger", small, NULL, NULL);
}
