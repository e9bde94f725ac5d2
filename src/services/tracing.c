/*
 * tracing.c - the server's trace index (built from the store's stays, rebuilt when their
 * version moves) and a case's contacts. Contract and locking: tracing.h.
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
#include "services/discovery.h"
#include "services/registry.h"
#include "trace/presence.h"

#define DAY 86400

struct tracing {
    const struct policy *policy;
    pthread_rwlock_t lock;
    trace_index *ix;         /* NULL until first use */
    int64_t version;         /* store_stays_version the index was built at */
    int64_t ids[3];          /* store_input_ids it holds, when ids_known */
    bool ids_known;          /* false for a mapped snapshot: it can only be replaced */
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

static int load_stays(store *st, load_ctx *l, int64_t from, int64_t to, fk_err *err)
{
    batch_writer *bw = bw_new(sizeof(stay_rec), FEED_BATCH, intern_stays, l, NULL);
    if (!bw)   /* no second thread: intern here */
        return store_stays_each(st, from, to, add_one, l, err) != 0 ? -1 : 0;
    stay_feed f = {bw, 0, err};
    int rc = store_stays_each(st, from, to, feed_stay, &f, err);
    if (rc == 0 && f.n)
        rc = bw_submit(bw, f.n, 0, 0, err);
    if (bw_drain(bw, rc ? NULL : err) != 0)
        rc = -1;
    bw_free(bw);
    return rc != 0 ? -1 : 0;
}

trace_index *tracing_load_index(store *st, const struct policy *p, int64_t from, int64_t to,
                                fk_err *err)
{
    int64_t max_gap;
    if (policy_get_int(p, "trace_inputs.pings.max_gap_s", &max_gap, err) != 0)
        return NULL;
    load_ctx l = {trace_builder_new(), trace_pings_new(max_gap, add_presence, &l), err};
    if (!l.pings) {
        trace_builder_free(l.b);
        fk_fail(err, FK_EINVAL, "trace_inputs.pings.max_gap_s", "the ping gap must be positive");
        return NULL;
    }
    /* the ping before the window may reach into it */
    int rc = load_stays(st, &l, from, to, err) != 0 ||
             store_pings_each(st, from > max_gap ? from - max_gap : 0, to, add_ping, &l, err) ||
             trace_pings_finish(l.pings, err) != 0 ||
             store_detections_each(st, from, to, add_detection, &l, err) != 0;
    trace_pings_free(l.pings);
    if (rc) {
        trace_builder_free(l.b);
        return NULL;
    }
    return trace_builder_finish(l.b, err);
}

/* The current index extended with the stays and detections that arrived since it was
 * built, up to ids; NULL (err set) when that is not possible. New pings need a
 * rebuild: a ping changes the presence of the ping before it. */
static trace_index *extended(tracing *t, store *st, const int64_t ids[3], fk_err *err)
{
    if (!t->ix || !t->ids_known || ids[1] != t->ids[1] || ids[0] < t->ids[0] ||
        ids[2] < t->ids[2]) {
        fk_fail(err, FK_ECONFLICT, "", "the index cannot be extended");
        return NULL;
    }
    load_ctx l = {trace_builder_new(), NULL, err};
    if (store_stays_after(st, t->ids[0], ids[0], add_one, &l, err) != 0 ||
        store_detections_after(st, t->ids[2], ids[2], add_detection, &l, err) != 0) {
        trace_builder_free(l.b);
        return NULL;
    }
    trace_index *ix = trace_index_extend(t->ix, l.b, err);
    if (ix)
        log_info("tracing", "index extended to %zu records and %zu detections",
                 trace_index_records(ix), trace_index_detections(ix));
    return ix;
}

/* The index for ids: extended when only stays and detections were added; the snapshot
 * when it was saved at that version (mapped, nothing rebuilt: the server's start);
 * otherwise built from the store. A new index is saved as the snapshot. A snapshot that
 * cannot be read or written costs a rebuild and a log line, never the query. */
static trace_index *fresh_index(tracing *t, store *st, const int64_t ids[3], int64_t version,
                                fk_err *err)
{
    fk_err e;
    uint64_t saved = 0;
    trace_index *ix = extended(t, st, ids, &e);
    if (!ix && t->snapshot[0] && !t->ix) {
        ix = trace_index_open(t->snapshot, &saved, &e);
        if (ix && saved == (uint64_t)version) {
            t->ids_known = false;
            return ix;
        }
        trace_index_free(ix);
        ix = NULL;
        if (e.code == FK_EINVAL)
            log_warn("tracing", "trace snapshot %s refused: %s", t->snapshot, e.message);
    }
    if (!ix && (ix = tracing_load_index(st, t->policy, 0, 0, err)) != NULL)
        log_info("tracing", "index built: %zu records and %zu detections",
                 trace_index_records(ix), trace_index_detections(ix));
    if (!ix)
        return NULL;
    memcpy(t->ids, ids, sizeof t->ids);
    t->ids_known = true;
    if (t->snapshot[0] && trace_index_save(ix, t->snapshot, (uint64_t)version, &e) != 0)
        log_warn("tracing", "trace snapshot %s not saved: %s", t->snapshot, e.message);
    return ix;
}

/* Take the read lock on an index that is current for the store. */
static int lock_current(tracing *t, store *st, fk_err *err)
{
    int64_t ids[3];
    if (store_input_ids(st, ids, err) != 0)
        return -1;
    int64_t version = ids[0] + ids[1] + ids[2]; /* as store_stays_version */
    pthread_rwlock_rdlock(&t->lock);
    if (t->ix && t->version == version)
        return 0;
    pthread_rwlock_unlock(&t->lock);
    pthread_rwlock_wrlock(&t->lock);
    if (!t->ix || t->version != version) {
        trace_index *ix = fresh_index(t, st, ids, version, err);
        if (!ix) {
            pthread_rwlock_unlock(&t->lock);
            return -1;
        }
        trace_index_free(t->ix);
        t->ix = ix;
        t->version = version;
    }
    pthread_rwlock_unlock(&t->lock);
    pthread_rwlock_rdlock(&t->lock); /* a newer version may land meanwhile: fine */
    return 0;
}

/* Link each row to the person its subject names and store it, in one transaction. */
static int store_rows(store *st, int64_t case_id, const trace_contact_list *l, int64_t now,
                      fk_err *err)
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
        rc = store_rows(st, case_id, &l, fk_now(), err);
    trace_contact_list_free(&l);
    return rc == 0 ? store_contact_list(st, case_id, out, err) : -1;
}
