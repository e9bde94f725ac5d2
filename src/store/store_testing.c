/*
 * store_testing.c - dispatch for the testing section of the store (store_testing.h) to
 * the backend's store_testing_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

#define T(st) ((st)->ops->testing)

int store_round_insert(store *st, round_rec *r, const audit_rec *a, fk_err *err)
{
    return T(st)->round_insert(st, r, a, err);
}

int store_round_get(store *st, int64_t id, round_rec *out, fk_err *err)
{
    return T(st)->round_get(st, id, out, err);
}

int store_round_head(store *st, int64_t id, round_rec *out, fk_err *err)
{
    return T(st)->round_head(st, id, out, err);
}

int store_round_list(store *st, const char *area, int limit, int offset, round_list *out,
                     fk_err *err)
{
    return T(st)->round_list(st, area, limit, offset, out, err);
}

int store_round_set_state(store *st, int64_t id, const char *from, const char *to,
                          const audit_rec *a, fk_err *err)
{
    return T(st)->round_set_state(st, id, from, to, a, err);
}

int store_site_insert(store *st, site_rec *s, const audit_rec *a, fk_err *err)
{
    return T(st)->site_insert(st, s, a, err);
}

int store_site_get(store *st, int64_t id, site_rec *out, fk_err *err)
{
    return T(st)->site_get(st, id, out, err);
}

int store_site_list(store *st, int64_t round_id, int limit, int offset, site_list *out,
                    fk_err *err)
{
    return T(st)->site_list(st, round_id, limit, offset, out, err);
}

int store_tubes_issue(store *st, int64_t round_id, int64_t site_id, const char *const *barcodes,
                      size_t n, const char *by, int64_t at, const audit_rec *a, fk_err *err)
{
    return T(st)->tubes_issue(st, round_id, site_id, barcodes, n, by, at, a, err);
}

int store_tube_get(store *st, const char *barcode, tube_rec *out, member_list *members,
                   fk_err *err)
{
    return T(st)->tube_get(st, barcode, out, members, err);
}

int store_round_member(store *st, int64_t round_id, int64_t person_id, member_rec *out,
                       fk_err *err)
{
    return T(st)->round_member(st, round_id, person_id, out, err);
}

int store_tube_scan(store *st, int64_t tube_id, int open_size, member_rec *m, const audit_rec *a,
                    fk_err *err)
{
    return T(st)->tube_scan(st, tube_id, open_size, m, a, err);
}

int store_tube_close(store *st, int64_t tube_id, const char *by, int64_t at, const audit_rec *a,
                     fk_err *err)
{
    return T(st)->tube_close(st, tube_id, by, at, a, err);
}

int store_person_samples(store *st, int64_t person_id, member_list *out, fk_err *err)
{
    return T(st)->person_samples(st, person_id, out, err);
}

int store_person_testing_flags(store *st, int64_t person_id, int *isolated, int *contact,
                               fk_err *err)
{
    return T(st)->person_testing_flags(st, person_id, isolated, contact, err);
}

void round_list_free(round_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void site_list_free(site_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void member_list_free(member_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int store_site_tubes(store *st, int64_t site_id, const char *state, int unboxed, int limit,
                     int offset, site_tube_list *out, fk_err *err)
{
    return T(st)->site_tubes(st, site_id, state, unboxed, limit, offset, out, err);
}

void site_tube_list_free(site_tube_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
