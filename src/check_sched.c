#include "check_sched.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

#define MAX_INTERVAL_S (366LL * 86400)

int check_interval_parse(const char *text, int64_t *seconds)
{
    if (!text)
        return -1;
    const char *p = text;
    int64_t total = 0;
    int parts = 0;
    unsigned seen = 0; /* each unit once, largest first: 1h30m, never 30m1h */
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (!isdigit((unsigned char)*p))
            return -1;
        int64_t n = 0;
        while (isdigit((unsigned char)*p)) {
            n = n * 10 + (*p++ - '0');
            if (n > MAX_INTERVAL_S)
                return -1;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        static const char units[] = "dhms";
        static const int64_t mult[] = {86400, 3600, 60, 1};
        const char *u = *p ? strchr(units, *p) : NULL;
        if (!u)
            return -1; /* a bare number: minutes or seconds? said, never guessed */
        unsigned bit = 1u << (u - units);
        if (seen >= bit)
            return -1;
        seen |= bit;
        p++;
        total += n * mult[u - units];
        if (total > MAX_INTERVAL_S)
            return -1;
        parts++;
    }
    if (!parts || total < 1)
        return -1;
    *seconds = total;
    return 0;
}

void check_interval_format(int64_t s, char *buf, size_t size)
{
    static const char units[] = "dhms";
    static const int64_t mult[] = {86400, 3600, 60, 1};
    size_t used = 0;
    if (size)
        buf[0] = '\0';
    for (int i = 0; i < 4 && s > 0; i++) {
        int64_t n = s / mult[i];
        if (!n)
            continue;
        s -= n * mult[i];
        int w =
            snprintf(buf + used, size > used ? size - used : 0, "%lld%c", (long long)n, units[i]);
        if (w > 0)
            used += (size_t)w;
    }
}

int check_schedule_key(const char *key, const char *value, int64_t *interval_s, int *service_hours,
                       const char *file, int line, char **err)
{
    if (strcmp(key, "interval") == 0) {
        if (check_interval_parse(value, interval_s) != 0) {
            set_err(err,
                    _("%s:%d: bad interval \"%s\": expected a duration longer than 0 such as "
                      "30s, 5m, 1h, 1h30m or 1d (at most 366d)"),
                    file, line, value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "hours") == 0) {
        if (strcmp(value, "service") == 0)
            *service_hours = 1;
        else if (strcmp(value, "always") == 0)
            *service_hours = 0;
        else {
            set_err(err,
                    _("%s:%d: hours is service (only in the service calendar's hours) or "
                      "always"),
                    file, line);
            return -1;
        }
        return 0;
    }
    set_err(err, _("%s:%d: unknown key %s"), file, line, key);
    return -1;
}

void check_pairs_add(struct check_pairs *p, const char *host_id, size_t check)
{
    p->items = xrealloc(p->items, (p->count + 1) * sizeof *p->items);
    struct check_pair *x = &p->items[p->count++];
    snprintf(x->host_id, sizeof x->host_id, "%s", host_id);
    x->check = check;
}

static int pair_cmp(const void *a, const void *b)
{
    const struct check_pair *x = a, *y = b;
    int c = strcmp(x->host_id, y->host_id);
    return c ? c : (x->check > y->check) - (x->check < y->check);
}

void check_pairs_sort(struct check_pairs *p)
{
    if (p->count)
        qsort(p->items, p->count, sizeof *p->items, pair_cmp);
}

int check_pairs_has(const struct check_pairs *p, const char *host_id, size_t check)
{
    if (!p->count)
        return 0;
    struct check_pair key;
    snprintf(key.host_id, sizeof key.host_id, "%s", host_id);
    key.check = check;
    return bsearch(&key, p->items, p->count, sizeof *p->items, pair_cmp) != NULL;
}

void check_pairs_free(struct check_pairs *p)
{
    free(p->items);
    p->items = NULL;
    p->count = 0;
}
