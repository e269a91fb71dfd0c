/* The first run of a new store: after `unyo init` (not the demo) the console opens
 * with a short guided set-up (who you are, the libraries, the hosts, the shift; each
 * step can be skipped; `:setup` opens it again). This keeps whether it is due. */
#ifndef UNYO_SETUP_H
#define UNYO_SETUP_H

struct store;

/* *none = 1 when the store has no active operator (nobody could register you). */
int setup_no_operator(struct store *st, int *none, char **err);
/* *due = 1 when the store has no active operator and its first run was not
 * finished or skipped on this console (local_meta first_run). 0, or -1 with *err. */
int setup_first_run_due(struct store *st, int *due, char **err);
/* Records that the first run was gone through (finished or skipped). */
int setup_first_run_done(struct store *st, char **err);

#endif
