/*
 * h_reconcile.c - reconciliation of a testing round, contract in services/reconcile.h:
 *   POST  /api/v1/testing/boxes/{code}/unpack            {barcodes[], lab_id}: the tubes
 *                                                        the lab finds in a received box
 *   POST  /api/v1/testing/labs/{id}/unmatched-results    {barcode, result, ct_orf1ab,
 *                                                        ct_n, round_id, note}
 *   PATCH /api/v1/testing/unmatched/{id}                 {resolution, note}
 *   GET   /api/v1/testing/rounds/{id}/reconciliation     counts and items per kind (day,
 *                                                        area, now, limit: items a kind)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/reconcile.h"

typedef req_field field;
typedef req_value value;

/* The strings of a JSON array (borrowed from it) into a heap array the caller frees. */
static int barcodes_of(json_t *arr, const char ***out, size_t *n, fk_err *err)
{
    size_t i, k = json_array_size(arr);
    json_t *e;
    *n = 0;
    if (k > SAMPLE_BOX_MAX)
        return fk_fail(err, FK_EINVAL, "barcodes", "barcodes: at most %d", SAMPLE_BOX_MAX);
    *out = calloc(k ? k : 1, sizeof **out);
    if (!*out)
        return fk_fail(err, FK_EBUSY, NULL, "out of memory");
    json_array_foreach(arr, i, e) {
        if (!json_is_string(e))
            return fk_fail(err, FK_EINVAL, "barcodes", "barcodes[%zu]: a string", i);
        (*out)[i] = json_string_value(e);
    }
    *n = k;
    return 0;
}

static json_t *unmatched_json(const unmatched_rec *u)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id",
                          (json_int_t)u->id, "kind", u->kind, "round_id",
                          (json_int_t)u->round_id, "area_code", u->area_code, "barcode",
                          u->barcode, "reason", u->reason, "lab_id", (json_int_t)u->lab_id,
                          "lab_name", u->lab_name, "note", u->note, "recorded_by",
                          u->recorded_by);
    json_object_set_new(j, "result", json_str_or_null(u->result));
    json_object_set_new(j, "ct_orf1ab", u->has_ct ? json_real(u->ct_orf1ab) : json_null());
    json_object_set_new(j, "ct_n", u->has_ct ? json_real(u->ct_n) : json_null());
    json_object_set_new(j, "box", json_str_or_null(u->box_code));
    json_object_set_new(j, "recorded_at", json_instant(u->recorded_at));
    json_object_set_new(j, "resolution", json_str_or_null(u->resolution));
    json_object_set_new(j, "resolution_note", json_str_or_null(u->resolution_note));
    json_object_set_new(j, "resolved_by", json_str_or_null(u->resolved_by));
    json_object_set_new(j, "resolved_at", json_instant(u->resolved_at));
    return j;
}

static json_t *unpack_json(const unpack_report *r)
{
    json_t *missing = json_array(), *extras = json_array();
    for (size_t i = 0; i < r->n_missing; i++)
        json_array_append_new(missing, json_string(r->missing[i]));
    for (size_t i = 0; i < r->n_extras; i++)
        json_array_append_new(extras, json_pack("{s:I, s:s, s:s}", "id",
                                                (json_int_t)r->extras[i].id, "barcode",
                                                r->extras[i].barcode, "reason",
                                                r->extras[i].reason));
    json_t *j = json_pack("{s:s, s:I, s:i, s:o, s:o, s:s}", "code", r->box.code, "lab_id",
                          (json_int_t)r->unpack.lab_id, "found", r->unpack.found, "missing",
                          missing, "extra", extras, "unpacked_by", r->unpack.unpacked_by);
    json_object_set_new(j, "unpacked_at", json_instant(r->unpack.unpacked_at));
    return j;
}

int h_testing_box_unpack(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"barcodes", REQ_ARRAY, true}, {"lab_id", REQ_ID, false},
                                 {NULL, 0, false}};
    value v[2] = {{0}};
    json_t *body = NULL;
    const char **codes = NULL;
    size_t n = 0;
    unpack_report r;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             barcodes_of(v[0].arr, &codes, &n, err) ||
             reconcile_unpack(rq->st, &rq->who, rq->params[0], v[1].given ? v[1].n : 0, codes, n,
                              &r, err) != 0;
    free(codes);
    json_decref(body);
    if (rc)
        return -1;
    json_t *j = unpack_json(&r);
    unpack_report_free(&r);
    return req_reply(rq, 201, j);
}

int h_testing_unmatched_result(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"barcode", REQ_STRING, true}, {"result", REQ_STRING, true},
                                 {"ct_orf1ab", REQ_NUMBER, false}, {"ct_n", REQ_NUMBER, false},
                                 {"round_id", REQ_ID, false}, {"note", REQ_STRING, false},
                                 {NULL, 0, false}};
    value v[6] = {{0}};
    json_t *body = NULL;
    int64_t lab;
    unmatched_rec u;
    if (req_param_id(rq, 0, &lab, err) != 0)
        return -1;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0;
    result_input in = {.barcode = v[0].s, .result = v[1].s, .has_orf1ab = v[2].given,
                       .ct_orf1ab = v[2].d, .has_n = v[3].given, .ct_n = v[3].d};
    rc = rc || reconcile_unmatched_result(rq->st, rq->policy, &rq->who, lab,
                                          v[4].given ? v[4].n : 0, &in,
                                          v[5].given ? v[5].s : NULL, &u, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, unmatched_json(&u));
}

int h_testing_unmatched_patch(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"resolution", REQ_STRING, true}, {"note", REQ_STRING, true},
                                 {NULL, 0, false}};
    value v[2] = {{0}};
    json_t *body = NULL;
    int64_t id;
    unmatched_rec u;
    if (req_param_id(rq, 0, &id, err) != 0)
        return -1;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             reconcile_unmatched_resolve(rq->st, &rq->who, id, v[0].s, v[1].s, &u, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, unmatched_json(&u));
}

/* ---- the report -------------------------------------------------------------------------- */

typedef struct items_ctx {
    json_t *items[RECON_KINDS];
    int64_t limit;
} items_ctx;

static json_t *person_json(int64_t id, const char *name, const char *id_number)
{
    return json_pack("{s:I, s:s, s:s}", "person_id", (json_int_t)id, "name", name,
                     "id_number", id_number);
}

static json_t *item_json(const recon_item *it)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "barcode", it->barcode, "site", it->site,
                          "area", it->area, "reason", it->reason, "lab", it->lab);
    json_object_set_new(j, "box", json_str_or_null(it->box));
    json_object_set_new(j, "box_state", json_str_or_null(it->box_state));
    json_object_set_new(j, "at", json_instant(it->at));
    json_object_set_new(j, "received_at", json_instant(it->received_at));
    if (it->kind == RECON_UNSAMPLED || it->kind == RECON_UNKNOWN) {
        json_object_set_new(j, "id", json_integer(it->id));
        json_object_set_new(j, "result", json_str_or_null(it->result));
        json_object_set_new(j, "ct_orf1ab", it->has_ct ? json_real(it->ct_orf1ab) : json_null());
        json_object_set_new(j, "ct_n", it->has_ct ? json_real(it->ct_n) : json_null());
        json_object_set_new(j, "resolution", json_str_or_null(it->resolution));
        json_object_set_new(j, "note", json_string(it->note));
    }
    if (it->kind == RECON_NO_RESULT || it->kind == RECON_DUPLICATE) {
        json_t *p = person_json(it->person_id, it->name, it->id_number);
        json_object_update(j, p);
        json_decref(p);
        json_object_set_new(j, "phone", json_string(it->phone));
    }
    if (it->kind == RECON_DUPLICATE) {
        json_object_set_new(j, "other", person_json(it->other_id, it->other_name,
                                                    it->other_id_number));
        json_object_set_new(json_object_get(j, "other"), "scanned",
                            json_boolean(it->other_scanned));
    }
    return j;
}

static int collect_item(const recon_item *it, void *vctx)
{
    items_ctx *c = vctx;
    if ((int64_t)json_array_size(c->items[it->kind]) < c->limit)
        json_array_append_new(c->items[it->kind], item_json(it));
    return 0;
}

static int report_args(http_req *rq, reconcile_args *a, int64_t *limit, fk_err *err)
{
    const char *now = req_query(rq, "now");
    memset(a, 0, sizeof *a);
    if (req_param_id(rq, 0, &a->round_id, err) ||
        req_query_int(rq, "limit", 200, 0, 1000, limit, err))
        return -1;
    if (now && fk_instant_parse(now, &a->now, "now", err) != 0)
        return -1;
    a->day = req_query(rq, "day");
    a->area = req_query(rq, "area");
    return 0;
}

static json_t *summary_json(const reconcile_summary *s, items_ctx *c)
{
    json_t *kinds = json_object();
    for (int k = 0; k < RECON_KINDS; k++) {
        json_t *one = json_pack("{s:I, s:o}", "count", (json_int_t)s->counts[k], "items",
                                c->items[k]);
        if (k == RECON_UNKNOWN)
            json_object_set_new(one, "open", json_integer(s->open_unknown));
        json_object_set_new(kinds, reconcile_kind_name((recon_kind)k), one);
    }
    json_t *j = json_pack("{s:I, s:s, s:s, s:{s:I, s:I}, s:o}", "round_id",
                          (json_int_t)s->round.id, "round_name", s->round.name, "area", s->area,
                          "limits_h", "sample_to_lab", (json_int_t)s->sample_to_lab_h,
                          "lab_to_result", (json_int_t)s->lab_to_result_h, "kinds", kinds);
    json_object_set_new(j, "day", json_str_or_null(s->day));
    json_object_set_new(j, "from", json_instant(s->from));
    json_object_set_new(j, "to", json_instant(s->to));
    json_object_set_new(j, "now", json_instant(s->now));
    return j;
}

int h_testing_reconciliation(http_req *rq, fk_err *err)
{
    reconcile_args a;
    reconcile_summary s;
    items_ctx c;
    if (report_args(rq, &a, &c.limit, err) != 0)
        return -1;
    for (int k = 0; k < RECON_KINDS; k++)
        c.items[k] = json_array();
    if (reconcile_report(rq->st, rq->policy, &rq->who, &a, collect_item, &c, &s, err) != 0) {
        for (int k = 0; k < RECON_KINDS; k++)
            json_decref(c.items[k]);
        return -1;
    }
    return req_reply(rq, 200, summary_json(&s, &c));
}
