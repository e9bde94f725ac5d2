/*
 * duty.c - stage "duty": who answers for what in the demo city, and its recent daily
 * reports, so that the accountability view and escalations have names to show.
 *
 * The responsibility matrix: for the city, every district, street and community, one
 * unit (居委会/村委会, 街道办事处, 区疫情防控办公室, the city's 指挥部) and one official
 * with a generated name per function, in office from 30 days before DEMO_EPOCH.
 * Daily reports: the units at the policy's default reporting levels (communities and
 * streets) report the three days before the day of generation (the console shows the
 * present), about 80 % on time (a third of them zero reports), 8 % late, the rest
 * missing. Unlike the rest of the city these dates follow the clock; the choices come
 * from the stage's own stream. With the store NULL the stage does nothing.
 */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "base/timeutil.h"
#include "demo/demo_city.h"
#include "model/report.h"
#include "model/responsibility.h"

#define DUTY_SINCE (DEMO_EPOCH - 30 * 86400)
#define REPORT_DAYS 3

static const char *const functions[] = {"leads", "reporting", "testing", "transfer",
                                        "isolation", "supplies"};

static void unit_name(enum demo_level level, const demo_place *p, char *out, size_t cap)
{
    if (level == DEMO_COMMUNITY)
        snprintf(out, cap, "%s%s", p->name, p->rural ? "村民委员会" : "居民委员会");
    else if (level == DEMO_STREET)
        snprintf(out, cap, "%s办事处", p->name);
    else
        snprintf(out, cap, "%s疫情防控办公室", p->name);
}

static int put_term(demo_ctx *cx, const char *code, const char *unit, fk_err *err)
{
    for (size_t f = 0; f < sizeof functions / sizeof functions[0]; f++) {
        resp_rec r = {0};
        int year = 1965 + (int)gsl_rng_uniform_int(cx->rng, 30);
        char sex = gsl_rng_uniform(cx->rng) < 0.5 ? 'M' : 'F';
        snprintf(r.area_code, sizeof r.area_code, "%s", code);
        snprintf(r.function, sizeof r.function, "%s", functions[f]);
        snprintf(r.unit, sizeof r.unit, "%s", unit);
        demo_name_person(cx->names, cx->rng, demo_name_surname(cx->names, cx->rng), sex, year,
                         r.official, sizeof r.official);
        snprintf(r.set_by, sizeof r.set_by, "demo");
        r.valid_from = r.set_at = DUTY_SINCE;
        if (store_resp_set(cx->st, &r, NULL, err) != 0)
            return -1;
    }
    return 0;
}

static int matrix(demo_ctx *cx, fk_err *err)
{
    if (put_term(cx, "", DEMO_CITY_NAME "疫情防控指挥部", err) != 0)
        return -1;
    for (enum demo_level lv = DEMO_DISTRICT; lv <= DEMO_COMMUNITY; lv++)
        for (size_t i = 0; i < cx->city->n[lv]; i++) {
            char unit[96];
            unit_name(lv, &cx->city->level[lv][i], unit, sizeof unit);
            if (put_term(cx, cx->city->level[lv][i].code, unit, err) != 0)
                return -1;
        }
    return 0;
}

/* One unit's report of `day`, or none (missing). */
static int report(demo_ctx *cx, const report_clock *c, const char *code, const char *day,
                  fk_err *err)
{
    double u = gsl_rng_uniform(cx->rng);
    if (u >= 0.88)
        return 0;
    report_rec r = {0};
    int64_t deadline = report_deadline(c, day);
    snprintf(r.area_code, sizeof r.area_code, "%s", code);
    snprintf(r.day, sizeof r.day, "%s", day);
    snprintf(r.submitted_by, sizeof r.submitted_by, "demo");
    r.zero = gsl_rng_uniform(cx->rng) < 0.33;
    if (r.zero)
        snprintf(r.figures, sizeof r.figures, "{\"contacts_found\":0,\"leads_closed\":0,"
                 "\"new_cases\":0,\"persons_isolated\":0}");
    else
        snprintf(r.figures, sizeof r.figures, "{\"contacts_found\":%d,\"leads_closed\":%d,"
                 "\"new_cases\":%d,\"persons_isolated\":%d}",
                 (int)gsl_rng_uniform_int(cx->rng, 12), (int)gsl_rng_uniform_int(cx->rng, 10),
                 (int)gsl_rng_uniform_int(cx->rng, 3) + 1, (int)gsl_rng_uniform_int(cx->rng, 8));
    r.deadline = deadline;
    /* on time: within the eight hours before the deadline; late: up to five after */
    r.submitted_at = u < 0.80 ? deadline - 3600 - (int64_t)gsl_rng_uniform_int(cx->rng, 7 * 3600)
                              : deadline + 600 + (int64_t)gsl_rng_uniform_int(cx->rng, 5 * 3600);
    return store_report_insert(cx->st, &r, NULL, err);
}

/* The policy files' defaults (reporting.daily_cutoff_hour, deadline_hour, utc_offset_h):
 * the generator has no policy; the server judges the reports by the one in force. */
static int reports(demo_ctx *cx, fk_err *err)
{
    report_clock c = {.cutoff_hour = 0, .deadline_hour = 10, .utc_offset_h = 8};
    char today[11], day[11];
    report_day_of(&c, fk_now(), today);
    for (int d = REPORT_DAYS; d >= 1; d--) {
        report_day_add(today, -d, day);
        for (enum demo_level lv = DEMO_STREET; lv <= DEMO_COMMUNITY; lv++)
            for (size_t i = 0; i < cx->city->n[lv]; i++)
                if (report(cx, &c, cx->city->level[lv][i].code, day, err) != 0)
                    return -1;
    }
    return 0;
}

int demo__duty(demo_ctx *cx, fk_err *err)
{
    if (!cx->st)
        return 0;
    return matrix(cx, err) != 0 ? -1 : reports(cx, err);
}
