#include "transcript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "json.h"
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

void transcript_output(struct transcript *tr, int64_t now_ms, const char *data, size_t len)
{
    if (tr->truncated || len == 0)
        return;
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
    char *detail =
        xasprintf("exit=%d reason=%s bytes=%zu", exit_status, end_reason ? end_reason : "", len);
    rc = store_audit(st, "session.end", "ssh_sessions", id, detail, err);
    free(detail);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}
