/* Loading shipped data files (templates, libraries, jobs) into a store at init. */
#ifndef UNYO_SEED_DATA_H
#define UNYO_SEED_DATA_H

#include <stddef.h>

#include "jobs.h"

struct store;
struct template_set;

/* Inserts (or, by code, updates) the templates in one transaction. */
int seed_install_templates(struct store *st, const struct template_set *set, char **err);
/* Loads libraries.ini (path) into the libraries table; FILE:LINE on error. */
int seed_install_libraries(struct store *st, const char *path, char **err);

/* What `unyo init --template library` (and `all`) sets up besides the work items, read
 * and checked before the store exists so a broken file leaves nothing behind: the
 * shipped job definitions (DATADIR/jobs, installed into the store by the loader of
 * `unyo jobs load`), and the checks (data/checks) and change templates (data/changes),
 * which stay files read when they are used (a user copy under ~/.config/unyo replaces
 * them) and are only counted here. */
struct seed_site {
    int with_jobs; /* the template set has jobs (library, all) */
    struct job_defs jobs;
    size_t nchecks;
    char **changes; /* change template names (patch-round) */
    size_t nchanges;
};
int seed_site_load(const char *which, struct seed_site *s, char **err);
/* Installs the jobs as `unyo jobs load` does: a job whose host or role the inventory does
 * not have is loaded as needing a host, never refused (res: where they went). */
int seed_site_install(struct store *st, const struct seed_site *s, struct jobs_install_result *res,
                      char **err);
void seed_site_free(struct seed_site *s);

#endif
