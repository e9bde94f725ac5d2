/*
 * store_coverage.h - the coverage section of store.h (migration 0015): for a testing
 * round and an area, who was expected, tested, exempt and untested, grouped by unit
 * (a code-prefix level of the persons' communities) or by household, and the untested
 * persons themselves. Include store/store.h, which includes it.
 *
 * One person is classified once, in SQL, by the query's rules (the service fills them
 * from the policy): counted when their resident_type is one of `types` and their
 * community lies under `area`; tested when scanned in the round; exempt when not tested
 * and (born after `born_after`, or in an isolation covering `now` and the rule is on);
 * untested otherwise. A tested person is never exempt, so
 * population = tested + exempt + untested and expected = tested + untested.
 * An untested person needs home sampling (上门采样) when any of the query's home rules
 * holds: one of `home_flags` among their flags, born after `home_born_after`, living in a
 * published zone (view zone_persons) of one of `home_levels`, or their household under a
 * home isolation active at `now` (home_isolation); each row says which (home_flags,
 * home_why), and home_only keeps only those rows.
 * Reads only; lists are the caller's (free them below). Thread safety: as store.h.
 */
#ifndef FK_STORE_STORE_COVERAGE_H
#define FK_STORE_STORE_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct store store;

#define COVERAGE_MAX_TYPES 4
#define COVERAGE_MAX_LEVELS 8

/* Why an untested person is sampled at home (untested_rec.home_why), besides flags. */
enum coverage_home_why {
    COVERAGE_HOME_INFANT = 1,    /* under the policy's age */
    COVERAGE_HOME_ZONE = 2,      /* residence in a stay-home zone */
    COVERAGE_HOME_ISOLATION = 4  /* household under home isolation */
};

typedef struct coverage_query {
    int64_t round_id;
    const char *area;               /* area code prefix of the persons' communities */
    int unit_len;                   /* units: the first unit_len characters of the code */
    const char *types[COVERAGE_MAX_TYPES]; /* resident types counted */
    size_t ntypes;
    int exempt_isolation;           /* 1: an isolation covering `now` exempts */
    int64_t now;
    char born_after[11];            /* "" = no age exemption */
    int64_t household_id;           /* untested: one household only (0 = all; -1 = none) */
    unsigned home_flags;            /* untested: person flags that keep one from a site */
    char home_born_after[11];       /* "" = no infant rule */
    const char *home_levels[COVERAGE_MAX_LEVELS]; /* zone levels whose residents stay home */
    size_t n_home_levels;
    int home_isolation;             /* 1: a household under active home isolation */
    int home_only;                  /* untested: only those who need home sampling */
    int limit, offset;              /* households and untested pages */
} coverage_query;

typedef struct coverage_counts {
    int64_t population, tested, exempt, untested, expected;
} coverage_counts;

typedef struct coverage_unit {
    char code[16], name[96];
    coverage_counts c;
} coverage_unit;
typedef struct coverage_unit_list { coverage_unit *items; size_t n; } coverage_unit_list;

typedef struct coverage_household {
    int64_t household_id; /* 0: the non-residents (no household), one row */
    char building[64], room[32], community_code[16];
    coverage_counts c;
} coverage_household;
typedef struct coverage_household_list {
    coverage_household *items;
    size_t n;
    int64_t total;
} coverage_household_list;

typedef struct untested_rec {
    int64_t person_id, household_id;
    char name[96], id_number[32], phone[20], resident_type[16];
    char address[256], household[100], community_code[16];
    unsigned home_flags, home_why; /* home sampling: flags among the rule's, COVERAGE_HOME_* */
} untested_rec;
typedef struct untested_list { untested_rec *items; size_t n; int64_t total; } untested_list;

/* Per unit, in code order; units without counted persons are absent. */
int store_coverage_units(store *st, const coverage_query *q, coverage_unit_list *out,
                         fk_err *err);
/* Per household, most untested first; total = households with counted persons. */
int store_coverage_households(store *st, const coverage_query *q, coverage_household_list *out,
                              fk_err *err);
/* The untested persons, by community, household, id; total of the same filter. */
int store_coverage_untested(store *st, const coverage_query *q, untested_list *out,
                            fk_err *err);

void coverage_unit_list_free(coverage_unit_list *l);
void coverage_household_list_free(coverage_household_list *l);
void untested_list_free(untested_list *l);

#endif
