/*
 * store_residents.h - the residents section of store.h: what tells whether the kept
 * residents lookup is current (migration 0036), and the lookup's bytes. Include
 * store/store.h, which includes it. Same conventions as store.h: 0 or -1 with err.
 *
 * The store keeps the bytes and what they were built from; it does not know their
 * layout (services/residents.h builds and probes them). Current means: built at the
 * store's residents version now (a version moved by triggers on every change of a
 * person's ID number, its type or community, and on every deletion of a person,
 * whoever writes it). A person added since (an id above the kept `top`) is not in it:
 * its users look such a person up in the store. Without the version row (deleted by
 * hand) nothing is current and nothing is saved.
 * Ownership: store_residents_read's buffer comes from the caller's `alloc` and is the
 * caller's, also on failure (*out set whenever alloc was called).
 * Thread safety: as store.h.
 */
#ifndef FK_STORE_STORE_RESIDENTS_H
#define FK_STORE_STORE_RESIDENTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct store store;

/* The residents as the store has them now, or as a kept lookup was built from them. */
typedef struct residents_mark {
    int64_t version; /* residents_version; 0: the row is missing (nothing is current) */
    int64_t top;     /* persons' largest id (0: none) */
} residents_mark;

/* The kept lookup's header. */
typedef struct residents_kept {
    residents_mark from; /* what it was built from */
    size_t bytes;
    int64_t built_at;
} residents_kept;

/* In one read snapshot: the residents now, and the kept lookup's header (*has 0: none). */
int store_residents_state(store *st, residents_mark *now, residents_kept *kept, int *has,
                          fk_err *err);

/* In one read snapshot: the residents now and, when the kept lookup was built at now's
 * version, its bytes into alloc(kept->bytes) (*out). Returns 1 read, 0 none current
 * (nothing allocated; also when its parts are not the bytes its header says: the
 * builders replace it), -1 failure. */
typedef void *(*residents_alloc_fn)(size_t bytes);
int store_residents_read(store *st, residents_mark *now, residents_kept *kept,
                         residents_alloc_fn alloc, void **out, fk_err *err);

/* Replace the kept lookup by bytes[0..n) built from `from`, unless the store's version
 * is no longer from->version (a person changed since: the bytes are stale). Returns 1
 * saved, 0 not, -1 failure. In the caller's unit (store_begin), else in its own. */
int store_residents_save(store *st, const residents_mark *from, const void *bytes, size_t n,
                         int64_t at, fk_err *err);

#endif
