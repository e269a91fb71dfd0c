#include "transcript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "incidents.h"
#include "json.h"
#include "redact.h"
#include "session_index.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#define DEFAULT_CAP ((size_t)64 << 20)

struct transcript {
    struct strbuf sb;
    int64_t start_ms;
    size_t cap;
    int truncated;
    char pending[4]; /* an incomplete UTF-8 sequence from the last chunk */
    size_t npending;
    struct redactor *red; /* NULL: nothing redacted */
    int64_t last_ms;      /* the time of the last output, for what is held back */
};

struct transcript *transcript_new(int cols, int rows, int64_t start_ms, const char *title,
                                  size_t cap)
{
    struct transcript *tr = xcalloc(1, sizeof *tr);
    tr->start_ms = start_ms;
    tr->cap = cap ? cap : DEFAULT_CAP;
    sb_printf(&tr->sb, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld", cols,
              rows, (long long)(start_ms / 1000));
    if (title && *title) {
        sb_puts(&tr->sb, ", \"title\": ");
        json_string(&tr->sb, title);
    }
    sb_puts(&tr->sb, ", \"env\": {\"TERM\": \"xterm-256color\", \"SHELL\": \"/bin/sh\"}}\n");
    return tr;
}

void transcript_free(struct transcript *tr)
{
    if (!tr)
        return;
    sb_free(&tr->sb);
    redactor_free(tr->red);
    free(tr);
}

static void event_head(struct transcript *tr, int64_t now_ms, const char *kind)
{
    int64_t d = now_ms - tr->start_ms;
    if (d < 0)
        d = 0;
    sb_printf(&tr->sb, "[%lld.%03lld, \"%s\", \"", (long long)(d / 1000), (long long)(d % 1000),
              kind);
}

/* Length of the UTF-8 sequence s starts (1 for an invalid lead byte). */
static size_t seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0)
        return 2;
    if ((c & 0xf0) == 0xe0)
        return 3;
    if ((c & 0xf8) == 0xf0)
        return 4;
    return 1;
}

/* The last event of a recording that reached its size limit. */
static void stop_recording(struct transcript *tr, int64_t now_ms)
{
    tr->truncated = 1;
    event_head(tr, now_ms, "o");
    char *note = xasprintf("\r\n%s\r\n", _("[unyo: recording stopped, size limit reached]"));
    json_escape(&tr->sb, note, strlen(note));
    free(note);
    sb_puts(&tr->sb, "\"]\n");
}

void transcript_set_redact(struct transcript *tr, const struct redact_rules *rules)
{
    redactor_free(tr->red);
    tr->red = rules && redact_rules_count(rules) ? redactor_new(rules) : NULL;
}

static void record_output(struct transcript *tr, int64_t now_ms, const char *data, size_t len);

void transcript_output(struct transcript *tr, int64_t now_ms, const char *data, size_t len)
{
    if (tr->truncated || len == 0)
        return;
    tr->last_ms = now_ms;
    if (!tr->red) {
        record_output(tr, now_ms, data, len);
        return;
    }
    struct strbuf out = STRBUF_INIT;
    redactor_feed(tr->red, data, len, &out);
    if (out.len)
        record_output(tr, now_ms, out.buf, out.len);
    sb_free(&out);
}

void transcript_finish(struct transcript *tr)
{
    if (!tr->red)
        return;
    struct strbuf out = STRBUF_INIT;
    redactor_flush(tr->red, &out);
    if (out.len && !tr->truncated)
        record_output(tr, tr->last_ms, out.buf, out.len);
    sb_free(&out);
}

char *transcript_redactions(const struct transcript *tr)
{
    return tr->red ? redactor_summary(tr->red) : xstrdup("");
}

static void record_output(struct transcript *tr, int64_t now_ms, const char *data, size_t len)
{
    /* Join a sequence split by the previous chunk. */
    struct strbuf chunk = STRBUF_INIT;
    sb_add(&chunk, tr->pending, tr->npending);
    sb_add(&chunk, data, len);
    tr->npending = 0;
    /* Keep an incomplete tail for the next call. */
    size_t end = chunk.len;
    for (size_t back = 1; back <= 3 && back <= chunk.len; back++) {
        unsigned char c = (unsigned char)chunk.buf[chunk.len - back];
        if ((c & 0xc0) == 0x80)
            continue; /* continuation byte: look further back */
        size_t need = seq_len(c);
        if (need > back) {
            end = chunk.len - back;
            memcpy(tr->pending, chunk.buf + end, back);
            tr->npending = back;
        }
        break;
    }
    if (end == 0) {
        sb_free(&chunk);
        return;
    }
    /* The cap is on what is written: escaping can make a byte six ("\u001b"),
     * so the chunk is escaped first and measured. */
    struct strbuf esc = STRBUF_INIT;
    json_escape(&esc, chunk.buf, end);
    sb_free(&chunk);
    if (tr->sb.len + esc.len + 64 > tr->cap) {
        sb_free(&esc);
        stop_recording(tr, now_ms);
        return;
    }
    event_head(tr, now_ms, "o");
    /* Valid UTF-8 passes through; invalid bytes become U+FFFD. */
    sb_add(&tr->sb, esc.buf ? esc.buf : "", esc.len);
    sb_puts(&tr->sb, "\"]\n");
    sb_free(&esc);
}

void transcript_resize(struct transcript *tr, int64_t now_ms, int cols, int rows)
{
    if (tr->truncated)
        return;
    /* What is held back was shown before the resize. */
    transcript_finish(tr);
    if (tr->sb.len + 64 > tr->cap) {
        stop_recording(tr, now_ms);
        return;
    }
    event_head(tr, now_ms, "r");
    sb_printf(&tr->sb, "%dx%d\"]\n", cols, rows);
}

const char *transcript_text(struct transcript *tr, size_t *len)
{
    if (len)
        *len = tr->sb.len;
    return tr->sb.buf ? tr->sb.buf : "";
}

int transcript_truncated(const struct transcript *tr)
{
    return tr->truncated;
}

int session_begin(struct store *st, const char *host_id, const char *host_name, int cols, int rows,
                  char id[ID_LEN + 1], char **err)
{
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    char at[TIME_ISO_LEN + 1];
    int64_t now = time_now_ms();
    id_new_at(id, now);
    time_format_iso(now, at);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO ssh_sessions(id, host_id, host_name, operator_id, started_at, cols, "
            "rows, created_at, updated_at, hlc, origin) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5, ?5, ?8, ?9)");
    bind_text(s, 1, id);
    bind_text(s, 2, host_id);
    bind_text(s, 3, host_name);
    bind_text(s, 4, st->operator_id);
    bind_text(s, 5, at);
    bind_int(s, 6, cols);
    bind_int(s, 7, rows);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, err, _("recording the session start"));
        store_rollback(st);
        return -1;
    }
    char *detail = xasprintf("host=%s", host_name);
    rc = store_audit(st, "session.start", "ssh_sessions", id, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

/* The time of an event line "[S.mmm, ..." in ms, or -1. */
static int64_t line_ms(const char *l)
{
    if (*l != '[')
        return -1;
    char *e;
    double t = strtod(l + 1, &e);
    if (e == l + 1)
        return -1;
    return (int64_t)(t * 1000.0 + 0.5);
}

static void marker_line(struct strbuf *sb, int64_t d, const char *label)
{
    if (d < 0)
        d = 0;
    sb_printf(sb, "[%lld.%03lld, \"m\", ", (long long)(d / 1000), (long long)(d % 1000));
    json_string(sb, label);
    sb_puts(sb, "]\n");
}

void transcript_add_markers(struct transcript *tr, const int64_t *at_ms, char *const *labels,
                            size_t n)
{
    if (n == 0 || !tr->sb.buf)
        return;
    /* In time order among the events (a player reads them in order): the text again. */
    struct strbuf out = STRBUF_INIT;
    const char *p = tr->sb.buf, *end = tr->sb.buf + tr->sb.len;
    size_t k = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl + 1 : end;
        int64_t ms = line_ms(p);
        for (; k < n && ms >= 0 && at_ms[k] - tr->start_ms < ms; k++)
            marker_line(&out, at_ms[k] - tr->start_ms, labels[k]);
        sb_add(&out, p, (size_t)(le - p));
        p = le;
    }
    for (; k < n; k++)
        marker_line(&out, at_ms[k] - tr->start_ms, labels[k]);
    sb_free(&tr->sb);
    tr->sb = out;
}

/* Inside session_end's transaction: the steps of the incidents and changes linked to
 * session id, recorded while it was open, as markers. */
static int add_step_markers(struct store *st, const char *id, struct transcript *tr,
                            const char *end_at, char **err)
{
    char from[TIME_ISO_LEN + 1];
    time_format_iso(tr->start_ms, from);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT e.at, i.ref, e.kind, e.note, NULL FROM incident_events e "
            "JOIN incidents i ON i.id = e.incident_id "
            "WHERE e.at >= ?2 AND e.at <= ?3 AND e.kind NOT IN ('linked', 'received', "
            "'sla_breached') AND EXISTS (SELECT 1 FROM links l WHERE l.from_kind = 'incident' "
            "AND l.from_id = e.incident_id AND l.to_kind = 'ssh_session' AND l.to_id = ?1 "
            "AND l.deleted = 0) "
            "UNION ALL "
            "SELECT c.done_at, ch.ref, NULL, c.text, c.seq FROM change_steps c "
            "JOIN changes ch ON ch.id = c.change_id "
            "WHERE c.deleted = 0 AND c.done_at >= ?2 AND c.done_at <= ?3 AND (c.session_id = ?1 "
            "OR EXISTS (SELECT 1 FROM links l WHERE l.from_kind = 'change' "
            "AND l.from_id = c.change_id AND l.to_kind = 'ssh_session' AND l.to_id = ?1 "
            "AND l.deleted = 0)) ORDER BY 1");
    bind_text(s, 1, id);
    bind_text(s, 2, from);
    bind_text(s, 3, end_at);
    int64_t *at = NULL;
    char **labels = NULL;
    size_t n = 0;
    int rc;
    while ((rc = store_next_row(s, err)) == 1) {
        int64_t ms;
        if (!col_text(s, 0) || time_parse(col_text(s, 0), &ms) != 0)
            continue;
        const char *ref = col_text(s, 1) ? col_text(s, 1) : "";
        const char *note = col_text(s, 3);
        char *first = note ? xstrndup(note, strcspn(note, "\n")) : NULL;
        char *label;
        if (col_text(s, 2))
            label = first && *first
                        ? xasprintf("%s %s: %s", ref, incident_status_name(col_text(s, 2)), first)
                        : xasprintf("%s %s", ref, incident_status_name(col_text(s, 2)));
        else
            label = xasprintf(_("%s step %d: %s"), ref, (int)sqlite3_column_int(s, 4),
                              first ? first : "");
        free(first);
        at = xrealloc(at, (n + 1) * sizeof *at);
        labels = xrealloc(labels, (n + 1) * sizeof *labels);
        at[n] = ms;
        labels[n++] = label;
    }
    if (rc == 0)
        transcript_add_markers(tr, at, labels, n);
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
    free(at);
    return rc < 0 ? -1 : 0;
}

int session_end(struct store *st, const char *id, struct transcript *tr, int exit_status,
                const char *end_reason, char **err)
{
    if (store_begin(st, err) != 0)
        return -1;
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *s = store_stmt(st, "UPDATE ssh_sessions SET ended_at = ?2, exit_status = ?3, "
                                     "end_reason = ?4, transcript = ?5, updated_at = ?2, "
                                     "hlc = ?6, origin = ?7 WHERE id = ?1");
    bind_text(s, 1, id);
    bind_text(s, 2, at);
    if (exit_status >= 0)
        bind_int(s, 3, exit_status);
    else
        sqlite3_bind_null(s, 3);
    bind_text(s, 4, end_reason);
    size_t len = 0;
    if (tr) {
        transcript_finish(tr);
        if (!tr->truncated && add_step_markers(st, id, tr, at, err) != 0) {
            store_rollback(st);
            return -1;
        }
    }
    const char *text = tr ? transcript_text(tr, &len) : NULL;
    if (text)
        sqlite3_bind_text(s, 5, text, (int)len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 5);
    bind_int(s, 6, store_hlc_next(st));
    bind_text(s, 7, st->origin);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, err, _("recording the session end"));
        store_rollback(st);
        return -1;
    }
    /* The transcript's SHA-256 goes into the chained audit row: `unyo audit verify`
     * finds a transcript edited afterwards. */
    uint8_t digest[32];
    char hex[65];
    store_sha256(text ? text : "", text ? len : 0, digest);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    char *red = tr ? transcript_redactions(tr) : xstrdup("");
    char *detail = xasprintf("exit=%d reason=%s bytes=%zu sha256=%s%s%s", exit_status,
                             end_reason ? end_reason : "", len, hex, *red ? " redacted=" : "", red);
    free(red);
    rc = store_audit(st, "session.end", "ssh_sessions", id, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    /* Searchable from now on; if this fails, the next search indexes it. */
    char *ierr = NULL;
    if (text && session_index_cast(st, id, text, len, &ierr) != 0)
        free(ierr);
    return 0;
}
