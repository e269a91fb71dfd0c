#include "check_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include "check_sched.h"
#include "i18n.h"
#include "ssh_conn.h"
#include "util.h"

struct kept {
    char *key;
    struct ssh_conn *c;
    int64_t last_used;
};

struct check_pool {
    pthread_mutex_t lock;
    int64_t idle_ms;
    size_t max;
    struct kept *items;
    size_t n, cap;
};

int64_t check_pool_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct check_pool *check_pool_new(int64_t idle_ms)
{
    struct check_pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->idle_ms = idle_ms > 0 ? idle_ms : 1;
    struct rlimit rl;
    rlim_t files = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
    if (files == RLIM_INFINITY || files > 8192)
        files = 8192;
    /* a connection through a jump host holds two sockets */
    p->max = files > 256 ? (size_t)(files / 2 - 64) / 2 : 32;
    return p;
}

/* Closes a kept connection without a goodbye: it may have died while it waited,
 * and a quitting console closes them all at once. */
static void drop_at(struct check_pool *p, size_t i)
{
    ssh_conn_drop(p->items[i].c);
    free(p->items[i].key);
    p->items[i] = p->items[--p->n];
}

void check_pool_free(struct check_pool *p)
{
    if (!p)
        return;
    while (p->n)
        drop_at(p, p->n - 1);
    free(p->items);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

struct ssh_conn *check_pool_take(struct check_pool *p, const char *key)
{
    if (!p || !key)
        return NULL;
    struct ssh_conn *c = NULL;
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->items[i].key, key) != 0)
            continue;
        c = p->items[i].c;
        p->items[i].c = NULL;
        free(p->items[i].key);
        p->items[i] = p->items[--p->n];
        break;
    }
    pthread_mutex_unlock(&p->lock);
    /* A connection the server closed while it waited shows here when libssh2
     * has read the close; the others are found out by their first command. */
    if (c && ssh_conn_state(c) != SSH_READY) {
        ssh_conn_drop(c);
        c = NULL;
    }
    return c;
}

void check_pool_put(struct check_pool *p, const char *key, struct ssh_conn *c)
{
    if (!c)
        return;
    if (!p || !key || ssh_conn_state(c) != SSH_READY) {
        ssh_conn_free(c);
        return;
    }
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].key, key) == 0) { /* one per key: keep the newer */
            drop_at(p, i);
            break;
        }
    if (p->n >= p->max) { /* full: the least recently used goes */
        size_t oldest = 0;
        for (size_t i = 1; i < p->n; i++)
            if (p->items[i].last_used < p->items[oldest].last_used)
                oldest = i;
        drop_at(p, oldest);
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->items = xrealloc(p->items, p->cap * sizeof *p->items);
    }
    p->items[p->n++] = (struct kept){xstrdup(key), c, check_pool_now_ms()};
    pthread_mutex_unlock(&p->lock);
}

void check_pool_expire(struct check_pool *p, int64_t now_ms)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    for (size_t i = p->n; i-- > 0;)
        if (now_ms - p->items[i].last_used >= p->idle_ms)
            drop_at(p, i);
    pthread_mutex_unlock(&p->lock);
}

size_t check_pool_size(struct check_pool *p)
{
    if (!p)
        return 0;
    pthread_mutex_lock(&p->lock);
    size_t n = p->n;
    pthread_mutex_unlock(&p->lock);
    return n;
}

int check_pool_keep_setting(const char *value, int64_t *keep_ms, char **err)
{
    *keep_ms = CHECK_POOL_DEFAULT_KEEP_MS;
    if (!value)
        return 0;
    if (strcasecmp(value, "off") == 0 || strcmp(value, "0") == 0) {
        *keep_ms = 0;
        return 0;
    }
    int64_t s;
    if (check_interval_parse(value, &s) != 0) {
        set_err(err, _("[checks] keep_connections is a time such as 15m or 1h, or off (\"%s\")"),
                value);
        return -1;
    }
    *keep_ms = s * 1000;
    return 0;
}
