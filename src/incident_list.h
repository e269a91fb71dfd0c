/* The incident list the console shows (seed 002 items 1, 52): a model over the
 * whole ledger that never reads all rows and never uses OFFSET.
 *
 * Keyset paging on (sort key, received_at, id): a page is read from the
 * nearest known key (the last window's ends, the ends of the order, or a
 * sparse anchor table built on the first far jump). The count runs apart
 * (on the caller's connection, or on its own connection for a worker
 * thread). The title filter scans local_incident_titles
 * (data/schema/009_incident_list.sql) on per-core threads with the caller's
 * matcher, keeping only the matching rows' numbers and sort keys; the
 * filtered list then reads its visible rows by number.
 *
 * The field filter (`status=open priority=P1 ...`), full-text search and the
 * inbox go through incident_list() (src/incidents.h) instead: inc_fields_*.
 * Nothing here draws; screens/incident_list.c shows it. */
#ifndef UNYO_INCIDENT_LIST_H
#define UNYO_INCIDENT_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "incidents.h"

struct store;
struct sla;

enum inc_sort { INC_SORT_RECEIVED, INC_SORT_PRIORITY, INC_SORT_STATUS, INC_SORT_COUNT };
/* "received", "priority", "status" (NULL-terminated); -1 for another key. */
extern const char *const inc_sort_keys[];
int inc_sort_from_key(const char *key);

/* One row of the list: inc has id, ref, received, library_name (the name in
 * the UI language, else the library id), priority, status, title and the
 * SLA instants; has_sla says inc.sla holds its clock at the list's now (an
 * open incident and an SLA table to count with). */
struct inc_list_row {
    struct incident inc;
    int has_sla;
};
void inc_list_rows_clear(struct inc_list_row *rows, long n);

struct inc_list;

/* A list over st, newest first. sla may be NULL (no SLA clocks then). The
 * library names are read now: when they cannot be, *err says so and rows
 * show library ids (the list is still made). */
struct inc_list *inc_list_new(struct store *st, const struct sla *sla, char **err);
void inc_list_free(struct inc_list *l);

/* SLA states are computed at this instant (UTC ms). */
void inc_list_set_now(struct inc_list *l, int64_t now);
enum inc_sort inc_list_sort(const struct inc_list *l);
int inc_list_desc(const struct inc_list *l);
/* A new order; a filtered list re-sorts its matches. 0, or -1 with *err when
 * some sort keys could not be read (those rows keep their place). */
int inc_list_set_order(struct inc_list *l, enum inc_sort sort, int desc, char **err);
/* The ledger changed: forget the count and every remembered key. */
void inc_list_reset(struct inc_list *l);

/* Rows in the list: the matches when filtered, else the count so far. */
long inc_list_size(const struct inc_list *l);
long inc_list_total(const struct inc_list *l);  /* rows of the unfiltered list */
int inc_list_counted(const struct inc_list *l); /* inc_list_total is exact */
/* Counts every row (a scan: ~0.3 s for a million). 0, or -1 with *err (the
 * count is then 0 and taken as exact). */
int inc_list_count(struct inc_list *l, char **err);
/* Counts at most limit rows, quickly: the total is exact when below limit,
 * else a lower bound until inc_list_set_count. 0, or -1 with *err. */
int inc_list_count_first(struct inc_list *l, long limit, char **err);
/* A count made elsewhere (incident_count_at); ignored once the list is
 * counted. Returns 1 when it was taken. */
int inc_list_set_count(struct inc_list *l, long n);
/* The number of incidents in the store at path, on a connection of its own
 * (any thread). 0, or -1 with *err. */
int incident_count_at(const char *path, long *n, char **err);

/* Rows [from, from + n) in display order into rows (n of them, zeroed first).
 * Returns how many were filled; when the store cannot be read, fewer, with
 * *err set. */
long inc_list_fetch(struct inc_list *l, long from, long n, struct inc_list_row *rows, char **err);
/* Rows read from the store since the list was made (for the benchmark). */
long inc_list_rows_read(const struct inc_list *l);

/* ---- the title filter ---- */
struct inc_scan;
struct inc_scan_ops {
    /* 1 when the title matches, 0 when not, -1 when it was not checked (the
     * matcher gave up: counted in inc_scan_cut). Called on several threads. */
    int (*match)(void *ctx, const char *title, size_t len);
    int (*stop)(void *ctx);         /* may be NULL; 1 stops the scan (the program quits) */
    void (*thread_done)(void *ctx); /* may be NULL; each scanning thread calls it at its end */
    void *ctx;
};
/* A scan of every title in l's current order, copied so it can run on a
 * worker thread (inc_scan_run) while l stays in use. */
struct inc_scan *inc_scan_new(struct inc_list *l);
void inc_scan_run(struct inc_scan *s, const struct inc_scan_ops *ops);
/* The scan matches reference numbers too (`/INC-20261208-…`): only for a
 * pattern that looks like one (inc_ref_like), so `/a` does not match every
 * ref with an a in its hex tail. */
void inc_scan_with_refs(struct inc_scan *s, int on);
/* 1 when pattern (a leading ^ aside) starts with "INC-" (any case) or with a
 * date's 8 digits and '-' ("20261208-"): a reference number, whole or a prefix. */
int inc_ref_like(const char *pattern);
/* From any thread: the result will not be used; a running scan stops soon. */
void inc_scan_cancel(struct inc_scan *s);
int inc_scan_cancelled(struct inc_scan *s);
long inc_scan_matches(const struct inc_scan *s);
long inc_scan_cut(const struct inc_scan *s);   /* titles the matcher gave up on */
int inc_scan_failed(const struct inc_scan *s); /* part of the ledger could not be read */
void inc_scan_free(struct inc_scan *s);
/* The list shows the scan's matches from now on (in the list's order, even
 * when it changed while the scan ran). The scan keeps no matches. */
void inc_list_take_scan(struct inc_list *l, struct inc_scan *s);
int inc_list_filtered(const struct inc_list *l);
void inc_list_clear_filter(struct inc_list *l);

/* ---- the field filter, full-text search and inbox ---- */
struct inc_fields {
    char *status; /* NULL any; "open" is not stored here but in open */
    char *priority, *library, *category, *assignee, *search;
    int sla;   /* 0 any, SLA_OK, SLA_WARNING, SLA_BREACHED */
    int inbox; /* the acting operator's open incidents */
    int open;  /* status=open: every state before recovered */
};
void inc_fields_clear(struct inc_fields *f);
/* text such as "status=open priority=P1 library=CEN" (keys status, priority,
 * library, category, assignee, sla; every word a key=value): returns 1 and
 * fills f (cleared first); 0 when text is not such a filter (f untouched);
 * -1 with *err for a bad value (f cleared). */
int inc_fields_parse(const char *text, struct inc_fields *f, char **err);
/* The incidents f selects, at most limit per status, newest first (search:
 * best recent matches first), with their SLA state at now. *partial (may be
 * NULL) is set when a short search could only look at recent rows. Free with
 * incident_list_free. */
int inc_fields_list(struct store *st, const struct sla *sla, const struct inc_fields *f, int limit,
                    int64_t now, struct incident **out, size_t *n, int *partial, char **err);

#endif
