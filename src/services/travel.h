/*
 * travel.h - traveler screening (外防输入) and checkpoint scans (卡口): risk-area list
 * versions of other regions, arrival registrations (落地登记), itinerary records, and the
 * match that turns a traveler from a risk area into a lead of kind 'traveler'.
 *
 * Contract:
 *  - Versions: each import of a source is a full snapshot of that source; matching uses
 *    the newest version of every source (the sources add up). A version is never
 *    changed or deleted.
 *  - Matching (model/travel.h for the place, time and window rules): an arrival's stays
 *    are its own origin (from_region, from_area, up to the arrival) and the person's
 *    itinerary records inside the window. The strictest level matched makes one lead for
 *    the arrival's destination community, kind 'traveler', measure_required the first
 *    phase kind of the level's cohort (measures.high_risk_area_stay, ...), or "test" for
 *    a cohort with only a clearance (v9's low tier: 2 tests in 3 days), deadlines as the
 *    leads service gives a traveler (tracing.time_limits_h: assist_located,
 *    assist_controlled, pushed_list_closed). A cohort that does not apply, has no
 *    lookback_days, or requires nothing on arrival (m20's low tier) makes no lead.
 *    Matching runs at registration (arrival, itinerary record, inbound scan) and, for
 *    every arrival of the last max(lookback_days) days, when a new list version arrives.
 *    Idempotent: one lead per arrival and level (the store's unique index); a stricter
 *    level found later makes its own lead, a laxer one nothing.
 *  - Hook: travel_leads_changed runs inside the same transaction after traveler leads
 *    are created (here) or closed (services/leads.c).
 *  - Scope: PERM_TRAVEL to register and read; reads of arrivals are narrowed to the
 *    caller's jurisdiction by the destination community and masked without
 *    PERM_UNMASKED. Checkpoints: created with PERM_TRAVEL in jurisdiction; a scan needs
 *    PERM_CHECKPOINT and the checkpoint's area in the caller's jurisdiction.
 *  - A refused call changes nothing; every change is one transaction with its audit.
 * Ownership: lists are the caller's (the store's *_list_free). Thread safety: as the store
 * handle; the policy is read-only.
 */
#ifndef FK_SERVICES_TRAVEL_H
#define FK_SERVICES_TRAVEL_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

/* The leads one registration made (at most one per level). */
typedef struct travel_leads {
    int64_t ids[TRAVEL_LEVELS];
    char level[TRAVEL_LEVELS][8];
    char measure[TRAVEL_LEVELS][32];
    char test_days[TRAVEL_LEVELS][64];
    size_t n;
} travel_leads;

/* The policy's screening rules (applies, lookback_days per level, utc offset). */
int travel_rules_from_policy(const policy *pol, travel_rules *out, fk_err *err);

/* A new version of `l->source` with rows[n] (checked by the caller row by row); then
 * every recent arrival is matched again. Joins the caller's transaction. *made (OUT)
 * counts the leads made. */
int travel_list_publish(store *st, const policy *pol, const actor *a, risk_list_rec *l,
                        risk_area_rec *rows, size_t n, size_t *made, fk_err *err);

/* Register an arrival (person_id or id_number into id_number; community_code "" = the
 * person's; arrived_at 0 = now; source "" = api) and match it. */
int travel_arrival_register(store *st, const policy *pol, const actor *a, arrival_rec *r,
                            const char *id_number, travel_leads *made, fk_err *err);
/* The checks of a registration alone (the imports check each row with them): person
 * resolved into r->person_id, defaults filled; FK_EINVAL / FK_EREF / FK_EFORBIDDEN
 * naming the field. */
int travel_arrival_check(store *st, const actor *a, arrival_rec *r, const char *id_number,
                         fk_err *err);
int travel_itinerary_check(store *st, const actor *a, itinerary_rec *r, const char *id_number,
                           fk_err *err);
/* Record an itinerary stay and match the person's recent arrivals again. */
int travel_itinerary_record(store *st, const policy *pol, const actor *a, itinerary_rec *r,
                            const char *id_number, travel_leads *made, fk_err *err);

int travel_arrivals_list(store *st, const actor *a, const arrival_filter *f,
                         arrival_list *out, fk_err *err);
int travel_lists(store *st, const actor *a, risk_list_list *out, fk_err *err);
int travel_list_get(store *st, const actor *a, int64_t id, risk_list_rec *out,
                    risk_area_list *rows, fk_err *err);

int travel_checkpoint_create(store *st, const actor *a, checkpoint_rec *c, fk_err *err);
int travel_checkpoints_list(store *st, const actor *a, checkpoint_list *out, fk_err *err);

/* A scan's request: exactly one of id_number, person_id, token. */
/* The itinerary card a gate reads beside the health code (双码联查): where the person
 * arrived from or stayed within the policy's health_code.itinerary_card.days before the
 * scan (store_person_journeys), and star when any of it matched a risk area (行程卡带星).
 * days 0: the policy has no card (none filled). Free journeys with journey_list_free. */
typedef struct itinerary_card {
    int days;
    bool star;
    journey_list journeys;
} itinerary_card;

typedef struct travel_scan_in {
    const char *id_number, *token, *direction, *from_region;
    int64_t person_id, at;    /* at 0 = now */
} travel_scan_in;
/* The person a scan names (the one place the token branch goes in). */
int travel_scan_person(store *st, const travel_scan_in *in, int64_t *person_id /* OUT */,
                       fk_err *err);
/* Record a scan at checkpoint cp: the scan, an arrival for an inbound scan with
 * from_region (and its matching), a stay at the checkpoint for tracing (subject the
 * person id, place "cp:<id>", trace_inputs.checkins.default_dwell_s long) and, with card
 * non-NULL, the person's itinerary card read (audited as itinerary_card), one
 * transaction. */
int travel_scan(store *st, const policy *pol, const actor *a, int64_t cp,
                const travel_scan_in *in, scan_rec *out, travel_leads *made,
                itinerary_card *card, fk_err *err);

/* THE HOOK: runs inside the transaction after traveler leads of these persons were
 * created or closed by `a`. Health codes recompute the persons here; the colour log names
 * `a` as the operator. */
int travel_leads_changed(store *st, const actor *a, const int64_t *person_ids, size_t n,
                         fk_err *err);

#endif
