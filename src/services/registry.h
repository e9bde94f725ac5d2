/*
 * registry.h - the person and case registry service: the one path by which the HTTP
 * API, the CLI and importers read and change persons and cases.
 *
 * Each call: checks the actor's role (role.h) and jurisdiction (a community worker
 * only sees and changes persons of their own community), validates the record
 * (model/), writes through the store with the audit record in the same transaction,
 * and audits reads (get, list) with a separate append. Jurisdiction failures on a
 * single record read as FK_ENOTFOUND, so that existence outside one's area is not
 * disclosed. Thread safety: as the store handle passed in.
 */
#ifndef FK_SERVICES_REGISTRY_H
#define FK_SERVICES_REGISTRY_H

#include "services/actor.h"
#include "store/store.h"

int registry_person_create(store *st, const actor *a, person *p, fk_err *err);
/* As registry_person_create, but the person's health code is only touched: the caller runs
 * codes_recompute_touched (services/codes.h) before its unit ends, once for a whole batch
 * (the import of a persons file). */
int registry_person_create_deferred(store *st, const actor *a, person *p, fk_err *err);
int registry_person_update(store *st, const actor *a, person *p, fk_err *err);
int registry_person_get(store *st, const actor *a, int64_t id, person *out, fk_err *err);
/* f->area_prefix is narrowed to the actor's jurisdiction. */
int registry_person_list(store *st, const actor *a, person_filter *f, person_list *out,
                         fk_err *err);

int registry_case_create(store *st, const actor *a, epicase *c, fk_err *err);
/* The case of a positive screening test (初筛阳性): class screening_positive for the
 * person, from `source` (an epicase source) sampled on `sampling_date` (YYYY-MM-DD),
 * reported now; created through registry_case_create on behalf of the service that
 * found it, as the lab role (which may write cases) in a's area and name, audited.
 * *out the case (id and number filled). */
int registry_case_screening_positive(store *st, const actor *a, int64_t person_id,
                                     const char *source, const char *sampling_date,
                                     epicase *out, fk_err *err);
int registry_case_update(store *st, const actor *a, epicase *c, fk_err *err);
int registry_case_get(store *st, const actor *a, int64_t id, epicase *out, fk_err *err);
int registry_case_list(store *st, const actor *a, case_filter *f, case_list *out, fk_err *err);
int registry_case_transition(store *st, const actor *a, int64_t case_id, const char *to,
                             const char *note, case_transition *out, fk_err *err);
int registry_case_transitions(store *st, const actor *a, int64_t case_id, transition_list *out,
                              fk_err *err);

/* Masks name, ID number and phone in place unless the actor may see them in clear. */
void registry_mask_person(const actor *a, person *p);
/* Masks a name (cap bytes, NUL-terminated) in place unless the actor may see it in clear. */
void registry_mask_name(const actor *a, char *name, size_t cap);
/* The same for an ID number. */
void registry_mask_id_number(const actor *a, char *id_number, size_t cap);

#endif
