/*
 * h_tracing.c - contact discovery and the contacts of cases (流调溯源):
 *   GET   /api/v1/cases/{id}/contacts            stored contacts with evidence
 *   POST  /api/v1/cases/{id}/contacts/discover   run discovery {from, to, secondary,
 *                                                companions}
 *   POST  /api/v1/cases/{id}/contacts            a person named in the interview
 *   POST  /api/v1/cases/{id}/trajectory          a place of the case's trajectory
 *   PATCH /api/v1/contacts/{id}                  review {status, note}
 *   GET   /api/v1/chains                         transmission chains (cases and edges)
 * Bodies are read with one field table per request; unknown fields are refused.
 */
#include <string.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/contacts.h"
#include "services/tracing.h"

typedef req_field field;
typedef req_value value;

static json_t *contact_to_json(const contact_rec *c)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:i, s:s, s:s, s:s, s:s}",
                          "id", (json_int_t)c->id, "case_id", (json_int_t)c->case_id,
                          "contact", c->subject, "kind", c->kind, "place", c->place,
                          "overlap_seconds", (json_int_t)c->overlap_s, "source", c->source,
                          "degree", c->degree, "via", c->via, "status", c->status, "note",
                          c->note, "reviewed_by", c->reviewed_by);
    json_object_set_new(j, "start", json_instant(c->first_overlap));
    json_object_set_new(j, "found_at", json_instant(c->found_at));
    json_object_set_new(j, "reviewed_at", c->reviewed_at ? json_instant(c->reviewed_at)
                                                         : json_null());
    json_object_set_new(j, "person_id", c->person_id ? json_integer(c->person_id) : json_null());
    json_object_set_new(j, "person_name", json_str_or_null(c->person_name));
    json_object_set_new(j, "person_case_id",
                        c->person_case_id ? json_integer(c->person_case_id) : json_null());
    return j;
}

static int reply_list(http_req *rq, contact_rec_list *l)
{
    json_t *items = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(items, contact_to_json(&l->items[i]));
    size_t n = l->n;
    contact_rec_list_free(l);
    return req_reply(rq, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

int h_case_contacts(http_req *rq, fk_err *err)
{
    int64_t id;
    contact_rec_list l;
    if (req_param_id(rq, 0, &id, err) != 0 || contacts_list(rq->st, &rq->who, id, &l, err) != 0)
        return -1;
    return reply_list(rq, &l);
}

int h_case_contacts_discover(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"from", REQ_INSTANT, false}, {"to", REQ_INSTANT, false}, {"secondary", REQ_BOOL, false},
        {"companions", REQ_BOOL, false}, {NULL, 0, false}};
    value v[4] = {{0}};
    json_t *body = NULL;
    int64_t id;
    contact_rec_list l;
    if (!rq->tracing)
        return fk_fail(err, FK_EBUSY, "", "contact discovery is not running");
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0;
    tracing_opts o = {.from = v[0].n, .to = v[1].n, .secondary = v[2].b,
                      .no_companions = v[3].given && !v[3].b};
    rc = rc || tracing_discover(rq->tracing, rq->st, &rq->who, id, &o, &l, err) != 0;
    json_decref(body);
    return rc ? -1 : reply_list(rq, &l);
}

int h_case_contacts_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"contact", REQ_STRING, true}, {"place", REQ_STRING, false}, {"start", REQ_INSTANT, false},
        {"note", REQ_STRING, false},   {NULL, 0, false}};
    value v[4] = {{0}};
    json_t *body = NULL;
    int64_t id;
    contact_rec c;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0 ||
             contacts_name(rq->st, &rq->who, id, v[0].s, v[1].s, v[2].n, v[3].s, &c, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, contact_to_json(&c));
}

int h_case_trajectory_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"place", REQ_STRING, true}, {"start", REQ_INSTANT, true}, {"end", REQ_INSTANT, true},
        {NULL, 0, false}};
    value v[3] = {{0}};
    json_t *body = NULL;
    int64_t id;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0 ||
             contacts_trajectory(rq->st, &rq->who, id, v[0].s, v[1].n, v[2].n, err) != 0;
    json_t *reply = rc ? NULL : json_pack("{s:I, s:s}", "case_id", (json_int_t)id, "place", v[0].s);
    if (reply) {
        json_object_set_new(reply, "start", json_instant(v[1].n));
        json_object_set_new(reply, "end", json_instant(v[2].n));
    }
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, reply);
}

int h_contact_review(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"status", REQ_STRING, true}, {"note", REQ_STRING, false}, {NULL, 0, false}};
    value v[2] = {{0}};
    json_t *body = NULL;
    int64_t id;
    contact_rec c;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0 ||
             contacts_review(rq->st, &rq->who, id, v[0].s, v[1].s, &c, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, contact_to_json(&c));
}

int h_chains(http_req *rq, fk_err *err)
{
    chain_edge_list e;
    case_list nodes;
    if (contacts_chains(rq->st, &rq->who, &e, &nodes, err) != 0)
        return -1;
    json_t *jn = json_array(), *je = json_array();
    for (size_t i = 0; i < nodes.n; i++)
        json_array_append_new(jn, case_to_json(&nodes.items[i]));
    for (size_t i = 0; i < e.n; i++) {
        const chain_edge *x = &e.items[i];
        json_t *j = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:i}", "from", (json_int_t)x->from_case,
                              "to", (json_int_t)x->to_case, "contact_id",
                              (json_int_t)x->contact_id, "kind", x->kind, "place", x->place,
                              "status", x->status, "degree", x->degree);
        json_object_set_new(j, "at", json_instant(x->at));
        json_array_append_new(je, j);
    }
    chain_edge_list_free(&e);
    case_list_free(&nodes);
    return req_reply(rq, 200, json_pack("{s:o, s:o}", "nodes", jn, "edges", je));
}
