#include "http/request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/mhd.h"

const char *req_query(const http_req *rq, const char *name)
{
    if (!rq->conn)
        return NULL;
    const char *v = fk_mhd.lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
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

int req_reply_file(http_req *rq, char *bytes, size_t len, const char *type, const char *name)
{
    free(rq->file);
    rq->status = 200;
    rq->file = bytes;
    rq->file_len = len;
    rq->file_type = type;
    snprintf(rq->file_name, sizeof rq->file_name, "%s", name);
    return 0;
}

/* One field's value by its type. */
static int read_value(const req_field *spec, json_t *v, req_value *out, fk_err *err)
{
    const char *key = spec->name;
    out->given = true;
    if (spec->type == REQ_BOOL) {
        if (!json_is_boolean(v))
            return fk_fail(err, FK_EINVAL, key, "%s: must be true or false", key);
        out->b = json_is_true(v);
        return 0;
    }
    if (spec->type == REQ_OBJECT) {
        if (!json_is_object(v))
            return fk_fail(err, FK_EINVAL, key, "%s: must be an object", key);
        out->j = v;
        return 0;
    }
    if (spec->type == REQ_NUMBER) {
        if (!json_is_number(v))
            return fk_fail(err, FK_EINVAL, key, "%s: must be a number", key);
        out->d = json_number_value(v);
        return 0;
    }
    if (spec->type == REQ_ARRAY) {
        if (!json_is_array(v))
            return fk_fail(err, FK_EINVAL, key, "%s: must be an array", key);
        out->arr = v;
        return 0;
    }
    if (spec->type == REQ_ID) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return fk_fail(err, FK_EINVAL, key, "%s: must be a positive integer", key);
        out->n = json_integer_value(v);
        return 0;
    }
    if (spec->type == REQ_INSTANT && json_is_integer(v)) { /* Unix seconds as a number */
        out->n = json_integer_value(v);
        return out->n > 0 ? 0 : fk_fail(err, FK_EINVAL, key, "%s: Unix seconds after 1970", key);
    }
    if (!json_is_string(v))
        return fk_fail(err, FK_EINVAL, key, "%s: must be a string", key);
    if (spec->type == REQ_INSTANT)
        return fk_instant_parse(json_string_value(v), &out->n, key, err);
    out->s = json_string_value(v);
    return 0;
}

int req_json_fields(const http_req *rq, const req_field *spec, req_value *vals, json_t **body,
                    fk_err *err)
{
    const char *key;
    json_t *v;
    if (req_json_body(rq, body, err) != 0)
        return -1;
    json_object_foreach(*body, key, v) {
        size_t i = 0;
        while (spec[i].name && strcmp(spec[i].name, key))
            i++;
        if (!spec[i].name)
            return fk_fail(err, FK_EINVAL, key, "%s: unknown field", key);
        if (!json_is_null(v) && read_value(&spec[i], v, &vals[i], err) != 0)
            return -1;
    }
    for (size_t i = 0; spec[i].name; i++)
        if (spec[i].required && !vals[i].given)
            return fk_fail(err, FK_EINVAL, spec[i].name, "%s: required", spec[i].name);
    return 0;
}

int req_page_args(const http_req *rq, int64_t *limit, int64_t *offset, fk_err *err)
{
    return req_query_int(rq, "limit", 50, 1, 1000, limit, err) ||
           req_query_int(rq, "offset", 0, 0, 100000000, offset, err);
}

int req_copy_text(char *dst, size_t cap, const req_value *v, const char *field, fk_err *err)
{
    if (!v->given)
        return 0;
    if (strlen(v->s) >= cap)
        return fk_fail(err, FK_EINVAL, field, "%s: at most %zu bytes", field, cap - 1);
    snprintf(dst, cap, "%s", v->s);
    return 0;
}
