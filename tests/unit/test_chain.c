/* Issue 14, "Records no one can rewrite unseen": what unyo writes is chained and
 * verifies clean; a row changed, added or deleted by hand, a link removed, a trigger
 * dropped or altered and a session transcript edited after it ended are each found
 * and named; the export's verify.py is the one in data/audit/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chain.h"
#include "store.h"
#include "support/ledger_fixture.h"
#include "timefmt.h"
#include "transcript.h"
#include "util.h"

static void exec(struct store *st, const char *sql)
{
    char *e = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &e) != SQLITE_OK)
        fail_msg("%s: %s", sql, e);
}

/* The fixture writes its host by hand in SQLite (tests/unit/support): verify rightly
 * says so; that one finding is the fixture's, not the test's. */
#define FIXTURE_HOST "hosts row 00000000-0000-7000-8000-000000000001 was written outside unyo"

/* Verifies; the findings joined by newlines (malloc'd, "" when none). */
static char *verify(struct store *st, size_t *n)
{
    struct chain_report r;
    char *err = NULL;
    if (chain_verify(st, &r, &err) != 0)
        fail_msg("verify: %s", err);
    struct strbuf sb = STRBUF_INIT;
    *n = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (strstr(r.findings[i], FIXTURE_HOST))
            continue;
        sb_printf(&sb, "%s\n", r.findings[i]);
        (*n)++;
    }
    chain_report_free(&r);
    return sb_detach(&sb);
}

static void expect_clean(struct store *st)
{
    size_t n;
    char *f = verify(st, &n);
    if (n)
        fail_msg("expected no findings, got:\n%s", f);
    free(f);
}

static void expect_finding(struct store *st, const char *needle)
{
    size_t n;
    char *f = verify(st, &n);
    if (!strstr(f, needle))
        fail_msg("expected a finding with [%s], got %zu:\n%s", needle, n, f);
    free(f);
}

static void test_clean_store_verifies(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    fx_incident(f, "AP 応答なし", "説明", ref);
    fx_step(f, ref, "isolated", "切り分け中");
    expect_clean(f->st);
    struct chain_report r;
    char *err = NULL;
    assert_int_equal(chain_verify(f->st, &r, &err), 0);
    assert_true(r.links > 0);
    assert_true(r.rows > 0);
    chain_report_free(&r);
}

static void test_update_of_a_mutable_row_is_found(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    fx_incident(f, "正しい件名", NULL, ref);
    char *sql = xasprintf("SELECT id FROM incidents WHERE ref = '%s'", ref);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->st->db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    char *id = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    free(sql);
    sql = xasprintf("UPDATE incidents SET title = '書き換えた件名' WHERE ref = '%s'", ref);
    exec(f->st, sql);
    free(sql);
    char *want = xasprintf("incidents row %s was changed outside unyo", id);
    expect_finding(f->st, want);
    free(want);
    /* A later write by unyo does not make it right: the changed state is chained
     * as written outside unyo, and named so. */
    char ref2[24];
    fx_incident(f, "次の件", NULL, ref2);
    want = xasprintf("incidents row %s was written outside unyo", id);
    expect_finding(f->st, want);
    free(want);
    free(id);
}

static void test_dropped_trigger_and_deleted_audit_row_are_found(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    fx_incident(f, "監査対象", NULL, ref);
    exec(f->st, "DROP TRIGGER audit_append_only_d");
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT min(id) FROM audit", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    char *id = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    char *sql = xasprintf("DELETE FROM audit WHERE id = '%s'", id);
    exec(f->st, sql);
    free(sql);
    expect_finding(f->st, "trigger audit_append_only_d was dropped");
    char *want = xasprintf("audit trail row %s was deleted", id);
    expect_finding(f->st, want);
    free(want);
    free(id);
}

static void test_altered_trigger_is_found(void **state)
{
    struct ledger_fx *f = *state;
    exec(f->st, "DROP TRIGGER incident_events_append_only_u; CREATE TRIGGER "
                "incident_events_append_only_u BEFORE UPDATE ON incident_events BEGIN SELECT 1; "
                "END");
    expect_finding(f->st, "trigger incident_events_append_only_u was altered");
}

static void test_removed_link_breaks_the_chain(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24];
    fx_incident(f, "一件目", NULL, ref);
    fx_incident(f, "二件目", NULL, ref);
    /* A rewritten row re-sealed by hand: the link's hash no longer follows. */
    exec(f->st, "UPDATE local_chain SET digest = zeroblob(32) WHERE seq = "
                "(SELECT max(seq) - 3 FROM local_chain)");
    expect_finding(f->st, "the chain is broken at link");
}

static void test_edited_transcript_is_found(void **state)
{
    struct ledger_fx *f = *state;
    char sid[ID_LEN + 1], *err = NULL;
    assert_int_equal(
        session_begin(f->st, "00000000-0000-7000-8000-000000000001", "lib-ap01", 80, 24, sid, &err),
        0);
    struct transcript *tr = transcript_new(80, 24, time_now_ms(), "t", 0);
    transcript_output(tr, time_now_ms(), "rm -rf /tmp/x\r\n", 15);
    assert_int_equal(session_end(f->st, sid, tr, 0, "exit", &err), 0);
    transcript_free(tr);
    expect_clean(f->st);
    struct chain_report r;
    assert_int_equal(chain_verify(f->st, &r, &err), 0);
    assert_int_equal(r.sessions, 1);
    chain_report_free(&r);
    char *sql = xasprintf("UPDATE ssh_sessions SET transcript = replace(transcript, 'rm -rf', "
                          "'ls -l') WHERE id = '%s'",
                          sid);
    exec(f->st, sql);
    free(sql);
    char *want = xasprintf("the transcript of session %s (lib-ap01", sid);
    expect_finding(f->st, want);
    free(want);
}

static void test_export_script_is_the_shipped_one(void **state)
{
    (void)state;
    char *path = xasprintf("%s/audit/verify.py", UNYO_DATADIR);
    char *text = read_file(path, NULL, NULL);
    if (!text)
        fail_msg("cannot read %s", path);
    assert_string_equal(text, chain_verify_py);
    free(text);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clean_store_verifies, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_update_of_a_mutable_row_is_found, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_dropped_trigger_and_deleted_audit_row_are_found,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_altered_trigger_is_found, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_removed_link_breaks_the_chain, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_edited_transcript_is_found, fx_setup, fx_teardown),
        cmocka_unit_test(test_export_script_is_the_shipped_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
