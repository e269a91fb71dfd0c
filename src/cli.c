#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "store.h"
#include "textwidth.h"
#include "util.h"

static int cmd_help(struct cli_ctx *ctx, int argc, char **argv);

static const struct cli_command commands[] = {
    {"init", cmd_init, N_("create a store and load the work-item templates"),
     N_("unyo init [--db PATH] [--template library|package|all]\n"
        "  Creates a new store (never overwrites one) and loads the shipped work-item\n"
        "  templates: library (seed 002, default), package (seed 000) or all.")},
    {"operator", cmd_operator, N_("register and list operators"),
     N_("unyo operator add LOGIN --role operator|engineer|manager [--name NAME]\n"
        "unyo operator list [--csv|--json]\n"
        "  LOGIN is the OS user name the person logs in with.")},
    {"calendar", cmd_calendar, N_("show service hours and closed days"),
     N_("unyo calendar [--month YYYY-MM] [--file PATH]\n"
        "  Service hours in JST: Sunday 07:00-17:30, other days 07:00-24:00, minus the\n"
        "  closed days of the calendar file (default: ~/.config/unyo/calendar.ini, else\n"
        "  the shipped data/calendar.ini).")},
    {"template", cmd_template, N_("list the work-item templates"),
     N_("unyo template list [--pane PANE] [--csv|--json]")},
    {"export", cmd_export, N_("write every table of the store as CSV files"),
     N_("unyo export --csv DIR [--bom]\n"
        "  One RFC 4180 file per table (UTF-8, header row). --bom adds a byte-order mark\n"
        "  for Excel. This is the end-of-service extraction: nothing stored is left out.")},
    {"import", cmd_import, N_("load an export into an empty store"),
     N_("unyo import --csv DIR\n"
        "  Creates the store named by --db if it does not exist; an existing store must\n"
        "  hold no ledger rows. All or nothing.")},
    {"checklist", cmd_checklist, N_("the daily checklist: due checks, marks, as-needed items"),
     N_("unyo checklist [list] [--date YYYY-MM-DD] [--csv|--json]\n"
        "  One row per due item and host, overdue ones (rolled over, still undone) first.\n"
        "unyo checklist mark ITEM ok|ng|skip|note [--value V] [--note TEXT] [--reason TEXT]\n"
        "                    [--host H] [--date D]\n"
        "  ITEM is the template code (L025). skip needs --reason; a value outside the\n"
        "  item's range is recorded as NG; with --value alone the range decides.\n"
        "unyo checklist add ITEM [--host H] [--date D]\n"
        "  Puts an as-needed item on the day's checklist.\n"
        "unyo checklist incident ITEM [--host H] [--date D]\n"
        "  Each NG result of the item opens an incident draft (one per host and check),\n"
        "  or is added to the open one of the same problem.")},
    {"shift", cmd_shift, N_("the shift schedule and who is on duty"),
     N_("unyo shift list [--month YYYY-MM] [--csv|--json]\n"
        "unyo shift set DAY SHIFT LOGIN\n"
        "  Puts LOGIN on SHIFT (a code of shifts.ini: early, late, sunday ...) of DAY,\n"
        "  replacing whoever was there (the change is kept in the audit trail).\n"
        "unyo shift clear DAY SHIFT\n"
        "unyo shift now\n"
        "  Who is on shift at this moment (JST).")},
    {"handover", cmd_handover, N_("the shift handover: summary, sign, acknowledge"),
     N_("unyo handover [show] [--date YYYY-MM-DD] [--markdown]\n"
        "  The latest handover signed that day, or the live summary when none is: open\n"
        "  incidents, checks NG or not done, jobs failed or pending, changes in progress,\n"
        "  carried items.\n"
        "unyo handover sign [--note TEXT] [--to LOGIN] [--todo TEXT]...\n"
        "  The outgoing operator signs; each --todo is carried into every later handover\n"
        "  until cleared.\n"
        "unyo handover ack [ID]\n"
        "  The incoming operator (not the signer) acknowledges; without ID, the latest.\n"
        "unyo handover clear ITEM\n"
        "unyo handover list [--month YYYY-MM] [--csv|--json]")},
    {"audit", cmd_audit, N_("show the audit trail"), N_("unyo audit [--limit N] [--csv|--json]")},
    {"host", cmd_host, N_("the hosts inventory and SSH reach"),
     N_("unyo host list|show NAME [--csv|--json]\n"
        "unyo host add NAME [--address A] [--role R] [--location L] [--os OS] [--owner O]\n"
        "               [--notes N] [--ssh-alias ALIAS] [--user U] [--port P] [--jump J]\n"
        "unyo host edit NAME [same options] [--rename NEW]   (an empty value clears a field)\n"
        "unyo host remove NAME\n"
        "unyo host import-ssh-config [--file PATH]\n"
        "  One host per concrete Host entry of ~/.ssh/config (wildcards skipped).\n"
        "unyo host exec [--timeout S] [--accept-new] [--max-output BYTES] NAME COMMAND...\n"
        "  Runs COMMAND over SSH (NAME: a host of the inventory or an ssh_config alias).\n"
        "unyo host trust [--yes] NAME\n"
        "  Shows the host key's SHA256 fingerprint and adds it to ~/.ssh/known_hosts.\n"
        "  Roles: AP DB file AD proxy WSUS backup network other.")},
    {"check", cmd_check, N_("automated server checks over SSH"),
     N_("unyo check list [--checks DIR|FILE] [--csv|--json]\n"
        "unyo check run [--host GLOB] [--item CHECK|CODE] [--concurrency N] [--timeout S]\n"
        "               [--checks DIR|FILE] [--accept-new] [--dry-run] [--quiet]\n"
        "  Runs the checks (data/checks/*.ini, or ~/.config/unyo/checks) on every host of the\n"
        "  inventory in parallel, records OK/NG in the daily checklist and metrics, and\n"
        "  lists the NG results. Exit status 3 when any result is NG.")},
    {"session", cmd_session, N_("recorded SSH terminal sessions"),
     N_("unyo session open [--accept-new] [--save-screen FILE] HOST\n"
        "  An interactive shell on HOST, recorded (output only) as an asciicast v2.\n"
        "  --save-screen writes the final screen and its scrollback as text.\n"
        "unyo session list [--host NAME] [--limit N] [--csv|--json]\n"
        "unyo session export ID > FILE.cast\n"
        "  Writes the recording; play it with asciinema play FILE.cast.")},
    {"ssh", cmd_ssh, N_("a recorded SSH session, full screen"),
     N_("unyo ssh HOST\n"
        "  An interactive shell on HOST (inventory name or ssh_config alias) drawn full\n"
        "  screen and recorded like a Consoles pane session. The prefix key (C-], or\n"
        "  config.ini [consoles] prefix) then d or q leaves; then [ scrolls back.")},
    {"demo", cmd_demo, N_("create a demo store or a synthetic load"),
     N_("unyo demo [--db PATH] [--force]\n"
        "  Creates a store with sample libraries, hosts, operators and a few days of\n"
        "  history.\n"
        "unyo demo --generate N [--db PATH]\n"
        "  Adds N synthetic incidents with their events (for benchmarks).")},
    {"central", cmd_central, N_("create or upgrade the central database schema"),
     N_("unyo central init [--url URL]\n"
        "  Creates the schema in the central PostgreSQL database, or upgrades it to this\n"
        "  unyo's version. URL is a libpq connection string or URI (PG* variables,\n"
        "  ~/.pgpass and sslmode work as in psql); default: url in the [sync] section of\n"
        "  ~/.config/unyo/config.ini.")},
    {"sync", cmd_sync, N_("exchange changes with the central database"),
     N_("unyo sync [--url URL] [--csv|--json]\n"
        "  One round: sends this console's changes, then receives everyone else's, and\n"
        "  prints what moved per table. Without a connection nothing is lost: changes\n"
        "  stay pending until the next successful round.\n"
        "unyo sync --full [--url URL] [--csv|--json]\n"
        "  For a store restored from a backup: receives every row again, this console's\n"
        "  own included (the newer version of each wins), then sends what is newer here.\n"
        "unyo sync --retry [--url URL] [--csv|--json]\n"
        "  A round that first sends again the rows the central database refused.\n"
        "unyo sync --status [--csv|--json]\n"
        "  Pending changes per table, the last successful sync and the last error, and\n"
        "  the rows set aside because the central database refused them.")},
    {"incident", cmd_incident, N_("record and follow incidents (インシデント管理簿)"),
     N_("unyo incident new --library CODE --channel phone|mail|alert|visit|rounds --title T\n"
        "    --impact 1-3 --urgency 1-3 [--description D] [--category C] [--reporter R]\n"
        "    [--host NAME ...] [--received \"YYYY-MM-DD HH:MM\"] [--draft]\n"
        "unyo incident submit REF\n"
        "unyo incident list [--status S] [--priority P] [--library L] [--category C]\n"
        "    [--assignee LOGIN] [--sla ok|warning|breached] [--search TEXT] [--limit N]\n"
        "    [--offset N] [--csv|--json]\n"
        "unyo incident show REF [--json]\n"
        "unyo incident step REF STEP [--note N] [--assignee LOGIN] [--to WHOM]\n"
        "    STEP: isolated escalated first_response second_response recovered closed\n"
        "          reopened note assigned paused resumed notified\n"
        "unyo incident inbox [--csv|--json]\n"
        "unyo incident link REF KIND ID [--note N]\n"
        "  Impact and urgency: 1 high, 3 low; the priority comes from sla.ini.")},
    {"inquiry", cmd_inquiry, N_("record and answer inquiries (問い合わせ管理簿)"),
     N_("unyo inquiry new --library CODE --channel C --title T [--question Q] [--reporter R]\n"
        "unyo inquiry list [--status S] [--library L] [--search TEXT] [--csv|--json]\n"
        "unyo inquiry show REF [--json]\n"
        "unyo inquiry step REF investigating|in_review|closed|note [--note N]\n"
        "unyo inquiry draft REF --text ANSWER\n"
        "unyo inquiry review REF --approve [--answer CORRECTED] | --return --note CORRECTIONS\n"
        "unyo inquiry answer REF [--text SENT]\n"
        "unyo inquiry convert REF --impact N --urgency N [--category C]\n"
        "  The draft's author cannot review it; an engineer approves.")},
    {"problem", cmd_problem, N_("problem management and knowledge (問題管理)"),
     N_("unyo problem new --title T [--description D] [--owner LOGIN]\n"
        "unyo problem list [--status S] [--csv|--json]\n"
        "unyo problem show REF\n"
        "unyo problem update REF [--status open|investigating|known_error|resolved|closed]\n"
        "    [--root-cause T] [--workaround T] [--permanent-measure T]\n"
        "    [--prevention-status T] [--prevention-due YYYY-MM-DD] [--owner LOGIN] [--note N]\n"
        "unyo problem link REF INCIDENT\n"
        "unyo problem publish REF [--keywords K]")},
    {"sla", cmd_sla, N_("SLA targets, breach scan and achievement report"),
     N_("unyo sla show\n"
        "unyo sla scan\n"
        "  Records an sla_breached event for each step past its target (idempotent).\n"
        "unyo sla report --from YYYY-MM-DD --to YYYY-MM-DD [--markdown|--csv|--json]")},
    {"search", cmd_search, N_("full-text search over incidents, inquiries and knowledge"),
     N_("unyo search TEXT... [--scope incidents|inquiries|knowledge|all] [--limit N]\n"
        "    [--csv|--json]\n"
        "  Every word must match; Japanese needs no spaces. Words of 1-2 characters are\n"
        "  matched only against the latest rows (the index needs 3 characters).\n"
        "unyo search --rebuild | --suspend | --resume\n"
        "  Bulk loads (unyo demo --generate, import) suspend the index, then resume it:\n"
        "  resume rebuilds it from the tables.")},
    {"report", cmd_report, N_("daily (the day's work, incidents, inquiries) and monthly reports"),
     N_("unyo report daily [--date YYYY-MM-DD] [--markdown|--csv|--json]\n"
        "unyo report monthly [--month YYYY-MM] [--markdown|--csv|--json]")},
    {"change", cmd_change, N_("change requests: plan, review, approve, execute, roll back"),
     N_("unyo change new --dept D --title T [--target T] [--reason R] [--plan P]\n"
        "                [--rollback R] [--risk low|medium|high]\n"
        "                [--window-start T --window-end T]\n"
        "                [--step TEXT]... [--effect KIND:HOST:VALUE]... [--host H]...\n"
        "                [--link incident:REF|problem:REF]... [--template NAME --month YYYY-MM]\n"
        "  Files a change in draft; you are the requester. Times are JST (\"2026-11-28 22:00\").\n"
        "  A window inside service hours is warned about. --template patch-round fills the\n"
        "  monthly patch round (steps, rollback, risk) from data/changes/.\n"
        "  Effects, applied to the configuration records when the change is done:\n"
        "  patch:lib-ap01:KB5031234  software:lib-web01:nginx 1.22.1\n"
        "  hardware:core-sw01:location=DC ラック A-02  account:lib-ad01:tanaka.m+ (- removes)\n"
        "unyo change list [--status S] [--csv|--json]\n"
        "unyo change show REF [--json]      the change with its steps, effects and timeline\n"
        "unyo change step REF plan|submit|approve|return|start|done|cancel|rollback [--note N]\n"
        "  draft -> planned -> in_review -> approved (or returned -> planned) -> in_progress\n"
        "  -> done. Only an engineer approves or returns, never the requester.\n"
        "unyo change approve|cancel|rollback REF [--note N]\n"
        "unyo change do REF STEP_NO [--output TEXT] [--session ID]\n"
        "  Checks off a procedure step while in progress; steps go in order.\n"
        "unyo change add-step REF TEXT  |  unyo change effect REF KIND:HOST:VALUE")},
    {"config", cmd_config, N_("configuration records: software, patches, hardware, accounts"),
     N_("unyo config [list] [--host H] [--kind software|patch|hardware|account|permission|policy]\n"
        "               [--csv|--json]\n"
        "  Records change through change requests (unyo change ... --effect).")},
    {"jobs", cmd_jobs, N_("batch jobs: definitions, the day's queue, the runner"),
     N_("unyo jobs list [--csv|--json]\n"
        "unyo jobs load [--file F]...\n"
        "  Installs the job definitions (data/jobs/*.ini) into the store, by code.\n"
        "unyo jobs due [--date YYYY-MM-DD] [--csv|--json]\n"
        "  The day's runs and their state; creates the runs of due jobs (idempotent) and\n"
        "  marks runs of crashed runners interrupted. Late runs are flagged.\n"
        "unyo jobs run [--due] [JOB] [--date D] [--local]\n"
        "  Runs what is due (for cron or a systemd timer) or one job, over SSH on its host:\n"
        "  dependencies first, one run per concurrency group, timeout and retries. A run is\n"
        "  claimed atomically, so two runners never execute it twice. --local runs commands\n"
        "  on this machine instead (demos and tests).\n"
        "unyo jobs hold|release|cancel|rerun RUN [--note N]\n"
        "unyo jobs mark RUN succeeded|failed|skipped [--note N]   (manual jobs)\n"
        "unyo jobs show RUN   |   unyo jobs history JOB [--csv|--json]\n"
        "unyo jobs deliver RUN --to DEPT [--files F] [--note N]")},
    {"help", cmd_help, N_("show help for a command"), N_("unyo help [COMMAND]")},
};

const struct cli_command *cli_commands(size_t *count)
{
    *count = ARRAY_LEN(commands);
    return commands;
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Messages may echo what the user typed or what a store holds: a name with
 * ESC in it must not reach the terminal raw. */
static void put_err_line(const char *prefix, const char *msg)
{
    struct strbuf sb = STRBUF_INIT;
    text_sanitize(&sb, msg, 1);
    fprintf(stderr, "%s%s\n", prefix, sb.buf ? sb.buf : "");
    sb_free(&sb);
}

int cli_fail(char *msg)
{
    put_err_line("unyo: ", msg ? msg : _("unknown error"));
    free(msg);
    return EXIT_FAIL;
}

int cli_parse_count(const char *name, const char *text, long min, long max, long *out, char **err)
{
    const char *p = text ? text : "";
    if (*p == '+' || *p == '-')
        p++;
    int digits = *p != '\0';
    for (const char *q = p; *q; q++)
        digits &= *q >= '0' && *q <= '9';
    if (!digits) {
        set_err(err, _("%s takes a whole number, not %s"), name, text ? text : "");
        return -1;
    }
    errno = 0;
    long v = strtol(text, NULL, 10);
    if (errno == ERANGE || v < min || v > max) {
        set_err(err, _("%s takes a whole number from %ld to %ld, not %s"), name, min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_count(const char *cmd, const char *name, const char *text, long min, long max, long *out)
{
    char *err = NULL;
    if (cli_parse_count(name, text, min, max, out, &err) == 0)
        return 0;
    cli_usage(cmd, "%s", err);
    free(err);
    return -1;
}

int cli_option(const char *cmd, int argc, char **argv, const char *name, const char **value)
{
    const struct option opts[] = {{name, required_argument, NULL, 'v'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'v')
            *value = optarg;
        else
            return cli_usage(cmd, _("unknown option"));
    }
    return 0;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    char *prefix = xasprintf("unyo %s: ", cmd);
    put_err_line(prefix, msg);
    free(prefix);
    const struct cli_command *c = find_command(cmd);
    if (c)
        fprintf(stderr, "%s\n", _(c->usage));
    free(msg);
    return EXIT_USAGE;
}

int cli_open_store(struct cli_ctx *ctx, struct store **st, int need_operator)
{
    char *err = NULL;
    if (store_open(ctx->db_path, STORE_OPEN_EXISTING, st, &err) != 0) {
        cli_fail(err);
        return -1;
    }
    if (need_operator && store_require_operator(*st, &err) != 0) {
        cli_fail(err);
        store_close(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

static void print_overview(FILE *out)
{
    fprintf(out, "%s\n\n", _("unyo — operations console for a resident operator"));
    fprintf(out, "%s\n", _("usage: unyo [--db PATH] [--lang ja|en] [COMMAND [ARGS]]"));
    fprintf(out, "%s\n\n", _("Without a command, unyo opens the full-screen console."));
    fprintf(out, "%s\n", _("Commands:"));
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
    fprintf(out, "\n%s\n", _("Every command accepts --db PATH; lists accept --csv and --json."));
    fprintf(out, "%s\n", _("unyo help COMMAND shows a command's options."));
}

static void no_such_command(const char *name)
{
    char *msg = xasprintf(_("no such command: %s"), name);
    put_err_line("unyo: ", msg);
    free(msg);
    print_overview(stderr);
}

/* 1 when the synopsis line "unyo NOUN WORD ..." is about verb: WORD is verb,
 * or one of verb|other, or [verb]. */
static int synopsis_has_verb(const char *line, size_t len, const char *noun, const char *verb)
{
    size_t nl = strlen(noun);
    if (len < 6 + nl || strncmp(line, "unyo ", 5) != 0 || strncmp(line + 5, noun, nl) != 0 ||
        line[5 + nl] != ' ')
        return 0;
    const char *w = line + 6 + nl, *end = line + len;
    if (w < end && *w == '[')
        w++;
    size_t vl = strlen(verb);
    while (w < end) {
        const char *e = w;
        while (e < end && *e != '|' && *e != ' ' && *e != ']')
            e++;
        if ((size_t)(e - w) == vl && strncmp(w, verb, vl) == 0)
            return 1;
        if (e >= end || *e != '|')
            break;
        w = e + 1;
    }
    return 0;
}

/* A command's usage; with verb, only the synopsis blocks for that verb (a
 * block: a line starting "unyo " and the indented lines after it) when the
 * usage has any, else all of it. */
static void print_usage(const struct cli_command *c, const char *verb)
{
    const char *u = _(c->usage);
    struct strbuf sb = STRBUF_INIT;
    if (verb && *verb && *verb != '-') {
        int keep = 0;
        for (const char *l = u; *l;) {
            const char *e = strchr(l, '\n');
            size_t len = e ? (size_t)(e - l) : strlen(l);
            if (strncmp(l, "unyo ", 5) == 0)
                keep = synopsis_has_verb(l, len, c->name, verb);
            if (keep) {
                sb_add(&sb, l, len);
                sb_putc(&sb, '\n');
            }
            l += len + (e != NULL);
        }
    }
    if (sb.len)
        printf("unyo %s — %s\n\n%s", c->name, _(c->summary), sb.buf);
    else
        printf("unyo %s — %s\n\n%s\n", c->name, _(c->summary), u);
    sb_free(&sb);
}

static int cmd_help(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc < 2) {
        print_overview(stdout);
        return EXIT_OK;
    }
    const struct cli_command *c = find_command(argv[1]);
    if (!c) {
        no_such_command(argv[1]);
        return EXIT_USAGE;
    }
    print_usage(c, argc > 2 ? argv[2] : NULL);
    return EXIT_OK;
}

/* Takes the options every command shares out of argv, wherever they are, so
 * `unyo --db X incident list` and `unyo incident list --db X` both work. */
static int take_global_options(struct cli_ctx *ctx, int *argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "--") == 0) {
            for (; i < *argc; i++)
                argv[out++] = argv[i];
            break;
        }
        if (strncmp(a, "--db=", 5) == 0 || strncmp(a, "--lang=", 7) == 0) {
            val = strchr(a, '=') + 1;
        } else if (strcmp(a, "--db") == 0 || strcmp(a, "--lang") == 0) {
            if (i + 1 >= *argc) {
                char *msg = xasprintf(_("%s needs a value"), a);
                put_err_line("unyo: ", msg);
                free(msg);
                return -1;
            }
            val = argv[++i];
        }
        if (val) {
            if (strncmp(a, "--db", 4) == 0) {
                free(ctx->db_path);
                ctx->db_path = xstrdup(val);
                ctx->explicit_db = 1;
            } else {
                if (strcmp(val, "ja") != 0 && strcmp(val, "en") != 0) {
                    put_err_line("unyo: ", "--lang ja|en");
                    return -1;
                }
                ctx->lang = val;
            }
            continue;
        }
        enum output_format f = OUTPUT_TEXT;
        if (i > 0 && strcmp(a, "--csv") == 0 &&
            !(out > 0 && (strcmp(argv[0], "export") == 0 || strcmp(argv[0], "import") == 0)))
            f = OUTPUT_CSV;
        else if (i > 0 && strcmp(a, "--json") == 0)
            f = OUTPUT_JSON;
        if (f != OUTPUT_TEXT) {
            if (ctx->format != OUTPUT_TEXT && ctx->format != f)
                ctx->format_conflict = 1; /* refused once --lang is known */
            ctx->format = f;
            continue;
        }
        argv[out++] = argv[i];
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

/* `unyo NOUN [VERB] ... --help` (or -h right after the noun): the usage.
 * Arguments after "--" are operands. */
static int wants_help(int n, char **args)
{
    if (n > 1 && strcmp(args[1], "-h") == 0)
        return 1;
    /* host exec NAME COMMAND...: the words of COMMAND are the remote's */
    int exec = n > 1 && strcmp(args[0], "host") == 0 && strcmp(args[1], "exec") == 0;
    for (int i = 1; i < n; i++) {
        if (strcmp(args[i], "--") == 0)
            return 0;
        if (strcmp(args[i], "--help") == 0)
            return 1;
        if (exec && i > 1 && args[i][0] != '-')
            return 0;
        if (exec && (strcmp(args[i], "--timeout") == 0 || strcmp(args[i], "--max-output") == 0 ||
                     strcmp(args[i], "-t") == 0 || strcmp(args[i], "-m") == 0))
            i++;
    }
    return 0;
}

/* A failed write to stdout (a full disk, /dev/full, a closed pipe) is an
 * error: the output the user asked for is not there. */
static int finish_stdout(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        char *msg = xasprintf(_("could not write the output: %s"), strerror(e ? e : EIO));
        put_err_line("unyo: ", msg);
        free(msg);
        return rc == EXIT_OK ? EXIT_FAIL : rc;
    }
    return rc;
}

/* ---- stdout through text_sanitize ----
 * In text mode every command's stdout goes through a stream that escapes
 * terminal controls and invalid UTF-8 as the console does, so no stored or
 * server text (a check's output, an incident title, a host name) can set the
 * terminal's title, write the clipboard or clear the screen, whichever printf
 * printed it. CSV and JSON are data and stay exact (JSON escapes controls).
 * A multi-byte character split across two writes is held until its end. */
struct safe_out {
    int fd;
    int keep_cr; /* stderr: progress lines return the carriage */
    char pend[4];
    size_t npend;
};

static FILE *real_stdout, *real_stderr;

static int write_fd(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* Bytes at the end of s[0..n) that start a UTF-8 sequence not yet complete. */
static size_t incomplete_tail(const char *s, size_t n)
{
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = (unsigned char)s[n - back];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte: look further back */
        size_t need = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
        return need > back && c >= 0xC2 && c < 0xF5 ? back : 0;
    }
    return 0;
}

static void sanitize_bytes(struct strbuf *out, const char *s, size_t n, int keep_cr)
{
    char *w = xmalloc(n + 1);
    memcpy(w, s, n);
    w[n] = '\0';
    for (size_t i = 0; i < n;) {
        size_t seg = strlen(w + i);
        char *cr = keep_cr ? memchr(w + i, '\r', seg) : NULL;
        if (cr) {
            *cr = '\0';
            seg = (size_t)(cr - (w + i));
        }
        text_sanitize(out, w + i, 1);
        i += seg;
        if (cr) {
            sb_putc(out, '\r');
            i++;
        } else if (i < n) { /* a NUL byte */
            sb_puts(out, "\\x00");
            i++;
        }
    }
    free(w);
}

static ssize_t safe_write(void *cookie, const char *buf, size_t size)
{
    struct safe_out *so = cookie;
    struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
    sb_add(&in, so->pend, so->npend);
    sb_add(&in, buf, size);
    size_t keep = incomplete_tail(in.buf, in.len);
    sanitize_bytes(&out, in.buf, in.len - keep, so->keep_cr);
    memcpy(so->pend, in.buf + in.len - keep, keep);
    so->npend = keep;
    int rc = out.len ? write_fd(so->fd, out.buf, out.len) : 0;
    sb_free(&in);
    sb_free(&out);
    return rc == 0 ? (ssize_t)size : 0;
}

static int safe_close(void *cookie)
{
    struct safe_out *so = cookie;
    int rc = 0;
    if (so->npend) { /* the output ended inside a character */
        struct strbuf out = STRBUF_INIT;
        sanitize_bytes(&out, so->pend, so->npend, so->keep_cr);
        rc = write_fd(so->fd, out.buf, out.len);
        sb_free(&out);
    }
    free(so);
    return rc;
}

static FILE *safe_stream(int fd, int keep_cr, int mode)
{
    struct safe_out *so = xcalloc(1, sizeof *so);
    so->fd = fd;
    so->keep_cr = keep_cr;
    cookie_io_functions_t io = {.write = safe_write, .close = safe_close};
    FILE *f = fopencookie(so, "w", io);
    if (!f) {
        free(so);
        return NULL;
    }
    setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
    return f;
}

/* Raw stdout stays for the commands whose output is a terminal session or a
 * recording (ssh, session), for CSV (data, kept exact; output_print writes
 * JSON lists raw too: json_escape leaves no control in them), and for host exec into a pipe or
 * file (the remote command's bytes, like ssh HOST CMD; to a terminal they are
 * sanitised). */
static int sanitize_stdout(const struct cli_ctx *ctx, int n, char **args)
{
    if (ctx->format == OUTPUT_CSV || strcmp(args[0], "ssh") == 0 || strcmp(args[0], "session") == 0)
        return 0;
    if (strcmp(args[0], "host") == 0 && n > 1 && strcmp(args[1], "exec") == 0 &&
        !isatty(STDOUT_FILENO))
        return 0;
    FILE *f = safe_stream(STDOUT_FILENO, 0, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
    if (!f)
        return 0;
    fflush(stdout);
    real_stdout = stdout;
    stdout = f; /* glibc: stdout is an assignable variable */
    output_set_raw_stdout(real_stdout);
    return 1;
}

static void restore_stdout(void)
{
    FILE *f = stdout;
    stdout = real_stdout;
    output_set_raw_stdout(NULL);
    fclose(f);
}

/* stderr too (a server's signal name, a path or a name typed on the command
 * line in a message): unbuffered, carriage returns kept for progress lines.
 * Not for ssh and session (terminal sessions) nor sync, whose progress line
 * clears itself with ESC [ K. */
static int sanitize_stderr(int n, char **args)
{
    (void)n;
    if (strcmp(args[0], "ssh") == 0 || strcmp(args[0], "session") == 0 ||
        strcmp(args[0], "sync") == 0)
        return 0;
    FILE *f = safe_stream(STDERR_FILENO, 1, _IONBF);
    if (!f)
        return 0;
    fflush(stderr);
    real_stderr = stderr;
    stderr = f;
    return 1;
}

static void restore_stderr(void)
{
    FILE *f = stderr;
    stderr = real_stderr;
    fclose(f);
}

int cli_main(int argc, char **argv, console_fn console)
{
    struct cli_ctx ctx = {0};
    /* argv[0] is dropped: from here on argv[0] is the command. */
    int n = argc - 1;
    char **args = xcalloc((size_t)argc + 1, sizeof *args);
    for (int i = 0; i < n; i++)
        args[i] = argv[i + 1];
    /* --lang must be known before the first message, so parse first and
     * initialise gettext after (errors in parsing are in the locale's tongue). */
    struct cli_ctx probe = {0};
    int pn = n;
    char **pargs = xcalloc((size_t)argc + 1, sizeof *pargs);
    memcpy(pargs, args, (size_t)n * sizeof *args);
    i18n_init(NULL);
    if (take_global_options(&probe, &pn, pargs) != 0) {
        free(pargs);
        free(args);
        free(probe.db_path);
        return EXIT_USAGE;
    }
    free(pargs);
    free(probe.db_path);
    if (probe.lang)
        i18n_init(probe.lang);
    take_global_options(&ctx, &n, args);
    if (ctx.format_conflict) {
        put_err_line("unyo: ", _("--csv and --json cannot be used together"));
        free(ctx.db_path);
        free(args);
        return EXIT_USAGE;
    }
    if (!ctx.db_path)
        ctx.db_path = store_default_path();

    int rc;
    if (n == 0) {
        rc = console(&ctx, n, args);
    } else if (strcmp(args[0], "--version") == 0 || strcmp(args[0], "version") == 0) {
        printf("unyo %s\n", UNYO_VERSION);
        rc = finish_stdout(EXIT_OK);
    } else if (strcmp(args[0], "--help") == 0 || strcmp(args[0], "-h") == 0) {
        print_overview(stdout);
        rc = finish_stdout(EXIT_OK);
    } else if (args[0][0] == '-') {
        /* Options for the console itself (--first-frame, --script ...). */
        rc = console(&ctx, n, args);
    } else {
        const struct cli_command *c = find_command(args[0]);
        if (!c) {
            no_such_command(args[0]);
            rc = EXIT_USAGE;
        } else if (wants_help(n, args)) {
            print_usage(c, n > 1 ? args[1] : NULL);
            rc = finish_stdout(EXIT_OK);
        } else {
            int safe = sanitize_stdout(&ctx, n, args);
            int safe_err = sanitize_stderr(n, args);
            rc = c->run(&ctx, n, args);
            rc = finish_stdout(rc);
            if (safe) {
                restore_stdout();
                rc = finish_stdout(rc);
            }
            if (safe_err)
                restore_stderr();
        }
    }
    free(ctx.db_path);
    free(args);
    return rc;
}
