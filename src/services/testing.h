/*
 * testing.h - the mass-testing service (全员核酸), first slice: testing rounds over an
 * area and a time window, sampling sites with their teams, tube stock issued to a site,
 * persons scanned into pooled tubes, tubes closed, a person's testing history.
 *
 * Contract:
 *  - Permission: PERM_TESTING for rounds, sites, tubes and scans (command and lab: the
 *    lab's accounts are the samplers). Jurisdiction: a user with an area code works only
 *    rounds whose area lies within theirs, or sites and tubes of sites within it (others
 *    read as FK_ENOTFOUND); a round or site is created only inside it. Reading rounds
 *    (get, list) takes PERM_PERSON_READ only, for the rounds that concern the caller's
 *    area (over it or under it): community workers follow up a round's untested.
 *  - Tubes are printed stock: barcodes (tube.h's format) are issued to a site before
 *    use, as a list or as prefix + first + count; a barcode never issued is unknown.
 *    The first scan opens a tube with the pool size of that person's group (tube.h,
 *    from the policy's testing.pool_by_group); it closes itself when its last place
 *    fills, or by hand (an open tube only).
 *  - A scan names the person by id or by resident ID number (checksum validated). It is
 *    refused, changing nothing, with a message naming the field: barcode malformed or
 *    never issued, tube closed or full ("barcode"); round not open or outside its window
 *    ("round_id"); person unknown, outside the round's area, already scanned in the
 *    round (which tube, when), or pooled smaller than the tube ("person_id" or
 *    "id_number"). The checks, the scan and an automatic close run in one transaction.
 *  - Recheck rounds (kind recheck, opened by services/positives.c for a round with held
 *    persons): they take only persons with an open hold (FK_ECONFLICT naming the
 *    person's field otherwise), each in a single tube (pool group pool_retest).
 *  - Audit: every read of tubes and histories, every change, with its audit record in
 *    the same transaction.
 *  - Masking: members' names and ID numbers masked without PERM_UNMASKED.
 * Ownership: lists are the caller's (the *_list_free functions of store_testing.h).
 * Thread safety: as the store handle; the policy is read-only.
 */
#ifndef FK_SERVICES_TESTING_H
#define FK_SERVICES_TESTING_H

#include "policy/policy.h"
#include "services/actor.h"
#include "store/store.h"

#define TESTING_MAX_ISSUE 1000

int testing_round_create(store *st, const actor *a, round_rec *r, fk_err *err);
int testing_round_get(store *st, const actor *a, int64_t id, round_rec *out, fk_err *err);
int testing_round_list(store *st, const actor *a, const char *area, int limit, int offset,
                       round_list *out, fk_err *err);
/* planned > open > closed (or planned > closed); *out the round after. */
int testing_round_set_state(store *st, const actor *a, int64_t id, const char *state,
                            round_rec *out, fk_err *err);

/* A site of round `s->round_id`; area_code "" takes the round's. */
int testing_site_create(store *st, const actor *a, site_rec *s, fk_err *err);
int testing_site_list(store *st, const actor *a, int64_t round_id, int limit, int offset,
                      site_list *out, fk_err *err);

/* Issue n (1..TESTING_MAX_ISSUE) barcodes to site `site_id`, all or none. */
int testing_tubes_issue(store *st, const actor *a, int64_t site_id, const char *const *barcodes,
                        size_t n, fk_err *err);
/* A tube and (non-NULL) its members, masked per role. */
int testing_tube_get(store *st, const actor *a, const char *barcode, tube_rec *out,
                     member_list *members, fk_err *err);

typedef struct scan_request {
    int64_t person_id;     /* or 0 and: */
    const char *id_number; /* the resident ID number scanned from the card or code */
} scan_request;

/* Scan a person into the tube of `barcode` (see the contract); *tube is the tube after,
 * *m the new member row. */
int testing_scan(store *st, const policy *pol, const actor *a, const char *barcode,
                 const scan_request *r, tube_rec *tube, member_rec *m, fk_err *err);
/* Close an open tube by hand. */
int testing_tube_close(store *st, const actor *a, const char *barcode, tube_rec *out,
                       fk_err *err);
/* The tubes of a site in scope with their box and current result (store_site_tubes's
 * filters); audited as a read of the site's tubes. */
int testing_site_tubes(store *st, const actor *a, int64_t site_id, const char *state,
                       int unboxed, int limit, int offset, site_tube_list *out, fk_err *err);
/* Every sample of a person with its tube's current result (PERM_PERSON_READ and the
 * person in jurisdiction), and (holds non-NULL) every hold of the person, newest first
 * (services/positives.h), masked per role. */
int testing_person_samples(store *st, const actor *a, int64_t person_id, member_list *out,
                           hold_list *holds, fk_err *err);

#endif
