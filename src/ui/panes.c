/* The pane registry: tab order. Adding a pane = one file in screens/ and one
 * line here. */
#include "screens.h"
#include "ui.h"
#include "util.h"

static const struct pane_ops *const registry[] = {
    &checklist_pane, &incidents_pane, &jobs_pane,  &changes_pane,
    &consoles_pane,  &handover_pane,  &hosts_pane, &reports_pane,
};

const struct pane_ops *const *ui_pane_registry(size_t *count)
{
    *count = ARRAY_LEN(registry);
    return registry;
}
