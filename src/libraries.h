/* The libraries (図書館: the central library, branches, centres) an incident or an
 * inquiry is filed against (seed 000 図書館一覧). `unyo init` loads data/libraries.ini;
 * after that the list is kept here: added, renamed and retired from the CLI
 * (`unyo library`) and the console (`:library`), each write audited. */
#ifndef UNYO_LIBRARIES_H
#define UNYO_LIBRARIES_H

#include <stddef.h>

struct store;

struct library_brief {
    char *code, *name_ja, *name_en, *kind;
};
/* The live libraries: the central library first, then branches, then the rest,
 * each group by code (the order of the intake form's choice). */
int library_list(struct store *st, struct library_brief **out, size_t *n, char **err);
/* The name in the interface language (ja: name_ja, else name_en; code if empty). */
const char *library_name(const struct library_brief *l);
void library_list_free(struct library_brief *v, size_t n);

/* 1 when kind is one of central, branch, center, datacenter, office. */
int library_kind_valid(const char *kind);

struct library_fields {
    const char *code;    /* letters, digits, _ and -, at most 16: what --library takes */
    const char *name_ja; /* required */
    const char *name_en; /* NULL or "": the Japanese name */
    const char *kind;    /* NULL: branch */
    const char *phone, *address, *notes; /* NULL: none */
};
/* Adds a library (a retired one of the same code comes back with the new fields).
 * The acting operator must be registered; audited as library.add. */
int library_add(struct store *st, const struct library_fields *f, char **err);
/* Renames a library: name_ja and/or name_en (NULL leaves it); audited with the old
 * names. */
int library_rename(struct store *st, const char *code, const char *name_ja, const char *name_en,
                   char **err);
/* Retires a library: it leaves the choices of new incidents and inquiries; what was
 * filed against it keeps its name. Audited as library.retire. */
int library_retire(struct store *st, const char *code, char **err);

#endif
