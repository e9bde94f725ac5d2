/*
 * periodic.h - a thread that does one job every so many seconds until it is stopped: the
 * server's sweeper of timed duties (services/sweeps.h) and its keeper of the residents
 * lookup (services/residents.h).
 *
 * periodic_start starts the thread: it lowers its own scheduling priority to `nice` (0:
 * unchanged; a failure is logged, not fatal), runs tick(ctx) at once when `at_start`,
 * then every interval_s seconds (at least 1) until periodic_stop, and finally done(ctx)
 * (may be NULL), on the same thread: a job that opens a store handle in tick closes it
 * there. With `ready` set, each tick first waits until ready(ctx) says true (asked every
 * 100 ms) or ready_max_s seconds have passed (it runs then anyway): the residents keeper
 * waits for a pause in the store's writes. periodic_stop wakes a waiting thread at once
 * (a wait for ready too), waits for a tick in progress to end, joins and frees; NULL is a
 * no-op.
 * Ownership: ctx is the caller's and must outlive the periodic. Thread safety: start and
 * stop from one thread; tick and done run on the periodic's thread only.
 */
#ifndef FK_BASE_PERIODIC_H
#define FK_BASE_PERIODIC_H

#include <stdbool.h>

#include "base/err.h"

typedef struct periodic periodic;

typedef struct periodic_job {
    const char *name;          /* for the log */
    int interval_s;
    bool at_start;             /* tick once before the first wait */
    int nice;                  /* the thread's priority, 0 = as the process */
    void (*tick)(void *ctx);
    void (*done)(void *ctx);   /* when stopped; NULL = nothing */
    bool (*ready)(void *ctx);  /* may tick now? NULL = always */
    int ready_max_s;           /* the longest a tick waits for ready */
    void *ctx;
} periodic_job;

/* NULL with err (FK_EINTERNAL) when the thread cannot start. */
periodic *periodic_start(const periodic_job *job, fk_err *err);
void periodic_stop(periodic *p);

#endif
