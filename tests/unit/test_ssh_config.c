#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh_config.h"
#include "util.h"

static char home[256];

static void write_file(const char *rel, const char *text)
{
    char *p = xasprintf("%s/%s", home, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(home, sizeof home, "/tmp/unyo-test-sshcfg-XXXXXX");
    assert_non_null(mkdtemp(home));
    setenv("HOME", home, 1);
    char *d = xasprintf("%s/.ssh", home);
    mkdir(d, 0700);
    free(d);
    d = xasprintf("%s/.ssh/conf.d", home);
    mkdir(d, 0700);
    free(d);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", home);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

static void lookup(const char *alias, struct ssh_host_config *c)
{
    char *err = NULL;
    int rc = ssh_config_lookup(NULL, alias, c, &err);
    if (rc != 0)
        fprintf(stderr, "lookup %s: %s\n", alias, err);
    assert_int_equal(rc, 0);
    assert_null(err);
}

static void test_patterns(void **state)
{
    (void)state;
    assert_true(ssh_pattern_match("*", "anything"));
    assert_true(ssh_pattern_match("web*", "web01"));
    assert_true(ssh_pattern_match("web??", "web01"));
    assert_false(ssh_pattern_match("web??", "web1"));
    assert_true(ssh_pattern_match("*.lib.local", "db1.lib.local"));
    assert_false(ssh_pattern_match("*.lib.local", "db1.lib.localx"));
    assert_true(ssh_pattern_match("WEB*", "web1"));
    assert_true(ssh_pattern_match("a*b*c", "aXXbYYc"));
    assert_false(ssh_pattern_match("a*b*c", "aXXbYY"));
    assert_true(ssh_pattern_match("", ""));
    const char *l1[] = {"*.lib", "!secret.lib"};
    assert_true(ssh_pattern_list_match(l1, 2, "ap1.lib"));
    assert_false(ssh_pattern_list_match(l1, 2, "secret.lib"));
    assert_false(ssh_pattern_list_match(l1, 2, "other"));
    const char *l2[] = {"!bad"};
    assert_false(ssh_pattern_list_match(l2, 1, "good")); /* negation alone never matches */
}

static void test_basic_first_wins(void **state)
{
    (void)state;
    write_file(".ssh/config", "# comment\n"
                              "Host ap1 ap1-alt\n"
                              "    HostName 10.0.0.11\n"
                              "    User opsuser\n"
                              "    Port 2222\n"
                              "    Port 3333\n"
                              "\n"
                              "Host db*\n"
                              "  HostName %h.lib.local\n"
                              "  User dbadmin\n"
                              "Host *\n"
                              "  User fallback\n"
                              "  Port 22\n"
                              "  ConnectTimeout 7\n"
                              "  ServerAliveInterval 30\n");
    struct ssh_host_config c;
    lookup("ap1", &c);
    assert_string_equal(c.hostname, "10.0.0.11");
    assert_string_equal(c.user, "opsuser");
    assert_int_equal(c.port, 2222);
    assert_int_equal(c.connect_timeout, 7);
    assert_int_equal(c.server_alive_interval, 30);
    assert_null(c.proxy_jump);
    assert_int_equal(c.n_identity, 0);
    ssh_host_config_clear(&c);

    lookup("ap1-alt", &c);
    assert_string_equal(c.hostname, "10.0.0.11");
    ssh_host_config_clear(&c);

    lookup("db7", &c);
    assert_string_equal(c.hostname, "db7.lib.local");
    assert_string_equal(c.user, "dbadmin");
    assert_int_equal(c.port, 22);
    ssh_host_config_clear(&c);

    lookup("unknown", &c);
    assert_string_equal(c.hostname, "unknown");
    assert_string_equal(c.user, "fallback");
    ssh_host_config_clear(&c);
}

static void test_negation_and_equals(void **state)
{
    (void)state;
    write_file(".ssh/config", "Host *.lib !bastion.lib\n"
                              "  ProxyJump ops@bastion.lib:2022\n"
                              "Host=bastion.lib\n"
                              "  Port=2022\n"
                              "  User = jumper\n"
                              "  IdentitiesOnly yes\n"
                              "Host quoted\n"
                              "  IdentityFile \"~/.ssh/my key\"\n"
                              "Host *\n"
                              "  ProxyJump none\n");
    struct ssh_host_config c;
    lookup("ap1.lib", &c);
    assert_string_equal(c.proxy_jump, "ops@bastion.lib:2022");
    ssh_host_config_clear(&c);
    lookup("bastion.lib", &c);
    assert_null(c.proxy_jump); /* negated, and "none" later */
    assert_int_equal(c.port, 2022);
    assert_string_equal(c.user, "jumper");
    assert_int_equal(c.identities_only, 1);
    ssh_host_config_clear(&c);
    lookup("quoted", &c);
    assert_int_equal(c.n_identity, 1);
    char *want = xasprintf("%s/.ssh/my key", home);
    assert_string_equal(c.identity_files[0], want);
    free(want);
    ssh_host_config_clear(&c);
}

static void test_identity_files(void **state)
{
    (void)state;
    write_file(".ssh/config", "Host srv\n"
                              "  User alice\n"
                              "  IdentityFile ~/.ssh/id_srv\n"
                              "  IdentityFile %d/keys/%r@%h\n"
                              "Host *\n"
                              "  HostName real-%h\n"
                              "  IdentityFile ~/.ssh/id_ed25519\n"
                              "  IdentityFile ~/.ssh/id_srv\n");
    struct ssh_host_config c;
    lookup("srv", &c);
    assert_int_equal(c.n_identity, 3); /* duplicate removed */
    char *a = xasprintf("%s/.ssh/id_srv", home);
    char *b = xasprintf("%s/keys/alice@real-srv", home);
    char *d = xasprintf("%s/.ssh/id_ed25519", home);
    assert_string_equal(c.identity_files[0], a);
    assert_string_equal(c.identity_files[1], b);
    assert_string_equal(c.identity_files[2], d);
    assert_null(c.identity_files[3]);
    assert_string_equal(c.hostname, "real-srv");
    free(a);
    free(b);
    free(d);
    ssh_host_config_clear(&c);
}

static void test_include(void **state)
{
    (void)state;
    write_file(".ssh/conf.d/10-lib.conf", "Host wsus\n  HostName 10.1.1.5\n  User winops\n");
    write_file(".ssh/conf.d/20-net.conf", "Host sw-*\n  User admin\n  Port 8022\n");
    write_file(".ssh/extra.conf", "Host *\n  ConnectTimeout 3\n");
    write_file(".ssh/config", "Include conf.d/*.conf\n"
                              "Host only-here\n"
                              "  Include extra.conf\n"
                              "Host *\n"
                              "  User default\n"
                              "  ConnectTimeout 9\n");
    struct ssh_host_config c;
    lookup("wsus", &c);
    assert_string_equal(c.hostname, "10.1.1.5");
    assert_string_equal(c.user, "winops");
    /* extra.conf is included inside "Host only-here": never applies to wsus. */
    assert_int_equal(c.connect_timeout, 9);
    ssh_host_config_clear(&c);
    lookup("sw-core1", &c);
    assert_string_equal(c.user, "admin");
    assert_int_equal(c.port, 8022);
    ssh_host_config_clear(&c);
    lookup("only-here", &c);
    assert_int_equal(c.connect_timeout, 3);
    assert_string_equal(c.user, "default");
    ssh_host_config_clear(&c);

    char **names;
    size_t n;
    char *err = NULL;
    assert_int_equal(ssh_config_concrete_hosts(NULL, &names, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "wsus");
    assert_string_equal(names[1], "only-here");
    ssh_config_free_names(names);
}

static void test_include_loop_and_errors(void **state)
{
    (void)state;
    write_file(".ssh/loop.conf", "Include loop.conf\n");
    write_file(".ssh/config", "Include loop.conf\n");
    struct ssh_host_config c;
    char *err = NULL;
    assert_int_equal(ssh_config_lookup(NULL, "x", &c, &err), -1);
    assert_non_null(strstr(err, "loop"));
    free(err);
    err = NULL;

    write_file(".ssh/config", "Host x\n  Port nope\n");
    assert_int_equal(ssh_config_lookup(NULL, "x", &c, &err), -1);
    assert_non_null(strstr(err, "config:2"));
    free(err);
    err = NULL;

    write_file(".ssh/config", "Host x\n  User \"unterminated\n");
    assert_int_equal(ssh_config_lookup(NULL, "x", &c, &err), -1);
    assert_non_null(strstr(err, "quote"));
    free(err);
    err = NULL;

    /* A missing file is no configuration at all. */
    char *missing = xasprintf("%s/nope", home);
    assert_int_equal(ssh_config_lookup(missing, "plain", &c, &err), 0);
    assert_string_equal(c.hostname, "plain");
    assert_int_equal(c.port, 22);
    assert_null(c.user);
    ssh_host_config_clear(&c);
    free(missing);

    /* Match blocks are skipped, options after them do not leak. */
    write_file(".ssh/config", "Match host x\n  User m\nHost x\n  User h\n");
    lookup("x", &c);
    assert_string_equal(c.user, "h");
    ssh_host_config_clear(&c);
}

static void test_jump_parse(void **state)
{
    (void)state;
    struct ssh_jump_hop *h;
    size_t n;
    char *err = NULL;
    assert_int_equal(ssh_jump_parse("bastion", &h, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].host, "bastion");
    assert_null(h[0].user);
    assert_int_equal(h[0].port, 0);
    ssh_jump_free(h, n);

    assert_int_equal(ssh_jump_parse("ops@gw1:2222,gw2, root@[::1]:22,ssh://u@h:7", &h, &n, &err),
                     0);
    assert_int_equal(n, 4);
    assert_string_equal(h[0].user, "ops");
    assert_string_equal(h[0].host, "gw1");
    assert_int_equal(h[0].port, 2222);
    assert_string_equal(h[1].host, "gw2");
    assert_string_equal(h[2].host, "::1");
    assert_string_equal(h[2].user, "root");
    assert_int_equal(h[2].port, 22);
    assert_string_equal(h[3].user, "u");
    assert_int_equal(h[3].port, 7);
    ssh_jump_free(h, n);

    assert_int_equal(ssh_jump_parse("none", &h, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(ssh_jump_parse("gw:99999", &h, &n, &err), -1);
    assert_non_null(err);
    free(err);
    err = NULL;
    assert_int_equal(ssh_jump_parse("@gw", &h, &n, &err), -1);
    free(err);
}

static void test_auth_options(void **state)
{
    (void)state;
    write_file(".ssh/config", "Host nokey\n"
                              "  PubkeyAuthentication no\n"
                              "  PubkeyAuthentication yes\n" /* first wins */
                              "Host nopw\n"
                              "  PasswordAuthentication=no\n"
                              "  KbdInteractiveAuthentication no\n"
                              "Host pref\n"
                              "  PreferredAuthentications password,keyboard-interactive\n"
                              "  ChallengeResponseAuthentication no\n"
                              "Host *\n"
                              "  PubkeyAuthentication unbound\n");
    struct ssh_host_config c;
    lookup("nokey", &c);
    assert_int_equal(c.pubkey_auth, 0);
    assert_int_equal(c.password_auth, 1);
    assert_false(ssh_config_auth_allowed(&c, "publickey"));
    assert_true(ssh_config_auth_allowed(&c, "password"));
    assert_true(ssh_config_auth_allowed(&c, "keyboard-interactive"));
    ssh_host_config_clear(&c);

    lookup("nopw", &c);
    assert_true(ssh_config_auth_allowed(&c, "publickey"));
    assert_false(ssh_config_auth_allowed(&c, "password"));
    assert_false(ssh_config_auth_allowed(&c, "keyboard-interactive"));
    ssh_host_config_clear(&c);

    lookup("pref", &c);
    assert_string_equal(c.preferred_auths, "password,keyboard-interactive");
    assert_false(ssh_config_auth_allowed(&c, "publickey"));
    assert_true(ssh_config_auth_allowed(&c, "password"));
    assert_false(ssh_config_auth_allowed(&c, "keyboard-interactive")); /* disabled */
    assert_false(ssh_config_auth_allowed(&c, "pass"));                 /* whole names only */
    ssh_host_config_clear(&c);

    lookup("other", &c); /* defaults; "unbound" means yes */
    assert_int_equal(c.pubkey_auth, 1);
    assert_int_equal(c.password_auth, 1);
    assert_int_equal(c.kbdint_auth, 1);
    assert_null(c.preferred_auths);
    ssh_host_config_clear(&c);

    write_file(".ssh/config", "Host *\n  PubkeyAuthentication maybe\n");
    char *err = NULL;
    assert_int_equal(ssh_config_lookup(NULL, "x", &c, &err), -1);
    assert_non_null(strstr(err, ":2: bad value for PubkeyAuthentication"));
    free(err);
}

/* A sandboxed parser reads nothing outside its root: an Include of an
 * absolute path, of ../, or through a symbolic link out is skipped. */
static void test_sandbox(void **state)
{
    (void)state;
    char *outside = xasprintf("%s/outside.conf", home);
    write_file("outside.conf", "Host *\n  User leaked\n");
    char *root = xasprintf("%s/.ssh", home);
    char *link = xasprintf("%s/.ssh/link.conf", home);
    assert_int_equal(symlink(outside, link), 0);
    char *cfg = xasprintf("Include %s\nInclude ../outside.conf\nInclude link.conf\n"
                          "Include ~/../outside.conf\nHost *\n  Port 2200\n",
                          outside);
    write_file(".ssh/config", cfg);
    free(cfg);
    ssh_config_set_sandbox(root);
    struct ssh_host_config c;
    char *err = NULL;
    char *path = xasprintf("%s/config", root);
    assert_int_equal(ssh_config_lookup(path, "x", &c, &err), 0);
    assert_null(c.user);
    assert_int_equal(c.port, 2200);
    ssh_host_config_clear(&c);
    ssh_config_set_sandbox(NULL);
    /* Without the sandbox the same file reads outside.conf. */
    assert_int_equal(ssh_config_lookup(path, "x", &c, &err), 0);
    assert_string_equal(c.user, "leaked");
    ssh_host_config_clear(&c);
    unlink(link);
    free(path);
    free(link);
    free(root);
    free(outside);
}

/* Include fan-out is bounded: a file including another many times, nested,
 * stops with an error instead of reading 8^8 files. */
/* An empty Host pattern ("") names no host: never imported as one. */
static void test_empty_host_name(void **state)
{
    (void)state;
    write_file(".ssh/config", "Host r \"\" ''\n  User u\n");
    char **names = NULL;
    size_t n = 0;
    char *err = NULL;
    assert_int_equal(ssh_config_concrete_hosts(NULL, &names, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "r");
    ssh_config_free_names(names);
}

/* A backslash before the newline once put a line break into a host name; a
 * CR or another control character inside a line is refused with FILE:LINE,
 * while CRLF line ends are fine. */
static void test_control_characters(void **state)
{
    (void)state;
    write_file(".ssh/config", "Host a\r\n  User u\r\n");
    struct ssh_host_config c;
    char *err = NULL;
    assert_int_equal(ssh_config_lookup(NULL, "a", &c, &err), 0);
    assert_string_equal(c.user, "u");
    ssh_host_config_clear(&c);

    write_file(".ssh/config", "Host ok\n  User u\nHost g\\\n");
    char **names = NULL;
    size_t n = 0;
    assert_int_equal(ssh_config_concrete_hosts(NULL, &names, &n, &err), 0);
    for (size_t i = 0; i < n; i++)
        assert_null(strpbrk(names[i], "\r\n"));
    ssh_config_free_names(names);

    write_file(".ssh/config", "Host a\n  HostName \"x\ry\"\n");
    assert_int_equal(ssh_config_lookup(NULL, "a", &c, &err), -1);
    assert_non_null(strstr(err, ":2:"));
    free(err);
}

static void test_include_fanout(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++) {
        char *rel = xasprintf(".ssh/f%d", i);
        char *text = i < 7 ? xasprintf("Include f%d f%d f%d f%d f%d f%d f%d f%d\n", i + 1, i + 1,
                                       i + 1, i + 1, i + 1, i + 1, i + 1, i + 1)
                           : xstrdup("Host *\n  Port 2\n");
        write_file(rel, text);
        free(text);
        free(rel);
    }
    write_file(".ssh/config", "Include f0\n");
    struct ssh_host_config c;
    char *err = NULL;
    assert_int_equal(ssh_config_lookup(NULL, "x", &c, &err), -1);
    assert_non_null(strstr(err, "more than"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_basic_first_wins),
        cmocka_unit_test(test_negation_and_equals),
        cmocka_unit_test(test_identity_files),
        cmocka_unit_test(test_include),
        cmocka_unit_test(test_include_loop_and_errors),
        cmocka_unit_test(test_jump_parse),
        cmocka_unit_test(test_auth_options),
        cmocka_unit_test(test_sandbox),
        cmocka_unit_test(test_include_fanout),
        cmocka_unit_test(test_empty_host_name),
        cmocka_unit_test(test_control_characters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
