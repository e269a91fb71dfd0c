/* Issue 13, "Japanese all the way": every enumerated value a person reads has a
 * Japanese label. With the Japanese catalog, every value of every enum family's
 * label function reads differently from its key and holds no ASCII letter (but
 * for the names that are Japanese usage too: SLA, AP, DB, ...); a timeline's
 * JSON data reads as labelled text, with display names and durations, never
 * with a brace or a quote. */
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
#include "cmdb.h"
#include "event_text.h"
#include "i18n.h"
#include "incidents.h"
#include "inquiries.h"
#include "jobs.h"
#include "labels.h"
#include "problems.h"
#include "sla.h"
#include "support/ledger_fixture.h"
#include "util.h"
#include "workflow.h"

/* Words that are Japanese usage as they are (a label may hold them). */
static const char *const allowed[] = {"SLA", "WSUS", "AP", "DB", "AD", "SE", "OK", "NG", NULL};

/* 1 when s holds an ASCII letter outside an allowed word. */
static int has_english(const char *s)
{
    while (*s) {
        int skipped = 0;
        for (size_t i = 0; allowed[i]; i++) {
            size_t n = strlen(allowed[i]);
            if (strncmp(s, allowed[i], n) == 0 &&
                !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))) {
                s += n;
                skipped = 1;
                break;
            }
        }
        if (skipped)
            continue;
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
            return 1;
        s++;
    }
    return 0;
}

static int is_allowed_word(const char *s)
{
    for (size_t i = 0; allowed[i]; i++)
        if (streq(allowed[i], s))
            return 1;
    return 0;
}

static int failures, quiet;

static void check(const char *family, const char *key, const char *label)
{
    if (!label || !*label || (streq(label, key) && !is_allowed_word(key)) || has_english(label)) {
        if (!quiet)
            print_error("%s: \"%s\" shows as \"%s\"\n", family, key, label ? label : "(null)");
        failures++;
    }
}

static void walk(const char *family, const char *const *keys, const char *(*label)(const char *))
{
    for (size_t i = 0; keys[i]; i++)
        check(family, keys[i], label(keys[i]));
}

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

static void test_every_enum_value_has_a_japanese_label(void **state)
{
    (void)state;
    if (!ja())
        skip();
    failures = 0;
    /* The families of src/labels.c. */
    walk("role", label_roles, label_role);
    walk("host role", label_host_roles, label_host_role);
    walk("risk", label_risks, label_risk);
    walk("risk (changes)", change_risks, label_risk);
    walk("shift", label_shifts, label_shift);
    walk("library kind", label_library_kinds, label_library_kind);
    walk("configuration kind", label_config_kinds, label_config_kind);
    walk("configuration kind (cmdb)", cmdb_kinds, label_config_kind);
    walk("configuration op", label_config_ops, label_config_op);
    walk("link kind", label_link_kinds, label_link_kind);
    walk("yes/no", label_yes_no_keys, label_yes_no_key);
    walk("event key", label_event_keys, label_event_key);
    walk("pane", label_panes, label_pane);
    walk("severity", label_severities, label_severity);
    check("yes/no", "1", label_yes_no(1));
    check("yes/no", "0", label_yes_no(0));
    /* The ledgers' states and actions, as their workflows list them. */
    const struct wf_table *const tables[] = {&incident_workflow, &inquiry_workflow,
                                             &problem_workflow, &change_workflow,
                                             &job_run_workflow};
    for (size_t k = 0; k < ARRAY_LEN(tables); k++) {
        walk(tables[k]->noun, tables[k]->states, tables[k]->state_name);
        walk(tables[k]->noun, tables[k]->actions, tables[k]->action_name);
    }
    /* Event kinds beyond the states, channels, categories, job run states. */
    static const char *const incident_kinds[] = {"draft",  "received",  "note",     "assigned",
                                                 "paused", "resumed",   "notified", "sla_breached",
                                                 "linked", "converted", NULL};
    walk("incident event", incident_steps, incident_status_name);
    walk("incident event", incident_kinds, incident_status_name);
    walk("channel", incident_channels, incident_channel_name);
    walk("category", incident_categories, incident_category_name);
    static const char *const inquiry_kinds[] = {
        "received", "investigating", "drafted",   "in_review", "approved", "returned",
        "answered", "closed",        "converted", "note",      NULL};
    walk("inquiry event", inquiry_kinds, inquiry_status_name);
    walk("problem", problem_statuses, problem_status_name);
    walk("change", change_statuses, change_status_name);
    walk("change", change_verbs, change_action_name);
    static const char *const change_kinds[] = {"step_done", "step_added", "effect_added", NULL};
    walk("change event", change_kinds, change_status_name);
    walk("job run", job_run_states, jobs_state_name);
    static const char *const job_kinds[] = {"retry",       "rerun",   "escalated", "delivered",
                                            "late_result", "stopped", NULL};
    walk("job run event", job_kinds, jobs_state_name);
    for (int s = 0; s < SLA_NSTEPS; s++)
        check("SLA step", sla_step_key((enum sla_step)s), sla_step_name((enum sla_step)s));
    for (enum sla_state s = SLA_OK; s <= SLA_MISSED; s++)
        check("SLA state", sla_state_key(s), sla_state_name(s));
    en();
    assert_int_equal(failures, 0);
}

static void test_the_checker_catches_a_raw_value(void **state)
{
    (void)state;
    /* The test above is worth something only if it fails on what the tester saw. */
    assert_true(has_english("waiting"));
    assert_true(has_english("（created 順）"));
    assert_true(has_english("担当: suzuki"));
    assert_false(has_english("SLA超過"));
    assert_false(has_english("AP"));
    failures = 0;
    quiet = 1;
    check("role", "operator", "operator");
    quiet = 0;
    assert_int_equal(failures, 1);
    failures = 0;
}

static void test_event_data_reads_as_labelled_text(void **state)
{
    struct ledger_fx *f = *state;
    if (!ja())
        skip();
    static const struct {
        const char *data, *want;
    } cases[] = {
        {"{\"assignee\":\"sato\"}", "担当: 佐藤 健"},
        {"{\"paused_seconds\":3600}", "停止: 1時間"},
        {"{\"paused_seconds\":300}", "停止: 5分"},
        {"{\"paused_seconds\":3900}", "停止: 1時間5分"},
        {"{\"kind\":\"ssh_session\",\"id\":\"x1\"}", "種別: 端末セッション、識別子: x1"},
        {"{\"step\":\"first_response\",\"target_seconds\":14400,\"elapsed_seconds\":18000}",
         "段階: 1次対応、目標: 4時間、経過: 5時間"},
        {"{\"timed_out\":true}", "時間切れ: はい"},
        {"{\"assignee\":\"nobody\"}", "担当: nobody"},
        {"{\"colour\":\"blue\"}", "colour: blue"},
        {"{\"nested\":{\"assignee\":\"ito\"}}", "担当: 伊藤 由美"},
        {"not json {\"a\"", "not json a"},
        {NULL, ""},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *got = incident_event_text(f->st, cases[i].data);
        if (!streq(got, cases[i].want))
            fail_msg("%s reads \"%s\", not \"%s\"", cases[i].data ? cases[i].data : "NULL", got,
                     cases[i].want);
        assert_null(strpbrk(got, "{}\""));
        free(got);
    }
    en();
    /* In English the keys are labels too, and no JSON is left. */
    char *got = incident_event_text(f->st, "{\"assignee\":\"sato\",\"paused_seconds\":60}");
    assert_string_equal(got, "assignee: 佐藤 健, paused: 1 min");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_enum_value_has_a_japanese_label),
        cmocka_unit_test(test_the_checker_catches_a_raw_value),
        cmocka_unit_test_setup_teardown(test_event_data_reads_as_labelled_text, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
