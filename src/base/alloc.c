#include "base/alloc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void *fk_try_malloc(size_t n)
{
    return injected_failure() ? NULL : malloc(n ? n : 1);
}

void *fk_try_realloc(void *p, size_t n)
{
    return injected_failure() ? NULL : realloc(p, n ? n : 1);
}

void fk_alloc_fail_after(long n)
{
    atomic_store(&fail_countdown, n);
}
