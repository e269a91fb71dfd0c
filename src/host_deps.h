/* Dependencies between hosts (issue 15): a host names its parents (the core
 * switch, the hypervisor), hosts.parents. Any one parent up is a path to the
 * host. When every parent of a host is down in a check round (its connection
 * failed in the round, or, not checked in the round, its latest result is a
 * connection failure), the host's failing results are recorded "unreachable via
 * PARENT" (checklist_events.unreachable_via): no incident draft of their own, not
 * counted as NG; the parent's draft names them (src/checks.c). */
#ifndef UNYO_HOST_DEPS_H
#define UNYO_HOST_DEPS_H

#include <stddef.h>

struct store;
struct host;

/* One node of the graph: the host's id, name and parents (host ids, comma
 * separated, or NULL). */
struct host_dep {
    const char *id, *name, *parents;
};

/* The index of the host with that id in g, or (size_t)-1. */
size_t host_deps_find(const struct host_dep *g, size_t n, const char *id);
/* 1 when giving the host child_id the parents (ids, comma separated) would make
 * a cycle: one of them is the host itself or has it among its own ancestors. A
 * graph that already holds a cycle (two consoles synced) never loops here. */
int host_deps_cycle(const struct host_dep *g, size_t n, const char *child_id, const char *parents);
/* The core decision: 1 when g[i] has at least one parent and every one is down
 * (down[j] for g[j]; a parent not in g counts as up, so the host's NG stands),
 * with *via (malloc'd) the parents' names comma-separated; else 0, *via NULL. */
int host_deps_all_down(const struct host_dep *g, size_t n, size_t i, const int *down, char **via);

/* The host's parents by name, comma-separated ("" when none; malloc'd). Parents
 * removed since are left out. */
int host_parents_names(struct store *st, const struct host *h, char **names, char **err);
/* Sets a host's parents: names (or ids) comma-separated; "" or NULL clears.
 * Unknown hosts, the host itself and cycles are refused with a message that says
 * which. Audited (host.parents). */
int host_parents_set(struct store *st, const char *name, const char *parents, char **err);

#endif
