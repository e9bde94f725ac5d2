/*
 * tracing.h - contact discovery as a service: the trace index of the data directory (for
 * the server, which keeps it in memory, and for `fangkong trace`) and discovery for a
 * registered case.
 *
 * The index (trace/trace.h) holds every record of the store: the stays (cells, and
 * venues from check-ins and interviews), the pings turned into presence by the policy's
 * trace_inputs.pings.max_gap_s, and the proximity detections. It is kept as a snapshot
 * file in the data directory (tracing_snapshot_path) whose marks say which records it
 * holds: the highest row id of stays, pings and detections (store_input_ids) and the
 * policy's ping gap. Getting a current index (tracing_index_current; the server on first
 * use, `fangkong trace` on every run): the snapshot mapped as it is when its marks equal
 * the store's ids; mapped and extended with the records after its marks when records
 * were only added; otherwise built from the whole store. New pings extend it when each
 * comes at or after its subject's last held ping (a ping's presence runs to the next
 * one, so such pings only add presence); an older one (late data) needs a build, since
 * it would change a piece the index holds. An index that was
 * extended or built is saved as the new snapshot. A snapshot that cannot be read or
 * written costs a build or a log line ("tracing" module), never the query.
 *
 * The server keeps its index in memory and extends it the same way when the store's ids
 * move (new imports). Queries share it under a read lock; a change takes the write lock,
 * so a query never sees a half-built index. A case's subjects are its person's phone,
 * resident ID number and person id: location data is keyed by whichever the source had.
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

/* The snapshot file of policy p's index in data_dir: DATA/trace-GAP.snap, one file per
 * ping gap (trace_inputs.pings.max_gap_s), since the presence made of pings depends on
 * it. 0, or -1 with the policy's error, or FK_EINVAL when the path would not fit in cap
 * bytes. */
int tracing_snapshot_path(const char *data_dir, const struct policy *p, char *out, size_t cap,
                          fk_err *err);

/* How tracing_index_current got its index. */
typedef enum tracing_from {
    TRACING_FROM_SNAPSHOT,   /* the snapshot was current: mapped, nothing read or built */
    TRACING_FROM_EXTENDED,   /* the snapshot mapped and extended with the newer records */
    TRACING_FROM_BUILT,      /* built from the whole store */
} tracing_from;
/* "snapshot", "extended" or "built". */
const char *tracing_from_name(tracing_from f);

typedef struct tracing_index_info {
    tracing_from from;
    int64_t ids[3];          /* the store_input_ids the index holds (its marks) */
    double save_seconds;     /* spent saving the new snapshot (0 when none was saved) */
} tracing_index_info;

/* A current index of every record of the store, by way of the snapshot at `snapshot`
 * (NULL or "" = none: built) as described at the top. *info (OUT) says how. NULL with
 * FK_EBUSY when out of memory, or the store's or policy's error; the caller frees the
 * index with trace_index_free (mapped or not). Safe to run in several processes at once
 * (each saves through its own temporary file). */
trace_index *tracing_index_current(store *st, const struct policy *p, const char *snapshot,
                                   tracing_index_info *info, fk_err *err);

tracing *tracing_new(const struct policy *p);
void tracing_free(tracing *t);
/* Keep the index as a snapshot file at `path` (tracing_snapshot_path): at first use the
 * server takes its index from it by tracing_index_current, and saves every index it
 * extends or builds there. NULL = none. */
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

/* The venues any of `subjects` (n of them) was at in [from, to), from the current index
 * (taken as discovery takes it), each through fn as trace_subject_venues calls it; a
 * venue may come once per subject. Runs under the index's read lock: fn must not call
 * back into t. 0, the first non-zero fn return, or -1 with err. */
int tracing_subject_venues(tracing *t, store *st, const char *const *subjects, size_t n,
                           int64_t from, int64_t to, trace_place_fn fn, void *ctx, fk_err *err);

#endif
