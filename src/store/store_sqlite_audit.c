/*
 * store_sqlite_audit.c - the audit log's reads and the gates' scan audit: the audit list,
 * which reads the audit table and code_scans (0029) as one log, and the batched appends
 * of scans to code_scans (the audit table's own writes are store_sqlite.c's).
 *
 * Why two tables: a gate's scan is written tens of thousands of times a second in
 * batches (services/codes.c); in the audit table each row paid for three indexes, and
 * the one by person rewrote a leaf page per scanned person every commit. code_scans has
 * no index: its rows are appended in time order, so its rowid is its time order.
 *
 * The list: each table is read newest first on its own (audit by id, through whichever
 * of its indexes the filter picks, as before; code_scans by rowid) and the two streams
 * are merged by time, audit rows first within a second. The page's rows before the
 * offset are stepped over, not copied; the total is the two counts. Both reads run in
 * one snapshot. A filter the scans cannot match (an actor other than "public", an entity
 * other than "health_code") reads the audit table alone.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "store/store_sqlite_int.h"

/* ---- appending scans ------------------------------------------------------------------- */

/* The scans go in SCAN_ROWS to a statement: the audit writer appends tens of thousands
 * a second (services/codes.c), and a statement executed once a row paid its step, reset
 * and binding calls per row; the rest of a batch one row at a time. */
#define SCAN_ROWS 32
#define SCAN_ROW "(?,?,?,?)"
#define SCAN_ROWS4 SCAN_ROW "," SCAN_ROW "," SCAN_ROW "," SCAN_ROW
#define SCAN_ROWS16 SCAN_ROWS4 "," SCAN_ROWS4 "," SCAN_ROWS4 "," SCAN_ROWS4
#define SCAN_INSERT "INSERT INTO code_scans (at, person_id, colour, remote) VALUES "

static void scan_bind(sqlite3_stmt *st, int first, const scan_audit_rec *a)
{
    sqlite3_bind_int64(st, first, a->at ? a->at : fk_now());
    sqlite3_bind_int64(st, first + 1, a->person_id);
    sq_bind_text(st, first + 2, a->colour);
    sq_bind_text(st, first + 3, a->remote);
}

static int scan_write_at(struct sq_store *s, const void *items, size_t i, size_t n,
                         fk_err *err)
{
    const scan_audit_rec *a = (const scan_audit_rec *)items + i;
    int rows = n - i >= SCAN_ROWS ? SCAN_ROWS : 1;
    sqlite3_stmt *st = rows == SCAN_ROWS
                           ? sq_stmt(s, SQ_SCAN_AUDIT_INSERT_ROWS,
                                     SCAN_INSERT SCAN_ROWS16 "," SCAN_ROWS16, err)
                           : sq_stmt(s, SQ_SCAN_AUDIT_INSERT, SCAN_INSERT SCAN_ROW, err);
    if (!st)
        return -1;
    for (int r = 0; r < rows; r++)
        scan_bind(st, 4 * r + 1, a + r);
    return sq_exec_stmt(s, st, err) == 0 ? rows : -1;
}

int sq_scan_audit_append_many(store *st, const scan_audit_rec *a, size_t n, fk_err *err)
{
    return sq_append_reads(SQ(st), scan_write_at, a, n, err);
}

/* ---- the audit list ---------------------------------------------------------------------- */

/* Columns 0 and 1 are id and at in both arms: the merge compares them in place. */
#define AUDIT_COLUMNS "id, at, actor, role, action, entity, entity_id, detail, remote"
#define SCAN_COLUMNS                                                                        \
    "id, at, 'public', '', 'scan', 'health_code', person_id, 'colour=' || colour, remote"

static void audit_row(sqlite3_stmt *st, audit_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->at = sqlite3_column_int64(st, 1);
    sq_col_text(r->actor, sizeof r->actor, st, 2);
    sq_col_text(r->role, sizeof r->role, st, 3);
    sq_col_text(r->action, sizeof r->action, st, 4);
    sq_col_text(r->entity, sizeof r->entity, st, 5);
    r->entity_id = sqlite3_column_int64(st, 6);
    sq_col_text(r->detail, sizeof r->detail, st, 7);
    sq_col_text(r->remote, sizeof r->remote, st, 8);
}

/* The filter's subject (in column id_col) and time range, after a WHERE. */
static void where_id_and_time(const audit_filter *f, const char *id_col, strbuf *w,
                              sq_binds *b)
{
    if (f->entity_id) {
        sb_appendf(w, " AND %s = ?", id_col);
        sq_bind_add_int(b, f->entity_id);
    }
    if (f->since) {
        sb_append(w, " AND at >= ?");
        sq_bind_add_int(b, f->since);
    }
    if (f->until) {
        sb_append(w, " AND at < ?");
        sq_bind_add_int(b, f->until);
    }
}

static void audit_where(const audit_filter *f, strbuf *w, sq_binds *b)
{
    sb_append(w, " WHERE 1");
    if (f->actor) {
        sb_append(w, " AND actor = ?");
        sq_bind_add_text(b, f->actor);
    }
    if (f->entity) {
        sb_append(w, " AND entity = ?");
        sq_bind_add_text(b, f->entity);
    }
    where_id_and_time(f, "entity_id", w, b);
}

/* The scans' filter; false when no scan can match it (the list reads the audit table). */
static bool scan_where(const audit_filter *f, strbuf *w, sq_binds *b)
{
    if ((f->actor && strcmp(f->actor, "public")) || (f->entity && strcmp(f->entity, "health_code")))
        return false;
    sb_append(w, " WHERE 1");
    where_id_and_time(f, "person_id", w, b);
    return true;
}

/* One table's side of the merge: its statement and whether it stands on a row. */
typedef struct arm { sqlite3_stmt *q; bool row; } arm;

/* How many rows the filter keeps into *total (added), then the rows newest first, at most
 * `want`. Unfiltered, the count is max(id): both tables are append-only (triggers refuse
 * updates and deletes) with plain rowids, and count(*) of code_scans, which has no
 * index, would read the whole table for every page of the list. */
static int arm_open(struct sq_store *s, arm *a, const char *columns, const char *table,
                    const char *where, sq_binds *b, int64_t want, int64_t *total, fk_err *err)
{
    strbuf sql = STRBUF_INIT;
    int64_t n = 0;
    if (!strcmp(where, " WHERE 1"))
        sb_appendf(&sql, "SELECT coalesce(max(id), 0) FROM %s", table);
    else
        sb_appendf(&sql, "SELECT count(*) FROM %s%s", table, where);
    int rc = sq_count(s, sb_str(&sql), b, &n, err);
    *total += n;
    sb_reset(&sql);
    sb_appendf(&sql, "SELECT %s FROM %s%s ORDER BY id DESC LIMIT ?", columns, table, where);
    sq_bind_add_int(b, want);
    if (rc == 0 && !(a->q = sq_prepare_bound(s, sb_str(&sql), b, err)))
        rc = -1;
    sb_free(&sql);
    return rc;
}

static int arm_step(struct sq_store *s, arm *a, fk_err *err)
{
    a->row = false;
    if (!a->q)
        return 0;
    int rc = sqlite3_step(a->q);
    if (rc == SQLITE_ROW)
        a->row = true;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_dberr(s, rc, err);
}

/* The arm whose row comes next (newest first; the audit's within the same second). */
static arm *arm_next(arm *audit, arm *scans)
{
    if (!audit->row)
        return scans->row ? scans : NULL;
    if (!scans->row)
        return audit;
    return sqlite3_column_int64(scans->q, 1) > sqlite3_column_int64(audit->q, 1) ? scans
                                                                               : audit;
}

static int merge_page(struct sq_store *s, arm *audit, arm *scans, int64_t offset, int limit,
                      audit_list *out, fk_err *err)
{
    out->items = fk_calloc((size_t)limit, sizeof *out->items);
    if (arm_step(s, audit, err) != 0 || arm_step(s, scans, err) != 0)
        return -1;
    for (int64_t i = 0; i < offset + limit; i++) {
        arm *a = arm_next(audit, scans);
        if (!a)
            break;
        if (i >= offset) {
            audit_rec *r = &out->items[out->n++];
            audit_row(a->q, r);
            r->scan = a == scans;
        }
        if (arm_step(s, a, err) != 0)
            return -1;
    }
    return 0;
}

/* Newest first: what an auditor looks at. */
int sq_audit_list(store *st, const audit_filter *f, audit_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf aw = STRBUF_INIT, sw = STRBUF_INIT;
    sq_binds ab = {0}, sb = {0};
    arm audit = {0}, scans = {0};
    int limit = sq_limit(f->limit), began = 0, rc = -1;
    int64_t offset = sq_offset(f->offset);
    memset(out, 0, sizeof *out);
    audit_where(f, &aw, &ab);
    bool with_scans = scan_where(f, &sw, &sb);
    if (sq_read_begin(s, &began, err) != 0)
        goto done;
    if (arm_open(s, &audit, AUDIT_COLUMNS, "audit", sb_str(&aw), &ab, offset + limit,
                 &out->total, err) != 0 ||
        (with_scans && arm_open(s, &scans, SCAN_COLUMNS, "code_scans", sb_str(&sw), &sb,
                                offset + limit, &out->total, err) != 0))
        goto done;
    rc = merge_page(s, &audit, &scans, offset, limit, out, err);
done:
    sqlite3_finalize(audit.q);
    sqlite3_finalize(scans.q);
    sq_read_end(s, began);
    sb_free(&aw);
    sb_free(&sw);
    if (rc != 0)
        audit_list_free(out);
    return rc;
}
