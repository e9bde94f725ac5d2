/*
 * h_isolations.c - isolations (集中隔离 and 居家隔离), contract in services/isolation.h:
 *   GET   /api/v1/isolations                     list (state, kind, facility_id, person_id,
 *                                                area, limit, offset), newest first
 *   POST  /api/v1/isolations                     start {person_id, cohort, day1_date,
 *                                                lead_id, allocation_id}
 *   GET   /api/v1/isolations/due                 the lab work list: tests due (date)
 *   GET   /api/v1/isolations/{id}                one, with its tests
 *   PATCH /api/v1/isolations/{id}/tests/{test}   {result: negative | positive}
 *   POST  /api/v1/isolations/{id}/release        release at the end (all tests negative)
 *   POST  /api/v1/isolations/{id}/end            {case_id}: end early into a case
 */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/isolation.h"

typedef req_field field;
typedef req_value value;

static json_t *id_or_null(int64_t id) { return id ? json_integer(id) : json_null(); }

static json_t *isolation_to_json(const isolation_rec *i)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s}",
                          "id", (json_int_t)i->id, "person_id", (json_int_t)i->person_id,
                          "person_name", i->person_name, "id_number", i->id_number,
                          "area_code", i->area_code, "cohort", i->cohort, "phase", i->phase + 1,
                          "kind", i->kind, "day1_date", i->day1_date, "end_date", i->end_date,
                          "state", i->state, "policy", i->policy_id);
    json_object_set_new(j, "next_kind", json_str_or_null(i->next_kind));
    json_object_set_new(j, "next_end_date", json_str_or_null(i->next_end_date));
    json_object_set_new(j, "allocation_id", id_or_null(i->allocation_id));
    json_object_set_new(j, "household_id", id_or_null(i->household_id));
    json_object_set_new(j, "lead_id", id_or_null(i->lead_id));
    json_object_set_new(j, "case_id", id_or_null(i->case_id));
    json_object_set_new(j, "facility_id", id_or_null(i->facility_id));
    json_object_set_new(j, "facility_name", json_str_or_null(i->facility_name));
    json_object_set_new(j, "room_id", id_or_null(i->room_id));
    json_object_set_new(j, "room_number", json_str_or_null(i->room_number));
    json_object_set_new(j, "started_at", json_instant(i->started_at));
    json_object_set_new(j, "ended_at", i->ended_at ? json_instant(i->ended_at) : json_null());
    return j;
}

static json_t *test_to_json(const isolation_test_rec *t, bool with_person)
{
    json_t *j = json_pack("{s:I, s:I, s:i, s:s, s:s}", "id", (json_int_t)t->id, "isolation_id",
                          (json_int_t)t->isolation_id, "day", t->day, "due_date", t->due_date,
                          "test_kind", t->test_kind);
    json_object_set_new(j, "result", json_str_or_null(t->result));
    json_object_set_new(j, "result_at", t->result_at ? json_instant(t->result_at) : json_null());
    json_object_set_new(j, "recorded_by", json_str_or_null(t->recorded_by));
    if (with_person) {
        json_object_set_new(j, "person_id", json_integer(t->person_id));
        json_object_set_new(j, "person_name", json_string(t->person_name));
        json_object_set_new(j, "area_code", json_string(t->area_code));
        json_object_set_new(j, "place", json_str_or_null(t->place));
    }
    return j;
}

int h_isolations_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset, facility, person;
    isolation_list l;
    if (req_query_int(rq, "limit", 50, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err) ||
        req_query_int(rq, "facility_id", 0, 0, INT64_MAX, &facility, err) ||
        req_query_int(rq, "person_id", 0, 0, INT64_MAX, &person, err))
        return -1;
    isolation_filter f = {req_query(rq, "area"), req_query(rq, "state"), req_query(rq, "kind"),
                          facility, person, (int)limit, (int)offset};
    if (isolations_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, isolation_to_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    isolation_list_free(&l);
    return req_reply(rq, 200, j);
}

/* The isolation with its tests, as read back after a change. */
static int reply_isolation(http_req *rq, int status, int64_t id, fk_err *err)
{
    isolation_rec iso;
    isolation_test_list tests;
    if (isolation_get(rq->st, &rq->who, id, &iso, &tests, err) != 0)
        return -1;
    json_t *j = isolation_to_json(&iso), *arr = json_array();
    for (size_t i = 0; i < tests.n; i++)
        json_array_append_new(arr, test_to_json(&tests.items[i], false));
    json_object_set_new(j, "tests", arr);
    isolation_test_list_free(&tests);
    return req_reply(rq, status, j);
}

int h_isolations_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"person_id", REQ_ID, true}, {"cohort", REQ_STRING, false},
        {"day1_date", REQ_STRING, false}, {"lead_id", REQ_ID, false},
        {"allocation_id", REQ_ID, false}, {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    isolation_rec iso;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0;
    isolation_start_req r = {v[0].n, v[3].n, v[4].n, v[1].s, v[2].s};
    rc = rc || isolation_start(rq->st, rq->policy, &rq->who, &r, &iso, err) != 0;
    json_decref(body);
    return rc ? -1 : reply_isolation(rq, 201, iso.id, err);
}

int h_isolation_get(http_req *rq, fk_err *err)
{
    int64_t id;
    return req_param_id(rq, 0, &id, err) != 0 ? -1 : reply_isolation(rq, 200, id, err);
}

int h_isolation_test_patch(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"result", REQ_STRING, true}, {NULL, 0, false}};
    value v[1] = {{0}};
    json_t *body = NULL;
    int64_t id, test;
    isolation_rec iso;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_param_id(rq, 1, &test, err) != 0 ||
             req_json_fields(rq, spec, v, &body, err) != 0 ||
             isolation_record_result(rq->st, rq->policy, &rq->who, id, test, v[0].s, &iso, err) != 0;
    json_decref(body);
    return rc ? -1 : reply_isolation(rq, 200, id, err);
}

int h_isolation_release(http_req *rq, fk_err *err)
{
    int64_t id;
    isolation_rec iso, next;
    if (req_param_id(rq, 0, &id, err) != 0 ||
        isolation_release(rq->st, rq->policy, &rq->who, id, &iso, &next, err) != 0 ||
        reply_isolation(rq, 200, id, err) != 0)
        return -1;
    json_object_set_new(rq->json, "next_isolation", next.id ? isolation_to_json(&next)
                                                            : json_null());
    return 0;
}

int h_isolation_end(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"case_id", REQ_ID, true}, {NULL, 0, false}};
    value v[1] = {{0}};
    json_t *body = NULL;
    int64_t id;
    isolation_rec iso;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0 ||
             isolation_end_into_case(rq->st, &rq->who, id, v[0].n, &iso, err) != 0;
    json_decref(body);
    return rc ? -1 : reply_isolation(rq, 200, id, err);
}

int h_isolations_due(http_req *rq, fk_err *err)
{
    char today[11];
    const char *date = req_query(rq, "date");
    isolation_test_list l;
    isolation_today(rq->policy, today);
    if (isolation_due(rq->st, &rq->who, date ? date : today, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, test_to_json(&l.items[i], true));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.n);
    isolation_test_list_free(&l);
    return req_reply(rq, 200, j);
}
