/*
 * leads.h - the leads service (推送、排查、管控): push the contacts of a case to the
 * ground as leads, create one by hand, list and read them, move them through their
 * states (model/lead.h) and escalate the overdue ones.
 *
 * Contract:
 *  - Push (leads_push_case): the case's stored contacts (needs PERM_TRACE as well as
 *    PERM_LEADS, and the case in the caller's jurisdiction) become leads: degree 1 ->
 *    close_contact, degree 2 -> secondary_contact. Dismissed contacts are skipped, and
 *    so is a subject that already has a lead for the case (one lead per subject and
 *    case; pushing twice adds nothing). A contact linked to a registered person gets
 *    that person and their community as area; one without keeps its subject and takes
 *    the case's community. All the leads of one push are one transaction.
 *  - Deadlines come from the policy at push time (tracing.time_limits_h): found_by =
 *    pushed + assist_located; controlled_by = pushed + close_contacts_isolated for a
 *    close contact, secondary_contacts_isolated for a secondary one,
 *    testing.positive_pool.retest_within_h for a pool_retest, assist_controlled for the
 *    other kinds; closed_by = pushed + pushed_list_closed. The measure required
 *    is the first phase of the kind's measures in the policy (measures.close_contact,
 *    measures.secondary_contact, measures.high_risk_area_stay for travelers); retests
 *    and missed tests require a test ("test").
 *  - Scope: PERM_LEADS for everything; a user with an area code sees and changes only
 *    leads whose area_code starts with it (others read as FK_ENOTFOUND). Names, phones
 *    and subjects are masked for roles without PERM_UNMASKED.
 *  - Audit: every list and read is audited (entity "lead"); every change carries its
 *    audit record and a lead_events row in the same transaction; a push is one change,
 *    one audit record naming the consecutive ids it made; an escalation sweep is one
 *    change whose audit records (one, unless its ids are too scattered for one detail)
 *    name every lead raised as "escalated N leads: level F->T (name) ids a-b,c; ...".
 *  - Moves: leads_change refuses an illegal move with FK_ECONFLICT naming "state", a
 *    missing measure with FK_EINVAL naming "measure_taken"; a refused call changes
 *    nothing.
 *  - Escalation (leads_escalate): every open lead whose current deadline passed before
 *    `now` shows lead_escalation_target() (one level per missed deadline step, capped
 *    at command) when that is above its level; levels never go down, so running it
 *    again at the same time changes nothing. The level is derived from the deadlines
 *    and the sweep clock (migration 0022): the sweep moves the clock and writes one
 *    notice per unit and new level, not a row per lead raised (store_leads.h,
 *    store_lead_escalate_page). The notice's note names the unit and official the
 *    responsibility matrix has for function leads at the new level
 *    (services/accountability.h); reads fill resp_unit and resp_official the same way
 *    for the lead's current level. One transaction; a sweep with nothing to raise is
 *    the clock row and the owed leads' index read, and takes no write lock.
 * Ownership: lists are the caller's (lead_list_free, lead_event_list_free).
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_LEADS_H
#define FK_SERVICES_LEADS_H

#include <stdbool.h>

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

/* The three deadlines of a lead of `kind` pushed at `pushed_at` (OUT: out). FK_EINVAL
 * naming the policy path when the policy lacks one. */
int leads_deadlines(const policy *pol, const char *kind, int64_t pushed_at,
                    int64_t out[LEAD_STEPS], fk_err *err);
/* The measure a lead of `kind` requires, into out (cap bytes). */
int leads_measure_for(const policy *pol, const char *kind, char *out, size_t cap, fk_err *err);

/* Push the case's contacts; *created (OUT) holds the new leads (masked). */
int leads_push_case(store *st, const policy *pol, const actor *a, int64_t case_id,
                    lead_list *created, fk_err *err);
/* The same for batch callers that need no echo: the new leads' ids are first..last
 * (consecutive; last < first when none were new). */
int leads_push_case_ids(store *st, const policy *pol, const actor *a, int64_t case_id,
                        int64_t *first, int64_t *last, fk_err *err);

/* One lead by hand. In: kind; person_id or subject (a subject matching a registered
 * person links it); case_id optional; area_code optional (the person's community, else
 * the case's; required when neither is known; within the caller's jurisdiction);
 * measure_required optional (the policy's for the kind); assignee optional (an
 * existing user); pushed_at optional (0 = now; never in the future: a lead received
 * from elsewhere keeps the time it was pushed). On success *l is the stored lead. */
int leads_create(store *st, const policy *pol, const actor *a, lead_rec *l, fk_err *err);

/* The area filter is narrowed to the caller's jurisdiction (none outside it). */
int leads_list(store *st, const actor *a, const lead_filter *f, lead_list *out, fk_err *err);
/* Every lead of the filter (narrowed as leads_list; limit and offset ignored), masked and
 * with its responsible named as the list shows it, to fn in the list's order, in one read
 * snapshot; audited once as an export (the filter and how many in the detail). */
int leads_export(store *st, const actor *a, const lead_filter *f, lead_fn fn, void *ctx,
                 fk_err *err);
/* The lead and (events non-NULL) its history, oldest first. */
int leads_get(store *st, const actor *a, int64_t id, lead_rec *out, lead_event_list *events,
              fk_err *err);

/* A change asked for: any of state, measure_taken (only with state controlled), note,
 * assignee (an existing user; "" clears it). NULL = not given. A change without state
 * records an event in the same state (an assignment, a note). */
typedef struct lead_change {
    const char *state, *measure_taken, *note, *assignee;
} lead_change;
int leads_change(store *st, const actor *a, int64_t id, const lead_change *c, lead_rec *out,
                 fk_err *err);

/* Escalate as of `now` on behalf of `a` (the CLI operator, or the system sweep: any
 * actor; jurisdiction is not applied, escalation is the city's). *raised (OUT) counts
 * the leads raised. */
int leads_escalate(store *st, const actor *a, int64_t now, int *raised, fk_err *err);

/* Is the lead past the deadline of its state at `now`? */
bool leads_overdue(const lead_rec *l, int64_t now);

#endif
