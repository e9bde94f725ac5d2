/* test_residents.c - the kept residents lookup (services/residents.h, store_residents.h,
 * migration 0036) and its flat table (base/flatmap.h): built from the store and kept;
 * read back and answering as the store; stale (never used) after a person's ID number,
 * type or community changes or a person is deleted, whoever writes it, and built again;
 * not moved by other changes; a person added since missing from it (the callers look
 * them up in the store) until it is refreshed; bytes that do not fit their header, or a
 * store without the version row, never taken as current. */
#include "testutil.h"

#include <sqlite3.h>

#include "base/flatmap.h"
#include "model/idcard.h"
#include "services/residents.h"
#include "store_fixture.h"

/* ---- the flat table ------------------------------------------------------------------- */

static void flatmap_basics(void **state)
{
    (void)state;
    size_t n = 1000, nslots = flatmap_slots(n);
    assert_true(nslots > n);
    flatslot *s = flatmap_alloc(nslots * sizeof *s);
    assert_non_null(s);
    for (uint64_t k = 1; k <= n; k++)
        assert_int_equal(flatmap_put(s, nslots, k * 7919, (uint32_t)k, (uint32_t)(k % 5)), 0);
    assert_int_equal(flatmap_put(s, nslots, 7919, 99, 99), 1); /* there: left as it was */
    /* the bytes copied elsewhere answer the same (what the store keeps) */
    flatslot *copy = malloc(nslots * sizeof *copy);
    memcpy(copy, s, nslots * sizeof *s);
    for (uint64_t k = 1; k <= n; k++) {
        const flatslot *f = flatmap_get(copy, nslots, k * 7919);
        assert_non_null(f);
        assert_int_equal(f->a, k);
        assert_int_equal(f->b, k % 5);
    }
    assert_null(flatmap_get(copy, nslots, 3));
    assert_null(flatmap_get(copy, 0, 7919));
    /* a full table (no empty slot: not made by flatmap_slots) refuses and finds nothing
     * missing without looping */
    flatslot full[3] = {{1, 1, 1}, {2, 2, 2}, {3, 3, 3}};
    assert_int_equal(flatmap_put(full, 3, 4, 4, 4), -1);
    assert_null(flatmap_get(full, 3, 4));
    assert_non_null(flatmap_get(full, 3, 2));
    free(copy);
    free(s);
}

/* ---- the lookup ------------------------------------------------------------------------ */

enum { NP = 40 };

typedef struct town {
    fixture *f;
    char id[NP + 2][19];
    int64_t pid[NP];
} town;

static int64_t add_resident(store *st, const char *id, const char *community, int i)
{
    person p = fixture_person("X", i);
    snprintf(p.id_type, sizeof p.id_type, "resident");
    snprintf(p.id_number, sizeof p.id_number, "%s", id);
    snprintf(p.community_code, sizeof p.community_code, "%s", community);
    return fixture_person_insert(st, &p);
}

static void add_area(store *st, const char *code)
{
    fk_err err;
    area a = {0};
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.parent_code, sizeof a.parent_code, "510104001");
    snprintf(a.level, sizeof a.level, "community");
    snprintf(a.name, sizeof a.name, "area %s", code);
    if (store_area_insert(st, &a, &err) != 0)
        fail_msg("area: %s", err.message);
}

/* NP residents, every third of community ...002; a passport holder; id[NP], id[NP + 1]
 * valid numbers of nobody. */
static void make_town(town *t)
{
    memset(t, 0, sizeof *t);
    t->f = fixture_open();
    fixture_areas(t->f->st);
    add_area(t->f->st, "510104001002");
    for (int i = 0; i < NP + 2; i++)
        idcard_make("510104", 1950 + i, 1 + i % 12, 1 + i % 28, 200 + i, t->id[i]);
    for (int i = 0; i < NP; i++)
        t->pid[i] = add_resident(t->f->st, t->id[i], i % 3 ? "510104001001" : "510104001002", i);
    person p = fixture_person("E", 1); /* a passport: not a resident ID number */
    fixture_person_insert(t->f->st, &p);
}

static void free_town(town *t)
{
    void *s = t->f;
    store_fixture_teardown(&s);
}

static void raw(const town *t, const char *sql)
{
    char path[600];
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/fangkong.db", t->f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

static residents_lookup *open_lookup(town *t, bool save, residents_source want)
{
    fk_err err;
    residents_lookup *lk = NULL;
    residents_source src;
    if (residents_lookup_open(t->f->st, save, &lk, &src, &err) != 0)
        fail_msg("open: %s", err.message);
    assert_int_equal(src, want);
    return lk;
}

/* Every resident answers as the store has them (person_find_by_id_number). */
static void answers_as_store(town *t, const residents_lookup *lk)
{
    fk_err err;
    for (int i = 0; i < NP; i++) {
        person p;
        int64_t id = 0;
        const char *community = NULL;
        int in_store = store_person_find_by_id_number(t->f->st, t->id[i], &p, &err) == 0 &&
                       !strcmp(p.id_type, "resident");
        int found = residents_lookup_find(lk, t->id[i], &id, &community);
        assert_int_equal(found, in_store);
        if (found) {
            assert_int_equal(id, p.id);
            assert_string_equal(community, p.community_code);
        }
    }
}

static void built_kept_read_back(void **state)
{
    (void)state;
    town t;
    make_town(&t);
    fk_err err;
    residents_lookup *lk = open_lookup(&t, true, RESIDENTS_BUILT_SAVED);
    assert_int_equal(residents_lookup_count(lk), NP); /* the passport holder not in it */
    answers_as_store(&t, lk);
    int64_t id;
    const char *c;
    assert_int_equal(residents_lookup_find(lk, t.id[NP], &id, &c), 0);
    residents_lookup_free(lk);
    /* kept: read back, the same answers; nothing to refresh */
    lk = open_lookup(&t, true, RESIDENTS_KEPT);
    assert_int_equal(residents_lookup_count(lk), NP);
    answers_as_store(&t, lk);
    residents_lookup_free(lk);
    assert_int_equal(residents_lookup_refresh(t.f->st, &err), 0);
    /* not saved when not asked: a store without a kept one stays without */
    raw(&t, "DELETE FROM residents_lookup; DELETE FROM residents_lookup_parts");
    lk = open_lookup(&t, false, RESIDENTS_BUILT);
    residents_lookup_free(lk);
    residents_mark now;
    residents_kept kept;
    int has = 1;
    assert_int_equal(store_residents_state(t.f->st, &now, &kept, &has, &err), 0);
    assert_int_equal(has, 0);
    assert_int_equal(residents_lookup_refresh(t.f->st, &err), 1);
    assert_int_equal(store_residents_state(t.f->st, &now, &kept, &has, &err), 0);
    assert_int_equal(has, 1);
    assert_int_equal(kept.from.version, now.version);
    assert_int_equal(kept.from.top, now.top);
    free_town(&t);
}

/* Each change that makes it stale, through the store or the sqlite3 shell's way. */
static void stale_after_changes(void **state)
{
    (void)state;
    town t;
    make_town(&t);
    fk_err err;
    residents_lookup_free(open_lookup(&t, true, RESIDENTS_BUILT_SAVED));
    /* a change of something else (the name, the phone) keeps it current */
    person p;
    assert_int_equal(store_person_get(t.f->st, t.pid[1], &p, &err), 0);
    snprintf(p.name, sizeof p.name, "改名");
    assert_int_equal(store_person_update(t.f->st, &p, NULL, &err), 0);
    raw(&t, "UPDATE persons SET phone = '13800000000' WHERE id = 2");
    residents_lookup_free(open_lookup(&t, true, RESIDENTS_KEPT));
    /* the community, through the store: stale, built again with the new one */
    snprintf(p.community_code, sizeof p.community_code, "510104001002");
    assert_int_equal(store_person_update(t.f->st, &p, NULL, &err), 0);
    residents_lookup *lk = open_lookup(&t, true, RESIDENTS_BUILT_SAVED);
    int64_t id;
    const char *c;
    assert_int_equal(residents_lookup_find(lk, t.id[1], &id, &c), 1);
    assert_string_equal(c, "510104001002");
    residents_lookup_free(lk);
    /* the ID number, its type, a deletion: each by hand (triggers, not the service) */
    const char *changes[] = {
        "UPDATE persons SET id_number = '%s' WHERE id = %lld",
        "UPDATE persons SET id_type = 'passport' WHERE id = %lld",
        "DELETE FROM persons WHERE id = %lld",
    };
    char sql[256];
    snprintf(sql, sizeof sql, changes[0], t.id[NP], (long long)t.pid[4]);
    raw(&t, sql);
    lk = open_lookup(&t, true, RESIDENTS_BUILT_SAVED);
    assert_int_equal(residents_lookup_find(lk, t.id[4], &id, &c), 0);
    assert_int_equal(residents_lookup_find(lk, t.id[NP], &id, &c), 1);
    assert_int_equal(id, t.pid[4]);
    residents_lookup_free(lk);
    snprintf(sql, sizeof sql, changes[1], (long long)t.pid[5]);
    raw(&t, sql);
    lk = open_lookup(&t, true, RESIDENTS_BUILT_SAVED);
    assert_int_equal(residents_lookup_find(lk, t.id[5], &id, &c), 0);
    residents_lookup_free(lk);
    snprintf(sql, sizeof sql, changes[2], (long long)t.pid[6]);
    raw(&t, sql);
    lk = open_lookup(&t, true, RESIDENTS_BUILT_SAVED);
    assert_int_equal(residents_lookup_find(lk, t.id[6], &id, &c), 0);
    answers_as_store(&t, lk);
    residents_lookup_free(lk);
    free_town(&t);
}

/* A person added since: not in the kept lookup (still current: the callers look them up
 * in the store) until refreshed; many added (over a sixteenth): built again at open. */
static void added_since(void **state)
{
    (void)state;
    town t;
    make_town(&t);
    fk_err err;
    residents_lookup_free(open_lookup(&t, true, RESIDENTS_BUILT_SAVED));
    int64_t newer = add_resident(t.f->st, t.id[NP], "510104001001", NP);
    residents_lookup *lk = open_lookup(&t, true, RESIDENTS_KEPT);
    int64_t id;
    const char *c;
    assert_int_equal(residents_lookup_find(lk, t.id[NP], &id, &c), 0);
    residents_lookup_free(lk);
    assert_int_equal(residents_lookup_refresh(t.f->st, &err), 1);
    lk = open_lookup(&t, true, RESIDENTS_KEPT);
    assert_int_equal(residents_lookup_find(lk, t.id[NP], &id, &c), 1);
    assert_int_equal(id, newer);
    residents_lookup_free(lk);
    /* NP / 16 + 1 more: open builds it again */
    for (int i = 0; i <= NP / 16; i++) {
        char idn[19];
        idcard_make("510104", 1930, 1, 1 + i, 300 + i, idn);
        add_resident(t.f->st, idn, "510104001001", 100 + i);
    }
    residents_lookup_free(open_lookup(&t, true, RESIDENTS_BUILT_SAVED));
    free_town(&t);
}

/* Bytes that do not fit their header, and a store without the version row. */
static void never_current(void **state)
{
    (void)state;
    town t;
    make_town(&t);
    fk_err err;
    residents_lookup_free(open_lookup(&t, true, RESIDENTS_BUILT_SAVED));
    raw(&t, "UPDATE residents_lookup_parts SET body = zeroblob(length(body))");
    residents_lookup *lk = open_lookup(&t, true, RESIDENTS_BUILT_SAVED);
    answers_as_store(&t, lk);
    residents_lookup_free(lk);
    raw(&t, "UPDATE residents_lookup SET bytes = bytes + 16");
    residents_lookup_free(open_lookup(&t, true, RESIDENTS_BUILT_SAVED));
    raw(&t, "DELETE FROM residents_lookup_parts");
    residents_lookup_free(open_lookup(&t, true, RESIDENTS_BUILT_SAVED));
    /* without the version row: built every time, never saved, never refreshed */
    raw(&t, "DELETE FROM residents_version");
    lk = open_lookup(&t, true, RESIDENTS_BUILT);
    answers_as_store(&t, lk);
    residents_lookup_free(lk);
    assert_int_equal(residents_lookup_refresh(t.f->st, &err), 0);
    free_town(&t);
}

/* The keeper builds it on its own thread at start. */
static void keeper_builds(void **state)
{
    (void)state;
    town t;
    make_town(&t);
    fk_err err;
    residents_keeper *k = residents_keeper_start(t.f->dir, 3600, &err);
    assert_non_null(k);
    residents_mark now;
    residents_kept kept;
    int has = 0;
    for (int i = 0; i < 600 && !has; i++) { /* up to a minute: a loaded machine */
        assert_int_equal(store_residents_state(t.f->st, &now, &kept, &has, &err), 0);
        if (!has)
            usleep(100 * 1000);
    }
    residents_keeper_stop(k);
    assert_int_equal(has, 1);
    assert_int_equal(kept.from.version, now.version);
    residents_lookup_free(open_lookup(&t, true, RESIDENTS_KEPT));
    free_town(&t);
}

/* With the server's checkpointer running, the keeper waits for the writes to pause: not
 * while a burst of writes is announced (as a case's push announces it), then it builds. */
static void keeper_waits_for_quiet_writes(void **state)
{
    (void)state;
    town t;
    make_town(&t);
    fk_err err;
    store_checkpointer *c = store_checkpointer_start(t.f->dir, NULL, &err);
    assert_non_null(c);
    store_writes_pending(true);
    residents_keeper *k = residents_keeper_start(t.f->dir, 3600, &err);
    assert_non_null(k);
    residents_mark now;
    residents_kept kept;
    int has = 0;
    usleep(500 * 1000); /* time enough to build 12 persons, had it not waited */
    assert_int_equal(store_residents_state(t.f->st, &now, &kept, &has, &err), 0);
    assert_int_equal(has, 0);
    store_writes_pending(false);
    for (int i = 0; i < 600 && !has; i++) { /* 2 s of quiet, then the build; a minute */
        assert_int_equal(store_residents_state(t.f->st, &now, &kept, &has, &err), 0);
        if (!has)
            usleep(100 * 1000);
    }
    residents_keeper_stop(k);
    store_checkpointer_stop(c);
    assert_int_equal(has, 1);
    assert_int_equal(kept.from.version, now.version);
    free_town(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flatmap_basics),
        cmocka_unit_test(built_kept_read_back),
        cmocka_unit_test(stale_after_changes),
        cmocka_unit_test(added_since),
        cmocka_unit_test(never_current),
        cmocka_unit_test(keeper_builds),
        cmocka_unit_test(keeper_waits_for_quiet_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
