/*
 * store_sample_flow.c - dispatch for the sample-flow section of the store
 * (store_sample_flow.h) to the backend's store_sample_flow_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

#define F(st) ((st)->ops->sample_flow)

int store_lab_insert(store *st, lab_rec *l, const audit_rec *a, fk_err *err)
{
    return F(st)->lab_insert(st, l, a, err);
}

int store_lab_get(store *st, int64_t id, lab_rec *out, fk_err *err)
{
    return F(st)->lab_get(st, id, out, err);
}

int store_lab_list(store *st, lab_list *out, fk_err *err)
{
    return F(st)->lab_list(st, out, err);
}

int store_box_pack(store *st, box_rec *b, const int64_t *tube_ids, size_t n,
                   const audit_rec *a, fk_err *err)
{
    return F(st)->box_pack(st, b, tube_ids, n, a, err);
}

int store_box_get(store *st, const char *code, box_rec *out, fk_err *err)
{
    return F(st)->box_get(st, code, out, err);
}

int store_box_of_tube(store *st, int64_t tube_id, box_rec *out, fk_err *err)
{
    return F(st)->box_of_tube(st, tube_id, out, err);
}

int store_box_barcodes(store *st, int64_t box_id, char (**out)[24], size_t *n, fk_err *err)
{
    return F(st)->box_barcodes(st, box_id, out, n, err);
}

int store_box_hand_over(store *st, int64_t id, const char *courier, const char *by,
                        int64_t at, const audit_rec *a, fk_err *err)
{
    return F(st)->box_hand_over(st, id, courier, by, at, a, err);
}

int store_box_receive(store *st, int64_t id, int64_t lab_id, const char *by, int64_t at,
                      const audit_rec *a, fk_err *err)
{
    return F(st)->box_receive(st, id, lab_id, by, at, a, err);
}

int store_results_add(store *st, result_rec *r, size_t n, const audit_rec *a, fk_err *err)
{
    return F(st)->results_add(st, r, n, a, err);
}

int store_tube_results(store *st, int64_t tube_id, result_list *out, fk_err *err)
{
    return F(st)->tube_results(st, tube_id, out, err);
}

int store_flow_rows(store *st, const flow_filter *f, flow_list *out, fk_err *err)
{
    return F(st)->flow_rows(st, f, out, err);
}

void lab_list_free(lab_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void result_list_free(result_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void flow_list_free(flow_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
