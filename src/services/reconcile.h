/*
 * reconcile.h - daily reconciliation of a testing round (对账): the failure points cities
 * reported (domain.md §5: code not matched to tube, wrong ID, someone else's code,
 * scanning, transport delay, manual entry at the lab), from what was actually recorded,
 * and the lab's side that records it.
 *
 * Contract:
 *  - Unpacking (PERM_LAB, the box's site within the actor's area, the box received, by
 *    lab_id when given: FK_ECONFLICT "lab_id"): the lab scans the barcodes it finds in a
 *    received box, once per box (FK_ECONFLICT "code"); 0..SAMPLE_BOX_MAX barcodes, each
 *    well-formed and listed once (FK_EINVAL "barcodes"). Tubes the box lists and the lab
 *    did not find are missing at receipt; barcodes found that the box does not list are
 *    unmatched tubes (kind "found": received but never sampled) with their reason
 *    (reconcile_extra_reason). All or none.
 *  - An unmatched result (PERM_LAB, a lab the actor's area overlaps: FK_ENOTFOUND "id"):
 *    a result (sample_result_check) for a barcode the lab cannot match to a tube it
 *    received. A barcode of a tube received by this lab is refused (FK_ECONFLICT
 *    "barcode": record it on the tube); a known tube's round is its own (round_id, when
 *    given, must be it: FK_ECONFLICT "round_id"); an unknown barcode needs round_id
 *    (FK_EINVAL "round_id"), a round the actor sees. A positive is audited at once
 *    ("positive", entity unmatched_tube) and notified in the same transaction to each of
 *    the policy's testing.unmatched_positive.notify audiences in the row's area (kind
 *    unmatched_positive, entity unmatched_tube): it must never vanish or wait for the
 *    day's report.
 *  - Resolution (PERM_LAB or PERM_TESTING, the row's area within the actor's): matched,
 *    resampled or discarded, with a note (1..255 bytes), once (FK_ECONFLICT
 *    "resolution"); who and when are kept.
 *  - The report (PERM_TESTING or PERM_LAB; the round visible and the area resolved as
 *    coverage does): counts and items of each kind (store_reconcile.h) for the local day
 *    `day` (reporting.utc_offset_h; none = the whole round) at `now`, against the
 *    policy's testing.time_limits_h.sample_to_lab and .voluntary (the flow's limits:
 *    sample_flow.h). Duplicate persons: the matching rule below. Names, ID numbers and
 *    phones masked without PERM_UNMASKED. Every read and export is audited (entity
 *    reconciliation, the round's id, day and area in the detail).
 *  - What the report can and cannot see: a box never unpacked counts as holding every
 *    tube it lists (missing at receipt needs the lab's unpack); a tube with a result
 *    "invalid" has a result (its re-sampling is the result's consequence); a received
 *    tube without members cannot exist (only closed tubes enter boxes, and a tube opens
 *    at its first scan), so "unsampled" is the unpacks' unlisted barcodes. An unknown
 *    barcode's result belongs to the round's area: a caller narrower than the round's
 *    area does not see it; a known tube's belongs to its site's area.
 *  - The matching rule of one person under two IDs (reconcile_same_person): two person
 *    records (different ids, hence different ID numbers or ID types) with the same
 *    non-empty phone, the same birth date and the same name once white space (ASCII and
 *    the ideographic space U+3000) is removed. Phone is the indexed key (persons_phone).
 * Ownership: unpack_report arrays are the caller's (unpack_report_free). Thread safety:
 * as the store; the pure rules are thread-safe.
 */
#ifndef FK_SERVICES_RECONCILE_H
#define FK_SERVICES_RECONCILE_H

#include <stdbool.h>

#include "io/table_writer.h"
#include "policy/policy.h"
#include "services/actor.h"
#include "services/sample_flow.h"
#include "store/store.h"

/* ---- pure rules --------------------------------------------------------------------- */

/* [*from, *to) of local date `day` (YYYY-MM-DD) at UTC offset `utc_offset_h`: FK_EINVAL
 * naming "day" when malformed. */
int reconcile_day_bounds(const char *day, int utc_offset_h, int64_t *from, int64_t *to,
                         fk_err *err);
/* Names equal once ASCII white space and U+3000 are removed. */
bool reconcile_names_equal(const char *a, const char *b);
typedef struct person_key {
    int64_t id;
    const char *name, *phone, *birth_date;
} person_key;
bool reconcile_same_person(const person_key *a, const person_key *b);
/* Why a barcode found in a box it is not listed in is there: "unknown" (no tube),
 * "other_box" (the tube is in another box), "never_sampled" (no member), else
 * "not_boxed" (sampled, never packed). */
const char *reconcile_extra_reason(bool known, bool in_other_box, int n_members);
/* "unreceived", "unsampled", "unknown_results", "no_result", "duplicate_persons". */
const char *reconcile_kind_name(recon_kind k);

/* ---- the lab's side ----------------------------------------------------------------- */

typedef struct unpack_report {
    box_rec box;
    unpack_rec unpack;
    char (*missing)[24];
    size_t n_missing;
    unmatched_rec *extras;
    size_t n_extras;
} unpack_report;

int reconcile_unpack(store *st, const actor *a, const char *code, int64_t lab_id,
                     const char *const *barcodes, size_t n, unpack_report *out, fk_err *err);
void unpack_report_free(unpack_report *r);

int reconcile_unmatched_result(store *st, const policy *pol, const actor *a, int64_t lab_id,
                               int64_t round_id, const result_input *in, const char *note,
                               unmatched_rec *out, fk_err *err);
int reconcile_unmatched_resolve(store *st, const actor *a, int64_t id, const char *resolution,
                                const char *note, unmatched_rec *out, fk_err *err);

/* ---- the report --------------------------------------------------------------------- */

typedef struct reconcile_args {
    int64_t round_id;
    const char *day;  /* NULL or "": the whole round */
    const char *area; /* NULL or "": the round's (or the caller's, narrower) */
    int64_t now;      /* 0: now */
} reconcile_args;

typedef struct reconcile_summary {
    round_rec round;
    char area[16], day[11];
    int64_t from, to, now, sample_to_lab_h, lab_to_result_h;
    int64_t counts[RECON_KINDS];
    int64_t open_unknown; /* unknown results not resolved */
} reconcile_summary;

/* Every item (masked per the actor, duplicates by the rule) to fn (NULL: counts only),
 * kind by kind; out the counts. fn's non-zero answer stops and is returned. */
int reconcile_report(store *st, const policy *pol, const actor *a, const reconcile_args *args,
                     recon_fn fn, void *ctx, reconcile_summary *out, fk_err *err);
/* The items as a table (one kind column) to w; audited as an export. */
int reconcile_export(store *st, const policy *pol, const actor *a, const reconcile_args *args,
                     tw *w, reconcile_summary *out, fk_err *err);

#endif
