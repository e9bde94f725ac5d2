/*
 * store_sqlite_residents.c - the residents section (store_residents.h) on SQLite.
 *
 * The bytes are rows of residents_lookup_parts of PART_BYTES each (the last shorter),
 * read with sqlite3_blob_read straight into the caller's buffer: measured on the bench
 * machine, 32 MiB in 0.04 s of CPU into memory on huge pages, against 1.1-1.2 s to read
 * 1,000,000 residents through SQL and build their table. Parts rather than one blob:
 * a city of 10,000,000 has about 210 MiB of them, and SQLite's largest blob is 1 GB.
 * Thread safety: the connection's, as store.h.
 */
#include <string.h>

#include "store/store_sqlite_int.h"

#define PART_BYTES ((size_t)16 << 20)

/* *out = the single integer of sql (0 when no row). */
static int one_int(struct sq_store *s, const char *sql, int64_t *out, fk_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return sq_dberr(s, rc, err);
    rc = sq_int_query(s, q, out, err);
    sqlite3_finalize(q);
    return rc;
}

/* Inside a snapshot: now and the kept header (*has). */
static int state_in(struct sq_store *s, residents_mark *now, residents_kept *kept, int *has,
                    fk_err *err)
{
    memset(kept, 0, sizeof *kept);
    *has = 0;
    if (one_int(s, "SELECT version FROM residents_version WHERE id = 1", &now->version, err) ||
        one_int(s, "SELECT max(id) FROM persons", &now->top, err))
        return -1;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT version, top_person, bytes, built_at FROM "
                                "residents_lookup WHERE id = 1", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return sq_dberr(s, rc, err);
    int r = sq_step_row(s, q, err);
    if (r > 0) {
        *has = 1;
        kept->from.version = sqlite3_column_int64(q, 0);
        kept->from.top = sqlite3_column_int64(q, 1);
        kept->bytes = (size_t)sqlite3_column_int64(q, 2);
        kept->built_at = sqlite3_column_int64(q, 3);
    }
    sqlite3_finalize(q);
    return r < 0 ? -1 : 0;
}

static int sq_residents_state(store *st, residents_mark *now, residents_kept *kept, int *has,
                              fk_err *err)
{
    struct sq_store *s = SQ(st);
    int began = 0;
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    int rc = state_in(s, now, kept, has, err);
    sq_read_end(s, began);
    return rc;
}

/* The parts into buf[0..bytes): 1 read, 0 the parts are not those bytes, -1 failure. */
static int parts_read(struct sq_store *s, unsigned char *buf, size_t bytes, fk_err *err)
{
    sqlite3_blob *b = NULL;
    int rc = SQLITE_OK, got = 1;
    for (size_t off = 0, part = 0; off < bytes && got == 1; off += PART_BYTES, part++) {
        size_t want = bytes - off < PART_BYTES ? bytes - off : PART_BYTES;
        rc = b ? sqlite3_blob_reopen(b, (sqlite3_int64)part)
               : sqlite3_blob_open(s->db, "main", "residents_lookup_parts", "body",
                                   (sqlite3_int64)part, 0, &b);
        if (rc == SQLITE_ERROR) /* no such part, or not a blob */
            got = 0;
        else if (rc != SQLITE_OK)
            got = -1;
        else if ((size_t)sqlite3_blob_bytes(b) != want)
            got = 0;
        else if ((rc = sqlite3_blob_read(b, buf + off, (int)want, 0)) != SQLITE_OK)
            got = -1;
    }
    if (got < 0)
        sq_dberr(s, rc, err);
    sqlite3_blob_close(b);
    return got;
}

static int sq_residents_read(store *st, residents_mark *now, residents_kept *kept,
                             residents_alloc_fn alloc, void **out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    int began = 0, has = 0;
    *out = NULL;
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    int rc = state_in(s, now, kept, &has, err);
    if (rc == 0 && has && now->version > 0 && kept->from.version == now->version) {
        *out = alloc(kept->bytes);
        rc = *out ? parts_read(s, *out, kept->bytes, err)
                  : fk_fail(err, FK_EBUSY, "", "out of memory for the residents lookup");
    }
    sq_read_end(s, began);
    return rc;
}

static int save_in(struct sq_store *s, const residents_mark *from, const unsigned char *bytes,
                   size_t n, int64_t at, fk_err *err)
{
    int64_t version = 0;
    if (one_int(s, "SELECT version FROM residents_version WHERE id = 1", &version, err) != 0)
        return -1;
    if (version == 0 || version != from->version)
        return 0;
    sq_binds none = {0};
    if (sq_run_bound(s, "DELETE FROM residents_lookup_parts", &none, err) != 0)
        return -1;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "INSERT INTO residents_lookup_parts (part, body) "
                                "VALUES (?1, ?2)", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return sq_dberr(s, rc, err);
    int r = 0;
    for (size_t off = 0, part = 0; off < n && r == 0; off += PART_BYTES, part++) {
        size_t len = n - off < PART_BYTES ? n - off : PART_BYTES;
        sqlite3_bind_int64(q, 1, (sqlite3_int64)part);
        sqlite3_bind_blob(q, 2, bytes + off, (int)len, SQLITE_STATIC);
        r = sq_exec_stmt(s, q, err);
    }
    sqlite3_finalize(q);
    if (r != 0)
        return -1;
    rc = sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO residents_lookup (id, version, "
                            "top_person, bytes, built_at) VALUES (1, ?1, ?2, ?3, ?4)", -1, &q,
                            NULL);
    if (rc != SQLITE_OK)
        return sq_dberr(s, rc, err);
    sqlite3_bind_int64(q, 1, from->version);
    sqlite3_bind_int64(q, 2, from->top);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)n);
    sqlite3_bind_int64(q, 4, at);
    r = sq_exec_stmt(s, q, err);
    sqlite3_finalize(q);
    return r != 0 ? -1 : 1;
}

static int sq_residents_save(store *st, const residents_mark *from, const void *bytes, size_t n,
                             int64_t at, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    int rc = save_in(s, from, bytes, n, at, err);
    return sq_end(s, rc < 0 ? -1 : 0, err) != 0 ? -1 : rc;
}

const struct store_residents_ops sq_residents_ops = {
    .state = sq_residents_state,
    .read = sq_residents_read,
    .save = sq_residents_save,
};
