/*
 * store_sqlite_int.h - internals shared by the store_sqlite*.c files (private).
 *
 *   store_sqlite.c           open/close, migrations, transactions, statement cache,
 *                            error mapping, audit writes, check, counts, the ops table
 *   store_sqlite_audit.c     the audit list (audit and code_scans), the gates' scan audit
 *   store_sqlite_registry.c  areas, buildings, households, venues, persons
 *   store_sqlite_cases.c     cases and their transitions
 *   store_sqlite_admin.c     users and sessions
 *   store_sqlite_outbreak.c  the demo outbreak's ground truth (outbreak_links)
 *   store_sqlite_stays.c     presence records (stays)
 *   store_sqlite_inputs.c    raw location inputs (pings, detections)
 *   store_sqlite_leads.c     leads and their events
 *   store_sqlite_accountability.c  responsibilities, daily reports, actions, lead facts
 *   store_sqlite_isolation.c facilities, rooms, allocations, isolations and their tests
 *   store_sqlite_transfers.c vehicles, crews, trips, their pickups and events
 *   store_sqlite_testing.c   testing rounds, sampling sites, tubes and their members
 *   store_sqlite_members.c   a tube's members as kept (tube_sets, round_slots): the one
 *                            writer, the fk_members virtual table the SQL reads
 *   store_sqlite_coverage.c  a round's coverage: expected, tested, untested, exempt
 *   store_sqlite_sample_flow.c  labs, transport boxes, their tubes, tube results
 *   store_sqlite_vtab.c      what the virtual tables fk_members and fk_results share
 *   store_sqlite_results.c   tube results as kept (result_chunks, result_corrections):
 *                            the writer of first results, the fk_results virtual table
 *   store_sqlite_positives.c holds, notices and recheck rounds (what follows a result)
 *   store_sqlite_reconcile.c  unpacks, unmatched tubes, a round's reconciliation
 *   store_sqlite_zones.c     risk zones, their cases and events, zone_persons
 *   store_sqlite_codes.c     health codes: rules, the recompute, the log, overrides
 *
 * Invariants:
 *  1. One sq_store = one sqlite3 connection, used by one thread at a time.
 *  2. Cached statements (stmt[]) are prepared lazily by sq_stmt() with the SQL text
 *     given at the call site, and are always reset after use, so no read snapshot
 *     outlives the call that took it.
 *  3. depth counts open units: depth 0 -> no transaction; 1 -> BEGIN IMMEDIATE is
 *     open; n > 1 -> n-1 nested SAVEPOINTs named "sq" on top. Every public write
 *     runs as one unit: sq_begin ... sq_end(rc).
 *  4. Reference and uniqueness checks run inside the unit that writes.
 * Functions returning int return 0 or -1 with *err filled (store.h convention).
 */
#ifndef FK_STORE_STORE_SQLITE_INT_H
#define FK_STORE_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"

enum sq_stmt_id {
    SQ_BEGIN, SQ_BEGIN_READ, SQ_COMMIT, SQ_ROLLBACK, SQ_SAVEPOINT, SQ_RELEASE, SQ_ROLLBACK_TO,
    SQ_SYNC_NORMAL, SQ_SYNC_FULL, SQ_STAY_INSERT, SQ_STAYS_SPAN, SQ_STAYS_VERSION,
    SQ_PING_INSERT, SQ_PINGS_SPAN, SQ_DETECTION_INSERT, SQ_DETECTIONS_SPAN,
    SQ_STAYS_AFTER, SQ_DETECTIONS_AFTER, SQ_INPUT_IDS, SQ_STAY_PACK_INSERT, SQ_PINGS_AFTER,
    SQ_PING_LAST,
    SQ_AUDIT_INSERT, SQ_SCAN_AUDIT_INSERT, SQ_SCAN_AUDIT_INSERT_ROWS,
    SQ_AREA_INSERT, SQ_AREA_GET, SQ_AREA_CHILDREN, SQ_AREA_DISTRICTS,
    SQ_BUILDING_INSERT, SQ_BUILDING_COMMUNITY, SQ_HOUSEHOLD_INSERT, SQ_HOUSEHOLD_GET, SQ_HOUSEHOLD_COUNT, SQ_HOUSEHOLD_PAGE,
    SQ_VENUE_CODE_USED, SQ_VENUE_INSERT,
    SQ_PERSON_INSERT, SQ_PERSON_UPDATE, SQ_PERSON_GET, SQ_PERSON_BY_ID_NUMBER,
    SQ_PERSON_DUPLICATE, SQ_PERSON_BRIEF,
    SQ_CASE_NEXT_NUMBER, SQ_CASE_INSERT, SQ_CASE_UPDATE, SQ_CASE_GET, SQ_CASE_STATUS,
    SQ_CASE_SET_STATUS, SQ_TRANSITION_INSERT, SQ_TRANSITION_LIST,
    SQ_USER_INSERT, SQ_USER_UPDATE, SQ_USER_GET, SQ_USER_BY_NAME, SQ_USER_NAME_USED,
    SQ_USER_LIST,
    SQ_SESSION_INSERT, SQ_SESSION_USER, SQ_SESSION_REVOKE, SQ_SESSION_REVOKE_USER,
    SQ_OUTBREAK_LINK_INSERT, SQ_OUTBREAK_LINKS,
    SQ_PERSON_BY_SUBJECT, SQ_CASE_EXISTS, SQ_CONTACT_FIND, SQ_CONTACT_INSERT, SQ_CONTACT_UPDATE,
    SQ_LEAD_INSERT, SQ_LEAD_EVENT_INSERT, SQ_LEAD_STATE, SQ_LEAD_UPDATE, SQ_LEAD_ESCALATE,
    SQ_LEAD_GET, SQ_LEAD_PUSH, SQ_LEAD_PUSH_AGAIN, SQ_LEAD_PUSH_EVENTS, SQ_LEAD_PENDING,
    SQ_LEAD_PUSH_RUNS, SQ_LEAD_PUSH_ROWS,
    SQ_LEAD_EVENT_SAME,
    SQ_ESC_TABLES, SQ_ESC_NOTE_TABLE, SQ_ESC_CLEAR, SQ_ESC_CLEAR_NOTES, SQ_ESC_STAGE, SQ_ESC_OWED_ROWS, SQ_ESC_NOTE,
    SQ_ESC_UPDATE, SQ_ESC_WATERMARK, SQ_ESC_PAIR_NOTICE, SQ_ESC_CLOCK, SQ_ESC_LOWER,
    SQ_ESC_NOTICE_OF, SQ_ESC_SETTLE, SQ_ESC_OWE, SQ_ESC_CROSSED, SQ_ESC_SETTLED, SQ_ESC_UNOWE,
    SQ_ESC_SWEPT, SQ_ESC_OWED_N, SQ_ESC_AFTER,
    SQ_RESP_CURRENT, SQ_RESP_CLOSE, SQ_RESP_INSERT, SQ_RESP_AT, SQ_REPORT_INSERT,
    SQ_ACTION_INSERT, SQ_FACT_EVENTS,
    SQ_ROOM_INSERT, SQ_ROOM_MOVE, SQ_ROOM_TAKE, SQ_COMMUNITY_CENTRE, SQ_PERSON_PLACE, SQ_LEAD_AREAS,
    SQ_ALLOCATION_INSERT, SQ_ALLOCATION_OF_PERSON, SQ_ALLOCATION_NEXT_ID, SQ_ALLOCATIONS_INSERT,
    SQ_ROOMS_RESERVE,
    SQ_ALLOCATIONS_SHARERS, SQ_ROOM_COUNTS_ADD, SQ_HOMES_VERSION, SQ_HOMES_ALL,
    SQ_TUBE_SCAN_CHECK, SQ_SLOTS_GET, SQ_SLOTS_PUT, SQ_PERSON_TOP, SQ_SET_GET, SQ_SET_PUT, SQ_BOX_TUBE_INSERT, SQ_TUBE_RESULT_INSERT,
    SQ_RESULT_CHUNK_GET, SQ_RESULT_CHUNK_PUT,
    SQ_TUBE_PROBE, SQ_ANSWERS_MOVED,
    SQ_NOTICES_POOL_POSITIVE, SQ_NOTICES_POOL_CLEARED,
    SQ_CODE_GET, SQ_CODES_FIRST, SQ_CODES_LAST = SQ_CODES_FIRST + 63, /* store_sqlite_codes.c */
    SQ_NSTMT
};

#define SQ_WAL_HDR_BYTES 48 /* the wal-index header (sq_wal_header) */

struct sq_store {
    struct store base; /* must be first: store.c sees only this */
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ_NSTMT];
    int depth;
    int version;
    /* the health-code scan's version check (store_sqlite_codes.c): the wal-index header
     * seen before the last read of code_answers_version, and what it read */
    unsigned char answers_hdr[SQ_WAL_HDR_BYTES];
    int64_t answers_version;
    bool answers_known;
    /* the wal-index's first region as the VFS mapped it for this connection (sq_wal_header),
     * NULL until the first successful map */
    const volatile unsigned char *shm0;
    /* this process's checkpointer watches the connection (sq_checkpoint_watch) */
    bool watched;
    /* store_results_checked_hold is on: the triggers' and foreign keys' settings before */
    bool checks_held;
    int held_was[2];
};

#define SQ(st) ((struct sq_store *)(st))

/* ---- checkpoints (store_sqlite_checkpoint.c) ---------------------------------------- */
/* WAL pages at which a connection checkpoints by itself (wal_autocheckpoint) when no
 * checkpointer of its process watches it, or its checkpointer has stopped. */
#define SQ_AUTOCKPT 10000
#define SQ_CACHE_KIB_NEG -65536 /* a connection's page cache: 64 MiB (negative: KiB) */
#define SQ_STR_(x) #x
#define SQ_STR(x) SQ_STR_(x)
/* Called by every new connection: when this process's checkpointer runs on the same
 * database file, the connection reports its commits to it instead of checkpointing
 * (then true). */
bool sq_checkpoint_watch(sqlite3 *db);

/* ---- statements and errors (store_sqlite.c) --------------------------------------- */

/* The cached statement `id` (prepared from `sql` on first use), reset and unbound.
 * NULL with err filled when preparing fails. */
sqlite3_stmt *sq_stmt(struct sq_store *s, enum sq_stmt_id id, const char *sql, fk_err *err);
/* Map a SQLite result code to err: BUSY/LOCKED -> FK_EBUSY, constraint ->
 * FK_ECONFLICT, anything else FK_EIO with sqlite3_errmsg. Returns -1. */
int sq_dberr(struct sq_store *s, int rc, fk_err *err);
/* Step a statement that returns no row; resets it. */
int sq_exec_stmt(struct sq_store *s, sqlite3_stmt *st, fk_err *err);
/* Step once: 1 with a row (statement NOT reset: read columns, then sqlite3_reset),
 * 0 when there is none (reset), -1 on error (reset, err filled). */
int sq_step_row(struct sq_store *s, sqlite3_stmt *st, fk_err *err);
/* Run a single-integer query; *out = 0 when it returns no row. Resets. */
int sq_int_query(struct sq_store *s, sqlite3_stmt *st, int64_t *out, fk_err *err);
/* The health codes' answers version moved once (migration 0033): what its triggers do for
 * each row, for a set of rows written with the connection's triggers off (a batch of
 * results, the codes a recompute logged). */
int sq_answers_moved(struct sq_store *s, fk_err *err);

/* Bind text (NULL binds SQL NULL); the string must outlive the step. */
int sq_bind_text(sqlite3_stmt *st, int idx, const char *text);
/* Copy column `col` into dst (truncating, always NUL-terminated; NULL -> ""). */
void sq_col_text(char *dst, size_t cap, sqlite3_stmt *st, int col);

/* ---- has anything committed? (store_sqlite.c) -------------------------------------- */
/* The wal-index header (both copies equal) into out: false when it is not to be had (not
 * in WAL mode, not mapped yet) or is being written. Two equal headers taken at two times
 * mean no transaction committed in between, in any process. */
bool sq_wal_header(struct sq_store *s, unsigned char out[SQ_WAL_HDR_BYTES]);
/* The connection's next read starts a snapshot of its own: no transaction open, no
 * statement stepped and not reset (either would hold an older snapshot). */
bool sq_reads_now(struct sq_store *s);

/* ---- units (store_sqlite.c) -------------------------------------------------------- */
/* Take (true) or release (false) the mutex this process's writers queue on before BEGIN
 * IMMEDIATE (the checkpointer's idle truncation: no writer begins meanwhile). Not while
 * holding a unit. */
void sq_writer_hold(bool hold);
/* How many writes announced by store_writes_pending are not yet done (a hint: it may
 * change as soon as read). */
int sq_writers_busy(void);
int sq_begin(struct sq_store *s, fk_err *err);
int sq_commit(struct sq_store *s, fk_err *err);
void sq_rollback(struct sq_store *s);
/* End a unit: commit when rc == 0, else roll it back. Returns 0 or -1. */
int sq_end(struct sq_store *s, int rc, fk_err *err);
/* A unit of ONE write statement (bound, not yet stepped): inside a caller's unit it is
 * stepped alone, since SQLite undoes a failed statement by itself and a savepoint
 * would only cost two more statements a row (bulk imports insert millions); at depth
 * 0 it runs in its own transaction. Returns 0 or -1. */
int sq_write1(struct sq_store *s, sqlite3_stmt *st, fk_err *err);
/* Switch this connection's triggers and foreign-key checks off (their state before in
 * was[]), or back to was[] (off = false): a bulk insert's rows then checked set-based in
 * the same unit (store_sqlite_testing_bulk.c's scans, the results' batch, an allocation
 * batch). The connection's setting alone, never the schema's. What the skipped triggers
 * would have written the writer writes itself: counts (rooms, tubes), and a move of
 * code_answers_version (0033) when it writes what a scan's answer is made of (health
 * codes, names, rules, tube results, scans into a tube with a result). */
void sq_checks_off(sqlite3 *db, bool off, int was[2]);
/* store_results_add_checked (store_testing_bulk.h), in store_sqlite_sample_flow.c beside
 * the checked batch it shares. */
int sq_results_add_checked(store *st, checked_result *r, size_t n, const char *by,
                           fk_err *err);
int sq_results_checked_hold(store *st, bool on, fk_err *err);
/* The connection's foreign-key probes alone off (was: the setting before) and back: for
 * a write whose every reference is a row read in the same unit (a push's joined rows, an
 * allocation batch's rooms, persons and leads). Unlike the pragmas, these settings change
 * inside a transaction; changing them expires the connection's prepared statements, which
 * SQLite prepares again on their next step (then without the checks). */
void sq_fkeys_off(sqlite3 *db, bool off, int *was);
/* The connection's CHECK constraints off and back on (PRAGMA ignore_check_constraints):
 * for a bulk insert whose every checked value is either given once by the caller, and
 * checked once by the writer before it switches them off, or copied from a row whose own
 * CHECK already holds it (a push: store_sqlite_leads.c). SQLite compiles the checks into
 * a statement when it prepares it, so like the foreign keys above the switch expires the
 * connection's prepared statements, and it may change inside a transaction. */
int sq_row_checks_off(struct sq_store *s, bool off, fk_err *err);
/* A read snapshot for a list's count and page (both see the same rows): at depth 0
 * a deferred BEGIN that never writes; inside a unit, nothing. sq_read_end(s, began)
 * closes what sq_read_begin opened; began is 1 when a transaction was opened. */
int sq_read_begin(struct sq_store *s, int *began, fk_err *err);
void sq_read_end(struct sq_store *s, int began);
/* Write a (NULL = none) in the current unit; entity_id fills a->entity_id when 0. */
int sq_audit_write(struct sq_store *s, const audit_rec *a, int64_t entity_id, fk_err *err);
/* A stand-alone append of reads: n items in one commit with synchronous=NORMAL (see
 * store_sqlite.c), `write(s, items, i, n, err)` called until all are written: it writes
 * items i.. (one or more, at most n - i) and returns how many, or -1. */
typedef int (*sq_append_fn)(struct sq_store *s, const void *items, size_t i, size_t n,
                            fk_err *err);
int sq_append_reads(struct sq_store *s, sq_append_fn write, const void *items, size_t n,
                    fk_err *err);

/* ---- the scan audit and the audit list (store_sqlite_audit.c) ---------------------- */
int sq_scan_audit_append_many(store *st, const scan_audit_rec *a, size_t n, fk_err *err);
int sq_audit_list(store *st, const audit_filter *f, audit_list *out, fk_err *err);

/* ---- dynamic queries for the filtered lists (store_sqlite.c) ---------------------- */
#define SQ_MAX_BINDS 40
typedef struct sq_binds {
    int n;
    struct { const char *text; int64_t num; int is_text; } v[SQ_MAX_BINDS];
} sq_binds;

void sq_bind_add_text(sq_binds *b, const char *text);
void sq_bind_add_int(sq_binds *b, int64_t num);
/* Prepare (uncached) `sql` and bind b; caller finalizes. */
sqlite3_stmt *sq_prepare_bound(struct sq_store *s, const char *sql, const sq_binds *b,
                               fk_err *err);
/* SELECT count(*) ... with binds. */
int sq_count(struct sq_store *s, const char *sql, const sq_binds *b, int64_t *out, fk_err *err);

typedef void (*sq_row_fn)(sqlite3_stmt *st, void *item);
/* Step st to the end, appending one `size`-byte item per row filled by fn into a
 * heap array (*items, *n). On error frees the array and returns -1 (FK_EBUSY when
 * out of memory). Resets st. */
int sq_collect(struct sq_store *s, sqlite3_stmt *st, sq_row_fn fn, size_t size, void **items,
               size_t *n, fk_err *err);
/* " AND col >= ? AND col < ? || '~'" with the prefix bound twice: an area-code prefix as a
 * range, so an index on col serves it. Nothing when prefix is NULL or "". */
void sq_where_prefix(strbuf *w, sq_binds *b, const char *col, const char *prefix);
/* The source of a read of leads by area, as alias l, appended to sql right after FROM:
 * "leads l" when prefix is NULL or "", else the leads whose area_code starts with it,
 * each once (its binds added to b: the caller's WHERE binds follow). A pushed lead has no
 * entry in leads_area (migration 0037): the area's lead_runs rows name it. Every read of
 * leads by area uses it (store_sqlite_leads.c). */
void sq_lead_area_from(strbuf *sql, sq_binds *b, const char *prefix);

/* The members of tube `tube` (an SQL expression) as alias m: a member's id is
 * tube_id * 128 + its place, 1..100 (migration 0032), so a tube's members are an id
 * range, read through the table itself; written out because SQLite does not derive the
 * range from m.tube_id. Both operands are evaluated as SQL text: parenthesised. */
#define SQ_MEMBERS_OF(m, tube)                                                               \
    m ".id BETWEEN (" tube ") * 128 + 1 AND (" tube ") * 128 + 127 AND " m ".tube_id = " tube
/* A member's id from its tube and place (1..size), as the schema's CHECK and guard
 * want it. */
#define SQ_MEMBER_ID(tube_id, place) ((int64_t)(tube_id) * 128 + (place))

/* The results of tube `tube` (an SQL expression) as alias r of fk_results: a result's
 * id is tube_id * 128 + its rank, 0 for the first result, then one more for each
 * correction (migration 0043), so a tube's results are an id range, its current result
 * the range's largest id. The operand is evaluated as SQL text: parenthesised. */
#define SQ_RESULTS_OF(r, tube) r ".id BETWEEN (" tube ") * 128 AND (" tube ") * 128 + 127"
/* A tube's first result's id (rank 0), as SQL of the tube id expression `tube`. */
#define SQ_FIRST_RESULT(tube) "(" tube ") * 128"

/* ---- the store's virtual tables (store_sqlite_vtab.c) ------------------------------- */
/* A table of fk_members or fk_results: one cursor's statements kept between cursors. */
#define SQ_VTAB_STMTS 8
typedef struct sq_vtab {
    sqlite3_vtab base;
    sqlite3 *db;
    sqlite3_stmt *spare[SQ_VTAB_STMTS];
    bool spare_free; /* spare is the table's to give (no cursor holds it) */
} sq_vtab;
/* xConnect: declares schema, the table allocated (innocuous: triggers and views may read
 * it); xDisconnect: the spare statements finalized. SQLite codes. */
int sq_vtab_connect(sqlite3 *db, const char *schema, sqlite3_vtab **out);
int sq_vtab_disconnect(sqlite3_vtab *v);
/* The start of such a table's cursor: its connection and its nq statements. */
typedef struct sq_vcursor {
    sqlite3_vtab_cursor base;
    sqlite3 *db;
    sqlite3_stmt *q[SQ_VTAB_STMTS];
    int nq;
} sq_vcursor;
/* xOpen: a cursor of `size` bytes (a struct whose first member is an sq_vcursor), zeroed,
 * holding the table's spare statements when they are free (nq <= SQ_VTAB_STMTS); an
 * SQLite code. sq_vtab_close, after the caller has freed its cursor's own fields: the
 * statements back to the table (reset; kept when it has none, else finalized), the
 * cursor freed. */
int sq_vtab_open(sqlite3_vtab *v, size_t size, int nq, sqlite3_vtab_cursor **out);
void sq_vtab_close(sqlite3_vtab_cursor *cur);
/* Statement `which` prepared from sql (persistent) on first use, then reset: NULL when it
 * cannot be. */
sqlite3_stmt *sq_vtab_stmt(sq_vcursor *c, int which, const char *sql);
/* SQLITE_ERROR, the table's message "NAME: why" set. */
int sq_vtab_fail(sq_vcursor *c, const char *name, const char *why);

/* ---- members (store_sqlite_members.c, migration 0035) -------------------------------- */
/* On a new connection, before its migrations: the virtual table fk_members (the members
 * as rows: id, tube_id, person_id, round_id, scanned_at, scanned_by), 0035's aggregate
 * fk_slots_pack and 0038's fk_slots_widen. An SQLite result code. */
int sq_members_register(sqlite3 *db);
/* fk_ids(text), the integers of a JSON array as rows, on connection db: the readers of
 * leads by area read lead_runs.ids with it (store_sqlite_lead_ids.c). */
int sq_lead_ids_register(sqlite3 *db);
/* A chunk of a round's person slots (migration 0038): 1,024 slots of SQ_SLOT_WIDTH
 * bytes, each a little-endian member id (tube * 128 + place; 0 = none), so a tube id is
 * below 2^33. */
#define SQ_SLOT_WIDTH 5
#define SQ_CHUNK_BYTES (1024 * SQ_SLOT_WIDTH)
/* round_slots' key (migration 0042): chunk * 2^24 + round_id, as SQL of ?1 chunk, ?2 round;
 * and the key range of chunk ?1's rows of every round. */
#define SQ_SLOTS_KEY "(?1 * 16777216 + ?2)"
#define SQ_SLOTS_CHUNK_RANGE "BETWEEN ?1 * 16777216 AND ?1 * 16777216 + 16777215"
#define SQ_TUBE_LIMIT ((int64_t)1 << 33)
/* One chunk as a write holds it, and the set a write touches (each read once, written by
 * sq_chunks_write). */
typedef struct sq_chunk {
    int64_t chunk, round;
    bool dirty;
    unsigned char slots[SQ_CHUNK_BYTES];
} sq_chunk;
typedef struct sq_chunks {
    sq_chunk *items;
    size_t n, cap;
    int32_t *index;
    size_t icap;
    int64_t top_person; /* the persons' largest id, read on first use (0: not yet) */
} sq_chunks;
/* Members persons[0..n) scanned at ats[] by `by` into tube (of round) at places first..
 * first + n - 1: each person has no slot in the round (FK_ECONFLICT "person" else), the
 * tube's members so far are first - 1 (FK_ECONFLICT "barcode"); their slots set in cs,
 * the tube's tube_sets row written. The persons are ones the caller read in this write
 * transaction (not looked up again: store_sqlite_members.c's header; an id outside the
 * persons' range is refused, FK_ECONFLICT "person"). The caller moves the tube row
 * (state, n_members: before this, so 0035's tube_sets_count holds) and writes cs. */
int sq_members_add(struct sq_store *s, sq_chunks *cs, int64_t tube, int64_t round, int first,
                   const int64_t *persons, const int64_t *ats, size_t n, const char *by,
                   fk_err *err);
int sq_chunks_write(struct sq_store *s, sq_chunks *cs, fk_err *err);
void sq_chunks_free(sq_chunks *cs);

/* ---- results (store_sqlite_results.c, migration 0044) --------------------------------- */
/* On a new connection, before its migrations: the virtual table fk_results (every result
 * as a row: id, tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at, reported_by,
 * replaces, reason) and 0044's aggregate fk_results_pack. An SQLite result code. */
int sq_results_register(sqlite3 *db);
/* A first result for sq_results_firsts_write; the texts are the caller's. */
typedef struct sq_first_result {
    int64_t tube_id, lab_id, reported_at;
    const char *result, *reported_by;
    double ct_orf1ab, ct_n; /* a positive's; unused otherwise */
} sq_first_result;
/* First results r[0..n) (any order) into their tubes' chunks, inside the caller's unit:
 * a tube with a first result already, in the store or twice in r, is refused
 * (FK_ECONFLICT "barcode"), as are a result other than the three, a lab id beyond 32
 * bits or a reporter over 255 bytes (FK_EINVAL). The caller checked the rest (each tube
 * received by the row's lab; a positive's Ct values): store_sqlite_results.c's header. */
int sq_results_firsts_write(struct sq_store *s, const sq_first_result *r, size_t n,
                            fk_err *err);

/* Run `call` (an int expression using err) as a unit of its own, or inside the caller's
 * transaction without a savepoint when one is open (the caller's rollback undoes it):
 * for the units that batches repeat thousands of times. Returns from the function. */
#define SQ_UNIT_OR_JOIN(s, call)                                                             \
    do {                                                                                     \
        if ((s)->depth > 0)                                                                  \
            return (call);                                                                   \
        if (sq_begin((s), err) != 0)                                                         \
            return -1;                                                                       \
        return sq_end((s), (call), err);                                                     \
    } while (0)

/* Prepare (uncached) `sql`, bind b, step once, finalize: for statements that are not hot. */
int sq_run_bound(struct sq_store *s, const char *sql, const sq_binds *b, fk_err *err);
/* Every row of `sql` (binds b) into a fresh array as sq_collect does; no row is not an
 * error (*items NULL, *n 0). Prepared uncached, finalized. */
int sq_collect_sql(struct sq_store *s, const char *sql, const sq_binds *b, sq_row_fn fn,
                   size_t size, void **items, size_t *n, fk_err *err);
/* The first row of `sql` (binds b) into out (`size` bytes): 1, 0 when there is none (out
 * untouched), -1 on error. For reads of one record by its key. */
int sq_one_sql(struct sq_store *s, const char *sql, const sq_binds *b, sq_row_fn fn,
               size_t size, void *out, fk_err *err);

/* One page of a filtered list and the total of the same filter, read in one snapshot:
 * "SELECT count(*) FROM <from><where>" then
 * "SELECT <columns> FROM <from><where> ORDER BY <order> LIMIT ? OFFSET ?".
 * `where` starts with " WHERE"; its parameters are in b (limit and offset are added
 * here). Rows are collected as sq_collect does. `count`, when set, is the total's query
 * instead (its parameters in count_binds): the same rows counted a cheaper way. */
typedef struct sq_page_query {
    const char *columns, *from, *where, *order;
    int limit, offset;
    sq_row_fn row;
    size_t size;
    const char *count;
    const sq_binds *count_binds;
} sq_page_query;
int sq_page(struct sq_store *s, const sq_page_query *q, sq_binds *b, void **items, size_t *n,
            int64_t *total, fk_err *err);

/* limit clamped to 1..1000 (0 or less -> 50); offset to >= 0. */
int sq_limit(int limit);
int sq_offset(int offset);
/* Is s non-NULL and non-empty? */
int sq_given(const char *s);

/* ---- streaming a time span (store_sqlite_stays.c) --------------------------------- */
/* Runs the cached statement `id` (`sql` with ?1 = from, ?2 = to or INT64_MAX when
 * to <= 0) in one read snapshot and calls row(q, visit) for each result row; row
 * returns 0 to go on, non-zero to stop (that value is returned). */
typedef int (*sq_span_row)(sqlite3_stmt *q, void *visit);
int sq_each_span(struct sq_store *s, enum sq_stmt_id id, const char *sql, int64_t from,
                 int64_t to, sq_span_row row, void *visit, fk_err *err);

/* ---- ops implemented in the other files ------------------------------------------- */
int sq_area_insert(store *st, const area *a, fk_err *err);
int sq_area_get(store *st, const char *code, area *out, fk_err *err);
int sq_area_children(store *st, const char *parent_code, area_list *out, fk_err *err);
int sq_building_insert(store *st, building *b, fk_err *err);
int sq_household_insert(store *st, household *h, fk_err *err);
int sq_household_get(store *st, int64_t id, household *out, fk_err *err);
int sq_household_list(store *st, const char *community_code, int limit, int offset,
                      household_list *out, fk_err *err);
int sq_venue_insert(store *st, venue *v, fk_err *err);
int sq_stay_insert(store *st, const stay_rec *r, fk_err *err);
int sq_stays_insert_many(store *st, const stay_rec *r, size_t n, fk_err *err);
int sq_stays_version(store *st, int64_t *out, fk_err *err);
int sq_stays_after(store *st, int64_t after_id, int64_t upto_id, stay_fn fn, void *ctx,
                   fk_err *err);
int sq_detections_after(store *st, int64_t after_id, int64_t upto_id,
                           detection_fn fn, void *ctx, fk_err *err);
int sq_input_ids(store *st, int64_t ids[3], fk_err *err);
int sq_stays_each(store *st, int64_t from, int64_t to, stay_fn fn, void *ctx, fk_err *err);
int sq_contact_upsert(store *st, contact_rec *c, const audit_rec *a, fk_err *err);
int sq_contact_get(store *st, int64_t id, contact_rec *out, fk_err *err);
int sq_contact_list(store *st, int64_t case_id, contact_rec_list *out, fk_err *err);
int sq_contact_review(store *st, int64_t id, const char *status, const char *note,
                      const char *reviewer, int64_t at, const audit_rec *a, fk_err *err);
int sq_chain_edges(store *st, const char *area_prefix, chain_edge_list *out, fk_err *err);
int sq_ping_insert(store *st, const ping_rec *p, fk_err *err);
int sq_pings_each(store *st, int64_t from, int64_t to, ping_fn fn, void *ctx, fk_err *err);
int sq_pings_after(store *st, int64_t after_id, int64_t upto_id, ping_fn fn, void *ctx,
                   fk_err *err);
int sq_ping_last(store *st, const char *subject, int64_t upto_id, ping_rec *out, fk_err *err);
int sq_detection_insert(store *st, const detection_rec *d, fk_err *err);
int sq_detections_each(store *st, int64_t from, int64_t to, detection_fn fn, void *ctx,
                       fk_err *err);
int sq_venue_list(store *st, const char *area_prefix, const char *kind, int limit, int offset,
                  venue_list *out, fk_err *err);
int sq_person_insert(store *st, person *p, const audit_rec *a, fk_err *err);
int sq_person_update(store *st, person *p, const audit_rec *a, fk_err *err);
int sq_person_get(store *st, int64_t id, person *out, fk_err *err);
int sq_person_find_by_id_number(store *st, const char *id_number, person *out, fk_err *err);
int sq_person_find_by_subject(store *st, const char *subject, person *out, fk_err *err);
int sq_person_list(store *st, const person_filter *f, person_list *out, fk_err *err);
/* SQL selecting ids of persons whose name, ID number or phone starts with the bound
 * parameter (bind it three times); uses three index range scans. */
extern const char sq_person_prefix_ids[];

int sq_case_insert(store *st, epicase *c, const audit_rec *a, fk_err *err);
int sq_case_update(store *st, epicase *c, const audit_rec *a, fk_err *err);
int sq_case_get(store *st, int64_t id, epicase *out, fk_err *err);
int sq_case_list(store *st, const case_filter *f, case_list *out, fk_err *err);
int sq_case_transition(store *st, int64_t case_id, const char *to, const char *note,
                       const audit_rec *a, case_transition *out, fk_err *err);
int sq_case_transitions(store *st, int64_t case_id, transition_list *out, fk_err *err);
int sq_case_tally(store *st, const char *column, const char *area_prefix, tally_list *out,
                  fk_err *err);

int sq_user_insert(store *st, user *u, const audit_rec *a, fk_err *err);
int sq_user_get_by_name(store *st, const char *username, user *out, fk_err *err);
int sq_user_get(store *st, int64_t id, user *out, fk_err *err);
int sq_user_update(store *st, const user *u, const audit_rec *a, fk_err *err);
int sq_user_list(store *st, user_list *out, fk_err *err);
int sq_session_insert(store *st, const char *token_hash, int64_t user_id, int64_t expires_at,
                      fk_err *err);
int sq_session_user(store *st, const char *token_hash, int64_t now, user *out, fk_err *err);
int sq_session_revoke(store *st, const char *token_hash, fk_err *err);
int sq_session_revoke_user(store *st, int64_t user_id, fk_err *err);

int sq_outbreak_link_insert(store *st, outbreak_link *l, fk_err *err);
int sq_outbreak_links(store *st, outbreak_link_list *out, fk_err *err);

/* The escalation clock's bookkeeping of a lead write (store_sqlite_leads.c, migration
 * 0022), in the writer's unit: settle before a lead moves (the level it shows becomes its
 * stored one), owe after (owed, or next_at lowered), owe_pushed after leads first..last
 * were inserted pushed with deadlines d. */
int sq_lead_esc_settle(struct sq_store *s, int64_t id, fk_err *err);
int sq_lead_esc_owe(struct sq_store *s, int64_t id, fk_err *err);
int sq_lead_esc_owe_pushed(struct sq_store *s, int64_t first, int64_t last,
                           const int64_t d[LEAD_STEPS], fk_err *err);
int sq_lead_insert(store *st, lead_rec *l, const char *actor, const char *note,
                   const audit_rec *a, fk_err *err);
int sq_lead_get(store *st, int64_t id, lead_rec *out, fk_err *err);
int sq_lead_list(store *st, const lead_filter *f, lead_list *out, fk_err *err);
int sq_lead_each(store *st, const lead_filter *f, lead_fn fn, void *ctx, fk_err *err);
int sq_lead_events(store *st, int64_t lead_id, lead_event_list *out, fk_err *err);
int sq_lead_transition(store *st, int64_t id, const char *from, const char *to,
                       const char *measure_taken, const char *assignee, const char *actor,
                       const char *note, int64_t at, const audit_rec *a, lead_rec *out,
                       fk_err *err);
int sq_lead_escalate(store *st, int64_t id, int level, int64_t at, const char *actor,
                     const char *note, const audit_rec *a, int *raised, fk_err *err);
int sq_lead_push(store *st, const lead_push *p, const audit_rec *a, int64_t *first,
                 int64_t *last, fk_err *err);
int sq_lead_range(store *st, int64_t first, int64_t last, lead_list *out, fk_err *err);
int sq_lead_escalation_pending(store *st, int64_t now, bool *pending, fk_err *err);
int sq_lead_escalate_page(store *st, lead_sweep *sw, lead_sweep_page *out, fk_err *err);

int sq_resp_set(store *st, resp_rec *r, const audit_rec *a, fk_err *err);
int sq_resp_at(store *st, const char *function, const char *area_code, int64_t at,
               resp_rec *out, fk_err *err);
int sq_resp_list(store *st, const resp_filter *f, resp_list *out, fk_err *err);
int sq_report_insert(store *st, report_rec *r, const audit_rec *a, fk_err *err);
int sq_reports_between(store *st, const char *from_day, const char *to_day,
                       const char *area_prefix, report_list *out, fk_err *err);
int sq_areas_at_levels(store *st, const char *levels, const char *area_prefix,
                       area_list *out, fk_err *err);
int sq_action_insert(store *st, action_rec *r, const audit_rec *a, fk_err *err);
int sq_action_list(store *st, const action_filter *f, action_list *out, fk_err *err);
int sq_lead_facts(store *st, int64_t from, int64_t to, const char *area_prefix,
                  lead_fact_list *out, fk_err *err);
int sq_lead_fact(store *st, int64_t id, lead_fact *out, fk_err *err);

/* store_sqlite_isolation.c */
extern const struct store_isolation_ops sq_isolation_ops;
/* store_sqlite_transfers.c */
extern const struct store_transfer_ops sq_transfer_ops;
/* store_sqlite_testing.c */
extern const struct store_testing_ops sq_testing_ops;
/* store_sqlite_coverage.c */
extern const struct store_coverage_ops sq_coverage_ops;
/* store_sqlite_sample_flow.c */
extern const struct store_sample_flow_ops sq_sample_flow_ops;
extern const struct store_positive_ops sq_positive_ops;
/* store_sqlite_reconcile.c */
extern const struct store_reconcile_ops sq_reconcile_ops;
extern const struct store_travel_ops sq_travel_ops;
/* store_sqlite_codes.c */
extern const struct store_codes_ops sq_codes_ops;
/* store_sqlite_testing_bulk.c */
extern const struct store_testing_bulk_ops sq_testing_bulk_ops;
/* store_sqlite_residents.c */
extern const struct store_residents_ops sq_residents_ops;
/* store_sqlite_zones.c */
extern const struct store_zone_ops sq_zone_ops;

#endif
