/* The work-item templates a store holds (the templates table), read back for
 * listing. Loading the shipped INI files is src/templates.h; installing them
 * src/seed_data.h. */
#ifndef UNYO_TEMPLATE_LIST_H
#define UNYO_TEMPLATE_LIST_H

#include <stddef.h>

struct store;

struct template_row {
    char *code, *source, *item_no, *name_ja, *name_en, *period_text, *pane;
    int per_host;
};

/* The templates not deleted, of pane (NULL: every pane), by source (descending),
 * item number and code: what `unyo template list` shows. 0 and *out (free with
 * template_rows_free) or -1 (err). */
int template_list(struct store *st, const char *pane, struct template_row **out, size_t *n,
                  char **err);
void template_rows_free(struct template_row *v, size_t n);

#endif
