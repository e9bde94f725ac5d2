/*
 * import_results.c - the `results` import kind: tube,result,ct_orf1ab,ct_n,lab,time. A
 * lab's first results from a file, under the rules of the API (services/sample_flow.c,
 * sample_flow.h's contract), row by row:
 *
 *   tube      a barcode (tube.h's format) of a site in the actor's area (else "never
 *             issued", as the API), in a box received by `lab`, without a result in the
 *             store nor in an earlier good row of the file;
 *   result    negative, positive or invalid; ct_orf1ab, ct_n: a positive carries both,
 *             in (0, 45], the others none (sample_result_check); the two Ct columns may
 *             be left out of the header when no row is positive;
 *   lab       the lab's id: the lab that received the tube's box;
 *   time      when reported: ISO 8601 with an offset or Unix seconds, not before the
 *             box's receipt and not in the future (five minutes of clock skew allowed).
 * Corrections are the API's only (POST .../result/correction with a reason): a tube
 * with a result is refused, naming its result. Results are reported by the importing
 * actor. After the last write and inside the import's transaction, the new rows go
 * once to sample_results_followed_up (what follows a positive, as for the API); the
 * audit is the import's summary record plus what that call writes.
 *
 * Volume: for a file of IMPORT_BULK_BYTES or more every tube that may take a first
 * result (received, none yet, its box not taken as done) is read once, on a thread and
 * connection of its own started with the import (store_bulk_reader_*); smaller files
 * look each tube up. A tube missing from
 * memory is looked up in the store either way (store_bulk_tube_probe, one statement),
 * which also gives a bad row the API's precise message. A row is parsed into a
 * checked_result (64 bytes: store_testing_bulk.h), batched and written as that; a
 * row's id is its tube's first result's (store_first_result_id: the smallest and largest
 * are kept), and the rows the follow-up acts on (not negative, or a single tube's: the
 * tube's size is read with it) are kept whole, so the follow-up does not read the rows
 * again to find them. A batch is written from one scratch array reused by every batch
 * (it takes the ids). From the first batch to the follow-up the handle holds its checks
 * off (store_results_checked_hold: switched once, not once a batch, so batches of 1,024
 * cost little and the last ones, written after the last row is parsed, are short) and its
 * page cache is small (store_spill_early): the rows' pages reach the WAL on the writer
 * thread beside the parse, and the commit, after the follow-up, writes about a third fewer
 * pages (bench/testing: 491 of 1,596 WAL frames written early). Both end before the
 * follow-up, which writes through the checks and reads much; the disk starts writing the
 * spilled pages then (store_wal_write_early), and the commit's sync waits for fewer. The commit leaves the WAL's
 * copy into the database to the server's checkpointer or the close
 * (store_checkpoint_later), as the scans import's does.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/u64map.h"
#include "io/import.h"
#include "model/role.h"
#include "model/tube.h"
#include "services/sample_flow.h"

/* Below this size each tube is looked up (four reads, about 0.3 ms a row); from it the
 * tubes that may take a result are read at once (about 1 s for a million). */
#define IMPORT_BULK_BYTES ((int64_t)64 << 10)
#define CLOCK_SKEW_S 300
/* "T0000001,invalid,,,1,0\n": a barcode of 8, a result of 7, a lab and a time */
#define MIN_ROW_BYTES 24
/* The page cache while the rows are written (store_spill_early): their pages go to the WAL
 * on the writer thread as the cache fills, not all at the commit, after the follow-up. */
#define RESULTS_SPILL_KIB 1024
/* Rows of a batch: the batches left after the last row is parsed (the one being written
 * and the last) are written before the follow-up, on the import's critical path; with the
 * checks held off (store_results_checked_hold) a batch costs little more than its rows. */
#define RESULTS_BATCH 1024
#define RESERVED_MAX ((size_t)1 << 20) /* tubes reserved at most (80 MiB), then grown */

static const import_column result_cols[] = {
    {"tube", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"result", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"ct_orf1ab", IMPORT_COL_IN},
    {"ct_n", IMPORT_COL_IN},
    {"lab", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"time", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
};
enum { RS_TUBE, RS_RESULT, RS_ORF1AB, RS_N, RS_LAB, RS_TIME };

typedef struct rtube {
    received_tube t;    /* t.size 1: a single tube (its negative releases holds) */
    size_t row;     /* the file row that gave it a result, 0 none */
} rtube;

typedef struct results_state {
    bool bulk, loaded;
    int64_t now;
    u64map tubes;   /* hash of barcode -> index + 1 (multimap), once hashed */
    bool hashed;    /* tubes holds every tv entry (built at the first row out of order) */
    rtube *tv;      /* while streaming: the reader thread appends (never moved) */
    size_t tn, tcap;
    size_t next;    /* the tv entry after the last one found: the next row's, in order */
    /* the tubes read on a thread of their own (begin_reader, start_tubes), the parser
     * taking each as it is published: tv[0 .. published) are the parser's to read */
    bool streaming;         /* the reader thread runs or is not yet joined */
    pthread_t reader_th;
    bulk_reader *reader;
    pthread_mutex_t mu;
    pthread_cond_t more;
    pthread_cond_t unit;    /* the reader, prepared, waits on it for go or cancelled */
    bool go, cancelled;     /* under mu: the unit began (read now), the import ended */
    _Atomic size_t published; /* written under mu */
    bool finished;          /* under mu: the read returned (treader its result) */
    int treader;
    fk_err terr;
    rtube *extra;           /* read past tcap (tv must not move while streaming) */
    size_t nextra, capextra;
    lab_rec *labs;
    size_t nlabs;
    const char *by;      /* the reporter of every row: the importing actor */
    size_t ngood;        /* good rows parsed */
    checked_result *follow; /* the good rows the follow-up acts on, their ids set */
    size_t nfollow, capfollow;
    /* the writer thread's (read after the writer is idle) */
    checked_result *scratch; /* the batch being written */
    size_t capscratch;
    int64_t first_id, last_id; /* the smallest and largest written ids (0 before any) */
    size_t nwritten;
    store *mapped;       /* the handle whose reads are mapped (received_tubes), or NULL */
    store *spilling;     /* the handle whose page cache is small while the rows are written */
    store *held;         /* the handle holding its checks off for the batches, or NULL */
    store *later;        /* the handle whose commit leaves the WAL's copy, or NULL */
    char last_time[32];  /* the last good row's time as written ("" none) and its instant */
    int64_t last_at;
} results_state;

/* Room for `need` items; FK_EBUSY naming the import's lookups when out of memory. */
static int grow(void **arr, size_t *cap, size_t need, size_t size, fk_err *err)
{
    if (fk_try_grow(arr, cap, need, size) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory for the import's lookups");
    return 0;
}

static int add_tube(void *ctx, const received_tube *t)
{
    results_state *s = ctx;
    if (grow((void **)&s->tv, &s->tcap, s->tn + 1, sizeof *s->tv, NULL) != 0)
        return -1;
    s->tv[s->tn++] = (rtube){*t, 0};
    return s->hashed ? u64map_put(&s->tubes, u64_hash_str(t->barcode), s->tn, NULL) : 0;
}

/* Publish tv[0 .. tn) to the parser. */
static void publish(results_state *s, bool finished, int rc)
{
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->published, s->tn);
    if (finished)
        s->finished = true, s->treader = rc;
    pthread_cond_broadcast(&s->more);
    pthread_mutex_unlock(&s->mu);
}

/* On the reader thread: into tv while it has room (published every 256 tubes), past it
 * into extra, which the parser joins to tv once the thread is done. */
static int add_streamed(void *ctx, const received_tube *t)
{
    results_state *s = ctx;
    if (s->tn < s->tcap) {
        s->tv[s->tn++] = (rtube){*t, 0};
        if ((s->tn & 255) == 0)
            publish(s, false, 0);
        return 0;
    }
    if (grow((void **)&s->extra, &s->capextra, s->nextra + 1, sizeof *s->extra, &s->terr))
        return -1;
    s->extra[s->nextra++] = (rtube){*t, 0};
    return 0;
}

/* The reader thread: its connection opened and its statements compiled before the
 * import's unit begins, the read itself once the unit has begun (go). */
static void *read_tubes(void *arg)
{
    results_state *s = arg;
    int rc = store_bulk_reader_prepare(s->reader, &s->terr);
    pthread_mutex_lock(&s->mu);
    while (rc == 0 && !s->go && !s->cancelled)
        pthread_cond_wait(&s->unit, &s->mu);
    bool go = s->go;
    pthread_mutex_unlock(&s->mu);
    if (rc == 0)
        rc = go ? store_bulk_reader_received_tubes(s->reader, add_streamed, s, &s->terr)
                : fk_fail(&s->terr, FK_EINTERNAL, "", "the tubes' read was not wanted");
    publish(s, true, rc);
    return NULL;
}

/* The reader's mutex and conditions, and the reader, freed (its thread joined or never
 * started). */
static void reader_free(results_state *s)
{
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->more);
    pthread_cond_destroy(&s->unit);
    store_bulk_reader_close(s->reader);
    s->reader = NULL;
}

/* Tell the reader thread the unit began (go) or that no read is wanted. */
static void reader_signal(results_state *s, bool go)
{
    pthread_mutex_lock(&s->mu);
    if (go)
        s->go = true;
    else
        s->cancelled = true;
    pthread_cond_signal(&s->unit);
    pthread_mutex_unlock(&s->mu);
}

/* The entries the parser may read now, waiting until there are more than `i` or the
 * read is done. */
static size_t tubes_have(results_state *s, size_t i)
{
    size_t n = atomic_load(&s->published);
    if (n > i)
        return n;
    pthread_mutex_lock(&s->mu);
    while ((n = atomic_load(&s->published)) <= i && !s->finished)
        pthread_cond_wait(&s->more, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Every tube read: the reader thread joined, its extra entries joined to tv. */
static int tubes_all(results_state *s, fk_err *err)
{
    if (!s->streaming)
        return 0;
    reader_signal(s, false); /* an import that ends before its first row */
    pthread_join(s->reader_th, NULL);
    s->streaming = false;
    reader_free(s);
    if (s->treader) {
        if (err)
            *err = s->terr;
        return -1;
    }
    if (!s->nextra)
        return 0;
    if (grow((void **)&s->tv, &s->tcap, s->tn + s->nextra, sizeof *s->tv, err))
        return -1;
    memcpy(s->tv + s->tn, s->extra, s->nextra * sizeof *s->extra);
    s->tn += s->nextra;
    s->nextra = 0;
    return 0;
}

/* The map of every tube read so far, built once: at the first row that does not name
 * the tube after the last one found. */
static int hash_tubes(results_state *s, fk_err *err)
{
    if (u64map_reserve(&s->tubes, s->tn, err) != 0)
        return -1;
    for (size_t i = 0; i < s->tn; i++)
        if (u64map_put(&s->tubes, u64_hash_str(s->tv[i].t.barcode), i + 1, err) != 0)
            return -1;
    s->hashed = true;
    return 0;
}

/* The reader thread started before the import's unit begins: it opens its connection and
 * compiles its read (the schema's parse, about 2 ms), then waits for start_tubes to say
 * the unit began. Started at the first row, the thread made the parser wait for that
 * parse; over eight imports of bench/testing's store (each beside one of the code
 * before) the parser waited 1.8-9.7 ms in all for tubes instead of 0.4-11.5, the phase
 * of the three threads took 34 ms instead of 40 (medians), the whole import within the
 * machine's noise. Without a connection or a thread of its own the tubes are read at the
 * first row on the import's handle. */
static void begin_reader(import_ctx *cx, results_state *s)
{
    fk_err e;
    if (!(s->reader = store_bulk_reader_open(import_ctx_store(cx), &e)))
        return;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->more, NULL);
    pthread_cond_init(&s->unit, NULL);
    if (pthread_create(&s->reader_th, NULL, read_tubes, s) == 0)
        s->streaming = true;
    else
        reader_free(s);
}

/* The tubes' array, reserved with malloc, not fk_try_grow: from 8 MiB that advises
 * transparent huge pages (alloc.c), and this array is written once, by the reader
 * thread, in an import's short life. perf of a city's round (48,506 tubes, a 9 MiB
 * reservation) put 14% of the import's CPU samples in faulting its first pages in, most
 * of them zeroing whole 2 MiB pages; in 4 KiB pages the import's CPU was lower in eight
 * pairs of eight (by 1-56 ms, median 18; 92 ms against 102, bench/testing's store), for
 * 3,367 page faults instead of about 2,650. */
static int reserve_tubes(results_state *s, size_t n, fk_err *err)
{
    if (!(s->tv = malloc(n * sizeof *s->tv)))
        return fk_fail(err, FK_EBUSY, "", "out of memory for the import's lookups");
    s->tcap = n;
    return 0;
}

static int results_begin(import_ctx *cx, void **state, fk_err *err)
{
    if (!import_ctx_policy(cx))
        return fk_fail(err, FK_EINVAL, "testing", "importing results needs the policy in force "
                       "(what follows a positive)");
    results_state *s = calloc(1, sizeof *s);
    if (!s)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    *state = s;
    s->now = fk_now();
    s->by = import_ctx_actor(cx)->username;
    s->bulk = import_ctx_file_bytes(cx) >= IMPORT_BULK_BYTES;
    /* room for a tube a row at the least bytes a row takes, reserved, not touched (a page
     * is faulted in when first written): growing by doubling copied and faulted the array
     * in again, 8% of the import's CPU (bench/testing) */
    size_t rows = (size_t)(import_ctx_file_bytes(cx) / MIN_ROW_BYTES);
    if (!s->bulk)
        return 0;
    if (reserve_tubes(s, rows < RESERVED_MAX ? rows : RESERVED_MAX, err) != 0)
        return -1;
    begin_reader(cx, s);
    return 0;
}

/* Reads through read() again, when received_tubes mapped them. */
static int unmap(results_state *s, fk_err *err)
{
    store *st = s->mapped;
    s->mapped = NULL;
    return st ? store_unmap_reads(st, err) : 0;
}

/* The handle's usual page cache again (before the follow-up, which reads much), and its
 * checks on again (the follow-up writes through them). The rows' pages spilled to the WAL
 * go to the disk while the follow-up works (store_wal_write_early). */
static int unspill(results_state *s, fk_err *err)
{
    store *st = s->spilling, *held = s->held;
    s->spilling = s->held = NULL;
    if (st)
        store_wal_write_early(st);
    fk_err e;
    int rc = held ? store_results_checked_hold(held, false, err) : 0;
    if (st && store_spill_early(st, 0, rc ? &e : err) != 0)
        rc = -1;
    return rc;
}

static void results_end(void *state)
{
    results_state *s = state;
    if (!s)
        return;
    tubes_all(s, NULL); /* a refused file: the reader thread may still run */
    unmap(s, NULL);
    unspill(s, NULL);
    fk_err e;
    if (s->later && store_checkpoint_later(s->later, false, &e) != 0)
        log_warn("import", "the store's checkpoints were not given back: %s", e.message);
    u64map_free(&s->tubes);
    free(s->tv);
    free(s->extra);
    free(s->labs);
    free(s->scratch);
    free(s->follow);
    free(s);
}

/* ---- lookups ----------------------------------------------------------------------------- */

/* Why a tube the memory does not hold takes no first result (a bad row: 1 with *bad),
 * or its entry when it does (0). -1 on a store failure. */
static int tube_from_store(import_ctx *cx, results_state *s, const char *barcode, rtube **out,
                           fk_err *bad, fk_err *err)
{
    store *st = import_ctx_quiet_store(cx, err);
    if (!st)
        return -1;
    tube_probe p;
    int found = store_bulk_tube_probe(st, barcode, &p, err);
    if (found < 0)
        return -1;
    if (!found || !role_in_jurisdiction(import_ctx_actor(cx)->area_code, p.t.site_area))
        return fk_fail(bad, FK_EREF, "tube", "tube: %s was never issued", barcode), 1;
    if (strcmp(p.box_state, "received") != 0)
        return fk_fail(bad, FK_ECONFLICT, "tube", "tube: %s has not been received by a lab%s%s",
                       barcode, p.box_state[0] ? ": its box is " : "", p.box_state), 1;
    if (p.last_result[0])
        return fk_fail(bad, FK_ECONFLICT, "tube", "tube: %s has a result (%s): a correction "
                       "goes through the API, with a reason", barcode, p.last_result), 1;
    if (add_tube(s, &p.t) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    *out = &s->tv[s->tn - 1];
    return 0;
}

/* The tube in memory at index i, found for this row. */
static int found(import_ctx *cx, results_state *s, size_t i, const char *barcode, rtube **out,
                 fk_err *bad)
{
    *out = &s->tv[i];
    s->next = i + 1;
    if (!role_in_jurisdiction(import_ctx_actor(cx)->area_code, (*out)->t.site_area))
        return fk_fail(bad, FK_EREF, "tube", "tube: %s was never issued", barcode), 1;
    return 0;
}

/* A lab's file lists its tubes in the order it received them, the order they are read
 * (boxes, then each box's packing): a row naming the tube after the last one found is
 * found without hashing; the first row out of that order hashes every tube once, and
 * each later row is looked up in the map (the hashing and the map's cache misses were
 * 7% of a city's import, bench/testing). */
static int find_tube(import_ctx *cx, results_state *s, const char *barcode, rtube **out,
                     fk_err *bad, fk_err *err)
{
    size_t have = s->streaming ? tubes_have(s, s->next) : s->tn;
    if (s->next < have && !strcmp(s->tv[s->next].t.barcode, barcode))
        return found(cx, s, s->next, barcode, out, bad);
    if (tubes_all(s, err) != 0)
        return -1;
    if (!s->hashed && hash_tubes(s, err) != 0)
        return -1;
    uint64_t h = u64_hash_str(barcode), v;
    size_t pos = 0;
    while ((v = u64map_next(&s->tubes, h, &pos)))
        if (!strcmp(s->tv[v - 1].t.barcode, barcode))
            return found(cx, s, v - 1, barcode, out, bad);
    return tube_from_store(cx, s, barcode, out, bad, err);
}

/* The lab of an id (cached): 0, 1 unknown, -1 failure. */
static int find_lab(import_ctx *cx, results_state *s, int64_t id, const lab_rec **out,
                    fk_err *err)
{
    for (size_t i = 0; i < s->nlabs; i++)
        if (s->labs[i].id == id)
            return *out = &s->labs[i], 0;
    lab_rec l;
    store *st = import_ctx_quiet_store(cx, err);
    if (!st)
        return -1;
    if (store_lab_get(st, id, &l, err) != 0)
        return err->code == FK_ENOTFOUND || err->code == FK_EREF ? 1 : -1;
    lab_rec *p = realloc(s->labs, (s->nlabs + 1) * sizeof *p);
    if (!p)
        return fk_fail(err, FK_EBUSY, "", "out of memory");
    s->labs = p;
    p[s->nlabs] = l;
    *out = &p[s->nlabs++];
    return 0;
}

/* Every tube that may take a first result, read once, on a thread of its own with a
 * connection of its own (store_bulk_reader_*: inside this unit it sees what the unit's
 * reads would), while the parser takes each tube as it is published: the read (48,506
 * tubes of a city's round, about 45 ms) no longer runs before the first row is parsed,
 * and the writer writes the first batches meanwhile (bench/testing). The thread was
 * started by begin_reader and is told here, at the first row, inside the unit, to read.
 * Without a thread the tubes are read here, on the import's handle. This handle's reads
 * go through a memory map either way (the follow-up reads the same tubes again); the
 * map ends with the import (results_finish, or results_end for a refused file, the
 * writer idle either way): the handle may be a server worker's. */
static int start_tubes(import_ctx *cx, results_state *s, fk_err *err)
{
    if (s->streaming)
        reader_signal(s, true);
    store *st = import_ctx_quiet_store(cx, err);
    if (!st || store_map_reads(st, err) != 0)
        return -1;
    s->mapped = st;
    if (store_spill_early(st, RESULTS_SPILL_KIB, err) != 0)
        return -1;
    s->spilling = st;
    /* the commit syncs the WAL and leaves its copy into the database to the server's
     * checkpointer, or to the close, as the scans import's does (store_checkpoint_later):
     * a results import after a city's scans crossed SQLite's automatic checkpoint at the
     * commit whenever the server had not copied the scans' 10,141 pages yet, and copied
     * and synced them all itself (about 0.1 s more: half of bench/testing's runs) */
    if (store_checkpoint_later(st, true, err) != 0)
        return -1;
    s->later = st;
    return s->streaming ? 0 : store_bulk_received_tubes(st, add_tube, s, err);
}

/* ---- one row ------------------------------------------------------------------------------ */

static int ct_field(bool *has, double *ct, const char *v, const char *col, fk_err *bad)
{
    *has = v[0] != '\0';
    return *has ? import_field_number(ct, v, -1e9, 1e9, col, bad) : 0;
}

/* The row's time: the last row's instant when written as it was (a lab reports a run of
 * tubes at one time: parsing each was a sixth of the parse thread, bench/testing). */
static int row_time(results_state *s, const char *v, int64_t *at, fk_err *bad)
{
    if (s->last_time[0] && !strcmp(v, s->last_time))
        return *at = s->last_at, 0;
    if (import_field_instant(at, v, "time", bad) != 0)
        return -1;
    if (strlen(v) < sizeof s->last_time) {
        strcpy(s->last_time, v);
        s->last_at = *at;
    }
    return 0;
}

/* Format of the row into *r (tube, result, Ct, lab, time) and *barcode. */
static int row_format(results_state *s, const char *const *v, checked_result *r,
                      char barcode[24], fk_err *bad)
{
    bool ho = false, hn = false;
    if (import_field_required(barcode, 24, v[RS_TUBE], "tube", bad) ||
        tube_barcode_check(barcode, "tube", bad) ||
        import_field_text(r->result, sizeof r->result, v[RS_RESULT], "result", bad) ||
        ct_field(&ho, &r->ct_orf1ab, v[RS_ORF1AB], "ct_orf1ab", bad) ||
        ct_field(&hn, &r->ct_n, v[RS_N], "ct_n", bad))
        return -1;
    result_input in = {barcode, r->result, ho, hn, r->ct_orf1ab, r->ct_n};
    if (sample_result_check(&in, NULL, bad) != 0 ||
        import_field_id(&r->lab_id, v[RS_LAB], "lab", bad) != 0 ||
        row_time(s, v[RS_TIME], &r->reported_at, bad) != 0)
        return -1;
    r->has_ct = ho && hn;
    return 0;
}

/* A good row the follow-up acts on (not negative, or a single tube's: exactly
 * store_results_to_follow's rows of first results) is kept whole, with its id. */
static int keep_to_follow(results_state *s, const checked_result *r, const rtube *t,
                          fk_err *err)
{
    if (!strcmp(r->result, "negative") && t->t.size != 1)
        return 0;
    if (grow((void **)&s->follow, &s->capfollow, s->nfollow + 1, sizeof *s->follow, err) != 0)
        return -1;
    s->follow[s->nfollow] = *r;
    s->follow[s->nfollow++].id = store_first_result_id(r->tube_id);
    return 0;
}

static int result_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                        fk_err *err)
{
    results_state *s = import_ctx_state(cx);
    checked_result *r = rec;
    char barcode[24];
    rtube *t = NULL;
    const lab_rec *lab = NULL;
    if (!s->loaded && s->bulk && start_tubes(cx, s, err) != 0)
        return -1;
    s->loaded = true;
    if (row_format(s, v, r, barcode, bad) != 0)
        return 1;
    int rc = find_tube(cx, s, barcode, &t, bad, err);
    if (rc)
        return rc;
    if (t->row)
        return fk_fail(bad, FK_ECONFLICT, "tube", "tube: %s has a result in row %zu of the "
                       "file already", barcode, t->row), 1;
    if ((rc = find_lab(cx, s, r->lab_id, &lab, err)) != 0)
        return rc < 0 ? -1 : (fk_fail(bad, FK_EREF, "lab", "lab: no lab %lld",
                                      (long long)r->lab_id), 1);
    if (r->lab_id != t->t.lab_id)
        return fk_fail(bad, FK_ECONFLICT, "lab", "lab: tube %s was received by lab %lld, not "
                       "%lld (%s)", barcode, (long long)t->t.lab_id, (long long)r->lab_id,
                       lab->name), 1;
    if (r->reported_at > s->now + CLOCK_SKEW_S)
        return fk_fail(bad, FK_EINVAL, "time", "time: in the future"), 1;
    if (r->reported_at < t->t.received_at) {
        char when[21];
        fk_instant_format(t->t.received_at, when);
        return fk_fail(bad, FK_EINVAL, "time", "time: before the tube was received (%s)",
                       when), 1;
    }
    r->tube_id = t->t.tube_id;
    if (keep_to_follow(s, r, t, err) != 0)
        return -1;
    s->ngood++;
    t->row = import_ctx_row(cx);
    return 0;
}

/* Written in file order (on the writer thread): the range of their ids kept. */
static int results_insert_many(import_ctx *cx, const void *recs, size_t n, fk_err *err)
{
    results_state *s = import_ctx_state(cx);
    store *st = import_ctx_store(cx);
    if (grow((void **)&s->scratch, &s->capscratch, n, sizeof *s->scratch, err) != 0)
        return -1;
    memcpy(s->scratch, recs, n * sizeof *s->scratch);
    /* the checks held off from the first batch to the follow-up (unspill) */
    if (!s->held) {
        if (store_results_checked_hold(st, true, err) != 0)
            return -1;
        s->held = st;
    }
    /* checked in this unit by result_parse, against the tubes read in it (the store's
     * contract for unchecked writes: store_testing_bulk.h) */
    if (store_results_add_checked(st, s->scratch, n, s->by, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int64_t id = s->scratch[i].id;
        if (!s->first_id || id < s->first_id)
            s->first_id = id;
        if (id > s->last_id)
            s->last_id = id;
    }
    s->nwritten += n;
    return 0;
}

static int result_insert(import_ctx *cx, void *rec, fk_err *err)
{
    return results_insert_many(cx, rec, 1, err);
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const checked_result *)a)->id, y = ((const checked_result *)b)->id;
    return (x > y) - (x < y);
}

/* What follows the new results, once, as for the API's (a positive's consequences). The
 * written rows are the good rows; the kept ones go in id order (a file need not be in
 * the tubes' order). */
static int follow_up(import_ctx *cx, results_state *s, fk_err *err)
{
    if (!s->nwritten)
        return 0;
    if (s->nwritten != s->ngood)
        return fk_fail(err, FK_EINTERNAL, "", "results import: %zu rows written, %zu parsed "
                       "good", s->nwritten, s->ngood);
    if (s->nfollow)
        qsort(s->follow, s->nfollow, sizeof *s->follow, by_id);
    return sample_first_results_followed_up(import_ctx_store(cx), import_ctx_policy(cx),
                                            import_ctx_actor(cx), s->first_id, s->last_id,
                                            s->follow, s->nfollow, err);
}

static int results_finish(import_ctx *cx, fk_err *err)
{
    results_state *s = import_ctx_state(cx);
    int rc = unspill(s, err) != 0 ? -1 : follow_up(cx, s, err);
    return unmap(s, rc ? NULL : err) != 0 || rc ? -1 : 0;
}

const import_kind import_kind_results = {
    .name = "results", .entity = "tube_result", .perm = PERM_LAB, .cols = result_cols,
    .ncols = sizeof result_cols / sizeof result_cols[0], .rec_size = sizeof(checked_result),
    .parse = result_parse, .key = import_key_none, .key_field = "", .insert = result_insert,
    .one_pass = true, .insert_many = results_insert_many, .begin = results_begin,
    .finish = results_finish, .end = results_end, .batch = RESULTS_BATCH};
