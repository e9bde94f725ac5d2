/*
 * reports.c - daily reports (contract: reports.h).
 */
#include "services/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "model/responsibility.h"
#include "model/role.h"

#define MAX_DAYS 366

int reports_clock(const policy *pol, report_clock *out, fk_err *err)
{
    int64_t cutoff, deadline, offset;
    if (policy_get_int(pol, "reporting.daily_cutoff_hour", &cutoff, err) != 0 ||
        policy_get_int(pol, "reporting.deadline_hour", &deadline, err) != 0 ||
        policy_get_int(pol, "reporting.utc_offset_h", &offset, err) != 0)
        return -1;
    *out = (report_clock){(int)cutoff, (int)deadline, (int)offset};
    return 0;
}

int reports_levels(const policy *pol, char *out, size_t cap, fk_err *err)
{
    size_t n;
    const char *level;
    char path[64];
    if (policy_get_count(pol, "reporting.levels", &n, err) != 0)
        return -1;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "reporting.levels.%zu", i);
        if (policy_get_string(pol, path, &level, err) != 0)
            return -1;
        size_t used = strlen(out);
        snprintf(out + used, cap - used, "%s%s", i ? "|" : "", level);
    }
    return 0;
}

/* ---- submission ------------------------------------------------------------------------ */

static bool in_levels(const char *levels, const char *level)
{
    size_t n = strlen(level);
    for (const char *p = levels; (p = strstr(p, level)) != NULL; p += n)
        if ((p == levels || p[-1] == '|') && (p[n] == '|' || p[n] == '\0'))
            return true;
    return false;
}

static int check_unit(store *st, const policy *pol, const actor *a, fk_err *err)
{
    char levels[128];
    area ar;
    fk_err ignored;
    if (actor_require(a, PERM_REPORT, err) != 0 || reports_levels(pol, levels, sizeof levels, err))
        return -1;
    if (!a->area_code[0] || store_area_get(st, a->area_code, &ar, &ignored) != 0 ||
        !in_levels(levels, ar.level))
        return fk_fail(err, FK_EINVAL, "area_code",
                       "area_code: your unit '%s' does not report; the reporting levels are %s",
                       a->area_code, levels);
    return 0;
}

static int check_day(const report_clock *c, const char *day, int64_t now, fk_err *err)
{
    int64_t from, to;
    if (report_period(c, day, &from, &to, "day", err) != 0)
        return -1;
    if (from > now)
        return fk_fail(err, FK_EINVAL, "day", "day: the period of %s has not begun", day);
    return 0;
}

/* The figures as the stored JSON text, every policy figure present. */
static int normalise_figures(const policy *pol, const report_submission *in, char *out,
                             size_t cap, fk_err *err)
{
    const json_t *names = NULL;
    json_t *doc = policy_document(pol), *norm = json_object(), *v;
    const char *key;
    int64_t sum = 0;
    int rc = -1;
    names = json_object_get(json_object_get(doc, "reporting"), "figures");
    if (in->figures && !json_is_object(in->figures)) {
        fk_fail(err, FK_EINVAL, "figures", "figures: must be an object of counts");
        goto out;
    }
    json_object_foreach((json_t *)in->figures, key, v) {
        if (!strcmp(key, "source") || !json_is_object(json_object_get(names, key))) {
            fk_fail(err, FK_EINVAL, "figures", "figures: '%s' is not a figure of the policy "
                    "(reporting.figures)", key);
            goto out;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000000) {
            fk_fail(err, FK_EINVAL, "figures", "figures: %s must be a count (an integer >= 0)", key);
            goto out;
        }
    }
    json_object_foreach((json_t *)names, key, v) {
        if (!json_is_object(v))
            continue;
        json_t *given = json_object_get(in->figures, key);
        if (!given && !in->zero) {
            fk_fail(err, FK_EINVAL, "figures", "figures: %s is missing (send every figure, or "
                    "zero: true)", key);
            goto out;
        }
        sum += given ? json_integer_value(given) : 0;
        json_object_set_new(norm, key, json_integer(given ? json_integer_value(given) : 0));
    }
    if (in->zero && sum != 0) {
        fk_fail(err, FK_EINVAL, "figures", "figures: a zero report has every figure 0");
        goto out;
    }
    if (!in->zero && sum == 0) {
        fk_fail(err, FK_EINVAL, "zero", "zero: every figure is 0: send a zero report (零报告)");
        goto out;
    }
    char *text = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS);
    if (text && strlen(text) < cap) {
        snprintf(out, cap, "%s", text);
        rc = 0;
    } else {
        fk_fail(err, FK_EINVAL, "figures", "figures: too many");
    }
    free(text);
out:
    json_decref(norm);
    json_decref(doc);
    return rc;
}

int reports_submit(store *st, const policy *pol, const actor *a, const report_submission *in,
                   int64_t now, report_rec *out, fk_err *err)
{
    report_clock c;
    char day[11], detail[96];
    memset(out, 0, sizeof *out);
    if (check_unit(st, pol, a, err) != 0 || reports_clock(pol, &c, err) != 0)
        return -1;
    if (in->day && strlen(in->day) != 10)
        return fk_fail(err, FK_EINVAL, "day", "day: expected a date YYYY-MM-DD");
    if (in->day) {
        snprintf(day, sizeof day, "%s", in->day);
    } else {
        char today[11];
        report_day_of(&c, now, today);
        report_day_add(today, -1, day);
    }
    if (check_day(&c, day, now, err) != 0)
        return -1;
    if (in->note && strlen(in->note) >= sizeof out->note)
        return fk_fail(err, FK_EINVAL, "note", "note: at most %zu bytes", sizeof out->note - 1);
    if (normalise_figures(pol, in, out->figures, sizeof out->figures, err) != 0)
        return -1;
    snprintf(out->area_code, sizeof out->area_code, "%s", a->area_code);
    snprintf(out->day, sizeof out->day, "%s", day);
    snprintf(out->note, sizeof out->note, "%s", in->note ? in->note : "");
    snprintf(out->submitted_by, sizeof out->submitted_by, "%s", a->username);
    out->zero = in->zero;
    out->submitted_at = now;
    out->deadline = report_deadline(&c, day);
    audit_rec rec;
    snprintf(detail, sizeof detail, "area=%s day=%s zero=%d late=%d", out->area_code, day,
             out->zero, now > out->deadline);
    actor_audit(a, &rec, "create", "daily_report", 0, detail);
    return store_report_insert(st, out, &rec, err);
}

/* ---- status ------------------------------------------------------------------------------ */

static int day_count(const char *from_day, const char *to_day, int *n, fk_err *err)
{
    int y, m, d;
    if (fk_date_parse(from_day, &y, &m, &d, "from", err) != 0)
        return -1;
    int64_t a = fk_days_from_civil(y, m, d);
    if (fk_date_parse(to_day, &y, &m, &d, "to", err) != 0)
        return -1;
    int64_t b = fk_days_from_civil(y, m, d);
    if (b < a)
        return fk_fail(err, FK_EINVAL, "to", "to: before from");
    if (b - a >= MAX_DAYS)
        return fk_fail(err, FK_EINVAL, "to", "to: at most %d days from from", MAX_DAYS);
    *n = (int)(b - a + 1);
    return 0;
}

/* Reports are ordered by day, then area, as units and days are walked: one merge. */
static void fill_status(const report_clock *c, const area_list *units, const report_list *reps,
                        const char *from_day, int days, int64_t now, report_status *out)
{
    size_t k = 0, i = 0;
    for (int d = 0; d < days; d++) {
        char day[11];
        report_day_add(from_day, d, day);
        int64_t deadline = report_deadline(c, day);
        for (size_t u = 0; u < units->n; u++, i++) {
            report_status *s = &out[i];
            memset(s, 0, sizeof *s);
            s->unit = units->items[u];
            snprintf(s->day, sizeof s->day, "%s", day);
            s->deadline = deadline;
            while (k < reps->n && (strcmp(reps->items[k].day, day) < 0 ||
                                   (!strcmp(reps->items[k].day, day) &&
                                    strcmp(reps->items[k].area_code, s->unit.code) < 0)))
                k++;
            if (k < reps->n && !strcmp(reps->items[k].day, day) &&
                !strcmp(reps->items[k].area_code, s->unit.code))
                s->report = reps->items[k];
            s->state = report_state_of(s->report.submitted_at, s->report.zero, deadline, now);
        }
    }
}

static int audit_status(store *st, const actor *a, const char *from_day, const char *to_day,
                      const char *prefix, fk_err *err)
{
    audit_rec rec;
    char detail[96];
    snprintf(detail, sizeof detail, "from=%s to=%s area=%s", from_day, to_day, prefix);
    actor_audit(a, &rec, "list", "daily_report", 0, detail);
    return store_audit_append(st, &rec, err);
}

int reports_status(store *st, const policy *pol, const actor *a, const char *from_day,
                   const char *to_day, const char *area_prefix, int64_t now,
                   report_status_list *out, fk_err *err)
{
    report_clock c;
    char levels[128], scope[16];
    const char *prefix = area_prefix ? area_prefix : "";
    area_list units = {0};
    report_list reps = {0};
    int days = 0;
    memset(out, 0, sizeof *out);
    if (a && !role_can(a->role, PERM_REPORT) && actor_require(a, PERM_ACCOUNTABILITY, err))
        return -1;
    if (a && !actor_narrow_area(a, area_prefix, scope, sizeof scope, &prefix))
        return audit_status(st, a, from_day, to_day, "-", err);
    if (day_count(from_day, to_day, &days, err) != 0 || reports_clock(pol, &c, err) != 0 ||
        reports_levels(pol, levels, sizeof levels, err) != 0)
        return -1;
    if (store_areas_at_levels(st, levels, prefix, &units, err) != 0 ||
        store_reports_between(st, from_day, to_day, prefix, &reps, err) != 0 ||
        (a && audit_status(st, a, from_day, to_day, prefix, err) != 0)) {
        area_list_free(&units);
        report_list_free(&reps);
        return -1;
    }
    out->n = units.n * (size_t)days;
    out->items = out->n ? fk_calloc(out->n, sizeof *out->items) : NULL;
    fill_status(&c, &units, &reps, from_day, days, now, out->items);
    area_list_free(&units);
    report_list_free(&reps);
    return 0;
}

void report_status_list_free(report_status_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
