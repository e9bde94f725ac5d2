/*
 * import.h - bulk import of CSV files (persons, cases, areas, ...) through the registry.
 *
 * Contract of import_file, all or nothing:
 *   1. Check: the file (at most IMPORT_MAX_FILE bytes) is read once, streaming. The
 *      header must name only known columns, each once, and every required column.
 *      Every data row is checked: field count, field size (IMPORT_MAX_FIELD bytes),
 *      UTF-8, format (model/ validation), references (household, community, person,
 *      parent area: looked up in the store, or for areas defined by an earlier good
 *      row of the same file), duplicates within the file and against the store.
 *      Nothing is written in this pass.
 *   2. Write: only if no row is bad, or opts->rejects_path is set (then the bad rows
 *      go to that CSV file with an extra "error" column, and the good rows are
 *      imported). The file is read a second time and every good row is written in ONE
 *      store transaction through registry_* (so each insert is permission-checked
 *      and audited with the actor), followed by one "import" audit record. Any
 *      failure rolls the whole transaction back.
 *
 * Row numbers are CSV record numbers with the header as row 1 (csv_reader.h).
 * The HTTP API calls import_file on an upload spooled to a temporary file (the file is
 * read twice). import_file never prints; the report carries every problem.
 *
 * Kinds: a table (import_kinds) of column spec, row parser, duplicate key and insert
 * function. A new kind adds one entry and its functions; the driver does not change.
 * The column spec is shared with export.c, so what export writes, import reads.
 *
 * Ownership: the caller owns the report and frees it with import_report_free().
 * Thread safety: as the store handle (one thread at a time per handle).
 */
#ifndef FK_IO_IMPORT_H
#define FK_IO_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "services/actor.h"
#include "store/store.h"

#define IMPORT_MAX_FILE ((int64_t)512 << 20) /* bytes */
#define IMPORT_MAX_FIELD 1024                /* bytes of one field */
#define IMPORT_MAX_REPORTED 1000             /* problems kept in a report */

/* ---- the report --------------------------------------------------------------------- */
typedef struct import_bad {
    size_t row;          /* 1-based, header = 1 */
    char field[64];      /* column name, "" when the whole row is concerned */
    char message[256];   /* without the row and field prefix */
} import_bad;

typedef struct import_report {
    size_t rows;         /* data rows read (header and blank lines not counted) */
    size_t imported;     /* rows written (0 unless the write pass committed) */
    size_t bad;          /* bad rows, all of them */
    import_bad *items;   /* the first IMPORT_MAX_REPORTED problems, in row order */
    size_t n;
} import_report;

void import_report_free(import_report *r);

/* ---- options and the driver ----------------------------------------------------------- */
struct policy;

typedef struct import_opts {
    const char *rejects_path; /* NULL: any bad row refuses the file; else skip bad rows
                                 and write them here (CSV with an "error" column) */
    bool dry_run;             /* check only, write nothing */
    const struct policy *policy; /* in force; kinds whose rows depend on it (checkins,
                                    pings) refuse to run without it. Borrowed. */
    const char *source;       /* risk-areas: the list's source name (required there) */
} import_opts;

/* Import `path` as `kind` (see import_kind_names()), acting as `a`.
 * Returns 0 when the file was imported (out->bad may be > 0 with rejects_path) or,
 * with dry_run, when every row is good. Returns -1 with err otherwise:
 *   FK_EINVAL  bad header or bad rows (all listed in *out), nothing imported;
 *   FK_ENOTFOUND unknown kind or missing file; FK_ETOOBIG file over the limit;
 *   FK_EFORBIDDEN the actor may not write this kind; FK_EIO / FK_EBUSY store failures.
 * `opts` may be NULL. *out is always initialised and must be freed. */
int import_file(store *st, const actor *a, const char *kind, const char *path,
                const import_opts *opts, import_report *out /* OUT */, fk_err *err);

/* ---- the kinds table (for kind implementations and export.c) ------------------------- */
enum {
    IMPORT_COL_REQUIRED = 1 << 0, /* the header must have it */
    IMPORT_COL_IN = 1 << 1,       /* import reads it */
    IMPORT_COL_OUT = 1 << 2,      /* export writes it; OUT-only columns are accepted and
                                     ignored by import, so exported files re-import */
};

typedef struct import_column {
    const char *name;
    unsigned flags;
} import_column;

/* Per-import state handed to kind functions (opaque). */
typedef struct import_ctx import_ctx;
store *import_ctx_store(const import_ctx *cx);
const actor *import_ctx_actor(const import_ctx *cx);
/* The policy of the options, or NULL. */
const struct policy *import_ctx_policy(const import_ctx *cx);
/* The path of the file imported, and the options' source (NULL when not given). */
const char *import_ctx_path(const import_ctx *cx);
const char *import_ctx_source(const import_ctx *cx);
/* The integer at policy `path`: 0, or -1 with err (FK_EINVAL naming the path, also when
 * the import runs without a policy). For kinds whose rows depend on a rule. */
int import_ctx_policy_int(const import_ctx *cx, const char *path, int64_t *out, fk_err *err);
/* The store for a parse that reads it: in the one pass of a kind with insert_many, the
 * batches are written on a second thread, so parse must not touch the store through
 * import_ctx_store; this waits until that thread has written every batch handed to it
 * (the rows of the batch still being collected are not in the store yet). NULL with
 * err when a write failed. */
store *import_ctx_quiet_store(import_ctx *cx, fk_err *err);
/* The kind's state (import_kind.begin), or NULL. */
void *import_ctx_state(const import_ctx *cx);
/* The file row being parsed (header = 1). */
size_t import_ctx_row(const import_ctx *cx);
/* The size of the file in bytes (kinds choose bulk lookups for big files). */
int64_t import_ctx_file_bytes(const import_ctx *cx);
/* The row of an earlier good row of this file whose key is `key`, or 0. */
size_t import_ctx_seen(const import_ctx *cx, const char *key);

typedef struct import_kind {
    const char *name;            /* the KIND of the command line */
    const char *entity;          /* audit entity of the summary record */
    int perm;                    /* enum perm needed to import it */
    const import_column *cols;
    size_t ncols;
    size_t rec_size;             /* bytes of the record parse fills */
    /* Optional extra header rule; present[i] tells whether cols[i] is in the header.
     * Returns 0, or -1 with err naming the field. */
    int (*check_header)(const bool *present, fk_err *err);
    /* Fill the zeroed record `rec` from vals[i] (cols[i]; "" when absent) and check
     * format, references and duplicates against the store. Returns 0 when good,
     * 1 when bad (*bad has field and message), -1 on a store failure (err). */
    int (*parse)(import_ctx *cx, const char *const *vals, void *rec, fk_err *bad,
                 fk_err *err);
    /* The in-file duplicate key of a good record into out ("" = no key) and the
     * column named when a later row repeats it. */
    void (*key)(const void *rec, strbuf *out);
    const char *key_field;
    /* Write one good record inside the import transaction (audited). */
    int (*insert)(import_ctx *cx, void *rec, fk_err *err);
    /* true: the file is read once, each good row checked and written in the one
     * transaction, which a refused file rolls back (see import.c): for rows that
     * depend on nothing but themselves (location data), or on earlier rows through
     * the kind's own state (scans, results: see begin), whose parse must not be run
     * twice. */
    bool one_pass;
    /* Optional bulk write of n good records (rec_size bytes each, in file order), used
     * instead of insert: the driver collects up to `batch` of them (below). */
    int (*insert_many)(import_ctx *cx, const void *recs, size_t n, fk_err *err);
    /* Optional state of kinds whose rows depend on earlier rows of the file and on
     * lookups loaded once (scans, results): begin makes it (import_ctx_state) before
     * the file is read; finish runs inside the import's transaction after the last
     * write and before the summary audit record (never on a dry run or a refused file);
     * end frees it (always, after begin succeeded). */
    int (*begin)(import_ctx *cx, void **state, fk_err *err);
    int (*finish)(import_ctx *cx, fk_err *err);
    void (*end)(void *state);
    /* Records of a batch for insert_many; 0: IMPORT_BATCH. */
    size_t batch;
} import_kind;

#define IMPORT_BATCH 4096

/* Helpers for kind implementations: copy a text field (FK_EINVAL "at most N bytes"
 * into *bad when it does not fit; returns 0 or -1). */
int import_field_text(char *dst, size_t cap, const char *v, const char *col, fk_err *bad);
/* The key function of kinds without an in-file duplicate key (repeated observations
 * of location data are allowed). */
void import_key_none(const void *rec, strbuf *out);
/* The same, and refused when empty ("required"). */
int import_field_required(char *dst, size_t cap, const char *v, const char *col, fk_err *bad);
/* An instant (Unix seconds or ISO 8601 with an offset) in [2000-01-01, 2100-01-01). */
int import_field_instant(int64_t *dst, const char *v, const char *col, fk_err *bad);
/* A positive decimal id (a record's), refused when empty ("required"). */
int import_field_id(int64_t *dst, const char *v, const char *col, fk_err *bad);
/* A finite decimal number in [lo, hi]. */
int import_field_number(double *dst, const char *v, double lo, double hi, const char *col,
                        fk_err *bad);

/* Kinds that live in their own files. */
extern const import_kind import_kind_stays;     /* import_stays.c */
extern const import_kind import_kind_checkins;  /* import_checkins.c */
extern const import_kind import_kind_pings;     /* import_pings.c */
extern const import_kind import_kind_proximity; /* import_proximity.c */
extern const import_kind import_kind_scans;     /* import_scans.c */
extern const import_kind import_kind_results;   /* import_results.c */
extern const import_kind import_kind_risk_areas; /* import_travel.c */
extern const import_kind import_kind_arrivals;   /* import_travel.c */
extern const import_kind import_kind_itineraries; /* import_travel.c */
/* The insert of kinds whose records are stay_rec (stays, checkins). */
int import_stay_insert(import_ctx *cx, void *rec, fk_err *err);
int import_stays_insert_many(import_ctx *cx, const void *recs, size_t n, fk_err *err);

/* The kind called `name`, or NULL. */
const import_kind *import_kind_find(const char *name);
/* Comma-separated names of the importable kinds, for help texts. */
const char *import_kind_names(void);

#endif
