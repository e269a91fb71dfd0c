/* Hosts pane: the inventory (name, address, role, location, OS, reach) as a
 * table with filter and sort, each host's recorded metrics (host_metrics:
 * cpu, mem, disk) as sparklines of the last values. Enter opens a console
 * session (Consoles pane), e edits, a adds, c runs the checks for the host in
 * the background (its own store connection) with a progress indication. A host in
 * downtime (downtime.h) says so and until when in its reach column; D puts the host
 * in downtime (from, to, reason). A host whose latest failures were unreachable via
 * its parents (host_deps.h) says "unreachable (via core-sw01)" instead of NG; its
 * problems view lists its parents, and P sets them in a form. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_ack.h"
#include "checks.h"
#include "downtime.h"
#include "host_deps.h"
#include "hosts.h"
#include "i18n.h"
#include "input_norm.h"
#include "jobs.h"
#include "labels.h"
#include "screens.h"
#include "ssh_view.h"
#include "store.h"
#include "ui.h"
#include "ui_filter.h"
#include "ui_list.h"
#include "ui_table.h"
#include "timefmt.h"
#include "ui_view.h"
#include "util.h"

#define SPARK_N 12
#define NMETRICS 3

static const char *const metric_names[NMETRICS] = {"cpu_load", "mem_used_pct", "disk_used_pct"};

struct hrow {
    struct host h;
    double vals[NMETRICS][SPARK_N]; /* oldest first */
    int nvals[NMETRICS];
    int checking;
    int64_t check_started;
};

enum {
    COL_NAME,
    COL_ADDRESS,
    COL_ROLE,
    COL_LOCATION,
    COL_OS,
    COL_REACH,
    COL_CPU,
    COL_MEM,
    COL_DISK,
    NCOLS
};
static const char *const col_keys[NCOLS] = {"name",  "address", "role", "location", "os",
                                            "reach", "cpu",     "mem",  "disk"};

struct hosts_model {
    struct hrow *rows;
    size_t n;
    size_t *view; /* filtered and sorted indexes into rows */
    size_t nview;
    struct table table;
    struct table_col cols[NCOLS];
    struct ui_list list;            /* the shared list keys; filter, sort column, order */
    const char *sort_labels[NCOLS]; /* the column titles */
    int timer;
    int running;                 /* checks in the background */
    struct check_problems probs; /* the current check problems, acknowledged or not */
    struct downtimes downs;      /* the downtimes on now or to come */
    int detail;                  /* the selected host's problems shown over the list */
    struct ui_lines lines;
};

static struct hosts_model *HM;

static char *reach_of(const struct host *h)
{
    if (host_is_local(h))
        return xstrdup(host_transport_label(h));
    if (h->ssh_alias && *h->ssh_alias) {
        /* An alias read from a file other than ~/.ssh/config names that file:
         * the same alias in two files reaches two different machines. */
        if (h->ssh_config && *h->ssh_config) {
            const char *slash = strrchr(h->ssh_config, '/');
            return xasprintf("ssh:%s (%s)", h->ssh_alias, slash ? slash + 1 : h->ssh_config);
        }
        return xasprintf("ssh:%s", h->ssh_alias);
    }
    struct strbuf sb = STRBUF_INIT;
    if (h->ssh_user && *h->ssh_user)
        sb_printf(&sb, "%s@", h->ssh_user);
    sb_puts(&sb, h->address && *h->address ? h->address : h->name);
    if (h->ssh_port)
        sb_printf(&sb, ":%d", h->ssh_port);
    if (h->ssh_jump && *h->ssh_jump)
        sb_printf(&sb, " via %s", h->ssh_jump);
    return sb_detach(&sb);
}

/* ▁▂▃▄▅▆▇█ over the values (percentages on 0..100, others on their range). */
static char *sparkline(const double *v, int n, int pct)
{
    static const char *const bars[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    if (n == 0)
        return xstrdup("—");
    double lo = pct ? 0 : v[0], hi = pct ? 100 : v[0];
    for (int i = 0; i < n && !pct; i++) {
        if (v[i] < lo)
            lo = v[i];
        if (v[i] > hi)
            hi = v[i];
    }
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < n; i++) {
        int b = hi > lo ? (int)((v[i] - lo) / (hi - lo) * 7.0 + 0.5) : (pct ? 0 : 3);
        if (b < 0)
            b = 0;
        if (b > 7)
            b = 7;
        sb_puts(&sb, bars[b]);
    }
    double last = v[n - 1];
    if (pct)
        sb_printf(&sb, " %.0f%%", last);
    else
        sb_printf(&sb, " %.2g", last);
    return sb_detach(&sb);
}

static const char *field_of(const struct hrow *r, int col, char *buf, size_t size)
{
    const struct host *h = &r->h;
    switch (col) {
    case COL_NAME:
        return h->name ? h->name : "";
    case COL_ADDRESS:
        return h->address ? h->address : "";
    case COL_ROLE:
        return h->role ? label_host_role(h->role) : "";
    case COL_LOCATION:
        return h->location ? h->location : "";
    case COL_OS:
        return h->os ? h->os : "";
    default: {
        char *s = reach_of(h);
        snprintf(buf, size, "%s", s);
        free(s);
        return buf;
    }
    }
}

static struct hosts_model *cmp_model;

static int cmp_rows(const void *a, const void *b)
{
    const struct hrow *x = &cmp_model->rows[*(const size_t *)a];
    const struct hrow *y = &cmp_model->rows[*(const size_t *)b];
    int col = cmp_model->list.sort;
    int c;
    if (col >= COL_CPU) {
        int m = col - COL_CPU;
        double vx = x->nvals[m] ? x->vals[m][x->nvals[m] - 1] : -1;
        double vy = y->nvals[m] ? y->vals[m][y->nvals[m] - 1] : -1;
        c = vx < vy ? -1 : vx > vy;
    } else {
        char b1[256], b2[256];
        c = strcasecmp(field_of(x, col, b1, sizeof b1), field_of(y, col, b2, sizeof b2));
    }
    if (c == 0)
        c = strcasecmp(x->h.name, y->h.name);
    return c;
}

static void rebuild_view(void *data)
{
    struct hosts_model *m = data;
    free(m->view);
    m->view = xcalloc(m->n + 1, sizeof *m->view);
    m->nview = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->list.re) {
            struct strbuf sb = STRBUF_INIT;
            char buf[256];
            for (int c = 0; c <= COL_REACH; c++)
                sb_printf(&sb, "%s\t", field_of(&m->rows[i], c, buf, sizeof buf));
            const char *row[] = {sb.buf};
            int hit = ui_list_match(&m->list, row, 1);
            sb_free(&sb);
            if (!hit)
                continue;
        }
        m->view[m->nview++] = i;
    }
    cmp_model = m;
    ui_list_order(&m->list, m->view, m->nview, cmp_rows);
    m->table.sort_col = m->list.sort;
    m->table.sort_desc = m->list.desc;
    table_reset(&m->table);
}

static void free_rows(struct hosts_model *m)
{
    for (size_t i = 0; i < m->n; i++)
        host_clear(&m->rows[i].h);
    free(m->rows);
    m->rows = NULL;
    m->n = 0;
}

/* -1 with *err set when the metrics cannot be read (the sparkline is then left empty). */
static int load_metrics(struct store *st, struct hrow *r, char **err)
{
    for (int k = 0; k < NMETRICS; k++) {
        int n = host_metric_recent(st, r->h.id, metric_names[k], r->vals[k], SPARK_N, err);
        if (n < 0)
            return -1;
        r->nvals[k] = n;
    }
    return 0;
}

static void hosts_reload(struct hosts_model *m)
{
    /* keep the cursor on the same host (one may be added above it) */
    char *sel_name = m->table.sel >= 0 && m->table.sel < (long)m->nview
                         ? xstrdup(m->rows[m->view[m->table.sel]].h.name)
                         : NULL;
    /* keep the running checks' marks across a reload */
    char **busy = NULL;
    size_t nbusy = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->rows[i].checking) {
            busy = xrealloc(busy, (nbusy + 1) * sizeof *busy);
            busy[nbusy++] = xstrdup(m->rows[i].h.name);
        }
    free_rows(m);
    struct host *hs = NULL;
    size_t n = 0;
    char *err = NULL;
    check_problems_free(&m->probs);
    if (check_problems_list(ui_store(), NULL, time_now_ms(), &m->probs, &err) != 0) {
        ui_error_take(err);
        err = NULL;
    }
    downtimes_free(&m->downs);
    if (downtime_list(ui_store(), NULL, 0, time_now_ms(), &m->downs, &err) != 0) {
        ui_error_take(err);
        err = NULL;
    }
    if (host_list(ui_store(), &hs, &n, &err) != 0) {
        ui_error_take(err);
    } else {
        m->rows = xcalloc(n + 1, sizeof *m->rows);
        m->n = n;
        for (size_t i = 0; i < n; i++) {
            m->rows[i].h = hs[i];
            if (load_metrics(ui_store(), &m->rows[i], &err) != 0) {
                ui_error_take(err);
                err = NULL;
            }
            for (size_t b = 0; b < nbusy; b++)
                if (strcmp(busy[b], hs[i].name) == 0) {
                    m->rows[i].checking = 1;
                    m->rows[i].check_started = ui_monotonic_ms();
                }
        }
        free(hs); /* the rows own the strings now */
    }
    for (size_t b = 0; b < nbusy; b++)
        free(busy[b]);
    free(busy);
    rebuild_view(m);
    for (size_t i = 0; sel_name && i < m->nview; i++)
        if (strcmp(m->rows[m->view[i]].h.name, sel_name) == 0) {
            table_goto(&m->table, (long)i);
            break;
        }
    free(sel_name);
}

/* The host's problems: how many count, how many an acknowledgement holds (the core's
 * rule, check_problems_count: one in a downtime is neither). */
static void problems_of(const struct hosts_model *m, const char *host_id, size_t *ng, size_t *acked)
{
    check_problems_count(&m->probs, host_id, ng, acked, NULL);
}

/* How many of the host's counted problems (the same rule) are of one level
 * (checks.h: WARN or CRIT). */
static size_t problems_at(const struct hosts_model *m, const char *host_id, int level)
{
    size_t n = 0;
    for (size_t i = 0; i < m->probs.count; i++)
        n += streq(m->probs.items[i].host_id, host_id) && m->probs.items[i].level == level &&
             check_problem_ng(&m->probs.items[i]) == CHECKLIST_NG_COUNTED;
    return n;
}

/* How many of the host's problems flap (check_flap.h). */
static size_t flapping_of(const struct hosts_model *m, const char *host_id)
{
    size_t n = 0;
    for (size_t i = 0; i < m->probs.count; i++)
        n += m->probs.items[i].flapping && streq(m->probs.items[i].host_id, host_id);
    return n;
}

/* The parents the host's latest NG results were unreachable through
 * (host_deps.h), or NULL when none was. */
static const char *unreachable_of(const struct hosts_model *m, const char *host_id)
{
    for (size_t i = 0; i < m->probs.count; i++)
        if (m->probs.items[i].unreachable_via && streq(m->probs.items[i].host_id, host_id))
            return m->probs.items[i].unreachable_via;
    return NULL;
}

/* The downtime that holds the host now, or NULL. */
static const struct downtime *downtime_now(const struct hosts_model *m, const char *host_id)
{
    int64_t now = time_now_ms();
    for (size_t i = 0; i < m->downs.count; i++) {
        const struct downtime *d = &m->downs.items[i];
        if (streq(d->host_id, host_id) && d->starts_ms <= now && now < d->ends_ms)
            return d;
    }
    return NULL;
}

/* ---- table source ---- */
static long src_count(void *data)
{
    return (long)((struct hosts_model *)data)->nview;
}

static long src_fetch(void *data, long from, long n, struct table_row *rows)
{
    struct hosts_model *m = data;
    long k = 0;
    for (; k < n && from + k < (long)m->nview; k++) {
        struct hrow *r = &m->rows[m->view[from + k]];
        struct table_row *t = &rows[k];
        char buf[256];
        for (int c = 0; c <= COL_REACH; c++)
            t->cell[c] = xstrdup(field_of(r, c, buf, sizeof buf));
        if (r->checking) {
            free(t->cell[COL_REACH]);
            t->cell[COL_REACH] = xasprintf(
                _("checking… %llds"), (long long)((ui_monotonic_ms() - r->check_started) / 1000));
            t->cell_style[COL_REACH] = STYLE_STATUS_TODO;
        } else {
            size_t ng, acked;
            problems_of(m, r->h.id, &ng, &acked);
            const char *via = unreachable_of(m, r->h.id);
            size_t crit = problems_at(m, r->h.id, CHECK_LEVEL_CRIT);
            size_t warn = problems_at(m, r->h.id, CHECK_LEVEL_WARN);
            if (via) { /* "unreachable (via core-sw01) · …": its parent's draft covers it */
                char *mark = xasprintf(_("unreachable (via %s)"), via);
                char *c = xasprintf("%s · %s", mark, t->cell[COL_REACH]);
                free(mark);
                free(t->cell[COL_REACH]);
                t->cell[COL_REACH] = c;
                t->cell_style[COL_REACH] = STYLE_DIM;
            } else if (ng || acked) { /* "NG 2 (+1 ack) · ssh …": the problems first, never cut */
                /* CRIT as NG, WARN counted apart ("NG 1 WARN 2 (+1 acknowledged)") */
                char *mark = crit ? xasprintf(_("NG %zu"), crit) : xstrdup("");
                if (warn) {
                    char *w = xasprintf(_("WARN %zu"), warn);
                    char *b = xasprintf("%s%s%s", mark, *mark ? " " : "", w);
                    free(w);
                    free(mark);
                    mark = b;
                }
                if (acked) {
                    char *b = *mark ? xasprintf(_("%s (+%zu acknowledged)"), mark, acked)
                                    : xasprintf(_("NG acknowledged %zu"), acked);
                    free(mark);
                    mark = b;
                }
                if (flapping_of(m, r->h.id)) {
                    char *f = xasprintf("%s %s", mark, _("[flapping]"));
                    free(mark);
                    mark = f;
                }
                char *c = xasprintf("%s · %s", mark, t->cell[COL_REACH]);
                free(mark);
                free(t->cell[COL_REACH]);
                t->cell[COL_REACH] = c;
                t->cell_style[COL_REACH] = crit   ? STYLE_STATUS_NG
                                           : warn ? STYLE_STATUS_TODO
                                                  : STYLE_DIM;
            }
            const struct downtime *d = downtime_now(m, r->h.id);
            if (d) { /* "downtime until 12-07 18:00 · …": first, as the problems are */
                char when[24];
                time_format_jst(d->ends_ms, when, 0);
                char *c = xasprintf(_("downtime until %s · %s"), when + 5, t->cell[COL_REACH]);
                free(t->cell[COL_REACH]);
                t->cell[COL_REACH] = c;
                t->cell_style[COL_REACH] = STYLE_DIM;
            }
        }
        for (int i = 0; i < NMETRICS; i++)
            t->cell[COL_CPU + i] = sparkline(r->vals[i], r->nvals[i], i > 0);
        t->style = STYLE_NORMAL;
    }
    return k;
}

/* ---- forms ---- */
static const char *const roles[] = {"AP",   "DB",     "file",    "AD",   "proxy",
                                    "WSUS", "backup", "network", "other"};
#define NROLES ((int)(sizeof roles / sizeof roles[0]))

struct edit_req {
    char *name; /* NULL: add */
};

static void edit_req_free(void *p)
{
    struct edit_req *r = p;
    free(r->name);
    free(r);
}

static int submit_host(struct ui_form *f, void *data, char **err)
{
    struct edit_req *r = data;
    char *v[9];
    for (int i = 0; i < 9; i++)
        v[i] = i == 2 ? NULL : ui_field_value(ui_form_field(f, i));
    int role = ui_form_field(f, 2)->choice;
    struct host_fields hf = {0};
    hf.name = v[0];
    hf.address = v[1];
    hf.role = roles[role];
    hf.location = v[3];
    hf.os = v[4];
    hf.ssh_alias = v[5];
    hf.ssh_user = v[6];
    hf.ssh_jump = v[8];
    hf.ssh_port = -1;
    int rc = 0;
    char *port_text = input_norm(v[7]); /* "２２" */
    if (port_text && *port_text) {
        char *end;
        long port = strtol(port_text, &end, 10);
        if (*end || port < 1 || port > 65535) {
            ui_form_field(f, 7)->error = xstrdup(_("a port number 1-65535, or empty"));
            rc = -1;
        }
        hf.ssh_port = (int)port;
    } else {
        hf.ssh_port = r->name ? 0 : -1;
    }
    free(port_text);
    if (rc == 0) {
        char id[ID_LEN + 1];
        rc =
            r->name ? host_edit(ui_store(), r->name, &hf, err) : host_add(ui_store(), &hf, id, err);
        /* A job waiting for a host of this role runs here once it is the role's only host. */
        int placed = 0;
        if (rc == 0 && hf.role)
            rc = jobs_place_by_role(ui_store(), 0, &placed, err);
        if (rc == 0 && placed > 0) {
            ui_message(_("host %s saved; jobs that needed a host of its role now run on it: %d"),
                       v[0], placed);
            ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_ALL);
        } else if (rc == 0) {
            ui_message(r->name ? _("host %s saved") : _("host %s added"), v[0]);
            ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_ALL);
        }
    }
    for (int i = 0; i < 9; i++)
        free(v[i]);
    return rc;
}

static void host_form(const struct host *h)
{
    struct edit_req *r = xcalloc(1, sizeof *r);
    r->name = h ? xstrdup(h->name) : NULL;
    char *t = h ? xasprintf(_("Edit host %s"), h->name) : xstrdup(_("Add a host"));
    struct ui_form *f = ui_form_new(t, submit_host, r);
    free(t);
    ui_form_set_data_free(f, edit_req_free);
    int role = NROLES - 1;
    for (int i = 0; h && h->role && i < NROLES; i++)
        if (strcasecmp(h->role, roles[i]) == 0)
            role = i;
    char port[16] = "";
    if (h && h->ssh_port)
        snprintf(port, sizeof port, "%d", h->ssh_port);
    ui_form_text(f, _("Name"), h ? h->name : NULL, 1);
    ui_form_text(f, _("Address"), h ? h->address : NULL, 0);
    static const char *role_labels[NROLES];
    for (int i = 0; i < NROLES; i++)
        role_labels[i] = label_host_role(roles[i]);
    ui_form_choice(f, _("Role"), role_labels, NROLES, role);
    ui_form_text(f, _("Location"), h ? h->location : NULL, 0);
    ui_form_text(f, _("OS"), h ? h->os : NULL, 0);
    ui_form_text(f, _("ssh_config alias"), h ? h->ssh_alias : NULL, 0);
    ui_form_text(f, _("SSH user"), h ? h->ssh_user : NULL, 0);
    ui_form_text(f, _("SSH port"), port, 0);
    ui_form_text(f, _("Jump host"), h ? h->ssh_jump : NULL, 0);
    ui_form_show(f);
}

/* ---- checks in the background ---- */
struct check_job {
    char *db, *host;
    char *trust_fp; /* the key the operator confirmed, for a run again */
    int ok;
    size_t results, ng;
    char *err;
    char *unknown_fp, *unknown_type; /* the host's key was not in known_hosts */
};

static void check_work(void *arg)
{
    struct check_job *j = arg;
    struct store *st = NULL;
    struct check_set set = {0};
    struct check_report rep = {0};
    if (store_open(j->db, STORE_OPEN_EXISTING, &st, &j->err) != 0)
        return;
    if (store_require_operator(st, &j->err) == 0 && checks_load_dir(NULL, &set, &j->err) == 0) {
        struct check_run_opts o = {0};
        o.host = j->host;
        o.trust_fingerprint = j->trust_fp;
        if (checks_run(st, &set, &o, &rep, &j->err) == 0) {
            j->ok = 1;
            j->results = rep.count;
            check_report_ng_split(&rep, &j->ng, NULL, NULL); /* not downtime, not acked */
            if (rep.n_unknown_keys) {
                j->unknown_fp = xstrdup(rep.unknown_keys[0].fingerprint);
                j->unknown_type = xstrdup(rep.unknown_keys[0].type);
            }
        }
        check_report_free(&rep);
    }
    checks_free(&set);
    store_close(st);
    ui_filter_thread_done();
}

static void start_checks(const char *host, const char *trust_fp);

/* The same question a session asks for an unknown host key; yes runs the
 * checks again trusting exactly the key shown. */
struct trust_ask {
    char *host, *fp;
};

static void trust_answer(int yes, void *data)
{
    struct trust_ask *t = data;
    if (yes)
        start_checks(t->host, t->fp);
    free(t->host);
    free(t->fp);
    free(t);
}

static void check_done(void *arg)
{
    struct check_job *j = arg;
    if (HM) {
        HM->running--;
        for (size_t i = 0; i < HM->n; i++)
            if (strcmp(HM->rows[i].h.name, j->host) == 0)
                HM->rows[i].checking = 0;
    }
    if (j->ok && j->unknown_fp && !j->trust_fp) {
        struct trust_ask *t = xcalloc(1, sizeof *t);
        t->host = xstrdup(j->host);
        t->fp = xstrdup(j->unknown_fp);
        char *a = xasprintf(_("The host key of %s is not in known_hosts."), j->host);
        char *b = xasprintf(_("Key fingerprint: %s"), j->unknown_fp);
        char *q = xasprintf("%s %s %s %s", a, b,
                            _("Trust this key and add it to known_hosts? (y/n) Compare it with "
                              "the fingerprint the server's administrator gave you."),
                            _("(The checks were recorded NG: unreachable.)"));
        ui_confirm(q, trust_answer, t);
        free(a), free(b), free(q);
    } else if (j->ok) {
        ui_message(_("checks on %s: %zu results, %zu NG"), j->host, j->results, j->ng);
    } else {
        ui_error(_("checks on %s: %s"), j->host, j->err ? j->err : "?");
    }
    free(j->err);
    free(j->db);
    free(j->host);
    free(j->trust_fp);
    free(j->unknown_fp);
    free(j->unknown_type);
    free(j);
    ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_ALL | UI_DIRTY_COUNTS);
}

static int progress_tick(void *data)
{
    (void)data;
    if (HM && HM->running > 0) {
        table_reset(&HM->table); /* refetch: the elapsed seconds */
        ui_dirty(UI_DIRTY_PANE);
    }
    return 1;
}

static void start_checks(const char *host, const char *trust_fp)
{
    struct check_job *j = xcalloc(1, sizeof *j);
    j->db = xstrdup(ui_store()->path);
    j->host = xstrdup(host);
    j->trust_fp = trust_fp ? xstrdup(trust_fp) : NULL;
    for (size_t i = 0; HM && i < HM->n; i++)
        if (strcmp(HM->rows[i].h.name, host) == 0) {
            HM->rows[i].checking = 1;
            HM->rows[i].check_started = ui_monotonic_ms();
        }
    if (HM) {
        HM->running++;
        table_reset(&HM->table);
    }
    ui_message(_("running the checks on %s…"), host);
    if (ui_bg_run(check_work, check_done, j) != 0) {
        check_work(j);
        check_done(j);
    }
}

static void run_checks(struct hrow *r)
{
    if (r->checking) {
        ui_message(_("checks on %s are already running"), r->h.name);
        return;
    }
    start_checks(r->h.name, NULL);
}

/* ---- pane ops ---- */
static int hosts_open(struct pane *p, char **err)
{
    (void)err;
    struct hosts_model *m = xcalloc(1, sizeof *m);
    const struct table_col cols[NCOLS] = {
        {_("Name"), 8, 24, 0, 0, 0, 0},         {_("Address"), 7, 18, 0, 0, 0, 0},
        {_("Role"), 4, 12, 0, 0, 0, 0}, /* バックアップ, ネットワーク */
        {_("Location"), 4, 0, 1, 0, 0, 0},      {_("OS"), 4, 20, 0, 0, 0, 0},
        {_("Reach"), 5, 24, 0, 0, 0, 0},        {_("CPU"), 4, SPARK_N + 6, 0, 0, 0, 0},
        {_("Mem"), 4, SPARK_N + 5, 0, 0, 0, 0}, {_("Disk"), 4, SPARK_N + 5, 0, 0, 0, 0},
    };
    memcpy(m->cols, cols, sizeof cols);
    struct table_source src = {src_count, src_fetch, m};
    table_init(&m->table, m->cols, NCOLS, src);
    static const int col_sort[NCOLS] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    for (int i = 0; i < NCOLS; i++)
        m->sort_labels[i] = m->cols[i].title;
    ui_list_init(&m->list, &m->table, col_keys, NCOLS, rebuild_view, m);
    m->list.sort = COL_NAME;
    m->list.sort_labels = m->sort_labels;
    m->list.col_sort = col_sort;
    m->list.header_rows = 0; /* the table starts at the pane's top */
    m->list.detail = &m->lines;
    m->list.detail_open = &m->detail;
    HM = m;
    p->data = m;
    m->timer = ui_loop_add_timer(1000, progress_tick, NULL);
    hosts_reload(m);
    return 0;
}

static void hosts_load(struct pane *p)
{
    hosts_reload(p->data);
}

/* ---- acknowledgements (check_ack.h) ---- */
struct ack_req {
    char *host;
    char **checks; /* the form's check choices */
    int n;
    int unack;
};

static void ack_req_free(void *p)
{
    struct ack_req *r = p;
    for (int i = 0; i < r->n; i++)
        free(r->checks[i]);
    free(r->checks);
    free(r->host);
    free(r);
}

static const char *until_labels[4];

static int submit_ack(struct ui_form *f, void *data, char **err)
{
    struct ack_req *r = data;
    int c = ui_form_field(f, 0)->choice;
    if (c < 0 || c >= r->n)
        return -1;
    int rc;
    if (r->unack) {
        rc = check_unack(ui_store(), r->host, r->checks[c], time_now_ms(), err);
        if (rc == 0)
            ui_message(_("%s %s is no longer acknowledged."), r->host, r->checks[c]);
    } else {
        char *note = ui_field_value(ui_form_field(f, 1));
        int until = ui_form_field(f, 2)->choice;
        char *when = ui_field_value(ui_form_field(f, 3));
        char *norm = input_norm_date(when); /* "２０２６／１２／０７ １８:００" */
        struct check_ack_req q = {.host = r->host, .check = r->checks[c], .note = note};
        static const enum check_ack_kind kinds[] = {CHECK_ACK_RECOVERY, CHECK_ACK_TIME,
                                                    CHECK_ACK_SHIFT, CHECK_ACK_WORSE};
        q.kind = kinds[until >= 0 && until < 4 ? until : 0];
        rc = 0;
        if (q.kind == CHECK_ACK_TIME && (!norm || time_parse(norm, &q.until_ms) != 0)) {
            ui_form_field(f, 3)->error = xstrdup(_("a time YYYY-MM-DD HH:MM (JST)"));
            rc = -1;
        }
        if (rc == 0)
            rc = check_ack(ui_store(), &q, time_now_ms(), NULL, err);
        if (rc == 0)
            ui_message(_("%s %s acknowledged."), r->host, r->checks[c]);
        free(note);
        free(when);
        free(norm);
    }
    if (rc == 0)
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_ALL);
    return rc;
}

/* A form to acknowledge one of the host's problems (unack: to take one back). */
static void ack_form(struct hosts_model *m, const struct host *h, int unack)
{
    struct ack_req *r = xcalloc(1, sizeof *r);
    r->host = xstrdup(h->name);
    r->unack = unack;
    for (size_t i = 0; i < m->probs.count; i++) {
        const struct check_problem *x = &m->probs.items[i];
        if (!streq(x->host_id, h->id) || (unack && !x->acked))
            continue;
        r->checks = xrealloc(r->checks, (size_t)(r->n + 1) * sizeof *r->checks);
        r->checks[r->n++] = xstrdup(x->check);
    }
    if (!r->n) {
        ui_message(unack ? _("No check of %s is acknowledged.")
                         : _("No check's latest result on %s is NG."),
                   h->name);
        ack_req_free(r);
        return;
    }
    char *t = xasprintf(unack ? _("Take back an acknowledgement on %s")
                              : _("Acknowledge a problem on %s"),
                        h->name);
    struct ui_form *f = ui_form_new(t, submit_ack, r);
    free(t);
    ui_form_set_data_free(f, ack_req_free);
    ui_form_choice(f, _("Check"), (const char *const *)r->checks, r->n, 0);
    if (!unack) {
        until_labels[0] = _("until it recovers");
        until_labels[1] = _("until the time below");
        until_labels[2] = _("until the end of the shift");
        until_labels[3] = _("until it gets worse");
        ui_form_text(f, _("Note"), NULL, 1);
        ui_form_choice(f, _("Until"), until_labels, 4, 0);
        ui_form_text(f, _("Time (JST)"), NULL, 0);
    }
    ui_form_show(f);
}

/* ---- parents (host_deps.h) ---- */
static int submit_parents(struct ui_form *f, void *data, char **err)
{
    const char *host = data;
    char *v = ui_field_value(ui_form_field(f, 0));
    char *norm = input_norm(v); /* full-width commas and letters folded */
    for (char *p = norm; p && *p; p++)
        if (*p == ' ')
            *p = ',';
    for (char *p = norm; p && (p = strstr(p, "、")) != NULL;)
        memcpy(p, ",,,", 3); /* the Japanese comma: empty items are dropped */
    int rc = host_parents_set(ui_store(), host, norm ? norm : "", err);
    if (rc == 0) {
        if (norm && *norm)
            ui_message(_("The parents of %s are set."), host);
        else
            ui_message(_("%s has no parents now."), host);
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_ALL);
    }
    free(v);
    free(norm);
    return rc;
}

/* A form for the host's parents: their names, comma-separated (empty: none). */
static void parents_form(const struct host *h)
{
    char *t = xasprintf(_("Parents of %s"), h->name);
    struct ui_form *f = ui_form_new(t, submit_parents, xstrdup(h->name));
    free(t);
    ui_form_set_data_free(f, free);
    char *names = NULL, *err = NULL;
    if (host_parents_names(ui_store(), h, &names, &err) != 0)
        free(err);
    ui_form_text(f, _("Parents (comma-separated; empty: none)"), names ? names : "", 0);
    free(names);
    ui_form_show(f);
}

/* ---- downtimes (downtime.h) ---- */
static int submit_downtime(struct ui_form *f, void *data, char **err)
{
    const char *host = data;
    char *from = ui_field_value(ui_form_field(f, 0));
    char *to = ui_field_value(ui_form_field(f, 1));
    char *reason = ui_field_value(ui_form_field(f, 2));
    char *nf = input_norm_date(from),
         *nt = input_norm_date(to); /* "２０２６／１２／０７ ０９:００" */
    int64_t a = 0, b = 0;
    int rc = 0;
    if (!nf || time_parse(nf, &a) != 0) {
        ui_form_field(f, 0)->error = xstrdup(_("a time YYYY-MM-DD HH:MM (JST)"));
        rc = -1;
    }
    if (!nt || time_parse(nt, &b) != 0) {
        ui_form_field(f, 1)->error = xstrdup(_("a time YYYY-MM-DD HH:MM (JST)"));
        rc = -1;
    }
    if (rc == 0)
        rc = downtime_add(ui_store(), host, a, b, reason, time_now_ms(), NULL, err);
    if (rc == 0) {
        char when[24];
        time_format_jst(b, when, 0);
        ui_message(_("%s is in downtime until %s."), host, when);
        ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_ALL);
    }
    free(from), free(to), free(reason), free(nf), free(nt);
    return rc;
}

/* A form to put the host in downtime: from (now), to (an hour on), reason. */
static void downtime_form(const struct host *h)
{
    char *t = xasprintf(_("Put %s in downtime"), h->name);
    struct ui_form *f = ui_form_new(t, submit_downtime, xstrdup(h->name));
    free(t);
    ui_form_set_data_free(f, free);
    int64_t now = time_now_ms();
    char from[24], to[24];
    time_format_jst(now, from, 0);
    time_format_jst(now + 3600 * 1000, to, 0);
    ui_form_text(f, _("From (JST)"), from, 1);
    ui_form_text(f, _("To (JST)"), to, 1);
    ui_form_text(f, _("Reason"), NULL, 1);
    ui_form_show(f);
}

/* The host's check problems over the list: each with its latest result and its
 * acknowledgement (who, note, until when), as `unyo check problems` lists them. */
static void open_problems(struct hosts_model *m, const struct host *h)
{
    ui_lines_clear(&m->lines);
    m->lines.top = 0;
    size_t ng, acked, down;
    check_problems_count(&m->probs, h->id, &ng, &acked, &down);
    ng += acked + down; /* the detail lists every problem, each with its standing */
    ui_lines_addf(&m->lines, STYLE_HEADER, _("Check problems of %s: %zu"), h->name, ng);
    char *parents = NULL, *perr = NULL;
    if (host_parents_names(ui_store(), h, &parents, &perr) == 0 && *parents)
        ui_lines_addf(&m->lines, STYLE_NORMAL,
                      _("Parents: %s (when every one is down, its failures are unreachable via "
                        "them)"),
                      parents);
    else if (parents)
        ui_lines_addf(&m->lines, STYLE_NORMAL, "%s", _("Parents: none"));
    free(parents);
    free(perr);
    ui_lines_addf(&m->lines, STYLE_NORMAL, "%s", "");
    int64_t now = time_now_ms();
    for (size_t i = 0; i < m->downs.count; i++) {
        const struct downtime *d = &m->downs.items[i];
        if (!streq(d->host_id, h->id))
            continue;
        char from[24], to[24];
        time_format_jst(d->starts_ms, from, 0);
        time_format_jst(d->ends_ms, to, 0);
        ui_lines_addf(&m->lines, STYLE_DIM,
                      d->starts_ms <= now ? _("In downtime until %s: %s (NG opens no draft)")
                                          : _("Downtime from %s: %s"),
                      d->starts_ms <= now ? to + 5 : from + 5, d->reason);
    }
    if (!ng)
        ui_lines_addf(&m->lines, STYLE_DIM, "%s", _("No check's latest result is NG."));
    for (size_t i = 0; i < m->probs.count; i++) {
        const struct check_problem *x = &m->probs.items[i];
        if (!streq(x->host_id, h->id))
            continue;
        char when[24] = "";
        int64_t ms;
        if (time_parse(x->at, &ms) == 0)
            time_format_jst(ms, when, 0);
        enum checklist_ng standing = check_problem_ng(x);
        ui_lines_addf(&m->lines,
                      standing != CHECKLIST_NG_COUNTED ? STYLE_DIM
                      : x->level == CHECK_LEVEL_WARN   ? STYLE_STATUS_TODO
                                                       : STYLE_STATUS_NG,
                      "%s  %s (%s)  %s%s%s%s%s", check_level_label(x->level), x->check, x->code,
                      when, x->flapping ? "  " : "", x->flapping ? _("[flapping]") : "",
                      x->in_downtime ? "  " : "", x->in_downtime ? downtime_mark() : "");
        if (x->reason)
            ui_lines_add_note(&m->lines, STYLE_NORMAL, "    ", x->reason);
        if (x->unreachable_via)
            ui_lines_addf(&m->lines, STYLE_DIM,
                          _("    Unreachable via %s: no draft of its own, not counted as NG"),
                          x->unreachable_via);
        if (x->acked) {
            char *d = check_ack_describe(&x->ack);
            ui_lines_addf(&m->lines, STYLE_DIM,
                          x->ack.expired ? _("    Acknowledgement expired: %s")
                                         : _("    Acknowledged: %s"),
                          d);
            free(d);
        }
    }
    m->detail = 1;
}

static void hosts_draw(struct pane *p, const struct ui_canvas *c)
{
    struct hosts_model *m = p->data;
    if (m->detail) {
        ui_lines_draw(&m->lines, c, c->h - 1);
        ui_put(c, c->h - 1, 0, -1, STYLE_DIM, _("Esc back  ↑↓ scroll"));
        return;
    }
    if (m->n == 0) {
        ui_put(c, 1, 2, -1, STYLE_HEADER, _("No hosts in the inventory."));
        ui_put(c, 3, 2, -1, STYLE_NORMAL,
               _("a adds a host; unyo host import-ssh-config adds every Host of ~/.ssh/config."));
        return;
    }
    table_set_height(&m->table, c->h - 1);
    table_draw(&m->table, c);
}

static struct hrow *selected(struct hosts_model *m)
{
    if (m->table.sel < 0 || m->table.sel >= (long)m->nview)
        return NULL;
    return &m->rows[m->view[m->table.sel]];
}

static int hosts_action(struct pane *p, const char *a)
{
    struct hosts_model *m = p->data;
    if (m->detail)
        return ui_lines_scroll(&m->lines, a, p->h > 4 ? p->h - 2 : 1);
    if (ui_list_is_shared(a) || strncmp(a, "goto ", 5) == 0)
        return ui_list_action(&m->list, a, p->h > 2 ? p->h - 1 : 1);
    struct hrow *r = selected(m);
    if (strcmp(a, "open") == 0 || strcmp(a, "hosts.connect") == 0) {
        if (!r)
            return 1;
        char *err = NULL;
        char *name = xstrdup(r->h.name);
        if (consoles_open_host(name, &err) != 0)
            ui_error_take(err);
        free(name);
        return 1;
    }
    if (strcmp(a, "hosts.add") == 0) {
        host_form(NULL);
        return 1;
    }
    if (strcmp(a, "hosts.edit") == 0) {
        if (r)
            host_form(&r->h);
        return 1;
    }
    if (strcmp(a, "hosts.check") == 0) {
        if (r)
            run_checks(r);
        return 1;
    }
    if (strcmp(a, "hosts.problems") == 0) {
        if (r)
            open_problems(m, &r->h);
        return 1;
    }
    if (strcmp(a, "hosts.downtime") == 0) {
        if (r)
            downtime_form(&r->h);
        return 1;
    }
    if (strcmp(a, "hosts.parents") == 0) {
        if (r)
            parents_form(&r->h);
        return 1;
    }
    if (strcmp(a, "hosts.ack") == 0 || strcmp(a, "hosts.unack") == 0) {
        if (r)
            ack_form(m, &r->h, strcmp(a, "hosts.unack") == 0);
        return 1;
    }
    return 0;
}

static int hosts_key(struct pane *p, int key)
{
    struct hosts_model *m = p->data;
    return ui_lines_close(&m->detail, &m->lines, key);
}

static void hosts_mouse(struct pane *p, int y, int x, int button)
{
    struct hosts_model *m = p->data;
    ui_list_mouse_event(&m->list, y, x, button);
}

static int hosts_filter(struct pane *p, const struct pcre2_real_code_8 *re, const char *pattern,
                        char **err)
{
    (void)err;
    struct hosts_model *m = p->data;
    return ui_list_filter(&m->list, re, pattern);
}

static int hosts_sort(struct pane *p, const char *column, char **err)
{
    struct hosts_model *m = p->data;
    return ui_list_sort(&m->list, column, err);
}

static void hosts_resize(struct pane *p, int h, int w)
{
    (void)w;
    struct hosts_model *m = p->data;
    table_set_height(&m->table, h - 1);
}

static void hosts_free(struct pane *p)
{
    struct hosts_model *m = p->data;
    if (!m)
        return;
    ui_loop_remove_timer(m->timer);
    table_free(&m->table);
    free_rows(m);
    free(m->view);
    ui_list_free(&m->list);
    check_problems_free(&m->probs);
    downtimes_free(&m->downs);
    ui_lines_free(&m->lines);
    free(m);
    HM = NULL;
}

static const struct ui_binding hosts_bindings[] = {
    {"hosts.connect", "Enter", N_("open a console session to the host")},
    {"hosts.edit", "e", N_("edit the host")},
    {"hosts.add", "a", N_("add a host")},
    {"hosts.check", "c", N_("run the checks for the host (in the background)")},
    {"hosts.problems", "p", N_("the host's check problems and their acknowledgements")},
    {"hosts.ack", "A", N_("acknowledge a check problem of the host (note, until when)")},
    {"hosts.unack", "U", N_("take back the acknowledgement of a check problem")},
    {"hosts.downtime", "D",
     N_("put the host in downtime (from, to, reason): its NG opens no draft")},
    {"hosts.parents", "P",
     N_("the host's parents (core switch, hypervisor): when all are down, its failures are "
        "unreachable via them")},
    {NULL, NULL, NULL},
};

const struct pane_ops hosts_pane = {
    .name = "hosts",
    .title = N_("Hosts"),
    .bindings = hosts_bindings,
    .open = hosts_open,
    .load = hosts_load,
    .list = 1,
    .draw = hosts_draw,
    .action = hosts_action,
    .key = hosts_key,
    .mouse = hosts_mouse,
    .resize = hosts_resize,
    .filter = hosts_filter,
    .sort = hosts_sort,
    .free = hosts_free,
};
