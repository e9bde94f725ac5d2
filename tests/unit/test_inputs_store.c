/*
 * test_inputs_store.c - the store's raw location inputs: pings and detections come back
 * in the engine's order (pings by subject and time, detections by pair and time) within
 * a half-open window, and the stays version moves with any of the three tables.
 */
#include "testutil.h"

#include "store/store.h"

typedef struct fixture { char *dir; store *st; } fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    fk_err err;
    f->dir = test_tmpdir();
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("store_open: %s", err.message);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

typedef struct seen { char text[16][200]; size_t n; } seen;

static int see_ping(void *ctx, const ping_rec *p)
{
    seen *s = ctx;
    snprintf(s->text[s->n++], sizeof s->text[0], "%s@%lld:%s", p->subject, (long long)p->time,
             p->cell);
    return 0;
}

static int see_detection(void *ctx, const detection_rec *d)
{
    seen *s = ctx;
    snprintf(s->text[s->n++], sizeof s->text[0], "%s-%s@%lld:%s", d->a, d->b,
             (long long)d->time, d->source);
    return 0;
}

static int64_t version(store *st)
{
    int64_t v = -1;
    fk_err err;
    assert_int_equal(store_stays_version(st, &v, &err), 0);
    return v;
}

static void add_ping(store *st, const char *subject, int64_t time)
{
    ping_rec p = {0};
    fk_err err;
    snprintf(p.subject, sizeof p.subject, "%s", subject);
    snprintf(p.cell, sizeof p.cell, "G800:%lld:0", (long long)time);
    p.time = time;
    p.lon = 104.06;
    p.lat = 30.67;
    if (store_ping_insert(st, &p, &err) != 0)
        fail_msg("ping: %s", err.message);
}

static void test_pings_order_and_window(void **state)
{
    fixture *f = *state;
    assert_int_equal(version(f->st), 0);
    add_ping(f->st, "b", 300);
    add_ping(f->st, "a", 200);
    add_ping(f->st, "b", 100);
    add_ping(f->st, "a", 400);
    assert_int_equal(version(f->st), 4);
    seen s = {0};
    fk_err err;
    assert_int_equal(store_pings_each(f->st, 0, 0, see_ping, &s, &err), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.text[0], "a@200:G800:200:0");
    assert_string_equal(s.text[1], "a@400:G800:400:0");
    assert_string_equal(s.text[2], "b@100:G800:100:0");
    assert_string_equal(s.text[3], "b@300:G800:300:0");
    seen w = {0};
    assert_int_equal(store_pings_each(f->st, 200, 400, see_ping, &w, &err), 0);
    assert_int_equal(w.n, 2); /* [200, 400): 400 is out */
    assert_string_equal(w.text[0], "a@200:G800:200:0");
    assert_string_equal(w.text[1], "b@300:G800:300:0");
}

static void test_detections_order_and_version(void **state)
{
    fixture *f = *state;
    stay_rec st = {"s", "G1", 10, 20, "stays"};
    fk_err err;
    assert_int_equal(store_stay_insert(f->st, &st, &err), 0);
    int64_t v0 = version(f->st);
    const detection_rec d[] = {{0, "x", "y", 50, ""}, {0, "a", "b", 70, "proximity"},
                               {0, "x", "y", 30, "proximity"}};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(store_detection_insert(f->st, &d[i], &err), 0);
    assert_true(version(f->st) > v0);
    seen s = {0};
    assert_int_equal(store_detections_each(f->st, 0, 0, see_detection, &s, &err), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[0], "a-b@70:proximity");
    assert_string_equal(s.text[1], "x-y@30:proximity");
    assert_string_equal(s.text[2], "x-y@50:proximity"); /* "" stored as the default */
    detection_rec same = {0, "x", "x", 1, ""};
    assert_int_equal(store_detection_insert(f->st, &same, &err), -1); /* the table refuses */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pings_order_and_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detections_order_and_version, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
