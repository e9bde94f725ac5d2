/*
 * store.h - the persistence interface the services see.
 *
 * What it owns: every durable record (areas, buildings, households, persons, cases
 * and their transitions, users, sessions, the audit log, schema version; leads and
 * their events in store_leads.h; responsibilities, daily reports and actions in
 * store_accountability.h).
 * What it does not do: validation of field formats (model/ does that before calling),
 * permission checks (services/ do). It does check references (household exists,
 * community exists, person exists), uniqueness (ID number, username) and state
 * (case transitions) inside the same transaction as the write.
 *
 * Backends: store.c dispatches through a table of function pointers (store_ops in
 * store_int.h); store_sqlite.c is the default. A PostgreSQL backend adds store_pg.c
 * and a scheme in store_open(); nothing above this header changes.
 *
 * Durability: a function that returned 0 after a write has committed it durably
 * (SQLite WAL with synchronous=FULL); it survives kill -9 and power loss.
 * Audit: every mutating function takes the audit record to write in the SAME
 * transaction as the change (NULL only for the demo generator and migrations).
 * Reads are audited by the caller with store_audit_append().
 *
 * Transactions: every call is atomic on its own. store_begin/commit/rollback wrap
 * many calls in one transaction (imports, the demo generator); calls inside nest as
 * savepoints, so a failing call inside a batch undoes only itself unless the caller
 * rolls back the whole batch.
 *
 * Threads: a store handle is one connection; use it from one thread at a time.
 * Open one handle per thread (the HTTP server keeps one per worker thread).
 * Memory: list results are heap arrays owned by the caller and freed with the
 * matching *_list_free(); single records are copied into caller-provided structs.
 */
#ifndef FK_STORE_STORE_H
#define FK_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "model/area.h"
#include "model/epicase.h"
#include "model/person.h"

typedef struct store store;

/* Open (creating the directory and database when missing) the store at `location`:
 * a directory path means SQLite at DIR/fangkong.db. Applies pending migrations
 * (safe when several handles open at once). Returns NULL and fills err on failure. */
store *store_open(const char *location, fk_err *err);
void store_close(store *st);

/* ---- checkpoints ----------------------------------------------------------------------
 * A long-running process (the server) copies the write-ahead log into the database in a
 * thread of its own, so that no request's commit waits for a checkpoint. Started after
 * the migrations and before the handles it is to serve: handles opened afterwards on the
 * same store in this process report their commits to it instead of checkpointing
 * themselves (handles of other processes, and those opened before, keep checkpointing at
 * their own commits). Every limit 0 takes its default: the thread copies once `pages`
 * WAL pages wait (4,000, 16 MiB) and no burst of writes is announced
 * (store_writes_pending; or `busy_pages`, 30,000, wait), and everything, truncating the
 * WAL, `idle_ms` (1,000) after the last commit; a commit that leaves `hard_pages`
 * (40,000) uncopied copies them itself. Durability is unchanged (a commit is durable in the WAL before it returns).
 * One per process; start returns NULL with err (FK_EBUSY: one runs already; FK_EIO).
 * stop: after every handle watched is closed, or they go back to checkpointing
 * themselves; NULL is a no-op. Thread safety: start and stop from one thread. */
typedef struct store_checkpointer store_checkpointer;
typedef struct store_checkpoint_limits {
    int pages, hard_pages, idle_ms;
    int busy_pages; /* while writers are at work, the thread waits until this many */
} store_checkpoint_limits;
store_checkpointer *store_checkpointer_start(const char *location,
                                             const store_checkpoint_limits *lim, fk_err *err);
void store_checkpointer_stop(store_checkpointer *c);
/* A burst of writes announced, true when it starts and false when it is done (in pairs,
 * from any thread; services/allocator.h: each batch from its arrival to its answer;
 * services/leads.c: a case's push, about 140 WAL pages each): the checkpointer defers its
 * passes while any is announced. */
void store_writes_pending(bool pending);
/* How long this process's writers have been quiet: milliseconds since the latest commit
 * its checkpointer was told of (or since the checkpointer started), 0 while a burst of
 * writes is announced, -1 when no checkpointer runs (nothing is known: the CLI). For
 * background work that is to wait for a pause in the requests' writes (the residents
 * keeper). Any thread. */
int64_t store_writes_quiet_ms(void);
/* For a big write from any thread (a case's push): the process's shared handle on the
 * same store, taken until store_shared_give, or `st` itself when there is none (no
 * checkpointer: the CLI) or st is inside a unit. One connection that such writers take
 * in turn keeps its page cache from one request to the next, where each worker's handle
 * loses its cache whenever another handle commits. Call from outside any unit; the taker
 * is the only user of the handle until it gives it back (the next taker waits). */
store *store_shared_take(store *st);
void store_shared_give(store *st, store *taken);

/* Schema version after migrations; the newest version this binary knows. */
int store_schema_version(store *st);
int store_schema_latest(void);
/* For a handle that reads much and writes little (the sweeps'): reads of the database
 * through a memory map from now on. 0, or -1 with err. */
int store_map_reads(store *st, fk_err *err);
/* Reads through read() again (a handle mapped for one big read: the results import's
 * received tubes, on whichever handle the import runs, the server's included). */
int store_unmap_reads(store *st, fk_err *err);
/* For a big write done beside other work (the scans import's writer thread, while its
 * parser reads the next batch): a page cache of `kib` KiB, so that the write's pages go
 * to the WAL as the cache fills, during the write, instead of all at the commit; kib 0
 * gives the handle's usual cache back (64 MiB, which keeps a batch's pages out of the
 * WAL until its commit). Durability is the commit's as ever. 0, or -1 with err. */
int store_spill_early(store *st, int kib, fk_err *err);
/* For one big write by a process without the server's checkpointer (the CLI's scans
 * and results imports): later true, the handle's commits no longer copy the WAL into
 * the database themselves (SQLite's automatic checkpoint at SQ_AUTOCKPT pages, which a
 * city's 970,001 scans, 10,141 pages, crossed: the commit then copied 40 MiB and synced the database,
 * 0.3-0.7 s after the WAL's own sync). The commit is as durable (the WAL is synced); the
 * copy is left to the server's checkpointer when one runs on the file (at its next
 * commit), else to this handle's next commit after `later` false, or to the last
 * connection's close (SQLite checkpoints then). A handle its process's checkpointer
 * watches is left as it is (its commits never copy more than the checkpointer's hard
 * limit). 0, or -1 with err. */
int store_checkpoint_later(store *st, bool later, fk_err *err);
/* For a unit that has written much to the WAL and will now work a while without writing
 * (the results import before its follow-up): the disk starts writing the WAL's pages now
 * (Linux's sync_file_range, without waiting), so the commit's sync, which durability still
 * rests on, waits for fewer of them. A hint: where it cannot be given it is not. */
void store_wal_write_early(store *st);
/* For a handle that writes nothing but batch allocations (services/allocator.h): its
 * triggers and foreign-key probes off from now on. A batch turns them off for the two
 * statements that write its rows and checks their rules itself (store_allocations_insert),
 * and every such switch expired each statement the handle had prepared (SQLite parsed
 * about ten again a batch); on this handle the switches change nothing. The rest of a
 * batch's writes (the facilities' counts, the audit record) meet no trigger and no
 * reference: a trigger added on facilities or on audit inserts must be checked by the
 * batch too. 0, or -1 with err. */
int store_batch_writer(store *st, fk_err *err);
/* Integrity and foreign-key checks; appends a human report to `report`. Returns 0 when
 * everything is consistent, -1 with FK_EIO and the first problem otherwise. */
int store_check(store *st, strbuf *report, fk_err *err);

int store_begin(store *st, fk_err *err);
int store_commit(store *st, fk_err *err);
void store_rollback(store *st);
/* Close the unit store_begin opened: commit when rc is 0 (the commit's result), else roll
 * back and return -1, err kept as the failed call left it. */
int store_end(store *st, int rc, fk_err *err);

/* ---- audit ------------------------------------------------------------------------ */
typedef struct audit_rec {
    int64_t id;             /* assigned */
    int64_t at;             /* assigned when 0 */
    char actor[64];         /* username, or "cli:NAME" / "system" */
    char role[16];
    char action[24];        /* read | list | create | update | transition | export | import | login ... */
    char entity[16];        /* person | case | user | session | ... */
    int64_t entity_id;      /* 0 when not one record */
    char detail[256];       /* e.g. the query of a list, the changed fields */
    char remote[64];        /* client address or "cli" */
    bool scan;              /* a row of code_scans (its own ids), not of the audit table */
} audit_rec;

typedef struct audit_filter {
    const char *actor;      /* exact, NULL = any */
    const char *entity;     /* exact, NULL = any */
    int64_t entity_id;      /* 0 = any */
    int64_t since, until;   /* 0 = open */
    int limit, offset;
} audit_filter;

typedef struct audit_list { audit_rec *items; size_t n; int64_t total; } audit_list;

int store_audit_append(store *st, const audit_rec *a, fk_err *err);
/* n records of reads in one commit, all or none, as store_audit_append commits one: for a
 * writer that queues reads (a gate's scans) and must not pay a statement per row for the
 * savepoint a nested append takes. */
int store_audit_append_many(store *st, const audit_rec *a, size_t n, fk_err *err);
/* The audit log, newest first: the audit table and the gates' scans (code_scans) merged
 * by time, as one list (a scan reads as actor "public", action "scan", entity
 * "health_code", entity_id the person, detail "colour=C", scan true). */
int store_audit_list(store *st, const audit_filter *f, audit_list *out, fk_err *err);
void audit_list_free(audit_list *l);

/* A gate's scan of a health code, audited in code_scans (0029) instead of the audit
 * table: no index to keep. */
typedef struct scan_audit_rec {
    int64_t at;             /* when; appended in time order (see below) */
    int64_t person_id;
    char colour[8];         /* the colour the gate was shown */
    char remote[48];        /* the gate's address */
} scan_audit_rec;
/* n scans in one commit, all or none, with the durability of store_audit_append. The
 * rows must come in time order, after every scan appended before (the audit list's
 * merge reads code_scans by rowid as its time order). */
int store_scan_audit_append_many(store *st, const scan_audit_rec *s, size_t n, fk_err *err);

/* ---- areas, buildings, households ----------------------------------------------- */
typedef struct area_list { area *items; size_t n; } area_list;

int store_area_insert(store *st, const area *a, fk_err *err);       /* parent must exist */
int store_area_get(store *st, const char *code, area *out, fk_err *err);
/* Children of parent_code ("" = the districts), ordered by code. */
int store_area_children(store *st, const char *parent_code, area_list *out, fk_err *err);
void area_list_free(area_list *l);

int store_building_insert(store *st, building *b /* IN/OUT: id */, fk_err *err);
int store_household_insert(store *st, household *h /* IN/OUT: id, community_code */,
                           fk_err *err);
int store_household_get(store *st, int64_t id, household *out, fk_err *err);

typedef struct household_list { household *items; size_t n; int64_t total; } household_list;
/* Households of one community, ordered by id, paged (limit 1..1000). */
int store_household_list(store *st, const char *community_code, int limit, int offset,
                         household_list *out, fk_err *err);
void household_list_free(household_list *l);

typedef struct venue_list { venue *items; size_t n; int64_t total; } venue_list;
int store_venue_insert(store *st, venue *v /* IN/OUT: id */, fk_err *err); /* code unique, grid exists */
/* Venues whose grid code starts with area_prefix (NULL = all), optional kind, paged. */
int store_venue_list(store *st, const char *area_prefix, const char *kind, int limit, int offset,
                     venue_list *out, fk_err *err);
void venue_list_free(venue_list *l);

/* ---- persons ---------------------------------------------------------------------- */
typedef struct person_filter {
    const char *q;            /* prefix of name, ID number or phone; NULL = none */
    const char *area_prefix;  /* jurisdiction: community_code starts with it; NULL/"" = all */
    const char *community_code; /* exact; NULL = any */
    int64_t household_id;     /* 0 = any */
    const char *resident_type; /* NULL = any */
    const char *sex;          /* NULL = any */
    unsigned flags_any;       /* persons with any of these flags; 0 = no filter */
    int limit, offset;        /* limit 1..1000 */
} person_filter;

typedef struct person_list { person *items; size_t n; int64_t total; } person_list;

/* Insert; household_id must exist for residents (community_code is then taken from the
 * household), community_code must exist for non-residents; (id_type, id_number) unique.
 * Fills p->id, created_at, updated_at. */
int store_person_insert(store *st, person *p, const audit_rec *a, fk_err *err);
/* Replace all fields of person p->id with the same reference rules. */
int store_person_update(store *st, person *p, const audit_rec *a, fk_err *err);
int store_person_get(store *st, int64_t id, person *out, fk_err *err);
int store_person_find_by_id_number(store *st, const char *id_number, person *out, fk_err *err);
/* The person whose phone or ID number is exactly `subject` (the lowest id when several);
 * FK_ENOTFOUND when none. */
int store_person_find_by_subject(store *st, const char *subject, person *out, fk_err *err);
int store_person_list(store *st, const person_filter *f, person_list *out, fk_err *err);
void person_list_free(person_list *l);

/* ---- cases ------------------------------------------------------------------------ */
typedef struct case_filter {
    const char *q;            /* person name/ID/phone prefix, or a case number */
    const char *area_prefix;  /* jurisdiction of the person */
    const char *classification, *status, *source; /* exact; NULL = any */
    int64_t person_id;        /* 0 = any */
    int64_t reported_from, reported_to; /* [from, to), 0 = open */
    int limit, offset;
} case_filter;

typedef struct case_list { epicase *items; size_t n; int64_t total; } case_list;
typedef struct transition_list { case_transition *items; size_t n; } transition_list;

/* Insert with the next city-wide number and status "reported"; records the first
 * transition ("" -> reported) with actor a->actor. Person must exist. Fills id, number,
 * status, community_code, person_name, created_at. */
int store_case_insert(store *st, epicase *c, const audit_rec *a, fk_err *err);
/* Update editable fields (classification, severity, dates, source, hospital).
 * Status and number are not changed here. */
int store_case_update(store *st, epicase *c, const audit_rec *a, fk_err *err);
int store_case_get(store *st, int64_t id, epicase *out, fk_err *err);
int store_case_list(store *st, const case_filter *f, case_list *out, fk_err *err);
void case_list_free(case_list *l);
/* Move case to status `to` if case_transition_allowed(current, to), atomically (the
 * check and the write are one transaction); FK_ECONFLICT otherwise. Fills *out. */
int store_case_transition(store *st, int64_t case_id, const char *to, const char *note,
                          const audit_rec *a, case_transition *out, fk_err *err);
int store_case_transitions(store *st, int64_t case_id, transition_list *out, fk_err *err);
void transition_list_free(transition_list *l);

/* ---- users and sessions --------------------------------------------------------- */
typedef struct user {
    int64_t id;
    char username[64];
    char role[16];
    char area_code[16];       /* "" = whole city */
    char pw_hash[160];        /* libsodium crypto_pwhash_str output */
    int disabled;
    int64_t created_at;
} user;

typedef struct user_list { user *items; size_t n; } user_list;

int store_user_insert(store *st, user *u, const audit_rec *a, fk_err *err); /* unique name */
int store_user_get_by_name(store *st, const char *username, user *out, fk_err *err);
int store_user_get(store *st, int64_t id, user *out, fk_err *err);
int store_user_update(store *st, const user *u, const audit_rec *a, fk_err *err);
int store_user_list(store *st, user_list *out, fk_err *err);
void user_list_free(user_list *l);

/* Sessions are stored by the hash of the token, never the token itself. */
int store_session_insert(store *st, const char *token_hash, int64_t user_id, int64_t expires_at,
                         fk_err *err);
/* The user of a live (not expired, not revoked) session; FK_EUNAUTH otherwise. */
int store_session_user(store *st, const char *token_hash, int64_t now, user *out, fk_err *err);
int store_session_revoke(store *st, const char *token_hash, fk_err *err);
int store_session_revoke_user(store *st, int64_t user_id, fk_err *err);

/* ---- presence (contact discovery input) ------------------------------------------ */
typedef struct stay_rec {
    char subject[64];         /* phone, resident ID number or person id, as given */
    char place[32];           /* grid cell or venue code */
    int64_t start, end;       /* [start, end), Unix seconds */
    char source[16];          /* the import kind: "stays" */
} stay_rec;

/* Append one stay (no audit: the import that brings a file writes one record for it). */
int store_stay_insert(store *st, const stay_rec *s, fk_err *err);
/* Append n stays as one unit, stored compactly (packed many to a row: the bulk path of
 * imports, several times faster than n single inserts). Each stay is checked as the
 * table checks a single one (subject 1..63 bytes, place 1..31, end after start):
 * FK_EINVAL naming the field and the stay's index, and nothing is written. Readers
 * (store_stays_each, store_stays_after) see packed stays exactly like single ones, in
 * insertion order. */
int store_stays_insert_many(store *st, const stay_rec *s, size_t n, fk_err *err);
/* Call fn for every stay overlapping [from, to) (0 = open), in id order, from one
 * snapshot; fn returns 0 to go on, non-zero to stop (that value is returned). */
typedef int (*stay_fn)(void *ctx, const stay_rec *s);
int store_stays_each(store *st, int64_t from, int64_t to, stay_fn fn, void *ctx, fk_err *err);
/* A number that grows whenever stays, pings or detections are added (the sum of the
 * highest row ids of the three tables; 0 when all are empty; rows are never deleted),
 * so a cache built from any of them knows when it is stale. */
int store_stays_version(store *st, int64_t *out, fk_err *err);

/* ---- contacts of cases (discovered, named in interviews, reviewed) --------------- */
typedef struct contact_rec {
    int64_t id, case_id;
    int64_t person_id;        /* 0: not linked to a registered person */
    char subject[64];         /* as the data gave it */
    char kind[16];            /* companion, venue, proximity, household, interview */
    char place[32];
    int64_t first_overlap, overlap_s;
    char source[40];
    int degree;               /* 1 or 2 */
    char via[64];             /* degree 2: the close contact's subject */
    char status[12];          /* proposed, confirmed, dismissed */
    char note[256];
    int64_t found_at;
    char reviewed_by[64];
    int64_t reviewed_at;      /* 0: not reviewed */
    char person_name[96];     /* filled on reads: the linked person's name or "" */
    int64_t person_case_id;   /* filled on reads: a case of the linked person, or 0 */
} contact_rec;
typedef struct contact_rec_list { contact_rec *items; size_t n; } contact_rec_list;

/* Insert a contact, or for an existing (case, subject, kind, place, degree, via) refresh
 * its evidence (first_overlap, overlap_s, source, person_id) keeping status and review.
 * Fills c->id. The case must exist (FK_EREF "case_id"); a is audited (NULL = none). */
int store_contact_upsert(store *st, contact_rec *c, const audit_rec *a, fk_err *err);
int store_contact_get(store *st, int64_t id, contact_rec *out, fk_err *err);
/* The contacts of a case, by (degree, subject, kind, place, via). */
int store_contact_list(store *st, int64_t case_id, contact_rec_list *out, fk_err *err);
/* Set status (proposed/confirmed/dismissed), note, reviewer and time; FK_ENOTFOUND. */
int store_contact_review(store *st, int64_t id, const char *status, const char *note,
                         const char *reviewer, int64_t at, const audit_rec *a, fk_err *err);
void contact_rec_list_free(contact_rec_list *l);

/* Transmission chains: an edge from case A to case B for every contact of A, not
 * dismissed, whose person has case B reported no earlier than A. Companions (a weak
 * signal: a shared 800 m cell) make edges only once an epidemiologist confirmed them. Both cases within the
 * area prefix (NULL/"" = all). Edges sorted by (from_case, to_case, kind, place). */
typedef struct chain_edge {
    int64_t from_case, to_case, contact_id;
    char kind[16], place[32], status[12];
    int64_t at;               /* the contact's first overlap */
    int degree;
} chain_edge;
typedef struct chain_edge_list { chain_edge *items; size_t n; } chain_edge_list;
int store_chain_edges(store *st, const char *area_prefix, chain_edge_list *out, fk_err *err);
/* ---- raw location inputs: pings and proximity detections (INPUTS, issue 3) --------- */
/* Kept as they arrived (migration 0003); the trace index turns them into presence and
 * proximity events. Inserts are not audited (the import writes one record per file)
 * and refuse what the table's checks refuse (FK_ECONFLICT). Subjects as in stay_rec. */
typedef struct ping_rec {
    int64_t id;               /* set by the store; ignored by insert */
    char subject[64];
    int64_t time;             /* Unix seconds */
    char cell[32];            /* trace_grid_cell of (lon, lat) at import */
    double lon, lat;          /* WGS 84 degrees */
} ping_rec;

int store_ping_insert(store *st, const ping_rec *p, fk_err *err);
/* Every ping with time in [from, to) (0 = open), ordered by (subject, time), from one
 * snapshot; fn as stay_fn. A caller turning pings into presence for a window widens
 * `from` by the gap it allows: the ping before the window may reach into it. */
typedef int (*ping_fn)(void *ctx, const ping_rec *p);
int store_pings_each(store *st, int64_t from, int64_t to, ping_fn fn, void *ctx, fk_err *err);

typedef struct detection_rec {
    int64_t id;               /* set by the store; ignored by insert */
    char a[64], b[64];        /* the two subjects; the import stores them with a < b */
    int64_t time;             /* Unix seconds */
    char source[16];          /* the import kind: "proximity" ("" inserts that) */
} detection_rec;

int store_detection_insert(store *st, const detection_rec *d, fk_err *err);
/* Every detection with time in [from, to) (0 = open), ordered by (a, b, time), from one
 * snapshot; fn as stay_fn. */
typedef int (*detection_fn)(void *ctx, const detection_rec *d);
int store_detections_each(store *st, int64_t from, int64_t to, detection_fn fn, void *ctx,
                          fk_err *err);

/* For extending an index with what arrived since it was built: the highest row ids of
 * stays, pings and detections (0 when empty) into ids[0..2], and the stays and the
 * detections with after_id < id <= upto_id, in id order (fn as stay_fn). */
int store_input_ids(store *st, int64_t ids[3], fk_err *err);
int store_stays_after(store *st, int64_t after_id, int64_t upto_id, stay_fn fn, void *ctx,
                      fk_err *err);
int store_detections_after(store *st, int64_t after_id, int64_t upto_id,
                           detection_fn fn, void *ctx,
                           fk_err *err);
/* The pings with after_id < id <= upto_id, in (subject, time, id) order: the order a
 * ping converter takes (fn as ping_fn). */
int store_pings_after(store *st, int64_t after_id, int64_t upto_id, ping_fn fn, void *ctx,
                      fk_err *err);
/* The last ping of `subject` among those with id <= upto_id, last in (time, id) order,
 * into *out: 1 found, 0 none, -1 with err. */
int store_ping_last(store *st, const char *subject, int64_t upto_id, ping_rec *out,
                    fk_err *err);

/* ---- operator figures --------------------------------------------------------- */
typedef struct store_counts {
    int64_t areas, households, persons, venues, cases, users, audit;
} store_counts;
int store_counts_get(store *st, store_counts *out, fk_err *err);

/* Cases counted by one column ("status" or "classification") within an area prefix
 * (NULL/"" = all). */
typedef struct tally { char key[24]; int64_t n; } tally;
typedef struct tally_list { tally *items; size_t n; } tally_list;
int store_case_tally(store *st, const char *column, const char *area_prefix, tally_list *out,
                     fk_err *err);
void tally_list_free(tally_list *l);

/* ---- outbreak ground truth (demo generator, migration 0005) ----------------------- */
/* One infection of the demo city's simulated outbreak: what contact discovery should
 * find. Written only by the demo generator (no audit, as for the rest of the city). */
typedef struct outbreak_link {
    int64_t id;                    /* OUT of the insert */
    int64_t infector_person, infectee_person; /* persons.id, both must exist */
    char infector_subject[64];     /* as in stays: phone, or ID number without a phone */
    char infectee_subject[64];
    char route[16];                /* household | venue | companion */
    char place[32];                /* venue code or grid cell, as in stays */
    int64_t time;                  /* Unix seconds of the infection */
} outbreak_link;

typedef struct outbreak_link_list { outbreak_link *items; size_t n; } outbreak_link_list;

/* Append one link; FK_EINVAL for an unknown route, FK_ECONFLICT for a missing person. */
int store_outbreak_link_insert(store *st, outbreak_link *l /* IN/OUT: id */, fk_err *err);
/* All links in id order (for tests and tools). */
int store_outbreak_links(store *st, outbreak_link_list *out, fk_err *err);
void outbreak_link_list_free(outbreak_link_list *l);

#include "store/store_leads.h" /* leads (migration 0007) */
#include "store/store_accountability.h" /* responsibilities, daily reports, actions (0009) */
#include "store/store_isolation.h" /* facilities, allocations, isolations (0008) */
#include "store/store_transfers.h" /* vehicles, crews, trips (0010) */
#include "store/store_testing.h" /* testing rounds, sites, tubes, scans (0013) */
#include "store/store_coverage.h" /* coverage of a round (0015) */
#include "store/store_sample_flow.h" /* labs, boxes, tube results (0014) */
#include "store/store_positives.h" /* holds, notices, recheck rounds (0016) */
#include "store/store_zones.h"     /* risk zones (0018) */
#include "store/store_reconcile.h" /* unpacks, unmatched tubes, reconciliation (0017) */
#include "store/store_testing_bulk.h" /* bulk reads and writes of testing imports */
#include "store/store_residents.h" /* the kept residents lookup (0036) */
#include "store/store_travel.h" /* risk-area lists, arrivals, checkpoints (0019) */
#include "store/store_codes.h" /* health codes, their log and overrides (0020) */

#endif
