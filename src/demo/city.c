/*
 * city.c - stage 1: the area hierarchy of 安澜市.
 *
 * Sizes follow the number of persons N:
 *   communities  N / 4,500 (so 3,000-6,000 persons each after the random weights)
 *   districts    sqrt(N / 10,000), 1 to 30 (about 10 for a million)
 *   streets      communities / 10, at least one per district
 *   grids        4 to 8 per community
 * Codes nest by prefix (area.h): districts 519901.., streets +001.., communities
 * +001.. for urban 社区 and +201.. for villages 村 (as the statistical codes do), grids
 * +001... Geometry: the city is a disc around (104.06, 30.66) whose radius grows with
 * sqrt(N) (15 km for a million); each place's children are laid out on a sunflower
 * spiral inside the parent's disc, so places do not pile up and an 800 m grid cell
 * holds a plausible number of homes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/alloc.h"
#include "demo/demo_city.h"

#define GOLDEN_ANGLE 2.399963229728653

/* Splits `total` items into k bins of at least one each, the rest at random. */
static void split(gsl_rng *r, size_t total, size_t k, unsigned *out)
{
    double *p = fk_malloc(k * sizeof *p);
    for (size_t i = 0; i < k; i++)
        p[i] = 0.6 + 0.8 * gsl_rng_uniform(r);
    gsl_ran_multinomial(r, k, (unsigned)(total - k), p, out);
    for (size_t i = 0; i < k; i++)
        out[i] += 1;
    free(p);
}

/* Places child i of n on a sunflower spiral in the parent's disc. */
static void lay_out(gsl_rng *r, const demo_place *parent, size_t i, size_t n, double rot,
                    demo_place *child)
{
    double spread = parent->radius_km * 0.8;
    double rho = spread * sqrt((i + 0.5) / (double)n);
    double theta = (double)i * GOLDEN_ANGLE + rot;
    double jitter = parent->radius_km / sqrt((double)n) * 0.15;
    double dx = rho * cos(theta) + gsl_ran_gaussian(r, jitter);
    double dy = rho * sin(theta) + gsl_ran_gaussian(r, jitter);
    demo__offset(parent->lon, parent->lat, dx, dy, &child->lon, &child->lat);
    child->radius_km = parent->radius_km / sqrt((double)n);
}

/* Appends the children of every place of level `l` to level l+1, counts[i] each. */
static void make_children(gsl_rng *r, demo_city *c, int l, const unsigned *counts)
{
    size_t total = 0;
    for (size_t i = 0; i < c->n[l]; i++)
        total += counts[i];
    demo_place *kids = fk_calloc(total, sizeof *kids);
    size_t k = 0;
    for (size_t i = 0; i < c->n[l]; i++) {
        demo_place *p = &c->level[l][i];
        double rot = 2 * M_PI * gsl_rng_uniform(r);
        p->first_child = (int32_t)k;
        p->n_children = (int32_t)counts[i];
        for (unsigned j = 0; j < counts[i]; j++, k++) {
            kids[k].parent = (int32_t)i;
            lay_out(r, p, j, counts[i], rot, &kids[k]);
        }
    }
    c->level[l + 1] = kids;
    c->n[l + 1] = total;
}

/* parent code + a 3-digit number; parents have at most 12 digits (grids are 15). */
static void child_code(char out[16], const char *parent, int no)
{
    snprintf(out, 16, "%.12s%03u", parent, (unsigned)no % 1000u);
}

static void name_districts(demo_city *c)
{
    for (size_t i = 0; i < c->n[DEMO_DISTRICT]; i++) {
        demo_place *d = &c->level[DEMO_DISTRICT][i];
        snprintf(d->code, sizeof d->code, "%s%02u", DEMO_CITY_PREFIX, (unsigned)(i + 1) % 100u);
        demo_name_district(i, d->name, sizeof d->name);
    }
}

static void name_streets(demo_city *c, size_t salt)
{
    for (size_t i = 0; i < c->n[DEMO_STREET]; i++) {
        demo_place *s = &c->level[DEMO_STREET][i];
        const demo_place *d = &c->level[DEMO_DISTRICT][s->parent];
        child_code(s->code, d->code, (int)i - d->first_child + 1);
        demo_name_street(i, salt, s->name, sizeof s->name);
    }
}

/* Villages lie towards the edge; within a street urban communities come first (codes
 * 001..) and villages after (201..), so array order is code order. */
static void classify_communities(gsl_rng *r, demo_city *c)
{
    const double kx = 111.32 * cos(DEMO_CENTRE_LAT * M_PI / 180.0), ky = 111.32;
    for (size_t s = 0; s < c->n[DEMO_STREET]; s++) {
        demo_place *st = &c->level[DEMO_STREET][s];
        demo_place *kids = &c->level[DEMO_COMMUNITY][st->first_child];
        size_t n = (size_t)st->n_children, urban = 0;
        for (size_t i = 0; i < n; i++) {
            double dx = (kids[i].lon - DEMO_CENTRE_LON) * kx, dy = (kids[i].lat - DEMO_CENTRE_LAT) * ky;
            double d = sqrt(dx * dx + dy * dy) / c->radius_km;
            kids[i].rural = n > 1 && gsl_rng_uniform(r) < (d > 0.6 ? 0.6 : 0.03);
            kids[i].weight = (0.75 + 0.5 * gsl_rng_uniform(r)) * (kids[i].rural ? 0.7 : 1.0);
        }
        for (size_t i = 0; i < n; i++) /* stable partition: urban first */
            if (!kids[i].rural) {
                demo_place t = kids[i];
                memmove(&kids[urban + 1], &kids[urban], (i - urban) * sizeof t);
                kids[urban++] = t;
            }
        size_t ui = 0, ri = 0;
        for (size_t i = 0; i < n; i++) {
            demo_place *k = &kids[i];
            int no = k->rural ? 201 + (int)ri : 1 + (int)ui;
            child_code(k->code, st->code, no);
            demo_name_community(k->rural ? ri++ : ui++, s, k->rural, k->name, sizeof k->name);
        }
    }
}

static void name_grids(demo_city *c)
{
    for (size_t i = 0; i < c->n[DEMO_GRID]; i++) {
        demo_place *g = &c->level[DEMO_GRID][i];
        const demo_place *cm = &c->level[DEMO_COMMUNITY][g->parent];
        int no = (int)i - cm->first_child;
        child_code(g->code, cm->code, no + 1);
        demo_name_grid((size_t)no, g->name, sizeof g->name);
    }
}

static void normalise_weights(demo_city *c)
{
    double sum = 0;
    for (size_t i = 0; i < c->n[DEMO_COMMUNITY]; i++)
        sum += c->level[DEMO_COMMUNITY][i].weight;
    for (size_t i = 0; i < c->n[DEMO_COMMUNITY]; i++)
        c->level[DEMO_COMMUNITY][i].weight /= sum;
}

static void build(gsl_rng *r, demo_city *c)
{
    double n = (double)c->persons_target;
    size_t n_comm = (size_t)fmax(1, llround(n / 4500.0));
    size_t n_dist = (size_t)fmin(30, fmax(1, llround(sqrt(n / 10000.0))));
    if (n_dist > n_comm)
        n_dist = n_comm;
    size_t n_street = (size_t)fmax((double)n_dist, (double)llround((double)n_comm / 10.0));
    c->radius_km = fmin(40, fmax(2.5, 15 * sqrt(n / 1e6)));

    demo_place root = {.lon = DEMO_CENTRE_LON, .lat = DEMO_CENTRE_LAT, .radius_km = c->radius_km};
    c->level[DEMO_DISTRICT] = fk_calloc(n_dist, sizeof(demo_place));
    c->n[DEMO_DISTRICT] = n_dist;
    double rot = 2 * M_PI * gsl_rng_uniform(r);
    for (size_t i = 0; i < n_dist; i++) {
        c->level[DEMO_DISTRICT][i].parent = -1;
        lay_out(r, &root, i, n_dist, rot, &c->level[DEMO_DISTRICT][i]);
    }
    unsigned *counts = fk_malloc((n_comm > n_street ? n_comm : n_street) * sizeof *counts);
    split(r, n_street, n_dist, counts);
    make_children(r, c, DEMO_DISTRICT, counts);
    split(r, n_comm, n_street, counts);
    make_children(r, c, DEMO_STREET, counts);
    free(counts);
}

static void build_grids(gsl_rng *r, demo_city *c)
{
    size_t n_comm = c->n[DEMO_COMMUNITY];
    unsigned *counts = fk_malloc(n_comm * sizeof *counts);
    for (size_t i = 0; i < n_comm; i++)
        counts[i] = 4 + (unsigned)gsl_rng_uniform_int(r, 5);
    make_children(r, c, DEMO_COMMUNITY, counts);
    free(counts);
}

static int write_areas(store *st, const demo_city *c, fk_err *err)
{
    static const char *const levels[DEMO_LEVELS] = {"district", "street", "community", "grid"};
    for (int l = 0; l < DEMO_LEVELS; l++)
        for (size_t i = 0; i < c->n[l]; i++) {
            const demo_place *p = &c->level[l][i];
            area a;
            memset(&a, 0, sizeof a);
            snprintf(a.code, sizeof a.code, "%s", p->code);
            if (l > 0)
                snprintf(a.parent_code, sizeof a.parent_code, "%s", c->level[l - 1][p->parent].code);
            snprintf(a.name, sizeof a.name, "%s", p->name);
            snprintf(a.level, sizeof a.level, "%s", levels[l]);
            if (area_validate(&a, err) != 0 || store_area_insert(st, &a, err) != 0)
                return -1;
        }
    return 0;
}

int demo__hierarchy(demo_ctx *cx, fk_err *err)
{
    demo_city *c = cx->city;
    build(cx->rng, c);
    name_districts(c);
    name_streets(c, (size_t)gsl_rng_uniform_int(cx->rng, 1000));
    classify_communities(cx->rng, c);
    build_grids(cx->rng, c);
    name_grids(c);
    normalise_weights(c);
    return cx->st ? write_areas(cx->st, c, err) : 0;
}
