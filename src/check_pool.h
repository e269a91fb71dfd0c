/* Connections kept between check rounds (issue 15), as OpenSSH's ControlMaster
 * with ControlPersist keeps one: a round that finds a host's connection from an
 * earlier round runs its checks on it (one exec channel, no new TCP connection,
 * key exchange or authentication); a connection unused for the idle time is
 * closed. The console's background rounds (src/ui/ui_check_rounds.c) and
 * `unyo check watch` own one pool each; a single `check run` has nothing to
 * keep a connection for.
 *
 * A kept connection may have died while it waited (the server's idle limit, a
 * restart, a firewall forgetting it): checks_run notices when its command
 * cannot start and connects again once, so a dead kept connection never makes
 * a result NG. A pool is used by one round at a time (the lock is for a
 * console whose rounds run on a worker thread while it quits). */
#ifndef UNYO_CHECK_POOL_H
#define UNYO_CHECK_POOL_H

#include <stddef.h>
#include <stdint.h>

struct ssh_conn;
struct check_pool;

/* The default idle time: a check every 5 or 10 minutes finds its connection. */
#define CHECK_POOL_DEFAULT_KEEP_MS (15 * 60 * 1000)

/* idle_ms: how long an unused connection is kept (> 0). At most half the open
 * files this process may have are kept (the store, the sessions and new
 * connections need the rest); over that, the least recently used is closed. */
struct check_pool *check_pool_new(int64_t idle_ms);
/* `[checks] keep_connections` in config.ini: a duration ("15m", "1h"), or "off"
 * or "0" (never keep). NULL (not set) is the default. Sets *keep_ms (0 = off);
 * 0, or -1 with *err (malloc'd, translated) naming the bad value. */
int check_pool_keep_setting(const char *value, int64_t *keep_ms, char **err);
/* Closes every kept connection. NULL is fine. */
void check_pool_free(struct check_pool *p);
/* The kept connection for key (the host's id and its SSH target), ready for a
 * command, or NULL. The caller owns it (give it back with check_pool_put). */
struct ssh_conn *check_pool_take(struct check_pool *p, const char *key);
/* Keeps c (ready for a command) under key; a connection in any other state is
 * closed instead. Takes ownership. */
void check_pool_put(struct check_pool *p, const char *key, struct ssh_conn *c);
/* Closes the connections unused since before now_ms - idle_ms. */
void check_pool_expire(struct check_pool *p, int64_t now_ms);
/* How many connections are kept now. */
size_t check_pool_size(struct check_pool *p);
/* Milliseconds of a monotonic clock (the pool's idle times use it). */
int64_t check_pool_now_ms(void);

#endif
