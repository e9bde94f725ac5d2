/*
 * allocator.h - the server's writer of room allocation batches: one store connection of
 * its own and group commit.
 *
 * Why: every HTTP worker thread has its own connection, and SQLite drops a connection's
 * whole page cache when another connection has committed since its last transaction.
 * Batches written in turn by the workers' connections each read the rooms, facilities,
 * allocation indexes and homes they touch from the file again (pread), and each pays a
 * commit of its own (the WAL pages, an fsync). Here every batch is written through one
 * connection, whose cache stays warm from batch to batch, and the batches that arrive
 * while one group is being written join it (up to 32 batches), or are written together
 * next, in one transaction: one commit for the group.
 *
 * Contract:
 *  - allocator_run answers exactly as isolation_allocate (services/isolation.h): the same
 *    checks, rules, errors, audit record and results; only the transaction differs.
 *  - A refused batch changes nothing and the others are unaffected by it: the group's
 *    transaction is rolled back and the batches written before the refused one are
 *    written again, as they were, before the group goes on (a batch has no savepoint of
 *    its own: SQLite copies every page a savepoint changes, 4% of bench/loop's CPU).
 *  - A caller is answered only after the COMMIT that holds its batch (durable, as
 *    store.h promises). If that commit fails, or the database aborts the transaction
 *    (an I/O error, out of memory, busy), every batch of the group fails with that error
 *    and none of them is stored.
 *  - The double-booking guarantee is the schema's and does not depend on this writer:
 *    batches written by other connections (the CLI, transfers) are checked the same way.
 *  - The connection writes nothing but batches: its triggers and foreign-key probes are
 *    off for good (store_batch_writer), as a batch has them for its writes anyway, so
 *    that its statements stay prepared from batch to batch.
 *  - The connection reads the database file through a memory map (store_map_reads): a
 *    batch reads its 500 leads from pages its cache seldom holds, a pread copy each (4%
 *    of the server's CPU); its writes go to the WAL, and the file grows only when the
 *    checkpointer copies, which waits while batches are queued (store_writes_pending).
 *  - The persons' homes are read through a services/homes.h of the allocator's own,
 *    loaded by allocator_start (every home, once) and checked against the store's
 *    homes_version inside each batch's unit, so a batch reads no home from SQLite.
 *  - The allocator's own thread writes the queue, a group at a time. A caller either
 *    sleeps until its batch is done (allocator_run) or goes on and is told
 *    (allocator_submit: `done` is called on the writer's thread, which it must not hold
 *    up). The HTTP workers submit and free their thread for their other connections:
 *    when each waited (allocator_run), a group held at most one batch per worker, and a
 *    worker's other clients waited behind it (bench/loop: 4 workers, 8 clients; groups
 *    of 3 to 4 batches, of 1 to 2 when the kernel gave one worker most connections).
 * Ownership: allocator_start opens the connection and starts the writer; allocator_stop
 * stops it, closes the connection and frees the allocator, after every job has been
 * answered. Results are the callers' arrays, and a submitted job's request and result
 * arrays stay the caller's and must live until `done`; allocator_job_end frees the job.
 * Thread safety: allocator_run and allocator_submit from any number of threads at once.
 */
#ifndef FK_SERVICES_ALLOCATOR_H
#define FK_SERVICES_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "services/isolation.h"

typedef struct allocator allocator;
typedef struct allocator_job allocator_job;

/* The allocator of the store at data_dir, with every home read; NULL with err when the
 * store cannot be opened or read. */
allocator *allocator_start(const char *data_dir, fk_err *err);
/* Closes its connection and frees it; NULL is a no-op. */
void allocator_stop(allocator *al);
/* isolation_allocate through the allocator (see Contract). */
int allocator_run(allocator *al, const policy *pol, const actor *a, const alloc_request *req,
                  size_t n, bool household, alloc_result *out, fk_err *err);
/* The same batch queued without waiting: `done(ctx)` is called once, on the writer's
 * thread, when it is done (answered as allocator_run would: read it with
 * allocator_job_end). req and out must live until then; the actor is copied. */
allocator_job *allocator_submit(allocator *al, const policy *pol, const actor *a,
                                const alloc_request *req, size_t n, bool household,
                                alloc_result *out, void (*done)(void *ctx), void *ctx);
/* A submitted job's answer, after its `done`: 0, or -1 with *err as allocator_run's; the
 * job is freed. */
int allocator_job_end(allocator_job *j, fk_err *err);

#endif
