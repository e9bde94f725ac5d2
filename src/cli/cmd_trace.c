/*
 * cmd_trace.c - `fangkong trace`: the contacts of cases from the stored data.
 *
 * Takes the trace index of the whole store as the server does (services/tracing.h): the
 * snapshot in the data directory when it is current, extended with the newer stays and
 * detections when it can be, otherwise built and saved for the next run. Every query
 * clips to its window, so the index of all records answers as one of the window would.
 * Runs discovery (services/discovery.h) with the rules of the policy in force over
 * [--from, --to) for every kind, and prints one row per (case, contact, kind, place),
 * sorted by case, contact, kind, place. A case subject that names a registered person
 * brings that person's other subjects, household and interview. Audited as one
 * "trace" record.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/parallel.h"
#include "base/timeutil.h"
#include "cli/cli.h"
#include "io/table_writer.h"
#include "policy/policy.h"
#include "services/actor.h"
#include "services/discovery.h"
#include "services/tracing.h"
#include "trace/trace.h"

#define TRACE_MAX_CASES 1000

static const char usage_text[] =
    "usage: fangkong trace --case SUBJECT [--case SUBJECT...] --from T --to T\n"
    "                      [--secondary] [--timing] [--format csv|json] [--data DIR]\n"
    "                      [--policy P]\n"
    "  Finds the contacts of each case subject (phone, ID number or person id as the data\n"
    "  has it) within [--from, --to) by the rules of the policy in force: time-space\n"
    "  companions (时空伴随, when the policy identifies them), venue co-presence, proximity,\n"
    "  household and interview contacts. T is ISO 8601 with an offset or Unix seconds.\n"
    "  Prints case,contact,kind,place,start,overlap_seconds, sorted by case, contact, kind,\n"
    "  place. --secondary adds the secondary contacts (次密接) with two more columns,\n"
    "  degree,via (the close contact they came through). --timing prints to stderr the\n"
    "  seconds spent loading and indexing, and querying (for benchmarks), and where the\n"
    "  index came from: the snapshot DIR/trace-GAP.snap as it was, that snapshot extended\n"
    "  with newer records, or built from the store (then saved as the snapshot).\n";

typedef struct trace_args {
    const char *cases[TRACE_MAX_CASES];
    int ncases;
    int64_t from, to;
    bool json, secondary, timing;
    const char *data, *policy;
} trace_args;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int parse_time(const char *v, const char *name, int64_t *out)
{
    fk_err err;
    if (fk_instant_parse(v, out, name, &err) != 0)
        return cli_fail("trace", &err);
    return 0;
}

/* 0: run; 1: help or error printed (exit status in *status). */
static int parse(int argc, char **argv, trace_args *a, int *status)
{
    static const struct option opts[] = {
        {"case", required_argument, 0, 'c'}, {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'},   {"format", required_argument, 0, 'F'},
        {"data", required_argument, 0, 'd'}, {"policy", required_argument, 0, 'P'},
        {"secondary", no_argument, 0, 's'},  {"timing", no_argument, 0, 'T'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    *a = (trace_args){.data = CLI_DEFAULT_DATA, .from = -1, .to = -1};
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (a->ncases == TRACE_MAX_CASES)
                return *status = cli_failf("trace", "at most %d cases", TRACE_MAX_CASES), 1;
            a->cases[a->ncases++] = optarg;
            break;
        case 'f': if (parse_time(optarg, "from", &a->from)) return *status = 1, 1; break;
        case 't': if (parse_time(optarg, "to", &a->to)) return *status = 1, 1; break;
        case 'F': a->json = !strcmp(optarg, "json");
            if (!a->json && strcmp(optarg, "csv")) return *status = cli_usage(usage_text), 1;
            break;
        case 'd': a->data = optarg; break;
        case 'P': a->policy = optarg; break;
        case 's': a->secondary = true; break;
        case 'T': a->timing = true; break;
        case 'h': fputs(usage_text, stdout); return *status = 0, 1;
        default: return *status = cli_usage(usage_text), 1;
        }
    }
    if (optind != argc || !a->ncases || a->from < 0 || a->to < 0)
        return *status = cli_usage(usage_text), 1;
    if (a->to <= a->from)
        return *status = cli_failf("trace", "--to must be after --from"), 1;
    qsort(a->cases, (size_t)a->ncases, sizeof a->cases[0], cmp_str);
    return 0;
}

/* One row into out: a CSV line, or a JSON object preceded by ",\n" unless first. */
static void format_row(strbuf *out, const char *c, const trace_contact *k,
                       const trace_args *a, bool first)
{
    char when[21];
    fk_instant_format(k->first_overlap, when);
    if (a->json) {
        /* subjects and places are data: jansson escapes them */
        json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "case", c, "contact",
                                k->subject, "kind", k->kind, "place", k->place, "start", when,
                                "overlap_seconds", (json_int_t)k->overlap_s, "source",
                                k->source);
        if (a->secondary)
            json_object_set_new(row, "degree", json_integer(k->degree));
        if (a->secondary)
            json_object_set_new(row, "via", json_string(k->via));
        char *text = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
        sb_appendf(out, "%s%s", first ? "" : ",\n", text);
        free(text);
        json_decref(row);
        return;
    }
    const char *cells[] = {c, k->subject, k->kind, k->place};
    for (size_t i = 0; i < 4; i++) {
        tw_csv_cell(out, cells[i]);
        sb_append_char(out, ',');
    }
    sb_append_len(out, when, 20);
    sb_append_char(out, ',');
    sb_append_i64(out, k->overlap_s);
    if (a->secondary) {
        sb_append_char(out, ',');
        sb_append_i64(out, k->degree);
        sb_append_char(out, ',');
        tw_csv_cell(out, k->via);
    }
    sb_append_char(out, '\n');
}

/* The case of a subject: its person's first case, for the interview contacts. */
static int64_t case_of_person(store *st, int64_t person_id)
{
    case_filter f = {.person_id = person_id, .limit = 1};
    case_list l;
    fk_err e;
    if (!person_id || store_case_list(st, &f, &l, &e) != 0)
        return 0;
    int64_t id = l.n ? l.items[0].id : 0;
    case_list_free(&l);
    return id;
}

/* The contacts of one case subject into *l (always initialised). */
static int discover_one(const trace_index *ix, store *st, const trace_args *a,
                        const discovery_rules *r, const char *subject, trace_contact_list *l,
                        fk_err *err)
{
    discovery_case c = {.from = a->from, .to = a->to, .comp_from = a->from, .comp_to = a->to,
                        .secondary = a->secondary};
    *l = (trace_contact_list){0};
    if (discovery_case_from_subject(st, subject, &c, err) != 0)
        return -1;
    c.case_id = case_of_person(st, c.person_id);
    return discovery_run(ix, st, r, &c, l, err);
}

/* The cases on several threads, a block at a time. The index is shared read-only;
 * each thread has its own store handle (one SQLite connection serves one thread at a
 * time), finds the contacts of its cases of the block and formats their rows as text.
 * The text is then written in case order and freed before the next block: holding
 * every result first made each case's rows land in fresh pages, whose faults cost more
 * than a thread saves. */
#define CASE_BLOCK 16

typedef struct case_out { strbuf text; int rc; fk_err err; } case_out;
typedef struct cases_job {
    const trace_index *ix;
    store **st;              /* one handle a part */
    const trace_args *a;
    const discovery_rules *r;
    int first, n;            /* the block: cases [first, first + n) */
    case_out *out;           /* n results */
} cases_job;

static void cases_part(void *ctx, unsigned i, unsigned n)
{
    cases_job *j = ctx;
    for (int k = (int)i; k < j->n; k += (int)n) {
        case_out *o = &j->out[k];
        const char *subject = j->a->cases[j->first + k];
        trace_contact_list l;
        o->rc = discover_one(j->ix, j->st[i], j->a, j->r, subject, &l, &o->err);
        for (size_t r = 0; o->rc == 0 && r < l.n; r++)
            format_row(&o->text, subject, &l.items[r], j->a, r == 0);
        trace_contact_list_free(&l);
    }
}

/* Write the block's text in case order and free it; the first failure is returned. */
static int print_block(cases_job *j, bool *first, fk_err *err)
{
    int rc = 0;
    for (int i = 0; i < j->n; i++) {
        case_out *o = &j->out[i];
        if (rc == 0 && o->rc != 0) {
            rc = -1;
            if (err)
                *err = o->err;
        }
        if (rc == 0 && o->text.len) {
            if (j->a->json && !*first)
                fputs(",\n", stdout);
            fwrite(sb_str(&o->text), 1, o->text.len, stdout);
            *first = false;
        }
        sb_free(&o->text);
    }
    return rc;
}

static int trace_cases(const trace_index *ix, store *st, const trace_args *a,
                       const discovery_rules *r, fk_err *err)
{
    unsigned nparts = fk_parallel_threads((size_t)a->ncases, 2);
    store *handles[FK_PARALLEL_MAX] = {st};
    int rc = 0;
    for (unsigned i = 1; i < nparts && rc == 0; i++)
        if (!(handles[i] = store_open(a->data, err)))
            rc = -1;
    case_out out[CASE_BLOCK];
    memset(out, 0, sizeof out);
    cases_job j = {ix, handles, a, r, 0, 0, out};
    bool first = true;
    for (j.first = 0; rc == 0 && j.first < a->ncases; j.first += CASE_BLOCK) {
        j.n = a->ncases - j.first < CASE_BLOCK ? a->ncases - j.first : CASE_BLOCK;
        for (int i = 0; i < j.n; i++)
            out[i] = (case_out){STRBUF_INIT, 0, {0}};
        fk_parallel(nparts, cases_part, &j);
        rc = print_block(&j, &first, err);
    }
    for (unsigned i = 1; i < nparts; i++)
        store_close(handles[i]);
    return rc;
}

static int run(store *st, const policy *pol, const trace_args *a, const discovery_rules *r,
               fk_err *err)
{
    char snap[4096];
    tracing_index_info info;
    double t0 = fk_seconds();
    if (tracing_snapshot_path(a->data, pol, snap, sizeof snap, err) != 0)
        return -1;
    trace_index *ix = tracing_index_current(st, pol, snap, &info, err);
    if (!ix)
        return -1;
    double t1 = fk_seconds();
    printf(a->json ? "[" : "case,contact,kind,place,start,overlap_seconds%s\n",
           a->secondary ? ",degree,via" : "");
    int rc = trace_cases(ix, st, a, r, err);
    printf(a->json ? "]\n" : "");
    fflush(stdout);
    if (a->timing)
        fprintf(stderr, "timing: records %zu detections %zu index_bytes %zu "
                        "load_build_seconds %.3f query_seconds %.4f index_from %s "
                        "snapshot_save_seconds %.3f\n",
                trace_index_records(ix), trace_index_detections(ix), trace_index_bytes(ix),
                t1 - t0 - info.save_seconds, fk_seconds() - t1, tracing_from_name(info.from),
                info.save_seconds);
    trace_index_free(ix);
    return rc;
}

int cmd_trace(int argc, char **argv)
{
    trace_args a;
    int status;
    if (parse(argc, argv, &a, &status) != 0)
        return status;
    store *st = cli_open_store("trace", a.data);
    if (!st)
        return 1;
    policy *pol = cli_load_policy("trace", a.data, a.policy, NULL);
    fk_err err;
    discovery_rules rules;
    int rc = !pol || discovery_rules_from_policy(pol, &rules, &err) != 0 ? -1 : 0;
    if (pol && rc != 0)
        cli_fail("trace", &err);
    if (rc == 0) {
        actor me;
        audit_rec rec;
        char detail[256];
        actor_cli(&me);
        snprintf(detail, sizeof detail, "cases=%d first=%s", a.ncases, a.cases[0]);
        actor_audit(&me, &rec, "trace", "stay", 0, detail);
        rc = store_audit_append(st, &rec, &err) != 0 || run(st, pol, &a, &rules, &err) != 0 ? -1 : 0;
        if (rc != 0)
            cli_fail("trace", &err);
    }
    policy_free(pol);
    store_close(st);
    return rc == 0 ? 0 : 1;
}
