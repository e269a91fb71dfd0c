#include "ui_table.h"

#include <stdlib.h>
#include <string.h>

#include "textwidth.h"
#include "util.h"

void table_row_clear(struct table_row *r)
{
    for (int i = 0; i < TABLE_MAX_COLS; i++)
        free(r->cell[i]);
    memset(r, 0, sizeof *r);
}

static void drop_cache(struct table *t)
{
    for (long i = 0; i < t->cache_n; i++)
        table_row_clear(&t->cache[i]);
    t->cache_n = 0;
    t->cache_from = 0;
}

void table_init(struct table *t, const struct table_col *cols, int ncols, struct table_source src)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->ncols = ncols > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncols;
    t->src = src;
    t->sort_col = -1;
    t->height = 1;
    t->nrows = src.count(src.data);
}

void table_free(struct table *t)
{
    drop_cache(t);
    free(t->cache);
    t->cache = NULL;
    t->cache_cap = 0;
}

static void clamp(struct table *t)
{
    if (t->sel >= t->nrows)
        t->sel = t->nrows - 1;
    if (t->sel < 0)
        t->sel = 0;
    if (t->top > t->sel)
        t->top = t->sel;
    if (t->sel >= t->top + t->height)
        t->top = t->sel - t->height + 1;
    if (t->top > t->nrows - t->height)
        t->top = t->nrows - t->height;
    if (t->top < 0)
        t->top = 0;
}

void table_reset(struct table *t)
{
    drop_cache(t);
    t->nrows = t->src.count(t->src.data);
    clamp(t);
}

void table_set_height(struct table *t, int height)
{
    t->height = height < 1 ? 1 : height;
    clamp(t);
}

void table_goto(struct table *t, long row)
{
    t->sel = row;
    clamp(t);
}

void table_move(struct table *t, long delta)
{
    table_goto(t, t->sel + delta);
}

int table_action(struct table *t, const char *a)
{
    long page = t->height > 1 ? t->height : 1;
    if (strcmp(a, "down") == 0)
        table_move(t, 1);
    else if (strcmp(a, "up") == 0)
        table_move(t, -1);
    else if (strcmp(a, "top") == 0)
        table_goto(t, 0);
    else if (strcmp(a, "bottom") == 0)
        table_goto(t, t->nrows - 1);
    else if (strcmp(a, "page-down") == 0 || strcmp(a, "page-up") == 0) {
        long d = strcmp(a, "page-down") == 0 ? page : -page;
        /* The page scrolls with the cursor, like less and htop. */
        t->top += d;
        if (t->top > t->nrows - t->height)
            t->top = t->nrows - t->height;
        if (t->top < 0)
            t->top = 0;
        table_move(t, d);
    } else if (strcmp(a, "half-down") == 0)
        table_move(t, page / 2 ? page / 2 : 1);
    else if (strcmp(a, "half-up") == 0)
        table_move(t, -(page / 2 ? page / 2 : 1));
    else
        return 0;
    return 1;
}

void table_materialize(struct table *t)
{
    long want_from = t->top;
    long want_n = t->height;
    if (want_from + want_n > t->nrows)
        want_n = t->nrows - want_from;
    if (want_n <= 0) {
        drop_cache(t);
        return;
    }
    if (t->cache_n > 0 && want_from >= t->cache_from &&
        want_from + want_n <= t->cache_from + t->cache_n)
        return;
    /* Keep the rows we already have when the window slides by less than a page. */
    struct table_row *fresh = xcalloc((size_t)want_n, sizeof *fresh);
    long have_from = -1, have_to = -1;
    if (t->cache_n > 0) {
        have_from = t->cache_from > want_from ? t->cache_from : want_from;
        have_to = t->cache_from + t->cache_n < want_from + want_n ? t->cache_from + t->cache_n
                                                                  : want_from + want_n;
    }
    long got_total = 0;
    if (have_from >= 0 && have_from < have_to) {
        for (long r = have_from; r < have_to; r++) {
            fresh[r - want_from] = t->cache[r - t->cache_from];
            memset(&t->cache[r - t->cache_from], 0, sizeof(struct table_row));
        }
        /* before the kept part */
        if (have_from > want_from) {
            long n = t->src.fetch(t->src.data, want_from, have_from - want_from, fresh);
            t->fetch_calls++;
            t->fetched_rows += n;
        }
        if (have_to < want_from + want_n) {
            long n = t->src.fetch(t->src.data, have_to, want_from + want_n - have_to,
                                  fresh + (have_to - want_from));
            t->fetch_calls++;
            t->fetched_rows += n;
        }
        got_total = want_n;
    } else {
        got_total = t->src.fetch(t->src.data, want_from, want_n, fresh);
        t->fetch_calls++;
        t->fetched_rows += got_total;
    }
    drop_cache(t);
    free(t->cache);
    t->cache = fresh;
    t->cache_cap = want_n;
    t->cache_from = want_from;
    t->cache_n = got_total < want_n ? got_total : want_n;
    for (long i = t->cache_n; i < want_n; i++)
        table_row_clear(&fresh[i]);
}

const struct table_row *table_selected(struct table *t)
{
    if (t->nrows <= 0)
        return NULL;
    table_materialize(t);
    if (t->sel < t->cache_from || t->sel >= t->cache_from + t->cache_n)
        return NULL;
    return &t->cache[t->sel - t->cache_from];
}

/* Column fitting by content. need = the widest visible cell or header, at least
 * the column's minimum; cap = need, at most the column's max when it has one. max
 * is where a column yields to the others when the width is short, not a hard
 * limit: with room to spare a long note is shown whole. */
#define FIT_NARROW                                                                                 \
    18 /* a column that needs at most this many cells (a ref, a date) gets them first */
#define FIT_FLOOR 8 /* a wide column keeps at least this many cells (or its need) */

/* Shares total among the columns with in[i] set, in proportion to weight[i], none
 * below lo[i] nor above hi[i] (the caller makes sure the lo add up to at most
 * total); adds the shares to out. */
static void share(int ncols, const int *in, const int *weight, const int *lo, const int *hi,
                  int total, int *out)
{
    int done[TABLE_MAX_COLS] = {0}, got[TABLE_MAX_COLS] = {0};
    for (;;) {
        long wsum = 0;
        int left = total;
        for (int i = 0; i < ncols; i++) {
            if (!in[i])
                continue;
            if (done[i])
                left -= got[i];
            else
                wsum += weight[i] > 0 ? weight[i] : 1;
        }
        if (wsum == 0)
            break;
        /* The column furthest above its cap, else furthest below its floor, is
         * settled there; the others share again. */
        int pick = -1;
        long worst = 0;
        for (int pass = 0; pass < 2 && pick < 0; pass++)
            for (int i = 0; i < ncols; i++) {
                if (!in[i] || done[i])
                    continue;
                long s = (long)(left > 0 ? left : 0) * (weight[i] > 0 ? weight[i] : 1) / wsum;
                long d = pass == 0 ? s - hi[i] : lo[i] - s;
                if (d > worst) {
                    worst = d;
                    pick = i;
                }
            }
        if (pick >= 0) {
            done[pick] = 1;
            /* settled at the bound it crossed */
            long s = (long)(left > 0 ? left : 0) * (weight[pick] > 0 ? weight[pick] : 1) / wsum;
            got[pick] = s > hi[pick] ? hi[pick] : lo[pick];
            continue;
        }
        /* Everyone within bounds: cumulative rounding, so the shares add up to left. */
        long wdone = 0;
        int given = 0;
        for (int i = 0; i < ncols; i++) {
            if (!in[i] || done[i])
                continue;
            wdone += weight[i] > 0 ? weight[i] : 1;
            int upto = (int)((long)left * wdone / wsum);
            got[i] = upto - given;
            given = upto;
            done[i] = 1;
        }
        break;
    }
    for (int i = 0; i < ncols; i++)
        if (in[i])
            out[i] += got[i];
}

/* Fits the visible columns (vis[i]) into width; hidden ones get 0. Returns 1 when
 * every main column (keep > 0) got its keep, 0 when the width fell short of it. */
static int fit_visible(const struct table_col *cols, int ncols, const int *need, const int *cap,
                       const int *vis, int width, int *out)
{
    int nvis = 0, sum_need = 0, sum_cap = 0;
    for (int i = 0; i < ncols; i++) {
        out[i] = 0;
        if (!vis[i])
            continue;
        nvis++;
        sum_need += need[i];
        sum_cap += cap[i];
    }
    int avail = width - (nvis > 0 ? nvis - 1 : 0); /* one separator cell between columns */
    if (sum_need <= avail) {
        /* Everything whole; the spare width goes to the last flex column. */
        for (int i = 0; i < ncols; i++)
            if (vis[i])
                out[i] = need[i];
        for (int i = ncols - 1; i >= 0; i--)
            if (vis[i] && cols[i].flex) {
                out[i] += avail - sum_need;
                break;
            }
        return 1;
    }
    int in[TABLE_MAX_COLS] = {0}, weight[TABLE_MAX_COLS], lo[TABLE_MAX_COLS], hi[TABLE_MAX_COLS];
    if (sum_cap <= avail) {
        /* Each column up to its cap; what is left goes to the columns that need
         * more, in proportion to what they miss. A main column has no max, so it
         * is whole here. */
        for (int i = 0; i < ncols; i++) {
            if (!vis[i])
                continue;
            out[i] = cap[i];
            in[i] = need[i] > cap[i];
            weight[i] = need[i] - cap[i];
            lo[i] = 0;
            hi[i] = need[i] - cap[i];
        }
        share(ncols, in, weight, lo, hi, avail - sum_cap, out);
        return 1;
    }
    /* Short of width: the narrow columns get what they need, the wide ones (and
     * the main ones, whatever their need) share the rest in proportion to their
     * need, none below a floor: a main column's keep, else FIT_FLOOR. */
    int rest = avail, floors = 0;
    for (int i = 0; i < ncols; i++) {
        if (!vis[i])
            continue;
        in[i] = cap[i] > FIT_NARROW || cols[i].keep > 0;
        out[i] = in[i] ? 0 : cap[i];
        weight[i] = cap[i] < avail ? cap[i] : avail; /* a 1 MiB title is a full line */
        lo[i] = cols[i].keep > 0 ? cols[i].keep : FIT_FLOOR;
        if (lo[i] < cols[i].min)
            lo[i] = cols[i].min;
        if (lo[i] > cap[i])
            lo[i] = cap[i];
        hi[i] = cap[i];
        if (in[i])
            floors += lo[i];
        else
            rest -= cap[i];
    }
    if (rest >= floors) {
        share(ncols, in, weight, lo, hi, rest, out);
        return 1;
    }
    /* Not even that: the wide columns at their floor, then shrink the flex
     * columns, then the others from the right, to their minimum. */
    int sum = width - avail; /* the separators */
    for (int i = 0; i < ncols; i++) {
        if (in[i])
            out[i] = lo[i];
        sum += out[i];
    }
    for (int pass = 0; pass < 2 && sum > width; pass++)
        for (int i = ncols - 1; i >= 0 && sum > width; i--) {
            if (!vis[i] || (pass == 0 && !cols[i].flex))
                continue;
            int floor = cols[i].min > 1 ? cols[i].min : 1;
            int can = out[i] - floor;
            int take = can < sum - width ? can : sum - width;
            if (take > 0) {
                out[i] -= take;
                sum -= take;
            }
        }
    /* Still too wide: drop columns from the right (the first shown one stays). */
    int first = 0;
    while (first < ncols && !vis[first])
        first++;
    for (int i = ncols - 1; i > first && sum > width; i--) {
        if (!out[i])
            continue;
        sum -= out[i] + 1;
        out[i] = 0;
    }
    if (sum > width && first < ncols)
        out[first] = width > 0 ? width : 0;
    return 0;
}

void table_fit_columns(const struct table_col *cols, int ncols, const int *natural, int width,
                       int *out)
{
    int need[TABLE_MAX_COLS], cap[TABLE_MAX_COLS], vis[TABLE_MAX_COLS];
    for (int i = 0; i < ncols; i++) {
        int w = natural[i];
        if (w < cols[i].min)
            w = cols[i].min;
        if (w < 1)
            w = 1;
        need[i] = w;
        cap[i] = cols[i].max > 0 && w > cols[i].max
                     ? (cols[i].max > cols[i].min ? cols[i].max : cols[i].min)
                     : w;
        vis[i] = 1;
    }
    /* When the main column (the title a person reads) cannot keep its cells, the
     * secondary columns are hidden whole, in their drop order, rather than all
     * of them cut to a stub: a list at 80 columns shows the reference, the state
     * and a readable title, and the detail shows the rest (as htop and tig drop
     * columns). A column without a drop order is never hidden this way. */
    while (!fit_visible(cols, ncols, need, cap, vis, width, out)) {
        int pick = -1;
        for (int i = 0; i < ncols; i++)
            if (vis[i] && cols[i].drop > 0 && (pick < 0 || cols[i].drop <= cols[pick].drop))
                pick = i;
        if (pick < 0)
            return;
        vis[pick] = 0;
    }
}

static void layout(struct table *t, int width)
{
    int natural[TABLE_MAX_COLS];
    for (int i = 0; i < t->ncols; i++) {
        natural[i] = text_width(t->cols[i].title) + (i == t->sort_col ? 1 : 0);
        for (long r = 0; r < t->cache_n; r++) {
            const char *s = t->cache[r].cell[i];
            if (s) {
                int w = text_width(s);
                if (w > natural[i])
                    natural[i] = w;
            }
        }
    }
    table_fit_columns(t->cols, t->ncols, natural, width, t->widths);
}

void table_draw(struct table *t, const struct ui_canvas *c)
{
    table_set_height(t, c->h - 1);
    table_materialize(t);
    layout(t, c->w);
    ui_clear(c, 0, STYLE_HEADER);
    int x = 0;
    for (int i = 0; i < t->ncols; i++) {
        if (t->widths[i] <= 0)
            continue;
        char *title = i == t->sort_col
                          ? xasprintf("%s%s", t->cols[i].title, t->sort_desc ? "▼" : "▲")
                          : xstrdup(t->cols[i].title);
        ui_put(c, 0, x, t->widths[i], STYLE_HEADER, title);
        free(title);
        x += t->widths[i] + 1;
    }
    for (int y = 1; y < c->h; y++) {
        long r = t->top + y - 1;
        if (r >= t->cache_from + t->cache_n || r < t->cache_from) {
            ui_clear(c, y, STYLE_NORMAL);
            continue;
        }
        const struct table_row *row = &t->cache[r - t->cache_from];
        int selected = r == t->sel;
        int rs = selected ? STYLE_ROW_SELECTED : row->style;
        ui_clear(c, y, rs);
        x = 0;
        for (int i = 0; i < t->ncols; i++) {
            if (t->widths[i] <= 0)
                continue;
            int st = selected || !row->cell_style[i] ? rs : row->cell_style[i];
            if (t->cols[i].right)
                ui_put_right(c, y, x, t->widths[i], st, row->cell[i] ? row->cell[i] : "");
            else
                ui_put(c, y, x, t->widths[i], st, row->cell[i] ? row->cell[i] : "");
            x += t->widths[i] + 1;
        }
    }
}

int table_click(struct table *t, int y, int x, int *col)
{
    if (y == 0) {
        int cx = 0;
        for (int i = 0; i < t->ncols; i++) {
            if (t->widths[i] <= 0)
                continue;
            if (x >= cx && x < cx + t->widths[i] + 1) {
                if (col)
                    *col = i;
                return 2;
            }
            cx += t->widths[i] + 1;
        }
        return 0;
    }
    long r = t->top + y - 1;
    if (r < 0 || r >= t->nrows)
        return 0;
    table_goto(t, r);
    return 1;
}
