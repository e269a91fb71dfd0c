/* The timeline of a change or a job run as shown: kind, note, who (login) and
 * at (ISO text), one row per event, read from any `*_events` query that
 * selects those four columns in that order. */
#ifndef UNYO_EVENT_ROWS_H
#define UNYO_EVENT_ROWS_H

#include <stddef.h>

struct sqlite3_stmt;

struct event_row {
    char *kind, *note, *who, *at;
};

/* Steps s (bound by the caller) to its end, appending a row per result to
 * *rows (*n of them), then resets s. Returns 0, or -1 with *err set when a
 * row cannot be read: then *rows is freed and emptied, never a cut timeline. */
int event_rows_read(struct sqlite3_stmt *s, struct event_row **rows, size_t *n, char **err);
void event_rows_free(struct event_row *rows, size_t n);

#endif
