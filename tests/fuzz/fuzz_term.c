/* The terminal model: input bytes are a sequence of operations on two
 * terminals, one with the flood fast forward and one without: feed a chunk
 * of server bytes, feed a flood of lines, resize (down to 0x0), read rows
 * and the scrollback, type keys. Properties: no crash or hang, every cell
 * holds Unicode scalar values (or the wide-character right half marker),
 * every row reads back as valid UTF-8, the cursor is on the screen, and the
 * fast-forwarded terminal equals the plain one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "textwidth.h"
#include "util.h"

static void check_sane(struct term *t)
{
    int rows = term_rows(t), cols = term_cols(t);
    if (rows < 1 || cols < 1)
        abort();
    for (int r = -(int)term_scrollback_count(t); r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            struct term_cell cell;
            term_cell(t, r, c, &cell);
            for (int k = 0; k < TERM_MAX_CHARS && cell.chars[k]; k++) {
                uint32_t cp = cell.chars[k];
                if (k == 0 && cp == TERM_WIDE_RIGHT)
                    break;
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0x20 ||
                    (cp >= 0x7F && cp < 0xA0))
                    abort();
            }
            if (cell.width != 1 && cell.width != 2)
                abort();
        }
        char *text = term_row_text(t, r);
        if (!utf8_valid(text, strlen(text)))
            abort();
        free(text);
    }
    int row, col, vis;
    term_cursor(t, &row, &col, &vis);
    if (row < 0 || row >= rows || col < 0 || col >= cols)
        abort();
    char *title = xstrdup(term_title(t));
    if (!utf8_valid(title, strlen(title)))
        abort();
    free(title);
}

static void check_same(struct term *a, struct term *b)
{
    if (term_rows(a) != term_rows(b) || term_cols(a) != term_cols(b) ||
        term_scrollback_count(a) != term_scrollback_count(b))
        abort();
    for (int r = -(int)term_scrollback_count(a); r < term_rows(a); r++) {
        for (int c = 0; c < term_cols(a); c++) {
            struct term_cell x, y;
            if (term_cell(a, r, c, &x) != term_cell(b, r, c, &y))
                abort();
            if (memcmp(&x, &y, sizeof x) != 0)
                abort();
        }
    }
    int ar, ac, br, bc;
    term_cursor(a, &ar, &ac, NULL);
    term_cursor(b, &br, &bc, NULL);
    if (ar != br || ac != bc)
        abort();
}

static void discard(const char *b, size_t n, void *ud)
{
    (void)b, (void)n, (void)ud;
}

static void both_feed(struct term *t[2], const char *s, size_t n)
{
    term_feed(t[0], s, n);
    term_feed(t[1], s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    /* A small scrollback, so a flood can reach the fast forward. */
    int rows = 1 + data[0] % 24, cols = data[1] % 81;
    int sb = 1 + data[2] % 8;
    size_t i = 3;
    struct term *t[2] = {term_new(rows, cols, sb), term_new(rows, cols, sb)};
    term_set_fast_forward(t[1], 0);
    term_set_output(t[0], discard, NULL);
    term_set_output(t[1], discard, NULL);
    struct strbuf flood = STRBUF_INIT;
    int ops = 0;
    while (i < size && ops++ < 200) { /* bounded work per input */
        uint8_t op = data[i++];
        switch (op % 8) {
        case 0:
        case 1:
        case 2:
        case 3: {               /* a chunk of server bytes */
            size_t n = op >> 3; /* 0..31 */
            if (n == 31 && i < size)
                n = 31 + data[i++];
            if (n > size - i)
                n = size - i;
            both_feed(t, (const char *)data + i, n);
            i += n;
            break;
        }
        case 4: { /* resize */
            if (size - i < 2)
                goto done;
            int r = data[i] % 40, c = data[i + 1] % 100;
            i += 2;
            term_resize(t[0], r, c);
            term_resize(t[1], r, c);
            break;
        }
        case 5: {               /* a flood: a short line pattern repeated, in one chunk */
            size_t n = op >> 3; /* pattern length */
            if (n > size - i)
                n = size - i;
            int times = 24 + (i < size ? data[i] % 40 : 0);
            sb_reset(&flood);
            for (int k = 0; k < times; k++) {
                sb_add(&flood, (const char *)data + i, n);
                sb_add(&flood, "\r\n", 2);
            }
            i += n;
            both_feed(t, flood.buf, flood.len);
            break;
        }
        case 6: { /* the reader: rows, scrollback, damage, title, bell */
            int first, last;
            for (int k = 0; k < 2; k++) {
                term_take_damage(t[k], &first, &last);
                term_take_bell(t[k]);
                long back = -(long)term_scrollback_count(t[k]);
                char *s = term_row_text(t[k], (int)(back + (op >> 3)));
                free(s);
                struct term_cell cell;
                term_cell(t[k], (int)back - 1, 0, &cell);
                term_cell(t[k], term_rows(t[k]), 0, &cell);
            }
            break;
        }
        default: { /* the operator: keys, paste, mouse */
            if (i >= size)
                goto done;
            uint8_t a = data[i++];
            for (int k = 0; k < 2; k++) {
                term_key_char(t[k], a, op >> 5);
                term_key(t[k], (enum term_key)(1 + a % 26), op >> 5);
                term_paste(t[k], (const char *)&a, 1);
                term_mouse_button(t[k], a % 50, op, 1 + a % 5, a & 1, 0);
                term_mouse_move(t[k], op, a, 0);
            }
            break;
        }
        }
    }
done:
    check_sane(t[0]);
    check_sane(t[1]);
    check_same(t[0], t[1]);
    sb_free(&flood);
    term_free(t[0]);
    term_free(t[1]);
    return 0;
}
