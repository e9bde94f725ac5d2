/*
 * store_testing_bulk.c - dispatch for the bulk section of the store
 * (store_testing_bulk.h) to the backend's store_testing_bulk_ops.
 */
#include "store/store_int.h"

#define B(st) ((st)->ops->testing_bulk)

int store_bulk_residents(store *st, bulk_person_fn fn, void *ctx, fk_err *err)
{
    return B(st)->residents(st, fn, ctx, err);
}

int store_bulk_open_round_tubes(store *st, bulk_tube_fn fn, void *ctx, fk_err *err)
{
    return B(st)->open_round_tubes(st, fn, ctx, err);
}

int store_bulk_open_rounds(store *st, bulk_round_fn fn, void *ctx, fk_err *err)
{
    return B(st)->open_rounds(st, fn, ctx, err);
}

int store_bulk_round_members(store *st, int64_t round_id, bulk_id_fn fn, void *ctx,
                             fk_err *err)
{
    return B(st)->round_members(st, round_id, fn, ctx, err);
}

int store_bulk_testing_flags(store *st, bulk_flags_fn fn, void *ctx, fk_err *err)
{
    return B(st)->testing_flags(st, fn, ctx, err);
}

int store_bulk_received_tubes(store *st, bulk_received_fn fn, void *ctx, fk_err *err)
{
    return B(st)->received_tubes(st, fn, ctx, err);
}

int store_bulk_tube_probe(store *st, const char *barcode, tube_probe *out, fk_err *err)
{
    return B(st)->tube_probe(st, barcode, out, err);
}

int store_scans_add(store *st, const scan_row *rows, size_t n, const char *by, fk_err *err)
{
    return B(st)->scans_add(st, rows, n, by, err);
}

bulk_reader *store_bulk_reader_open(store *st, fk_err *err)
{
    return B(st)->reader_open(st, err);
}

int store_results_add_checked(store *st, checked_result *r, size_t n, const char *by,
                              fk_err *err)
{
    return B(st)->results_add_checked(st, r, n, by, err);
}

int store_results_checked_hold(store *st, bool on, fk_err *err)
{
    return B(st)->results_checked_hold(st, on, err);
}
