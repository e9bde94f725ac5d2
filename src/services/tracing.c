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
#include "model/role.h"
#include "services/registry.h"

#define DAY 86400

struct tracing {
    const struct policy *policy;
    pthread_rwlock_t lock;
    trace_index *ix;         /* NULL until first use */
    int64_t version;         /* store_stays_version the index was built at */
};

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

/* Stream the store's stays straight into the builder: no copy of all records. */
typedef struct load_ctx { trace_builder *b; fk_err *err; } load_ctx;

static int add_one(void *ctx, const stay_rec *s)
{
    load_ctx *l = ctx;
    trace_stay st = {s->subject, s->place, s->start, s->end};
    return trace_builder_add(l->b, &st, l->err) != 0;
}

trace_index *tracing_load_index(store *st, int64_t from, int64_t to, fk_err *err)
{
    load_ctx l = {trace_builder_new(), err};
    if (store_stays_each(st, from, to, add_one, &l, err) != 0) {
        trace_builder_free(l.b);
        return NULL;
    }
    return trace_builder_finish(l.b, err);
}

/* Take the read lock on an index that is current for the store. */
static int lock_current(tracing *t, store *st, fk_err *err)
{
    int64_t version;
    if (store_stays_version(st, &version, err) != 0)
        return -1;
    pthread_rwlock_rdlock(&t->lock);
    if (t->ix && t->version == version)
        return 0;
    pthread_rwlock_unlock(&t->lock);
    pthread_rwlock_wrlock(&t->lock);
    if (!t->ix || t->version != version) {
        trace_index *ix = tracing_load_index(st, 0, 0, err);
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

static int cmp_contact(const void *a, const void *b)
{
    const trace_contact *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);
    return c ? c : strcmp(x->place, y->place);
}

/* Append the rows of one subject of the case, leaving out the case's own subjects. */
static int add_subject(const trace_index *ix, const char *subject, char ids[3][32],
                       int64_t from, int64_t to, const trace_rules *r, trace_contact_list *out,
                       fk_err *err)
{
    trace_contact_list l;
    if (!subject[0])
        return 0;
    if (trace_companions(ix, subject, from, to, r, &l, err) != 0)
        return -1;
    trace_contact *grown = fk_try_realloc(out->items, (out->n + l.n + 1) * sizeof *grown);
    if (!grown) {
        trace_contact_list_free(&l);
        return fk_fail(err, FK_EBUSY, "", "out of memory collecting contacts");
    }
    out->items = grown;
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.items[i].subject, ids[0]) && strcmp(l.items[i].subject, ids[1]) &&
            strcmp(l.items[i].subject, ids[2]))
            out->items[out->n++] = l.items[i];
    trace_contact_list_free(&l);
    return 0;
}

/* Called with the read lock held (lock_current); the caller releases it. */
static int query(const trace_index *ix, const trace_rules *r, char ids[3][32], int64_t from,
                 int64_t to, trace_contact_list *out, fk_err *err)
{
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = add_subject(ix, ids[i], ids, from, to, r, out, err);
    if (rc != 0) {
        trace_contact_list_free(out);
        return -1;
    }
    if (out->n)
        qsort(out->items, out->n, sizeof *out->items, cmp_contact);
    return 0;
}

int tracing_case_contacts(tracing *t, store *st, const actor *a, int64_t case_id, int64_t from,
                          int64_t to, trace_contact_list *out, fk_err *err)
{
    epicase c;
    person p;
    trace_rules r;
    char ids[3][32];
    memset(out, 0, sizeof *out);
    if (actor_require(a, PERM_TRACE, err) != 0 || trace_rules_from_policy(t->policy, &r, err) ||
        registry_case_get(st, a, case_id, &c, err) != 0 ||
        registry_person_get(st, a, c.person_id, &p, err) != 0)
        return -1;
    if (!to)
        to = c.reported_at + DAY;
    if (!from)
        from = c.reported_at - 14 * DAY;
    if (to <= from)
        return fk_fail(err, FK_EINVAL, "to", "to: must be after from");
    snprintf(ids[0], sizeof ids[0], "%s", p.phone);
    snprintf(ids[1], sizeof ids[1], "%s", p.id_number);
    snprintf(ids[2], sizeof ids[2], "%lld", (long long)p.id);
    audit_rec rec;
    actor_audit(a, &rec, "trace", "case", case_id, "companions");
    if (store_audit_append(st, &rec, err) != 0 || lock_current(t, st, err) != 0)
        return -1;
    int rc = query(t->ix, &r, ids, from, to, out, err);
    pthread_rwlock_unlock(&t->lock);
    return rc;
}
