/* Throughput of the console's screen model (libvterm via term.c) and of the
 * asciicast recorder on a large burst of typical server output (coloured
 * `ls -l`-like lines with Japanese names), fed in 64 KiB reads as they come off
 * an SSH channel. Prints MB/s for each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "term.h"
#include "transcript.h"
#include "util.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 50;
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; sb.len < mb << 20; i++)
        sb_printf(&sb,
                  "-rw-r--r-- 1 lib lib %8d Nov 22 10:%02d \x1b[01;34m貸出データ_%05d\x1b[0m.csv "
                  "status=OK\r\n",
                  i * 37 % 99999999, i % 60, i);
    struct term *t = term_new(50, 200, 0);
    double t0 = now();
    for (size_t off = 0; off < sb.len; off += 65536) {
        size_t n = sb.len - off < 65536 ? sb.len - off : 65536;
        term_feed(t, sb.buf + off, n);
        int f, l;
        term_take_damage(t, &f, &l);
    }
    double t1 = now();
    struct transcript *tr = transcript_new(200, 50, 0, "bench", (size_t)1 << 30);
    for (size_t off = 0; off < sb.len; off += 65536) {
        size_t n = sb.len - off < 65536 ? sb.len - off : 65536;
        transcript_output(tr, (int64_t)off, sb.buf + off, n);
    }
    double t2 = now();
    double m = (double)sb.len / 1048576.0;
    printf("bench_ssh_term: %.0f MiB of coloured output, 200x50 screen, scrollback %zu lines\n", m,
           term_scrollback_count(t));
    printf("  screen model (libvterm): %.2f s, %.1f MiB/s\n", t1 - t0, m / (t1 - t0));
    printf("  asciicast recorder:      %.2f s, %.1f MiB/s\n", t2 - t1, m / (t2 - t1));
    transcript_free(tr);
    term_free(t);
    sb_free(&sb);
    return 0;
}
