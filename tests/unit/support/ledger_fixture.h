/* The fixture the ledger tests share (test_incidents, test_inquiries,
 * test_problems, test_reports, test_search): a new store in a temporary
 * directory with the clock at LEDGER_NOW, the libraries of
 * data/libraries.ini, four operators (yamada: operator; sato, takahashi:
 * engineers; ito: manager), the host lib-ap01, yamada acting, and the default
 * SLA. Compiled into every unit test (tests/CMakeLists.txt); its functions
 * are prefixed fx_ (src/ledger_io.h owns ledger_). */
#ifndef UNYO_TEST_LEDGER_FIXTURE_H
#define UNYO_TEST_LEDGER_FIXTURE_H

struct store;
struct sla;

/* Tuesday 2026-11-24 10:00 JST: in service. */
#define LEDGER_NOW "2026-11-24T10:00:00+09:00"

struct ledger_fx {
    char dir[64];
    char path[96]; /* the store: dir/unyo.db */
    struct store *st;
    struct sla *sla;
};

/* cmocka group/test set-up and tear-down: *state is a struct ledger_fx. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Acts as login from the next store call on (UNYO_USER). */
void fx_as(struct store *st, const char *login);
/* The first column of the first row of sql (a count), -1 without a row. */
int fx_count(struct store *st, const char *sql);
/* A phone incident at CEN (impact 2, urgency 2); fails the test on error. */
void fx_incident(struct ledger_fx *f, const char *title, const char *desc, char ref[24]);
/* incident_step to s with note, assigned to sato; fails the test on error. */
void fx_step(struct ledger_fx *f, const char *ref, const char *s, const char *note);
/* rc is -1 with an error that contains needle (any, when NULL); frees the
 * error and clears *errp. */
void fx_expect_fail(int rc, char **errp, const char *needle);

#endif
