/*
 * u64map.h - an open-addressing hash multimap from 64-bit keys to non-zero 64-bit
 * values, for the imports' in-memory lookups (millions of ID numbers, person ids,
 * barcode hashes). Why hand-written: libc's map (hsearch_r) hashes a string by
 * shifting 4 bits a character, so 18-digit ID numbers of one region collide: putting
 * and finding 100,000 of the bench's took 32.6 s of CPU, this map 0.031 s (1,000,000:
 * about 0.6 s); keys are exact numbers (an ID number's 17 digits) or verified string
 * hashes, a probe is one mix and mostly one cache line.
 *
 * Contract: values are non-zero (0 means "absent"). A key may be put several times
 * (a multimap: string keys hashed to 64 bits may collide, so callers verify each
 * value u64map_next returns). Capacity doubles at half full; memory is 16 bytes per
 * slot. Not thread-safe; the caller frees with u64map_free.
 */
#ifndef FK_BASE_U64MAP_H
#define FK_BASE_U64MAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct u64slot {
    uint64_t key, val; /* side by side: a probe is one cache line, not two */
} u64slot;
typedef struct u64map {
    u64slot *s;
    size_t cap, n; /* cap 0 or a power of two; n <= cap / 2 */
} u64map;

/* Add (key, val), val != 0. 0, or -1 with FK_EBUSY when out of memory. */
int u64map_put(u64map *m, uint64_t key, uint64_t val, fk_err *err);
/* Room for n values without growing (a caller that knows its count: no rehash of what
 * it put so far at each doubling). 0, or -1 with FK_EBUSY when out of memory. */
int u64map_reserve(u64map *m, size_t n, fk_err *err);
/* The first value of key, or 0. */
uint64_t u64map_get(const u64map *m, uint64_t key);
/* The values of key one by one: start with *pos = 0; 0 when there are no more. */
uint64_t u64map_next(const u64map *m, uint64_t key, size_t *pos);
/* The slot of the first value of key, to change it in place; NULL when absent. */
uint64_t *u64map_ref(u64map *m, uint64_t key);
void u64map_free(u64map *m);

/* 64-bit FNV-1a of a string, for string keys. */
uint64_t u64_hash_str(const char *s);

#endif
