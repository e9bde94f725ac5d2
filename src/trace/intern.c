/*
 * intern.c - string interning for the trace index: subjects and places to dense ids.
 *
 * This is the hot path of the index build (one lookup per stay and per field), so it
 * is a hash table of our own: open addressing with linear probing over `slots`, which
 * hold id + 1 (0 = empty). The names themselves live back to back in one blob, so a
 * million distinct subjects cost one allocation, not a million.
 *
 * Invariants: nslots is a power of two and at least twice n (load <= 1/2), so probing
 * always ends at an empty slot; off[i] < blob_len for every id i < n.
 * After trace__names_finish the ids are renumbered in strcmp order and the blob is
 * rewritten in that order. Not thread-safe while building; read-only afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "trace/trace_int.h"

/* FNV-1a, 64-bit. */
static uint64_t names_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* Slot of s: the one holding it, or the empty one where it would go. */
static uint32_t names_slot(const trace__names *t, const char *s)
{
    uint32_t mask = t->nslots - 1;
    uint32_t i = (uint32_t)names_hash(s) & mask;
    while (t->slots[i] && strcmp(trace__name(t, t->slots[i] - 1), s) != 0)
        i = (i + 1) & mask;
    return i;
}

/* Rebuild the slot table with nslots slots for the ids 0..n-1. */
static int names_rehash(trace__names *t, uint32_t nslots)
{
    uint32_t *slots = fk_try_malloc((size_t)nslots * sizeof *slots);
    if (!slots)
        return -1;
    memset(slots, 0, (size_t)nslots * sizeof *slots);
    free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    for (uint32_t id = 0; id < t->n; id++)
        t->slots[names_slot(t, trace__name(t, id))] = id + 1;
    return 0;
}

/* Make room for one more name of len bytes (plus its NUL). */
static int names_reserve(trace__names *t, size_t len)
{
    if (t->n == UINT32_MAX / 4)
        return -1;
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 256;
        size_t *off = fk_try_realloc(t->off, (size_t)cap * sizeof *off);
        if (!off)
            return -1;
        t->off = off;
        t->cap = cap;
    }
    if (t->blob_len + len + 1 > t->blob_cap) {
        size_t cap = t->blob_cap ? t->blob_cap * 2 : 4096;
        while (cap < t->blob_len + len + 1)
            cap *= 2;
        char *blob = fk_try_realloc(t->blob, cap);
        if (!blob)
            return -1;
        t->blob = blob;
        t->blob_cap = cap;
    }
    if ((t->n + 1) * 2 > t->nslots)
        return names_rehash(t, t->nslots ? t->nslots * 2 : 1024);
    return 0;
}

int trace__names_intern(trace__names *t, const char *s, uint32_t *id)
{
    if (t->nslots) {
        uint32_t i = names_slot(t, s);
        if (t->slots[i]) {
            *id = t->slots[i] - 1;
            return 0;
        }
    }
    size_t len = strlen(s);
    if (names_reserve(t, len) != 0)
        return -1;
    memcpy(t->blob + t->blob_len, s, len + 1);
    t->off[t->n] = t->blob_len;
    t->blob_len += len + 1;
    t->slots[names_slot(t, s)] = t->n + 1;
    *id = t->n++;
    return 0;
}

int64_t trace__names_find(const trace__names *t, const char *s)
{
    if (!t->nslots)
        return -1;
    uint32_t i = names_slot(t, s);
    return t->slots[i] ? (int64_t)t->slots[i] - 1 : -1;
}

/* qsort has no context argument: the blob is passed through the array itself. */
typedef struct names_key { const char *s; uint32_t id; } names_key;

static int names_key_cmp(const void *a, const void *b)
{
    return strcmp(((const names_key *)a)->s, ((const names_key *)b)->s);
}

int trace__names_finish(trace__names *t, uint32_t **remap)
{
    size_t n = t->n;
    names_key *keys = fk_try_malloc((n ? n : 1) * sizeof *keys);
    uint32_t *map = fk_try_malloc((n ? n : 1) * sizeof *map);
    char *blob = fk_try_malloc(t->blob_len ? t->blob_len : 1);
    if (!keys || !map || !blob) {
        free(keys), free(map), free(blob);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (names_key){trace__name(t, (uint32_t)i), (uint32_t)i};
    qsort(keys, n, sizeof *keys, names_key_cmp);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(keys[i].s) + 1;
        memcpy(blob + len, keys[i].s, l);
        map[keys[i].id] = (uint32_t)i;
        t->off[i] = len;
        len += l;
    }
    free(keys);
    free(t->blob);
    t->blob = blob;
    t->blob_cap = t->blob_len;
    for (uint32_t i = 0; i < t->nslots; i++)
        if (t->slots[i])
            t->slots[i] = map[t->slots[i] - 1] + 1;
    *remap = map;
    return 0;
}

/* Append name s (len bytes) to out, whose off and blob are sized for the union. */
static uint32_t names_append(trace__names *out, const char *s, size_t len)
{
    memcpy(out->blob + out->blob_len, s, len + 1);
    out->off[out->n] = out->blob_len;
    out->blob_len += len + 1;
    return out->n++;
}

/* The smallest table size the invariants allow for n names (load <= 1/2). */
static uint32_t names_nslots(size_t n)
{
    uint32_t nslots = 1024;
    while ((size_t)nslots < 2 * (n + 1))
        nslots *= 2;
    return nslots;
}

int trace__names_union(const trace__names *a, const trace__names *b, trace__names *out,
                       uint32_t **amap, uint32_t **bmap)
{
    memset(out, 0, sizeof *out);
    size_t cap = (size_t)a->n + b->n, blob = a->blob_len + b->blob_len;
    uint32_t *am = fk_try_malloc((a->n ? a->n : 1) * sizeof *am);
    uint32_t *bm = fk_try_malloc((b->n ? b->n : 1) * sizeof *bm);
    out->off = fk_try_malloc((cap ? cap : 1) * sizeof *out->off);
    out->blob = fk_try_malloc(blob ? blob : 1);
    if (!am || !bm || !out->off || !out->blob || cap >= UINT32_MAX / 4)
        goto oom;
    out->cap = (uint32_t)cap;
    out->blob_cap = blob ? blob : 1;
    uint32_t i = 0, j = 0;
    while (i < a->n || j < b->n) {  /* a linear merge of two sorted lists */
        const char *x = i < a->n ? trace__name(a, i) : NULL;
        const char *y = j < b->n ? trace__name(b, j) : NULL;
        int c = !x ? 1 : !y ? -1 : strcmp(x, y);
        const char *s = c <= 0 ? x : y;
        uint32_t id = names_append(out, s, strlen(s));
        if (c <= 0)
            am[i++] = id;
        if (c >= 0)
            bm[j++] = id;
    }
    if (names_rehash(out, names_nslots(out->n)) != 0)
        goto oom;
    *amap = am;
    *bmap = bm;
    return 0;
oom:
    free(am), free(bm);
    trace__names_free(out);
    return -1;
}

void trace__names_free(trace__names *t)
{
    free(t->blob);
    free(t->off);
    free(t->slots);
    memset(t, 0, sizeof *t);
}
