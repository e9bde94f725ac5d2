/*
 * movement.c - stage 5: where everyone is over `days` days from DEMO_EPOCH, as presence
 * rows in table stays, kept in memory for the outbreak stage.
 *
 * A person's day: at home (their building; a non-resident's address point) at night;
 * on weekdays (DEMO_EPOCH, 2022-05-01, is a Sunday) at their work unit or school in the
 * day, some workers stopping at a restaurant or supermarket on the way home; everyone
 * else, and workers at weekends, goes out now and then to a market, supermarket,
 * restaurant, hospital or station near home. Between places a person travels for 10
 * to 40 minutes, which leaves a gap: a moving phone is not present in one cell.
 *
 * Rows: a grid-cell stay (source 'demo', cell from the contract's formula at
 * DEMO_GRID_M) per contiguous period in one place, and a check-in (source 'checkins',
 * place = venue code) over the same span for each venue visit and workplace or school
 * day. A stay at home is cut at 04:00 once it has lasted 20 hours, so that no stay is
 * longer than two days (the outbreak stage scans co-presence within that bound).
 * About 3 rows per person per day.
 *
 * Subject: the person's phone, or their ID number without one (demo__subject).
 * Cost: O(persons x days); the rows go through store_stay_insert inside the city's
 * transaction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "demo/demo_city.h"
#include "trace/presence.h"

#define DAY 86400
#define HOUR 3600
#define MINUTE 60

/* The kinds of outing, where they are looked for, how often and how long. */
enum visit { VISIT_MARKET, VISIT_SUPERMARKET, VISIT_RESTAURANT, VISIT_HOSPITAL, VISIT_STATION,
             VISIT__COUNT };

static const struct visit_kind {
    int venue_kind;          /* enum demo_venue_kind */
    int scope;               /* DEMO_STREET or DEMO_DISTRICT: venues near home */
    double weight;           /* share of free-time outings */
    int min_s, max_s;        /* how long a visit lasts */
} visit_kinds[VISIT__COUNT] = {
    [VISIT_MARKET] = {DEMO_V_MARKET, DEMO_STREET, 0.30, 30 * MINUTE, 90 * MINUTE},
    [VISIT_SUPERMARKET] = {DEMO_V_SUPERMARKET, DEMO_STREET, 0.30, 20 * MINUTE, 60 * MINUTE},
    [VISIT_RESTAURANT] = {DEMO_V_RESTAURANT, DEMO_STREET, 0.25, 45 * MINUTE, 120 * MINUTE},
    [VISIT_HOSPITAL] = {DEMO_V_HOSPITAL, DEMO_STREET, 0.08, 60 * MINUTE, 180 * MINUTE},
    [VISIT_STATION] = {DEMO_V_STATION, DEMO_DISTRICT, 0.07, 15 * MINUTE, 45 * MINUTE},
};

/* The venues of one kind grouped by the area (street or district) they lie in. */
typedef struct pool {
    int32_t *venues;         /* indices in city->venues, grouped by area */
    int32_t *first;          /* n areas + 1 offsets into venues */
    size_t n;
} pool;

typedef struct outing {
    int32_t venue, arrive, leave;
} outing;

typedef struct mover {
    demo_ctx *cx;
    pool pools[VISIT__COUNT];
    int32_t person;
    char subject[64];
    int32_t home_since;      /* start of the stay at home not yet written */
} mover;

/* The cell of a point, named as pings are named at import (trace/presence.h), so the
 * demo's cells and imported pings meet in one grid. Coordinates of the demo city are
 * always valid, so the error is impossible and ignored. */
static void grid_cell(double lon, double lat, int grid_m, char out[32])
{
    if (trace_grid_cell(lon, lat, grid_m, out, NULL) != 0)
        out[0] = '\0';
}

/* ---- cells -------------------------------------------------------------------------- */

typedef struct cell_owner {
    char name[32];
    size_t owner;            /* < n_persons: a person's home; else a venue */
} cell_owner;

static int cmp_cell_owner(const void *a, const void *b)
{
    return strcmp(((const cell_owner *)a)->name, ((const cell_owner *)b)->name);
}

/* Interns the cells of every home and venue: city->cells sorted by name, and the
 * home_cell and venue_cell maps into it. */
static void intern_cells(demo_city *c)
{
    size_t n = c->n_persons + c->n_venues;
    cell_owner *o = fk_malloc((n ? n : 1) * sizeof *o);
    for (size_t i = 0; i < c->n_persons; i++) {
        grid_cell(c->persons[i].lon, c->persons[i].lat, DEMO_GRID_M, o[i].name);
        o[i].owner = i;
    }
    for (size_t v = 0; v < c->n_venues; v++) {
        grid_cell(c->venues[v].lon, c->venues[v].lat, DEMO_GRID_M, o[c->n_persons + v].name);
        o[c->n_persons + v].owner = c->n_persons + v;
    }
    qsort(o, n, sizeof *o, cmp_cell_owner);
    c->cells = fk_malloc((n ? n : 1) * sizeof *c->cells);
    c->home_cell = fk_malloc((c->n_persons ? c->n_persons : 1) * sizeof *c->home_cell);
    c->venue_cell = fk_malloc((c->n_venues ? c->n_venues : 1) * sizeof *c->venue_cell);
    c->n_cells = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(o[i].name, o[i - 1].name) != 0)
            memcpy(c->cells[c->n_cells++].name, o[i].name, sizeof o[i].name);
        int32_t cell = (int32_t)c->n_cells - 1;
        if (o[i].owner < c->n_persons)
            c->home_cell[o[i].owner] = cell;
        else
            c->venue_cell[o[i].owner - c->n_persons] = cell;
    }
    free(o);
}

/* ---- venue pools ---------------------------------------------------------------------- */

/* Index of the area of level `scope` (street or district) that grid g lies in. */
static int32_t area_of_grid(const demo_city *c, int32_t g, int scope)
{
    int32_t idx = g;
    for (int l = DEMO_GRID; l > scope; l--)
        idx = c->level[l][idx].parent;
    return idx;
}

static void pool_build(const demo_city *c, const struct visit_kind *k, pool *p)
{
    size_t areas = c->n[k->scope];
    p->first = fk_calloc(areas + 2, sizeof *p->first);
    p->n = 0;
    for (size_t v = 0; v < c->n_venues; v++)
        if (c->venues[v].kind == k->venue_kind) {
            p->first[area_of_grid(c, c->venues[v].grid, k->scope) + 2]++;
            p->n++;
        }
    for (size_t a = 2; a < areas + 2; a++)
        p->first[a] += p->first[a - 1];
    p->venues = fk_malloc((p->n ? p->n : 1) * sizeof *p->venues);
    /* counting sort: first[a + 1] is the next free slot of area a while filling */
    for (size_t v = 0; v < c->n_venues; v++)
        if (c->venues[v].kind == k->venue_kind)
            p->venues[p->first[area_of_grid(c, c->venues[v].grid, k->scope) + 1]++] = (int32_t)v;
}

static void pool_free(pool *p)
{
    free(p->venues);
    free(p->first);
}

/* A venue of pool p in area a, or anywhere in the city when a has none; -1 if none. */
static int32_t pool_pick(const pool *p, gsl_rng *r, int32_t a)
{
    int32_t lo = p->first[a], n = p->first[a + 1] - lo;
    if (n > 0)
        return p->venues[lo + (int32_t)gsl_rng_uniform_int(r, (unsigned long)n)];
    if (p->n == 0)
        return -1;
    return p->venues[gsl_rng_uniform_int(r, p->n)];
}

/* ---- rows ------------------------------------------------------------------------------ */

static int emit(mover *m, int kind, int32_t place, int32_t start, int32_t end, fk_err *err)
{
    demo_city *c = m->cx->city;
    demo__reserve((void **)&c->stays, &c->cap_stays, c->n_stays + 1, sizeof *c->stays);
    c->stays[c->n_stays++] = (demo_stay){.person = m->person, .place = place, .start = start,
                                         .end = end, .kind = (uint8_t)kind};
    if (kind == DEMO_STAY_CELL)
        m->cx->sum->cell_stays++;
    else
        m->cx->sum->checkins++;
    if (!m->cx->st)
        return 0;
    stay_rec r;
    memcpy(r.subject, m->subject, sizeof r.subject);
    const char *name = kind == DEMO_STAY_CELL ? c->cells[place].name : c->venues[place].code;
    snprintf(r.place, sizeof r.place, "%s", name);
    snprintf(r.source, sizeof r.source, "%s", kind == DEMO_STAY_CELL ? "demo" : "checkins");
    r.start = DEMO_EPOCH + (int64_t)start;
    r.end = DEMO_EPOCH + (int64_t)end;
    return store_stay_insert(m->cx->st, &r, err);
}

/* Writes the stay at home from home_since up to `until`, if it is not empty. */
static int emit_home(mover *m, int32_t until, fk_err *err)
{
    if (until <= m->home_since)
        return 0;
    int rc = emit(m, DEMO_STAY_CELL, m->cx->city->home_cell[m->person], m->home_since, until, err);
    m->home_since = until;
    return rc;
}

static int emit_outing(mover *m, const outing *o, fk_err *err)
{
    const demo_city *c = m->cx->city;
    if (emit(m, DEMO_STAY_CELL, c->venue_cell[o->venue], o->arrive, o->leave, err) != 0)
        return -1;
    return emit(m, DEMO_STAY_VENUE, o->venue, o->arrive, o->leave, err);
}

/* ---- a day ----------------------------------------------------------------------------- */

static int32_t uniform_s(gsl_rng *r, int32_t lo, int32_t hi)
{
    return lo + (int32_t)gsl_rng_uniform_int(r, (unsigned long)(hi - lo + 1));
}

static int32_t travel_s(gsl_rng *r)
{
    return uniform_s(r, 10 * MINUTE, 40 * MINUTE);
}

/* A visit of kind k near the person's home starting at `arrive`; 0 when there is none. */
static int plan_visit(mover *m, int k, int32_t arrive, outing *o)
{
    const demo_city *c = m->cx->city;
    gsl_rng *r = m->cx->rng;
    const struct visit_kind *vk = &visit_kinds[k];
    int32_t area = area_of_grid(c, c->persons[m->person].grid, vk->scope);
    int32_t v = pool_pick(&m->pools[k], r, area);
    if (v < 0)
        return 0;
    *o = (outing){v, arrive, arrive + uniform_s(r, vk->min_s, vk->max_s)};
    return 1;
}

static int draw_visit_kind(gsl_rng *r)
{
    double u = gsl_rng_uniform(r);
    for (int k = 0; k < VISIT__COUNT - 1; k++) {
        if (u < visit_kinds[k].weight)
            return k;
        u -= visit_kinds[k].weight;
    }
    return VISIT__COUNT - 1;
}

/* Chance of a free-time outing on a day: toddlers rarely, the elderly most. */
static double outing_rate(int age)
{
    return age < 3 ? 0.2 : age >= 60 ? 0.6 : 0.45;
}

/* The outings of day d (in time order); returns how many (0 to 2). */
static int plan_day(mover *m, int d, outing out[2])
{
    const demo_city *c = m->cx->city;
    const demo_person *p = &c->persons[m->person];
    gsl_rng *r = m->cx->rng;
    int32_t t = d * DAY;
    int weekday = d % 7 != 0 && d % 7 != 6; /* day 0 is a Sunday */
    if (weekday && p->venue >= 0) {
        int school = c->venues[p->venue].kind == DEMO_V_SCHOOL;
        int32_t arrive = t + (school ? uniform_s(r, 450, 480) : uniform_s(r, 480, 570)) * MINUTE;
        int32_t leave = t + (school ? uniform_s(r, 960, 1020) : uniform_s(r, 1020, 1140)) * MINUTE;
        out[0] = (outing){p->venue, arrive, leave};
        if (school || gsl_rng_uniform(r) >= 0.2)
            return 1;
        int k = gsl_rng_uniform(r) < 0.5 ? VISIT_RESTAURANT : VISIT_SUPERMARKET;
        return 1 + plan_visit(m, k, leave + travel_s(r), &out[1]);
    }
    if (gsl_rng_uniform(r) >= outing_rate(p->age))
        return 0;
    return plan_visit(m, draw_visit_kind(r), t + uniform_s(r, 9 * 60, 18 * 60) * MINUTE, &out[0]);
}

static int move_day(mover *m, int d, fk_err *err)
{
    gsl_rng *r = m->cx->rng;
    int32_t cut = d * DAY + 4 * HOUR;
    if (cut - m->home_since >= 20 * HOUR && emit_home(m, cut, err) != 0)
        return -1;
    outing o[2];
    int n = plan_day(m, d, o);
    if (n == 0)
        return 0;
    if (emit_home(m, o[0].arrive - travel_s(r), err) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (emit_outing(m, &o[i], err) != 0)
            return -1;
    m->home_since = o[n - 1].leave + travel_s(r);
    return 0;
}

static int move_person(mover *m, int32_t i, fk_err *err)
{
    demo_city *c = m->cx->city;
    m->person = i;
    m->home_since = 0;
    demo__subject(&c->persons[i], m->subject);
    c->person_stays[i] = c->n_stays;
    for (int d = 0; d < c->days; d++)
        if (move_day(m, d, err) != 0)
            return -1;
    return emit_home(m, c->days * DAY, err);
}

int demo__movement(demo_ctx *cx, fk_err *err)
{
    demo_city *c = cx->city;
    if (c->days <= 0)
        return 0;
    intern_cells(c);
    mover m = {.cx = cx};
    for (int k = 0; k < VISIT__COUNT; k++)
        pool_build(c, &visit_kinds[k], &m.pools[k]);
    c->person_stays = fk_malloc((c->n_persons + 1) * sizeof *c->person_stays);
    /* about 3 rows per person and day: reserve once rather than doubling through */
    demo__reserve((void **)&c->stays, &c->cap_stays, c->n_persons * (size_t)c->days * 3 + 1,
                  sizeof *c->stays);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->n_persons; i++)
        rc = move_person(&m, (int32_t)i, err);
    c->person_stays[c->n_persons] = c->n_stays;
    for (int k = 0; k < VISIT__COUNT; k++)
        pool_free(&m.pools[k]);
    if (rc == 0 && cx->opts->progress)
        log_info("demo", "movement: %zu stays over %d days in %zu cells", c->n_stays, c->days,
                 c->n_cells);
    return rc;
}
