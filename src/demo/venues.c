/*
 * venues.c - stage 3: the places people gather, each with a venue code 场所码.
 *
 *   city       railway stations (1-3), city hospitals (1-5; the first 1-3 are the
 *              designated hospitals 定点医院 that take confirmed cases)
 *   district   a people's hospital, middle schools (one per ~40,000 persons),
 *              metro stations (2-4, from 200,000 persons up)
 *   street     a farmers' market 农贸市场, a primary school, a community health centre
 *   community  1-2 supermarkets, restaurants (one per ~1,500 residents, at least 2),
 *              a kindergarten for urban communities
 *   city-wide  work units (one per ~150 persons) with log-normal head counts,
 *              scattered over all grids
 * Codes are "V" + district code + a 6-digit number counted per district. Every venue
 * lies inside one of its area's grids. `jobs` weighs how many people work there;
 * persons.c draws workplaces by it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/alloc.h"
#include "demo/demo_city.h"

static const char *const kind_names[DEMO_V__COUNT] = {
    "market", "supermarket", "hospital", "station", "school", "work_unit", "restaurant"};

typedef struct venue_gen {
    demo_ctx *cx;
    int *per_district;        /* venues numbered so far, per district */
    int middle_schools;       /* city-wide numbering of 第N中学 */
} venue_gen;

/* A random grid among the grids below place `idx` of level `l`. */
static int32_t grid_below(gsl_rng *r, const demo_city *c, int l, int32_t idx)
{
    while (l < DEMO_GRID) {
        const demo_place *p = &c->level[l][idx];
        idx = p->first_child + (int32_t)gsl_rng_uniform_int(r, (unsigned long)p->n_children);
        l++;
    }
    return idx;
}

static int32_t district_of_grid(const demo_city *c, int32_t g)
{
    int32_t cm = c->level[DEMO_GRID][g].parent;
    return c->level[DEMO_STREET][c->level[DEMO_COMMUNITY][cm].parent].parent;
}

static int add_venue(venue_gen *vg, int kind, unsigned flags, int32_t grid, double jobs,
                     const char *name, fk_err *err)
{
    demo_ctx *cx = vg->cx;
    demo_city *c = cx->city;
    const demo_place *g = &c->level[DEMO_GRID][grid];
    int32_t d = district_of_grid(c, grid);
    demo__reserve((void **)&c->venues, &c->cap_venues, c->n_venues + 1, sizeof *c->venues);
    demo_venue *dv = &c->venues[c->n_venues];
    memset(dv, 0, sizeof *dv);
    snprintf(dv->code, sizeof dv->code, "V%.6s%06d", c->level[DEMO_DISTRICT][d].code,
             ++vg->per_district[d] % 1000000);
    snprintf(dv->name, sizeof dv->name, "%s", name);
    dv->kind = kind;
    dv->flags = flags;
    dv->grid = grid;
    dv->jobs = jobs;
    demo__scatter(cx->rng, g->lon, g->lat, g->radius_km, &dv->lon, &dv->lat);

    venue v;
    memset(&v, 0, sizeof v);
    snprintf(v.code, sizeof v.code, "%s", dv->code);
    snprintf(v.name, sizeof v.name, "%s", dv->name);
    snprintf(v.kind, sizeof v.kind, "%s", kind_names[kind]);
    snprintf(v.grid_code, sizeof v.grid_code, "%s", g->code);
    v.lon = dv->lon;
    v.lat = dv->lat;
    if (venue_validate(&v, err) != 0 || (cx->st && store_venue_insert(cx->st, &v, err) != 0))
        return -1;
    dv->id = cx->st ? v.id : (int64_t)c->n_venues + 1;
    c->n_venues++;
    return 0;
}

static int city_venues(venue_gen *vg, fk_err *err)
{
    static const char *const stations[] = {"安澜站", "安澜东站", "安澜南站"};
    static const char *const hospitals[] = {"安澜市公共卫生临床医疗中心", "安澜市第一人民医院",
                                            "安澜市第二人民医院", "安澜市中医医院",
                                            "安澜市妇女儿童医院"};
    demo_city *c = vg->cx->city;
    gsl_rng *r = vg->cx->rng;
    int64_t n = c->persons_target;
    int n_st = 1 + (n >= 200000) + (n >= 2000000);
    int n_hosp = (int)fmin(5, 1 + (double)n / 200000);
    int n_designated = 1 + (n >= 300000) + (n >= 2000000);
    for (int i = 0; i < n_st; i++)
        if (add_venue(vg, DEMO_V_STATION, 0, grid_below(r, c, DEMO_DISTRICT, (int32_t)(i % c->n[0])),
                      200, stations[i], err) != 0)
            return -1;
    for (int i = 0; i < n_hosp; i++) {
        unsigned f = i < n_designated ? DEMO_VF_DESIGNATED : 0;
        if (add_venue(vg, DEMO_V_HOSPITAL, f, grid_below(r, c, DEMO_DISTRICT, 0), 600,
                      hospitals[i], err) != 0)
            return -1;
    }
    return 0;
}

static int64_t residents_below(const demo_city *c, int l, int32_t idx)
{
    if (l == DEMO_COMMUNITY)
        return c->level[l][idx].residents;
    int64_t sum = 0;
    const demo_place *p = &c->level[l][idx];
    for (int32_t i = 0; i < p->n_children; i++)
        sum += residents_below(c, l + 1, p->first_child + i);
    return sum;
}

static int district_venues(venue_gen *vg, int32_t d, fk_err *err)
{
    demo_city *c = vg->cx->city;
    gsl_rng *r = vg->cx->rng;
    const demo_place *dp = &c->level[DEMO_DISTRICT][d];
    char name[96], stem[48];
    demo_name_stem(dp->name, stem, sizeof stem);
    snprintf(name, sizeof name, "%s人民医院", dp->name);
    if (add_venue(vg, DEMO_V_HOSPITAL, 0, grid_below(r, c, DEMO_DISTRICT, d), 300, name, err))
        return -1;
    int64_t schools = 1 + residents_below(c, DEMO_DISTRICT, d) / 40000;
    for (int64_t i = 0; i < schools; i++) {
        char no[32];
        demo_name_number(++vg->middle_schools, no, sizeof no);
        snprintf(name, sizeof name, "安澜市第%s中学", no);
        if (add_venue(vg, DEMO_V_SCHOOL, DEMO_VF_SECONDARY, grid_below(r, c, DEMO_DISTRICT, d),
                      120, name, err))
            return -1;
    }
    int metro = c->persons_target >= 200000 ? 2 + (int)gsl_rng_uniform_int(r, 3) : 0;
    for (int i = 0; i < metro && i < dp->n_children; i++) {
        demo_name_stem(c->level[DEMO_STREET][dp->first_child + i].name, stem, sizeof stem);
        snprintf(name, sizeof name, "地铁%s站", stem);
        if (add_venue(vg, DEMO_V_STATION, DEMO_VF_METRO,
                      grid_below(r, c, DEMO_STREET, dp->first_child + i), 10, name, err))
            return -1;
    }
    return 0;
}

static int street_venues(venue_gen *vg, int32_t s, fk_err *err)
{
    demo_city *c = vg->cx->city;
    gsl_rng *r = vg->cx->rng;
    char name[96], stem[48];
    demo_name_stem(c->level[DEMO_STREET][s].name, stem, sizeof stem);
    snprintf(name, sizeof name, "%s农贸市场", stem);
    if (add_venue(vg, DEMO_V_MARKET, 0, grid_below(r, c, DEMO_STREET, s), 30, name, err))
        return -1;
    snprintf(name, sizeof name, "%s小学", stem);
    if (add_venue(vg, DEMO_V_SCHOOL, DEMO_VF_PRIMARY, grid_below(r, c, DEMO_STREET, s), 60, name,
                  err))
        return -1;
    snprintf(name, sizeof name, "%s街道社区卫生服务中心", stem);
    return add_venue(vg, DEMO_V_HOSPITAL, 0, grid_below(r, c, DEMO_STREET, s), 40, name, err);
}

static int community_venues(venue_gen *vg, int32_t ci, fk_err *err)
{
    demo_ctx *cx = vg->cx;
    demo_city *c = cx->city;
    const demo_place *cm = &c->level[DEMO_COMMUNITY][ci];
    char name[96], stem[48];
    demo_name_stem(cm->name, stem, sizeof stem);
    int shops = 1 + (int)gsl_rng_uniform_int(cx->rng, 2);
    for (int i = 0; i < shops; i++) {
        demo_name_supermarket(cx->rng, stem, name, sizeof name);
        if (add_venue(vg, DEMO_V_SUPERMARKET, 0, grid_below(cx->rng, c, DEMO_COMMUNITY, ci), 15,
                      name, err))
            return -1;
    }
    int64_t eateries = 2 + cm->residents / 1500;
    for (int64_t i = 0; i < eateries; i++) {
        demo_name_restaurant(cx->names, cx->rng, name, sizeof name);
        if (add_venue(vg, DEMO_V_RESTAURANT, 0, grid_below(cx->rng, c, DEMO_COMMUNITY, ci), 8,
                      name, err))
            return -1;
    }
    if (cm->rural)
        return 0;
    snprintf(name, sizeof name, "%s幼儿园", stem);
    return add_venue(vg, DEMO_V_SCHOOL, DEMO_VF_KINDERGARTEN,
                     grid_below(cx->rng, c, DEMO_COMMUNITY, ci), 15, name, err);
}

static int work_units(venue_gen *vg, fk_err *err)
{
    demo_city *c = vg->cx->city;
    gsl_rng *r = vg->cx->rng;
    int64_t n = c->persons_target / 150 + 3;
    size_t salt = (size_t)gsl_rng_uniform_int(r, 100000);
    char name[96];
    for (int64_t i = 0; i < n; i++) {
        int32_t g = (int32_t)gsl_rng_uniform_int(r, c->n[DEMO_GRID]);
        double jobs = gsl_ran_lognormal(r, log(40.0), 1.1);
        demo_name_work_unit((size_t)i, salt, name, sizeof name);
        if (add_venue(vg, DEMO_V_WORK_UNIT, 0, g, jobs, name, err) != 0)
            return -1;
    }
    return 0;
}

int demo__venues(demo_ctx *cx, fk_err *err)
{
    demo_city *c = cx->city;
    venue_gen vg = {.cx = cx, .per_district = fk_calloc(c->n[DEMO_DISTRICT], sizeof(int))};
    int rc = city_venues(&vg, err);
    for (size_t i = 0; rc == 0 && i < c->n[DEMO_DISTRICT]; i++)
        rc = district_venues(&vg, (int32_t)i, err);
    for (size_t i = 0; rc == 0 && i < c->n[DEMO_STREET]; i++)
        rc = street_venues(&vg, (int32_t)i, err);
    for (size_t i = 0; rc == 0 && i < c->n[DEMO_COMMUNITY]; i++)
        rc = community_venues(&vg, (int32_t)i, err);
    if (rc == 0)
        rc = work_units(&vg, err);
    free(vg.per_district);
    return rc;
}
