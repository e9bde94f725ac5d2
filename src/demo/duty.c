/*
 * duty.c - stage "duty": who answers for what in the demo city, and its recent daily
 * reports, so that the accountability view and escalations have names to show.
 *
 * The responsibility matrix: for the city, every district, street and community, one
 * unit (居委会/村委会, 街道办事处, 区疫情防控办公室, the city's 指挥部) and one official
 * with a generated name per function, in office from 30 days before DEMO_EPOCH.
 * Daily reports: the units at the policy's reporting levels (opts->policy, else the
 * builtin v9: communities and streets) report the three days before the day of
 * generation (the console shows the present), about 80 % on time (a third of them zero
 * reports), 8 % late, the rest missing, with the policy's figures. Unlike the rest of
 * the city these dates follow the clock; the choices come from the stage's own stream.
 * With the store NULL the stage does nothing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "base/timeutil.h"
#include "demo/demo_city.h"
#include "model/report.h"
#include "model/responsibility.h"
#include "policy/policy.h"
#include "services/reports.h"

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

/* The figures of one report: every figure of the policy, small counts or all 0. */
static void figures(demo_ctx *cx, const policy *pol, int zero, char *out, size_t cap)
{
    json_t *doc = policy_document(pol), *norm = json_object(), *v;
    const char *key;
    json_object_foreach(json_object_get(json_object_get(doc, "reporting"), "figures"), key, v)
        if (json_is_object(v))
            json_object_set_new(norm, key, json_integer(zero ? 0 : 1 + (int)gsl_rng_uniform_int(cx->rng, 9)));
    char *text = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(out, cap, "%s", text ? text : "{}");
    free(text);
    json_decref(norm);
    json_decref(doc);
}

/* One unit's report of `day`, or none (missing). */
static int report(demo_ctx *cx, const policy *pol, const report_clock *c, const char *code,
                  const char *day, fk_err *err)
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
    figures(cx, pol, r.zero, r.figures, sizeof r.figures);
    r.deadline = deadline;
    /* on time: within the eight hours before the deadline; late: up to five after */
    r.submitted_at = u < 0.80 ? deadline - 3600 - (int64_t)gsl_rng_uniform_int(cx->rng, 7 * 3600)
                              : deadline + 600 + (int64_t)gsl_rng_uniform_int(cx->rng, 5 * 3600);
    return store_report_insert(cx->st, &r, NULL, err);
}

static bool reports_at(const char *levels, enum demo_level lv)
{
    static const char *const names[] = {"district", "street", "community", "grid"};
    char padded[140], word[16];
    snprintf(padded, sizeof padded, "|%s|", levels);
    snprintf(word, sizeof word, "|%s|", names[lv]);
    return strstr(padded, word) != NULL;
}

static int reports(demo_ctx *cx, const policy *pol, fk_err *err)
{
    report_clock c;
    char today[11], day[11], levels[128];
    if (reports_clock(pol, &c, err) != 0 || reports_levels(pol, levels, sizeof levels, err))
        return -1;
    report_day_of(&c, fk_now(), today);
    for (int d = REPORT_DAYS; d >= 1; d--) {
        report_day_add(today, -d, day);
        for (enum demo_level lv = DEMO_DISTRICT; lv < DEMO_LEVELS; lv++)
            for (size_t i = 0; reports_at(levels, lv) && i < cx->city->n[lv]; i++)
                if (report(cx, pol, &c, cx->city->level[lv][i].code, day, err) != 0)
                    return -1;
    }
    return 0;
}

int demo__duty(demo_ctx *cx, fk_err *err)
{
    if (!cx->st)
        return 0;
    policy *own = cx->opts->policy ? NULL : policy_load_builtin("v9", err);
    const policy *pol = cx->opts->policy ? cx->opts->policy : own;
    int rc = !pol || matrix(cx, err) != 0 || reports(cx, pol, err) != 0 ? -1 : 0;
    policy_free(own);
    return rc;
}
