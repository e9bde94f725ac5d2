/* test_store_checkpoint.c - the server's checkpointer (store_checkpointer_start): its
 * thread copies the WAL into the database file and truncates it when the writers are
 * idle; a writer past the cap copies by itself; after stop the handles still commit; the
 * shared handle for big writers while it runs; how long the writers have been quiet;
 * the imports' handle that leaves the copy to others and writes its WAL out early.
 * Each test gets a fresh temporary data directory. */
#include "testutil.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "store/store.h"

typedef struct fixture { char *dir; char db[512], wal[512]; } fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    fk_err err;
    f->dir = test_tmpdir();
    snprintf(f->db, sizeof f->db, "%s/fangkong.db", f->dir);
    snprintf(f->wal, sizeof f->wal, "%s/fangkong.db-wal", f->dir);
    store *st = store_open(f->dir, &err); /* the migrations, before the checkpointer */
    if (!st)
        fail_msg("store_open: %s", err.message);
    store_close(st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

/* `rows` audit records (about 300 bytes a row) inside the caller's unit. */
static void append_audit(store *st, int rows)
{
    fk_err err;
    for (int r = 0; r < rows; r++) {
        audit_rec a = {0};
        snprintf(a.actor, sizeof a.actor, "tester");
        snprintf(a.action, sizeof a.action, "create");
        snprintf(a.entity, sizeof a.entity, "person");
        a.entity_id = r + 1;
        memset(a.detail, 'x', 250);
        assert_int_equal(store_audit_append(st, &a, &err), 0);
    }
}

/* `commits` commits of `rows` audit records each. */
static void write_audit(store *st, int commits, int rows)
{
    fk_err err;
    for (int c = 0; c < commits; c++) {
        assert_int_equal(store_begin(st, &err), 0);
        append_audit(st, rows);
        assert_int_equal(store_commit(st, &err), 0);
    }
}

/* Rows of the audit log with actor 'tester' as a new connection to `path` sees them; -1
 * when the file cannot be read. A copy of the file taken while the checkpointer writes
 * into it can be torn (SQLite then reports it corrupt): copied_to_file, which polls
 * during a pass, takes -1 as "not yet", and every other caller compares the count with
 * what it expects, which -1 fails. */
static int64_t tester_rows(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    int64_t n = -1;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE actor = 'tester'", -1, &q,
                           NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

static bool copied_to_file(const fixture *f, int64_t rows);

/* Those rows in the database FILE alone: a copy of it without the WAL, so only what a
 * checkpoint copied is there. */
static int64_t audit_rows_in_file(const fixture *f)
{
    char copy[600], cmd[1400];
    snprintf(copy, sizeof copy, "%s/copy.db", f->dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", f->db, copy);
    assert_int_equal(system(cmd), 0);
    int64_t n = tester_rows(copy);
    remove(copy);
    return n;
}

/* Those rows with the WAL's committed frames too. */
static int64_t audit_rows_seen(const fixture *f) { return tester_rows(f->db); }

/* Wait (up to 30 s: not a timing assertion, a bound on a hang) for the WAL to be empty. */
static bool wal_emptied(const fixture *f)
{
    const struct timespec pause = {0, 20 * 1000 * 1000};
    for (int i = 0; i < 1500; i++) {
        if (file_size(f->wal) == 0)
            return true;
        nanosleep(&pause, NULL);
    }
    return false;
}

static void thread_copies_and_truncates_when_idle(void **state)
{
    fixture *f = *state;
    fk_err err;
    store_checkpoint_limits lim = {.pages = 64, .hard_pages = 1000000, .idle_ms = 100};
    store_checkpointer *c = store_checkpointer_start(f->dir, &lim, &err);
    assert_non_null(c);
    assert_null(store_checkpointer_start(f->dir, &lim, &err)); /* one per process */
    assert_int_equal(err.code, FK_EBUSY);
    store *st = store_open(f->dir, &err);
    assert_non_null(st);
    write_audit(st, 40, 100); /* about 3 MiB: many passes of 64 pages */
    assert_true(file_size(f->wal) > 0);
    assert_true(wal_emptied(f));
    assert_int_equal(audit_rows_in_file(f), 4000);
    /* and again after the truncation: the WAL grows anew and is copied again */
    write_audit(st, 5, 100);
    assert_true(wal_emptied(f));
    assert_int_equal(audit_rows_in_file(f), 4500);
    store_close(st);
    store_checkpointer_stop(c);
}

static void writer_past_the_cap_copies_itself(void **state)
{
    fixture *f = *state;
    fk_err err;
    /* the thread never runs: its mark is out of reach and idle is an hour away */
    store_checkpoint_limits lim = {.pages = 1000000, .hard_pages = 64, .idle_ms = 3600000};
    store_checkpointer *c = store_checkpointer_start(f->dir, &lim, &err);
    assert_non_null(c);
    store *st = store_open(f->dir, &err);
    assert_non_null(st);
    write_audit(st, 200, 20); /* about 1,500 pages in all, 2 to 3 pages a commit */
    /* every commit past 64 frames copied them; the next write restarted the WAL */
    int64_t wal = file_size(f->wal);
    assert_true(wal > 0 && wal < 100 * 4200);
    assert_true(copied_to_file(f, 4000 - 64 * 10)); /* a pass may still be running */
    /* stopped with the handle open: it commits on, checkpointing itself */
    store_checkpointer_stop(c);
    write_audit(st, 3, 20);
    store_close(st);
    st = store_open(f->dir, &err);
    assert_non_null(st);
    store_close(st);
    assert_int_equal(audit_rows_in_file(f), 4060); /* the last close copied the rest */
}

/* Wait (up to 30 s: a bound on a hang, not a timing assertion) for at least `rows` audit
 * rows in the database file. */
static bool copied_to_file(const fixture *f, int64_t rows)
{
    const struct timespec pause = {0, 20 * 1000 * 1000};
    for (int i = 0; i < 1500; i++) {
        if (audit_rows_in_file(f) >= rows)
            return true;
        nanosleep(&pause, NULL);
    }
    return false;
}

static void thread_waits_while_writers_work(void **state)
{
    fixture *f = *state;
    fk_err err;
    /* a pass is due at 64 pages, but not while a writer is at work below 100,000 */
    store_checkpoint_limits lim = {.pages = 64, .hard_pages = 1000000, .idle_ms = 3600000,
                                   .busy_pages = 100000};
    store_checkpointer *c = store_checkpointer_start(f->dir, &lim, &err);
    assert_non_null(c);
    store *st = store_open(f->dir, &err);
    assert_non_null(st);
    store_writes_pending(true); /* as the allocator, for a queue of batches */
    write_audit(st, 20, 100); /* about 1,500 pages, commit after commit */
    const struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL); /* the thread had time to copy, had it not waited */
    assert_int_equal(audit_rows_in_file(f), 0);
    store_writes_pending(false); /* the burst over: the pages are copied now */
    assert_true(copied_to_file(f, 2000));
    assert_int_equal(audit_rows_in_file(f), 2000);
    /* past busy_pages the thread copies even while writers work (up to the last pass:
     * the commits after it leave fewer than `pages` waiting) */
    store_checkpointer_stop(c);
    lim.busy_pages = 64;
    c = store_checkpointer_start(f->dir, &lim, &err);
    assert_non_null(c);
    store_close(st);
    st = store_open(f->dir, &err); /* a handle the new checkpointer watches */
    assert_non_null(st);
    store_writes_pending(true);
    write_audit(st, 20, 100);
    assert_true(copied_to_file(f, 3500));
    store_writes_pending(false);
    store_close(st);
    store_checkpointer_stop(c);
}

static int64_t audit_rows(store *st)
{
    fk_err err;
    audit_filter af = {.actor = "tester", .limit = 1};
    audit_list al;
    assert_int_equal(store_audit_list(st, &af, &al, &err), 0);
    int64_t n = al.total;
    audit_list_free(&al);
    return n;
}

static void shared_handle_while_running(void **state)
{
    fixture *f = *state;
    fk_err err;
    store *st = store_open(f->dir, &err);
    assert_non_null(st);
    assert_ptr_equal(store_shared_take(st), st); /* no checkpointer: the caller's own */
    store_shared_give(st, st);
    store_checkpointer *c = store_checkpointer_start(f->dir, NULL, &err);
    assert_non_null(c);
    store *w = store_shared_take(st);
    assert_non_null(w);
    assert_ptr_not_equal(w, st);
    write_audit(w, 2, 10);
    store_shared_give(st, w);
    assert_int_equal(audit_rows(st), 20); /* committed: every handle sees it */
    assert_ptr_equal(store_shared_take(st), w); /* given back: taken again */
    store_shared_give(st, w);
    assert_int_equal(store_begin(st, &err), 0);
    assert_ptr_equal(store_shared_take(st), st); /* inside a unit: the caller's own */
    store_shared_give(st, st);
    store_rollback(st);
    store_checkpointer_stop(c);
    assert_ptr_equal(store_shared_take(st), st);
    store_shared_give(st, st);
    store_close(st);
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* store_writes_quiet_ms: unknown without a checkpointer, 0 while a burst is announced,
 * else the time since the latest commit (or the start), never more than has passed. */
static void writes_quiet_counts_from_the_last_commit(void **state)
{
    fixture *f = *state;
    fk_err err;
    assert_int_equal(store_writes_quiet_ms(), -1);
    int64_t t0 = mono_ms();
    store_checkpointer *c = store_checkpointer_start(f->dir, NULL, &err);
    assert_non_null(c);
    store *st = store_open(f->dir, &err);
    assert_non_null(st);
    const struct timespec pause = {0, 150 * 1000 * 1000};
    nanosleep(&pause, NULL);
    int64_t q = store_writes_quiet_ms();
    assert_true(q >= 150 && q <= mono_ms() - t0);
    store_writes_pending(true);
    assert_int_equal(store_writes_quiet_ms(), 0);
    store_writes_pending(false);
    nanosleep(&pause, NULL);
    int64_t t1 = mono_ms();
    write_audit(st, 1, 1);
    q = store_writes_quiet_ms();
    assert_true(q >= 0 && q <= mono_ms() - t1); /* from the commit, not the start */
    store_close(st);
    store_checkpointer_stop(c);
    assert_int_equal(store_writes_quiet_ms(), -1);
}

/* The imports' handle (store_checkpoint_later, store_wal_write_early): a unit past
 * SQLite's automatic checkpoint (SQ_AUTOCKPT, 10,000 pages: 140,000 rows of 300 bytes)
 * commits without copying a row into the file, every row seen through the WAL; pages
 * written out early in a unit that then rolls back stay invisible; later false, the next
 * commit copies the WAL itself. */
static void commit_later_and_wal_written_early(void **state)
{
    fixture *f = *state;
    fk_err err;
    store *st = store_open(f->dir, &err);
    assert_non_null(st);
    assert_int_equal(store_checkpoint_later(st, true, &err), 0);
    assert_int_equal(store_spill_early(st, 1024, &err), 0);
    assert_int_equal(store_begin(st, &err), 0);
    append_audit(st, 70000);
    store_wal_write_early(st);
    append_audit(st, 70000);
    assert_int_equal(store_commit(st, &err), 0);
    assert_true(file_size(f->wal) > (int64_t)10000 * 4096);
    assert_int_equal(audit_rows_in_file(f), 0);
    assert_int_equal(audit_rows_seen(f), 140000);

    assert_int_equal(store_begin(st, &err), 0);
    append_audit(st, 20000); /* past the 1 MiB cache: spilled to the WAL */
    store_wal_write_early(st);
    store_rollback(st);
    assert_int_equal(audit_rows_seen(f), 140000);

    assert_int_equal(store_spill_early(st, 0, &err), 0);
    assert_int_equal(store_checkpoint_later(st, false, &err), 0);
    write_audit(st, 1, 1);
    assert_int_equal(audit_rows_in_file(f), 140001);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(thread_copies_and_truncates_when_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(writer_past_the_cap_copies_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(thread_waits_while_writers_work, setup, teardown),
        cmocka_unit_test_setup_teardown(shared_handle_while_running, setup, teardown),
        cmocka_unit_test_setup_teardown(writes_quiet_counts_from_the_last_commit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(commit_later_and_wal_written_early, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
