/* Hosts imported from an ssh_config file other than ~/.ssh/config remember
 * that file, and connecting reads it (as ssh -F): HostName, Port, User come
 * from it, a missing file is an error naming it; imports of ~/.ssh/config
 * itself record nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hosts.h"
#include "support/ledger_fixture.h"
#include "ssh_conn.h"
#include "store.h"
#include "util.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    int rc = fx_setup(state);
    struct ledger_fx *f = *state;
    char *ssh = xasprintf("%s/.ssh", f->dir);
    assert_int_equal(mkdir(ssh, 0700), 0);
    free(ssh);
    setenv("HOME", f->dir, 1);
    return rc;
}

static void import_from_file_remembers_it(void **state)
{
    struct ledger_fx *f = *state;
    char *dir = xasprintf("%s/elsewhere", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    char *cfg = xasprintf("%s/team.cfg", dir);
    write_file(cfg, "Host a1.invalid\n  HostName 192.0.2.7\n  Port 2222\n"
                    "Host *\n  User ops\n");
    /* Given by a roundabout path: the full, resolved one is kept. */
    char *given = xasprintf("%s/../elsewhere/team.cfg", dir);
    char *real = realpath(cfg, NULL);
    int added = 0, skipped = 0;
    char *err = NULL;
    assert_int_equal(hosts_import_ssh_config(f->st, given, &added, &skipped, &err), 0);
    assert_int_equal(added, 1);
    struct host h;
    assert_int_equal(host_get(f->st, "a1.invalid", &h, &err), 0);
    assert_non_null(h.ssh_config);
    assert_string_equal(h.ssh_config, real);
    assert_string_equal(h.address, "192.0.2.7");

    /* Connecting reads that file, not ~/.ssh/config (empty here). */
    struct ssh_conn_opts o = {0};
    const char *target = host_ssh_target(&h, &o);
    assert_string_equal(target, "a1.invalid");
    assert_string_equal(o.config_path, real);
    assert_int_equal(o.config_required, 1);
    struct ssh_conn *c = ssh_conn_new(target, &o, &err);
    assert_non_null(c);
    assert_string_equal(ssh_conn_label(c), "ops@a1.invalid (192.0.2.7:2222)");
    ssh_conn_free(c);

    /* The file gone: an error naming it, never the alias as a host name. */
    assert_int_equal(unlink(cfg), 0);
    assert_null(ssh_conn_new(target, &o, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, real));
    free(err);
    err = NULL;
    host_clear(&h);

    /* A missing --file is refused, named. */
    fx_expect_fail(hosts_import_ssh_config(f->st, given, &added, &skipped, &err), &err, "team.cfg");
    free(given);
    free(real);
    free(cfg);
    free(dir);
}

static void import_of_default_records_nothing(void **state)
{
    struct ledger_fx *f = *state;
    char *def = xasprintf("%s/.ssh/config", f->dir);
    write_file(def, "Host d1\n  HostName 192.0.2.8\n");
    int added = 0, skipped = 0;
    char *err = NULL;
    assert_int_equal(hosts_import_ssh_config(f->st, NULL, &added, &skipped, &err), 0);
    assert_int_equal(added, 1);
    write_file(def, "Host d1\n  HostName 192.0.2.8\nHost d2\n  HostName 192.0.2.9\n");
    /* --file naming ~/.ssh/config itself: the same as the default. */
    assert_int_equal(hosts_import_ssh_config(f->st, def, &added, &skipped, &err), 0);
    assert_int_equal(added, 1);
    assert_int_equal(skipped, 1);
    const char *names[] = {"d1", "d2"};
    for (size_t i = 0; i < 2; i++) {
        struct host h;
        assert_int_equal(host_get(f->st, names[i], &h, &err), 0);
        assert_null(h.ssh_config);
        struct ssh_conn_opts o = {0};
        host_ssh_target(&h, &o);
        assert_null(o.config_path);
        assert_int_equal(o.config_required, 0);
        host_clear(&h);
    }
    free(def);
}

static void ssh_config_field(void **state)
{
    struct ledger_fx *f = *state;
    char *err = NULL;
    struct host_fields hf = {0};
    hf.ssh_port = -1;
    hf.name = "r1";
    hf.ssh_config = "relative/team.cfg";
    fx_expect_fail(host_add(f->st, &hf, NULL, &err), &err, "full path");
    hf.ssh_config = "/etc/unyo/team.cfg";
    assert_int_equal(host_add(f->st, &hf, NULL, &err), 0);
    struct host h;
    assert_int_equal(host_get(f->st, "r1", &h, &err), 0);
    assert_string_equal(h.ssh_config, "/etc/unyo/team.cfg");
    host_clear(&h);
    struct host_fields clear = {0};
    clear.ssh_port = -1;
    clear.ssh_config = "";
    assert_int_equal(host_edit(f->st, "r1", &clear, &err), 0);
    assert_int_equal(host_get(f->st, "r1", &h, &err), 0);
    assert_null(h.ssh_config);
    host_clear(&h);
    assert_int_equal(fx_count(f->st, "SELECT count(*) FROM audit WHERE action = 'host.add' AND "
                                     "detail LIKE '%ssh_config=/etc/unyo/team.cfg%'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(import_from_file_remembers_it, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(import_of_default_records_nothing, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ssh_config_field, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
