#define PCRE2_CODE_UNIT_WIDTH 8
#include "checks.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "check_ack.h"
#include "check_flap.h"
#include "check_pool.h"
#include "check_sched.h"
#include "checklist.h"
#include "downtime.h"
#include "host_deps.h"
#include "hosts.h"
#include "id.h"
#include "job_runner.h"
#include "ledger.h"
#include "sla.h"
#include "i18n.h"
#include "labels.h"
#include "ini.h"
#include "paths.h"
#include "ssh_config.h"
#include "ssh_conn.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "utf8.h"
#include "util.h"

#define RAW_OUTPUT_CAP (64 * 1024)
#define COMMAND_OUTPUT_CAP (4 * 1024 * 1024)

/* ---------------------------------------------------------------- loading */

struct load {
    struct check_set *set;
    const char *path;
    size_t first; /* index of this file's first check */
    char *last_section, *last_key;
    char *err;
};

static struct check_def *cur_def(struct load *l, const char *section, int lineno)
{
    struct check_set *s = l->set;
    if (s->count > l->first && strcmp(s->defs[s->count - 1].id, section) == 0)
        return &s->defs[s->count - 1];
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->defs[i].id, section) == 0)
            return NULL; /* duplicate */
    s->defs = xrealloc(s->defs, (s->count + 1) * sizeof *s->defs);
    struct check_def *d = &s->defs[s->count++];
    memset(d, 0, sizeof *d);
    d->id = xstrdup(section);
    d->file = xstrdup(l->path);
    d->line = lineno;
    return d;
}

static int parse_cond(const char *text, struct check_cond *c)
{
    char var[64], op[3];
    double v;
    char extra;
    if (sscanf(text, " %63[A-Za-z0-9_] %2[<>=!] %lf %c", var, op, &v, &extra) != 3)
        return -1;
    if (strcmp(op, "<") == 0)
        c->op = CHECK_LT;
    else if (strcmp(op, "<=") == 0)
        c->op = CHECK_LE;
    else if (strcmp(op, ">") == 0)
        c->op = CHECK_GT;
    else if (strcmp(op, ">=") == 0)
        c->op = CHECK_GE;
    else if (strcmp(op, "==") == 0 || strcmp(op, "=") == 0)
        c->op = CHECK_EQ;
    else if (strcmp(op, "!=") == 0)
        c->op = CHECK_NE;
    else
        return -1;
    c->var = xstrdup(var);
    c->value = v;
    return 0;
}

static void set_str(char **field, const char *value, int append, const char *sep)
{
    if (append && *field) {
        char *n = xasprintf("%s%s%s", *field, sep, value);
        free(*field);
        *field = n;
    } else {
        free(*field);
        *field = xstrdup(value);
    }
}

static int on_pair(struct load *l, const char *section, const char *key, const char *value,
                   int lineno, int continued)
{
    if (!*section) {
        l->err = xasprintf(_("%s:%d: %s is outside any [check] section"), l->path, lineno, key);
        return 0;
    }
    /* An indented line continues the key above; so does the same key again. */
    int cont = continued || (l->last_section && strcmp(l->last_section, section) == 0 &&
                             l->last_key && strcmp(l->last_key, key) == 0);
    struct check_def *d = cur_def(l, section, lineno);
    if (!d) {
        l->err = xasprintf(_("%s:%d: check [%s] is defined twice"), l->path, lineno, section);
        return 0;
    }
    free(l->last_section);
    free(l->last_key);
    l->last_section = xstrdup(section);
    l->last_key = xstrdup(key);
    if (strcmp(key, "name") == 0)
        set_str(&d->name, value, cont, " ");
    else if (strcmp(key, "template") == 0)
        set_str(&d->template_code, value, 0, "");
    else if (strcmp(key, "roles") == 0)
        set_str(&d->roles, value, cont, ",");
    else if (strcmp(key, "hosts") == 0)
        set_str(&d->hosts, value, cont, ",");
    else if (strcmp(key, "os") == 0)
        set_str(&d->os, value, cont, ",");
    else if (strcmp(key, "command") == 0)
        set_str(&d->command, value, cont, "\n");
    else if (strcmp(key, "pattern") == 0)
        set_str(&d->pattern, value, cont, "");
    else if (strcmp(key, "each") == 0) {
        if (strcasecmp(value, "yes") != 0 && strcasecmp(value, "no") != 0) {
            l->err = xasprintf(_("%s:%d: each takes yes or no"), l->path, lineno);
            return 0;
        }
        d->each = strcasecmp(value, "yes") == 0;
    } else if (strcmp(key, "condition") == 0 || strcmp(key, "warn") == 0 ||
               strcmp(key, "crit") == 0) {
        struct check_cond c;
        if (parse_cond(value, &c) != 0) {
            if (strcmp(key, "condition") == 0)
                l->err = xasprintf(_("%s:%d: bad condition \"%s\": expected CAPTURE OP NUMBER "
                                     "(OP one of < <= > >= == !=)"),
                                   l->path, lineno, value);
            else
                l->err = xasprintf(_("%s:%d: bad %s \"%s\": expected CAPTURE OP NUMBER "
                                     "(OP one of < <= > >= == !=)"),
                                   l->path, lineno, key, value);
            return 0;
        }
        struct check_cond **v = key[0] == 'c' && key[1] == 'o' ? &d->conds
                                : key[0] == 'w'                ? &d->warns
                                                               : &d->crits;
        size_t *n = v == &d->conds ? &d->n_conds : v == &d->warns ? &d->n_warns : &d->n_crits;
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        (*v)[(*n)++] = c;
    } else if (strcmp(key, "value") == 0)
        set_str(&d->value_var, value, 0, "");
    else if (strcmp(key, "label") == 0)
        set_str(&d->label_var, value, 0, "");
    else if (strcmp(key, "unit") == 0)
        set_str(&d->unit, value, 0, "");
    else if (strcmp(key, "metric") == 0)
        set_str(&d->metric, value, 0, "");
    else if (strcmp(key, "severity") == 0) {
        if (strcmp(value, "info") != 0 && strcmp(value, "warning") != 0 &&
            strcmp(value, "critical") != 0) {
            l->err = xasprintf(_("%s:%d: severity is info, warning or critical"), l->path, lineno);
            return 0;
        }
        set_str(&d->severity, value, 0, "");
    } else if (strcmp(key, "aggregate") == 0) {
        if (strcmp(value, "max") == 0)
            d->aggregate = 0;
        else if (strcmp(value, "min") == 0)
            d->aggregate = 1;
        else if (strcmp(value, "first") == 0)
            d->aggregate = 2;
        else {
            l->err = xasprintf(_("%s:%d: aggregate is max, min or first"), l->path, lineno);
            return 0;
        }
    } else if (strcmp(key, "timeout") == 0) {
        char *end;
        long v = strtol(value, &end, 10);
        if (*end || v < 1 || v > 86400) {
            l->err = xasprintf(_("%s:%d: timeout is a number of seconds"), l->path, lineno);
            return 0;
        }
        d->timeout = (int)v;
    } else if (strcmp(key, "interval") == 0 || strcmp(key, "hours") == 0) {
        if (check_schedule_key(key, value, &d->interval_s, &d->service_hours, l->path, lineno,
                               &l->err) != 0)
            return 0;
    } else {
        /* A variable for the command. */
        for (const char *p = key; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
                l->err = xasprintf(_("%s:%d: unknown key %s"), l->path, lineno, key);
                return 0;
            }
        if (strcmp(key, "since") == 0) {
            l->err = xasprintf(_("%s:%d: {since} is set by unyo"), l->path, lineno);
            return 0;
        }
        if (cont && d->n_vars) {
            set_str(&d->vars[d->n_vars - 1].value, value, 1, " ");
        } else {
            d->vars = xrealloc(d->vars, (d->n_vars + 1) * sizeof *d->vars);
            d->vars[d->n_vars].key = xstrdup(key);
            d->vars[d->n_vars].value = xstrdup(value);
            d->n_vars++;
        }
    }
    return 1;
}

static int on_item(void *user, const struct ini_item *it, char **err)
{
    struct load *l = user;
    if (it->kind == INI_SECTION) {
        /* A section header seen before: the two would merge silently. */
        for (size_t i = 0; i < l->set->count; i++)
            if (strcmp(l->set->defs[i].id, it->section) == 0) {
                set_err(err, _("%s:%d: check [%s] is defined twice"), it->path, it->line,
                        it->section);
                return -1;
            }
        return 0;
    }
    if (!on_pair(l, it->section, it->key, it->value, it->line, it->continued)) {
        *err = l->err;
        l->err = NULL;
        return -1;
    }
    return 0;
}

static void def_free(struct check_def *d)
{
    free(d->id);
    free(d->name);
    free(d->template_code);
    free(d->roles);
    free(d->hosts);
    free(d->os);
    free(d->command);
    free(d->pattern);
    for (size_t i = 0; i < d->n_conds; i++)
        free(d->conds[i].var);
    free(d->conds);
    for (size_t i = 0; i < d->n_warns; i++)
        free(d->warns[i].var);
    free(d->warns);
    for (size_t i = 0; i < d->n_crits; i++)
        free(d->crits[i].var);
    free(d->crits);
    free(d->value_var);
    free(d->label_var);
    free(d->unit);
    free(d->metric);
    free(d->severity);
    for (size_t i = 0; i < d->n_vars; i++) {
        free(d->vars[i].key);
        free(d->vars[i].value);
    }
    free(d->vars);
    free(d->file);
    if (d->re)
        pcre2_code_free(d->re);
}

void checks_free(struct check_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        def_free(&set->defs[i]);
    free(set->defs);
    set->defs = NULL;
    set->count = 0;
}

static int group_exists(pcre2_code *re, const char *name)
{
    return pcre2_substring_number_from_name(re, (PCRE2_SPTR)name) > 0;
}

static int validate(struct check_def *d, char **err)
{
    const char *missing = !d->template_code ? "template"
                          : !d->command     ? "command"
                          : !d->pattern     ? "pattern"
                                            : NULL;
    if (missing) {
        set_err(err, _("%s:%d: check [%s] needs %s"), d->file, d->line, d->id, missing);
        return -1;
    }
    if (d->service_hours && !d->interval_s) {
        set_err(err, _("%s:%d: check [%s] has hours = service but no interval"), d->file, d->line,
                d->id);
        return -1;
    }
    if (!d->name)
        d->name = xstrdup(d->id);
    if (!d->severity)
        d->severity = xstrdup("warning");
    int ec;
    PCRE2_SIZE off;
    d->re = pcre2_compile((PCRE2_SPTR)d->pattern, PCRE2_ZERO_TERMINATED,
                          PCRE2_MULTILINE | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
    if (!d->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        set_err(err, _("%s:%d: check [%s]: bad pattern at offset %zu: %s"), d->file, d->line, d->id,
                (size_t)off, (const char *)msg);
        return -1;
    }
    const char *need[3] = {d->value_var, d->label_var, NULL};
    const struct check_cond *lists[3] = {d->conds, d->warns, d->crits};
    const size_t counts[3] = {d->n_conds, d->n_warns, d->n_crits};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < counts[k]; i++)
            if (!group_exists(d->re, lists[k][i].var)) {
                set_err(err,
                        _("%s:%d: check [%s]: the condition uses %s, which the pattern does not "
                          "capture (write (?<%s>...))"),
                        d->file, d->line, d->id, lists[k][i].var, lists[k][i].var);
                return -1;
            }
    for (int i = 0; need[i] || i < 2; i++)
        if (need[i] && !group_exists(d->re, need[i])) {
            set_err(err, _("%s:%d: check [%s]: the pattern has no capture named %s"), d->file,
                    d->line, d->id, need[i]);
            return -1;
        }
    return 0;
}

int checks_load_file(const char *path, struct check_set *set, char **err)
{
    struct load l = {set, path, set->count, NULL, NULL, NULL};
    /* " ;" starts a comment; an indented line continues the key above. */
    int rc = ini_read_file(path, INI_OPT_CLASSIC, on_item, &l, NULL, err);
    free(l.last_section);
    free(l.last_key);
    free(l.err);
    for (size_t i = l.first; rc == 0 && i < set->count; i++)
        if (validate(&set->defs[i], err) != 0)
            rc = -1;
    if (rc != 0) {
        for (size_t i = l.first; i < set->count; i++)
            def_free(&set->defs[i]);
        set->count = l.first;
        if (set->count == 0) {
            free(set->defs);
            set->defs = NULL;
        }
    }
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int checks_load(const char *where, struct check_set *set, char **err)
{
    struct stat sb;
    if (where && stat(where, &sb) == 0 && S_ISREG(sb.st_mode))
        return checks_load_file(where, set, err);
    return checks_load_dir(where, set, err);
}

int checks_load_dir(const char *dir, struct check_set *set, char **err)
{
    char *d = dir ? xstrdup(dir) : paths_find_data(NULL, "checks");
    if (!d) {
        set_err(err, "%s", _("no checks directory (~/.config/unyo/checks or DATADIR/checks)"));
        return -1;
    }
    DIR *dh = opendir(d);
    if (!dh) {
        set_err(err, _("cannot read %s: %s"), d, strerror(errno));
        free(d);
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".ini") == 0) {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = xasprintf("%s/%s", d, e->d_name);
        }
    }
    closedir(dh);
    if (n) /* no .ini file: names is NULL, and qsort(NULL, ...) is undefined */
        qsort(names, n, sizeof *names, by_name);
    size_t before = set->count;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && checks_load_file(names[i], set, err) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    free(d);
    if (rc != 0) {
        for (size_t i = before; i < set->count; i++)
            def_free(&set->defs[i]);
        set->count = before;
        if (set->count == 0) {
            free(set->defs);
            set->defs = NULL;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- evaluation */

static int evaluate(const struct check_def *d, const char *output, size_t len, int exit_status,
                    const char *stderr_text, struct check_outcome *out);

/* The reason quotes server output: it is kept as valid UTF-8 on one line with
 * no control characters (escaped visibly), whatever the server sent. */
int check_evaluate(const struct check_def *d, const char *output, size_t len, int exit_status,
                   const char *stderr_text, struct check_outcome *out, char **err)
{
    (void)err;
    evaluate(d, output ? output : "", output ? len : 0, exit_status, stderr_text, out);
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, out->detail ? out->detail : "", 0);
    free(out->detail);
    out->detail = sb_detach(&sb);
    return 0;
}

void check_outcome_clear(struct check_outcome *o)
{
    free(o->detail);
    memset(o, 0, sizeof *o);
}

static int cond_holds(const struct check_cond *c, double v)
{
    switch (c->op) {
    case CHECK_LT:
        return v < c->value;
    case CHECK_LE:
        return v <= c->value;
    case CHECK_GT:
        return v > c->value;
    case CHECK_GE:
        return v >= c->value;
    case CHECK_EQ:
        return v == c->value;
    case CHECK_NE:
        return v != c->value;
    }
    return 0;
}

static const char *op_text(enum check_op op)
{
    static const char *const t[] = {"<", "<=", ">", ">=", "==", "!="};
    return t[op];
}

char *check_conds_text(const struct check_cond *c, size_t n)
{
    if (!n)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        char num[64];
        check_format_value(c[i].value, num, sizeof num);
        sb_printf(&sb, "%s%s %s %s", i ? ", " : "", c[i].var, op_text(c[i].op), num);
    }
    return sb_detach(&sb);
}

/* The named capture of the current match as a string (malloc'd), or NULL. */
static char *capture(pcre2_match_data *md, const char *name)
{
    PCRE2_UCHAR *buf = NULL;
    PCRE2_SIZE len;
    if (pcre2_substring_get_byname(md, (PCRE2_SPTR)name, &buf, &len) != 0)
        return NULL;
    char *s = xstrndup((const char *)buf, len);
    pcre2_substring_free(buf);
    return s;
}

static int parse_num(const char *s, double *v)
{
    if (!s || !*s)
        return -1;
    char *end;
    *v = strtod(s, &end);
    return *end == '\0' && isfinite(*v) ? 0 : -1;
}

void check_format_value(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.6g", v);
}

static char *first_line(const char *s)
{
    if (!s)
        return xstrdup("");
    while (*s == '\n')
        s++;
    size_t n = strcspn(s, "\n");
    if (n > 200)
        n = 200;
    return xstrndup(s, n);
}

static int evaluate(const struct check_def *d, const char *output, size_t len, int exit_status,
                    const char *stderr_text, struct check_outcome *out)
{
    memset(out, 0, sizeof *out);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(d->re, NULL);
    struct strbuf why = STRBUF_INIT, why_warn = STRBUF_INIT;
    int level = CHECK_LEVEL_OK;
    size_t matches = 0, failed = 0;
    double agg = 0;
    int have_agg = 0;
    PCRE2_SIZE start = 0;
    /* A server's output must not keep a check run busy for minutes on a pattern
     * that backtracks: bounded work, and a limit hit is said, not a silent miss. */
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(mc, 1000000);
    pcre2_set_depth_limit(mc, 100000);
    int gave_up = 0;
    while (start <= len) {
        int rc = pcre2_match(d->re, (PCRE2_SPTR)output, len, start, 0, md, mc);
        if (rc < 0) {
            gave_up = rc != PCRE2_ERROR_NOMATCH;
            break;
        }
        matches++;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        char *label = d->label_var ? capture(md, d->label_var) : NULL;
        /* This match's level: conditions and crits first (CRIT), then warns. */
        int lv = CHECK_LEVEL_OK;
        const struct check_cond *lists[3] = {d->conds, d->crits, d->warns};
        const size_t counts[3] = {d->n_conds, d->n_crits, d->n_warns};
        for (int k = 0; k < 3; k++) {
            int at = k < 2 ? CHECK_LEVEL_CRIT : CHECK_LEVEL_WARN;
            if (lv == CHECK_LEVEL_CRIT && at == CHECK_LEVEL_WARN)
                break;
            for (size_t i = 0; i < counts[k]; i++) {
                const struct check_cond *c = &lists[k][i];
                char *txt = capture(md, c->var);
                double v;
                int bad_num = parse_num(txt, &v) != 0;
                /* A condition is the OK side; warn and crit the problem side. */
                int hit = bad_num || (k == 0 ? !cond_holds(c, v) : cond_holds(c, v));
                if (hit) {
                    struct strbuf *w = bad_num || at == CHECK_LEVEL_CRIT ? &why : &why_warn;
                    if (w->len)
                        sb_puts(w, "; ");
                    if (label)
                        sb_printf(w, "%s: ", label);
                    if (bad_num)
                        sb_printf(w, _("%s is not a number (\"%s\")"), label_check_var(c->var),
                                  txt ? txt : "");
                    else if (k == 0)
                        sb_printf(w, _("%s=%s (limit: %s %s %g)"), label_check_var(c->var), txt,
                                  label_check_var(c->var), op_text(c->op), c->value);
                    else
                        sb_printf(w,
                                  k == 1 ? _("%s=%s (critical: %s %s %g)")
                                         : _("%s=%s (warning: %s %s %g)"),
                                  label_check_var(c->var), txt, label_check_var(c->var),
                                  op_text(c->op), c->value);
                    if (bad_num || at > lv)
                        lv = bad_num ? CHECK_LEVEL_CRIT : at;
                }
                free(txt);
            }
        }
        if (lv > level)
            level = lv;
        if (lv != CHECK_LEVEL_OK)
            failed++;
        if (d->value_var) {
            char *txt = capture(md, d->value_var);
            double v;
            if (parse_num(txt, &v) == 0) {
                if (!have_agg || (d->aggregate == 0 && v > agg) || (d->aggregate == 1 && v < agg))
                    agg = v;
                have_agg = 1;
            }
            free(txt);
        }
        free(label);
        if (!d->each)
            break;
        PCRE2_SIZE next = ov[1];
        if (ov[1] == ov[0])
            next++;
        start = next;
    }
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    out->has_value = have_agg;
    if (gave_up) {
        out->ok = 0;
        out->level = CHECK_LEVEL_CRIT;
        out->detail = xstrdup(_("the pattern could not be matched against the output (match "
                                "limit reached)"));
        sb_free(&why);
        sb_free(&why_warn);
        return 0;
    }
    out->value = agg;
    if (matches == 0) {
        /* The server's own words, quoted and labelled as its output: in the
         * Japanese UI they read as evidence, not as an untranslated message. */
        char *line = first_line(stderr_text && *stderr_text ? stderr_text : output);
        if (exit_status != 0)
            out->detail = xasprintf(_("the command failed (exit status %d); output: \"%s\""),
                                    exit_status, line);
        else
            out->detail =
                xasprintf(_("the output did not match the pattern; output: \"%s\""), line);
        free(line);
        out->ok = 0;
        out->level = CHECK_LEVEL_CRIT;
        sb_free(&why);
        sb_free(&why_warn);
        return 0;
    }
    out->level = failed == 0 ? CHECK_LEVEL_OK : level;
    out->ok = out->level == CHECK_LEVEL_OK;
    if (out->level == CHECK_LEVEL_CRIT) {
        out->detail = sb_detach(&why);
        sb_free(&why_warn);
    } else if (out->level == CHECK_LEVEL_WARN) {
        out->detail = sb_detach(&why_warn);
        sb_free(&why);
    } else {
        sb_free(&why);
        sb_free(&why_warn);
        if (have_agg) {
            char num[64];
            check_format_value(agg, num, sizeof num);
            out->detail = xasprintf("%s=%s%s%s", label_check_var(d->value_var), num,
                                    d->unit ? " " : "", d->unit ? d->unit : "");
        } else
            out->detail = xstrdup(_("passed"));
        if (d->each && matches > 1) {
            char *n = xasprintf(_("%s (%zu items)"), out->detail, matches);
            free(out->detail);
            out->detail = n;
        }
    }
    return 0;
}

/* Globs with ! negation; a list of only negations selects everything else. */
static int glob_list_match(const char *list, const char *value)
{
    if (!list || !*list)
        return 1;
    char *copy = xstrdup(list);
    char *save = NULL;
    int positives = 0, hit = 0, excluded = 0;
    for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
        if (t[0] == '!') {
            if (ssh_pattern_match(t + 1, value ? value : ""))
                excluded = 1;
        } else {
            positives++;
            if (ssh_pattern_match(t, value ? value : ""))
                hit = 1;
        }
    }
    free(copy);
    return !excluded && (positives == 0 || hit);
}

int check_selects(const struct check_def *d, const char *name, const char *role, const char *os)
{
    return glob_list_match(d->roles, role) && glob_list_match(d->hosts, name) &&
           glob_list_match(d->os, os);
}

static void shell_quote(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_puts(sb, "'\\''");
        else
            sb_putc(sb, *s);
    }
    sb_putc(sb, '\'');
}

char *check_command(const struct check_def *d, int64_t since_unix)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = d->command; *p; p++) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close) {
                size_t n = (size_t)(close - p - 1);
                if (n == 5 && strncmp(p + 1, "since", 5) == 0) {
                    sb_printf(&sb, "%lld", (long long)since_unix);
                    p = close;
                    continue;
                }
                int found = 0;
                for (size_t i = 0; i < d->n_vars; i++)
                    if (strlen(d->vars[i].key) == n && strncmp(p + 1, d->vars[i].key, n) == 0) {
                        shell_quote(&sb, d->vars[i].value);
                        found = 1;
                        break;
                    }
                if (found) {
                    p = close;
                    continue;
                }
            }
        }
        sb_putc(&sb, *p);
    }
    return sb_detach(&sb);
}

/* ---------------------------------------------------------------- running */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct slot {
    struct host *h;
    size_t *checks; /* indexes into set */
    size_t n, cur;
    struct ssh_conn *c;
    int64_t started, deadline;
    int done, sent;
    int conn_failed; /* the host could not be reached (a down parent: host_deps.h) */
    char nonce[16];
    const char *trust_fp; /* an unknown key with this fingerprint is trusted */
    char *pool_key;       /* the kept connection's key (o->pool) */
    int reused;           /* sl->c was kept from an earlier round */
    int redial;           /* the kept connection is dead: connect again */
    int64_t reuse_by;     /* a kept connection's command must have started by then */
};

/* A kept connection whose command has not started within this long is taken for
 * dead (a firewall that forgot it answers nothing): the host is connected again. */
#define REUSE_START_MS 5000

static void add_result(struct check_report *rep, const struct slot *sl, const struct check_def *d,
                       int ok, const struct check_outcome *o, const char *detail, const char *raw,
                       int64_t elapsed)
{
    rep->results = xrealloc(rep->results, (rep->count + 1) * sizeof *rep->results);
    struct check_result *r = &rep->results[rep->count++];
    memset(r, 0, sizeof *r);
    memcpy(r->host_id, sl->h->id, sizeof r->host_id);
    r->host = xstrdup(sl->h->name);
    r->check_id = xstrdup(d->id);
    r->check_name = xstrdup(d->name);
    r->template_code = xstrdup(d->template_code);
    r->severity = xstrdup(d->severity);
    r->ok = ok > 0;
    r->skipped = ok < 0;
    r->level = ok > 0 ? CHECK_LEVEL_OK : o && o->level ? o->level : CHECK_LEVEL_CRIT;
    r->has_value = o ? o->has_value : 0;
    r->value = o ? o->value : 0;
    r->unit = d->unit ? xstrdup(d->unit) : NULL;
    if (host_is_local(sl->h)) {
        /* Said with the result, so nobody takes a demo host's OK for a server's. */
        char *d = xasprintf(_("%s (ran on this machine: demo host)"), detail ? detail : "");
        r->detail = utf8_repair(d, strlen(d));
        free(d);
    } else {
        r->detail = utf8_repair(detail ? detail : "", detail ? strlen(detail) : 0);
    }
    r->raw_output = raw ? utf8_repair(raw, strlen(raw)) : NULL;
    r->elapsed_ms = elapsed;
    r->order = sl->checks[sl->cur];
    r->conn_failed = ok == 0 && sl->conn_failed;
    if (ok == 0)
        rep->ng++;
    if (ok == 0 && r->level == CHECK_LEVEL_WARN)
        rep->warn++;
    else if (ok < 0)
        rep->skipped++;
}

/* The slot's remaining checks cannot run (connection failed, timeout): each is
 * NG with the full reason. A check that could not run did not pass: that is the
 * check run's finding, not an operator's decision to skip. */
static void fail_rest(struct check_report *rep, struct slot *sl, const struct check_set *set,
                      const char *msg)
{
    for (; sl->cur < sl->n; sl->cur++)
        add_result(rep, sl, &set->defs[sl->checks[sl->cur]], 0, NULL, msg, NULL,
                   mono_ms() - sl->started);
    sl->done = 1;
}

/* "unreachable: host key unknown: <the connection's full message>". */
static char *unreachable(const struct ssh_conn *c, const char *msg)
{
    const char *why;
    switch (c ? ssh_conn_fail_kind(c) : SSH_FAIL_CONFIG) {
    case SSH_FAIL_HOSTKEY_UNKNOWN:
        why = _("host key unknown");
        break;
    case SSH_FAIL_HOSTKEY_CHANGED:
        why = _("host key changed");
        break;
    case SSH_FAIL_TIMEOUT:
        why = _("timeout");
        break;
    case SSH_FAIL_REFUSED:
        why = _("connection refused");
        break;
    case SSH_FAIL_RESOLVE:
        why = _("name not found");
        break;
    case SSH_FAIL_AUTH:
        why = _("authentication failed");
        break;
    case SSH_FAIL_CONFIG:
        why = _("no usable SSH configuration");
        break;
    case SSH_FAIL_LOST:
        why = _("connection lost");
        break;
    default:
        why = _("connection failed");
        break;
    }
    return xasprintf(_("unreachable: %s: %s"), why, msg ? msg : "");
}

static int64_t last_run(struct store *st, const char *host_id, const char *check_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT max(at) FROM checklist_events WHERE host_id = ?1 "
                                     "AND note = ?2 AND source = 'check'");
    bind_text(s, 1, host_id);
    char *note = xasprintf("check=%s", check_id);
    bind_text(s, 2, note);
    int64_t ms = 0;
    if (sqlite3_step(s) == SQLITE_ROW && col_text(s, 0) && time_parse(col_text(s, 0), &ms) == 0) {
        /* found */
    } else {
        ms = time_now_ms() - 24LL * 3600 * 1000;
    }
    sqlite3_reset(s);
    free(note);
    return ms / 1000;
}

static char *raw_text(const struct ssh_result *r)
{
    struct strbuf sb = STRBUF_INIT;
    size_t n = r->out_len < RAW_OUTPUT_CAP ? r->out_len : RAW_OUTPUT_CAP;
    sb_add(&sb, r->out, n);
    if (r->err_len) {
        sb_puts(&sb, "\n[stderr]\n");
        sb_add(&sb, r->err, r->err_len < 4096 ? r->err_len : 4096);
    }
    /* NULs would cut the stored text short. */
    for (size_t i = 0; i < sb.len; i++)
        if (sb.buf[i] == '\0')
            sb.buf[i] = ' ';
    return sb_detach(&sb);
}

/* All of a host's checks go in one script (one channel, one shell): each
 * check's output sits between markers carrying a random nonce, so a server's
 * output cannot fake another check's result. */
static char *batch_script(struct store *st, struct slot *sl, const struct check_set *set)
{
    struct strbuf sb = STRBUF_INIT;
    char id[ID_LEN + 1];
    id_new(id);
    snprintf(sl->nonce, sizeof sl->nonce, "%.8s%.4s", id + 24, id + 19);
    for (size_t i = 0; i < sl->n; i++) {
        const struct check_def *d = &set->defs[sl->checks[i]];
        char *cmd = check_command(d, last_run(st, sl->h->id, d->id));
        sb_printf(&sb, "printf '\\n@@unyo:%s:%zu:begin@@\\n'\n(\n%s\n) </dev/null 2>&1\n",
                  sl->nonce, i, cmd);
        sb_printf(&sb, "printf '\\n@@unyo:%s:%zu:end:%%d@@\\n' \"$?\"\n", sl->nonce, i);
        free(cmd);
    }
    return sb_detach(&sb);
}

static void start_batch(struct store *st, struct slot *sl, const struct check_set *set)
{
    char *script = batch_script(st, sl, set);
    int64_t left = sl->deadline - mono_ms();
    ssh_conn_exec(sl->c, script, COMMAND_OUTPUT_CAP * 4, left > 1 ? (int)left : 1);
    free(script);
    sl->sent = 1;
}

static void finish_batch(struct slot *sl, const struct check_set *set, struct check_report *rep,
                         const struct ssh_result *r);

/* A host with transport 'local' (the demo's): the same script, run on this machine with
 * sh -c (job_exec_local), never a connection. */
static void run_batch_local(struct store *st, struct slot *sl, const struct check_set *set,
                            struct check_report *rep)
{
    char *script = batch_script(st, sl, set);
    int64_t left = sl->deadline - mono_ms();
    struct job_exec_result jr;
    int64_t t0 = mono_ms();
    int rc = job_exec_local(NULL, sl->h, script, left > 1000 ? (int)(left / 1000) : 1,
                            COMMAND_OUTPUT_CAP * 4, &jr);
    free(script);
    sl->sent = 1;
    if (rc != 0) {
        char *m = xasprintf(_("could not run on this machine: %s"), jr.error ? jr.error : "?");
        fail_rest(rep, sl, set, m);
        free(m);
    } else {
        struct ssh_result r = {0};
        r.out = jr.output ? jr.output : "";
        r.out_len = jr.output_len;
        r.exit_status = jr.exit_status;
        r.truncated = jr.truncated;
        r.elapsed_ms = mono_ms() - t0;
        finish_batch(sl, set, rep, &r);
    }
    job_exec_result_free(&jr);
}

/* Splits the batch output and evaluates each check. */
static void finish_batch(struct slot *sl, const struct check_set *set, struct check_report *rep,
                         const struct ssh_result *r)
{
    for (; sl->cur < sl->n; sl->cur++) {
        const struct check_def *d = &set->defs[sl->checks[sl->cur]];
        char begin[64], endp[64];
        snprintf(begin, sizeof begin, "\n@@unyo:%s:%zu:begin@@\n", sl->nonce, sl->cur);
        snprintf(endp, sizeof endp, "\n@@unyo:%s:%zu:end:", sl->nonce, sl->cur);
        const char *b = memmem(r->out, r->out_len, begin, strlen(begin));
        const char *e = b ? memmem(b, r->out_len - (size_t)(b - r->out), endp, strlen(endp)) : NULL;
        if (!b || !e) {
            char *m = r->truncated ? xstrdup(_("no result: the output of the checks was too large"))
                                   : xasprintf(_("no result: the checks stopped early (exit "
                                                 "status %d)"),
                                               r->exit_status);
            add_result(rep, sl, d, 0, NULL, m, NULL, r->elapsed_ms);
            free(m);
            continue;
        }
        b += strlen(begin);
        int status = atoi(e + strlen(endp));
        size_t len = (size_t)(e - b);
        char *text = xstrndup(b, len);
        struct check_outcome o;
        check_evaluate(d, text, len, status, NULL, &o, NULL);
        struct ssh_result one = {0};
        one.out = text;
        one.out_len = len;
        char *raw = raw_text(&one);
        add_result(rep, sl, d, o.ok, &o, o.detail, raw, r->elapsed_ms);
        free(raw);
        free(text);
        check_outcome_clear(&o);
    }
    sl->done = 1;
}

/* Remembers a host whose key is unknown, so a console can offer to trust it. */
static void note_hostkey(struct check_report *rep, const struct slot *sl, const char *fp,
                         const char *type)
{
    rep->unknown_keys =
        xrealloc(rep->unknown_keys, (rep->n_unknown_keys + 1) * sizeof *rep->unknown_keys);
    struct check_hostkey *k = &rep->unknown_keys[rep->n_unknown_keys++];
    k->host = xstrdup(sl->h->name);
    k->fingerprint = xstrdup(fp);
    k->type = xstrdup(type ? type : "");
}

/* A failure that says the host is not there (a down parent for its children), not
 * one of its keys or accounts. */
static int host_down_kind(enum ssh_fail k)
{
    return k != SSH_FAIL_HOSTKEY_UNKNOWN && k != SSH_FAIL_HOSTKEY_CHANGED && k != SSH_FAIL_AUTH &&
           k != SSH_FAIL_CONFIG;
}

/* Advances one host as far as it goes without blocking. */
static void drive(struct store *st, struct slot *sl, const struct check_set *set,
                  struct check_report *rep)
{
    for (int guard = 0; guard < 100 && !sl->done; guard++) {
        if (mono_ms() >= sl->deadline) {
            char *m = sl->sent ? xasprintf(_("timeout: %s: no result within the host timeout"),
                                           ssh_conn_label(sl->c))
                               : xasprintf(_("unreachable: timeout: %s: not connected within the "
                                             "host timeout"),
                                           ssh_conn_label(sl->c));
            sl->conn_failed = !sl->sent;
            fail_rest(rep, sl, set, m);
            free(m);
            return;
        }
        enum ssh_state s = ssh_conn_step(sl->c);
        /* A kept connection that fails before its command starts died while it
         * waited: not the host's fault, so connect again (once) instead of NG. */
        if (sl->reused && !ssh_conn_exec_opened(sl->c) &&
            (s == SSH_FAILED || mono_ms() >= sl->reuse_by)) {
            sl->redial = 1;
            return;
        }
        if (s == SSH_FAILED) {
            if (ssh_conn_fail_kind(sl->c) == SSH_FAIL_HOSTKEY_UNKNOWN &&
                ssh_conn_fingerprint(sl->c))
                note_hostkey(rep, sl, ssh_conn_fingerprint(sl->c), ssh_conn_hostkey_type(sl->c));
            char *m = unreachable(sl->c, ssh_conn_error(sl->c));
            sl->conn_failed = !sl->sent && host_down_kind(ssh_conn_fail_kind(sl->c));
            fail_rest(rep, sl, set, m);
            free(m);
            return;
        }
        if (s == SSH_NEEDS_CONFIRM) {
            /* Only the very key the operator was shown and confirmed. */
            const char *fp = ssh_conn_fingerprint(sl->c);
            ssh_conn_confirm_hostkey(sl->c, sl->trust_fp && fp && streq(fp, sl->trust_fp));
            continue;
        }
        if (s == SSH_READY && !sl->sent) {
            start_batch(st, sl, set);
            continue;
        }
        if (s == SSH_EXEC_DONE) {
            struct ssh_result r;
            ssh_conn_take_result(sl->c, &r);
            finish_batch(sl, set, rep, &r);
            ssh_result_free(&r);
            return;
        }
        return; /* waiting for the network */
    }
}

static int by_host_then_order(const void *a, const void *b)
{
    const struct check_result *x = a, *y = b;
    int c = strcmp(x->host, y->host);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The actor check results are recorded by: an inactive operator row every store
 * makes for itself (name-derived id, so stores merge), never a person. */
static int check_actor(struct store *st, char id[ID_LEN + 1], char **err)
{
    id_for_name(id, "operator", CHECKLIST_CHECK_ACTOR);
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *s =
        store_stmt(st, "INSERT INTO operators(id, login, name, role, active, created_at, "
                       "updated_at, hlc, origin) SELECT ?1, ?2, 'check run', 'operator', 0, ?3, "
                       "?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM operators WHERE id = ?1)");
    bind_text(s, 1, id);
    bind_text(s, 2, CHECKLIST_CHECK_ACTOR);
    bind_text(s, 3, at);
    bind_int(s, 4, store_hlc_next(st));
    bind_text(s, 5, st->origin);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("recording a check result"));
    return 0;
}

/* Every NG opens (or adds to) its incident draft, in the run's transaction. A
 * draft that cannot be made (no library in the store, a bad sla.ini) never costs
 * the results: it is undone alone (a savepoint) and said in the result. */
static int raise_incidents(struct store *st, struct check_report *rep, char **err)
{
    if (!rep->ng)
        return 0;
    char *why = NULL;
    struct sla *sla = sla_load(NULL, NULL, &why);
    for (size_t i = 0; i < rep->count; i++) {
        struct check_result *r = &rep->results[i];
        /* A WARN is shown and counted, never a draft: only a CRIT is today's NG. */
        if (r->ok || r->skipped || !r->event_id[0] || r->acked || r->flap_held ||
            r->downtime_id[0] || r->unreachable_via || r->level == CHECK_LEVEL_WARN)
            continue;
        if (!sla) {
            r->incident_error = xstrdup(why ? why : "");
            continue;
        }
        if (store_exec(st, "SAVEPOINT check_draft", err) != 0) {
            sla_free(sla);
            free(why);
            return -1;
        }
        struct checklist_incident ci;
        char *e = NULL;
        if (checklist_ng_incident_in_tx(st, sla, r->event_id, &ci, &e) == 0) {
            snprintf(r->incident_ref, sizeof r->incident_ref, "%s", ci.ref);
            r->incident_created = ci.created;
            if (store_exec(st, "RELEASE check_draft", err) != 0) {
                sla_free(sla);
                free(why);
                return -1;
            }
        } else {
            r->incident_error = e ? e : xstrdup("?");
            if (store_exec(st, "ROLLBACK TO check_draft", err) != 0 ||
                store_exec(st, "RELEASE check_draft", err) != 0) {
                sla_free(sla);
                free(why);
                return -1;
            }
        }
    }
    sla_free(sla);
    free(why);
    return 0;
}

/* ---- dependencies (host_deps.h) ---- */

/* The host's latest check result was a connection failure (a parent not checked
 * in this round that is still down). */
static int latest_conn_failed(struct store *st, const char *host_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT conn_failed FROM checklist_events WHERE host_id = ?1 "
                                     "AND source = 'check' ORDER BY at DESC, id DESC LIMIT 1");
    bind_text(s, 1, host_id);
    int down = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 1;
    sqlite3_reset(s);
    return down;
}

/* Marks the NG results of every host whose parents are all down unreachable via
 * them, and gives the first NG result of each root parent (down, not itself
 * unreachable) the hosts behind it, for its draft. Parents are evaluated after
 * the round, so the order hosts were checked in does not matter; a host
 * unreachable itself is a down parent for its own children. */
static int settle_parents(struct store *st, struct check_report *rep, char **err)
{
    struct host *hosts;
    size_t nh;
    if (host_list(st, &hosts, &nh, err) != 0)
        return -1;
    int any = 0;
    for (size_t i = 0; i < nh && !any; i++)
        any = hosts[i].parents != NULL;
    if (!any) {
        host_list_free(hosts, nh);
        return 0;
    }
    struct host_dep *g = xcalloc(nh, sizeof *g);
    int *down = xcalloc(nh, sizeof *down);
    int *in_round = xcalloc(nh, sizeof *in_round);
    int *unr = xcalloc(nh, sizeof *unr);
    for (size_t i = 0; i < nh; i++)
        g[i] = (struct host_dep){hosts[i].id, hosts[i].name, hosts[i].parents};
    for (size_t k = 0; k < rep->count; k++) {
        size_t i = host_deps_find(g, nh, rep->results[k].host_id);
        if (i == (size_t)-1)
            continue;
        in_round[i] = 1;
        down[i] |= rep->results[k].conn_failed;
    }
    /* A parent not checked now: as its latest result says. Asked only of the
     * parents of a host that failed in the round (one query each). */
    unsigned char *asked = xcalloc(nh, 1);
    for (size_t k = 0; k < rep->count; k++) {
        const struct check_result *r = &rep->results[k];
        size_t i = r->ok ? (size_t)-1 : host_deps_find(g, nh, r->host_id);
        if (i == (size_t)-1 || !g[i].parents)
            continue;
        char *list = xstrdup(g[i].parents);
        for (char *tok = strtok(list, ", \t"); tok; tok = strtok(NULL, ", \t")) {
            size_t p = host_deps_find(g, nh, tok);
            if (p != (size_t)-1 && !in_round[p] && !asked[p]) {
                asked[p] = 1;
                down[p] = latest_conn_failed(st, hosts[p].id);
            }
        }
        free(list);
    }
    free(asked);
    for (size_t k = 0; k < rep->count; k++) {
        struct check_result *r = &rep->results[k];
        size_t i = host_deps_find(g, nh, r->host_id);
        char *via = NULL;
        if (r->ok || r->skipped || i == (size_t)-1 || !host_deps_all_down(g, nh, i, down, &via))
            continue;
        r->unreachable_via = via;
        unr[i] = 1;
        rep->ng--;
        rep->warn -= r->level == CHECK_LEVEL_WARN; /* rep->warn counts within rep->ng */
        rep->unreachable++;
    }
    /* The roots each unreachable host hangs from: walk up through unreachable parents. */
    struct strbuf *kids = xcalloc(nh, sizeof *kids);
    unsigned char *seen = xcalloc(nh, 1);
    size_t *stack = xcalloc(nh, sizeof *stack);
    /* A host no down root stands behind (parents in a cycle two consoles made, each
     * down through the other) keeps its NG, so that some draft is raised. */
    unsigned char *rooted = xcalloc(nh, 1);
    for (size_t u = 0; u < nh; u++) {
        if (!unr[u])
            continue;
        memset(seen, 0, nh);
        size_t top = 0;
        stack[top++] = u;
        seen[u] = 1;
        while (top) {
            size_t j = stack[--top];
            char *list = xstrdup(g[j].parents ? g[j].parents : "");
            for (char *tok = strtok(list, ", \t"); tok; tok = strtok(NULL, ", \t")) {
                size_t p = host_deps_find(g, nh, tok);
                if (p == (size_t)-1 || seen[p] || !down[p])
                    continue;
                seen[p] = 1;
                if (unr[p]) {
                    stack[top++] = p;
                } else {
                    sb_printf(&kids[p], "%s%s", kids[p].len ? "," : "", g[u].name);
                    rooted[u] = 1;
                }
            }
            free(list);
        }
    }
    for (size_t k = 0; k < rep->count; k++) {
        struct check_result *r = &rep->results[k];
        size_t i = r->unreachable_via ? host_deps_find(g, nh, r->host_id) : (size_t)-1;
        if (i != (size_t)-1 && !rooted[i]) {
            free(r->unreachable_via);
            r->unreachable_via = NULL;
            rep->ng++;
            rep->warn += r->level == CHECK_LEVEL_WARN;
            rep->unreachable--;
        }
    }
    free(rooted);
    for (size_t i = 0; i < nh; i++) {
        if (!kids[i].len)
            continue;
        for (size_t k = 0; k < rep->count; k++) {
            struct check_result *r = &rep->results[k];
            if (!r->ok && !r->unreachable_via && streq(r->host_id, g[i].id)) {
                r->children = xstrdup(kids[i].buf);
                break;
            }
        }
        sb_free(&kids[i]);
    }
    free(kids);
    free(seen);
    free(stack);
    free(g);
    free(down);
    free(in_round);
    free(unr);
    host_list_free(hosts, nh);
    return 0;
}

/* The draft of a parent's NG names the hosts unreachable through it. */
static int note_children(struct store *st, struct check_report *rep, char **err)
{
    for (size_t i = 0; i < rep->count; i++) {
        struct check_result *r = &rep->results[i];
        if (!r->children || !r->incident_ref[0])
            continue;
        sqlite3_stmt *q =
            store_stmt(st, "SELECT i.id FROM incidents i JOIN links l ON l.to_id = i.id "
                           "WHERE l.from_kind = 'checklist_event' AND l.from_id = ?1 AND "
                           "l.to_kind = 'incident' AND l.deleted = 0 LIMIT 1");
        bind_text(q, 1, r->event_id);
        char iid[ID_LEN + 1] = "";
        if (sqlite3_step(q) == SQLITE_ROW)
            snprintf(iid, sizeof iid, "%s", col_text(q, 0));
        sqlite3_reset(q);
        if (!iid[0])
            continue;
        char *note = xasprintf(_("Unreachable through %s, so no draft of their own: %s"), r->host,
                               r->children);
        sqlite3_stmt *s = store_stmt(
            st, "INSERT INTO incident_events(id, incident_id, kind, note, data, operator_id, at, "
                "hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        int rc = ledger_insert_event(st, s, iid, "note", note, NULL, time_now_ms());
        sqlite3_reset(s);
        free(note);
        if (rc != 0)
            return store_fail(st, err, _("recording an incident event"));
    }
    return 0;
}

static int record_in_tx(struct store *st, struct check_report *rep, char **err);

/* Acknowledgements (check_ack.h): an OK ends the check's on the host; an NG that one
 * holds (not expired) is marked so and opens no draft. In the run's transaction. */
static int settle_acks(struct store *st, struct check_report *rep, char **err)
{
    int64_t now = time_now_ms();
    for (size_t i = 0; i < rep->count; i++) {
        struct check_result *r = &rep->results[i];
        if (!r->event_id[0] || r->skipped)
            continue;
        if (r->ok) {
            if (check_ack_recovered_in_tx(st, r->host_id, r->check_id, now, err) != 0)
                return -1;
            continue;
        }
        /* An acknowledgement "until worse" made at WARN ends when the check is CRIT:
         * audited, and the result raises its draft as a new problem would. */
        /* Not in a downtime nor unreachable via a parent: there a CRIT opens no draft, so
         * the ack stays until one can. */
        if (r->level == CHECK_LEVEL_CRIT && !r->downtime_id[0] && !r->unreachable_via) {
            int dropped = 0;
            if (check_ack_worse_in_tx(st, r->host_id, r->check_id, CHECK_LEVEL_CRIT, now, &dropped,
                                      err) != 0)
                return -1;
            r->ack_dropped = dropped;
        }
        struct check_ack_info a;
        int rc = check_ack_find(st, r->host_id, r->check_id, now, &a, err);
        if (rc < 0)
            return -1;
        if (rc == 1 && !a.expired) {
            r->acked = 1;
            free(r->ack_text);
            r->ack_text = check_ack_describe(&a);
        }
        if (rc == 1)
            check_ack_info_clear(&a);
    }
    return 0;
}

/* Flapping and recovery (check_flap.h), in the run's transaction. */
static int settle_flaps(struct store *st, struct check_report *rep, char **err)
{
    for (size_t i = 0; i < rep->count; i++) {
        struct check_result *r = &rep->results[i];
        struct check_flap_outcome f;
        /* A WARN neither opens a flapping draft nor notes a recovery. */
        if (!r->event_id[0] || r->skipped || r->acked || r->downtime_id[0] || r->unreachable_via ||
            r->level == CHECK_LEVEL_WARN)
            continue;
        if (check_flap_settle_in_tx(st, r->host_id, r->check_id, r->event_id, &f, err) != 0)
            return -1;
        r->flapping = f.flapping;
        r->flap_pct = f.pct;
        r->flap_held = f.held;
        r->incident_created = f.incident_created;
        memcpy(r->incident_ref, f.incident_ref, sizeof r->incident_ref);
        memcpy(r->recovered_ref, f.recovered_ref, sizeof r->recovered_ref);
    }
    return 0;
}

static int record(struct store *st, struct check_report *rep, char **err)
{
    if (store_begin(st, err) != 0)
        return -1;
    /* The results and their drafts are the check run's, not the operator's. */
    char person[ID_LEN + 1];
    memcpy(person, st->operator_id, sizeof person);
    char actor[ID_LEN + 1];
    int rc = check_actor(st, actor, err);
    if (rc == 0) {
        memcpy(st->operator_id, actor, sizeof actor);
        rc = record_in_tx(st, rep, err);
        if (rc == 0)
            rc = settle_acks(st, rep, err);
        if (rc == 0)
            rc = settle_flaps(st, rep, err);
        if (rc == 0)
            rc = raise_incidents(st, rep, err);
        if (rc == 0)
            rc = note_children(st, rep, err);
        memcpy(st->operator_id, person, sizeof person);
    }
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

static int record_in_tx(struct store *st, struct check_report *rep, char **err)
{
    char day[16];
    int64_t now = time_now_ms();
    time_format_jst_date(now, day);
    for (size_t i = 0; i < rep->count; i++) {
        struct check_result *r = &rep->results[i];
        sqlite3_stmt *t =
            store_stmt(st, "SELECT id FROM templates WHERE code = ?1 AND deleted = 0");
        bind_text(t, 1, r->template_code);
        if (sqlite3_step(t) != SQLITE_ROW) {
            sqlite3_reset(t);
            set_err(err,
                    _("the checklist item %s (check %s) is not in the store: load the library "
                      "templates (unyo init --template library)"),
                    r->template_code, r->check_id);
            return -1;
        }
        char tid[ID_LEN + 1];
        snprintf(tid, sizeof tid, "%s", col_text(t, 0));
        sqlite3_reset(t);
        char at[TIME_ISO_LEN + 1];
        int64_t ts = time_now_ms();
        time_format_iso(ts, at);
        id_new_at(r->event_id, ts);
        /* An NG while the host is in downtime names it (downtime.h): no draft. */
        if (!r->ok && !r->skipped &&
            downtime_for_result(st, r->host_id, ts, r->downtime_id, &r->downtime_text, err) != 0)
            return -1;
        sqlite3_stmt *s = store_stmt(
            st, "INSERT INTO checklist_events(id, day, template_id, host_id, status, value, unit, "
                "note, reason, raw_output, source, operator_id, at, hlc, origin, downtime_id, "
                "unreachable_via, conn_failed, level) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                "?10, 'check', ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
        bind_text(s, 1, r->event_id);
        bind_text(s, 2, day);
        bind_text(s, 3, tid);
        bind_text(s, 4, r->host_id);
        bind_text(s, 5, r->ok ? "ok" : r->skipped ? "skip" : "ng");
        if (r->has_value)
            sqlite3_bind_double(s, 6, r->value);
        else
            sqlite3_bind_null(s, 6);
        bind_text(s, 7, r->unit);
        char *note = xasprintf("check=%s", r->check_id);
        bind_text(s, 8, note);
        bind_text(s, 9, r->detail);
        bind_text(s, 10, r->raw_output);
        bind_text(s, 11, st->operator_id);
        bind_text(s, 12, at);
        bind_int(s, 13, store_hlc_next(st));
        bind_text(s, 14, st->origin);
        bind_text(s, 15, r->downtime_id[0] ? r->downtime_id : NULL);
        bind_text(s, 16, r->unreachable_via);
        if (r->conn_failed)
            sqlite3_bind_int(s, 17, 1);
        else
            sqlite3_bind_null(s, 17);
        bind_text(s, 18, r->skipped ? NULL : check_level_key(r->level));
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        free(note);
        if (rc != SQLITE_DONE) {
            store_fail(st, err, _("recording a check result"));
            return -1;
        }
    }
    return 0;
}

static int record_metrics(struct store *st, const struct check_set *set, struct check_report *rep,
                          char **err)
{
    if (store_begin(st, err) != 0)
        return -1;
    for (size_t i = 0; i < rep->count; i++) {
        struct check_result *r = &rep->results[i];
        const char *metric = NULL;
        for (size_t k = 0; k < set->count; k++)
            if (strcmp(set->defs[k].id, r->check_id) == 0)
                metric = set->defs[k].metric;
        if (!metric || !r->has_value)
            continue;
        char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
        int64_t ts = time_now_ms();
        id_new_at(id, ts);
        time_format_iso(ts, at);
        sqlite3_stmt *s = store_stmt(st, "INSERT INTO host_metrics(id, host_id, metric, value, at, "
                                         "hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        bind_text(s, 1, id);
        bind_text(s, 2, r->host_id);
        bind_text(s, 3, metric);
        sqlite3_bind_double(s, 4, r->value);
        bind_text(s, 5, at);
        bind_int(s, 6, store_hlc_next(st));
        bind_text(s, 7, st->origin);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            store_fail(st, err, _("recording a host metric"));
            store_rollback(st);
            return -1;
        }
    }
    char *detail = rep->unreachable
                       ? xasprintf("results=%zu ng=%zu unreachable=%zu hosts=%zu", rep->count,
                                   rep->ng, rep->unreachable, rep->hosts)
                       : xasprintf("results=%zu ng=%zu hosts=%zu", rep->count, rep->ng, rep->hosts);
    int rc = store_audit(st, "check.run", "checklist_events", NULL, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

void check_report_ng_split(const struct check_report *rep, size_t *counted, size_t *downtime,
                           size_t *acked)
{
    size_t n[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < rep->count; i++) {
        const struct check_result *r = &rep->results[i];
        if (r->unreachable_via)
            continue; /* its parent's draft covers it: not an NG of its own (not in rep->ng) */
        n[checklist_ng_standing(!r->ok, r->downtime_id[0] != 0, r->acked)]++;
    }
    if (counted)
        *counted = n[CHECKLIST_NG_COUNTED];
    if (downtime)
        *downtime = n[CHECKLIST_NG_DOWNTIME];
    if (acked)
        *acked = n[CHECKLIST_NG_ACKED];
}

void checks_no_host_error(const char *pattern, char **err)
{
    set_err(err, _("no host matches %s (unyo host list shows the hosts)"), pattern);
}

int checks_host_count(struct store *st, const struct check_set *set, size_t *n, char **err)
{
    *n = 0;
    struct host *hosts;
    size_t nh;
    if (host_list(st, &hosts, &nh, err) != 0)
        return -1;
    for (size_t i = 0; i < nh; i++) {
        struct host *h = &hosts[i];
        if (!host_is_local(h) && !h->ssh_alias && !h->address)
            continue; /* no reach: as checks_run */
        for (size_t k = 0; k < set->count; k++)
            if (check_selects(&set->defs[k], h->name, h->role, h->os)) {
                (*n)++;
                break;
            }
    }
    host_list_free(hosts, nh);
    return 0;
}

/* Opens sl's connection: the one kept from an earlier round when o->pool has it
 * (and may_reuse), else a new one. 0, or -1 when the host's SSH settings are
 * unusable (its checks are failed with why). */
static int slot_connect(struct slot *sl, const struct check_run_opts *o, int timeout_ms,
                        int may_reuse, const struct check_set *set, struct check_report *rep)
{
    struct ssh_conn_opts co = {0};
    co.config_path = o->ssh_config; /* a host's own file replaces it */
    const char *target = host_ssh_target(sl->h, &co);
    co.known_hosts = o->known_hosts;
    co.hostkey_policy = o->accept_new          ? SSH_HOSTKEY_ACCEPT_NEW
                        : o->trust_fingerprint ? SSH_HOSTKEY_ASK
                                               : SSH_HOSTKEY_STRICT;
    sl->trust_fp = o->trust_fingerprint;
    /* The connection's own timeout fires first, so the message names the phase. */
    co.connect_timeout_ms = timeout_ms < 16000 ? timeout_ms * 9 / 10 : 0;
    if (o->pool && !sl->pool_key)
        sl->pool_key =
            xasprintf("%s\t%s\t%s\t%s\t%d", sl->h->id, target, co.config_path ? co.config_path : "",
                      co.known_hosts ? co.known_hosts : "", (int)co.hostkey_policy);
    sl->reused = 0;
    sl->c = may_reuse ? check_pool_take(o->pool, sl->pool_key) : NULL;
    if (sl->c) {
        sl->reused = 1;
        sl->reuse_by = mono_ms() + REUSE_START_MS;
        return 0;
    }
    char *e = NULL;
    sl->c = ssh_conn_new(target, &co, &e);
    if (!sl->c) {
        char *m0 = xasprintf("%s: %s", sl->h->name, e ? e : "");
        char *m = unreachable(NULL, m0);
        free(m0);
        fail_rest(rep, sl, set, m);
        free(m);
        free(e);
        return -1;
    }
    return 0;
}

/* The kept connection sl used turned out dead: a new one, and the batch starts
 * again on it (a host whose settings fail is done, its checks failed with why). */
static void slot_redial(struct store *st, struct slot *sl, const struct check_run_opts *o,
                        int timeout_ms, const struct check_set *set, struct check_report *rep)
{
    ssh_conn_drop(sl->c); /* dead or silent: no goodbye */
    sl->c = NULL;
    sl->redial = 0;
    sl->sent = 0;
    if (slot_connect(sl, o, timeout_ms, 0, set, rep) == 0)
        drive(st, sl, set, rep);
}

/* A finished host: its connection is kept for the next round (o->pool) or closed. */
static void slot_release(struct slot *sl, const struct check_run_opts *o)
{
    if (o->pool)
        check_pool_put(o->pool, sl->pool_key, sl->c);
    else
        ssh_conn_free(sl->c);
    sl->c = NULL;
}

int checks_run(struct store *st, const struct check_set *set, const struct check_run_opts *o,
               struct check_report *rep, char **err)
{
    memset(rep, 0, sizeof *rep);
    if (!o->dry_run && store_require_operator(st, err) != 0)
        return -1;
    struct host *hosts;
    size_t nh;
    if (host_list(st, &hosts, &nh, err) != 0)
        return -1;
    int64_t t0 = mono_ms();
    /* Which checks on which host. */
    struct slot *slots = xcalloc(nh ? nh : 1, sizeof *slots);
    size_t ns = 0, named = 0;
    for (size_t i = 0; i < nh; i++) {
        struct host *h = &hosts[i];
        if (o->host && !glob_list_match(o->host, h->name))
            continue;
        named++;
        if (!host_is_local(h) && !h->ssh_alias && !h->address)
            continue; /* no reach */
        struct slot *sl = &slots[ns];
        for (size_t k = 0; k < set->count; k++) {
            const struct check_def *d = &set->defs[k];
            if (o->item && strcmp(o->item, d->id) != 0 && strcmp(o->item, d->template_code) != 0)
                continue;
            if (!check_selects(d, h->name, h->role, h->os))
                continue;
            if (o->only && !check_pairs_has(o->only, h->id, k))
                continue;
            sl->checks = xrealloc(sl->checks, (sl->n + 1) * sizeof *sl->checks);
            sl->checks[sl->n++] = k;
        }
        if (sl->n) {
            sl->h = h;
            ns++;
        }
    }
    if (o->host && !named) { /* a mistyped name would otherwise run nothing, silently */
        checks_no_host_error(o->host, err);
        free(slots);
        host_list_free(hosts, nh);
        return -1;
    }
    rep->hosts = ns;
    /* Every checklist item the run will write must exist, before connecting. */
    for (size_t i = 0; i < ns && !o->dry_run; i++)
        for (size_t k = 0; k < slots[i].n; k++) {
            const struct check_def *d = &set->defs[slots[i].checks[k]];
            sqlite3_stmt *t =
                store_stmt(st, "SELECT 1 FROM templates WHERE code = ?1 AND deleted = 0");
            bind_text(t, 1, d->template_code);
            int found = sqlite3_step(t) == SQLITE_ROW;
            sqlite3_reset(t);
            if (!found) {
                set_err(err,
                        _("the checklist item %s (check %s) is not in the store: load the "
                          "library templates (unyo init --template library)"),
                        d->template_code, d->id);
                for (size_t j = 0; j < ns; j++)
                    free(slots[j].checks);
                free(slots);
                host_list_free(hosts, nh);
                return -1;
            }
        }
    int conc = o->concurrency > 0 ? o->concurrency : 10;
    int timeout_ms = (o->timeout > 0 ? o->timeout : 60) * 1000;
    size_t next = 0, active = 0;
    int stopped = 0;
    struct pollfd *pfds = xcalloc(ns ? ns : 1, sizeof *pfds);
    size_t *pidx = xcalloc(ns ? ns : 1, sizeof *pidx);
    for (;;) {
        while (active < (size_t)conc && next < ns) {
            struct slot *sl = &slots[next++];
            if (host_is_local(sl->h)) {
                sl->started = mono_ms();
                sl->deadline = sl->started + timeout_ms;
                run_batch_local(st, sl, set, rep);
                continue;
            }
            sl->started = mono_ms();
            sl->deadline = sl->started + timeout_ms;
            if (slot_connect(sl, o, timeout_ms, 1, set, rep) != 0)
                continue;
            active++;
            drive(st, sl, set, rep);
            if (sl->redial)
                slot_redial(st, sl, o, timeout_ms, set, rep);
            if (sl->done) {
                slot_release(sl, o);
                active--;
            }
        }
        if (active == 0 && next >= ns)
            break;
        if (o->stop && o->stop()) {
            stopped = 1;
            break;
        }
        /* One poll over every live connection. */
        size_t np = 0;
        int wait = 1000;
        for (size_t i = 0; i < next; i++) {
            struct slot *sl = &slots[i];
            if (!sl->c || sl->done)
                continue;
            int fd = ssh_conn_fd(sl->c);
            int t = ssh_conn_timeout_ms(sl->c);
            int64_t left = sl->deadline - mono_ms();
            if (t < 0 || t > left)
                t = left < 0 ? 0 : (int)left;
            if (t < wait)
                wait = t;
            if (fd < 0) {
                wait = 0;
                continue;
            }
            pfds[np].fd = fd;
            pfds[np].events = ssh_conn_poll_events(sl->c);
            pfds[np].revents = 0;
            pidx[np++] = i;
        }
        poll(pfds, np, wait);
        for (size_t i = 0; i < next; i++) {
            struct slot *sl = &slots[i];
            if (!sl->c || sl->done)
                continue;
            drive(st, sl, set, rep);
            if (sl->redial)
                slot_redial(st, sl, o, timeout_ms, set, rep);
            if (sl->done) {
                slot_release(sl, o);
                active--;
            }
        }
    }
    free(pfds);
    free(pidx);
    for (size_t i = 0; i < ns; i++) {
        ssh_conn_free(slots[i].c); /* only a stopped run leaves any */
        free(slots[i].checks);
        free(slots[i].pool_key);
    }
    free(slots);
    host_list_free(hosts, nh);
    rep->elapsed_ms = mono_ms() - t0;
    if (stopped) {
        set_err(err, "%s", _("the check run was stopped; nothing was recorded"));
        return -1;
    }
    qsort(rep->results, rep->count, sizeof *rep->results, by_host_then_order);
    if (settle_parents(st, rep, err) != 0)
        return -1;
    if (o->dry_run)
        return 0;
    if (record(st, rep, err) != 0 || record_metrics(st, set, rep, err) != 0)
        return -1;
    return 0;
}

void check_report_free(struct check_report *rep)
{
    for (size_t i = 0; i < rep->count; i++) {
        struct check_result *r = &rep->results[i];
        free(r->host);
        free(r->check_id);
        free(r->check_name);
        free(r->template_code);
        free(r->severity);
        free(r->unit);
        free(r->detail);
        free(r->raw_output);
        free(r->incident_error);
        free(r->ack_text);
        free(r->downtime_text);
        free(r->unreachable_via);
        free(r->children);
    }
    for (size_t i = 0; i < rep->n_unknown_keys; i++) {
        free(rep->unknown_keys[i].host);
        free(rep->unknown_keys[i].fingerprint);
        free(rep->unknown_keys[i].type);
    }
    free(rep->unknown_keys);
    free(rep->results);
    memset(rep, 0, sizeof *rep);
}
