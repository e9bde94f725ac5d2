/*
 * testutil.h - shared helpers for the cmocka unit tests.
 * Each test binary includes it after <cmocka.h>'s prerequisites.
 */
#ifndef FK_TESTUTIL_H
#define FK_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* A fresh empty directory under /tmp; caller frees the string. */
static inline char *test_tmpdir(void)
{
    char *tmpl = strdup("/tmp/fangkong-test-XXXXXX");
    if (!mkdtemp(tmpl))
        abort();
    return tmpl;
}

static inline void test_rmdir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* xorshift64: a seeded, repeatable random number below n (n > 0) for random tests. */
static inline uint64_t test_xorshift(uint64_t *state, uint64_t n)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state % n;
}

#endif
