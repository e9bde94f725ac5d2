/*
 * homes.c - persons' homes in memory (contract: homes.h).
 *
 * The places are an array in the order they were kept; an open-addressing table of
 * person ids (linear probing, at most half full) points into it (index + 1, 0 empty).
 * Forgetting empties both and keeps their memory.
 */
#include "services/homes.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

struct homes {
    int64_t version;       /* of the store when what is kept was read; 0 none */
    person_place *items;
    size_t n, cap;
    uint32_t *slots;       /* index + 1 into items, 0 empty */
    size_t mask;           /* slots - 1 (a power of two), 0 before the first */
};

homes *homes_new(void)
{
    return fk_calloc(1, sizeof(homes));
}

void homes_free(homes *h)
{
    if (!h)
        return;
    free(h->items);
    free(h->slots);
    free(h);
}

size_t homes_count(const homes *h)
{
    return h ? h->n : 0;
}

static size_t slot_of(const homes *h, int64_t id)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 17) & h->mask;
}

static const person_place *find(const homes *h, int64_t id)
{
    if (!h->mask)
        return NULL;
    for (size_t i = slot_of(h, id);; i = (i + 1) & h->mask) {
        uint32_t at = h->slots[i];
        if (!at)
            return NULL;
        if (h->items[at - 1].person_id == id)
            return &h->items[at - 1];
    }
}

/* The table twice as large, every kept place in it again. */
static void rehash(homes *h)
{
    size_t size = h->mask ? (h->mask + 1) * 2 : 1024;
    free(h->slots);
    h->slots = fk_calloc(size, sizeof *h->slots);
    h->mask = size - 1;
    for (size_t k = 0; k < h->n; k++) {
        size_t i = slot_of(h, h->items[k].person_id);
        while (h->slots[i])
            i = (i + 1) & h->mask;
        h->slots[i] = (uint32_t)(k + 1);
    }
}

/* Keep p (a home its building locates) unless it is kept already. */
static void keep(homes *h, const person_place *p)
{
    if (!p->person_id || !p->by_building || find(h, p->person_id) || h->n >= UINT32_MAX - 1)
        return;
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->items = fk_realloc(h->items, h->cap * sizeof *h->items);
    }
    h->items[h->n++] = *p;
    if ((h->n + 1) * 2 > h->mask + 1) {
        rehash(h);
        return;
    }
    size_t i = slot_of(h, p->person_id);
    while (h->slots[i])
        i = (i + 1) & h->mask;
    h->slots[i] = (uint32_t)h->n;
}

static void forget(homes *h, int64_t version)
{
    h->n = 0;
    if (h->slots)
        memset(h->slots, 0, (h->mask + 1) * sizeof *h->slots);
    h->version = version;
}

static int keep_each(const person_place *p, void *ctx)
{
    keep(ctx, p);
    return 0;
}

int homes_load(homes *h, store *st, fk_err *err)
{
    int64_t version;
    if (store_homes_version(st, &version, err) != 0)
        return -1;
    forget(h, version);
    if (!version)
        return 0;
    return store_homes_each(st, keep_each, h, err) == 0 ? 0 : -1;
}

/* The persons of ids[] not kept, read in one call and kept when their building locates
 * them; out[i] for each. */
static int read_missing(homes *h, store *st, const int64_t *ids, size_t n, person_place *out,
                        fk_err *err)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += out[i].person_id == 0;
    if (!m)
        return 0;
    int64_t *want = fk_try_malloc(m * sizeof *want);
    size_t *at = fk_try_malloc(m * sizeof *at);
    person_place *got = fk_try_malloc(m * sizeof *got);
    int rc = want && at && got ? 0 : fk_fail(err, FK_EBUSY, "persons", "persons: out of memory");
    for (size_t i = 0, k = 0; i < n && rc == 0; i++)
        if (out[i].person_id == 0) {
            want[k] = ids[i];
            at[k++] = i;
        }
    rc = rc || store_person_places(st, want, m, got, err);
    for (size_t k = 0; k < m && rc == 0; k++) {
        out[at[k]] = got[k];
        keep(h, &got[k]);
    }
    free(want);
    free(at);
    free(got);
    return rc ? -1 : 0;
}

int homes_places(homes *h, store *st, const int64_t *ids, size_t n, person_place *out,
                 fk_err *err)
{
    if (!h)
        return store_person_places(st, ids, n, out, err);
    int64_t version;
    if (store_homes_version(st, &version, err) != 0)
        return -1;
    if (version != h->version)
        forget(h, version);
    if (!version) /* no version row: nothing would tell a change; keep nothing */
        return store_person_places(st, ids, n, out, err);
    for (size_t i = 0; i < n; i++) {
        const person_place *p = ids[i] > 0 ? find(h, ids[i]) : NULL;
        if (p)
            out[i] = *p;
        else
            memset(&out[i], 0, sizeof out[i]);
    }
    return read_missing(h, st, ids, n, out, err);
}
