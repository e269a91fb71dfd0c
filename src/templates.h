/* Work-item templates: the shipped catalogue of O&M work (data/templates/library.ini and
 * package.ini), one section per item of the seed documents. Panes use them to seed their
 * checklists, job queues and calendars. Format: data/templates/README.md. */
#ifndef UNYO_TEMPLATES_H
#define UNYO_TEMPLATES_H

#include <stddef.h>

#include "period.h" /* enum period_bits, shared with the due-date rules */

/* Text fields are never NULL (absent optional ones are ""), except value_unit. */
struct template_item {
    char *code;   /* section name: "L025", "L032H", "P014" */
    char *source; /* "002" or "000" */
    int item_no;
    char *category1, *category2, *category3;
    char *name_ja, *name_en, *summary_ja, *summary_en;
    char *period_text; /* as written in the source */
    unsigned periods;  /* enum period_bits, parsed from period_text */
    char *pane;
    char *duty_engineer, *duty_operator;
    int per_host;
    int weekday;      /* 0=sun..6=sat, -1 when unset */
    int monthday;     /* 1..31, 32 = last day, 0 when unset */
    unsigned months;  /* bit (m-1) for month m; 0 when unset (= every month) */
    char *value_unit; /* NULL when no value is measured */
    int has_range;
    double value_min, value_max;
};

struct template_set {
    struct template_item *items;
    size_t count;
};

#define TEMPLATES_MONTHDAY_LAST 32

/* Loads one file. On any error returns -1, sets *err (malloc'd, translated via _()) to
 * "FILE:LINE: what was wrong, what was expected", and leaves *out empty: nothing is
 * loaded half-way. Appends to *out on success (so two files can be loaded into one set);
 * a code already present in *out is an error too. Lines may be of any length. */
int templates_load_file(const char *path, struct template_set *out, char **err);

/* Loads the shipped set: which = "library", "package" or "all", from datadir/templates/.
 * datadir NULL means the built-in UNYO_DATADIR. All-or-nothing like templates_load_file. */
int templates_load_builtin(const char *datadir, const char *which, struct template_set *out,
                           char **err);

/* "月次／随時" -> MONTHLY|AS_NEEDED. "－" (no period) -> PERIOD_NONE with *ok = 1.
 * Unknown or empty text -> 0 with *ok = 0. ok may be NULL. */
unsigned templates_parse_period(const char *text, int *ok);

/* English name of one period bit ("monthly"), marked with N_() so callers can _() it;
 * "none" for PERIOD_NONE, NULL when bit is not exactly one known bit. */
const char *templates_period_name_en(unsigned bit);

/* 1 when pane is one of the names panes are known by (checklist, incidents, ...). */
int templates_pane_valid(const char *pane);

/* The item with this code, or NULL. */
const struct template_item *templates_find(const struct template_set *set, const char *code);

/* Frees every item and leaves the set empty (reusable). */
void templates_free(struct template_set *set);

#endif
