#include "csv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

#define CSV_WBUF (128 * 1024) /* writer's output buffer */
#define CSV_RBUF (64 * 1024)  /* reader's input buffer */

/* Bytes that force quoting on output and end an unquoted field on input. */
static const unsigned char special[256] = {[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1};

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Non-zero iff some byte of x equals one of , " CR LF (the classic "has a zero
 * byte" test on x ^ c; it may flag extra bytes above a real match, never a
 * word without one). */
static inline uint64_t word_has_special(uint64_t x)
{
    uint64_t a = x ^ (ONES * ','), b = x ^ (ONES * '"');
    uint64_t c = x ^ (ONES * '\r'), d = x ^ (ONES * '\n');
    return (((a - ONES) & ~a) | ((b - ONES) & ~b) | ((c - ONES) & ~c) | ((d - ONES) & ~d)) & HIGHS;
}

/* Index of the first special byte in p[0..n), or n. */
static size_t find_special(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        if (word_has_special(x))
            break;
    }
    for (; i < n; i++)
        if (special[p[i]])
            return i;
    return n;
}

/* ---------------------------------------------------------------- writer */

struct csv_writer {
    FILE *out;
    size_t len;       /* bytes in buf */
    int at_row_start; /* no field written yet in the current record */
    int at_start;     /* nothing written at all, not even a BOM */
    int excel;        /* BOM written: guard fields a spreadsheet would run */
    int err;          /* errno of the first failed write, 0 if none */
    char buf[CSV_WBUF];
};

static void w_write(struct csv_writer *w, const char *s, size_t n)
{
    if (w->err || n == 0)
        return;
    errno = 0;
    if (fwrite(s, 1, n, w->out) != n)
        w->err = errno ? errno : EIO;
}

static void w_flush(struct csv_writer *w)
{
    w_write(w, w->buf, w->len);
    w->len = 0;
}

static void w_put_slow(struct csv_writer *w, const char *s, size_t n)
{
    w_flush(w);
    if (n >= CSV_WBUF) {
        w_write(w, s, n);
        return;
    }
    memcpy(w->buf, s, n);
    w->len = n;
}

static inline void w_put(struct csv_writer *w, const char *s, size_t n)
{
    if (n <= CSV_WBUF - w->len) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
    } else {
        w_put_slow(w, s, n);
    }
}

static inline void w_putc(struct csv_writer *w, char c)
{
    if (w->len == CSV_WBUF)
        w_flush(w);
    w->buf[w->len++] = c;
}

struct csv_writer *csv_writer_open(FILE *out, int bom)
{
    struct csv_writer *w = xmalloc(sizeof *w);
    w->out = out;
    w->len = 0;
    w->at_row_start = 1;
    w->at_start = !bom;
    w->excel = bom != 0;
    w->err = 0;
    if (bom)
        w_put(w, "\xEF\xBB\xBF", 3);
    return w;
}

/* A plain decimal number with a sign ("-3", "+1.5"): a spreadsheet reads it
 * as that number, never as a formula, so it needs no guard. */
static int signed_number(const char *s, size_t len)
{
    size_t i = 1, digits = 0;
    int dot = 0;
    for (; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] == '.' && !dot && digits)
            dot = 1;
        else
            return 0;
    }
    return digits > 0 && s[len - 1] != '.';
}

int csv_excel_guard(const char *s, size_t len)
{
    if (!s || len == 0)
        return 0;
    switch (s[0]) {
    case '=':
    case '@':
    case '\t':
    case '\r':
    case '\'':
        return 1;
    case '+':
    case '-':
        return !signed_number(s, len);
    default:
        return 0;
    }
}

void csv_write_field(struct csv_writer *w, const char *s, size_t len)
{
    if (!w->at_row_start)
        w_putc(w, ',');
    w->at_row_start = 0;
    int first = w->at_start;
    w->at_start = 0;
    if (!s)
        return; /* NULL: empty unquoted field */
    if (len == 0) {
        w_put(w, "\"\"", 2);
        return;
    }
    size_t i = find_special((const unsigned char *)s, len);
    /* The file's first bytes EF BB BF would be read as a BOM and dropped:
     * quoted, they are text (found by fuzz_csv). */
    if (first && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 0;
    /* OWASP's guard against CSV injection: in Excel mode a leading
     * apostrophe makes a spreadsheet take "=1+1" as text. The reader drops
     * it again, so the value round-trips. */
    int guard = w->excel && csv_excel_guard(s, len);
    if (i == len) {
        if (guard)
            w_putc(w, '\'');
        w_put(w, s, len);
        return;
    }
    /* Quoted: copy runs up to and including each '"', doubling it. No '"'
     * can occur before the first special byte. */
    w_putc(w, '"');
    if (guard)
        w_putc(w, '\'');
    const char *seg = s, *end = s + len, *q;
    while ((q = memchr(s + i, '"', (size_t)(end - (s + i)))) != NULL) {
        w_put(w, seg, (size_t)(q - seg) + 1);
        w_putc(w, '"');
        seg = q + 1;
        i = (size_t)(seg - s);
    }
    w_put(w, seg, (size_t)(end - seg));
    w_putc(w, '"');
}

void csv_end_row(struct csv_writer *w)
{
    w_put(w, "\r\n", 2);
    w->at_row_start = 1;
}

int csv_writer_close(struct csv_writer *w)
{
    if (!w)
        return 0;
    w_flush(w);
    if (!w->err) {
        errno = 0;
        if (fflush(w->out) != 0 || ferror(w->out))
            w->err = errno ? errno : EIO;
    }
    int e = w->err;
    free(w);
    if (e) {
        errno = e;
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- reader */

enum rstate {
    S_FIELD_START, /* before the first byte of a field */
    S_UNQUOTED,    /* inside an unquoted field */
    S_QUOTED,      /* inside a quoted field */
    S_QUOTE_SEEN,  /* just after a '"' inside a quoted field */
    S_CR,          /* just after a CR outside quotes: LF must follow */
};

struct csv_reader {
    FILE *in;
    char *ibuf;
    size_t ipos, ilen;
    int eof;
    int read_errno; /* errno of a failed fread, kept for the message */
    long line;      /* physical line of the byte at ipos */
    long rec_line;  /* where the last returned record starts */
    char *failed;   /* sticky error message */
    int excel;      /* the file starts with a BOM: fields may carry a guard */

    struct strbuf rec; /* current record's field bytes, each NUL-terminated */
    size_t fstart;     /* offset in rec of the field being read */
    size_t nf, fcap;
    size_t *offs, *lens;
    unsigned char *nulls;
    const char **ptrs;
};

struct csv_reader *csv_reader_open(FILE *in)
{
    struct csv_reader *r = xcalloc(1, sizeof *r);
    r->in = in;
    r->ibuf = xmalloc(CSV_RBUF);
    r->line = 1;
    errno = 0;
    r->ilen = fread(r->ibuf, 1, CSV_RBUF, in);
    if (r->ilen < CSV_RBUF) {
        r->eof = 1; /* EOF or error; a read error is reported by csv_read_row */
        r->read_errno = errno ? errno : EIO;
    }
    if (r->ilen >= 3 && memcmp(r->ibuf, "\xEF\xBB\xBF", 3) == 0) {
        r->ipos = 3;
        r->excel = 1;
    }
    return r;
}

static void rec_add(struct csv_reader *r, const char *s, size_t n)
{
    if (n == 0)
        return;
    sb_grow(&r->rec, n);
    memcpy(r->rec.buf + r->rec.len, s, n);
    r->rec.len += n;
}

static void push_field(struct csv_reader *r, unsigned char is_null)
{
    if (r->nf == r->fcap) {
        r->fcap = r->fcap ? r->fcap * 2 : 16;
        r->offs = xrealloc(r->offs, r->fcap * sizeof *r->offs);
        r->lens = xrealloc(r->lens, r->fcap * sizeof *r->lens);
        r->nulls = xrealloc(r->nulls, r->fcap * sizeof *r->nulls);
        r->ptrs = xrealloc(r->ptrs, r->fcap * sizeof *r->ptrs);
    }
    r->offs[r->nf] = r->fstart;
    r->lens[r->nf] = r->rec.len - r->fstart;
    r->nulls[r->nf] = is_null;
    r->nf++;
    sb_grow(&r->rec, 1);
    r->rec.buf[r->rec.len++] = '\0';
    r->fstart = r->rec.len;
}

static long count_lf(const char *p, size_t n)
{
    long c = 0;
    const char *e = p + n;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

/* Makes more input available; 0 at end of input, -1 on a read error. */
static int refill(struct csv_reader *r)
{
    if (!r->eof) {
        errno = 0;
        r->ipos = 0;
        r->ilen = fread(r->ibuf, 1, CSV_RBUF, r->in);
        if (r->ilen < CSV_RBUF) {
            r->eof = 1;
            r->read_errno = errno ? errno : EIO;
        }
        if (r->ilen > 0)
            return 1;
    }
    return ferror(r->in) ? -1 : 0;
}

static int fail(struct csv_reader *r, char **err, char *msg)
{
    r->failed = msg;
    set_err(err, "%s", msg);
    return -1;
}

int csv_read_row(struct csv_reader *r, size_t *nfields, const char *const **fields,
                 const size_t **lens, const unsigned char **is_null, char **err)
{
    if (r->failed) {
        set_err(err, "%s", r->failed);
        return -1;
    }
    enum rstate st = S_FIELD_START;
    int begun = 0;
    long start_line = r->line, quote_line = 0;
    r->nf = 0;
    r->rec.len = 0;
    r->fstart = 0;

    for (;;) {
        if (r->ipos == r->ilen) {
            int rc = refill(r);
            if (rc < 0)
                return fail(
                    r, err,
                    xasprintf(_("line %ld: read error: %s"), r->line, strerror(r->read_errno)));
            if (rc == 0) {
                switch (st) {
                case S_FIELD_START:
                    if (!begun)
                        return 0;
                    push_field(r, 1);
                    goto done;
                case S_UNQUOTED:
                case S_QUOTE_SEEN:
                    push_field(r, 0);
                    goto done;
                case S_QUOTED:
                    return fail(r, err,
                                xasprintf(_("line %ld: quoted field is never closed"), quote_line));
                case S_CR:
                    return fail(r, err,
                                xasprintf(_("line %ld: carriage return outside quotes is not "
                                            "followed by a line feed"),
                                          r->line));
                }
            }
        }
        const char *p = r->ibuf + r->ipos;
        size_t avail = r->ilen - r->ipos;
        switch (st) {
        case S_FIELD_START:
            begun = 1;
            switch (*p) {
            case '"':
                r->ipos++;
                quote_line = r->line;
                st = S_QUOTED;
                break;
            case ',':
                r->ipos++;
                push_field(r, 1);
                break;
            case '\n':
                r->ipos++;
                r->line++;
                push_field(r, 1);
                goto done;
            case '\r':
                r->ipos++;
                push_field(r, 1);
                st = S_CR;
                break;
            default:
                st = S_UNQUOTED;
                break;
            }
            break;
        case S_UNQUOTED: {
            size_t n = find_special((const unsigned char *)p, avail);
            rec_add(r, p, n);
            r->ipos += n;
            if (n == avail)
                break;
            r->ipos++;
            switch (p[n]) {
            case ',':
                push_field(r, 0);
                st = S_FIELD_START;
                break;
            case '\n':
                r->line++;
                push_field(r, 0);
                goto done;
            case '\r':
                push_field(r, 0);
                st = S_CR;
                break;
            default: /* '"' */
                return fail(r, err,
                            xasprintf(_("line %ld: stray quote inside an unquoted field "
                                        "(quote the whole field and double the quote)"),
                                      r->line));
            }
            break;
        }
        case S_QUOTED: {
            const char *q = memchr(p, '"', avail);
            size_t n = q ? (size_t)(q - p) : avail;
            rec_add(r, p, n);
            r->line += count_lf(p, n);
            r->ipos += n;
            if (q) {
                r->ipos++;
                st = S_QUOTE_SEEN;
            }
            break;
        }
        case S_QUOTE_SEEN:
            switch (*p) {
            case '"':
                r->ipos++;
                rec_add(r, "\"", 1);
                st = S_QUOTED;
                break;
            case ',':
                r->ipos++;
                push_field(r, 0);
                st = S_FIELD_START;
                break;
            case '\n':
                r->ipos++;
                r->line++;
                push_field(r, 0);
                goto done;
            case '\r':
                r->ipos++;
                push_field(r, 0);
                st = S_CR;
                break;
            default:
                return fail(
                    r, err,
                    xasprintf(_("line %ld: text after the closing quote of a field"), r->line));
            }
            break;
        case S_CR:
            if (*p != '\n')
                return fail(r, err,
                            xasprintf(_("line %ld: carriage return outside quotes is not "
                                        "followed by a line feed"),
                                      r->line));
            r->ipos++;
            r->line++;
            goto done;
        }
    }

done:
    for (size_t i = 0; i < r->nf; i++) {
        /* Excel mode: the writer's guard apostrophe is not part of the value. */
        if (r->excel && !r->nulls[i] && r->lens[i] > 0 && r->rec.buf[r->offs[i]] == '\'') {
            r->offs[i]++;
            r->lens[i]--;
        }
        r->ptrs[i] = r->rec.buf + r->offs[i];
    }
    r->rec_line = start_line;
    *nfields = r->nf;
    *fields = (const char *const *)r->ptrs;
    *lens = r->lens;
    *is_null = r->nulls;
    return 1;
}

long csv_reader_line(const struct csv_reader *r)
{
    return r->rec_line;
}

size_t csv_reader_footprint(const struct csv_reader *r)
{
    return sizeof *r + CSV_RBUF + r->rec.cap +
           r->fcap * (sizeof *r->offs + sizeof *r->lens + sizeof *r->nulls + sizeof *r->ptrs);
}

void csv_reader_close(struct csv_reader *r)
{
    if (!r)
        return;
    free(r->ibuf);
    sb_free(&r->rec);
    free(r->offs);
    free(r->lens);
    free(r->nulls);
    free(r->ptrs);
    free(r->failed);
    free(r);
}
