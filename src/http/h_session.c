/* h_session.c - log in, log out, who am I. */
#include <stdio.h>
#include <string.h>

#include "http/handlers.h"
#include "http/json_io.h"
#include "services/auth.h"

int h_session_create(http_req *rq, fk_err *err)
{
    json_t *body;
    if (req_json_body(rq, &body, err) != 0)
        return -1;
    json_t *u = json_object_get(body, "username"), *p = json_object_get(body, "password");
    if (!json_is_string(u) || !json_is_string(p)) {
        const char *missing = json_is_string(u) ? "password" : "username";
        json_decref(body);
        return fk_fail(err, FK_EINVAL, missing, "%s: required string", missing);
    }
    char token[AUTH_TOKEN_LEN + 1];
    int64_t expires;
    user who;
    int rc = auth_login(rq->st, json_string_value(u), json_string_value(p), rq->remote, 0, token,
                        &expires, &who, err);
    json_decref(body);
    if (rc != 0)
        return -1;
    json_t *j = json_pack("{s:s, s:o, s:{s:s, s:s, s:s}}", "token", token, "expires_at",
                          json_instant(expires), "user", "username", who.username, "role",
                          who.role, "area_code", who.area_code);
    return req_reply(rq, 201, j);
}

int h_session_delete(http_req *rq, fk_err *err)
{
    if (auth_logout(rq->st, rq->bearer, err) != 0)
        return -1;
    return req_reply(rq, 204, NULL);
}

int h_me(http_req *rq, fk_err *err)
{
    (void)err;
    return req_reply(rq, 200,
                     json_pack("{s:s, s:s, s:s}", "username", rq->who.username, "role",
                               rq->who.role, "area_code", rq->who.area_code));
}
