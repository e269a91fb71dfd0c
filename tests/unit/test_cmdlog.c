/* The command log: the `unyo …` line for what the console did, quoted for a shell,
 * with --db only for a store that is not the default one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdlog.h"
#include "store.h"

static void test_lines(void **state)
{
    (void)state;
    cmdlog_clear();
    assert_int_equal(cmdlog_count(), 0);
    assert_null(cmdlog_line(0, NULL));
    const char *w1[] = {"shift", "start", "early", NULL};
    assert_string_equal(cmdlog_add(w1), "unyo shift start early");
    const char *w2[] = {"operator", "add", "sato", "--name", "佐藤 健", "--role", "engineer", NULL};
    assert_string_equal(cmdlog_add(w2), "unyo operator add sato --name '佐藤 健' --role engineer");
    const char *w3[] = {"x", "it's", "", NULL};
    assert_string_equal(cmdlog_add(w3), "unyo x 'it'\\''s' ''");
    assert_int_equal(cmdlog_count(), 3);
    int64_t at = 0;
    assert_string_equal(cmdlog_line(0, &at), "unyo shift start early");
    assert_true(at > 0);
    cmdlog_clear();
}

static void test_db(void **state)
{
    (void)state;
    cmdlog_clear();
    char *def = store_default_path();
    cmdlog_set_db(def);
    const char *w[] = {"shift", "start", NULL};
    assert_string_equal(cmdlog_add(w), "unyo shift start");
    cmdlog_set_db("/tmp/a b/unyo.db");
    assert_string_equal(cmdlog_add(w), "unyo --db '/tmp/a b/unyo.db' shift start");
    free(def);
    cmdlog_clear();
}

static void test_keeps_the_newest(void **state)
{
    (void)state;
    cmdlog_clear();
    char n[16];
    const char *w[] = {"n", n, NULL};
    for (int i = 0; i < 250; i++) {
        snprintf(n, sizeof n, "%d", i);
        cmdlog_add(w);
    }
    assert_int_equal(cmdlog_count(), 200);
    assert_string_equal(cmdlog_line(0, NULL), "unyo n 50");
    assert_string_equal(cmdlog_line(199, NULL), "unyo n 249");
    cmdlog_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_db),
        cmocka_unit_test(test_keeps_the_newest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
