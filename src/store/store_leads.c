/*
 * store_leads.c - dispatch for the leads section of the store (store_leads.h), kept
 * beside store.c so that each section's forwarding lives with its own header.
 */
#include <stdlib.h>

#include "store/store_int.h"

int store_lead_insert(store *st, lead_rec *l, const char *actor, const char *note,
                      const audit_rec *a, fk_err *err)
{
    return st->ops->lead_insert(st, l, actor, note, a, err);
}

int store_lead_get(store *st, int64_t id, lead_rec *out, fk_err *err)
{
    return st->ops->lead_get(st, id, out, err);
}

int store_lead_list(store *st, const lead_filter *f, lead_list *out, fk_err *err)
{
    return st->ops->lead_list(st, f, out, err);
}

int store_lead_each(store *st, const lead_filter *f, lead_fn fn, void *ctx, fk_err *err)
{
    return st->ops->lead_each(st, f, fn, ctx, err);
}

int store_lead_events(store *st, int64_t lead_id, lead_event_list *out, fk_err *err)
{
    return st->ops->lead_events(st, lead_id, out, err);
}

int store_lead_transition(store *st, int64_t id, const char *from, const char *to,
                          const char *measure_taken, const char *assignee, const char *actor,
                          const char *note, int64_t at, const audit_rec *a, lead_rec *out,
                          fk_err *err)
{
    return st->ops->lead_transition(st, id, from, to, measure_taken, assignee, actor, note, at,
                                    a, out, err);
}

int store_lead_escalate(store *st, int64_t id, int level, int64_t at, const char *actor,
                        const char *note, const audit_rec *a, int *raised, fk_err *err)
{
    return st->ops->lead_escalate(st, id, level, at, actor, note, a, raised, err);
}

int store_lead_push(store *st, const lead_push *p, const audit_rec *a, int64_t *first,
                    int64_t *last, fk_err *err)
{
    return st->ops->lead_push(st, p, a, first, last, err);
}

int store_lead_range(store *st, int64_t first, int64_t last, lead_list *out, fk_err *err)
{
    return st->ops->lead_range(st, first, last, out, err);
}

int store_lead_escalation_pending(store *st, int64_t now, bool *pending, fk_err *err)
{
    return st->ops->lead_escalation_pending(st, now, pending, err);
}

int store_lead_escalate_page(store *st, lead_sweep *sw, lead_sweep_page *out, fk_err *err)
{
    return st->ops->lead_escalate_page(st, sw, out, err);
}

void lead_sweep_page_free(lead_sweep_page *p)
{
    if (!p)
        return;
    free(p->runs);
    p->runs = NULL;
    p->n_runs = 0;
}

void lead_list_free(lead_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void lead_event_list_free(lead_event_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
