/*
 * test_parallel.c - fk_parallel runs every part once and the shares cover the items
 * exactly; the trace build's radix sorts give the same order on one thread and on
 * several (stable: equal keys keep their input order), checked against qsort.
 */
#include "testutil.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "base/parallel.h"
#include "trace/trace_int.h"

static uint64_t rng_state = 2463534242ull;

typedef struct tally { atomic_uint calls; atomic_ulong items; size_t n; } tally;

static void count_share(void *ctx, unsigned i, unsigned n)
{
    tally *t = ctx;
    size_t lo, hi;
    fk_parallel_share(t->n, i, n, &lo, &hi);
    atomic_fetch_add(&t->calls, 1);
    atomic_fetch_add(&t->items, hi - lo);
}

static void test_parts_and_shares(void **state)
{
    (void)state;
    for (unsigned n = 1; n <= 5; n++) {
        tally t = {.n = 1000003};
        fk_parallel(n, count_share, &t);
        assert_int_equal(atomic_load(&t.calls), n);
        assert_int_equal(atomic_load(&t.items), t.n);
        size_t lo, hi, next = 0;
        for (unsigned i = 0; i < n; i++) {   /* contiguous, in order, sizes within one */
            fk_parallel_share(7, i, n, &lo, &hi);
            assert_int_equal(lo, next);
            assert_true(hi - lo == 7 / n || hi - lo == 7 / n + 1);
            next = hi;
        }
        assert_int_equal(next, 7);
    }
    setenv("FK_THREADS", "4", 1);
    assert_int_equal(fk_parallel_threads(10, 1), 4);
    assert_int_equal(fk_parallel_threads(10, 5), 2);
    assert_int_equal(fk_parallel_threads(0, 5), 1);
    unsetenv("FK_THREADS");
}

static int kv_cmp(const void *a, const void *b)
{
    const trace__kv *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Radix sort kv on `threads` threads; the buffer it returns is copied into out. */
static void radix_with(const trace__kv *in, trace__kv *out, size_t n, unsigned bits,
                       const char *threads)
{
    trace__kv *kv = malloc(n * sizeof *kv), *tmp = malloc(n * sizeof *tmp);
    memcpy(kv, in, n * sizeof *kv);
    setenv("FK_THREADS", threads, 1);
    trace__kv *sorted = trace__radix_sort(kv, tmp, n, bits);
    unsetenv("FK_THREADS");
    memcpy(out, sorted, n * sizeof *out);
    free(kv);
    free(tmp);
}

static void test_radix_threads(void **state)
{
    (void)state;
    enum { N = 300000 };      /* enough rows for several parts of at least 64 Ki */
    const unsigned bits[] = {10, 40};       /* many duplicates; nearly unique keys */
    trace__kv *in = malloc(N * sizeof *in), *want = malloc(N * sizeof *want);
    trace__kv *one = malloc(N * sizeof *one), *four = malloc(N * sizeof *four);
    for (size_t b = 0; b < sizeof bits / sizeof bits[0]; b++) {
        for (uint32_t i = 0; i < N; i++)
            in[i] = (trace__kv){test_xorshift(&rng_state, (uint64_t)1 << bits[b]), i};
        memcpy(want, in, N * sizeof *want);
        qsort(want, N, sizeof *want, kv_cmp);  /* ties by input position = stable */
        radix_with(in, one, N, bits[b], "1");
        radix_with(in, four, N, bits[b], "4");
        for (size_t i = 0; i < N; i++) {
            assert_int_equal(one[i].key, want[i].key);
            assert_int_equal(one[i].i, want[i].i);
            assert_int_equal(four[i].key, want[i].key);
            assert_int_equal(four[i].i, want[i].i);
        }
    }
    free(in);
    free(want);
    free(one);
    free(four);
}

/* The records' sort (subject, place, start) on one thread and on four. */
static void test_record_sort_threads(void **state)
{
    (void)state;
    enum { N = 300000 };
    build_rec *one = malloc(N * sizeof *one), *four = malloc(N * sizeof *four);
    for (size_t i = 0; i < N; i++)
        one[i] = (build_rec){(uint32_t)test_xorshift(&rng_state, 5000),
                             (uint32_t)test_xorshift(&rng_state, 300),
                             1700000000 + (int64_t)test_xorshift(&rng_state, 1209600), 0};
    for (size_t i = 0; i < N; i++)
        one[i].end = one[i].start + 1 + (int64_t)i;   /* tells equal keys apart */
    memcpy(four, one, N * sizeof *four);
    setenv("FK_THREADS", "1", 1);
    trace__sort_recs(one, N, 5000, 300);
    setenv("FK_THREADS", "4", 1);
    trace__sort_recs(four, N, 5000, 300);
    unsetenv("FK_THREADS");
    for (size_t i = 0; i < N; i++) {
        if (i > 0)
            assert_true(trace__rec_cmp(&one[i - 1], &one[i]) <= 0);
        assert_memory_equal(&one[i], &four[i], sizeof one[i]);  /* both sorts are stable */
    }
    free(one);
    free(four);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_and_shares),
        cmocka_unit_test(test_radix_threads),
        cmocka_unit_test(test_record_sort_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
