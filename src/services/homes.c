/*
 * homes.c - persons' homes in memory (contract: homes.h).
 *
 * The places are an array in the order they were kept; a map of person ids
 * (base/u64map.h) points into it (index + 1). Forgetting empties both.
 */
#include "services/homes.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/u64map.h"

struct homes {
    int64_t version;       /* of the store when what is kept was read; 0 none */
    person_place *items;
    size_t n, cap;
    u64map index;          /* person id -> index + 1 into items */
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
    u64map_free(&h->index);
    free(h);
}

size_t homes_count(const homes *h)
{
    return h ? h->n : 0;
}

static const person_place *find(const homes *h, int64_t id)
{
    uint64_t at = u64map_get(&h->index, (uint64_t)id);
    return at ? &h->items[at - 1] : NULL;
}

/* Keep p (a located home) unless it is kept already; out of memory, it is not kept
 * (read from the store again when asked). */
static void keep(homes *h, const person_place *p)
{
    if (!p->person_id || !p->located || find(h, p->person_id))
        return;
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->items = fk_realloc(h->items, h->cap * sizeof *h->items);
    }
    h->items[h->n] = *p;
    if (u64map_put(&h->index, (uint64_t)p->person_id, h->n + 1, NULL) == 0)
        h->n++;
}

static void forget(homes *h, int64_t version)
{
    h->n = 0;
    u64map_free(&h->index);
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

/* The persons of ids[] not kept, read in one call and kept when located; out[i] for
 * each. */
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
