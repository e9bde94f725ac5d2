/*
 * parallel.c - fk_parallel: n calls of one function on n threads. Contract: parallel.h.
 */
#include "base/parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct part { fk_parallel_fn fn; void *ctx; unsigned i, n; } part;

static void *run_part(void *arg)
{
    part *p = arg;
    p->fn(p->ctx, p->i, p->n);
    return NULL;
}

void fk_parallel(unsigned n, fk_parallel_fn fn, void *ctx)
{
    if (n <= 1) {
        fn(ctx, 0, 1);
        return;
    }
    if (n > FK_PARALLEL_MAX)
        n = FK_PARALLEL_MAX;
    pthread_t tid[FK_PARALLEL_MAX];
    part parts[FK_PARALLEL_MAX];
    bool started[FK_PARALLEL_MAX] = {false};
    for (unsigned i = 1; i < n; i++) {
        parts[i] = (part){fn, ctx, i, n};
        started[i] = pthread_create(&tid[i], NULL, run_part, &parts[i]) == 0;
    }
    fn(ctx, 0, n);
    for (unsigned i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(ctx, i, n);    /* no thread for it: do its share here */
    }
}

static unsigned processors(void)
{
    const char *env = getenv("FK_THREADS");
    long n = env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > FK_PARALLEL_MAX ? FK_PARALLEL_MAX : (unsigned)n;
}

unsigned fk_parallel_threads(size_t items, size_t min_per_thread)
{
    unsigned n = processors();
    if (min_per_thread == 0)
        min_per_thread = 1;
    size_t most = items / min_per_thread;
    if (most < n)
        n = most ? (unsigned)most : 1;
    return n;
}

void fk_parallel_share(size_t items, unsigned i, unsigned n, size_t *lo, size_t *hi)
{
    size_t base = items / n, extra = items % n;
    *lo = (size_t)i * base + (i < extra ? i : extra);
    *hi = *lo + base + (i < extra);
}
