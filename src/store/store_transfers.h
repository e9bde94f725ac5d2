/*
 * store_transfers.h - the transfer section of store.h (tables vehicles, crews, trips,
 * trip_pickups and trip_events, migration 0010), kept in its own header; include
 * store/store.h, which includes it. Same conventions as store.h: 0 or -1 with err, every
 * change atomic with its audit record (a, NULL = none), lists owned by the caller. A
 * change made inside the caller's transaction (store_begin) joins it; alone, it is its
 * own. The store judges moves with model/transfer.h inside the unit that writes them.
 */
#ifndef FK_STORE_STORE_TRANSFERS_H
#define FK_STORE_STORE_TRANSFERS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct audit_rec;
typedef struct store store;

typedef struct vehicle_rec {
    int64_t id;
    char plate[16];
    int seats;
    char area_code[16]; /* the transfer unit operating it */
    char state[16];     /* available, on_trip, disinfecting, out_of_service */
    int64_t updated_at;
} vehicle_rec;
typedef struct vehicle_list { vehicle_rec *items; size_t n; int64_t total; } vehicle_list;

typedef struct crew_rec {
    int64_t id;
    char name[64], leader[64], phone[20];
    int members;
    char area_code[16];
} crew_rec;
typedef struct crew_list { crew_rec *items; size_t n; int64_t total; } crew_list;

typedef struct trip_rec {
    int64_t id, vehicle_id, crew_id, facility_id;
    char area_code[16];
    char state[12];
    int64_t created_at;
    char created_by[64];
    int64_t due_at, picked_up_at, arrived_at; /* 0: not yet */
    int late, escalation_level;
    int64_t escalated_at;
    int pickups;           /* filled on reads: pickups not missed */
    char plate[16];        /* filled on reads */
    char facility_name[128]; /* filled on reads */
} trip_rec;
typedef struct trip_list { trip_rec *items; size_t n; int64_t total; } trip_list;

typedef struct pickup_rec {
    int64_t id, trip_id, lead_id, person_id, allocation_id;
    char state[12];
    int64_t due_at, aboard_at, arrived_at;
    char note[256];
    char person_name[96], person_phone[20], room_number[32]; /* filled on reads */
} pickup_rec;
typedef struct pickup_list { pickup_rec *items; size_t n; } pickup_list;

typedef struct trip_event {
    int64_t id, trip_id, at;
    char actor[64], from_state[12], to_state[12], note[256];
} trip_event;
typedef struct trip_event_list { trip_event *items; size_t n; } trip_event_list;

typedef struct trip_filter {
    const char *area_prefix; /* the trip's unit starts with it; NULL/"" = all */
    const char *state;       /* exact; NULL = any */
    int64_t late_at;         /* > 0: open trips due before it, and trips that arrived late */
    int limit, offset;
} trip_filter;

/* Vehicles and crews. Insert fills id (FK_ECONFLICT for a plate already known, FK_EREF
 * "area_code" for an unknown area). Lists by area prefix (NULL = all), by id. */
int store_vehicle_insert(store *st, vehicle_rec *v, const struct audit_rec *a, fk_err *err);
int store_vehicle_get(store *st, int64_t id, vehicle_rec *out, fk_err *err);
int store_vehicle_list(store *st, const char *area_prefix, int limit, int offset,
                       vehicle_list *out, fk_err *err);
/* Set the state if the vehicle is still in `from` (FK_ECONFLICT "state" otherwise). */
int store_vehicle_set_state(store *st, int64_t id, const char *from, const char *to,
                            int64_t at, const struct audit_rec *a, fk_err *err);
int store_crew_insert(store *st, crew_rec *c, const struct audit_rec *a, fk_err *err);
int store_crew_get(store *st, int64_t id, crew_rec *out, fk_err *err);
int store_crew_list(store *st, const char *area_prefix, int limit, int offset, crew_list *out,
                    fk_err *err);

/* A trip (state assigned) with its n pickups (state assigned), and its first event.
 * Fills t->id and every p[i].id and trip_id. The vehicle must be available (it goes
 * on_trip); FK_ECONFLICT naming "vehicle_id" otherwise, "lead_ids" for a lead already on
 * an open pickup. */
int store_trip_insert(store *st, trip_rec *t, pickup_rec *p, size_t n,
                      const struct audit_rec *a, fk_err *err);
/* The trip, and (non-NULL) its pickups by id and its events, oldest first. */
int store_trip_get(store *st, int64_t id, trip_rec *out, pickup_list *pickups,
                   trip_event_list *events, fk_err *err);
/* Soonest due first (open trips), then the rest by id, newest first. */
int store_trip_list(store *st, const trip_filter *f, trip_list *out, fk_err *err);
/* Move the trip from `from` to `to` (FK_ECONFLICT "state" unless it is still in `from`
 * and model/transfer allows it), with an event. Entering arrived sets arrived_at and
 * late (arrived after due_at); picked_up sets picked_up_at. */
int store_trip_set_state(store *st, int64_t id, const char *from, const char *to, int64_t at,
                         const char *actor, const char *note, const struct audit_rec *a,
                         fk_err *err);
/* Move a pickup of trip `trip_id` likewise (aboard sets aboard_at, arrived arrived_at). */
int store_pickup_set_state(store *st, int64_t trip_id, int64_t pickup_id, const char *from,
                           const char *to, int64_t at, const char *note,
                           const struct audit_rec *a, fk_err *err);
/* Raise trip `id` to `level` when above its own, with an event; *raised 1 if it was. */
int store_trip_escalate(store *st, int64_t id, int level, int64_t at, const char *actor,
                        const struct audit_rec *a, int *raised, fk_err *err);
/* Every trip (any state) due in [from, to) of units under area_prefix (NULL = all), by
 * id: what accountability judges for a period. */
int store_trip_due_between(store *st, int64_t from, int64_t to, const char *area_prefix,
                           trip_list *out, fk_err *err);
/* Open trips due before `now`, by (due_at, id) after the keyset, at most limit. */
int store_trip_late_page(store *st, int64_t now, int64_t after_due, int64_t after_id,
                         int limit, trip_list *out, fk_err *err);

void vehicle_list_free(vehicle_list *l);
void crew_list_free(crew_list *l);
void trip_list_free(trip_list *l);
void pickup_list_free(pickup_list *l);
void trip_event_list_free(trip_event_list *l);

#endif
