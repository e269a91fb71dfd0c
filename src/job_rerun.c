#include "job_rerun.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "job_runner.h"
#include "jobs.h"
#include "json.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"
#include "workflow.h"

int job_rerun_mode_parse(const char *text, enum job_rerun_mode *mode)
{
    if (!text)
        return -1;
    if (streq(text, "only"))
        *mode = JOB_RERUN_ONLY;
    else if (streq(text, "from-failed") || streq(text, "from_failed"))
        *mode = JOB_RERUN_FROM_FAILED;
    else if (streq(text, "after"))
        *mode = JOB_RERUN_AFTER;
    else
        return -1;
    return 0;
}

const char *job_rerun_mode_label(enum job_rerun_mode mode)
{
    switch (mode) {
    case JOB_RERUN_FROM_FAILED:
        return _("from this failed run: it and every run after it");
    case JOB_RERUN_AFTER:
        return _("the runs after it, not itself");
    case JOB_RERUN_ONLY:
    default:
        return _("this run only (as rerun always did)");
    }
}

static const char *mode_key(enum job_rerun_mode mode)
{
    return mode == JOB_RERUN_FROM_FAILED ? "from-failed"
           : mode == JOB_RERUN_AFTER     ? "after"
                                         : "only";
}

static void run_clear(struct job_rerun_run *r)
{
    free(r->ref), free(r->code), free(r->state);
}

void job_rerun_plan_clear(struct job_rerun_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nrerun; i++)
        run_clear(&p->rerun[i]);
    for (size_t i = 0; i < p->nfollow; i++)
        run_clear(&p->follow[i]);
    free(p->rerun), free(p->follow);
    *p = (struct job_rerun_plan){0};
}

char *job_rerun_codes(const struct job_rerun_run *v, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_puts(&sb, _(", "));
        sb_puts(&sb, v[i].code ? v[i].code : "");
    }
    return sb_detach(&sb);
}

static void push(struct job_rerun_run **v, size_t *n, const struct job_rerun_run *r)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = *r;
}

static int is_ended(const char *state)
{
    return streq(state, "succeeded") || streq(state, "failed") || streq(state, "skipped") ||
           streq(state, "cancelled") || streq(state, "interrupted") ||
           streq(state, "not_arrived") || streq(state, "judged_out");
}

/* The run named by id, as a plan entry (and its job and day). */
static int read_run(struct store *st, const char *id, struct job_rerun_run *r,
                    char job_id[ID_LEN + 1], char day[16], char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT r.id, j.code || '@' || r.due_day, j.code, r.state, "
                                     "j.command IS NULL, j.id, r.due_day FROM job_runs r "
                                     "JOIN jobs j ON j.id = r.job_id WHERE r.id = ?1");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    if (got == 1) {
        snprintf(r->id, sizeof r->id, "%s", col_text(s, 0));
        r->ref = col_dup(s, 1);
        r->code = col_dup(s, 2);
        r->state = col_dup(s, 3);
        r->manual = sqlite3_column_int(s, 4);
        snprintf(job_id, ID_LEN + 1, "%s", col_text(s, 5));
        snprintf(day, 16, "%s", col_text(s, 6));
    }
    sqlite3_reset(s);
    if (got == 0)
        set_err(err, _("no run %s"), id);
    return got == 1 ? 0 : -1;
}

/* The net in memory: job_deps has no index on depends_on_id, and a recursive query over
 * it scans the table once per job reached (5,000 jobs after a run: 28 s). One read of the
 * edges, then a walk in C. */
struct net {
    char (*ids)[ID_LEN + 1]; /* every job named by an edge; slot index = node */
    size_t nids;
    size_t *slot; /* open addressing over ids, cap entries, SIZE_MAX empty */
    size_t cap;
    size_t *efrom, *eto; /* edges (job runs after), sorted by efrom */
    size_t nedges;
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The node of id (added when add), or SIZE_MAX. */
static size_t net_node(struct net *g, const char *id, int add)
{
    size_t i = (size_t)(fnv(id) & (g->cap - 1));
    while (g->slot[i] != SIZE_MAX) {
        if (streq(g->ids[g->slot[i]], id))
            return g->slot[i];
        i = (i + 1) & (g->cap - 1);
    }
    if (!add)
        return SIZE_MAX;
    g->ids = xrealloc(g->ids, (g->nids + 1) * sizeof *g->ids);
    snprintf(g->ids[g->nids], ID_LEN + 1, "%s", id);
    g->slot[i] = g->nids;
    return g->nids++;
}

static void net_free(struct net *g)
{
    free(g->ids), free(g->slot), free(g->efrom), free(g->eto);
}

static int net_read(struct store *st, struct net *g, char **err)
{
    *g = (struct net){0};
    sqlite3_stmt *c = store_stmt(st, "SELECT count(*) FROM job_deps WHERE deleted = 0");
    int got = store_one_row(c, err);
    size_t n = got == 1 ? (size_t)sqlite3_column_int64(c, 0) : 0;
    sqlite3_reset(c);
    if (got < 0)
        return -1;
    for (g->cap = 16; g->cap < 4 * (n + 1); g->cap *= 2)
        ;
    g->slot = xmalloc(g->cap * sizeof *g->slot);
    for (size_t i = 0; i < g->cap; i++)
        g->slot[i] = SIZE_MAX;
    g->efrom = xmalloc((n + 1) * sizeof *g->efrom);
    g->eto = xmalloc((n + 1) * sizeof *g->eto);
    sqlite3_stmt *s = store_stmt(st, "SELECT depends_on_id, job_id FROM job_deps "
                                     "WHERE deleted = 0 ORDER BY depends_on_id");
    int rc;
    while ((rc = store_next_row(s, err)) == 1 && g->nedges < n) {
        g->efrom[g->nedges] = net_node(g, col_text(s, 0), 1);
        g->eto[g->nedges] = net_node(g, col_text(s, 1), 1);
        g->nedges++;
    }
    sqlite3_reset(s);
    if (rc < 0) {
        net_free(g);
        return -1;
    }
    return 0;
}

/* The first edge from node u: the edges are read sorted by the id of the job they start
 * from (BINARY order, strcmp's), so a binary search on that id finds them. */
static size_t net_first(const struct net *g, size_t u)
{
    size_t lo = 0, hi = g->nedges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(g->ids[g->efrom[mid]], g->ids[u]) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct after_row {
    struct job_rerun_run run;
    size_t depth;
    char *start; /* expected start, or "99:99" */
};

static int cmp_after(const void *a, const void *b)
{
    const struct after_row *x = a, *y = b;
    if (x->depth != y->depth)
        return x->depth < y->depth ? -1 : 1;
    int c = strcmp(x->start, y->start);
    return c ? c : strcmp(x->run.code, y->run.code);
}

/* The day's runs of every job after job_id in the net (transitively), the net's order:
 * by how deep in the net (the longest way from job_id), then by expected start and code. */
static int runs_after(struct store *st, const char *job_id, const char *day,
                      struct job_rerun_run **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    struct net g;
    if (net_read(st, &g, err) != 0)
        return -1;
    size_t root = net_node(&g, job_id, 0);
    if (root == SIZE_MAX) { /* nothing runs after it */
        net_free(&g);
        return 0;
    }
    /* the jobs reached, then their depth by Kahn's order over the reached part */
    size_t *seen = xcalloc(g.nids, sizeof *seen); /* 1 reached */
    size_t *indeg = xcalloc(g.nids, sizeof *indeg);
    size_t *depth = xcalloc(g.nids, sizeof *depth);
    size_t *queue = xmalloc((g.nids + 1) * sizeof *queue);
    size_t qh = 0, qt = 0;
    queue[qt++] = root;
    seen[root] = 1;
    while (qh < qt) {
        size_t u = queue[qh++];
        for (size_t e = net_first(&g, u); e < g.nedges && g.efrom[e] == u; e++) {
            indeg[g.eto[e]]++;
            if (!seen[g.eto[e]]) {
                seen[g.eto[e]] = 1;
                queue[qt++] = g.eto[e];
            }
        }
    }
    size_t reached = qt;
    qh = qt = 0;
    queue[qt++] = root;
    while (qh < qt) {
        size_t u = queue[qh++];
        for (size_t e = net_first(&g, u); e < g.nedges && g.efrom[e] == u; e++) {
            size_t v = g.eto[e];
            if (depth[u] + 1 > depth[v])
                depth[v] = depth[u] + 1;
            if (--indeg[v] == 0)
                queue[qt++] = v;
        }
    }
    struct after_row *rows = NULL;
    size_t nrows = 0;
    int rc = 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT r.id, j.code || '@' || r.due_day, j.code, r.state, "
                                     "j.command IS NULL, coalesce(j.expected_start, '99:99') "
                                     "FROM job_runs r JOIN jobs j ON j.id = r.job_id "
                                     "WHERE r.job_id = ?1 AND r.due_day = ?2 AND r.deleted = 0");
    /* queue holds Kahn's order: every reached job, the net having no cycle (jobs_install
     * refuses one; a pulled edge closing one would leave its jobs out, not loop) */
    (void)reached;
    for (size_t i = 1; rc == 0 && i < qt; i++) {
        size_t v = queue[i];
        bind_text(s, 1, g.ids[v]);
        bind_text(s, 2, day);
        int got = store_one_row(s, err);
        if (got == 1) {
            rows = xrealloc(rows, (nrows + 1) * sizeof *rows);
            struct after_row *r = &rows[nrows++];
            *r = (struct after_row){{{0}, NULL, NULL, NULL, 0}, depth[v], NULL};
            snprintf(r->run.id, sizeof r->run.id, "%s", col_text(s, 0));
            r->run.ref = col_dup(s, 1);
            r->run.code = col_dup(s, 2);
            r->run.state = col_dup(s, 3);
            r->run.manual = sqlite3_column_int(s, 4);
            r->start = col_dup(s, 5);
        }
        sqlite3_reset(s);
        if (got < 0)
            rc = -1;
    }
    if (rc == 0 && nrows > 1)
        qsort(rows, nrows, sizeof *rows, cmp_after);
    for (size_t i = 0; i < nrows; i++) {
        if (rc == 0)
            push(out, n, &rows[i].run);
        else
            run_clear(&rows[i].run);
        free(rows[i].start);
    }
    free(rows), free(seen), free(indeg), free(depth), free(queue);
    net_free(&g);
    return rc;
}

/* The plan for run id (read in the caller's transaction, or none). */
static int make_plan(struct store *st, const char *id, enum job_rerun_mode mode,
                     struct job_rerun_plan *p, char **err)
{
    *p = (struct job_rerun_plan){0};
    struct job_rerun_run self = {{0}, NULL, NULL, NULL, 0};
    char job_id[ID_LEN + 1], day[16];
    if (read_run(st, id, &self, job_id, day, err) != 0) {
        run_clear(&self);
        return -1;
    }
    struct job_rerun_run *after = NULL;
    size_t nafter = 0;
    if (runs_after(st, job_id, day, &after, &nafter, err) != 0) {
        run_clear(&self);
        return -1;
    }
    const char *st_name = jobs_state_name(self.state);
    int rc = -1;
    if (streq(self.state, "running")) {
        set_err(err,
                _("%s is running: a run is rerun once it has ended (wait for it, or cancel it "
                  "first)"),
                self.ref);
        goto out;
    }
    if (mode != JOB_RERUN_AFTER) { /* the run itself goes back: the workflow's words */
        struct wf_actor who = workflow_actor(st);
        struct wf_record rec = {self.ref, NULL, NULL};
        if (workflow_check(&job_run_workflow, self.state, "rerun", &who, &rec, NULL, err) != 0)
            goto out;
    }
    if (mode == JOB_RERUN_FROM_FAILED && streq(self.state, "succeeded")) {
        set_err(err,
                _("%s succeeded: --from-failed reruns a run that did not succeed and the runs "
                  "after it (--only reruns it alone, --after the runs after it)"),
                self.ref);
        goto out;
    }
    if (mode == JOB_RERUN_AFTER && !nafter) {
        set_err(err, _("%s has no runs after it on %s: no job of that day runs after %s"), self.ref,
                day, self.code);
        goto out;
    }
    if (mode == JOB_RERUN_AFTER && !streq(self.state, "succeeded")) {
        if (is_ended(self.state))
            set_err(err,
                    _("%s is %s: the runs after it start only once it has succeeded; rerun it "
                      "with --from-failed, or mark it succeeded with a reason (unyo jobs mark %s "
                      "succeeded --reason TEXT)"),
                    self.ref, st_name, self.ref);
        else
            set_err(err, _("%s has not run yet (it is %s): the runs after it follow it as always"),
                    self.ref, st_name);
        goto out;
    }
    if (mode != JOB_RERUN_ONLY)
        for (size_t i = 0; i < nafter; i++)
            if (streq(after[i].state, "running")) {
                set_err(err,
                        _("%s, a run after %s, is running: wait for it to end, or cancel it "
                          "first"),
                        after[i].ref, self.ref);
                goto out;
            }
    if (mode != JOB_RERUN_AFTER) {
        push(&p->rerun, &p->nrerun, &self);
        self = (struct job_rerun_run){{0}, NULL, NULL, NULL, 0};
    }
    for (size_t i = 0; i < nafter; i++) {
        if (mode != JOB_RERUN_ONLY && is_ended(after[i].state))
            push(&p->rerun, &p->nrerun, &after[i]);
        else if (!is_ended(after[i].state))
            push(&p->follow, &p->nfollow, &after[i]);
        else
            run_clear(&after[i]);
    }
    nafter = 0;
    if (!p->nrerun) {
        char *codes = job_rerun_codes(p->follow, p->nfollow);
        set_err(err,
                _("nothing to rerun after %s: the runs after it (%s) have not run yet; they "
                  "start after it as always"),
                self.ref, codes);
        free(codes);
        goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < nafter; i++)
        run_clear(&after[i]);
    free(after);
    run_clear(&self);
    if (rc != 0)
        job_rerun_plan_clear(p);
    return rc;
}

int jobs_rerun_plan(struct store *st, const char *ref, enum job_rerun_mode mode,
                    struct job_rerun_plan *plan, char **err)
{
    *plan = (struct job_rerun_plan){0};
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (jobs_resolve_run(st, ref, id, err) != 0)
        return -1;
    return make_plan(st, id, mode, plan, err);
}

/* One run back in the queue, inside the transaction: as jobs_run_action's rerun. */
static int requeue(struct store *st, const struct job_rerun_run *r, enum job_rerun_mode mode,
                   const char *anchor, const char *note, char **err)
{
    struct wf_actor who = workflow_actor(st);
    struct wf_record rec = {r->ref, NULL, NULL};
    const char *to = NULL;
    if (workflow_check(&job_run_workflow, r->state, "rerun", &who, &rec, &to, err) != 0)
        return -1;
    if (r->manual)
        to = "waiting";
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *u = store_stmt(
        st, "UPDATE job_runs SET state = ?2, updated_at = ?3, hlc = ?4, origin = ?5, "
            "attempt = attempt + 1, claimed_by = NULL, claimed_at = NULL, started_at = NULL, "
            "exit_status = NULL, ended_at = NULL, wait_found = NULL, judged_at = NULL "
            "WHERE id = ?1 AND state = ?6");
    bind_text(u, 1, r->id);
    bind_text(u, 2, to);
    bind_text(u, 3, at);
    bind_int(u, 4, store_hlc_next(st));
    bind_text(u, 5, st->origin);
    bind_text(u, 6, r->state);
    int step = sqlite3_step(u);
    int changed = sqlite3_changes(st->db);
    sqlite3_reset(u);
    if (step != SQLITE_DONE)
        return store_fail(st, err, _("updating the run"));
    if (changed != 1) {
        set_err(err, _("%s changed meanwhile (it is no longer %s): nothing was rerun"), r->ref,
                jobs_state_name(r->state));
        return -1;
    }
    char *auto_note = NULL;
    if (!note || !*note)
        note = auto_note =
            mode == JOB_RERUN_AFTER ? xasprintf(_("rerun after %s (the runs after it)"), anchor)
            : streq(r->ref, anchor)
                ? xasprintf(_("rerun from the failed run %s and the runs after it"), anchor)
                : xasprintf(_("rerun after %s (from the failed run)"), anchor);
    char *data = xasprintf("{\"from\":\"%s\",\"to\":\"%s\"}", r->state, to);
    struct strbuf detail = STRBUF_INIT;
    sb_putc(&detail, '{');
    json_member(&detail, "from", r->state);
    json_member(&detail, "to", to);
    json_member(&detail, "mode", mode_key(mode));
    json_member(&detail, "run", anchor);
    sb_putc(&detail, '}');
    int rc = job_event(st, r->id, "rerun", note, data, err);
    if (rc == 0)
        rc = store_audit(st, "job.rerun", "job_runs", r->id, detail.buf, err);
    free(data), free(auto_note);
    sb_free(&detail);
    return rc;
}

int jobs_rerun(struct store *st, const char *ref, enum job_rerun_mode mode, const char *note,
               struct job_rerun_plan *done, char **err)
{
    if (done)
        *done = (struct job_rerun_plan){0};
    if (store_refuse_write(st, err) != 0 || store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (jobs_resolve_run(st, ref, id, err) != 0)
        return -1;
    if (mode == JOB_RERUN_ONLY) {
        /* Today's rerun, unchanged; the plan only says what follows it. */
        struct job_rerun_plan p;
        if (make_plan(st, id, mode, &p, err) != 0)
            return -1;
        if (jobs_run_action(st, ref, "rerun", note, err) != 0) {
            job_rerun_plan_clear(&p);
            return -1;
        }
        if (done)
            *done = p;
        else
            job_rerun_plan_clear(&p);
        return 0;
    }
    if (store_begin(st, err) != 0)
        return -1;
    struct job_rerun_plan p;
    if (make_plan(st, id, mode, &p, err) != 0) {
        store_rollback(st);
        return -1;
    }
    const char *anchor = mode == JOB_RERUN_AFTER ? NULL : p.rerun[0].ref;
    char *anchor_ref = NULL;
    if (!anchor) {
        sqlite3_stmt *s = store_stmt(st, "SELECT j.code || '@' || r.due_day FROM job_runs r "
                                         "JOIN jobs j ON j.id = r.job_id WHERE r.id = ?1");
        bind_text(s, 1, id);
        if (store_one_row(s, err) == 1)
            anchor_ref = col_dup(s, 0);
        sqlite3_reset(s);
        anchor = anchor_ref ? anchor_ref : ref;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p.nrerun; i++)
        rc = requeue(st, &p.rerun[i], mode, anchor, note, err);
    free(anchor_ref);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        job_rerun_plan_clear(&p);
        return -1;
    }
    if (done)
        *done = p;
    else
        job_rerun_plan_clear(&p);
    return 0;
}

int job_mark_succeeded_applies(const char *state)
{
    return state && (streq(state, "failed") || streq(state, "interrupted"));
}

int job_mark_succeeded_tx(struct store *st, const char *id, const char *ref, const char *from,
                          const char *reason, char **err)
{
    const char *p = reason;
    while (p && (*p == ' ' || *p == '\t' || *p == '\n'))
        p++;
    if (!p || !*p) {
        set_err(err,
                _("say why %s counts as succeeded (--reason TEXT): a failed run is marked "
                  "succeeded only with a reason, kept in its history"),
                ref);
        return -1;
    }
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *u = store_stmt(st, "UPDATE job_runs SET state = 'succeeded', updated_at = ?2, "
                                     "hlc = ?3, origin = ?4 WHERE id = ?1 AND state = ?5");
    bind_text(u, 1, id);
    bind_text(u, 2, at);
    bind_int(u, 3, store_hlc_next(st));
    bind_text(u, 4, st->origin);
    bind_text(u, 5, from);
    int step = sqlite3_step(u);
    int changed = sqlite3_changes(st->db);
    sqlite3_reset(u);
    if (step != SQLITE_DONE)
        return store_fail(st, err, _("updating the run"));
    if (changed != 1) {
        set_err(err, _("%s changed meanwhile (it is no longer %s): nothing was marked"), ref,
                jobs_state_name(from));
        return -1;
    }
    char *data = xasprintf("{\"from\":\"%s\",\"to\":\"succeeded\"}", from);
    struct strbuf detail = STRBUF_INIT;
    sb_putc(&detail, '{');
    json_member(&detail, "from", from);
    json_member(&detail, "to", "succeeded");
    json_member(&detail, "reason", reason);
    sb_putc(&detail, '}');
    int rc = job_event(st, id, "marked_succeeded", reason, data, err);
    if (rc == 0)
        rc = store_audit(st, "job.mark_succeeded", "job_runs", id, detail.buf, err);
    free(data);
    sb_free(&detail);
    return rc;
}
