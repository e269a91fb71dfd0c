/* The level of a check result: see check_level.h. */
#include "check_level.h"

#include <string.h>

#include "i18n.h"

const char *check_level_key(int level)
{
    return level == CHECK_LEVEL_WARN ? "warn" : level == CHECK_LEVEL_CRIT ? "crit" : "ok";
}

int check_level_parse(const char *key, const char *status)
{
    if (key && strcmp(key, "warn") == 0)
        return CHECK_LEVEL_WARN;
    if (key && strcmp(key, "crit") == 0)
        return CHECK_LEVEL_CRIT;
    if (key && strcmp(key, "ok") == 0)
        return CHECK_LEVEL_OK;
    return status && strcmp(status, "ng") == 0 ? CHECK_LEVEL_CRIT : CHECK_LEVEL_OK;
}

const char *check_level_label(int level)
{
    return level == CHECK_LEVEL_WARN ? _("WARN") : level == CHECK_LEVEL_CRIT ? _("CRIT") : _("OK");
}
