/* Search inside recordings (src/session_index.h): the lines a recording showed,
 * full-screen programs included, with the moment each showed; the search over them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "session_index.h"
#include "session_play.h"
#include "store.h"
#include "support/ledger_fixture.h"
#include "timefmt.h"
#include "transcript.h"
#include "util.h"

static char *record(int cols, int rows, const char *const *chunks, size_t n)
{
    struct transcript *tr = transcript_new(cols, rows, 0, "lib-ap01", 0);
    for (size_t i = 0; i < n; i++)
        transcript_output(tr, (int64_t)(i + 1) * 1000, chunks[i], strlen(chunks[i]));
    char *out = xstrdup(transcript_text(tr, NULL));
    transcript_free(tr);
    return out;
}

static const struct session_shown *find(const struct session_shown *v, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].text, text) == 0)
            return &v[i];
    return NULL;
}

/* What a pager drew on the alternate screen counts, at the moment it showed, though
 * the screen is restored when it quits; typed keys make one line; a flood of lines
 * scrolls through and every line is kept. */
static void test_shown_lines(void **state)
{
    (void)state;
    struct strbuf flood = STRBUF_INIT;
    sb_puts(&flood, "seq 100\r\n");
    for (int i = 1; i <= 100; i++)
        sb_printf(&flood, "row %d\r\n", i);
    const char *const chunks[] = {
        "$ ",
        "l",
        "e",
        "ss /var/log/app.log\r\n",
        "\x1b[?1049h\x1b[H\x1b[2JERROR disk quota exceeded on /srv\r\nline two\r\n:",
        "\x1b[?1049l$ ",
        flood.buf,
        "$ exit\r\n",
    };
    char *cast = record(80, 24, chunks, ARRAY_LEN(chunks));
    struct session_shown *v = NULL;
    size_t n = 0;
    char *err = NULL;
    assert_int_equal(session_shown_lines(cast, strlen(cast), &v, &n, &err), 0);
    const struct session_shown *l = find(v, n, "$ less /var/log/app.log");
    assert_non_null(l);
    assert_int_equal(l->ms, 1000); /* the prompt showed at 1 s */
    assert_null(find(v, n, "$ l"));
    assert_null(find(v, n, "$ le"));
    l = find(v, n, "ERROR disk quota exceeded on /srv");
    assert_non_null(l);
    assert_int_equal(l->ms, 5000);
    char row[16];
    for (int i = 1; i <= 100; i++) {
        snprintf(row, sizeof row, "row %d", i);
        if (!find(v, n, row))
            fail_msg("%s not kept", row);
    }
    assert_non_null(find(v, n, "$ seq 100"));
    session_shown_free(v, n);
    free(cast);
    sb_free(&flood);
}

static void test_search(void **state)
{
    struct ledger_fx *f = *state;
    char sid[ID_LEN + 1], *err = NULL;
    assert_int_equal(
        session_begin(f->st, "00000000-0000-7000-8000-000000000001", "lib-ap01", 80, 24, sid, &err),
        0);
    int64_t t0 = time_now_ms(); /* one clock reading: the offset is exact however slow */
    struct transcript *tr = transcript_new(80, 24, t0, "t", 0);
    const char *out = "nginx: 予約システム 応答なし\r\n";
    transcript_output(tr, t0 + 65000, out, strlen(out));
    assert_int_equal(session_end(f->st, sid, tr, 0, "exit", &err), 0);
    transcript_free(tr);

    struct session_hit *h = NULL;
    size_t n = 0;
    assert_int_equal(session_search(f->st, "予約システム", NULL, NULL, 0, &h, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].id, sid);
    assert_string_equal(h[0].host, "lib-ap01");
    assert_string_equal(h[0].operator_login, "yamada");
    assert_int_equal(h[0].at_ms, 65000);
    assert_string_equal(h[0].line, "nginx: 予約システム 応答なし");
    session_hits_free(h, n);
    /* Case, short text, other host, a later day. */
    assert_int_equal(session_search(f->st, "NGINX", NULL, NULL, 0, &h, &n, &err), 0);
    assert_int_equal(n, 1);
    session_hits_free(h, n);
    assert_int_equal(session_search(f->st, "応答", NULL, NULL, 0, &h, &n, &err), 0);
    assert_int_equal(n, 1);
    session_hits_free(h, n);
    assert_int_equal(session_search(f->st, "nginx", "lib-ap02", NULL, 0, &h, &n, &err), 0);
    assert_int_equal(n, 0);
    session_hits_free(h, n);
    assert_int_equal(
        session_search(f->st, "nginx", NULL, "2030-01-01T00:00:00.000Z", 0, &h, &n, &err), 0);
    assert_int_equal(n, 0);
    session_hits_free(h, n);
    assert_int_equal(session_search(f->st, "a\"b%", NULL, NULL, 0, &h, &n, &err), 0);
    assert_int_equal(n, 0);
    session_hits_free(h, n);

    /* A recording indexed lazily: the index forgotten, then built again. */
    assert_int_equal(store_exec(f->st,
                                "DELETE FROM local_session_fts; "
                                "DELETE FROM local_session_indexed",
                                &err),
                     0);
    int count = -1;
    assert_int_equal(session_index_pending(f->st, 0, &count, &err), 0);
    assert_int_equal(count, 1);
    assert_int_equal(session_index_pending(f->st, 0, &count, &err), 0);
    assert_int_equal(count, 0);
    assert_int_equal(session_search(f->st, "予約システム", NULL, NULL, 0, &h, &n, &err), 0);
    assert_int_equal(n, 1);
    session_hits_free(h, n);
    /* Indexed again (--rebuild): replaced, not doubled. */
    assert_int_equal(session_index_pending(f->st, 1, &count, &err), 0);
    assert_int_equal(count, 1);
    assert_int_equal(session_search(f->st, "予約システム", NULL, NULL, 0, &h, &n, &err), 0);
    assert_int_equal(n, 1);
    session_hits_free(h, n);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM local_session_fts"), 1);
}

/* A step of an incident linked to the session, recorded while it was open, becomes a
 * marker of the recording, in time order among the output; the player lists it. */
static void test_markers(void **state)
{
    struct ledger_fx *f = *state;
    char ref[24], sid[ID_LEN + 1], *err = NULL;
    fx_incident(f, "AP 応答なし", NULL, ref);
    assert_int_equal(
        session_begin(f->st, "00000000-0000-7000-8000-000000000001", "lib-ap01", 80, 24, sid, &err),
        0);
    int64_t t0 = time_now_ms() - 10000; /* the session opened 10 s ago */
    struct transcript *tr = transcript_new(80, 24, t0, "t", 0);
    transcript_output(tr, t0 + 1, "before\r\n", 8);
    assert_int_equal(incident_link(f->st, ref, "ssh_session", sid, NULL, &err), 0);
    int64_t step_from = time_now_ms() - t0;
    fx_step(f, ref, "isolated", "NIC の再起動で復旧を確認\n二行目");
    int64_t step_to = time_now_ms() - t0;
    transcript_output(tr, time_now_ms() + 5000, "after\r\n", 7);
    assert_int_equal(session_end(f->st, sid, tr, 0, "exit", &err), 0);
    transcript_free(tr);

    char *cast = NULL;
    size_t len = 0;
    assert_int_equal(session_recording(f->st, sid, NULL, &cast, &len, NULL, &err), 0);
    const char *m = strstr(cast, "\"m\", \"");
    assert_non_null(m);
    assert_non_null(strstr(m, ref));
    assert_non_null(strstr(m, "NIC の再起動で復旧を確認"));
    assert_null(strstr(m, "二行目"));
    if (!(strstr(cast, "before") < m && m < strstr(cast, "after")))
        fail_msg("%s", cast);
    struct player *p = NULL;
    assert_int_equal(player_new(cast, len, &p, &err), 0);
    size_t n = 0;
    const struct player_marker *mk = player_markers(p, &n);
    assert_int_equal(n, 1);
    /* the marker is where the step was recorded, however long that took here */
    if (!(mk[0].ms >= step_from - 1000 && mk[0].ms <= step_to + 1000))
        fail_msg("marker at %lld ms, the step was recorded between %lld and %lld ms",
                 (long long)mk[0].ms, (long long)step_from, (long long)step_to);
    assert_non_null(strstr(mk[0].label, ref));
    /* Markers are no output: the text and the index are as before. */
    player_free(p);
    free(cast);
    struct session_hit *h = NULL;
    assert_int_equal(session_search(f->st, "再起動", NULL, NULL, 0, &h, &n, &err), 0);
    assert_int_equal(n, 0);
    session_hits_free(h, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shown_lines),
        cmocka_unit_test_setup_teardown(test_search, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_markers, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
