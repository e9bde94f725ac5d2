/*
 * u64map.c - open-addressing hash multimap (contract: u64map.h). Linear probing from
 * a mixed key; a slot is empty when its value is 0.
 */
#include "base/u64map.h"

#include <stdlib.h>

static size_t home(const u64map *m, uint64_t key)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 29)) & (m->cap - 1);
}

static void place(u64map *m, uint64_t key, uint64_t val)
{
    size_t i = home(m, key);
    while (m->vals[i])
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
}

static int grow(u64map *m, fk_err *err)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    u64map old = *m;
    m->keys = malloc(ncap * sizeof *m->keys);
    m->vals = calloc(ncap, sizeof *m->vals);
    if (!m->keys || !m->vals) {
        free(m->keys);
        free(m->vals);
        *m = old;
        return fk_fail(err, FK_EBUSY, "", "out of memory for a lookup table");
    }
    m->cap = ncap;
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.vals[i])
            place(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
    return 0;
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
    for (; m->vals[i]; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == key) {
            *pos = ((i + 1) & (m->cap - 1)) + 1;
            return m->vals[i];
        }
    return 0;
}

uint64_t *u64map_ref(u64map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = home(m, key); m->vals[i]; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == key)
            return &m->vals[i];
    return NULL;
}

uint64_t u64map_get(const u64map *m, uint64_t key)
{
    size_t pos = 0;
    return u64map_next(m, key, &pos);
}

void u64map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = m->vals = NULL;
    m->cap = m->n = 0;
}

uint64_t u64_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}
