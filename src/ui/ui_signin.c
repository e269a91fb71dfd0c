#include "ui_signin.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "i18n.h"
#include "operators.h"
#include "signin.h"
#include "store.h"
#include "textwidth.h"
#include "ui.h"
#include "ui_loop.h"
#include "ui_shift.h"
#include "util.h"

enum mode { M_START, M_SWITCH, M_LOCK, M_SIGN };
enum step { S_LOGIN, S_PASS, S_NEW1, S_NEW2 };

#define FIELD_MAX (SIGNIN_MAX_LEN * 4 + 1)

struct signin {
    struct ui_modal m;
    enum mode mode;
    enum step step;
    char login[65];
    char pass[FIELD_MAX];
    char new1[FIELD_MAX];
    char *error;
};

static struct signin *open_one; /* at most one sign-in screen at a time */
static int64_t last_key_ms;

static void wipe(struct signin *s)
{
    signin_wipe(s->pass, sizeof s->pass);
    signin_wipe(s->new1, sizeof s->new1);
}

static void s_free(struct ui_modal *m)
{
    struct signin *s = (struct signin *)m;
    wipe(s);
    free(s->error);
    if (open_one == s)
        open_one = NULL;
    free(s);
}

static char *field(struct signin *s, size_t *cap)
{
    switch (s->step) {
    case S_LOGIN:
        *cap = sizeof s->login;
        return s->login;
    case S_PASS:
    case S_NEW2:
        *cap = sizeof s->pass;
        return s->pass;
    default:
        *cap = sizeof s->new1;
        return s->new1;
    }
}

static void put_utf8(char *buf, size_t cap, int cp)
{
    char enc[5];
    size_t n;
    if (cp < 0x80)
        enc[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        enc[0] = (char)(0xC0 | (cp >> 6)), enc[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        enc[0] = (char)(0xE0 | (cp >> 12)), enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        enc[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        enc[0] = (char)(0xF0 | (cp >> 18)), enc[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        enc[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), enc[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    size_t len = strlen(buf);
    if (len + n + 1 > cap)
        return;
    memcpy(buf + len, enc, n);
    buf[len + n] = '\0';
}

static void back_utf8(char *buf)
{
    size_t len = strlen(buf);
    while (len > 0 && ((unsigned char)buf[len - 1] & 0xC0) == 0x80)
        buf[--len] = '\0';
    if (len > 0)
        buf[len - 1] = '\0';
}

static void set_error(struct signin *s, char *msg)
{
    free(s->error);
    s->error = msg;
}

/* The person is signed in: from now on the console acts as them. */
static void signed_in(struct signin *s)
{
    struct store *st = ui_store();
    if (s->mode == M_SIGN) {
        ui_message(_("Passphrase accepted: do the act again (it counts for 5 minutes)"));
        return;
    }
    const char *before = st->operator_login ? st->operator_login : "";
    if (!streq(before, s->login) && st->operator_login)
        signin_forget(before);
    store_set_signed_in_login(s->login);
    store_forget_operator(st);
    char *err = NULL;
    if (store_require_operator(st, &err) != 0) {
        ui_error_take(err);
        return;
    }
    signin_record(st, s->login,
                  s->mode == M_SWITCH ? "switch"
                  : s->mode == M_LOCK ? "unlock"
                                      : "start");
    char *name = operator_display_name(st, s->login);
    ui_message(_("Signed in as %s"), name);
    free(name);
    ui_status_shift_changed();
    ui_dirty(UI_DIRTY_RELOAD | UI_DIRTY_COUNTS | UI_DIRTY_ALL);
}

static int enter(struct signin *s)
{
    struct store *st = ui_store();
    char *err = NULL;
    switch (s->step) {
    case S_LOGIN: {
        int state = s->login[0] ? signin_state(st, s->login, &err) : -1;
        if (state < 0) {
            set_error(s, err ? err : xstrdup(_("type your login")));
            return 0;
        }
        set_error(s, NULL);
        s->step = state == SIGNIN_MUST_SET ? S_NEW1 : S_PASS;
        return 0;
    }
    case S_PASS:
        if (signin_check(st, s->login, s->pass, &err) != 0) {
            wipe(s);
            set_error(s, err);
            return 0;
        }
        wipe(s);
        signed_in(s);
        return 1;
    case S_NEW1:
        if (strlen(s->new1) < SIGNIN_MIN_LEN) {
            set_error(s, xasprintf(_("a passphrase has %d to %d characters"), SIGNIN_MIN_LEN,
                                   SIGNIN_MAX_LEN));
            wipe(s);
            return 0;
        }
        set_error(s, NULL);
        s->step = S_NEW2;
        return 0;
    case S_NEW2:
        if (!streq(s->pass, s->new1)) {
            wipe(s);
            s->step = S_NEW1;
            set_error(s, xstrdup(_("the two new passphrases differ; type it again")));
            return 0;
        }
        if (signin_set_passphrase(st, s->login, NULL, s->new1, &err) != 0) {
            wipe(s);
            s->step = S_NEW1;
            set_error(s, err);
            return 0;
        }
        wipe(s);
        signed_in(s);
        return 1;
    }
    return 0;
}

static int s_key(struct ui_modal *m, int key)
{
    struct signin *s = (struct signin *)m;
    size_t cap;
    char *f = field(s, &cap);
    if (key == UI_KEY_ENTER || key == '\r' || key == (UI_KEY_FN | KEY_ENTER))
        return enter(s);
    if (key == UI_KEY_ESC || key == UI_KEY_CTRL('c')) {
        wipe(s);
        if (s->mode == M_SWITCH || s->mode == M_SIGN)
            return 1;
        if (s->step != S_LOGIN) {
            /* Back to the login: another person may sign in instead. */
            s->step = S_LOGIN;
            set_error(s, NULL);
            return 0;
        }
        if (s->mode == M_START) {
            ui_loop_quit();
            return 1;
        }
        return 0; /* a lock stays until somebody signs in */
    }
    if (key == UI_KEY_BACKSPACE || key == 127 || key == 8) {
        back_utf8(f);
        return 0;
    }
    if (key == UI_KEY_CTRL('u')) {
        signin_wipe(f, cap);
        return 0;
    }
    if (key >= 32 && key < UI_KEY_FN && key != 127) {
        if (s->step == S_LOGIN && key >= 0x80)
            return 0;
        put_utf8(f, cap, key);
    }
    return 0;
}

static void s_mouse(struct ui_modal *m, const MEVENT *ev)
{
    (void)m, (void)ev; /* nothing behind the sign-in screen is reachable */
}

static void s_draw(struct ui_modal *m, const struct ui_canvas *scr)
{
    struct signin *s = (struct signin *)m;
    if (s->mode != M_SIGN)
        ui_clear(scr, -1, STYLE_NORMAL); /* nothing of the ledgers shows */
    const char *title = s->mode == M_LOCK     ? _("Locked")
                        : s->mode == M_SWITCH ? _("Who is at the keyboard now?")
                        : s->mode == M_SIGN   ? _("A signed act")
                                              : _("Sign in to unyo");
    int w = scr->w - 4 < 64 ? scr->w - 4 : 64;
    struct ui_canvas in = ui_box(scr, 9, w, title);
    int y = 0;
    const char *intro = s->mode == M_LOCK
                            ? _("The console locked itself after a while without a key.")
                        : s->mode == M_SIGN ? _("This act is signed: type your passphrase.")
                                            : _("Sign in with your login and your passphrase.");
    ui_put(&in, y++, 1, -1, STYLE_NORMAL, intro);
    y++;
    char *line = xasprintf("%s %s", _("Login:"), s->login);
    ui_put(&in, y, 1, -1, s->step == S_LOGIN ? STYLE_FORM_FOCUS : STYLE_FORM_LABEL, line);
    if (s->step == S_LOGIN) {
        ui_cursor_y = in.y + y;
        ui_cursor_x = in.x + 1 + text_width(line);
    }
    free(line);
    y++;
    /* The passphrase is never shown, not even its length. */
    const char *label = s->step == S_NEW1   ? _("New passphrase (at least 8 characters):")
                        : s->step == S_NEW2 ? _("The new passphrase again:")
                                            : _("Passphrase:");
    if (s->step != S_LOGIN) {
        ui_put(&in, y, 1, -1, STYLE_FORM_FOCUS, label);
        ui_cursor_y = in.y + y;
        ui_cursor_x = in.x + 2 + text_width(label);
    }
    y++;
    if (s->error)
        ui_put(&in, y, 1, -1, STYLE_ERROR, s->error);
    y++;
    const char *hint = s->mode == M_START  ? _("Enter: next   Esc: back / quit unyo")
                       : s->mode == M_LOCK ? _("Enter: next   Esc: another person signs in")
                                           : _("Enter: next   Esc: cancel");
    ui_put(&in, y + 1, 1, -1, STYLE_DIM, hint);
}

static int s_paste(struct ui_modal *m, const char *text, size_t len)
{
    (void)m, (void)text, (void)len;
    return 0; /* as typed keys */
}

static void open_screen(enum mode mode, const char *login, enum step step)
{
    if (open_one) {
        /* Already asking: a lock over a switch asks the same. */
        if (mode == M_LOCK && open_one->mode != M_LOCK)
            open_one->mode = M_LOCK;
        return;
    }
    struct signin *s = xcalloc(1, sizeof *s);
    s->m.key = s_key;
    s->m.draw = s_draw;
    s->m.free = s_free;
    s->m.mouse = s_mouse;
    s->m.paste = s_paste;
    s->m.has_input = 1;
    s->mode = mode;
    s->step = step;
    snprintf(s->login, sizeof s->login, "%s", login ? login : "");
    if (step != S_LOGIN) {
        char *err = NULL;
        int state = signin_state(ui_store(), s->login, &err);
        free(err);
        if (state == SIGNIN_MUST_SET)
            s->step = S_NEW1;
        else if (state < 0)
            s->step = S_LOGIN;
    }
    open_one = s;
    ui_modal_push(&s->m);
    ui_dirty(UI_DIRTY_ALL);
}

static int has_operators(struct store *st)
{
    struct operator_brief *ops = NULL;
    size_t n = 0;
    char *err = NULL;
    if (operator_list_active(st, NULL, &ops, &n, &err) != 0) {
        free(err);
        return 0;
    }
    operator_briefs_free(ops, n);
    return n > 0;
}

void ui_signin_start(void)
{
    struct store *st = ui_store();
    last_key_ms = ui_monotonic_ms();
    /* A demo or test store acts as UNYO_USER; a store nobody is registered in yet has the
     * guided first run (its first operator sets a passphrase at the next start). */
    if (st->demo || !has_operators(st))
        return;
    open_screen(M_START, store_own_login(), S_LOGIN);
}

void ui_signin_switch(void)
{
    struct store *st = ui_store();
    if (st->demo) {
        ui_error("%s", _("a demo store has no sign-in: act as someone with :as LOGIN"));
        return;
    }
    open_screen(M_SWITCH, "", S_LOGIN);
}

void ui_signin_activity(void)
{
    last_key_ms = ui_monotonic_ms();
}

static long lock_after_s(void)
{
    const char *v = config_value("signin", "lock_after");
    if (!v || !*v)
        return 900;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    return end && *end == '\0' && n >= 0 ? n : 900;
}

void ui_signin_tick(void)
{
    struct store *st = ui_store();
    if (!st || st->demo || open_one || !st->operator_login)
        return;
    long after = lock_after_s();
    if (after <= 0 || ui_monotonic_ms() - last_key_ms < after * 1000)
        return;
    /* Locked: the person must give the passphrase again (signed acts too). */
    signin_forget(st->operator_login);
    open_screen(M_LOCK, st->operator_login, S_PASS);
}

void ui_signin_after_error(void)
{
    struct store *st = ui_store();
    if (!st || st->demo || !signin_take_needed() || !st->operator_login)
        return;
    open_screen(M_SIGN, st->operator_login, S_PASS);
}
