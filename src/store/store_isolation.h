/*
 * store_isolation.h - the isolation section of store.h (migration 0008): facilities,
 * their rooms, staff and checklist; room allocations; isolations and their tests.
 * Include store/store.h, which includes it. Same conventions as store.h: 0 or -1 with
 * err; every change atomic with its audit record (a, NULL = none); lists owned by the
 * caller (one heap array each, freed with free() through the *_list_free below).
 *
 * The database itself refuses a double booking (see the migrations, 0008 and the
 * indexes of 0024): a vacant room is required for a primary allocation, one active
 * primary allocation per room, one active allocation and one active isolation per person.
 * Room counts per state live on the facility row, kept by the triggers on rooms, except
 * for a batch's rooms, which store_allocations_insert counts once per facility in the
 * same unit (migration 0027).
 *
 * Batches: store_rooms_vacant, store_allocation_next_id and store_allocations_insert
 * (store_allocation_insert for one row) are the inner steps of a batch allocation.
 * Inside a caller's unit (store_begin) they run without a savepoint of their own, for
 * speed: a failure leaves the caller's unit to be rolled back whole, which is
 * what the allocation service does. Outside a unit each is its own transaction.
 * Thread safety: as store.h, one handle per thread.
 */
#ifndef FK_STORE_STORE_ISOLATION_H
#define FK_STORE_STORE_ISOLATION_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct audit_rec;
typedef struct store store;

typedef struct facility_rec {
    int64_t id;
    char name[128];
    char area_code[16];       /* district, street or community it belongs to (scope) */
    char address[256];
    double lon, lat;
    char state[8];            /* open | closed */
    int64_t n_vacant, n_reserved, n_occupied, n_cleaning, n_out_of_order; /* store-kept */
    int64_t created_at, updated_at;
} facility_rec;

typedef struct room_rec {
    int64_t id, facility_id;
    char number[32];
    int own_bathroom;
    char state[16];           /* model/facility.h */
    int64_t state_since;
    int64_t occupants;        /* active allocations of the room (reads) */
} room_rec;

typedef struct staff_rec {
    int64_t id, facility_id;
    char name[96], duty[32], phone[20];
} staff_rec;

typedef struct check_rec {
    char item[48];
    int ok;
    char note[256], checked_by[64];
    int64_t checked_at;
} check_rec;

typedef struct allocation_rec {
    int64_t id, room_id, person_id, primary_id, lead_id; /* 0 = none */
    char state[12];           /* reserved | occupied | ended */
    int64_t distance_m, allocated_at, ended_at;
    int64_t facility_id;      /* reads */
    char room_number[32], facility_name[128]; /* reads */
} allocation_rec;

/* Where a person lives, for the distance to a facility. */
typedef struct person_place {
    int64_t person_id, household_id;
    char community_code[16];
    char birth_date[11];
    double lon, lat;          /* the household's building, else the community's centre */
    int located;              /* 0 when no coordinates are known at all */
} person_place;

typedef struct isolation_rec {
    int64_t id, person_id;
    char area_code[16];
    char cohort[32];
    int phase;
    char kind[32];
    int64_t allocation_id, household_id, lead_id, case_id; /* 0 = none */
    char day1_date[11], end_date[11];
    char next_kind[32], next_end_date[11];
    char state[12];           /* active | released | ended_case */
    char policy_id[32];
    int64_t started_at, ended_at;
    /* reads */
    char person_name[96], id_number[24];
    int64_t room_id, facility_id;
    char room_number[32], facility_name[128];
} isolation_rec;

typedef struct isolation_test_rec {
    int64_t id, isolation_id;
    int day;
    char due_date[11], test_kind[16];
    char result[12];          /* "" | negative | positive */
    int64_t result_at;
    char recorded_by[64];
    /* reads for the due list */
    int64_t person_id;
    char person_name[96], area_code[16], place[160];
} isolation_test_rec;

typedef struct isolation_filter {
    const char *area_prefix;  /* NULL/"" = all */
    const char *state, *kind; /* exact, NULL = any */
    int64_t facility_id, person_id; /* 0 = any */
    int limit, offset;
} isolation_filter;

typedef struct outlook_counts {
    int64_t vacant, cleaning, occupied, reserved, out_of_order;
    int64_t leads_in_flight;  /* open leads not yet controlled requiring the measure */
    int64_t started_in_window;/* central isolations started since `since` */
} outlook_counts;

typedef struct facility_list { facility_rec *items; size_t n; int64_t total; } facility_list;
typedef struct room_list { room_rec *items; size_t n; } room_list;
typedef struct staff_list { staff_rec *items; size_t n; } staff_list;
typedef struct check_list { check_rec *items; size_t n; } check_list;
typedef struct isolation_list { isolation_rec *items; size_t n; int64_t total; } isolation_list;
typedef struct isolation_test_list { isolation_test_rec *items; size_t n; } isolation_test_list;

/* ---- facilities ---------------------------------------------------------------------- */
/* Fills f->id, counts, times. FK_ECONFLICT for a duplicate name in the area or an
 * unknown area. */
int store_facility_insert(store *st, facility_rec *f, const struct audit_rec *a, fk_err *err);
/* Name, address, lon, lat and state of f->id. */
int store_facility_update(store *st, facility_rec *f, const struct audit_rec *a, fk_err *err);
int store_facility_get(store *st, int64_t id, facility_rec *out, fk_err *err);
int store_facility_list(store *st, const char *area_prefix, int limit, int offset,
                        facility_list *out, fk_err *err);
/* The open facilities under area_prefix with a vacant room, every one (for a batch). */
int store_facility_open(store *st, const char *area_prefix, facility_list *out, fk_err *err);

/* ---- rooms, staff, checklist ----------------------------------------------------------- */
/* Add rooms numbered numbers[0..n) to facility `fid`, vacant, all or none.
 * FK_ECONFLICT naming "numbers" for a number the facility already has. */
int store_rooms_insert(store *st, int64_t fid, const char *const *numbers, size_t n,
                       int own_bathroom, const struct audit_rec *a, fk_err *err);
/* Rooms of a facility in number order, state NULL = any. */
int store_room_list(store *st, int64_t fid, const char *state, room_list *out, fk_err *err);
int store_room_get(store *st, int64_t id, room_rec *out, fk_err *err);
/* Move room `id` from `from` (it must still be in it: FK_ECONFLICT "state") to `to`. */
int store_room_set_state(store *st, int64_t id, const char *from, const char *to,
                         const struct audit_rec *a, fk_err *err);
/* Up to `cap` vacant rooms of facility `fid`, lowest id first: ids[] and numbers[]
 * (OUT, cap each), *n how many. For the primary allocations of a batch, which mark them
 * reserved one by one: read once inside the batch's unit, they stay vacant until then
 * (the unit holds the write lock). */
int store_rooms_vacant(store *st, int64_t fid, size_t cap, int64_t *ids, char (*numbers)[32],
                       size_t *n, fk_err *err);
int store_staff_insert(store *st, staff_rec *s, const struct audit_rec *a, fk_err *err);
int store_staff_list(store *st, int64_t fid, staff_list *out, fk_err *err);
int store_check_set(store *st, int64_t fid, const check_rec *c, const struct audit_rec *a,
                    fk_err *err);
int store_check_list(store *st, int64_t fid, check_list *out, fk_err *err);

/* ---- allocations ------------------------------------------------------------------------- */
/* Where persons ids[0..n) live, in one read: out[i] for ids[i], out[i].person_id 0 when
 * there is no such person (not an error). */
int store_person_places(store *st, const int64_t *ids, size_t n, person_place *out,
                        fk_err *err);
/* The area of leads ids[0..n) in one read: areas[i] "" when there is no lead ids[i]
 * (or it is 0). For a batch's lead checks. */
int store_lead_areas(store *st, const int64_t *ids, size_t n, char (*areas)[16], fk_err *err);
/* The version of the persons' homes (migrations 0027, 0031): it moves with every change
 * of a person's household, community or birth date, of a household's building, of a
 * building's coordinates or grid, with every new building, and with every deletion of
 * any of them. Read it inside the unit whose reads it vouches for. */
int store_homes_version(store *st, int64_t *version, fk_err *err);
/* Every person, as store_person_places would answer for them, handed to fn(place, ctx)
 * in id order; fn's nonzero answer stops the read and is returned. For
 * services/homes.h, which reads the version first. */
int store_homes_each(store *st, int (*fn)(const person_place *p, void *ctx), void *ctx,
                     fk_err *err);
/* Insert (state reserved); fills al->id. A primary allocation (primary_id 0) needs a
 * vacant room and marks it reserved; a sharer names the active primary allocation of
 * the room in primary_id. See Batches. */
int store_allocation_insert(store *st, allocation_rec *al, const char *actor,
                            const struct audit_rec *a, fk_err *err);
/* The id the next allocation inserted gets (max + 1): inside a unit, which holds the
 * write lock, a batch numbers its rows with it before writing them. */
int store_allocation_next_id(store *st, int64_t *id, fk_err *err);
/* Insert al[0..n) (state reserved, allocated now) with the ids given, in array order
 * (a sharer after the primary it names), and mark every primary's room reserved: two
 * statements for the whole batch, with the rules the schema's triggers check for single
 * inserts checked for the batch at once and its unique indexes as for any insert
 * (FK_ECONFLICT for a room not vacant, a person holding a room, a bad sharer; the whole
 * batch is refused), and one update of the room counts per facility touched: each
 * primary's facility_id must be its room's, as store_rooms_vacant read it in the same
 * unit (the counts follow it). Inside a unit, a refusal may leave the rows before the
 * refused one in it, until the unit is rolled back (see Batches). */
int store_allocations_insert(store *st, allocation_rec *al, size_t n, const char *actor,
                             fk_err *err);
int store_allocation_get(store *st, int64_t id, allocation_rec *out, fk_err *err);
/* The person's active allocation; FK_ENOTFOUND when none. */
int store_allocation_of_person(store *st, int64_t person_id, allocation_rec *out, fk_err *err);

/* ---- isolations -------------------------------------------------------------------------- */
/* Insert the isolation with its tests (tests[i].isolation_id filled); an allocation
 * given turns occupied, with its room (and every allocation sharing it: the room is one).
 * Fills iso->id. */
int store_isolation_insert(store *st, isolation_rec *iso, isolation_test_rec *tests, size_t n,
                           const struct audit_rec *a, fk_err *err);
int store_isolation_get(store *st, int64_t id, isolation_rec *out, fk_err *err);
int store_isolation_list(store *st, const isolation_filter *f, isolation_list *out,
                         fk_err *err);
int store_isolation_tests(store *st, int64_t isolation_id, isolation_test_list *out,
                          fk_err *err);
/* Record a result of test `test_id` (it must have none yet: FK_ECONFLICT "result"). */
int store_isolation_test_result(store *st, int64_t test_id, const char *result,
                                const char *by, int64_t at, const struct audit_rec *a,
                                fk_err *err);
/* End an active isolation as `state` (released | ended_case, case_id with the latter).
 * Its allocation ends; the room goes to cleaning once no allocation holds it. */
int store_isolation_end(store *st, int64_t id, const char *state, int64_t case_id, int64_t at,
                        const struct audit_rec *a, fk_err *err);
/* Tests without a result due on or before `date` of active isolations under area_prefix,
 * by due date. */
int store_isolation_due(store *st, const char *date, const char *area_prefix,
                        isolation_test_list *out, fk_err *err);
/* Rooms by state under area_prefix (open facilities), leads in flight requiring
 * `measure`, central isolations started at or after `since`. */
int store_outlook_counts(store *st, const char *area_prefix, const char *measure,
                         int64_t since, outlook_counts *out, fk_err *err);
/* Rooms that become vacant by `by` (unix time) under area_prefix: rooms cleaning since
 * before by - cleaning_s, plus the rooms of active central isolations whose end date (a
 * local date, as isolations keep them) is last_end_day or earlier: the caller knows the
 * city's clock and says which end dates are released and cleaned by then. */
int store_outlook_freeing(store *st, const char *area_prefix, int64_t by, int64_t cleaning_s,
                          const char *last_end_day, int64_t *out, fk_err *err);

void facility_list_free(facility_list *l);
void room_list_free(room_list *l);
void staff_list_free(staff_list *l);
void check_list_free(check_list *l);
void isolation_list_free(isolation_list *l);
void isolation_test_list_free(isolation_test_list *l);

#endif
