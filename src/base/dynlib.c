/*
 * dynlib.c - libraries loaded on first use (contract: dynlib.h).
 */
#include "base/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;

/* Every symbol into its slot, or the name of the first one missing. */
static const char *resolve(void *h, const dynlib *lib)
{
    for (size_t i = 0; i < lib->nsyms; i++) {
        void *p = dlsym(h, lib->syms[i].name);
        if (!p)
            return lib->syms[i].name;
        /* POSIX: a function's address fits in a void *; copied, not cast */
        memcpy(lib->syms[i].slot, &p, sizeof p);
    }
    return NULL;
}

static void load(dynlib *lib)
{
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(lib->failure, sizeof lib->failure, "cannot load %s (%s): %s", lib->what,
                 lib->soname, why ? why : "not found");
        lib->state = -1;
        return;
    }
    const char *missing = resolve(h, lib);
    if (missing) {
        snprintf(lib->failure, sizeof lib->failure, "cannot load %s (%s): no symbol %s",
                 lib->what, lib->soname, missing);
        lib->state = -1;
        return;
    }
    lib->state = 1;
}

int dynlib_load(dynlib *lib, fk_err *err)
{
    pthread_mutex_lock(&load_mu);
    if (lib->state == 0)
        load(lib);
    int state = lib->state;
    pthread_mutex_unlock(&load_mu);
    return state > 0 ? 0 : fk_fail(err, FK_EIO, "", "%s", lib->failure);
}
