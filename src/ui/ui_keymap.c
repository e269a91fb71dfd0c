#include "ui_keymap.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ini.h"
#include "textwidth.h"
#include "ui_list.h"
#include "util.h"

const struct ui_binding ui_global_bindings[] = {
    {"quit", "q", N_("quit (asks first when a form has unsaved input)")},
    {"help", "? F1", N_("show the keys of this pane")},
    {"command", ":", N_("command line (Tab completes): quit, pane, filter, sort, refresh, help")},
    {"filter", "/", N_("filter with a PCRE2 pattern (smart case); empty clears")},
    {"next-match", "n", N_("next match")},
    {"prev-match", "N", N_("previous match")},
    {"next-pane", "Tab", N_("next pane")},
    {"prev-pane", "S-Tab", N_("previous pane")},
    {"pane-1", "1", N_("pane 1")},
    {"pane-2", "2", N_("pane 2")},
    {"pane-3", "3", N_("pane 3")},
    {"pane-4", "4", N_("pane 4")},
    {"pane-5", "5", N_("pane 5")},
    {"pane-6", "6", N_("pane 6")},
    {"pane-7", "7", N_("pane 7")},
    {"pane-8", "8", N_("pane 8")},
    {"pane-9", "9", N_("pane 9")},
    {"refresh", "C-l C-r", N_("reload the pane and redraw the screen")},
    {NULL, NULL, NULL},
};

const struct ui_binding ui_list_bindings[] = {
    {"down", "j Down", N_("next row")},
    {"up", "k Up", N_("previous row")},
    {"left", "h Left", N_("scroll left / previous")},
    {"right", "l Right", N_("scroll right / next")},
    {"top", "g Home", N_("first row")},
    {"bottom", "G End", N_("last row")},
    {"page-down", "PgDn C-f", N_("next page")},
    {"page-up", "PgUp C-b", N_("previous page")},
    {"half-down", "C-d", N_("half a page down")},
    {"half-up", "C-u", N_("half a page up")},
    {"open", "Enter", N_("open the selected row")},
    {"sort", ">", N_("sort by the next column")},
    {"sort-reverse", "<", N_("reverse the sort order")},
    {NULL, NULL, NULL},
};

/* Current keys per action, keyed by action name. */
struct entry {
    const char *action;
    const struct ui_binding *def;
    int keys[KEYMAP_MAX_KEYS];
    int nkeys;
};
static struct entry *entries;
static size_t nentries;

static const struct {
    const char *name;
    int key;
} named_keys[] = {
    {"Tab", UI_KEY_TAB},
    {"S-Tab", UI_KEY_FN | KEY_BTAB},
    {"Enter", UI_KEY_ENTER},
    {"Esc", UI_KEY_ESC},
    {"Space", ' '},
    {"Up", UI_KEY_FN | KEY_UP},
    {"Down", UI_KEY_FN | KEY_DOWN},
    {"Left", UI_KEY_FN | KEY_LEFT},
    {"Right", UI_KEY_FN | KEY_RIGHT},
    {"PgUp", UI_KEY_FN | KEY_PPAGE},
    {"PgDn", UI_KEY_FN | KEY_NPAGE},
    {"Home", UI_KEY_FN | KEY_HOME},
    {"End", UI_KEY_FN | KEY_END},
    {"Backspace", UI_KEY_FN | KEY_BACKSPACE},
    {"Del", UI_KEY_FN | KEY_DC},
    {"Ins", UI_KEY_FN | KEY_IC},
};

int keymap_parse_key(const char *name)
{
    if (!name || !*name)
        return -1;
    for (size_t i = 0; i < ARRAY_LEN(named_keys); i++)
        if (strcmp(name, named_keys[i].name) == 0)
            return named_keys[i].key;
    if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3]) {
        char c = name[2];
        if (c >= 'a' && c <= 'z')
            return UI_KEY_CTRL(c);
        if (c >= 'A' && c <= 'Z')
            return UI_KEY_CTRL(c - 'A' + 'a');
        return -1;
    }
    if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 12)
            return UI_KEY_FN | KEY_F((int)n);
        return -1;
    }
    uint32_t cp;
    size_t len = strlen(name);
    size_t used = utf8_decode(name, len, &cp);
    if (used != len || cp == 0xFFFD || cp < 0x21 || cp == 0x7f)
        return -1;
    return (int)cp;
}

const char *keymap_key_name(int key, char *buf, size_t size)
{
    for (size_t i = 0; i < ARRAY_LEN(named_keys); i++)
        if (named_keys[i].key == key) {
            snprintf(buf, size, "%s", named_keys[i].name);
            return buf;
        }
    if (key >= 1 && key <= 26) {
        snprintf(buf, size, "C-%c", 'a' + key - 1);
        return buf;
    }
    if ((key & UI_KEY_FN) && (key & ~UI_KEY_FN) >= KEY_F(1) && (key & ~UI_KEY_FN) <= KEY_F(12)) {
        snprintf(buf, size, "F%d", (key & ~UI_KEY_FN) - KEY_F0);
        return buf;
    }
    if (key & UI_KEY_FN) {
        snprintf(buf, size, "<%d>", key & ~UI_KEY_FN);
        return buf;
    }
    char u[5] = {0};
    utf8_encode((uint32_t)key, u);
    snprintf(buf, size, "%s", u);
    return buf;
}

int keymap_normalize(int key)
{
    switch (key) {
    case 13:
    case UI_KEY_FN | KEY_ENTER:
        return UI_KEY_ENTER;
    case 127:
    case 8:
        return UI_KEY_BACKSPACE;
    default:
        return key;
    }
}

static int parse_keys(const char *spec, int *keys, int *n, char **err)
{
    char *copy = xstrdup(spec);
    *n = 0;
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save)) {
        int k = keymap_parse_key(tok);
        if (k < 0) {
            set_err(err,
                    _("unknown key name \"%s\" (expected a character, C-x, F1..F12, Tab, "
                      "S-Tab, Enter, Esc, Space, Up, Down, Left, Right, PgUp, PgDn, Home, "
                      "End, Backspace, Del)"),
                    tok);
            rc = -1;
            break;
        }
        if (*n == KEYMAP_MAX_KEYS) {
            set_err(err, _("too many keys for one action (at most %d)"), KEYMAP_MAX_KEYS);
            rc = -1;
            break;
        }
        keys[(*n)++] = k;
    }
    free(copy);
    return rc;
}

static void add_table(const struct ui_binding *b)
{
    for (; b && b->action; b++) {
        entries = xrealloc(entries, (nentries + 1) * sizeof *entries);
        struct entry *e = &entries[nentries++];
        e->action = b->action;
        e->def = b;
        if (parse_keys(b->keys, e->keys, &e->nkeys, NULL) != 0)
            abort(); /* the compiled-in tables are checked by tests */
    }
}

static struct entry *find_entry(const char *action)
{
    for (size_t i = 0; i < nentries; i++)
        if (strcmp(entries[i].action, action) == 0)
            return &entries[i];
    return NULL;
}

/* The shared list action that key triggers now, or NULL. */
static const char *shared_action_of(int key)
{
    for (size_t i = 0; ui_list_shared_actions[i]; i++) {
        struct entry *e = find_entry(ui_list_shared_actions[i]);
        for (int k = 0; e && k < e->nkeys; k++)
            if (e->keys[k] == key)
                return e->action;
    }
    return NULL;
}

/* -1 with *err when one of keys[0..n) is a shared list key. */
static int check_not_shared(const char *action, const int *keys, int n, char **err)
{
    for (int k = 0; k < n; k++) {
        const char *shared = shared_action_of(keys[k]);
        if (shared) {
            char name[32];
            keymap_key_name(keys[k], name, sizeof name);
            set_err(err,
                    _("%s cannot take the key %s: it is %s in every list (choose another key)"),
                    action, name, shared);
            return -1;
        }
    }
    return 0;
}

/* The action's pane, when it belongs to a list pane's table. */
static const struct pane_ops *list_pane_of(const char *action)
{
    size_t n;
    const struct pane_ops *const *reg = ui_pane_registry(&n);
    for (size_t i = 0; i < n; i++)
        for (const struct ui_binding *b = reg[i]->bindings; reg[i]->list && b && b->action; b++)
            if (strcmp(b->action, action) == 0)
                return reg[i];
    return NULL;
}

int keymap_check_bindings(const struct ui_binding *b, char **err)
{
    if (!entries)
        keymap_init_unchecked();
    for (; b && b->action; b++) {
        int keys[KEYMAP_MAX_KEYS], n;
        if (parse_keys(b->keys, keys, &n, err) != 0 ||
            check_not_shared(b->action, keys, n, err) != 0)
            return -1;
    }
    return 0;
}

int keymap_check_panes(char **err)
{
    if (!entries)
        keymap_init_unchecked();
    size_t n;
    const struct pane_ops *const *reg = ui_pane_registry(&n);
    for (size_t i = 0; i < n; i++) {
        if (!reg[i]->list)
            continue;
        for (const struct ui_binding *b = reg[i]->bindings; b && b->action; b++) {
            struct entry *e = find_entry(b->action);
            if (e && check_not_shared(b->action, e->keys, e->nkeys, err) != 0)
                return -1;
        }
    }
    return 0;
}

void keymap_init_unchecked(void)
{
    free(entries);
    entries = NULL;
    nentries = 0;
    add_table(ui_global_bindings);
    add_table(ui_list_bindings);
    size_t n;
    const struct pane_ops *const *reg = ui_pane_registry(&n);
    for (size_t i = 0; i < n; i++)
        add_table(reg[i]->bindings);
}

void keymap_init(void)
{
    keymap_init_unchecked();
    char *err = NULL;
    if (keymap_check_panes(&err) != 0) {
        /* a compiled-in table redefines a shared key: tests catch it */
        fprintf(stderr, "unyo: %s\n", err);
        abort();
    }
}

int keymap_set(const char *action, const char *keys, char **err)
{
    if (!entries)
        keymap_init();
    struct entry *e = find_entry(action);
    if (!e) {
        set_err(err, _("unknown action \"%s\" (see unyo --keys)"), action);
        return -1;
    }
    int k[KEYMAP_MAX_KEYS], n;
    if (parse_keys(keys, k, &n, err) != 0)
        return -1;
    if (list_pane_of(action) && check_not_shared(action, k, n, err) != 0)
        return -1;
    memcpy(e->keys, k, sizeof k);
    e->nkeys = n;
    return 0;
}

/* Pairs of the INI file in order (a continuation line as its key again). */
struct ui_ini_ctx {
    ui_ini_line_handler handler;
    void *user;
};

static int ui_ini_item(void *user, const struct ini_item *it, char **err)
{
    (void)err;
    struct ui_ini_ctx *c = user;
    if (it->kind != INI_PAIR)
        return 0;
    return c->handler(c->user, it->section, it->key, it->value, it->line) ? 0 : -1;
}

int ui_ini_parse(const char *path, ui_ini_line_handler handler, void *user)
{
    struct ui_ini_ctx c = {handler, user};
    int line = 0;
    if (ini_read_file(path, INI_OPT_CLASSIC, ui_ini_item, &c, &line, NULL) == 0)
        return 0;
    return line > 0 ? line : -1;
}

static int on_ini(void *user, const struct ini_item *it, char **err)
{
    (void)user;
    if (it->kind != INI_PAIR || strcmp(it->section, "keys") != 0)
        return 0;
    char *e = NULL;
    if (keymap_set(it->key, it->value, &e) != 0) {
        ini_fail(it, err, "%s", e);
        free(e);
        return -1;
    }
    return 0;
}

int keymap_load_file(const char *path, char **err)
{
    if (!entries)
        keymap_init();
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    fclose(f);
    struct entry *saved = xmalloc(nentries * sizeof *saved);
    memcpy(saved, entries, nentries * sizeof *saved);
    if (ini_read_file(path, INI_OPT_CLASSIC, on_ini, NULL, NULL, err) != 0) {
        memcpy(entries, saved, nentries * sizeof *saved);
        free(saved);
        return -1;
    }
    free(saved);
    return 0;
}

static int binding_has_key(const struct ui_binding *table, int key, const char **action)
{
    for (const struct ui_binding *b = table; b && b->action; b++) {
        struct entry *e = find_entry(b->action);
        for (int i = 0; e && i < e->nkeys; i++)
            if (e->keys[i] == key) {
                *action = b->action;
                return 1;
            }
    }
    return 0;
}

const char *keymap_lookup(const struct pane_ops *pane, int key)
{
    if (!entries)
        keymap_init();
    const char *a = NULL;
    if (pane && pane->list && (a = shared_action_of(key)) != NULL)
        return a;
    if (pane && binding_has_key(pane->bindings, key, &a))
        return a;
    if (binding_has_key(ui_list_bindings, key, &a))
        return a;
    if (binding_has_key(ui_global_bindings, key, &a))
        return a;
    return NULL;
}

const char *keymap_keys_of(const char *action, char *buf, size_t size)
{
    if (!entries)
        keymap_init();
    buf[0] = 0;
    struct entry *e = find_entry(action);
    size_t used = 0;
    for (int i = 0; e && i < e->nkeys; i++) {
        char name[32];
        keymap_key_name(e->keys[i], name, sizeof name);
        int w = snprintf(buf + used, size - used, "%s%s", i ? " " : "", name);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
    return buf;
}

static void print_table(FILE *out, const char *heading, const struct ui_binding *b)
{
    fprintf(out, "%s\n", heading);
    for (; b && b->action; b++) {
        char keys[96];
        keymap_keys_of(b->action, keys, sizeof keys);
        fprintf(out, "  %-14s %-22s %s\n", keys, b->action, _(b->help));
    }
    fprintf(out, "\n");
}

void keymap_print(FILE *out)
{
    if (!entries)
        keymap_init();
    fprintf(out, "%s\n\n",
            _("Console keys (KEYS  ACTION  WHAT IT DOES). Override them in "
              "~/.config/unyo/config.ini, section [keys]: ACTION = KEYS."));
    print_table(out, _("Everywhere:"), ui_global_bindings);
    print_table(out, _("In lists:"), ui_list_bindings);
    size_t n;
    const struct pane_ops *const *reg = ui_pane_registry(&n);
    for (size_t i = 0; i < n; i++)
        if (reg[i]->bindings && reg[i]->bindings->action) {
            char *h = xasprintf("%s:", _(reg[i]->title));
            print_table(out, h, reg[i]->bindings);
            free(h);
        }
}

static void print_ini_table(FILE *out, const char *heading, const struct ui_binding *b)
{
    fprintf(out, "\n; %s\n", heading);
    for (; b && b->action; b++)
        fprintf(out, "%-20s = %-12s ; %s\n", b->action, b->keys, b->help);
}

void keymap_print_ini(FILE *out)
{
    fprintf(out, "; unyo console: default key bindings (generated by `unyo --keys-ini`; a unit\n"
                 "; test checks this file against the built-in table). Copy lines into\n"
                 "; ~/.config/unyo/config.ini, section [keys], to change them.\n"
                 "; Keys: a character, C-x, F1..F12, Tab, S-Tab, Enter, Esc, Space, Up, Down,\n"
                 "; Left, Right, PgUp, PgDn, Home, End, Backspace, Del; several separated by\n"
                 "; spaces.\n\n[keys]\n");
    print_ini_table(out, "everywhere", ui_global_bindings);
    print_ini_table(out, "in lists", ui_list_bindings);
    size_t n;
    const struct pane_ops *const *reg = ui_pane_registry(&n);
    for (size_t i = 0; i < n; i++)
        if (reg[i]->bindings && reg[i]->bindings->action)
            print_ini_table(out, reg[i]->name, reg[i]->bindings);
}
