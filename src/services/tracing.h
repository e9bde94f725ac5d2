/*
 * tracing.h - contact discovery as a service of the running server: the trace index of
 * the data directory, kept in memory, and discovery for a registered case.
 *
 * The index (trace/trace.h) is built from all stays in the store on first use; when the
 * store's version has moved (new imports) it is extended with the new stays and
 * detections (trace_index_extend), or rebuilt when pings arrived. Queries share it
 * under a read lock; a rebuild takes the write lock, so a query never sees a half-built
 * index. A case's subjects are its person's phone, resident ID number and person id:
 * location data is keyed by whichever the source had. The index holds the stays (cells,
 * venues) and the proximity detections.
 *
 * Ownership: tracing_new borrows the policy (it must outlive the tracing); the caller
 * frees the tracing with tracing_free. Thread-safe.
 */
#ifndef FK_SERVICES_TRACING_H
#define FK_SERVICES_TRACING_H

#include <stdbool.h>

#include "services/actor.h"
#include "store/store.h"
#include "trace/trace.h"

struct policy;
typedef struct tracing tracing;

/* A new index of the presence overlapping [from, to) (0 = open): the stays (cells, and
 * venues from check-ins and interviews), the pings turned into presence by the
 * policy's trace_inputs.pings.max_gap_s, and the proximity detections. NULL with
 * FK_EBUSY when out of memory, or the store's or policy's error. The caller frees it
 * with trace_index_free. */
trace_index *tracing_load_index(store *st, const struct policy *p, int64_t from, int64_t to,
                                fk_err *err);

tracing *tracing_new(const struct policy *p);
void tracing_free(tracing *t);
/* Keep the index as a snapshot file (trace/trace.h) at `path`: mapped instead of rebuilt
 * when the server starts on unchanged data, rewritten after each rebuild. NULL = none. */
void tracing_set_snapshot(tracing *t, const char *path);

/* Discover the contacts of case `case_id` (services/discovery.h) and store them: new
 * rows as proposed, known rows with their evidence refreshed and their review kept; each
 * row linked to the person its subject names. Windows: [from, to) when given (0 = not
 * given) for every kind; otherwise the infectious window by the policy (until now) and
 * for companions the 14 days before the report to one day after it (tracing_opts). Checks PERM_TRACE and the case's jurisdiction (through the registry,
 * which audits the reads), audits the discovery. *out (OUT) is the case's stored list. */
typedef struct tracing_opts {
    int64_t from, to;        /* 0, 0: the policy's windows */
    bool secondary;          /* degree 2 as well */
    bool no_companions;      /* leave companions out even when the policy has them */
} tracing_opts;
int tracing_discover(tracing *t, store *st, const actor *a, int64_t case_id,
                     const tracing_opts *o, contact_rec_list *out, fk_err *err);

#endif
