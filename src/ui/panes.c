/* The pane registry: tab order. Adding a pane = one file in screens/ and one
 * line here. Panes not built yet say so plainly. */
#include "i18n.h"
#include "screens.h"
#include "ui.h"
#include "util.h"

static void stub_draw(struct pane *p, const struct ui_canvas *c)
{
    ui_put(c, 1, 2, -1, STYLE_HEADER, _(p->ops->title));
    ui_put(c, 3, 2, -1, STYLE_NORMAL, _("This pane is not built yet."));
    ui_put(c, 4, 2, -1, STYLE_DIM,
           _("Tab or a number switches to another pane; ? shows the keys."));
}

static int stub_action(struct pane *p, const char *action)
{
    (void)p, (void)action;
    return 0;
}

#define STUB_PANE(id, nm, ttl)                                                                     \
    static const struct pane_ops id = {                                                            \
        .name = nm, .title = ttl, .draw = stub_draw, .action = stub_action}

extern const struct pane_ops jobs_pane;    /* screens/jobs.c */
extern const struct pane_ops changes_pane; /* screens/changes.c */
extern const struct pane_ops consoles_pane; /* screens/consoles.c */
extern const struct pane_ops hosts_pane;    /* screens/hosts.c */
STUB_PANE(reports_pane, "reports", N_("Reports"));
/* Every pane is built: the stub stays for the next one (unused until then). */
static const struct pane_ops stub_pane __attribute__((unused)) = {.draw = stub_draw,
                                                                   .action = stub_action};

static const struct pane_ops *const registry[] = {
    &checklist_pane, &incidents_pane, &jobs_pane,  &changes_pane,
    &consoles_pane,  &handover_pane,  &hosts_pane, &reports_pane,
};

const struct pane_ops *const *ui_pane_registry(size_t *count)
{
    *count = ARRAY_LEN(registry);
    return registry;
}
