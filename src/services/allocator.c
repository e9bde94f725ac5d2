/*
 * allocator.c - group commit of allocation batches on one connection (contract:
 * allocator.h).
 *
 * A batch is a job on the queue. The queue has one writer, the allocator's own thread:
 *
 *     queued --the writer is idle, or has written its group's last job: takes the queue
 *              (up to ALLOCATOR_GROUP_MAX jobs)--> in a group
 *     in a group --BEGIN; each job's batch; COMMIT--> done (the caller woken)
 *     a job refused --ROLLBACK; BEGIN; the jobs before it again--> in a group
 *
 * A caller of allocator_run sleeps until its job is done; a caller of allocator_submit
 * goes on, and its `done` is called by the writer once the job is done.
 */
#include "services/allocator.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "services/homes.h"

#define ALLOCATOR_GROUP_MAX 32 /* jobs in one transaction */

typedef struct allocator_job {
    const policy *pol;
    actor a;         /* a copy: an async caller's request is gone while it waits */
    const alloc_request *req;
    size_t n;
    bool household;
    alloc_result *out;
    fk_err err;
    int rc;
    bool refused;    /* refused in its group: not written again when the group restarts */
    bool done;
    void (*on_done)(void *ctx); /* allocator_submit's; NULL for allocator_run */
    void *ctx;
    struct allocator_job *next;
} job;

struct allocator {
    pthread_mutex_t mu;
    pthread_cond_t cv;    /* a job done (allocator_run's callers wait on it) */
    pthread_cond_t work;  /* a job queued, or stop (the writer waits on it) */
    pthread_t writer;
    store *st;            /* used by the writer only */
    homes *hm;            /* the persons' homes, kept for the writer (services/homes.h) */
    job *head, **tail;
    bool stop;
};

static void *writer_main(void *arg);

allocator *allocator_start(const char *data_dir, fk_err *err)
{
    store *st = store_open(data_dir, err);
    if (!st)
        return NULL;
    homes *hm = homes_new();
    if (store_batch_writer(st, err) != 0 || store_map_reads(st, err) != 0 ||
        homes_load(hm, st, err) != 0) {
        homes_free(hm);
        store_close(st);
        return NULL;
    }
    allocator *al = fk_calloc(1, sizeof *al);
    al->hm = hm;
    pthread_mutex_init(&al->mu, NULL);
    pthread_cond_init(&al->cv, NULL);
    pthread_cond_init(&al->work, NULL);
    al->st = st;
    al->tail = &al->head;
    if (pthread_create(&al->writer, NULL, writer_main, al) != 0) {
        fk_fail(err, FK_EINTERNAL, "", "allocator: cannot start its writer thread");
        pthread_cond_destroy(&al->work);
        pthread_cond_destroy(&al->cv);
        pthread_mutex_destroy(&al->mu);
        free(al);
        homes_free(hm);
        store_close(st);
        return NULL;
    }
    return al;
}

void allocator_stop(allocator *al)
{
    if (!al)
        return;
    pthread_mutex_lock(&al->mu);
    al->stop = true;
    pthread_cond_signal(&al->work);
    pthread_mutex_unlock(&al->mu);
    pthread_join(al->writer, NULL);
    store_close(al->st);
    homes_free(al->hm);
    pthread_cond_destroy(&al->work);
    pthread_cond_destroy(&al->cv);
    pthread_mutex_destroy(&al->mu);
    free(al);
}

/* An error after which the transaction cannot be trusted to hold the group's other
 * batches: the database's own (I/O, out of memory, busy: SQLite may have rolled the
 * whole transaction back) or a bug. A refused batch (bad row, no room, conflict) is not. */
static bool fatal(const fk_err *e)
{
    return e->code == FK_EIO || e->code == FK_EBUSY || e->code == FK_EINTERNAL;
}

/* Every job of the group from `from` on fails with `e`. */
static void fail_all(job *from, const fk_err *e)
{
    for (job *j = from; j; j = j->next) {
        j->rc = -1;
        j->err = *e;
    }
}

/* One job in the group's transaction, without a savepoint of its own; 0, or -1 with
 * j->err (the transaction then holds whatever the job wrote before it was refused). */
static int write_job(store *st, homes *hm, job *j)
{
    return j->rc = isolation_allocate_in_unit(st, j->pol, &j->a, j->req, j->n, j->household, hm,
                                              j->out, &j->err);
}

/* Up to `room` jobs off the head of the queue (al->mu held), as a list ending in NULL;
 * *taken says how many. The queue keeps the rest, in order. */
static job *take_queued(allocator *al, size_t room, size_t *taken)
{
    job *first = al->head, *last = NULL;
    *taken = 0;
    for (job *j = first; j && *taken < room; j = j->next, ++*taken)
        last = j;
    if (!last)
        return NULL;
    al->head = last->next;
    if (!al->head)
        al->tail = &al->head;
    last->next = NULL;
    return first;
}

/* The jobs queued since the group was taken, appended to it after `last`; the new last
 * job, or `last` when none came. At most ALLOCATOR_GROUP_MAX jobs in a group (*count),
 * so that its first callers are not kept waiting for ever. */
static job *take_more(allocator *al, job *last, size_t *count)
{
    size_t taken;
    pthread_mutex_lock(&al->mu);
    job *more = take_queued(al, ALLOCATOR_GROUP_MAX - *count, &taken);
    pthread_mutex_unlock(&al->mu);
    if (!more)
        return last;
    last->next = more;
    *count += taken;
    while (last->next)
        last = last->next;
    return last;
}

/* A job refused: the group's transaction rolled back and begun again, the jobs written
 * before it to be written again (refused stays refused, with its answer); 0, or -1 with
 * *e when the transaction cannot begin again (none is open then). */
static int restart(allocator *al, job *group, job *refused, fk_err *e)
{
    refused->refused = true;
    store_rollback(al->st);
    for (job *j = group; j; j = j->next)
        if (!j->refused)
            j->rc = 0;
    return store_begin(al->st, e);
}

/* The group's transaction: every job in it, and the jobs that arrive while it is being
 * written (take_more), then one commit. A commit writes every page the group changed:
 * the batches of one group share most of them (the facilities' rows, their first vacant
 * rooms, the allocation indexes), so a group of n batches costs far less than n commits.
 * A job has no savepoint of its own (SQLite copies every page a savepoint changes, to
 * undo it: 4% of bench/loop's CPU): a refused job rolls the transaction back, and the
 * jobs before it are written again from the start, as they were (rare: a refusal). */
static void write_group(allocator *al, job *group)
{
    fk_err e;
    size_t count = 0;
    job *last = group;
    for (job *j = group; j; j = j->next, count++)
        last = j;
    if (store_begin(al->st, &e) != 0) {
        fail_all(group, &e);
        return;
    }
    job *j = group;
    while (j) {
        if (j->refused || write_job(al->st, al->hm, j) == 0) {
            if (j == last)
                last = take_more(al, last, &count);
            j = j->next;
            continue;
        }
        if (fatal(&j->err)) {
            e = j->err;
            store_rollback(al->st);
            fail_all(group, &e);
            return;
        }
        if (restart(al, group, j, &e) != 0) {
            fail_all(group, &e);
            return;
        }
        j = group; /* the jobs before it, written again */
    }
    if (store_commit(al->st, &e) != 0)
        for (job *k = group; k; k = k->next)
            if (k->rc == 0) {
                k->rc = -1;
                k->err = e;
            }
}

/* The group done: each job marked done under the mutex, allocator_run's callers woken,
 * then allocator_submit's told (outside the mutex: `done` may take locks of its own). A
 * job is not touched once marked done (allocator_run's caller returns and its job, on
 * its stack, is gone; allocator_submit's caller may end it from its `done`). */
static void group_done(allocator *al, job *group)
{
    void (*fns[ALLOCATOR_GROUP_MAX])(void *);
    void *ctxs[ALLOCATOR_GROUP_MAX];
    size_t k = 0;
    pthread_mutex_lock(&al->mu);
    for (job *j = group, *next; j; j = next) {
        next = j->next;
        store_writes_pending(false); /* enqueue's announcement, given back */
        if (j->on_done) {
            fns[k] = j->on_done;
            ctxs[k++] = j->ctx;
        }
        j->done = true;
    }
    pthread_cond_broadcast(&al->cv);
    pthread_mutex_unlock(&al->mu);
    for (size_t i = 0; i < k; i++)
        fns[i](ctxs[i]);
}

/* The writer thread: a group whenever jobs are queued, until allocator_stop. */
static void *writer_main(void *arg)
{
    allocator *al = arg;
    pthread_mutex_lock(&al->mu);
    for (;;) {
        size_t taken;
        while (!al->head && !al->stop)
            pthread_cond_wait(&al->work, &al->mu);
        if (!al->head)
            break;
        job *group = take_queued(al, ALLOCATOR_GROUP_MAX, &taken);
        pthread_mutex_unlock(&al->mu);
        write_group(al, group);
        group_done(al, group);
        pthread_mutex_lock(&al->mu);
    }
    pthread_mutex_unlock(&al->mu);
    return NULL;
}

static void enqueue(allocator *al, job *j)
{
    store_writes_pending(true); /* no checkpoint copies beside the queue's groups */
    pthread_mutex_lock(&al->mu);
    *al->tail = j;
    al->tail = &j->next;
    pthread_cond_signal(&al->work);
    pthread_mutex_unlock(&al->mu);
}

int allocator_run(allocator *al, const policy *pol, const actor *a, const alloc_request *req,
                  size_t n, bool household, alloc_result *out, fk_err *err)
{
    job self = {.pol = pol, .a = *a, .req = req, .n = n, .household = household, .out = out};
    enqueue(al, &self);
    pthread_mutex_lock(&al->mu);
    while (!self.done)
        pthread_cond_wait(&al->cv, &al->mu);
    pthread_mutex_unlock(&al->mu);
    if (self.rc != 0 && err)
        *err = self.err;
    return self.rc;
}

allocator_job *allocator_submit(allocator *al, const policy *pol, const actor *a,
                                const alloc_request *req, size_t n, bool household,
                                alloc_result *out, void (*done)(void *ctx), void *ctx)
{
    job *j = fk_calloc(1, sizeof *j);
    *j = (job){.pol = pol, .a = *a, .req = req, .n = n, .household = household, .out = out,
               .on_done = done, .ctx = ctx};
    enqueue(al, j);
    return j;
}

int allocator_job_end(allocator_job *j, fk_err *err)
{
    int rc = j->rc;
    if (rc != 0 && err)
        *err = j->err;
    free(j);
    return rc;
}
