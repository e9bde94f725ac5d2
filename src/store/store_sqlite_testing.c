/*
 * store_sqlite_testing.c - the testing section (store_testing.h) on SQLite. Statements
 * are prepared per call except the scan's, which a sampling site repeats all day.
 * The schema's trigger and UNIQUE(round_id, person_id) are the last word on a scan;
 * the service checks first only to say what went wrong in a sampler's words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/* ---- rounds ------------------------------------------------------------------------------ */

/* A round's columns around its counts (sites, tubes, scanned), which ROUND_HEAD_COLS
 * leaves out (round_row reads 0 for them). */
#define ROUND_COLS_BEFORE                                                                   \
    "r.id, r.name, r.area_code, r.starts_at, r.ends_at, r.state, r.created_by, r.created_at, "
#define ROUND_COLS_AFTER "r.kind, coalesce(r.parent_id, 0)"
#define ROUND_COLS                                                                          \
    ROUND_COLS_BEFORE "(SELECT count(*) FROM sampling_sites s WHERE s.round_id = r.id), "  \
    "(SELECT count(*) FROM tubes t WHERE t.round_id = r.id), "                              \
    "(SELECT coalesce(sum(t.n_members), 0) FROM tubes t WHERE t.round_id = r.id), "         \
    ROUND_COLS_AFTER
#define ROUND_HEAD_COLS ROUND_COLS_BEFORE "0, 0, 0, " ROUND_COLS_AFTER

static void round_row(sqlite3_stmt *q, void *item)
{
    round_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    sq_col_text(r->name, sizeof r->name, q, 1);
    sq_col_text(r->area_code, sizeof r->area_code, q, 2);
    r->starts_at = sqlite3_column_int64(q, 3);
    r->ends_at = sqlite3_column_int64(q, 4);
    sq_col_text(r->state, sizeof r->state, q, 5);
    sq_col_text(r->created_by, sizeof r->created_by, q, 6);
    r->created_at = sqlite3_column_int64(q, 7);
    r->sites = sqlite3_column_int(q, 8);
    r->tubes = sqlite3_column_int(q, 9);
    r->scanned = sqlite3_column_int(q, 10);
    sq_col_text(r->kind, sizeof r->kind, q, 11);
    r->parent_id = sqlite3_column_int64(q, 12);
}

static int area_known(struct sq_store *s, const char *code, fk_err *err)
{
    sq_binds b = {0};
    int64_t n = 0;
    sq_bind_add_text(&b, code);
    if (sq_count(s, "SELECT count(*) FROM areas WHERE code = ?", &b, &n, err) != 0)
        return -1;
    return n ? 0 : fk_fail(err, FK_EREF, "area_code", "area_code: no area %s", code);
}

static int round_insert_unit(struct sq_store *s, round_rec *r, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    if (area_known(s, r->area_code, err) != 0)
        return -1;
    sq_bind_add_text(&b, r->name);
    sq_bind_add_text(&b, r->area_code);
    sq_bind_add_int(&b, r->starts_at);
    sq_bind_add_int(&b, r->ends_at);
    sq_bind_add_text(&b, r->state);
    sq_bind_add_text(&b, r->created_by);
    sq_bind_add_int(&b, r->created_at);
    if (sq_run_bound(s, "INSERT INTO testing_rounds (name, area_code, starts_at, ends_at, state, "
                     "created_by, created_at) VALUES (?,?,?,?,?,?,?)", &b, err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, r->id, err);
}

static int sq_round_insert(store *st, round_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, round_insert_unit(s, r, a, err));
}

/* The round `id` read by sql (its columns ROUND_COLS or ROUND_HEAD_COLS). */
static int round_read(store *st, const char *sql, int64_t id, round_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found = sq_one_sql(SQ(st), sql, &b, round_row, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0
                 : fk_fail(err, FK_ENOTFOUND, "round_id",
                           "round_id: no round %lld", (long long)id);
}

static int sq_round_get(store *st, int64_t id, round_rec *out, fk_err *err)
{
    return round_read(st, "SELECT " ROUND_COLS " FROM testing_rounds r WHERE r.id = ?", id, out,
                      err);
}

static int sq_round_head(store *st, int64_t id, round_rec *out, fk_err *err)
{
    return round_read(st, "SELECT " ROUND_HEAD_COLS " FROM testing_rounds r WHERE r.id = ?", id,
                      out, err);
}

static int sq_round_list(store *st, const char *area, int limit, int offset,
                         round_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    if (sq_given(area)) { /* under the area, or containing it */
        sb_append(&w, " AND ((r.area_code >= ? AND r.area_code < ? || '~')"
                      " OR substr(?, 1, length(r.area_code)) = r.area_code)");
        sq_bind_add_text(&b, area);
        sq_bind_add_text(&b, area);
        sq_bind_add_text(&b, area);
    }
    sq_page_query q = {ROUND_COLS, "testing_rounds r", sb_str(&w), "r.id DESC", limit, offset,
                       round_row, sizeof(round_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static int round_state_unit(struct sq_store *s, int64_t id, const char *from, const char *to,
                            const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, to);
    sq_bind_add_int(&b, id);
    sq_bind_add_text(&b, from);
    if (sq_run_bound(s, "UPDATE testing_rounds SET state = ? WHERE id = ? AND state = ?", &b,
                     err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: round %lld is not %s", (long long)id,
                       from);
    return sq_audit_write(s, a, id, err);
}

static int sq_round_set_state(store *st, int64_t id, const char *from, const char *to,
                              const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, round_state_unit(s, id, from, to, a, err));
}

/* ---- sites ------------------------------------------------------------------------------- */

#define SITE_COLS                                                                           \
    "s.id, s.round_id, s.name, s.area_code, s.team, s.lon, s.lat, "                         \
    "(SELECT count(*) FROM tubes t WHERE t.site_id = s.id)"

static void site_row(sqlite3_stmt *q, void *item)
{
    site_rec *s = item;
    s->id = sqlite3_column_int64(q, 0);
    s->round_id = sqlite3_column_int64(q, 1);
    sq_col_text(s->name, sizeof s->name, q, 2);
    sq_col_text(s->area_code, sizeof s->area_code, q, 3);
    sq_col_text(s->team, sizeof s->team, q, 4);
    s->has_location = sqlite3_column_type(q, 5) != SQLITE_NULL;
    s->lon = sqlite3_column_double(q, 5);
    s->lat = sqlite3_column_double(q, 6);
    s->tubes = sqlite3_column_int(q, 7);
}

static int site_insert_unit(struct sq_store *s, site_rec *r, const audit_rec *a, fk_err *err)
{
    if (area_known(s, r->area_code, err) != 0)
        return -1;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "INSERT INTO sampling_sites (round_id, name, area_code, "
                                "team, lon, lat) VALUES (?,?,?,?,?,?)", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return sq_dberr(s, rc, err);
    sqlite3_bind_int64(q, 1, r->round_id);
    sq_bind_text(q, 2, r->name);
    sq_bind_text(q, 3, r->area_code);
    sq_bind_text(q, 4, r->team);
    if (r->has_location) {
        sqlite3_bind_double(q, 5, r->lon);
        sqlite3_bind_double(q, 6, r->lat);
    }
    rc = sq_exec_stmt(s, q, err);
    sqlite3_finalize(q);
    if (rc != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, r->id, err);
}

static int sq_site_insert(store *st, site_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, site_insert_unit(s, r, a, err));
}

static int sq_site_get(store *st, int64_t id, site_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found = sq_one_sql(
        SQ(st), "SELECT " SITE_COLS " FROM sampling_sites s WHERE s.id = ?", &b,
        site_row, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0
                 : fk_fail(err, FK_ENOTFOUND, "site_id",
                           "site_id: no site %lld", (long long)id);
}

static int sq_site_list(store *st, int64_t round_id, int limit, int offset, site_list *out,
                        fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, round_id);
    sq_page_query q = {SITE_COLS, "sampling_sites s", " WHERE s.round_id = ?", "s.id", limit,
                       offset, site_row, sizeof(site_rec)};
    return sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
}

/* ---- tubes ------------------------------------------------------------------------------- */

static int issue_unit(struct sq_store *s, int64_t round_id, int64_t site_id,
                      const char *const *barcodes, size_t n, const char *by, int64_t at,
                      const audit_rec *a, fk_err *err)
{
    for (size_t i = 0; i < n; i++) {
        sq_binds b = {0};
        int64_t used = 0;
        sq_bind_add_text(&b, barcodes[i]);
        if (sq_count(s, "SELECT count(*) FROM tubes WHERE barcode = ?", &b, &used, err) != 0)
            return -1;
        if (used)
            return fk_fail(err, FK_ECONFLICT, "barcodes", "barcodes: %s was already issued",
                           barcodes[i]);
        sq_bind_add_int(&b, round_id);
        sq_bind_add_int(&b, site_id);
        sq_bind_add_int(&b, at);
        sq_bind_add_text(&b, by);
        if (sq_run_bound(s, "INSERT INTO tubes (barcode, round_id, site_id, issued_at, "
                         "issued_by) VALUES (?,?,?,?,?)", &b, err) != 0)
            return -1;
    }
    return sq_audit_write(s, a, site_id, err);
}

static int sq_tubes_issue(store *st, int64_t round_id, int64_t site_id,
                          const char *const *barcodes, size_t n, const char *by, int64_t at,
                          const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    /* all or none, also inside a caller's transaction: a savepoint of its own */
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, issue_unit(s, round_id, site_id, barcodes, n, by, at, a, err), err);
}

#define TUBE_COLS                                                                           \
    "id, barcode, round_id, site_id, size, state, issued_at, coalesce(opened_at, 0), "      \
    "coalesce(closed_at, 0), issued_by, coalesce(opened_by, ''), coalesce(closed_by, ''), " \
    "n_members"

static void tube_row(sqlite3_stmt *q, void *item)
{
    tube_rec *t = item;
    t->id = sqlite3_column_int64(q, 0);
    sq_col_text(t->barcode, sizeof t->barcode, q, 1);
    t->round_id = sqlite3_column_int64(q, 2);
    t->site_id = sqlite3_column_int64(q, 3);
    t->size = sqlite3_column_int(q, 4);
    sq_col_text(t->state, sizeof t->state, q, 5);
    t->issued_at = sqlite3_column_int64(q, 6);
    t->opened_at = sqlite3_column_int64(q, 7);
    t->closed_at = sqlite3_column_int64(q, 8);
    sq_col_text(t->issued_by, sizeof t->issued_by, q, 9);
    sq_col_text(t->opened_by, sizeof t->opened_by, q, 10);
    sq_col_text(t->closed_by, sizeof t->closed_by, q, 11);
    t->n_members = sqlite3_column_int(q, 12);
}

#define MEMBER_COLS                                                                         \
    "m.id, m.tube_id, m.person_id, m.round_id, m.scanned_at, m.scanned_by, t.barcode, "     \
    "t.size, coalesce(p.name, ''), coalesce(p.id_number, ''), r.name, s.name, "               \
    "coalesce((SELECT x.result FROM fk_results x WHERE " SQ_RESULTS_OF("x", "t.id")           \
    " ORDER BY x.id DESC LIMIT 1), '')"
#define MEMBER_FROM                                                                         \
    " FROM fk_members m JOIN tubes t ON t.id = m.tube_id "                                \
    "JOIN testing_rounds r ON r.id = m.round_id JOIN sampling_sites s ON s.id = t.site_id "  \
    "LEFT JOIN persons p ON p.id = m.person_id"

static void member_row(sqlite3_stmt *q, void *item)
{
    member_rec *m = item;
    m->id = sqlite3_column_int64(q, 0);
    m->tube_id = sqlite3_column_int64(q, 1);
    m->person_id = sqlite3_column_int64(q, 2);
    m->round_id = sqlite3_column_int64(q, 3);
    m->scanned_at = sqlite3_column_int64(q, 4);
    sq_col_text(m->scanned_by, sizeof m->scanned_by, q, 5);
    sq_col_text(m->barcode, sizeof m->barcode, q, 6);
    m->size = sqlite3_column_int(q, 7);
    sq_col_text(m->person_name, sizeof m->person_name, q, 8);
    sq_col_text(m->id_number, sizeof m->id_number, q, 9);
    sq_col_text(m->round_name, sizeof m->round_name, q, 10);
    sq_col_text(m->site_name, sizeof m->site_name, q, 11);
    sq_col_text(m->result, sizeof m->result, q, 12);
}

static int sq_tube_get(store *st, const char *barcode, tube_rec *out, member_list *members,
                       fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    tube_rec *items = NULL;
    size_t n = 0;
    int began = 0, rc = sq_read_begin(s, &began, err);
    sq_bind_add_text(&b, barcode);
    if (rc == 0)
        rc = sq_collect_sql(s, "SELECT " TUBE_COLS " FROM tubes WHERE barcode = ?", &b, tube_row,
                            sizeof *items, (void **)&items, &n, err);
    if (rc == 0 && !n)
        rc = fk_fail(err, FK_ENOTFOUND, "barcode", "barcode: %s was never issued", barcode);
    if (rc == 0)
        *out = items[0];
    free(items);
    if (rc == 0 && members) {
        sq_binds m = {0};
        sq_bind_add_int(&m, out->id);
        rc = sq_collect_sql(s, "SELECT " MEMBER_COLS MEMBER_FROM " WHERE " SQ_MEMBERS_OF("m", "?1")
                            " ORDER BY m.id", &m, member_row, sizeof(member_rec),
                            (void **)&members->items, &members->n, err);
    }
    sq_read_end(s, began);
    return rc;
}

static int sq_round_member(store *st, int64_t round_id, int64_t person_id, member_rec *out,
                           fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, round_id);
    sq_bind_add_int(&b, person_id);
    int found = sq_one_sql(SQ(st),
                           "SELECT " MEMBER_COLS MEMBER_FROM
                           " WHERE m.round_id = ? AND "
                           "m.person_id = ?",
                           &b, member_row, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 1 : 0;
}

static int scan_unit(struct sq_store *s, int64_t tube_id, int open_size, member_rec *m,
                     const audit_rec *a, fk_err *err)
{
    sq_binds o = {0};
    sq_bind_add_int(&o, open_size);
    sq_bind_add_int(&o, m->scanned_at);
    sq_bind_add_text(&o, m->scanned_by);
    sq_bind_add_int(&o, tube_id);
    /* the first scan opens the tube; on an open or closed one this changes nothing */
    if (sq_run_bound(s, "UPDATE tubes SET state = 'open', size = ?, opened_at = ?, opened_by = ? "
                     "WHERE id = ? AND state = 'issued'", &o, err) != 0)
        return -1;
    /* the rules tube_members' guard held (migration 0035): open, of the round, not full;
     * the member takes the next place */
    sqlite3_stmt *q = sq_stmt(s, SQ_TUBE_SCAN_CHECK, "UPDATE tubes SET n_members = n_members "
                              "+ 1 WHERE id = ?1 AND state = 'open' AND round_id = ?2 AND "
                              "n_members < size RETURNING n_members", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, tube_id);
    sqlite3_bind_int64(q, 2, m->round_id);
    int row = sq_step_row(s, q, err);
    if (row < 0)
        return -1;
    if (!row)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: the tube is not open, is full, "
                       "or is of another round");
    int place = sqlite3_column_int(q, 0);
    sqlite3_reset(q);
    sq_chunks cs = {0};
    int rc = sq_members_add(s, &cs, tube_id, m->round_id, place, &m->person_id,
                            &m->scanned_at, 1, m->scanned_by, err);
    if (rc == 0)
        rc = sq_chunks_write(s, &cs, err);
    sq_chunks_free(&cs);
    if (rc != 0)
        return -1;
    m->id = SQ_MEMBER_ID(tube_id, place);
    return sq_audit_write(s, a, tube_id, err);
}

static int sq_tube_scan(store *st, int64_t tube_id, int open_size, member_rec *m,
                        const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    /* a savepoint even inside a caller's unit: the opening update must not outlive a
     * refused member */
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, scan_unit(s, tube_id, open_size, m, a, err), err);
}

static int close_unit(struct sq_store *s, int64_t tube_id, const char *by, int64_t at,
                      const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, by);
    sq_bind_add_int(&b, tube_id);
    if (sq_run_bound(s, "UPDATE tubes SET state = 'closed', closed_at = ?, closed_by = ? "
                     "WHERE id = ? AND state = 'open'", &b, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: the tube is not open");
    return sq_audit_write(s, a, tube_id, err);
}

static int sq_tube_close(store *st, int64_t tube_id, const char *by, int64_t at,
                         const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, close_unit(s, tube_id, by, at, a, err));
}

static int sq_person_samples(store *st, int64_t person_id, member_list *out, fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, person_id);
    return sq_collect_sql(SQ(st), "SELECT " MEMBER_COLS MEMBER_FROM " WHERE m.person_id = ? "
                          "ORDER BY m.scanned_at DESC, m.id DESC", &b, member_row,
                          sizeof(member_rec), (void **)&out->items, &out->n, err);
}

static int sq_person_testing_flags(store *st, int64_t person_id, int *isolated, int *contact,
                                   fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    int64_t n = 0;
    sq_bind_add_int(&b, person_id);
    if (sq_count(s, "SELECT count(*) FROM isolations WHERE person_id = ? AND state = 'active'",
                 &b, &n, err) != 0)
        return -1;
    *isolated = n > 0;
    /* An open contact lead of the person: one made by hand or elsewhere through the
     * partial index leads_open_person (its WHERE in the same words, so SQLite uses it:
     * due_at IS NOT NULL is "not closed", the leads table's CHECK); a pushed one
     * (contact_id set) through the person's contacts (contacts_person) and the
     * (case_id, subject) a push copies from the contact into its lead (leads_case),
     * which keeps pushes from paying an entry of a person index (0025). */
    if (sq_count(s, "SELECT (SELECT count(*) FROM leads WHERE person_id = ?1 AND due_at IS NOT "
                 "NULL AND person_id IS NOT NULL AND contact_id IS NULL AND kind IN "
                 "('close_contact', 'secondary_contact')) + (SELECT count(*) FROM contacts k "
                 "JOIN leads l ON l.case_id = k.case_id AND l.subject = k.subject WHERE "
                 "k.person_id = ?1 AND l.person_id = ?1 AND l.contact_id IS NOT NULL AND "
                 "l.due_at IS NOT NULL AND l.kind IN ('close_contact', 'secondary_contact'))",
                 &b, &n, err) != 0)
        return -1;
    *contact = n > 0;
    return 0;
}

/* A site's tubes with their box and current result (store_site_tubes). */
#define SITE_TUBE_COLS                                                                       \
    "t.id, t.barcode, t.round_id, t.site_id, t.size, t.state, t.issued_at, "                \
    "coalesce(t.opened_at, 0), coalesce(t.closed_at, 0), t.issued_by, "                      \
    "coalesce(t.opened_by, ''), coalesce(t.closed_by, ''), t.n_members, "                    \
    "coalesce(b.code, ''), coalesce(b.state, ''), coalesce((SELECT r.result FROM "           \
    "fk_results r WHERE " SQ_RESULTS_OF("r", "t.id") " ORDER BY r.id DESC LIMIT 1), '')"

static void site_tube_row(sqlite3_stmt *q, void *item)
{
    site_tube_rec *t = item;
    tube_row(q, &t->tube);
    sq_col_text(t->box_code, sizeof t->box_code, q, 13);
    sq_col_text(t->box_state, sizeof t->box_state, q, 14);
    sq_col_text(t->result, sizeof t->result, q, 15);
}

static int sq_site_tubes(store *st, int64_t site_id, const char *state, int unboxed, int limit,
                         int offset, site_tube_list *out, fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, site_id);
    sq_bind_add_text(&b, state ? state : "");
    sq_bind_add_text(&b, state ? state : "");
    sq_bind_add_int(&b, unboxed ? 1 : 0);
    sq_page_query q = {SITE_TUBE_COLS,
                       "tubes t LEFT JOIN box_tubes bt ON bt.tube_id = t.id "
                       "LEFT JOIN sample_boxes b ON b.id = bt.box_id",
                       " WHERE t.site_id = ? AND (? = '' OR t.state = ?) AND "
                       "(? = 0 OR bt.id IS NULL)",
                       "t.barcode", limit, offset, site_tube_row, sizeof(site_tube_rec)};
    return sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
}

const struct store_testing_ops sq_testing_ops = {
    .round_insert = sq_round_insert,
    .round_get = sq_round_get,
    .round_head = sq_round_head,
    .round_list = sq_round_list,
    .round_set_state = sq_round_set_state,
    .site_insert = sq_site_insert,
    .site_get = sq_site_get,
    .site_list = sq_site_list,
    .tubes_issue = sq_tubes_issue,
    .tube_get = sq_tube_get,
    .round_member = sq_round_member,
    .tube_scan = sq_tube_scan,
    .tube_close = sq_tube_close,
    .person_samples = sq_person_samples,
    .person_testing_flags = sq_person_testing_flags,
    .site_tubes = sq_site_tubes,
};
