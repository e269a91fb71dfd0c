/* The command log: the `unyo …` line equivalent to what the console just did, so an
 * operator learns the command line for scripts and cron (as lazygit shows its git
 * commands). A pane that performs an action calls cmdlog_add with the CLI's words;
 * `:log` in the console lists them. In memory, per process, newest last. */
#ifndef UNYO_CMDLOG_H
#define UNYO_CMDLOG_H

#include <stddef.h>
#include <stdint.h>

/* The store the lines name: `--db PATH` is added when path is not the default
 * store (store_default_path); NULL forgets it. */
void cmdlog_set_db(const char *path);
/* Records `unyo [--db PATH] WORDS…` (words NULL-terminated; each shell-quoted when it
 * needs it; a NULL-valued option pair may be skipped by passing words without it).
 * Returns the line (owned by the log). */
const char *cmdlog_add(const char *const *words);
size_t cmdlog_count(void);
/* Line i (0 = oldest) and when it was recorded (UTC ms); NULL past the end. */
const char *cmdlog_line(size_t i, int64_t *at_ms);
void cmdlog_clear(void);
/* A word quoted for a POSIX shell when it needs it (malloc'd). */
char *cmdlog_quote(const char *word);

#endif
