#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "install_dirs.h"

static char current_lang[8] = "en";

static int starts_ja(const char *s)
{
    return s && strncmp(s, "ja", 2) == 0;
}

void i18n_init(const char *lang)
{
    /* A locale the machine lacks (ja_JP.UTF-8 is often not generated) must not
     * cost UTF-8: fall back to C.UTF-8 and keep the language for gettext. */
    if (!setlocale(LC_ALL, "")) {
        if (!setlocale(LC_ALL, "C.UTF-8"))
            setlocale(LC_ALL, "C");
    }
    const char *want = lang;
    if (!want) {
        const char *vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
        for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
            const char *v = getenv(vars[i]);
            if (v && *v) {
                want = starts_ja(v) ? "ja" : "en";
                break;
            }
        }
    }
    if (!want)
        want = "en";
    strcpy(current_lang, starts_ja(want) ? "ja" : "en");
    /* gettext picks the catalog from LANGUAGE first; it is honoured under any
     * locale but plain "C", which setlocale above avoids when it can. */
    setenv("LANGUAGE", current_lang, 1);
    bindtextdomain("unyo", install_localedir());
    bind_textdomain_codeset("unyo", "UTF-8");
    textdomain("unyo");
}

const char *i18n_lang(void)
{
    return current_lang;
}
