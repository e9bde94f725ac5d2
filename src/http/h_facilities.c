/*
 * h_facilities.c - isolation facilities (集中隔离点), contract in services/isolation.h:
 *   GET   /api/v1/facilities                   list (area, limit, offset) with room counts
 *   POST  /api/v1/facilities                   {name, area_code, address, lon, lat}
 *   GET   /api/v1/facilities/{id}              one, with staff and the checklist
 *   PATCH /api/v1/facilities/{id}              {name, address, lon, lat, state}
 *   GET   /api/v1/facilities/{id}/rooms        its rooms (state)
 *   POST  /api/v1/facilities/{id}/rooms        {numbers: [...]} or {count, prefix}, own_bathroom
 *   PATCH /api/v1/facilities/{id}/rooms/{room} {state}: a hand move
 *   POST  /api/v1/facilities/{id}/staff        {name, duty, phone}
 *   POST  /api/v1/facilities/{id}/checklist    {item, ok, note}
 *   POST  /api/v1/facilities/allocate          {persons: [{person_id, lead_id}], household_sharing}
 *   GET   /api/v1/facilities/outlook           capacity at the policy's horizons (area)
 * Bodies are read with one field table per request; unknown fields are refused. The
 * allocation, the loop's hot request, reads its usual body in one pass from the bytes and
 * writes its answer straight as text (scan_batch, allocation_answer: measured shares of
 * the server's CPU); any other body goes the general way, which refuses as the others.
 * In the server the batch is handed to the allocator's writer and answered later
 * (alloc_defer: the worker serves its other connections meanwhile; request.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/allocator.h"
#include "services/isolation.h"

typedef req_field field;
typedef req_value value;

static json_t *facility_to_json(const facility_rec *f)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:f, s:f, s:s}", "id", (json_int_t)f->id,
                          "name", f->name, "area_code", f->area_code, "address", f->address,
                          "lon", f->lon, "lat", f->lat, "state", f->state);
    json_object_set_new(j, "rooms", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
        "total", (json_int_t)(f->n_vacant + f->n_reserved + f->n_occupied + f->n_cleaning +
                              f->n_out_of_order),
        "vacant", (json_int_t)f->n_vacant, "reserved", (json_int_t)f->n_reserved,
        "occupied", (json_int_t)f->n_occupied, "cleaning", (json_int_t)f->n_cleaning,
        "out_of_order", (json_int_t)f->n_out_of_order));
    json_object_set_new(j, "updated_at", json_instant(f->updated_at));
    return j;
}

static json_t *room_to_json(const room_rec *r)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:b, s:s, s:I}", "id", (json_int_t)r->id,
                          "facility_id", (json_int_t)r->facility_id, "number", r->number,
                          "own_bathroom", r->own_bathroom, "state", r->state, "occupants",
                          (json_int_t)r->occupants);
    json_object_set_new(j, "state_since", json_instant(r->state_since));
    return j;
}

int h_facilities_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset;
    facility_list l;
    if (req_query_int(rq, "limit", 100, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err) ||
        isolation_facility_list(rq->st, &rq->who, req_query(rq, "area"), (int)limit,
                                (int)offset, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, facility_to_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    facility_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_facilities_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"name", REQ_STRING, true}, {"area_code", REQ_STRING, true},
        {"address", REQ_STRING, false}, {"lon", REQ_NUMBER, true}, {"lat", REQ_NUMBER, true},
        {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    facility_rec f = {0};
    int rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(f.name, sizeof f.name, &v[0], "name", err) ||
             req_copy_text(f.area_code, sizeof f.area_code, &v[1], "area_code", err) ||
             req_copy_text(f.address, sizeof f.address, &v[2], "address", err);
    f.lon = v[3].d;
    f.lat = v[4].d;
    rc = rc || isolation_facility_create(rq->st, &rq->who, &f, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, facility_to_json(&f));
}

/* The policy's checklist items, each with what was recorded for the facility. */
static json_t *checklist_json(const policy *pol, const check_list *checks)
{
    json_t *items = json_array();
    size_t n = 0;
    char path[96];
    const char *item;
    policy_get_count(pol, "isolation.facility_checklist.items", &n, NULL);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "isolation.facility_checklist.items.%zu", i);
        if (policy_get_string(pol, path, &item, NULL) != 0)
            continue;
        json_t *e = json_pack("{s:s, s:n, s:s}", "item", item, "ok", "note", "");
        for (size_t k = 0; k < checks->n; k++) {
            const check_rec *c = &checks->items[k];
            if (strcmp(c->item, item) != 0)
                continue;
            json_object_set_new(e, "ok", json_boolean(c->ok));
            json_object_set_new(e, "note", json_string(c->note));
            json_object_set_new(e, "checked_by", json_string(c->checked_by));
            json_object_set_new(e, "checked_at", json_instant(c->checked_at));
        }
        json_array_append_new(items, e);
    }
    return items;
}

int h_facility_get(http_req *rq, fk_err *err)
{
    int64_t id;
    facility_rec f;
    staff_list staff;
    check_list checks;
    if (req_param_id(rq, 0, &id, err) != 0 ||
        isolation_facility_get(rq->st, &rq->who, id, &f, &staff, &checks, err) != 0)
        return -1;
    json_t *j = facility_to_json(&f), *s = json_array();
    for (size_t i = 0; i < staff.n; i++)
        json_array_append_new(s, json_pack("{s:I, s:s, s:s, s:s}", "id",
                                           (json_int_t)staff.items[i].id, "name",
                                           staff.items[i].name, "duty", staff.items[i].duty,
                                           "phone", staff.items[i].phone));
    json_object_set_new(j, "staff", s);
    json_object_set_new(j, "checklist", checklist_json(rq->policy, &checks));
    staff_list_free(&staff);
    check_list_free(&checks);
    return req_reply(rq, 200, j);
}

int h_facility_patch(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"name", REQ_STRING, false}, {"address", REQ_STRING, false}, {"lon", REQ_NUMBER, false},
        {"lat", REQ_NUMBER, false}, {"state", REQ_STRING, false}, {NULL, 0, false}};
    value v[5] = {{0}};
    json_t *body = NULL;
    int64_t id;
    facility_rec f;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0;
    facility_patch p = {v[0].s, v[1].s, v[4].s, v[2].given, v[3].given, v[2].d, v[3].d};
    rc = rc || isolation_facility_update(rq->st, &rq->who, id, &p, &f, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, facility_to_json(&f));
}

int h_facility_rooms_list(http_req *rq, fk_err *err)
{
    int64_t id;
    room_list l;
    if (req_param_id(rq, 0, &id, err) != 0 ||
        isolation_rooms_list(rq->st, &rq->who, id, req_query(rq, "state"), &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, room_to_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.n);
    room_list_free(&l);
    return req_reply(rq, 200, j);
}

/* Room numbers from {numbers: [...]} or {count, prefix} ("prefix1".."prefixN"), into
 * names (each 32 bytes) and ptrs; returns how many, -1 with err. */
static long room_numbers(const value *numbers, const value *count, const value *prefix,
                         char (**names)[32], const char ***ptrs, fk_err *err)
{
    size_t n = numbers->given ? json_array_size(numbers->arr) : (size_t)count->n;
    if (numbers->given == count->given)
        return fk_fail(err, FK_EINVAL, "numbers", "numbers: give either numbers or count");
    if (n == 0 || n > ISOLATION_MAX_ROOMS)
        return fk_fail(err, FK_EINVAL, numbers->given ? "numbers" : "count",
                       "%s: 1 to %d rooms", numbers->given ? "numbers" : "count",
                       ISOLATION_MAX_ROOMS);
    *names = fk_calloc(n, sizeof **names);
    *ptrs = fk_calloc(n, sizeof **ptrs);
    for (size_t i = 0; i < n; i++) {
        json_t *e = numbers->given ? json_array_get(numbers->arr, i) : NULL;
        if (e && (!json_is_string(e) || json_string_length(e) >= 32))
            return fk_fail(err, FK_EINVAL, "numbers", "numbers.%zu: a string of 1 to 31 bytes",
                           i);
        if (e)
            snprintf((*names)[i], 32, "%s", json_string_value(e));
        else
            snprintf((*names)[i], 32, "%.20s%zu", prefix->given ? prefix->s : "", i + 1);
        (*ptrs)[i] = (*names)[i];
    }
    return (long)n;
}

int h_facility_rooms_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {
        {"numbers", REQ_ARRAY, false}, {"count", REQ_ID, false}, {"prefix", REQ_STRING, false},
        {"own_bathroom", REQ_BOOL, false}, {NULL, 0, false}};
    value v[4] = {{0}};
    json_t *body = NULL;
    int64_t id;
    char(*names)[32] = NULL;
    const char **ptrs = NULL;
    long n = -1;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0;
    if (!rc)
        n = room_numbers(&v[0], &v[1], &v[2], &names, &ptrs, err);
    rc = rc || n < 0 ||
         isolation_rooms_add(rq->st, rq->policy, &rq->who, id, ptrs, (size_t)n,
                             v[3].given ? v[3].b : true, err) != 0;
    free(names);
    free(ptrs);
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, json_pack("{s:I}", "created", (json_int_t)n));
}

int h_facility_room_patch(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"state", REQ_STRING, true}, {NULL, 0, false}};
    value v[1] = {{0}};
    json_t *body = NULL;
    int64_t id, room;
    room_rec r;
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_param_id(rq, 1, &room, err) != 0 ||
             req_json_fields(rq, spec, v, &body, err) != 0 ||
             isolation_room_set_state(rq->st, &rq->who, id, room, v[0].s, &r, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, room_to_json(&r));
}

int h_facility_staff_create(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"name", REQ_STRING, true}, {"duty", REQ_STRING, true},
                                 {"phone", REQ_STRING, false}, {NULL, 0, false}};
    value v[3] = {{0}};
    json_t *body = NULL;
    staff_rec s = {0};
    int rc = req_param_id(rq, 0, &s.facility_id, err) != 0 ||
             req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(s.name, sizeof s.name, &v[0], "name", err) ||
             req_copy_text(s.duty, sizeof s.duty, &v[1], "duty", err) ||
             req_copy_text(s.phone, sizeof s.phone, &v[2], "phone", err) ||
             isolation_staff_add(rq->st, &rq->who, &s, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)s.id,
                                                  "name", s.name, "duty", s.duty));
}

int h_facility_checklist_set(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"item", REQ_STRING, true}, {"ok", REQ_BOOL, true},
                                 {"note", REQ_STRING, false}, {NULL, 0, false}};
    value v[3] = {{0}};
    json_t *body = NULL;
    int64_t id;
    check_rec c = {0};
    int rc = req_param_id(rq, 0, &id, err) != 0 || req_json_fields(rq, spec, v, &body, err) != 0 ||
             req_copy_text(c.item, sizeof c.item, &v[0], "item", err) ||
             req_copy_text(c.note, sizeof c.note, &v[2], "note", err);
    c.ok = v[1].b;
    rc = rc || isolation_check_set(rq->st, rq->policy, &rq->who, id, &c, err) != 0;
    json_decref(body);
    return rc ? -1 : req_reply(rq, 200, json_pack("{s:s, s:b, s:s}", "item", c.item, "ok", c.ok,
                                                  "note", c.note));
}

/* ---- a batch's body read in one pass -------------------------------------------------
 * The usual body, {"persons": [{"person_id": n, "lead_id": n}, ...], "household_sharing":
 * b}, read straight from its bytes: parsing it into a tree of JSON values was about a
 * twentieth of the server's CPU in bench/loop's allocation. Only a body that is plainly
 * valid is read so (known keys, each once, unescaped; positive integers written as JSON
 * writes them; lead_id or household_sharing null as absent; 1 to ISOLATION_MAX_BATCH
 * persons); anything else goes the general way, which accepts and refuses exactly as
 * before and names what is wrong. */
typedef struct scan {
    const char *p, *end;
} scan;

static void skip_ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool scan_lit(scan *s, const char *lit)
{
    size_t n = strlen(lit);
    skip_ws(s);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n))
        return false;
    s->p += n;
    return true;
}

/* A key without escapes and its colon, into out (cap bytes). */
static bool scan_key(scan *s, char *out, size_t cap)
{
    skip_ws(s);
    if (s->p >= s->end || *s->p != '"')
        return false;
    const char *k = ++s->p;
    while (s->p < s->end && *s->p != '"' && *s->p != '\\')
        s->p++;
    size_t n = (size_t)(s->p - k);
    if (s->p >= s->end || *s->p != '"' || n >= cap)
        return false;
    memcpy(out, k, n);
    out[n] = 0;
    s->p++;
    return scan_lit(s, ":");
}

static bool is_digit(const scan *s) { return s->p < s->end && *s->p >= '0' && *s->p <= '9'; }

/* A positive integer of at most 18 digits, without sign, leading zero, fraction or
 * exponent. */
static bool scan_id(scan *s, int64_t *v)
{
    int64_t x = 0;
    int digits = 0;
    skip_ws(s);
    if (!is_digit(s) || *s->p == '0')
        return false;
    for (; is_digit(s) && digits < 18; digits++)
        x = x * 10 + (*s->p++ - '0');
    if (is_digit(s) || (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E')))
        return false;
    *v = x;
    return true;
}

/* One {"person_id": n, "lead_id": n or null} (either order, person_id required). */
static bool scan_person(scan *s, alloc_request *r)
{
    char key[16];
    bool person = false, lead = false;
    *r = (alloc_request){0, 0};
    if (!scan_lit(s, "{"))
        return false;
    do {
        bool got = false;
        if (!scan_key(s, key, sizeof key))
            return false;
        if (!strcmp(key, "person_id") && !person)
            got = person = scan_id(s, &r->person_id);
        else if (!strcmp(key, "lead_id") && !lead)
            got = lead = scan_lit(s, "null") || scan_id(s, &r->lead_id);
        if (!got)
            return false;
    } while (scan_lit(s, ","));
    return person && scan_lit(s, "}");
}

/* The persons' array into *out (malloc'd), *n of them. */
static bool scan_persons(scan *s, alloc_request **out, size_t *n)
{
    size_t cap = 0;
    if (!scan_lit(s, "["))
        return false;
    do {
        if (*n == ISOLATION_MAX_BATCH)
            return false;
        if (*n == cap) {
            cap = cap ? 2 * cap : 512;
            alloc_request *grown = realloc(*out, cap * sizeof *grown);
            if (!grown)
                return false;
            *out = grown;
        }
        if (!scan_person(s, &(*out)[(*n)++]))
            return false;
    } while (scan_lit(s, ","));
    return scan_lit(s, "]");
}

/* The whole body; true with *req (n persons) and *household, or false (nothing kept). */
static bool scan_batch(const http_req *rq, alloc_request **req, size_t *n, bool *household)
{
    scan s = {rq->body, rq->body ? rq->body + rq->body_len : NULL};
    char key[24];
    bool persons = false, sharing = false, ok = s.p && scan_lit(&s, "{");
    *req = NULL;
    *n = 0;
    *household = false;
    while (ok) {
        if (!scan_key(&s, key, sizeof key))
            ok = false;
        else if (!strcmp(key, "persons") && !persons)
            ok = persons = scan_persons(&s, req, n);
        else if (!strcmp(key, "household_sharing") && !sharing)
            ok = sharing = (*household = scan_lit(&s, "true")) || scan_lit(&s, "false") ||
                           scan_lit(&s, "null");
        else
            ok = false;
        if (ok && !scan_lit(&s, ","))
            break;
    }
    ok = ok && persons && scan_lit(&s, "}");
    skip_ws(&s);
    if (ok && s.p == s.end)
        return true;
    free(*req);
    *req = NULL;
    return false;
}

/* persons: [{person_id, lead_id}], each checked with the row it came from (the general
 * way: any body scan_batch does not read). */
static long read_persons(const json_t *arr, alloc_request **out, fk_err *err)
{
    size_t n = json_array_size(arr);
    if (n == 0 || n > ISOLATION_MAX_BATCH)
        return fk_fail(err, FK_EINVAL, "persons", "persons: 1 to %d persons",
                       ISOLATION_MAX_BATCH);
    *out = fk_try_malloc(n * sizeof **out);
    if (!*out)
        return fk_fail(err, FK_EBUSY, "persons", "persons: out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i), *p = json_object_get(e, "person_id");
        const json_t *l = json_object_get(e, "lead_id");
        const char *key;
        json_t *val;
        if (!json_is_object(e) || !json_is_integer(p) || json_integer_value(p) <= 0)
            return fk_fail(err, FK_EINVAL, "persons", "persons.%zu.person_id: a positive "
                           "integer is required", i);
        if (l && !json_is_null(l) && (!json_is_integer(l) || json_integer_value(l) <= 0))
            return fk_fail(err, FK_EINVAL, "persons", "persons.%zu.lead_id: a positive integer",
                           i);
        json_object_foreach((json_t *)e, key, val)
            if (strcmp(key, "person_id") && strcmp(key, "lead_id"))
                return fk_fail(err, FK_EINVAL, "persons", "persons.%zu.%s: unknown field", i,
                               key);
        (*out)[i] = (alloc_request){json_integer_value(p), json_is_integer(l)
                                                               ? json_integer_value(l) : 0};
    }
    return (long)n;
}

/* One allocation as the answer's item (keys in the order of the API's documentation). */
static void allocation_text(strbuf *sb, const alloc_result *r)
{
    sb_append(sb, "{\"person_id\":");
    sb_append_i64(sb, r->person_id);
    sb_append(sb, ",\"allocation_id\":");
    sb_append_i64(sb, r->allocation_id);
    sb_append(sb, ",\"facility_id\":");
    sb_append_i64(sb, r->facility_id);
    sb_append(sb, ",\"facility_name\":");
    sb_append_json_string(sb, r->facility_name);
    sb_append(sb, ",\"room_id\":");
    sb_append_i64(sb, r->room_id);
    sb_append(sb, ",\"room_number\":");
    sb_append_json_string(sb, r->room_number);
    sb_append(sb, ",\"distance_m\":");
    sb_append_i64(sb, r->distance_m);
    sb_append(sb, ",\"shares_with\":");
    if (r->primary_id)
        sb_append_i64(sb, r->primary_id);
    else
        sb_append(sb, "null");
    sb_append_char(sb, '}');
}

/* The answer written straight into its bytes: a batch is up to ISOLATION_MAX_BATCH items,
 * and a tree of JSON values built, dumped and freed for them was a sixth of the server's
 * CPU in bench/loop's allocation (the same keys, order and values as that tree gave). */
static void allocation_answer(http_req *rq, const alloc_result *res, long n)
{
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "{\"allocated\":");
    sb_append_i64(&sb, n);
    sb_append(&sb, ",\"items\":[");
    for (long i = 0; i < n; i++) {
        if (i)
            sb_append_char(&sb, ',');
        allocation_text(&sb, &res[i]);
    }
    sb_append(&sb, "]}");
    rq->status = 201;
    rq->text_len = sb.len;
    rq->text = sb_take(&sb);
}

/* A batch queued for the allocator's writer while the worker serves its other
 * connections (request.h: http_deferred); everything the answer needs, on the heap. */
typedef struct alloc_deferred {
    allocator *al;
    const policy *pol;
    actor who;
    alloc_request *req;
    alloc_result *res;
    long n;
    bool household;
    allocator_job *job;
} alloc_deferred;

static void alloc_start(void *state, void (*wake)(void *ctx), void *ctx)
{
    alloc_deferred *d = state;
    d->job = allocator_submit(d->al, d->pol, &d->who, d->req, (size_t)d->n, d->household,
                              d->res, wake, ctx);
}

static int alloc_finish(void *state, http_req *rq, fk_err *err)
{
    alloc_deferred *d = state;
    int rc = allocator_job_end(d->job, err);
    if (rc == 0)
        allocation_answer(rq, d->res, d->n);
    free(d->req);
    free(d->res);
    free(d);
    return rc;
}

/* The batch handed to the allocator to be answered later; req and res go with it. */
static void alloc_defer(http_req *rq, alloc_request *req, alloc_result *res, long n,
                        bool household)
{
    alloc_deferred *d = fk_calloc(1, sizeof *d);
    *d = (alloc_deferred){.al = rq->allocator, .pol = rq->policy, .who = rq->who, .req = req,
                          .res = res, .n = n, .household = household};
    rq->deferred = (http_deferred){.state = d, .start = alloc_start, .finish = alloc_finish};
}

int h_facilities_allocate(http_req *rq, fk_err *err)
{
    static const field spec[] = {{"persons", REQ_ARRAY, true},
                                 {"household_sharing", REQ_BOOL, false}, {NULL, 0, false}};
    value v[2] = {{0}};
    json_t *body = NULL;
    alloc_request *req = NULL;
    alloc_result *res = NULL;
    long n = -1;
    size_t scanned;
    bool household;
    int rc = 0;
    if (scan_batch(rq, &req, &scanned, &household)) {
        n = (long)scanned;
    } else {
        rc = req_json_fields(rq, spec, v, &body, err) != 0 ||
             (n = read_persons(v[0].arr, &req, err)) < 0;
        household = v[1].given && v[1].b;
        json_decref(body);
    }
    if (!rc && !(res = fk_try_malloc((size_t)n * sizeof *res)))
        rc = fk_fail(err, FK_EBUSY, "persons", "persons: out of memory");
    if (!rc && rq->allocator && rq->can_defer) {
        alloc_defer(rq, req, res, n, household);
        return 0;
    }
    if (!rc && rq->allocator)
        rc = allocator_run(rq->allocator, rq->policy, &rq->who, req, (size_t)n, household, res,
                           err) != 0;
    else
        rc = rc || isolation_allocate(rq->st, rq->policy, &rq->who, req, (size_t)n, household,
                                      res, err) != 0;
    if (!rc)
        allocation_answer(rq, res, n);
    free(req);
    free(res);
    return rc ? -1 : 0;
}

int h_facilities_outlook(http_req *rq, fk_err *err)
{
    isolation_outlook o;
    if (isolation_outlook_get(rq->st, rq->policy, &rq->who, req_query(rq, "area"), fk_now(), &o,
                              err) != 0)
        return -1;
    json_t *hs = json_array();
    for (int i = 0; i < o.n; i++)
        json_array_append_new(hs, json_pack("{s:i, s:f, s:I, s:I, s:I, s:b}", "hours",
                                            o.h[i].hours, "demand", o.h[i].demand, "freed",
                                            (json_int_t)o.h[i].freed, "available",
                                            (json_int_t)o.h[i].available, "shortfall",
                                            (json_int_t)o.h[i].shortfall, "runs_out",
                                            o.h[i].shortfall > 0));
    json_t *j = json_pack("{s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:i, s:f, s:o, s:b}", "rooms",
                          "vacant", (json_int_t)o.now.vacant, "reserved",
                          (json_int_t)o.now.reserved, "occupied", (json_int_t)o.now.occupied,
                          "cleaning", (json_int_t)o.now.cleaning, "out_of_order",
                          (json_int_t)o.now.out_of_order, "leads_in_flight",
                          (json_int_t)o.now.leads_in_flight, "started_in_window",
                          (json_int_t)o.now.started_in_window, "trend_window_h", o.window_h,
                          "per_hour", o.per_hour, "horizons", hs, "warning", o.warning);
    if (o.warning)
        json_object_set_new(j, "message", json_string("宁让房间等人,决不让人等房间: rooms run out "
                                                      "within the horizon"));
    return req_reply(rq, 200, j);
}
