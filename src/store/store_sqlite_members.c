/*
 * store_sqlite_members.c - a tube's members as migration 0035 keeps them (one tube_sets
 * row per tube, per round chunks of 1,024 person slots in round_slots, 5 bytes a slot
 * since 0038: tube ids below 2^33; a rowid table keyed chunk * 2^24 + round since 0042,
 * SQ_SLOTS_KEY): the store's one writer of members, and how the store's SQL reads them.
 *
 *   sq_members_register   on every connection, before the migrations: the eponymous
 *                         virtual table fk_members (the columns tube_members had: id,
 *                         tube_id, person_id, round_id, scanned_at, scanned_by; read-
 *                         only), the aggregate fk_slots_pack (0035's move of members
 *                         into chunks of 4-byte slots) and fk_slots_widen (0038's move
 *                         of those to 5 bytes).
 *   sq_members_*          the writer: a run of members appended to one tube (its
 *                         tube_sets row read once, written once) and their slots set in
 *                         a set of chunks (each chunk of the write read once, written
 *                         once by sq_chunks_write). The callers (the API's scan,
 *                         store_sqlite_testing.c; the imports' batches,
 *                         store_sqlite_testing_bulk.c) check and move the tube row; this
 *                         file checks the members: the person is not yet in the round
 *                         (its slot is empty, also within the write), the run starts at
 *                         the tube's next place.
 * A member's person exists: the callers pass persons they read in the same write
 * transaction (the API's scan from the store; the import from the store or from the
 * residents lookup read in its unit, current only at the store's residents version),
 * nobody else writes meanwhile, and migration 0038's trigger refuses deleting a person
 * who is a member. So the writer does not look each person up (970,001 lookups were
 * about 0.6 s of CPU of a city's import, paired runs 2026-12-02); it only refuses an id
 * outside the persons' range (0, largest id], read once a chunk set, as a guard
 * against a caller passing something that is not a person's id at all.
 * The virtual table plans by the constraints it is given: person and round (one chunk
 * slot, the chunk kept between the probes of one statement: coverage probes a city's
 * persons in community order), tube (one row), id (its tube's row), person alone (the
 * person's chunks of every round, one key range), round alone and nothing (every tube
 * row, filtered). A cursor prepares its statements once and is used by one thread, as
 * its connection.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "store/store_sqlite_int.h"

#define SLOTS 1024
#define SLOT_BYTES SQ_CHUNK_BYTES
#define V35_WIDTH 4 /* 0035's slots, before 0038 widened them */
#define MAX_PLACES 127

/* The member id in the slot of `person` of a chunk whose slots are `width` bytes. */
static uint64_t slot_get_w(const unsigned char *slots, int64_t person, int width)
{
    const unsigned char *p = slots + (size_t)(person & (SLOTS - 1)) * (size_t)width;
    uint64_t v = 0;
    for (int i = width - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void slot_put_w(unsigned char *slots, int64_t person, uint64_t v, int width)
{
    unsigned char *p = slots + (size_t)(person & (SLOTS - 1)) * (size_t)width;
    for (int i = 0; i < width; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

static uint64_t slot_get(const unsigned char *slots, int64_t person)
{
    return slot_get_w(slots, person, SQ_SLOT_WIDTH);
}

static void slot_put(unsigned char *slots, int64_t person, uint64_t v)
{
    slot_put_w(slots, person, v, SQ_SLOT_WIDTH);
}

/* Parse members text "[[p,a],[p,a]]" into persons/ats (up to MAX_PLACES); the count,
 * or -1 when the text is not of that form. By hand, not with jansson: it runs for every
 * tube row the virtual table reads and every tube a batch appends to, and a tube of 20
 * members took 0.55 us this way against 9.6 us through json_loads and its tree of 41
 * values (a micro-benchmark of both on this machine, 2026-12-02). Only this file writes
 * the text, in exactly this form. */
static int members_parse(const char *s, int64_t *persons, int64_t *ats)
{
    int n = 0;
    if (!s || *s++ != '[')
        return -1;
    if (*s == ']')
        return 0;
    for (;;) {
        char *end;
        if (*s++ != '[' || n >= MAX_PLACES)
            return -1;
        persons[n] = strtoll(s, &end, 10);
        if (end == s || *end != ',')
            return -1;
        s = end + 1;
        ats[n] = strtoll(s, &end, 10);
        if (end == s || *end != ']')
            return -1;
        s = end + 1;
        n++;
        if (*s == ']')
            return n;
        if (*s++ != ',')
            return -1;
    }
}

/* ---- fk_slots_pack(slot, member_id): 0035's chunks (4-byte slots) ----------------------- */

static void pack_step(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    unsigned char *slots = sqlite3_aggregate_context(c, SLOTS * V35_WIDTH);
    if (!slots) {
        sqlite3_result_error_nomem(c);
        return;
    }
    slot_put_w(slots, sqlite3_value_int64(argv[0]), (uint64_t)sqlite3_value_int64(argv[1]),
               V35_WIDTH);
}

static void pack_final(sqlite3_context *c)
{
    unsigned char *slots = sqlite3_aggregate_context(c, SLOTS * V35_WIDTH);
    if (!slots)
        sqlite3_result_error_nomem(c);
    else
        sqlite3_result_blob(c, slots, SLOTS * V35_WIDTH, SQLITE_TRANSIENT);
}

/* ---- fk_slots_widen(chunk): 0038's move of a 0035 chunk to SQ_SLOT_WIDTH slots -------- */

static void widen(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_bytes(argv[0]) != SLOTS * V35_WIDTH) {
        sqlite3_result_error(c, "fk_slots_widen: a chunk is not 1,024 slots of 4 bytes", -1);
        return;
    }
    const unsigned char *old = sqlite3_value_blob(argv[0]);
    unsigned char *wide = sqlite3_malloc(SLOT_BYTES);
    if (!old || !wide) {
        sqlite3_free(wide);
        sqlite3_result_error_nomem(c);
        return;
    }
    for (int64_t i = 0; i < SLOTS; i++)
        slot_put(wide, i, slot_get_w(old, i, V35_WIDTH));
    sqlite3_result_blob(c, wide, SLOT_BYTES, sqlite3_free);
}

/* ---- the virtual table fk_members --------------------------------------------------------- */

enum { COL_ID, COL_TUBE, COL_PERSON, COL_ROUND, COL_AT, COL_BY };
enum { PLAN_ALL, PLAN_TUBE, PLAN_PERSON_ROUND, PLAN_PERSON, PLAN_ROUND, PLAN_ID };
enum { Q_TUBE, Q_TUBES, Q_TUBES_ROUND, Q_SLOT, Q_CHUNKS, Q_N };
/* A cursor's copies of chunks, direct-mapped by chunk: CACHE_FIRST at first, CACHE_MAX
 * (1.3 MB) once it has missed CACHE_GROW times its size. Coverage walks a community's
 * persons by birth date (the persons_coverage index), and bench/testing's city spreads
 * a community of 4,500 over 83 chunks among its neighbours': 16 copies missed 65,074
 * times over the city's 1,000,000 probes, 256 miss 1,322 (its 977 chunks and the
 * communities' overlaps). A miss is a search of round_slots and a read of the row's
 * overflow page (before migration 0042 every key compared on the way down was copied
 * from its overflow chain: a quarter of a coverage's instructions, callgrind
 * 2026-12-02). A health code's few probes stay at the first size (no 1.3 MB for one
 * person). */
#define CACHE_FIRST 16
#define CACHE_MAX 256
#define CACHE_GROW 4

static const char *const cur_sql[Q_N] = {
    "SELECT tube_id, round_id, members, scanned_by FROM tube_sets WHERE tube_id = ?1",
    "SELECT tube_id, round_id, members, scanned_by FROM tube_sets",
    "SELECT tube_id, round_id, members, scanned_by FROM tube_sets WHERE round_id = ?1",
    "SELECT slots FROM round_slots WHERE id = " SQ_SLOTS_KEY,
    "SELECT round_id, slots FROM round_slots WHERE id " SQ_SLOTS_CHUNK_RANGE " ORDER BY id",
};

typedef struct ref { int64_t tube, person, round; int place; } ref;
typedef struct chunk_copy {
    int64_t chunk, round;
    bool valid, present;
    unsigned char slots[SLOT_BYTES];
} chunk_copy;

typedef struct mcursor {
    sq_vcursor v; /* first: its statements are Q_* */
    int plan;
    /* the tube loaded: its members, and its scanned_by parsed on first use */
    int64_t tube, round, persons[MAX_PLACES], ats[MAX_PLACES];
    int n;
    char *by_text;
    json_t *by;
    /* PLAN_ALL, _TUBE, _ROUND, _ID: the tube rows stepped (stream), the place in the tube
     * (pos, 0-based), only_place for PLAN_ID; else the refs found */
    sqlite3_stmt *stream;
    int pos, only_place;
    ref *refs; /* grown as needed: a person is in as many rounds as a city runs */
    int nrefs, ri, caprefs;
    bool eof;
    chunk_copy *cache; /* ncache copies (a power of 2), allocated at the first probe */
    unsigned ncache, misses;
} mcursor;

/* The table keeps one cursor's statements between cursors (store_sqlite_vtab.c: a
 * health code's read on a cache miss would prepare five statements each time). */
static int m_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                     sqlite3_vtab **out, char **errmsg)
{
    (void)aux, (void)argc, (void)argv, (void)errmsg;
    return sq_vtab_connect(db, "CREATE TABLE x(id INTEGER, tube_id INTEGER, person_id "
                               "INTEGER, round_id INTEGER, scanned_at INTEGER, scanned_by TEXT)",
                           out);
}

/* The usable equality constraint on column col, or -1. */
static int eq_on(const sqlite3_index_info *ix, int col)
{
    for (int i = 0; i < ix->nConstraint; i++)
        if (ix->aConstraint[i].usable && ix->aConstraint[i].iColumn == col &&
            ix->aConstraint[i].op == SQLITE_INDEX_CONSTRAINT_EQ)
            return i;
    return -1;
}

static void use(sqlite3_index_info *ix, int c, int argv_index)
{
    ix->aConstraintUsage[c].argvIndex = argv_index;
    ix->aConstraintUsage[c].omit = 1;
}

static int m_best_index(sqlite3_vtab *v, sqlite3_index_info *ix)
{
    (void)v;
    int person = eq_on(ix, COL_PERSON), round = eq_on(ix, COL_ROUND),
        tube = eq_on(ix, COL_TUBE), id = eq_on(ix, COL_ID);
    /* A tube given by an IN list is a lookup per value: with the person known, the
     * person's chunks are read once instead (the health codes' touch of a city's 48,506
     * results asked each of its few hundred held persons for every one of the results'
     * tubes: 42 s, against 0.7 s by person). */
    if (tube >= 0 && person >= 0 && sqlite3_vtab_in(ix, tube, -1))
        tube = -1;
    if (person >= 0 && round >= 0) {
        use(ix, person, 1), use(ix, round, 2);
        ix->idxNum = PLAN_PERSON_ROUND, ix->estimatedCost = 2, ix->estimatedRows = 1;
        ix->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    } else if (tube >= 0) {
        use(ix, tube, 1);
        ix->idxNum = PLAN_TUBE, ix->estimatedCost = 5, ix->estimatedRows = 20;
    } else if (id >= 0) {
        use(ix, id, 1);
        ix->idxNum = PLAN_ID, ix->estimatedCost = 3, ix->estimatedRows = 1;
    } else if (person >= 0) {
        use(ix, person, 1);
        ix->idxNum = PLAN_PERSON, ix->estimatedCost = 20, ix->estimatedRows = 4;
    } else if (round >= 0) {
        use(ix, round, 1);
        ix->idxNum = PLAN_ROUND, ix->estimatedCost = 1e6, ix->estimatedRows = 1000000;
    } else {
        ix->idxNum = PLAN_ALL, ix->estimatedCost = 1e7, ix->estimatedRows = 10000000;
    }
    return SQLITE_OK;
}

static int m_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    return sq_vtab_open(v, sizeof(mcursor), Q_N, out);
}

static void tube_forget(mcursor *c)
{
    sqlite3_free(c->by_text);
    c->by_text = NULL;
    json_decref(c->by);
    c->by = NULL;
    c->tube = 0;
    c->n = 0;
}

static int m_close(sqlite3_vtab_cursor *cur)
{
    mcursor *c = (mcursor *)cur;
    tube_forget(c);
    sqlite3_free(c->refs);
    sqlite3_free(c->cache);
    sq_vtab_close(cur);
    return SQLITE_OK;
}

static sqlite3_stmt *stmt_of(mcursor *c, int which)
{
    return sq_vtab_stmt(&c->v, which, cur_sql[which]);
}

static int fail(mcursor *c, const char *why)
{
    return sq_vtab_fail(&c->v, "fk_members", why);
}

/* Take the tube row q is on (tube_id, round_id, members, scanned_by). */
static int tube_take(mcursor *c, sqlite3_stmt *q)
{
    tube_forget(c);
    c->n = members_parse((const char *)sqlite3_column_text(q, 2), c->persons, c->ats);
    if (c->n < 0) {
        c->n = 0;
        return fail(c, "a tube's members are not [[person, time], ...]");
    }
    c->tube = sqlite3_column_int64(q, 0);
    c->round = sqlite3_column_int64(q, 1);
    c->by_text = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(q, 3));
    return c->by_text ? SQLITE_OK : SQLITE_NOMEM;
}

/* Load tube `tube` unless it is the one loaded; SQLITE_DONE when it has no members. */
static int tube_load(mcursor *c, int64_t tube)
{
    if (c->tube == tube && tube)
        return SQLITE_OK;
    sqlite3_stmt *q = stmt_of(c, Q_TUBE);
    if (!q)
        return SQLITE_ERROR;
    sqlite3_bind_int64(q, 1, tube);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        rc = tube_take(c, q);
    sqlite3_reset(q);
    return rc;
}

/* The cursor's copies at the size its misses call for (see CACHE_FIRST); the copies
 * held are dropped when it grows. Failing to grow keeps the smaller size for now. */
static int cache_fit(mcursor *c)
{
    if (c->cache && (c->ncache >= CACHE_MAX || c->misses < c->ncache * CACHE_GROW))
        return SQLITE_OK;
    unsigned n = c->cache ? CACHE_MAX : CACHE_FIRST;
    chunk_copy *k = sqlite3_malloc64((sqlite3_uint64)n * sizeof *k);
    if (!k && c->cache)
        c->misses = 0; /* try again CACHE_GROW times its size later */
    if (!k)
        return c->cache ? SQLITE_OK : SQLITE_NOMEM;
    for (unsigned i = 0; i < n; i++)
        k[i].valid = false;
    sqlite3_free(c->cache);
    c->cache = k, c->ncache = n;
    return SQLITE_OK;
}

/* The chunk of person in round, from the cursor's copies or read (present false: none). */
static int chunk_of(mcursor *c, int64_t person, int64_t round, const chunk_copy **out)
{
    int64_t chunk = person >> 10;
    int rc = cache_fit(c);
    if (rc != SQLITE_OK)
        return rc;
    chunk_copy *k = &c->cache[(uint64_t)(chunk ^ round * 7) & (c->ncache - 1)];
    *out = k;
    if (k->valid && k->chunk == chunk && k->round == round)
        return SQLITE_OK;
    c->misses++;
    sqlite3_stmt *q = stmt_of(c, Q_SLOT);
    if (!q)
        return SQLITE_ERROR;
    sqlite3_bind_int64(q, 1, chunk);
    sqlite3_bind_int64(q, 2, round);
    rc = sqlite3_step(q);
    k->valid = false;
    k->present = rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) == SLOT_BYTES;
    if (k->present)
        memcpy(k->slots, sqlite3_column_blob(q, 0), SLOT_BYTES);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc;
    k->chunk = chunk, k->round = round, k->valid = true;
    return SQLITE_OK;
}

static int ref_add(mcursor *c, uint64_t member, int64_t person, int64_t round)
{
    if (!member)
        return SQLITE_OK;
    if (c->nrefs == c->caprefs) {
        int cap = c->caprefs ? c->caprefs * 2 : 8;
        ref *r = sqlite3_realloc64(c->refs, (sqlite3_uint64)cap * sizeof *r);
        if (!r)
            return SQLITE_NOMEM;
        c->refs = r, c->caprefs = cap;
    }
    c->refs[c->nrefs++] = (ref){.tube = (int64_t)(member >> 7), .place = (int)(member & 127),
                                .person = person, .round = round};
    return SQLITE_OK;
}

static int refs_of_person(mcursor *c, int64_t person)
{
    sqlite3_stmt *q = stmt_of(c, Q_CHUNKS);
    if (!q)
        return SQLITE_ERROR;
    sqlite3_bind_int64(q, 1, person >> 10);
    int rc, added = SQLITE_OK;
    while (added == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
        if (sqlite3_column_bytes(q, 1) == SLOT_BYTES)
            added = ref_add(c, slot_get(sqlite3_column_blob(q, 1), person), person,
                            sqlite3_column_int64(q, 0));
    sqlite3_reset(q);
    if (added != SQLITE_OK)
        return added;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Stream: step to the next member of the tube rows (pos within the loaded tube). */
static int stream_next(mcursor *c)
{
    for (;;) {
        if (c->tube && c->pos < c->n) {
            if (!c->only_place || c->pos + 1 == c->only_place)
                return SQLITE_OK;
            c->pos++;
            continue;
        }
        int rc = sqlite3_step(c->stream);
        if (rc == SQLITE_DONE) {
            c->eof = true;
            return SQLITE_OK;
        }
        if (rc != SQLITE_ROW)
            return rc;
        if ((rc = tube_take(c, c->stream)) != SQLITE_OK)
            return rc;
        c->pos = 0;
    }
}

static int m_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx_str, int argc,
                    sqlite3_value **argv)
{
    (void)idx_str, (void)argc;
    mcursor *c = (mcursor *)cur;
    c->plan = plan, c->eof = false, c->nrefs = 0, c->ri = 0, c->pos = 0, c->only_place = 0;
    c->stream = NULL;
    if (plan == PLAN_PERSON_ROUND) {
        const chunk_copy *k;
        int64_t person = sqlite3_value_int64(argv[0]), round = sqlite3_value_int64(argv[1]);
        int rc = chunk_of(c, person, round, &k);
        if (rc != SQLITE_OK)
            return rc;
        if (k->present && (rc = ref_add(c, slot_get(k->slots, person), person, round)))
            return rc;
        c->eof = c->nrefs == 0;
        return SQLITE_OK;
    }
    if (plan == PLAN_PERSON) {
        int rc = refs_of_person(c, sqlite3_value_int64(argv[0]));
        c->eof = c->nrefs == 0;
        return rc;
    }
    int which = plan == PLAN_ROUND ? Q_TUBES_ROUND : plan == PLAN_ALL ? Q_TUBES : Q_TUBE;
    if (!(c->stream = stmt_of(c, which)))
        return SQLITE_ERROR;
    tube_forget(c);
    if (plan == PLAN_ID) {
        int64_t id = sqlite3_value_int64(argv[0]);
        sqlite3_bind_int64(c->stream, 1, id >> 7);
        c->only_place = (int)(id & 127);
        if (!c->only_place) {
            c->eof = true;
            return SQLITE_OK;
        }
    } else if (plan != PLAN_ALL) {
        sqlite3_bind_int64(c->stream, 1, sqlite3_value_int64(argv[0]));
    }
    return stream_next(c);
}

static int m_next(sqlite3_vtab_cursor *cur)
{
    mcursor *c = (mcursor *)cur;
    if (c->stream) {
        c->pos++;
        return stream_next(c);
    }
    c->eof = ++c->ri >= c->nrefs;
    return SQLITE_OK;
}

static int m_eof(sqlite3_vtab_cursor *cur) { return ((mcursor *)cur)->eof; }

/* The current member as (tube, place, person, round); its time and scanner need the
 * tube loaded (refs load it on demand). */
static int current(mcursor *c, ref *r, bool need_tube)
{
    if (c->stream) {
        *r = (ref){.tube = c->tube, .place = c->pos + 1, .person = c->persons[c->pos],
                   .round = c->round};
        return SQLITE_OK;
    }
    *r = c->refs[c->ri];
    if (!need_tube)
        return SQLITE_OK;
    int rc = tube_load(c, r->tube);
    if (rc == SQLITE_OK && (r->place < 1 || r->place > c->n))
        return fail(c, "a slot names a place its tube does not have");
    return rc == SQLITE_DONE ? fail(c, "a slot names a tube without members") : rc;
}

static void by_result(mcursor *c, sqlite3_context *ctx, int place)
{
    if (!c->by)
        c->by = json_loads(c->by_text ? c->by_text : "[]", 0, NULL);
    size_t n = json_array_size(c->by);
    json_t *v = json_array_get(c->by, n == 1 ? 0 : (size_t)place - 1);
    const char *s = json_string_value(v);
    sqlite3_result_text(ctx, s ? s : "", -1, SQLITE_TRANSIENT);
}

static int m_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    mcursor *c = (mcursor *)cur;
    ref r;
    int rc = current(c, &r, col >= COL_AT);
    if (rc != SQLITE_OK)
        return rc;
    switch (col) {
    case COL_ID: sqlite3_result_int64(ctx, SQ_MEMBER_ID(r.tube, r.place)); break;
    case COL_TUBE: sqlite3_result_int64(ctx, r.tube); break;
    case COL_PERSON: sqlite3_result_int64(ctx, r.person); break;
    case COL_ROUND: sqlite3_result_int64(ctx, r.round); break;
    case COL_AT: sqlite3_result_int64(ctx, c->ats[r.place - 1]); break;
    default: by_result(c, ctx, r.place); break;
    }
    return SQLITE_OK;
}

static int m_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    mcursor *c = (mcursor *)cur;
    ref r;
    int rc = current(c, &r, false);
    *rowid = SQ_MEMBER_ID(r.tube, r.place);
    return rc;
}

static sqlite3_module members_module = {
    .iVersion = 0, .xCreate = NULL, .xConnect = m_connect, .xBestIndex = m_best_index,
    .xDisconnect = sq_vtab_disconnect, .xDestroy = sq_vtab_disconnect, .xOpen = m_open,
    .xClose = m_close, .xFilter = m_filter, .xNext = m_next, .xEof = m_eof,
    .xColumn = m_column, .xRowid = m_rowid,
};

int sq_members_register(sqlite3 *db)
{
    int rc = sqlite3_create_module(db, "fk_members", &members_module, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "fk_slots_pack", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                     NULL, NULL, pack_step, pack_final);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "fk_slots_widen", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                     NULL, widen, NULL, NULL);
    return rc;
}

/* ---- the writer ---------------------------------------------------------------------------- */

static size_t chunk_hash(int64_t chunk, int64_t round, size_t cap)
{
    uint64_t h = (uint64_t)chunk * 0x9E3779B97F4A7C15u ^ (uint64_t)round * 0xC2B2AE3D27D4EB4Fu;
    return (size_t)(h >> 17) & (cap - 1);
}

static void chunks_grow(sq_chunks *cs)
{
    size_t cap = cs->icap ? cs->icap * 2 : 64;
    int32_t *index = fk_malloc(cap * sizeof *index);
    for (size_t i = 0; i < cap; i++)
        index[i] = -1;
    for (size_t i = 0; i < cs->n; i++) {
        size_t h = chunk_hash(cs->items[i].chunk, cs->items[i].round, cap);
        while (index[h] >= 0)
            h = (h + 1) & (cap - 1);
        index[h] = (int32_t)i;
    }
    free(cs->index);
    cs->index = index;
    cs->icap = cap;
}

/* The chunk (read on first use) of person in round. */
static int chunk_find(struct sq_store *s, sq_chunks *cs, int64_t person, int64_t round,
                      sq_chunk **out, fk_err *err)
{
    int64_t chunk = person >> 10;
    if ((cs->n + 1) * 2 > cs->icap)
        chunks_grow(cs);
    size_t h = chunk_hash(chunk, round, cs->icap);
    for (; cs->index[h] >= 0; h = (h + 1) & (cs->icap - 1)) {
        sq_chunk *k = &cs->items[cs->index[h]];
        if (k->chunk == chunk && k->round == round) {
            *out = k;
            return 0;
        }
    }
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 16;
        cs->items = fk_realloc(cs->items, cs->cap * sizeof *cs->items);
    }
    sq_chunk *k = &cs->items[cs->n];
    memset(k, 0, sizeof *k);
    k->chunk = chunk, k->round = round;
    sqlite3_stmt *q = sq_stmt(s, SQ_SLOTS_GET, "SELECT slots FROM round_slots WHERE id = "
                              SQ_SLOTS_KEY, err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, chunk);
    sqlite3_bind_int64(q, 2, round);
    int rc = sq_step_row(s, q, err);
    if (rc < 0)
        return -1;
    if (rc == 1 && sqlite3_column_bytes(q, 0) == SLOT_BYTES)
        memcpy(k->slots, sqlite3_column_blob(q, 0), SLOT_BYTES);
    if (rc == 1)
        sqlite3_reset(q);
    cs->index[h] = (int32_t)cs->n++;
    *out = k;
    return 0;
}

/* The persons' largest id, read once for the chunk set (see the header: a guard, not a
 * lookup of each person). */
static int person_top(struct sq_store *s, sq_chunks *cs, fk_err *err)
{
    if (cs->top_person > 0)
        return 0;
    sqlite3_stmt *q = sq_stmt(s, SQ_PERSON_TOP, "SELECT max(id) FROM persons", err);
    if (!q || sq_step_row(s, q, err) != 1)
        return -1;
    cs->top_person = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return 0;
}

/* persons[i] gets the member id tube * 128 + first + i in its round's slot. */
static int slots_take(struct sq_store *s, sq_chunks *cs, int64_t tube, int64_t round,
                      int first, const int64_t *persons, size_t n, fk_err *err)
{
    if (person_top(s, cs, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        sq_chunk *k;
        if (persons[i] <= 0 || persons[i] > cs->top_person)
            return fk_fail(err, FK_ECONFLICT, "person", "person: %lld does not exist",
                           (long long)persons[i]);
        if (chunk_find(s, cs, persons[i], round, &k, err) != 0)
            return -1;
        if (slot_get(k->slots, persons[i]))
            return fk_fail(err, FK_ECONFLICT, "person", "person: %lld was already scanned in "
                           "round %lld", (long long)persons[i], (long long)round);
        slot_put(k->slots, persons[i], (uint64_t)SQ_MEMBER_ID(tube, first + (int)i));
        k->dirty = true;
    }
    return 0;
}

int sq_chunks_write(struct sq_store *s, sq_chunks *cs, fk_err *err)
{
    for (size_t i = 0; i < cs->n; i++) {
        sq_chunk *k = &cs->items[i];
        if (!k->dirty)
            continue;
        sqlite3_stmt *q = sq_stmt(s, SQ_SLOTS_PUT, "INSERT INTO round_slots (id, chunk, "
                                  "round_id, slots) VALUES (" SQ_SLOTS_KEY ", ?1, ?2, ?3) ON "
                                  "CONFLICT (id) DO UPDATE SET slots = excluded.slots", err);
        if (!q)
            return -1;
        sqlite3_bind_int64(q, 1, k->chunk);
        sqlite3_bind_int64(q, 2, k->round);
        sqlite3_bind_blob(q, 3, k->slots, SLOT_BYTES, SQLITE_STATIC);
        if (sq_exec_stmt(s, q, err) != 0)
            return -1;
        k->dirty = false;
    }
    return 0;
}

void sq_chunks_free(sq_chunks *cs)
{
    free(cs->items);
    free(cs->index);
    memset(cs, 0, sizeof *cs);
}

/* scanned_by after n_old members with old (a JSON array) and n_new more by `by`. */
static int by_append(const char *old, int n_old, size_t n_new, const char *by, strbuf *out,
                     fk_err *err)
{
    strbuf one = STRBUF_INIT;
    sb_append_char(&one, '[');
    sb_append_json_string(&one, by);
    sb_append_char(&one, ']');
    if (!old || !strcmp(old, sb_str(&one))) {
        sb_append(out, sb_str(&one));
        sb_free(&one);
        return 0;
    }
    sb_free(&one);
    json_t *a = json_loads(old, 0, NULL);
    size_t n = json_array_size(a);
    if (!a || !n || (n != 1 && n != (size_t)n_old)) {
        json_decref(a);
        return fk_fail(err, FK_EIO, "", "tube_sets: scanned_by is not one name or one a member");
    }
    sb_append_char(out, '[');
    for (size_t i = 0; i < (size_t)n_old + n_new; i++) {
        const char *name = i >= (size_t)n_old ? by : json_string_value(json_array_get(a, n == 1 ? 0 : i));
        if (i)
            sb_append_char(out, ',');
        sb_append_json_string(out, name ? name : "");
    }
    sb_append_char(out, ']');
    json_decref(a);
    return 0;
}

/* v in decimal at p; the end of it. */
static char *put_i64(char *p, int64_t v)
{
    char digits[20], *d = digits + sizeof digits;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--d = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *p++ = '-';
    size_t k = (size_t)(digits + sizeof digits - d);
    memcpy(p, d, k);
    return p + k;
}

/* The members text of n more members, then its closing bracket; out holds "[" or the
 * members before, unclosed. Formatted in a buffer of the run and appended once: a
 * strbuf append for each bracket and number was a quarter of a scans import's writer
 * thread (callgrind, 300,000 rows: 240 of 966 million instructions). */
static void members_append(strbuf *out, const int64_t *persons, const int64_t *ats, size_t n)
{
    char buf[MAX_PLACES * 44 + 1], *p = buf; /* "," "[" 20 digits "," 20 digits "]" */
    for (size_t i = 0; i < n && i < MAX_PLACES; i++) {
        if (i || out->len > 1)
            *p++ = ',';
        *p++ = '[';
        p = put_i64(p, persons[i]);
        *p++ = ',';
        p = put_i64(p, ats[i]);
        *p++ = ']';
    }
    *p++ = ']';
    sb_append_len(out, buf, (size_t)(p - buf));
}

/* The tube's tube_sets row: members and scanned_by appended (first > 1) or new. */
static int set_write(struct sq_store *s, int64_t tube, int64_t round, int first,
                     const int64_t *persons, const int64_t *ats, size_t n, const char *by,
                     fk_err *err)
{
    strbuf m = STRBUF_INIT, b = STRBUF_INIT;
    int rc = 0;
    if (first > 1) {
        sqlite3_stmt *q = sq_stmt(s, SQ_SET_GET, "SELECT members, scanned_by FROM tube_sets "
                                  "WHERE tube_id = ?1 AND round_id = ?2", err);
        if (!q)
            return -1;
        sqlite3_bind_int64(q, 1, tube);
        sqlite3_bind_int64(q, 2, round);
        int found = sq_step_row(s, q, err);
        if (found < 0)
            return -1;
        int64_t p[MAX_PLACES], a[MAX_PLACES];
        const char *old = found ? (const char *)sqlite3_column_text(q, 0) : NULL;
        if (!found || members_parse(old, p, a) != first - 1)
            rc = fk_fail(err, FK_ECONFLICT, "barcode", "barcode: tube %lld has not %d "
                         "members of round %lld", (long long)tube, first - 1, (long long)round);
        else {
            sb_append_len(&m, old, strlen(old) - 1);
            rc = by_append((const char *)sqlite3_column_text(q, 1), first - 1, n, by, &b, err);
        }
        if (found)
            sqlite3_reset(q);
    } else {
        sb_append_char(&m, '[');
        rc = by_append(NULL, 0, n, by, &b, err);
    }
    if (rc == 0) {
        members_append(&m, persons, ats, n);
        sqlite3_stmt *q = sq_stmt(s, SQ_SET_PUT, "INSERT INTO tube_sets (tube_id, round_id, "
                                  "members, scanned_by) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
                                  "(tube_id) DO UPDATE SET members = excluded.members, "
                                  "scanned_by = excluded.scanned_by WHERE round_id = ?2", err);
        if (!q)
            rc = -1;
        else {
            sqlite3_bind_int64(q, 1, tube);
            sqlite3_bind_int64(q, 2, round);
            sqlite3_bind_text(q, 3, sb_str(&m), (int)m.len, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, sb_str(&b), (int)b.len, SQLITE_STATIC);
            rc = sq_exec_stmt(s, q, err);
        }
    }
    sb_free(&m);
    sb_free(&b);
    return rc;
}

int sq_members_add(struct sq_store *s, sq_chunks *cs, int64_t tube, int64_t round, int first,
                   const int64_t *persons, const int64_t *ats, size_t n, const char *by,
                   fk_err *err)
{
    if (tube >= SQ_TUBE_LIMIT)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: tube id %lld is past the "
                       "largest a round's slots hold (%lld)", (long long)tube,
                       (long long)(SQ_TUBE_LIMIT - 1));
    if (tube <= 0 || first < 1 || (size_t)first + n - 1 > MAX_PLACES - 1)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: tube %lld cannot take places "
                       "%d..%d", (long long)tube, first, first + (int)n - 1);
    if (slots_take(s, cs, tube, round, first, persons, n, err) != 0)
        return -1;
    return set_write(s, tube, round, first, persons, ats, n, by, err);
}
