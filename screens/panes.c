/* The pane registry: tab order. Adding a pane = one file in screens/ and one
 * line here. The kit does not know the panes: src/main.c hands this list to
 * it with ui_set_panes. */
#include "screens.h"
#include "util.h"

static const struct pane_ops *const registry[] = {
    &checklist_pane, &incidents_pane, &jobs_pane,  &changes_pane,
    &consoles_pane,  &handover_pane,  &hosts_pane, &reports_pane,
};

const struct pane_ops *const *screens_panes(size_t *count)
{
    *count = ARRAY_LEN(registry);
    return registry;
}
