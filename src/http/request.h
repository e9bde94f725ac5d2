/*
 * request.h - one HTTP request as the handlers see it, and what they answer.
 *
 * The server (server.c) owns the struct and everything in it for the life of the
 * request: handlers read method/path/query/body, use `st` (the worker thread's store
 * handle) and `who` (the authenticated actor), and leave their answer in `status`
 * and `json` (a new reference the server sends and releases; or `text`, a JSON body
 * written by the handler, or `file`) or return -1 with an
 * fk_err that respond.c turns into the error body. Handlers never touch libmicrohttpd.
 * One request belongs to one worker thread.
 */
#ifndef FK_HTTP_REQUEST_H
#define FK_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "services/actor.h"
#include "store/store.h"

#define HTTP_MAX_PARAMS 2

struct http_req;

/* An answer given later, by a handler whose work is queued elsewhere (an allocation
 * batch for the allocator's writer): when the request's can_defer is set, the handler
 * may fill this instead of an answer and return 0. The server then holds the connection
 * (its worker thread serves its other connections meanwhile) and calls
 * start(state, wake, ctx); the work calls wake(ctx) once, from any thread, when it is
 * done; the server then calls finish(state, rq, err) on the worker, which fills rq's
 * answer as a handler does (0, or -1 with err) and frees state. finish is called exactly
 * once, also when the client has gone meanwhile (the answer is dropped). */
typedef struct http_deferred {
    void *state;                 /* NULL: not deferred */
    void (*start)(void *state, void (*wake)(void *ctx), void *ctx);
    int (*finish)(void *state, struct http_req *rq, fk_err *err);
} http_deferred;

typedef struct http_req {
    const char *method;          /* "GET", "POST", ... */
    const char *path;            /* without the query string */
    void *conn;                  /* struct MHD_Connection *, for query lookup only */
    const char *body;            /* NUL-terminated copy of the upload, or NULL */
    size_t body_len;
    const char *upload_path;     /* upload routes: the body spooled to a file (deleted
                                    after the answer), or NULL when the body was empty */
    const char *bearer;          /* token from Authorization (routes with auth), or NULL */
    char remote[64];
    store *st;
    const struct policy *policy; /* the protocol version in force, shared, read-only */
    struct tracing *tracing;     /* contact discovery (services/tracing.h), shared */
    struct codes_runtime *codes; /* health codes' key and scan audit (services/codes.h) */
    struct allocator *allocator; /* allocation batches' writer (services/allocator.h), or NULL */
    struct throttle *throttle;   /* failed credential checks (services/throttle.h), shared */
    actor who;                   /* valid when the route requires auth */
    const char *params[HTTP_MAX_PARAMS]; /* path parameters, in order; point into `pbuf` */
    char pbuf[HTTP_MAX_PARAMS][96]; /* a code token is 64 characters */

    /* answer */
    int status;                  /* default 200 */
    json_t *json;                /* owned reference, or NULL for an empty body */
    char *text;                  /* or a JSON body already written (heap, the server frees
                                    it): for the hot path of a gate's scan */
    size_t text_len;
    char *file;                  /* or a file's bytes (heap, the server frees them) sent */
    size_t file_len;             /* as an attachment of file_type named file_name */
    const char *file_type;
    char file_name[96];
    bool can_defer;              /* the handler may answer later through `deferred` */
    http_deferred deferred;
} http_req;

/* Query string parameter, or NULL. */
const char *req_query(const http_req *rq, const char *name);
/* Query parameter as a bounded integer; `def` when absent; FK_EINVAL naming it otherwise. */
int req_query_int(const http_req *rq, const char *name, int64_t def, int64_t min, int64_t max,
                  int64_t *out, fk_err *err);
/* The paging of a list: limit (1..1000, default 50) and offset (default 0). */
int req_page_args(const http_req *rq, int64_t *limit, int64_t *offset, fk_err *err);
/* Path parameter i as a positive integer id; FK_ENOTFOUND when it is not one. */
int req_param_id(const http_req *rq, int i, int64_t *out, fk_err *err);
/* Parse the body as a JSON object; malformed JSON names line and column. */
int req_json_body(const http_req *rq, json_t **out, fk_err *err);

/* A body read by a field table, one entry per accepted field (ended by a NULL name):
 * unknown fields are refused and required ones must be given (FK_EINVAL naming the
 * field); null counts as not given. Strings point into *body (the caller frees it with
 * json_decref, also on failure); instants are ISO 8601 with an offset or Unix seconds
 * into n; ids are positive integers into n; numbers into d; objects point into *body (j);
 * arrays are borrowed from *body into arr. */
enum req_ftype { REQ_STRING, REQ_INSTANT, REQ_BOOL, REQ_ID, REQ_OBJECT, REQ_NUMBER, REQ_ARRAY };
typedef struct req_field { const char *name; enum req_ftype type; bool required; } req_field;
typedef struct req_value {
    const char *s;
    int64_t n;
    double d;
    bool b, given;
    const json_t *j;
    json_t *arr;
} req_value;
int req_json_fields(const http_req *rq, const req_field *spec, req_value *vals, json_t **body,
                    fk_err *err);
/* A given string value copied into dst of `cap` bytes; longer is FK_EINVAL naming `field`.
 * An absent value leaves dst as it was. 0 or -1. */
int req_copy_text(char *dst, size_t cap, const req_value *v, const char *field, fk_err *err);

/* Set the answer; takes ownership of `json`. Returns 0. */
int req_reply(http_req *rq, int status, json_t *json);
/* Answer 200 with a file to download (a heap block; ownership passes). Returns 0. */
int req_reply_file(http_req *rq, char *bytes, size_t len, const char *type, const char *name);

#endif
