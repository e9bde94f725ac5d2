/*
 * zone.h - risk zones (风险区域划定), the rules that need no store: the levels of the
 * policy's scheme in force, the units a level may be drawn over, the dates on which a
 * zone may be downgraded or lifted, and the over-reach checks (九不准).
 *
 * Everything is read from the policy's `zones` block (zones.scheme selects the scheme;
 * zones.schemes.<scheme>.levels and .lifting.<lifting_mode>); nothing here is a number
 * of its own.
 *
 * Days: a zone's dates are local calendar days of the city (reporting.utc_offset_h), held
 * as day numbers since 1970-01-01 (local). zone_local_day() turns an instant into one.
 *
 * Lifting (zone_next_step): a zone published at level L (its origin level) that has
 * taken `step` steps follows lifting.<mode>.<L>[step]; when L has no step left, the steps
 * of its current level from the first. A step may be taken on
 *     base + clean_days, base = max(start day, last case day, day of the last step)
 * and not before last_contact_day + last_contact_min_days when the step asks it. Its
 * test conditions: negative_round_on_day N: a complete negative round on base + N;
 * pcr_days: a negative round on base + each day; negative_round_within_h_before H: a
 * negative round within the H hours (whole days, rounded up) before the day of the
 * decision; requires all_sealed_and_controlled_in_county_lifted: no zone above rank 1
 * left published in the county. A step to "lifted", or to the scheme's rank-1 level (the
 * rest of the county: 防范区 / 低风险区), ends the zone (lift); any other step is a
 * downgrade. A new case inside moves the last case day, so every date moves out with it.
 *
 * Units: the policy's unit_order runs from smallest to largest. The demo city's areas map
 * onto it as grid -> compound (a grid stands for the compound), community -> community,
 * street -> street, district -> county; a building is a building. A zone drawn at a unit
 * larger than every unit its level allows is over-reach (ZONE_FLAG_UNIT); one kept at its
 * level after its next step's date with the step's tests met is over-reach too
 * (ZONE_FLAG_KEPT, computed at read time); a decision forced before its date carries
 * ZONE_FLAG_FORCED. With zones.overreach_warnings false, zone_overreach flags nothing.
 *
 * Pure; strings point into the policy or are static. Thread-safe.
 */
#ifndef FK_MODEL_ZONE_H
#define FK_MODEL_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct policy;

enum {
    ZONE_FLAG_UNIT = 1,   /* drawn over a unit larger than the level allows */
    ZONE_FLAG_KEPT = 2,   /* kept at its level after the policy let it go (read time) */
    ZONE_FLAG_FORCED = 4, /* downgraded or lifted before its date, with a written reason */
    ZONE_FLAG_LATE = 8,   /* published, or still waiting, past zones.publish_within_h */
};

bool zone_status_known(const char *status);
/* The unit kinds of the store: building, grid, community, street, district. */
bool zone_unit_kind_known(const char *kind);
/* The policy's unit for a unit kind ("grid" -> "compound", "district" -> "county"). */
const char *zone_policy_unit(const char *unit_kind);

/* The local day number of instant t (utc_offset_h hours east of UTC). */
int64_t zone_local_day(int64_t t, int utc_offset_h);
/* "YYYY-MM-DD" of a day number; out holds 11 bytes. */
void zone_day_format(int64_t day, char out[11]);
/* Day number of "YYYY-MM-DD"; -1 with FK_EINVAL naming field when malformed. */
int zone_day_parse(const char *s, int64_t *day, const char *field, fk_err *err);

/* One level of the scheme in force. */
typedef struct zone_level {
    const char *key, *zh, *public_level; /* public_level: high | medium | low */
    const char *movement;                /* what residents may do ("stay_home", ...); "" */
    int rank;
    int index; /* in zones.schemes.<scheme>.levels */
} zone_level;

/* The scheme in force (zones.scheme). */
const char *zone_scheme(const struct policy *p);
/* The level `key` of the scheme in force: 0, or -1 with FK_EINVAL naming `field`. */
int zone_level_get(const struct policy *p, const char *key, zone_level *out, const char *field,
                   fk_err *err);
/* The level of rank `rank` (the highest is the residence's level; the next one down is
 * the activity places' level). 0, or -1 FK_ENOTFOUND when the scheme has none. */
int zone_level_by_rank(const struct policy *p, int rank, zone_level *out, fk_err *err);
/* The keys of the scheme's levels whose movement is `movement` into keys (at most cap;
 * the strings are the policy's): how many. */
size_t zone_levels_with_movement(const struct policy *p, const char *movement,
                                 const char **keys, size_t cap);
/* The highest rank of the scheme. */
int zone_top_rank(const struct policy *p);
/* Does the level allow drawing it over unit_kind? Larger units are over-reach. */
bool zone_unit_too_large(const struct policy *p, const char *level, const char *unit_kind);
/* The largest allowed unit kind of the store for the level, from the unit kinds offered
 * in kinds[0..n) (smallest first): the first one the level allows, NULL when none. */
const char *zone_unit_allowed(const struct policy *p, const char *level, const char *const *kinds,
                              size_t n);
/* zones.schemes.<scheme>.levels.<i>.days_before_onset of the residence's level, or the
 * close_contact window when the level gives none. */
int zone_days_before_onset(const struct policy *p, int64_t *out, fk_err *err);
/* The level a positive inside a zone of `level` proposes (positive_inside_becomes), or
 * NULL. */
const char *zone_positive_inside_becomes(const struct policy *p, const char *level);

/* A zone's timeline as the lifting rules read it (day numbers, 0 = none). */
typedef struct zone_timeline {
    const char *origin_level, *level;
    int step;                 /* steps taken since publication */
    int64_t start_day, last_case_day, last_step_day, last_contact_day;
    const int64_t *negative_round_days; /* complete negative rounds inside, any order */
    size_t n_rounds;
    bool county_open;         /* another zone above rank 1 still published in the county */
} zone_timeline;

typedef struct zone_step {
    bool any;                /* false: no step left (the zone stays until lifted by hand) */
    bool lifts;              /* the step ends the zone */
    char to[16];             /* the level it moves to, or "lifted" */
    int64_t day;             /* the first day the step may be taken */
    int64_t lift_day;        /* the first day the chain of steps ends the zone (0 none) */
    bool tests_met;          /* the test conditions hold for a decision on `today` */
    char needs[256];         /* what is missing, in Chinese ("" when nothing) */
    char rule[96];           /* the policy path of the step */
} zone_step;

/* The next step of a zone for a decision on `today`. 0, or -1 with err (a policy bug). */
int zone_next_step(const struct policy *p, const zone_timeline *t, int64_t today,
                   zone_step *out, fk_err *err);

/* May the zone take its step on `today`? 0 yes; -1 FK_ECONFLICT naming field "date" with
 * the reason (too early: the date; tests missing: what) otherwise. */
int zone_step_allowed(const zone_step *s, int64_t today, fk_err *err);

/* Over-reach flags of a zone published at `level` over `unit_kind` (ZONE_FLAG_UNIT) and
 * kept past its step (ZONE_FLAG_KEPT, only when `published`). */
int zone_overreach(const struct policy *p, const char *level, const char *unit_kind,
                   bool published, const zone_step *next, int64_t today);

/* ZONE_FLAG_LATE when a zone proposed at `created_at` was published at `published_at`, or
 * is still unpublished at `now` (published_at 0), more than zones.publish_within_h hours
 * after the proposal (risk areas are to be published within 5 hours: laxity, flagged
 * whatever zones.overreach_warnings says); 0 otherwise or when the policy has no limit. */
int zone_publish_lateness(const struct policy *p, int64_t created_at, int64_t published_at,
                          int64_t now);

#endif
