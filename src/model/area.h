/*
 * area.h - the administrative hierarchy and the places people live in.
 *
 *   district 区/县 (6-digit code, e.g. "510104")
 *   > street 街道/乡镇 (9 digits: district + 3)
 *   > community 社区/村 (12 digits: street + 3)
 *   > grid 网格 (15 digits: community + 3)
 *   > building 楼栋 (numeric id, in a grid) > household 户 (numeric id, in a building)
 *
 * Codes nest by prefix, as the national statistical division codes do, so a
 * jurisdiction is a code prefix (see role.h). Plain value types; pure; thread-safe.
 */
#ifndef FK_MODEL_AREA_H
#define FK_MODEL_AREA_H

#include <stdint.h>

#include "base/err.h"

typedef struct area {
    char code[16];
    char parent_code[16]; /* "" for a district */
    char name[96];
    char level[12];       /* district | street | community | grid */
} area;

typedef struct building {
    int64_t id;
    char grid_code[16];
    char name[64];        /* "3栋" */
    double lon, lat;      /* WGS-84 degrees, for the location grid of later services */
} building;

/* A place people gather: markets, supermarkets, hospitals, stations, schools, work
 * units. `code` is the venue code 场所码 printed on its QR poster. */
typedef struct venue {
    int64_t id;
    char code[24];
    char name[128];
    char kind[16];        /* market | supermarket | hospital | station | school | work_unit | restaurant | other */
    char grid_code[16];
    double lon, lat;
} venue;

typedef struct household {
    int64_t id;
    int64_t building_id;
    char room[32];        /* "2单元501" */
    char community_code[16]; /* derived from the building's grid, filled by the store */
    char building_name[64];  /* filled by the store on reads */
} household;

/* The level implied by a code's length ("district", ...) or NULL if none. */
const char *area_level_of(const char *code);
/* Checks code digits and length, that the parent is the code's prefix one level up,
 * and that level matches the code. */
int area_validate(const area *a, fk_err *err);
/* Known venue kind? */
int venue_validate(const venue *v, fk_err *err);

#endif
