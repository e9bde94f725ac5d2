#include "services/actor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/role.h"

void actor_cli(actor *a)
{
    const char *user = getenv("USER");
    memset(a, 0, sizeof *a);
    snprintf(a->username, sizeof a->username, "cli:%s", user && *user ? user : "operator");
    snprintf(a->role, sizeof a->role, "command");
    snprintf(a->remote, sizeof a->remote, "cli");
}

void actor_system(actor *a, const char *what)
{
    memset(a, 0, sizeof *a);
    snprintf(a->username, sizeof a->username, "system");
    snprintf(a->role, sizeof a->role, "command");
    snprintf(a->remote, sizeof a->remote, "%s", what);
}

int actor_audit_append(store *st, const actor *a, const char *action, const char *entity,
                       int64_t entity_id, const char *detail, fk_err *err)
{
    audit_rec rec;
    actor_audit(a, &rec, action, entity, entity_id, detail);
    return store_audit_append(st, &rec, err);
}

int actor_require_area(const actor *a, const char *area, fk_err *err)
{
    if (!area[0])
        return fk_fail(err, FK_EINVAL, "area_code", "area_code: required");
    if (!role_in_jurisdiction(a->area_code, area))
        return fk_fail(err, FK_EFORBIDDEN, "area_code", "area_code: %s is outside your "
                       "jurisdiction", area);
    return 0;
}

void actor_audit(const actor *a, audit_rec *out, const char *action, const char *entity,
                 int64_t entity_id, const char *detail)
{
    memset(out, 0, sizeof *out);
    snprintf(out->actor, sizeof out->actor, "%s", a->username);
    snprintf(out->role, sizeof out->role, "%s", a->role);
    snprintf(out->action, sizeof out->action, "%s", action);
    snprintf(out->entity, sizeof out->entity, "%s", entity);
    out->entity_id = entity_id;
    snprintf(out->detail, sizeof out->detail, "%s", detail ? detail : "");
    snprintf(out->remote, sizeof out->remote, "%s", a->remote);
}

int actor_require(const actor *a, int p, fk_err *err)
{
    if (role_can(a->role, (perm)p))
        return 0;
    return fk_fail(err, FK_EFORBIDDEN, "", "role %s may not do this", a->role);
}

int actor_require_either(const actor *a, int p, int q, fk_err *err)
{
    return role_can(a->role, (perm)p) ? 0 : actor_require(a, q, err);
}

bool actor_narrow_area(const actor *a, const char *requested, char *buf, size_t cap,
                       const char **out)
{
    const char *mine = a->area_code;
    const char *want = requested ? requested : "";
    if (!mine[0] || (want[0] && !strncmp(want, mine, strlen(mine))))
        snprintf(buf, cap, "%s", want);
    else if (!strncmp(mine, want, strlen(want)))
        snprintf(buf, cap, "%s", mine);
    else
        return false;
    *out = buf;
    return true;
}
