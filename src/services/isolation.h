/*
 * isolation.h - the isolation service (集中隔离 and 居家隔离): facilities with their
 * rooms, staff and checklist; batch room allocation; the capacity outlook; isolations
 * with their tests, release and early end into a case.
 *
 * Contract:
 *  - Permission: PERM_ISOLATION for every call. Jurisdiction: a user with an area code
 *    sees and changes only facilities whose area_code starts with it, and only persons
 *    and isolations of communities under it; anything outside reads as FK_ENOTFOUND.
 *  - Audit: every list and read is audited; every change is written with its audit
 *    record in the same transaction. An allocation batch writes one record naming the
 *    allocation rows it made (ids first..last); each of those rows holds its person,
 *    room, actor and time, so the trail is complete without a second row per person.
 *  - Masking: names and ID numbers masked without PERM_UNMASKED.
 *  - Rules from the policy: isolation.single_room_own_bathroom, .facility_checklist,
 *    .sharing, .cleaning, .allocation, .outlook; phases, test days and day1_anchor from
 *    measures.<cohort> (model/isolation.h).
 *  - Allocation (isolation_allocate): one transaction for the batch. Each person (or
 *    household group, when sharing is asked for and the policy allows it) goes to a
 *    facility chosen by model/facility.h among the open facilities of the caller's
 *    jurisdiction, from counts read once inside the transaction; a room is taken by an
 *    index lookup. Any bad row (unknown person or lead, person outside the jurisdiction,
 *    already holding a room, repeated) or no free room fails the whole batch, naming the
 *    row, and nothing is changed. Concurrent batches queue on the store's writer lock;
 *    the schema refuses a double booking in any case. The server sends its batches
 *    through services/allocator.h (one connection, group commit), which runs
 *    isolation_allocate_in_unit for each inside its own transaction.
 *  - Isolations: start (central: the person's reserved room, else one allocated now;
 *    home: the person's household), tests created from the policy's test days, results
 *    recorded once each. A positive result ends the isolation early into a case
 *    (registry_case_create: screening_positive, source quarantine_screening, created on
 *    behalf of the isolation service with the lab role in the user's area, audited
 *    under the user's name) and the room goes to cleaning. Release needs the end date
 *    reached and every test negative; the room goes to cleaning, and a following
 *    home_isolation phase (m20) starts at once; a home_health_monitoring phase is named
 *    in the answer (next_kind, next_end_date).
 *  - A lead_id is only checked (exists, in scope) and linked; the lead's state is the
 *    leads service's.
 * Ownership: lists and results are the caller's (the *_list_free functions, free()).
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_ISOLATION_H
#define FK_SERVICES_ISOLATION_H

#include <stdbool.h>

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

struct homes;

#define ISOLATION_MAX_BATCH 10000   /* persons in one allocation request */
#define ISOLATION_MAX_ROOMS 2000    /* rooms added in one request */
#define ISOLATION_MAX_HORIZONS 8

/* ---- facilities ------------------------------------------------------------------------ */
int isolation_facility_create(store *st, const actor *a, facility_rec *f, fk_err *err);
/* Fields given (non-NULL / has_*) replace the stored ones. */
typedef struct facility_patch {
    const char *name, *address, *state;
    bool has_lon, has_lat;
    double lon, lat;
} facility_patch;
int isolation_facility_update(store *st, const actor *a, int64_t id, const facility_patch *p,
                              facility_rec *out, fk_err *err);
/* The facility; with the lists given (non-NULL) also its staff and checklist. */
int isolation_facility_get(store *st, const actor *a, int64_t id, facility_rec *out,
                           staff_list *staff, check_list *checks, fk_err *err);
int isolation_facility_list(store *st, const actor *a, const char *area, int limit, int offset,
                            facility_list *out, fk_err *err);
int isolation_rooms_add(store *st, const policy *pol, const actor *a, int64_t fid,
                        const char *const *numbers, size_t n, bool own_bathroom, fk_err *err);
int isolation_rooms_list(store *st, const actor *a, int64_t fid, const char *state,
                         room_list *out, fk_err *err);
/* A hand move of room `room_id` of facility `fid` (model/facility.h). */
int isolation_room_set_state(store *st, const actor *a, int64_t fid, int64_t room_id,
                             const char *state, room_rec *out, fk_err *err);
int isolation_staff_add(store *st, const actor *a, staff_rec *s, fk_err *err);
/* c->item must be one of the policy's isolation.facility_checklist.items. */
int isolation_check_set(store *st, const policy *pol, const actor *a, int64_t fid,
                        check_rec *c, fk_err *err);

/* ---- allocation ------------------------------------------------------------------------ */
typedef struct alloc_request {
    int64_t person_id, lead_id;   /* lead_id 0 = none */
} alloc_request;

typedef struct alloc_result {
    int64_t person_id, allocation_id, room_id, facility_id, primary_id;
    int64_t distance_m;
    char room_number[32], facility_name[128];
} alloc_result;

/* Rooms for req[0..n); out[0..n) (caller's array) answers each in order. household:
 * members of one household in the batch may share by isolation.sharing. */
int isolation_allocate(store *st, const policy *pol, const actor *a, const alloc_request *req,
                       size_t n, bool household, alloc_result *out, fk_err *err);
/* The same batch inside the caller's unit (store_begin), which it leaves to the caller
 * to end: commit on 0, roll back on -1 (services/allocator.h writes several batches in
 * one transaction this way, and rolls the group back when one is refused). Homes are
 * read through `hm` (services/homes.h; NULL: from the store), which answers as the
 * store does. */
int isolation_allocate_in_unit(store *st, const policy *pol, const actor *a,
                               const alloc_request *req, size_t n, bool household,
                               struct homes *hm, alloc_result *out, fk_err *err);

/* ---- outlook --------------------------------------------------------------------------- */
typedef struct outlook_horizon {
    int hours;
    double demand;              /* rooms needed by then: leads in flight + trend */
    int64_t freed;              /* rooms becoming vacant by then */
    int64_t available;          /* vacant now + freed */
    int64_t shortfall;          /* ceil(demand) - available when positive, else 0 */
} outlook_horizon;

typedef struct isolation_outlook {
    outlook_counts now;
    int window_h;
    double per_hour;            /* central isolations started per hour over the window */
    outlook_horizon h[ISOLATION_MAX_HORIZONS];
    int n;
    bool warning;               /* some horizon runs out of rooms */
} isolation_outlook;

int isolation_outlook_get(store *st, const policy *pol, const actor *a, const char *area,
                          int64_t now, isolation_outlook *out, fk_err *err);

/* ---- isolations ------------------------------------------------------------------------- */
typedef struct isolation_start_req {
    int64_t person_id, lead_id, allocation_id; /* 0 = none */
    const char *cohort;         /* measures key; NULL = close_contact */
    const char *day1_date;      /* YYYY-MM-DD; NULL = today */
} isolation_start_req;

int isolation_start(store *st, const policy *pol, const actor *a, const isolation_start_req *r,
                    isolation_rec *out, fk_err *err);
int isolations_list(store *st, const actor *a, const isolation_filter *f, isolation_list *out,
                   fk_err *err);
/* The isolation and (tests non-NULL) its tests. */
int isolation_get(store *st, const actor *a, int64_t id, isolation_rec *out,
                  isolation_test_list *tests, fk_err *err);
/* Result "negative" or "positive" of test `test_id` of isolation `id`, on or after its
 * due date (the city's date). */
int isolation_record_result(store *st, const policy *pol, const actor *a, int64_t id,
                            int64_t test_id, const char *result, isolation_rec *out, fk_err *err);
/* Release at the end; *next (OUT, may be NULL) the follow-on home isolation started, or
 * its id 0. */
int isolation_release(store *st, const policy *pol, const actor *a, int64_t id,
                      isolation_rec *out, isolation_rec *next, fk_err *err);
/* End early into an existing case of the same person. */
int isolation_end_into_case(store *st, const actor *a, int64_t id, int64_t case_id,
                            isolation_rec *out, fk_err *err);
/* The city's date today (YYYY-MM-DD): dates of isolations are local dates, by the
 * policy's reporting.utc_offset_h. */
void isolation_today(const policy *pol, char out[11]);
/* The city's date of instant t. */
void isolation_date_at(const policy *pol, int64_t t, char out[11]);
/* Untested tests due on or before `date` (YYYY-MM-DD) in the actor's jurisdiction. */
int isolation_due(store *st, const actor *a, const char *date, isolation_test_list *out,
                  fk_err *err);

#endif
