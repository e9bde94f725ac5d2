/*
 * flatmap.h - a read-only hash table from non-zero 64-bit keys to two 32-bit values, in
 * one flat array of slots: built once, kept as bytes (in the store: services/residents.h),
 * read back into memory and probed as it is, without being built again. u64map
 * (base/u64map.h) is the growing map an import fills as it goes; this is the table that
 * is made once and read many times, so it has no growth, no deletion and no multimap:
 * a key is in it once.
 *
 * Layout: nslots slots of 16 bytes (key, a, b; key 0 = empty), nslots from
 * flatmap_slots (load at most 3/4); a key's probe starts at its mixed hash scaled to
 * nslots and goes on linearly (wrapping). The bytes are the machine's (little-endian
 * here): whoever keeps them records the layout's version beside them.
 * Ownership: the caller's memory (flatmap_alloc gives a zeroed array, on transparent
 * huge pages when large: a probe is a random read of tens of MiB; free with free()).
 * Thread safety: none for puts; gets on a finished table from any thread.
 */
#ifndef FK_BASE_FLATMAP_H
#define FK_BASE_FLATMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct flatslot {
    uint64_t key; /* 0: empty */
    uint32_t a, b;
} flatslot;

/* How many slots a table of n keys has (at least one empty). */
size_t flatmap_slots(size_t n);
/* A zeroed array of `bytes` (a multiple of 16), or NULL when out of memory. */
void *flatmap_alloc(size_t bytes);
/* Add key (!= 0) with (a, b): 0 added, 1 already there (left as it was), -1 full. */
int flatmap_put(flatslot *s, size_t nslots, uint64_t key, uint32_t a, uint32_t b);
/* The slot of key, or NULL. nslots 0 finds nothing. */
const flatslot *flatmap_get(const flatslot *s, size_t nslots, uint64_t key);
/* A hint, changing nothing: start loading the cache line flatmap_get(key) reads first,
 * so that work done in between hides the miss (a probe of a table of tens of MiB is a
 * read from memory). */
void flatmap_prefetch(const flatslot *s, size_t nslots, uint64_t key);

#endif
