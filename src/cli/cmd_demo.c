/* cmd_demo.c - `fangkong demo`: generate the demo city 安澜市 into a data directory. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "demo/demo.h"
#include "policy/policy.h"
#include "services/actor.h"
#include "services/leads.h"
#include "base/timeutil.h"
#include "services/codes.h"
#include "services/tracing.h"
#include "services/zones.h"

static const char usage_text[] =
    "usage: fangkong demo [--persons N] [--seed S] [--days D] [--outbreak K]\n"
    "                     [--password P] [--data DIR]\n"
    "  Generates the fictional city 安澜市 with N persons (default 20000): districts,\n"
    "  streets, communities, grids, buildings, households, venues, residents and\n"
    "  non-residents, and one demo account per role. The same N and seed give the same\n"
    "  city. The data directory (default ./data) must not hold a city yet.\n"
    "  --password P sets the accounts' shared password (default fangkong2022);\n"
    "  accounts that already exist are left as they are.\n"
    "  --days D: D days of movement from 2022-05-01 (default 7; 0 = none): stays in grid\n"
    "  cells (source demo) and venue check-ins (source checkins), subject = phone.\n"
    "  --outbreak K: an outbreak from K index cases over the movement (default 1 with\n"
    "  days, 0 = none): its reported infections become cases, and every infection is\n"
    "  kept as ground truth in table outbreak_links.\n"
    "  With days, two risk-area lists of other regions and a dozen arrivals at the city's\n"
    "  station, airport and highway are registered: travelers from risk areas are leads;\n"
    "  and a mass-testing round runs over the first street: sites, pooled scans, boxes,\n"
    "  results, one positive pool whose members are held and notified.\n";

typedef struct demo_args {
    demo_opts opts;
    const char *data;
} demo_args;

static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* 0 to run, 1 after --help, -1 on a usage error (message printed). */
static int parse(int argc, char **argv, demo_args *a)
{
    static const struct option opts[] = {
        {"persons", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
        {"password", required_argument, 0, 'p'}, {"data", required_argument, 0, 'd'},
        {"days", required_argument, 0, 'D'}, {"outbreak", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    int64_t v;
    optind = 1;
    *a = (demo_args){.opts = {.persons = DEMO_DEFAULT_PERSONS, .seed = 1, .progress = 1,
                              .days = DEMO_DEFAULT_DAYS, .outbreak = -1},
                     .data = CLI_DEFAULT_DATA};
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_int(optarg, 1, DEMO_MAX_PERSONS, &v) != 0) {
                fprintf(stderr, "fangkong demo: --persons must be 1 to %d\n", DEMO_MAX_PERSONS);
                return -1;
            }
            a->opts.persons = v;
            break;
        case 's':
            if (parse_int(optarg, 0, INT64_MAX, &v) != 0) {
                fprintf(stderr, "fangkong demo: --seed must be a non-negative integer\n");
                return -1;
            }
            a->opts.seed = (uint64_t)v;
            break;
        case 'D':
            if (parse_int(optarg, 0, DEMO_MAX_DAYS, &v) != 0) {
                fprintf(stderr, "fangkong demo: --days must be 0 to %d\n", DEMO_MAX_DAYS);
                return -1;
            }
            a->opts.days = (int)v;
            break;
        case 'o':
            if (parse_int(optarg, 0, 1000, &v) != 0) {
                fprintf(stderr, "fangkong demo: --outbreak must be 0 to 1000\n");
                return -1;
            }
            a->opts.outbreak = (int)v;
            break;
        case 'p': a->opts.password = optarg; break;
        case 'd': a->data = optarg; break;
        case 'h': fputs(usage_text, stdout); return 1;
        default: return -1;
        }
    }
    if (a->opts.days == 0 && a->opts.outbreak < 0)
        a->opts.outbreak = 0;
    return optind == argc ? 0 : -1;
}

static void print_summary(const demo_args *a, const demo_summary *s)
{
    printf("demo city 安澜市 in %s (seed %" PRIu64 ")\n", a->data, a->opts.seed);
    printf("  districts     %10" PRId64 "\n  streets       %10" PRId64 "\n", s->districts,
           s->streets);
    printf("  communities   %10" PRId64 "\n  grids         %10" PRId64 "\n", s->communities,
           s->grids);
    printf("  buildings     %10" PRId64 "\n  households    %10" PRId64 "\n", s->buildings,
           s->households);
    printf("  persons       %10" PRId64 "  (%" PRId64 " non-residents)\n", s->persons,
           s->non_residents);
    printf("  venues        %10" PRId64 "\n", s->venues);
    printf("  facilities    %10" PRId64 "  (%" PRId64 " isolation rooms)\n", s->facilities,
           s->rooms);
    printf("  transfer      %10" PRId64 "  vehicles, %" PRId64 " crews\n", s->vehicles, s->crews);
    if (a->opts.days > 0)
        printf("  movement      %10" PRId64 "  stays over %d days (%" PRId64
               " in grid cells, %" PRId64 " venue check-ins)\n",
               s->cell_stays + s->checkins, a->opts.days, s->cell_stays, s->checkins);
    printf("outbreak: %" PRId64 " seeds, %" PRId64 " infections, %" PRId64 " links, %" PRId64
           " cases\n", s->seeds, s->infected, s->links, s->cases);
    printf("  elapsed       %10.2f s  (", s->seconds);
    for (int i = 0; i < DEMO_STAGE__COUNT; i++)
        printf("%s%s %.2f", i ? ", " : "", demo_stage_name(i), s->stage_seconds[i]);
    printf(")\naccounts:\n");
    int created = 0;
    for (int i = 0; i < s->n_accounts; i++) {
        const demo_account *u = &s->accounts[i];
        printf("  %-10s %-15s %-16s %s\n", u->username, u->role,
               u->area_code[0] ? u->area_code : "(whole city)",
               u->created ? u->area_name : "(existed already, unchanged)");
        created += u->created;
    }
    if (created)
        printf("password of the new accounts: %s\n", s->password);
}

/* The contacts of the newest cases pushed to the communities, as the headquarters does
 * with the day's cases, so the console's queue, transfer and overview pages have work:
 * their deadlines run from now, and the ones nobody works escalate. */
#define DEMO_PUSH_CASES 2

static int push_newest(store *st, const policy *pol, const actor *me, const case_list *cases,
                       fk_err *err)
{
    size_t pushed = 0, from = cases->n > DEMO_PUSH_CASES ? cases->n - DEMO_PUSH_CASES : 0;
    for (size_t i = from; i < cases->n; i++) {
        int64_t first, last;
        if (leads_push_case_ids(st, pol, me, cases->items[i].id, &first, &last, err) != 0)
            return -1;
        pushed += last >= first ? (size_t)(last - first + 1) : 0;
    }
    printf("leads: %zu pushed for the newest %zu cases\n", pushed, cases->n - from);
    return 0;
}

/* Zones for the outbreak's cases, so the console's 风险区 page opens on work: every case
 * proposes its zones (services/zones.h), and the zones of all but the newest cases are
 * published by the command; the newest cases' proposals wait for review. */
static int demo_zones(store *st, const policy *pol, tracing *t, const actor *me,
                      const case_list *cases, fk_err *err)
{
    size_t newest = cases->n > DEMO_PUSH_CASES ? cases->n - DEMO_PUSH_CASES : 0;
    size_t proposed = 0, published = 0;
    for (size_t i = 0; i < cases->n; i++) {
        int64_t ids[64];
        size_t n = 0;
        if (strcmp(cases->items[i].classification, "screening_positive") == 0)
            continue;
        if (zones_propose_case(st, pol, t, me, cases->items[i].id, ids, 64, &n, err) != 0)
            return -1;
        proposed += n;
        for (size_t j = 0; i < newest && j < n; j++) {
            zone_view v;
            fk_err busy;
            /* a zone extended by a later case is published already: skip it */
            if (zones_decide(st, pol, me, ids[j], "publish", "演示：指挥部审定", false, &v,
                             &busy) == 0)
                published++;
            else if (busy.code != FK_ECONFLICT)
                return fk_fail(err, busy.code, busy.field, "%s", busy.message);
        }
    }
    printf("zones: %zu proposed or extended, %zu published\n", proposed, published);
    return 0;
}

/* Travelers from risk areas (外防输入), with a city that moves: see demo/travel.c. */
static int demo_travelers(store *st, const policy *pol, const demo_summary *sum, fk_err *err)
{
    demo_travel_summary t;
    if (demo_travel(st, pol, sum->persons, &t, err) != 0)
        return -1;
    printf("travelers: %" PRId64 " risk-area lists, %" PRId64 " arrivals, %" PRId64
           " traveler leads\n", t.lists, t.arrivals, t.leads);
    return 0;
}

/* A mass-testing round in progress over the first street, with one positive pool: see
 * demo/testing.c. */
static int demo_round(store *st, const policy *pol, fk_err *err)
{
    demo_testing_summary t;
    double t0 = fk_seconds();
    if (demo_testing(st, pol, &t, err) != 0)
        return -1;
    printf("testing: round %" PRId64 " with %" PRId64 " sites, %" PRId64 " persons scanned, %"
           PRId64 " tube results (one positive pool) in %.2f s\n", t.round_id, t.sites,
           t.scanned, t.results, fk_seconds() - t0);
    return 0;
}

/* Discovery for every case of the outbreak, as an epidemiologist would run it first,
 * so the console opens on cases with their contacts and the chains graph. */
static int discover_outbreak(store *st, const char *data, fk_err *err)
{
    policy *pol = cli_load_policy("demo", data, NULL, NULL);
    if (!pol)
        return fk_fail(err, FK_EINVAL, "policy", "no policy to discover contacts with");
    tracing *t = tracing_new(pol);
    actor me;
    actor_cli(&me);
    case_filter f = {.limit = 1000};
    case_list cases;
    int rc = store_case_list(st, &f, &cases, err);
    size_t rows = 0;
    /* close contacts only: companions are thousands a case in a dense city (Chengdu's
     * rule flagged 82,000 people) and are asked for in the console when wanted */
    tracing_opts o = {.no_companions = true};
    for (size_t i = 0; rc == 0 && i < cases.n; i++) {
        contact_rec_list l;
        rc = tracing_discover(t, st, &me, cases.items[i].id, &o, &l, err);
        rows += l.n;
        contact_rec_list_free(&l);
    }
    if (rc == 0)
        printf("contacts: %zu discovered for %zu cases\n", rows, cases.n);
    if (rc == 0)
        rc = push_newest(st, pol, &me, &cases, err);
    if (rc == 0)
        rc = demo_zones(st, pol, t, &me, &cases, err);
    case_list_free(&cases);
    tracing_free(t);
    policy_free(pol);
    return rc;
}

/* Every person's health code, by the policy's rules over the city just made (one
 * set-based recompute). */
static int demo_codes(store *st, const policy *pol, fk_err *err)
{
    code_run r;
    double t0 = fk_seconds();
    if (codes_install(st, pol, &r, err) != 0)
        return -1;
    printf("codes: %lld persons, %lld codes set in %.2f s\n", (long long)r.touched,
           (long long)r.changed, fk_seconds() - t0);
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    demo_args a;
    int rc = parse(argc, argv, &a);
    if (rc != 0)
        return rc > 0 ? 0 : cli_usage(usage_text);
    store *st = cli_open_store("demo", a.data);
    if (!st)
        return 1;
    demo_summary sum;
    fk_err err;
    policy *pol = cli_load_policy("demo", a.data, NULL, NULL); /* the daily reports' rules */
    if (!pol) {
        store_close(st);
        return 1;
    }
    a.opts.policy = pol;
    rc = demo_generate(st, &a.opts, &sum, &err);
    if (rc == 0)
        print_summary(&a, &sum);
    if (rc == 0 && a.opts.days > 0)
        rc = demo_travelers(st, pol, &sum, &err);
    if (rc == 0 && sum.cases > 0)
        rc = discover_outbreak(st, a.data, &err);
    if (rc == 0 && a.opts.days > 0)
        rc = demo_round(st, pol, &err);
    if (rc == 0)
        rc = demo_codes(st, pol, &err);
    policy_free(pol);
    store_close(st);
    return rc != 0 ? cli_fail("demo", &err) : 0;
}
