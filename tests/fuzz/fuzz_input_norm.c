/* input_norm / input_norm_date (issue 13): what an operator types where a date
 * or a number is asked is folded before the parsers see it. Whatever the bytes,
 * the result is valid UTF-8 without NUL, normalising it again changes nothing,
 * it is never longer than four times the input (an invalid byte's "\xNN"), the
 * parsers take it without reading past its end, and one-row note text
 * (text_one_line, text_note_rows) never holds a newline. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "input_norm.h"
#include "textwidth.h"
#include "timefmt.h"
#include "utf8.h"
#include "util.h"

static void check(char *(*norm)(const char *), const char *in, size_t size)
{
    char *out = norm(in);
    size_t n = strlen(out);
    if (!utf8_storable(out, n) || !utf8_valid(out, n))
        abort();
    if (n > 4 * size)
        abort();
    char *again = norm(out);
    if (strcmp(again, out) != 0)
        abort();
    if (n && (out[0] == ' ' || out[n - 1] == ' ' || strstr(out, "  ")))
        abort(); /* trimmed, one space inside */
    struct civil_date d;
    int64_t ms;
    (void)civil_parse(out, &d);
    (void)time_parse(out, &ms);
    free(again);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xmalloc(size + 1); /* the prompt's text: NUL-terminated */
    memcpy(in, data, size);
    in[size] = '\0';
    size_t len = strlen(in);
    check(input_norm, in, len);
    check(input_norm_date, in, len);
    char *one = text_one_line(in);
    if (strchr(one, '\n'))
        abort();
    free(one);
    char **rows;
    size_t nrows = text_note_rows("  head ", in, &rows);
    if (nrows < 1)
        abort();
    for (size_t i = 0; i < nrows; i++) {
        if (strchr(rows[i], '\n'))
            abort();
        free(rows[i]);
    }
    free(rows);
    free(in);
    return 0;
}
