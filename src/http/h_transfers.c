/*
 * h_transfers.c - transfer (转运), contract in services/transfers.h:
 *   GET   /api/v1/transfers                         trips (area, state, late=1, limit, offset),
 *                                                   open trips soonest due first
 *   POST  /api/v1/transfers                         a trip {vehicle_id, crew_id, lead_ids[],
 *                                                   household}: rooms reserved first
 *   GET   /api/v1/transfers/{id}                    a trip with its pickups and events
 *   PATCH /api/v1/transfers/{id}/pickups/{pid}      {state: aboard|missed, note}
 *   POST  /api/v1/transfers/{id}/arrive             arrival: isolations start, leads controlled
 *   GET   /api/v1/transfers/vehicles, POST          vehicles {plate, seats, area_code}
 *   PATCH /api/v1/transfers/vehicles/{id}           {state}
 *   GET   /api/v1/transfers/crews, POST             crews {name, leader, phone, members, area_code}
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "model/transfer.h"
#include "services/transfers.h"

typedef req_field field;
typedef req_value value;

static json_t *vehicle_json(const vehicle_rec *v)
{
    json_t *j = json_pack("{s:I, s:s, s:i, s:s, s:s}", "id", (json_int_t)v->id, "plate", v->plate,
                          "seats", v->seats, "area_code", v->area_code, "state", v->state);
    json_object_set_new(j, "updated_at", json_instant(v->updated_at));
    return j;
}

static json_t *crew_json(const crew_rec *c)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:i, s:s}", "id", (json_int_t)c->id, "name", c->name,
                     "leader", c->leader, "phone", c->phone, "members", c->members, "area_code",
                     c->area_code);
}

static json_t *trip_json(const trip_rec *t, int64_t now)
{
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:i, s:s}",
                          "id", (json_int_t)t->id, "vehicle_id", (json_int_t)t->vehicle_id,
                          "crew_id", (json_int_t)t->crew_id, "facility_id",
                          (json_int_t)t->facility_id, "facility_name", t->facility_name,
                          "plate", t->plate, "area_code", t->area_code, "state", t->state,
                          "created_by", t->created_by, "pickup_count", t->pickups, "late",
                          t->late || transfer_late(t->state, t->due_at, now),
                          "escalation_level", t->escalation_level, "escalated_to",
                          transfer_level_name(t->escalation_level));
    json_object_set_new(j, "created_at", json_instant(t->created_at));
    json_object_set_new(j, "due_at", json_instant(t->due_at));
    json_object_set_new(j, "picked_up_at", json_instant(t->picked_up_at));
    json_object_set_new(j, "arrived_at", json_instant(t->arrived_at));
    json_object_set_new(j, "escalated_at", json_instant(t->escalated_at));
    return j;
}

static json_t *pickup_json(const pickup_rec *p)
{
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)p->id,
                          "lead_id", (json_int_t)p->lead_id, "person_id",
                          (json_int_t)p->person_id, "allocation_id",
                          (json_int_t)p->allocation_id, "state", p->state, "note", p->note,
                          "person_name", p->person_name, "person_phone", p->person_phone,
                          "room_number", p->room_number);
    json_object_set_new(j, "due_at", json_instant(p->due_at));
    json_object_set_new(j, "aboard_at", json_instant(p->aboard_at));
    json_object_set_new(j, "arrived_at", json_instant(p->arrived_at));
    return j;
}

static json_t *trip_full_json(const trip_rec *t, const pickup_list *p, const trip_event_list *e)
{
    json_t *j = trip_json(t, fk_now()), *pickups = json_array(), *events = json_array();
    for (size_t i = 0; p && i < p->n; i++)
        json_array_append_new(pickups, pickup_json(&p->items[i]));
    for (size_t i = 0; e && i < e->n; i++) {
        json_t *ev = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->items[i].id,
                               "actor", e->items[i].actor, "from_state", e->items[i].from_state,
                               "to_state", e->items[i].to_state, "note", e->items[i].note);
        json_object_set_new(ev, "at", json_instant(e->items[i].at));
        json_array_append_new(events, ev);
    }
    json_object_set_new(j, "pickups", pickups);
    json_object_set_new(j, "events", events);
    return j;
}

/* ---- trips ------------------------------------------------------------------------------ */

int h_transfers_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset, late;
    trip_list l;
    if (req_page_args(rq, &limit, &offset, err) || req_query_int(rq, "late", 0, 0, 1, &late, err))
        return -1;
    trip_filter f = {.area_prefix = req_query(rq, "area"), .state = req_query(rq, "state"),
                     .late_at = late ? fk_now() : 0, .limit = (int)limit, .offset = (int)offset};
    if (f.state && !transfer_trip_state_known(f.state))
        return fk_fail(err, FK_EINVAL, "state", "state: unknown trip state %s", f.state);
    if (transfers_trip_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, trip_json(&l.items[i], fk_now()));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    trip_list_free(&l);
    return req_reply(rq, 200, j);
}

/* lead_ids: 1..TRANSFER_MAX_PICKUPS positive integers, into ids (caller's array). */
static int lead_ids_of(const json_t *arr, int64_t *ids, size_t *n, fk_err *err)
{
    size_t i;
    json_t *v;
    if (!json_is_array(arr) || json_array_size(arr) < 1 ||
        json_array_size(arr) > TRANSFER_MAX_PICKUPS)
        return fk_fail(err, FK_EINVAL, "lead_ids", "lead_ids: an array of 1 to %d lead ids",
                       TRANSFER_MAX_PICKUPS);
    json_array_foreach(arr, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return fk_fail(err, FK_EINVAL, "lead_ids", "lead_ids[%zu]: a lead id", i);
        ids[i] = json_integer_value(v);
    }
    *n = json_array_size(arr);
    return 0;
}

int h_transfers_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"vehicle_id", REQ_ID, true}, {"crew_id", REQ_ID, true},
                                 {"lead_ids", REQ_ARRAY, true}, {"household", REQ_BOOL, false},
                                 {NULL, 0, false}};
    value v[4] = {{0}};
    json_t *body = NULL;
    int64_t ids[TRANSFER_MAX_PICKUPS];
    trip_request r = {.lead_ids = ids};
    trip_rec t;
    pickup_list p = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 || lead_ids_of(v[2].arr, ids, &r.n, err);
    r.vehicle_id = v[0].n;
    r.crew_id = v[1].n;
    r.household = v[3].given && v[3].b;
    rc = rc || transfers_trip_create(rq->st, rq->policy, &rq->who, &r, &t, &p, err) != 0;
    json_decref(body);
    if (rc)
        return -1;
    json_t *j = trip_full_json(&t, &p, NULL);
    pickup_list_free(&p);
    return req_reply(rq, 201, j);
}

static int reply_trip(http_req *rq, int64_t id, int status, fk_err *err)
{
    trip_rec t;
    pickup_list p = {0};
    trip_event_list e = {0};
    if (transfers_trip_get(rq->st, &rq->who, id, &t, &p, &e, err) != 0)
        return -1;
    json_t *j = trip_full_json(&t, &p, &e);
    pickup_list_free(&p);
    trip_event_list_free(&e);
    return req_reply(rq, status, j);
}

int h_transfer_get(http_req *rq, fk_err *err)
{
    int64_t id;
    return req_param_id(rq, 0, &id, err) ? -1 : reply_trip(rq, id, 200, err);
}

int h_transfer_pickup_patch(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"state", REQ_STRING, true}, {"note", REQ_STRING, false},
                                 {NULL, 0, false}};
    value v[2] = {{0}};
    json_t *body = NULL;
    int64_t id, pid;
    int rc = req_param_id(rq, 0, &id, err) || req_param_id(rq, 1, &pid, err) ||
             req_json_fields(rq, spec, v, &body, err) != 0 ||
             transfers_pickup_move(rq->st, &rq->who, id, pid, v[0].s, v[1].s, err) != 0;
    json_decref(body);
    return rc ? -1 : reply_trip(rq, id, 200, err);
}

int h_transfer_arrive(http_req *rq, fk_err *err)
{
    int64_t id;
    if (req_param_id(rq, 0, &id, err) ||
        transfers_trip_arrive(rq->st, rq->policy, &rq->who, id, err) != 0)
        return -1;
    return reply_trip(rq, id, 200, err);
}

/* ---- vehicles and crews ---------------------------------------------------------------- */

int h_vehicles_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset;
    vehicle_list l;
    if (req_page_args(rq, &limit, &offset, err) ||
        transfers_vehicle_list(rq->st, &rq->who, req_query(rq, "area"), (int)limit,
                               (int)offset, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, vehicle_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    vehicle_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_vehicles_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"plate", REQ_STRING, true}, {"seats", REQ_ID, true},
                                 {"area_code", REQ_STRING, true}, {NULL, 0, false}};
    value v[3] = {{0}};
    json_t *body = NULL;
    vehicle_rec r = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(r.plate, sizeof r.plate, &v[0], "plate", err) ||
             req_copy_text(r.area_code, sizeof r.area_code, &v[2], "area_code", err);
    r.seats = v[1].n > 1000 ? 1000 : (int)v[1].n;
    rc = rc || transfers_vehicle_create(rq->st, &rq->who, &r, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, vehicle_json(&r));
}

int h_vehicle_patch(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"state", REQ_STRING, true}, {NULL, 0, false}};
    value v[1] = {{0}};
    json_t *body = NULL;
    int64_t id;
    vehicle_rec r;
    int rc = req_param_id(rq, 0, &id, err) || req_json_fields(rq, spec, v, &body, err) != 0 ||
             transfers_vehicle_set_state(rq->st, &rq->who, id, v[0].s, &r, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, vehicle_json(&r));
}

int h_crews_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset;
    crew_list l;
    if (req_page_args(rq, &limit, &offset, err) ||
        transfers_crew_list(rq->st, &rq->who, req_query(rq, "area"), (int)limit, (int)offset,
                            &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, crew_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    crew_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_crews_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"name", REQ_STRING, true},      {"leader", REQ_STRING, true},
                                 {"phone", REQ_STRING, false},    {"members", REQ_ID, false},
                                 {"area_code", REQ_STRING, true}, {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    crew_rec c = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(c.name, sizeof c.name, &v[0], "name", err) ||
             req_copy_text(c.leader, sizeof c.leader, &v[1], "leader", err) ||
             req_copy_text(c.phone, sizeof c.phone, &v[2], "phone", err) ||
             req_copy_text(c.area_code, sizeof c.area_code, &v[4], "area_code", err);
    c.members = !v[3].given ? 2 : v[3].n > 100 ? 100 : (int)v[3].n;
    rc = rc || transfers_crew_create(rq->st, &rq->who, &c, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, crew_json(&c));
}
