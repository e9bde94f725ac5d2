/*
 * store_travel.h - the traveler screening section of store.h (migration 0019: risk-area
 * lists and their rows, checkpoints, arrivals, itineraries, checkpoint scans, traveler
 * matches), in its own header; include store/store.h, which includes it. Same
 * conventions as store.h: 0 or -1 with err; a change with an audit record (a, NULL =
 * none) writes it in the same unit; inside a caller's unit every call joins it.
 *
 * Versions: a list version is one risk_area_lists row and its rows, written at once.
 * "Current" rows are those of the newest version of each source
 * (store_risk_areas_current): each import is a full snapshot of its source.
 * Ownership: every list is one heap array freed by its *_list_free. Thread safety: as
 * store.h.
 */
#ifndef FK_STORE_STORE_TRAVEL_H
#define FK_STORE_STORE_TRAVEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/travel.h"

typedef struct store store;
struct audit_rec;

typedef struct risk_list_rec {
    int64_t id;
    char source[64];
    int64_t imported_at;
    char imported_by[64];
    int64_t row_count;
    char digest[65];          /* SHA-256 of the file, hex */
    int current;              /* read: the newest version of its source */
} risk_list_rec;
typedef struct risk_list_list { risk_list_rec *items; size_t n; } risk_list_list;
typedef struct risk_area_list { risk_area_rec *items; size_t n; } risk_area_list;

typedef struct checkpoint_rec {
    int64_t id;
    char name[128];
    char kind[12];            /* station | airport | highway | port | gate */
    char area_code[16];
    int64_t created_at;
    char created_by[64];
} checkpoint_rec;
typedef struct checkpoint_list { checkpoint_rec *items; size_t n; } checkpoint_list;

typedef struct arrival_rec {
    int64_t id, person_id, arrived_at;
    char place_kind[12];
    char place[128];
    int64_t checkpoint_id;    /* 0: none */
    char from_region[16], from_area[128];
    char community_code[16];  /* destination */
    char source[12];          /* api | import | checkpoint | demo */
    char registered_by[64];
    int64_t registered_at;
    /* filled on list reads: the person and the strictest match with its lead */
    char person_name[96], id_number[32];
    char level[8];            /* "" = no match */
    char measure[32];
    int64_t lead_id;
    char lead_state[12];
} arrival_rec;
typedef struct arrival_list { arrival_rec *items; size_t n; int64_t total; } arrival_list;

typedef struct arrival_filter {
    const char *area_prefix;  /* community_code starts with it; NULL/"" = all */
    int64_t since;            /* arrived_at >= since (0 = any) */
    int matched;              /* 1: only arrivals with a match */
    int limit, offset;
} arrival_filter;

typedef struct itinerary_rec {
    int64_t id, person_id;
    char region_code[16], area_name[128];
    int64_t stay_from, stay_to;
    char source[16];          /* itinerary_card | self_report | checkpoint */
    char recorded_by[64];
    int64_t recorded_at;
} itinerary_rec;
typedef struct itinerary_list { itinerary_rec *items; size_t n; } itinerary_list;

typedef struct scan_rec {
    int64_t id, checkpoint_id, person_id, at;
    char direction[4];
    char from_region[16];
    int64_t arrival_id;       /* 0: none */
    char scanned_by[64];
} scan_rec;

typedef struct match_rec {
    int64_t id, arrival_id, person_id, risk_area_id, itinerary_id, lead_id, matched_at;
    char level[8], cohort[32], region_code[16], area_name[128], measure[32], test_days[64];
} match_rec;

/* A list version and its n rows (list_id filled); fills l->id. */
int store_risk_list_insert(store *st, risk_list_rec *l, risk_area_rec *rows, size_t n,
                           const struct audit_rec *a, fk_err *err);
/* Every version, newest first. */
int store_risk_lists(store *st, risk_list_list *out, fk_err *err);
/* One version (FK_ENOTFOUND) and, rows non-NULL, its rows in file order. */
int store_risk_list_get(store *st, int64_t id, risk_list_rec *out, risk_area_list *rows,
                        fk_err *err);
/* The rows of the newest version of every source. */
int store_risk_areas_current(store *st, risk_area_list *out, fk_err *err);

int store_checkpoint_insert(store *st, checkpoint_rec *c, const struct audit_rec *a,
                            fk_err *err);
int store_checkpoint_get(store *st, int64_t id, checkpoint_rec *out, fk_err *err);
/* Checkpoints whose area starts with the prefix (NULL/"" = all), by id. */
int store_checkpoint_list(store *st, const char *area_prefix, checkpoint_list *out,
                          fk_err *err);

int store_arrival_insert(store *st, arrival_rec *r, const struct audit_rec *a, fk_err *err);
int store_arrival_get(store *st, int64_t id, arrival_rec *out, fk_err *err);
/* Newest first, with person and match fields. */
int store_arrival_list(store *st, const arrival_filter *f, arrival_list *out, fk_err *err);
/* Ids of arrivals at or after `since`, ascending (*ids a heap array). */
int store_arrival_ids_since(store *st, int64_t since, int64_t **ids, size_t *n, fk_err *err);
/* Ids of the person's arrivals at or after `since`. */
int store_arrival_ids_of_person(store *st, int64_t person_id, int64_t since, int64_t **ids,
                                size_t *n, fk_err *err);

int store_itinerary_insert(store *st, itinerary_rec *r, const struct audit_rec *a,
                           fk_err *err);
/* The person's itinerary records ending at or after `since`. */
int store_itineraries_of(store *st, int64_t person_id, int64_t since, itinerary_list *out,
                         fk_err *err);

int store_scan_insert(store *st, scan_rec *r, const struct audit_rec *a, fk_err *err);

/* Where a person came from or stayed since `since` (the itinerary card of 双码联查): each arrival
 * (its from region, at arrival) and each itinerary stay (at its end), newest first, at most
 * JOURNEY_MAX, with the strictest level a traveler match found for it ("" none). */
#define JOURNEY_MAX 20
typedef struct journey_rec {
    char kind[12];          /* arrival | itinerary */
    char region_code[16], area_name[128];
    int64_t at;
    char level[8];          /* high | medium | low | "" */
} journey_rec;
typedef struct journey_list { journey_rec *items; size_t n; } journey_list;
int store_person_journeys(store *st, int64_t person_id, int64_t since, journey_list *out,
                          fk_err *err);
void journey_list_free(journey_list *l);

/* A match and its lead (lead_id given). */
int store_match_insert(store *st, match_rec *m, fk_err *err);
/* Bit (1 << TRAVEL_*) per level the arrival already has a match of, into *mask. */
int store_match_levels(store *st, int64_t arrival_id, unsigned *mask, fk_err *err);
/* The matches of an arrival, strictest first. */
int store_matches_of_arrival(store *st, int64_t arrival_id, match_rec **out, size_t *n,
                             fk_err *err);

void risk_list_list_free(risk_list_list *l);
void risk_area_list_free(risk_area_list *l);
void checkpoint_list_free(checkpoint_list *l);
void arrival_list_free(arrival_list *l);
void itinerary_list_free(itinerary_list *l);

#endif
