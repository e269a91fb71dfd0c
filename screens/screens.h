/* The panes, one file each; listed in screens/panes.c. */
#ifndef UNYO_SCREENS_H
#define UNYO_SCREENS_H

#include <stdint.h>

#include "ui.h"

extern const struct pane_ops checklist_pane; /* screens/checklist.c */
extern const struct pane_ops incidents_pane; /* screens/incidents.c */
extern const struct pane_ops jobs_pane;      /* screens/jobs.c */
extern const struct pane_ops changes_pane;   /* screens/changes.c */
extern const struct pane_ops consoles_pane;  /* screens/consoles.c */
extern const struct pane_ops handover_pane;  /* screens/handover.c */
extern const struct pane_ops hosts_pane;     /* screens/hosts.c */
extern const struct pane_ops reports_pane;   /* screens/reports.c */

/* Every pane, in tab order (screens/panes.c): src/main.c gives it to the kit
 * with ui_set_panes. */
const struct pane_ops *const *screens_panes(size_t *count);

/* The player of a recorded console session over the screen
 * (screens/session_player.c); q closes it. -1 with *err when the session has
 * no recording. */
struct store;
int session_player_open(struct store *st, const char *session_id, char **err);
/* The same, paused at_ms into the recording (-1: playing from the start), with needle
 * (may be NULL) as the text / had searched: a match of the recordings search. */
int session_player_open_at(struct store *st, const char *session_id, int64_t at_ms,
                           const char *needle, char **err);

#endif
