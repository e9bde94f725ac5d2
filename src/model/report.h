/*
 * report.h - the daily report (日报告、零报告): its period, its deadline and the state
 * of an expected report. Pure arithmetic on the policy's numbers, which the caller
 * passes in (reporting.daily_cutoff_hour, deadline_hour, utc_offset_h); thread-safe.
 *
 * Report day D (a local date) covers the 24 hours that end at D's cut-off: at
 * cutoff_hour:00 local time on D, where a cut-off of 0 means 24:00 of D, so that with
 * the usual 0 the report of D covers D from 0 to 24 时:
 *
 *     period(D) = [end - 24 h, end),  end = local midnight of D + (cutoff ? cutoff : 24) h
 *
 * The deadline is the first deadline_hour:00 local time at or after the end of the
 * period. A report submitted after the deadline is late; a report not submitted by
 * then is missing (before it, pending).
 */
#ifndef FK_MODEL_REPORT_H
#define FK_MODEL_REPORT_H

#include <stdint.h>

#include "base/err.h"

typedef struct report_clock {
    int cutoff_hour;    /* 0..23 */
    int deadline_hour;  /* 0..23 */
    int utc_offset_h;   /* local time = UTC + offset */
} report_clock;

typedef enum report_state {
    REPORT_PENDING,    /* not submitted, deadline not passed */
    REPORT_SUBMITTED,  /* figures, on time */
    REPORT_ZERO,       /* zero report, on time */
    REPORT_LATE,       /* submitted after the deadline */
    REPORT_MISSING     /* not submitted, deadline passed */
} report_state;

/* The period of report day `day` ("YYYY-MM-DD"): [*from, *to). FK_EINVAL naming
 * `field` for a malformed date. */
int report_period(const report_clock *c, const char *day, int64_t *from, int64_t *to,
                  const char *field, fk_err *err);
/* The report day whose period contains instant t, into out (11 bytes). */
void report_day_of(const report_clock *c, int64_t t, char out[11]);
/* The deadline of report day `day` (which must be valid: see report_period). */
int64_t report_deadline(const report_clock *c, const char *day);
/* The day `delta` days after `day` (negative: before) into out. */
void report_day_add(const char *day, int delta, char out[11]);

/* submitted_at 0 = none; zero says whether the submitted one is a zero report. A
 * report submitted after `now` counts as not submitted (a state as it stood at now). */
report_state report_state_of(int64_t submitted_at, int zero, int64_t deadline, int64_t now);
/* "pending", "submitted", "zero", "late", "missing". */
const char *report_state_name(report_state s);

#endif
