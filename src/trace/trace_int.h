/*
 * trace_int.h - internals shared by the files of src/trace (not a public header).
 * Cross-file internal symbols are spelled trace__ so the module boundary shows.
 *
 * Index layout (built by index.c, or by extend.c from an index and new records, or
 * mapped from a snapshot file by snapshot.c; immutable afterwards, read by the queries
 * in copresence.c and proximity.c, which cannot tell the three apart):
 *
 *   names     subjects and places interned to dense ids 0..n-1; after
 *             trace__names_finish, id order == strcmp order of the names, so sorting
 *             by id is sorting by name.
 *   column    the MERGED intervals (see below) sorted by (place, start): start[],
 *             end[], subj[]; place p owns column rows [place_off[p], place_off[p+1]),
 *             place_maxlen[p] is the longest interval there (bounds a time search).
 *   pairs     one entry per (subject, place) seen, sorted by (subject, place):
 *             subject s owns pairs [subj_off[s], subj_off[s+1]); pair q is place
 *             pair_place[q] and owns sp_rec[pair_off[q] .. pair_off[q+1]).
 *   sp_rec    column row numbers in (subject, place, start) order.
 *   row_pair  per column row, its pair (the way back from a row to its subject's
 *             other intervals in that place without a search).
 *   pair_total per pair, the seconds of all its merged intervals (saturated at
 *             UINT32_MAX): a bound that settles most dwell checks without a sum.
 *   place_src per place, the enum trace_source bits of its records (venue or cell).
 *   prox      every detection twice (a->b and b->a) sorted by (subject, other, time):
 *             subject s owns prox_other/prox_time [prox_off[s], prox_off[s+1]).
 *
 * Invariants: within one (subject, place) the intervals are sorted, disjoint and not
 * touching ([a,b) [b,c) were merged into [a,c)), so their ends are sorted too and a
 * sum over them never counts a second twice. Every row number is < 2^32.
 */
#ifndef FK_TRACE_TRACE_INT_H
#define FK_TRACE_TRACE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

/* Unix seconds accepted: 1970 .. 9999-12-31 (so sums and differences never overflow). */
#define TRACE_TIME_MAX INT64_C(253402300799)

/* Interned strings with an open-addressing hash table (the hot path of the build). */
typedef struct trace__names {
    char *blob;              /* NUL-terminated names back to back */
    size_t blob_len, blob_cap;
    size_t *off;             /* name of id i at blob + off[i] */
    uint32_t n, cap;
    uint32_t *slots;         /* id + 1, 0 = empty; nslots is a power of two */
    uint32_t nslots;
} trace__names;

/* 0, or -1 when out of memory (the table is then still valid to free). *id is OUT. */
int trace__names_intern(trace__names *t, const char *s, uint32_t *id);
/* Id of s, or -1 when s was never interned. */
int64_t trace__names_find(const trace__names *t, const char *s);
/* Renumber the ids in strcmp order. *remap (OUT, caller frees) maps old id -> new id.
 * 0, or -1 when out of memory (t unchanged). */
int trace__names_finish(trace__names *t, uint32_t **remap);
/* The union of a and b (both after trace__names_finish) into out, in strcmp order, with
 * its own hash table; *amap and *bmap (OUT, caller frees) map a's and b's ids to out's.
 * Linear in the names (a merge, no sort). 0, or -1 out of memory (out then empty). */
int trace__names_union(const trace__names *a, const trace__names *b, trace__names *out,
                       uint32_t **amap, uint32_t **bmap);
void trace__names_free(trace__names *t);
static inline const char *trace__name(const trace__names *t, uint32_t id)
{
    return t->blob + t->off[id];
}

struct trace_index {
    size_t nrecords;         /* stays given to the build */
    size_t nmerged;          /* column rows after merging */
    size_t npairs;
    trace__names subjects, places;
    int64_t *start, *end;
    uint32_t *subj;
    uint32_t *place_off;     /* places.n + 1 */
    int64_t *place_maxlen;   /* places.n */
    uint32_t *subj_off;      /* subjects.n + 1 */
    uint32_t *pair_place;    /* npairs */
    uint32_t *pair_off;      /* npairs + 1 */
    uint32_t *sp_rec;        /* nmerged */
    uint32_t *row_pair;      /* nmerged */
    uint32_t *pair_total;    /* npairs */
    uint8_t *place_src;      /* places.n */
    size_t ndetections;      /* detections given to the build (rows below: 2x) */
    uint32_t *prox_off;      /* subjects.n + 1 */
    uint32_t *prox_other;
    int64_t *prox_time;
    void *map;               /* non-NULL: a snapshot mapping that every array points into */
    size_t map_len;
};

/* ---- the build path, shared by index.c (build) and extend.c ---- */

typedef struct build_rec { uint32_t s, p; int64_t start, end; } build_rec;
typedef struct build_det { uint32_t a, b; int64_t t; } build_det;

/* The builder interns each record as it arrives and keeps 24 bytes of a stay
 * (build_rec) and 16 of a detection, so a caller streaming from the store never holds
 * the strings of all records at once. place_src is indexed by interned place id. */
struct trace_builder {
    trace_index *ix;         /* names only until finish */
    build_rec *recs;
    size_t n, cap;
    build_det *dets;
    size_t ndet, detcap;
    uint8_t *place_src;
    size_t src_cap;
};

/* qsort order of build_rec: (subject, place, start). */
int trace__rec_cmp(const void *a, const void *b);
/* Renumber b's names (held in ix) into strcmp order, rewrite b's records and detections
 * to the new ids and fill ix->place_src. 0, or -1 out of memory. */
int trace__renumber(trace_index *ix, trace_builder *b);
/* Steps 3-6 of the build on ix (names and place_src already final): merge recs[0..n)
 * (sorted by trace__rec_cmp; rewritten in place), then the pair tables, the column and
 * proximity from dets[0..ndet). Sets nmerged; the caller sets nrecords. 0, or -1 out of
 * memory (ix is then still valid to free). */
int trace__assemble(trace_index *ix, build_rec *recs, size_t n, const build_det *dets,
                    size_t ndet);
/* The checksum of a snapshot file image of len >= 128 bytes (snapshot.c; exported for
 * the benchmark, which times it apart from the rest of an open). */
uint64_t trace__snapshot_checksum(const void *file, size_t len);
/* ---- sorting (sort.c) ---- */

typedef struct trace__kv { uint64_t key; uint32_t i; } trace__kv;
/* Bits needed to write every value 0..v. */
unsigned trace__bits(uint64_t v);
/* Bits of the span of recs[0..n)'s starts, and the smallest start *lo (OUT; 0 if n 0). */
unsigned trace__start_bits(const build_rec *recs, size_t n, int64_t *lo);
/* Stable LSD radix sort of kv[0..n) by key, every key < 2^bits (bits <= 64); tmp is
 * scratch of n entries. Returns the one of kv and tmp that holds the result. */
trace__kv *trace__radix_sort(trace__kv *kv, trace__kv *tmp, size_t n, unsigned bits);
/* Sort recs by trace__rec_cmp's order (subject, place, start), ids below nsubj and
 * nplace: a radix sort, or qsort when the key does not fit 64 bits or memory is short.
 * Records with equal keys may come out in any order (the merge does not care). */
void trace__sort_recs(build_rec *recs, size_t n, uint32_t nsubj, uint32_t nplace);

/* Release a mapped index (snapshot.c): munmap and free the struct. */
void trace__unmap(trace_index *ix);

/* "checkins", "stays+pings", ... for the bits of a place, into out (cap bytes). */
void trace__source_names(unsigned bits, char *out, size_t cap);
/* The source bit of a stay's source name (NULL = stays). */
unsigned trace__source_bit(const char *source);

#endif
