/*
 * cmd_reports.c - `fangkong reports flag [--now T]`: the deadline check of the daily
 * reports (services/reports.h), as the CLI operator: for the latest report day whose
 * deadline has passed at T (default now), the units expected to report that have not,
 * one "CODE NAME" line each after a summary line, so that cron can alert the command
 * at the deadline. Late reports are marked by the server whenever they arrive.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "policy/policy.h"
#include "services/reports.h"

static const char usage_text[] =
    "usage: fangkong reports flag [--now T] [--data DIR]\n"
    "  Lists the units whose daily report of the latest day past its deadline\n"
    "  (reporting.deadline_hour) is missing, as of T (YYYY-MM-DDTHH:MM:SSZ, default now).\n";

/* The latest report day whose deadline lies before `now`. */
static void due_day(const report_clock *c, int64_t now, char day[11])
{
    char today[11];
    report_day_of(c, now, today);
    for (int back = 1; back < 4; back++) {
        report_day_add(today, -back, day);
        if (report_deadline(c, day) < now)
            return;
    }
}

static int flag(const char *data, int64_t now)
{
    policy *pol = cli_load_policy("reports", data, NULL, NULL);
    store *st = pol ? cli_open_store("reports", data) : NULL;
    report_status_list l = {0};
    report_clock c;
    actor me;
    fk_err err;
    char day[11], due[21];
    int rc = 1;
    if (!st)
        goto out;
    actor_cli(&me);
    if (reports_clock(pol, &c, &err) != 0) {
        rc = cli_fail("reports", &err);
        goto out;
    }
    due_day(&c, now, day);
    if (reports_status(st, pol, &me, day, day, NULL, now, &l, &err) != 0) {
        rc = cli_fail("reports", &err);
        goto out;
    }
    size_t missing = 0;
    for (size_t i = 0; i < l.n; i++)
        missing += l.items[i].state == REPORT_MISSING;
    fk_instant_format(report_deadline(&c, day), due);
    printf("%zu of %zu units missing the daily report of %s (deadline %s)\n", missing, l.n, day,
           due);
    for (size_t i = 0; i < l.n; i++)
        if (l.items[i].state == REPORT_MISSING)
            printf("%s %s\n", l.items[i].unit.code, l.items[i].unit.name);
    rc = 0;
out:
    report_status_list_free(&l);
    if (st)
        store_close(st);
    policy_free(pol);
    return rc;
}

int cmd_reports(int argc, char **argv)
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
            return cli_fail("reports", &err);
        else if (c == 'h')
            return fputs(usage_text, stdout), 0;
        else if (c != 'n')
            return cli_usage(usage_text);
    }
    if (optind != argc - 1 || strcmp(argv[optind], "flag") != 0)
        return cli_usage(usage_text);
    return flag(data, now);
}
