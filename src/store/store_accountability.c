/*
 * store_accountability.c - dispatch for the accountability section of the store
 * (store_accountability.h), beside store.c as store_leads.c is.
 */
#include <stdlib.h>

#include "store/store_int.h"

int store_resp_set(store *st, resp_rec *r, const audit_rec *a, fk_err *err)
{
    return st->ops->resp_set(st, r, a, err);
}

int store_resp_at(store *st, const char *function, const char *area_code, int64_t at,
                  resp_rec *out, fk_err *err)
{
    return st->ops->resp_at(st, function, area_code, at, out, err);
}

int store_resp_list(store *st, const resp_filter *f, resp_list *out, fk_err *err)
{
    return st->ops->resp_list(st, f, out, err);
}

int store_report_insert(store *st, report_rec *r, const audit_rec *a, fk_err *err)
{
    return st->ops->report_insert(st, r, a, err);
}

int store_reports_between(store *st, const char *from_day, const char *to_day,
                          const char *area_prefix, report_list *out, fk_err *err)
{
    return st->ops->reports_between(st, from_day, to_day, area_prefix, out, err);
}

int store_areas_at_levels(store *st, const char *levels, const char *area_prefix,
                          area_list *out, fk_err *err)
{
    return st->ops->areas_at_levels(st, levels, area_prefix, out, err);
}

int store_action_insert(store *st, action_rec *r, const audit_rec *a, fk_err *err)
{
    return st->ops->action_insert(st, r, a, err);
}

int store_action_list(store *st, const action_filter *f, action_list *out, fk_err *err)
{
    return st->ops->action_list(st, f, out, err);
}

int store_lead_facts(store *st, int64_t from, int64_t to, const char *area_prefix,
                     lead_fact_list *out, fk_err *err)
{
    return st->ops->lead_facts(st, from, to, area_prefix, out, err);
}

int store_lead_fact(store *st, int64_t id, lead_fact *out, fk_err *err)
{
    return st->ops->lead_fact(st, id, out, err);
}

#define LIST_FREE(fn, type)        \
    void fn(type *l)               \
    {                              \
        if (!l)                    \
            return;                \
        free(l->items);            \
        l->items = NULL;           \
        l->n = 0;                  \
    }

LIST_FREE(resp_list_free, resp_list)
LIST_FREE(report_list_free, report_list)
LIST_FREE(action_list_free, action_list)
LIST_FREE(lead_fact_list_free, lead_fact_list)
