/* h_cases.c - /api/v1/cases, /api/v1/cases/{id} and its transitions. */
#include <stdio.h>
#include <string.h>

#include "http/handlers.h"
#include "http/json_io.h"
#include "services/registry.h"
#include "services/zones.h"

int h_cases_list(http_req *rq, fk_err *err)
{
    case_filter f = {0};
    int64_t limit, offset, person_id;
    if (req_query_int(rq, "limit", 50, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err) ||
        req_query_int(rq, "person_id", 0, 0, INT64_MAX, &person_id, err))
        return -1;
    f.limit = (int)limit;
    f.offset = (int)offset;
    f.person_id = person_id;
    f.q = req_query(rq, "q");
    f.area_prefix = req_query(rq, "area");
    f.classification = req_query(rq, "classification");
    f.status = req_query(rq, "status");
    f.source = req_query(rq, "source");
    case_list l;
    if (registry_case_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, case_to_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    case_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_cases_create(http_req *rq, fk_err *err)
{
    json_t *body;
    epicase c = {0};
    if (req_json_body(rq, &body, err) != 0)
        return -1;
    int rc = case_from_json(body, &c, false, err);
    json_decref(body);
    /* A confirmed case proposes its zones in the unit that records it (services/zones.h). */
    if (rc != 0 || store_begin(rq->st, err) != 0)
        return -1;
    rc = registry_case_create(rq->st, &rq->who, &c, err);
    if (rc == 0)
        rc = zones_case_written(rq->st, rq->policy, rq->tracing, &rq->who, NULL, c.id, err);
    if (store_end(rq->st, rc, err) != 0)
        return -1;
    return req_reply(rq, 201, case_to_json(&c));
}

int h_case_get(http_req *rq, fk_err *err)
{
    epicase c;
    int64_t id;
    if (req_param_id(rq, 0, &id, err) != 0 || registry_case_get(rq->st, &rq->who, id, &c, err))
        return -1;
    return req_reply(rq, 200, case_to_json(&c));
}

int h_case_patch(http_req *rq, fk_err *err)
{
    json_t *body;
    epicase c;
    int64_t id;
    if (req_param_id(rq, 0, &id, err) != 0 || registry_case_get(rq->st, &rq->who, id, &c, err) ||
        req_json_body(rq, &body, err) != 0)
        return -1;
    char before[24];
    snprintf(before, sizeof before, "%s", c.classification);
    int rc = case_from_json(body, &c, true, err);
    json_decref(body);
    /* Becoming confirmed proposes the case's zones in the same unit (services/zones.h). */
    if (rc != 0 || store_begin(rq->st, err) != 0)
        return -1;
    rc = registry_case_update(rq->st, &rq->who, &c, err);
    if (rc == 0)
        rc = zones_case_written(rq->st, rq->policy, rq->tracing, &rq->who, before, id, err);
    if (store_end(rq->st, rc, err) != 0 || registry_case_get(rq->st, &rq->who, id, &c, err) != 0)
        return -1;
    return req_reply(rq, 200, case_to_json(&c));
}

int h_case_transitions_list(http_req *rq, fk_err *err)
{
    transition_list l;
    int64_t id;
    if (req_param_id(rq, 0, &id, err) != 0 ||
        registry_case_transitions(rq->st, &rq->who, id, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, transition_to_json(&l.items[i]));
    transition_list_free(&l);
    return req_reply(rq, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.n));
}

int h_case_transitions_create(http_req *rq, fk_err *err)
{
    static const char *const keys[] = {"to", "note", NULL};
    json_t *body, *v;
    const char *key;
    int64_t id;
    if (req_param_id(rq, 0, &id, err) != 0 || req_json_body(rq, &body, err) != 0)
        return -1;
    json_object_foreach(body, key, v) {
        const char *const *k = keys;
        while (*k && strcmp(*k, key))
            k++;
        if (!*k) {
            fk_fail(err, FK_EINVAL, key, "%s: unknown field", key);
            json_decref(body);
            return -1;
        }
    }
    json_t *to = json_object_get(body, "to"), *note = json_object_get(body, "note");
    if (!json_is_string(to) || (note && !json_is_string(note) && !json_is_null(note))) {
        json_decref(body);
        return fk_fail(err, FK_EINVAL, json_is_string(to) ? "note" : "to",
                       "%s: must be a string", json_is_string(to) ? "note" : "to");
    }
    if (json_is_string(note) && json_string_length(note) > 255) {
        json_decref(body);
        return fk_fail(err, FK_EINVAL, "note", "note: at most 255 bytes");
    }
    case_transition t;
    int rc = registry_case_transition(rq->st, &rq->who, id, json_string_value(to),
                                      json_is_string(note) ? json_string_value(note) : "", &t, err);
    json_decref(body);
    if (rc != 0)
        return -1;
    return req_reply(rq, 201, transition_to_json(&t));
}
