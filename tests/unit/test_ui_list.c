/* The list-pane base without a terminal: the shared keys do the same thing on
 * any list (g/G ends, paging, `<` reverses the whole order, `/` narrows, n/N
 * move between matches round the ends, `>` and `:sort NAME` pick the key, a
 * header click sorts by its column), and a list pane cannot take a shared key
 * for an action of its own (the registry's tables, and a user's [keys] line). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "screens.h"
#include "ui.h"
#include "ui_filter.h"
#include "ui_keymap.h"
#include "ui_list.h"
#include "ui_table.h"
#include "util.h"

/* A pane's model: rows with a name and a number, shown as one column each. */
struct row {
    const char *name;
    int num;
};
static const struct row ROWS[] = {
    {"delta", 4}, {"alpha", 9},   {"echo", 1},  {"bravo", 7}, {"charlie", 2},
    {"golf", 8},  {"foxtrot", 3}, {"hotel", 6}, {"india", 5}, {"juliet", 0},
};
#define NROWS ((size_t)ARRAY_LEN(ROWS))

enum { SORT_READ, SORT_NAME, SORT_NUM, SORT_COUNT };
static const char *const sort_names[SORT_COUNT] = {"read", "name", "num"};
static const int col_sort[2] = {SORT_NAME, SORT_NUM};

struct model {
    size_t idx[NROWS];
    size_t nidx;
    struct table table;
    struct ui_list list;
    int rebuilds;
};
static struct model *cur;

static int cmp(const void *a, const void *b)
{
    const struct row *x = &ROWS[*(const size_t *)a], *y = &ROWS[*(const size_t *)b];
    if (cur->list.sort == SORT_NAME)
        return strcmp(x->name, y->name);
    return x->num - y->num;
}

static void rebuild(void *data)
{
    struct model *m = data;
    m->rebuilds++;
    m->nidx = 0;
    for (size_t i = 0; i < NROWS; i++) {
        const char *fields[] = {ROWS[i].name, NULL};
        if (ui_list_match(&m->list, fields, 2))
            m->idx[m->nidx++] = i;
    }
    cur = m;
    ui_list_order(&m->list, m->idx, m->nidx, m->list.sort == SORT_READ ? NULL : cmp);
    table_reset(&m->table);
}

static long src_count(void *data)
{
    return (long)((struct model *)data)->nidx;
}

static long src_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct model *m = data;
    long got = 0;
    for (; got < n && (size_t)(from + got) < m->nidx; got++) {
        memset(&rows[got], 0, sizeof rows[got]);
        const struct row *r = &ROWS[m->idx[from + got]];
        rows[got].cell[0] = xstrdup(r->name);
        rows[got].cell[1] = xasprintf("%d", r->num);
    }
    return got;
}

static const struct table_col cols[2] = {{"Name", 4, 10, 1, 0, 0, 0}, {"Num", 3, 3, 0, 1, 0, 0}};

static void model_init(struct model *m)
{
    memset(m, 0, sizeof *m);
    table_init(&m->table, cols, 2, (struct table_source){src_count, src_fetch, m});
    table_set_height(&m->table, 4);
    ui_list_init(&m->list, &m->table, sort_names, SORT_COUNT, rebuild, m);
    m->list.col_sort = col_sort;
    rebuild(m);
}

static void model_free(struct model *m)
{
    ui_list_free(&m->list);
    table_free(&m->table);
}

static const char *sel_name(struct model *m)
{
    const struct table_row *r = table_selected(&m->table);
    return r ? r->cell[0] : NULL;
}

static void act(struct model *m, const char *a)
{
    assert_int_equal(ui_list_action(&m->list, a, 4), 1);
}

static void test_ends_and_paging(void **state)
{
    (void)state;
    struct model m;
    model_init(&m);
    assert_string_equal(sel_name(&m), "delta");
    act(&m, "bottom");
    assert_string_equal(sel_name(&m), "juliet");
    act(&m, "down"); /* stays on the last row */
    assert_string_equal(sel_name(&m), "juliet");
    act(&m, "top");
    assert_string_equal(sel_name(&m), "delta");
    act(&m, "up");
    assert_string_equal(sel_name(&m), "delta");
    act(&m, "page-down"); /* a page is the table's height: 4 rows */
    assert_int_equal(m.table.sel, 4);
    assert_int_equal(m.table.top, 4);
    act(&m, "page-up");
    assert_int_equal(m.table.sel, 0);
    act(&m, "half-down");
    assert_int_equal(m.table.sel, 2);
    act(&m, "goto 7");
    assert_string_equal(sel_name(&m), "foxtrot");
    /* not a shared action: the pane's own */
    assert_int_equal(ui_list_action(&m.list, "checklist.ok", 4), 0);
    assert_int_equal(ui_list_action(&m.list, "filter", 4), 0);
    model_free(&m);
}

static void test_reverse(void **state)
{
    (void)state;
    struct model m;
    model_init(&m);
    /* in the order as read, < reverses: the last row comes first */
    act(&m, "sort-reverse");
    act(&m, "top");
    assert_string_equal(sel_name(&m), "juliet");
    act(&m, "bottom");
    assert_string_equal(sel_name(&m), "delta");
    act(&m, "sort-reverse");
    act(&m, "top");
    assert_string_equal(sel_name(&m), "delta");
    /* > picks the next key; < reverses that order */
    act(&m, "sort");
    assert_string_equal(ui_list_sort_name(&m.list), "name");
    act(&m, "top");
    assert_string_equal(sel_name(&m), "alpha");
    act(&m, "sort-reverse");
    act(&m, "top");
    assert_string_equal(sel_name(&m), "juliet");
    char buf[64];
    assert_string_equal(ui_list_order_label(&m.list, buf, sizeof buf), "name, reversed");
    act(&m, "sort"); /* num, still reversed */
    act(&m, "top");
    assert_string_equal(sel_name(&m), "alpha"); /* 9 */
    act(&m, "sort"), act(&m, "sort");           /* round to name */
    assert_string_equal(ui_list_sort_name(&m.list), "name");
    model_free(&m);
}

static void test_filter_and_matches(void **state)
{
    (void)state;
    struct model m;
    model_init(&m);
    char *err = NULL;
    pcre2_code *re = ui_filter_compile("o", &err); /* echo, bravo, golf, foxtrot, hotel */
    assert_non_null(re);
    act(&m, "bottom");
    assert_int_equal(ui_list_filter(&m.list, re, "o"), 0);
    ui_filter_free(re);
    assert_string_equal(m.list.pattern, "o");
    assert_int_equal(m.table.nrows, 5);
    assert_string_equal(sel_name(&m), "echo"); /* a new filter starts at the first match */
    act(&m, "next-match");
    assert_string_equal(sel_name(&m), "bravo");
    act(&m, "prev-match");
    assert_string_equal(sel_name(&m), "echo");
    act(&m, "prev-match"); /* round the end */
    assert_string_equal(sel_name(&m), "hotel");
    act(&m, "next-match");
    assert_string_equal(sel_name(&m), "echo");
    /* < reverses the filtered list too */
    act(&m, "sort-reverse");
    act(&m, "top");
    assert_string_equal(sel_name(&m), "hotel");
    /* an empty filter clears */
    assert_int_equal(ui_list_filter(&m.list, NULL, ""), 0);
    assert_null(m.list.re);
    assert_int_equal(m.table.nrows, (long)NROWS);
    /* n without a filter moves nothing (and says how to get one) */
    act(&m, "top");
    const char *before = sel_name(&m);
    act(&m, "next-match");
    assert_string_equal(sel_name(&m), before);
    model_free(&m);
}

static void test_sort_by_name(void **state)
{
    (void)state;
    struct model m;
    model_init(&m);
    char *err = NULL;
    assert_int_equal(ui_list_sort(&m.list, "NUM", &err), 0);
    act(&m, "top");
    assert_string_equal(sel_name(&m), "juliet");
    assert_int_equal(ui_list_sort(&m.list, "-num", &err), 0);
    act(&m, "top");
    assert_string_equal(sel_name(&m), "alpha");
    assert_int_equal(m.list.desc, 1);
    /* a column's title works too */
    assert_int_equal(ui_list_sort(&m.list, "name", &err), 0);
    assert_int_equal(m.list.desc, 0);
    assert_int_equal(ui_list_sort(&m.list, "Num", &err), 0);
    assert_int_equal(m.list.sort, SORT_NUM);
    assert_int_equal(ui_list_sort(&m.list, "colour", &err), -1);
    assert_non_null(strstr(err, "read, name, num"));
    free(err);
    model_free(&m);
}

static void test_mouse(void **state)
{
    (void)state;
    struct model m;
    model_init(&m);
    /* the table starts below one title row: row 0 of the pane is the title,
     * row 1 the header, row 2 the first data row */
    ui_list_mouse_event(&m.list, 4, 1, 1);
    assert_string_equal(sel_name(&m), "echo");
    ui_list_mouse_event(&m.list, 0, 1, 5);
    assert_int_equal(m.table.sel, 5);
    ui_list_mouse_event(&m.list, 0, 1, 4);
    assert_int_equal(m.table.sel, 2);
    /* a click on the header of Num sorts by num; again reverses */
    m.table.widths[0] = 10, m.table.widths[1] = 3;
    ui_list_mouse_event(&m.list, 1, 12, 1);
    assert_int_equal(m.list.sort, SORT_NUM);
    assert_int_equal(m.list.desc, 0);
    ui_list_mouse_event(&m.list, 1, 12, 1);
    assert_int_equal(m.list.desc, 1);
    model_free(&m);
}

static void test_shared_keys_in_list_panes(void **state)
{
    (void)state;
    char *err = NULL;
    size_t npanes;
    const struct pane_ops *const *panes = screens_panes(&npanes);
    ui_set_panes(panes, npanes); /* as src/main.c does */
    keymap_init();
    /* every list pane of the registry leaves the shared keys alone */
    assert_int_equal(keymap_check_panes(&err), 0);
    assert_null(err);
    size_t n;
    const struct pane_ops *const *reg = ui_pane_registry(&n);
    const int keys[] = {'j',
                        'k',
                        'g',
                        'G',
                        'n',
                        'N',
                        '<',
                        '>',
                        '/',
                        UI_KEY_FN | KEY_NPAGE,
                        UI_KEY_FN | KEY_PPAGE,
                        UI_KEY_FN | KEY_HOME,
                        UI_KEY_FN | KEY_END};
    int lists = 0, incidents = 0;
    for (size_t i = 0; i < n; i++) {
        if (!reg[i]->list)
            continue;
        lists++;
        incidents += reg[i] == &incidents_pane;
        for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
            const char *a = keymap_lookup(reg[i], keys[k]);
            assert_non_null(a);
            if (!ui_list_is_shared(a))
                fail_msg("pane %s: key %d is %s, not a shared list key", reg[i]->name, keys[k], a);
            assert_string_equal(a, keymap_lookup(&hosts_pane, keys[k]));
        }
    }
    assert_true(lists >= 5);
    assert_int_equal(incidents, 1);
    /* Incidents: n/N move between matches; new is +, notified and second
     * response leave N and 2 (the global "pane 2") */
    assert_string_equal(keymap_lookup(&incidents_pane, 'n'), "next-match");
    assert_string_equal(keymap_lookup(&incidents_pane, 'N'), "prev-match");
    assert_string_equal(keymap_lookup(&incidents_pane, 'k'), "up");
    assert_string_equal(keymap_lookup(&incidents_pane, '2'), "pane-2");
    assert_string_equal(keymap_lookup(&incidents_pane, '+'), "incidents.new");
    assert_string_equal(keymap_lookup(&incidents_pane, 'T'), "incidents.notified");
    assert_string_equal(keymap_lookup(&incidents_pane, 'S'), "incidents.second");
    assert_string_equal(keymap_lookup(&incidents_pane, 'K'), "incidents.publish");
    /* g is the first row in Changes, never "start the change" */
    assert_string_equal(keymap_lookup(&changes_pane, 'g'), "top");
    assert_string_equal(keymap_lookup(&changes_pane, 'n'), "next-match");
    assert_string_equal(keymap_lookup(&jobs_pane, '<'), "sort-reverse");
    assert_string_equal(keymap_lookup(&changes_pane, 'S'), "changes.start");
    /* a list pane's table that takes a shared key is refused, naming both */
    static const struct ui_binding bad[] = {
        {"fake.note", "t", "add a note"},
        {"fake.start", "x g", "start the change"},
        {NULL, NULL, NULL},
    };
    assert_int_equal(keymap_check_bindings(bad, &err), -1);
    assert_non_null(strstr(err, "fake.start"));
    assert_non_null(strstr(err, "top"));
    free(err);
    err = NULL;
    static const struct ui_binding bad_match[] = {{"fake.new", "n", "new"}, {NULL, NULL, NULL}};
    assert_int_equal(keymap_check_bindings(bad_match, &err), -1);
    assert_non_null(strstr(err, "next-match"));
    free(err);
    err = NULL;
    assert_int_equal(keymap_check_bindings(bad, NULL) + keymap_check_bindings(bad + 2, NULL), -1);
    /* a user's [keys] line cannot give a list pane's action a shared key */
    assert_int_equal(keymap_set("changes.start", "g", &err), -1);
    assert_non_null(strstr(err, "top"));
    free(err);
    err = NULL;
    assert_int_equal(keymap_set("jobs.hold", "x PgDn", &err), -1);
    free(err);
    err = NULL;
    assert_string_equal(keymap_lookup(&changes_pane, 'g'), "top");
    /* ... and once a shared action has another key, its old one is free */
    assert_int_equal(keymap_set("top", "Home", &err), 0);
    assert_int_equal(keymap_set("changes.start", "g", &err), 0);
    assert_string_equal(keymap_lookup(&changes_pane, 'g'), "changes.start");
    keymap_init();
}

/* Columns sized by content, as the checklist's: status, code, item (flex), host,
 * period, value, note, who, when. */
static const struct table_col CL[] = {
    {"S", 4, 6, 0, 0, 0, 0},  {"C", 4, 6, 0, 0, 0, 0},  {"Item", 12, 0, 1, 0, 0, 0},
    {"H", 4, 12, 0, 0, 0, 0}, {"P", 4, 16, 0, 0, 0, 0}, {"V", 5, 22, 0, 1, 0, 0},
    {"N", 4, 24, 0, 0, 0, 0}, {"W", 3, 10, 0, 0, 0, 0}, {"T", 5, 11, 0, 0, 0, 0},
};
#define CLN 9

static int total(const int *w, int n)
{
    int s = n - 1;
    for (int i = 0; i < n; i++)
        s += w[i];
    return s;
}

static void test_columns_by_content(void **state)
{
    (void)state;
    int out[CLN];
    /* "バックアップ取得状況確認" is 24 cells, a memo of 90 cells, a short value */
    int natural[CLN] = {4, 4, 24, 8, 4, 5, 90, 8, 5};
    /* 200 columns: the memo is whole (it was cut at 24 while the name took 130) */
    table_fit_columns(CL, CLN, natural, 200, out);
    assert_int_equal(out[6], 90);
    assert_true(out[2] >= 24);
    assert_int_equal(out[5], 5);
    assert_int_equal(total(out, CLN), 200);
    /* 80 columns: the narrow columns get what they need and no more (a 5-cell
     * value keeps 5, not 13); the name and the memo share the rest by need, so
     * the name is not cut to a stub */
    table_fit_columns(CL, CLN, natural, 80, out);
    assert_int_equal(out[0], 4);
    assert_int_equal(out[1], 4);
    assert_int_equal(out[3], 8);
    assert_int_equal(out[5], 5);
    assert_int_equal(out[8], 5);
    assert_true(out[2] >= 16);
    assert_true(out[6] >= 8);
    assert_int_equal(total(out, CLN), 80);
    /* a memo longer than the screen: the name stays whole, the memo takes the rest */
    natural[6] = 400;
    table_fit_columns(CL, CLN, natural, 200, out);
    assert_int_equal(out[2], 24);
    assert_int_equal(total(out, CLN), 200);
    assert_int_equal(out[6], 200 - 8 - (4 + 4 + 24 + 8 + 4 + 5 + 8 + 5));
    /* two wide columns short of room share in proportion to their need */
    int two[CLN] = {4, 4, 60, 8, 4, 5, 30, 8, 5};
    table_fit_columns(CL, CLN, two, 130, out);
    assert_int_equal(total(out, CLN), 130);
    assert_int_equal(out[6], 24); /* the memo yields at its max ... */
    assert_int_equal(out[2], 60);
    table_fit_columns(CL, CLN, two, 100, out);
    assert_int_equal(total(out, CLN), 100);
    assert_true(out[2] > out[6]); /* ... and gets less than the name when shorter */
    assert_true(out[6] >= 8);
    /* no column exceeds its need when there is no spare, and nothing is lost
     * when the width is below the minimum: columns drop from the right */
    table_fit_columns(CL, CLN, natural, 30, out);
    int shown = -1;
    for (int i = 0; i < CLN; i++) {
        assert_true(out[i] >= 0);
        shown += out[i] ? out[i] + 1 : 0;
    }
    assert_true(shown <= 30);
    assert_true(out[0] >= 4);
}

/* The incidents list's columns: ref, intake time, library, priority, status,
 * title (the main column, it keeps TABLE_KEEP_TITLE cells), SLA. */
static const struct table_col INC[] = {
    {"Ref", 8, 22, 0, 0, 0, 0},     {"Received", 16, 16, 0, 0, 0, 1},
    {"Library", 6, 16, 0, 0, 0, 2}, {"Pri", 3, 4, 0, 0, 0, 3},
    {"Status", 6, 14, 0, 0, 0, 0},  {"Title", 10, 0, 1, 0, TABLE_KEEP_TITLE, 0},
    {"SLA", 4, 10, 0, 0, 0, 4},
};
#define INCN 7

static void test_title_keeps_its_width(void **state)
{
    (void)state;
    int out[INCN];
    /* the demo's widest cells in Japanese: "INC-20261123-62d3", a time, "データセン
     * ター", "P4", "1次切り分け", "プロキシ経由で外部サイトに接続できない" (38), "超過" */
    int natural[INCN] = {17, 17, 14, 4, 11, 38, 4};
    /* 200 columns: every column whole, the title takes the spare */
    table_fit_columns(INC, INCN, natural, 200, out);
    for (int i = 0; i < INCN; i++)
        assert_true(out[i] >= natural[i]);
    assert_int_equal(total(out, INCN), 200);
    /* 80 columns: the title keeps at least its 24 cells (it had 4, "利用者カ…", while
     * the ref and the time had all they asked); the ref, status and SLA are whole;
     * the intake time is hidden whole, not cut to a stub */
    table_fit_columns(INC, INCN, natural, 80, out);
    assert_true(out[5] >= TABLE_KEEP_TITLE);
    assert_int_equal(out[0], 17);
    assert_int_equal(out[4], 11);
    assert_int_equal(out[6], 4);
    assert_int_equal(out[1], 0); /* the time first (the ref carries the date) */
    assert_int_equal(out[2], 14);
    int shown = -1;
    for (int i = 0; i < INCN; i++) {
        if (i != 5) /* a column whole or hidden */
            assert_true(out[i] == 0 || out[i] >= natural[i]);
        shown += out[i] ? out[i] + 1 : 0;
    }
    assert_int_equal(shown, 80);
    /* a status of 14 cells ("first response"): the library goes too, the
     * priority and the SLA stay */
    natural[4] = 14;
    table_fit_columns(INC, INCN, natural, 80, out);
    assert_true(out[5] >= TABLE_KEEP_TITLE);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 4);
    assert_int_equal(out[4], 14);
    assert_int_equal(out[6], 4);
    natural[4] = 11;
    /* 100 columns: room for all, the title still has its 24 */
    table_fit_columns(INC, INCN, natural, 100, out);
    for (int i = 0; i < INCN; i++)
        assert_true(out[i] > 0);
    assert_true(out[5] >= TABLE_KEEP_TITLE);
    assert_int_equal(total(out, INCN), 100);
    /* a short title needs no more than it has: nothing hidden for it */
    natural[5] = 12;
    table_fit_columns(INC, INCN, natural, 90, out);
    for (int i = 0; i < INCN; i++)
        assert_true(out[i] >= natural[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ends_and_paging),
        cmocka_unit_test(test_reverse),
        cmocka_unit_test(test_filter_and_matches),
        cmocka_unit_test(test_sort_by_name),
        cmocka_unit_test(test_mouse),
        cmocka_unit_test(test_shared_keys_in_list_panes),
        cmocka_unit_test(test_columns_by_content),
        cmocka_unit_test(test_title_keeps_its_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
