/*
 * import_scans.c - the `scans` import kind: tube,person,time,site. A sampling site's
 * day of scans (persons into pooled tubes) from a file, under the rules of the API's
 * scan (services/testing.c, testing.h's contract), row by row in file order:
 *
 *   tube    a barcode (tube.h's format) issued to `site`, in the actor's area (else
 *           "never issued", as the API), not closed nor full, of a round that is open
 *           and whose window holds `time`;
 *   person  the resident ID number (GB 11643, checksum checked; the registry's person
 *           id is NOT accepted: a file comes from scanners, which read the card) of a
 *           registered person living within the round's area, not yet scanned in the
 *           round (in the store, or by an earlier good row of the file);
 *   time    when scanned: ISO 8601 with an offset or Unix seconds, inside the round's
 *           window and not in the future (five minutes of clock skew allowed);
 *   site    the sampling site's id.
 * The first good row of an issued tube opens it with the pool size of that person's
 * group (tube.h, the policy's testing.pool_by_group); a person whose group pools
 * smaller may not join a tube opened larger; the row filling the last place closes the
 * tube at its time. A bad row changes nothing of this state (with --skip-bad the next
 * good row opens the tube). Scans are attributed to the importing actor; the audit is
 * the import's summary record (the member rows keep who and when).
 *
 * Volume (bench/testing): the rows are checked against memory, not the store. For a
 * file of IMPORT_BULK_BYTES or more, the residents (ID number -> person, community) come
 * from the kept residents lookup (services/residents.h: read back ready to probe, or
 * built from the store and kept when not current), and the open rounds with their
 * tubes and members, and the persons whose pool group is not "other", are read once
 * (store_testing_bulk.h); smaller files look each key up. Either way a key missing from
 * memory is looked up in the store (so a bad row gets the API's precise message) and
 * kept. Writes go in batches (store_scans_add) on the driver's second thread, in the
 * import's one transaction (which holds the store's write lock until the commit: API
 * scans wait for it), with a small page cache (store_spill_early) so that the writer
 * thread, not the commit, puts the pages in the WAL. The writes were the cost once
 * (bench/README.md); since the writer stopped looking each person up (migration 0038)
 * the parse is the longer thread: per row the CSV, the number's checksum, the time,
 * and the lookups (the residents' slot prefetched, the last row's tube tried first, a
 * round's members in pages of ids).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/u64map.h"
#include "io/import.h"
#include "model/idcard.h"
#include "model/role.h"
#include "model/tube.h"
#include "services/residents.h"

#define IMPORT_BULK_BYTES ((int64_t)1 << 20)
/* The bulk import's page cache (store_spill_early): a quarter of the file's bytes, at
 * least SPILL_KIB, at most SPILL_MAX_KIB (see spill_kib). */
#define SPILL_KIB 8192
#define SPILL_MAX_KIB (512 * 1024)
#define CLOCK_SKEW_S 300
/* Rows of a batch. Each batch rewrites every round_slots chunk its persons fall in (5 KiB
 * each, read and written once a batch), and a city's persons in file order (by
 * community) spread over the id space: bench/testing's first 4,096 rows touch 80 chunks,
 * 16,384 rows 95. Batches of 4,096 wrote 17,000 chunks in all for 970,001 rows, a fifth
 * of the writer thread (callgrind); four times larger, a quarter as many. */
#define SCANS_BATCH 16384

static const import_column scan_cols[] = {
    {"tube", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"person", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"time", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"site", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
};
enum { SC_TUBE, SC_PERSON, SC_TIME, SC_SITE };

/* ---- state ----------------------------------------------------------------------------- */

/* A tube as the file leaves it so far: what the rows check and change of a tube_rec.
 * Not the whole tube_rec (about 340 bytes with its three user names): a city's 48,506
 * tubes were 16 MiB grown and copied before the first row, a fifth of the import's start
 * (perf); these are 72 bytes. */
typedef struct tube_ent {
    int64_t id, round_id, site_id;
    int size, n_members;
    int site_known;    /* 1 in the actor's area, -1 outside, 0 not looked up */
    char state[8];     /* issued, open, closed */
    char barcode[24];
} tube_ent;

/* A round's members as the import knows them: person id -> the file row that scanned
 * them, 1 when scanned before the import, 0 not scanned. Pages of MSET_PAGE ids made as
 * met: a round's persons come in runs of ids (a community's), so a row's check is
 * mostly in the page of the row before, where a hash map of person ids missed the cache
 * at every row. Ids from MSET_PAGED_MAX (or not positive) go to a hash map. */
#define MSET_PAGE 1024
#define MSET_PAGED_MAX ((int64_t)1 << 32)
typedef struct member_set {
    uint32_t **pages;  /* pages[id / MSET_PAGE], NULL until an id of it is met */
    size_t npages;
    u64map far;
} member_set;

typedef struct round_ent {
    round_rec r;
    member_set members;
    bool loaded;       /* members holds the store's too (bulk) */
} round_ent;

typedef struct person_ent {
    int64_t id;
    uint32_t community; /* index into communities */
} person_ent;

/* The minute of the last time parsed (see row_time). */
typedef struct minute_memo {
    char head[17];  /* "YYYY-MM-DDTHH:MM:" */
    char tail[8];   /* what follows the seconds: "Z", "+08:00", ".5Z" */
    int64_t base;   /* the instant of second 0 of that minute */
    bool valid;
} minute_memo;

typedef struct scans_state {
    bool bulk;
    minute_memo minute;
    int64_t now;
    int pool[4];                 /* sizes of isolation_site, key_group, other, pool_retest */
    residents_lookup *kept;      /* the residents (bulk) */
    u64map persons;              /* 17 digits of the ID number -> index + 1: the persons
                                    not in `kept`, looked up in the store */
    person_ent *pv;
    size_t pn, pcap;
    char (*comm)[16];            /* interned community codes */
    size_t ncomm, capcomm;
    u64map comm_ix;              /* hash -> index + 1 */
    u64map tubes;                /* hash of barcode -> index + 1 (multimap) */
    size_t last_tube;            /* index + 1 of the tube of the last row found, or 0:
                                    a tube's rows come together (a pool of 20) */
    tube_ent *tv;
    size_t tn, tcap;
    round_ent *rounds;
    size_t nrounds;
    site_rec *sites;
    size_t nsites;
    u64map flags;                /* person id -> 4 | 1 isolated | 2 contact (bulk) */
    bool flags_loaded;
    bool loaded;
    store *spilling;             /* the store whose cache load_bulk made small and whose
                                    checkpoints it left for later, or NULL */
} scans_state;

static uint32_t mset_get(const member_set *m, int64_t id)
{
    if (id <= 0 || id >= MSET_PAGED_MAX)
        return (uint32_t)u64map_get(&m->far, (uint64_t)id);
    size_t p = (size_t)(id / MSET_PAGE);
    return p < m->npages && m->pages[p] ? m->pages[p][id % MSET_PAGE] : 0;
}

/* Set id's value (non-zero; a file row fits: IMPORT_MAX_FILE has fewer rows than 2^32).
 * 0, or -1 when out of memory. */
static int mset_put(member_set *m, int64_t id, uint32_t v)
{
    if (id <= 0 || id >= MSET_PAGED_MAX)
        return u64map_put(&m->far, (uint64_t)id, v, NULL);
    size_t p = (size_t)(id / MSET_PAGE);
    if (p >= m->npages) {
        size_t n = p + 1 > m->npages * 2 ? p + 1 : m->npages * 2;
        uint32_t **pages = realloc(m->pages, n * sizeof *pages);
        if (!pages)
            return -1;
        memset(pages + m->npages, 0, (n - m->npages) * sizeof *pages);
        m->pages = pages;
        m->npages = n;
    }
    if (!m->pages[p] && !(m->pages[p] = calloc(MSET_PAGE, sizeof **m->pages)))
        return -1;
    m->pages[p][id % MSET_PAGE] = v;
    return 0;
}

static void mset_free(member_set *m)
{
    for (size_t i = 0; i < m->npages; i++)
        free(m->pages[i]);
    free(m->pages);
    u64map_free(&m->far);
    memset(m, 0, sizeof *m);
}

/* Room for `need` items; FK_EBUSY naming the import's lookups when out of memory. */
static int grow(void **arr, size_t *cap, size_t need, size_t size, fk_err *err)
{
    if (fk_try_grow(arr, cap, need, size) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory for the import's lookups");
    return 0;
}

/* The index of a community code in s->comm, added when new; -1 when out of memory. */
static int64_t community_of(scans_state *s, const char *code)
{
    uint64_t h = u64_hash_str(code), v;
    size_t pos = 0;
    while ((v = u64map_next(&s->comm_ix, h, &pos)))
        if (!strcmp(s->comm[v - 1], code))
            return (int64_t)(v - 1);
    if (grow((void **)&s->comm, &s->capcomm, s->ncomm + 1, sizeof *s->comm, NULL) != 0)
        return -1;
    snprintf(s->comm[s->ncomm], sizeof s->comm[0], "%s", code);
    if (u64map_put(&s->comm_ix, h, s->ncomm + 1, NULL) != 0)
        return -1;
    return (int64_t)s->ncomm++;
}

static int add_person(void *ctx, int64_t id, const char *id_number, const char *community)
{
    scans_state *s = ctx;
    int64_t c = community_of(s, community);
    if (c < 0 || grow((void **)&s->pv, &s->pcap, s->pn + 1, sizeof *s->pv, NULL))
        return -1;
    s->pv[s->pn] = (person_ent){id, (uint32_t)c};
    return u64map_put(&s->persons, residents_id_key(id_number), ++s->pn, NULL);
}

static int add_tube(void *ctx, const tube_rec *t)
{
    scans_state *s = ctx;
    if (grow((void **)&s->tv, &s->tcap, s->tn + 1, sizeof *s->tv, NULL))
        return -1;
    tube_ent *e = &s->tv[s->tn];
    *e = (tube_ent){.id = t->id, .round_id = t->round_id, .site_id = t->site_id,
                    .size = t->size, .n_members = t->n_members};
    _Static_assert(sizeof e->state == sizeof t->state && sizeof e->barcode == sizeof t->barcode,
                   "a tube_ent's texts are a tube_rec's");
    memcpy(e->state, t->state, sizeof e->state);
    memcpy(e->barcode, t->barcode, sizeof e->barcode);
    return u64map_put(&s->tubes, u64_hash_str(t->barcode), ++s->tn, NULL);
}

static int add_flags(void *ctx, int64_t person_id, int isolated, int contact)
{
    scans_state *s = ctx;
    return u64map_put(&s->flags, (uint64_t)person_id,
                      4 | (isolated ? 1u : 0u) | (contact ? 2u : 0u), NULL);
}

static int load_fail(fk_err *err, const char *what)
{
    return fk_fail(err, FK_EBUSY, "", "could not load the %s for the import", what);
}

static int add_round(void *ctx, const round_rec *r);
static int round_members_load(store *st, round_ent *r, fk_err *err);

/* Bulk mode: the residents lookup, and tubes of open rounds into memory, once. The
 * lookup is read in the import's unit (current at its snapshot, never stale); built, it
 * is saved in that unit too, for the next import. */
static int load_all(store *st, scans_state *s, fk_err *err)
{
    residents_source src;
    if (residents_lookup_open(st, true, &s->kept, &src, err) != 0)
        return -1;
    log_info("import", "residents: %zu %s", residents_lookup_count(s->kept),
             src == RESIDENTS_KEPT ? "from the kept lookup"
             : src == RESIDENTS_BUILT_SAVED ? "read from the store (the lookup was not "
                                              "current: built and kept for the next import)"
                                            : "read from the store");
    fk_err e;
    fk_err_clear(&e);
    int rc = store_bulk_open_round_tubes(st, add_tube, s, &e);
    if (rc == 0)
        rc = store_bulk_testing_flags(st, add_flags, s, &e);
    /* the open rounds and their members now: found one by one they cost a read of every
     * tube of the round each (store_round_get's counts) and a wait for the writer */
    if (rc == 0)
        rc = store_bulk_open_rounds(st, add_round, s, &e);
    for (size_t i = 0; rc == 0 && i < s->nrounds; i++)
        rc = round_members_load(st, &s->rounds[i], &e);
    if (rc != 0)
        return e.code ? (*err = e, -1) : load_fail(err, "residents and tubes");
    s->flags_loaded = true;
    return 0;
}

/* The page cache of the writes: small, so that the writer thread puts the pages in the
 * WAL as it goes, but holding what every batch reads again: the round_slots chunks of
 * the rounds written, 5 bytes a person in 5 KiB records (each on a leaf and two overflow
 * pages; a WITHOUT ROWID table's interior cells hold whole records too, so a lookup's
 * binary search reads their overflow pages). A file's rows bound them: ~56 bytes a row
 * in the file, 5 in the slots. At 1,000,000 persons (5 MB of slots) 8 MiB held them;
 * at 10,000,000 (50 MB) chunk lookups re-read 8.1 million pages from the WAL (pread,
 * perf: sqlite3BtreeIndexMoveto in chunk_find and sq_chunks_write) and the import of
 * 9,633,924 rows took 43-74 s; with 64 MiB 23 s, with 128 MiB (this rule) 23 s and 0.33
 * million reads, with 256 MiB 20-22 s. At 1,000,000 a quarter of the file (13 MiB) ran as
 * 8 MiB did (1.17-1.23 s against 1.21-1.25 s); half of it (33 MiB) left more pages to the
 * commit (1.26-1.27 s, 0.1 s more CPU). */
static int spill_kib(import_ctx *cx)
{
    int64_t kib = import_ctx_file_bytes(cx) / 4096;
    if (kib < SPILL_KIB)
        kib = SPILL_KIB;
    return kib > SPILL_MAX_KIB ? SPILL_MAX_KIB : (int)kib;
}

/* The loads read the database through a memory map (store_map_reads), as the results
 * import's big read does: the kept residents lookup (21 MB of overflow pages at a
 * 1,000,000-person city) took 205-227 ms of CPU through read() and 14-25 ms mapped (its
 * wall on a loaded machine 0.39-0.68 s against 0.03-0.06 s; bench/testing's 970,001 rows).
 * Then reads go through read() again, and the writer thread's pages reach the WAL while
 * the parser works, not at the commit (store_spill_early); the commit syncs the WAL and
 * leaves its copy into the database to the server's checkpointer, or to the close
 * (store_checkpoint_later: the city's 10,141 pages crossed SQLite's automatic checkpoint,
 * which took the commit 0.3-0.7 s more). */
static int load_bulk(import_ctx *cx, scans_state *s, fk_err *err)
{
    store *st = import_ctx_quiet_store(cx, err);
    if (!st || store_map_reads(st, err) != 0)
        return -1;
    fk_err e;
    int rc = load_all(st, s, err);
    if (store_unmap_reads(st, rc == 0 ? err : &e) != 0)
        return -1;
    if (rc != 0 || store_spill_early(st, spill_kib(cx), err) != 0)
        return -1;
    s->spilling = st;
    return store_checkpoint_later(st, true, err);
}

static int scans_begin(import_ctx *cx, void **state, fk_err *err)
{
    static const char *const groups[4] = {"isolation_site", "key_group", "other",
                                          "pool_retest"};
    const policy *pol = import_ctx_policy(cx);
    if (!pol)
        return fk_fail(err, FK_EINVAL, "testing.pool_by_group",
                       "importing scans needs the policy in force (testing.pool_by_group)");
    int pool[4];
    for (int i = 0; i < 4; i++)
        if (tube_pool_size(pol, groups[i], &pool[i], err) != 0)
            return -1;
    scans_state *s = calloc(1, sizeof *s);
    if (!s)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    memcpy(s->pool, pool, sizeof pool);
    s->now = fk_now();
    s->bulk = import_ctx_file_bytes(cx) >= IMPORT_BULK_BYTES;
    *state = s;
    return 0;
}

static void scans_end(void *state)
{
    scans_state *s = state;
    if (!s)
        return;
    fk_err e;
    if (s->spilling && store_spill_early(s->spilling, 0, &e) != 0)
        log_warn("import", "the store's page cache was not given back: %s", e.message);
    if (s->spilling && store_checkpoint_later(s->spilling, false, &e) != 0)
        log_warn("import", "the store's checkpoints were not given back: %s", e.message);
    for (size_t i = 0; i < s->nrounds; i++)
        mset_free(&s->rounds[i].members);
    residents_lookup_free(s->kept);
    u64map_free(&s->persons);
    u64map_free(&s->comm_ix);
    u64map_free(&s->tubes);
    u64map_free(&s->flags);
    free(s->pv);
    free(s->comm);
    free(s->tv);
    free(s->rounds);
    free(s->sites);
    free(s);
}

/* ---- lookups: memory first, then the store ---------------------------------------------- */

/* 0 found (*out), 1 not found, -1 store failure. */
static int lookup_rc(int rc, const fk_err *e, fk_err *err)
{
    if (rc == 0)
        return 0;
    if (e->code == FK_ENOTFOUND || e->code == FK_EREF)
        return 1;
    *err = *e;
    return -1;
}

static int find_tube(import_ctx *cx, scans_state *s, const char *barcode, tube_ent **out,
                     fk_err *err)
{
    if (s->last_tube && !strcmp(s->tv[s->last_tube - 1].barcode, barcode))
        return *out = &s->tv[s->last_tube - 1], 0;
    uint64_t h = u64_hash_str(barcode), v;
    size_t pos = 0;
    while ((v = u64map_next(&s->tubes, h, &pos)))
        if (!strcmp(s->tv[v - 1].barcode, barcode)) {
            s->last_tube = v;
            return *out = &s->tv[v - 1], 0;
        }
    tube_rec t;
    fk_err e;
    store *st = import_ctx_quiet_store(cx, err);
    if (!st)
        return -1;
    int rc = lookup_rc(store_tube_get(st, barcode, &t, NULL, &e), &e, err);
    if (rc)
        return rc;
    if (add_tube(s, &t) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    s->last_tube = s->tn;
    *out = &s->tv[s->tn - 1];
    return 0;
}

static int find_site(import_ctx *cx, scans_state *s, int64_t id, site_rec **out, fk_err *err)
{
    for (size_t i = 0; i < s->nsites; i++)
        if (s->sites[i].id == id)
            return *out = &s->sites[i], 0;
    site_rec r;
    fk_err e;
    store *st = import_ctx_quiet_store(cx, err);
    if (!st)
        return -1;
    int rc = lookup_rc(store_site_get(st, id, &r, &e), &e, err);
    if (rc)
        return rc;
    site_rec *p = realloc(s->sites, (s->nsites + 1) * sizeof *p);
    if (!p)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    s->sites = p;
    p[s->nsites] = r;
    *out = &p[s->nsites++];
    return 0;
}

static int add_member(void *ctx, int64_t person_id)
{
    return mset_put(ctx, person_id, 1);
}

/* A round kept (its members not read yet). 0, or -1 when out of memory. */
static int round_keep(scans_state *s, const round_rec *r, fk_err *err)
{
    round_ent *p = realloc(s->rounds, (s->nrounds + 1) * sizeof *p);
    if (!p)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    s->rounds = p;
    memset(&p[s->nrounds], 0, sizeof *p);
    p[s->nrounds++].r = *r;
    return 0;
}

static int add_round(void *ctx, const round_rec *r)
{
    return round_keep(ctx, r, NULL);
}

/* Bulk mode: the round's members in the store, read once. */
static int round_members_load(store *st, round_ent *r, fk_err *err)
{
    r->loaded = true;
    return store_bulk_round_members(st, r->r.id, add_member, &r->members, err);
}

static int find_round(import_ctx *cx, scans_state *s, int64_t id, round_ent **out, fk_err *err)
{
    for (size_t i = 0; i < s->nrounds; i++)
        if (s->rounds[i].r.id == id)
            return *out = &s->rounds[i], 0;
    round_rec r;
    store *st = import_ctx_quiet_store(cx, err);
    if (!st || store_round_get(st, id, &r, err) != 0 || round_keep(s, &r, err) != 0)
        return -1;
    round_ent *k = &s->rounds[s->nrounds - 1];
    if (s->bulk && round_members_load(st, k, err) != 0)
        return -1;
    *out = k;
    return 0;
}

/* The person of a checked ID number: 0 (*id, *community), 1 unknown, -1 store failure.
 * The kept lookup first; a person not in it from the store, as without it. */
static int find_person(import_ctx *cx, scans_state *s, const char *idn, uint64_t key,
                       int64_t *id, const char **community, fk_err *err)
{
    if (s->kept && residents_lookup_find_key(s->kept, key, id, community))
        return 0;
    uint64_t v = u64map_get(&s->persons, key);
    if (!v) {
        person p;
        fk_err e;
        store *st = import_ctx_quiet_store(cx, err);
        if (!st)
            return -1;
        int rc = lookup_rc(store_person_find_by_id_number(st, idn, &p, &e), &e, err);
        if (rc)
            return rc;
        if (add_person(s, p.id, idn, p.community_code) != 0)
            return fk_fail(err, FK_EBUSY, "", "out of memory");
        v = s->pn;
    }
    *id = s->pv[v - 1].id;
    *community = s->comm[s->pv[v - 1].community];
    return 0;
}

/* Was the person scanned in the round? 0 no, 1 yes (*bad says where), -1 failure. */
static int scanned_before(import_ctx *cx, round_ent *r, int64_t person_id, fk_err *bad,
                          fk_err *err)
{
    uint64_t row = mset_get(&r->members, person_id);
    if (row > 1)
        return fk_fail(bad, FK_ECONFLICT, "person", "person: scanned in this round by row %llu "
                       "of the file already", (unsigned long long)row), 1;
    if (!row && r->loaded)
        return 0;
    member_rec m;
    store *st = import_ctx_quiet_store(cx, err);
    if (!st)
        return -1;
    int seen = store_round_member(st, r->r.id, person_id, &m, err);
    if (seen <= 0)
        return seen;
    char when[21];
    fk_instant_format(m.scanned_at, when);
    return fk_fail(bad, FK_ECONFLICT, "person", "person: already scanned in this round, into "
                   "tube %s at %s", m.barcode, when), 1;
}

/* A recheck round takes held persons only, each into a single re-sample (group
 * pool_retest), as the API's scan (services/testing.c). 0, 1 for a bad row, or -1. */
static int recheck_pool(import_ctx *cx, scans_state *s, int64_t person_id, const char **group,
                        int *size, fk_err *bad, fk_err *err)
{
    store *st = import_ctx_quiet_store(cx, err);
    int held = st ? store_person_held(st, person_id, err) : -1;
    if (held < 0)
        return -1;
    if (tube_recheck_group(held, "person", group, bad) != 0)
        return 1;
    *size = s->pool[3];
    return 0;
}

/* The pool size of the person's group today in round r; 1 for a bad row. */
static int person_pool(import_ctx *cx, scans_state *s, const round_rec *r, int64_t person_id,
                       const char **group, int *size, fk_err *bad, fk_err *err)
{
    if (!strcmp(r->kind, "recheck"))
        return recheck_pool(cx, s, person_id, group, size, bad, err);
    int isolated = 0, contact = 0;
    if (s->flags_loaded) {
        uint64_t f = u64map_get(&s->flags, (uint64_t)person_id);
        isolated = (f & 1) != 0;
        contact = (f & 2) != 0;
    } else {
        store *st = import_ctx_quiet_store(cx, err);
        if (!st || store_person_testing_flags(st, person_id, &isolated, &contact, err) != 0)
            return -1;
    }
    *group = tube_group(isolated, contact, NULL);
    *size = s->pool[isolated ? 0 : contact ? 1 : 2];
    return 0;
}

/* ---- one row ------------------------------------------------------------------------------ */

typedef struct scan_fields {
    char barcode[24], idn[24];
    uint64_t key;  /* residents_id_key(idn) */
    int64_t at, site_id;
} scan_fields;

/* The row's time. A site scans a person every few seconds, so most rows fall in the
 * minute of the row before: such a time is that minute's instant plus its seconds, the
 * date not parsed again (fk_instant_parse was a tenth of the parse thread's instructions,
 * callgrind, 970,001 rows). Only a time written exactly as one import_field_instant
 * accepted before, but for its two digits of seconds (00 to 59), takes that way: the
 * same instant (an offset is whole minutes, so second 0 to 59 of a minute within the
 * accepted range stay in it); any other goes through import_field_instant. */
static int row_time(scans_state *s, const char *v, int64_t *at, fk_err *bad)
{
    minute_memo *m = &s->minute;
    size_t n = strlen(v);
    bool shaped = n >= 19 && n - 19 < sizeof m->tail && v[16] == ':' &&
                  v[17] >= '0' && v[17] <= '5' && v[18] >= '0' && v[18] <= '9';
    int sec = shaped ? (v[17] - '0') * 10 + (v[18] - '0') : 0;
    if (shaped && m->valid && !memcmp(v, m->head, sizeof m->head) && !strcmp(v + 19, m->tail)) {
        *at = m->base + sec;
        return 0;
    }
    if (import_field_instant(at, v, "time", bad) != 0)
        return -1;
    m->valid = shaped;
    if (shaped) {
        memcpy(m->head, v, sizeof m->head);
        memcpy(m->tail, v + 19, n - 19 + 1);
        m->base = *at - sec;
    }
    return 0;
}

/* The row's fields in their formats. The person's slot in the residents lookup starts
 * loading as soon as the number is read: the lookup is tens of MiB read at random, and
 * its miss was the parse's largest cost (a fifth of the thread, perf) until the checks
 * of the number, time, tube and round ran while it loads. */
static int row_format(scans_state *s, const char *const *v, scan_fields *f, fk_err *bad)
{
    if (import_field_required(f->barcode, sizeof f->barcode, v[SC_TUBE], "tube", bad) ||
        tube_barcode_check(f->barcode, "tube", bad) ||
        import_field_required(f->idn, sizeof f->idn, v[SC_PERSON], "person", bad))
        return -1;
    idcard_normalize(f->idn);
    f->key = residents_id_key(f->idn);
    if (s->kept)
        residents_lookup_prefetch_key(s->kept, f->key);
    if (idcard_parse(f->idn, NULL, "person", bad) != 0 ||
        row_time(s, v[SC_TIME], &f->at, bad) != 0 ||
        import_field_id(&f->site_id, v[SC_SITE], "site", bad) != 0)
        return -1;
    return 0;
}

/* The tube of the row, of its site, in the actor's area, taking a member. */
static int row_tube(import_ctx *cx, scans_state *s, const scan_fields *f, tube_ent **te,
                    fk_err *bad, fk_err *err)
{
    int rc = find_tube(cx, s, f->barcode, te, err);
    if (rc < 0)
        return -1;
    if ((*te) && rc == 0 && !(*te)->site_known) {
        site_rec *site = NULL;
        int found = find_site(cx, s, (*te)->site_id, &site, err);
        if (found < 0)
            return -1;
        (*te)->site_known = found == 0 && role_in_jurisdiction(import_ctx_actor(cx)->area_code,
                                                               site->area_code) ? 1 : -1;
    }
    if (rc > 0 || (*te)->site_known < 0)
        return fk_fail(bad, FK_EREF, "tube", "tube: %s was never issued", f->barcode), 1;
    const tube_ent *t = *te;
    if (t->site_id != f->site_id)
        return fk_fail(bad, FK_ECONFLICT, "site", "site: tube %s was issued to site %lld, not "
                       "%lld", t->barcode, (long long)t->site_id, (long long)f->site_id), 1;
    if (tube_takes_member(t->state, t->n_members, t->size, t->barcode, "tube", bad) != 0)
        return 1;
    return 0;
}

/* The round of the tube takes a scan at the row's time. */
static int row_round(import_ctx *cx, scans_state *s, const tube_ent *t, int64_t at,
                     round_ent **r, fk_err *bad, fk_err *err)
{
    if (find_round(cx, s, t->round_id, r, err) != 0)
        return -1;
    const round_rec *rr = &(*r)->r;
    char from[21], to[21];
    if (strcmp(rr->state, "open") != 0)
        return fk_fail(bad, FK_ECONFLICT, "tube", "tube: the round of tube %s (%s) is %s, not "
                       "open", t->barcode, rr->name, rr->state), 1;
    if (tube_round_accepts(rr->state, rr->starts_at, rr->ends_at, at, bad) != 0) {
        fk_instant_format(rr->starts_at, from);
        fk_instant_format(rr->ends_at, to);
        return fk_fail(bad, FK_ECONFLICT, "time", "time: outside the round's window, %s to %s",
                       from, to), 1;
    }
    if (at > s->now + CLOCK_SKEW_S)
        return fk_fail(bad, FK_EINVAL, "time", "time: in the future"), 1;
    return 0;
}

/* The person: registered, living in the round's area, not scanned in it, fitting the
 * tube's pool; *size their pool size. */
static int row_person(import_ctx *cx, scans_state *s, const scan_fields *f, const tube_ent *t,
                      round_ent *r, int64_t *pid, int *size, fk_err *bad, fk_err *err)
{
    const char *community = NULL, *group = NULL;
    int rc = find_person(cx, s, f->idn, f->key, pid, &community, err);
    if (rc)
        return rc < 0 ? -1 : (fk_fail(bad, FK_EREF, "person", "person: no registered person "
                                      "with this ID number"), 1);
    if (!role_in_jurisdiction(r->r.area_code, community))
        return fk_fail(bad, FK_ECONFLICT, "person", "person: lives in %s, outside the round's "
                       "area %s", community, r->r.area_code), 1;
    rc = scanned_before(cx, r, *pid, bad, err);
    if (rc)
        return rc;
    rc = person_pool(cx, s, &r->r, *pid, &group, size, bad, err);
    if (rc)
        return rc;
    if (!strcmp(t->state, "open") && tube_fits(t->size, *size, group, "person", bad) != 0)
        return 1;
    return 0;
}

static int scan_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                      fk_err *err)
{
    scans_state *s = import_ctx_state(cx);
    scan_row *out = rec;
    scan_fields f;
    tube_ent *te = NULL;
    round_ent *r = NULL;
    int64_t pid = 0;
    int size = 0, rc;
    if (!s->loaded && s->bulk && load_bulk(cx, s, err) != 0)
        return -1;
    s->loaded = true;
    if (row_format(s, v, &f, bad) != 0)
        return 1;
    if ((rc = row_tube(cx, s, &f, &te, bad, err)) ||
        (rc = row_round(cx, s, te, f.at, &r, bad, err)) ||
        (rc = row_person(cx, s, &f, te, r, &pid, &size, bad, err)))
        return rc;
    /* good: the row changes the file's state as the API's scan changes the store's */
    tube_ent *t = te;
    *out = (scan_row){.tube_id = t->id, .person_id = pid, .round_id = r->r.id, .at = f.at,
                      .size = size, .opens = !strcmp(t->state, "issued")};
    if (out->opens) {
        t->size = size;
        snprintf(t->state, sizeof t->state, "open");
    }
    out->place = ++t->n_members;
    out->closes = t->n_members >= t->size;
    if (out->closes)
        snprintf(t->state, sizeof t->state, "closed");
    if (mset_put(&r->members, pid, (uint32_t)import_ctx_row(cx)) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory for the import's lookups");
    return 0;
}

static int scans_insert_many(import_ctx *cx, const void *recs, size_t n, fk_err *err)
{
    return store_scans_add(import_ctx_store(cx), recs, n, import_ctx_actor(cx)->username, err);
}

static int scan_insert(import_ctx *cx, void *rec, fk_err *err)
{
    return scans_insert_many(cx, rec, 1, err);
}

const import_kind import_kind_scans = {
    .name = "scans", .entity = "tube", .perm = PERM_TESTING, .cols = scan_cols,
    .ncols = sizeof scan_cols / sizeof scan_cols[0], .rec_size = sizeof(scan_row),
    .parse = scan_parse, .key = import_key_none, .key_field = "", .insert = scan_insert,
    .one_pass = true, .insert_many = scans_insert_many, .begin = scans_begin,
    .end = scans_end, .batch = SCANS_BATCH};
