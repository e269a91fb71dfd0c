#include "templates.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "ini.h"
#include "install_dirs.h"
#include "util.h"

#define TPL_CODE_MAX 32

enum tpl_key {
    K_SOURCE,
    K_ITEM,
    K_CATEGORY1,
    K_CATEGORY2,
    K_CATEGORY3,
    K_NAME_JA,
    K_NAME_EN,
    K_SUMMARY_JA,
    K_SUMMARY_EN,
    K_PERIOD,
    K_PANE,
    K_DUTY_ENGINEER,
    K_DUTY_OPERATOR,
    K_PER_HOST,
    K_WEEKDAY,
    K_MONTHDAY,
    K_MONTHS,
    K_VALUE_UNIT,
    K_VALUE_MIN,
    K_VALUE_MAX,
    K_COUNT
};

static const char *const key_names[K_COUNT] = {
    "source",   "item",          "category1",     "category2",  "category3",
    "name_ja",  "name_en",       "summary_ja",    "summary_en", "period",
    "pane",     "duty_engineer", "duty_operator", "per_host",   "weekday",
    "monthday", "months",        "value_unit",    "value_min",  "value_max",
};

static const enum tpl_key required_keys[] = {K_SOURCE,  K_ITEM,   K_NAME_JA,
                                             K_NAME_EN, K_PERIOD, K_PANE};

static const char *const pane_names[] = {"checklist", "incidents", "inquiries", "problems",
                                         "jobs",      "changes",   "reports",   "management"};

static const char *const weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct period_word {
    const char *text;
    unsigned bit;
};

/* The forms the seeds use, a few spellings editors are likely to type, and the
 * English names templates_period_name_en() gives back. */
static const struct period_word period_words[] = {
    {"随時", PERIOD_AS_NEEDED},
    {"日次", PERIOD_DAILY},
    {"週次", PERIOD_WEEKLY},
    {"月次", PERIOD_MONTHLY},
    {"3か月に1回程度", PERIOD_QUARTERLY},
    {"3か月に1回", PERIOD_QUARTERLY},
    {"３か月に１回程度", PERIOD_QUARTERLY},
    {"３か月に１回", PERIOD_QUARTERLY},
    {"四半期", PERIOD_QUARTERLY},
    {"半年に1回", PERIOD_HALF_YEARLY},
    {"半年に１回", PERIOD_HALF_YEARLY},
    {"年次", PERIOD_YEARLY},
    {"蔵書点検時", PERIOD_STOCKTAKING},
    {"as needed", PERIOD_AS_NEEDED},
    {"daily", PERIOD_DAILY},
    {"weekly", PERIOD_WEEKLY},
    {"monthly", PERIOD_MONTHLY},
    {"quarterly", PERIOD_QUARTERLY},
    {"half-yearly", PERIOD_HALF_YEARLY},
    {"yearly", PERIOD_YEARLY},
    {"at stock-taking", PERIOD_STOCKTAKING},
};

/* "No period" as the seed writes it (full-width hyphen) and look-alikes. */
static const char *const period_none_words[] = {"－", "―", "—", "-"};

#define SLASH_FULLWIDTH "\xef\xbc\x8f" /* ／ */
#define SPACE_IDEOGRAPHIC "\xe3\x80\x80"

unsigned templates_parse_period(const char *text, int *ok)
{
    int dummy;
    if (!ok)
        ok = &dummy;
    *ok = 0;
    if (!text)
        return 0;
    for (size_t i = 0; i < ARRAY_LEN(period_none_words); i++) {
        if (strcmp(text, period_none_words[i]) == 0) {
            *ok = 1;
            return PERIOD_NONE;
        }
    }
    unsigned bits = 0;
    const char *p = text;
    for (;;) {
        /* A token runs to the next ／ or /. */
        const char *end = p;
        size_t sep = 0;
        while (*end) {
            if (strncmp(end, SLASH_FULLWIDTH, 3) == 0) {
                sep = 3;
                break;
            }
            if (*end == '/') {
                sep = 1;
                break;
            }
            end++;
        }
        const char *a = p, *b = end;
        for (;;) {
            if (a < b && (*a == ' ' || *a == '\t'))
                a++;
            else if (b - a >= 3 && strncmp(a, SPACE_IDEOGRAPHIC, 3) == 0)
                a += 3;
            else
                break;
        }
        for (;;) {
            if (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                b--;
            else if (b - a >= 3 && strncmp(b - 3, SPACE_IDEOGRAPHIC, 3) == 0)
                b -= 3;
            else
                break;
        }
        size_t n = (size_t)(b - a);
        unsigned bit = 0;
        for (size_t i = 0; i < ARRAY_LEN(period_words) && n; i++) {
            if (strlen(period_words[i].text) == n && strncmp(a, period_words[i].text, n) == 0) {
                bit = period_words[i].bit;
                break;
            }
        }
        if (!bit)
            return 0;
        bits |= bit;
        if (!sep)
            break;
        p = end + sep;
    }
    *ok = 1;
    return bits;
}

const char *templates_period_name_en(unsigned bit)
{
    switch (bit) {
    case PERIOD_NONE:
        return N_("none");
    case PERIOD_AS_NEEDED:
        return N_("as needed");
    case PERIOD_DAILY:
        return N_("daily");
    case PERIOD_WEEKLY:
        return N_("weekly");
    case PERIOD_MONTHLY:
        return N_("monthly");
    case PERIOD_QUARTERLY:
        return N_("quarterly");
    case PERIOD_HALF_YEARLY:
        return N_("half-yearly");
    case PERIOD_YEARLY:
        return N_("yearly");
    case PERIOD_STOCKTAKING:
        return N_("at stock-taking");
    default:
        return NULL;
    }
}

int templates_pane_valid(const char *pane)
{
    for (size_t i = 0; i < ARRAY_LEN(pane_names); i++)
        if (streq(pane, pane_names[i]))
            return 1;
    return 0;
}

const struct template_item *templates_find(const struct template_set *set, const char *code)
{
    for (size_t i = 0; set && i < set->count; i++)
        if (streq(set->items[i].code, code))
            return &set->items[i];
    return NULL;
}

static void item_free(struct template_item *it)
{
    char **strs[] = {&it->code,          &it->source,      &it->category1, &it->category2,
                     &it->category3,     &it->name_ja,     &it->name_en,   &it->summary_ja,
                     &it->summary_en,    &it->period_text, &it->pane,      &it->duty_engineer,
                     &it->duty_operator, &it->value_unit};
    for (size_t i = 0; i < ARRAY_LEN(strs); i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
}

void templates_free(struct template_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        item_free(&set->items[i]);
    free(set->items);
    set->items = NULL;
    set->count = 0;
}

/* ---- parsing ---- */

struct header {
    int line;
    char *name;
};

struct parse_ctx {
    const char *path;
    int lineno;             /* the line being read */
    struct header *headers; /* every "[...]" line, in order */
    size_t nheaders, cap_headers;
    const struct template_set *existing, *existing2; /* codes already taken */
    struct template_set tmp;
    size_t cap_items;
    struct template_item *cur;
    size_t cur_header; /* index+1 into headers of cur's section, 0 when none */
    int key_line[K_COUNT];
    char *err;
};

static void ctx_fail(struct parse_ctx *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void ctx_fail(struct parse_ctx *c, int line, const char *fmt, ...)
{
    if (c->err)
        return; /* the first error is the one worth reporting */
    va_list ap;
    va_start(ap, fmt);
    char *what = xvasprintf(fmt, ap);
    va_end(ap);
    c->err = xasprintf("%s:%d: %s", c->path, line, what);
    free(what);
}

static int code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > TPL_CODE_MAX)
        return 0;
    for (; *s; s++) {
        char ch = *s;
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

static const char *pane_list(void)
{
    return "checklist, incidents, inquiries, problems, jobs, changes, reports, management";
}

/* Checks what can only be judged once the whole section is read. */
static int ctx_finish_item(struct parse_ctx *c)
{
    struct template_item *it = c->cur;
    if (!it)
        return 0;
    int hline = c->headers[c->cur_header - 1].line;
    for (size_t i = 0; i < ARRAY_LEN(required_keys); i++) {
        enum tpl_key k = required_keys[i];
        if (!c->key_line[k]) {
            ctx_fail(c, hline, _("[%s] has no \"%s\", expected a line \"%s = ...\""), it->code,
                     key_names[k], key_names[k]);
            return -1;
        }
    }
    unsigned p = it->periods;
    if (c->key_line[K_WEEKDAY] && !(p & PERIOD_WEEKLY)) {
        ctx_fail(c, c->key_line[K_WEEKDAY],
                 _("weekday is set but period \"%s\" is not weekly, expected 週次 in period or "
                   "no weekday"),
                 it->period_text);
        return -1;
    }
    if (c->key_line[K_MONTHDAY] &&
        !(p & (PERIOD_MONTHLY | PERIOD_QUARTERLY | PERIOD_HALF_YEARLY | PERIOD_YEARLY))) {
        ctx_fail(c, c->key_line[K_MONTHDAY],
                 _("monthday is set but period \"%s\" is not monthly, quarterly, half-yearly "
                   "or yearly, expected no monthday"),
                 it->period_text);
        return -1;
    }
    if (c->key_line[K_MONTHS] && !(p & (PERIOD_QUARTERLY | PERIOD_HALF_YEARLY | PERIOD_YEARLY))) {
        ctx_fail(c, c->key_line[K_MONTHS],
                 _("months is set but period \"%s\" is not quarterly, half-yearly or yearly, "
                   "expected no months"),
                 it->period_text);
        return -1;
    }
    int lmin = c->key_line[K_VALUE_MIN], lmax = c->key_line[K_VALUE_MAX];
    if (lmin || lmax) {
        if (!lmin || !lmax) {
            ctx_fail(c, lmin ? lmin : lmax, _("%s is set without %s, expected both or neither"),
                     lmin ? "value_min" : "value_max", lmin ? "value_max" : "value_min");
            return -1;
        }
        if (!it->value_unit) {
            ctx_fail(c, lmin > lmax ? lmin : lmax,
                     _("a value range needs a unit, expected value_unit = ... in [%s]"), it->code);
            return -1;
        }
        if (it->value_min > it->value_max) {
            ctx_fail(c, lmin > lmax ? lmin : lmax,
                     _("value_min %g is greater than value_max %g, expected value_min <= "
                       "value_max"),
                     it->value_min, it->value_max);
            return -1;
        }
        it->has_range = 1;
    }
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int parse_months(const char *s, unsigned *out)
{
    unsigned bits = 0;
    const char *p = s;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            return 0;
        char *end;
        long m = strtol(p, &end, 10);
        if (m < 1 || m > 12)
            return 0;
        bits |= 1u << (m - 1);
        p = end;
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (*p != ',')
            return 0;
        p++;
    }
    *out = bits;
    return 1;
}

static int ctx_start_item(struct parse_ctx *c, const char *section)
{
    /* Every header between the previous section and this one had no keys. */
    size_t hi = c->nheaders;
    if (hi > c->cur_header + 1) {
        const struct header *h = &c->headers[c->cur_header];
        ctx_fail(c, h->line, _("section [%s] has no keys, expected at least %s"), h->name,
                 "source, item, name_ja, name_en, period, pane");
        return -1;
    }
    int hline = c->headers[hi - 1].line;
    if (!code_valid(section)) {
        ctx_fail(c, hline,
                 _("bad section name [%s], expected a code of letters, digits, '_' or '-' "
                   "(at most %d)"),
                 section, TPL_CODE_MAX);
        return -1;
    }
    if (templates_find(&c->tmp, section) || templates_find(c->existing, section) ||
        templates_find(c->existing2, section)) {
        ctx_fail(c, hline, _("section [%s] is already defined, expected each code once"), section);
        return -1;
    }
    if (c->tmp.count == c->cap_items) {
        c->cap_items = c->cap_items ? c->cap_items * 2 : 64;
        c->tmp.items = xrealloc(c->tmp.items, c->cap_items * sizeof *c->tmp.items);
    }
    struct template_item *it = &c->tmp.items[c->tmp.count++];
    memset(it, 0, sizeof *it);
    it->code = xstrdup(section);
    char **texts[] = {&it->source,      &it->category1, &it->category2,     &it->category3,
                      &it->name_ja,     &it->name_en,   &it->summary_ja,    &it->summary_en,
                      &it->period_text, &it->pane,      &it->duty_engineer, &it->duty_operator};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        *texts[i] = xstrdup("");
    it->weekday = -1;
    c->cur = it;
    c->cur_header = hi;
    memset(c->key_line, 0, sizeof c->key_line);
    return 0;
}

static void set_text(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

static int ctx_set_key(struct parse_ctx *c, enum tpl_key k, const char *v)
{
    struct template_item *it = c->cur;
    int line = c->lineno;
    long n;
    switch (k) {
    case K_SOURCE:
        if (!code_valid(v)) {
            ctx_fail(c, line, _("bad source \"%s\", expected a document number such as 002 or 000"),
                     v);
            return -1;
        }
        set_text(&it->source, v);
        return 0;
    case K_ITEM:
        if (!parse_int(v, 1, 999999, &n)) {
            ctx_fail(c, line, _("bad item number \"%s\", expected a whole number from 1"), v);
            return -1;
        }
        it->item_no = (int)n;
        return 0;
    case K_NAME_JA:
    case K_NAME_EN:
        if (!*v) {
            ctx_fail(c, line, _("empty value for \"%s\", expected text"), key_names[k]);
            return -1;
        }
        set_text(k == K_NAME_JA ? &it->name_ja : &it->name_en, v);
        return 0;
    case K_CATEGORY1:
        set_text(&it->category1, v);
        return 0;
    case K_CATEGORY2:
        set_text(&it->category2, v);
        return 0;
    case K_CATEGORY3:
        set_text(&it->category3, v);
        return 0;
    case K_SUMMARY_JA:
        set_text(&it->summary_ja, v);
        return 0;
    case K_SUMMARY_EN:
        set_text(&it->summary_en, v);
        return 0;
    case K_DUTY_ENGINEER:
        set_text(&it->duty_engineer, v);
        return 0;
    case K_DUTY_OPERATOR:
        set_text(&it->duty_operator, v);
        return 0;
    case K_PERIOD: {
        int ok;
        unsigned bits = templates_parse_period(v, &ok);
        if (!ok) {
            ctx_fail(c, line,
                     _("cannot read period \"%s\", expected 随時, 日次, 週次, 月次, "
                       "3か月に1回程度, 半年に1回, 年次, 蔵書点検時 or － (several joined "
                       "with ／)"),
                     v);
            return -1;
        }
        it->periods = bits;
        set_text(&it->period_text, v);
        return 0;
    }
    case K_PANE:
        if (!templates_pane_valid(v)) {
            ctx_fail(c, line, _("unknown pane \"%s\", expected one of: %s"), v, pane_list());
            return -1;
        }
        set_text(&it->pane, v);
        return 0;
    case K_PER_HOST:
        if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1")) {
            it->per_host = 1;
        } else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0")) {
            it->per_host = 0;
        } else {
            ctx_fail(c, line, _("bad per_host \"%s\", expected yes or no"), v);
            return -1;
        }
        return 0;
    case K_WEEKDAY:
        for (size_t i = 0; i < ARRAY_LEN(weekday_names); i++) {
            if (!strcasecmp(v, weekday_names[i])) {
                it->weekday = (int)i;
                return 0;
            }
        }
        ctx_fail(c, line, _("bad weekday \"%s\", expected mon, tue, wed, thu, fri, sat or sun"), v);
        return -1;
    case K_MONTHDAY:
        if (!strcasecmp(v, "last")) {
            it->monthday = TEMPLATES_MONTHDAY_LAST;
            return 0;
        }
        if (!parse_int(v, 1, 31, &n)) {
            ctx_fail(c, line, _("bad monthday \"%s\", expected a day from 1 to 31 or last"), v);
            return -1;
        }
        it->monthday = (int)n;
        return 0;
    case K_MONTHS:
        if (!parse_months(v, &it->months)) {
            ctx_fail(c, line,
                     _("bad months \"%s\", expected month numbers 1 to 12 separated by commas"), v);
            return -1;
        }
        return 0;
    case K_VALUE_UNIT:
        if (!*v) {
            ctx_fail(c, line, _("empty value for \"%s\", expected text"), key_names[k]);
            return -1;
        }
        free(it->value_unit);
        it->value_unit = xstrdup(v);
        return 0;
    case K_VALUE_MIN:
    case K_VALUE_MAX: {
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        if (!*v || *end || errno || !isfinite(d)) {
            ctx_fail(c, line, _("bad number \"%s\" for %s, expected a decimal number"), v,
                     key_names[k]);
            return -1;
        }
        if (k == K_VALUE_MIN)
            it->value_min = d;
        else
            it->value_max = d;
        return 0;
    }
    case K_COUNT:
        break;
    }
    return -1;
}

static int on_pair(struct parse_ctx *c, const char *section, const char *name, const char *value)
{
    if (c->nheaders == 0) {
        ctx_fail(c, c->lineno, _("key \"%s\" outside any section, expected a [CODE] line first"),
                 name);
        return 0;
    }
    if (!c->cur || c->cur_header != c->nheaders) {
        if (ctx_finish_item(c) != 0 || ctx_start_item(c, section) != 0)
            return 0;
    }
    enum tpl_key k = K_COUNT;
    for (int i = 0; i < K_COUNT; i++) {
        if (strcmp(name, key_names[i]) == 0) {
            k = (enum tpl_key)i;
            break;
        }
    }
    if (k == K_COUNT) {
        struct strbuf keys = STRBUF_INIT;
        for (int i = 0; i < K_COUNT; i++)
            sb_printf(&keys, "%s%s", i ? ", " : "", key_names[i]);
        ctx_fail(c, c->lineno, _("unknown key \"%s\" in [%s], expected one of: %s"), name,
                 c->cur->code, keys.buf);
        sb_free(&keys);
        return 0;
    }
    if (c->key_line[k]) {
        ctx_fail(c, c->lineno,
                 _("key \"%s\" given twice in [%s] (first on line %d), expected it once"), name,
                 c->cur->code, c->key_line[k]);
        return 0;
    }
    c->key_line[k] = c->lineno;
    return ctx_set_key(c, k, value) == 0;
}

/* Every "[...]" line is noted, so an empty section is reported at its header. */
static int on_item(void *user, const struct ini_item *it, char **err)
{
    struct parse_ctx *c = user;
    c->lineno = it->line;
    if (it->kind == INI_SECTION) {
        if (c->nheaders == c->cap_headers) {
            c->cap_headers = c->cap_headers ? c->cap_headers * 2 : 64;
            c->headers = xrealloc(c->headers, c->cap_headers * sizeof *c->headers);
        }
        c->headers[c->nheaders].line = it->line;
        c->headers[c->nheaders].name = xstrdup(it->section);
        c->nheaders++;
    } else {
        on_pair(c, it->section, it->key, it->value);
    }
    if (!c->err)
        return 0;
    *err = c->err;
    c->err = NULL;
    return -1;
}

static void set_append(struct template_set *out, struct template_set *from)
{
    if (!from->count)
        return;
    out->items = xrealloc(out->items, (out->count + from->count) * sizeof *out->items);
    memcpy(out->items + out->count, from->items, from->count * sizeof *from->items);
    out->count += from->count;
    free(from->items);
    from->items = NULL;
    from->count = 0;
}

/* Parses path and appends to out; codes in out or in also count as taken. */
static int load_file(const char *path, struct template_set *out, const struct template_set *also,
                     char **err)
{
    struct parse_ctx c;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.existing = out;
    c.existing2 = also;

    /* One value per line: " ;" is text, no continuation lines. */
    int rc = ini_read_file(path, 0, on_item, &c, NULL, &c.err);
    if (rc == 0 && ctx_finish_item(&c) == 0) {
        /* Headers after the last keyed section are empty sections. */
        if (c.nheaders > c.cur_header) {
            const struct header *h = &c.headers[c.cur_header];
            ctx_fail(&c, h->line, _("section [%s] has no keys, expected at least %s"), h->name,
                     "source, item, name_ja, name_en, period, pane");
        }
    }
    if (c.err)
        rc = -1;

    if (rc == 0)
        set_append(out, &c.tmp);
    else {
        set_err(err, "%s", c.err ? c.err : _("cannot parse"));
        templates_free(&c.tmp);
    }
    free(c.err);
    for (size_t i = 0; i < c.nheaders; i++)
        free(c.headers[i].name);
    free(c.headers);
    return rc;
}

int templates_load_builtin(const char *datadir, const char *which, struct template_set *out,
                           char **err)
{
    static const char *const files_library[] = {"library.ini", NULL};
    static const char *const files_package[] = {"package.ini", NULL};
    static const char *const files_all[] = {"library.ini", "package.ini", NULL};
    const char *const *files;
    if (streq(which, "library"))
        files = files_library;
    else if (streq(which, "package"))
        files = files_package;
    else if (streq(which, "all"))
        files = files_all;
    else {
        set_err(err, _("unknown template set \"%s\", expected library, package or all"),
                which ? which : "");
        return -1;
    }
    if (!datadir)
        datadir = install_datadir();
    if (!datadir) {
        set_err(err, _("no data directory, expected one to be configured"));
        return -1;
    }

    /* Everything goes to a scratch set first so a failure in the second file
     * leaves *out as it was. */
    struct template_set tmp = {NULL, 0};
    for (size_t i = 0; files[i]; i++) {
        char *path = xasprintf("%s/templates/%s", datadir, files[i]);
        int rc = load_file(path, &tmp, out, err);
        free(path);
        if (rc != 0) {
            templates_free(&tmp);
            return -1;
        }
    }
    set_append(out, &tmp);
    return 0;
}

int templates_load_file(const char *path, struct template_set *out, char **err)
{
    return load_file(path, out, NULL, err);
}
