/*
 * demo.h - the demo city generator behind `fangkong demo`.
 *
 * What it does: builds a fictional city, 安澜市 (region prefix "5199"), sized by the
 * number of persons asked for, and writes it into a store: the area hierarchy
 * (districts > streets > communities > grids), buildings and households, venues,
 * persons (residents and ~8% non-residents 流动人口) and the demo user accounts; with
 * days > 0 also their movement as presence (table stays: grid cells and venue
 * check-ins), and a seeded outbreak spreading over it, registered as cases, with its
 * ground truth in outbreak_links; isolation facilities with the policy's reserve of
 * rooms; and a transfer fleet (a crew and vehicles per district).
 * What it does not do: open or close the store, print anything (except optional
 * progress log lines), or touch a store that already holds a city.
 *
 * Determinism: the same (persons, seed) always produces the same rows in the same
 * order, with the same ids in a fresh store. Every stage draws from its own random
 * stream derived from the seed, so a stage added later (movement, outbreak) does not
 * change what the earlier stages produce. Two things differ between runs by nature:
 * the account password hashes (random salts) and their creation times.
 *
 * Writes: one store transaction for the whole city (audit NULL, as store.h allows
 * for the generator); the accounts are added afterwards through auth_user_add with
 * the CLI actor, skipping usernames that already exist.
 *
 * Memory: the in-memory description of the city (demo_city.h) is freed before
 * demo_generate returns unless the caller asks for it with demo_generate_city.
 * Threads: uses the store handle it is given from the calling thread only.
 */
#ifndef FK_DEMO_DEMO_H
#define FK_DEMO_DEMO_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

#define DEMO_DEFAULT_PERSONS 20000
#define DEMO_MAX_PERSONS 50000000
#define DEMO_DEFAULT_PASSWORD "fangkong2022"
#define DEMO_MAX_ACCOUNTS 12
#define DEMO_DEFAULT_DAYS 7     /* the CLI's; demo_opts' zero means no movement */
#define DEMO_MAX_DAYS 60

typedef struct demo_opts {
    int64_t persons;        /* 1 .. DEMO_MAX_PERSONS, residents and non-residents */
    uint64_t seed;          /* any value; 0 is a seed like any other */
    const char *password;   /* shared password of the demo accounts; NULL = default */
    int skip_accounts;      /* nonzero: no accounts (benchmarks) */
    int progress;           /* nonzero: log_info a line per stage and per 10% of persons */
    int days;               /* 0 .. DEMO_MAX_DAYS days of movement from DEMO_EPOCH; 0 = none */
    int outbreak;           /* seeds of the outbreak (needs days > 0); < 0 = 1 when days > 0 */
    const struct policy *policy; /* the daily reports' rules (reporting.*); NULL = builtin v9 */
} demo_opts;

typedef struct demo_account {
    char username[32];
    char role[16];
    char area_code[16];     /* "" = whole city */
    char area_name[96];     /* name of area_code, "" for the whole city */
    int created;            /* 1 = created now; 0 = existed already and left as it was */
} demo_account;

enum demo_stage {
    DEMO_STAGE_HIERARCHY,
    DEMO_STAGE_HOUSEHOLDS,
    DEMO_STAGE_VENUES,
    DEMO_STAGE_PERSONS,
    DEMO_STAGE_MOVEMENT,
    DEMO_STAGE_OUTBREAK,
    DEMO_STAGE_DUTY,
    DEMO_STAGE_FACILITIES,
    DEMO_STAGE_FLEET,
    DEMO_STAGE_COMMIT,
    DEMO_STAGE_ACCOUNTS,
    DEMO_STAGE__COUNT
};

typedef struct demo_summary {
    int64_t districts, streets, communities, grids;
    int64_t buildings, households, persons, non_residents, venues;
    int64_t cell_stays, checkins;            /* movement rows: source 'demo', 'checkins' */
    int64_t seeds, infected, links, cases;   /* outbreak: infected counts the seeds */
    int64_t facilities, rooms;               /* isolation facilities and their rooms */
    int64_t vehicles, crews;                 /* the transfer fleet */
    demo_account accounts[DEMO_MAX_ACCOUNTS];
    int n_accounts;
    char password[129];                      /* the shared password of created accounts */
    double seconds;                          /* wall clock of the whole generation */
    double stage_seconds[DEMO_STAGE__COUNT]; /* the part of it each stage took */
} demo_summary;

typedef struct demo_city demo_city; /* demo_city.h */

/* Generate the city described by *o into st and fill *out (OUT, may be NULL).
 * st may be NULL: the city is then built in memory only (ids count from 1, no
 * accounts), for benchmarks and for the stages that only need the description.
 * Errors: FK_EINVAL for bad options (persons out of range, password rules);
 * FK_ECONFLICT when the store already has areas or persons ("data directory already
 * has a city; use a new --data directory"); whatever the store reports otherwise, in
 * which case the city transaction is rolled back (accounts created before a failure
 * in the account stage stay). */
int demo_generate(store *st, const demo_opts *o, demo_summary *out, fk_err *err);

/* As demo_generate, and hand the in-memory city to the caller in *city (OUT, set
 * only on success; free with demo_city_free) for the stages that build on it. */
int demo_generate_city(store *st, const demo_opts *o, demo_summary *out, demo_city **city,
                       fk_err *err);
void demo_city_free(demo_city *c);

/* Display name of a stage ("hierarchy", ...). */
const char *demo_stage_name(enum demo_stage s);

/* The demo's traveler screening (travel.c): two published risk-area lists and a dozen
 * arrivals of registered persons (ids 1..persons), matched at once; *out counts them.
 * Needs the policy in force; run after the city is written. */
struct policy;
typedef struct demo_travel_summary { int64_t lists, arrivals, leads; } demo_travel_summary;
int demo_travel(store *st, const struct policy *pol, int64_t persons, demo_travel_summary *out,
                fk_err *err);

/* The demo's mass-testing round over the first street (testing.c): sites, pooled scans,
 * boxes, a lab and results with one positive pool, through the services and the bulk
 * imports; *out counts them. Needs the policy in force; run after the city is written. */
typedef struct demo_testing_summary {
    int64_t round_id, sites, scanned, results;
} demo_testing_summary;
int demo_testing(store *st, const struct policy *pol, demo_testing_summary *out, fk_err *err);

#endif
