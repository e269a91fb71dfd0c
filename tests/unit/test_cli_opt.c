/* The one option parser of src/cli/ (issue 12): each type refuses what it
 * must (exit 2), values land where the handlers read them, GNU forms
 * (--name=value, -xVALUE, -ab, --, unique prefixes) keep working, and
 * `host exec NAME COMMAND...` stops at NAME. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "timefmt.h"

static int ran;
static int run(struct cli_ctx *ctx, const struct cli_args *a)
{
    (void)ctx;
    (void)a;
    ran++;
    return 0;
}

static const struct cli_opt opts[] = {OPT_INT("limit", 'n', "N", 1, 100, NULL),
                                      OPT_INT("offset", 0, "N", 0, INT_MAX, NULL),
                                      OPT_DATE("date", 'd', NULL),
                                      OPT_MONTH("month", 0, NULL),
                                      OPT_TIME("at", 0, NULL),
                                      OPT_ENUM("risk", 0, "low|medium|high", NULL),
                                      OPT_STRS("step", 's', "TEXT", NULL),
                                      OPT_STR("note", 0, "N", NULL),
                                      OPT_STR("notify", 0, "WHOM", NULL),
                                      OPT_FLAG("dry-run", 'D', NULL),
                                      OPT_FLAG("quiet", 'q', NULL),
                                      OPT_END};
static const struct cli_verb verb = {"do", "REF", opts, run, NULL, 0};
static const struct cli_verb stop = {"exec", "NAME COMMAND...", opts, run, NULL, CLI_STOP};

/* Parses the words of line (split on spaces) for v: the parser's result. */
static int parse(const struct cli_verb *v, const char *line, struct cli_args *a)
{
    static char buf[512];
    static char *argv[32];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *w = strtok(buf, " "); w && argc < 31; w = strtok(NULL, " "))
        argv[argc++] = w;
    argv[argc] = NULL;
    return cli_parse("test", v, v->name, argc, argv, a);
}

static void refused(const char *line)
{
    struct cli_args a;
    if (parse(&verb, line, &a) != EXIT_USAGE)
        fail_msg("accepted: %s", line);
}

static void test_types_refuse(void **state)
{
    (void)state;
    const char *bad[] = {"--limit abc",
                         "--limit 5x",
                         "--limit -5",
                         "--limit 0",
                         "--limit 101",
                         "--limit",
                         "--limit=",
                         "-n x",
                         "--offset -1",
                         "--date 2026-02-30",
                         "--date 2026-1-5",
                         "-d tomorrow",
                         "--month 2026-13",
                         "--month 2026-1",
                         "--at \"2026-11-22",
                         "--at noon",
                         "--risk huge",
                         "--risk=",
                         "--dry-run=yes",
                         "--nope",
                         "-x",
                         "--no"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        refused(bad[i]);
}

static void test_values(void **state)
{
    (void)state;
    struct cli_args a;
    assert_int_equal(parse(&verb,
                           "R1 --limit 7 -d 2026-11-22 --month=2026-12 --risk high -s one "
                           "--step=two -sthree -Dq --note x --note y R2",
                           &a),
                     0);
    assert_int_equal(cli_int(&a, "limit", 50), 7);
    assert_int_equal(cli_int(&a, "offset", 50), 50); /* not given: the default */
    assert_string_equal(cli_str(&a, "date"), "2026-11-22");
    assert_string_equal(cli_str(&a, "month"), "2026-12");
    assert_string_equal(cli_str(&a, "risk"), "high");
    assert_string_equal(cli_str(&a, "note"), "y"); /* the last one */
    size_t n;
    const char **steps = cli_all(&a, "step", &n);
    assert_int_equal(n, 3);
    assert_string_equal(steps[0], "one");
    assert_string_equal(steps[1], "two");
    assert_string_equal(steps[2], "three");
    assert_null(steps[3]);
    assert_int_equal(cli_has(&a, "dry-run"), 1);
    assert_int_equal(cli_has(&a, "quiet"), 1);
    assert_null(cli_str(&a, "at"));
    /* a name the verb does not declare reads as not given */
    assert_int_equal(cli_has(&a, "rename"), 0);
    assert_null(cli_str(&a, "rename"));
    assert_int_equal(cli_all(&a, "rename", &n)[0] == NULL, 1);
    assert_int_equal(n, 0);
    assert_int_equal(a.argc, 2); /* operands, options taken out */
    assert_string_equal(a.argv[0], "R1");
    assert_string_equal(a.argv[1], "R2");
    cli_args_free(&a);
}

static void test_gnu_forms(void **state)
{
    (void)state;
    struct cli_args a;
    /* a unique prefix, as getopt_long allowed; "--not" is ambiguous */
    assert_int_equal(parse(&verb, "--lim 3 --dry", &a), 0);
    assert_int_equal(cli_int(&a, "limit", 0), 3);
    assert_int_equal(cli_has(&a, "dry-run"), 1);
    cli_args_free(&a);
    refused("--not x");
    /* "--" ends the options; "-" is an operand */
    assert_int_equal(parse(&verb, "- -- --limit", &a), 0);
    assert_int_equal(a.argc, 2);
    assert_string_equal(a.argv[0], "-");
    assert_string_equal(a.argv[1], "--limit");
    assert_int_equal(cli_has(&a, "limit"), 0);
    cli_args_free(&a);
}

static void test_stop_at_operand(void **state)
{
    (void)state;
    struct cli_args a;
    assert_int_equal(parse(&stop, "-n 5 web01 ls --limit abc -q", &a), 0);
    assert_int_equal(cli_int(&a, "limit", 0), 5);
    assert_int_equal(cli_has(&a, "quiet"), 0);
    assert_int_equal(a.argc, 5);
    assert_string_equal(a.argv[0], "web01");
    assert_string_equal(a.argv[2], "--limit");
    cli_args_free(&a);
}

static void test_messages(void **state)
{
    (void)state;
    char *err = NULL;
    long v;
    assert_int_equal(cli_parse_count("--limit", "abc", 1, 10, &v, &err), -1);
    assert_string_equal(err, "--limit takes a whole number, not abc");
    free(err);
    err = NULL;
    assert_int_equal(cli_parse_count("--limit", "99999999999999999999", 1, 10, &v, &err), -1);
    assert_string_equal(err, "--limit takes a whole number from 1 to 10, not 99999999999999999999");
    free(err);
    err = NULL;
    assert_int_equal(cli_check_value(&opts[5], "huge", &v, &err), -1);
    assert_string_equal(err, "--risk takes low|medium|high, not huge");
    free(err);
    err = NULL;
    assert_int_equal(cli_check_value(&opts[2], "2026-02-29", &v, &err), -1);
    assert_string_equal(err, "--date takes a date YYYY-MM-DD, not 2026-02-29");
    free(err);
    err = NULL;
    assert_int_equal(cli_check_value(&opts[2], "2028-02-29", &v, &err), 0);
    assert_null(err);
    /* full-width input is folded first; a refusal shows what was typed */
    assert_int_equal(cli_check_value(&opts[2], "２０２６／１２／０７", &v, &err), 0);
    assert_int_equal(cli_check_value(&opts[2], "２０２６／１３／０１", &v, &err), -1);
    assert_string_equal(err, "--date takes a date YYYY-MM-DD, not ２０２６／１３／０１");
    free(err);
    err = NULL;
    assert_int_equal(cli_parse_count("--limit", "　１０ ", 1, 10, &v, &err), 0);
    assert_int_equal(v, 10);
    assert_int_equal(cli_parse_count("--limit", "１１", 1, 10, &v, &err), -1);
    assert_string_equal(err, "--limit takes a whole number from 1 to 10, not １１");
    free(err);
    err = NULL;
}

/* What a Japanese keyboard types where a date, month, time or number is asked:
 * the handler reads the folded value. */
static void test_full_width(void **state)
{
    (void)state;
    struct cli_args a;
    assert_int_equal(parse(&verb,
                           "R1 --limit ３１ -d ２０２６／１２／０７ --month=２０２６－１２ "
                           "--at=2026/12/07T09:30 --offset －０ --note ３１",
                           &a),
                     0);
    assert_int_equal(cli_int(&a, "limit", 50), 31);
    assert_string_equal(cli_str(&a, "limit"), "31");
    assert_string_equal(cli_str(&a, "date"), "2026-12-07");
    assert_string_equal(cli_str(&a, "month"), "2026-12");
    assert_string_equal(cli_str(&a, "at"), "2026-12-07T09:30");
    assert_int_equal(cli_int(&a, "offset", 50), 0);
    assert_string_equal(cli_str(&a, "note"), "３１"); /* free text is kept as typed */
    cli_args_free(&a);
    /* a decimal number (checklist mark --value) */
    static const struct cli_opt num[] = {OPT_NUM("value", 'v', "VALUE", NULL), OPT_END};
    const struct cli_verb nv = {"mark", NULL, num, run, NULL, 0};
    assert_int_equal(parse(&nv, "--value ３１．５", &a), 0);
    assert_string_equal(cli_str(&a, "value"), "31.5");
    cli_args_free(&a);
    assert_int_equal(parse(&nv, "-v －３", &a), 0);
    assert_string_equal(cli_str(&a, "value"), "-3");
    cli_args_free(&a);
    char *err = NULL;
    long unused;
    assert_int_equal(cli_check_value(&num[0], "３ｘ", &unused, &err), -1);
    assert_string_equal(err, "--value: \"３ｘ\" is not a number");
    free(err);
    const char *nbad[] = {"--value abc", "--value 3x", "--value ", "--value inf", "--value nan"};
    for (size_t i = 0; i < sizeof nbad / sizeof *nbad; i++)
        if (parse(&nv, nbad[i], &a) != EXIT_USAGE)
            fail_msg("accepted: %s", nbad[i]);
    const char *bad[] = {"--limit ３ｘ", "--date ２０２６／１３／０１", "--date 2026/12-07",
                         "--month ２０２６／１３", "--at ２０２６／１２／０７　２５：００"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        refused(bad[i]);
}

/* cli_month: the month as numbers, folded first; this month (JST) when the
 * option is not given; a month before 1970 refused for the caller to say so. */
static void test_month(void **state)
{
    (void)state;
    struct cli_args a;
    int y = 0, m = 0;
    assert_int_equal(parse(&verb, "R1 --month=2026-12", &a), 0);
    assert_int_equal(cli_month(&a, "month", &y, &m), 0);
    assert_int_equal(y, 2026);
    assert_int_equal(m, 12);
    cli_args_free(&a);
    assert_int_equal(parse(&verb, "R1 --month ２０２７－０３", &a), 0);
    assert_int_equal(cli_month(&a, "month", &y, &m), 0);
    assert_int_equal(y, 2027);
    assert_int_equal(m, 3);
    cli_args_free(&a);
    assert_int_equal(parse(&verb, "R1 --month 1969-12", &a), 0);
    assert_int_equal(cli_month(&a, "month", &y, &m), -1);
    cli_args_free(&a);
    assert_int_equal(parse(&verb, "R1", &a), 0);
    char today[11], want[8];
    time_format_jst_date(time_now_ms(), today);
    assert_int_equal(cli_month(&a, "month", &y, &m), 0);
    snprintf(want, sizeof want, "%04d-%02d", y, m);
    assert_memory_equal(want, today, 7);
    cli_args_free(&a);
}

/* The synopsis says what the table says: required options bare, repeatable
 * ones with "...", operands after the options for a CLI_STOP verb. */
static void test_synopsis(void **state)
{
    (void)state;
    static const struct cli_opt o[] = {
        {.name = "to", .type = CLI_STR, .arg = "DEPT", .flags = CLI_REQUIRED},
        OPT_STRS("file", 'f', "F", NULL),
        OPT_ENUM("kind", 0, "a|b", NULL),
        {.name = "secret", .type = CLI_INT, .min = 0, .max = 1, .flags = CLI_HIDDEN},
        OPT_END};
    const struct cli_verb v = {"deliver", "RUN", o, run, NULL, CLI_FORMATS};
    const struct cli_verb s = {"exec", "NAME", o, run, NULL, CLI_STOP};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_synopsis(f, "jobs", &v, 0);
    cli_synopsis(f, "host", &s, 0);
    fclose(f);
    assert_string_equal(
        buf, "unyo jobs deliver RUN --to DEPT [--file F]... [--kind a|b] [--csv|--json]\n"
             "unyo host exec --to DEPT [--file F]... [--kind a|b] NAME\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_refuse), cmocka_unit_test(test_values),
        cmocka_unit_test(test_gnu_forms),    cmocka_unit_test(test_stop_at_operand),
        cmocka_unit_test(test_messages),     cmocka_unit_test(test_synopsis),
        cmocka_unit_test(test_full_width),   cmocka_unit_test(test_month),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
