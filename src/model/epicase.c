#include "model/epicase.h"

#include <string.h>

#include "base/timeutil.h"

static bool in_set(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(v, *set))
            return true;
    return false;
}

static const char *const classifications[] = {"screening_positive", "confirmed", "asymptomatic",
                                              NULL};
static const char *const severities[] = {"mild", "moderate", "severe", "critical", NULL};
static const char *const sources[] = {"community_screening", "quarantine_screening",
                                      "fever_clinic", "traveler", NULL};
static const char *const statuses[] = {"reported", "transferred", "hospitalized", "discharged",
                                       "died", NULL};

/* The edges of the status machine drawn in epicase.h. */
static const struct { const char *from, *to; } edges[] = {
    {"reported", "transferred"},   {"transferred", "hospitalized"},
    {"hospitalized", "discharged"}, {"reported", "died"},
    {"transferred", "died"},       {"hospitalized", "died"},
};

bool case_status_known(const char *status)
{
    return in_set(status, statuses);
}

bool case_transition_allowed(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        if (!strcmp(edges[i].from, from) && !strcmp(edges[i].to, to))
            return true;
    return false;
}

int case_check_transition(const char *from, const char *to, fk_err *err)
{
    if (!case_status_known(to))
        return fk_fail(err, FK_EINVAL, "to",
                       "to: unknown status (reported, transferred, hospitalized, discharged, "
                       "died)");
    if (!case_transition_allowed(from, to))
        return fk_fail(err, FK_ECONFLICT, "to", "to: a case that is %s cannot become %s", from,
                       to);
    return 0;
}

#define LATEST_UTC_OFFSET_S (14 * 3600)

static int validate_dates(const epicase *c, fk_err *err)
{
    if (fk_date_parse(c->sampling_date, NULL, NULL, NULL, "sampling_date", err) != 0)
        return -1;
    if (c->onset_date[0] &&
        fk_date_parse(c->onset_date, NULL, NULL, NULL, "onset_date", err) != 0)
        return -1;
    if (c->onset_date[0] && !strcmp(c->classification, "asymptomatic"))
        return fk_fail(err, FK_EINVAL, "onset_date",
                       "onset_date: an asymptomatic infection has no symptom onset");
    /* Dates are the city's calendar days, the report an instant: a date is after the
     * report only when no time zone had reached it yet (UTC+14, the latest), so a case
     * reported at 00:30 in Beijing (16:30 UTC the day before) may say today. */
    char reported_day[11];
    fk_date_of(c->reported_at + LATEST_UTC_OFFSET_S, reported_day);
    if (c->reported_at <= 0)
        return fk_fail(err, FK_EINVAL, "reported_at", "reported_at: required");
    if (strcmp(c->sampling_date, reported_day) > 0)
        return fk_fail(err, FK_EINVAL, "sampling_date",
                       "sampling_date: %s is after the report (%s)", c->sampling_date,
                       reported_day);
    if (c->onset_date[0] && strcmp(c->onset_date, reported_day) > 0)
        return fk_fail(err, FK_EINVAL, "onset_date", "onset_date: %s is after the report (%s)",
                       c->onset_date, reported_day);
    return 0;
}

int case_validate(const epicase *c, fk_err *err)
{
    if (c->person_id <= 0)
        return fk_fail(err, FK_EINVAL, "person_id", "person_id: required");
    if (!in_set(c->classification, classifications))
        return fk_fail(err, FK_EINVAL, "classification",
                       "classification: must be screening_positive, confirmed or asymptomatic");
    bool confirmed = !strcmp(c->classification, "confirmed");
    if (confirmed && !in_set(c->severity, severities))
        return fk_fail(err, FK_EINVAL, "severity",
                       "severity: a confirmed case needs mild, moderate, severe or critical");
    if (!confirmed && c->severity[0])
        return fk_fail(err, FK_EINVAL, "severity", "severity: only for confirmed cases");
    if (!in_set(c->source, sources))
        return fk_fail(err, FK_EINVAL, "source",
                       "source: must be community_screening, quarantine_screening, "
                       "fever_clinic or traveler");
    return validate_dates(c, err);
}
