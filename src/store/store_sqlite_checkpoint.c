/*
 * store_sqlite_checkpoint.c - the server's checkpointer: the WAL copied into the
 * database file by a thread of its own, off the writers' path. Contract: store.h
 * (store_checkpointer_start).
 *
 * Without it every connection checkpoints by itself (wal_autocheckpoint, SQ_AUTOCKPT
 * pages): the commit that crosses the mark copies the whole WAL into the database file
 * and fsyncs it (40 MiB at 10,000 pages), under the write lock every writer of the
 * process waits for. With it, the connections this process opens on the same file
 * afterwards report each commit to it (a WAL hook in place of the automatic one):
 *
 *   - PASSIVE when `pages` frames wait and no burst of writes is announced
 *     (store_writes_pending: the allocator's queue of batches, a case's push), or
 *     `busy_pages` wait: the
 *     thread copies what no reader still needs and fsyncs the database file while
 *     writers go on committing (SQLite restarts the WAL at the next write once everything
 *     is copied);
 *   - idle: `idle_ms` after the last commit, whatever waits is copied and the WAL
 *     truncated (TRUNCATE, with this process's writers held on their mutex and without
 *     waiting for readers: busy means try again after the next commit);
 *   - the cap: a commit that leaves `hard_pages` frames uncopied checkpoints itself
 *     (PASSIVE, on its own connection, after the thread's pass in progress), so the WAL
 *     cannot outgrow the cap while writers outrun the thread.
 *
 * Durability is SQLite's: a commit is durable in the WAL (synchronous=FULL) before it
 * returns; a checkpoint only copies committed pages and fsyncs the database before it
 * marks them copied, so kill -9 at any moment loses nothing acknowledged.
 *
 * The checkpointer also keeps the process's shared handle (store_shared_take): one
 * connection that the big writers of every thread take in turn, so that its page cache
 * outlives the request (SQLite drops a connection's whole cache when it finds that
 * another connection committed; a case's push on the worker's own handle read about a
 * thousand pages of contacts and persons again per request, as the workers alternated).
 *
 * Invariants: one checkpointer per process (ck); its fields are read and written under
 * ck.mu (ck.shared is set by start before any thread can take it, and cleared by stop
 * under shared_mu); one checkpoint at a time in the process (ckpt_run). Lock order:
 * shared_mu (a taker), the writers' mutex (sq_writer_hold, sq_begin), ckpt_run; ck.mu is
 * never held while taking another.
 * A connection whose hook belongs to a stopped checkpointer (an older generation) falls
 * back to checkpointing itself at SQ_AUTOCKPT pages, as connections without one do.
 */
#include "store/store_sqlite_int.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/log.h"

enum { CK_PAGES = 4000, CK_BUSY_PAGES = 30000, CK_HARD_PAGES = 40000, CK_IDLE_MS = 1000,
       CK_BUSY_POLL_MS = 2 };

struct store_checkpointer {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t thread;
    sqlite3 *db;                 /* the thread's own connection */
    char *path;                  /* the database file, as sqlite3_db_filename names it */
    store_checkpoint_limits lim;
    intptr_t generation;         /* which start the hooks installed belong to */
    bool on, stop;
    int frames;                  /* the WAL's length in frames at the latest commit */
    int copied;                  /* how many of them the latest checkpoint copied */
    uint64_t commits;            /* commits reported so far */
    uint64_t passed;             /* commits reported when the latest pass began */
    bool idle_done;              /* nothing committed since the idle checkpoint */
    struct timespec last_commit; /* CLOCK_MONOTONIC */
    store *shared;               /* NULL when it could not be opened */
};

static store_checkpointer ck = {.mu = PTHREAD_MUTEX_INITIALIZER,
                                .wake = PTHREAD_COND_INITIALIZER};
static pthread_mutex_t ckpt_run = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER; /* held while taken */

static int64_t ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* One checkpoint of `mode` on db; *log and *copied the WAL's frames and those copied. */
static int checkpoint(sqlite3 *db, int mode, int *log, int *copied)
{
    pthread_mutex_lock(&ckpt_run);
    int rc = sqlite3_wal_checkpoint_v2(db, NULL, mode, log, copied);
    pthread_mutex_unlock(&ckpt_run);
    return rc;
}

/* The WAL hook of a watched connection: SQLite calls it after each commit with the WAL's
 * length in frames, in the committing thread (which holds the writers' mutex). */
static int wal_committed(void *generation, sqlite3 *db, const char *schema, int frames)
{
    (void)schema;
    pthread_mutex_lock(&ck.mu);
    bool mine = ck.on && (intptr_t)generation == ck.generation;
    int waiting = frames, cap = SQ_AUTOCKPT;
    if (mine) {
        if (frames < ck.copied) /* the WAL restarted since the last checkpoint */
            ck.copied = 0;
        ck.frames = frames;
        ck.commits++;
        ck.idle_done = false;
        clock_gettime(CLOCK_MONOTONIC, &ck.last_commit);
        waiting = frames - ck.copied;
        cap = ck.lim.hard_pages;
        pthread_cond_signal(&ck.wake); /* a new idle deadline, or pages to copy */
    }
    pthread_mutex_unlock(&ck.mu);
    if (waiting < cap)
        return SQLITE_OK;
    int log = 0, copied = 0;
    if (checkpoint(db, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK && mine) {
        pthread_mutex_lock(&ck.mu);
        if (ck.frames == log && copied > ck.copied)
            ck.copied = copied;
        pthread_mutex_unlock(&ck.mu);
    }
    return SQLITE_OK; /* the commit happened whatever the checkpoint did */
}

bool sq_checkpoint_watch(sqlite3 *db)
{
    pthread_mutex_lock(&ck.mu);
    const char *file = sqlite3_db_filename(db, "main");
    bool watch = ck.on && file && !strcmp(file, ck.path);
    if (watch)
        sqlite3_wal_hook(db, wal_committed, (void *)ck.generation);
    pthread_mutex_unlock(&ck.mu);
    return watch;
}

/* Idle: everything copied, then the WAL truncated while no writer of this process can
 * begin (TRUNCATE waits for none: its connection's busy timeout is 0). */
static void checkpoint_idle(int *log, int *copied)
{
    if (checkpoint(ck.db, SQLITE_CHECKPOINT_PASSIVE, log, copied) != SQLITE_OK ||
        *copied < *log)
        return;
    sq_writer_hold(true);
    if (checkpoint(ck.db, SQLITE_CHECKPOINT_TRUNCATE, log, copied) == SQLITE_OK)
        *log = *copied = 0;
    sq_writer_hold(false);
}

/* What the thread does next (ck.mu held): 1 a pass, 2 the idle pass, 0 wait (*ms: how
 * long, -1 until woken). A pass that left pages behind (a reader still needs them) is
 * not repeated before the next commit. A pass waits while a burst of writes is announced
 * (looked at again every CK_BUSY_POLL_MS), until `busy_pages` wait: copying beside the
 * allocator's group commits (bench/loop: 29 commits of about 1,000 pages each) took a
 * core and the disk from its one writer, and the pages are copied as well a moment
 * later, when the burst is over. Other writers are not waited for: the units of the
 * workers leave gaps between them, and a push's WAL would only grow meanwhile. */
static int next_pass(int64_t *ms)
{
    *ms = -1;
    int waiting = ck.frames - ck.copied;
    if (waiting >= ck.lim.pages && ck.commits != ck.passed) {
        if (waiting >= ck.lim.busy_pages || sq_writers_busy() == 0)
            return 1;
        *ms = CK_BUSY_POLL_MS;
        return 0;
    }
    if (ck.idle_done || ck.frames == 0)
        return 0;
    int64_t left = ck.lim.idle_ms - ms_since(&ck.last_commit);
    if (left <= 0)
        return 2;
    *ms = left;
    return 0;
}

static void wait_ms(int64_t ms)
{
    if (ms < 0) {
        pthread_cond_wait(&ck.wake, &ck.mu);
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&ck.wake, &ck.mu, &until);
}

/* After a pass (ck.mu held) that began at `commits` and saw `log` frames, `copied` of
 * them copied. Later commits may have restarted the WAL (their frames count anew). */
static void note_pass(int pass, uint64_t commits, int log, int copied)
{
    if (pass == 2)
        ck.idle_done = ck.commits == commits;
    if (ck.commits == commits)
        ck.frames = log;
    ck.copied = copied <= ck.frames ? copied : 0;
}

static void *checkpointer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ck.mu);
    while (!ck.stop) {
        int64_t ms;
        int pass = next_pass(&ms);
        if (!pass) {
            wait_ms(ms);
            continue;
        }
        uint64_t commits = ck.commits;
        ck.passed = commits;
        pthread_mutex_unlock(&ck.mu);
        int log = 0, copied = 0;
        int rc = SQLITE_OK;
        if (pass == 2)
            checkpoint_idle(&log, &copied);
        else
            rc = checkpoint(ck.db, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_warn("store", "checkpoint: %s", sqlite3_errstr(rc));
        log_debug("store", "checkpoint pass %d: %d frames, %d copied", pass, log, copied);
        pthread_mutex_lock(&ck.mu);
        if (rc == SQLITE_OK || rc == SQLITE_BUSY)
            note_pass(pass, commits, log, copied);
    }
    pthread_mutex_unlock(&ck.mu);
    return NULL;
}

static int open_connection(const char *path, fk_err *err)
{
    int rc = sqlite3_open_v2(path, &ck.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) /* the database fsynced before pages are marked copied */
        rc = sqlite3_exec(ck.db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        fk_fail(err, FK_EIO, "", "checkpointer: cannot open %s: %s", path,
                ck.db ? sqlite3_errmsg(ck.db) : sqlite3_errstr(rc));
        sqlite3_close(ck.db);
        ck.db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(ck.db, 0);
    return 0;
}

/* The shared handle, reading through a memory map: the database file grows only when
 * the thread copies (writers append to the WAL), so the map is rarely remapped, and a
 * push's reads of contacts and persons cost neither a read() copy nor a fresh heap page
 * each. NULL when it cannot be opened: then every writer keeps its own handle. */
static store *shared_open(const char *path)
{
    fk_err ignored;
    store *st = store_sqlite_open(path, &ignored);
    if (st && store_map_reads(st, &ignored) != 0) {
        store_close(st);
        st = NULL;
    }
    return st;
}

store_checkpointer *store_sqlite_checkpointer_start(const char *path,
                                                    const store_checkpoint_limits *lim,
                                                    fk_err *err)
{
    pthread_mutex_lock(&ck.mu);
    bool busy = ck.on;
    pthread_mutex_unlock(&ck.mu);
    if (busy) {
        fk_fail(err, FK_EBUSY, "", "checkpointer: one is running in this process already");
        return NULL;
    }
    if (open_connection(path, err) != 0)
        return NULL;
    pthread_mutex_lock(&ck.mu);
    ck.lim.pages = lim && lim->pages > 0 ? lim->pages : CK_PAGES;
    ck.lim.hard_pages = lim && lim->hard_pages > 0 ? lim->hard_pages : CK_HARD_PAGES;
    ck.lim.busy_pages = lim && lim->busy_pages > 0 ? lim->busy_pages : CK_BUSY_PAGES;
    ck.lim.idle_ms = lim && lim->idle_ms > 0 ? lim->idle_ms : CK_IDLE_MS;
    ck.path = fk_strdup(sqlite3_db_filename(ck.db, "main"));
    ck.generation++;
    ck.stop = false;
    ck.frames = ck.copied = 0;
    ck.idle_done = true;
    clock_gettime(CLOCK_MONOTONIC, &ck.last_commit); /* quiet counts from the start */
    ck.on = true;
    int rc = pthread_create(&ck.thread, NULL, checkpointer_main, NULL);
    if (rc != 0)
        ck.on = false;
    pthread_mutex_unlock(&ck.mu);
    if (rc == 0) { /* after ck.on: its commits are reported too */
        ck.shared = shared_open(path);
        return &ck;
    }
    fk_fail(err, FK_EIO, "", "checkpointer: cannot start its thread");
    sqlite3_close(ck.db);
    ck.db = NULL;
    free(ck.path);
    ck.path = NULL;
    return NULL;
}

void store_checkpointer_stop(store_checkpointer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&ck.mu);
    ck.stop = true;
    ck.on = false;
    pthread_cond_signal(&ck.wake);
    pthread_mutex_unlock(&ck.mu);
    pthread_join(ck.thread, NULL);
    pthread_mutex_lock(&shared_mu);
    store_close(ck.shared);
    ck.shared = NULL;
    pthread_mutex_unlock(&shared_mu);
    sqlite3_close(ck.db);
    ck.db = NULL;
    free(ck.path);
    ck.path = NULL;
}

int64_t store_writes_quiet_ms(void)
{
    if (sq_writers_busy() > 0)
        return 0;
    pthread_mutex_lock(&ck.mu);
    int64_t ms = ck.on ? ms_since(&ck.last_commit) : -1;
    pthread_mutex_unlock(&ck.mu);
    return ms < -1 ? 0 : ms;
}

store *store_shared_take(store *st)
{
    if (!st || SQ(st)->depth > 0) /* a unit holds the writers' mutex: stay on it */
        return st;
    pthread_mutex_lock(&shared_mu);
    store *shared = ck.shared;
    if (shared && !strcmp(sqlite3_db_filename(SQ(shared)->db, "main"),
                          sqlite3_db_filename(SQ(st)->db, "main")))
        return shared;
    pthread_mutex_unlock(&shared_mu);
    return st;
}

void store_shared_give(store *st, store *taken)
{
    if (taken && taken != st)
        pthread_mutex_unlock(&shared_mu);
}
