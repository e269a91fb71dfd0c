#include "inquiries.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "incidents.h"
#include "json.h"
#include "search.h"
#include "signin.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"
#include "workflow.h"

const char *inquiry_status_name(const char *k)
{
    static const struct {
        const char *key, *ctx_id;
    } names[] = {
        {"received", P_("inquiry", "received")},
        {"investigating", P_("inquiry", "investigating")},
        {"drafted", P_("inquiry", "drafted")},
        {"in_review", P_("inquiry", "in review")},
        {"approved", P_("inquiry", "approved")},
        {"returned", P_("inquiry", "returned")},
        {"answered", P_("inquiry", "answered")},
        {"closed", P_("inquiry", "closed")},
        {"converted", P_("inquiry", "converted")},
        {"note", P_("inquiry", "note")},
    };
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (streq(k, names[i].key))
            return ledger_label(names[i].ctx_id);
    return k ? k : "";
}

void inquiry_clear(struct inquiry *q)
{
    free(q->library_code);
    free(q->library_name);
    free(q->channel);
    free(q->reporter);
    free(q->title);
    free(q->question);
    free(q->status);
    free(q->draft_answer);
    free(q->draft_by_login);
    free(q->reviewer_login);
    free(q->answer);
    free(q->incident_id);
    free(q->incident_ref);
    memset(q, 0, sizeof *q);
}

int inquiry_resolve(struct store *st, const char *ref_or_id, char id[ID_LEN + 1], char **err)
{
    if (!ref_or_id || !*ref_or_id) {
        set_err(err, _("say which inquiry (INQ-YYYYMMDD-xxxx or its id)"));
        return -1;
    }
    int n = ledger_find(
        store_stmt(st, "SELECT id FROM inquiries WHERE id = ?1 AND deleted = 0"),
        store_stmt(st, "SELECT id FROM inquiries WHERE ref = ?1 AND deleted = 0 LIMIT 2"),
        ref_or_id, id, err);
    if (n < 0)
        return -1;
    if (n == 1)
        return 0;
    if (n == 0)
        set_err(err, _("no inquiry %s"), ref_or_id);
    else
        set_err(err, _("%s names more than one inquiry; use the id"), ref_or_id);
    return -1;
}

#define INQ_COLS                                                                                   \
    "q.id, q.ref, l.code, CASE WHEN ?9 = 'ja' THEN l.name_ja ELSE l.name_en END, q.channel, "      \
    "q.reporter, q.title, q.question, q.status, q.draft_answer, d.login, r.login, q.answer, "      \
    "q.incident_id, (SELECT ref FROM incidents WHERE id = q.incident_id), q.received_at, "         \
    "q.answered_at, q.closed_at "
#define INQ_FROM                                                                                   \
    "FROM inquiries q LEFT JOIN libraries l ON l.id = q.library_id LEFT JOIN operators d ON "      \
    "d.id = q.draft_by LEFT JOIN operators r ON r.id = q.reviewer_id "

static void read_row(sqlite3_stmt *s, struct inquiry *q)
{
    memset(q, 0, sizeof *q);
    snprintf(q->id, sizeof q->id, "%s", col_text(s, 0));
    snprintf(q->ref, sizeof q->ref, "%s", col_text(s, 1) ? col_text(s, 1) : "");
    q->library_code = col_dup(s, 2);
    q->library_name = col_dup(s, 3);
    q->channel = col_dup(s, 4);
    q->reporter = col_dup(s, 5);
    q->title = col_dup(s, 6);
    q->question = col_dup(s, 7);
    q->status = col_dup(s, 8);
    q->draft_answer = col_dup(s, 9);
    q->draft_by_login = col_dup(s, 10);
    q->reviewer_login = col_dup(s, 11);
    q->answer = col_dup(s, 12);
    q->incident_id = col_dup(s, 13);
    q->incident_ref = col_dup(s, 14);
    q->received = ledger_ms(col_text(s, 15));
    q->answered = ledger_ms(col_text(s, 16));
    q->closed = ledger_ms(col_text(s, 17));
}

int inquiry_get(struct store *st, const char *ref_or_id, struct inquiry *out, char **err)
{
    char id[ID_LEN + 1];
    memset(out, 0, sizeof *out);
    if (inquiry_resolve(st, ref_or_id, id, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT " INQ_COLS INQ_FROM "WHERE q.id = ?1");
    bind_text(s, 1, id);
    bind_text(s, 9, i18n_lang());
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return store_fail(st, err, _("reading an inquiry"));
    }
    read_row(s, out);
    sqlite3_reset(s);
    return 0;
}

static int add_event(struct store *st, const char *qid, const char *kind, const char *note,
                     const char *data, int64_t at, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO inquiry_events(id, inquiry_id, kind, note, data, operator_id, at, hlc, "
            "origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (ledger_insert_event(st, s, qid, kind, note, data, at) != 0)
        return store_fail(st, err, _("recording an inquiry event"));
    return 0;
}

int inquiry_create(struct store *st, const struct inquiry_new *in, char *out_id, char *out_ref,
                   char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char lib[ID_LEN + 1];
    if (ledger_library(st, in->library, lib, err) != 0)
        return -1;
    if (!ledger_key_valid(incident_channels, in->channel)) {
        char *k = ledger_key_list(incident_channels);
        set_err(err, _("unknown channel \"%s\" (expected %s)"), in->channel ? in->channel : "", k);
        free(k);
        return -1;
    }
    if (!in->title || !*in->title) {
        set_err(err, _("an inquiry needs a title"));
        return -1;
    }
    int64_t now = time_now_ms();
    int64_t received = in->received > 0 ? in->received : now;
    if (store_begin(st, err) != 0)
        return -1;
    char id[ID_LEN + 1], ref[24], rts[TIME_ISO_LEN + 1], nts[TIME_ISO_LEN + 1];
    for (;;) {
        id_new_at(id, received);
        ledger_ref("INQ", id, received, ref);
        sqlite3_stmt *c = store_stmt(st, "SELECT 1 FROM inquiries WHERE ref = ?1");
        bind_text(c, 1, ref);
        int taken = store_one_row(c, err);
        sqlite3_reset(c);
        if (taken < 0) {
            store_rollback(st);
            return -1;
        }
        if (!taken)
            break;
    }
    time_format_iso(received, rts);
    time_format_iso(now, nts);
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO inquiries(id, ref, library_id, channel, reporter, title, question, "
            "status, received_at, created_by, created_at, updated_at, hlc, origin) VALUES(?1, ?2, "
            "?3, ?4, ?5, ?6, ?7, 'received', ?8, ?9, ?10, ?10, ?11, ?12)");
    bind_text(s, 1, id);
    bind_text(s, 2, ref);
    bind_text(s, 3, lib);
    bind_text(s, 4, in->channel);
    bind_text(s, 5, in->reporter && *in->reporter ? in->reporter : NULL);
    bind_text(s, 6, in->title);
    bind_text(s, 7, in->question && *in->question ? in->question : NULL);
    bind_text(s, 8, rts);
    bind_text(s, 9, st->operator_id);
    bind_text(s, 10, nts);
    bind_int(s, 11, store_hlc_next(st));
    bind_text(s, 12, st->origin);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st, err, _("saving an inquiry"));
    if (rc == 0)
        rc = add_event(st, id, "received", NULL, NULL, received, err);
    if (rc == 0)
        rc = store_audit(st, "inquiry.create", "inquiries", id, ref, err);
    return ledger_created(st, rc, id, ref, out_id, out_ref, err);
}

/* One change: the event, the cached columns, audit. Fields NULL keep their value. */
struct change {
    const char *status, *draft_answer, *draft_by, *reviewer, *answer, *incident_id;
    int answered, closed;
};

static int apply_in_tx(struct store *st, const struct inquiry *q, const char *kind,
                       const char *note, const char *data, const struct change *c, char **err)
{
    int64_t now = time_now_ms();
    char nts[TIME_ISO_LEN + 1];
    time_format_iso(now, nts);
    int rc = add_event(st, q->id, kind, note, data, now, err);
    if (rc == 0) {
        sqlite3_stmt *s = store_stmt(
            st, "UPDATE inquiries SET status = coalesce(?2, status), draft_answer = "
                "coalesce(?3, draft_answer), draft_by = coalesce(?4, draft_by), reviewer_id = "
                "coalesce(?5, reviewer_id), answer = coalesce(?6, answer), incident_id = "
                "coalesce(?7, incident_id), answered_at = CASE WHEN ?8 THEN ?10 ELSE "
                "answered_at END, closed_at = CASE WHEN ?9 THEN ?10 ELSE closed_at END, "
                "updated_at = ?10, hlc = ?11, origin = ?12 WHERE id = ?1");
        bind_text(s, 1, q->id);
        bind_text(s, 2, c->status);
        bind_text(s, 3, c->draft_answer);
        bind_text(s, 4, c->draft_by);
        bind_text(s, 5, c->reviewer);
        bind_text(s, 6, c->answer);
        bind_text(s, 7, c->incident_id);
        bind_int(s, 8, c->answered);
        bind_int(s, 9, c->closed);
        bind_text(s, 10, nts);
        bind_int(s, 11, store_hlc_next(st));
        bind_text(s, 12, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("saving an inquiry"));
    }
    if (rc == 0) {
        char *detail = xasprintf("%s %s", q->ref, kind);
        rc = store_audit(st, "inquiry.step", "inquiries", q->id, detail, err);
        free(detail);
    }
    return rc;
}

static int in_set(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (streq(s, *set))
            return 1;
    return 0;
}

static int refuse(const struct inquiry *q, const char *what, const char *why, char **err)
{
    set_err(err, _("%s: cannot record %s while the inquiry is %s: %s"), q->ref,
            inquiry_status_name(what), inquiry_status_name(q->status), why);
    return -1;
}

/* Opens the transaction the change is read and written in (two consoles never
 * step on each other); finish() commits or rolls it back. */
static int load(struct store *st, const char *ref_or_id, struct inquiry *q, char **err)
{
    if (store_require_operator(st, err) != 0 || store_begin(st, err) != 0)
        return -1;
    if (inquiry_get(st, ref_or_id, q, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

static int finish(struct store *st, struct inquiry *q, int rc, char **err)
{
    if (rc == 0)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    inquiry_clear(q);
    return rc;
}

static const char *const inquiry_states[] = {"received",  "investigating", "drafted",
                                             "in_review", "approved",      "answered",
                                             "closed",    "converted",     NULL};
static const char *const inquiry_actions[] = {"investigating", "drafted",  "in_review", "approved",
                                              "returned",      "answered", "closed",    "converted",
                                              "note",          NULL};

const char *inquiry_action_name(const char *k)
{
    static const struct {
        const char *key, *name;
    } names[] = {
        {"investigating", N_("investigate")},
        {"drafted", N_("draft an answer")},
        {"in_review", N_("send to review")},
        {"approved", N_("approve")},
        {"returned", N_("return")},
        {"answered", N_("record the answer")},
        {"closed", N_("close")},
        {"converted", N_("convert into an incident")},
        {"note", N_("add a note")},
    };
    for (size_t i = 0; k && i < ARRAY_LEN(names); i++)
        if (streq(k, names[i].key))
            return _(names[i].name);
    return k ? k : "";
}

/* The inquiry workflow (the picture in inquiries.h). A draft answer is reviewed by an
 * engineer who did not write it; returning it sends it back to drafted. */
#define REVIEW WF_ENGINEER, WF_NOT_AUTHOR
static const struct wf_transition inquiry_rows[] = {
    {"received", "investigating", "investigating", 0, 0},
    {"received", "drafted", "drafted", 0, 0},
    {"investigating", "drafted", "drafted", 0, 0},
    {"drafted", "drafted", "drafted", 0, 0},
    {"drafted", "in_review", "in_review", 0, 0},
    {"drafted", "approved", "approved", REVIEW},
    {"in_review", "approved", "approved", REVIEW},
    {"drafted", "returned", "drafted", REVIEW},
    {"in_review", "returned", "drafted", REVIEW},
    {"approved", "answered", "answered", 0, 0},
    {"answered", "closed", "closed", 0, 0},
    {"received", "converted", "converted", 0, 0},
    {"investigating", "converted", "converted", 0, 0},
    {"drafted", "converted", "converted", 0, 0},
    {"in_review", "converted", "converted", 0, 0},
    {"approved", "converted", "converted", 0, 0},
    {"received", "note", NULL, 0, 0},
    {"investigating", "note", NULL, 0, 0},
    {"drafted", "note", NULL, 0, 0},
    {"in_review", "note", NULL, 0, 0},
    {"approved", "note", NULL, 0, 0},
    {"answered", "note", NULL, 0, 0},
    {"closed", "note", NULL, 0, 0},
    {"converted", "note", NULL, 0, 0},
};
#undef REVIEW
static const struct wf_hint inquiry_hints[] = {
    {"closed", NULL, N_("it is closed")},
    {"converted", NULL, N_("it is closed")},
};
const struct wf_table inquiry_workflow = {
    N_("inquiry"),           inquiry_states,      inquiry_actions,
    inquiry_status_name,     inquiry_action_name, inquiry_rows,
    ARRAY_LEN(inquiry_rows), inquiry_hints,       ARRAY_LEN(inquiry_hints)};

/* The workflow's verdict on action for q by the acting operator; *to (may be NULL) gets
 * the status to write, NULL when it stays. The draft's author is compared by id. */
static int check_workflow(struct store *st, const struct inquiry *q, const char *action,
                          const char **to, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT draft_by FROM inquiries WHERE id = ?1");
    bind_text(s, 1, q->id);
    char author[ID_LEN + 1] = "";
    int got = store_one_row(s, err);
    if (got == 1 && col_text(s, 0))
        snprintf(author, sizeof author, "%s", col_text(s, 0));
    sqlite3_reset(s);
    if (got < 0)
        return -1;
    struct wf_actor who = workflow_actor(st);
    struct wf_record rec = {q->ref, NULL, author};
    const char *next = NULL;
    if (workflow_check(&inquiry_workflow, q->status, action, &who, &rec, &next, err) != 0)
        return -1;
    if (to)
        *to = streq(next, q->status) ? NULL : next;
    return 0;
}

int inquiry_step(struct store *st, const char *ref_or_id, const char *step, const char *note,
                 char **err)
{
    struct inquiry q;
    if (load(st, ref_or_id, &q, err) != 0)
        return -1;
    int rc = 0;
    struct change c = {0};
    if (!step || !in_set(step, (const char *const[]){"investigating", "in_review", "closed", "note",
                                                     NULL})) {
        set_err(err, _("unknown step \"%s\" (expected investigating, in_review, closed or note)"),
                step ? step : "");
        rc = -1;
    }
    if (rc == 0)
        rc = check_workflow(st, &q, step, &c.status, err);
    if (rc == 0 && streq(step, "in_review") && !q.draft_answer)
        rc = refuse(&q, step,
                    _("a draft answer goes to review (write one with unyo inquiry draft)"), err);
    if (rc == 0 && streq(step, "note") && (!note || !*note)) {
        set_err(err, _("a note needs text (--note TEXT)"));
        rc = -1;
    }
    c.closed = rc == 0 && streq(step, "closed");
    if (rc == 0)
        rc = apply_in_tx(st, &q, step, note, NULL, &c, err);
    return finish(st, &q, rc, err);
}

int inquiry_draft(struct store *st, const char *ref_or_id, const char *text, char **err)
{
    struct inquiry q;
    if (load(st, ref_or_id, &q, err) != 0)
        return -1;
    int rc = 0;
    if (!text || !*text) {
        set_err(err, _("a draft answer needs text"));
        rc = -1;
    }
    if (rc == 0)
        rc = check_workflow(st, &q, "drafted", NULL, err);
    if (rc == 0) {
        struct change c = {.status = "drafted", .draft_answer = text, .draft_by = st->operator_id};
        rc = apply_in_tx(st, &q, "drafted", NULL, NULL, &c, err);
    }
    return finish(st, &q, rc, err);
}

int inquiry_review(struct store *st, const char *ref_or_id, int approve, const char *note,
                   const char *corrected, char **err)
{
    struct inquiry q;
    if (load(st, ref_or_id, &q, err) != 0)
        return -1;
    const char *what = approve ? "approved" : "returned";
    const char *to = NULL;
    int rc = check_workflow(st, &q, what, &to, err);
    if (rc == 0 && !q.draft_answer)
        rc = refuse(&q, what, _("only a draft answer can be reviewed"), err);
    else if (rc == 0 && !approve && (!note || !*note))
        set_err(err, _("say what to correct (--note TEXT)")), rc = -1;
    /* Reviewing is signed (issue 14). */
    if (rc == 0)
        rc = signin_require_fresh(st, "inquiry.review", err);
    if (rc == 0) {
        struct change c = {.status = to,
                           .reviewer = st->operator_id,
                           .draft_answer = approve && corrected && *corrected ? corrected : NULL};
        char *data = NULL;
        if (c.draft_answer) {
            struct strbuf sb = STRBUF_INIT;
            sb_puts(&sb, "{\"corrected\":");
            json_string(&sb, corrected);
            sb_putc(&sb, '}');
            data = sb_detach(&sb);
        }
        rc = apply_in_tx(st, &q, what, note, data, &c, err);
        free(data);
    }
    return finish(st, &q, rc, err);
}

int inquiry_answer(struct store *st, const char *ref_or_id, const char *text, char **err)
{
    struct inquiry q;
    if (load(st, ref_or_id, &q, err) != 0)
        return -1;
    const char *answer = text && *text ? text : q.draft_answer;
    int rc = check_workflow(st, &q, "answered", NULL, err);
    if (rc == 0 && !answer)
        set_err(err, _("an answer needs text")), rc = -1;
    if (rc == 0) {
        struct change c = {.status = "answered", .answer = answer, .answered = 1};
        rc = apply_in_tx(st, &q, "answered", NULL, NULL, &c, err);
    }
    return finish(st, &q, rc, err);
}

int inquiry_convert(struct store *st, const struct sla *sla, const char *ref_or_id, int impact,
                    int urgency, const char *category, char *out_incident_ref, char **err)
{
    struct inquiry q;
    if (load(st, ref_or_id, &q, err) != 0)
        return -1;
    if (check_workflow(st, &q, "converted", NULL, err) != 0)
        return finish(st, &q, -1, err);
    struct incident_new in = {.library = q.library_code,
                              .channel = q.channel,
                              .reporter = q.reporter,
                              .title = q.title,
                              .description = q.question,
                              .category = category,
                              .impact = impact,
                              .urgency = urgency,
                              .received = q.received,
                              .inquiry_id = q.id};
    /* One transaction for both ledgers: the incident, the link, the inquiry
     * closed as converted. */
    char inc_id[ID_LEN + 1], inc_ref[24];
    int rc = incident_create_in_tx(st, sla, &in, inc_id, inc_ref, err);
    if (rc == 0) {
        char *data = xasprintf("{\"incident\":\"%s\",\"ref\":\"%s\"}", inc_id, inc_ref);
        struct change c = {.status = "converted", .incident_id = inc_id, .closed = 1};
        rc = apply_in_tx(st, &q, "converted", inc_ref, data, &c, err);
        free(data);
    }
    if (rc == 0)
        rc = ledger_add_link(st, "inquiry", q.id, "incident", inc_id, NULL, err);
    rc = finish(st, &q, rc, err);
    if (rc == 0 && out_incident_ref)
        snprintf(out_incident_ref, 24, "%s", inc_ref);
    return rc;
}

int inquiry_list(struct store *st, const struct inquiry_filter *f, struct inquiry **out, size_t *n,
                 int *partial, char **err)
{
    *out = NULL;
    *n = 0;
    if (partial)
        *partial = 0;
    int limit = f->limit > 0 ? f->limit : 50;
    if (f->library) {
        char lib[ID_LEN + 1];
        if (ledger_library(st, f->library, lib, err) != 0)
            return -1;
    }
    struct strbuf sql = STRBUF_INIT;
    sb_puts(&sql, "SELECT " INQ_COLS INQ_FROM "WHERE q.deleted = 0");
    if (f->status)
        sb_puts(&sql, " AND q.status = ?1");
    if (f->library)
        sb_puts(&sql, " AND q.library_id = (SELECT id FROM libraries WHERE code = ?2 COLLATE "
                      "NOCASE)");
    if (f->search)
        sb_puts(&sql, " AND q.id = ?3");
    else
        sb_printf(&sql, " ORDER BY q.received_at DESC LIMIT %d", limit);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql.buf, -1, &s, NULL) != SQLITE_OK) {
        sb_free(&sql);
        return store_fail(st, err, _("listing inquiries"));
    }
    sb_free(&sql);
    int rc = 0;
    if (!f->search) {
        bind_text(s, 1, f->status);
        bind_text(s, 2, f->library);
        bind_text(s, 9, i18n_lang());
        while ((rc = store_next_row(s, err)) == 1) {
            *out = xrealloc(*out, (*n + 1) * sizeof **out);
            read_row(s, &(*out)[(*n)++]);
        }
    } else {
        struct search_iter *it = search_begin(st, f->search, SEARCH_INQUIRIES, err);
        if (!it) {
            rc = -1;
        } else {
            if (partial)
                *partial = search_partial(it);
            char kind, id[ID_LEN + 1];
            int r;
            while ((int)*n < limit && (r = search_next(it, &kind, id, err)) == 1) {
                sqlite3_reset(s);
                bind_text(s, 1, f->status);
                bind_text(s, 2, f->library);
                bind_text(s, 3, id);
                bind_text(s, 9, i18n_lang());
                int got = store_one_row(s, err);
                if (got < 0) {
                    r = -1;
                    break;
                }
                if (got) {
                    *out = xrealloc(*out, (*n + 1) * sizeof **out);
                    read_row(s, &(*out)[(*n)++]);
                }
            }
            if (r < 0)
                rc = -1;
            search_end(it);
        }
    }
    sqlite3_finalize(s);
    if (rc != 0) {
        inquiry_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void inquiry_list_free(struct inquiry *q, size_t n)
{
    for (size_t i = 0; i < n; i++)
        inquiry_clear(&q[i]);
    free(q);
}

int inquiry_events(struct store *st, const char *id, struct ledger_event **out, size_t *n,
                   char **err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT e.kind, e.note, o.login, e.at, e.data FROM "
                                     "inquiry_events e LEFT JOIN operators o ON o.id = "
                                     "e.operator_id WHERE e.inquiry_id = ?1 ORDER BY e.at, e.hlc");
    bind_text(s, 1, id);
    return ledger_events_read(s, out, n, err);
}
