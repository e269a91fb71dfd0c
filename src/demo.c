#include "demo.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "checklist.h"
#include "i18n.h"
#include "incidents.h"
#include "jobs.h"
#include "operators.h"
#include "search.h"
#include "sla.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* A small deterministic PRNG (xorshift64*): demo content and benchmarks must
 * be reproducible run to run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}
#define PICK(arr) (arr[rnd() % ARRAY_LEN(arr)])

/* The generator's strings outlive each sqlite3_step, so SQLite need not copy
 * them (bind_text copies, which costs a malloc and memcpy per field). */
static void bind_static(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static const char *const titles[] = {
    "OPAC端末が起動しない",
    "貸出処理で応答が遅い",
    "予約メールが送信されない",
    "カウンター端末のプリンタが印刷できない",
    "蔵書検索でタイムアウト",
    "ICタグリーダーが反応しない",
    "業務APサーバのCPU使用率が高い",
    "バックアップジョブが異常終了",
    "ネットワークが断続的に切断",
    "ウイルス対策ソフトのパターン更新失敗",
    "利用者カードが読み取れない",
    "Web OPACにログインできない",
    "DBサーバのディスク使用率が閾値超過",
    "プロキシ経由で外部サイトに接続できない",
    "自動貸出機がエラー表示",
    "督促はがきの出力件数が不正",
};
static const char *const descriptions[] = {
    "開館前の電源投入後、ログイン画面が表示されない。再起動でも改善せず。",
    "10時頃から貸出・返却の処理に30秒以上かかるとの連絡。複数端末で発生。",
    "職員より電話。昨日分の予約確保メールが利用者に届いていない。",
    "監視アラートを受信。閾値を5分以上超過している。",
    "巡回中に発見。エラーコードを控えて報告。",
};
static const char *const channels[] = {"phone", "mail", "alert", "visit", "rounds"};
static const char *const categories[] = {"network",  "server",   "software",
                                         "security", "hardware", "other"};
static const char *const reporters[] = {"中央館 貸出係 佐々木", "東図書館 小林", "西図書館 加藤",
                                        "南図書館 吉田",        "北図書館 山口", "監視システム"};

static char *priority_of(int impact, int urgency)
{
    static char p[3];
    int score = impact + urgency; /* 2 (high, high) .. 6 (low, low) */
    snprintf(p, sizeof p, "P%d", score <= 2 ? 1 : score == 3 ? 2 : score == 4 ? 3 : 4);
    return p;
}

struct gen_ctx {
    struct store *st;
    char (*library_ids)[ID_LEN + 1];
    size_t nlibraries;
    char (*operator_ids)[ID_LEN + 1];
    size_t noperators;
};

/* 0 when there are rows, -1 when none; -2 with *err set when they cannot be read. */
static int load_ids(struct store *st, const char *sql, char (**out)[ID_LEN + 1], size_t *n,
                    char **err)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    *n = 0;
    *out = NULL;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        snprintf((*out)[*n], ID_LEN + 1, "%s", col_text(s, 0));
        (*n)++;
    }
    if (step < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return -2;
    }
    return *n > 0 ? 0 : -1;
}

static const char *const incident_sql =
    "INSERT INTO incidents(id, ref, library_id, channel, reporter, title, description, category, "
    "impact, urgency, priority, status, assignee_id, received_at, acknowledged_at, "
    "first_response_at, recovered_at, closed_at, created_by, created_at, updated_at, hlc, origin) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?14, ?20, ?21, ?22)";
static const char *const event_sql =
    "INSERT INTO incident_events(id, incident_id, kind, note, operator_id, at, hlc, origin) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/* One incident received at `at` with its events; returns rows written or -1. */
static int add_incident(struct gen_ctx *g, int64_t at, int64_t now, char **err)
{
    struct store *st = g->st;
    /* Most incidents older than two days ran their course (so SLA and
     * monthly reports have recoveries to measure); the rest stop part-way. */
    static const char *const full[] = {"received", "isolated", "first_response", "recovered",
                                       "closed"};
    static const char *const partial[] = {"received", "isolated", "escalated", "first_response"};
    int old = at < now - 2LL * 86400 * 1000;
    const char *const *steps = old && rnd() % 10 < 8 ? full : partial;
    int nsteps = steps == full ? 5 : 2 + (int)(rnd() % 3);
    int64_t times[5];
    times[0] = at;
    for (int i = 1; i < nsteps; i++)
        times[i] = times[i - 1] + (int64_t)(5 + rnd() % 90) * 60000;
    while (nsteps > 1 && times[nsteps - 1] > now)
        nsteps--;
    char id[ID_LEN + 1], ref[24], ts[5][TIME_ISO_LEN + 1];
    const char *ack = NULL, *first = NULL, *recovered = NULL, *closed = NULL;
    id_new_at(id, at);
    for (int i = 0; i < nsteps; i++) {
        time_format_iso(times[i], ts[i]);
        if (i == 1)
            ack = ts[i];
        if (streq(steps[i], "first_response"))
            first = ts[i];
        else if (streq(steps[i], "recovered"))
            recovered = ts[i];
        else if (streq(steps[i], "closed"))
            closed = ts[i];
    }
    char day[11];
    time_format_jst_date(at, day);
    snprintf(ref, sizeof ref, "INC-%.4s%.2s%.2s-%.4s", day, day + 5, day + 8, id + 24);
    int impact = 1 + (int)(rnd() % 3), urgency = 1 + (int)(rnd() % 3);
    const char *status = steps[nsteps - 1];
    const char *op = g->operator_ids[rnd() % g->noperators];

    sqlite3_stmt *s = store_stmt(st, incident_sql);
    bind_static(s, 1, id);
    bind_static(s, 2, ref);
    bind_static(s, 3, g->library_ids[rnd() % g->nlibraries]);
    bind_static(s, 4, PICK(channels));
    bind_static(s, 5, PICK(reporters));
    bind_static(s, 6, PICK(titles));
    bind_static(s, 7, PICK(descriptions));
    bind_static(s, 8, PICK(categories));
    bind_int(s, 9, impact);
    bind_int(s, 10, urgency);
    bind_static(s, 11, priority_of(impact, urgency));
    bind_static(s, 12, status);
    bind_static(s, 13, op);
    bind_static(s, 14, ts[0]);
    bind_static(s, 15, ack);
    bind_static(s, 16, first);
    bind_static(s, 17, recovered);
    bind_static(s, 18, closed);
    bind_static(s, 19, op);
    bind_static(s, 20, ts[nsteps - 1]);
    bind_int(s, 21, store_hlc_next(st));
    bind_static(s, 22, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("adding an incident"));
    for (int i = 0; i < nsteps; i++) {
        char eid[ID_LEN + 1];
        id_new_at(eid, times[i]);
        sqlite3_stmt *e = store_stmt(st, event_sql);
        bind_static(e, 1, eid);
        bind_static(e, 2, id);
        bind_static(e, 3, steps[i]);
        bind_static(e, 4, i == 0 ? NULL : "対応状況を記録");
        bind_static(e, 5, op);
        bind_static(e, 6, ts[i]);
        bind_int(e, 7, store_hlc_next(st));
        bind_static(e, 8, st->origin);
        if (sqlite3_step(e) != SQLITE_DONE)
            return store_fail(st, err, _("adding an incident event"));
    }
    return 1 + nsteps;
}

static int gen_init(struct gen_ctx *g, struct store *st, char **err)
{
    memset(g, 0, sizeof *g);
    g->st = st;
    int got = load_ids(st, "SELECT id FROM libraries WHERE deleted = 0 ORDER BY code",
                       &g->library_ids, &g->nlibraries, err);
    if (got != 0) {
        if (got == -1)
            set_err(err, _("the store has no libraries; run unyo init first"));
        return -1;
    }
    got = load_ids(st, "SELECT id FROM operators WHERE deleted = 0 ORDER BY login",
                   &g->operator_ids, &g->noperators, err);
    if (got != 0) {
        free(g->library_ids);
        if (got == -1)
            set_err(err, _("the store has no operators; add one with unyo operator add"));
        return -1;
    }
    return 0;
}

static void gen_free(struct gen_ctx *g)
{
    free(g->library_ids);
    free(g->operator_ids);
}

/* local_incident_titles (the console filter's narrow table) is kept by
 * triggers, one insert per incident: for a bulk load they are dropped and the
 * table refilled once from its source view. Returns the dropped triggers' SQL,
 * or NULL with *err set (nothing dropped) when they cannot be read. */
static char **titles_suspend(struct store *st, char **err)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = 'incidents' AND name LIKE "
                                     "'local\\_incident\\_titles\\_%' ESCAPE '\\'");
    size_t n = 0;
    char **saved = xcalloc(8, sizeof *saved);
    char *names[8];
    int step = 0;
    while (n < 7 && (step = store_next_row(s, err)) == 1) {
        names[n] = xstrdup(col_text(s, 0));
        saved[n++] = xstrdup(col_text(s, 1));
    }
    sqlite3_reset(s);
    if (step < 0) {
        for (size_t i = 0; i < n; i++)
            free(names[i]), free(saved[i]);
        free(saved);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char *sql = xasprintf("DROP TRIGGER \"%s\"", names[i]);
        store_exec(st, sql, NULL);
        free(sql);
        free(names[i]);
    }
    return saved;
}

static int titles_resume(struct store *st, char **saved, const char *first_id, char **err)
{
    int rc = store_begin(st, err);
    if (rc == 0) {
        sqlite3_stmt *s =
            store_stmt(st, "INSERT OR IGNORE INTO local_incident_titles(title, k, incident_id) "
                           "SELECT title, k, incident_id FROM local_incident_titles_source "
                           "WHERE incident_id >= ?1 ORDER BY received_at, incident_id");
        bind_text(s, 1, first_id);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, err, _("rebuilding the incident titles"));
        sqlite3_reset(s);
    }
    for (char **p = saved; rc == 0 && *p; p++)
        rc = store_exec(st, *p, err);
    if (rc == 0)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    for (char **p = saved; *p; p++)
        free(*p);
    free(saved);
    return rc;
}

int demo_generate(struct store *st, long long n, long long *rows, double *index_seconds,
                  void (*progress)(long long done, long long total), char **err)
{
    struct gen_ctx g;
    if (gen_init(&g, st, err) != 0)
        return -1;
    int64_t now = time_now_ms();
    int64_t span = 730LL * 86400 * 1000;
    int64_t start = now - span;
    long long written = 0;
    /* Bulk load: the generator makes throwaway benchmark data, so it trades
     * crash safety for speed (no journal, no fsync); the WAL comes back at
     * the end. Batches of 100k keep memory bounded. */
    store_exec(st, "PRAGMA cache_size = -262144", NULL);
    store_exec(st, "PRAGMA journal_mode = OFF", NULL);
    store_exec(st, "PRAGMA synchronous = OFF", NULL);
    /* Index maintenance per row would cost four times the insert; the
     * full-text index is rebuilt once after the load instead. */
    int rc = search_suspend(st, err);
    char **titles = titles_suspend(st, rc == 0 ? err : NULL);
    if (!titles) {
        rc = -1;
        titles = xcalloc(1, sizeof *titles);
    }
    char first_id[ID_LEN + 1];
    id_new_at(first_id, start); /* every generated incident's id sorts after this */
    for (long long i = 0; i < n && rc == 0; i++) {
        if (i % 100000 == 0) {
            if (i > 0 && store_commit(st, err) != 0) {
                rc = -1;
                break;
            }
            if (store_begin(st, err) != 0) {
                rc = -1;
                break;
            }
            if (progress && i > 0)
                progress(i, n);
        }
        int64_t at = start + (int64_t)((double)span * (double)i / (double)n);
        int r = add_incident(&g, at, now, err);
        if (r < 0)
            rc = -1;
        else
            written += r;
    }
    if (rc == 0 && n > 0)
        rc = store_commit(st, err);
    else if (rc != 0)
        store_rollback(st);
    gen_free(&g);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (rc == 0)
        rc = titles_resume(st, titles, first_id, err);
    else
        titles_resume(st, titles, first_id, NULL);
    if (rc == 0)
        rc = search_resume(st, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (index_seconds)
        *index_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    store_exec(st, "PRAGMA synchronous = NORMAL", NULL);
    store_exec(st, "PRAGMA journal_mode = WAL", NULL);
    if (rows)
        *rows = written;
    return rc;
}

static const struct {
    const char *login, *name, *role;
} demo_operators[] = {
    {"yamada", "山田 花子", "operator"},  {"suzuki", "鈴木 一郎", "operator"},
    {"tanaka", "田中 美咲", "operator"},  {"sato", "佐藤 健", "engineer"},
    {"takahashi", "高橋 誠", "engineer"}, {"ito", "伊藤 由美", "manager"},
};

static const struct {
    const char *name, *address, *role, *location, *os, *notes;
} demo_hosts[] = {
    {"lib-ap01", "10.10.1.11", "AP", "DC ラック A-03", "RHEL 8.9", "図書館業務AP (1号機)"},
    {"lib-ap02", "10.10.1.12", "AP", "DC ラック A-03", "RHEL 8.9", "図書館業務AP (2号機)"},
    {"lib-db01", "10.10.1.21", "DB", "DC ラック A-04", "RHEL 8.9", "業務DB (PostgreSQL)"},
    {"lib-web01", "10.10.2.11", "AP", "DC ラック A-05", "Debian 12", "Web OPAC"},
    {"lib-file01", "10.20.1.31", "file", "中央館 サーバ室", "Windows Server 2019",
     "ファイルサーバ"},
    {"lib-ad01", "10.20.1.10", "AD", "中央館 サーバ室", "Windows Server 2019", "ADサーバ"},
    {"lib-proxy01", "10.20.1.40", "proxy", "中央館 サーバ室", "Debian 12", "プロキシ (i-filter)"},
    {"lib-wsus01", "10.20.1.50", "WSUS", "中央館 サーバ室", "Windows Server 2019", "WSUS"},
    {"lib-bk01", "10.10.1.90", "backup", "DC ラック A-06", "RHEL 8.9", "バックアップ (LTO)"},
    {"core-sw01", "10.10.0.1", "network", "DC ラック A-01", "IOS-XE 17", "コアスイッチ"},
};

/* The demo's hosts are examples: their 10.x addresses belong to nobody here, so
 * they are stored with transport 'local' and their checks and jobs run on this
 * machine (src/hosts.h host_is_local). A host a person adds later uses SSH. */
static int insert_host(struct store *st, int i, const char *now_iso, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO hosts(id, name, address, role, location, os, owner, notes, ssh_alias, "
            "transport, created_at, updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
            "?8, ?2, 'local', ?9, ?9, ?10, ?11)");
    char id[ID_LEN + 1];
    id_new(id);
    bind_text(s, 1, id);
    bind_text(s, 2, demo_hosts[i].name);
    bind_text(s, 3, demo_hosts[i].address);
    bind_text(s, 4, demo_hosts[i].role);
    bind_text(s, 5, demo_hosts[i].location);
    bind_text(s, 6, demo_hosts[i].os);
    bind_text(s, 7, "図書館システム保守ベンダー");
    bind_text(s, 8, demo_hosts[i].notes);
    bind_text(s, 9, now_iso);
    bind_int(s, 10, store_hlc_next(st));
    bind_text(s, 11, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, demo_hosts[i].name);
    return 0;
}

static int insert_shift(struct store *st, const char *day, const char *shift,
                        const char *operator_id, const char *start, const char *end,
                        const char *now_iso, char **err)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO shifts(id, day, shift, operator_id, start_time, end_time, created_at, "
            "updated_at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)");
    char id[ID_LEN + 1];
    id_new(id);
    bind_text(s, 1, id);
    bind_text(s, 2, day);
    bind_text(s, 3, shift);
    bind_text(s, 4, operator_id);
    bind_text(s, 5, start);
    bind_text(s, 6, end);
    bind_text(s, 7, now_iso);
    bind_int(s, 8, store_hlc_next(st));
    bind_text(s, 9, st->origin);
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_fail(st, err, _("adding a shift"));
    return 0;
}

/* The morning rounds of the last few days and today's so far, as the operator
 * on duty recorded them: everything due checked, with the odd NG, skip and out-of-range value
 * so the console has history to browse. Written at the time of day the round
 * happened, which checklist_mark (always "now") cannot do. */
static int demo_checklist_history(struct store *st, int64_t now, int with_today, char **err)
{
    struct calendar *cal = checklist_calendar_open(err);
    if (!cal)
        return -1;
    int rc = 0;
    for (int back = 3; back >= (with_today ? 0 : 1) && rc == 0; back--) {
        char day[11];
        time_format_jst_date(now - (int64_t)back * 86400 * 1000, day);
        struct checklist_day d;
        if (checklist_load(st, cal, day, &d, err) != 0) {
            rc = -1;
            break;
        }
        int64_t at = 0;
        time_parse(day, &at); /* midnight JST */
        at += (int64_t)(7 * 60 + 20) * 60 * 1000;
        for (size_t k = 0; k < d.count && rc == 0; k++) {
            const struct checklist_item *it = &d.items[k];
            if (it->overdue || !streq(it->due_day, day))
                continue;
            if (back == 0 && at + 40 * 1000 > now)
                break; /* today: the round so far, the rest is still to do */
            const char *status = "ok", *note = NULL, *reason = NULL;
            int has_value = it->has_range;
            double value = it->has_range ? (it->value_min + it->value_max) / 2 : 0;
            if (back == 2 && streq(it->code, "L032")) {
                status = "ng";
                value = it->value_max + 1.5;
                note = "空調の設定温度を確認、設備担当へ連絡";
            } else if (back == 1 && streq(it->code, "L034")) {
                status = "skip";
                reason = "東図書館は館内整理のため端末停止中";
            }
            char id[ID_LEN + 1], ts[TIME_ISO_LEN + 1];
            at += 40 * 1000;
            id_new_at(id, at);
            time_format_iso(at, ts);
            sqlite3_stmt *ins = store_stmt(
                st, "INSERT INTO checklist_events(id, day, template_id, host_id, status, value, "
                    "unit, note, reason, operator_id, at, hlc, origin) VALUES(?1, ?2, ?3, ?4, ?5, "
                    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
            bind_text(ins, 1, id);
            bind_text(ins, 2, day);
            bind_text(ins, 3, it->template_id);
            bind_text(ins, 4, it->host_id[0] ? it->host_id : NULL);
            bind_text(ins, 5, status);
            if (has_value)
                sqlite3_bind_double(ins, 6, value);
            bind_text(ins, 7, has_value ? it->unit : NULL);
            bind_text(ins, 8, note);
            bind_text(ins, 9, reason);
            bind_text(ins, 10, st->operator_id);
            bind_text(ins, 11, ts);
            bind_int(ins, 12, store_hlc_next(st));
            bind_text(ins, 13, st->origin);
            if (sqlite3_step(ins) != SQLITE_DONE)
                rc = store_fail(st, err, _("recording the demo checklist"));
        }
        checklist_day_free(&d);
    }
    calendar_free(cal);
    return rc;
}

/* The shipped jobs (data/jobs) with their runs of the last three days and of today, as a
 * day in the middle looks: every run due before now has run (on time, exit 0), today's
 * later ones wait for their hour, work done by hand waits for a person. */
static int demo_jobs(struct store *st, const struct calendar *cal, int64_t now, char **err)
{
    struct job_defs defs = {0};
    if (jobs_parse_dir(NULL, &defs, err) != 0)
        return -1;
    int n = 0;
    int rc = jobs_install(st, &defs, &n, err);
    jobs_defs_free(&defs);
    char today[11];
    time_format_jst_date(now, today);
    for (int back = 3; back >= 0 && rc == 0; back--) {
        char day[11];
        time_format_jst_date(now - (int64_t)back * 86400 * 1000, day);
        rc = jobs_ensure_runs(st, cal, day, NULL, err);
    }
    if (rc != 0 || store_begin(st, err) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt(
        st, "SELECT r.id, r.due_day, j.expected_start, j.expected_end, j.name_ja FROM job_runs r "
            "JOIN jobs j ON j.id = r.job_id WHERE r.state = 'waiting' AND r.deleted = 0 AND "
            "j.command IS NOT NULL AND j.expected_start IS NOT NULL ORDER BY r.due_day, r.id");
    struct done {
        char id[ID_LEN + 1];
        int64_t start, end;
        char *output;
    } *runs = NULL;
    size_t nruns = 0;
    int step;
    while ((step = store_next_row(s, err)) == 1) {
        int64_t day0 = 0, start, end;
        int sh = 0, sm = 0, eh = 0, em = 0;
        if (time_parse(col_text(s, 1), &day0) != 0 ||
            sscanf(col_text(s, 2), "%d:%d", &sh, &sm) != 2)
            continue;
        start = day0 + (int64_t)(sh * 60 + sm) * 60000;
        if (!col_text(s, 3) || sscanf(col_text(s, 3), "%d:%d", &eh, &em) != 2)
            eh = sh, em = sm + 10;
        end = day0 + (int64_t)(eh * 60 + em) * 60000;
        if (end > start + 3 * 60000)
            end = start + 3 * 60000 + (int64_t)(rnd() % 120) * 1000;
        if (end >= now)
            continue; /* still to come today */
        runs = xrealloc(runs, (nruns + 1) * sizeof *runs);
        snprintf(runs[nruns].id, ID_LEN + 1, "%s", col_text(s, 0));
        runs[nruns].start = start;
        runs[nruns].end = end;
        runs[nruns].output = xasprintf("%s: 正常終了\n", col_text(s, 4));
        nruns++;
    }
    rc = step < 0 ? -1 : 0;
    for (size_t i = 0; i < nruns && rc == 0; i++) {
        char t0[TIME_ISO_LEN + 1], t1[TIME_ISO_LEN + 1];
        time_format_iso(runs[i].start, t0);
        time_format_iso(runs[i].end, t1);
        sqlite3_stmt *u = store_stmt(
            st, "UPDATE job_runs SET state = 'succeeded', claimed_by = 'demo', claimed_at = ?2, "
                "started_at = ?2, ended_at = ?3, exit_status = 0, output = ?4, updated_at = ?3, "
                "hlc = ?5, origin = ?6 WHERE id = ?1");
        bind_text(u, 1, runs[i].id);
        bind_text(u, 2, t0);
        bind_text(u, 3, t1);
        bind_text(u, 4, runs[i].output);
        bind_int(u, 5, store_hlc_next(st));
        bind_text(u, 6, st->origin);
        if (sqlite3_step(u) != SQLITE_DONE)
            rc = store_fail(st, err, _("recording the demo jobs"));
        sqlite3_reset(u);
    }
    for (size_t i = 0; i < nruns; i++)
        free(runs[i].output);
    free(runs);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int demo_populate(struct store *st, enum demo_day day_kind, char **err)
{
    /* Only a manager registers operators (the first one of a store excepted): the
     * demo's manager registers everyone, the OS user (an operator) first, and the
     * demo then acts as the OS user again. */
    char *me = xstrdup(store_os_login());
    const char *manager = "ito";
    char tmp[ID_LEN + 1];
    store_set_acting_login(manager);
    store_forget_operator(st);
    int reg = 0;
    if (operator_find(st, manager, tmp, NULL) != 0)
        reg = operator_add(st, manager, "伊藤 由美", "manager", NULL, err);
    if (reg == 0 && operator_find(st, me, tmp, NULL) != 0)
        reg = operator_add(st, me, "デモ 運用者", "operator", NULL, err);
    for (size_t i = 0; reg == 0 && i < ARRAY_LEN(demo_operators); i++)
        if (operator_find(st, demo_operators[i].login, tmp, NULL) != 0)
            reg = operator_add(st, demo_operators[i].login, demo_operators[i].name,
                               demo_operators[i].role, NULL, err);
    store_set_acting_login(me);
    store_forget_operator(st);
    free(me);
    if (reg != 0)
        return -1;
    if (store_require_operator(st, err) != 0)
        return -1;

    int64_t now = time_now_ms();
    char now_iso[TIME_ISO_LEN + 1];
    time_format_iso(now, now_iso);
    if (store_begin(st, err) != 0)
        return -1;
    for (size_t i = 0; i < ARRAY_LEN(demo_hosts); i++)
        if (insert_host(st, (int)i, now_iso, err) != 0)
            goto fail;

    /* This month's shift table: an early and a late operator every day, the
     * OS user on the early shift today so the console has someone on duty. */
    char(*ops)[ID_LEN + 1];
    size_t nops;
    int got = load_ids(st, "SELECT id FROM operators WHERE role = 'operator' ORDER BY login", &ops,
                       &nops, err);
    if (got != 0) {
        if (got == -1)
            set_err(err, _("the store has no operators"));
        goto fail;
    }
    char today[11];
    time_format_jst_date(now, today);
    int y, m, d;
    sscanf(today, "%4d-%2d-%2d", &y, &m, &d);
    int64_t first = time_days_from_civil(y, m, 1);
    for (int day = 0; day < 31; day++) {
        int yy, mm, dd;
        time_civil_from_days(first + day, &yy, &mm, &dd);
        if (mm != m)
            break;
        char ds[11];
        snprintf(ds, sizeof ds, "%04d-%02d-%02d", yy, mm, dd);
        int sunday = ((first + day) % 7 + 11) % 7 == 0; /* 1970-01-01 was a Thursday */
        const char *early = ops[(size_t)day % nops];
        if (dd == d)
            early = st->operator_id;
        const char *late = ops[(size_t)(day + 1) % nops];
        if (late == early || strcmp(late, early) == 0)
            late = ops[(size_t)(day + 2) % nops];
        if (insert_shift(st, ds, "early", early, "07:00", sunday ? "17:30" : "15:30", now_iso,
                         err) != 0 ||
            (!sunday && insert_shift(st, ds, "late", late, "15:30", "24:00", now_iso, err) != 0)) {
            free(ops);
            goto fail;
        }
    }
    free(ops);
    if (store_audit(st, "demo.populate", "store", NULL, "demo hosts and shifts", err) != 0 ||
        store_commit(st, err) != 0)
        goto fail;

    /* A few days of incident history, the last ones still open. */
    struct gen_ctx g;
    if (gen_init(&g, st, err) != 0)
        return -1;
    if (store_begin(st, err) != 0) {
        gen_free(&g);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < 24 && rc == 0; i++) {
        int64_t at = now - (int64_t)(4 * 86400 - i * 4 * 3600) * 1000;
        rc = add_incident(&g, at, now, err) < 0 ? -1 : 0;
    }
    gen_free(&g);
    if (rc == 0) {
        /* Their SLA columns, as the steps would have stored them (issue 17). */
        struct sla *sla = sla_load(NULL, NULL, err);
        rc = sla && incident_sla_fill(st, sla, err) == 0 ? 0 : -1;
        sla_free(sla);
    }
    if (rc == 0)
        rc = demo_checklist_history(st, now, day_kind == DEMO_DAY_SO_FAR, err);
    if (rc != 0 || store_commit(st, err) != 0)
        goto fail;
    if (day_kind == DEMO_DAY_UNTOUCHED)
        return 0;
    /* Today's jobs (each in its own transactions: jobs_install, jobs_ensure_runs). */
    struct calendar *cal = checklist_calendar_open(err);
    if (!cal)
        return -1;
    rc = demo_jobs(st, cal, now, err);
    calendar_free(cal);
    return rc;
fail:
    store_rollback(st);
    return -1;
}
