/*
 * cmd_zones.c - `fangkong zones list|propose|publish|lift`: risk zones (services/zones.h)
 * as the CLI operator (command role, whole city), with the service's checks and audit.
 *   list     zones (--status, --level, --area), newest first, one line each
 *   propose  zones from a case's residence and activity places (or extend live ones)
 *   publish  a proposed zone (--note optional)
 *   lift     a published zone (--note required; --force before its date, recorded)
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/zone.h"
#include "services/tracing.h"
#include "services/zones.h"

static const char usage_text[] =
    "usage: fangkong zones list [--status S] [--level L] [--area CODE]\n"
    "       fangkong zones propose CASE\n"
    "       fangkong zones publish ID [--note N]\n"
    "       fangkong zones lift ID --note N [--force]\n"
    "  (each takes --data DIR, --policy P and --policy-local FILE)\n"
    "  list: id, status, level, unit, area, name, may-downgrade and may-lift dates, flags.\n"
    "  propose: the case's zones per the policy (residence, activity places); prints the\n"
    "    zones proposed or extended.\n"
    "  lift: refused before the policy's date or without its tests unless --force, which\n"
    "    is recorded with the note and flags the zone.\n";

typedef struct zones_args {
    const char *data, *pol, *pol_local, *status, *level, *area, *note;
    bool force;
} zones_args;

static void print_zone(const zone_view *v)
{
    const zone_rec *z = &v->z;
    printf("%" PRId64 "\t%s\t%s\t%s %s\t%s\t%s\tdowngrade %s\tlift %s%s%s%s\n", z->id,
           z->status, z->level, z->unit_kind, z->area_code, z->name,
           z->pending_level[0] ? z->pending_level : "-",
           z->may_downgrade_date[0] ? z->may_downgrade_date : "-",
           z->may_lift_date[0] ? z->may_lift_date : "-",
           v->flags & ZONE_FLAG_UNIT ? "\tunit_too_large" : "",
           v->flags & ZONE_FLAG_KEPT ? "\tkept_too_long" : "",
           v->flags & ZONE_FLAG_FORCED ? "\tforced" : "");
}

static int parse_id(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

static int run(const zones_args *a, const char *verb, const char *arg)
{
    int64_t id = 0;
    if (arg && parse_id(arg, &id) != 0)
        return cli_failf("zones", "%s: not an id: %s", verb, arg);
    policy *pol;
    store *st;
    if (cli_open_policy_store("zones", a->data, a->pol, a->pol_local, &pol, &st) != 0)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    int rc;
    zone_view v;
    zone_view_list l = {0};
    if (!strcmp(verb, "list")) {
        zone_filter f = {.status = a->status, .level = a->level, .area_prefix = a->area,
                         .limit = 1000};
        rc = zones_list(st, pol, &me, &f, &l, &err);
    } else if (!strcmp(verb, "propose")) {
        int64_t ids[64];
        size_t n = 0;
        zone_filter f = {.case_id = id, .limit = 1000};
        tracing *tr = tracing_new(pol);
        char snap[4096];
        if (tracing_snapshot_path(a->data, pol, snap, sizeof snap, &err) == 0)
            tracing_set_snapshot(tr, snap);
        rc = zones_propose_case(st, pol, tr, &me, id, ids, 64, &n, &err);
        tracing_free(tr);
        if (rc == 0)
            rc = zones_list(st, pol, &me, &f, &l, &err);
    } else {
        rc = zones_decide(st, pol, &me, id, verb, a->note, a->force, &v, &err);
        if (rc == 0)
            print_zone(&v);
    }
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        print_zone(&l.items[i]);
    zone_view_list_free(&l);
    store_close(st);
    policy_free(pol);
    return rc == 0 ? 0 : cli_fail("zones", &err);
}

static int parse_args(int argc, char **argv, zones_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},   {"status", required_argument, 0, 's'},
        {"level", required_argument, 0, 'l'},  {"area", required_argument, 0, 'a'},
        {"note", required_argument, 0, 'n'},   {"force", no_argument, 0, 'f'},
        {"policy", required_argument, 0, 'P'}, {"policy-local", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->data = optarg; break;
        case 's': a->status = optarg; break;
        case 'l': a->level = optarg; break;
        case 'a': a->area = optarg; break;
        case 'n': a->note = optarg; break;
        case 'f': a->force = true; break;
        case 'P': a->pol = optarg; break;
        case 'L': a->pol_local = optarg; break;
        case 'h': fputs(usage_text, stdout); return 1;
        default: return -1;
        }
    }
    return 0;
}

int cmd_zones(int argc, char **argv)
{
    zones_args a = {.data = CLI_DEFAULT_DATA};
    int parsed = parse_args(argc, argv, &a);
    if (parsed != 0)
        return parsed == 1 ? 0 : cli_usage(usage_text);
    int left = argc - optind;
    const char *verb = left > 0 ? argv[optind] : "";
    if (!strcmp(verb, "list") && left == 1)
        return run(&a, verb, NULL);
    if ((!strcmp(verb, "propose") || !strcmp(verb, "publish") || !strcmp(verb, "lift")) &&
        left == 2)
        return run(&a, verb, argv[optind + 1]);
    return cli_usage(usage_text);
}
