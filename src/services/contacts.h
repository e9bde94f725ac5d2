/*
 * contacts.h - the stored contacts of cases: what an epidemiologist does with them.
 * List a case's contacts, review one (confirm or dismiss, with a note), name people and
 * places from the case interview (流调), and read the transmission chains.
 *
 * Every call checks PERM_TRACE and the case's jurisdiction through the registry (which
 * audits the read of the case) and audits its own read or change. Names of linked
 * persons are masked for roles without PERM_UNMASKED.
 * Interview places are stored as presence of the case (stays, source "interview", a
 * venue to the engine) under the case person's ID number, so the next discovery finds
 * who else was there; interview people are contacts of kind "interview".
 *
 * Ownership: lists are the caller's (contact_rec_list_free, chain_edge_list_free).
 * Thread safety: as the store handle.
 */
#ifndef FK_SERVICES_CONTACTS_H
#define FK_SERVICES_CONTACTS_H

#include "services/actor.h"
#include "store/store.h"

int contacts_list(store *st, const actor *a, int64_t case_id, contact_rec_list *out,
                  fk_err *err);

/* status: "confirmed", "dismissed" or "proposed" (FK_EINVAL "status" otherwise);
 * note NULL keeps the contact's note. *out (OUT) is the contact after the change. */
int contacts_review(store *st, const actor *a, int64_t contact_id, const char *status,
                    const char *note, contact_rec *out, fk_err *err);

/* A person named in the interview: subject (phone, ID number or person id), where and
 * when (place may be "", at 0 = unknown: the report time), a note. FK_EINVAL naming the
 * field for an empty or over-long subject or place. */
int contacts_name(store *st, const actor *a, int64_t case_id, const char *subject,
                  const char *place, int64_t at, const char *note, contact_rec *out,
                  fk_err *err);

/* A place of the case's trajectory over [start, end). FK_EINVAL naming the field. */
int contacts_trajectory(store *st, const actor *a, int64_t case_id, const char *place,
                        int64_t start, int64_t end, fk_err *err);

/* The chains within the caller's jurisdiction (store_chain_edges) and the cases they
 * join (*nodes, by id; names masked as above). */
int contacts_chains(store *st, const actor *a, chain_edge_list *out, case_list *nodes,
                    fk_err *err);
void chain_edge_list_free(chain_edge_list *l);

#endif
