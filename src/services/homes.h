/*
 * homes.h - where persons live, kept in memory for the planning of allocation batches.
 *
 * Why: a batch of 500 persons read 500 persons, their households and buildings from
 * SQLite (random pages of three tables) under the write lock, every batch; the homes
 * change rarely. The server's allocator (services/allocator.h) keeps them here.
 *
 * Contract:
 *  - homes_places answers exactly as store_person_places (store_isolation.h) for the same
 *    ids in the same unit: what it kept is used only while the store's homes_version
 *    (migrations 0027 and 0031, moved by every change of a home, whoever writes it) is the
 *    one it was kept at; when the version has moved, everything kept is forgotten and read
 *    again as batches need it.
 *  - Kept: every located home, by its building's coordinates or, without them (no
 *    household, a building without coordinates), by its community's centre (the mean of
 *    the community's buildings: a new building, or one moved or regridded, moves the
 *    version). Persons not located at all and persons not seen yet are read from the
 *    store, in one read for the batch, and the former are not kept.
 *  - Without the version row (deleted by hand) nothing is kept: every batch reads the store.
 *  - homes_load reads every home once (at the server's start), the version first, so a
 *    change committed during the load only makes the next batch forget and read again.
 * Ownership: homes_new/homes_free; out[] is the caller's.
 * Thread safety: none; one thread at a time (the allocator's writer, inside its unit).
 */
#ifndef FK_SERVICES_HOMES_H
#define FK_SERVICES_HOMES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct homes homes;

homes *homes_new(void);
/* NULL is a no-op. */
void homes_free(homes *h);
/* Every home of the store kept (see Contract). */
int homes_load(homes *h, store *st, fk_err *err);
/* store_person_places through what is kept (see Contract); h NULL reads the store. */
int homes_places(homes *h, store *st, const int64_t *ids, size_t n, person_place *out,
                 fk_err *err);
/* How many homes are kept (for tests and logs). */
size_t homes_count(const homes *h);

#endif
