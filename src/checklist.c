#include "checklist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "downtime.h"
#include "due.h"
#include "i18n.h"
#include "labels.h"
#include "input_norm.h"
#include "incidents.h"
#include "paths.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

struct tmpl {
    char id[ID_LEN + 1];
    char *code, *name_ja, *name_en, *period_text, *unit;
    int per_host, has_range;
    double value_min, value_max;
    struct due_rule rule;
};

struct host {
    char id[ID_LEN + 1];
    char *name;
};

struct event {
    char id[ID_LEN + 1];
    char day[11];
    char template_id[ID_LEN + 1];
    char host_id[ID_LEN + 1];
    char status[8];
    int has_value;
    double value;
    char *note, *reason, *at, *login, *name;
    char *check; /* the check id of a check run's result, else NULL */
    int64_t hlc;
    int downtime; /* an NG recorded in a downtime (downtime.h) */
    char *via;    /* an NG unreachable via these parents (host_deps.h), or NULL */
    int warn;     /* an NG of level 'warn' (checks.h: WARN) */
};

/* Everything checklist_load needs, read with a handful of queries. */
struct snapshot {
    struct tmpl *tmpls;
    size_t ntmpls;
    struct host *hosts;
    size_t nhosts;
    struct event *events; /* sorted by (day, template, host, hlc) */
    size_t nevents;
};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void copy_id(char dst[ID_LEN + 1], const char *src)
{
    snprintf(dst, ID_LEN + 1, "%s", src ? src : "");
}

static void snapshot_free(struct snapshot *s)
{
    for (size_t i = 0; i < s->ntmpls; i++) {
        struct tmpl *t = &s->tmpls[i];
        free(t->code), free(t->name_ja), free(t->name_en), free(t->period_text), free(t->unit);
    }
    for (size_t i = 0; i < s->nhosts; i++)
        free(s->hosts[i].name);
    for (size_t i = 0; i < s->nevents; i++) {
        struct event *e = &s->events[i];
        free(e->note), free(e->reason), free(e->at), free(e->login), free(e->name);
        free(e->check);
        free(e->via);
    }
    free(s->tmpls), free(s->hosts), free(s->events);
    memset(s, 0, sizeof *s);
}

static const char sql_templates[] =
    "SELECT id, code, name_ja, name_en, period_text, periods, per_host, weekday, monthday, "
    "months, value_unit, value_min, value_max FROM templates "
    "WHERE pane = 'checklist' AND deleted = 0 AND active = 1 ORDER BY code";

static void read_template(sqlite3_stmt *s, struct tmpl *t)
{
    memset(t, 0, sizeof *t);
    copy_id(t->id, col_text(s, 0));
    t->code = xstrdup(col_text(s, 1));
    t->name_ja = xstrdup(col_text(s, 2));
    t->name_en = xstrdup(col_text(s, 3));
    t->period_text = xstrdup(col_text(s, 4) ? col_text(s, 4) : "");
    t->rule.periods = (unsigned)sqlite3_column_int64(s, 5);
    t->per_host = sqlite3_column_int(s, 6);
    t->rule.weekday = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 7);
    t->rule.monthday = sqlite3_column_type(s, 8) == SQLITE_NULL ? 0 : sqlite3_column_int(s, 8);
    t->rule.months =
        sqlite3_column_type(s, 9) == SQLITE_NULL ? 0 : (unsigned)sqlite3_column_int64(s, 9);
    t->unit = dup_or_null(col_text(s, 10));
    t->has_range =
        sqlite3_column_type(s, 11) != SQLITE_NULL && sqlite3_column_type(s, 12) != SQLITE_NULL;
    if (t->has_range) {
        t->value_min = sqlite3_column_double(s, 11);
        t->value_max = sqlite3_column_double(s, 12);
    }
}

static int load_templates(struct store *st, struct snapshot *snap, char **err)
{
    sqlite3_stmt *s = store_stmt(st, sql_templates);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        snap->tmpls = xrealloc(snap->tmpls, (snap->ntmpls + 1) * sizeof *snap->tmpls);
        read_template(s, &snap->tmpls[snap->ntmpls++]);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading the checklist templates"));
    return 0;
}

static int load_hosts(struct store *st, struct snapshot *snap, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT id, name FROM hosts WHERE deleted = 0 ORDER BY name, id");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        snap->hosts = xrealloc(snap->hosts, (snap->nhosts + 1) * sizeof *snap->hosts);
        struct host *h = &snap->hosts[snap->nhosts++];
        copy_id(h->id, col_text(s, 0));
        h->name = xstrdup(col_text(s, 1));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading the hosts"));
    return 0;
}

static int event_cmp(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    int c = strcmp(x->day, y->day);
    if (!c)
        c = strcmp(x->template_id, y->template_id);
    if (!c)
        c = strcmp(x->host_id, y->host_id);
    if (!c)
        c = x->hlc < y->hlc ? -1 : x->hlc > y->hlc;
    if (!c)
        c = strcmp(x->id, y->id);
    return c;
}

/* One range query over the (day, template_id, host_id) index for the whole window. */
static int load_events(struct store *st, const char *from_day, const char *to_day,
                       struct snapshot *snap, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT e.id, e.day, e.template_id, e.host_id, e.status, e.value, e.note, e.reason, "
            "e.at, o.login, o.name, e.hlc, e.source, e.downtime_id IS NOT NULL, "
            "e.unreachable_via, e.level = 'warn' FROM checklist_events e "
            "LEFT JOIN operators o ON o.id = e.operator_id WHERE e.day >= ?1 AND e.day <= ?2");
    bind_text(s, 1, from_day);
    bind_text(s, 2, to_day);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        snap->events = xrealloc(snap->events, (snap->nevents + 1) * sizeof *snap->events);
        struct event *e = &snap->events[snap->nevents++];
        memset(e, 0, sizeof *e);
        copy_id(e->id, col_text(s, 0));
        snprintf(e->day, sizeof e->day, "%s", col_text(s, 1));
        copy_id(e->template_id, col_text(s, 2));
        copy_id(e->host_id, col_text(s, 3));
        snprintf(e->status, sizeof e->status, "%s", col_text(s, 4));
        e->has_value = sqlite3_column_type(s, 5) != SQLITE_NULL;
        e->value = sqlite3_column_double(s, 5);
        e->note = dup_or_null(col_text(s, 6));
        e->reason = dup_or_null(col_text(s, 7));
        e->at = dup_or_null(col_text(s, 8));
        e->login = dup_or_null(col_text(s, 9));
        e->name = dup_or_null(col_text(s, 10));
        e->hlc = sqlite3_column_int64(s, 11);
        e->downtime = sqlite3_column_int(s, 13) != 0;
        e->via = dup_or_null(col_text(s, 14));
        e->warn = sqlite3_column_int(s, 15) != 0;
        /* A check run's result names its check in the note ("check=ID"): that is
         * the result's key, not a note to show. */
        if (streq(col_text(s, 12), "check") && e->note && strncmp(e->note, "check=", 6) == 0) {
            e->check = xstrdup(e->note + 6);
            free(e->note);
            e->note = NULL;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading the checklist events"));
    if (snap->nevents)
        qsort(snap->events, snap->nevents, sizeof *snap->events, event_cmp);
    return 0;
}

/* The events of one key, as [*first, *first + *n) in hlc order. */
static void events_of(const struct snapshot *snap, const char *day, const char *template_id,
                      const char *host_id, size_t *first, size_t *n)
{
    size_t lo = 0, hi = snap->nevents;
    struct event key;
    memset(&key, 0, sizeof key);
    snprintf(key.day, sizeof key.day, "%s", day);
    copy_id(key.template_id, template_id);
    copy_id(key.host_id, host_id);
    key.hlc = INT64_MIN;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (event_cmp(&snap->events[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < snap->nevents && streq(snap->events[end].day, day) &&
           streq(snap->events[end].template_id, template_id) &&
           streq(snap->events[end].host_id, host_id))
        end++;
    *first = lo;
    *n = end - lo;
}

static int is_status_event(const struct event *e)
{
    return streq(e->status, "ok") || streq(e->status, "ng") || streq(e->status, "skip");
}

static int done_on(const struct snapshot *snap, const char *day, const char *template_id,
                   const char *host_id)
{
    size_t first, n;
    events_of(snap, day, template_id, host_id, &first, &n);
    for (size_t i = first; i < first + n; i++)
        if (is_status_event(&snap->events[i]))
            return 1;
    return 0;
}

static void format_day(struct civil_date d, char out[11])
{
    snprintf(out, 11, "%04d-%02d-%02d", d.y, d.m, d.d);
}

/* The first day events may roll over from: the look-back limit, and not before the
 * store's templates were loaded (init). */
static struct civil_date lookback_start(struct store *st, struct civil_date day)
{
    struct civil_date start = civil_add_days(day, -CHECKLIST_LOOKBACK_DAYS);
    sqlite3_stmt *s = store_stmt(st, "SELECT min(created_at) FROM templates");
    int64_t ms;
    if (sqlite3_step(s) == SQLITE_ROW && col_text(s, 0) && time_parse(col_text(s, 0), &ms) == 0) {
        char created[11];
        time_format_jst_date(ms, created);
        struct civil_date c;
        if (civil_parse(created, &c) == 0 && civil_to_days(c) > civil_to_days(start))
            start = c;
    }
    sqlite3_reset(s);
    return start;
}

const char *checklist_status_name(enum checklist_status s)
{
    switch (s) {
    case CHECK_OK:
        return "ok";
    case CHECK_NG:
        return "ng";
    case CHECK_SKIP:
        return "skip";
    case CHECK_TODO:
        break;
    }
    return "todo";
}

static enum checklist_status status_of(const struct event *e)
{
    return streq(e->status, "ok") ? CHECK_OK : streq(e->status, "ng") ? CHECK_NG : CHECK_SKIP;
}

/* NG > skip > OK. */
static int severity(enum checklist_status s)
{
    return s == CHECK_NG ? 3 : s == CHECK_SKIP ? 2 : s == CHECK_OK ? 1 : 0;
}

static void result_clear(struct checklist_result *r)
{
    free(r->check), free(r->reason), free(r->at), free(r->unreachable_via);
    memset(r, 0, sizeof *r);
}

static void results_free(struct checklist_item *it)
{
    for (size_t i = 0; i < it->n_results; i++)
        result_clear(&it->results[i]);
    free(it->results);
    it->results = NULL;
    it->n_results = 0;
}

/* Worst-of over the latest result of each check since the latest mark by hand. */
static void fill_state(struct checklist_item *it, const struct snapshot *snap)
{
    size_t first, n;
    events_of(snap, it->due_day, it->template_id, it->host_id, &first, &n);
    /* Latest result per key; kept as event indexes while scanning. */
    size_t *latest = n ? xcalloc(n, sizeof *latest) : NULL;
    size_t nl = 0;
    for (size_t i = first; i < first + n; i++) {
        const struct event *e = &snap->events[i];
        if (streq(e->status, "added")) {
            it->added_by_hand = 1;
            continue;
        }
        if (is_status_event(e)) {
            if (!e->check) {
                nl = 0; /* a person's mark settles everything before it */
                latest[nl++] = i;
            } else {
                size_t k = 0;
                while (k < nl && !(snap->events[latest[k]].check &&
                                   streq(snap->events[latest[k]].check, e->check)))
                    k++;
                latest[k] = i;
                if (k == nl)
                    nl++;
            }
        }
        if (e->note && *e->note) {
            free(it->note);
            it->note = xstrdup(e->note);
        }
        free(it->who_login), free(it->who_name), free(it->at);
        it->who_login = dup_or_null(e->login);
        it->who_name = e->check ? xstrdup(_("check run")) : dup_or_null(e->name);
        it->at = dup_or_null(e->at);
        copy_id(it->last_event_id, e->id);
    }
    /* The status: the worst; its value, event and actor: the latest of the worst. */
    const struct event *rep = NULL;
    for (size_t k = 0; k < nl; k++) {
        const struct event *e = &snap->events[latest[k]];
        if (!rep || severity(status_of(e)) > severity(status_of(rep)) ||
            (severity(status_of(e)) == severity(status_of(rep)) && e->hlc >= rep->hlc))
            rep = e;
    }
    if (rep) {
        it->status = status_of(rep);
        it->has_value = rep->has_value;
        it->value = rep->value;
        it->by_check_run = rep->check != NULL;
        copy_id(it->status_event_id, rep->id);
        it->results = xcalloc(nl, sizeof *it->results);
        it->n_results = nl;
        struct strbuf why = STRBUF_INIT, failed = STRBUF_INIT;
        size_t ng_counted = 0, ng_downtime = 0, ng_crit = 0;
        for (size_t k = 0; k < nl; k++) {
            const struct event *e = &snap->events[latest[k]];
            struct checklist_result *r = &it->results[k];
            r->check = dup_or_null(e->check);
            r->status = status_of(e);
            r->has_value = e->has_value;
            r->value = e->value;
            r->reason = dup_or_null(e->reason);
            r->at = dup_or_null(e->at);
            copy_id(r->event_id, e->id);
            r->in_downtime = r->status == CHECK_NG && e->downtime;
            r->unreachable_via = r->status == CHECK_NG ? dup_or_null(e->via) : NULL;
            r->warn = r->status == CHECK_NG && e->warn;
            if (r->status != it->status || it->status == CHECK_OK)
                continue;
            if (r->status == CHECK_NG)
                ng_counted += !r->in_downtime && !r->unreachable_via;
            if (r->status == CHECK_NG)
                ng_downtime += r->in_downtime;
            if (r->status == CHECK_NG && !r->in_downtime && !r->unreachable_via)
                ng_crit += !r->warn;
            if (e->check && r->status == CHECK_NG)
                sb_printf(&failed, "%s%s", failed.len ? ", " : "", label_check(e->check));
            char *via = r->unreachable_via && !r->in_downtime
                            ? xasprintf(_("[unreachable via %s]"), r->unreachable_via)
                            : NULL;
            if (e->check)
                sb_printf(&why, "%s%s%s%s%s%s: %s", why.len ? "; " : "",
                          r->in_downtime ? downtime_mark() : "", r->in_downtime ? " " : "",
                          via ? via : "", via ? " " : "", label_check(e->check),
                          e->reason ? e->reason : "");
            else if (e->reason && *e->reason)
                sb_printf(&why, "%s%s", why.len ? "; " : "", e->reason);
            free(via);
        }
        /* Every NG that makes it NG was recorded in a downtime (or unreachable via a
         * down parent, host_deps.h): not counted. */
        it->in_downtime = it->status == CHECK_NG && ng_counted == 0;
        it->unreachable = it->in_downtime && ng_downtime == 0;
        /* Every counted NG is a WARN: the item is WARN, counted apart from NG. */
        it->warn = it->status == CHECK_NG && ng_counted > 0 && ng_crit == 0;
        free(it->reason);
        it->reason = why.len ? sb_detach(&why) : NULL;
        sb_free(&why);
        it->failed = failed.len ? sb_detach(&failed) : NULL;
        sb_free(&failed);
    }
    free(latest);
    it->out_of_range =
        it->has_value && it->has_range && (it->value < it->value_min || it->value > it->value_max);
}

const char *checklist_item_note(const struct checklist_item *it)
{
    if ((it->status == CHECK_NG || it->status == CHECK_SKIP) && it->reason && *it->reason)
        return it->reason;
    return it->note;
}

static struct checklist_item *push_item(struct checklist_day *d, const struct tmpl *t,
                                        const struct host *h, const char *due_day, int overdue)
{
    d->items = xrealloc(d->items, (d->count + 1) * sizeof *d->items);
    struct checklist_item *it = &d->items[d->count++];
    memset(it, 0, sizeof *it);
    copy_id(it->template_id, t->id);
    it->code = xstrdup(t->code);
    it->name_ja = xstrdup(t->name_ja);
    it->name_en = xstrdup(t->name_en);
    it->periods = t->rule.periods;
    it->period_text = xstrdup(t->period_text);
    if (h) {
        copy_id(it->host_id, h->id);
        it->host_name = xstrdup(h->name);
    }
    snprintf(it->due_day, sizeof it->due_day, "%s", due_day);
    it->overdue = overdue;
    it->unit = dup_or_null(t->unit);
    it->has_range = t->has_range;
    it->value_min = t->value_min;
    it->value_max = t->value_max;
    return it;
}

static int has_item(const struct checklist_day *d, const char *due_day, const char *template_id,
                    const char *host_id)
{
    for (size_t i = 0; i < d->count; i++)
        if (streq(d->items[i].due_day, due_day) && streq(d->items[i].template_id, template_id) &&
            streq(d->items[i].host_id, host_id))
            return 1;
    return 0;
}

static int item_cmp(const void *a, const void *b)
{
    const struct checklist_item *x = a, *y = b;
    if (x->overdue != y->overdue)
        return y->overdue - x->overdue;
    int c = strcmp(x->code, y->code);
    if (!c)
        c = strcmp(x->host_name ? x->host_name : "", y->host_name ? y->host_name : "");
    if (!c)
        c = strcmp(x->due_day, y->due_day);
    return c;
}

static const struct tmpl *tmpl_by_id(const struct snapshot *snap, const char *id)
{
    for (size_t i = 0; i < snap->ntmpls; i++)
        if (streq(snap->tmpls[i].id, id))
            return &snap->tmpls[i];
    return NULL;
}

static const struct host *host_by_id(const struct snapshot *snap, const char *id)
{
    for (size_t i = 0; i < snap->nhosts; i++)
        if (streq(snap->hosts[i].id, id))
            return &snap->hosts[i];
    return NULL;
}

static void build_day(const struct calendar *cal, struct civil_date day, struct civil_date start,
                      const struct snapshot *snap, struct checklist_day *out)
{
    char today[11], start_text[11];
    format_day(day, today);
    format_day(start, start_text);
    int64_t start_days = civil_to_days(start);
    for (size_t i = 0; i < snap->ntmpls; i++) {
        const struct tmpl *t = &snap->tmpls[i];
        int due_today = due_on(&t->rule, cal, day);
        char rolled[11] = "";
        struct civil_date last;
        /* A missed daily check is superseded by the next day's, so only longer periods
         * roll over. */
        if (!due_today && !(t->rule.periods & PERIOD_DAILY) &&
            due_last_on_or_before(&t->rule, cal, civil_add_days(day, -1), &last) &&
            civil_to_days(last) >= start_days)
            format_day(last, rolled);
        size_t nh = t->per_host ? snap->nhosts : 1;
        for (size_t h = 0; h < nh; h++) {
            const struct host *host = t->per_host ? &snap->hosts[h] : NULL;
            const char *host_id = host ? host->id : "";
            if (due_today)
                push_item(out, t, host, today, 0);
            else if (rolled[0] && !done_on(snap, rolled, t->id, host_id))
                push_item(out, t, host, rolled, 1);
        }
    }
    /* Items added by hand: on the day itself, or earlier in the window and still undone. */
    for (size_t i = 0; i < snap->nevents; i++) {
        const struct event *e = &snap->events[i];
        if (!streq(e->status, "added") || strcmp(e->day, start_text) < 0 ||
            strcmp(e->day, today) > 0)
            continue;
        const struct tmpl *t = tmpl_by_id(snap, e->template_id);
        if (!t)
            continue;
        const struct host *host = NULL;
        if (t->per_host && !(host = host_by_id(snap, e->host_id)))
            continue;
        const char *host_id = host ? host->id : "";
        if (has_item(out, e->day, t->id, host_id))
            continue;
        int overdue = !streq(e->day, today);
        if (overdue && done_on(snap, e->day, t->id, host_id))
            continue;
        push_item(out, t, host, e->day, overdue);
    }
    for (size_t i = 0; i < out->count; i++)
        fill_state(&out->items[i], snap);
    if (out->count)
        qsort(out->items, out->count, sizeof *out->items, item_cmp);
}

static int parse_day(const char *day, struct civil_date *out, char **err)
{
    if (!day || strlen(day) != 10 || civil_parse(day, out) != 0) {
        set_err(err, _("\"%s\" is not a day: use YYYY-MM-DD"), day ? day : "");
        return -1;
    }
    return 0;
}

enum checklist_ng checklist_ng_standing(int ng, int in_downtime, int acked)
{
    return !ng           ? CHECKLIST_NOT_NG
           : in_downtime ? CHECKLIST_NG_DOWNTIME
           : acked       ? CHECKLIST_NG_ACKED
                         : CHECKLIST_NG_COUNTED;
}

enum checklist_ng checklist_item_ng(const struct checklist_item *it)
{
    return checklist_ng_standing(it->status == CHECK_NG || it->out_of_range, it->in_downtime,
                                 it->acked);
}

/* The acknowledgements that hold now (check_ack.h: not ended, not expired) mark the NG
 * results of their host x check; an item NG only through those (and downtime ones) is
 * acknowledged. One query for the day, not one per item. */
static int mark_acks(struct store *st, struct checklist_day *d, char **err)
{
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    sqlite3_stmt *s =
        store_stmt(st, "SELECT host_id, check_id FROM check_acks WHERE deleted = 0 "
                       "AND ended_at IS NULL AND (until_at IS NULL OR until_at > ?1)");
    bind_text(s, 1, now);
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        const char *host = col_text(s, 0), *check = col_text(s, 1);
        for (size_t i = 0; host && check && i < d->count; i++) {
            struct checklist_item *it = &d->items[i];
            if (it->status != CHECK_NG || !streq(it->host_id, host))
                continue;
            for (size_t k = 0; k < it->n_results; k++)
                if (it->results[k].status == CHECK_NG && it->results[k].check &&
                    streq(it->results[k].check, check))
                    it->results[k].acked = 1;
        }
    }
    sqlite3_reset(s);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < d->count; i++) {
        struct checklist_item *it = &d->items[i];
        if (it->status != CHECK_NG || it->in_downtime)
            continue;
        int counted = 0, acked = 0, crit = 0;
        for (size_t k = 0; k < it->n_results; k++) {
            const struct checklist_result *r = &it->results[k];
            if (r->status != CHECK_NG)
                continue;
            if (r->acked && !r->in_downtime)
                acked++;
            else if (!r->in_downtime && !r->unreachable_via) {
                counted++;
                crit += !r->warn;
            }
        }
        it->acked = acked && !counted;
        /* What still counts once the acknowledged ones are set apart: only WARNs make
         * the item a WARN (an acknowledged CRIT beside an unacknowledged WARN). */
        if (counted && !it->out_of_range)
            it->warn = crit == 0;
    }
    return 0;
}

int checklist_load(struct store *st, const struct calendar *cal, const char *day,
                   struct checklist_day *out, char **err)
{
    memset(out, 0, sizeof *out);
    struct civil_date d;
    if (parse_day(day, &d, err) != 0)
        return -1;
    struct civil_date start = lookback_start(st, d);
    char from[11], to[11];
    /* The viewed day's own events always count, even on a day before the
     * store's templates were loaded (history imported or recorded late). */
    format_day(civil_to_days(start) > civil_to_days(d) ? d : start, from);
    format_day(d, to);
    struct snapshot snap = {0};
    if (load_templates(st, &snap, err) != 0 || load_hosts(st, &snap, err) != 0 ||
        load_events(st, from, to, &snap, err) != 0) {
        snapshot_free(&snap);
        return -1;
    }
    snprintf(out->day, sizeof out->day, "%s", to);
    build_day(cal, d, start, &snap, out);
    snapshot_free(&snap);
    if (mark_acks(st, out, err) != 0) {
        checklist_day_free(out);
        return -1;
    }
    return 0;
}

void checklist_day_free(struct checklist_day *d)
{
    for (size_t i = 0; i < d->count; i++) {
        struct checklist_item *it = &d->items[i];
        free(it->code), free(it->name_ja), free(it->name_en), free(it->period_text);
        free(it->host_name), free(it->unit), free(it->note), free(it->reason);
        free(it->who_login), free(it->who_name), free(it->at);
        free(it->failed);
        results_free(it);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

const struct checklist_item *checklist_find(const struct checklist_day *d, const char *code,
                                            const char *host)
{
    for (size_t i = 0; i < d->count; i++) {
        const struct checklist_item *it = &d->items[i];
        if (!streq(it->code, code))
            continue;
        if (!it->host_name || (host && (streq(it->host_name, host) || streq(it->host_id, host))))
            return it;
    }
    return NULL;
}

void checklist_group_items(const struct checklist_day *d, struct checklist_group **out, size_t *n)
{
    *out = xcalloc(d->count ? d->count : 1, sizeof **out);
    *n = 0;
    for (size_t i = 0; i < d->count; i++) {
        const struct checklist_item *it = &d->items[i];
        struct checklist_group *g = *n ? &(*out)[*n - 1] : NULL;
        const struct checklist_item *head = g ? &d->items[g->first] : NULL;
        if (!g || !it->host_name || !head->host_name ||
            !streq(head->template_id, it->template_id) || !streq(head->due_day, it->due_day)) {
            g = &(*out)[(*n)++];
            g->first = i;
            g->per_host = it->host_name != NULL;
        }
        g->count++;
        g->ok += it->status == CHECK_OK;
        g->ng += it->status == CHECK_NG;
        g->warn += it->status == CHECK_NG && it->warn;
        g->skip += it->status == CHECK_SKIP;
        g->todo += it->status == CHECK_TODO;
        g->worst = g->ng ? CHECK_NG : g->todo ? CHECK_TODO : g->skip ? CHECK_SKIP : CHECK_OK;
    }
}

/* The checklist template of a code, with its per-host flag and unit/range. */
static int find_template(struct store *st, const char *code, struct tmpl *out, char **err)
{
    static const char sql[] =
        "SELECT id, code, name_ja, name_en, period_text, periods, per_host, weekday, monthday, "
        "months, value_unit, value_min, value_max, pane FROM templates "
        "WHERE code = ?1 AND deleted = 0";
    sqlite3_stmt *s = store_stmt(st, sql);
    bind_text(s, 1, code);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        set_err(err, _("no checklist item %s (see `unyo template list --pane checklist`)"),
                code ? code : "");
        return -1;
    }
    if (!streq(col_text(s, 13), "checklist")) {
        set_err(err, _("%s is not a checklist item (it belongs to the %s pane)"), code,
                col_text(s, 13));
        sqlite3_reset(s);
        return -1;
    }
    read_template(s, out);
    sqlite3_reset(s);
    return 0;
}

static void tmpl_free(struct tmpl *t)
{
    free(t->code), free(t->name_ja), free(t->name_en), free(t->period_text), free(t->unit);
}

/* Resolves a host name or id of the inventory to its id and name. */
static int find_host(struct store *st, const struct tmpl *t, const char *host, char id[ID_LEN + 1],
                     char **name, char **err)
{
    id[0] = 0;
    *name = NULL;
    if (!t->per_host) {
        if (host && *host) {
            set_err(err, _("%s is not checked per host: leave out the host"), t->code);
            return -1;
        }
        return 0;
    }
    if (!host || !*host) {
        set_err(err, _("%s is checked per host: say which host (--host NAME)"), t->code);
        return -1;
    }
    sqlite3_stmt *s =
        store_stmt(st, "SELECT id, name FROM hosts WHERE (name = ?1 OR id = ?1) AND deleted = 0");
    bind_text(s, 1, host);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        set_err(err, _("no host %s in the inventory"), host);
        return -1;
    }
    copy_id(id, col_text(s, 0));
    *name = xstrdup(col_text(s, 1));
    sqlite3_reset(s);
    return 0;
}

static int parse_value(const char *text, double *out, char **err)
{
    char *end;
    char *n = input_norm(text); /* "３１．５", "－３", "　31 " */
    const char *p = n;
    double v = *p ? strtod(p, &end) : 0;
    if (!*p || end == p || *end || !isfinite(v)) {
        free(n);
        set_err(err, _("\"%s\" is not a number"), text);
        return -1;
    }
    free(n);
    *out = v;
    return 0;
}

static int insert_event(struct store *st, const char *id, const char *day, const char *template_id,
                        const char *host_id, const char *status, const double *value,
                        const char *unit, const char *note, const char *reason, int64_t now,
                        char **err)
{
    char at[TIME_ISO_LEN + 1];
    time_format_iso(now, at);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO checklist_events(id, day, template_id, host_id, status, value, unit, "
            "note, reason, source, operator_id, at, hlc, origin) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'manual', ?10, ?11, ?12, ?13)");
    bind_text(s, 1, id);
    bind_text(s, 2, day);
    bind_text(s, 3, template_id);
    bind_text(s, 4, host_id && *host_id ? host_id : NULL);
    bind_text(s, 5, status);
    if (value)
        sqlite3_bind_double(s, 6, *value);
    bind_text(s, 7, value ? unit : NULL);
    bind_text(s, 8, note && *note ? note : NULL);
    bind_text(s, 9, reason && *reason ? reason : NULL);
    bind_text(s, 10, st->operator_id);
    bind_text(s, 11, at);
    bind_int(s, 12, store_hlc_next(st));
    bind_text(s, 13, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("recording the check"));
    return 0;
}

/* Decides the stored status of a mark, or refuses it. */
static int mark_status(const struct checklist_mark *m, const struct tmpl *t, int has_value,
                       double value, const char **status, char **err)
{
    const char *s = m->status && *m->status ? m->status : NULL;
    if (s && !streq(s, "ok") && !streq(s, "ng") && !streq(s, "skip") && !streq(s, "note")) {
        set_err(err, _("unknown status \"%s\": use ok, ng, skip or note"), s);
        return -1;
    }
    if (!s && !has_value) {
        set_err(err, _("say ok, ng, skip or note, or give a value"));
        return -1;
    }
    if (s && streq(s, "skip") && (!m->reason || !*m->reason)) {
        set_err(err, _("a skipped check needs a reason (--reason TEXT)"));
        return -1;
    }
    if (s && (streq(s, "skip") || streq(s, "note")) && has_value) {
        set_err(err, _("a value goes with ok or ng, not with %s"), s);
        return -1;
    }
    if (s && streq(s, "note") && (!m->note || !*m->note)) {
        set_err(err, _("a note needs text (--note TEXT)"));
        return -1;
    }
    int out = has_value && t->has_range && (value < t->value_min || value > t->value_max);
    *status = out ? "ng" : s ? s : "ok";
    return 0;
}

int checklist_mark(struct store *st, const struct calendar *cal, const char *day, const char *code,
                   const struct checklist_mark *m, char out_event_id[ID_LEN + 1], char **err)
{
    struct civil_date d;
    if (parse_day(day, &d, err) != 0)
        return -1;
    char today[11];
    time_format_jst_date(time_now_ms(), today);
    if (strcmp(day, today) > 0) {
        set_err(err, _("%s has not come yet: a check is recorded on or after its day"), day);
        return -1;
    }
    double value = 0;
    int has_value = m->value && *m->value;
    if (has_value && parse_value(m->value, &value, err) != 0)
        return -1;
    struct tmpl t;
    if (find_template(st, code, &t, err) != 0)
        return -1;
    int rc = -1;
    char host_id[ID_LEN + 1], *host_name = NULL;
    const char *status;
    struct checklist_day cd = {0};
    if (find_host(st, &t, m->host, host_id, &host_name, err) != 0 ||
        mark_status(m, &t, has_value, value, &status, err) != 0 ||
        store_require_operator(st, err) != 0 || checklist_load(st, cal, day, &cd, err) != 0)
        goto out;
    const struct checklist_item *it = checklist_find(&cd, t.code, host_id[0] ? host_id : NULL);
    if (!it) {
        if (host_name)
            set_err(err, _("%s on %s is not on the checklist of %s (add it first)"), t.code,
                    host_name, day);
        else
            set_err(err, _("%s is not on the checklist of %s (add it first)"), t.code, day);
        goto out;
    }
    if (store_begin(st, err) != 0)
        goto out;
    char id[ID_LEN + 1];
    int64_t now = time_now_ms();
    id_new_at(id, now);
    char *detail =
        xasprintf("code=%s host=%s day=%s status=%s%s%s", t.code, host_name ? host_name : "-",
                  it->due_day, status, has_value ? " value=" : "", has_value ? m->value : "");
    if (insert_event(st, id, it->due_day, t.id, host_id, status, has_value ? &value : NULL, t.unit,
                     m->note, m->reason, now, err) != 0 ||
        store_audit(st, "checklist.mark", "checklist_events", id, detail, err) != 0 ||
        store_commit(st, err) != 0) {
        store_rollback(st);
        free(detail);
        goto out;
    }
    free(detail);
    if (out_event_id)
        memcpy(out_event_id, id, ID_LEN + 1);
    rc = 0;
out:
    checklist_day_free(&cd);
    free(host_name);
    tmpl_free(&t);
    return rc;
}

int checklist_addable_list(struct store *st, struct checklist_addable **out, size_t *n, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT code, name_ja, name_en, period_text, per_host FROM templates "
                       "WHERE pane = 'checklist' AND deleted = 0 AND active = 1 "
                       "ORDER BY (periods & 1) DESC, code");
    struct checklist_addable *v = NULL;
    size_t k = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        v[k].code = col_dup(s, 0);
        v[k].name_ja = col_dup(s, 1);
        v[k].name_en = col_dup(s, 2);
        v[k].period_text = col_dup(s, 3);
        v[k].per_host = sqlite3_column_int(s, 4);
        k++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        checklist_addable_free(v, k);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

void checklist_addable_free(struct checklist_addable *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].code), free(v[i].name_ja), free(v[i].name_en), free(v[i].period_text);
    free(v);
}

int checklist_add(struct store *st, const struct calendar *cal, const char *day, const char *code,
                  const char *host, char **err)
{
    struct civil_date d;
    if (parse_day(day, &d, err) != 0)
        return -1;
    struct tmpl t;
    if (find_template(st, code, &t, err) != 0)
        return -1;
    int rc = -1;
    char host_id[ID_LEN + 1], *host_name = NULL;
    struct checklist_day cd = {0};
    if (find_host(st, &t, host, host_id, &host_name, err) != 0 ||
        store_require_operator(st, err) != 0 || checklist_load(st, cal, day, &cd, err) != 0)
        goto out;
    const struct checklist_item *it = checklist_find(&cd, t.code, host_id[0] ? host_id : NULL);
    if (it && streq(it->due_day, cd.day)) {
        set_err(err, _("%s is already on the checklist of %s"), t.code, day);
        goto out;
    }
    if (store_begin(st, err) != 0)
        goto out;
    char id[ID_LEN + 1];
    int64_t now = time_now_ms();
    id_new_at(id, now);
    char *detail = xasprintf("code=%s host=%s day=%s", t.code, host_name ? host_name : "-", day);
    if (insert_event(st, id, cd.day, t.id, host_id, "added", NULL, NULL, NULL, NULL, now, err) !=
            0 ||
        store_audit(st, "checklist.add", "checklist_events", id, detail, err) != 0 ||
        store_commit(st, err) != 0) {
        store_rollback(st);
        free(detail);
        goto out;
    }
    free(detail);
    rc = 0;
out:
    checklist_day_free(&cd);
    free(host_name);
    tmpl_free(&t);
    return rc;
}

int checklist_counts(struct store *st, const struct calendar *cal, const char *day, int *ng,
                     int *todo, char **err)
{
    struct checklist_day cd;
    if (checklist_load(st, cal, day, &cd, err) != 0)
        return -1;
    int n_ng = 0, n_todo = 0;
    for (size_t i = 0; i < cd.count; i++) {
        /* an NG in a downtime or acknowledged is not counted, a WARN is counted apart */
        enum checklist_ng ng = checklist_item_ng(&cd.items[i]);
        if (ng == CHECKLIST_NG_COUNTED && !cd.items[i].warn)
            n_ng++;
        else if (ng == CHECKLIST_NOT_NG && cd.items[i].status == CHECK_TODO)
            n_todo++;
    }
    checklist_day_free(&cd);
    if (ng)
        *ng = n_ng;
    if (todo)
        *todo = n_todo;
    return 0;
}

static void format_number(char *out, size_t n, double v)
{
    snprintf(out, n, "%.10g", v);
}

int checklist_ng_draft(struct store *st, const char *event_id, struct checklist_draft *out,
                       char **err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT e.status, e.value, e.unit, e.note, e.day, e.host_id, t.code, t.name_ja, "
            "t.name_en, t.value_min, t.value_max, h.name, e.at, o.name, e.source, e.reason "
            "FROM checklist_events e JOIN templates t ON t.id = e.template_id "
            "LEFT JOIN hosts h ON h.id = e.host_id LEFT JOIN operators o ON o.id = e.operator_id "
            "WHERE e.id = ?1");
    bind_text(s, 1, event_id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        set_err(err, _("no checklist event %s"), event_id ? event_id : "");
        return -1;
    }
    if (!streq(col_text(s, 0), "ng")) {
        set_err(err, _("checklist event %s is not NG"), event_id);
        sqlite3_reset(s);
        return -1;
    }
    int ja = streq(i18n_lang(), "ja");
    const char *name = col_text(s, ja ? 7 : 8);
    const char *code = col_text(s, 6);
    const char *host = col_text(s, 11);
    const char *note = col_text(s, 3);
    const char *reason = col_text(s, 15);
    const char *check = NULL;
    if (streq(col_text(s, 14), "check") && note && strncmp(note, "check=", 6) == 0) {
        check = note + 6;
        note = NULL;
    }
    struct strbuf title = STRBUF_INIT, desc = STRBUF_INIT;
    if (host && check)
        sb_printf(&title, _("Check NG: %s (%s) on %s: %s"), name, code, host, check);
    else if (host)
        sb_printf(&title, _("Checklist NG: %s (%s) on %s"), name, code, host);
    else
        sb_printf(&title, _("Checklist NG: %s (%s)"), name, code);
    sb_printf(&desc, _("Daily check %s %s was marked NG on %s."), code, name, col_text(s, 4));
    sb_putc(&desc, '\n');
    if (check) {
        sb_printf(&desc, _("Check: %s"), check);
        sb_putc(&desc, '\n');
    }
    if (reason && *reason) {
        sb_printf(&desc, _("Result: %s"), reason);
        sb_putc(&desc, '\n');
    }
    if (host) {
        sb_printf(&desc, _("Host: %s"), host);
        sb_putc(&desc, '\n');
    }
    if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
        char v[32];
        format_number(v, sizeof v, sqlite3_column_double(s, 1));
        const char *unit = col_text(s, 2) ? col_text(s, 2) : "";
        if (sqlite3_column_type(s, 9) != SQLITE_NULL && sqlite3_column_type(s, 10) != SQLITE_NULL) {
            char lo[32], hi[32];
            format_number(lo, sizeof lo, sqlite3_column_double(s, 9));
            format_number(hi, sizeof hi, sqlite3_column_double(s, 10));
            sb_printf(&desc, _("Value: %s %s (allowed %s-%s %s)"), v, unit, lo, hi, unit);
        } else {
            sb_printf(&desc, _("Value: %s %s"), v, unit);
        }
        sb_putc(&desc, '\n');
    }
    if (note) {
        sb_printf(&desc, _("Note: %s"), note);
        sb_putc(&desc, '\n');
    }
    int64_t ms;
    if (col_text(s, 12) && time_parse(col_text(s, 12), &ms) == 0) {
        char when[32];
        time_format_jst(ms, when, 0);
        if (check)
            sb_printf(&desc, _("Checked by the check run at %s JST"), when);
        else
            sb_printf(&desc, _("Checked by %s at %s JST"), col_text(s, 13) ? col_text(s, 13) : "?",
                      when);
        sb_putc(&desc, '\n');
    }
    out->title = sb_detach(&title);
    out->description = sb_detach(&desc);
    /* The incident categories are network/server/software/security/hardware/other. */
    out->category = xstrdup(host ? "server" : "hardware");
    copy_id(out->host_id, col_text(s, 5));
    copy_id(out->event_id, event_id);
    sqlite3_reset(s);
    return 0;
}

void checklist_draft_free(struct checklist_draft *d)
{
    free(d->title), free(d->description), free(d->category);
    memset(d, 0, sizeof *d);
}

int checklist_event_status(struct store *st, const char *event_id, char status[8], char day[11],
                           char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT status, day FROM checklist_events WHERE id = ?1");
    bind_text(s, 1, event_id);
    int rc = store_one_row(s, err);
    if (rc == 1) {
        snprintf(status, 8, "%s", col_text(s, 0) ? col_text(s, 0) : "");
        snprintf(day, 11, "%s", col_text(s, 1) ? col_text(s, 1) : "");
    }
    sqlite3_reset(s);
    return rc;
}

int checklist_link_incident(struct store *st, const char *event_id, const char *incident_id,
                            char **err)
{
    if (!id_valid(event_id ? event_id : "") || !id_valid(incident_id ? incident_id : "")) {
        set_err(err, _("a link needs a checklist event id and an incident id"));
        return -1;
    }
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM checklist_events WHERE id = ?1");
    bind_text(s, 1, event_id);
    int found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    if (!found) {
        set_err(err, _("no checklist event %s"), event_id);
        return -1;
    }
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    char *detail = xasprintf("checklist_event=%s incident=%s", event_id, incident_id);
    int rc =
        ledger_add_link_id(st, "checklist_event", event_id, "incident", incident_id, NULL, id, err);
    if (rc == 0 && (store_audit(st, "checklist.link", "links", id, detail, err) != 0 ||
                    store_commit(st, err) != 0))
        rc = -1;
    if (rc != 0)
        store_rollback(st);
    free(detail);
    return rc;
}

/* Reads the (id, ref) row of s into out: 1, 0 none, -1 a failed read. */
static int read_incident(sqlite3_stmt *s, struct checklist_incident *out, char **err)
{
    int found = store_one_row(s, err);
    if (found == 1) {
        copy_id(out->incident_id, col_text(s, 0));
        snprintf(out->ref, sizeof out->ref, "%s", col_text(s, 1));
    }
    sqlite3_reset(s);
    return found;
}

/* The incident an event is already linked to: 1, 0 none, -1 a failed read. */
static int linked_incident(struct store *st, const char *event_id, struct checklist_incident *out,
                           char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT i.id, i.ref FROM links l JOIN incidents i ON i.id = l.to_id "
            "WHERE l.from_kind = 'checklist_event' AND l.from_id = ?1 AND l.to_kind = 'incident' "
            "AND l.deleted = 0 AND i.deleted = 0 ORDER BY l.created_at LIMIT 1");
    bind_text(s, 1, event_id);
    return read_incident(s, out, err);
}

/* The open incident (draft included) of the same problem: an NG of the same
 * template, host and check (or mark by hand) linked to it: 1, 0 none, -1 a failed read. */
static int open_incident(struct store *st, const char *event_id, struct checklist_incident *out,
                         char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT i.id, i.ref FROM checklist_events e "
            "JOIN checklist_events p ON p.template_id = e.template_id AND p.host_id IS e.host_id "
            "AND p.status = 'ng' AND (CASE WHEN p.source = 'check' THEN p.note ELSE NULL END) IS "
            "(CASE WHEN e.source = 'check' THEN e.note ELSE NULL END) "
            "JOIN links l ON l.from_kind = 'checklist_event' AND l.from_id = p.id "
            "AND l.to_kind = 'incident' AND l.deleted = 0 "
            "JOIN incidents i ON i.id = l.to_id AND i.deleted = 0 "
            "AND i.status NOT IN ('recovered', 'closed') "
            "WHERE e.id = ?1 ORDER BY i.created_at DESC, i.id DESC LIMIT 1");
    bind_text(s, 1, event_id);
    return read_incident(s, out, err);
}

int checklist_ng_incident_in_tx(struct store *st, const struct sla *sla, const char *event_id,
                                struct checklist_incident *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (store_require_operator(st, err) != 0)
        return -1;
    struct checklist_draft d = {0};
    if (checklist_ng_draft(st, event_id, &d, err) != 0)
        return -1;
    int rc = 0, linked = 0, open = 0;
    char link_id[ID_LEN + 1];
    if ((linked = linked_incident(st, event_id, out, err)) < 0 ||
        (!linked && (open = open_incident(st, event_id, out, err)) < 0)) {
        rc = -1;
    } else if (linked) {
        /* already done: nothing to write */
    } else if (open) {
        char *data = xasprintf("{\"kind\":\"checklist_event\",\"id\":\"%s\"}", event_id);
        char *note = xasprintf(_("NG again: %s"), d.title);
        sqlite3_stmt *s = store_stmt(
            st, "INSERT INTO incident_events(id, incident_id, kind, note, data, operator_id, at, "
                "hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        if (ledger_insert_event(st, s, out->incident_id, "linked", note, data, time_now_ms()) != 0)
            rc = store_fail(st, err, _("recording an incident event"));
        sqlite3_reset(s);
        if (rc == 0)
            rc = ledger_add_link_id(st, "checklist_event", event_id, "incident", out->incident_id,
                                    NULL, link_id, err);
        if (rc == 0)
            rc = store_audit(st, "checklist.incident", "incidents", out->incident_id, data, err);
        free(note);
        free(data);
    } else {
        char library[64] = "", host[256] = "";
        /* The library the draft is filed under: the data centre, else the central
         * library, else the first. */
        sqlite3_stmt *s = store_stmt(st, "SELECT code FROM libraries WHERE deleted = 0 ORDER BY "
                                         "kind = 'datacenter' DESC, kind = 'central' DESC, code "
                                         "LIMIT 1");
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(library, sizeof library, "%s", col_text(s, 0));
        sqlite3_reset(s);
        if (d.host_id[0]) {
            s = store_stmt(st, "SELECT name FROM hosts WHERE id = ?1");
            bind_text(s, 1, d.host_id);
            if (sqlite3_step(s) == SQLITE_ROW)
                snprintf(host, sizeof host, "%s", col_text(s, 0));
            sqlite3_reset(s);
        }
        const char *hosts[1] = {host};
        struct incident_new in = {0};
        in.library = library;
        in.channel = "rounds";
        in.title = d.title;
        in.description = d.description;
        in.category = d.category;
        in.impact = 2;
        in.urgency = 2;
        in.hosts = host[0] ? hosts : NULL;
        in.nhosts = host[0] ? 1 : 0;
        in.draft = 1;
        rc = incident_create_in_tx(st, sla, &in, out->incident_id, out->ref, err);
        if (rc == 0)
            rc = ledger_add_link_id(st, "checklist_event", event_id, "incident", out->incident_id,
                                    NULL, link_id, err);
        if (rc == 0) {
            char *detail = xasprintf("checklist_event=%s incident=%s", event_id, out->ref);
            rc = store_audit(st, "checklist.link", "links", link_id, detail, err);
            free(detail);
        }
        out->created = rc == 0;
    }
    checklist_draft_free(&d);
    return rc;
}

int checklist_ng_incident(struct store *st, const struct sla *sla, const char *event_id,
                          struct checklist_incident *out, char **err)
{
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    if (checklist_ng_incident_in_tx(st, sla, event_id, out, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}

struct calendar *checklist_calendar_open(char **err)
{
    char *path = paths_find_data(NULL, "calendar.ini");
    struct calendar *cal = path ? calendar_load(path, err) : calendar_new_default();
    free(path);
    return cal;
}
