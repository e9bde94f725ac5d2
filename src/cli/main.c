/*
 * main.c - the `fangkong` command: dispatch to one subcommand per file (cmd_*.c).
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "cli/cli.h"
#include "services/auth.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "serve the API and the web console"},
    {"demo", cmd_demo, "generate a demo city into the data directory"},
    {"import", cmd_import, "import persons, cases, areas or stays from CSV"},
    {"export", cmd_export, "export persons, cases or the audit log to CSV or XLSX"},
    {"user", cmd_user, "add, list and change user accounts"},
    {"trace", cmd_trace, "find the contacts of cases from imported location data"},
    {"check", cmd_check, "check the store's integrity and schema version"},
    {"leads", cmd_leads, "push, export and escalate leads (leads push|export|escalate)"},
    {"codes", cmd_codes, "health codes: a person's code and its log, recompute every code"},
    {"sweep", cmd_sweep, "run the timed duties once (lead escalation...)"},
    {"reports", cmd_reports, "units missing their daily report at the deadline (reports flag)"},
    {"briefing", cmd_briefing, "the accountability briefing of a period, as text or XLSX"},
    {"facilities", cmd_facilities, "import isolation facilities with their rooms (facilities import FILE)"},
    {"testing", cmd_testing, "rounds, sites, tubes, labs, boxes; untested, reconcile"},
    {"isolations", cmd_isolations, "list the isolation tests due (isolations due [--date D])"},
    {"zones", cmd_zones, "risk zones: zones list|propose CASE|publish ID|lift ID --note N"},
};

static int usage(FILE *to)
{
    fprintf(to, "usage: fangkong COMMAND [--data DIR] [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\n`fangkong COMMAND --help` describes one command. The data directory "
                "defaults to %s.\n", CLI_DEFAULT_DATA);
    return to == stdout ? 0 : 2;
}

/* Why: glibc serves every block over 128 KiB with its own mmap until a big free raises
 * that threshold, so a process that maps its trace index instead of building it gave
 * every query's result arrays fresh pages (a fault each) and unmapped them again; the
 * warm 100-case trace spent a quarter of its time there. Blocks under 64 MiB now come
 * from the heap and are reused; up to 128 MiB of free heap is kept rather than trimmed. */
static void tune_malloc(void)
{
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

int main(int argc, char **argv)
{
    fk_err err;
    tune_malloc();
    log_init_from_env();
    if (argc < 2)
        return usage(stderr);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return usage(stdout);
    if (auth_init(&err) != 0)
        return cli_fail(argv[1], &err);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "fangkong: unknown command %s (try fangkong --help)\n", argv[1]);
    return 2;
}
