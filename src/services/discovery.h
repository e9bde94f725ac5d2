/*
 * discovery.h - the contacts of one case (流调溯源), every kind, with their evidence:
 * the rules of the policy applied over the trace index and the registry.
 *
 * What a discovery finds, for a case known by its subjects (phone, resident ID number,
 * person id; and the person, when registered):
 *   companion  time-space companions in grid cells (trace_companions) within the
 *              companion window, when the policy identifies them;
 *   venue      co-presence at a venue >= close_contact.min_copresence_s within the
 *              infectious window;
 *   proximity  proximity events >= close_contact.min_proximity_s within it;
 *   household  the other members of the case's household (the registry);
 *   interview  the people the epidemiologist named in the case's interview (stored
 *              contacts of kind interview, store.h);
 *   degree 2   with secondary_contact.identified: the household, venue and proximity
 *              contacts of each close contact (every kind but companion), from that
 *              contact's first exposure to the case (the earliest over its close-contact
 *              rows) until the end of the window (the
 *              time the contact was put under control, once isolation records exist:
 *              issue 4). A secondary contact that is also a close contact, or the case,
 *              is left out.
 * Rows are sorted by (degree, contact, kind, place, via); a (contact, kind, place, via)
 * found under several of the case's subjects is one row, with the larger overlap.
 * The case's own subjects never appear as contacts.
 *
 * Ownership: the caller owns the index, the store handle and the list (free it with
 * trace_contact_list_free). Thread safety: as the store handle; the index is only read.
 */
#ifndef FK_SERVICES_DISCOVERY_H
#define FK_SERVICES_DISCOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"
#include "trace/trace.h"

struct policy;

typedef struct discovery_rules {
    bool companions;              /* companion.enabled */
    trace_rules companion;        /* valid when companions */
    int64_t min_copresence_s;     /* close_contact.min_copresence_s */
    int64_t min_proximity_s;      /* close_contact.min_proximity_s */
    int64_t proximity_interval_s; /* trace_inputs.proximity.interval_s */
    int64_t days_before_onset;    /* close_contact.days_before_onset */
    int64_t days_before_sample;   /* close_contact.days_before_sample_asymptomatic */
    bool secondary;               /* secondary_contact.identified */
} discovery_rules;

/* Read the rules from the policy; FK_EINVAL naming the missing or bad key. */
int discovery_rules_from_policy(const struct policy *p, discovery_rules *out, fk_err *err);

#define DISCOVERY_MAX_SUBJECTS 3

typedef struct discovery_case {
    char subjects[DISCOVERY_MAX_SUBJECTS][64]; /* "" = unused */
    int64_t person_id;            /* 0: not a registered person */
    int64_t household_id;         /* 0: none */
    int64_t case_id;              /* 0: not a registered case (no interview contacts) */
    int64_t from, to;             /* the infectious window: venue, proximity, household */
    int64_t comp_from, comp_to;   /* the companion window */
    bool secondary;               /* also degree 2 (when the policy identifies them) */
} discovery_case;

/* Fill c's subjects and person from a subject as given: when it names a registered
 * person (phone, ID number or id), that person's three subjects; otherwise the subject
 * alone. 0, or -1 with a store error. */
int discovery_case_from_subject(store *st, const char *subject, discovery_case *c, fk_err *err);

/* The registered person a subject names: exact phone or ID number, else a number of
 * at most 9 digits as a person id. 1 found (*out filled), 0 none, -1 store error. */
int discovery_person_of_subject(store *st, const char *subject, person *out, fk_err *err);

/* The subjects and household of person p into c (windows untouched). */
void discovery_case_from_person(const person *p, discovery_case *c);

/* The infectious window of case k under the rules: from the onset date (or, without one,
 * the sampling date) minus the policy's days, at 00:00 China time, until `until`.
 * FK_EINVAL when the dates are unreadable. */
int discovery_infectious_window(const epicase *k, const discovery_rules *r, int64_t until,
                                int64_t *from, int64_t *to, fk_err *err);

/* Discover. FK_EINVAL for empty windows; store and memory errors as they come.
 * *out is always initialised. */
int discovery_run(const trace_index *ix, store *st, const discovery_rules *r,
                  const discovery_case *c, trace_contact_list *out, fk_err *err);

#endif
