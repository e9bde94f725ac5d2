/*
 * transfer.c - trip, pickup and vehicle state machines and trip lateness (contract and
 * diagrams: transfer.h). The move tables below are the only judges of transitions.
 */
#include "model/transfer.h"

#include <stddef.h>
#include <string.h>

typedef struct move {
    const char *from, *to;
} move;

static const move trip_moves[] = {
    {"assigned", "picked_up"}, {"assigned", "cancelled"}, {"picked_up", "arrived"},
};
static const move pickup_moves[] = {
    {"assigned", "aboard"}, {"assigned", "missed"}, {"aboard", "arrived"},
};
/* by hand; on_trip comes and goes with trips */
static const move vehicle_moves[] = {
    {"available", "out_of_service"}, {"out_of_service", "available"},
    {"disinfecting", "available"},   {"disinfecting", "out_of_service"},
};

static const char *const trip_states[] = {"assigned", "picked_up", "arrived", "cancelled", NULL};
static const char *const pickup_states[] = {"assigned", "aboard", "arrived", "missed", NULL};
static const char *const vehicle_states[] = {"available", "on_trip", "disinfecting",
                                             "out_of_service", NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

bool transfer_trip_state_known(const char *s) { return in_list(trip_states, s); }
bool transfer_pickup_state_known(const char *s) { return in_list(pickup_states, s); }
bool transfer_vehicle_state_known(const char *s) { return in_list(vehicle_states, s); }

static int check(const move *moves, size_t n, const char *what, const char *from,
                 const char *to, fk_err *err)
{
    for (size_t i = 0; from && to && i < n; i++)
        if (!strcmp(moves[i].from, from) && !strcmp(moves[i].to, to))
            return 0;
    return fk_fail(err, FK_ECONFLICT, "state", "state: a %s cannot go from %s to %s", what,
                   from ? from : "?", to ? to : "?");
}

int transfer_trip_check(const char *from, const char *to, fk_err *err)
{
    return check(trip_moves, sizeof trip_moves / sizeof *trip_moves, "trip", from, to, err);
}

int transfer_pickup_check(const char *from, const char *to, fk_err *err)
{
    return check(pickup_moves, sizeof pickup_moves / sizeof *pickup_moves, "pickup", from, to,
                 err);
}

int transfer_vehicle_check(const char *from, const char *to, fk_err *err)
{
    return check(vehicle_moves, sizeof vehicle_moves / sizeof *vehicle_moves, "vehicle", from,
                 to, err);
}

const char *transfer_trip_state_of(const char *current, const char *const *pickups, int n)
{
    int assigned = 0, aboard = 0, missed = 0;
    if (strcmp(current, "assigned") != 0)
        return current;
    for (int i = 0; i < n; i++) {
        assigned += !strcmp(pickups[i], "assigned");
        aboard += !strcmp(pickups[i], "aboard");
        missed += !strcmp(pickups[i], "missed");
    }
    if (n > 0 && missed == n)
        return "cancelled";
    if (assigned == 0 && aboard > 0)
        return "picked_up";
    return current;
}

bool transfer_late(const char *state, int64_t due_at, int64_t now)
{
    bool open = !strcmp(state, "assigned") || !strcmp(state, "picked_up");
    return open && due_at > 0 && now > due_at;
}

int transfer_escalation_target(const char *state, int64_t due_at, int64_t period_s, int64_t now)
{
    if (!transfer_late(state, due_at, now))
        return TRANSFER_LEVEL_UNIT;
    if (period_s <= 0)
        period_s = 3600;
    int64_t level = 1 + (now - due_at - 1) / period_s;
    return level >= TRANSFER_LEVEL_COMMAND ? TRANSFER_LEVEL_COMMAND : (int)level;
}

const char *transfer_level_name(int level)
{
    static const char *const names[] = {"unit", "district", "command"};
    return level >= 0 && level <= TRANSFER_LEVEL_COMMAND ? names[level] : NULL;
}
