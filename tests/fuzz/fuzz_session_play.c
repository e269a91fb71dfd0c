/* The session player (src/session_play.c): whatever a recording holds (it is
 * read back from the store, which sync fills from other consoles), reading
 * it, seeking forward and back and searching never crash, never read out of
 * bounds, and keep the position within the recording.
 *
 * Input: byte 0 = a seek selector, then the recording text; a search for the
 * last three bytes runs both ways. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session_play.h"
#include "term.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    const char *cast = (const char *)data + 1;
    size_t len = size - 1;
    struct player *p = NULL;
    char *err = NULL;
    if (player_new(cast, len, &p, &err) != 0) {
        free(err);
        return 0;
    }
    int64_t end = player_length_ms(p);
    int64_t marks[] = {end, end / 2, (int64_t)sel * 37, 0, -5, end + 1000};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        player_seek(p, marks[i]);
        int64_t pos = player_pos_ms(p);
        if (pos < 0 || pos > end)
            abort();
        int64_t next = player_next_ms(p);
        if (next >= 0 && next <= pos)
            abort();
    }
    char needle[4] = {0};
    if (len >= 3)
        memcpy(needle, cast + len - 3, 3);
    for (int dir = -1; dir <= 1; dir += 2) {
        int64_t at = player_search(p, needle, dir, NULL);
        if (at > end)
            abort();
        if (at >= 0)
            player_seek(p, at);
    }
    struct term *t = player_term(p);
    for (int r = 0; r < term_rows(t); r++)
        free(term_row_text(t, r));
    player_free(p);
    return 0;
}
