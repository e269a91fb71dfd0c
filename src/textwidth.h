/* Display width of UTF-8 text, cutting to a width without splitting a
 * character, and making untrusted text safe to show (no control sequence from
 * a server, a log or the database reaches the terminal). */
#ifndef UNYO_TEXTWIDTH_H
#define UNYO_TEXTWIDTH_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Decodes one character at s (len bytes available). Returns bytes used (>= 1);
 * *cp is U+FFFD for an invalid sequence (one byte consumed). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
size_t utf8_encode(uint32_t cp, char out[4]);
int utf8_valid(const char *s, size_t len);
/* Cells one character takes: 0 (combining), 1, or 2 (CJK, fullwidth, emoji).
 * Control characters count as the width of their escaped form. */
int cp_width(uint32_t cp);
/* Display width of s as text_sanitize() would show it. */
int text_width(const char *s);
/* Appends s to sb, escaping what must not reach a terminal: C0/C1 controls
 * and DEL as "\x1b"-style escapes (newline and tab as "\n" / "\t" unless
 * keep_newlines), invalid UTF-8 bytes as "\xNN". */
void text_sanitize(struct strbuf *sb, const char *s, int keep_newlines);
/* A note of several lines in one row (a timeline row, a table cell) shows its
 * first line, never a literal "\n". text_first_line returns the first line of
 * s (NULL gives "", a CR before the LF dropped) malloc'd, and sets *rest (may
 * be NULL) to the text after it, or NULL when nothing but blank lines follows.
 * text_one_line is the first line with " ⏎" after it when more follows. */
char *text_first_line(const char *s, const char **rest);
char *text_one_line(const char *s);
/* A timeline row of a detail view: head followed by the note's first line,
 * then each further line of the note on a row of its own, indented to where
 * the note starts (head's display width), so the whole note is shown and no
 * literal "\n". Returns the number of rows (>= 1) and sets *rows to a malloc'd
 * array of malloc'd strings (free each, then the array). */
size_t text_note_rows(const char *head, const char *note, char ***rows);
/* s in lines of at most width cells (>= 1) for a message or a label that must be
 * read whole: a line break starts a new line; a line too long breaks after its
 * last space when it has one past its first third (English), else between two
 * characters (Japanese has no spaces); never inside a character. Returns the
 * number of lines (>= 1) and sets *lines to a malloc'd array of malloc'd strings
 * (free each, then the array). */
size_t text_wrap(const char *s, int width, char ***lines);
/* Appends s sanitized and fitted to exactly width cells: padded with spaces,
 * or cut at a character boundary with "…" marking the cut. */
void text_fit(struct strbuf *sb, const char *s, int width);
/* Same, right-aligned. */
void text_fit_right(struct strbuf *sb, const char *s, int width);

#endif
