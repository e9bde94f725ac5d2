/*
 * h_codes.c - health codes, contract in services/codes.h:
 *   GET  /api/v1/persons/{id}/code            a person's code, token and QR (PERM_CODES)
 *   GET  /api/v1/persons/{id}/code/history    its colour log, newest first (PERM_CODES)
 *   GET  /api/v1/codes/{token}                a gate's scan (public): masked answer
 *   POST /api/v1/public/code                  one's own code by ID number and phone (public)
 *   POST /api/v1/persons/{id}/code/overrides  ask for an override (PERM_CODE_OVERRIDE)
 *   GET  /api/v1/code-overrides               overrides (status, limit, offset)
 *   POST /api/v1/code-overrides/{id}/approve  approve, by another user
 *   POST /api/v1/code-overrides/{id}/reject   reject, by another user
 * Times of a code are Unix seconds (the contract's last_negative_at, valid_until).
 */
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/codes.h"

static json_t *num_or_null(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

static json_t *reasons_json(const code_rec *c, bool detail)
{
    json_t *r = json_pack("{s:s, s:s}", "rule", c->rule, "zh", c->rule_zh);
    if (detail)
        json_object_set_new(r, "detail", json_string(c->detail));
    return json_pack("[o]", r);
}

static json_t *override_json(const code_rec *c)
{
    if (!c->override_id)
        return json_null();
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)c->override_id,
                     "color", c->ov_colour, "reason", c->ov_reason, "requested_by",
                     c->ov_requested_by, "approved_by", c->ov_decided_by, "until",
                     num_or_null(c->ov_until));
}

/* The body of GET /persons/{id}/code; the public login's has name_masked. */
static json_t *view_json(const code_view *v, bool public_)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:I, s:s, s:s}", "person_id",
                          (json_int_t)v->code.person_id, "color", v->code.colour, "color_zh",
                          v->colour_zh, "reasons", reasons_json(&v->code, true), "override",
                          override_json(&v->code), "last_negative_at",
                          num_or_null(v->code.last_negative_at), "token", v->token,
                          "valid_until", (json_int_t)v->valid_until, "qr_svg", v->qr_svg,
                          "policy_version", v->code.policy_version);
    if (public_)
        json_object_set_new(j, "name_masked", json_string(v->name_masked));
    return j;
}

int h_person_code(http_req *rq, fk_err *err)
{
    int64_t id;
    code_view v;
    if (req_param_id(rq, 0, &id, err) != 0)
        return -1;
    if (!rq->codes)
        return fk_fail(err, FK_EBUSY, "", "health codes are not served here");
    if (codes_person_code(rq->st, rq->policy, codes_runtime_key(rq->codes), &rq->who, id, &v,
                          err) != 0)
        return -1;
    json_t *j = view_json(&v, false);
    code_view_free(&v);
    return req_reply(rq, 200, j);
}

int h_public_code(http_req *rq, fk_err *err)
{
    static const req_field spec[] = {{"id_number", REQ_STRING, true},
                                     {"phone", REQ_STRING, true}, {NULL, 0, false}};
    req_value v[2] = {0};
    json_t *body = NULL;
    code_view cv;
    if (!rq->codes)
        return fk_fail(err, FK_EBUSY, "", "health codes are not served here");
    if (req_json_fields(rq, spec, v, &body, err) != 0) {
        json_decref(body);
        return -1;
    }
    int rc = codes_public_code(rq->st, rq->throttle, rq->policy, codes_runtime_key(rq->codes),
                               v[0].s, v[1].s, rq->remote, &cv, err);
    json_decref(body);
    if (rc != 0)
        return -1;
    json_t *j = view_json(&cv, true);
    code_view_free(&cv);
    return req_reply(rq, 200, j);
}

/* The hot path: MAC first (no store for a forged or expired token), one indexed read, and
 * the answer written straight into its bytes (the same keys and order as a json_pack of
 * it would give; no tree of JSON values built and freed for each scan). */
int h_code_scan(http_req *rq, fk_err *err)
{
    code_view v;
    if (codes_scan(rq->st, rq->codes, rq->params[0], rq->remote, &v, err) != 0)
        return -1;
    strbuf sb = STRBUF_INIT;
    sb_reserve(&sb, 384); /* one allocation: an answer is about 220 bytes */
    sb_append(&sb, "{\"color\":");
    sb_append_json_string(&sb, v.code.colour);
    sb_append(&sb, ",\"color_zh\":");
    sb_append_json_string(&sb, v.colour_zh);
    sb_append(&sb, ",\"name_masked\":");
    sb_append_json_string(&sb, v.name_masked);
    sb_append(&sb, ",\"last_negative_at\":");
    if (v.code.last_negative_at)
        sb_append_i64(&sb, v.code.last_negative_at);
    else
        sb_append(&sb, "null");
    sb_append(&sb, ",\"valid_until\":");
    sb_append_i64(&sb, v.valid_until);
    sb_append(&sb, ",\"reasons\":[{\"rule\":");
    sb_append_json_string(&sb, v.code.rule);
    sb_append(&sb, ",\"zh\":");
    sb_append_json_string(&sb, v.code.rule_zh);
    sb_append(&sb, v.code.override_id ? "}],\"override\":true}" : "}],\"override\":false}");
    rq->status = 200;
    rq->text_len = sb.len;
    rq->text = sb_take(&sb);
    return 0;
}

int h_person_code_history(http_req *rq, fk_err *err)
{
    int64_t id, limit;
    code_change_list l;
    if (req_param_id(rq, 0, &id, err) ||
        req_query_int(rq, "limit", 100, 1, 1000, &limit, err) ||
        codes_history(rq->st, &rq->who, id, (int)limit, &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const code_change_rec *c = &l.items[i];
        json_array_append_new(
            items, json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "at",
                             (json_int_t)c->at, "from", json_str_or_null(c->from_colour), "to",
                             c->to_colour, "rule", c->rule, "reason", c->reason, "operator",
                             c->operator_, "source", c->source, "policy_version",
                             c->policy_version, "override_id", num_or_null(c->override_id)));
    }
    code_change_list_free(&l);
    return req_reply(rq, 200, json_pack("{s:o}", "items", items));
}

static json_t *override_rec_json(const override_rec *o)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:s, s:I, s:o, s:o, s:s, s:s}", "id",
                     (json_int_t)o->id, "person_id", (json_int_t)o->person_id, "person_name",
                     o->person_name, "color", o->colour, "reason", o->reason, "until",
                     num_or_null(o->until), "requested_by", o->requested_by, "requested_at",
                     (json_int_t)o->requested_at, "decided_by", json_str_or_null(o->decided_by),
                     "decided_at", num_or_null(o->decided_at), "note", o->note, "status",
                     o->status);
}

int h_code_override_create(http_req *rq, fk_err *err)
{
    static const req_field spec[] = {{"color", REQ_STRING, true}, {"reason", REQ_STRING, true},
                                     {"until", REQ_INSTANT, false}, {NULL, 0, false}};
    req_value v[3] = {0};
    json_t *body = NULL;
    int64_t id;
    override_rec o;
    if (req_param_id(rq, 0, &id, err) != 0)
        return -1;
    if (req_json_fields(rq, spec, v, &body, err) != 0) {
        json_decref(body);
        return -1;
    }
    int rc = codes_override_request(rq->st, rq->policy, &rq->who, id, v[0].s, v[1].s,
                                    v[2].given ? v[2].n : 0, &o, err);
    json_decref(body);
    return rc != 0 ? -1 : req_reply(rq, 201, override_rec_json(&o));
}

int h_code_overrides_list(http_req *rq, fk_err *err)
{
    int64_t limit, offset;
    override_list l;
    if (req_page_args(rq, &limit, &offset, err) ||
        codes_override_list(rq->st, &rq->who, req_query(rq, "status"), (int)limit, (int)offset,
                            &l, err) != 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, override_rec_json(&l.items[i]));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)l.total);
    override_list_free(&l);
    return req_reply(rq, 200, j);
}

static int decide(http_req *rq, bool approve, fk_err *err)
{
    static const req_field spec[] = {{"note", REQ_STRING, false}, {NULL, 0, false}};
    req_value v[1] = {0};
    json_t *body = NULL;
    int64_t id;
    override_rec o;
    if (req_param_id(rq, 0, &id, err) != 0)
        return -1;
    if (rq->body_len && req_json_fields(rq, spec, v, &body, err) != 0) {
        json_decref(body);
        return -1;
    }
    int rc = codes_override_decide(rq->st, &rq->who, id, approve,
                                   rq->body_len && v[0].given ? v[0].s : NULL, &o, err);
    json_decref(body);
    return rc != 0 ? -1 : req_reply(rq, 200, override_rec_json(&o));
}

int h_code_override_approve(http_req *rq, fk_err *err)
{
    return decide(rq, true, err);
}

int h_code_override_reject(http_req *rq, fk_err *err)
{
    return decide(rq, false, err);
}
