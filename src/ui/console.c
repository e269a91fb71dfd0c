/* The console shell: tab bar of panes, message line, status line (JST clock,
 * service state, operator on shift, counters), key dispatch through the key
 * map, the help overlay, the `:` command line and the `/` filter. */
#include "console.h"

#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "chain.h"
#include "checklist.h"
#include "cmdlog.h"
#include "i18n.h"
#include "incidents.h"
#include "paths.h"
#include "search.h"
#include "shifts.h"
#include "store.h"
#include "sync.h"
#include "sync_conflicts.h"
#include "ui_conflicts.h"
#include "textwidth.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_console.h"
#include "ui_filter.h"
#include "ui_keymap.h"
#include "ui_loop.h"
#include "ui_setup.h"
#include "ui_actas.h"
#include "ui_check_rounds.h"
#include "ui_shift.h"
#include "ui_signin.h"
#include "ui_terminal.h"
#include "util.h"

#define MIN_COLS 80
#define MIN_LINES 24
/* A message wraps to at most this many lines above the status line (the rest in
 * `:messages`); the last MSG_HISTORY are kept for it. */
#define MSG_MAX_LINES 4
#define MSG_HISTORY 100

int ui_headless;

static struct {
    struct store *st;
    struct calendar *cal;
    struct pane *panes;
    size_t npanes, cur;
    char *msg;
    int msg_error;
    /* the messages shown so far, "HH:MM text", oldest first (`:messages`) */
    char *history[MSG_HISTORY];
    int nhistory;
    int msg_top; /* the first screen row of the message, as last drawn */
    /* status counters */
    long open_incidents; /* -1 until counted */
    long long unsynced;  /* -1: sync not set up */
    long conflicts;      /* open sync conflicts (src/sync_conflicts.h) */
    long tampered;       /* findings of `unyo audit verify` run at start (src/chain.h) */
    int ng, todo, have_counts;
    char *on_duty;
    char *shift_now;    /* the started shift for the status line; NULL until read */
    unsigned shift_gen; /* bumped when this console changes the shift */
    int64_t counts_at;
    /* The search index is suspended (after a large pull, until rebuilt): the
     * status line says "indexing"; index_running while this console rebuilds. */
    int indexing, index_running;
    int64_t index_failed_at; /* a failed rebuild is tried again a minute later */
    /* tab hit-testing */
    int tab_x[16], tab_w[16];
    int first_frame;
    /* background sync with the central database; NULL when not configured */
    struct sync_session *sync;
    int sync_handle;
} app;

struct store *ui_store(void)
{
    return app.st;
}

const struct calendar *ui_calendar(void)
{
    return app.cal;
}

void ui_today(char day[11])
{
    time_format_jst_date(time_now_ms(), day);
}

static const struct pane_ops *const *pane_list;
static size_t pane_count;

void ui_set_panes(const struct pane_ops *const *panes, size_t count)
{
    pane_list = panes;
    pane_count = count;
}

const struct pane_ops *const *ui_pane_registry(size_t *count)
{
    *count = pane_count;
    return pane_list;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* UNYO_TIMING=1: start-up phases on stderr (for the benchmark). */
static void timing(const char *what)
{
    static double t0;
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("UNYO_TIMING");
        on = e && *e && strcmp(e, "0") != 0;
        t0 = now_sec();
    }
    if (on)
        fprintf(stderr, "timing %-16s %8.2f ms\n", what, (now_sec() - t0) * 1e3);
}

/* ---- messages ---- */
static void set_msg(int error, const char *fmt, va_list ap)
{
    free(app.msg);
    app.msg = xvasprintf(fmt, ap);
    app.msg_error = error;
    if (app.nhistory == MSG_HISTORY) {
        free(app.history[0]);
        memmove(app.history, app.history + 1, (MSG_HISTORY - 1) * sizeof *app.history);
        app.nhistory--;
    }
    char when[32];
    time_format_jst(time_now_ms(), when, 0);
    app.history[app.nhistory++] = xasprintf("%.5s %s", when + 11, app.msg);
    ui_dirty(UI_DIRTY_STATUS); /* the frame is drawn whole: the pane makes room */
}

/* A message belongs to where it was said: switching panes by key or click
 * clears it (`:messages` keeps it). */
static void clear_msg(void)
{
    free(app.msg);
    app.msg = NULL;
}

void ui_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(0, fmt, ap);
    va_end(ap);
}

void ui_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(1, fmt, ap);
    va_end(ap);
    /* A signed act refused for want of the passphrase: ask for it in a pop-up. */
    ui_signin_after_error();
}

void ui_error_take(char *err)
{
    if (err)
        ui_error("%s", err);
    free(err);
}

/* ---- panes ---- */
static struct pane *cur_pane(void)
{
    return app.npanes ? &app.panes[app.cur] : NULL;
}

static void pane_ensure_open(struct pane *p)
{
    if (p->opened)
        return;
    p->opened = 1;
    char *err = NULL;
    p->seen = store_data_version(app.st);
    if (p->ops->open && p->ops->open(p, &err) != 0) {
        p->open_error = err ? err : xstrdup(_("this pane could not be opened"));
        return;
    }
}

/* The store changed since the pane last loaded: another connection (a second
 * console, the CLI, a job runner, sync) or this console itself wrote to it
 * (store_data_version counts both). */
static int pane_stale(const struct pane *p, int64_t version)
{
    return p->opened && !p->open_error && p->ops->load && !p->ops->watches_store &&
           p->seen != version;
}

static void pane_load(struct pane *p)
{
    p->seen = store_data_version(app.st);
    p->ops->load(p);
}

static void switch_to(size_t i)
{
    if (i >= app.npanes)
        return;
    struct pane *p = &app.panes[i];
    if (i != app.cur && p->opened && !p->open_error && p->ops->load &&
        (p->ops->reload_on_show || pane_stale(p, store_data_version(app.st))))
        pane_load(p);
    app.cur = i;
    pane_ensure_open(p);
    ui_dirty(UI_DIRTY_ALL);
}

int ui_switch_pane(const char *name)
{
    for (size_t i = 0; i < app.npanes; i++)
        if (strcmp(app.panes[i].ops->name, name) == 0 ||
            strcasecmp(_(app.panes[i].ops->title), name) == 0) {
            switch_to(i);
            return 0;
        }
    return -1;
}

/* ---- tab bar layout (pure, for tests) ---- */
int console_tab_layout(const char *const *titles, int n, int width, int *xs, int *ws)
{
    int total = 0;
    for (int i = 0; i < n; i++) {
        ws[i] = text_width(titles[i]) + (i < n - 1); /* a blank between tabs */
        total += ws[i];
    }
    /* Too wide: take a cell at a time from the widest tab (its title gets "…"). */
    while (total > width && n > 0) {
        int widest = 0;
        for (int i = 1; i < n; i++)
            if (ws[i] > ws[widest])
                widest = i;
        if (ws[widest] <= 3)
            break;
        ws[widest]--;
        total--;
    }
    int x = 0;
    for (int i = 0; i < n; i++) {
        xs[i] = x;
        x += ws[i];
    }
    return x;
}

int console_tab_hit(const int *xs, const int *ws, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (x >= xs[i] && x < xs[i] + ws[i])
            return i;
    return -1;
}

static void draw_tabs(const struct ui_canvas *scr)
{
    int n = (int)app.npanes > 16 ? 16 : (int)app.npanes;
    char *labels[16] = {0};
    for (int i = 0; i < n; i++)
        labels[i] = xasprintf("%d:%s", i + 1, _(app.panes[i].ops->title));
    console_tab_layout((const char *const *)labels, n, scr->w, app.tab_x, app.tab_w);
    ui_clear(scr, 0, STYLE_TAB);
    for (int i = 0; i < n; i++) {
        char *t = xasprintf("%s%s", labels[i], i == n - 1 ? "" : " ");
        ui_put(scr, 0, app.tab_x[i], app.tab_w[i],
               (size_t)i == app.cur ? STYLE_TAB_ACTIVE : STYLE_TAB, t);
        free(t);
        free(labels[i]);
    }
    /* A demo or test store says so at the top right (issue 14: nobody takes it for a real
     * one), where the tabs leave room; the status line keeps its width for the person. */
    if (app.st && app.st->demo && n > 0) {
        char *mark = xasprintf("[%s]", _("demo"));
        int mw = text_width(mark), end = app.tab_x[n - 1] + app.tab_w[n - 1];
        if (end + 1 + mw <= scr->w)
            ui_put(scr, 0, scr->w - mw, mw, STYLE_TAB_ACTIVE, mark);
        free(mark);
    }
}

/* ---- status line ---- */
static void format_span(int64_t secs, char *out, size_t size)
{
    if (secs < 0)
        secs = 0;
    int64_t m = (secs + 59) / 60;
    if (m >= 48 * 60)
        snprintf(out, size, _("%lldd %lldh"), (long long)(m / 1440), (long long)(m % 1440 / 60));
    else
        snprintf(out, size, "%lld:%02lld", (long long)(m / 60), (long long)(m % 60));
}

/* The counters run on a thread with their own connection: on a big ledger a
 * count takes longer than a frame. */
struct counts_job {
    char *path;
    const struct calendar *cal;
    char day[11];
    int64_t now;
    long open;
    int ng, todo, have;
    char *on_duty;
    char *shift_now;
    unsigned shift_gen;
    long long unsynced; /* -1: sync not set up */
    long conflicts;     /* open sync conflicts; -1 when not read */
    int indexing;       /* the search index is suspended */
    int index_due;      /* a pull left it to be rebuilt (sync_index_state) */
};
static int counts_running;
/* A count asked for while one runs: that one may have read the store before the
 * write that asked, so another follows it. */
static int counts_again;
static void refresh_counts(void);

/* The status line's shift: "早番", "早番 (started by NAME)" when someone else started
 * it, or "shift not started" (malloc'd). */
static char *shift_status_text(struct store *st, const char *me, int64_t now)
{
    struct shift_start_info in;
    char *err = NULL;
    int got = shift_current(st, now, &in, &err);
    free(err);
    if (got <= 0)
        return xstrdup(got < 0 ? "…" : _("shift not started"));
    struct shift_defs defs;
    err = NULL;
    const char *label = in.shift;
    int have_defs = shift_defs_load_default(&defs, &err) == 0;
    free(err);
    if (have_defs && shift_def_find(&defs, in.shift))
        label = shift_def_label(shift_def_find(&defs, in.shift));
    char *out = me && streq(in.login, me) ? xstrdup(label)
                                          : xasprintf(_("%s (started by %s)"), label, in.name);
    if (have_defs)
        shift_defs_free(&defs);
    shift_start_info_free(&in);
    return out;
}

void ui_status_shift_changed(void)
{
    free(app.shift_now);
    app.shift_now = shift_status_text(app.st, app.st->operator_login, time_now_ms());
    app.shift_gen++;
    ui_dirty(UI_DIRTY_STATUS);
}

static void counts_work(void *arg)
{
    struct counts_job *j = arg;
    struct store *st = NULL;
    char *err = NULL;
    j->open = -1;
    if (store_open(j->path, STORE_OPEN_EXISTING, &st, &err) != 0) {
        free(err);
        return;
    }
    if (incident_count_open(st, &j->open, &err) != 0)
        j->open = -1;
    free(err);
    err = NULL;
    j->have = checklist_counts(st, j->cal, j->day, &j->ng, &j->todo, &err) == 0;
    free(err);
    err = NULL;
    struct shift_list l = {0};
    if (shift_on_duty(st, j->now, &l, &err) == 0 && l.count > 0) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < l.count; i++)
            sb_printf(&sb, "%s%s", i ? ", " : "", l.items[i].name);
        j->on_duty = sb_detach(&sb);
    }
    shift_list_free(&l);
    free(err);
    err = NULL;
    /* The acting login is set before any count starts and never changes. */
    j->shift_now = shift_status_text(st, app.st->operator_login, j->now);
    struct sync_status ss;
    memset(&ss, 0, sizeof ss);
    j->unsynced = -1;
    if (sync_status_read(st, &ss, &err) == 0) {
        if (ss.central || ss.last_attempt || ss.pending > 0)
            j->unsynced = ss.pending;
        sync_status_free(&ss);
    }
    free(err);
    err = NULL;
    j->conflicts = -1;
    if (sync_conflicts_count_open(st, &j->conflicts, &err) != 0)
        j->conflicts = -1;
    free(err);
    j->indexing = search_suspended(st);
    j->index_due = sync_index_state(st) == SYNC_INDEX_DUE;
    store_close(st);
}

/* The search index a large pull left suspended is rebuilt here, on a thread
 * with its own connection (one write transaction of ~0.35 s per 100k rows:
 * a write of this console waits that long at most). Whoever pulled (the
 * sync worker of this console, `unyo sync --no-index`, a round killed before
 * rebuilding) the counters find it due. */
struct index_job {
    char *path;
    char *err;
};

static void index_work(void *arg)
{
    struct index_job *j = arg;
    struct store *st = NULL;
    if (store_open(j->path, STORE_OPEN_EXISTING, &st, &j->err) == 0)
        sync_index_build(st, &j->err);
    store_close(st);
}

static void index_done(void *arg)
{
    struct index_job *j = arg;
    app.index_running = 0;
    if (j->err) {
        app.index_failed_at = ui_monotonic_ms();
        ui_error(_("the search index could not be rebuilt: %s"), j->err);
    }
    free(j->err);
    free(j->path);
    free(j);
    ui_dirty(UI_DIRTY_COUNTS);
}

static void index_start(void)
{
    if (app.index_running || store_is_read_only(app.st) ||
        (app.index_failed_at && ui_monotonic_ms() - app.index_failed_at < 60000))
        return;
    struct index_job *j = xcalloc(1, sizeof *j);
    j->path = xstrdup(app.st->path);
    app.index_running = 1;
    if (ui_bg_run(index_work, index_done, j) != 0) {
        index_work(j);
        index_done(j);
    }
}

static void counts_done(void *arg)
{
    struct counts_job *j = arg;
    counts_running = 0;
    app.open_incidents = j->open;
    app.have_counts = j->have;
    app.ng = j->ng;
    app.todo = j->todo;
    free(app.on_duty);
    app.on_duty = j->on_duty;
    /* A count that started before this console changed the shift read the old
     * one: its text would put the previous person back on the status line. */
    if (j->shift_now && j->shift_gen == app.shift_gen) {
        free(app.shift_now);
        app.shift_now = j->shift_now;
    } else {
        free(j->shift_now);
    }
    app.unsynced = j->unsynced;
    if (j->conflicts >= 0)
        app.conflicts = j->conflicts;
    app.indexing = j->indexing;
    int due = j->index_due;
    free(j->path);
    free(j);
    ui_dirty(UI_DIRTY_STATUS);
    if (due)
        index_start();
    if (counts_again) {
        counts_again = 0;
        refresh_counts();
    }
}

static void refresh_counts(void)
{
    app.counts_at = ui_monotonic_ms();
    if (counts_running) {
        counts_again = 1;
        return;
    }
    struct counts_job *j = xcalloc(1, sizeof *j);
    j->path = xstrdup(app.st->path);
    j->cal = app.cal;
    ui_today(j->day);
    j->now = time_now_ms();
    j->shift_gen = app.shift_gen;
    counts_running = 1;
    if (ui_bg_run(counts_work, counts_done, j) != 0) {
        counts_work(j);
        counts_done(j);
    }
}

/* `unyo audit verify` once at start, on its own connection: the status line says so
 * when a record was changed outside unyo. */
struct verify_job {
    char *path;
    long findings;
};

static void verify_work(void *arg)
{
    struct verify_job *j = arg;
    struct store *st = NULL;
    char *err = NULL;
    struct chain_report r;
    j->findings = 0;
    if (store_open(j->path, STORE_OPEN_EXISTING, &st, &err) == 0 &&
        chain_verify(st, &r, &err) == 0) {
        j->findings = (long)r.n;
        chain_report_free(&r);
    }
    free(err);
    store_close(st);
}

static void verify_done(void *arg)
{
    struct verify_job *j = arg;
    app.tampered = j->findings;
    free(j->path);
    free(j);
    ui_dirty(UI_DIRTY_STATUS);
}

static void verify_start(void)
{
    if (ui_headless) /* --script and the benchmarks: bg work would run in line */
        return;
    struct verify_job *j = xcalloc(1, sizeof *j);
    j->path = xstrdup(app.st->path);
    if (ui_bg_run(verify_work, verify_done, j) != 0) {
        free(j->path);
        free(j);
    }
}

static void draw_status(const struct ui_canvas *scr)
{
    int y = scr->h - 1;
    int64_t now = time_now_ms();
    char full[32];
    time_format_jst(now, full, 0);
    char *clock = xasprintf(" %s JST", full + 5); /* "11-23 09:00" */
    int64_t secs = now / 1000;
    int in = app.cal ? calendar_in_service(app.cal, secs) : 0;
    int64_t next = app.cal ? calendar_next_transition(app.cal, secs) : INT64_MAX;
    char span[32] = "—";
    if (next != INT64_MAX)
        format_span(next - secs, span, sizeof span);
    char *service =
        in ? xasprintf(_("in service, closes %s"), span) : xasprintf(_("closed, opens %s"), span);
    char ng[16] = "…", open[24] = "…";
    if (app.have_counts)
        snprintf(ng, sizeof ng, "%d", app.ng);
    if (app.open_incidents >= 0)
        snprintf(open, sizeof open, "%ld", app.open_incidents);
    /* Who is at the keyboard (the acting operator, UNYO_USER included) and the shift
     * somebody started; the schedule's on-duty names are the Handover pane's. */
    const char *who = app.st->operator_name ? app.st->operator_name : store_os_login();

    /* The counters are right-aligned and always shown; the operator's name is cut first. */
    char *counters;
    if (app.sync) {
        char line[96];
        sync_status_line(app.sync, line, sizeof line);
        counters = xasprintf(_("open %s │ NG %s │ %s"), open, ng, line);
    } else {
        char unsynced[24] = "—";
        if (app.unsynced >= 0)
            snprintf(unsynced, sizeof unsynced, "%lld", app.unsynced);
        counters = xasprintf(_("open %s │ NG %s │ unsynced %s"), open, ng, unsynced);
    }
    if (app.conflicts > 0) {
        /* Edits a sync overwrote, waiting for somebody: :conflicts lists them. */
        char *with = xasprintf(_("%s │ conflicts %ld"), counters, app.conflicts);
        free(counters);
        counters = with;
    }
    if (app.indexing) {
        /* Searches scan the rows meanwhile (complete, slower). */
        char *with = xasprintf("%s │ %s", counters, _("indexing"));
        free(counters);
        counters = with;
    }
    if (app.tampered > 0) {
        /* Records changed outside unyo: `unyo audit verify` names them. */
        char *with = xasprintf(_("%s │ tampered %ld"), counters, app.tampered);
        free(counters);
        counters = with;
    }
    /* Read-only (`--read-only`, an observer): marked where it is never cut. */
    char *right = store_is_read_only(app.st) ? xasprintf(" │ %s │ %s ", _("read-only"), counters)
                                             : xasprintf(" │ %s ", counters);

    char *duty = xasprintf("│ %s │ %s", who, app.shift_now ? app.shift_now : "…");
    ui_clear(scr, y, STYLE_STATUSBAR);
    int rw = text_width(right);
    int x = ui_put(scr, y, 0, text_width(clock), STYLE_STATUSBAR, clock);
    char *sv = xasprintf(" %s ", service);
    int sw = text_width(sv);
    if (x + sw > scr->w - rw)
        sw = scr->w - rw - x;
    if (sw > 0)
        x += ui_put(scr, y, x, sw, in ? STYLE_SERVICE_OPEN : STYLE_SERVICE_CLOSED, sv);
    if (scr->w - rw - x > 0)
        ui_put(scr, y, x, scr->w - rw - x, STYLE_STATUSBAR, duty);
    ui_put_right(scr, y, scr->w - rw > 0 ? scr->w - rw : 0, rw, STYLE_STATUSBAR, right);
    free(sv);
    free(clock);
    free(counters);
    free(right);
    free(duty);
    free(service);
}

/* The message in lines of the screen's width: as many as it needs, at most
 * MSG_MAX_LINES (and never more than leaves the pane its rows), the last one
 * pointing to `:messages` when cut. */
static size_t message_lines(const struct ui_canvas *scr, char ***lines)
{
    if (!app.msg) {
        *lines = xcalloc(1, sizeof **lines);
        (*lines)[0] = xstrdup("");
        return 1;
    }
    int max = MSG_MAX_LINES;
    if (scr->h - 2 - max < MIN_LINES - 2 - MSG_MAX_LINES)
        max = scr->h - 2 - (MIN_LINES - 2 - MSG_MAX_LINES);
    if (max < 1)
        max = 1;
    size_t n = text_wrap(app.msg, scr->w > 1 ? scr->w - 1 : 1, lines);
    if (n > (size_t)max) {
        const char *more = _("… (:messages shows all)");
        char **w;
        size_t nw = text_wrap((*lines)[max - 1], scr->w - 1 - text_width(more), &w);
        char *last = xasprintf("%s%s", w[0], more);
        for (size_t i = 0; i < nw; i++)
            free(w[i]);
        free(w);
        for (size_t i = (size_t)max - 1; i < n; i++)
            free((*lines)[i]);
        (*lines)[max - 1] = last;
        n = (size_t)max;
    }
    return n;
}

static void draw_message(const struct ui_canvas *scr, char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int y = scr->h - 1 - (int)n + (int)i;
        ui_clear(scr, y, STYLE_MESSAGE);
        if (app.msg)
            ui_put(scr, y, 0, -1, app.msg_error ? STYLE_ERROR : STYLE_MESSAGE, lines[i]);
    }
}

static void draw_too_small(const struct ui_canvas *scr)
{
    ui_clear(scr, -1, STYLE_NORMAL);
    char *m = xasprintf(_("Enlarge the terminal to at least %d×%d (now %d×%d)."), MIN_COLS,
                        MIN_LINES, scr->w, scr->h);
    int w = text_width(m);
    ui_put(scr, scr->h / 2, w < scr->w ? (scr->w - w) / 2 : 0, -1, STYLE_NORMAL, m);
    ui_put(scr, scr->h / 2 + 1, 0, -1, STYLE_DIM, _("q quits."));
    free(m);
}

static int too_small(void)
{
    return COLS < MIN_COLS || LINES < MIN_LINES;
}

static void draw_all(void)
{
    struct ui_canvas scr = {stdscr, 0, 0, LINES, COLS};
    werase(stdscr);
    if (too_small()) {
        draw_too_small(&scr);
        curs_set(0);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_tabs(&scr);
    struct pane *p = cur_pane();
    char **msg;
    size_t nmsg = message_lines(&scr, &msg);
    /* A message of several lines takes rows from the pane; a pane that sizes
     * something outside (a session's terminal) keeps its size and the message
     * covers its last rows instead. */
    int shrink = p && !p->ops->resize ? (int)nmsg - 1 : 0;
    struct ui_canvas area = ui_canvas_sub(&scr, 1, 0, LINES - 3 - shrink, COLS);
    app.msg_top = LINES - 1 - (int)nmsg;
    if (p) {
        if (p->h != area.h || p->w != area.w) {
            p->h = area.h;
            p->w = area.w;
            if (p->ops->resize && !p->open_error)
                p->ops->resize(p, area.h, area.w);
        }
        if (p->open_error) {
            ui_put(&area, 1, 2, -1, STYLE_NORMAL, p->open_error);
        } else {
            p->ops->draw(p, &area);
        }
    }
    draw_message(&scr, msg, nmsg);
    for (size_t i = 0; i < nmsg; i++)
        free(msg[i]);
    free(msg);
    draw_status(&scr);
    ui_modal_draw_all(&scr);
    if (ui_cursor_y >= 0) {
        curs_set(1);
        wmove(stdscr, ui_cursor_y, ui_cursor_x);
    } else {
        curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- help overlay ---- */
struct help {
    struct ui_modal m;
    char **lines;
    int n, top;
    const char *title; /* NULL: the keys */
};

static void help_free(struct ui_modal *m)
{
    struct help *h = (struct help *)m;
    for (int i = 0; i < h->n; i++)
        free(h->lines[i]);
    free(h->lines);
    free(h);
}

static void help_add(struct help *h, char *line)
{
    h->lines = xrealloc(h->lines, (size_t)(h->n + 1) * sizeof *h->lines);
    h->lines[h->n++] = line;
}

static void help_table(struct help *h, const char *heading, const struct ui_binding *b)
{
    if (!b || !b->action)
        return;
    help_add(h, xstrdup(heading));
    for (; b->action; b++) {
        char keys[96];
        keymap_keys_of(b->action, keys, sizeof keys);
        struct strbuf sb = STRBUF_INIT;
        sb_puts(&sb, "  ");
        text_fit(&sb, keys, 16);
        sb_printf(&sb, " %s", _(b->help));
        help_add(h, sb_detach(&sb));
    }
    help_add(h, xstrdup(""));
}

static void help_draw(struct ui_modal *m, const struct ui_canvas *scr)
{
    struct help *h = (struct help *)m;
    struct ui_canvas in =
        ui_box(scr, scr->h - 2, scr->w - 4 < 90 ? scr->w - 4 : 90,
               h->title ? h->title : _("Keys (j/k scroll, any other key closes)"));
    if (h->top > h->n - in.h)
        h->top = h->n - in.h;
    if (h->top < 0)
        h->top = 0;
    for (int y = 0; y < in.h && h->top + y < h->n; y++) {
        const char *l = h->lines[h->top + y];
        ui_put(&in, y, 0, in.w, l[0] != ' ' && l[0] ? STYLE_HEADER : STYLE_NORMAL, l);
    }
}

static int help_key(struct ui_modal *m, int key)
{
    struct help *h = (struct help *)m;
    ui_dirty(UI_DIRTY_ALL);
    if (key == 'j' || key == (UI_KEY_FN | KEY_DOWN))
        h->top++;
    else if (key == 'k' || key == (UI_KEY_FN | KEY_UP))
        h->top--;
    else if (key == (UI_KEY_FN | KEY_NPAGE) || key == ' ')
        h->top += 10;
    else if (key == (UI_KEY_FN | KEY_PPAGE))
        h->top -= 10;
    else
        return 1;
    return 0;
}

static void show_help(void)
{
    struct help *h = xcalloc(1, sizeof *h);
    h->m.key = help_key;
    h->m.draw = help_draw;
    h->m.free = help_free;
    struct pane *p = cur_pane();
    if (p && p->ops->bindings) {
        char *t = xasprintf("%s:", _(p->ops->title));
        help_table(h, t, p->ops->bindings);
        free(t);
    }
    help_table(h, _("In lists:"), ui_list_bindings);
    help_table(h, _("Everywhere:"), ui_global_bindings);
    ui_modal_push(&h->m);
}

/* `:messages`: every message of the session in full, newest last. */
static void show_messages(void)
{
    if (!app.nhistory) {
        ui_message("%s", _("No messages yet."));
        return;
    }
    struct help *h = xcalloc(1, sizeof *h);
    h->m.key = help_key;
    h->m.draw = help_draw;
    h->m.free = help_free;
    h->title = _("Messages (j/k scroll, any other key closes)");
    int w = (COLS - 4 < 90 ? COLS - 4 : 90) - 4;
    for (int i = 0; i < app.nhistory; i++) {
        char **l;
        /* continuation lines are indented by 6 (under the "09:00 "): wrapped
         * that much narrower, they are not cut at the overlay's edge */
        size_t n = text_wrap(app.history[i], w > 16 ? w - 6 : 10, &l);
        for (size_t k = 0; k < n; k++) {
            help_add(h, k ? xasprintf("      %s", l[k]) : l[k]);
            if (k)
                free(l[k]);
        }
        free(l);
    }
    h->top = h->n; /* the newest at the bottom */
    ui_modal_push(&h->m);
}

/* ---- filter and command line ---- */
static char *filter_pattern;

static int apply_filter(const char *text, void *data, char **err)
{
    (void)data;
    struct pane *p = cur_pane();
    if (!p || !p->ops->filter || p->open_error) {
        set_err(err, _("this pane has nothing to filter"));
        return -1;
    }
    pcre2_code *re = NULL;
    if (*text) {
        re = ui_filter_compile(text, err);
        if (!re)
            return -1;
    }
    int rc = p->ops->filter(p, re, text, err);
    ui_filter_free(re);
    if (rc == 0) {
        free(filter_pattern);
        filter_pattern = *text ? xstrdup(text) : NULL;
        if (*text)
            ui_message(_("filter: /%s/ (n/N: next/previous match, / then Enter clears)"), text);
        else
            ui_message("%s", _("filter cleared"));
    }
    ui_dirty(UI_DIRTY_ALL);
    return rc;
}

static const char *const commands[] = {
    "as",       "conflicts", "filter", "goto",    "help",  "keys",  "library", "log",   "messages",
    "operator", "pane",      "quit",   "refresh", "setup", "shift", "sort",    "switch"};

static void request_quit(void);

/* Read-only mode (store_is_read_only: `unyo --read-only`, an observer) at the key
 * dispatch, the one place for every pane: a pane's action that would change the record
 * gives the core's refusal instead of opening a form that cannot be saved. The core
 * refuses the write anyway (store_begin); this list names the pane actions that only
 * look (anything not named here is refused, so a new action is refused until it is
 * added). The global and list keys (no "pane." prefix) only look. */
static const char *const look_only_actions[] = {
    "checklist.toggle", "checklist.prev-day",    "checklist.next-day",  "incidents.view",
    "incidents.back",   "incidents.filter-form", "incidents.search",    "incidents.inbox",
    "jobs.prev-day",    "jobs.next-day",         "jobs.schedule",       "consoles.next",
    "consoles.prev",    "consoles.zoom",         "consoles.scroll",     "consoles.recordings",
    "handover.history", "handover.prev-month",   "handover.next-month", "reports.daily",
    "reports.monthly",  "reports.sla",           "reports.prev",        "reports.next",
    "reports.today",    "reports.period",        "reports.write",       "reports.export",
    "reports.xlsx",     "reports.export-xlsx",
};
/* The `:` commands that change the record. */
static const char *const writing_commands[] = {"shift", "operator", "as", "setup"};

static int refuse_read_only(const char *action, const char *command)
{
    if (!store_is_read_only(app.st))
        return 0;
    if (action) {
        if (!strchr(action, '.') || strncmp(action, "goto ", 5) == 0)
            return 0;
        for (size_t i = 0; i < ARRAY_LEN(look_only_actions); i++)
            if (strcmp(action, look_only_actions[i]) == 0)
                return 0;
    }
    if (command) {
        size_t i = 0;
        while (i < ARRAY_LEN(writing_commands) && strcmp(command, writing_commands[i]) != 0)
            i++;
        if (i == ARRAY_LEN(writing_commands))
            return 0;
    }
    if (action)
        ui_error("%s", store_read_only_message());
    return 1;
}

static int run_command(const char *text, void *data, char **err)
{
    (void)data;
    char *copy = xstrdup(text);
    char *save = NULL;
    char *cmd = strtok_r(copy, " \t", &save);
    char *arg = cmd ? strtok_r(NULL, "", &save) : NULL;
    while (arg && (*arg == ' ' || *arg == '\t'))
        arg++;
    int rc = 0;
    struct pane *p = cur_pane();
    if (!cmd) {
        rc = 0;
    } else if (refuse_read_only(NULL, cmd)) {
        set_err(err, "%s", store_read_only_message());
        rc = -1;
    } else if (strcmp(cmd, "quit") == 0 || strcmp(cmd, "q") == 0) {
        request_quit();
    } else if (strcmp(cmd, "pane") == 0) {
        if (!arg || ui_switch_pane(arg) != 0) {
            struct strbuf sb = STRBUF_INIT;
            for (size_t i = 0; i < app.npanes; i++)
                sb_printf(&sb, "%s%s", i ? ", " : "", app.panes[i].ops->name);
            set_err(err, _("no such pane: %s (panes: %s)"), arg ? arg : "", sb.buf);
            sb_free(&sb);
            rc = -1;
        }
    } else if (strcmp(cmd, "filter") == 0) {
        rc = apply_filter(arg ? arg : "", NULL, err);
    } else if (strcmp(cmd, "sort") == 0) {
        if (!p || !p->ops->sort || p->open_error) {
            set_err(err, _("this pane cannot be sorted"));
            rc = -1;
        } else {
            rc = p->ops->sort(p, arg ? arg : "", err);
            ui_dirty(UI_DIRTY_ALL);
        }
    } else if (strcmp(cmd, "goto") == 0) {
        char *a = xasprintf("goto %s", arg ? arg : "");
        if (!p || p->open_error || !p->ops->action(p, a)) {
            set_err(err, _("goto needs a row number in a list, or a date in the Checklist "
                           "and Reports panes"));
            rc = -1;
        }
        free(a);
        ui_dirty(UI_DIRTY_ALL);
    } else if (strcmp(cmd, "refresh") == 0) {
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_COUNTS | UI_DIRTY_ALL);
    } else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "keys") == 0) {
        show_help();
    } else if (strcmp(cmd, "shift") == 0) {
        ui_shift_start(arg && *arg ? arg : NULL);
    } else if (strcmp(cmd, "operator") == 0) {
        if (arg && strncmp(arg, "add", 3) == 0 && (arg[3] == '\0' || arg[3] == ' ')) {
            ui_operator_add_form(arg[3] ? arg + 4 : NULL);
        } else {
            set_err(err, _("operator takes: add [LOGIN]"));
            rc = -1;
        }
    } else if (strcmp(cmd, "as") == 0) {
        ui_act_as(arg);
    } else if (strcmp(cmd, "switch") == 0) {
        ui_signin_switch();
    } else if (strcmp(cmd, "log") == 0) {
        ui_cmdlog_show();
    } else if (strcmp(cmd, "conflicts") == 0) {
        ui_conflicts_show();
    } else if (strcmp(cmd, "messages") == 0) {
        show_messages();
    } else if (strcmp(cmd, "library") == 0) {
        ui_library_command(arg);
    } else if (strcmp(cmd, "setup") == 0) {
        ui_setup_start();
    } else {
        /* the list is the completion table's, so it names every command */
        struct strbuf names = STRBUF_INIT;
        for (size_t i = 0; i < ARRAY_LEN(commands); i++)
            sb_printf(&names, "%s%s", i ? ", " : "", commands[i]);
        set_err(err, _("unknown command: %s (commands: %s; Tab completes them)"), cmd, names.buf);
        sb_free(&names);
        rc = -1;
    }
    free(copy);
    return rc;
}

/* Completes the command name, or a pane name after "pane ". */
char *console_complete(const char *text, void *data)
{
    (void)data;
    const char *const *cands = commands;
    size_t ncands = ARRAY_LEN(commands);
    const char *word = text;
    const char *names[16];
    size_t prefix_len = 0;
    if (strncmp(text, "shift ", 6) == 0 || strncmp(text, "operator ", 9) == 0)
        return ui_shift_complete(text);
    if (strncmp(text, "as ", 3) == 0)
        return ui_act_as_complete(text);
    if (strncmp(text, "pane ", 5) == 0) {
        size_t n = app.npanes < 16 ? app.npanes : 16;
        for (size_t i = 0; i < n; i++)
            names[i] = app.panes[i].ops->name;
        cands = names;
        ncands = n;
        word = text + 5;
        prefix_len = 5;
    } else if (strchr(text, ' ')) {
        return NULL;
    }
    const char *match = NULL;
    size_t common = 0, nmatch = 0;
    struct strbuf all = STRBUF_INIT;
    for (size_t i = 0; i < ncands; i++)
        if (strncmp(cands[i], word, strlen(word)) == 0) {
            if (!match) {
                match = cands[i];
                common = strlen(match);
            } else {
                size_t k = 0;
                while (k < common && match[k] == cands[i][k])
                    k++;
                common = k;
            }
            sb_printf(&all, "%s%s", nmatch ? " " : "", cands[i]);
            nmatch++;
        }
    char *out = NULL;
    if (nmatch == 1)
        out = xasprintf("%.*s%s ", (int)prefix_len, text, match);
    else if (nmatch > 1) {
        out = xasprintf("%.*s%.*s", (int)prefix_len, text, (int)common, match);
        ui_line_hint(all.buf);
    }
    sb_free(&all);
    return out;
}

/* ---- quitting ---- */
static void quit_answer(int yes, void *data)
{
    (void)data;
    if (yes)
        ui_loop_quit();
}

static void request_quit(void)
{
    if (ui_form_has_input())
        ui_confirm(_("Discard the unsaved input and quit? (y/n)"), quit_answer, NULL);
    else
        ui_loop_quit();
}

/* ---- input ---- */
static void do_resize(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    clearok(curscr, TRUE);
    ui_dirty(UI_DIRTY_ALL);
}

void console_mouse(int y, int x, int button)
{
    if (too_small() || ui_modal_top())
        return;
    if (y == 0 && button == 1) {
        int i = console_tab_hit(app.tab_x, app.tab_w, (int)app.npanes, x);
        if (i >= 0) {
            clear_msg();
            switch_to((size_t)i);
        }
        return;
    }
    struct pane *p = cur_pane();
    if (p && !p->open_error && p->ops->mouse && y >= 1 && y < app.msg_top) {
        p->ops->mouse(p, y - 1, x, button);
        ui_dirty(UI_DIRTY_PANE);
    }
}

static void handle_mouse(void)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    struct ui_modal *m = ui_modal_top();
    if (m && m->mouse && !too_small()) {
        m->mouse(m, &ev);
        return;
    }
    int button = 0;
    if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED))
        button = 1;
    else if (ev.bstate & BUTTON4_PRESSED)
        button = 4;
#ifdef BUTTON5_PRESSED
    else if (ev.bstate & BUTTON5_PRESSED)
        button = 5;
#endif
    if (button)
        console_mouse(ev.y, ev.x, button);
}

static void global_action(const char *a)
{
    if (strcmp(a, "quit") == 0)
        request_quit();
    else if (strcmp(a, "help") == 0)
        show_help();
    else if (strcmp(a, "command") == 0)
        ui_line(":", "", run_command, console_complete, NULL);
    else if (strcmp(a, "filter") == 0)
        ui_line("/", "", apply_filter, NULL, NULL);
    else if (strcmp(a, "next-pane") == 0 || strcmp(a, "prev-pane") == 0 ||
             strncmp(a, "pane-", 5) == 0) {
        size_t to = a[0] == 'n'                  ? (app.cur + 1) % app.npanes
                    : a[0] == 'p' && a[1] == 'r' ? (app.cur + app.npanes - 1) % app.npanes
                                                 : (size_t)atoi(a + 5) - 1;
        if (to < app.npanes && to != app.cur)
            clear_msg();
        switch_to(to);
    } else if (strcmp(a, "refresh") == 0) {
        clearok(curscr, TRUE);
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_COUNTS | UI_DIRTY_ALL);
    }
}

void console_key(int key)
{
    key = keymap_normalize(key);
    ui_signin_activity();
    if (key == (UI_KEY_FN | KEY_RESIZE)) {
        ui_dirty(UI_DIRTY_ALL);
        return;
    }
    if (key == (UI_KEY_FN | KEY_MOUSE)) {
        handle_mouse();
        return;
    }
    if (too_small()) {
        if (key == 'q' || key == UI_KEY_CTRL('c'))
            ui_loop_quit();
        return;
    }
    struct ui_modal *m = ui_modal_top();
    if (m) {
        if (m->key(m, key))
            ui_modal_remove(m);
        ui_dirty(UI_DIRTY_ALL);
        return;
    }
    struct pane *p = cur_pane();
    const char *a = keymap_lookup(p ? p->ops : NULL, key);
    ui_dirty(UI_DIRTY_STATUS);
    if (a && refuse_read_only(a, NULL))
        return;
    if (a && p && !p->open_error && p->ops->action && p->ops->action(p, a)) {
        ui_dirty(UI_DIRTY_PANE);
        return;
    }
    if (a) {
        global_action(a);
        return;
    }
    if (p && !p->open_error && p->ops->key && p->ops->key(p, key))
        ui_dirty(UI_DIRTY_PANE);
}

/* ---- bracketed paste ----
 * ncurses reads input one byte per read() and polls between keys: a 1 MiB
 * paste took ~2 million system calls and froze the console for ~20 s. The
 * console asks the terminal to bracket pastes (mode 2004); on ESC [ 200 ~ it
 * reads the paste itself in large blocks up to ESC [ 201 ~ and hands it over
 * in one go. In a form or on the message line, line breaks and tabs become
 * spaces (a paste never submits a form); elsewhere the characters go on as
 * keys, as an unbracketed paste would. */
#define PASTE_BEGIN (KEY_MAX + 1)
#define PASTE_END (KEY_MAX + 2)
#define PASTE_MAX (4u << 20) /* bytes kept of one paste */

static void console_paste(const char *text, size_t len)
{
    struct ui_modal *top = ui_modal_top();
    int as_typed = top && top->paste;
    if (as_typed && top->paste(top, text, len))
        return; /* a session's pane: the server gets it as one paste */
    for (size_t i = 0; i < len && !ui_loop_quitting();) {
        uint32_t cp;
        i += utf8_decode(text + i, len - i, &cp);
        int key = (int)cp;
        if (ui_modal_top() && !as_typed) {
            if (cp == '\r' || cp == '\n' || cp == '\t')
                key = ' ';
            else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
                continue;
        } else if (cp == 0x1b) {
            continue; /* not a key of its own inside a paste */
        }
        console_key(key);
    }
}

static void read_paste(void)
{
    static const char end[] = "\033[201~";
    const size_t endlen = sizeof end - 1;
    struct strbuf text = STRBUF_INIT;
    char *buf = xmalloc(65536);
    char tail[16]; /* the last bytes of the previous block: a marker may straddle */
    size_t ntail = 0;
    const char *after = NULL;
    size_t nafter = 0;
    for (;;) {
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        int pr = poll(&pfd, 1, 2000);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break; /* the terminal stopped mid-paste: keep what came */
        ssize_t n = read(STDIN_FILENO, buf, 65536);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break;
        /* look for the end marker across the block boundary */
        char *joined = xmalloc(ntail + (size_t)n);
        memcpy(joined, tail, ntail);
        memcpy(joined + ntail, buf, (size_t)n);
        char *m = memmem(joined, ntail + (size_t)n, end, endlen);
        size_t upto = m ? (size_t)(m - joined) : ntail + (size_t)n; /* text bytes in joined */
        /* the tail bytes were held back from text; add what is text now */
        size_t keep_back = m ? 0 : (upto < endlen - 1 ? upto : endlen - 1);
        size_t add = upto - keep_back;
        if (text.len < PASTE_MAX)
            sb_add(&text, joined, add < PASTE_MAX - text.len ? add : PASTE_MAX - text.len);
        if (m) {
            size_t rest = ntail + (size_t)n - upto - endlen;
            if (rest) {
                char *r = xmalloc(rest);
                memcpy(r, m + endlen, rest);
                after = r;
                nafter = rest;
            }
            free(joined);
            break;
        }
        memcpy(tail, joined + upto - keep_back, keep_back);
        ntail = keep_back;
        free(joined);
    }
    if (!after && ntail && text.len < PASTE_MAX) /* ended without a marker */
        sb_add(&text, tail, ntail);
    free(buf);
    /* keys typed after the paste that came in the same block: back to ncurses */
    for (size_t i = nafter; i-- > 0;)
        ungetch((unsigned char)after[i]);
    free((char *)after);
    console_paste(text.buf ? text.buf : "", text.len);
    sb_free(&text);
}

static void paste_mode(int on)
{
    fputs(on ? "\033[?2004h" : "\033[?2004l", stdout);
    fflush(stdout);
}

static void on_input(void)
{
    wint_t wc;
    int rc;
    while ((rc = wget_wch(stdscr, &wc)) != ERR) {
        if (rc == KEY_CODE_YES && (wc == PASTE_BEGIN || wc == PASTE_END)) {
            if (wc == PASTE_BEGIN)
                read_paste();
            ui_dirty(UI_DIRTY_ALL);
            if (ui_loop_quitting())
                break;
            continue;
        }
        int key = rc == KEY_CODE_YES ? (int)(UI_KEY_FN | (int)wc) : (int)wc;
        console_key(key);
        if (ui_loop_quitting())
            break;
    }
}

static void on_signal(int sig)
{
    if (sig == SIGWINCH)
        do_resize();
    else if (sig == SIGINT && ui_form_has_input())
        console_key(UI_KEY_CTRL('c')); /* the form asks, as for Esc: typing is not lost */
    else
        ui_loop_quit();
}

/* The sync worker signals through its pipe when a round ends. */
static void on_sync_ready(int fd, short revents, void *data)
{
    (void)fd, (void)revents, (void)data;
    if (sync_step(app.sync))
        ui_dirty(UI_DIRTY_STATUS);
    ui_loop_set_fd_events(app.sync_handle, sync_poll_events(app.sync));
}

/* Sync runs when [sync] url is set in config.ini: a round every interval and
 * soon after each local change, on the worker's own connection, so a slow or
 * absent central database never holds up a keystroke. */
static void sync_start(void)
{
    /* A read-only console pulls nothing in and moves no cursor. */
    if (store_is_read_only(app.st))
        return;
    app.sync = sync_session_new(app.st, NULL, 0);
    if (app.sync && sync_fd(app.sync) < 0) {
        sync_session_free(app.sync);
        app.sync = NULL;
    }
    if (app.sync)
        app.sync_handle =
            ui_loop_add_fd(sync_fd(app.sync), sync_poll_events(app.sync), on_sync_ready, NULL);
}

static void sync_tick(void)
{
    if (!app.sync)
        return;
    if (sync_step(app.sync))
        ui_dirty(UI_DIRTY_STATUS);
    ui_loop_set_fd_events(app.sync_handle, sync_poll_events(app.sync));
}

static int clock_tick(void *data)
{
    (void)data;
    sync_tick();
    ui_signin_tick();
    ui_dirty(UI_DIRTY_STATUS);
    if (ui_monotonic_ms() - app.counts_at > 10000)
        ui_dirty(UI_DIRTY_COUNTS);
    return 1;
}

/* A change written by another process shows within a second, without a key:
 * four times a second one `PRAGMA data_version` (O(1), no table read) tells
 * whether anything was committed on another connection; only then the pane in
 * front reloads (its load keeps the selection on the same record, the filter
 * and the sort) and the counters are re-read. Under a form, prompt or overlay
 * the pane waits until it closes (a modal may point into the pane's rows). */
#define LIVE_CHECK_MS 250

static int64_t counts_seen; /* data_version when the counters last started */

static int live_tick(void *data)
{
    (void)data;
    int64_t v = store_data_version(app.st);
    if (v != counts_seen && !counts_running) {
        counts_seen = v;
        ui_dirty(UI_DIRTY_COUNTS);
    }
    struct pane *p = cur_pane();
    if (p && pane_stale(p, v) && !ui_modal_top()) {
        pane_load(p);
        ui_dirty(UI_DIRTY_PANE | UI_DIRTY_STATUS);
    }
    return 1;
}

/* ---- start-up ---- */
static void usage(void)
{
    fprintf(stderr, "%s\n",
            _("usage: unyo [--db PATH] [--lang ja|en] [--pane NAME] [--first-frame] [--keys]\n"
              "       unyo --script FILE [--dump-screen FILE] [--size WxH]"));
}

static void load_config(void)
{
    char *dir = paths_config_dir();
    char *path = xasprintf("%s/config.ini", dir);
    /* "~/..." keeps FILE:LINE short enough for the message line */
    const char *home = getenv("HOME");
    size_t hl = home ? strlen(home) : 0;
    char *shown = hl > 1 && strncmp(path, home, hl) == 0 && path[hl] == '/'
                      ? xasprintf("~%s", path + hl)
                      : xstrdup(path);
    char *err = NULL;
    if (keymap_load_file(path, &err) != 0) {
        char *e = err;
        if (strncmp(e, path, strlen(path)) == 0)
            e = xasprintf("%s%s", shown, err + strlen(path));
        else
            e = xstrdup(err);
        ui_error(_("default keys kept: %s"), e);
        free(e);
    }
    free(shown);
    free(err);
    free(path);
    free(dir);
}

static void panes_init(void)
{
    size_t n;
    const struct pane_ops *const *reg = ui_pane_registry(&n);
    app.panes = xcalloc(n, sizeof *app.panes);
    app.npanes = n;
    for (size_t i = 0; i < n; i++)
        app.panes[i].ops = reg[i];
}

static void panes_free(void)
{
    for (size_t i = 0; i < app.npanes; i++) {
        struct pane *p = &app.panes[i];
        if (p->opened && !p->open_error && p->ops->free)
            p->ops->free(p);
        free(p->open_error);
    }
    free(app.panes);
    app.panes = NULL;
    app.npanes = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double cpu_sec(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Hidden benchmark modes: the incidents pane on a terminal writing to
 * /dev/null; times measured inside the process. */
static int run_bench(const char *mode, long arg, const char *pattern, long at_row)
{
    char *err = NULL;
    if (ui_terminal_start_headless(160, 50, &err) != 0) {
        fprintf(stderr, "unyo: %s\n", err);
        free(err);
        return 1;
    }
    if (ui_switch_pane("incidents") != 0) {
        ui_terminal_stop_headless();
        return 1;
    }
    struct pane *p = cur_pane();
    if (p->open_error) {
        ui_terminal_stop_headless();
        fprintf(stderr, "unyo: %s\n", p->open_error);
        return 1;
    }
    draw_all();
    int runs = (int)(arg > 0 ? arg : 20);
    double *t = xcalloc((size_t)runs, sizeof *t);
    double *cpu = xcalloc((size_t)runs, sizeof *cpu);
    double setup = 0;
    if (strcmp(mode, "pagedown") == 0) {
        char a[48];
        snprintf(a, sizeof a, "goto %ld", at_row);
        double t0 = now_sec();
        p->ops->action(p, a);
        draw_all();
        setup = now_sec() - t0;
        for (int i = 0; i < runs; i++) {
            double c0 = cpu_sec();
            t0 = now_sec();
            p->ops->action(p, "page-down");
            draw_all();
            t[i] = now_sec() - t0;
            cpu[i] = cpu_sec() - c0;
        }
    } else {
        for (int i = 0; i < runs; i++) {
            pcre2_code *re = ui_filter_compile(pattern, &err);
            if (!re) {
                ui_terminal_stop_headless();
                fprintf(stderr, "unyo: %s\n", err);
                free(err);
                free(t);
                free(cpu);
                return 1;
            }
            double c0 = cpu_sec();
            double t0 = now_sec();
            if (p->ops->filter(p, re, pattern, &err) != 0) {
                ui_terminal_stop_headless();
                fprintf(stderr, "unyo: %s\n", err);
                free(err);
                ui_filter_free(re);
                free(t);
                free(cpu);
                return 1;
            }
            draw_all();
            t[i] = now_sec() - t0;
            cpu[i] = cpu_sec() - c0;
            ui_filter_free(re);
        }
    }
    ui_terminal_stop_headless();
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
    printf("%s runs=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f cpu_ms=%.3f setup_ms=%.1f "
           "maxrss_kb=%ld\n",
           mode, runs, t[runs / 2] * 1e3, t[0] * 1e3, t[runs - 1] * 1e3, cpu[runs / 2] * 1e3,
           setup * 1e3, max_rss_kb());
    free(t);
    free(cpu);
    return 0;
}

/* ---- headless scripting (tests, like tig's TIG_SCRIPT) ---- */
static void process_dirty(void)
{
    unsigned d = ui_loop_take_dirty();
    if (d & UI_DIRTY_COUNTS)
        refresh_counts();
    if (d & UI_DIRTY_RELOAD) {
        struct pane *p = cur_pane();
        if (p && !p->open_error && p->ops->load)
            pane_load(p);
    }
    draw_all();
}

static int dump_screen(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f)
        return -1;
    wchar_t *w = xcalloc((size_t)COLS + 1, sizeof *w);
    for (int y = 0; y < LINES; y++) {
        int n = mvwinnwstr(stdscr, y, 0, w, COLS);
        struct strbuf sb = STRBUF_INIT;
        for (int i = 0; i < n && w[i]; i++) {
            char u[4];
            sb_add(&sb, u, utf8_encode((uint32_t)w[i], u));
        }
        while (sb.len && sb.buf[sb.len - 1] == ' ')
            sb.len--;
        fprintf(f, "%.*s\n", (int)sb.len, sb.buf ? sb.buf : "");
        sb_free(&sb);
    }
    free(w);
    if (f != stdout)
        fclose(f);
    return 0;
}

/* Lines: "key NAME..." (names as in data/keys.ini), "type TEXT", "resize W H",
 * "click X Y", "wheel up|down X Y" (0-based cells), "dump FILE", "# comment". The screen is dumped
 * to dump_path at the end. */
static int run_script(const char *script, const char *dump_path, int w, int h, char **errp)
{
    char *text = read_file(script, NULL, errp);
    if (!text)
        return -1;
    if (ui_terminal_start_headless(w, h, errp) != 0) {
        free(text);
        return -1;
    }
    load_config();
    refresh_counts();
    process_dirty();
    int rc = 0, lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && !ui_loop_quitting();
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (!*line || line[0] == '#')
            continue;
        if (strncmp(line, "key ", 4) == 0) {
            char *s2 = NULL;
            for (char *k = strtok_r(line + 4, " ", &s2); k; k = strtok_r(NULL, " ", &s2)) {
                int key = keymap_parse_key(k);
                if (key < 0) {
                    fprintf(stderr, "%s:%d: unknown key %s\n", script, lineno, k);
                    rc = 1;
                    break;
                }
                console_key(key);
                process_dirty();
            }
        } else if (strncmp(line, "type ", 5) == 0) {
            const char *t = line + 5;
            size_t len = strlen(t);
            for (size_t i = 0; i < len;) {
                uint32_t cp;
                i += utf8_decode(t + i, len - i, &cp);
                console_key((int)cp);
                process_dirty();
            }
        } else if (strncmp(line, "resize ", 7) == 0) {
            int nw, nh;
            if (sscanf(line + 7, "%d %d", &nw, &nh) == 2) {
                resizeterm(nh, nw);
                ui_dirty(UI_DIRTY_ALL);
                process_dirty();
            }
        } else if (strncmp(line, "click ", 6) == 0 || strncmp(line, "wheel ", 6) == 0) {
            int x, y;
            char dir[8] = "";
            int ok = line[0] == 'c' ? sscanf(line + 6, "%d %d", &x, &y) == 2
                                    : sscanf(line + 6, "%7s %d %d", dir, &x, &y) == 3;
            if (!ok) {
                fprintf(stderr, "%s:%d: click X Y, or wheel up|down X Y\n", script, lineno);
                rc = 1;
            } else {
                console_mouse(y, x, line[0] == 'c' ? 1 : strcmp(dir, "up") == 0 ? 4 : 5);
                process_dirty();
            }
        } else if (strncmp(line, "dump ", 5) == 0) {
            dump_screen(line + 5);
        } else {
            fprintf(stderr, "%s:%d: expected key, type, resize, click, wheel or dump\n", script,
                    lineno);
            rc = 1;
        }
        if (rc)
            break;
    }
    if (dump_path && dump_screen(dump_path) != 0) {
        fprintf(stderr, "unyo: cannot write %s\n", dump_path);
        rc = 1;
    }
    ui_terminal_stop_headless();
    free(text);
    return rc;
}

int console_options(int argc, char **argv, struct console_options *o)
{
    memset(o, 0, sizeof *o);
    o->script_w = 80;
    o->script_h = 24;
    o->bench_row = 900000;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--first-frame") == 0)
            o->first_frame = 1;
        else if (strcmp(a, "--keys-ini") == 0) {
            keymap_init();
            keymap_print_ini(stdout);
            return 0;
        } else if (strcmp(a, "--keys") == 0) {
            keymap_init();
            keymap_print(stdout);
            return 0;
        } else if (strcmp(a, "--script") == 0 && i + 1 < argc) {
            o->script = argv[++i];
        } else if (strcmp(a, "--dump-screen") == 0 && i + 1 < argc) {
            o->dump = argv[++i];
        } else if (strcmp(a, "--size") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &o->script_w, &o->script_h) != 2 || o->script_w < 1 ||
                o->script_h < 1) {
                fprintf(stderr, "%s\n", _("unyo: --size takes WIDTHxHEIGHT, e.g. 80x24"));
                return 2;
            }
        } else if (strcmp(a, "--pane") == 0 && i + 1 < argc)
            o->pane = argv[++i];
        else if (strncmp(a, "--pane=", 7) == 0)
            o->pane = a + 7;
        else if (strcmp(a, "--bench-pagedown") == 0 && i + 1 < argc) {
            o->bench = "pagedown";
            o->bench_arg = atol(argv[++i]);
        } else if (strcmp(a, "--bench-row") == 0 && i + 1 < argc)
            o->bench_row = atol(argv[++i]);
        else if (strcmp(a, "--bench-filter") == 0 && i + 2 < argc) {
            o->bench = "filter";
            o->bench_pattern = argv[++i];
            o->bench_arg = atol(argv[++i]);
        } else if (strcmp(a, "--bench-typing-round") == 0 && i + 1 < argc) {
            o->bench_typing = atol(argv[++i]);
            if (o->bench_typing < 1 || o->bench_typing > 100000) {
                fprintf(stderr, "%s\n", "unyo: --bench-typing-round takes 1 to 100000 keys");
                return 2;
            }
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return 0;
        } else {
            fprintf(stderr, _("unyo: unknown option %s\n"), a);
            usage();
            return 2;
        }
    }
    if (o->pane) {
        size_t n;
        const struct pane_ops *const *reg = ui_pane_registry(&n);
        size_t i = 0;
        while (i < n && strcmp(reg[i]->name, o->pane) != 0)
            i++;
        if (i == n) {
            fprintf(stderr, _("unyo: no such pane: %s\n"), o->pane);
            return 2;
        }
    }
    return CONSOLE_RUN;
}

/* ---- --bench-typing-round: typing while a check round runs (issue 15) ---- */
static struct {
    long keys, sent, measured, in_round;
    double *lat, t_key;
    int waiting, wait_round;
} bt;

static int cmp_ms(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A key as the keyboard would give it: the pane's own action, then a frame. */
static int bench_type_tick(void *data)
{
    (void)data;
    if (bt.waiting || bt.sent >= bt.keys)
        return 1;
    int round = ui_check_rounds_running();
    if (bt.wait_round && !round && bt.sent == 0)
        return 1; /* not yet: the first round has not started */
    struct pane *p = cur_pane();
    if (!p || !p->ops->action)
        return 1;
    bt.t_key = now_sec();
    p->ops->action(p, bt.sent % 2 ? "up" : "down");
    ui_dirty(UI_DIRTY_PANE);
    bt.in_round += round;
    bt.sent++;
    bt.waiting = 1;
    return 1;
}

static void bench_typing_frame(void)
{
    if (!bt.waiting)
        return;
    bt.lat[bt.measured++] = (now_sec() - bt.t_key) * 1e3;
    bt.waiting = 0;
    if (bt.measured >= bt.keys)
        ui_loop_quit();
}

static void bench_typing_report(void)
{
    long n = bt.measured;
    if (n <= 0) {
        fprintf(stderr, "bench-typing-round: no key measured\n");
        return;
    }
    qsort(bt.lat, (size_t)n, sizeof *bt.lat, cmp_ms);
    fprintf(stderr,
            "bench-typing-round keys=%ld during_round=%ld median_ms=%.3f p95_ms=%.3f "
            "max_ms=%.3f\n",
            n, bt.in_round, bt.lat[n / 2], bt.lat[(long)ceil((double)n * 0.95) - 1], bt.lat[n - 1]);
}

int console_main(struct store *st, const struct console_options *o, char **err)
{
    timing("start");
    app.first_frame = o->first_frame;
    app.st = st;
    cmdlog_set_db(st->path);
    keymap_init();
    panes_init();
    size_t start = 0;
    for (size_t i = 0; o->pane && i < app.npanes; i++)
        if (strcmp(app.panes[i].ops->name, o->pane) == 0)
            start = i;
    char *calpath = paths_find_data(NULL, "calendar.ini");
    char *calerr = NULL;
    app.cal = calpath ? calendar_load(calpath, &calerr) : NULL;
    if (!app.cal)
        app.cal = calendar_new_default();
    free(calpath);
    if (o->script) {
        free(calerr);
        switch_to(start);
        int rc = run_script(o->script, o->dump, o->script_w, o->script_h, err);
        panes_free();
        calendar_free(app.cal);
        free(app.msg);
        free(app.on_duty);
        free(app.shift_now);
        return rc;
    }
    if (o->bench) {
        free(calerr);
        int rc = run_bench(o->bench, o->bench_arg, o->bench_pattern, o->bench_row);
        panes_free();
        calendar_free(app.cal);
        return rc;
    }
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
        fprintf(stderr, "%s\n", _("unyo: the console needs a terminal (see unyo help)"));
        free(calerr);
        panes_free();
        calendar_free(app.cal);
        return 1;
    }
    char *theme_err = NULL;
    if (ui_terminal_start(UI_TERM_MOUSE, &theme_err) != 0) {
        ui_error("%s", theme_err);
        free(theme_err);
    }
    define_key("\033[200~", PASTE_BEGIN);
    define_key("\033[201~", PASTE_END);
    paste_mode(1);
    load_config();
    if (calerr) {
        ui_error(_("%s (built-in service hours used)"), calerr);
        free(calerr);
    }
    timing("terminal");
    app.open_incidents = -1;
    app.unsynced = -1;
    refresh_counts();
    verify_start();
    timing("counts");
    switch_to(start);
    timing("pane open");
    /* A new store (`unyo init`, nobody registered yet): the guided first run. */
    ui_setup_maybe_start();
    /* A real store: who is at the keyboard signs in (src/ui/ui_signin.h). */
    ui_signin_start();
    ui_loop_add_timer(1000, clock_tick, NULL);
    counts_seen = store_data_version(app.st);
    ui_loop_add_timer(LIVE_CHECK_MS, live_tick, NULL);
    sync_start();
    ui_check_rounds_start(); /* [checks] schedule = on: due checks in the background */
    if (o->bench_typing > 0) {
        bt.keys = o->bench_typing;
        bt.lat = xcalloc((size_t)bt.keys, sizeof *bt.lat);
        bt.wait_round = ui_check_rounds_on();
        ui_loop_add_timer(20, bench_type_tick, NULL);
    }
    ui_dirty(UI_DIRTY_ALL);
    while (!ui_loop_quitting()) {
        unsigned d = ui_loop_take_dirty();
        if (d & UI_DIRTY_COUNTS)
            refresh_counts();
        if (d & UI_DIRTY_RELOAD) {
            /* A reload follows a change recorded in the store: send it soon. */
            if (app.sync)
                sync_session_kick(app.sync);
            struct pane *p = cur_pane();
            if (p && !p->open_error && p->ops->load)
                pane_load(p);
        }
        if (d) {
            draw_all();
            timing("frame");
            if (bt.keys)
                bench_typing_frame();
            if (app.first_frame)
                break;
        }
        /* Work done while drawing (a pane's deferred load) may ask for another pass. */
        if (ui_loop_pending())
            continue;
        if (ui_loop_wait(STDIN_FILENO, on_input, on_signal) != 0)
            break;
    }
    paste_mode(0);
    ui_terminal_stop();
    if (app.first_frame) {
        /* Measured exec→exit: do not wait for background counts still running. */
        fflush(stdout);
        _exit(0);
    }
    ui_bg_drain();
    ui_check_rounds_stop();
    if (bt.keys) {
        bench_typing_report();
        free(bt.lat);
    }
    if (app.sync)
        sync_session_free(app.sync); /* waits for a round under way */
    ui_terminal_done();
    panes_free();
    calendar_free(app.cal);
    free(app.msg);
    for (int i = 0; i < app.nhistory; i++)
        free(app.history[i]);
    free(app.on_duty);
    free(app.shift_now);
    free(filter_pattern);
    ui_filter_thread_done();
    return 0;
}
