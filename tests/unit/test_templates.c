/* Work-item templates: the shipped catalogue covers both seed documents, and the
 * loader refuses broken files with file:line, loading nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "templates.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

/* Every 作業項目 of seed 000 (運用保守作業一覧), in document order. */
static const char *const package_rows[] = {
    /* ◆基本内容 */
    "システム変更・終了時の告知",
    "システム稼働時間",
    "サービス終了時の処置",
    "パッケージの強化",
    "ファシリティの提供",
    "ＩＴリソースの提供",
    "構成管理",
    "ネットワークの提供",
    /* ◆運用サービス */
    "運用スケジュール管理",
    "運用評価・管理",
    "定例会実施",
    "構成管理",
    "システム起動管理",
    "ジョブ管理",
    "バックアップ管理",
    "ログ管理",
    "その他",
    "業務ＱＡ対応",
    "インシデント管理",
    "ナレッジ管理",
    "データ連携",
    "年度更新",
    "障害切り分け",
    "障害対応",
    "稼動監視",
    "性能監視",
    "常駐プロセス監視",
    "ログ監視",
    "キャパシティ監視",
    "セキュリティ監視",
    "ID 管理",
    "セキュリティホール対策",
    "時刻同期",
    "管理者認証",
    "ウィルス対策管理",
    "ネットワークの管理",
    "通信管理",
    "データ損傷時等の対応",
    "災害時の対応",
    /* ◆保守サービス */
    "保守スケジュール管理",
    "保守評価・管理",
    "報告",
    "ドキュメントの管理",
    "マスタ管理",
    "アプリケーション保守",
    "ソフトウェア保守",
    "ハードウェア保守（ネットワーク機器も含む）",
    "定期保守",
    /* ◆サービスレベル管理 */
    "設定",
    "測定",
    "分析・評価",
};

/* Seed 000's section of each row above. */
static const char *package_section(size_t i)
{
    if (i < 8)
        return "基本内容";
    if (i < 39)
        return "運用サービス";
    if (i < 48)
        return "保守サービス";
    return "サービスレベル管理";
}

static void assert_item_complete(const struct template_item *it)
{
    assert_non_null(it->code);
    assert_true(it->name_ja && it->name_ja[0]);
    assert_true(it->name_en && it->name_en[0]);
    assert_true(it->pane && it->pane[0]);
    assert_true(templates_pane_valid(it->pane));
    assert_true(it->period_text && it->period_text[0]);
    assert_non_null(it->summary_ja);
    assert_true(it->summary_en && it->summary_en[0]);
    assert_true(it->duty_engineer && it->duty_engineer[0]);
    assert_true(it->duty_operator && it->duty_operator[0]);
    int ok;
    unsigned bits = templates_parse_period(it->period_text, &ok);
    assert_true(ok);
    assert_int_equal(bits, it->periods);
    /* A calendar needs a day for everything periodic it shows. */
    if (streq(it->pane, "jobs") || streq(it->pane, "checklist") || streq(it->pane, "reports")) {
        if (it->periods & PERIOD_WEEKLY)
            assert_true(it->weekday >= 0 && it->weekday <= 6);
        if (it->periods & (PERIOD_MONTHLY | PERIOD_QUARTERLY | PERIOD_HALF_YEARLY | PERIOD_YEARLY))
            assert_true(it->monthday >= 1 && it->monthday <= TEMPLATES_MONTHDAY_LAST);
        if ((it->periods & (PERIOD_QUARTERLY | PERIOD_HALF_YEARLY | PERIOD_YEARLY)) &&
            !(it->periods & PERIOD_MONTHLY))
            assert_true(it->months != 0);
    }
}

static void test_library_has_items_1_to_101(void **state)
{
    (void)state;
    struct template_set set = {NULL, 0};
    char *err = NULL;
    int rc = templates_load_builtin(UNYO_TEST_DATADIR, "library", &set, &err);
    if (rc != 0)
        fail_msg("%s", err);
    assert_int_equal(set.count, 102); /* 101 items plus L032H */

    int seen[102] = {0};
    for (size_t i = 0; i < set.count; i++) {
        const struct template_item *it = &set.items[i];
        assert_string_equal(it->source, "002");
        assert_in_range(it->item_no, 1, 101);
        seen[it->item_no]++;
        assert_item_complete(it);
    }
    for (int n = 1; n <= 101; n++) {
        char code[8];
        snprintf(code, sizeof code, "L%03d", n);
        const struct template_item *it = templates_find(&set, code);
        if (!it)
            fail_msg("item %d (%s) missing", n, code);
        assert_int_equal(it->item_no, n);
        assert_int_equal(seen[n], n == 32 ? 2 : 1);
    }

    /* The purpose rows are the ones without a period. */
    static const int purpose[] = {1, 3, 5, 7, 9, 12, 17};
    size_t np = 0;
    for (size_t i = 0; i < set.count; i++)
        if (set.items[i].periods == PERIOD_NONE)
            np++;
    assert_int_equal(np, ARRAY_LEN(purpose));
    for (size_t i = 0; i < ARRAY_LEN(purpose); i++) {
        char code[8];
        snprintf(code, sizeof code, "L%03d", purpose[i]);
        assert_int_equal(templates_find(&set, code)->periods, PERIOD_NONE);
    }

    static const char *const per_host[] = {"L025", "L026", "L028", "L029", "L033"};
    for (size_t i = 0; i < ARRAY_LEN(per_host); i++)
        assert_true(templates_find(&set, per_host[i])->per_host);
    assert_false(templates_find(&set, "L034")->per_host);

    const struct template_item *t = templates_find(&set, "L032");
    const struct template_item *h = templates_find(&set, "L032H");
    assert_non_null(t);
    assert_non_null(h);
    assert_string_equal(t->value_unit, "°C");
    assert_true(t->has_range);
    assert_true(t->value_min == 18 && t->value_max == 27);
    assert_string_equal(h->value_unit, "%");
    assert_true(h->value_min == 40 && h->value_max == 60);
    assert_null(templates_find(&set, "L025")->value_unit);

    /* Combined periods and scheduling as written. */
    assert_int_equal(templates_find(&set, "L018")->periods, PERIOD_MONTHLY | PERIOD_AS_NEEDED);
    assert_int_equal(templates_find(&set, "L049")->periods, PERIOD_AS_NEEDED | PERIOD_WEEKLY);
    assert_int_equal(templates_find(&set, "L093")->periods, PERIOD_MONTHLY | PERIOD_YEARLY);
    assert_int_equal(templates_find(&set, "L067")->periods, PERIOD_STOCKTAKING);
    const struct template_item *q = templates_find(&set, "L069");
    assert_string_equal(q->period_text, "3か月に1回程度");
    assert_int_equal(q->months, (1u << 0) | (1u << 3) | (1u << 6) | (1u << 9));
    assert_int_equal(templates_find(&set, "L013")->months, (1u << 3) | (1u << 9));
    assert_int_equal(templates_find(&set, "L084")->monthday, TEMPLATES_MONTHDAY_LAST);
    assert_string_equal(templates_find(&set, "L086")->name_ja, "国会図書館データ作成（協同DB）");
    assert_string_equal(templates_find(&set, "L063")->name_ja, "WSUS適用管理");
    assert_string_equal(templates_find(&set, "L028")->name_ja,
                        "パターンファイル／シグネチャ更新確認");
    assert_string_equal(templates_find(&set, "L021")->category3, "QA対応");
    assert_string_equal(templates_find(&set, "L002")->category2, "インシデント管理");
    templates_free(&set);
    free(err);
}

static void test_package_has_every_row(void **state)
{
    (void)state;
    struct template_set set = {NULL, 0};
    char *err = NULL;
    int rc = templates_load_builtin(UNYO_TEST_DATADIR, "package", &set, &err);
    if (rc != 0)
        fail_msg("%s", err);
    assert_int_equal(set.count, ARRAY_LEN(package_rows));
    for (size_t i = 0; i < ARRAY_LEN(package_rows); i++) {
        char code[8];
        snprintf(code, sizeof code, "P%03zu", i + 1);
        const struct template_item *it = templates_find(&set, code);
        if (!it)
            fail_msg("row %zu (%s, %s) missing", i + 1, code, package_rows[i]);
        assert_string_equal(it->name_ja, package_rows[i]);
        assert_string_equal(it->category3, package_rows[i]);
        assert_string_equal(it->category1, package_section(i));
        assert_string_equal(it->source, "000");
        assert_int_equal(it->item_no, (int)i + 1);
        assert_true(it->summary_ja[0]);
        assert_item_complete(it);
    }
    /* Server monitoring rows are done once per server. */
    static const char *const per_host[] = {
        "稼動監視",         "性能監視", "常駐プロセス監視", "ログ監視",
        "キャパシティ監視", "時刻同期", "ウィルス対策管理", "バックアップ管理"};
    for (size_t i = 0; i < ARRAY_LEN(per_host); i++) {
        int found = 0;
        for (size_t j = 0; j < set.count; j++) {
            if (streq(set.items[j].name_ja, per_host[i])) {
                found = 1;
                assert_string_equal(set.items[j].pane, "checklist");
                assert_int_equal(set.items[j].periods, PERIOD_DAILY);
                assert_true(set.items[j].per_host);
            }
        }
        assert_true(found);
    }
    /* キャパシティ監視's bullets continue across a page break in the source. */
    assert_non_null(
        strstr(templates_find(&set, "P029")->summary_ja, "ディスク、データベースの使用状況の監視"));
    assert_non_null(strstr(templates_find(&set, "P046")->summary_ja, "ソフトウェアの予防措置"));
    templates_free(&set);
    free(err);
}

static void test_all_and_duplicate_set(void **state)
{
    (void)state;
    struct template_set set = {NULL, 0};
    char *err = NULL;
    assert_int_equal(templates_load_builtin(UNYO_TEST_DATADIR, "all", &set, &err), 0);
    assert_int_equal(set.count, 102 + ARRAY_LEN(package_rows));
    /* Loading the same file again would duplicate every code. */
    assert_int_equal(templates_load_builtin(UNYO_TEST_DATADIR, "library", &set, &err), -1);
    assert_non_null(strstr(err, "library.ini:"));
    assert_non_null(strstr(err, "[L001]"));
    assert_int_equal(set.count, 102 + ARRAY_LEN(package_rows));
    assert_int_equal(templates_load_builtin(UNYO_TEST_DATADIR, "everything", &set, &err), -1);
    assert_int_equal(templates_load_builtin("/nonexistent", "all", &set, &err), -1);
    assert_int_equal(set.count, 102 + ARRAY_LEN(package_rows));
    templates_free(&set);
    assert_int_equal(set.count, 0);
    assert_null(set.items);
    free(err);
}

static void test_period_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned bits;
    } good[] = {
        {"随時", PERIOD_AS_NEEDED},
        {"日次", PERIOD_DAILY},
        {"週次", PERIOD_WEEKLY},
        {"月次", PERIOD_MONTHLY},
        {"3か月に1回程度", PERIOD_QUARTERLY},
        {"半年に1回", PERIOD_HALF_YEARLY},
        {"年次", PERIOD_YEARLY},
        {"蔵書点検時", PERIOD_STOCKTAKING},
        {"月次／随時", PERIOD_MONTHLY | PERIOD_AS_NEEDED},
        {"月次／年次", PERIOD_MONTHLY | PERIOD_YEARLY},
        {"随時／週次", PERIOD_AS_NEEDED | PERIOD_WEEKLY},
        {"月次 ／ 随時", PERIOD_MONTHLY | PERIOD_AS_NEEDED},
        {"月次/年次", PERIOD_MONTHLY | PERIOD_YEARLY},
        {"日次／週次／月次", PERIOD_DAILY | PERIOD_WEEKLY | PERIOD_MONTHLY},
        {"monthly／as needed", PERIOD_MONTHLY | PERIOD_AS_NEEDED},
        {"－", PERIOD_NONE},
    };
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        int ok = 0;
        unsigned bits = templates_parse_period(good[i].text, &ok);
        if (!ok || bits != good[i].bits)
            fail_msg("period \"%s\": ok=%d bits=%#x, expected %#x", good[i].text, ok, bits,
                     good[i].bits);
    }
    static const char *const bad[] = {"",       "毎日",     "月次／",   "／月次", "月次／／年次",
                                      "月次－", "－／月次", "monthly ", "Monthly"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int ok = 1;
        unsigned bits = templates_parse_period(bad[i], &ok);
        /* "monthly " is trimmed and therefore fine; the rest are not. */
        if (streq(bad[i], "monthly ")) {
            assert_true(ok);
            assert_int_equal(bits, PERIOD_MONTHLY);
            continue;
        }
        if (ok)
            fail_msg("period \"%s\" accepted", bad[i]);
        assert_int_equal(bits, 0);
    }
    assert_int_equal(templates_parse_period(NULL, NULL), 0);

    assert_string_equal(templates_period_name_en(PERIOD_MONTHLY), "monthly");
    assert_string_equal(templates_period_name_en(PERIOD_STOCKTAKING), "at stock-taking");
    assert_string_equal(templates_period_name_en(PERIOD_NONE), "none");
    assert_null(templates_period_name_en(PERIOD_MONTHLY | PERIOD_YEARLY));
    /* Every name given back is read again as the same bit. */
    for (unsigned b = PERIOD_AS_NEEDED; b <= PERIOD_STOCKTAKING; b <<= 1) {
        int ok;
        assert_int_equal(templates_parse_period(templates_period_name_en(b), &ok), b);
        assert_true(ok);
    }
}

/* ---- broken files ---- */

static char tmpdir[64];

static int setup_tmpdir(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/unyo-test-templates-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

static char *write_tmp(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define GOOD_L001                                                                                  \
    "[L001]\n"                                                                                     \
    "source = 002\n"                                                                               \
    "item = 1\n"                                                                                   \
    "name_ja = 定常監視\n"                                                                     \
    "name_en = Server check\n"                                                                     \
    "period = 日次\n"                                                                            \
    "pane = checklist\n"

/* GOOD_L001 is 7 lines; a second section starts on line 8 or 9. */
#define GOOD_L002_HEAD                                                                             \
    "\n[L002]\n"                                                                                   \
    "source = 002\n"                                                                               \
    "item = 2\n"                                                                                   \
    "name_ja = テスト\n"                                                                        \
    "name_en = Test\n"

static const struct broken_case {
    const char *what;
    const char *text;
    int line;
    const char *needle;
} broken[] = {
    {"syntax: no '='", GOOD_L001 "this line has no equals sign\n", 8, "syntax error"},
    {"syntax: continuation line", GOOD_L001 "summary_ja = 一行目\n    二行目\n", 9, "syntax error"},
    {"syntax: unterminated section", GOOD_L001 "\n[L002\nsource = 002\n", 9, "syntax error"},
    {"unknown key", GOOD_L001 "colour = blue\n", 8, "unknown key \"colour\""},
    {"key before any section", "; comment\nsource = 002\n" GOOD_L001, 2, "outside any section"},
    {"missing period", GOOD_L001 GOOD_L002_HEAD "pane = jobs\nsummary_ja = x\n", 9,
     "[L002] has no \"period\""},
    {"missing pane", GOOD_L002_HEAD "period = 随時\n", 2, "\"pane\""},
    {"unknown pane", GOOD_L002_HEAD "period = 随時\npane = calendar\n", 8, "unknown pane"},
    {"bad period", GOOD_L002_HEAD "period = 毎週\npane = jobs\n", 7, "period"},
    {"empty name", GOOD_L001 "\n[L003]\nsource = 002\nitem = 3\nname_ja =\n", 12, "name_ja"},
    {"bad weekday", GOOD_L002_HEAD "period = 週次\npane = jobs\nweekday = funday\n", 9, "weekday"},
    {"weekday without weekly", GOOD_L002_HEAD "period = 月次\npane = jobs\nweekday = mon\n", 9,
     "not weekly"},
    {"bad monthday", GOOD_L002_HEAD "period = 月次\npane = jobs\nmonthday = 32\n", 9, "monthday"},
    {"monthday zero", GOOD_L002_HEAD "period = 月次\npane = jobs\nmonthday = 0\n", 9, "monthday"},
    {"monthday on daily", GOOD_L001 "monthday = 3\n", 8, "monthday"},
    {"bad months", GOOD_L002_HEAD "period = 年次\npane = jobs\nmonths = 4,13\n", 9, "months"},
    {"empty month", GOOD_L002_HEAD "period = 年次\npane = jobs\nmonths = 4,,10\n", 9, "months"},
    {"months on monthly", GOOD_L002_HEAD "period = 月次\npane = jobs\nmonths = 4\n", 9, "months"},
    {"min > max", GOOD_L001 "value_unit = °C\nvalue_min = 27\nvalue_max = 18\n", 10,
     "greater than"},
    {"min without max", GOOD_L001 "value_unit = %\nvalue_min = 40\n", 9, "value_min"},
    {"range without unit", GOOD_L001 "value_min = 1\nvalue_max = 2\n", 9, "value_unit"},
    {"bad number", GOOD_L001 "value_unit = %\nvalue_min = forty\n", 9, "forty"},
    {"bad per_host", GOOD_L001 "per_host = maybe\n", 8, "per_host"},
    {"duplicate key", GOOD_L001 "pane = jobs\n", 8, "twice"},
    {"duplicate section", GOOD_L001 "\n" GOOD_L001, 9, "[L001] is already defined"},
    {"empty section in the middle", GOOD_L001 "\n[L009]\n; nothing\n" GOOD_L002_HEAD, 9,
     "[L009] has no keys"},
    {"empty section at the end", GOOD_L001 "\n[L009]\n", 9, "[L009] has no keys"},
    {"bad section name", "[L 1]\nsource = 002\n", 1, "bad section name"},
    {"not UTF-8", GOOD_L001 "summary_ja = \xff\xfe\n", 8, "UTF-8"},
};

static void check_broken(const char *what, const char *text, int line, const char *needle)
{
    char *path = write_tmp("broken.ini", text);
    struct template_set set = {NULL, 0};
    char *err = NULL;
    int rc = templates_load_file(path, &set, &err);
    if (rc != -1)
        fail_msg("%s: loaded (%zu items)", what, set.count);
    assert_non_null(err);
    char *prefix = xasprintf("%s:%d: ", path, line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("%s: got \"%s\", expected \"%s...%s...\"", what, err, prefix, needle);
    assert_int_equal(set.count, 0);
    assert_null(set.items);
    free(prefix);
    free(err);
    free(path);
}

static void test_broken_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(broken); i++)
        check_broken(broken[i].what, broken[i].text, broken[i].line, broken[i].needle);
    check_broken("bad item", GOOD_L001 "\n[L002]\nsource = 002\nitem = two\n", 11, "two");
    check_broken("negative item", GOOD_L001 "\n[L002]\nsource = 002\nitem = -1\n", 11, "-1");

    /* Line numbers stay right after a line longer than libinih's 200 bytes. */
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, GOOD_L001 "summary_en = ");
    for (int i = 0; i < 5000; i++)
        sb_putc(&sb, 'x');
    sb_puts(&sb, "\ncolour = blue\n");
    check_broken("after a long line", sb.buf, 9, "unknown key \"colour\"");
    sb_free(&sb);

    char *err = NULL;
    struct template_set set = {NULL, 0};
    char *missing = xasprintf("%s/missing.ini", tmpdir);
    assert_int_equal(templates_load_file(missing, &set, &err), -1);
    assert_non_null(strstr(err, "missing.ini"));
    assert_int_equal(set.count, 0);
    free(missing);
    free(err);
}

static void test_long_values_and_bom(void **state)
{
    (void)state;
    /* Summaries are far longer than libinih's 200-byte line: they load whole. */
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "\xef\xbb\xbf; BOM first\n" GOOD_L001 "summary_ja = ");
    for (int i = 0; i < 1000; i++)
        sb_puts(&sb, "あ");
    sb_puts(&sb, " ; not a comment\ncategory3 =\nduty_operator = ①確認する。②記載する。\n");
    char *path = write_tmp("long.ini", sb.buf);
    sb_free(&sb);

    struct template_set set = {NULL, 0};
    char *err = NULL;
    if (templates_load_file(path, &set, &err) != 0)
        fail_msg("%s", err);
    assert_int_equal(set.count, 1);
    const struct template_item *it = &set.items[0];
    assert_int_equal(strlen(it->summary_ja), 3000 + strlen(" ; not a comment"));
    assert_string_equal(it->category3, "");
    assert_string_equal(it->category1, "");
    assert_string_equal(it->duty_operator, "①確認する。②記載する。");
    assert_int_equal(it->weekday, -1);
    assert_int_equal(it->monthday, 0);
    assert_int_equal(it->months, 0);
    assert_false(it->has_range);
    templates_free(&set);
    free(path);
    free(err);
}

static void test_duplicate_code_across_files(void **state)
{
    (void)state;
    char *a = write_tmp("a.ini", GOOD_L001);
    char *b = write_tmp("b.ini", "; b\n" GOOD_L002_HEAD "period = 随時\npane = jobs\n"
                                 "\n" GOOD_L001);
    struct template_set set = {NULL, 0};
    char *err = NULL;
    assert_int_equal(templates_load_file(a, &set, &err), 0);
    assert_int_equal(set.count, 1);
    assert_int_equal(templates_load_file(b, &set, &err), -1);
    char *prefix = xasprintf("%s:11: ", b);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, "[L001]"))
        fail_msg("got \"%s\"", err);
    /* L002 parsed fine before the clash, but nothing of b.ini is kept. */
    assert_int_equal(set.count, 1);
    assert_null(templates_find(&set, "L002"));
    assert_non_null(templates_find(&set, "L001"));

    /* Scheduling keys are read as documented. */
    char *c = write_tmp("c.ini", GOOD_L002_HEAD "period = 3か月に1回程度\npane = jobs\n"
                                                "months = 1, 4,7 ,10\nmonthday = last\n"
                                                "\n[L003]\nsource = 002\nitem = 3\n"
                                                "name_ja = x\nname_en = y\nperiod = 随時／週次\n"
                                                "pane = jobs\nweekday = Sun\nper_host = yes\n");
    assert_int_equal(templates_load_file(c, &set, &err), 0);
    assert_int_equal(set.count, 3);
    const struct template_item *q = templates_find(&set, "L002");
    assert_int_equal(q->months, (1u << 0) | (1u << 3) | (1u << 6) | (1u << 9));
    assert_int_equal(q->monthday, TEMPLATES_MONTHDAY_LAST);
    assert_int_equal(q->periods, PERIOD_QUARTERLY);
    const struct template_item *w = templates_find(&set, "L003");
    assert_int_equal(w->weekday, 0);
    assert_true(w->per_host);
    templates_free(&set);
    free(prefix);
    free(a);
    free(b);
    free(c);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_has_items_1_to_101),
        cmocka_unit_test(test_package_has_every_row),
        cmocka_unit_test(test_all_and_duplicate_set),
        cmocka_unit_test(test_period_parse),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_long_values_and_bom),
        cmocka_unit_test(test_duplicate_code_across_files),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
