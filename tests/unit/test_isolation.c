/* test_isolation.c - isolation rules: schedules from the policy's phases on hand-made
 * dates (v9, m20, x10), the household sharing plan, the room state machine, the facility
 * choice by distance and free rooms, the store refusing a double booking on its own, and
 * the outlook freeing a room on the city's date, not UTC's. */
#include "testutil.h"

#include "base/timeutil.h"
#include "model/facility.h"
#include "model/isolation.h"
#include "policy/policy.h"
#include "services/actor.h"
#include "services/isolation.h"
#include "store/store.h"

static int64_t day(const char *date)
{
    int64_t d;
    assert_int_equal(isolation_day(date, "date", &d, NULL), 0);
    return d;
}

static void date_is(int64_t d, const char *want)
{
    char s[11];
    isolation_date(d, s);
    assert_string_equal(s, want);
}

static void schedule_v9(void **state)
{
    (void)state;
    fk_err err;
    policy *p = policy_load_builtin("v9", &err);
    assert_non_null(p);
    isolation_schedule s;
    assert_int_equal(isolation_schedule_of(p, "close_contact", 0, day("2022-05-30"), &s, &err), 0);
    assert_string_equal(s.kind, "central_isolation");
    assert_string_equal(s.anchor, "last_exposure");
    date_is(s.start, "2022-05-30");
    date_is(s.end, "2022-06-05");                       /* 7 days, across a month end */
    assert_int_equal(s.n_tests, 5);
    static const int days[] = {1, 2, 3, 5, 7};
    static const char *const due[] = {"2022-05-30", "2022-05-31", "2022-06-01", "2022-06-03",
                                      "2022-06-05"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(s.tests[i].day, days[i]);
        date_is(s.tests[i].due, due[i]);
        assert_string_equal(s.tests[i].test_kind, "pcr");
    }
    assert_string_equal(s.next_kind, "home_health_monitoring");
    date_is(s.next_end, "2022-06-08");                  /* then 3 days at home */
    /* secondary contacts: 7 days at home, tests 1, 4, 7 */
    assert_int_equal(isolation_schedule_of(p, "secondary_contact", 0, day("2022-02-27"), &s, &err), 0);
    assert_string_equal(s.kind, "home_isolation");
    date_is(s.end, "2022-03-05");
    assert_int_equal(s.n_tests, 3);
    date_is(s.tests[1].due, "2022-03-02");
    assert_string_equal(s.next_kind, "");
    /* home health monitoring is what a release leads into, not an isolation */
    assert_int_equal(isolation_schedule_of(p, "close_contact", 1, day("2022-05-30"), &s, &err), -1);
    assert_string_equal(err.field, "cohort");
    assert_int_equal(isolation_schedule_of(p, "low_risk_area_county", 0, day("2022-05-30"), &s, &err), -1);
    assert_int_equal(isolation_schedule_of(p, "nobody", 0, day("2022-05-30"), &s, &err), -1);
    assert_string_equal(err.field, "cohort");
    policy_free(p);
}

static void schedule_m20_x10(void **state)
{
    (void)state;
    fk_err err;
    isolation_schedule s;
    policy *m = policy_load_builtin("m20", &err);
    assert_non_null(m);
    /* 5 days central, then 3 days home isolation starting on day 6 */
    assert_int_equal(isolation_schedule_of(m, "close_contact", 0, day("2022-11-12"), &s, &err), 0);
    date_is(s.end, "2022-11-16");
    assert_string_equal(s.next_kind, "home_isolation");
    assert_int_equal(isolation_schedule_of(m, "close_contact", 1, day("2022-11-12"), &s, &err), 0);
    assert_string_equal(s.kind, "home_isolation");
    date_is(s.start, "2022-11-17");
    date_is(s.end, "2022-11-19");
    date_is(s.tests[0].due, "2022-11-17");
    date_is(s.tests[1].due, "2022-11-19");
    policy_free(m);
    policy *x = policy_load_builtin("x10", &err);
    assert_non_null(x);
    assert_int_equal(isolation_schedule_of(x, "close_contact", 0, day("2022-12-31"), &s, &err), 0);
    assert_string_equal(s.kind, "home_isolation");
    date_is(s.end, "2023-01-04");                       /* across a year end */
    assert_int_equal(s.n_tests, 1);
    assert_int_equal(s.tests[0].day, 5);
    date_is(s.tests[0].due, "2023-01-04");
    assert_string_equal(s.next_kind, "");
    /* x10 identifies no secondary contacts */
    assert_int_equal(isolation_schedule_of(x, "secondary_contact", 0, day("2022-12-31"), &s, &err), -1);
    assert_string_equal(err.field, "cohort");
    /* inbound travelers count from the day of entry */
    assert_int_equal(isolation_schedule_of(x, "inbound", 0, day("2022-12-31"), &s, &err), 0);
    assert_string_equal(s.anchor, "entry");
    policy_free(x);
}

static sharing_rule rule_of(const char *id)
{
    fk_err err;
    policy *p = policy_load_builtin(id, &err);
    int64_t v[4];
    bool allowed;
    assert_non_null(p);
    assert_int_equal(policy_get_bool(p, "isolation.sharing.allowed", &allowed, &err), 0);
    assert_int_equal(policy_get_int(p, "isolation.sharing.child_max_age", &v[0], &err), 0);
    assert_int_equal(policy_get_int(p, "isolation.sharing.elderly_min_age", &v[1], &err), 0);
    assert_int_equal(policy_get_int(p, "isolation.sharing.carer_min_age", &v[2], &err), 0);
    assert_int_equal(policy_get_int(p, "isolation.sharing.max_per_room", &v[3], &err), 0);
    policy_free(p);
    return (sharing_rule){allowed, (int)v[0], (int)v[1], (int)v[2], (int)v[3]};
}

static void sharing_plans(void **state)
{
    (void)state;
    sharing_rule r = rule_of("v9");
    size_t room[8];
    bool primary[8];
    /* two parents, a child of 6, a grandmother of 70: one parent with the child and the
     * grandmother (3 = max_per_room), the other parent alone */
    int family[] = {38, 36, 6, 70};
    assert_int_equal(facility_share_plan(&r, family, 4, room, primary), 2);
    assert_int_equal(room[0], room[2]);
    assert_int_equal(room[0], room[3]);
    assert_true(primary[0]);
    assert_false(primary[2]);
    assert_false(primary[3]);
    assert_int_not_equal(room[1], room[0]);
    assert_true(primary[1]);
    /* three children and one carer: the room is full at three, the last child alone */
    int kids[] = {40, 3, 5, 9};
    assert_int_equal(facility_share_plan(&r, kids, 4, room, primary), 2);
    assert_int_equal(room[0], room[1]);
    assert_int_equal(room[0], room[2]);
    assert_int_not_equal(room[3], room[0]);
    /* adults only, or a 16-year-old (no child, no carer): everyone alone */
    int adults[] = {30, 32, 16};
    assert_int_equal(facility_share_plan(&r, adults, 3, room, primary), 3);
    /* two elderly without a carer: alone */
    int old[] = {80, 78};
    assert_int_equal(facility_share_plan(&r, old, 2, room, primary), 2);
    /* sharing not allowed: everyone alone */
    r.allowed = false;
    assert_int_equal(facility_share_plan(&r, family, 4, room, primary), 4);
    for (int i = 0; i < 4; i++)
        assert_true(primary[i]);
}

static void room_moves(void **state)
{
    (void)state;
    fk_err err;
    assert_true(facility_room_move_allowed("vacant", "reserved"));
    assert_true(facility_room_move_allowed("reserved", "occupied"));
    assert_true(facility_room_move_allowed("occupied", "cleaning"));
    assert_true(facility_room_move_allowed("cleaning", "vacant"));
    assert_false(facility_room_move_allowed("occupied", "vacant"));
    assert_false(facility_room_move_allowed("out_of_order", "occupied"));
    assert_false(facility_room_move_allowed("vacant", "vacan"));
    assert_true(facility_room_hand_move_allowed("vacant", "out_of_order"));
    assert_true(facility_room_hand_move_allowed("cleaning", "vacant"));
    assert_false(facility_room_hand_move_allowed("vacant", "reserved"));
    assert_int_equal(facility_check_hand_move("occupied", "vacant", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "state");
    assert_int_equal(facility_check_hand_move("vacant", "free", &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
}

static void choice(void **state)
{
    (void)state;
    facility_pick f[] = {{104.00, 30.60, 5}, {104.10, 30.70, 50}, {104.02, 30.61, 0}};
    /* nearest with a vacant room: the third is nearer but full */
    assert_int_equal(facility_choose(f, 3, 104.02, 30.61, 1, FACILITY_NEAREST, 0), 0);
    /* a household needing 6 rooms goes where there are 6 */
    assert_int_equal(facility_choose(f, 3, 104.02, 30.61, 6, FACILITY_NEAREST, 0), 1);
    assert_int_equal(facility_choose(f, 3, 104.02, 30.61, 1, FACILITY_MOST_FREE, 0), 1);
    /* within 5 km only the first fits; 51 rooms nowhere */
    assert_int_equal(facility_choose(f, 3, 104.02, 30.61, 6, FACILITY_NEAREST, 5), -1);
    assert_int_equal(facility_choose(f, 3, 104.02, 30.61, 51, FACILITY_NEAREST, 0), -1);
    double d = facility_distance_m(104.0, 30.0, 104.0, 31.0);
    assert_true(d > 111000 && d < 111400);
}

/* A store in a fresh directory (*dir, the caller's to remove) with a district > street >
 * community chain, three adults of the community (pid) and an open facility f. */
static store *small_city(char **dir, int64_t pid[3], facility_rec *f)
{
    fk_err err;
    *dir = test_tmpdir();
    store *st = store_open(*dir, &err);
    assert_non_null(st);
    area d = {.code = "519901", .name = "区", .level = "district"};
    area s = {.code = "519901001", .parent_code = "519901", .name = "街道", .level = "street"};
    area c = {.code = "519901001001", .parent_code = "519901001", .name = "社区", .level = "community"};
    assert_int_equal(store_area_insert(st, &d, &err), 0);
    assert_int_equal(store_area_insert(st, &s, &err), 0);
    assert_int_equal(store_area_insert(st, &c, &err), 0);
    for (int i = 0; i < 3; i++) {
        person p = {0};
        snprintf(p.name, sizeof p.name, "人%d", i);
        snprintf(p.id_type, sizeof p.id_type, "passport");
        snprintf(p.id_number, sizeof p.id_number, "X%d", i);
        snprintf(p.sex, sizeof p.sex, "F");
        snprintf(p.birth_date, sizeof p.birth_date, "1990-01-01");
        snprintf(p.resident_type, sizeof p.resident_type, "non_resident");
        snprintf(p.address, sizeof p.address, "某路%d号", i);
        snprintf(p.community_code, sizeof p.community_code, "519901001001");
        assert_int_equal(store_person_insert(st, &p, NULL, &err), 0);
        pid[i] = p.id;
    }
    *f = (facility_rec){.name = "F", .area_code = "519901", .lon = 104, .lat = 30};
    assert_int_equal(store_facility_insert(st, f, NULL, &err), 0);
    return st;
}

/* The batch write (store_allocations_insert) is checked by the schema row by row as
 * single inserts are, and outside a unit a refused batch writes nothing. */
static void store_batch_allocation(void **state)
{
    (void)state;
    char *dir;
    fk_err err;
    int64_t pid[3];
    facility_rec f;
    store *st = small_city(&dir, pid, &f);
    const char *numbers[] = {"101", "102", "103"};
    assert_int_equal(store_rooms_insert(st, f.id, numbers, 3, 1, NULL, &err), 0);
    int64_t room[3], id;
    char got[3][32];
    size_t n;
    assert_int_equal(store_rooms_vacant(st, f.id, 3, room, got, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(store_allocation_next_id(st, &id, &err), 0);
    /* two primaries in one room: refused whole */
    allocation_rec two[2] = {{.id = id, .room_id = room[0], .person_id = pid[0], .facility_id = f.id},
                             {.id = id + 1, .room_id = room[0], .person_id = pid[1], .facility_id = f.id}};
    assert_int_equal(store_allocations_insert(st, two, 2, "t", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    /* one person twice: refused whole */
    allocation_rec twice[2] = {{.id = id, .room_id = room[0], .person_id = pid[0], .facility_id = f.id},
                               {.id = id + 1, .room_id = room[1], .person_id = pid[0], .facility_id = f.id}};
    assert_int_equal(store_allocations_insert(st, twice, 2, "t", &err), -1);
    /* a sharer in another room than its primary's: refused whole */
    allocation_rec astray[2] = {{.id = id, .room_id = room[0], .person_id = pid[0], .facility_id = f.id},
                                {.id = id + 1, .room_id = room[1], .person_id = pid[1],
                                 .primary_id = id}};
    assert_int_equal(store_allocations_insert(st, astray, 2, "t", &err), -1);
    facility_rec g;
    assert_int_equal(store_facility_get(st, f.id, &g, &err), 0);
    assert_int_equal(g.n_vacant, 3);
    allocation_rec none;
    assert_int_equal(store_allocation_of_person(st, pid[0], &none, &err), -1);
    /* a primary, its sharer and another primary */
    allocation_rec ok[3] = {{.id = id, .room_id = room[0], .person_id = pid[0], .facility_id = f.id},
                            {.id = id + 1, .room_id = room[0], .person_id = pid[1],
                             .primary_id = id},
                            {.id = id + 2, .room_id = room[1], .person_id = pid[2], .facility_id = f.id}};
    assert_int_equal(store_allocations_insert(st, ok, 3, "t", &err), 0);
    assert_int_equal(store_facility_get(st, f.id, &g, &err), 0);
    assert_int_equal(g.n_vacant, 1);
    assert_int_equal(g.n_reserved, 2);
    room_rec r;
    assert_int_equal(store_room_get(st, room[0], &r, &err), 0);
    assert_string_equal(r.state, "reserved");
    assert_int_equal(r.occupants, 2);
    allocation_rec held;
    assert_int_equal(store_allocation_of_person(st, pid[1], &held, &err), 0);
    assert_int_equal(held.id, id + 1);
    assert_int_equal(held.primary_id, id);
    /* a reserved room again, and a person holding one */
    allocation_rec again[1] = {{.id = id + 3, .room_id = room[1], .person_id = pid[0], .facility_id = f.id}};
    assert_int_equal(store_allocations_insert(st, again, 1, "t", &err), -1);
    again[0].room_id = room[2];
    assert_int_equal(store_allocations_insert(st, again, 1, "t", &err), -1);
    assert_int_equal(store_facility_get(st, f.id, &g, &err), 0);
    assert_int_equal(g.n_vacant, 1);
    store_close(st);
    test_rmdir(dir);
    free(dir);
}

/* The schema itself refuses a second primary allocation of a room and a sharer that
 * points to another room's allocation, whatever the code above does. */
static void store_no_double_booking(void **state)
{
    (void)state;
    char *dir;
    fk_err err;
    int64_t pid[3];
    facility_rec f;
    store *st = small_city(&dir, pid, &f);
    const char *numbers[] = {"101", "102"};
    assert_int_equal(store_rooms_insert(st, f.id, numbers, 2, 1, NULL, &err), 0);
    int64_t ids[4], room;
    char got[4][32];
    size_t n;
    assert_int_equal(store_rooms_vacant(st, f.id, 4, ids, got, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(got[0], "101");
    room = ids[0];
    allocation_rec a1 = {.room_id = room, .person_id = pid[0], .facility_id = f.id};
    assert_int_equal(store_allocation_insert(st, &a1, "t", NULL, &err), 0);
    allocation_rec a2 = {.room_id = room, .person_id = pid[1], .facility_id = f.id};
    assert_int_equal(store_allocation_insert(st, &a2, "t", NULL, &err), -1); /* not vacant */
    assert_int_equal(err.code, FK_ECONFLICT);
    allocation_rec a3 = {.room_id = room + 1, .person_id = pid[1], .primary_id = a1.id};
    assert_int_equal(store_allocation_insert(st, &a3, "t", NULL, &err), -1); /* other room */
    allocation_rec a4 = {.room_id = room, .person_id = pid[1], .primary_id = a1.id};
    assert_int_equal(store_allocation_insert(st, &a4, "t", NULL, &err), 0);  /* shares */
    allocation_rec a5 = {.room_id = room + 1, .person_id = pid[0], .facility_id = f.id};
    assert_int_equal(store_allocation_insert(st, &a5, "t", NULL, &err), -1); /* holds one */
    facility_rec g;
    assert_int_equal(store_facility_get(st, f.id, &g, &err), 0);
    assert_int_equal(g.n_vacant, 1);
    assert_int_equal(g.n_reserved, 1);
    room_rec r;
    assert_int_equal(store_room_get(st, room, &r, &err), 0);
    assert_string_equal(r.state, "reserved");
    assert_int_equal(r.occupants, 2);
    assert_int_equal(store_rooms_vacant(st, f.id, 4, ids, got, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(got[0], "102");
    store_close(st);
    test_rmdir(dir);
    free(dir);
}

/* An isolation ending on local date E is released at the city's midnight starting E+1
 * and its room is clean `isolation.cleaning.hours` later (v9: 24 h, UTC+8): the outlook
 * counts the room freed from 16:00 UTC on E exactly, a boundary that UTC dates put eight
 * hours late. */
static void outlook_local_dates(void **state)
{
    (void)state;
    char *dir;
    fk_err err;
    int64_t pid[3];
    facility_rec f;
    store *st = small_city(&dir, pid, &f);
    policy *pol = policy_load_builtin("v9", &err);
    assert_non_null(pol);
    const char *numbers[] = {"101"};
    assert_int_equal(store_rooms_insert(st, f.id, numbers, 1, 1, NULL, &err), 0);
    int64_t room;
    char got[1][32];
    size_t n;
    assert_int_equal(store_rooms_vacant(st, f.id, 1, &room, got, &n, &err), 0);
    allocation_rec al = {.room_id = room, .person_id = pid[0], .facility_id = f.id};
    assert_int_equal(store_allocation_insert(st, &al, "t", NULL, &err), 0);
    isolation_rec iso = {.person_id = pid[0], .allocation_id = al.id, .started_at = 1};
    snprintf(iso.area_code, sizeof iso.area_code, "519901001001");
    snprintf(iso.cohort, sizeof iso.cohort, "close_contact");
    snprintf(iso.kind, sizeof iso.kind, "central_isolation");
    snprintf(iso.day1_date, sizeof iso.day1_date, "2026-03-03");
    snprintf(iso.end_date, sizeof iso.end_date, "2026-03-10");
    snprintf(iso.policy_id, sizeof iso.policy_id, "v9");
    assert_int_equal(store_isolation_insert(st, &iso, NULL, 0, NULL, &err), 0);
    actor a;
    actor_cli(&a);
    isolation_outlook o;
    /* horizon 24 h: by = now + 24 h; freed once by >= 2026-03-10T16:00Z + 24 h */
    int64_t freed_at;
    assert_int_equal(fk_instant_parse("2026-03-11T16:00:00Z", &freed_at, "t", &err), 0);
    int64_t now = freed_at - 24 * 3600;
    assert_int_equal(isolation_outlook_get(st, pol, &a, NULL, now - 1, &o, &err), 0);
    assert_int_equal(o.h[0].hours, 24);
    assert_int_equal(o.h[0].freed, 0);
    assert_int_equal(isolation_outlook_get(st, pol, &a, NULL, now, &o, &err), 0);
    assert_int_equal(o.h[0].freed, 1);
    policy_free(pol);
    store_close(st);
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schedule_v9),
        cmocka_unit_test(schedule_m20_x10),
        cmocka_unit_test(sharing_plans),
        cmocka_unit_test(room_moves),
        cmocka_unit_test(choice),
        cmocka_unit_test(store_no_double_booking),
        cmocka_unit_test(store_batch_allocation),
        cmocka_unit_test(outlook_local_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
