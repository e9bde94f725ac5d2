/*
 * sort.c - the two big sorts of the index build as LSD radix sorts.
 *
 * Why: qsort calls a comparison function about n log2 n times (14 million records:
 * some 330 million indirect calls) and the build spent most of its time there. Both
 * sort keys are small integers once packed: (subject id, place id, start) and
 * (place id, start), with ids dense from 0 and times within the data's span, so they
 * fit one 64-bit word on any realistic data. A stable LSD radix sort takes one pass per
 * 11-bit digit actually used, with every histogram counted in a single first pass, and
 * digits where all keys agree skipped. The records are moved themselves (their key is
 * computed from their fields each pass); the column sorts (key, row) pairs, since it
 * needs the row order, not moved records. Measured on the bench city (14 M stays,
 * bench/trace/build_bench.c): the build's finish went from 8.4 to 5.7 CPU seconds.
 *
 * Equal keys keep their input order (the sort is stable); callers rely on it only
 * where the comparison they replace also breaks ties by input order (the column's
 * row number). When the packed key would not fit 64 bits, or memory for the second
 * buffer is short, the callers fall back to qsort: same order, only slower.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "trace/trace_int.h"

#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)
#define MAX_PASSES 6   /* 6 x 11 >= 64 */

/* Bits needed to write every value 0..v. */
unsigned trace__bits(uint64_t v)
{
    unsigned b = 0;
    while (b < 64 && v >> b)   /* a shift by 64 is undefined */
        b++;
    return b;
}

unsigned trace__start_bits(const build_rec *recs, size_t n, int64_t *lo)
{
    int64_t min = INT64_MAX, max = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        min = recs[i].start < min ? recs[i].start : min;
        max = recs[i].start > max ? recs[i].start : max;
    }
    *lo = n ? min : 0;
    return n ? trace__bits((uint64_t)(max - min)) : 0;
}

/* Stable sort of kv[0..n) by key (keys < 2^bits); tmp holds n entries. Returns the
 * buffer that holds the result (kv or tmp). */
trace__kv *trace__radix_sort(trace__kv *kv, trace__kv *tmp, size_t n, unsigned bits)
{
    unsigned passes = (bits + DIGIT_BITS - 1) / DIGIT_BITS;
    size_t (*count)[DIGITS] = fk_calloc(MAX_PASSES, sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < passes; d++)
            count[d][(kv[i].key >> (d * DIGIT_BITS)) & (DIGITS - 1)]++;
    trace__kv *src = kv, *dst = tmp;
    for (unsigned d = 0; d < passes; d++) {
        size_t *c = count[d], sum = 0;
        if (n && c[(src[0].key >> (d * DIGIT_BITS)) & (DIGITS - 1)] == n)
            continue;    /* every key has this digit: the pass would copy */
        for (unsigned b = 0; b < DIGITS; b++) {
            size_t k = c[b];
            c[b] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[(src[i].key >> (d * DIGIT_BITS)) & (DIGITS - 1)]++] = src[i];
        trace__kv *t = src;
        src = dst;
        dst = t;
    }
    free(count);
    return src;
}

/* Digit d of record r's packed key (subject, place, start - lo), shifts < 64. */
static inline unsigned rec_digit(const build_rec *r, unsigned d, unsigned pb, unsigned tb,
                                 int64_t lo)
{
    uint64_t key = (uint64_t)r->s << (pb + tb) | (uint64_t)r->p << tb | (uint64_t)(r->start - lo);
    return (unsigned)(key >> (d * DIGIT_BITS)) & (DIGITS - 1);
}

/* The records themselves are moved, pass by pass (no index array and no final
 * permutation: that would be one cache miss a record). */
static void radix_recs(build_rec *recs, build_rec *tmp, size_t n, unsigned pb, unsigned tb,
                       int64_t lo, unsigned bits)
{
    unsigned passes = (bits + DIGIT_BITS - 1) / DIGIT_BITS;
    size_t (*count)[DIGITS] = fk_calloc(MAX_PASSES, sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < passes; d++)
            count[d][rec_digit(&recs[i], d, pb, tb, lo)]++;
    build_rec *src = recs, *dst = tmp;
    for (unsigned d = 0; d < passes; d++) {
        size_t *c = count[d], sum = 0;
        if (c[rec_digit(&src[0], d, pb, tb, lo)] == n)
            continue;
        for (unsigned b = 0; b < DIGITS; b++) {
            size_t k = c[b];
            c[b] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[rec_digit(&src[i], d, pb, tb, lo)]++] = src[i];
        build_rec *t = src;
        src = dst;
        dst = t;
    }
    if (src != recs)
        memcpy(recs, src, n * sizeof *recs);
    free(count);
}

void trace__sort_recs(build_rec *recs, size_t n, uint32_t nsubj, uint32_t nplace)
{
    if (n < 2)
        return;    /* nothing to do (and qsort must not see a NULL array) */
    int64_t lo;
    unsigned tb = trace__start_bits(recs, n, &lo);
    unsigned pb = trace__bits(nplace), sb = trace__bits(nsubj);
    /* n > 0 means sb >= 1, so pb + tb < 64 when the key fits: no shift reaches 64. */
    build_rec *tmp = sb + pb + tb <= 64 ? fk_try_malloc(n * sizeof *tmp) : NULL;
    if (!tmp) {
        qsort(recs, n, sizeof *recs, trace__rec_cmp);
        return;
    }
    radix_recs(recs, tmp, n, pb, tb, lo, sb + pb + tb);
    free(tmp);
}
