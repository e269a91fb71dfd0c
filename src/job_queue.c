#include "job_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "i18n.h"
#include "jobs.h"
#include "timefmt.h"
#include "util.h"

enum job_slot job_slot_decide(int group_running, int host_running, int host_limit)
{
    if (group_running >= JOB_GROUP_LIMIT)
        return JOB_SLOT_GROUP;
    if (host_limit > 0 && host_running >= host_limit)
        return JOB_SLOT_HOST;
    return JOB_SLOT_FREE;
}

/* A whole number 0..1000, or -1. */
static int limit_value(const char *v)
{
    if (!v)
        return -1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (!*v)
        return -1;
    char *end;
    long n = strtol(v, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || n < 0 || n > 1000)
        return -1;
    return (int)n;
}

int job_host_limit_parse(const char *dflt, const char *per_host)
{
    int n = limit_value(per_host);
    if (n >= 0)
        return n;
    n = limit_value(dflt);
    return n >= 0 ? n : 0;
}

int job_host_limit(const char *host)
{
    const char *per = NULL;
    if (host) {
        char *key = xasprintf("host_limit.%s", host);
        per = config_value("jobs", key);
        free(key);
    }
    return job_host_limit_parse(config_value("jobs", "host_limit"), per);
}

static int cmp_null_last(const char *a, const char *b)
{
    if (!a || !b)
        return (a == NULL) - (b == NULL);
    return strcmp(a, b);
}

int job_queue_cmp(const struct job_queue_key *a, const struct job_queue_key *b)
{
    int c = cmp_null_last(a->queued_since, b->queued_since);
    if (!c)
        c = cmp_null_last(a->expected_start, b->expected_start);
    if (!c)
        c = cmp_null_last(a->code, b->code);
    return c;
}

char *job_queue_reason_text(const struct job_run_row *r)
{
    if (!r->queued_since || !r->queue_kind || !r->queue_name)
        return NULL;
    const char *by = r->queue_by ? r->queue_by : "?";
    if (streq(r->queue_kind, "group"))
        return xasprintf(_("concurrency group %s is busy: %s is running"), r->queue_name, by);
    if (streq(r->queue_kind, "host"))
        return xasprintf(_("host %s is busy: %d of %d running (%s)"), r->queue_name,
                         r->queue_running, r->queue_limit, by);
    return NULL;
}

char *job_queue_text(const struct job_run_row *r)
{
    char *why = job_queue_reason_text(r);
    if (!why)
        return NULL;
    int64_t ms = 0;
    char at[32] = "?";
    if (time_parse(r->queued_since, &ms) == 0)
        time_format_jst(ms, at, 0);
    char *s = xasprintf(_("queued since %s: %s"), at, why);
    free(why);
    return s;
}
