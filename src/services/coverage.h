/*
 * coverage.h - coverage of a testing round (应检尽检、不漏一人): for a round and an area
 * under it, who should be tested, who was, who was not, per unit and per household, and
 * the untested persons for door-to-door follow-up (a page, or a CSV/XLSX file).
 *
 * Contract:
 *  - Who is expected comes from the policy's testing.coverage: the resident types
 *    counted (resident_types), minus the exempt: a person in an isolation covering `now`
 *    (exempt_active_isolation: tested on the isolation's schedule) and persons younger
 *    than exempt_under_age_years at the round's start (0 = none). A person scanned in
 *    the round counts as tested whatever else holds. rate = tested / expected (1 when
 *    nobody is expected); alert_below and good_from colour it (the policy's rates).
 *  - Area: the round's area by default; it must lie under the round's area, and within
 *    the caller's jurisdiction (FK_EFORBIDDEN "area"). A caller whose jurisdiction lies
 *    under the round's area sees the round, narrowed to their own area by default.
 *    Level: district, street or community (the units persons are counted in), not
 *    above the area's own level (FK_EINVAL "level"). Households and untested lists take
 *    any area (a community is the usual one).
 *  - A recheck round (kind recheck) has no coverage of an area: it owes its parent's held
 *    persons their single re-samples (services/positives.h); FK_ECONFLICT "round_id".
 *  - Permission: PERM_PERSON_READ (community workers follow the untested door to door;
 *    read-only roles see the counts and masked lists). Audit: every read (entity coverage, the round's
 *    id, the area in the detail); the untested list and the export are personal data.
 *  - Home sampling (上门采样): an untested person who cannot come to a site is listed with
 *    the reasons from the policy's testing.home_sampling: one of its person_flags (e.g.
 *    disabled for bed-ridden), younger than under_age_years at the round's start, living
 *    in a published zone whose level's movement is one of zone_movements (stay_home: 足不
 *    出户、上门服务), or a household under an active home isolation when
 *    home_isolated_households. home_only narrows the untested list and its export to them.
 *    An exempt person (coverage's rules) is not expected, hence never listed.
 *  - Masking: names, ID numbers and phones masked without PERM_UNMASKED.
 * Ownership: lists are the caller's (store_coverage.h frees). Thread safety: as the store.
 */
#ifndef FK_SERVICES_COVERAGE_H
#define FK_SERVICES_COVERAGE_H

#include "io/table_writer.h"
#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

typedef struct coverage_args {
    int64_t round_id;
    const char *area;  /* NULL or "": the round's (or the caller's, narrower) */
    const char *level; /* NULL or "": community */
    int64_t now;       /* 0: now; the moment isolations are judged at */
    int64_t household_id; /* untested only: 0 all, > 0 one household, -1 non-residents */
    int home_only;        /* untested only: 1 = those who need home sampling (上门采样) */
    int limit, offset;
} coverage_args;

typedef struct coverage_report {
    round_rec round;
    char area[16], level[12];
    int64_t now;
    coverage_counts total;
    coverage_unit_list units;
    double alert_below, good_from; /* the policy's colour thresholds */
} coverage_report;

/* Shared with the round's other reports (services/reconcile.h): the actor sees a round
 * when their jurisdiction and the round's area overlap; the area of a report is the one
 * given, else the round's, else (the caller's lying under the round's) the caller's:
 * FK_EINVAL "area" when malformed or outside the round's, FK_EFORBIDDEN "area" outside
 * the caller's jurisdiction. */
bool coverage_round_in_view(const actor *a, const round_rec *r);
int coverage_resolve_area(const actor *a, const round_rec *r, const char *given, char out[16],
                          fk_err *err);

/* tested / expected; 1 when nobody is expected. */
double coverage_rate(const coverage_counts *c);

int coverage_units(store *st, const policy *pol, const actor *a, const coverage_args *args,
                   coverage_report *out, fk_err *err);
void coverage_report_free(coverage_report *r);

/* *round and *area (16 bytes) are filled with what was resolved. */
int coverage_households(store *st, const policy *pol, const actor *a, const coverage_args *args,
                        char area[16], coverage_household_list *out, fk_err *err);
int coverage_untested(store *st, const policy *pol, const actor *a, const coverage_args *args,
                      char area[16], untested_list *out, fk_err *err);

/* The reasons an untested person is sampled at home, as names into out (at most cap):
 * their flags among the rule's (person_flag_name), then "infant", "stay_home_zone",
 * "home_isolation". How many; 0 when the person can come to a site. */
size_t coverage_home_reasons(const untested_rec *u, const char **out, size_t cap);

/* Write the untested of the area (every page; args->home_only: those who need home
 * sampling) to w: a header row, then one row a person (community, household, name, ID
 * number, phone, address, resident type, person id, home reasons joined by "|").
 * Audited as an export. *rows = persons written. */
int coverage_untested_export(store *st, const policy *pol, const actor *a,
                             const coverage_args *args, tw *w, size_t *rows, fk_err *err);

#endif
