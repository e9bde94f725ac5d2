/*
 * store_sqlite_reconcile.c - the reconciliation section (store_reconcile.h) on SQLite.
 *
 * The reconciliation is five statements in one read snapshot, each a join walked from
 * the round's sites (sampling_sites_round, then tubes_site) or from unmatched_tubes_round
 * (0017), probing box_tubes and box_tubes_missing by their unique or leading keys, the
 * results through fk_results (a tube's chunk), the members through fk_members (a tube's
 * row, a person's slot in the round), and the shared phones of persons_phone for the
 * duplicates: no statement scans a table. Rows stream to the caller's callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "store/store_sqlite_int.h"

/* ---- changes ----------------------------------------------------------------------------- */

/* Prepare `sql` uncached (NULL with err on failure). */
static sqlite3_stmt *prepare(struct sq_store *s, const char *sql, fk_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(q);
        sq_dberr(s, rc, err);
        return NULL;
    }
    return q;
}

static void bind_id_or_null(sqlite3_stmt *q, int i, int64_t id)
{
    if (id)
        sqlite3_bind_int64(q, i, id);
}

static int unmatched_row_insert(struct sq_store *s, unmatched_rec *u, fk_err *err)
{
    sqlite3_stmt *q = prepare(s, "INSERT INTO unmatched_tubes (kind, round_id, area_code, "
                              "barcode, reason, tube_id, box_id, lab_id, result, ct_orf1ab, "
                              "ct_n, note, recorded_at, recorded_by) VALUES "
                              "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, u->kind);
    sqlite3_bind_int64(q, 2, u->round_id);
    sq_bind_text(q, 3, u->area_code);
    sq_bind_text(q, 4, u->barcode);
    sq_bind_text(q, 5, u->reason);
    bind_id_or_null(q, 6, u->tube_id);
    bind_id_or_null(q, 7, u->box_id);
    sqlite3_bind_int64(q, 8, u->lab_id);
    sq_bind_text(q, 9, u->result[0] ? u->result : NULL);
    if (u->has_ct) {
        sqlite3_bind_double(q, 10, u->ct_orf1ab);
        sqlite3_bind_double(q, 11, u->ct_n);
    }
    sq_bind_text(q, 12, u->note);
    sqlite3_bind_int64(q, 13, u->recorded_at);
    sq_bind_text(q, 14, u->recorded_by);
    int rc = sq_exec_stmt(s, q, err);
    sqlite3_finalize(q);
    if (rc != 0)
        return err->code == FK_ECONFLICT
                   ? fk_fail(err, FK_ECONFLICT, "barcode", "barcode: %s: the schema refused the "
                             "unmatched row", u->barcode)
                   : -1;
    u->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int missing_insert(struct sq_store *s, int64_t unpack_id, int64_t tube_id, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, unpack_id);
    sq_bind_add_int(&b, tube_id);
    if (sq_run_bound(s, "INSERT INTO box_tubes_missing (unpack_id, tube_id) VALUES (?,?)", &b,
                     err) != 0)
        return fk_fail(err, FK_ECONFLICT, "barcodes", "barcodes: tube %lld is not listed in "
                       "the box, or was missing already", (long long)tube_id);
    return 0;
}

static int unpack_row_insert(struct sq_store *s, unpack_rec *u, fk_err *err)
{
    sq_binds b = {0};
    int64_t done = 0;
    sq_bind_add_int(&b, u->box_id);
    if (sq_count(s, "SELECT count(*) FROM box_unpacks WHERE box_id = ?", &b, &done, err) != 0)
        return -1;
    if (done)
        return fk_fail(err, FK_ECONFLICT, "code", "code: the box was unpacked already");
    sq_bind_add_int(&b, u->lab_id);
    sq_bind_add_int(&b, u->unpacked_at);
    sq_bind_add_text(&b, u->unpacked_by);
    sq_bind_add_int(&b, u->found);
    sq_bind_add_int(&b, u->missing);
    sq_bind_add_int(&b, u->extra);
    if (sq_run_bound(s, "INSERT INTO box_unpacks (box_id, lab_id, unpacked_at, unpacked_by, "
                     "found, missing, extra) VALUES (?,?,?,?,?,?,?)", &b, err) != 0)
        return err->code == FK_ECONFLICT
                   ? fk_fail(err, FK_ECONFLICT, "code", "code: the box was not received by lab "
                             "%lld", (long long)u->lab_id)
                   : -1;
    u->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int unpack_unit(struct sq_store *s, unpack_rec *u, const int64_t *missing, size_t nm,
                       unmatched_rec *extras, size_t ne, const audit_rec *a, fk_err *err)
{
    if (unpack_row_insert(s, u, err) != 0)
        return -1;
    for (size_t i = 0; i < nm; i++)
        if (missing_insert(s, u->id, missing[i], err) != 0)
            return -1;
    for (size_t i = 0; i < ne; i++)
        if (unmatched_row_insert(s, &extras[i], err) != 0)
            return -1;
    return sq_audit_write(s, a, u->box_id, err);
}

static int sq_box_unpack(store *st, unpack_rec *u, const int64_t *missing, size_t n_missing,
                         unmatched_rec *extras, size_t n_extras, const audit_rec *a,
                         fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, unpack_unit(s, u, missing, n_missing, extras, n_extras, a, err), err);
}

static void unpack_fill(sqlite3_stmt *q, void *item)
{
    unpack_rec *u = item;
    u->id = sqlite3_column_int64(q, 0);
    u->box_id = sqlite3_column_int64(q, 1);
    u->lab_id = sqlite3_column_int64(q, 2);
    u->unpacked_at = sqlite3_column_int64(q, 3);
    sq_col_text(u->unpacked_by, sizeof u->unpacked_by, q, 4);
    u->found = sqlite3_column_int(q, 5);
    u->missing = sqlite3_column_int(q, 6);
    u->extra = sqlite3_column_int(q, 7);
}

static int sq_box_unpack_get(store *st, int64_t box_id, unpack_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, box_id);
    return sq_one_sql(SQ(st), "SELECT id, box_id, lab_id, unpacked_at, unpacked_by, found, "
                      "missing, extra FROM box_unpacks WHERE box_id = ?", &b, unpack_fill,
                      sizeof *out, out, err);
}

static int unmatched_insert_unit(struct sq_store *s, unmatched_rec *u, const audit_rec *a,
                                 fk_err *err)
{
    return unmatched_row_insert(s, u, err) || sq_audit_write(s, a, u->id, err) ? -1 : 0;
}

static int sq_unmatched_insert(store *st, unmatched_rec *u, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, unmatched_insert_unit(s, u, a, err));
}

static void unmatched_fill(sqlite3_stmt *q, void *item)
{
    unmatched_rec *u = item;
    u->id = sqlite3_column_int64(q, 0);
    sq_col_text(u->kind, sizeof u->kind, q, 1);
    u->round_id = sqlite3_column_int64(q, 2);
    sq_col_text(u->area_code, sizeof u->area_code, q, 3);
    sq_col_text(u->barcode, sizeof u->barcode, q, 4);
    sq_col_text(u->reason, sizeof u->reason, q, 5);
    u->tube_id = sqlite3_column_int64(q, 6);
    u->box_id = sqlite3_column_int64(q, 7);
    u->lab_id = sqlite3_column_int64(q, 8);
    sq_col_text(u->result, sizeof u->result, q, 9);
    u->has_ct = sqlite3_column_type(q, 10) != SQLITE_NULL;
    u->ct_orf1ab = sqlite3_column_double(q, 10);
    u->ct_n = sqlite3_column_double(q, 11);
    sq_col_text(u->note, sizeof u->note, q, 12);
    u->recorded_at = sqlite3_column_int64(q, 13);
    sq_col_text(u->recorded_by, sizeof u->recorded_by, q, 14);
    sq_col_text(u->resolution, sizeof u->resolution, q, 15);
    sq_col_text(u->resolution_note, sizeof u->resolution_note, q, 16);
    u->resolved_at = sqlite3_column_int64(q, 17);
    sq_col_text(u->resolved_by, sizeof u->resolved_by, q, 18);
    sq_col_text(u->box_code, sizeof u->box_code, q, 19);
    sq_col_text(u->lab_name, sizeof u->lab_name, q, 20);
}

static int sq_unmatched_get(store *st, int64_t id, unmatched_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found = sq_one_sql(SQ(st), "SELECT u.id, u.kind, u.round_id, u.area_code, u.barcode, "
                           "u.reason, coalesce(u.tube_id, 0), coalesce(u.box_id, 0), u.lab_id, "
                           "coalesce(u.result, ''), u.ct_orf1ab, u.ct_n, u.note, u.recorded_at, "
                           "u.recorded_by, coalesce(u.resolution, ''), "
                           "coalesce(u.resolution_note, ''), coalesce(u.resolved_at, 0), "
                           "coalesce(u.resolved_by, ''), coalesce(b.code, ''), l.name "
                           "FROM unmatched_tubes u JOIN labs l ON l.id = u.lab_id LEFT JOIN "
                           "sample_boxes b ON b.id = u.box_id WHERE u.id = ?", &b,
                           unmatched_fill, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0 : fk_fail(err, FK_ENOTFOUND, "id", "id: no unmatched tube %lld",
                               (long long)id);
}

static int resolve_unit(struct sq_store *s, sq_binds *b, int64_t id, const audit_rec *a,
                        fk_err *err)
{
    if (sq_run_bound(s, "UPDATE unmatched_tubes SET resolution = ?, resolution_note = ?, "
                     "resolved_by = ?, resolved_at = ? WHERE id = ? AND resolution IS NULL", b,
                     err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ECONFLICT, "resolution", "resolution: unmatched tube %lld is "
                       "resolved already", (long long)id);
    return sq_audit_write(s, a, id, err);
}

static int sq_unmatched_resolve(store *st, int64_t id, const char *resolution, const char *note,
                                const char *by, int64_t at, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    sq_bind_add_text(&b, resolution);
    sq_bind_add_text(&b, note);
    sq_bind_add_text(&b, by);
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, id);
    SQ_UNIT_OR_JOIN(s, resolve_unit(s, &b, id, a, err));
}

/* ---- the reconciliation ------------------------------------------------------------------ */

/* The columns every kind starts with (read by common_fill), then its own. */
#define COMMON_COLS "id, barcode, box, box_state, site, area, reason, at, received_at, lab"

/* The sampled tubes of the round within the area and day: sites by round, tubes by site,
 * their box and missing mark; `sampled` is closing, or opening while open. */
static void tubes_from(strbuf *sb, sq_binds *b, const recon_query *q)
{
    sb_append(sb, " FROM sampling_sites s JOIN tubes t ON t.site_id = s.id "
                  "LEFT JOIN box_tubes bt ON bt.tube_id = t.id "
                  "LEFT JOIN sample_boxes b ON b.id = bt.box_id "
                  "LEFT JOIN labs l ON l.id = b.lab_id "
                  "LEFT JOIN box_tubes_missing mi ON mi.tube_id = t.id "
                  "WHERE s.round_id = ? AND (t.state = 'closed' OR (t.state = 'open' AND "
                  "t.n_members > 0))");
    sq_bind_add_int(b, q->round_id);
    sq_where_prefix(sb, b, "s.area_code", q->area);
    if (q->to > 0) {
        sb_append(sb, " AND coalesce(t.closed_at, t.opened_at) >= ? AND "
                      "coalesce(t.closed_at, t.opened_at) < ?");
        sq_bind_add_int(b, q->from);
        sq_bind_add_int(b, q->to);
    }
}

#define NO_RESULT                                                                           \
    " NOT EXISTS (SELECT 1 FROM fk_results r WHERE r.id = " SQ_FIRST_RESULT("t.id") ")"
#define ARRIVED "(b.state = 'received' AND mi.id IS NULL)"
#define TUBE_COLS                                                                           \
    "t.id, t.barcode, coalesce(b.code, ''), coalesce(b.state, ''), s.name, s.area_code, "  \
    "%s, coalesce(t.closed_at, t.opened_at), coalesce(b.received_at, 0), "                  \
    "coalesce(l.name, '')"

static void unreceived_sql(strbuf *sb, sq_binds *b, const recon_query *q)
{
    sb_appendf(sb, "SELECT " TUBE_COLS,
               "CASE WHEN t.state = 'open' THEN 'open' WHEN b.id IS NULL THEN 'not_boxed' "
               "WHEN b.state <> 'received' THEN b.state ELSE 'missing' END");
    tubes_from(sb, b, q);
    sb_append(sb, " AND (b.id IS NULL OR b.state <> 'received' OR (mi.id IS NOT NULL AND"
                  NO_RESULT ")) AND coalesce(t.closed_at, t.opened_at) + ? < ? "
                  "ORDER BY s.id, t.id");
    sq_bind_add_int(b, q->sample_to_lab_s);
    sq_bind_add_int(b, q->now);
}

/* The no-result members: the tubes first (few after a day's work), then their members. */
static void no_result_members_sql(strbuf *sb, sq_binds *b, const recon_query *q)
{
    sb_append(sb, "SELECT x.*, p.id, p.name, p.id_number, p.phone, p.birth_date, m.scanned_at "
                  "FROM (");
    strbuf inner = STRBUF_INIT;
    sb_appendf(&inner, "SELECT " TUBE_COLS,
               "CASE WHEN " ARRIVED " THEN 'received' ELSE 'not_received' END");
    tubes_from(&inner, b, q);
    sb_append(&inner, " AND" NO_RESULT " AND CASE WHEN " ARRIVED " THEN b.received_at + ? ELSE "
                      "coalesce(t.closed_at, t.opened_at) + ? END < ?");
    sq_bind_add_int(b, q->lab_to_result_s);
    sq_bind_add_int(b, q->sample_to_lab_s + q->lab_to_result_s);
    sq_bind_add_int(b, q->now);
    sb_append(sb, sb_str(&inner));
    sb_free(&inner);
    sb_append(sb, ") x JOIN fk_members m ON " SQ_MEMBERS_OF("m", "x.id") " JOIN persons p "
                  "ON p.id = m.person_id ORDER BY x.id, m.id");
}

static void unmatched_sql(strbuf *sb, sq_binds *b, const recon_query *q, const char *kind)
{
    sb_append(sb, "SELECT u.id, u.barcode, coalesce(b.code, ''), coalesce(b.state, ''), "
                  "coalesce(s.name, ''), u.area_code, u.reason, u.recorded_at, 0, l.name, "
                  "coalesce(u.result, ''), u.ct_orf1ab, u.ct_n, coalesce(u.resolution, ''), "
                  "u.note FROM unmatched_tubes u JOIN labs l ON l.id = u.lab_id "
                  "LEFT JOIN sample_boxes b ON b.id = u.box_id "
                  "LEFT JOIN tubes tt ON tt.id = u.tube_id "
                  "LEFT JOIN sampling_sites s ON s.id = coalesce(b.site_id, tt.site_id) "
                  "WHERE u.round_id = ? AND u.kind = ?");
    sq_bind_add_int(b, q->round_id);
    sq_bind_add_text(b, kind);
    sq_where_prefix(sb, b, "u.area_code", q->area);
    if (q->to > 0) {
        sb_append(sb, " AND u.recorded_at >= ? AND u.recorded_at < ?");
        sq_bind_add_int(b, q->from);
        sq_bind_add_int(b, q->to);
    }
    sb_append(sb, " ORDER BY u.resolution IS NOT NULL, u.recorded_at, u.id");
}

/* Candidates: a member of the round and another person with the same phone; both
 * scanned, the pair once (lower person id first). The walk starts from the phones held
 * by more than one person (one pass over the covering index persons_phone, a few per
 * cent of the city), not from the round's members: CROSS JOIN keeps that order. */
static void duplicate_sql(strbuf *sb, sq_binds *b, const recon_query *q)
{
    sb_append(sb, "SELECT p.id, t.barcode, '', '', s.name, s.area_code, '', m.scanned_at, 0, "
                  "'', p.name, p.id_number, p.phone, p.birth_date, q.id, q.name, q.id_number, "
                  "q.birth_date, (mq.id IS NOT NULL) FROM (SELECT phone FROM persons WHERE "
                  "phone > '' GROUP BY phone HAVING count(*) > 1) sh "
                  "CROSS JOIN persons p ON p.phone = sh.phone "
                  "CROSS JOIN fk_members m ON m.round_id = ? AND m.person_id = p.id "
                  "JOIN tubes t ON t.id = m.tube_id JOIN sampling_sites s ON s.id = t.site_id "
                  "JOIN persons q ON q.phone = p.phone AND q.id <> p.id "
                  "LEFT JOIN fk_members mq ON mq.round_id = m.round_id AND "
                  "mq.person_id = q.id WHERE (mq.id IS NULL OR p.id < q.id)");
    sq_bind_add_int(b, q->round_id);
    sq_where_prefix(sb, b, "s.area_code", q->area);
    if (q->to > 0) {
        sb_append(sb, " AND m.scanned_at >= ? AND m.scanned_at < ?");
        sq_bind_add_int(b, q->from);
        sq_bind_add_int(b, q->to);
    }
    sb_append(sb, " ORDER BY p.id, q.id");
}

static void common_fill(sqlite3_stmt *st, recon_item *it)
{
    it->id = sqlite3_column_int64(st, 0);
    sq_col_text(it->barcode, sizeof it->barcode, st, 1);
    sq_col_text(it->box, sizeof it->box, st, 2);
    sq_col_text(it->box_state, sizeof it->box_state, st, 3);
    sq_col_text(it->site, sizeof it->site, st, 4);
    sq_col_text(it->area, sizeof it->area, st, 5);
    sq_col_text(it->reason, sizeof it->reason, st, 6);
    it->at = sqlite3_column_int64(st, 7);
    it->received_at = sqlite3_column_int64(st, 8);
    sq_col_text(it->lab, sizeof it->lab, st, 9);
}

static void kind_fill(sqlite3_stmt *st, recon_item *it)
{
    common_fill(st, it);
    switch (it->kind) {
    case RECON_UNSAMPLED:
    case RECON_UNKNOWN:
        sq_col_text(it->result, sizeof it->result, st, 10);
        it->has_ct = sqlite3_column_type(st, 11) != SQLITE_NULL;
        it->ct_orf1ab = sqlite3_column_double(st, 11);
        it->ct_n = sqlite3_column_double(st, 12);
        sq_col_text(it->resolution, sizeof it->resolution, st, 13);
        sq_col_text(it->note, sizeof it->note, st, 14);
        break;
    case RECON_NO_RESULT:
        it->person_id = sqlite3_column_int64(st, 10);
        sq_col_text(it->name, sizeof it->name, st, 11);
        sq_col_text(it->id_number, sizeof it->id_number, st, 12);
        sq_col_text(it->phone, sizeof it->phone, st, 13);
        sq_col_text(it->birth_date, sizeof it->birth_date, st, 14);
        break;
    case RECON_DUPLICATE:
        it->person_id = it->id;
        sq_col_text(it->name, sizeof it->name, st, 10);
        sq_col_text(it->id_number, sizeof it->id_number, st, 11);
        sq_col_text(it->phone, sizeof it->phone, st, 12);
        sq_col_text(it->birth_date, sizeof it->birth_date, st, 13);
        it->other_id = sqlite3_column_int64(st, 14);
        sq_col_text(it->other_name, sizeof it->other_name, st, 15);
        sq_col_text(it->other_id_number, sizeof it->other_id_number, st, 16);
        sq_col_text(it->other_birth_date, sizeof it->other_birth_date, st, 17);
        it->other_scanned = sqlite3_column_int(st, 18);
        break;
    default:
        break;
    }
}

/* The statement of one kind into sb and b. */
static void kind_sql(recon_kind k, strbuf *sb, sq_binds *b, const recon_query *q)
{
    switch (k) {
    case RECON_UNRECEIVED: unreceived_sql(sb, b, q); break;
    case RECON_UNSAMPLED: unmatched_sql(sb, b, q, "found"); break;
    case RECON_UNKNOWN: unmatched_sql(sb, b, q, "result"); break;
    case RECON_NO_RESULT: no_result_members_sql(sb, b, q); break;
    default: duplicate_sql(sb, b, q); break;
    }
}

/* Stream the rows of one kind to fn; its non-zero answer is returned. */
static int each_of_kind(struct sq_store *s, recon_kind k, const recon_query *q, recon_fn fn,
                        void *ctx, fk_err *err)
{
    strbuf sb = STRBUF_INIT;
    sq_binds b = {0};
    kind_sql(k, &sb, &b, q);
    sqlite3_stmt *st = sq_prepare_bound(s, sb_str(&sb), &b, err);
    sb_free(&sb);
    if (!st)
        return -1;
    int rc, stop = 0;
    while (!stop && (rc = sq_step_row(s, st, err)) == 1) {
        recon_item it;
        memset(&it, 0, sizeof it);
        it.kind = k;
        kind_fill(st, &it);
        stop = fn(&it, ctx);
    }
    sqlite3_finalize(st);
    return stop ? stop : rc < 0 ? -1 : 0;
}

static int sq_reconcile_each(store *st, const recon_query *q, recon_fn fn, void *ctx,
                             fk_err *err)
{
    struct sq_store *s = SQ(st);
    int began = 0, rc = 0;
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    for (int k = 0; k < RECON_KINDS && rc == 0; k++)
        rc = each_of_kind(s, (recon_kind)k, q, fn, ctx, err);
    sq_read_end(s, began);
    return rc;
}

const struct store_reconcile_ops sq_reconcile_ops = {
    .box_unpack = sq_box_unpack,
    .box_unpack_get = sq_box_unpack_get,
    .unmatched_insert = sq_unmatched_insert,
    .unmatched_get = sq_unmatched_get,
    .unmatched_resolve = sq_unmatched_resolve,
    .each = sq_reconcile_each,
};
