/*
 * store_zones.h - the zones section of store.h (tables zones, zone_cases, zone_events and
 * the view zone_persons: migration 0018), in its own header; include store/store.h,
 * which includes it. Same conventions as store.h: 0 or -1 with err, lists owned by the
 * caller (zone_list_free and friends below).
 *
 * The store keeps rows; services/zones.c decides (levels, dates, flags: model/zone.h) and
 * runs every change in one unit (store_begin/store_end) with its audit record and event.
 * The schema is the last word: one live zone per unit (FK_ECONFLICT "unit"), status moves
 * proposed > published > lifted | proposed > rejected, zones are never deleted, events
 * are append-only. Thread safety: as store.h.
 */
#ifndef FK_STORE_STORE_ZONES_H
#define FK_STORE_STORE_ZONES_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct store store;

typedef struct zone_rec {
    int64_t id;
    char scheme[32], level[16], origin_level[16], pending_level[16];
    int steps;
    char unit_kind[12];
    int64_t building_id;          /* 0 unless unit_kind is building */
    char area_code[16];           /* the area, or the building's grid */
    char name[132];
    char status[12];
    char rule[164], policy_version[16];
    char start_date[11], last_case_date[11], last_step_date[11];
    char may_downgrade_date[11], may_downgrade_to[16], may_lift_date[11]; /* "" none */
    int flags;
    int64_t created_at, published_at, lifted_at, updated_at; /* 0 none */
    char created_by[64], published_by[64], lifted_by[64];
    /* filled on reads */
    char area_name[128];
    int64_t n_cases;
} zone_rec;
typedef struct zone_list { zone_rec *items; size_t n; int64_t total; } zone_list;

typedef struct zone_filter {
    const char *status, *level; /* NULL = any */
    const char *area_prefix;    /* the zone's area_code within it; NULL = all */
    int64_t case_id;            /* zones of this case; 0 = any */
    int published_ever;         /* published, lifted after publication */
    int limit, offset;
} zone_filter;

typedef struct zone_case { int64_t case_id, case_number, added_at; char rule[64];
                           char reported_date[11]; } zone_case;
typedef struct zone_case_list { zone_case *items; size_t n; } zone_case_list;

typedef struct zone_event {
    int64_t id, zone_id, at;
    char actor[64], kind[20], from_level[16], to_level[16];
    int forced;
    char note[504];
} zone_event;
typedef struct zone_event_list { zone_event *items; size_t n; } zone_event_list;

/* A place of a case a zone may be drawn over: its residence (kind "residence": the
 * household's building and its grid, or only the person's community) or a venue it
 * stayed at (kind "venue": the venue's grid, its name). */
typedef struct zone_place {
    char kind[12];
    int64_t building_id;
    char grid_code[16], community_code[16], name[132];
} zone_place;
typedef struct zone_place_list { zone_place *items; size_t n; } zone_place_list;

/* The live (proposed or published) zone at a unit: 1 found, 0 none. */
int store_zone_live_at(store *st, const char *unit_kind, const char *area_code,
                       int64_t building_id, zone_rec *out, fk_err *err);
/* Insert; fills id. FK_ECONFLICT "unit" when the unit has a live zone. */
int store_zone_insert(store *st, zone_rec *z, fk_err *err);
/* Write every mutable field (level, origin_level, steps, pending_level, unit, name,
 * status, dates, flags, published/lifted, updated_at) of z->id. */
int store_zone_update(store *st, const zone_rec *z, fk_err *err);
int store_zone_get(store *st, int64_t id, zone_rec *out, fk_err *err);
int store_zone_list(store *st, const zone_filter *f, zone_list *out, fk_err *err);
/* Add a case to a zone: *added 1, or 0 when it was there already. */
int store_zone_case_add(store *st, int64_t zone_id, int64_t case_id, const char *rule,
                        int64_t at, int *added, fk_err *err);
int store_zone_cases(store *st, int64_t zone_id, zone_case_list *out, fk_err *err);
int store_zone_event_add(store *st, zone_event *e, fk_err *err);
int store_zone_events(store *st, int64_t zone_id, zone_event_list *out, fk_err *err);
/* Residents of the zone's unit (as zone_persons counts them, whatever the status). */
int store_zone_residents(store *st, int64_t zone_id, int64_t *out, fk_err *err);
/* The persons of zone_persons for one zone (published zones only), ascending. */
int store_zone_person_ids(store *st, int64_t zone_id, int64_t **ids, size_t *n, fk_err *err);
/* The case's places: residence first, then the venues of its stays overlapping
 * [from, to) (subject the person's id, ID number or phone), one per venue. This reads
 * the stays table row by row (no index on subject, and packed rows are not opened): the
 * service asks the trace index instead when it has one, and passes from >= to here for
 * the residence alone. */
int store_zone_case_places(store *st, int64_t case_id, int64_t from, int64_t to,
                           zone_place_list *out, fk_err *err);
/* Live zones whose unit holds the case's residence (building, grid, or an area above),
 * at most cap ids into ids; *n (OUT). */
int store_zones_holding_case(store *st, int64_t case_id, int64_t *ids, size_t cap, size_t *n,
                             fk_err *err);
/* The start instants of closed testing rounds over the zone's area (the round's area
 * contains it) with results and no positive or invalid current result, at most cap. */
int store_zone_negative_rounds(store *st, int64_t zone_id, int64_t *starts, size_t cap,
                               size_t *n, fk_err *err);
/* The end of the last close contact's overlap with any case of the zone (0 none). */
int store_zone_last_contact(store *st, int64_t zone_id, int64_t *out, fk_err *err);
/* Published zones other than `except` within area_prefix whose level is not `level`. */
int store_zones_open_other(store *st, const char *area_prefix, const char *level,
                           int64_t except, int64_t *out, fk_err *err);

/* A venue's grid and name by its code: 1 found, 0 none. */
int store_zone_venue(store *st, const char *code, char grid_code[16], char name[132], fk_err *err);
/* A building's grid and name: 1 found, 0 none. */
int store_zone_building(store *st, int64_t id, char grid_code[16], char name[132], fk_err *err);

void zone_list_free(zone_list *l);
void zone_case_list_free(zone_case_list *l);
void zone_event_list_free(zone_event_list *l);
void zone_place_list_free(zone_place_list *l);

#endif
