/*
 * epicase.h - a case (阳性人员) and its status machine.
 *
 * Classification: screening_positive 初筛阳性 | confirmed 确诊 (with severity
 * mild/moderate/severe/critical, required) | asymptomatic 无症状感染者.
 * Source: community_screening | quarantine_screening | fever_clinic | traveler.
 *
 * Status machine (every transition is recorded with time and actor by the store):
 *
 *     reported --> transferred --> hospitalized --> discharged
 *        |              |               |
 *        +--------------+---------------+--> died
 *
 * discharged and died are terminal. case_transition_allowed() is the only judge.
 * Plain value type; pure functions; thread-safe. (File named epicase, not case, to
 * keep `case` free for the C keyword in readers' heads.)
 */
#ifndef FK_MODEL_EPICASE_H
#define FK_MODEL_EPICASE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

typedef struct epicase {
    int64_t id;
    int64_t number;            /* city-wide sequence 阳性人员 N 号, assigned by the store */
    int64_t person_id;
    char classification[24];
    char severity[12];         /* "" unless confirmed */
    char status[16];
    int64_t reported_at;       /* Unix seconds */
    char sampling_date[11];    /* YYYY-MM-DD, required */
    char onset_date[11];       /* YYYY-MM-DD or "" (asymptomatic) */
    char source[24];
    char hospital[128];        /* designated hospital, may be "" */
    char community_code[16];   /* the person's, filled by the store for scoping */
    char person_name[96];      /* the person's, filled by the store on reads */
    int64_t created_at, updated_at;
} epicase;

typedef struct case_transition {
    int64_t id, case_id;
    char from_status[16], to_status[16];
    int64_t at;
    char actor[64];
    char note[256];
} case_transition;

/* Validate fields of a new or edited case (not the status: new cases start "reported"). */
int case_validate(const epicase *c, fk_err *err);

bool case_status_known(const char *status);
bool case_transition_allowed(const char *from, const char *to);
/* Explains a refusal: fills err with FK_ECONFLICT naming field "to". */
int case_check_transition(const char *from, const char *to, fk_err *err);

#endif
