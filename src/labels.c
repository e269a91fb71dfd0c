#include "labels.h"

#include <stdio.h>

#include "i18n.h"
#include "ledger.h"
#include "util.h"

struct lbl {
    const char *key, *ctx_id; /* ctx_id: a P_() key */
};

static const char *find(const struct lbl *l, size_t n, const char *key)
{
    for (size_t i = 0; key && i < n; i++)
        if (streq(l[i].key, key))
            return ledger_label(l[i].ctx_id);
    return key ? key : "";
}

#define FAMILY(fn, keys, ...)                                                                      \
    const char *fn(const char *key)                                                                \
    {                                                                                              \
        static const struct lbl l[] = {__VA_ARGS__};                                               \
        return find(l, ARRAY_LEN(l), key);                                                         \
    }

const char *const label_roles[] = {"operator", "engineer", "manager", "observer", NULL};
FAMILY(label_role, label_roles, {"operator", P_("role", "operator")},
       {"engineer", P_("role", "engineer")}, {"manager", P_("role", "manager")},
       {"observer", P_("role", "observer")})

const char *const label_host_roles[] = {"AP",   "DB",     "file",    "AD",    "proxy",
                                        "WSUS", "backup", "network", "other", NULL};
FAMILY(label_host_role, label_host_roles, {"AP", P_("host role", "AP")},
       {"DB", P_("host role", "DB")}, {"file", P_("host role", "file")},
       {"AD", P_("host role", "AD")}, {"proxy", P_("host role", "proxy")},
       {"WSUS", P_("host role", "WSUS")}, {"backup", P_("host role", "backup")},
       {"network", P_("host role", "network")}, {"other", P_("host role", "other")})

const char *const label_risks[] = {"low", "medium", "high", NULL};
FAMILY(label_risk, label_risks, {"low", P_("risk", "low")}, {"medium", P_("risk", "medium")},
       {"high", P_("risk", "high")})

const char *const label_shifts[] = {"early", "late", "night", "day", "sunday", NULL};
FAMILY(label_shift, label_shifts, {"early", P_("shift", "early")}, {"late", P_("shift", "late")},
       {"night", P_("shift", "night")}, {"day", P_("shift", "day")},
       {"sunday", P_("shift", "sunday")},
       /* handover_shift_code's "no shift started" (not a shift one can choose) */
       {"none", P_("shift", "none")})

const char *const label_library_kinds[] = {"central",    "branch", "center",
                                           "datacenter", "office", NULL};
FAMILY(label_library_kind, label_library_kinds, {"central", P_("library kind", "central")},
       {"branch", P_("library kind", "branch")}, {"center", P_("library kind", "center")},
       {"datacenter", P_("library kind", "datacenter")}, {"office", P_("library kind", "office")})

const char *const label_config_kinds[] = {"software",   "patch",  "hardware", "account",
                                          "permission", "policy", "other",    NULL};
FAMILY(label_config_kind, label_config_kinds, {"software", P_("config kind", "software")},
       {"patch", P_("config kind", "patch")}, {"hardware", P_("config kind", "hardware")},
       {"account", P_("config kind", "account")}, {"permission", P_("config kind", "permission")},
       {"policy", P_("config kind", "policy")}, {"other", P_("config kind", "other")})

const char *const label_config_ops[] = {"add", "set", "remove", NULL};
FAMILY(label_config_op, label_config_ops, {"add", P_("config op", "add")},
       {"set", P_("config op", "set")}, {"remove", P_("config op", "remove")})

const char *const label_link_kinds[] = {"incident",  "problem", "inquiry",     "change",
                                        "knowledge", "job_run", "ssh_session", "checklist_event",
                                        "host",      NULL};
FAMILY(label_link_kind, label_link_kinds, {"incident", P_("link", "incident")},
       {"problem", P_("link", "problem")}, {"inquiry", P_("link", "inquiry")},
       {"change", P_("link", "change")}, {"knowledge", P_("link", "knowledge")},
       {"job_run", P_("link", "job run")}, {"ssh_session", P_("link", "console session")},
       {"checklist_event", P_("link", "checklist record")}, {"host", P_("link", "host")})

const char *const label_yes_no_keys[] = {"yes", "no", "true", "false", NULL};
FAMILY(label_yes_no_key, label_yes_no_keys, {"yes", P_("yes/no", "yes")},
       {"no", P_("yes/no", "no")}, {"true", P_("yes/no", "yes")}, {"false", P_("yes/no", "no")})

const char *const label_severities[] = {"info", "warning", "critical", NULL};
FAMILY(label_severity, label_severities, {"info", P_("severity", "info")},
       {"warning", P_("severity", "warning")}, {"critical", P_("severity", "critical")})

const char *const label_panes[] = {"checklist", "incidents", "inquiries",  "problems",
                                   "jobs",      "changes",   "consoles",   "handover",
                                   "hosts",     "reports",   "management", NULL};
FAMILY(label_pane, label_panes, {"checklist", P_("pane", "checklist")},
       {"incidents", P_("pane", "incidents")}, {"inquiries", P_("pane", "inquiries")},
       {"problems", P_("pane", "problems")}, {"jobs", P_("pane", "jobs")},
       {"changes", P_("pane", "changes")}, {"consoles", P_("pane", "consoles")},
       {"handover", P_("pane", "handover")}, {"hosts", P_("pane", "hosts")},
       {"reports", P_("pane", "reports")}, {"management", P_("pane", "management")})

const char *label_yes_no(int yes)
{
    return label_yes_no_key(yes ? "yes" : "no");
}

const char *const label_event_keys[] = {"assignee",
                                        "paused_seconds",
                                        "step",
                                        "target_seconds",
                                        "elapsed_seconds",
                                        "kind",
                                        "id",
                                        "corrected",
                                        "incident",
                                        "ref",
                                        "from",
                                        "to",
                                        "config",
                                        "problem",
                                        "knowledge",
                                        "claimed_by",
                                        "attempt",
                                        "exit",
                                        "elapsed_ms",
                                        "timed_out",
                                        NULL};
FAMILY(label_event_key, label_event_keys, {"assignee", P_("event", "assignee")},
       {"paused_seconds", P_("event", "paused")}, {"step", P_("event", "step")},
       {"target_seconds", P_("event", "target")}, {"elapsed_seconds", P_("event", "elapsed")},
       {"kind", P_("event", "kind")}, {"id", P_("event", "id")},
       {"corrected", P_("event", "corrected")}, {"incident", P_("event", "incident")},
       {"ref", P_("event", "ref")}, {"from", P_("event", "from")}, {"to", P_("event", "to")},
       {"config", P_("event", "configuration records")}, {"problem", P_("event", "problem")},
       {"knowledge", P_("event", "knowledge")}, {"claimed_by", P_("event", "run by")},
       {"attempt", P_("event", "attempt")}, {"exit", P_("event", "exit status")},
       {"elapsed_ms", P_("event", "took")}, {"timed_out", P_("event", "timed out")})

const char *label_duration(long long s, char *buf, unsigned size)
{
    if (s < 0)
        s = 0;
    long long h = s / 3600, m = s % 3600 / 60, sec = s % 60;
    if (h && m)
        snprintf(buf, size, _("%lld h %lld min"), h, m);
    else if (h)
        snprintf(buf, size, _("%lld h"), h);
    else if (m)
        snprintf(buf, size, _("%lld min"), m);
    else
        snprintf(buf, size, _("%lld s"), sec);
    return buf;
}

/* The checks shipped in data/checks/linux.ini (by section key) and the variables
 * their patterns capture. A site's own check or variable is shown as the site
 * named it: the site chose that name, in its own words, and only it knows what
 * it means (a catalog cannot translate it; the ini's name is the place for it). */
const char *const label_checks[] = {"alive",      "cpu_load",   "memory",      "disk_use",
                                    "backup_age", "av_pattern", "time_offset", "processes",
                                    "log_errors", NULL};
FAMILY(label_check, label_checks, {"alive", P_("check", "alive")},
       {"cpu_load", P_("check", "cpu_load")}, {"memory", P_("check", "memory")},
       {"disk_use", P_("check", "disk_use")}, {"backup_age", P_("check", "backup_age")},
       {"av_pattern", P_("check", "av_pattern")}, {"time_offset", P_("check", "time_offset")},
       {"processes", P_("check", "processes")}, {"log_errors", P_("check", "log_errors")})

const char *const label_check_vars[] = {"uptime_s",  "load", "use",     "mount", "age_hours",
                                        "offset_ms", "proc", "running", "lines", NULL};
FAMILY(label_check_var, label_check_vars, {"uptime_s", P_("check value", "uptime_s")},
       {"load", P_("check value", "load")}, {"use", P_("check value", "use")},
       {"mount", P_("check value", "mount")}, {"age_hours", P_("check value", "age_hours")},
       {"offset_ms", P_("check value", "offset_ms")}, {"proc", P_("check value", "proc")},
       {"running", P_("check value", "running")}, {"lines", P_("check value", "lines")})
