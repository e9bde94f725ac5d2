/* h_session.c - log in, log out, who am I. */
#include <stdio.h>
#include <string.h>

#include "http/handlers.h"
#include "http/json_io.h"
#include "model/role.h"
#include "services/auth.h"

/* {username, role, area_code, permissions}: the permissions are derived from the role
 * matrix (model/role.c), so clients never keep a copy of it. */
static json_t *user_json(const char *username, const char *role, const char *area_code)
{
    json_t *perms = json_array();
    for (int p = 0; p < PERM__COUNT; p++)
        if (role_can(role, (perm)p))
            json_array_append_new(perms, json_string(role_perm_name((perm)p)));
    return json_pack("{s:s, s:s, s:s, s:o}", "username", username, "role", role, "area_code",
                     area_code, "permissions", perms);
}

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
    int rc = auth_login(rq->st, rq->throttle, json_string_value(u), json_string_value(p),
                        rq->remote, 0, token, &expires, &who, err);
    json_decref(body);
    if (rc != 0)
        return -1;
    json_t *j = json_pack("{s:s, s:o, s:o}", "token", token, "expires_at", json_instant(expires),
                          "user", user_json(who.username, who.role, who.area_code));
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
    return req_reply(rq, 200, user_json(rq->who.username, rq->who.role, rq->who.area_code));
}
