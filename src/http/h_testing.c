/*
 * h_testing.c - mass testing (全员核酸), contract in services/testing.h:
 *   GET   /api/v1/testing/rounds                  rounds (area, limit, offset), newest first
 *   POST  /api/v1/testing/rounds                  {name, area_code, starts_at, ends_at, state}
 *   GET   /api/v1/testing/rounds/{id}             one round with its counts
 *   PATCH /api/v1/testing/rounds/{id}             {state: open|closed}
 *   GET   /api/v1/testing/rounds/{id}/sites, POST sampling sites {name, area_code, team, lon, lat}
 *   POST  /api/v1/testing/sites/{id}/tubes        issue tube stock {barcodes[]} or
 *                                                 {prefix, first, count, digits}
 *   GET   /api/v1/testing/sites/{id}/tubes        its tubes with box and current result
 *                                                 (state, unboxed=1, limit, offset)
 *   GET   /api/v1/testing/tubes/{barcode}         a tube with its members (masked per role),
 *                                                 box, steps and results (h_sample_flow.c)
 *   POST  /api/v1/testing/tubes/{barcode}/scans   {person_id | id_number}
 *   POST  /api/v1/testing/tubes/{barcode}/close   close an open tube by hand
 *   GET   /api/v1/persons/{id}/samples            the person's testing history (each sample
 *                                                 with its tube's current result) and holds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "model/tube.h"
#include "services/testing.h"

typedef req_field field;
typedef req_value value;

static json_t *round_json(const round_rec *r)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:i, s:i}", "id", (json_int_t)r->id,
                          "name", r->name, "area_code", r->area_code, "state", r->state,
                          "created_by", r->created_by, "site_count", r->sites, "tube_count",
                          r->tubes, "scanned", r->scanned);
    json_object_set_new(j, "kind", json_string(r->kind));
    json_object_set_new(j, "parent_id", r->parent_id ? json_integer(r->parent_id) : json_null());
    json_object_set_new(j, "starts_at", json_instant(r->starts_at));
    json_object_set_new(j, "ends_at", json_instant(r->ends_at));
    json_object_set_new(j, "created_at", json_instant(r->created_at));
    return j;
}

static json_t *site_json(const site_rec *s)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:i}", "id", (json_int_t)s->id, "round_id",
                          (json_int_t)s->round_id, "name", s->name, "area_code", s->area_code,
                          "team", s->team, "tube_count", s->tubes);
    json_object_set_new(j, "lon", s->has_location ? json_real(s->lon) : json_null());
    json_object_set_new(j, "lat", s->has_location ? json_real(s->lat) : json_null());
    return j;
}

static json_t *tube_json(const tube_rec *t)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:I, s:i, s:s, s:i, s:s, s:s, s:s}", "id",
                          (json_int_t)t->id, "barcode", t->barcode, "round_id",
                          (json_int_t)t->round_id, "site_id", (json_int_t)t->site_id, "size",
                          t->size, "state", t->state, "n_members", t->n_members, "issued_by",
                          t->issued_by, "opened_by", t->opened_by, "closed_by", t->closed_by);
    json_object_set_new(j, "issued_at", json_instant(t->issued_at));
    json_object_set_new(j, "opened_at", json_instant(t->opened_at));
    json_object_set_new(j, "closed_at", json_instant(t->closed_at));
    return j;
}

static json_t *member_json(const member_rec *m)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:i, s:s, s:s}", "id",
                          (json_int_t)m->id, "person_id", (json_int_t)m->person_id,
                          "person_name", m->person_name, "id_number", m->id_number,
                          "round_id", (json_int_t)m->round_id, "round_name", m->round_name,
                          "barcode", m->barcode, "size", m->size, "site_name", m->site_name,
                          "scanned_by", m->scanned_by);
    json_object_set_new(j, "scanned_at", json_instant(m->scanned_at));
    json_object_set_new(j, "result", json_str_or_null(m->result));
    return j;
}

static json_t *members_json(const member_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; l && i < l->n; i++)
        json_array_append_new(a, member_json(&l->items[i]));
    return a;
}

/* ---- rounds ------------------------------------------------------------------------------ */

int h_testing_rounds_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset;
    round_list l;
    if (req_page_args(rq, &limit, &offset, err) ||
        testing_round_list(rq->st, &rq->who, req_query(rq, "area"), (int)limit, (int)offset, &l,
                           err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, round_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    round_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_testing_rounds_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"name", REQ_STRING, true},      {"area_code", REQ_STRING, true},
                                 {"starts_at", REQ_INSTANT, true}, {"ends_at", REQ_INSTANT, true},
                                 {"state", REQ_STRING, false},    {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    round_rec r = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(r.name, sizeof r.name, &v[0], "name", err) ||
             req_copy_text(r.area_code, sizeof r.area_code, &v[1], "area_code", err) ||
             req_copy_text(r.state, sizeof r.state, &v[4], "state", err);
    r.starts_at = v[2].n;
    r.ends_at = v[3].n;
    rc = rc || testing_round_create(rq->st, &rq->who, &r, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, round_json(&r));
}

int h_testing_round_get(http_req *rq, fk_err *err)
{
    int64_t id;
    round_rec r;
    if (req_param_id(rq, 0, &id, err) || testing_round_get(rq->st, &rq->who, id, &r, err) != 0)
        return -1;
    return req_reply(rq, 200, round_json(&r));
}

int h_testing_round_patch(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"state", REQ_STRING, true}, {NULL, 0, false}};
    value v[1] = {{0}};
    json_t *body = NULL;
    int64_t id;
    round_rec r;
    int rc = req_param_id(rq, 0, &id, err) || req_json_fields(rq, spec, v, &body, err) != 0 ||
             testing_round_set_state(rq->st, &rq->who, id, v[0].s, &r, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, round_json(&r));
}

/* ---- sites ------------------------------------------------------------------------------- */

int h_testing_sites_list(http_req *rq, fk_err *err)
{
    int64_t id, limit, offset;
    site_list l;
    if (req_param_id(rq, 0, &id, err) || req_page_args(rq, &limit, &offset, err) ||
        testing_site_list(rq->st, &rq->who, id, (int)limit, (int)offset, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, site_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    site_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_testing_sites_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"name", REQ_STRING, true}, {"area_code", REQ_STRING, false},
                                 {"team", REQ_STRING, false}, {"lon", REQ_NUMBER, false},
                                 {"lat", REQ_NUMBER, false}, {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    site_rec s = {0};
    int rc = req_param_id(rq, 0, &s.round_id, err) || req_json_fields(rq, spec, v, &body, err) ||
             req_copy_text(s.name, sizeof s.name, &v[0], "name", err) ||
             req_copy_text(s.area_code, sizeof s.area_code, &v[1], "area_code", err) ||
             req_copy_text(s.team, sizeof s.team, &v[2], "team", err);
    if (!rc && v[3].given != v[4].given)
        rc = fk_fail(err, FK_EINVAL, v[3].given ? "lat" : "lon", "lon and lat: both or neither");
    s.has_location = v[3].given && v[4].given;
    s.lon = v[3].d;
    s.lat = v[4].d;
    rc = rc || testing_site_create(rq->st, &rq->who, &s, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, site_json(&s));
}

/* ---- tubes ------------------------------------------------------------------------------- */

/* The barcodes of an issue: the array given, or prefix + first..first+count-1 written
 * with `digits` digits (default 6), into a heap block the caller frees (*block). */
static int issue_barcodes(const value *v, const char ***out, size_t *n, char **block,
                          fk_err *err)
{
    if (v[0].given) {
        size_t i, k = json_array_size(v[0].arr);
        json_t *e;
        if (k < 1 || k > TESTING_MAX_ISSUE)
            return fk_fail(err, FK_EINVAL, "barcodes", "barcodes: 1 to %d barcodes",
                           TESTING_MAX_ISSUE);
        *out = calloc(k, sizeof **out);
        json_array_foreach(v[0].arr, i, e) {
            if (!json_is_string(e))
                return fk_fail(err, FK_EINVAL, "barcodes", "barcodes[%zu]: a string", i);
            (*out)[i] = json_string_value(e);
        }
        *n = k;
        return 0;
    }
    if (!v[1].given || !v[3].given)
        return fk_fail(err, FK_EINVAL, "barcodes", "barcodes, or prefix and count: required");
    int64_t digits = v[4].given ? v[4].n : 6, count = v[3].n, first = v[2].given ? v[2].n : 1;
    if (count > TESTING_MAX_ISSUE)
        return fk_fail(err, FK_EINVAL, "count", "count: 1 to %d", TESTING_MAX_ISSUE);
    if (digits > 12 || strlen(v[1].s) > TUBE_BARCODE_MAX)
        return fk_fail(err, FK_EINVAL, "digits", "digits: 1 to 12, prefix at most %d",
                       TUBE_BARCODE_MAX);
    *block = calloc((size_t)count, 48);
    *out = calloc((size_t)count, sizeof **out);
    for (int64_t i = 0; i < count; i++) {
        char *b = *block + i * 48;
        snprintf(b, 48, "%s%0*lld", v[1].s, (int)digits, (long long)(first + i));
        (*out)[i] = b;
    }
    *n = (size_t)count;
    return 0;
}

int h_testing_tubes_issue(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"barcodes", REQ_ARRAY, false}, {"prefix", REQ_STRING, false},
                                 {"first", REQ_ID, false},       {"count", REQ_ID, false},
                                 {"digits", REQ_ID, false},      {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    const char **codes = NULL;
    char *block = NULL;
    size_t n = 0;
    int64_t site;
    int rc = req_param_id(rq, 0, &site, err) || req_json_fields(rq, spec, v, &body, err) ||
             issue_barcodes(v, &codes, &n, &block, err) ||
             testing_tubes_issue(rq->st, &rq->who, site, codes, n, err) != 0;
    json_t *j = NULL;
    if (!rc) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, json_string(codes[i]));
        j = json_pack("{s:I, s:I, s:o}", "site_id", (json_int_t)site, "issued", (json_int_t)n,
                      "barcodes", list);
    }
    free(codes);
    free(block);
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, j);
}

int h_testing_site_tubes(http_req *rq, fk_err *err)
{
    int64_t site, limit, offset, unboxed;
    site_tube_list l;
    if (req_param_id(rq, 0, &site, err) || req_page_args(rq, &limit, &offset, err) ||
        req_query_int(rq, "unboxed", 0, 0, 1, &unboxed, err) ||
        testing_site_tubes(rq->st, &rq->who, site, req_query(rq, "state"), (int)unboxed,
                           (int)limit, (int)offset, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const site_tube_rec *t = &l.items[i];
        json_t *j = tube_json(&t->tube);
        json_object_set_new(j, "box_code", json_str_or_null(t->box_code));
        json_object_set_new(j, "box_state", json_str_or_null(t->box_state));
        json_object_set_new(j, "result", json_str_or_null(t->result));
        json_array_append_new(items, j);
    }
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    site_tube_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_testing_tube_get(http_req *rq, fk_err *err)
{
    tube_rec t;
    member_list m = {0};
    if (testing_tube_get(rq->st, &rq->who, rq->params[0], &t, &m, err) != 0)
        return -1;
    json_t *j = tube_json(&t);
    json_object_set_new(j, "members", members_json(&m));
    member_list_free(&m);
    if (h_sample_flow_tube(rq, &t, j, err) != 0) { /* its box, steps and results */
        json_decref(j);
        return -1;
    }
    return req_reply(rq, 200, j);
}

int h_testing_tube_scan(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"person_id", REQ_ID, false}, {"id_number", REQ_STRING, false},
                                 {NULL, 0, false}};
    value v[2] = {{0}};
    json_t *body = NULL;
    tube_rec t;
    member_rec m;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0;
    if (!rc && v[0].given == v[1].given)
        rc = fk_fail(err, FK_EINVAL, "person_id", "person_id or id_number: exactly one");
    scan_request r = {.person_id = v[0].given ? v[0].n : 0, .id_number = v[1].s};
    rc = rc || testing_scan(rq->st, rq->policy, &rq->who, rq->params[0], &r, &t, &m, err) != 0;
    json_decref(body);
    if (rc)
        return -1;
    json_t *j = tube_json(&t);
    json_object_set_new(j, "scanned", json_pack("{s:I, s:I}", "member_id", (json_int_t)m.id,
                                                "person_id", (json_int_t)m.person_id));
    json_object_set_new(json_object_get(j, "scanned"), "scanned_at", json_instant(m.scanned_at));
    return req_reply(rq, 201, j);
}

int h_testing_tube_close(http_req *rq, fk_err *err)
{
    tube_rec t;
    if (testing_tube_close(rq->st, &rq->who, rq->params[0], &t, err) != 0)
        return -1;
    return req_reply(rq, 200, tube_json(&t));
}

int h_person_samples(http_req *rq, fk_err *err)
{
    int64_t id;
    member_list l;
    hold_list h;
    if (req_param_id(rq, 0, &id, err) ||
        testing_person_samples(rq->st, &rq->who, id, &l, &h, err) != 0)
        return -1;
    json_t *j = json_pack("{s:o, s:I, s:o}", "items", members_json(&l), "total",
                          (json_int_t)l.n, "holds", holds_to_json(&h));
    member_list_free(&l);
    hold_list_free(&h);
    return req_reply(rq, 200, j);
}
