/*
 * test_inputs_store.c - the store's raw location inputs: pings and detections come back
 * in the engine's order (pings by subject and time, detections by pair and time) within
 * a half-open window, and the stays version moves with any of the three tables.
 * Stays inserted many at once (packed, migration 0006) read back exactly like single
 * ones: same order, each stay filtered by the window on its own, after-id streaming;
 * a bad stay refuses the batch; a damaged pack is an error, never a crash.
 */
#include "testutil.h"
#include "store_fixture.h"

#include <sqlite3.h>

#include "store/store.h"

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

static int see_stay(void *ctx, const stay_rec *r)
{
    seen *s = ctx;
    if (s->n == 16)
        return 1;
    snprintf(s->text[s->n++], sizeof s->text[0], "%s@%s:%lld-%lld:%s", r->subject, r->place,
             (long long)r->start, (long long)r->end, r->source);
    return 0;
}

static void test_packed_stays(void **state)
{
    fixture *f = *state;
    fk_err err;
    stay_rec one = {"solo", "G9", 5, 6, "interview"};
    /* a's second stay repeats its subject, c's its place: both packed as "the same" */
    stay_rec many[3] = {{"a", "G1", 100, 200, "stays"}, {"a", "V2", 300, 400, "stays"},
                        {"c", "V2", 500, 600, "stays"}};
    assert_int_equal(store_stay_insert(f->st, &one, &err), 0);
    assert_int_equal(store_stays_insert_many(f->st, many, 3, &err), 0);
    int64_t ids[3];
    assert_int_equal(store_input_ids(f->st, ids, &err), 0);
    seen s = {0};
    assert_int_equal(store_stays_each(f->st, 0, 0, see_stay, &s, &err), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.text[0], "solo@G9:5-6:interview");
    assert_string_equal(s.text[1], "a@G1:100-200:stays");
    assert_string_equal(s.text[2], "a@V2:300-400:stays");
    assert_string_equal(s.text[3], "c@V2:500-600:stays");
    s.n = 0;   /* the window cuts inside the pack: only a's second stay overlaps */
    assert_int_equal(store_stays_each(f->st, 250, 450, see_stay, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.text[0], "a@V2:300-400:stays");
    s.n = 0;   /* after the single stay's id: the pack's three */
    assert_int_equal(store_stays_after(f->st, 1, ids[0], see_stay, &s, &err), 0);
    assert_int_equal(s.n, 3);
    stay_rec bad[2] = {{"d", "G1", 10, 20, "stays"}, {"e", "G1", 30, 30, "stays"}};
    assert_int_equal(store_stays_insert_many(f->st, bad, 2, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, "end");
    assert_non_null(strstr(err.message, "stay 1"));
    int64_t after[3];
    assert_int_equal(store_input_ids(f->st, after, &err), 0);
    assert_int_equal(after[0], ids[0]);    /* nothing of the refused batch was written */
}

static void test_damaged_pack(void **state)
{
    fixture *f = *state;
    fk_err err;
    stay_rec many[2] = {{"a", "G1", 100, 200, "stays"}, {"b", "G1", 300, 400, "stays"}};
    assert_int_equal(store_stays_insert_many(f->st, many, 2, &err), 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* cut the pack inside b's times */
    assert_int_equal(sqlite3_exec(db, "UPDATE stays SET pack = substr(pack, 1, length(pack) - 3)",
                                  NULL, NULL, NULL), SQLITE_OK);
    seen s = {0};
    assert_int_equal(store_stays_each(f->st, 0, 0, see_stay, &s, &err), -1);
    assert_int_equal(err.code, FK_EIO);
    assert_non_null(strstr(err.message, "damaged"));
    assert_int_equal(s.n, 1);               /* a was read, b was not made up */
    /* a subject length (127) past the pack's end */
    assert_int_equal(sqlite3_exec(db, "UPDATE stays SET pack = x'7f61'", NULL, NULL, NULL),
                     SQLITE_OK);
    s.n = 0;
    assert_int_equal(store_stays_each(f->st, 0, 0, see_stay, &s, &err), -1);
    assert_int_equal(s.n, 0);
    /* "the previous subject" in the first stay, which has none */
    assert_int_equal(sqlite3_exec(db, "UPDATE stays SET pack = x'000247310a0a'", NULL, NULL,
                                  NULL), SQLITE_OK);
    assert_int_equal(store_stays_each(f->st, 0, 0, see_stay, &s, &err), -1);
    assert_int_equal(s.n, 0);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pings_order_and_window, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_detections_order_and_version, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_packed_stays, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_pack, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
