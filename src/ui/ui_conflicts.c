#include "ui_conflicts.h"

#include <stdlib.h>
#include <string.h>

#include "cmdlog.h"
#include "i18n.h"
#include "sync_conflicts.h"
#include "timefmt.h"
#include "ui.h"
#include "util.h"

struct conflicts_view {
    struct ui_modal m;
    struct sync_conflict *v;
    size_t n, sel;
    int top; /* first conflict drawn */
};

enum { ROWS_PER = 4 }; /* record, lost, won, a blank line */

static int load(struct conflicts_view *cv)
{
    char *err = NULL;
    struct sync_conflict *v = NULL;
    size_t n = 0;
    if (sync_conflicts_list(ui_store(), 0, &v, &n, &err) != 0) {
        ui_error_take(err);
        return -1;
    }
    sync_conflicts_free(cv->v, cv->n);
    cv->v = v;
    cv->n = n;
    if (cv->sel >= n)
        cv->sel = n ? n - 1 : 0;
    return 0;
}

/* "山田 花子、11-24 10:00" of one edit. */
static char *values(const struct sync_conflict *c, int lost)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t f = 0; f < c->nfields; f++)
        sb_printf(&sb, "%s%s: %s", f ? _(" / ") : "",
                  sync_conflict_field_label(c->fields[f].column),
                  lost ? c->fields[f].lost_text : c->fields[f].won_text);
    return sb_detach(&sb);
}

static void draw(struct ui_modal *m, const struct ui_canvas *screen)
{
    struct conflicts_view *cv = (struct conflicts_view *)m;
    /* rows 2 .. h-3: the message line and the status line stay in view */
    struct ui_canvas in = ui_box(screen, screen->h - 4, screen->w - 2,
                                 _("Sync conflicts: edits another console's edit replaced"));
    int per_page = (in.h - 1) / ROWS_PER;
    if (per_page < 1)
        per_page = 1;
    if ((int)cv->sel < cv->top)
        cv->top = (int)cv->sel;
    if ((int)cv->sel >= cv->top + per_page)
        cv->top = (int)cv->sel - per_page + 1;
    int y = 0;
    for (size_t i = (size_t)cv->top; i < cv->n && y + ROWS_PER <= in.h - 1; i++) {
        const struct sync_conflict *c = &cv->v[i];
        int done = c->resolution != NULL;
        char *head =
            xasprintf("[%s] %s %s", sync_conflict_state_label(c),
                      sync_conflict_table_label(c->table), c->record ? c->record : _("(no name)"));
        ui_put(&in, y++, 0, in.w,
               i == cv->sel ? STYLE_ROW_SELECTED
               : done       ? STYLE_DIM
                            : STYLE_HEADER,
               head);
        free(head);
        char *lv = values(c, 1), *wv = values(c, 0);
        char *lw = sync_conflict_who_when(c->lost_by, c->lost_at),
             *ww = sync_conflict_who_when(c->won_by, c->won_at);
        char *l =
            c->unique ? xasprintf(_("  wanted: %s"), lv) : xasprintf(_("  lost: %s (%s)"), lv, lw);
        char *rt = c->refused ? sync_conflict_won_text(c, wv) : NULL;
        char *w = c->unique    ? xasprintf(_("  now:    %s (renamed: the name was taken)"), wv)
                  : c->refused ? xasprintf(_("  kept: %s"), rt)
                               : xasprintf(_("  won:  %s (%s)"), wv, ww);
        free(rt);
        ui_put(&in, y++, 0, in.w, done ? STYLE_DIM : STYLE_NORMAL, l);
        ui_put(&in, y++, 0, in.w, done ? STYLE_DIM : STYLE_NORMAL, w);
        y++;
        free(lv), free(wv), free(lw), free(ww), free(l), free(w);
    }
    ui_put(&in, in.h - 1, 0, in.w, STYLE_DIM,
           _("j/k: move  a: accept the winner  r: write the lost value again  Esc/q: close"));
}

static void resolved(struct conflicts_view *cv, const char *verb, const char *id)
{
    const char *words[] = {"sync", "conflicts", verb, id, NULL};
    cmdlog_add(words);
    load(cv);
    ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_COUNTS | UI_DIRTY_ALL);
}

struct reapply_ask {
    struct conflicts_view *cv;
    char id[ID_LEN + 1];
};

static void reapply_answer(int yes, void *data)
{
    struct reapply_ask *q = data;
    if (yes) {
        char *err = NULL;
        struct sync_conflict *c = NULL;
        if (sync_conflict_reapply(ui_store(), q->id, &c, &err) != 0) {
            ui_error_take(err);
        } else {
            char *v = values(c, 1);
            ui_message(_("Wrote again on %s %s: %s (the next sync sends it)."),
                       sync_conflict_table_label(c->table), c->record ? c->record : "", v);
            free(v);
            sync_conflicts_free(c, 1);
            resolved(q->cv, "reapply", q->id);
        }
    }
    free(q);
}

static int key(struct ui_modal *m, int k)
{
    struct conflicts_view *cv = (struct conflicts_view *)m;
    ui_dirty(UI_DIRTY_ALL);
    if (k == UI_KEY_ESC || k == 'q')
        return 1;
    if ((k == 'j' || k == (UI_KEY_FN | KEY_DOWN)) && cv->sel + 1 < cv->n)
        cv->sel++;
    else if ((k == 'k' || k == (UI_KEY_FN | KEY_UP)) && cv->sel > 0)
        cv->sel--;
    if (cv->n == 0 || (k != 'a' && k != 'r'))
        return 0;
    const struct sync_conflict *c = &cv->v[cv->sel];
    if (k == 'a') {
        char *err = NULL;
        struct sync_conflict *done = NULL;
        char id[ID_LEN + 1];
        snprintf(id, sizeof id, "%s", c->id);
        if (sync_conflict_keep(ui_store(), id, &done, &err) != 0) {
            ui_error_take(err);
            return 0;
        }
        char *v = values(done, 0);
        ui_message(_("Kept the winner on %s %s: %s."), sync_conflict_table_label(done->table),
                   done->record ? done->record : "", v);
        free(v);
        sync_conflicts_free(done, 1);
        resolved(cv, "keep", id);
        return 0;
    }
    char *why = NULL;
    if (!c->resolution && sync_conflict_reapply_check(c, &why) != 0) {
        ui_error_take(why); /* say so before asking */
        return 0;
    }
    struct reapply_ask *q = xcalloc(1, sizeof *q);
    q->cv = cv;
    snprintf(q->id, sizeof q->id, "%s", c->id);
    char *v = values(c, 1);
    char *question =
        xasprintf(_("Write %s on %s %s again, over the value that won? It goes to "
                    "every console with the next sync. (y/n)"),
                  v, sync_conflict_table_label(c->table), c->record ? c->record : _("(no name)"));
    ui_confirm(question, reapply_answer, q);
    free(question);
    free(v);
    return 0;
}

static void view_free(struct ui_modal *m)
{
    struct conflicts_view *cv = (struct conflicts_view *)m;
    sync_conflicts_free(cv->v, cv->n);
    free(cv);
}

void ui_conflicts_show(void)
{
    struct conflicts_view *cv = xcalloc(1, sizeof *cv);
    if (load(cv) != 0) {
        free(cv);
        return;
    }
    if (cv->n == 0) {
        ui_message("%s", _("No sync conflicts: no edit was overwritten by another console's."));
        free(cv);
        return;
    }
    cv->m.key = key;
    cv->m.draw = draw;
    cv->m.free = view_free;
    ui_modal_push(&cv->m);
}
