/*
 * test_presence.c - grid cells at known coordinates and at cell boundaries (expected
 * names computed independently from the formula of presence.h), and the pings ->
 * presence converter at its edges: a gap of exactly the cap, one second more, merging
 * in one cell, the last ping, equal times, out-of-order input.
 */
#include "testutil.h"

#include <math.h>

#include "trace/presence.h"

/* ---- grid cells -------------------------------------------------------------------- */

static void expect_cell(double lon, double lat, int64_t grid_m, const char *want)
{
    char out[TRACE_CELL_MAX];
    fk_err err;
    if (trace_grid_cell(lon, lat, grid_m, out, &err) != 0)
        fail_msg("(%f, %f, %lld): %s", lon, lat, (long long)grid_m, err.message);
    assert_string_equal(out, want);
}

static void test_cells_known(void **state)
{
    (void)state;
    expect_cell(104.06, 30.67, 800, "G800:4267:12454");     /* Chengdu */
    expect_cell(116.3975, 39.9087, 500, "G500:8885:19878"); /* Beijing */
    expect_cell(0, 0, 800, "G800:0:0");
    expect_cell(-0.0001, -0.0001, 800, "G800:-1:-1");       /* floor, not truncation */
    expect_cell(180, 90, 800, "G800:12523:0");              /* the edges are inside */
    expect_cell(-180, -90, 800, "G800:-12524:-1");
}

/* With grid_m = 111320 a row is one degree of latitude, and a column of row r is
 * 1 / cos(r + 0.5 degrees) degrees of longitude wide. */
static void test_cells_boundaries(void **state)
{
    (void)state;
    expect_cell(0.5, 1.0, 111320, "G111320:1:0");       /* a row starts at its edge */
    expect_cell(0.5, 0.9999999, 111320, "G111320:0:0");
    /* row 1: the column edge is at 1/cos(1.5 deg) = 1.000343 */
    expect_cell(1.0003, 1.0, 111320, "G111320:1:0");
    expect_cell(1.0004, 1.0, 111320, "G111320:1:1");
    /* row 0: the edge is at 1/cos(0.5 deg) = 1.000038, so the same longitude changes
     * column with the row (the cosine is the row centre's, not the point's) */
    expect_cell(1.0002, 0.9999999, 111320, "G111320:0:1");
    expect_cell(1.0002, 1.5, 111320, "G111320:1:0");
    expect_cell(1.0002, 1.9999999, 111320, "G111320:1:0");
}

static void test_cells_refused(void **state)
{
    (void)state;
    char out[TRACE_CELL_MAX];
    fk_err err;
    assert_int_equal(trace_grid_cell(NAN, 30, 800, out, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, "lon");
    assert_int_equal(trace_grid_cell(104, NAN, 800, out, &err), -1);
    assert_string_equal(err.field, "lat");
    assert_int_equal(trace_grid_cell(180.0001, 30, 800, out, &err), -1);
    assert_int_equal(trace_grid_cell(-180.0001, 30, 800, out, &err), -1);
    assert_int_equal(trace_grid_cell(104, 90.5, 800, out, &err), -1);
    assert_int_equal(trace_grid_cell(104, -91, 800, out, &err), -1);
    assert_int_equal(trace_grid_cell(104, 30, 0, out, &err), -1);
    assert_string_equal(err.field, "grid_m");
    assert_int_equal(trace_grid_cell(104, 30, -800, out, &err), -1);
    assert_int_equal(trace_grid_cell(INFINITY, 30, 800, out, &err), -1);
}

/* ---- pings -> presence ------------------------------------------------------------- */

#define GAP 1800

typedef struct got {
    char subject[16], cell[16];
    int64_t start, end;
} got;

typedef struct sink {
    got items[16];
    size_t n;
    size_t stop_after; /* emit returns 1 once n reaches it (0 = never) */
} sink;

static int collect(void *ctx, const char *subject, const char *cell, int64_t start,
                   int64_t end)
{
    sink *s = ctx;
    if (s->stop_after && s->n >= s->stop_after)
        return 1;
    assert_true(s->n < 16);
    got *g = &s->items[s->n++];
    snprintf(g->subject, sizeof g->subject, "%s", subject);
    snprintf(g->cell, sizeof g->cell, "%s", cell);
    g->start = start;
    g->end = end;
    return 0;
}

typedef struct ping { const char *subject; int64_t time; const char *cell; } ping;

/* Feeds pings[0..n) and finishes; every call must succeed. */
static void convert(const ping *p, size_t n, sink *s)
{
    fk_err err;
    trace_pings *tp = trace_pings_new(GAP, collect, s);
    assert_non_null(tp);
    for (size_t i = 0; i < n; i++)
        if (trace_pings_add(tp, p[i].subject, p[i].time, p[i].cell, &err) != 0)
            fail_msg("ping %zu: %s", i, err.message);
    if (trace_pings_finish(tp, &err) != 0)
        fail_msg("finish: %s", err.message);
    trace_pings_free(tp);
}

static void expect_got(const sink *s, size_t i, const char *subject, const char *cell,
                       int64_t start, int64_t end)
{
    assert_true(i < s->n);
    assert_string_equal(s->items[i].subject, subject);
    assert_string_equal(s->items[i].cell, cell);
    assert_int_equal(s->items[i].start, start);
    assert_int_equal(s->items[i].end, end);
}

static void test_gap_at_cap(void **state)
{
    (void)state;
    const ping p[] = {{"s", 1000, "A"}, {"s", 1000 + GAP, "B"}};
    sink s = {0};
    convert(p, 2, &s);
    assert_int_equal(s.n, 1); /* B is the last ping: nothing */
    expect_got(&s, 0, "s", "A", 1000, 1000 + GAP);
}

static void test_gap_above_cap(void **state)
{
    (void)state;
    const ping p[] = {{"s", 1000, "A"}, {"s", 1000 + GAP + 1, "B"}, {"s", 5000, "C"}};
    sink s = {0};
    convert(p, 3, &s);
    assert_int_equal(s.n, 2);
    expect_got(&s, 0, "s", "A", 1000, 1000 + GAP); /* capped: the last second unknown */
    expect_got(&s, 1, "s", "B", 1000 + GAP + 1, 1000 + 2 * GAP + 1);
}

static void test_same_cell_merge(void **state)
{
    (void)state;
    const ping p[] = {{"s", 0, "A"},    {"s", 600, "A"},  {"s", 1200, "A"}, {"s", 1500, "B"},
                      {"s", 1600, "A"}, {"s", 9000, "A"}, {"s", 9100, "A"}};
    sink s = {0};
    convert(p, 7, &s);
    assert_int_equal(s.n, 4);
    expect_got(&s, 0, "s", "A", 0, 1500);     /* three touching pieces, one stay */
    expect_got(&s, 1, "s", "B", 1500, 1600);
    expect_got(&s, 2, "s", "A", 1600, 1600 + GAP);
    expect_got(&s, 3, "s", "A", 9000, 9100);  /* an uncovered gap: not merged */
}

static void test_last_ping_and_subjects(void **state)
{
    (void)state;
    const ping p[] = {{"a", 0, "A"}, {"a", 100, "A"}, {"b", 50, "B"}, {"c", 10, "C"},
                      {"c", 70, "C"}};
    sink s = {0};
    convert(p, 5, &s);
    assert_int_equal(s.n, 2); /* b's only ping gives nothing */
    expect_got(&s, 0, "a", "A", 0, 100);
    expect_got(&s, 1, "c", "C", 10, 70);
    sink none = {0};
    convert(p + 2, 1, &none);
    assert_int_equal(none.n, 0);
}

static void test_same_time(void **state)
{
    (void)state;
    const ping p[] = {{"s", 0, "A"}, {"s", 0, "B"}, {"s", 100, "C"}};
    sink s = {0};
    convert(p, 3, &s);
    assert_int_equal(s.n, 1); /* the first of two pings at 0 gives nothing */
    expect_got(&s, 0, "s", "B", 0, 100);
}

static void test_out_of_order(void **state)
{
    (void)state;
    sink s = {0};
    fk_err err;
    trace_pings *tp = trace_pings_new(GAP, collect, &s);
    assert_int_equal(trace_pings_add(tp, "s", 100, "A", &err), 0);
    assert_int_equal(trace_pings_add(tp, "s", 99, "A", &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_int_equal(trace_pings_finish(tp, &err), -1); /* a failed conversion stays failed */
    trace_pings_free(tp);

    tp = trace_pings_new(GAP, collect, &s);
    assert_int_equal(trace_pings_add(tp, "b", 100, "A", &err), 0);
    assert_int_equal(trace_pings_add(tp, "a", 200, "A", &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    trace_pings_free(tp);
    assert_int_equal(s.n, 0);

    assert_null(trace_pings_new(0, collect, &s));
    assert_null(trace_pings_new(GAP, NULL, &s));
}

static void test_consumer_stops(void **state)
{
    (void)state;
    sink s = {.stop_after = 1};
    fk_err err;
    trace_pings *tp = trace_pings_new(GAP, collect, &s);
    assert_int_equal(trace_pings_add(tp, "s", 0, "A", &err), 0);
    assert_int_equal(trace_pings_add(tp, "s", 10, "B", &err), 0);
    assert_int_equal(trace_pings_add(tp, "s", 20, "C", &err), 0);  /* A leaves */
    assert_int_equal(trace_pings_add(tp, "s", 30, "D", &err), -1); /* B is refused */
    assert_int_equal(err.code, FK_EBUSY);
    trace_pings_free(tp);
    assert_int_equal(s.n, 1);
    expect_got(&s, 0, "s", "A", 0, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells_known),
        cmocka_unit_test(test_cells_boundaries),
        cmocka_unit_test(test_cells_refused),
        cmocka_unit_test(test_gap_at_cap),
        cmocka_unit_test(test_gap_above_cap),
        cmocka_unit_test(test_same_cell_merge),
        cmocka_unit_test(test_last_ping_and_subjects),
        cmocka_unit_test(test_same_time),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_consumer_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
