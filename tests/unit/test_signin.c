/* Operators who sign in (issue 14): a passphrase is stored only as a yescrypt hash,
 * a right one is accepted and makes the signer fresh, a wrong one is refused and counted
 * and audited, a manager's reset makes the person set a new one, a signed act on a
 * real store (made without UNYO_TEST_STORE) is refused until the signer gave the
 * passphrase, and UNYO_USER is refused on a real store while a test store honours it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "operators.h"
#include "signin.h"
#include "store.h"

static char dir[64];

static struct store *open_new(const char *name, int test_store)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (test_store)
        setenv("UNYO_TEST_STORE", "1", 1);
    else
        unsetenv("UNYO_TEST_STORE");
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open(path, STORE_CREATE_NEW, &st, &err), 0);
    setenv("UNYO_TEST_STORE", "1", 1);
    return st;
}

static long count(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    long n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static void test_real_store(void **state)
{
    (void)state;
    char *err = NULL;
    /* made by the tests' own hand as `unyo init` would: not a test store */
    unsetenv("UNYO_USER");
    struct store *st = open_new("real.db", 0);
    assert_int_equal(st->demo, 0);
    const char *me = store_own_login();
    assert_int_equal(operator_add(st, "yamada", NULL, "operator", NULL, &err), -1);
    assert_non_null(strstr(err, "manager"));
    free(err), err = NULL;
    assert_int_equal(operator_add(st, me, NULL, "manager", NULL, &err), 0);
    assert_int_equal(operator_add(st, "yamada", NULL, "engineer", NULL, &err), 0);
    assert_int_equal(signin_state(st, me, &err), SIGNIN_MUST_SET);
    /* a signed act without a passphrase: refused and audited */
    assert_int_equal(operator_set_role(st, "yamada", "operator", &err), -1);
    assert_non_null(strstr(err, "passphrase"));
    free(err), err = NULL;
    assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE action = 'sign.refused'"), 1);
    /* too short, then set */
    assert_int_equal(signin_set_passphrase(st, me, NULL, "short", &err), -1);
    free(err), err = NULL;
    assert_int_equal(signin_set_passphrase(st, me, NULL, "long enough 1", &err), 0);
    assert_int_equal(count(st, "SELECT count(*) FROM local_passphrases WHERE hash LIKE '$y$%'"), 1);
    assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE detail LIKE '%long enough%'"), 0);
    assert_int_equal(signin_is_fresh(me), 1);
    assert_int_equal(operator_set_role(st, "yamada", "operator", &err), 0);
    /* wrong, then right: counted, audited, reset */
    assert_int_equal(signin_check(st, me, "long enough 2", &err), -1);
    assert_non_null(strstr(err, "wrong passphrase"));
    free(err), err = NULL;
    assert_int_equal(count(st, "SELECT failures FROM local_passphrases"), 1);
    assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE action = 'signin.failed'"), 1);
    assert_int_equal(signin_check(st, me, "long enough 1", &err), 0);
    assert_int_equal(count(st, "SELECT failures FROM local_passphrases"), 0);
    /* unknown and deactivated: refused, audited */
    assert_int_equal(signin_check(st, "nobody", "x", &err), -1);
    free(err), err = NULL;
    assert_int_equal(operator_deactivate(st, me, &err), -1); /* never oneself */
    free(err), err = NULL;
    assert_int_equal(operator_deactivate(st, "yamada", &err), 0);
    assert_int_equal(signin_check(st, "yamada", "x", &err), -1);
    assert_non_null(strstr(err, "deactivated"));
    free(err), err = NULL;
    assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE action = 'signin.refused'"), 2);
    /* :as is refused on a real store; so is UNYO_USER, at open */
    assert_int_equal(operator_act_as(st, "yamada", &err), -1);
    free(err), err = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/real.db", dir);
    store_close(st);
    setenv("UNYO_USER", "yamada", 1);
    assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &st, &err), -1);
    assert_non_null(strstr(err, "UNYO_USER"));
    free(err), err = NULL;
    unsetenv("UNYO_USER");
    signin_forget(NULL);
}

static void test_test_store(void **state)
{
    (void)state;
    char *err = NULL;
    struct store *st = open_new("test.db", 1);
    assert_int_equal(st->demo, 1);
    setenv("UNYO_USER", "ito", 1);
    assert_int_equal(operator_add(st, "ito", NULL, "manager", NULL, &err), 0);
    assert_int_equal(operator_add(st, "sato", NULL, "engineer", NULL, &err), 0);
    /* no passphrase asked on a test store */
    assert_int_equal(operator_set_role(st, "sato", "operator", &err), 0);
    /* a manager's reset: the person must set a new one */
    assert_int_equal(signin_set_passphrase(st, "sato", NULL, "first one 1", &err), 0);
    assert_int_equal(signin_reset_passphrase(st, "sato", &err), 0);
    assert_int_equal(signin_state(st, "sato", &err), SIGNIN_MUST_SET);
    store_close(st);
    unsetenv("UNYO_USER");
}

int main(void)
{
    setenv("UNYO_NOW", "2026-11-23T09:00:00+09:00", 1);
    snprintf(dir, sizeof dir, "/tmp/unyo-signin-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_store),
        cmocka_unit_test(test_test_store),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char *cmd = NULL;
    if (asprintf(&cmd, "rm -rf %s", dir) > 0 && system(cmd) != 0)
        rc = rc ? rc : 0;
    free(cmd);
    return rc;
}
