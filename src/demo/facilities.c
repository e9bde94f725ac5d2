/*
 * facilities.c - stage 7: isolation facilities (集中隔离点) with their rooms.
 *
 * The city gets the policy's reserve (isolation.reserve_rooms_per_10000 of the builtin
 * v9, the demo's policy) of single rooms with their own bathroom, shared out over the
 * districts by their residents and grouped into hotels of about DEMO_ROOMS_PER_FACILITY
 * rooms, each placed near its district's centre. Rooms are numbered floor by floor
 * ("301"). Written through the store like every stage; a few thousand rows for a city of
 * a million, so it adds nothing noticeable to the generation time.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "demo/demo_city.h"
#include "policy/policy.h"

#define DEMO_ROOMS_PER_FACILITY 60 /* a mid-sized hotel taken over as a facility */
#define DEMO_ROOMS_PER_FLOOR 20

static int reserve_per_10000(int64_t *out, fk_err *err)
{
    policy *p = policy_load_builtin("v9", err);
    if (!p)
        return -1;
    int rc = policy_get_int(p, "isolation.reserve_rooms_per_10000", out, err);
    policy_free(p);
    return rc;
}

static int32_t district_of_community(const demo_city *c, int32_t cm)
{
    return c->level[DEMO_STREET][c->level[DEMO_COMMUNITY][cm].parent].parent;
}

static int add_rooms(demo_ctx *cx, int64_t fid, int64_t rooms, fk_err *err)
{
    char(*numbers)[48] = fk_calloc((size_t)rooms, sizeof *numbers);
    const char **ptrs = fk_calloc((size_t)rooms, sizeof *ptrs);
    for (int64_t i = 0; i < rooms; i++) {
        snprintf(numbers[i], sizeof numbers[i], "%lld%02lld",
                 (long long)(2 + i / DEMO_ROOMS_PER_FLOOR),
                 (long long)(1 + i % DEMO_ROOMS_PER_FLOOR));
        ptrs[i] = numbers[i];
    }
    int rc = store_rooms_insert(cx->st, fid, ptrs, (size_t)rooms, 1, NULL, err);
    free(numbers);
    free(ptrs);
    return rc;
}

/* The facilities of district d, holding `rooms` rooms between them. */
static int district_facilities(demo_ctx *cx, int32_t d, int64_t rooms, fk_err *err)
{
    const demo_place *dp = &cx->city->level[DEMO_DISTRICT][d];
    int64_t n = (rooms + DEMO_ROOMS_PER_FACILITY - 1) / DEMO_ROOMS_PER_FACILITY;
    for (int64_t k = 0; k < n; k++) {
        facility_rec f;
        memset(&f, 0, sizeof f);
        int64_t here = rooms / n + (k < rooms % n);
        snprintf(f.name, sizeof f.name, "%s第%lld集中隔离点", dp->name, (long long)k + 1);
        snprintf(f.area_code, sizeof f.area_code, "%s", dp->code);
        snprintf(f.address, sizeof f.address, "%s隔离酒店%lld号楼", dp->name, (long long)k + 1);
        demo__scatter(cx->rng, dp->lon, dp->lat, dp->radius_km * 0.6, &f.lon, &f.lat);
        if (cx->st && (store_facility_insert(cx->st, &f, NULL, err) != 0 ||
                       add_rooms(cx, f.id, here, err) != 0))
            return -1;
        cx->sum->facilities++;
        cx->sum->rooms += here;
    }
    return 0;
}

int demo__facilities(demo_ctx *cx, fk_err *err)
{
    demo_city *c = cx->city;
    int64_t per10000;
    if (reserve_per_10000(&per10000, err) != 0)
        return -1;
    int64_t *residents = fk_calloc(c->n[DEMO_DISTRICT], sizeof *residents);
    for (size_t cm = 0; cm < c->n[DEMO_COMMUNITY]; cm++)
        residents[district_of_community(c, (int32_t)cm)] += c->level[DEMO_COMMUNITY][cm].residents;
    int rc = 0;
    for (size_t d = 0; d < c->n[DEMO_DISTRICT] && rc == 0; d++) {
        int64_t rooms = (residents[d] * per10000 + 9999) / 10000;
        if (rooms > 0)
            rc = district_facilities(cx, (int32_t)d, rooms, err);
    }
    free(residents);
    return rc;
}
