/* Start conditions (src/job_conditions.c) over hostile input. Input: a first line, the
 * pattern a job waits for (wait_file) or a `when` condition, then the listing a host
 * returned. Properties: no crash or leak; a pattern that job_conditions_path_valid
 * accepts gives a check command and a listing parse whose file found has a path that is
 * valid UTF-8 with no control character (it reaches the terminal) and a size >= 0;
 * job_when_parse either fails with a message or gives a condition job_when_text can
 * say; job_wait_decide answers one of its three decisions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "job_conditions.h"
#include "textwidth.h"
#include "util.h"

static void clean_text(const char *s)
{
    size_t len = strlen(s);
    if (!utf8_valid(s, len))
        abort();
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            abort();
        i += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nl = memchr(p, '\n', size);
    size_t first = nl ? (size_t)(nl - p) : size;
    char *line = xstrndup(p, first);
    const char *rest = nl ? nl + 1 : p + size;
    size_t rest_len = (size_t)(p + size - rest);
    if (strlen(line) == first && job_conditions_path_valid(line) == 0) {
        char *cmd = job_wait_command(line);
        free(cmd);
        struct job_file_seen seen;
        job_wait_parse_listing(rest, rest_len, line, &seen);
        if (seen.found) {
            clean_text(seen.path);
            if (seen.size < 0)
                abort();
            struct job_file_watch w = {0};
            int d = job_wait_decide(&w, &seen, (int)(size % 100), (int64_t)size * 7, 1000);
            if (d != JOB_WAIT_WAIT && d != JOB_WAIT_START && d != JOB_WAIT_CUTOFF)
                abort();
        }
    }
    struct job_when w;
    char *msg = NULL;
    if (job_when_parse(line, &w, &msg) == 0) {
        char *t = job_when_text(&w);
        if (!t)
            abort();
        free(t);
        (void)job_when_exit_holds(&w, (int)(size & 0xff));
    } else if (!msg) {
        abort();
    }
    free(msg);
    (void)job_conditions_parse_seconds(line);
    free(line);
    return 0;
}
