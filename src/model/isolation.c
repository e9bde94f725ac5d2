/*
 * isolation.c - schedules from the policy's measures (contract: isolation.h).
 */
#include "model/isolation.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"

void isolation_date(int64_t day, char out[11])
{
    fk_date_of(day * 86400, out);
}

int isolation_day(const char *date, const char *field, int64_t *out, fk_err *err)
{
    int y, m, d;
    if (!date || fk_date_parse(date, &y, &m, &d, field, err) != 0)
        return date ? -1 : fk_fail(err, FK_EINVAL, field, "%s: a date YYYY-MM-DD", field);
    *out = fk_days_from_civil(y, m, d);
    return 0;
}

static int phase_int(const policy *pol, const char *cohort, int phase, const char *key,
                     int64_t *out, fk_err *err)
{
    char path[128];
    snprintf(path, sizeof path, "measures.%s.phases.%d.%s", cohort, phase, key);
    return policy_get_int(pol, path, out, err);
}

static int phase_str(const policy *pol, const char *cohort, int phase, const char *key,
                     const char **out, fk_err *err)
{
    char path[128];
    snprintf(path, sizeof path, "measures.%s.phases.%d.%s", cohort, phase, key);
    return policy_get_string(pol, path, out, err);
}

static int cohort_phases(const policy *pol, const char *cohort, size_t *n, fk_err *err)
{
    char path[96];
    bool applies = false;
    fk_err ignored;
    if (!cohort || !cohort[0] || strlen(cohort) > 31 || strchr(cohort, '.'))
        return fk_fail(err, FK_EINVAL, "cohort", "cohort: a key of the policy's measures");
    snprintf(path, sizeof path, "measures.%s.applies", cohort);
    if (policy_get_bool(pol, path, &applies, &ignored) != 0)
        return fk_fail(err, FK_EINVAL, "cohort", "cohort: policy %s has no measures for %s",
                       policy_id(pol), cohort);
    if (!applies)
        return fk_fail(err, FK_EINVAL, "cohort", "cohort: %s does not apply under policy %s",
                       cohort, policy_id(pol));
    snprintf(path, sizeof path, "measures.%s.phases", cohort);
    return policy_get_count(pol, path, n, err);
}

static int schedule_tests(const policy *pol, const char *cohort, isolation_schedule *s,
                          fk_err *err)
{
    char path[128];
    int64_t days[ISOLATION_MAX_TESTS];
    size_t n;
    const char *kind;
    snprintf(path, sizeof path, "measures.%s.phases.%d.test_days", cohort, s->phase);
    if (policy_get_int_array(pol, path, days, ISOLATION_MAX_TESTS, &n, err) != 0 ||
        phase_str(pol, cohort, s->phase, "test_kind", &kind, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        isolation_test_due *t = &s->tests[i];
        t->day = (int)days[i];
        t->due = s->start + days[i] - 1;
        snprintf(t->test_kind, sizeof t->test_kind, "%s", kind);
    }
    s->n_tests = (int)n;
    return 0;
}

int isolation_schedule_of(const policy *pol, const char *cohort, int phase, int64_t day1,
                          isolation_schedule *out, fk_err *err)
{
    size_t n;
    const char *kind, *anchor;
    char path[96];
    memset(out, 0, sizeof *out);
    if (cohort_phases(pol, cohort, &n, err) != 0)
        return -1;
    if (phase < 0 || (size_t)phase >= n)
        return fk_fail(err, FK_EINVAL, "cohort", "cohort: %s has no phase %d under policy %s",
                       cohort, phase + 1, policy_id(pol));
    snprintf(path, sizeof path, "measures.%s.day1_anchor", cohort);
    if (policy_get_string(pol, path, &anchor, err) != 0)
        return -1;
    snprintf(out->anchor, sizeof out->anchor, "%s", anchor);
    int64_t start = day1, days = 0;
    for (int p = 0; p <= phase; p++) {
        start += days;
        if (phase_int(pol, cohort, p, "days", &days, err) != 0)
            return -1;
    }
    if (phase_str(pol, cohort, phase, "kind", &kind, err) != 0)
        return -1;
    if (strcmp(kind, "central_isolation") != 0 && strcmp(kind, "home_isolation") != 0)
        return fk_fail(err, FK_EINVAL, "cohort",
                       "cohort: phase %d of %s is %s, not an isolation", phase + 1, cohort, kind);
    snprintf(out->kind, sizeof out->kind, "%s", kind);
    out->phase = phase;
    out->start = start;
    out->end = start + days - 1;
    if ((size_t)phase + 1 < n) {
        int64_t next_days;
        if (phase_str(pol, cohort, phase + 1, "kind", &kind, err) != 0 ||
            phase_int(pol, cohort, phase + 1, "days", &next_days, err) != 0)
            return -1;
        snprintf(out->next_kind, sizeof out->next_kind, "%s", kind);
        out->next_end = out->end + next_days;
    }
    return schedule_tests(pol, cohort, out, err);
}
