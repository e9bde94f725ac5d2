/*
 * travel.h - traveler screening rules (外防输入): risk-area rows of other regions, stays
 * of travelers, and the match of a stay against a list at the policy's window. Pure
 * rules, no storage, no policy access (the caller fills travel_rules from the policy:
 * services/travel.c); thread-safe.
 *
 * Levels: high, medium, low, indexed TRAVEL_HIGH.. for travel_rules; cohorts are the
 * policy's measures.high_risk_area_stay, medium_risk_area_stay, low_risk_area_county.
 *
 * A stay (region code, area name, [from, to] instants) matches a risk row when:
 *  - place: the stay's region code starts with the row's (a row names a county of six
 *    digits or a longer area code) and either the row's code is longer than a county's
 *    (the code itself names the area), or the row names no area, or the stay names the
 *    same area. A stay in a county that has any row of the list in force during the stay,
 *    but that matches no row of a stricter tier, is the county's low tier
 *    (low_risk_area_county: "from a low-risk area of an affected county").
 *  - time: the row was in force during the part of the stay inside the window: that part
 *    meets [day start of valid_from, day end of valid_to) in local time (an empty
 *    valid_to: still in force).
 *  - window: the stay ended at most lookback_days x 24 h before the arrival and began no
 *    later than the arrival. "7 天内" includes its bound: a stay ending exactly
 *    lookback_days x 24 h before the arrival is inside; one second earlier is outside.
 *  - tier: the level's cohort applies in the policy and has a lookback (rules).
 * The strictest matching level wins (high > medium > low). A row of a tier the policy does
 * not apply (m20 abolished medium) still makes its county affected (the low tier).
 */
#ifndef FK_MODEL_TRAVEL_H
#define FK_MODEL_TRAVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum { TRAVEL_HIGH, TRAVEL_MEDIUM, TRAVEL_LOW, TRAVEL_LEVELS };

typedef struct risk_area_rec {
    int64_t id, list_id;
    char region_code[16];
    char area_name[128];
    char level[8];          /* high | medium | low */
    char valid_from[11];    /* YYYY-MM-DD */
    char valid_to[11];      /* YYYY-MM-DD, "" while in force */
} risk_area_rec;

typedef struct travel_stay {
    char region_code[16];
    char area_name[128];
    int64_t from, to;       /* instants, from <= to */
    int64_t itinerary_id;   /* 0: the arrival's own "from" */
} travel_stay;

typedef struct travel_rules {
    bool applies[TRAVEL_LEVELS];       /* the cohort applies and makes a lead */
    int lookback_days[TRAVEL_LEVELS];  /* 0 with applies false */
    int utc_offset_h;                  /* local dates of the rows */
} travel_rules;

typedef struct travel_match {
    int level;                 /* TRAVEL_* */
    int64_t risk_area_id;      /* 0 for the county's low tier without a row of its own */
} travel_match;

/* "high" -> TRAVEL_HIGH ...; -1 for an unknown level. */
int travel_level_index(const char *level);
const char *travel_level_name(int level);
/* The policy measures cohort of a level ("high_risk_area_stay", ...). */
const char *travel_level_cohort(int level);
/* 6 to 12 ASCII digits. */
bool travel_region_code_valid(const char *code);

/* Check one risk row (as a file gives it): FK_EINVAL naming region_code, area_name,
 * level, from or to (from <= to; dates YYYY-MM-DD). */
int travel_risk_row_check(const risk_area_rec *r, fk_err *err);

/* The instants a row is in force: [*from, *to) (to = INT64_MAX while in force). */
void travel_row_span(const risk_area_rec *r, int utc_offset_h, int64_t *from, int64_t *to);
/* Does the stay lie in the window before the arrival at `arrived_at`? */
bool travel_in_window(const travel_stay *s, int64_t arrived_at, int lookback_days);
/* Does the row's place cover the stay's (no time involved)? */
bool travel_place_matches(const risk_area_rec *r, const travel_stay *s);

/* The strictest match of the stay among rows[n] for an arrival at `arrived_at` under
 * rules: 1 with *out filled, 0 when none. */
int travel_match_stay(const travel_rules *rules, const travel_stay *s, int64_t arrived_at,
                      const risk_area_rec *rows, size_t n, travel_match *out /* OUT */);

/* A date "YYYY-MM-DD" or an instant (ISO 8601 with an offset, Unix seconds): a date is
 * its local day's start (end_of_day false) or its last second (true). */
int travel_parse_time(const char *s, bool end_of_day, int utc_offset_h, int64_t *out,
                      const char *field, fk_err *err);

#endif
