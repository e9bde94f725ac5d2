/*
 * report.c - daily report periods and deadlines (contract and formulas: report.h).
 */
#include "model/report.h"

#include <stdio.h>

#include "base/timeutil.h"

#define DAY 86400
#define HOUR 3600

/* Floor division: days before 1970 stay on the right day. */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The instant of local midnight starting `day` (valid). */
static int64_t local_midnight(const report_clock *c, const char *day)
{
    int y, m, d;
    fk_date_parse(day, &y, &m, &d, "day", NULL);
    return fk_days_from_civil(y, m, d) * DAY - (int64_t)c->utc_offset_h * HOUR;
}

static int64_t period_end(const report_clock *c, const char *day)
{
    return local_midnight(c, day) + (int64_t)(c->cutoff_hour ? c->cutoff_hour : 24) * HOUR;
}

int report_period(const report_clock *c, const char *day, int64_t *from, int64_t *to,
                  const char *field, fk_err *err)
{
    if (fk_date_parse(day, NULL, NULL, NULL, field, err) != 0)
        return -1;
    *to = period_end(c, day);
    *from = *to - DAY;
    return 0;
}

void report_day_of(const report_clock *c, int64_t t, char out[11])
{
    /* D's period is [D + cut - 24 h, D + cut) in local time, so D is the local day
     * after the one holding t - cut (cut = 24 h for a cut-off of 0) */
    int64_t local = t + (int64_t)c->utc_offset_h * HOUR;
    int64_t cut = (int64_t)(c->cutoff_hour ? c->cutoff_hour : 24) * HOUR;
    int64_t days = floor_div(local - cut, DAY) + 1;
    fk_date_of(days * DAY, out);
}

int64_t report_deadline(const report_clock *c, const char *day)
{
    int64_t end = period_end(c, day);
    int64_t local_end = end + (int64_t)c->utc_offset_h * HOUR;
    int64_t at = floor_div(local_end, DAY) * DAY + (int64_t)c->deadline_hour * HOUR;
    if (at < local_end)
        at += DAY;
    return at - (int64_t)c->utc_offset_h * HOUR;
}

void report_day_add(const char *day, int delta, char out[11])
{
    int y, m, d;
    fk_date_parse(day, &y, &m, &d, "day", NULL);
    fk_date_of((fk_days_from_civil(y, m, d) + delta) * DAY, out);
}

report_state report_state_of(int64_t submitted_at, int zero, int64_t deadline, int64_t now)
{
    /* judged as things stood at `now`: a report that came later is not there yet */
    if (submitted_at && submitted_at <= now)
        return submitted_at > deadline ? REPORT_LATE : zero ? REPORT_ZERO : REPORT_SUBMITTED;
    return now > deadline ? REPORT_MISSING : REPORT_PENDING;
}

const char *report_state_name(report_state s)
{
    static const char *const names[] = {"pending", "submitted", "zero", "late", "missing"};
    return s <= REPORT_MISSING ? names[s] : "?";
}
