/* Keys as data: key names, [keys] in config.ini (FILE:LINE errors, nothing
 * half-applied), lookup order (pane, list, global), data/keys.ini in step with
 * the built-in table, the theme file, the PCRE2 filter (smart case, errors with
 * character offsets) and `:` completion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "screens.h"
#include "ui.h"
#include "ui_console.h"
#include "ui_filter.h"
#include "textwidth.h"
#include "ui_keymap.h"
#include "util.h"

static char *write_tmp(const char *text)
{
    char *path = xstrdup("/tmp/unyo-keymap-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_key_names(void **state)
{
    (void)state;
    assert_int_equal(keymap_parse_key("q"), 'q');
    assert_int_equal(keymap_parse_key("C-d"), 4);
    assert_int_equal(keymap_parse_key("Tab"), 9);
    assert_int_equal(keymap_parse_key("S-Tab"), UI_KEY_FN | KEY_BTAB);
    assert_int_equal(keymap_parse_key("PgDn"), UI_KEY_FN | KEY_NPAGE);
    assert_int_equal(keymap_parse_key("F1"), UI_KEY_FN | KEY_F(1));
    assert_int_equal(keymap_parse_key("Enter"), UI_KEY_ENTER);
    assert_int_equal(keymap_parse_key("あ"), 0x3042);
    assert_int_equal(keymap_parse_key(""), -1);
    assert_int_equal(keymap_parse_key("qq"), -1);
    assert_int_equal(keymap_parse_key("F13"), -1);
    assert_int_equal(keymap_parse_key("Hyper-x"), -1);
    char buf[32];
    const char *names[] = {"q", "C-d", "Tab", "S-Tab", "PgDn", "F12", "Enter", "あ", "Space"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        assert_string_equal(keymap_key_name(keymap_parse_key(names[i]), buf, sizeof buf), names[i]);
    assert_int_equal(keymap_normalize(13), UI_KEY_ENTER);
    assert_int_equal(keymap_normalize(127), UI_KEY_BACKSPACE);
}

static void test_lookup_order(void **state)
{
    (void)state;
    keymap_init();
    assert_string_equal(keymap_lookup(NULL, 'q'), "quit");
    assert_string_equal(keymap_lookup(&checklist_pane, 'o'), "checklist.ok");
    assert_string_equal(keymap_lookup(&checklist_pane, 'j'), "down");
    assert_string_equal(keymap_lookup(&incidents_pane, UI_KEY_FN | KEY_DOWN), "down");
    assert_string_equal(keymap_lookup(&incidents_pane, 'o'), "incidents.reopen");
    /* s is skip in the checklist, and nothing elsewhere */
    assert_string_equal(keymap_lookup(&checklist_pane, 's'), "checklist.skip");
    assert_null(keymap_lookup(&handover_pane, 's'));
    assert_string_equal(keymap_lookup(&handover_pane, 'S'), "handover.sign");
}

static void test_config_override(void **state)
{
    (void)state;
    keymap_init();
    char *p = write_tmp("[sync]\nurl = x\n[keys]\nquit = Q\ndown = j Down C-n\n");
    char *err = NULL;
    assert_int_equal(keymap_load_file(p, &err), 0);
    assert_null(err);
    assert_string_equal(keymap_lookup(NULL, 'Q'), "quit");
    assert_null(keymap_lookup(NULL, 'q'));
    assert_string_equal(keymap_lookup(&incidents_pane, UI_KEY_CTRL('n')), "down");
    char keys[64];
    assert_string_equal(keymap_keys_of("down", keys, sizeof keys), "j Down C-n");
    unlink(p);
    free(p);
}

static void test_config_errors(void **state)
{
    (void)state;
    keymap_init();
    /* line 3 is bad: line 2 must not be applied either */
    char *p = write_tmp("[keys]\nquit = Q\nhelp = Hyper-x\n");
    char *err = NULL;
    assert_int_equal(keymap_load_file(p, &err), -1);
    assert_non_null(err);
    char *want = xasprintf("%s:3: ", p);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    assert_non_null(strstr(err, "Hyper-x"));
    assert_string_equal(keymap_lookup(NULL, 'q'), "quit");
    assert_null(keymap_lookup(NULL, 'Q'));
    free(want);
    free(err);
    unlink(p);
    free(p);

    p = write_tmp("[keys]\n\nno-such = x\n");
    err = NULL;
    assert_int_equal(keymap_load_file(p, &err), -1);
    want = xasprintf("%s:3: ", p);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    assert_non_null(strstr(err, "no-such"));
    free(want);
    free(err);
    unlink(p);
    free(p);

    p = write_tmp("[keys]\nthis is not ini\n");
    err = NULL;
    assert_int_equal(keymap_load_file(p, &err), -1);
    want = xasprintf("%s:2: ", p);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    free(want);
    free(err);
    unlink(p);
    free(p);

    /* a line longer than libinih's 200 bytes is one line: the error after it
     * is on line 3, and the long line's keys are read whole */
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "[keys]\nquit = Q ; ");
    while (sb.len < 400)
        sb_puts(&sb, "quit the console, asking first when a form has unsaved input; ");
    sb_puts(&sb, "\nno-such = x\n");
    p = write_tmp(sb.buf);
    err = NULL;
    assert_int_equal(keymap_load_file(p, &err), -1);
    want = xasprintf("%s:3: ", p);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    assert_non_null(strstr(err, "no-such"));
    free(want);
    free(err);
    unlink(p);
    free(p);
    sb_free(&sb);

    /* a missing file is no error */
    err = NULL;
    assert_int_equal(keymap_load_file("/nonexistent/config.ini", &err), 0);
    assert_null(err);
}

/* data/keys.ini is the built-in table as data: regenerate and compare (like
 * tig's `make update-docs && git diff --exit-code`). */
static void test_keys_ini_in_step(void **state)
{
    (void)state;
    keymap_init();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    keymap_print_ini(f);
    fclose(f);
    char *path = xasprintf("%s/keys.ini", UNYO_TEST_DATADIR);
    char *err = NULL;
    size_t flen;
    char *file = read_file(path, &flen, &err);
    assert_non_null(file);
    if (strcmp(file, buf) != 0)
        fail_msg("data/keys.ini is stale: regenerate it with `unyo --keys-ini > data/keys.ini`");
    /* and loading it changes nothing */
    assert_int_equal(keymap_load_file(path, &err), 0);
    assert_string_equal(keymap_lookup(&checklist_pane, '['), "checklist.prev-day");
    free(file);
    free(path);
    free(buf);
}

static void test_filter(void **state)
{
    (void)state;
    char *err = NULL;
    pcre2_code *re = ui_filter_compile("opac", &err);
    assert_non_null(re);
    assert_true(
        ui_filter_match(re, "Web OPACにログインできない", strlen("Web OPACにログインできない")));
    ui_filter_free(re);
    re = ui_filter_compile("Opac", &err); /* an upper-case letter: case matters */
    assert_false(ui_filter_match(re, "Web OPAC", 8));
    assert_true(ui_filter_match(re, "Opac", 4));
    ui_filter_free(re);
    re = ui_filter_compile("\\d+件", &err); /* \d is not an upper-case letter */
    assert_true(ui_filter_match(re, "督促 12件", strlen("督促 12件")));
    ui_filter_free(re);
    re = ui_filter_compile("起動|印刷", &err);
    assert_true(ui_filter_match(re, "プリンタが印刷できない", strlen("プリンタが印刷できない")));
    ui_filter_free(re);
    /* offsets count characters, not bytes */
    assert_null(ui_filter_compile("(起動", &err));
    assert_non_null(strstr(err, "offset 3"));
    assert_non_null(strstr(err, "missing closing parenthesis"));
    free(err);
    err = NULL;
    assert_null(ui_filter_compile("障害[", &err));
    assert_non_null(strstr(err, "offset 3"));
    free(err);
}

static void test_completion(void **state)
{
    (void)state;
    char *c = console_complete("qu", NULL);
    assert_string_equal(c, "quit ");
    free(c);
    c = console_complete("so", NULL);
    assert_string_equal(c, "sort ");
    free(c);
    c = console_complete("sh", NULL);
    assert_string_equal(c, "shift ");
    free(c);
    c = console_complete("s", NULL); /* setup, shift, sort */
    assert_string_equal(c, "s");
    free(c);
    c = console_complete("se", NULL);
    assert_string_equal(c, "setup ");
    free(c);
    c = console_complete("l", NULL); /* library, log */
    assert_string_equal(c, "l");
    free(c);
    c = console_complete("lo", NULL);
    assert_string_equal(c, "log ");
    free(c);
    c = console_complete("li", NULL);
    assert_string_equal(c, "library ");
    free(c);
    c = console_complete("re", NULL);
    assert_string_equal(c, "refresh ");
    free(c);
    c = console_complete("co", NULL);
    assert_string_equal(c, "conflicts ");
    free(c);
    assert_null(console_complete("zz", NULL));
    assert_null(console_complete("sort x", NULL));
}

static void test_theme_file(void **state)
{
    (void)state;
    FILE *o = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    setenv("UNYO_DATADIR", UNYO_TEST_DATADIR, 1);
    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
    for (int pass = 0; pass < 3; pass++) {
        const char *term = pass == 0 ? "xterm-256color" : pass == 1 ? "xterm" : "vt100";
        SCREEN *s = newterm(term, o, in);
        assert_non_null(s);
        set_term(s);
        char *err = NULL;
        assert_int_equal(ui_theme_init(&err), 0);
        assert_null(err);
        assert_true(ui_style_attr(STYLE_ROW_SELECTED) != A_NORMAL);
        assert_int_equal(ui_style_by_name("status.ng"), STYLE_STATUS_NG);
        endwin();
        delscreen(s);
    }
    /* NO_COLOR: attributes only */
    setenv("NO_COLOR", "1", 1);
    SCREEN *s = newterm("xterm-256color", o, in);
    set_term(s);
    char *err = NULL;
    assert_int_equal(ui_theme_init(&err), 0);
    assert_int_equal(ui_style_attr(STYLE_STATUS_NG) & A_COLOR, 0);
    assert_true(ui_style_attr(STYLE_STATUS_NG) & A_BOLD);
    endwin();
    delscreen(s);
    unsetenv("NO_COLOR");
    fclose(o);
    fclose(in);
}

/* Random input to the parsers: every outcome is a clean load or an error that
 * names FILE:LINE; nothing crashes (run under ASan by make test-asan). */
static void test_fuzz_parsers(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "[keys]\n", "[",    "]",   "quit", " = ",  "=",  "Q", "C-",   "\n",     ";",
        "#",        "help", "F99", "あ",   "\xff", "\t", " ", "down", "j Down", "checklist.ok"};
    uint32_t seed = 12345;
    for (int round = 0; round < 500; round++) {
        struct strbuf sb = STRBUF_INIT;
        int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 30;
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            sb_puts(&sb, pieces[(seed >> 16) % ARRAY_LEN(pieces)]);
        }
        char *p = write_tmp(sb.buf ? sb.buf : "");
        keymap_init();
        char *err = NULL;
        if (keymap_load_file(p, &err) != 0) {
            assert_non_null(err);
            assert_true(strncmp(err, p, strlen(p)) == 0 && err[strlen(p)] == ':');
            /* nothing applied */
            assert_string_equal(keymap_lookup(NULL, 'q'), "quit");
        }
        free(err);
        unlink(p);
        free(p);
        /* the same bytes as a filter pattern */
        err = NULL;
        pcre2_code *re = ui_filter_compile(sb.buf ? sb.buf : "", &err);
        if (re) {
            ui_filter_match(re, "テスト test", strlen("テスト test"));
            ui_filter_free(re);
        } else {
            assert_non_null(strstr(err, "offset"));
        }
        free(err);
        sb_free(&sb);
    }
    keymap_init();
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    size_t npanes;
    const struct pane_ops *const *panes = screens_panes(&npanes);
    ui_set_panes(panes, npanes); /* as src/main.c does */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_names),        cmocka_unit_test(test_lookup_order),
        cmocka_unit_test(test_config_override),  cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_keys_ini_in_step), cmocka_unit_test(test_filter),
        cmocka_unit_test(test_completion),       cmocka_unit_test(test_theme_file),
        cmocka_unit_test(test_fuzz_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
