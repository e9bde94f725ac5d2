/*
 * reports.h - daily reports (日报告、零报告): a unit submits its report of a day, or
 * an explicit zero report; the command sees, for a day, every unit expected to report
 * and the state of its report.
 *
 * Contract:
 *  - Who reports: every area at one of the policy's reporting.levels (communities and
 *    streets by default). A user reports for their own unit, their area_code, with
 *    PERM_REPORT; a user whose area is not at a reporting level is refused (FK_EINVAL
 *    naming "area_code").
 *  - Which day: report day D covers the policy's period (model/report.h: cut-off
 *    hour, local offset); a report may be sent once D's period has begun (the unit
 *    reports when its day is done, or earlier if it closes its count early), once per
 *    unit and day (FK_ECONFLICT naming "day" for a second one). Submitted after the
 *    deadline (reporting.deadline_hour), it is kept and marked late.
 *  - What: {zero: true} with no figures or all figures 0, or figures: an object whose
 *    keys are the policy's reporting.figures, each a non-negative integer, every one
 *    given; figures all 0 must be sent as a zero report. Refusals change nothing.
 *  - States of an expected report at `now`: submitted, zero, late, missing (deadline
 *    passed without one) or pending.
 *  - Audit: a submission is audited with the row it writes (entity "daily_report");
 *    a status list is audited as a list.
 * Ownership: lists are the caller's (report_status_list_free).
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_REPORTS_H
#define FK_SERVICES_REPORTS_H

#include <jansson.h>
#include <stdbool.h>

#include "model/report.h"
#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

/* The policy's reporting clock; FK_EINVAL naming the policy path when one is missing. */
int reports_clock(const policy *pol, report_clock *out, fk_err *err);
/* The reporting levels as "community|street" into out (cap bytes). */
int reports_levels(const policy *pol, char *out, size_t cap, fk_err *err);

typedef struct report_submission {
    const char *day;        /* NULL = the last day whose period has ended */
    bool zero;
    const json_t *figures;  /* NULL when not given */
    const char *note;       /* NULL = none */
} report_submission;

/* The actor's unit's report as of `now` (the time it is received); *out the stored row. */
int reports_submit(store *st, const policy *pol, const actor *a, const report_submission *in,
                   int64_t now, report_rec *out, fk_err *err);

typedef struct report_status {
    area unit;
    char day[11];
    report_state state;
    int64_t deadline;
    report_rec report;      /* id 0 when none */
} report_status;

typedef struct report_status_list { report_status *items; size_t n; } report_status_list;

/* Every unit under area_prefix expected to report on each day from_day..to_day (at
 * most 366 days), with its state at `now`, ordered by day and unit. Without an actor
 * (NULL) no permission, scope or audit applies (the services' own use); with one, it
 * needs PERM_REPORT or PERM_ACCOUNTABILITY and the prefix is narrowed to its area. */
int reports_status(store *st, const policy *pol, const actor *a, const char *from_day,
                   const char *to_day, const char *area_prefix, int64_t now,
                   report_status_list *out, fk_err *err);
void report_status_list_free(report_status_list *l);

#endif
