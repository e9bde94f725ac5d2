/*
 * actor.h - who is acting: the authenticated user (or the CLI operator) on whose
 * behalf a service call runs. Services check permissions and jurisdiction against it
 * and write it into the audit record. Plain value; the caller owns it.
 */
#ifndef FK_SERVICES_ACTOR_H
#define FK_SERVICES_ACTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

typedef struct actor {
    char username[64];
    char role[16];
    char area_code[16];   /* "" = whole city */
    char remote[64];      /* client address, or "cli" */
} actor;

/* The CLI operator: role command, whole city, username "cli:$USER". */
void actor_cli(actor *a);
/* The platform acting on its own (timed sweeps): username "system", role command,
 * whole city; `what` goes where a client address would ("escalation sweep"). */
void actor_system(actor *a, const char *what);
/* Fill an audit record from the actor. */
void actor_audit(const actor *a, audit_rec *out, const char *action, const char *entity,
                 int64_t entity_id, const char *detail);
/* Append the audit record of a stand-alone read or action (entity, id, detail) now; a
 * change writes its record inside its own transaction instead. */
int actor_audit_append(store *st, const actor *a, const char *action, const char *entity,
                       int64_t entity_id, const char *detail, fk_err *err);
/* A unit's area given by the caller (area_code of a new record): FK_EINVAL when empty,
 * FK_EFORBIDDEN when outside the actor's jurisdiction, both naming "area_code". */
int actor_require_area(const actor *a, const char *area, fk_err *err);
/* FK_EFORBIDDEN unless the actor's role has `p` (role.h). */
int actor_require(const actor *a, int p, fk_err *err);
/* FK_EFORBIDDEN unless the actor's role has `p` or `q` (reads open to two kinds of work). */
int actor_require_either(const actor *a, int p, int q, fk_err *err);
/* Narrow a requested area-code filter (NULL = all) to what the actor may see: into buf
 * (cap bytes), *out pointing at it. False when the two do not overlap (the result is
 * then empty: the caller answers nothing). */
bool actor_narrow_area(const actor *a, const char *requested, char *buf, size_t cap,
                       const char **out);

#endif
