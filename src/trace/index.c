/*
 * index.c - build the trace index from presence records (layout: trace_int.h).
 *
 * Build, in order:
 *   1. validate every stay (nothing is built from a bad batch);
 *   2. intern subjects and places (intern.c), then renumber ids in name order;
 *   3. sort the records by (subject, place, start) and merge, per (subject, place),
 *      overlapping and touching intervals: [a,b) [b,c) -> [a,c);
 *   4. the pair tables: per subject its places, per pair its merged intervals;
 *   5. the column: the merged intervals sorted by (place, start), per-place offsets
 *      and longest interval; sp_rec points from pair order into the column;
 *   6. proximity: each detection in both directions, sorted by (subject, other, time).
 *
 * Memory: the finished index holds 24 bytes per merged interval (two times, one
 * subject id, one back pointer), 8 per (subject, place) pair, 12 per place and 4 per
 * subject plus the names: under the 2 x 24 bytes of a raw record. The build peaks
 * at about 32 extra bytes per record (two buffers of radix sort keys), freed before
 * it returns.
 * The two big sorts (records, column) are radix sorts on packed integer keys (sort.c),
 * with qsort as the fallback; detections and names are sorted with qsort. The sorts,
 * the renumbering of step 2 and the column fill of step 5 run on every core
 * (base/parallel.h); interning (step 2's first half) and the merge stay serial.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/parallel.h"
#include "trace/trace_int.h"

/* Below this many rows a part, more threads cost more than they save. */
#define PART_MIN (1u << 16)


typedef struct col_key { int64_t start; uint32_t p, i; } col_key;

/* Check a subject of record i (field `field`); returns 0 or fails naming the field. */
static int check_subject(const char *subject, const char *what, size_t i, const char *field,
                         fk_err *err)
{
    if (!subject || !subject[0])
        return fk_fail(err, FK_EINVAL, field, "%s %zu: empty %s", what, i, field);
    if (strlen(subject) >= sizeof ((trace_contact *)0)->subject)
        return fk_fail(err, FK_EINVAL, field, "%s %zu: %s longer than %zu bytes", what, i, field,
                       sizeof ((trace_contact *)0)->subject - 1);
    return 0;
}

/* Check one stay; returns 0 or fails naming the field. */
static int check_stay(const trace_stay *st, size_t i, fk_err *err)
{
    if (check_subject(st->subject, "stay", i, "subject", err) != 0)
        return -1;
    if (!st->place || !st->place[0])
        return fk_fail(err, FK_EINVAL, "place", "stay %zu: empty place", i);
    if (strlen(st->place) >= sizeof ((trace_contact *)0)->place)
        return fk_fail(err, FK_EINVAL, "place", "stay %zu: place longer than %zu bytes",
                       i, sizeof ((trace_contact *)0)->place - 1);
    if (st->start < 0 || st->start > TRACE_TIME_MAX)
        return fk_fail(err, FK_EINVAL, "start", "stay %zu: start %lld out of range", i,
                       (long long)st->start);
    if (st->end > TRACE_TIME_MAX)
        return fk_fail(err, FK_EINVAL, "end", "stay %zu: end %lld out of range", i,
                       (long long)st->end);
    if (st->end <= st->start)
        return fk_fail(err, FK_EINVAL, "end", "stay %zu: end %lld is not after start %lld",
                       i, (long long)st->end, (long long)st->start);
    return 0;
}

/* Remember that interned place p has a record from source bit `bit`. */
static int note_source(trace_builder *b, uint32_t p, unsigned bit)
{
    if (p >= b->src_cap) {
        size_t cap = b->src_cap ? b->src_cap * 2 : 1024;
        while (cap <= p)
            cap *= 2;
        uint8_t *grown = fk_try_realloc(b->place_src, cap);
        if (!grown)
            return -1;
        memset(grown + b->src_cap, 0, cap - b->src_cap);
        b->place_src = grown;
        b->src_cap = cap;
    }
    b->place_src[p] |= (uint8_t)bit;
    return 0;
}

int trace__rec_cmp(const void *a, const void *b)
{
    const build_rec *x = a, *y = b;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->start > y->start) - (x->start < y->start);
}

static int col_cmp(const void *a, const void *b)
{
    const col_key *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}


/* Step 2, one part: the records' and detections' ids through the maps. */
typedef struct renumber_job {
    trace_builder *b;
    const uint32_t *smap, *pmap;
} renumber_job;

static void renumber_part(void *ctx, unsigned i, unsigned n)
{
    renumber_job *j = ctx;
    size_t lo, hi;
    fk_parallel_share(j->b->n, i, n, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
        j->b->recs[k].s = j->smap[j->b->recs[k].s];
        j->b->recs[k].p = j->pmap[j->b->recs[k].p];
    }
    fk_parallel_share(j->b->ndet, i, n, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
        j->b->dets[k].a = j->smap[j->b->dets[k].a];
        j->b->dets[k].b = j->smap[j->b->dets[k].b];
    }
}

/* Step 2: renumber the interned ids of the records into name order. */
int trace__renumber(trace_index *ix, trace_builder *b)
{
    uint32_t *smap = NULL, *pmap = NULL;
    if (trace__names_finish(&ix->subjects, &smap) != 0 ||
        trace__names_finish(&ix->places, &pmap) != 0) {
        free(smap);
        return -1;
    }
    ix->place_src = fk_try_malloc(ix->places.n ? ix->places.n : 1);
    if (!ix->place_src) {
        free(smap);
        free(pmap);
        return -1;
    }
    for (uint32_t p = 0; p < ix->places.n; p++)
        ix->place_src[pmap[p]] = b->place_src[p];
    renumber_job j = {b, smap, pmap};
    fk_parallel(fk_parallel_threads(b->n + b->ndet, PART_MIN), renumber_part, &j);
    free(smap);
    free(pmap);
    return 0;
}

/* Step 3 (second half): merge in place the records already sorted by (subject, place,
 * start); returns the merged count. */
static size_t merge_sorted(build_rec *recs, size_t n)
{
    if (n == 0)
        return 0;
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        build_rec *last = &recs[m];
        if (recs[i].s == last->s && recs[i].p == last->p && recs[i].start <= last->end) {
            if (recs[i].end > last->end)
                last->end = recs[i].end;
        } else {
            recs[++m] = recs[i];
        }
    }
    return m + 1;
}

/* Step 4: the pair tables from the merged records (sorted by subject, place). */
static int build_pairs(trace_index *ix, const build_rec *recs, size_t m)
{
    size_t np = 0;
    for (size_t i = 0; i < m; i++)
        np += i == 0 || recs[i].s != recs[i - 1].s || recs[i].p != recs[i - 1].p;
    ix->npairs = np;
    ix->subj_off = fk_try_malloc(((size_t)ix->subjects.n + 1) * sizeof *ix->subj_off);
    ix->pair_place = fk_try_malloc((np ? np : 1) * sizeof *ix->pair_place);
    ix->pair_off = fk_try_malloc((np + 1) * sizeof *ix->pair_off);
    ix->pair_total = fk_try_malloc((np ? np : 1) * sizeof *ix->pair_total);
    if (!ix->subj_off || !ix->pair_place || !ix->pair_off || !ix->pair_total)
        return -1;
    size_t q = 0;
    uint32_t s = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < m; i++) {
        if (i > 0 && recs[i].s == recs[i - 1].s && recs[i].p == recs[i - 1].p) {
            total += (uint64_t)(recs[i].end - recs[i].start);
            ix->pair_total[q - 1] = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
            continue;
        }
        while (s <= recs[i].s)
            ix->subj_off[s++] = (uint32_t)q;
        total = (uint64_t)(recs[i].end - recs[i].start);
        ix->pair_total[q] = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
        ix->pair_place[q] = recs[i].p;
        ix->pair_off[q++] = (uint32_t)i;
    }
    while (s <= ix->subjects.n)
        ix->subj_off[s++] = (uint32_t)q;
    ix->pair_off[np] = (uint32_t)m;
    return 0;
}

/* Step 5 (allocation): the column arrays and per-place tables. */
static int alloc_column(trace_index *ix, size_t m)
{
    size_t np = ix->places.n, mm = m ? m : 1;
    ix->start = fk_try_malloc(mm * sizeof *ix->start);
    ix->end = fk_try_malloc(mm * sizeof *ix->end);
    ix->subj = fk_try_malloc(mm * sizeof *ix->subj);
    ix->sp_rec = fk_try_malloc(mm * sizeof *ix->sp_rec);
    ix->row_pair = fk_try_malloc(mm * sizeof *ix->row_pair);
    ix->place_off = fk_try_malloc((np + 1) * sizeof *ix->place_off);
    ix->place_maxlen = fk_try_malloc((np ? np : 1) * sizeof *ix->place_maxlen);
    if (!ix->start || !ix->end || !ix->subj || !ix->sp_rec || !ix->row_pair ||
        !ix->place_off || !ix->place_maxlen)
        return -1;
    memset(ix->place_maxlen, 0, (np ? np : 1) * sizeof *ix->place_maxlen);
    return 0;
}

/* The fallback of column_order: qsort by (place, start, row) into kv[].i. */
static int column_order_qsort(const build_rec *recs, size_t m, trace__kv *kv)
{
    col_key *keys = fk_try_malloc((m ? m : 1) * sizeof *keys);
    if (!keys)
        return -1;
    for (size_t i = 0; i < m; i++)
        keys[i] = (col_key){recs[i].start, recs[i].p, (uint32_t)i};
    qsort(keys, m, sizeof *keys, col_cmp);
    for (size_t k = 0; k < m; k++)
        kv[k].i = keys[k].i;
    free(keys);
    return 0;
}

/* The merged rows in column order (place, start, row): kv[k].i is the k-th row. A
 * stable radix sort on (place, start) keeps rows of equal keys in row order, as the
 * comparison does. NULL when out of memory; the caller frees. */
static trace__kv *column_order(const build_rec *recs, size_t m, uint32_t nplace)
{
    int64_t lo;
    unsigned tb = trace__start_bits(recs, m, &lo), pb = trace__bits(nplace);
    trace__kv *kv = fk_try_malloc((m ? m : 1) * sizeof *kv);
    trace__kv *tmp = kv && pb + tb <= 64 ? fk_try_malloc((m ? m : 1) * sizeof *tmp) : NULL;
    if (kv && !tmp) {
        if (column_order_qsort(recs, m, kv) == 0)
            return kv;
        free(kv);
        return NULL;
    }
    if (!kv)
        return NULL;
    for (size_t i = 0; i < m; i++)   /* tb < 64 here: pb >= 1 whenever m > 0 */
        kv[i] = (trace__kv){(uint64_t)recs[i].p << tb | (uint64_t)(recs[i].start - lo),
                            (uint32_t)i};
    trace__kv *sorted = trace__radix_sort(kv, tmp, m, pb + tb);
    free(sorted == kv ? tmp : kv);
    return sorted;
}

/* Step 5, one part: column rows [lo, hi) from the records in column order. The reads
 * recs[keys[k].i] are random (one cache miss a row), which is why it runs in parts. */
typedef struct fill_job {
    trace_index *ix;
    const build_rec *recs;
    const trace__kv *keys;
    size_t m;
} fill_job;

static void fill_part(void *ctx, unsigned i, unsigned n)
{
    fill_job *j = ctx;
    size_t lo, hi;
    fk_parallel_share(j->m, i, n, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
        const build_rec *r = &j->recs[j->keys[k].i];
        j->ix->start[k] = r->start;
        j->ix->end[k] = r->end;
        j->ix->subj[k] = r->s;
        j->ix->sp_rec[j->keys[k].i] = (uint32_t)k;
    }
}

/* Step 5, one part of the pairs: each of their rows points back to its pair. */
static void row_pair_part(void *ctx, unsigned i, unsigned n)
{
    trace_index *ix = ctx;
    size_t lo, hi;
    fk_parallel_share(ix->npairs, i, n, &lo, &hi);
    for (size_t q = lo; q < hi; q++)
        for (uint32_t k = ix->pair_off[q]; k < ix->pair_off[q + 1]; k++)
            ix->row_pair[ix->sp_rec[k]] = (uint32_t)q;
}

/* Step 5, per place: row offsets (a count and a prefix sum) and longest interval, read
 * from the records in their own order (sequential reads). */
static void place_tables(trace_index *ix, const build_rec *recs, size_t m)
{
    memset(ix->place_off, 0, ((size_t)ix->places.n + 1) * sizeof *ix->place_off);
    for (size_t i = 0; i < m; i++) {
        ix->place_off[recs[i].p + 1]++;
        if (recs[i].end - recs[i].start > ix->place_maxlen[recs[i].p])
            ix->place_maxlen[recs[i].p] = recs[i].end - recs[i].start;
    }
    for (uint32_t p = 0; p < ix->places.n; p++)
        ix->place_off[p + 1] += ix->place_off[p];
}

/* Step 5: the column sorted by (place, start) and the back pointers. */
static int build_column(trace_index *ix, const build_rec *recs, size_t m)
{
    if (alloc_column(ix, m) != 0)
        return -1;
    trace__kv *keys = column_order(recs, m, ix->places.n);
    if (!keys)
        return -1;
    fill_job j = {ix, recs, keys, m};
    fk_parallel(fk_parallel_threads(m, PART_MIN), fill_part, &j);
    fk_parallel(fk_parallel_threads(m, PART_MIN), row_pair_part, ix);
    place_tables(ix, recs, m);
    free(keys);
    return 0;
}

static int det_cmp(const void *x, const void *y)
{
    const build_det *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    return (a->t > b->t) - (a->t < b->t);
}

/* Step 6: every detection in both directions, sorted by (subject, other, time). */
static int build_proximity(trace_index *ix, const build_det *dets, size_t n)
{
    size_t m = 2 * n;
    build_det *all = fk_try_malloc((m ? m : 1) * sizeof *all);
    ix->prox_off = fk_try_malloc(((size_t)ix->subjects.n + 1) * sizeof *ix->prox_off);
    ix->prox_other = fk_try_malloc((m ? m : 1) * sizeof *ix->prox_other);
    ix->prox_time = fk_try_malloc((m ? m : 1) * sizeof *ix->prox_time);
    if (!all || !ix->prox_off || !ix->prox_other || !ix->prox_time) {
        free(all);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        all[2 * i] = dets[i];
        all[2 * i + 1] = (build_det){dets[i].b, dets[i].a, dets[i].t};
    }
    qsort(all, m, sizeof *all, det_cmp);
    uint32_t s = 0;
    for (size_t k = 0; k < m; k++) {
        while (s <= all[k].a)
            ix->prox_off[s++] = (uint32_t)k;
        ix->prox_other[k] = all[k].b;
        ix->prox_time[k] = all[k].t;
    }
    while (s <= ix->subjects.n)
        ix->prox_off[s++] = (uint32_t)m;
    ix->ndetections = n;
    free(all);
    return 0;
}

trace_builder *trace_builder_new(void)
{
    trace_builder *b = fk_calloc(1, sizeof *b);
    b->ix = fk_calloc(1, sizeof *b->ix);
    return b;
}

void trace_builder_free(trace_builder *b)
{
    if (!b)
        return;
    trace_index_free(b->ix);
    free(b->recs);
    free(b->dets);
    free(b->place_src);
    free(b);
}

int trace_builder_add(trace_builder *b, const trace_stay *st, fk_err *err)
{
    if (check_stay(st, b->n, err) != 0)
        return -1;
    if (b->n >= UINT32_MAX / 4)
        return fk_fail(err, FK_ETOOBIG, "stays", "%zu records: over the index limit", b->n);
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        build_rec *grown = fk_try_realloc(b->recs, cap * sizeof *grown);
        if (!grown)
            return fk_fail(err, FK_EBUSY, "", "out of memory building the trace index");
        b->recs = grown;
        b->cap = cap;
    }
    build_rec *r = &b->recs[b->n];
    r->start = st->start;
    r->end = st->end;
    if (trace__names_intern(&b->ix->subjects, st->subject, &r->s) != 0 ||
        trace__names_intern(&b->ix->places, st->place, &r->p) != 0 ||
        note_source(b, r->p, trace__source_bit(st->source)) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory building the trace index");
    b->n++;
    return 0;
}

int trace_builder_add_detection(trace_builder *b, const char *a, const char *bsubj, int64_t t,
                                fk_err *err)
{
    size_t i = b->ndet;
    if (check_subject(a, "detection", i, "a", err) != 0 ||
        check_subject(bsubj, "detection", i, "b", err) != 0)
        return -1;
    if (strcmp(a, bsubj) == 0)
        return fk_fail(err, FK_EINVAL, "b", "detection %zu: a and b are the same subject", i);
    if (t < 0 || t > TRACE_TIME_MAX)
        return fk_fail(err, FK_EINVAL, "time", "detection %zu: time %lld out of range", i,
                       (long long)t);
    if (b->ndet >= UINT32_MAX / 4)
        return fk_fail(err, FK_ETOOBIG, "detections", "%zu detections: over the index limit",
                       i);
    if (b->ndet == b->detcap) {
        size_t cap = b->detcap ? b->detcap * 2 : 4096;
        build_det *grown = fk_try_realloc(b->dets, cap * sizeof *grown);
        if (!grown)
            return fk_fail(err, FK_EBUSY, "", "out of memory building the trace index");
        b->dets = grown;
        b->detcap = cap;
    }
    build_det *d = &b->dets[b->ndet];
    d->t = t;
    if (trace__names_intern(&b->ix->subjects, a, &d->a) != 0 ||
        trace__names_intern(&b->ix->subjects, bsubj, &d->b) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory building the trace index");
    b->ndet++;
    return 0;
}

int trace__assemble(trace_index *ix, build_rec *recs, size_t n, const build_det *dets,
                    size_t ndet)
{
    size_t m = merge_sorted(recs, n);
    ix->nmerged = m;
    if (build_pairs(ix, recs, m) != 0 || build_column(ix, recs, m) != 0 ||
        build_proximity(ix, dets, ndet) != 0)
        return -1;
    return 0;
}

trace_index *trace_builder_finish(trace_builder *b, fk_err *err)
{
    trace_index *ix = b->ix;
    size_t n = b->n;
    b->ix = NULL;
    if (trace__renumber(ix, b) != 0)
        goto oom;
    trace__sort_recs(b->recs, n, ix->subjects.n, ix->places.n);
    ix->nrecords = n;
    if (trace__assemble(ix, b->recs, n, b->dets, b->ndet) != 0)
        goto oom;
    trace_builder_free(b);
    return ix;
oom:
    trace_index_free(ix);
    trace_builder_free(b);
    fk_fail(err, FK_EBUSY, "", "out of memory building the trace index (%zu records)", n);
    return NULL;
}

trace_index *trace_index_build(const trace_stay *stays, size_t n, fk_err *err)
{
    if (n && !stays) {
        fk_fail(err, FK_EINVAL, "stays", "no records given");
        return NULL;
    }
    trace_builder *b = trace_builder_new();
    for (size_t i = 0; i < n; i++)
        if (trace_builder_add(b, &stays[i], err) != 0) {
            trace_builder_free(b);
            return NULL;
        }
    return trace_builder_finish(b, err);
}

void trace_index_free(trace_index *ix)
{
    if (!ix)
        return;
    if (ix->map) {             /* arrays point into the mapping (snapshot.c) */
        trace__unmap(ix);
        return;
    }
    trace__names_free(&ix->subjects);
    trace__names_free(&ix->places);
    free(ix->start);
    free(ix->end);
    free(ix->subj);
    free(ix->place_off);
    free(ix->place_maxlen);
    free(ix->subj_off);
    free(ix->pair_place);
    free(ix->pair_off);
    free(ix->sp_rec);
    free(ix->row_pair);
    free(ix->pair_total);
    free(ix->place_src);
    free(ix->prox_off);
    free(ix->prox_other);
    free(ix->prox_time);
    free(ix);
}

size_t trace_index_detections(const trace_index *ix)
{
    return ix ? ix->ndetections : 0;
}

size_t trace_index_records(const trace_index *ix)
{
    return ix ? ix->nrecords : 0;
}

static size_t names_bytes(const trace__names *t)
{
    return t->blob_cap + (size_t)t->cap * sizeof *t->off + (size_t)t->nslots * sizeof *t->slots;
}

size_t trace_index_bytes(const trace_index *ix)
{
    if (!ix)
        return 0;
    size_t b = sizeof *ix + names_bytes(&ix->subjects) + names_bytes(&ix->places);
    b += ix->nmerged * (2 * sizeof(int64_t) + 3 * sizeof(uint32_t));
    b += ((size_t)ix->places.n + 1) * (sizeof(uint32_t) + sizeof(int64_t));
    b += ((size_t)ix->subjects.n + 1) * sizeof(uint32_t);
    b += ix->npairs * 3 * sizeof(uint32_t) + sizeof(uint32_t);
    b += ix->places.n; /* place_src */
    b += ((size_t)ix->subjects.n + 1) * sizeof(uint32_t);
    b += ix->ndetections * 2 * (sizeof(uint32_t) + sizeof(int64_t));
    return b;
}
