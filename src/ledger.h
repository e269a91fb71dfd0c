/* What the ledgers share (incidents, inquiries, problems; the timelines of
 * changes and job runs too): labels with a context, library and operator
 * lookups, refs, links between records, and one event row type for every
 * `*_events` timeline. All times are UTC milliseconds. */
#ifndef UNYO_LEDGER_H
#define UNYO_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

struct store;
struct sqlite3_stmt;

/* Labels with a context, so "closed" (an incident) never borrows another
 * module's "closed" (a library's closed day): P_("incident", "closed") is the
 * catalog key msgctxt "incident" + msgid "closed" (xgettext --keyword=P_:1c,2). */
#define P_(ctx, s) (ctx "\004" s)
/* The translation of a P_() key, or its msgid when it has none. */
const char *ledger_label(const char *ctx_id);

/* Library id from its code; an unknown code is an error naming the known ones. */
int ledger_library(struct store *st, const char *code, char id[ID_LEN + 1], char **err);
/* Operator id and role from a login. */
int ledger_operator(struct store *st, const char *login, char id[ID_LEN + 1], char role[16],
                    char **err);
int ledger_key_valid(const char *const *keys, const char *k);
/* "a, b, c" of a key list (malloc'd). */
char *ledger_key_list(const char *const *keys);
/* ISO text or NULL for 0 (buf TIME_ISO_LEN + 1). */
const char *ledger_iso(int64_t ms, char *buf);
int64_t ledger_ms(const char *iso); /* 0 for NULL or bad */

/* ---- links between records ---- */
struct ledger_link {
    char *kind, *id, *label, *note;
};
void ledger_links_free(struct ledger_link *l, size_t n);
int ledger_add_link(struct store *st, const char *from_kind, const char *from_id,
                    const char *to_kind, const char *to_id, const char *note, char **err);
/* The same, handing back the new link's id (out_id may be NULL). */
int ledger_add_link_id(struct store *st, const char *from_kind, const char *from_id,
                       const char *to_kind, const char *to_id, const char *note,
                       char out_id[ID_LEN + 1], char **err);

/* ---- refs ---- */
/* "INC-YYYYMMDD-xxxx" style ref for a new row made at ms. */
void ledger_ref(const char *prefix, const char *id, int64_t ms, char out[24]);
/* A ref as typed (any case) in its stored form. */
void ledger_norm_ref(const char *in, char out[24]);
/* Looks a row up by id (by_id, when ref_or_id is one) or by ref (by_ref,
 * normalised; LIMIT 2); both select the id with ?1. Copies the first id into
 * id and returns how many rows matched (0, 1 or 2), or -1 with *err set when
 * the store cannot be read. */
int ledger_find(struct sqlite3_stmt *by_id, struct sqlite3_stmt *by_ref, const char *ref_or_id,
                char id[ID_LEN + 1], char **err);
/* Ends the transaction that made a row: rolls back when rc != 0, else commits
 * and copies id and ref into out_id (ID_LEN + 1) and out_ref (24), each may be
 * NULL. 0, or -1 with *err. */
int ledger_created(struct store *st, int rc, const char *id, const char *ref, char *out_id,
                   char *out_ref, char **err);

/* ---- events (timelines) ---- */
/* Runs insert, an INSERT INTO <ledger>_events(id, <owner>_id, kind, note,
 * data, operator_id, at, hlc, origin) VALUES(?1..?9), for one event of owner
 * at ms; -1 when SQLite fails (the caller reports it with store_fail). */
int ledger_insert_event(struct store *st, struct sqlite3_stmt *insert, const char *owner_id,
                        const char *kind, const char *note, const char *data, int64_t at);

/* One row of any timeline (incident, inquiry, change, job run). */
struct ledger_event {
    char *kind, *note;
    char *operator_login; /* who; NULL when the operator is unknown */
    int64_t at;           /* ms; 0 when the stored time cannot be read */
    char *data;           /* JSON text or NULL (incidents, inquiries) */
    char *operator_name;  /* display name or NULL (incidents) */
};
/* Steps s (bound by the caller) to its end, appending a row per result to
 * *rows (*n of them), then resets s. s selects kind, note, operator login, at
 * (ISO text) and optionally data and the operator's name, in that order.
 * Returns 0, or -1 with *err set when a row cannot be read: then *rows is
 * freed and emptied, never a cut timeline. */
int ledger_events_read(struct sqlite3_stmt *s, struct ledger_event **rows, size_t *n, char **err);
void ledger_events_free(struct ledger_event *rows, size_t n);

#endif
