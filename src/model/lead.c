/*
 * lead.c - the lead state machine and deadline arithmetic (contract and diagram:
 * lead.h). The move table below is the only judge of transitions.
 */
#include "model/lead.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {"close_contact", "secondary_contact", "traveler",
                                    "pool_retest", "missed_test", NULL};
static const char *const measures[] = {"transferred_central", "home_isolation_door_sensor",
                                       "hospital", "other", NULL};

/* state, the step it waits for, the states it may move to (space separated) */
static const struct {
    const char *state;
    int step;
    const char *next;
} machine[] = {
    {"pushed", LEAD_STEP_FOUND, " received "},
    {"received", LEAD_STEP_FOUND, " found not_found "},
    {"found", LEAD_STEP_CONTROLLED, " controlled refused "},
    {"refused", LEAD_STEP_CONTROLLED, " controlled "},
    {"not_found", LEAD_STEP_CLOSED, " found closed "},
    {"controlled", LEAD_STEP_CLOSED, " closed "},
    {"closed", LEAD_STEPS, " "},
};

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static int find_state(const char *state)
{
    for (size_t i = 0; state && i < sizeof machine / sizeof machine[0]; i++)
        if (!strcmp(machine[i].state, state))
            return (int)i;
    return -1;
}

static const lead_move close_path[] = {
    {"pushed", "received"}, {"received", "found"},     {"not_found", "found"},
    {"found", "controlled"}, {"refused", "controlled"}, {"controlled", "closed"},
};

const lead_move *lead_close_path(size_t *n)
{
    *n = sizeof close_path / sizeof close_path[0];
    return close_path;
}

bool lead_kind_known(const char *kind) { return in_list(kinds, kind); }
bool lead_state_known(const char *state) { return find_state(state) >= 0; }
bool lead_measure_known(const char *m) { return in_list(measures, m); }

bool lead_transition_allowed(const char *from, const char *to)
{
    int i = find_state(from);
    if (i < 0 || !lead_state_known(to))
        return false;
    char word[24];
    size_t n = strlen(to);
    if (n + 3 > sizeof word)
        return false;
    word[0] = ' ';
    memcpy(word + 1, to, n);
    word[n + 1] = ' ';
    word[n + 2] = '\0';
    return strstr(machine[i].next, word) != NULL;
}

int lead_check_transition(const char *from, const char *to, const char *measure_taken,
                          fk_err *err)
{
    if (!lead_state_known(to))
        return fk_fail(err, FK_EINVAL, "state",
                       "state: must be received, found, not_found, refused, controlled or "
                       "closed");
    if (!lead_transition_allowed(from, to))
        return fk_fail(err, FK_ECONFLICT, "state", "state: a lead cannot move from %s to %s",
                       from, to);
    if (!strcmp(to, "controlled") && !lead_measure_known(measure_taken))
        return fk_fail(err, FK_EINVAL, "measure_taken",
                       "measure_taken: required to enter controlled: transferred_central, "
                       "home_isolation_door_sensor, hospital or other");
    return 0;
}

int lead_step(const char *state)
{
    int i = find_state(state);
    return i < 0 ? LEAD_STEPS : machine[i].step;
}

int64_t lead_due(const char *state, const int64_t deadlines[LEAD_STEPS])
{
    int step = lead_step(state);
    return step < LEAD_STEPS ? deadlines[step] : 0;
}

int lead_missed_steps(const char *state, const int64_t deadlines[LEAD_STEPS], int64_t now)
{
    int missed = 0;
    for (int step = lead_step(state); step < LEAD_STEPS; step++)
        missed += now > deadlines[step];
    return missed;
}

int lead_escalation_target(const char *state, const int64_t deadlines[LEAD_STEPS], int64_t now)
{
    int missed = lead_missed_steps(state, deadlines, now);
    return missed > LEAD_LEVEL_COMMAND ? LEAD_LEVEL_COMMAND : missed;
}

/* Append to out (cap bytes) at *at, counting what did not fit so the caller can tell. */
static void append(char *out, size_t cap, size_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + (*at < cap ? *at : cap), *at < cap ? cap - *at : 0, fmt, ap);
    va_end(ap);
    *at += n > 0 ? (size_t)n : 0;
}

int lead_escalation_target_sql(char *out, size_t cap, const char *now)
{
    static const char *const columns[LEAD_STEPS] = {"found_by", "controlled_by", "closed_by"};
    size_t at = 0;
    append(out, cap, &at, "min(%d, CASE state", LEAD_LEVEL_COMMAND);
    /* one arm per state of the machine: the deadlines from its step on that `now` is
     * past, as lead_missed_steps counts them */
    for (size_t i = 0; i < sizeof machine / sizeof machine[0]; i++) {
        append(out, cap, &at, " WHEN '%s' THEN 0", machine[i].state);
        for (int step = machine[i].step; step < LEAD_STEPS; step++)
            append(out, cap, &at, " + (%s > %s)", now, columns[step]);
    }
    append(out, cap, &at, " ELSE 0 END)");
    return at < cap ? 0 : -1;
}

int lead_level_seen(int stored, bool owed, const char *state,
                    const int64_t deadlines[LEAD_STEPS], int64_t clock)
{
    int target = owed ? 0 : lead_escalation_target(state, deadlines, clock);
    return target > stored ? target : stored;
}

int lead_level_step(const char *state, int level)
{
    int step = lead_step(state) + level - 1;
    return level >= 1 && step < LEAD_STEPS ? step : -1;
}

int64_t lead_next_crossing(const char *state, const int64_t deadlines[LEAD_STEPS],
                           int64_t since)
{
    for (int step = lead_step(state); step < LEAD_STEPS; step++)
        if (deadlines[step] >= since)
            return deadlines[step];
    return 0;
}

int lead_next_crossing_sql(char *out, size_t cap, const char *since)
{
    static const char *const columns[LEAD_STEPS] = {"found_by", "controlled_by", "closed_by"};
    size_t at = 0;
    append(out, cap, &at, "CASE state");
    /* deadlines only grow along the steps (the CHECK of 0007): the first at or after
     * `since` is the earliest */
    for (size_t i = 0; i < sizeof machine / sizeof machine[0]; i++) {
        if (machine[i].step >= LEAD_STEPS)
            continue;
        append(out, cap, &at, " WHEN '%s' THEN CASE", machine[i].state);
        for (int step = machine[i].step; step < LEAD_STEPS; step++)
            append(out, cap, &at, " WHEN %s >= %s THEN %s", columns[step], since, columns[step]);
        append(out, cap, &at, " END");
    }
    append(out, cap, &at, " END");
    return at < cap ? 0 : -1;
}

const char *lead_level_name(int level)
{
    static const char *const names[] = {"community", "street", "district", "command"};
    return level >= 0 && level <= LEAD_LEVEL_COMMAND ? names[level] : NULL;
}
