/*
 * lead.h - a lead (推送、排查、管控): one work item pushed to the ground, its states and
 * deadlines. Pure rules, no storage; thread-safe.
 *
 * States (the only moves lead_transition_allowed accepts):
 *
 *     pushed --> received --> found -----------> controlled --> closed
 *                    |          |                    ^
 *                    |          +--> refused --------+
 *                    +--> not_found --> found
 *                             +-------------------------------> closed
 *
 * found means located; refused records a refusal to cooperate (from found) and still
 * has to end controlled; not_found may be found later or be closed as not findable.
 * Entering controlled requires measure_taken (lead_measure_known).
 *
 * Deadlines: three, counted from pushed_at (found_by, controlled_by, closed_by), hours
 * taken from the policy by the caller. Each state waits for one of them (lead_step):
 * pushed/received wait to be found, found/refused to be controlled, not_found and
 * controlled to be closed; closed waits for nothing. A lead is overdue when the
 * deadline its state waits for has passed. Its missed steps are the deadlines from
 * that one on that lie in the past; escalation raises the lead one level per missed
 * step: 0 community (and its grids), 1 street, 2 district, 3 command.
 */
#ifndef FK_MODEL_LEAD_H
#define FK_MODEL_LEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum { LEAD_STEP_FOUND, LEAD_STEP_CONTROLLED, LEAD_STEP_CLOSED, LEAD_STEPS };
enum { LEAD_LEVEL_COMMUNITY, LEAD_LEVEL_STREET, LEAD_LEVEL_DISTRICT, LEAD_LEVEL_COMMAND };

bool lead_kind_known(const char *kind);
bool lead_state_known(const char *state);
bool lead_measure_known(const char *measure_taken);
bool lead_transition_allowed(const char *from, const char *to);
/* FK_ECONFLICT naming "state" for an illegal move, FK_EINVAL naming "measure_taken"
 * when `to` is controlled and the measure is missing or unknown. */
int lead_check_transition(const char *from, const char *to, const char *measure_taken,
                          fk_err *err);

/* The deadline step a state waits for (LEAD_STEP_*), LEAD_STEPS for closed / unknown. */
int lead_step(const char *state);
/* deadlines[LEAD_STEPS] as given; the deadline of `state`, 0 when it waits for none. */
int64_t lead_due(const char *state, const int64_t deadlines[LEAD_STEPS]);
/* Deadlines from `state` on that lie before `now` (0..LEAD_STEPS). */
int lead_missed_steps(const char *state, const int64_t deadlines[LEAD_STEPS], int64_t now);
/* The level a lead should be at: its missed steps, capped at command. */
int lead_escalation_target(const char *state, const int64_t deadlines[LEAD_STEPS], int64_t now);
/* The same rule as an SQL expression, for the store's set-based sweep: written into
 * out (cap bytes) over the columns state, found_by, controlled_by and closed_by of the
 * row in scope, with `now` the SQL text of the instant (e.g. "?1"). Built from the
 * move table above, so the C and SQL forms cannot drift apart (tests/unit/test_leads.c
 * checks that they agree). -1 when cap is too small (out truncated). */
int lead_escalation_target_sql(char *out, size_t cap, const char *now);
/* Levels derived from the time of the last sweep (the escalation clock, migration
 * 0022): a lead shows the level the rule gives as of the clock, or its stored level
 * (raised by hand, or frozen when it last moved) when higher. `owed`: the lead moved or
 * was pushed with deadlines already behind the clock, so no sweep has yet told anyone
 * of its level: it shows its stored level until the next sweep raises it. */
int lead_level_seen(int stored, bool owed, const char *state,
                    const int64_t deadlines[LEAD_STEPS], int64_t clock);
/* The index (LEAD_STEP_*) of the deadline whose passing takes a lead in `state` to
 * `level` (the level-th deadline from the one it waits for), -1 when none does. */
int lead_level_step(const char *state, int level);
/* The first deadline of `state` (from its step on) at or after `since`: the earliest
 * instant after which lead_escalation_target can rise past its value at `since`; 0
 * when none. */
int64_t lead_next_crossing(const char *state, const int64_t deadlines[LEAD_STEPS],
                           int64_t since);
/* lead_next_crossing as SQL over the row's columns as lead_escalation_target_sql, NULL
 * when none; -1 when cap is too small. */
int lead_next_crossing_sql(char *out, size_t cap, const char *since);
/* The legal path of an open lead to closed, as moves in an order such that applying each
 * in turn to every lead then in its `from` state takes every open lead to closed:
 * received, found (not_found leads are found: the test found them), controlled (with a
 * measure taken), closed. For the set-based closing of retest leads whose test came in
 * (store_holds_close_leads); tests/unit checks every move against the machine. *n (OUT)
 * the number of moves. Static. */
typedef struct lead_move { const char *from, *to; } lead_move;
const lead_move *lead_close_path(size_t *n);
/* "community", "street", "district", "command" (NULL out of range). */
const char *lead_level_name(int level);

#endif
