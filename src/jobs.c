#include "jobs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "due.h"
#include "hosts.h"
#include "i18n.h"
#include "incidents.h"
#include "ini.h"
#include "labels.h"
#include "operators.h"
#include "install_dirs.h"
#include "sla.h"
#include "store.h"
#include "templates.h"
#include "timefmt.h"
#include "util.h"
#include "workflow.h"

const char *const job_run_states[] = {
    "waiting",   "queued",      "held",      "running",     "succeeded",  "failed", "skipped",
    "cancelled", "interrupted", "file_wait", "not_arrived", "judged_out", NULL};

const char *jobs_state_name(const char *state)
{
    static const struct {
        const char *key, *name;
    } names[] = {{"waiting", N_("waiting")},
                 {"queued", N_("queued")},
                 {"held", N_("held")},
                 {"running", N_("running")},
                 {"succeeded", N_("succeeded")},
                 {"failed", N_("failed")},
                 {"skipped", N_("skipped")},
                 {"cancelled", N_("cancelled")},
                 {"interrupted", N_("interrupted")},
                 {"retry", N_("retry")},
                 {"rerun", N_("rerun")},
                 {"marked_succeeded", N_("set succeeded")},
                 {"escalated", N_("escalated")},
                 {"delivered", N_("delivered")},
                 {"late_result", N_("late result")},
                 {"stopped", N_("stopped")},
                 {"unassigned", N_("needs a host")},
                 {"refused", N_("not run")},
                 {"elsewhere", N_("elsewhere")},
                 {"file_wait", N_("waiting for file")},
                 {"file_arrived", N_("file arrived")},
                 {"not_arrived", N_("did not arrive")},
                 {"judged_run", N_("judged to run")},
                 {"judged_out", N_("skipped by judgement")}};
    for (size_t i = 0; state && i < ARRAY_LEN(names); i++)
        if (streq(names[i].key, state))
            return _(names[i].name);
    return state ? state : "";
}

/* ---- definitions ---- */

static void def_free(struct job_def *d)
{
    free(d->code), free(d->template_code), free(d->name_ja), free(d->name_en);
    free(d->period_text), free(d->host), free(d->role), free(d->command), free(d->deliver_to);
    free(d->group), free(d->expected_start), free(d->expected_end), free(d->file);
    free(d->wait_file), free(d->wait_until), free(d->when);
    for (size_t i = 0; i < d->nsteps; i++)
        free(d->steps[i]);
    free(d->steps);
    for (size_t i = 0; i < d->noutputs; i++)
        free(d->outputs[i]);
    free(d->outputs);
    for (size_t i = 0; i < d->nafter; i++)
        free(d->after[i]);
    free(d->after);
}

void jobs_defs_free(struct job_defs *d)
{
    for (size_t i = 0; i < d->n; i++)
        def_free(&d->v[i]);
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

int jobs_parse_period(const char *text, unsigned *bits)
{
    static const struct {
        const char *name;
        unsigned bits;
    } names[] = {
        {"daily", PERIOD_DAILY},
        {"weekly", PERIOD_WEEKLY},
        {"monthly", PERIOD_MONTHLY},
        {"quarterly", PERIOD_QUARTERLY},
        {"half-yearly", PERIOD_HALF_YEARLY},
        {"yearly", PERIOD_YEARLY},
        {"manual", PERIOD_AS_NEEDED},
        {"as-needed", PERIOD_AS_NEEDED},
        {"stocktaking", PERIOD_STOCKTAKING},
    };
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (streq(text, names[i].name)) {
            *bits = names[i].bits;
            return 0;
        }
    int ok = 0;
    unsigned b = templates_parse_period(text, &ok);
    if (!ok || b == PERIOD_NONE)
        return -1;
    *bits = b;
    return 0;
}

static int parse_weekday(const char *v)
{
    static const char *const en[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    static const char *const ja[] = {"日", "月", "火", "水", "木", "金", "土"};
    for (int i = 0; i < 7; i++)
        if (strcasecmp(v, en[i]) == 0 || streq(v, ja[i]))
            return i;
    if (v[0] >= '0' && v[0] <= '6' && !v[1])
        return v[0] - '0';
    return -1;
}

static int parse_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

static int parse_hhmm(const char *v)
{
    int h, m;
    char tail;
    if (sscanf(v, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
        (h == 24 && m))
        return -1;
    return h * 60 + m;
}

/* "a, b, c" -> list; empty items dropped. */
static void split_list(const char *v, char ***list, size_t *n)
{
    const char *p = v;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *a = p, *b = p + len;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (b > a) {
            *list = xrealloc(*list, (*n + 1) * sizeof **list);
            (*list)[(*n)++] = xstrndup(a, (size_t)(b - a));
        }
        p = comma ? comma + 1 : p + len;
    }
}

static int code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    return 1;
}

struct parse {
    const char *path;
    struct job_defs *all; /* earlier files, for duplicate codes */
    struct job_defs mine;
    struct job_def *cur;
    char *err;
};

static int perr(struct parse *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int perr(struct parse *p, int line, const char *fmt, ...)
{
    if (p->err)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    char *what = xvasprintf(fmt, ap);
    va_end(ap);
    p->err = xasprintf("%s:%d: %s", p->path, line, what);
    free(what);
    return 0;
}

static int set_once(struct parse *p, int line, char **slot, const char *name, const char *value)
{
    if (*slot)
        return perr(p, line, _("%s given twice in [%s]"), name, p->cur->code);
    *slot = xstrdup(value);
    return 1;
}

static int on_pair(struct parse *p, const char *section, const char *name, const char *value,
                   int line)
{
    if (!p->cur || !streq(p->cur->code, section)) {
        if (!code_valid(section))
            return perr(p, line, _("[%s] is not a job code (letters, digits, _ and -, up to 32)"),
                        section);
        /* Codes defined twice are found after the parse (sorted, not searched here). */
        p->mine.v = xrealloc(p->mine.v, (p->mine.n + 1) * sizeof *p->mine.v);
        p->cur = &p->mine.v[p->mine.n++];
        memset(p->cur, 0, sizeof *p->cur);
        p->cur->code = xstrdup(section);
        p->cur->weekday = -1;
        p->cur->timeout_s = 3600;
        p->cur->enabled = 1;
        p->cur->file = xstrdup(p->path);
        p->cur->line = line;
    }
    struct job_def *d = p->cur;
    if (streq(name, "name_ja"))
        return set_once(p, line, &d->name_ja, name, value);
    if (streq(name, "name_en"))
        return set_once(p, line, &d->name_en, name, value);
    if (streq(name, "template"))
        return set_once(p, line, &d->template_code, name, value);
    if (streq(name, "host"))
        return set_once(p, line, &d->host, name, value);
    if (streq(name, "role")) {
        const char *role = host_role_canonical(value);
        if (!role)
            return perr(p, line,
                        _("role %s (expected a host role: AP, DB, file, AD, proxy, WSUS, backup, "
                          "network, other)"),
                        value);
        return set_once(p, line, &d->role, name, role);
    }
    if (streq(name, "command"))
        return set_once(p, line, &d->command, name, value);
    if (streq(name, "deliver_to"))
        return set_once(p, line, &d->deliver_to, name, value);
    if (streq(name, "group"))
        return set_once(p, line, &d->group, name, value);
    if (streq(name, "period")) {
        if (jobs_parse_period(value, &d->periods) != 0)
            return perr(p, line,
                        _("period %s (expected daily, weekly, monthly, quarterly, half-yearly, "
                          "yearly, manual, stocktaking or 日次, 週次, 月次 ...)"),
                        value);
        return set_once(p, line, &d->period_text, name, value);
    }
    if (streq(name, "weekday")) {
        if ((d->weekday = parse_weekday(value)) < 0)
            return perr(p, line, _("weekday %s (expected sun, mon, ... sat)"), value);
        return 1;
    }
    if (streq(name, "monthday")) {
        if (streq(value, "last"))
            d->monthday = TEMPLATES_MONTHDAY_LAST;
        else if (parse_int(value, 1, 31, &d->monthday) != 0)
            return perr(p, line, _("monthday %s (expected 1 to 31 or last)"), value);
        return 1;
    }
    if (streq(name, "months")) {
        char **list = NULL;
        size_t n = 0;
        split_list(value, &list, &n);
        int bad = n == 0;
        for (size_t i = 0; i < n; i++) {
            int m;
            if (parse_int(list[i], 1, 12, &m) != 0)
                bad = 1;
            else
                d->months |= DUE_MONTH(m);
            free(list[i]);
        }
        free(list);
        if (bad)
            return perr(p, line, _("months %s (expected month numbers like 1,4,7,10)"), value);
        return 1;
    }
    if (streq(name, "step")) {
        d->steps = xrealloc(d->steps, (d->nsteps + 1) * sizeof *d->steps);
        d->steps[d->nsteps++] = xstrdup(value);
        return 1;
    }
    if (streq(name, "output")) {
        split_list(value, &d->outputs, &d->noutputs);
        return 1;
    }
    if (streq(name, "after")) {
        split_list(value, &d->after, &d->nafter);
        return 1;
    }
    if (streq(name, "timeout")) {
        if (parse_int(value, 1, 7 * 86400, &d->timeout_s) != 0)
            return perr(p, line, _("timeout %s (expected seconds, 1 to 604800)"), value);
        return 1;
    }
    if (streq(name, "retries")) {
        if (parse_int(value, 0, 10, &d->retries) != 0)
            return perr(p, line, _("retries %s (expected 0 to 10)"), value);
        return 1;
    }
    if (streq(name, "expected_start") || streq(name, "expected_end")) {
        if (parse_hhmm(value) < 0)
            return perr(p, line, _("%s %s (expected HH:MM, JST)"), name, value);
        return set_once(p, line,
                        streq(name, "expected_start") ? &d->expected_start : &d->expected_end, name,
                        value);
    }
    if (streq(name, "enabled")) {
        if (streq(value, "yes") || streq(value, "true"))
            d->enabled = 1;
        else if (streq(value, "no") || streq(value, "false"))
            d->enabled = 0;
        else
            return perr(p, line, _("enabled %s (expected yes or no)"), value);
        return 1;
    }
    if (streq(name, "closed_day")) {
        if ((d->closed_day = due_closed_parse(value)) < 0)
            return perr(p, line, _("closed_day %s (expected after, before or skip)"), value);
        d->closed_line = line;
        return 1;
    }
    if (streq(name, "scope")) {
        if (streq(value, "local"))
            d->local_scope = 1;
        else if (streq(value, "central"))
            d->local_scope = 0;
        else
            return perr(p, line, _("scope %s (expected local or central)"), value);
        return 1;
    }
    char *msg = NULL; /* wait_file, wait_stable, wait_until, when: src/job_conditions.c */
    int cond = job_conditions_def_key(d, name, value, line, &msg);
    if (cond != 0) {
        if (cond < 0)
            perr(p, line, "%s", msg);
        free(msg);
        return cond > 0;
    }
    return perr(p, line,
                _("unknown key %s (expected name_ja, name_en, template, period, weekday, "
                  "monthday, months, host, role, command, step, output, deliver_to, timeout, "
                  "retries, group, after, expected_start, expected_end, enabled, scope, "
                  "closed_day, wait_file, wait_stable, wait_until, when)"),
                name);
}

/* Pairs only: a header without keys defines nothing. */
static int on_item(void *user, const struct ini_item *it, char **err)
{
    (void)err; /* the message is kept in p->err */
    struct parse *p = user;
    if (it->kind != INI_PAIR)
        return 0;
    return on_pair(p, it->section, it->key, it->value, it->line) ? 0 : -1;
}

static int check_def(struct parse *p, struct job_def *d)
{
    if (!d->name_ja || !d->name_en)
        return perr(p, d->line, _("job %s needs name_ja and name_en"), d->code), -1;
    if (!d->period_text)
        return perr(p, d->line, _("job %s needs a period"), d->code), -1;
    if (!d->command && d->nsteps == 0)
        return perr(p, d->line, _("job %s needs a command, or steps for a person to follow"),
                    d->code),
               -1;
    if (d->command && !d->host && !d->role)
        return perr(p, d->line, _("job %s has a command but no host or role to run it on"),
                    d->code),
               -1;
    if ((d->periods & PERIOD_WEEKLY) && d->weekday < 0)
        d->weekday = 1;
    char *msg = NULL;
    if (job_conditions_def_check(d, &msg) != 0) {
        perr(p, d->line, "%s", msg);
        free(msg);
        return -1;
    }
    if (d->closed_line && !(d->periods & ~(PERIOD_AS_NEEDED | PERIOD_STOCKTAKING)))
        return perr(p, d->closed_line,
                    _("closed_day in [%s]: a %s job has no due date for a closed day to move "
                      "(closed_day is for daily, weekly, monthly and longer periods)"),
                    d->code, d->period_text),
               -1;
    if (d->closed_line && (d->periods & PERIOD_DAILY) && d->closed_day != DUE_CLOSED_SKIP)
        return perr(p, d->closed_line,
                    _("closed_day = %s in [%s]: a daily job already runs on every service day, "
                      "so moving a closed day's run to its neighbour would run it twice there "
                      "(use skip, or leave closed_day out)"),
                    due_closed_name(d->closed_day), d->code),
               -1;
    return 0;
}

static int cmp_def_ptr(const void *a, const void *b)
{
    const struct job_def *x = *(const struct job_def *const *)a;
    const struct job_def *y = *(const struct job_def *const *)b;
    int c = strcmp(x->code, y->code);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A code defined twice in this file, or already in an earlier file. */
static void check_duplicates(struct parse *p)
{
    size_t n = p->mine.n + (p->all ? p->all->n : 0);
    const struct job_def **v = xmalloc((n + 1) * sizeof *v);
    size_t k = 0;
    if (p->all)
        for (size_t i = 0; i < p->all->n; i++)
            v[k++] = &p->all->v[i];
    for (size_t i = 0; i < p->mine.n; i++)
        v[k++] = &p->mine.v[i];
    qsort(v, k, sizeof *v, cmp_def_ptr);
    for (size_t i = 1; i < k && !p->err; i++)
        if (streq(v[i]->code, v[i - 1]->code)) {
            /* Name the definition in this file. */
            const struct job_def *d = v[i]->file && streq(v[i]->file, p->path) ? v[i] : v[i - 1];
            perr(p, d->line, _("job %s is defined twice"), d->code);
        }
    free(v);
}

int jobs_parse_file(const char *path, struct job_defs *out, char **err)
{
    struct parse p = {path, out, {NULL, 0}, NULL, NULL};
    /* One value per line: no inline comments, no continuation lines. */
    char *rerr = NULL;
    if (ini_read_file(path, 0, on_item, &p, NULL, &rerr) != 0 && !p.err)
        p.err = rerr;
    else
        free(rerr);
    if (!p.err)
        check_duplicates(&p);
    for (size_t i = 0; i < p.mine.n && !p.err; i++)
        check_def(&p, &p.mine.v[i]);
    if (p.err) {
        set_err(err, "%s", p.err);
        free(p.err);
        jobs_defs_free(&p.mine);
        return -1;
    }
    out->v = xrealloc(out->v, (out->n + p.mine.n + 1) * sizeof *out->v);
    if (p.mine.n) /* an empty file has no array: memcpy from NULL is undefined */
        memcpy(out->v + out->n, p.mine.v, p.mine.n * sizeof *p.mine.v);
    out->n += p.mine.n;
    free(p.mine.v);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int jobs_parse_dir(const char *dir, struct job_defs *out, char **err)
{
    char *owned = NULL;
    if (!dir)
        dir = owned = xasprintf("%s/jobs", install_datadir());
    DIR *d = opendir(dir);
    if (!d) {
        set_err(err, _("cannot open %s: %s"), dir, strerror(errno));
        free(owned);
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 4 && streq(e->d_name + len - 4, ".ini") && e->d_name[0] != '.') {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = xasprintf("%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    if (n) /* no .ini file: names is NULL, and qsort(NULL, ...) is undefined */
        qsort(names, n, sizeof *names, cmp_str);
    struct job_defs tmp = {NULL, 0};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = jobs_parse_file(names[i], &tmp, err);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(owned);
    if (rc != 0) {
        jobs_defs_free(&tmp);
        return -1;
    }
    out->v = xrealloc(out->v, (out->n + tmp.n + 1) * sizeof *out->v);
    if (tmp.n) /* no file, or only empty ones: tmp.v is NULL */
        memcpy(out->v + out->n, tmp.v, tmp.n * sizeof *tmp.v);
    out->n += tmp.n;
    free(tmp.v);
    return 0;
}

/* ---- install ---- */

/* The dependency graph over every code (the definitions' and the store's), nodes sorted by
 * code so lookups are binary searches: 10,000 jobs check in milliseconds. */
struct graph {
    char **codes; /* sorted, unique */
    size_t n;
    size_t **adj; /* adj[i]: the nodes i runs after */
    size_t *nadj, *cap;
};

static void graph_init(struct graph *g, char **codes, size_t n)
{
    qsort(codes, n, sizeof *codes, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u && streq(codes[u - 1], codes[i])) {
            free(codes[i]);
            continue;
        }
        codes[u++] = codes[i];
    }
    g->codes = codes;
    g->n = u;
    g->adj = xcalloc(u + 1, sizeof *g->adj);
    g->nadj = xcalloc(u + 1, sizeof *g->nadj);
    g->cap = xcalloc(u + 1, sizeof *g->cap);
}

/* Node of code, or (size_t)-1. */
static size_t graph_find(const struct graph *g, const char *code)
{
    char *const *hit = bsearch(&code, g->codes, g->n, sizeof *g->codes, cmp_str);
    return hit ? (size_t)(hit - g->codes) : (size_t)-1;
}

static void graph_edge(struct graph *g, size_t a, size_t b)
{
    if (g->nadj[a] == g->cap[a]) {
        g->cap[a] = g->cap[a] ? g->cap[a] * 2 : 2;
        g->adj[a] = xrealloc(g->adj[a], g->cap[a] * sizeof **g->adj);
    }
    g->adj[a][g->nadj[a]++] = b;
}

static void graph_free(struct graph *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->codes[i]), free(g->adj[i]);
    free(g->codes), free(g->adj), free(g->nadj), free(g->cap);
}

/* Iterative DFS (deep chains must not overflow the stack); on a back edge writes the
 * cycle "A -> B -> A" into *cycle. */
static char *find_cycle(const struct graph *g)
{
    int *color = xcalloc(g->n + 1, sizeof *color);
    size_t *stack = xcalloc(g->n + 1, sizeof *stack);
    size_t *next = xcalloc(g->n + 1, sizeof *next);
    char *cycle = NULL;
    for (size_t root = 0; root < g->n && !cycle; root++) {
        if (color[root])
            continue;
        size_t depth = 0;
        stack[0] = root;
        color[root] = 1;
        next[root] = 0;
        while (!cycle) {
            size_t v = stack[depth];
            if (next[v] == g->nadj[v]) {
                color[v] = 2;
                if (depth == 0)
                    break;
                depth--;
                continue;
            }
            size_t w = g->adj[v][next[v]++];
            if (color[w] == 1) {
                struct strbuf sb = STRBUF_INIT;
                size_t start = 0;
                while (stack[start] != w)
                    start++;
                for (size_t i = start; i <= depth; i++)
                    sb_printf(&sb, "%s -> ", g->codes[stack[i]]);
                sb_puts(&sb, g->codes[w]);
                cycle = sb_detach(&sb);
            } else if (color[w] == 0) {
                color[w] = 1;
                next[w] = 0;
                stack[++depth] = w;
            }
        }
    }
    free(color), free(stack), free(next);
    return cycle;
}

/* 1 found (its id in id), 0 not found, -1 with *err set when the store cannot be read. */
static int lookup_id(struct store *st, const char *sql, const char *key, char id[ID_LEN + 1],
                     char **err)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    bind_text(s, 1, key);
    int found = store_one_row(s, err);
    if (found == 1)
        snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
    sqlite3_reset(s);
    return found;
}

static char *join_lines(char **v, size_t n)
{
    if (!n)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        sb_printf(&sb, "%s%s", i ? "\n" : "", v[i]);
    return sb_detach(&sb);
}

static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The run of a job on a day has the same id on every console (UUIDv7 layout: the day's
 * start as its time, a hash of job and day as its random bits), so two consoles that
 * create it independently make one row, not a conflict for sync. */
static void run_id_for(const char *job_id, const char *day, char out[ID_LEN + 1])
{
    struct civil_date d;
    int64_t ms = civil_parse(day, &d) == 0 ? jst_to_utc(d.y, d.m, d.d, 0) * 1000 : 0;
    uint64_t a = fnv1a(day, fnv1a(job_id, 0xcbf29ce484222325ULL));
    uint64_t b = fnv1a(job_id, fnv1a(day, 0x84222325cbf29ce4ULL));
    snprintf(out, ID_LEN + 1, "%08x-%04x-7%03x-%04x-%012llx", (unsigned)((uint64_t)ms >> 16),
             (unsigned)((uint64_t)ms & 0xffff), (unsigned)(a & 0xfff),
             (unsigned)(0x8000 | ((a >> 12) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffULL));
}

void jobs_install_result_clear(struct jobs_install_result *r)
{
    for (size_t i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->notes);
    memset(r, 0, sizeof *r);
}

static void add_note(struct jobs_install_result *r, char *note)
{
    r->notes = xrealloc(r->notes, (r->nnotes + 1) * sizeof *r->notes);
    r->notes[r->nnotes++] = note;
}

/* Where a definition goes (see jobs.h): host_id filled, or "" when it has no host; *how
 * 'h' by name, 'k' kept, 'r' by role, 0 none. 0, or -1 with *err on a read error. */
static int place_job(struct store *st, const struct job_def *d, const char *job_id, int exists,
                     char host_id[ID_LEN + 1], int *how, struct jobs_install_result *res,
                     char **err)
{
    host_id[0] = 0;
    *how = 0;
    int got = 0;
    if (d->host && (got = lookup_id(st, "SELECT id FROM hosts WHERE name = ?1 AND deleted = 0",
                                    d->host, host_id, err)) != 0) {
        *how = 'h';
        return got < 0 ? -1 : 0;
    }
    if (exists && (got = lookup_id(st,
                                   "SELECT h.id FROM jobs j JOIN hosts h ON h.id = j.host_id "
                                   "WHERE j.id = ?1 AND h.deleted = 0",
                                   job_id, host_id, err)) != 0) {
        *how = 'k';
        return got < 0 ? -1 : 0;
    }
    long long nrole = 0;
    if (d->role) {
        sqlite3_stmt *s = store_stmt(st, "SELECT count(*), min(id) FROM hosts "
                                         "WHERE role = ?1 AND deleted = 0");
        bind_text(s, 1, d->role);
        got = store_one_row(s, err);
        if (got == 1) {
            nrole = sqlite3_column_int64(s, 0);
            if (nrole == 1)
                snprintf(host_id, ID_LEN + 1, "%s", col_text(s, 1));
        }
        sqlite3_reset(s);
        if (got < 0)
            return -1;
        if (nrole == 1) {
            *how = 'r';
            return 0;
        }
    }
    if (!d->command || !res)
        return 0;
    /* Why it needs a host, for the person who loaded it. */
    char *why;
    const char *role = d->role ? label_host_role(d->role) : NULL;
    if (d->host && role && nrole > 1)
        why = xasprintf(_("no host %s in the inventory, and %lld hosts have the role %s"), d->host,
                        nrole, role);
    else if (d->host && role)
        why =
            xasprintf(_("no host %s and no host with the role %s in the inventory"), d->host, role);
    else if (d->host)
        why = xasprintf(_("no host %s in the inventory"), d->host);
    else if (nrole > 1)
        why = xasprintf(_("%lld hosts have the role %s"), nrole, role);
    else
        why = xasprintf(_("no host with the role %s in the inventory"), role);
    add_note(res, xasprintf(_("%s:%d: %s needs a host: %s"), d->file, d->line, d->code, why));
    free(why);
    return 0;
}

int jobs_install(struct store *st, const struct job_defs *defs, int *installed, char **err)
{
    struct jobs_install_result res = {0};
    int rc = jobs_install_ex(st, defs, &res, err);
    if (installed)
        *installed = rc == 0 ? res.installed : 0;
    jobs_install_result_clear(&res);
    return rc;
}

int jobs_install_ex(struct store *st, const struct job_defs *defs, struct jobs_install_result *res,
                    char **err)
{
    struct jobs_install_result dummy = {0};
    if (!res)
        res = &dummy;
    jobs_install_result_clear(res);
    /* Nodes: every defined code and every stored job. */
    size_t ncodes = 0, cap = defs->n + 64;
    char **codes = xmalloc(cap * sizeof *codes);
    for (size_t i = 0; i < defs->n; i++)
        codes[ncodes++] = xstrdup(defs->v[i].code);
    sqlite3_stmt *s = store_stmt(st, "SELECT code FROM jobs WHERE deleted = 0");
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        if (ncodes == cap)
            codes = xrealloc(codes, (cap *= 2) * sizeof *codes);
        codes[ncodes++] = xstrdup(col_text(s, 0));
    }
    sqlite3_reset(s);
    if (step < 0) {
        for (size_t i = 0; i < ncodes; i++)
            free(codes[i]);
        free(codes);
        return -1;
    }
    struct graph g = {0};
    graph_init(&g, codes, ncodes);
    char *defined = xcalloc(g.n + 1, 1);
    for (size_t i = 0; i < defs->n; i++)
        defined[graph_find(&g, defs->v[i].code)] = 1;
    int bad = 0;
    for (size_t i = 0; i < defs->n && !bad; i++) {
        const struct job_def *d = &defs->v[i];
        size_t from = graph_find(&g, d->code);
        for (size_t k = 0; k < d->nafter && !bad; k++) {
            size_t to = graph_find(&g, d->after[k]);
            if (streq(d->after[k], d->code)) {
                set_err(err, _("%s:%d: job %s runs after itself"), d->file, d->line, d->code);
                bad = 1;
                break;
            }
            if (to == (size_t)-1) {
                set_err(err, _("%s:%d: job %s runs after %s, which is not a known job"), d->file,
                        d->line, d->code, d->after[k]);
                bad = 1;
                break;
            }
            graph_edge(&g, from, to);
        }
    }
    if (bad) {
        free(defined);
        graph_free(&g);
        return -1;
    }
    /* Stored dependencies of jobs not redefined now. */
    s = store_stmt(st, "SELECT j.code, d.code FROM job_deps x "
                       "JOIN jobs j ON j.id = x.job_id "
                       "JOIN jobs d ON d.id = x.depends_on_id "
                       "WHERE x.deleted = 0 AND j.deleted = 0 AND d.deleted = 0");
    while ((step = store_next_row(s, err)) == 1) {
        size_t from = graph_find(&g, col_text(s, 0)), to = graph_find(&g, col_text(s, 1));
        if (from != (size_t)-1 && to != (size_t)-1 && !defined[from])
            graph_edge(&g, from, to);
    }
    sqlite3_reset(s);
    if (step < 0) {
        free(defined);
        graph_free(&g);
        return -1;
    }
    char *cycle = find_cycle(&g);
    free(defined);
    graph_free(&g);
    if (cycle) {
        set_err(err, _("dependency cycle: %s"), cycle);
        free(cycle);
        return -1;
    }
    if (store_begin(st, err) != 0)
        return -1;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    for (size_t i = 0; i < defs->n; i++) {
        const struct job_def *d = &defs->v[i];
        char host_id[ID_LEN + 1] = "", tpl_id[ID_LEN + 1] = "", id[ID_LEN + 1];
        const char *tcode = d->template_code ? d->template_code : d->code;
        int exists = 0, how = 0;
        if (lookup_id(st, "SELECT id FROM templates WHERE code = ?1 AND deleted = 0", tcode, tpl_id,
                      err) < 0 ||
            (exists = lookup_id(st, "SELECT id FROM jobs WHERE code = ?1", d->code, id, err)) < 0)
            goto fail;
        if (!exists)
            run_id_for("job", d->code, id); /* the same job id on every console */
        if (place_job(st, d, id, exists, host_id, &how, res, err) != 0)
            goto fail;
        if (how == 'r')
            res->by_role++;
        else if (!how && d->command)
            res->unassigned++;
        char *procedure = join_lines(d->steps, d->nsteps);
        char *outputs = join_lines(d->outputs, d->noutputs);
        sqlite3_stmt *u = store_stmt(
            st, "INSERT INTO jobs(id, code, template_id, name_ja, name_en, periods, weekday, "
                "monthday, months, host_id, command, procedure, outputs, deliver_to, "
                "timeout_seconds, retries, concurrency_group, expected_start, expected_end, "
                "enabled, created_at, updated_at, hlc, origin, host_role, scope, closed_day) "
                "VALUES(?1, "
                "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
                "?20, ?21, ?21, ?22, ?23, ?24, ?25, ?26) ON CONFLICT(id) DO UPDATE SET "
                "template_id = ?3, name_ja = ?4, "
                "name_en = ?5, periods = ?6, weekday = ?7, monthday = ?8, months = ?9, "
                "host_id = ?10, command = ?11, procedure = ?12, outputs = ?13, deliver_to = ?14, "
                "timeout_seconds = ?15, retries = ?16, concurrency_group = ?17, "
                "expected_start = ?18, expected_end = ?19, enabled = ?20, updated_at = ?21, "
                "deleted = 0, hlc = ?22, origin = ?23, host_role = ?24, scope = ?25, "
                "closed_day = ?26");
        bind_text(u, 1, id);
        bind_text(u, 2, d->code);
        bind_text(u, 3, tpl_id[0] ? tpl_id : NULL);
        bind_text(u, 4, d->name_ja);
        bind_text(u, 5, d->name_en);
        bind_int(u, 6, d->periods);
        if (d->weekday >= 0)
            bind_int(u, 7, d->weekday);
        if (d->monthday)
            bind_int(u, 8, d->monthday);
        if (d->months)
            bind_int(u, 9, d->months);
        bind_text(u, 10, host_id[0] ? host_id : NULL);
        bind_text(u, 11, d->command);
        bind_text(u, 12, procedure);
        bind_text(u, 13, outputs);
        bind_text(u, 14, d->deliver_to);
        bind_int(u, 15, d->timeout_s);
        bind_int(u, 16, d->retries);
        bind_text(u, 17, d->group);
        bind_text(u, 18, d->expected_start);
        bind_text(u, 19, d->expected_end);
        bind_int(u, 20, d->enabled);
        bind_text(u, 21, now);
        bind_int(u, 22, store_hlc_next(st));
        bind_text(u, 23, st->origin);
        bind_text(u, 24, d->role);
        bind_text(u, 25, d->local_scope ? "local" : NULL);
        bind_text(u, 26, d->closed_line ? due_closed_name(d->closed_day) : NULL);
        int rc = sqlite3_step(u);
        free(procedure);
        free(outputs);
        if (rc != SQLITE_DONE) {
            store_fail(st, err, d->code);
            goto fail;
        }
        if (job_conditions_install(st, id, d, err) != 0 ||
            store_audit(st, exists ? "job.update" : "job.install", "jobs", id, d->code, err) != 0)
            goto fail;
    }
    for (size_t i = 0; i < defs->n; i++) {
        const struct job_def *d = &defs->v[i];
        char id[ID_LEN + 1];
        if (lookup_id(st, "SELECT id FROM jobs WHERE code = ?1", d->code, id, err) < 0)
            goto fail;
        /* Unchanged dependencies stay as they are (no churn on every load). */
        char **sorted = xmalloc((d->nafter + 1) * sizeof *sorted);
        if (d->nafter) /* d->after is NULL for a job with no dependencies */
            memcpy(sorted, d->after, d->nafter * sizeof *sorted);
        qsort(sorted, d->nafter, sizeof *sorted, cmp_str);
        struct strbuf want = STRBUF_INIT;
        for (size_t k = 0; k < d->nafter; k++)
            sb_printf(&want, "%s\n", sorted[k]);
        free(sorted);
        sqlite3_stmt *have =
            store_stmt(st, "SELECT d.code FROM job_deps x JOIN jobs d ON d.id = x.depends_on_id "
                           "WHERE x.job_id = ?1 AND x.deleted = 0 ORDER BY d.code");
        bind_text(have, 1, id);
        struct strbuf got = STRBUF_INIT;
        while ((step = store_next_row(have, err)) == 1)
            sb_printf(&got, "%s\n", col_text(have, 0));
        sqlite3_reset(have);
        if (step < 0) {
            sb_free(&want);
            sb_free(&got);
            goto fail;
        }
        int same = streq(want.buf ? want.buf : "", got.buf ? got.buf : "");
        sb_free(&want);
        sb_free(&got);
        if (same)
            continue;
        sqlite3_stmt *x = store_stmt(st, "UPDATE job_deps SET deleted = 1, updated_at = ?2, "
                                         "hlc = ?3, origin = ?4 WHERE job_id = ?1 AND deleted = 0");
        bind_text(x, 1, id);
        bind_text(x, 2, now);
        bind_int(x, 3, store_hlc_next(st));
        bind_text(x, 4, st->origin);
        if (sqlite3_step(x) != SQLITE_DONE) {
            store_fail(st, err, d->code);
            goto fail;
        }
        for (size_t k = 0; k < d->nafter; k++) {
            char dep[ID_LEN + 1], dep_row[ID_LEN + 1];
            if (lookup_id(st, "SELECT id FROM jobs WHERE code = ?1", d->after[k], dep, err) < 0)
                goto fail;
            /* The same row id on every console (as the job's): two stores that load the
             * same definitions (every `unyo init` does) make one dependency, not two
             * that sync side by side; a dependency dropped and given again comes back. */
            run_id_for(id, dep, dep_row);
            sqlite3_stmt *y = store_stmt(
                st, "INSERT INTO job_deps(id, job_id, depends_on_id, created_at, updated_at, "
                    "hlc, origin) VALUES(?1, ?2, ?3, ?4, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE "
                    "SET deleted = 0, updated_at = ?4, hlc = ?5, origin = ?6");
            bind_text(y, 1, dep_row);
            bind_text(y, 2, id);
            bind_text(y, 3, dep);
            bind_text(y, 4, now);
            bind_int(y, 5, store_hlc_next(st));
            bind_text(y, 6, st->origin);
            if (sqlite3_step(y) != SQLITE_DONE) {
                store_fail(st, err, d->code);
                goto fail;
            }
        }
    }
    if (store_commit(st, err) != 0)
        goto fail;
    res->installed = (int)defs->n;
    jobs_install_result_clear(&dummy);
    return 0;
fail:
    store_rollback(st);
    jobs_install_result_clear(res);
    return -1;
}

int jobs_assign(struct store *st, const char *code, const char *host, char **err)
{
    if (store_begin(st, err) != 0)
        return -1;
    char job[ID_LEN + 1], host_id[ID_LEN + 1];
    int got = lookup_id(st, "SELECT id FROM jobs WHERE code = ?1 AND deleted = 0", code, job, err);
    if (got == 0)
        set_err(err, _("no job %s (unyo jobs list shows the installed ones)"), code);
    if (got == 1) {
        got = lookup_id(st, "SELECT id FROM hosts WHERE name = ?1 AND deleted = 0", host, host_id,
                        err);
        if (got == 0)
            set_err(err,
                    _("unknown host %s (not in the hosts inventory; add it with unyo host add)"),
                    host);
    }
    if (got != 1) {
        store_rollback(st);
        return -1;
    }
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    sqlite3_stmt *u = store_stmt(st, "UPDATE jobs SET host_id = ?2, updated_at = ?3, hlc = ?4, "
                                     "origin = ?5 WHERE id = ?1");
    bind_text(u, 1, job);
    bind_text(u, 2, host_id);
    bind_text(u, 3, now);
    bind_int(u, 4, store_hlc_next(st));
    bind_text(u, 5, st->origin);
    int rc = sqlite3_step(u) == SQLITE_DONE ? 0 : store_fail(st, err, code);
    sqlite3_reset(u);
    char *detail = xasprintf("%s -> %s", code, host);
    if (rc == 0)
        rc = store_audit(st, "job.assign", "jobs", job, detail, err);
    free(detail);
    if (rc == 0)
        rc = store_commit(st, err);
    if (rc != 0)
        store_rollback(st);
    return rc;
}

int jobs_place_by_role(struct store *st, int dry_run, int *placed, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT j.code, h.name FROM jobs j JOIN hosts h ON h.role = j.host_role "
            "AND h.deleted = 0 WHERE j.deleted = 0 AND j.command IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM hosts x WHERE x.id = j.host_id AND x.deleted = 0) "
            "AND (SELECT count(*) FROM hosts y WHERE y.role = j.host_role AND y.deleted = 0) = 1 "
            "ORDER BY j.code");
    char **pairs = NULL;
    size_t n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        pairs = xrealloc(pairs, (n + 2) * sizeof *pairs);
        pairs[n++] = xstrdup(col_text(s, 0));
        pairs[n++] = xstrdup(col_text(s, 1));
    }
    sqlite3_reset(s);
    int rc = step < 0 ? -1 : 0, done = 0;
    for (size_t i = 0; i + 1 < n && rc == 0; i += 2) {
        if (!dry_run)
            rc = jobs_assign(st, pairs[i], pairs[i + 1], err);
        done += rc == 0;
    }
    for (size_t i = 0; i < n; i++)
        free(pairs[i]);
    free(pairs);
    if (placed)
        *placed = done;
    return rc;
}

int jobs_count_unassigned(struct store *st, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM jobs j WHERE j.deleted = 0 "
                                     "AND j.command IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                                     "hosts h WHERE h.id = j.host_id AND h.deleted = 0)");
    int got = store_one_row(s, err);
    int n = got == 1 ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

/* ---- runs ---- */

int job_event(struct store *st, const char *run_id, const char *kind, const char *note,
              const char *data, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO job_run_events(id, run_id, kind, note, data, "
                                     "operator_id, at, hlc, origin) "
                                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    int64_t ms = time_now_ms();
    id_new_at(id, ms);
    time_format_iso(ms, at);
    bind_text(s, 1, id);
    bind_text(s, 2, run_id);
    bind_text(s, 3, kind);
    bind_text(s, 4, note && *note ? note : NULL);
    bind_text(s, 5, data);
    bind_text(s, 6, st->operator_id[0] ? st->operator_id : NULL);
    bind_text(s, 7, at);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("recording the run's event"));
    return 0;
}

/* nominal: the closed due date the run was moved from (振替), or NULL. */
static int insert_run(struct store *st, const char *job_id, const char *day, const char *nominal,
                      const char *now, int *created, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT OR IGNORE INTO job_runs(id, job_id, due_day, state, created_at, updated_at, "
            "hlc, origin, nominal_day) VALUES(?1, ?2, ?3, 'waiting', ?4, ?4, ?5, ?6, ?7)");
    char id[ID_LEN + 1];
    run_id_for(job_id, day, id);
    bind_text(s, 1, id);
    bind_text(s, 2, job_id);
    bind_text(s, 3, day);
    bind_text(s, 4, now);
    bind_int(s, 5, store_hlc_next(st));
    bind_text(s, 6, st->origin);
    bind_text(s, 7, nominal);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("creating the day's runs"));
    *created = sqlite3_changes(st->db) == 1;
    if (*created)
        return job_event(st, id, "waiting", NULL, NULL, err);
    return 0;
}

static int day_valid(const char *day, struct civil_date *d, char **err)
{
    if (!day || strlen(day) != 10 || civil_parse(day, d) != 0) {
        set_err(err, _("a day is YYYY-MM-DD, not %s"), day ? day : "");
        return -1;
    }
    return 0;
}

int jobs_ensure_runs(struct store *st, const struct calendar *cal, const char *day, int *created,
                     char **err)
{
    struct civil_date d;
    if (day_valid(day, &d, err) != 0)
        return -1;
    /* Which jobs are due: read first, outside the write lock. */
    sqlite3_stmt *s =
        store_stmt(st, "SELECT j.id, j.periods, j.weekday, j.monthday, j.months, "
                       "j.closed_day FROM jobs j WHERE j.enabled = 1 AND j.deleted = 0 AND NOT "
                       "EXISTS (SELECT 1 FROM job_runs r WHERE r.job_id = j.id "
                       "AND r.due_day = ?1)");
    bind_text(s, 1, day);
    char(*ids)[ID_LEN + 1] = NULL;
    char(*moved)[11] = NULL; /* the closed date a run stands for, "" when not moved */
    size_t n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        struct due_rule r;
        r.periods = (unsigned)sqlite3_column_int(s, 1);
        r.weekday = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 2);
        r.monthday = sqlite3_column_int(s, 3);
        r.months = (unsigned)sqlite3_column_int(s, 4);
        int closed = due_closed_parse(col_text(s, 5)); /* NULL: after */
        r.closed = closed > 0 ? closed : DUE_CLOSED_AFTER;
        if (!due_on(&r, cal, d))
            continue;
        ids = xrealloc(ids, (n + 1) * sizeof *ids);
        moved = xrealloc(moved, (n + 1) * sizeof *moved);
        snprintf(ids[n], ID_LEN + 1, "%s", col_text(s, 0));
        struct civil_date from;
        moved[n][0] = 0;
        if (due_moved_from(&r, cal, d, &from))
            snprintf(moved[n], sizeof moved[n], "%04d-%02d-%02d", from.y, from.m, from.d);
        n++;
    }
    sqlite3_reset(s);
    if (step < 0) {
        free(ids), free(moved);
        return -1;
    }
    int count = 0;
    if (n) {
        if (store_begin(st, err) != 0) {
            free(ids);
            return -1;
        }
        char now[TIME_ISO_LEN + 1];
        time_format_iso(time_now_ms(), now);
        for (size_t i = 0; i < n; i++) {
            int made = 0;
            if (insert_run(st, ids[i], day, moved[i][0] ? moved[i] : NULL, now, &made, err) != 0) {
                store_rollback(st);
                free(ids), free(moved);
                return -1;
            }
            count += made;
        }
        if (store_commit(st, err) != 0) {
            store_rollback(st);
            free(ids), free(moved);
            return -1;
        }
    }
    free(ids), free(moved);
    if (created)
        *created = count;
    return 0;
}

int jobs_add_run(struct store *st, const char *code, const char *day, char out_id[ID_LEN + 1],
                 char **err)
{
    struct civil_date d;
    if (day_valid(day, &d, err) != 0)
        return -1;
    char job[ID_LEN + 1];
    int got = lookup_id(st, "SELECT id FROM jobs WHERE code = ?1 AND deleted = 0", code, job, err);
    if (got <= 0) {
        if (got == 0)
            set_err(err, _("no job %s (unyo jobs list shows the installed ones)"), code);
        return -1;
    }
    if (store_begin(st, err) != 0)
        return -1;
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    int made = 0;
    if (insert_run(st, job, day, NULL, now, &made, err) != 0 ||
        (made && store_audit(st, "job.add_run", "jobs", job, day, err) != 0) ||
        store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (out_id) {
        sqlite3_stmt *s =
            store_stmt(st, "SELECT id FROM job_runs WHERE job_id = ?1 AND due_day = ?2");
        bind_text(s, 1, job);
        bind_text(s, 2, day);
        got = store_one_row(s, err);
        if (got == 1)
            snprintf(out_id, ID_LEN + 1, "%s", col_text(s, 0));
        sqlite3_reset(s);
        if (got < 0)
            return -1;
    }
    return 0;
}

char *jobs_runner_text(struct store *st, const char *claimed_by, const char *login)
{
    char *who = operator_display_name(st, login);
    if (!claimed_by || !*claimed_by)
        return who;
    const char *slash = strrchr(claimed_by, '/');
    size_t olen = slash ? (size_t)(slash - claimed_by) : strlen(claimed_by);
    int here = olen == strlen(st->origin) && strncmp(claimed_by, st->origin, olen) == 0;
    char *out = xasprintf(_("%s (on %s)"), who, here ? _("this console") : _("another console"));
    free(who);
    return out;
}

char *jobs_files_text(const char *files)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = files ? files : ""; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *open = NULL;
        for (size_t i = len; i-- > 0;)
            if (p[i] == '(') {
                open = p + i;
                break;
            }
        static const char tail[] = " bytes)";
        size_t tl = sizeof tail - 1;
        if (sb.len)
            sb_putc(&sb, '\n');
        if (open && open > p && open[-1] == ' ' && len >= tl &&
            strncmp(p + len - tl, tail, tl) == 0 && p + len - tl > open + 1) {
            char *path = xstrndup(p, (size_t)(open - 1 - p));
            char *num = xstrndup(open + 1, (size_t)(p + len - tl - (open + 1)));
            sb_printf(&sb, _("%s (%s bytes)"), path, num);
            free(path), free(num);
        } else {
            sb_printf(&sb, "%.*s", (int)len, p);
        }
        p += len + (e != NULL);
    }
    return sb_detach(&sb);
}

/* "ORIGIN/PID" */
static int claim_gone(struct store *st, const char *claimed_by, const char *claimed_at,
                      int timeout_s, int64_t now)
{
    if (!claimed_by)
        return 1;
    const char *slash = strrchr(claimed_by, '/');
    size_t olen = slash ? (size_t)(slash - claimed_by) : 0;
    if (slash && olen == strlen(st->origin) && strncmp(claimed_by, st->origin, olen) == 0) {
        long pid = strtol(slash + 1, NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            return 1;
    }
    int64_t at;
    if (!claimed_at || time_parse(claimed_at, &at) != 0)
        return 1;
    /* Another console's runner (or a hung one): stale once past its timeout and a grace. */
    return now - at > ((int64_t)timeout_s + JOB_CLAIM_GRACE_S) * 1000;
}

int jobs_recover(struct store *st, int *recovered, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT r.id, r.claimed_by, r.claimed_at, j.timeout_seconds "
                                     "FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                                     "WHERE r.state = 'running'");
    int64_t now = time_now_ms();
    struct {
        char id[ID_LEN + 1];
        char *by;
    } *gone = NULL;
    size_t n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        if (!claim_gone(st, col_text(s, 1), col_text(s, 2), sqlite3_column_int(s, 3), now))
            continue;
        gone = xrealloc(gone, (n + 1) * sizeof *gone);
        snprintf(gone[n].id, ID_LEN + 1, "%s", col_text(s, 0));
        gone[n].by = col_text(s, 1) ? xstrdup(col_text(s, 1)) : NULL;
        n++;
    }
    sqlite3_reset(s);
    int count = 0, rc = step < 0 ? -1 : 0;
    if (rc == 0 && n && store_begin(st, err) == 0) {
        char at[TIME_ISO_LEN + 1];
        time_format_iso(now, at);
        for (size_t i = 0; i < n && rc == 0; i++) {
            sqlite3_stmt *u = store_stmt(
                st, "UPDATE job_runs SET state = 'interrupted', ended_at = ?2, updated_at = ?2, "
                    "hlc = ?3, origin = ?4 WHERE id = ?1 AND state = 'running' "
                    "AND claimed_by IS ?5");
            bind_text(u, 1, gone[i].id);
            bind_text(u, 2, at);
            bind_int(u, 3, store_hlc_next(st));
            bind_text(u, 4, st->origin);
            bind_text(u, 5, gone[i].by);
            if (sqlite3_step(u) != SQLITE_DONE) {
                rc = store_fail(st, err, _("marking an interrupted run"));
                break;
            }
            if (sqlite3_changes(st->db) != 1)
                continue;
            char *note = xasprintf(_("the runner %s is gone; the run was interrupted"),
                                   gone[i].by ? gone[i].by : "?");
            rc = job_event(st, gone[i].id, "interrupted", note, NULL, err);
            free(note);
            count++;
        }
        if (rc == 0)
            rc = store_commit(st, err);
        if (rc != 0)
            store_rollback(st);
    } else if (n) {
        rc = -1;
    }
    for (size_t i = 0; i < n; i++)
        free(gone[i].by);
    free(gone);
    if (recovered)
        *recovered = count;
    return rc;
}

#define RUN_FIELDS                                                                                 \
    "r.id, j.code, j.name_ja, j.name_en, h.name, j.concurrency_group, r.due_day, r.state, "        \
    "r.claimed_by, r.started_at, r.ended_at, j.expected_start, j.expected_end, i.ref, r.files, "   \
    "r.attempt, r.exit_status, j.command IS NULL, r.output_truncated, "                            \
    "j.command IS NOT NULL AND h.id IS NULL, j.host_role, r.nominal_day, r.duration_flag, "        \
    "r.usual_ms, json_extract(q.data, '$.since'), json_extract(q.data, '$.kind'), "                \
    "json_extract(q.data, '$.name'), json_extract(q.data, '$.by'), "                               \
    "json_extract(q.data, '$.running'), json_extract(q.data, '$.limit') "
#define RUN_FROM                                                                                   \
    "FROM job_runs r "                                                                             \
    "JOIN jobs j ON j.id = r.job_id LEFT JOIN hosts h ON h.id = j.host_id AND h.deleted = 0 "      \
    "LEFT JOIN incidents i ON i.id = r.incident_id " JOB_QUEUE_EVENT_JOIN
#define RUN_COLS RUN_FIELDS RUN_FROM

static int64_t expected_ms(const char *day, const char *hhmm)
{
    struct civil_date d;
    int min = hhmm ? parse_hhmm(hhmm) : -1;
    if (min < 0 || civil_parse(day, &d) != 0)
        return 0;
    return jst_to_utc(d.y, d.m, d.d, min) * 1000;
}

static void fill_run(sqlite3_stmt *s, struct job_run_row *r, int64_t now)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", col_text(s, 0));
    r->code = col_dup(s, 1);
    r->name_ja = col_dup(s, 2);
    r->name_en = col_dup(s, 3);
    r->host = col_dup(s, 4);
    r->group = col_dup(s, 5);
    r->due_day = col_dup(s, 6);
    r->state = col_dup(s, 7);
    r->claimed_by = col_dup(s, 8);
    r->started_at = col_dup(s, 9);
    r->ended_at = col_dup(s, 10);
    r->expected_start = col_dup(s, 11);
    r->expected_end = col_dup(s, 12);
    r->incident_ref = col_dup(s, 13);
    r->files = col_dup(s, 14);
    r->attempt = sqlite3_column_int(s, 15);
    r->has_exit = sqlite3_column_type(s, 16) != SQLITE_NULL;
    r->exit_status = sqlite3_column_int(s, 16);
    r->manual = sqlite3_column_int(s, 17);
    r->output_truncated = sqlite3_column_int(s, 18);
    r->needs_host = sqlite3_column_int(s, 19);
    r->host_role = col_dup(s, 20);
    r->nominal_day = col_dup(s, 21);
    r->duration_flag = col_dup(s, 22);
    r->usual_ms = sqlite3_column_int64(s, 23);
    r->queue_kind = col_dup(s, 25);
    r->queue_name = col_dup(s, 26);
    if (r->queue_kind && r->queue_name) {
        r->queued_since = col_dup(s, 24);
        r->queue_by = col_dup(s, 27);
        r->queue_running = sqlite3_column_int(s, 28);
        r->queue_limit = sqlite3_column_int(s, 29);
    }
    if (!now || !r->due_day)
        return;
    int64_t es = expected_ms(r->due_day, r->expected_start);
    int64_t ee = expected_ms(r->due_day, r->expected_end);
    int pending = streq(r->state, "waiting") || streq(r->state, "queued") ||
                  streq(r->state, "held") || streq(r->state, "file_wait");
    if (es && pending && now > es)
        r->delay |= JOB_LATE_START;
    int64_t started = 0, ended = 0;
    if (r->started_at && es && time_parse(r->started_at, &started) == 0 && started > es && !pending)
        r->delay |= JOB_LATE_START;
    if (ee) {
        if ((pending || streq(r->state, "running")) && now > ee)
            r->delay |= JOB_LATE_END;
        else if (r->ended_at && time_parse(r->ended_at, &ended) == 0 && ended > ee)
            r->delay |= JOB_LATE_END;
    }
}

int jobs_day(struct store *st, const char *day, int64_t now, struct job_run_row **out, size_t *n,
             char **err)
{
    *out = NULL;
    *n = 0;
    struct civil_date d;
    if (day_valid(day, &d, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT " RUN_COLS "WHERE r.due_day = ?1 AND r.deleted = 0 "
                                     "ORDER BY coalesce(j.expected_start, '99:99'), j.code");
    bind_text(s, 1, day);
    int rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        fill_run(s, &(*out)[(*n)++], now);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        job_run_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
        return store_fail(st, err, _("listing the day's runs"));
    }
    return 0;
}

int jobs_history(struct store *st, const char *code, int limit, struct job_run_row **out, size_t *n,
                 char **err)
{
    *out = NULL;
    *n = 0;
    char job[ID_LEN + 1];
    int got = lookup_id(st, "SELECT id FROM jobs WHERE code = ?1 AND deleted = 0", code, job, err);
    if (got <= 0) {
        if (got == 0)
            set_err(err, _("no job %s (unyo jobs list shows the installed ones)"), code);
        return -1;
    }
    sqlite3_stmt *s = store_stmt(st, "SELECT " RUN_COLS "WHERE r.job_id = ?1 AND r.deleted = 0 "
                                     "ORDER BY r.due_day DESC LIMIT ?2");
    bind_text(s, 1, job);
    bind_int(s, 2, limit > 0 ? limit : 60);
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        fill_run(s, &(*out)[(*n)++], 0);
    }
    sqlite3_reset(s);
    if (step < 0) {
        job_run_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

void job_run_rows_free(struct job_run_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct job_run_row *r = &rows[i];
        free(r->code), free(r->name_ja), free(r->name_en), free(r->host), free(r->group);
        free(r->due_day), free(r->state), free(r->claimed_by), free(r->started_at);
        free(r->ended_at), free(r->expected_start), free(r->expected_end);
        free(r->incident_ref), free(r->files), free(r->host_role);
        free(r->nominal_day), free(r->duration_flag);
        free(r->queued_since), free(r->queue_kind), free(r->queue_name), free(r->queue_by);
    }
    free(rows);
}

int jobs_resolve_run(struct store *st, const char *ref, char id[ID_LEN + 1], char **err)
{
    if (!ref || !*ref) {
        set_err(err, _("say which run: its id, CODE@YYYY-MM-DD or CODE (today)"));
        return -1;
    }
    int got =
        id_valid(ref) ? lookup_id(st, "SELECT id FROM job_runs WHERE id = ?1", ref, id, err) : 0;
    if (got < 0)
        return -1;
    if (got)
        return 0;
    char code[64], day[16];
    const char *at = strchr(ref, '@');
    if (at) {
        snprintf(code, sizeof code, "%.*s", (int)(at - ref), ref);
        snprintf(day, sizeof day, "%s", at + 1);
    } else {
        snprintf(code, sizeof code, "%s", ref);
        time_format_jst_date(time_now_ms(), day);
    }
    sqlite3_stmt *s = store_stmt(st, "SELECT r.id FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                                     "WHERE j.code = ?1 AND r.due_day = ?2 AND r.deleted = 0");
    bind_text(s, 1, code);
    bind_text(s, 2, day);
    int found = store_one_row(s, err);
    if (found == 1)
        snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
    sqlite3_reset(s);
    if (found < 0)
        return -1;
    if (!found) {
        set_err(err, _("no run of %s on %s"), code, day);
        return -1;
    }
    return 0;
}

struct run_state {
    char state[16];
    char ref[64]; /* CODE@YYYY-MM-DD */
    int manual;
    char job_id[ID_LEN + 1];
};

static int run_state_of(struct store *st, const char *id, struct run_state *rs, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT r.state, j.command IS NULL, j.id, j.code || '@' || r.due_day "
                       "FROM job_runs r "
                       "JOIN jobs j ON j.id = r.job_id WHERE r.id = ?1");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        if (got == 0)
            set_err(err, _("no run %s"), id);
        return -1;
    }
    snprintf(rs->state, sizeof rs->state, "%s", col_text(s, 0));
    rs->manual = sqlite3_column_int(s, 1);
    snprintf(rs->job_id, sizeof rs->job_id, "%s", col_text(s, 2));
    snprintf(rs->ref, sizeof rs->ref, "%s", col_text(s, 3));
    sqlite3_reset(s);
    return 0;
}

/* For a running run being cancelled: its runner notices within a second and stops the
 * command on the host (job_runner.h), unless that runner is gone. Malloc'd. */
static char *running_cancel_note(struct store *st, const char *id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT r.claimed_by, r.claimed_at, j.timeout_seconds "
                                     "FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                                     "WHERE r.id = ?1");
    bind_text(s, 1, id);
    char *note = NULL;
    if (sqlite3_step(s) == SQLITE_ROW &&
        claim_gone(st, col_text(s, 0), col_text(s, 1), sqlite3_column_int(s, 2), time_now_ms()))
        note = xasprintf(_("cancelled while running, but its runner %s is gone: the command on "
                           "the host may still run"),
                         col_text(s, 0) ? col_text(s, 0) : "?");
    sqlite3_reset(s);
    return note ? note
                : xstrdup(_("cancelled while running: its runner stops the command on the host"));
}

static const char *const job_actions[] = {"hold",      "release", "cancel",  "rerun", "skipped",
                                          "succeeded", "failed",  "deliver", NULL};

const char *jobs_action_name(const char *action)
{
    static const struct {
        const char *key, *name;
    } names[] = {{"hold", N_("hold")},
                 {"release", N_("release")},
                 {"cancel", N_("cancel")},
                 {"rerun", N_("rerun")},
                 {"skipped", N_("mark skipped")},
                 {"succeeded", N_("mark succeeded")},
                 {"failed", N_("mark failed")},
                 {"deliver", N_("record a delivery")}};
    for (size_t i = 0; action && i < ARRAY_LEN(names); i++)
        if (streq(names[i].key, action))
            return _(names[i].name);
    return action ? action : "";
}

/* What a person does to a run (the runner's own moves are in job_runner.c). A rerun
 * goes to queued (a manual job's to waiting: side effect in jobs_run_action); marking
 * succeeded or failed is for manual jobs only (checked there too), except a failed or
 * interrupted run of any job marked succeeded by a person with a reason (job_rerun.h). */
static const struct wf_transition job_rows[] = {
    {"waiting", "hold", "held", 0, 0},
    {"queued", "hold", "held", 0, 0},
    {"held", "release", "queued", 0, 0},
    {"waiting", "cancel", "cancelled", 0, 0},
    {"queued", "cancel", "cancelled", 0, 0},
    {"held", "cancel", "cancelled", 0, 0},
    {"running", "cancel", "cancelled", 0, 0},
    {"succeeded", "rerun", "queued", 0, 0},
    {"failed", "rerun", "queued", 0, 0},
    {"skipped", "rerun", "queued", 0, 0},
    {"cancelled", "rerun", "queued", 0, 0},
    {"interrupted", "rerun", "queued", 0, 0},
    {"waiting", "skipped", "skipped", 0, 0},
    {"queued", "skipped", "skipped", 0, 0},
    {"held", "skipped", "skipped", 0, 0},
    {"waiting", "succeeded", "succeeded", 0, 0},
    {"queued", "succeeded", "succeeded", 0, 0},
    {"held", "succeeded", "succeeded", 0, 0},
    {"waiting", "failed", "failed", 0, 0},
    {"queued", "failed", "failed", 0, 0},
    {"held", "failed", "failed", 0, 0},
    {"succeeded", "deliver", NULL, 0, 0},
    {"failed", "succeeded", "succeeded", 0, 0},
    {"interrupted", "succeeded", "succeeded", 0, 0},
    /* start conditions (src/job_conditions.h): a rerun waits for the file, or judges, again */
    {"file_wait", "hold", "held", 0, 0},
    {"file_wait", "cancel", "cancelled", 0, 0},
    {"file_wait", "skipped", "skipped", 0, 0},
    {"not_arrived", "rerun", "queued", 0, 0},
    {"judged_out", "rerun", "queued", 0, 0},
};
const struct wf_table job_run_workflow = {N_("run"),
                                          job_run_states,
                                          job_actions,
                                          jobs_state_name,
                                          jobs_action_name,
                                          job_rows,
                                          ARRAY_LEN(job_rows),
                                          NULL,
                                          0};

static int check_workflow(struct store *st, const struct run_state *rs, const char *action,
                          const char **to, char **err)
{
    struct wf_actor who = workflow_actor(st);
    struct wf_record rec = {rs->ref, NULL, NULL};
    return workflow_check(&job_run_workflow, rs->state, action, &who, &rec, to, err);
}

int jobs_run_action(struct store *st, const char *ref, const char *action, const char *note,
                    char **err)
{
    return jobs_run_action_ex(st, ref, action, note, NULL, err);
}

void jobs_action_result_free(struct jobs_action_result *res)
{
    if (!res)
        return;
    free(res->stopping);
    res->stopping = NULL;
}

int jobs_run_action_ex(struct store *st, const char *ref, const char *action, const char *note,
                       struct jobs_action_result *res, char **err)
{
    if (res)
        *res = (struct jobs_action_result){{0}, {0}, NULL};
    if (!workflow_knows(&job_run_workflow, action) || streq(action, "deliver")) {
        set_err(err,
                _("unknown action %s (expected hold, release, cancel, rerun, succeeded, "
                  "failed or skipped)"),
                action ? action : "");
        return -1;
    }
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (jobs_resolve_run(st, ref, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    struct run_state rs;
    if (run_state_of(st, id, &rs, err) != 0)
        goto fail;
    int mark_failed = streq(action, "succeeded") && job_mark_succeeded_applies(rs.state);
    if (streq(action, "succeeded") && !rs.manual && !mark_failed) {
        set_err(err,
                _("%s is %s, not failed: a run of a job with a command is marked succeeded only "
                  "after it failed, with a reason; the runner records its other results"),
                ref, jobs_state_name(rs.state));
        goto fail;
    }
    if (streq(action, "failed") && !rs.manual) {
        set_err(err,
                _("run %s belongs to a job with a command: the runner records its result "
                  "(skip it, cancel it or rerun it instead)"),
                ref);
        goto fail;
    }
    const char *to = NULL;
    if (check_workflow(st, &rs, action, &to, err) != 0)
        goto fail;
    if (mark_failed) {
        if (job_mark_succeeded_tx(st, id, rs.ref, rs.state, note, err) != 0 ||
            store_commit(st, err) != 0)
            goto fail;
        if (res) {
            snprintf(res->from, sizeof res->from, "%s", rs.state);
            snprintf(res->to, sizeof res->to, "%s", to);
        }
        return 0;
    }
    if (streq(action, "rerun") && rs.manual)
        to = "waiting";
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    int requeue = streq(action, "rerun");
    int final = streq(to, "succeeded") || streq(to, "failed") || streq(to, "skipped") ||
                streq(to, "cancelled");
    sqlite3_stmt *u =
        store_stmt(st, "UPDATE job_runs SET state = ?2, updated_at = ?3, hlc = ?4, origin = ?5, "
                       "attempt = attempt + ?6, "
                       "claimed_by = CASE WHEN ?6 THEN NULL ELSE claimed_by END, "
                       "claimed_at = CASE WHEN ?6 THEN NULL ELSE claimed_at END, "
                       "started_at = CASE WHEN ?6 THEN NULL ELSE started_at END, "
                       "exit_status = CASE WHEN ?6 THEN NULL ELSE exit_status END, "
                       "ended_at = CASE WHEN ?6 THEN NULL WHEN ?7 THEN ?3 ELSE ended_at END, "
                       /* a rerun waits for its file, and is judged, again */
                       "wait_found = CASE WHEN ?6 THEN NULL ELSE wait_found END, "
                       "judged_at = CASE WHEN ?6 THEN NULL ELSE judged_at END "
                       "WHERE id = ?1 AND state = ?8");
    bind_text(u, 1, id);
    bind_text(u, 2, to);
    bind_text(u, 3, at);
    bind_int(u, 4, store_hlc_next(st));
    bind_text(u, 5, st->origin);
    bind_int(u, 6, requeue);
    bind_int(u, 7, final);
    bind_text(u, 8, rs.state);
    if (sqlite3_step(u) != SQLITE_DONE || sqlite3_changes(st->db) != 1) {
        store_fail(st, err, _("updating the run"));
        goto fail;
    }
    char *data = xasprintf("{\"from\":\"%s\",\"to\":\"%s\"}", rs.state, to);
    char *act = xasprintf("job.%s", action);
    const char *n = note;
    char *auto_note = NULL, *stopping = NULL;
    if (streq(action, "cancel") && streq(rs.state, "running")) {
        stopping = running_cancel_note(st, id);
        if (!note)
            n = auto_note = xstrdup(stopping);
    }
    int rc = job_event(st, id, requeue ? "rerun" : to, n, data, err);
    if (rc == 0)
        rc = store_audit(st, act, "job_runs", id, data, err);
    if (rc == 0 && streq(to, "failed"))
        rc = job_escalate(st, id, note, err);
    free(data), free(act), free(auto_note);
    if (rc != 0 || store_commit(st, err) != 0) {
        free(stopping);
        goto fail;
    }
    if (res) {
        snprintf(res->from, sizeof res->from, "%s", rs.state);
        snprintf(res->to, sizeof res->to, "%s", to);
        res->stopping = stopping;
    } else {
        free(stopping);
    }
    return 0;
fail:
    store_rollback(st);
    return -1;
}

int jobs_deliver(struct store *st, const char *ref, const char *dept, const char *files,
                 const char *note, char **err)
{
    if (!dept || !*dept) {
        set_err(err, _("say to which department (--to)"));
        return -1;
    }
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (jobs_resolve_run(st, ref, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    struct run_state rs;
    if (run_state_of(st, id, &rs, err) != 0)
        goto fail;
    if (check_workflow(st, &rs, "deliver", NULL, err) != 0)
        goto fail;
    char *stored_files = NULL;
    if (!files) {
        sqlite3_stmt *f = store_stmt(st, "SELECT files FROM job_runs WHERE id = ?1");
        bind_text(f, 1, id);
        int got = store_one_row(f, err);
        if (got == 1 && col_text(f, 0))
            stored_files = xstrdup(col_text(f, 0));
        sqlite3_reset(f);
        if (got < 0)
            goto fail;
        files = stored_files;
    }
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO job_deliveries(id, run_id, department, files, "
                                     "note, delivered_by, delivered_at, hlc, origin) "
                                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    char did[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    id_new(did);
    time_format_iso(time_now_ms(), at);
    bind_text(s, 1, did);
    bind_text(s, 2, id);
    bind_text(s, 3, dept);
    bind_text(s, 4, files);
    bind_text(s, 5, note);
    bind_text(s, 6, st->operator_id);
    bind_text(s, 7, at);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    int step = sqlite3_step(s);
    free(stored_files);
    if (step != SQLITE_DONE) {
        store_fail(st, err, _("recording the delivery"));
        goto fail;
    }
    char *ev = xasprintf(_("delivered to %s"), dept);
    int rc = job_event(st, id, "delivered", ev, NULL, err);
    if (rc == 0)
        rc = store_audit(st, "job.deliver", "job_runs", id, dept, err);
    free(ev);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(st);
    return -1;
}

int jobs_list(struct store *st, struct job_row **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(
        st, "SELECT j.code, j.name_ja, j.name_en, h.name, j.concurrency_group, "
            "(SELECT group_concat(d.code, ', ') FROM job_deps x JOIN jobs d ON d.id = "
            "x.depends_on_id WHERE x.job_id = j.id AND x.deleted = 0), j.command, j.procedure, "
            "j.outputs, j.deliver_to, j.expected_start, j.expected_end, j.periods, j.weekday, "
            "j.monthday, j.timeout_seconds, j.retries, j.enabled, j.months, j.host_role, "
            "j.command IS NOT NULL AND h.id IS NULL, j.closed_day, "
            "lr.due_day, lr.nominal_day, lr.state, lr.started_at, lr.ended_at, lr.duration_flag, "
            "lr.usual_ms "
            "FROM jobs j LEFT JOIN hosts h ON h.id = j.host_id AND h.deleted = 0 "
            "LEFT JOIN job_runs lr ON lr.id = (SELECT x.id FROM job_runs x WHERE x.job_id = j.id "
            "AND x.deleted = 0 AND x.due_day <= ?1 ORDER BY x.due_day DESC, x.hlc DESC, x.id DESC "
            "LIMIT 1) "
            "WHERE j.deleted = 0 ORDER BY j.code");
    char today[11];
    time_format_jst_date(time_now_ms(), today);
    bind_text(s, 1, today); /* the latest run up to today, not one made ahead */
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct job_row *r = &(*out)[(*n)++];
        r->code = col_dup(s, 0);
        r->name_ja = col_dup(s, 1);
        r->name_en = col_dup(s, 2);
        r->host = col_dup(s, 3);
        r->group = col_dup(s, 4);
        r->after = col_dup(s, 5);
        r->command = col_dup(s, 6);
        r->procedure = col_dup(s, 7);
        r->outputs = col_dup(s, 8);
        r->deliver_to = col_dup(s, 9);
        r->expected_start = col_dup(s, 10);
        r->expected_end = col_dup(s, 11);
        r->periods = (unsigned)sqlite3_column_int(s, 12);
        r->weekday = sqlite3_column_type(s, 13) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 13);
        r->monthday = sqlite3_column_int(s, 14);
        r->timeout_s = sqlite3_column_int(s, 15);
        r->retries = sqlite3_column_int(s, 16);
        r->enabled = sqlite3_column_int(s, 17);
        r->months = (unsigned)sqlite3_column_int(s, 18);
        r->host_role = col_dup(s, 19);
        r->needs_host = sqlite3_column_int(s, 20);
        r->closed_day = col_dup(s, 21);
        struct job_run_row *l = &r->last;
        memset(l, 0, sizeof *l);
        l->code = col_dup(s, 0);
        l->due_day = col_dup(s, 22);
        l->nominal_day = col_dup(s, 23);
        l->state = col_dup(s, 24);
        l->started_at = col_dup(s, 25);
        l->ended_at = col_dup(s, 26);
        l->duration_flag = col_dup(s, 27);
        l->usual_ms = sqlite3_column_int64(s, 28);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        job_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
        return store_fail(st, err, _("listing jobs"));
    }
    return 0;
}

void job_rows_free(struct job_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct job_row *r = &rows[i];
        free(r->code), free(r->name_ja), free(r->name_en), free(r->host), free(r->group);
        free(r->after), free(r->command), free(r->procedure), free(r->outputs);
        free(r->deliver_to), free(r->expected_start), free(r->expected_end);
        free(r->host_role), free(r->closed_day);
        struct job_run_row *l = &r->last;
        free(l->code), free(l->due_day), free(l->nominal_day), free(l->state);
        free(l->started_at), free(l->ended_at), free(l->duration_flag);
    }
    free(rows);
}

const char *jobs_closed_day_rule(const struct job_row *r)
{
    if (!(r->periods & ~(unsigned)(PERIOD_AS_NEEDED | PERIOD_STOCKTAKING)))
        return NULL; /* no due date to move */
    if (r->closed_day)
        return r->closed_day;
    return (r->periods & PERIOD_DAILY) ? "skip" : "after";
}

const char *jobs_closed_day_label(const char *rule)
{
    if (!rule)
        return NULL;
    if (streq(rule, "before"))
        return _("moved to the service day before");
    if (streq(rule, "skip"))
        return _("that run is skipped");
    return _("moved to the next service day");
}

char *jobs_period_label(unsigned periods, int weekday, int monthday, unsigned months)
{
    static const char *const wd[] = {N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"),
                                     N_("Thu"), N_("Fri"), N_("Sat")};
    struct strbuf sb = STRBUF_INIT;
    for (unsigned bit = 1; bit <= PERIOD_STOCKTAKING; bit <<= 1) {
        if (!(periods & bit))
            continue;
        const char *name = templates_period_name_en(bit);
        if (name)
            sb_printf(&sb, "%s%s", sb.len ? " / " : "", _(name));
    }
    if ((periods & PERIOD_WEEKLY) && weekday >= 0 && weekday < 7)
        sb_printf(&sb, " (%s)", _(wd[weekday]));
    if (periods & (PERIOD_MONTHLY | PERIOD_QUARTERLY | PERIOD_HALF_YEARLY | PERIOD_YEARLY)) {
        if (monthday == TEMPLATES_MONTHDAY_LAST)
            sb_printf(&sb, " (%s)", _("last day"));
        else
            sb_printf(&sb, _(" (day %d)"), monthday ? monthday : 1);
        if (months) {
            sb_puts(&sb, " [");
            int first = 1;
            for (int m = 1; m <= 12; m++)
                if (months & DUE_MONTH(m)) {
                    sb_printf(&sb, "%s%d", first ? "" : ",", m);
                    first = 0;
                }
            sb_putc(&sb, ']');
        }
    }
    return sb_detach(&sb);
}

int jobs_run_get(struct store *st, const char *ref, struct job_run_detail *out, char **err)
{
    memset(out, 0, sizeof *out);
    char id[ID_LEN + 1];
    if (jobs_resolve_run(st, ref, id, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(
        st, "SELECT " RUN_FIELDS ", r.output, j.command, j.procedure " RUN_FROM "WHERE r.id = ?1");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        if (got == 0)
            set_err(err, _("no run %s"), ref);
        return -1;
    }
    fill_run(s, &out->run, time_now_ms());
    out->output = col_dup(s, 30);
    out->command = col_dup(s, 31);
    out->procedure = col_dup(s, 32);
    sqlite3_reset(s);
    s = store_stmt(st, "SELECT e.kind, e.note, o.login, e.at FROM job_run_events e "
                       "LEFT JOIN operators o ON o.id = e.operator_id WHERE e.run_id = ?1 "
                       "ORDER BY e.at, e.id");
    bind_text(s, 1, id);
    if (ledger_events_read(s, &out->events, &out->nevents, err) != 0) {
        jobs_run_detail_clear(out);
        return -1;
    }
    return 0;
}

void jobs_run_detail_clear(struct job_run_detail *d)
{
    struct job_run_row *r = &d->run;
    free(r->code), free(r->name_ja), free(r->name_en), free(r->host), free(r->group);
    free(r->due_day), free(r->state), free(r->claimed_by), free(r->started_at);
    free(r->ended_at), free(r->expected_start), free(r->expected_end);
    free(r->incident_ref), free(r->files), free(r->host_role);
    free(r->nominal_day), free(r->duration_flag);
    free(r->queued_since), free(r->queue_kind), free(r->queue_name), free(r->queue_by);
    free(d->output), free(d->command), free(d->procedure);
    ledger_events_free(d->events, d->nevents);
    memset(d, 0, sizeof *d);
}

/* ---- escalation ---- */

/* The library an incident about host belongs to: the host's, else the central library,
 * else any. *code NULL when the store has no libraries, else malloc'd. -1 with
 * *err set when the libraries cannot be read. */
static int library_for(struct store *st, const char *host_name, char **code, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT code FROM libraries l WHERE l.deleted = 0 ORDER BY "
            "l.id = (SELECT library_id FROM hosts WHERE name = ?1 AND deleted = 0) DESC, "
            "l.kind = 'central' DESC, l.code LIMIT 1");
    bind_text(s, 1, host_name);
    int got = store_one_row(s, err);
    *code = got == 1 ? xstrdup(col_text(s, 0)) : NULL;
    sqlite3_reset(s);
    return got < 0 ? -1 : 0;
}

/* Without any library (incident_create needs one): a minimal draft row. */
static int minimal_draft(struct store *st, const char *title, const char *desc, char id[ID_LEN + 1],
                         char ref[24], char **err)
{
    char at[TIME_ISO_LEN + 1];
    int64_t ms = time_now_ms();
    id_new_at(id, ms);
    time_format_iso(ms, at);
    ledger_ref("INC", id, ms, ref);
    sqlite3_stmt *i = store_stmt(
        st, "INSERT INTO incidents(id, ref, channel, reporter, title, description, category, "
            "impact, urgency, priority, status, received_at, created_by, created_at, updated_at, "
            "hlc, origin) VALUES(?1, ?2, 'alert', 'unyo jobs', ?3, ?4, 'software', 2, 2, 'P3', "
            "'draft', ?5, ?6, ?5, ?5, ?7, ?8)");
    bind_text(i, 1, id);
    bind_text(i, 2, ref);
    bind_text(i, 3, title);
    bind_text(i, 4, desc);
    bind_text(i, 5, at);
    bind_text(i, 6, st->operator_id);
    bind_int(i, 7, store_hlc_next(st));
    bind_text(i, 8, st->origin);
    if (sqlite3_step(i) != SQLITE_DONE)
        return store_fail(st, err, _("drafting the incident"));
    return store_audit(st, "incident.draft", "incidents", id, ref, err);
}

int job_escalate(struct store *st, const char *run_id, const char *note, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT j.code, j.name_ja, j.name_en, h.name, r.due_day, r.exit_status, r.output, "
            "r.attempt, r.state FROM job_runs r JOIN jobs j ON j.id = r.job_id "
            "LEFT JOIN hosts h ON h.id = j.host_id WHERE r.id = ?1");
    bind_text(s, 1, run_id);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        if (got == 0)
            set_err(err, _("no run %s"), run_id);
        return -1;
    }
    char *code = xstrdup(col_text(s, 0));
    char *host = col_text(s, 3) ? xstrdup(col_text(s, 3)) : NULL;
    const char *output = col_text(s, 6);
    /* not_arrived: its file did not come by the cut-off (src/job_conditions.c) */
    char *title = streq(col_text(s, 8), "not_arrived")
                      ? xasprintf(_("Job %s %s: its file did not arrive"), code, col_text(s, 1))
                      : xasprintf(_("Job %s %s failed"), code, col_text(s, 1));
    struct strbuf d = STRBUF_INIT;
    sb_printf(&d, _("Batch job %s (%s / %s) failed on %s, run of %s, attempt %d."), code,
              col_text(s, 1), col_text(s, 2), host ? host : "-", col_text(s, 4),
              sqlite3_column_int(s, 7));
    sb_putc(&d, '\n');
    if (sqlite3_column_type(s, 5) != SQLITE_NULL) {
        sb_printf(&d, _("Exit status: %d"), sqlite3_column_int(s, 5));
        sb_putc(&d, '\n');
    }
    if (note && *note) {
        sb_printf(&d, _("Note: %s"), note);
        sb_putc(&d, '\n');
    }
    if (output && *output) {
        size_t len = strlen(output), tail = 2000;
        const char *from = len > tail ? output + len - tail : output;
        while (len > tail && (*from & 0xC0) == 0x80) /* start on a UTF-8 boundary */
            from++;
        sb_printf(&d, _("Output (last lines):"));
        sb_printf(&d, "\n%s%s\n", len > tail ? "…" : "", from);
    }
    sqlite3_reset(s);
    char id[ID_LEN + 1], ref[24], at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    int rc;
    char *library = NULL;
    if (library_for(st, host, &library, err) != 0) {
        rc = -1;
    } else if (library) {
        /* Through the incident ledger, in this transaction. */
        char *sla_err = NULL;
        struct sla *sla = sla_load(NULL, NULL, &sla_err);
        if (!sla) {
            free(sla_err);
            sla = sla_new(NULL, NULL);
        }
        const char *hosts[1] = {host};
        struct incident_new in = {0};
        in.library = library;
        in.channel = "alert";
        in.reporter = "unyo jobs";
        in.title = title;
        in.description = d.buf;
        in.category = "software";
        in.impact = 2;
        in.urgency = 2;
        in.hosts = hosts;
        in.nhosts = host ? 1 : 0;
        in.draft = 1;
        rc = incident_create_in_tx(st, sla, &in, id, ref, err);
        sla_free(sla);
        free(library);
    } else {
        rc = minimal_draft(st, title, d.buf ? d.buf : "", id, ref, err);
    }
    free(title);
    sb_free(&d);
    free(host);
    if (rc != 0) {
        free(code);
        return -1;
    }
    sqlite3_stmt *u = store_stmt(st, "UPDATE job_runs SET incident_id = ?2, updated_at = ?3, "
                                     "hlc = ?4, origin = ?5 WHERE id = ?1");
    bind_text(u, 1, run_id);
    bind_text(u, 2, id);
    bind_text(u, 3, at);
    bind_int(u, 4, store_hlc_next(st));
    bind_text(u, 5, st->origin);
    rc = sqlite3_step(u) == SQLITE_DONE ? 0 : store_fail(st, err, _("drafting the incident"));
    if (rc == 0)
        rc = ledger_add_link(st, "incident", id, "job_run", run_id, code, err);
    free(code);
    if (rc != 0)
        return -1;
    char *ev = xasprintf(_("incident draft %s"), ref);
    rc = job_event(st, run_id, "escalated", ev, NULL, err);
    free(ev);
    return rc;
}
