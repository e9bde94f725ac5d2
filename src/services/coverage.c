/*
 * coverage.c - coverage of a testing round (contract: coverage.h). The service turns
 * the policy's testing.coverage into a coverage_query (who is counted, who is exempt)
 * and the caller's jurisdiction into an area; the store classifies every person once.
 */
#include "services/coverage.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/area.h"
#include "model/person.h"
#include "model/role.h"
#include "model/zone.h"

#define RULES "testing.coverage."
#define EXPORT_PAGE 1000

/* ---- the policy's rules ------------------------------------------------------------------ */

static int rule_types(const policy *pol, coverage_query *q, fk_err *err)
{
    return policy_get_string_array(pol, RULES "resident_types", q->types, COVERAGE_MAX_TYPES,
                                   &q->ntypes, err);
}

/* Persons born after the round's start date less `years` are under age at the round:
 * the cutoff is that date (the city's calendar day: reporting.utc_offset_h), compared as
 * text with birth_date (both YYYY-MM-DD). */
static void age_cutoff(const policy *pol, int64_t starts_at, int64_t years, char out[11])
{
    char day[11];
    int64_t offset_h = 0;
    fk_err ignored;
    out[0] = '\0';
    if (years <= 0)
        return;
    if (policy_get_int(pol, "reporting.utc_offset_h", &offset_h, &ignored) != 0)
        offset_h = 0;
    fk_date_of(starts_at + offset_h * 3600, day);
    int year = (int)strtol(day, NULL, 10) - (int)years;
    snprintf(out, 11, "%04d%.6s", year, day + 4);
}

#define HOME "testing.home_sampling."

#define HOME_MAX_LIST 8

/* The person flags of the home-sampling rule as a mask. */
static int home_flag_mask(const policy *pol, unsigned *mask, fk_err *err)
{
    const char *names[HOME_MAX_LIST];
    size_t n;
    *mask = 0;
    if (policy_get_string_array(pol, HOME "person_flags", names, HOME_MAX_LIST, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        *mask |= person_flag_from_name(names[i]);
    return 0;
}

/* The zone levels whose residents stay home: every level of the scheme whose movement is
 * one of the rule's zone_movements. */
static int home_levels(const policy *pol, coverage_query *q, fk_err *err)
{
    const char *movements[HOME_MAX_LIST];
    size_t n;
    if (policy_get_string_array(pol, HOME "zone_movements", movements, HOME_MAX_LIST, &n,
                                err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        q->n_home_levels += zone_levels_with_movement(pol, movements[i],
                                                      q->home_levels + q->n_home_levels,
                                                      COVERAGE_MAX_LEVELS - q->n_home_levels);
    return 0;
}

static int home_rules(const policy *pol, const round_rec *r, coverage_query *q, fk_err *err)
{
    bool iso;
    int64_t years;
    if (home_flag_mask(pol, &q->home_flags, err) != 0 || home_levels(pol, q, err) != 0 ||
        policy_get_int(pol, HOME "under_age_years", &years, err) != 0 ||
        policy_get_bool(pol, HOME "home_isolated_households", &iso, err) != 0)
        return -1;
    age_cutoff(pol, r->starts_at, years, q->home_born_after);
    q->home_isolation = iso;
    return 0;
}

/* The query's rules from the policy, for round r at `now`. */
static int rules(const policy *pol, const round_rec *r, int64_t now, coverage_query *q,
                 fk_err *err)
{
    bool iso;
    int64_t years;
    if (rule_types(pol, q, err) != 0 ||
        policy_get_bool(pol, RULES "exempt_active_isolation", &iso, err) != 0 ||
        policy_get_int(pol, RULES "exempt_under_age_years", &years, err) != 0)
        return -1;
    q->round_id = r->id;
    q->exempt_isolation = iso;
    q->now = now;
    age_cutoff(pol, r->starts_at, years, q->born_after);
    return home_rules(pol, r, q, err);
}

/* ---- round, area and level --------------------------------------------------------------- */

bool coverage_round_in_view(const actor *a, const round_rec *r)
{
    return role_areas_overlap(a->area_code, r->area_code);
}

/* The round, if the caller's jurisdiction and the round's area overlap. */
static int round_visible(store *st, const actor *a, int64_t id, round_rec *r, fk_err *err)
{
    if (actor_require(a, PERM_PERSON_READ, err) != 0 || store_round_head(st, id, r, err) != 0)
        return -1;
    if (!coverage_round_in_view(a, r))
        return fk_fail(err, FK_ENOTFOUND, "round_id", "round_id: no round %lld", (long long)id);
    if (!strcmp(r->kind, "recheck"))
        return fk_fail(err, FK_ECONFLICT, "round_id", "round_id: round %lld is the recheck "
                       "round of round %lld: it owes the held, not the area (GET "
                       "/api/v1/testing/holds?round=%lld)", (long long)id,
                       (long long)r->parent_id, (long long)r->parent_id);
    return 0;
}

int coverage_resolve_area(const actor *a, const round_rec *r, const char *given, char out[16],
                          fk_err *err)
{
    const char *area = given && given[0] ? given : r->area_code;
    if (!(given && given[0]) && !role_in_jurisdiction(a->area_code, area))
        area = a->area_code; /* the caller's area lies under the round's */
    if (strlen(area) >= 16 || !area_level_of(area))
        return fk_fail(err, FK_EINVAL, "area", "area: an area code (6, 9, 12 or 15 digits)");
    if (!role_in_jurisdiction(r->area_code, area))
        return fk_fail(err, FK_EINVAL, "area", "area: %s is outside the round's area %s", area,
                       r->area_code);
    if (!role_in_jurisdiction(a->area_code, area))
        return fk_fail(err, FK_EFORBIDDEN, "area", "area: %s is outside your jurisdiction",
                       area);
    snprintf(out, 16, "%s", area);
    return 0;
}

/* The code length of a level's units, not above the area's own level. */
static int unit_length(const char *level, const char *area, int *len, fk_err *err)
{
    static const struct { const char *name; int len; } levels[] = {
        {"district", 6}, {"street", 9}, {"community", 12}};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (strcmp(level, levels[i].name) != 0)
            continue;
        if ((size_t)levels[i].len < strlen(area))
            return fk_fail(err, FK_EINVAL, "level", "level: %s is above the area %s", level,
                           area);
        *len = levels[i].len;
        return 0;
    }
    return fk_fail(err, FK_EINVAL, "level", "level: district, street or community (persons "
                   "are counted in communities)");
}

static int audit_read(store *st, const actor *a, const char *action, int64_t round_id,
                      const char *what, const char *area, fk_err *err)
{
    audit_rec rec;
    char detail[96];
    snprintf(detail, sizeof detail, "%s area=%s", what, area);
    actor_audit(a, &rec, action, "coverage", round_id, detail);
    return store_audit_append(st, &rec, err);
}

/* Everything a read needs: the round, the area and the query's rules. */
static int prepare(store *st, const policy *pol, const actor *a, const coverage_args *args,
                   round_rec *r, char area[16], coverage_query *q, fk_err *err)
{
    memset(q, 0, sizeof *q);
    if (round_visible(st, a, args->round_id, r, err) != 0 ||
        coverage_resolve_area(a, r, args->area, area, err) != 0 ||
        rules(pol, r, args->now > 0 ? args->now : fk_now(), q, err) != 0)
        return -1;
    q->area = area;
    q->household_id = args->household_id;
    q->home_only = args->home_only;
    q->limit = args->limit;
    q->offset = args->offset;
    return 0;
}

/* ---- reads ------------------------------------------------------------------------------- */

double coverage_rate(const coverage_counts *c)
{
    return c->expected > 0 ? (double)c->tested / (double)c->expected : 1.0;
}

static void add_counts(coverage_counts *sum, const coverage_counts *c)
{
    sum->population += c->population;
    sum->tested += c->tested;
    sum->exempt += c->exempt;
    sum->untested += c->untested;
    sum->expected += c->expected;
}

int coverage_units(store *st, const policy *pol, const actor *a, const coverage_args *args,
                   coverage_report *out, fk_err *err)
{
    coverage_query q;
    memset(out, 0, sizeof *out);
    const char *level = args->level && args->level[0] ? args->level : "community";
    if (prepare(st, pol, a, args, &out->round, out->area, &q, err) != 0 ||
        unit_length(level, out->area, &q.unit_len, err) != 0 ||
        policy_get_double(pol, RULES "rate_alert_below", &out->alert_below, err) != 0 ||
        policy_get_double(pol, RULES "rate_good_from", &out->good_from, err) != 0)
        return -1;
    snprintf(out->level, sizeof out->level, "%s", level);
    out->now = q.now;
    if (store_coverage_units(st, &q, &out->units, err) != 0)
        return -1;
    for (size_t i = 0; i < out->units.n; i++)
        add_counts(&out->total, &out->units.items[i].c);
    if (audit_read(st, a, "read", args->round_id, "units", out->area, err) != 0) {
        coverage_report_free(out);
        return -1;
    }
    return 0;
}

void coverage_report_free(coverage_report *r)
{
    coverage_unit_list_free(&r->units);
}

int coverage_households(store *st, const policy *pol, const actor *a, const coverage_args *args,
                        char area[16], coverage_household_list *out, fk_err *err)
{
    round_rec r;
    coverage_query q;
    memset(out, 0, sizeof *out);
    if (prepare(st, pol, a, args, &r, area, &q, err) != 0 ||
        store_coverage_households(st, &q, out, err) != 0)
        return -1;
    if (audit_read(st, a, "read", args->round_id, "households", area, err) != 0) {
        coverage_household_list_free(out);
        return -1;
    }
    return 0;
}

static void mask_untested(const actor *a, untested_list *l)
{
    if (role_can(a->role, PERM_UNMASKED))
        return;
    for (size_t i = 0; i < l->n; i++) {
        untested_rec *u = &l->items[i];
        char name[sizeof u->name], id[sizeof u->id_number], phone[sizeof u->phone];
        mask_name(u->name, name, sizeof name);
        mask_id_number(u->id_number, id, sizeof id);
        mask_phone(u->phone, phone, sizeof phone);
        memcpy(u->name, name, sizeof name);
        memcpy(u->id_number, id, sizeof id);
        memcpy(u->phone, phone, sizeof phone);
    }
}

int coverage_untested(store *st, const policy *pol, const actor *a, const coverage_args *args,
                      char area[16], untested_list *out, fk_err *err)
{
    round_rec r;
    coverage_query q;
    memset(out, 0, sizeof *out);
    if (prepare(st, pol, a, args, &r, area, &q, err) != 0 ||
        store_coverage_untested(st, &q, out, err) != 0)
        return -1;
    mask_untested(a, out);
    if (audit_read(st, a, "read", args->round_id, args->home_only ? "home_sampling" : "untested",
                   area, err) != 0) {
        untested_list_free(out);
        return -1;
    }
    return 0;
}

size_t coverage_home_reasons(const untested_rec *u, const char **out, size_t cap)
{
    static const struct { unsigned bit; const char *name; } why[] = {
        {COVERAGE_HOME_INFANT, "infant"}, {COVERAGE_HOME_ZONE, "stay_home_zone"},
        {COVERAGE_HOME_ISOLATION, "home_isolation"}};
    size_t n = 0;
    for (unsigned bit = 1; bit && n < cap; bit <<= 1)
        if ((u->home_flags & bit) && person_flag_name(bit))
            out[n++] = person_flag_name(bit);
    for (size_t i = 0; i < sizeof why / sizeof *why && n < cap; i++)
        if (u->home_why & why[i].bit)
            out[n++] = why[i].name;
    return n;
}

/* ---- export ------------------------------------------------------------------------------ */

static const char *const export_header[] = {"community_code", "household", "name", "id_number",
                                            "phone", "address", "resident_type", "person_id",
                                            "home_reasons"};
enum { EXPORT_COLS = sizeof export_header / sizeof export_header[0] };

static int export_row(tw *w, const untested_rec *u, fk_err *err)
{
    char id[24], home[128] = "";
    const char *reasons[8];
    size_t n = coverage_home_reasons(u, reasons, 8);
    snprintf(id, sizeof id, "%" PRId64, u->person_id);
    for (size_t i = 0; i < n; i++)
        snprintf(home + strlen(home), sizeof home - strlen(home), "%s%s", i ? "|" : "",
                 reasons[i]);
    /* A resident's address is their household's when the record holds none. */
    const char *address = u->address[0] ? u->address : u->household;
    const char *cells[EXPORT_COLS] = {u->community_code, u->household, u->name, u->id_number,
                                      u->phone, address, u->resident_type, id, home};
    return tw_row(w, cells, EXPORT_COLS, err);
}

/* Every page of the untested (the store reads at most 1,000 at a time). */
static int export_pages(store *st, coverage_query *q, const actor *a, tw *w, fk_err *err)
{
    q->limit = EXPORT_PAGE;
    for (q->offset = 0;; q->offset += EXPORT_PAGE) {
        untested_list page;
        if (store_coverage_untested(st, q, &page, err) != 0)
            return -1;
        mask_untested(a, &page);
        int rc = 0;
        for (size_t i = 0; i < page.n && rc == 0; i++)
            rc = export_row(w, &page.items[i], err);
        size_t n = page.n;
        untested_list_free(&page);
        if (rc != 0)
            return -1;
        if (n < EXPORT_PAGE)
            return 0;
    }
}

int coverage_untested_export(store *st, const policy *pol, const actor *a,
                             const coverage_args *args, tw *w, size_t *rows, fk_err *err)
{
    round_rec r;
    coverage_query q;
    char area[16];
    *rows = 0;
    if (prepare(st, pol, a, args, &r, area, &q, err) != 0 ||
        tw_row(w, export_header, EXPORT_COLS, err) != 0 || export_pages(st, &q, a, w, err) != 0)
        return -1;
    *rows = tw_rows(w);
    return audit_read(st, a, "export", args->round_id,
                      args->home_only ? "home_sampling" : "untested", area, err);
}
