/*
 * cmd_testing.c - `fangkong testing untested`: the untested persons of a round in an area
 * (services/coverage.h) to CSV or XLSX, for door-to-door follow-up, as the CLI operator
 * (command role, whole city: names in clear). The file is personal data; the export is
 * audited. `fangkong testing reconcile`: a round's reconciliation (services/reconcile.h),
 * a summary line per kind, the items (with --out) as one table with a kind column.
 * The verbs that set a round up and move its boxes (round, rounds, site, tubes, lab,
 * labs, boxes) are in cmd_testing_setup.c and cmd_testing_boxes.c; this file parses
 * every verb's options once (cmd_testing.h's testing_args) and dispatches.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "cli/cmd_testing.h"
#include "io/table_writer.h"
#include "services/coverage.h"
#include "services/reconcile.h"

static const char usage_text[] =
    "usage: fangkong testing untested --round ID --out FILE.csv|FILE.xlsx [--area CODE]\n"
    "       [--home] [--now T] [--data DIR] [--policy P] [--policy-local FILE]\n"
    "  untested: who of the area (default the round's) should have been tested in the\n"
    "    round and was not (the policy's testing.coverage: who is counted, who is\n"
    "    exempt as of T, default now), by community and household, with name, ID\n"
    "    number, phone, address in clear and why any must be sampled at home; --home:\n"
    "    only those (上门采样, the policy's testing.home_sampling).\n"
    "       fangkong testing reconcile --round ID [--day D] [--area CODE] [--now T]\n"
    "       [--out FILE.csv|FILE.xlsx]\n"
    "  reconcile: the round's tubes not received, received but never sampled, results\n"
    "    for unknown tubes, persons without a result and persons under two IDs, of the\n"
    "    local day D (default the whole round) as of T; one `KIND COUNT` line each, the\n"
    "    items in FILE (names in clear, audited).\n"
    "       fangkong testing round add --name N --area CODE --from T --to T [--open]\n"
    "       fangkong testing round open|close ID\n"
    "       fangkong testing rounds [--area CODE]\n"
    "  round add: a new round over the area, planned (open with --open), taking scans\n"
    "    from T to T (ISO 8601 or Unix seconds); prints its id. round open|close: its\n"
    "    next state. rounds: id, kind, state, area, window FROM/TO and name, one a line,\n"
    "    tab-separated, newest first.\n"
    "       fangkong testing site add --round ID --name N [--area CODE] [--team T]\n"
    "  site add: a sampling site of the round (area default the round's); prints its id.\n"
    "       fangkong testing tubes issue --site ID (--prefix P --count N [--first F]\n"
    "       [--digits D] | --barcodes FILE)\n"
    "  tubes issue: tube stock to the site, all or none: P followed by F (default 1) to\n"
    "    F+N-1 written with D digits (default 6), or FILE's barcodes, one a line; prints\n"
    "    the count and the first and last barcode.\n"
    "       fangkong testing lab add --name N --area CODE\n"
    "       fangkong testing labs\n"
    "  lab add: a lab of the area; prints its id. labs: id, area and name, one a line.\n"
    "       fangkong testing boxes FILE.csv\n"
    "  boxes: the header box,tube,site,courier,lab and one row per tube (site and lab\n"
    "    by id): each box packed with its tubes (closed tubes of that site), handed to\n"
    "    its courier and received at its lab, now. The whole file or nothing: every bad\n"
    "    row is listed (row, field, reason).\n"
    "  Every verb runs as the CLI operator (command role, whole city), through the\n"
    "  API's services: the same checks and the same audit.\n";

static int untested(const testing_args *a)
{
    policy *pol;
    store *st;
    if (cli_open_policy_store("testing", a->data, a->pol, a->pol_local, &pol, &st) != 0)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    size_t rows = 0;
    coverage_args args = {.round_id = a->round, .area = a->area, .now = a->now,
                          .home_only = a->home};
    tw *w = tw_open(a->out, a->home ? "home_sampling" : "untested", &err);
    int rc = w ? coverage_untested_export(st, pol, &me, &args, w, &rows, &err) : -1;
    if (rc == 0)
        rc = tw_close(w, &err);
    else
        tw_abort(w);
    store_close(st);
    policy_free(pol);
    if (rc != 0)
        return cli_fail("testing", &err);
    printf("exported %zu untested persons%s to %s\n", rows,
           a->home ? " to sample at home" : "", a->out);
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
    policy *pol;
    store *st;
    if (cli_open_policy_store("testing", a->data, a->pol, a->pol_local, &pol, &st) != 0)
        return 1;
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

/* A positive integer option into *out; 0, or -1 (a usage error). */
static int opt_id(const char *s, int64_t *out)
{
    char *end;
    *out = strtoll(s, &end, 10);
    return *s && !*end && *out > 0 ? 0 : -1;
}

/* An option with an argument into a (not help); 0, -1 usage error, -2 error printed. */
static int take_opt(int c, const char *v, testing_args *a)
{
    fk_err err;
    switch (c) {
    case 'd': a->data = v; return 0;
    case 'a': a->area = v; return 0;
    case 'o': a->out = v; return 0;
    case 'D': a->day = v; return 0;
    case 'P': a->pol = v; return 0;
    case 'L': a->pol_local = v; return 0;
    case 'N': a->name = v; return 0;
    case 'T': a->team = v; return 0;
    case 'x': a->prefix = v; return 0;
    case 'b': a->barcodes = v; return 0;
    case 'O': a->open = true; return 0;
    case 'H': a->home = true; return 0;
    case 'r': return opt_id(v, &a->round);
    case 's': return opt_id(v, &a->site);
    case 'c': return opt_id(v, &a->count);
    case 'g': return opt_id(v, &a->digits);
    case 'f': return opt_id(v, &a->first);
    }
    int64_t *t = c == 'n' ? &a->now : c == 'F' ? &a->from : c == 't' ? &a->to : NULL;
    const char *field = c == 'n' ? "now" : c == 'F' ? "from" : "to";
    if (!t)
        return -1;
    return fk_instant_parse(v, t, field, &err) != 0 ? (cli_fail("testing", &err), -2) : 0;
}

/* 0: parsed; 1: help printed; -1: usage error; -2: error printed. */
static int parse_args(int argc, char **argv, testing_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},   {"now", required_argument, 0, 'n'},
        {"round", required_argument, 0, 'r'},  {"area", required_argument, 0, 'a'},
        {"out", required_argument, 0, 'o'},    {"policy", required_argument, 0, 'P'},
        {"day", required_argument, 0, 'D'},    {"name", required_argument, 0, 'N'},
        {"team", required_argument, 0, 'T'},   {"from", required_argument, 0, 'F'},
        {"to", required_argument, 0, 't'},     {"open", no_argument, 0, 'O'},
        {"site", required_argument, 0, 's'},   {"prefix", required_argument, 0, 'x'},
        {"count", required_argument, 0, 'c'},  {"first", required_argument, 0, 'f'},
        {"digits", required_argument, 0, 'g'}, {"barcodes", required_argument, 0, 'b'},
        {"policy-local", required_argument, 0, 'L'}, {"help", no_argument, 0, 'h'},
        {"home", no_argument, 0, 'H'},
        {0, 0, 0, 0}};
    int c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h')
            return fputs(usage_text, stdout), 1;
        if (c == '?' || (rc = take_opt(c, optarg, a)) == -1)
            return -1;
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* `VERB add` with its required options, or -1. */
static int add_verb(testing_args *a, const char *verb)
{
    if (!strcmp(verb, "round") && a->name && a->area && a->from && a->to)
        return cli_testing_round_add(a);
    if (!strcmp(verb, "site") && a->round && a->name)
        return cli_testing_site_add(a);
    if (!strcmp(verb, "lab") && a->name && a->area)
        return cli_testing_lab_add(a);
    return -1;
}

/* The verbs that set a round up or move its boxes, or -1 (a usage error). */
static int setup_verb(testing_args *a, const char *verb, const char *sub, int left)
{
    if (!strcmp(verb, "rounds") && left == 1)
        return cli_testing_rounds(a);
    if (!strcmp(verb, "labs") && left == 1)
        return cli_testing_labs(a);
    if (!strcmp(verb, "boxes") && left == 2)
        return cli_testing_boxes(a);
    if (!strcmp(verb, "round") && left == 3 && (!strcmp(sub, "open") || !strcmp(sub, "close")))
        return cli_testing_round_state(a, !strcmp(sub, "open") ? "open" : "closed");
    if (!strcmp(verb, "tubes") && !strcmp(sub, "issue") && left == 2 && a->site &&
        !a->barcodes != !(a->prefix || a->count))
        return a->barcodes || (a->prefix && a->count) ? cli_testing_tubes(a) : -1;
    if (!strcmp(sub, "add") && left == 2)
        return add_verb(a, verb);
    return -1;
}

int cmd_testing(int argc, char **argv)
{
    testing_args a = {.data = CLI_DEFAULT_DATA, .now = fk_now(), .first = 1, .digits = 6};
    int parsed = parse_args(argc, argv, &a);
    if (parsed != 0)
        return parsed == 1 ? 0 : parsed == -2 ? 1 : cli_usage(usage_text);
    int left = argc - optind;
    const char *verb = left > 0 ? argv[optind] : "", *sub = left > 1 ? argv[optind + 1] : "";
    if (!strcmp(verb, "untested") && left == 1 && a.round > 0 && a.out)
        return untested(&a);
    if (!strcmp(verb, "reconcile") && left == 1 && a.round > 0)
        return reconcile(&a);
    if (!strcmp(verb, "boxes"))
        a.operand = left > 1 ? sub : NULL;
    else
        a.operand = left > 2 ? argv[optind + 2] : NULL;
    int rc = setup_verb(&a, verb, sub, left);
    return rc >= 0 ? rc : cli_usage(usage_text);
}
