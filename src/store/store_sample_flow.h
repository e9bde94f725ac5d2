/*
 * store_sample_flow.h - the sample-flow section of store.h (tables labs, sample_boxes,
 * box_tubes and the results: 0014's tube_results, since 0044 result_chunks and
 * result_corrections read through fk_results), in its own header; include
 * store/store.h, which includes it. Same conventions as store.h: 0 or -1 with err,
 * every change atomic with its audit record (a, NULL = none), lists owned by the caller
 * (free them with the *_list_free below).
 *
 * The schema is the last word (see 0014): only a closed tube of the box's site enters
 * a packed box, and once; a box moves packed > handed_over > received; a result needs
 * its tube received by the reporting lab; results are never changed, a correction is a
 * new row replacing the current one with a reason. A result's id is its tube's id * 128
 * plus its rank (0 the first, one more for each correction, at most 127 of them:
 * migration 0043), so a tube's results are a range of ids; a first result is kept in
 * its tube's slot of a chunk of 128 tubes, a correction as a row (0044). Its refusals
 * come back as
 * FK_ECONFLICT; the service checks first to say what went wrong in a sampler's words.
 * Thread safety: as store.h.
 */
#ifndef FK_STORE_STORE_SAMPLE_FLOW_H
#define FK_STORE_STORE_SAMPLE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct audit_rec;
typedef struct store store;

typedef struct lab_rec {
    int64_t id;
    char name[128], area_code[16], created_by[64];
    int64_t created_at;
} lab_rec;
typedef struct lab_list { lab_rec *items; size_t n; } lab_list;

typedef struct box_rec {
    int64_t id;
    char code[24];
    int64_t round_id, site_id;
    char state[12]; /* packed, handed_over, received */
    int64_t packed_at, handed_at, received_at; /* 0: not yet */
    char packed_by[64], handed_by[64], received_by[64], courier[128];
    int64_t lab_id;                /* 0 until received */
    char lab_name[128];            /* filled on reads */
    char site_name[128], site_area[16]; /* filled on reads */
    int tubes;                     /* filled on reads */
} box_rec;

typedef struct result_rec {
    int64_t id, tube_id;
    char result[12]; /* negative, positive, invalid */
    int has_ct;      /* a positive's Ct values are set */
    double ct_orf1ab, ct_n;
    int64_t lab_id, reported_at, replaces; /* replaces 0: a first result */
    char reported_by[64], reason[256];
    char lab_name[128]; /* filled on reads */
} result_rec;
typedef struct result_list { result_rec *items; size_t n; } result_list;

/* One closed tube on its way, for the flow counts: its site, and when it took each
 * step (0: not yet). result is its current result ("" none). */
typedef struct flow_row {
    int64_t tube_id, site_id, lab_id;
    char site_name[128], lab_name[128];
    char box_state[12]; /* "" when not boxed */
    int64_t closed_at, received_at, resulted_at; /* resulted_at: its first result */
    char result[12];
} flow_row;
typedef struct flow_list { flow_row *items; size_t n; } flow_list;

typedef struct flow_filter {
    int64_t round_id, site_id, lab_id; /* 0 = any */
    const char *area_prefix;           /* sites within it; NULL = all */
} flow_filter;

/* Labs. Insert fills id (FK_EREF "area_code" for an unknown area, FK_ECONFLICT "name"
 * for a name taken). The list is by name. */
int store_lab_insert(store *st, lab_rec *l, const struct audit_rec *a, fk_err *err);
int store_lab_get(store *st, int64_t id, lab_rec *out, fk_err *err);
int store_lab_list(store *st, lab_list *out, fk_err *err);

/* Pack tubes (ids) into a new box b (code, round_id, site_id, packed_at, packed_by), all
 * or none; fills b->id. FK_ECONFLICT "code" when the code is taken, "barcodes" when the
 * schema refuses a tube. */
int store_box_pack(store *st, box_rec *b, const int64_t *tube_ids, size_t n,
                   const struct audit_rec *a, fk_err *err);
/* The box of a code (FK_ENOTFOUND "code"), or of a tube: 1 found, 0 not boxed. */
int store_box_get(store *st, const char *code, box_rec *out, fk_err *err);
int store_box_of_tube(store *st, int64_t tube_id, box_rec *out, fk_err *err);
/* The barcodes of a box's tubes into a heap array of 24-byte strings. */
int store_box_barcodes(store *st, int64_t box_id, char (**out)[24], size_t *n, fk_err *err);
/* packed > handed_over (courier), FK_ECONFLICT "code" when the box is not packed. */
int store_box_hand_over(store *st, int64_t id, const char *courier, const char *by,
                        int64_t at, const struct audit_rec *a, fk_err *err);
/* handed_over > received at lab_id, FK_ECONFLICT "code" when it was not handed over. */
int store_box_receive(store *st, int64_t id, int64_t lab_id, const char *by, int64_t at,
                      const struct audit_rec *a, fk_err *err);

/* The id of a tube's result of rank 0: its first result (migration 0043). */
static inline int64_t store_first_result_id(int64_t tube_id)
{
    return tube_id * 128;
}

/* Add result rows (r->replaces 0 for a first result, else the current row's id and a
 * reason), all or none; fills each id (a first result's store_first_result_id, a
 * correction's the id it replaces + 1). FK_ECONFLICT "barcode" when the schema refuses
 * (a single row or a correction: its trigger; a batch of first results: one statement
 * checking every row). An import's rows, which the import checked itself in its unit,
 * go through store_results_add_checked (store_testing_bulk.h) instead. */
int store_results_add(store *st, result_rec *r, size_t n, const struct audit_rec *a,
                      fk_err *err);
/* A tube's results, oldest first (its current result is the last). */
int store_tube_results(store *st, int64_t tube_id, result_list *out, fk_err *err);
/* The closed tubes of the filter with their steps. */
int store_flow_rows(store *st, const flow_filter *f, flow_list *out, fk_err *err);

void lab_list_free(lab_list *l);
void result_list_free(result_list *l);
void flow_list_free(flow_list *l);

#endif
