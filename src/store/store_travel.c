/*
 * store_travel.c - dispatch for the traveler screening section of the store
 * (store_travel.h) to the backend's store_travel_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

#define T(st) ((st)->ops->travel)

int store_risk_list_insert(store *st, risk_list_rec *l, risk_area_rec *rows, size_t n,
                           const struct audit_rec *a, fk_err *err)
{
    return T(st)->risk_list_insert(st, l, rows, n, a, err);
}

int store_risk_lists(store *st, risk_list_list *out, fk_err *err)
{
    return T(st)->risk_lists(st, out, err);
}

int store_risk_list_get(store *st, int64_t id, risk_list_rec *out, risk_area_list *rows,
                        fk_err *err)
{
    return T(st)->risk_list_get(st, id, out, rows, err);
}

int store_risk_areas_current(store *st, risk_area_list *out, fk_err *err)
{
    return T(st)->risk_areas_current(st, out, err);
}

int store_checkpoint_insert(store *st, checkpoint_rec *c, const struct audit_rec *a, fk_err *err)
{
    return T(st)->checkpoint_insert(st, c, a, err);
}

int store_checkpoint_get(store *st, int64_t id, checkpoint_rec *out, fk_err *err)
{
    return T(st)->checkpoint_get(st, id, out, err);
}

int store_checkpoint_list(store *st, const char *area_prefix, checkpoint_list *out, fk_err *err)
{
    return T(st)->checkpoint_list(st, area_prefix, out, err);
}

int store_arrival_insert(store *st, arrival_rec *r, const struct audit_rec *a, fk_err *err)
{
    return T(st)->arrival_insert(st, r, a, err);
}

int store_arrival_get(store *st, int64_t id, arrival_rec *out, fk_err *err)
{
    return T(st)->arrival_get(st, id, out, err);
}

int store_arrival_list(store *st, const arrival_filter *f, arrival_list *out, fk_err *err)
{
    return T(st)->arrival_list(st, f, out, err);
}

int store_arrival_ids_since(store *st, int64_t since, int64_t **ids, size_t *n, fk_err *err)
{
    return T(st)->arrival_ids_since(st, since, ids, n, err);
}

int store_arrival_ids_of_person(store *st, int64_t person_id, int64_t since, int64_t **ids,
                                size_t *n, fk_err *err)
{
    return T(st)->arrival_ids_of_person(st, person_id, since, ids, n, err);
}

int store_itinerary_insert(store *st, itinerary_rec *r, const struct audit_rec *a, fk_err *err)
{
    return T(st)->itinerary_insert(st, r, a, err);
}

int store_itineraries_of(store *st, int64_t person_id, int64_t since, itinerary_list *out,
                         fk_err *err)
{
    return T(st)->itineraries_of(st, person_id, since, out, err);
}

int store_person_journeys(store *st, int64_t person_id, int64_t since, journey_list *out,
                          fk_err *err)
{
    return T(st)->person_journeys(st, person_id, since, out, err);
}

int store_scan_insert(store *st, scan_rec *r, const struct audit_rec *a, fk_err *err)
{
    return T(st)->scan_insert(st, r, a, err);
}

int store_match_insert(store *st, match_rec *m, fk_err *err)
{
    return T(st)->match_insert(st, m, err);
}

int store_match_levels(store *st, int64_t arrival_id, unsigned *mask, fk_err *err)
{
    return T(st)->match_levels(st, arrival_id, mask, err);
}

int store_matches_of_arrival(store *st, int64_t arrival_id, match_rec **out, size_t *n, fk_err *err)
{
    return T(st)->matches_of_arrival(st, arrival_id, out, n, err);
}

void risk_list_list_free(risk_list_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void risk_area_list_free(risk_area_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void checkpoint_list_free(checkpoint_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void arrival_list_free(arrival_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void itinerary_list_free(itinerary_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void journey_list_free(journey_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
