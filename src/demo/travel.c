/*
 * travel.c - the demo's traveler screening (外防输入): a published risk-area list of two
 * other regions and a dozen arrivals at the city's first station, registered through
 * services/travel.h as a checkpoint would, so that on `make run` some travelers from a
 * risk area are leads of their communities.
 *
 * Fictional but plausible: 湖北省 (武昌区 420106: one compound high, one medium; the
 * rest of the county its low tier) and 上海市 (浦东新区 310115: a street 310115001 high),
 * each area in force from ten local days before today; arrivals spread over the last two
 * days, three from a high area, three from a medium one, three from the affected county's
 * low tier, three from an unaffected region (no lead). Persons are every k-th registered
 * person (ids are 1..N in a fresh demo store); their destination is their community.
 * Runs after the city is written, as the platform itself ("system", demo); the times are
 * the real clock's, since screening windows count back from now.
 */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "demo/demo.h"
#include "services/travel.h"

#define DAY 86400

typedef struct demo_arrival {
    const char *region, *area, *place_kind;
} demo_arrival;

static const demo_arrival arrivals[] = {
    {"420106", "中南花园", "station"}, {"310115001", "", "airport"},
    {"420106", "中南花园", "highway"}, {"420106", "水果湖小区", "station"},
    {"420106", "水果湖小区", "airport"}, {"420106", "水果湖小区", "station"},
    {"420106", "", "station"}, {"420106", "首义小区", "highway"}, {"420106", "", "airport"},
    {"110105", "", "station"}, {"440305", "", "airport"}, {"330106", "", "highway"},
};

static int publish(store *st, const policy *pol, const actor *a, demo_travel_summary *out,
                   fk_err *err)
{
    char from[11];
    fk_date_of(fk_now() + 8 * 3600 - 10 * DAY, from);
    risk_area_rec hubei[2] = {{.level = "high"}, {.level = "medium"}};
    risk_area_rec shanghai[1] = {{.level = "high"}};
    snprintf(hubei[0].region_code, sizeof hubei[0].region_code, "420106");
    snprintf(hubei[0].area_name, sizeof hubei[0].area_name, "中南花园");
    snprintf(hubei[1].region_code, sizeof hubei[1].region_code, "420106");
    snprintf(hubei[1].area_name, sizeof hubei[1].area_name, "水果湖小区");
    snprintf(shanghai[0].region_code, sizeof shanghai[0].region_code, "310115001");
    for (int i = 0; i < 2; i++)
        memcpy(hubei[i].valid_from, from, sizeof from);
    memcpy(shanghai[0].valid_from, from, sizeof from);
    risk_list_rec l1 = {.source = "湖北省卫生健康委员会"};
    risk_list_rec l2 = {.source = "上海市卫生健康委员会"};
    size_t made;
    /* a fixed digest: the demo's lists come from no file */
    memset(l1.digest, '0', 64);
    memset(l2.digest, '0', 64);
    if (travel_list_publish(st, pol, a, &l1, hubei, 2, &made, err) != 0 ||
        travel_list_publish(st, pol, a, &l2, shanghai, 1, &made, err) != 0)
        return -1;
    out->lists = 2;
    return 0;
}

int demo_travel(store *st, const policy *pol, int64_t persons, demo_travel_summary *out,
                fk_err *err)
{
    actor a;
    size_t n = sizeof arrivals / sizeof arrivals[0];
    memset(out, 0, sizeof *out);
    actor_system(&a, "demo");
    if (persons < (int64_t)n)
        return 0;
    if (publish(st, pol, &a, out, err) != 0)
        return -1;
    int64_t step = persons / (int64_t)n, now = fk_now();
    for (size_t i = 0; i < n; i++) {
        arrival_rec r = {.person_id = 1 + (int64_t)i * step,
                         .arrived_at = now - (int64_t)(i + 1) * 4 * 3600};
        travel_leads made;
        snprintf(r.place_kind, sizeof r.place_kind, "%s", arrivals[i].place_kind);
        snprintf(r.place, sizeof r.place, "安澜%s", !strcmp(r.place_kind, "airport") ? "机场"
                 : !strcmp(r.place_kind, "station") ? "东站" : "高速东出口");
        snprintf(r.from_region, sizeof r.from_region, "%s", arrivals[i].region);
        snprintf(r.from_area, sizeof r.from_area, "%s", arrivals[i].area);
        memcpy(r.source, "demo", 5);
        if (travel_arrival_register(st, pol, &a, &r, NULL, &made, err) != 0)
            return -1;
        out->arrivals++;
        out->leads += (int64_t)made.n;
    }
    return 0;
}
