/*
 * residents_keeper.c - the server's keeper of the residents lookup (contract:
 * residents.h): a thread that refreshes the kept lookup at start and every interval, on
 * a store handle of its own and at a lower scheduling priority, so that an import finds
 * it current without building it (a city's registry is loaded days before a round).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "base/periodic.h"
#include "services/residents.h"

/* nice 10: the build (about 1.2 s of CPU at 1,000,000 persons) yields to the workers */
#define KEEPER_NICE 10
/* A build waits for the requests' writes to pause this long (the server's start counts
 * as a write), or at most KEEPER_WAIT_MAX_S: started at once, the build at a server's
 * start ran beside its first requests, bench/loop's timed push of 76 cases among them
 * (0.31 s of the server's 1.19 s of CPU in the push, and its save took the writers' lock
 * in the middle of it). A niced thread still takes the second core and the disk. */
#define KEEPER_QUIET_MS 2000
#define KEEPER_WAIT_MAX_S 60

struct residents_keeper {
    periodic *thread;
    store *st;              /* the thread's own handle, opened at its first tick */
    char data_dir[4096];
};

static void keeper_tick(void *ctx)
{
    residents_keeper *k = ctx;
    fk_err err;
    if (!k->st && !(k->st = store_open(k->data_dir, &err))) {
        log_warn("residents", "cannot open the store: %s", err.message);
        return;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = residents_lookup_refresh(k->st, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc < 0)
        log_warn("residents", "the residents lookup was not built: %s", err.message);
    else if (rc == 1)
        log_info("residents", "residents lookup built and kept in %.2f s", s);
    else if (rc == 2)
        log_info("residents", "residents changed while the lookup was built; next time");
}

static bool keeper_ready(void *ctx)
{
    (void)ctx;
    int64_t quiet = store_writes_quiet_ms();
    return quiet < 0 || quiet >= KEEPER_QUIET_MS;
}

static void keeper_done(void *ctx)
{
    residents_keeper *k = ctx;
    store_close(k->st);
}

residents_keeper *residents_keeper_start(const char *data_dir, int interval_s, fk_err *err)
{
    residents_keeper *k = calloc(1, sizeof *k);
    if (!k) {
        fk_fail(err, FK_EINTERNAL, "", "out of memory");
        return NULL;
    }
    snprintf(k->data_dir, sizeof k->data_dir, "%s", data_dir);
    /* at start, then every interval; off the request path at a lower priority, each time
     * after a pause in the writes */
    periodic_job job = {.name = "residents keeper", .interval_s = interval_s,
                        .at_start = true, .nice = KEEPER_NICE, .tick = keeper_tick,
                        .done = keeper_done, .ready = keeper_ready,
                        .ready_max_s = KEEPER_WAIT_MAX_S, .ctx = k};
    if (!(k->thread = periodic_start(&job, err))) {
        free(k);
        return NULL;
    }
    return k;
}

void residents_keeper_stop(residents_keeper *k)
{
    if (!k)
        return;
    periodic_stop(k->thread);
    free(k);
}
