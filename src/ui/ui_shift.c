#include "ui_shift.h"

#include <stdlib.h>
#include <string.h>

#include "cmdlog.h"
#include "i18n.h"
#include "operators.h"
#include "shifts.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_view.h"
#include "util.h"

/* ---- the shift ---- */

static void do_start(const struct shift_defs *defs, const char *shift)
{
    struct shift_start_info in;
    char *err = NULL;
    if (shift_start(ui_store(), defs, shift, time_now_ms(), &in, &err) != 0) {
        ui_error_take(err);
        return;
    }
    const char *words[] = {"shift", "start", in.shift, NULL};
    cmdlog_add(words);
    char *msg = shift_start_message(defs, &in);
    ui_message("%s", msg);
    free(msg);
    shift_start_info_free(&in);
    ui_status_shift_changed();
    ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_COUNTS | UI_DIRTY_STATUS);
}

struct pick_shift {
    struct shift_defs defs;
    int *order; /* pick index -> defs index */
};

/* The picker has no free hook (Esc drops it): the one pending choice lives here. */
static struct pick_shift pending;

static void pending_free(void)
{
    shift_defs_free(&pending.defs);
    free(pending.order);
    pending.order = NULL;
}

static void picked_shift(int index, void *data)
{
    struct pick_shift *p = data;
    if (index >= 0 && (size_t)index < p->defs.count)
        do_start(&p->defs, p->defs.items[p->order[index]].code);
}

void ui_shift_start(const char *text)
{
    struct shift_defs defs;
    char *err = NULL;
    if (shift_defs_load_default(&defs, &err) != 0) {
        ui_error_take(err);
        return;
    }
    if (text) {
        char *t = xstrdup(text); /* "early " after a completion */
        size_t n = strlen(t);
        while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
            t[--n] = '\0';
        do_start(&defs, t);
        free(t);
        shift_defs_free(&defs);
        return;
    }
    /* Which shift: the one of this hour first, then the others in file order. */
    pending_free();
    struct pick_shift *p = &pending;
    p->defs = defs;
    p->order = xmalloc(defs.count * sizeof *p->order);
    const struct shift_def *guess = shift_guess(ui_store(), &defs, time_now_ms(), &err);
    free(err);
    size_t n = 0;
    if (guess)
        p->order[n++] = (int)(guess - defs.items);
    for (size_t i = 0; i < defs.count; i++)
        if (&defs.items[i] != guess)
            p->order[n++] = (int)i;
    char **labels = xmalloc(n * sizeof *labels);
    for (size_t i = 0; i < n; i++) {
        const struct shift_def *d = &defs.items[p->order[i]];
        /* by name and hours; :shift takes the name as well as the code (shift_def_lookup) */
        labels[i] = xasprintf("%s  %s-%s", shift_def_label(d), d->start, d->end);
    }
    ui_pick(_("Start which shift? (Enter starts it; you take over from whoever started it)"),
            (const char *const *)labels, (int)n, picked_shift, p);
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
}

/* Candidates for the word after "shift " / "operator ". */
char *ui_shift_complete(const char *text)
{
    const char *word = strchr(text, ' ') + 1;
    size_t prefix = (size_t)(word - text);
    struct shift_defs defs = {0};
    const char *ops[] = {"add"};
    const char **cands;
    size_t n;
    int shifts = strncmp(text, "shift ", 6) == 0;
    if (shifts) {
        char *err = NULL;
        if (shift_defs_load_default(&defs, &err) != 0) {
            ui_error_take(err);
            return NULL;
        }
        n = defs.count;
        cands = xmalloc((n ? n : 1) * sizeof *cands);
        for (size_t i = 0; i < n; i++)
            cands[i] = defs.items[i].code;
    } else {
        n = 1;
        cands = xmalloc(sizeof *cands);
        cands[0] = ops[0];
    }
    if (strchr(word, ' ')) {
        free(cands);
        shift_defs_free(&defs);
        return NULL;
    }
    const char *match = NULL;
    size_t common = 0, nmatch = 0;
    struct strbuf all = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(cands[i], word, strlen(word)) != 0)
            continue;
        if (!match) {
            match = cands[i];
            common = strlen(match);
        } else {
            size_t k = 0;
            while (k < common && match[k] == cands[i][k])
                k++;
            common = k;
        }
        if (shifts)
            sb_printf(&all, "%s%s %s-%s (%s)", nmatch ? "  " : "", shift_def_label(&defs.items[i]),
                      defs.items[i].start, defs.items[i].end, cands[i]);
        nmatch++;
    }
    char *out = NULL;
    if (nmatch == 1)
        out = xasprintf("%.*s%s", (int)prefix, text, match);
    else if (nmatch > 1)
        out = xasprintf("%.*s%.*s", (int)prefix, text, (int)common, match);
    if (shifts && nmatch > 0)
        ui_line_hint(all.buf);
    sb_free(&all);
    free(cands);
    shift_defs_free(&defs);
    return out;
}

/* ---- registering an operator ---- */

static const char *const role_codes[] = {"operator", "engineer", "manager", "observer"};
static const char *const role_labels[] = {
    N_("operator (day-to-day operations)"), N_("engineer (maintenance)"),
    N_("manager (PM/PL: may register others)"), N_("observer (sees everything, changes nothing)")};

static int submit_operator(struct ui_form *f, void *data, char **err)
{
    (void)data;
    char *login = ui_field_value(ui_form_field(f, 0));
    char *name = ui_field_value(ui_form_field(f, 1));
    const char *role = role_codes[ui_form_field(f, 2)->choice];
    int rc = operator_add(ui_store(), login, name, role, NULL, err);
    if (rc == 0) {
        if (name && *name) {
            const char *words[] = {"operator", "add", login, "--role", role, "--name", name, NULL};
            cmdlog_add(words);
        } else {
            const char *words[] = {"operator", "add", login, "--role", role, NULL};
            cmdlog_add(words);
        }
        ui_message(_("Registered %s (%s) as %s."), name && *name ? name : login, login,
                   _(role_labels[ui_form_field(f, 2)->choice]));
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_STATUS);
    }
    free(login);
    free(name);
    return rc;
}

void ui_operator_add_form(const char *login)
{
    static const char *labels[ARRAY_LEN(role_labels)];
    for (size_t i = 0; i < ARRAY_LEN(role_labels); i++)
        labels[i] = _(role_labels[i]);
    struct ui_form *f = ui_form_new(_("Register an operator"), submit_operator, NULL);
    ui_form_text(f, _("Login (OS user name)"), login && *login ? login : NULL, 1);
    ui_form_text(f, _("Name"), NULL, 0);
    ui_form_choice(f, _("Role"), labels, (int)ARRAY_LEN(labels), 0);
    ui_form_show(f);
}

/* ---- the command log ---- */

struct log_view {
    struct ui_modal m;
    struct ui_lines lines; /* wrapped to the box's width at each draw */
    char **items;          /* "09:00  unyo …" */
    size_t n;
    int h, w, at_end;
};

static void log_free(struct ui_modal *m)
{
    struct log_view *v = (struct log_view *)m;
    ui_lines_free(&v->lines);
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    free(v);
}

/* Adds s to l cut into rows of at most w cells; rows after the first are indented. */
static void add_wrapped(struct ui_lines *l, int style, const char *s, int w)
{
    const int indent = 7; /* under the command, past "09:00  " */
    int first = 1;
    while (*s) {
        int room = first ? w : w - indent, used = 0;
        size_t len = 0, total = strlen(s);
        while (len < total) {
            uint32_t cp;
            size_t k = utf8_decode(s + len, total - len, &cp);
            int cw = cp_width(cp);
            if (k == 0 || (used + cw > room && len > 0))
                break;
            used += cw;
            len += k;
        }
        if (len == 0)
            len = 1;
        ui_lines_add(l, style, xasprintf("%*s%.*s", first ? 0 : indent, "", (int)len, s));
        s += len;
        first = 0;
    }
}

static void log_draw(struct ui_modal *m, const struct ui_canvas *screen)
{
    struct log_view *v = (struct log_view *)m;
    int w = screen->w - 6 > 20 ? screen->w - 6 : 20; /* inside ui_box(screen->w - 2) */
    if (w != v->w) {
        v->w = w;
        ui_lines_clear(&v->lines);
        v->lines.n = 0;
        for (size_t i = 0; i < v->n; i++)
            add_wrapped(&v->lines, STYLE_NORMAL, v->items[i], w);
        ui_lines_add(&v->lines, STYLE_DIM, xstrdup(_("(for scripts and cron; Esc or q closes)")));
    }
    int h = (int)v->lines.n + 2 < screen->h - 2 ? (int)v->lines.n + 2 : screen->h - 2;
    struct ui_canvas in =
        ui_box(screen, h, screen->w - 2, _("Command log: the unyo commands that do what you did"));
    v->h = in.h;
    if (v->at_end) { /* the newest in view */
        v->lines.top = (long)v->lines.n;
        v->at_end = 0;
    }
    ui_lines_draw(&v->lines, &in, in.h);
}

static int log_key(struct ui_modal *m, int key)
{
    struct log_view *v = (struct log_view *)m;
    ui_dirty(UI_DIRTY_ALL);
    if (key == UI_KEY_ESC || key == 'q' || key == UI_KEY_ENTER)
        return 1;
    if (key == 'j' || key == (UI_KEY_FN | KEY_DOWN))
        ui_lines_scroll(&v->lines, "down", v->h);
    else if (key == 'k' || key == (UI_KEY_FN | KEY_UP))
        ui_lines_scroll(&v->lines, "up", v->h);
    return 0;
}

void ui_cmdlog_show(void)
{
    size_t n = cmdlog_count();
    if (n == 0) {
        ui_message("%s", _("The command log is empty: what you do in the console (start the "
                           "shift, register an operator …) shows here as a unyo command."));
        return;
    }
    struct log_view *v = xcalloc(1, sizeof *v);
    v->m.key = log_key;
    v->m.draw = log_draw;
    v->m.free = log_free;
    v->items = xmalloc(n * sizeof *v->items);
    for (size_t i = 0; i < n; i++) {
        int64_t at;
        const char *line = cmdlog_line(i, &at);
        char when[20];
        time_format_jst(at, when, 0);
        v->items[v->n++] = xasprintf("%s  %s", when + 11, line);
    }
    v->at_end = 1;
    ui_modal_push(&v->m);
}
