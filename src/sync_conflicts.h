/* Sync conflicts as work items: what a sync round recorded in the audit trail
 * as `sync.conflict` (a concurrent edit of one row where the last writer won,
 * or a record renamed because two consoles made the same unique name), read
 * back with both values, who made each edit and when, which won, and whether
 * somebody has dealt with it. A conflict is resolved with keep (the winner
 * stays; recorded as `sync.conflict.keep`) or reapply (the value that lost is
 * written again as a new edit, which syncs like any edit; recorded as
 * `sync.conflict.reapply`). Audit rows sync, so every console sees the same
 * conflicts and a resolution made on one closes it on all. */
#ifndef UNYO_SYNC_CONFLICTS_H
#define UNYO_SYNC_CONFLICTS_H

#include <stddef.h>

#include "id.h"

struct store;

struct sync_conflict_field {
    char *column;     /* the table's column */
    char *lost, *won; /* the two values as text (NULL: empty) */
    /* The same as a person reads them: a name for an operator, library or
     * host id, a label for a status or role, "(empty)" (translated). */
    char *lost_text, *won_text;
};

struct sync_conflict {
    char id[ID_LEN + 1]; /* the sync.conflict audit row */
    char *at;            /* when it was recorded, UTC ISO */
    char *table;         /* the ledger table (incidents, hosts, ...) */
    char *row_id;        /* the record's id */
    char *record;        /* its reference or name (INC-..., web01); NULL when it has none */
    int unique;          /* 1: renamed because of a unique name; 0: a concurrent edit */
    int local_won;       /* the console that recorded it kept its own edit */
    /* 1: an operator's role or state changed by someone who is not a manager
     * here, refused when it was pulled (lost_by names them); the version
     * this console had stays. */
    int refused;
    int refused_absent; /* ... and the console that refused it had no version of the row */
    struct sync_conflict_field *fields;
    size_t nfields;
    /* Who made the edit that lost / won and when (UTC ISO); NULL when unknown. */
    char *lost_by, *lost_at, *won_by, *won_at;
    char *resolution; /* NULL (open), "keep" or "reapply" */
    char *resolved_by, *resolved_at;
    int exists; /* the record is still there (not deleted) */
};

/* Every conflict, newest first (open_only: the ones nobody resolved). The same
 * rename recorded by several consoles is listed once. 0 and *out (free with
 * sync_conflicts_free) or -1 (err). */
int sync_conflicts_list(struct store *st, int open_only, struct sync_conflict **out, size_t *n,
                        char **err);
void sync_conflicts_free(struct sync_conflict *v, size_t n);
/* How many conflicts are open. 0 or -1 (err). */
int sync_conflicts_count_open(struct store *st, long *n, char **err);
/* Resolves the conflict id (whole or a unique prefix): keep accepts the winner;
 * reapply writes the values that lost again as this console's edit. Both refuse
 * an unknown, ambiguous or already resolved conflict and a record that no
 * longer exists; nothing is half-written. out (may be NULL) gets the conflict
 * as it was before (free with sync_conflicts_free(out, 1)). 0 or -1 (err). */
int sync_conflict_keep(struct store *st, const char *id, struct sync_conflict **out, char **err);
int sync_conflict_reapply(struct store *st, const char *id, struct sync_conflict **out, char **err);
/* Can c's lost values be written again? No for a workflow's status (only its steps
 * move it) and for an operator's role or state (a manager changes those, signed).
 * 0, or -1 with *err saying what to do instead. reapply checks it too. */
int sync_conflict_reapply_check(const struct sync_conflict *c, char **err);

/* The audit detail of a conflict, as sync_push.c and sync_pull.c record it
 * (the one writer of the format read here). Rows are JSON objects (text),
 * hlc values decimal text; winner is "central" or "local". */
char *sync_conflict_edit_detail(const char *winner, const char *central_hlc,
                                const char *central_origin, const char *central_row,
                                const char *local_hlc, const char *local_origin,
                                const char *local_row);
/* A pulled version refused (why: "not a manager"; by: its author's operator
 * id or NULL); local_hlc and local_origin NULL, local_row "null" when this
 * store has no version of the row. */
char *sync_conflict_refused_detail(const char *why, const char *by, const char *central_hlc,
                                   const char *central_origin, const char *central_row,
                                   const char *local_hlc, const char *local_origin,
                                   const char *local_row);
char *sync_conflict_unique_detail(const char *column, const char *value, const char *kept,
                                  const char *renamed, const char *new_value);

/* What a person reads: the table ("incident", インシデント) and a column
 * (件名); a column without a label comes back as is. */
const char *sync_conflict_table_label(const char *table);
const char *sync_conflict_field_label(const char *column);

/* Who made an edit and when, as both the CLI and the console show it:
 * "tanaka, 12-07 10:55" (JST); "unknown" when the author is not known. */
char *sync_conflict_who_when(const char *by, const char *at);
/* The winning side as both the CLI and the console show it, values being its
 * values as read: "2F (by sato, 12-07 10:55)", "web01~3f2a (renamed: the name
 * was taken)", "operator (kato is not a manager here)". */
char *sync_conflict_won_text(const struct sync_conflict *c, const char *values);
/* Where a conflict stands: not dealt with, winner kept, lost value written
 * again, or its record gone. */
const char *sync_conflict_state_label(const struct sync_conflict *c);

#endif
