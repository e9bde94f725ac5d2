/*
 * server.h - the HTTP server: libmicrohttpd on epoll, one daemon per worker thread, each
 * accepting on its own socket of the same port (SO_REUSEPORT: the kernel spreads the
 * connections evenly; a connection stays on the thread that accepted it). The threads are
 * the server's own, each running its daemon (server.c: libmicrohttpd's own thread can
 * leave 128 ready connections unanswered for up to a minute).
 *
 * Serves the JSON API (router.h), /healthz, /metrics (Prometheus text) and the web
 * console's static files from `web_dir`. Each worker thread opens its own store
 * handle on first use and closes it when the thread ends. Keep-alive works because
 * every answer is queued on the second call of the access handler or later (see
 * ../shared/notes.md). A route marked `defers` (router.h; the allocation batch) may answer
 * later: its connection is suspended while the work is queued elsewhere and resumed when
 * it is done (request.h's http_deferred), its worker serving other connections
 * meanwhile. http_server_start returns once the socket listens; http_server_stop waits
 * for every held request to be answered, then blocks until all threads have finished and
 * frees the server.
 */
#ifndef FK_HTTP_SERVER_H
#define FK_HTTP_SERVER_H

#include <stddef.h>

#include "base/err.h"

typedef struct server_config {
    const char *bind_addr;   /* default "127.0.0.1" */
    int port;                /* 0 = any free port (see http_server_port) */
    const char *data_dir;    /* the store location */
    const char *web_dir;     /* console files; NULL = no console */
    int threads;             /* worker threads, default 2 x cores */
    size_t max_body;         /* bytes, default 1 MiB */
    const struct policy *policy; /* in force; owned by the caller, outlives the server */
    struct tracing *tracing;     /* contact discovery; owned by the caller, outlives it */
    struct codes_runtime *codes; /* health-code key and scan audit; the caller's, outlives it */
    struct allocator *allocator; /* room allocation batches' writer (services/allocator.h);
                                    the caller's, outlives it; NULL = each thread's handle */
    struct throttle *throttle;   /* failed credential checks (services/throttle.h); the
                                    caller's, outlives it; NULL = no limit */
} server_config;

typedef struct http_server http_server;

http_server *http_server_start(const server_config *cfg, fk_err *err);
int http_server_port(const http_server *srv);
void http_server_stop(http_server *srv);

#endif
