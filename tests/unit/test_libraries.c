/* The libraries kept in the store (src/libraries.c): added, renamed and retired by a
 * registered operator, each audited; the intake form's choices follow; and the first
 * run's state (src/setup.c) and re-registering a deactivated operator
 * (src/operators.c), which the first run relies on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "incident_views.h"
#include "libraries.h"
#include "operators.h"
#include "setup.h"
#include "store.h"
#include "support/ledger_fixture.h"
#include "util.h"

static int offered(struct store *st, const char *code, const char *name)
{
    struct incident_choice *c;
    size_t n;
    char *err = NULL;
    assert_int_equal(incident_library_choices(st, &c, &n, &err), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].key, code) == 0)
            found = !name || strcmp(c[i].name, name) == 0;
    incident_choices_free(c, n);
    return found;
}

static void test_add_rename_retire(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    i18n_init("ja");
    struct library_fields lf = {.code = "KIT2", .name_ja = "北分館"};
    assert_int_equal(library_add(f->st, &lf, &err), 0);
    /* a branch, after the central library; named in Japanese, English falls back */
    struct library_brief *v;
    size_t n;
    assert_int_equal(library_list(f->st, &v, &n, &err), 0);
    assert_int_equal(n, 10);
    assert_string_equal(v[0].code, "CEN");
    int at = -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].code, "KIT2") == 0)
            at = (int)i;
    assert_true(at > 0);
    assert_string_equal(v[at].kind, "branch");
    assert_string_equal(v[at].name_en, "北分館");
    library_list_free(v, n);
    assert_true(offered(f->st, "KIT2", "北分館"));
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit a JOIN operators o ON "
                                     "o.id = a.operator_id WHERE a.action = 'library.add' AND "
                                     "o.login = 'yamada' AND a.detail LIKE 'code=KIT2 %'"),
                     1);

    /* the same code twice, any case, is refused; so are a bad code, kind or no name */
    fx_expect_fail(library_add(f->st, &lf, &err), &err, "KIT2");
    struct library_fields lower = {.code = "kit2", .name_ja = "x"};
    fx_expect_fail(library_add(f->st, &lower, &err), &err, NULL);
    struct library_fields bad = {.code = "北", .name_ja = "x"};
    fx_expect_fail(library_add(f->st, &bad, &err), &err, NULL);
    struct library_fields kind = {.code = "ZZ", .name_ja = "x", .kind = "school"};
    fx_expect_fail(library_add(f->st, &kind, &err), &err, "school");
    struct library_fields noname = {.code = "ZZ", .name_ja = ""};
    fx_expect_fail(library_add(f->st, &noname, &err), &err, NULL);

    assert_int_equal(library_rename(f->st, "kit2", "北分室", NULL, &err), 0);
    assert_true(offered(f->st, "KIT2", "北分室"));
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit WHERE action = "
                                     "'library.rename' AND detail LIKE '%北分館->北分室%'"),
                     1);
    fx_expect_fail(library_rename(f->st, "NOPE", "x", NULL, &err), &err, "NOPE");

    assert_int_equal(library_retire(f->st, "KIT2", &err), 0);
    assert_false(offered(f->st, "KIT2", NULL));
    fx_expect_fail(library_retire(f->st, "KIT2", &err), &err, "KIT2");
    /* added again, it comes back with the new name (one row: the same id) */
    struct library_fields again = {.code = "KIT2", .name_ja = "北分館", .kind = "office"};
    assert_int_equal(library_add(f->st, &again, &err), 0);
    assert_true(offered(f->st, "KIT2", "北分館"));
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM libraries WHERE code = 'KIT2'"), 1);
    i18n_init("en");
}

/* Nobody registered cannot change the list. */
static void test_needs_operator(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    fx_as(f->st, "nobody");
    struct library_fields lf = {.code = "KIT2", .name_ja = "北分館"};
    fx_expect_fail(library_add(f->st, &lf, &err), &err, NULL);
    fx_expect_fail(library_retire(f->st, "CEN", &err), &err, NULL);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM libraries WHERE code = 'KIT2'"), 0);
}

/* The first run is due while nobody active is registered and it was not gone
 * through; a deactivated operator is registered again instead of "already exists". */
static void test_first_run_and_operators(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    int due = -1, none = -1;
    assert_int_equal(setup_first_run_due(f->st, &due, &err), 0);
    assert_int_equal(due, 0);
    assert_int_equal(store_exec(f->st, "UPDATE operators SET active = 0", &err), 0);
    assert_int_equal(setup_no_operator(f->st, &none, &err), 0);
    assert_int_equal(none, 1);
    assert_int_equal(setup_first_run_due(f->st, &due, &err), 0);
    assert_int_equal(due, 1);
    /* with nobody active, anyone may register the first again (no loop) */
    fx_as(f->st, "yamada");
    assert_int_equal(operator_add(f->st, "yamada", "山田 太郎", "manager", NULL, &err), 0);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM operators WHERE login = 'yamada' AND "
                                     "active = 1 AND role = 'manager'"),
                     1);
    fx_expect_fail(operator_add(f->st, "yamada", NULL, "operator", NULL, &err), &err, "yamada");
    assert_int_equal(setup_first_run_due(f->st, &due, &err), 0);
    assert_int_equal(due, 0);
    assert_int_equal(store_exec(f->st, "UPDATE operators SET active = 0", &err), 0);
    assert_int_equal(setup_first_run_done(f->st, &err), 0);
    assert_int_equal(setup_first_run_due(f->st, &due, &err), 0);
    assert_int_equal(due, 0);
}

int main(void)
{
    i18n_init("en");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_rename_retire, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_needs_operator, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_first_run_and_operators, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
