/*
 * sample_flow.c - the sample flow of mass testing (contract: sample_flow.h).
 */
#include "services/sample_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "model/role.h"
#include "model/tube.h"
#include "services/positives.h"

/* ---- helpers ----------------------------------------------------------------------------- */

/* Reads are open to the site's side and to the lab's. */
static int require_read(const actor *a, fk_err *err)
{
    return actor_require_either(a, PERM_TESTING, PERM_LAB, err);
}

/* Run `call` between store_begin and commit, rolling back on failure: the checks and
 * the change see the same rows. Returns from the function. */
#define IN_UNIT(st, err, call)                                                               \
    do {                                                                                     \
        if (store_begin((st), (err)) != 0)                                                   \
            return -1;                                                                       \
        return store_end((st), (call), (err));                                               \
    } while (0)

/* The box of a code whose site the actor may work: unknown and out-of-area alike. */
static int box_in_scope(store *st, const actor *a, const char *code, box_rec *out,
                        fk_err *err)
{
    if (tube_barcode_check(code, "code", err) != 0 || store_box_get(st, code, out, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, out->site_area))
        return fk_fail(err, FK_ENOTFOUND, "code", "code: no box %s", code);
    return 0;
}

/* ---- one result -------------------------------------------------------------------------- */

static int ct_check(bool given, double ct, const char *where, const char *name, fk_err *err)
{
    if (given && !(ct > 0 && ct <= SAMPLE_CT_MAX))
        return fk_fail(err, FK_EINVAL, name, "%s%s: a Ct value above 0 and at most %g", where,
                       name, SAMPLE_CT_MAX);
    return 0;
}

int sample_result_check(const result_input *in, const char *where, fk_err *err)
{
    const char *w = where ? where : "";
    const char *r = in->result ? in->result : "";
    if (strcmp(r, "negative") && strcmp(r, "positive") && strcmp(r, "invalid"))
        return fk_fail(err, FK_EINVAL, "result", "%sresult: negative, positive or invalid", w);
    if (ct_check(in->has_orf1ab, in->ct_orf1ab, w, "ct_orf1ab", err) != 0 ||
        ct_check(in->has_n, in->ct_n, w, "ct_n", err) != 0)
        return -1;
    bool positive = !strcmp(r, "positive");
    if (positive && (!in->has_orf1ab || !in->has_n))
        return fk_fail(err, FK_EINVAL, in->has_orf1ab ? "ct_n" : "ct_orf1ab",
                       "%s%s: a positive needs the Ct values of ORF1ab and N", w,
                       in->has_orf1ab ? "ct_n" : "ct_orf1ab");
    if (!positive && (in->has_orf1ab || in->has_n))
        return fk_fail(err, FK_EINVAL, in->has_orf1ab ? "ct_orf1ab" : "ct_n",
                       "%s%s: only a positive carries Ct values", w,
                       in->has_orf1ab ? "ct_orf1ab" : "ct_n");
    return 0;
}

/* ---- labs -------------------------------------------------------------------------------- */

int sample_lab_create(store *st, const actor *a, lab_rec *l, fk_err *err)
{
    if (actor_require(a, PERM_LAB, err) != 0)
        return -1;
    if (!l->name[0])
        return fk_fail(err, FK_EINVAL, "name", "name: required");
    if (!l->area_code[0])
        return fk_fail(err, FK_EINVAL, "area_code", "area_code: required");
    if (!role_in_jurisdiction(a->area_code, l->area_code))
        return fk_fail(err, FK_EFORBIDDEN, "area_code", "area_code: %s is outside your "
                       "jurisdiction", l->area_code);
    snprintf(l->created_by, sizeof l->created_by, "%s", a->username);
    l->created_at = fk_now();
    audit_rec rec;
    actor_audit(a, &rec, "create", "lab", 0, l->name);
    return store_lab_insert(st, l, &rec, err);
}

int sample_lab_list(store *st, const actor *a, lab_list *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    if (require_read(a, err) != 0 || store_lab_list(st, out, err) != 0)
        return -1;
    if (actor_audit_append(st, a, "read", "lab", 0, "list", err) != 0) {
        lab_list_free(out);
        return -1;
    }
    return 0;
}

/* ---- boxes ------------------------------------------------------------------------------- */

static int listed_twice(const char *const *codes, size_t i, fk_err *err)
{
    for (size_t j = 0; j < i; j++)
        if (!strcmp(codes[j], codes[i]))
            return fk_fail(err, FK_EINVAL, "barcodes", "barcodes: %s is listed twice", codes[i]);
    return 0;
}

/* May the tube of `barcode` go into a new box of `site`? Its id into *id. */
static int tube_packable(store *st, const site_rec *site, const char *barcode, int64_t *id,
                         fk_err *err)
{
    tube_rec t;
    box_rec b;
    if (store_tube_get(st, barcode, &t, NULL, err) != 0)
        return err->code == FK_ENOTFOUND
                   ? fk_fail(err, FK_EREF, "barcodes", "barcodes: %s was never issued", barcode)
                   : -1;
    if (t.round_id != site->round_id || t.site_id != site->id)
        return fk_fail(err, FK_ECONFLICT, "barcodes", "barcodes: %s belongs to another %s",
                       barcode, t.round_id != site->round_id ? "round" : "sampling site");
    if (strcmp(t.state, "closed") != 0)
        return fk_fail(err, FK_ECONFLICT, "barcodes", "barcodes: %s is %s: only a closed tube "
                       "is packed", barcode, t.state);
    int boxed = store_box_of_tube(st, t.id, &b, err);
    if (boxed < 0)
        return -1;
    if (boxed)
        return fk_fail(err, FK_ECONFLICT, "barcodes", "barcodes: %s is already in box %s",
                       barcode, b.code);
    *id = t.id;
    return 0;
}

static int pack_unit(store *st, const actor *a, const char *code, const site_rec *site,
                     const char *const *barcodes, size_t n, box_rec *out, fk_err *err)
{
    int64_t *ids = calloc(n, sizeof *ids);
    if (!ids)
        return fk_fail(err, FK_EBUSY, NULL, "out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = tube_barcode_check(barcodes[i], "barcodes", err) ||
             listed_twice(barcodes, i, err) || tube_packable(st, site, barcodes[i], &ids[i], err);
    box_rec b = {.round_id = site->round_id, .site_id = site->id, .packed_at = fk_now()};
    snprintf(b.code, sizeof b.code, "%s", code);
    snprintf(b.packed_by, sizeof b.packed_by, "%s", a->username);
    char detail[64];
    snprintf(detail, sizeof detail, "%zu tubes", n);
    audit_rec rec;
    actor_audit(a, &rec, "pack", "sample_box", 0, detail);
    rc = rc || store_box_pack(st, &b, ids, n, &rec, err) || store_box_get(st, code, out, err);
    free(ids);
    return rc ? -1 : 0;
}

int sample_box_pack(store *st, const actor *a, const char *code, int64_t site_id,
                    const char *const *barcodes, size_t n, box_rec *out, fk_err *err)
{
    site_rec site;
    if (actor_require(a, PERM_TESTING, err) != 0 || tube_barcode_check(code, "code", err) != 0)
        return -1;
    if (n < 1 || n > SAMPLE_BOX_MAX)
        return fk_fail(err, FK_EINVAL, "barcodes", "barcodes: 1 to %d tubes a box",
                       SAMPLE_BOX_MAX);
    if (store_site_get(st, site_id, &site, err) != 0)
        return err->code == FK_ENOTFOUND ? fk_fail(err, FK_EREF, "site_id", "site_id: no site "
                                                   "%lld", (long long)site_id) : -1;
    if (!role_in_jurisdiction(a->area_code, site.area_code))
        return fk_fail(err, FK_EREF, "site_id", "site_id: no site %lld", (long long)site_id);
    IN_UNIT(st, err, pack_unit(st, a, code, &site, barcodes, n, out, err));
}

int sample_box_get(store *st, const actor *a, const char *code, box_rec *out,
                   char (**barcodes)[24], size_t *n, fk_err *err)
{
    if (require_read(a, err) != 0 || box_in_scope(st, a, code, out, err) != 0)
        return -1;
    if (barcodes && store_box_barcodes(st, out->id, barcodes, n, err) != 0)
        return -1;
    if (actor_audit_append(st, a, "read", "sample_box", out->id, code, err) != 0) {
        if (barcodes)
            free(*barcodes);
        return -1;
    }
    return 0;
}

int sample_box_hand_over(store *st, const actor *a, const char *code, const char *courier,
                         box_rec *out, fk_err *err)
{
    box_rec b;
    if (actor_require(a, PERM_TESTING, err) != 0 || box_in_scope(st, a, code, &b, err) != 0)
        return -1;
    if (!courier || !courier[0] || strlen(courier) > 127)
        return fk_fail(err, FK_EINVAL, "courier", "courier: the courier's name, 1 to 127 bytes");
    if (strcmp(b.state, "packed") != 0)
        return fk_fail(err, FK_ECONFLICT, "code", "code: box %s was handed over at %lld already",
                       code, (long long)b.handed_at);
    audit_rec rec;
    actor_audit(a, &rec, "hand_over", "sample_box", b.id, courier);
    if (store_box_hand_over(st, b.id, courier, a->username, fk_now(), &rec, err) != 0)
        return -1;
    return store_box_get(st, code, out, err);
}

int sample_box_receive(store *st, const actor *a, const char *code, int64_t lab_id,
                       box_rec *out, fk_err *err)
{
    box_rec b;
    lab_rec lab;
    if (actor_require(a, PERM_LAB, err) != 0 || box_in_scope(st, a, code, &b, err) != 0 ||
        store_lab_get(st, lab_id, &lab, err) != 0)
        return -1;
    if (strcmp(b.state, "handed_over") != 0)
        return fk_fail(err, FK_ECONFLICT, "code", "code: box %s is %s, only a box handed over "
                       "is received", code, b.state);
    audit_rec rec;
    actor_audit(a, &rec, "receive", "sample_box", b.id, lab.name);
    if (store_box_receive(st, b.id, lab_id, a->username, fk_now(), &rec, err) != 0)
        return -1;
    return store_box_get(st, code, out, err);
}

/* ---- results ----------------------------------------------------------------------------- */

/* A positive is reported at once (audited here, in the result's transaction); what
 * follows every new row (holds, re-samples, leads, cases, notices) is positives.h's. */
/* The positives among r, audited at once (testing.positive_pool.report_immediately). */
/* Appended together: one savepoint for all, not one a positive (an import's 24). */
static int positives_audited(store *st, const actor *a, const result_rec *r, size_t n,
                             fk_err *err)
{
    audit_rec *recs = n ? fk_calloc(n, sizeof *recs) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(r[i].result, "positive") != 0)
            continue;
        char detail[96];
        snprintf(detail, sizeof detail, "ORF1ab %.1f N %.1f", r[i].ct_orf1ab, r[i].ct_n);
        actor_audit(a, &recs[k++], "positive", "tube", r[i].tube_id, detail);
    }
    int rc = k ? store_audit_append_many(st, recs, k, err) : 0;
    free(recs);
    return rc;
}

int sample_results_followed_up(store *st, const policy *pol, const actor *a,
                               const result_rec *r, size_t n, fk_err *err)
{
    return positives_audited(st, a, r, n, err) ||
           positives_follow_up(st, pol, a, r, n, err) ? -1 : 0;
}

int sample_first_results_followed_up(store *st, const policy *pol, const actor *a,
                                     int64_t first, int64_t last, const checked_result *follow,
                                     size_t nfollow, fk_err *err)
{
    int64_t *ids = nfollow ? fk_calloc(nfollow, sizeof *ids) : NULL;
    result_rec *r = nfollow ? fk_calloc(nfollow, sizeof *r) : NULL;
    for (size_t i = 0; i < nfollow; i++) {
        ids[i] = follow[i].id;
        r[i] = (result_rec){.id = follow[i].id, .tube_id = follow[i].tube_id,
                            .has_ct = follow[i].has_ct, .ct_orf1ab = follow[i].ct_orf1ab,
                            .ct_n = follow[i].ct_n};
        snprintf(r[i].result, sizeof r[i].result, "%s", follow[i].result);
    }
    int rc = positives_audited(st, a, r, nfollow, err) ||
             positives_follow_up_run(st, pol, a, first, last, ids, nfollow, err) ? -1 : 0;
    free(ids);
    free(r);
    return rc;
}

/* The row for in's tube, checked: in scope, received (by lab_id when non-zero), and
 * with (correction) or without a current result; *current its id. */
static int result_row(store *st, const actor *a, const result_input *in, int64_t lab_id,
                      bool correction, const char *field_box, result_rec *out, fk_err *err)
{
    tube_rec t;
    site_rec site;
    box_rec b;
    result_list h = {0};
    if (tube_barcode_check(in->barcode, "barcode", err) != 0 ||
        store_tube_get(st, in->barcode, &t, NULL, err) != 0 ||
        store_site_get(st, t.site_id, &site, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, site.area_code))
        return fk_fail(err, FK_ENOTFOUND, "barcode", "barcode: %s was never issued", in->barcode);
    int boxed = store_box_of_tube(st, t.id, &b, err);
    if (boxed < 0)
        return -1;
    if (!boxed || strcmp(b.state, "received") != 0)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: %s has not been received by a "
                       "lab%s%s", in->barcode, boxed ? ": its box is " : "", boxed ? b.state : "");
    if (field_box && strcmp(b.code, field_box) != 0)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: %s is in box %s", in->barcode,
                       b.code);
    if (lab_id && lab_id != b.lab_id)
        return fk_fail(err, FK_ECONFLICT, "lab_id", "lab_id: tube %s was received by %s",
                       in->barcode, b.lab_name);
    if (store_tube_results(st, t.id, &h, err) != 0)
        return -1;
    int64_t current = h.n ? h.items[h.n - 1].id : 0;
    char was[12];
    snprintf(was, sizeof was, "%s", h.n ? h.items[h.n - 1].result : "");
    result_list_free(&h);
    if (!correction && current)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: %s has a result (%s): correct "
                       "it with a reason", in->barcode, was);
    if (correction && !current)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: %s has no result to correct",
                       in->barcode);
    memset(out, 0, sizeof *out);
    out->tube_id = t.id;
    snprintf(out->result, sizeof out->result, "%s", in->result);
    out->has_ct = in->has_orf1ab && in->has_n;
    out->ct_orf1ab = in->ct_orf1ab;
    out->ct_n = in->ct_n;
    out->lab_id = b.lab_id;
    out->reported_at = fk_now();
    snprintf(out->reported_by, sizeof out->reported_by, "%s", a->username);
    out->replaces = current;
    snprintf(out->lab_name, sizeof out->lab_name, "%s", b.lab_name);
    return 0;
}

static int record_unit(store *st, const policy *pol, const actor *a, const result_input *in,
                       int64_t lab_id, const char *reason, result_rec *out, fk_err *err)
{
    if (result_row(st, a, in, lab_id, reason != NULL, NULL, out, err) != 0)
        return -1;
    char detail[300];
    if (reason) {
        snprintf(out->reason, sizeof out->reason, "%s", reason);
        snprintf(detail, sizeof detail, "%s: %s", out->result, reason);
    } else {
        snprintf(detail, sizeof detail, "%s", out->result);
    }
    audit_rec rec;
    actor_audit(a, &rec, reason ? "correct" : "result", "tube", out->tube_id, detail);
    return store_results_add(st, out, 1, &rec, err) ||
           sample_results_followed_up(st, pol, a, out, 1, err);
}

int sample_result_record(store *st, const policy *pol, const actor *a,
                         const result_input *in, int64_t lab_id, result_rec *out, fk_err *err)
{
    if (actor_require(a, PERM_LAB, err) != 0 || sample_result_check(in, NULL, err) != 0)
        return -1;
    IN_UNIT(st, err, record_unit(st, pol, a, in, lab_id, NULL, out, err));
}

int sample_result_correct(store *st, const policy *pol, const actor *a,
                          const result_input *in, int64_t lab_id, const char *reason,
                          result_rec *out, fk_err *err)
{
    if (actor_require(a, PERM_LAB, err) != 0 || sample_result_check(in, NULL, err) != 0)
        return -1;
    if (!reason || !reason[0] || strlen(reason) > 255)
        return fk_fail(err, FK_EINVAL, "reason", "reason: why the result is corrected, 1 to "
                       "255 bytes");
    IN_UNIT(st, err, record_unit(st, pol, a, in, lab_id, reason, out, err));
}

static int box_results_unit(store *st, const policy *pol, const actor *a, const box_rec *b,
                            const result_input *in, size_t n, int64_t lab_id, result_rec *out,
                            fk_err *err)
{
    for (size_t i = 0; i < n; i++) {
        char where[32];
        snprintf(where, sizeof where, "results[%zu].", i);
        if (sample_result_check(&in[i], where, err) != 0 ||
            result_row(st, a, &in[i], lab_id, false, b->code, &out[i], err) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (out[j].tube_id == out[i].tube_id)
                return fk_fail(err, FK_EINVAL, "barcode", "barcode: %s is listed twice",
                               in[i].barcode);
    }
    char detail[64];
    snprintf(detail, sizeof detail, "%zu results", n);
    audit_rec rec;
    actor_audit(a, &rec, "results", "sample_box", b->id, detail);
    return store_results_add(st, out, n, &rec, err) ||
           sample_results_followed_up(st, pol, a, out, n, err);
}

int sample_results_record_box(store *st, const policy *pol, const actor *a, const char *code,
                              const result_input *in, size_t n, int64_t lab_id,
                              result_rec *out, fk_err *err)
{
    box_rec b;
    if (actor_require(a, PERM_LAB, err) != 0 || box_in_scope(st, a, code, &b, err) != 0)
        return -1;
    if (n < 1 || n > SAMPLE_BOX_MAX)
        return fk_fail(err, FK_EINVAL, "results", "results: 1 to %d", SAMPLE_BOX_MAX);
    IN_UNIT(st, err, box_results_unit(st, pol, a, &b, in, n, lab_id, out, err));
}

int sample_tube_flow(store *st, const actor *a, int64_t tube_id, box_rec *box, int *boxed,
                     result_list *results, fk_err *err)
{
    memset(results, 0, sizeof *results);
    if (require_read(a, err) != 0)
        return -1;
    *boxed = store_box_of_tube(st, tube_id, box, err);
    if (*boxed < 0)
        return -1;
    return store_tube_results(st, tube_id, results, err);
}

/* ---- the flow ---------------------------------------------------------------------------- */

static void count_row(flow_counts *c, const flow_row *r, int64_t now, int64_t s2l, int64_t l2r)
{
    bool received = r->received_at != 0, resulted = r->resulted_at != 0;
    if (!r->box_state[0])
        c->waiting_pack++;
    else if (!strcmp(r->box_state, "packed"))
        c->waiting_handover++;
    else if (!strcmp(r->box_state, "handed_over"))
        c->in_transit++;
    else if (!resulted)
        c->waiting_result++;
    else
        c->resulted++;
    c->negative += !strcmp(r->result, "negative");
    c->positive += !strcmp(r->result, "positive");
    c->invalid += !strcmp(r->result, "invalid");
    if (!received)
        c->over_sample_to_lab += now - r->closed_at > s2l;
    else
        c->late_to_lab += r->received_at - r->closed_at > s2l;
    if (received && !resulted)
        c->over_lab_to_result += now - r->received_at > l2r;
    else if (resulted)
        c->late_result += r->resulted_at - r->received_at > l2r;
}

/* The entry of `id` in a growing array (found by a linear look: a round's labs and a
 * filter's sites are few); NULL when out of memory. */
static flow_counts *entry(flow_counts **arr, size_t *n, int64_t id, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if ((*arr)[i].id == id)
            return &(*arr)[i];
    flow_counts *grown = realloc(*arr, (*n + 1) * sizeof **arr);
    if (!grown)
        return NULL;
    *arr = grown;
    flow_counts *c = &grown[(*n)++];
    memset(c, 0, sizeof *c);
    c->id = id;
    snprintf(c->name, sizeof c->name, "%s", name);
    return c;
}

int sample_flow_tally(const flow_row *rows, size_t n, int64_t now, int64_t sample_to_lab_s,
                      int64_t lab_to_result_s, flow_report *out, fk_err *err)
{
    memset(out, 0, sizeof *out);
    out->now = now;
    out->sample_to_lab_h = sample_to_lab_s / 3600;
    out->lab_to_result_h = lab_to_result_s / 3600;
    for (size_t i = 0; i < n; i++) {
        const flow_row *r = &rows[i];
        flow_counts *s = entry(&out->sites, &out->n_sites, r->site_id, r->site_name);
        flow_counts *l = r->lab_id ? entry(&out->labs, &out->n_labs, r->lab_id, r->lab_name)
                                   : NULL;
        if (!s || (r->lab_id && !l)) {
            sample_flow_free(out);
            return fk_fail(err, FK_EBUSY, NULL, "out of memory");
        }
        count_row(s, r, now, sample_to_lab_s, lab_to_result_s);
        if (l)
            count_row(l, r, now, sample_to_lab_s, lab_to_result_s);
    }
    return 0;
}

int sample_flow_report(store *st, const policy *pol, const actor *a, int64_t round_id,
                       int64_t site_id, int64_t lab_id, int64_t now, flow_report *out,
                       fk_err *err)
{
    int64_t s2l, l2r;
    flow_list rows = {0};
    memset(out, 0, sizeof *out);
    if (require_read(a, err) != 0 ||
        policy_get_int(pol, "testing.time_limits_h.sample_to_lab", &s2l, err) != 0 ||
        policy_get_int(pol, "testing.time_limits_h.voluntary", &l2r, err) != 0)
        return -1;
    flow_filter f = {.round_id = round_id, .site_id = site_id, .lab_id = lab_id,
                     .area_prefix = a->area_code[0] ? a->area_code : NULL};
    if (store_flow_rows(st, &f, &rows, err) != 0)
        return -1;
    int rc = sample_flow_tally(rows.items, rows.n, now, s2l * 3600, l2r * 3600, out, err);
    flow_list_free(&rows);
    if (rc == 0 && actor_audit_append(st, a, "read", "testing_flow", round_id, "flow", err) != 0) {
        sample_flow_free(out);
        return -1;
    }
    return rc;
}

void sample_flow_free(flow_report *r)
{
    if (!r)
        return;
    free(r->sites);
    free(r->labs);
    r->sites = r->labs = NULL;
    r->n_sites = r->n_labs = 0;
}
