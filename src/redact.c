/* Redaction of recorded output: see redact.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "redact.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "i18n.h"
#include "ini.h"
#include "paths.h"

struct rule {
    char *name;
    int line;
    char *pattern;
    pcre2_code *re;
    int secret; /* the number of the group named secret, 0 if none */
};

struct redact_rules {
    struct rule *v;
    size_t n;
    pcre2_match_context *mctx; /* a bound on backtracking, so a bad rule cannot hang */
};

struct redactor {
    const struct redact_rules *rules;
    struct strbuf hold;
    pcre2_match_data *md;
    size_t *hits; /* per rule */
};

static int name_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

struct parse_ctx {
    struct redact_rules *rules;
    const char *file;
};

static int on_item(void *user, const struct ini_item *it, char **err)
{
    struct parse_ctx *p = user;
    struct redact_rules *rs = p->rules;
    if (it->kind == INI_SECTION) {
        if (!name_ok(it->section))
            return ini_fail(it, err,
                            _("rule name [%s]: use letters, digits, '-', '_' and '.' only"),
                            it->section);
        for (size_t i = 0; i < rs->n; i++)
            if (strcmp(rs->v[i].name, it->section) == 0)
                return ini_fail(it, err, _("rule [%s] is defined twice (first on line %d)"),
                                it->section, rs->v[i].line);
        rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
        memset(&rs->v[rs->n], 0, sizeof rs->v[rs->n]);
        rs->v[rs->n].name = xstrdup(it->section);
        rs->v[rs->n].line = it->line;
        rs->n++;
        return 0;
    }
    if (rs->n == 0)
        return ini_fail(it, err, _("%s outside a [rule] section"), it->key);
    struct rule *r = &rs->v[rs->n - 1];
    if (strcmp(it->key, "pattern") != 0)
        return ini_fail(it, err, _("rule [%s]: unknown key %s (expected pattern)"), r->name,
                        it->key);
    if (r->pattern)
        return ini_fail(it, err, _("rule [%s]: pattern given twice"), r->name);
    if (!*it->value)
        return ini_fail(it, err, _("rule [%s]: empty pattern"), r->name);
    r->pattern = xstrdup(it->value);
    int ec;
    PCRE2_SIZE off;
    r->re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
    if (!r->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return ini_fail(it, err, _("rule [%s]: the pattern does not compile at offset %zu: %s"),
                        r->name, (size_t)off, (const char *)msg);
    }
    /* A pattern that can match empty text would mark every position. */
    uint32_t minlen = 0;
    pcre2_pattern_info(r->re, PCRE2_INFO_MINLENGTH, &minlen);
    if (minlen == 0)
        return ini_fail(it, err, _("rule [%s]: the pattern can match empty text"), r->name);
    int g = pcre2_substring_number_from_name(r->re, (PCRE2_SPTR) "secret");
    r->secret = g > 0 ? g : 0;
    pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD);
    return 0;
}

int redact_rules_parse(const char *name, const char *data, size_t len, struct redact_rules **out,
                       char **err)
{
    *out = NULL;
    struct redact_rules *rs = xcalloc(1, sizeof *rs);
    rs->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(rs->mctx, 1000000);
    struct parse_ctx p = {rs, name};
    if (ini_read_mem(name, data, len, 0, on_item, &p, NULL, err) != 0) {
        redact_rules_free(rs);
        return -1;
    }
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->v[i].pattern) {
            set_err(err, _("%s:%d: rule [%s] has no pattern"), name, rs->v[i].line, rs->v[i].name);
            redact_rules_free(rs);
            return -1;
        }
    *out = rs;
    return 0;
}

int redact_rules_load(const char *path, struct redact_rules **out, char **err)
{
    *out = NULL;
    char *p = paths_find_data(path ? path : config_value("record", "redact"), "redact.ini");
    if (!p) {
        *out = xcalloc(1, sizeof **out);
        return 0;
    }
    size_t len = 0;
    char *data = read_file(p, &len, err);
    if (!data) {
        free(p);
        return -1;
    }
    int rc = redact_rules_parse(p, data, len, out, err);
    free(data);
    free(p);
    return rc;
}

void redact_rules_free(struct redact_rules *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->v[i].name);
        free(rs->v[i].pattern);
        pcre2_code_free(rs->v[i].re);
    }
    free(rs->v);
    if (rs->mctx)
        pcre2_match_context_free(rs->mctx);
    free(rs);
}

size_t redact_rules_count(const struct redact_rules *rs)
{
    return rs ? rs->n : 0;
}

const char *redact_rule_name(const struct redact_rules *rs, size_t i)
{
    return rs && i < rs->n ? rs->v[i].name : NULL;
}

struct redactor *redactor_new(const struct redact_rules *rules)
{
    struct redactor *r = xcalloc(1, sizeof *r);
    r->rules = rules;
    if (rules && rules->n) {
        r->md = pcre2_match_data_create(20, NULL);
        r->hits = xcalloc(rules->n, sizeof *r->hits);
    }
    return r;
}

void redactor_free(struct redactor *r)
{
    if (!r)
        return;
    sb_free(&r->hold);
    if (r->md)
        pcre2_match_data_free(r->md);
    free(r->hits);
    free(r);
}

static void put_mark(struct strbuf *out, const char *name)
{
    char *m = xasprintf(_("[redacted:%s]"), name);
    sb_puts(out, m);
    free(m);
}

/* One rule over s[0..len) into out. final: a partial match at the end is redacted
 * to the end. Complete matches only otherwise (no partial mode). */
static void apply_rule(struct redactor *r, size_t ri, const char *s, size_t len, int final,
                       struct strbuf *out)
{
    const struct rule *ru = &r->rules->v[ri];
    size_t off = 0, emitted = 0;
    while (off <= len) {
        int rc = pcre2_match(ru->re, (PCRE2_SPTR)s, len, off, final ? PCRE2_PARTIAL_HARD : 0, r->md,
                             NULL);
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        if (rc == PCRE2_ERROR_PARTIAL) {
            sb_add(out, s + emitted, ov[0] - emitted);
            put_mark(out, ru->name);
            r->hits[ri]++;
            emitted = len;
            break;
        }
        if (rc < 0)
            break;
        size_t ms = ov[0], me = ov[1], ss = ms, se = me;
        if (ru->secret && rc > ru->secret && ov[2 * ru->secret] != PCRE2_UNSET) {
            ss = ov[2 * ru->secret];
            se = ov[2 * ru->secret + 1];
        }
        if (se > ss) {
            sb_add(out, s + emitted, ss - emitted);
            put_mark(out, ru->name);
            r->hits[ri]++;
            emitted = se;
        }
        off = me > ms ? me : ms + 1;
    }
    if (emitted < len)
        sb_add(out, s + emitted, len - emitted);
}

/* Every rule in turn over s[0..len) into out. */
static void apply_all(struct redactor *r, const char *s, size_t len, int final, struct strbuf *out)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    sb_add(&a, s, len);
    for (size_t i = 0; i < r->rules->n; i++) {
        sb_reset(&b);
        apply_rule(r, i, a.buf, a.len, final, &b);
        struct strbuf t = a;
        a = b;
        b = t;
    }
    sb_add(out, a.buf ? a.buf : "", a.len);
    sb_free(&a);
    sb_free(&b);
}

/* Where in s[0..len) the text that may still become a match begins (len: nowhere). */
static size_t hold_from(struct redactor *r, const char *s, size_t len)
{
    size_t h = len;
    int moved = 1;
    while (moved) {
        moved = 0;
        for (size_t i = 0; i < r->rules->n; i++) {
            const struct rule *ru = &r->rules->v[i];
            size_t off = 0;
            while (off < len) {
                int rc =
                    pcre2_match(ru->re, (PCRE2_SPTR)s, len, off, PCRE2_PARTIAL_HARD, r->md, r->rules->mctx);
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
                if (rc == PCRE2_ERROR_PARTIAL) {
                    if (ov[0] < h) {
                        h = ov[0];
                        moved = 1;
                    }
                    break;
                }
                if (rc < 0)
                    break;
                /* A complete match across the cut goes to the held text whole. */
                if (ov[0] < h && ov[1] > h) {
                    h = ov[0];
                    moved = 1;
                }
                off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            }
        }
    }
    return h;
}

void redactor_feed(struct redactor *r, const char *data, size_t len, struct strbuf *out)
{
    if (!r->md) {
        sb_add(out, data, len);
        return;
    }
    sb_add(&r->hold, data, len);
    size_t n = r->hold.len;
    size_t h = hold_from(r, r->hold.buf, n);
    if (n - h > REDACT_HOLD_MAX) {
        /* Too long to wait for: what may be a secret is redacted now. */
        apply_all(r, r->hold.buf, n, 1, out);
        sb_reset(&r->hold);
        return;
    }
    if (h == 0)
        return;
    apply_all(r, r->hold.buf, h, 0, out);
    memmove(r->hold.buf, r->hold.buf + h, n - h);
    r->hold.len = n - h;
    r->hold.buf[r->hold.len] = '\0';
}

void redactor_flush(struct redactor *r, struct strbuf *out)
{
    if (!r->md || r->hold.len == 0)
        return;
    apply_all(r, r->hold.buf, r->hold.len, 1, out);
    sb_reset(&r->hold);
}

char *redactor_summary(const struct redactor *r)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; r->hits && i < r->rules->n; i++)
        if (r->hits[i])
            sb_printf(&sb, "%s%s:%zu", sb.len ? "," : "", r->rules->v[i].name, r->hits[i]);
    return sb_detach(&sb);
}

char *redact_text(const struct redact_rules *rules, const char *text, size_t len, size_t *out_len)
{
    struct redactor *r = redactor_new(rules);
    struct strbuf out = STRBUF_INIT;
    redactor_feed(r, text, len, &out);
    redactor_flush(r, &out);
    redactor_free(r);
    if (out_len)
        *out_len = out.len;
    return sb_detach(&out);
}
