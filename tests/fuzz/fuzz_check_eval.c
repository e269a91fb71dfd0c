/* Check evaluation (src/checks.c) over hostile server output and hostile check
 * definitions. Input: one flags byte, then either
 *  - (flags & 0x80) a whole check file (INI text) up to "\n@@@\n", then the output; or
 *  - three lines (pattern, condition, value/label capture name), then the output,
 *    put into a check file with each/aggregate/exit status from the flags.
 * The check file is written in a private temp dir and loaded with checks_load_file.
 * Properties: no crash or leak; every loaded check evaluates to OK or NG (0/1),
 * its level is OK exactly when ok, else WARN (only with a warn line) or CRIT;
 * has_value is 0/1; the reason is non-NULL, valid UTF-8 with no control
 * character (it quotes the server); check_format_value of the value is valid
 * UTF-8 and NUL-terminated within its buffer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "textwidth.h"
#include "util.h"

static char dir[64], path[96];

static void remove_dir(void)
{
    unlink(path);
    rmdir(dir);
}

static void clean_text(const char *s)
{
    if (!s)
        abort();
    size_t len = strlen(s);
    if (!utf8_valid(s, len))
        abort();
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            abort();
        i += n;
    }
}

/* One line of the input (no NUL, no CR/LF inside) as malloc'd text. */
static char *take_line(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *q = *p;
    while (q < end && *q != '\n')
        q++;
    char *s = xstrndup((const char *)*p, (size_t)(q - *p));
    for (char *c = s; *c; c++)
        if (*c == '\r')
            *c = ' ';
    *p = q < end ? q + 1 : q;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/unyo-fuzz-check-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/checks.ini", dir);
        atexit(remove_dir);
    }
    uint8_t flags = data[0];
    const uint8_t *p = data + 1, *end = data + size;
    struct strbuf ini = STRBUF_INIT;
    if (flags & 0x80) {
        const uint8_t *sep = NULL;
        for (const uint8_t *q = p; q + 5 <= end; q++)
            if (memcmp(q, "\n@@@\n", 5) == 0) {
                sep = q;
                break;
            }
        if (!sep)
            sep = end;
        sb_add(&ini, (const char *)p, (size_t)(sep - p));
        p = sep < end ? sep + 5 : end;
    } else {
        char *pattern = take_line(&p, end);
        char *cond = take_line(&p, end);
        char *var = take_line(&p, end);
        sb_printf(&ini, "[c]\ntemplate = L025\ncommand = true\npattern = %s\n", pattern);
        if (*cond)
            sb_printf(&ini, "condition = %s\n", cond);
        if (*var && (flags & 1))
            sb_printf(&ini, "value = %s\n", var);
        if (*var && (flags & 2))
            sb_printf(&ini, "label = %s\n", var);
        if (flags & 4)
            sb_puts(&ini, "each = yes\n");
        sb_printf(&ini, "aggregate = %s\n", (flags & 8) ? "min" : (flags & 16) ? "first" : "max");
        free(pattern), free(cond), free(var);
    }
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fwrite(ini.buf ? ini.buf : "", 1, ini.len, f);
    fclose(f);
    sb_free(&ini);

    size_t out_len = (size_t)(end - p);
    char *output = xmalloc(out_len + 1);
    memcpy(output, p, out_len);
    output[out_len] = '\0';
    int exit_status = (flags & 0x20) ? (flags & 0x40 ? 127 : 1) : 0;
    const char *stderr_text = (flags & 0x40) ? output : NULL;

    struct check_set set = {0};
    char *err = NULL;
    if (checks_load_file(path, &set, &err) == 0) {
        for (size_t i = 0; i < set.count; i++) {
            struct check_outcome o;
            check_evaluate(&set.defs[i], output, out_len, exit_status, stderr_text, &o, &err);
            if (o.ok != 0 && o.ok != 1)
                abort();
            /* The level agrees with ok: OK exactly when ok; WARN or CRIT otherwise. */
            if (o.level < CHECK_LEVEL_OK || o.level > CHECK_LEVEL_CRIT ||
                (o.level == CHECK_LEVEL_OK) != o.ok)
                abort();
            /* A check with no warn line is never WARN (backward compatible). */
            if (o.level == CHECK_LEVEL_WARN && set.defs[i].n_warns == 0)
                abort();
            if (o.has_value != 0 && o.has_value != 1)
                abort();
            clean_text(o.detail);
            if (o.has_value) {
                char buf[64];
                memset(buf, 'x', sizeof buf);
                check_format_value(o.value, buf, sizeof buf);
                if (!memchr(buf, '\0', sizeof buf))
                    abort();
                if (!utf8_valid(buf, strlen(buf)))
                    abort();
            }
            check_outcome_clear(&o);
        }
    } else {
        if (!err)
            abort(); /* a refused file says why */
    }
    free(err);
    checks_free(&set);
    free(output);
    return 0;
}
