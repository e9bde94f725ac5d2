/*
 * isolation.c - the isolation service (contract: isolation.h).
 *
 * Every path that reads or changes a facility, a room, an allocation or an isolation
 * for a user goes through here, so permission, jurisdiction, masking and audit are
 * applied once. Multi-step changes (a batch, a start with its room, a positive result
 * with its case) are one store transaction: any failure rolls all of it back.
 */
#include "services/isolation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "model/facility.h"
#include "model/isolation.h"
#include "model/person.h"
#include "model/role.h"
#include "services/codes.h"
#include "services/homes.h"
#include "services/registry.h"

/* ---- scope, masking, audit ---------------------------------------------------------------- */

static int facility_in_scope(store *st, const actor *a, int64_t id, facility_rec *out,
                             fk_err *err)
{
    if (actor_require(a, PERM_ISOLATION, err) != 0)
        return -1;
    if (store_facility_get(st, id, out, err) != 0 ||
        !role_in_jurisdiction(a->area_code, out->area_code))
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no facility %lld", (long long)id);
    return 0;
}

static int isolation_in_scope(store *st, const actor *a, int64_t id, isolation_rec *out,
                              fk_err *err)
{
    if (actor_require(a, PERM_ISOLATION, err) != 0)
        return -1;
    if (store_isolation_get(st, id, out, err) != 0 ||
        !role_in_jurisdiction(a->area_code, out->area_code))
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no isolation %lld", (long long)id);
    return 0;
}

static void mask_isolation(const actor *a, isolation_rec *i)
{
    if (role_can(a->role, PERM_UNMASKED))
        return;
    char buf[sizeof i->id_number];
    registry_mask_name(a, i->person_name, sizeof i->person_name);
    mask_id_number(i->id_number, buf, sizeof buf);
    memcpy(i->id_number, buf, sizeof buf);
}

/* The city's day number now: isolation days, test days and ages are the city's local
 * dates (the policy's reporting.utc_offset_h, UTC+8 for China), so that a sample taken at
 * 07:00 on its due day counts on that day and not on the day before, as in UTC. */
static int64_t day_at(const policy *pol, int64_t t)
{
    int64_t offset_h = 0;
    fk_err ignored;
    if (policy_get_int(pol, "reporting.utc_offset_h", &offset_h, &ignored) != 0)
        offset_h = 0;
    t += offset_h * 3600;
    return (t >= 0 ? t : t - 86399) / 86400;
}

static int64_t today_in(const policy *pol)
{
    return day_at(pol, fk_now());
}

void isolation_date_at(const policy *pol, int64_t t, char out[11])
{
    isolation_date(day_at(pol, t), out);
}

void isolation_today(const policy *pol, char out[11])
{
    isolation_date(today_in(pol), out);
}

/* ---- facilities --------------------------------------------------------------------------- */

static int check_lonlat(double lon, double lat, fk_err *err)
{
    if (!(lon >= -180 && lon <= 180))
        return fk_fail(err, FK_EINVAL, "lon", "lon: a longitude in -180..180");
    if (!(lat >= -90 && lat <= 90))
        return fk_fail(err, FK_EINVAL, "lat", "lat: a latitude in -90..90");
    return 0;
}

static int check_facility(const facility_rec *f, fk_err *err)
{
    if (!f->name[0])
        return fk_fail(err, FK_EINVAL, "name", "name: required");
    if (f->state[0] && strcmp(f->state, "open") && strcmp(f->state, "closed"))
        return fk_fail(err, FK_EINVAL, "state", "state: open or closed");
    return check_lonlat(f->lon, f->lat, err);
}

int isolation_facility_create(store *st, const actor *a, facility_rec *f, fk_err *err)
{
    area ar;
    fk_err ignored;
    audit_rec rec;
    if (actor_require(a, PERM_ISOLATION, err) != 0 || check_facility(f, err) != 0)
        return -1;
    if (store_area_get(st, f->area_code, &ar, &ignored) != 0)
        return fk_fail(err, FK_EREF, "area_code", "area_code: no area %s", f->area_code);
    if (!role_in_jurisdiction(a->area_code, f->area_code))
        return fk_fail(err, FK_EFORBIDDEN, "area_code",
                       "area_code: %s is outside your jurisdiction %s", f->area_code,
                       a->area_code);
    actor_audit(a, &rec, "create", "facility", 0, f->name);
    if (store_facility_insert(st, f, &rec, err) != 0)
        return err->code == FK_ECONFLICT
                   ? fk_fail(err, FK_ECONFLICT, "name", "name: %s has a facility named %s",
                             f->area_code, f->name)
                   : -1;
    return store_facility_get(st, f->id, f, err);
}

int isolation_facility_update(store *st, const actor *a, int64_t id, const facility_patch *p,
                              facility_rec *out, fk_err *err)
{
    audit_rec rec;
    if (facility_in_scope(st, a, id, out, err) != 0)
        return -1;
    if (p->name && strlen(p->name) >= sizeof out->name)
        return fk_fail(err, FK_EINVAL, "name", "name: at most %zu bytes", sizeof out->name - 1);
    if (p->address && strlen(p->address) >= sizeof out->address)
        return fk_fail(err, FK_EINVAL, "address", "address: at most %zu bytes",
                       sizeof out->address - 1);
    if (p->name)
        snprintf(out->name, sizeof out->name, "%s", p->name);
    if (p->address)
        snprintf(out->address, sizeof out->address, "%s", p->address);
    if (p->state)
        snprintf(out->state, sizeof out->state, "%.7s", p->state);
    if (p->state && strcmp(p->state, "open") && strcmp(p->state, "closed"))
        return fk_fail(err, FK_EINVAL, "state", "state: open or closed");
    out->lon = p->has_lon ? p->lon : out->lon;
    out->lat = p->has_lat ? p->lat : out->lat;
    if (check_facility(out, err) != 0)
        return -1;
    actor_audit(a, &rec, "update", "facility", id, out->name);
    return store_facility_update(st, out, &rec, err);
}

int isolation_facility_get(store *st, const actor *a, int64_t id, facility_rec *out,
                           staff_list *staff, check_list *checks, fk_err *err)
{
    if (staff)
        memset(staff, 0, sizeof *staff);
    if (checks)
        memset(checks, 0, sizeof *checks);
    if (facility_in_scope(st, a, id, out, err) != 0 ||
        actor_audit_append(st, a, "read", "facility", id, "", err) != 0)
        return -1;
    if (staff && store_staff_list(st, id, staff, err) != 0)
        return -1;
    if (checks && store_check_list(st, id, checks, err) != 0) {
        staff_list_free(staff);
        return -1;
    }
    if (staff && !role_can(a->role, PERM_UNMASKED))
        for (size_t i = 0; i < staff->n; i++) {
            char buf[sizeof staff->items[i].phone];
            mask_phone(staff->items[i].phone, buf, sizeof buf);
            memcpy(staff->items[i].phone, buf, sizeof buf);
        }
    return 0;
}

int isolation_facility_list(store *st, const actor *a, const char *area, int limit, int offset,
                            facility_list *out, fk_err *err)
{
    char scope[16], detail[64];
    const char *prefix;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_ISOLATION, err) != 0)
        return -1;
    if (!actor_narrow_area(a, area, scope, sizeof scope, &prefix))
        return 0;
    if (store_facility_list(st, prefix, limit, offset, out, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "area=%s returned=%zu", prefix, out->n);
    if (actor_audit_append(st, a, "list", "facility", 0, detail, err) != 0) {
        facility_list_free(out);
        return -1;
    }
    return 0;
}

static int check_room_numbers(const char *const *numbers, size_t n, fk_err *err)
{
    if (n == 0 || n > ISOLATION_MAX_ROOMS)
        return fk_fail(err, FK_EINVAL, "numbers", "numbers: 1 to %d room numbers",
                       ISOLATION_MAX_ROOMS);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(numbers[i]);
        if (len == 0 || len > 31)
            return fk_fail(err, FK_EINVAL, "numbers", "numbers.%zu: 1 to 31 bytes", i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(numbers[i], numbers[j]))
                return fk_fail(err, FK_EINVAL, "numbers", "numbers.%zu: %s is repeated", i,
                               numbers[i]);
    }
    return 0;
}

int isolation_rooms_add(store *st, const policy *pol, const actor *a, int64_t fid,
                        const char *const *numbers, size_t n, bool own_bathroom, fk_err *err)
{
    facility_rec f;
    bool required = true;
    audit_rec rec;
    char detail[64];
    if (facility_in_scope(st, a, fid, &f, err) != 0 || check_room_numbers(numbers, n, err) ||
        policy_get_bool(pol, "isolation.single_room_own_bathroom", &required, err) != 0)
        return -1;
    if (required && !own_bathroom)
        return fk_fail(err, FK_EINVAL, "own_bathroom",
                       "own_bathroom: policy %s requires single rooms with their own bathroom",
                       policy_id(pol));
    snprintf(detail, sizeof detail, "rooms=%zu", n);
    actor_audit(a, &rec, "create", "rooms", fid, detail);
    return store_rooms_insert(st, fid, numbers, n, own_bathroom, &rec, err);
}

int isolation_rooms_list(store *st, const actor *a, int64_t fid, const char *state,
                         room_list *out, fk_err *err)
{
    facility_rec f;
    memset(out, 0, sizeof *out);
    if (facility_in_scope(st, a, fid, &f, err) != 0)
        return -1;
    if (state && !facility_room_state_known(state))
        return fk_fail(err, FK_EINVAL, "state", "state: unknown room state %s", state);
    return store_room_list(st, fid, state, out, err);
}

int isolation_room_set_state(store *st, const actor *a, int64_t fid, int64_t room_id,
                             const char *state, room_rec *out, fk_err *err)
{
    facility_rec f;
    audit_rec rec;
    char detail[64];
    if (facility_in_scope(st, a, fid, &f, err) != 0)
        return -1;
    if (store_room_get(st, room_id, out, err) != 0 || out->facility_id != fid)
        return fk_fail(err, FK_ENOTFOUND, "room_id", "room_id: facility %lld has no room %lld",
                       (long long)fid, (long long)room_id);
    if (!state || facility_check_hand_move(out->state, state, err) != 0)
        return state ? -1 : fk_fail(err, FK_EINVAL, "state", "state: required");
    snprintf(detail, sizeof detail, "%s->%s", out->state, state);
    actor_audit(a, &rec, "transition", "room", room_id, detail);
    if (store_room_set_state(st, room_id, out->state, state, &rec, err) != 0)
        return -1;
    return store_room_get(st, room_id, out, err);
}

int isolation_staff_add(store *st, const actor *a, staff_rec *s, fk_err *err)
{
    facility_rec f;
    audit_rec rec;
    if (facility_in_scope(st, a, s->facility_id, &f, err) != 0)
        return -1;
    if (!s->name[0])
        return fk_fail(err, FK_EINVAL, "name", "name: required");
    if (!s->duty[0])
        return fk_fail(err, FK_EINVAL, "duty", "duty: required (e.g. doctor, nurse, security)");
    actor_audit(a, &rec, "create", "facility_staff", s->facility_id, s->duty);
    return store_staff_insert(st, s, &rec, err);
}

static bool checklist_item(const policy *pol, const char *item)
{
    size_t n = 0;
    char path[96];
    const char *v;
    if (policy_get_count(pol, "isolation.facility_checklist.items", &n, NULL) != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "isolation.facility_checklist.items.%zu", i);
        if (policy_get_string(pol, path, &v, NULL) == 0 && !strcmp(v, item))
            return true;
    }
    return false;
}

int isolation_check_set(store *st, const policy *pol, const actor *a, int64_t fid,
                        check_rec *c, fk_err *err)
{
    facility_rec f;
    audit_rec rec;
    if (facility_in_scope(st, a, fid, &f, err) != 0)
        return -1;
    if (!checklist_item(pol, c->item))
        return fk_fail(err, FK_EINVAL, "item",
                       "item: %s is not in the policy's isolation.facility_checklist.items",
                       c->item);
    snprintf(c->checked_by, sizeof c->checked_by, "%s", a->username);
    c->checked_at = fk_now();
    actor_audit(a, &rec, "check", "facility", fid, c->item);
    return store_check_set(st, fid, c, &rec, err);
}

/* ---- allocation ---------------------------------------------------------------------------- */

/* A batch in three steps, all inside one unit (which holds the write lock, so the room
 * counts and the vacant rooms read stay true until the write):
 *  1. plan_group: each group of persons (one, or a household sharing) gets its facility
 *     and its rooms as slots, in memory;
 *  2. fill_rooms: the lowest vacant rooms of each facility used fill its slots, one read
 *     a facility;
 *  3. write_batch: every allocation is numbered and written at once.
 * The rows to write, al[], are in write order: each group's primaries, then its sharers
 * (a sharer names its primary, written before it). */
typedef struct alloc_ctx {
    store *st;
    homes *hm;                   /* where the homes are read: services/homes.h */
    const actor *a;
    sharing_rule share;
    enum facility_prefer prefer;
    double max_km;
    facility_list fac;
    facility_pick *picks;
    person_place *places;
    allocation_rec *al;          /* the rows to write */
    size_t *row_of, *slot_of;    /* al[i] is for req[row_of[i]], in room slot slot_of[i] */
    size_t n_al, n_slots;
    long *slot_fac;              /* per slot: the facility's index in fac */
    size_t *primary_of;          /* per slot: the index in al[] of its primary */
    int64_t *room_ids;           /* per slot, by fill_rooms */
    char (*room_numbers)[32];
    int64_t first_id, last_id;   /* the allocations written, for the batch's audit record */
    char today[11];              /* the city's date, for ages */
} alloc_ctx;

/* The batch's arrays, for n persons (a slot per person at most). */
static void ctx_alloc(alloc_ctx *cx, size_t n)
{
    cx->al = fk_calloc(n, sizeof *cx->al);
    cx->row_of = fk_calloc(n, sizeof *cx->row_of);
    cx->slot_of = fk_calloc(n, sizeof *cx->slot_of);
    cx->slot_fac = fk_calloc(n, sizeof *cx->slot_fac);
    cx->primary_of = fk_calloc(n, sizeof *cx->primary_of);
    cx->room_ids = fk_calloc(n, sizeof *cx->room_ids);
    cx->room_numbers = fk_calloc(n, sizeof *cx->room_numbers);
}

static void ctx_free(alloc_ctx *cx)
{
    free(cx->places);
    free(cx->picks);
    free(cx->al);
    free(cx->row_of);
    free(cx->slot_of);
    free(cx->slot_fac);
    free(cx->primary_of);
    free(cx->room_ids);
    free(cx->room_numbers);
    facility_list_free(&cx->fac);
}

static int load_rules(const policy *pol, alloc_ctx *cx, fk_err *err)
{
    int64_t v[4];
    const char *prefer;
    bool allowed;
    if (policy_get_bool(pol, "isolation.sharing.allowed", &allowed, err) ||
        policy_get_int(pol, "isolation.sharing.child_max_age", &v[0], err) ||
        policy_get_int(pol, "isolation.sharing.elderly_min_age", &v[1], err) ||
        policy_get_int(pol, "isolation.sharing.carer_min_age", &v[2], err) ||
        policy_get_int(pol, "isolation.sharing.max_per_room", &v[3], err) ||
        policy_get_string(pol, "isolation.allocation.prefer", &prefer, err) ||
        policy_get_double(pol, "isolation.allocation.max_distance_km", &cx->max_km, err))
        return -1;
    cx->share = (sharing_rule){allowed, (int)v[0], (int)v[1], (int)v[2], (int)v[3]};
    cx->prefer = strcmp(prefer, "most_free") ? FACILITY_NEAREST : FACILITY_MOST_FREE;
    isolation_today(pol, cx->today);
    return 0;
}

/* Whole years from a birth date to `now` (the city's date); -1 when unknown. */
static int age_of(const char *birth, const char *now)
{
    int y, m, d;
    if (fk_date_parse(birth, &y, &m, &d, "birth_date", NULL) != 0)
        return -1;
    int age = atoi(now) - y;
    if (strcmp(now + 5, birth + 5) < 0)
        age--;
    return age < 0 ? -1 : age;
}

/* Where every person of the batch lives and the area of every lead named, one read
 * each (cx->places, areas), before the rows are checked. */
static int read_rows(alloc_ctx *cx, const alloc_request *req, size_t n, char (*areas)[16],
                     fk_err *err)
{
    int64_t *ids = fk_calloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = req[i].person_id;
    int rc = homes_places(cx->hm, cx->st, ids, n, cx->places, err);
    for (size_t i = 0; i < n; i++)
        ids[i] = req[i].lead_id;
    rc = rc || store_lead_areas(cx->st, ids, n, areas, err);
    free(ids);
    return rc ? -1 : 0;
}

/* Check row i of the batch against what read_rows found (lead_area: its lead's area). */
static int check_row(alloc_ctx *cx, const alloc_request *req, size_t i, const char *lead_area,
                     fk_err *err)
{
    const alloc_request *r = &req[i];
    const person_place *pl = &cx->places[i];
    for (size_t j = 0; j < i; j++)
        if (req[j].person_id == r->person_id)
            return fk_fail(err, FK_EINVAL, "persons", "persons.%zu.person_id: %lld is repeated",
                           i, (long long)r->person_id);
    if (r->person_id <= 0 || pl->person_id != r->person_id ||
        !role_in_jurisdiction(cx->a->area_code, pl->community_code))
        return fk_fail(err, FK_EREF, "persons", "persons.%zu.person_id: no person %lld", i,
                       (long long)r->person_id);
    if (r->lead_id && (!lead_area[0] || !role_in_jurisdiction(cx->a->area_code, lead_area)))
        return fk_fail(err, FK_EREF, "persons", "persons.%zu.lead_id: no lead %lld", i,
                       (long long)r->lead_id);
    if (!pl->located)
        return fk_fail(err, FK_EINVAL, "persons",
                       "persons.%zu.person_id: no coordinates known for person %lld's home", i,
                       (long long)r->person_id);
    return 0;
}

/* Every row checked, in order: the first bad one refuses the batch. */
static int check_rows(alloc_ctx *cx, const alloc_request *req, size_t n, fk_err *err)
{
    char(*areas)[16] = fk_calloc(n, sizeof *areas);
    int rc = read_rows(cx, req, n, areas, err);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = check_row(cx, req, i, areas[i], err);
    free(areas);
    return rc;
}

/* The batch's write refused: the schema's one active allocation per person is the
 * usual reason, looked for only now (a read per row), when it costs nothing to the
 * batches that succeed; the first row holding a room is named. The rows of this batch
 * (ids from `base`) written before the refusal are still in the unit until it is rolled
 * back (store_allocations_insert stops at the refused row): they hold nothing. */
static int already_held(alloc_ctx *cx, const alloc_request *req, size_t n, int64_t base,
                        fk_err *err)
{
    allocation_rec held;
    fk_err ignored;
    if (err->code != FK_ECONFLICT)
        return -1;
    for (size_t row = 0; row < n; row++)
        if (store_allocation_of_person(cx->st, req[row].person_id, &held, &ignored) == 0 &&
            held.id < base)
            return fk_fail(err, FK_ECONFLICT, "persons",
                           "persons.%zu.person_id: person %lld already holds room %s of %s",
                           row, (long long)req[row].person_id, held.room_number,
                           held.facility_name);
    return -1;
}

/* Members of row i's household among rows i.. not yet placed, into members[]. */
static size_t group_of(const alloc_ctx *cx, size_t n, size_t i, bool household,
                       const bool *placed, size_t *members)
{
    size_t k = 0;
    int64_t hh = cx->places[i].household_id;
    members[k++] = i;
    if (!household || !hh)
        return k;
    for (size_t j = i + 1; j < n && k < 64; j++)
        if (!placed[j] && cx->places[j].household_id == hh)
            members[k++] = j;
    return k;
}

static int no_room(const alloc_ctx *cx, size_t row, size_t rooms, fk_err *err)
{
    int64_t free_rooms = 0;
    for (size_t f = 0; f < cx->fac.n; f++)
        free_rooms += cx->picks[f].vacant;
    return fk_fail(err, FK_ECONFLICT, "persons",
                   "persons.%zu: no free room (%zu needed, %lld vacant in the open facilities "
                   "of your jurisdiction)",
                   row, rooms, (long long)free_rooms);
}

/* Step 1 for one group (members[0..k)): its facility, its room slots, its rows in al[]. */
static int plan_group(alloc_ctx *cx, const alloc_request *req, const size_t *members, size_t k,
                      fk_err *err)
{
    int ages[64];
    size_t room_of[64];
    bool primary[64];
    for (size_t m = 0; m < k; m++)
        ages[m] = age_of(cx->places[members[m]].birth_date, cx->today);
    size_t rooms = facility_share_plan(&cx->share, ages, k, room_of, primary);
    const person_place *home = &cx->places[members[0]];
    long f = facility_choose(cx->picks, cx->fac.n, home->lon, home->lat, (long)rooms, cx->prefer,
                             cx->max_km);
    if (f < 0)
        return no_room(cx, members[0], rooms, err);
    cx->picks[f].vacant -= (long)rooms;
    size_t first_slot = cx->n_slots;
    for (size_t r = 0; r < rooms; r++)
        cx->slot_fac[cx->n_slots++] = f;
    /* primaries first, so that sharers are written after the primary they name */
    for (int pass = 0; pass < 2; pass++)
        for (size_t m = 0; m < k; m++) {
            if (primary[m] != (pass == 0))
                continue;
            size_t i = cx->n_al++, row = members[m], slot = first_slot + room_of[m];
            cx->row_of[i] = row;
            cx->slot_of[i] = slot;
            if (primary[m])
                cx->primary_of[slot] = i;
            cx->al[i] = (allocation_rec){.person_id = req[row].person_id,
                                         .lead_id = req[row].lead_id,
                                         .primary_id = primary[m] ? 0 : 1};
        }
    return 0;
}

/* Step 2: the lowest vacant rooms of each facility used, in slot order. */
static int fill_rooms(alloc_ctx *cx, fk_err *err)
{
    size_t *need = fk_calloc(cx->fac.n + 1, sizeof *need);
    size_t *next = fk_calloc(cx->fac.n + 1, sizeof *next);
    int rc = 0;
    for (size_t s = 0; s < cx->n_slots; s++)
        need[cx->slot_fac[s]]++;
    /* a facility's rooms go to a run of the buffers starting at next[f] */
    for (size_t f = 0, at = 0; f < cx->fac.n; at += need[f], f++)
        next[f] = at;
    for (size_t f = 0; f < cx->fac.n && rc == 0; f++) {
        size_t got = 0;
        if (!need[f])
            continue;
        rc = store_rooms_vacant(cx->st, cx->fac.items[f].id, need[f], &cx->room_ids[next[f]],
                                &cx->room_numbers[next[f]], &got, err);
        if (rc == 0 && got < need[f])
            rc = fk_fail(err, FK_ECONFLICT, "facility_id",
                         "facility_id: facility %lld has no vacant room",
                         (long long)cx->fac.items[f].id);
    }
    /* slots in order take their facility's rooms in order: rooms were read sorted by
     * facility, slots are by group; move each to its slot in a copy */
    int64_t *ids = fk_calloc(cx->n_slots + 1, sizeof *ids);
    char(*numbers)[32] = fk_calloc(cx->n_slots + 1, sizeof *numbers);
    for (size_t s = 0; s < cx->n_slots && rc == 0; s++) {
        size_t j = next[cx->slot_fac[s]]++;
        ids[s] = cx->room_ids[j];
        memcpy(numbers[s], cx->room_numbers[j], 32);
    }
    memcpy(cx->room_ids, ids, cx->n_slots * sizeof *ids);
    memcpy(cx->room_numbers, numbers, cx->n_slots * sizeof *numbers);
    free(ids);
    free(numbers);
    free(need);
    free(next);
    return rc;
}

/* Step 3: the rows numbered from the next id, written, and answered in out[] by row. */
static int write_batch(alloc_ctx *cx, const alloc_request *req, size_t n, alloc_result *out,
                       fk_err *err)
{
    int64_t base;
    if (store_allocation_next_id(cx->st, &base, err) != 0)
        return -1;
    for (size_t i = 0; i < cx->n_al; i++) {
        allocation_rec *al = &cx->al[i];
        size_t slot = cx->slot_of[i];
        const facility_rec *fac = &cx->fac.items[cx->slot_fac[slot]];
        const person_place *home = &cx->places[cx->row_of[i]];
        al->id = base + (int64_t)i;
        al->room_id = cx->room_ids[slot];
        al->facility_id = fac->id; /* the room's, read with it by fill_rooms */
        al->primary_id = al->primary_id ? base + (int64_t)cx->primary_of[slot] : 0;
        al->distance_m = (int64_t)facility_distance_m(home->lon, home->lat, fac->lon, fac->lat);
    }
    if (store_allocations_insert(cx->st, cx->al, cx->n_al, cx->a->username, err) != 0)
        return already_held(cx, req, n, base, err);
    cx->first_id = base;
    cx->last_id = base + (int64_t)cx->n_al - 1;
    for (size_t i = 0; i < cx->n_al; i++) {
        const allocation_rec *al = &cx->al[i];
        size_t row = cx->row_of[i], slot = cx->slot_of[i];
        const facility_rec *fac = &cx->fac.items[cx->slot_fac[slot]];
        out[row] = (alloc_result){.person_id = al->person_id, .allocation_id = al->id,
                                  .room_id = al->room_id, .facility_id = fac->id,
                                  .primary_id = al->primary_id, .distance_m = al->distance_m};
        snprintf(out[row].facility_name, sizeof out[row].facility_name, "%s", fac->name);
        memcpy(out[row].room_number, cx->room_numbers[slot], sizeof out[row].room_number);
    }
    return 0;
}

/* One audit record for the batch, in its transaction: the allocation rows it names
 * (ids first..last, each with its person, room, actor and time) are the detail, so the
 * log holds every person placed without a second row per person. */
static int audit_batch(const alloc_ctx *cx, size_t n, bool household, fk_err *err)
{
    audit_rec rec;
    char detail[128];
    snprintf(detail, sizeof detail, "allocations %lld..%lld: %zu persons%s",
             (long long)cx->first_id, (long long)cx->last_id, n,
             household ? ", household sharing" : "");
    actor_audit(cx->a, &rec, "allocate", "allocation", cx->first_id, detail);
    return store_audit_append(cx->st, &rec, err);
}

/* The open facilities of the caller's jurisdiction with their vacant counts. */
static int open_facilities(alloc_ctx *cx, fk_err *err)
{
    char scope[16];
    const char *prefix = "";
    actor_narrow_area(cx->a, NULL, scope, sizeof scope, &prefix);
    if (store_facility_open(cx->st, prefix, &cx->fac, err) != 0)
        return -1;
    cx->picks = fk_calloc(cx->fac.n + 1, sizeof *cx->picks);
    for (size_t f = 0; f < cx->fac.n; f++)
        cx->picks[f] = (facility_pick){cx->fac.items[f].lon, cx->fac.items[f].lat,
                                       (long)cx->fac.items[f].n_vacant};
    return 0;
}

static int allocate_unit(alloc_ctx *cx, const alloc_request *req, size_t n, bool household,
                         alloc_result *out, fk_err *err)
{
    size_t members[64];
    if (check_rows(cx, req, n, err) != 0 || open_facilities(cx, err) != 0)
        return -1;
    ctx_alloc(cx, n);
    bool *placed = fk_calloc(n, sizeof *placed);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (placed[i])
            continue;
        size_t k = group_of(cx, n, i, household, placed, members);
        rc = plan_group(cx, req, members, k, err);
        for (size_t m = 0; m < k; m++)
            placed[members[m]] = true;
    }
    free(placed);
    if (rc != 0 || fill_rooms(cx, err) != 0 || write_batch(cx, req, n, out, err) != 0)
        return -1;
    return audit_batch(cx, n, household, err);
}

/* What a batch needs before the store: the permission and its size. */
static int allocate_precheck(const actor *a, size_t n, fk_err *err)
{
    if (actor_require(a, PERM_ISOLATION, err) != 0)
        return -1;
    if (n == 0 || n > ISOLATION_MAX_BATCH)
        return fk_fail(err, FK_EINVAL, "persons", "persons: 1 to %d persons",
                       ISOLATION_MAX_BATCH);
    return 0;
}

int isolation_allocate_in_unit(store *st, const policy *pol, const actor *a,
                               const alloc_request *req, size_t n, bool household,
                               homes *hm, alloc_result *out, fk_err *err)
{
    alloc_ctx cx = {.st = st, .hm = hm, .a = a};
    if (allocate_precheck(a, n, err) != 0 || load_rules(pol, &cx, err) != 0)
        return -1;
    cx.places = fk_try_malloc(n * sizeof *cx.places);
    if (!cx.places)
        return fk_fail(err, FK_EBUSY, "persons", "persons: out of memory for the batch");
    memset(out, 0, n * sizeof *out);
    int rc = allocate_unit(&cx, req, n, household, out, err);
    ctx_free(&cx);
    return rc;
}

int isolation_allocate(store *st, const policy *pol, const actor *a, const alloc_request *req,
                       size_t n, bool household, alloc_result *out, fk_err *err)
{
    if (allocate_precheck(a, n, err) != 0 || store_begin(st, err) != 0)
        return -1;
    return store_end(st, isolation_allocate_in_unit(st, pol, a, req, n, household, NULL, out,
                                                    err), err);
}

/* ---- outlook ------------------------------------------------------------------------------- */

int isolation_outlook_get(store *st, const policy *pol, const actor *a, const char *area,
                          int64_t now, isolation_outlook *out, fk_err *err)
{
    char scope[16], detail[64];
    const char *prefix;
    int64_t horizons[ISOLATION_MAX_HORIZONS], window, cleaning_h;
    size_t nh;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_ISOLATION, err) != 0 ||
        policy_get_int_array(pol, "isolation.outlook.horizons_h", horizons,
                             ISOLATION_MAX_HORIZONS, &nh, err) != 0 ||
        policy_get_int(pol, "isolation.outlook.trend_window_h", &window, err) != 0 ||
        policy_get_int(pol, "isolation.cleaning.hours", &cleaning_h, err) != 0)
        return -1;
    if (!actor_narrow_area(a, area, scope, sizeof scope, &prefix))
        return fk_fail(err, FK_EFORBIDDEN, "area", "area: %s is outside your jurisdiction",
                       area);
    if (store_outlook_counts(st, prefix, "central_isolation", now - window * 3600, &out->now,
                             err) != 0)
        return -1;
    out->window_h = (int)window;
    out->per_hour = (double)out->now.started_in_window / (double)window;
    out->n = (int)nh;
    for (size_t i = 0; i < nh; i++) {
        outlook_horizon *h = &out->h[i];
        h->hours = (int)horizons[i];
        h->demand = (double)out->now.leads_in_flight + out->per_hour * h->hours;
        /* released the local day after its end date, then cleaned: end dates up to the
         * city's date a day before by - cleaning are free by then */
        int64_t by = now + h->hours * 3600;
        char last_end_day[11];
        isolation_date_at(pol, by - cleaning_h * 3600 - 86400, last_end_day);
        if (store_outlook_freeing(st, prefix, by, cleaning_h * 3600, last_end_day, &h->freed,
                                  err) != 0)
            return -1;
        h->available = out->now.vacant + h->freed;
        int64_t need = (int64_t)ceil(h->demand - 1e-9);
        h->shortfall = need > h->available ? need - h->available : 0;
        out->warning |= h->shortfall > 0;
    }
    snprintf(detail, sizeof detail, "area=%s", prefix);
    return actor_audit_append(st, a, "read", "outlook", 0, detail, err);
}

/* ---- isolations ---------------------------------------------------------------------------- */

/* The person, in scope, for an isolation. */
static int person_in_scope(store *st, const actor *a, int64_t id, person *p, fk_err *err)
{
    fk_err ignored;
    if (id <= 0 || store_person_get(st, id, p, &ignored) != 0 ||
        !role_in_jurisdiction(a->area_code, p->community_code))
        return fk_fail(err, FK_EREF, "person_id", "person_id: no person %lld", (long long)id);
    return 0;
}

static int check_lead(store *st, const actor *a, int64_t lead_id, fk_err *err)
{
    lead_rec l;
    fk_err ignored;
    if (lead_id && (store_lead_get(st, lead_id, &l, &ignored) != 0 ||
                    !role_in_jurisdiction(a->area_code, l.area_code)))
        return fk_fail(err, FK_EREF, "lead_id", "lead_id: no lead %lld", (long long)lead_id);
    return 0;
}

/* The row and tests of phase `phase` for day 1 `day1`. */
static int plan(const policy *pol, const char *cohort, int phase, int64_t day1,
                isolation_rec *iso, isolation_test_rec *tests, size_t *n, fk_err *err)
{
    isolation_schedule s;
    if (isolation_schedule_of(pol, cohort, phase, day1, &s, err) != 0)
        return -1;
    snprintf(iso->cohort, sizeof iso->cohort, "%s", cohort);
    snprintf(iso->kind, sizeof iso->kind, "%s", s.kind);
    snprintf(iso->policy_id, sizeof iso->policy_id, "%s", policy_id(pol));
    iso->phase = phase;
    isolation_date(day1, iso->day1_date);
    isolation_date(s.end, iso->end_date);
    snprintf(iso->next_kind, sizeof iso->next_kind, "%s", s.next_kind);
    if (s.next_end)
        isolation_date(s.next_end, iso->next_end_date);
    for (int i = 0; i < s.n_tests; i++) {
        memset(&tests[i], 0, sizeof tests[i]);
        tests[i].day = s.tests[i].day;
        isolation_date(s.tests[i].due, tests[i].due_date);
        snprintf(tests[i].test_kind, sizeof tests[i].test_kind, "%s", s.tests[i].test_kind);
    }
    *n = (size_t)s.n_tests;
    return 0;
}

/* The room of a central isolation: the allocation named, else the person's active one,
 * else one allocated now. */
static int room_for(store *st, const policy *pol, const actor *a, const isolation_start_req *r,
                    int64_t *allocation_id, fk_err *err)
{
    allocation_rec al;
    fk_err ignored;
    if (r->allocation_id) {
        /* occupied too: a household member may have moved into the shared room first */
        if (store_allocation_get(st, r->allocation_id, &al, &ignored) != 0 ||
            al.person_id != r->person_id || !strcmp(al.state, "ended"))
            return fk_fail(err, FK_EREF, "allocation_id",
                           "allocation_id: no active allocation %lld for person %lld",
                           (long long)r->allocation_id, (long long)r->person_id);
        *allocation_id = al.id;
        return 0;
    }
    if (store_allocation_of_person(st, r->person_id, &al, &ignored) == 0) {
        *allocation_id = al.id;
        return 0;
    }
    alloc_request one = {r->person_id, r->lead_id};
    alloc_result res = {0};
    alloc_ctx cx = {.st = st, .a = a};
    cx.places = fk_calloc(1, sizeof *cx.places);
    int rc = load_rules(pol, &cx, err) != 0 ? -1 : allocate_unit(&cx, &one, 1, false, &res, err);
    ctx_free(&cx);
    if (rc != 0 && err && !strcmp(err->field, "persons"))
        snprintf(err->field, sizeof err->field, "person_id");
    *allocation_id = res.allocation_id;
    return rc;
}

static int start_unit(store *st, const policy *pol, const actor *a, const isolation_start_req *r,
                      const person *p, int phase, int64_t day1, isolation_rec *iso, fk_err *err)
{
    isolation_test_rec tests[ISOLATION_MAX_TESTS];
    size_t nt;
    audit_rec rec;
    char detail[96];
    memset(iso, 0, sizeof *iso);
    if (plan(pol, r->cohort ? r->cohort : "close_contact", phase, day1, iso, tests, &nt, err))
        return -1;
    iso->person_id = p->id;
    iso->lead_id = r->lead_id;
    snprintf(iso->area_code, sizeof iso->area_code, "%s", p->community_code);
    if (!strcmp(iso->kind, "central_isolation")) {
        if (room_for(st, pol, a, r, &iso->allocation_id, err) != 0)
            return -1;
    } else {
        iso->household_id = p->household_id;
    }
    snprintf(detail, sizeof detail, "person=%lld %s %s..%s", (long long)p->id, iso->kind,
             iso->day1_date, iso->end_date);
    actor_audit(a, &rec, "create", "isolation", 0, detail);
    return store_isolation_insert(st, iso, tests, nt, &rec, err) ||
           codes_recompute_for(st, a, "isolation", CODES_BY_PERSON, p->id, err) ? -1 : 0;
}

static int check_day1(const char *date, int64_t today, int64_t *day1, fk_err *err)
{
    if (!date) {
        *day1 = today;
        return 0;
    }
    if (isolation_day(date, "day1_date", day1, err) != 0)
        return -1;
    if (*day1 > today)
        return fk_fail(err, FK_EINVAL, "day1_date", "day1_date: %s is in the future", date);
    return 0;
}

int isolation_start(store *st, const policy *pol, const actor *a, const isolation_start_req *r,
                    isolation_rec *out, fk_err *err)
{
    person p;
    int64_t day1;
    isolation_schedule s;
    char end[11];
    if (actor_require(a, PERM_ISOLATION, err) != 0 ||
        person_in_scope(st, a, r->person_id, &p, err) != 0 ||
        check_day1(r->day1_date, today_in(pol), &day1, err) != 0 ||
        check_lead(st, a, r->lead_id, err) != 0 ||
        isolation_schedule_of(pol, r->cohort ? r->cohort : "close_contact", 0, day1, &s, err))
        return -1;
    if (s.end < today_in(pol)) {
        char from[11];
        isolation_date(day1, from);
        isolation_date(s.end, end);
        return fk_fail(err, FK_EINVAL, "day1_date",
                       "day1_date: an isolation from %s would have ended on %s", from, end);
    }
    if (store_begin(st, err) != 0)
        return -1;
    if (start_unit(st, pol, a, r, &p, 0, day1, out, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (store_commit(st, err) != 0)
        return -1;
    return isolation_get(st, a, out->id, out, NULL, err);
}

int isolations_list(store *st, const actor *a, const isolation_filter *f, isolation_list *out,
                   fk_err *err)
{
    char scope[16], detail[128];
    isolation_filter g = *f;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_ISOLATION, err) != 0)
        return -1;
    if (!actor_narrow_area(a, f->area_prefix, scope, sizeof scope, &g.area_prefix))
        return 0;
    if (store_isolation_list(st, &g, out, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "area=%s state=%s kind=%s facility=%lld returned=%zu",
             g.area_prefix, g.state ? g.state : "", g.kind ? g.kind : "",
             (long long)g.facility_id, out->n);
    if (actor_audit_append(st, a, "list", "isolation", 0, detail, err) != 0) {
        isolation_list_free(out);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        mask_isolation(a, &out->items[i]);
    return 0;
}

int isolation_get(store *st, const actor *a, int64_t id, isolation_rec *out,
                  isolation_test_list *tests, fk_err *err)
{
    if (tests)
        memset(tests, 0, sizeof *tests);
    if (isolation_in_scope(st, a, id, out, err) != 0 ||
        actor_audit_append(st, a, "read", "isolation", id, "", err) != 0)
        return -1;
    if (tests && store_isolation_tests(st, id, tests, err) != 0)
        return -1;
    if (tests)
        for (size_t i = 0; i < tests->n; i++)
            registry_mask_name(a, tests->items[i].person_name,
                               sizeof tests->items[i].person_name);
    mask_isolation(a, out);
    return 0;
}

static int find_test(store *st, int64_t id, int64_t test_id, isolation_test_rec *t, fk_err *err)
{
    isolation_test_list l;
    int found = 0;
    if (store_isolation_tests(st, id, &l, err) != 0)
        return -1;
    for (size_t i = 0; i < l.n; i++)
        if (l.items[i].id == test_id) {
            *t = l.items[i];
            found = 1;
        }
    isolation_test_list_free(&l);
    return found ? 0 : fk_fail(err, FK_ENOTFOUND, "test_id", "test_id: isolation %lld has no "
                               "test %lld", (long long)id, (long long)test_id);
}

/* The case of a positive test (registry_case_screening_positive). */
static int case_of_positive(store *st, const actor *a, const isolation_rec *iso,
                            const isolation_test_rec *t, int64_t *case_id, fk_err *err)
{
    epicase c;
    if (registry_case_screening_positive(st, a, iso->person_id, "quarantine_screening",
                                         t->due_date, &c, err) != 0)
        return -1;
    *case_id = c.id;
    return 0;
}

static int result_unit(store *st, const actor *a, const isolation_rec *iso,
                       const isolation_test_rec *t, const char *result, fk_err *err)
{
    audit_rec rec;
    char detail[96];
    int64_t case_id = 0;
    snprintf(detail, sizeof detail, "isolation=%lld day=%d %s", (long long)iso->id, t->day, result);
    actor_audit(a, &rec, "result", "isolation_test", t->id, detail);
    if (store_isolation_test_result(st, t->id, result, a->username, fk_now(), &rec, err) != 0)
        return -1;
    if (strcmp(result, "positive") != 0) /* a negative: the last negative time, overdue */
        return codes_recompute_for(st, a, "isolation_test", CODES_BY_ISOLATION, iso->id, err);
    if (case_of_positive(st, a, iso, t, &case_id, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "ended early: positive test day %d, case %lld", t->day,
             (long long)case_id);
    actor_audit(a, &rec, "end", "isolation", iso->id, detail);
    return store_isolation_end(st, iso->id, "ended_case", case_id, fk_now(), &rec, err) ||
           codes_recompute_for(st, a, "isolation", CODES_BY_ISOLATION, iso->id, err) ? -1 : 0;
}

int isolation_record_result(store *st, const policy *pol, const actor *a, int64_t id,
                            int64_t test_id, const char *result, isolation_rec *out, fk_err *err)
{
    isolation_test_rec t;
    int64_t due;
    if (isolation_in_scope(st, a, id, out, err) != 0 || find_test(st, id, test_id, &t, err))
        return -1;
    if (!result || (strcmp(result, "negative") && strcmp(result, "positive")))
        return fk_fail(err, FK_EINVAL, "result", "result: negative or positive");
    if (strcmp(out->state, "active") != 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: isolation %lld is %s", (long long)id,
                       out->state);
    if (isolation_day(t.due_date, "due_date", &due, err) != 0)
        return -1;
    if (due > today_in(pol))
        return fk_fail(err, FK_ECONFLICT, "test_id", "test_id: test of day %d is due on %s, "
                       "not yet", t.day, t.due_date);
    if (store_begin(st, err) != 0)
        return -1;
    if (result_unit(st, a, out, &t, result, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (store_commit(st, err) != 0)
        return -1;
    return isolation_get(st, a, id, out, NULL, err);
}

/* Every test of the isolation negative? FK_ECONFLICT naming "tests" otherwise. */
static int all_negative(store *st, int64_t id, fk_err *err)
{
    isolation_test_list l;
    int rc = 0;
    if (store_isolation_tests(st, id, &l, err) != 0)
        return -1;
    for (size_t i = 0; i < l.n && rc == 0; i++)
        if (strcmp(l.items[i].result, "negative") != 0)
            rc = fk_fail(err, FK_ECONFLICT, "tests", "tests: the test of day %d (due %s) is %s",
                         l.items[i].day, l.items[i].due_date,
                         l.items[i].result[0] ? l.items[i].result : "not recorded");
    isolation_test_list_free(&l);
    return rc;
}

static int release_unit(store *st, const policy *pol, const actor *a, const isolation_rec *iso,
                        isolation_rec *next, fk_err *err)
{
    audit_rec rec;
    char detail[96];
    person p;
    int64_t day1;
    snprintf(detail, sizeof detail, "released into %s until %s",
             iso->next_kind[0] ? iso->next_kind : "nothing", iso->next_end_date);
    actor_audit(a, &rec, "release", "isolation", iso->id, detail);
    if (store_isolation_end(st, iso->id, "released", 0, fk_now(), &rec, err) != 0)
        return -1;
    if (strcmp(iso->next_kind, "home_isolation") != 0) /* monitoring, or nothing, follows */
        return codes_recompute_for(st, a, "isolation", CODES_BY_ISOLATION, iso->id, err);
    /* the next phase is an isolation too (m20: 5 days central + 3 at home) */
    isolation_start_req r = {.person_id = iso->person_id, .lead_id = iso->lead_id,
                             .cohort = iso->cohort};
    if (store_person_get(st, iso->person_id, &p, err) != 0 ||
        isolation_day(iso->day1_date, "day1_date", &day1, err) != 0)
        return -1;
    return start_unit(st, pol, a, &r, &p, iso->phase + 1, day1, next, err);
}

int isolation_release(store *st, const policy *pol, const actor *a, int64_t id,
                      isolation_rec *out, isolation_rec *next, fk_err *err)
{
    int64_t end;
    isolation_rec follow = {0};
    if (isolation_in_scope(st, a, id, out, err) != 0)
        return -1;
    if (strcmp(out->state, "active") != 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: isolation %lld is %s", (long long)id,
                       out->state);
    if (isolation_day(out->end_date, "end_date", &end, err) != 0)
        return -1;
    if (today_in(pol) < end)
        return fk_fail(err, FK_ECONFLICT, "end_date", "end_date: the isolation ends on %s",
                       out->end_date);
    if (all_negative(st, id, err) != 0 || store_begin(st, err) != 0)
        return -1;
    if (release_unit(st, pol, a, out, &follow, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (store_commit(st, err) != 0)
        return -1;
    if (next)
        *next = follow;
    if (next && follow.id && isolation_get(st, a, follow.id, next, NULL, err) != 0)
        return -1;
    return isolation_get(st, a, id, out, NULL, err);
}

int isolation_end_into_case(store *st, const actor *a, int64_t id, int64_t case_id,
                            isolation_rec *out, fk_err *err)
{
    epicase c;
    fk_err ignored;
    audit_rec rec;
    char detail[64];
    if (isolation_in_scope(st, a, id, out, err) != 0)
        return -1;
    if (strcmp(out->state, "active") != 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: isolation %lld is %s", (long long)id,
                       out->state);
    if (case_id <= 0 || store_case_get(st, case_id, &c, &ignored) != 0 ||
        c.person_id != out->person_id)
        return fk_fail(err, FK_EREF, "case_id", "case_id: no case %lld of this person",
                       (long long)case_id);
    snprintf(detail, sizeof detail, "ended early into case %lld", (long long)case_id);
    actor_audit(a, &rec, "end", "isolation", id, detail);
    if (store_begin(st, err) != 0)
        return -1;
    if (store_end(st, store_isolation_end(st, id, "ended_case", case_id, fk_now(), &rec, err) ||
                          codes_recompute_for(st, a, "isolation", CODES_BY_ISOLATION, id, err)
                      ? -1 : 0, err) != 0)
        return -1;
    return isolation_get(st, a, id, out, NULL, err);
}

int isolation_due(store *st, const actor *a, const char *date, isolation_test_list *out,
                  fk_err *err)
{
    char scope[16], detail[64];
    const char *prefix;
    int64_t day;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_ISOLATION, err) != 0 ||
        isolation_day(date, "date", &day, err) != 0)
        return -1;
    actor_narrow_area(a, NULL, scope, sizeof scope, &prefix);
    if (store_isolation_due(st, date, prefix, out, err) != 0)
        return -1;
    snprintf(detail, sizeof detail, "due<=%s returned=%zu", date, out->n);
    if (actor_audit_append(st, a, "list", "isolation_test", 0, detail, err) != 0) {
        isolation_test_list_free(out);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        registry_mask_name(a, out->items[i].person_name, sizeof out->items[i].person_name);
    return 0;
}
