/*
 * store_testing.h - the mass-testing section of store.h (tables testing_rounds,
 * sampling_sites, tubes, migration 0013, and their members, kept since migration 0035 as
 * tube_sets and round_slots, store_sqlite_members.c), kept in its own header;
 * include store/store.h, which includes it. Same conventions as store.h: 0 or -1 with
 * err, every change atomic with its audit record (a, NULL = none), lists owned by the
 * caller (free them with the *_list_free below). A change made inside the caller's
 * transaction (store_begin) joins it; alone, it is its own.
 *
 * Tubes: printed stock issued to a site (state issued, size 0) before use; a barcode
 * never issued is unknown. The first scan opens the tube with the size it is given;
 * the store refuses a member in a tube that is not open, is full or belongs to another
 * round, and a person twice in one round (both FK_ECONFLICT). Thread safety: as store.h.
 */
#ifndef FK_STORE_STORE_TESTING_H
#define FK_STORE_STORE_TESTING_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct audit_rec;
typedef struct store store;

typedef struct round_rec {
    int64_t id;
    char name[128];
    char area_code[16];
    int64_t starts_at, ends_at;
    char state[12]; /* planned, open, closed */
    char created_by[64];
    int64_t created_at;
    char kind[12];     /* mass; recheck: the single re-samples of parent_id's held (0016) */
    int64_t parent_id; /* 0 for a mass round */
    int sites, tubes, scanned; /* filled on reads */
} round_rec;
typedef struct round_list { round_rec *items; size_t n; int64_t total; } round_list;

typedef struct site_rec {
    int64_t id, round_id;
    char name[128], area_code[16], team[128];
    double lon, lat;
    int has_location;
    int tubes; /* filled on reads: tubes issued to it */
} site_rec;
typedef struct site_list { site_rec *items; size_t n; int64_t total; } site_list;

typedef struct tube_rec {
    int64_t id;
    char barcode[24];
    int64_t round_id, site_id;
    int size;       /* 0 while issued */
    char state[8];  /* issued, open, closed */
    int64_t issued_at, opened_at, closed_at; /* 0: not yet */
    char issued_by[64], opened_by[64], closed_by[64];
    int n_members;
} tube_rec;

typedef struct member_rec {
    int64_t id, tube_id, person_id, round_id, scanned_at;
    char scanned_by[64];
    char barcode[24];                                   /* filled on reads */
    int size;                                           /* the tube's, on reads */
    char person_name[96], id_number[32];                /* filled on reads */
    char round_name[128];                               /* filled on reads */
    char site_name[128];                                /* filled on reads */
    char result[12];      /* the tube's current result, "" none; filled on reads */
} member_rec;
typedef struct member_list { member_rec *items; size_t n; } member_list;

/* Rounds. Insert fills id (FK_EREF "area_code" for an unknown area). The list holds the
 * rounds that concern `area` (NULL = all): over it or an area under it, or over an area
 * that contains it (a district's round concerns each of its communities); newest first. */
int store_round_insert(store *st, round_rec *r, const struct audit_rec *a, fk_err *err);
int store_round_get(store *st, int64_t id, round_rec *out, fk_err *err);
/* The round as store_round_get has it but without its counts (sites, tubes, scanned: 0;
 * those read every tube of the round: 8 ms a district's round of bench/testing's city,
 * for each coverage read that only needs the round's area and dates). */
int store_round_head(store *st, int64_t id, round_rec *out, fk_err *err);
int store_round_list(store *st, const char *area, int limit, int offset, round_list *out,
                     fk_err *err);
/* Set the state if the round is still in `from` (FK_ECONFLICT "state" otherwise). */
int store_round_set_state(store *st, int64_t id, const char *from, const char *to,
                          const struct audit_rec *a, fk_err *err);

/* Sites of a round. Insert fills id. */
int store_site_insert(store *st, site_rec *s, const struct audit_rec *a, fk_err *err);
int store_site_get(store *st, int64_t id, site_rec *out, fk_err *err);
int store_site_list(store *st, int64_t round_id, int limit, int offset, site_list *out,
                    fk_err *err);

/* Issue n barcodes to site `site_id` of round `round_id` (state issued), all or none:
 * FK_ECONFLICT "barcodes" naming the first barcode already issued anywhere. */
int store_tubes_issue(store *st, int64_t round_id, int64_t site_id,
                      const char *const *barcodes, size_t n, const char *by, int64_t at,
                      const struct audit_rec *a, fk_err *err);
/* The tube of a barcode (FK_ENOTFOUND "barcode"), and (non-NULL) its members. */
int store_tube_get(store *st, const char *barcode, tube_rec *out, member_list *members,
                   fk_err *err);
/* The member row of `person_id` in round `round_id`, with its barcode: 1 when found,
 * 0 when the person was not scanned in the round, -1 on error. */
int store_round_member(store *st, int64_t round_id, int64_t person_id, member_rec *out,
                       fk_err *err);
/* Scan a person into tube `tube_id`: an issued tube opens first with `size` (open_size
 * ignored otherwise), then the member row; fills m->id. Guarded by the schema (see the
 * header comment): FK_ECONFLICT when the tube is not open, is full, or the person was
 * scanned in the round. m->person_id is a person the caller read in the same write
 * transaction (not looked up again: store_sqlite_members.c). */
int store_tube_scan(store *st, int64_t tube_id, int open_size, member_rec *m,
                    const struct audit_rec *a, fk_err *err);
/* Close an open tube (FK_ECONFLICT "barcode" when it is not open). */
int store_tube_close(store *st, int64_t tube_id, const char *by, int64_t at,
                     const struct audit_rec *a, fk_err *err);
/* Every sample of a person, newest first: round, site, tube, size, time. */
int store_person_samples(store *st, int64_t person_id, member_list *out, fk_err *err);
/* What decides a person's pool group today: an active isolation, an open lead of a
 * close or secondary contact (0/1 each). */
int store_person_testing_flags(store *st, int64_t person_id, int *isolated, int *contact,
                               fk_err *err);

/* The tubes of a site, by barcode, each with its box (code and state, "" when in none)
 * and current result ("" when none): state "" for any, else issued, open or closed;
 * unboxed 1 for tubes in no box only. For the console's sampler and packing. */
typedef struct site_tube_rec {
    tube_rec tube;
    char box_code[24], box_state[16], result[12];
} site_tube_rec;
typedef struct site_tube_list { site_tube_rec *items; size_t n; int64_t total; } site_tube_list;
int store_site_tubes(store *st, int64_t site_id, const char *state, int unboxed, int limit,
                     int offset, site_tube_list *out, fk_err *err);

void round_list_free(round_list *l);
void site_list_free(site_list *l);
void member_list_free(member_list *l);
void site_tube_list_free(site_tube_list *l);

#endif
