#include "ui_setup.h"

#include <stdlib.h>
#include <string.h>

#include "cmdlog.h"
#include "host_trust.h"
#include "hosts.h"
#include "i18n.h"
#include "labels.h"
#include "libraries.h"
#include "operators.h"
#include "setup.h"
#include "shifts.h"
#include "store.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_shift.h"
#include "util.h"

/* The steps, in order. A step's modal carries a struct step; when the modal closes
 * (saved, chosen or skipped with Esc) its free opens step->next, so the set-up goes
 * on from whatever closes it. NONE ends the chain (a step opened on its own). */
enum { STEP_NONE = -1, STEP_YOU, STEP_LIBRARIES, STEP_HOSTS, STEP_SHIFT, STEP_END };
/* Not a step: the list of `:library`, opened again after an action from it. */
enum { LIBRARY_LIST = 100 };

struct step {
    int next;
};

static int shift_started; /* the shift step started one: its message stays */

static void step_open(int step);

static struct step *step_new(int next)
{
    struct step *s = xcalloc(1, sizeof *s);
    s->next = next;
    return s;
}

static void step_close(void *data)
{
    struct step *s = data;
    int next = s->next;
    free(s);
    if (next != STEP_NONE)
        step_open(next);
}

/* "First run 2/4: the libraries" */
static char *step_title(int n, const char *what)
{
    return xasprintf(_("First run %d/4: %s (Esc: skip)"), n, what);
}

/* ---- 1: who you are ---- */

static const char *const you_roles[] = {"manager", "operator", "engineer"};
static const char *const you_role_labels[] = {N_("manager (PM/PL: may register others)"),
                                              N_("operator (day-to-day operations)"),
                                              N_("engineer (maintenance)")};

static int submit_you(struct ui_form *f, void *data, char **err)
{
    (void)data;
    char *login = ui_field_value(ui_form_field(f, 0));
    char *name = ui_field_value(ui_form_field(f, 1));
    int choice = ui_form_field(f, 2)->choice;
    const char *role = you_roles[choice];
    struct store *st = ui_store();
    int rc = operator_add(st, login, name, role, NULL, err);
    if (rc == 0) {
        const char *words[] = {"operator", "add", login, "--role", role, "--name", name, NULL};
        cmdlog_add(words);
        char *ignore = NULL;
        if (streq(login, store_os_login()) && store_require_operator(st, &ignore) != 0)
            free(ignore);
        ui_message(_("Registered %s (%s) as %s."), name, login, _(you_role_labels[choice]));
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_STATUS);
    }
    free(login);
    free(name);
    return rc;
}

static void open_you(void)
{
    static const char *labels[3];
    for (int i = 0; i < 3; i++)
        labels[i] = _(you_role_labels[i]);
    /* The first person registered in a store is its manager (who registers the
     * others); a later one (`:setup` by someone new) is asked. */
    int none = 0;
    char *err = NULL;
    if (setup_no_operator(ui_store(), &none, &err) != 0)
        ui_error_take(err);
    char *title = step_title(1, _("you (the first one is a manager)"));
    struct ui_form *f = ui_form_new(title, submit_you, step_new(STEP_LIBRARIES));
    free(title);
    ui_form_set_data_free(f, step_close);
    ui_form_text(f, _("Login (OS user name)"), store_os_login(), 1);
    ui_form_text(f, _("Name"), NULL, 1);
    ui_form_choice(f, _("Role"), labels, none ? 1 : 3, 0);
    ui_form_show(f);
}

/* ---- 2: the libraries ---- */

static const char *const kind_codes[] = {"branch", "central", "center", "datacenter", "office"};

static int submit_library(struct ui_form *f, void *data, char **err)
{
    (void)data;
    char *code = ui_field_value(ui_form_field(f, 0));
    char *name = ui_field_value(ui_form_field(f, 1));
    char *name_en = ui_field_value(ui_form_field(f, 2));
    const char *kind = kind_codes[ui_form_field(f, 3)->choice];
    struct library_fields lf = {.code = code, .name_ja = name, .name_en = name_en, .kind = kind};
    int rc = library_add(ui_store(), &lf, err);
    if (rc == 0) {
        if (*name_en) {
            const char *words[] = {"library",   "add",   code,     "--name", name,
                                   "--name-en", name_en, "--kind", kind,     NULL};
            cmdlog_add(words);
        } else {
            const char *words[] = {"library", "add", code, "--name", name, "--kind", kind, NULL};
            cmdlog_add(words);
        }
        ui_message(_("Added the library %s (%s)."), name, code);
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_STATUS);
    }
    free(code);
    free(name);
    free(name_en);
    return rc;
}

/* The form that adds a library; when it closes, next opens (the list again in the
 * set-up, nothing after `:library add`). */
static void open_library_form(const char *name, int next)
{
    static const char *kinds[ARRAY_LEN(kind_codes)];
    for (size_t i = 0; i < ARRAY_LEN(kind_codes); i++)
        kinds[i] = label_library_kind(kind_codes[i]);
    struct ui_form *f = ui_form_new(_("Add a library"), submit_library, step_new(next));
    ui_form_set_data_free(f, step_close);
    ui_form_text(f, _("Code (e.g. KIT2)"), NULL, 1);
    ui_form_text(f, _("Name"), name && *name ? name : NULL, 1);
    ui_form_text(f, _("Name in English"), NULL, 0);
    ui_form_choice(f, _("Kind"), kinds, (int)ARRAY_LEN(kinds), 0);
    ui_form_show(f);
}

struct lib_pick {
    struct step step; /* first: step_close frees the whole */
    int in_setup;
    char **codes, **names; /* per library row */
    size_t n;
};

static void lib_pick_free(void *data)
{
    struct lib_pick *p = data;
    for (size_t i = 0; i < p->n; i++)
        free(p->codes[i]), free(p->names[i]);
    free(p->codes);
    free(p->names);
    step_close(data);
}

struct rename_ctx {
    struct step step;
    char *code;
};

static void rename_free(void *data)
{
    struct rename_ctx *r = data;
    free(r->code);
    step_close(data);
}

static int submit_rename(const char *text, void *data, char **err)
{
    struct rename_ctx *r = data;
    if (library_rename(ui_store(), r->code, text, NULL, err) != 0)
        return -1;
    const char *words[] = {"library", "rename", r->code, "--name", text, NULL};
    cmdlog_add(words);
    ui_message(_("Renamed the library %s to %s."), r->code, text);
    ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_STATUS);
    return 0;
}

static void open_libraries(int in_setup);

struct retire_ctx {
    struct step step;
    char *code;
};

static void retire_answer(int yes, void *data)
{
    struct retire_ctx *r = data;
    char *err = NULL;
    if (yes) {
        if (library_retire(ui_store(), r->code, &err) != 0) {
            ui_error_take(err);
        } else {
            const char *words[] = {"library", "retire", r->code, NULL};
            cmdlog_add(words);
            ui_message(_("Retired the library %s: it is no longer offered for new records."),
                       r->code);
            ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_STATUS);
        }
    }
    free(r->code);
    step_close(r);
}

/* d on a library: asks, naming it and what retiring does. */
static void lib_deleted(int index, void *data)
{
    struct lib_pick *p = data;
    int fixed = p->in_setup ? 2 : 1;
    int after = p->in_setup ? STEP_LIBRARIES : LIBRARY_LIST;
    if (index < fixed || (size_t)(index - fixed) >= p->n) {
        p->step.next = after; /* nothing to retire: the list again */
        return;
    }
    struct retire_ctx *r = xcalloc(1, sizeof *r);
    r->step.next = after;
    p->step.next = STEP_NONE;
    r->code = xstrdup(p->codes[index - fixed]);
    char *q = xasprintf(_("Retire the library %s (%s)? New incidents and inquiries can no longer "
                          "name it; what was filed against it keeps its name. (y/n)"),
                        p->names[index - fixed], r->code);
    ui_confirm(q, retire_answer, r);
    free(q);
}

/* Rows: add, (go on,) then one per library. */
static void lib_picked(int index, void *data)
{
    struct lib_pick *p = data;
    int after = p->in_setup ? STEP_LIBRARIES : LIBRARY_LIST;
    int fixed = p->in_setup ? 2 : 1;
    if (index == 0) {
        p->step.next = STEP_NONE;
        open_library_form(NULL, after);
    } else if (p->in_setup && index == 1) {
        p->step.next = STEP_HOSTS;
    } else if ((size_t)(index - fixed) < p->n) {
        p->step.next = STEP_NONE;
        struct rename_ctx *r = xcalloc(1, sizeof *r);
        r->step.next = after;
        r->code = xstrdup(p->codes[index - fixed]);
        char *label = xasprintf(_("New name of %s"), r->code);
        ui_prompt(_("Rename a library"), label, NULL, 1, submit_rename, r, rename_free);
        free(label);
    }
}

static void open_libraries(int in_setup)
{
    struct library_brief *libs = NULL;
    size_t n = 0;
    char *err = NULL;
    if (library_list(ui_store(), &libs, &n, &err) != 0) {
        ui_error_take(err);
        if (in_setup)
            step_open(STEP_HOSTS);
        return;
    }
    struct lib_pick *p = xcalloc(1, sizeof *p);
    p->step.next = in_setup ? STEP_HOSTS : STEP_NONE;
    p->in_setup = in_setup;
    p->codes = xcalloc(n ? n : 1, sizeof *p->codes);
    p->names = xcalloc(n ? n : 1, sizeof *p->names);
    p->n = n;
    size_t fixed = in_setup ? 2 : 1, rows = n + fixed;
    char **items = xcalloc(rows, sizeof *items);
    items[0] = xstrdup(_("+ Add a library"));
    if (in_setup)
        items[1] = xstrdup(_("→ Go on: the hosts"));
    for (size_t i = 0; i < n; i++) {
        p->codes[i] = xstrdup(libs[i].code);
        p->names[i] = xstrdup(library_name(&libs[i]));
        items[fixed + i] = xasprintf("  %-6s %s (%s)", libs[i].code, library_name(&libs[i]),
                                     label_library_kind(libs[i].kind));
    }
    library_list_free(libs, n);
    char *title = in_setup ? step_title(2, _("libraries (Enter: add, rename  d: retire)"))
                           : xstrdup(_("Libraries (Enter: add, rename  d: retire)"));
    ui_pick_ex(title, (const char *const *)items, (int)rows, lib_picked, lib_deleted, p,
               lib_pick_free);
    free(title);
    for (size_t i = 0; i < rows; i++)
        free(items[i]);
    free(items);
}

void ui_library_command(const char *arg)
{
    while (arg && *arg == ' ')
        arg++;
    if (arg && strncmp(arg, "add", 3) == 0 && (arg[3] == '\0' || arg[3] == ' ')) {
        const char *name = arg + 3;
        while (*name == ' ')
            name++;
        open_library_form(name, STEP_NONE);
    } else if (!arg || !*arg || streq(arg, "list")) {
        open_libraries(0);
    } else {
        ui_error("%s", _("library takes: add [NAME], or nothing for the list"));
    }
}

/* ---- 3: the hosts ---- */

struct host_pick {
    struct step step; /* first: step_close frees the whole */
    int in_setup;
    char **names; /* per host row */
    size_t n;
};

static void host_pick_free(void *data)
{
    struct host_pick *p = data;
    for (size_t i = 0; i < p->n; i++)
        free(p->names[i]);
    free(p->names);
    step_close(data);
}

struct key_job {
    struct host_key_check *k;
    int after; /* the step to open when the question is answered */
};

static void key_job_end(struct key_job *j)
{
    int after = j->after;
    host_key_check_free(j->k);
    free(j);
    if (after != STEP_NONE)
        step_open(after);
}

static void key_answer(int yes, void *data)
{
    struct key_job *j = data;
    if (yes) {
        char *err = NULL;
        if (host_key_check_trust(j->k, &err) != 0) {
            ui_error_take(err);
        } else {
            const char *words[] = {"host", "trust", host_key_check_host(j->k), NULL};
            cmdlog_add(words);
            ui_message(_("Trusted the host key of %s: %s"), host_key_check_host(j->k),
                       host_key_check_fingerprint(j->k));
        }
    } else {
        ui_message(_("The host key of %s was not trusted."), host_key_check_host(j->k));
    }
    key_job_end(j);
}

static void key_work(void *arg)
{
    struct key_job *j = arg;
    host_key_check_run(j->k);
}

static void key_done(void *arg)
{
    struct key_job *j = arg;
    int r = host_key_check_result(j->k);
    if (r == 1) {
        char *a =
            xasprintf(_("The host key of %s is not in known_hosts."), host_key_check_label(j->k));
        char *b = xasprintf(_("Key fingerprint: %s"), host_key_check_fingerprint(j->k));
        char *q = xasprintf("%s %s %s", a, b,
                            _("Trust this key and add it to known_hosts? (y/n) Compare it with "
                              "the fingerprint the server's administrator gave you."));
        ui_confirm(q, key_answer, j);
        free(a), free(b), free(q);
        ui_dirty(UI_DIRTY_ALL);
        return;
    }
    if (r == 0)
        ui_message(_("The host key of %s is already trusted: %s"), host_key_check_host(j->k),
                   host_key_check_fingerprint(j->k));
    else
        ui_error(_("checking the host key of %s: %s"), host_key_check_host(j->k),
                 host_key_check_error(j->k));
    ui_dirty(UI_DIRTY_ALL);
    key_job_end(j);
}

static void check_key(const char *name, int after)
{
    char *err = NULL;
    struct host_key_check *k = host_key_check_new(ui_store(), name, &err);
    if (!k) {
        ui_error_take(err);
        if (after != STEP_NONE)
            step_open(after);
        return;
    }
    struct key_job *j = xcalloc(1, sizeof *j);
    j->k = k;
    j->after = after;
    ui_message(_("connecting to %s for its host key…"), name);
    if (ui_bg_run(key_work, key_done, j) != 0) {
        key_work(j);
        key_done(j);
    }
}

/* Rows: import, go on, then one per host (Enter checks its key). */
static void hosts_picked(int index, void *data)
{
    struct host_pick *p = data;
    if (index == 0) {
        int added = 0, skipped = 0;
        char *err = NULL;
        p->step.next = STEP_HOSTS; /* the list again, with what came in */
        if (hosts_import_ssh_config(ui_store(), NULL, &added, &skipped, &err) != 0) {
            ui_error_take(err);
            return;
        }
        const char *words[] = {"host", "import-ssh-config", NULL};
        cmdlog_add(words);
        ui_message(_("Imported %d hosts from ~/.ssh/config (%d already in the inventory)."), added,
                   skipped);
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_STATUS);
    } else if (index >= 2 && (size_t)(index - 2) < p->n) {
        p->step.next = STEP_NONE;
        check_key(p->names[index - 2], STEP_HOSTS);
    }
}

static void open_hosts(void)
{
    struct host *hosts = NULL;
    size_t n = 0;
    char *err = NULL;
    if (host_list(ui_store(), &hosts, &n, &err) != 0) {
        ui_error_take(err);
        n = 0;
    }
    struct host_pick *p = xcalloc(1, sizeof *p);
    p->step.next = STEP_SHIFT;
    p->names = xcalloc(n ? n : 1, sizeof *p->names);
    p->n = n;
    char **items = xcalloc(n + 2, sizeof *items);
    items[0] = xstrdup(_("Import the hosts of ~/.ssh/config"));
    items[1] = xstrdup(_("→ Go on: the shift"));
    for (size_t i = 0; i < n; i++) {
        p->names[i] = xstrdup(hosts[i].name);
        items[2 + i] = xasprintf(_("  %s  %s — Enter: check its host key"), hosts[i].name,
                                 hosts[i].address     ? hosts[i].address
                                 : hosts[i].ssh_alias ? hosts[i].ssh_alias
                                                      : "");
    }
    host_list_free(hosts, n);
    char *title = step_title(3, _("the hosts"));
    ui_pick_ex(title, (const char *const *)items, (int)(n + 2), hosts_picked, NULL, p,
               host_pick_free);
    free(title);
    for (size_t i = 0; i < n + 2; i++)
        free(items[i]);
    free(items);
}

/* ---- 4: the shift ---- */

struct shift_pick {
    struct step step;
    char **codes;
    size_t n;
};

static void shift_pick_free(void *data)
{
    struct shift_pick *p = data;
    for (size_t i = 0; i < p->n; i++)
        free(p->codes[i]);
    free(p->codes);
    step_close(data);
}

static void shift_picked(int index, void *data)
{
    struct shift_pick *p = data;
    if (index >= 0 && (size_t)index < p->n) {
        ui_shift_start(p->codes[index]);
        shift_started = 1;
    }
}

static void open_shift(void)
{
    struct shift_defs defs;
    char *err = NULL;
    if (shift_defs_load_default(&defs, &err) != 0) {
        ui_error_take(err);
        step_open(STEP_END);
        return;
    }
    struct shift_pick *p = xcalloc(1, sizeof *p);
    p->step.next = STEP_END;
    p->codes = xcalloc(defs.count + 1, sizeof *p->codes);
    char **items = xcalloc(defs.count + 1, sizeof *items);
    /* The shift of this hour first, as `t` in the Handover pane. */
    const struct shift_def *guess = shift_guess(ui_store(), &defs, time_now_ms(), &err);
    free(err);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < defs.count; i++) {
            const struct shift_def *d = &defs.items[i];
            if ((pass == 0) != (d == guess))
                continue;
            p->codes[p->n] = xstrdup(d->code);
            /* by name and hours, as the Handover pane's chooser: no code like (early) */
            items[p->n++] =
                xasprintf(_("Start %s now  %s-%s"), shift_def_label(d), d->start, d->end);
        }
    size_t rows = p->n;
    items[rows++] = xstrdup(_("Later: t in the Handover pane, or :shift"));
    char *title = step_title(4, _("the shift"));
    ui_pick_ex(title, (const char *const *)items, (int)rows, shift_picked, NULL, p,
               shift_pick_free);
    free(title);
    for (size_t i = 0; i < rows; i++)
        free(items[i]);
    free(items);
    shift_defs_free(&defs);
}

/* ---- the sequence ---- */

static void step_open(int step)
{
    switch (step) {
    case STEP_YOU:
        open_you();
        break;
    case STEP_LIBRARIES:
        open_libraries(1);
        break;
    case STEP_HOSTS:
        open_hosts();
        break;
    case STEP_SHIFT:
        open_shift();
        break;
    case LIBRARY_LIST:
        open_libraries(0);
        break;
    case STEP_END: {
        char *err = NULL;
        if (setup_first_run_done(ui_store(), &err) != 0)
            ui_error_take(err);
        else if (!shift_started)
            ui_message("%s", _("The first run is done. :setup opens it again; :log lists the unyo "
                               "commands it ran."));
        shift_started = 0;
        break;
    }
    }
}

void ui_setup_start(void)
{
    char *err = NULL;
    shift_started = 0;
    /* Who you are is asked only while you are not registered. */
    if (store_require_operator(ui_store(), &err) == 0) {
        step_open(STEP_LIBRARIES);
        return;
    }
    free(err);
    step_open(STEP_YOU);
}

void ui_setup_maybe_start(void)
{
    int due = 0;
    char *err = NULL;
    if (setup_first_run_due(ui_store(), &due, &err) != 0) {
        ui_error_take(err);
        return;
    }
    if (due)
        ui_setup_start();
}
