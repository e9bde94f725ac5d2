/*
 * store_sqlite_results.c - tube results as migration 0044 keeps them: a tube's first
 * result in a slot of its chunk (result_chunks: one row per 128 tubes, keyed tube_id >> 7),
 * its corrections as rows (result_corrections, ids tube_id * 128 + rank, rank 1..127:
 * 0043's ids). The store's one writer of first results, and how the store's SQL reads
 * every result.
 *
 *   sq_results_register     on every connection, before the migrations: the eponymous
 *                           virtual table fk_results (the columns tube_results had: id,
 *                           tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at,
 *                           reported_by, replaces, reason; read-only) and 0044's
 *                           aggregate fk_results_pack.
 *   sq_results_firsts_write first results into their chunks (each chunk of the call read
 *                           once, written once). The callers check that each tube was
 *                           received by the row's lab (the API: a statement over the
 *                           rows; the import: its own reads, store_testing_bulk.h) and
 *                           the rows' own rules (checked_row_valid); this file refuses a
 *                           tube that has a first result already (its slot taken, also
 *                           within the call).
 * A round's results were a row each: 48,506 rows cost the results import's writer 213 M
 * instructions, the thread that bounds it (callgrind, bench/testing 2026-12-03); a chunk
 * is one row write for up to 128 of them.
 *
 * A chunk (format 1), little-endian:
 *   byte 0             the format, 1
 *   bytes 1..128       a code per slot (tube chunk * 128 + slot): 0 no result, 1 negative,
 *                      2 positive, 3 invalid; bit 7 set when the tube has corrections
 *                      (0044's result_corrections_mark sets it: the readers look for
 *                      corrections only where there are some)
 *   then, per slot with a result in slot order, 13 bytes: the reporter's index in the
 *                      chunk's list (1 byte), lab_id (4), reported_at (8, signed)
 *   then the reporters: a count (1 byte), each a length (1 byte) and its bytes
 *   then, per positive slot in slot order, ct_orf1ab and ct_n (8-byte doubles)
 * The code bytes sit at fixed places so the schema's triggers test a tube's first result
 * in plain SQL (substr(slots, 2 + (tube_id & 127), 1) <> x'00').
 *
 * The virtual table plans by id (=, or a range: a tube's results are ids tube * 128 ..
 * + 127), tube_id (=), replaces (=: the correction replacing a result is the next id) or
 * nothing (every chunk). A cursor reads one chunk at a time (a copy kept between the
 * lookups of one statement: a health code probes the tubes of a person's scans) and the
 * corrections of its marked tubes. A cursor prepares its statements once and is used by
 * one thread, as its connection.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "store/store_sqlite_int.h"

#define SLOTS 128
#define FORMAT 1
#define HEAD (1 + SLOTS)     /* the format byte and the codes */
#define DETAIL 13            /* a result's reporter, lab and time */
#define CT_BYTES 16          /* a positive's two Ct values */
#define CORRECTED 0x80
#define MAX_WHO_LEN 255

enum { CODE_NONE, CODE_NEGATIVE, CODE_POSITIVE, CODE_INVALID };

static const char *const code_text[] = {"", "negative", "positive", "invalid"};

static int code_of(const char *result)
{
    for (int c = CODE_NEGATIVE; c <= CODE_INVALID; c++)
        if (!strcmp(result, code_text[c]))
            return c;
    return CODE_NONE;
}

static const char *text_or_empty(const unsigned char *text)
{
    return text ? (const char *)text : "";
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static double get_double(const unsigned char *p)
{
    uint64_t bits = get_le(p, 8);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static void put_double(unsigned char *p, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    put_le(p, bits, 8);
}

/* ---- a chunk decoded ------------------------------------------------------------------- */

typedef struct rslot {
    unsigned char code; /* with CORRECTED */
    unsigned char who;
    int64_t lab, at;
    double ct[2];
} rslot;

/* A chunk as its slots; the reporters' texts point into the blob it was decoded from
 * (or, for a write, into the callers' rows): valid while those are. */
typedef struct rchunk {
    rslot s[SLOTS];
    int nwho;
    const char *who[SLOTS];
    unsigned char who_len[SLOTS];
} rchunk;

/* Decode blob (n bytes) into k; 0, or -1 when it is not a chunk of format 1. */
static int chunk_decode(const unsigned char *b, size_t n, rchunk *k)
{
    if (n < HEAD + 1 || b[0] != FORMAT)
        return -1;
    size_t at = HEAD, positives = 0;
    for (int i = 0; i < SLOTS; i++) {
        rslot *s = &k->s[i];
        s->code = b[1 + i];
        int code = s->code & ~CORRECTED;
        if (code > CODE_INVALID || (s->code && !code))
            return -1;
        if (!code)
            continue;
        if (at + DETAIL > n)
            return -1;
        s->who = b[at];
        s->lab = (int64_t)get_le(b + at + 1, 4);
        s->at = (int64_t)get_le(b + at + 5, 8);
        at += DETAIL;
        positives += code == CODE_POSITIVE;
    }
    if (at >= n)
        return -1;
    k->nwho = b[at++];
    for (int w = 0; w < k->nwho; w++) {
        if (at >= n || at + 1 + b[at] > n)
            return -1;
        k->who_len[w] = b[at];
        k->who[w] = (const char *)b + at + 1;
        at += 1 + (size_t)b[at];
    }
    if (at + positives * CT_BYTES != n)
        return -1;
    for (int i = 0; i < SLOTS; i++) {
        rslot *s = &k->s[i];
        if (s->code && s->who >= k->nwho)
            return -1;
        if ((s->code & ~CORRECTED) != CODE_POSITIVE)
            continue;
        s->ct[0] = get_double(b + at);
        s->ct[1] = get_double(b + at + 8);
        at += CT_BYTES;
    }
    return 0;
}

static void chunk_encode(const rchunk *k, strbuf *out)
{
    unsigned char head[HEAD], d[DETAIL];
    head[0] = FORMAT;
    for (int i = 0; i < SLOTS; i++)
        head[1 + i] = k->s[i].code;
    sb_reset(out);
    sb_append_len(out, (const char *)head, sizeof head);
    for (int i = 0; i < SLOTS; i++) {
        const rslot *s = &k->s[i];
        if (!s->code)
            continue;
        d[0] = s->who;
        put_le(d + 1, (uint64_t)s->lab, 4);
        put_le(d + 5, (uint64_t)s->at, 8);
        sb_append_len(out, (const char *)d, sizeof d);
    }
    sb_append_char(out, (char)k->nwho);
    for (int w = 0; w < k->nwho; w++) {
        sb_append_char(out, (char)k->who_len[w]);
        sb_append_len(out, k->who[w], k->who_len[w]);
    }
    for (int i = 0; i < SLOTS; i++) {
        if ((k->s[i].code & ~CORRECTED) != CODE_POSITIVE)
            continue;
        unsigned char ct[CT_BYTES];
        put_double(ct, k->s[i].ct[0]);
        put_double(ct + 8, k->s[i].ct[1]);
        sb_append_len(out, (const char *)ct, sizeof ct);
    }
}

/* The reporter's index in k's list, added when new; -1 when the list is full. */
static int who_index(rchunk *k, const char *who, size_t len)
{
    for (int w = 0; w < k->nwho; w++)
        if (k->who_len[w] == len && !memcmp(k->who[w], who, len))
            return w;
    if (k->nwho == SLOTS)
        return -1;
    k->who[k->nwho] = who;
    k->who_len[k->nwho] = (unsigned char)len;
    return k->nwho++;
}

/* ---- fk_results_pack(tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at, reported_by,
 *      corrected): 0044's chunks from the first results of tube_results -------------------- */

/* The reporters' texts are copied into names (a row's value lasts only its step), each to
 * the place of the list's next entry, which who_index keeps when the reporter is new. */
typedef struct pack_state {
    rchunk k;
    char names[SLOTS][MAX_WHO_LEN + 1];
    bool begun, bad;
} pack_state;

static void pack_step(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    pack_state *p = sqlite3_aggregate_context(c, sizeof *p);
    if (!p) {
        sqlite3_result_error_nomem(c);
        return;
    }
    int slot = (int)(sqlite3_value_int64(argv[0]) & (SLOTS - 1));
    const char *who = text_or_empty(sqlite3_value_text(argv[6]));
    size_t len = strlen(who);
    int code = code_of(text_or_empty(sqlite3_value_text(argv[1])));
    p->begun = true;
    if (!code || p->k.s[slot].code || len > MAX_WHO_LEN || p->k.nwho == SLOTS) {
        p->bad = true;
        return;
    }
    memcpy(p->names[p->k.nwho], who, len + 1);
    int w = who_index(&p->k, p->names[p->k.nwho], len);
    p->k.s[slot] = (rslot){.code = (unsigned char)(code | (sqlite3_value_int(argv[7])
                                                             ? CORRECTED : 0)),
                           .who = (unsigned char)w, .lab = sqlite3_value_int64(argv[4]),
                           .at = sqlite3_value_int64(argv[5]),
                           .ct = {sqlite3_value_double(argv[2]), sqlite3_value_double(argv[3])}};
}

static void pack_final(sqlite3_context *c)
{
    pack_state *p = sqlite3_aggregate_context(c, 0);
    if (!p || !p->begun) {
        sqlite3_result_null(c);
    } else if (p->bad) {
        sqlite3_result_error(c, "fk_results_pack: a tube with two first results, an unknown "
                             "result or a reporter over 255 bytes", -1);
    } else {
        strbuf out = STRBUF_INIT;
        chunk_encode(&p->k, &out);
        sqlite3_result_blob(c, out.buf, (int)out.len, SQLITE_TRANSIENT);
        sb_free(&out);
    }
}

/* ---- the virtual table fk_results -------------------------------------------------------- */

enum { COL_ID, COL_TUBE, COL_RESULT, COL_CT1, COL_CT2, COL_LAB, COL_AT, COL_BY, COL_REPLACES,
       COL_REASON };
/* idxNum: a plan (PLAN_MASK); PLAN_RANGE lists its bounds on id, in argv order, 2 bits
 * each from bit BOUNDS_AT (RANGE_GE, _GT, _LE, _LT), their count at bits 4-7: every bound
 * given, so that a tube's range and an import's range together read the tube's chunk */
enum { PLAN_ALL, PLAN_ID, PLAN_TUBE, PLAN_REPLACES, PLAN_RANGE };
enum { RANGE_GE, RANGE_GT, RANGE_LE, RANGE_LT };
#define PLAN_MASK 7
#define NBOUNDS_AT 4
#define BOUNDS_AT 8
#define MAX_BOUNDS 8
enum { Q_CHUNK, Q_CHUNKS, Q_CORRECTIONS, Q_N };

#define CORRECTION_COLS                                                                      \
    "id, tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at, reported_by, replaces, reason"
static const char *const cur_sql[Q_N] = {
    "SELECT id, slots FROM result_chunks WHERE id = ?1",
    "SELECT id, slots FROM result_chunks WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
    "SELECT " CORRECTION_COLS " FROM result_corrections WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
};

/* One row of the cursor's current chunk; texts at offsets into the cursor's arena. */
typedef struct rrow {
    int64_t id, tube, lab, at, replaces; /* replaces 0: NULL */
    double ct[2];
    int code; /* CODE_*, without CORRECTED */
    size_t by_off, by_len, reason_off, reason_len;
} rrow;

typedef struct rcursor {
    sq_vcursor v; /* first: its statements are Q_* */
    int64_t lo, hi;      /* the ids wanted */
    sqlite3_stmt *stream; /* Q_CHUNKS over several chunks, else NULL */
    rrow *rows;
    size_t n, cap, at;
    strbuf arena;
    /* the last chunk read (its blob copied), for the lookups of one statement */
    int64_t kept_id;
    bool kept_valid, kept_present;
    strbuf kept;
    bool eof;
} rcursor;

/* The table keeps one cursor's statements between cursors (store_sqlite_vtab.c). */
static int r_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                     sqlite3_vtab **out, char **errmsg)
{
    (void)aux, (void)argc, (void)argv, (void)errmsg;
    return sq_vtab_connect(db, "CREATE TABLE x(id INTEGER, tube_id INTEGER, result TEXT, "
                               "ct_orf1ab REAL, ct_n REAL, lab_id INTEGER, reported_at INTEGER, "
                               "reported_by TEXT, replaces INTEGER, reason TEXT)", out);
}

/* The first usable equality on col, or -1. */
static int eq_on(const sqlite3_index_info *ix, int col)
{
    for (int i = 0; i < ix->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
        if (c->usable && c->iColumn == col && c->op == SQLITE_INDEX_CONSTRAINT_EQ)
            return i;
    }
    return -1;
}

/* The bounds on id as PLAN_RANGE's idxNum (argv from 1), or PLAN_ALL when none. */
static int range_plan(sqlite3_index_info *ix)
{
    static const struct { int op, code; } ops[] = {
        {SQLITE_INDEX_CONSTRAINT_GE, RANGE_GE}, {SQLITE_INDEX_CONSTRAINT_GT, RANGE_GT},
        {SQLITE_INDEX_CONSTRAINT_LE, RANGE_LE}, {SQLITE_INDEX_CONSTRAINT_LT, RANGE_LT}};
    int n = 0, plan = PLAN_RANGE;
    bool lower = false, upper = false;
    for (int i = 0; i < ix->nConstraint && n < MAX_BOUNDS; i++) {
        const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
        for (int k = 0; k < 4 && c->usable && c->iColumn == COL_ID; k++) {
            if (c->op != ops[k].op)
                continue;
            ix->aConstraintUsage[i].argvIndex = n + 1;
            plan |= ops[k].code << (BOUNDS_AT + 2 * n++);
            lower |= ops[k].code <= RANGE_GT, upper |= ops[k].code >= RANGE_LE;
        }
    }
    ix->estimatedCost = lower && upper ? 10 : n ? 1e5 : 1e6;
    ix->estimatedRows = lower && upper ? 2 : n ? 100000 : 1000000;
    return n ? plan | n << NBOUNDS_AT : PLAN_ALL;
}

/* The values are tested again by SQLite (omit stays 0): the plans only narrow the read. */
static int r_best_index(sqlite3_vtab *v, sqlite3_index_info *ix)
{
    (void)v;
    int id = eq_on(ix, COL_ID), tube = eq_on(ix, COL_TUBE), repl = eq_on(ix, COL_REPLACES),
        plan;
    if (id >= 0) {
        plan = PLAN_ID, ix->aConstraintUsage[id].argvIndex = 1;
        ix->estimatedCost = 1, ix->estimatedRows = 1, ix->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    } else if (repl >= 0) {
        plan = PLAN_REPLACES, ix->aConstraintUsage[repl].argvIndex = 1;
        ix->estimatedCost = 2, ix->estimatedRows = 1, ix->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    } else if (tube >= 0) {
        plan = PLAN_TUBE, ix->aConstraintUsage[tube].argvIndex = 1;
        ix->estimatedCost = 3, ix->estimatedRows = 1;
    } else {
        plan = range_plan(ix);
    }
    /* one filter call (a range, every chunk) yields its rows by id; an equality may be
     * an IN list, one call a value, so its order is left to SQLite */
    bool one_call = plan == PLAN_ALL || (plan & PLAN_MASK) == PLAN_RANGE;
    if (one_call && ix->nOrderBy == 1 && ix->aOrderBy[0].iColumn == COL_ID &&
        !ix->aOrderBy[0].desc)
        ix->orderByConsumed = 1;
    ix->idxNum = plan;
    return SQLITE_OK;
}

static int r_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    return sq_vtab_open(v, sizeof(rcursor), Q_N, out);
}

static int r_close(sqlite3_vtab_cursor *cur)
{
    rcursor *c = (rcursor *)cur;
    sqlite3_free(c->rows);
    sb_free(&c->arena);
    sb_free(&c->kept);
    sq_vtab_close(cur);
    return SQLITE_OK;
}

static sqlite3_stmt *stmt_of(rcursor *c, int which)
{
    return sq_vtab_stmt(&c->v, which, cur_sql[which]);
}

static int fail(rcursor *c, const char *why)
{
    return sq_vtab_fail(&c->v, "fk_results", why);
}

static rrow *row_add(rcursor *c)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        rrow *r = sqlite3_realloc64(c->rows, cap * sizeof *r);
        if (!r)
            return NULL;
        c->rows = r, c->cap = cap;
    }
    rrow *r = &c->rows[c->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static size_t arena_add(rcursor *c, const void *text, size_t len)
{
    size_t at = c->arena.len;
    sb_append_len(&c->arena, text ? text : "", len);
    return at;
}

/* The corrections of tube in the wanted ids, after its first result. */
static int corrections_add(rcursor *c, int64_t tube)
{
    sqlite3_stmt *q = stmt_of(c, Q_CORRECTIONS);
    if (!q)
        return SQLITE_ERROR;
    int64_t from = tube * 128 + 1, to = tube * 128 + 127;
    sqlite3_bind_int64(q, 1, from > c->lo ? from : c->lo);
    sqlite3_bind_int64(q, 2, to < c->hi ? to : c->hi);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        rrow *r = row_add(c);
        if (!r)
            return SQLITE_NOMEM;
        r->id = sqlite3_column_int64(q, 0);
        r->tube = sqlite3_column_int64(q, 1);
        r->code = code_of(text_or_empty(sqlite3_column_text(q, 2)));
        r->ct[0] = sqlite3_column_double(q, 3);
        r->ct[1] = sqlite3_column_double(q, 4);
        r->lab = sqlite3_column_int64(q, 5);
        r->at = sqlite3_column_int64(q, 6);
        r->by_len = (size_t)sqlite3_column_bytes(q, 7);
        r->by_off = arena_add(c, sqlite3_column_text(q, 7), r->by_len);
        r->replaces = sqlite3_column_int64(q, 8);
        r->reason_len = (size_t)sqlite3_column_bytes(q, 9);
        r->reason_off = arena_add(c, sqlite3_column_text(q, 9), r->reason_len);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The rows of chunk `chunk` (blob b, n bytes) within the wanted ids, in id order. */
static int chunk_rows(rcursor *c, int64_t chunk, const unsigned char *b, size_t n)
{
    rchunk k;
    if (chunk_decode(b, n, &k) != 0)
        return fail(c, "a chunk of result_chunks is malformed");
    size_t who_off[SLOTS];
    for (int w = 0; w < k.nwho; w++)
        who_off[w] = arena_add(c, k.who[w], k.who_len[w]);
    for (int i = 0; i < SLOTS; i++) {
        const rslot *s = &k.s[i];
        int64_t tube = chunk * SLOTS + i;
        if (!s->code || tube * 128 + 127 < c->lo || tube * 128 > c->hi)
            continue;
        if (tube * 128 >= c->lo) {
            rrow *r = row_add(c);
            if (!r)
                return SQLITE_NOMEM;
            *r = (rrow){.id = tube * 128, .tube = tube, .lab = s->lab, .at = s->at,
                        .ct = {s->ct[0], s->ct[1]}, .code = s->code & ~CORRECTED,
                        .by_off = who_off[s->who], .by_len = k.who_len[s->who]};
        }
        int rc = s->code & CORRECTED ? corrections_add(c, tube) : SQLITE_OK;
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static void rows_reset(rcursor *c)
{
    c->n = 0, c->at = 0;
    sb_reset(&c->arena);
}

/* The rows of one chunk, through the kept copy. */
static int chunk_one(rcursor *c, int64_t chunk)
{
    if (!c->kept_valid || c->kept_id != chunk) {
        sqlite3_stmt *q = stmt_of(c, Q_CHUNK);
        if (!q)
            return SQLITE_ERROR;
        sqlite3_bind_int64(q, 1, chunk);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return rc;
        sb_reset(&c->kept);
        c->kept_present = rc == SQLITE_ROW;
        if (c->kept_present)
            sb_append_len(&c->kept, sqlite3_column_blob(q, 1),
                          (size_t)sqlite3_column_bytes(q, 1));
        sqlite3_reset(q);
        c->kept_id = chunk, c->kept_valid = true;
    }
    return c->kept_present ? chunk_rows(c, chunk, (const unsigned char *)c->kept.buf,
                                        c->kept.len)
                           : SQLITE_OK;
}

/* Until a chunk of the stream has wanted rows, or the stream ends. */
static int stream_fill(rcursor *c)
{
    while (c->stream && c->at >= c->n) {
        rows_reset(c);
        int rc = sqlite3_step(c->stream);
        if (rc == SQLITE_DONE) {
            sqlite3_reset(c->stream);
            c->stream = NULL;
            break;
        }
        if (rc != SQLITE_ROW)
            return rc;
        rc = chunk_rows(c, sqlite3_column_int64(c->stream, 0), sqlite3_column_blob(c->stream, 1),
                        (size_t)sqlite3_column_bytes(c->stream, 1));
        if (rc != SQLITE_OK)
            return rc;
    }
    c->eof = c->at >= c->n;
    return SQLITE_OK;
}

/* An id bound from v: false when no integer meets it (NULL, a text). */
static bool bound(sqlite3_value *v, bool lower, bool open, int64_t *out)
{
    int type = sqlite3_value_numeric_type(v);
    if (type == SQLITE_INTEGER) {
        int64_t x = sqlite3_value_int64(v);
        if (open && x == (lower ? INT64_MAX : INT64_MIN))
            return false;
        *out = open ? (lower ? x + 1 : x - 1) : x;
        return true;
    }
    if (type != SQLITE_FLOAT)
        return false;
    double d = sqlite3_value_double(v);
    if (d > 9.2e18 || d < -9.2e18)
        return false;
    int64_t x = (int64_t)d; /* toward zero */
    if (lower)
        *out = (double)x < d || (open && (double)x == d) ? x + 1 : x;
    else
        *out = (double)x > d || (open && (double)x == d) ? x - 1 : x;
    return true;
}

/* The correction replacing result v: the next id, if its row says so (SQLite tests
 * replaces = v on the row read). */
static int replacing(rcursor *c, sqlite3_value *v)
{
    int64_t x;
    if (!bound(v, true, false, &x) || x < 0 || x == INT64_MAX)
        return SQLITE_OK;
    c->lo = c->hi = x + 1;
    return (x + 1) & 127 ? corrections_add(c, (x + 1) >> 7) : SQLITE_OK;
}

/* The ids wanted into c->lo, c->hi: false when no id can meet the values. */
static bool window(rcursor *c, int plan, sqlite3_value **argv)
{
    int64_t x;
    switch (plan & PLAN_MASK) {
    case PLAN_ID:
        return bound(argv[0], true, false, &c->lo) && bound(argv[0], false, false, &c->hi);
    case PLAN_TUBE:
        if (!bound(argv[0], true, false, &x) || x < 0 || x > INT64_MAX / 128 - 1 ||
            sqlite3_value_double(argv[0]) != (double)x)
            return false;
        c->lo = x * 128, c->hi = x * 128 + 127;
        return true;
    case PLAN_RANGE:
        for (int i = 0; i < (plan >> NBOUNDS_AT & 15); i++) {
            int op = plan >> (BOUNDS_AT + 2 * i) & 3;
            bool lower = op <= RANGE_GT;
            if (!bound(argv[i], lower, op == RANGE_GT || op == RANGE_LT, &x))
                return false;
            if (lower && x > c->lo)
                c->lo = x;
            else if (!lower && x < c->hi)
                c->hi = x;
        }
        return true;
    default:
        return true;
    }
}

static int r_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx_str, int argc,
                    sqlite3_value **argv)
{
    (void)idx_str, (void)argc;
    rcursor *c = (rcursor *)cur;
    rows_reset(c);
    if (c->stream)
        sqlite3_reset(c->stream);
    c->stream = NULL, c->eof = true;
    c->lo = 0, c->hi = INT64_MAX;
    int rc = SQLITE_OK;
    if ((plan & PLAN_MASK) == PLAN_REPLACES) {
        rc = replacing(c, argv[0]);
        c->eof = c->n == 0;
        return rc;
    }
    if (!window(c, plan, argv))
        return SQLITE_OK;
    if (c->lo < 0)
        c->lo = 0;
    if (c->lo > c->hi)
        return SQLITE_OK;
    int64_t first = c->lo >> 14, last = c->hi >> 14; /* a chunk: 128 tubes, 128 ids each */
    if (first == last) {
        rc = chunk_one(c, first);
        c->eof = c->n == 0;
        return rc;
    }
    if (!(c->stream = stmt_of(c, Q_CHUNKS)))
        return SQLITE_ERROR;
    sqlite3_bind_int64(c->stream, 1, first);
    sqlite3_bind_int64(c->stream, 2, last);
    return stream_fill(c);
}

static int r_next(sqlite3_vtab_cursor *cur)
{
    rcursor *c = (rcursor *)cur;
    c->at++;
    if (c->at < c->n)
        return SQLITE_OK;
    if (!c->stream) {
        c->eof = true;
        return SQLITE_OK;
    }
    return stream_fill(c);
}

static int r_eof(sqlite3_vtab_cursor *cur) { return ((rcursor *)cur)->eof; }

static void text_result(rcursor *c, sqlite3_context *ctx, size_t off, size_t len)
{
    sqlite3_result_text(ctx, c->arena.buf ? c->arena.buf + off : "", (int)len, SQLITE_TRANSIENT);
}

static int r_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    rcursor *c = (rcursor *)cur;
    const rrow *r = &c->rows[c->at];
    bool ct = r->code == CODE_POSITIVE;
    switch (col) {
    case COL_ID: sqlite3_result_int64(ctx, r->id); break;
    case COL_TUBE: sqlite3_result_int64(ctx, r->tube); break;
    case COL_RESULT: sqlite3_result_text(ctx, code_text[r->code], -1, SQLITE_STATIC); break;
    case COL_CT1: ct ? sqlite3_result_double(ctx, r->ct[0]) : sqlite3_result_null(ctx); break;
    case COL_CT2: ct ? sqlite3_result_double(ctx, r->ct[1]) : sqlite3_result_null(ctx); break;
    case COL_LAB: sqlite3_result_int64(ctx, r->lab); break;
    case COL_AT: sqlite3_result_int64(ctx, r->at); break;
    case COL_BY: text_result(c, ctx, r->by_off, r->by_len); break;
    case COL_REPLACES:
        r->replaces ? sqlite3_result_int64(ctx, r->replaces) : sqlite3_result_null(ctx);
        break;
    default:
        r->replaces ? text_result(c, ctx, r->reason_off, r->reason_len)
                    : sqlite3_result_null(ctx);
        break;
    }
    return SQLITE_OK;
}

static int r_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    rcursor *c = (rcursor *)cur;
    *rowid = c->rows[c->at].id;
    return SQLITE_OK;
}

static sqlite3_module results_module = {
    .iVersion = 0, .xCreate = NULL, .xConnect = r_connect, .xBestIndex = r_best_index,
    .xDisconnect = sq_vtab_disconnect, .xDestroy = sq_vtab_disconnect, .xOpen = r_open,
    .xClose = r_close, .xFilter = r_filter, .xNext = r_next, .xEof = r_eof,
    .xColumn = r_column, .xRowid = r_rowid,
};

int sq_results_register(sqlite3 *db)
{
    int rc = sqlite3_create_module(db, "fk_results", &results_module, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "fk_results_pack", 8,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL, pack_step,
                                     pack_final);
    return rc;
}

/* ---- the writer ------------------------------------------------------------------------- */

static int by_tube(const void *a, const void *b)
{
    const sq_first_result *x = *(const sq_first_result *const *)a,
                          *y = *(const sq_first_result *const *)b;
    return (x->tube_id > y->tube_id) - (x->tube_id < y->tube_id);
}

/* Chunk `chunk` read into k (its reporters' texts copied into blob) or empty. */
static int chunk_read(struct sq_store *s, int64_t chunk, rchunk *k, strbuf *blob, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_RESULT_CHUNK_GET, "SELECT slots FROM result_chunks WHERE "
                              "id = ?1", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, chunk);
    int r = sq_step_row(s, q, err);
    sb_reset(blob);
    if (r > 0)
        sb_append_len(blob, sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0));
    sqlite3_reset(q);
    if (r < 0)
        return -1;
    memset(k, 0, sizeof *k);
    if (r > 0 && chunk_decode((const unsigned char *)blob->buf, blob->len, k) != 0)
        return fk_fail(err, FK_EIO, "", "result_chunks: chunk %lld is malformed",
                       (long long)chunk);
    return 0;
}

static int chunk_put(struct sq_store *s, int64_t chunk, const strbuf *blob, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_RESULT_CHUNK_PUT, "INSERT INTO result_chunks (id, slots) "
                              "VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET slots = "
                              "excluded.slots", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, chunk);
    sqlite3_bind_blob(q, 2, blob->buf, (int)blob->len, SQLITE_STATIC);
    return sq_exec_stmt(s, q, err);
}

/* Row r into its slot of k. */
static int slot_set(rchunk *k, const sq_first_result *r, fk_err *err)
{
    rslot *s = &k->s[r->tube_id & (SLOTS - 1)];
    int code = code_of(r->result);
    size_t len = strlen(r->reported_by);
    if (s->code)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: tube %lld has a result already",
                       (long long)r->tube_id);
    if (!code)
        return fk_fail(err, FK_EINVAL, "result", "result: tube %lld: \"%s\" is not negative, "
                       "positive or invalid", (long long)r->tube_id, r->result);
    if (r->lab_id < 1 || r->lab_id > UINT32_MAX)
        return fk_fail(err, FK_EINVAL, "lab", "lab: %lld is not a lab's id",
                       (long long)r->lab_id);
    int w = len <= MAX_WHO_LEN ? who_index(k, r->reported_by, len) : -1;
    if (w < 0)
        return fk_fail(err, FK_EINVAL, "reported_by", "reported_by: over %d bytes",
                       MAX_WHO_LEN);
    *s = (rslot){.code = (unsigned char)code, .who = (unsigned char)w, .lab = r->lab_id,
                 .at = r->reported_at, .ct = {r->ct_orf1ab, r->ct_n}};
    return 0;
}

/* rows[0..n), sorted by tube, each chunk read, filled and written once. */
static int firsts_write_sorted(struct sq_store *s, const sq_first_result *const *rows, size_t n,
                               fk_err *err)
{
    rchunk k;
    strbuf blob = STRBUF_INIT, out = STRBUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        int64_t chunk = rows[i]->tube_id >> 7;
        rc = chunk_read(s, chunk, &k, &blob, err);
        for (; rc == 0 && i < n && rows[i]->tube_id >> 7 == chunk; i++)
            rc = slot_set(&k, rows[i], err);
        if (rc == 0) {
            chunk_encode(&k, &out);
            rc = chunk_put(s, chunk, &out, err);
        }
    }
    sb_free(&blob);
    sb_free(&out);
    return rc;
}

int sq_results_firsts_write(struct sq_store *s, const sq_first_result *r, size_t n, fk_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].tube_id < 1 || r[i].tube_id >= SQ_TUBE_LIMIT)
            return fk_fail(err, FK_EINVAL, "tube_id", "tube_id: %lld is not a tube's id",
                           (long long)r[i].tube_id);
    const sq_first_result **rows = fk_calloc(n ? n : 1, sizeof *rows);
    bool sorted = true;
    for (size_t i = 0; i < n; i++) {
        rows[i] = &r[i];
        sorted = sorted && (i == 0 || r[i - 1].tube_id <= r[i].tube_id);
    }
    if (!sorted)
        qsort(rows, n, sizeof *rows, by_tube);
    int rc = firsts_write_sorted(s, rows, n, err);
    free(rows);
    return rc;
}
