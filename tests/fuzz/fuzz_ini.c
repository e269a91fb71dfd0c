/* The INI reader (src/ini.h) over any bytes. The first byte picks the options;
 * the rest is the file. Properties:
 * - every section name, key and value the reader reports is exactly what its
 *   physical line says once the comment is cut and blanks are trimmed (so a
 *   long line is never split, and nothing is invented);
 * - items come in line order, one per line, from every line that is neither
 *   blank nor a comment (on success);
 * - reported text is valid UTF-8 without NUL or newline;
 * - a failure names "fuzz.ini:LINE: " with LINE the line it stopped on, no
 *   earlier than the last item. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "textwidth.h"
#include "util.h"

struct line {
    const char *s;
    size_t n;
};

struct ctx {
    unsigned opts;
    struct line *lines;
    size_t nlines;
    int last_line;
    size_t items;
    char *prev_key; /* last key of the section, for continuations */
};

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *n)
{
    while (*n && blank(**s))
        (*s)++, (*n)--;
    while (*n && blank((*s)[*n - 1]))
        (*n)--;
}

static void must_equal(const char *got, const char *s, size_t n)
{
    if (strlen(got) != n || memcmp(got, s, n) != 0)
        abort();
    if (!utf8_valid(got, n) || memchr(got, '\n', n))
        abort();
}

/* The line's text as the options see it: comment cut, trimmed. */
static void content(const struct ctx *c, const struct line *l, const char **s, size_t *n)
{
    *s = l->s;
    *n = l->n;
    if (c->opts & INI_OPT_INLINE_COMMENTS)
        for (size_t i = 1; i < *n; i++)
            if ((*s)[i] == ';' && ((*s)[i - 1] == ' ' || (*s)[i - 1] == '\t')) {
                *n = i;
                break;
            }
    trim(s, n);
}

static int is_item_line(const struct ctx *c, const struct line *l)
{
    const char *s = l->s;
    size_t n = l->n;
    trim(&s, &n);
    (void)c;
    return n && *s != ';' && *s != '#';
}

static int on_item(void *user, const struct ini_item *it, char **err)
{
    (void)err;
    struct ctx *c = user;
    if (it->line <= c->last_line || it->line < 1 || (size_t)it->line > c->nlines)
        abort();
    /* Every line skipped since the last item was blank or a comment. */
    for (int k = c->last_line + 1; k < it->line; k++)
        if (is_item_line(c, &c->lines[k - 1]))
            abort();
    c->last_line = it->line;
    c->items++;
    const struct line *l = &c->lines[it->line - 1];
    const char *s;
    size_t n;
    content(c, l, &s, &n);
    if (it->kind == INI_SECTION) {
        if (!n || s[0] != '[' || it->key || it->value)
            abort();
        const char *end = memchr(s, ']', n);
        if (!end)
            abort();
        const char *name = s + 1;
        size_t k = (size_t)(end - name);
        trim(&name, &k);
        must_equal(it->section, name, k);
        free(c->prev_key);
        c->prev_key = NULL;
        return 0;
    }
    if (it->kind != INI_PAIR || !it->key || !it->value)
        abort();
    if (it->continued) {
        if (!(c->opts & INI_OPT_CONTINUATION) || !c->prev_key || !l->n ||
            (l->s[0] != ' ' && l->s[0] != '\t'))
            abort();
        if (strcmp(it->key, c->prev_key) != 0)
            abort();
        must_equal(it->value, s, n);
        return 0;
    }
    size_t sep = 0;
    while (sep < n && s[sep] != '=' && s[sep] != ':')
        sep++;
    if (sep == n)
        abort();
    const char *key = s, *value = s + sep + 1;
    size_t kn = sep, vn = n - sep - 1;
    trim(&key, &kn);
    trim(&value, &vn);
    if (!kn)
        abort();
    must_equal(it->key, key, kn);
    must_equal(it->value, value, vn);
    free(c->prev_key);
    c->prev_key = xstrdup(it->key);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct ctx c = {.opts = data[0] & 3u};
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    /* The physical lines, as the oracle sees them. */
    size_t start = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    c.lines = xmalloc((len + 1) * sizeof *c.lines);
    for (size_t pos = start; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        c.lines[c.nlines++] = (struct line){text + pos, end - pos};
        pos = end + 1;
    }

    char *err = NULL;
    int err_line = -1;
    int rc = ini_read_mem("fuzz.ini", text, len, c.opts, on_item, &c, &err_line, &err);
    if (rc == 0) {
        if (err)
            abort();
        for (size_t k = (size_t)c.last_line + 1; k <= c.nlines; k++)
            if (is_item_line(&c, &c.lines[k - 1]))
                abort();
    } else {
        if (rc != -1 || !err || err_line < 1 || (size_t)err_line > c.nlines ||
            err_line <= c.last_line)
            abort();
        char prefix[40];
        snprintf(prefix, sizeof prefix, "fuzz.ini:%d: ", err_line);
        if (strncmp(err, prefix, strlen(prefix)) != 0)
            abort();
        /* It stopped on the first line that is not clean text. */
        for (int k = 1; k < err_line; k++) {
            const struct line *l = &c.lines[k - 1];
            if (memchr(l->s, '\0', l->n) || !utf8_valid(l->s, l->n))
                abort();
        }
    }
    free(err);
    free(c.prev_key);
    free(c.lines);
    return 0;
}
