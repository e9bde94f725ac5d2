/* test_allocation_counts.c - what a batch allocation skips: the facilities' room counts,
 * kept once per facility by a batch and per room by the trigger for every other writer,
 * equal a recount of the rooms after a mix of every kind of operation; the rules the
 * schema's triggers check per row, checked for a batch at once instead, refuse a batch
 * that breaks any of them whole, changing nothing; and the homes the server keeps in memory (services/homes.h) answer as the
 * store does, before and after homes change through the registry, a new person, or
 * another connection writing the database directly. */
#include "testutil.h"

#include <sqlite3.h>
#include <string.h>

#include "base/timeutil.h"
#include "policy/policy.h"
#include "services/allocator.h"
#include "services/homes.h"
#include "services/isolation.h"
#include "store_fixture.h"

#define RESIDENTS 8

typedef struct town {
    char *dir;
    store *st;
    policy *pol;
    actor who;
    int64_t building[2], household[2];
    int64_t resident[RESIDENTS], visitor[4];
    facility_rec fac[2];
} town;

/* Run `sql` through a connection of its own (another writer, as the sqlite3 shell is);
 * the single number it answers, or 0 for a statement without rows. */
static int64_t sql_in(const char *dir, const char *sql)
{
    char path[512];
    sqlite3 *db;
    sqlite3_stmt *q;
    snprintf(path, sizeof path, "%s/fangkong.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    int rc = sqlite3_step(q);
    assert_true(rc == SQLITE_ROW || rc == SQLITE_DONE);
    int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

static void add_rooms(town *t, int64_t fid, int n)
{
    fk_err err;
    char numbers[32][16];
    const char *ptr[32];
    for (int i = 0; i < n && i < 32; i++) {
        snprintf(numbers[i], sizeof numbers[i], "%d", 101 + i);
        ptr[i] = numbers[i];
    }
    assert_int_equal(store_rooms_insert(t->st, fid, ptr, (size_t)n, 1, NULL, &err), 0);
}

/* Two buildings with coordinates in one grid, a household in each; RESIDENTS residents
 * (all but the last in the first household; the first two children of 2020, the rest
 * adults), four non-residents, and two open facilities of 12 and 6 rooms. */
static town *town_open(void)
{
    fk_err err;
    town *t = calloc(1, sizeof *t);
    t->dir = test_tmpdir();
    t->st = store_open(t->dir, &err);
    assert_non_null(t->st);
    fixture_areas(t->st);
    area g = {.code = "510104001001001", .parent_code = "510104001001", .name = "网格",
              .level = "grid"};
    assert_int_equal(store_area_insert(t->st, &g, &err), 0);
    for (int i = 0; i < 2; i++) {
        building b = {.grid_code = "510104001001001", .lon = 104.06 + i * 0.01, .lat = 30.66};
        snprintf(b.name, sizeof b.name, "%d栋", i + 1);
        assert_int_equal(store_building_insert(t->st, &b, &err), 0);
        household h = {.building_id = b.id};
        snprintf(h.room, sizeof h.room, "%d01", i + 1);
        assert_int_equal(store_household_insert(t->st, &h, &err), 0);
        t->building[i] = b.id;
        t->household[i] = h.id;
    }
    for (int i = 0; i < RESIDENTS; i++) {
        person p = fixture_person("R", i);
        snprintf(p.resident_type, sizeof p.resident_type, "resident");
        p.household_id = t->household[i == RESIDENTS - 1];
        if (i < 2)
            snprintf(p.birth_date, sizeof p.birth_date, "2020-06-01");
        t->resident[i] = fixture_person_insert(t->st, &p);
    }
    for (int i = 0; i < 4; i++) {
        person p = fixture_person("V", i);
        t->visitor[i] = fixture_person_insert(t->st, &p);
    }
    for (int i = 0; i < 2; i++) {
        t->fac[i] = (facility_rec){.area_code = "510104", .lon = 104.07 + i, .lat = 30.67};
        snprintf(t->fac[i].name, sizeof t->fac[i].name, "隔离点%d", i + 1);
        assert_int_equal(store_facility_insert(t->st, &t->fac[i], NULL, &err), 0);
        add_rooms(t, t->fac[i].id, i ? 6 : 12);
    }
    t->pol = policy_load_builtin("v9", &err);
    assert_non_null(t->pol);
    actor_cli(&t->who);
    return t;
}

static void town_close(town *t)
{
    policy_free(t->pol);
    store_close(t->st);
    test_rmdir(t->dir);
    free(t->dir);
    free(t);
}

/* Every facility's kept counts against a recount of its rooms by state, and the trigger
 * back in charge (no writer holding room_counts_by_writer). */
/* No dangling reference after the batches (they insert without the foreign-key probes),
 * and the connection probes again: a row naming a missing room is refused. */
static void references_hold(town *t)
{
    assert_int_equal(sql_in(t->dir, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    allocation_rec bad = {.room_id = 999999, .person_id = t->resident[5]}; /* holds no room */
    fk_err err;
    assert_int_equal(store_allocation_insert(t->st, &bad, "t", NULL, &err), -1);
    if (!strstr(err.message, "FOREIGN KEY"))
        fail_msg("refused for another reason: %s", err.message);
}

static void counts_exact(town *t)
{
    assert_int_equal(sql_in(t->dir, "SELECT count(*) FROM facilities f WHERE "
                                    "n_vacant <> (SELECT count(*) FROM rooms r WHERE "
                                    "r.facility_id = f.id AND r.state = 'vacant') OR "
                                    "n_reserved <> (SELECT count(*) FROM rooms r WHERE "
                                    "r.facility_id = f.id AND r.state = 'reserved') OR "
                                    "n_occupied <> (SELECT count(*) FROM rooms r WHERE "
                                    "r.facility_id = f.id AND r.state = 'occupied') OR "
                                    "n_cleaning <> (SELECT count(*) FROM rooms r WHERE "
                                    "r.facility_id = f.id AND r.state = 'cleaning') OR "
                                    "n_out_of_order <> (SELECT count(*) FROM rooms r WHERE "
                                    "r.facility_id = f.id AND r.state = 'out_of_order')"),
                     0);
    assert_int_equal(sql_in(t->dir, "SELECT count(*) FROM room_counts_by_writer"), 0);
}

static int64_t rooms_in(town *t, const char *state)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM rooms WHERE state = '%s'", state);
    return sql_in(t->dir, sql);
}

/* Batches (direct, through the allocator, with household sharing, one refused), single
 * allocations, isolations started on a reservation and on no reservation, isolations
 * ended (rooms to cleaning), hand moves, a missed reservation freed by another
 * connection: after each, the counts equal a recount. */
static void counts_after_every_writer(void **state)
{
    (void)state;
    fk_err err;
    town *t = town_open();
    allocator *al = allocator_start(t->dir, &err);
    assert_non_null(al);
    counts_exact(t);
    /* a batch through the API's path: the household shares (two children with an adult) */
    alloc_request hh[3] = {{t->resident[0], 0}, {t->resident[1], 0}, {t->resident[2], 0}};
    alloc_result out[8];
    assert_int_equal(isolation_allocate(t->st, t->pol, &t->who, hh, 3, true, out, &err), 0);
    assert_int_equal(rooms_in(t, "reserved"), 1);
    counts_exact(t);
    /* a batch through the server's writer, homes from memory */
    alloc_request batch[4] = {{t->resident[3], 0}, {t->resident[4], 0}, {t->visitor[0], 0},
                              {t->visitor[1], 0}};
    assert_int_equal(allocator_run(al, t->pol, &t->who, batch, 4, false, out, &err), 0);
    assert_int_equal(rooms_in(t, "reserved"), 5);
    counts_exact(t);
    /* refused whole (a person already holding a room): nothing counted */
    alloc_request refused[2] = {{t->resident[5], 0}, {t->visitor[0], 0}};
    assert_int_equal(allocator_run(al, t->pol, &t->who, refused, 2, false, out, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(isolation_allocate(t->st, t->pol, &t->who, refused, 2, false, out, &err),
                     -1);
    assert_int_equal(rooms_in(t, "reserved"), 5);
    counts_exact(t);
    /* a single allocation (store_allocation_insert, the trigger's path) */
    int64_t ids[1];
    char numbers[1][32];
    size_t n;
    assert_int_equal(store_rooms_vacant(t->st, t->fac[1].id, 1, ids, numbers, &n, &err), 0);
    allocation_rec one = {.room_id = ids[0], .person_id = t->visitor[2]};
    assert_int_equal(store_allocation_insert(t->st, &one, "t", NULL, &err), 0);
    counts_exact(t);
    /* isolations: on a reservation (reserved -> occupied) and on none (allocated now) */
    isolation_rec iso[2];
    isolation_start_req on_res = {.person_id = t->resident[3]};
    assert_int_equal(isolation_start(t->st, t->pol, &t->who, &on_res, &iso[0], &err), 0);
    isolation_start_req fresh = {.person_id = t->resident[6]};
    assert_int_equal(isolation_start(t->st, t->pol, &t->who, &fresh, &iso[1], &err), 0);
    assert_int_equal(rooms_in(t, "occupied"), 2);
    counts_exact(t);
    /* both end: their rooms go to cleaning; one is cleaned by hand, back to vacant */
    for (int i = 0; i < 2; i++)
        assert_int_equal(store_isolation_end(t->st, iso[i].id, "released", 0, fk_now(), NULL,
                                             &err), 0);
    assert_int_equal(rooms_in(t, "cleaning"), 2);
    counts_exact(t);
    room_rec r;
    assert_int_equal(isolation_room_set_state(t->st, &t->who, iso[0].facility_id, iso[0].room_id,
                                              "vacant", &r, &err), 0);
    assert_int_equal(store_rooms_vacant(t->st, t->fac[0].id, 1, ids, numbers, &n, &err), 0);
    assert_int_equal(isolation_room_set_state(t->st, &t->who, t->fac[0].id, ids[0],
                                              "out_of_order", &r, &err), 0);
    counts_exact(t);
    /* another connection frees a reservation as a missed pickup does, then a batch takes
     * what is vacant, the out-of-order room back in service */
    sql_in(t->dir, "UPDATE allocations SET state = 'ended', ended_at = 1 WHERE person_id = "
                   "(SELECT max(id) FROM persons) AND state = 'reserved'");
    sql_in(t->dir, "UPDATE rooms SET state = 'vacant' WHERE state = 'reserved' AND NOT EXISTS "
                   "(SELECT 1 FROM allocations a WHERE a.room_id = rooms.id AND "
                   "a.state <> 'ended')");
    counts_exact(t);
    assert_int_equal(isolation_room_set_state(t->st, &t->who, t->fac[0].id, ids[0], "vacant", &r,
                                              &err), 0);
    alloc_request last[2] = {{t->resident[7], 0}, {t->visitor[3], 0}};
    assert_int_equal(allocator_run(al, t->pol, &t->who, last, 2, false, out, &err), 0);
    counts_exact(t);
    references_hold(t);
    allocator_stop(al);
    town_close(t);
}

/* Everything a batch writes, as one number: the allocations, every room's state and the
 * facilities' counts. */
static int64_t written(town *t)
{
    return sql_in(t->dir,
                  "SELECT (SELECT count(*) * 1000003 + total(id * 7 + room_id * 3 + person_id "
                  "+ coalesce(primary_id, 0) * 5) FROM allocations) + (SELECT total(id * "
                  "(CASE state WHEN 'vacant' THEN 1 WHEN 'reserved' THEN 2 ELSE 3 END)) FROM "
                  "rooms) + (SELECT total(id * (n_vacant * 13 + n_reserved * 17 + n_occupied "
                  "* 19 + n_cleaning * 23 + n_out_of_order * 29)) FROM facilities)");
}

/* store_allocations_insert of al[0..n) refused with FK_ECONFLICT, nothing written. */
static void refused_whole(town *t, allocation_rec *al, size_t n, const char *why)
{
    fk_err err;
    int64_t before = written(t);
    if (store_allocations_insert(t->st, al, n, "t", &err) != -1)
        fail_msg("a batch with %s was written", why);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(written(t), before);
    counts_exact(t);
}

/* A primary (person, room) and a sharer of it, numbered from `id`. */
static void pair(allocation_rec *al, int64_t id, int64_t fid, int64_t room, int64_t p1,
                 int64_t p2)
{
    al[0] = (allocation_rec){.id = id, .room_id = room, .person_id = p1, .facility_id = fid};
    al[1] = (allocation_rec){.id = id + 1, .room_id = room, .person_id = p2, .primary_id = id,
                             .facility_id = fid};
}

/* The rules of the triggers allocations_vacant and allocations_share, and the unique
 * indexes, for a batch written at once: each broken in turn refuses the batch whole. */
static void batch_rules_refused(void **state)
{
    (void)state;
    fk_err err;
    town *t = town_open();
    int64_t fid = t->fac[0].id, rooms[6], next, *r = t->resident, *v = t->visitor;
    char numbers[6][32];
    size_t n;
    assert_int_equal(store_rooms_vacant(t->st, fid, 6, rooms, numbers, &n, &err), 0);
    assert_int_equal(n, 6);
    /* a good batch: a primary with a sharer, another primary */
    allocation_rec al[4];
    assert_int_equal(store_allocation_next_id(t->st, &next, &err), 0);
    pair(al, next, fid, rooms[0], r[0], r[1]);
    al[2] = (allocation_rec){.id = next + 2, .room_id = rooms[1], .person_id = r[2],
                             .facility_id = fid};
    assert_int_equal(store_allocations_insert(t->st, al, 3, "t", &err), 0);
    assert_int_equal(rooms_in(t, "reserved"), 2);
    counts_exact(t);
    int64_t held = next, second = next + 2;
    next += 3;
    /* a primary's room not vacant: out of order, then reserved (held by nobody) */
    room_rec rr;
    assert_int_equal(isolation_room_set_state(t->st, &t->who, fid, rooms[2], "out_of_order",
                                              &rr, &err), 0);
    pair(al, next, fid, rooms[2], r[3], r[4]);
    refused_whole(t, al, 2, "a room out of order");
    sql_in(t->dir, "UPDATE rooms SET state = 'reserved' WHERE id = (SELECT id FROM rooms WHERE "
                   "state = 'out_of_order')");
    refused_whole(t, al, 2, "a reserved room");
    /* a room that does not exist */
    pair(al, next, fid, 999999, r[3], r[4]);
    refused_whole(t, al, 2, "a missing room");
    /* two primaries in one room; a room held already (the unique index) */
    pair(al, next, fid, rooms[3], r[3], r[4]);
    al[1].primary_id = 0;
    refused_whole(t, al, 2, "one room booked twice");
    al[0].room_id = al[1].room_id = rooms[1];
    refused_whole(t, al, 1, "a room held already");
    /* a person holding a room already (the unique index) */
    pair(al, next, fid, rooms[3], r[0], r[4]);
    refused_whole(t, al, 2, "a person holding a room");
    /* sharers: in another room than their primary, naming a sharer, a missing primary,
     * a primary of another room held before, an ended primary */
    pair(al, next, fid, rooms[3], r[3], r[4]);
    al[1].room_id = rooms[4];
    refused_whole(t, al, 2, "a sharer in another room");
    pair(al, next, fid, rooms[3], r[3], r[4]);
    al[2] = (allocation_rec){.id = next + 2, .room_id = rooms[3], .person_id = r[5],
                             .primary_id = next + 1, .facility_id = fid};
    refused_whole(t, al, 3, "a sharer naming a sharer");
    al[1].primary_id = next + 50;
    refused_whole(t, al, 2, "a sharer naming no allocation");
    al[1].primary_id = second;
    refused_whole(t, al, 2, "a sharer naming another room's primary");
    sql_in(t->dir, "UPDATE allocations SET state = 'ended', ended_at = 1 WHERE id IN (SELECT "
                   "id FROM allocations WHERE primary_id IS NULL ORDER BY id LIMIT 1) OR "
                   "primary_id = (SELECT min(id) FROM allocations)");
    al[0] = (allocation_rec){.id = next, .room_id = rooms[0], .person_id = r[3],
                             .primary_id = held, .facility_id = fid};
    refused_whole(t, al, 1, "a sharer naming an ended allocation");
    /* the same batch right: written, its rooms and counts as before */
    pair(al, next, fid, rooms[3], r[3], r[4]);
    assert_int_equal(store_allocations_insert(t->st, al, 2, "t", &err), 0);
    assert_int_equal(rooms_in(t, "reserved"), 4); /* rooms[0] (ended, reserved), 1, 2, 3 */
    counts_exact(t);
    references_hold(t);
    (void)v;
    town_close(t);
}

static void place_equal(const person_place *a, const person_place *b)
{
    assert_int_equal(a->person_id, b->person_id);
    assert_int_equal(a->household_id, b->household_id);
    assert_string_equal(a->community_code, b->community_code);
    assert_string_equal(a->birth_date, b->birth_date);
    assert_int_equal(a->located, b->located);
    assert_true(a->lon == b->lon && a->lat == b->lat);
}

/* homes_places and store_person_places for the same ids, place by place. */
static void same_as_store(town *t, homes *h, const int64_t *ids, size_t n)
{
    fk_err err;
    person_place kept[16], read[16];
    assert_true(n <= 16);
    assert_int_equal(homes_places(h, t->st, ids, n, kept, &err), 0);
    assert_int_equal(store_person_places(t->st, ids, n, read, &err), 0);
    for (size_t i = 0; i < n; i++)
        place_equal(&kept[i], &read[i]);
}

static void homes_as_the_store(void **state)
{
    (void)state;
    fk_err err;
    town *t = town_open();
    homes *h = homes_new();
    assert_int_equal(homes_load(h, t->st, &err), 0);
    /* every home kept: the non-residents (no household) by their community's centre */
    assert_int_equal(homes_count(h), RESIDENTS + 4);
    int64_t ids[16];
    size_t n = 0;
    for (int i = 0; i < RESIDENTS; i++)
        ids[n++] = t->resident[i];
    for (int i = 0; i < 4; i++)
        ids[n++] = t->visitor[i];
    ids[n++] = 0;
    ids[n++] = 999999;
    ids[n++] = t->resident[2]; /* twice */
    same_as_store(t, h, ids, n);
    /* a move to the other household, through the registry */
    person p;
    assert_int_equal(store_person_get(t->st, t->resident[0], &p, &err), 0);
    p.household_id = t->household[1];
    assert_int_equal(store_person_update(t->st, &p, NULL, &err), 0);
    person_place got;
    assert_int_equal(homes_places(h, t->st, &t->resident[0], 1, &got, &err), 0);
    assert_int_equal(got.household_id, t->household[1]);
    assert_true(got.lon > 104.065);
    same_as_store(t, h, ids, n);
    /* a new birth date, then a building moved by another connection */
    snprintf(p.birth_date, sizeof p.birth_date, "1950-02-03");
    assert_int_equal(store_person_update(t->st, &p, NULL, &err), 0);
    assert_int_equal(homes_places(h, t->st, &t->resident[0], 1, &got, &err), 0);
    assert_string_equal(got.birth_date, "1950-02-03");
    sql_in(t->dir, "UPDATE buildings SET lon = 105.5 WHERE id = (SELECT max(id) FROM buildings)");
    assert_int_equal(homes_places(h, t->st, &t->resident[RESIDENTS - 1], 1, &got, &err), 0);
    assert_true(got.lon == 105.5);
    same_as_store(t, h, ids, n);
    /* a person registered after the load is read, then kept */
    person q = fixture_person("N", 1);
    snprintf(q.resident_type, sizeof q.resident_type, "resident");
    q.household_id = t->household[0];
    ids[n++] = fixture_person_insert(t->st, &q);
    size_t before = homes_count(h);
    same_as_store(t, h, ids, n);
    assert_int_equal(homes_count(h), before + 1);
    /* a new building in the community, then one regridded out of it (another
     * connection): the centre standing in for the non-residents' homes moves each time */
    person_place was;
    assert_int_equal(homes_places(h, t->st, &t->visitor[0], 1, &was, &err), 0);
    assert_true(was.located && was.household_id == 0);
    sql_in(t->dir, "INSERT INTO buildings (grid_code, name, lon, lat) VALUES "
                   "('510104001001001', '3栋', 110.5, 30.9)");
    assert_int_equal(homes_places(h, t->st, &t->visitor[0], 1, &got, &err), 0);
    assert_true(got.lon > was.lon && got.lat > was.lat);
    same_as_store(t, h, ids, n);
    sql_in(t->dir, "INSERT INTO areas (code, parent_code, name, level) VALUES "
                   "('510104001002', '510104001', '另一社区', 'community')");
    sql_in(t->dir, "UPDATE buildings SET grid_code = '510104001002' WHERE name = '3栋'");
    assert_int_equal(homes_places(h, t->st, &t->visitor[0], 1, &got, &err), 0);
    assert_true(got.lon == was.lon && got.lat == was.lat);
    same_as_store(t, h, ids, n);
    sql_in(t->dir, "DELETE FROM buildings WHERE name = '3栋'");
    /* without the version row nothing is kept: a change is seen all the same */
    sql_in(t->dir, "DELETE FROM homes_version");
    sql_in(t->dir, "UPDATE buildings SET lon = 106.5 WHERE id = (SELECT max(id) FROM buildings)");
    assert_int_equal(homes_places(h, t->st, &t->resident[RESIDENTS - 1], 1, &got, &err), 0);
    assert_true(got.lon == 106.5);
    assert_int_equal(homes_count(h), 0);
    same_as_store(t, h, ids, n);
    /* the batches' own path: NULL reads the store */
    assert_int_equal(homes_places(NULL, t->st, ids, n, (person_place[16]){{0}}, &err), 0);
    homes_free(h);
    town_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_after_every_writer),
        cmocka_unit_test(batch_rules_refused),
        cmocka_unit_test(homes_as_the_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
