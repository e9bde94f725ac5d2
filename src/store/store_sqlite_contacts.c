/*
 * store_sqlite_contacts.c - the contacts of cases (table `contacts`, migration 0004)
 * and the transmission chains read from them. Contract: store.h, contacts section.
 *
 * Discovery writes thousands of rows per case in one transaction, so the statements of
 * an upsert are cached (sq_stmt); the reads and the review are prepared per call.
 */
#include <sqlite3.h>
#include <string.h>

#include "store/store_sqlite_int.h"

#define CONTACT_COLS                                                                        \
    "k.id, k.case_id, coalesce(k.person_id, 0), k.subject, k.kind, k.place, "               \
    "k.first_overlap, k.overlap_s, k.source, k.degree, k.via, k.status, k.note, "           \
    "k.found_at, k.reviewed_by, k.reviewed_at, coalesce(p.name, ''), "                      \
    "coalesce((SELECT min(c.id) FROM cases c WHERE c.person_id = k.person_id), 0)"
#define CONTACT_FROM " FROM contacts k LEFT JOIN persons p ON p.id = k.person_id"

static void contact_row(sqlite3_stmt *q, void *item)
{
    contact_rec *c = item;
    c->id = sqlite3_column_int64(q, 0);
    c->case_id = sqlite3_column_int64(q, 1);
    c->person_id = sqlite3_column_int64(q, 2);
    sq_col_text(c->subject, sizeof c->subject, q, 3);
    sq_col_text(c->kind, sizeof c->kind, q, 4);
    sq_col_text(c->place, sizeof c->place, q, 5);
    c->first_overlap = sqlite3_column_int64(q, 6);
    c->overlap_s = sqlite3_column_int64(q, 7);
    sq_col_text(c->source, sizeof c->source, q, 8);
    c->degree = sqlite3_column_int(q, 9);
    sq_col_text(c->via, sizeof c->via, q, 10);
    sq_col_text(c->status, sizeof c->status, q, 11);
    sq_col_text(c->note, sizeof c->note, q, 12);
    c->found_at = sqlite3_column_int64(q, 13);
    sq_col_text(c->reviewed_by, sizeof c->reviewed_by, q, 14);
    c->reviewed_at = sqlite3_column_int64(q, 15);
    sq_col_text(c->person_name, sizeof c->person_name, q, 16);
    c->person_case_id = sqlite3_column_int64(q, 17);
}

static int case_exists(struct sq_store *s, int64_t case_id, fk_err *err)
{
    int64_t n = 0;
    sqlite3_stmt *q = sq_stmt(s, SQ_CASE_EXISTS, "SELECT count(*) FROM cases WHERE id = ?", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, case_id);
    if (sq_int_query(s, q, &n, err) != 0)
        return -1;
    return n ? 0 : fk_fail(err, FK_EREF, "case_id", "case_id: case %lld does not exist",
                           (long long)case_id);
}

static int find_id(struct sq_store *s, const contact_rec *c, int64_t *id, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_CONTACT_FIND,
                              "SELECT coalesce(max(id), 0) FROM contacts WHERE case_id = ? AND "
                              "subject = ? AND kind = ? AND place = ? AND degree = ? AND via = ?",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, c->case_id);
    sq_bind_text(q, 2, c->subject);
    sq_bind_text(q, 3, c->kind);
    sq_bind_text(q, 4, c->place);
    sqlite3_bind_int(q, 5, c->degree);
    sq_bind_text(q, 6, c->via);
    return sq_int_query(s, q, id, err);
}

/* The evidence columns, bound as parameters 1..4 of both statements below. */
static void bind_evidence(sqlite3_stmt *q, const contact_rec *c)
{
    if (c->person_id)
        sqlite3_bind_int64(q, 1, c->person_id);
    else
        sqlite3_bind_null(q, 1);
    sqlite3_bind_int64(q, 2, c->first_overlap);
    sqlite3_bind_int64(q, 3, c->overlap_s);
    sq_bind_text(q, 4, c->source);
}

static int insert_row(struct sq_store *s, contact_rec *c, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_CONTACT_INSERT,
                              "INSERT INTO contacts (person_id, first_overlap, overlap_s, source, "
                              "case_id, subject, kind, place, degree, via, status, note, found_at) "
                              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              err);
    if (!q)
        return -1;
    bind_evidence(q, c);
    sqlite3_bind_int64(q, 5, c->case_id);
    sq_bind_text(q, 6, c->subject);
    sq_bind_text(q, 7, c->kind);
    sq_bind_text(q, 8, c->place);
    sqlite3_bind_int(q, 9, c->degree);
    sq_bind_text(q, 10, c->via);
    sq_bind_text(q, 11, c->status[0] ? c->status : "proposed");
    sq_bind_text(q, 12, c->note);
    sqlite3_bind_int64(q, 13, c->found_at);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    c->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int upsert_unit(struct sq_store *s, contact_rec *c, const audit_rec *a, fk_err *err)
{
    if (case_exists(s, c->case_id, err) != 0 || find_id(s, c, &c->id, err) != 0)
        return -1;
    if (!c->id)
        return insert_row(s, c, err) != 0 ? -1 : sq_audit_write(s, a, c->id, err);
    sqlite3_stmt *q = sq_stmt(s, SQ_CONTACT_UPDATE,
                              "UPDATE contacts SET person_id = ?, first_overlap = ?, "
                              "overlap_s = ?, source = ? WHERE id = ?",
                              err);
    if (!q)
        return -1;
    bind_evidence(q, c);
    sqlite3_bind_int64(q, 5, c->id);
    return sq_exec_stmt(s, q, err);
}

int sq_contact_upsert(store *st, contact_rec *c, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, upsert_unit(s, c, a, err), err);
}

/* Collect the rows of `where` (binds b) in list order. */
static int select_contacts(struct sq_store *s, const char *where, const sq_binds *b,
                           contact_rec_list *out, fk_err *err)
{
    strbuf sql = STRBUF_INIT;
    int began = 0, rc = -1;
    memset(out, 0, sizeof *out);
    sb_appendf(&sql, "SELECT " CONTACT_COLS CONTACT_FROM "%s ORDER BY k.degree, k.subject, "
                     "k.kind, k.place, k.via", where);
    if (sq_read_begin(s, &began, err) == 0) {
        sqlite3_stmt *q = sq_prepare_bound(s, sb_str(&sql), b, err);
        if (q) {
            rc = sq_collect(s, q, contact_row, sizeof(contact_rec), (void **)&out->items,
                            &out->n, err);
            sqlite3_finalize(q);
        }
        sq_read_end(s, began);
    }
    sb_free(&sql);
    return rc;
}

int sq_contact_list(store *st, int64_t case_id, contact_rec_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, case_id);
    return select_contacts(SQ(st), " WHERE k.case_id = ?", &b, out, err);
}

int sq_contact_get(store *st, int64_t id, contact_rec *out, fk_err *err)
{
    sq_binds b = {0};
    contact_rec_list l;
    sq_bind_add_int(&b, id);
    if (select_contacts(SQ(st), " WHERE k.id = ?", &b, &l, err) != 0)
        return -1;
    int found = l.n == 1;
    if (found)
        *out = l.items[0];
    contact_rec_list_free(&l);
    return found ? 0 : fk_fail(err, FK_ENOTFOUND, "id", "id: contact %lld does not exist",
                               (long long)id);
}

static int review_unit(struct sq_store *s, int64_t id, const char *status, const char *note,
                       const char *reviewer, int64_t at, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, status);
    sq_bind_add_text(&b, note ? note : "");
    sq_bind_add_text(&b, reviewer);
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, id);
    if (sq_run_bound(s, "UPDATE contacts SET status = ?, note = ?, reviewed_by = ?, "
                     "reviewed_at = ? WHERE id = ?", &b, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: contact %lld does not exist",
                       (long long)id);
    return sq_audit_write(s, a, id, err);
}

int sq_contact_review(store *st, int64_t id, const char *status, const char *note,
                      const char *reviewer, int64_t at, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, review_unit(s, id, status, note, reviewer, at, a, err), err);
}

static void edge_row(sqlite3_stmt *q, void *item)
{
    chain_edge *e = item;
    e->from_case = sqlite3_column_int64(q, 0);
    e->to_case = sqlite3_column_int64(q, 1);
    e->contact_id = sqlite3_column_int64(q, 2);
    sq_col_text(e->kind, sizeof e->kind, q, 3);
    sq_col_text(e->place, sizeof e->place, q, 4);
    sq_col_text(e->status, sizeof e->status, q, 5);
    e->at = sqlite3_column_int64(q, 6);
    e->degree = sqlite3_column_int(q, 7);
}

int sq_chain_edges(store *st, const char *area_prefix, chain_edge_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    const char *prefix = area_prefix ? area_prefix : "";
    for (int i = 0; i < 2; i++) {
        sq_bind_add_text(&b, prefix);
        sq_bind_add_text(&b, prefix);
    }
    int began = 0, rc = -1;
    memset(out, 0, sizeof *out);
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    sqlite3_stmt *q = sq_prepare_bound(
        s,
        "SELECT a.id, b.id, k.id, k.kind, k.place, k.status, k.first_overlap, k.degree "
        "FROM contacts k JOIN cases a ON a.id = k.case_id "
        "JOIN cases b ON b.person_id = k.person_id AND b.id <> a.id "
        "AND b.reported_at >= a.reported_at "
        "JOIN persons pa ON pa.id = a.person_id JOIN persons pb ON pb.id = b.person_id "
        "WHERE k.status <> 'dismissed' AND (k.kind <> 'companion' OR k.status = 'confirmed') "
        "AND pa.community_code >= ? AND pa.community_code < ? || '~' "
        "AND pb.community_code >= ? AND pb.community_code < ? || '~' "
        "ORDER BY a.id, b.id, k.kind, k.place, k.id",
        &b, err);
    if (q) {
        rc = sq_collect(s, q, edge_row, sizeof(chain_edge), (void **)&out->items, &out->n, err);
        sqlite3_finalize(q);
    }
    sq_read_end(s, began);
    return rc;
}
