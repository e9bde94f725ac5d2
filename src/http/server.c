/*
 * server.c - libmicrohttpd glue: connection state, body collection, dispatch.
 *
 * Request life cycle (the access handler is called several times per request):
 *   1st call: allocate conn_state, return (never answer here: see server.h).
 *   upload calls: append to the body until max_body; past it, keep draining, mark too big.
 *     Routes marked `upload` (router.h) instead stream the body into a temporary file
 *     in the data directory (mkstemp), up to IMPORT_MAX_FILE, so a file import never
 *     holds the file in memory and is not bound by the JSON limit.
 *   last call (upload size 0): static file or API dispatch; queue the answer.
 *   completion callback: delete the spooled file, free conn_state, record metrics.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include "http/mhd.h"
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "http/metrics.h"
#include "http/respond.h"
#include "http/router.h"
#include "http/static_files.h"
#include "io/import.h"
#include "services/auth.h"

/* Each connection's memory pool (request line, headers, read buffer, response headers).
 * libmicrohttpd zeroes the whole pool after every request: at its default, 32 KiB, that
 * memset was the largest single cost of a small answer. Request headers larger than
 * about half of it are refused (431); an API call's are well under 2 KiB, and bodies are
 * read through the buffer in pieces (JSON up to max_body, uploads spooled). */
#define CONN_POOL_BYTES (8 * 1024)

/* A worker thread and its daemon (see start_worker). */
typedef struct worker {
    struct MHD_Daemon *daemon;
    int epoll_fd;    /* the daemon's: readable while events wait in it */
    int stop_fd;     /* the server's eventfd: readable once the workers are to stop */
    int kick_fd;     /* eventfd: a held connection of this worker was resumed */
    pthread_t thread;
    bool running;
} worker;

struct http_server {
    worker *workers; /* one per worker thread, each with its daemon and listening socket */
    int n_workers;
    int stop_fd;     /* eventfd, written once by stop_workers; -1 before start */
    server_config cfg;
    char *data_dir, *web_dir, *bind_addr;
    pthread_key_t store_key;
    pthread_mutex_t defer_mu;
    pthread_cond_t defer_cv;     /* deferring fell to 0 */
    int deferring;               /* requests that may be or are held for a later answer */
    bool stopping;               /* no request may be held any more */
};

typedef struct conn_state {
    strbuf body;
    bool too_big;
    int status;
    struct timespec started;
    bool upload;             /* the route takes a file: the body goes to the spool */
    int spool_fd;            /* open while the body arrives; -1 otherwise */
    char *spool_path;        /* NULL until the first byte, and after a discard */
    int64_t spool_len;
    fk_err spool_err;        /* a failure to spool, answered at the end (code != FK_OK) */
    http_deferred deferred;  /* an answer to come (request.h); the connection is held */
    struct MHD_Connection *conn; /* while deferred: for the wake */
    http_server *srv;
    int kick_fd;             /* while deferred: its worker's, written after the resume */
} conn_state;

/* The worker the calling thread runs (NULL outside the workers). */
static _Thread_local struct worker *this_worker;

static void close_thread_store(void *p)
{
    store_close(p);
}

/* The calling worker thread's store handle, opened on first use. */
static store *thread_store(http_server *srv, fk_err *err)
{
    store *st = pthread_getspecific(srv->store_key);
    if (st)
        return st;
    st = store_open(srv->data_dir, err);
    if (st)
        pthread_setspecific(srv->store_key, st);
    return st;
}

static const char *bearer_token(struct MHD_Connection *c)
{
    const char *h = fk_mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (h && !strncasecmp(h, "Bearer ", 7))
        return h + 7;
    return NULL;
}

/* ---- spooling an upload route's body ------------------------------------------------ */

static void spool_close(conn_state *cs)
{
    if (cs->spool_fd >= 0)
        close(cs->spool_fd);
    cs->spool_fd = -1;
}

static void spool_discard(conn_state *cs)
{
    spool_close(cs);
    if (cs->spool_path)
        unlink(cs->spool_path);
    free(cs->spool_path);
    cs->spool_path = NULL;
}

static int spool_open(http_server *srv, conn_state *cs)
{
    strbuf path = STRBUF_INIT;
    sb_appendf(&path, "%s/.upload-XXXXXX", srv->data_dir);
    cs->spool_path = sb_take(&path);
    cs->spool_fd = mkstemp(cs->spool_path);
    if (cs->spool_fd >= 0)
        return 0;
    fk_fail(&cs->spool_err, FK_EIO, "", "cannot keep the upload: %s", strerror(errno));
    free(cs->spool_path);
    cs->spool_path = NULL;
    return -1;
}

/* One chunk of the body; after a failure or past the limit the rest is drained. */
static void spool_chunk(http_server *srv, conn_state *cs, const char *data, size_t n)
{
    if (cs->too_big || cs->spool_err.code != FK_OK)
        return;
    if (cs->spool_len + (int64_t)n > IMPORT_MAX_FILE) {
        cs->too_big = true;
        spool_discard(cs);
        return;
    }
    if (!cs->spool_path && spool_open(srv, cs) != 0)
        return;
    cs->spool_len += (int64_t)n;
    while (n) {
        ssize_t w = write(cs->spool_fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fk_fail(&cs->spool_err, FK_EIO, "", "cannot keep the upload: %s",
                    w < 0 ? strerror(errno) : "short write");
            spool_discard(cs);
            return;
        }
        data += w;
        n -= (size_t)w;
    }
}

/* A GET or HEAD carries no body to spool: the route table is searched for them once, at
 * dispatch (a gate's scan is a GET). */
static bool upload_route(const char *method, const char *url)
{
    const route *rt;
    if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
        return false;
    return router_find(method, url, NULL, &rt) == ROUTE_FOUND && rt->upload;
}

/* Before a file is written to disk for it, the caller must be someone: without a valid
 * token the body is drained unwritten and the final call answers the auth error. */
static void upload_admit(http_server *srv, struct MHD_Connection *c, conn_state *cs)
{
    actor who;
    store *st = thread_store(srv, &cs->spool_err);
    if (st && auth_resolve(st, bearer_token(c), "", &who, &cs->spool_err) == 0)
        fk_err_clear(&cs->spool_err);
}

/* An IPv4 address in dotted decimal, as inet_ntop writes it (cap >= INET_ADDRSTRLEN):
 * written by hand because glibc's inet_ntop goes through sprintf, which was about 1% of
 * the server's CPU at a gate's scan (perf of bench/codes), for the one address every
 * request records. */
static void ipv4_text(const struct in_addr *a, char *out)
{
    const unsigned char *b = (const unsigned char *)&a->s_addr;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *out++ = (char)('0' + v / 100);
        if (v >= 10)
            *out++ = (char)('0' + v / 10 % 10);
        *out++ = (char)('0' + v % 10);
        *out++ = i < 3 ? '.' : '\0';
    }
}

static void client_address(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        fk_mhd.get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET && cap >= INET_ADDRSTRLEN)
        ipv4_text(&((const struct sockaddr_in *)sa)->sin_addr, out);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

static enum MHD_Result send_bytes(struct MHD_Connection *c, conn_state *cs, int status,
                                  const char *type, char *bytes, size_t len)
{
    struct MHD_Response *r =
        fk_mhd.create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);
    fk_mhd.add_response_header(r, "Content-Type", type);
    fk_mhd.add_response_header(r, "Cache-Control", "no-store");
    fk_mhd.add_response_header(r, "X-Content-Type-Options", "nosniff");
    cs->status = status;
    enum MHD_Result ret = fk_mhd.queue_response(c, (unsigned)status, r);
    fk_mhd.destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, conn_state *cs, int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return send_bytes(c, cs, status == 200 && !j ? 204 : status, "application/json",
                          fk_strdup(""), 0);
    return send_bytes(c, cs, status, "application/json; charset=utf-8", text, strlen(text));
}

/* A download: the name is ours (ASCII, no quotes), so it goes into the header as is. */
static enum MHD_Result send_file(struct MHD_Connection *c, conn_state *cs, http_req *rq)
{
    char disposition[128];
    struct MHD_Response *r =
        fk_mhd.create_response_from_buffer(rq->file_len, rq->file, MHD_RESPMEM_MUST_FREE);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", rq->file_name);
    fk_mhd.add_response_header(r, "Content-Type", rq->file_type);
    fk_mhd.add_response_header(r, "Content-Disposition", disposition);
    fk_mhd.add_response_header(r, "Cache-Control", "no-store");
    fk_mhd.add_response_header(r, "X-Content-Type-Options", "nosniff");
    cs->status = 200;
    enum MHD_Result ret = fk_mhd.queue_response(c, 200, r);
    fk_mhd.destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, conn_state *cs, const fk_err *err)
{
    return send_json(c, cs, http_status_of(err->code), http_error_json(err));
}

static enum MHD_Result serve_metrics(http_server *srv, struct MHD_Connection *c, conn_state *cs)
{
    fk_err err;
    store_counts n = {0};
    store *st = thread_store(srv, &err);
    if (!st || store_counts_get(st, &n, &err) != 0)
        log_warn("http", "metrics without counts: %s", err.message);
    strbuf sb = STRBUF_INIT;
    metrics_render(&sb, n.persons, n.cases, n.audit);
    size_t len = sb.len;
    return send_bytes(c, cs, 200, "text/plain; version=0.0.4", sb_take(&sb), len);
}

/* A handler's answer (rc 0: in rq; -1: err) sent; rq's answer freed. */
static enum MHD_Result send_answer(struct MHD_Connection *c, conn_state *cs, http_req *rq,
                                   int rc, const fk_err *err)
{
    if (rc != 0) {
        json_decref(rq->json);
        free(rq->file);
        free(rq->text);
        return send_error(c, cs, err);
    }
    if (rq->file) {
        json_decref(rq->json);
        free(rq->text);
        return send_file(c, cs, rq);
    }
    if (rq->text) {
        json_decref(rq->json);
        return send_bytes(c, cs, rq->status, "application/json; charset=utf-8", rq->text,
                          rq->text_len);
    }
    return send_json(c, cs, rq->status, rq->json);
}

/* ---- answers given later (request.h: http_deferred) ----------------------------------
 * A held connection is suspended (libmicrohttpd leaves it alone, its worker serves the
 * others) until the work's wake resumes it; libmicrohttpd then calls on_request again,
 * which answers through finish. The server stops its workers only when no request is held
 * (libmicrohttpd refuses to stop with a suspended connection): `deferring` counts the
 * requests that may be held (those of routes marked `defers`), from before their handler
 * runs to their wake, and once `stopping` is set no handler may defer. */
static bool defer_begin(http_server *srv)
{
    pthread_mutex_lock(&srv->defer_mu);
    bool ok = !srv->stopping;
    if (ok)
        srv->deferring++;
    pthread_mutex_unlock(&srv->defer_mu);
    return ok;
}

static void defer_end(http_server *srv)
{
    pthread_mutex_lock(&srv->defer_mu);
    if (--srv->deferring == 0)
        pthread_cond_broadcast(&srv->defer_cv);
    pthread_mutex_unlock(&srv->defer_mu);
}

/* The work's wake, from any thread: the connection resumed (cs may be freed as soon as
 * it is: srv and the kick are read first), and its worker woken to run it (libmicrohttpd
 * leaves that to the thread driving the daemon: see the workers). */
static void defer_wake(void *ctx)
{
    conn_state *cs = ctx;
    http_server *srv = cs->srv;
    int kick = cs->kick_fd;
    uint64_t one = 1;
    fk_mhd.resume_connection(cs->conn);
    if (kick >= 0 && write(kick, &one, sizeof one) != sizeof one)
        log_warn("http", "waking a worker for a resumed answer: %s", strerror(errno));
    defer_end(srv);
}

static enum MHD_Result defer_hold(http_server *srv, struct MHD_Connection *c, conn_state *cs,
                                  http_req *rq)
{
    cs->deferred = rq->deferred;
    cs->conn = c;
    cs->srv = srv;
    cs->kick_fd = this_worker ? this_worker->kick_fd : -1;
    fk_mhd.suspend_connection(c);
    cs->deferred.start(cs->deferred.state, defer_wake, cs);
    return MHD_YES;
}

/* The deferred answer, once woken: into rq (the connection's, to be sent, or a scratch
 * one when the client has gone). */
static int defer_finish(conn_state *cs, http_req *rq, fk_err *err)
{
    http_deferred d = cs->deferred;
    cs->deferred.state = NULL;
    *rq = (http_req){.status = 200};
    return d.finish(d.state, rq, err);
}

/* Before the workers stop: no new hold, and every held request woken. */
static void defer_stop(http_server *srv)
{
    pthread_mutex_lock(&srv->defer_mu);
    srv->stopping = true;
    while (srv->deferring > 0)
        pthread_cond_wait(&srv->defer_cv, &srv->defer_mu);
    pthread_mutex_unlock(&srv->defer_mu);
}

static enum MHD_Result dispatch_api(http_server *srv, struct MHD_Connection *c, conn_state *cs,
                                    const char *url, const char *method)
{
    fk_err err;
    http_req rq = {.method = method, .path = url, .conn = c, .status = 200};
    const route *rt;
    if (cs->too_big && cs->upload)
        return fk_fail(&err, FK_ETOOBIG, "", "uploaded file over %lld MiB",
                       (long long)(IMPORT_MAX_FILE >> 20)),
               send_error(c, cs, &err);
    if (cs->too_big)
        return fk_fail(&err, FK_ETOOBIG, "", "request body over %zu bytes", srv->cfg.max_body),
               send_error(c, cs, &err);
    if (cs->spool_err.code != FK_OK)
        return send_error(c, cs, &cs->spool_err);
    route_match m = router_find(method, url, &rq, &rt);
    if (m != ROUTE_FOUND)
        return fk_fail(&err, m == ROUTE_NO_PATH ? FK_ENOTFOUND : FK_EMETHOD, "",
                       m == ROUTE_NO_PATH ? "no such endpoint: %s" : "method %s not allowed here",
                       m == ROUTE_NO_PATH ? url : method),
               send_error(c, cs, &err);
    rq.policy = srv->cfg.policy;
    rq.tracing = srv->cfg.tracing;
    rq.codes = srv->cfg.codes;
    rq.allocator = srv->cfg.allocator;
    rq.throttle = srv->cfg.throttle;
    rq.body = cs->body.buf;
    rq.body_len = cs->body.len;
    rq.upload_path = cs->spool_path;
    rq.bearer = rt->auth ? bearer_token(c) : NULL; /* only signed-in routes read it */
    client_address(c, rq.remote, sizeof rq.remote);
    if (!(rq.st = thread_store(srv, &err)))
        return send_error(c, cs, &err);
    if (rt->auth && auth_resolve(rq.st, rq.bearer, rq.remote, &rq.who, &err) != 0)
        return send_error(c, cs, &err);
    rq.can_defer = rt->defers && defer_begin(srv);
    int rc = rt->handler(&rq, &err);
    if (rc == 0 && rq.deferred.state)
        return defer_hold(srv, c, cs, &rq);
    if (rq.can_defer)
        defer_end(srv);
    return send_answer(c, cs, &rq, rc, &err);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state)
{
    http_server *srv = cls;
    conn_state *cs = *state;
    (void)version;
    if (!cs) {
        cs = fk_calloc(1, sizeof *cs);
        clock_gettime(CLOCK_MONOTONIC, &cs->started);
        cs->spool_fd = -1;
        cs->upload = upload_route(method, url);
        if (cs->upload)
            upload_admit(srv, c, cs);
        *state = cs;
        return MHD_YES;
    }
    if (cs->deferred.state) { /* woken: the answer held for it */
        http_req rq;
        fk_err err;
        int rc = defer_finish(cs, &rq, &err);
        return send_answer(c, cs, &rq, rc, &err);
    }
    if (*upload_size && cs->upload) {
        spool_chunk(srv, cs, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cs->too_big && cs->body.len + *upload_size > srv->cfg.max_body) {
            cs->too_big = true;
            sb_free(&cs->body);
        }
        if (!cs->too_big)
            sb_append_len(&cs->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    spool_close(cs); /* the whole body is in: the handler reads the file */
    if (!strcmp(url, "/metrics") && !strcmp(method, "GET"))
        return serve_metrics(srv, c, cs);
    if (!strncmp(url, "/api/", 5) || !strcmp(url, "/healthz"))
        return dispatch_api(srv, c, cs, url, method);
    cs->status = static_serve(c, srv->web_dir, url, method);
    return cs->status > 0 ? MHD_YES : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    conn_state *cs = *state;
    (void)cls, (void)c, (void)why;
    if (!cs)
        return;
    if (cs->deferred.state) { /* the client went before its answer */
        http_req rq;
        fk_err err;
        if (defer_finish(cs, &rq, &err) == 0) {
            json_decref(rq.json);
            free(rq.file);
            free(rq.text);
        }
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t us = (now.tv_sec - cs->started.tv_sec) * 1000000 +
                 (now.tv_nsec - cs->started.tv_nsec) / 1000;
    if (cs->status)
        metrics_observe(cs->status, us);
    spool_discard(cs);
    sb_free(&cs->body);
    free(cs);
    *state = NULL;
}

/* ---- the workers --------------------------------------------------------------------- */

/* Each worker thread is a libmicrohttpd daemon of its own (epoll) with its own listening
 * socket on the same address (SO_REUSEPORT): the kernel spreads new connections over the
 * sockets by their addresses' hash, so the connections are shared evenly between the
 * workers and a connection stays with the worker that accepted it. With one daemon and a
 * pool of workers sharing one listening socket, the first worker awake took up to ten
 * connections in a row: 256 connections' work split 29/26/24/8% over four workers (perf),
 * and a connection of the busiest, served at a fraction of the rate of one of the
 * quietest, made the p99 (bench/codes). One accepting thread handing connections to the
 * pool (MHD_add_connection) evened it too, but one run under load stalled; here nothing
 * is handed between threads.
 *
 * The thread is ours, not the library's (its external epoll mode): libmicrohttpd 0.9.75's
 * own thread loses a daemon's connections for up to the connection timeout when exactly
 * 128 of them (its batch of events) are ready at once. It then asks epoll for more with
 * the blocking timeout it computed before, and answers the 128 only after that call
 * returns: with every connection of the daemon waiting for its answer, nothing arrives,
 * and all of them wait up to a minute (a worker with 128 connections or more, e.g. two
 * workers at 256 connections: 78 requests a second for a whole run of bench/codes, the
 * 128 requests unread in their sockets and the thread in epoll_wait). Here the thread
 * waits in poll on the daemon's epoll descriptor (readable while events wait in it, and
 * polling takes none of them) for at most the library's timeout, and then lets the
 * library run without blocking (MHD_run: its epoll calls get timeout 0). */
static void *worker_main(void *arg)
{
    worker *w = arg;
    this_worker = w;
    pthread_setname_np(pthread_self(), "fk-http"); /* what perf and top show */
    for (;;) {
        MHD_UNSIGNED_LONG_LONG ms;
        uint64_t kicks;
        int timeout = -1;
        if (fk_mhd.get_timeout(w->daemon, &ms) == MHD_YES)
            timeout = ms < INT_MAX ? (int)ms : INT_MAX;
        struct pollfd p[3] = {{.fd = w->epoll_fd, .events = POLLIN},
                              {.fd = w->kick_fd, .events = POLLIN},
                              {.fd = w->stop_fd, .events = POLLIN}};
        if (poll(p, 3, timeout) > 0 && p[2].revents)
            break;
        if (p[1].revents && read(w->kick_fd, &kicks, sizeof kicks) < 0 && errno != EAGAIN)
            log_warn("http", "worker wake: %s", strerror(errno));
        fk_mhd.run(w->daemon);
    }
    return NULL;
}

static struct MHD_Daemon *start_daemon(http_server *srv, const struct sockaddr_in *addr,
                                       unsigned limit)
{
    return fk_mhd.start_daemon(
        MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, 0,
        NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_POOL_BYTES, MHD_OPTION_END);
}

/* The daemon listening and its thread running, or -1 with nothing left behind. */
static int start_worker(http_server *srv, worker *w, const struct sockaddr_in *addr,
                        unsigned limit)
{
    const union MHD_DaemonInfo *di;
    w->stop_fd = srv->stop_fd;
    if ((w->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
        return -1;
    if (!(w->daemon = start_daemon(srv, addr, limit))) {
        close(w->kick_fd);
        return -1;
    }
    if (!(di = fk_mhd.get_daemon_info(w->daemon, MHD_DAEMON_INFO_EPOLL_FD)) ||
        (w->epoll_fd = di->epoll_fd) < 0 || pthread_create(&w->thread, NULL, worker_main, w)) {
        fk_mhd.stop_daemon(w->daemon);
        w->daemon = NULL;
        close(w->kick_fd);
        return -1;
    }
    w->running = true;
    return 0;
}

/* The threads first (a daemon is stopped by the thread that ran it, or once it is gone:
 * never while it runs), then the daemons. */
static void stop_workers(http_server *srv)
{
    uint64_t one = 1;
    defer_stop(srv);
    if (srv->stop_fd >= 0 && write(srv->stop_fd, &one, sizeof one) != sizeof one)
        log_warn("http", "stopping the workers: %s", strerror(errno));
    for (int i = 0; i < srv->n_workers; i++)
        if (srv->workers[i].running)
            pthread_join(srv->workers[i].thread, NULL);
    for (int i = 0; i < srv->n_workers; i++) {
        fk_mhd.stop_daemon(srv->workers[i].daemon);
        close(srv->workers[i].kick_fd);
    }
    free(srv->workers);
    srv->workers = NULL;
    srv->n_workers = 0;
    if (srv->stop_fd >= 0)
        close(srv->stop_fd);
    srv->stop_fd = -1;
}

/* A shared port must be free first: SO_REUSEPORT would let the workers join another
 * server's sockets on it (one of ours, started twice) and share its connections. The
 * address is bound once without the option (with SO_REUSEADDR, as the workers: a
 * closed connection's TIME_WAIT does not hold a port), which fails when any socket
 * listens on it; port 0 gets a free port this way, which the workers then bind. */
static int free_port(const struct sockaddr_in *addr, struct sockaddr_in *out)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
    socklen_t len = sizeof *out;
    int rc = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 &&
                     bind(fd, (const struct sockaddr *)addr, sizeof *addr) == 0 &&
                     getsockname(fd, (struct sockaddr *)out, &len) == 0
                 ? 0
                 : -1;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* All or none. */
static int start_workers(http_server *srv, const struct sockaddr_in *addr, fk_err *err)
{
    struct sockaddr_in a;
    unsigned limit = 4096u / (unsigned)srv->cfg.threads + 1;
    if (free_port(addr, &a) != 0)
        return fk_fail(err, FK_EIO, "port", "cannot listen on %s:%d (in use?): %s",
                       srv->bind_addr, srv->cfg.port, strerror(errno));
    if ((srv->stop_fd = eventfd(0, EFD_CLOEXEC)) < 0)
        return fk_fail(err, FK_EIO, "", "eventfd: %s", strerror(errno));
    srv->workers = fk_calloc((size_t)srv->cfg.threads, sizeof *srv->workers);
    for (int i = 0; i < srv->cfg.threads; i++) {
        if (start_worker(srv, &srv->workers[i], &a, limit) != 0) {
            stop_workers(srv);
            return fk_fail(err, FK_EIO, "port", "cannot listen on %s:%d (in use?)",
                           srv->bind_addr, (int)ntohs(a.sin_port));
        }
        srv->n_workers++;
    }
    return 0;
}

static void config_defaults(http_server *srv, const server_config *cfg)
{
    srv->cfg = *cfg;
    srv->bind_addr = fk_strdup(cfg->bind_addr ? cfg->bind_addr : "127.0.0.1");
    srv->data_dir = fk_strdup(cfg->data_dir);
    srv->web_dir = cfg->web_dir ? fk_strdup(cfg->web_dir) : NULL;
    /* Two workers a core. Measured on the 2-core machine (bench/codes, the scans answered
     * from memory, wrk's 2 threads on the same cores, load 6-9 from other work), two runs
     * each, p99 at 16/64/256 connections with nginx's in the same run in brackets:
     *   2 workers: 5.4 (5.9) 10.9 (16.3) 23.7 (26.6); 5.3 (4.4) 10.3 (15.5) 43.7 (170)
     *   3 workers: 5.6 (3.8) 14.5 (13.1) 22.4 (37.3); 4.9 (4.5) 15.7 (3.0) 10.3 (8.2)
     *   4 workers: 3.4 (1.0)  5.9 (7.2)  10.8 (8.0); 5.1 (0.7) 11.8 (13.3) 22.9 (23.0)
     * and a rate of 0.9 to 1.3 times nginx's at 256 with each. The other work's noise is
     * larger than any difference between them, so the default stays; with two workers one
     * run (of an earlier build) served 256 connections at 222 requests a second for its
     * whole ten seconds, which no run with more did. Later, with the scans' locks gone
     * and the machine quiet (2026-12-02), three pairs at 256: p99 9.4, 10.7, 11.0 ms with
     * two workers against 10.7, 10.0, 11.5 with four (nginx's own 8.0-15.5): still inside
     * the noise, and with two a slow request (an export) holds half the connections. */
    if (srv->cfg.threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        srv->cfg.threads = cores > 0 ? (int)cores * 2 : 4;
    }
    if (!srv->cfg.max_body)
        srv->cfg.max_body = 1 << 20;
}

static void server_free(http_server *srv)
{
    pthread_key_delete(srv->store_key);
    pthread_cond_destroy(&srv->defer_cv);
    pthread_mutex_destroy(&srv->defer_mu);
    free(srv->bind_addr);
    free(srv->data_dir);
    free(srv->web_dir);
    free(srv);
}

http_server *http_server_start(const server_config *cfg, fk_err *err)
{
    if (mhd_load(err) != 0) /* libmicrohttpd is loaded by the first server (http/mhd.h) */
        return NULL;
    http_server *srv = fk_calloc(1, sizeof *srv);
    srv->stop_fd = -1;
    config_defaults(srv, cfg);
    pthread_mutex_init(&srv->defer_mu, NULL);
    pthread_cond_init(&srv->defer_cv, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (inet_pton(AF_INET, srv->bind_addr, &addr.sin_addr) != 1) {
        fk_fail(err, FK_EINVAL, "bind", "bind: not an IPv4 address: %s", srv->bind_addr);
        goto fail_config;
    }
    if (pthread_key_create(&srv->store_key, close_thread_store) != 0) {
        fk_fail(err, FK_EINTERNAL, "", "pthread_key_create failed");
        goto fail_config;
    }
    if (start_workers(srv, &addr, err) != 0)
        goto fail_key;
    return srv;
fail_key:
    pthread_key_delete(srv->store_key);
    srv->store_key = 0;
fail_config:
    pthread_cond_destroy(&srv->defer_cv);
    pthread_mutex_destroy(&srv->defer_mu);
    free(srv->bind_addr);
    free(srv->data_dir);
    free(srv->web_dir);
    free(srv);
    return NULL;
}

int http_server_port(const http_server *srv)
{
    const union MHD_DaemonInfo *di =
        fk_mhd.get_daemon_info(srv->workers[0].daemon, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : srv->cfg.port;
}

void http_server_stop(http_server *srv)
{
    if (!srv)
        return;
    stop_workers(srv);
    server_free(srv);
}
