/*
 * registry.c - persons and cases through permission, jurisdiction, validation, audit.
 *
 * Invariant: every read or change of a person or case on behalf of a user (API, CLI,
 * import, export) goes through this file, so it is checked and audited exactly once.
 * The one exception is io/import.c's reference and duplicate look-ups, which reveal
 * nothing to the caller but "exists" and are covered by the import's own audit record.
 */
#include "services/registry.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/role.h"
#include "services/codes.h"

static int out_of_area(const char *entity, int64_t id, fk_err *err)
{
    return fk_fail(err, FK_ENOTFOUND, "", "no %s with id %lld", entity, (long long)id);
}

void registry_mask_person(const actor *a, person *p)
{
    if (role_can(a->role, PERM_UNMASKED))
        return;
    char name[sizeof p->name], id[sizeof p->id_number], phone[sizeof p->phone];
    mask_name(p->name, name, sizeof name);
    mask_id_number(p->id_number, id, sizeof id);
    mask_phone(p->phone, phone, sizeof phone);
    memcpy(p->name, name, sizeof name);
    memcpy(p->id_number, id, sizeof id);
    memcpy(p->phone, phone, sizeof phone);
    p->address[0] = '\0';
}

/* The community a person record will belong to, for the jurisdiction check. */
static int person_community(store *st, const person *p, char out[16], fk_err *err)
{
    if (!strcmp(p->resident_type, "resident")) {
        household h;
        if (store_household_get(st, p->household_id, &h, err) != 0)
            return fk_fail(err, FK_EREF, "household_id", "household_id: no household %lld",
                           (long long)p->household_id);
        snprintf(out, 16, "%s", h.community_code);
    } else {
        snprintf(out, 16, "%s", p->community_code);
    }
    return 0;
}

static int check_person_write(store *st, const actor *a, person *p, fk_err *err)
{
    char community[16];
    if (actor_require(a, PERM_PERSON_WRITE, err) != 0 || person_validate(p, err) != 0 ||
        person_community(st, p, community, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, community))
        return fk_fail(err, FK_EFORBIDDEN, "community_code",
                       "community_code: %s is outside your jurisdiction %s", community,
                       a->area_code);
    return 0;
}

/* The person, and their health code computed now or (defer) only touched. */
static int person_create(store *st, const actor *a, person *p, bool defer, fk_err *err)
{
    if (check_person_write(st, a, p, err) != 0)
        return -1;
    audit_rec rec;
    actor_audit(a, &rec, "create", "person", 0, p->id_number);
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_person_insert(st, p, &rec, err) ||
             (defer ? codes_touch(st, CODES_BY_PERSON, p->id, err)
                    : codes_recompute_for(st, a, "person", CODES_BY_PERSON, p->id, err)) ? -1 : 0;
    return store_end(st, rc, err);
}

int registry_person_create(store *st, const actor *a, person *p, fk_err *err)
{
    return person_create(st, a, p, false, err);
}

int registry_person_create_deferred(store *st, const actor *a, person *p, fk_err *err)
{
    return person_create(st, a, p, true, err);
}

int registry_person_update(store *st, const actor *a, person *p, fk_err *err)
{
    person old;
    if (registry_person_get(st, a, p->id, &old, err) != 0 || check_person_write(st, a, p, err) != 0)
        return -1;
    audit_rec rec;
    actor_audit(a, &rec, "update", "person", p->id, p->id_number);
    if (store_begin(st, err) != 0)
        return -1;
    /* a new residence may put the person in or out of a zone */
    int rc = store_person_update(st, p, &rec, err) ||
             codes_recompute_for(st, a, "person", CODES_BY_PERSON, p->id, err) ? -1 : 0;
    return store_end(st, rc, err);
}

int registry_person_get(store *st, const actor *a, int64_t id, person *out, fk_err *err)
{
    if (actor_require(a, PERM_PERSON_READ, err) != 0)
        return -1;
    if (store_person_get(st, id, out, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, out->community_code))
        return out_of_area("person", id, err);
    audit_rec rec;
    actor_audit(a, &rec, "read", "person", id, "");
    if (store_audit_append(st, &rec, err) != 0)
        return -1;
    registry_mask_person(a, out);
    return 0;
}

int registry_person_list(store *st, const actor *a, person_filter *f, person_list *out,
                         fk_err *err)
{
    char scope[16];
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_PERSON_READ, err) != 0)
        return -1;
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &f->area_prefix))
        return 0;
    if (store_person_list(st, f, out, err) != 0)
        return -1;
    audit_rec rec;
    char detail[256];
    snprintf(detail, sizeof detail, "q=%s area=%s community=%s returned=%zu", f->q ? f->q : "",
             f->area_prefix ? f->area_prefix : "", f->community_code ? f->community_code : "",
             out->n);
    actor_audit(a, &rec, "list", "person", 0, detail);
    if (store_audit_append(st, &rec, err) != 0) {
        person_list_free(out);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        registry_mask_person(a, &out->items[i]);
    return 0;
}

void registry_mask_name(const actor *a, char *name, size_t cap)
{
    if (role_can(a->role, PERM_UNMASKED))
        return;
    char buf[256];
    mask_name(name, buf, sizeof buf);
    size_t n = strnlen(buf, cap - 1); /* a masked name is never longer than the name */
    memcpy(name, buf, n);
    name[n] = '\0';
}

void registry_mask_id_number(const actor *a, char *id_number, size_t cap)
{
    if (role_can(a->role, PERM_UNMASKED))
        return;
    char buf[64];
    mask_id_number(id_number, buf, sizeof buf);
    snprintf(id_number, cap, "%s", buf);
}

static void mask_case(const actor *a, epicase *c)
{
    registry_mask_name(a, c->person_name, sizeof c->person_name);
}

/* The case's person must exist and lie within the actor's jurisdiction. */
static int check_case_person(store *st, const actor *a, const epicase *c, fk_err *err)
{
    person p;
    fk_err ignored;
    if (store_person_get(st, c->person_id, &p, &ignored) != 0 ||
        !role_in_jurisdiction(a->area_code, p.community_code))
        return fk_fail(err, FK_EREF, "person_id", "person_id: no person %lld",
                       (long long)c->person_id);
    return 0;
}

int registry_case_create(store *st, const actor *a, epicase *c, fk_err *err)
{
    if (actor_require(a, PERM_CASE_WRITE, err) != 0 || case_validate(c, err) != 0 ||
        check_case_person(st, a, c, err) != 0)
        return -1;
    audit_rec rec;
    actor_audit(a, &rec, "create", "case", 0, c->classification);
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_case_insert(st, c, &rec, err) ||
             codes_recompute_for(st, a, "case", CODES_BY_CASE, c->id, err) ? -1 : 0;
    return store_end(st, rc, err);
}

int registry_case_screening_positive(store *st, const actor *a, int64_t person_id,
                                     const char *source, const char *sampling_date,
                                     epicase *out, fk_err *err)
{
    actor lab = *a;
    memset(out, 0, sizeof *out);
    snprintf(lab.role, sizeof lab.role, "lab");
    out->person_id = person_id;
    snprintf(out->classification, sizeof out->classification, "screening_positive");
    snprintf(out->source, sizeof out->source, "%s", source);
    snprintf(out->sampling_date, sizeof out->sampling_date, "%s", sampling_date);
    out->reported_at = fk_now();
    return registry_case_create(st, &lab, out, err);
}

int registry_case_update(store *st, const actor *a, epicase *c, fk_err *err)
{
    epicase old;
    if (actor_require(a, PERM_CASE_WRITE, err) != 0 ||
        registry_case_get(st, a, c->id, &old, err) != 0)
        return -1;
    c->person_id = old.person_id; /* a case never moves to another person */
    if (case_validate(c, err) != 0)
        return -1;
    audit_rec rec;
    actor_audit(a, &rec, "update", "case", c->id, c->classification);
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_case_update(st, c, &rec, err) ||
             codes_recompute_for(st, a, "case", CODES_BY_CASE, c->id, err) ? -1 : 0;
    return store_end(st, rc, err);
}

int registry_case_get(store *st, const actor *a, int64_t id, epicase *out, fk_err *err)
{
    if (actor_require(a, PERM_CASE_READ, err) != 0 || store_case_get(st, id, out, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, out->community_code))
        return out_of_area("case", id, err);
    audit_rec rec;
    actor_audit(a, &rec, "read", "case", id, "");
    if (store_audit_append(st, &rec, err) != 0)
        return -1;
    mask_case(a, out);
    return 0;
}

int registry_case_list(store *st, const actor *a, case_filter *f, case_list *out, fk_err *err)
{
    char scope[16];
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_CASE_READ, err) != 0)
        return -1;
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &f->area_prefix))
        return 0;
    if (store_case_list(st, f, out, err) != 0)
        return -1;
    audit_rec rec;
    char detail[256];
    snprintf(detail, sizeof detail, "q=%s status=%s returned=%zu", f->q ? f->q : "",
             f->status ? f->status : "", out->n);
    actor_audit(a, &rec, "list", "case", 0, detail);
    if (store_audit_append(st, &rec, err) != 0) {
        case_list_free(out);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        mask_case(a, &out->items[i]);
    return 0;
}

int registry_case_transition(store *st, const actor *a, int64_t case_id, const char *to,
                             const char *note, case_transition *out, fk_err *err)
{
    epicase c;
    if (actor_require(a, PERM_CASE_TRANSITION, err) != 0 ||
        registry_case_get(st, a, case_id, &c, err) != 0 ||
        case_check_transition(c.status, to ? to : "", err) != 0)
        return -1;
    audit_rec rec;
    char detail[64];
    snprintf(detail, sizeof detail, "%s->%s", c.status, to);
    actor_audit(a, &rec, "transition", "case", case_id, detail);
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_case_transition(st, case_id, to, note ? note : "", &rec, out, err) ||
             codes_recompute_for(st, a, "case", CODES_BY_CASE, case_id, err) ? -1 : 0;
    return store_end(st, rc, err);
}

int registry_case_transitions(store *st, const actor *a, int64_t case_id, transition_list *out,
                              fk_err *err)
{
    epicase c;
    memset(out, 0, sizeof *out);
    if (registry_case_get(st, a, case_id, &c, err) != 0)
        return -1;
    return store_case_transitions(st, case_id, out, err);
}
