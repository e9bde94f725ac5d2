/*
 * test_snapshot.c - the trace index saved and memory-mapped back, and extended with new
 * records: every query answers as on the index built in memory from all records, on
 * random data (stays of cells and venues, detections); bad files are refused with an
 * error, never a crash (run it under the san build too).
 *
 * The comparison is made twice: query by query (companions, venue contacts, proximity
 * for every subject over random windows) and array by array where the layouts must be
 * equal (trace_int.h), so a difference shows even where the queries do not look.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "trace/trace.h"
#include "trace/trace_int.h"

#define DAY 86400

enum { NSUBJ = 120, NPLACE = 30, NSTAY = 4000, NDET = 1500 };
static char subj[NSUBJ][16], place[NPLACE][16];
static const char *sources[] = {NULL, "stays", "pings", "checkins", "interview", "demo", "x"};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(uint64_t n)
{
    return test_xorshift(&rng, n);
}

static void names_init(void)
{
    for (int i = 0; i < NSUBJ; i++)
        snprintf(subj[i], sizeof subj[i], "s%03d", i);
    for (int i = 0; i < NPLACE; i++)
        snprintf(place[i], sizeof place[i], "p%02d", i);
}

/* A random stay; places below 5 are venues, the rest take mixed sources. */
static trace_stay rnd_stay(void)
{
    trace_stay s;
    uint64_t p = rnd(NPLACE);
    s.subject = subj[rnd(NSUBJ)];
    s.place = place[p];
    s.start = (int64_t)rnd(20 * DAY);
    s.end = s.start + 60 + (int64_t)(rnd(4) ? rnd(3 * 3600) : rnd(2 * DAY));
    s.source = p < 5 ? sources[3 + rnd(2)] : sources[rnd(3)];
    if (p == 5)
        s.source = sources[5 + rnd(2)];
    return s;
}

typedef struct det { const char *a, *b; int64_t t; } det;

static det rnd_det(void)
{
    uint64_t a = rnd(NSUBJ), b = (a + 1 + rnd(NSUBJ - 1)) % NSUBJ;
    /* clustered times so that detections chain into events */
    return (det){subj[a], subj[b], (int64_t)(rnd(20) * DAY / 2 + rnd(3600))};
}

static void add_all(trace_builder *b, const trace_stay *st, size_t n, const det *d, size_t nd)
{
    fk_err err = {0};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(trace_builder_add(b, &st[i], &err), 0);
    for (size_t i = 0; i < nd; i++)
        assert_int_equal(trace_builder_add_detection(b, d[i].a, d[i].b, d[i].t, &err), 0);
}

static trace_index *build(const trace_stay *st, size_t n, const det *d, size_t nd)
{
    trace_builder *b = trace_builder_new();
    add_all(b, st, n, d, nd);
    fk_err err = {0};
    trace_index *ix = trace_builder_finish(b, &err);
    assert_non_null(ix);
    return ix;
}

static void same_rows(const trace_contact_list *x, const trace_contact_list *y)
{
    assert_int_equal(x->n, y->n);
    for (size_t i = 0; i < x->n; i++)
        assert_memory_equal(&x->items[i], &y->items[i], sizeof x->items[i]);
}

/* Every query kind, for every subject over random windows: the same rows on a and b.
 * Returns how many rows were compared (so the test can check it compared something). */
static size_t same_answers(const trace_index *a, const trace_index *b)
{
    const trace_rules rules[] = {{600, 108000, 14 * DAY}, {300, 20000, 3 * DAY}};
    size_t rows = 0;
    for (int s = 0; s < NSUBJ; s++) {
        int64_t from = (int64_t)rnd(15 * DAY), to = from + 1 + (int64_t)rnd(7 * DAY);
        trace_contact_list x, y;
        fk_err err = {0};
        for (int r = 0; r < 2; r++) {
            assert_int_equal(trace_companions(a, subj[s], from, to, &rules[r], &x, &err), 0);
            assert_int_equal(trace_companions(b, subj[s], from, to, &rules[r], &y, &err), 0);
            same_rows(&x, &y);
            rows += x.n;
            trace_contact_list_free(&x), trace_contact_list_free(&y);
        }
        assert_int_equal(trace_venue_contacts(a, subj[s], from, to, 300, &x, &err), 0);
        assert_int_equal(trace_venue_contacts(b, subj[s], from, to, 300, &y, &err), 0);
        same_rows(&x, &y);
        rows += x.n;
        trace_contact_list_free(&x), trace_contact_list_free(&y);
        assert_int_equal(trace_proximity_contacts(a, subj[s], from, to, 120, 60, &x, &err), 0);
        assert_int_equal(trace_proximity_contacts(b, subj[s], from, to, 120, 60, &y, &err), 0);
        same_rows(&x, &y);
        rows += x.n;
        trace_contact_list_free(&x), trace_contact_list_free(&y);
    }
    return rows;
}

static void same_names(const trace__names *a, const trace__names *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->blob_len, b->blob_len);
    assert_memory_equal(a->blob, b->blob, a->blob_len);
    for (uint32_t i = 0; i < a->n; i++) {
        assert_int_equal(a->off[i], b->off[i]);
        assert_int_equal(trace__names_find(b, trace__name(a, i)), i);
    }
}

#define SAME(f, count) assert_memory_equal(a->f, b->f, (count) * sizeof *a->f)

/* The arrays of two indexes are equal (the hash slots may differ: their lookups not). */
static void same_arrays(const trace_index *a, const trace_index *b)
{
    assert_int_equal(a->nrecords, b->nrecords);
    assert_int_equal(a->nmerged, b->nmerged);
    assert_int_equal(a->npairs, b->npairs);
    assert_int_equal(a->ndetections, b->ndetections);
    same_names(&a->subjects, &b->subjects);
    same_names(&a->places, &b->places);
    size_t ns = a->subjects.n, np = a->places.n, m = a->nmerged, q = a->npairs;
    SAME(start, m), SAME(end, m), SAME(subj, m), SAME(sp_rec, m), SAME(row_pair, m);
    SAME(place_off, np + 1), SAME(place_maxlen, np), SAME(place_src, np);
    SAME(subj_off, ns + 1), SAME(pair_place, q), SAME(pair_off, q + 1), SAME(pair_total, q);
    SAME(prox_off, ns + 1);
    SAME(prox_other, 2 * a->ndetections), SAME(prox_time, 2 * a->ndetections);
}

typedef struct data { trace_stay st[NSTAY]; det d[NDET]; } data;

static data *rnd_data(void)
{
    data *x = malloc(sizeof *x);
    for (int i = 0; i < NSTAY; i++)
        x->st[i] = rnd_stay();
    for (int i = 0; i < NDET; i++)
        x->d[i] = rnd_det();
    return x;
}

static char *snap_path(const char *dir)
{
    char *p = malloc(strlen(dir) + 16);
    sprintf(p, "%s/trace.snap", dir);
    return p;
}

static void test_save_open_same_answers(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *ix = build(x->st, NSTAY, x->d, NDET);
    char *dir = test_tmpdir(), *path = snap_path(dir);
    fk_err err = {0};
    assert_int_equal(trace_index_save(ix, path, 42, &err), 0);
    uint64_t version = 0;
    trace_index *mx = trace_index_open(path, &version, &err);
    assert_non_null(mx);
    assert_int_equal(version, 42);
    same_arrays(ix, mx);
    assert_memory_equal(ix->subjects.slots, mx->subjects.slots, ix->subjects.nslots * 4);
    size_t rows = same_answers(ix, mx);
    print_message("snapshot: %zu rows equal\n", rows);
    assert_true(rows > 100);
    assert_int_equal(trace_index_records(mx), NSTAY);
    assert_int_equal(trace_index_detections(mx), NDET);
    /* saving again over it replaces the file; the mapping keeps the old one alive */
    assert_int_equal(trace_index_save(ix, path, 43, &err), 0);
    trace_index *again = trace_index_open(path, &version, &err);
    assert_int_equal(version, 43);
    same_answers(mx, again);
    /* a mapped index can itself be saved (the lead re-saves after an extension) */
    assert_int_equal(trace_index_save(mx, path, 44, &err), 0);
    trace_index_free(again);
    trace_index_free(mx);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

static void test_empty_round_trip(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = snap_path(dir);
    fk_err err = {0};
    trace_index *ix = trace_index_build(NULL, 0, &err);
    assert_int_equal(trace_index_save(ix, path, UINT64_MAX, &err), 0);
    uint64_t v = 0;
    trace_index *mx = trace_index_open(path, &v, &err);
    assert_non_null(mx);
    assert_true(v == UINT64_MAX);
    trace_contact_list l;
    const trace_rules r = {600, 0, DAY};
    assert_int_equal(trace_companions(mx, "a", 0, 10, &r, &l, &err), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(trace_proximity_contacts(mx, "a", 0, 10, 20, 1, &l, &err), 0);
    assert_int_equal(l.n, 0);
    trace_index_free(mx);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path);
}

/* ---- bad files ---- */

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *buf = malloc(*n);
    assert_int_equal(fread(buf, 1, *n, f), *n);
    fclose(f);
    return buf;
}

static void spit(const char *path, const unsigned char *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

/* open refuses path with code and a message containing `what`. */
static void expect_refused(const char *path, fk_code code, const char *what)
{
    fk_err err = {0};
    uint64_t v = 7;
    assert_null(trace_index_open(path, &v, &err));
    assert_int_equal(err.code, code);
    assert_int_equal(v, 7);
    if (!strstr(err.message, what))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, what);
}

static void test_bad_files_refused(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *ix = build(x->st, 500, x->d, 100);
    char *dir = test_tmpdir(), *path = snap_path(dir), bad[600];
    snprintf(bad, sizeof bad, "%s/bad.snap", dir);
    assert_int_equal(trace_index_save(ix, path, 1, NULL), 0);
    size_t n;
    unsigned char *good = slurp(path, &n), *buf = malloc(n);
    expect_refused(bad, FK_EIO, "No such file");
    /* truncated: at every length from the empty file to one byte short */
    size_t cuts[] = {0, 1, 64, 127, 128, 129, n / 2, n - 8, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        spit(bad, good, cuts[i]);
        expect_refused(bad, FK_EINVAL, "truncated");
    }
    /* a flipped byte anywhere: checksum (or the header check before it) */
    for (size_t i = 0; i < 200; i++) {
        size_t at = i < 128 ? i : 128 + rnd(n - 128);
        memcpy(buf, good, n);
        buf[at] ^= (unsigned char)(1u << rnd(8));
        spit(bad, buf, n);
        fk_err err = {0};
        assert_null(trace_index_open(bad, NULL, &err));
        assert_int_equal(err.code, FK_EINVAL);
    }
    memcpy(buf, good, n);
    buf[20] ^= 1;        /* the version */
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "checksum");
    memcpy(buf, good, n);
    buf[n - 9] ^= 0x40;  /* the payload */
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "checksum");
    memcpy(buf, good, n);
    memcpy(buf, "FKTRACE2", 8);
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "magic");
    memcpy(buf, good, n);
    buf[12] ^= 0xff;     /* the endianness word */
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "byte order");
    /* a good file with something appended is refused, not half read */
    unsigned char *longer = calloc(1, n + 8);
    memcpy(longer, good, n);
    spit(bad, longer, n + 8);
    expect_refused(bad, FK_EINVAL, "padded");
    /* the good one still opens */
    trace_index *mx = trace_index_open(path, NULL, NULL);
    assert_non_null(mx);
    trace_index_free(mx);
    /* saving into a missing directory fails cleanly */
    char missing[600];
    snprintf(missing, sizeof missing, "%s/no/such/dir.snap", dir);
    fk_err err = {0};
    assert_int_equal(trace_index_save(ix, missing, 1, &err), -1);
    assert_int_equal(err.code, FK_EIO);
    free(longer), free(buf), free(good);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

/* A file with a valid checksum but an inconsistent array (written by something else):
 * refused by the structure check. Offsets within the file follow walk_arrays(). */
static void expect_structure_refused(const unsigned char *good, size_t n, size_t at,
                                     const void *val, size_t len, const char *bad,
                                     const char *what)
{
    unsigned char *buf = malloc(n);
    memcpy(buf, good, n);
    memcpy(buf + at, val, len);
    uint64_t sum = trace__snapshot_checksum(buf, n);
    memcpy(buf + 24, &sum, 8);        /* the checksum field of the header */
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, what);
    free(buf);
}

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static void test_inconsistent_arrays_refused(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *ix = build(x->st, 500, x->d, 100);
    char *dir = test_tmpdir(), *path = snap_path(dir), bad[600];
    snprintf(bad, sizeof bad, "%s/bad.snap", dir);
    assert_int_equal(trace_index_save(ix, path, 1, NULL), 0);
    size_t n;
    unsigned char *good = slurp(path, &n);
    /* the arrays after the names: start, end, subj, ... */
    size_t names = 0;
    const trace__names *t[2] = {&ix->subjects, &ix->places};
    for (int i = 0; i < 2; i++)
        names += pad8(t[i]->blob_len) + pad8(t[i]->n * 8) + pad8(t[i]->nslots * 4);
    size_t start = 128 + names, m8 = pad8(ix->nmerged * 8);
    int64_t neg = -5, far = INT64_MAX;
    uint32_t id = ix->subjects.n;
    expect_structure_refused(good, n, start, &neg, 8, bad, "time out of range");
    expect_structure_refused(good, n, start + m8, &far, 8, bad, "time out of range");
    expect_structure_refused(good, n, start + 2 * m8, &id, 4, bad, "id out of range");
    /* the last name not terminated inside the blob */
    expect_structure_refused(good, n, 128 + ix->subjects.blob_len - 1, "x", 1, bad,
                             "name table");
    free(good);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

/* ---- extension ---- */

/* extend(build(first k), rest) == build(all), arrays and answers, at several splits;
 * the extension also extends a mapped base and an extended one (a second day). */
static void test_extend_equals_full_build(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *full = build(x->st, NSTAY, x->d, NDET);
    const size_t splits[] = {0, 1, NSTAY / 2, NSTAY - 300, NSTAY};
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
        size_t k = splits[i], kd = k * NDET / NSTAY;
        trace_index *base = build(x->st, k, x->d, kd);
        trace_builder *more = trace_builder_new();
        add_all(more, x->st + k, NSTAY - k, x->d + kd, NDET - kd);
        fk_err err = {0};
        trace_index *ext = trace_index_extend(base, more, &err);
        assert_non_null(ext);
        same_arrays(full, ext);
        assert_int_equal(trace_index_records(ext), NSTAY);
        if (i == 2)
            print_message("extend: %zu rows equal\n", same_answers(full, ext));
        trace_index_free(ext);
        trace_index_free(base);
    }
    /* three days: a mapped base extended twice */
    char *dir = test_tmpdir(), *path = snap_path(dir);
    trace_index *day1 = build(x->st, 1000, x->d, 300);
    assert_int_equal(trace_index_save(day1, path, 1, NULL), 0);
    trace_index *mx = trace_index_open(path, NULL, NULL);
    assert_non_null(mx);
    trace_builder *more = trace_builder_new();
    add_all(more, x->st + 1000, 2000, x->d + 300, 700);
    trace_index *day2 = trace_index_extend(mx, more, NULL);
    more = trace_builder_new();
    add_all(more, x->st + 3000, NSTAY - 3000, x->d + 1000, NDET - 1000);
    trace_index *day3 = trace_index_extend(day2, more, NULL);
    assert_non_null(day3);
    same_arrays(full, day3);
    assert_true(same_answers(full, day3) > 100);
    trace_index_free(day3), trace_index_free(day2), trace_index_free(mx);
    trace_index_free(day1), trace_index_free(full);
    assert_null(trace_index_extend(NULL, trace_builder_new(), NULL));
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

/* New subjects and places only in the extension, sources of one place from both sides:
 * a cell of the base becomes a venue when check-ins arrive. */
static void test_extend_sources_and_new_names(void **state)
{
    (void)state;
    const trace_stay old[] = {{"case", "P", 1000, 5000, "stays"}, {"b", "P", 1000, 3000, "stays"}};
    const trace_stay add[] = {{"a0", "P", 2000, 4000, "checkins"}, {"zz", "Q", 0, 100, NULL}};
    trace_index *base = trace_index_build(old, 2, NULL);
    trace_builder *more = trace_builder_new();
    for (int i = 0; i < 2; i++)
        assert_int_equal(trace_builder_add(more, &add[i], NULL), 0);
    assert_int_equal(trace_builder_add_detection(more, "case", "new", 3000, NULL), 0);
    trace_index *ext = trace_index_extend(base, more, NULL);
    assert_non_null(ext);
    trace_contact_list l;
    assert_int_equal(trace_venue_contacts(ext, "case", 0, 10000, 600, &l, NULL), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].subject, "a0");
    assert_string_equal(l.items[0].source, "stays+checkins");
    assert_string_equal(l.items[1].subject, "b");
    trace_contact_list_free(&l);
    assert_int_equal(trace_proximity_contacts(ext, "new", 0, 10000, 60, 1, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].subject, "case");
    trace_contact_list_free(&l);
    /* the base is untouched: still a cell there, no venue contacts */
    assert_int_equal(trace_venue_contacts(base, "case", 0, 10000, 600, &l, NULL), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(trace_index_records(ext), 4);
    trace_index_free(ext);
    trace_index_free(base);
}

/* ---- the radix sort of the build (sort.c) against qsort ---- */

static int kv_cmp(const void *a, const void *b)
{
    const trace__kv *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Stable and ordered at widths from 0 to 64 bits, with many equal keys. */
static void test_radix_sort(void **state)
{
    (void)state;
    enum { N = 20000 };
    trace__kv *kv = malloc(N * sizeof *kv), *tmp = malloc(N * sizeof *tmp);
    trace__kv *want = malloc(N * sizeof *want);
    const unsigned widths[] = {0, 1, 7, 11, 12, 33, 49, 63, 64};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        unsigned bits = widths[w];
        for (uint32_t i = 0; i < N; i++) {
            uint64_t k = rnd(UINT64_MAX) ^ rnd(UINT64_MAX) << 32;
            if (bits < 64)
                k &= ((uint64_t)1 << bits) - 1;
            if (i % 3 == 0 && i > 0)
                k = kv[i / 2].key;         /* ties, to see stability */
            kv[i] = want[i] = (trace__kv){k, i};
        }
        qsort(want, N, sizeof *want, kv_cmp);
        trace__kv *got = trace__radix_sort(kv, tmp, N, bits);
        for (size_t i = 0; i < N; i++) {
            assert_true(got[i].key == want[i].key);
            assert_int_equal(got[i].i, want[i].i);
        }
    }
    assert_int_equal(trace__bits(0), 0);
    assert_int_equal(trace__bits(1), 1);
    assert_int_equal(trace__bits(UINT64_MAX), 64);
    free(kv), free(tmp), free(want);
}

/* trace__sort_recs gives the order of trace__rec_cmp (keys; ties may differ). */
static void test_sort_recs(void **state)
{
    (void)state;
    enum { N = 30000 };
    build_rec *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    for (size_t i = 0; i < N; i++)
        a[i] = b[i] = (build_rec){(uint32_t)rnd(900), (uint32_t)rnd(70),
                                  (int64_t)rnd(INT64_C(253402300799)) >> (i % 2 ? 0 : 20), 0};
    trace__sort_recs(a, N, 900, 70);
    qsort(b, N, sizeof *b, trace__rec_cmp);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(trace__rec_cmp(&a[i], &b[i]), 0);
    free(a), free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_open_same_answers),
        cmocka_unit_test(test_empty_round_trip),
        cmocka_unit_test(test_bad_files_refused),
        cmocka_unit_test(test_inconsistent_arrays_refused),
        cmocka_unit_test(test_extend_equals_full_build),
        cmocka_unit_test(test_extend_sources_and_new_names),
        cmocka_unit_test(test_radix_sort),
        cmocka_unit_test(test_sort_recs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
