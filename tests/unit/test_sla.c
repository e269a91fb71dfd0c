#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "sla.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

static int64_t J(int y, int m, int d, int hh, int mm)
{
    return jst_to_utc(y, m, d, hh * 60 + mm);
}

/* P1 with a 2-hour recovery target and the given warning share. */
static struct sla *sla_2h(struct calendar *cal)
{
    struct sla_config cfg;
    sla_config_default(&cfg);
    cfg.target_min[0][SLA_ACK] = 15;
    cfg.target_min[0][SLA_FIRST] = 60;
    cfg.target_min[0][SLA_RECOVERY] = 120;
    return sla_new(&cfg, cal);
}

static void compute(struct sla *s, int64_t received, const int64_t done[3],
                    const struct sla_pause *p, size_t np, int64_t now, struct sla_status *out)
{
    struct sla_clock c = {.priority = "P1", .received = received, .pauses = p, .npauses = np};
    if (done)
        memcpy(c.done, done, sizeof c.done);
    sla_compute(s, &c, now, out);
}

/* The brief's example: Sunday 17:00 with 2 hours to recover is due Monday 08:30 JST
 * (30 minutes before Sunday's 17:30 close, 90 after Monday's 07:00 opening). */
static void test_sunday_close(void **state)
{
    (void)state;
    struct sla *s = sla_2h(NULL);
    struct sla_status st;
    int64_t rec = J(2026, 11, 22, 17, 0); /* a Sunday */
    compute(s, rec, NULL, NULL, 0, J(2026, 11, 22, 20, 0), &st);
    assert_int_equal(st.step[SLA_RECOVERY].due, J(2026, 11, 23, 8, 30));
    assert_int_equal(st.step[SLA_RECOVERY].elapsed, 30 * 60);
    assert_int_equal(st.step[SLA_RECOVERY].state, SLA_OK);
    /* Monday 08:00: 90 of 120 minutes = 75 %: warning. */
    compute(s, rec, NULL, NULL, 0, J(2026, 11, 23, 8, 0), &st);
    assert_int_equal(st.step[SLA_RECOVERY].elapsed, 90 * 60);
    assert_int_equal(st.step[SLA_RECOVERY].state, SLA_WARNING);
    /* Acknowledge (15 min) was due Sunday 17:15 and is breached. */
    assert_int_equal(st.step[SLA_ACK].due, J(2026, 11, 22, 17, 15));
    assert_int_equal(st.step[SLA_ACK].state, SLA_BREACHED);
    assert_int_equal(st.overall, SLA_BREACHED);
    /* Monday 08:31: breached. */
    compute(s, rec, NULL, NULL, 0, J(2026, 11, 23, 8, 31), &st);
    assert_int_equal(st.step[SLA_RECOVERY].state, SLA_BREACHED);
    assert_true(st.step[SLA_RECOVERY].left < 0);
    sla_free(s);
}

static void test_midnight_and_month_end(void **state)
{
    (void)state;
    struct sla *s = sla_2h(NULL);
    struct sla_status st;
    /* Monday 2026-11-30 23:50: 10 minutes left that day, the rest from
     * Tuesday 2026-12-01 07:00 (month end crossed). */
    compute(s, J(2026, 11, 30, 23, 50), NULL, NULL, 0, J(2026, 11, 30, 23, 55), &st);
    assert_int_equal(st.step[SLA_ACK].due, J(2026, 12, 1, 7, 5));
    assert_int_equal(st.step[SLA_FIRST].due, J(2026, 12, 1, 7, 50));
    assert_int_equal(st.step[SLA_RECOVERY].due, J(2026, 12, 1, 8, 50));
    /* Received at night (out of service): the clock starts at 07:00. */
    compute(s, J(2026, 11, 25, 2, 0), NULL, NULL, 0, J(2026, 11, 25, 6, 59), &st);
    assert_int_equal(st.step[SLA_RECOVERY].elapsed, 0);
    assert_int_equal(st.step[SLA_RECOVERY].due, J(2026, 11, 25, 9, 0));
    sla_free(s);
}

static void test_closed_day(void **state)
{
    (void)state;
    char dir[] = "/tmp/unyo-sla-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/calendar.ini", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[hours]\ndefault = 07:00-24:00\nsun = 07:00-17:30\n[closed]\n2026-12-01 = 館内整理日\n",
          f);
    fclose(f);
    char *err = NULL;
    struct calendar *cal = calendar_load(path, &err);
    assert_non_null(cal);
    struct sla *s = sla_2h(cal);
    struct sla_status st;
    /* Monday 23:00: one hour that day, Tuesday closed, one hour on Wednesday. */
    compute(s, J(2026, 11, 30, 23, 0), NULL, NULL, 0, J(2026, 12, 1, 12, 0), &st);
    assert_int_equal(st.step[SLA_RECOVERY].due, J(2026, 12, 2, 8, 0));
    assert_int_equal(st.step[SLA_RECOVERY].elapsed, 3600);
    /* Recovered Wednesday 07:30: met (90 service minutes). */
    int64_t done[3] = {J(2026, 11, 30, 23, 5), J(2026, 11, 30, 23, 30), J(2026, 12, 2, 7, 30)};
    compute(s, J(2026, 11, 30, 23, 0), done, NULL, 0, J(2026, 12, 3, 12, 0), &st);
    assert_int_equal(st.step[SLA_RECOVERY].state, SLA_MET);
    assert_int_equal(st.step[SLA_ACK].state, SLA_MET);
    assert_int_equal(st.overall, SLA_MET);
    sla_free(s);
    calendar_free(cal);
    unlink(path);
    rmdir(dir);
}

static void test_pauses(void **state)
{
    (void)state;
    struct sla *s = sla_2h(NULL);
    struct sla_status st;
    int64_t rec = J(2026, 11, 24, 10, 0); /* Tuesday */
    /* Paused 10:30-11:30 (waiting on the library): due moves from 12:00 to 13:00. */
    struct sla_pause p[] = {{J(2026, 11, 24, 10, 30), J(2026, 11, 24, 11, 30)}};
    compute(s, rec, NULL, p, 1, J(2026, 11, 24, 12, 0), &st);
    assert_int_equal(st.step[SLA_RECOVERY].elapsed, 3600);
    assert_int_equal(st.step[SLA_RECOVERY].due, J(2026, 11, 24, 13, 0));
    assert_int_equal(st.paused, 0);
    /* Still paused: the clock stands, no due instant. */
    struct sla_pause open[] = {{J(2026, 11, 24, 10, 30), 0}};
    compute(s, rec, NULL, open, 1, J(2026, 11, 24, 15, 0), &st);
    assert_int_equal(st.paused, 1);
    assert_int_equal(st.step[SLA_RECOVERY].elapsed, 30 * 60);
    assert_int_equal(st.step[SLA_RECOVERY].due, INT64_MAX);
    assert_int_equal(st.step[SLA_RECOVERY].state, SLA_OK);
    /* A pause over the night counts only its service part. */
    struct sla_pause night[] = {{J(2026, 11, 24, 23, 0), J(2026, 11, 25, 8, 0)}};
    assert_int_equal(sla_paused_service(s, night, 1, rec, J(2026, 11, 25, 12, 0), 0), 2 * 3600);
    /* Recovered late despite the pause: missed. */
    int64_t done[3] = {J(2026, 11, 24, 10, 5), J(2026, 11, 24, 10, 20), J(2026, 11, 24, 13, 30)};
    compute(s, rec, done, p, 1, J(2026, 11, 24, 14, 0), &st);
    assert_int_equal(st.step[SLA_RECOVERY].state, SLA_MISSED);
    assert_int_equal(st.overall, SLA_MISSED);
    sla_free(s);
}

static void test_priority_table_and_file(void **state)
{
    (void)state;
    char *err = NULL;
    struct sla *s = sla_load(UNYO_TEST_DATADIR "/sla.ini", UNYO_TEST_DATADIR "/calendar.ini", &err);
    assert_non_null(s);
    char p[4];
    assert_int_equal(sla_priority(s, 1, 1, p, &err), 0);
    assert_string_equal(p, "P1");
    assert_int_equal(sla_priority(s, 2, 2, p, &err), 0);
    assert_string_equal(p, "P3");
    assert_int_equal(sla_priority(s, 3, 3, p, &err), 0);
    assert_string_equal(p, "P4");
    assert_int_equal(sla_priority(s, 4, 1, p, &err), -1);
    assert_non_null(err);
    free(err);
    err = NULL;
    assert_int_equal(sla_priority(s, 1, 0, p, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(sla_target_seconds(s, "P1", SLA_RECOVERY), 240 * 60);
    assert_int_equal(sla_target_seconds(s, "P9", SLA_RECOVERY), -1);
    sla_free(s);

    /* A broken file names FILE:LINE and loads nothing. */
    char dir[] = "/tmp/unyo-sla-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/sla.ini", dir);
    FILE *f = fopen(path, "w");
    fputs("[P1]\nacknowledge = 10\nrecovery = soon\n", f);
    fclose(f);
    struct sla_config cfg;
    assert_int_equal(sla_config_load(path, &cfg, &err), -1);
    assert_non_null(strstr(err, "sla.ini:3:"));
    free(err);
    err = NULL;
    f = fopen(path, "w");
    fputs("[priority]\n1x1 = P5\n", f);
    fclose(f);
    assert_int_equal(sla_config_load(path, &cfg, &err), -1);
    assert_non_null(strstr(err, ":2:"));
    free(err);
    err = NULL;
    f = fopen(path, "w");
    fputs("[P2]\nrecovery = 600\n[priority]\n3x3 = P3\n", f);
    fclose(f);
    assert_int_equal(sla_config_load(path, &cfg, &err), 0);
    assert_int_equal(cfg.target_min[1][SLA_RECOVERY], 600);
    assert_int_equal(cfg.matrix[2][2], 3);
    assert_int_equal(cfg.target_min[0][SLA_RECOVERY], 240);
    unlink(path);
    rmdir(dir);
}

/* The state of any step at t (for the next-change walk). */
static int states_at(struct sla *s, int64_t rec, int64_t t, enum sla_state out[SLA_NSTEPS])
{
    struct sla_status st;
    compute(s, rec, NULL, NULL, 0, t, &st);
    for (int i = 0; i < SLA_NSTEPS; i++)
        out[i] = st.step[i].state;
    return 0;
}

/* The Incidents pane redraws at the next SLA boundary of its rows: a step due
 * at 09:15 shows breached at 09:15:01, not at the next key press. */
static void test_next_change(void **state)
{
    (void)state;
    struct sla *s = sla_2h(NULL);
    struct sla_status st;
    int64_t rec = J(2026, 11, 23, 9, 0); /* a Monday, in service 07:00-24:00 */
    compute(s, rec, NULL, NULL, 0, rec, &st);
    /* acknowledge: 15 min, warning at 75 % = 11:15 */
    assert_int_equal(sla_next_change(s, &st, rec), rec + 11 * 60 + 15);
    int64_t t = J(2026, 11, 23, 9, 14);
    compute(s, rec, NULL, NULL, 0, t, &st);
    assert_int_equal(st.step[SLA_ACK].state, SLA_WARNING);
    int64_t due = st.step[SLA_ACK].due;
    assert_int_equal(due, J(2026, 11, 23, 9, 15));
    assert_int_equal(sla_next_change(s, &st, t), due + 1);
    compute(s, rec, NULL, NULL, 0, due, &st);
    assert_int_equal(st.step[SLA_ACK].state, SLA_WARNING);
    compute(s, rec, NULL, NULL, 0, due + 1, &st);
    assert_int_equal(st.step[SLA_ACK].state, SLA_BREACHED);

    /* Walk every boundary: just before it nothing changed, at it something did. */
    t = rec;
    int changes = 0;
    for (;;) {
        compute(s, rec, NULL, NULL, 0, t, &st);
        int64_t next = sla_next_change(s, &st, t);
        if (next == INT64_MAX)
            break;
        assert_true(next > t);
        enum sla_state a[SLA_NSTEPS], b[SLA_NSTEPS], c[SLA_NSTEPS];
        states_at(s, rec, t, a);
        states_at(s, rec, next - 1, b);
        states_at(s, rec, next, c);
        assert_memory_equal(a, b, sizeof a);
        assert_memory_not_equal(b, c, sizeof b);
        t = next;
        changes++;
    }
    assert_int_equal(changes, 6); /* three steps: warning then breached each */
    compute(s, rec, NULL, NULL, 0, t, &st);
    assert_int_equal(st.overall, SLA_BREACHED);

    /* Service hours: Sunday closes 17:30; first response (60 min) received
     * at 17:00 warns at 45 min, i.e. 15 min after Monday's 07:00 opening. */
    int64_t sun = J(2026, 11, 22, 17, 0);
    t = J(2026, 11, 22, 17, 29);
    compute(s, sun, NULL, NULL, 0, t, &st);
    assert_int_equal(st.step[SLA_ACK].state, SLA_BREACHED);
    assert_int_equal(st.step[SLA_FIRST].state, SLA_OK);
    assert_int_equal(sla_next_change(s, &st, t), J(2026, 11, 23, 7, 15));

    /* A paused clock, or every step done: nothing changes by the clock. */
    struct sla_pause p = {J(2026, 11, 23, 9, 5), 0};
    compute(s, rec, NULL, &p, 1, J(2026, 11, 23, 9, 10), &st);
    assert_int_equal(sla_next_change(s, &st, J(2026, 11, 23, 9, 10)), INT64_MAX);
    int64_t done[3] = {rec + 60, rec + 120, rec + 180};
    compute(s, rec, done, NULL, 0, J(2026, 11, 23, 12, 0), &st);
    assert_int_equal(sla_next_change(s, &st, J(2026, 11, 23, 12, 0)), INT64_MAX);

    /* A set of rows: the earliest of them. */
    struct sla_status set[3];
    compute(s, rec, done, NULL, 0, t, &set[0]);                      /* none */
    compute(s, rec, NULL, NULL, 0, J(2026, 11, 23, 9, 14), &set[1]); /* 09:15:01 */
    compute(s, rec, NULL, NULL, 0, rec, &set[2]);                    /* 675 s of service from now */
    assert_int_equal(sla_next_change_of(s, set, 3, J(2026, 11, 23, 9, 14)),
                     J(2026, 11, 23, 9, 14) + 61);
    assert_int_equal(sla_next_change_of(s, set, 1, t), INT64_MAX);
    assert_int_equal(sla_next_change(NULL, &set[1], t), INT64_MAX);
    sla_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sunday_close),
        cmocka_unit_test(test_midnight_and_month_end),
        cmocka_unit_test(test_closed_day),
        cmocka_unit_test(test_pauses),
        cmocka_unit_test(test_priority_table_and_file),
        cmocka_unit_test(test_next_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
