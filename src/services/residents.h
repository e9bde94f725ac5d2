/*
 * residents.h - the residents lookup: every person with an 18-character resident ID
 * number as (the number's first 17 digits -> person id, community code), kept in the
 * store ready to probe (store_residents.h, migration 0036) instead of read and built at
 * every import of a file of ID numbers (io/import_scans.c). Reading 1,000,000 residents
 * and building their table took 1.1-1.2 s of CPU; reading the kept table back, about
 * 0.05 s (bench/README.md).
 *
 * Contract:
 *  - Never a second source of truth. A lookup is used only while the store's residents
 *    version is the one it was built at (residents_lookup_open reads both in one
 *    snapshot); a person not in it (added since, an id above 4,294,967,295, a community
 *    code of 16 characters or more) is for the caller to look up in the store, as
 *    without it. A person in it is exactly as the store has them at that version.
 *  - residents_lookup_open: the kept lookup when current, else one built from the store
 *    and, when `save`, saved (in the caller's unit, if any) for the next. Also built
 *    when more persons were added since it was kept than a sixteenth of those in it:
 *    each would be a lookup in the store (about 15 us) against about 1.2 us a person to
 *    build.
 *  - residents_lookup_refresh builds and saves it when it is not current or persons
 *    were added since (the server's keeper: residents_keeper_start). Building reads the
 *    residents outside any write transaction and saves only if the version did not move
 *    meanwhile (else the next refresh tries again).
 * Ownership: a lookup is the caller's (residents_lookup_free); a community returned by
 * residents_lookup_find lives as long as the lookup.
 * Thread safety: a finished lookup may be probed from several threads; the rest as the
 * store handle. The keeper is driven from one thread.
 */
#ifndef FK_SERVICES_RESIDENTS_H
#define FK_SERVICES_RESIDENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct residents_lookup residents_lookup;

/* How the lookup came: kept (read back) or built now (and saved, when asked). */
typedef enum { RESIDENTS_KEPT, RESIDENTS_BUILT, RESIDENTS_BUILT_SAVED } residents_source;

int residents_lookup_open(store *st, bool save, residents_lookup **out, residents_source *src,
                          fk_err *err);
void residents_lookup_free(residents_lookup *lk);

/* The key an ID number is kept under: its first 17 digits + 1 (never 0); 0 when one of
 * them is not a digit (no checked number has that key). The import's map of persons
 * looked up in the store uses the same key. */
uint64_t residents_id_key(const char *id_number);

/* The person of a checked 18-character ID number: 1 found (*id, *community), 0 not in
 * the lookup. */
int residents_lookup_find(const residents_lookup *lk, const char *id_number, int64_t *id,
                          const char **community);
/* A hint before residents_lookup_find of the same number, changing nothing: the probe's
 * memory starts loading while the caller does other work (import_scans.c checks the
 * number's checksum, time and tube meanwhile). */
void residents_lookup_prefetch(const residents_lookup *lk, const char *id_number);
/* The same two by the number's key (residents_id_key), for a caller that probes one number
 * twice: the key's 17 digits read once (the scans import: 136 instructions a row). */
int residents_lookup_find_key(const residents_lookup *lk, uint64_t key, int64_t *id,
                              const char **community);
void residents_lookup_prefetch_key(const residents_lookup *lk, uint64_t key);
/* How many persons it holds, and what it was built from. */
size_t residents_lookup_count(const residents_lookup *lk);
residents_mark residents_lookup_mark(const residents_lookup *lk);

/* Build and save the kept lookup if it is not current or persons were added since:
 * 1 saved, 0 nothing to do, 2 built but not saved (the residents moved meanwhile), -1. */
int residents_lookup_refresh(store *st, fk_err *err);

/* The server's keeper: a thread of its own, with a store handle of its own and a lower
 * scheduling priority (nice 10), that runs residents_lookup_refresh at start and every
 * interval_s seconds, each time once this process's writes have paused 2 s
 * (store_writes_quiet_ms; after 60 s of waiting it runs anyway), until
 * residents_keeper_stop (which wakes and joins it). Failures are logged, never fatal.
 * NULL with err when the thread cannot start. */
typedef struct residents_keeper residents_keeper;
residents_keeper *residents_keeper_start(const char *data_dir, int interval_s, fk_err *err);
void residents_keeper_stop(residents_keeper *k);

#endif
