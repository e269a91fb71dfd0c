/* Every INI loader over any bytes. The first byte picks the kind of file
 * (calendar, checks, jobs, change template, templates, keys, sla, shifts,
 * config.ini, libraries); the rest is written to a file in a scratch
 * directory and loaded, then freed. Properties: the load succeeds, or fails
 * with a message that names the file, and every "FILE:LINE:" in it points at a
 * line the file has; a failed load leaves nothing behind (leak detection is
 * on); nothing crashes; a loaded check's interval is 0 (on demand) or 1 s to
 * 366 days, and hours = service comes with an interval.
 *
 * "@FILE@" in the input is written as the scratch file's own path, so a seed can
 * name the file (a job code, a key, a value that the error message quotes). The
 * path is random per process (mkdtemp), and libFuzzer learns it anyway from the
 * strstr() below: an input holding "PATH:999:" in a quoted value made the old
 * check abort in one worker only and never reproduce when run alone. A
 * "PATH:N" the file itself contains may be quoted text, so it is not a
 * location to check (corpus/loaders/jobs-quotes-own-path). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "changes.h"
#include "checks.h"
#include "config.h"
#include "jobs.h"
#include "screens.h"
#include "seed_data.h"
#include "shifts.h"
#include "sla.h"
#include "store.h"
#include "templates.h"
#include "ui_keymap.h"
#include "util.h"

enum kind {
    CALENDAR,
    CHECKS,
    JOBS,
    CHANGES,
    TEMPLATES,
    KEYS,
    SLA,
    SHIFTS,
    CONFIG,
    LIBRARIES,
    KINDS
};

static char dir[] = "/tmp/unyo-fuzz-loaders-XXXXXX";
static char *path;
static struct store *store; /* for libraries, opened once */

static void cleanup(void)
{
    store_close(store);
    static const char *const files[] = {"fuzz.ini", "unyo.db", "unyo.db-wal", "unyo.db-shm",
                                        "unyo.db-journal"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *p = xasprintf("%s/%s", dir, files[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
    free(path);
}

static void setup(void)
{
    if (path)
        return;
    if (!mkdtemp(dir))
        abort();
    path = xasprintf("%s/fuzz.ini", dir);
    char *db = xasprintf("%s/unyo.db", dir);
    char *err = NULL;
    if (store_open(db, STORE_CREATE_NEW, &store, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    free(db);
    /* A scratch store: no fsync per load. */
    if (store_exec(store, "PRAGMA synchronous = OFF", &err) != 0)
        abort();
    size_t npanes;
    const struct pane_ops *const *panes = screens_panes(&npanes);
    ui_set_panes(panes, npanes); /* as src/main.c does: the panes' actions are known */
    keymap_init();
    atexit(cleanup);
}

/* The message names the file; each "PATH:N:" has 1 <= N <= lines, unless the
 * file (text, len) holds that "PATH:N" itself: the message may be quoting it. */
static void check_error(const char *err, size_t lines, const char *text, size_t len)
{
    if (!err || !strstr(err, path))
        abort();
    size_t plen = strlen(path);
    for (const char *p = strstr(err, path); p; p = strstr(p + 1, path)) {
        const char *q = p + plen;
        if (*q != ':' || q[1] < '0' || q[1] > '9')
            continue;
        char *end;
        long n = strtol(q + 1, &end, 10);
        if (memmem(text, len, p, (size_t)(end - p)))
            continue; /* quoted from the file */
        if (n < 1 || (size_t)n > lines)
            abort();
    }
}

/* data with every "@FILE@" replaced by path; *len its length. */
static char *expand(const uint8_t *data, size_t size, size_t *len)
{
    static const char mark[] = "@FILE@";
    const size_t mlen = sizeof mark - 1, plen = strlen(path);
    struct strbuf sb = STRBUF_INIT;
    size_t i = 0;
    while (i < size) {
        const uint8_t *hit = memmem(data + i, size - i, mark, mlen);
        size_t upto = hit ? (size_t)(hit - data) : size;
        sb_add(&sb, (const char *)data + i, upto - i);
        if (!hit)
            break;
        sb_add(&sb, path, plen);
        i = upto + mlen;
    }
    *len = sb.len;
    sb_grow(&sb, 1); /* never NULL, even for an empty file */
    return sb_detach(&sb);
}

static int load(enum kind k, char **err)
{
    switch (k) {
    case CALENDAR: {
        struct calendar *cal = calendar_load(path, err);
        calendar_free(cal);
        return cal ? 0 : -1;
    }
    case CHECKS: {
        struct check_set set = {NULL, 0};
        int rc = checks_load_file(path, &set, err);
        if (rc != 0 && set.count)
            abort();                                      /* nothing half-loaded */
        for (size_t i = 0; rc == 0 && i < set.count; i++) /* schedule: check_sched.h */
            if (set.defs[i].interval_s < 0 || set.defs[i].interval_s > 366LL * 86400 ||
                (set.defs[i].service_hours && !set.defs[i].interval_s))
                abort();
        checks_free(&set);
        return rc;
    }
    case JOBS: {
        struct job_defs defs = {NULL, 0};
        int rc = jobs_parse_file(path, &defs, err);
        jobs_defs_free(&defs);
        return rc;
    }
    case CHANGES: {
        struct change_template t;
        int rc = change_template_load(path, NULL, "2026-11", &t, err);
        if (rc == 0)
            change_template_free(&t);
        return rc;
    }
    case TEMPLATES: {
        struct template_set set = {NULL, 0};
        int rc = templates_load_file(path, &set, err);
        if (rc != 0 && set.count)
            abort();
        templates_free(&set);
        return rc;
    }
    case KEYS:
        return keymap_load_file(path, err);
    case SLA: {
        struct sla_config cfg;
        return sla_config_load(path, &cfg, err);
    }
    case SHIFTS: {
        struct shift_defs d;
        int rc = shift_defs_load(path, &d, err);
        if (rc == 0)
            shift_defs_free(&d);
        return rc;
    }
    case CONFIG: {
        struct config *cfg = config_load(path, err);
        config_free(cfg);
        return cfg ? 0 : -1;
    }
    case LIBRARIES:
        return seed_install_libraries(store, path, err);
    case KINDS:
        break;
    }
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    enum kind k = (enum kind)(data[0] % KINDS);
    size_t len;
    char *text = expand(data + 1, size - 1, &len);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
        abort();
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';

    char *err = NULL;
    int rc = load(k, &err);
    if (rc == 0) {
        if (err)
            abort();
    } else {
        if (rc != -1)
            abort();
        check_error(err, lines, text, len);
    }
    free(err);
    free(text);
    if (k == KEYS)
        keymap_init(); /* back to the defaults for the next input */
    return 0;
}
