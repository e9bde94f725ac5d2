/*
 * cmd_leads.c - `fangkong leads push|export|escalate`: the batch side of the leads
 * queue (services/leads.h), as the CLI operator (command role, whole city).
 *   push     the stored contacts of one or more cases become leads (--discover first
 *            runs contact discovery for each case and stores what it finds)
 *   export   a unit's queue (--area prefix, --state, --overdue) to CSV or XLSX
 *   escalate the escalation sweep as of T (kept for scripts; `fangkong sweep` runs it
 *            with the other timed duties)
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "io/table_writer.h"
#include "services/leads.h"
#include "services/tracing.h"

static const char usage_text[] =
    "usage: fangkong leads push --case ID [--case ID...] [--discover] [--secondary]\n"
    "       fangkong leads export FILE.csv|FILE.xlsx [--area CODE] [--state S] [--overdue]\n"
    "       fangkong leads escalate [--now T]\n"
    "  (each takes --data DIR; push takes --policy P and --policy-local FILE)\n"
    "  push: each case's stored contacts (close, and secondary ones) become leads with\n"
    "    the policy's deadlines; --discover runs contact discovery for the case first\n"
    "    (--secondary: with secondary contacts). Prints one line per case.\n"
    "  export: the queue of a unit (area code prefix), soonest deadline first, with\n"
    "    names in clear: the file is personal data, and the export is audited.\n"
    "  escalate: raises every open lead past its deadline, as of T (default now).\n";

enum { MAX_CASES = 4096 };

typedef struct leads_args {
    const char *data, *pol, *pol_local, *area, *state, *file;
    int64_t cases[MAX_CASES];
    size_t ncases;
    bool discover, secondary, overdue;
    int64_t now;
} leads_args;

/* ---- push --------------------------------------------------------------------------- */

static int discover(tracing *tr, store *st, const actor *me, int64_t case_id, bool secondary,
                    fk_err *err)
{
    tracing_opts o = {.secondary = secondary};
    contact_rec_list found = {0};
    int rc = tracing_discover(tr, st, me, case_id, &o, &found, err);
    contact_rec_list_free(&found);
    return rc;
}

static int push_one(tracing *tr, store *st, const policy *pol, const actor *me,
                    const leads_args *a, int64_t case_id, fk_err *err)
{
    if (a->discover && discover(tr, st, me, case_id, a->secondary, err) != 0)
        return -1;
    int64_t first, last;
    if (leads_push_case_ids(st, pol, me, case_id, &first, &last, err) != 0)
        return -1;
    printf("case %" PRId64 ": %" PRId64 " leads pushed\n", case_id,
           last >= first ? last - first + 1 : 0);
    return 0;
}

static int push(const leads_args *a)
{
    policy *pol;
    store *st;
    if (cli_open_policy_store("leads", a->data, a->pol, a->pol_local, &pol, &st) != 0)
        return 1;
    tracing *tr = tracing_new(pol);
    char snap[4096];
    fk_err err;
    if (tracing_snapshot_path(a->data, pol, snap, sizeof snap, &err) == 0)
        tracing_set_snapshot(tr, snap);
    actor me;
    actor_cli(&me);
    int rc = 0;
    for (size_t i = 0; i < a->ncases && rc == 0; i++)
        rc = push_one(tr, st, pol, &me, a, a->cases[i], &err);
    tracing_free(tr);
    store_close(st);
    policy_free(pol);
    return rc == 0 ? 0 : cli_fail("leads", &err);
}

/* ---- export ------------------------------------------------------------------------- */

static const char *const export_header[] = {
    "id", "kind", "state", "person_id", "name", "phone", "subject", "case_id",
    "measure_required", "measure_taken", "area_code", "assignee", "pushed_at", "due_at",
    "overdue", "escalated_to"};
enum { EXPORT_COLS = sizeof export_header / sizeof export_header[0] };

static int export_row(tw *w, const lead_rec *l, int64_t now, fk_err *err)
{
    char id[24], person[24], case_id[24], pushed[21], due[21] = "";
    snprintf(id, sizeof id, "%" PRId64, l->id);
    snprintf(person, sizeof person, "%" PRId64, l->person_id);
    snprintf(case_id, sizeof case_id, "%" PRId64, l->case_id);
    fk_instant_format(l->pushed_at, pushed);
    if (l->due_at)
        fk_instant_format(l->due_at, due);
    const char *cells[EXPORT_COLS] = {
        id, l->kind, l->state, l->person_id ? person : "", l->person_name, l->person_phone,
        l->subject, l->case_id ? case_id : "", l->measure_required, l->measure_taken,
        l->area_code, l->assignee, pushed, due, leads_overdue(l, now) ? "1" : "0",
        lead_level_name(l->escalation_level)};
    return tw_row(w, cells, EXPORT_COLS, err);
}

typedef struct export_sink { tw *w; int64_t now; fk_err *err; } export_sink;

static int export_lead(void *ctx, lead_rec *l)
{
    export_sink *k = ctx;
    return export_row(k->w, l, k->now, k->err);
}

/* The queue in one pass (leads_export): one sort, one snapshot, one audit record. */
static int export_pages(store *st, const actor *me, const leads_args *a, tw *w, fk_err *err)
{
    lead_filter f = {.state = a->state, .area_prefix = a->area,
                     .overdue_at = a->overdue ? a->now : 0};
    export_sink k = {w, a->now, err};
    return leads_export(st, me, &f, export_lead, &k, err);
}

static int export_queue(const leads_args *a)
{
    store *st = cli_open_store("leads", a->data);
    if (!st)
        return 1;
    actor me;
    actor_cli(&me);
    fk_err err;
    tw *w = tw_open(a->file, "leads", &err);
    int rc = w ? tw_row(w, export_header, EXPORT_COLS, &err) : -1;
    if (rc == 0)
        rc = export_pages(st, &me, a, w, &err);
    size_t rows = w ? tw_rows(w) : 0;
    if (rc == 0)
        rc = tw_close(w, &err);
    else
        tw_abort(w);
    store_close(st);
    if (rc != 0)
        return cli_fail("leads", &err);
    printf("exported %zu leads to %s\n", rows, a->file);
    return 0;
}

/* ---- escalate ----------------------------------------------------------------------- */

static int escalate(const leads_args *a)
{
    store *st = cli_open_store("leads", a->data);
    if (!st)
        return 1;
    actor me;
    fk_err err;
    int raised = 0;
    actor_cli(&me);
    int rc = leads_escalate(st, &me, a->now, &raised, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail("leads", &err);
    printf("escalated %d leads\n", raised);
    return 0;
}

/* ---- arguments ---------------------------------------------------------------------- */

static int add_case(leads_args *a, const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0 || a->ncases == MAX_CASES)
        return -1;
    a->cases[a->ncases++] = v;
    return 0;
}

/* 0: parsed; 1: help printed; -1: usage error; -2: error printed. */
static int parse_args(int argc, char **argv, leads_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},   {"now", required_argument, 0, 'n'},
        {"case", required_argument, 0, 'c'},   {"discover", no_argument, 0, 'D'},
        {"secondary", no_argument, 0, 's'},    {"area", required_argument, 0, 'a'},
        {"state", required_argument, 0, 'S'},  {"overdue", no_argument, 0, 'o'},
        {"policy", required_argument, 0, 'P'}, {"policy-local", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    fk_err err;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->data = optarg; break;
        case 'c': if (add_case(a, optarg) != 0) return -1; break;
        case 'D': a->discover = true; break;
        case 's': a->secondary = true; break;
        case 'a': a->area = optarg; break;
        case 'S': a->state = optarg; break;
        case 'o': a->overdue = true; break;
        case 'P': a->pol = optarg; break;
        case 'L': a->pol_local = optarg; break;
        case 'n':
            if (fk_instant_parse(optarg, &a->now, "now", &err) != 0)
                return cli_fail("leads", &err), -2;
            break;
        case 'h': fputs(usage_text, stdout); return 1;
        default: return -1;
        }
    }
    return 0;
}

int cmd_leads(int argc, char **argv)
{
    leads_args a = {.data = CLI_DEFAULT_DATA, .now = fk_now()};
    int parsed = parse_args(argc, argv, &a);
    if (parsed != 0)
        return parsed == 1 ? 0 : parsed == -2 ? 1 : cli_usage(usage_text);
    int left = argc - optind;
    const char *verb = left > 0 ? argv[optind] : "";
    if (!strcmp(verb, "push") && left == 1 && a.ncases > 0)
        return push(&a);
    if (!strcmp(verb, "export") && left == 2) {
        a.file = argv[optind + 1];
        return export_queue(&a);
    }
    if (!strcmp(verb, "escalate") && left == 1)
        return escalate(&a);
    return cli_usage(usage_text);
}
