/* The one poll() loop: stdin, a self-pipe for signals, fds other modules add
 * (SSH sockets, the PostgreSQL socket) and timers. Callbacks change state and
 * call ui_dirty(); console.c redraws once per pass. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui.h"
#include "ui_loop.h"
#include "util.h"

/* Slots are reused; seq tells a slot's new occupant from the one a callback
 * removed (a callback may remove its own timer or fd and add another, which
 * can land in the same slot). */
struct watch {
    int fd;
    short events;
    ui_fd_cb cb;
    void *data;
    int live;
    unsigned seq;
};
struct timer {
    int64_t due, period;
    ui_timer_cb cb;
    void *data;
    int live;
    unsigned seq;
};
static unsigned next_seq;

static struct watch *watches;
static int nwatches;
static struct timer *timers;
static int ntimers;
static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t quit_flag;
static unsigned dirty_flags;

int64_t ui_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ui_dirty(unsigned flags)
{
    dirty_flags |= flags;
}

unsigned ui_loop_take_dirty(void)
{
    unsigned f = dirty_flags;
    dirty_flags = 0;
    return f;
}

unsigned ui_loop_pending(void)
{
    return dirty_flags;
}

void ui_loop_quit(void)
{
    quit_flag = 1;
}

int ui_loop_quitting(void)
{
    return quit_flag;
}

int ui_loop_add_fd(int fd, short events, ui_fd_cb cb, void *data)
{
    struct watch w = {fd, events, cb, data, 1, ++next_seq};
    for (int i = 0; i < nwatches; i++)
        if (!watches[i].live) {
            watches[i] = w;
            return i;
        }
    watches = xrealloc(watches, (size_t)(nwatches + 1) * sizeof *watches);
    watches[nwatches] = w;
    return nwatches++;
}

void ui_loop_set_fd_events(int h, short events)
{
    if (h >= 0 && h < nwatches)
        watches[h].events = events;
}

void ui_loop_remove_fd(int h)
{
    if (h >= 0 && h < nwatches)
        watches[h].live = 0;
}

int ui_loop_add_timer(int ms, ui_timer_cb cb, void *data)
{
    struct timer t = {ui_monotonic_ms() + ms, ms > 0 ? ms : 1, cb, data, 1, ++next_seq};
    for (int i = 0; i < ntimers; i++)
        if (!timers[i].live) {
            timers[i] = t;
            return i;
        }
    timers = xrealloc(timers, (size_t)(ntimers + 1) * sizeof *timers);
    timers[ntimers] = t;
    return ntimers++;
}

void ui_loop_remove_timer(int h)
{
    if (h >= 0 && h < ntimers)
        timers[h].live = 0;
}

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (write(sig_pipe[1], &b, 1) < 0) {
        /* pipe full: a wake-up is already pending */
    }
    errno = saved;
}

int ui_loop_init(void)
{
    if (pipe(sig_pipe) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    return 0;
}

void ui_loop_done(void)
{
    signal(SIGWINCH, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    for (int i = 0; i < 2; i++)
        if (sig_pipe[i] >= 0)
            close(sig_pipe[i]);
    sig_pipe[0] = sig_pipe[1] = -1;
    free(watches);
    free(timers);
    watches = NULL;
    timers = NULL;
    nwatches = ntimers = 0;
}

int ui_loop_wait(int input_fd, void (*on_input)(void), void (*on_signal_cb)(int sig))
{
    int64_t now = ui_monotonic_ms();
    int timeout = -1;
    for (int i = 0; i < ntimers; i++)
        if (timers[i].live) {
            int64_t d = timers[i].due - now;
            if (d < 0)
                d = 0;
            if (timeout < 0 || d < timeout)
                timeout = (int)d;
        }
    int nw = nwatches; /* callbacks may add watches: only these were polled */
    int n = 2 + nw;
    struct pollfd *pfd = xcalloc((size_t)n, sizeof *pfd);
    unsigned *seqs = xcalloc((size_t)nw + 1, sizeof *seqs);
    for (int i = 0; i < nw; i++)
        seqs[i] = watches[i].seq;
    pfd[0] = (struct pollfd){input_fd, POLLIN, 0};
    pfd[1] = (struct pollfd){sig_pipe[0], POLLIN, 0};
    for (int i = 0; i < nw; i++)
        pfd[2 + i] = (struct pollfd){watches[i].live ? watches[i].fd : -1, watches[i].events, 0};
    int rc = poll(pfd, (nfds_t)n, timeout);
    if (rc < 0 && errno != EINTR) {
        free(pfd);
        free(seqs);
        return -1;
    }
    if (rc > 0 && (pfd[1].revents & POLLIN)) {
        unsigned char b;
        while (read(sig_pipe[0], &b, 1) == 1)
            on_signal_cb(b);
    }
    if (rc > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
        on_input();
    for (int i = 0; rc > 0 && i < nw; i++)
        if (watches[i].live && watches[i].seq == seqs[i] && pfd[2 + i].revents)
            watches[i].cb(watches[i].fd, pfd[2 + i].revents, watches[i].data);
    free(pfd);
    free(seqs);
    now = ui_monotonic_ms();
    int nt = ntimers; /* timers added by callbacks wait for the next pass */
    for (int i = 0; i < nt; i++)
        if (timers[i].live && timers[i].due <= now) {
            unsigned seq = timers[i].seq;
            int again = timers[i].cb(timers[i].data);
            /* the callback may have removed this timer, and its slot may hold a new one */
            if (!timers[i].live || timers[i].seq != seq)
                continue;
            if (again)
                timers[i].due = now + timers[i].period;
            else
                timers[i].live = 0;
        }
    return 0;
}

/* ---- background work ---- */
struct bg_job {
    void (*work)(void *arg);
    void (*done)(void *arg);
    void *arg;
    int pipe[2];
    int handle;
    pthread_t tid;
    struct bg_job *next; /* running jobs, for ui_bg_drain */
};
static struct bg_job *bg_running;
static atomic_int bg_quit; /* set by ui_bg_drain: long work stops early */

int ui_bg_quitting(void)
{
    return atomic_load_explicit(&bg_quit, memory_order_relaxed);
}

static void *bg_thread(void *p)
{
    struct bg_job *j = p;
    j->work(j->arg);
    unsigned char b = 1;
    if (write(j->pipe[1], &b, 1) < 0) {
        /* the loop notices the closed pipe instead */
    }
    return NULL;
}

static void bg_finished(int fd, short revents, void *data)
{
    (void)fd, (void)revents;
    struct bg_job *j = data;
    for (struct bg_job **pp = &bg_running; *pp; pp = &(*pp)->next)
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    pthread_join(j->tid, NULL);
    ui_loop_remove_fd(j->handle);
    close(j->pipe[0]);
    close(j->pipe[1]);
    if (j->done)
        j->done(j->arg);
    free(j);
}

int ui_bg_run(void (*work)(void *arg), void (*done)(void *arg), void *arg)
{
    if (ui_headless) { /* scripts and benchmarks: deterministic, in order */
        work(arg);
        if (done)
            done(arg);
        return 0;
    }
    struct bg_job *j = xcalloc(1, sizeof *j);
    j->work = work;
    j->done = done;
    j->arg = arg;
    if (pipe(j->pipe) != 0) {
        free(j);
        return -1;
    }
    fcntl(j->pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(j->pipe[1], F_SETFD, FD_CLOEXEC);
    j->handle = ui_loop_add_fd(j->pipe[0], POLLIN, bg_finished, j);
    if (pthread_create(&j->tid, NULL, bg_thread, j) != 0) {
        ui_loop_remove_fd(j->handle);
        close(j->pipe[0]);
        close(j->pipe[1]);
        free(j);
        return -1;
    }
    j->next = bg_running;
    bg_running = j;
    return 0;
}

void ui_bg_drain(void)
{
    atomic_store(&bg_quit, 1);
    while (bg_running)
        bg_finished(-1, 0, bg_running);
    atomic_store(&bg_quit, 0);
}
