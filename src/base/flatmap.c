/*
 * flatmap.c - the flat read-only hash table (contract: flatmap.h). The splitmix64
 * finalizer mixes the key; its high bits times nslots pick the home slot, so nslots
 * need not be a power of two (3/4 full instead of at most 1/2: 21 MiB rather than
 * 32 MiB for 1,000,000 keys, which is what the import reads back).
 */
#include "base/flatmap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_BYTES ((size_t)2 << 20)

size_t flatmap_slots(size_t n)
{
    return n + n / 3 + 1;
}

void *flatmap_alloc(size_t bytes)
{
    if (bytes < HUGE_BYTES)
        return calloc(1, bytes ? bytes : 1);
    size_t rounded = (bytes + HUGE_BYTES - 1) / HUGE_BYTES * HUGE_BYTES;
    void *p = aligned_alloc(HUGE_BYTES, rounded);
    if (!p)
        return NULL;
    (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: the same memory without */
    memset(p, 0, rounded);
    return p;
}

static size_t home(uint64_t key, size_t nslots)
{
    uint64_t h = key;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    h ^= h >> 31;
    return (size_t)(((unsigned __int128)h * nslots) >> 64);
}

void flatmap_prefetch(const flatslot *s, size_t nslots, uint64_t key)
{
    if (nslots)
        __builtin_prefetch(&s[home(key, nslots)]);
}

int flatmap_put(flatslot *s, size_t nslots, uint64_t key, uint32_t a, uint32_t b)
{
    if (nslots == 0)
        return -1;
    size_t i = home(key, nslots);
    for (size_t probes = 0; probes < nslots; probes++) {
        if (s[i].key == key)
            return 1;
        if (s[i].key == 0) {
            s[i] = (flatslot){key, a, b};
            return 0;
        }
        i = i + 1 == nslots ? 0 : i + 1;
    }
    return -1;
}

const flatslot *flatmap_get(const flatslot *s, size_t nslots, uint64_t key)
{
    if (nslots == 0)
        return NULL;
    size_t i = home(key, nslots);
    /* bounded: a table read back from bytes is not trusted to have an empty slot */
    for (size_t probes = 0; probes < nslots && s[i].key; probes++) {
        if (s[i].key == key)
            return &s[i];
        i = i + 1 == nslots ? 0 : i + 1;
    }
    return NULL;
}
