/* h_persons.c - /api/v1/persons and /api/v1/persons/{id}. */
#include <stdio.h>
#include <string.h>

#include "http/handlers.h"
#include "http/json_io.h"
#include "model/person.h"
#include "services/registry.h"

/* limit/offset shared by every list endpoint. */
static int paging(const http_req *rq, int *limit, int *offset, fk_err *err)
{
    int64_t l, o;
    if (req_query_int(rq, "limit", 50, 1, 1000, &l, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &o, err))
        return -1;
    *limit = (int)l;
    *offset = (int)o;
    return 0;
}

int h_persons_list(http_req *rq, fk_err *err)
{
    person_filter f = {0};
    const char *flag = req_query(rq, "flag");
    if (paging(rq, &f.limit, &f.offset, err) != 0)
        return -1;
    f.q = req_query(rq, "q");
    f.community_code = req_query(rq, "community_code");
    f.area_prefix = req_query(rq, "area");
    f.resident_type = req_query(rq, "resident_type");
    f.sex = req_query(rq, "sex");
    int64_t hh;
    if (req_query_int(rq, "household_id", 0, 0, INT64_MAX, &hh, err) != 0)
        return -1;
    f.household_id = hh;
    if (flag && !(f.flags_any = person_flag_from_name(flag)))
        return fk_fail(err, FK_EINVAL, "flag", "flag: unknown flag %s", flag);
    person_list l;
    if (registry_person_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, person_to_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    person_list_free(&l);
    return req_reply(rq, 200, j);
}

/* Decode the body onto *p (fresh or existing) and run `write`. */
static int write_person(http_req *rq, person *p, bool partial, int status,
                        int (*write)(store *, const actor *, person *, fk_err *), fk_err *err)
{
    json_t *body;
    if (req_json_body(rq, &body, err) != 0)
        return -1;
    int rc = person_from_json(body, p, partial, err);
    json_decref(body);
    if (rc != 0 || write(rq->st, &rq->who, p, err) != 0)
        return -1;
    registry_mask_person(&rq->who, p);
    return req_reply(rq, status, person_to_json(p));
}

int h_persons_create(http_req *rq, fk_err *err)
{
    person p = {0};
    return write_person(rq, &p, false, 201, registry_person_create, err);
}

int h_person_get(http_req *rq, fk_err *err)
{
    person p;
    int64_t id;
    if (req_param_id(rq, 0, &id, err) != 0 || registry_person_get(rq->st, &rq->who, id, &p, err))
        return -1;
    return req_reply(rq, 200, person_to_json(&p));
}

static int change_person(http_req *rq, bool partial, fk_err *err)
{
    person p = {0};
    int64_t id;
    if (req_param_id(rq, 0, &id, err) != 0)
        return -1;
    if (partial && registry_person_get(rq->st, &rq->who, id, &p, err) != 0)
        return -1;
    p.id = id;
    return write_person(rq, &p, partial, 200, registry_person_update, err);
}

int h_person_put(http_req *rq, fk_err *err)
{
    return change_person(rq, false, err);
}

int h_person_patch(http_req *rq, fk_err *err)
{
    return change_person(rq, true, err);
}
