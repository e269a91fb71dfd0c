/* The schedule of a check (issue 15), the part the check loader and checks_run
 * need: the data-file keys `interval` (5m, 1h, 1h30m, 1d) and `hours = service`
 * (only inside the service calendar's hours), and a set of host × check pairs a
 * run is limited to. Which pairs are due is src/check_due.h. A check with no
 * interval is not scheduled: it runs only on demand. No dependency on checks.h,
 * so the loader can include it. */
#ifndef UNYO_CHECK_SCHED_H
#define UNYO_CHECK_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

/* "30s", "5m", "1h", "1h30m", "1d" (spaces between the parts allowed) into
 * seconds, 1 s .. 366 days. 0, or -1 when the text is not such a duration (0,
 * a negative number, a bare number, an unknown unit, too long). */
int check_interval_parse(const char *text, int64_t *seconds);
/* The interval as one writes it ("5m", "1h30m", "1d"); 0 gives "". */
void check_interval_format(int64_t seconds, char *buf, size_t size);

/* One key of a check's section: `interval` sets *interval_s, `hours` (service |
 * always) sets *service_hours. 0, or -1 with *err = "FILE:LINE: ..." (malloc'd,
 * translated). */
int check_schedule_key(const char *key, const char *value, int64_t *interval_s, int *service_hours,
                       const char *file, int line, char **err);

/* Host × check pairs (a check by its index in the check set). */
struct check_pair {
    char host_id[ID_LEN + 1];
    size_t check;
};
struct check_pairs {
    struct check_pair *items; /* sorted by host id, then check (check_pairs_sort) */
    size_t count;
};
void check_pairs_add(struct check_pairs *p, const char *host_id, size_t check);
void check_pairs_sort(struct check_pairs *p);
/* 1 when (host_id, check) is in the sorted set. */
int check_pairs_has(const struct check_pairs *p, const char *host_id, size_t check);
void check_pairs_free(struct check_pairs *p);

#endif
