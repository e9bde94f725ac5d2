/* test_demo.c - the demo city generator against a real store in a temporary directory. */
#include "testutil.h"

#include "demo/demo.h"
#include "demo/demo_city.h"
#include "model/idcard.h"
#include "model/person.h"
#include "model/phone.h"
#include "store/store.h"

#define N_PERSONS 3000

typedef struct loaded {
    person *p;
    size_t n;
} loaded;

static int by_id(const void *a, const void *b)
{
    const person *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Every person of the store, in id order. */
static loaded load_all(store *st)
{
    loaded l = {0};
    for (int off = 0;; off += 1000) {
        person_filter f = {.limit = 1000, .offset = off};
        person_list pl;
        fk_err err;
        assert_int_equal(store_person_list(st, &f, &pl, &err), 0);
        l.p = realloc(l.p, (l.n + pl.n + 1) * sizeof *l.p);
        if (pl.n)
            memcpy(l.p + l.n, pl.items, pl.n * sizeof *l.p);
        l.n += pl.n;
        size_t got = pl.n;
        person_list_free(&pl);
        if (got < 1000)
            break;
    }
    qsort(l.p, l.n, sizeof *l.p, by_id);
    return l;
}

static store *generate(const char *dir, int64_t persons, uint64_t seed, int accounts,
                       demo_summary *sum)
{
    fk_err err;
    store *st = store_open(dir, &err);
    assert_non_null(st);
    demo_opts o = {.persons = persons, .seed = seed, .skip_accounts = !accounts};
    if (demo_generate(st, &o, sum, &err) != 0)
        fail_msg("demo_generate: %s", err.message);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_identity(const person *p)
{
    idcard_info info;
    fk_err err;
    assert_string_equal(p->id_type, "resident");
    if (idcard_parse(p->id_number, &info, "id_number", &err) != 0)
        fail_msg("%s: %s", p->id_number, err.message);
    assert_int_equal(info.sex, p->sex[0]);
    assert_string_equal(info.birth_date, p->birth_date);
    assert_true(strlen(p->name) >= 6); /* at least two CJK characters */
}

static void check_phones(const loaded *l)
{
    char **phones = calloc(l->n, sizeof *phones);
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (!l->p[i].phone[0])
            continue;
        char canon[20];
        fk_err err;
        assert_int_equal(phone_normalize(l->p[i].phone, canon, sizeof canon, "phone", &err), 0);
        assert_string_equal(canon, l->p[i].phone);
        assert_int_equal(strlen(canon), 11);
        phones[n++] = l->p[i].phone;
    }
    assert_true(n > l->n * 90 / 100 && n < l->n); /* ~3% have none */
    qsort(phones, n, sizeof *phones, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(phones[i - 1], phones[i]))
            fail_msg("phone %s appears twice", phones[i]);
    free(phones);
}

static void test_city_is_valid(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    demo_summary sum;
    store *st = generate(dir, N_PERSONS, 7, 0, &sum);
    assert_int_equal(sum.persons, N_PERSONS);
    loaded l = load_all(st);
    assert_int_equal(l.n, N_PERSONS);
    size_t residents = 0, non_residents = 0;
    int64_t *households = calloc(l.n, sizeof *households);
    size_t n_house = 0;
    for (size_t i = 0; i < l.n; i++) {
        const person *p = &l.p[i];
        check_identity(p);
        if (!strcmp(p->resident_type, "non_resident")) {
            non_residents++;
            assert_int_equal(p->household_id, 0);
            assert_true(p->address[0] != '\0');
            assert_int_equal(strncmp(p->community_code, "5199", 4), 0);
            continue;
        }
        residents++;
        household h;
        fk_err err;
        assert_int_equal(store_household_get(st, p->household_id, &h, &err), 0);
        assert_string_equal(h.community_code, p->community_code);
        assert_int_equal(strncmp(p->community_code, p->id_number, 6), 0); /* district */
        assert_int_equal(strlen(p->community_code), 12);
        if (n_house == 0 || households[n_house - 1] != p->household_id)
            households[n_house++] = p->household_id; /* members are stored together */
    }
    double mean = (double)residents / (double)n_house;
    assert_true(mean >= 2.2 && mean <= 3.0);
    assert_int_equal((int64_t)n_house, sum.households);
    double share = (double)non_residents / (double)l.n;
    assert_true(share >= 0.04 && share <= 0.12);
    check_phones(&l);
    free(households);
    free(l.p);
    store_close(st);
    test_rmdir(dir);
    free(dir);
}

/* name, ID number and phone of every person, in id order */
static char *fingerprint(store *st)
{
    loaded l = load_all(st);
    size_t cap = l.n * 96 + 1, len = 0;
    char *s = malloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < l.n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s|%s|%s\n", l.p[i].name, l.p[i].id_number,
                                l.p[i].phone);
    free(l.p);
    return s;
}

static void test_same_seed_same_city(void **state)
{
    (void)state;
    char *d1 = test_tmpdir(), *d2 = test_tmpdir(), *d3 = test_tmpdir();
    demo_summary s1, s2, s3;
    store *a = generate(d1, N_PERSONS, 42, 0, &s1);
    store *b = generate(d2, N_PERSONS, 42, 0, &s2);
    store *c = generate(d3, N_PERSONS, 43, 0, &s3);
    char *fa = fingerprint(a), *fb = fingerprint(b), *fc = fingerprint(c);
    assert_string_equal(fa, fb);
    assert_string_not_equal(fa, fc);
    assert_int_equal(s1.households, s2.households);
    assert_int_equal(s1.venues, s2.venues);
    free(fa);
    free(fb);
    free(fc);
    store_close(a);
    store_close(b);
    store_close(c);
    test_rmdir(d1);
    test_rmdir(d2);
    test_rmdir(d3);
    free(d1);
    free(d2);
    free(d3);
}

static void test_accounts_and_refusal(void **state)
{
    (void)state;
    static const struct { const char *name, *role; size_t area_len; } want[] = {
        {"admin", "command", 0},     {"liudiao", "epidemiologist", 0}, {"jiedao", "community", 9},
        {"shequ", "community", 12},  {"jiance", "lab", 0},             {"zhuanyun", "transfer", 0},
        {"geli", "quarantine", 0},   {"kakou", "checkpoint", 0},       {"guest", "viewer", 0}};
    char *dir = test_tmpdir();
    demo_summary sum;
    store *st = generate(dir, 500, 1, 1, &sum);
    assert_int_equal(sum.n_accounts, 10);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        user u;
        fk_err err;
        assert_int_equal(store_user_get_by_name(st, want[i].name, &u, &err), 0);
        assert_string_equal(u.role, want[i].role);
        assert_int_equal(strlen(u.area_code), want[i].area_len);
        assert_true(sum.accounts[i].created);
    }
    /* a second city into the same directory is refused and changes nothing */
    demo_opts o = {.persons = 500, .seed = 2};
    fk_err err;
    assert_int_equal(demo_generate(st, &o, &sum, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_non_null(strstr(err.message, "already has a city"));
    store_counts c;
    assert_int_equal(store_counts_get(st, &c, &err), 0);
    assert_int_equal(c.persons, 500);
    store_close(st);
    test_rmdir(dir);
    free(dir);
}

static void test_bad_options(void **state)
{
    (void)state;
    fk_err err;
    demo_opts o = {.persons = 0, .seed = 1, .skip_accounts = 1};
    assert_int_equal(demo_generate(NULL, &o, NULL, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    o = (demo_opts){.persons = 10, .seed = 1, .password = "short"};
    assert_int_equal(demo_generate(NULL, &o, NULL, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    o = (demo_opts){.persons = 10, .seed = 1, .skip_accounts = 1, .days = DEMO_MAX_DAYS + 1};
    assert_int_equal(demo_generate(NULL, &o, NULL, &err), -1);
    assert_string_equal(err.field, "days");
    o = (demo_opts){.persons = 10, .seed = 1, .skip_accounts = 1, .outbreak = 2};
    assert_int_equal(demo_generate(NULL, &o, NULL, &err), -1);
    assert_string_equal(err.field, "outbreak");
}

/* ---- movement and outbreak ------------------------------------------------------ */

static demo_city *city_in_memory(int64_t persons, uint64_t seed, int days, int outbreak,
                                 demo_summary *sum)
{
    demo_opts o = {.persons = persons, .seed = seed, .skip_accounts = 1, .days = days,
                   .outbreak = outbreak};
    demo_city *c = NULL;
    fk_err err;
    if (demo_generate_city(NULL, &o, sum, &c, &err) != 0)
        fail_msg("demo_generate_city: %s", err.message);
    return c;
}

/* Each person's stays: in time order, inside the days, none over two days, cells never
 * overlapping cells nor check-ins check-ins, and every check-in over its venue's cell. */
static void check_person_stays(const demo_city *c, size_t i)
{
    int32_t last_end[2] = {0, 0};
    size_t lo = c->person_stays[i], hi = c->person_stays[i + 1];
    assert_true(hi > lo);
    for (size_t k = lo; k < hi; k++) {
        const demo_stay *s = &c->stays[k];
        assert_int_equal(s->person, (int32_t)i);
        assert_true(s->start < s->end);
        assert_true(s->start >= last_end[s->kind]);
        assert_true(s->end <= c->days * 86400);
        assert_true(s->end - s->start <= 2 * 86400);
        last_end[s->kind] = s->end;
        if (s->kind == DEMO_STAY_VENUE) {
            const demo_stay *cell = &c->stays[k - 1];
            assert_int_equal(cell->kind, DEMO_STAY_CELL);
            assert_int_equal(cell->place, c->venue_cell[s->place]);
            assert_int_equal(cell->start, s->start);
            assert_int_equal(cell->end, s->end);
        }
    }
}

static void test_movement_and_outbreak(void **state)
{
    (void)state;
    const int days = 5, persons = 2000;
    demo_summary a, b, none;
    demo_city *c = city_in_memory(persons, 5, days, 2, &a);
    demo_city *d = city_in_memory(persons, 5, days, 2, &b);
    demo_city *e = city_in_memory(persons, 5, 0, 0, &none);
    assert_int_equal(c->n_persons, e->n_persons);
    /* the new stages draw from their own streams: the city itself is unchanged */
    for (size_t i = 0; i < c->n_persons; i++) {
        assert_int_equal(c->persons[i].phone, e->persons[i].phone);
        assert_int_equal(c->persons[i].venue, e->persons[i].venue);
        assert_string_equal(c->persons[i].id_number, e->persons[i].id_number);
    }
    assert_int_equal(e->n_stays, 0);
    assert_int_equal(none.cell_stays + none.checkins, 0);
    assert_int_equal(none.infected, 0);
    /* a few rows per person and day */
    double per_day = (double)c->n_stays / (double)(c->n_persons * (size_t)days);
    assert_true(per_day > 1.5 && per_day < 5.0);
    assert_int_equal(a.cell_stays + a.checkins, (int64_t)c->n_stays);
    for (size_t i = 0; i < c->n_persons; i++)
        check_person_stays(c, i);
    /* the same seed, the same movement and outbreak */
    assert_int_equal(c->n_stays, d->n_stays);
    for (size_t k = 0; k < c->n_stays; k++) {
        const demo_stay *x = &c->stays[k], *y = &d->stays[k];
        assert_true(x->person == y->person && x->place == y->place && x->start == y->start &&
                    x->end == y->end && x->kind == y->kind);
    }
    assert_int_equal(a.infected, b.infected);
    assert_int_equal(a.cases, b.cases);
    assert_int_equal(a.seeds, 2);
    assert_int_equal(a.links, a.infected - a.seeds);
    assert_true(a.infected <= persons / 100);
    demo_city_free(c);
    demo_city_free(d);
    demo_city_free(e);
}

static void test_outbreak_links_in_store(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    fk_err err;
    store *st = store_open(dir, &err);
    assert_non_null(st);
    demo_opts o = {.persons = 1500, .seed = 3, .skip_accounts = 1, .days = 4, .outbreak = 3};
    demo_summary sum;
    if (demo_generate(st, &o, &sum, &err) != 0)
        fail_msg("demo_generate: %s", err.message);
    outbreak_link_list l;
    assert_int_equal(store_outbreak_links(st, &l, &err), 0);
    assert_int_equal((int64_t)l.n, sum.links);
    assert_true(l.n > 0);
    for (size_t i = 0; i < l.n; i++) {
        person p;
        assert_int_equal(store_person_get(st, l.items[i].infectee_person, &p, &err), 0);
        assert_string_equal(l.items[i].infectee_subject, p.phone[0] ? p.phone : p.id_number);
        assert_true(l.items[i].time >= DEMO_EPOCH && l.items[i].time < DEMO_EPOCH + 4 * 86400);
    }
    /* the store refuses an unknown route and a missing person */
    outbreak_link bad = l.items[0];
    snprintf(bad.route, sizeof bad.route, "telepathy");
    assert_int_equal(store_outbreak_link_insert(st, &bad, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    bad = l.items[0];
    bad.infectee_person = 999999999;
    assert_int_equal(store_outbreak_link_insert(st, &bad, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    outbreak_link_list_free(&l);
    store_counts cnt;
    assert_int_equal(store_counts_get(st, &cnt, &err), 0);
    assert_int_equal(cnt.cases, sum.cases);
    store_close(st);
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_city_is_valid),
        cmocka_unit_test(test_same_seed_same_city),
        cmocka_unit_test(test_accounts_and_refusal),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_movement_and_outbreak),
        cmocka_unit_test(test_outbreak_links_in_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
