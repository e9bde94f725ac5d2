/*
 * tracing.h - contact discovery as a service of the running server: the trace index of
 * the data directory, kept in memory, and the contacts of a registered case.
 *
 * The index (trace/trace.h) is built from all stays in the store on first use and
 * rebuilt when the store's stays version has moved (new imports). Queries share it
 * under a read lock; a rebuild takes the write lock, so a query never sees a half-built
 * index. A case's subjects are its person's phone, resident ID number and person id:
 * location data is keyed by whichever the source had. Contacts that are the case's own
 * subjects are left out.
 *
 * Ownership: tracing_new borrows the policy (it must outlive the tracing); the caller
 * frees the tracing with tracing_free. Thread-safe.
 */
#ifndef FK_SERVICES_TRACING_H
#define FK_SERVICES_TRACING_H

#include "services/actor.h"
#include "store/store.h"
#include "trace/trace.h"

struct policy;
typedef struct tracing tracing;

/* A new index of the stays overlapping [from, to) (0 = open), read from the store in one
 * snapshot. NULL with FK_EBUSY when out of memory, or the store's error. The caller
 * frees it with trace_index_free. */
trace_index *tracing_load_index(store *st, int64_t from, int64_t to, fk_err *err);

tracing *tracing_new(const struct policy *p);
void tracing_free(tracing *t);

/* The time-space companions of case `case_id` in [from, to) (0 = defaults: the 14 days
 * before the report to one day after it), with evidence, sorted by contact then place.
 * Checks PERM_TRACE and the case's jurisdiction (through the registry, which audits the
 * read), and audits the discovery itself. FK_ECONFLICT when the policy in force does
 * not identify companions. */
int tracing_case_contacts(tracing *t, store *st, const actor *a, int64_t case_id, int64_t from,
                          int64_t to, trace_contact_list *out, fk_err *err);

#endif
