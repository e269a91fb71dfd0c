/* What the incident, inquiry and problem views of the console pick from
 * (seed 002 items 1-4): engineers to escalate to, libraries for a new
 * inquiry, the acting operator's unfinished incident drafts, the next status
 * of a problem. Reads only; the ledgers themselves are in incidents.h,
 * inquiries.h and problems.h, the paged list in incident_list.h. */
#ifndef UNYO_INCIDENT_VIEWS_H
#define UNYO_INCIDENT_VIEWS_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* A choice: key (a login, a library code, an incident ref), its display name
 * and, for drafts, when it was last saved (UTC ms). */
struct incident_choice {
    char *key, *name;
    int64_t at;
};
void incident_choices_free(struct incident_choice *c, size_t n);

/* Active engineers (who an incident can be escalated to), by login: key is
 * the login, name the operator's name. */
int incident_engineers(struct store *st, struct incident_choice **out, size_t *n, char **err);
/* Libraries in use, the central library first, then branches, then the rest,
 * by code: key is the code, name the name in the UI language (the code when
 * it has none). */
int incident_library_choices(struct store *st, struct incident_choice **out, size_t *n, char **err);
/* The acting operator's drafts (store_require_operator first), the most
 * recently saved first, at most limit: key is the ref, name the title, at the
 * last save. */
int incident_my_drafts(struct store *st, int limit, struct incident_choice **out, size_t *n,
                       char **err);
/* How many drafts the acting operator has. 0, or -1 with *err. */
int incident_my_draft_count(struct store *st, int *n, char **err);

/* The status after status in the problem workflow (open -> investigating ->
 * known_error -> resolved -> closed); NULL at the last one or for an unknown
 * status. */
const char *problem_next_status(const char *status);

#endif
