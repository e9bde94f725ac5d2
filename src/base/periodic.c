/*
 * periodic.c - a thread doing one job every interval (contract: periodic.h).
 */
#include "base/periodic.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

struct periodic {
    periodic_job job;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
};

enum { READY_POLL_MS = 100 };

/* Sleeps `ms` on a condition variable so that periodic_stop is answered at once: false
 * once stopping. */
static bool wait_ms(periodic *p, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&p->mu);
    while (!p->stopping)
        if (pthread_cond_timedwait(&p->wake, &p->mu, &until) == ETIMEDOUT)
            break;
    bool go_on = !p->stopping;
    pthread_mutex_unlock(&p->mu);
    return go_on;
}

/* Waits until the job is ready or has waited ready_max_s; false once stopping. */
static bool wait_ready(periodic *p)
{
    for (int64_t waited = 0; p->job.ready && !p->job.ready(p->job.ctx) &&
                             waited < (int64_t)p->job.ready_max_s * 1000;
         waited += READY_POLL_MS)
        if (!wait_ms(p, READY_POLL_MS))
            return false;
    return true;
}

static void *periodic_main(void *arg)
{
    periodic *p = arg;
    if (p->job.nice && setpriority(PRIO_PROCESS, (id_t)gettid(), p->job.nice) != 0)
        log_warn(p->job.name, "priority unchanged: %s", strerror(errno));
    bool go_on = !p->job.at_start || wait_ready(p);
    if (go_on && p->job.at_start)
        p->job.tick(p->job.ctx);
    while (go_on && wait_ms(p, (int64_t)p->job.interval_s * 1000) && wait_ready(p))
        p->job.tick(p->job.ctx);
    if (p->job.done)
        p->job.done(p->job.ctx);
    return NULL;
}

periodic *periodic_start(const periodic_job *job, fk_err *err)
{
    periodic *p = calloc(1, sizeof *p);
    if (!p) {
        fk_fail(err, FK_EINTERNAL, "", "out of memory");
        return NULL;
    }
    p->job = *job;
    if (p->job.interval_s < 1)
        p->job.interval_s = 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (pthread_create(&p->thread, NULL, periodic_main, p) != 0) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->mu);
        free(p);
        fk_fail(err, FK_EINTERNAL, "", "cannot start the %s thread", job->name);
        return NULL;
    }
    return p;
}

void periodic_stop(periodic *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
