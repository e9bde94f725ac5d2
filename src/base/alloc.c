#include "base/alloc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* Buffers from this size on are advised to use huge pages (advise_huge). */
#define HUGE_MIN ((size_t)8 << 20)

static atomic_long fail_countdown;

static void out_of_memory(size_t n)
{
    fprintf(stderr, "fangkong: out of memory allocating %zu bytes\n", n);
    abort();
}

void *fk_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *fk_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *fk_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *fk_strdup(const char *s)
{
    return fk_strndup(s, strlen(s));
}

char *fk_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = fk_malloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

static int injected_failure(void)
{
    long left = atomic_load(&fail_countdown);
    if (left <= 0)
        return 0;
    return atomic_fetch_sub(&fail_countdown, 1) == 1;
}

/* Ask for transparent huge pages on a big buffer. Why: the machines run with THP in
 * "madvise" mode, and the trace build first-touches gigabytes of fresh buffers; with
 * 4 KiB pages a fifth of its time went to page faults (perf: pvm_irq_enable), one per
 * page. glibc serves blocks this big with their own mmap, so the advice covers only
 * this block; 2 MiB-aligned stretches inside it can then fault in whole. Advice only:
 * a kernel that declines changes nothing but speed. */
static void *advise_huge(void *p, size_t n)
{
    if (!p || n < HUGE_MIN)
        return p;
    /* Whole pages, the block's header page included: advice on part of glibc's
     * mapping would split it in two, and realloc could then no longer mremap it but
     * would copy. */
    uintptr_t page = 4096, lo = (uintptr_t)p & ~(page - 1);
    uintptr_t hi = ((uintptr_t)p + n + page - 1) & ~(page - 1);
    madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    return p;
}

void *fk_try_malloc(size_t n)
{
    return injected_failure() ? NULL : advise_huge(malloc(n ? n : 1), n);
}

void *fk_try_realloc(void *p, size_t n)
{
    return injected_failure() ? NULL : advise_huge(realloc(p, n ? n : 1), n);
}

int fk_try_grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap *= 2;
    void *p = fk_try_realloc(*arr, ncap * size);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

void fk_alloc_fail_after(long n)
{
    atomic_store(&fail_countdown, n);
}
