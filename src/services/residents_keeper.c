/*
 * residents_keeper.c - the server's keeper of the residents lookup (contract:
 * residents.h): a thread that refreshes the kept lookup at start and every interval, on
 * a store handle of its own and at a lower scheduling priority, so that an import finds
 * it current without building it (a city's registry is loaded days before a round).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "services/residents.h"

/* nice 10: the build (about 1.2 s of CPU at 1,000,000 persons) yields to the workers */
#define KEEPER_NICE 10

struct residents_keeper {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    int interval_s;
    char data_dir[4096];
};

static void keeper_tick(residents_keeper *k, store **st)
{
    fk_err err;
    if (!*st && !(*st = store_open(k->data_dir, &err))) {
        log_warn("residents", "cannot open the store: %s", err.message);
        return;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = residents_lookup_refresh(*st, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc < 0)
        log_warn("residents", "the residents lookup was not built: %s", err.message);
    else if (rc == 1)
        log_info("residents", "residents lookup built and kept in %.2f s", s);
    else if (rc == 2)
        log_info("residents", "residents changed while the lookup was built; next time");
}

/* Sleeps on a condition variable so that residents_keeper_stop is answered at once. */
static bool keeper_wait(residents_keeper *k)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += k->interval_s;
    pthread_mutex_lock(&k->mu);
    while (!k->stopping)
        if (pthread_cond_timedwait(&k->wake, &k->mu, &until) == ETIMEDOUT)
            break;
    bool go_on = !k->stopping;
    pthread_mutex_unlock(&k->mu);
    return go_on;
}

static void *keeper_main(void *arg)
{
    residents_keeper *k = arg;
    store *st = NULL;
    /* off the request path: this thread alone yields to the server's */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), KEEPER_NICE) != 0)
        log_warn("residents", "keeper priority unchanged: %s", strerror(errno));
    do
        keeper_tick(k, &st);
    while (keeper_wait(k));
    if (st)
        store_close(st);
    return NULL;
}

residents_keeper *residents_keeper_start(const char *data_dir, int interval_s, fk_err *err)
{
    residents_keeper *k = calloc(1, sizeof *k);
    if (!k) {
        fk_fail(err, FK_EINTERNAL, "", "out of memory");
        return NULL;
    }
    snprintf(k->data_dir, sizeof k->data_dir, "%s", data_dir);
    k->interval_s = interval_s < 1 ? 1 : interval_s;
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->wake, NULL);
    if (pthread_create(&k->thread, NULL, keeper_main, k) != 0) {
        pthread_cond_destroy(&k->wake);
        pthread_mutex_destroy(&k->mu);
        free(k);
        fk_fail(err, FK_EINTERNAL, "", "cannot start the residents keeper thread");
        return NULL;
    }
    return k;
}

void residents_keeper_stop(residents_keeper *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stopping = true;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->wake);
    pthread_mutex_destroy(&k->mu);
    free(k);
}
