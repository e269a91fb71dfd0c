#include "ledger_fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "operators.h"
#include "seed_data.h"
#include "sla.h"
#include "store.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

void fx_as(struct store *st, const char *login)
{
    setenv("UNYO_USER", login, 1);
    st->operator_id[0] = '\0';
}

int fx_setup(void **state)
{
    setenv("UNYO_NOW", LEDGER_NOW, 1);
    struct ledger_fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/unyo-inc-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/unyo.db", f->dir);
    char *err = NULL;
    if (store_open(f->path, STORE_CREATE_NEW, &f->st, &err) != 0 ||
        seed_install_libraries(f->st, UNYO_TEST_DATADIR "/libraries.ini", &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    /* The manager registers the others (issue 14: only a manager adds operators). */
    fx_as(f->st, "ito");
    if (operator_add(f->st, "ito", "伊藤 由美", "manager", NULL, &err) != 0 ||
        operator_add(f->st, "yamada", "山田 花子", "operator", NULL, &err) != 0 ||
        operator_add(f->st, "sato", "佐藤 健", "engineer", NULL, &err) != 0 ||
        operator_add(f->st, "takahashi", "高橋 誠", "engineer", NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    fx_as(f->st, "yamada");
    assert_int_equal(store_exec(f->st,
                                "INSERT INTO hosts(id, name, created_at, updated_at, hlc, origin) "
                                "VALUES('00000000-0000-7000-8000-000000000001', 'lib-ap01', 'x', "
                                "'x', 1, 'o')",
                                &err),
                     0);
    fx_as(f->st, "yamada");
    f->sla = sla_new(NULL, NULL);
    *state = f;
    return 0;
}

int fx_teardown(void **state)
{
    struct ledger_fx *f = *state;
    store_close(f->st);
    sla_free(f->sla);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

int fx_count(struct store *st, const char *sql)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

void fx_incident(struct ledger_fx *f, const char *title, const char *desc, char ref[24])
{
    struct incident_new in = {.library = "CEN",
                              .channel = "phone",
                              .title = title,
                              .description = desc,
                              .impact = 2,
                              .urgency = 2};
    char *err = NULL;
    int rc = incident_create(f->st, f->sla, &in, NULL, ref, &err);
    if (rc != 0)
        fail_msg("%s", err);
}

void fx_step(struct ledger_fx *f, const char *ref, const char *s, const char *note)
{
    struct incident_step_args a = {.note = note, .assignee = "sato"};
    char *err = NULL;
    if (incident_step(f->st, f->sla, ref, s, &a, &err) != 0)
        fail_msg("%s: %s", s, err);
}

void fx_expect_fail(int rc, char **errp, const char *needle)
{
    char *err = *errp;
    *errp = NULL;
    assert_int_equal(rc, -1);
    assert_non_null(err);
    if (needle && !strstr(err, needle))
        fail_msg("\"%s\" lacks \"%s\"", err, needle);
    free(err);
}
