#include "http/request.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

const char *req_query(const http_req *rq, const char *name)
{
    if (!rq->conn)
        return NULL;
    const char *v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

static int parse_int64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

int req_query_int(const http_req *rq, const char *name, int64_t def, int64_t min, int64_t max,
                  int64_t *out, fk_err *err)
{
    const char *v = req_query(rq, name);
    if (!v) {
        *out = def;
        return 0;
    }
    if (parse_int64(v, out) != 0 || *out < min || *out > max)
        return fk_fail(err, FK_EINVAL, name, "%s: expected an integer from %lld to %lld", name,
                       (long long)min, (long long)max);
    return 0;
}

int req_param_id(const http_req *rq, int i, int64_t *out, fk_err *err)
{
    if (!rq->params[i] || parse_int64(rq->params[i], out) != 0 || *out <= 0)
        return fk_fail(err, FK_ENOTFOUND, "", "no such record: %s",
                       rq->params[i] ? rq->params[i] : "");
    return 0;
}

int req_json_body(const http_req *rq, json_t **out, fk_err *err)
{
    json_error_t je;
    if (!rq->body || rq->body_len == 0)
        return fk_fail(err, FK_EINVAL, "", "a JSON object body is required");
    json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return fk_fail(err, FK_EINVAL, "", "malformed JSON at line %d, column %d: %s", je.line,
                       je.column, je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return fk_fail(err, FK_EINVAL, "", "the body must be a JSON object");
    }
    *out = j;
    return 0;
}

int req_reply(http_req *rq, int status, json_t *json)
{
    rq->status = status;
    if (rq->json)
        json_decref(rq->json);
    rq->json = json;
    return 0;
}
