/*
 * store_sqlite_testing_bulk.c - the bulk section (store_testing_bulk.h) on SQLite.
 *
 * Readers: statements stepped to the end inside one read snapshot, each row handed to the
 * callback (one statement each; the received tubes: the boxes, their tubes, each box's
 * results; a box taken as done is left out); store_bulk_tube_probe, one statement
 * prepared once a connection. Writes: store_scans_add prepares its statements once per
 * call (a batch of thousands), inserts the members with the connection's triggers and
 * foreign-key checks off and checks the batch set-based (see "scans" below), without a
 * savepoint: the caller's transaction, or the call's own unit, is what a failure rolls
 * back. Thread safety: the connection's, as store.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "store/store_sqlite_int.h"

typedef int (*row_visit)(sqlite3_stmt *q, void *fn, void *ctx);

/* Step `sql` (binds b) to the end, visiting each row; a visit's non-zero stops. */
static int step_rows(struct sq_store *s, const char *sql, const sq_binds *b, row_visit visit,
                     void *fn, void *ctx, fk_err *err)
{
    sqlite3_stmt *q = sq_prepare_bound(s, sql, b, err);
    int rc = q ? SQLITE_OK : SQLITE_ERROR, stop = 0;
    while (q && !stop && (rc = sqlite3_step(q)) == SQLITE_ROW)
        stop = visit(q, fn, ctx);
    if (q && !stop && rc != SQLITE_DONE)
        stop = sq_dberr(s, rc, err);
    sqlite3_finalize(q);
    return q ? stop : -1;
}

/* step_rows inside one read snapshot. */
static int each_row(struct sq_store *s, const char *sql, const sq_binds *b, row_visit visit,
                    void *fn, void *ctx, fk_err *err)
{
    int began = 0;
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    int stop = step_rows(s, sql, b, visit, fn, ctx, err);
    sq_read_end(s, began);
    return stop;
}

static int visit_resident(sqlite3_stmt *q, void *fn, void *ctx)
{
    return ((bulk_person_fn)fn)(ctx, sqlite3_column_int64(q, 0),
                                (const char *)sqlite3_column_text(q, 1),
                                (const char *)sqlite3_column_text(q, 2));
}

static int sq_bulk_residents(store *st, bulk_person_fn fn, void *ctx, fk_err *err)
{
    sq_binds b = {0};
    /* NOT INDEXED: through the (id_type, id_number) index every row is a random seek
     * (7.9 s for 1,000,000 persons on the bench machine); the table in order, 0.5 s */
    return each_row(SQ(st), "SELECT id, id_number, coalesce(community_code, '') FROM persons "
                    "NOT INDEXED WHERE id_type = 'resident' AND length(id_number) = 18", &b,
                    visit_resident, (void *)fn, ctx, err);
}

static int visit_tube(sqlite3_stmt *q, void *fn, void *ctx)
{
    tube_rec t;
    memset(&t, 0, sizeof t);
    t.id = sqlite3_column_int64(q, 0);
    sq_col_text(t.barcode, sizeof t.barcode, q, 1);
    t.round_id = sqlite3_column_int64(q, 2);
    t.site_id = sqlite3_column_int64(q, 3);
    t.size = sqlite3_column_int(q, 4);
    sq_col_text(t.state, sizeof t.state, q, 5);
    t.n_members = sqlite3_column_int(q, 6);
    return ((bulk_tube_fn)fn)(ctx, &t);
}

static int sq_bulk_open_round_tubes(store *st, bulk_tube_fn fn, void *ctx, fk_err *err)
{
    sq_binds b = {0};
    return each_row(SQ(st), "SELECT t.id, t.barcode, t.round_id, t.site_id, t.size, t.state, "
                    "t.n_members FROM testing_rounds r JOIN tubes t ON t.round_id = r.id "
                    "WHERE r.state = 'open'", &b, visit_tube, (void *)fn, ctx, err);
}

static int visit_round(sqlite3_stmt *q, void *fn, void *ctx)
{
    round_rec r;
    memset(&r, 0, sizeof r);
    r.id = sqlite3_column_int64(q, 0);
    sq_col_text(r.name, sizeof r.name, q, 1);
    sq_col_text(r.area_code, sizeof r.area_code, q, 2);
    r.starts_at = sqlite3_column_int64(q, 3);
    r.ends_at = sqlite3_column_int64(q, 4);
    sq_col_text(r.state, sizeof r.state, q, 5);
    sq_col_text(r.created_by, sizeof r.created_by, q, 6);
    r.created_at = sqlite3_column_int64(q, 7);
    sq_col_text(r.kind, sizeof r.kind, q, 8);
    r.parent_id = sqlite3_column_int64(q, 9);
    return ((bulk_round_fn)fn)(ctx, &r);
}

static int sq_bulk_open_rounds(store *st, bulk_round_fn fn, void *ctx, fk_err *err)
{
    sq_binds b = {0};
    return each_row(SQ(st), "SELECT id, name, area_code, starts_at, ends_at, state, created_by, "
                    "created_at, kind, coalesce(parent_id, 0) FROM testing_rounds "
                    "WHERE state = 'open'", &b, visit_round, (void *)fn, ctx, err);
}

/* The persons of a chunk row (chunk, slots) whose slot is taken. */
static int visit_chunk(sqlite3_stmt *q, void *fn, void *ctx)
{
    int64_t chunk = sqlite3_column_int64(q, 0);
    const unsigned char *p = sqlite3_column_blob(q, 1);
    int n = sqlite3_column_bytes(q, 1) / SQ_SLOT_WIDTH, stop = 0;
    for (int i = 0; i < n && !stop; i++, p += SQ_SLOT_WIDTH)
        if (p[0] | p[1] | p[2] | p[3] | p[4])
            stop = ((bulk_id_fn)fn)(ctx, chunk * 1024 + i);
    return stop;
}

static int sq_bulk_round_members(store *st, int64_t round_id, bulk_id_fn fn, void *ctx,
                                 fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, round_id);
    /* the round's chunks of person slots (migration 0035): a few thousand rows */
    return each_row(SQ(st), "SELECT chunk, slots FROM round_slots WHERE round_id = ?1", &b,
                    visit_chunk, (void *)fn, ctx, err);
}

static int visit_flags(sqlite3_stmt *q, void *fn, void *ctx)
{
    return ((bulk_flags_fn)fn)(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int(q, 1),
                               sqlite3_column_int(q, 2));
}

static int sq_bulk_testing_flags(store *st, bulk_flags_fn fn, void *ctx, fk_err *err)
{
    sq_binds b = {0};
    /* the same conditions as store_person_testing_flags, for every person at once, read
     * through the partial indexes of the current rows (an open lead has a due time: the
     * leads' CHECK): SQLite planned a walk of every lead and every isolation a city ever
     * had, 410 M instructions with 500,000 closed leads and 100,000 ended isolations
     * beside 2,000 open ones, 22 M this way */
    return each_row(SQ(st), "SELECT person_id, max(iso), max(con) FROM ("
                    "SELECT person_id, 1 AS iso, 0 AS con FROM isolations INDEXED BY "
                    "isolations_person_active WHERE state = 'active' UNION ALL SELECT "
                    "person_id, 0, 1 FROM leads INDEXED BY leads_due WHERE due_at IS NOT NULL "
                    "AND kind IN ('close_contact', 'secondary_contact') AND person_id IS NOT "
                    "NULL) GROUP BY person_id", &b, visit_flags, (void *)fn, ctx, err);
}

/* A received box whose first and last packed tubes both have a result is taken as done:
 * a box stays 'received' for good, and reading every tube of a city's earlier rounds at
 * each import grew the read with the store's history (48,506 tubes a round of a city of
 * 1,000,000, about 25 ms). A tube of such a box still without a result (a lab that
 * reported the ends of a box but not its middle) is not read: the import looks it up
 * alone (store_bulk_tube_probe), correct and a little slower. Two seeks a box, in
 * RECEIVED_TUBES only: a settled box listed by RECEIVED_BOXES just has no tube read. */
#define BOX_SETTLED(b)                                                                        \
    "(EXISTS (SELECT 1 FROM fk_results r WHERE r.id = " SQ_FIRST_RESULT("SELECT x.tube_id "   \
    "FROM box_tubes x WHERE x.box_id = " b ".id ORDER BY x.id LIMIT 1") ") AND EXISTS "      \
    "(SELECT 1 FROM fk_results r WHERE r.id = " SQ_FIRST_RESULT("SELECT x.tube_id FROM "     \
    "box_tubes x WHERE x.box_id = " b ".id ORDER BY x.id DESC LIMIT 1") "))"

/* The received boxes, by id, with their sites (id, area): read before the tubes in the
 * same snapshot, so that a tube's row carries only its box's id and its site's. The
 * box's columns returned with every tube, and its site re-read for every tube from a
 * materialized copy of the boxes (a result row invalidates every cursor's parsed
 * record), cost a fifth of the tubes' read (163 M -> 133 M instructions for 48,506
 * tubes, callgrind, bench/testing's store). */
#define RECEIVED_BOXES                                                                        \
    "SELECT b.id, b.lab_id, b.received_at, s.id, s.area_code FROM sample_boxes b CROSS "     \
    "JOIN sampling_sites s WHERE b.state = 'received' AND s.id = b.site_id ORDER BY b.id"

typedef struct rbox {
    int64_t id, lab_id, received_at, site_id;
    char area[sizeof ((received_tube *)0)->site_area];
} rbox;

/* A walk over RECEIVED_BOXES, then RECEIVED_TUBES' rows: t carries its box's columns from
 * row to row; a box's tubes wait in `pend` until its last one is read (flush_box). */
typedef struct received_walk {
    void *ctx;
    received_tube t;
    int64_t box;     /* the box of t's columns (ids start at 1) */
    int64_t site;    /* that box's site, 0 when the box has none (its tubes not read) */
    rbox *boxes;     /* RECEIVED_BOXES' rows, by id */
    size_t nboxes, capboxes;
    received_tube *pend; /* the box's tubes read so far */
    size_t npend, cappend;
    int64_t *had;    /* the ids of pend's tubes with a result, ascending */
    size_t nhad, caphad;
    sqlite3 *db;
    struct sq_store *s;  /* the store's connection, or NULL: the reader's own (db) */
    sqlite3_stmt *q[2];  /* RESULTED_RANGE, RESULTED_ONE, prepared at the first box */
    fk_err *err;
} received_walk;

static int visit_box(sqlite3_stmt *q, void *fn, void *walk)
{
    (void)fn;
    received_walk *w = walk;
    if (fk_try_grow((void **)&w->boxes, &w->capboxes, w->nboxes + 1, sizeof *w->boxes) != 0)
        return fk_fail(w->err, FK_EBUSY, "", "out of memory for the received boxes");
    rbox *b = &w->boxes[w->nboxes++];
    b->id = sqlite3_column_int64(q, 0);
    b->lab_id = sqlite3_column_int64(q, 1);
    b->received_at = sqlite3_column_int64(q, 2);
    b->site_id = sqlite3_column_int64(q, 3);
    sq_col_text(b->area, sizeof b->area, q, 4);
    return 0;
}

/* t's box columns from box `id`'s RECEIVED_BOXES row, found by bisection. */
static void box_columns(received_walk *w, int64_t id)
{
    size_t lo = 0, hi = w->nboxes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->boxes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    w->box = id;
    w->site = lo < w->nboxes && w->boxes[lo].id == id ? w->boxes[lo].site_id : 0;
    if (!w->site)
        return;
    w->t.lab_id = w->boxes[lo].lab_id;
    w->t.received_at = w->boxes[lo].received_at;
    memcpy(w->t.site_area, w->boxes[lo].area, sizeof w->t.site_area);
}

/* The tubes with a result among a box's: its tubes' ids are a short run (issued together),
 * so one read of the results in that run answers for the box (most boxes have none),
 * where a probe for each tube was a fifth of the walk's instructions (callgrind,
 * bench/testing's store); a box whose ids spread wide is probed tube by tube. */
enum { RESULTED_RANGE, RESULTED_ONE };
static const char *const resulted_sql[2] = {
    "SELECT tube_id FROM fk_results WHERE id BETWEEN " SQ_FIRST_RESULT("?1") " AND "
    SQ_FIRST_RESULT("?2") " + 127",
    "SELECT tube_id FROM fk_results WHERE id = " SQ_FIRST_RESULT("?1"),
};

static int reader_failed(sqlite3 *db, int rc, fk_err *err)
{
    return fk_fail(err, FK_EIO, "", "reading the received tubes: %s",
                   db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static int walk_failed(received_walk *w, int rc)
{
    if (rc == SQLITE_NOMEM)
        return fk_fail(w->err, FK_EBUSY, "", "out of memory for the received tubes");
    return w->s ? sq_dberr(w->s, rc, w->err) : reader_failed(w->db, rc, w->err);
}

/* Step q (bound) to the end, each row's first column into w->had; SQLite's code. */
static int resulted_rows(received_walk *w, sqlite3_stmt *q)
{
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (fk_try_grow((void **)&w->had, &w->caphad, w->nhad + 1, sizeof *w->had) != 0)
            return SQLITE_NOMEM;
        w->had[w->nhad++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_reset(q);
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool had_result(const received_walk *w, int64_t id)
{
    return w->nhad && bsearch(&id, w->had, w->nhad, sizeof *w->had, cmp_id);
}

/* The results among pend's tubes into had (ascending); SQLite's code, SQLITE_DONE. */
static int box_resulted(received_walk *w)
{
    int64_t lo = w->pend[0].tube_id, hi = lo;
    for (size_t i = 1; i < w->npend; i++) {
        lo = w->pend[i].tube_id < lo ? w->pend[i].tube_id : lo;
        hi = w->pend[i].tube_id > hi ? w->pend[i].tube_id : hi;
    }
    w->nhad = 0;
    if ((uint64_t)(hi - lo) <= 4 * (uint64_t)w->npend + 64) {
        sqlite3_bind_int64(w->q[RESULTED_RANGE], 1, lo);
        sqlite3_bind_int64(w->q[RESULTED_RANGE], 2, hi);
        return resulted_rows(w, w->q[RESULTED_RANGE]);
    }
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < w->npend && rc == SQLITE_DONE; i++) {
        sqlite3_bind_int64(w->q[RESULTED_ONE], 1, w->pend[i].tube_id);
        rc = resulted_rows(w, w->q[RESULTED_ONE]);
    }
    qsort(w->had, w->nhad, sizeof *w->had, cmp_id);
    return rc;
}

/* The box's tubes without a result, handed on in packing order. */
static int flush_box(received_walk *w, bulk_received_fn fn)
{
    if (!w->npend)
        return 0;
    int rc = SQLITE_OK;
    for (int i = 0; i < 2 && rc == SQLITE_OK; i++)
        if (!w->q[i])
            rc = sqlite3_prepare_v2(w->db, resulted_sql[i], -1, &w->q[i], NULL);
    if (rc == SQLITE_OK)
        rc = box_resulted(w);
    if (rc != SQLITE_DONE)
        return walk_failed(w, rc);
    size_t n = w->npend;
    w->npend = 0;
    for (size_t i = 0; i < n; i++)
        if (!had_result(w, w->pend[i].tube_id) && fn(w->ctx, &w->pend[i]) != 0)
            return -1;
    return 0;
}

/* A tube of its box's site (box_tubes_guard), checked here too: a tube of another site
 * is not read and so is looked up one by one (import_results.c) with its own site. */
static int visit_received(sqlite3_stmt *q, void *fn, void *walk)
{
    received_walk *w = walk;
    int64_t b = sqlite3_column_int64(q, 3);
    if (b != w->box) {
        if (flush_box(w, (bulk_received_fn)fn) != 0)
            return -1;
        box_columns(w, b);
    }
    if (!w->site || sqlite3_column_int64(q, 4) != w->site)
        return 0;
    if (fk_try_grow((void **)&w->pend, &w->cappend, w->npend + 1, sizeof *w->pend) != 0)
        return fk_fail(w->err, FK_EBUSY, "", "out of memory for the received tubes");
    received_tube *t = &w->pend[w->npend++];
    *t = w->t;
    t->tube_id = sqlite3_column_int64(q, 0);
    sq_col_text(t->barcode, sizeof t->barcode, q, 1);
    t->size = sqlite3_column_int(q, 2);
    return 0;
}

/* Driven by the received boxes (a few per lab's day), each box's tubes in packing order
 * (box_tubes_box), the site checked by visit_received, the results by flush_box. CROSS
 * JOIN keeps that order (the planner scanned every box_tubes row, seeking its box and
 * site each; bench/testing). */
#define RECEIVED_TUBES                                                                        \
    "SELECT t.id, t.barcode, t.size, bt.box_id, t.site_id FROM sample_boxes b CROSS JOIN "   \
    "box_tubes bt CROSS JOIN tubes t WHERE b.state = 'received' AND NOT " BOX_SETTLED("b")    \
    " AND bt.box_id = b.id AND t.id = bt.tube_id"

static void walk_free(received_walk *w)
{
    for (int i = 0; i < 2; i++)
        sqlite3_finalize(w->q[i]);
    free(w->boxes);
    free(w->pend);
    free(w->had);
}

static int sq_bulk_received_tubes(store *st, bulk_received_fn fn, void *ctx, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    received_walk w = {.ctx = ctx, .err = err, .db = s->db, .s = s};
    int began = 0;
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    int stop = step_rows(s, RECEIVED_BOXES, &b, visit_box, NULL, &w, err);
    if (!stop)
        stop = step_rows(s, RECEIVED_TUBES, &b, visit_received, (void *)fn, &w, err);
    if (!stop)
        stop = flush_box(&w, fn);
    walk_free(&w);
    sq_read_end(s, began);
    return stop;
}

/* ---- the same read on a connection of its own (store_bulk_reader_*) ---------------------- */

struct bulk_reader {
    char *path;
    sqlite3 *db;             /* opened by the read, or before it by the prepare */
    sqlite3_stmt *q[2];      /* RECEIVED_BOXES, RECEIVED_TUBES, compiled by either */
};

static bulk_reader *sq_bulk_reader_open(store *st, fk_err *err)
{
    const char *path = sqlite3_db_filename(SQ(st)->db, "main");
    bulk_reader *r = path && path[0] ? calloc(1, sizeof *r) : NULL;
    if (r && !(r->path = strdup(path)))
        free(r), r = NULL;
    if (!r)
        fk_fail(err, FK_EIO, "", "no database file to read beside the store's connection");
    return r;
}

/* Read-only, its pages through a memory map (the walk's copies were a third of its CPU
 * through read()); compiling the two statements reads and parses the schema, which takes
 * no snapshot that outlives it. */
int store_bulk_reader_prepare(bulk_reader *r, fk_err *err)
{
    static const char *const sql[2] = {RECEIVED_BOXES, RECEIVED_TUBES};
    if (r->q[1])
        return 0;
    /* a connection without its statements: an earlier prepare failed */
    int rc = r->db ? SQLITE_ERROR
                   : sqlite3_open_v2(r->path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                     NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(r->db, "PRAGMA mmap_size=4294967296", NULL, NULL, NULL);
    if (rc == SQLITE_OK) /* the walk reads which tubes have a result through it */
        rc = sq_results_register(r->db);
    for (int i = 0; i < 2 && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v2(r->db, sql[i], -1, &r->q[i], NULL);
    return rc == SQLITE_OK ? 0 : reader_failed(r->db, rc, err);
}

/* Step q on the reader's connection to the end, visiting each row: *rc the last SQLite
 * code (SQLITE_DONE when every row was visited), the visit's non-zero returned. */
static int reader_rows(sqlite3_stmt *q, row_visit visit, void *fn, received_walk *w, int *rc)
{
    int stop = 0;
    while (!stop && (*rc = sqlite3_step(q)) == SQLITE_ROW) {
        stop = visit(q, fn, w);
        *rc = SQLITE_OK;
    }
    sqlite3_reset(q);
    return stop;
}

/* The boxes and the tubes in one read transaction (a writer of another process would
 * have to wait for the caller's unit anyway), begun here: inside the caller's unit. */
int store_bulk_reader_received_tubes(bulk_reader *r, bulk_received_fn fn, void *ctx,
                                     fk_err *err)
{
    if (store_bulk_reader_prepare(r, err) != 0)
        return -1;
    int rc = sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL);
    received_walk w = {.ctx = ctx, .err = err, .db = r->db};
    int stop = 0;
    if (rc == SQLITE_OK && !(stop = reader_rows(r->q[0], visit_box, NULL, &w, &rc)) &&
        rc == SQLITE_DONE)
        stop = reader_rows(r->q[1], visit_received, (void *)fn, &w, &rc);
    if (!stop && rc != SQLITE_DONE)
        stop = reader_failed(r->db, rc, err);
    if (!stop)
        stop = flush_box(&w, fn);
    walk_free(&w);
    sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL); /* the read transaction ends */
    return stop;
}

void store_bulk_reader_close(bulk_reader *r)
{
    if (!r)
        return;
    for (int i = 0; i < 2; i++)
        sqlite3_finalize(r->q[i]);
    sqlite3_close(r->db);
    free(r->path);
    free(r);
}

/* ---- one tube, by barcode (store_bulk_tube_probe) ------------------------------------------ */

#define TUBE_PROBE                                                                            \
    "SELECT t.id, t.size, s.area_code, coalesce(b.state, ''), CASE b.state WHEN 'received' "  \
    "THEN b.lab_id ELSE 0 END, CASE b.state WHEN 'received' THEN b.received_at ELSE 0 END, "   \
    "coalesce((SELECT r.result FROM fk_results r WHERE " SQ_RESULTS_OF("r", "t.id")            \
    " ORDER BY r.id DESC LIMIT 1), '') FROM tubes t CROSS JOIN sampling_sites s LEFT JOIN box_tubes bt ON "       \
    "bt.tube_id = t.id LEFT JOIN sample_boxes b ON b.id = bt.box_id WHERE t.barcode = ?1 AND " \
    "s.id = t.site_id"

static int sq_tube_probe(store *st, const char *barcode, tube_probe *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_TUBE_PROBE, TUBE_PROBE, err);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, barcode, -1, SQLITE_STATIC);
    int found = sq_step_row(s, q, err);
    if (found != 1)
        return found;
    memset(out, 0, sizeof *out);
    out->t.tube_id = sqlite3_column_int64(q, 0);
    out->t.size = sqlite3_column_int(q, 1);
    snprintf(out->t.barcode, sizeof out->t.barcode, "%s", barcode);
    sq_col_text(out->t.site_area, sizeof out->t.site_area, q, 2);
    sq_col_text(out->box_state, sizeof out->box_state, q, 3);
    out->t.lab_id = sqlite3_column_int64(q, 4);
    out->t.received_at = sqlite3_column_int64(q, 5);
    sq_col_text(out->last_result, sizeof out->last_result, q, 6);
    sqlite3_reset(q);
    return 1;
}

/* ---- scans ------------------------------------------------------------------------------- */

/* A batch of scans is written set-based (migration 0035: one tube_sets row a tube, the
 * persons' slots in per-round chunks), with this connection's triggers and foreign-key
 * checks off (SQLITE_DBCONFIG_ENABLE_TRIGGER, _FKEY: the connection's alone, never the
 * schema's, switched back on before the call returns, whatever happens) and their rules
 * checked here instead. Per run of the batch's rows into one tube and round (consecutive
 * places, checked here):
 *   1. one UPDATE of the tube checks and moves it: it was open (issued, when the run's
 *      first row opens it) and of the run's round, the run starts at its next place
 *      (n_members + 1), the round exists; it opens the tube with the first row's size,
 *      sets n_members to the run's last place (the tubes' CHECK n_members <= size refuses
 *      a full tube), closes it when the last row fills it (one row changed, or the run
 *      is refused; no RETURNING: SQLite collects returned rows in a temporary B-tree,
 *      made and dropped for every tube);
 *   2. sq_members_add: every person (read by the caller in this transaction: not looked
 *      up again, store_sqlite_members.c) is not yet in the round (its slot in the
 *      batch's chunks, read once each), the tube's tube_sets row appended to, written.
 * Then the batch's chunks are written once each, and when a tube of the batch has a
 * result the health codes' answers version moves, as 0035's trigger would (one statement
 * over the batch's tubes). Every other write (the API's scan) goes through the
 * triggers. */
enum { SCAN_RUN, SCAN_VERSION, SCAN_NSTMT };

static const char *const scan_sql[SCAN_NSTMT] = {
    /* ?1 tube, ?2 round, ?3 first place, ?4 last place, ?5 opens (size or 0), ?6 first
     * time, ?7 closes, ?8 last time, ?9 by */
    "UPDATE tubes SET n_members = ?4, "
    "state = CASE WHEN ?7 THEN 'closed' ELSE 'open' END, "
    "size = CASE WHEN ?5 THEN ?5 ELSE size END, "
    "opened_at = CASE WHEN ?5 THEN ?6 ELSE opened_at END, "
    "opened_by = CASE WHEN ?5 THEN ?9 ELSE opened_by END, "
    "closed_at = CASE WHEN ?7 THEN ?8 ELSE closed_at END, "
    "closed_by = CASE WHEN ?7 THEN ?9 ELSE closed_by END "
    "WHERE id = ?1 AND round_id = ?2 AND n_members = ?3 - 1 AND "
    "state = CASE WHEN ?5 THEN 'issued' ELSE 'open' END AND EXISTS (SELECT 1 FROM "
    "testing_rounds r WHERE r.id = ?2)",
    /* ?1 the batch's tubes, a JSON array */
    "UPDATE code_answers_version SET version = version + 1 WHERE id = 1 AND EXISTS ("
    "SELECT 1 FROM json_each(?1) j, fk_results x WHERE x.id = " SQ_FIRST_RESULT("j.value")
    ")",
};

static int refused(fk_err *err, const char *why)
{
    return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: a batch of scans refused: %s", why);
}

/* Step 1 for the run rows[0..n): one tube and round, places consecutive; its tube id
 * goes to `tubes` (a JSON array: step 1's version moves once a batch, see scans_unit). */
static int run_settle(struct sq_store *s, sqlite3_stmt *q, const scan_row *rows, size_t n,
                      const char *by, strbuf *tubes, fk_err *err)
{
    const scan_row *first = &rows[0], *last = &rows[n - 1];
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, first->tube_id);
    sqlite3_bind_int64(q, 2, first->round_id);
    sqlite3_bind_int(q, 3, first->place);
    sqlite3_bind_int(q, 4, last->place);
    sqlite3_bind_int(q, 5, first->opens ? first->size : 0);
    sqlite3_bind_int64(q, 6, first->at);
    sqlite3_bind_int(q, 7, last->closes ? 1 : 0);
    sqlite3_bind_int64(q, 8, last->at);
    sq_bind_text(q, 9, by);
    if (sq_exec_stmt(s, q, err) != 0)
        return err->code == FK_ECONFLICT ? refused(err, "a tube over its size") : -1;
    if (sqlite3_changes(s->db) != 1)
        return refused(err, "a tube not open, of another round, not at its next place, or "
                       "an unknown round");
    sb_append_char(tubes, tubes->len ? ',' : '[');
    sb_append_i64(tubes, first->tube_id);
    return 0;
}

/* Is rows[i] the next of the run that starts at rows[from]? A row that opens or follows
 * a closing row starts a run of its own (the importer never writes one; the tube's
 * UPDATE then refuses it). */
static bool run_continues(const scan_row *rows, size_t from, size_t i)
{
    return rows[i].tube_id == rows[from].tube_id && rows[i].round_id == rows[from].round_id &&
           !rows[i].opens && !rows[i - 1].closes;
}

/* Steps 1 and 2 for the run rows[0..n). */
static int run_write(struct sq_store *s, sqlite3_stmt *q, sq_chunks *cs, const scan_row *rows,
                     size_t n, const char *by, strbuf *tubes, fk_err *err)
{
    int64_t persons[128], ats[128];
    if (n > 127)
        return refused(err, "a tube over its size");
    for (size_t i = 0; i < n; i++)
        persons[i] = rows[i].person_id, ats[i] = rows[i].at;
    if (run_settle(s, q, rows, n, by, tubes, err) != 0)
        return -1;
    if (sq_members_add(s, cs, rows[0].tube_id, rows[0].round_id, rows[0].place, persons, ats,
                       n, by, err) != 0)
    {
        if (err->code != FK_ECONFLICT)
            return -1;
        char why[sizeof err->message];
        snprintf(why, sizeof why, "%s", err->message);
        return refused(err, why);
    }
    return 0;
}

static int scans_unit(struct sq_store *s, sqlite3_stmt **q, const scan_row *rows, size_t n,
                      const char *by, fk_err *err)
{
    int was[2] = {1, 1}, rc = 0;
    strbuf tubes = STRBUF_INIT;
    sq_chunks cs = {0};
    sq_checks_off(s->db, true, was);
    size_t from = 0;
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (i < n && run_continues(rows, from, i)) {
            if (rows[i].place != rows[i - 1].place + 1)
                rc = refused(err, "places of a tube not consecutive");
            continue;
        }
        rc = run_write(s, q[SCAN_RUN], &cs, &rows[from], i - from, by, &tubes, err);
        from = i;
    }
    if (rc == 0)
        rc = sq_chunks_write(s, &cs, err);
    if (rc == 0 && tubes.len) {
        sb_append_char(&tubes, ']');
        sqlite3_bind_text(q[SCAN_VERSION], 1, sb_str(&tubes), (int)tubes.len, SQLITE_STATIC);
        rc = sq_exec_stmt(s, q[SCAN_VERSION], err);
    }
    sq_checks_off(s->db, false, was);
    sq_chunks_free(&cs);
    sb_free(&tubes);
    return rc;
}

static int sq_scans_add(store *st, const scan_row *rows, size_t n, const char *by, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q[SCAN_NSTMT] = {0};
    int rc = 0;
    for (int i = 0; i < SCAN_NSTMT && rc == 0; i++) {
        int prc = sqlite3_prepare_v2(s->db, scan_sql[i], -1, &q[i], NULL);
        if (prc != SQLITE_OK)
            rc = sq_dberr(s, prc, err);
    }
    if (rc == 0 && s->depth > 0)
        rc = scans_unit(s, q, rows, n, by, err);
    else if (rc == 0)
        rc = sq_begin(s, err) || sq_end(s, scans_unit(s, q, rows, n, by, err), err) ? -1 : 0;
    for (int i = 0; i < SCAN_NSTMT; i++)
        sqlite3_finalize(q[i]);
    return rc;
}

const struct store_testing_bulk_ops sq_testing_bulk_ops = {
    .residents = sq_bulk_residents,
    .open_round_tubes = sq_bulk_open_round_tubes,
    .open_rounds = sq_bulk_open_rounds,
    .round_members = sq_bulk_round_members,
    .testing_flags = sq_bulk_testing_flags,
    .received_tubes = sq_bulk_received_tubes,
    .reader_open = sq_bulk_reader_open,
    .tube_probe = sq_tube_probe,
    .scans_add = sq_scans_add,
    .results_add_checked = sq_results_add_checked,
    .results_checked_hold = sq_results_checked_hold,
};
