/*
 * store_coverage.c - dispatch for the coverage section of the store (store_coverage.h)
 * to the backend's store_coverage_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

#define C(st) ((st)->ops->coverage)

int store_coverage_units(store *st, const coverage_query *q, coverage_unit_list *out,
                         fk_err *err)
{
    return C(st)->units(st, q, out, err);
}

int store_coverage_households(store *st, const coverage_query *q, coverage_household_list *out,
                              fk_err *err)
{
    return C(st)->households(st, q, out, err);
}

int store_coverage_untested(store *st, const coverage_query *q, untested_list *out,
                            fk_err *err)
{
    return C(st)->untested(st, q, out, err);
}

void coverage_unit_list_free(coverage_unit_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void coverage_household_list_free(coverage_household_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void untested_list_free(untested_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
