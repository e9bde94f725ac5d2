/*
 * testing.c - the mass-testing service (contract: testing.h).
 */
#include "services/testing.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/idcard.h"
#include "model/person.h"
#include "model/role.h"
#include "model/tube.h"
#include "services/positives.h"
#include "services/registry.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static int require(const actor *a, fk_err *err)
{
    return actor_require(a, PERM_TESTING, err);
}

static void mask_members(const actor *a, member_list *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        registry_mask_name(a, l->items[i].person_name, sizeof l->items[i].person_name);
        registry_mask_id_number(a, l->items[i].id_number, sizeof l->items[i].id_number);
    }
}

/* ---- rounds ------------------------------------------------------------------------------ */

int testing_round_create(store *st, const actor *a, round_rec *r, fk_err *err)
{
    if (require(a, err) != 0 || actor_require_area(a, r->area_code, err) != 0)
        return -1;
    if (!r->name[0])
        return fk_fail(err, FK_EINVAL, "name", "name: required");
    if (r->ends_at <= r->starts_at)
        return fk_fail(err, FK_EINVAL, "ends_at", "ends_at: after starts_at");
    if (!r->state[0])
        snprintf(r->state, sizeof r->state, "planned");
    if (strcmp(r->state, "planned") != 0 && strcmp(r->state, "open") != 0)
        return fk_fail(err, FK_EINVAL, "state", "state: a new round is planned or open");
    snprintf(r->created_by, sizeof r->created_by, "%s", a->username);
    r->created_at = fk_now();
    audit_rec rec;
    actor_audit(a, &rec, "create", "testing_round", 0, r->name);
    if (store_round_insert(st, r, &rec, err) != 0)
        return -1;
    return store_round_get(st, r->id, r, err);
}

static int round_in_scope(store *st, const actor *a, int64_t id, round_rec *out, fk_err *err)
{
    if (store_round_get(st, id, out, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, out->area_code))
        return fk_fail(err, FK_ENOTFOUND, "round_id", "round_id: no round %lld", (long long)id);
    return 0;
}

/* Reading rounds is open to every role that reads persons (community workers follow up
 * a round's untested door to door), for the rounds that concern the caller's area. */
int testing_round_get(store *st, const actor *a, int64_t id, round_rec *out, fk_err *err)
{
    if (actor_require(a, PERM_PERSON_READ, err) != 0 || store_round_get(st, id, out, err) != 0)
        return -1;
    if (!role_areas_overlap(a->area_code, out->area_code))
        return fk_fail(err, FK_ENOTFOUND, "round_id", "round_id: no round %lld", (long long)id);
    return actor_audit_append(st, a, "read", "testing_round", id, "", err);
}

int testing_round_list(store *st, const actor *a, const char *area, int limit, int offset,
                       round_list *out, fk_err *err)
{
    char buf[16];
    const char *narrowed;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_PERSON_READ, err) != 0)
        return -1;
    const char *want = area && area[0] ? area : a->area_code;
    if (!role_areas_overlap(a->area_code, want))
        return 0;
    /* a narrower area asked for, or the caller's own when that is narrower */
    narrowed = role_in_jurisdiction(a->area_code, want) ? want : a->area_code;
    snprintf(buf, sizeof buf, "%s", narrowed);
    if (store_round_list(st, buf, limit, offset, out, err) != 0)
        return -1;
    return actor_audit_append(st, a, "read", "testing_round", 0, "list", err);
}

int testing_round_set_state(store *st, const actor *a, int64_t id, const char *state,
                            round_rec *out, fk_err *err)
{
    round_rec r;
    if (require(a, err) != 0 || round_in_scope(st, a, id, &r, err) != 0)
        return -1;
    if (!tube_round_state_known(state))
        return fk_fail(err, FK_EINVAL, "state", "state: planned, open or closed");
    if (tube_round_check(r.state, state, err) != 0)
        return -1;
    audit_rec rec;
    actor_audit(a, &rec, "transition", "testing_round", id, state);
    if (store_round_set_state(st, id, r.state, state, &rec, err) != 0)
        return -1;
    return store_round_get(st, id, out, err);
}

/* ---- sites and tube stock ---------------------------------------------------------------- */

int testing_site_create(store *st, const actor *a, site_rec *s, fk_err *err)
{
    round_rec r;
    if (require(a, err) != 0 || round_in_scope(st, a, s->round_id, &r, err) != 0)
        return -1;
    if (!s->name[0])
        return fk_fail(err, FK_EINVAL, "name", "name: required");
    if (!s->area_code[0])
        snprintf(s->area_code, sizeof s->area_code, "%s", r.area_code);
    if (actor_require_area(a, s->area_code, err) != 0)
        return -1;
    if (!role_in_jurisdiction(r.area_code, s->area_code))
        return fk_fail(err, FK_EINVAL, "area_code", "area_code: %s is outside the round's area "
                       "%s", s->area_code, r.area_code);
    if (r.state[0] == 'c')
        return fk_fail(err, FK_ECONFLICT, "round_id", "round_id: the round is closed");
    audit_rec rec;
    actor_audit(a, &rec, "create", "sampling_site", 0, s->name);
    return store_site_insert(st, s, &rec, err);
}

int testing_site_list(store *st, const actor *a, int64_t round_id, int limit, int offset,
                      site_list *out, fk_err *err)
{
    round_rec r;
    memset(out, 0, sizeof *out);
    if (require(a, err) != 0 || round_in_scope(st, a, round_id, &r, err) != 0)
        return -1;
    if (store_site_list(st, round_id, limit, offset, out, err) != 0)
        return -1;
    return actor_audit_append(st, a, "read", "sampling_site", 0, "list", err);
}

static int site_in_scope(store *st, const actor *a, int64_t id, site_rec *out, fk_err *err)
{
    if (store_site_get(st, id, out, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, out->area_code))
        return fk_fail(err, FK_ENOTFOUND, "site_id", "site_id: no site %lld", (long long)id);
    return 0;
}

int testing_tubes_issue(store *st, const actor *a, int64_t site_id, const char *const *barcodes,
                        size_t n, fk_err *err)
{
    site_rec s;
    if (require(a, err) != 0 || site_in_scope(st, a, site_id, &s, err) != 0)
        return -1;
    if (n < 1 || n > TESTING_MAX_ISSUE)
        return fk_fail(err, FK_EINVAL, "barcodes", "barcodes: 1 to %d at a time",
                       TESTING_MAX_ISSUE);
    for (size_t i = 0; i < n; i++)
        if (tube_barcode_check(barcodes[i], "barcodes", err) != 0)
            return -1;
    char detail[64];
    snprintf(detail, sizeof detail, "issue %zu from %s", n, barcodes[0]);
    audit_rec rec;
    actor_audit(a, &rec, "issue", "sampling_site", site_id, detail);
    return store_tubes_issue(st, s.round_id, site_id, barcodes, n, a->username, fk_now(), &rec,
                             err);
}

/* The tube of a barcode the actor may work: unknown and out-of-area read alike. */
static int tube_in_scope(store *st, const actor *a, const char *barcode, tube_rec *out,
                         site_rec *site, member_list *members, fk_err *err)
{
    if (tube_barcode_check(barcode, "barcode", err) != 0 ||
        store_tube_get(st, barcode, out, members, err) != 0)
        return -1;
    if (store_site_get(st, out->site_id, site, err) != 0)
        return -1;
    if (!role_in_jurisdiction(a->area_code, site->area_code)) {
        if (members)
            member_list_free(members);
        return fk_fail(err, FK_ENOTFOUND, "barcode", "barcode: %s was never issued", barcode);
    }
    return 0;
}

int testing_tube_get(store *st, const actor *a, const char *barcode, tube_rec *out,
                     member_list *members, fk_err *err)
{
    site_rec site;
    if (members)
        memset(members, 0, sizeof *members);
    if (require(a, err) != 0 || tube_in_scope(st, a, barcode, out, &site, members, err) != 0)
        return -1;
    if (actor_audit_append(st, a, "read", "tube", out->id, barcode, err) != 0) {
        member_list_free(members);
        return -1;
    }
    mask_members(a, members);
    return 0;
}

/* ---- scans ------------------------------------------------------------------------------- */

/* The person a scan names: by id, or by a valid resident ID number. */
static int scanned_person(store *st, const scan_request *r, person *p, const char **field,
                          fk_err *err)
{
    *field = r->person_id ? "person_id" : "id_number";
    if (r->person_id) {
        if (store_person_get(st, r->person_id, p, err) == 0)
            return 0;
        return err->code == FK_ENOTFOUND
                   ? fk_fail(err, FK_EREF, "person_id", "person_id: no person %lld",
                             (long long)r->person_id)
                   : -1;
    }
    char id[32];
    if (!r->id_number || !r->id_number[0])
        return fk_fail(err, FK_EINVAL, "person_id", "person_id or id_number: required");
    snprintf(id, sizeof id, "%s", r->id_number);
    idcard_normalize(id);
    if (idcard_parse(id, NULL, "id_number", err) != 0)
        return -1;
    if (store_person_find_by_id_number(st, id, p, err) == 0)
        return 0;
    return err->code == FK_ENOTFOUND
               ? fk_fail(err, FK_EREF, "id_number", "id_number: no registered person with "
                         "this ID number")
               : -1;
}

/* The pool group of a person in round r: a recheck round takes held persons only, each
 * into a single tube (group pool_retest); otherwise tube_group's. */
static int person_group(store *st, const round_rec *r, const person *p, const char *field,
                        const char **group, fk_err *err)
{
    int isolated = 0, contact = 0;
    if (!strcmp(r->kind, "recheck")) {
        int held = store_person_held(st, p->id, err);
        return held < 0 ? -1 : tube_recheck_group(held, field, group, err);
    }
    if (store_person_testing_flags(st, p->id, &isolated, &contact, err) != 0)
        return -1;
    *group = tube_group(isolated, contact, NULL); /* zones: a later issue */
    return 0;
}

static int person_may_join(store *st, const policy *pol, const round_rec *r, const tube_rec *t,
                           const person *p, const char *field, int *size, fk_err *err)
{
    if (!role_in_jurisdiction(r->area_code, p->community_code))
        return fk_fail(err, FK_ECONFLICT, field, "%s: the person lives in %s, outside the "
                       "round's area %s", field, p->community_code, r->area_code);
    member_rec prior;
    int seen = store_round_member(st, r->id, p->id, &prior, err);
    if (seen < 0)
        return -1;
    if (seen) {
        char when[21];
        fk_instant_format(prior.scanned_at, when);
        return fk_fail(err, FK_ECONFLICT, field, "%s: the person was already scanned in this "
                       "round, into tube %s at %s", field, prior.barcode, when);
    }
    const char *group;
    if (person_group(st, r, p, field, &group, err) != 0 || tube_pool_size(pol, group, size, err))
        return -1;
    return strcmp(t->state, "open") ? 0 : tube_fits(t->size, *size, group, field, err);
}

static int scan_unit(store *st, const policy *pol, const actor *a, const char *barcode,
                     const scan_request *r, tube_rec *t, member_rec *m, fk_err *err)
{
    site_rec site;
    round_rec round;
    person p;
    const char *field;
    int size = 0;
    if (tube_in_scope(st, a, barcode, t, &site, NULL, err) != 0 ||
        tube_takes_member(t->state, t->n_members, t->size, t->barcode, "barcode", err) != 0 ||
        store_round_get(st, t->round_id, &round, err) != 0 ||
        tube_round_accepts(round.state, round.starts_at, round.ends_at, fk_now(), err) != 0 ||
        scanned_person(st, r, &p, &field, err) != 0 ||
        person_may_join(st, pol, &round, t, &p, field, &size, err) != 0)
        return -1;
    memset(m, 0, sizeof *m);
    m->person_id = p.id;
    m->round_id = round.id;
    m->scanned_at = fk_now();
    snprintf(m->scanned_by, sizeof m->scanned_by, "%s", a->username);
    char detail[64];
    snprintf(detail, sizeof detail, "scan person %lld", (long long)p.id);
    audit_rec rec;
    actor_audit(a, &rec, "scan", "tube", t->id, detail);
    if (store_tube_scan(st, t->id, size, m, &rec, err) != 0 ||
        store_tube_get(st, barcode, t, NULL, err) != 0)
        return -1;
    if (t->n_members < t->size)
        return 0;
    /* the last place filled: the tube closes itself, in the same transaction */
    actor_audit(a, &rec, "close", "tube", t->id, "full");
    return store_tube_close(st, t->id, a->username, m->scanned_at, &rec, err) ||
           store_tube_get(st, barcode, t, NULL, err);
}

int testing_scan(store *st, const policy *pol, const actor *a, const char *barcode,
                 const scan_request *r, tube_rec *tube, member_rec *m, fk_err *err)
{
    if (require(a, err) != 0 || store_begin(st, err) != 0)
        return -1;
    return store_end(st, scan_unit(st, pol, a, barcode, r, tube, m, err), err);
}

int testing_tube_close(store *st, const actor *a, const char *barcode, tube_rec *out,
                       fk_err *err)
{
    site_rec site;
    if (require(a, err) != 0 || tube_in_scope(st, a, barcode, out, &site, NULL, err) != 0)
        return -1;
    if (strcmp(out->state, "open") != 0)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: tube %s is %s, only an open tube "
                       "closes", barcode, out->state);
    audit_rec rec;
    actor_audit(a, &rec, "close", "tube", out->id, "by hand");
    if (store_tube_close(st, out->id, a->username, fk_now(), &rec, err) != 0)
        return -1;
    return store_tube_get(st, barcode, out, NULL, err);
}

int testing_person_samples(store *st, const actor *a, int64_t person_id, member_list *out,
                           hold_list *holds, fk_err *err)
{
    person p;
    memset(out, 0, sizeof *out);
    if (holds)
        memset(holds, 0, sizeof *holds);
    /* the registry checks the read permission and the area, and audits the read */
    if (registry_person_get(st, a, person_id, &p, err) != 0)
        return -1;
    if (store_person_samples(st, person_id, out, err) != 0)
        return -1;
    hold_filter f = {.person_id = person_id, .limit = 1000};
    if ((holds && store_hold_list(st, &f, holds, err) != 0) ||
        actor_audit_append(st, a, "read", "person_samples", person_id, "", err) != 0) {
        member_list_free(out);
        hold_list_free(holds);
        return -1;
    }
    mask_members(a, out);
    positives_mask_holds(a, holds);
    return 0;
}

int testing_site_tubes(store *st, const actor *a, int64_t site_id, const char *state,
                       int unboxed, int limit, int offset, site_tube_list *out, fk_err *err)
{
    site_rec s;
    memset(out, 0, sizeof *out);
    if (require(a, err) != 0 || site_in_scope(st, a, site_id, &s, err) != 0)
        return -1;
    if (state && state[0] && strcmp(state, "issued") && strcmp(state, "open") &&
        strcmp(state, "closed"))
        return fk_fail(err, FK_EINVAL, "state", "state: must be issued, open or closed");
    if (store_site_tubes(st, site_id, state, unboxed, limit, offset, out, err) != 0)
        return -1;
    if (actor_audit_append(st, a, "read", "sampling_site", site_id, "tubes", err) != 0) {
        site_tube_list_free(out);
        return -1;
    }
    return 0;
}
