/*
 * parallel.h - run one piece of work on several threads and wait for all of them.
 *
 * fk_parallel(n, fn, ctx) calls fn(ctx, i, n) for i = 0..n-1, i = 0 on the calling
 * thread and the others on threads started for the call, and returns when every call
 * has returned. There is no pool: a call costs n - 1 thread starts (tens of
 * microseconds), which is nothing next to the million-row passes it is meant for.
 * When a thread cannot be started its share runs on the calling thread afterwards,
 * so the work is always done, only slower. fn must split the work by i itself and
 * must not fail; it owns no locks of ours. Thread-safe (no shared state).
 *
 * fk_parallel_threads(items, min_per_thread) is how many threads a pass over `items`
 * items should use: the online processors (at most FK_PARALLEL_MAX), fewer when a
 * thread would get under min_per_thread items, at least 1. The environment variable
 * FK_THREADS (1..FK_PARALLEL_MAX) overrides the processor count, for benchmarks that
 * compare one thread with several.
 */
#ifndef FK_BASE_PARALLEL_H
#define FK_BASE_PARALLEL_H

#include <stddef.h>

#define FK_PARALLEL_MAX 16

typedef void (*fk_parallel_fn)(void *ctx, unsigned i, unsigned n);

void fk_parallel(unsigned n, fk_parallel_fn fn, void *ctx);
unsigned fk_parallel_threads(size_t items, size_t min_per_thread);

/* The half-open share [*lo, *hi) of part i of n of `items` items (parts differ by at
 * most one item). */
void fk_parallel_share(size_t items, unsigned i, unsigned n, size_t *lo, size_t *hi);

#endif
