/* Sync benchmarks that need one open connection (the shell part,
 * bench_sync.sh, does the rest):
 *
 *   bench_sync round DB URL RUNS        median ms of an up-to-date round
 *   bench_sync changes DB URL N RUNS    median ms of a round carrying N
 *                                       changes (N incidents edited locally)
 *
 * Prints one line "median_ms=<x>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central.h"
#include "store.h"
#include "sync.h"
#include "timefmt.h"
#include "util.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int edit(struct store *st, int n, int run)
{
    char *err = NULL;
    if (store_begin(st, &err) != 0)
        return -1;
    sqlite3_stmt *pick = store_stmt(st, "SELECT id FROM incidents ORDER BY id LIMIT ?1");
    sqlite3_stmt *upd = store_stmt(st, "UPDATE incidents SET title = ?2, updated_at = ?3, hlc = "
                                       "?4, origin = ?5 WHERE id = ?1");
    bind_int(pick, 1, n);
    char now[TIME_ISO_LEN + 1], title[64];
    time_format_iso(time_now_ms(), now);
    snprintf(title, sizeof title, "bench edit %d", run);
    while (sqlite3_step(pick) == SQLITE_ROW) {
        sqlite3_reset(upd);
        bind_text(upd, 1, col_text(pick, 0));
        bind_text(upd, 2, title);
        bind_text(upd, 3, now);
        bind_int(upd, 4, store_hlc_next(st));
        bind_text(upd, 5, st->origin);
        if (sqlite3_step(upd) != SQLITE_DONE)
            return -1;
    }
    sqlite3_reset(pick);
    return store_commit(st, &err);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_sync round DB URL RUNS | changes DB URL N RUNS\n");
        return 2;
    }
    int changes = strcmp(argv[1], "changes") == 0;
    int n = changes ? atoi(argv[4]) : 0;
    int runs = atoi(argv[changes ? 5 : 4]);
    struct store *st;
    PGconn *c;
    char *err = NULL;
    if (store_open(argv[2], STORE_OPEN_EXISTING, &st, &err) != 0 ||
        central_connect(argv[3], &c, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    /* Catch up first: the measured rounds start from a synced store. */
    if (sync_round(st, c, NULL, NULL, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double *ms = xcalloc((size_t)runs, sizeof *ms);
    for (int r = 0; r < runs; r++) {
        if (changes && edit(st, n, r) != 0) {
            fprintf(stderr, "edit failed\n");
            return 1;
        }
        struct sync_report rep = {0};
        double t0 = now_ms();
        if (sync_round(st, c, &rep, NULL, NULL, &err) != 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        ms[r] = now_ms() - t0;
        if (changes && rep.sent != n)
            fprintf(stderr, "warning: sent %lld, expected %d\n", rep.sent, n);
        sync_report_free(&rep);
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp);
    printf("median_ms=%.2f\n", runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2);
    free(ms);
    PQfinish(c);
    store_close(st);
    return 0;
}
