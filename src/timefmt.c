#include "timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's civil calendar algorithms: exact, no tz database, no libc
 * locale state. */
int64_t time_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void time_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int64_t real_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_now_ms(void)
{
    static int initialised;
    static int64_t offset;
    if (!initialised) {
        initialised = 1;
        const char *fake = getenv("UNYO_NOW");
        int64_t start;
        if (fake && *fake && time_parse(fake, &start) == 0)
            offset = start - real_now_ms();
    }
    return real_now_ms() + offset;
}

static void split(int64_t ms, int *y, int *mo, int *d, int *h, int *mi, int *s, int *msec)
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    *msec = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    time_civil_from_days(days, y, mo, d);
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *s = (int)(rem % 60);
}

/* Formats into a roomy buffer, then copies: the fields are range-checked by
 * construction, but the compiler cannot see that. */
static void copy_out(char *out, size_t size, const char *tmp)
{
    size_t n = strlen(tmp);
    if (n >= size)
        n = size - 1;
    memcpy(out, tmp, n);
    out[n] = '\0';
}

void time_format_iso(int64_t ms, char *out)
{
    int y, mo, d, h, mi, s, msec;
    char tmp[96];
    split(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y % 10000, mo, d, h, mi, s,
             msec);
    copy_out(out, TIME_ISO_LEN + 1, tmp);
}

void time_format_jst(int64_t ms, char *out, int with_seconds)
{
    int y, mo, d, h, mi, s, msec;
    char tmp[96];
    split(ms + JST_OFFSET_SECONDS * 1000LL, &y, &mo, &d, &h, &mi, &s, &msec);
    if (with_seconds)
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d", y % 10000, mo, d, h, mi, s);
    else
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d", y % 10000, mo, d, h, mi);
    copy_out(out, with_seconds ? 20 : 17, tmp);
}

void time_format_jst_date(int64_t ms, char *out)
{
    int y, mo, d, h, mi, s, msec;
    char tmp[96];
    split(ms + JST_OFFSET_SECONDS * 1000LL, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, mo, d);
    copy_out(out, 11, tmp);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int time_parse(const char *s, int64_t *ms)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, fraction = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    int offset_min = 9 * 60; /* no zone given: JST, as an operator types it */
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return -1;
            if (*p == '.') {
                p++;
                fraction = 1;
                int scale = 100, n = 0;
                while (*p >= '0' && *p <= '9') {
                    if (n++ < 3) {
                        frac += (*p - '0') * scale;
                        scale /= 10;
                    }
                    p++;
                }
                if (n == 0)
                    return -1;
            }
        }
        /* RFC 3339 ranges, no leap second (clocks here are POSIX: a stored
         * time never has one); and 24:00 exactly, the end of the day (ISO
         * 8601:2004, as the calendar writes a closing time): next day 00:00. */
        if (h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi || sec || fraction)))
            return -1;
    }
    if (*p == 'Z') {
        offset_min = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (digits(&p, 2, &om))
            return -1;
        /* RFC 3339: -23:59 .. +23:59 (real zones span -12:00 .. +14:00). */
        if (oh > 23 || om > 59)
            return -1;
        offset_min = sign * (oh * 60 + om);
    }
    if (*p != '\0')
        return -1;
    int64_t days = time_days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    int64_t v = secs * 1000 + frac;
    /* Only instants the stored form can write (years 0000 to 9999 in UTC). */
    if (v < time_days_from_civil(0, 1, 1) * 86400000 ||
        v >= time_days_from_civil(10000, 1, 1) * 86400000)
        return -1;
    *ms = v;
    return 0;
}

void time_format_offset(int64_t ms, char *out, size_t size)
{
    long long s = (long long)(ms / 1000);
    if (s >= 3600)
        snprintf(out, size, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, size, "%lld:%02lld", s / 60, s % 60);
}
