/*
 * mhd.h - the libmicrohttpd functions the server calls, loaded when a server starts
 * (base/dynlib.h: the library and its TLS chain cost every other command ~20 ms of
 * start). Call fk_mhd.start_daemon(...) where libmicrohttpd's name is MHD_start_daemon;
 * the types are the library's own (its header's declarations).
 *
 * Contract: mhd_load before any other use (http_server_start does, before its first
 * daemon; every other caller runs inside a request of a started server). Thread-safe;
 * the table is written once, by the first successful mhd_load, and only read after.
 */
#ifndef FK_HTTP_MHD_H
#define FK_HTTP_MHD_H

#include <microhttpd.h>

#include "base/err.h"

typedef struct mhd_api {
    __typeof__(&MHD_start_daemon) start_daemon;
    __typeof__(&MHD_stop_daemon) stop_daemon;
    __typeof__(&MHD_run) run;
    __typeof__(&MHD_get_timeout) get_timeout;
    __typeof__(&MHD_get_daemon_info) get_daemon_info;
    __typeof__(&MHD_get_connection_info) get_connection_info;
    __typeof__(&MHD_lookup_connection_value) lookup_connection_value;
    __typeof__(&MHD_suspend_connection) suspend_connection;
    __typeof__(&MHD_resume_connection) resume_connection;
    __typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
    __typeof__(&MHD_create_response_from_fd) create_response_from_fd;
    __typeof__(&MHD_add_response_header) add_response_header;
    __typeof__(&MHD_queue_response) queue_response;
    __typeof__(&MHD_destroy_response) destroy_response;
} mhd_api;

extern mhd_api fk_mhd;

/* 0, or -1 with FK_EIO naming the library and why it did not load. */
int mhd_load(fk_err *err);

#endif
