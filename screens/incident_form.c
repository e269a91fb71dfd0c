/* Incident intake: a keyboard-only form fast enough to fill in while the
 * caller is on the phone. Tab / Shift-Tab (or ↓ ↑) move between fields, Enter
 * moves on and saves on the last field, Esc asks before discarding typed
 * input. The priority (impact × urgency, sla_priority) shows live; while the
 * title is typed, knowledge articles that match show under the form.
 *
 * A crash loses nothing: the input is saved as an incident draft on every
 * change of field and every few seconds of typing (incident_create with
 * draft, then incident_update_draft); the Incidents pane offers open drafts on
 * the next `n`. Saving submits the draft (incident_submit). */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "i18n.h"
#include "hosts.h"
#include "incidents.h"
#include "libraries.h"
#include "search.h"
#include "sla.h"
#include "store.h"
#include "textwidth.h"
#include "ui.h"
#include "util.h"

#define AUTOSAVE_MS 3000
#define NSUGGEST 3

enum {
    F_LIBRARY,
    F_CHANNEL,
    F_REPORTER,
    F_TITLE,
    F_DESC,
    F_CATEGORY,
    F_IMPACT,
    F_URGENCY,
    F_HOSTS,
    F_COUNT
};

struct tfield {
    wchar_t *text;
    size_t len, cap, cursor;
};

struct intake {
    struct ui_modal m;
    struct store *st;
    const struct sla *sla;
    int focus;
    struct tfield text[F_COUNT]; /* reporter, title, description */
    int choice[F_COUNT];         /* library, channel, category, impact, urgency, host cursor */
    char **lib_codes, **lib_names;
    int nlibs;
    const char **chan_labels, **cat_labels;
    int nchan, ncat;
    char **host_ids, **host_names;
    int nhosts;
    unsigned char *host_on;
    char draft_ref[24]; /* "" until the first save */
    int dirty;          /* typed since the last draft save */
    int timer;
    char *error;
    struct search_hit *sugg;
    size_t nsugg;
    char *sugg_for;
    int sugg_stale; /* the title changed: suggestions are looked up when drawn */
    int capped;     /* a field was full: the message is out */
    void (*done)(const char *ref, void *data);
    void *data;
};

static const char *const levels[] = {"1", "2", "3"};

/* Where the console puts the terminal cursor after drawing (src/ui/ui_form.c). */
extern int ui_cursor_y, ui_cursor_x;

/* ---- text fields ---- */
static void tf_set(struct tfield *f, const char *s)
{
    f->len = f->cursor = 0;
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += utf8_decode(s + i, n - i, &cp);
        if (f->len + 1 >= f->cap) {
            f->cap = f->cap ? f->cap * 2 : 32;
            f->text = xrealloc(f->text, f->cap * sizeof *f->text);
        }
        f->text[f->len++] = (wchar_t)cp;
    }
    f->cursor = f->len;
}

static char *tf_value(const struct tfield *f)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < f->len; i++) {
        char u[4];
        sb_add(&sb, u, utf8_encode((uint32_t)f->text[i], u));
    }
    if (!sb.buf)
        return xstrdup("");
    return sb_detach(&sb);
}

/* The most characters each text field holds: a paste of a megabyte stops
 * there (with a message) instead of making an incident no one can read. */
static size_t tf_max(int field)
{
    return field == F_DESC ? 16384 : field == F_TITLE ? 500 : 200;
}

static void tf_insert(struct tfield *f, wchar_t c)
{
    if (f->len + 1 >= f->cap) {
        f->cap = f->cap ? f->cap * 2 : 32;
        f->text = xrealloc(f->text, f->cap * sizeof *f->text);
    }
    memmove(&f->text[f->cursor + 1], &f->text[f->cursor], (f->len - f->cursor) * sizeof *f->text);
    f->text[f->cursor++] = c;
    f->len++;
}

static void tf_delete(struct tfield *f, size_t at)
{
    if (at >= f->len)
        return;
    memmove(&f->text[at], &f->text[at + 1], (f->len - at - 1) * sizeof *f->text);
    f->len--;
    if (f->cursor > at)
        f->cursor--;
}

static int is_text(int field)
{
    return field == F_REPORTER || field == F_TITLE || field == F_DESC;
}

static int nchoices(struct intake *in, int field)
{
    switch (field) {
    case F_LIBRARY:
        return in->nlibs;
    case F_CHANNEL:
        return in->nchan;
    case F_CATEGORY:
        return in->ncat;
    case F_IMPACT:
    case F_URGENCY:
        return 3;
    case F_HOSTS:
        return in->nhosts;
    }
    return 0;
}

/* ---- the draft ---- */
struct values {
    char *reporter, *title, *desc;
    struct incident_new n;
};

static void values_get(struct intake *in, struct values *v)
{
    memset(v, 0, sizeof *v);
    v->reporter = tf_value(&in->text[F_REPORTER]);
    v->title = tf_value(&in->text[F_TITLE]);
    v->desc = tf_value(&in->text[F_DESC]);
    v->n.library = in->nlibs ? in->lib_codes[in->choice[F_LIBRARY]] : NULL;
    v->n.channel = incident_channels[in->choice[F_CHANNEL]];
    v->n.reporter = v->reporter;
    v->n.title = v->title;
    v->n.description = v->desc;
    v->n.category = incident_categories[in->choice[F_CATEGORY]];
    v->n.impact = in->choice[F_IMPACT] + 1;
    v->n.urgency = in->choice[F_URGENCY] + 1;
}

static void values_free(struct values *v)
{
    free(v->reporter);
    free(v->title);
    free(v->desc);
}

/* Saves the input as a draft (creating it on the first call). */
static int save_draft(struct intake *in, char **err)
{
    struct values v;
    values_get(in, &v);
    char *title = NULL;
    if (!*v.title) /* a draft needs a title: keep the place until one is typed */
        v.n.title = title = xstrdup(_("(no title yet)"));
    v.n.draft = 1;
    int rc;
    if (!in->draft_ref[0])
        rc = incident_create(in->st, in->sla, &v.n, NULL, in->draft_ref, err);
    else
        rc = incident_update_draft(in->st, in->sla, in->draft_ref, &v.n, err);
    free(title);
    values_free(&v);
    if (rc == 0)
        in->dirty = 0;
    return rc;
}

static void autosave(struct intake *in)
{
    if (!in->dirty)
        return;
    char *err = NULL;
    if (save_draft(in, &err) != 0) {
        free(in->error);
        in->error = xasprintf(_("the draft could not be saved: %s"), err ? err : "?");
    }
    free(err);
    ui_dirty(UI_DIRTY_ALL);
}

static int autosave_tick(void *data)
{
    autosave(data);
    return 1;
}

static void update_suggestions(struct intake *in)
{
    char *t = tf_value(&in->text[F_TITLE]);
    if (in->sugg_for && strcmp(in->sugg_for, t) == 0) {
        free(t);
        return;
    }
    free(in->sugg_for);
    in->sugg_for = t;
    search_hits_free(in->sugg, in->nsugg);
    in->sugg = NULL;
    in->nsugg = 0;
    if (strlen(t) < 2)
        return;
    char *err = NULL;
    if (search_suggest_knowledge(in->st, t, NSUGGEST, &in->sugg, &in->nsugg, &err) != 0) {
        in->sugg = NULL;
        in->nsugg = 0;
    }
    free(err);
}

/* ---- drawing ---- */
static const char *label_of(int field)
{
    switch (field) {
    case F_LIBRARY:
        return _("Library");
    case F_CHANNEL:
        return _("Channel");
    case F_REPORTER:
        return _("Reporter");
    case F_TITLE:
        return _("Title*");
    case F_DESC:
        return _("Description");
    case F_CATEGORY:
        return _("Category");
    case F_IMPACT:
        return _("Impact (1 high)");
    case F_URGENCY:
        return _("Urgency (1 high)");
    case F_HOSTS:
        return _("Hosts (Space)");
    }
    return "";
}

/* A line break of a multi-line value (a draft's 詳細) drawn on the field's one
 * row: ⏎, as text_one_line does, never a control character (issue 13: a literal \n). */
static uint32_t shown_cp(wchar_t c)
{
    return c == L'\n' ? 0x23CE : c == L'\r' || c == L'\t' ? ' ' : (uint32_t)c;
}

static void draw_text_field(const struct tfield *f, const struct ui_canvas *c, int y, int x, int w,
                            int style, int focus)
{
    size_t start = f->cursor;
    int used = 1;
    while (start > 0) {
        int cw = cp_width(shown_cp(f->text[start - 1]));
        if (used + cw > w)
            break;
        used += cw;
        start--;
    }
    struct strbuf sb = STRBUF_INIT;
    int width = 0;
    for (size_t i = start; i < f->len; i++) {
        int cw = cp_width(shown_cp(f->text[i]));
        if (width + cw > w)
            break;
        width += cw;
        char u[4];
        sb_add(&sb, u, utf8_encode(shown_cp(f->text[i]), u));
    }
    ui_put(c, y, x, w, style, sb.buf ? sb.buf : "");
    sb_free(&sb);
    if (focus) {
        int cur = 0;
        for (size_t i = start; i < f->cursor; i++)
            cur += cp_width(shown_cp(f->text[i]));
        ui_cursor_y = c->y + y;
        ui_cursor_x = c->x + x + cur;
    }
}

static void intake_draw(struct ui_modal *mo, const struct ui_canvas *screen)
{
    struct intake *in = (struct intake *)mo;
    /* Once per frame, not per key: a pasted title is one lookup, not one
     * full-text query per character. */
    if (in->sugg_stale) {
        in->sugg_stale = 0;
        update_suggestions(in);
    }
    int h = F_COUNT + 6 + NSUGGEST + 1 + (in->error != NULL);
    int w = screen->w - 4 < 90 ? screen->w - 4 : 90;
    char *title = in->draft_ref[0] ? xasprintf(_("New incident (draft %s)"), in->draft_ref)
                                   : xstrdup(_("New incident"));
    struct ui_canvas c = ui_box(screen, h, w, title);
    free(title);
    int lw = 18;
    for (int i = 0; i < F_COUNT; i++) {
        int focus = i == in->focus;
        int style = focus ? STYLE_FORM_FOCUS : STYLE_FORM_FIELD;
        ui_put(&c, i, 0, lw, STYLE_FORM_LABEL, label_of(i));
        int fx = lw + 1, fw = c.w - fx;
        if (is_text(i)) {
            draw_text_field(&in->text[i], &c, i, fx, fw, style, focus);
            continue;
        }
        char *s = NULL;
        int k = in->choice[i];
        switch (i) {
        case F_LIBRARY:
            s = xasprintf("◀ %s ▶", in->nlibs ? in->lib_names[k] : "");
            break;
        case F_CHANNEL:
            s = xasprintf("◀ %s ▶", in->chan_labels[k]);
            break;
        case F_CATEGORY:
            s = xasprintf("◀ %s ▶", in->cat_labels[k]);
            break;
        case F_IMPACT:
        case F_URGENCY:
            s = xasprintf("◀ %s ▶", levels[k]);
            break;
        case F_HOSTS: {
            struct strbuf sb = STRBUF_INIT;
            if (in->nhosts)
                sb_printf(&sb, "◀ %s %s ▶ ", in->host_on[k] ? "[x]" : "[ ]", in->host_names[k]);
            int any = 0;
            for (int j = 0; j < in->nhosts; j++)
                if (in->host_on[j])
                    sb_printf(&sb, "%s%s", any++ ? ", " : "= ", in->host_names[j]);
            s = sb.buf ? sb_detach(&sb) : xstrdup("");
            break;
        }
        }
        ui_put(&c, i, fx, fw, style, s);
        free(s);
    }
    int y = F_COUNT;
    char prio[4] = "?";
    char *err = NULL;
    if (sla_priority(in->sla, in->choice[F_IMPACT] + 1, in->choice[F_URGENCY] + 1, prio, &err) != 0)
        snprintf(prio, sizeof prio, "?");
    free(err);
    int pn = sla_priority_num(prio);
    int pstyle = pn == 1   ? STYLE_INCIDENT_P1
                 : pn == 2 ? STYLE_INCIDENT_P2
                 : pn == 3 ? STYLE_INCIDENT_P3
                           : STYLE_INCIDENT_P4;
    ui_put(&c, y, 0, lw, STYLE_FORM_LABEL, _("Priority"));
    ui_put(&c, y, lw + 1, 4, pstyle, prio);
    y++;
    if (in->error)
        ui_put(&c, y++, 0, c.w, STYLE_ERROR, in->error);
    y++;
    ui_put(&c, y++, 0, c.w, STYLE_HEADER, _("Knowledge that may help:"));
    if (in->nsugg == 0)
        ui_put(&c, y, 2, c.w - 2, STYLE_DIM, _("(none yet: type the title)"));
    for (size_t i = 0; i < in->nsugg; i++)
        ui_put(&c, y + (int)i, 2, c.w - 2, STYLE_NORMAL, in->sugg[i].title);
    y += NSUGGEST + 1;
    ui_put(&c, c.h - 1, 0, c.w, STYLE_DIM,
           _("Tab/S-Tab: field  ←→: choose  Enter on the last field: save  Esc: cancel"));
}

/* ---- keys ---- */
static void intake_close(struct intake *in)
{
    ui_modal_remove(&in->m);
}

static int intake_save(struct intake *in)
{
    struct values v;
    values_get(in, &v);
    char *err = NULL;
    int rc = 0;
    char ref[24] = "";
    if (!*v.title) {
        err = xstrdup(_("the title is required"));
        in->focus = F_TITLE;
        rc = -1;
    } else if (in->draft_ref[0]) {
        rc = incident_update_draft(in->st, in->sla, in->draft_ref, &v.n, &err);
        if (rc == 0)
            rc = incident_submit(in->st, in->sla, in->draft_ref, &err);
        if (rc == 0)
            snprintf(ref, sizeof ref, "%s", in->draft_ref);
        for (int j = 0; rc == 0 && j < in->nhosts; j++)
            if (in->host_on[j])
                rc = incident_link(in->st, ref, "host", in->host_ids[j], NULL, &err);
    } else {
        const char **hosts = xcalloc((size_t)in->nhosts + 1, sizeof *hosts);
        size_t nh = 0;
        for (int j = 0; j < in->nhosts; j++)
            if (in->host_on[j])
                hosts[nh++] = in->host_names[j];
        v.n.hosts = hosts;
        v.n.nhosts = nh;
        rc = incident_create(in->st, in->sla, &v.n, NULL, ref, &err);
        free(hosts);
    }
    values_free(&v);
    if (rc != 0) {
        free(in->error);
        in->error = err ? err : xstrdup("?");
        return 0;
    }
    free(err);
    in->dirty = 0;
    ui_message(_("%s received"), ref);
    if (in->done)
        in->done(ref, in->data);
    return 1;
}

static void discard_answer(int yes, void *data)
{
    struct intake *in = data;
    if (!yes)
        return;
    in->dirty = 0;
    intake_close(in);
}

/* Leaving with a saved draft: keep it (offered again), really discard it, or go back. */
enum { LEAVE_KEEP, LEAVE_DISCARD, LEAVE_BACK };
static void leave_picked(int index, void *data)
{
    struct intake *in = data;
    if (index == LEAVE_BACK)
        return;
    char ref[sizeof in->draft_ref];
    snprintf(ref, sizeof ref, "%s", in->draft_ref);
    if (index == LEAVE_DISCARD) {
        char *err = NULL;
        in->dirty = 0; /* nothing more is saved into it */
        if (incident_discard_draft(in->st, ref, &err) != 0) {
            ui_error_take(err);
            return;
        }
        ui_message(_("The draft %s is discarded."), ref);
        ui_dirty(UI_DIRTY_COUNTS | UI_DIRTY_ALL);
    } else {
        ui_message(_("The draft %s stays (offered again on a new intake)."), ref);
    }
    void (*done)(const char *ref, void *data) = in->done;
    void *done_data = in->data;
    intake_close(in); /* frees in */
    if (index == LEAVE_DISCARD && done)
        done(ref, done_data); /* the list and its counts drop the draft */
}

static void ask_leave(struct intake *in)
{
    if (!in->draft_ref[0]) {
        ui_confirm(_("Discard what you typed? (y/n)"), discard_answer, in);
        return;
    }
    char *keep = xasprintf(_("Keep the draft %s and leave"), in->draft_ref);
    char *drop = xasprintf(_("Discard the draft %s (thrown away, recorded in the audit log)"),
                           in->draft_ref);
    const char *items[3] = {keep, drop, _("Back to the form")};
    char *title = xasprintf(_("Leave the intake of draft %s"), in->draft_ref);
    ui_pick(title, items, 3, leave_picked, in);
    free(title);
    free(keep);
    free(drop);
}

static void move_focus(struct intake *in, int delta)
{
    int old = in->focus;
    in->focus = (in->focus + delta + F_COUNT) % F_COUNT;
    if (old == F_TITLE)
        update_suggestions(in);
    autosave(in); /* on every change of field */
}

static int intake_key(struct ui_modal *mo, int key)
{
    struct intake *in = (struct intake *)mo;
    ui_dirty(UI_DIRTY_ALL);
    switch (key) {
    case UI_KEY_CTRL('c'): /* like Esc: typed input is never lost on one key */
    case UI_KEY_ESC:
        if (mo->has_input) {
            ask_leave(in);
            return 0;
        }
        return 1;
    case UI_KEY_ENTER:
        if (in->focus == F_COUNT - 1)
            return intake_save(in);
        move_focus(in, 1);
        return 0;
    case UI_KEY_TAB:
    case UI_KEY_FN | KEY_DOWN:
        move_focus(in, 1);
        return 0;
    case UI_KEY_FN | KEY_BTAB:
    case UI_KEY_FN | KEY_UP:
        move_focus(in, -1);
        return 0;
    }
    int f = in->focus;
    if (!is_text(f)) {
        int n = nchoices(in, f);
        if (n == 0)
            return 0;
        if (key == (UI_KEY_FN | KEY_LEFT) || key == 'h')
            in->choice[f] = (in->choice[f] + n - 1) % n;
        else if (key == (UI_KEY_FN | KEY_RIGHT) || key == 'l' || (key == ' ' && f != F_HOSTS))
            in->choice[f] = (in->choice[f] + 1) % n;
        else if (key == ' ' && f == F_HOSTS)
            in->host_on[in->choice[f]] ^= 1;
        else if (key >= '1' && key <= '3' && (f == F_IMPACT || f == F_URGENCY))
            in->choice[f] = key - '1';
        else
            return 0;
        mo->has_input = 1;
        in->dirty = 1;
        return 0;
    }
    struct tfield *t = &in->text[f];
    switch (key) {
    case UI_KEY_FN | KEY_LEFT:
        if (t->cursor > 0)
            t->cursor--;
        return 0;
    case UI_KEY_FN | KEY_RIGHT:
        if (t->cursor < t->len)
            t->cursor++;
        return 0;
    case UI_KEY_FN | KEY_HOME:
    case UI_KEY_CTRL('a'):
        t->cursor = 0;
        return 0;
    case UI_KEY_FN | KEY_END:
    case UI_KEY_CTRL('e'):
        t->cursor = t->len;
        return 0;
    case UI_KEY_BACKSPACE:
        if (t->cursor == 0)
            return 0;
        tf_delete(t, t->cursor - 1);
        break;
    case UI_KEY_FN | KEY_DC:
    case UI_KEY_CTRL('d'):
        tf_delete(t, t->cursor);
        break;
    case UI_KEY_CTRL('u'):
        t->len = t->cursor = 0;
        break;
    default:
        if ((key & UI_KEY_FN) || key < 0x20 || key == 0x7f || key >= 0x110000)
            return 0;
        if (t->len >= tf_max(f)) {
            if (!in->capped) {
                in->capped = 1;
                free(in->error);
                in->error = xasprintf(
                    _("this field holds at most %zu characters: the rest was not kept"), tf_max(f));
            }
            return 0;
        }
        tf_insert(t, (wchar_t)key);
    }
    mo->has_input = 1;
    in->dirty = 1;
    if (f == F_TITLE)
        in->sugg_stale = 1;
    return 0;
}

static void intake_free(struct ui_modal *mo)
{
    struct intake *in = (struct intake *)mo;
    if (in->dirty) {
        char *err = NULL;
        save_draft(in, &err); /* closing with unsaved typing (quit): keep it */
        free(err);
    }
    if (in->timer >= 0)
        ui_loop_remove_timer(in->timer);
    for (int i = 0; i < F_COUNT; i++)
        free(in->text[i].text);
    for (int i = 0; i < in->nlibs; i++) {
        free(in->lib_codes[i]);
        free(in->lib_names[i]);
    }
    free(in->lib_codes);
    free(in->lib_names);
    for (int i = 0; i < in->nhosts; i++) {
        free(in->host_ids[i]);
        free(in->host_names[i]);
    }
    free(in->host_ids);
    free(in->host_names);
    free(in->host_on);
    free(in->chan_labels);
    free(in->cat_labels);
    free(in->error);
    free(in->sugg_for);
    search_hits_free(in->sugg, in->nsugg);
    free(in);
}

static int index_of(const char *const *keys, const char *k)
{
    for (int i = 0; k && keys[i]; i++)
        if (strcmp(keys[i], k) == 0)
            return i;
    return 0;
}

/* Opens the intake form; draft_ref (may be NULL) resumes a saved draft. done
 * (may be NULL) runs after a successful save with the incident's ref. */
void incident_form_open(struct store *st, const struct sla *sla, const char *draft_ref,
                        void (*done)(const char *ref, void *data), void *data)
{
    struct intake *in = xcalloc(1, sizeof *in);
    in->m.key = intake_key;
    in->m.draw = intake_draw;
    in->m.free = intake_free;
    in->st = st;
    in->sla = sla;
    in->done = done;
    in->data = data;
    in->timer = -1;
    /* A form with a cut list of libraries or hosts would file a wrong incident. */
    struct library_brief *libs;
    size_t nlibs;
    struct host *hosts;
    size_t nhosts;
    char *read_err = NULL;
    if (library_list(st, &libs, &nlibs, &read_err) != 0) {
        ui_error_take(read_err);
        intake_free(&in->m);
        return;
    }
    if (host_list(st, &hosts, &nhosts, &read_err) != 0) {
        library_list_free(libs, nlibs);
        ui_error_take(read_err);
        intake_free(&in->m);
        return;
    }
    in->lib_codes = xcalloc(nlibs + 1, sizeof(char *));
    in->lib_names = xcalloc(nlibs + 1, sizeof(char *));
    for (size_t k = 0; k < nlibs; k++) {
        in->lib_codes[in->nlibs] = xstrdup(libs[k].code);
        in->lib_names[in->nlibs] = xstrdup(library_name(&libs[k]));
        in->nlibs++;
    }
    library_list_free(libs, nlibs);
    in->host_ids = xcalloc(nhosts + 1, sizeof(char *));
    in->host_names = xcalloc(nhosts + 1, sizeof(char *));
    for (size_t k = 0; k < nhosts; k++) {
        in->host_ids[in->nhosts] = xstrdup(hosts[k].id);
        in->host_names[in->nhosts] = xstrdup(hosts[k].name);
        in->nhosts++;
    }
    host_list_free(hosts, nhosts);
    in->host_on = xcalloc((size_t)in->nhosts + 1, 1);
    for (in->nchan = 0; incident_channels[in->nchan]; in->nchan++)
        ;
    for (in->ncat = 0; incident_categories[in->ncat]; in->ncat++)
        ;
    in->chan_labels = xcalloc((size_t)in->nchan, sizeof(char *));
    in->cat_labels = xcalloc((size_t)in->ncat, sizeof(char *));
    for (int i = 0; i < in->nchan; i++)
        in->chan_labels[i] = incident_channel_name(incident_channels[i]);
    for (int i = 0; i < in->ncat; i++)
        in->cat_labels[i] = incident_category_name(incident_categories[i]);
    in->choice[F_CATEGORY] = index_of(incident_categories, "other");
    in->choice[F_IMPACT] = 1;
    in->choice[F_URGENCY] = 1;
    if (draft_ref) {
        struct incident inc;
        char *err = NULL;
        if (incident_get(st, NULL, draft_ref, 0, &inc, &err) == 0) {
            snprintf(in->draft_ref, sizeof in->draft_ref, "%s", inc.ref);
            for (int i = 0; i < in->nlibs; i++)
                if (inc.library_code && strcmp(in->lib_codes[i], inc.library_code) == 0)
                    in->choice[F_LIBRARY] = i;
            in->choice[F_CHANNEL] = index_of(incident_channels, inc.channel);
            in->choice[F_CATEGORY] = index_of(incident_categories, inc.category);
            in->choice[F_IMPACT] = inc.impact >= 1 && inc.impact <= 3 ? inc.impact - 1 : 1;
            in->choice[F_URGENCY] = inc.urgency >= 1 && inc.urgency <= 3 ? inc.urgency - 1 : 1;
            tf_set(&in->text[F_REPORTER], inc.reporter);
            if (inc.title && strcmp(inc.title, _("(no title yet)")) != 0)
                tf_set(&in->text[F_TITLE], inc.title);
            tf_set(&in->text[F_DESC], inc.description);
            in->m.has_input = 1;
            incident_clear(&inc);
        } else
            in->error = err;
        update_suggestions(in);
    }
    if (!ui_headless)
        in->timer = ui_loop_add_timer(AUTOSAVE_MS, autosave_tick, in);
    ui_modal_push(&in->m);
}
