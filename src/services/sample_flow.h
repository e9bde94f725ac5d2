/*
 * sample_flow.h - the sample flow of mass testing (样本转运与检测), second slice: closed
 * tubes packed into transport boxes at their site, a box handed to a courier, received
 * by a lab, the lab's result per tube (negative, positive with Ct values for ORF1ab and
 * N, invalid: re-sample), corrections kept as history, and the flow's waiting and
 * overdue tubes per site and per lab.
 *
 * Contract:
 *  - Permission: PERM_TESTING packs and hands over (the site's work); PERM_LAB creates
 *    labs, receives boxes, records and corrects results (the lab's work); either reads
 *    labs, boxes and the flow. Jurisdiction: boxes and tubes of sites within the
 *    actor's area only (others read as FK_ENOTFOUND); labs are the city's and read by
 *    anyone allowed, created only within the actor's area.
 *  - Packing: 1..SAMPLE_BOX_MAX barcodes into a new box of one site, all or none. A
 *    barcode malformed, repeated in the list (FK_EINVAL), never issued or out of scope
 *    (FK_EREF), of another round or site, not closed, or already in a box (FK_ECONFLICT
 *    naming the box) is refused naming "barcodes" and the barcode; a box code (tube.h's
 *    format) used before is refused naming "code".
 *  - A box moves packed > handed_over (courier required) > received (at lab_id);
 *    anything else is FK_ECONFLICT naming "code".
 *  - Results: a result does NOT imply receipt: a tube gets a result only once its box
 *    was received, and from that lab (lab_id, when given, must be it: FK_ECONFLICT
 *    "lab_id"). sample_result_check holds the rules of one result. A tube with a result
 *    takes a correction, never a second first result (FK_ECONFLICT "barcode"); a
 *    correction needs a reason, replaces the current result and keeps every earlier row
 *    (the schema refuses UPDATE and DELETE). A box's batch is all or none.
 *  - A positive is audited at once as action "positive" on the tube (the policy's
 *    testing.positive_pool.report_immediately); what follows a result (members held,
 *    single re-sampling, leads, cases, notices) is services/positives.h's, called by
 *    sample_results_followed_up(), which every path that records results calls.
 *  - The flow: closed tubes counted per site and per lab at each step (waiting to be
 *    packed, handed over, in transit, at the lab for a result; resulted by result), and
 *    over the policy's limits at `now`: sample to lab (closed_at > received_at,
 *    testing.time_limits_h.sample_to_lab) and lab to result (received_at > first
 *    result, testing.time_limits_h.voluntary: mass screening is screening, neither the
 *    fever clinic's nor a patient's limit; domain.md §5). "over": still waiting and past
 *    the limit; "late": done, after the limit.
 *  - Audit: every change and every read, in the same transaction as a change.
 * Ownership: lists are the caller's (store_sample_flow.h's frees; sample_flow_free).
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_SAMPLE_FLOW_H
#define FK_SERVICES_SAMPLE_FLOW_H

#include <stdbool.h>

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

#define SAMPLE_BOX_MAX 1000

/* One result as reported: result "negative", "positive" or "invalid"; a positive needs
 * both Ct values, the others take none; a Ct lies in (0, SAMPLE_CT_MAX], the cycles of
 * a PCR run (the schema's bound too). FK_EINVAL naming "result", "ct_orf1ab" or "ct_n"
 * (prefixed by `where`, e.g. "results[3].", when non-NULL). */
#define SAMPLE_CT_MAX 45.0
typedef struct result_input {
    const char *barcode;
    const char *result;
    bool has_orf1ab, has_n;
    double ct_orf1ab, ct_n;
} result_input;
int sample_result_check(const result_input *in, const char *where, fk_err *err);

int sample_lab_create(store *st, const actor *a, lab_rec *l, fk_err *err);
int sample_lab_list(store *st, const actor *a, lab_list *out, fk_err *err);

/* Pack the tubes of `barcodes` into a new box `code` of site `site_id`; *out the box. */
int sample_box_pack(store *st, const actor *a, const char *code, int64_t site_id,
                    const char *const *barcodes, size_t n, box_rec *out, fk_err *err);
/* A box and (non-NULL) its tubes' barcodes (heap, free()). */
int sample_box_get(store *st, const actor *a, const char *code, box_rec *out,
                   char (**barcodes)[24], size_t *n, fk_err *err);
int sample_box_hand_over(store *st, const actor *a, const char *code, const char *courier,
                         box_rec *out, fk_err *err);
int sample_box_receive(store *st, const actor *a, const char *code, int64_t lab_id,
                       box_rec *out, fk_err *err);

/* Results take the policy in force (pol, non-NULL): what follows them reads its rules. */
/* Record the first result of one tube (lab_id 0: the receiving lab); *out the row. */
int sample_result_record(store *st, const policy *pol, const actor *a,
                         const result_input *in, int64_t lab_id, result_rec *out, fk_err *err);
/* The first results of tubes of box `code`, all or none; out holds n rows. */
int sample_results_record_box(store *st, const policy *pol, const actor *a, const char *code,
                              const result_input *in, size_t n, int64_t lab_id,
                              result_rec *out, fk_err *err);
/* Correct the current result of a tube, with a reason; *out the new row. */
int sample_result_correct(store *st, const policy *pol, const actor *a,
                          const result_input *in, int64_t lab_id, const char *reason,
                          result_rec *out, fk_err *err);

/* What follows results just stored, inside the caller's unit of work: every path that
 * records results (API, box batch, import) calls it once with the new rows (pol
 * non-NULL, FK_EINVAL "policy" otherwise). A positive is audited at once; the rest is
 * positives_follow_up (services/positives.h): holds, single re-samples, leads, cases,
 * notices, set-oriented over the rows. 0, or -1 with err (the caller's unit then rolls
 * back). */
int sample_results_followed_up(store *st, const policy *pol, const actor *a,
                               const result_rec *r, size_t n, fk_err *err);
/* The same for first results (ids from first to last, none a correction) written in
 * the caller's unit: `follow` lists, whole and in id order, the rows the follow-up acts
 * on (a result other than negative, or a single tube's: positives_follow_up_run), the
 * positives among them audited. A bulk import keeps those few rows, not every row. */
int sample_first_results_followed_up(store *st, const policy *pol, const actor *a,
                                     int64_t first, int64_t last, const checked_result *follow,
                                     size_t nfollow, fk_err *err);

/* A tube's box (*boxed 0 when none) and results, oldest first; for a tube the caller
 * has read through testing_tube_get (which checked and audited). */
int sample_tube_flow(store *st, const actor *a, int64_t tube_id, box_rec *box, int *boxed,
                     result_list *results, fk_err *err);

/* Counts of one site or lab (see the contract). */
typedef struct flow_counts {
    int64_t id;
    char name[128];
    int waiting_pack, waiting_handover, in_transit, waiting_result, resulted;
    int negative, positive, invalid;
    int over_sample_to_lab, over_lab_to_result, late_to_lab, late_result;
} flow_counts;
typedef struct flow_report {
    int64_t now, sample_to_lab_h, lab_to_result_h;
    flow_counts *sites, *labs;
    size_t n_sites, n_labs;
} flow_report;

/* Tally rows (ordered by site) at `now` against limits in seconds; out owns arrays. */
int sample_flow_tally(const flow_row *rows, size_t n, int64_t now, int64_t sample_to_lab_s,
                      int64_t lab_to_result_s, flow_report *out, fk_err *err);
/* The flow of the filter (0 = any) at `now`, within the actor's area. */
int sample_flow_report(store *st, const policy *pol, const actor *a, int64_t round_id,
                       int64_t site_id, int64_t lab_id, int64_t now, flow_report *out,
                       fk_err *err);
void sample_flow_free(flow_report *r);

#endif
