/* Reading a session recording (asciicast v2: a JSON header line, then one
 * [time, "kind", "data"] array per line), as src/transcript.c writes it. One reader
 * for the player (session_play.c) and the evidence text (session_text.c). */
#ifndef UNYO_CAST_H
#define UNYO_CAST_H

#include <stddef.h>
#include <stdint.h>

struct cast_event {
    int64_t ms;       /* from the start; never earlier than the event before */
    char kind;        /* 'o' output, 'r' resize or 'm' marker */
    const char *data; /* 'o': the output, decoded (NUL-terminated, may hold NULs);
                       * 'm': the marker's label */
    size_t len;
    int cols, rows; /* 'r': the new size, 0 when it cannot be read */
};

typedef void (*cast_event_fn)(void *arg, const struct cast_event *ev);

/* The header's size in *cols and *rows (80x24 when absent or beyond 1..1000). 0, or -1 and
 * err when the text does not start with an asciicast header. */
int cast_header(const char *cast, size_t len, int *cols, int *rows, char **err);

/* Calls fn for each output, resize and marker event in order (other kinds are skipped). A line
 * that is not an event: strict fails with its line number in err; otherwise it is
 * skipped (a recording cut by a crash still plays). 0, or -1 and err. */
int cast_read(const char *cast, size_t len, int strict, cast_event_fn fn, void *arg, char **err);

#endif
