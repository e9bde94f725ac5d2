/*
 * store_reconcile.c - dispatch for the reconciliation section of the store
 * (store_reconcile.h) to the backend's store_reconcile_ops.
 */
#include "store/store_int.h"

#define R(st) ((st)->ops->reconcile)

int store_box_unpack(store *st, unpack_rec *u, const int64_t *missing, size_t n_missing,
                     unmatched_rec *extras, size_t n_extras, const audit_rec *a, fk_err *err)
{
    return R(st)->box_unpack(st, u, missing, n_missing, extras, n_extras, a, err);
}

int store_box_unpack_get(store *st, int64_t box_id, unpack_rec *out, fk_err *err)
{
    return R(st)->box_unpack_get(st, box_id, out, err);
}

int store_unmatched_insert(store *st, unmatched_rec *u, const audit_rec *a, fk_err *err)
{
    return R(st)->unmatched_insert(st, u, a, err);
}

int store_unmatched_get(store *st, int64_t id, unmatched_rec *out, fk_err *err)
{
    return R(st)->unmatched_get(st, id, out, err);
}

int store_unmatched_resolve(store *st, int64_t id, const char *resolution, const char *note,
                            const char *by, int64_t at, const audit_rec *a, fk_err *err)
{
    return R(st)->unmatched_resolve(st, id, resolution, note, by, at, a, err);
}

int store_reconcile_each(store *st, const recon_query *q, recon_fn fn, void *ctx, fk_err *err)
{
    return R(st)->each(st, q, fn, ctx, err);
}
