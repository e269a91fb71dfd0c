/* The one INI reader (src/ini.h): lines of any length load whole, line numbers
 * stay right, errors name FILE:LINE, and bytes that are not UTF-8 text are
 * refused instead of misread. Debian's libinih split a line at 200 bytes
 * without a word: a 255-byte [sync] url lost its sslmode tail and the tail of
 * a check's name became "hosts = none-such". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini.h"
#include "util.h"

/* Every item as one line of text: "LINE [section]" or "LINE section.key=value"
 * ("+=" for a continuation). */
struct log {
    struct strbuf sb;
    int fail_line; /* the handler refuses this line */
};

static int log_item(void *user, const struct ini_item *it, char **err)
{
    struct log *l = user;
    if (it->kind == INI_SECTION)
        sb_printf(&l->sb, "%d [%s]\n", it->line, it->section);
    else
        sb_printf(&l->sb, "%d %s.%s%s%s\n", it->line, it->section, it->key,
                  it->continued ? "+=" : "=", it->value);
    if (it->line == l->fail_line)
        return ini_fail(it, err, "refused %s", it->key ? it->key : it->section);
    return 0;
}

/* Reads text (len bytes) and returns the log; *err and *line on failure. */
static char *read_text(const char *text, size_t len, unsigned opts, int fail_line, int *rc,
                       int *line, char **err)
{
    struct log l = {STRBUF_INIT, fail_line};
    *line = -1;
    *rc = ini_read_mem("t.ini", text, len, opts, log_item, &l, line, err);
    return sb_detach(&l.sb);
}

static void expect_log(const char *text, unsigned opts, const char *want)
{
    char *err = NULL;
    int rc, line;
    char *got = read_text(text, strlen(text), opts, 0, &rc, &line, &err);
    if (rc != 0)
        fail_msg("refused: %s", err);
    assert_null(err);
    assert_string_equal(got, want);
    free(got);
}

#define T(s) s, sizeof(s) - 1

static void expect_error(const char *text, size_t len, unsigned opts, int want_line,
                         const char *needle)
{
    char *err = NULL;
    int rc, line;
    char *got = read_text(text, len, opts, 0, &rc, &line, &err);
    assert_int_equal(rc, -1);
    assert_non_null(err);
    assert_int_equal(line, want_line);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t.ini:%d: ", want_line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("want \"%s...%s...\", got \"%s\"", prefix, needle, err);
    free(err);
    free(got);
}

static void test_basic_syntax(void **state)
{
    (void)state;
    expect_log("; comment\n# comment\n\n  ; indented comment\ntop = 1\n[ a ]\nk = v\n"
               "k2=v2\n  spaced   =   x y  \nc: colon\ne =\n[b]\nu = 1 = 2\n",
               INI_OPT_CLASSIC,
               "5 .top=1\n6 [a]\n7 a.k=v\n8 a.k2=v2\n9 a.k2+=spaced   =   x y\n10 a.c=colon\n"
               "11 a.e=\n12 [b]\n13 b.u=1 = 2\n");
    /* Without continuation, an indented pair is a pair. */
    expect_log("[a]\nk = v\n  spaced   =   x y  \n", 0, "1 [a]\n2 a.k=v\n3 a.spaced=x y\n");
}

static void test_inline_comments(void **state)
{
    (void)state;
    expect_log("[a] ; header comment\nk = v ; note\nj = v;not\nl = ;\nm =;x\nn = a\t; b\n",
               INI_OPT_INLINE_COMMENTS, "1 [a]\n2 a.k=v\n3 a.j=v;not\n4 a.l=\n5 a.m=;x\n6 a.n=a\n");
    /* Off: " ;" is text. */
    expect_log("[a]\nk = v ; note\n", 0, "1 [a]\n2 a.k=v ; note\n");
    /* A header may carry a comment either way. */
    expect_log("[a] # note\n", 0, "1 [a]\n");
}

static void test_continuation(void **state)
{
    (void)state;
    expect_log("[c]\ncommand = echo a\n  echo b ; comment\n\t[ -e x ] || exit 1\n; c\n"
               "  after comment\nname = n\n[d]\n  first = 1\n",
               INI_OPT_CLASSIC,
               "1 [c]\n2 c.command=echo a\n3 c.command+=echo b\n4 c.command+=[ -e x ] || exit 1\n"
               "6 c.command+=after comment\n7 c.name=n\n8 [d]\n9 d.first=1\n");
    /* Off: an indented line without '=' is an error on its line. */
    expect_error(T("[c]\ncommand = a\n  b\n"), 0, 3, "syntax error");
}

/* The defect: libinih (r55, INI_MAX_LINE 200) split these silently. */
static void test_long_lines_load_whole(void **state)
{
    (void)state;
    /* A 255-byte [sync] url keeps its sslmode tail. */
    struct strbuf url = STRBUF_INIT;
    sb_puts(&url, "host=central.example.org port=5432 dbname=unyo user=console1 "
                  "connect_timeout=10 application_name=unyo-console ");
    static const char tail[] = " sslmode=verify-full sslrootcert=/etc/unyo/ca.pem";
    while (url.len < 255 - strlen("url = ") - strlen(tail))
        sb_putc(&url, 'x');
    sb_puts(&url, tail);
    struct strbuf text = STRBUF_INIT;
    sb_printf(&text, "[sync]\nurl = %s\ninterval = 30\n", url.buf);
    assert_int_equal(strlen("url = ") + url.len, 255);
    struct strbuf want = STRBUF_INIT;
    sb_printf(&want, "1 [sync]\n2 sync.url=%s\n3 sync.interval=30\n", url.buf);
    expect_log(text.buf, INI_OPT_CLASSIC, want.buf);

    /* A long check name: its tail is no "hosts = none-such" key. */
    sb_reset(&text);
    sb_reset(&want);
    struct strbuf name = STRBUF_INIT;
    while (name.len < 190)
        sb_puts(&name, "Disk use ");
    sb_puts(&name, "hosts = none-such");
    sb_printf(&text, "[disk]\nname = %s\ntemplate = L025\n", name.buf);
    sb_printf(&want, "1 [disk]\n2 disk.name=%s\n3 disk.template=L025\n", name.buf);
    expect_log(text.buf, INI_OPT_CLASSIC, want.buf);

    /* 100 KB on one line, then the line numbers after it are right. */
    sb_reset(&text);
    sb_puts(&text, "[a]\nbig = ");
    for (int i = 0; i < 100000; i++)
        sb_putc(&text, (char)('a' + i % 26));
    sb_puts(&text, "\nnext = 1\n\nbad line\n");
    expect_error(text.buf, text.len, INI_OPT_CLASSIC, 5, "syntax error");
    sb_free(&url);
    sb_free(&name);
    sb_free(&text);
    sb_free(&want);
}

static void test_line_ends_and_bom(void **state)
{
    (void)state;
    expect_log("\xEF\xBB\xBF[a]\r\nk = v\r\n\r\nj = w", INI_OPT_CLASSIC,
               "1 [a]\n2 a.k=v\n4 a.j=w\n");
    /* A BOM later than the first byte is text (and no key name). */
    expect_log("[a]\nk = \xEF\xBB\xBFv\n", 0, "1 [a]\n2 a.k=\xEF\xBB\xBFv\n");
    /* Empty input, and a lone newline. */
    expect_log("", INI_OPT_CLASSIC, "");
    expect_log("\n", INI_OPT_CLASSIC, "");
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    expect_error(T("[a]\nk = v\n[b\n"), INI_OPT_CLASSIC, 3, "]");
    expect_error(T("[]\n"), INI_OPT_CLASSIC, 1, "empty section");
    expect_error(T("[a] b = c\n"), INI_OPT_CLASSIC, 1, "after ]");
    expect_error(T("[a]\n= v\n"), INI_OPT_CLASSIC, 2, "no key");
    expect_error(T("[a]\njust words\n"), INI_OPT_CLASSIC, 2, "key = value");
    expect_error(T("[a]\nk ; x = v\n"), INI_OPT_INLINE_COMMENTS, 2, "key = value");
    /* NUL bytes and invalid UTF-8 are refused on their line, not misread. */
    expect_error(T("[a]\nk = v\0w\nj = 1\n"), INI_OPT_CLASSIC, 2, "NUL");
    expect_error(T("[a]\n\nk = \xff\xfe\n"), INI_OPT_CLASSIC, 3, "UTF-8");
    expect_error(T("[a]\nk = \xc0\xaf\n"), INI_OPT_CLASSIC, 2, "UTF-8");     /* overlong '/' */
    expect_error(T("[a]\nk = \xed\xa0\x80\n"), INI_OPT_CLASSIC, 2, "UTF-8"); /* surrogate */
    expect_error(T("[a]\nk = \xe3\x81\n"), INI_OPT_CLASSIC, 2, "UTF-8");     /* cut short */

    /* The handler's own error, and the reader stops there. */
    char *err = NULL;
    int rc, line;
    char *got = read_text(T("[a]\nk = 1\nj = 2\nl = 3\n"), INI_OPT_CLASSIC, 3, &rc, &line, &err);
    assert_int_equal(rc, -1);
    assert_int_equal(line, 3);
    assert_string_equal(err, "t.ini:3: refused j");
    assert_string_equal(got, "1 [a]\n2 a.k=1\n3 a.j=2\n");
    free(err);
    free(got);
}

static int refuse_quietly(void *user, const struct ini_item *it, char **err)
{
    (void)user, (void)err;
    return it->kind == INI_PAIR ? -1 : 0;
}

static void test_handler_without_message(void **state)
{
    (void)state;
    char *err = NULL;
    int line = 0;
    assert_int_equal(
        ini_read_mem("x.ini", T("[s]\n\nk = v\n"), 0, refuse_quietly, NULL, &line, &err), -1);
    assert_int_equal(line, 3);
    assert_non_null(strstr(err, "x.ini:3: "));
    free(err);
    /* err may be NULL */
    assert_int_equal(ini_read_mem("x.ini", T("k = v\n"), 0, refuse_quietly, NULL, NULL, NULL), -1);
}

static void test_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/unyo-test-ini-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/f.ini", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("[a]\nk = v\nbroken\n", f);
    fclose(f);
    struct log l = {STRBUF_INIT, 0};
    char *err = NULL;
    int line = 0;
    assert_int_equal(ini_read_file(path, INI_OPT_CLASSIC, log_item, &l, &line, &err), -1);
    char *prefix = xasprintf("%s:3: ", path);
    assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
    assert_int_equal(line, 3);
    free(err);
    err = NULL;
    unlink(path);
    assert_int_equal(ini_read_file(path, INI_OPT_CLASSIC, log_item, &l, &line, &err), -1);
    assert_int_equal(line, 0);
    assert_non_null(strstr(err, path));
    free(err);
    sb_free(&l.sb);
    free(prefix);
    free(path);
    rmdir(dir);
}

/* No process-wide settings: parses with different options at the same time
 * give each their own result. */
struct job {
    unsigned opts;
    const char *want;
    int ok;
};

static void *parse_many(void *arg)
{
    struct job *j = arg;
    static const char text[] = "[a]\nk = v ; c\n  more\n";
    j->ok = 1;
    for (int i = 0; i < 2000 && j->ok; i++) {
        struct log l = {STRBUF_INIT, 0};
        char *err = NULL;
        if (ini_read_mem("t.ini", text, sizeof text - 1, j->opts, log_item, &l, NULL, &err) == 0)
            j->ok = strcmp(l.sb.buf, j->want) == 0;
        else
            j->ok = j->opts == 0 && err && strstr(err, "t.ini:3:");
        free(err);
        sb_free(&l.sb);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct job jobs[2] = {
        {INI_OPT_CLASSIC, "1 [a]\n2 a.k=v\n3 a.k+=more\n", 0},
        {0, NULL, 0},
    };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, parse_many, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_true(jobs[0].ok);
    assert_true(jobs[1].ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_syntax),
        cmocka_unit_test(test_inline_comments),
        cmocka_unit_test(test_continuation),
        cmocka_unit_test(test_long_lines_load_whole),
        cmocka_unit_test(test_line_ends_and_bom),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_handler_without_message),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
