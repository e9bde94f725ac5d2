/*
 * fleet.c - stage 8: the transfer fleet (转运车辆和转运组) of every district.
 *
 * Each district gets one crew and one vehicle per isolation facility the previous stage
 * gave it (at least one): a minibus of DEMO_SEATS seats, plates numbered in the district
 * ("川A·Z0101"), the crew led by a generated name. So the console's 转运 page can dispatch
 * the demo's first trips. A handful of rows; nothing random but the crews' names.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_city.h"
#include "demo/names.h"

#define DEMO_SEATS 7

static int district_fleet(demo_ctx *cx, int32_t d, int64_t vehicles, fk_err *err)
{
    const demo_place *dp = &cx->city->level[DEMO_DISTRICT][d];
    crew_rec crew;
    memset(&crew, 0, sizeof crew);
    snprintf(crew.name, sizeof crew.name, "%s转运一组", dp->name);
    demo_name_person(cx->names, cx->rng, demo_name_surname(cx->names, cx->rng), 'M', 1980,
                     crew.leader, sizeof crew.leader);
    snprintf(crew.phone, sizeof crew.phone, "1390%03d%04d", (int)d % 1000, 1);
    crew.members = 3;
    snprintf(crew.area_code, sizeof crew.area_code, "%s", dp->code);
    if (cx->st && store_crew_insert(cx->st, &crew, NULL, err) != 0)
        return -1;
    for (int64_t k = 0; k < vehicles; k++) {
        vehicle_rec v;
        memset(&v, 0, sizeof v);
        snprintf(v.plate, sizeof v.plate, "川A·Z%02d%02lld", (int)(d + 1) % 100, (long long)(k + 1) % 100);
        v.seats = DEMO_SEATS;
        snprintf(v.area_code, sizeof v.area_code, "%s", dp->code);
        if (cx->st && store_vehicle_insert(cx->st, &v, NULL, err) != 0)
            return -1;
        cx->sum->vehicles++;
    }
    cx->sum->crews++;
    return 0;
}

int demo__fleet(demo_ctx *cx, fk_err *err)
{
    const demo_city *c = cx->city;
    int rc = 0;
    for (size_t d = 0; d < c->n[DEMO_DISTRICT] && rc == 0; d++) {
        int64_t n = cx->sum->facilities / (int64_t)c->n[DEMO_DISTRICT];
        rc = district_fleet(cx, (int32_t)d, n > 0 ? n : 1, err);
    }
    return rc;
}
