/* test_coverage.c - coverage of a testing round (services/coverage.h, store_coverage.h)
 * on a small hand-made city, every number counted by hand:
 *
 *   street 510104001, round over it; community A 510104001001, community B 510104001002
 *   A: household H1 {a1 tested, a2, a3 tested and isolated}
 *      household H2 {b1 (an isolation released before the round), b2 isolated}
 *      non-resident n1 tested
 *   B: household H3 {c1 tested, c2 born 2021}
 *
 *   A: population 6, tested 3 (a1 a3 n1), exempt 1 (b2), untested 2 (a2 b1), expected 5
 *   B: population 2, tested 1 (c1), exempt 0, untested 1 (c2), expected 2
 *   with a 3-year age exemption: B exempt 1 (c2), untested 0.
 *   home sampling (v9: under 3, a household under home isolation, disabled, stay-home
 *   zones): b1 (b2's home isolation names H2), c2 (an infant); not a2 (a3's isolation
 *   names no household). */
#include "testutil.h"

#include "policy/policy.h"
#include "services/coverage.h"
#include "store_fixture.h"

#define STREET "510104001"
#define COMM_A "510104001001"
#define COMM_B "510104001002"
#define ROUND_START 1656000000 /* 2022-06-23 16:00 UTC, 2022-06-24 00:00 in Beijing */
#define ISO_START 1655000000   /* before the round */

typedef struct city {
    fixture *f;
    policy *pol;
    int64_t round, h1, h2, h3;
    int64_t a1, a2, a3, b1, b2, n1, c1, c2;
} city;

static void add_area(store *st, const char *code, const char *parent, const char *level)
{
    fk_err err;
    area a = {0};
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.parent_code, sizeof a.parent_code, "%s", parent);
    snprintf(a.level, sizeof a.level, "%s", level);
    snprintf(a.name, sizeof a.name, "区域%s", code + strlen(code) - 3);
    if (store_area_insert(st, &a, &err) != 0)
        fail_msg("area %s: %s", code, err.message);
}

static int64_t add_household(store *st, const char *grid, const char *room)
{
    fk_err err;
    building b = {.lon = 104, .lat = 30};
    snprintf(b.grid_code, sizeof b.grid_code, "%s", grid);
    snprintf(b.name, sizeof b.name, "%s栋", room);
    assert_int_equal(store_building_insert(st, &b, &err), 0);
    household h = {.building_id = b.id};
    snprintf(h.room, sizeof h.room, "%s", room);
    assert_int_equal(store_household_insert(st, &h, &err), 0);
    return h.id;
}

/* A resident of household hh, or (hh 0) a non-resident of community `comm`. */
static int64_t add_person(store *st, const char *name, int64_t hh, const char *comm,
                          const char *born)
{
    fk_err err;
    person p = {0};
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.id_type, sizeof p.id_type, "passport");
    snprintf(p.id_number, sizeof p.id_number, "P%s", name);
    snprintf(p.sex, sizeof p.sex, "M");
    snprintf(p.birth_date, sizeof p.birth_date, "%s", born);
    snprintf(p.resident_type, sizeof p.resident_type, hh ? "resident" : "non_resident");
    snprintf(p.phone, sizeof p.phone, "13800000000");
    p.household_id = hh;
    if (!hh)
        snprintf(p.address, sizeof p.address, "某路%s号", name);
    snprintf(p.community_code, sizeof p.community_code, "%s", comm);
    if (store_person_insert(st, &p, NULL, &err) != 0)
        fail_msg("person %s: %s", name, err.message);
    return p.id;
}

static int64_t isolate(store *st, int64_t person, const char *comm, int64_t household)
{
    fk_err err;
    isolation_rec iso = {.person_id = person, .phase = 0, .started_at = ISO_START,
                         .household_id = household};
    snprintf(iso.area_code, sizeof iso.area_code, "%s", comm);
    snprintf(iso.cohort, sizeof iso.cohort, "close_contact");
    snprintf(iso.kind, sizeof iso.kind, "home_isolation");
    snprintf(iso.day1_date, sizeof iso.day1_date, "2022-06-12");
    snprintf(iso.end_date, sizeof iso.end_date, "2022-06-30");
    snprintf(iso.state, sizeof iso.state, "active");
    snprintf(iso.policy_id, sizeof iso.policy_id, "v9");
    if (store_isolation_insert(st, &iso, NULL, 0, NULL, &err) != 0)
        fail_msg("isolation: %s", err.message);
    return iso.id;
}

static void scan(store *st, int64_t round, int64_t tube, int64_t person)
{
    fk_err err;
    member_rec m = {.person_id = person, .round_id = round, .scanned_at = ROUND_START + 60,
                    .scanned_by = "s"};
    if (store_tube_scan(st, tube, 20, &m, NULL, &err) != 0)
        fail_msg("scan: %s", err.message);
}

static void add_round(city *c)
{
    store *st = c->f->st;
    fk_err err;
    round_rec r = {.name = "第一轮", .area_code = STREET, .starts_at = ROUND_START,
                   .ends_at = ROUND_START + 86400, .state = "open", .created_by = "t",
                   .created_at = 1};
    assert_int_equal(store_round_insert(st, &r, NULL, &err), 0);
    site_rec s = {.round_id = r.id, .name = "采样点", .area_code = COMM_A};
    assert_int_equal(store_site_insert(st, &s, NULL, &err), 0);
    const char *codes[] = {"CV000001"};
    assert_int_equal(store_tubes_issue(st, r.id, s.id, codes, 1, "t", 1, NULL, &err), 0);
    tube_rec t;
    assert_int_equal(store_tube_get(st, "CV000001", &t, NULL, &err), 0);
    int64_t tested[] = {c->a1, c->a3, c->n1, c->c1};
    for (size_t i = 0; i < 4; i++)
        scan(st, r.id, t.id, tested[i]);
    c->round = r.id;
}

static int city_setup(void **state)
{
    city *c = calloc(1, sizeof *c);
    fk_err err;
    c->f = fixture_open();
    store *st = c->f->st;
    fixture_areas(st);
    add_area(st, COMM_B, STREET, "community");
    add_area(st, COMM_A "001", COMM_A, "grid");
    add_area(st, COMM_B "001", COMM_B, "grid");
    c->h1 = add_household(st, COMM_A "001", "101");
    c->h2 = add_household(st, COMM_A "001", "102");
    c->h3 = add_household(st, COMM_B "001", "201");
    c->a1 = add_person(st, "a1", c->h1, COMM_A, "1980-01-01");
    c->a2 = add_person(st, "a2", c->h1, COMM_A, "1981-01-01");
    c->a3 = add_person(st, "a3", c->h1, COMM_A, "1982-01-01");
    c->b1 = add_person(st, "b1", c->h2, COMM_A, "1970-01-01");
    c->b2 = add_person(st, "b2", c->h2, COMM_A, "1971-01-01");
    c->n1 = add_person(st, "n1", 0, COMM_A, "1990-01-01");
    c->c1 = add_person(st, "c1", c->h3, COMM_B, "1985-01-01");
    c->c2 = add_person(st, "c2", c->h3, COMM_B, "2021-03-01");
    int64_t old = isolate(st, c->b1, COMM_A, c->h2);
    assert_int_equal(store_isolation_end(st, old, "released", 0, ISO_START + 3600, NULL, &err),
                     0);
    isolate(st, c->b2, COMM_A, c->h2);
    isolate(st, c->a3, COMM_A, 0);
    add_round(c);
    c->pol = policy_load_builtin("v9", &err);
    assert_non_null(c->pol);
    *state = c;
    return 0;
}

static int city_teardown(void **state)
{
    city *c = *state;
    policy_free(c->pol);
    void *f = c->f;
    store_fixture_teardown(&f);
    free(c);
    return 0;
}

static void counts_are(const coverage_counts *got, int64_t pop, int64_t tested, int64_t exempt,
                       int64_t untested)
{
    assert_int_equal(got->population, pop);
    assert_int_equal(got->tested, tested);
    assert_int_equal(got->exempt, exempt);
    assert_int_equal(got->untested, untested);
    assert_int_equal(got->expected, tested + untested);
}

static void per_community(void **state)
{
    city *c = *state;
    fk_err err;
    actor me;
    actor_cli(&me);
    coverage_report r;
    coverage_args a = {.round_id = c->round, .now = ROUND_START + 3600};
    assert_int_equal(coverage_units(c->f->st, c->pol, &me, &a, &r, &err), 0);
    assert_string_equal(r.area, STREET);
    assert_string_equal(r.level, "community");
    assert_int_equal(r.units.n, 2);
    assert_string_equal(r.units.items[0].code, COMM_A);
    counts_are(&r.units.items[0].c, 6, 3, 1, 2);
    assert_string_equal(r.units.items[1].code, COMM_B);
    assert_string_equal(r.units.items[1].name, "区域002");
    counts_are(&r.units.items[1].c, 2, 1, 0, 1);
    counts_are(&r.total, 8, 4, 1, 3);
    assert_true(r.alert_below > 0 && r.alert_below <= r.good_from);
    assert_true(coverage_rate(&r.units.items[0].c) == 3.0 / 5.0);
    coverage_report_free(&r);

    /* one level up: the street as one unit */
    a.level = "street";
    assert_int_equal(coverage_units(c->f->st, c->pol, &me, &a, &r, &err), 0);
    assert_int_equal(r.units.n, 1);
    counts_are(&r.units.items[0].c, 8, 4, 1, 3);
    coverage_report_free(&r);

    /* before b2's isolation began, b2 was expected */
    a.level = NULL;
    a.now = ISO_START - 1;
    assert_int_equal(coverage_units(c->f->st, c->pol, &me, &a, &r, &err), 0);
    counts_are(&r.units.items[0].c, 6, 3, 0, 3);
    coverage_report_free(&r);
}

static void per_household_and_untested(void **state)
{
    city *c = *state;
    fk_err err;
    actor me;
    actor_cli(&me);
    char area[16];
    coverage_household_list h;
    coverage_args a = {.round_id = c->round, .area = COMM_A, .now = ROUND_START + 3600,
                       .limit = 50};
    assert_int_equal(coverage_households(c->f->st, c->pol, &me, &a, area, &h, &err), 0);
    assert_int_equal(h.total, 3);
    assert_int_equal(h.n, 3);
    assert_int_equal(h.items[0].household_id, c->h1); /* most untested first, then by id */
    counts_are(&h.items[0].c, 3, 2, 0, 1);
    assert_string_equal(h.items[0].room, "101");
    assert_int_equal(h.items[1].household_id, c->h2);
    counts_are(&h.items[1].c, 2, 0, 1, 1);
    assert_int_equal(h.items[2].household_id, 0); /* the non-residents */
    counts_are(&h.items[2].c, 1, 1, 0, 0);
    coverage_household_list_free(&h);

    untested_list u;
    assert_int_equal(coverage_untested(c->f->st, c->pol, &me, &a, area, &u, &err), 0);
    assert_int_equal(u.total, 2);
    assert_int_equal(u.n, 2);
    assert_int_equal(u.items[0].person_id, c->a2);
    assert_string_equal(u.items[0].household, "101栋 101");
    assert_int_equal(u.items[1].person_id, c->b1);
    assert_string_equal(u.items[1].name, "b1"); /* command: in clear */
    untested_list_free(&u);
    a.household_id = c->h2;
    assert_int_equal(coverage_untested(c->f->st, c->pol, &me, &a, area, &u, &err), 0);
    assert_int_equal(u.total, 1);
    assert_int_equal(u.items[0].person_id, c->b1);
    untested_list_free(&u);
}

static void reasons_of(const untested_rec *u, const char *want)
{
    const char *r[8];
    char got[128] = "";
    size_t n = coverage_home_reasons(u, r, 8);
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "|" : "", r[i]);
    assert_string_equal(got, want);
}

static void home_sampling(void **state)
{
    city *c = *state;
    fk_err err;
    actor me;
    actor_cli(&me);
    char area[16];
    untested_list u;
    /* the round starts at 00:00 on 2022-06-24 in Beijing (16:00 UTC the day before): d1
     * turns 3 that day (not an infant), d2 the day after (an infant) */
    int64_t d1 = add_person(c->f->st, "d1", c->h3, COMM_B, "2019-06-24");
    int64_t d2 = add_person(c->f->st, "d2", c->h3, COMM_B, "2019-06-25");
    coverage_args a = {.round_id = c->round, .now = ROUND_START + 3600, .limit = 50};
    assert_int_equal(coverage_untested(c->f->st, c->pol, &me, &a, area, &u, &err), 0);
    assert_int_equal(u.total, 5); /* a2, b1, c2, d1, d2 by community and household */
    assert_int_equal(u.items[0].person_id, c->a2);
    reasons_of(&u.items[0], "");
    assert_int_equal(u.items[1].person_id, c->b1);
    reasons_of(&u.items[1], "home_isolation");
    assert_int_equal(u.items[2].person_id, c->c2);
    reasons_of(&u.items[2], "infant");
    assert_int_equal(u.items[3].person_id, d1);
    reasons_of(&u.items[3], "");
    assert_int_equal(u.items[4].person_id, d2);
    reasons_of(&u.items[4], "infant");
    untested_list_free(&u);

    a.home_only = 1;
    assert_int_equal(coverage_untested(c->f->st, c->pol, &me, &a, area, &u, &err), 0);
    assert_int_equal(u.total, 3);
    assert_int_equal(u.n, 3);
    assert_int_equal(u.items[0].person_id, c->b1);
    assert_int_equal(u.items[1].person_id, c->c2);
    assert_int_equal(u.items[2].person_id, d2);
    untested_list_free(&u);

    /* before b2's isolation began nobody in H2 was isolated at home */
    a.now = ISO_START - 1;
    assert_int_equal(coverage_untested(c->f->st, c->pol, &me, &a, area, &u, &err), 0);
    assert_int_equal(u.total, 2);
    assert_int_equal(u.items[0].person_id, c->c2);
    assert_int_equal(u.items[1].person_id, d2);
    untested_list_free(&u);
}

static void age_exemption_from_the_policy(void **state)
{
    city *c = *state;
    fk_err err;
    actor me;
    actor_cli(&me);
    char *dir = test_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/local.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"overrides\": [{\"path\": \"testing.coverage.exempt_under_age_years\", \"value\": "
          "3, \"source\": \"[L] infants under 3 skip the round\"}]}\n", f);
    fclose(f);
    assert_int_equal(policy_apply_overrides(c->pol, path, &err), 0);
    coverage_report r;
    coverage_args a = {.round_id = c->round, .area = COMM_B, .now = ROUND_START + 3600};
    assert_int_equal(coverage_units(c->f->st, c->pol, &me, &a, &r, &err), 0);
    assert_int_equal(r.units.n, 1);
    counts_are(&r.units.items[0].c, 2, 1, 1, 0);
    coverage_report_free(&r);
    test_rmdir(dir);
    free(dir);
}

/* The round a coverage read looks up: as store_round_get has it, without the counts that
 * read every tube of the round. */
static void round_head_without_counts(void **state)
{
    city *c = *state;
    fk_err err;
    round_rec full, head;
    assert_int_equal(store_round_get(c->f->st, c->round, &full, &err), 0);
    assert_int_equal(store_round_head(c->f->st, c->round, &head, &err), 0);
    assert_int_equal(full.sites, 1);
    assert_int_equal(full.tubes, 1);
    assert_int_equal(full.scanned, 4);
    assert_int_equal(head.sites + head.tubes + head.scanned, 0);
    assert_int_equal(head.id, c->round);
    assert_string_equal(head.name, full.name);
    assert_string_equal(head.area_code, STREET);
    assert_string_equal(head.state, full.state);
    assert_string_equal(head.created_by, full.created_by);
    assert_string_equal(head.kind, full.kind);
    assert_int_equal(head.starts_at, ROUND_START);
    assert_int_equal(head.ends_at, full.ends_at);
    assert_int_equal(head.created_at, full.created_at);
    assert_int_equal(head.parent_id, full.parent_id);
    assert_int_equal(store_round_head(c->f->st, c->round + 100, &head, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
    assert_string_equal(err.field, "round_id");
}

static void scope_and_refusals(void **state)
{
    city *c = *state;
    fk_err err;
    actor lab = {.username = "lab1", .role = "lab", .area_code = COMM_B, .remote = "t"};
    coverage_report r;
    coverage_args a = {.round_id = c->round, .now = ROUND_START + 3600};
    /* a community's lab sees the street's round, narrowed to its community */
    assert_int_equal(coverage_units(c->f->st, c->pol, &lab, &a, &r, &err), 0);
    assert_string_equal(r.area, COMM_B);
    assert_int_equal(r.units.n, 1);
    counts_are(&r.total, 2, 1, 0, 1);
    coverage_report_free(&r);
    a.area = COMM_A;
    assert_int_equal(coverage_units(c->f->st, c->pol, &lab, &a, &r, &err), -1);
    assert_int_equal(err.code, FK_EFORBIDDEN);
    assert_string_equal(err.field, "area");
    a.area = STREET;
    assert_int_equal(coverage_units(c->f->st, c->pol, &lab, &a, &r, &err), -1);
    assert_int_equal(err.code, FK_EFORBIDDEN);

    actor me;
    actor_cli(&me);
    a.area = "510104";      /* above the round's area */
    assert_int_equal(coverage_units(c->f->st, c->pol, &me, &a, &r, &err), -1);
    assert_string_equal(err.field, "area");
    a.area = COMM_A;
    a.level = "street";     /* above the area */
    assert_int_equal(coverage_units(c->f->st, c->pol, &me, &a, &r, &err), -1);
    assert_string_equal(err.field, "level");
    a.level = "building";
    assert_int_equal(coverage_units(c->f->st, c->pol, &me, &a, &r, &err), -1);
    assert_string_equal(err.field, "level");

    actor viewer = {.username = "v", .role = "viewer", .remote = "t"};
    a.level = NULL;
    assert_int_equal(coverage_units(c->f->st, c->pol, &viewer, &a, &r, &err), 0);
    coverage_report_free(&r);
    actor nobody = {.username = "n", .role = "nobody", .remote = "t"};
    assert_int_equal(coverage_units(c->f->st, c->pol, &nobody, &a, &r, &err), -1);
    assert_int_equal(err.code, FK_EFORBIDDEN);
    actor other = {.username = "o", .role = "lab", .area_code = "510105", .remote = "t"};
    a.area = NULL;
    assert_int_equal(coverage_units(c->f->st, c->pol, &other, &a, &r, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
}

static void export_file(void **state)
{
    city *c = *state;
    fk_err err;
    actor me;
    actor_cli(&me);
    char *dir = test_tmpdir(), path[512], line[512];
    snprintf(path, sizeof path, "%s/untested.csv", dir);
    coverage_args a = {.round_id = c->round, .area = COMM_A, .now = ROUND_START + 3600};
    tw *w = tw_open(path, "untested", &err);
    size_t rows = 0;
    assert_non_null(w);
    assert_int_equal(coverage_untested_export(c->f->st, c->pol, &me, &a, w, &rows, &err), 0);
    assert_int_equal(tw_close(w, &err), 0);
    assert_int_equal(rows, 2);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int n = 0;
    while (fgets(line, sizeof line, f))
        n++;
    fclose(f);
    assert_int_equal(n, 3); /* header and two persons */
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(per_community, city_setup, city_teardown),
        cmocka_unit_test_setup_teardown(per_household_and_untested, city_setup, city_teardown),
        cmocka_unit_test_setup_teardown(home_sampling, city_setup, city_teardown),
        cmocka_unit_test_setup_teardown(age_exemption_from_the_policy, city_setup,
                                        city_teardown),
        cmocka_unit_test_setup_teardown(round_head_without_counts, city_setup, city_teardown),
        cmocka_unit_test_setup_teardown(scope_and_refusals, city_setup, city_teardown),
        cmocka_unit_test_setup_teardown(export_file, city_setup, city_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
