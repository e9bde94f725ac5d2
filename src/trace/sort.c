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
 * Threads: each pass is counted and scattered by several threads (base/parallel.h),
 * each owning a contiguous part of the input; a part's items go after those of the
 * parts before it with the same digit, so the parallel sort is as stable as the serial
 * one and gives the same order (tests/unit/test_parallel.c). Counting per pass (not
 * all digits in one first pass) costs one more sequential read a pass and lets the
 * parts count their own digits. On the bench city (15.6 M rows, 2 cores) the load and
 * build went from 12.0 s to 9.7 s with the sorts, renumbering and column fill split
 * over two threads, and to 7.7 s with huge pages for the big buffers (base/alloc.c).
 *
 * Equal keys keep their input order (the sort is stable); callers rely on it only
 * where the comparison they replace also breaks ties by input order (the column's
 * row number). When the packed key would not fit 64 bits, or memory for the second
 * buffer is short, the callers fall back to qsort: same order, only slower.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/parallel.h"
#include "trace/trace_int.h"

#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)
/* Below this many items a part, more threads cost more than they save. */
#define PART_MIN (1u << 16)

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

/* One sort in progress: either records (rsrc/rdst, key packed from their fields) or
 * key/row pairs (ksrc/kdst). hist holds one row of DIGITS counters per part: counts
 * after count_part, then each part's first output slot per digit for scatter_part. */
typedef struct radix_job {
    build_rec *rsrc, *rdst;
    trace__kv *ksrc, *kdst;
    size_t n;
    unsigned shift;          /* this pass's digit: key >> shift */
    unsigned pb, tb;         /* records: key = s << (pb + tb) | p << tb | (start - lo) */
    int64_t lo;
    size_t (*hist)[DIGITS];
} radix_job;

static inline uint64_t rec_key(const radix_job *j, const build_rec *r)
{
    return (uint64_t)r->s << (j->pb + j->tb) | (uint64_t)r->p << j->tb |
           (uint64_t)(r->start - j->lo);
}

static inline unsigned digit(uint64_t key, unsigned shift)
{
    return (unsigned)(key >> shift) & (DIGITS - 1);
}

/* Count this pass's digits over part i of the input. */
static void count_part(void *ctx, unsigned i, unsigned nparts)
{
    radix_job *j = ctx;
    size_t lo, hi, *h = j->hist[i];
    fk_parallel_share(j->n, i, nparts, &lo, &hi);
    memset(h, 0, DIGITS * sizeof *h);
    if (j->rsrc)
        for (size_t k = lo; k < hi; k++)
            h[digit(rec_key(j, &j->rsrc[k]), j->shift)]++;
    else
        for (size_t k = lo; k < hi; k++)
            h[digit(j->ksrc[k].key, j->shift)]++;
}

/* Move part i of the input to its slots; parts keep their order, so the sort is stable. */
static void scatter_part(void *ctx, unsigned i, unsigned nparts)
{
    radix_job *j = ctx;
    size_t lo, hi, *h = j->hist[i];
    fk_parallel_share(j->n, i, nparts, &lo, &hi);
    if (j->rsrc)
        for (size_t k = lo; k < hi; k++)
            j->rdst[h[digit(rec_key(j, &j->rsrc[k]), j->shift)]++] = j->rsrc[k];
    else
        for (size_t k = lo; k < hi; k++)
            j->kdst[h[digit(j->ksrc[k].key, j->shift)]++] = j->ksrc[k];
}

/* Turn the counts into first slots (digit-major, then part); false when every key has
 * the same digit, so the pass would only copy. */
static bool place_parts(radix_job *j, unsigned nparts)
{
    size_t sum = 0;
    for (unsigned b = 0; b < DIGITS; b++) {
        size_t total = 0;
        for (unsigned i = 0; i < nparts; i++)
            total += j->hist[i][b];
        if (total == j->n)
            return false;
        for (unsigned i = 0; i < nparts; i++) {
            size_t c = j->hist[i][b];
            j->hist[i][b] = sum;
            sum += c;
        }
    }
    return true;
}

/* The passes of an LSD radix sort over keys of `bits` bits, each pass counted and
 * scattered by several threads (each owns a contiguous part of the input). The
 * result ends in j->rsrc / j->ksrc. */
static void radix_passes(radix_job *j, unsigned bits)
{
    unsigned passes = (bits + DIGIT_BITS - 1) / DIGIT_BITS;
    unsigned nparts = fk_parallel_threads(j->n, PART_MIN);
    j->hist = fk_calloc(nparts, sizeof *j->hist);
    for (unsigned d = 0; d < passes && j->n > 0; d++) {
        j->shift = d * DIGIT_BITS;
        fk_parallel(nparts, count_part, j);
        if (!place_parts(j, nparts))
            continue;
        fk_parallel(nparts, scatter_part, j);
        build_rec *r = j->rsrc;
        j->rsrc = j->rdst;
        j->rdst = r;
        trace__kv *k = j->ksrc;
        j->ksrc = j->kdst;
        j->kdst = k;
    }
    free(j->hist);
    j->hist = NULL;
}

trace__kv *trace__radix_sort(trace__kv *kv, trace__kv *tmp, size_t n, unsigned bits)
{
    radix_job j = {.ksrc = kv, .kdst = tmp, .n = n};
    radix_passes(&j, bits);
    return j.ksrc;
}

/* The records themselves are moved, pass by pass (no index array and no final
 * permutation: that would be one cache miss a record). */
static void radix_recs(build_rec *recs, build_rec *tmp, size_t n, unsigned pb, unsigned tb,
                       int64_t lo, unsigned bits)
{
    radix_job j = {.rsrc = recs, .rdst = tmp, .n = n, .pb = pb, .tb = tb, .lo = lo};
    radix_passes(&j, bits);
    if (j.rsrc != recs)
        memcpy(recs, j.rsrc, n * sizeof *recs);
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
