/*
 * cmd_codes.c - `fangkong codes show PERSON` and `fangkong codes recompute`: a person's
 * health code with its reason, and every code recomputed by the policy in force (after a
 * policy change: the rules are installed first, services/codes.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "services/codes.h"

static const char usage_text[] =
    "usage: fangkong codes show PERSON [--data DIR] [--policy P] [--policy-local FILE]\n"
    "       fangkong codes recompute [--data DIR] [--policy P] [--policy-local FILE]\n"
    "  show: the person's colour, rule, reason, override and last negative test, then\n"
    "  the colour log, newest first (PERSON: the person's id; audited).\n"
    "  recompute: installs the policy's health_code rules and recomputes every code;\n"
    "  prints how many persons were evaluated and how many codes changed.\n";

static int show(store *st, const policy *pol, const char *who, fk_err *err)
{
    actor a;
    code_view v;
    code_change_list h;
    char *end;
    long long id = strtoll(who, &end, 10);
    actor_cli(&a);
    if (!*who || *end || id <= 0)
        return fk_fail(err, FK_EINVAL, "person", "person: a person id");
    code_key key;
    memset(&key, 0, sizeof key); /* the CLI prints no token: any key will do */
    if (codes_person_code(st, pol, &key, &a, id, &v, err) != 0)
        return -1;
    printf("person\t%lld\ncolour\t%s %s\nrule\t%s %s\ndetail\t%s\npolicy\t%s\n", id,
           v.code.colour, v.colour_zh, v.code.rule, v.code.rule_zh, v.code.detail,
           v.code.policy_version);
    if (v.code.last_negative_at) {
        char at[21];
        fk_instant_format(v.code.last_negative_at, at);
        printf("last_negative_at\t%s\n", at);
    }
    if (v.code.override_id)
        printf("override\t#%lld %s by %s, approved by %s: %s\n", (long long)v.code.override_id,
               v.code.ov_colour, v.code.ov_requested_by, v.code.ov_decided_by, v.code.ov_reason);
    code_view_free(&v);
    if (codes_history(st, &a, id, 100, &h, err) != 0)
        return -1;
    for (size_t i = 0; i < h.n; i++) {
        char at[21];
        fk_instant_format(h.items[i].at, at);
        printf("change\t%s\t%s>%s\t%s\t%s\t%s\t%s\t%s\n", at,
               h.items[i].from_colour[0] ? h.items[i].from_colour : "-", h.items[i].to_colour,
               h.items[i].rule, h.items[i].operator_, h.items[i].source,
               h.items[i].policy_version, h.items[i].reason);
    }
    code_change_list_free(&h);
    return 0;
}

static int recompute_all(store *st, const policy *pol, fk_err *err)
{
    actor a;
    code_run r = {0};
    double t0 = fk_seconds();
    actor_cli(&a);
    if (codes_install(st, pol, &r, err) != 0)
        return -1;
    if (!r.touched && codes_recompute_all(st, &a, "recompute", &r, err) != 0)
        return -1;
    printf("evaluated %lld changed %lld seconds %.2f\n", (long long)r.touched,
           (long long)r.changed, fk_seconds() - t0);
    return 0;
}

int cmd_codes(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"policy", required_argument, 0, 'P'},
        {"policy-local", required_argument, 0, 'L'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *data = CLI_DEFAULT_DATA, *pol_name = NULL, *pol_local = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'P': pol_name = optarg; break;
        case 'L': pol_local = optarg; break;
        case 'h': return fputs(usage_text, stdout), 0;
        default: return cli_usage(usage_text);
        }
    }
    int nargs = argc - optind;
    const char *verb = nargs > 0 ? argv[optind] : "";
    if (!((!strcmp(verb, "show") && nargs == 2) || (!strcmp(verb, "recompute") && nargs == 1)))
        return cli_usage(usage_text);
    policy *pol;
    store *st;
    if (cli_open_policy_store("codes", data, pol_name, pol_local, &pol, &st) != 0)
        return 1;
    fk_err err;
    int rc = !strcmp(verb, "show") ? show(st, pol, argv[optind + 1], &err)
                                   : recompute_all(st, pol, &err);
    store_close(st);
    policy_free(pol);
    return rc == 0 ? 0 : cli_fail("codes", &err);
}
