/*
 * transfers.c - the transfer service (contract: transfers.h).
 */
#include "services/transfers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "model/person.h"
#include "model/role.h"
#include "model/isolation.h"
#include "model/transfer.h"
#include "services/isolation.h"
#include "services/leads.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static int require(const actor *a, fk_err *err)
{
    return actor_require(a, PERM_TRANSFER, err);
}

static int not_found(const char *what, int64_t id, fk_err *err)
{
    return fk_fail(err, FK_ENOTFOUND, "", "no %s with id %lld", what, (long long)id);
}

/* The same user acting through the service that owns a record (the isolation of an
 * arrival, the lead it controls): audited under their name, with that service's role. */
static void delegate(const actor *a, const char *role, actor *out)
{
    *out = *a;
    snprintf(out->role, sizeof out->role, "%s", role);
}

static void mask_pickups(const actor *a, pickup_list *l)
{
    if (!l || role_can(a->role, PERM_UNMASKED))
        return;
    for (size_t i = 0; i < l->n; i++) {
        char name[sizeof l->items[i].person_name], phone[sizeof l->items[i].person_phone];
        mask_name(l->items[i].person_name, name, sizeof name);
        mask_phone(l->items[i].person_phone, phone, sizeof phone);
        memcpy(l->items[i].person_name, name, sizeof name);
        memcpy(l->items[i].person_phone, phone, sizeof phone);
    }
}

/* ---- vehicles and crews ----------------------------------------------------------------- */

int transfers_vehicle_create(store *st, const actor *a, vehicle_rec *v, fk_err *err)
{
    if (require(a, err) != 0 || actor_require_area(a, v->area_code, err) != 0)
        return -1;
    if (!v->plate[0])
        return fk_fail(err, FK_EINVAL, "plate", "plate: required");
    if (v->seats < 1 || v->seats > TRANSFER_MAX_PICKUPS)
        return fk_fail(err, FK_EINVAL, "seats", "seats: 1 to %d", TRANSFER_MAX_PICKUPS);
    audit_rec rec;
    actor_audit(a, &rec, "create", "vehicle", 0, v->plate);
    return store_vehicle_insert(st, v, &rec, err);
}

/* The area filter of a list narrowed to the caller's (into buf): 1 to list, 0 when the
 * two do not overlap (an empty answer), -1 without the permission. */
static int list_scope(const actor *a, const char *area, char buf[16], const char **narrowed,
                      fk_err *err)
{
    if (require(a, err) != 0)
        return -1;
    return actor_narrow_area(a, area, buf, 16, narrowed) ? 1 : 0;
}

int transfers_vehicle_list(store *st, const actor *a, const char *area, int limit, int offset,
                           vehicle_list *out, fk_err *err)
{
    char buf[16];
    const char *narrowed;
    memset(out, 0, sizeof *out);
    int go = list_scope(a, area, buf, &narrowed, err);
    return go <= 0 ? go : store_vehicle_list(st, narrowed, limit, offset, out, err);
}

static int vehicle_in_scope(store *st, const actor *a, int64_t id, vehicle_rec *out,
                            fk_err *err)
{
    if (store_vehicle_get(st, id, out, err) != 0)
        return -1;
    return role_in_jurisdiction(a->area_code, out->area_code) ? 0
                                                              : not_found("vehicle", id, err);
}

int transfers_vehicle_set_state(store *st, const actor *a, int64_t id, const char *state,
                                vehicle_rec *out, fk_err *err)
{
    vehicle_rec v;
    if (require(a, err) != 0 || vehicle_in_scope(st, a, id, &v, err) != 0)
        return -1;
    if (!transfer_vehicle_state_known(state))
        return fk_fail(err, FK_EINVAL, "state", "state: available, disinfecting or "
                       "out_of_service");
    if (transfer_vehicle_check(v.state, state, err) != 0)
        return -1;
    audit_rec rec;
    actor_audit(a, &rec, "transition", "vehicle", id, state);
    if (store_vehicle_set_state(st, id, v.state, state, fk_now(), &rec, err) != 0)
        return -1;
    return store_vehicle_get(st, id, out, err);
}

int transfers_crew_create(store *st, const actor *a, crew_rec *c, fk_err *err)
{
    if (require(a, err) != 0 || actor_require_area(a, c->area_code, err) != 0)
        return -1;
    if (!c->name[0] || !c->leader[0])
        return fk_fail(err, FK_EINVAL, c->name[0] ? "leader" : "name", "%s: required",
                       c->name[0] ? "leader" : "name");
    if (c->members < 1 || c->members > 20)
        return fk_fail(err, FK_EINVAL, "members", "members: 1 to 20");
    audit_rec rec;
    actor_audit(a, &rec, "create", "crew", 0, c->name);
    return store_crew_insert(st, c, &rec, err);
}

int transfers_crew_list(store *st, const actor *a, const char *area, int limit, int offset,
                        crew_list *out, fk_err *err)
{
    char buf[16];
    const char *narrowed;
    memset(out, 0, sizeof *out);
    int go = list_scope(a, area, buf, &narrowed, err);
    return go <= 0 ? go : store_crew_list(st, narrowed, limit, offset, out, err);
}

/* ---- trip creation ------------------------------------------------------------------------- */

/* The leads of a trip: each once, in scope, with a person, located. Fills leads[]. */
static int check_leads(store *st, const actor *a, const trip_request *r, lead_rec *leads,
                       fk_err *err)
{
    for (size_t i = 0; i < r->n; i++) {
        for (size_t j = 0; j < i; j++)
            if (r->lead_ids[j] == r->lead_ids[i])
                return fk_fail(err, FK_EINVAL, "lead_ids", "lead_ids[%zu]: lead %lld is "
                               "named twice", i, (long long)r->lead_ids[i]);
        if (store_lead_get(st, r->lead_ids[i], &leads[i], err) != 0 ||
            !role_in_jurisdiction(a->area_code, leads[i].area_code))
            return fk_fail(err, FK_EREF, "lead_ids", "lead_ids[%zu]: no lead %lld", i,
                           (long long)r->lead_ids[i]);
        if (!leads[i].person_id)
            return fk_fail(err, FK_EINVAL, "lead_ids", "lead_ids[%zu]: lead %lld has no "
                           "registered person to fetch", i, (long long)r->lead_ids[i]);
        if (strcmp(leads[i].state, "found") && strcmp(leads[i].state, "refused"))
            return fk_fail(err, FK_ECONFLICT, "lead_ids", "lead_ids[%zu]: lead %lld is %s: "
                           "only a located person (found or refused) is fetched", i,
                           (long long)r->lead_ids[i], leads[i].state);
    }
    return 0;
}

static int check_vehicle_and_crew(store *st, const actor *a, const trip_request *r,
                                  vehicle_rec *v, fk_err *err)
{
    crew_rec c;
    if (r->n < 1 || r->n > TRANSFER_MAX_PICKUPS)
        return fk_fail(err, FK_EINVAL, "lead_ids", "lead_ids: 1 to %d leads",
                       TRANSFER_MAX_PICKUPS);
    if (store_vehicle_get(st, r->vehicle_id, v, err) != 0 ||
        !role_in_jurisdiction(a->area_code, v->area_code))
        return fk_fail(err, FK_EREF, "vehicle_id", "vehicle_id: no vehicle %lld",
                       (long long)r->vehicle_id);
    if (strcmp(v->state, "available") != 0)
        return fk_fail(err, FK_ECONFLICT, "vehicle_id", "vehicle_id: vehicle %s is %s",
                       v->plate, v->state);
    if ((size_t)v->seats < r->n)
        return fk_fail(err, FK_EINVAL, "lead_ids", "lead_ids: %zu persons for %d seats", r->n,
                       v->seats);
    if (store_crew_get(st, r->crew_id, &c, err) != 0 ||
        !role_in_jurisdiction(a->area_code, c.area_code))
        return fk_fail(err, FK_EREF, "crew_id", "crew_id: no crew %lld", (long long)r->crew_id);
    return 0;
}

/* Rooms for the pickups: a room already reserved for the person, else one allocated now
 * (one batch); all in one facility, whose id goes to *facility. */
static int rooms_for(store *st, const policy *pol, const actor *a, const trip_request *r,
                     const lead_rec *leads, pickup_rec *p, int64_t *facility, fk_err *err)
{
    alloc_request *want = fk_calloc(r->n, sizeof *want);
    alloc_result *got = fk_calloc(r->n, sizeof *got);
    size_t *slot = fk_calloc(r->n, sizeof *slot), nwant = 0;
    int64_t *fac = fk_calloc(r->n, sizeof *fac);
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        allocation_rec held;
        fk_err none;
        p[i].person_id = leads[i].person_id;
        if (store_allocation_of_person(st, leads[i].person_id, &held, &none) == 0 &&
            !strcmp(held.state, "reserved")) {
            p[i].allocation_id = held.id;
            fac[i] = held.facility_id;
        } else {
            want[nwant] = (alloc_request){.person_id = leads[i].person_id, .lead_id = leads[i].id};
            slot[nwant++] = i;
        }
    }
    actor iso;
    delegate(a, "quarantine", &iso);
    if (nwant && isolation_allocate(st, pol, &iso, want, nwant, r->household, got, err) != 0)
        rc = -1;
    for (size_t k = 0; k < nwant && rc == 0; k++) {
        p[slot[k]].allocation_id = got[k].allocation_id;
        fac[slot[k]] = got[k].facility_id;
    }
    for (size_t i = 1; i < r->n && rc == 0; i++)
        if (fac[i] != fac[0])
            rc = fk_fail(err, FK_ECONFLICT, "lead_ids", "lead_ids[%zu]: this person's room is "
                         "in facility %lld, the trip's first in %lld: one trip goes to one "
                         "facility", i, (long long)fac[i], (long long)fac[0]);
    *facility = fac[0];
    free(want), free(got), free(slot), free(fac);
    return rc;
}

static int create_unit(store *st, const policy *pol, const actor *a, const trip_request *r,
                       const vehicle_rec *v, const lead_rec *leads, trip_rec *t, pickup_rec *p,
                       fk_err *err)
{
    memset(t, 0, sizeof *t);
    t->vehicle_id = v->id;
    t->crew_id = r->crew_id;
    snprintf(t->area_code, sizeof t->area_code, "%s", v->area_code);
    t->created_at = fk_now();
    snprintf(t->created_by, sizeof t->created_by, "%s", a->username);
    for (size_t i = 0; i < r->n; i++) {
        p[i].lead_id = leads[i].id;
        p[i].due_at = leads[i].deadlines[LEAD_STEP_CONTROLLED];
        if (i == 0 || p[i].due_at < t->due_at)
            t->due_at = p[i].due_at;
    }
    if (rooms_for(st, pol, a, r, leads, p, &t->facility_id, err) != 0)
        return -1;
    audit_rec rec;
    char detail[64];
    snprintf(detail, sizeof detail, "%zu pickups vehicle=%s", r->n, v->plate);
    actor_audit(a, &rec, "create", "trip", 0, detail);
    return store_trip_insert(st, t, p, r->n, &rec, err);
}

int transfers_trip_create(store *st, const policy *pol, const actor *a, const trip_request *r,
                          trip_rec *out, pickup_list *pickups, fk_err *err)
{
    vehicle_rec v;
    if (require(a, err) != 0 || check_vehicle_and_crew(st, a, r, &v, err) != 0)
        return -1;
    lead_rec *leads = fk_calloc(r->n, sizeof *leads);
    pickup_rec *p = fk_calloc(r->n, sizeof *p);
    trip_rec t;
    /* the leads are judged inside the transaction that fetches them: a lead closed
     * meanwhile is not put on a trip */
    int rc = store_begin(st, err);
    if (rc == 0) {
        rc = check_leads(st, a, r, leads, err);
        if (rc == 0)
            rc = create_unit(st, pol, a, r, &v, leads, &t, p, err);
        if (rc == 0)
            rc = store_commit(st, err);
        if (rc != 0)
            store_rollback(st);
    }
    free(leads);
    free(p);
    if (rc != 0)
        return -1;
    if (pickups)
        memset(pickups, 0, sizeof *pickups);
    if (store_trip_get(st, t.id, out, pickups, NULL, err) != 0)
        return -1;
    mask_pickups(a, pickups);
    return 0;
}

/* ---- reads ------------------------------------------------------------------------------ */

static int trip_in_scope(store *st, const actor *a, int64_t id, trip_rec *out,
                         pickup_list *pickups, trip_event_list *events, fk_err *err)
{
    if (require(a, err) != 0 || store_trip_get(st, id, out, pickups, events, err) != 0)
        return -1;
    if (role_in_jurisdiction(a->area_code, out->area_code))
        return 0;
    pickup_list_free(pickups);
    trip_event_list_free(events);
    return not_found("trip", id, err);
}

int transfers_trip_get(store *st, const actor *a, int64_t id, trip_rec *out,
                       pickup_list *pickups, trip_event_list *events, fk_err *err)
{
    if (trip_in_scope(st, a, id, out, pickups, events, err) != 0)
        return -1;
    mask_pickups(a, pickups);
    return actor_audit_append(st, a, "read", "trip", id, "", err);
}

int transfers_trip_list(store *st, const actor *a, const trip_filter *f, trip_list *out,
                        fk_err *err)
{
    char buf[16];
    trip_filter mine = *f;
    memset(out, 0, sizeof *out);
    int go = list_scope(a, f->area_prefix, buf, &mine.area_prefix, err);
    if (go <= 0)
        return go;
    if (store_trip_list(st, &mine, out, err) != 0)
        return -1;
    return actor_audit_append(st, a, "list", "trip", 0, mine.area_prefix, err);
}

/* ---- moves ------------------------------------------------------------------------------ */

static const pickup_rec *find_pickup(const pickup_list *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].id == id)
            return &l->items[i];
    return NULL;
}

/* After a pickup moved: the trip follows its pickups (model/transfer.h); a cancelled
 * trip gives its vehicle back. */
static int follow_pickups(store *st, const actor *a, const trip_rec *t, fk_err *err)
{
    pickup_list l = {0};
    trip_rec now;
    if (store_trip_get(st, t->id, &now, &l, NULL, err) != 0)
        return -1;
    const char **states = fk_calloc(l.n + 1, sizeof *states);
    for (size_t i = 0; i < l.n; i++)
        states[i] = l.items[i].state;
    const char *next = transfer_trip_state_of(now.state, states, (int)l.n);
    int rc = 0;
    if (strcmp(next, now.state) != 0) {
        audit_rec rec;
        actor_audit(a, &rec, "transition", "trip", t->id, next);
        rc = store_trip_set_state(st, t->id, now.state, next, fk_now(), a->username, "", &rec,
                                  err);
        if (rc == 0 && !strcmp(next, "cancelled"))
            rc = store_vehicle_set_state(st, t->vehicle_id, "on_trip", "available", fk_now(),
                                         NULL, err);
    }
    free(states);
    pickup_list_free(&l);
    return rc;
}

int transfers_pickup_move(store *st, const actor *a, int64_t trip_id, int64_t pickup_id,
                          const char *state, const char *note, fk_err *err)
{
    trip_rec t;
    pickup_list l = {0};
    if (!state || (strcmp(state, "aboard") && strcmp(state, "missed")))
        return fk_fail(err, FK_EINVAL, "state", "state: aboard or missed");
    if (note && strlen(note) > 255)
        return fk_fail(err, FK_EINVAL, "note", "note: at most 255 bytes");
    if (trip_in_scope(st, a, trip_id, &t, &l, NULL, err) != 0)
        return -1;
    const pickup_rec *p = find_pickup(&l, pickup_id);
    char from[12];
    int rc = p ? 0 : not_found("pickup", pickup_id, err);
    if (rc == 0 && strcmp(t.state, "assigned") != 0)
        rc = fk_fail(err, FK_ECONFLICT, "state", "state: the trip is %s", t.state);
    if (rc == 0) {
        snprintf(from, sizeof from, "%s", p->state);
        rc = store_begin(st, err);
    }
    pickup_list_free(&l);
    if (rc != 0)
        return -1;
    audit_rec rec;
    actor_audit(a, &rec, "transition", "pickup", pickup_id, state);
    rc = store_pickup_set_state(st, trip_id, pickup_id, from, state, fk_now(), note, &rec, err);
    if (rc == 0)
        rc = follow_pickups(st, a, &t, err);
    if (rc == 0)
        rc = store_commit(st, err);
    if (rc != 0)
        store_rollback(st);
    return rc;
}

/* The isolation cohort (measures.<cohort>) of a lead's kind. */
static const char *cohort_of(const char *kind)
{
    if (!strcmp(kind, "secondary_contact"))
        return "secondary_contact";
    if (!strcmp(kind, "traveler"))
        return "high_risk_area_stay";
    return "close_contact";
}

/* Day 1 of the isolation (out, "" = the day of arrival). The policy anchors it
 * (measures.<cohort>.day1_anchor); for last_exposure it is the last day of the
 * exposure the lead's contact records. When the isolation counted from there would
 * already be over, the person is isolated from arrival instead: they were fetched, and
 * an isolation that ended before it began would release them unobserved. */
static void day1_of(store *st, const policy *pol, const char *cohort, const lead_rec *l,
                    int64_t now, char out[11])
{
    contact_rec c;
    isolation_schedule s;
    fk_err ignored;
    const char *anchor = NULL;
    char path[96], date[11];
    int64_t day1, today;
    out[0] = '\0';
    snprintf(path, sizeof path, "measures.%s.day1_anchor", cohort);
    if (policy_get_string(pol, path, &anchor, &ignored) != 0 || strcmp(anchor, "last_exposure") ||
        !l->contact_id || store_contact_get(st, l->contact_id, &c, &ignored) != 0 ||
        c.first_overlap <= 0)
        return;
    int64_t last = c.first_overlap + c.overlap_s < now ? c.first_overlap + c.overlap_s : now;
    isolation_date_at(pol, last, date);
    isolation_today(pol, out);
    if (isolation_day(date, "day1", &day1, &ignored) != 0 ||
        isolation_day(out, "today", &today, &ignored) != 0 ||
        isolation_schedule_of(pol, cohort, 0, day1, &s, &ignored) != 0 || s.end < today) {
        out[0] = '\0';
        return;
    }
    memcpy(out, date, sizeof date);
}

/* One person arrives: their pickup, their isolation in the reserved room, their lead. */
static int arrive_one(store *st, const policy *pol, const actor *a, const trip_rec *t,
                      const pickup_rec *p, int64_t at, fk_err *err)
{
    lead_rec lead;
    isolation_rec iso;
    actor quarantine, community;
    audit_rec rec;
    delegate(a, "quarantine", &quarantine);
    delegate(a, "community", &community);
    actor_audit(a, &rec, "transition", "pickup", p->id, "arrived");
    if (store_pickup_set_state(st, t->id, p->id, "aboard", "arrived", at, NULL, &rec, err) ||
        store_lead_get(st, p->lead_id, &lead, err) != 0)
        return -1;
    char day1[11];
    day1_of(st, pol, cohort_of(lead.kind), &lead, at, day1);
    isolation_start_req req = {.person_id = p->person_id, .lead_id = p->lead_id,
                               .allocation_id = p->allocation_id, .cohort = cohort_of(lead.kind),
                               .day1_date = day1[0] ? day1 : NULL};
    lead_change c = {.state = "controlled", .measure_taken = "transferred_central",
                     .note = "arrived at the isolation facility"};
    if (isolation_start(st, pol, &quarantine, &req, &iso, err) != 0)
        return -1;
    return leads_change(st, &community, p->lead_id, &c, &lead, err);
}

static int arrive_unit(store *st, const policy *pol, const actor *a, const trip_rec *t,
                       const pickup_list *l, fk_err *err)
{
    int64_t at = fk_now();
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].state, "aboard") &&
            arrive_one(st, pol, a, t, &l->items[i], at, err) != 0)
            return -1;
    audit_rec rec;
    actor_audit(a, &rec, "transition", "trip", t->id, "arrived");
    if (store_trip_set_state(st, t->id, "picked_up", "arrived", at, a->username, "", &rec, err))
        return -1;
    return store_vehicle_set_state(st, t->vehicle_id, "on_trip", "disinfecting", at, NULL, err);
}

int transfers_trip_arrive(store *st, const policy *pol, const actor *a, int64_t trip_id,
                          fk_err *err)
{
    trip_rec t;
    pickup_list l = {0};
    if (trip_in_scope(st, a, trip_id, &t, &l, NULL, err) != 0)
        return -1;
    int rc = strcmp(t.state, "picked_up") == 0
                 ? 0
                 : fk_fail(err, FK_ECONFLICT, "state", "state: the trip is %s; it arrives "
                           "once every pickup is aboard or missed", t.state);
    if (rc == 0 && (rc = store_begin(st, err)) == 0) {
        rc = arrive_unit(st, pol, a, &t, &l, err);
        if (rc == 0)
            rc = store_commit(st, err);
        if (rc != 0)
            store_rollback(st);
    }
    pickup_list_free(&l);
    return rc;
}

/* ---- lateness -------------------------------------------------------------------------- */

static int escalate_page(store *st, const actor *a, const trip_list *page, int64_t period_s,
                         int64_t now, int *raised, fk_err *err)
{
    for (size_t i = 0; i < page->n; i++) {
        const trip_rec *t = &page->items[i];
        int target = transfer_escalation_target(t->state, t->due_at, period_s, now), up = 0;
        if (target <= t->escalation_level)
            continue;
        audit_rec rec;
        char detail[64];
        snprintf(detail, sizeof detail, "late: level %d->%d (%s)", t->escalation_level, target,
                 transfer_level_name(target));
        actor_audit(a, &rec, "escalate", "trip", t->id, detail);
        if (store_trip_escalate(st, t->id, target, now, a->username, &rec, &up, err) != 0)
            return -1;
        *raised += up;
    }
    return 0;
}

int transfers_escalate(store *st, const policy *pol, const actor *a, int64_t now, int *raised,
                       fk_err *err)
{
    int64_t hours, after_due = 0, after_id = 0;
    *raised = 0;
    if (policy_get_int(pol, "transfer.escalation_period_h", &hours, err) != 0)
        return -1;
    for (;;) {
        trip_list page;
        if (store_trip_late_page(st, now, after_due, after_id, 1000, &page, err) != 0)
            return -1;
        int rc = page.n ? store_begin(st, err) : 0;
        if (rc == 0 && page.n)
            rc = escalate_page(st, a, &page, hours * 3600, now, raised, err);
        if (rc == 0 && page.n)
            rc = store_commit(st, err);
        if (rc != 0)
            store_rollback(st);
        if (page.n) {
            after_due = page.items[page.n - 1].due_at;
            after_id = page.items[page.n - 1].id;
        }
        size_t n = page.n;
        trip_list_free(&page);
        if (rc != 0 || n < 1000)
            return rc;
    }
}
