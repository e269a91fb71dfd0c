#include "workflow.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "store.h"
#include "util.h"

static const struct {
    unsigned bit;
    const char *key, *phrase;
} roles[] = {
    {WF_OPERATOR, "operator", N_("an operator")},
    {WF_ENGINEER, "engineer", N_("an engineer")},
    {WF_MANAGER, "manager", N_("a manager")},
};

struct wf_actor workflow_actor(const struct store *st)
{
    struct wf_actor a = {st->operator_id, st->operator_login, st->operator_role};
    return a;
}

const struct wf_transition *workflow_find(const struct wf_table *t, const char *from,
                                          const char *action)
{
    for (size_t i = 0; from && action && i < t->nrows; i++)
        if (streq(t->rows[i].from, from) && streq(t->rows[i].action, action))
            return &t->rows[i];
    return NULL;
}

int workflow_knows(const struct wf_table *t, const char *action)
{
    for (size_t i = 0; action && t->actions[i]; i++)
        if (streq(t->actions[i], action))
            return 1;
    return 0;
}

char *workflow_roles_text(unsigned bits)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < ARRAY_LEN(roles); i++)
        if (bits & roles[i].bit) {
            if (sb.len)
                sb_puts(&sb, _(" or "));
            sb_puts(&sb, _(roles[i].phrase));
        }
    return sb_detach(&sb);
}

static unsigned role_bit(const char *role)
{
    for (size_t i = 0; i < ARRAY_LEN(roles); i++)
        if (role && streq(role, roles[i].key))
            return roles[i].bit;
    return 0;
}

/* "received, reopened": the states action is allowed from, by their labels. */
static char *from_states(const struct wf_table *t, const char *action)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; t->states[i]; i++)
        if (workflow_find(t, t->states[i], action)) {
            if (sb.len)
                sb_puts(&sb, _(", "));
            sb_puts(&sb, t->state_name(t->states[i]));
        }
    return sb_detach(&sb);
}

static const struct wf_hint *find_hint(const struct wf_table *t, const char *from,
                                       const char *action)
{
    for (size_t i = 0; i < t->nhints; i++) {
        const struct wf_hint *h = &t->hints[i];
        if ((!h->state || streq(h->state, from)) && (!h->action || streq(h->action, action)))
            return h;
    }
    return NULL;
}

static int refuse_state(const struct wf_table *t, const char *from, const char *action,
                        const char *ref, char **err)
{
    char *allowed = from_states(t, action);
    struct strbuf sb = STRBUF_INIT;
    if (*allowed)
        sb_printf(&sb, _("%s: %s is not allowed while %s (only while %s)"), ref,
                  t->action_name(action), t->state_name(from), allowed);
    else
        sb_printf(&sb, _("%s: %s is not allowed while %s"), ref, t->action_name(action),
                  t->state_name(from));
    const struct wf_hint *h = find_hint(t, from, action);
    if (h) {
        sb_puts(&sb, ": ");
        sb_printf(&sb, _(h->text), ref);
    }
    set_err(err, "%s", sb.buf);
    sb_free(&sb);
    free(allowed);
    return -1;
}

static int same_person(const char *a, const char *b)
{
    return a && b && *a && streq(a, b);
}

int workflow_check(const struct wf_table *t, const char *from, const char *action,
                   const struct wf_actor *who, const struct wf_record *rec, const char **to,
                   char **err)
{
    const char *ref = rec && rec->ref ? rec->ref : "";
    if (!workflow_knows(t, action)) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; t->actions[i]; i++)
            sb_printf(&sb, "%s%s", i ? ", " : "", t->actions[i]);
        set_err(err, _("unknown action \"%s\" (expected %s)"), action ? action : "", sb.buf);
        sb_free(&sb);
        return -1;
    }
    const struct wf_transition *row = workflow_find(t, from, action);
    if (!row)
        return refuse_state(t, from ? from : "", action, ref, err);
    if (row->roles && !(row->roles & role_bit(who->role))) {
        char *may = workflow_roles_text(row->roles);
        char *is = workflow_roles_text(role_bit(who->role));
        set_err(err, _("%s: only %s may %s this %s (%s is %s)"), ref, may, t->action_name(action),
                _(t->noun), who->login ? who->login : "", *is ? is : (who->role ? who->role : ""));
        free(may);
        free(is);
        return -1;
    }
    if ((row->rules & WF_NOT_REQUESTER) && rec && same_person(rec->requester_id, who->id)) {
        set_err(err, _("%s: the requester cannot %s their own %s"), ref, t->action_name(action),
                _(t->noun));
        return -1;
    }
    if ((row->rules & WF_NOT_AUTHOR) && rec && same_person(rec->author_id, who->id)) {
        set_err(err, _("%s: the author of the draft cannot %s it"), ref, t->action_name(action));
        return -1;
    }
    if (to)
        *to = row->to ? row->to : row->from;
    return 0;
}
