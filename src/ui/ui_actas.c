#include "ui_actas.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "operators.h"
#include "store.h"
#include "ui.h"
#include "ui_shift.h"
#include "util.h"

/* ---- a second person at the keyboard (`:as`) ---- */

void ui_act_as(const char *login)
{
    struct store *st = ui_store();
    char *err = NULL;
    if (login && !*login)
        login = NULL;
    if (operator_act_as(st, login, &err) != 0) {
        ui_error_take(err);
        return;
    }
    char *name = operator_display_name(st, store_os_login());
    if (strcmp(store_os_login(), store_own_login()) == 0)
        ui_message(_("From now on, actions are recorded as %s (back to the person who started "
                     "unyo)"),
                   name);
    else
        ui_message(_("From now on, actions are recorded as %s (:as alone goes back)"), name);
    free(name);
    ui_status_shift_changed();
    ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_COUNTS | UI_DIRTY_ALL);
}

struct pick_as {
    struct operator_brief *ops;
    size_t n;
};
static struct pick_as pending;

static void pending_free(void)
{
    operator_briefs_free(pending.ops, pending.n);
    pending.ops = NULL;
    pending.n = 0;
}

static void picked(int index, void *data)
{
    struct pick_as *p = data;
    if (index >= 0 && (size_t)index < p->n) {
        char *login = xstrdup(p->ops[index].login);
        ui_act_as(login);
        free(login);
    }
    pending_free();
}

void ui_act_as_pick(void)
{
    char *err = NULL;
    pending_free();
    if (operator_list_active(ui_store(), NULL, &pending.ops, &pending.n, &err) != 0) {
        ui_error_take(err);
        return;
    }
    if (pending.n == 0) {
        ui_message("%s", _("no active operator to act as"));
        return;
    }
    char **labels = xmalloc(pending.n * sizeof *labels);
    const char *me = store_os_login();
    for (size_t i = 0; i < pending.n; i++) {
        const struct operator_brief *o = &pending.ops[i];
        char *name = operator_display_name(ui_store(), o->login);
        labels[i] = strcmp(o->login, me) == 0
                        ? xasprintf(_("%s (%s) — at the keyboard now"), name, o->login)
                        : xasprintf("%s (%s)", name, o->login);
        free(name);
    }
    ui_pick(_("Who is at the keyboard? (Enter: later actions are recorded as that person)"),
            (const char *const *)labels, (int)pending.n, picked, &pending);
    for (size_t i = 0; i < pending.n; i++)
        free(labels[i]);
    free(labels);
}

char *ui_act_as_complete(const char *text)
{
    const char *word = strchr(text, ' ') + 1;
    size_t prefix = (size_t)(word - text);
    if (strchr(word, ' '))
        return NULL;
    struct operator_brief *ops = NULL;
    size_t n = 0;
    char *err = NULL;
    if (operator_list_active(ui_store(), NULL, &ops, &n, &err) != 0) {
        ui_error_take(err);
        return NULL;
    }
    const char *match = NULL;
    size_t common = 0, nmatch = 0;
    struct strbuf all = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(ops[i].login, word, strlen(word)) != 0)
            continue;
        if (!match) {
            match = ops[i].login;
            common = strlen(match);
        } else {
            size_t k = 0;
            while (k < common && match[k] == ops[i].login[k])
                k++;
            common = k;
        }
        sb_printf(&all, "%s%s (%s)", nmatch ? "  " : "", ops[i].name, ops[i].login);
        nmatch++;
    }
    char *out = NULL;
    if (nmatch == 1)
        out = xasprintf("%.*s%s", (int)prefix, text, match);
    else if (nmatch > 1)
        out = xasprintf("%.*s%.*s", (int)prefix, text, (int)common, match);
    if (nmatch > 0)
        ui_line_hint(all.buf);
    sb_free(&all);
    operator_briefs_free(ops, n);
    return out;
}
