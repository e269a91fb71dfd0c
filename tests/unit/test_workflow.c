/* The workflow tables of every ledger, walked through the real core functions on a
 * real store (src/workflow.h): every (state, action) pair a table does not allow is
 * refused with a message naming the state, and writes nothing (the row, its events,
 * the audit, the other ledgers' rows stay as they were; no transaction is left open);
 * every allowed transition that only some people may take is refused to the others
 * (the wrong role, the requester, the draft's author) and taken by the right person. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changes.h"
#include "i18n.h"
#include "incidents.h"
#include "inquiries.h"
#include "jobs.h"
#include "problems.h"
#include "store.h"
#include "util.h"
#include "workflow.h"

#include "support/ledger_fixture.h"

#define DAY "2026-11-24" /* LEDGER_NOW's day (JST) */

/* One ledger: its table, where its records live, how to make one and how to take an
 * action on it through the core function a console or the CLI calls. */
struct ledger {
    const char *name;
    const struct wf_table *t;
    const char *table, *state_col;          /* the record's row and its state column */
    const char *requester_col, *author_col; /* the people of WF_NOT_REQUESTER / _AUTHOR */
    void (*make)(struct ledger_fx *f, char ref[64]);
    int (*act)(struct ledger_fx *f, const char *ref, const char *action, char **err);
};

/* ---- the records and the actions, through the core ---- */

static void make_change(struct ledger_fx *f, char ref[64])
{
    static const char *const steps[] = {"停止する"};
    struct change_new in = {
        .dept = "情報システム担当", .title = "nginx 更新", .rollback = "旧版に戻す"};
    in.steps = steps;
    in.nsteps = 1;
    char *err = NULL;
    if (change_create(f->st, &in, NULL, ref, &err) != 0)
        fail_msg("%s", err);
}

static int act_change(struct ledger_fx *f, const char *ref, const char *action, char **err)
{
    if (streq(action, "add_step"))
        return change_add_step(f->st, ref, "確認する", err);
    if (streq(action, "add_effect"))
        return change_add_effect(f->st, ref, "software:lib-ap01:nginx 1.22.1", err);
    if (streq(action, "do_step"))
        return change_do_step(f->st, ref, 1, "出力", NULL, err);
    if (streq(action, "edit_hosts"))
        return change_set_host(f->st, ref, "lib-ap01", 1, err);
    return change_step(f->st, ref, action, "理由", err);
}

static void make_run(struct ledger_fx *f, char ref[64])
{
    char path[160];
    snprintf(path, sizeof path, "%s/jobs.ini", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[WF1]\nname_ja = 手作業\nname_en = manual work\nperiod = manual\nhost = lib-ap01\n"
          "step = 手で行う\ndeliver_to = 資料課\n",
          fp);
    fclose(fp);
    struct job_defs defs = {0};
    char *err = NULL, id[ID_LEN + 1];
    if (jobs_parse_file(path, &defs, &err) != 0 || jobs_install(f->st, &defs, NULL, &err) != 0 ||
        jobs_add_run(f->st, "WF1", DAY, id, &err) != 0)
        fail_msg("%s", err);
    jobs_defs_free(&defs);
    snprintf(ref, 64, "WF1@" DAY);
}

static int act_run(struct ledger_fx *f, const char *ref, const char *action, char **err)
{
    if (streq(action, "deliver"))
        return jobs_deliver(f->st, ref, "資料課", "list.txt", "手渡し", err);
    return jobs_run_action(f->st, ref, action, "理由", err);
}

static void make_incident(struct ledger_fx *f, char ref[64])
{
    fx_incident(f, "OPAC端末が起動しない", "2階の端末", ref);
}

static int act_incident(struct ledger_fx *f, const char *ref, const char *action, char **err)
{
    if (streq(action, "submit"))
        return incident_submit(f->st, f->sla, ref, err);
    struct incident_step_args a = {.note = "理由", .assignee = "sato", .to = "中央館 佐々木様"};
    return incident_step(f->st, f->sla, ref, action, &a, err);
}

static void make_inquiry(struct ledger_fx *f, char ref[64])
{
    struct inquiry_new in = {.library = "MIN",
                             .channel = "phone",
                             .title = "予約の取り置き期限を変更したい",
                             .question = "取り置き期限を7日から10日にできるか。"};
    char *err = NULL;
    if (inquiry_create(f->st, &in, NULL, ref, &err) != 0)
        fail_msg("%s", err);
    /* A draft answer by yamada, so a review finds one whatever the state. */
    assert_int_equal(store_exec(f->st,
                                "UPDATE inquiries SET draft_answer = '設定で変更できます。', "
                                "draft_by = (SELECT id FROM operators WHERE login = 'yamada')",
                                &err),
                     0);
}

static int act_inquiry(struct ledger_fx *f, const char *ref, const char *action, char **err)
{
    char inc[24];
    if (streq(action, "drafted"))
        return inquiry_draft(f->st, ref, "設定で変更できます。", err);
    if (streq(action, "approved"))
        return inquiry_review(f->st, ref, 1, NULL, NULL, err);
    if (streq(action, "returned"))
        return inquiry_review(f->st, ref, 0, "追記してください", NULL, err);
    if (streq(action, "answered"))
        return inquiry_answer(f->st, ref, "設定で変更できます。", err);
    if (streq(action, "converted"))
        return inquiry_convert(f->st, f->sla, ref, 2, 2, NULL, inc, err);
    return inquiry_step(f->st, ref, action, "理由", err);
}

static void make_problem(struct ledger_fx *f, char ref[64])
{
    char *err = NULL;
    if (problem_create(f->st, "OPAC端末の起動障害", "再発する", "sato", NULL, ref, &err) != 0)
        fail_msg("%s", err);
}

static int act_problem(struct ledger_fx *f, const char *ref, const char *action, char **err)
{
    if (streq(action, "publish"))
        return problem_publish(f->st, ref, "OPAC", NULL, err);
    struct problem_update u = {.status = action,
                               .root_cause = "電源ユニットの劣化",
                               .workaround = "予備機に切り替える",
                               .permanent_measure = "電源ユニットを交換する"};
    return problem_update(f->st, ref, &u, err);
}

static const struct ledger ledgers[] = {
    {"changes", &change_workflow, "changes", "status", "requester_id", NULL, make_change,
     act_change},
    {"job runs", &job_run_workflow, "job_runs", "state", NULL, NULL, make_run, act_run},
    {"incidents", &incident_workflow, "incidents", "status", NULL, NULL, make_incident,
     act_incident},
    {"inquiries", &inquiry_workflow, "inquiries", "status", NULL, "draft_by", make_inquiry,
     act_inquiry},
    {"problems", &problem_workflow, "problems", "status", NULL, NULL, make_problem, act_problem},
};

/* ---- what "nothing written" means ---- */

static char *row_text(struct store *st, const struct ledger *l)
{
    /* The whole row of the one record, every column quoted. */
    char *cols = xasprintf("SELECT group_concat(name, ') || ''|'' || quote(') FROM "
                           "pragma_table_info('%s')",
                           l->table);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(st->db, cols, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    char *sql =
        xasprintf("SELECT quote(%s) FROM %s", (const char *)sqlite3_column_text(s, 0), l->table);
    sqlite3_finalize(s);
    free(cols);
    assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
    free(sql);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    char *out = xstrdup((const char *)sqlite3_column_text(s, 0));
    assert_int_equal(sqlite3_step(s), SQLITE_DONE); /* one record per ledger */
    sqlite3_finalize(s);
    return out;
}

/* Row counts of every table a state change of any ledger writes. */
static char *counts(struct store *st)
{
    static const char *const tables[] = {
        "audit",          "changes",        "change_events",   "change_steps", "change_effects",
        "config_items",   "incidents",      "incident_events", "inquiries",    "inquiry_events",
        "problems",       "problem_events", "knowledge",       "job_runs",     "job_run_events",
        "job_deliveries", "links"};
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
        char *sql = xasprintf("SELECT count(*) FROM %s", tables[i]);
        sqlite3_stmt *s;
        assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        sb_printf(&sb, "%s=%d ", tables[i], sqlite3_column_int(s, 0));
        sqlite3_finalize(s);
        free(sql);
    }
    sb_printf(&sb, "done_steps=%d",
              fx_count(st, "SELECT count(*) FROM change_steps WHERE done_at IS NOT NULL"));
    return sb_detach(&sb);
}

static void set_col(struct store *st, const struct ledger *l, const char *col, const char *value)
{
    char *err = NULL;
    char *sql = xasprintf("UPDATE %s SET %s = '%s'", l->table, col, value);
    if (store_exec(st, sql, &err) != 0)
        fail_msg("%s: %s", sql, err);
    free(sql);
}

static void set_person(struct store *st, const struct ledger *l, const char *col, const char *login)
{
    char *err = NULL;
    char *sql = xasprintf("UPDATE %s SET %s = (SELECT id FROM operators WHERE login = '%s')",
                          l->table, col, login);
    if (store_exec(st, sql, &err) != 0)
        fail_msg("%s: %s", sql, err);
    free(sql);
}

/* Takes action as login and expects a refusal containing every needle, nothing
 * written and no transaction left open. */
static void expect_refused(struct ledger_fx *f, const struct ledger *l, const char *ref,
                           const char *state, const char *action, const char *login, const char *n1,
                           const char *n2)
{
    fx_as(f->st, login);
    char *row = row_text(f->st, l), *before = counts(f->st);
    char *err = NULL;
    int rc = l->act(f, ref, action, &err);
    if (rc != -1)
        fail_msg("%s: %s by %s while %s was taken", l->name, action, login, state);
    if (!err || !*err)
        fail_msg("%s: %s while %s: refused without a message", l->name, action, state);
    if ((n1 && !strstr(err, n1)) || (n2 && !strstr(err, n2)))
        fail_msg("%s: %s by %s while %s: \"%s\" lacks \"%s\" or \"%s\"", l->name, action, login,
                 state, err, n1 ? n1 : "", n2 ? n2 : "");
    free(err);
    char *row2 = row_text(f->st, l), *after = counts(f->st);
    if (!streq(row, row2))
        fail_msg("%s: %s while %s changed the row:\n  %s\n  %s", l->name, action, state, row, row2);
    if (!streq(before, after))
        fail_msg("%s: %s while %s wrote rows:\n  %s\n  %s", l->name, action, state, before, after);
    assert_true(sqlite3_get_autocommit(f->st->db)); /* no transaction left open */
    free(row), free(row2), free(before), free(after);
}

/* ---- the tables themselves ---- */

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++)
        if (streq(list[i], s))
            return 1;
    return 0;
}

static void test_tables_are_consistent(void **state)
{
    (void)state;
    for (size_t k = 0; k < ARRAY_LEN(ledgers); k++) {
        const struct wf_table *t = ledgers[k].t;
        for (size_t i = 0; i < t->nrows; i++) {
            const struct wf_transition *r = &t->rows[i];
            if (!in_list(t->states, r->from) || !in_list(t->actions, r->action) ||
                (r->to && !in_list(t->states, r->to)))
                fail_msg("%s: row %s --%s--> %s names an unknown state or action", ledgers[k].name,
                         r->from, r->action, r->to ? r->to : "(stays)");
            for (size_t j = 0; j < i; j++)
                if (streq(t->rows[j].from, r->from) && streq(t->rows[j].action, r->action))
                    fail_msg("%s: (%s, %s) twice", ledgers[k].name, r->from, r->action);
        }
        /* Every state and action has a label (English here: the key's words). */
        for (size_t i = 0; t->states[i]; i++)
            assert_true(*t->state_name(t->states[i]));
        for (size_t i = 0; t->actions[i]; i++)
            assert_true(*t->action_name(t->actions[i]));
    }
}

/* ---- every illegal pair of every ledger ---- */

static void walk_illegal(struct ledger_fx *f, const struct ledger *l)
{
    char ref[64];
    l->make(f, ref);
    const struct wf_table *t = l->t;
    int walked = 0;
    for (size_t i = 0; t->states[i]; i++) {
        const char *s = t->states[i];
        set_col(f->st, l, l->state_col, s);
        for (size_t j = 0; t->actions[j]; j++) {
            const char *a = t->actions[j];
            if (workflow_find(t, s, a))
                continue;
            /* takahashi: an engineer who filed and drafted nothing, so the state alone
             * refuses; the message names the action and the state by their labels. */
            int somewhere = 0; /* then the message says where it is allowed */
            for (size_t r = 0; r < t->nrows; r++)
                somewhere |= streq(t->rows[r].action, a);
            char *want = xasprintf("%s is not allowed while %s%s", t->action_name(a),
                                   t->state_name(s), somewhere ? " (only while " : "");
            expect_refused(f, l, ref, s, a, "takahashi", want, ref);
            free(want);
            walked++;
        }
    }
    print_message("%s: %d illegal (state, action) pairs refused, nothing written\n", l->name,
                  walked);
    assert_true(walked > 0);
}

static void test_illegal_changes(void **state)
{
    walk_illegal(*state, &ledgers[0]);
}
static void test_illegal_job_runs(void **state)
{
    walk_illegal(*state, &ledgers[1]);
}
static void test_illegal_incidents(void **state)
{
    walk_illegal(*state, &ledgers[2]);
}
static void test_illegal_inquiries(void **state)
{
    walk_illegal(*state, &ledgers[3]);
}
static void test_illegal_problems(void **state)
{
    walk_illegal(*state, &ledgers[4]);
}

/* ---- the legal ones, by the wrong person ---- */

static const struct {
    const char *login;
    unsigned role;
} people[] = {{"yamada", WF_OPERATOR}, {"sato", WF_ENGINEER}, {"ito", WF_MANAGER}};

static void walk_people(struct ledger_fx *f, const struct ledger *l, int *checked)
{
    char ref[64];
    l->make(f, ref);
    const struct wf_table *t = l->t;
    for (size_t i = 0; i < t->nrows; i++) {
        const struct wf_transition *r = &t->rows[i];
        if (!r->roles && !r->rules)
            continue;
        const char *col = r->rules & WF_NOT_REQUESTER ? l->requester_col : l->author_col;
        /* Somebody else's record: the wrong roles are refused. */
        if (col)
            set_person(f->st, l, col, "takahashi");
        for (size_t p = 0; p < ARRAY_LEN(people); p++) {
            if (!r->roles || (r->roles & people[p].role))
                continue;
            set_col(f->st, l, l->state_col, r->from);
            char *may = workflow_roles_text(r->roles);
            char *want =
                xasprintf("only %s may %s this %s", may, t->action_name(r->action), t->noun);
            expect_refused(f, l, ref, r->from, r->action, people[p].login, want, ref);
            free(want), free(may);
            (*checked)++;
        }
        /* sato's own record: sato may not, though of the right role. */
        if (r->rules) {
            assert_non_null(col);
            set_person(f->st, l, col, "sato");
            set_col(f->st, l, l->state_col, r->from);
            char *want =
                r->rules & WF_NOT_REQUESTER
                    ? xasprintf("the requester cannot %s their own %s", t->action_name(r->action),
                                t->noun)
                    : xasprintf("the author of the draft cannot %s it", t->action_name(r->action));
            expect_refused(f, l, ref, r->from, r->action, "sato", want, ref);
            free(want);
            (*checked)++;
        }
        /* The right person takes it. */
        set_col(f->st, l, l->state_col, r->from);
        fx_as(f->st, "takahashi");
        char *err = NULL;
        if (l->act(f, ref, r->action, &err) != 0)
            fail_msg("%s: %s while %s by takahashi: %s", l->name, r->action, r->from, err);
        if (r->to) {
            char *row = row_text(f->st, l);
            char *quoted = xasprintf("'%s'", r->to);
            if (!strstr(row, quoted))
                fail_msg("%s: %s while %s did not reach %s: %s", l->name, r->action, r->from, r->to,
                         row);
            free(row), free(quoted);
        }
    }
}

static void test_wrong_person(void **state)
{
    int checked = 0;
    for (size_t k = 0; k < ARRAY_LEN(ledgers); k++)
        walk_people(*state, &ledgers[k], &checked);
    print_message("%d legal transitions refused to the wrong person\n", checked);
    /* changes: approve, return; inquiries: approve and return from drafted and in review */
    assert_true(checked >= 2 * 3 + 4 * 3);
}

/* The four-eyes comparison is by operator id: a requester whose login changed is
 * still the requester. */
static void test_four_eyes_by_id(void **state)
{
    struct ledger_fx *f = *state;
    const struct ledger *l = &ledgers[0];
    char ref[64];
    fx_as(f->st, "sato");
    make_change(f, ref);
    set_col(f->st, l, "status", "in_review");
    char *err = NULL;
    assert_int_equal(
        store_exec(f->st, "UPDATE operators SET login = 'sato2' WHERE login = 'sato'", &err), 0);
    expect_refused(f, l, ref, "in_review", "approve", "sato2",
                   "the requester cannot approve their own change", NULL);
    /* The same for an inquiry's draft, written under the old login. */
    const struct ledger *q = &ledgers[3];
    char iref[64];
    fx_as(f->st, "takahashi");
    make_inquiry(f, iref);
    set_person(f->st, q, "draft_by", "sato2");
    set_col(f->st, q, "status", "in_review");
    expect_refused(f, q, iref, "in_review", "approved", "sato2",
                   "the author of the draft cannot approve it", NULL);
}

/* A raw key or an English word: lower-case ASCII ("SE" is Japanese usage). */
static int has_ascii_word(const char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            return 1;
    return 0;
}

/* In Japanese nothing of a refusal is English or a raw key: the labels of every state,
 * action and role, and a state refusal of every ledger (its ref taken out). */
static void test_japanese_shows_labels(void **state)
{
    struct ledger_fx *f = *state;
    if (access(UNYO_LOCALEDIR "/ja/LC_MESSAGES/unyo.mo", R_OK) != 0) {
        print_message("the Japanese catalog is not built (make builds it)\n");
        skip();
    }
    setenv("LC_ALL", "C.UTF-8", 1);
    i18n_init("ja");
    char *roles = workflow_roles_text(WF_OPERATOR | WF_ENGINEER | WF_MANAGER);
    if (has_ascii_word(roles))
        fail_msg("roles: %s", roles);
    free(roles);
    for (size_t k = 0; k < ARRAY_LEN(ledgers); k++) {
        const struct ledger *l = &ledgers[k];
        const struct wf_table *t = l->t;
        for (size_t i = 0; t->states[i]; i++)
            if (has_ascii_word(t->state_name(t->states[i])))
                fail_msg("%s: state %s shows as %s", l->name, t->states[i],
                         t->state_name(t->states[i]));
        for (size_t i = 0; t->actions[i]; i++)
            if (has_ascii_word(t->action_name(t->actions[i])))
                fail_msg("%s: action %s shows as %s", l->name, t->actions[i],
                         t->action_name(t->actions[i]));
        /* The first illegal pair outside a draft (whose hint names a command). */
        char ref[64];
        l->make(f, ref);
        const char *s = NULL, *a = NULL;
        for (size_t i = 0; !a && t->states[i]; i++)
            for (size_t j = 0; !a && t->actions[j]; j++)
                if (!streq(t->states[i], "draft") && !workflow_find(t, t->states[i], t->actions[j]))
                    s = t->states[i], a = t->actions[j];
        assert_non_null(a);
        set_col(f->st, l, l->state_col, s);
        fx_as(f->st, "takahashi");
        char *err = NULL;
        assert_int_equal(l->act(f, ref, a, &err), -1);
        char *hit = strstr(err, ref);
        assert_non_null(hit);
        memset(hit, '#', strlen(ref));
        if (has_ascii_word(err) || !strstr(err, t->state_name(s)) ||
            !strstr(err, t->action_name(a)))
            fail_msg("%s: %s while %s reads \"%s\"", l->name, a, s, err);
        free(err);
    }
    setenv("LC_ALL", "C", 1);
    i18n_init("en");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_are_consistent),
        cmocka_unit_test_setup_teardown(test_illegal_changes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_illegal_job_runs, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_illegal_incidents, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_illegal_inquiries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_illegal_problems, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_person, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_four_eyes_by_id, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_japanese_shows_labels, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
