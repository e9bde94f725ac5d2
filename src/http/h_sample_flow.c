/*
 * h_sample_flow.c - the sample flow of mass testing, contract in services/sample_flow.h:
 *   GET  /api/v1/testing/labs                              the city's labs
 *   POST /api/v1/testing/labs                              {name, area_code}
 *   POST /api/v1/testing/boxes                             {code, site_id, barcodes[]}
 *   GET  /api/v1/testing/boxes/{code}                      a box with its tubes
 *   POST /api/v1/testing/boxes/{code}/handover             {courier}
 *   POST /api/v1/testing/boxes/{code}/receive              {lab_id}
 *   POST /api/v1/testing/boxes/{code}/results              {lab_id, results[]}: all or none
 *   POST /api/v1/testing/tubes/{barcode}/result            {result, ct_orf1ab, ct_n, lab_id}
 *   POST /api/v1/testing/tubes/{barcode}/result/correction {..., reason}
 *   GET  /api/v1/testing/flow?round=&site=&lab=&now=       waiting and overdue per site, lab
 * and the tube's box, steps and results for GET /api/v1/testing/tubes/{barcode}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/sample_flow.h"

typedef req_field field;
typedef req_value value;

static json_t *lab_json(const lab_rec *l)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)l->id, "name", l->name,
                          "area_code", l->area_code, "created_by", l->created_by);
    json_object_set_new(j, "created_at", json_instant(l->created_at));
    return j;
}

static json_t *box_json(const box_rec *b)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:i}", "id",
                          (json_int_t)b->id, "code", b->code, "round_id", (json_int_t)b->round_id,
                          "site_id", (json_int_t)b->site_id, "site_name", b->site_name, "state",
                          b->state, "packed_by", b->packed_by, "handed_by", b->handed_by,
                          "received_by", b->received_by, "tube_count", b->tubes);
    json_object_set_new(j, "courier", json_str_or_null(b->courier));
    json_object_set_new(j, "lab_id", b->lab_id ? json_integer(b->lab_id) : json_null());
    json_object_set_new(j, "lab_name", json_str_or_null(b->lab_name));
    json_object_set_new(j, "packed_at", json_instant(b->packed_at));
    json_object_set_new(j, "handed_at", json_instant(b->handed_at));
    json_object_set_new(j, "received_at", json_instant(b->received_at));
    return j;
}

static json_t *result_json(const result_rec *r)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:s}", "id", (json_int_t)r->id, "result",
                          r->result, "lab_id", (json_int_t)r->lab_id, "lab_name", r->lab_name,
                          "reported_by", r->reported_by);
    json_object_set_new(j, "ct_orf1ab", r->has_ct ? json_real(r->ct_orf1ab) : json_null());
    json_object_set_new(j, "ct_n", r->has_ct ? json_real(r->ct_n) : json_null());
    json_object_set_new(j, "reported_at", json_instant(r->reported_at));
    json_object_set_new(j, "replaces", r->replaces ? json_integer(r->replaces) : json_null());
    json_object_set_new(j, "reason", json_str_or_null(r->reason));
    return j;
}

static int text_field(char *dst, size_t cap, const value *v, const char *name, fk_err *err)
{
    if (strlen(v->s) >= cap)
        return fk_fail(err, FK_EINVAL, name, "%s: at most %zu bytes", name, cap - 1);
    snprintf(dst, cap, "%s", v->s);
    return 0;
}

/* ---- labs -------------------------------------------------------------------------------- */

int h_testing_labs_list(http_req *rq, fk_err *err)
{
    lab_list l;
    if (sample_lab_list(rq->st, &rq->who, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, lab_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.n);
    lab_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_testing_labs_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"name", REQ_STRING, true}, {"area_code", REQ_STRING, true},
                                 {NULL, 0, false}};
    value v[2] = {{0}};
    json_t *body = NULL;
    lab_rec l = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             text_field(l.name, sizeof l.name, &v[0], "name", err) ||
             text_field(l.area_code, sizeof l.area_code, &v[1], "area_code", err) ||
             sample_lab_create(rq->st, &rq->who, &l, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, lab_json(&l));
}

/* ---- boxes ------------------------------------------------------------------------------- */

/* The strings of a JSON array (borrowed from it) into a heap array the caller frees. */
static int string_array(json_t *arr, const char *name, const char ***out, size_t *n, fk_err *err)
{
    size_t i, k = json_array_size(arr);
    json_t *e;
    *n = 0;
    if (k < 1 || k > SAMPLE_BOX_MAX)
        return fk_fail(err, FK_EINVAL, name, "%s: 1 to %d", name, SAMPLE_BOX_MAX);
    *out = calloc(k, sizeof **out);
    if (!*out)
        return fk_fail(err, FK_EBUSY, NULL, "out of memory");
    json_array_foreach(arr, i, e) {
        if (!json_is_string(e))
            return fk_fail(err, FK_EINVAL, name, "%s[%zu]: a string", name, i);
        (*out)[i] = json_string_value(e);
    }
    *n = k;
    return 0;
}

int h_testing_boxes_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"code", REQ_STRING, true}, {"site_id", REQ_ID, true},
                                 {"barcodes", REQ_ARRAY, true}, {NULL, 0, false}};
    value v[3] = {{0}};
    json_t *body = NULL;
    const char **codes = NULL;
    size_t n = 0;
    box_rec b;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             string_array(v[2].arr, "barcodes", &codes, &n, err) ||
             sample_box_pack(rq->st, &rq->who, v[0].s, v[1].n, codes, n, &b, err) != 0;
    free(codes);
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, box_json(&b));
}

int h_testing_box_get(http_req *rq, fk_err *err)
{
    box_rec b;
    char(*codes)[24] = NULL;
    size_t n = 0;
    if (sample_box_get(rq->st, &rq->who, rq->params[0], &b, &codes, &n, err) != 0)
        return -1;
    json_t *j = box_json(&b), *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(codes[i]));
    json_object_set_new(j, "barcodes", list);
    free(codes);
    return req_reply(rq, 200, j);
}

int h_testing_box_handover(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"courier", REQ_STRING, true}, {NULL, 0, false}};
    value v[1] = {{0}};
    json_t *body = NULL;
    box_rec b;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             sample_box_hand_over(rq->st, &rq->who, rq->params[0], v[0].s, &b, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, box_json(&b));
}

int h_testing_box_receive(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"lab_id", REQ_ID, true}, {NULL, 0, false}};
    value v[1] = {{0}};
    json_t *body = NULL;
    box_rec b;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             sample_box_receive(rq->st, &rq->who, rq->params[0], v[0].n, &b, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, box_json(&b));
}

/* ---- results ----------------------------------------------------------------------------- */

static void result_from(const value *v, const char *barcode, result_input *in)
{
    in->barcode = barcode;
    in->result = v[0].s;
    in->has_orf1ab = v[1].given;
    in->ct_orf1ab = v[1].d;
    in->has_n = v[2].given;
    in->ct_n = v[2].d;
}

static int one_result(http_req *rq, bool correction, fk_err *err)
{
    static const field spec[] = {{"result", REQ_STRING, true}, {"ct_orf1ab", REQ_NUMBER, false},
                                 {"ct_n", REQ_NUMBER, false},  {"lab_id", REQ_ID, false},
                                 {"reason", REQ_STRING, false}, {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    result_input in;
    result_rec r;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0;
    if (!rc && !correction && v[4].given)
        rc = fk_fail(err, FK_EINVAL, "reason", "reason: only a correction takes a reason");
    result_from(v, rq->params[0], &in);
    int64_t lab = v[3].given ? v[3].n : 0;
    rc = rc || (correction ? sample_result_correct(rq->st, rq->policy, &rq->who, &in, lab,
                                                   v[4].given ? v[4].s : NULL, &r, err)
                           : sample_result_record(rq->st, rq->policy, &rq->who, &in, lab, &r,
                                                  err)) != 0;
    json_decref(body);
    if (rc)
        return -1;
    json_t *j = result_json(&r);
    json_object_set_new(j, "barcode", json_string(rq->params[0]));
    return req_reply(rq, 201, j);
}

int h_testing_tube_result(http_req *rq, fk_err *err)
{
    return one_result(rq, false, err);
}

int h_testing_tube_correction(http_req *rq, fk_err *err)
{
    return one_result(rq, true, err);
}

/* One element of a box's results array into *in (strings borrowed from the body). */
static int batch_item(json_t *e, size_t i, result_input *in, fk_err *err)
{
    json_t *orf = json_object_get(e, "ct_orf1ab"), *n = json_object_get(e, "ct_n");
    const char *bad = NULL;
    memset(in, 0, sizeof *in);
    if (!json_is_object(e) || !json_is_string(json_object_get(e, "barcode")))
        bad = "barcode";
    else if (!json_is_string(json_object_get(e, "result")))
        bad = "result";
    else if ((orf && !json_is_null(orf) && !json_is_number(orf)))
        bad = "ct_orf1ab";
    else if (n && !json_is_null(n) && !json_is_number(n))
        bad = "ct_n";
    if (bad)
        return fk_fail(err, FK_EINVAL, bad, "results[%zu].%s: missing or of the wrong type", i,
                       bad);
    in->barcode = json_string_value(json_object_get(e, "barcode"));
    in->result = json_string_value(json_object_get(e, "result"));
    in->has_orf1ab = json_is_number(orf);
    in->ct_orf1ab = json_number_value(orf);
    in->has_n = json_is_number(n);
    in->ct_n = json_number_value(n);
    return 0;
}

static json_t *results_json(const result_rec *r, const result_input *in, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = result_json(&r[i]);
        json_object_set_new(j, "barcode", json_string(in[i].barcode));
        json_array_append_new(a, j);
    }
    return a;
}

int h_testing_box_results(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"results", REQ_ARRAY, true}, {"lab_id", REQ_ID, false},
                                 {NULL, 0, false}};
    value v[2] = {{0}};
    json_t *body = NULL, *e;
    size_t i, n = 0;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0;
    if (!rc && (json_array_size(v[0].arr) < 1 || json_array_size(v[0].arr) > SAMPLE_BOX_MAX))
        rc = fk_fail(err, FK_EINVAL, "results", "results: 1 to %d", SAMPLE_BOX_MAX);
    n = rc ? 0 : json_array_size(v[0].arr);
    result_input *in = calloc(n ? n : 1, sizeof *in);
    result_rec *out = calloc(n ? n : 1, sizeof *out);
    if (!rc && (!in || !out))
        rc = fk_fail(err, FK_EBUSY, NULL, "out of memory");
    json_array_foreach(rc ? NULL : v[0].arr, i, e) {
        if ((rc = batch_item(e, i, &in[i], err)) != 0)
            break;
    }
    rc = rc || sample_results_record_box(rq->st, rq->policy, &rq->who, rq->params[0], in, n,
                                         v[1].given ? v[1].n : 0, out, err) != 0;
    json_t *j = rc ? NULL : json_pack("{s:s, s:I, s:o}", "code", rq->params[0], "recorded",
                                      (json_int_t)n, "results", results_json(out, in, n));
    free(in);
    free(out);
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, j);
}

/* ---- a tube's flow, and the flow ------------------------------------------------------- */

static json_t *steps_json(const tube_rec *t, const box_rec *b, int boxed, const result_list *h)
{
    json_t *j = json_object();
    json_object_set_new(j, "sampled", json_instant(t->closed_at));
    json_object_set_new(j, "boxed", json_instant(boxed ? b->packed_at : 0));
    json_object_set_new(j, "handed", json_instant(boxed ? b->handed_at : 0));
    json_object_set_new(j, "received", json_instant(boxed ? b->received_at : 0));
    json_object_set_new(j, "resulted", json_instant(h->n ? h->items[0].reported_at : 0));
    return j;
}

int h_sample_flow_tube(http_req *rq, const tube_rec *t, json_t *j, fk_err *err)
{
    box_rec b;
    int boxed = 0;
    result_list h;
    if (sample_tube_flow(rq->st, &rq->who, t->id, &b, &boxed, &h, err) != 0)
        return -1;
    json_object_set_new(j, "box", boxed ? box_json(&b) : json_null());
    json_object_set_new(j, "steps", steps_json(t, &b, boxed, &h));
    json_t *list = json_array();
    for (size_t i = 0; i < h.n; i++)
        json_array_append_new(list, result_json(&h.items[i]));
    json_object_set_new(j, "results", list);
    json_object_set_new(j, "result", h.n ? json_string(h.items[h.n - 1].result) : json_null());
    result_list_free(&h);
    return 0;
}

static json_t *counts_json(const flow_counts *c, const char *id_name)
{
    return json_pack("{s:I, s:s, s:{s:i, s:i, s:i, s:i}, s:i, s:{s:i, s:i, s:i}, "
                     "s:{s:i, s:i}, s:{s:i, s:i}}",
                     id_name, (json_int_t)c->id, "name", c->name, "waiting", "pack",
                     c->waiting_pack, "handover", c->waiting_handover, "transit", c->in_transit,
                     "result", c->waiting_result, "resulted", c->resulted, "results",
                     "negative", c->negative, "positive", c->positive, "invalid", c->invalid,
                     "over", "sample_to_lab", c->over_sample_to_lab, "lab_to_result",
                     c->over_lab_to_result, "late", "sample_to_lab", c->late_to_lab,
                     "lab_to_result", c->late_result);
}

static int query_id(http_req *rq, const char *name, int64_t *out, fk_err *err)
{
    return req_query_int(rq, name, 0, 0, INT64_MAX, out, err);
}

int h_testing_flow(http_req *rq, fk_err *err)
{
    int64_t round, site, lab, now = fk_now();
    const char *at = req_query(rq, "now");
    flow_report r;
    if (query_id(rq, "round", &round, err) || query_id(rq, "site", &site, err) ||
        query_id(rq, "lab", &lab, err) || (at && fk_instant_parse(at, &now, "now", err) != 0) ||
        sample_flow_report(rq->st, rq->policy, &rq->who, round, site, lab, now, &r, err) != 0)
        return -1;
    json_t *sites = json_array(), *labs = json_array();
    for (size_t i = 0; i < r.n_sites; i++)
        json_array_append_new(sites, counts_json(&r.sites[i], "site_id"));
    for (size_t i = 0; i < r.n_labs; i++)
        json_array_append_new(labs, counts_json(&r.labs[i], "lab_id"));
    json_t *j = json_pack("{s:o, s:{s:I, s:I}, s:o, s:o}", "now", json_instant(now), "limits_h",
                          "sample_to_lab", (json_int_t)r.sample_to_lab_h, "lab_to_result",
                          (json_int_t)r.lab_to_result_h, "sites", sites, "labs", labs);
    sample_flow_free(&r);
    return req_reply(rq, 200, j);
}
