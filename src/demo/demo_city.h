/*
 * demo_city.h - the in-memory description of a generated demo city, and the stages
 * that build it (internal to src/demo; names with `demo__` are cross-file internals).
 *
 * The generator runs its stages in this order, each in its own file:
 *   demo__hierarchy   city.c        districts > streets > communities > grids
 *   demo__households  households.c  buildings and households, per community
 *   demo__venues      venues.c      markets, shops, hospitals, stations, schools, work units
 *   demo__persons     persons.c     residents per household, then non-residents
 *   demo__movement    movement.c    days of stays: home, work or school, venue visits
 *   demo__outbreak    outbreak.c    a seeded outbreak over the movement, its cases and
 *                                   ground truth (outbreak_links)
 *   demo__duty        duty.c        the responsibility matrix and recent daily reports
 *   demo__facilities  facilities.c  isolation facilities and their rooms, per district
 *   demo__fleet       fleet.c       a transfer crew and vehicles per district
 *   demo__accounts    accounts.c    the demo user accounts
 * Each stage appends to the demo_city and writes the same records through store.h
 * (when ctx->st is not NULL); the store ids it gets back are kept in the records, so
 * later stages (movement, check-ins, an outbreak with ground truth) can work from the
 * city without reading the store again.
 *
 * Invariants: every index refers into the array named in its comment and is valid;
 * children of a place are contiguous (first_child, n_children); records are appended
 * in generation order, which is also store id order in a fresh store.
 * Ownership: demo_city owns all its arrays; demo_city_free releases everything.
 * Not thread-safe; one generator run uses one city.
 */
#ifndef FK_DEMO_DEMO_CITY_H
#define FK_DEMO_DEMO_CITY_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "base/err.h"
#include "demo/demo.h"
#include "demo/names.h"
#include "store/store.h"

#define DEMO_CITY_NAME "安澜市"
#define DEMO_CITY_PREFIX "5199"
#define DEMO_CENTRE_LON 104.06
#define DEMO_CENTRE_LAT 30.66
/* The reference day the city's ages count from (2022-05-01), so output never depends
 * on the clock; also the created_at of every generated row. */
#define DEMO_TODAY_Y 2022
#define DEMO_TODAY_M 5
#define DEMO_TODAY_D 1
#define DEMO_EPOCH 1651334400 /* 2022-05-01T00:00:00+08:00 */
/* Side of the movement's grid cells in metres: policy v9 companion.grid_m, so the demo's
 * cells are the cells the companion rule reads. */
#define DEMO_GRID_M 800

enum demo_level { DEMO_DISTRICT, DEMO_STREET, DEMO_COMMUNITY, DEMO_GRID, DEMO_LEVELS };

typedef struct demo_place {
    char code[16];
    char name[48];
    int32_t parent;          /* index in the level above; -1 for districts */
    int32_t first_child;     /* range in the level below (none for grids) */
    int32_t n_children;
    double lon, lat;         /* centre */
    double radius_km;        /* the disc its children are laid out in */
    double weight;           /* communities: share of the residents (sums to 1) */
    int64_t residents;       /* communities: how many residents live there */
    int rural;               /* communities: a village 村 rather than a 社区 */
} demo_place;

typedef struct demo_building {
    int64_t id;              /* store id */
    int32_t grid;            /* index in level[DEMO_GRID] */
    int32_t households;      /* how many households live in it */
    double lon, lat;
} demo_building;

typedef struct demo_household {
    int64_t id;              /* store id */
    int32_t building;        /* index in buildings */
    int32_t community;       /* index in level[DEMO_COMMUNITY] */
    int32_t size;            /* members */
    int32_t first_person;    /* index in persons, set by demo__persons */
} demo_household;

enum demo_venue_kind {
    DEMO_V_MARKET, DEMO_V_SUPERMARKET, DEMO_V_HOSPITAL, DEMO_V_STATION, DEMO_V_SCHOOL,
    DEMO_V_WORK_UNIT, DEMO_V_RESTAURANT, DEMO_V__COUNT
};

enum demo_venue_flag {
    DEMO_VF_DESIGNATED = 1 << 0,  /* 定点医院: takes confirmed cases */
    DEMO_VF_METRO = 1 << 1,       /* a metro rather than a railway station */
    DEMO_VF_PRIMARY = 1 << 2,     /* 小学 */
    DEMO_VF_SECONDARY = 1 << 3,   /* 中学 */
    DEMO_VF_KINDERGARTEN = 1 << 4 /* 幼儿园 */
};

typedef struct demo_venue {
    int64_t id;              /* store id */
    char code[24];           /* "V519901000123" */
    char name[96];
    int kind;                /* enum demo_venue_kind */
    unsigned flags;          /* enum demo_venue_flag */
    int32_t grid;            /* index in level[DEMO_GRID] */
    double jobs;             /* relative number of people working there */
    double lon, lat;
} demo_venue;

typedef struct demo_person {
    int64_t id;              /* store id */
    uint64_t phone;          /* 11-digit mobile number, 0 = none */
    int32_t household;       /* index in households, -1 for a non-resident */
    int32_t community;       /* index in level[DEMO_COMMUNITY] */
    int32_t grid;            /* home grid */
    int32_t venue;           /* workplace or school, index in venues, -1 = none */
    float lon, lat;          /* home */
    int16_t age;             /* whole years on the reference day */
    char sex;                /* 'M' | 'F' */
    uint8_t flags;           /* enum person_flag */
    char id_number[19];      /* the subject of a person without a phone */
} demo_person;

/* One stay of the movement (movement.c), kept for the outbreak stage. A venue visit is
 * two stays over the same span: the venue's cell (CELL) and its check-in (VENUE). */
enum demo_stay_kind { DEMO_STAY_CELL, DEMO_STAY_VENUE };

typedef struct demo_stay {
    int32_t person;          /* index in persons */
    int32_t place;           /* CELL: index in cells; VENUE: index in venues */
    int32_t start, end;      /* [start, end), seconds since DEMO_EPOCH */
    uint8_t kind;            /* enum demo_stay_kind */
} demo_stay;

typedef struct demo_cell {
    char name[32];           /* "G800:row:col", the contract's grid cell name */
} demo_cell;

struct demo_city {
    uint64_t seed;
    int64_t persons_target;
    double radius_km;                    /* of the whole city */
    demo_place *level[DEMO_LEVELS];
    size_t n[DEMO_LEVELS];
    demo_building *buildings;
    size_t n_buildings, cap_buildings;
    demo_household *households;
    size_t n_households, cap_households;
    demo_venue *venues;
    size_t n_venues, cap_venues;
    demo_person *persons;
    size_t n_persons, n_non_residents;
    /* movement (empty when days is 0) */
    int days;
    demo_cell *cells;                    /* sorted by name */
    size_t n_cells;
    int32_t *home_cell;                  /* per person, index in cells */
    int32_t *venue_cell;                 /* per venue, index in cells */
    demo_stay *stays;                    /* person by person, in time order */
    size_t n_stays, cap_stays;
    size_t *person_stays;                /* n_persons + 1: person i has [ps[i], ps[i+1]) */
};

/* What every stage gets. rng is the stage's own stream (demo__stage_rng). */
typedef struct demo_ctx {
    store *st;               /* NULL: build in memory only, ids count from 1 */
    const demo_opts *opts;
    demo_city *city;
    demo_names *names;
    gsl_rng *rng;
    demo_summary *sum;
} demo_ctx;

int demo__hierarchy(demo_ctx *cx, fk_err *err);
int demo__households(demo_ctx *cx, fk_err *err);
int demo__venues(demo_ctx *cx, fk_err *err);
int demo__persons(demo_ctx *cx, fk_err *err);
int demo__accounts(demo_ctx *cx, fk_err *err);
int demo__facilities(demo_ctx *cx, fk_err *err);
int demo__fleet(demo_ctx *cx, fk_err *err);
int demo__movement(demo_ctx *cx, fk_err *err);
int demo__outbreak(demo_ctx *cx, fk_err *err);
int demo__duty(demo_ctx *cx, fk_err *err);

/* How many of `persons` are non-residents (households.c). */
int64_t demo__non_residents(int64_t persons);

/* ---- helpers shared by the stages (demo.c) ----------------------------------- */
/* A fresh MT19937 generator for stage `stream`, seeded from (seed, stream). */
gsl_rng *demo__stage_rng(uint64_t seed, unsigned stream);
/* Grow *arr (elements of `size` bytes, capacity *cap) to hold at least `need`. */
void demo__reserve(void **arr, size_t *cap, size_t need, size_t size);
/* A point at (dx_km east, dy_km north) of (lon, lat). */
void demo__offset(double lon, double lat, double dx_km, double dy_km, double *olon,
                  double *olat);
/* The subject of a person's movement data: the phone, or the ID number without one. */
void demo__subject(const demo_person *p, char out[64]);
/* A uniformly random point in the disc of radius r_km around (lon, lat). */
void demo__scatter(gsl_rng *r, double lon, double lat, double r_km, double *olon,
                   double *olat);

#endif
