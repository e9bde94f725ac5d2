/*
 * testing.c - the demo's mass-testing round (全员核酸), so that on `make run` the 核酸检测
 * pages, the inbox and a person's samples open on work in progress rather than empty:
 *
 *   a round over the city's first street, opened six hours ago for a day; a sampling site
 *   per community of the street with its tube stock; five of every six residents with a
 *   resident ID scanned into pooled tubes over the last five hours (the policy's pool for
 *   the "other" group; a person whose group needs a smaller pool, e.g. a resident of a
 *   sealed zone, is left for single tubes or home sampling: untested here); the tubes
 *   closed; a lab of the district; every site's box handed over and received but the
 *   last site's (still with its courier); the received tubes' results imported, all
 *   negative but the first tube: a positive pool, whose members are held, get retest
 *   leads and are notified to the policy's audiences (services/positives.h).
 *
 * Everything goes through the services and the bulk imports users use (scans and results
 * as CSV files in the temporary directory, removed after), as the platform itself
 * ("system", demo). Times are the real clock's: the round's window counts from now.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "demo/demo.h"
#include "io/import.h"
#include "policy/policy.h"
#include "services/sample_flow.h"
#include "services/testing.h"

#define HOUR 3600
#define MAX_SITES 64
#define UNTESTED_EVERY 6 /* one resident in six not yet sampled */

typedef struct demo_site {
    site_rec s;
    char community[16];
    int64_t members, next_tube, tubes;
} demo_site;

typedef struct round_plan {
    round_rec round;
    demo_site sites[MAX_SITES];
    size_t n_sites;
    int64_t pool;      /* the policy's pool for the "other" group */
    int64_t now;
} round_plan;

/* The site of community `code`, added when new; NULL when MAX_SITES are taken. */
static demo_site *site_of(round_plan *p, const char *code)
{
    for (size_t i = 0; i < p->n_sites; i++)
        if (!strcmp(p->sites[i].community, code))
            return &p->sites[i];
    if (p->n_sites == MAX_SITES)
        return NULL;
    demo_site *d = &p->sites[p->n_sites++];
    memset(d, 0, sizeof *d);
    snprintf(d->community, sizeof d->community, "%s", code);
    return d;
}

static void barcode_of(const round_plan *p, const demo_site *d, int64_t i, char out[24])
{
    unsigned site = (unsigned)(d - p->sites + 1) % 100u, n = (unsigned)((i + 1) % 1000000);
    snprintf(out, 24, "DM%02u-%06u", site, n);
}

/* The scans file: the residents of the street with a resident ID, five in six, each
 * community's into its site's tubes, `pool` to a tube, times spread over five hours. */
static int write_scans(store *st, round_plan *p, const char *path, int64_t *rows, fk_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return fk_fail(err, FK_EIO, "", "demo: cannot write %s", path);
    fputs("tube,person,time,site\n", f);
    person_filter pf = {.area_prefix = p->round.area_code, .resident_type = "resident",
                        .limit = 1000};
    int rc = 0;
    *rows = 0;
    for (;; pf.offset += pf.limit) {
        person_list l;
        if ((rc = store_person_list(st, &pf, &l, err)) != 0)
            break;
        for (size_t i = 0; i < l.n; i++) {
            const person *x = &l.items[i];
            demo_site *d = site_of(p, x->community_code);
            if (!d || strcmp(x->id_type, "resident") || x->id % UNTESTED_EVERY == 0)
                continue;
            char code[24];
            barcode_of(p, d, d->members++ / p->pool, code);
            int64_t at = p->now - 5 * HOUR + (*rows % (5 * HOUR - 600));
            fprintf(f, "%s,%s,%lld,%lld\n", code, x->id_number, (long long)at,
                    (long long)(d - p->sites));
            (*rows)++;
        }
        size_t n = l.n;
        person_list_free(&l);
        if (n < (size_t)pf.limit)
            break;
    }
    return fclose(f) != 0 && rc == 0 ? fk_fail(err, FK_EIO, "", "demo: cannot write %s", path)
                                     : rc;
}

/* The round and its sites (the file's site column holds the site's index until then). */
static int open_round(store *st, const actor *a, const char *street, round_plan *p,
                      fk_err *err)
{
    snprintf(p->round.name, sizeof p->round.name, "全员核酸检测（演示）");
    snprintf(p->round.area_code, sizeof p->round.area_code, "%s", street);
    snprintf(p->round.state, sizeof p->round.state, "open");
    p->round.starts_at = p->now - 6 * HOUR;
    p->round.ends_at = p->now + 18 * HOUR;
    return testing_round_create(st, a, &p->round, err);
}

/* Each site's tube stock: as many tubes as its scans fill, and ten spare. */
static int add_sites(store *st, const actor *a, round_plan *p, fk_err *err)
{
    for (size_t i = 0; i < p->n_sites; i++) {
        demo_site *d = &p->sites[i];
        area where;
        d->s.round_id = p->round.id;
        if (store_area_get(st, d->community, &where, err) != 0)
            return -1;
        snprintf(d->s.name, sizeof d->s.name, "%.100s核酸采样点", where.name);
        snprintf(d->s.area_code, sizeof d->s.area_code, "%s", d->community);
        snprintf(d->s.team, sizeof d->s.team, "第%zu采样队", i + 1);
        if (testing_site_create(st, a, &d->s, err) != 0)
            return -1;
        d->tubes = (d->members + p->pool - 1) / p->pool + 10;
        for (int64_t first = 0; first < d->tubes; first += TESTING_MAX_ISSUE) {
            char codes[TESTING_MAX_ISSUE][24];
            const char *ptrs[TESTING_MAX_ISSUE];
            size_t n = 0;
            for (int64_t t = first; t < d->tubes && n < TESTING_MAX_ISSUE; t++, n++) {
                barcode_of(p, d, t, codes[n]);
                ptrs[n] = codes[n];
            }
            if (testing_tubes_issue(st, a, d->s.id, ptrs, n, err) != 0)
                return -1;
        }
    }
    return 0;
}

/* The file's site indexes become the sites' ids (one pass over the rows). */
static int site_ids(const round_plan *p, const char *in, const char *out, fk_err *err)
{
    FILE *r = fopen(in, "r"), *w = fopen(out, "w");
    char line[256];
    int rc = r && w ? 0 : fk_fail(err, FK_EIO, "", "demo: cannot rewrite the scans file");
    while (rc == 0 && fgets(line, sizeof line, r)) {
        char *comma = strrchr(line, ',');
        if (!comma || line[0] == 't') {
            fputs(line, w);
            continue;
        }
        size_t i = (size_t)strtoul(comma + 1, NULL, 10);
        *comma = '\0';
        fprintf(w, "%s,%lld\n", line, (long long)p->sites[i].s.id);
    }
    if (r)
        fclose(r);
    if (w && fclose(w) != 0 && rc == 0)
        rc = fk_fail(err, FK_EIO, "", "demo: cannot rewrite the scans file");
    return rc;
}

/* skip_bad: rows the rules refuse are left out (a person whose pool is smaller);
 * otherwise any bad row fails the demo. */
static int import_into(store *st, const policy *pol, const actor *a, const char *kind,
                       const char *path, bool skip_bad, size_t *imported, fk_err *err)
{
    char rejects[300];
    snprintf(rejects, sizeof rejects, "%s.rejects", path);
    import_opts o = {.policy = pol, .rejects_path = skip_bad ? rejects : NULL};
    import_report rep;
    int rc = import_file(st, a, kind, path, &o, &rep, err);
    *imported = rep.imported;
    import_report_free(&rep);
    unlink(rejects);
    return rc;
}

/* Tubes left open (a short last pool, a row skipped) are closed by hand, as a sampler
 * does at the end of a shift; codes (cap) gets every sampled tube's barcode. */
static int close_tubes(store *st, const actor *a, const demo_site *d, char (*codes)[24],
                       size_t cap, size_t *n, fk_err *err)
{
    site_tube_list l;
    *n = 0;
    if (testing_site_tubes(st, a, d->s.id, NULL, 1, 1000, 0, &l, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l.n && *n < cap; i++) {
        tube_rec t = l.items[i].tube;
        if (!t.n_members)
            continue;
        if (!strcmp(t.state, "open"))
            rc = testing_tube_close(st, a, t.barcode, &t, err);
        memcpy(codes[(*n)++], t.barcode, 24);
    }
    site_tube_list_free(&l);
    return rc;
}

/* Each site's sampled tubes into one box to the lab; the last site's box stays with its
 * courier. The received tubes' barcodes are appended to the results file. */
static int ship(store *st, const actor *a, const round_plan *p, int64_t lab_id, FILE *results,
                int64_t *received, fk_err *err)
{
    static char codes[1000][24];
    const char *ptrs[1000];
    for (size_t i = 0; i < p->n_sites; i++) {
        const demo_site *d = &p->sites[i];
        size_t n;
        box_rec b;
        char box[24];
        if (close_tubes(st, a, d, codes, 1000, &n, err) != 0)
            return -1;
        if (n == 0)
            continue;
        for (size_t k = 0; k < n; k++)
            ptrs[k] = codes[k];
        snprintf(box, sizeof box, "DMBOX-%02u", (unsigned)(i + 1) % 100u);
        if (sample_box_pack(st, a, box, d->s.id, ptrs, n, &b, err) != 0 ||
            sample_box_hand_over(st, a, box, i % 2 ? "钱师傅" : "赵师傅", &b, err) != 0)
            return -1;
        if (i + 1 == p->n_sites && p->n_sites > 1)
            continue; /* in transit */
        if (sample_box_receive(st, a, box, lab_id, &b, err) != 0)
            return -1;
        for (size_t k = 0; k < n; k++, (*received)++) /* reported after the receipt */
            fprintf(results, "%s,%s,%s,%s,%lld,%lld\n", codes[k],
                    *received ? "negative" : "positive", *received ? "" : "28.6",
                    *received ? "" : "29.3", (long long)lab_id, (long long)b.received_at);
    }
    return 0;
}

static int street_of_first_person(store *st, char street[16], fk_err *err)
{
    person x;
    if (store_person_get(st, 1, &x, err) != 0)
        return -1;
    snprintf(street, 16, "%.9s", x.community_code);
    return 0;
}

/* The round's working files in the temporary directory, named once. */
typedef struct demo_files { char raw[256], scans[256], results[256]; } demo_files;

static void files_in(const char *dir, demo_files *f)
{
    int pid = (int)getpid();
    snprintf(f->raw, sizeof f->raw, "%s/fangkong-demo-scans-%d.raw", dir, pid);
    snprintf(f->scans, sizeof f->scans, "%s/fangkong-demo-scans-%d.csv", dir, pid);
    snprintf(f->results, sizeof f->results, "%s/fangkong-demo-results-%d.csv", dir, pid);
}

/* The lab of the street's district and its results file (what ship writes), imported. */
static int lab_results(store *st, const policy *pol, const actor *a, const round_plan *p,
                       const char *street, const char *path, demo_testing_summary *out,
                       fk_err *err)
{
    lab_rec lab = {0};
    size_t imported = 0;
    snprintf(lab.name, sizeof lab.name, "安澜市疾控中心实验室");
    snprintf(lab.area_code, sizeof lab.area_code, "%.6s", street);
    if (sample_lab_create(st, a, &lab, err) != 0)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return fk_fail(err, FK_EIO, "", "demo: cannot write %s", path);
    fputs("tube,result,ct_orf1ab,ct_n,lab,time\n", f);
    int rc = ship(st, a, p, lab.id, f, &out->results, err);
    if (fclose(f) != 0 && rc == 0)
        rc = fk_fail(err, FK_EIO, "", "demo: cannot write %s", path);
    if (rc == 0 && out->results > 0)
        rc = import_into(st, pol, a, "results", path, false, &imported, err);
    out->results = (int64_t)imported;
    return rc;
}

static int run_round(store *st, const policy *pol, const actor *a, round_plan *p,
                     const demo_files *files, demo_testing_summary *out, fk_err *err)
{
    char street[16];
    size_t imported;
    if (street_of_first_person(st, street, err) != 0 || open_round(st, a, street, p, err) != 0 ||
        write_scans(st, p, files->raw, &out->scanned, err) != 0 ||
        add_sites(st, a, p, err) != 0 || site_ids(p, files->raw, files->scans, err) != 0 ||
        import_into(st, pol, a, "scans", files->scans, true, &imported, err) != 0)
        return -1;
    out->round_id = p->round.id;
    out->scanned = (int64_t)imported;
    out->sites = (int64_t)p->n_sites;
    return lab_results(st, pol, a, p, street, files->results, out, err);
}

int demo_testing(store *st, const policy *pol, demo_testing_summary *out, fk_err *err)
{
    actor a;
    round_plan *p = calloc(1, sizeof *p);
    const char *dir = getenv("TMPDIR");
    demo_files files;
    memset(out, 0, sizeof *out);
    if (!p)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    actor_system(&a, "demo");
    p->now = fk_now();
    if (policy_get_int(pol, "testing.pool_by_group.groups.other", &p->pool, err) != 0) {
        free(p);
        return -1;
    }
    files_in(dir && *dir ? dir : "/tmp", &files);
    int rc = run_round(st, pol, &a, p, &files, out, err);
    unlink(files.raw);
    unlink(files.scans);
    unlink(files.results);
    free(p);
    return rc;
}
