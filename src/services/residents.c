/*
 * residents.c - the residents lookup (contract: residents.h).
 *
 * The kept bytes, all little-endian words of the machine, 16-byte aligned:
 *   header    64 bytes: magic "FKRES001", persons, slots (u64), communities, width
 *             (u32, 16), version, top (i64: what it was built from), 16 zero bytes
 *   codes     communities x 16 bytes, NUL-padded
 *   slots     slots x 16 bytes of base/flatmap.h: key = the 17 digits + 1, a = person
 *             id, b = the community's index
 * Read back, the bytes are probed where they lie; a header that does not fit its bytes
 * (or another layout's magic) is not current, and the lookup is built again.
 */
#include "services/residents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/flatmap.h"
#include "base/timeutil.h"
#include "base/u64map.h"

#define MAGIC "FKRES001"
#define CODE_WIDTH 16

typedef struct lk_header {
    char magic[8];
    uint64_t persons, slots;
    uint32_t communities, width;
    int64_t version, top;
    unsigned char zero[16];
} lk_header;
_Static_assert(sizeof(lk_header) == 64, "the header is 64 bytes");

struct residents_lookup {
    unsigned char *bytes; /* the layout above; owned */
    size_t size;
    const char (*codes)[CODE_WIDTH];
    size_t ncodes;
    const flatslot *slots;
    size_t nslots, n;
    residents_mark from;
};

uint64_t residents_id_key(const char *id)
{
    uint64_t k = 0;
    for (int i = 0; i < 17; i++) {
        if (id[i] < '0' || id[i] > '9')
            return 0;
        k = k * 10 + (uint64_t)(id[i] - '0');
    }
    return k + 1;
}

static size_t layout_bytes(size_t ncodes, size_t nslots)
{
    return sizeof(lk_header) + ncodes * CODE_WIDTH + nslots * sizeof(flatslot);
}

/* Point lk's views into its bytes; 0, or -1 when the header does not fit them. */
static int views(residents_lookup *lk, const residents_kept *kept)
{
    if (lk->size < sizeof(lk_header))
        return -1;
    lk_header h;
    memcpy(&h, lk->bytes, sizeof h);
    if (memcmp(h.magic, MAGIC, sizeof h.magic) != 0 || h.width != CODE_WIDTH ||
        h.slots > lk->size || h.communities > lk->size || h.persons >= h.slots ||
        layout_bytes(h.communities, h.slots) != lk->size ||
        (kept && (h.version != kept->from.version || h.top != kept->from.top)))
        return -1;
    lk->codes = (const void *)(lk->bytes + sizeof h);
    lk->ncodes = h.communities;
    lk->slots = (const void *)(lk->bytes + sizeof h + h.communities * CODE_WIDTH);
    lk->nslots = h.slots;
    lk->n = h.persons;
    lk->from = (residents_mark){h.version, h.top};
    return 0;
}

/* ---- building: the residents read once ---------------------------------------------------- */

typedef struct entry {
    uint64_t key;
    uint32_t id, code;
} entry;

typedef struct builder {
    entry *v;
    size_t n, cap;
    char (*codes)[CODE_WIDTH];
    size_t ncodes, capcodes;
    u64map code_ix; /* hash of a code -> index + 1 */
} builder;

static void builder_free(builder *b)
{
    free(b->v);
    free(b->codes);
    u64map_free(&b->code_ix);
}

/* The index of a community code, added when new; -1 when out of memory. */
static int64_t code_of(builder *b, const char *code)
{
    uint64_t h = u64_hash_str(code), v;
    size_t pos = 0;
    while ((v = u64map_next(&b->code_ix, h, &pos)))
        if (!strcmp(b->codes[v - 1], code))
            return (int64_t)(v - 1);
    if (fk_try_grow((void **)&b->codes, &b->capcodes, b->ncodes + 1, CODE_WIDTH) != 0)
        return -1;
    memset(b->codes[b->ncodes], 0, CODE_WIDTH);
    memcpy(b->codes[b->ncodes], code, strlen(code));
    if (u64map_put(&b->code_ix, h, b->ncodes + 1, NULL) != 0)
        return -1;
    return (int64_t)b->ncodes++;
}

/* store_bulk_residents' callback: a person the lookup can hold, else left to the store. */
static int collect(void *ctx, int64_t id, const char *id_number, const char *community)
{
    builder *b = ctx;
    uint64_t key = residents_id_key(id_number);
    if (!key || id <= 0 || id > (int64_t)UINT32_MAX || strlen(community) >= CODE_WIDTH)
        return 0;
    int64_t c = code_of(b, community);
    if (c < 0 || fk_try_grow((void **)&b->v, &b->cap, b->n + 1, sizeof *b->v) != 0)
        return -1;
    b->v[b->n++] = (entry){key, (uint32_t)id, (uint32_t)c};
    return 0;
}

/* The lookup of b's entries, built from `from`; NULL when out of memory. */
static residents_lookup *layout(const builder *b, const residents_mark *from)
{
    residents_lookup *lk = calloc(1, sizeof *lk);
    size_t nslots = flatmap_slots(b->n);
    if (!lk)
        return NULL;
    lk->size = layout_bytes(b->ncodes, nslots);
    if (!(lk->bytes = flatmap_alloc(lk->size))) {
        free(lk);
        return NULL;
    }
    flatslot *slots = (void *)(lk->bytes + sizeof(lk_header) + b->ncodes * CODE_WIDTH);
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) /* a number twice: the first (lowest id) kept */
        n += flatmap_put(slots, nslots, b->v[i].key, b->v[i].id, b->v[i].code) == 0;
    lk_header h = {.persons = n, .slots = nslots, .communities = (uint32_t)b->ncodes,
                   .width = CODE_WIDTH, .version = from->version, .top = from->top};
    memcpy(h.magic, MAGIC, sizeof h.magic);
    memcpy(lk->bytes, &h, sizeof h);
    if (b->ncodes)
        memcpy(lk->bytes + sizeof h, b->codes, b->ncodes * CODE_WIDTH);
    (void)views(lk, NULL);
    return lk;
}

/* Build from the store. *moved: the residents version moved while they were read (the
 * lookup is then of no known version: freed, NULL returned). */
static int build(store *st, residents_lookup **out, bool *moved, fk_err *err)
{
    residents_mark before, after;
    residents_kept kept;
    int has;
    builder b;
    memset(&b, 0, sizeof b);
    *out = NULL;
    *moved = false;
    if (store_residents_state(st, &before, &kept, &has, err) != 0)
        return -1;
    fk_err e;
    fk_err_clear(&e);
    if (store_bulk_residents(st, collect, &b, &e) != 0) {
        builder_free(&b);
        return e.code ? (*err = e, -1)
                      : fk_fail(err, FK_EBUSY, "", "out of memory for the residents lookup");
    }
    /* the version unmoved across the read: what was read is of that version */
    if (store_residents_state(st, &after, &kept, &has, err) != 0) {
        builder_free(&b);
        return -1;
    }
    *moved = after.version != before.version;
    if (!*moved && !(*out = layout(&b, &before))) {
        builder_free(&b);
        return fk_fail(err, FK_EBUSY, "", "out of memory for the residents lookup");
    }
    builder_free(&b);
    return 0;
}

/* ---- the lookup -------------------------------------------------------------------------- */

void residents_lookup_free(residents_lookup *lk)
{
    if (!lk)
        return;
    free(lk->bytes);
    free(lk);
}

/* The kept lookup when current and not too far behind the persons added since: 1 (*out),
 * 0 none, -1 failure. */
static int read_kept(store *st, residents_lookup **out, fk_err *err)
{
    residents_mark now;
    residents_kept kept;
    void *bytes = NULL;
    *out = NULL;
    int rc = store_residents_read(st, &now, &kept, flatmap_alloc, &bytes, err);
    residents_lookup *lk = rc == 1 ? calloc(1, sizeof *lk) : NULL;
    if (!lk) {
        free(bytes);
        return rc == 1 ? fk_fail(err, FK_EBUSY, "", "out of memory") : rc;
    }
    lk->bytes = bytes;
    lk->size = kept.bytes;
    if (views(lk, &kept) != 0 || now.top - kept.from.top > (int64_t)(lk->n / 16)) {
        residents_lookup_free(lk);
        return 0;
    }
    *out = lk;
    return 1;
}

int residents_lookup_open(store *st, bool save, residents_lookup **out, residents_source *src,
                          fk_err *err)
{
    int rc = read_kept(st, out, err);
    if (rc != 0) {
        *src = RESIDENTS_KEPT;
        return rc < 0 ? -1 : 0;
    }
    bool moved = true;
    for (int tries = 0; tries < 3 && moved; tries++)
        if (build(st, out, &moved, err) != 0)
            return -1;
    if (moved)
        return fk_fail(err, FK_EBUSY, "", "the residents kept changing while being read; "
                       "try again");
    *src = RESIDENTS_BUILT;
    if (!save)
        return 0;
    int saved = store_residents_save(st, &(*out)->from, (*out)->bytes, (*out)->size, fk_now(),
                                     err);
    if (saved < 0) {
        residents_lookup_free(*out);
        *out = NULL;
        return -1;
    }
    if (saved)
        *src = RESIDENTS_BUILT_SAVED;
    return 0;
}

int residents_lookup_find_key(const residents_lookup *lk, uint64_t key, int64_t *id,
                              const char **community)
{
    const flatslot *s = key ? flatmap_get(lk->slots, lk->nslots, key) : NULL;
    if (!s || s->b >= lk->ncodes)
        return 0;
    *id = s->a;
    *community = lk->codes[s->b];
    return 1;
}

int residents_lookup_find(const residents_lookup *lk, const char *id_number, int64_t *id,
                          const char **community)
{
    return residents_lookup_find_key(lk, residents_id_key(id_number), id, community);
}

void residents_lookup_prefetch_key(const residents_lookup *lk, uint64_t key)
{
    if (key)
        flatmap_prefetch(lk->slots, lk->nslots, key);
}

void residents_lookup_prefetch(const residents_lookup *lk, const char *id_number)
{
    residents_lookup_prefetch_key(lk, residents_id_key(id_number));
}

size_t residents_lookup_count(const residents_lookup *lk)
{
    return lk->n;
}

residents_mark residents_lookup_mark(const residents_lookup *lk)
{
    return lk->from;
}

int residents_lookup_refresh(store *st, fk_err *err)
{
    residents_mark now;
    residents_kept kept;
    int has = 0;
    if (store_residents_state(st, &now, &kept, &has, err) != 0)
        return -1;
    /* A few persons registered since are no reason to rebuild: an import looks each up
     * in the store (about 15 us), while a rebuild costs about 1.1 s of CPU for a city of
     * 1,000,000 and holds the writer lock 0.1-0.4 s for its save. So the keeper waits
     * for a 64th of the slots (about 1 in 48 persons), below the 16th at which an import
     * stops using the kept lookup and builds its own. */
    int64_t tolerated = (int64_t)(kept.bytes / sizeof(flatslot) / 64);
    if (now.version == 0 || (has && kept.from.version == now.version &&
                             now.top - kept.from.top <= tolerated))
        return 0;
    residents_lookup *lk = NULL;
    bool moved = false;
    if (build(st, &lk, &moved, err) != 0)
        return -1;
    if (moved)
        return 2;
    int saved = store_residents_save(st, &lk->from, lk->bytes, lk->size, fk_now(), err);
    residents_lookup_free(lk);
    return saved < 0 ? -1 : saved ? 1 : 2;
}
