/*
 * store_zones.c - dispatch for the zones section of the store (store_zones.h) to the
 * backend's store_zone_ops, and its list frees.
 */
#include <stdlib.h>

#include "store/store_int.h"

#define Z(st) ((st)->ops->zone)

int store_zone_live_at(store *st, const char *unit_kind, const char *area_code, int64_t building_id, zone_rec *out, fk_err *err)
{
    return Z(st)->zone_live_at(st, unit_kind, area_code, building_id, out, err);
}

int store_zone_insert(store *st, zone_rec *z, fk_err *err)
{
    return Z(st)->zone_insert(st, z, err);
}

int store_zone_update(store *st, const zone_rec *z, fk_err *err)
{
    return Z(st)->zone_update(st, z, err);
}

int store_zone_get(store *st, int64_t id, zone_rec *out, fk_err *err)
{
    return Z(st)->zone_get(st, id, out, err);
}

int store_zone_list(store *st, const zone_filter *f, zone_list *out, fk_err *err)
{
    return Z(st)->zone_list(st, f, out, err);
}

int store_zone_case_add(store *st, int64_t zone_id, int64_t case_id, const char *rule, int64_t at, int *added, fk_err *err)
{
    return Z(st)->zone_case_add(st, zone_id, case_id, rule, at, added, err);
}

int store_zone_cases(store *st, int64_t zone_id, zone_case_list *out, fk_err *err)
{
    return Z(st)->zone_cases(st, zone_id, out, err);
}

int store_zone_event_add(store *st, zone_event *e, fk_err *err)
{
    return Z(st)->zone_event_add(st, e, err);
}

int store_zone_events(store *st, int64_t zone_id, zone_event_list *out, fk_err *err)
{
    return Z(st)->zone_events(st, zone_id, out, err);
}

int store_zone_residents(store *st, int64_t zone_id, int64_t *out, fk_err *err)
{
    return Z(st)->zone_residents(st, zone_id, out, err);
}

int store_zone_person_ids(store *st, int64_t zone_id, int64_t **ids, size_t *n, fk_err *err)
{
    return Z(st)->zone_person_ids(st, zone_id, ids, n, err);
}

int store_zone_case_places(store *st, int64_t case_id, int64_t from, int64_t to, zone_place_list *out, fk_err *err)
{
    return Z(st)->zone_case_places(st, case_id, from, to, out, err);
}

int store_zones_holding_case(store *st, int64_t case_id, int64_t *ids, size_t cap, size_t *n, fk_err *err)
{
    return Z(st)->zones_holding_case(st, case_id, ids, cap, n, err);
}

int store_zone_negative_rounds(store *st, int64_t zone_id, int64_t *starts, size_t cap, size_t *n, fk_err *err)
{
    return Z(st)->zone_negative_rounds(st, zone_id, starts, cap, n, err);
}

int store_zone_last_contact(store *st, int64_t zone_id, int64_t *out, fk_err *err)
{
    return Z(st)->zone_last_contact(st, zone_id, out, err);
}

int store_zones_open_other(store *st, const char *area_prefix, const char *level, int64_t except, int64_t *out, fk_err *err)
{
    return Z(st)->zones_open_other(st, area_prefix, level, except, out, err);
}

int store_zone_venue(store *st, const char *code, char grid_code[16], char name[132], fk_err *err)
{
    return Z(st)->zone_venue(st, code, grid_code, name, err);
}

int store_zone_building(store *st, int64_t id, char grid_code[16], char name[132], fk_err *err)
{
    return Z(st)->zone_building(st, id, grid_code, name, err);
}

void zone_list_free(zone_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void zone_case_list_free(zone_case_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void zone_event_list_free(zone_event_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void zone_place_list_free(zone_place_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
