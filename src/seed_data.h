/* Loading shipped data files (templates, libraries) into a store at init. */
#ifndef UNYO_SEED_DATA_H
#define UNYO_SEED_DATA_H

struct store;
struct template_set;

/* Inserts (or, by code, updates) the templates in one transaction. */
int seed_install_templates(struct store *st, const struct template_set *set, char **err);
/* Loads libraries.ini (path) into the libraries table; FILE:LINE on error. */
int seed_install_libraries(struct store *st, const char *path, char **err);

#endif
