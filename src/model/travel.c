/*
 * travel.c - traveler screening rules (travel.h). The window and place rules are the
 * design block of the header; everything here is arithmetic on its inputs.
 */
#include "model/travel.h"

#include <string.h>

#include "base/timeutil.h"

#define DAY 86400
#define COUNTY_DIGITS 6

static const char *const level_names[TRAVEL_LEVELS] = {"high", "medium", "low"};
static const char *const cohorts[TRAVEL_LEVELS] = {"high_risk_area_stay",
                                                    "medium_risk_area_stay",
                                                    "low_risk_area_county"};

int travel_level_index(const char *level)
{
    for (int i = 0; i < TRAVEL_LEVELS; i++)
        if (level && !strcmp(level, level_names[i]))
            return i;
    return -1;
}

const char *travel_level_name(int level)
{
    return level >= 0 && level < TRAVEL_LEVELS ? level_names[level] : "";
}

const char *travel_level_cohort(int level)
{
    return level >= 0 && level < TRAVEL_LEVELS ? cohorts[level] : "";
}

bool travel_region_code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < COUNTY_DIGITS || n > 12)
        return false;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}

int travel_risk_row_check(const risk_area_rec *r, fk_err *err)
{
    if (!travel_region_code_valid(r->region_code))
        return fk_fail(err, FK_EINVAL, "region_code",
                       "region_code: 6 to 12 digits (a county code or a longer area code)");
    if (travel_level_index(r->level) < 0)
        return fk_fail(err, FK_EINVAL, "level", "level: must be high, medium or low");
    if (fk_date_parse(r->valid_from, NULL, NULL, NULL, "from", err) != 0)
        return -1;
    if (r->valid_to[0] && fk_date_parse(r->valid_to, NULL, NULL, NULL, "to", err) != 0)
        return -1;
    if (r->valid_to[0] && strcmp(r->valid_to, r->valid_from) < 0)
        return fk_fail(err, FK_EINVAL, "to", "to: before from");
    return 0;
}

static int64_t local_day_start(const char *date, int utc_offset_h)
{
    int y, m, d;
    fk_err ignored;
    if (fk_date_parse(date, &y, &m, &d, "", &ignored) != 0)
        return 0;
    return fk_days_from_civil(y, m, d) * DAY - (int64_t)utc_offset_h * 3600;
}

void travel_row_span(const risk_area_rec *r, int utc_offset_h, int64_t *from, int64_t *to)
{
    *from = local_day_start(r->valid_from, utc_offset_h);
    *to = r->valid_to[0] ? local_day_start(r->valid_to, utc_offset_h) + DAY : INT64_MAX;
}

bool travel_in_window(const travel_stay *s, int64_t arrived_at, int lookback_days)
{
    return s->from <= arrived_at && s->to >= arrived_at - (int64_t)lookback_days * DAY;
}

bool travel_place_matches(const risk_area_rec *r, const travel_stay *s)
{
    size_t n = strlen(r->region_code);
    if (strncmp(s->region_code, r->region_code, n) != 0)
        return false;
    return n > COUNTY_DIGITS || !r->area_name[0] || !strcmp(r->area_name, s->area_name);
}

static bool same_county(const risk_area_rec *r, const travel_stay *s)
{
    return !strncmp(r->region_code, s->region_code, COUNTY_DIGITS);
}

/* Was the row in force at some instant of the stay's part inside the window? */
static bool in_force_in_window(const risk_area_rec *r, const travel_stay *s, int64_t arrived_at,
                               int lookback_days, int utc_offset_h)
{
    int64_t from, to;
    int64_t lo = arrived_at - (int64_t)lookback_days * DAY;
    int64_t a = s->from > lo ? s->from : lo, b = s->to < arrived_at ? s->to : arrived_at;
    if (!travel_in_window(s, arrived_at, lookback_days) || a > b)
        return false;
    travel_row_span(r, utc_offset_h, &from, &to);
    return a < to && b >= from;
}

int travel_match_stay(const travel_rules *rules, const travel_stay *s, int64_t arrived_at,
                      const risk_area_rec *rows, size_t n, travel_match *out)
{
    int best = TRAVEL_LEVELS;
    int64_t best_id = 0;
    for (size_t i = 0; i < n; i++) {
        const risk_area_rec *r = &rows[i];
        int lv = travel_level_index(r->level);
        if (lv < 0 || !same_county(r, s))
            continue;
        /* a stay in an affected county is at least its low tier */
        int level = travel_place_matches(r, s) ? lv : TRAVEL_LOW;
        if (!rules->applies[level])
            level = TRAVEL_LOW; /* a tier the policy abolished (m20's medium) */
        if (!rules->applies[level] || level >= best ||
            !in_force_in_window(r, s, arrived_at, rules->lookback_days[level],
                                rules->utc_offset_h))
            continue;
        best = level;
        best_id = level == lv ? r->id : 0;
    }
    if (best == TRAVEL_LEVELS)
        return 0;
    out->level = best;
    out->risk_area_id = best_id;
    return 1;
}

int travel_parse_time(const char *s, bool end_of_day, int utc_offset_h, int64_t *out,
                      const char *field, fk_err *err)
{
    if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
        if (fk_date_parse(s, NULL, NULL, NULL, field, err) != 0)
            return -1;
        *out = local_day_start(s, utc_offset_h) + (end_of_day ? DAY - 1 : 0);
        return 0;
    }
    return fk_instant_parse(s, out, field, err);
}
