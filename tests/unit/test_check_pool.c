/* The connection pool of check rounds (src/check_pool.c): the keep setting, and
 * that a connection not ready for a command is never kept. Reuse over a real
 * sshd is tests/integration/test_check_watch.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "check_pool.h"
#include "ssh_conn.h"

static void test_keep_setting(void **state)
{
    (void)state;
    int64_t ms = -1;
    char *err = NULL;
    assert_int_equal(check_pool_keep_setting(NULL, &ms, &err), 0);
    assert_int_equal(ms, CHECK_POOL_DEFAULT_KEEP_MS);
    assert_int_equal(check_pool_keep_setting("10m", &ms, &err), 0);
    assert_int_equal(ms, 600000);
    assert_int_equal(check_pool_keep_setting("1h30m", &ms, &err), 0);
    assert_int_equal(ms, 5400000);
    assert_int_equal(check_pool_keep_setting("off", &ms, &err), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(check_pool_keep_setting("0", &ms, &err), 0);
    assert_int_equal(ms, 0);
    /* a bare number has no unit: refused, naming the value */
    assert_int_equal(check_pool_keep_setting("15", &ms, &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err, "\"15\""));
    free(err);
    err = NULL;
    assert_int_equal(check_pool_keep_setting("-5m", &ms, &err), -1);
    free(err);
}

/* A connection that is not ready (here: never connected) is closed, not kept;
 * an empty pool gives nothing; NULL pools and keys are harmless. */
static void test_only_ready_connections_are_kept(void **state)
{
    (void)state;
    struct check_pool *p = check_pool_new(60000);
    assert_null(check_pool_take(p, "h1"));
    struct ssh_conn_opts co = {0};
    char *err = NULL;
    struct ssh_conn *c = ssh_conn_new("unyo-test-no-such-host.invalid", &co, &err);
    assert_non_null(c);
    assert_int_not_equal(ssh_conn_state(c), SSH_READY);
    check_pool_put(p, "h1", c); /* freed, not kept (ASan: no leak, no double free) */
    assert_int_equal(check_pool_size(p), 0);
    assert_null(check_pool_take(p, "h1"));
    check_pool_put(p, "h1", NULL);
    check_pool_expire(p, check_pool_now_ms() + 120000);
    assert_int_equal(check_pool_size(p), 0);
    check_pool_free(p);
    assert_null(check_pool_take(NULL, "h1"));
    check_pool_expire(NULL, 0);
    check_pool_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_setting),
        cmocka_unit_test(test_only_ready_connections_are_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
