/*
 * table_writer.h - write a table (a header row, then rows of text cells) to a file, as
 * CSV or XLSX behind one interface.
 *
 * Backends (chosen by tw_open from the file name, or forced with tw_open_as):
 *   CSV  - UTF-8 with a byte order mark (so Excel shows Chinese text), CRLF line ends,
 *          RFC 4180 quoting: a cell is quoted when it holds a comma, quote, CR or LF or
 *          starts or ends with a space; quotes inside are doubled.
 *   XLSX - one worksheet via libxlsxwriter in constant-memory mode; every cell is a
 *          text cell (ID numbers keep their digits), the header is bold and frozen.
 *          At most 1,048,575 data rows (Excel's limit): more is FK_ETOOBIG.
 *
 * Atomicity: the output goes to "PATH.tmp" and is renamed onto PATH only by a
 * successful tw_close(); tw_abort() (or a failed close) removes it, so a failed export
 * never leaves a half-written file under the requested name.
 *
 * Ownership: tw_open returns a writer the caller must end with exactly one of
 * tw_close or tw_abort, both of which free it. Cell strings are copied before the
 * call returns. Not thread-safe: one writer per thread.
 */
#ifndef FK_IO_TABLE_WRITER_H
#define FK_IO_TABLE_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/strbuf.h"

typedef enum tw_format { TW_CSV, TW_XLSX } tw_format;

typedef struct tw tw;

/* Append one cell to sb with the CSV backend's quoting (for writers of CSV text that is
 * not a file of this module, e.g. `fangkong trace` on standard output). */
void tw_csv_cell(strbuf *sb, const char *s);

/* True when `path` ends in ".xlsx" (any case). */
bool tw_path_is_xlsx(const char *path);

/* Open a writer for `path`: XLSX when the name ends in .xlsx, CSV otherwise.
 * `sheet` names the XLSX worksheet (ignored for CSV; NULL = "data").
 * Returns NULL with err (FK_EIO) when the file cannot be created. */
tw *tw_open(const char *path, const char *sheet, fk_err *err);
tw *tw_open_as(const char *path, tw_format fmt, const char *sheet, fk_err *err);

/* Append one row of n cells (NULL cells are written empty). The first row written is
 * the header. Returns 0, or -1 with err (FK_EIO, FK_ETOOBIG); after a failure only
 * tw_abort is useful. */
int tw_row(tw *w, const char *const *cells, size_t n, fk_err *err);

/* Data rows written so far (the header not counted). */
size_t tw_rows(const tw *w);

/* Finish the file and move it into place. Frees w whatever the result. */
int tw_close(tw *w, fk_err *err);
/* Discard the output. Frees w. NULL is a no-op. */
void tw_abort(tw *w);

#endif
