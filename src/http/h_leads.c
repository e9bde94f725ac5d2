/*
 * h_leads.c - leads (推送、排查、管控), contract in services/leads.h:
 *   GET   /api/v1/leads                 the queue (state, kind, case_id, overdue=1, area,
 *                                       limit, offset), soonest deadline first
 *   GET   /api/v1/leads/{id}            one lead with its events
 *   POST  /api/v1/leads                 a lead by hand
 *   POST  /api/v1/cases/{id}/leads      push the case's contacts as leads (items=0: the
 *                                       count and the new ids, not the leads)
 *   PATCH /api/v1/leads/{id}            {state, measure_taken, note, assignee}
 * Escalation runs on the server's sweeper thread (services/sweeps.h) every interval,
 * and once more before each list, so that the queue shows lateness as of the moment it
 * is looked at; the sweep is one index range over the overdue leads and writes only
 * when a level rises. `fangkong sweep --now T` runs the same from the command line.
 * Bodies are read with one field table per request; unknown fields are refused.
 */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "model/role.h"
#include "services/leads.h"

typedef req_field field;
typedef req_value value;

static json_t *id_or_null(int64_t id) { return id ? json_integer(id) : json_null(); }

static json_t *lead_to_json(const lead_rec *l, int64_t now)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:s}", "id", (json_int_t)l->id,
                          "kind", l->kind, "subject", l->subject, "measure_required",
                          l->measure_required, "area_code", l->area_code, "state", l->state,
                          "overdue", leads_overdue(l, now), "escalation_level",
                          l->escalation_level, "escalated_to",
                          lead_level_name(l->escalation_level));
    json_object_set_new(j, "person_id", id_or_null(l->person_id));
    json_object_set_new(j, "person_name", json_str_or_null(l->person_name));
    json_object_set_new(j, "person_phone", json_str_or_null(l->person_phone));
    json_object_set_new(j, "case_id", id_or_null(l->case_id));
    json_object_set_new(j, "contact_id", id_or_null(l->contact_id));
    json_object_set_new(j, "assignee", json_str_or_null(l->assignee));
    json_object_set_new(j, "measure_taken", json_str_or_null(l->measure_taken));
    json_object_set_new(j, "pushed_at", json_instant(l->pushed_at));
    json_object_set_new(j, "found_by", json_instant(l->deadlines[LEAD_STEP_FOUND]));
    json_object_set_new(j, "controlled_by", json_instant(l->deadlines[LEAD_STEP_CONTROLLED]));
    json_object_set_new(j, "closed_by", json_instant(l->deadlines[LEAD_STEP_CLOSED]));
    json_object_set_new(j, "due_at", json_instant(l->due_at));
    json_object_set_new(j, "escalated_at", json_instant(l->escalated_at));
    json_object_set_new(j, "updated_at", json_instant(l->updated_at));
    json_object_set_new(j, "responsible",
                        l->resp_unit[0] ? json_pack("{s:s, s:s}", "unit", l->resp_unit,
                                                    "official", l->resp_official)
                                        : json_null());
    return j;
}

static json_t *event_to_json(const lead_event *e)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id, "actor", e->actor,
                          "from_state", e->from_state, "to_state", e->to_state, "note", e->note);
    json_object_set_new(j, "at", json_instant(e->at));
    return j;
}

static json_t *items_json(const lead_list *l, int64_t now)
{
    json_t *items = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(items, lead_to_json(&l->items[i], now));
    return items;
}

/* The sweep runs for the city, not as the user who looks: its events name "system". */
static int sweep(http_req *rq, fk_err *err)
{
    actor sys;
    int raised;
    actor_system(&sys, "escalation sweep");
    return leads_escalate(rq->st, &sys, fk_now(), &raised, err);
}

static int list_filter(http_req *rq, lead_filter *f, fk_err *err)
{
    int64_t limit, offset, case_id, overdue;
    if (req_query_int(rq, "limit", 50, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err) ||
        req_query_int(rq, "case_id", 0, 0, INT64_MAX, &case_id, err) ||
        req_query_int(rq, "overdue", 0, 0, 1, &overdue, err))
        return -1;
    *f = (lead_filter){.limit = (int)limit, .offset = (int)offset, .case_id = case_id,
                       .overdue_at = overdue ? fk_now() : 0};
    f->state = req_query(rq, "state");
    f->kind = req_query(rq, "kind");
    f->area_prefix = req_query(rq, "area");
    if (f->state && !lead_state_known(f->state))
        return fk_fail(err, FK_EINVAL, "state", "state: unknown lead state %s", f->state);
    if (f->kind && !lead_kind_known(f->kind))
        return fk_fail(err, FK_EINVAL, "kind", "kind: unknown lead kind %s", f->kind);
    return 0;
}

int h_leads_list(http_req *rq, fk_err *err)
{
    lead_filter f;
    lead_list l;
    if (list_filter(rq, &f, err) != 0 || actor_require(&rq->who, PERM_LEADS, err) != 0 ||
        sweep(rq, err) != 0 || leads_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *j = json_pack("{s:o, s:I}", "items", items_json(&l, fk_now()), "total",
                          (json_int_t)l.total);
    lead_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_lead_get(http_req *rq, fk_err *err)
{
    int64_t id;
    lead_rec l;
    lead_event_list ev;
    if (req_param_id(rq, 0, &id, err) != 0 || leads_get(rq->st, &rq->who, id, &l, &ev, err))
        return -1;
    json_t *j = lead_to_json(&l, fk_now()), *events = json_array();
    for (size_t i = 0; i < ev.n; i++)
        json_array_append_new(events, event_to_json(&ev.items[i]));
    json_object_set_new(j, "events", events);
    lead_event_list_free(&ev);
    return req_reply(rq, 200, j);
}

int h_leads_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"kind", REQ_STRING, true},     {"person_id", REQ_ID, false},  {"subject", REQ_STRING, false},
        {"case_id", REQ_ID, false},     {"area_code", REQ_STRING, false},
        {"measure_required", REQ_STRING, false}, {"assignee", REQ_STRING, false},
        {"pushed_at", REQ_INSTANT, false}, {NULL, 0, false}};
    value v[8] = {{0}};
    json_t *body = NULL;
    lead_rec l = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(l.kind, sizeof l.kind, &v[0], "kind", err) ||
             req_copy_text(l.subject, sizeof l.subject, &v[2], "subject", err) ||
             req_copy_text(l.area_code, sizeof l.area_code, &v[4], "area_code", err) ||
             req_copy_text(l.measure_required, sizeof l.measure_required, &v[5], "measure_required",
                       err) ||
             req_copy_text(l.assignee, sizeof l.assignee, &v[6], "assignee", err);
    l.person_id = v[1].n;
    l.case_id = v[3].n;
    l.pushed_at = v[7].n;
    rc = rc || leads_create(rq->st, rq->policy, &rq->who, &l, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, lead_to_json(&l, fk_now()));
}

/* items=0: a batch caller gets the count and the ids of the new leads, not the leads. */
static int push_brief(http_req *rq, int64_t id, fk_err *err)
{
    int64_t first, last;
    if (leads_push_case_ids(rq->st, rq->policy, &rq->who, id, &first, &last, err) != 0)
        return -1;
    json_t *j = json_pack("{s:I}", "created", (json_int_t)(last >= first ? last - first + 1 : 0));
    json_object_set_new(j, "first_id", last >= first ? json_integer(first) : json_null());
    json_object_set_new(j, "last_id", last >= first ? json_integer(last) : json_null());
    return req_reply(rq, 201, j);
}

int h_case_leads_push(http_req *rq, fk_err *err)
{
    int64_t id, items;
    lead_list l;
    if (req_param_id(rq, 0, &id, err) != 0 || req_query_int(rq, "items", 1, 0, 1, &items, err))
        return -1;
    if (!items)
        return push_brief(rq, id, err);
    if (leads_push_case(rq->st, rq->policy, &rq->who, id, &l, err) != 0)
        return -1;
    json_t *j = json_pack("{s:I, s:o}", "created", (json_int_t)l.n, "items",
                          items_json(&l, fk_now()));
    lead_list_free(&l);
    return req_reply(rq, 201, j);
}

int h_lead_patch(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"state", REQ_STRING, false}, {"measure_taken", REQ_STRING, false},
        {"note", REQ_STRING, false},  {"assignee", REQ_STRING, false}, {NULL, 0, false}};
    value v[4] = {{0}};
    json_t *body = NULL;
    int64_t id;
    lead_rec l;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0;
    lead_change c = {v[0].s, v[1].s, v[2].s, v[3].s};
    rc = rc || leads_change(rq->st, &rq->who, id, &c, &l, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, lead_to_json(&l, fk_now()));
}
