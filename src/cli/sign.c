#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "signin.h"
#include "store.h"
#include "util.h"

static int pass_fd = -1;

void cli_set_passphrase_fd(int fd)
{
    pass_fd = fd;
}

/* One line from fd, a byte at a time: the next question reads the next line. */
static int read_line(int fd, char *buf, size_t size)
{
    size_t n = 0;
    int any = 0;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        any = 1;
        if (ch == '\n')
            break;
        if (n + 1 >= size) {
            signin_wipe(buf, size);
            return -2;
        }
        buf[n++] = ch;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return any ? 0 : -1;
}

int cli_read_passphrase(const char *prompt, char *buf, size_t size, char **err)
{
    int rc;
    if (pass_fd >= 0) {
        rc = read_line(pass_fd, buf, size);
    } else {
        int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            set_err(err, _("there is no terminal to ask for the passphrase; a script gives it "
                           "on a file descriptor: --passphrase-fd N"));
            return -1;
        }
        struct termios old, t;
        int have = tcgetattr(fd, &old) == 0;
        if (have) {
            t = old;
            t.c_lflag &= ~(tcflag_t)ECHO;
            t.c_lflag |= ECHONL;
            tcsetattr(fd, TCSAFLUSH, &t);
        }
        if (write(fd, prompt, strlen(prompt)) < 0) {
            /* the read below still works */
        }
        rc = read_line(fd, buf, size);
        if (have)
            tcsetattr(fd, TCSAFLUSH, &old);
        close(fd);
    }
    if (rc == -2)
        set_err(err, _("the passphrase is too long (at most %d characters)"), SIGNIN_MAX_LEN);
    else if (rc != 0)
        set_err(err, _("no passphrase was given"));
    return rc == 0 ? 0 : -1;
}

int cli_sign(struct store *st)
{
    if (st->demo)
        return 0;
    char *err = NULL;
    if (store_require_operator(st, &err) != 0) {
        cli_fail(err);
        return -1;
    }
    int state = signin_state(st, st->operator_login, &err);
    if (state < 0) {
        cli_fail(err);
        return -1;
    }
    if (state == SIGNIN_MUST_SET) {
        cli_fail(xasprintf(_("this act is signed with your passphrase, and you (%s) have none "
                             "yet: set one with: unyo operator passwd"),
                           st->operator_login));
        return -1;
    }
    char buf[SIGNIN_MAX_LEN + 2];
    char *prompt = xasprintf(_("Passphrase of %s: "), st->operator_login);
    int rc = cli_read_passphrase(prompt, buf, sizeof buf, &err);
    free(prompt);
    if (rc == 0)
        rc = signin_check(st, st->operator_login, buf, &err);
    signin_wipe(buf, sizeof buf);
    if (rc != 0) {
        cli_fail(err);
        return -1;
    }
    return 0;
}

int cli_confirm(const char *question)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    if (write(fd, question, strlen(question)) < 0) {
        /* the read below still works */
    }
    char buf[16];
    int rc = read_line(fd, buf, sizeof buf);
    close(fd);
    if (rc != 0)
        return 0;
    return streq(buf, "yes") || streq(buf, "y") || streq(buf, "はい");
}
