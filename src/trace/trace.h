/*
 * trace.h - the contact discovery engine: an in-memory columnar index of presence and
 * the rules that turn co-presence into contacts (流调溯源).
 *
 * Input is presence: a subject (phone, resident ID number or person id, kept as given)
 * in a place (a grid cell or a venue code) over [start, end) in Unix seconds. The index
 * interns subjects and places to dense integer ids and keeps the records as columns
 * sorted by (place, start), with per-place offsets, and per (subject, place) merged
 * intervals, so that a query touches only the places the case visited and never scans
 * all data.
 *
 * Rules come from the policy (trace_rules_from_policy), never from constants here.
 * Time-space companion (时空伴随): in one place, the case and the subject were both
 * present for a cumulative overlap >= min_overlap_s within the query window [from, to),
 * and at least one of the two spent >= dwell_s in that place during the lookback_s
 * seconds before `to`. Intervals of one subject in one place are merged before anything
 * is summed.
 *
 * Ownership: trace_index_build copies what it needs (the caller's array may be freed);
 * the index is immutable after build and may be queried from many threads at once.
 * Result lists are heap arrays freed with trace_contact_list_free.
 */
#ifndef FK_TRACE_TRACE_H
#define FK_TRACE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct policy;

typedef struct trace_stay {
    const char *subject;
    const char *place;
    int64_t start, end;      /* [start, end), start < end */
} trace_stay;

typedef struct trace_rules {
    int64_t min_overlap_s;   /* companion.min_overlap_s (600 in v9 with Chengdu's rule) */
    int64_t dwell_s;         /* companion.dwell_s (108000) */
    int64_t lookback_s;      /* companion.lookback_days x 86400 (14 days) */
} trace_rules;

/* Read the companion rule from the policy; FK_EINVAL naming the key when missing, or
 * FK_ECONFLICT when the policy in force does not identify companions (companion.enabled
 * false). */
int trace_rules_from_policy(const struct policy *p, trace_rules *out, fk_err *err);

typedef struct trace_index trace_index;

/* Build the index from n stays. FK_EINVAL (field "start"/"end"/"subject"/"place") for a
 * record with end <= start or an empty subject or place; FK_EBUSY when out of memory.
 * Also refused with FK_EINVAL: a subject over 63 bytes or a place over 31 (they must fit
 * a trace_contact), a start before 0 or a time after 9999-12-31 (field named, message
 * "stay I: ..."). One bad record refuses the whole batch. */
trace_index *trace_index_build(const trace_stay *stays, size_t n, fk_err *err);
void trace_index_free(trace_index *ix);

/* The same, one stay at a time (for callers that stream records from a store):
 * trace_builder_add checks and interns one stay (errors as trace_index_build; the
 * builder stays usable); trace_builder_finish builds the index and frees the builder
 * in every case. */
typedef struct trace_builder trace_builder;
trace_builder *trace_builder_new(void);
int trace_builder_add(trace_builder *b, const trace_stay *s, fk_err *err);
trace_index *trace_builder_finish(trace_builder *b, fk_err *err);
void trace_builder_free(trace_builder *b);
size_t trace_index_records(const trace_index *ix);
/* Bytes the index holds (columns, pair tables, interned names and their hash table),
 * for memory reports and benchmarks. */
size_t trace_index_bytes(const trace_index *ix);

/* One row of evidence: the contact `subject` met the case in `place`. */
typedef struct trace_contact {
    char subject[64];
    char kind[16];           /* "companion" here; later "venue", "proximity", ... */
    char place[32];
    int64_t first_overlap;   /* start of the first overlap within the window */
    int64_t overlap_s;       /* cumulative overlap within the window */
} trace_contact;

typedef struct trace_contact_list { trace_contact *items; size_t n; } trace_contact_list;

/* The time-space companions of `case_subject` in [from, to), one row per (contact,
 * place) that meets the rule, sorted by contact then place. An unknown case subject
 * gives an empty list. A row needs an overlap > 0 as well as >= min_overlap_s.
 * FK_EINVAL for from >= to (field "to") or negative rules; FK_EBUSY out of memory.
 * *out (OUT) is always initialised; free it with trace_contact_list_free. */
int trace_companions(const trace_index *ix, const char *case_subject, int64_t from, int64_t to,
                     const trace_rules *r, trace_contact_list *out, fk_err *err);
void trace_contact_list_free(trace_contact_list *l);

#endif
