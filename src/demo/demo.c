/*
 * demo.c - runs the generator's stages in order and holds the helpers they share.
 *
 * Flow of demo_generate_city:
 *   check options > refuse a store that has a city > store_begin >
 *   hierarchy > households > venues > persons > movement > outbreak > duty > facilities > fleet >
 *   store_commit >
 *   accounts > summary.
 * Any failure before the commit rolls the whole city back; the in-memory city is
 * freed on every failure path.
 */
#include "demo/demo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/log.h"
#include "demo/demo_city.h"
#include "services/auth.h"

/* Random streams, one per stage; never renumber (it would change every city). */
enum {
    STREAM_HIERARCHY = 1, STREAM_HOUSEHOLDS, STREAM_VENUES, STREAM_PERSONS, STREAM_ACCOUNTS,
    STREAM_MOVEMENT, STREAM_OUTBREAK, STREAM_DUTY, STREAM_FACILITIES, STREAM_FLEET
};

typedef int (*demo_stage_fn)(demo_ctx *cx, fk_err *err);

static const struct {
    enum demo_stage stage;
    demo_stage_fn fn;
    unsigned stream;
} city_stages[] = {
    {DEMO_STAGE_HIERARCHY, demo__hierarchy, STREAM_HIERARCHY},
    {DEMO_STAGE_HOUSEHOLDS, demo__households, STREAM_HOUSEHOLDS},
    {DEMO_STAGE_VENUES, demo__venues, STREAM_VENUES},
    {DEMO_STAGE_PERSONS, demo__persons, STREAM_PERSONS},
    {DEMO_STAGE_MOVEMENT, demo__movement, STREAM_MOVEMENT},
    {DEMO_STAGE_OUTBREAK, demo__outbreak, STREAM_OUTBREAK},
    {DEMO_STAGE_DUTY, demo__duty, STREAM_DUTY},
    {DEMO_STAGE_FACILITIES, demo__facilities, STREAM_FACILITIES},
    {DEMO_STAGE_FLEET, demo__fleet, STREAM_FLEET},
};

const char *demo_stage_name(enum demo_stage s)
{
    static const char *const names[DEMO_STAGE__COUNT] = {
        "hierarchy", "households", "venues", "persons", "movement", "outbreak", "duty",
        "facilities", "fleet",
        "commit", "accounts"};
    return (unsigned)s < DEMO_STAGE__COUNT ? names[s] : "?";
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SplitMix64: spreads (seed, stream) over the generator's seed space. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

gsl_rng *demo__stage_rng(uint64_t seed, unsigned stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) {
        fprintf(stderr, "fangkong: out of memory allocating a random generator\n");
        abort();
    }
    uint64_t s = mix64(mix64(seed) ^ (0xD1B54A32D192ED03ull * stream));
    /* MT19937 uses 32 bits of seed, and 0 means "the default seed" */
    unsigned long s32 = (unsigned long)((s ^ (s >> 32)) & 0xFFFFFFFFu);
    gsl_rng_set(r, s32 ? s32 : 1);
    return r;
}

void demo__reserve(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    *arr = fk_realloc(*arr, n * size);
    *cap = n;
}

void demo__offset(double lon, double lat, double dx_km, double dy_km, double *olon,
                  double *olat)
{
    const double km_per_deg = 111.32;
    *olat = lat + dy_km / km_per_deg;
    *olon = lon + dx_km / (km_per_deg * cos(lat * M_PI / 180.0));
}

void demo__scatter(gsl_rng *r, double lon, double lat, double r_km, double *olon,
                   double *olat)
{
    double rho = r_km * sqrt(gsl_rng_uniform(r)), phi = 2 * M_PI * gsl_rng_uniform(r);
    demo__offset(lon, lat, rho * cos(phi), rho * sin(phi), olon, olat);
}

void demo__subject(const demo_person *p, char out[64])
{
    if (p->phone)
        snprintf(out, 64, "%llu", (unsigned long long)p->phone);
    else
        snprintf(out, 64, "%s", p->id_number);
}

void demo_city_free(demo_city *c)
{
    if (!c)
        return;
    for (int l = 0; l < DEMO_LEVELS; l++)
        free(c->level[l]);
    free(c->buildings);
    free(c->households);
    free(c->venues);
    free(c->persons);
    free(c->cells);
    free(c->home_cell);
    free(c->venue_cell);
    free(c->stays);
    free(c->person_stays);
    free(c);
}

static int check_opts(const demo_opts *o, const char **password, fk_err *err)
{
    if (o->persons < 1 || o->persons > DEMO_MAX_PERSONS)
        return fk_fail(err, FK_EINVAL, "persons", "persons: must be 1 to %d, got %lld",
                       DEMO_MAX_PERSONS, (long long)o->persons);
    if (o->days < 0 || o->days > DEMO_MAX_DAYS)
        return fk_fail(err, FK_EINVAL, "days", "days: must be 0 to %d, got %d", DEMO_MAX_DAYS,
                       o->days);
    if (o->outbreak > 0 && o->days == 0)
        return fk_fail(err, FK_EINVAL, "outbreak", "outbreak: needs days of movement");
    *password = o->password ? o->password : DEMO_DEFAULT_PASSWORD;
    if (o->skip_accounts)
        return 0;
    if (auth_init(err) != 0 || auth_check_password_rules(*password, err) != 0)
        return -1;
    return 0;
}

static int check_store_empty(store *st, fk_err *err)
{
    store_counts c;
    if (store_counts_get(st, &c, err) != 0)
        return -1;
    if (c.areas > 0 || c.persons > 0)
        return fk_fail(err, FK_ECONFLICT, "data",
                       "data directory already has a city; use a new --data directory");
    return 0;
}

/* Runs the stages that build the city inside one transaction. */
static int run_city_stages(demo_ctx *cx, fk_err *err)
{
    double t0 = now_seconds();
    if (cx->st && store_begin(cx->st, err) != 0)
        return -1;
    for (size_t i = 0; i < sizeof city_stages / sizeof city_stages[0]; i++) {
        cx->rng = demo__stage_rng(cx->opts->seed, city_stages[i].stream);
        int rc = city_stages[i].fn(cx, err);
        gsl_rng_free(cx->rng);
        cx->rng = NULL;
        double t1 = now_seconds();
        cx->sum->stage_seconds[city_stages[i].stage] = t1 - t0;
        t0 = t1;
        if (rc != 0) {
            if (cx->st)
                store_rollback(cx->st);
            return -1;
        }
        if (cx->opts->progress)
            log_info("demo", "%s done", demo_stage_name(city_stages[i].stage));
    }
    if (cx->st && store_commit(cx->st, err) != 0) {
        store_rollback(cx->st);
        return -1;
    }
    cx->sum->stage_seconds[DEMO_STAGE_COMMIT] = now_seconds() - t0;
    return 0;
}

static void fill_counts(const demo_city *c, demo_summary *s)
{
    s->districts = (int64_t)c->n[DEMO_DISTRICT];
    s->streets = (int64_t)c->n[DEMO_STREET];
    s->communities = (int64_t)c->n[DEMO_COMMUNITY];
    s->grids = (int64_t)c->n[DEMO_GRID];
    s->buildings = (int64_t)c->n_buildings;
    s->households = (int64_t)c->n_households;
    s->persons = (int64_t)c->n_persons;
    s->non_residents = (int64_t)c->n_non_residents;
    s->venues = (int64_t)c->n_venues;
    /* the movement and outbreak stages fill their own counts as they write */
}

int demo_generate_city(store *st, const demo_opts *o, demo_summary *out, demo_city **city,
                       fk_err *err)
{
    double start = now_seconds();
    const char *password = DEMO_DEFAULT_PASSWORD;
    demo_summary sum;
    memset(&sum, 0, sizeof sum);
    if (check_opts(o, &password, err) != 0 || (st && check_store_empty(st, err) != 0))
        return -1;
    snprintf(sum.password, sizeof sum.password, "%s", password);

    demo_city *c = fk_calloc(1, sizeof *c);
    c->seed = o->seed;
    c->days = o->days;
    c->persons_target = o->persons;
    demo_ctx cx = {.st = st, .opts = o, .city = c, .names = demo_names_new(), .sum = &sum};
    int rc = run_city_stages(&cx, err);
    if (rc == 0 && st && !o->skip_accounts) {
        double t = now_seconds();
        cx.rng = demo__stage_rng(o->seed, STREAM_ACCOUNTS);
        rc = demo__accounts(&cx, err);
        gsl_rng_free(cx.rng);
        sum.stage_seconds[DEMO_STAGE_ACCOUNTS] = now_seconds() - t;
    }
    demo_names_free(cx.names);
    if (rc != 0) {
        demo_city_free(c);
        return -1;
    }
    fill_counts(c, &sum);
    sum.seconds = now_seconds() - start;
    if (out)
        *out = sum;
    if (city)
        *city = c;
    else
        demo_city_free(c);
    return 0;
}

int demo_generate(store *st, const demo_opts *o, demo_summary *out, fk_err *err)
{
    return demo_generate_city(st, o, out, NULL, err);
}
