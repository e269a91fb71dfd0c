#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "textwidth.h"
#include "util.h"

struct output_table {
    int ncols;
    char **keys, **headings;
    unsigned char *number; /* per column: 1 a JSON number, 2 a boolean */
    char **cells;          /* rows * ncols */
    size_t rows, cap;
};

struct output_table *output_new(int ncols, const char *const *keys, const char *const *headings)
{
    struct output_table *t = xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->keys = xcalloc((size_t)ncols, sizeof *t->keys);
    t->headings = xcalloc((size_t)ncols, sizeof *t->headings);
    t->number = xcalloc((size_t)ncols, 1);
    for (int i = 0; i < ncols; i++) {
        t->keys[i] = xstrdup(keys[i]);
        t->headings[i] = xstrdup(headings ? headings[i] : keys[i]);
    }
    return t;
}

void output_row(struct output_table *t, const char *const *values)
{
    if (t->rows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->cells = xrealloc(t->cells, t->cap * (size_t)t->ncols * sizeof *t->cells);
    }
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->rows * (size_t)t->ncols + (size_t)i] = values[i] ? xstrdup(values[i]) : NULL;
    t->rows++;
}

size_t output_rows(const struct output_table *t)
{
    return t->rows;
}

static void mark(struct output_table *t, const char *keys, unsigned char kind)
{
    for (int c = 0; c < t->ncols; c++) {
        size_t kl = strlen(t->keys[c]);
        for (const char *p = keys; *p;) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (n == kl && memcmp(p, t->keys[c], n) == 0)
                t->number[c] = kind;
            p += n + (e != NULL);
        }
    }
}

void output_numbers(struct output_table *t, const char *keys)
{
    mark(t, keys, 1);
}

void output_booleans(struct output_table *t, const char *keys)
{
    mark(t, keys, 2);
}

/* RFC 8259's number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number_text(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return 0;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

static int print_text(const struct output_table *t, FILE *out)
{
    int *w = xcalloc((size_t)t->ncols, sizeof *w);
    for (int c = 0; c < t->ncols; c++)
        w[c] = text_width(t->headings[c]);
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < t->ncols; c++) {
            const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];
            int cw = v ? text_width(v) : 0;
            if (cw > w[c])
                w[c] = cw > 60 ? 60 : cw;
        }
    struct strbuf sb = STRBUF_INIT;
    for (int c = 0; c < t->ncols; c++) {
        text_fit(&sb, t->headings[c], w[c]);
        sb_puts(&sb, c + 1 < t->ncols ? "  " : "");
    }
    while (sb.len && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = '\0';
    sb_putc(&sb, '\n');
    for (size_t r = 0; r < t->rows; r++) {
        size_t start = sb.len;
        for (int c = 0; c < t->ncols; c++) {
            const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];
            text_fit(&sb, v ? v : "", w[c]);
            sb_puts(&sb, c + 1 < t->ncols ? "  " : "");
        }
        while (sb.len > start && sb.buf[sb.len - 1] == ' ')
            sb.buf[--sb.len] = '\0';
        sb_putc(&sb, '\n');
    }
    int rc = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
    sb_free(&sb);
    free(w);
    return rc;
}

static int print_json(const struct output_table *t, FILE *out)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "[");
    for (size_t r = 0; r < t->rows; r++) {
        sb_puts(&sb, r ? ",\n {" : "\n {");
        for (int c = 0; c < t->ncols; c++) {
            const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];
            if (c)
                sb_puts(&sb, ", ");
            json_string(&sb, t->keys[c]);
            sb_puts(&sb, ": ");
            if (t->number[c] == 1 && v && json_number_text(v))
                sb_puts(&sb, v);
            else if (t->number[c] == 2 && v && (streq(v, "true") || streq(v, "yes")))
                sb_puts(&sb, "true");
            else if (t->number[c] == 2 && v && (streq(v, "false") || streq(v, "no")))
                sb_puts(&sb, "false");
            else if (v && !(t->number[c] && !*v))
                json_string(&sb, v);
            else
                sb_puts(&sb, "null");
        }
        sb_puts(&sb, "}");
    }
    sb_puts(&sb, t->rows ? "\n]\n" : "]\n");
    int rc = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
    sb_free(&sb);
    return rc;
}

static int print_csv(const struct output_table *t, FILE *out)
{
    struct csv_writer *w = csv_writer_open(out, 0);
    for (int c = 0; c < t->ncols; c++)
        csv_write_field(w, t->keys[c], strlen(t->keys[c]));
    csv_end_row(w);
    for (size_t r = 0; r < t->rows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];
            csv_write_field(w, v, v ? strlen(v) : 0);
        }
        csv_end_row(w);
    }
    return csv_writer_close(w);
}

static FILE *raw_stdout;

void output_set_raw_stdout(FILE *raw)
{
    raw_stdout = raw;
}

int output_print(const struct output_table *t, enum output_format fmt, FILE *out)
{
    if (fmt != OUTPUT_TEXT && out == stdout && raw_stdout) {
        if (fflush(stdout) != 0)
            return -1;
        out = raw_stdout;
    }
    int rc;
    switch (fmt) {
    case OUTPUT_CSV:
        rc = print_csv(t, out);
        break;
    case OUTPUT_JSON:
        rc = print_json(t, out);
        break;
    default:
        rc = print_text(t, out);
    }
    if (out == raw_stdout && fflush(out) != 0)
        rc = -1;
    return rc;
}

void output_free(struct output_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    for (int i = 0; i < t->ncols; i++) {
        free(t->keys[i]);
        free(t->headings[i]);
    }
    free(t->cells);
    free(t->keys);
    free(t->headings);
    free(t->number);
    free(t);
}
