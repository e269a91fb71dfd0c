/* Every message the operator reads goes through gettext. Source strings are
 * English; po/ja.po carries Japanese. */
#ifndef UNYO_I18N_H
#define UNYO_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Sets the locale from the environment and binds the catalog. lang, when not
 * NULL, is "ja" or "en" and overrides the environment (--lang). */
void i18n_init(const char *lang);
/* "ja" or "en": the language messages are shown in. */
const char *i18n_lang(void);

#endif
