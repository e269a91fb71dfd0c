/* The libraries (図書館: the central library, branches, centres) an incident or an
 * inquiry is filed against (seed 000 図書館一覧). Rows come from data/libraries.ini. */
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

#endif
