/* Sync: the COPY text format both ways (rows out of SQLite for a push,
 * rows of a pull into fields), column lists and result checks. */
#include "sync.h"

#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "sync_int.h"
#include "util.h"

/* ---- COPY text format ------------------------------------------------------ */

static void copy_escape(struct strbuf *sb, const char *s, size_t n)
{
    /* Runs without special characters go in one copy. */
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\' && c != '\t' && c != '\n' && c != '\r')
            continue;
        if (i > start)
            sb_add(sb, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '\\':
            sb_add(sb, "\\\\", 2);
            break;
        case '\t':
            sb_add(sb, "\\t", 2);
            break;
        case '\n':
            sb_add(sb, "\\n", 2);
            break;
        default:
            sb_add(sb, "\\r", 2);
        }
    }
    if (n > start)
        sb_add(sb, s + start, n - start);
}

/* Appends column i of s in COPY text form for a mirror column of affinity aff. */
void sync_copy_value(struct strbuf *sb, sqlite3_stmt *s, int i, char aff)
{
    int type = sqlite3_column_type(s, i);
    if (type == SQLITE_NULL) {
        sb_add(sb, "\\N", 2);
        return;
    }
    if (aff == 'r' && (type == SQLITE_FLOAT || type == SQLITE_INTEGER)) {
        sb_printf(sb, "%.17g", sqlite3_column_double(s, i));
        return;
    }
    if (aff == 'i' && type == SQLITE_INTEGER) {
        sb_printf(sb, "%lld", (long long)sqlite3_column_int64(s, i));
        return;
    }
    const char *v = (const char *)sqlite3_column_text(s, i);
    copy_escape(sb, v, (size_t)sqlite3_column_bytes(s, i));
}

/* Splits one COPY text row (without its newline) in place. fields[i] NULL
 * for \N. Returns the number of fields. */
int sync_copy_split(char *line, size_t len, char **fields, size_t *lens, int max)
{
    int n = 0;
    char *p = line, *end = line + len;
    while (n < max) {
        char *start = p, *out = p;
        while (p < end && *p != '\t') {
            if (*p == '\\' && p + 1 < end) {
                p++;
                char c = *p++;
                switch (c) {
                case 'b':
                    *out++ = '\b';
                    break;
                case 'f':
                    *out++ = '\f';
                    break;
                case 'n':
                    *out++ = '\n';
                    break;
                case 'r':
                    *out++ = '\r';
                    break;
                case 't':
                    *out++ = '\t';
                    break;
                case 'v':
                    *out++ = '\v';
                    break;
                case 'N':
                    *out++ = '\\'; /* marker, checked below */
                    *out++ = 'N';
                    break;
                case 'x': {
                    int v = 0, k = 0;
                    while (k < 2 && p < end &&
                           ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                            (*p >= 'A' && *p <= 'F'))) {
                        char h = *p++;
                        v = v * 16 + (h <= '9' ? h - '0' : (h | 32) - 'a' + 10);
                        k++;
                    }
                    *out++ = (char)v;
                    break;
                }
                default:
                    if (c >= '0' && c <= '7') {
                        int v = c - '0', k = 1;
                        while (k < 3 && p < end && *p >= '0' && *p <= '7') {
                            v = v * 8 + (*p++ - '0');
                            k++;
                        }
                        *out++ = (char)v;
                    } else {
                        *out++ = c;
                    }
                }
            } else {
                *out++ = *p++;
            }
        }
        size_t flen = (size_t)(out - start);
        /* A field that is exactly \N is NULL (an escaped backslash followed by
         * N was written as "\\N" and unescaped to "\N" too: tell them apart
         * by the raw length, 2 for NULL, 3 for the text). */
        if (flen == 2 && start[0] == '\\' && start[1] == 'N' && p - start == 2)
            fields[n] = NULL;
        else
            fields[n] = start;
        lens[n] = flen;
        n++;
        if (p >= end)
            break;
        *out = '\0';
        p++; /* the tab */
    }
    /* NUL-terminate the last field (there is room: the newline). */
    if (n > 0 && fields[n - 1])
        fields[n - 1][lens[n - 1]] = '\0';
    return n;
}

/* ---- column lists and results ---- */

void sync_col_list(struct strbuf *sb, const struct ledger_table *t, const char *prefix)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            sb_puts(sb, ", ");
        if (prefix)
            sb_puts(sb, prefix);
        sql_ident(sb, t->cols[i]);
    }
}

int sync_pg_ok(PGconn *c, PGresult *r, ExecStatusType want, const char *doing, char **err)
{
    if (PQresultStatus(r) == want)
        return 0;
    central_fail(c, r, doing, err);
    return -1;
}
