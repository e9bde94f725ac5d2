/*
 * cmd_sweep.c - `fangkong sweep [--now T]`: the platform's timed duties
 * (services/sweeps.h) run once as of T (default now), as the server's sweeper runs them
 * every interval. For cron when the server runs with --sweep-interval 0, and for tests
 * that drive the clock.
 */
#include <getopt.h>
#include <stdio.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "services/sweeps.h"

static const char usage_text[] =
    "usage: fangkong sweep [--now T] [--data DIR] [--policy P] [--policy-local FILE]\n"
    "  Runs every timed duty once as of T (YYYY-MM-DDTHH:MM:SSZ, default now): overdue\n"
    "  leads escalate one level per missed deadline. Prints one line per duty:\n"
    "  its name and how many records it changed.\n";

static int run(const char *data, const char *pol_name, const char *pol_local, int64_t now)
{
    policy *pol;
    store *st;
    if (cli_open_policy_store("sweep", data, pol_name, pol_local, &pol, &st) != 0)
        return 1;
    sweep_report r = {0};
    fk_err err;
    int rc = store_map_reads(st, &err) == 0 ? sweeps_run(st, pol, now, &r, &err) : -1;
    store_close(st);
    policy_free(pol);
    for (size_t i = 0; i < r.n; i++)
        printf("%s %d%s\n", r.items[i].name, r.items[i].changed, r.items[i].failed ? " failed" : "");
    return rc == 0 ? 0 : cli_fail("sweep", &err);
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},   {"now", required_argument, 0, 'n'},
        {"policy", required_argument, 0, 'P'}, {"policy-local", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *data = CLI_DEFAULT_DATA, *pol = NULL, *pol_local = NULL;
    int64_t now = fk_now();
    fk_err err;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'P': pol = optarg; break;
        case 'L': pol_local = optarg; break;
        case 'n':
            if (fk_instant_parse(optarg, &now, "now", &err) != 0)
                return cli_fail("sweep", &err);
            break;
        case 'h': return fputs(usage_text, stdout), 0;
        default: return cli_usage(usage_text);
        }
    }
    return optind == argc ? run(data, pol, pol_local, now) : cli_usage(usage_text);
}
