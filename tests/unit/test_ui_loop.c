/* The poll loop's contract for other modules (SSH, sync): timers and fds may
 * be removed and added from inside callbacks, also re-using the slot of the
 * timer that is running; background work reports back on the loop. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <unistd.h>

#include "ui.h"
#include "ui_loop.h"

static int input_calls;
static void on_input(void)
{
    input_calls++;
}
static void on_signal(int sig)
{
    (void)sig;
}

static int handle = -1, rearmed, fired_new;

static int fires_new(void *data)
{
    (void)data;
    fired_new++;
    return 0;
}

/* Removes itself and adds a fresh timer (which takes the same slot), then
 * returns 0: the new timer must survive. */
static int rearm(void *data)
{
    (void)data;
    rearmed++;
    ui_loop_remove_timer(handle);
    handle = ui_loop_add_timer(1, fires_new, NULL);
    return 0;
}

static int repeats;
static int repeat3(void *data)
{
    (void)data;
    return ++repeats < 3;
}

static void test_timers(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(ui_loop_init(), 0);
    handle = ui_loop_add_timer(1, rearm, NULL);
    ui_loop_add_timer(1, repeat3, NULL);
    for (int i = 0; i < 50 && (fired_new == 0 || repeats < 3); i++)
        ui_loop_wait(p[0], on_input, on_signal);
    assert_int_equal(rearmed, 1);
    assert_int_equal(fired_new, 1);
    assert_int_equal(repeats, 3);
    ui_loop_done();
    close(p[0]);
    close(p[1]);
}

static int fd_calls, other_calls, watch = -1, other_pipe[2];
static void other_cb(int fd, short revents, void *data)
{
    (void)fd, (void)revents, (void)data;
    other_calls++;
}
static void fd_cb(int fd, short revents, void *data)
{
    (void)revents, (void)data;
    char b;
    if (read(fd, &b, 1) < 0)
        return;
    fd_calls++;
    /* replace this watch by another (same slot) */
    ui_loop_remove_fd(watch);
    watch = ui_loop_add_fd(other_pipe[0], POLLIN, other_cb, NULL);
}

static void test_fds(void **state)
{
    (void)state;
    int in[2], p[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(pipe(other_pipe), 0);
    assert_int_equal(ui_loop_init(), 0);
    watch = ui_loop_add_fd(p[0], POLLIN, fd_cb, NULL);
    assert_int_equal(write(p[1], "x", 1), 1);
    ui_loop_wait(in[0], on_input, on_signal);
    assert_int_equal(fd_calls, 1);
    assert_int_equal(other_calls, 0); /* not polled in that pass */
    assert_int_equal(write(other_pipe[1], "y", 1), 1);
    ui_loop_wait(in[0], on_input, on_signal);
    assert_int_equal(other_calls, 1);
    assert_int_equal(fd_calls, 1);
    assert_int_equal(write(in[1], "k", 1), 1);
    ui_loop_remove_fd(watch);
    ui_loop_wait(in[0], on_input, on_signal);
    assert_int_equal(input_calls, 1);
    ui_loop_done();
}

static int worked, done_on_loop;
static void work(void *arg)
{
    (void)arg;
    worked = 1;
}
static void done(void *arg)
{
    (void)arg;
    done_on_loop = worked;
}

static void test_background(void **state)
{
    (void)state;
    int in[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(ui_loop_init(), 0);
    ui_loop_add_timer(1000, repeat3, NULL); /* bounds each wait */
    assert_int_equal(ui_bg_run(work, done, NULL), 0);
    for (int i = 0; i < 100 && !done_on_loop; i++)
        ui_loop_wait(in[0], on_input, on_signal);
    assert_int_equal(done_on_loop, 1);
    ui_loop_done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers),
        cmocka_unit_test(test_fds),
        cmocka_unit_test(test_background),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
