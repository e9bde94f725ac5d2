/* h_ops.c - audit log, dashboard figures, OpenAPI, health. */
#include <stdio.h>
#include <string.h>

#include "http/handlers.h"
#include "http/json_io.h"
#include "http/router.h"
#include "model/role.h"
#include "policy/policy.h"

int h_audit_list(http_req *rq, fk_err *err)
{
    audit_filter f = {0};
    int64_t limit, offset, entity_id;
    if (!role_can(rq->who.role, PERM_AUDIT_READ))
        return fk_fail(err, FK_EFORBIDDEN, "", "only the command role reads the audit log");
    if (req_query_int(rq, "limit", 50, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, INT64_MAX, &offset, err) ||
        req_query_int(rq, "entity_id", 0, 0, INT64_MAX, &entity_id, err))
        return -1;
    f.limit = (int)limit;
    f.offset = (int)offset;
    f.entity_id = entity_id;
    f.actor = req_query(rq, "actor");
    f.entity = req_query(rq, "entity");
    audit_list l;
    if (store_audit_list(rq->st, &f, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, audit_to_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    audit_list_free(&l);
    return req_reply(rq, 200, j);
}

static int tally_json(http_req *rq, const char *column, json_t **out, fk_err *err)
{
    tally_list t;
    if (store_case_tally(rq->st, column, rq->who.area_code, &t, err) != 0)
        return -1;
    *out = json_object();
    for (size_t i = 0; i < t.n; i++)
        json_object_set_new(*out, t.items[i].key, json_integer(t.items[i].n));
    tally_list_free(&t);
    return 0;
}

/* Persons within the caller's jurisdiction (the whole city for city-wide roles). */
static int persons_in_scope(http_req *rq, const store_counts *n, int64_t *out, fk_err *err)
{
    if (!rq->who.area_code[0]) {
        *out = n->persons;
        return 0;
    }
    person_filter f = {.area_prefix = rq->who.area_code, .limit = 1};
    person_list l;
    if (store_person_list(rq->st, &f, &l, err) != 0)
        return -1;
    *out = l.total;
    person_list_free(&l);
    return 0;
}

/* Aggregate figures only (no personal data), so not audited. Cases and persons are
 * counted within the caller's jurisdiction; households and venues city-wide. */
int h_stats(http_req *rq, fk_err *err)
{
    store_counts n;
    int64_t persons;
    json_t *by_status, *by_class;
    if (store_counts_get(rq->st, &n, err) != 0 || persons_in_scope(rq, &n, &persons, err) != 0 ||
        tally_json(rq, "status", &by_status, err) != 0)
        return -1;
    if (tally_json(rq, "classification", &by_class, err) != 0) {
        json_decref(by_status);
        return -1;
    }
    int64_t cases = 0;
    const char *key;
    json_t *v;
    json_object_foreach(by_status, key, v) cases += json_integer_value(v);
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "persons", (json_int_t)persons,
                          "households", (json_int_t)n.households, "venues",
                          (json_int_t)n.venues, "cases", (json_int_t)cases,
                          "cases_by_status", by_status, "cases_by_classification", by_class);
    return req_reply(rq, 200, j);
}

int h_openapi(http_req *rq, fk_err *err)
{
    (void)err;
    return req_reply(rq, 200, router_openapi());
}

int h_healthz(http_req *rq, fk_err *err)
{
    return req_reply(rq, 200, json_pack("{s:s, s:i}", "status", "ok", "schema_version",
                                        store_schema_version(rq->st)));
    (void)err;
}

int h_policy(http_req *rq, fk_err *err)
{
    if (!rq->policy)
        return fk_fail(err, FK_ENOTFOUND, "", "no policy loaded");
    json_t *overrides = json_array();
    for (size_t i = 0; i < policy_override_count(rq->policy); i++) {
        const char *path, *source;
        if (policy_override_at(rq->policy, i, &path, &source) == 0)
            json_array_append_new(overrides,
                                  json_pack("{s:s, s:s}", "path", path, "source", source));
    }
    return req_reply(rq, 200,
                     json_pack("{s:s, s:s, s:o, s:o}", "id", policy_id(rq->policy), "title",
                               policy_title(rq->policy), "overrides", overrides, "document",
                               policy_document(rq->policy)));
}
