/* cmd_import.c - `fangkong import KIND FILE`: bulk import through io/import.h. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/import.h"
#include "policy/policy.h"

static const char usage_text[] =
    "usage: fangkong import KIND FILE [--data DIR] [--skip-bad REJECTS.csv] [--dry-run]\n"
    "                      [--policy P] [--source NAME]\n"
    "  KIND is persons, cases, areas, stays, checkins, pings, proximity, scans, results,\n"
    "  risk-areas, arrivals or itineraries;\n"
    "  FILE is UTF-8 CSV (RFC 4180) with a header row naming the columns (a byte order\n"
    "  mark is accepted).\n"
    "    persons: name,id_type,id_number,sex,birth_date,phone,resident_type,household_id,\n"
    "             address,community_code,work_unit,flags   (flags like elderly_alone|disabled;\n"
    "             sex and birth_date may be empty for resident ID numbers)\n"
    "    cases:   person_id or person_id_number,classification,severity,reported_at,\n"
    "             sampling_date,onset_date,source,hospital   (reported_at ISO 8601 with\n"
    "             an offset, or Unix seconds; id,number,status,person_name of an export\n"
    "             are accepted and ignored)\n"
    "    areas:   code,parent_code,name,level   (parents before their children, in file\n"
    "             order; level may be empty)\n"
    "  Mass testing (the rules of the API's scans and results; T as below):\n"
    "    scans:   tube,person,time,site   (tube barcode issued to site, person the\n"
    "             resident ID number, time within the open round's window; the first\n"
    "             person opens the tube with their group's pool size, the last place\n"
    "             closes it)\n"
    "    results: tube,result,ct_orf1ab,ct_n,lab,time   (first results of tubes received\n"
    "             by lab; a positive carries both Ct values in (0,45]; corrections go\n"
    "             through the API)\n"
    "  Location data (subjects are phones, resident ID numbers or person ids, kept as\n"
    "  given; times T are ISO 8601 with an offset or Unix seconds, 2000..2099):\n"
    "    stays:     subject,cell,start,end   (or place instead of cell; end after start)\n"
    "    checkins:  subject,venue,time_in[,time_out]   (venue-code scans; an empty\n"
    "               time_out is time_in + trace_inputs.checkins.default_dwell_s)\n"
    "    pings:     subject,time,lon,lat   (WGS 84 degrees; the grid cell of\n"
    "               companion.grid_m metres is computed at import)\n"
    "    proximity: a,b,time   (one proximity detection of two different subjects)\n"
    "  Traveler screening (外防输入; dates D are YYYY-MM-DD, local days):\n"
    "    risk-areas:  region_code,area_name,level,from,to   (--source NAME required: the\n"
    "                 file is the source's new full version; level high|medium|low; from\n"
    "                 and to dates, to empty while in force; recent arrivals re-matched)\n"
    "    arrivals:    id_number,arrived_at,place_kind,place,checkpoint_id,from_region,\n"
    "                 from_area,community_code   (落地登记 of a registered person; place_kind\n"
    "                 station|airport|highway|port|gate; each row matched at once)\n"
    "    itineraries: id_number,region_code,area_name,from,to,source   (a stay; T or D;\n"
    "                 source itinerary_card|self_report|checkpoint)\n"
    "  --policy P names the policy for checkins, pings, scans and results: v8, v9, m20, x10 or a file;\n"
    "  default DIR/policy.json when present, else v9 (DIR/policy-local.json applies).\n"
    "  Every row is checked first. If any row is bad nothing is imported and every bad\n"
    "  row is listed as `row N, field F: message` (the header is row 1). With --skip-bad\n"
    "  the good rows are imported and the bad ones written to REJECTS.csv with an extra\n"
    "  error column. --dry-run checks without importing. All rows go in one transaction.\n";

typedef struct import_args {
    const char *kind, *file, *data, *rejects, *policy, *source;
    bool dry_run;
} import_args;

static int parse(int argc, char **argv, import_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"skip-bad", required_argument, 0, 's'},
        {"dry-run", no_argument, 0, 'n'}, {"policy", required_argument, 0, 'P'},
        {"source", required_argument, 0, 'S'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    *a = (import_args){.data = CLI_DEFAULT_DATA};
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->data = optarg; break;
        case 's': a->rejects = optarg; break;
        case 'n': a->dry_run = true; break;
        case 'P': a->policy = optarg; break;
        case 'S': a->source = optarg; break;
        case 'h': fputs(usage_text, stdout); return 1;
        default: return -1;
        }
    }
    if (optind + 2 != argc)
        return -1;
    a->kind = argv[optind];
    a->file = argv[optind + 1];
    return 0;
}

static void print_bad(const import_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const import_bad *b = &rep->items[i];
        if (b->field[0])
            printf("row %zu, field %s: %s\n", b->row, b->field, b->message);
        else
            printf("row %zu: %s\n", b->row, b->message);
    }
    if (rep->bad > rep->n)
        printf("... and %zu more bad rows\n", rep->bad - rep->n);
}

static int report(const import_args *a, const import_report *rep)
{
    if (a->dry_run) {
        printf("%zu %s rows checked, all good; nothing imported (--dry-run)\n", rep->rows,
               a->kind);
        return 0;
    }
    printf("imported %zu of %zu %s rows from %s\n", rep->imported, rep->rows, a->kind, a->file);
    if (rep->bad)
        printf("%zu bad rows written to %s\n", rep->bad, a->rejects);
    if (rep->imported == 0 && rep->bad)
        return cli_failf("import", "all %zu rows are bad (see %s); nothing was imported",
                         rep->bad, a->rejects);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    import_args a;
    int p = parse(argc, argv, &a);
    if (p != 0)
        return p > 0 ? 0 : cli_usage(usage_text);
    /* loaded for every kind: a broken policy file is worth hearing about at once */
    policy *pol;
    store *st;
    if (cli_open_policy_store("import", a.data, a.policy, NULL, &pol, &st) != 0)
        return 1;
    actor me;
    actor_cli(&me);
    import_opts o = {.rejects_path = a.rejects, .dry_run = a.dry_run, .policy = pol,
                     .source = a.source};
    import_report rep;
    fk_err err;
    int rc = import_file(st, &me, a.kind, a.file, &o, &rep, &err);
    print_bad(&rep);
    rc = rc == 0 ? report(&a, &rep) : cli_fail("import", &err);
    import_report_free(&rep);
    store_close(st);
    policy_free(pol);
    return rc;
}
