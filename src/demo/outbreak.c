/*
 * outbreak.c - stage 6: a seeded outbreak spreading over the movement, the cases it
 * gives, and its ground truth (table outbreak_links), so contact discovery can be
 * measured against what really happened.
 *
 * Seeds: `outbreak` index cases (working or schooling persons where possible),
 * infected about a day before DEMO_EPOCH so they are infectious from the first days.
 * Each day, every infectious person may infect, among those still susceptible:
 *   household  each member of their household (rates.household_per_day, scaled by
 *              the part of the day they are infectious); place = the home cell;
 *   venue      anyone checked in at the same venue at an overlapping time, with a
 *              probability growing with the overlap (up to rates.venue_max);
 *              place = the venue code;
 *   companion  anyone in the same grid cell for at least an hour at once, with a small
 *              probability per hour of overlap; place = the cell.
 * Household members are only reached through the household route, and a route's
 * infection time lies inside the co-presence that carried it.
 * Natural history, drawn at infection: infectious after a latent period of 1.5-3
 * days; 35% asymptomatic; onset after a log-normal incubation (median 3 days); a
 * sample some hours after onset (asymptomatic: 2-5 days after infection, screening);
 * the report half a day later. A reported case is isolated: it infects no one after.
 * Cases: everyone whose report falls inside the movement period is registered
 * (confirmed with a severity, or asymptomatic), in order of report.
 * Size: at most rates.cap_share of the persons (and at least the seeds).
 * Cost: co-presence is looked up in an index of the stays by (kind, place, start),
 * scanning only stays that can overlap (no stay is longer than two days, movement.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "demo/demo_city.h"

#define DAY 86400
#define HOUR 3600
#define NO_ONSET INT32_MIN

static const struct {
    double household_per_day;   /* to each susceptible member, per day infectious */
    double venue_max;           /* per pair at a venue, approached for long overlaps */
    double venue_scale_s;       /* overlap giving 63% of venue_max */
    double cell_per_hour;       /* per pair and hour of overlap in one grid cell */
    int32_t cell_min_overlap_s; /* shorter overlaps in a cell carry no risk here */
    double asymptomatic;        /* share of infections without symptoms */
    double cap_share;           /* at most this share of the persons is infected */
} rates = {0.15, 0.005, 3 * HOUR, 2e-5, HOUR, 0.35, 0.01};

enum route { ROUTE_SEED, ROUTE_HOUSEHOLD, ROUTE_VENUE, ROUTE_COMPANION };
static const char *const route_names[] = {"seed", "household", "venue", "companion"};

typedef struct infection {
    int32_t person;              /* index in persons */
    int32_t infector;            /* index in the infections, -1 for a seed */
    int32_t time;                /* seconds since DEMO_EPOCH; negative for seeds */
    int32_t infectious_from, infectious_to;
    int32_t onset;               /* NO_ONSET when asymptomatic */
    int32_t sampling, reported;
    int32_t place;               /* venue (route venue) or cell index */
    uint8_t route;               /* enum route */
} infection;

/* The stays by (kind, place, start): keys are start << 32 | stay index. */
typedef struct place_index {
    uint64_t *keys;
    size_t *first;               /* buckets: cells, then venues; n + 1 offsets */
    int32_t max_len[2];          /* longest stay of each kind */
} place_index;

typedef struct sim {
    demo_ctx *cx;
    place_index ix;
    infection *inf;
    size_t n, cap, max;
    int32_t *state;              /* per person: index in inf, -1 = susceptible */
} sim;

/* ---- the index of co-presence ------------------------------------------------------------ */

static size_t bucket_of(const demo_city *c, const demo_stay *s)
{
    return s->kind == DEMO_STAY_CELL ? (size_t)s->place : c->n_cells + (size_t)s->place;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void index_build(const demo_city *c, place_index *ix)
{
    size_t nb = c->n_cells + c->n_venues;
    ix->first = fk_calloc(nb + 2, sizeof *ix->first);
    ix->keys = fk_malloc((c->n_stays ? c->n_stays : 1) * sizeof *ix->keys);
    for (size_t i = 0; i < c->n_stays; i++) {
        const demo_stay *s = &c->stays[i];
        ix->first[bucket_of(c, s) + 2]++;
        if (s->end - s->start > ix->max_len[s->kind])
            ix->max_len[s->kind] = s->end - s->start;
    }
    for (size_t b = 2; b < nb + 2; b++)
        ix->first[b] += ix->first[b - 1];
    for (size_t i = 0; i < c->n_stays; i++) {
        const demo_stay *s = &c->stays[i];
        ix->keys[ix->first[bucket_of(c, s) + 1]++] = (uint64_t)s->start << 32 | (uint64_t)i;
    }
    for (size_t b = 0; b < nb; b++)
        qsort(ix->keys + ix->first[b], ix->first[b + 1] - ix->first[b], sizeof *ix->keys,
              cmp_u64);
}

/* First key of bucket b whose start is >= t. */
static size_t index_lower(const place_index *ix, size_t b, int32_t t)
{
    size_t lo = ix->first[b], hi = ix->first[b + 1];
    uint64_t k = t > 0 ? (uint64_t)t << 32 : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->keys[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- infections --------------------------------------------------------------------------- */

static int32_t days_s(gsl_rng *r, double lo, double hi)
{
    return (int32_t)((lo + (hi - lo) * gsl_rng_uniform(r)) * DAY);
}

/* The course of an infection at time t: infectious period, onset, sample, report. */
static void natural_history(gsl_rng *r, infection *f)
{
    int32_t t = f->time;
    f->infectious_from = t + days_s(r, 1.5, 3.0);
    if (gsl_rng_uniform(r) < rates.asymptomatic) {
        f->onset = NO_ONSET;
        f->sampling = t + days_s(r, 2.0, 5.0);
    } else {
        double incubation = gsl_ran_lognormal(r, log(3.0), 0.35);
        f->onset = t + (int32_t)(fmax(incubation, 1.0) * DAY);
        f->sampling = f->onset + days_s(r, 0.25, 1.5);
    }
    f->reported = f->sampling + (int32_t)(HOUR * (4 + 16 * gsl_rng_uniform(r)));
    int32_t end = f->infectious_from + 8 * DAY;
    f->infectious_to = f->reported < end ? f->reported : end;
}

static void infect(sim *s, int32_t person, int32_t infector, int route, int32_t place,
                   int32_t t)
{
    demo__reserve((void **)&s->inf, &s->cap, s->n + 1, sizeof *s->inf);
    infection *f = &s->inf[s->n];
    *f = (infection){.person = person, .infector = infector, .time = t, .place = place,
                     .route = (uint8_t)route};
    natural_history(s->cx->rng, f);
    s->state[person] = (int32_t)s->n++;
}

static int full(const sim *s)
{
    return s->n >= s->max;
}

/* Index cases: distinct persons with a workplace or school where there are some (they
 * meet the most people), infected a day or so before the movement starts, and found
 * late enough to spread. */
static void seed(sim *s, int seeds)
{
    const demo_city *c = s->cx->city;
    gsl_rng *r = s->cx->rng;
    for (int k = 0; k < seeds && (size_t)k < c->n_persons; k++) {
        int32_t p = -1;
        for (int tries = 0; tries < 1000; tries++) {
            int32_t q = (int32_t)gsl_rng_uniform_int(r, c->n_persons);
            if (s->state[q] < 0 && (p < 0 || c->persons[q].venue >= 0))
                p = q;
            if (p >= 0 && c->persons[p].venue >= 0)
                break;
        }
        if (p < 0)
            break;
        infect(s, p, -1, ROUTE_SEED, c->home_cell[p], -DAY - days_s(r, 0.0, 0.5));
        infection *f = &s->inf[s->n - 1];
        f->infectious_from = f->time + DAY;
        if (f->reported < 3 * DAY) { /* an index case is found after it has spread */
            f->sampling += 3 * DAY - f->reported;
            f->reported = 3 * DAY;
            f->infectious_to = f->reported;
        }
    }
}

static void spread_household(sim *s, size_t k, int32_t ws, int32_t we)
{
    const demo_city *c = s->cx->city;
    gsl_rng *r = s->cx->rng;
    int32_t me = s->inf[k].person, h = c->persons[me].household;
    if (h < 0)
        return;
    double p = rates.household_per_day * (we - ws) / (double)DAY;
    for (size_t j = (size_t)c->households[h].first_person;
         j < c->n_persons && c->persons[j].household == h && !full(s); j++)
        if ((int32_t)j != me && s->state[j] < 0 && gsl_rng_uniform(r) < p)
            infect(s, (int32_t)j, (int32_t)k, ROUTE_HOUSEHOLD, c->home_cell[j],
                   ws + (int32_t)((we - ws) * gsl_rng_uniform(r)));
}

static double pair_risk(int kind, int32_t overlap)
{
    if (kind == DEMO_STAY_VENUE)
        return rates.venue_max * (1.0 - exp(-overlap / rates.venue_scale_s));
    if (overlap < rates.cell_min_overlap_s)
        return 0;
    return rates.cell_per_hour * overlap / (double)HOUR;
}

/* Infector k was in the place of stay `own` over [from, to): everyone else there then. */
static void spread_place(sim *s, size_t k, const demo_stay *own, int32_t from, int32_t to)
{
    const demo_city *c = s->cx->city;
    gsl_rng *r = s->cx->rng;
    int32_t me = s->inf[k].person;
    int32_t home = c->persons[me].household;
    size_t b = bucket_of(c, own);
    for (size_t i = index_lower(&s->ix, b, from - s->ix.max_len[own->kind]);
         i < s->ix.first[b + 1] && (int32_t)(s->ix.keys[i] >> 32) < to && !full(s); i++) {
        const demo_stay *o = &c->stays[s->ix.keys[i] & 0xFFFFFFFFu];
        int32_t j = o->person;
        if (j == me || s->state[j] >= 0 || (home >= 0 && c->persons[j].household == home))
            continue;
        int32_t lo = o->start > from ? o->start : from, hi = o->end < to ? o->end : to;
        if (hi <= lo || gsl_rng_uniform(r) >= pair_risk(own->kind, hi - lo))
            continue;
        infect(s, j, (int32_t)k,
               own->kind == DEMO_STAY_VENUE ? ROUTE_VENUE : ROUTE_COMPANION, own->place,
               lo + (int32_t)((hi - lo) * gsl_rng_uniform(r)));
    }
}

/* What infection k passes on during day d. */
static void spread_day(sim *s, size_t k, int d)
{
    const demo_city *c = s->cx->city;
    int32_t t = d * DAY;
    infection f = s->inf[k]; /* a copy: infect() may move the array */
    int32_t ws = f.infectious_from > t ? f.infectious_from : t;
    int32_t we = f.infectious_to < t + DAY ? f.infectious_to : t + DAY;
    if (ws >= we)
        return;
    spread_household(s, k, ws, we);
    for (size_t i = c->person_stays[f.person]; i < c->person_stays[f.person + 1] && !full(s);
         i++) {
        const demo_stay *own = &c->stays[i];
        if (own->start < t || own->start >= t + DAY)
            continue; /* each stay is looked at on the day it starts */
        int32_t from = own->start > f.infectious_from ? own->start : f.infectious_from;
        int32_t to = own->end < f.infectious_to ? own->end : f.infectious_to;
        /* a short stay in a cell carries no risk (pair_risk): skip its scan */
        if (to - from >= (own->kind == DEMO_STAY_CELL ? rates.cell_min_overlap_s : 1))
            spread_place(s, k, own, from, to);
    }
}

/* ---- writing -------------------------------------------------------------------------------- */

static const char *place_name(const demo_city *c, const infection *f)
{
    return f->route == ROUTE_VENUE ? c->venues[f->place].code : c->cells[f->place].name;
}

static int write_links(sim *s, fk_err *err)
{
    const demo_city *c = s->cx->city;
    for (size_t k = 0; k < s->n; k++) {
        const infection *f = &s->inf[k];
        if (f->route == ROUTE_SEED)
            continue;
        const demo_person *by = &c->persons[s->inf[f->infector].person];
        const demo_person *to = &c->persons[f->person];
        outbreak_link l = {.infector_person = by->id, .infectee_person = to->id,
                           .time = DEMO_EPOCH + (int64_t)f->time};
        demo__subject(by, l.infector_subject);
        demo__subject(to, l.infectee_subject);
        snprintf(l.route, sizeof l.route, "%s", route_names[f->route]);
        snprintf(l.place, sizeof l.place, "%s", place_name(c, f));
        if (s->cx->st && store_outbreak_link_insert(s->cx->st, &l, err) != 0)
            return -1;
        s->cx->sum->links++;
    }
    return 0;
}

/* The case record of infection f: classification and source from its course. */
static void case_of(const sim *s, const infection *f, epicase *e)
{
    gsl_rng *r = s->cx->rng;
    memset(e, 0, sizeof *e);
    e->person_id = s->cx->city->persons[f->person].id;
    e->reported_at = DEMO_EPOCH + (int64_t)f->reported;
    fk_date_of(DEMO_EPOCH + (int64_t)f->sampling, e->sampling_date);
    const infection *by = f->infector >= 0 ? &s->inf[f->infector] : NULL;
    const char *source = by && by->reported < f->sampling ? "quarantine_screening"
                         : f->onset != NO_ONSET && gsl_rng_uniform(r) < 0.6 ? "fever_clinic"
                                                                            : "community_screening";
    snprintf(e->source, sizeof e->source, "%s", source);
    if (f->onset == NO_ONSET) {
        snprintf(e->classification, sizeof e->classification, "asymptomatic");
        return;
    }
    snprintf(e->classification, sizeof e->classification, "confirmed");
    fk_date_of(DEMO_EPOCH + (int64_t)f->onset, e->onset_date);
    double u = gsl_rng_uniform(r);
    snprintf(e->severity, sizeof e->severity, "%s",
             u < 0.80 ? "mild" : u < 0.97 ? "moderate" : "severe");
}

/* Report order: (report time, person, infection index). */
typedef struct report_key {
    int32_t reported, person;
    size_t k;
} report_key;

static int cmp_report(const void *a, const void *b)
{
    const report_key *x = a, *y = b;
    if (x->reported != y->reported)
        return x->reported < y->reported ? -1 : 1;
    return x->person < y->person ? -1 : x->person > y->person;
}

/* Registers as cases the infections reported before the movement ends, in report order. */
static int write_cases(sim *s, fk_err *err)
{
    int32_t end = s->cx->city->days * DAY;
    report_key *order = fk_malloc((s->n ? s->n : 1) * sizeof *order);
    size_t n = 0;
    for (size_t k = 0; k < s->n; k++)
        if (s->inf[k].reported < end)
            order[n++] = (report_key){s->inf[k].reported, s->inf[k].person, k};
    qsort(order, n, sizeof *order, cmp_report);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        epicase e;
        case_of(s, &s->inf[order[i].k], &e);
        rc = case_validate(&e, err);
        if (rc == 0 && s->cx->st)
            rc = store_case_insert(s->cx->st, &e, NULL, err);
        s->cx->sum->cases += rc == 0;
    }
    free(order);
    return rc;
}

int demo__outbreak(demo_ctx *cx, fk_err *err)
{
    demo_city *c = cx->city;
    int seeds = cx->opts->outbreak < 0 ? 1 : cx->opts->outbreak;
    if (c->days <= 0 || seeds == 0 || c->n_persons == 0)
        return 0;
    sim s = {.cx = cx};
    size_t cap = (size_t)(rates.cap_share * (double)c->n_persons);
    s.max = cap > (size_t)seeds ? cap : (size_t)seeds;
    s.state = fk_malloc(c->n_persons * sizeof *s.state);
    memset(s.state, 0xFF, c->n_persons * sizeof *s.state); /* all -1: susceptible */
    index_build(c, &s.ix);
    seed(&s, seeds);
    cx->sum->seeds = (int64_t)s.n;
    for (int d = 0; d < c->days && !full(&s); d++)
        for (size_t k = 0, n = s.n; k < n && !full(&s); k++)
            spread_day(&s, k, d);
    cx->sum->infected = (int64_t)s.n;
    int rc = write_links(&s, err) == 0 && write_cases(&s, err) == 0 ? 0 : -1;
    if (rc == 0 && cx->opts->progress)
        log_info("demo", "outbreak: %lld seeds, %zu infected, %lld cases", (long long)cx->sum->seeds,
                 s.n, (long long)cx->sum->cases);
    free(s.ix.keys);
    free(s.ix.first);
    free(s.inf);
    free(s.state);
    return rc;
}
