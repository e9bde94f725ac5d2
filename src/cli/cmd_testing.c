/*
 * cmd_testing.c - `fangkong testing untested`: the untested persons of a round in an area
 * (services/coverage.h) to CSV or XLSX, for door-to-door follow-up, as the CLI operator
 * (command role, whole city: names in clear). The file is personal data; the export is
 * audited. `fangkong testing reconcile`: a round's reconciliation (services/reconcile.h),
 * a summary line per kind, the items (with --out) as one table with a kind column.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "io/table_writer.h"
#include "services/coverage.h"
#include "services/reconcile.h"

static const char usage_text[] =
    "usage: fangkong testing untested --round ID --out FILE.csv|FILE.xlsx [--area CODE]\n"
    "       [--now T] [--data DIR] [--policy P] [--policy-local FILE]\n"
    "  untested: who of the area (default the round's) should have been tested in the\n"
    "    round and was not (the policy's testing.coverage: who is counted, who is\n"
    "    exempt as of T, default now), by community and household, with name, ID\n"
    "    number, phone and address in clear.\n"
    "       fangkong testing reconcile --round ID [--day D] [--area CODE] [--now T]\n"
    "       [--out FILE.csv|FILE.xlsx]\n"
    "  reconcile: the round's tubes not received, received but never sampled, results\n"
    "    for unknown tubes, persons without a result and persons under two IDs, of the\n"
    "    local day D (default the whole round) as of T; one `KIND COUNT` line each, the\n"
    "    items in FILE (names in clear, audited).\n";

typedef struct testing_args {
    const char *data, *pol, *pol_local, *area, *out, *day;
    int64_t round, now;
} testing_args;

static int untested(const testing_args *a)
{
    policy *pol = cli_load_policy("testing", a->data, a->pol, a->pol_local);
    store *st = pol ? cli_open_store("testing", a->data) : NULL;
    if (!st) {
        policy_free(pol);
        return 1;
    }
    actor me;
    actor_cli(&me);
    fk_err err;
    size_t rows = 0;
    coverage_args args = {.round_id = a->round, .area = a->area, .now = a->now};
    tw *w = tw_open(a->out, "untested", &err);
    int rc = w ? coverage_untested_export(st, pol, &me, &args, w, &rows, &err) : -1;
    if (rc == 0)
        rc = tw_close(w, &err);
    else
        tw_abort(w);
    store_close(st);
    policy_free(pol);
    if (rc != 0)
        return cli_fail("testing", &err);
    printf("exported %zu untested persons to %s\n", rows, a->out);
    return 0;
}

static void print_summary(const reconcile_summary *s)
{
    for (int k = 0; k < RECON_KINDS; k++)
        printf("%s %lld\n", reconcile_kind_name((recon_kind)k), (long long)s->counts[k]);
}

/* The report into a file (out given) or counts only. */
static int reconcile_run(store *st, const policy *pol, const testing_args *a,
                         reconcile_summary *sum, fk_err *err)
{
    actor me;
    actor_cli(&me);
    reconcile_args args = {.round_id = a->round, .day = a->day, .area = a->area, .now = a->now};
    if (!a->out)
        return reconcile_report(st, pol, &me, &args, NULL, NULL, sum, err);
    tw *w = tw_open(a->out, "reconciliation", err);
    int rc = w ? reconcile_export(st, pol, &me, &args, w, sum, err) : -1;
    if (rc == 0)
        return tw_close(w, err);
    tw_abort(w);
    return -1;
}

static int reconcile(const testing_args *a)
{
    policy *pol = cli_load_policy("testing", a->data, a->pol, a->pol_local);
    store *st = pol ? cli_open_store("testing", a->data) : NULL;
    if (!st) {
        policy_free(pol);
        return 1;
    }
    fk_err err;
    reconcile_summary sum;
    int rc = reconcile_run(st, pol, a, &sum, &err);
    store_close(st);
    policy_free(pol);
    if (rc != 0)
        return cli_fail("testing", &err);
    print_summary(&sum);
    return 0;
}

/* 0: parsed; 1: help printed; -1: usage error; -2: error printed. */
static int parse_args(int argc, char **argv, testing_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},   {"now", required_argument, 0, 'n'},
        {"round", required_argument, 0, 'r'},  {"area", required_argument, 0, 'a'},
        {"out", required_argument, 0, 'o'},    {"policy", required_argument, 0, 'P'},
        {"day", required_argument, 0, 'D'},
        {"policy-local", required_argument, 0, 'L'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    fk_err err;
    char *end;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->data = optarg; break;
        case 'a': a->area = optarg; break;
        case 'o': a->out = optarg; break;
        case 'D': a->day = optarg; break;
        case 'P': a->pol = optarg; break;
        case 'L': a->pol_local = optarg; break;
        case 'r':
            a->round = strtoll(optarg, &end, 10);
            if (!*optarg || *end || a->round <= 0)
                return -1;
            break;
        case 'n':
            if (fk_instant_parse(optarg, &a->now, "now", &err) != 0)
                return cli_fail("testing", &err), -2;
            break;
        case 'h': fputs(usage_text, stdout); return 1;
        default: return -1;
        }
    }
    return 0;
}

int cmd_testing(int argc, char **argv)
{
    testing_args a = {.data = CLI_DEFAULT_DATA, .now = fk_now()};
    int parsed = parse_args(argc, argv, &a);
    if (parsed != 0)
        return parsed == 1 ? 0 : parsed == -2 ? 1 : cli_usage(usage_text);
    int left = argc - optind;
    const char *verb = left > 0 ? argv[optind] : "";
    if (!strcmp(verb, "untested") && left == 1 && a.round > 0 && a.out)
        return untested(&a);
    if (!strcmp(verb, "reconcile") && left == 1 && a.round > 0)
        return reconcile(&a);
    return cli_usage(usage_text);
}
