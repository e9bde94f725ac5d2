/*
 * h_zones.c - risk zones, contract in services/zones.h:
 *   GET   /api/v1/zones                        zones (status, level, area, case, limit, offset)
 *   GET   /api/v1/zones/{id}                   one zone with its cases, events, flags, residents
 *   POST  /api/v1/cases/{id}/zones/propose     propose zones from a case
 *   PATCH /api/v1/zones/{id}                   edit level, unit (unit_kind + area_code or
 *                                              building_id), name; note
 *   POST  /api/v1/zones/{id}/publish|reject|downgrade|lift   {"note", "force"}
 *   GET   /api/v1/public/risk-areas[/history]  PUBLIC: no login, no person data;
 *                                              ?format=csv: the issue 6 risk-area CSV
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "io/table_writer.h"
#include "model/zone.h"
#include "services/zones.h"

static json_t *flags_json(int flags)
{
    json_t *a = json_array();
    if (flags & ZONE_FLAG_UNIT)
        json_array_append_new(a, json_string("unit_too_large"));
    if (flags & ZONE_FLAG_KEPT)
        json_array_append_new(a, json_string("kept_too_long"));
    if (flags & ZONE_FLAG_FORCED)
        json_array_append_new(a, json_string("forced"));
    if (flags & ZONE_FLAG_LATE)
        json_array_append_new(a, json_string("publish_late"));
    return a;
}

static json_t *zone_json(const zone_view *v)
{
    const zone_rec *z = &v->z;
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, "
                          "s:s, s:s, s:s, s:s, s:I, s:s}",
                          "id", (json_int_t)z->id, "scheme", z->scheme, "level", z->level,
                          "level_zh", v->level_zh, "public_level", v->public_level,
                          "origin_level", z->origin_level, "steps", z->steps,
                          "unit_kind", z->unit_kind, "area_code", z->area_code,
                          "area_name", z->area_name, "name", z->name, "status", z->status,
                          "rule", z->rule, "policy_version", z->policy_version,
                          "start_date", z->start_date, "last_case_date", z->last_case_date,
                          "needs", v->needs, "n_cases", (json_int_t)z->n_cases,
                          "created_by", z->created_by);
    json_object_set_new(j, "building_id",
                        z->building_id ? json_integer(z->building_id) : json_null());
    json_object_set_new(j, "pending_level", json_str_or_null(z->pending_level));
    json_object_set_new(j, "may_downgrade_date", json_str_or_null(z->may_downgrade_date));
    json_object_set_new(j, "may_downgrade_to", json_str_or_null(z->may_downgrade_to));
    json_object_set_new(j, "may_lift_date", json_str_or_null(z->may_lift_date));
    json_object_set_new(j, "flags", flags_json(v->flags));
    json_object_set_new(j, "created_at", json_instant(z->created_at));
    json_object_set_new(j, "published_at", json_instant(z->published_at));
    json_object_set_new(j, "published_by", json_str_or_null(z->published_by));
    json_object_set_new(j, "lifted_at", json_instant(z->lifted_at));
    json_object_set_new(j, "lifted_by", json_str_or_null(z->lifted_by));
    if (v->residents >= 0)
        json_object_set_new(j, "residents", json_integer(v->residents));
    return j;
}

static json_t *views_json(const zone_view_list *l)
{
    json_t *items = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(items, zone_json(&l->items[i]));
    return json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l->total);
}

int h_zones_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset, case_id;
    zone_view_list l;
    if (req_page_args(rq, &limit, &offset, err) ||
        req_query_int(rq, "case", 0, 0, INT64_MAX, &case_id, err))
        return -1;
    zone_filter f = {.status = req_query(rq, "status"), .level = req_query(rq, "level"),
                     .area_prefix = req_query(rq, "area"), .case_id = case_id,
                     .limit = (int)limit, .offset = (int)offset};
    if (zones_list(rq->st, rq->policy, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *j = views_json(&l);
    zone_view_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_zone_get(http_req *rq, fk_err *err)
{
    int64_t id;
    zone_view v;
    zone_case_list cases;
    zone_event_list events;
    if (req_param_id(rq, 0, &id, err) ||
        zones_get(rq->st, rq->policy, &rq->who, id, &v, &cases, &events, err) != 0)
        return -1;
    json_t *j = zone_json(&v), *cs = json_array(), *es = json_array();
    for (size_t i = 0; i < cases.n; i++) {
        json_t *c = json_pack("{s:I, s:I, s:s}", "case_id", (json_int_t)cases.items[i].case_id,
                              "number", (json_int_t)cases.items[i].case_number, "rule",
                              cases.items[i].rule);
        json_object_set_new(c, "added_at", json_instant(cases.items[i].added_at));
        json_array_append_new(cs, c);
    }
    for (size_t i = 0; i < events.n; i++) {
        const zone_event *e = &events.items[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s}", "id", (json_int_t)e->id,
                              "actor", e->actor, "kind", e->kind, "from_level", e->from_level,
                              "to_level", e->to_level, "forced", e->forced, "note", e->note);
        json_object_set_new(o, "at", json_instant(e->at));
        json_array_append_new(es, o);
    }
    json_object_set_new(j, "cases", cs);
    json_object_set_new(j, "events", es);
    zone_case_list_free(&cases);
    zone_event_list_free(&events);
    return req_reply(rq, 200, j);
}

int h_case_zones_propose(http_req *rq, fk_err *err)
{
    int64_t id, ids[64];
    size_t n = 0;
    if (req_param_id(rq, 0, &id, err) ||
        zones_propose_case(rq->st, rq->policy, rq->tracing, &rq->who, id, ids, 64, &n, err) != 0)
        return -1;
    zone_filter f = {.case_id = id, .limit = 1000};
    zone_view_list l;
    if (zones_list(rq->st, rq->policy, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *j = views_json(&l), *touched = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(touched, json_integer(ids[i]));
    json_object_set_new(j, "touched", touched);
    zone_view_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_zone_patch(http_req *rq, fk_err *err)
{
    static const req_field spec[] = {
        {"level", REQ_STRING, false}, {"name", REQ_STRING, false},
        {"unit_kind", REQ_STRING, false}, {"area_code", REQ_STRING, false},
        {"building_id", REQ_ID, false}, {"note", REQ_STRING, false}, {NULL, 0, false}};
    req_value v[6] = {{0}};
    json_t *body = NULL;
    int64_t id;
    zone_view out;
    if (req_param_id(rq, 0, &id, err) || req_json_fields(rq, spec, v, &body, err) != 0) {
        json_decref(body);
        return -1;
    }
    if ((v[3].given || v[4].given) && !v[2].given) {
        json_decref(body);
        return fk_fail(err, FK_EINVAL, "unit_kind", "unit_kind: required with area_code or "
                       "building_id");
    }
    zone_edit e = {.level = v[0].given ? v[0].s : NULL, .name = v[1].given ? v[1].s : NULL,
                   .unit_kind = v[2].given ? v[2].s : NULL,
                   .area_code = v[3].given ? v[3].s : NULL, .building_id = v[4].n,
                   .note = v[5].given ? v[5].s : NULL};
    int rc = zones_edit(rq->st, rq->policy, &rq->who, id, &e, &out, err);
    json_decref(body);
    return rc != 0 ? -1 : req_reply(rq, 200, zone_json(&out));
}

static int decide(http_req *rq, const char *what, fk_err *err)
{
    static const req_field spec[] = {{"note", REQ_STRING, false}, {"force", REQ_BOOL, false},
                                     {NULL, 0, false}};
    req_value v[2] = {{0}};
    json_t *body = NULL;
    int64_t id;
    zone_view out;
    if (req_param_id(rq, 0, &id, err))
        return -1;
    if (rq->body && rq->body_len && req_json_fields(rq, spec, v, &body, err) != 0) {
        json_decref(body);
        return -1;
    }
    if (!body)
        memset(v, 0, sizeof v);
    int rc = zones_decide(rq->st, rq->policy, &rq->who, id, what, v[0].given ? v[0].s : NULL,
                          v[1].given && v[1].b, &out, err);
    json_decref(body);
    return rc != 0 ? -1 : req_reply(rq, 200, zone_json(&out));
}

int h_zone_publish(http_req *rq, fk_err *err) { return decide(rq, "publish", err); }
int h_zone_reject(http_req *rq, fk_err *err) { return decide(rq, "reject", err); }
int h_zone_downgrade(http_req *rq, fk_err *err) { return decide(rq, "downgrade", err); }
int h_zone_lift(http_req *rq, fk_err *err) { return decide(rq, "lift", err); }

/* ---- public ------------------------------------------------------------------------------ */

/* Local day of an instant ("" for 0). */
static void local_day(const http_req *rq, int64_t t, char out[11])
{
    int64_t h = 0;
    fk_err e;
    out[0] = '\0';
    if (!t)
        return;
    policy_get_int(rq->policy, "reporting.utc_offset_h", &h, &e);
    zone_day_format(zone_local_day(t, (int)h), out);
}

static int public_csv(http_req *rq, const zone_view_list *l, bool history)
{
    strbuf sb = {0};
    char from[11], to[11];
    sb_append(&sb, "region_code,area_name,level,from,to\n");
    for (size_t i = 0; i < l->n; i++) {
        const zone_rec *z = &l->items[i].z;
        local_day(rq, z->published_at, from);
        local_day(rq, z->lifted_at, to);
        tw_csv_cell(&sb, z->area_code);
        sb_append_char(&sb, ',');
        tw_csv_cell(&sb, z->name);
        sb_append_char(&sb, ',');
        tw_csv_cell(&sb, l->items[i].public_level);
        sb_appendf(&sb, ",%s,%s\n", from, to);
    }
    size_t len = strlen(sb_str(&sb));
    return req_reply_file(rq, sb_take(&sb), len, "text/csv; charset=utf-8",
                          history ? "risk-areas-history.csv" : "risk-areas.csv");
}

static int public_list(http_req *rq, bool history, fk_err *err)
{
    const char *format = req_query(rq, "format");
    zone_view_list l;
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return fk_fail(err, FK_EINVAL, "format", "format: csv or json");
    if (zones_public(rq->st, rq->policy, history, &l, err) != 0)
        return -1;
    if (format && strcmp(format, "csv") == 0) {
        int rc = public_csv(rq, &l, history);
        zone_view_list_free(&l);
        return rc;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const zone_view *v = &l.items[i];
        char from[11], to[11];
        local_day(rq, v->z.published_at, from);
        local_day(rq, v->z.lifted_at, to);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region_code",
                              v->z.area_code, "area_name", v->z.area_name, "name", v->z.name,
                              "level", v->public_level, "level_zh", v->level_zh,
                              "zone_level", v->z.level, "from", from);
        json_object_set_new(o, "to", json_str_or_null(to));
        json_object_set_new(o, "may_lift_date", json_str_or_null(v->z.may_lift_date));
        json_array_append_new(items, o);
    }
    zone_view_list_free(&l);
    return req_reply(rq, 200, json_pack("{s:o, s:s}", "items", items, "policy_version",
                                        policy_id(rq->policy)));
}

int h_public_risk_areas(http_req *rq, fk_err *err) { return public_list(rq, false, err); }
int h_public_risk_areas_history(http_req *rq, fk_err *err) { return public_list(rq, true, err); }
