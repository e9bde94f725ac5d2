/*
 * test_trace.c - the trace index and the time-space companion rule at its edges, the
 * rule read from the shipped policies, and equality with a brute-force reference
 * implementation (below, sharing no code with src/trace) on random data.
 */
#include "testutil.h"

#include <stdbool.h>

#include "policy/policy.h"
#include "trace/trace.h"

#define H 3600
#define DAY 86400

static const trace_rules V9 = {600, 108000, 14 * DAY};

typedef struct run { trace_contact_list l; int rc; fk_err err; } run;

/* Build an index over st[0..n) and query it; the index is freed again. */
static run query(const trace_stay *st, size_t n, const char *c, int64_t from, int64_t to,
                 const trace_rules *r)
{
    run out = {0};
    trace_index *ix = trace_index_build(st, n, &out.err);
    if (!ix)
        fail_msg("build: %s", out.err.message);
    assert_int_equal(trace_index_records(ix), n);
    out.rc = trace_companions(ix, c, from, to, r, &out.l, &out.err);
    trace_index_free(ix);
    return out;
}

/* Assert row i is (subject, place, first, overlap). */
static void expect_row(const run *r, size_t i, const char *s, const char *p, int64_t first,
                       int64_t ov)
{
    assert_true(i < r->l.n);
    assert_string_equal(r->l.items[i].subject, s);
    assert_string_equal(r->l.items[i].place, p);
    assert_string_equal(r->l.items[i].kind, "companion");
    assert_int_equal(r->l.items[i].first_overlap, first);
    assert_int_equal(r->l.items[i].overlap_s, ov);
}

static void test_exact_minimum(void **state)
{
    (void)state;
    const trace_stay st[] = {
        {"case", "P", 0, 200000},
        {"b600", "P", 1000, 1600},
        {"c599", "P", 1000, 1599},
    };
    run r = query(st, 3, "case", 0, 200000, &V9);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.l.n, 1);
    expect_row(&r, 0, "b600", "P", 1000, 600);
    trace_contact_list_free(&r.l);
}

static void test_cumulative_one_place_only(void **state)
{
    (void)state;
    const trace_stay st[] = {
        {"case", "P", 0, 200000}, {"case", "Q", 0, 200000},
        {"b", "P", 1000, 1200}, {"b", "P", 5000, 5200}, {"b", "P", 9000, 9200},
        {"d", "P", 1000, 1300}, {"d", "Q", 1000, 1300},
    };
    run r = query(st, 7, "case", 0, 200000, &V9);
    assert_int_equal(r.l.n, 1);
    expect_row(&r, 0, "b", "P", 1000, 600);
    trace_contact_list_free(&r.l);
}

static void test_dwell_sides(void **state)
{
    (void)state;
    /* Case long in P (dwell met), short in Q, R; subjects vary. */
    const trace_stay st[] = {
        {"case", "P", 0, 108000},
        {"case", "Q", 0, 1000},
        {"case", "R", 0, 100000},
        {"s1", "P", 0, 1000},          /* case's dwell carries it */
        {"s2", "Q", 0, 108000},        /* the subject's dwell carries it */
        {"s3", "R", 0, 107999},        /* neither: 100000 s overlap is not enough */
    };
    run r = query(st, 6, "case", 0, 200000, &V9);
    assert_int_equal(r.l.n, 2);
    expect_row(&r, 0, "s1", "P", 0, 1000);
    expect_row(&r, 1, "s2", "Q", 0, 1000);
    trace_contact_list_free(&r.l);
}

static void test_dwell_lookback(void **state)
{
    (void)state;
    int64_t to = 30 * DAY, from = to - DAY;
    const trace_stay st[] = {
        {"case", "P", to - 15 * DAY - 40 * H, to - 15 * DAY}, /* 40 h, 15 days ago */
        {"case", "P", from, from + H},
        {"b", "P", from, from + H},
        {"case", "Q", to - 12 * DAY - 40 * H, to - 12 * DAY}, /* 40 h, 12 days ago */
        {"case", "Q", from, from + H},
        {"c", "Q", from, from + H},
        /* straddles to - 14 d: only 29 h inside, plus 1 h now = 30 h */
        {"d", "R", to - 14 * DAY - 11 * H, to - 14 * DAY + 29 * H},
        {"d", "R", from, from + H},
        {"case", "R", from, from + H},
        /* same, one second short */
        {"e", "S", to - 14 * DAY - 11 * H, to - 14 * DAY + 29 * H - 1},
        {"e", "S", from, from + H},
        {"case", "S", from, from + H},
    };
    run r = query(st, sizeof st / sizeof st[0], "case", from, to, &V9);
    assert_int_equal(r.l.n, 2);
    expect_row(&r, 0, "c", "Q", from, H);
    expect_row(&r, 1, "d", "R", from, H);
    trace_contact_list_free(&r.l);
}

static void test_window_edges(void **state)
{
    (void)state;
    int64_t from = 10 * DAY, to = 11 * DAY;
    const trace_stay st[] = {
        {"case", "P", 0, 20 * DAY},
        {"a", "P", from - 500, from + 700},  /* 700 inside */
        {"b", "P", from - 500, from + 500},  /* 500 inside */
        {"c", "P", to - 599, to + 1000},     /* 599 inside */
        {"d", "P", to - 600, to + 1000},     /* 600 inside */
        {"e", "P", from - 5000, from},       /* touches the window only */
    };
    run r = query(st, 6, "case", from, to, &V9);
    assert_int_equal(r.l.n, 2);
    expect_row(&r, 0, "a", "P", from, 700);
    expect_row(&r, 1, "d", "P", to - 600, 600);
    trace_contact_list_free(&r.l);
}

static void test_merged_intervals(void **state)
{
    (void)state;
    const trace_stay st[] = {
        {"case", "P", 0, 200000}, {"case", "P", 0, 200000}, {"case", "P", 500, 3000},
        {"b", "P", 1000, 1400}, {"b", "P", 1200, 1500}, {"b", "P", 1500, 1599}, /* 599 */
        {"c", "P", 1000, 1300}, {"c", "P", 1300, 1600}, {"c", "P", 1100, 1200}, /* 600 */
        /* dwell of one subject not double counted: 60000 twice over one span */
        {"case", "Q", 0, 1000},
        {"d", "Q", 0, 60000}, {"d", "Q", 0, 60000},
    };
    run r = query(st, sizeof st / sizeof st[0], "case", 0, 200000, &V9);
    assert_int_equal(r.l.n, 1);
    expect_row(&r, 0, "c", "P", 1000, 600);
    trace_contact_list_free(&r.l);
}

static void test_unknown_case_and_sorting(void **state)
{
    (void)state;
    const trace_stay st[] = {
        {"case", "P2", 0, 200000}, {"case", "P1", 0, 200000},
        {"zz", "P1", 0, 1000}, {"aa", "P2", 50, 1000}, {"zz", "P2", 0, 1000},
        {"aa", "P1", 100, 1000},
    };
    run r = query(st, 6, "nobody", 0, 200000, &V9);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.l.n, 0);
    assert_null(r.l.items);
    r = query(st, 6, "case", 0, 200000, &V9);
    assert_int_equal(r.l.n, 4);
    expect_row(&r, 0, "aa", "P1", 100, 900);
    expect_row(&r, 1, "aa", "P2", 50, 950);
    expect_row(&r, 2, "zz", "P1", 0, 1000);
    expect_row(&r, 3, "zz", "P2", 0, 1000);
    trace_contact_list_free(&r.l);
}

static void expect_refused(const trace_stay *st, const char *field)
{
    fk_err err = {0};
    trace_index *ix = trace_index_build(st, 1, &err);
    assert_null(ix);
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, field);
}

static void test_bad_records(void **state)
{
    (void)state;
    expect_refused(&(trace_stay){"a", "P", 10, 10}, "end");
    expect_refused(&(trace_stay){"a", "P", 10, 9}, "end");
    expect_refused(&(trace_stay){"a", "P", -1, 9}, "start");
    expect_refused(&(trace_stay){"", "P", 0, 9}, "subject");
    expect_refused(&(trace_stay){NULL, "P", 0, 9}, "subject");
    expect_refused(&(trace_stay){"a", "", 0, 9}, "place");
    expect_refused(&(trace_stay){"a", NULL, 0, 9}, "place");
    expect_refused(&(trace_stay){"a", "0123456789012345678901234567890123", 0, 9}, "place");
    /* a bad record anywhere refuses the batch */
    const trace_stay st[] = {{"a", "P", 0, 9}, {"b", "P", 5, 4}};
    fk_err err = {0};
    assert_null(trace_index_build(st, 2, &err));
    assert_string_equal(err.field, "end");
    assert_non_null(strstr(err.message, "stay 1"));
    /* an empty index answers empty; a reversed window is refused */
    trace_index *ix = trace_index_build(NULL, 0, &err);
    assert_non_null(ix);
    trace_contact_list l;
    assert_int_equal(trace_companions(ix, "a", 0, 10, &V9, &l, &err), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(trace_companions(ix, "a", 10, 10, &V9, &l, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    trace_index_free(ix);
}

static void test_rules_from_policy(void **state)
{
    (void)state;
    const char *ids[] = {"v9", "v8", "m20", "x10"};
    for (size_t i = 0; i < 4; i++) {
        fk_err err = {0};
        policy *p = policy_load_builtin(ids[i], &err);
        assert_non_null(p);
        bool on = false;
        int64_t min, dwell, days;
        assert_int_equal(policy_get_bool(p, "companion.enabled", &on, &err), 0);
        assert_int_equal(policy_get_int(p, "companion.min_overlap_s", &min, &err), 0);
        assert_int_equal(policy_get_int(p, "companion.dwell_s", &dwell, &err), 0);
        assert_int_equal(policy_get_int(p, "companion.lookback_days", &days, &err), 0);
        trace_rules r = {0};
        int rc = trace_rules_from_policy(p, &r, &err);
        if (i == 0) {
            assert_true(on);
            assert_int_equal(r.min_overlap_s, 600);
            assert_int_equal(r.dwell_s, 108000);
            assert_int_equal(r.lookback_s, 14 * DAY);
        }
        if (on) {
            assert_int_equal(rc, 0);
            assert_int_equal(r.min_overlap_s, min);
            assert_int_equal(r.dwell_s, dwell);
            assert_int_equal(r.lookback_s, days * DAY);
        } else {
            assert_int_equal(rc, -1);
            assert_int_equal(err.code, FK_ECONFLICT);
            assert_string_equal(err.field, "companion.enabled");
        }
        policy_free(p);
    }
}

/* ---- brute-force reference: raw stays, elementary segments, no merging ---- */

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(uint64_t n)
{
    return test_xorshift(&rng_state, n);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool covered(const trace_stay *st, size_t n, const char *s, const char *p, int64_t x)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(st[i].subject, s) == 0 && strcmp(st[i].place, p) == 0 &&
            st[i].start <= x && x < st[i].end)
            return true;
    return false;
}

/* Seconds in [lo, hi) where a (and b, unless NULL) was at p; *first (OUT). */
static int64_t ref_measure(const trace_stay *st, size_t n, const char *a, const char *b,
                           const char *p, int64_t lo, int64_t hi, int64_t *first)
{
    int64_t *pts = malloc((2 * n + 2) * sizeof *pts);
    size_t np = 0;
    pts[np++] = lo;
    pts[np++] = hi;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(st[i].place, p) != 0 ||
            (strcmp(st[i].subject, a) != 0 && (!b || strcmp(st[i].subject, b) != 0)))
            continue;
        if (st[i].start > lo && st[i].start < hi)
            pts[np++] = st[i].start;
        if (st[i].end > lo && st[i].end < hi)
            pts[np++] = st[i].end;
    }
    qsort(pts, np, sizeof *pts, cmp_i64);
    int64_t sum = 0;
    for (size_t k = 0; k + 1 < np; k++) {
        if (pts[k] == pts[k + 1] || !covered(st, n, a, p, pts[k]) ||
            (b && !covered(st, n, b, p, pts[k])))
            continue;
        if (sum == 0 && first)
            *first = pts[k];
        sum += pts[k + 1] - pts[k];
    }
    free(pts);
    return sum;
}

enum { NSUBJ = 300, NPLACE = 40, NSTAY = 5000 };
static char subj_names[NSUBJ][16], place_names[NPLACE][16];

/* The stays of a or b (at place p, unless NULL), to keep the reference affordable. */
static size_t ref_pick(const trace_stay *st, size_t n, const char *a, const char *b,
                       const char *p, trace_stay *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if ((!p || strcmp(st[i].place, p) == 0) &&
            (strcmp(st[i].subject, a) == 0 || strcmp(st[i].subject, b) == 0))
            out[m++] = st[i];
    return m;
}

/* Reference rows for one case, in (subject, place) order; returns how many. */
static size_t ref_companions(const trace_stay *st, size_t n, const char *c, int64_t from,
                             int64_t to, const trace_rules *r, trace_contact *rows,
                             size_t *dwell_rejects)
{
    trace_stay *two = malloc(n * sizeof *two), *pick = malloc(n * sizeof *pick);
    size_t nr = 0;
    for (int s = 0; s < NSUBJ; s++) {
        if (strcmp(subj_names[s], c) == 0)
            continue;
        size_t n2 = ref_pick(st, n, c, subj_names[s], NULL, two);
        for (int p = 0; p < NPLACE; p++) {
            size_t m = ref_pick(two, n2, c, subj_names[s], place_names[p], pick);
            int64_t first = 0;
            int64_t ov = ref_measure(pick, m, c, subj_names[s], place_names[p], from, to, &first);
            if (ov == 0 || ov < r->min_overlap_s)
                continue;
            int64_t dc = ref_measure(pick, m, c, NULL, place_names[p], to - r->lookback_s, to, NULL);
            int64_t ds = ref_measure(pick, m, subj_names[s], NULL, place_names[p],
                                     to - r->lookback_s, to, NULL);
            if (dc < r->dwell_s && ds < r->dwell_s) {
                (*dwell_rejects)++;
                continue;
            }
            trace_contact *t = &rows[nr++];
            memcpy(t->subject, subj_names[s], sizeof subj_names[s]);
            memcpy(t->place, place_names[p], sizeof place_names[p]);
            t->first_overlap = first;
            t->overlap_s = ov;
        }
    }
    free(two);
    free(pick);
    return nr;
}

static int64_t rnd_duration(void)
{
    uint64_t k = rnd(10);
    if (k < 6)
        return 60 + (int64_t)rnd(2 * H);
    if (k < 9)
        return 2 * H + (int64_t)rnd(DAY);
    return DAY + (int64_t)rnd(2 * DAY);
}

static void compare_random(const trace_index *ix, const trace_stay *st, const trace_rules *r,
                           size_t *total, size_t *rejects)
{
    trace_contact *rows = malloc(NSUBJ * NPLACE * sizeof *rows);
    for (int q = 0; q < 20; q++) {
        const char *c = subj_names[rnd(NSUBJ)];
        int64_t from = (int64_t)rnd(20 * DAY), to = from + 1 + (int64_t)rnd(7 * DAY);
        size_t nr = ref_companions(st, NSTAY, c, from, to, r, rows, rejects);
        trace_contact_list l;
        fk_err err = {0};
        assert_int_equal(trace_companions(ix, c, from, to, r, &l, &err), 0);
        assert_int_equal(l.n, nr);
        for (size_t i = 0; i < nr; i++) {
            assert_string_equal(l.items[i].subject, rows[i].subject);
            assert_string_equal(l.items[i].place, rows[i].place);
            assert_int_equal(l.items[i].first_overlap, rows[i].first_overlap);
            assert_int_equal(l.items[i].overlap_s, rows[i].overlap_s);
        }
        *total += nr;
        trace_contact_list_free(&l);
    }
    free(rows);
}

static void test_equals_reference(void **state)
{
    (void)state;
    for (int i = 0; i < NSUBJ; i++)
        snprintf(subj_names[i], sizeof subj_names[i], "s%03d", i);
    for (int i = 0; i < NPLACE; i++)
        snprintf(place_names[i], sizeof place_names[i], "p%02d", i);
    trace_stay *st = malloc(NSTAY * sizeof *st);
    for (int i = 0; i < NSTAY; i++) {
        st[i].subject = subj_names[rnd(NSUBJ)];
        st[i].place = place_names[rnd(NPLACE)];
        st[i].start = (int64_t)rnd(20 * DAY);
        st[i].end = st[i].start + rnd_duration();
        st[i].source = NULL;     /* malloc'd: the field was read uninitialised */
    }
    fk_err err = {0};
    trace_index *ix = trace_index_build(st, NSTAY, &err);
    assert_non_null(ix);
    const trace_rules loose = {300, 20000, 3 * DAY};
    size_t total = 0, rejects = 0;
    compare_random(ix, st, &V9, &total, &rejects);
    compare_random(ix, st, &loose, &total, &rejects);
    print_message("reference: %zu rows equal, %zu pairs refused by dwell\n", total, rejects);
    assert_true(total > 50);
    assert_true(rejects > 10);
    trace_index_free(ix);
    free(st);
}

/* Venues: co-presence at check-in places, no dwell rule; companions skip venues. */
static void test_venue_contacts(void **state)
{
    (void)state;
    const trace_stay st[] = {
        {"case", "V1", 1000, 5000, "checkins"},
        {"b900", "V1", 2000, 2900, "checkins"},
        {"c899", "V1", 2000, 2899, "checkins"},
        {"d", "V1", 4500, 9000, "checkins"},
        {"d", "V1", 100, 600, "checkins"},   /* before the case: nothing */
        {"case", "G1", 0, 200000, NULL},     /* a cell: companion rules only */
        {"e", "G1", 1000, 2000, "stays"},
    };
    trace_index *ix = trace_index_build(st, 7, NULL);
    assert_non_null(ix);
    trace_contact_list l;
    assert_int_equal(trace_venue_contacts(ix, "case", 0, 10000, 900, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].subject, "b900");
    assert_string_equal(l.items[0].kind, "venue");
    assert_string_equal(l.items[0].place, "V1");
    assert_string_equal(l.items[0].source, "checkins");
    assert_int_equal(l.items[0].overlap_s, 900);
    trace_contact_list_free(&l);
    /* the window cuts d's 500 s to 100 s: below 200 with the window, 500 without */
    assert_int_equal(trace_venue_contacts(ix, "case", 0, 4600, 100, &l, NULL), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[2].subject, "d");
    assert_int_equal(l.items[2].overlap_s, 100);
    assert_int_equal(l.items[2].first_overlap, 4500);
    trace_contact_list_free(&l);
    /* companions see the cell only, never the venue */
    trace_rules r = {600, 0, 14 * DAY};
    assert_int_equal(trace_companions(ix, "case", 0, 10000, &r, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].subject, "e");
    assert_string_equal(l.items[0].source, "stays");
    trace_contact_list_free(&l);
    trace_index_free(ix);
}

static trace_index *detections(const int64_t *t, size_t n, const char *other)
{
    trace_builder *b = trace_builder_new();
    for (size_t i = 0; i < n; i++)
        assert_int_equal(trace_builder_add_detection(b, i % 2 ? "case" : other,
                                                     i % 2 ? other : "case", t[i], NULL), 0);
    trace_index *ix = trace_builder_finish(b, NULL);
    assert_non_null(ix);
    assert_int_equal(trace_index_detections(ix), n);
    return ix;
}

/* Proximity: detections <= interval apart chain into one event [first - 20, last). */
static void test_proximity_events(void **state)
{
    (void)state;
    const int64_t chained[] = {1000, 1020, 1040};        /* one event: 980..1040 = 60 s */
    const int64_t split[] = {1000, 1021, 2000};          /* three events of 20 s */
    trace_contact_list l;
    trace_index *ix = detections(chained, 3, "b");
    assert_int_equal(trace_proximity_contacts(ix, "case", 0, 5000, 20, 60, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].kind, "proximity");
    assert_int_equal(l.items[0].first_overlap, 980);
    assert_int_equal(l.items[0].overlap_s, 60);
    trace_contact_list_free(&l);
    assert_int_equal(trace_proximity_contacts(ix, "case", 0, 5000, 20, 61, &l, NULL), 0);
    assert_int_equal(l.n, 0);
    /* the window clips the event: [1000, 1030) holds 30 s of it */
    assert_int_equal(trace_proximity_contacts(ix, "case", 1000, 1030, 20, 1, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].overlap_s, 30);
    assert_int_equal(l.items[0].first_overlap, 1000);
    trace_contact_list_free(&l);
    /* the other side sees the case */
    assert_int_equal(trace_proximity_contacts(ix, "b", 0, 5000, 20, 1, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].subject, "case");
    trace_contact_list_free(&l);
    trace_index_free(ix);
    ix = detections(split, 3, "c");
    assert_int_equal(trace_proximity_contacts(ix, "case", 0, 5000, 20, 1, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].overlap_s, 60); /* 3 x 20, one second apart more */
    trace_contact_list_free(&l);
    assert_int_equal(trace_proximity_contacts(ix, "case", 0, 5000, 21, 1, &l, NULL), 0);
    assert_int_equal(l.items[0].overlap_s, 42 + 21); /* 979..1021 chained, 1979..2000 */
    trace_contact_list_free(&l);
    fk_err e;
    assert_int_equal(trace_proximity_contacts(ix, "case", 0, 5000, 0, 1, &l, &e), -1);
    assert_string_equal(e.field, "rules");
    trace_index_free(ix);
    trace_builder *b = trace_builder_new();
    assert_int_equal(trace_builder_add_detection(b, "x", "x", 100, &e), -1);
    assert_string_equal(e.field, "b");
    assert_int_equal(trace_builder_add_detection(b, "x", "", 100, &e), -1);
    assert_int_equal(trace_builder_add_detection(b, "x", "y", -1, &e), -1);
    assert_string_equal(e.field, "time");
    trace_builder_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_minimum),
        cmocka_unit_test(test_cumulative_one_place_only),
        cmocka_unit_test(test_dwell_sides),
        cmocka_unit_test(test_dwell_lookback),
        cmocka_unit_test(test_window_edges),
        cmocka_unit_test(test_merged_intervals),
        cmocka_unit_test(test_unknown_case_and_sorting),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_rules_from_policy),
        cmocka_unit_test(test_equals_reference),
        cmocka_unit_test(test_venue_contacts),
        cmocka_unit_test(test_proximity_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
