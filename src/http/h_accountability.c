/*
 * h_accountability.c - responsibility and accountability (压实责任), contracts in
 * services/accountability.h and services/reports.h:
 *   GET  /api/v1/responsibilities        the matrix (area, function, at, history=1,
 *                                        limit, offset); current rows by default
 *   POST /api/v1/responsibilities        put a unit and official in office
 *   GET  /api/v1/reports/daily           the expected units of a day (date, area, now)
 *                                        with their report's state
 *   POST /api/v1/reports/daily           the caller's unit's report {day, zero, figures,
 *                                        note}
 *   GET  /api/v1/performance             per unit of a level (from, to, level, now)
 *   GET  /api/v1/briefings               the failures of a period and the actions
 *                                        decided (from, to, now; source, ref; limit,
 *                                        offset): counts and total over every failure
 *                                        that matches, one page of them in full
 *   GET  /api/v1/accountability/actions  actions recorded (failure_ref, area, limit, offset)
 *   POST /api/v1/accountability/actions  record one {failure_ref, action, reason, unit,
 *                                        official}
 * `now` on the reads is the instant the states are judged at (default: now), so that a
 * period can be looked at as it stood; writes always happen now.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "model/responsibility.h"
#include "model/role.h"
#include "services/accountability.h"
#include "services/reports.h"

typedef req_field field;
typedef req_value value;

static int query_now(http_req *rq, int64_t *now, fk_err *err)
{
    const char *s = req_query(rq, "now");
    *now = fk_now();
    return s ? fk_instant_parse(s, now, "now", err) : 0;
}

/* ---- responsibilities ---------------------------------------------------------------------- */

static json_t *resp_json(const resp_rec *r)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)r->id, "area_code",
                          r->area_code, "function", r->function, "unit", r->unit, "official",
                          r->official, "set_by", r->set_by);
    json_object_set_new(j, "phone", json_str_or_null(r->phone));
    json_object_set_new(j, "valid_from", json_instant(r->valid_from));
    json_object_set_new(j, "valid_to", json_instant(r->valid_to));
    json_object_set_new(j, "set_at", json_instant(r->set_at));
    return j;
}

/* {unit, official} or null: how a lead, failure or action names who answers. */
static json_t *named(const char *unit, const char *official)
{
    return unit[0] ? json_pack("{s:s, s:s}", "unit", unit, "official", official) : json_null();
}

int h_resp_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset, history, at = 0;
    const char *at_s = req_query(rq, "at");
    resp_list l;
    if (req_query_int(rq, "limit", 100, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err) ||
        req_query_int(rq, "history", 0, 0, 1, &history, err) ||
        (at_s && fk_instant_parse(at_s, &at, "at", err)))
        return -1;
    resp_filter f = {.area_prefix = req_query(rq, "area"), .function = req_query(rq, "function"),
                     .at = at, .history = (int)history, .limit = (int)limit,
                     .offset = (int)offset};
    if (acc_resp_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, resp_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    resp_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_resp_set(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"area_code", REQ_STRING, true}, {"function", REQ_STRING, true},
        {"unit", REQ_STRING, true},      {"official", REQ_STRING, true},
        {"phone", REQ_STRING, false},    {"valid_from", REQ_INSTANT, false}, {NULL, 0, false}};
    value v[6] = {{0}};
    json_t *body = NULL;
    resp_rec r = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(r.area_code, sizeof r.area_code, &v[0], "area_code", err) ||
             req_copy_text(r.function, sizeof r.function, &v[1], "function", err) ||
             req_copy_text(r.unit, sizeof r.unit, &v[2], "unit", err) ||
             req_copy_text(r.official, sizeof r.official, &v[3], "official", err) ||
             req_copy_text(r.phone, sizeof r.phone, &v[4], "phone", err);
    r.valid_from = v[5].n;
    rc = rc || acc_resp_set(rq->st, &rq->who, &r, fk_now(), err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, resp_json(&r));
}

/* ---- daily reports ---------------------------------------------------------------------------- */

static json_t *report_json(const report_rec *r)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:b, s:s, s:s}", "id", (json_int_t)r->id, "area_code",
                          r->area_code, "day", r->day, "zero", r->zero, "note", r->note,
                          "submitted_by", r->submitted_by);
    json_t *figures = json_loads(r->figures, 0, NULL);
    json_object_set_new(j, "figures", figures ? figures : json_object());
    json_object_set_new(j, "submitted_at", json_instant(r->submitted_at));
    json_object_set_new(j, "deadline", json_instant(r->deadline));
    json_object_set_new(j, "late", json_boolean(r->submitted_at > r->deadline));
    return j;
}

int h_report_submit(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"day", REQ_STRING, false}, {"zero", REQ_BOOL, false}, {"figures", REQ_OBJECT, false},
        {"note", REQ_STRING, false}, {NULL, 0, false}};
    value v[4] = {{0}};
    json_t *body = NULL;
    report_rec r;
    int rc = req_json_fields(rq, spec, v, &body, err) != 0;
    report_submission in = {v[0].s, v[1].b, v[2].j, v[3].s};
    rc = rc || reports_submit(rq->st, rq->policy, &rq->who, &in, fk_now(), &r, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, report_json(&r));
}

static json_t *status_json(const report_status *s)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "area_code", s->unit.code, "name",
                          s->unit.name, "level", s->unit.level, "day", s->day, "state",
                          report_state_name(s->state));
    json_object_set_new(j, "deadline", json_instant(s->deadline));
    json_object_set_new(j, "report", s->report.id ? report_json(&s->report) : json_null());
    return j;
}

int h_reports_list(http_req *rq, fk_err *err)
{
    int64_t now;
    report_clock c;
    report_status_list l;
    char today[11];
    const char *date = req_query(rq, "date");
    if (query_now(rq, &now, err) != 0 || reports_clock(rq->policy, &c, err) != 0)
        return -1;
    if (!date) {
        report_day_of(&c, now, today);
        date = today;
    }
    if (fk_date_parse(date, NULL, NULL, NULL, "date", err) != 0 ||
        reports_status(rq->st, rq->policy, &rq->who, date, date, req_query(rq, "area"), now, &l,
                       err) != 0)
        return -1;
    json_t *items = json_array(), *counts = json_object();
    for (size_t i = 0; i < l.n; i++) {
        const char *state = report_state_name(l.items[i].state);
        json_array_append_new(items, status_json(&l.items[i]));
        json_object_set_new(counts, state,
                            json_integer(json_integer_value(json_object_get(counts, state)) + 1));
    }
    json_t *j = json_pack("{s:s, s:o, s:o, s:I}", "date", date, "counts", counts, "items", items,
                          "total", (json_int_t)l.n);
    report_status_list_free(&l);
    return req_reply(rq, 200, j);
}

/* ---- periods ---------------------------------------------------------------------------------- */

static int query_period(http_req *rq, acc_period *p, fk_err *err)
{
    const char *from = req_query(rq, "from"), *to = req_query(rq, "to");
    int64_t now;
    if (!from)
        return fk_fail(err, FK_EINVAL, "from", "from: required (YYYY-MM-DD)");
    if (!to)
        return fk_fail(err, FK_EINVAL, "to", "to: required (YYYY-MM-DD)");
    return query_now(rq, &now, err) || acc_period_make(rq->policy, from, to, now, p, err);
}

static json_t *period_json(const acc_period *p)
{
    json_t *j = json_pack("{s:s, s:s}", "from", p->from_day, "to", p->to_day);
    json_object_set_new(j, "starts", json_instant(p->from));
    json_object_set_new(j, "ends", json_instant(p->to));
    json_object_set_new(j, "as_of", json_instant(p->now));
    return j;
}

int h_performance(http_req *rq, fk_err *err)
{
    acc_period p;
    perf_table t;
    size_t nm;
    const char *level = req_query(rq, "level");
    if (query_period(rq, &p, err) != 0 ||
        acc_performance(rq->st, rq->policy, &rq->who, &p, level ? level : "street", &t, err))
        return -1;
    const acc_measure_info *m = acc_measures(&nm);
    json_t *measures = json_array(), *items = json_array();
    for (size_t k = 0; k < nm; k++)
        json_array_append_new(measures, json_pack("{s:s, s:s, s:s, s:b}", "name", m[k].name, "zh",
                                                  m[k].zh, "en", m[k].en, "failure", m[k].failure));
    for (size_t i = 0; i < t.n; i++) {
        json_t *row = json_pack("{s:s, s:s}", "area_code", t.items[i].unit.code, "name",
                                t.items[i].unit.name);
        for (size_t k = 0; k < nm; k++) {
            double x = t.items[i].v[k];
            json_object_set_new(row, m[k].name,
                                isnan(x) ? json_null()
                                : x == floor(x) ? json_integer((json_int_t)x) : json_real(x));
        }
        json_array_append_new(items, row);
    }
    json_t *j = json_pack("{s:o, s:s, s:o, s:o, s:I}", "period", period_json(&p), "level",
                          level ? level : "street", "measures", measures, "items", items, "total",
                          (json_int_t)t.n);
    perf_table_free(&t);
    return req_reply(rq, 200, j);
}

/* ---- briefings and actions --------------------------------------------------------------------- */

static json_t *action_json(const action_rec *r)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)r->id,
                          "failure_ref", r->failure_ref, "area_code", r->area_code, "unit",
                          r->unit, "official", r->official, "action", r->action, "reason",
                          r->reason, "decided_by", r->decided_by);
    json_object_set_new(j, "decided_at", json_instant(r->decided_at));
    return j;
}

static json_t *failure_json(const failure *f, const briefing *b)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:f}", "ref", f->ref, "source",
                          f->source, "what", f->what, "area_code", f->area_code, "unit_code",
                          f->unit_code, "level", f->level, "day", f->day, "late_h",
                          (double)f->late_s / 3600.0);
    json_object_set_new(j, "lead_id", f->lead_id ? json_integer(f->lead_id) : json_null());
    json_object_set_new(j, "trip_id", f->trip_id ? json_integer(f->trip_id) : json_null());
    json_object_set_new(j, "due_at", json_instant(f->due_at));
    json_object_set_new(j, "done_at", json_instant(f->done_at));
    json_object_set_new(j, "responsible",
                        f->resp ? named(f->resp->unit, f->resp->official) : json_null());
    json_t *acts = json_array();
    size_t n;
    const action_rec *a = briefing_actions_of(b, f->ref, &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(acts, action_json(&a[i]));
    json_object_set_new(j, "actions", acts);
    return j;
}

/* Which failures a briefing request lists: source (lead, report, trip) and ref, one
 * failure's reference or the start of several ("lead:7" is lead 7's three steps). */
typedef struct failure_match {
    const char *source, *ref;
    size_t ref_len;
} failure_match;

static int query_match(http_req *rq, failure_match *m, fk_err *err)
{
    m->source = req_query(rq, "source");
    m->ref = req_query(rq, "ref");
    m->ref_len = m->ref ? strlen(m->ref) : 0;
    if (m->source && strcmp(m->source, "lead") && strcmp(m->source, "report") &&
        strcmp(m->source, "trip"))
        return fk_fail(err, FK_EINVAL, "source", "source: lead, report or trip");
    if (m->ref && (m->ref_len == 0 || m->ref_len > 63))
        return fk_fail(err, FK_EINVAL, "ref", "ref: 1 to 63 characters");
    return 0;
}

static bool matches(const failure_match *m, const failure *f)
{
    if (m->source && strcmp(m->source, f->source))
        return false;
    return !m->ref || (!strncmp(f->ref, m->ref, m->ref_len) &&
                       (f->ref[m->ref_len] == '\0' || f->ref[m->ref_len] == ':'));
}

/* Failures by source_what: a handful of keys, counted in place (a JSON integer per
 * increment was a million allocations). */
typedef struct what_counts {
    struct { char key[32]; json_int_t n; } e[16];
    size_t n;
} what_counts;

static void counts_add(what_counts *t, const failure *f)
{
    char key[32];
    snprintf(key, sizeof key, "%s_%s", f->source, f->what);
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->e[i].key, key)) {
            t->e[i].n++;
            return;
        }
    if (t->n < sizeof t->e / sizeof t->e[0]) {
        memcpy(t->e[t->n].key, key, sizeof key);
        t->e[t->n++].n = 1;
    }
}

static json_t *counts_json(const what_counts *t)
{
    json_t *j = json_object();
    for (size_t i = 0; i < t->n; i++)
        json_object_set_new(j, t->e[i].key, json_integer(t->e[i].n));
    return j;
}

/* A period holds up to millions of failures (every open lead of a city misses three
 * deadlines): the answer counts them all and carries one page in full. */
int h_briefing(http_req *rq, fk_err *err)
{
    acc_period p;
    briefing b;
    failure_match m;
    what_counts counts = {0};
    int64_t limit, offset, total = 0;
    if (req_query_int(rq, "limit", 200, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err) ||
        query_match(rq, &m, err) || query_period(rq, &p, err) != 0 ||
        acc_briefing(rq->st, rq->policy, &rq->who, &p, &b, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < b.failures.n; i++) {
        const failure *f = &b.failures.items[i];
        if (!matches(&m, f))
            continue;
        if (total >= offset && total < offset + limit)
            json_array_append_new(items, failure_json(f, &b));
        total++;
        counts_add(&counts, f);
    }
    json_t *j = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:I}", "period", period_json(&p),
                          "counts", counts_json(&counts), "failures", items, "total",
                          (json_int_t)total, "limit", (json_int_t)limit, "offset",
                          (json_int_t)offset, "actions", (json_int_t)b.actions.n);
    briefing_free(&b);
    return req_reply(rq, 200, j);
}

int h_actions_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset;
    action_list l;
    if (req_query_int(rq, "limit", 100, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err))
        return -1;
    action_filter f = {.failure_ref = req_query(rq, "failure_ref"),
                       .area_prefix = req_query(rq, "area"), .limit = (int)limit,
                       .offset = (int)offset};
    if (acc_action_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, action_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    action_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_action_record(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"failure_ref", REQ_STRING, true}, {"action", REQ_STRING, true},
        {"reason", REQ_STRING, true},      {"unit", REQ_STRING, false},
        {"official", REQ_STRING, false},   {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    action_rec r = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(r.failure_ref, sizeof r.failure_ref, &v[0], "failure_ref", err) ||
             req_copy_text(r.action, sizeof r.action, &v[1], "action", err) ||
             req_copy_text(r.reason, sizeof r.reason, &v[2], "reason", err) ||
             req_copy_text(r.unit, sizeof r.unit, &v[3], "unit", err) ||
             req_copy_text(r.official, sizeof r.official, &v[4], "official", err);
    rc = rc || acc_action_record(rq->st, rq->policy, &rq->who, &r, fk_now(), err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, action_json(&r));
}
