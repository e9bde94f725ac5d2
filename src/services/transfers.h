/*
 * transfers.h - the transfer service (转运): vehicles and crews, trips that take the
 * persons of their leads to an isolation facility, and late trips escalated.
 *
 * Contract:
 *  - Permission: PERM_TRANSFER for every call. Jurisdiction: a user with an area code
 *    sees and changes only vehicles, crews and trips of units under it (others read as
 *    FK_ENOTFOUND), and may put on a trip only leads of communities under it.
 *  - A trip ("房、人、车"): an available vehicle with seats for every pickup, a crew, and
 *    1..TRANSFER_MAX_PICKUPS leads, each with a registered person, located (found or
 *    refused) and on no other open trip. Every person gets a room before the trip
 *    exists: the room already reserved for them, else one allocated now by the isolation
 *    service (households may share by the policy). All rooms must lie in one facility,
 *    the trip's. The trip is due by its leads' earliest controlled_by deadline (the
 *    policy's limit from lead to isolation). One transaction: a refused trip reserves
 *    nothing.
 *  - Moves: a pickup goes aboard or is missed (its room is freed); when no pickup waits,
 *    the trip is picked_up (or cancelled when all were missed, the vehicle available
 *    again). Arrival moves every pickup aboard to arrived and, in the same transaction,
 *    starts each person's isolation in their reserved room and marks their lead
 *    controlled (transferred_central); the vehicle goes to disinfecting. Day 1 of the
 *    isolation follows the policy's anchor (the last exposure the lead's contact
 *    records, unless that isolation would already be over: then arrival). The isolation
 *    and lead changes are made by this service on the user's behalf, with the roles that
 *    own them (quarantine, community), audited under the user's name.
 *  - Lateness (transfers_escalate, a sweep): an open trip past its due time rises one
 *    level per period past it (model/transfer.h; the period is the policy's
 *    transfer.escalation_period_h), one event per raise.
 *  - Audit: every list and read is audited; every change with its audit record.
 *  - Masking: names and phones of pickups masked without PERM_UNMASKED.
 * Ownership: lists are the caller's (the *_list_free functions of store_transfers.h).
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_TRANSFERS_H
#define FK_SERVICES_TRANSFERS_H

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

#define TRANSFER_MAX_PICKUPS 60

int transfers_vehicle_create(store *st, const actor *a, vehicle_rec *v, fk_err *err);
int transfers_vehicle_list(store *st, const actor *a, const char *area, int limit, int offset,
                           vehicle_list *out, fk_err *err);
/* A state set by hand: out_of_service and back, disinfecting done (available). */
int transfers_vehicle_set_state(store *st, const actor *a, int64_t id, const char *state,
                                vehicle_rec *out, fk_err *err);
int transfers_crew_create(store *st, const actor *a, crew_rec *c, fk_err *err);
int transfers_crew_list(store *st, const actor *a, const char *area, int limit, int offset,
                        crew_list *out, fk_err *err);

typedef struct trip_request {
    int64_t vehicle_id, crew_id;
    const int64_t *lead_ids;
    size_t n;
    bool household;   /* members of one household may share a room (policy permitting) */
} trip_request;

/* *out is the new trip; pickups (non-NULL) its pickups with their rooms. */
int transfers_trip_create(store *st, const policy *pol, const actor *a, const trip_request *r,
                          trip_rec *out, pickup_list *pickups, fk_err *err);
int transfers_trip_get(store *st, const actor *a, int64_t id, trip_rec *out,
                       pickup_list *pickups, trip_event_list *events, fk_err *err);
int transfers_trip_list(store *st, const actor *a, const trip_filter *f, trip_list *out,
                        fk_err *err);
/* A pickup aboard or missed (note optional). */
int transfers_pickup_move(store *st, const actor *a, int64_t trip_id, int64_t pickup_id,
                          const char *state, const char *note, fk_err *err);
/* The trip arrives at its facility (see the contract). */
int transfers_trip_arrive(store *st, const policy *pol, const actor *a, int64_t trip_id,
                          fk_err *err);
/* The escalation sweep for late trips as of `now`; *raised (OUT) counts the raises. */
int transfers_escalate(store *st, const policy *pol, const actor *a, int64_t now, int *raised,
                       fk_err *err);

#endif
