/* Test driver for the sync tests: random ledger operations on a store, made
 * the way the product makes them (store_begin/commit, store_hlc_next,
 * st->origin), so clocks and origins are right.
 *
 *   sync_driver DB SEED N   N random operations: insert/edit/tombstone
 *                           incidents, hosts (unique names, shared between
 *                           stores so collisions happen), knowledge, links;
 *                           append incident events and host metrics.
 *
 * Built by the integration scripts against the build's libunyocore.a. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "id.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

static unsigned long long rng;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static char *pick(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int(s, 1, (int)rnd(1000000));
        if (sqlite3_step(s) == SQLITE_ROW)
            v = xstrdup(col_text(s, 0));
    }
    sqlite3_finalize(s);
    return v;
}

static void run(struct store *st, const char *sql, const char **text, int ntext)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare %s: %s\n", sql, sqlite3_errmsg(st->db));
        exit(1);
    }
    for (int i = 0; i < ntext; i++)
        bind_text(s, i + 1, text[i]);
    /* ?20 = hlc, ?21 = origin, ?22 = now */
    bind_int(s, 20, store_hlc_next(st));
    bind_text(s, 21, st->origin);
    char now[TIME_ISO_LEN + 1];
    time_format_iso(time_now_ms(), now);
    bind_text(s, 22, now);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && sqlite3_extended_errcode(st->db) != SQLITE_CONSTRAINT_UNIQUE) {
        fprintf(stderr, "step %s: %s\n", sql, sqlite3_errmsg(st->db));
        exit(1);
    }
    sqlite3_finalize(s);
}

static const char *const words[] = {"起動不可",    "printer",   "OPAC",      "遅延",
                                    "network",     "予約",      "tab\there", "line\nbreak",
                                    "back\\slash", "\"quoted\""};

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sync_driver DB SEED N\n");
        return 2;
    }
    struct store *st;
    char *err = NULL;
    if (store_open(argv[1], STORE_OPEN_EXISTING, &st, &err) != 0 ||
        store_require_operator(st, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    rng = strtoull(argv[2], NULL, 10) * 2654435761ULL + 88172645463325252ULL;
    int n = atoi(argv[3]);
    for (int i = 0; i < n; i++) {
        if (store_begin(st, &err) != 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        char id[ID_LEN + 1];
        id_new(id);
        char title[128];
        snprintf(title, sizeof title, "%s %u %s", words[rnd(ARRAY_LEN(words))], rnd(100000),
                 words[rnd(ARRAY_LEN(words))]);
        char num[32];
        snprintf(num, sizeof num, "%u", rnd(100));
        unsigned op = rnd(100);
        if (op < 20) {
            const char *t[] = {id, title, st->operator_id};
            run(st,
                "INSERT INTO incidents(id, ref, channel, title, category, impact, urgency, "
                "priority, status, received_at, created_by, created_at, updated_at, hlc, origin) "
                "VALUES(?1, 'INC-' || substr(?1, 30), 'phone', ?2, 'other', 2, 2, 'P3', 'new', "
                "?22, "
                "?3, ?22, ?22, ?20, ?21)",
                t, 3);
        } else if (op < 35) {
            char *inc = pick(st, "SELECT id FROM incidents ORDER BY id LIMIT 1 OFFSET ?1 % "
                                 "max(1, (SELECT count(*) FROM incidents))");
            if (inc) {
                const char *t[] = {inc, title};
                run(st,
                    "UPDATE incidents SET title = ?2, status = 'in_progress', updated_at = ?22, "
                    "hlc = ?20, origin = ?21 WHERE id = ?1",
                    t, 2);
            }
            free(inc);
        } else if (op < 40) {
            char *inc = pick(st, "SELECT id FROM incidents ORDER BY id LIMIT 1 OFFSET ?1 % "
                                 "max(1, (SELECT count(*) FROM incidents))");
            if (inc) {
                const char *t[] = {inc};
                run(st,
                    "UPDATE incidents SET deleted = 1, updated_at = ?22, hlc = ?20, origin = ?21 "
                    "WHERE id = ?1",
                    t, 1);
            }
            free(inc);
        } else if (op < 60) {
            char *inc = pick(st, "SELECT id FROM incidents ORDER BY id LIMIT 1 OFFSET ?1 % "
                                 "max(1, (SELECT count(*) FROM incidents))");
            if (inc) {
                const char *t[] = {id, inc, title, st->operator_id};
                run(st,
                    "INSERT INTO incident_events(id, incident_id, kind, note, operator_id, at, "
                    "hlc, origin) VALUES(?1, ?2, 'note', ?3, ?4, ?22, ?20, ?21)",
                    t, 4);
            }
            free(inc);
        } else if (op < 70) {
            /* Host names from a small shared set: other stores make the same
             * names, so natural-key collisions happen. */
            char name[32];
            snprintf(name, sizeof name, "srv%02u", rnd(40));
            const char *t[] = {id, name, title};
            run(st,
                "INSERT INTO hosts(id, name, notes, created_at, updated_at, hlc, origin) "
                "VALUES(?1, ?2, ?3, ?22, ?22, ?20, ?21)",
                t, 3);
        } else if (op < 78) {
            char *h = pick(st, "SELECT id FROM hosts ORDER BY id LIMIT 1 OFFSET ?1 % "
                               "max(1, (SELECT count(*) FROM hosts))");
            if (h) {
                const char *t[] = {h, title};
                run(st,
                    "UPDATE hosts SET notes = ?2, updated_at = ?22, hlc = ?20, origin = ?21 "
                    "WHERE id = ?1",
                    t, 2);
            }
            free(h);
        } else if (op < 88) {
            char *h = pick(st, "SELECT id FROM hosts ORDER BY id LIMIT 1 OFFSET ?1 % "
                               "max(1, (SELECT count(*) FROM hosts))");
            if (h) {
                char val[32];
                snprintf(val, sizeof val, "%u.%u", rnd(100), rnd(1000));
                const char *t[] = {id, h, val};
                run(st,
                    "INSERT INTO host_metrics(id, host_id, metric, value, at, hlc, origin) "
                    "VALUES(?1, ?2, 'load', ?3, ?22, ?20, ?21)",
                    t, 3);
            }
            free(h);
        } else if (op < 94) {
            const char *t[] = {id, title, num};
            run(st,
                "INSERT INTO knowledge(id, title, body, keywords, created_at, updated_at, hlc, "
                "origin) VALUES(?1, ?2, ?2 || ' body', ?3, ?22, ?22, ?20, ?21)",
                t, 3);
        } else {
            char *k = pick(st, "SELECT id FROM knowledge ORDER BY id LIMIT 1 OFFSET ?1 % "
                               "max(1, (SELECT count(*) FROM knowledge))");
            if (k) {
                const char *t[] = {k, title};
                run(st,
                    "UPDATE knowledge SET body = ?2, deleted = (length(?2) % 5 = 0), "
                    "updated_at = ?22, hlc = ?20, origin = ?21 WHERE id = ?1",
                    t, 2);
            }
            free(k);
        }
        if (store_commit(st, &err) != 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
    }
    store_close(st);
    return 0;
}
