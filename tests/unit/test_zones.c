/* test_zones.c - risk zones (model/zone.h, store_zones.h, migration 0018): local days at
 * their boundaries; the lifting dates and tests of every shipped scheme on hand-made
 * timelines (fengkong 14 days with the last contact and the round within 48 h; v9's
 * risk levels high > medium > low with the round on day 7; m20's 5 days with PCR on days
 * 1 and 3; x10's 5 days), new cases pushing dates out, a step refused a day early and
 * allowed on its day; over-reach by unit and by time; positive_inside_becomes; and on a
 * store: zone_persons (building, grid, community with and without household; proposed
 * zones hold nobody), one live zone per unit, status never back, no delete. */
#include "testutil.h"

#include <stdio.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "model/zone.h"
#include "policy/policy.h"
#include "store_fixture.h"
#include "trace/trace.h"

static int64_t D(const char *s)
{
    int64_t d;
    fk_err err;
    if (zone_day_parse(s, &d, "d", &err) != 0)
        fail_msg("%s", err.message);
    return d;
}

static void assert_day(int64_t day, const char *want)
{
    char got[11];
    zone_day_format(day, got);
    assert_string_equal(got, want);
}

static policy *load(const char *id)
{
    fk_err err;
    policy *p = policy_load_builtin(id, &err);
    if (!p)
        fail_msg("%s: %s", id, err.message);
    return p;
}

/* A shipped policy with one override {path, value (JSON text)}. */
static policy *load_with(const char *id, const char *opath, const char *value)
{
    policy *p = load(id);
    char *dir = test_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/o.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"overrides\": [{\"path\": \"%s\", \"value\": %s, "
            "\"source\": \"[?] test\"}]}", opath, value);
    fclose(f);
    fk_err err;
    if (policy_apply_overrides(p, path, &err) != 0)
        fail_msg("%s", err.message);
    unlink(path);
    test_rmdir(dir);
    free(dir);
    return p;
}

/* v9 with the national risk-level scheme instead of the demo's local fengkong one. */
static policy *load_v9_risk_level(void)
{
    return load_with("v9", "zones.scheme", "\"risk_level\"");
}

static void local_days_at_their_boundaries(void **state)
{
    (void)state;
    int64_t t;
    fk_err err;
    assert_int_equal(fk_instant_parse("2022-04-01T15:59:59Z", &t, "t", &err), 0);
    assert_day(zone_local_day(t, 8), "2022-04-01");       /* 23:59:59 in Chengdu */
    assert_day(zone_local_day(t + 1, 8), "2022-04-02");   /* midnight */
    assert_day(zone_local_day(t + 1, 0), "2022-04-01");
    assert_int_equal(fk_instant_parse("2022-04-01T04:00:00Z", &t, "t", &err), 0);
    assert_day(zone_local_day(t, -5), "2022-03-31");
    assert_day(zone_local_day(-1, 0), "1969-12-31");      /* floor, not truncation */
    assert_int_equal(D("2022-03-01") - D("2022-02-28"), 1);
    int64_t d;
    assert_int_equal(zone_day_parse("2022-02-30", &d, "start", &err), -1);
    assert_string_equal(err.field, "start");
}

static void every_policy_names_its_levels_publicly(void **state)
{
    (void)state;
    const char *ids[] = {"v8", "v9", "m20", "x10"};
    for (size_t i = 0; i < 4; i++) {
        policy *p = load(ids[i]);
        zone_level top, low;
        fk_err err;
        assert_int_equal(zone_level_by_rank(p, zone_top_rank(p), &top, &err), 0);
        assert_string_equal(top.public_level, "high");
        assert_int_equal(zone_level_by_rank(p, 1, &low, &err), 0);
        assert_string_equal(low.public_level, "low");
        assert_non_null(policy_source(p, "zones.schemes"));
        assert_int_equal(zone_level_get(p, "purple", &low, "level", &err), -1);
        assert_string_equal(err.field, "level");
        policy_free(p);
    }
}

static void fengkong_fourteen_days_last_contact_and_round(void **state)
{
    (void)state;
    policy *p = load("v9"); /* the demo's local block: fengkong */
    assert_string_equal(zone_scheme(p), "fengkong");
    int64_t rounds[] = {D("2022-04-14")};
    zone_timeline t = {.origin_level = "sealed", .level = "sealed",
                       .start_day = D("2022-04-01"), .last_case_day = D("2022-03-30")};
    zone_step s;
    fk_err err;
    assert_int_equal(zone_next_step(p, &t, D("2022-04-15"), &s, &err), 0);
    assert_true(s.any && s.lifts);
    assert_string_equal(s.to, "lifted");
    assert_day(s.day, "2022-04-15");                     /* start + 14 */
    assert_day(s.lift_day, "2022-04-15");
    assert_false(s.tests_met);                           /* no round within 48 h */
    assert_non_null(strstr(s.needs, "48"));
    assert_int_equal(zone_step_allowed(&s, D("2022-04-15"), &err), -1);
    assert_string_equal(err.field, "date");
    /* a round the day before: within 48 h of the 15th */
    t.negative_round_days = rounds;
    t.n_rounds = 1;
    assert_int_equal(zone_next_step(p, &t, D("2022-04-15"), &s, &err), 0);
    assert_true(s.tests_met);
    assert_int_equal(zone_step_allowed(&s, D("2022-04-15"), &err), 0);
    assert_int_equal(zone_step_allowed(&s, D("2022-04-14"), &err), -1); /* a day early */
    assert_non_null(strstr(err.message, "2022-04-15"));
    /* ... but 3 days later the same round is too old */
    assert_int_equal(zone_next_step(p, &t, D("2022-04-17"), &s, &err), 0);
    assert_false(s.tests_met);
    /* the last close contact's 14 days run later than the clean days */
    t.last_contact_day = D("2022-04-05");
    assert_int_equal(zone_next_step(p, &t, D("2022-04-19"), &s, &err), 0);
    assert_day(s.day, "2022-04-19");
    /* a new case inside on the 10th: 14 clean days from it */
    t.last_contact_day = 0;
    t.last_case_day = D("2022-04-10");
    assert_int_equal(zone_next_step(p, &t, D("2022-04-24"), &s, &err), 0);
    assert_day(s.day, "2022-04-24");
    /* controlled: the same rule; a positive inside proposes it sealed */
    t.origin_level = t.level = "controlled";
    assert_int_equal(zone_next_step(p, &t, D("2022-04-24"), &s, &err), 0);
    assert_day(s.day, "2022-04-24");
    assert_string_equal(zone_positive_inside_becomes(p, "controlled"), "sealed");
    assert_null(zone_positive_inside_becomes(p, "sealed"));
    /* precaution: lifted once nothing sealed or controlled is left in the county */
    t.origin_level = t.level = "precaution";
    t.county_open = true;
    assert_int_equal(zone_next_step(p, &t, D("2022-04-10"), &s, &err), 0);
    assert_true(s.lifts);
    assert_day(s.day, "2022-04-10");
    assert_false(s.tests_met);
    t.county_open = false;
    assert_int_equal(zone_next_step(p, &t, D("2022-04-10"), &s, &err), 0);
    assert_true(s.tests_met);
    /* days before onset for activity places: the sealed level's own 2 days */
    int64_t before;
    assert_int_equal(zone_days_before_onset(p, &before, &err), 0);
    assert_int_equal(before, 2);
    policy_free(p);
}

static void v9_high_to_medium_to_low(void **state)
{
    (void)state;
    policy *p = load_v9_risk_level();
    int64_t rounds[] = {D("2022-04-08")};
    zone_timeline t = {.origin_level = "high", .level = "high", .start_day = D("2022-04-01"),
                       .last_case_day = D("2022-04-01")};
    zone_step s;
    fk_err err;
    assert_int_equal(zone_next_step(p, &t, D("2022-04-08"), &s, &err), 0);
    assert_true(s.any);
    assert_false(s.lifts);
    assert_string_equal(s.to, "medium");
    assert_day(s.day, "2022-04-08");       /* 7 clean days */
    assert_day(s.lift_day, "2022-04-11");  /* then 3 more to low: the rest of the county */
    assert_false(s.tests_met);             /* the round of day 7 */
    t.negative_round_days = rounds;
    t.n_rounds = 1;
    assert_int_equal(zone_next_step(p, &t, D("2022-04-08"), &s, &err), 0);
    assert_true(s.tests_met);
    /* a round on day 6 is not the round of day 7 */
    rounds[0] = D("2022-04-07");
    assert_int_equal(zone_next_step(p, &t, D("2022-04-08"), &s, &err), 0);
    assert_false(s.tests_met);
    /* downgraded on the 8th: three clean days more to low, which lifts */
    t.level = "medium";
    t.step = 1;
    t.last_step_day = D("2022-04-08");
    assert_int_equal(zone_next_step(p, &t, D("2022-04-11"), &s, &err), 0);
    assert_true(s.lifts);
    assert_string_equal(s.to, "low");
    assert_day(s.day, "2022-04-11");
    assert_true(s.tests_met);
    /* a zone drawn medium from the start: 7 days and the round of day 7 */
    zone_timeline m = {.origin_level = "medium", .level = "medium",
                       .start_day = D("2022-04-01"), .last_case_day = D("2022-04-03")};
    assert_int_equal(zone_next_step(p, &m, D("2022-04-10"), &s, &err), 0);
    assert_true(s.lifts);
    assert_day(s.day, "2022-04-10");
    /* low has no step */
    zone_timeline l = {.origin_level = "low", .level = "low", .start_day = D("2022-04-01")};
    assert_int_equal(zone_next_step(p, &l, D("2022-04-10"), &s, &err), 0);
    assert_false(s.any);
    assert_int_equal(zone_step_allowed(&s, D("2022-04-10"), &err), -1);
    policy_free(p);
}

static void m20_and_x10_five_days(void **state)
{
    (void)state;
    policy *p = load("m20");
    int64_t rounds[] = {D("2022-11-12"), D("2022-11-14"), D("2022-11-16")};
    zone_timeline t = {.origin_level = "high", .level = "high", .start_day = D("2022-11-11"),
                       .last_case_day = D("2022-11-11"), .negative_round_days = rounds,
                       .n_rounds = 2};
    zone_step s;
    fk_err err;
    assert_int_equal(zone_next_step(p, &t, D("2022-11-16"), &s, &err), 0);
    assert_true(s.lifts);
    assert_day(s.day, "2022-11-16");
    assert_false(s.tests_met); /* PCR days 1 and 3 done, the round within 24 h missing */
    t.n_rounds = 3;
    assert_int_equal(zone_next_step(p, &t, D("2022-11-16"), &s, &err), 0);
    assert_true(s.tests_met);
    assert_int_equal(zone_step_allowed(&s, D("2022-11-16"), &err), 0);
    rounds[0] = D("2022-11-13"); /* no PCR on day 1 */
    assert_int_equal(zone_next_step(p, &t, D("2022-11-16"), &s, &err), 0);
    assert_false(s.tests_met);
    assert_non_null(strstr(s.needs, "第 1 天"));
    policy_free(p);
    p = load("x10");
    zone_timeline x = {.origin_level = "high", .level = "high", .start_day = D("2022-12-07"),
                       .last_case_day = D("2022-12-09")};
    assert_int_equal(zone_next_step(p, &x, D("2022-12-14"), &s, &err), 0);
    assert_day(s.day, "2022-12-14");
    assert_true(s.tests_met && s.lifts);
    policy_free(p);
}

static void overreach_by_unit_and_by_time(void **state)
{
    (void)state;
    policy *p = load("v9");
    assert_false(zone_unit_too_large(p, "sealed", "building"));
    assert_false(zone_unit_too_large(p, "sealed", "grid"));     /* the compound */
    assert_true(zone_unit_too_large(p, "sealed", "community"));
    assert_false(zone_unit_too_large(p, "controlled", "community"));
    assert_true(zone_unit_too_large(p, "controlled", "street"));
    assert_false(zone_unit_too_large(p, "precaution", "district"));
    const char *kinds[] = {"building", "grid", "community", "street", "district"};
    assert_string_equal(zone_unit_allowed(p, "sealed", kinds, 5), "grid");
    assert_string_equal(zone_unit_allowed(p, "controlled", kinds, 5), "community");
    zone_step s = {.any = true, .lifts = true, .day = D("2022-04-15"), .tests_met = true};
    assert_int_equal(zone_overreach(p, "sealed", "grid", true, &s, D("2022-04-15")), 0);
    assert_int_equal(zone_overreach(p, "sealed", "grid", true, &s, D("2022-04-16")),
                     ZONE_FLAG_KEPT);
    assert_int_equal(zone_overreach(p, "sealed", "grid", false, &s, D("2022-04-16")), 0);
    s.tests_met = false; /* waiting for the round is not over-reach */
    assert_int_equal(zone_overreach(p, "sealed", "grid", true, &s, D("2022-04-16")), 0);
    assert_int_equal(zone_overreach(p, "sealed", "street", false, &s, D("2022-04-16")),
                     ZONE_FLAG_UNIT);
    policy_free(p);
    p = load("m20"); /* 高风险区以楼栋、单元为单位 */
    assert_true(zone_unit_too_large(p, "high", "grid"));
    assert_string_equal(zone_unit_allowed(p, "high", kinds, 5), "building");
    policy_free(p);
    p = load_with("v9", "zones.overreach_warnings", "false"); /* warnings off: no flags */
    assert_int_equal(zone_overreach(p, "sealed", "street", false, &s, D("2022-04-16")), 0);
    policy_free(p);
    assert_string_equal(zone_policy_unit("district"), "county");
    assert_string_equal(zone_policy_unit("grid"), "compound");
    assert_true(zone_status_known("lifted") && !zone_status_known("gone"));
}

/* Risk areas are to be published within zones.publish_within_h (5 h) of the proposal:
 * exactly 5 h is in time, a second more is late, whether published or still waiting;
 * the flag is laxity, so over-reach warnings switched off do not silence it. */
static void publishing_late_is_flagged(void **state)
{
    (void)state;
    policy *p = load("v9");
    const int64_t at = 1650000000, h5 = 5 * 3600;
    assert_int_equal(zone_publish_lateness(p, at, at + h5, at + 99 * h5), 0);
    assert_int_equal(zone_publish_lateness(p, at, at + h5 + 1, at + h5 + 1), ZONE_FLAG_LATE);
    assert_int_equal(zone_publish_lateness(p, at, 0, at + h5), 0);
    assert_int_equal(zone_publish_lateness(p, at, 0, at + h5 + 1), ZONE_FLAG_LATE);
    policy_free(p);
    p = load_with("v9", "zones.overreach_warnings", "false");
    assert_int_equal(zone_publish_lateness(p, at, 0, at + h5 + 1), ZONE_FLAG_LATE);
    policy_free(p);
    p = load_with("v9", "zones.publish_within_h", "2");
    assert_int_equal(zone_publish_lateness(p, at, at + 3 * 3600, 0), ZONE_FLAG_LATE);
    assert_int_equal(zone_publish_lateness(p, at, at + 2 * 3600, 0), 0);
    policy_free(p);
}

static int collect(const char *place, void *ctx)
{
    char *out = ctx;
    strcat(out, place);
    strcat(out, ";");
    return 0;
}

static void a_subjects_venues_in_a_window(void **state)
{
    (void)state;
    const trace_stay stays[] = {
        {"13800000001", "V-MARKET", 1000, 2000, "checkins"},
        {"13800000001", "V-SCHOOL", 5000, 6000, "interview"},
        {"13800000001", "V-MARKET", 7000, 8000, "checkins"},
        {"13800000001", "GRID-7", 1000, 9000, NULL},   /* a cell, not a venue */
        {"13800000002", "V-GYM", 1000, 9000, "checkins"},
    };
    fk_err err;
    trace_index *ix = trace_index_build(stays, 5, &err);
    assert_non_null(ix);
    char got[256] = "";
    assert_int_equal(trace_subject_venues(ix, "13800000001", 0, 10000, collect, got), 0);
    assert_string_equal(got, "V-MARKET;V-SCHOOL;");
    got[0] = '\0'; /* [2000, 5000): touches both ends, overlaps neither */
    assert_int_equal(trace_subject_venues(ix, "13800000001", 2000, 5000, collect, got), 0);
    assert_string_equal(got, "");
    got[0] = '\0';
    assert_int_equal(trace_subject_venues(ix, "13800000001", 5999, 7001, collect, got), 0);
    assert_string_equal(got, "V-MARKET;V-SCHOOL;");
    got[0] = '\0';
    assert_int_equal(trace_subject_venues(ix, "nobody", 0, 10000, collect, got), 0);
    assert_string_equal(got, "");
    trace_index_free(ix);
}

/* ---- on a store ------------------------------------------------------------------------ */

static int64_t add_building(store *st, const char *grid, const char *name)
{
    area g = {0};
    fk_err err;
    if (store_area_get(st, grid, &g, &err) != 0) {
        snprintf(g.code, sizeof g.code, "%s", grid);
        snprintf(g.parent_code, sizeof g.parent_code, "510104001001");
        snprintf(g.level, sizeof g.level, "grid");
        snprintf(g.name, sizeof g.name, "网格%s", grid + 12);
        assert_int_equal(store_area_insert(st, &g, &err), 0);
    }
    building b = {0};
    snprintf(b.grid_code, sizeof b.grid_code, "%s", grid);
    snprintf(b.name, sizeof b.name, "%s", name);
    assert_int_equal(store_building_insert(st, &b, &err), 0);
    return b.id;
}

static int64_t add_resident(store *st, int64_t building_id, int i)
{
    household h = {0};
    fk_err err;
    h.building_id = building_id;
    snprintf(h.room, sizeof h.room, "%d01", i);
    assert_int_equal(store_household_insert(st, &h, &err), 0);
    person p = fixture_person("ZN", i);
    p.household_id = h.id;
    snprintf(p.resident_type, sizeof p.resident_type, "resident");
    return fixture_person_insert(st, &p);
}

static zone_rec new_zone(const char *kind, const char *code, int64_t building_id)
{
    zone_rec z = {0};
    snprintf(z.scheme, sizeof z.scheme, "fengkong");
    snprintf(z.level, sizeof z.level, "sealed");
    snprintf(z.origin_level, sizeof z.origin_level, "sealed");
    snprintf(z.unit_kind, sizeof z.unit_kind, "%s", kind);
    snprintf(z.area_code, sizeof z.area_code, "%s", code);
    z.building_id = building_id;
    snprintf(z.name, sizeof z.name, "zone %s", kind);
    snprintf(z.status, sizeof z.status, "proposed");
    snprintf(z.rule, sizeof z.rule, "residence");
    snprintf(z.policy_version, sizeof z.policy_version, "v9");
    snprintf(z.start_date, sizeof z.start_date, "2022-04-01");
    snprintf(z.last_case_date, sizeof z.last_case_date, "2022-04-01");
    snprintf(z.created_by, sizeof z.created_by, "t");
    z.created_at = z.updated_at = 1648771200;
    return z;
}

static void publish(store *st, zone_rec *z)
{
    fk_err err;
    snprintf(z->status, sizeof z->status, "published");
    z->published_at = 1648771200;
    snprintf(z->published_by, sizeof z->published_by, "t");
    assert_int_equal(store_zone_update(st, z, &err), 0);
}

static void ids_equal(store *st, int64_t zone_id, const int64_t *want, size_t n)
{
    int64_t *ids;
    size_t got;
    fk_err err;
    assert_int_equal(store_zone_person_ids(st, zone_id, &ids, &got, &err), 0);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ids[i], want[i]);
    free(ids);
}

static void zone_persons_follows_the_residence(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    int64_t b1 = add_building(st, "510104001001001", "1栋");
    int64_t b2 = add_building(st, "510104001001001", "2栋");
    int64_t b3 = add_building(st, "510104001001002", "3栋");
    int64_t p1 = add_resident(st, b1, 1), p2 = add_resident(st, b2, 2);
    int64_t p3 = add_resident(st, b3, 3);
    person nr = fixture_person("ZN", 9); /* no household: the community counts */
    int64_t p4 = fixture_person_insert(st, &nr);

    zone_rec zb = new_zone("building", "510104001001001", b1);
    zone_rec zg = new_zone("grid", "510104001001001", 0);
    zone_rec zc = new_zone("community", "510104001001", 0);
    assert_int_equal(store_zone_insert(st, &zb, &err), 0);
    assert_int_equal(store_zone_insert(st, &zg, &err), 0);
    assert_int_equal(store_zone_insert(st, &zc, &err), 0);
    int64_t residents;
    assert_int_equal(store_zone_residents(st, zg.id, &residents, &err), 0);
    assert_int_equal(residents, 2);
    ids_equal(st, zg.id, NULL, 0); /* proposed: nobody inside yet */
    publish(st, &zb);
    publish(st, &zg);
    publish(st, &zc);
    ids_equal(st, zb.id, (int64_t[]){p1}, 1);
    ids_equal(st, zg.id, (int64_t[]){p1, p2}, 2);
    ids_equal(st, zc.id, (int64_t[]){p1, p2, p3, p4}, 4);
    /* one live zone per unit */
    zone_rec again = new_zone("grid", "510104001001001", 0);
    assert_int_equal(store_zone_insert(st, &again, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "unit");
    zone_rec live;
    assert_int_equal(store_zone_live_at(st, "grid", "510104001001001", 0, &live, &err), 1);
    assert_int_equal(live.id, zg.id);
    /* lifted: nobody inside, and never back */
    snprintf(zg.status, sizeof zg.status, "lifted");
    zg.lifted_at = 1649980800;
    snprintf(zg.lifted_by, sizeof zg.lifted_by, "t");
    assert_int_equal(store_zone_update(st, &zg, &err), 0);
    ids_equal(st, zg.id, NULL, 0);
    snprintf(zg.status, sizeof zg.status, "published");
    zg.lifted_at = 0;
    zg.lifted_by[0] = '\0';
    assert_int_equal(store_zone_update(st, &zg, &err), -1);
    assert_int_equal(store_zone_get(st, zg.id, &live, &err), 0);
    assert_string_equal(live.status, "lifted");
    /* a case added twice is one case */
    int added;
    epicase c = {0};
    c.person_id = p1;
    snprintf(c.classification, sizeof c.classification, "confirmed");
    snprintf(c.severity, sizeof c.severity, "mild");
    snprintf(c.sampling_date, sizeof c.sampling_date, "2022-04-01");
    snprintf(c.source, sizeof c.source, "fever_clinic");
    c.reported_at = 1648771200;
    assert_int_equal(store_case_insert(st, &c, NULL, &err), 0);
    assert_int_equal(store_zone_case_add(st, zb.id, c.id, "residence", 1, &added, &err), 0);
    assert_int_equal(added, 1);
    assert_int_equal(store_zone_case_add(st, zb.id, c.id, "residence", 2, &added, &err), 0);
    assert_int_equal(added, 0);
    zone_list l;
    zone_filter fl = {.case_id = c.id, .limit = 10};
    assert_int_equal(store_zone_list(st, &fl, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].n_cases, 1);
    zone_list_free(&l);
    int64_t holding[4];
    size_t nh;
    assert_int_equal(store_zones_holding_case(st, c.id, holding, 4, &nh, &err), 0);
    assert_int_equal(nh, 2); /* the building and the community; the grid is lifted */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(local_days_at_their_boundaries),
        cmocka_unit_test(every_policy_names_its_levels_publicly),
        cmocka_unit_test(fengkong_fourteen_days_last_contact_and_round),
        cmocka_unit_test(v9_high_to_medium_to_low),
        cmocka_unit_test(m20_and_x10_five_days),
        cmocka_unit_test(overreach_by_unit_and_by_time),
        cmocka_unit_test(publishing_late_is_flagged),
        cmocka_unit_test(a_subjects_venues_in_a_window),
        cmocka_unit_test_setup_teardown(zone_persons_follows_the_residence,
                                        store_fixture_setup_areas, store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
