/*
 * export.h - export persons, cases, areas and the audit log to CSV or XLSX.
 *
 * Contract of export_file: checks the actor's permission for the kind and that the
 * filters apply to it, reads the records through the registry service (so jurisdiction
 * narrowing, masking and the per-list audit apply), writes them with table_writer (XLSX
 * when the path ends in .xlsx, else CSV with a BOM) and appends one audit record
 * ("export", entity, detail with kind, filters, row count and file name). The output
 * appears under `path` only when complete (table_writer writes PATH.tmp and renames).
 *
 * Columns: for kinds that can be imported they are the IMPORT_COL_OUT columns of the
 * import kind of the same name (import.h), so an exported file imports again (export
 * persons, then import into a store with the same areas and households). Cases add
 * id, number, status and person_name, which import accepts and ignores; import creates
 * new cases with status "reported". The audit export has its own columns and cannot be
 * imported. Reads page through the store 1000 records at a time (memory stays
 * bounded); the pages are not one snapshot, so rows changed during an export may be
 * missed or repeated.
 *
 * Kinds: a table (export.c) of name, permission, columns, accepted filters and a row
 * function that calls export_set/export_emit; a new kind adds one entry.
 * Thread safety: as the store handle.
 */
#ifndef FK_IO_EXPORT_H
#define FK_IO_EXPORT_H

#include <stddef.h>

#include "base/err.h"
#include "services/actor.h"
#include "store/store.h"

typedef struct export_opts {
    const char *community;  /* persons: exact community; cases: persons within this area
                               code prefix; areas: this subtree; NULL = all */
    const char *status;     /* cases only: exact status; NULL = all */
} export_opts;

/* Export `kind` ("persons", "cases", "areas", "audit", "stays") to `path` as actor `a`.
 * Returns 0 and sets *rows (OUT, may be NULL) to the data rows written, or -1 with err:
 * FK_ENOTFOUND unknown kind, FK_EINVAL a filter the kind does not take or a bad value,
 * FK_EFORBIDDEN, FK_EIO (file or store), FK_ETOOBIG (over the XLSX row limit). */
int export_file(store *st, const actor *a, const char *kind, const char *path,
                const export_opts *opts, size_t *rows /* OUT */, fk_err *err);

/* Comma-separated names of the exportable kinds, for help texts. */
const char *export_kind_names(void);

/* ---- for kind row functions ---------------------------------------------------------- */
typedef struct export_ctx export_ctx;
store *export_ctx_store(const export_ctx *cx);
const actor *export_ctx_actor(const export_ctx *cx);
const export_opts *export_ctx_opts(const export_ctx *cx);
/* Set the cell of column `col` for the current row. `value` must stay valid until
 * export_emit; an unknown column is a bug and aborts. */
void export_set(export_ctx *cx, const char *col, const char *value);
/* Write the current row (cells not set are empty) and clear it. */
int export_emit(export_ctx *cx, fk_err *err);

#endif
