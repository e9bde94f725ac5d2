/*
 * allocator.c - group commit of allocation batches on one connection (contract:
 * allocator.h).
 *
 * A batch is a job on the queue. The queue has at most one writer at a time (`writing`):
 *
 *     queued --a thread finds no writer: takes the whole queue--> in a group
 *     queued --the writer has written its group's last job: takes the queue--> in a group
 *     in a group --BEGIN; each job's batch; COMMIT--> done
 *     a job refused --ROLLBACK; BEGIN; the jobs before it again--> in a group
 *
 * The writer is the thread of one of the queued callers (no thread of its own): it
 * marks every job of its group done under the mutex and wakes the waiters, each of
 * which returns its job's answer; a waiter whose job is still queued becomes the next
 * writer when the group ends.
 */
#include "services/allocator.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "services/homes.h"

#define ALLOCATOR_GROUP_MAX 32 /* jobs in one transaction */

typedef struct job {
    const policy *pol;
    const actor *a;
    const alloc_request *req;
    size_t n;
    bool household;
    alloc_result *out;
    fk_err err;
    int rc;
    bool refused;    /* refused in its group: not written again when the group restarts */
    bool done;
    struct job *next;
} job;

struct allocator {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    store *st;       /* used by the writer only */
    homes *hm;       /* the persons' homes, kept for the writer (services/homes.h) */
    job *head, **tail;
    bool writing;
};

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
    al->st = st;
    al->tail = &al->head;
    return al;
}

void allocator_stop(allocator *al)
{
    if (!al)
        return;
    store_close(al->st);
    homes_free(al->hm);
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
    return j->rc = isolation_allocate_in_unit(st, j->pol, j->a, j->req, j->n, j->household, hm,
                                              j->out, &j->err);
}

/* The jobs queued since the group was taken, appended to it after `last` (the queue
 * emptied); the new last job, or `last` when none came. At most ALLOCATOR_GROUP_MAX jobs
 * in a group (*count), so that its first callers are not kept waiting for ever. */
static job *take_more(allocator *al, job *last, size_t *count)
{
    pthread_mutex_lock(&al->mu);
    if (al->head && *count < ALLOCATOR_GROUP_MAX) {
        last->next = al->head;
        for (; last->next; last = last->next)
            ++*count;
        al->head = NULL;
        al->tail = &al->head;
    }
    pthread_mutex_unlock(&al->mu);
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

int allocator_run(allocator *al, const policy *pol, const actor *a, const alloc_request *req,
                  size_t n, bool household, alloc_result *out, fk_err *err)
{
    job self = {.pol = pol, .a = a, .req = req, .n = n, .household = household, .out = out};
    store_writes_pending(true); /* no checkpoint copies beside the queue's groups */
    pthread_mutex_lock(&al->mu);
    *al->tail = &self;
    al->tail = &self.next;
    while (!self.done) {
        if (al->writing) {
            pthread_cond_wait(&al->cv, &al->mu);
            continue;
        }
        job *group = al->head;
        al->head = NULL;
        al->tail = &al->head;
        al->writing = true;
        pthread_mutex_unlock(&al->mu);
        write_group(al, group);
        pthread_mutex_lock(&al->mu);
        for (job *j = group, *next; j; j = next) {
            next = j->next; /* a waiter may return (and its job go) once done is seen */
            j->done = true;
        }
        al->writing = false;
        pthread_cond_broadcast(&al->cv);
    }
    pthread_mutex_unlock(&al->mu);
    store_writes_pending(false);
    if (self.rc != 0 && err)
        *err = self.err;
    return self.rc;
}
