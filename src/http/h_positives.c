/*
 * h_positives.c - what follows a lab result, contract in services/positives.h:
 *   GET  /api/v1/testing/holds              holds (round, state, person, tube, area, limit,
 *                                           offset), newest first, masked per role
 *   GET  /api/v1/notifications              the caller's inbox (unacked=1, limit, offset),
 *                                           newest first
 *   POST /api/v1/notifications/{id}/ack     acknowledge one notice for the unit
 */
#include <stdio.h>
#include <string.h>

#include "http/handlers.h"
#include "http/json_io.h"
#include "services/positives.h"

int h_testing_holds(http_req *rq, fk_err *err)
{
    int64_t limit, offset, round, person, tube;
    hold_list l;
    if (req_page_args(rq, &limit, &offset, err) ||
        req_query_int(rq, "round", 0, 0, INT64_MAX, &round, err) ||
        req_query_int(rq, "person", 0, 0, INT64_MAX, &person, err) ||
        req_query_int(rq, "tube", 0, 0, INT64_MAX, &tube, err))
        return -1;
    hold_filter f = {.round_id = round, .person_id = person, .tube_id = tube,
                     .state = req_query(rq, "state"), .area_prefix = req_query(rq, "area"),
                     .limit = (int)limit, .offset = (int)offset};
    if (positives_holds_list(rq->st, &rq->who, &f, &l, err) != 0)
        return -1;
    json_t *j = json_pack("{s:o, s:I}", "items", holds_to_json(&l), "total",
                          (json_int_t)l.total);
    hold_list_free(&l);
    return req_reply(rq, 200, j);
}

static json_t *notice_json(const notice_rec *n)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)n->id,
                          "audience", n->audience, "area_code", n->area_code, "kind", n->kind,
                          "entity", n->entity, "entity_id", (json_int_t)n->entity_id,
                          "message", n->message);
    json_object_set_new(j, "created_at", json_instant(n->created_at));
    json_object_set_new(j, "ack_at", json_instant(n->ack_at));
    json_object_set_new(j, "ack_by", json_str_or_null(n->ack_by));
    return j;
}

int h_notifications_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset, unacked;
    notice_list l;
    if (req_page_args(rq, &limit, &offset, err) ||
        req_query_int(rq, "unacked", 0, 0, 1, &unacked, err) ||
        notices_list(rq->st, &rq->who, (int)unacked, (int)limit, (int)offset, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, notice_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    notice_list_free(&l);
    return req_reply(rq, 200, j);
}

int h_notification_ack(http_req *rq, fk_err *err)
{
    int64_t id;
    notice_rec n;
    if (req_param_id(rq, 0, &id, err) || notices_ack(rq->st, &rq->who, id, &n, err) != 0)
        return -1;
    return req_reply(rq, 200, notice_json(&n));
}
