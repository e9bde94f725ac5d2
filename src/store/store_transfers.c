/*
 * store_transfers.c - dispatch for the transfer section of the store
 * (store_transfers.h) to the backend's store_transfer_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

int store_trip_due_between(store *st, int64_t from, int64_t to, const char *area_prefix,
                           trip_list *out, fk_err *err)
{
    return st->ops->transfer->trip_due_between(st, from, to, area_prefix, out, err);
}

int store_vehicle_insert(store *st, vehicle_rec *v, const audit_rec *a, fk_err *err)
{
    return st->ops->transfer->vehicle_insert(st, v, a, err);
}

int store_vehicle_get(store *st, int64_t id, vehicle_rec *out, fk_err *err)
{
    return st->ops->transfer->vehicle_get(st, id, out, err);
}

int store_vehicle_list(store *st, const char *area_prefix, int limit, int offset, vehicle_list *out, fk_err *err)
{
    return st->ops->transfer->vehicle_list(st, area_prefix, limit, offset, out, err);
}

int store_vehicle_set_state(store *st, int64_t id, const char *from, const char *to, int64_t at, const audit_rec *a, fk_err *err)
{
    return st->ops->transfer->vehicle_set_state(st, id, from, to, at, a, err);
}

int store_crew_insert(store *st, crew_rec *c, const audit_rec *a, fk_err *err)
{
    return st->ops->transfer->crew_insert(st, c, a, err);
}

int store_crew_get(store *st, int64_t id, crew_rec *out, fk_err *err)
{
    return st->ops->transfer->crew_get(st, id, out, err);
}

int store_crew_list(store *st, const char *area_prefix, int limit, int offset, crew_list *out, fk_err *err)
{
    return st->ops->transfer->crew_list(st, area_prefix, limit, offset, out, err);
}

int store_trip_insert(store *st, trip_rec *t, pickup_rec *p, size_t n, const audit_rec *a, fk_err *err)
{
    return st->ops->transfer->trip_insert(st, t, p, n, a, err);
}

int store_trip_get(store *st, int64_t id, trip_rec *out, pickup_list *pickups, trip_event_list *events, fk_err *err)
{
    return st->ops->transfer->trip_get(st, id, out, pickups, events, err);
}

int store_trip_list(store *st, const trip_filter *f, trip_list *out, fk_err *err)
{
    return st->ops->transfer->trip_list(st, f, out, err);
}

int store_trip_set_state(store *st, int64_t id, const char *from, const char *to, int64_t at, const char *actor, const char *note, const audit_rec *a, fk_err *err)
{
    return st->ops->transfer->trip_set_state(st, id, from, to, at, actor, note, a, err);
}

int store_pickup_set_state(store *st, int64_t trip_id, int64_t pickup_id, const char *from, const char *to, int64_t at, const char *note, const audit_rec *a, fk_err *err)
{
    return st->ops->transfer->pickup_set_state(st, trip_id, pickup_id, from, to, at, note, a, err);
}

int store_trip_escalate(store *st, int64_t id, int level, int64_t at, const char *actor, const audit_rec *a, int *raised, fk_err *err)
{
    return st->ops->transfer->trip_escalate(st, id, level, at, actor, a, raised, err);
}

int store_trip_late_page(store *st, int64_t now, int64_t after_due, int64_t after_id, int limit, trip_list *out, fk_err *err)
{
    return st->ops->transfer->trip_late_page(st, now, after_due, after_id, limit, out, err);
}

void vehicle_list_free(vehicle_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void crew_list_free(crew_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void trip_list_free(trip_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void pickup_list_free(pickup_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void trip_event_list_free(trip_event_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
