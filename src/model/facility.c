/*
 * facility.c - room state machine, sharing plan and facility choice (contract and
 * diagram: facility.h). The move tables below are the only judges of room moves.
 */
#include "model/facility.h"

#include <math.h>
#include <string.h>

/* state, the states it may move to (space separated): every move, then hand moves */
static const struct {
    const char *state, *next, *by_hand;
} machine[] = {
    {"vacant", " reserved occupied out_of_order ", " out_of_order "},
    {"reserved", " occupied vacant ", " "},
    {"occupied", " cleaning ", " "},
    {"cleaning", " vacant out_of_order ", " vacant out_of_order "},
    {"out_of_order", " vacant cleaning ", " vacant cleaning "},
};

static int find_state(const char *s)
{
    for (size_t i = 0; s && i < sizeof machine / sizeof machine[0]; i++)
        if (!strcmp(machine[i].state, s))
            return (int)i;
    return -1;
}

/* Is ` to ` a word of the space-separated list? */
static bool listed(const char *list, const char *to)
{
    size_t n = strlen(to);
    for (const char *p = strstr(list, to); p; p = strstr(p + 1, to))
        if (p[-1] == ' ' && p[n] == ' ')
            return true;
    return false;
}

bool facility_room_state_known(const char *state) { return find_state(state) >= 0; }

bool facility_room_move_allowed(const char *from, const char *to)
{
    int i = find_state(from);
    return i >= 0 && facility_room_state_known(to) && listed(machine[i].next, to);
}

bool facility_room_hand_move_allowed(const char *from, const char *to)
{
    int i = find_state(from);
    return i >= 0 && facility_room_state_known(to) && listed(machine[i].by_hand, to);
}

int facility_check_hand_move(const char *from, const char *to, fk_err *err)
{
    if (!facility_room_state_known(to))
        return fk_fail(err, FK_EINVAL, "state",
                       "state: must be vacant, reserved, occupied, cleaning or out_of_order");
    if (!facility_room_hand_move_allowed(from, to))
        return fk_fail(err, FK_ECONFLICT, "state",
                       "state: a room that is %s cannot be set %s by hand%s", from, to,
                       !strcmp(from, "reserved") || !strcmp(from, "occupied")
                           ? " (its person holds it: release or end the isolation)"
                           : "");
    return 0;
}

/* ---- sharing ------------------------------------------------------------------------ */

static bool is_dependant(const sharing_rule *r, int age)
{
    return age >= 0 && (age <= r->child_max_age || age >= r->elderly_min_age);
}

static bool is_carer(const sharing_rule *r, int age)
{
    return age >= r->carer_min_age && !is_dependant(r, age);
}

size_t facility_share_plan(const sharing_rule *r, const int *ages, size_t n, size_t *room_of,
                           bool *primary)
{
    size_t rooms = 0;
    for (size_t i = 0; i < n; i++)
        room_of[i] = (size_t)-1, primary[i] = false;
    /* every carer opens a room; dependants fill carers' rooms up to max_per_room */
    size_t carer_room_left = 0, current = 0;
    if (r->allowed && r->max_per_room > 1) {
        for (size_t i = 0; i < n; i++) {
            if (!is_dependant(r, ages[i]))
                continue;
            if (carer_room_left == 0) {
                size_t c = 0;
                while (c < n && (room_of[c] != (size_t)-1 || !is_carer(r, ages[c])))
                    c++;
                if (c == n)
                    break; /* no carer left: the others get rooms of their own */
                current = rooms++;
                room_of[c] = current;
                primary[c] = true;
                carer_room_left = (size_t)r->max_per_room - 1;
            }
            room_of[i] = current;
            carer_room_left--;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (room_of[i] == (size_t)-1) {
            room_of[i] = rooms++;
            primary[i] = true;
        }
    return rooms;
}

/* ---- distance and choice -------------------------------------------------------------- */

double facility_distance_m(double lon1, double lat1, double lon2, double lat2)
{
    const double rad = M_PI / 180.0, earth_m = 6371008.8;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * earth_m * asin(sqrt(a < 1 ? a : 1));
}

/* The cheap monotone stand-in for distance used to compare candidates: the squared
 * equirectangular distance (exact enough to rank facilities within a city). */
static double rank_distance(const facility_pick *f, double lon, double lat, double coslat)
{
    double dx = (f->lon - lon) * coslat, dy = f->lat - lat;
    return dx * dx + dy * dy;
}

long facility_choose(const facility_pick *f, size_t n, double lon, double lat, long need,
                     enum facility_prefer prefer, double max_km)
{
    double coslat = cos(lat * M_PI / 180.0), best_d = 0;
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        if (f[i].vacant < need)
            continue;
        double d = rank_distance(&f[i], lon, lat, coslat);
        bool better = best < 0 ||
                      (prefer == FACILITY_MOST_FREE
                           ? f[i].vacant > f[best].vacant ||
                                 (f[i].vacant == f[best].vacant && d < best_d)
                           : d < best_d);
        if (!better)
            continue;
        if (max_km > 0 && facility_distance_m(lon, lat, f[i].lon, f[i].lat) > max_km * 1000)
            continue;
        best = (long)i;
        best_d = d;
    }
    return best;
}
