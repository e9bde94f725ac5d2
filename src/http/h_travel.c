/*
 * h_travel.c - traveler screening and checkpoint scans, contract in services/travel.h:
 *   POST /api/v1/travel/arrivals        落地登记 {person_id|id_number, arrived_at?,
 *                                       place_kind, place?, checkpoint_id?, from_region,
 *                                       from_area?, community_code?} -> 201 the arrival
 *                                       and the leads its match made
 *   GET  /api/v1/travel/arrivals        arrivals in jurisdiction of the destination
 *                                       (area, since, matched=1, limit, offset), newest
 *                                       first, with the match and lead state, masked
 *   POST /api/v1/travel/itineraries     {person_id|id_number, region_code, area_name?,
 *                                       from, to, source?} -> 201 and the leads made
 *   GET  /api/v1/risk-area-lists        every version, newest first (current: the newest
 *                                       of its source)
 *   GET  /api/v1/risk-area-lists/{id}   one version with its rows
 *   POST /api/v1/checkpoints            {name, kind, area_code}
 *   GET  /api/v1/checkpoints            in jurisdiction
 *   POST /api/v1/checkpoints/{id}/scans {id_number|person_id|token, direction,
 *                                       from_region?, at?} -> 201 {id, person_id,
 *                                       arrival_id, leads}
 * Risk-area lists come in through POST /api/v1/imports/risk-areas?source=NAME.
 */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/codes.h"
#include "services/travel.h"

typedef req_field field;
typedef req_value value;

static json_t *leads_json(const travel_leads *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
                                           (json_int_t)l->ids[i], "kind", "traveler", "level",
                                           l->level[i], "measure_required", l->measure[i],
                                           "test_days", l->test_days[i]));
    return a;
}

static json_t *arrival_json(const arrival_rec *r)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                          (json_int_t)r->id, "person_id", (json_int_t)r->person_id,
                          "place_kind", r->place_kind, "place", r->place, "from_region",
                          r->from_region, "from_area", r->from_area, "community_code",
                          r->community_code, "source", r->source, "registered_by",
                          r->registered_by);
    json_object_set_new(j, "arrived_at", json_instant(r->arrived_at));
    json_object_set_new(j, "registered_at", json_instant(r->registered_at));
    json_object_set_new(j, "checkpoint_id",
                        r->checkpoint_id ? json_integer(r->checkpoint_id) : json_null());
    json_object_set_new(j, "person_name", json_string(r->person_name));
    json_object_set_new(j, "id_number", json_string(r->id_number));
    json_object_set_new(j, "level", json_str_or_null(r->level));
    json_object_set_new(j, "measure_required", json_str_or_null(r->measure));
    json_object_set_new(j, "lead_id", r->lead_id ? json_integer(r->lead_id) : json_null());
    json_object_set_new(j, "lead_state", json_str_or_null(r->lead_state));
    return j;
}

int h_travel_arrival_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"person_id", REQ_ID, false},      {"id_number", REQ_STRING, false},
        {"arrived_at", REQ_INSTANT, false}, {"place_kind", REQ_STRING, true},
        {"place", REQ_STRING, false},      {"checkpoint_id", REQ_ID, false},
        {"from_region", REQ_STRING, true}, {"from_area", REQ_STRING, false},
        {"community_code", REQ_STRING, false}, {NULL, 0, false}};
    value v[9] = {{0}};
    json_t *body = NULL;
    arrival_rec r = {0};
    travel_leads made;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(r.place_kind, sizeof r.place_kind, &v[3], "place_kind", err) ||
             req_copy_text(r.place, sizeof r.place, &v[4], "place", err) ||
             req_copy_text(r.from_region, sizeof r.from_region, &v[6], "from_region", err) ||
             req_copy_text(r.from_area, sizeof r.from_area, &v[7], "from_area", err) ||
             req_copy_text(r.community_code, sizeof r.community_code, &v[8], "community_code", err);
    r.person_id = v[0].n;
    r.arrived_at = v[2].n;
    r.checkpoint_id = v[5].n;
    rc = rc || travel_arrival_register(rq->st, rq->policy, &rq->who, &r,
                                       v[1].given ? v[1].s : NULL, &made, err) != 0;
    json_decref(body);
    if (rc)
        return -1;
    json_t *j = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)r.id, "person_id",
                          (json_int_t)r.person_id, "community_code", r.community_code);
    json_object_set_new(j, "arrived_at", json_instant(r.arrived_at));
    json_object_set_new(j, "leads", leads_json(&made));
    return req_reply(rq, 201, j);
}

int h_travel_arrivals_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset, matched, since = 0;
    arrival_list l;
    const char *s = req_query(rq, "since");
    if (req_page_args(rq, &limit, &offset, err) ||
        req_query_int(rq, "matched", 0, 0, 1, &matched, err) ||
        (s && fk_instant_parse(s, &since, "since", err) != 0))
        return -1;
    arrival_filter f = {.area_prefix = req_query(rq, "area"), .since = since,
                        .matched = (int)matched, .limit = (int)limit, .offset = (int)offset};
    if (travel_arrivals_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, arrival_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    arrival_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_travel_itinerary_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"person_id", REQ_ID, false},      {"id_number", REQ_STRING, false},
        {"region_code", REQ_STRING, true}, {"area_name", REQ_STRING, false},
        {"from", REQ_INSTANT, true},       {"to", REQ_INSTANT, true},
        {"source", REQ_STRING, false},     {NULL, 0, false}};
    value v[7] = {{0}};
    json_t *body = NULL;
    itinerary_rec r = {0};
    travel_leads made;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(r.region_code, sizeof r.region_code, &v[2], "region_code", err) ||
             req_copy_text(r.area_name, sizeof r.area_name, &v[3], "area_name", err) ||
             req_copy_text(r.source, sizeof r.source, &v[6], "source", err);
    r.person_id = v[0].n;
    r.stay_from = v[4].n;
    r.stay_to = v[5].n;
    rc = rc || travel_itinerary_record(rq->st, rq->policy, &rq->who, &r,
                                       v[1].given ? v[1].s : NULL, &made, err) != 0;
    json_decref(body);
    if (rc)
        return -1;
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)r.id, "person_id",
                          (json_int_t)r.person_id, "region_code", r.region_code, "area_name",
                          r.area_name, "source", r.source);
    json_object_set_new(j, "from", json_instant(r.stay_from));
    json_object_set_new(j, "to", json_instant(r.stay_to));
    json_object_set_new(j, "leads", leads_json(&made));
    return req_reply(rq, 201, j);
}

static json_t *list_json(const risk_list_rec *l)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:s, s:b}", "id", (json_int_t)l->id, "source",
                          l->source, "imported_by", l->imported_by, "row_count",
                          (json_int_t)l->row_count, "digest", l->digest, "current", l->current);
    json_object_set_new(j, "imported_at", json_instant(l->imported_at));
    return j;
}

int h_risk_lists(http_req *rq, fk_err *err)
{
    risk_list_list l;
    if (travel_lists(rq->st, &rq->who, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, list_json(&l.items[i]));
    risk_list_list_free(&l);
    return req_reply(rq, 200, json_pack("{s:o}", "items", items));
}

int h_risk_list_get(http_req *rq, fk_err *err)
{
    int64_t id;
    risk_list_rec l;
    risk_area_list rows;
    if (req_param_id(rq, 0, &id, err) != 0 ||
        travel_list_get(rq->st, &rq->who, id, &l, &rows, err) != 0)
        return -1;
    json_t *j = list_json(&l), *a = json_array();
    for (size_t i = 0; i < rows.n; i++) {
        const risk_area_rec *r = &rows.items[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)r->id,
                              "region_code", r->region_code, "area_name", r->area_name, "level",
                              r->level, "from", r->valid_from);
        json_object_set_new(o, "to", json_str_or_null(r->valid_to));
        json_array_append_new(a, o);
    }
    json_object_set_new(j, "rows", a);
    risk_area_list_free(&rows);
    return req_reply(rq, 200, j);
}

static json_t *checkpoint_json(const checkpoint_rec *c)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)c->id, "name",
                          c->name, "kind", c->kind, "area_code", c->area_code, "created_by",
                          c->created_by);
    json_object_set_new(j, "created_at", json_instant(c->created_at));
    return j;
}

int h_checkpoint_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"name", REQ_STRING, true}, {"kind", REQ_STRING, true},
                                 {"area_code", REQ_STRING, true}, {NULL, 0, false}};
    value v[3] = {{0}};
    json_t *body = NULL;
    checkpoint_rec c = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(c.name, sizeof c.name, &v[0], "name", err) ||
             req_copy_text(c.kind, sizeof c.kind, &v[1], "kind", err) ||
             req_copy_text(c.area_code, sizeof c.area_code, &v[2], "area_code", err) ||
             travel_checkpoint_create(rq->st, &rq->who, &c, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, checkpoint_json(&c));
}

int h_checkpoints_list(http_req *rq, fk_err *err)
{
    checkpoint_list l;
    if (travel_checkpoints_list(rq->st, &rq->who, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, checkpoint_json(&l.items[i]));
    checkpoint_list_free(&l);
    return req_reply(rq, 200, json_pack("{s:o}", "items", items));
}

/* The itinerary card (双码联查), or null when the policy has none. */
static json_t *card_json(const itinerary_card *c)
{
    if (c->days == 0)
        return json_null();
    json_t *places = json_array();
    for (size_t i = 0; i < c->journeys.n; i++) {
        const journey_rec *r = &c->journeys.items[i];
        json_t *o = json_pack("{s:s, s:s, s:s}", "kind", r->kind, "region_code", r->region_code,
                              "area_name", r->area_name);
        json_object_set_new(o, "at", json_instant(r->at));
        json_object_set_new(o, "level", json_str_or_null(r->level));
        json_array_append_new(places, o);
    }
    return json_pack("{s:i, s:b, s:o}", "days", c->days, "star", c->star, "places", places);
}

int h_checkpoint_scan(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"id_number", REQ_STRING, false}, {"person_id", REQ_ID, false},
        {"token", REQ_STRING, false},     {"direction", REQ_STRING, true},
        {"from_region", REQ_STRING, false}, {"at", REQ_INSTANT, false}, {NULL, 0, false}};
    value v[6] = {{0}};
    json_t *body = NULL;
    int64_t cp;
    scan_rec s;
    travel_leads made;
    if (req_param_id(rq, 0, &cp, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0) {
        json_decref(body);
        return -1;
    }
    travel_scan_in in = {.id_number = v[0].given ? v[0].s : NULL, .person_id = v[1].n,
                         .token = v[2].given ? v[2].s : NULL, .direction = v[3].s,
                         .from_region = v[4].given ? v[4].s : NULL, .at = v[5].n};
    /* a health-code token alone names its person once its MAC and expiry hold */
    int rc = 0;
    if (in.token && !in.id_number && !in.person_id) {
        rc = codes_token_person(rq->codes, in.token, &in.person_id, err);
        in.token = NULL;
    }
    itinerary_card card;
    rc = rc || travel_scan(rq->st, rq->policy, &rq->who, cp, &in, &s, &made, &card, err);
    json_decref(body);
    if (rc != 0)
        return -1;
    json_t *j = json_pack("{s:I, s:I, s:I, s:s}", "id", (json_int_t)s.id, "person_id",
                          (json_int_t)s.person_id, "checkpoint_id", (json_int_t)cp, "direction",
                          s.direction);
    json_object_set_new(j, "at", json_instant(s.at));
    json_object_set_new(j, "arrival_id", s.arrival_id ? json_integer(s.arrival_id) : json_null());
    json_object_set_new(j, "leads", leads_json(&made));
    json_object_set_new(j, "itinerary", card_json(&card));
    journey_list_free(&card.journeys);
    return req_reply(rq, 201, j);
}
