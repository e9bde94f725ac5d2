/*
 * tracing.c - the trace index of a store: taken from its snapshot, extended with the
 * records that arrived since, or built (shared by the server and `fangkong trace`); the
 * server's index in memory; a case's contacts. Contract and locking: tracing.h.
 */
#include "services/tracing.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/batch_writer.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "model/role.h"
#include "policy/policy.h"
#include "services/codes.h"
#include "services/discovery.h"
#include "services/registry.h"
#include "trace/presence.h"

#define DAY 86400
#define GAP_KEY "trace_inputs.pings.max_gap_s"

struct tracing {
    const struct policy *policy;
    pthread_rwlock_t lock;
    trace_index *ix;         /* NULL until first use */
    int64_t ids[3];          /* store_input_ids the index holds */
    char snapshot[4096];     /* "" = none; else the snapshot file of the index */
};

void tracing_set_snapshot(tracing *t, const char *path)
{
    snprintf(t->snapshot, sizeof t->snapshot, "%s", path ? path : "");
}

tracing *tracing_new(const struct policy *p)
{
    tracing *t = fk_calloc(1, sizeof *t);
    t->policy = p;
    pthread_rwlock_init(&t->lock, NULL);
    return t;
}

void tracing_free(tracing *t)
{
    if (!t)
        return;
    trace_index_free(t->ix);
    pthread_rwlock_destroy(&t->lock);
    free(t);
}

int tracing_snapshot_path(const char *data_dir, const struct policy *p, char *out, size_t cap,
                          fk_err *err)
{
    int64_t gap;
    if (policy_get_int(p, GAP_KEY, &gap, err) != 0)
        return -1;
    int n = snprintf(out, cap, "%s/trace-%lld.snap", data_dir, (long long)gap);
    if (n < 0 || (size_t)n >= cap)
        return fk_fail(err, FK_EINVAL, "data", "data directory path too long");
    return 0;
}

const char *tracing_from_name(tracing_from f)
{
    static const char *names[] = {"snapshot", "extended", "built"};
    return f <= TRACING_FROM_BUILT ? names[f] : "?";
}

/* ---- loading records from the store ---- */

/* Stream the store's records straight into the builder: no copy of all records. */
typedef struct load_ctx { trace_builder *b; trace_pings *pings; fk_err *err; } load_ctx;

static int add_one(void *ctx, const stay_rec *s)
{
    load_ctx *l = ctx;
    trace_stay st = {s->subject, s->place, s->start, s->end, s->source};
    return trace_builder_add(l->b, &st, l->err) != 0;
}

/* A stretch of presence from consecutive pings (trace/presence.h). */
static int add_presence(void *ctx, const char *subject, const char *cell, int64_t start,
                        int64_t end)
{
    load_ctx *l = ctx;
    trace_stay st = {subject, cell, start, end, "pings"};
    return trace_builder_add(l->b, &st, l->err) != 0;
}

static int add_ping(void *ctx, const ping_rec *p)
{
    load_ctx *l = ctx;
    return trace_pings_add(l->pings, p->subject, p->time, p->cell, l->err) != 0;
}

static int add_detection(void *ctx, const detection_rec *d)
{
    load_ctx *l = ctx;
    return trace_builder_add_detection(l->b, d->a, d->b, d->time, l->err) != 0;
}

/* ---- stays through two threads: this one reads the store (SQLite, pack decoding),
 * a second one interns into the builder (base/batch_writer.h). Why: the two take
 * about as long each on a city's stays, and the load before the build is serial. */

#define FEED_BATCH 4096

static int intern_stays(void *ctx, const void *recs, size_t n, size_t first, size_t last,
                        fk_err *err)
{
    load_ctx *l = ctx;
    const stay_rec *r = recs;
    (void)first, (void)last;
    for (size_t i = 0; i < n; i++) {
        trace_stay st = {r[i].subject, r[i].place, r[i].start, r[i].end, r[i].source};
        if (trace_builder_add(l->b, &st, err) != 0)
            return -1;
    }
    return 0;
}

typedef struct stay_feed { batch_writer *bw; size_t n; fk_err *err; } stay_feed;

static int feed_stay(void *ctx, const stay_rec *s)
{
    stay_feed *f = ctx;
    ((stay_rec *)bw_buffer(f->bw))[f->n++] = *s;
    if (f->n < FEED_BATCH)
        return 0;
    f->n = 0;
    return bw_submit(f->bw, FEED_BATCH, 0, 0, f->err) != 0;
}

/* The stays with after_id < id <= upto_id (store_stays_after) into l's builder. */
static int load_stays(store *st, load_ctx *l, int64_t after_id, int64_t upto_id, fk_err *err)
{
    batch_writer *bw = bw_new(sizeof(stay_rec), FEED_BATCH, intern_stays, l, NULL);
    if (!bw)   /* no second thread: intern here */
        return store_stays_after(st, after_id, upto_id, add_one, l, err) != 0 ? -1 : 0;
    stay_feed f = {bw, 0, err};
    int rc = store_stays_after(st, after_id, upto_id, feed_stay, &f, err);
    if (rc == 0 && f.n)
        rc = bw_submit(bw, f.n, 0, 0, err);
    if (bw_drain(bw, rc ? NULL : err) != 0)
        rc = -1;
    bw_free(bw);
    return rc != 0 ? -1 : 0;
}

/* A builder and a ping converter for the policy's gap (*gap OUT). 0, or -1 (err). */
static int load_begin(load_ctx *l, const struct policy *p, int64_t *gap, fk_err *err)
{
    if (policy_get_int(p, GAP_KEY, gap, err) != 0)
        return -1;
    *l = (load_ctx){trace_builder_new(), trace_pings_new(*gap, add_presence, l), err};
    if (l->pings)
        return 0;
    trace_builder_free(l->b);
    return fk_fail(err, FK_EINVAL, GAP_KEY, "the ping gap must be positive");
}

/* The index of what was loaded (failed: rc != 0); frees the loader either way. */
static trace_index *load_end(load_ctx *l, int rc, fk_err *err)
{
    trace_pings_free(l->pings);
    if (rc) {
        trace_builder_free(l->b);
        return NULL;
    }
    return trace_builder_finish(l->b, err);
}

/* Every record up to ids, by row id, so that the index holds exactly what its marks
 * say even while an import commits meanwhile. */
static trace_index *build_upto(store *st, const struct policy *p, const int64_t ids[3],
                               fk_err *err)
{
    int64_t gap;
    load_ctx l;
    if (load_begin(&l, p, &gap, err) != 0)
        return NULL;
    int rc = load_stays(st, &l, 0, ids[0], err) != 0 ||
             store_pings_after(st, 0, ids[1], add_ping, &l, err) != 0 ||
             trace_pings_finish(l.pings, err) != 0 ||
             store_detections_after(st, 0, ids[2], add_detection, &l, err) != 0;
    return load_end(&l, rc, err);
}

/* ---- the current index: snapshot, extension or build ---- */

static bool same_ids(const int64_t a[3], const int64_t b[3])
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

/* An index holding `have` may be brought to `now` by adding records: none gone. */
static bool extendable(const int64_t have[3], const int64_t now[3])
{
    return now[0] >= have[0] && now[1] >= have[1] && now[2] >= have[2];
}

/* ---- new pings into an index: a ping's presence runs to the next ping of its subject,
 * and the last ping of a subject gives none until a later one arrives (presence.h). So
 * new pings that all come at or after their subject's last held ping only ADD presence:
 * the piece from that last held ping to the first new one, and the pieces among the
 * new ones; the converter is fed exactly that. A new ping before its subject's last
 * held one (data arriving late) would change a piece the index holds: then the index
 * is built again. */

typedef struct ping_ext {
    load_ctx *l;
    store *st;
    int64_t held;            /* pings with id <= held are in the index */
    char subject[64];        /* the subject being fed; "" before the first */
    int64_t last;            /* its last held ping's time (INT64_MIN: none) */
} ping_ext;

static int add_new_ping(void *ctx, const ping_rec *p)
{
    ping_ext *x = ctx;
    if (strcmp(p->subject, x->subject) != 0) {
        ping_rec last;
        int found = store_ping_last(x->st, p->subject, x->held, &last, x->l->err);
        if (found < 0)
            return 1;
        snprintf(x->subject, sizeof x->subject, "%s", p->subject);
        x->last = found ? last.time : INT64_MIN;
        if (found && add_ping(x->l, &last) != 0)
            return 1;
    }
    if (p->time < x->last)
        return fk_fail(x->l->err, FK_ECONFLICT, "pings", "a new ping of %s is older than "
                       "its last one in the index", p->subject) != 0;
    return add_ping(x->l, p);
}

/* base (holding have) with the stays, pings and detections after have, up to now. */
static trace_index *extend_to(const trace_index *base, const int64_t have[3], store *st,
                              const int64_t now[3], const struct policy *p, fk_err *err)
{
    int64_t gap;
    load_ctx l;
    if (load_begin(&l, p, &gap, err) != 0)
        return NULL;
    ping_ext x = {&l, st, have[1], "", INT64_MIN};
    int rc = load_stays(st, &l, have[0], now[0], err) != 0 ||
             (now[1] > have[1] &&
              (store_pings_after(st, have[1], now[1], add_new_ping, &x, err) != 0 ||
               trace_pings_finish(l.pings, err) != 0)) ||
             store_detections_after(st, have[2], now[2], add_detection, &l, err) != 0;
    trace_pings_free(l.pings);
    if (rc) {
        trace_builder_free(l.b);
        return NULL;
    }
    return trace_index_extend(base, l.b, err);
}

/* The snapshot at path mapped, with its marks (OUT); NULL when there is none, it is
 * refused, or it was made under another ping gap (logged; the caller builds). */
static trace_index *open_snapshot(const char *path, const struct policy *p, int64_t marks[3])
{
    fk_err e;
    int64_t gap;
    trace_snapshot_marks m;
    if (policy_get_int(p, GAP_KEY, &gap, &e) != 0)
        return NULL;
    trace_index *ix = trace_index_open(path, &m, &e);
    if (!ix) {
        if (e.code == FK_EINVAL)
            log_warn("tracing", "trace snapshot %s refused: %s", path, e.message);
        else
            log_info("tracing", "no trace snapshot: %s", e.message);
        return NULL;
    }
    if (m.version != (uint64_t)gap || m.stays > INT64_MAX || m.pings > INT64_MAX ||
        m.detections > INT64_MAX) {
        log_warn("tracing", "trace snapshot %s refused: made for a ping gap of %llu s, not %lld",
                 path, (unsigned long long)m.version, (long long)gap);
        trace_index_free(ix);
        return NULL;
    }
    marks[0] = (int64_t)m.stays, marks[1] = (int64_t)m.pings, marks[2] = (int64_t)m.detections;
    return ix;
}

static void save_snapshot(const trace_index *ix, const char *path, const struct policy *p,
                          tracing_index_info *info)
{
    int64_t gap = 0;
    fk_err e;
    double t0 = fk_seconds();
    info->save_seconds = 0;
    if (!path || !path[0] || policy_get_int(p, GAP_KEY, &gap, &e) != 0)
        return;
    trace_snapshot_marks m = {(uint64_t)gap, (uint64_t)info->ids[0], (uint64_t)info->ids[1],
                              (uint64_t)info->ids[2]};
    if (trace_index_save(ix, path, &m, &e) != 0)
        log_warn("tracing", "trace snapshot %s not saved: %s", path, e.message);
    info->save_seconds = fk_seconds() - t0;
}

/* One line per index taken: how, from which snapshot, its size, what it holds. */
static void log_index(const char *how, const char *snap, const trace_index *ix,
                      const trace_index *base, const int64_t ids[3])
{
    char added[96] = "";
    if (base)
        snprintf(added, sizeof added, " (%zu stays and %zu detections added)",
                 trace_index_records(ix) - trace_index_records(base),
                 trace_index_detections(ix) - trace_index_detections(base));
    log_info("tracing", "index %s%s%s: %zu records and %zu detections%s; store ids: stays %lld, "
             "pings %lld, detections %lld", how, snap ? " from snapshot " : "", snap ? snap : "",
             trace_index_records(ix), trace_index_detections(ix), added, (long long)ids[0],
             (long long)ids[1], (long long)ids[2]);
}

/* Why an index holding `have` was not extended to `now` (extension error e). */
static void log_no_extension(const int64_t have[3], const int64_t now[3], const fk_err *e)
{
    const char *why = extendable(have, now) ? e->message : "the store's ids are below its marks";
    log_info("tracing", "index holding stays %lld, pings %lld, detections %lld not extended "
             "(%s): building", (long long)have[0], (long long)have[1], (long long)have[2], why);
}

/* Bring cur (holding have; NULL: no index yet, try the snapshot) to the store's ids
 * now: extended when it can be, else built; the result is saved as the snapshot.
 * The one path of the server's first use, its later refreshes and the CLI. */
static trace_index *next_index(const trace_index *cur, const int64_t *have, store *st,
                               const struct policy *p, const char *snap, const int64_t now[3],
                               tracing_index_info *info, fk_err *err)
{
    int64_t marks[3];
    trace_index *mapped = NULL, *ix = NULL;
    memcpy(info->ids, now, sizeof info->ids);
    info->save_seconds = 0;
    if (!cur && snap && snap[0] && (mapped = open_snapshot(snap, p, marks)) != NULL) {
        if (same_ids(marks, now)) {
            info->from = TRACING_FROM_SNAPSHOT;
            log_index("mapped", snap, mapped, NULL, now);
            return mapped;
        }
        cur = mapped, have = marks;
    }
    fk_err e = {0};
    if (cur && extendable(have, now) && (ix = extend_to(cur, have, st, now, p, &e)) != NULL) {
        info->from = TRACING_FROM_EXTENDED;
        log_index("extended", mapped ? snap : NULL, ix, cur, now);
    } else if (cur) {
        log_no_extension(have, now, &e);
    }
    trace_index_free(mapped);
    if (!ix && (ix = build_upto(st, p, now, err)) != NULL) {
        info->from = TRACING_FROM_BUILT;
        log_index("built", NULL, ix, NULL, now);
    }
    if (ix)
        save_snapshot(ix, snap, p, info);
    return ix;
}

trace_index *tracing_index_current(store *st, const struct policy *p, const char *snapshot,
                                   tracing_index_info *info, fk_err *err)
{
    int64_t now[3];
    if (store_input_ids(st, now, err) != 0)
        return NULL;
    return next_index(NULL, NULL, st, p, snapshot, now, info, err);
}

/* ---- the server's index ---- */

/* The index holds at least what the store held at `ids` (ids only grow): a query that
 * read ids before another thread's refresh is served by the newer index. */
static bool holds(const int64_t have[3], const int64_t ids[3])
{
    return have[0] >= ids[0] && have[1] >= ids[1] && have[2] >= ids[2];
}

/* Take the read lock on an index that is current for the store. */
static int lock_current(tracing *t, store *st, fk_err *err)
{
    int64_t ids[3];
    if (store_input_ids(st, ids, err) != 0)
        return -1;
    pthread_rwlock_rdlock(&t->lock);
    if (t->ix && holds(t->ids, ids))
        return 0;
    pthread_rwlock_unlock(&t->lock);
    pthread_rwlock_wrlock(&t->lock);
    if (!t->ix || !holds(t->ids, ids)) {
        tracing_index_info info;
        trace_index *ix = next_index(t->ix, t->ids, st, t->policy, t->snapshot, ids, &info, err);
        if (!ix) {
            pthread_rwlock_unlock(&t->lock);
            return -1;
        }
        trace_index_free(t->ix);
        t->ix = ix;
        memcpy(t->ids, info.ids, sizeof t->ids);
    }
    pthread_rwlock_unlock(&t->lock);
    pthread_rwlock_rdlock(&t->lock); /* a newer version may land meanwhile: fine */
    return 0;
}

/* Link each row to the person its subject names and store it, in one transaction. */
static int store_rows(store *st, const actor *a, int64_t case_id, const trace_contact_list *l,
                      int64_t now, fk_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        const trace_contact *k = &l->items[i];
        contact_rec c = {.case_id = case_id, .degree = k->degree, .found_at = now,
                         .first_overlap = k->first_overlap, .overlap_s = k->overlap_s};
        person p;
        int linked = discovery_person_of_subject(st, k->subject, &p, err);
        if (linked < 0)
            goto fail;
        c.person_id = linked ? p.id : 0;
        snprintf(c.subject, sizeof c.subject, "%s", k->subject);
        snprintf(c.kind, sizeof c.kind, "%s", k->kind);
        snprintf(c.place, sizeof c.place, "%s", k->place);
        snprintf(c.source, sizeof c.source, "%s", k->source);
        snprintf(c.via, sizeof c.via, "%s", k->via);
        if (store_contact_upsert(st, &c, NULL, err) != 0)
            goto fail;
    }
    /* companions and venue exposures found wait for their clearance tests: yellow now */
    if (codes_recompute_for(st, a, "discovery", CODES_BY_CASE_CONTACTS, case_id, err) != 0)
        goto fail;
    return store_commit(st, err);
fail:
    store_rollback(st);
    return -1;
}

/* The windows of a registered case: given ones, or the policy's. */
static int case_windows(const discovery_rules *r, const epicase *k, int64_t from, int64_t to,
                        discovery_case *c, fk_err *err)
{
    if (from || to) {
        if (!from || !to || to <= from)
            return fk_fail(err, FK_EINVAL, "to", "to: give from and to, with to after from");
        c->from = c->comp_from = from;
        c->to = c->comp_to = to;
        return 0;
    }
    c->comp_from = k->reported_at - 14 * DAY;
    c->comp_to = k->reported_at + DAY;
    return discovery_infectious_window(k, r, fk_now(), &c->from, &c->to, err);
}

int tracing_subject_venues(tracing *t, store *st, const char *const *subjects, size_t n,
                           int64_t from, int64_t to, trace_place_fn fn, void *ctx, fk_err *err)
{
    if (lock_current(t, st, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (subjects[i] && subjects[i][0])
            rc = trace_subject_venues(t->ix, subjects[i], from, to, fn, ctx);
    pthread_rwlock_unlock(&t->lock);
    return rc;
}

int tracing_discover(tracing *t, store *st, const actor *a, int64_t case_id,
                     const tracing_opts *o, contact_rec_list *out, fk_err *err)
{
    epicase k;
    person p;
    discovery_rules r;
    discovery_case c = {.case_id = case_id, .secondary = o->secondary};
    trace_contact_list l;
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_TRACE, err) != 0 ||
        discovery_rules_from_policy(t->policy, &r, err) != 0 ||
        registry_case_get(st, a, case_id, &k, err) != 0 ||
        registry_person_get(st, a, k.person_id, &p, err) != 0)
        return -1;
    if (o->no_companions)
        r.companions = false;
    discovery_case_from_person(&p, &c);
    if (case_windows(&r, &k, o->from, o->to, &c, err) != 0)
        return -1;
    audit_rec rec;
    char detail[128];
    snprintf(detail, sizeof detail, "discovery secondary=%d companions=%d", o->secondary,
             r.companions);
    actor_audit(a, &rec, "trace", "case", case_id, detail);
    if (store_audit_append(st, &rec, err) != 0 || lock_current(t, st, err) != 0)
        return -1;
    int rc = discovery_run(t->ix, st, &r, &c, &l, err);
    pthread_rwlock_unlock(&t->lock);
    if (rc == 0)
        rc = store_rows(st, a, case_id, &l, fk_now(), err);
    trace_contact_list_free(&l);
    return rc == 0 ? store_contact_list(st, case_id, out, err) : -1;
}
