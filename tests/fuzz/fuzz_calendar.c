/* The service calendar (src/calendar.h): for an instant t and a span n of
 * service seconds from the input, between(t, add(t, n)) == n, with
 *   add     = calendar_add_service_seconds
 *   between = calendar_service_seconds.
 * Also: add is monotonic in n, the instant reached is in service or at a
 * closing (never strictly inside a closed stretch when n > 0), and
 * calendar_next_transition moves forward. The calendar is the built-in one,
 * the shipped data/calendar.ini, or one read from the rest of the input (a
 * file that does not load falls back to the built-in one).
 * Input: byte 0 picks the calendar; bytes 1-8 t, 9-16 n (little-endian,
 * folded into 1990-2100 and 0-5 years). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "util.h"

#ifndef UNYO_TEST_DATADIR
#define UNYO_TEST_DATADIR "data"
#endif

#define YEAR (365LL * 86400)
#define T_MIN (631152000LL) /* 1990-01-01 */
#define T_SPAN (110 * YEAR)

static struct calendar *builtin, *shipped;
static char dir[] = "/tmp/unyo-fuzz-calendar-XXXXXX";
static char *path;

static void cleanup(void)
{
    calendar_free(builtin);
    calendar_free(shipped);
    if (path) {
        unlink(path);
        rmdir(dir);
        free(path);
    }
}

static void setup(void)
{
    if (builtin)
        return;
    builtin = calendar_new_default();
    char *err = NULL;
    shipped = calendar_load(UNYO_TEST_DATADIR "/calendar.ini", &err);
    if (!shipped) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    if (!mkdtemp(dir))
        abort();
    path = xasprintf("%s/calendar.ini", dir);
    atexit(cleanup);
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 17)
        return 0;
    setup();
    struct calendar *own = NULL;
    const struct calendar *cal = builtin;
    switch (data[0] % 3) {
    case 1:
        cal = shipped;
        break;
    case 2: {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(data + 17, 1, size - 17, f) != size - 17 || fclose(f) != 0)
            abort();
        char *err = NULL;
        own = calendar_load(path, &err);
        if (own)
            cal = own;
        else if (!err)
            abort();
        free(err);
        break;
    }
    }
    int64_t t = T_MIN + (int64_t)(le64(data + 1) % (uint64_t)T_SPAN);
    int64_t n = (int64_t)(le64(data + 9) % (uint64_t)(5 * YEAR));

    int64_t end = calendar_add_service_seconds(cal, t, n);
    if (end != INT64_MAX) {
        if (end < t)
            abort();
        if (calendar_service_seconds(cal, t, end) != n)
            abort();
        /* one second more of service never ends earlier */
        int64_t end1 = calendar_add_service_seconds(cal, t, n + 1);
        if (end1 != INT64_MAX && end1 <= end)
            abort();
        /* the second before the end was in service (when n > 0) */
        if (n > 0 && !calendar_in_service(cal, end - 1))
            abort();
    } else if (calendar_service_seconds(cal, t, t + 10 * YEAR) > n) {
        abort(); /* "never" while there was enough service ahead */
    }
    int64_t next = calendar_next_transition(cal, t);
    if (next != INT64_MAX) {
        if (next <= t)
            abort();
        if (calendar_in_service(cal, next) == calendar_in_service(cal, t))
            abort();
    }
    calendar_free(own);
    return 0;
}
