/*
 * policy.c - loading, validating and querying a protocol version's policy file.
 *
 * Design:
 *   - The policy is a jansson tree plus the list of overrides applied to it. Getters
 *     only read the tree (borrowed references, no refcount traffic), so a policy may
 *     be shared between threads once built.
 *   - What a valid policy looks like is one table, `schema` below: one row per key
 *     path with its type, range, allowed values and, for cross-field rules, a check
 *     function. "*" in a row's path means every element of an array or every member
 *     of an object (metadata members "source", "note", "title" and "zh" excepted).
 *     After the table, one walk over the whole tree refuses negative numbers anywhere
 *     and "source" strings without a domain.md tag.
 *   - Overrides are applied to a deep copy, which is validated whole and only then
 *     swapped in: a policy is never left half-overridden.
 */
#include "policy/policy.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/embed.h"

#define POLICY_MAX_FILE (4u << 20)
#define POLICY_MAX_PATH 512
#define POLICY_MAX_SEG 96

typedef struct policy_override {
    char *path;
    char *source;
} policy_override;

struct policy {
    json_t *root;
    char *id;
    policy_override *ov;
    size_t n_ov;
};

/* ---- paths ------------------------------------------------------------------ */

/* Copy the first segment of `s` into seg; return what follows it ("" at the end),
 * or NULL for an empty or over-long segment. */
static const char *policy_seg(const char *s, char *seg)
{
    size_t n = strcspn(s, ".");
    if (n == 0 || n >= POLICY_MAX_SEG)
        return NULL;
    memcpy(seg, s, n);
    seg[n] = '\0';
    return s[n] == '.' ? s + n + 1 : s + n;
}

static json_t *policy_child(const json_t *node, const char *seg)
{
    if (json_is_object(node))
        return json_object_get(node, seg);
    if (!json_is_array(node) || seg[0] < '0' || seg[0] > '9')
        return NULL;
    char *end;
    unsigned long i = strtoul(seg, &end, 10);
    if (*end || (seg[0] == '0' && seg[1]))
        return NULL;
    return json_array_get(node, i);
}

/* The node at `path`, or NULL. If `parent` is given it receives the node's parent
 * and `last` (POLICY_MAX_SEG bytes) the final segment. */
static json_t *policy_lookup(const json_t *root, const char *path, json_t **parent, char *last)
{
    char seg[POLICY_MAX_SEG];
    const json_t *node = root, *up = NULL;
    if (!path || !*path || strlen(path) >= POLICY_MAX_PATH)
        return NULL;
    while (node && *path) {
        path = policy_seg(path, seg);
        if (!path)
            return NULL;
        up = node;
        node = policy_child(node, seg);
    }
    if (node && parent) {
        *parent = (json_t *)up;
        memcpy(last, seg, sizeof seg);
    }
    return (json_t *)node;
}

/* ---- validation context ------------------------------------------------------ */

typedef struct vctx {
    const json_t *root;
    const char *name; /* file or id, prefixes every message */
    fk_err *err;
} vctx;

static int vfail(vctx *v, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int vfail(vctx *v, const char *path, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fk_fail(v->err, FK_EINVAL, path, "policy %s: %s: %s", v->name, path, msg);
}

/* True when `s` is one of the '|'-separated words of `list`. */
static bool policy_in_list(const char *list, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = list; p; p = strchr(p, '|')) {
        if (*p == '|')
            p++;
        if (strncmp(p, s, n) == 0 && (p[n] == '|' || p[n] == '\0'))
            return true;
    }
    return false;
}

static bool policy_is_meta(const char *key)
{
    return policy_in_list("source|note|notes|title|zh", key);
}

static const char *const policy_tags[] = {"[N] ", "[N?] ", "[L] ", "[?] "};

static bool policy_tagged(const char *s)
{
    for (size_t i = 0; i < sizeof policy_tags / sizeof policy_tags[0]; i++)
        if (strncmp(s, policy_tags[i], strlen(policy_tags[i])) == 0 && s[strlen(policy_tags[i])])
            return true;
    return false;
}

/* "YYYY-MM" or "YYYY-MM-DD" with a plausible month and day. */
static bool policy_is_date(const char *s)
{
    size_t n = strlen(s);
    if (n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    }
    int month = atoi(s + 5), day = n == 10 ? atoi(s + 8) : 1;
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* ---- the schema table -------------------------------------------------------- */

typedef enum policy_type {
    T_OBJ, T_ARR, T_INT, T_NUM, T_BOOL, T_STR,
    T_SRC,  /* string starting with a domain.md tag */
    T_DATE, /* YYYY-MM or YYYY-MM-DD */
    T_INTS, /* array of integers, each in [lo, hi] and in oneof if given */
    T_STRS  /* array of strings, each in oneof if given */
} policy_type;

enum {
    F_OPT = 1,    /* skip when any segment is missing */
    F_PARENT = 2  /* skip when the parent is missing, required when it is there */
};

typedef int (*policy_check_fn)(vctx *v, const json_t *node, const char *path);

typedef struct schema_row {
    const char *path;
    policy_type type;
    unsigned flags;
    double lo, hi;          /* range for numbers and integer elements (both 0: none) */
    const char *oneof;      /* allowed values, '|'-separated (strings or integers) */
    policy_check_fn check;  /* cross-field rule, run after the type checks */
} schema_row;

static int check_id(vctx *v, const json_t *node, const char *path);
static int check_phases(vctx *v, const json_t *node, const char *path);
static int check_release(vctx *v, const json_t *node, const char *path);
static int check_zones(vctx *v, const json_t *node, const char *path);
static int check_testing(vctx *v, const json_t *node, const char *path);
static int check_rules(vctx *v, const json_t *node, const char *path);
static int check_nonempty(vctx *v, const json_t *node, const char *path);
static int check_names(vctx *v, const json_t *node, const char *path);

/* ROW(path, type[, flags][, .lo = , .hi = , .oneof = , .check = ]) */
#define ROW(p, ...) {.path = (p), .type = __VA_ARGS__}
#define HOURS .lo = 0, .hi = 720
#define DAYS .lo = 0, .hi = 60
#define COLOURS "red|yellow|green"
#define PHASES "central_isolation|home_isolation|home_health_monitoring"
#define COHORT(c) ROW("measures." c, T_OBJ)
#define LIFT "zones.schemes.*.lifting.*.*.*."

static const schema_row schema[] = {
    ROW("schema", T_INT, .lo = 1, .hi = 1),
    ROW("id", T_STR, .check = check_id),
    ROW("title", T_STR),
    ROW("in_force_from", T_DATE),
    ROW("source", T_SRC),
    ROW("categories.names.*", T_STR),
    ROW("categories.names.close_contact", T_STR),
    /* §2 who is who */
    ROW("close_contact.source", T_SRC),
    ROW("close_contact.days_before_onset", T_INT, DAYS),
    ROW("close_contact.days_before_sample_asymptomatic", T_INT, DAYS),
    ROW("close_contact.window_start_routine_screening", T_STR, .oneof = "last_negative_sample|standard"),
    ROW("close_contact.window_end", T_STR),
    ROW("close_contact.situations", T_STRS),
    ROW("close_contact.contact_modes.*", T_STR),
    ROW("close_contact.discovery_routes.*", T_STR),
    ROW("secondary_contact.source", T_SRC),
    ROW("secondary_contact.identified", T_BOOL),
    ROW("secondary_contact.window_start", T_STR),
    ROW("secondary_contact.window_end", T_STR),
    ROW("general_contact.tracked", T_BOOL),
    ROW("general_contact.isolated", T_BOOL),
    ROW("companion.source", T_SRC),
    ROW("companion.enabled", T_BOOL),
    ROW("companion.grid_m", T_INT, .lo = 10, .hi = 100000),
    ROW("companion.min_overlap_s", T_INT, .lo = 1, .hi = 86400),
    ROW("companion.dwell_s", T_INT, .lo = 0, .hi = 60 * 86400),
    ROW("companion.lookback_days", T_INT, .lo = 1, .hi = 60),
    ROW("companion.dwell_by", T_STR, .oneof = "either_phone|both_phones"),
    ROW("venue_exposure.source", T_SRC),
    ROW("venue_exposure.enabled", T_BOOL),
    ROW("venue_exposure.match", T_STR, .oneof = "case_risk_slot"),
    ROW("trace_inputs.checkins.default_dwell_s", T_INT, .lo = 1, .hi = 86400),
    ROW("trace_inputs.proximity.interval_s", T_INT, .lo = 1, .hi = 3600),
    ROW("trace_inputs.pings.max_gap_s", T_INT, .lo = 1, .hi = 86400),
    /* §3 measures */
    ROW("phase_kinds.central_isolation", T_OBJ),
    ROW("phase_kinds.home_isolation", T_OBJ),
    ROW("phase_kinds.home_health_monitoring", T_OBJ),
    ROW("phase_kinds.*.zh", T_STR),
    ROW("phase_kinds.*.leaves_home", T_BOOL),
    ROW("measures.source", T_SRC),
    COHORT("close_contact"), COHORT("secondary_contact"), COHORT("high_risk_area_stay"),
    COHORT("medium_risk_area_stay"), COHORT("low_risk_area_county"), COHORT("inbound"),
    COHORT("companion"), COHORT("venue_exposure"),
    ROW("measures.*.source", T_SRC),
    ROW("measures.*.applies", T_BOOL),
    ROW("measures.*.day1_anchor", T_STR, .oneof = "last_exposure|entry"),
    ROW("measures.*.phases.*.kind", T_STR, .oneof = PHASES),
    ROW("measures.*.phases.*.days", T_INT, .lo = 1, .hi = 60),
    ROW("measures.*.phases.*.test_days", T_INTS, .lo = 1, .hi = 60),
    ROW("measures.*.phases.*.test_kind", T_STR, .oneof = "pcr|antigen"),
    ROW("measures.*.phases", T_ARR, .check = check_phases),
    ROW("measures.*.lookback_days", T_INT, F_OPT, .lo = 1, .hi = 60),
    ROW("measures.*.exit_negative_within_h", T_INT, F_OPT, HOURS),
    ROW("measures.*.isolation_allowed", T_BOOL, F_OPT),
    ROW("measures.*.code_colour", T_STR, F_OPT, .oneof = COLOURS),
    ROW("measures.*.report_to_community", T_BOOL, F_OPT),
    ROW("measures.*.ends", T_DATE, F_OPT),
    ROW("measures.*.clearance.tests", T_INT, F_PARENT, .lo = 1, .hi = 10),
    ROW("measures.*.clearance.within_days", T_INT, F_PARENT, .lo = 1, .hi = 60),
    ROW("measures.*.clearance.min_gap_h", T_INT, F_PARENT, HOURS),
    ROW("measures.*.clearance.stay_home_until_negative", T_BOOL, F_PARENT),
    ROW("release.source", T_SRC),
    ROW("release.tests", T_INT, .lo = 1, .hi = 10),
    ROW("release.min_interval_h", T_INT, HOURS),
    ROW("release.genes", T_STRS),
    ROW("release.ct_threshold", T_NUM, .lo = 1, .hi = 50),
    ROW("release.pcr_cutoff_ct", T_NUM, .lo = 1, .hi = 50),
    ROW("release.then.kind", T_STR, .oneof = PHASES),
    ROW("release.then.days", T_INT, DAYS),
    ROW("release.then.test_days", T_INTS, .lo = 1, .hi = 60),
    ROW("release", T_OBJ, .check = check_release),
    /* §4 zones */
    ROW("zones.source", T_SRC),
    ROW("zones.scheme", T_STR, .oneof = "fengkong|risk_level"),
    ROW("zones.publish_within_h", T_INT, HOURS),
    ROW("zones.temporary_lockdown_allowed", T_BOOL),
    ROW("zones.overreach_warnings", T_BOOL),
    ROW("zones.unit_order", T_STRS),
    ROW("zones.schemes.*.source", T_SRC),
    ROW("zones.schemes.*.levels.*.key", T_STR),
    ROW("zones.schemes.*.levels.*.zh", T_STR),
    ROW("zones.schemes.*.levels.*.rank", T_INT, .lo = 1, .hi = 10),
    ROW("zones.schemes.*.levels.*.units", T_STRS),
    ROW("zones.schemes.*.levels.*.movement", T_STR),
    ROW("zones.schemes.*.levels.*.public_level", T_STR, .oneof = "high|medium|low"),
    ROW("zones.schemes.*.levels.*.positive_inside_becomes", T_STR, F_OPT),
    ROW("zones.schemes.*.public_level_source", T_SRC),
    ROW("zones.schemes.*.levels.*.exit_negative_within_h", T_INT, F_OPT, HOURS),
    ROW("zones.schemes.*.levels.*.days_before_onset", T_INT, F_OPT, DAYS),
    ROW("zones.schemes.*.levels.*.supply_fetch.persons_per_household", T_INT, F_PARENT, .lo = 1, .hi = 10),
    ROW("zones.schemes.*.levels.*.supply_fetch.every_days_min", T_INT, F_PARENT, .lo = 1, .hi = 30),
    ROW("zones.schemes.*.levels.*.supply_fetch.every_days_max", T_INT, F_PARENT, .lo = 1, .hi = 30),
    ROW("zones.schemes.*.lifting_mode", T_STR),
    ROW("zones.schemes.*.lifting.*.source", T_SRC),
    ROW(LIFT "to", T_STR),
    ROW(LIFT "clean_days", T_INT, DAYS),
    ROW(LIFT "negative_round_on_day", T_INT, F_OPT, .lo = 1, .hi = 60),
    ROW(LIFT "negative_round_within_h_before", T_INT, F_OPT, HOURS),
    ROW(LIFT "last_contact_min_days", T_INT, F_OPT, DAYS),
    ROW(LIFT "pcr_days", T_INTS, F_OPT, .lo = 1, .hi = 60),
    ROW(LIFT "antigen_days", T_INTS, F_OPT, .lo = 1, .hi = 60),
    ROW(LIFT "reset_on_positive", T_BOOL, F_OPT),
    ROW(LIFT "requires", T_STR, F_OPT, .oneof = "all_sealed_and_controlled_in_county_lifted"),
    ROW("zones", T_OBJ, .check = check_zones),
    /* §5 testing */
    ROW("testing.source", T_SRC),
    ROW("testing.pool_sizes", T_INTS, .oneof = "1|5|10|20"),
    ROW("testing.repool_allowed", T_BOOL),
    ROW("testing.pool_by_group.source", T_SRC),
    ROW("testing.pool_by_group.groups.*", T_INT, .oneof = "1|5|10|20"),
    ROW("testing.pool_by_group.groups.other", T_INT),
    ROW("testing.positive_pool.source", T_SRC),
    ROW("testing.positive_pool.notify", T_STRS),
    ROW("testing.positive_pool.hold_members", T_BOOL),
    ROW("testing.positive_pool.resample_singly", T_BOOL),
    ROW("testing.positive_pool.retest_within_h", T_INT, .lo = 1, .hi = 72),
    ROW("testing.positive_pool.retest_within_h_source", T_SRC),
    ROW("testing.single_positive.source", T_SRC),
    ROW("testing.single_positive.case_classification", T_STR, .oneof = "screening_positive"),
    ROW("testing.single_positive.case_source", T_STR,
        .oneof = "community_screening|quarantine_screening"),
    ROW("testing.single_positive.notify", T_STRS),
    ROW("testing.unmatched_positive.source", T_SRC),
    ROW("testing.unmatched_positive.notify", T_STRS),
    ROW("testing.invalid.source", T_SRC),
    ROW("testing.invalid.resample", T_BOOL),
    ROW("testing.invalid.lead_measure", T_STR),
    ROW("testing.mass_screening.source", T_SRC),
    ROW("testing.mass_screening.enabled", T_BOOL),
    ROW("testing.mass_screening.round_within_h", T_INT, .lo = 1, .hi = 240),
    ROW("testing.mass_screening.large_city_population", T_INT, .lo = 0, .hi = 1e9),
    ROW("testing.mass_screening.large_city_round_within_h", T_INT, .lo = 1, .hi = 240),
    ROW("testing.outbreak_district.applies", T_BOOL),
    ROW("testing.outbreak_district.rounds_every_days", T_INT, .lo = 1, .hi = 30),
    ROW("testing.outbreak_district.clean_rounds_to_pause", T_INT, .lo = 0, .hi = 30),
    ROW("testing.outbreak_district.pause_days", T_INT, .lo = 0, .hi = 30),
    ROW("testing.outbreak_district.final_rounds", T_INT, .lo = 0, .hi = 10),
    ROW("testing.time_limits_h.*", T_INT, HOURS),
    ROW("testing.time_limits_h.sample_to_lab", T_INT),
    ROW("testing.time_limits_h.fever_clinic", T_INT),
    ROW("testing.time_limits_h.outpatient", T_INT),
    ROW("testing.time_limits_h.inpatient", T_INT),
    ROW("testing.time_limits_h.voluntary", T_INT),
    ROW("testing.coverage.source", T_SRC),
    ROW("testing.coverage.resident_types", T_STRS, .oneof = "resident|non_resident"),
    ROW("testing.coverage.exempt_active_isolation", T_BOOL),
    ROW("testing.coverage.exempt_active_isolation_source", T_SRC),
    ROW("testing.coverage.exempt_under_age_years", T_INT, .lo = 0, .hi = 18),
    ROW("testing.coverage.exempt_under_age_source", T_SRC),
    ROW("testing.coverage.rate_alert_below", T_NUM, .lo = 0, .hi = 1),
    ROW("testing.coverage.rate_good_from", T_NUM, .lo = 0, .hi = 1),
    ROW("testing.home_sampling.source", T_SRC),
    ROW("testing.home_sampling.person_flags", T_STRS,
        .oneof = "elderly_alone|disabled|pregnant|chronic"),
    ROW("testing.home_sampling.person_flags_source", T_SRC),
    ROW("testing.home_sampling.under_age_years", T_INT, .lo = 0, .hi = 18),
    ROW("testing.home_sampling.under_age_source", T_SRC),
    ROW("testing.home_sampling.zone_movements", T_STRS,
        .oneof = "stay_home|stay_in_area|public_space_control|exit_with_negative_test"),
    ROW("testing.home_sampling.home_isolated_households", T_BOOL),
    ROW("testing", T_OBJ, .check = check_testing),
    /* §6 health code, itinerary */
    ROW("health_code.source", T_SRC),
    ROW("health_code.colours.red.door", T_STR),
    ROW("health_code.colours.yellow.door", T_STR),
    ROW("health_code.colours.green.door", T_STR),
    ROW("health_code.overdue_grace_h", T_INT, HOURS),
    ROW("health_code.token_valid_s", T_INT, .lo = 30, .hi = 86400),
    ROW("health_code.token_source", T_SRC),
    ROW("health_code.itinerary_card.days", T_INT, .lo = 0, .hi = 30),
    ROW("health_code.itinerary_card.source", T_SRC),
    ROW("health_code.rules.*.id", T_STR),
    ROW("health_code.rules.*.colour", T_STR, .oneof = COLOURS),
    ROW("health_code.rules.*.condition", T_STR, .oneof = "case_not_released|in_phase|"
        "in_phase_after_red|pending_clearance|pool_held|required_test_overdue|in_zone|"
        "traveler_pending|always"),
    ROW("health_code.rules.*.source", T_SRC, F_OPT),
    ROW("health_code.rules.*.levels", T_STRS, F_OPT),
    ROW("health_code.rules.*.cohorts", T_STRS, F_OPT),
    ROW("health_code.rules.*.phases", T_STRS, F_OPT, .oneof = PHASES),
    ROW("health_code.rules", T_ARR, .check = check_rules),
    ROW("health_code.red_restriction.source", T_SRC),
    ROW("health_code.red_restriction.enabled", T_BOOL),
    ROW("health_code.red_restriction.cohorts", T_STRS),
    ROW("health_code.manual_override.allowed", T_BOOL),
    ROW("health_code.manual_override.review_required", T_BOOL),
    ROW("health_code.record_fields", T_STRS),
    ROW("itinerary.source", T_SRC),
    ROW("itinerary.min_stay_h", T_INT, .lo = 1, .hi = 336),
    ROW("itinerary.lookback_days", T_INT, .lo = 1, .hi = 60),
    ROW("itinerary.lookback_change.date", T_DATE, F_PARENT),
    ROW("itinerary.lookback_change.days_before", T_INT, F_PARENT, .lo = 1, .hi = 60),
    /* §7 tracing, §8 isolation and reporting */
    ROW("tracing.source", T_SRC),
    ROW("tracing.time_limits_h.*", T_INT, HOURS),
    ROW("tracing.time_limits_h.positive_report_online", T_INT),
    ROW("tracing.time_limits_h.core_trajectory", T_INT),
    ROW("tracing.time_limits_h.close_contacts_isolated", T_INT),
    ROW("tracing.time_limits_h.secondary_contacts_isolated", T_INT),
    ROW("tracing.time_limits_h.pushed_list_closed", T_INT),
    ROW("tracing.taizhou_1357.enabled", T_BOOL),
    ROW("tracing.taizhou_1357.core_trajectory", T_INT, HOURS),
    ROW("tracing.taizhou_1357.double_checked", T_INT, HOURS),
    ROW("tracing.taizhou_1357.zone_proposal", T_INT, HOURS),
    ROW("tracing.taizhou_1357.contact_lists", T_INT, HOURS),
    ROW("tracing.home_management_team", T_STRS),
    ROW("isolation.source", T_SRC),
    ROW("isolation.reserve_rooms_per_10000", T_INT, .lo = 0, .hi = 10000),
    ROW("isolation.facility_checklist.source", T_SRC),
    ROW("isolation.facility_checklist.items", T_STRS, .check = check_nonempty),
    ROW("isolation.sharing.source", T_SRC),
    ROW("isolation.sharing.allowed", T_BOOL),
    ROW("isolation.sharing.child_max_age", T_INT, .lo = 0, .hi = 18),
    ROW("isolation.sharing.elderly_min_age", T_INT, .lo = 40, .hi = 120),
    ROW("isolation.sharing.carer_min_age", T_INT, .lo = 14, .hi = 120),
    ROW("isolation.sharing.max_per_room", T_INT, .lo = 1, .hi = 8),
    ROW("isolation.cleaning.source", T_SRC),
    ROW("isolation.cleaning.hours", T_INT, HOURS),
    ROW("isolation.allocation.source", T_SRC),
    ROW("isolation.allocation.prefer", T_STR, .oneof = "nearest|most_free"),
    ROW("isolation.allocation.max_distance_km", T_NUM, .lo = 0, .hi = 1000),
    ROW("isolation.outlook.source", T_SRC),
    ROW("isolation.outlook.horizons_h", T_INTS, .lo = 1, .hi = 720, .check = check_nonempty),
    ROW("isolation.outlook.trend_window_h", T_INT, .lo = 1, .hi = 720),
    ROW("transfer.source", T_SRC),
    ROW("transfer.escalation_period_h", T_INT, .lo = 1, .hi = 72),
    ROW("supplies.priority_groups", T_STRS),
    ROW("reporting.source", T_SRC),
    ROW("reporting.daily_cutoff_hour", T_INT, .lo = 0, .hi = 23),
    ROW("reporting.zero_report", T_BOOL),
    ROW("reporting.levels", T_STRS, .oneof = "district|street|community|grid", .check = check_nonempty),
    ROW("reporting.levels_source", T_SRC),
    ROW("reporting.deadline_hour", T_INT, .lo = 0, .hi = 23),
    ROW("reporting.deadline_source", T_SRC),
    ROW("reporting.utc_offset_h", T_INT, .lo = 0, .hi = 14),
    ROW("reporting.utc_offset_source", T_SRC),
    ROW("reporting.figures.source", T_SRC),
    ROW("reporting.figures", T_OBJ, .check = check_names),
    ROW("reporting.figures.*.zh", T_STR),
    ROW("reporting.figures.*.en", T_STR),
    /* §8 accountability */
    ROW("accountability.source", T_SRC),
    ROW("accountability.actions.source", T_SRC),
    ROW("accountability.actions", T_OBJ, .check = check_names),
    ROW("accountability.actions.*.zh", T_STR),
    ROW("accountability.actions.*.en", T_STR),
    ROW("local.overrides", T_ARR, F_PARENT),
};

/* ---- checking one node against one row ---------------------------------------- */

static const char *policy_type_name(policy_type t)
{
    static const char *const names[] = {"an object", "an array", "an integer", "a number",
        "a boolean", "a string", "a tagged source string", "a date", "an array of integers",
        "an array of strings"};
    return names[t];
}

static bool policy_type_ok(policy_type t, const json_t *n)
{
    switch (t) {
    case T_OBJ: return json_is_object(n);
    case T_ARR: case T_INTS: case T_STRS: return json_is_array(n);
    case T_INT: return json_is_integer(n);
    case T_NUM: return json_is_number(n);
    case T_BOOL: return json_is_boolean(n);
    case T_STR: return json_is_string(n) && json_string_length(n) > 0;
    case T_SRC: return json_is_string(n) && policy_tagged(json_string_value(n));
    case T_DATE: return json_is_string(n) && policy_is_date(json_string_value(n));
    }
    return false;
}

/* Range and allowed values of one scalar (or array element). */
static int check_scalar(vctx *v, const schema_row *r, const json_t *n, const char *path)
{
    char buf[32];
    const char *s = buf;
    if (json_is_number(n) && (r->lo != 0 || r->hi != 0)) {
        double x = json_number_value(n);
        if (x < r->lo || x > r->hi)
            return vfail(v, path, "%g is out of range [%g, %g]", x, r->lo, r->hi);
    }
    if (!r->oneof)
        return 0;
    if (json_is_integer(n))
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(n));
    else
        s = json_string_value(n);
    if (!policy_in_list(r->oneof, s))
        return vfail(v, path, "'%s' is not one of %s", s, r->oneof);
    return 0;
}

static int check_node(vctx *v, const schema_row *r, const json_t *n, const char *path)
{
    if (!policy_type_ok(r->type, n))
        return vfail(v, path, "must be %s", policy_type_name(r->type));
    if (r->type == T_INTS || r->type == T_STRS) {
        size_t i;
        const json_t *e;
        char epath[POLICY_MAX_PATH + 24];
        json_array_foreach(n, i, e) {
            snprintf(epath, sizeof epath, "%s.%zu", path, i);
            if (r->type == T_INTS ? !json_is_integer(e) : !json_is_string(e))
                return vfail(v, epath, "must be %s", r->type == T_INTS ? "an integer" : "a string");
            if (check_scalar(v, r, e, epath) != 0)
                return -1;
        }
    } else if (r->type != T_OBJ && r->type != T_ARR && check_scalar(v, r, n, path) != 0) {
        return -1;
    }
    return r->check ? r->check(v, n, path) : 0;
}

/* prefix[0..plen) followed by "." and seg (no dot at the root), cut to POLICY_MAX_PATH as
 * snprintf would; the new length. The validator names every node it visits this way:
 * through snprintf that was a third of loading a policy (callgrind, `fangkong import`). */
static size_t path_push(char *prefix, size_t plen, const char *seg)
{
    char *at = prefix + plen;
    size_t room = POLICY_MAX_PATH - 1 - plen, n = strlen(seg);
    if (plen && room) {
        *at++ = '.';
        room--;
    }
    if (n > room)
        n = room;
    memcpy(at, seg, n);
    at[n] = '\0';
    return (size_t)(at + n - prefix);
}

static size_t path_push_index(char *prefix, size_t plen, size_t i)
{
    char digits[24], *d = digits + sizeof digits - 1;
    *d = '\0';
    do
        *--d = (char)('0' + i % 10);
    while ((i /= 10) != 0);
    return path_push(prefix, plen, d);
}

/* Follow the rest of a row's path from `node`, whose own path is prefix[0..plen). */
static int schema_walk(vctx *v, const schema_row *r, const json_t *node, const char *rest,
                       char *prefix, size_t plen)
{
    char seg[POLICY_MAX_SEG];
    if (!*rest)
        return check_node(v, r, node, prefix);
    const char *after = policy_seg(rest, seg);
    if (strcmp(seg, "*") == 0) {
        if (!json_is_object(node) && !json_is_array(node))
            return vfail(v, prefix, "must be an object or an array");
        size_t i;
        const char *key;
        json_t *child;
        if (json_is_array(node)) {
            json_array_foreach(node, i, child) {
                if (schema_walk(v, r, child, after, prefix, path_push_index(prefix, plen, i)))
                    return -1;
            }
        } else {
            json_object_foreach((json_t *)node, key, child) {
                if (policy_is_meta(key))
                    continue;
                if (schema_walk(v, r, child, after, prefix, path_push(prefix, plen, key)))
                    return -1;
            }
        }
        prefix[plen] = '\0';
        return 0;
    }
    const json_t *child = policy_child(node, seg);
    size_t len = path_push(prefix, plen, seg);
    int rc = 0;
    if (child)
        rc = schema_walk(v, r, child, after, prefix, len);
    else if (!(r->flags & F_OPT) && !((r->flags & F_PARENT) && *after))
        rc = vfail(v, prefix, "missing required key");
    prefix[plen] = '\0';
    return rc;
}

/* Every number non-negative; every "source" tagged; every "note" a string. */
static int policy_walk_all(vctx *v, const json_t *node, char *prefix, size_t plen)
{
    size_t i;
    const char *key;
    json_t *child;
    if (json_is_number(node) && json_number_value(node) < 0)
        return vfail(v, plen ? prefix : "(root)", "negative numbers are not allowed");
    if (json_is_array(node)) {
        json_array_foreach(node, i, child) {
            if (policy_walk_all(v, child, prefix, path_push_index(prefix, plen, i)) != 0)
                return -1;
        }
    } else if (json_is_object(node)) {
        json_object_foreach((json_t *)node, key, child) {
            size_t len = path_push(prefix, plen, key);
            if (strcmp(key, "source") == 0 && !policy_type_ok(T_SRC, child))
                return vfail(v, prefix, "must start with a tag [N], [N?], [L] or [?] and a citation");
            if ((strcmp(key, "note") == 0 || strcmp(key, "notes") == 0) && !json_is_string(child))
                return vfail(v, prefix, "must be a string");
            if (policy_walk_all(v, child, prefix, len) != 0)
                return -1;
        }
    }
    prefix[plen] = '\0';
    return 0;
}

static int policy_validate(const json_t *root, const char *name, fk_err *err)
{
    vctx v = {root, name, err};
    char prefix[POLICY_MAX_PATH];
    if (!json_is_object(root))
        return vfail(&v, "(root)", "must be an object");
    for (size_t i = 0; i < sizeof schema / sizeof schema[0]; i++) {
        prefix[0] = '\0';
        if (schema_walk(&v, &schema[i], root, schema[i].path, prefix, 0) != 0)
            return -1;
    }
    prefix[0] = '\0';
    return policy_walk_all(&v, root, prefix, 0);
}

/* ---- cross-field checks --------------------------------------------------------- */

static int check_id(vctx *v, const json_t *node, const char *path)
{
    const char *s = json_string_value(node);
    if (strlen(s) > 31 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(s))
        return vfail(v, path, "'%s' must be 1-31 of [a-z0-9_-]", s);
    return 0;
}

/* One phase's test days ascend strictly and fall inside the phase. */
static int check_phase(vctx *v, const json_t *ph, const char *path)
{
    int64_t days = json_integer_value(json_object_get(ph, "days")), prev = 0;
    char p[POLICY_MAX_PATH + 32];
    size_t j;
    const json_t *d;
    json_array_foreach(json_object_get(ph, "test_days"), j, d) {
        int64_t t = json_integer_value(d);
        snprintf(p, sizeof p, "%s.test_days.%zu", path, j);
        if (t <= prev || t > days)
            return vfail(v, p, "test day %lld must ascend and lie in 1..%lld", (long long)t,
                         (long long)days);
        prev = t;
    }
    return 0;
}

static int check_phases(vctx *v, const json_t *node, const char *path)
{
    size_t i;
    const json_t *ph;
    char p[POLICY_MAX_PATH + 32];
    json_array_foreach(node, i, ph) {
        snprintf(p, sizeof p, "%s.%zu", path, i);
        if (check_phase(v, ph, p) != 0)
            return -1;
    }
    return 0;
}

static int check_release(vctx *v, const json_t *node, const char *path)
{
    double ct = json_number_value(json_object_get(node, "ct_threshold"));
    double cut = json_number_value(json_object_get(node, "pcr_cutoff_ct"));
    if (ct > cut)
        return vfail(v, path, "ct_threshold %g exceeds pcr_cutoff_ct %g", ct, cut);
    return check_phase(v, json_object_get(node, "then"), "release.then");
}

/* Is `s` a string element of array `arr`? */
static bool policy_arr_has(const json_t *arr, const char *s)
{
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e)
        if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
            return true;
    return false;
}

/* Is `key` the "key" of one of the levels? */
static bool policy_level_has(const json_t *levels, const char *key)
{
    size_t i;
    const json_t *l;
    json_array_foreach(levels, i, l)
        if (strcmp(json_string_value(json_object_get(l, "key")), key) == 0)
            return true;
    return false;
}

/* A scheme's units are known, its lifting mode exists and names only its levels. */
static int check_scheme(vctx *v, const json_t *units, const json_t *sch, const char *path)
{
    const json_t *levels = json_object_get(sch, "levels"), *l, *u;
    size_t i, j;
    if (!json_is_array(levels) || json_array_size(levels) == 0)
        return vfail(v, path, "needs a non-empty levels array");
    json_array_foreach(levels, i, l)
        json_array_foreach(json_object_get(l, "units"), j, u)
            if (!policy_arr_has(units, json_string_value(u)))
                return vfail(v, path, "level %zu: unit '%s' is not in zones.unit_order", i,
                             json_string_value(u));
    const char *mode = json_string_value(json_object_get(sch, "lifting_mode"));
    const json_t *lift = json_object_get(json_object_get(sch, "lifting"), mode), *steps, *st;
    if (!json_is_object(lift))
        return vfail(v, path, "lifting_mode '%s' has no lifting.%s", mode, mode);
    const char *key;
    json_object_foreach((json_t *)lift, key, steps) {
        if (policy_is_meta(key))
            continue;
        if (!policy_level_has(levels, key))
            return vfail(v, path, "lifting.%s: '%s' is not a level", mode, key);
        json_array_foreach(steps, i, st) {
            const char *to = json_string_value(json_object_get(st, "to"));
            if (strcmp(to, "lifted") != 0 && !policy_level_has(levels, to))
                return vfail(v, path, "lifting.%s.%s.%zu: 'to' names no level: %s", mode, key, i, to);
        }
    }
    return 0;
}

static int check_zones(vctx *v, const json_t *node, const char *path)
{
    (void)path;
    const json_t *schemes = json_object_get(node, "schemes");
    const json_t *units = json_object_get(node, "unit_order"), *sch;
    const char *scheme = json_string_value(json_object_get(node, "scheme")), *key;
    if (!json_is_object(json_object_get(schemes, scheme)))
        return vfail(v, "zones.scheme", "scheme '%s' is not defined in zones.schemes", scheme);
    char p[POLICY_MAX_PATH];
    json_object_foreach((json_t *)schemes, key, sch) {
        snprintf(p, sizeof p, "zones.schemes.%s", key);
        if (check_scheme(v, units, sch, p) != 0)
            return -1;
    }
    return 0;
}

/* Pool sizes ascend; every group's pool size is one of them. */
static int check_testing(vctx *v, const json_t *node, const char *path)
{
    (void)path;
    const json_t *sizes = json_object_get(node, "pool_sizes"), *e;
    const json_t *groups = json_object_get(json_object_get(node, "pool_by_group"), "groups");
    size_t i;
    int64_t prev = 0;
    if (json_array_size(sizes) == 0)
        return vfail(v, "testing.pool_sizes", "must not be empty");
    json_array_foreach(sizes, i, e) {
        if (json_integer_value(e) <= prev)
            return vfail(v, "testing.pool_sizes", "must ascend without repeats");
        prev = json_integer_value(e);
    }
    const char *key;
    json_object_foreach((json_t *)groups, key, e) {
        bool found = false;
        for (i = 0; i < json_array_size(sizes); i++)
            found |= json_integer_value(json_array_get(sizes, i)) == json_integer_value(e);
        if (!found && !policy_is_meta(key))
            return vfail(v, "testing.pool_by_group.groups", "%s: %lld is not in testing.pool_sizes",
                         key, (long long)json_integer_value(e));
    }
    return 0;
}

/* A list that must name at least one thing. */
static int check_nonempty(vctx *v, const json_t *node, const char *path)
{
    return json_array_size(node) > 0 ? 0 : vfail(v, path, "must not be empty");
}

/* Ordered colour rules: cohorts are known categories, the last rule always matches. */
static int check_rules(vctx *v, const json_t *node, const char *path)
{
    const json_t *names = policy_lookup(v->root, "categories.names", NULL, NULL), *r, *c;
    size_t i, j, n = json_array_size(node);
    char p[POLICY_MAX_PATH + 32];
    if (n == 0)
        return vfail(v, path, "needs at least one rule");
    json_array_foreach(node, i, r)
        json_array_foreach(json_object_get(r, "cohorts"), j, c)
            if (!json_object_get(names, json_string_value(c))) {
                snprintf(p, sizeof p, "%s.%zu.cohorts.%zu", path, i, j);
                return vfail(v, p, "'%s' is not in categories.names", json_string_value(c));
            }
    const char *last = json_string_value(json_object_get(json_array_get(node, n - 1), "condition"));
    if (strcmp(last, "always") != 0)
        return vfail(v, path, "the last rule must have condition 'always' (first match wins)");
    return 0;
}

/* A table of names (report figures, accountability actions): at least one entry
 * besides the metadata, each a short lowercase identifier, since clients send the
 * names back as JSON keys and values. */
static int check_names(vctx *v, const json_t *node, const char *path)
{
    const char *key;
    json_t *e;
    size_t n = 0;
    json_object_foreach((json_t *)node, key, e) {
        if (policy_is_meta(key))
            continue;
        if (strlen(key) > 31 || strspn(key, "abcdefghijklmnopqrstuvwxyz_") != strlen(key))
            return vfail(v, path, "'%s': names are lowercase letters and '_', at most 31", key);
        n++;
    }
    return n ? 0 : vfail(v, path, "must name at least one entry");
}

/* ---- reading -------------------------------------------------------------------- */

static json_t *policy_parse(const char *name, const char *text, size_t len, fk_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        fk_fail(err, FK_EINVAL, "", "%s: line %d, column %d: %s", name, je.line, je.column, je.text);
    return root;
}

/* The whole file into a NUL-terminated buffer the caller frees. */
static char *policy_read_file(const char *path, size_t *len, fk_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fk_fail(err, errno == ENOENT ? FK_ENOTFOUND : FK_EIO, "", "cannot open %s: %s", path,
                strerror(errno));
        return NULL;
    }
    char *buf = fk_try_malloc(POLICY_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, POLICY_MAX_FILE + 1, f) : 0;
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > POLICY_MAX_FILE) {
        fk_fail(err, bad ? FK_EIO : FK_ETOOBIG, "", "cannot read %s: %s", path,
                bad ? "read error or out of memory" : "larger than 4 MiB");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---- overrides ------------------------------------------------------------------ */

/* Apply one {"path", "value", "source"} entry to `root` (a private copy). */
static int policy_apply_one(vctx *v, json_t *root, const json_t *e, const char *where)
{
    const char *path = json_string_value(json_object_get(e, "path"));
    const char *src = json_string_value(json_object_get(e, "source"));
    const json_t *val = json_object_get(e, "value");
    char last[POLICY_MAX_SEG], first[POLICY_MAX_SEG];
    json_t *parent, *old;
    if (!path || !val || !src)
        return vfail(v, where, "an override needs \"path\", \"value\" and \"source\"");
    if (!policy_tagged(src))
        return vfail(v, where, "source must start with a tag [N], [N?], [L] or [?] and a citation");
    if (!policy_seg(path, first) || policy_in_list("id|schema|local", first))
        return vfail(v, where, "'%s' cannot be overridden", path);
    if (!(old = policy_lookup(root, path, &parent, last)))
        return vfail(v, where, "'%s' names no existing rule", path);
    bool same = json_typeof(old) == json_typeof(val) ||
                (json_is_boolean(old) && json_is_boolean(val)) ||
                (json_is_real(old) && json_is_integer(val));
    if (!same)
        return vfail(v, where, "'%s': the value has another type than the rule", path);
    json_t *copy = json_deep_copy(val);
    int rc = json_is_object(parent) ? json_object_set_new(parent, last, copy)
                                    : json_array_set_new(parent, strtoul(last, NULL, 10), copy);
    return rc == 0 ? 0 : fk_fail(v->err, FK_EINTERNAL, path, "could not set %s", path);
}

static void policy_add_records(policy *p, const json_t *list)
{
    size_t i;
    const json_t *e;
    p->ov = fk_realloc(p->ov, (p->n_ov + json_array_size(list)) * sizeof *p->ov);
    json_array_foreach(list, i, e) {
        p->ov[p->n_ov].path = fk_strdup(json_string_value(json_object_get(e, "path")));
        p->ov[p->n_ov].source = fk_strdup(json_string_value(json_object_get(e, "source")));
        p->n_ov++;
    }
}

/* Apply a block {"overrides": [...]} all or nothing. `name` labels messages. */
static int policy_apply_block(policy *p, const json_t *block, const char *name, fk_err *err)
{
    vctx v = {p->root, name, err};
    const json_t *list = json_object_get(block, "overrides"), *e;
    const char *for_id = json_string_value(json_object_get(block, "policy"));
    char where[64];
    size_t i;
    if (!json_is_object(block) || !json_is_array(list))
        return vfail(&v, "overrides", "must be an object with an \"overrides\" array");
    if (json_object_get(block, "policy") && (!for_id || strcmp(for_id, p->id) != 0))
        return vfail(&v, "policy", "these overrides are for '%s', not '%s'",
                     for_id ? for_id : "?", p->id);
    json_t *copy = json_deep_copy(p->root);
    json_array_foreach(list, i, e) {
        snprintf(where, sizeof where, "overrides.%zu", i);
        if (policy_apply_one(&v, copy, e, where) != 0)
            goto fail;
    }
    if (policy_validate(copy, name, err) != 0)
        goto fail;
    policy_add_records(p, list); /* before the swap: `list` may live in the old root */
    json_decref(p->root);
    p->root = copy;
    return 0;
fail:
    json_decref(copy);
    return -1;
}

/* ---- public API ----------------------------------------------------------------- */

policy *policy_load_string(const char *name, const char *text, size_t len, fk_err *err)
{
    json_t *root = policy_parse(name, text, len, err);
    if (!root)
        return NULL;
    if (policy_validate(root, name, err) != 0) {
        json_decref(root);
        return NULL;
    }
    policy *p = fk_calloc(1, sizeof *p);
    p->root = root;
    p->id = fk_strdup(json_string_value(json_object_get(root, "id")));
    const json_t *local = json_object_get(root, "local");
    if (local && policy_apply_block(p, local, name, err) != 0) {
        policy_free(p);
        return NULL;
    }
    return p;
}

policy *policy_load_file(const char *path, fk_err *err)
{
    size_t len;
    char *text = policy_read_file(path, &len, err);
    if (!text)
        return NULL;
    policy *p = policy_load_string(path, text, len, err);
    free(text);
    return p;
}

policy *policy_load_builtin(const char *id, fk_err *err)
{
    char name[64];
    if (!id || !*id || strlen(id) > 31 || strchr(id, '/')) {
        fk_fail(err, FK_EINVAL, "policy", "bad policy id");
        return NULL;
    }
    snprintf(name, sizeof name, "policy/%s.json", id);
    const embedded_file *f = embedded_find(name);
    if (!f) {
        fk_fail(err, FK_ENOTFOUND, "policy", "no builtin policy '%s'", id);
        return NULL;
    }
    policy *p = policy_load_string(name, f->data, f->len, err);
    if (p && strcmp(p->id, id) != 0) {
        fk_fail(err, FK_EINTERNAL, "id", "%s declares id '%s'", name, p->id);
        policy_free(p);
        return NULL;
    }
    return p;
}

int policy_apply_overrides(policy *p, const char *path, fk_err *err)
{
    size_t len;
    char *text = policy_read_file(path, &len, err);
    if (!text)
        return -1;
    json_t *block = policy_parse(path, text, len, err);
    free(text);
    if (!block)
        return -1;
    int rc = policy_apply_block(p, block, path, err);
    json_decref(block);
    return rc;
}

void policy_free(policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_ov; i++) {
        free(p->ov[i].path);
        free(p->ov[i].source);
    }
    free(p->ov);
    free(p->id);
    json_decref(p->root);
    free(p);
}

const char *policy_id(const policy *p)
{
    return p->id;
}

const char *policy_title(const policy *p)
{
    return json_string_value(json_object_get(p->root, "title"));
}

static const char **builtin_ids;

static void policy_init_builtin(void)
{
    size_t n = 0;
    builtin_ids = fk_calloc(embedded_count + 1, sizeof *builtin_ids);
    for (size_t i = 0; i < embedded_count; i++) {
        const char *name = embedded_files[i].name;
        size_t len = strlen(name);
        if (strncmp(name, "policy/", 7) == 0 && len > 12 && strcmp(name + len - 5, ".json") == 0)
            builtin_ids[n++] = fk_strndup(name + 7, len - 12);
    }
}

const char *const *policy_list_builtin(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, policy_init_builtin);
    return builtin_ids;
}

/* The node at `path` of the wanted kind, or NULL with FK_EINVAL. */
static const json_t *policy_need(const policy *p, const char *path, const char *kind,
                                 bool (*ok)(const json_t *), fk_err *err)
{
    const json_t *n = policy_lookup(p->root, path, NULL, NULL);
    if (!n)
        fk_fail(err, FK_EINVAL, path, "policy %s has no key %s", p->id, path ? path : "(null)");
    else if (!ok(n))
        fk_fail(err, FK_EINVAL, path, "policy %s: %s is not %s", p->id, path, kind);
    return n && ok(n) ? n : NULL;
}

static bool is_int(const json_t *n) { return json_is_integer(n); }
static bool is_num(const json_t *n) { return json_is_number(n); }
static bool is_bool(const json_t *n) { return json_is_boolean(n); }
static bool is_str(const json_t *n) { return json_is_string(n); }
static bool is_arr(const json_t *n) { return json_is_array(n); }
static bool is_coll(const json_t *n) { return json_is_array(n) || json_is_object(n); }

int policy_get_int(const policy *p, const char *path, int64_t *out, fk_err *err)
{
    const json_t *n = policy_need(p, path, "an integer", is_int, err);
    return n ? (*out = json_integer_value(n), 0) : -1;
}

int policy_get_double(const policy *p, const char *path, double *out, fk_err *err)
{
    const json_t *n = policy_need(p, path, "a number", is_num, err);
    return n ? (*out = json_number_value(n), 0) : -1;
}

int policy_get_bool(const policy *p, const char *path, bool *out, fk_err *err)
{
    const json_t *n = policy_need(p, path, "a boolean", is_bool, err);
    return n ? (*out = json_is_true(n), 0) : -1;
}

int policy_get_string(const policy *p, const char *path, const char **out, fk_err *err)
{
    const json_t *n = policy_need(p, path, "a string", is_str, err);
    return n ? (*out = json_string_value(n), 0) : -1;
}

/* The array at path once every element passed is_elem and it fits in cap; *n its length
 * (also when it does not fit: FK_ETOOBIG). */
static const json_t *array_of(const policy *p, const char *path, const char *what,
                              bool (*is_elem)(const json_t *), size_t cap, size_t *n,
                              fk_err *err)
{
    const json_t *a = policy_need(p, path, what, is_arr, err), *e;
    size_t i;
    if (!a)
        return NULL;
    json_array_foreach(a, i, e)
        if (!is_elem(e))
            return fk_fail(err, FK_EINVAL, path, "policy %s: %s is not %s", p->id, path, what),
                   NULL;
    *n = json_array_size(a);
    if (*n > cap)
        return fk_fail(err, FK_ETOOBIG, path, "policy %s: %s has %zu elements, room for %zu",
                       p->id, path, *n, cap),
               NULL;
    return a;
}

static bool is_integer(const json_t *e) { return json_is_integer(e); }
static bool is_string(const json_t *e) { return json_is_string(e); }

int policy_get_int_array(const policy *p, const char *path, int64_t *out, size_t cap,
                         size_t *n, fk_err *err)
{
    const json_t *a = array_of(p, path, "an array of integers", is_integer, cap, n, err), *e;
    size_t i;
    if (!a)
        return -1;
    json_array_foreach(a, i, e)
        out[i] = json_integer_value(e);
    return 0;
}

int policy_get_string_array(const policy *p, const char *path, const char **out, size_t cap,
                            size_t *n, fk_err *err)
{
    const json_t *a = array_of(p, path, "an array of strings", is_string, cap, n, err), *e;
    size_t i;
    if (!a)
        return -1;
    json_array_foreach(a, i, e)
        out[i] = json_string_value(e);
    return 0;
}

int policy_get_count(const policy *p, const char *path, size_t *out, fk_err *err)
{
    const json_t *n = policy_need(p, path, "an array or object", is_coll, err);
    if (!n)
        return -1;
    *out = json_is_array(n) ? json_array_size(n) : json_object_size(n);
    return 0;
}

bool policy_has(const policy *p, const char *path)
{
    return policy_lookup(p->root, path, NULL, NULL) != NULL;
}

/* Does `path` equal `prefix` or lie under it? */
static bool policy_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '.');
}

const char *policy_source(const policy *p, const char *path)
{
    char seg[POLICY_MAX_SEG];
    if (!policy_lookup(p->root, path, NULL, NULL))
        return NULL;
    for (size_t i = p->n_ov; i-- > 0;)
        if (policy_under(path, p->ov[i].path))
            return p->ov[i].source;
    const json_t *node = p->root;
    const char *best = json_string_value(json_object_get(node, "source"));
    while (node && *path && (path = policy_seg(path, seg))) {
        node = policy_child(node, seg);
        const char *s = json_is_object(node) ? json_string_value(json_object_get(node, "source")) : NULL;
        if (s)
            best = s;
    }
    return best;
}

size_t policy_override_count(const policy *p)
{
    return p->n_ov;
}

int policy_override_at(const policy *p, size_t i, const char **path, const char **source)
{
    if (i >= p->n_ov)
        return -1;
    *path = p->ov[i].path;
    *source = p->ov[i].source;
    return 0;
}

json_t *policy_document(const policy *p)
{
    return json_deep_copy(p->root);
}
