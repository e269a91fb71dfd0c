#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "demo.h"
#include "i18n.h"
#include "install_dirs.h"
#include "seed_data.h"
#include "store.h"
#include "templates.h"
#include "util.h"

static void show_progress(long long done, long long total)
{
    fputc('\r', stderr);
    fprintf(stderr, _("%lld / %lld incidents"), done, total);
    fflush(stderr);
}

static int demo_cmd(struct cli_ctx *ctx, const struct cli_args *a)
{
    long long generate = cli_int(a, "generate", -1);
    int force = cli_has(a, "force") > 0;
    enum demo_day day = cli_has(a, "no-today") > 0 ? DEMO_DAY_UNTOUCHED : DEMO_DAY_SO_FAR;
    char *err = NULL;
    struct store *st = NULL;
    if (generate >= 0) {
        if (cli_open_store(ctx, &st, 0) != 0)
            return EXIT_FAIL;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long long rows = 0;
        double index_secs = 0;
        int rc =
            demo_generate(st, generate, &rows, &index_secs, isatty(2) ? show_progress : NULL, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        store_close(st);
        if (rc != 0)
            return cli_fail(err);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        secs -= index_secs;
        fputc('\r', stderr);
        fprintf(stderr, _("Generated %lld incidents (%lld rows) in %.2f s: %.0f rows/s\n"),
                generate, rows, secs, secs > 0 ? (double)rows / secs : 0.0);
        fprintf(stderr, _("Rebuilt the full-text index and title table in %.2f s\n"), index_secs);
        return EXIT_OK;
    }
    if (force) {
        char *wal = xasprintf("%s-wal", ctx->db_path), *shm = xasprintf("%s-shm", ctx->db_path);
        unlink(ctx->db_path), unlink(wal), unlink(shm);
        free(wal), free(shm);
    }
    struct template_set set = {0};
    if (templates_load_builtin(install_datadir(), "all", &set, &err) != 0)
        return cli_fail(err);
    if (store_open(ctx->db_path, STORE_CREATE_NEW, &st, &err) != 0) {
        templates_free(&set);
        return cli_fail(err);
    }
    char *libs = xasprintf("%s/libraries.ini", install_datadir());
    /* Marked before the first operator is added: a demo store lets UNYO_USER act as
     * the demo's people (store.h). */
    int rc = store_mark_demo(st, "demo", &err);
    if (rc == 0)
        rc = seed_install_templates(st, &set, &err);
    if (rc == 0)
        rc = seed_install_libraries(st, libs, &err);
    if (rc == 0)
        rc = store_meta_set(st, "template_set", "all", &err);
    if (rc == 0)
        rc = demo_populate(st, day, &err);
    free(libs);
    templates_free(&set);
    store_close(st);
    if (rc != 0)
        return cli_fail(err);
    printf(_("Created the demo store %s\n"), ctx->db_path);
    return EXIT_OK;
}

static const struct cli_opt demo_opts[] = {
    OPT_INT("generate", 'g', N_("N"), 0, 100000000,
            N_("add N synthetic incidents with their events (for benchmarks)")),
    OPT_FLAG("force", 'f', N_("replace the store if it exists")),
    OPT_FLAG("no-today", 'T',
             N_("leave today untouched: no jobs, no checklist round today (for tests)")),
    OPT_END};
const struct cli_family demo_family = {
    "demo",
    (const struct cli_verb[]){
        {NULL, NULL, demo_opts, demo_cmd,
         N_("Creates a store with sample libraries, hosts, operators, a few days of\n"
            "history and today so far (jobs run, the checklist round); the demo's hosts\n"
            "run their checks and jobs on this machine. With --generate N, adds N\n"
            "synthetic incidents to a store."),
         0},
        {0}},
    NULL};
