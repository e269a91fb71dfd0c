#include "event_text.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "labels.h"
#include "operators.h"
#include "session_play.h"
#include "store.h"
#include "util.h"

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && streq(s + n - t, tail);
}

/* The display name of login, or login itself; into sb. */
static void put_operator(struct store *st, struct strbuf *sb, const char *login)
{
    char *name = operator_display_name(st, login);
    sb_puts(sb, name);
    free(name);
}

static void put_value(struct store *st, struct strbuf *sb, const char *key, const char *type,
                      const char *value, event_value_name value_name)
{
    char buf[64];
    const char *named = value_name && value ? value_name(key, value) : NULL;
    if (named)
        sb_puts(sb, named);
    else if (streq(type, "null") || !value)
        sb_puts(sb, "-");
    else if (streq(type, "true") || streq(type, "false"))
        sb_puts(sb, label_yes_no(streq(type, "true")));
    else if (streq(key, "assignee") || streq(key, "claimed_by") || streq(key, "operator"))
        put_operator(st, sb, value);
    else if (ends_with(key, "_seconds") && (streq(type, "integer") || streq(type, "real")))
        sb_puts(sb, label_duration(atoll(value), buf, sizeof buf));
    else if (ends_with(key, "_ms") && (streq(type, "integer") || streq(type, "real")))
        sb_puts(sb, label_duration(atoll(value) / 1000, buf, sizeof buf));
    else if (streq(key, "kind"))
        sb_puts(sb, label_link_kind(value));
    else
        sb_puts(sb, value);
}

int event_session_id(struct store *st, const char *data, char id[ID_LEN + 1])
{
    id[0] = 0;
    if (!data || !strstr(data, "ssh_session"))
        return 0;
    sqlite3_stmt *s = store_stmt(st, "SELECT CASE WHEN json_valid(?1) THEN json_extract(?1, "
                                     "'$.kind') END, CASE WHEN json_valid(?1) THEN "
                                     "json_extract(?1, '$.id') END");
    bind_text(s, 1, data);
    char *err = NULL;
    if (store_one_row(s, &err) == 1 && col_text(s, 0) && streq(col_text(s, 0), "ssh_session") &&
        col_text(s, 1) && strlen(col_text(s, 1)) <= ID_LEN)
        snprintf(id, ID_LEN + 1, "%s", col_text(s, 1));
    sqlite3_reset(s);
    free(err);
    return id[0] != 0;
}

/* A link to a console session reads as the session: "コンソール接続:
 * lib-ap01 10:55–10:58 (3分)", never its uuid. NULL when data is not such a
 * link or the session is not in this store. */
static char *session_link_text(struct store *st, const char *data)
{
    char id[ID_LEN + 1], *label = NULL, *err = NULL;
    if (!event_session_id(st, data, id))
        return NULL;
    if (session_label(st, id, &label, &err) != 0)
        label = NULL;
    free(err);
    if (!label)
        return NULL;
    char *text = xasprintf(_("%s: %s"), label_link_kind("ssh_session"), label);
    free(label);
    return text;
}

char *event_describe(struct store *st, const char *data, event_value_name value_name)
{
    struct strbuf sb = STRBUF_INIT;
    if (!data || !*data)
        return sb_detach(&sb);
    char *session = session_link_text(st, data);
    if (session) {
        sb_free(&sb);
        return session;
    }
    /* json_each's value of a nested object or array is its JSON text: shown as
     * is would bring braces back, so those are walked by json_tree's leaves. */
    sqlite3_stmt *s = store_stmt(st, "SELECT key, type, CAST(value AS TEXT) FROM json_tree(?1) "
                                     "WHERE type NOT IN ('object', 'array') AND key IS NOT NULL");
    bind_text(s, 1, data);
    char *err = NULL;
    int rc;
    while ((rc = store_next_row(s, &err)) == 1) {
        const char *key = col_text(s, 0) ? col_text(s, 0) : "";
        if (sb.len)
            sb_puts(&sb, _(", "));
        sb_printf(&sb, _("%s: "), label_event_key(key));
        put_value(st, &sb, key, col_text(s, 1) ? col_text(s, 1) : "", col_text(s, 2), value_name);
    }
    sqlite3_reset(s);
    if (rc < 0) {
        /* Not JSON: the text without the braces and quotes of a JSON look-alike. */
        free(err);
        sb_reset(&sb);
        for (const char *p = data; *p; p++)
            if (!strchr("{}\"", *p))
                sb_putc(&sb, *p);
    }
    return sb_detach(&sb);
}
