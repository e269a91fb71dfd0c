#include "job_substitute.h"

#include <stdio.h>

#include "calendar.h"
#include "i18n.h"
#include "jobs.h"
#include "util.h"

char *job_substitute_text(const struct job_run_row *r)
{
    struct civil_date from, to;
    if (!r->nominal_day || !r->due_day || civil_parse(r->nominal_day, &from) != 0 ||
        civil_parse(r->due_day, &to) != 0)
        return NULL;
    char a[16], b[16];
    snprintf(a, sizeof a, "%d/%d", from.m, from.d);
    snprintf(b, sizeof b, "%d/%d", to.m, to.d);
    return xasprintf(_("moved (closed day): %s → %s"), a, b);
}
