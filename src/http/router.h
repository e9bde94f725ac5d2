/*
 * router.h - the route table: the one declarative list of what the API offers.
 *
 * Each route names a method, a path pattern ("/api/v1/persons/{id}"), its handler,
 * whether it needs a bearer token, a one-line summary, and whether its body is an
 * uploaded file rather than JSON. The OpenAPI document
 * (GET /api/v1/openapi.json) is generated from this table, so the description and
 * the behaviour cannot drift apart. The table is static and immutable: thread-safe.
 */
#ifndef FK_HTTP_ROUTER_H
#define FK_HTTP_ROUTER_H

#include "http/request.h"

typedef int (*http_handler)(http_req *rq, fk_err *err);

typedef struct route {
    const char *method;
    const char *pattern;
    http_handler handler;
    bool auth;
    const char *summary;
    const char *tag;
    /* The body is a file (CSV) streamed to a temporary file in the data directory, up to
     * IMPORT_MAX_FILE bytes instead of the JSON limit; the handler reads
     * rq->upload_path. */
    bool upload;
    /* The handler may answer later (request.h's http_deferred: an allocation batch
     * queued for the allocator's writer). Only these routes pay for the server's count of
     * held requests (a mutex), which every other request, a gate's scan included, skips. */
    bool defers;
} route;

typedef enum { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD } route_match;

/* Find the route for method+path and fill rq->params (rq may be NULL: no params). Only the
 * routes of the path's section (its first three segments) are tried (router.c). */
route_match router_find(const char *method, const char *path, http_req *rq, const route **out);
/* The OpenAPI 3.0 document describing every route (new reference). */
json_t *router_openapi(void);

#endif
