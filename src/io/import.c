/*
 * import.c - the import driver and the kinds table (persons, cases, areas).
 *
 * The driver runs two passes over the file with csv_reader (see import.h):
 *
 *   CHECK:  header -> map columns; each data row -> fields -> kind->parse -> key set.
 *           A bad row goes to the report, to `badrows` (its number) and, with
 *           --skip-bad, to the rejects writer. Nothing is written to the store.
 *   WRITE:  store_begin; each data row not in `badrows` -> kind->parse -> kind->insert;
 *           summary audit; store_commit. Any error -> store_rollback.
 *
 * ONE pass (kinds with one_pass: the location data, millions of rows that refer to
 * nothing): store_begin; each data row is checked as above and, while the file can
 * still be imported (no bad row yet, or --skip-bad), written at once; at the end the
 * same decision as after CHECK: refuse (rollback: nothing was imported) or audit and
 * commit. Reading and parsing the file once instead of twice made a stays import a
 * fifth faster; the price is holding the write transaction while a file that will be
 * refused is read, which the two-pass kinds avoid.
 *
 * Invariants: `badrows` is strictly increasing (rows arrive in order), so the write
 * pass skips bad rows with one moving cursor. The key set only holds keys of good
 * rows: a later repeat is reported as "duplicates row N". Keys are kept as 64-bit
 * FNV-1a hashes (16 bytes per good row instead of the whole key); a false duplicate
 * needs a hash collision, below one in a million even for millions of rows.
 * The location kinds (stays, checkins, pings, proximity) live in import_*.c.
 * Areas are imported in file order: a parent must come before its children (an
 * earlier good row of the file counts as existing, via import_ctx_seen).
 */
#include "io/import.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/batch_writer.h"
#include "io/csv_reader.h"
#include "io/table_writer.h"
#include "model/idcard.h"
#include "model/role.h"
#include "policy/policy.h"
#include "services/codes.h"
#include "services/registry.h"
#include "services/zones.h"

/* ---- key set --------------------------------------------------------------------- */

typedef struct keyslot {
    uint64_t hash;
    size_t row;   /* 0 = empty slot */
} keyslot;

typedef struct keyset {
    keyslot *slots;
    size_t cap, n;  /* cap is 0 or a power of two; n <= cap / 2 */
} keyset;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static keyslot *keyset_slot(const keyset *ks, uint64_t h)
{
    size_t i = (size_t)h & (ks->cap - 1);
    while (ks->slots[i].row && ks->slots[i].hash != h)
        i = (i + 1) & (ks->cap - 1);
    return &ks->slots[i];
}

static size_t keyset_find(const keyset *ks, const char *key)
{
    return ks->cap ? keyset_slot(ks, fnv1a(key))->row : 0;
}

static int keyset_add(keyset *ks, const char *key, size_t row, fk_err *err)
{
    if ((ks->n + 1) * 2 > ks->cap) {
        size_t ncap = ks->cap ? ks->cap * 2 : 1024;
        keyslot *ns = fk_try_malloc(ncap * sizeof *ns);
        if (!ns)
            return fk_fail(err, FK_EBUSY, "", "out of memory for the duplicate check");
        memset(ns, 0, ncap * sizeof *ns);
        keyset old = *ks;
        ks->slots = ns;
        ks->cap = ncap;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].row)
                *keyset_slot(ks, old.slots[i].hash) = old.slots[i];
        free(old.slots);
    }
    keyslot *s = keyset_slot(ks, fnv1a(key));
    if (!s->row) {
        s->hash = fnv1a(key);
        s->row = row;
        ks->n++;
    }
    return 0;
}

/* ---- context ---------------------------------------------------------------------- */

enum pass { PASS_CHECK, PASS_WRITE, PASS_ONE };

struct import_ctx {
    store *st;
    const actor *a;
    const import_kind *k;
    const import_opts *o;
    import_report *rep;
    enum pass pass;
    size_t header_row;       /* 0 until the header was read */
    size_t nheader;
    int *colmap;             /* header position -> column index */
    const char **vals;       /* k->ncols values of the current row */
    void *rec;               /* k->rec_size bytes */
    keyset keys;
    strbuf key;
    size_t *badrows;
    size_t nbadrows, capbadrows, cursor;
    tw *rejects;
    size_t good;             /* good rows of the check pass */
    unsigned char *batch;    /* kinds with insert_many: batch_cap records */
    batch_writer *bw;        /* one pass: writes the batches on a second thread */
    size_t nbatch, batch_row, last_row;  /* records in it; file rows of the first, last */
    bool cb_failed;          /* on_row stopped the reader (vs. a reader error) */
    void *state;             /* the kind's (import_kind.begin) */
    size_t row;              /* the row being read */
    int64_t file_bytes;
    const char *path;        /* the file imported */
};

store *import_ctx_store(const import_ctx *cx)
{
    return cx->st;
}

const actor *import_ctx_actor(const import_ctx *cx)
{
    return cx->a;
}

const struct policy *import_ctx_policy(const import_ctx *cx)
{
    return cx->o->policy;
}

const char *import_ctx_path(const import_ctx *cx)
{
    return cx->path;
}

const char *import_ctx_source(const import_ctx *cx)
{
    return cx->o->source;
}

int import_ctx_policy_int(const import_ctx *cx, const char *path, int64_t *out, fk_err *err)
{
    if (!cx->o->policy)
        return fk_fail(err, FK_EINVAL, path, "importing %s needs the policy in force (%s)",
                       cx->k->name, path);
    return policy_get_int(cx->o->policy, path, out, err);
}

void *import_ctx_state(const import_ctx *cx)
{
    return cx->state;
}

size_t import_ctx_row(const import_ctx *cx)
{
    return cx->row;
}

int64_t import_ctx_file_bytes(const import_ctx *cx)
{
    return cx->file_bytes;
}

size_t import_ctx_seen(const import_ctx *cx, const char *key)
{
    return keyset_find(&cx->keys, key);
}

void import_report_free(import_report *r)
{
    if (!r)
        return;
    free(r->items);
    memset(r, 0, sizeof *r);
}

static void report_add(import_report *rep, size_t row, const char *field, const char *msg)
{
    if (rep->n >= IMPORT_MAX_REPORTED)
        return;
    if (!rep->items)
        rep->items = fk_calloc(IMPORT_MAX_REPORTED, sizeof *rep->items);
    import_bad *b = &rep->items[rep->n++];
    b->row = row;
    snprintf(b->field, sizeof b->field, "%s", field ? field : "");
    snprintf(b->message, sizeof b->message, "%s", msg);
}

/* Model validators write "field: message"; the report has its own field column. */
static void strip_field_prefix(fk_err *e)
{
    size_t n = strlen(e->field);
    if (n && !strncmp(e->message, e->field, n) && e->message[n] == ':' &&
        e->message[n + 1] == ' ')
        memmove(e->message, e->message + n + 2, strlen(e->message + n + 2) + 1);
}

/* ---- header --------------------------------------------------------------------------- */

static int find_column(const import_kind *k, const char *name)
{
    for (size_t i = 0; i < k->ncols; i++)
        if (!strcmp(k->cols[i].name, name))
            return (int)i;
    return -1;
}

static void header_problem(import_ctx *cx, size_t row, const char *field, const char *fmt,
                           const char *arg)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg);
    report_add(cx->rep, row, field, msg);
    cx->rep->bad++;
}

/* Maps header names to columns; every problem goes to the report. Returns the count. */
static size_t map_header(import_ctx *cx, const csvr_row *r, bool *present)
{
    const import_kind *k = cx->k;
    size_t before = cx->rep->bad;
    for (size_t i = 0; i < r->nstored; i++) {
        int c = find_column(k, r->fields[i]);
        cx->colmap[i] = c;
        if (c < 0)
            header_problem(cx, r->row, r->fields[i], "unknown column \"%s\"", r->fields[i]);
        else if (present[c])
            header_problem(cx, r->row, r->fields[i], "column \"%s\" appears twice",
                           r->fields[i]);
        else
            present[c] = true;
    }
    if (r->nfields > r->nstored)
        header_problem(cx, r->row, "", "too many columns%s", "");
    for (size_t c = 0; c < k->ncols; c++)
        if ((k->cols[c].flags & IMPORT_COL_REQUIRED) && !present[c])
            header_problem(cx, r->row, k->cols[c].name, "required column \"%s\" is missing",
                           k->cols[c].name);
    fk_err e;
    if (k->check_header && k->check_header(present, &e) != 0)
        header_problem(cx, r->row, e.field, "%s", e.message);
    return cx->rep->bad - before;
}

static int open_rejects(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    cx->rejects = tw_open(cx->o->rejects_path, "rejects", err);
    if (!cx->rejects)
        return -1;
    const char **cells = fk_calloc(r->nstored + 1, sizeof *cells);
    for (size_t i = 0; i < r->nstored; i++)
        cells[i] = r->fields[i];
    cells[r->nstored] = "error";
    int rc = tw_row(cx->rejects, cells, r->nstored + 1, err);
    free(cells);
    return rc;
}

static int on_header(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    cx->header_row = r->row;
    cx->nheader = r->nfields;
    if (cx->pass == PASS_WRITE)
        return 0;
    bool *present = fk_calloc(cx->k->ncols, sizeof *present);
    size_t problems = map_header(cx, r, present);
    free(present);
    if (problems)
        return fk_fail(err, FK_EINVAL, "", "the header of the file is not valid for %s; "
                       "nothing was imported", cx->k->name);
    if (cx->o->rejects_path)
        return open_rejects(cx, r, err);
    return 0;
}

/* ---- rows ----------------------------------------------------------------------------- */

/* Checks the raw fields; fills cx->vals. Returns 0, or -1 with *bad. */
static int row_fields(import_ctx *cx, const csvr_row *r, fk_err *bad)
{
    if (r->nfields != cx->nheader)
        return fk_fail(bad, FK_EINVAL, "", "%zu fields, but the header has %zu columns",
                       r->nfields, cx->nheader);
    for (size_t c = 0; c < cx->k->ncols; c++)
        cx->vals[c] = "";
    for (size_t i = 0; i < r->nstored; i++) {
        const char *col = cx->k->cols[cx->colmap[i]].name;
        if (r->long_field == i + 1)
            return fk_fail(bad, FK_ETOOBIG, col, "longer than %d bytes (%zu)",
                           IMPORT_MAX_FIELD, r->long_len);
        if (!r->plain && strlen(r->fields[i]) != r->lens[i])
            return fk_fail(bad, FK_EINVAL, col, "contains a NUL byte");
        if (!r->plain && !fk_utf8_valid((const unsigned char *)r->fields[i], r->lens[i]))
            return fk_fail(bad, FK_EINVAL, col, "not valid UTF-8 (save the file as UTF-8)");
        if (cx->k->cols[cx->colmap[i]].flags & IMPORT_COL_IN)
            cx->vals[cx->colmap[i]] = r->fields[i];
    }
    return 0;
}

static int reject_row(import_ctx *cx, const csvr_row *r, const fk_err *bad, fk_err *err)
{
    char msg[400];
    if (bad->field[0])
        snprintf(msg, sizeof msg, "row %zu, field %s: %s", r->row, bad->field, bad->message);
    else
        snprintf(msg, sizeof msg, "row %zu: %s", r->row, bad->message);
    size_t n = r->nstored > cx->nheader ? r->nstored : cx->nheader;
    const char **cells = fk_calloc(n + 1, sizeof *cells);
    for (size_t i = 0; i < n; i++)
        cells[i] = i < r->nstored ? r->fields[i] : "";
    cells[n] = msg;
    int rc = tw_row(cx->rejects, cells, n + 1, err);
    free(cells);
    return rc;
}

static int note_bad(import_ctx *cx, const csvr_row *r, fk_err *bad, fk_err *err)
{
    strip_field_prefix(bad);
    report_add(cx->rep, r->row, bad->field, bad->message);
    cx->rep->bad++;
    if (cx->nbadrows == cx->capbadrows) {
        cx->capbadrows = cx->capbadrows ? cx->capbadrows * 2 : 64;
        size_t *nb = fk_try_realloc(cx->badrows, cx->capbadrows * sizeof *nb);
        if (!nb)
            return fk_fail(err, FK_EBUSY, "", "out of memory for the list of bad rows");
        cx->badrows = nb;
    }
    cx->badrows[cx->nbadrows++] = r->row;
    return cx->rejects ? reject_row(cx, r, bad, err) : 0;
}

/* Check pass: one data row. */
static int check_row(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    fk_err bad;
    fk_err_clear(&bad);
    cx->rep->rows++;
    memset(cx->rec, 0, cx->k->rec_size);
    if (row_fields(cx, r, &bad) != 0)
        return note_bad(cx, r, &bad, err);
    int rc = cx->k->parse(cx, cx->vals, cx->rec, &bad, err);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return note_bad(cx, r, &bad, err);
    sb_reset(&cx->key);
    cx->k->key(cx->rec, &cx->key);
    const char *key = sb_str(&cx->key);
    if (*key) {
        size_t first = keyset_find(&cx->keys, key);
        if (first) {
            fk_fail(&bad, FK_ECONFLICT, cx->k->key_field, "duplicates row %zu", first);
            return note_bad(cx, r, &bad, err);
        }
        if (keyset_add(&cx->keys, key, r->row, err) != 0)
            return -1;
    }
    cx->good++;
    return 0;
}

/* Write one batch (on the writer thread, or here); a store failure names its rows. */
static int write_batch(void *ctx, const void *recs, size_t n, size_t first_row,
                       size_t last_row, fk_err *err)
{
    import_ctx *cx = ctx;
    if (cx->k->insert_many(cx, recs, n, err) != 0) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        return fk_fail(err, err->code, err->field, "rows %zu to %zu: %s", first_row,
                       last_row, msg);
    }
    return 0;
}

/* Hand the collected batch to the writer thread, or write it here. */
static int flush_batch(import_ctx *cx, fk_err *err)
{
    size_t n = cx->nbatch;
    if (n == 0)
        return 0;
    cx->nbatch = 0;
    if (cx->bw)
        return bw_submit(cx->bw, n, cx->batch_row, cx->last_row, err);
    if (write_batch(cx, cx->batch, n, cx->batch_row, cx->last_row, err) != 0)
        return -1;
    cx->rep->imported += n;
    return 0;
}

/* Records of a batch: the kind's, or IMPORT_BATCH. */
static size_t batch_cap(const import_ctx *cx)
{
    return cx->k->batch ? cx->k->batch : IMPORT_BATCH;
}

/* The buffer batches are collected in: the writer thread's free one in the one pass
 * (the kinds with insert_many parse without the store, so the writer may use it
 * meanwhile), else our own. */
static unsigned char *batch_buffer(import_ctx *cx)
{
    if (!cx->bw && !cx->batch && cx->pass == PASS_ONE)
        cx->bw = bw_new(cx->k->rec_size, batch_cap(cx), write_batch, cx, NULL);
    if (cx->bw)
        return bw_buffer(cx->bw);
    if (!cx->batch)
        cx->batch = fk_malloc(batch_cap(cx) * cx->k->rec_size);
    return cx->batch;
}

/* Collect the parsed cx->rec into the batch, writing it when full. */
static int batch_rec(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    unsigned char *buf = batch_buffer(cx);
    if (cx->nbatch == 0)
        cx->batch_row = r->row;
    memcpy(buf + cx->nbatch++ * cx->k->rec_size, cx->rec, cx->k->rec_size);
    cx->last_row = r->row;
    return cx->nbatch == batch_cap(cx) ? flush_batch(cx, err) : 0;
}

/* Every batch written (the writer idle: the store is ours again). 0 or -1. */
static int drain_batches(import_ctx *cx, fk_err *err)
{
    if (!cx->bw)
        return 0;
    int rc = bw_drain(cx->bw, err);
    cx->rep->imported = bw_written(cx->bw);
    return rc;
}

store *import_ctx_quiet_store(import_ctx *cx, fk_err *err)
{
    return drain_batches(cx, err) == 0 ? cx->st : NULL;
}

/* Insert the parsed cx->rec; a store failure names the row. */
static int insert_rec(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    if (cx->k->insert_many)
        return batch_rec(cx, r, err);
    if (cx->k->insert(cx, cx->rec, err) != 0) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        return fk_fail(err, err->code, err->field, "row %zu: %s", r->row, msg);
    }
    cx->rep->imported++;
    return 0;
}

/* One pass: check the row, and write it while the file can still be imported. */
static int one_row(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    size_t good = cx->good;
    if (check_row(cx, r, err) != 0)
        return -1;
    if (cx->good == good || (cx->rep->bad && !cx->rejects))
        return 0;
    return insert_rec(cx, r, err);
}

/* Write pass: one data row, skipping those found bad. */
static int write_row(import_ctx *cx, const csvr_row *r, fk_err *err)
{
    if (cx->cursor < cx->nbadrows && cx->badrows[cx->cursor] == r->row) {
        cx->cursor++;
        return 0;
    }
    fk_err bad;
    memset(cx->rec, 0, cx->k->rec_size);
    int rc = row_fields(cx, r, &bad);
    if (rc == 0)
        rc = cx->k->parse(cx, cx->vals, cx->rec, &bad, err);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        strip_field_prefix(&bad);
        return fk_fail(err, FK_ECONFLICT, bad.field, "row %zu changed while importing: %s",
                       r->row, bad.message);
    }
    return insert_rec(cx, r, err);
}

static int on_row(void *ud, const csvr_row *r, fk_err *err)
{
    import_ctx *cx = ud;
    int rc;
    cx->row = r->row;
    if (!cx->header_row)
        rc = on_header(cx, r, err);
    else
        rc = cx->pass == PASS_CHECK ? check_row(cx, r, err)
             : cx->pass == PASS_ONE ? one_row(cx, r, err) : write_row(cx, r, err);
    if (rc != 0)
        cx->cb_failed = true;
    return rc;
}

/* ---- the driver ----------------------------------------------------------------------- */

/* The reader itself failed (malformed quoting, a huge field): the report names the row,
 * which csv_reader puts at the start of its message. */
static void note_unreadable(import_ctx *cx, const fk_err *e)
{
    size_t row = 0;
    int off = 0;
    const char *msg = e->message;
    if (sscanf(msg, "row %zu: %n", &row, &off) == 1 && off > 0)
        msg += off;
    report_add(cx->rep, row, "", msg);
    cx->rep->bad++;
}

static int read_pass(import_ctx *cx, const char *path, enum pass pass, fk_err *err)
{
    csvr_limits lim = {.max_field = IMPORT_MAX_FIELD, .max_bytes = (size_t)IMPORT_MAX_FILE};
    cx->pass = pass;
    cx->header_row = 0;
    cx->cursor = 0;
    cx->cb_failed = false;
    fk_err e;
    fk_err_clear(&e);
    int rc = csvr_read_file(path, &lim, on_row, cx, &e);
    if (rc != 0) {
        if (pass != PASS_WRITE && !cx->cb_failed) {
            note_unreadable(cx, &e);
            return fk_fail(err, e.code, "", "%s; nothing was imported", e.message);
        }
        if (err)
            *err = e;
        return -1;
    }
    if (!cx->header_row)
        return fk_fail(err, FK_EINVAL, "", "%s: the file is empty (no header row)", path);
    return 0;
}

static int check_file(const char *path, int64_t *bytes, fk_err *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return fk_fail(err, errno == ENOENT ? FK_ENOTFOUND : FK_EIO, "", "%s: %s", path,
                       strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return fk_fail(err, FK_EINVAL, "", "%s: not a regular file", path);
    if ((int64_t)sb.st_size > IMPORT_MAX_FILE)
        return fk_fail(err, FK_ETOOBIG, "", "%s: %lld bytes, more than the limit of %lld MiB",
                       path, (long long)sb.st_size, (long long)(IMPORT_MAX_FILE >> 20));
    *bytes = (int64_t)sb.st_size;
    return 0;
}

/* The rejects file replaces its path at the end: it must not be the input. */
static int check_rejects_path(const char *path, const char *rejects, fk_err *err)
{
    struct stat a, b;
    if (!rejects)
        return 0;
    if (!rejects[0])
        return fk_fail(err, FK_EINVAL, "", "the rejects file name is empty");
    if (!strcmp(path, rejects) ||
        (stat(rejects, &b) == 0 && stat(path, &a) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino))
        return fk_fail(err, FK_EINVAL, "", "%s: the rejects file must not be the input file",
                       rejects);
    return 0;
}

/* Inside the import's transaction: the last batch, the summary audit record, then
 * commit. */
static int audit_and_commit(import_ctx *cx, const char *path, fk_err *err)
{
    if (flush_batch(cx, err) != 0 || drain_batches(cx, err) != 0)
        return -1;
    if (cx->k->finish && cx->k->finish(cx, err) != 0)
        return -1;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char detail[256];
    snprintf(detail, sizeof detail, "file=%.120s kind=%s rows=%zu imported=%zu rejected=%zu",
             base, cx->k->name, cx->rep->rows, cx->rep->imported, cx->rep->bad);
    audit_rec rec;
    actor_audit(cx->a, &rec, "import", cx->k->entity, 0, detail);
    if (store_audit_append(cx->st, &rec, err) != 0)
        return -1;
    return store_commit(cx->st, err);
}

static int write_pass(import_ctx *cx, const char *path, fk_err *err)
{
    if (store_begin(cx->st, err) != 0)
        return -1;
    if (read_pass(cx, path, PASS_WRITE, err) != 0 || audit_and_commit(cx, path, err) != 0) {
        store_rollback(cx->st);
        cx->rep->imported = 0;
        return -1;
    }
    return 0;
}

static void ctx_init(import_ctx *cx, store *st, const actor *a, const import_kind *k,
                     const import_opts *o, import_report *rep)
{
    memset(cx, 0, sizeof *cx);
    cx->st = st;
    cx->a = a;
    cx->k = k;
    cx->o = o;
    cx->rep = rep;
    cx->colmap = fk_calloc(CSVR_MAX_FIELDS_DEFAULT, sizeof *cx->colmap);
    cx->vals = fk_calloc(k->ncols, sizeof *cx->vals);
    cx->rec = fk_calloc(1, k->rec_size);
}

static void ctx_free(import_ctx *cx)
{
    tw_abort(cx->rejects);
    free(cx->colmap);
    free(cx->vals);
    free(cx->rec);
    free(cx->keys.slots);
    free(cx->badrows);
    free(cx->batch);
    bw_free(cx->bw);
    sb_free(&cx->key);
}

/* Decides after the check pass: refuse, stop (dry run) or go on writing. */
static int after_check(import_ctx *cx, fk_err *err)
{
    import_report *rep = cx->rep;
    if (rep->bad && !cx->o->rejects_path)
        return fk_fail(err, FK_EINVAL, "", "%zu of %zu rows are bad; nothing was imported",
                       rep->bad, rep->rows);
    return 0;
}

static int two_passes(import_ctx *cx, const char *path, fk_err *err)
{
    int rc = read_pass(cx, path, PASS_CHECK, err);
    if (rc == 0)
        rc = after_check(cx, err);
    if (rc == 0 && !cx->o->dry_run)
        rc = write_pass(cx, path, err);
    return rc;
}

static int one_pass(import_ctx *cx, const char *path, fk_err *err)
{
    if (store_begin(cx->st, err) != 0)
        return -1;
    if (read_pass(cx, path, PASS_ONE, err) != 0 || after_check(cx, err) != 0 ||
        audit_and_commit(cx, path, err) != 0) {
        drain_batches(cx, NULL);    /* the writer must be idle before the rollback */
        store_rollback(cx->st);
        cx->rep->imported = 0;
        return -1;
    }
    return 0;
}

int import_file(store *st, const actor *a, const char *kind, const char *path,
                const import_opts *opts, import_report *out, fk_err *err)
{
    static const import_opts none = {0};
    memset(out, 0, sizeof *out);
    const import_kind *k = import_kind_find(kind);
    if (!k)
        return fk_fail(err, FK_ENOTFOUND, "kind", "unknown kind \"%s\" (one of %s)", kind,
                       import_kind_names());
    int64_t bytes = 0;
    if (actor_require(a, k->perm, err) != 0 || check_file(path, &bytes, err) != 0 ||
        check_rejects_path(path, opts ? opts->rejects_path : NULL, err) != 0)
        return -1;
    import_ctx cx;
    ctx_init(&cx, st, a, k, opts ? opts : &none, out);
    cx.file_bytes = bytes;
    cx.path = path;
    if (k->begin && k->begin(&cx, &cx.state, err) != 0) {
        ctx_free(&cx);
        return -1;
    }
    int rc = k->one_pass && !cx.o->dry_run ? one_pass(&cx, path, err)
                                           : two_passes(&cx, path, err);
    if (k->end)
        k->end(cx.state);
    if (rc == 0 && cx.rejects) {
        rc = tw_close(cx.rejects, err);
        cx.rejects = NULL;
    }
    ctx_free(&cx);
    return rc;
}

/* ---- field helpers for the kinds -------------------------------------------------------- */

/* Copy v into dst[cap]; -1 with *bad when it does not fit. */
int import_field_text(char *dst, size_t cap, const char *v, const char *col, fk_err *bad)
{
    size_t n = strlen(v);
    if (n >= cap)
        return fk_fail(bad, FK_EINVAL, col, "at most %zu bytes", cap - 1);
    memcpy(dst, v, n + 1);
    return 0;
}

void import_key_none(const void *rec, strbuf *out)
{
    (void)rec, (void)out;
}

int import_field_required(char *dst, size_t cap, const char *v, const char *col, fk_err *bad)
{
    if (!*v)
        return fk_fail(bad, FK_EINVAL, col, "%s: required", col);
    return import_field_text(dst, cap, v, col, bad);
}

#define INSTANT_EARLIEST 946684800  /* 2000-01-01T00:00:00Z */
#define INSTANT_END 4102444800      /* 2100-01-01T00:00:00Z */

/* Location data far outside the years of any outbreak is a unit mistake (milliseconds,
 * relative seconds), never a real observation. */
int import_field_instant(int64_t *dst, const char *v, const char *col, fk_err *bad)
{
    if (fk_instant_parse(v, dst, col, bad) != 0)
        return -1;
    if (*dst < INSTANT_EARLIEST)
        return fk_fail(bad, FK_EINVAL, col, "%s: before 2000-01-01", col);
    if (*dst >= INSTANT_END)
        return fk_fail(bad, FK_EINVAL, col, "%s: after 2099", col);
    return 0;
}

int import_field_number(double *dst, const char *v, double lo, double hi, const char *col,
                        fk_err *bad)
{
    char *end = NULL;
    double x = 0;
    /* plain decimals only: strtod alone would also take " 1", "0x1p3", "nan", "inf" */
    if (*v && v[strspn(v, "0123456789+-.eE")] == '\0') {
        errno = 0;
        x = strtod(v, &end);
    }
    if (!end || *end || errno || !isfinite(x))
        return fk_fail(bad, FK_EINVAL, col, "%s: \"%.40s\" is not a decimal number", col, v);
    if (x < lo || x > hi)
        return fk_fail(bad, FK_EINVAL, col, "%s: %g is outside [%g, %g]", col, x, lo, hi);
    *dst = x;
    return 0;
}

/* A positive decimal id, or 0 when v is empty. */
static int put_id(int64_t *dst, const char *v, const char *col, fk_err *bad)
{
    int64_t x = 0;
    if (!*v) {
        *dst = 0;
        return 0;
    }
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || p - v >= 18)
            return fk_fail(bad, FK_EINVAL, col, "\"%.40s\" is not a number", v);
        x = x * 10 + (*p - '0');
    }
    if (x <= 0)
        return fk_fail(bad, FK_EINVAL, col, "must be a positive number");
    *dst = x;
    return 0;
}

int import_field_id(int64_t *dst, const char *v, const char *col, fk_err *bad)
{
    if (!*v)
        return fk_fail(bad, FK_EINVAL, col, "%s: required", col);
    return put_id(dst, v, col, bad);
}

/* Store lookups: 0 found, 1 not found, -1 store failure (err). */
static int lookup_result(int rc, const fk_err *e, fk_err *err)
{
    if (rc == 0)
        return 0;
    if (e->code == FK_ENOTFOUND || e->code == FK_EREF)
        return 1;
    if (err)
        *err = *e;
    return -1;
}

/* ---- persons ---------------------------------------------------------------------------- */

static const import_column person_cols[] = {
    {"name", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"id_type", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"id_number", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"sex", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"birth_date", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"phone", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"resident_type", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"household_id", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"address", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"community_code", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"work_unit", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"flags", IMPORT_COL_IN | IMPORT_COL_OUT},
};
enum { P_NAME, P_IDTYPE, P_IDNUM, P_SEX, P_BIRTH, P_PHONE, P_RTYPE, P_HH, P_ADDR, P_COMM,
       P_WORK, P_FLAGS };

/* "elderly_alone|disabled" -> flag bits. */
static int put_flags(unsigned *dst, const char *v, fk_err *bad)
{
    char name[32];
    *dst = 0;
    while (*v) {
        size_t n = strcspn(v, "|");
        if (n == 0 || n >= sizeof name)
            return fk_fail(bad, FK_EINVAL, "flags", "\"%.40s\" is not a flag list "
                           "(e.g. elderly_alone|disabled)", v);
        memcpy(name, v, n);
        name[n] = '\0';
        unsigned f = person_flag_from_name(name);
        if (!f)
            return fk_fail(bad, FK_EINVAL, "flags", "unknown flag \"%s\" (elderly_alone, "
                           "disabled, pregnant, chronic)", name);
        *dst |= f;
        v += n + (v[n] == '|');
    }
    return 0;
}

static int person_fields(const char *const *v, person *p, fk_err *bad)
{
    if (import_field_text(p->name, sizeof p->name, v[P_NAME], "name", bad) ||
        import_field_text(p->id_type, sizeof p->id_type, v[P_IDTYPE], "id_type", bad) ||
        import_field_text(p->id_number, sizeof p->id_number, v[P_IDNUM], "id_number", bad) ||
        import_field_text(p->sex, sizeof p->sex, v[P_SEX], "sex", bad) ||
        import_field_text(p->birth_date, sizeof p->birth_date, v[P_BIRTH], "birth_date", bad) ||
        import_field_text(p->phone, sizeof p->phone, v[P_PHONE], "phone", bad) ||
        import_field_text(p->resident_type, sizeof p->resident_type,
                          v[P_RTYPE], "resident_type", bad) ||
        put_id(&p->household_id, v[P_HH], "household_id", bad) ||
        import_field_text(p->address, sizeof p->address, v[P_ADDR], "address", bad) ||
        import_field_text(p->community_code, sizeof p->community_code,
                          v[P_COMM], "community_code", bad) ||
        import_field_text(p->work_unit, sizeof p->work_unit, v[P_WORK], "work_unit", bad) ||
        put_flags(&p->flags, v[P_FLAGS], bad))
        return -1;
    return person_validate(p, bad);
}

/* The community the person will count in; 1 with *bad when the reference is wrong. */
static int person_community(store *st, const person *p, char out[16], fk_err *bad, fk_err *err)
{
    fk_err e;
    if (!strcmp(p->resident_type, "resident")) {
        household h;
        int rc = lookup_result(store_household_get(st, p->household_id, &h, &e), &e, err);
        if (rc)
            return rc < 0 ? -1 : (fk_fail(bad, FK_EREF, "household_id", "no household %lld",
                                          (long long)p->household_id), 1);
        if (p->community_code[0] && strcmp(p->community_code, h.community_code))
            return fk_fail(bad, FK_EINVAL, "community_code", "household %lld is in %s, not %s",
                           (long long)p->household_id, h.community_code, p->community_code), 1;
        snprintf(out, 16, "%s", h.community_code);
        return 0;
    }
    area ar;
    int rc = lookup_result(store_area_get(st, p->community_code, &ar, &e), &e, err);
    if (rc)
        return rc < 0 ? -1 : (fk_fail(bad, FK_EREF, "community_code", "no area %s",
                                      p->community_code), 1);
    if (strcmp(ar.level, "community"))
        return fk_fail(bad, FK_EINVAL, "community_code", "%s is a %s, not a community",
                       ar.code, ar.level), 1;
    snprintf(out, 16, "%s", ar.code);
    return 0;
}

static int person_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                        fk_err *err)
{
    person *p = rec;
    char community[16];
    if (person_fields(v, p, bad) != 0)
        return 1;
    int rc = person_community(cx->st, p, community, bad, err);
    if (rc)
        return rc;
    if (!role_in_jurisdiction(cx->a->area_code, community))
        return fk_fail(bad, FK_EFORBIDDEN, "community_code", "%s is outside your jurisdiction",
                       community), 1;
    person old;
    fk_err e;
    rc = lookup_result(store_person_find_by_id_number(cx->st, p->id_number, &old, &e), &e, err);
    if (rc < 0)
        return -1;
    if (rc == 0 && !strcmp(old.id_type, p->id_type))
        return fk_fail(bad, FK_ECONFLICT, "id_number", "already registered (person %lld)",
                       (long long)old.id), 1;
    return 0;
}

static void person_key(const void *rec, strbuf *out)
{
    const person *p = rec;
    sb_appendf(out, "%s|%s", p->id_type, p->id_number);
}

static int person_insert(import_ctx *cx, void *rec, fk_err *err)
{
    return registry_person_create_deferred(cx->st, cx->a, rec, err);
}

/* The health codes of the file's persons, in one set-based recompute. */
static int persons_finish(import_ctx *cx, fk_err *err)
{
    return codes_recompute_touched(cx->st, cx->a, "import", NULL, err);
}

/* ---- cases ------------------------------------------------------------------------------ */

static const import_column case_cols[] = {
    {"id", IMPORT_COL_OUT},
    {"number", IMPORT_COL_OUT},
    {"person_id", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"person_id_number", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"person_name", IMPORT_COL_OUT},
    {"classification", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"severity", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"status", IMPORT_COL_OUT},
    {"reported_at", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"sampling_date", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"onset_date", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"source", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"hospital", IMPORT_COL_IN | IMPORT_COL_OUT},
};
enum { C_ID, C_NUMBER, C_PID, C_PIDNUM, C_PNAME, C_CLASS, C_SEV, C_STATUS, C_REPORTED,
       C_SAMPLING, C_ONSET, C_SOURCE, C_HOSPITAL };

static int case_check_header(const bool *present, fk_err *err)
{
    if (!present[C_PID] && !present[C_PIDNUM])
        return fk_fail(err, FK_EINVAL, "person_id",
                       "the header needs a person_id or a person_id_number column");
    return 0;
}

/* Resolves the person of a case row into c->person_id. 0, 1 (bad) or -1. */
static int case_person(import_ctx *cx, const char *const *v, epicase *c, fk_err *bad,
                       fk_err *err)
{
    person p;
    fk_err e;
    if (!v[C_PID][0] && !v[C_PIDNUM][0])
        return fk_fail(bad, FK_EINVAL, "person_id", "person_id or person_id_number required"), 1;
    if (v[C_PID][0]) {
        if (put_id(&c->person_id, v[C_PID], "person_id", bad) != 0)
            return 1;
        int rc = lookup_result(store_person_get(cx->st, c->person_id, &p, &e), &e, err);
        if (rc < 0)
            return -1;
        if (rc > 0 || !role_in_jurisdiction(cx->a->area_code, p.community_code))
            return fk_fail(bad, FK_EREF, "person_id", "no person %lld",
                           (long long)c->person_id), 1;
    }
    if (v[C_PIDNUM][0]) {
        char num[32];
        if (import_field_text(num, sizeof num, v[C_PIDNUM], "person_id_number", bad) != 0)
            return 1;
        idcard_normalize(num);
        int rc = lookup_result(store_person_find_by_id_number(cx->st, num, &p, &e), &e, err);
        if (rc < 0)
            return -1;
        if (rc > 0 || !role_in_jurisdiction(cx->a->area_code, p.community_code))
            return fk_fail(bad, FK_EREF, "person_id_number", "no person with ID number %s",
                           num), 1;
        if (c->person_id && c->person_id != p.id)
            return fk_fail(bad, FK_EINVAL, "person_id_number", "belongs to person %lld, not %lld",
                           (long long)p.id, (long long)c->person_id), 1;
        c->person_id = p.id;
    }
    return 0;
}

/* 1 with *bad when the person already has this case in the store. */
static int case_duplicate(import_ctx *cx, const epicase *c, fk_err *bad, fk_err *err)
{
    case_filter f = {.person_id = c->person_id, .limit = 1000};
    case_list l;
    if (store_case_list(cx->st, &f, &l, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < l.n && !rc; i++)
        if (!strcmp(l.items[i].sampling_date, c->sampling_date) &&
            !strcmp(l.items[i].classification, c->classification))
            rc = (fk_fail(bad, FK_ECONFLICT, "sampling_date",
                          "person %lld already has a %s case sampled on %s (case %lld)",
                          (long long)c->person_id, c->classification, c->sampling_date,
                          (long long)l.items[i].number), 1);
    case_list_free(&l);
    return rc;
}

static int case_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                      fk_err *err)
{
    epicase *c = rec;
    int rc = case_person(cx, v, c, bad, err);
    if (rc)
        return rc;
    if (import_field_text(c->classification, sizeof c->classification,
                          v[C_CLASS], "classification", bad) ||
        import_field_text(c->severity, sizeof c->severity, v[C_SEV], "severity", bad) ||
        import_field_text(c->sampling_date, sizeof c->sampling_date,
                          v[C_SAMPLING], "sampling_date", bad) ||
        import_field_text(c->onset_date, sizeof c->onset_date, v[C_ONSET], "onset_date", bad) ||
        import_field_text(c->source, sizeof c->source, v[C_SOURCE], "source", bad) ||
        import_field_text(c->hospital, sizeof c->hospital, v[C_HOSPITAL], "hospital", bad))
        return 1;
    if (!v[C_REPORTED][0])
        return fk_fail(bad, FK_EINVAL, "reported_at", "required"), 1;
    if (fk_instant_parse(v[C_REPORTED], &c->reported_at, "reported_at", bad) != 0 ||
        case_validate(c, bad) != 0)
        return 1;
    return case_duplicate(cx, c, bad, err);
}

static void case_key(const void *rec, strbuf *out)
{
    const epicase *c = rec;
    sb_appendf(out, "%lld|%s|%s", (long long)c->person_id, c->sampling_date, c->classification);
}

/* A confirmed case proposes its zones in the import's transaction, as one entered
 * through the API does (services/zones.h); without a trace index the venues are read
 * from the store. */
static int case_insert(import_ctx *cx, void *rec, fk_err *err)
{
    epicase *c = rec;
    if (registry_case_create(cx->st, cx->a, c, err) != 0)
        return -1;
    const struct policy *pol = import_ctx_policy(cx);
    return pol ? zones_case_written(cx->st, pol, NULL, cx->a, NULL, c->id, err) : 0;
}

/* ---- areas ------------------------------------------------------------------------------ */

static const import_column area_cols[] = {
    {"code", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"parent_code", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"name", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"level", IMPORT_COL_IN | IMPORT_COL_OUT},
};
enum { A_CODE, A_PARENT, A_NAME, A_LEVEL };

static int area_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                      fk_err *err)
{
    area *ar = rec;
    if (import_field_text(ar->code, sizeof ar->code, v[A_CODE], "code", bad) ||
        import_field_text(ar->parent_code, sizeof ar->parent_code,
                          v[A_PARENT], "parent_code", bad) ||
        import_field_text(ar->name, sizeof ar->name, v[A_NAME], "name", bad) ||
        import_field_text(ar->level, sizeof ar->level, v[A_LEVEL], "level", bad))
        return 1;
    const char *level = area_level_of(ar->code);
    if (!ar->level[0] && level)
        snprintf(ar->level, sizeof ar->level, "%s", level);
    if (area_validate(ar, bad) != 0)
        return 1;
    area old;
    fk_err e;
    int rc = lookup_result(store_area_get(cx->st, ar->code, &old, &e), &e, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return fk_fail(bad, FK_ECONFLICT, "code", "area %s already exists (%s)", ar->code,
                       old.name), 1;
    if (!ar->parent_code[0] || import_ctx_seen(cx, ar->parent_code))
        return 0;
    rc = lookup_result(store_area_get(cx->st, ar->parent_code, &old, &e), &e, err);
    if (rc > 0)
        return fk_fail(bad, FK_EREF, "parent_code", "no area %s (parents must come before "
                       "their children in the file)", ar->parent_code), 1;
    return rc;
}

static void area_key(const void *rec, strbuf *out)
{
    sb_append(out, ((const area *)rec)->code);
}

static int area_insert(import_ctx *cx, void *rec, fk_err *err)
{
    const area *ar = rec;
    audit_rec a;
    actor_audit(cx->a, &a, "create", "area", 0, ar->code);
    if (store_area_insert(cx->st, ar, err) != 0)
        return -1;
    return store_audit_append(cx->st, &a, err);
}

/* ---- the table -------------------------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const import_kind persons_kind = {
    "persons", "person", PERM_PERSON_WRITE, person_cols, COUNT(person_cols), sizeof(person),
    NULL, person_parse, person_key, "id_number", person_insert, .finish = persons_finish};
static const import_kind cases_kind = {
    "cases", "case", PERM_CASE_WRITE, case_cols, COUNT(case_cols), sizeof(epicase),
    case_check_header, case_parse, case_key, "sampling_date", case_insert};
/* Areas shape every jurisdiction: only roles that administer users may load them. */
static const import_kind areas_kind = {
    "areas", "area", PERM_USER_ADMIN, area_cols, COUNT(area_cols), sizeof(area), NULL,
    area_parse, area_key, "code", area_insert};

/* Kinds defined in their own files (import_*.c) join this list. */
static const import_kind *const kinds[] = {
    &persons_kind, &cases_kind, &areas_kind, &import_kind_stays, &import_kind_checkins,
    &import_kind_pings, &import_kind_proximity, &import_kind_scans, &import_kind_results,
    &import_kind_risk_areas, &import_kind_arrivals, &import_kind_itineraries};

const import_kind *import_kind_find(const char *name)
{
    for (size_t i = 0; i < COUNT(kinds); i++)
        if (name && !strcmp(kinds[i]->name, name))
            return kinds[i];
    return NULL;
}

const char *import_kind_names(void)
{
    return "persons, cases, areas, stays, checkins, pings, proximity, scans, results, "
           "risk-areas, arrivals, itineraries";
}
