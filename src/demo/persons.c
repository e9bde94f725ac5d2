/*
 * persons.c - stage 4: the people, household by household, then the non-residents.
 *
 * A household is composed as families are: a single person (young adult, or an
 * elder, who is then flagged 独居老人 from 65 on), a couple, a single parent with a
 * child, or a couple with up to three children, up to two grandparents and, in the
 * largest households, other relatives. Children take the father's surname, spouses
 * keep their own. Ages follow from the couple's age, which gives a plausible
 * pyramid (about 17% under 15 and 19% over 60, as in the 2020 census).
 * Residents get ID numbers of their district; non-residents 流动人口 (8%) are mostly
 * of working age, come from other counties and live at an address in a community.
 * Schooling and work: kindergarten 3-5 (own community), primary school 6-11 (own
 * street), middle school 12-17 (own district); adults work at a venue drawn by its
 * `jobs` weight with an age- and sex-dependent employment rate; work_unit holds the
 * school's or workplace's name.
 * Rates (per person): see `rates` below; the brief's values, kept in one place.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "demo/demo_city.h"
#include "demo/identity.h"
#include "model/person.h"

static const struct {
    double disabled;          /* any age */
    double pregnant;          /* women 20-40 */
    double chronic;           /* 40 and over: dialysis and the like */
} rates = {0.015, 0.01, 0.002};

/* Home counties of non-residents (ID region codes outside the city). */
static const char *const origins[] = {
    "500101", "500228", "510722", "511321", "511623", "513701", "530381", "520221",
    "420117", "430524", "362421", "411326", "340826", "610526", "450881", "370783"};
#define N_ORIGINS (sizeof origins / sizeof origins[0])

enum role { ROLE_HEAD, ROLE_SPOUSE, ROLE_CHILD, ROLE_ELDER, ROLE_RELATIVE };

typedef struct member {
    int age;
    char sex;
    enum role role;
    const char *surname;
} member;

/* Everything the stage needs besides the context. */
typedef struct person_gen {
    demo_ctx *cx;
    demo_ids *ids;
    int64_t today;            /* days since 1970 */
    gsl_ran_discrete_t *jobs; /* venues by jobs */
    gsl_ran_discrete_t *communities; /* by weight, for non-residents */
    int32_t *kindergarten;    /* per community, -1 = none */
    int32_t *primary;         /* per street */
    int32_t *middle_first, *middle_n; /* per district */
    size_t done, next_report;
} person_gen;

static int clampi(double v, int lo, int hi)
{
    int i = (int)lround(v);
    return i < lo ? lo : i > hi ? hi : i;
}

static int elder_age(gsl_rng *r)
{
    return clampi(60 + gsl_ran_exponential(r, 9.0), 60, 100);
}

/* Parents and children: head and spouse of age `p`, then kids, elders, relatives. */
static int compose_family(gsl_rng *r, int size, int p, member *m)
{
    double u = gsl_rng_uniform(r);
    int elders_max = size == 3   ? (u < 0.2)
                   : size == 4 ? (u < 0.5 ? 0 : u < 0.85 ? 1 : 2)
                   : size == 5 ? 1 + (u < 0.4)
                               : 2;
    if (elders_max > size - 2)
        elders_max = size - 2;
    int n = 0, kids = size - 2 - elders_max;
    if (kids > 3)
        kids = 3;
    char hs = gsl_rng_uniform(r) < 0.7 ? 'M' : 'F';
    m[n++] = (member){p, hs, ROLE_HEAD, NULL};
    m[n++] = (member){clampi(p + gsl_ran_gaussian(r, 2.5), 18, 100), hs == 'M' ? 'F' : 'M',
                      ROLE_SPOUSE, NULL};
    int age = p - 23 - (int)gsl_rng_uniform_int(r, 10);
    for (int i = 0; i < kids; i++) {
        m[n++] = (member){age < 0 ? 0 : age, gsl_rng_uniform(r) < 0.53 ? 'M' : 'F', ROLE_CHILD, NULL};
        age -= 1 + (int)gsl_rng_uniform_int(r, 6);
    }
    int old = clampi(p + 24 + gsl_rng_uniform_int(r, 9), 45, 100);
    for (int i = 0; i < elders_max; i++) {
        char s = elders_max == 2 ? (i ? 'F' : 'M') : gsl_rng_uniform(r) < 0.6 ? 'F' : 'M';
        m[n++] = (member){clampi(old + gsl_ran_gaussian(r, 2.5), 45, 100), s, ROLE_ELDER, NULL};
    }
    while (n < size)
        m[n++] = (member){clampi(p + gsl_ran_gaussian(r, 8), 16, 100),
                          gsl_rng_uniform(r) < 0.5 ? 'M' : 'F', ROLE_RELATIVE, NULL};
    return n;
}

/* Fills m[0..size) with ages and sexes; returns size. */
static int compose(gsl_rng *r, int size, member *m)
{
    double u = gsl_rng_uniform(r);
    if (size == 1) {
        int age = u < 0.35 ? elder_age(r) : clampi(gsl_ran_gaussian(r, 10) + 33, 18, 59);
        m[0] = (member){age, gsl_rng_uniform(r) < (age >= 60 ? 0.4 : 0.55) ? 'M' : 'F',
                        ROLE_HEAD, NULL};
        return 1;
    }
    if (size == 2 && u < 0.2) { /* single parent and child */
        int p = clampi(gsl_ran_gaussian(r, 8) + 45, 25, 75);
        int kid = p - 20 - (int)gsl_rng_uniform_int(r, 15);
        m[0] = (member){p, gsl_rng_uniform(r) < 0.35 ? 'M' : 'F', ROLE_HEAD, NULL};
        m[1] = (member){kid < 0 ? 0 : kid, gsl_rng_uniform(r) < 0.53 ? 'M' : 'F', ROLE_CHILD, NULL};
        return 2;
    }
    int p;
    if (size == 2)
        p = u < 0.4 ? elder_age(r) - 2 : 24 + (int)gsl_rng_uniform_int(r, 40);
    else
        p = 25 + (int)gsl_rng_uniform_int(r, 25);
    return compose_family(r, size, p, m);
}

/* Surnames: children and paternal grandfathers take the father's. */
static void name_family(demo_names *nm, gsl_rng *r, member *m, int n)
{
    const char *father = NULL, *mother = NULL;
    for (int i = 0; i < n; i++) {
        if (m[i].role == ROLE_HEAD || m[i].role == ROLE_SPOUSE) {
            m[i].surname = demo_name_surname(nm, r);
            if (m[i].sex == 'M')
                father = m[i].surname;
            else
                mother = m[i].surname;
        }
    }
    const char *kid_line = father ? father : demo_name_surname(nm, r);
    const char *elder_line = (gsl_rng_uniform(r) < 0.65 || !mother) ? kid_line : mother;
    for (int i = 0; i < n; i++) {
        if (m[i].role == ROLE_CHILD)
            m[i].surname = m[0].role == ROLE_HEAD && n == 2 && !father ? mother : kid_line;
        else if (m[i].role == ROLE_ELDER)
            m[i].surname = m[i].sex == 'M' ? elder_line : demo_name_surname(nm, r);
        else if (m[i].role == ROLE_RELATIVE)
            m[i].surname = gsl_rng_uniform(r) < 0.5 ? kid_line : demo_name_surname(nm, r);
    }
}

/* ---- one person --------------------------------------------------------------- */

static int32_t pick_school(const person_gen *pg, const demo_person *dp, int age)
{
    const demo_city *c = pg->cx->city;
    gsl_rng *r = pg->cx->rng;
    int32_t street = c->level[DEMO_COMMUNITY][dp->community].parent;
    int32_t district = c->level[DEMO_STREET][street].parent;
    if (age >= 3 && age <= 5)
        return gsl_rng_uniform(r) < 0.85 ? pg->kindergarten[dp->community] : -1;
    if (age >= 6 && age <= 11)
        return pg->primary[street];
    if (age >= 12 && age <= 17 && pg->middle_n[district] > 0)
        return pg->middle_first[district] +
               (int32_t)gsl_rng_uniform_int(r, (unsigned long)pg->middle_n[district]);
    return -1;
}

static double employment(int age, char sex, int non_resident)
{
    if (age < 18 || age >= 65)
        return 0;
    if (non_resident)
        return age < 60 ? 0.9 : 0.3;
    if (age <= 22)
        return 0.35;
    if (age < 50)
        return sex == 'M' ? 0.88 : 0.75;
    if (age < 60)
        return sex == 'M' ? 0.75 : 0.45;
    return 0.25;
}

static unsigned pick_flags(gsl_rng *r, int age, char sex, int alone)
{
    unsigned f = 0;
    if (alone && age >= 65)
        f |= PERSON_ELDERLY_ALONE;
    if (gsl_rng_uniform(r) < rates.disabled)
        f |= PERSON_DISABLED;
    if (sex == 'F' && age >= 20 && age <= 40 && gsl_rng_uniform(r) < rates.pregnant)
        f |= PERSON_PREGNANT;
    if (age >= 40 && gsl_rng_uniform(r) < rates.chronic)
        f |= PERSON_CHRONIC;
    return f;
}

static double no_phone_rate(int age)
{
    return age < 12 ? 0.15 : age >= 80 ? 0.3 : 0.005;
}

/* Identity fields of p and dp: ID number, birth date, sex, exact age, name, phone. */
static void identify(person_gen *pg, const member *m, size_t region, const char *region6,
                     person *p, demo_person *dp)
{
    gsl_rng *r = pg->cx->rng;
    int64_t day = pg->today - (int64_t)floor(m->age * 365.2425) -
                  (int64_t)gsl_rng_uniform_int(r, 365);
    demo__ids_make(pg->ids, region, region6, m->sex, &day, p->id_number);
    int y, mo, d;
    demo__civil(day, &y, &mo, &d);
    snprintf(p->birth_date, sizeof p->birth_date, "%04d-%02d-%02d", y, mo, d);
    snprintf(p->id_type, sizeof p->id_type, "resident");
    p->sex[0] = m->sex;
    dp->sex = m->sex;
    dp->age = (int16_t)(DEMO_TODAY_Y - y -
                        (DEMO_TODAY_M < mo || (DEMO_TODAY_M == mo && DEMO_TODAY_D < d)));
    demo_name_person(pg->cx->names, r, m->surname, m->sex, y, p->name, sizeof p->name);
    if (gsl_rng_uniform(r) >= no_phone_rate(dp->age)) {
        dp->phone = demo__phone_new(pg->ids, r);
        snprintf(p->phone, sizeof p->phone, "%llu", (unsigned long long)dp->phone);
    }
}

/* Work or school, flags; then validate, insert and keep the record. */
static int finish_person(person_gen *pg, person *p, demo_person *dp, int alone, fk_err *err)
{
    demo_ctx *cx = pg->cx;
    demo_city *c = cx->city;
    int nonres = dp->household < 0;
    dp->venue = pick_school(pg, dp, dp->age);
    if (dp->venue < 0 && gsl_rng_uniform(cx->rng) < employment(dp->age, dp->sex, nonres))
        dp->venue = (int32_t)gsl_ran_discrete(cx->rng, pg->jobs);
    if (dp->venue >= 0)
        snprintf(p->work_unit, sizeof p->work_unit, "%s", c->venues[dp->venue].name);
    dp->flags = (uint8_t)pick_flags(cx->rng, dp->age, dp->sex, alone);
    p->flags = dp->flags;
    /* an ID number is 18 characters: it fits the city's smaller copy whole */
    size_t idlen = strnlen(p->id_number, sizeof dp->id_number - 1);
    memcpy(dp->id_number, p->id_number, idlen);
    dp->id_number[idlen] = '\0';
    snprintf(p->community_code, sizeof p->community_code, "%s",
             c->level[DEMO_COMMUNITY][dp->community].code);
    p->created_at = p->updated_at = DEMO_EPOCH;
    if (person_validate(p, err) != 0)
        return -1;
    if (cx->st && store_person_insert(cx->st, p, NULL, err) != 0)
        return -1;
    dp->id = cx->st ? p->id : (int64_t)c->n_persons + 1;
    c->persons[c->n_persons++] = *dp;
    if (cx->opts->progress && ++pg->done >= pg->next_report) {
        log_info("demo", "%zu of %lld persons", pg->done, (long long)c->persons_target);
        pg->next_report += (size_t)(c->persons_target / 10 > 0 ? c->persons_target / 10 : 1);
    }
    return 0;
}

/* ---- residents and non-residents ------------------------------------------------ */

static int house_members(person_gen *pg, int32_t hi, fk_err *err)
{
    demo_city *c = pg->cx->city;
    demo_household *h = &c->households[hi];
    const demo_building *b = &c->buildings[h->building];
    int32_t district = c->level[DEMO_STREET][c->level[DEMO_COMMUNITY][h->community].parent].parent;
    member m[12];
    int n = compose(pg->cx->rng, h->size, m);
    name_family(pg->cx->names, pg->cx->rng, m, n);
    h->first_person = (int32_t)c->n_persons;
    for (int i = 0; i < n; i++) {
        person p;
        demo_person dp = {.household = hi, .community = h->community, .grid = b->grid,
                          .venue = -1, .lon = (float)b->lon, .lat = (float)b->lat};
        memset(&p, 0, sizeof p);
        identify(pg, &m[i], (size_t)district, c->level[DEMO_DISTRICT][district].code, &p, &dp);
        snprintf(p.resident_type, sizeof p.resident_type, "resident");
        p.household_id = h->id;
        if (finish_person(pg, &p, &dp, n == 1, err) != 0)
            return -1;
    }
    return 0;
}

static int non_resident(person_gen *pg, fk_err *err)
{
    demo_ctx *cx = pg->cx;
    demo_city *c = cx->city;
    gsl_rng *r = cx->rng;
    int32_t ci = (int32_t)gsl_ran_discrete(r, pg->communities);
    const demo_place *cm = &c->level[DEMO_COMMUNITY][ci];
    const demo_place *st = &c->level[DEMO_STREET][cm->parent];
    const demo_place *di = &c->level[DEMO_DISTRICT][st->parent];
    int32_t grid = cm->first_child + (int32_t)gsl_rng_uniform_int(r, (unsigned long)cm->n_children);
    const demo_place *g = &c->level[DEMO_GRID][grid];
    demo_person dp = {.household = -1, .community = ci, .grid = grid, .venue = -1};
    double lon, lat;
    demo__scatter(r, g->lon, g->lat, g->radius_km, &lon, &lat);
    dp.lon = (float)lon;
    dp.lat = (float)lat;
    member m = {clampi(gsl_ran_gaussian(r, 10) + 33, 16, 70), gsl_rng_uniform(r) < 0.55 ? 'M' : 'F',
                ROLE_HEAD, demo_name_surname(cx->names, r)};
    size_t origin = gsl_rng_uniform_int(r, N_ORIGINS);
    person p;
    memset(&p, 0, sizeof p);
    identify(pg, &m, c->n[DEMO_DISTRICT] + origin, origins[origin], &p, &dp);
    snprintf(p.resident_type, sizeof p.resident_type, "non_resident");
    char road[96];
    demo_name_road_address(r, road, sizeof road);
    snprintf(p.address, sizeof p.address, "%s%s%s%s%s", DEMO_CITY_NAME, di->name, st->name,
             cm->name, road);
    c->n_non_residents++;
    return finish_person(pg, &p, &dp, 0, err);
}

/* ---- set-up ------------------------------------------------------------------------- */

static void index_schools(person_gen *pg)
{
    const demo_city *c = pg->cx->city;
    pg->kindergarten = fk_malloc(c->n[DEMO_COMMUNITY] * sizeof(int32_t));
    pg->primary = fk_malloc(c->n[DEMO_STREET] * sizeof(int32_t));
    pg->middle_first = fk_malloc(c->n[DEMO_DISTRICT] * sizeof(int32_t));
    pg->middle_n = fk_calloc(c->n[DEMO_DISTRICT], sizeof(int32_t));
    memset(pg->kindergarten, 0xff, c->n[DEMO_COMMUNITY] * sizeof(int32_t));
    memset(pg->primary, 0xff, c->n[DEMO_STREET] * sizeof(int32_t));
    for (size_t i = 0; i < c->n_venues; i++) {
        const demo_venue *v = &c->venues[i];
        int32_t cm = c->level[DEMO_GRID][v->grid].parent;
        int32_t st = c->level[DEMO_COMMUNITY][cm].parent;
        int32_t di = c->level[DEMO_STREET][st].parent;
        if (v->flags & DEMO_VF_KINDERGARTEN)
            pg->kindergarten[cm] = (int32_t)i;
        else if (v->flags & DEMO_VF_PRIMARY)
            pg->primary[st] = (int32_t)i;
        else if ((v->flags & DEMO_VF_SECONDARY) && pg->middle_n[di]++ == 0)
            pg->middle_first[di] = (int32_t)i;
    }
}

static void setup(person_gen *pg, demo_ctx *cx)
{
    demo_city *c = cx->city;
    memset(pg, 0, sizeof *pg);
    pg->cx = cx;
    pg->today = fk_days_from_civil(DEMO_TODAY_Y, DEMO_TODAY_M, DEMO_TODAY_D);
    pg->ids = demo__ids_new(c->n[DEMO_DISTRICT] + N_ORIGINS, pg->today,
                            (size_t)c->persons_target);
    double *w = fk_malloc((c->n_venues > c->n[DEMO_COMMUNITY] ? c->n_venues : c->n[DEMO_COMMUNITY]) *
                          sizeof *w);
    for (size_t i = 0; i < c->n_venues; i++)
        w[i] = c->venues[i].jobs;
    pg->jobs = gsl_ran_discrete_preproc(c->n_venues, w);
    for (size_t i = 0; i < c->n[DEMO_COMMUNITY]; i++)
        w[i] = c->level[DEMO_COMMUNITY][i].weight;
    pg->communities = gsl_ran_discrete_preproc(c->n[DEMO_COMMUNITY], w);
    free(w);
    index_schools(pg);
    c->persons = fk_malloc((size_t)c->persons_target * sizeof *c->persons);
    pg->next_report = (size_t)(c->persons_target / 10 > 0 ? c->persons_target / 10 : 1);
}

static void teardown(person_gen *pg)
{
    demo__ids_free(pg->ids);
    gsl_ran_discrete_free(pg->jobs);
    gsl_ran_discrete_free(pg->communities);
    free(pg->kindergarten);
    free(pg->primary);
    free(pg->middle_first);
    free(pg->middle_n);
}

int demo__persons(demo_ctx *cx, fk_err *err)
{
    demo_city *c = cx->city;
    person_gen pg;
    setup(&pg, cx);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->n_households; i++)
        rc = house_members(&pg, (int32_t)i, err);
    int64_t non_res = demo__non_residents(c->persons_target);
    for (int64_t i = 0; rc == 0 && i < non_res; i++)
        rc = non_resident(&pg, err);
    teardown(&pg);
    return rc;
}
