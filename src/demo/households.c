/*
 * households.c - stage 2: buildings and the households living in them.
 *
 * Each community gets its share of the residents (92% of the persons; the rest are
 * non-residents, see persons.c), apportioned by the community weights so the shares
 * add up exactly. Households are drawn from the size distribution of the 2020 census
 * (family households, mean about 2.6) until the community's residents are housed;
 * the last one takes what is left. Urban households fill apartment blocks ("3栋",
 * rooms "2单元501", about one flat in ten empty), village households fill hamlets
 * ("4组", houses "17号"). Buildings go to the community's grids in turn and lie at
 * random inside their grid.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "demo/demo_city.h"

#define DEMO_NON_RESIDENT_SHARE 0.08

/* 2020 census, family households by size 1..8 (per mille, 8 = 8 or more). */
static const double household_sizes[] = {254, 297, 209, 132, 62, 29, 12, 5};
/* Common storey counts of residential blocks, and their weights. */
static const int block_floors[] = {6, 7, 11, 18, 24, 32};
static const double block_floor_w[] = {25, 15, 20, 20, 12, 8};

/* The shape of the building being filled. */
typedef struct block {
    int rural;
    int units, floors, per_floor;   /* urban */
    int houses;                     /* rural */
    int next;                       /* rooms or houses handed out so far */
} block;

int64_t demo__non_residents(int64_t persons)
{
    return llround((double)persons * DEMO_NON_RESIDENT_SHARE);
}

static int new_building(demo_ctx *cx, int32_t community, int32_t grid, int number,
                        gsl_ran_discrete_t *floors, block *b, fk_err *err)
{
    demo_city *c = cx->city;
    const demo_place *g = &c->level[DEMO_GRID][grid];
    demo_building *db;
    b->rural = c->level[DEMO_COMMUNITY][community].rural;
    b->units = 1 + (int)gsl_rng_uniform_int(cx->rng, 4);
    b->floors = block_floors[gsl_ran_discrete(cx->rng, floors)];
    b->per_floor = 2 + (int)gsl_rng_uniform_int(cx->rng, 3);
    b->houses = 15 + (int)gsl_rng_uniform_int(cx->rng, 40);
    b->next = 0;
    demo__reserve((void **)&c->buildings, &c->cap_buildings, c->n_buildings + 1, sizeof *db);
    db = &c->buildings[c->n_buildings];
    memset(db, 0, sizeof *db);
    db->grid = grid;
    demo__scatter(cx->rng, g->lon, g->lat, g->radius_km, &db->lon, &db->lat);
    building sb;
    memset(&sb, 0, sizeof sb);
    snprintf(sb.grid_code, sizeof sb.grid_code, "%s", g->code);
    snprintf(sb.name, sizeof sb.name, b->rural ? "%d组" : "%d栋", number);
    sb.lon = db->lon;
    sb.lat = db->lat;
    if (cx->st && store_building_insert(cx->st, &sb, err) != 0)
        return -1;
    db->id = cx->st ? sb.id : (int64_t)c->n_buildings + 1;
    c->n_buildings++;
    return 0;
}

/* The next room of the block, or 0 when it is full. Some flats stay empty. */
static int next_room(gsl_rng *r, block *b, char *room, size_t cap)
{
    if (b->rural) {
        if (b->next >= b->houses)
            return 0;
        snprintf(room, cap, "%d号", ++b->next);
        return 1;
    }
    int rooms = b->units * b->floors * b->per_floor;
    while (b->next < rooms) {
        int k = b->next++;
        if (gsl_rng_uniform(r) < 0.1)
            continue;
        int unit = k / (b->floors * b->per_floor) + 1;
        int floor = k / b->per_floor % b->floors + 1;
        int door = k % b->per_floor + 1;
        snprintf(room, cap, "%d单元%d%02d", unit % 100, floor % 100, door % 100);
        return 1;
    }
    return 0;
}

static int add_household(demo_ctx *cx, int32_t community, int32_t bi, int size,
                         const char *room, fk_err *err)
{
    demo_city *c = cx->city;
    household h;
    memset(&h, 0, sizeof h);
    h.building_id = c->buildings[bi].id;
    snprintf(h.room, sizeof h.room, "%s", room);
    if (cx->st && store_household_insert(cx->st, &h, err) != 0)
        return -1;
    demo__reserve((void **)&c->households, &c->cap_households, c->n_households + 1,
                  sizeof *c->households);
    demo_household *dh = &c->households[c->n_households];
    dh->id = cx->st ? h.id : (int64_t)c->n_households + 1;
    dh->building = bi;
    dh->community = community;
    dh->size = size;
    dh->first_person = -1;
    c->buildings[bi].households++;
    c->n_households++;
    return 0;
}

typedef struct house_tables { gsl_ran_discrete_t *sizes, *floors; } house_tables;

static int house_community(demo_ctx *cx, int32_t ci, const house_tables *t, fk_err *err)
{
    const demo_place *cm = &cx->city->level[DEMO_COMMUNITY][ci];
    int64_t left = cm->residents;
    int per_grid[9] = {0}, cur = -1, made = 0;
    block b = {0};
    char room[32];
    while (left > 0) {
        int size = 1 + (int)gsl_ran_discrete(cx->rng, t->sizes);
        if (size == 8)
            size += (int)gsl_rng_uniform_int(cx->rng, 3);
        if (size > left)
            size = (int)left;
        while (cur < 0 || !next_room(cx->rng, &b, room, sizeof room)) {
            int g = made++ % cm->n_children;
            if (new_building(cx, ci, cm->first_child + g, ++per_grid[g], t->floors, &b, err) != 0)
                return -1;
            cur = (int)cx->city->n_buildings - 1;
        }
        if (add_household(cx, ci, cur, size, room, err) != 0)
            return -1;
        left -= size;
    }
    return 0;
}

/* Residents per community by cumulative rounding, so the total is exact. */
static void apportion(demo_city *c, int64_t residents)
{
    double cum = 0;
    int64_t given = 0;
    for (size_t i = 0; i < c->n[DEMO_COMMUNITY]; i++) {
        demo_place *cm = &c->level[DEMO_COMMUNITY][i];
        cum += cm->weight;
        int64_t upto = i + 1 == c->n[DEMO_COMMUNITY] ? residents : llround(cum * (double)residents);
        cm->residents = upto - given;
        given = upto;
    }
}

int demo__households(demo_ctx *cx, fk_err *err)
{
    demo_city *c = cx->city;
    apportion(c, c->persons_target - demo__non_residents(c->persons_target));
    house_tables t = {
        gsl_ran_discrete_preproc(sizeof household_sizes / sizeof household_sizes[0],
                                 household_sizes),
        gsl_ran_discrete_preproc(sizeof block_floors / sizeof block_floors[0], block_floor_w)};
    int rc = 0;
    for (size_t i = 0; i < c->n[DEMO_COMMUNITY] && rc == 0; i++)
        rc = house_community(cx, (int32_t)i, &t, err);
    gsl_ran_discrete_free(t.sizes);
    gsl_ran_discrete_free(t.floors);
    return rc;
}
