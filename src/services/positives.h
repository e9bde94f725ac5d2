/*
 * positives.h - what follows a lab result (阳性处置, issue 5): holds, single re-samples,
 * retest leads, screening-positive cases and the notices that tell the ground.
 *
 * Contract:
 *  - Follow-up (positives_follow_up): called by sample_results_followed_up() with the
 *    result rows just stored, inside the caller's unit of work (a failure rolls the
 *    whole recording back). Set-oriented: a handful of statements per recording over
 *    json_each of the rows' ids, whatever their number; only single positive tubes (a
 *    case each, through the registry) are handled one by one. Steps 1-6 read only the
 *    rows that can make any of them (store_results_to_follow: not negative, a
 *    correction, or a single tube's), one statement over every row choosing them; the
 *    health codes read every row. In order:
 *     1. A correction whose result differs from the row it replaces ends what that row
 *        made: the tube's open holds are released (note: the new result and the reason),
 *        a confirmation it made is released unless the tube stays positive, their open
 *        retest leads are closed; a positive single tube corrected away from positive
 *        tells the epidemiologists (result_corrected), the case is left to them.
 *     2. A positive pooled tube (size > 1, testing.positive_pool) holds every member in
 *        place at once (reason positive_pool), an invalid tube (testing.invalid) marks
 *        every member for re-sampling (reason invalid: the same record, a re-sample owed,
 *        not a stay-in-place order); each new hold gets a pool_retest lead in the
 *        person's community (deadlines: leads_deadlines, controlled_by within
 *        testing.positive_pool.retest_within_h; measure: leads_measure_for, "test", or
 *        testing.invalid.lead_measure for an invalid tube). A member already held for the
 *        same tube is not held twice. A positive pool notifies each audience of
 *        testing.positive_pool.notify in the site's area (pool_positive).
 *     3. Recheck rounds: the persons of round R were scanned in R once
 *        (one slot a person in the round's round_slots), so their single re-samples go into
 *        R's recheck round (kind recheck, parent_id R, R's area), opened by the first
 *        hold of R until now + retest_within_h, stretched by later holds while open. It
 *        takes only held persons, each into a single tube (pool group pool_retest).
 *     4. A negative single tube (any round) releases every open hold of its member made
 *        before the sample; their retest leads close by the lead machine's legal path
 *        (received > found > controlled with measure "other" > closed, each an event
 *        with the note).
 *     6. Last, once: a pooled tube whose holds of one result were all released, the last
 *        by this recording's single re-samples or their corrections (not by a correction
 *        of the pool's own result), notifies the audiences of testing.positive_pool.notify
 *        (pool_cleared): the pool was a false positive or the positive is elsewhere; the
 *        holds say which member ended how.
 *     5. A positive single tube (any round) is a case of testing.single_positive's class
 *        (screening_positive, via registry_case_screening_positive, audited), confirms
 *        the member's open holds (their leads stay open for control, with an event),
 *        and notifies testing.single_positive.notify (epidemiologist) in the person's
 *        community (screening_positive, naming the case number, never an ID number).
 *        Never twice for one tube: a tube that has had its notice makes no second case.
 *  - Reads: holds (PERM_TESTING or PERM_LEADS; the person's community within the
 *    caller's area; names and ID numbers masked without PERM_UNMASKED; audited).
 *    Notices: any role; the caller's role as audience (command: every audience), the
 *    notice's area within the caller's; newest first. Acknowledging needs the notice in
 *    that scope (FK_ENOTFOUND otherwise), once (FK_ECONFLICT "id"), audited.
 * Ownership: lists are the caller's (hold_list_free, notice_list_free).
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_POSITIVES_H
#define FK_SERVICES_POSITIVES_H

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

int positives_follow_up(store *st, const policy *pol, const actor *a, const result_rec *r,
                        size_t n, fk_err *err);
/* The same by the rows' ids alone (what follows reads the rows from the store);
 * corrections: whether any row replaces another (step 1 runs only then). */
int positives_follow_up_ids(store *st, const policy *pol, const actor *a, const int64_t *ids,
                            size_t n, bool corrections, fk_err *err);
/* The same for first results written in the caller's unit (an import's), their ids
 * from first to last (the health codes read that range), of which the caller lists those
 * the follow-up acts on (follow, in id order: a result other than negative, or a single
 * tube's, exactly as store_results_to_follow would find them; the caller read their
 * tubes in the same unit): the rows are not read again to find them (48,506 for a few
 * dozen, a tenth of a city's import, bench/testing). */
int positives_follow_up_run(store *st, const policy *pol, const actor *a, int64_t first,
                            int64_t last, const int64_t *follow, size_t nfollow, fk_err *err);

/* Holds of the filter (area_prefix narrowed to the caller's area). */
int positives_holds_list(store *st, const actor *a, const hold_filter *f, hold_list *out,
                         fk_err *err);
/* Mask a list of holds for the actor (names, ID numbers). */
void positives_mask_holds(const actor *a, hold_list *l);

int notices_list(store *st, const actor *a, int unacked, int limit, int offset,
                 notice_list *out, fk_err *err);
int notices_ack(store *st, const actor *a, int64_t id, notice_rec *out, fk_err *err);

#endif
