/*
 * store_testing_bulk.h - the bulk section of store.h for imports of mass-testing files
 * (io/import_scans.c, io/import_results.c): what a file of a million scans needs read
 * once instead of a million times, the one-tube lookup a results import falls back to
 * (store_bulk_tube_probe), and the writes of many scans and first results in the
 * caller's transaction. Include store/store.h, which includes it. Same conventions as store.h:
 * 0 or -1 with err.
 *
 * Readers stream rows to a callback (the caller keeps what it needs in memory; the
 * store keeps no copy); a callback returning non-zero stops the walk and is returned.
 * Writes (store_scans_add) join the caller's transaction (store_begin) without a
 * savepoint each: the caller's rollback undoes them; alone they are their own unit.
 * store_scans_add writes the members (migration 0035: a tube_sets row a tube, the
 * persons' slots in round_slots' chunks, each chunk read and written once a call) with
 * the connection's per-row triggers and foreign-key checks off and checks the batch in
 * their place, a statement per run of one tube's rows (tube open and of the members'
 * round, the run at the tube's next places, round existing, no tube over its size,
 * n_members counted) and per member (once in the round); a batch refused fails the
 * whole call (FK_ECONFLICT "barcode"), and both are on again before it returns. The
 * persons must be ones the caller read in the same write transaction (the import: from
 * the store, or the residents lookup read in its unit): the call does not look each one
 * up again, it refuses only an id outside the persons' range, and migration 0038 keeps
 * a member's person from being deleted (store_sqlite_members.c). Thread safety: as
 * store.h.
 */
#ifndef FK_STORE_STORE_TESTING_BULK_H
#define FK_STORE_STORE_TESTING_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct store store;
struct tube_rec;
struct result_rec;
struct round_rec;

/* Every person with a resident ID number: id, the 18-character number, community. */
typedef int (*bulk_person_fn)(void *ctx, int64_t id, const char *id_number,
                              const char *community_code);
int store_bulk_residents(store *st, bulk_person_fn fn, void *ctx, fk_err *err);

/* Every tube of the rounds that are open (the only ones that take scans). */
typedef int (*bulk_tube_fn)(void *ctx, const struct tube_rec *t);
int store_bulk_open_round_tubes(store *st, bulk_tube_fn fn, void *ctx, fk_err *err);

/* Every round that is open, as store_round_get has it but without its counts (sites,
 * tubes, scanned: 0; those read every tube of the round, 8 ms a round of a city's). */
typedef int (*bulk_round_fn)(void *ctx, const struct round_rec *r);
int store_bulk_open_rounds(store *st, bulk_round_fn fn, void *ctx, fk_err *err);

/* The persons scanned in round `round_id`. */
typedef int (*bulk_id_fn)(void *ctx, int64_t id);
int store_bulk_round_members(store *st, int64_t round_id, bulk_id_fn fn, void *ctx,
                             fk_err *err);

/* Persons whose pool group is not "other" today (store_person_testing_flags of each):
 * an active isolation, or an open close or secondary contact lead. */
typedef int (*bulk_flags_fn)(void *ctx, int64_t person_id, int isolated, int contact);
int store_bulk_testing_flags(store *st, bulk_flags_fn fn, void *ctx, fk_err *err);

/* Tubes that may take a first result: in a received box, no result yet, except those of
 * a box taken as done (its first and last packed tubes have a result: boxes stay
 * received for good, and the read would otherwise grow with every earlier round); a
 * caller looks any tube it was not handed up alone (store_bulk_tube_probe). size: the
 * tube's pool size (1: a single tube, whose negative releases holds). */
typedef struct received_tube {
    int64_t tube_id, lab_id, received_at;
    int size;
    char barcode[24], site_area[16];
} received_tube;
typedef int (*bulk_received_fn)(void *ctx, const received_tube *t);
int store_bulk_received_tubes(store *st, bulk_received_fn fn, void *ctx, fk_err *err);

/* One tube by barcode as the results import checks a tube the bulk read did not hand
 * over (it has a result, its box is not received, or the file is too small for the bulk
 * read): one statement, prepared once a connection. The generic getters it replaces
 * (store_tube_get, _site_get, _box_of_tube, _tube_results) count a site's tubes and a
 * box's with each call: 3.1 M instructions a row, 16 s to refuse a lab's 48,506 results
 * sent a second time (bench/testing's store). t.lab_id and t.received_at are the box's,
 * 0 when the tube is in no box or its box was not received; box_state is "" when the
 * tube is in no box; last_result is its latest result's class, "" for none. 1 found, 0
 * no tube has the barcode, -1 with err. */
typedef struct tube_probe {
    received_tube t;
    char box_state[16];
    char last_result[12];
} tube_probe;
int store_bulk_tube_probe(store *st, const char *barcode, tube_probe *out, fk_err *err);

/* The same read on a connection of its own, for a caller that reads the tubes on another
 * thread while st's connection writes (the results import: its parser takes each tube as
 * it comes, its writer writes the batches, the tubes' read no longer runs before the
 * first row, bench/testing). store_bulk_reader_open notes st's database file (on st's
 * thread; nothing is opened yet). store_bulk_reader_prepare opens a read-only connection
 * to it and compiles the read (parsing the schema: 8 M instructions, about 2 ms, which
 * the parser waited for at its first row), reading no row: it may run before st's unit
 * begins. store_bulk_reader_received_tubes (preparing first if that was not done) reads
 * as store_bulk_received_tubes does, in a read transaction of its own: called inside
 * st's unit (store_begin: the write lock, so no other writer commits until the unit
 * ends), its read sees exactly the last commit, the one st's unit started from, and none
 * of the unit's own writes. The two run on one thread at a time (the connection is
 * single-threaded). The reader and its connection are freed by store_bulk_reader_close
 * (after the read returned, on any thread). NULL / -1 with err. */
typedef struct bulk_reader bulk_reader;
bulk_reader *store_bulk_reader_open(store *st, fk_err *err);
int store_bulk_reader_prepare(bulk_reader *r, fk_err *err);
int store_bulk_reader_received_tubes(bulk_reader *r, bulk_received_fn fn, void *ctx,
                                     fk_err *err);
void store_bulk_reader_close(bulk_reader *r);

/* A first result as an import writes it: what the row says, no correction (the type has
 * no room for one), reported by the call's one `by`. 64 bytes instead of result_rec's
 * 560: the import parses, batches and hands these over, and copying and zeroing the
 * wide record was a tenth of its parse (bench/testing). id is filled by the write. */
typedef struct checked_result {
    int64_t id, tube_id, lab_id, reported_at;
    double ct_orf1ab, ct_n;  /* a positive's (has_ct), else unused */
    int has_ct;
    char result[12];         /* negative, positive, invalid */
} checked_result;

/* First results the caller checked itself, written without the store checking them
 * again (store_results_add checks a batch's tubes with one statement that probes each
 * row's box: about 12% of the CPU of importing a city's round, on the writer thread the
 * import waits for). The caller
 * must hold a unit (store_begin) since before the reads its checks rest on, and have
 * checked every row against them: its tube received in a box by the row's lab
 * (store_bulk_received_tubes, or the tube, its box and its results read one by one),
 * without a result in the store, and no two rows of the unit for one tube
 * (io/import_results.c). Under the unit's write lock nothing can change between those
 * reads and this write. Every other writer of results (the API's results: a statement
 * over their tubes and the chunks' slots; a correction: the schema's trigger) stays
 * checked by the store. The rows' own rules, the schema's CHECKs (result one of
 * the three, Ct values in (0, 45] for a positive and none otherwise), are checked here
 * in C for the whole call before anything is written; then the rows are written into
 * their tubes' chunks (migration 0044, store_sqlite_results.c; a tube with a first
 * result already is refused, FK_ECONFLICT) with the connection's triggers, foreign-key
 * checks and CHECKs off, all back on before the call returns; the health codes' answers version moves once; each id is filled (its tube's
 * first result: store_first_result_id). FK_EINVAL outside a unit or for a row breaking a CHECK (naming its
 * index); a failure fails the whole call. */
int store_results_add_checked(store *st, checked_result *r, size_t n, const char *by,
                              fk_err *err);

/* For many calls of store_results_add_checked in one unit (the results import's batches):
 * on, the connection's triggers, foreign-key checks and CHECKs go off until off, and each
 * call leaves them as they are instead of switching them off and on (each switch makes
 * SQLite prepare every statement of the connection again: the 64-row INSERT once a
 * batch, 9 M instructions of a city's import, bench/testing). While on, the handle
 * writes nothing but those calls (reads are as ever); off switches them back on, whatever
 * happened, and so does the unit's end; on or off twice is once. 0, or -1 with err
 * (FK_EINVAL outside a unit). */
int store_results_checked_hold(store *st, bool on, fk_err *err);

/* One scan of an import: person into tube (of round), at `at`, at `place` (1..size:
 * the tube's members before it + 1). opens: the tube was issued and this first member
 * opens it with `size`; closes: the last place filled, the tube closes at `at`. */
typedef struct scan_row {
    int64_t tube_id, person_id, round_id, at;
    int size, place;
    unsigned char opens, closes;
} scan_row;
/* Write n scans in order, all or none, scanned (opened, closed) by `by`. A tube's rows
 * take its places in order (the first at its n_members + 1), as the API's scans would. */
int store_scans_add(store *st, const scan_row *rows, size_t n, const char *by, fk_err *err);

#endif
