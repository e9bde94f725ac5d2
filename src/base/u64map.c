/*
 * u64map.c - open-addressing hash multimap (contract: u64map.h). Linear probing from
 * the key mixed by the splitmix64 finalizer; a slot is empty when its value is 0.
 */
#include "base/u64map.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Tables of 2 MiB or more are aligned to 2 MiB and asked for transparent huge pages:
 * a lookup is a random read of a table of tens of MiB (1,000,000 residents: 32 MiB),
 * and on the bench's virtual machine a 4 KiB page's TLB miss cost more than the cache
 * miss itself (bench/README.md). The advice is only advice: without it, or where THP
 * is off, the table is the same memory. */
#define HUGE_BYTES ((size_t)2 << 20)

static u64slot *slots_alloc(size_t n)
{
    size_t bytes = n * sizeof(u64slot);
    if (bytes < HUGE_BYTES)
        return calloc(n, sizeof(u64slot));
    u64slot *s = aligned_alloc(HUGE_BYTES, bytes); /* bytes: a power of two >= 2 MiB */
    if (!s)
        return NULL;
    (void)madvise(s, bytes, MADV_HUGEPAGE);
    memset(s, 0, bytes);
    return s;
}

static size_t home(const u64map *m, uint64_t key)
{
    uint64_t h = key;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    return (size_t)(h ^ (h >> 31)) & (m->cap - 1);
}

static void place(u64map *m, uint64_t key, uint64_t val)
{
    size_t i = home(m, key);
    while (m->s[i].val)
        i = (i + 1) & (m->cap - 1);
    m->s[i].key = key;
    m->s[i].val = val;
    m->n++;
}

/* To ncap slots (a power of two holding every value put). */
static int rehash(u64map *m, size_t ncap, fk_err *err)
{
    u64map old = *m;
    m->s = slots_alloc(ncap);
    if (!m->s) {
        *m = old;
        return fk_fail(err, FK_EBUSY, "", "out of memory for a lookup table");
    }
    m->cap = ncap;
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.s[i].val)
            place(m, old.s[i].key, old.s[i].val);
    free(old.s);
    return 0;
}

static int grow(u64map *m, fk_err *err)
{
    return rehash(m, m->cap ? m->cap * 2 : 1024, err);
}

int u64map_reserve(u64map *m, size_t n, fk_err *err)
{
    size_t cap = m->cap ? m->cap : 1024;
    while (cap < n * 2)
        cap *= 2;
    return cap == m->cap ? 0 : rehash(m, cap, err);
}

int u64map_put(u64map *m, uint64_t key, uint64_t val, fk_err *err)
{
    if ((m->n + 1) * 2 > m->cap && grow(m, err) != 0)
        return -1;
    place(m, key, val);
    return 0;
}

uint64_t u64map_next(const u64map *m, uint64_t key, size_t *pos)
{
    if (!m->cap)
        return 0;
    size_t i = *pos ? *pos - 1 : home(m, key); /* *pos: the next slot + 1 */
    for (; m->s[i].val; i = (i + 1) & (m->cap - 1))
        if (m->s[i].key == key) {
            *pos = ((i + 1) & (m->cap - 1)) + 1;
            return m->s[i].val;
        }
    return 0;
}

uint64_t *u64map_ref(u64map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = home(m, key); m->s[i].val; i = (i + 1) & (m->cap - 1))
        if (m->s[i].key == key)
            return &m->s[i].val;
    return NULL;
}

uint64_t u64map_get(const u64map *m, uint64_t key)
{
    size_t pos = 0;
    return u64map_next(m, key, &pos);
}

void u64map_free(u64map *m)
{
    free(m->s);
    m->s = NULL;
    m->cap = m->n = 0;
}

uint64_t u64_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}
