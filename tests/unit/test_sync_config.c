/* config.ini reading (src/config.h): sections, overrides, integers, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

static char *write_tmp(const char *text)
{
    char *path = xstrdup("/tmp/unyo-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    return path;
}

static void test_values(void **state)
{
    (void)state;
    char *p = write_tmp("; comment\n[sync]\nurl = host=db port=5432 dbname=unyo\ninterval = 45\n"
                        "[other]\nurl = x\n[sync]\ninterval = 60\n");
    char *err = NULL;
    struct config *c = config_load(p, &err);
    assert_non_null(c);
    assert_string_equal(config_get(c, "sync", "url"), "host=db port=5432 dbname=unyo");
    assert_string_equal(config_get(c, "other", "url"), "x");
    assert_int_equal(config_get_int(c, "sync", "interval", 30), 60); /* later wins */
    assert_int_equal(config_get_int(c, "sync", "missing", 30), 30);
    assert_null(config_get(c, "nosuch", "url"));
    config_free(c);
    unlink(p);
    free(p);
}

static void test_missing_file_is_empty(void **state)
{
    (void)state;
    char *err = NULL;
    struct config *c = config_load("/nonexistent/unyo/config.ini", &err);
    assert_non_null(c);
    assert_null(err);
    assert_null(config_get(c, "sync", "url"));
    config_free(c);
}

static void test_bad_line_names_file_and_line(void **state)
{
    (void)state;
    char *p = write_tmp("[sync]\nurl = x\nthis is not ini\n");
    char *err = NULL;
    struct config *c = config_load(p, &err);
    assert_null(c);
    assert_non_null(err);
    char *want = xasprintf("%s:3:", p);
    assert_non_null(strstr(err, want));
    free(want);
    free(err);
    unlink(p);
    free(p);
}

static void test_default_path(void **state)
{
    (void)state;
    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    char *p = config_default_path();
    assert_string_equal(p, "/x/cfg/unyo/config.ini");
    free(p);
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/op", 1);
    p = config_default_path();
    assert_string_equal(p, "/home/op/.config/unyo/config.ini");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_missing_file_is_empty),
        cmocka_unit_test(test_bad_line_names_file_and_line),
        cmocka_unit_test(test_default_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
