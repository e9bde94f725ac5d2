/*
 * transfer.h - transfer (转运): vehicles, trips and their pickups, as rules. Pure, no
 * storage; thread-safe.
 *
 * A trip takes the persons on its pickup list from their homes to one isolation
 * facility in one vehicle with one crew. Its rooms are reserved when it is created
 * ("房、人、车": no trip starts without a room for every person on it).
 *
 *     trip:    assigned --> picked_up --> arrived
 *                 +--> cancelled
 *     pickup:  assigned --> aboard --> arrived
 *                 +--> missed            (not found, refused: its room is freed)
 *
 * picked_up means everyone still on the list is aboard (each pickup aboard or missed,
 * at least one aboard); arrived means the vehicle reached the facility, and every
 * pickup aboard arrives with it. A trip whose every pickup is missed is cancelled.
 *
 * Lateness: each pickup is due by its lead's controlled_by deadline (the policy's limit
 * from lead to isolation: tracing.time_limits_h.close_contacts_isolated for a close
 * contact...). A trip is due by its earliest pickup deadline; a trip not arrived by
 * then is late, and escalates one level per TRANSFER_LEVEL step with every further
 * period of the same length (the trip's own limit) that passes: 0 the transfer unit,
 * 1 district, 2 command.
 *
 * Vehicles: available, on_trip, disinfecting, out_of_service; a trip needs an available
 * vehicle with seats for its pickups; an arrived trip leaves it disinfecting.
 */
#ifndef FK_MODEL_TRANSFER_H
#define FK_MODEL_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

enum { TRANSFER_LEVEL_UNIT, TRANSFER_LEVEL_DISTRICT, TRANSFER_LEVEL_COMMAND };

bool transfer_trip_state_known(const char *state);
bool transfer_pickup_state_known(const char *state);
bool transfer_vehicle_state_known(const char *state);

/* FK_ECONFLICT naming "state" when the trip may not move from `from` to `to`. */
int transfer_trip_check(const char *from, const char *to, fk_err *err);
/* The same for a pickup. */
int transfer_pickup_check(const char *from, const char *to, fk_err *err);
/* The same for a vehicle state set by hand (on_trip is the trips' to set). */
int transfer_vehicle_check(const char *from, const char *to, fk_err *err);

/* The state a trip is in given the states of its n pickups: "cancelled" when all are
 * missed, "picked_up" when none is assigned and one is aboard, else `current`. */
const char *transfer_trip_state_of(const char *current, const char *const *pickups, int n);

/* Is a trip due at `due_at` (0: none) late at `now` (not arrived, not cancelled)? */
bool transfer_late(const char *state, int64_t due_at, int64_t now);
/* The level a trip should be at: 0 in time; once late, 1 + one per further `period_s`
 * passed, capped at command. period_s <= 0 counts as one hour. */
int transfer_escalation_target(const char *state, int64_t due_at, int64_t period_s,
                               int64_t now);
/* "unit", "district", "command" (NULL out of range). */
const char *transfer_level_name(int level);

#endif
