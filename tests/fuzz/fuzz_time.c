/* Time and id parsing over any bytes. Properties:
 * - time_parse only accepts a real instant: whatever it accepts formats with
 *   time_format_iso and parses back to the same instant, and formatting that
 *   again gives the same text; the JST forms parse back to the same minute or
 *   second; an accepted offset is within RFC 3339's -23:59..+23:59;
 * - id_valid accepts exactly the 36-character lower-case UUID text;
 * - ids made with id_new_at (for instants taken from the input) are valid and
 *   strictly increasing, and id_for_name is valid and stable;
 * - a check interval (check_interval_parse: "5m", "1h30m") that is accepted is 1 s
 *   to 366 days, and its written form (check_interval_format) parses back to it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_sched.h"
#include "id.h"
#include "timefmt.h"
#include "util.h"

static void check_time(const char *s)
{
    int64_t ms;
    if (time_parse(s, &ms) != 0)
        return;
    char iso[TIME_ISO_LEN + 1], again[TIME_ISO_LEN + 1];
    time_format_iso(ms, iso);
    int64_t back;
    if (strlen(iso) != TIME_ISO_LEN || time_parse(iso, &back) != 0 || back != ms)
        abort();
    time_format_iso(back, again);
    if (strcmp(iso, again) != 0)
        abort();

    /* An offset, if any, is at most 23:59 (the date part has no sign). */
    const char *sign = strpbrk(s + 10, "+-");
    if (sign) {
        int oh = (sign[1] - '0') * 10 + (sign[2] - '0');
        const char *m = sign[3] == ':' ? sign + 4 : sign + 3;
        int om = (m[0] - '0') * 10 + (m[1] - '0');
        if (oh > 23 || om > 59)
            abort();
    }

    /* The JST forms people see parse back to the same minute / second (in the
     * years where JST is still a four-digit year). */
    if (ms < time_days_from_civil(9999, 12, 31) * 86400000LL) {
        char jst[32];
        time_format_jst(ms, jst, 1);
        int64_t j;
        if (time_parse(jst, &j) != 0 || j != ms - ((ms % 1000) + 1000) % 1000)
            abort();
        time_format_jst(ms, jst, 0);
        if (time_parse(jst, &j) != 0 || j != ms - ((ms % 60000) + 60000) % 60000)
            abort();
    }
}

static void check_interval(const char *s)
{
    int64_t secs;
    if (check_interval_parse(s, &secs) != 0)
        return;
    if (secs < 1 || secs > 366LL * 86400)
        abort();
    char buf[64];
    check_interval_format(secs, buf, sizeof buf);
    int64_t back;
    if (check_interval_parse(buf, &back) != 0 || back != secs)
        abort();
}

static int uuid_shape(const char *s, size_t n)
{
    if (n != ID_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-'))
            return 0;
        if (!dash && !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    }
    return 1;
}

static char last_id[ID_LEN + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    size_t n = strlen(s);

    check_time(s);
    check_interval(s);

    if (id_valid(s) != uuid_shape(s, n))
        abort();

    /* ids for an instant from the first 6 bytes, up to the year 9999 (UUIDv7
     * holds 48 bits of milliseconds: up to the year 10889) */
    if (size >= 6) {
        int64_t ms = 0;
        for (int i = 0; i < 6; i++)
            ms = ms << 8 | data[i];
        ms %= time_days_from_civil(10000, 1, 1) * 86400000LL;
        char id[ID_LEN + 1];
        id_new_at(id, ms);
        if (!id_valid(id) || (last_id[0] && strcmp(id, last_id) <= 0))
            abort();
        memcpy(last_id, id, sizeof id);
        char a[ID_LEN + 1], b[ID_LEN + 1];
        id_for_name(a, "fuzz", s);
        id_for_name(b, "fuzz", s);
        if (!id_valid(a) || strcmp(a, b) != 0)
            abort();
    }
    free(s);
    return 0;
}
