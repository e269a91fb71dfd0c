#include "ssh_prompt.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "i18n.h"

static int trust_new_flag;

/* Reads one line into buf; from the terminal with echo off when echo is 0. */
static int read_answer(const char *prompt, int echo, char *buf, size_t size)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    int from_tty = fd >= 0 && isatty(STDIN_FILENO);
    if (!from_tty) {
        if (fd >= 0)
            close(fd);
        /* Not interactive: one line of stdin. */
        fprintf(stderr, "%s", prompt);
        if (!fgets(buf, (int)size, stdin))
            return -1;
        fputc('\n', stderr);
        buf[strcspn(buf, "\r\n")] = '\0';
        return 0;
    }
    struct termios old, t;
    int have = tcgetattr(fd, &old) == 0;
    if (have && !echo) {
        t = old;
        t.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &t);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* nothing to do: the read below still works */
    }
    size_t n = 0;
    int ok = 0;
    char ch;
    while (n + 1 < size) {
        ssize_t r = read(fd, &ch, 1);
        if (r <= 0)
            break;
        if (ch == '\n' || ch == '\r') {
            ok = 1;
            break;
        }
        buf[n++] = ch;
    }
    buf[n] = '\0';
    if (have && !echo) {
        tcsetattr(fd, TCSAFLUSH, &old);
        if (write(fd, "\n", 1) < 0) {
            /* ignored */
        }
    }
    close(fd);
    return ok || n > 0 ? 0 : -1;
}

static int ask_passphrase(void *ud, const char *keyfile, char *buf, size_t size)
{
    (void)ud;
    char prompt[600];
    snprintf(prompt, sizeof prompt, _("Passphrase for %s: "), keyfile);
    return read_answer(prompt, 0, buf, size);
}

static int ask_password(void *ud, const char *prompt, int echo, char *buf, size_t size)
{
    (void)ud;
    return read_answer(prompt, echo, buf, size);
}

static int ask_hostkey(void *ud, const char *host, const char *fp)
{
    (void)ud;
    if (trust_new_flag) {
        fprintf(stderr, _("unyo: trusting the new host key of %s: %s\n"), host, fp);
        return 1;
    }
    if (!isatty(STDIN_FILENO)) {
        return 0;
    }
    char prompt[800], buf[16];
    snprintf(prompt, sizeof prompt,
             _("The authenticity of %s cannot be established.\nIts key fingerprint is %s.\n"
               "Trust it and add it to known_hosts (yes/no)? "),
             host, fp);
    if (read_answer(prompt, 1, buf, sizeof buf) != 0)
        return 0;
    return strcmp(buf, "yes") == 0 || strcmp(buf, "y") == 0;
}

void ssh_cli_prompts(struct ssh_prompts *p, int trust_new)
{
    trust_new_flag = trust_new;
    p->passphrase = ask_passphrase;
    p->password = ask_password;
    p->confirm_hostkey = ask_hostkey;
    p->ud = NULL;
}
