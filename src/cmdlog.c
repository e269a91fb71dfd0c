#include "cmdlog.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "timefmt.h"
#include "util.h"

/* The log keeps the newest CMDLOG_MAX lines. */
#define CMDLOG_MAX 200

static struct {
    char *lines[CMDLOG_MAX];
    int64_t at[CMDLOG_MAX];
    size_t n;
    char *db;
} cmdlog;

void cmdlog_set_db(const char *path)
{
    free(cmdlog.db);
    cmdlog.db = NULL;
    if (!path)
        return;
    char *def = store_default_path();
    if (!def || strcmp(def, path) != 0)
        cmdlog.db = xstrdup(path);
    free(def);
}

char *cmdlog_quote(const char *word)
{
    int plain = *word != '\0';
    for (const unsigned char *p = (const unsigned char *)word; *p; p++)
        if (!(*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || strchr("-_./:=@,+%", *p)))
            plain = 0;
    if (plain)
        return xstrdup(word);
    struct strbuf sb = STRBUF_INIT;
    sb_putc(&sb, '\'');
    for (const char *p = word; *p; p++)
        if (*p == '\'')
            sb_puts(&sb, "'\\''");
        else
            sb_putc(&sb, *p);
    sb_putc(&sb, '\'');
    return sb_detach(&sb);
}

const char *cmdlog_add(const char *const *words)
{
    struct strbuf sb = STRBUF_INIT;
    /* done as somebody else (`:as`): the CLI equivalent names that person. A person
     * signed in on a real store runs the command as themselves (UNYO_USER is refused
     * there). */
    const char *as = store_os_login();
    if (strcmp(as, store_own_login()) != 0 && !store_acting_signed_in()) {
        char *q = cmdlog_quote(as);
        sb_printf(&sb, "UNYO_USER=%s ", q);
        free(q);
    }
    sb_puts(&sb, "unyo");
    if (cmdlog.db) {
        char *q = cmdlog_quote(cmdlog.db);
        sb_printf(&sb, " --db %s", q);
        free(q);
    }
    for (size_t i = 0; words && words[i]; i++) {
        char *q = cmdlog_quote(words[i]);
        sb_printf(&sb, " %s", q);
        free(q);
    }
    if (cmdlog.n == CMDLOG_MAX) {
        free(cmdlog.lines[0]);
        memmove(cmdlog.lines, cmdlog.lines + 1, (CMDLOG_MAX - 1) * sizeof cmdlog.lines[0]);
        memmove(cmdlog.at, cmdlog.at + 1, (CMDLOG_MAX - 1) * sizeof cmdlog.at[0]);
        cmdlog.n--;
    }
    cmdlog.at[cmdlog.n] = time_now_ms();
    cmdlog.lines[cmdlog.n] = sb_detach(&sb);
    return cmdlog.lines[cmdlog.n++];
}

size_t cmdlog_count(void)
{
    return cmdlog.n;
}

const char *cmdlog_line(size_t i, int64_t *at_ms)
{
    if (i >= cmdlog.n)
        return NULL;
    if (at_ms)
        *at_ms = cmdlog.at[i];
    return cmdlog.lines[i];
}

void cmdlog_clear(void)
{
    for (size_t i = 0; i < cmdlog.n; i++)
        free(cmdlog.lines[i]);
    cmdlog.n = 0;
    free(cmdlog.db);
    cmdlog.db = NULL;
}
