/* The one INI reader for every data and config file (every file under data/, config.ini,
 * the [keys] overrides, theme.ini, ...). Written by hand instead of using
 * libinih: Debian's build of libinih (r55) reads lines into a 200-byte stack
 * buffer and splits longer lines silently into a second "line"
 * (INI_MAX_LINE=200, INI_USE_STACK=1), and its options are process-wide
 * globals, so a loader that changes them races every other parse.
 *
 * Syntax:
 *   [section]          a header; the name is trimmed; nothing may follow the ]
 *                      except a comment
 *   key = value        key and value trimmed of blanks; the first '=' or ':'
 *   key: value         splits (libinih's rule)
 *   ; comment          a line whose first non-blank byte is ; or #
 *   # comment
 * Options (per call; nothing is global):
 *   INI_OPT_INLINE_COMMENTS  " ;" (a ; after a blank) ends the line's text
 *   INI_OPT_CONTINUATION     a line starting with a blank continues the
 *                            previous key of the section: the handler gets
 *                            the same key again, item.continued = 1 and the
 *                            line's trimmed text as the value
 * Always: lines of any length are read whole; a UTF-8 BOM at the start is
 * skipped; CR LF and a missing final newline are fine; a NUL byte or invalid
 * UTF-8 is refused with FILE:LINE. Errors stop the read at the first one.
 * Thread-safe: the reader keeps no state outside the call. */
#ifndef UNYO_INI_H
#define UNYO_INI_H

#include <stddef.h>

#define INI_OPT_INLINE_COMMENTS 0x1u
#define INI_OPT_CONTINUATION 0x2u
/* What the shipped files were written for (libinih's defaults). */
#define INI_OPT_CLASSIC (INI_OPT_INLINE_COMMENTS | INI_OPT_CONTINUATION)

enum ini_kind {
    INI_SECTION, /* a [section] line: section is the new name, key/value NULL */
    INI_PAIR,    /* key = value, or a continuation line (continued = 1) */
};

struct ini_item {
    enum ini_kind kind;
    const char *path;    /* the name given for messages */
    int line;            /* 1-based physical line */
    const char *section; /* current section; "" before the first header */
    const char *key;     /* INI_PAIR */
    const char *value;   /* INI_PAIR: trimmed, never NULL */
    int continued;       /* INI_PAIR: 1 on an indented continuation line */
};

/* Called for every section header and pair in order. Returns 0 to go on, -1
 * to stop the read. On -1 the handler may set *err to the whole message
 * (ini_fail() formats "FILE:LINE: ..."); if it leaves *err NULL the reader
 * reports "FILE:LINE: invalid line". */
typedef int (*ini_handler_fn)(void *user, const struct ini_item *item, char **err);

/* Reads path. 0 on success; -1 with *err = "FILE:LINE: what (expected ...)",
 * or "cannot open FILE: why" (then *err_line = 0). err_line may be NULL; on
 * failure it gets the line of the error. */
int ini_read_file(const char *path, unsigned opts, ini_handler_fn fn, void *user, int *err_line,
                  char **err);
/* The same over len bytes in memory; name is used in messages. */
int ini_read_mem(const char *name, const char *data, size_t len, unsigned opts, ini_handler_fn fn,
                 void *user, int *err_line, char **err);

/* Sets *err (if NULL so far) to "PATH:LINE: " + the formatted message and
 * returns -1, for handlers: `return ini_fail(it, err, _("..."), ...);`. */
int ini_fail(const struct ini_item *item, char **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
