#include "handover.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "changes.h"
#include "check_ack.h"
#include "check_level.h"
#include "checklist.h"
#include "i18n.h"
#include "incidents.h"
#include "jobs.h"
#include "paths.h"
#include "sla.h"
#include "shifts.h"
#include "signin.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static char *dup_text(const char *s)
{
    return xstrdup(s ? s : "");
}

/* Appends a zeroed element to a growable array and returns a pointer to it. */
#define PUSH(arr, n)                                                                               \
    (arr = xrealloc(arr, ((n) + 1) * sizeof *(arr)), memset(&(arr)[n], 0, sizeof *(arr)),          \
     &(arr)[(n)++])

int handover_sla_left(struct store *st, const struct sla *sla, const char *incident_id,
                      int64_t now_ms, int64_t *left_seconds)
{
    struct incident inc;
    if (incident_get(st, sla, incident_id, now_ms, &inc, NULL) != 0)
        return 0;
    *left_seconds = inc.sla.step[SLA_RECOVERY].left;
    incident_clear(&inc);
    return 1;
}

static int load_incidents(struct store *st, const struct calendar *cal, int64_t now_ms,
                          struct handover_summary *out, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT id, ref, title, priority, status, received_at FROM incidents "
                       "WHERE deleted = 0 AND status NOT IN ('closed', 'recovered') "
                       "ORDER BY priority, received_at, id");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct handover_incident *i = PUSH(out->incidents, out->n_incidents);
        snprintf(i->id, sizeof i->id, "%s", col_text(s, 0));
        i->ref = dup_text(col_text(s, 1));
        i->title = dup_text(col_text(s, 2));
        i->priority = dup_text(col_text(s, 3));
        i->status = dup_text(col_text(s, 4));
        i->received_at = dup_text(col_text(s, 5));
        int64_t received;
        if (time_parse(i->received_at, &received) == 0)
            i->age_service_seconds = calendar_service_seconds(cal, received / 1000, now_ms / 1000);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading the open incidents"));
    /* Targets from sla.ini (user's, else shipped), counted on this calendar. */
    struct sla_config cfg;
    sla_config_default(&cfg);
    char *path = paths_find_data(NULL, "sla.ini");
    if (path && sla_config_load(path, &cfg, NULL) != 0)
        sla_config_default(&cfg);
    free(path);
    struct sla *sla = sla_new(&cfg, (struct calendar *)cal);
    for (size_t k = 0; k < out->n_incidents; k++) {
        struct handover_incident *i = &out->incidents[k];
        i->has_sla_left = handover_sla_left(st, sla, i->id, now_ms, &i->sla_left_seconds);
    }
    sla_free(sla);
    return 0;
}

static int load_checks(struct store *st, const struct calendar *cal, const char *day,
                       struct handover_summary *out, char **err)
{
    struct checklist_day d;
    if (checklist_load(st, cal, day, &d, err) != 0)
        return -1;
    int ja = streq(i18n_lang(), "ja");
    for (size_t k = 0; k < d.count; k++) {
        const struct checklist_item *it = &d.items[k];
        enum checklist_ng ng = checklist_item_ng(it);
        if (ng == CHECKLIST_NOT_NG && it->status != CHECK_TODO)
            continue;
        struct handover_check *c = PUSH(out->checks, out->n_checks);
        c->code = xstrdup(it->code);
        c->name = xstrdup(ja ? it->name_ja : it->name_en);
        c->host = dup_or_null(it->host_name);
        static const char *const keys[] = {"todo", "ng", "acked", "downtime"};
        /* A WARN only (checks.h) is handed over as such, never as an NG. */
        int warn = ng == CHECKLIST_NG_COUNTED && it->warn && !it->out_of_range;
        c->status = xstrdup(warn ? "warn" : keys[ng]);
        out->n_checks_acked += ng == CHECKLIST_NG_ACKED;
        out->n_checks_downtime += ng == CHECKLIST_NG_DOWNTIME;
        snprintf(c->due_day, sizeof c->due_day, "%s", it->due_day);
        c->overdue = it->overdue;
        if (it->has_value)
            c->value =
                xasprintf("%.10g%s%s", it->value, it->unit ? " " : "", it->unit ? it->unit : "");
        c->note = dup_or_null(checklist_item_note(it)); /* NG: the failing checks and why */
    }
    checklist_day_free(&d);
    return 0;
}

const char *handover_check_mark(const struct handover_check *c)
{
    return streq(c->status, "ng")         ? "NG"
           : streq(c->status, "warn")     ? check_level_label(CHECK_LEVEL_WARN)
           : streq(c->status, "acked")    ? _("NG, acknowledged")
           : streq(c->status, "downtime") ? _("NG, in downtime")
                                          : _("to do");
}

static int load_jobs(struct store *st, const char *day, struct handover_summary *out, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT j.code, j.name_ja, j.name_en, r.state, r.due_day FROM job_runs r "
                       "JOIN jobs j ON j.id = r.job_id WHERE r.deleted = 0 AND r.due_day = ?1 "
                       "AND r.state IN ('failed', 'not_arrived', 'waiting', 'file_wait', 'queued', "
                       "'running') ORDER BY j.code, r.id");
    bind_text(s, 1, day);
    int ja = streq(i18n_lang(), "ja");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct handover_job *j = PUSH(out->jobs, out->n_jobs);
        j->code = dup_text(col_text(s, 0));
        j->name = dup_text(col_text(s, ja ? 1 : 2));
        j->state = dup_text(col_text(s, 3));
        j->due_day = dup_text(col_text(s, 4));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading today's job runs"));
    return 0;
}

static int load_changes(struct store *st, struct handover_summary *out, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT ref, title, status FROM changes WHERE deleted = 0 "
                       "AND status IN ('approved', 'in_progress', 'in_review') ORDER BY ref, id");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct handover_change *c = PUSH(out->changes, out->n_changes);
        c->ref = dup_text(col_text(s, 0));
        c->title = dup_text(col_text(s, 1));
        c->status = dup_text(col_text(s, 2));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading the changes in progress"));
    return 0;
}

static int load_carried(struct store *st, struct handover_summary *out, char **err)
{
    sqlite3_stmt *s =
        store_stmt(st, "SELECT i.id, i.text, o.login, i.created_at, "
                       "COALESCE(NULLIF(o.name, ''), o.login) FROM handover_items i "
                       "LEFT JOIN operators o ON o.id = i.created_by "
                       "WHERE i.deleted = 0 AND i.cleared_at IS NULL ORDER BY i.created_at, i.id");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct handover_carry *c = PUSH(out->carried, out->n_carried);
        snprintf(c->id, sizeof c->id, "%s", col_text(s, 0));
        c->text = dup_text(col_text(s, 1));
        c->from_login = dup_text(col_text(s, 2));
        c->created_at = dup_text(col_text(s, 3));
        c->from_name = dup_text(col_text(s, 4));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, _("reading the carried items"));
    return 0;
}

/* Acknowledgements that expired since the last handover signed before instant (else
 * the last 24 hours), or that end by the end of the shift on now. */
static int load_acks(struct store *st, int64_t instant_ms, struct handover_summary *out, char **err)
{
    int64_t from = instant_ms - 24 * 3600000LL, to = instant_ms;
    char at[TIME_ISO_LEN + 1];
    time_format_iso(instant_ms, at);
    sqlite3_stmt *s = store_stmt(st, "SELECT max(signed_at) FROM handovers WHERE deleted = 0 "
                                     "AND signed_at <= ?1");
    bind_text(s, 1, at);
    int rc = store_one_row(s, err);
    int64_t last;
    if (rc == 1 && col_text(s, 0) && time_parse(col_text(s, 0), &last) == 0)
        from = last;
    sqlite3_reset(s);
    if (rc < 0)
        return -1;
    struct shift_start_info cur;
    rc = shift_current(st, instant_ms, &cur, err);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        if (cur.ends_ms > to)
            to = cur.ends_ms;
        shift_start_info_free(&cur);
    }
    if (check_acks_expired(st, from, to, &out->acks, &out->n_acks, err) != 0)
        return -1;
    /* "expired" as of the summary's instant, not the end of the window */
    for (size_t i = 0; i < out->n_acks; i++) {
        int64_t u;
        struct check_ack_info *a = &out->acks[i].ack;
        a->expired = a->until_at && time_parse(a->until_at, &u) == 0 && u <= instant_ms;
    }
    return 0;
}

int handover_build(struct store *st, const struct calendar *cal, int64_t instant_ms,
                   struct handover_summary *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->at_ms = instant_ms;
    time_format_jst_date(instant_ms, out->day);
    if (load_incidents(st, cal, instant_ms, out, err) != 0 ||
        load_checks(st, cal, out->day, out, err) != 0 || load_jobs(st, out->day, out, err) != 0 ||
        load_changes(st, out, err) != 0 || load_carried(st, out, err) != 0 ||
        load_acks(st, instant_ms, out, err) != 0) {
        handover_summary_free(out);
        return -1;
    }
    return 0;
}

void handover_summary_free(struct handover_summary *s)
{
    for (size_t i = 0; i < s->n_incidents; i++) {
        struct handover_incident *x = &s->incidents[i];
        free(x->ref), free(x->title), free(x->priority), free(x->status), free(x->received_at);
    }
    for (size_t i = 0; i < s->n_checks; i++) {
        struct handover_check *x = &s->checks[i];
        free(x->code), free(x->name), free(x->host), free(x->status), free(x->value);
        free(x->note);
    }
    for (size_t i = 0; i < s->n_jobs; i++) {
        struct handover_job *x = &s->jobs[i];
        free(x->code), free(x->name), free(x->state), free(x->due_day);
    }
    for (size_t i = 0; i < s->n_changes; i++)
        free(s->changes[i].ref), free(s->changes[i].title), free(s->changes[i].status);
    for (size_t i = 0; i < s->n_carried; i++)
        free(s->carried[i].text), free(s->carried[i].from_login), free(s->carried[i].created_at),
            free(s->carried[i].from_name);
    free(s->incidents), free(s->checks), free(s->jobs), free(s->changes), free(s->carried);
    check_acks_expired_free(s->acks, s->n_acks);
    memset(s, 0, sizeof *s);
}

/* Text for one line of Markdown: no line breaks, table pipes escaped. */
static void md_inline(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\n' || *s == '\r' || *s == '\t')
            sb_putc(sb, ' ');
        else if (*s == '|')
            sb_puts(sb, "\\|");
        else
            sb_putc(sb, *s);
    }
}

/* "- KEY TEXT: STATE", one item of a list section. */
static void md_item(struct strbuf *sb, const char *key, const char *text, const char *state)
{
    sb_printf(sb, "- %s ", key);
    md_inline(sb, text);
    sb_printf(sb, ": %s\n", state);
}

/* Ends a list section of n items ("None." when there are none). */
static void md_end(struct strbuf *sb, size_t n)
{
    if (!n)
        sb_printf(sb, "%s\n", _("None."));
    sb_putc(sb, '\n');
}

static void iso_to_jst(const char *iso, char out[32])
{
    int64_t ms;
    if (iso && time_parse(iso, &ms) == 0)
        time_format_jst(ms, out, 0);
    else
        snprintf(out, 32, "%s", iso ? iso : "");
}

static void hours(char out[32], int64_t seconds)
{
    int64_t m = (seconds < 0 ? -seconds : seconds) / 60;
    snprintf(out, 32, "%s%lld:%02lld", seconds < 0 ? "-" : "", (long long)(m / 60),
             (long long)(m % 60));
}

char *handover_markdown(const struct handover_summary *s, const char *note)
{
    struct strbuf sb = STRBUF_INIT;
    char when[32];
    time_format_jst(s->at_ms, when, 0);
    sb_printf(&sb, _("# Handover %s JST"), when);
    sb_puts(&sb, "\n\n");

    sb_printf(&sb, _("## Open incidents (%zu)"), s->n_incidents);
    sb_puts(&sb, "\n\n");
    if (s->n_incidents) {
        sb_printf(&sb, "| %s | %s | %s | %s | %s | %s | %s |\n|---|---|---|---|---|---|---|\n",
                  _("Ref"), _("Priority"), _("Status"), _("Title"), _("Received (JST)"),
                  _("Age (service h)"), _("SLA left"));
        for (size_t i = 0; i < s->n_incidents; i++) {
            const struct handover_incident *x = &s->incidents[i];
            char received[32], age[32], left[32];
            iso_to_jst(x->received_at, received);
            hours(age, x->age_service_seconds);
            if (x->has_sla_left)
                hours(left, x->sla_left_seconds);
            else
                snprintf(left, sizeof left, "%s", "-");
            sb_puts(&sb, "| ");
            md_inline(&sb, x->ref);
            sb_puts(&sb, " | ");
            md_inline(&sb, x->priority);
            sb_puts(&sb, " | ");
            md_inline(&sb, incident_status_name(x->status));
            sb_puts(&sb, " | ");
            md_inline(&sb, x->title);
            sb_printf(&sb, " | %s | %s | %s |\n", received, age, left);
        }
    } else {
        sb_printf(&sb, "%s\n", _("None."));
    }
    sb_putc(&sb, '\n');

    size_t shown = s->n_checks - s->n_checks_acked - s->n_checks_downtime;
    sb_printf(&sb, _("## Checklist: NG or not done (%zu)"), shown);
    sb_puts(&sb, "\n\n");
    if (s->n_checks_acked || s->n_checks_downtime) {
        sb_printf(&sb, _("Not counted: %zu NG acknowledged, %zu NG in downtime."),
                  s->n_checks_acked, s->n_checks_downtime);
        sb_puts(&sb, "\n\n");
    }
    for (size_t i = 0; i < s->n_checks; i++) {
        const struct handover_check *x = &s->checks[i];
        sb_printf(&sb, "- [%s] %s ", handover_check_mark(x), x->code);
        md_inline(&sb, x->name);
        if (x->host)
            sb_printf(&sb, " (%s)", x->host);
        if (x->value)
            sb_printf(&sb, " — %s", x->value);
        if (x->overdue) {
            sb_puts(&sb, " — ");
            sb_printf(&sb, _("overdue since %s"), x->due_day);
        }
        if (x->note) {
            sb_puts(&sb, " — ");
            md_inline(&sb, x->note);
        }
        sb_putc(&sb, '\n');
    }
    md_end(&sb, s->n_checks);

    sb_printf(&sb, _("## Jobs failed or pending today (%zu)"), s->n_jobs);
    sb_puts(&sb, "\n\n");
    for (size_t i = 0; i < s->n_jobs; i++)
        md_item(&sb, s->jobs[i].code, s->jobs[i].name, jobs_state_name(s->jobs[i].state));
    md_end(&sb, s->n_jobs);

    sb_printf(&sb, _("## Changes in progress (%zu)"), s->n_changes);
    sb_puts(&sb, "\n\n");
    for (size_t i = 0; i < s->n_changes; i++)
        md_item(&sb, s->changes[i].ref, s->changes[i].title,
                change_status_name(s->changes[i].status));
    md_end(&sb, s->n_changes);

    sb_printf(&sb, _("## Carried over (%zu)"), s->n_carried);
    sb_puts(&sb, "\n\n");
    for (size_t i = 0; i < s->n_carried; i++) {
        char at[32];
        iso_to_jst(s->carried[i].created_at, at);
        sb_puts(&sb, "- [ ] ");
        md_inline(&sb, s->carried[i].text);
        sb_printf(&sb, " (%s, %s, `%s`)\n", s->carried[i].from_name, at, s->carried[i].id);
    }
    if (!s->n_carried)
        sb_printf(&sb, "%s\n", _("None."));

    if (s->n_acks) {
        sb_putc(&sb, '\n');
        sb_printf(&sb, _("## Acknowledgements expired or ending with this shift (%zu)"), s->n_acks);
        sb_puts(&sb, "\n\n");
        for (size_t i = 0; i < s->n_acks; i++) {
            char *d = check_ack_describe(&s->acks[i].ack);
            sb_printf(&sb, "- %s %s: ", s->acks[i].host, s->acks[i].check);
            md_inline(&sb, d);
            sb_putc(&sb, '\n');
            free(d);
        }
    }

    if (note && *note) {
        sb_putc(&sb, '\n');
        sb_printf(&sb, "%s\n\n%s\n", _("## Note"), note);
    }
    return sb_detach(&sb);
}

/* The shift the signer works at `now`: on duty now, else their latest shift of the day
 * that has started; "none" when they have no shift. */
static char *signer_shift(struct store *st, int64_t now_ms)
{
    struct shift_list l;
    char *err = NULL;
    char *code = NULL;
    if (shift_on_duty(st, now_ms, &l, &err) == 0) {
        for (size_t i = 0; i < l.count && !code; i++)
            if (streq(l.items[i].operator_id, st->operator_id))
                code = xstrdup(l.items[i].shift);
        shift_list_free(&l);
    }
    free(err);
    err = NULL;
    if (code)
        return code;
    char day[11], now_hm[32];
    time_format_jst_date(now_ms, day);
    time_format_jst(now_ms, now_hm, 0); /* "2026-11-23 15:40" */
    if (shift_list_day(st, day, &l, &err) == 0) {
        for (size_t i = 0; i < l.count; i++)
            if (streq(l.items[i].operator_id, st->operator_id) &&
                strcmp(l.items[i].start_time, now_hm + 11) <= 0) {
                free(code);
                code = xstrdup(l.items[i].shift);
            }
        shift_list_free(&l);
    }
    free(err);
    return code ? code : xstrdup("none");
}

int handover_sign(struct store *st, const struct calendar *cal, const char *note,
                  const char *to_login, const char *const *todos, size_t n_todos, char *out_id,
                  char **err)
{
    /* Signing is signed (issue 14): the outgoing person's passphrase. */
    if (store_require_operator(st, err) != 0 || signin_require_fresh(st, "handover.sign", err) != 0)
        return -1;
    char to_id[ID_LEN + 1] = "";
    if (to_login && *to_login) {
        sqlite3_stmt *s = store_stmt(
            st, "SELECT id FROM operators WHERE login = ?1 AND deleted = 0 AND active = 1");
        bind_text(s, 1, to_login);
        int got = store_one_row(s, err);
        if (got == 1)
            snprintf(to_id, sizeof to_id, "%s", col_text(s, 0));
        sqlite3_reset(s);
        if (got < 0)
            return -1;
        if (!to_id[0]) {
            set_err(err, _("no operator with login %s"), to_login);
            return -1;
        }
        if (streq(to_id, st->operator_id)) {
            set_err(err, _("a handover goes to someone else, not to yourself"));
            return -1;
        }
    }
    for (size_t i = 0; i < n_todos; i++)
        if (!todos[i] || !*todos[i]) {
            set_err(err, _("a carried item needs text"));
            return -1;
        }
    int64_t now = time_now_ms();
    struct handover_summary sum;
    if (handover_build(st, cal, now, &sum, err) != 0)
        return -1;
    char now_iso[TIME_ISO_LEN + 1];
    time_format_iso(now, now_iso);
    size_t first_new = sum.n_carried;
    for (size_t i = 0; i < n_todos; i++) { /* the snapshot shows what this handover carries */
        struct handover_carry *c = PUSH(sum.carried, sum.n_carried);
        id_new_at(c->id, now);
        c->text = xstrdup(todos[i]);
        c->from_login = xstrdup(st->operator_login ? st->operator_login : "");
        c->created_at = xstrdup(now_iso);
    }
    char *md = handover_markdown(&sum, note);
    char day[11];
    snprintf(day, sizeof day, "%s", sum.day);
    char *shift = signer_shift(st, now);

    int rc = -1;
    char id[ID_LEN + 1], at[TIME_ISO_LEN + 1];
    id_new_at(id, now);
    time_format_iso(now, at);
    if (store_begin(st, err) != 0)
        goto out;
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO handovers(id, day, shift, from_operator_id, to_operator_id, note, "
            "summary, signed_at, created_at, updated_at, hlc, origin) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8, ?9, ?10)");
    bind_text(s, 1, id);
    bind_text(s, 2, day);
    bind_text(s, 3, shift);
    bind_text(s, 4, st->operator_id);
    bind_text(s, 5, to_id[0] ? to_id : NULL);
    bind_text(s, 6, note && *note ? note : NULL);
    bind_text(s, 7, md);
    bind_text(s, 8, at);
    bind_int(s, 9, store_hlc_next(st));
    bind_text(s, 10, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("signing the handover"));
        goto fail;
    }
    for (size_t i = 0; i < n_todos; i++) {
        const char *item_id = sum.carried[first_new + i].id;
        s = store_stmt(st, "INSERT INTO handover_items(id, handover_id, text, created_by, "
                           "created_at, updated_at, hlc, origin) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)");
        bind_text(s, 1, item_id);
        bind_text(s, 2, id);
        bind_text(s, 3, todos[i]);
        bind_text(s, 4, st->operator_id);
        bind_text(s, 5, at);
        bind_int(s, 6, store_hlc_next(st));
        bind_text(s, 7, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE) {
            store_fail(st, err, _("signing the handover"));
            goto fail;
        }
    }
    char *detail = xasprintf("day=%s shift=%s to=%s carried=%zu", day, shift,
                             to_login && *to_login ? to_login : "-", n_todos);
    int arc = store_audit(st, "handover.sign", "handovers", id, detail, err);
    free(detail);
    if (arc != 0 || store_commit(st, err) != 0)
        goto fail;
    if (out_id)
        memcpy(out_id, id, ID_LEN + 1);
    rc = 0;
    goto out;
fail:
    store_rollback(st);
out:
    handover_summary_free(&sum);
    free(md);
    free(shift);
    return rc;
}

/* Which handover is the latest: the hybrid clock of its sign audit row, not its
 * signed_at wall time. A console whose clock is behind signs a newer handover with an
 * earlier signed_at; its hlc is still later than that of every row it had seen (the
 * older handover, synced or local), so "the latest" (ack, withdraw, show) is the one
 * really signed last. A row without its audit row (never, but synced data is not
 * trusted) falls back to the row's own hlc. */
#define SIGN_HLC                                                                                   \
    "COALESCE((SELECT max(a.hlc) FROM audit a WHERE a.kind = 'handovers' AND a.row_id = h.id "     \
    "AND a.action = 'handover.sign'), h.hlc)"

/* Resolves a full id or a unique prefix (8+ characters) in table (handovers or
 * handover_items). */
static int resolve_id(struct store *st, const char *table, const char *given, char id[ID_LEN + 1],
                      char **err)
{
    if (!given || strlen(given) < 8 || strlen(given) > ID_LEN) {
        set_err(err, _("\"%s\" is not an id (give at least its first 8 characters)"),
                given ? given : "");
        return -1;
    }
    static const char q_handovers[] =
        "SELECT id FROM handovers WHERE deleted = 0 AND substr(id, 1, length(?1)) = ?1 LIMIT 2";
    static const char q_items[] = "SELECT id FROM handover_items WHERE deleted = 0 "
                                  "AND substr(id, 1, length(?1)) = ?1 LIMIT 2";
    sqlite3_stmt *s = store_stmt(st, streq(table, "handovers") ? q_handovers : q_items);
    bind_text(s, 1, given);
    int n = 0, step;
    while ((step = store_next_row(s, err)) == 1) {
        if (n++ == 0)
            snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
    }
    sqlite3_reset(s);
    if (step < 0)
        return -1;
    if (n == 0) {
        set_err(err, streq(table, "handovers") ? _("no handover %s") : _("no carried item %s"),
                given);
        return -1;
    }
    if (n > 1) {
        set_err(err, _("%s matches more than one: give more of the id"), given);
        return -1;
    }
    return 0;
}

/* The handover the acting operator would acknowledge, or why they may not:
 * the same rules for the question (asked only when it would be allowed) and the act. */
static int ack_target(struct store *st, const char *handover_id, char id[ID_LEN + 1], char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    if (handover_id) {
        if (resolve_id(st, "handovers", handover_id, id, err) != 0)
            return -1;
    } else {
        sqlite3_stmt *s = store_stmt(st, "SELECT h.id FROM handovers h WHERE h.deleted = 0 "
                                         "AND h.acked_at IS NULL "
                                         "ORDER BY " SIGN_HLC " DESC, h.id DESC LIMIT 1");
        int found = store_one_row(s, err);
        if (found == 1)
            snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
        sqlite3_reset(s);
        if (found < 0)
            return -1;
        if (!found) {
            set_err(err, _("no handover is waiting to be acknowledged"));
            return -1;
        }
    }
    sqlite3_stmt *s = store_stmt(
        st, "SELECT h.from_operator_id, h.to_operator_id, h.acked_at, "
            "COALESCE(NULLIF(a.name, ''), a.login), COALESCE(NULLIF(t.name, ''), t.login) "
            "FROM handovers h LEFT JOIN operators a ON a.id = h.acked_by "
            "LEFT JOIN operators t ON t.id = h.to_operator_id WHERE h.id = ?1");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    if (got != 1) {
        sqlite3_reset(s);
        if (got == 0)
            set_err(err, _("no handover %s"), id);
        return -1;
    }
    int refused = 1;
    if (streq(col_text(s, 0), st->operator_id)) {
        set_err(err, _("you signed this handover: the incoming operator acknowledges it"));
    } else if (col_text(s, 2)) {
        char when[32];
        iso_to_jst(col_text(s, 2), when);
        set_err(err, _("this handover was already acknowledged by %s at %s"),
                col_text(s, 3) ? col_text(s, 3) : "?", when);
    } else if (col_text(s, 1) && !streq(col_text(s, 1), st->operator_id)) {
        set_err(err, _("this handover is addressed to %s"), col_text(s, 4) ? col_text(s, 4) : "?");
    } else {
        refused = 0;
    }
    sqlite3_reset(s);
    return refused ? -1 : 0;
}

int handover_ack_check(struct store *st, const char *handover_id, char *out_id, char **err)
{
    char id[ID_LEN + 1];
    if (ack_target(st, handover_id, id, err) != 0)
        return -1;
    if (out_id)
        snprintf(out_id, ID_LEN + 1, "%s", id);
    return 0;
}

int handover_ack(struct store *st, const char *handover_id, char **err)
{
    char id[ID_LEN + 1];
    if (ack_target(st, handover_id, id, err) != 0 ||
        signin_require_fresh(st, "handover.ack", err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *s =
        store_stmt(st, "UPDATE handovers SET acked_at = ?2, acked_by = ?3, updated_at = ?2, "
                       "hlc = ?4, origin = ?5 WHERE id = ?1 AND acked_at IS NULL");
    bind_text(s, 1, id);
    bind_text(s, 2, at);
    bind_text(s, 3, st->operator_id);
    bind_int(s, 4, store_hlc_next(st));
    bind_text(s, 5, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("acknowledging the handover"));
        store_rollback(st);
        return -1;
    }
    if (sqlite3_changes(st->db) != 1) { /* another console acknowledged it meanwhile */
        store_rollback(st);
        set_err(err, _("this handover was already acknowledged"));
        return -1;
    }
    if (store_audit(st, "handover.ack", "handovers", id, NULL, err) != 0 ||
        store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int handover_clear_item(struct store *st, const char *item_id, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    char id[ID_LEN + 1];
    if (resolve_id(st, "handover_items", item_id, id, err) != 0)
        return -1;
    if (store_begin(st, err) != 0)
        return -1;
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    sqlite3_stmt *s = store_stmt(
        st, "UPDATE handover_items SET cleared_at = ?2, cleared_by = ?3, updated_at = ?2, "
            "hlc = ?4, origin = ?5 WHERE id = ?1 AND cleared_at IS NULL");
    bind_text(s, 1, id);
    bind_text(s, 2, at);
    bind_text(s, 3, st->operator_id);
    bind_int(s, 4, store_hlc_next(st));
    bind_text(s, 5, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(st, err, _("clearing the carried item"));
        store_rollback(st);
        return -1;
    }
    if (sqlite3_changes(st->db) != 1) {
        store_rollback(st);
        set_err(err, _("carried item %s is already cleared"), item_id);
        return -1;
    }
    if (store_audit(st, "handover.clear", "handover_items", id, NULL, err) != 0 ||
        store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

void handover_withdrawn_free(struct handover_withdrawn *w)
{
    free(w->note);
    free(w->to_login);
    for (size_t i = 0; i < w->n_todos; i++)
        free(w->todos[i]);
    free(w->todos);
    memset(w, 0, sizeof *w);
}

/* The handover the acting operator would withdraw, or why not (nothing written);
 * w (may be NULL) gets its note and addressee. */
static int withdraw_target(struct store *st, const char *handover_id, char id[ID_LEN + 1],
                           struct handover_withdrawn *w, char **err)
{
    if (store_require_operator(st, err) != 0)
        return -1;
    if (handover_id) {
        if (resolve_id(st, "handovers", handover_id, id, err) != 0)
            return -1;
    } else {
        sqlite3_stmt *s = store_stmt(st, "SELECT h.id FROM handovers h WHERE h.deleted = 0 AND "
                                         "h.from_operator_id = ?1 AND h.acked_at IS NULL "
                                         "ORDER BY " SIGN_HLC " DESC, h.id DESC LIMIT 1");
        bind_text(s, 1, st->operator_id);
        int found = store_one_row(s, err);
        if (found == 1)
            snprintf(id, ID_LEN + 1, "%s", col_text(s, 0));
        sqlite3_reset(s);
        if (found < 0)
            return -1;
        if (!found) {
            set_err(err, _("you have no signed handover that is still unacknowledged"));
            return -1;
        }
    }
    sqlite3_stmt *s =
        store_stmt(st, "SELECT h.from_operator_id, h.acked_at, h.note, t.login, a.login "
                       "FROM handovers h LEFT JOIN operators t ON t.id = h.to_operator_id "
                       "LEFT JOIN operators a ON a.id = h.acked_by WHERE h.id = ?1");
    bind_text(s, 1, id);
    int got = store_one_row(s, err);
    int refused = got != 1;
    if (got == 1) {
        if (!streq(col_text(s, 0), st->operator_id)) {
            set_err(err, _("only the operator who signed a handover can withdraw it"));
            refused = 1;
        } else if (col_text(s, 1)) {
            set_err(err, _("this handover was already acknowledged by %s: it stays"),
                    col_text(s, 4) ? col_text(s, 4) : "?");
            refused = 1;
        } else if (w) {
            w->note = col_dup(s, 2);
            w->to_login = col_dup(s, 3);
        }
    } else if (got == 0) {
        set_err(err, _("no handover %s"), id);
    }
    sqlite3_reset(s);
    return refused ? -1 : 0;
}

int handover_withdraw_check(struct store *st, const char *handover_id, char **err)
{
    char id[ID_LEN + 1];
    return withdraw_target(st, handover_id, id, NULL, err);
}

int handover_withdraw(struct store *st, const char *handover_id, struct handover_withdrawn *out,
                      char **err)
{
    struct handover_withdrawn w = {0};
    char id[ID_LEN + 1];
    if (store_begin(st, err) != 0)
        return -1;
    if (withdraw_target(st, handover_id, id, &w, err) != 0)
        goto fail;
    sqlite3_stmt *s;
    s = store_stmt(st, "SELECT text FROM handover_items WHERE handover_id = ?1 AND deleted = 0 "
                       "ORDER BY created_at, id");
    bind_text(s, 1, id);
    int step;
    while ((step = store_next_row(s, err)) == 1)
        *PUSH(w.todos, w.n_todos) = col_dup(s, 0);
    sqlite3_reset(s);
    if (step < 0)
        goto fail;
    char at[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), at);
    static const char *const sql[] = {
        "UPDATE handovers SET deleted = 1, updated_at = ?2, hlc = ?3, origin = ?4 "
        "WHERE id = ?1 AND deleted = 0 AND acked_at IS NULL",
        "UPDATE handover_items SET deleted = 1, updated_at = ?2, hlc = ?3, origin = ?4 "
        "WHERE handover_id = ?1 AND deleted = 0",
    };
    for (int i = 0; i < 2; i++) {
        s = store_stmt(st, sql[i]);
        bind_text(s, 1, id);
        bind_text(s, 2, at);
        bind_int(s, 3, store_hlc_next(st));
        bind_text(s, 4, st->origin);
        if (sqlite3_step(s) != SQLITE_DONE) {
            store_fail(st, err, _("withdrawing the handover"));
            goto fail;
        }
        if (i == 0 && sqlite3_changes(st->db) != 1) { /* acknowledged meanwhile */
            set_err(err, _("this handover was already acknowledged"));
            goto fail;
        }
    }
    char *detail = xasprintf("carried=%zu", w.n_todos);
    int arc = store_audit(st, "handover.withdraw", "handovers", id, detail, err);
    free(detail);
    if (arc != 0 || store_commit(st, err) != 0)
        goto fail;
    if (out)
        *out = w;
    else
        handover_withdrawn_free(&w);
    return 0;
fail:
    store_rollback(st);
    handover_withdrawn_free(&w);
    return -1;
}

void handover_addressees_free(struct handover_addressee *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].login), free(v[i].name);
    free(v);
}

static int addressee_rank(const struct handover_addressee *a)
{
    return a->next_shift ? 0 : a->engineer ? 2 : 1;
}

static int addressee_cmp(const void *pa, const void *pb)
{
    const struct handover_addressee *a = pa, *b = pb;
    int ra = addressee_rank(a), rb = addressee_rank(b);
    if (ra != rb)
        return ra - rb;
    if (ra == 0 && a->next_start_ms != b->next_start_ms)
        return a->next_start_ms < b->next_start_ms ? -1 : 1;
    return strcmp(a->login, b->login);
}

int handover_addressees(struct store *st, int64_t now_ms, struct handover_addressee **out,
                        size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    if (store_require_operator(st, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, "SELECT id, login, name, role FROM operators WHERE "
                                     "deleted = 0 AND active = 1 AND id <> ?1 ORDER BY login");
    bind_text(s, 1, st->operator_id);
    struct handover_addressee *v = NULL;
    size_t k = 0;
    char(*ids)[ID_LEN + 1] = NULL;
    size_t nids = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        struct handover_addressee *a = PUSH(v, k);
        memset(a, 0, sizeof *a);
        a->login = col_dup(s, 1);
        a->name = col_dup(s, 2);
        a->engineer = streq(col_text(s, 3), "engineer");
        snprintf(*PUSH(ids, nids), ID_LEN + 1, "%s", col_text(s, 0));
    }
    sqlite3_reset(s);
    if (step < 0)
        goto fail;
    /* The next shift: the earliest shift (today or tomorrow, JST) that starts after now. */
    int64_t best = 0;
    struct shift_list days[2] = {{0}};
    char day[2][11];
    time_format_jst_date(now_ms, day[0]);
    time_format_jst_date(now_ms + 86400000, day[1]);
    for (int d = 0; d < 2; d++)
        if (shift_list_day(st, day[d], &days[d], err) != 0) {
            shift_list_free(&days[0]);
            shift_list_free(&days[1]);
            goto fail;
        }
    for (int pass = 0; pass < 2; pass++)
        for (int d = 0; d < 2; d++)
            for (size_t i = 0; i < days[d].count; i++) {
                const struct shift_entry *e = &days[d].items[i];
                int y, mo, dd, hh, mi;
                if (sscanf(e->day, "%d-%d-%d", &y, &mo, &dd) != 3 ||
                    sscanf(e->start_time, "%d:%d", &hh, &mi) != 2)
                    continue;
                int64_t start =
                    ((time_days_from_civil(y, mo, dd) * 86400 + hh * 3600 + mi * 60) - 9 * 3600) *
                    1000;
                if (start <= now_ms)
                    continue;
                if (pass == 0) {
                    if (!best || start < best)
                        best = start;
                } else if (start == best) {
                    for (size_t j = 0; j < k; j++)
                        if (streq(ids[j], e->operator_id) && !v[j].next_shift) {
                            v[j].next_shift = 1;
                            v[j].next_start_ms = start;
                        }
                }
            }
    shift_list_free(&days[0]);
    shift_list_free(&days[1]);
    free(ids);
    if (k > 1)
        qsort(v, k, sizeof *v, addressee_cmp);
    *out = v;
    *n = k;
    return 0;
fail:
    free(ids);
    handover_addressees_free(v, k);
    return -1;
}

void handover_records_free(struct handover_records *r)
{
    for (size_t i = 0; i < r->count; i++) {
        struct handover_record *x = &r->items[i];
        free(x->shift), free(x->from_login), free(x->from_name), free(x->to_login);
        free(x->note), free(x->summary), free(x->signed_at), free(x->acked_at);
        free(x->acked_by_login);
    }
    free(r->items);
    memset(r, 0, sizeof *r);
}

static int list_range(struct store *st, const char *from, const char *to,
                      struct handover_records *out, char **err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT h.id, h.day, h.shift, f.login, f.name, t.login, h.note, h.summary, "
            "h.signed_at, h.acked_at, a.login FROM handovers h "
            "LEFT JOIN operators f ON f.id = h.from_operator_id "
            "LEFT JOIN operators t ON t.id = h.to_operator_id "
            "LEFT JOIN operators a ON a.id = h.acked_by "
            "WHERE h.deleted = 0 AND h.day >= ?1 AND h.day <= ?2 ORDER BY " SIGN_HLC ", h.id");
    bind_text(s, 1, from);
    bind_text(s, 2, to);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct handover_record *r = PUSH(out->items, out->count);
        snprintf(r->id, sizeof r->id, "%s", col_text(s, 0));
        snprintf(r->day, sizeof r->day, "%s", col_text(s, 1));
        r->shift = dup_text(col_text(s, 2));
        r->from_login = dup_text(col_text(s, 3));
        r->from_name = dup_text(col_text(s, 4));
        r->to_login = dup_or_null(col_text(s, 5));
        r->note = dup_or_null(col_text(s, 6));
        r->summary = dup_text(col_text(s, 7));
        r->signed_at = dup_text(col_text(s, 8));
        r->acked_at = dup_or_null(col_text(s, 9));
        r->acked_by_login = dup_or_null(col_text(s, 10));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        handover_records_free(out);
        return store_fail(st, err, _("reading the handovers"));
    }
    return 0;
}

int handover_list_month(struct store *st, int y, int m, struct handover_records *out, char **err)
{
    if (y < 1970 || y > 9999 || m < 1 || m > 12) {
        memset(out, 0, sizeof *out);
        set_err(err, _("not a month: %04d-%02d"), y, m);
        return -1;
    }
    char from[11], to[11];
    snprintf(from, sizeof from, "%04d-%02d-01", y, m);
    snprintf(to, sizeof to, "%04d-%02d-31", y, m);
    return list_range(st, from, to, out, err);
}

int handover_list_day(struct store *st, const char *day, struct handover_records *out, char **err)
{
    struct civil_date d;
    if (!day || strlen(day) != 10 || civil_parse(day, &d) != 0) {
        memset(out, 0, sizeof *out);
        set_err(err, _("\"%s\" is not a day: use YYYY-MM-DD"), day ? day : "");
        return -1;
    }
    return list_range(st, day, day, out, err);
}
