/* h_areas.c - the administrative hierarchy, households and venues (no personal data). */
#include <stdio.h>
#include <string.h>

#include "http/handlers.h"
#include "http/json_io.h"
#include "model/role.h"

int h_areas_list(http_req *rq, fk_err *err)
{
    const char *parent = req_query(rq, "parent");
    area_list l;
    if (store_area_children(rq->st, parent ? parent : "", &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, area_to_json(&l.items[i]));
    area_list_free(&l);
    return req_reply(rq, 200, json_pack("{s:o, s:I}", "items", items, "total",
                                        (json_int_t)json_array_size(items)));
}

int h_area_get(http_req *rq, fk_err *err)
{
    area a;
    if (store_area_get(rq->st, rq->params[0], &a, err) != 0)
        return -1;
    return req_reply(rq, 200, area_to_json(&a));
}

int h_households_list(http_req *rq, fk_err *err)
{
    const char *community = req_query(rq, "community_code");
    int64_t limit, offset;
    if (!community)
        return fk_fail(err, FK_EINVAL, "community_code", "community_code: required");
    if (!role_in_jurisdiction(rq->who.area_code, community))
        return fk_fail(err, FK_EFORBIDDEN, "community_code",
                       "community_code: outside your jurisdiction");
    if (req_query_int(rq, "limit", 100, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err))
        return -1;
    household_list l;
    if (store_household_list(rq->st, community, (int)limit, (int)offset, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const household *h = &l.items[i];
        json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id",
                                               (json_int_t)h->id, "building_id",
                                               (json_int_t)h->building_id, "room", h->room,
                                               "community_code", h->community_code,
                                               "building_name", h->building_name));
    }
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    household_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_venues_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset;
    if (req_query_int(rq, "limit", 100, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err))
        return -1;
    venue_list l;
    if (store_venue_list(rq->st, req_query(rq, "area"), req_query(rq, "kind"), (int)limit,
                         (int)offset, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, venue_to_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    venue_list_free(&l);
    return req_reply(rq, 200, j);
}
