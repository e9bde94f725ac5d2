/*
 * facility.h - isolation facilities (集中隔离点) as rules: the room state machine, the
 * household sharing rule and the choice of a facility by distance and free rooms.
 * Pure functions on plain values, no storage; thread-safe.
 *
 * Room states (facility_room_move_allowed is the only judge):
 *
 *     vacant --allocate--> reserved --arrive--> occupied --leave--> cleaning
 *       ^  ^                  |                                      |   |
 *       |  +----cancel--------+                                      |   |
 *       +-------------------------------cleaned----------------------+   |
 *     vacant <--> out_of_order <--------------------------------------------+
 *
 * reserved and occupied are entered and left only through allocations and isolations
 * (services/isolation.c): a hand move (facility_room_hand_move_allowed) takes a room
 * out of order, back from it, or marks it cleaned.
 *
 * Sharing (isolation.sharing in the policy): one person per room, except that members
 * of one household may share when one adult carer (age >= carer_min_age) looks after
 * children (age <= child_max_age) or elderly members (age >= elderly_min_age), at most
 * max_per_room in a room. facility_share_plan decides the rooms of one household group.
 */
#ifndef FK_MODEL_FACILITY_H
#define FK_MODEL_FACILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

bool facility_room_state_known(const char *state);
bool facility_room_move_allowed(const char *from, const char *to);
/* The moves a user may make by hand (PATCH of a room's state). */
bool facility_room_hand_move_allowed(const char *from, const char *to);
/* FK_EINVAL naming "state" for an unknown state, FK_ECONFLICT for a move a hand may
 * not make from `from`. */
int facility_check_hand_move(const char *from, const char *to, fk_err *err);

typedef struct sharing_rule {
    bool allowed;
    int child_max_age, elderly_min_age, carer_min_age, max_per_room;
} sharing_rule;

/* Rooms for one household group of n persons with ages[i] (whole years, -1 unknown:
 * treated as an adult who is no carer). room_of[i] (OUT) is the member's room within the
 * group, 0..k-1, and primary[i] (OUT) is true for the one member per room who holds it
 * (the carer, or the only occupant). Returns k, the number of rooms. Without sharing
 * allowed every member gets a room of their own. */
size_t facility_share_plan(const sharing_rule *r, const int *ages, size_t n, size_t *room_of,
                           bool *primary);

/* Great-circle distance in metres between two WGS-84 points. */
double facility_distance_m(double lon1, double lat1, double lon2, double lat2);

typedef struct facility_pick {
    double lon, lat;
    long vacant;      /* rooms free now */
} facility_pick;

enum facility_prefer { FACILITY_NEAREST, FACILITY_MOST_FREE };

/* The facility for a person at (lon, lat) that needs `need` vacant rooms: the nearest
 * with enough, or the one with most vacant rooms (ties: nearest); max_km > 0 leaves out
 * facilities further away. Returns its index in f[0..n), or -1 when none fits. */
long facility_choose(const facility_pick *f, size_t n, double lon, double lat, long need,
                     enum facility_prefer prefer, double max_km);

#endif
