/*
 * responsibility.h - who answers for what (压实责任): the functions of the
 * responsibility matrix, the unit that answers for an area at an escalation level, and
 * the references by which a briefing names a failure. Pure rules; thread-safe.
 *
 * The matrix names, per area and function, a unit and an official for a period of
 * office. A lead's unit at escalation level L is its area's ancestor at that level:
 * 0 community (12 digits), 1 street (9), 2 district (6), 3 command, the city ("").
 * An area shallower than the level asks stands for itself (a lead of a street is the
 * street's at level 0 too).
 *
 * Failure references ("lead:42:found", "report:510104001001:2022-05-01") are built and
 * parsed here so that the briefing, the actions table and the API agree on them.
 */
#ifndef FK_MODEL_RESPONSIBILITY_H
#define FK_MODEL_RESPONSIBILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* testing, transfer, isolation, supplies, leads (the leads queue: escalations name
 * this row), reporting (the unit's daily report). */
bool resp_function_known(const char *function);
/* The list of them, for messages. */
const char *resp_function_list(void);

/* The code of the unit that answers for `area_code` at escalation `level` (LEAD_LEVEL_*)
 * into out (16 bytes): a prefix of the code, "" for command. */
void resp_unit_code(const char *area_code, int level, char out[16]);

/* Code length of a level name ("district" 6 ... "grid" 15), 0 for an unknown one. */
int resp_level_length(const char *level);

/* The step names of a lead's deadlines (LEAD_STEP_*): "found", "controlled", "closed". */
const char *resp_step_name(int step);
int resp_step_of(const char *name); /* -1 when unknown */

/* Failure references. kind "lead": id and step; kind "report": area and day; kind
 * "trip": the transfer trip's id. */
typedef struct failure_ref {
    char kind[8];
    int64_t lead_id, trip_id;
    int step;
    char area_code[16];
    char day[11];
} failure_ref;
void resp_ref_lead(int64_t lead_id, int step, char out[64]);
void resp_ref_report(const char *area_code, const char *day, char out[64]);
void resp_ref_trip(int64_t trip_id, char out[64]);
/* FK_EINVAL naming "failure_ref" when s is not one of the three forms. */
int resp_ref_parse(const char *s, failure_ref *out, fk_err *err);

#endif
