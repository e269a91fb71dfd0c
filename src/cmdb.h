/* The CMDB: configuration records (構成管理; seed 002 items 37-41, 43-48): installed software,
 * applied patches, hardware and its location, accounts, permissions and policies per
 * host, in config_items. They change through change requests: a change declares
 * "config effects" (change_effects rows) that are applied when it is marked done and
 * restored when a done change is rolled back.
 *
 * Effect specs, KIND:HOST:VALUE (KIND software|patch|hardware|account|permission|policy|other):
 *   patch:lib-ap01:KB5031234                 adds patch KB5031234
 *   software:lib-web01:nginx 1.22.1          sets software nginx to version 1.22.1
 *   hardware:core-sw01:location=DC ラック A-02  sets the location of hardware core-sw01
 *   hardware:lib-bk01:LTO drive quantity=2   sets an attribute of a named item
 *   account:lib-ad01:tanaka.m+               adds account tanaka.m (a trailing - removes it)
 * Attributes after NAME: location=, version=, detail=, quantity=.
 * (Not to be confused with config.c: the operator's own settings, config.ini.) */
#ifndef UNYO_CMDB_H
#define UNYO_CMDB_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;

extern const char *const cmdb_kinds[]; /* NULL-terminated */
int cmdb_kind_valid(const char *kind);

enum cmdb_op { CMDB_ADD, CMDB_SET, CMDB_REMOVE };

struct cmdb_effect {
    char *kind, *host, *name; /* host: hosts.name */
    enum cmdb_op op;
    char *version, *location, *detail; /* NULL when not given */
    int has_quantity;
    int64_t quantity;
};
/* Parses a spec (no store access). -1 with *err saying what was expected. */
int cmdb_effect_parse(const char *spec, struct cmdb_effect *out, char **err);
void cmdb_effect_clear(struct cmdb_effect *e);
const char *cmdb_op_name(enum cmdb_op op); /* "add", "set", "remove" */

/* Records the effect on a change (inside the caller's transaction): the host must exist.
 * seq orders the effects. */
int cmdb_effect_declare(struct store *st, const char *change_id, int seq, const char *spec,
                        char **err);
/* Applies every declared effect of the change to config_items (inside the caller's
 * transaction), remembering the replaced values. *applied (may be NULL) gets the count. */
int cmdb_effects_apply(struct store *st, const char *change_id, int *applied, char **err);
/* Restores what cmdb_effects_apply replaced (inside the caller's transaction). */
int cmdb_effects_revert(struct store *st, const char *change_id, int *reverted, char **err);

struct cmdb_effect_row {
    int seq;
    char *spec, *kind, *host, *name, *op, *applied_at, *prev_state;
};
int cmdb_effects_of(struct store *st, const char *change_id, struct cmdb_effect_row **out,
                    size_t *n, char **err);
void cmdb_effect_rows_free(struct cmdb_effect_row *rows, size_t n);

struct cmdb_item_row {
    char id[ID_LEN + 1];
    char *host, *kind, *name, *version, *location, *detail, *applied_at, *change_ref;
    int has_quantity;
    int64_t quantity;
};
/* Current (not deleted) records; host and kind NULL for any. Ordered by host, kind, name. */
int cmdb_list(struct store *st, const char *host, const char *kind, struct cmdb_item_row **out,
              size_t *n, char **err);
void cmdb_item_rows_free(struct cmdb_item_row *rows, size_t n);

#endif
