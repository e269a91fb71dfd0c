/* The INI reader: see ini.h for the syntax and why it is not libinih. */
#include "ini.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "textwidth.h"
#include "util.h"

int ini_fail(const struct ini_item *item, char **err, const char *fmt, ...)
{
    if (err && !*err) {
        va_list ap;
        va_start(ap, fmt);
        char *what = xvasprintf(fmt, ap);
        va_end(ap);
        *err = xasprintf("%s:%d: %s", item->path, item->line, what);
        free(what);
    }
    return -1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trims s[0..*n) in place: returns the new start, *n the new length, and
 * writes the terminating NUL. */
static char *trim(char *s, size_t *n)
{
    size_t a = 0, b = *n;
    while (a < b && is_blank(s[a]))
        a++;
    while (b > a && is_blank(s[b - 1]))
        b--;
    s[b] = '\0';
    *n = b - a;
    return s + a;
}

/* Where an inline comment starts (a ';' after a blank), or len. */
static size_t inline_comment(const char *s, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if (s[i] == ';' && (s[i - 1] == ' ' || s[i - 1] == '\t'))
            return i;
    return len;
}

struct reader {
    const char *name;
    unsigned opts;
    ini_handler_fn fn;
    void *user;
    struct strbuf line;    /* the current line, NUL-terminated pieces */
    struct strbuf section; /* current section name */
    struct strbuf prev;    /* last key of the section, "" after a header */
    struct ini_item item;
    char *err;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct reader *r, const char *fmt, ...)
{
    if (!r->err) {
        va_list ap;
        va_start(ap, fmt);
        char *what = xvasprintf(fmt, ap);
        va_end(ap);
        r->err = xasprintf("%s:%d: %s", r->name, r->item.line, what);
        free(what);
    }
    return -1;
}

static int call(struct reader *r)
{
    char *e = NULL;
    if (r->fn(r->user, &r->item, &e) == 0) {
        free(e);
        return 0;
    }
    if (e) {
        free(r->err);
        r->err = e;
        return -1;
    }
    return fail(r, "%s", _("invalid line"));
}

static void set_buf(struct strbuf *sb, const char *s, size_t n)
{
    sb_reset(sb);
    sb_add(sb, s, n);
    sb_grow(sb, 1);
    sb->buf[sb->len] = '\0';
}

/* One physical line, raw bytes s[0..len) without the '\n'. */
static int do_line(struct reader *r, const char *raw, size_t len)
{
    if (memchr(raw, '\0', len))
        return fail(r, "%s", _("NUL byte in the line (expected a UTF-8 text file)"));
    if (!utf8_valid(raw, len))
        return fail(r, "%s", _("the line is not valid UTF-8 (expected a UTF-8 text file)"));
    set_buf(&r->line, raw, len);
    char *s = r->line.buf;
    size_t n = len;
    int indented = n > 0 && (s[0] == ' ' || s[0] == '\t');
    char *t = trim(s, &n);
    if (n == 0 || *t == ';' || *t == '#')
        return 0; /* blank or comment */
    if (r->opts & INI_OPT_INLINE_COMMENTS) {
        /* Search the raw line so a ';' right after the '=' is not a comment
         * (as libinih); t is a suffix of it. */
        size_t c = inline_comment(s, (size_t)(t - s) + n);
        if (c < (size_t)(t - s) + n) {
            n = c - (size_t)(t - s);
            t = trim(t, &n);
        }
    }

    r->item.key = r->item.value = NULL;
    r->item.continued = 0;
    if (indented && (r->opts & INI_OPT_CONTINUATION) && r->prev.len) {
        r->item.kind = INI_PAIR;
        r->item.key = r->prev.buf;
        r->item.value = t;
        r->item.continued = 1;
        return call(r);
    }
    if (*t == '[') {
        char *end = memchr(t, ']', n);
        if (!end)
            return fail(r, "%s", _("syntax error: no closing ] (expected [NAME])"));
        size_t after = n - (size_t)(end + 1 - t);
        char *rest = end + 1;
        while (after && is_blank(*rest))
            rest++, after--;
        if (after && *rest != ';' && *rest != '#')
            return fail(
                r, "%s",
                _("syntax error: text after ] (expected [NAME] alone on the line, or a comment)"));
        size_t k = (size_t)(end - t - 1);
        char *name = trim(t + 1, &k);
        if (k == 0)
            return fail(r, "%s", _("syntax error: empty section name [] (expected [NAME])"));
        set_buf(&r->section, name, k);
        sb_reset(&r->prev);
        r->item.kind = INI_SECTION;
        r->item.section = r->section.buf;
        return call(r);
    }
    /* The first '=' or ':' splits (libinih's rule: "key: value" also works). */
    char *eq = t;
    while (eq < t + n && *eq != '=' && *eq != ':')
        eq++;
    if (eq == t + n)
        return fail(r, "%s",
                    _("syntax error: not a key = value line (expected [section], key = value, or "
                      "a comment starting with ; or #)"));
    size_t kn = (size_t)(eq - t), vn = n - kn - 1;
    char *key = trim(t, &kn);
    char *value = trim(eq + 1, &vn);
    if (kn == 0)
        return fail(r, "%s", _("syntax error: no key before the = (expected key = value)"));
    set_buf(&r->prev, key, kn);
    r->item.kind = INI_PAIR;
    r->item.key = key;
    r->item.value = value;
    return call(r);
}

int ini_read_mem(const char *name, const char *data, size_t len, unsigned opts, ini_handler_fn fn,
                 void *user, int *err_line, char **err)
{
    struct reader r = {.name = name, .opts = opts, .fn = fn, .user = user};
    set_buf(&r.section, "", 0);
    set_buf(&r.prev, "", 0);
    r.item.path = name;
    r.item.section = r.section.buf;
    size_t pos = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    int rc = 0;
    int line = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        r.item.line = ++line;
        r.item.section = r.section.buf;
        if (do_line(&r, data + pos, end - pos) != 0) {
            rc = -1;
            break;
        }
        pos = nl ? end + 1 : len;
    }
    if (rc != 0) {
        if (err_line)
            *err_line = r.item.line;
        if (err) {
            free(*err);
            *err = r.err;
        } else {
            free(r.err);
        }
    }
    sb_free(&r.line);
    sb_free(&r.section);
    sb_free(&r.prev);
    return rc;
}

int ini_read_file(const char *path, unsigned opts, ini_handler_fn fn, void *user, int *err_line,
                  char **err)
{
    size_t len;
    char *data = read_file(path, &len, err);
    if (!data) {
        if (err_line)
            *err_line = 0;
        return -1;
    }
    int rc = ini_read_mem(path, data, len, opts, fn, user, err_line, err);
    free(data);
    return rc;
}
