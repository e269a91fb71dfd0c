/* The panes, one file each; listed in src/ui/panes.c. */
#ifndef UNYO_SCREENS_H
#define UNYO_SCREENS_H

#include "ui.h"

extern const struct pane_ops checklist_pane;
extern const struct pane_ops incidents_pane;
extern const struct pane_ops handover_pane;

#endif
