#include "job_claims.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "config.h"
#include "i18n.h"
#include "util.h"

struct job_claims {
    PGconn *conn;
    char *url;
    char *holder, *holder_name;
    int lease_s;
};

/* pg_advisory_xact_lock(JOB_CLAIM_LOCK_KEY, hashtext(run id)): "jobs" in ASCII, apart
 * from CENTRAL_LOCK_KEY so claims never wait on a push. */
#define JOB_CLAIM_LOCK_KEY "1785688691"

const char *job_claims_config_url(void)
{
    const char *u = config_value("sync", "url");
    return u && *u ? u : NULL;
}

int job_claims_config_lease(void)
{
    const char *v = config_value("jobs", "lease");
    long n = v && *v ? strtol(v, NULL, 10) : JOB_CLAIM_LEASE_S;
    if (n < JOB_CLAIM_LEASE_MIN_S)
        n = JOB_CLAIM_LEASE_MIN_S;
    if (n > 86400)
        n = 86400;
    return (int)n;
}

/* *err scrubbed of the url's password. */
static int fail_scrubbed(struct job_claims *c, char **err)
{
    if (err && *err) {
        char *clean = central_scrub(c->url, *err);
        free(*err);
        *err = clean;
    }
    return -1;
}

/* unyo.job_claims, made here when a central database of an older unyo lacks it: under the
 * schema lock, so runners starting together do not race on CREATE TABLE. */
static int ensure_table(struct job_claims *c, char **err)
{
    const char *doing = _("preparing job claims in the central database");
    PGresult *r = PQexec(c->conn, "SELECT to_regclass('unyo.job_claims') IS NOT NULL, "
                                  "to_regclass('unyo.meta') IS NOT NULL, EXISTS (SELECT 1 FROM "
                                  "information_schema.columns WHERE table_schema = 'unyo' AND "
                                  "table_name = 'job_claims' AND column_name = 'ref')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        central_fail(c->conn, r, doing, err);
        PQclear(r);
        return -1;
    }
    int have = streq(PQgetvalue(r, 0, 0), "t"), schema = streq(PQgetvalue(r, 0, 1), "t");
    int current = streq(PQgetvalue(r, 0, 2), "t");
    PQclear(r);
    if (have && current)
        return 0;
    if (!schema) {
        set_err(err, _("the central database has no unyo schema yet (run unyo central init)"));
        return -1;
    }
    char *sql =
        xasprintf("BEGIN; SELECT pg_advisory_xact_lock(%lld); %s; %s; COMMIT",
                  (long long)CENTRAL_LOCK_KEY, CENTRAL_JOB_CLAIMS_DDL, CENTRAL_JOB_CLAIMS_MIGRATE);
    int rc = central_exec(c->conn, sql, doing, err);
    free(sql);
    if (rc != 0)
        PQclear(PQexec(c->conn, "ROLLBACK"));
    return rc;
}

int job_claims_open(const char *url, int lease_s, const char *holder, const char *holder_name,
                    struct job_claims **out, char **err)
{
    *out = NULL;
    struct job_claims *c = xcalloc(1, sizeof *c);
    c->url = xstrdup(url);
    c->holder = xstrdup(holder);
    c->holder_name = xstrdup(holder_name ? holder_name : holder);
    c->lease_s = lease_s < JOB_CLAIM_LEASE_MIN_S ? JOB_CLAIM_LEASE_MIN_S : lease_s;
    /* A claim waits for another runner's claim of the same run, never for ever: a statement
     * gives up after 20 s, and a runner stopped inside its claim's transaction (SIGSTOP, a
     * hung host) is disconnected by the server after 30 s, which frees the lock. */
    if (central_connect(url, &c->conn, err) != 0 ||
        central_exec(c->conn,
                     "SET statement_timeout = '20s'; "
                     "SET idle_in_transaction_session_timeout = '30s'",
                     _("preparing job claims in the central database"), err) != 0 ||
        ensure_table(c, err) != 0) {
        fail_scrubbed(c, err);
        job_claims_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

void job_claims_close(struct job_claims *c)
{
    if (!c)
        return;
    PQfinish(c->conn);
    free(c->url), free(c->holder), free(c->holder_name);
    free(c);
}

void job_claim_outcome_free(struct job_claim_outcome *o)
{
    free(o->holder), free(o->state), free(o->busy_by);
    memset(o, 0, sizeof *o);
}

int job_claims_renew_every_ms(const struct job_claims *c)
{
    return c->lease_s * 1000 / 4;
}

int job_claims_lease_ms(const struct job_claims *c)
{
    return c->lease_s * 1000;
}

/* Runs sql with params; the result (to PQclear) or NULL with *err. */
static PGresult *q(struct job_claims *c, const char *sql, int n, const char *const *v,
                   const char *doing, char **err)
{
    PGresult *r = PQexecParams(c->conn, sql, n, NULL, v, NULL, NULL, 0);
    int s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        central_fail(c->conn, r, doing, err);
        PQclear(r);
        fail_scrubbed(c, err);
        return NULL;
    }
    return r;
}

/* sql (several statements) in one round trip: 0, or -1 with *err (the transaction is then
 * rolled back). *res, when given, gets the last statement's rows. */
static int exec_batch(struct job_claims *c, const char *sql, PGresult **res, const char *doing,
                      char **err)
{
    PGresult *r = PQexec(c->conn, sql);
    int st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        central_fail(c->conn, r, doing, err);
        PQclear(r);
        PQclear(PQexec(c->conn, "ROLLBACK"));
        return fail_scrubbed(c, err);
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return 0;
}

/* Two round trips: the lock and the latest attempt's row; then the writes and COMMIT
 * (or a ROLLBACK). Values go in as escaped literals, as parameters cannot be given to a
 * batch of statements. */
int job_claims_take(struct job_claims *c, const char *run_id, int attempt, int retries,
                    struct job_claim_outcome *out, char **err)
{
    return job_claims_take_slot(c, run_id, attempt, retries, NULL, out, err);
}

/* s as an SQL literal, or NULL (malloc'd; NULL when libpq could not escape it). */
static char *literal_or_null(PGconn *conn, const char *s)
{
    if (!s)
        return xstrdup("NULL");
    char *e = PQescapeLiteral(conn, s, strlen(s));
    char *out = e ? xstrdup(e) : NULL;
    PQfreemem(e);
    return out;
}

int job_claims_take_slot(struct job_claims *c, const char *run_id, int attempt, int retries,
                         const struct job_claim_slot *slot, struct job_claim_outcome *out,
                         char **err)
{
    memset(out, 0, sizeof *out);
    const char *doing = _("claiming the run");
    char *run = PQescapeLiteral(c->conn, run_id, strlen(run_id));
    char *holder = PQescapeLiteral(c->conn, c->holder, strlen(c->holder));
    char *name = PQescapeLiteral(c->conn, c->holder_name, strlen(c->holder_name));
    int limit = slot && slot->host ? slot->host_limit : 0;
    char *grp = literal_or_null(c->conn, slot ? slot->group : NULL);
    char *host = literal_or_null(c->conn, slot && slot->host ? slot->host : NULL);
    char *ref = literal_or_null(c->conn, slot ? slot->ref : NULL);
    if (!run || !holder || !name || !grp || !host || !ref) {
        set_err(err, "%s: %s", doing, PQerrorMessage(c->conn));
        PQfreemem(run), PQfreemem(holder), PQfreemem(name);
        free(grp), free(host), free(ref);
        return fail_scrubbed(c, err);
    }
    /* The latest attempt decides: one running under a live lease, or ended. Read after the
     * locks (READ COMMITTED: each statement sees what was committed before it began). The
     * slot's locks come after the run's, the group's before the host's, in every runner:
     * no two wait on each other. The live claims of other runs in its group, on its host. */
    struct strbuf sq = STRBUF_INIT;
    sb_printf(&sq, "BEGIN; SELECT pg_advisory_xact_lock(" JOB_CLAIM_LOCK_KEY ", hashtext(%s)); ",
              run);
    if (slot && slot->group)
        sb_printf(
            &sq, "SELECT pg_advisory_xact_lock(" JOB_CLAIM_LOCK_KEY ", hashtext('group:' || %s)); ",
            grp);
    if (limit > 0)
        sb_printf(&sq,
                  "SELECT pg_advisory_xact_lock(" JOB_CLAIM_LOCK_KEY ", hashtext('host:' || %s)); ",
                  host);
    const char *live_other = "state = 'running' AND lease_until > now() AND run_id <> ";
    sb_printf(&sq,
              "SELECT a.attempt, a.who, a.state, a.live, a.left_s, "
              "(SELECT count(*) FROM unyo.job_claims WHERE %s%s AND concurrency_group = %s), "
              "(SELECT string_agg(coalesce(ref, run_id), ', ' ORDER BY claimed_at) FROM "
              "unyo.job_claims WHERE %s%s AND concurrency_group = %s), "
              "(SELECT count(*) FROM unyo.job_claims WHERE %s%s AND host = %s), "
              "(SELECT string_agg(coalesce(ref, run_id), ', ' ORDER BY claimed_at) FROM "
              "unyo.job_claims WHERE %s%s AND host = %s) "
              "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT attempt, "
              "coalesce(holder_name, holder) AS who, state, lease_until > now() AS live, "
              "greatest(0, ceil(extract(epoch FROM lease_until - now())))::int AS left_s "
              "FROM unyo.job_claims WHERE run_id = %s ORDER BY attempt DESC LIMIT 1) a ON true",
              live_other, run, grp, live_other, run, grp, live_other, run, host, live_other, run,
              host, run);
    PGresult *r = NULL;
    int rc = exec_batch(c, sq.buf, &r, doing, err);
    sb_free(&sq);
    if (rc != 0)
        goto out;
    int take = attempt, end_only = 0;
    struct strbuf w = STRBUF_INIT;
    int has_row = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);
    int live_row =
        has_row && streq(PQgetvalue(r, 0, 2), "running") && streq(PQgetvalue(r, 0, 3), "t");
    int ended_row =
        has_row && !streq(PQgetvalue(r, 0, 2), "running") && attempt <= atoi(PQgetvalue(r, 0, 0));
    if (PQntuples(r) == 1 && !live_row && !ended_row) {
        /* It would be taken: is its slot free on every console? */
        int in_group = slot && slot->group ? atoi(PQgetvalue(r, 0, 5)) : 0;
        int on_host = limit > 0 ? atoi(PQgetvalue(r, 0, 7)) : 0;
        if (in_group >= 1 || (limit > 0 && on_host >= limit)) {
            int g = in_group >= 1;
            out->busy = g ? "group" : "host";
            out->busy_by = xstrdup(PQgetvalue(r, 0, g ? 6 : 8));
            out->busy_running = g ? in_group : on_host;
            PQclear(r);
            PQclear(PQexec(c->conn, "ROLLBACK"));
            goto out;
        }
    }
    if (has_row) {
        int top = atoi(PQgetvalue(r, 0, 0));
        const char *state = PQgetvalue(r, 0, 2);
        int running = streq(state, "running");
        int live = running && streq(PQgetvalue(r, 0, 3), "t");
        if (live || (!running && attempt <= top)) {
            /* held elsewhere, or this attempt (or a later one) has already run */
            out->held = live;
            out->holder = xstrdup(PQgetvalue(r, 0, 1));
            out->state = xstrdup(state);
            out->left_s = atoi(PQgetvalue(r, 0, 4));
            PQclear(r);
            PQclear(PQexec(c->conn, "ROLLBACK"));
            goto out;
        }
        if (running) {
            /* Its holder stopped renewing: that attempt is interrupted. */
            out->interrupted = top;
            out->holder = xstrdup(PQgetvalue(r, 0, 1));
            sb_printf(&w,
                      "UPDATE unyo.job_claims SET state = 'interrupted', ended_at = now(), "
                      "lease_until = NULL WHERE run_id = %s AND attempt = %d; ",
                      run, top);
            if (top > retries && attempt <= top)
                end_only = 1; /* no retry left, no rerun asked for: it ends interrupted */
            else if (take <= top)
                take = top + 1;
        }
    }
    PQclear(r);
    if (!end_only)
        sb_printf(&w,
                  "INSERT INTO unyo.job_claims (run_id, attempt, holder, holder_name, state, "
                  "claimed_at, lease_until, concurrency_group, host, ref) VALUES (%s, %d, %s, "
                  "%s, 'running', now(), now() + make_interval(secs => %d), %s, %s, %s); ",
                  run, take, holder, name, c->lease_s, grp, host, ref);
    sb_puts(&w, "COMMIT");
    rc = exec_batch(c, w.buf, NULL, doing, err);
    sb_free(&w);
    if (rc != 0) {
        job_claim_outcome_free(out);
        goto out;
    }
    if (end_only) {
        out->state = xstrdup("interrupted");
    } else {
        out->got = 1;
        out->attempt = take;
    }
out:
    PQfreemem(run), PQfreemem(holder), PQfreemem(name);
    free(grp), free(host), free(ref);
    return rc;
}

int job_claims_renew(struct job_claims *c, const char *run_id, int attempt, char **err)
{
    char a[16], l[16];
    snprintf(a, sizeof a, "%d", attempt);
    snprintf(l, sizeof l, "%d", c->lease_s);
    const char *v[] = {run_id, a, c->holder, l};
    PGresult *r = q(c,
                    "UPDATE unyo.job_claims SET lease_until = now() + make_interval(secs => "
                    "$4::int) WHERE run_id = $1 AND attempt = $2::int AND holder = $3 "
                    "AND state = 'running'",
                    4, v, _("renewing the run's claim"), err);
    if (!r) {
        if (PQstatus(c->conn) == CONNECTION_BAD)
            PQreset(c->conn);
        return -1;
    }
    int n = atoi(PQcmdTuples(r));
    PQclear(r);
    return n == 1;
}

void job_claims_release(struct job_claims *c, const char *run_id, int attempt)
{
    char a[16];
    snprintf(a, sizeof a, "%d", attempt);
    const char *v[] = {run_id, a, c->holder};
    char *err = NULL;
    PGresult *r = q(c,
                    "DELETE FROM unyo.job_claims WHERE run_id = $1 AND attempt = $2::int "
                    "AND holder = $3 AND state = 'running'",
                    3, v, _("claiming the run"), &err);
    PQclear(r);
    free(err);
}

int job_claims_finish(struct job_claims *c, const char *run_id, int attempt, const char *state,
                      char **err)
{
    char a[16];
    snprintf(a, sizeof a, "%d", attempt);
    const char *v[] = {run_id, a, c->holder, state};
    PGresult *r = q(c,
                    "UPDATE unyo.job_claims SET state = $4, ended_at = now(), lease_until = NULL "
                    "WHERE run_id = $1 AND attempt = $2::int AND holder = $3 AND state = 'running'",
                    4, v, _("recording the run's end centrally"), err);
    if (!r) {
        if (PQstatus(c->conn) == CONNECTION_BAD)
            PQreset(c->conn);
        return -1;
    }
    PQclear(r);
    return 0;
}
