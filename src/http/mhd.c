/*
 * mhd.c - libmicrohttpd loaded on first use (contract: mhd.h). FK_MHD_SONAME is the
 * library the build found (the Makefile reads it from the linker's libmicrohttpd.so).
 */
#include "http/mhd.h"

#include "base/dynlib.h"

#ifndef FK_MHD_SONAME
#define FK_MHD_SONAME "libmicrohttpd.so.12"
#endif

mhd_api fk_mhd;

#define SYM(f) {"MHD_" #f, &fk_mhd.f}
static const dynlib_sym syms[] = {
    SYM(start_daemon), SYM(stop_daemon), SYM(run), SYM(get_timeout), SYM(get_daemon_info),
    SYM(get_connection_info),
    SYM(lookup_connection_value), SYM(suspend_connection), SYM(resume_connection),
    SYM(create_response_from_buffer), SYM(create_response_from_fd),
    SYM(add_response_header), SYM(queue_response), SYM(destroy_response),
};

static dynlib lib = {.what = "libmicrohttpd (the HTTP server)", .soname = FK_MHD_SONAME,
                     .syms = syms, .nsyms = sizeof syms / sizeof syms[0]};

int mhd_load(fk_err *err)
{
    return dynlib_load(&lib, err);
}
