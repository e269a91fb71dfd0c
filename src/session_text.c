#include "session_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cast.h"
#include "i18n.h"
#include "session_play.h"
#include "store.h"
#include "term.h"
#include "textwidth.h"
#include "util.h"

static void feed_event(void *arg, const struct cast_event *ev)
{
    struct term *t = arg;
    if (ev->kind == 'o')
        term_feed(t, ev->data, ev->len);
    else if (ev->cols > 0 && ev->rows > 0)
        term_resize(t, ev->rows, ev->cols);
}

int session_cast_lines(const char *cast, size_t len, char ***lines, size_t *n, char **err)
{
    *lines = NULL;
    *n = 0;
    int cols, rows;
    if (cast_header(cast, len, &cols, &rows, err) != 0)
        return -1;
    struct term *t = term_new(rows, cols, 0);
    /* Strict: evidence is not taken from a recording that cannot be read whole. */
    if (cast_read(cast, len, 1, feed_event, t, err) != 0) {
        term_free(t);
        return -1;
    }
    int first = -(int)term_scrollback_count(t);
    size_t total = (size_t)(term_rows(t) - first);
    char **out = xcalloc(total ? total : 1, sizeof *out);
    size_t got = 0, keep = 0;
    for (int r = first; r < term_rows(t); r++) {
        char *raw = term_row_text(t, r);
        struct strbuf sb = STRBUF_INIT;
        text_sanitize(&sb, raw, 0);
        free(raw);
        while (sb.len && sb.buf[sb.len - 1] == ' ') /* written blanks, as after a prompt */
            sb.buf[--sb.len] = 0;
        out[got++] = sb_detach(&sb);
        if (out[got - 1][0])
            keep = got;
    }
    term_free(t);
    for (size_t i = keep; i < got; i++)
        free(out[i]);
    *lines = out;
    *n = keep;
    return 0;
}

void session_lines_free(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

int session_parse_range(const char *s, int *from, int *to)
{
    *from = *to = 0;
    if (!s || !*s)
        return 0;
    char *e;
    long a = strtol(s, &e, 10);
    if (e == s || a < 1 || a > 10000000)
        return 0;
    long b = a;
    if (*e == '-') {
        const char *q = e + 1;
        if (!*q) {
            b = 0;
            e = (char *)q;
        } else {
            b = strtol(q, &e, 10);
            if (e == q || b < a || b > 10000000)
                return 0;
        }
    }
    if (*e)
        return 0;
    *from = (int)a;
    *to = (int)b;
    return 1;
}

int session_lines_join(char *const *lines, size_t n, int from, int to, char **out, char **err)
{
    *out = NULL;
    if (n == 0) {
        set_err(err, "%s", _("the recording shows no text"));
        return -1;
    }
    size_t a = from > 0 ? (size_t)from : 1, b = to > 0 ? (size_t)to : n;
    if (a > n || b > n || a > b) {
        set_err(err, _("the recording has lines 1 to %zu, not %zu-%zu"), n, a, b);
        return -1;
    }
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = a; i <= b; i++) {
        sb_puts(&sb, lines[i - 1]);
        if (i < b)
            sb_putc(&sb, '\n');
    }
    *out = sb_detach(&sb);
    return 0;
}

int session_text_lines(struct store *st, const char *id, char full_id[ID_LEN + 1], char ***lines,
                       size_t *n, char **err)
{
    *lines = NULL;
    *n = 0;
    char *cast;
    size_t len;
    int rc = session_recording(st, id, full_id, &cast, &len, NULL, err);
    if (rc != 0)
        return -1;
    rc = session_cast_lines(cast, len, lines, n, err);
    free(cast);
    return rc;
}
