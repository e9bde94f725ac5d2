/*
 * store_sqlite.c - the SQLite backend: connection, migrations, transactions, the
 * statement cache, error mapping, the audit log, check and counts.
 *
 * Open: WAL journal, synchronous=FULL (a returned write survives kill -9 and power
 * loss), foreign_keys=ON, busy_timeout 10 s, then migrations. Migrations are the
 * embedded files src/store/migrations/NNNN_*.sql; each one whose number is above
 * PRAGMA user_version runs in its own BEGIN IMMEDIATE transaction together with the
 * version bump. The version is read after the write lock is held, so two handles
 * opening the same new database at once apply each migration exactly once. A migration
 * whose first line is SQ_MIGRATION_FK_OFF (a table rebuild: SQLite's documented
 * procedure needs it) runs with foreign keys off and commits only if PRAGMA
 * foreign_key_check finds no violation in the whole store.
 *
 * Units (see store_sqlite_int.h invariant 3):
 *
 *     depth 0 --sq_begin--> 1: BEGIN IMMEDIATE --sq_begin--> 2: SAVEPOINT sq ...
 *     depth n --sq_commit--> n-1: RELEASE sq  (n = 1: COMMIT)
 *     depth n --sq_rollback--> n-1: ROLLBACK TO sq; RELEASE sq  (n = 1: ROLLBACK)
 *
 * If SQLite itself aborted the whole transaction (I/O error, out of memory), the
 * connection is back in autocommit; rollbacks then only count down, and the outer
 * commit reports the loss instead of committing half a batch.
 * Never a deferred transaction: a read that later upgrades to a write could fail
 * with SQLITE_BUSY_SNAPSHOT under concurrency.
 */
#include "store/store_sqlite_int.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/embed.h"
#include "base/timeutil.h"

#define SQ_MIGRATION_DIR "src/store/migrations/"
#define SQ_MAX_MIGRATIONS 64

static const struct store_ops sq_ops;

/* ---- statements and errors ------------------------------------------------------- */

int sq_dberr(struct sq_store *s, int rc, fk_err *err)
{
    const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return fk_fail(err, FK_EBUSY, "", "the database is busy, try again: %s", msg);
    case SQLITE_CONSTRAINT:
        return fk_fail(err, FK_ECONFLICT, "", "the change violates a database constraint: %s",
                       msg);
    case SQLITE_NOMEM:
        return fk_fail(err, FK_EBUSY, "", "the database is out of memory");
    default:
        return fk_fail(err, FK_EIO, "", "database error: %s", msg);
    }
}

sqlite3_stmt *sq_stmt(struct sq_store *s, enum sq_stmt_id id, const char *sql, fk_err *err)
{
    sqlite3_stmt *st = s->stmt[id];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        sq_dberr(s, rc, err);
        return NULL;
    }
    s->stmt[id] = st;
    return st;
}

int sq_exec_stmt(struct sq_store *s, sqlite3_stmt *st, fk_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    return sq_dberr(s, rc, err);
}

int sq_step_row(struct sq_store *s, sqlite3_stmt *st, fk_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    return sq_dberr(s, rc, err);
}

int sq_answers_moved(struct sq_store *s, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ANSWERS_MOVED, "UPDATE code_answers_version SET version = "
                              "version + 1 WHERE id = 1", err);
    return q ? sq_exec_stmt(s, q, err) : -1;
}

int sq_int_query(struct sq_store *s, sqlite3_stmt *st, int64_t *out, fk_err *err)
{
    int r = sq_step_row(s, st, err);
    if (r < 0)
        return -1;
    *out = r ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return 0;
}

int sq_bind_text(sqlite3_stmt *st, int idx, const char *text)
{
    if (!text)
        return sqlite3_bind_null(st, idx);
    return sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC);
}

void sq_col_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

static int sq_exec_id(struct sq_store *s, enum sq_stmt_id id, const char *sql, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, id, sql, err);
    return st ? sq_exec_stmt(s, st, err) : -1;
}

static int sq_exec_sql(struct sq_store *s, const char *sql, fk_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    return rc == SQLITE_OK ? 0 : sq_dberr(s, rc, err);
}

/* ---- units ------------------------------------------------------------------------- */

/* Writers of this process queue on one mutex before BEGIN IMMEDIATE. Without it, the
 * handles of the HTTP worker threads meet SQLite's busy handler, which sleeps in steps
 * of up to 100 ms while another handle commits: a p99 of hundreds of milliseconds under
 * a load of audited reads. The mutex hands the write lock over in microseconds; the busy
 * timeout still covers other processes (the CLI beside a running server). */
static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
/* Writes announced by store_writes_pending and not yet done (the checkpointer's passes
 * wait while there are any). */
static atomic_int writers_busy;

int sq_writers_busy(void)
{
    return atomic_load_explicit(&writers_busy, memory_order_relaxed);
}

void store_writes_pending(bool pending)
{
    atomic_fetch_add_explicit(&writers_busy, pending ? 1 : -1, memory_order_relaxed);
}

/* The writers' mutex taken or given back outside any unit (the checkpointer holds the
 * process's writers while it truncates the WAL; store_sqlite_int.h). */
void sq_writer_hold(bool hold)
{
    if (hold)
        pthread_mutex_lock(&writer_lock);
    else
        pthread_mutex_unlock(&writer_lock);
}

/* Ends one unit (depth - 1); the end of the outermost releases the writer lock, and a
 * hold of checked results (store_results_checked_hold) its caller left on. */
static void unit_finished(struct sq_store *s)
{
    s->depth--;
    if (s->depth > 0)
        return;
    if (s->checks_held)
        sq_results_checked_hold(&s->base, false, NULL);
    pthread_mutex_unlock(&writer_lock);
}

int sq_begin(struct sq_store *s, fk_err *err)
{
    if (s->depth == 0) {
        pthread_mutex_lock(&writer_lock);
        if (sq_exec_id(s, SQ_BEGIN, "BEGIN IMMEDIATE", err) != 0) {
            pthread_mutex_unlock(&writer_lock);
            return -1;
        }
    } else if (sq_exec_id(s, SQ_SAVEPOINT, "SAVEPOINT sq", err) != 0) {
        return -1;
    }
    s->depth++;
    return 0;
}

void sq_rollback(struct sq_store *s)
{
    if (s->depth <= 0)
        return;
    if (!sqlite3_get_autocommit(s->db)) {
        if (s->depth == 1) {
            sq_exec_id(s, SQ_ROLLBACK, "ROLLBACK", NULL);
        } else {
            sq_exec_id(s, SQ_ROLLBACK_TO, "ROLLBACK TO sq", NULL);
            sq_exec_id(s, SQ_RELEASE, "RELEASE sq", NULL);
        }
    }
    unit_finished(s);
}

int sq_commit(struct sq_store *s, fk_err *err)
{
    if (s->depth <= 0)
        return fk_fail(err, FK_EINTERNAL, "", "store: commit without a matching begin");
    if (sqlite3_get_autocommit(s->db)) {
        unit_finished(s);
        return fk_fail(err, FK_EIO, "",
                       "the database aborted the transaction; nothing of it was saved");
    }
    int rc = s->depth == 1 ? sq_exec_id(s, SQ_COMMIT, "COMMIT", err)
                           : sq_exec_id(s, SQ_RELEASE, "RELEASE sq", err);
    if (rc != 0) {
        sq_rollback(s);
        return -1;
    }
    unit_finished(s);
    return 0;
}

int sq_write1(struct sq_store *s, sqlite3_stmt *st, fk_err *err)
{
    if (s->depth > 0)
        return sq_exec_stmt(s, st, err);
    if (sq_begin(s, err) != 0) {
        sqlite3_reset(st);
        return -1;
    }
    return sq_end(s, sq_exec_stmt(s, st, err), err);
}

int sq_end(struct sq_store *s, int rc, fk_err *err)
{
    if (rc == 0)
        return sq_commit(s, err);
    sq_rollback(s);
    return -1;
}

int sq_read_begin(struct sq_store *s, int *began, fk_err *err)
{
    *began = 0;
    if (s->depth > 0)
        return 0;
    if (sq_exec_id(s, SQ_BEGIN_READ, "BEGIN", err) != 0)
        return -1;
    *began = 1;
    return 0;
}

void sq_read_end(struct sq_store *s, int began)
{
    if (began && !sqlite3_get_autocommit(s->db))
        sq_exec_id(s, SQ_COMMIT, "COMMIT", NULL);
}

static int sq_op_begin(store *st, fk_err *err) { return sq_begin(SQ(st), err); }
static int sq_op_commit(store *st, fk_err *err) { return sq_commit(SQ(st), err); }
static void sq_op_rollback(store *st) { sq_rollback(SQ(st)); }

/* ---- dynamic queries -------------------------------------------------------------- */

void sq_bind_add_text(sq_binds *b, const char *text)
{
    if (b->n >= SQ_MAX_BINDS)
        abort(); /* a bug: the callers have a fixed number of filters */
    b->v[b->n].text = text;
    b->v[b->n].is_text = 1;
    b->n++;
}

void sq_bind_add_int(sq_binds *b, int64_t num)
{
    if (b->n >= SQ_MAX_BINDS)
        abort();
    b->v[b->n].num = num;
    b->v[b->n].is_text = 0;
    b->n++;
}

sqlite3_stmt *sq_prepare_bound(struct sq_store *s, const char *sql, const sq_binds *b,
                               fk_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sq_dberr(s, rc, err);
        sqlite3_finalize(st);
        return NULL;
    }
    for (int i = 0; i < b->n; i++) {
        if (b->v[i].is_text)
            sq_bind_text(st, i + 1, b->v[i].text);
        else
            sqlite3_bind_int64(st, i + 1, b->v[i].num);
    }
    return st;
}

int sq_count(struct sq_store *s, const char *sql, const sq_binds *b, int64_t *out, fk_err *err)
{
    sqlite3_stmt *st = sq_prepare_bound(s, sql, b, err);
    if (!st)
        return -1;
    int rc = sq_int_query(s, st, out, err);
    sqlite3_finalize(st);
    return rc;
}

int sq_collect(struct sq_store *s, sqlite3_stmt *st, sq_row_fn fn, size_t size, void **items,
               size_t *n, fk_err *err)
{
    char *arr = NULL;
    size_t cap = 0, len = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char *grown = fk_try_realloc(arr, ncap * size);
            if (!grown) {
                rc = SQLITE_NOMEM;
                break;
            }
            arr = grown;
            cap = ncap;
        }
        memset(arr + len * size, 0, size);
        fn(st, arr + len * size);
        len++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(arr);
        if (rc == SQLITE_NOMEM)
            return fk_fail(err, FK_EBUSY, "", "out of memory reading a list");
        return sq_dberr(s, rc, err);
    }
    *items = arr;
    *n = len;
    return 0;
}

int sq_page(struct sq_store *s, const sq_page_query *q, sq_binds *b, void **items, size_t *n,
            int64_t *total, fk_err *err)
{
    strbuf sql = STRBUF_INIT;
    int rc = -1, began = 0;
    if (sq_read_begin(s, &began, err) != 0)
        goto done;
    if (q->count) {
        if (sq_count(s, q->count, q->count_binds, total, err) != 0)
            goto done;
    } else {
        sb_appendf(&sql, "SELECT count(*) FROM %s%s", q->from, q->where);
        if (sq_count(s, sb_str(&sql), b, total, err) != 0)
            goto done;
    }
    sb_reset(&sql);
    sb_appendf(&sql, "SELECT %s FROM %s%s ORDER BY %s LIMIT ? OFFSET ?", q->columns, q->from,
               q->where, q->order);
    sq_bind_add_int(b, sq_limit(q->limit));
    sq_bind_add_int(b, sq_offset(q->offset));
    sqlite3_stmt *st = sq_prepare_bound(s, sb_str(&sql), b, err);
    if (!st)
        goto done;
    rc = sq_collect(s, st, q->row, q->size, items, n, err);
    sqlite3_finalize(st);
done:
    sq_read_end(s, began);
    sb_free(&sql);
    return rc;
}

void sq_where_prefix(strbuf *w, sq_binds *b, const char *col, const char *prefix)
{
    if (!sq_given(prefix))
        return;
    sb_appendf(w, " AND %s >= ? AND %s < ? || '~'", col, col);
    sq_bind_add_text(b, prefix);
    sq_bind_add_text(b, prefix);
}

int sq_run_bound(struct sq_store *s, const char *sql, const sq_binds *b, fk_err *err)
{
    sqlite3_stmt *q = sq_prepare_bound(s, sql, b, err);
    if (!q)
        return -1;
    int rc = sq_exec_stmt(s, q, err);
    sqlite3_finalize(q);
    return rc;
}

int sq_collect_sql(struct sq_store *s, const char *sql, const sq_binds *b, sq_row_fn fn,
                   size_t size, void **items, size_t *n, fk_err *err)
{
    *items = NULL;
    *n = 0;
    sqlite3_stmt *q = sq_prepare_bound(s, sql, b, err);
    if (!q)
        return -1;
    int rc = sq_collect(s, q, fn, size, items, n, err);
    sqlite3_finalize(q);
    return rc;
}

int sq_one_sql(struct sq_store *s, const char *sql, const sq_binds *b, sq_row_fn fn,
               size_t size, void *out, fk_err *err)
{
    void *items;
    size_t n;
    if (sq_collect_sql(s, sql, b, fn, size, &items, &n, err) != 0)
        return -1;
    if (n)
        memcpy(out, items, size);
    free(items);
    return n ? 1 : 0;
}

int sq_limit(int limit)
{
    if (limit <= 0)
        return 50;
    return limit > 1000 ? 1000 : limit;
}

int sq_offset(int offset) { return offset < 0 ? 0 : offset; }

int sq_given(const char *s) { return s && *s; }

/* ---- has anything committed? ----------------------------------------------------------
 * Every commit, by any connection of any process, rewrites the wal-index header at the
 * start of the -shm file every connection maps (its change counter moves and its
 * checksums with it: sqlite.org/walformat.html, 2.1). The header is read as SQLite's
 * readers read it: both copies, the first then the second, equal (a writer writes the
 * second first). The mapping is asked of the VFS (xShmMap) once and kept: it lives with
 * the connection's WAL, which SQLite closes only when the connection closes or leaves
 * WAL mode (the store never leaves it), and the unix VFS maps each region once and keeps
 * it until then. Asking each time cost every call the VFS's mutex of the -shm file,
 * shared by all the process's connections: at 256 connections the workers' gate scans
 * contended for it (futex waits, strace) on every scan. */
bool sq_wal_header(struct sq_store *s, unsigned char out[SQ_WAL_HDR_BYTES])
{
    sqlite3_file *f = NULL;
    volatile void *region = NULL;
    if (!s->shm0) {
        if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
            !f || !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap ||
            f->pMethods->xShmMap(f, 0, 32 * 1024, 0, &region) != SQLITE_OK || !region)
            return false;
        s->shm0 = region;
    }
    const volatile unsigned char *h = s->shm0;
    unsigned char second[SQ_WAL_HDR_BYTES];
    atomic_thread_fence(memory_order_acquire);
    for (int i = 0; i < SQ_WAL_HDR_BYTES; i++)
        out[i] = h[i];
    atomic_thread_fence(memory_order_acquire);
    for (int i = 0; i < SQ_WAL_HDR_BYTES; i++)
        second[i] = h[SQ_WAL_HDR_BYTES + i];
    return out[12] /* isInit */ && !memcmp(out, second, sizeof second);
}

bool sq_reads_now(struct sq_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        return false;
    for (sqlite3_stmt *p = sqlite3_next_stmt(s->db, NULL); p; p = sqlite3_next_stmt(s->db, p))
        if (sqlite3_stmt_busy(p))
            return false;
    return true;
}

/* ---- migrations -------------------------------------------------------------------- */

typedef struct sq_migration { int number; const embedded_file *file; } sq_migration;

/* The embedded migrations in ascending order; returns how many. */
static size_t sq_migrations(sq_migration *out, size_t cap)
{
    size_t n = 0, plen = strlen(SQ_MIGRATION_DIR);
    for (size_t i = 0; i < embedded_count && n < cap; i++) {
        const char *name = embedded_files[i].name;
        if (strncmp(name, SQ_MIGRATION_DIR, plen) != 0)
            continue;
        int num = atoi(name + plen);
        if (num <= 0)
            continue;
        size_t j = n++;
        while (j > 0 && out[j - 1].number > num) {
            out[j] = out[j - 1];
            j--;
        }
        out[j].number = num;
        out[j].file = &embedded_files[i];
    }
    return n;
}

int store_sqlite_schema_latest(void)
{
    sq_migration m[SQ_MAX_MIGRATIONS];
    size_t n = sq_migrations(m, SQ_MAX_MIGRATIONS);
    return n ? m[n - 1].number : 0;
}

static int sq_user_version(struct sq_store *s, int *out, fk_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_dberr(s, rc, err);
    int64_t v = 0;
    rc = sq_int_query(s, st, &v, err);
    sqlite3_finalize(st);
    *out = (int)v;
    return rc;
}

/* The first line of a migration that rebuilds a table (create the new one, copy, drop
 * the old, rename): with foreign keys on, the DROP would check every row referencing
 * the old table, and the pragma cannot change inside the transaction. */
#define SQ_MIGRATION_FK_OFF "-- fangkong: foreign keys off\n"

/* 0 when no row of the store breaks a foreign key, else FK_EIO naming the first. */
static int sq_foreign_keys_hold(struct sq_store *s, const char *migration, fk_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_dberr(s, rc, err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        fk_fail(err, FK_EIO, "", "migration %s leaves a foreign key broken: %s row %lld",
                migration, (const char *)sqlite3_column_text(st, 0),
                (long long)sqlite3_column_int64(st, 1));
    else if (rc != SQLITE_DONE)
        sq_dberr(s, rc, err);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The migration's statements and the version bump, inside the caller's transaction. */
static int sq_apply_body(struct sq_store *s, const sq_migration *m, bool fk_off, fk_err *err)
{
    char bump[48];
    snprintf(bump, sizeof bump, "PRAGMA user_version = %d", m->number);
    if (sq_exec_sql(s, m->file->data, err) != 0 || sq_exec_sql(s, bump, err) != 0) {
        if (err)
            fk_fail(err, err->code, "", "migration %s failed: %.180s", m->file->name,
                    sqlite3_errmsg(s->db));
        return -1;
    }
    return fk_off ? sq_foreign_keys_hold(s, m->file->name, err) : 0;
}

/* Apply one migration if the stored version is below it, in its own transaction. */
static int sq_apply_one(struct sq_store *s, const sq_migration *m, fk_err *err)
{
    int version = 0, rc = -1;
    bool fk_off = !strncmp(m->file->data, SQ_MIGRATION_FK_OFF, strlen(SQ_MIGRATION_FK_OFF));
    if (fk_off && sq_exec_sql(s, "PRAGMA foreign_keys=OFF", err) != 0)
        return -1;
    if (sq_exec_sql(s, "BEGIN IMMEDIATE", err) != 0)
        goto done;
    if (sq_user_version(s, &version, err) == 0 &&
        (version >= m->number || sq_apply_body(s, m, fk_off, err) == 0) &&
        sq_exec_sql(s, "COMMIT", err) == 0)
        rc = 0;
    if (rc != 0 && !sqlite3_get_autocommit(s->db))
        sq_exec_sql(s, "ROLLBACK", NULL);
done:
    if (fk_off && sq_exec_sql(s, "PRAGMA foreign_keys=ON", rc ? NULL : err) != 0)
        rc = -1;
    return rc;
}

static int sq_migrate(struct sq_store *s, fk_err *err)
{
    sq_migration m[SQ_MAX_MIGRATIONS];
    size_t n = sq_migrations(m, SQ_MAX_MIGRATIONS);
    int latest = n ? m[n - 1].number : 0;
    if (sq_user_version(s, &s->version, err) != 0)
        return -1;
    if (s->version > latest)
        return fk_fail(err, FK_EIO, "",
                       "the database has schema version %d, newer than this program's %d",
                       s->version, latest);
    for (size_t i = 0; i < n; i++)
        if (m[i].number > s->version && sq_apply_one(s, &m[i], err) != 0)
            return -1;
    return sq_user_version(s, &s->version, err);
}

/* ---- open and close ------------------------------------------------------------------ */

static void sq_close(store *st)
{
    struct sq_store *s = SQ(st);
    if (!s)
        return;
    while (s->depth > 0)
        sq_rollback(s);
    for (int i = 0; i < SQ_NSTMT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    free(s);
}

/* Switch to WAL. Changing the journal mode needs an exclusive lock and SQLite does
 * not always call the busy handler for it (two handles creating the same database
 * at once), so retry SQLITE_BUSY here for up to the busy timeout. */
static int sq_wal(struct sq_store *s, fk_err *err)
{
    const struct timespec pause = {0, 10 * 1000 * 1000};
    for (int attempt = 0;; attempt++) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            int wal = !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
            sqlite3_finalize(st);
            if (!wal)
                return fk_fail(err, FK_EIO, "", "the database cannot use write-ahead logging");
            return 0;
        }
        sqlite3_finalize(st);
        if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) || attempt >= 1000)
            return sq_dberr(s, rc, err);
        nanosleep(&pause, NULL);
    }
}

static int sq_configure(struct sq_store *s, fk_err *err)
{
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    if (sq_wal(s, err) != 0)
        return -1;
    /* a 64 MiB page cache (allocated only as used) keeps big batches out of the WAL
     * until commit; savepoint journals stay in memory. The WAL is checkpointed at 10,000
     * pages (40 MiB) instead of SQLite's 1,000: the checkpoint runs inside the commit
     * that crosses the mark, under the write lock every writer waits for, and a page
     * written by many commits in between (the indexes, the counters) is copied once;
     * batch allocations spent a third less time committing. In a process that runs a
     * checkpointer (the server) its thread copies instead (store_sqlite_checkpoint.c). */
    if (sq_exec_sql(s,
                    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                    "PRAGMA cache_size=" SQ_STR(SQ_CACHE_KIB_NEG) "; PRAGMA temp_store=MEMORY; "
                    "PRAGMA wal_autocheckpoint=" SQ_STR(SQ_AUTOCKPT) ";",
                    err) != 0)
        return -1;
    s->watched = sq_checkpoint_watch(s->db);
    /* the members' and results' virtual tables and the aggregates of 0035 and 0044,
     * before the migrations use them;
     * fk_ids for the readers of leads by area */
    int rc = sq_members_register(s->db);
    if (rc == SQLITE_OK)
        rc = sq_results_register(s->db);
    if (rc == SQLITE_OK)
        rc = sq_lead_ids_register(s->db);
    return rc == SQLITE_OK ? 0 : sq_dberr(s, rc, err);
}

/* Before SQLite initialises, once: no memory statistics (nothing reads them), so an
 * allocation takes no global mutex. A bulk import allocates per statement step; with
 * the statistics on, pthread_mutex_lock/unlock were 12% of the CPU of importing
 * 970,001 scans (perf, bench/testing). */
static void sq_global_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

store *store_sqlite_open(const char *path, fk_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_global_config);
    struct sq_store *s = fk_calloc(1, sizeof *s);
    s->base.ops = &sq_ops;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        fk_fail(err, FK_EIO, "", "cannot open database %s: %s", path,
                s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto fail;
    }
    if (sq_configure(s, err) != 0 || sq_migrate(s, err) != 0)
        goto fail;
    return &s->base;
fail:
    sq_close(&s->base);
    return NULL;
}

/* Switch the n connection settings ops (SQLITE_DBCONFIG_ENABLE_*) off, keeping in was[]
 * what each was, or back to was[] (off false). */
static void config_off(sqlite3 *db, const int *ops, int n, bool off, int *was)
{
    for (int i = 0; i < n; i++) {
        int now = 0;
        if (off) /* the out parameter is the state after the call: ask first (-1) */
            sqlite3_db_config(db, ops[i], -1, &was[i]);
        sqlite3_db_config(db, ops[i], off ? 0 : was[i], &now);
    }
}

void sq_checks_off(sqlite3 *db, bool off, int was[2])
{
    static const int ops[2] = {SQLITE_DBCONFIG_ENABLE_TRIGGER, SQLITE_DBCONFIG_ENABLE_FKEY};
    config_off(db, ops, 2, off, was);
}

void sq_fkeys_off(sqlite3 *db, bool off, int *was)
{
    static const int ops[1] = {SQLITE_DBCONFIG_ENABLE_FKEY};
    config_off(db, ops, 1, off, was);
}

/* No connection keeps CHECKs off (the allocator's switches triggers and foreign keys
 * only), so back on is simply on. */
int sq_row_checks_off(struct sq_store *s, bool off, fk_err *err)
{
    return sq_exec_sql(s, off ? "PRAGMA ignore_check_constraints=ON"
                              : "PRAGMA ignore_check_constraints=OFF",
                       err);
}

static int sq_schema_version(store *st) { return SQ(st)->version; }

/* Reads of the database file through a memory map (SQLite caps the size at its
 * compile-time limit; writes and the WAL still go through write and fsync, so durability
 * is unchanged): a big scan then costs no read() copy and no freshly zeroed heap page per
 * page read, a third of the escalation sweep's time over 352,106 leads (0.96-1.35 s of
 * CPU to 0.62-0.70 s, bench/loop). Not for every connection: a connection that writes
 * much grows the file, and each growth remaps it and faults every page in again; the
 * push of 101,655 leads took 1.23-1.26 s of CPU mapped against 0.83-0.86 s without. */
static int sq_map_reads(store *st, fk_err *err)
{
    return sq_exec_sql(SQ(st), "PRAGMA mmap_size=4294967296", err);
}

static int sq_unmap_reads(store *st, fk_err *err)
{
    return sq_exec_sql(SQ(st), "PRAGMA mmap_size=0", err);
}

/* The scans import of 970,001 rows (bench/testing): with 64 MiB every page it wrote
 * waited for the commit, 0.21-0.23 s of writing the WAL after the last batch; with 8 MiB
 * the writer thread spills them while the parser works, and the commit took 0.10-0.14 s
 * (less system time too: fewer fresh pages of cache faulted in). */
static int sq_spill_early(store *st, int kib, fk_err *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%d", kib > 0 ? -kib : SQ_CACHE_KIB_NEG);
    return sq_exec_sql(SQ(st), sql, err);
}

/* sqlite3_wal_autocheckpoint replaces the connection's WAL hook: never on a watched one
 * (the checkpointer's hook would be lost). */
static int sq_checkpoint_later(store *st, bool later, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (s->watched)
        return 0;
    int rc = sqlite3_wal_autocheckpoint(s->db, later ? 0 : SQ_AUTOCKPT);
    return rc == SQLITE_OK ? 0 : sq_dberr(s, rc, err);
}

/* The WAL through a descriptor of its own: SQLite exposes no handle of its files, and
 * holds no lock on the WAL (its locks are the database's and the -shm's), so opening and
 * closing one releases none of SQLite's. Writing 486 spilled pages' worth (2 MiB) out
 * before a 20 ms pause halved the commit's fdatasync after it (10.3 -> 5.4 ms median of
 * 12 here; the call itself 0.5-0.7 ms). */
static void sq_wal_write_early(store *st)
{
#ifdef SYNC_FILE_RANGE_WRITE
    const char *db = sqlite3_db_filename(SQ(st)->db, "main");
    const char *wal = db && db[0] ? sqlite3_filename_wal(db) : NULL;
    int fd = wal ? open(wal, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0)
        return;
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    close(fd);
#else
    (void)st;
#endif
}

/* Switched off once, for good (store.h): sq_checks_off then finds them off and leaves
 * the connection's flags, and so its prepared statements, as they are. */
static int sq_batch_writer(store *st, fk_err *err)
{
    int was[2];
    (void)err;
    sq_checks_off(SQ(st)->db, true, was);
    return 0;
}

/* ---- audit --------------------------------------------------------------------------- */

int sq_audit_write(struct sq_store *s, const audit_rec *a, int64_t entity_id, fk_err *err)
{
    if (!a)
        return 0;
    sqlite3_stmt *st = sq_stmt(s, SQ_AUDIT_INSERT,
                               "INSERT INTO audit (at, actor, role, action, entity, entity_id, "
                               "detail, remote) VALUES (?,?,?,?,?,?,?,?)",
                               err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, a->at ? a->at : fk_now());
    sq_bind_text(st, 2, a->actor);
    sq_bind_text(st, 3, a->role);
    sq_bind_text(st, 4, a->action);
    sq_bind_text(st, 5, a->entity);
    sqlite3_bind_int64(st, 6, a->entity_id ? a->entity_id : entity_id);
    sq_bind_text(st, 7, a->detail);
    sq_bind_text(st, 8, a->remote);
    return sq_exec_stmt(s, st, err);
}

/* A stand-alone append records a read (changes write their audit row inside their own
 * transaction). It commits with synchronous=NORMAL: when the call returns the row is in
 * the WAL, so it survives kill -9 of the server; it reaches the platter with the next
 * FULL commit or checkpoint, so only a power cut in between can lose it. Waiting for an
 * fsync on every read held the API to about 3,000 reads a second with a p99 near 60 ms
 * under 16 connections (bench/registry); every change still commits with FULL. */
int sq_append_reads(struct sq_store *s, sq_append_fn write, const void *items, size_t n,
                    fk_err *err)
{
    bool relaxed =
        s->depth == 0 && sq_exec_id(s, SQ_SYNC_NORMAL, "PRAGMA synchronous=NORMAL", err) == 0;
    int rc = -1;
    if (sq_begin(s, err) == 0) {
        rc = 0;
        for (size_t i = 0; rc == 0 && i < n;) {
            int k = write(s, items, i, n, err);
            rc = k > 0 ? 0 : -1;
            i += k > 0 ? (size_t)k : 0;
        }
        rc = sq_end(s, rc, err);
    }
    if (relaxed && sq_exec_id(s, SQ_SYNC_FULL, "PRAGMA synchronous=FULL", rc ? NULL : err) != 0)
        rc = -1;
    return rc;
}

static int audit_write_at(struct sq_store *s, const void *items, size_t i, size_t n,
                          fk_err *err)
{
    (void)n;
    return sq_audit_write(s, (const audit_rec *)items + i, 0, err) == 0 ? 1 : -1;
}

static int sq_audit_append_many(store *st, const audit_rec *a, size_t n, fk_err *err)
{
    return sq_append_reads(SQ(st), audit_write_at, a, n, err);
}

static int sq_audit_append(store *st, const audit_rec *a, fk_err *err)
{
    return sq_audit_append_many(st, a, 1, err);
}

/* ---- check and counts ---------------------------------------------------------------- */

/* Run a PRAGMA check; "ok" when it returns no row or the single row "ok". */
static int sq_check_pragma(struct sq_store *s, const char *pragma, const char *label,
                           strbuf *report, fk_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, pragma, -1, &st, NULL), problems = 0;
    if (rc != SQLITE_OK)
        return sq_dberr(s, rc, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *c0 = (const char *)sqlite3_column_text(st, 0);
        if (sqlite3_column_count(st) == 1 && c0 && !strcmp(c0, "ok"))
            continue;
        if (problems++ == 0)
            fk_fail(err, FK_EIO, "", "%s: %s row %lld", label, c0 ? c0 : "?",
                    (long long)(sqlite3_column_count(st) > 1 ? sqlite3_column_int64(st, 1) : 0));
        sb_appendf(report, "%s: problem: %s", label, c0 ? c0 : "?");
        if (sqlite3_column_count(st) > 1)
            sb_appendf(report, " row %lld references missing %s",
                       (long long)sqlite3_column_int64(st, 1), sqlite3_column_text(st, 2));
        sb_append(report, "\n");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_dberr(s, rc, err);
    if (!problems)
        sb_appendf(report, "%s: ok\n", label);
    return problems ? -1 : 0;
}

static int sq_counts_get(store *st, store_counts *out, fk_err *err);

static int sq_check(store *st, strbuf *report, fk_err *err)
{
    struct sq_store *s = SQ(st);
    int bad = 0;
    fk_err first = {0}, *e = err ? err : &first;
    bad |= sq_check_pragma(s, "PRAGMA integrity_check", "integrity", report, e) != 0;
    fk_err fkerr = {0};
    if (sq_check_pragma(s, "PRAGMA foreign_key_check", "foreign keys", report, &fkerr) != 0) {
        if (!bad)
            *e = fkerr;
        bad = 1;
    }
    int latest = store_sqlite_schema_latest();
    sb_appendf(report, "schema: version %d (latest %d)\n", s->version, latest);
    if (s->version != latest && !bad) {
        fk_fail(e, FK_EIO, "", "schema version %d is not the latest %d", s->version, latest);
        bad = 1;
    }
    store_counts c;
    if (sq_counts_get(st, &c, bad ? NULL : e) != 0)
        return -1;
    sb_appendf(report,
               "rows: areas %lld, households %lld, persons %lld, venues %lld, cases %lld, "
               "users %lld, audit %lld\n",
               (long long)c.areas, (long long)c.households, (long long)c.persons,
               (long long)c.venues, (long long)c.cases, (long long)c.users, (long long)c.audit);
    return bad ? -1 : 0;
}

/* COUNT(*) walks the smallest index; the audit log (the audit table and the gates'
 * scans) is append-only with plain rowids, so its count is max(id) without a scan. */
static int sq_counts_get(store *st, store_counts *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    static const char *const sql =
        "SELECT (SELECT count(*) FROM areas), (SELECT count(*) FROM households), "
        "(SELECT count(*) FROM persons), (SELECT count(*) FROM venues), "
        "(SELECT count(*) FROM cases), (SELECT count(*) FROM users), "
        "(SELECT coalesce(max(id), 0) FROM audit) + (SELECT coalesce(max(id), 0) FROM code_scans)";
    sq_binds b = {0};
    sqlite3_stmt *q = sq_prepare_bound(s, sql, &b, err);
    if (!q)
        return -1;
    int r = sq_step_row(s, q, err);
    if (r == 1) {
        int64_t *f[] = {&out->areas, &out->households, &out->persons, &out->venues,
                        &out->cases, &out->users, &out->audit};
        for (int i = 0; i < 7; i++)
            *f[i] = sqlite3_column_int64(q, i);
    }
    sqlite3_finalize(q);
    return r == 1 ? 0 : -1;
}

static const struct store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .map_reads = sq_map_reads,
    .unmap_reads = sq_unmap_reads,
    .spill_early = sq_spill_early,
    .checkpoint_later = sq_checkpoint_later,
    .wal_write_early = sq_wal_write_early,
    .batch_writer = sq_batch_writer,
    .check = sq_check,
    .begin = sq_op_begin,
    .commit = sq_op_commit,
    .rollback = sq_op_rollback,
    .audit_append = sq_audit_append,
    .audit_append_many = sq_audit_append_many,
    .audit_list = sq_audit_list,
    .scan_audit_append_many = sq_scan_audit_append_many,
    .area_insert = sq_area_insert,
    .area_get = sq_area_get,
    .area_children = sq_area_children,
    .building_insert = sq_building_insert,
    .household_insert = sq_household_insert,
    .household_get = sq_household_get,
    .household_list = sq_household_list,
    .venue_insert = sq_venue_insert,
    .stay_insert = sq_stay_insert,
    .stays_insert_many = sq_stays_insert_many,
    .stays_each = sq_stays_each,
    .stays_version = sq_stays_version,
    .stays_after = sq_stays_after,
    .detections_after = sq_detections_after,
    .pings_after = sq_pings_after,
    .ping_last = sq_ping_last,
    .input_ids = sq_input_ids,
    .contact_upsert = sq_contact_upsert,
    .contact_get = sq_contact_get,
    .contact_list = sq_contact_list,
    .contact_review = sq_contact_review,
    .chain_edges = sq_chain_edges,
    .ping_insert = sq_ping_insert,
    .pings_each = sq_pings_each,
    .detection_insert = sq_detection_insert,
    .detections_each = sq_detections_each,
    .venue_list = sq_venue_list,
    .person_insert = sq_person_insert,
    .person_update = sq_person_update,
    .person_get = sq_person_get,
    .person_find_by_id_number = sq_person_find_by_id_number,
    .person_find_by_subject = sq_person_find_by_subject,
    .person_list = sq_person_list,
    .case_insert = sq_case_insert,
    .case_update = sq_case_update,
    .case_get = sq_case_get,
    .case_list = sq_case_list,
    .case_transition = sq_case_transition,
    .case_transitions = sq_case_transitions,
    .case_tally = sq_case_tally,
    .user_insert = sq_user_insert,
    .user_get_by_name = sq_user_get_by_name,
    .user_get = sq_user_get,
    .user_update = sq_user_update,
    .user_list = sq_user_list,
    .session_insert = sq_session_insert,
    .session_user = sq_session_user,
    .session_revoke = sq_session_revoke,
    .session_revoke_user = sq_session_revoke_user,
    .counts_get = sq_counts_get,
    .outbreak_link_insert = sq_outbreak_link_insert,
    .outbreak_links = sq_outbreak_links,
    .lead_insert = sq_lead_insert,
    .lead_get = sq_lead_get,
    .lead_list = sq_lead_list,
    .lead_each = sq_lead_each,
    .lead_events = sq_lead_events,
    .lead_transition = sq_lead_transition,
    .lead_escalate = sq_lead_escalate,
    .lead_push = sq_lead_push,
    .lead_range = sq_lead_range,
    .lead_escalation_pending = sq_lead_escalation_pending,
    .lead_escalate_page = sq_lead_escalate_page,
    .resp_set = sq_resp_set,
    .resp_at = sq_resp_at,
    .resp_list = sq_resp_list,
    .report_insert = sq_report_insert,
    .reports_between = sq_reports_between,
    .areas_at_levels = sq_areas_at_levels,
    .action_insert = sq_action_insert,
    .action_list = sq_action_list,
    .lead_facts = sq_lead_facts,
    .lead_fact = sq_lead_fact,
    .isolation = &sq_isolation_ops,
    .transfer = &sq_transfer_ops,
    .testing = &sq_testing_ops,
    .coverage = &sq_coverage_ops,
    .sample_flow = &sq_sample_flow_ops,
    .positive = &sq_positive_ops,
    .reconcile = &sq_reconcile_ops,
    .testing_bulk = &sq_testing_bulk_ops,
    .residents = &sq_residents_ops,
    .zone = &sq_zone_ops,
    .travel = &sq_travel_ops,
    .codes = &sq_codes_ops,
};
