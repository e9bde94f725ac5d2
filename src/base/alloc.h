/*
 * alloc.h - the allocator wrappers and the out-of-memory policy.
 *
 * fk_malloc/fk_calloc/fk_realloc/fk_strdup are for small control allocations:
 * they never return NULL; on failure they print one line and abort(), because a
 * server that cannot allocate a few bytes cannot continue safely.
 * fk_try_malloc/fk_try_realloc are for request- or query-sized buffers: they return
 * NULL on failure (and when the fault-injection countdown hits zero), and the caller
 * turns that into FK_EBUSY / FK_ETOOBIG instead of crashing.
 * fk_try_* buffers of 8 MiB and more are advised to use transparent huge pages
 * (fewer page faults when a build first touches gigabytes; see alloc.c).
 * Everything is released with free(). Thread-safe.
 */
#ifndef FK_BASE_ALLOC_H
#define FK_BASE_ALLOC_H

#include <stddef.h>

void *fk_malloc(size_t n);
void *fk_calloc(size_t count, size_t size);
void *fk_realloc(void *p, size_t n);
char *fk_strdup(const char *s);
char *fk_strndup(const char *s, size_t n);

void *fk_try_malloc(size_t n);
void *fk_try_realloc(void *p, size_t n);

/* Make the array *arr of *cap items of `size` bytes hold at least `need` (capacity
 * doubles, from 256): 0, or -1 with *arr and *cap unchanged when out of memory. */
int fk_try_grow(void **arr, size_t *cap, size_t need, size_t size);

/* Tests: make the N-th following fk_try_* call fail (0 disables). */
void fk_alloc_fail_after(long n);

#endif
