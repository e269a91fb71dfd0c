#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incidents.h"
#include "inquiries.h"
#include "problems.h"
#include "reports.h"
#include "search.h"
#include "sla.h"
#include "store.h"
#include "sync.h"
#include "timefmt.h"
#include "util.h"

#include "support/ledger_fixture.h"

static int hits(struct ledger_fx *f, const char *q, int scope, char kind, const char *ref,
                int *partial)
{
    struct search_hit *h;
    size_t n;
    char *err = NULL;
    if (search_run(f->st, q, scope, 50, &h, &n, partial, &err) != 0)
        fail_msg("%s", err);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (h[i].kind == kind && (!ref || (h[i].ref && strcmp(h[i].ref, ref) == 0)))
            found++;
    search_hits_free(h, n);
    return found;
}

static void test_japanese_search(void **state)
{
    struct ledger_fx *f = *state;
    char a[24], b[24];
    fx_incident(f, "OPAC端末が起動しない", "開館前の電源投入後、ログイン画面が表示されない。", a);
    fx_incident(f, "貸出処理で応答が遅い", "10時頃から貸出・返却の処理に30秒以上かかる。", b);
    int partial = -1;
    char *err = NULL;
    /* 3+ characters: the trigram index. */
    assert_int_equal(hits(f, "起動しない", SEARCH_ALL, 'i', a, &partial), 1);
    assert_int_equal(partial, 0);
    assert_int_equal(hits(f, "起動しない", SEARCH_ALL, 'i', b, &partial), 0);
    assert_int_equal(hits(f, "opac端末", SEARCH_ALL, 'i', a, &partial), 1); /* ASCII case */
    assert_int_equal(hits(f, "ログイン画面", SEARCH_ALL, 'i', a, &partial), 1);
    assert_int_equal(hits(f, "貸出処理 30秒", SEARCH_ALL, 'i', b, &partial), 1);
    assert_int_equal(hits(f, "貸出処理 起動しない", SEARCH_ALL, 'i', NULL, &partial), 0);
    /* 「起動」 is two characters: no trigram; the recent rows are scanned instead. */
    assert_int_equal(hits(f, "起動", SEARCH_ALL, 'i', a, &partial), 1);
    assert_int_equal(partial, 1);
    assert_int_equal(hits(f, "起動", SEARCH_ALL, 'i', b, &partial), 0);
    /* Event notes find their incident, once. */
    fx_step(f, b, "isolated", "APサーバを再起動して様子を見る");
    fx_step(f, b, "note", "再起動後も遅延あり");
    assert_int_equal(hits(f, "再起動", SEARCH_ALL, 'i', b, &partial), 1);
    assert_int_equal(hits(f, "再起動", SEARCH_ALL, 'i', NULL, &partial), 1);
    /* Quotes and FTS syntax in the text are taken literally. */
    assert_int_equal(hits(f, "\"OR\" NEAR(", SEARCH_ALL, 'i', NULL, &partial), 0);
    struct search_hit *h;
    size_t n;
    assert_int_equal(search_run(f->st, "   ", SEARCH_ALL, 10, &h, &n, NULL, &err), -1);
    free(err);
    /* An edited title is re-indexed (update trigger). */
    struct incident_new d = {.library = "CEN",
                             .channel = "mail",
                             .title = "蔵書検索でタイムアウト",
                             .impact = 3,
                             .urgency = 3,
                             .draft = 1};
    char dref[24];
    assert_int_equal(incident_create(f->st, f->sla, &d, NULL, dref, &err), 0);
    d.title = "Web OPACの蔵書検索が遅い";
    assert_int_equal(incident_update_draft(f->st, f->sla, dref, &d, &err), 0);
    assert_int_equal(hits(f, "タイムアウト", SEARCH_ALL, 'i', dref, &partial), 0);
    assert_int_equal(hits(f, "蔵書検索が遅い", SEARCH_ALL, 'i', dref, &partial), 1);
    assert_int_equal(
        store_exec(f->st, "INSERT INTO search_fts(search_fts) VALUES('integrity-check')", &err), 0);
    /* Incident list with --search. */
    struct incident_filter flt = {.search = "起動しない"};
    struct incident *rows;
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, NULL, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, a);
    incident_list_free(rows, n);
}

static void test_inquiries_and_knowledge_indexed(void **state)
{
    struct ledger_fx *f = *state;
    struct inquiry_new in = {.library = "NIS",
                             .channel = "phone",
                             .title = "督促はがきの出力方法",
                             .question = "督促はがきを再出力する手順を知りたい。"};
    char ref[24], *err = NULL;
    assert_int_equal(inquiry_create(f->st, &in, NULL, ref, &err), 0);
    int partial;
    assert_int_equal(hits(f, "再出力", SEARCH_INQUIRIES, 'q', ref, &partial), 1);
    assert_int_equal(hits(f, "再出力", SEARCH_INCIDENTS, 'q', NULL, &partial), 0);
    /* The answer is indexed when it is recorded (update trigger). */
    fx_as(f->st, "yamada");
    assert_int_equal(inquiry_draft(f->st, ref, "帳票メニューから再出力できます。", &err), 0);
    fx_as(f->st, "sato");
    assert_int_equal(inquiry_review(f->st, ref, 1, NULL, NULL, &err), 0);
    assert_int_equal(inquiry_answer(f->st, ref, NULL, &err), 0);
    assert_int_equal(hits(f, "帳票メニュー", SEARCH_INQUIRIES, 'q', ref, &partial), 1);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM search_fts_map WHERE kind = 'q'"), 1);
}

static void test_suspend_and_rebuild(void **state)
{
    struct ledger_fx *f = *state;
    char a[24], b[24];
    fx_incident(f, "OPAC端末が起動しない", NULL, a);
    char *err = NULL;
    assert_int_equal(search_suspend(f->st, &err), 0);
    assert_int_equal(search_suspended(f->st), 1);
    assert_int_equal(search_suspend(f->st, &err), 0); /* idempotent */
    /* Rows written while suspended (a bulk load) are not indexed yet, but a
     * search scans the rows meanwhile... */
    fx_incident(f, "ICタグリーダーが反応しない", NULL, b);
    int partial;
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH "
                                     "'\"タグリーダー\"'"),
                     0);
    assert_int_equal(hits(f, "タグリーダー", SEARCH_ALL, 'i', b, &partial), 1);
    /* ...and are indexed after resume. */
    assert_int_equal(search_resume(f->st, &err), 0);
    assert_int_equal(search_suspended(f->st), 0);
    assert_int_equal(hits(f, "タグリーダー", SEARCH_ALL, 'i', b, &partial), 1);
    assert_int_equal(hits(f, "起動しない", SEARCH_ALL, 'i', a, &partial), 1);
    /* Triggers are back. */
    char c[24];
    fx_incident(f, "Web OPACにログインできない", NULL, c);
    assert_int_equal(hits(f, "ログインでき", SEARCH_ALL, 'i', c, &partial), 1);
    assert_int_equal(search_rebuild(f->st, &err), 0);
    assert_int_equal(hits(f, "ログインでき", SEARCH_ALL, 'i', c, &partial), 1);
    assert_int_equal(
        store_exec(f->st, "INSERT INTO search_fts(search_fts) VALUES('integrity-check')", &err), 0);
}

/* While the index is suspended (after a large sync pull, until it is rebuilt in
 * the background) a search scans every row: it finds what the index does not
 * hold yet, event notes included, short words too, and is complete. */
static void test_search_while_suspended(void **state)
{
    struct ledger_fx *f = *state;
    char a[24], b[24];
    char *err = NULL;
    fx_incident(f, "OPAC端末が起動しない", NULL, a);
    assert_int_equal(search_suspend(f->st, &err), 0);
    fx_incident(f, "ICタグリーダーが反応しない", "2階カウンターの1台", b);
    fx_step(f, b, "note", "ケーブル交換で復旧");
    int partial = -1;
    assert_int_equal(hits(f, "タグリーダー", SEARCH_ALL, 'i', b, &partial), 1);
    assert_int_equal(partial, 0);
    assert_int_equal(hits(f, "起動しない", SEARCH_ALL, 'i', a, &partial), 1);
    assert_int_equal(hits(f, "icタグ カウンター", SEARCH_ALL, 'i', b, &partial), 1);
    assert_int_equal(hits(f, "ケーブル交換", SEARCH_ALL, 'i', b, &partial), 1);    /* a note */
    assert_int_equal(hits(f, "ケーブル交換", SEARCH_ALL, 'i', NULL, &partial), 1); /* once */
    assert_int_equal(hits(f, "起動しない 反応", SEARCH_ALL, 'i', NULL, &partial), 0);
    /* A short word: every row too, not the recent ones only. */
    assert_int_equal(hits(f, "反応", SEARCH_ALL, 'i', b, &partial), 1);
    assert_int_equal(partial, 0);
    struct incident_filter flt = {.search = "ケーブル"};
    struct incident *rows;
    size_t n;
    partial = -1;
    assert_int_equal(incident_list(f->st, f->sla, &flt, time_now_ms(), &rows, &n, &partial, &err),
                     0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].ref, b);
    assert_int_equal(partial, 0);
    incident_list_free(rows, n);
    /* A pull left it due: sync_index_build rebuilds it, and only then. */
    assert_int_equal(sync_index_state(f->st), SYNC_INDEX_OK);
    assert_int_equal(store_exec(f->st,
                                "INSERT INTO local_sync_meta(key, value) VALUES"
                                "('search_suspended', 'pulling')",
                                &err),
                     0);
    assert_int_equal(sync_index_state(f->st), SYNC_INDEX_PULLING);
    assert_int_equal(sync_index_build(f->st, &err), 0); /* not under a pull */
    assert_int_equal(search_suspended(f->st), 1);
    assert_int_equal(
        store_exec(f->st, "UPDATE local_sync_meta SET value = '1' WHERE key = 'search_suspended'",
                   &err),
        0);
    assert_int_equal(sync_index_state(f->st), SYNC_INDEX_DUE);
    assert_int_equal(sync_index_build(f->st, &err), 0);
    assert_int_equal(search_suspended(f->st), 0);
    assert_int_equal(sync_index_state(f->st), SYNC_INDEX_OK);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH "
                                     "'\"ケーブル交換\"'"),
                     1);
    assert_int_equal(hits(f, "タグリーダー", SEARCH_ALL, 'i', b, &partial), 1);
    assert_int_equal(hits(f, "反応", SEARCH_ALL, 'i', b, &partial), 1);
    assert_int_equal(partial, 1); /* the index is back: short words as before */
    assert_int_equal(
        store_exec(f->st, "INSERT INTO search_fts(search_fts) VALUES('integrity-check')", &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_japanese_search, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_inquiries_and_knowledge_indexed, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_suspend_and_rebuild, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_search_while_suspended, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
