/*
 * csv_reader.h - a streaming RFC 4180 CSV reader (on libcsv) that hands out one record
 * at a time.
 *
 * What it does: splits bytes into records and fields; handles quoted fields with commas,
 * doubled quotes and line breaks, LF / CRLF / CR line ends, and a UTF-8 byte order mark
 * at the very start (dropped). Spaces around unquoted fields are kept (RFC 4180), not
 * trimmed. Blank lines are skipped but counted in the row numbers.
 * What it does not do: interpret a header, check UTF-8 or field contents (import.c does).
 * Plain lines (no quote, no lone CR) are split without libcsv, with the same results:
 * the bulk imports' files are such lines and libcsv's byte-at-a-time parse was a third of
 * the scans import's parse (csv_reader.c).
 *
 * Row numbers: record N of the file is row N, the first (the header) being row 1; a
 * blank line counts as a row. Without quoted line breaks this is the file line number.
 *
 * Memory: constant in the size of the input. A field longer than limits.max_field is
 * not stored (it reads as "" and csvr_row.long_field names it); libcsv's own buffer for
 * one field is capped at CSVR_PARSER_MAX, beyond which reading stops with FK_ETOOBIG.
 * Fields past limits.max_fields are counted in nfields but not stored.
 *
 * Errors: malformed quoting stops the read with FK_EINVAL naming the row; the row
 * callback may stop it by returning -1 with err filled (that err is passed through).
 * Ownership: the caller owns the csvr and frees it with csvr_free(). The field strings
 * of a row belong to the reader and are valid only during the callback.
 * Thread safety: one reader per thread; separate readers are independent.
 */
#ifndef FK_IO_CSV_READER_H
#define FK_IO_CSV_READER_H

#include <stddef.h>

#include "base/err.h"

#define CSVR_MAX_FIELD_DEFAULT 1024    /* bytes of one stored field */
#define CSVR_MAX_FIELDS_DEFAULT 256    /* stored fields of one row */
#define CSVR_PARSER_MAX (1u << 20)     /* hard cap of one raw field inside libcsv */

typedef struct csvr_limits {
    size_t max_field;   /* 0 = CSVR_MAX_FIELD_DEFAULT */
    size_t max_fields;  /* 0 = CSVR_MAX_FIELDS_DEFAULT */
    size_t max_bytes;   /* whole input; 0 = unlimited; over it: FK_ETOOBIG */
} csvr_limits;

typedef struct csvr_row {
    size_t row;                 /* 1-based record number (header = 1) */
    size_t nfields;             /* fields of the record as written */
    size_t nstored;             /* min(nfields, max_fields): valid indexes of fields/lens */
    const char *const *fields;  /* NUL-terminated; may hold a NUL byte (see lens) */
    const size_t *lens;         /* byte length of each stored field */
    size_t long_field;          /* 1-based index of the first over-long field, 0 = none */
    size_t long_len;            /* its length in bytes */
    int plain;                  /* every byte of the record is ASCII and none is NUL: its
                                   fields need no UTF-8 or NUL test (0: not known) */
} csvr_row;

/* Called once per non-blank record. Return 0 to go on, -1 (with err filled) to stop. */
typedef int (*csvr_row_fn)(void *ud, const csvr_row *row, fk_err *err);

typedef struct csvr csvr;

/* A new reader; lim may be NULL for the defaults. Never NULL (aborts on OOM). */
csvr *csvr_new(const csvr_limits *lim, csvr_row_fn fn, void *ud);
/* Parse the next chunk (any split, even inside a field or the BOM). Returns 0, or -1
 * with err filled when the input is malformed or the callback stopped; after -1 the
 * reader accepts nothing more. */
int csvr_feed(csvr *r, const void *buf, size_t len, fk_err *err);
/* End of input: delivers the last record (a file need not end with a newline).
 * Fails on an unterminated quoted field. */
int csvr_finish(csvr *r, fk_err *err);
void csvr_free(csvr *r);

/* Records seen so far, including the blank ones (the last row number delivered). */
size_t csvr_rows(const csvr *r);

/* Convenience: stream the whole file at `path` through a new reader. */
int csvr_read_file(const char *path, const csvr_limits *lim, csvr_row_fn fn, void *ud,
                   fk_err *err);

#endif
