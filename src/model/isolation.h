/*
 * isolation.h - the schedule of one isolation from the policy: which phase of a
 * cohort's measures it is, its end date, the tests due on the policy's days and what
 * follows it. Pure (reads the policy, stores nothing); thread-safe.
 *
 * Dates are days since 1970-01-01 (fk_days_from_civil). Day 1 of the measures is
 * day1 (the last exposure or the entry, measures.<cohort>.day1_anchor says which);
 * phase p starts after the days of the phases before it. A test on day d of phase p is
 * due on start(p) + d - 1; the phase ends on start(p) + days - 1.
 *
 * An isolation is a phase whose kind is central_isolation or home_isolation; a
 * home_health_monitoring phase is what a release leads into (isolation_schedule
 * refuses it with FK_EINVAL naming "cohort").
 */
#ifndef FK_MODEL_ISOLATION_H
#define FK_MODEL_ISOLATION_H

#include <stdint.h>

#include "base/err.h"
#include "policy/policy.h"

#define ISOLATION_MAX_TESTS 32

typedef struct isolation_test_due {
    int day;              /* 1-based day of the phase */
    int64_t due;          /* day number */
    char test_kind[16];   /* pcr, antigen (the policy's test_kind) */
} isolation_test_due;

typedef struct isolation_schedule {
    char kind[32];        /* central_isolation | home_isolation */
    char anchor[16];      /* last_exposure | entry */
    int phase;            /* index in measures.<cohort>.phases */
    int64_t start, end;   /* first and last day of this phase */
    isolation_test_due tests[ISOLATION_MAX_TESTS];
    int n_tests;
    char next_kind[32];   /* the following phase's kind, "" when none */
    int64_t next_end;     /* its last day, 0 when none */
} isolation_schedule;

/* The schedule of phase `phase` of measures.<cohort> for day 1 = `day1`. FK_EINVAL
 * naming "cohort" when the cohort is unknown, does not apply, has no such phase or the
 * phase is no isolation. */
int isolation_schedule_of(const policy *pol, const char *cohort, int phase, int64_t day1,
                          isolation_schedule *out, fk_err *err);

/* "YYYY-MM-DD" of a day number; out holds 11 bytes. */
void isolation_date(int64_t day, char out[11]);
/* Day number of a "YYYY-MM-DD" (FK_EINVAL naming field). */
int isolation_day(const char *date, const char *field, int64_t *out, fk_err *err);

#endif
