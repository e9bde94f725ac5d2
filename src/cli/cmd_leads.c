/*
 * cmd_leads.c - `fangkong leads escalate [--now T]`: the escalation sweep of the leads
 * queue (services/leads.h) as of T (default: now), as the CLI operator. The server
 * sweeps before every list; this runs it from cron, or lets a test drive time.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "services/leads.h"

static const char usage_text[] =
    "usage: fangkong leads escalate [--now T] [--data DIR]\n"
    "  Raises every open lead past the deadline of its state by one level per missed\n"
    "  deadline (community > street > district > command), as of T\n"
    "  (YYYY-MM-DDTHH:MM:SSZ, default now), and prints how many were raised.\n";

static int escalate(const char *data, int64_t now)
{
    store *st = cli_open_store("leads", data);
    if (!st)
        return 1;
    actor me;
    fk_err err;
    int raised = 0;
    actor_cli(&me);
    int rc = leads_escalate(st, &me, now, &raised, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail("leads", &err);
    printf("escalated %d leads\n", raised);
    return 0;
}

int cmd_leads(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, 0, 'd'},
                                         {"now", required_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *data = CLI_DEFAULT_DATA;
    int64_t now = fk_now();
    fk_err err;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else if (c == 'n' && fk_instant_parse(optarg, &now, "now", &err) != 0)
            return cli_fail("leads", &err);
        else if (c == 'h')
            return fputs(usage_text, stdout), 0;
        else if (c != 'n')
            return cli_usage(usage_text);
    }
    if (optind != argc - 1 || strcmp(argv[optind], "escalate") != 0)
        return cli_usage(usage_text);
    return escalate(data, now);
}
