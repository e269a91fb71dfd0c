#include "job_conditions.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "hosts.h"
#include "i18n.h"
#include "job_runner.h"
#include "jobs.h"
#include "store.h"
#include "textwidth.h"
#include "timefmt.h"
#include "utf8.h"
#include "util.h"

#define WAIT_MARK "@@unyo-wait "
#define CHECK_TIMEOUT_S 60
#define CHECK_CAP (256 * 1024)

/* ---- definitions ---- */

int job_conditions_parse_seconds(const char *v)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!isdigit((unsigned char)*v) || errno || x < 0)
        return -1;
    long mul = 1;
    if (streq(end, "m") || streq(end, "min"))
        mul = 60;
    else if (streq(end, "h"))
        mul = 3600;
    else if (*end && !streq(end, "s"))
        return -1;
    if (x > 86400 / mul)
        return -1;
    return (int)(x * mul);
}

int job_conditions_path_valid(const char *path)
{
    size_t n = strlen(path);
    if (n == 0 || n > 1024 || path[0] != '/')
        return -1;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return -1;
    return utf8_valid(path, n) ? 0 : -1;
}

static int hhmm_minutes(const char *v)
{
    int h, m;
    char tail;
    if (sscanf(v, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
        (h == 24 && m) || strlen(v) > 5)
        return -1;
    return h * 60 + m;
}

int job_conditions_def_key(struct job_def *d, const char *name, const char *value, int line,
                           char **msg)
{
    if (streq(name, "wait_file")) {
        if (d->wait_file) {
            *msg = xasprintf(_("%s given twice in [%s]"), name, d->code);
            return -1;
        }
        if (job_conditions_path_valid(value) != 0) {
            *msg = xasprintf(_("wait_file %s (expected an absolute path, * and ? as in the "
                               "shell, no control characters, at most 1024 bytes)"),
                             value);
            return -1;
        }
        d->wait_file = xstrdup(value);
        return 1;
    }
    if (streq(name, "wait_stable")) {
        int s = job_conditions_parse_seconds(value);
        if (s < 0) {
            *msg = xasprintf(_("wait_stable %s (expected seconds like 30, 30s or 2m, at most "
                               "one day)"),
                             value);
            return -1;
        }
        d->wait_stable_s = s;
        d->wait_stable_given = 1;
        return 1;
    }
    if (streq(name, "wait_until")) {
        if (hhmm_minutes(value) < 0) {
            *msg = xasprintf(_("wait_until %s (expected HH:MM, JST, on the run's day)"), value);
            return -1;
        }
        free(d->wait_until);
        d->wait_until = xstrdup(value);
        return 1;
    }
    if (streq(name, "when")) {
        struct job_when w;
        if (d->when) {
            *msg = xasprintf(_("%s given twice in [%s]"), name, d->code);
            return -1;
        }
        if (job_when_parse(value, &w, msg) != 0)
            return -1;
        d->when = xstrdup(value);
        d->when_line = line;
        return 1;
    }
    return 0;
}

int job_conditions_def_check(const struct job_def *d, char **msg)
{
    if ((d->wait_stable_given || d->wait_until) && !d->wait_file) {
        *msg = xasprintf(_("job %s has wait_stable or wait_until but no wait_file to wait for"),
                         d->code);
        return -1;
    }
    if ((d->wait_file || d->when) && !d->command) {
        *msg = xasprintf(_("job %s has a start condition (wait_file or when) but no command: "
                           "work a person does is started by that person"),
                         d->code);
        return -1;
    }
    if (d->when) {
        struct job_when w;
        char *m = NULL;
        if (job_when_parse(d->when, &w, &m) == 0 && w.kind == JOB_WHEN_EXIT &&
            streq(w.code, d->code)) {
            *msg = xasprintf(_("job %s: when names the job itself (expected an earlier job of "
                               "the day)"),
                             d->code);
            return -1;
        }
        free(m);
    }
    return 0;
}

int job_conditions_install(struct store *st, const char *job_id, const struct job_def *d,
                           char **err)
{
    if (d->when) {
        struct job_when w;
        char *m = NULL;
        if (job_when_parse(d->when, &w, &m) != 0) { /* checked by the parser already */
            set_err(err, "%s:%d: %s", d->file, d->line, m ? m : "?");
            free(m);
            return -1;
        }
        if (w.kind == JOB_WHEN_EXIT) {
            sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM jobs WHERE code = ?1 AND deleted = 0");
            bind_text(s, 1, w.code);
            int got = store_one_row(s, err);
            sqlite3_reset(s);
            if (got < 0)
                return -1;
            if (got == 0) {
                set_err(err, _("%s:%d: job %s: when names %s, which is not a known job"), d->file,
                        d->when_line ? d->when_line : d->line, d->code, w.code);
                return -1;
            }
        }
    }
    sqlite3_stmt *u = store_stmt(st, "UPDATE jobs SET wait_file = ?2, wait_stable = ?3, "
                                     "wait_until = ?4, run_when = ?5 WHERE id = ?1");
    bind_text(u, 1, job_id);
    bind_text(u, 2, d->wait_file);
    if (d->wait_file)
        bind_int(u, 3, d->wait_stable_given ? d->wait_stable_s : 0);
    bind_text(u, 4, d->wait_file ? d->wait_until : NULL);
    bind_text(u, 5, d->when);
    int rc = sqlite3_step(u) == SQLITE_DONE ? 0 : store_fail(st, err, d->code);
    sqlite3_reset(u);
    return rc;
}

/* ---- judgement ---- */

static const char *skip_sp(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int job_when_parse(const char *text, struct job_when *w, char **msg)
{
    memset(w, 0, sizeof *w);
    const char *p = skip_sp(text);
    if (strncmp(p, "file", 4) == 0 && (p[4] == ' ' || p[4] == '\t')) {
        p = skip_sp(p + 4);
        const char *end = p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        const char *sp = end;
        while (sp > p && sp[-1] != ' ' && sp[-1] != '\t')
            sp--;
        const char *word = sp;
        size_t wlen = (size_t)(end - word);
        const char *pe = sp;
        while (pe > p && (pe[-1] == ' ' || pe[-1] == '\t'))
            pe--;
        size_t plen = (size_t)(pe - p);
        if (wlen == 6 && strncmp(word, "exists", 6) == 0)
            w->kind = JOB_WHEN_FILE_EXISTS;
        else if (wlen == 7 && strncmp(word, "missing", 7) == 0)
            w->kind = JOB_WHEN_FILE_MISSING;
        if (w->kind && plen > 0 && plen < sizeof w->path) {
            memcpy(w->path, p, plen);
            w->path[plen] = 0;
            if (job_conditions_path_valid(w->path) == 0)
                return 0;
        }
        goto bad;
    }
    size_t n = 0;
    while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-'))
        n++;
    if (n == 0 || n >= sizeof w->code)
        goto bad;
    memcpy(w->code, p, n);
    w->code[n] = 0;
    p = skip_sp(p + n);
    if (strncmp(p, "exit", 4) != 0)
        goto bad;
    p = skip_sp(p + 4);
    static const struct {
        const char *text;
        int op;
    } ops[] = {{"==", JOB_OP_EQ}, {"!=", JOB_OP_NE}, {">=", JOB_OP_GE},
               {"<=", JOB_OP_LE}, {">", JOB_OP_GT},  {"<", JOB_OP_LT}};
    size_t k;
    for (k = 0; k < ARRAY_LEN(ops); k++)
        if (strncmp(p, ops[k].text, strlen(ops[k].text)) == 0)
            break;
    if (k == ARRAY_LEN(ops))
        goto bad;
    w->op = ops[k].op;
    p = skip_sp(p + strlen(ops[k].text));
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (!isdigit((unsigned char)*p) || errno || v > 255)
        goto bad;
    if (*skip_sp(end))
        goto bad;
    w->value = (int)v;
    w->kind = JOB_WHEN_EXIT;
    return 0;
bad:
    memset(w, 0, sizeof *w);
    *msg = xasprintf(_("when %s (expected CODE exit == N, with ==, !=, >=, <=, > or <, or "
                       "file /PATH exists, or file /PATH missing)"),
                     text);
    return -1;
}

int job_when_exit_holds(const struct job_when *w, int x)
{
    switch (w->op) {
    case JOB_OP_EQ:
        return x == w->value;
    case JOB_OP_NE:
        return x != w->value;
    case JOB_OP_GE:
        return x >= w->value;
    case JOB_OP_LE:
        return x <= w->value;
    case JOB_OP_GT:
        return x > w->value;
    case JOB_OP_LT:
        return x < w->value;
    }
    return 0;
}

char *job_when_text(const struct job_when *w)
{
    static const char *const ops[] = {"==", "!=", ">=", "<=", ">", "<"};
    if (w->kind == JOB_WHEN_EXIT)
        return xasprintf(_("exit status of %s %s %d"), w->code, ops[w->op], w->value);
    if (w->kind == JOB_WHEN_FILE_EXISTS)
        return xasprintf(_("file %s exists"), w->path);
    return xasprintf(_("file %s is missing"), w->path);
}

/* ---- the close check ---- */

int job_wait_decide(struct job_file_watch *w, const struct job_file_seen *seen, int stable_s,
                    int64_t cutoff_ms, int64_t now_ms)
{
    if (seen->found) {
        int same = w->found && streq(w->path, seen->path) && w->size == seen->size;
        if (!same) {
            w->found = 1;
            snprintf(w->path, sizeof w->path, "%s", seen->path);
            w->size = seen->size;
            w->since_ms = now_ms;
        }
        if (stable_s <= 0 || (same && now_ms - w->since_ms >= (int64_t)stable_s * 1000))
            return JOB_WAIT_START;
    } else {
        w->found = 0;
        w->path[0] = 0;
        w->size = 0;
        w->since_ms = 0;
    }
    if (cutoff_ms && now_ms >= cutoff_ms)
        return JOB_WAIT_CUTOFF;
    return JOB_WAIT_WAIT;
}

static void quote_part(struct strbuf *sb, const char *s, size_t n)
{
    sb_putc(sb, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            sb_puts(sb, "'\\''");
        else
            sb_putc(sb, s[i]);
    }
    sb_putc(sb, '\'');
}

char *job_wait_command(const char *pattern)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "for __unyo_f in ");
    /* Literal parts quoted, * and ? left to the shell: nothing else of the path is
     * interpreted (no $, `, ;, [ or spaces reach the shell as syntax). */
    const char *p = pattern;
    while (*p) {
        size_t n = strcspn(p, "*?");
        if (n) {
            quote_part(&sb, p, n);
            p += n;
        }
        while (*p == '*' || *p == '?')
            sb_putc(&sb, *p++);
    }
    sb_puts(&sb, "; do if [ -f \"$__unyo_f\" ]; then printf '" WAIT_MARK
                 "%s %s\\n' \"$(wc -c < \"$__unyo_f\" | tr -d ' ')\" \"$__unyo_f\"; fi; done; "
                 "exit 0");
    return sb_detach(&sb);
}

/* The pattern for fnmatch: [, ] and \ are literal in a wait_file. */
static char *fn_pattern(const char *pattern)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = pattern; *p; p++) {
        if (*p == '[' || *p == ']' || *p == '\\')
            sb_putc(&sb, '\\');
        sb_putc(&sb, *p);
    }
    return sb_detach(&sb);
}

void job_wait_parse_listing(const char *out, size_t len, const char *pattern,
                            struct job_file_seen *seen)
{
    memset(seen, 0, sizeof *seen);
    if (!out)
        return;
    char *pat = fn_pattern(pattern);
    const char *p = out, *end = out + len;
    const size_t ml = strlen(WAIT_MARK);
    while (p < end && !seen->found) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (l > ml && memcmp(p, WAIT_MARK, ml) == 0) {
            const char *q = p + ml, *le = p + l;
            const char *d = q;
            while (d < le && isdigit((unsigned char)*d))
                d++;
            size_t plen = d < le ? (size_t)(le - d - 1) : 0;
            if (d > q && d - q <= 18 && d < le && *d == ' ' && plen > 0 && plen < 1025) {
                char *path = xstrndup(d + 1, plen);
                if (strlen(path) == plen && fnmatch(pat, path, FNM_PATHNAME | FNM_PERIOD) == 0) {
                    struct strbuf r = STRBUF_INIT, s = STRBUF_INIT;
                    utf8_repair_add(&r, path, plen);
                    text_sanitize(&s, r.buf ? r.buf : "", 0);
                    /* escaped, it may be longer than the field: cut between characters */
                    size_t keep = s.len < sizeof seen->path ? s.len : sizeof seen->path - 1;
                    while (keep > 0 && keep < s.len && (s.buf[keep] & 0xC0) == 0x80)
                        keep--;
                    memcpy(seen->path, s.buf ? s.buf : "", keep);
                    seen->path[keep] = 0;
                    sb_free(&r), sb_free(&s);
                    seen->size = strtoll(q, NULL, 10);
                    seen->found = 1;
                }
                free(path);
            }
        }
        p += l + (nl ? 1 : 0);
    }
    free(pat);
}

/* ---- the runner's round ---- */

static char *dupc(sqlite3_stmt *s, int i)
{
    const char *t = col_text(s, i);
    return t ? xstrdup(t) : NULL;
}

static int64_t cutoff_of(const char *day, const char *hhmm)
{
    struct civil_date d;
    int min = hhmm ? hhmm_minutes(hhmm) : -1;
    if (min < 0 || civil_parse(day, &d) != 0)
        return 0;
    return jst_to_utc(d.y, d.m, d.d, min) * 1000;
}

/* Lists pattern on host (by name): 0 and *seen, or -1 with *why (malloc'd). */
static int look(struct store *st, const struct job_runner_opts *o, job_executor exec,
                const char *host_name, const char *pattern, struct job_file_seen *seen, char **why)
{
    struct host h;
    char *herr = NULL;
    memset(seen, 0, sizeof *seen);
    if (!host_name || host_get(st, host_name, &h, &herr) != 0) {
        *why = herr ? herr : xstrdup(_("the job has no host"));
        return -1;
    }
    char *cmd = job_wait_command(pattern);
    struct job_exec_result r;
    int rc = host_is_local(&h) ? job_exec_local(NULL, &h, cmd, CHECK_TIMEOUT_S, CHECK_CAP, &r)
                               : exec(o->exec_ud, &h, cmd, CHECK_TIMEOUT_S, CHECK_CAP, &r);
    free(cmd);
    host_clear(&h);
    if (rc != 0 || r.timed_out) {
        *why = r.error ? xstrdup(r.error) : xstrdup(_("the check timed out"));
        job_exec_result_free(&r);
        return -1;
    }
    job_wait_parse_listing(r.output, r.output_len, pattern, seen);
    job_exec_result_free(&r);
    return 0;
}

static void report(const struct job_runner_opts *o, const char *code, const char *state,
                   const char *note)
{
    if (o->report)
        o->report(o->report_ud, code, state, note);
}

struct file_run {
    char id[ID_LEN + 1];
    char *state, *code, *pattern, *until, *host, *day;
    int stable_s;
    struct job_file_watch w;
};

static int load_file_runs(struct store *st, const char *day, const char *only,
                          struct file_run **out, size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT r.id, r.state, j.code, j.wait_file, coalesce(j.wait_stable, 0), "
            "j.wait_until, h.name, r.wait_path, coalesce(r.wait_size, 0), r.wait_since, "
            "r.due_day FROM job_runs r JOIN jobs j ON j.id = r.job_id "
            "JOIN hosts h ON h.id = j.host_id AND h.deleted = 0 "
            "WHERE r.due_day = ?1 AND r.deleted = 0 AND j.wait_file IS NOT NULL "
            "AND j.command IS NOT NULL AND r.wait_found IS NULL "
            "AND r.state IN ('waiting', 'queued', 'file_wait') AND (?2 IS NULL OR j.code = ?2) "
            "ORDER BY j.code");
    bind_text(s, 1, day);
    bind_text(s, 2, only);
    *out = NULL;
    *n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct file_run *f = &(*out)[(*n)++];
        memset(f, 0, sizeof *f);
        snprintf(f->id, sizeof f->id, "%s", col_text(s, 0));
        f->state = dupc(s, 1);
        f->code = dupc(s, 2);
        f->pattern = dupc(s, 3);
        f->stable_s = sqlite3_column_int(s, 4);
        f->until = dupc(s, 5);
        f->host = dupc(s, 6);
        if (col_text(s, 7) && col_text(s, 9)) {
            f->w.found = 1;
            snprintf(f->w.path, sizeof f->w.path, "%s", col_text(s, 7));
            f->w.size = sqlite3_column_int64(s, 8);
            if (time_parse(col_text(s, 9), &f->w.since_ms) != 0)
                f->w.found = 0;
        }
        f->day = dupc(s, 10);
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : 0;
}

static void file_runs_free(struct file_run *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].state), free(v[i].code), free(v[i].pattern), free(v[i].until), free(v[i].host),
            free(v[i].day);
    free(v);
}

/* Writes what a check decided about f, in a transaction of its own. */
static int file_record(struct store *st, const struct job_runner_opts *o, struct file_run *f,
                       int decision, const char *why, struct job_runner_stats *stats, char **err)
{
    char at[TIME_ISO_LEN + 1], since[TIME_ISO_LEN + 1] = "";
    time_format_iso(time_now_ms(), at);
    if (f->w.found)
        time_format_iso(f->w.since_ms, since);
    const char *to = decision == JOB_WAIT_START
                         ? (streq(f->state, "file_wait") ? "queued" : f->state)
                     : decision == JOB_WAIT_CUTOFF ? "not_arrived"
                                                   : "file_wait";
    struct strbuf note = STRBUF_INIT;
    if (decision == JOB_WAIT_START) {
        sb_printf(&note, _("file arrived: %s (%lld bytes)"), f->w.path, f->w.size);
        if (f->stable_s > 0)
            sb_printf(&note, _(", unchanged for %d s or more"), f->stable_s);
    } else {
        if (decision == JOB_WAIT_CUTOFF)
            sb_printf(&note, _("did not arrive by %s: %s"), f->until, f->pattern);
        else if (f->until)
            sb_printf(&note, _("waiting for %s until %s"), f->pattern, f->until);
        else
            sb_printf(&note, _("waiting for %s"), f->pattern);
        if (f->w.found)
            sb_printf(&note, _("; last seen %s (%lld bytes), still changing"), f->w.path,
                      f->w.size);
        if (why)
            sb_printf(&note, _("; could not look on the host: %s"), why);
    }
    int rc = -1;
    if (store_begin(st, err) != 0) {
        sb_free(&note);
        return -1;
    }
    sqlite3_stmt *u = store_stmt(
        st, "UPDATE job_runs SET state = ?2, wait_path = ?3, wait_size = ?4, wait_since = ?5, "
            "wait_found = ?6, ended_at = CASE WHEN ?2 = 'not_arrived' THEN ?7 ELSE ended_at END, "
            "updated_at = ?7, hlc = ?8, origin = ?9 WHERE id = ?1 AND wait_found IS NULL "
            "AND state IN ('waiting', 'queued', 'file_wait')");
    bind_text(u, 1, f->id);
    bind_text(u, 2, to);
    bind_text(u, 3, f->w.found ? f->w.path : NULL);
    if (f->w.found)
        bind_int(u, 4, f->w.size);
    bind_text(u, 5, f->w.found ? since : NULL);
    bind_text(u, 6, decision == JOB_WAIT_START ? at : NULL);
    bind_text(u, 7, at);
    bind_int(u, 8, store_hlc_next(st));
    bind_text(u, 9, st->origin);
    int changed = 0;
    if (sqlite3_step(u) != SQLITE_DONE)
        store_fail(st, err, _("recording the file check"));
    else {
        changed = sqlite3_changes(st->db) == 1;
        rc = 0;
    }
    sqlite3_reset(u);
    const char *kind = decision == JOB_WAIT_START    ? "file_arrived"
                       : decision == JOB_WAIT_CUTOFF ? "not_arrived"
                                                     : "file_wait";
    /* Events: the wait begun, the file found, the cut-off; not every look. */
    if (rc == 0 && changed && (decision != JOB_WAIT_WAIT || !streq(f->state, "file_wait")))
        rc = job_event(st, f->id, kind, note.buf, NULL, err);
    if (rc == 0 && changed && decision == JOB_WAIT_CUTOFF)
        rc = job_escalate(st, f->id, note.buf, err);
    if (rc == 0 && store_commit(st, err) != 0)
        rc = -1;
    if (rc != 0)
        store_rollback(st);
    if (rc == 0 && decision == JOB_WAIT_WAIT)
        stats->file_wait++; /* still waiting after this pass, new or not */
    if (rc == 0 && changed) {
        if (decision == JOB_WAIT_CUTOFF)
            stats->not_arrived++;
        report(o, f->code, kind, note.buf);
    }
    sb_free(&note);
    return rc;
}

static int file_waits(struct store *st, const struct job_runner_opts *o, const char *day,
                      job_executor exec, struct job_runner_stats *stats, char **err)
{
    struct file_run *v;
    size_t n;
    if (load_file_runs(st, day, o->only_job, &v, &n, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct file_run *f = &v[i];
        struct job_file_seen seen;
        char *why = NULL;
        look(st, o, exec, f->host, f->pattern, &seen, &why);
        int64_t now = time_now_ms();
        int d = job_wait_decide(&f->w, &seen, f->stable_s, cutoff_of(f->day, f->until), now);
        rc = file_record(st, o, f, d, why, stats, err);
        free(why);
    }
    file_runs_free(v, n);
    return rc;
}

/* Ends run id judged_out (its note), or marks it judged to run; in a transaction. */
static int judge_record(struct store *st, const char *id, int run, const char *note, char **err)
{
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    if (store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *u =
        store_stmt(st, run ? "UPDATE job_runs SET judged_at = ?2, updated_at = ?2, hlc = ?3, "
                             "origin = ?4 WHERE id = ?1 AND judged_at IS NULL "
                             "AND state IN ('waiting', 'queued')"
                           : "UPDATE job_runs SET state = 'judged_out', ended_at = ?2, "
                             "updated_at = ?2, hlc = ?3, origin = ?4 WHERE id = ?1 "
                             "AND state IN ('waiting', 'queued', 'file_wait')");
    bind_text(u, 1, id);
    bind_text(u, 2, at);
    bind_int(u, 3, store_hlc_next(st));
    bind_text(u, 4, st->origin);
    int rc = 0, changed = 0;
    if (sqlite3_step(u) != SQLITE_DONE)
        rc = store_fail(st, err, _("recording the judgement"));
    else
        changed = sqlite3_changes(st->db) == 1;
    sqlite3_reset(u);
    if (rc == 0 && changed)
        rc = job_event(st, id, run ? "judged_run" : "judged_out", note, NULL, err);
    if (rc == 0 && store_commit(st, err) != 0)
        rc = -1;
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return changed;
}

struct judge_run {
    char id[ID_LEN + 1];
    char *code, *when, *host, *day;
};

/* Runs with a condition not judged yet whose `after` runs have all ended well. */
static int load_judge_runs(struct store *st, const char *day, const char *only,
                           struct judge_run **out, size_t *n, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT r.id, j.code, j.run_when, h.name, r.due_day FROM job_runs r "
            "JOIN jobs j ON j.id = r.job_id LEFT JOIN hosts h ON h.id = j.host_id "
            "AND h.deleted = 0 WHERE r.due_day = ?1 AND r.deleted = 0 AND j.run_when IS NOT NULL "
            "AND r.judged_at IS NULL AND r.state IN ('waiting', 'queued') AND NOT EXISTS "
            "(SELECT 1 FROM job_deps x JOIN job_runs d ON d.job_id = x.depends_on_id "
            "AND d.due_day = r.due_day AND d.deleted = 0 WHERE x.job_id = r.job_id "
            "AND x.deleted = 0 AND d.state NOT IN " JOB_CONDITIONS_DEP_DONE_SQL ") "
            "AND (?2 IS NULL OR j.code = ?2) ORDER BY j.code");
    bind_text(s, 1, day);
    bind_text(s, 2, only);
    *out = NULL;
    *n = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct judge_run *j = &(*out)[(*n)++];
        snprintf(j->id, sizeof j->id, "%s", col_text(s, 0));
        j->code = dupc(s, 1);
        j->when = dupc(s, 2);
        j->host = dupc(s, 3);
        j->day = dupc(s, 4);
    }
    sqlite3_reset(s);
    return step < 0 ? -1 : 0;
}

/* 1 true, 0 false, 2 not yet decidable; -1 error. *why: what was seen (malloc'd). */
static int judge(struct store *st, const struct job_runner_opts *o, job_executor exec,
                 const struct judge_run *j, const struct job_when *w, char **why, char **err)
{
    if (w->kind == JOB_WHEN_EXIT) {
        sqlite3_stmt *s =
            store_stmt(st, "SELECT r.state, r.exit_status FROM job_runs r JOIN jobs j "
                           "ON j.id = r.job_id WHERE j.code = ?1 AND r.due_day = ?2 "
                           "AND r.deleted = 0");
        bind_text(s, 1, w->code);
        bind_text(s, 2, j->day);
        int got = store_one_row(s, err);
        if (got < 0) {
            sqlite3_reset(s);
            return -1;
        }
        int rc;
        if (got == 0) {
            *why = xasprintf(_("%s has no run that day"), w->code);
            rc = 0;
        } else {
            const char *state = col_text(s, 0);
            int has_exit = sqlite3_column_type(s, 1) != SQLITE_NULL;
            int x = sqlite3_column_int(s, 1);
            if (streq(state, "succeeded") || streq(state, "failed")) {
                if (has_exit) {
                    *why = xasprintf(_("%s ended with exit status %d"), w->code, x);
                    rc = job_when_exit_holds(w, x);
                } else {
                    *why = xasprintf(_("%s ended %s without an exit status"), w->code,
                                     jobs_state_name(state));
                    rc = 0;
                }
            } else if (streq(state, "skipped") || streq(state, "cancelled") ||
                       streq(state, "interrupted") || streq(state, "judged_out") ||
                       streq(state, "not_arrived")) {
                *why = xasprintf(_("%s ended %s without an exit status"), w->code,
                                 jobs_state_name(state));
                rc = 0;
            } else {
                rc = 2;
            }
        }
        sqlite3_reset(s);
        return rc;
    }
    struct job_file_seen seen;
    char *lerr = NULL;
    if (look(st, o, exec, j->host, w->path, &seen, &lerr) != 0) {
        /* Cannot look: judged again at the next round, not guessed. */
        if (o->report) {
            char *note = xasprintf(_("could not look on the host: %s"), lerr);
            o->report(o->report_ud, j->code, "waiting", note);
            free(note);
        }
        free(lerr);
        return 2;
    }
    *why = seen.found ? xasprintf(_("found %s (%lld bytes)"), seen.path, seen.size)
                      : xasprintf(_("no file %s"), w->path);
    return w->kind == JOB_WHEN_FILE_EXISTS ? seen.found : !seen.found;
}

/* Waiting runs all of whose `after` runs that day were judged out: judged out too. */
static int cascade(struct store *st, const struct job_runner_opts *o, const char *day,
                   struct job_runner_stats *stats, char **err)
{
    for (;;) {
        sqlite3_stmt *s = store_stmt(
            st, "SELECT r.id, j.code FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                "WHERE r.due_day = ?1 AND r.deleted = 0 "
                "AND r.state IN ('waiting', 'queued', 'file_wait') AND EXISTS "
                "(SELECT 1 FROM job_deps x JOIN job_runs d ON d.job_id = x.depends_on_id "
                "AND d.due_day = r.due_day AND d.deleted = 0 WHERE x.job_id = r.job_id "
                "AND x.deleted = 0 AND d.state = 'judged_out') AND NOT EXISTS "
                "(SELECT 1 FROM job_deps x JOIN job_runs d ON d.job_id = x.depends_on_id "
                "AND d.due_day = r.due_day AND d.deleted = 0 WHERE x.job_id = r.job_id "
                "AND x.deleted = 0 AND d.state <> 'judged_out') LIMIT 1");
        bind_text(s, 1, day);
        int got = store_one_row(s, err);
        char id[ID_LEN + 1] = "";
        char *code = NULL;
        if (got == 1) {
            snprintf(id, sizeof id, "%s", col_text(s, 0));
            code = xstrdup(col_text(s, 1));
        }
        sqlite3_reset(s);
        if (got <= 0)
            return got;
        const char *note = _("every job it runs after was skipped by judgement");
        int rc = judge_record(st, id, 0, note, err);
        if (rc == 1) {
            stats->judged_out++;
            report(o, code, "judged_out", note);
        }
        free(code);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return 0; /* changed meanwhile: the next round looks again */
    }
}

static int judgements(struct store *st, const struct job_runner_opts *o, const char *day,
                      job_executor exec, struct job_runner_stats *stats, char **err)
{
    struct judge_run *v;
    size_t n;
    if (load_judge_runs(st, day, o->only_job, &v, &n, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct job_when w;
        char *m = NULL, *why = NULL;
        if (job_when_parse(v[i].when, &w, &m) != 0) { /* a stored condition gone bad */
            rc = judge_record(st, v[i].id, 0, m, err) < 0 ? -1 : 0;
            free(m);
            continue;
        }
        int holds = judge(st, o, exec, &v[i], &w, &why, err);
        if (holds < 0)
            rc = -1;
        else if (holds != 2) {
            char *cond = job_when_text(&w);
            char *note = holds ? xasprintf(_("judged to run: %s (%s)"), cond, why ? why : "")
                               : xasprintf(_("skipped by judgement: %s does not hold (%s)"), cond,
                                           why ? why : "");
            int got = judge_record(st, v[i].id, holds, note, err);
            if (got < 0)
                rc = -1;
            else if (got == 1 && !holds) {
                stats->judged_out++;
                report(o, v[i].code, "judged_out", note);
            }
            free(cond);
            free(note);
        }
        free(why);
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].code), free(v[i].when), free(v[i].host), free(v[i].day);
    free(v);
    if (rc == 0)
        rc = cascade(st, o, day, stats, err);
    return rc;
}

int job_conditions_round(struct store *st, const struct job_runner_opts *o, const char *day,
                         job_executor exec, int check_files, struct job_runner_stats *stats,
                         char **err)
{
    if (check_files && file_waits(st, o, day, exec, stats, err) != 0)
        return -1;
    return judgements(st, o, day, exec, stats, err);
}

char *job_conditions_job_text(struct store *st, const char *code, int machine, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT wait_file, coalesce(wait_stable, 0), wait_until, "
                                     "run_when FROM jobs WHERE code = ?1 AND deleted = 0");
    bind_text(s, 1, code);
    if (store_one_row(s, err) != 1) {
        sqlite3_reset(s);
        return NULL;
    }
    struct strbuf sb = STRBUF_INIT;
    const char *file = col_text(s, 0), *until = col_text(s, 2), *when = col_text(s, 3);
    int stable = sqlite3_column_int(s, 1);
    if (file && machine) {
        sb_printf(&sb, "wait_file=%s; wait_stable=%d", file, stable);
        if (until)
            sb_printf(&sb, "; wait_until=%s", until);
    } else if (file) {
        sb_printf(&sb, _("waits for %s"), file);
        if (stable)
            sb_printf(&sb, _(", unchanged for %d s"), stable);
        if (until)
            sb_printf(&sb, _(", until %s"), until);
    }
    if (when) {
        struct job_when w;
        char *m = NULL;
        if (sb.len)
            sb_puts(&sb, "; ");
        if (machine)
            sb_printf(&sb, "when=%s", when);
        else if (job_when_parse(when, &w, &m) == 0) {
            char *cond = job_when_text(&w);
            sb_printf(&sb, _("runs when %s"), cond);
            free(cond);
        }
        free(m);
    }
    sqlite3_reset(s);
    if (!sb.len) {
        sb_free(&sb);
        return NULL;
    }
    return sb_detach(&sb);
}

char *job_conditions_run_text(struct store *st, const char *run_id, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "SELECT j.wait_file, j.wait_stable, j.wait_until, j.run_when, r.wait_path, "
            "r.wait_size, r.wait_since, r.wait_found, r.judged_at, r.state FROM job_runs r "
            "JOIN jobs j ON j.id = r.job_id WHERE r.id = ?1");
    bind_text(s, 1, run_id);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        return NULL;
    }
    struct strbuf sb = STRBUF_INIT;
    const char *pattern = col_text(s, 0);
    if (pattern) {
        sb_printf(&sb, _("Waits for file: %s"), pattern);
        if (sqlite3_column_int(s, 1) > 0)
            sb_printf(&sb, _(", unchanged for %d s"), sqlite3_column_int(s, 1));
        if (col_text(s, 2))
            sb_printf(&sb, _(", until %s"), col_text(s, 2));
        sb_putc(&sb, '\n');
        if (col_text(s, 4)) {
            char t[32] = "";
            int64_t ms;
            if (col_text(s, 6) && time_parse(col_text(s, 6), &ms) == 0)
                time_format_jst(ms, t, 1);
            sb_printf(&sb,
                      col_text(s, 7) ? _("File found: %s (%lld bytes, this size since %s)")
                                     : _("File last seen: %s (%lld bytes, this size since %s)"),
                      col_text(s, 4), (long long)sqlite3_column_int64(s, 5), t);
            sb_putc(&sb, '\n');
        }
    }
    if (col_text(s, 3)) {
        struct job_when w;
        char *m = NULL;
        if (job_when_parse(col_text(s, 3), &w, &m) == 0) {
            char *cond = job_when_text(&w);
            const char *state = col_text(s, 9);
            sb_printf(&sb, _("Runs when: %s (%s)"), cond,
                      col_text(s, 8)               ? _("held: judged to run")
                      : streq(state, "judged_out") ? _("did not hold: skipped")
                                                   : _("not judged yet"));
            sb_putc(&sb, '\n');
            free(cond);
        }
        free(m);
    }
    sqlite3_reset(s);
    if (!sb.len) {
        sb_free(&sb);
        return NULL;
    }
    return sb_detach(&sb);
}
