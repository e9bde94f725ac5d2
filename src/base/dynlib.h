/*
 * dynlib.h - a shared library loaded when a command first uses it (dlopen), not when the
 * process starts. For the two whose dependencies are heavy and that most commands never
 * call: libmicrohttpd (only `fangkong serve`; it links gnutls, p11-kit, nettle, gmp,
 * idn2, unistring, tasn1, ffi) and libxlsxwriter (only XLSX exports; libcrypto, minizip,
 * zlib). Linked at start, the loader mapped and relocated those eleven libraries for
 * every command: about 20 ms of CPU and 25 ms of wall of each run of the CLI, a tenth of
 * a city's results import (bench/testing; LD_DEBUG=statistics, perf). The wrappers
 * http/mhd.h and io/xlsx.h hold each library's functions as typed pointers.
 *
 * Contract: dynlib_load opens lib->soname once per process (RTLD_NOW | RTLD_LOCAL; never
 * closed) and fills every symbol's slot, all or none; later calls return at once, with
 * the first call's outcome (a library missing stays missing: FK_EIO naming the library,
 * the file and dlerror's reason, for the command to print). Thread-safe: one mutex, held
 * only while loading.
 */
#ifndef FK_BASE_DYNLIB_H
#define FK_BASE_DYNLIB_H

#include <stddef.h>

#include "base/err.h"

typedef struct dynlib_sym {
    const char *name; /* the library's symbol */
    void *slot;       /* the address of the function pointer it goes into */
} dynlib_sym;

typedef struct dynlib {
    const char *what;   /* for messages: "libmicrohttpd (the HTTP server)" */
    const char *soname; /* what dlopen looks for: the name the build linked against */
    const dynlib_sym *syms;
    size_t nsyms;
    int state;          /* 0 not tried, 1 loaded, -1 failed (error kept in failure) */
    char failure[256];
} dynlib;

int dynlib_load(dynlib *lib, fk_err *err);

#endif
