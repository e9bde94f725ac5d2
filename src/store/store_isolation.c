/*
 * store_isolation.c - dispatch for the isolation section of the store
 * (store_isolation.h) to the backend's store_isolation_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

int store_facility_insert(store *st, facility_rec *f, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->facility_insert(st, f, a, err);
}

int store_facility_update(store *st, facility_rec *f, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->facility_update(st, f, a, err);
}

int store_facility_get(store *st, int64_t id, facility_rec *out, fk_err *err)
{
    return st->ops->isolation->facility_get(st, id, out, err);
}

int store_facility_list(store *st, const char *area_prefix, int limit, int offset, facility_list *out, fk_err *err)
{
    return st->ops->isolation->facility_list(st, area_prefix, limit, offset, out, err);
}

int store_facility_open(store *st, const char *area_prefix, facility_list *out, fk_err *err)
{
    return st->ops->isolation->facility_open(st, area_prefix, out, err);
}

int store_rooms_insert(store *st, int64_t fid, const char *const *numbers, size_t n, int own_bathroom, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->rooms_insert(st, fid, numbers, n, own_bathroom, a, err);
}

int store_room_list(store *st, int64_t fid, const char *state, room_list *out, fk_err *err)
{
    return st->ops->isolation->room_list(st, fid, state, out, err);
}

int store_room_get(store *st, int64_t id, room_rec *out, fk_err *err)
{
    return st->ops->isolation->room_get(st, id, out, err);
}

int store_room_set_state(store *st, int64_t id, const char *from, const char *to, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->room_set_state(st, id, from, to, a, err);
}

int store_rooms_vacant(store *st, int64_t fid, size_t cap, int64_t *ids,
                       char (*numbers)[32], size_t *n, fk_err *err)
{
    return st->ops->isolation->rooms_vacant(st, fid, cap, ids, numbers, n, err);
}

int store_staff_insert(store *st, staff_rec *s, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->staff_insert(st, s, a, err);
}

int store_staff_list(store *st, int64_t fid, staff_list *out, fk_err *err)
{
    return st->ops->isolation->staff_list(st, fid, out, err);
}

int store_check_set(store *st, int64_t fid, const check_rec *c, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->check_set(st, fid, c, a, err);
}

int store_check_list(store *st, int64_t fid, check_list *out, fk_err *err)
{
    return st->ops->isolation->check_list(st, fid, out, err);
}

int store_person_places(store *st, const int64_t *ids, size_t n, person_place *out,
                        fk_err *err)
{
    return st->ops->isolation->person_places(st, ids, n, out, err);
}

int store_lead_areas(store *st, const int64_t *ids, size_t n, char (*areas)[16], fk_err *err)
{
    return st->ops->isolation->lead_areas(st, ids, n, areas, err);
}

int store_homes_version(store *st, int64_t *version, fk_err *err)
{
    return st->ops->isolation->homes_version(st, version, err);
}

int store_homes_each(store *st, int (*fn)(const person_place *p, void *ctx), void *ctx,
                     fk_err *err)
{
    return st->ops->isolation->homes_each(st, fn, ctx, err);
}

int store_allocation_insert(store *st, allocation_rec *al, const char *actor, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->allocation_insert(st, al, actor, a, err);
}

int store_allocation_next_id(store *st, int64_t *id, fk_err *err)
{
    return st->ops->isolation->allocation_next_id(st, id, err);
}

int store_allocations_insert(store *st, allocation_rec *al, size_t n, const char *actor,
                             fk_err *err)
{
    return st->ops->isolation->allocations_insert(st, al, n, actor, err);
}

int store_allocation_get(store *st, int64_t id, allocation_rec *out, fk_err *err)
{
    return st->ops->isolation->allocation_get(st, id, out, err);
}

int store_allocation_of_person(store *st, int64_t person_id, allocation_rec *out, fk_err *err)
{
    return st->ops->isolation->allocation_of_person(st, person_id, out, err);
}

int store_isolation_insert(store *st, isolation_rec *iso, isolation_test_rec *tests, size_t n, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->isolation_insert(st, iso, tests, n, a, err);
}

int store_isolation_get(store *st, int64_t id, isolation_rec *out, fk_err *err)
{
    return st->ops->isolation->isolation_get(st, id, out, err);
}

int store_isolation_list(store *st, const isolation_filter *f, isolation_list *out, fk_err *err)
{
    return st->ops->isolation->isolation_list(st, f, out, err);
}

int store_isolation_tests(store *st, int64_t isolation_id, isolation_test_list *out, fk_err *err)
{
    return st->ops->isolation->isolation_tests(st, isolation_id, out, err);
}

int store_isolation_test_result(store *st, int64_t test_id, const char *result, const char *by, int64_t at, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->isolation_test_result(st, test_id, result, by, at, a, err);
}

int store_isolation_end(store *st, int64_t id, const char *state, int64_t case_id, int64_t at, const audit_rec *a, fk_err *err)
{
    return st->ops->isolation->isolation_end(st, id, state, case_id, at, a, err);
}

int store_isolation_due(store *st, const char *date, const char *area_prefix, isolation_test_list *out, fk_err *err)
{
    return st->ops->isolation->isolation_due(st, date, area_prefix, out, err);
}

int store_outlook_counts(store *st, const char *area_prefix, const char *measure, int64_t since, outlook_counts *out, fk_err *err)
{
    return st->ops->isolation->outlook_counts(st, area_prefix, measure, since, out, err);
}

int store_outlook_freeing(store *st, const char *area_prefix, int64_t by, int64_t cleaning_s,
                          const char *last_end_day, int64_t *out, fk_err *err)
{
    return st->ops->isolation->outlook_freeing(st, area_prefix, by, cleaning_s, last_end_day,
                                               out, err);
}

void facility_list_free(facility_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void room_list_free(room_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void staff_list_free(staff_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void check_list_free(check_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void isolation_list_free(isolation_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void isolation_test_list_free(isolation_test_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
