/* h_tracing.c - /api/v1/cases/{id}/contacts: contact discovery for one case. */
#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/tracing.h"

static int window_bound(http_req *rq, const char *name, int64_t *out, fk_err *err)
{
    const char *v = req_query(rq, name);
    *out = 0;
    return v ? fk_instant_parse(v, out, name, err) : 0;
}

int h_case_contacts(http_req *rq, fk_err *err)
{
    int64_t id, from, to;
    trace_contact_list l;
    if (!rq->tracing)
        return fk_fail(err, FK_EBUSY, "", "contact discovery is not running");
    if (req_param_id(rq, 0, &id, err) != 0 || window_bound(rq, "from", &from, err) != 0 ||
        window_bound(rq, "to", &to, err) != 0 ||
        tracing_case_contacts(rq->tracing, rq->st, &rq->who, id, from, to, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const trace_contact *k = &l.items[i];
        json_t *row = json_pack("{s:s, s:s, s:s, s:I}", "contact", k->subject, "kind", k->kind,
                                "place", k->place, "overlap_seconds", (json_int_t)k->overlap_s);
        json_object_set_new(row, "start", json_instant(k->first_overlap));
        json_array_append_new(items, row);
    }
    trace_contact_list_free(&l);
    return req_reply(rq, 200, json_pack("{s:o, s:I}", "items", items, "total",
                                        (json_int_t)json_array_size(items)));
}
