/*
 * store_residents.c - dispatch for the residents section of the store
 * (store_residents.h) to the backend's store_residents_ops.
 */
#include "store/store_int.h"

#define R(st) ((st)->ops->residents)

int store_residents_state(store *st, residents_mark *now, residents_kept *kept, int *has,
                          fk_err *err)
{
    return R(st)->state(st, now, kept, has, err);
}

int store_residents_read(store *st, residents_mark *now, residents_kept *kept,
                         residents_alloc_fn alloc, void **out, fk_err *err)
{
    return R(st)->read(st, now, kept, alloc, out, err);
}

int store_residents_save(store *st, const residents_mark *from, const void *bytes, size_t n,
                         int64_t at, fk_err *err)
{
    return R(st)->save(st, from, bytes, n, at, err);
}
