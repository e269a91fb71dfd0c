/* Issue 13, "Incidents and consoles together": a console session linked to an
 * incident reads in its timeline and its links as "lib-ap01 10:55–10:58
 * (3分)" (接続中 while open), never as its uuid; the player over its
 * recording (src/session_play.h) shows the screen at any instant, forward and
 * back, and finds the text that was output, escape sequences and chunk
 * boundaries aside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "changes.h"
#include "i18n.h"
#include "incidents.h"
#include "ledger.h"
#include "session_play.h"
#include "store.h"
#include "support/ledger_fixture.h"
#include "term.h"
#include "timefmt.h"
#include "transcript.h"
#include "util.h"

static int ja(void)
{
    if (access(UNYO_LOCALEDIR "/ja/LC_MESSAGES/unyo.mo", R_OK) != 0) {
        print_message("the Japanese catalog is not built (make builds it)\n");
        return 0;
    }
    setenv("LC_ALL", "C.UTF-8", 1);
    i18n_init("ja");
    return 1;
}

static void en(void)
{
    setenv("LC_ALL", "C", 1);
    i18n_init("en");
}

static int64_t jst(const char *s)
{
    int64_t ms = 0;
    assert_int_equal(time_parse(s, &ms), 0);
    return ms;
}

static void test_span_label(void **state)
{
    (void)state;
    if (!ja())
        skip();
    char *l = session_span_label("lib-ap01", jst("2026-11-24T10:55:00+09:00"),
                                 jst("2026-11-24T10:58:10+09:00"));
    assert_string_equal(l, "lib-ap01 10:55–10:58 (3分)");
    free(l);
    l = session_span_label("lib-ap01", jst("2026-11-24T10:55:00+09:00"), 0);
    assert_string_equal(l, "lib-ap01 10:55– (接続中)");
    free(l);
    l = session_span_label("lib-db01", jst("2026-11-24T23:50:00+09:00"),
                           jst("2026-11-25T01:05:00+09:00"));
    assert_string_equal(l, "lib-db01 23:50–11-25 01:05 (1時間15分)"); /* another day: its date */
    free(l);
    en();
    l = session_span_label("lib-ap01", jst("2026-11-24T10:55:00+09:00"),
                           jst("2026-11-24T10:55:40+09:00"));
    assert_string_equal(l, "lib-ap01 10:55–10:55 (40 s)");
    free(l);
}

static void exec(struct store *st, const char *sql)
{
    char *e = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &e) != SQLITE_OK)
        fail_msg("%s: %s", sql, e);
}

/* The timeline and the links of an incident name a linked session by its
 * host and times: while open, then closed. */
static void test_timeline_row_of_a_session(void **state)
{
    struct ledger_fx *f = *state;
    if (!ja())
        skip();
    char ref[24], sid[ID_LEN + 1], *err = NULL;
    fx_incident(f, "AP 応答なし", NULL, ref);
    assert_int_equal(
        session_begin(f->st, "00000000-0000-7000-8000-000000000001", "lib-ap01", 80, 24, sid, &err),
        0);
    char *sql = xasprintf("UPDATE ssh_sessions SET started_at = '2026-11-24T01:55:00.000Z' "
                          "WHERE id = '%s'",
                          sid);
    exec(f->st, sql);
    free(sql);
    assert_int_equal(incident_link(f->st, ref, "ssh_session", sid, NULL, &err), 0);
    char id[ID_LEN + 1];
    assert_int_equal(incident_resolve(f->st, ref, id, &err), 0);

    for (int closed = 0; closed < 2; closed++) {
        if (closed) {
            struct transcript *tr = transcript_new(80, 24, time_now_ms(), "t", 0);
            transcript_output(tr, time_now_ms(), "hi\r\n", 4);
            assert_int_equal(session_end(f->st, sid, tr, 0, "exit", &err), 0);
            transcript_free(tr);
            sql = xasprintf("UPDATE ssh_sessions SET ended_at = '2026-11-24T01:58:30.000Z' "
                            "WHERE id = '%s'",
                            sid);
            exec(f->st, sql);
            free(sql);
        }
        const char *want = closed ? "端末セッション: lib-ap01 10:55–10:58 (3分)"
                                  : "端末セッション: lib-ap01 10:55– (接続中)";
        struct ledger_event *ev = NULL;
        size_t n = 0;
        assert_int_equal(incident_events(f->st, id, &ev, &n, &err), 0);
        int seen = 0;
        for (size_t i = 0; i < n; i++) {
            char *text = incident_event_text(f->st, ev[i].data);
            assert_null(strstr(text, sid)); /* never the uuid */
            if (streq(ev[i].kind, "linked")) {
                assert_string_equal(text, want);
                seen = 1;
            }
            free(text);
        }
        ledger_events_free(ev, n);
        assert_true(seen);
        struct ledger_link *ln = NULL;
        assert_int_equal(incident_links(f->st, id, &ln, &n, &err), 0);
        seen = 0;
        for (size_t i = 0; i < n; i++)
            if (streq(ln[i].kind, "ssh_session")) {
                assert_string_equal(ln[i].label, want + strlen("端末セッション: "));
                assert_string_equal(ln[i].id, sid); /* the id stays for playing it */
                seen = 1;
            }
        ledger_links_free(ln, n);
        assert_true(seen);
    }
    /* a change linked to it names it the same way in its links and timeline */
    static const char *const steps[] = {"再起動する"};
    struct change_new in = {0};
    in.dept = "情報システム担当";
    in.title = "AP 再起動";
    in.rollback = "なし";
    in.steps = steps;
    in.nsteps = 1;
    char cref[24];
    assert_int_equal(change_create(f->st, &in, NULL, cref, &err), 0);
    assert_int_equal(change_link_session(f->st, cref, sid, &err), 0);
    struct change c;
    assert_int_equal(change_get(f->st, cref, 1, &c, &err), 0);
    int seen = 0;
    for (size_t i = 0; i < c.nlinks; i++)
        if (streq(c.links[i].kind, "ssh_session")) {
            assert_string_equal(c.links[i].label, "lib-ap01 10:55–10:58 (3分)");
            seen = 1;
        }
    for (size_t i = 0; i < c.nevents; i++) {
        char *text = incident_event_text(f->st, c.events[i].data);
        assert_null(strstr(text, sid));
        free(text);
    }
    change_clear(&c);
    assert_true(seen);

    /* the recording of the closed session can be read back */
    char *cast = NULL, *label = NULL;
    size_t len = 0;
    assert_int_equal(session_recording(f->st, sid, NULL, &cast, &len, &label, &err), 0);
    assert_non_null(strstr(cast, "hi"));
    assert_string_equal(label, "lib-ap01 10:55–10:58 (3分)");
    free(cast);
    free(label);
    assert_int_equal(session_recording(f->st, "nope", NULL, &cast, &len, NULL, &err), -1);
    free(err);
    en();
}

static const char cast[] = "{\"version\": 2, \"width\": 40, \"height\": 5, \"timestamp\": 1}\n"
                           "[0.1, \"o\", \"hello\\r\\n\"]\n"
                           "not an event\n"
                           "[2.0, \"o\", \"\\u001b[31mwor\"]\n"
                           "[2.5, \"o\", \"ld\\u001b[0m \\u3042\\r\\n\"]\n"
                           "[3.0, \"r\", \"30x6\"]\n"
                           "[5.0, \"o\", \"bye\\r\\n\"]\n";

static char *row(struct player *p, int r)
{
    return term_row_text(player_term(p), r);
}

static void want_row(struct player *p, int r, const char *want)
{
    char *got = row(p, r);
    if (!streq(got, want))
        fail_msg("at %lld ms row %d reads \"%s\", not \"%s\"", (long long)player_pos_ms(p), r, got,
                 want);
    free(got);
}

static void test_player_seek_and_search(void **state)
{
    (void)state;
    struct player *p = NULL;
    char *err = NULL;
    assert_int_equal(player_new(cast, strlen(cast), &p, &err), 0);
    assert_int_equal(player_length_ms(p), 5000);
    assert_int_equal(term_cols(player_term(p)), 40);
    want_row(p, 0, "");
    player_seek(p, 150);
    want_row(p, 0, "hello");
    player_seek(p, 2600);
    want_row(p, 1, "world あ");
    assert_int_equal(player_next_ms(p), 3000);
    player_seek(p, 4000);
    assert_int_equal(term_cols(player_term(p)), 30); /* the resize was replayed */
    player_seek(p, 1000);                            /* back: the screen as it was */
    want_row(p, 0, "hello");
    want_row(p, 1, "");
    assert_int_equal(term_cols(player_term(p)), 40);
    player_seek(p, 99999); /* clamped to the end */
    assert_int_equal(player_pos_ms(p), 5000);
    want_row(p, 2, "bye");

    int wrapped = 0;
    player_seek(p, 0);
    /* across two chunks and an escape sequence, either case */
    assert_int_equal(player_search(p, "WORLD", 1, &wrapped), 2500);
    assert_int_equal(wrapped, 0);
    player_seek(p, 2500);
    assert_int_equal(player_search(p, "bye", 1, &wrapped), 5000);
    assert_int_equal(player_search(p, "hello", 1, &wrapped), 100); /* from the other end */
    assert_int_equal(wrapped, 1);
    assert_int_equal(player_search(p, "hello", -1, &wrapped), 100);
    assert_int_equal(wrapped, 0);
    assert_int_equal(player_search(p, "31m", 1, &wrapped), -1); /* escapes are not text */
    assert_int_equal(player_search(p, "nothing", 1, &wrapped), -1);
    player_free(p);

    assert_int_equal(player_new("garbage", 7, &p, &err), -1);
    assert_non_null(err);
    free(err);
    /* a header only: an empty recording */
    assert_int_equal(player_new("{\"width\":0}", 11, &p, &err), 0);
    assert_int_equal(player_length_ms(p), 0);
    player_seek(p, 10);
    assert_int_equal(player_search(p, "x", 1, NULL), -1);
    player_free(p);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_span_label),
        cmocka_unit_test_setup_teardown(test_timeline_row_of_a_session, fx_setup, fx_teardown),
        cmocka_unit_test(test_player_seek_and_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
