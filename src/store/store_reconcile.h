/*
 * store_reconcile.h - the reconciliation section of store.h (tables box_unpacks,
 * box_tubes_missing and unmatched_tubes, migration 0017), in its own header; include
 * store/store.h, which includes it. Same conventions as store.h: 0 or -1 with err, every
 * change atomic with its audit record (a, NULL = none).
 *
 * Changes: a box's unpack (the tubes missing, the barcodes found that it does not list),
 * an unmatched result, an unmatched row's resolution. The schema is the last word: a box
 * is unpacked once, by the lab that received it; an unmatched row is never changed but
 * for its resolution, once (its refusals come back as FK_ECONFLICT).
 *
 * The reconciliation of a round is one read snapshot of five set-based queries, one a
 * kind, streamed row by row to a callback (a city-wide round may list many rows):
 *   RECON_UNRECEIVED   tubes sampled (closed, or open with members) and not received
 *                      past the limit: not boxed, box not received, or missing at receipt
 *                      (and no result since); sampled_at + sample_to_lab < now.
 *   RECON_UNSAMPLED    the barcodes a lab found in a box that does not list them.
 *   RECON_UNKNOWN      results the lab could not match to a tube, open ones first.
 *   RECON_NO_RESULT    one row a member of a sampled tube without any result, past the
 *                      limit: received_at + lab_to_result < now when received, else
 *                      sampled_at + sample_to_lab + lab_to_result < now.
 *   RECON_DUPLICATE    candidate pairs: a person scanned in the round and another person
 *                      with the same (non-empty) phone; the caller applies the matching
 *                      rule (services/reconcile.h). Both scanned: listed once (lower
 *                      person id first).
 * `sampled_at` is the tube's closing, or its opening while open. A day [from, to) filters
 * by sampled_at (tubes, members), recorded_at (unmatched rows), scanned_at (duplicates).
 * Area: a prefix of the sites' areas (unmatched rows: their area_code).
 * Thread safety: as store.h.
 */
#ifndef FK_STORE_STORE_RECONCILE_H
#define FK_STORE_STORE_RECONCILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct audit_rec;
typedef struct store store;

typedef struct unpack_rec {
    int64_t id, box_id, lab_id, unpacked_at;
    char unpacked_by[64];
    int found, missing, extra;
} unpack_rec;

typedef struct unmatched_rec {
    int64_t id;
    char kind[8];       /* found, result */
    int64_t round_id;
    char area_code[16];
    char barcode[24];
    char reason[16];    /* unknown, other_box, not_boxed, never_sampled, not_received */
    int64_t tube_id, box_id, lab_id; /* 0: none */
    char result[12];    /* "" for a found row */
    int has_ct;
    double ct_orf1ab, ct_n;
    char note[256];
    int64_t recorded_at;
    char recorded_by[64];
    char resolution[16]; /* "" while open */
    char resolution_note[256];
    int64_t resolved_at;
    char resolved_by[64];
    char box_code[24], lab_name[128]; /* filled on reads */
} unmatched_rec;

/* Record the unpack u of its box: the ids of tubes it lists that were not found, and the
 * found rows it does not list (kind "found"), all or none; fills the ids. FK_ECONFLICT
 * "code" when the box was unpacked already or not received by u->lab_id. */
int store_box_unpack(store *st, unpack_rec *u, const int64_t *missing, size_t n_missing,
                     unmatched_rec *extras, size_t n_extras, const struct audit_rec *a,
                     fk_err *err);
/* The unpack of a box: 1 found, 0 never unpacked. */
int store_box_unpack_get(store *st, int64_t box_id, unpack_rec *out, fk_err *err);
/* An unmatched result (kind "result"); fills id. */
int store_unmatched_insert(store *st, unmatched_rec *u, const struct audit_rec *a,
                           fk_err *err);
/* One unmatched row (FK_ENOTFOUND "id"). */
int store_unmatched_get(store *st, int64_t id, unmatched_rec *out, fk_err *err);
/* Resolve an open row (FK_ECONFLICT "resolution" when it was resolved already). */
int store_unmatched_resolve(store *st, int64_t id, const char *resolution, const char *note,
                            const char *by, int64_t at, const struct audit_rec *a,
                            fk_err *err);

typedef enum recon_kind {
    RECON_UNRECEIVED, RECON_UNSAMPLED, RECON_UNKNOWN, RECON_NO_RESULT, RECON_DUPLICATE,
    RECON_KINDS
} recon_kind;

typedef struct recon_query {
    int64_t round_id;
    const char *area;   /* area-code prefix; NULL or "" = all */
    int64_t from, to;   /* [from, to); to 0 = no bound */
    int64_t now;
    int64_t sample_to_lab_s, lab_to_result_s;
} recon_query;

/* One row of any kind: the fields a kind does not use are 0 or "". */
typedef struct recon_item {
    recon_kind kind;
    int64_t id;          /* tube id; unmatched row id; person id (duplicates) */
    char barcode[24], box[24], box_state[12], site[128], area[16];
    char reason[16];     /* unreceived: not_boxed, packed, handed_over, missing, open;
                          * unmatched: its reason; no_result: received, not_received */
    int64_t at;          /* sampled_at; recorded_at; scanned_at */
    int64_t received_at;
    char lab[128];
    char result[12];
    int has_ct;
    double ct_orf1ab, ct_n;
    char resolution[16], note[256];
    int64_t person_id;
    char name[96], id_number[32], phone[20], birth_date[11];
    int64_t other_id;
    char other_name[96], other_id_number[32], other_birth_date[11];
    int other_scanned;
} recon_item;

/* fn returns 0 to go on, non-zero to stop (that value is returned). */
typedef int (*recon_fn)(const recon_item *it, void *ctx);
/* Every row of every kind, kind by kind in enum order, in one read snapshot. */
int store_reconcile_each(store *st, const recon_query *q, recon_fn fn, void *ctx,
                         fk_err *err);

#endif
