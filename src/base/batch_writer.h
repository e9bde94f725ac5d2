/*
 * batch_writer.h - consume batches of records on a second thread while the caller
 * prepares the next one (double buffering), so that two stages of a stream overlap
 * instead of taking turns: an import's parse and its database writes; the trace
 * build's reading of the store and its interning of names.
 *
 * The caller fills the buffer bw_buffer() gives, then bw_submit()s it: the writer
 * thread calls write(ctx, buf, n, first_row, last_row, err) on it and the caller gets
 * the other buffer to fill meanwhile. bw_submit waits while the writer is still busy
 * with the previous batch. The first failed write is kept: the next bw_submit or
 * bw_drain returns -1 with its error, and later batches are not written.
 *
 * Who touches what: write() runs on the writer thread, one batch at a time, and must
 * be the only user of whatever it writes to (the store handle) until bw_drain
 * returns; the mutex between submit and write orders every access, so a handle that
 * allows use from one thread at a time (SQLite in multi-thread mode) may be handed
 * back and forth. Ownership: bw_new allocates two buffers of cap records of `size`
 * bytes; bw_free drains, stops the thread and frees them. Not for concurrent callers:
 * one thread submits.
 */
#ifndef FK_IO_BATCH_WRITER_H
#define FK_IO_BATCH_WRITER_H

#include <stddef.h>

#include "base/err.h"

typedef int (*bw_write_fn)(void *ctx, const void *recs, size_t n, size_t first_row,
                           size_t last_row, fk_err *err);
typedef struct batch_writer batch_writer;

/* NULL with FK_EBUSY when the thread cannot start (the caller then writes itself). */
batch_writer *bw_new(size_t size, size_t cap, bw_write_fn write, void *ctx, fk_err *err);
/* The buffer to fill (cap records). */
void *bw_buffer(batch_writer *w);
/* Hand over the first n records of the buffer (rows first..last of the file, for
 * messages). 0, or -1 with the error of an earlier failed write. */
int bw_submit(batch_writer *w, size_t n, size_t first_row, size_t last_row, fk_err *err);
/* Wait until every submitted batch is written. 0, or -1 with the first failure. */
int bw_drain(batch_writer *w, fk_err *err);
/* Records written so far (after bw_drain: all that succeeded). */
size_t bw_written(batch_writer *w);
void bw_free(batch_writer *w);

#endif
