#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "transcript.h"
#include "util.h"

static struct redact_rules *shipped(void)
{
    struct redact_rules *rs = NULL;
    char *err = NULL;
    char *path = xasprintf("%s/redact.ini", UNYO_TEST_DATADIR);
    if (redact_rules_load(path, &rs, &err) != 0)
        fail_msg("%s", err);
    free(path);
    assert_true(redact_rules_count(rs) >= 8);
    return rs;
}

static const char sample[] =
    "$ cat app.env\r\n"
    "DB_PASSWORD=s3cr3t-Value1 user=app\r\n"
    "curl -H 'Authorization: Bearer abcdef0123456789'\r\n"
    "aws AKIAIOSFODNN7EXAMPLE ok\r\n"
    "-----BEGIN OPENSSH PRIVATE KEY-----\r\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\r\n"
    "QyNTUxOQAAACBVqzbQ0rW3\r\n"
    "-----END OPENSSH PRIVATE KEY-----\r\n"
    "token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB end\r\n"
    "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpMeJf36 z\r\n"
    "Password: \r\nLast login: today\r\n";

static void check_clean(const char *out)
{
    const char *secrets[] = {"s3cr3t",
                             "abcdef0123456789",
                             "AKIAIOSFODNN7EXAMPLE",
                             "b3BlbnNzaC1",
                             "QyNTUxOQ",
                             "ghp_0123",
                             "eyJhbGci",
                             NULL};
    for (int i = 0; secrets[i]; i++)
        if (strstr(out, secrets[i]))
            fail_msg("%s left in:\n%s", secrets[i], out);
    const char *marks[] = {
        "DB_PASSWORD=[redacted:password] user=app", "Authorization: [redacted:authorization]",
        "aws [redacted:aws-access-key] ok",         "\r\n[redacted:private-key]\r\ntoken",
        "token [redacted:github-token] end",        "jwt [redacted:jwt] z",
        "Password: \r\nLast login: today\r\n",      NULL};
    for (int i = 0; marks[i]; i++)
        if (!strstr(out, marks[i]))
            fail_msg("no \"%s\" in:\n%s", marks[i], out);
}

static void test_whole(void **state)
{
    (void)state;
    struct redact_rules *rs = shipped();
    char *out = redact_text(rs, sample, strlen(sample), NULL);
    check_clean(out);
    free(out);
    redact_rules_free(rs);
}

/* Every secret cut at every place, and byte by byte: still caught. */
static void test_split(void **state)
{
    (void)state;
    struct redact_rules *rs = shipped();
    size_t n = strlen(sample);
    for (size_t cut = 1; cut < n; cut += 3) {
        struct redactor *r = redactor_new(rs);
        struct strbuf out = STRBUF_INIT;
        redactor_feed(r, sample, cut, &out);
        redactor_feed(r, sample + cut, n - cut, &out);
        redactor_flush(r, &out);
        check_clean(out.buf);
        sb_free(&out);
        redactor_free(r);
    }
    struct redactor *r = redactor_new(rs);
    struct strbuf out = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        redactor_feed(r, sample + i, 1, &out);
    redactor_flush(r, &out);
    check_clean(out.buf);
    char *sum = redactor_summary(r);
    assert_string_equal(sum, "password:1,authorization:1,private-key:1,aws-access-key:1,"
                             "github-token:1,jwt:1");
    free(sum);
    sb_free(&out);
    redactor_free(r);
    redact_rules_free(rs);
}

/* A held partial match never grows past the bound: it is redacted as far as it
 * goes instead. */
static void test_bound(void **state)
{
    (void)state;
    struct redact_rules *rs = shipped();
    struct redactor *r = redactor_new(rs);
    struct strbuf out = STRBUF_INIT;
    redactor_feed(r, "-----BEGIN RSA PRIVATE KEY-----\n", 32, &out);
    char line[65];
    memset(line, 'A', 64);
    line[64] = '\n';
    for (int i = 0; i < 400; i++)
        redactor_feed(r, line, 65, &out);
    /* Redacted from its BEGIN line on, not held for ever. */
    assert_true(strncmp(out.buf, "[redacted:private-key]", 22) == 0);
    assert_true(out.len > 22);
    redactor_flush(r, &out);
    sb_free(&out);
    redactor_free(r);
    redact_rules_free(rs);
}

/* Through a transcript: nothing of the secret in the asciicast, the rule named at
 * the session's end. */
static void test_transcript(void **state)
{
    (void)state;
    struct redact_rules *rs = shipped();
    struct transcript *tr = transcript_new(80, 24, 0, "t", 0);
    transcript_set_redact(tr, rs);
    transcript_output(tr, 100, "export PASSWORD=hun", 19);
    transcript_output(tr, 200, "ter2\r\n$ ", 8);
    transcript_finish(tr);
    const char *txt = transcript_text(tr, NULL);
    assert_null(strstr(txt, "hun"));
    assert_non_null(strstr(txt, "PASSWORD=[redacted:password]\\r\\n$ "));
    char *sum = transcript_redactions(tr);
    assert_string_equal(sum, "password:1");
    free(sum);
    transcript_free(tr);
    redact_rules_free(rs);
}

static void refused(const char *text, const char *want)
{
    struct redact_rules *rs = (void *)1;
    char *err = NULL;
    assert_int_equal(redact_rules_parse("r.ini", text, strlen(text), &rs, &err), -1);
    assert_null(rs);
    if (!strstr(err, want))
        fail_msg("\"%s\" has no \"%s\"", err, want);
    free(err);
}

static void test_bad_rules(void **state)
{
    (void)state;
    refused("[a]\npattern = ok\n[b]\npattern = (unclosed\n", "r.ini:4: rule [b]: the pattern "
                                                             "does not compile");
    refused("[a]\npattern = x?\n", "r.ini:2: rule [a]: the pattern can match empty text");
    refused("[a b]\npattern = x\n", "r.ini:1:");
    refused("[a]\npattern = x\n[a]\npattern = y\n", "r.ini:3: rule [a] is defined twice");
    refused("[a]\nmatch = x\n", "r.ini:2: rule [a]: unknown key match");
    refused("[a]\n", "r.ini:1: rule [a] has no pattern");
    refused("pattern = x\n", "r.ini:1:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole),     cmocka_unit_test(test_split),
        cmocka_unit_test(test_bound),     cmocka_unit_test(test_transcript),
        cmocka_unit_test(test_bad_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
