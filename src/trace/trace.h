/*
 * trace.h - the contact discovery engine: an in-memory columnar index of presence and
 * the rules that turn co-presence into contacts (流调溯源).
 *
 * Input is presence: a subject (phone, resident ID number or person id, kept as given)
 * in a place (a grid cell or a venue code) over [start, end) in Unix seconds, and
 * pairwise proximity detections (Bluetooth, RFID badges): subjects a and b were close
 * during the `interval` seconds ending at t. A place is a VENUE when any of its stays
 * came from venue-code check-ins or a case interview (source "checkins"/"interview");
 * every other place is a grid cell. The index
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
 * Venue contact (场所 co-presence, a close-contact situation): at a venue, the case and
 * the subject overlapped for >= min_overlap_s within the case's infectious window; no
 * dwell rule. Companions are looked for in grid cells only.
 * Proximity contact: detections of one pair no more than `interval_s` apart form one
 * event covering [first - interval_s, last); the events' seconds inside the window,
 * summed, must reach min_s.
 *
 * Ownership: trace_index_build copies what it needs (the caller's array may be freed);
 * the index is immutable after build and may be queried from many threads at once.
 * Threads: a build (trace_builder_finish, trace_index_extend) sorts and fills its
 * columns on every online core (base/parallel.h; FK_THREADS=N sets how many), and
 * returns when they are done; the calls themselves are not to be shared between
 * threads (one builder, one caller).
 * An index can also be saved to a file, memory-mapped back instead of rebuilt, and
 * extended with new records (below, "snapshot and extension").
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
    const char *source;      /* the import kind that brought it; NULL = "stays" */
} trace_stay;

/* Where a record came from, as bits kept per place and reported as evidence. */
enum trace_source {
    TRACE_SRC_STAYS = 1 << 0,
    TRACE_SRC_PINGS = 1 << 1,
    TRACE_SRC_CHECKINS = 1 << 2,  /* a venue */
    TRACE_SRC_INTERVIEW = 1 << 3, /* a venue */
    TRACE_SRC_DEMO = 1 << 4,
    TRACE_SRC_OTHER = 1 << 5,
};
#define TRACE_SRC_VENUE (TRACE_SRC_CHECKINS | TRACE_SRC_INTERVIEW)

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
/* One proximity detection: a and b (distinct, non-empty, at most 63 bytes) were close
 * during the interval ending at t (0 <= t <= 9999-12-31). Errors as trace_builder_add. */
int trace_builder_add_detection(trace_builder *b, const char *a, const char *bsubj, int64_t t,
                                fk_err *err);
trace_index *trace_builder_finish(trace_builder *b, fk_err *err);
void trace_builder_free(trace_builder *b);
/* Stays given to the build, plus those given to every extension since (duplicates and
 * intervals merged away included: the count of input records, not of column rows). */
size_t trace_index_records(const trace_index *ix);
size_t trace_index_detections(const trace_index *ix);

/* ---- snapshot and extension (snapshot.c, extend.c) ----
 *
 * trace_index_save writes ix to `path` atomically: to a temporary file of its own
 * (path.tmp.PID), fsync, rename over path, fsync the directory; a crash leaves the old
 * file or the new one, never a mix (a stale temporary may remain). Two processes may save
 * the same path at once (the server and a `fangkong trace`): each writes its own
 * temporary, and the last rename wins whole. `m` (may be NULL: all zero) is kept in the
 * header and returned by open: the caller's record of what the index holds (below).
 * 0, or -1 with FK_EIO naming the path and the system error. ix is only read.
 *
 * trace_index_open maps the file read-only and returns an index whose arrays point
 * into the mapping (nothing is copied). It refuses, with FK_EINVAL and a message
 * naming the path, a file that is too short, not a snapshot (magic), of another byte
 * order or format (format 1, which had no marks, included), whose counts do not match
 * its size, whose checksum does not match, or whose arrays are inconsistent (an offset
 * or id out of range): it never crashes on a bad file and never answers from one. FK_EIO
 * when the file cannot be opened or mapped. The whole file is read once at open
 * (checksum). *m (OUT, may be NULL; untouched on failure): the marks it was saved with.
 * The mapped index is immutable and may be queried from many threads at once, like a
 * built one; trace_index_free unmaps it. The file must not be truncated or rewritten in
 * place while mapped; trace_index_save never does that (it replaces the file by rename,
 * and a mapping keeps the old file alive until it is freed).
 *
 * trace_index_extend builds a NEW index holding base's records and those added to
 * `more` (stays and detections): queries on it answer exactly as on an index built
 * from all the records at once (names, merged intervals, venue/cell sources of places,
 * proximity). base is only read (built or mapped; the caller still owns and frees it,
 * and may keep querying it meanwhile); `more` is consumed (freed) in every case.
 * NULL with FK_EINVAL for a missing argument or FK_EBUSY when out of memory. Records
 * are checked as they are added to `more` (trace_builder_add). */

/* The marks of a snapshot: which inputs the index holds, so that a later process can
 * tell whether the file is current and, if not, which records to extend it with. The
 * trace module only stores and returns them. services/tracing.c puts there the highest
 * store row id of each input table the index was built from, and in `version` what else
 * the index depends on (the policy's ping gap). */
typedef struct trace_snapshot_marks {
    uint64_t version;
    uint64_t stays, pings, detections;
} trace_snapshot_marks;

int trace_index_save(const trace_index *ix, const char *path, const trace_snapshot_marks *m,
                     fk_err *err);
trace_index *trace_index_open(const char *path, trace_snapshot_marks *m, fk_err *err);
trace_index *trace_index_extend(const trace_index *base, trace_builder *more, fk_err *err);
/* Bytes the index holds (columns, pair tables, interned names and their hash table),
 * for memory reports and benchmarks. */
size_t trace_index_bytes(const trace_index *ix);

/* One row of evidence: the contact `subject` met the case in `place`. */
typedef struct trace_contact {
    char subject[64];
    char kind[16];           /* companion, venue, proximity, household, interview */
    char place[32];          /* "" for proximity and household */
    int64_t first_overlap;   /* start of the first overlap within the window */
    int64_t overlap_s;       /* cumulative overlap within the window */
    char source[40];         /* data sources of the evidence, e.g. "checkins", "stays+pings" */
    int degree;              /* 1 close contact or companion; 2 secondary (set by services) */
    char via[64];            /* degree 2: the close contact it came through */
} trace_contact;

typedef struct trace_contact_list { trace_contact *items; size_t n; } trace_contact_list;

/* The time-space companions of `case_subject` in [from, to), one row per (contact,
 * place) that meets the rule, sorted by contact then place. An unknown case subject
 * gives an empty list. A row needs an overlap > 0 as well as >= min_overlap_s.
 * FK_EINVAL for from >= to (field "to") or negative rules; FK_EBUSY out of memory.
 * *out (OUT) is always initialised; free it with trace_contact_list_free. */
int trace_companions(const trace_index *ix, const char *case_subject, int64_t from, int64_t to,
                     const trace_rules *r, trace_contact_list *out, fk_err *err);

/* The venue contacts of `case_subject` in [from, to): one row per (contact, venue) with a
 * cumulative overlap >= min_overlap_s (and > 0), sorted by contact then venue. Errors and
 * ownership as trace_companions. */
int trace_venue_contacts(const trace_index *ix, const char *case_subject, int64_t from,
                         int64_t to, int64_t min_overlap_s, trace_contact_list *out, fk_err *err);

/* The proximity contacts of `case_subject` in [from, to): one row per contact whose
 * events (see the top) give >= min_s seconds (and > 0) inside the window, sorted by
 * contact; first_overlap is the first event second inside the window. FK_EINVAL for
 * interval_s <= 0, negative min_s or from >= to. */
int trace_proximity_contacts(const trace_index *ix, const char *case_subject, int64_t from,
                             int64_t to, int64_t interval_s, int64_t min_s,
                             trace_contact_list *out, fk_err *err);

/* The venues (check-ins, interviews) `subject` was at in [from, to): fn(place, ctx) once
 * per venue, in place order; the name lives as long as the index. fn's non-zero return
 * stops the walk and is returned. An unknown subject calls nothing. */
typedef int (*trace_place_fn)(const char *place, void *ctx);
int trace_subject_venues(const trace_index *ix, const char *subject, int64_t from, int64_t to,
                         trace_place_fn fn, void *ctx);

/* Append l's rows to out (moved; l is emptied). 0, or -1 with FK_EBUSY. */
int trace_contact_list_append(trace_contact_list *out, trace_contact_list *l, fk_err *err);
void trace_contact_list_free(trace_contact_list *l);

#endif
