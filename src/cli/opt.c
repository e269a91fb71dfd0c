#include "opt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "i18n.h"
#include "input_norm.h"
#include "textwidth.h"
#include "timefmt.h"
#include "util.h"

static size_t nopts(const struct cli_verb *v)
{
    size_t n = 0;
    while (v->opts && v->opts[n].name)
        n++;
    return n;
}

/* The text as the option's parser reads it: a date, month, time or whole
 * number typed on a Japanese keyboard ("２０２６／１２／０７", "３１") folded
 * (src/input_norm.h); other values as typed. Malloc'd. */
static char *norm_value(const struct cli_opt *o, const char *text)
{
    switch (o->type) {
    case CLI_DATE:
    case CLI_MONTH:
    case CLI_TIME:
        return input_norm_date(text);
    case CLI_INT:
    case CLI_NUM:
        return input_norm(text);
    default:
        return xstrdup(text);
    }
}

/* shown: the text as typed, for the message */
static int count_ok(const char *name, const char *text, const char *shown, long min, long max,
                    long *out, char **err)
{
    const char *p = text ? text : "";
    if (*p == '+' || *p == '-')
        p++;
    int digits = *p != '\0';
    for (const char *q = p; *q; q++)
        digits &= *q >= '0' && *q <= '9';
    if (!digits) {
        set_err(err, _("%s takes a whole number, not %s"), name, shown ? shown : "");
        return -1;
    }
    errno = 0;
    long v = strtol(text, NULL, 10);
    if (errno == ERANGE || v < min || v > max) {
        set_err(err, _("%s takes a whole number from %ld to %ld, not %s"), name, min, max, shown);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_count(const char *name, const char *text, long min, long max, long *out, char **err)
{
    char *n = input_norm(text ? text : "");
    int rc = count_ok(name, n, text, min, max, out, err);
    free(n);
    return rc;
}

static int month_ok(const char *s)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    return m >= 1 && m <= 12;
}

static int enum_ok(const char *choices, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = choices; *p;) {
        const char *e = strchr(p, '|');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0)
            return 1;
        p += len + (e != NULL);
    }
    return 0;
}

/* text: the folded value; shown: as typed, for the message */
static int check_norm(const struct cli_opt *o, const char *text, const char *shown, long *num,
                      char **err)
{
    char name[64];
    snprintf(name, sizeof name, "--%s", o->name);
    struct civil_date d;
    int64_t ms;
    switch (o->type) {
    case CLI_FLAG:
        break;
    case CLI_STR:
        if ((o->flags & CLI_NOEMPTY) && !*text) {
            set_err(err, _("%s needs a value"), name);
            return -1;
        }
        break;
    case CLI_INT:
        return count_ok(name, text, shown, o->min, o->max, num, err);
    case CLI_DATE:
        if (civil_parse(text, &d) != 0) {
            set_err(err, _("%s takes a date YYYY-MM-DD, not %s"), name, shown);
            return -1;
        }
        break;
    case CLI_MONTH:
        if (!month_ok(text)) {
            set_err(err, _("%s takes a month YYYY-MM, not %s"), name, shown);
            return -1;
        }
        break;
    case CLI_TIME:
        if (time_parse(text, &ms) != 0) {
            set_err(err, _("%s takes a time such as \"2026-11-22 09:30\", not %s"), name, shown);
            return -1;
        }
        break;
    case CLI_NUM: {
        char *end;
        double v = *text ? strtod(text, &end) : 0;
        if (!*text || *end || !isfinite(v)) {
            set_err(err, _("%s: \"%s\" is not a number"), name, shown);
            return -1;
        }
        break;
    }
    case CLI_ENUM:
        if (!enum_ok(o->choices, text)) {
            set_err(err, _("%s takes %s, not %s"), name, o->choices, shown);
            return -1;
        }
        break;
    }
    return 0;
}

int cli_check_value(const struct cli_opt *o, const char *text, long *num, char **err)
{
    char *n = norm_value(o, text);
    int rc = check_norm(o, n, text, num, err);
    free(n);
    return rc;
}

/* "unyo NOUN: msg" (sanitised: it may echo what was typed), then the verb's
 * synopsis. */
static int parse_error(const char *noun, const struct cli_verb *v, char *msg)
{
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, msg, 1);
    fprintf(stderr, "unyo %s: %s\n", noun, sb.buf ? sb.buf : "");
    sb_free(&sb);
    free(msg);
    fprintf(stderr, "%s ", _("usage:"));
    cli_synopsis(stderr, noun, v, 0);
    return EXIT_USAGE;
}

/* The option named by the text after "--" (len bytes): exact, else a unique
 * prefix as getopt_long allows. */
static const struct cli_opt *find_long(const struct cli_verb *v, const char *s, size_t len,
                                       int *ambiguous)
{
    const struct cli_opt *hit = NULL;
    int n = 0;
    *ambiguous = 0;
    for (size_t i = 0; v->opts && v->opts[i].name; i++) {
        const char *name = v->opts[i].name;
        if (strlen(name) == len && strncmp(name, s, len) == 0)
            return &v->opts[i];
        if (strlen(name) > len && strncmp(name, s, len) == 0) {
            hit = &v->opts[i];
            n++;
        }
    }
    if (n > 1) {
        *ambiguous = 1;
        return NULL;
    }
    return hit;
}

static const struct cli_opt *find_short(const struct cli_verb *v, char c)
{
    for (size_t i = 0; v->opts && v->opts[i].name; i++)
        if (v->opts[i].short_name == c)
            return &v->opts[i];
    return NULL;
}

static int take_value(struct cli_args *a, const struct cli_opt *o, const char *text, char **err)
{
    size_t i = (size_t)(o - a->v->opts);
    long num = 0;
    char *n = norm_value(o, text);
    if (check_norm(o, n, text, &num, err) != 0) {
        free(n);
        return -1;
    }
    if (strcmp(n, text) == 0) {
        free(n);
    } else {
        /* handlers read the folded value; the args keep it */
        a->owned = xrealloc(a->owned, (a->nowned + 1) * sizeof *a->owned);
        a->owned[a->nowned++] = n;
        text = n;
    }
    a->count[i]++;
    a->val[i] = text;
    a->num[i] = num;
    if (o->flags & CLI_REPEAT) {
        size_t n = (size_t)a->count[i];
        a->all[i] = xrealloc(a->all[i], (n + 1) * sizeof *a->all[i]);
        a->all[i][n - 1] = text;
        a->all[i][n] = NULL;
    }
    return 0;
}

int cli_parse(const char *noun, const struct cli_verb *v, const char *verb, int argc, char **argv,
              struct cli_args *a)
{
    size_t n = nopts(v);
    memset(a, 0, sizeof *a);
    a->noun = noun;
    a->verb = verb;
    a->v = v;
    a->count = xcalloc(n + 1, sizeof *a->count);
    a->val = xcalloc(n + 1, sizeof *a->val);
    a->num = xcalloc(n + 1, sizeof *a->num);
    a->all = xcalloc(n + 1, sizeof *a->all);
    a->argv = xcalloc((size_t)argc + 1, sizeof *a->argv);
    char *err = NULL;
    int stop = 0;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (stop || s[0] != '-' || s[1] == '\0') {
            a->argv[a->argc++] = argv[i];
            if (v->flags & CLI_STOP)
                stop = 1;
            continue;
        }
        if (strcmp(s, "--") == 0) {
            stop = 1;
            continue;
        }
        if (s[1] == '-') {
            const char *name = s + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int ambiguous;
            const struct cli_opt *o = find_long(v, name, len, &ambiguous);
            if (!o) {
                set_err(&err, ambiguous ? _("ambiguous option %s") : _("unknown option %s"), s);
                break;
            }
            if (o->type == CLI_FLAG) {
                if (eq) {
                    set_err(&err, _("--%s takes no value"), o->name);
                    break;
                }
                a->count[o - v->opts]++;
                continue;
            }
            const char *val = eq ? eq + 1 : NULL;
            if (!val && i + 1 < argc)
                val = argv[++i];
            if (!val) {
                set_err(&err, _("--%s needs a value"), o->name);
                break;
            }
            if (take_value(a, o, val, &err) != 0)
                break;
            continue;
        }
        /* -x, -xVALUE, -x VALUE, -ab (flags) */
        for (const char *p = s + 1; *p; p++) {
            const struct cli_opt *o = find_short(v, *p);
            if (!o) {
                set_err(&err, _("unknown option -%c"), *p);
                break;
            }
            if (o->type == CLI_FLAG) {
                a->count[o - v->opts]++;
                continue;
            }
            const char *val = p[1] ? p + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!val)
                set_err(&err, _("--%s needs a value"), o->name);
            else
                take_value(a, o, val, &err);
            break;
        }
        if (err)
            break;
    }
    if (err) {
        cli_args_free(a);
        return parse_error(noun, v, err);
    }
    for (size_t i = 0; i < n; i++)
        if (!a->all[i])
            a->all[i] = xcalloc(1, sizeof *a->all[i]);
    return 0;
}

void cli_args_free(struct cli_args *a)
{
    size_t n = a->v ? nopts(a->v) : 0;
    for (size_t i = 0; a->all && i < n; i++)
        free(a->all[i]);
    free(a->all);
    free(a->count);
    free(a->val);
    free(a->num);
    free(a->argv);
    for (size_t i = 0; i < a->nowned; i++)
        free(a->owned[i]);
    free(a->owned);
    memset(a, 0, sizeof *a);
}

/* The index of option name in the verb's table, or -1 when the verb has no
 * such option (a handler shared by several verbs reads it as not given). */
static long opt_index(const struct cli_args *a, const char *name)
{
    for (size_t i = 0; a->v->opts && a->v->opts[i].name; i++)
        if (strcmp(a->v->opts[i].name, name) == 0)
            return (long)i;
    return -1;
}

int cli_has(const struct cli_args *a, const char *name)
{
    long i = opt_index(a, name);
    return i < 0 ? 0 : a->count[i];
}

const char *cli_str(const struct cli_args *a, const char *name)
{
    long i = opt_index(a, name);
    return i < 0 ? NULL : a->val[i];
}

long cli_int(const struct cli_args *a, const char *name, long dflt)
{
    long i = opt_index(a, name);
    return i < 0 || !a->count[i] ? dflt : a->num[i];
}

int cli_month(const struct cli_args *a, const char *name, int *year, int *month)
{
    const char *text = cli_str(a, name);
    char today[11];
    if (!text) {
        time_format_jst_date(time_now_ms(), today);
        text = today;
    }
    /* YYYY-MM, checked by month_ok (or the date just formatted) */
    *year = atoi(text);
    *month = atoi(text + 5);
    return *year < 1970 ? -1 : 0;
}

const char **cli_all(const struct cli_args *a, const char *name, size_t *n)
{
    static const char *none[1];
    long i = opt_index(a, name);
    if (n)
        *n = i < 0 ? 0 : (size_t)a->count[i];
    return i < 0 ? none : a->all[i];
}

/* ---- usage, generated from the tables ---- */

/* "--name ARG" or "--name low|medium|high"; man: in roff. */
static void opt_text(struct strbuf *sb, const struct cli_opt *o, int man)
{
    sb_puts(sb, man ? "\\fB\\-\\-" : "--");
    for (const char *p = o->name; *p; p++)
        sb_puts(sb, man && *p == '-' ? "\\-" : (char[]){*p, 0});
    if (man)
        sb_puts(sb, "\\fR");
    /* the value's name is translated on screen, English in the man page */
    const char *arg = o->type == CLI_ENUM ? o->choices : o->arg && !man ? _(o->arg) : o->arg;
    if (o->type != CLI_FLAG && arg) {
        sb_puts(sb, man ? "\\ " : " "); /* roff: never break between option and value */
        sb_puts(sb, man && o->type != CLI_ENUM ? "\\fI" : "");
        for (const char *p = arg; *p; p++)
            sb_puts(sb, man && *p == '-'   ? "\\-"
                        : man && *p == '"' ? "\\(dq"
                        : man && *p == ' ' ? "\\ "
                                           : (char[]){*p, 0});
        sb_puts(sb, man && o->type != CLI_ENUM ? "\\fR" : "");
    }
}

static void put_operands(struct strbuf *sb, const char *operands, int man)
{
    sb_putc(sb, ' ');
    sb_puts(sb, man ? "\\%\\fI" : "");
    for (const char *p = man ? operands : _(operands); *p; p++)
        sb_puts(sb, man && *p == '-' ? "\\-" : man && *p == ' ' ? " \\%" : (char[]){*p, 0});
    sb_puts(sb, man ? "\\fR" : "");
}

void cli_synopsis(FILE *out, const char *noun, const struct cli_verb *v, int man)
{
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, man ? "\\fBunyo " : "unyo ");
    for (const char *p = noun; *p; p++)
        sb_puts(&sb, man && *p == '-' ? "\\-" : (char[]){*p, 0});
    if (v->name) {
        sb_puts(&sb, (v->flags & CLI_DEFAULT) ? (man ? "\\fR [\\fB" : " [") : " ");
        for (const char *p = v->name; *p; p++)
            sb_puts(&sb, man && *p == '-' ? "\\-" : (char[]){*p, 0});
        sb_puts(&sb, (v->flags & CLI_DEFAULT) ? (man ? "\\fR]" : "]") : "");
    }
    if (man && !(v->name && (v->flags & CLI_DEFAULT)))
        sb_puts(&sb, "\\fR");
    /* CLI_STOP: the options come first (host exec [OPTIONS] NAME COMMAND...) */
    if (v->operands && !(v->flags & CLI_STOP))
        put_operands(&sb, v->operands, man);
    int linew = text_width(sb.buf);
    for (size_t i = 0; v->opts && v->opts[i].name; i++) {
        const struct cli_opt *o = &v->opts[i];
        if (o->flags & CLI_HIDDEN)
            continue;
        struct strbuf w = STRBUF_INIT;
        if (man)
            sb_puts(&w, "\\%"); /* roff: the word is never hyphenated */
        int req = (o->flags & CLI_REQUIRED) != 0;
        if (!req)
            sb_putc(&w, '[');
        opt_text(&w, o, man);
        if (!req)
            sb_putc(&w, ']');
        if (o->flags & CLI_REPEAT)
            sb_puts(&w, "...");
        /* wrap at 80 columns (display width) in text; roff fills by itself */
        int ww = text_width(w.buf);
        if (!man && linew + 1 + ww > 79 && linew > 4) {
            sb_puts(&sb, "\n   ");
            linew = 3;
        }
        sb_putc(&sb, ' ');
        sb_add(&sb, w.buf, w.len);
        linew += 1 + ww;
        sb_free(&w);
    }
    if (v->flags & (CLI_FORMATS | CLI_JSON)) {
        const char *f = (v->flags & CLI_FORMATS)
                            ? (man ? "[\\fB\\-\\-csv\\fR|\\fB\\-\\-json\\fR]" : "[--csv|--json]")
                            : (man ? "[\\fB\\-\\-json\\fR]" : "[--json]");
        if (!man && linew + 1 + (int)strlen(f) > 79)
            sb_puts(&sb, "\n   ");
        sb_putc(&sb, ' ');
        sb_puts(&sb, f);
    }
    if (v->operands && (v->flags & CLI_STOP))
        put_operands(&sb, v->operands, man);
    fprintf(out, "%s\n", sb.buf);
    sb_free(&sb);
}

/* Prints text (translated) with every line indented by two spaces unless it
 * already is. */
static void put_help(FILE *out, const char *text)
{
    for (const char *l = _(text); *l;) {
        const char *e = strchr(l, '\n');
        int len = e ? (int)(e - l) : (int)strlen(l);
        fprintf(out, "%s%.*s\n", l[0] == ' ' ? "" : "  ", len, l);
        l += len + (e != NULL);
    }
}

static void verb_usage(FILE *out, const char *noun, const struct cli_verb *v)
{
    cli_synopsis(out, noun, v, 0);
    if (v->help)
        put_help(out, v->help);
    for (size_t i = 0; v->opts && v->opts[i].name; i++) {
        const struct cli_opt *o = &v->opts[i];
        if ((!o->help && o->type != CLI_INT) || (o->flags & CLI_HIDDEN))
            continue;
        struct strbuf sb = STRBUF_INIT;
        opt_text(&sb, o, 0);
        /* padded to 28 cells by display width (the value's name may be Japanese) */
        int pad = 28 - text_width(sb.buf) - (o->short_name ? 4 : 0);
        if (o->short_name)
            fprintf(out, "    -%c, %s%*s", o->short_name, sb.buf, pad > 0 ? pad : 0, "");
        else
            fprintf(out, "    %s%*s", sb.buf, pad > 0 ? pad : 0, "");
        if (o->help)
            fprintf(out, " %s", _(o->help));
        if (o->type == CLI_INT) {
            fprintf(out, " (");
            fprintf(out, _("%ld to %ld"), o->min, o->max);
            fprintf(out, ")");
        }
        fputc('\n', out);
        sb_free(&sb);
    }
}

const struct cli_verb *cli_family_verb(const struct cli_family *f, const char *verb)
{
    for (const struct cli_verb *v = f->verbs; verb && v->run; v++)
        if (v->name && strcmp(v->name, verb) == 0)
            return v;
    return NULL;
}

void cli_family_usage(FILE *out, const struct cli_family *f, const char *verb)
{
    const struct cli_verb *one = cli_family_verb(f, verb);
    for (const struct cli_verb *v = f->verbs; v->run; v++)
        if (!one || v == one)
            verb_usage(out, f->noun, v);
    if (!one && f->notes)
        put_help(out, f->notes);
}

/* The verb argv names and the index of its first argument. */
static const struct cli_verb *pick_verb(const struct cli_family *f, int argc, char **argv,
                                        int *skip)
{
    const char *verb = argc > 1 ? argv[1] : NULL;
    const struct cli_verb *v = cli_family_verb(f, verb && verb[0] != '-' ? verb : NULL);
    *skip = 2;
    if (v)
        return v;
    *skip = 1;
    if (f->verbs[0].name == NULL)
        return &f->verbs[0];
    if (!verb || verb[0] == '-')
        for (v = f->verbs; v->run; v++)
            if (v->flags & CLI_DEFAULT)
                return v;
    return NULL;
}

int cli_family_wants_help(const struct cli_family *f, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "-h") == 0)
        return 1;
    int skip;
    const struct cli_verb *v = pick_verb(f, argc, argv, &skip);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0)
            return 1;
        if (!v || i < skip)
            continue;
        /* host exec NAME COMMAND...: the words of COMMAND are the remote's */
        if ((v->flags & CLI_STOP) && argv[i][0] != '-')
            return 0;
        if (argv[i][0] == '-' && argv[i][1] == '-' && !strchr(argv[i], '=')) {
            int amb;
            const struct cli_opt *o = find_long(v, argv[i] + 2, strlen(argv[i] + 2), &amb);
            if (o && o->type != CLI_FLAG && (v->flags & CLI_STOP))
                i++;
        } else if (argv[i][0] == '-' && argv[i][1] && argv[i][2] == '\0') {
            const struct cli_opt *o = find_short(v, argv[i][1]);
            if (o && o->type != CLI_FLAG && (v->flags & CLI_STOP))
                i++;
        }
    }
    return 0;
}

/* "new, list, show or step" for a message. */
static char *verb_list(const struct cli_family *f)
{
    struct strbuf sb = STRBUF_INIT;
    for (const struct cli_verb *v = f->verbs; v->run; v++) {
        if (!v->name)
            continue;
        if (sb.len)
            sb_puts(&sb, ", ");
        sb_puts(&sb, v->name);
    }
    return sb_detach(&sb);
}

/* "unknown verb WORD: use VERBS" (word NULL: "missing verb: use VERBS"), then
 * the family's usage; EXIT_USAGE. */
static int verb_refused(const struct cli_family *f, const char *word)
{
    char *verbs = verb_list(f);
    char *msg = word ? xasprintf(_("unknown verb %s: use %s"), word, verbs)
                     : xasprintf(_("missing verb: use %s"), verbs);
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, msg, 1);
    fprintf(stderr, "unyo %s: %s\n", f->noun, sb.buf);
    sb_free(&sb);
    free(msg);
    free(verbs);
    cli_family_usage(stderr, f, NULL);
    return EXIT_USAGE;
}

int cli_unknown_verb(const struct cli_family *f, const char *word)
{
    return verb_refused(f, word ? word : "");
}

int cli_family_run(struct cli_ctx *ctx, const struct cli_family *f, int argc, char **argv)
{
    int skip;
    const struct cli_verb *v = pick_verb(f, argc, argv, &skip);
    if (!v)
        return verb_refused(f, argc > 1 ? argv[1] : NULL);
    struct cli_args a;
    int rc = cli_parse(f->noun, v, skip == 2 ? argv[1] : NULL, argc - skip, argv + skip, &a);
    if (rc != 0)
        return rc;
    rc = v->run(ctx, &a);
    cli_args_free(&a);
    return rc;
}
