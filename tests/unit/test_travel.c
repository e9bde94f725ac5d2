/* test_travel.c - traveler screening (model/travel.h, services/travel.h, migration 0019):
 * the row checks, the place and tier rules, the window's edges to the second, the
 * policy's rules in every version, and on a store: versions and the current rows, an
 * arrival matched into one traveler lead of the level's measure and the destination
 * community, no second lead when matched again, a stricter level found later making its
 * own, the contract view traveler_pending, and the lead's closing taking the person out. */
#include "testutil.h"

#include <sqlite3.h>

#include "base/timeutil.h"
#include "model/travel.h"
#include "services/leads.h"
#include "services/travel.h"
#include "store_fixture.h"

#define DAY 86400

static risk_area_rec row(int64_t id, const char *code, const char *area, const char *level,
                         const char *from, const char *to)
{
    risk_area_rec r = {.id = id};
    snprintf(r.region_code, sizeof r.region_code, "%s", code);
    snprintf(r.area_name, sizeof r.area_name, "%s", area);
    snprintf(r.level, sizeof r.level, "%s", level);
    snprintf(r.valid_from, sizeof r.valid_from, "%s", from);
    snprintf(r.valid_to, sizeof r.valid_to, "%s", to);
    return r;
}

static travel_stay stay(const char *code, const char *area, int64_t from, int64_t to)
{
    travel_stay s = {.from = from, .to = to};
    snprintf(s.region_code, sizeof s.region_code, "%s", code);
    snprintf(s.area_name, sizeof s.area_name, "%s", area);
    return s;
}

static void rows_are_checked_field_by_field(void **state)
{
    (void)state;
    fk_err err;
    risk_area_rec good = row(0, "420106", "甲小区", "high", "2022-04-01", "");
    assert_int_equal(travel_risk_row_check(&good, &err), 0);
    struct { risk_area_rec r; const char *field; } bad[] = {
        {row(0, "42010", "", "high", "2022-04-01", ""), "region_code"},
        {row(0, "4201061234567", "", "high", "2022-04-01", ""), "region_code"},
        {row(0, "42010a", "", "high", "2022-04-01", ""), "region_code"},
        {row(0, "420106", "", "severe", "2022-04-01", ""), "level"},
        {row(0, "420106", "", "low", "2022-04-31", ""), "from"},
        {row(0, "420106", "", "low", "2022-04-01", "2022-13-01"), "to"},
        {row(0, "420106", "", "low", "2022-04-02", "2022-04-01"), "to"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(travel_risk_row_check(&bad[i].r, &err), -1);
        assert_string_equal(err.field, bad[i].field);
    }
    risk_area_rec one_day = row(0, "420106", "", "low", "2022-04-01", "2022-04-01");
    assert_int_equal(travel_risk_row_check(&one_day, &err), 0);
    assert_int_equal(travel_level_index("medium"), TRAVEL_MEDIUM);
    assert_int_equal(travel_level_index("x"), -1);
    assert_string_equal(travel_level_cohort(TRAVEL_LOW), "low_risk_area_county");
}

static void days_are_local_and_inclusive(void **state)
{
    (void)state;
    int64_t from, to, t;
    fk_err err;
    risk_area_rec r = row(0, "420106", "", "high", "2022-04-01", "2022-04-02");
    travel_row_span(&r, 8, &from, &to);
    /* 2022-04-01T00:00+08:00 = 2022-03-31T16:00Z; the end is the start of 04-03 local */
    assert_int_equal(from, 1648742400);
    assert_int_equal(to, 1648742400 + 2 * DAY);
    r.valid_to[0] = '\0';
    travel_row_span(&r, 8, &from, &to);
    assert_int_equal(to, INT64_MAX);
    assert_int_equal(travel_parse_time("2022-04-01", false, 8, &t, "from", &err), 0);
    assert_int_equal(t, 1648742400);
    assert_int_equal(travel_parse_time("2022-04-01", true, 8, &t, "to", &err), 0);
    assert_int_equal(t, 1648742400 + DAY - 1);
    assert_int_equal(travel_parse_time("2022-04-01T10:00:00+08:00", true, 8, &t, "to", &err), 0);
    assert_int_equal(t, 1648778400);
    assert_int_equal(travel_parse_time("2022-02-30", false, 8, &t, "from", &err), -1);
    assert_string_equal(err.field, "from");
}

static void places_match_by_code_and_name(void **state)
{
    (void)state;
    risk_area_rec named = row(0, "420106", "甲小区", "high", "2022-04-01", "");
    risk_area_rec coded = row(0, "420106001", "", "high", "2022-04-01", "");
    risk_area_rec county = row(0, "420106", "", "medium", "2022-04-01", "");
    travel_stay in_named = stay("420106", "甲小区", 0, 0), other = stay("420106", "乙小区", 0, 0);
    travel_stay in_street = stay("420106001002", "", 0, 0), bare = stay("420106", "", 0, 0);
    assert_true(travel_place_matches(&named, &in_named));
    assert_false(travel_place_matches(&named, &other));
    assert_false(travel_place_matches(&named, &bare));     /* a county alone is not the area */
    assert_true(travel_place_matches(&coded, &in_street));
    assert_false(travel_place_matches(&coded, &bare));
    assert_true(travel_place_matches(&county, &other));    /* a row naming no area: the county */
    assert_false(travel_place_matches(&named, &(travel_stay){.region_code = "420107"}));
}

static const travel_rules v9_rules = {.applies = {true, true, true},
                                      .lookback_days = {7, 7, 7}, .utc_offset_h = 8};

static void the_window_edges_to_the_second(void **state)
{
    (void)state;
    travel_match m;
    /* in force from 2022-04-01 local; arrival 2022-04-20T12:00+08:00 */
    risk_area_rec rows[] = {row(7, "420106", "甲小区", "high", "2022-04-01", "")};
    int64_t arrived = 1650427200;
    travel_stay s = stay("420106", "甲小区", arrived - 10 * DAY, arrived - 7 * DAY);
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, rows, 1, &m), 1);
    assert_int_equal(m.level, TRAVEL_HIGH);
    assert_int_equal(m.risk_area_id, 7);
    s.to = arrived - 7 * DAY - 1;
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, rows, 1, &m), 0);
    /* a stay that begins after the arrival is not before it */
    s = stay("420106", "甲小区", arrived + 1, arrived + DAY);
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, rows, 1, &m), 0);
    /* the row must be in force in the part of the stay inside the window */
    risk_area_rec ended[] = {row(8, "420106", "甲小区", "high", "2022-04-01", "2022-04-05")};
    s = stay("420106", "甲小区", arrived - 30 * DAY, arrived);
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, ended, 1, &m), 0);
    /* ...to its last local second: 04-13 in force through 04-13T23:59:59+08:00 */
    risk_area_rec edge[] = {row(9, "420106", "甲小区", "high", "2022-04-01", "2022-04-13")};
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, edge, 1, &m), 1);
}

static void the_strictest_tier_wins(void **state)
{
    (void)state;
    travel_match m;
    int64_t arrived = 1650427200;
    risk_area_rec rows[] = {row(1, "420106", "甲小区", "medium", "2022-04-01", ""),
                            row(2, "420106001", "", "high", "2022-04-01", ""),
                            row(3, "310115", "", "low", "2022-04-01", "")};
    travel_stay s = stay("420106", "甲小区", 0, arrived);
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, rows, 3, &m), 1);
    assert_int_equal(m.level, TRAVEL_MEDIUM);
    s = stay("420106001009", "甲小区", 0, arrived);
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, rows, 3, &m), 1);
    assert_int_equal(m.level, TRAVEL_HIGH);
    /* the county's low tier: no row of its own */
    s = stay("420106", "丙村", 0, arrived);
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, rows, 3, &m), 1);
    assert_int_equal(m.level, TRAVEL_LOW);
    assert_int_equal(m.risk_area_id, 0);
    s = stay("110105", "", 0, arrived);
    assert_int_equal(travel_match_stay(&v9_rules, &s, arrived, rows, 3, &m), 0);
    /* m20: no medium tier: the medium area's stay is its county's low tier, which m20
     * does not screen at arrival; with the low tier on it is low */
    travel_rules m20 = {.applies = {true, false, false}, .lookback_days = {7, 0, 0}, .utc_offset_h = 8};
    s = stay("420106", "甲小区", 0, arrived);
    assert_int_equal(travel_match_stay(&m20, &s, arrived, rows, 3, &m), 0);
    m20.applies[TRAVEL_LOW] = true;
    m20.lookback_days[TRAVEL_LOW] = 7;
    assert_int_equal(travel_match_stay(&m20, &s, arrived, rows, 3, &m), 1);
    assert_int_equal(m.level, TRAVEL_LOW);
}

static void every_policy_gives_its_tiers(void **state)
{
    (void)state;
    struct { const char *id; bool applies[3]; int days[3]; } want[] = {
        {"v8", {false, false, false}, {0, 0, 0}},
        {"v9", {true, true, true}, {7, 7, 7}},
        {"m20", {true, false, false}, {7, 0, 0}},   /* low: nothing required on arrival */
        {"x10", {false, false, false}, {0, 0, 0}},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        fk_err err;
        travel_rules r;
        policy *p = policy_load_builtin(want[i].id, &err);
        assert_non_null(p);
        assert_int_equal(travel_rules_from_policy(p, &r, &err), 0);
        for (int lv = 0; lv < TRAVEL_LEVELS; lv++) {
            assert_int_equal(r.applies[lv], want[i].applies[lv]);
            assert_int_equal(r.lookback_days[lv], want[i].days[lv]);
        }
        assert_int_equal(r.utc_offset_h, 8);
        policy_free(p);
    }
}

static int64_t pending_count(fixture *f, const char *where)
{
    char path[600], sql[256];
    sqlite3 *db;
    sqlite3_stmt *q;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM traveler_pending WHERE %s", where);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

static void publish(store *st, const policy *pol, const actor *a, const char *source,
                    risk_area_rec *rows, size_t n, size_t *made)
{
    fk_err err;
    risk_list_rec l = {0};
    snprintf(l.source, sizeof l.source, "%s", source);
    memset(l.digest, 'a', 64);
    if (travel_list_publish(st, pol, a, &l, rows, n, made, &err) != 0)
        fail_msg("publish: %s", err.message);
}

static void arrivals_become_one_lead_each(void **state)
{
    fixture *f = *state;
    fk_err err;
    actor a;
    size_t made;
    actor_cli(&a);
    policy *pol = policy_load_builtin("v9", &err);
    assert_non_null(pol);
    char today[11], ago[11];
    fk_date_of(fk_now() + 8 * 3600, today);
    fk_date_of(fk_now() + 8 * 3600 - 10 * DAY, ago);
    risk_area_rec v1[] = {row(0, "420106", "甲小区", "medium", ago, "")};
    publish(f->st, pol, &a, "湖北省", v1, 1, &made);
    assert_int_equal(made, 0);
    person p = fixture_person("T", 1);
    fixture_person_insert(f->st, &p);

    arrival_rec r = {.person_id = p.id};
    travel_leads got;
    snprintf(r.place_kind, sizeof r.place_kind, "airport");
    snprintf(r.from_region, sizeof r.from_region, "420106");
    snprintf(r.from_area, sizeof r.from_area, "甲小区");
    assert_int_equal(travel_arrival_register(f->st, pol, &a, &r, NULL, &got, &err), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.level[0], "medium");
    assert_string_equal(got.measure[0], "home_isolation");
    assert_string_equal(got.test_days[0], "1,4,7");
    lead_rec l;
    assert_int_equal(store_lead_get(f->st, got.ids[0], &l, &err), 0);
    assert_string_equal(l.kind, "traveler");
    assert_string_equal(l.area_code, "510104001001");
    assert_int_equal(l.deadlines[LEAD_STEP_FOUND] - l.pushed_at, 2 * 3600);
    assert_int_equal(pending_count(f, "level = 'medium'"), 1);

    /* the same list again, and another version of it: nothing new */
    publish(f->st, pol, &a, "湖北省", v1, 1, &made);
    assert_int_equal(made, 0);
    /* the area raised to high in a new version: a stricter lead of its own */
    risk_area_rec v2[] = {row(0, "420106", "甲小区", "high", ago, "")};
    publish(f->st, pol, &a, "湖北省", v2, 1, &made);
    assert_int_equal(made, 1);
    publish(f->st, pol, &a, "湖北省", v2, 1, &made);
    assert_int_equal(made, 0);
    assert_int_equal(pending_count(f, "1"), 2);
    risk_list_list ls;
    assert_int_equal(store_risk_lists(f->st, &ls, &err), 0);
    assert_int_equal(ls.n, 4);
    assert_true(ls.items[0].current);
    assert_false(ls.items[1].current);
    risk_list_list_free(&ls);
    risk_area_list cur;
    assert_int_equal(store_risk_areas_current(f->st, &cur, &err), 0);
    assert_int_equal(cur.n, 1);
    assert_string_equal(cur.items[0].level, "high");
    risk_area_list_free(&cur);

    /* an empty version lifts the source: a new arrival from there is no lead */
    publish(f->st, pol, &a, "湖北省", NULL, 0, &made);
    arrival_rec r2 = r;
    r2.id = 0;
    r2.arrived_at = 0;
    assert_int_equal(travel_arrival_register(f->st, pol, &a, &r2, NULL, &got, &err), 0);
    assert_int_equal(got.n, 0);

    /* closing the high lead: the person stays pending for the medium one only */
    arrival_list al;
    arrival_filter af = {.matched = 1, .limit = 10};
    assert_int_equal(store_arrival_list(f->st, &af, &al, &err), 0);
    assert_int_equal(al.total, 1);
    assert_string_equal(al.items[0].level, "high");
    int64_t high = al.items[0].lead_id;
    arrival_list_free(&al);
    const char *path[] = {"received", "found", "controlled", "closed"};
    for (size_t i = 0; i < 4; i++) {
        lead_change c = {.state = path[i], .measure_taken = i == 2 ? "transferred_central" : NULL};
        if (leads_change(f->st, &a, high, &c, &l, &err) != 0)
            fail_msg("%s: %s", path[i], err.message);
    }
    assert_int_equal(pending_count(f, "level = 'high'"), 0);
    assert_int_equal(pending_count(f, "level = 'medium'"), 1);
    policy_free(pol);
}

static void refusals_change_nothing(void **state)
{
    fixture *f = *state;
    fk_err err;
    actor a;
    travel_leads got;
    actor_cli(&a);
    policy *pol = policy_load_builtin("v9", &err);
    person p = fixture_person("T", 2);
    fixture_person_insert(f->st, &p);
    struct { arrival_rec r; const char *field; } bad[] = {
        {{.person_id = p.id, .place_kind = "boat", .from_region = "420106"}, "place_kind"},
        {{.person_id = p.id, .place_kind = "port", .from_region = "4201"}, "from_region"},
        {{.person_id = 999, .place_kind = "port", .from_region = "420106"}, "person_id"},
        {{.person_id = p.id, .place_kind = "port", .from_region = "420106",
          .community_code = "999999"}, "community_code"},
        {{.person_id = p.id, .place_kind = "port", .from_region = "420106",
          .arrived_at = INT64_C(4102444800)}, "arrived_at"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(travel_arrival_register(f->st, pol, &a, &bad[i].r, NULL, &got, &err), -1);
        assert_string_equal(err.field, bad[i].field);
    }
    actor viewer = a;
    snprintf(viewer.role, sizeof viewer.role, "viewer");
    arrival_rec ok = {.person_id = p.id, .place_kind = "port", .from_region = "420106"};
    assert_int_equal(travel_arrival_register(f->st, pol, &viewer, &ok, NULL, &got, &err), -1);
    assert_int_equal(err.code, FK_EFORBIDDEN);
    arrival_list al;
    arrival_filter af = {.limit = 10};
    assert_int_equal(store_arrival_list(f->st, &af, &al, &err), 0);
    assert_int_equal(al.total, 0);
    arrival_list_free(&al);
    policy_free(pol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_are_checked_field_by_field),
        cmocka_unit_test(days_are_local_and_inclusive),
        cmocka_unit_test(places_match_by_code_and_name),
        cmocka_unit_test(the_window_edges_to_the_second),
        cmocka_unit_test(the_strictest_tier_wins),
        cmocka_unit_test(every_policy_gives_its_tiers),
        cmocka_unit_test_setup_teardown(arrivals_become_one_lead_each, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(refusals_change_nothing, store_fixture_setup_areas,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
