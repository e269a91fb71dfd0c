/* A second person at the keyboard (`:as`, issue 13): operator_act_as makes the
 * process act as another active operator (store_os_login follows, for every store and
 * thread), refuses an unknown or inactive login without changing anything, audits who
 * handed over to whom, goes back with NULL; the command log names the person. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cmdlog.h"
#include "support/ledger_fixture.h"
#include "operators.h"
#include "store.h"

static void test_act_as_and_back(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    assert_string_equal(store_os_login(), "yamada");
    assert_int_equal(operator_act_as(f->st, "sato", &err), 0);
    assert_string_equal(store_os_login(), "sato");
    assert_string_equal(store_own_login(), "yamada");
    assert_string_equal(f->st->operator_login, "sato");
    assert_string_equal(f->st->operator_role, "engineer");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit a JOIN operators o ON o.id = "
                                     "a.operator_id WHERE a.action = 'operator.act_as' AND "
                                     "o.login = 'yamada' AND a.detail = 'from=yamada to=sato'"),
                     1);
    /* the command log names the person acting */
    cmdlog_clear();
    const char *w[] = {"change", "step", "CHG-1", "approve", NULL};
    assert_string_equal(cmdlog_add(w), "UNYO_USER=sato unyo change step CHG-1 approve");
    /* back to the own login with NULL */
    assert_int_equal(operator_act_as(f->st, NULL, &err), 0);
    assert_string_equal(store_os_login(), "yamada");
    assert_string_equal(f->st->operator_login, "yamada");
    assert_string_equal(cmdlog_add(w), "unyo change step CHG-1 approve");
    cmdlog_clear();
}

static void test_refuses_unknown_and_inactive(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    int audits = fx_count(f->st, "SELECT count(*) FROM audit WHERE action = 'operator.act_as'");
    fx_expect_fail(operator_act_as(f->st, "nobody", &err), &err, "nobody");
    assert_int_equal(store_exec(f->st, "UPDATE operators SET active = 0 WHERE login = 'ito'", &err),
                     0);
    fx_expect_fail(operator_act_as(f->st, "ito", &err), &err, "ito");
    assert_string_equal(store_os_login(), "yamada");
    assert_string_equal(f->st->operator_login, "yamada");
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit WHERE action = 'operator.act_as'"),
                     audits);
}

static void *read_login(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        const char *who = store_os_login(); /* read once: it may change between two reads */
        if (strcmp(who, "sato") != 0 && strcmp(who, "takahashi") != 0)
            return (void *)1;
    }
    return NULL;
}

/* A worker reading the login while the keyboard changes hands sees one of the two. */
static void test_threads(void **state)
{
    (void)state;
    store_set_acting_login("sato");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, read_login, NULL), 0);
    for (int i = 0; i < 2000; i++)
        store_set_acting_login(i % 2 ? "sato" : "takahashi");
    store_set_acting_login("sato");
    void *bad = NULL;
    pthread_join(t, &bad);
    assert_null(bad);
    store_set_acting_login(NULL);
    assert_string_equal(store_os_login(), "yamada");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_act_as_and_back, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_refuses_unknown_and_inactive, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_threads, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
