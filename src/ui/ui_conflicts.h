/* The Conflicts view (`:conflicts`): the edits a sync overwrote and the records
 * it renamed (src/sync_conflicts.h), with both values, who, when and which
 * won; a accepts the winner, r writes the value that lost again (asks first). */
#ifndef UNYO_UI_CONFLICTS_H
#define UNYO_UI_CONFLICTS_H

void ui_conflicts_show(void);

#endif
