#include "calendar.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "ini.h"
#include "util.h"

#define SECONDS_PER_DAY 86400

/* One exceptional date: closed (open < 0) or special hours. */
struct cal_day {
    int64_t days; /* civil_to_days() of the JST date */
    int open, close;
    char *reason; /* NULL when none given */
    int line;     /* where it was defined, for duplicate reports */
};

struct calendar {
    int open[7], close[7]; /* by weekday, 0 = Sunday; open < 0: closed */
    struct cal_day *ex;    /* sorted by days, unique */
    size_t nex;
    int64_t week_seconds; /* service seconds in a week without exceptions */
};

/* ---- civil dates ------------------------------------------------------- */

/* Howard Hinnant's days_from_civil: proleptic Gregorian, no tables. */
int64_t civil_to_days(struct civil_date c)
{
    int64_t y = (int64_t)c.y - (c.m <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (c.m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + c.d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct civil_date civil_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    return (struct civil_date){(int)y, (int)m, (int)d};
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int civil_days_in_month(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

static int weekday_of_days(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int civil_weekday(int y, int m, int d)
{
    return weekday_of_days(civil_to_days((struct civil_date){y, m, d}));
}

struct civil_date civil_add_days(struct civil_date d, int n)
{
    return civil_from_days(civil_to_days(d) + n);
}

int civil_parse(const char *s, struct civil_date *out)
{
    static const char shape[] = "dddd-dd-dd";
    if (!s || strlen(s) != sizeof shape - 1)
        return -1;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
            return -1;
    }
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > civil_days_in_month(y, m))
        return -1;
    if (out)
        *out = (struct civil_date){y, m, d};
    return 0;
}

/* JST day number of a UTC instant, written to avoid overflow near the
 * int64_t limits (callers may pass INT64_MAX from "never"). */
static int64_t jst_days(int64_t t)
{
    int64_t q = t / SECONDS_PER_DAY, r = t % SECONDS_PER_DAY;
    if (r < 0) {
        r += SECONDS_PER_DAY;
        q--;
    }
    if (r + JST_OFFSET_SECONDS >= SECONDS_PER_DAY)
        q++;
    return q;
}

static int64_t day_start_utc(int64_t days)
{
    return days * SECONDS_PER_DAY - JST_OFFSET_SECONDS;
}

struct civil_date jst_date_of(int64_t utc_seconds)
{
    return civil_from_days(jst_days(utc_seconds));
}

int64_t jst_to_utc(int y, int m, int d, int minute_of_day)
{
    return day_start_utc(civil_to_days((struct civil_date){y, m, d})) + (int64_t)minute_of_day * 60;
}

/* ---- the calendar ------------------------------------------------------ */

static const int builtin_open[7] = {420, 420, 420, 420, 420, 420, 420};
static const int builtin_close[7] = {1050, 1440, 1440, 1440, 1440, 1440, 1440};

static void compute_week_seconds(struct calendar *cal)
{
    cal->week_seconds = 0;
    for (int w = 0; w < 7; w++) {
        if (cal->open[w] >= 0)
            cal->week_seconds += (int64_t)(cal->close[w] - cal->open[w]) * 60;
    }
}

struct calendar *calendar_new_default(void)
{
    struct calendar *cal = xcalloc(1, sizeof *cal);
    memcpy(cal->open, builtin_open, sizeof cal->open);
    memcpy(cal->close, builtin_close, sizeof cal->close);
    compute_week_seconds(cal);
    return cal;
}

void calendar_free(struct calendar *cal)
{
    if (!cal)
        return;
    for (size_t i = 0; i < cal->nex; i++)
        free(cal->ex[i].reason);
    free(cal->ex);
    free(cal);
}

static const struct cal_day *find_exception(const struct calendar *cal, int64_t days)
{
    size_t lo = 0, hi = cal->nex;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->ex[mid].days < days)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < cal->nex && cal->ex[lo].days == days ? &cal->ex[lo] : NULL;
}

/* Past this day number only the weekly pattern applies. */
static int64_t last_exception_day(const struct calendar *cal)
{
    return cal->nex ? cal->ex[cal->nex - 1].days : INT64_MIN / 2;
}

static int window_of(const struct calendar *cal, int64_t days, int *open, int *close,
                     const char **reason)
{
    const struct cal_day *ex = find_exception(cal, days);
    int o = 0, c = 0; /* set by window_of; zero keeps -O3 from guessing otherwise */
    if (ex) {
        o = ex->open;
        c = ex->close;
    } else {
        int w = weekday_of_days(days);
        o = cal->open[w];
        c = cal->close[w];
    }
    if (reason)
        *reason = ex ? ex->reason : NULL;
    if (o < 0)
        return 0;
    if (open)
        *open = o;
    if (close)
        *close = c;
    return 1;
}

int calendar_day_hours(const struct calendar *cal, struct civil_date day, int *open_min,
                       int *close_min, const char **reason)
{
    return window_of(cal, civil_to_days(day), open_min, close_min, reason);
}

int calendar_is_service_day(const struct calendar *cal, struct civil_date day)
{
    return window_of(cal, civil_to_days(day), NULL, NULL, NULL);
}

int calendar_in_service(const struct calendar *cal, int64_t t)
{
    int64_t days = jst_days(t);
    int o = 0, c = 0; /* set by window_of; zero keeps -O3 from guessing otherwise */
    if (!window_of(cal, days, &o, &c, NULL))
        return 0;
    int64_t s = day_start_utc(days);
    return t >= s + o * 60 && t < s + c * 60;
}

int64_t calendar_service_seconds(const struct calendar *cal, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    int64_t d0 = jst_days(from), d1 = jst_days(to - 1), last_ex = last_exception_day(cal);
    int64_t total = 0;
    for (int64_t d = d0; d <= d1; d++) {
        /* Whole weeks past the last exception all look alike: count them at
         * once so a span of years stays cheap. */
        if (d > d0 && d > last_ex && d1 - d >= 7) {
            int64_t weeks = (d1 - d) / 7;
            total += weeks * cal->week_seconds;
            d += weeks * 7;
        }
        int o, c;
        if (!window_of(cal, d, &o, &c, NULL))
            continue;
        int64_t s = day_start_utc(d) + o * 60, e = day_start_utc(d) + c * 60;
        if (s < from)
            s = from;
        if (e > to)
            e = to;
        if (e > s)
            total += e - s;
    }
    return total;
}

int64_t calendar_add_service_seconds(const struct calendar *cal, int64_t from, int64_t seconds)
{
    int64_t remaining = seconds > 0 ? seconds : 0;
    int64_t d0 = jst_days(from), last_ex = last_exception_day(cal);
    for (int64_t d = d0;; d++) {
        if (d > last_ex + 7 && cal->week_seconds == 0)
            return INT64_MAX; /* nothing but closed weeks from here on */
        if (d > d0 && d > last_ex && cal->week_seconds > 0 && remaining > cal->week_seconds) {
            /* Skip whole weeks but leave the last part to the day walk, so
             * the result lands inside (or at the close of) a window. */
            int64_t weeks = (remaining - 1) / cal->week_seconds;
            remaining -= weeks * cal->week_seconds;
            d += weeks * 7;
        }
        int o, c;
        if (!window_of(cal, d, &o, &c, NULL))
            continue;
        int64_t s = day_start_utc(d) + o * 60, e = day_start_utc(d) + c * 60;
        if (s < from)
            s = from;
        if (e <= s)
            continue;
        if (remaining <= e - s)
            return s + remaining;
        remaining -= e - s;
    }
}

int64_t calendar_next_transition(const struct calendar *cal, int64_t t)
{
    int64_t d = jst_days(t), last_ex = last_exception_day(cal);
    int o = 0, c = 0; /* set by window_of; zero keeps -O3 from guessing otherwise */
    if (calendar_in_service(cal, t)) {
        window_of(cal, d, &o, &c, NULL);
        /* A window ending at 24:00 runs on into one opening at 00:00. */
        while (c == MINUTES_PER_DAY) {
            int o2, c2;
            if (d > last_ex + 7)
                return INT64_MAX; /* open round the clock from here on */
            if (!window_of(cal, d + 1, &o2, &c2, NULL) || o2 != 0)
                break;
            d++;
            c = c2;
        }
        return day_start_utc(d) + c * 60;
    }
    if (window_of(cal, d, &o, &c, NULL) && t < day_start_utc(d) + o * 60)
        return day_start_utc(d) + o * 60;
    for (d++;; d++) {
        if (d > last_ex + 7)
            return INT64_MAX;
        if (window_of(cal, d, &o, &c, NULL))
            return day_start_utc(d) + o * 60;
    }
}

static const char *const weekday_names[7] = {N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"),
                                             N_("Thu"), N_("Fri"), N_("Sat")};

void calendar_print_month(const struct calendar *cal, int y, int m, FILE *out)
{
    int n = civil_days_in_month(y, m);
    if (n == 0)
        return;
    /* TRANSLATORS: heading of `unyo calendar --month`; year and month. */
    fprintf(out, _("Service calendar %04d-%02d (JST)"), y, m);
    fputc('\n', out);
    for (int d = 1; d <= n; d++) {
        struct civil_date day = {y, m, d};
        int o, c;
        const char *reason;
        int open = calendar_day_hours(cal, day, &o, &c, &reason);
        fprintf(out, "%04d-%02d-%02d (%s)  ", y, m, d, _(weekday_names[civil_weekday(y, m, d)]));
        if (open)
            fprintf(out, "%02d:%02d\u2013%02d:%02d JST", o / 60, o % 60, c / 60, c % 60);
        else
            fputs(_("closed"), out);
        if (reason && *reason)
            fprintf(out, "  %s", reason);
        fputc('\n', out);
    }
}

/* ---- loading ----------------------------------------------------------- */

enum { SEC_NONE, SEC_HOURS, SEC_CLOSED, SEC_SPECIAL, SEC_UNKNOWN };

static const char *const hours_keys[8] = {"sun", "mon", "tue", "wed",
                                          "thu", "fri", "sat", "default"};

struct load_ctx {
    const char *path;
    int lineno; /* line the reader is on (1-based) */
    char *err;  /* first error found by us */
    /* [hours]: index 0..6 weekdays, 7 default; set_line 0 = not given */
    int open[8], close[8], set_line[8];
    struct cal_day *ex;
    size_t nex, cap;
};

static void load_fail(struct load_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Keeps only the first error: later ones are often its echoes. */
static void load_fail(struct load_ctx *ctx, const char *fmt, ...)
{
    if (ctx->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    ctx->err = xasprintf("%s:%d: %s", ctx->path, ctx->lineno, msg);
    free(msg);
}

static int section_kind(const char *name)
{
    if (!*name)
        return SEC_NONE;
    if (strcasecmp(name, "hours") == 0)
        return SEC_HOURS;
    if (strcasecmp(name, "closed") == 0)
        return SEC_CLOSED;
    if (strcasecmp(name, "special") == 0)
        return SEC_SPECIAL;
    return SEC_UNKNOWN;
}

static void check_section(struct load_ctx *ctx, const char *name)
{
    if (section_kind(name) == SEC_UNKNOWN)
        load_fail(ctx, _("unknown section [%s] (expected [hours], [closed] or [special])"), name);
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* "H:MM" or "HH:MM", 00:00 .. 24:00. */
static int parse_hhmm(const char **pp, int *minute)
{
    const char *p = *pp;
    int h = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 2) {
        h = h * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || *p != ':')
        return -1;
    p++;
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return -1;
    int m = (p[0] - '0') * 10 + (p[1] - '0');
    p += 2;
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    *minute = h * 60 + m;
    *pp = p;
    return 0;
}

/* "07:00-24:00" (also with an en dash or a wave dash, as printed and as typed
 * in Japanese); *rest gets what follows. -1: malformed, -2: open >= close. */
static int parse_range(const char *s, int *open, int *close, const char **rest)
{
    const char *p = skip_ws(s);
    if (parse_hhmm(&p, open) != 0)
        return -1;
    p = skip_ws(p);
    if (*p == '-' || *p == '~')
        p++;
    else if (strncmp(p, "\u2013", 3) == 0 || strncmp(p, "\u301C", 3) == 0 ||
             strncmp(p, "\uFF5E", 3) == 0)
        p += 3;
    else
        return -1;
    p = skip_ws(p);
    if (parse_hhmm(&p, close) != 0)
        return -1;
    if (*p && *p != ' ' && *p != '\t')
        return -1;
    if (rest)
        *rest = skip_ws(p);
    else if (*skip_ws(p))
        return -1;
    return *open < *close ? 0 : -2;
}

static void range_fail(struct load_ctx *ctx, int rc, const char *value, int open, int close)
{
    if (rc == -2)
        load_fail(ctx,
                  _("opening time %02d:%02d is not before closing time %02d:%02d (expected open < "
                    "close, e.g. 07:00-24:00)"),
                  open / 60, open % 60, close / 60, close % 60);
    else
        load_fail(ctx,
                  _("invalid hours \"%s\" (expected HH:MM-HH:MM between 00:00 and 24:00, e.g. "
                    "07:00-24:00)"),
                  value);
}

static int load_hours(struct load_ctx *ctx, const char *name, const char *value)
{
    int k = -1;
    for (int i = 0; i < 8; i++) {
        if (strcasecmp(name, hours_keys[i]) == 0)
            k = i;
    }
    if (k < 0) {
        load_fail(ctx,
                  _("unknown key \"%s\" in [hours] (expected default, sun, mon, tue, wed, thu, "
                    "fri or sat)"),
                  name);
        return 0;
    }
    if (ctx->set_line[k]) {
        load_fail(ctx,
                  _("\"%s\" is given twice, first on line %d (expected each key once; an indented "
                    "line continues the one above)"),
                  name, ctx->set_line[k]);
        return 0;
    }
    int o = -1, c = -1;
    if (strcasecmp(value, "closed") != 0) {
        int rc = parse_range(value, &o, &c, NULL);
        if (rc != 0) {
            range_fail(ctx, rc, value, o, c);
            return 0;
        }
    }
    ctx->open[k] = o;
    ctx->close[k] = c;
    ctx->set_line[k] = ctx->lineno;
    return 1;
}

static int load_exception(struct load_ctx *ctx, int kind, const char *name, const char *value)
{
    struct civil_date day;
    if (civil_parse(name, &day) != 0) {
        load_fail(ctx, _("invalid date \"%s\" (expected an existing date as YYYY-MM-DD)"), name);
        return 0;
    }
    int o = -1, c = -1;
    const char *reason = value;
    if (kind == SEC_SPECIAL) {
        int rc = parse_range(value, &o, &c, &reason);
        if (rc != 0) {
            range_fail(ctx, rc, value, o, c);
            return 0;
        }
    }
    if (ctx->nex == ctx->cap) {
        ctx->cap = ctx->cap ? ctx->cap * 2 : 32;
        ctx->ex = xrealloc(ctx->ex, ctx->cap * sizeof *ctx->ex);
    }
    ctx->ex[ctx->nex++] = (struct cal_day){
        .days = civil_to_days(day),
        .open = o,
        .close = c,
        .reason = *reason ? xstrdup(reason) : NULL,
        .line = ctx->lineno,
    };
    return 1;
}

static int load_pair(struct load_ctx *ctx, const char *section, const char *name, const char *value)
{
    switch (section_kind(section)) {
    case SEC_HOURS:
        return load_hours(ctx, name, value);
    case SEC_CLOSED:
        return load_exception(ctx, SEC_CLOSED, name, value);
    case SEC_SPECIAL:
        return load_exception(ctx, SEC_SPECIAL, name, value);
    case SEC_NONE:
        load_fail(ctx,
                  _("\"%s\" is outside any section (expected it under [hours], [closed] or "
                    "[special])"),
                  name);
        return 0;
    default:
        check_section(ctx, section);
        return 0;
    }
}

/* The reader stops at the first error, ours or its own. */
static int load_item(void *user, const struct ini_item *it, char **err)
{
    struct load_ctx *ctx = user;
    ctx->lineno = it->line;
    if (it->kind == INI_SECTION)
        check_section(ctx, it->section);
    else
        load_pair(ctx, it->section, it->key, it->value);
    if (!ctx->err)
        return 0;
    *err = ctx->err;
    ctx->err = NULL;
    return -1;
}

static int cmp_day(const void *a, const void *b)
{
    const struct cal_day *x = a, *y = b;
    if (x->days != y->days)
        return x->days < y->days ? -1 : 1;
    return x->line - y->line;
}

static void free_ctx_days(struct load_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nex; i++)
        free(ctx->ex[i].reason);
    free(ctx->ex);
}

struct calendar *calendar_load(const char *path, char **err)
{
    struct load_ctx ctx = {.path = path};
    /* On failure the reader sets ctx.err (FILE:LINE, ours or its own). */
    int rc = ini_read_file(path, INI_OPT_CLASSIC, load_item, &ctx, NULL, &ctx.err);
    if (rc == 0 && ctx.nex > 1) {
        qsort(ctx.ex, ctx.nex, sizeof *ctx.ex, cmp_day);
        for (size_t i = 1; i < ctx.nex; i++) {
            if (ctx.ex[i].days != ctx.ex[i - 1].days)
                continue;
            struct civil_date d = civil_from_days(ctx.ex[i].days);
            ctx.lineno = ctx.ex[i].line;
            load_fail(&ctx,
                      _("date %04d-%02d-%02d is listed twice, first on line %d (expected each "
                        "date once in [closed] and [special])"),
                      d.y, d.m, d.d, ctx.ex[i - 1].line);
            break;
        }
    }
    if (ctx.err) {
        free_ctx_days(&ctx);
        if (err) {
            free(*err);
            *err = ctx.err;
        } else {
            free(ctx.err);
        }
        return NULL;
    }

    struct calendar *cal = xcalloc(1, sizeof *cal);
    for (int w = 0; w < 7; w++) {
        /* A weekday given in the file wins; then the file's default; then
         * the built-in hours (seed 000). */
        int k = ctx.set_line[w] ? w : ctx.set_line[7] ? 7 : -1;
        cal->open[w] = k >= 0 ? ctx.open[k] : builtin_open[w];
        cal->close[w] = k >= 0 ? ctx.close[k] : builtin_close[w];
    }
    compute_week_seconds(cal);
    cal->ex = ctx.ex;
    cal->nex = ctx.nex;
    return cal;
}
