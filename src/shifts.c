#include "shifts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "i18n.h"
#include "ini.h"
#include "operators.h"
#include "paths.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* "HH:MM" with 00:00 <= t <= 24:00; minutes of the day, or -1. */
static int parse_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

static int code_valid(const char *s)
{
    if (!s || !*s || strlen(s) > 32)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

struct defs_parse {
    struct shift_defs defs;
};

/* The reader stops at the first error. */
static int defs_handler(void *user, const struct ini_item *it, char **err)
{
    struct defs_parse *p = user;
    const char *section = it->section, *key = it->key, *value = it->value;
    if (it->kind != INI_PAIR)
        return 0;
    struct shift_defs *d = &p->defs;
    if (d->count == 0 || strcmp(d->items[d->count - 1].code, section) != 0) {
        if (!code_valid(section))
            return ini_fail(it, err, _("shift code [%s] may use only a-z, 0-9, _ and -"), section);
        if (shift_def_find(d, section))
            return ini_fail(it, err, _("shift [%s] appears twice"), section);
        d->items = xrealloc(d->items, (d->count + 1) * sizeof *d->items);
        struct shift_def *n = &d->items[d->count++];
        memset(n, 0, sizeof *n);
        n->code = xstrdup(section);
        n->start_min = n->end_min = -1;
    }
    struct shift_def *s = &d->items[d->count - 1];
    if (streq(key, "name_ja") || streq(key, "name_en")) {
        char **slot = streq(key, "name_ja") ? &s->name_ja : &s->name_en;
        /* An indented line goes on with the name above, after a space. */
        char *v = it->continued && *slot ? xasprintf("%s %s", *slot, value) : xstrdup(value);
        free(*slot);
        *slot = v;
    } else if (streq(key, "start") || streq(key, "end")) {
        int min = parse_hhmm(value);
        if (min < 0 || (streq(key, "start") && min == 1440))
            return ini_fail(it, err, _("%s = %s is not a time (expected HH:MM, 00:00-24:00)"), key,
                            value);
        if (streq(key, "start")) {
            s->start_min = min;
            snprintf(s->start, sizeof s->start, "%s", value);
        } else {
            s->end_min = min;
            snprintf(s->end, sizeof s->end, "%s", value);
        }
    } else {
        return ini_fail(it, err, _("unknown key %s (expected name_ja, name_en, start, end)"), key);
    }
    return 0;
}

int shift_defs_load(const char *path, struct shift_defs *out, char **err)
{
    memset(out, 0, sizeof *out);
    struct defs_parse p = {{NULL, 0}};
    if (ini_read_file(path, INI_OPT_CLASSIC, defs_handler, &p, NULL, err) != 0) {
        shift_defs_free(&p.defs);
        return -1;
    }
    for (size_t i = 0; i < p.defs.count; i++) {
        struct shift_def *s = &p.defs.items[i];
        if (s->start_min < 0 || s->end_min < 0) {
            set_err(err, _("%s: shift [%s] needs start and end"), path, s->code);
            shift_defs_free(&p.defs);
            return -1;
        }
        if (!s->name_ja)
            s->name_ja = xstrdup(s->code);
        if (!s->name_en)
            s->name_en = xstrdup(s->code);
    }
    if (p.defs.count == 0) {
        set_err(err, _("%s: no shifts defined"), path);
        return -1;
    }
    *out = p.defs;
    return 0;
}

static void add_builtin(struct shift_defs *d, const char *code, const char *ja, const char *en,
                        const char *start, const char *end)
{
    d->items = xrealloc(d->items, (d->count + 1) * sizeof *d->items);
    struct shift_def *s = &d->items[d->count++];
    s->code = xstrdup(code);
    s->name_ja = xstrdup(ja);
    s->name_en = xstrdup(en);
    snprintf(s->start, sizeof s->start, "%s", start);
    snprintf(s->end, sizeof s->end, "%s", end);
    s->start_min = parse_hhmm(start);
    s->end_min = parse_hhmm(end);
}

int shift_defs_load_default(struct shift_defs *out, char **err)
{
    char *path = paths_find_data(NULL, "shifts.ini");
    if (path) {
        int rc = shift_defs_load(path, out, err);
        free(path);
        return rc;
    }
    memset(out, 0, sizeof *out);
    /* The seed's service hours, split the way data/shifts.ini ships them. */
    add_builtin(out, "early", "早番", "Early", "07:00", "15:30");
    add_builtin(out, "late", "遅番", "Late", "15:30", "24:00");
    add_builtin(out, "sunday", "日曜", "Sunday", "07:00", "17:30");
    return 0;
}

void shift_defs_free(struct shift_defs *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->items[i].code), free(d->items[i].name_ja), free(d->items[i].name_en);
    free(d->items);
    memset(d, 0, sizeof *d);
}

const struct shift_def *shift_def_find(const struct shift_defs *d, const char *code)
{
    for (size_t i = 0; code && i < d->count; i++)
        if (streq(d->items[i].code, code))
            return &d->items[i];
    return NULL;
}

void shift_list_free(struct shift_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].shift), free(l->items[i].login), free(l->items[i].name),
            free(l->items[i].note);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static const char sql_shift_range[] =
    "SELECT s.id, s.day, s.shift, s.operator_id, o.login, o.name, s.start_time, s.end_time, "
    "s.note FROM shifts s LEFT JOIN operators o ON o.id = s.operator_id "
    "WHERE s.day >= ?1 AND s.day <= ?2 AND s.deleted = 0 "
    "ORDER BY s.day, s.start_time, s.shift, s.id";

static int list_range(struct store *st, const char *from, const char *to, struct shift_list *out,
                      char **err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_stmt(st, sql_shift_range);
    bind_text(s, 1, from);
    bind_text(s, 2, to);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        out->items = xrealloc(out->items, (out->count + 1) * sizeof *out->items);
        struct shift_entry *e = &out->items[out->count++];
        memset(e, 0, sizeof *e);
        snprintf(e->id, sizeof e->id, "%s", col_text(s, 0));
        snprintf(e->day, sizeof e->day, "%s", col_text(s, 1));
        e->shift = xstrdup(col_text(s, 2));
        snprintf(e->operator_id, sizeof e->operator_id, "%s", col_text(s, 3));
        e->login = xstrdup(col_text(s, 4) ? col_text(s, 4) : "?");
        e->name = xstrdup(col_text(s, 5) ? col_text(s, 5) : "?");
        snprintf(e->start_time, sizeof e->start_time, "%s", col_text(s, 6));
        snprintf(e->end_time, sizeof e->end_time, "%s", col_text(s, 7));
        e->note = col_text(s, 8) ? xstrdup(col_text(s, 8)) : NULL;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        shift_list_free(out);
        return store_fail(st, err, _("reading the shift schedule"));
    }
    return 0;
}

int shift_list_month(struct store *st, int y, int m, struct shift_list *out, char **err)
{
    if (y < 1970 || y > 9999 || m < 1 || m > 12) {
        memset(out, 0, sizeof *out);
        set_err(err, _("not a month: %04d-%02d"), y, m);
        return -1;
    }
    char from[11], to[11];
    snprintf(from, sizeof from, "%04d-%02d-01", y, m);
    snprintf(to, sizeof to, "%04d-%02d-31", y, m);
    return list_range(st, from, to, out, err);
}

static int check_day(const char *day, char **err)
{
    struct civil_date d;
    if (!day || strlen(day) != 10 || civil_parse(day, &d) != 0) {
        set_err(err, _("\"%s\" is not a day: use YYYY-MM-DD"), day ? day : "");
        return -1;
    }
    return 0;
}

int shift_list_day(struct store *st, const char *day, struct shift_list *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (check_day(day, err) != 0)
        return -1;
    return list_range(st, day, day, out, err);
}

/* Tombstones the live rows of (day, shift), auditing each; *n counts them. */
static int tombstone(struct store *st, const char *day, const char *shift, const char *why, int *n,
                     char **err)
{
    *n = 0;
    char ids[8][ID_LEN + 1];
    char logins[8][65];
    sqlite3_stmt *s = store_stmt(st, "SELECT s.id, o.login FROM shifts s LEFT JOIN operators o "
                                     "ON o.id = s.operator_id WHERE s.day = ?1 AND s.shift = ?2 "
                                     "AND s.deleted = 0 LIMIT 8");
    bind_text(s, 1, day);
    bind_text(s, 2, shift);
    int step = 0;
    while (*n < 8 && (step = store_next_row(s, err)) == 1) {
        snprintf(ids[*n], ID_LEN + 1, "%s", col_text(s, 0));
        snprintf(logins[*n], sizeof logins[*n], "%s", col_text(s, 1) ? col_text(s, 1) : "?");
        (*n)++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        *n = 0;
        return -1;
    }
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    for (int i = 0; i < *n; i++) {
        s = store_stmt(st, "UPDATE shifts SET deleted = 1, updated_at = ?2, hlc = ?3, origin = ?4 "
                           "WHERE id = ?1");
        bind_text(s, 1, ids[i]);
        bind_text(s, 2, at);
        bind_int(s, 3, store_hlc_next(st));
        bind_text(s, 4, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            return store_fail(st, err, _("changing the shift schedule"));
        char *detail = xasprintf("day=%s shift=%s login=%s", day, shift, logins[i]);
        int rc = store_audit(st, why, "shifts", ids[i], detail, err);
        free(detail);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int shift_set(struct store *st, const struct shift_defs *defs, const char *day, const char *shift,
              const char *login, char *out_id, char **err)
{
    if (check_day(day, err) != 0)
        return -1;
    const struct shift_def *def = shift_def_find(defs, shift);
    if (!def) {
        struct strbuf known = STRBUF_INIT;
        for (size_t i = 0; i < defs->count; i++)
            sb_printf(&known, "%s%s", i ? ", " : "", defs->items[i].code);
        set_err(err, _("unknown shift \"%s\" (shifts.ini has: %s)"), shift ? shift : "",
                known.buf ? known.buf : "");
        sb_free(&known);
        return -1;
    }
    char operator_id[ID_LEN + 1];
    if (operator_find(st, login ? login : "", operator_id, err) != 0)
        return -1;
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    int replaced;
    if (tombstone(st, day, def->code, "shift.replace", &replaced, err) != 0) {
        store_rollback(st);
        return -1;
    }
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    int64_t now = time_now_ms();
    id_new_at(id, now);
    time_format_iso(now, at);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO shifts(id, day, shift, operator_id, start_time, end_time, created_at, "
            "updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)");
    bind_text(s, 1, id);
    bind_text(s, 2, day);
    bind_text(s, 3, def->code);
    bind_text(s, 4, operator_id);
    bind_text(s, 5, def->start);
    bind_text(s, 6, def->end);
    bind_text(s, 7, at);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("changing the shift schedule"));
        store_rollback(st);
        return -1;
    }
    char *detail =
        xasprintf("day=%s shift=%s login=%s %s-%s", day, def->code, login, def->start, def->end);
    int rc = store_audit(st, "shift.set", "shifts", id, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (out_id)
        memcpy(out_id, id, ID_LEN + 1);
    return 0;
}

int shift_clear(struct store *st, const char *day, const char *shift, char **err)
{
    if (check_day(day, err) != 0)
        return -1;
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    int n;
    if (tombstone(st, day, shift ? shift : "", "shift.clear", &n, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (n == 0) {
        store_rollback(st);
        set_err(err, _("nobody works shift %s on %s"), shift ? shift : "", day);
        return -1;
    }
    return store_commit(st, err) == 0 ? 0 : (store_rollback(st), -1);
}

int shift_on_duty(struct store *st, int64_t instant_ms, struct shift_list *out, char **err)
{
    memset(out, 0, sizeof *out);
    int64_t secs = instant_ms / 1000;
    struct civil_date today = jst_date_of(secs);
    int minute = (int)((secs + JST_OFFSET_SECONDS) % 86400 / 60);
    if (minute < 0)
        minute += MINUTES_PER_DAY;
    struct civil_date yday = civil_add_days(today, -1);
    char from[11], to[11];
    snprintf(from, sizeof from, "%04d-%02d-%02d", yday.y, yday.m, yday.d);
    snprintf(to, sizeof to, "%04d-%02d-%02d", today.y, today.m, today.d);
    struct shift_list all;
    if (list_range(st, from, to, &all, err) != 0)
        return -1;
    for (size_t i = 0; i < all.count; i++) {
        struct shift_entry *e = &all.items[i];
        int start = parse_hhmm(e->start_time), end = parse_hhmm(e->end_time);
        if (start < 0 || end < 0)
            continue;
        int overnight = end <= start;
        int on;
        if (streq(e->day, to))
            on = overnight ? minute >= start : minute >= start && minute < end;
        else
            on = overnight && minute < end;
        if (!on)
            continue;
        out->items = xrealloc(out->items, (out->count + 1) * sizeof *out->items);
        out->items[out->count++] = *e;
        memset(e, 0, sizeof *e); /* moved */
    }
    shift_list_free(&all);
    return 0;
}

/* ---- starting the shift ---- */

const char *shift_def_label(const struct shift_def *d)
{
    if (!d)
        return "";
    return streq(i18n_lang(), "ja") ? d->name_ja : d->name_en;
}

const struct shift_def *shift_def_lookup(const struct shift_defs *d, const char *text)
{
    const struct shift_def *s = shift_def_find(d, text);
    for (size_t i = 0; !s && text && i < d->count; i++)
        if (streq(d->items[i].name_ja, text) || strcasecmp(d->items[i].name_en, text) == 0)
            s = &d->items[i];
    return s;
}

void shift_start_info_free(struct shift_start_info *i)
{
    free(i->shift), free(i->login), free(i->name), free(i->from_login), free(i->from_name);
    memset(i, 0, sizeof *i);
}

/* The instants the shift def runs on civil day d (UTC ms). */
static void def_span(const struct shift_def *def, struct civil_date d, int64_t *from, int64_t *to)
{
    *from = jst_to_utc(d.y, d.m, d.d, def->start_min) * 1000;
    int end = def->end_min <= def->start_min ? def->end_min + MINUTES_PER_DAY : def->end_min;
    *to = jst_to_utc(d.y, d.m, d.d, 0) * 1000 + (int64_t)end * 60000;
}

/* The day the shift runs on at now: yesterday's when it runs past midnight into now,
 * else today's (also before it begins); -1 when today's has ended. */
static int def_day(const struct shift_def *def, int64_t now, struct civil_date *day, int64_t *ends)
{
    struct civil_date today = jst_date_of(now / 1000), yday = civil_add_days(today, -1);
    int64_t from, to;
    def_span(def, yday, &from, &to);
    if (now >= from && now < to) {
        *day = yday, *ends = to;
        return 0;
    }
    def_span(def, today, &from, &to);
    if (now >= to)
        return -1;
    *day = today, *ends = to;
    return 0;
}

static int def_contains(const struct shift_def *def, int64_t now)
{
    struct civil_date today = jst_date_of(now / 1000);
    for (int back = 0; back <= 1; back++) {
        int64_t from, to;
        def_span(def, civil_add_days(today, -back), &from, &to);
        if (now >= from && now < to)
            return 1;
    }
    return 0;
}

const struct shift_def *shift_guess(struct store *st, const struct shift_defs *defs, int64_t now,
                                    char **err)
{
    if (store_require_operator(st, err) != 0)
        return NULL;
    struct shift_list l;
    const struct shift_def *pick = NULL;
    if (shift_on_duty(st, now, &l, err) != 0)
        return NULL;
    for (size_t i = 0; !pick && i < l.count; i++)
        if (streq(l.items[i].operator_id, st->operator_id))
            pick = shift_def_find(defs, l.items[i].shift);
    shift_list_free(&l);
    struct civil_date today = jst_date_of(now / 1000);
    int sunday = civil_weekday(today.y, today.m, today.d) == 0;
    for (size_t i = 0; !pick && sunday && i < defs->count; i++)
        if (streq(defs->items[i].code, "sunday") && def_contains(&defs->items[i], now))
            pick = &defs->items[i];
    for (size_t i = 0; !pick && i < defs->count; i++)
        if (!streq(defs->items[i].code, "sunday") && def_contains(&defs->items[i], now))
            pick = &defs->items[i];
    if (!pick) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < defs->count; i++)
            sb_printf(&sb, "%s%s (%s)", i ? ", " : "", shift_def_label(&defs->items[i]),
                      defs->items[i].code);
        set_err(err, _("no shift's hours contain this time: name the shift (%s)"), sb.buf);
        sb_free(&sb);
    }
    return pick;
}

/* The newest start by the hybrid clock, not by its wall time: a take-over reads the
 * holder in its own transaction, so its hlc is always later, while its wall time
 * can be earlier when the two consoles' clocks differ (one a minute behind after
 * sync, or two processes of a test clock that each start from UNYO_NOW). */
static const char sql_shift_current[] =
    "SELECT a.at, a.detail, o.login, o.name FROM audit a "
    "LEFT JOIN operators o ON o.id = a.operator_id "
    "WHERE a.kind = 'shift_start' AND a.row_id >= ?1 AND a.action = 'shift.start' "
    "ORDER BY a.hlc DESC, a.id DESC LIMIT 8";

/* The value of key=VALUE in a detail line (malloc'd), or NULL. */
static char *detail_get(const char *detail, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = detail; p && *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=')
            return xstrndup(p + kl + 1, n - kl - 1);
        p = end;
    }
    return NULL;
}

static int login_name(struct store *st, const char *login, char **name, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT name FROM operators WHERE login = ?1 AND deleted = 0");
    bind_text(s, 1, login);
    int got = store_one_row(s, err);
    *name = xstrdup(got == 1 && col_text(s, 0) ? col_text(s, 0) : login);
    sqlite3_reset(s);
    return got < 0 ? -1 : 0;
}

int shift_current(struct store *st, int64_t now, struct shift_start_info *out, char **err)
{
    memset(out, 0, sizeof *out);
    struct civil_date yday = civil_add_days(jst_date_of(now / 1000), -1);
    char from[11];
    snprintf(from, sizeof from, "%04d-%02d-%02d", yday.y, yday.m, yday.d);
    sqlite3_stmt *s = store_stmt(st, sql_shift_current);
    bind_text(s, 1, from);
    int rc, found = 0;
    while (!found && (rc = store_next_row(s, err)) == 1) {
        int64_t at, ends;
        char *ends_s = detail_get(col_text(s, 1), "ends");
        int ok = time_parse(col_text(s, 0), &at) == 0 && ends_s && time_parse(ends_s, &ends) == 0;
        free(ends_s);
        if (!ok || ends <= now)
            continue;
        char *day = detail_get(col_text(s, 1), "day");
        snprintf(out->day, sizeof out->day, "%s", day ? day : "");
        free(day);
        out->shift = detail_get(col_text(s, 1), "shift");
        if (!out->shift)
            out->shift = xstrdup("?");
        out->login = xstrdup(col_text(s, 2) ? col_text(s, 2) : "?");
        out->name = xstrdup(col_text(s, 3) ? col_text(s, 3) : out->login);
        out->from_login = detail_get(col_text(s, 1), "from");
        out->started_ms = at;
        out->ends_ms = ends;
        found = 1;
    }
    if (found)
        rc = 0;
    sqlite3_reset(s);
    if (rc < 0) {
        shift_start_info_free(out);
        return -1;
    }
    if (found && out->from_login && login_name(st, out->from_login, &out->from_name, err) != 0) {
        shift_start_info_free(out);
        return -1;
    }
    return found;
}

int shift_start(struct store *st, const struct shift_defs *defs, const char *shift, int64_t now,
                struct shift_start_info *out, char **err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (store_require_operator(st, err) != 0)
        return -1;
    const struct shift_def *def =
        shift && *shift ? shift_def_lookup(defs, shift) : shift_guess(st, defs, now, err);
    if (!def) {
        if (shift && *shift) {
            struct strbuf sb = STRBUF_INIT;
            for (size_t i = 0; i < defs->count; i++)
                sb_printf(&sb, "%s%s (%s)", i ? ", " : "", shift_def_label(&defs->items[i]),
                          defs->items[i].code);
            set_err(err, _("unknown shift \"%s\" (shifts: %s)"), shift, sb.buf);
            sb_free(&sb);
        }
        return -1;
    }
    struct civil_date day;
    int64_t ends;
    if (def_day(def, now, &day, &ends) != 0) {
        set_err(err, _("%s has ended for today (%s-%s)"), shift_def_label(def), def->start,
                def->end);
        return -1;
    }
    char days[11];
    snprintf(days, sizeof days, "%04d-%02d-%02d", day.y, day.m, day.d);
    if (store_begin(st, err) != 0)
        return -1;
    /* Read the current holder inside the transaction: two consoles starting at once
     * both see the other's start, or none. */
    struct shift_start_info cur;
    int have = shift_current(st, now, &cur, err);
    if (have < 0) {
        store_rollback(st);
        return -1;
    }
    if (have && streq(cur.login, st->operator_login) && streq(cur.shift, def->code) &&
        streq(cur.day, days)) {
        char when[20];
        time_format_jst(cur.started_ms, when, 0);
        set_err(err, _("you already started %s (%s)"), shift_def_label(def), when + 11);
        shift_start_info_free(&cur);
        store_rollback(st);
        return -1;
    }
    const char *from = have && !streq(cur.login, st->operator_login) ? cur.login : NULL;
    char ends_iso[TIME_ISO_LEN + 1];
    time_format_iso(ends, ends_iso);
    char *detail = xasprintf("day=%s shift=%s ends=%s%s%s", days, def->code, ends_iso,
                             from ? " from=" : "", from ? from : "");
    int rc = store_audit(st, "shift.start", "shift_start", days, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        shift_start_info_free(&cur);
        store_rollback(st);
        return -1;
    }
    if (out) {
        snprintf(out->day, sizeof out->day, "%s", days);
        out->shift = xstrdup(def->code);
        out->login = xstrdup(st->operator_login);
        out->name = xstrdup(st->operator_name ? st->operator_name : st->operator_login);
        if (from) {
            out->from_login = xstrdup(cur.login);
            out->from_name = xstrdup(cur.name);
        }
        out->started_ms = now;
        out->ends_ms = ends;
    }
    shift_start_info_free(&cur);
    return 0;
}

char *shift_start_message(const struct shift_defs *defs, const struct shift_start_info *in)
{
    const struct shift_def *d = shift_def_find(defs, in->shift);
    const char *label = d ? shift_def_label(d) : in->shift;
    char ends[20];
    time_format_jst(in->ends_ms, ends, 0);
    const char *until = d ? d->end : ends + 11; /* "24:00" rather than "00:00" */
    if (in->from_login)
        return xasprintf(_("%s took over %s of %s from %s (until %s)."), in->name, label, in->day,
                         in->from_name ? in->from_name : in->from_login, until);
    return xasprintf(_("%s started %s of %s (until %s)."), in->name, label, in->day, until);
}
