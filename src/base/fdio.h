/*
 * fdio.h - whole reads and writes on file descriptors, and the directory fsync that makes
 * a rename or link durable: the pieces every file that must survive kill -9 needs (the
 * trace snapshot, the health-code key).
 *
 * Contract: each returns 0 or an errno value (EIO when the system gave none: a short
 * read at end of file is EIO). EINTR is retried. Nothing is allocated that outlives a
 * call. Thread-safe (each call works on its caller's descriptors only).
 */
#ifndef FK_BASE_FDIO_H
#define FK_BASE_FDIO_H

#include <stddef.h>

/* Write all n bytes of p to fd. */
int fk_write_all(int fd, const void *p, size_t n);
/* Read exactly n bytes of fd into p (end of file first: EIO). */
int fk_read_all(int fd, void *p, size_t n);
/* fsync the directory holding path ("." when path names no directory), so that an entry
 * just renamed or linked there survives a crash. */
int fk_fsync_dir_of(const char *path);

#endif
