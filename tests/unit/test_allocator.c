/* test_allocator.c - the server's writer of allocation batches (services/allocator.h):
 * batches sent at once from many threads all get rooms, each room once, each batch with
 * its audit record; a refused batch among them changes nothing and its neighbours in the
 * same group are stored; threads racing for the last rooms never book one twice; batches
 * submitted without waiting are each answered once, as those of waiting threads are. */
#include "testutil.h"

#include <pthread.h>
#include <sqlite3.h>

#include "policy/policy.h"
#include "services/allocator.h"
#include "store_fixture.h"

#define THREADS 8
#define PER_BATCH 20

typedef struct city {
    char *dir;
    store *st;
    policy *pol;
    allocator *al;
    actor who;
    int64_t pid[THREADS * PER_BATCH];
} city;

/* A community with one building, THREADS * PER_BATCH adults living in it (non-residents
 * placed at the community's centre: the building) and an open facility of `rooms` rooms. */
static city *city_open(int rooms)
{
    fk_err err;
    city *c = calloc(1, sizeof *c);
    c->dir = test_tmpdir();
    c->st = store_open(c->dir, &err);
    assert_non_null(c->st);
    fixture_areas(c->st);
    area g = {.code = "510104001001001", .parent_code = "510104001001", .name = "网格",
              .level = "grid"};
    assert_int_equal(store_area_insert(c->st, &g, &err), 0);
    building b = {.grid_code = "510104001001001", .name = "1栋", .lon = 104.06, .lat = 30.66};
    assert_int_equal(store_building_insert(c->st, &b, &err), 0);
    for (int i = 0; i < THREADS * PER_BATCH; i++) {
        person p = fixture_person("A", i);
        c->pid[i] = fixture_person_insert(c->st, &p);
    }
    facility_rec f = {.name = "F", .area_code = "510104", .lon = 104.07, .lat = 30.67};
    assert_int_equal(store_facility_insert(c->st, &f, NULL, &err), 0);
    char numbers[512][8];
    const char *ptr[512];
    for (int i = 0; i < rooms; i++) {
        snprintf(numbers[i], sizeof numbers[i], "%d", 100 + i);
        ptr[i] = numbers[i];
    }
    assert_int_equal(store_rooms_insert(c->st, f.id, ptr, (size_t)rooms, 1, NULL, &err), 0);
    c->pol = policy_load_builtin("v9", &err);
    assert_non_null(c->pol);
    c->al = allocator_start(c->dir, &err);
    assert_non_null(c->al);
    actor_cli(&c->who);
    return c;
}

static void city_close(city *c)
{
    allocator_stop(c->al);
    policy_free(c->pol);
    store_close(c->st);
    test_rmdir(c->dir);
    free(c->dir);
    free(c);
}

typedef struct worker {
    city *c;
    alloc_request req[PER_BATCH];
    alloc_result out[PER_BATCH];
    size_t n;
    int rc;
    fk_err err;
} worker;

static void *work(void *p)
{
    worker *w = p;
    w->rc = allocator_run(w->c->al, w->c->pol, &w->c->who, w->req, w->n, false, w->out, &w->err);
    return NULL;
}

/* Batch t of the city's persons to worker w[t]. */
static void batches_of_the_city(city *c, worker *w)
{
    for (int t = 0; t < THREADS; t++) {
        w[t].c = c;
        w[t].n = PER_BATCH;
        for (int i = 0; i < PER_BATCH; i++)
            w[t].req[i] = (alloc_request){c->pid[t * PER_BATCH + i], 0};
    }
}

/* Every worker's batch run at once, each on a thread of its own. */
static void run_at_once(worker *w)
{
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, work, &w[t]), 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
}

/* Batch t of the city's persons to worker w[t], then every worker run at once. */
static void run_all(city *c, worker *w)
{
    batches_of_the_city(c, w);
    run_at_once(w);
}

/* The single number `sql` answers, read through a connection of its own. */
static int64_t count_in(const char *dir, const char *sql)
{
    char path[512];
    sqlite3 *db;
    sqlite3_stmt *q;
    snprintf(path, sizeof path, "%s/fangkong.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}
#define count(c, sql) count_in((c)->dir, sql)

/* Rooms held by more than one primary, rooms reserved without a holder (or the reverse). */
static void no_double_booking(city *c)
{
    assert_int_equal(count(c, "SELECT count(*) FROM (SELECT room_id FROM allocations "
                               "WHERE state <> 'ended' AND primary_id IS NULL GROUP BY room_id "
                               "HAVING count(*) > 1)"), 0);
    assert_int_equal(count(c, "SELECT count(*) FROM rooms WHERE state = 'reserved'"),
                     count(c, "SELECT count(DISTINCT room_id) FROM allocations "
                               "WHERE state <> 'ended'"));
}

static void concurrent_batches(void **state)
{
    (void)state;
    city *c = city_open(THREADS * PER_BATCH);
    worker w[THREADS] = {0};
    run_all(c, w);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(w[t].rc, 0);
        for (int i = 0; i < PER_BATCH; i++) {
            assert_int_equal(w[t].out[i].person_id, c->pid[t * PER_BATCH + i]);
            assert_true(w[t].out[i].allocation_id > 0);
            assert_true(w[t].out[i].room_id > 0);
        }
    }
    assert_int_equal(count(c, "SELECT count(*) FROM allocations"), THREADS * PER_BATCH);
    assert_int_equal(count(c, "SELECT count(DISTINCT room_id) FROM allocations"),
                     THREADS * PER_BATCH);
    no_double_booking(c);
    /* one audit record a batch, naming its rows */
    assert_int_equal(count(c, "SELECT count(*) FROM audit WHERE action = 'allocate'"),
                     THREADS);
    assert_int_equal(count(c, "SELECT count(*) FROM audit WHERE action = 'allocate' AND "
                                  "detail LIKE '%: 20 persons'"), THREADS);
    facility_rec f;
    fk_err err;
    assert_int_equal(store_facility_get(c->st, 1, &f, &err), 0);
    assert_int_equal(f.n_vacant, 0);
    assert_int_equal(f.n_reserved, THREADS * PER_BATCH);
    city_close(c);
}

/* One batch repeats a person and one names a person who does not exist: both are refused
 * with the row named and leave nothing behind; the other batches are stored. */
static void refused_batch_alone(void **state)
{
    (void)state;
    city *c = city_open(THREADS * PER_BATCH);
    worker w[THREADS] = {0};
    batches_of_the_city(c, w);
    w[2].req[5].person_id = w[2].req[4].person_id;
    w[5].req[7].person_id = 999999;
    run_at_once(w);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(w[t].rc, t == 2 || t == 5 ? -1 : 0);
    assert_int_equal(w[2].err.code, FK_EINVAL);
    assert_non_null(strstr(w[2].err.message, "persons.5.person_id"));
    assert_int_equal(w[5].err.code, FK_EREF);
    assert_non_null(strstr(w[5].err.message, "persons.7.person_id: no person 999999"));
    assert_int_equal(count(c, "SELECT count(*) FROM allocations"), (THREADS - 2) * PER_BATCH);
    assert_int_equal(count(c, "SELECT count(*) FROM audit WHERE action = 'allocate'"),
                     THREADS - 2);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM allocations WHERE person_id IN (%lld, %lld)",
             (long long)c->pid[2 * PER_BATCH], (long long)c->pid[5 * PER_BATCH]);
    assert_int_equal(count(c, sql), 0);
    no_double_booking(c);
    city_close(c);
}

/* Two batches name one person: the first written gets a room for every person, the other
 * is refused by the schema (the person holds a room by then) and leaves nothing behind,
 * whether the two were written in one group or not; every other batch is stored. */
static void refused_at_write(void **state)
{
    (void)state;
    city *c = city_open(THREADS * PER_BATCH);
    worker w[THREADS] = {0};
    batches_of_the_city(c, w);
    w[6].req[2].person_id = w[3].req[2].person_id;
    run_at_once(w);
    int refused = w[3].rc ? 3 : 6;
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(w[t].rc, t == refused ? -1 : 0);
    assert_int_equal(w[refused].err.code, FK_ECONFLICT);
    assert_non_null(strstr(w[refused].err.message, "persons.2.person_id"));
    assert_non_null(strstr(w[refused].err.message, "already holds room"));
    assert_int_equal(count(c, "SELECT count(*) FROM allocations"), (THREADS - 1) * PER_BATCH);
    assert_int_equal(count(c, "SELECT count(*) FROM audit WHERE action = 'allocate'"),
                     THREADS - 1);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM allocations WHERE person_id = %lld",
             (long long)c->pid[refused * PER_BATCH]);
    assert_int_equal(count(c, sql), 0);
    for (int t = 0; t < THREADS; t++)
        if (t != refused)
            for (int i = 0; i < PER_BATCH; i++)
                assert_true(w[t].out[i].allocation_id > 0);
    no_double_booking(c);
    city_close(c);
}

/* Rooms for half the persons: the batches that came first get them, the others are told
 * there is no free room, and no room is booked twice. */
static void race_for_the_last_rooms(void **state)
{
    (void)state;
    city *c = city_open(THREADS * PER_BATCH / 2);
    worker w[THREADS] = {0};
    run_all(c, w);
    int ok = 0;
    for (int t = 0; t < THREADS; t++) {
        if (w[t].rc == 0) {
            ok++;
            continue;
        }
        assert_int_equal(w[t].err.code, FK_ECONFLICT);
        assert_non_null(strstr(w[t].err.message, "no free room"));
    }
    assert_int_equal(ok, THREADS / 2);
    assert_int_equal(count(c, "SELECT count(*) FROM allocations"), THREADS * PER_BATCH / 2);
    assert_int_equal(count(c, "SELECT count(*) FROM rooms WHERE state = 'vacant'"), 0);
    no_double_booking(c);
    city_close(c);
}

/* Batches submitted from one thread without waiting (as the HTTP workers do): each
 * `done` is called once, after which its answer is read; a refused one among them
 * changes nothing and the others are stored, each room once. */
typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls[THREADS];
} waiter;

typedef struct submitted {
    waiter *wt;
    int t;
} submitted;

static void on_done(void *ctx)
{
    submitted *s = ctx;
    pthread_mutex_lock(&s->wt->mu);
    s->wt->calls[s->t]++;
    pthread_cond_signal(&s->wt->cv);
    pthread_mutex_unlock(&s->wt->mu);
}

static bool all_called(const waiter *wt)
{
    for (int t = 0; t < THREADS; t++)
        if (!wt->calls[t])
            return false;
    return true;
}

static void submitted_batches(void **state)
{
    (void)state;
    city *c = city_open(THREADS * PER_BATCH);
    worker w[THREADS] = {0};
    waiter wt = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    submitted ctx[THREADS];
    allocator_job *jobs[THREADS];
    batches_of_the_city(c, w);
    w[4].req[3].person_id = 999999;
    for (int t = 0; t < THREADS; t++) {
        ctx[t] = (submitted){&wt, t};
        jobs[t] = allocator_submit(c->al, c->pol, &c->who, w[t].req, w[t].n, false, w[t].out,
                                   on_done, &ctx[t]);
        assert_non_null(jobs[t]);
    }
    pthread_mutex_lock(&wt.mu);
    while (!all_called(&wt))
        pthread_cond_wait(&wt.cv, &wt.mu);
    pthread_mutex_unlock(&wt.mu);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(wt.calls[t], 1);
        w[t].rc = allocator_job_end(jobs[t], &w[t].err);
        assert_int_equal(w[t].rc, t == 4 ? -1 : 0);
    }
    assert_int_equal(w[4].err.code, FK_EREF);
    assert_non_null(strstr(w[4].err.message, "persons.3.person_id: no person 999999"));
    for (int i = 0; i < PER_BATCH; i++)
        assert_int_equal(w[0].out[i].person_id, c->pid[i]);
    assert_int_equal(count(c, "SELECT count(*) FROM allocations"), (THREADS - 1) * PER_BATCH);
    assert_int_equal(count(c, "SELECT count(*) FROM audit WHERE action = 'allocate'"),
                     THREADS - 1);
    no_double_booking(c);
    city_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_batches),
        cmocka_unit_test(refused_batch_alone),
        cmocka_unit_test(refused_at_write),
        cmocka_unit_test(race_for_the_last_rooms),
        cmocka_unit_test(submitted_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
