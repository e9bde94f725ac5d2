/*
 * test_batch_writer.c - the import's double-buffered writer thread: every batch is
 * written once, in order, with its rows; the first failure stops later writes and is
 * reported by the next submit and by drain; freeing with batches pending waits.
 */
#include "testutil.h"

#include "base/batch_writer.h"

typedef struct sink {
    int values[64];
    size_t n, calls, fail_at;   /* fail_at: the call (1-based) that fails; 0 never */
    size_t rows[16][2];
} sink;

static int write_ints(void *ctx, const void *recs, size_t n, size_t first, size_t last,
                      fk_err *err)
{
    sink *s = ctx;
    const int *v = recs;
    s->calls++;
    if (s->calls == s->fail_at)
        return fk_fail(err, FK_EIO, "", "disk full at rows %zu to %zu", first, last);
    s->rows[s->calls - 1][0] = first;
    s->rows[s->calls - 1][1] = last;
    for (size_t i = 0; i < n; i++)
        s->values[s->n++] = v[i];
    return 0;
}

/* Submit batches of 3 ints 0, 1, 2, ... until `total`; returns the first failing rc. */
static int feed(batch_writer *w, int total, fk_err *err)
{
    for (int next = 0; next < total;) {
        int *buf = bw_buffer(w);
        size_t n = 0;
        for (; n < 3 && next < total; n++)
            buf[n] = next++;
        if (bw_submit(w, n, (size_t)next - n + 2, (size_t)next + 1, err) != 0)
            return -1;
    }
    return 0;
}

static void test_batches_in_order(void **state)
{
    (void)state;
    sink s = {0};
    fk_err err = {0};
    batch_writer *w = bw_new(sizeof(int), 3, write_ints, &s, &err);
    assert_non_null(w);
    assert_int_equal(feed(w, 20, &err), 0);
    assert_int_equal(bw_drain(w, &err), 0);
    assert_int_equal(bw_written(w), 20);
    assert_int_equal(s.n, 20);
    for (int i = 0; i < 20; i++)
        assert_int_equal(s.values[i], i);
    assert_int_equal(s.calls, 7);
    assert_int_equal(s.rows[0][0], 2);       /* file rows of the first batch: 2..4 */
    assert_int_equal(s.rows[0][1], 4);
    assert_int_equal(s.rows[6][0], 20);      /* the last, short one: 20..21 */
    bw_free(w);
}

static void test_first_failure_stops(void **state)
{
    (void)state;
    sink s = {.fail_at = 3};
    fk_err err = {0};
    batch_writer *w = bw_new(sizeof(int), 3, write_ints, &s, &err);
    assert_int_equal(feed(w, 30, &err), -1);   /* some later submit sees the failure */
    assert_int_equal(err.code, FK_EIO);
    assert_non_null(strstr(err.message, "rows 8 to 10"));
    fk_err again = {0};
    assert_int_equal(bw_drain(w, &again), -1);
    assert_string_equal(again.message, err.message);
    assert_int_equal(bw_written(w), 6);        /* the two batches before the failure */
    assert_int_equal(s.n, 6);
    assert_int_equal(s.calls, 3);              /* nothing written after it */
    bw_free(w);
}

static void test_free_with_pending(void **state)
{
    (void)state;
    sink s = {0};
    batch_writer *w = bw_new(sizeof(int), 3, write_ints, &s, NULL);
    assert_int_equal(feed(w, 6, NULL), 0);
    bw_free(w);                                /* waits for the last batch */
    assert_int_equal(s.n, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batches_in_order),
        cmocka_unit_test(test_first_failure_stops),
        cmocka_unit_test(test_free_with_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
