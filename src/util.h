/* Small helpers every module uses: checked allocation, growable strings,
 * error messages handed back to callers. */
#ifndef UNYO_UTIL_H
#define UNYO_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Recoverable failures return -1 and, when err is not NULL, set *err to a
 * malloc'd message for the operator (already translated). */
void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
};
#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_reset(struct strbuf *sb);
char *sb_detach(struct strbuf *sb); /* returns "" (malloc'd) when empty */
void sb_free(struct strbuf *sb);

/* Reads a whole file; NULL with *err on failure. */
char *read_file(const char *path, size_t *len, char **err);
/* Creates a directory and its parents (mode 0700 for new ones). */
int mkdir_p(const char *path, char **err);
int streq(const char *a, const char *b);

/* A set of strings (open addressing), for "seen already": each added string is
 * copied, and strset_free frees the copies. */
struct strset {
    char **slot;
    size_t cap, count;
};
/* 1 when s was added, 0 when it was there already. */
int strset_add(struct strset *set, const char *s);
void strset_free(struct strset *set);

#endif
