/*
 * accountability.h - responsibility and accountability (压实责任): the responsibility
 * matrix, the failures of a period found in the data, each unit's performance, the
 * briefing (通报) and the actions the command decides.
 *
 * Contract:
 *  - Matrix: per area ("" the city) and function (model/responsibility.h) a unit and
 *    an official for a term. Setting a row (PERM_ACCOUNTABILITY, area within the
 *    caller's jurisdiction, valid_from not in the future and after the current term's
 *    start) ends the current term at valid_from; history is never rewritten. Reads
 *    need only authentication and are limited to the caller's area; they are audited
 *    (officials' names are personal data of staff).
 *  - Failures: one table of failure sources (accountability.c), each a function over
 *    the store for a period: leads that missed a deadline (which step, how late; the
 *    unit at the level the lead stood at when that deadline passed: one level per
 *    earlier missed step, as escalation raises it), daily reports missing or late
 *    (the reporting unit). Each failure names the unit's responsible official at its
 *    deadline (function leads or reporting). A transfer source is one more row.
 *  - Performance: one table of measures per unit of a level (district, street,
 *    community) for a period, computed from one read of the period's leads and one of
 *    its reports, whatever the number of units.
 *  - Periods are local dates from..to inclusive (reporting.utc_offset_h): instants
 *    from local midnight of `from` to local midnight after `to`. A deadline counts
 *    when it lies in the period and before `now`.
 *  - Briefing, performance and actions need PERM_ACCOUNTABILITY and see only the
 *    caller's area. Briefing reads and action records are audited.
 *  - Actions: an action of the policy's accountability.actions about a failure the
 *    data holds (its reference as the briefing gives it), with a reason; the unit and
 *    official default to the failure's. Refusals change nothing.
 * Ownership: every list is the caller's, freed with its *_free.
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_ACCOUNTABILITY_H
#define FK_SERVICES_ACCOUNTABILITY_H

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

/* ---- matrix ----------------------------------------------------------------------------- */
/* In: r's area_code, function, unit, official, phone, valid_from (0 = now). */
int acc_resp_set(store *st, const actor *a, resp_rec *r, int64_t now, fk_err *err);
int acc_resp_list(store *st, const actor *a, const resp_filter *f, resp_list *out, fk_err *err);
/* The row of `function` for the unit that answers for area_code at escalation `level`,
 * in office at `at`: 1 and *out filled, 0 when the matrix has none, -1 on error. */
int acc_responsible(store *st, const char *function, const char *area_code, int level,
                    int64_t at, resp_rec *out, fk_err *err);

/* ---- periods and failures ------------------------------------------------------------------ */
typedef struct acc_period {
    char from_day[11], to_day[11];
    int64_t from, to;   /* instants */
    int64_t now;
} acc_period;

/* FK_EINVAL naming "from" or "to". */
int acc_period_make(const policy *pol, const char *from_day, const char *to_day, int64_t now,
                    acc_period *out, fk_err *err);

typedef struct failure {
    char ref[64];          /* lead:ID:STEP | report:AREA:DAY | trip:ID */
    char source[8];        /* lead | report | trip */
    char what[16];         /* the missed step (found, controlled, closed) | missing | late;
                            * trips: arrived_late | not_arrived */
    char area_code[16];    /* the lead's area | the reporting unit | the transfer unit */
    char unit_code[16];    /* the unit that answers for it ("" = command) */
    int level;             /* leads: the escalation level it stood at; reports: 0 */
    char day[11];          /* local date of the deadline (reports: the report day) */
    int64_t due_at, done_at; /* done_at 0: not done by now */
    int64_t late_s;        /* (done_at or now) - due_at */
    int64_t lead_id, trip_id;
    const resp_rec *resp;  /* who answered at the deadline, NULL: nobody on record; points
                            * into the list's terms (a period's million failures share a
                            * few hundred terms: a copy each was 300 bytes a failure) */
} failure;

typedef struct failure_list {
    failure *items;
    size_t n;
    resp_list terms;       /* the matrix the failures' resp point into */
} failure_list;

/* Every failure of the period under area_prefix, by deadline. No permission check
 * (the services' own use); acc_briefing is the checked way in. */
int acc_failures(store *st, const policy *pol, const acc_period *p, const char *area_prefix,
                 failure_list *out, fk_err *err);
void failure_list_free(failure_list *l);

/* ---- performance --------------------------------------------------------------------------- */
enum { ACC_MAX_MEASURES = 12 };

typedef struct acc_measure_info {
    const char *name, *zh, *en;
    int failure;           /* 1: a count of failures (the console shows > 0 in red) */
} acc_measure_info;

/* The measures, in column order; *n (OUT) how many. Static storage. */
const acc_measure_info *acc_measures(size_t *n);

typedef struct perf_row {
    area unit;
    double v[ACC_MAX_MEASURES]; /* NaN when a measure has no value (a median of nothing) */
} perf_row;

typedef struct perf_table { perf_row *items; size_t n; } perf_table;

/* level: district, street or community. */
int acc_performance(store *st, const policy *pol, const actor *a, const acc_period *p,
                    const char *level, perf_table *out, fk_err *err);
void perf_table_free(perf_table *t);

/* ---- briefing and actions -------------------------------------------------------------------- */
typedef struct briefing {
    acc_period period;
    failure_list failures; /* by deadline */
    action_list actions;   /* the actions recorded about these failures, by failure_ref */
} briefing;

int acc_briefing(store *st, const policy *pol, const actor *a, const acc_period *p,
                 briefing *out, fk_err *err);
/* The actions about failure `ref`: the first (NULL: none) and *n how many, in b. */
const action_rec *briefing_actions_of(const briefing *b, const char *ref, size_t *n);
void briefing_free(briefing *b);

/* In: r's failure_ref, action, reason; unit and official optional. */
int acc_action_record(store *st, const policy *pol, const actor *a, action_rec *r, int64_t now,
                      fk_err *err);
int acc_action_list(store *st, const actor *a, const action_filter *f, action_list *out,
                    fk_err *err);

#endif
