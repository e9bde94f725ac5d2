/*
 * store_sqlite_sample_flow.c - the sample-flow section (store_sample_flow.h) on SQLite.
 * The two inserts a box repeats per tube (packing, a box's batch of results) are cached
 * statements; the rest are prepared per call. Packing and a batch of results run in a
 * savepoint of their own even inside a caller's unit: all or none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "store/store_sqlite_int.h"

/* ---- labs -------------------------------------------------------------------------------- */

#define LAB_COLS "id, name, area_code, created_by, created_at"

static void lab_row(sqlite3_stmt *q, void *item)
{
    lab_rec *l = item;
    l->id = sqlite3_column_int64(q, 0);
    sq_col_text(l->name, sizeof l->name, q, 1);
    sq_col_text(l->area_code, sizeof l->area_code, q, 2);
    sq_col_text(l->created_by, sizeof l->created_by, q, 3);
    l->created_at = sqlite3_column_int64(q, 4);
}

static int lab_insert_unit(struct sq_store *s, lab_rec *l, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    int64_t n = 0;
    sq_bind_add_text(&b, l->area_code);
    if (sq_count(s, "SELECT count(*) FROM areas WHERE code = ?", &b, &n, err) != 0)
        return -1;
    if (!n)
        return fk_fail(err, FK_EREF, "area_code", "area_code: no area %s", l->area_code);
    sq_binds u = {0};
    sq_bind_add_text(&u, l->name);
    if (sq_count(s, "SELECT count(*) FROM labs WHERE name = ?", &u, &n, err) != 0)
        return -1;
    if (n)
        return fk_fail(err, FK_ECONFLICT, "name", "name: a lab named %s exists", l->name);
    sq_bind_add_text(&u, l->area_code);
    sq_bind_add_text(&u, l->created_by);
    sq_bind_add_int(&u, l->created_at);
    if (sq_run_bound(s, "INSERT INTO labs (name, area_code, created_by, created_at) "
                     "VALUES (?,?,?,?)", &u, err) != 0)
        return -1;
    l->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, l->id, err);
}

static int sq_lab_insert(store *st, lab_rec *l, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, lab_insert_unit(s, l, a, err));
}

static int sq_lab_get(store *st, int64_t id, lab_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found = sq_one_sql(SQ(st), "SELECT " LAB_COLS " FROM labs WHERE id = ?",
                           &b, lab_row, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0
                 : fk_fail(err, FK_EREF, "lab_id", "lab_id: no lab %lld",
                           (long long)id);
}

static int sq_lab_list(store *st, lab_list *out, fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    return sq_collect_sql(SQ(st), "SELECT " LAB_COLS " FROM labs ORDER BY name", &b, lab_row,
                          sizeof(lab_rec), (void **)&out->items, &out->n, err);
}

/* ---- boxes ------------------------------------------------------------------------------- */

#define BOX_COLS                                                                            \
    "b.id, b.code, b.round_id, b.site_id, b.state, b.packed_at, coalesce(b.handed_at, 0), "  \
    "coalesce(b.received_at, 0), b.packed_by, coalesce(b.handed_by, ''), "                  \
    "coalesce(b.received_by, ''), coalesce(b.courier, ''), coalesce(b.lab_id, 0), "         \
    "coalesce(l.name, ''), s.name, s.area_code, "                                           \
    "(SELECT count(*) FROM box_tubes bt WHERE bt.box_id = b.id)"
#define BOX_FROM                                                                            \
    " FROM sample_boxes b JOIN sampling_sites s ON s.id = b.site_id "                       \
    "LEFT JOIN labs l ON l.id = b.lab_id"

static void box_row(sqlite3_stmt *q, void *item)
{
    box_rec *b = item;
    b->id = sqlite3_column_int64(q, 0);
    sq_col_text(b->code, sizeof b->code, q, 1);
    b->round_id = sqlite3_column_int64(q, 2);
    b->site_id = sqlite3_column_int64(q, 3);
    sq_col_text(b->state, sizeof b->state, q, 4);
    b->packed_at = sqlite3_column_int64(q, 5);
    b->handed_at = sqlite3_column_int64(q, 6);
    b->received_at = sqlite3_column_int64(q, 7);
    sq_col_text(b->packed_by, sizeof b->packed_by, q, 8);
    sq_col_text(b->handed_by, sizeof b->handed_by, q, 9);
    sq_col_text(b->received_by, sizeof b->received_by, q, 10);
    sq_col_text(b->courier, sizeof b->courier, q, 11);
    b->lab_id = sqlite3_column_int64(q, 12);
    sq_col_text(b->lab_name, sizeof b->lab_name, q, 13);
    sq_col_text(b->site_name, sizeof b->site_name, q, 14);
    sq_col_text(b->site_area, sizeof b->site_area, q, 15);
    b->tubes = sqlite3_column_int(q, 16);
}

/* The one box of a query by a single bound value: 1 found, 0 none, -1 error. */
static int box_one(struct sq_store *s, const char *where, sq_binds *b, box_rec *out,
                   fk_err *err)
{
    char sql[1024];
    box_rec *items;
    size_t n;
    snprintf(sql, sizeof sql, "SELECT " BOX_COLS BOX_FROM " WHERE %s", where);
    if (sq_collect_sql(s, sql, b, box_row, sizeof *items, (void **)&items, &n, err) != 0)
        return -1;
    if (n)
        *out = items[0];
    free(items);
    return n ? 1 : 0;
}

static int pack_unit(struct sq_store *s, box_rec *b, const int64_t *ids, size_t n,
                     const audit_rec *a, fk_err *err)
{
    sq_binds c = {0};
    int64_t used = 0;
    sq_bind_add_text(&c, b->code);
    if (sq_count(s, "SELECT count(*) FROM sample_boxes WHERE code = ?", &c, &used, err) != 0)
        return -1;
    if (used)
        return fk_fail(err, FK_ECONFLICT, "code", "code: box %s exists", b->code);
    sq_bind_add_int(&c, b->round_id);
    sq_bind_add_int(&c, b->site_id);
    sq_bind_add_int(&c, b->packed_at);
    sq_bind_add_text(&c, b->packed_by);
    if (sq_run_bound(s, "INSERT INTO sample_boxes (code, round_id, site_id, packed_at, "
                     "packed_by) VALUES (?,?,?,?,?)", &c, err) != 0)
        return -1;
    b->id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *q = sq_stmt(s, SQ_BOX_TUBE_INSERT, "INSERT INTO box_tubes (box_id, "
                                  "tube_id, packed_at) VALUES (?,?,?)", err);
        if (!q)
            return -1;
        sqlite3_bind_int64(q, 1, b->id);
        sqlite3_bind_int64(q, 2, ids[i]);
        sqlite3_bind_int64(q, 3, b->packed_at);
        if (sq_exec_stmt(s, q, err) != 0)
            return fk_fail(err, FK_ECONFLICT, "barcodes", "barcodes: tube %lld is not closed, "
                           "is boxed already or is of another site", (long long)ids[i]);
    }
    return sq_audit_write(s, a, b->id, err);
}

static int sq_box_pack(store *st, box_rec *b, const int64_t *tube_ids, size_t n,
                       const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, pack_unit(s, b, tube_ids, n, a, err), err);
}

static int sq_box_get(store *st, const char *code, box_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, code);
    int rc = box_one(SQ(st), "b.code = ?", &b, out, err);
    if (rc < 0)
        return -1;
    return rc ? 0 : fk_fail(err, FK_ENOTFOUND, "code", "code: no box %s", code);
}

static int sq_box_of_tube(store *st, int64_t tube_id, box_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, tube_id);
    return box_one(SQ(st), "b.id = (SELECT box_id FROM box_tubes WHERE tube_id = ?)", &b, out,
                   err);
}

static void barcode_row(sqlite3_stmt *q, void *item)
{
    sq_col_text(item, 24, q, 0);
}

static int sq_box_barcodes(store *st, int64_t box_id, char (**out)[24], size_t *n, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, box_id);
    return sq_collect_sql(SQ(st), "SELECT t.barcode FROM box_tubes bt JOIN tubes t ON "
                          "t.id = bt.tube_id WHERE bt.box_id = ? ORDER BY bt.id", &b,
                          barcode_row, 24, (void **)out, n, err);
}

/* One guarded move of a box: `sql` binds (its values..., id) and changes a row only
 * from the state it expects. */
static int box_move_unit(struct sq_store *s, const char *sql, sq_binds *b, int64_t id,
                         const char *expected, const audit_rec *a, fk_err *err)
{
    if (sq_run_bound(s, sql, b, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ECONFLICT, "code", "code: the box is not %s", expected);
    return sq_audit_write(s, a, id, err);
}

static int sq_box_hand_over(store *st, int64_t id, const char *courier, const char *by,
                            int64_t at, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, by);
    sq_bind_add_text(&b, courier);
    sq_bind_add_int(&b, id);
    SQ_UNIT_OR_JOIN(s, box_move_unit(s, "UPDATE sample_boxes SET state = 'handed_over', "
                                     "handed_at = ?, handed_by = ?, courier = ? WHERE id = ? "
                                     "AND state = 'packed'", &b, id, "packed", a, err));
}

static int sq_box_receive(store *st, int64_t id, int64_t lab_id, const char *by, int64_t at,
                          const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, by);
    sq_bind_add_int(&b, lab_id);
    sq_bind_add_int(&b, id);
    SQ_UNIT_OR_JOIN(s, box_move_unit(s, "UPDATE sample_boxes SET state = 'received', "
                                     "received_at = ?, received_by = ?, lab_id = ? WHERE id = ? "
                                     "AND state = 'handed_over'", &b, id, "handed over", a,
                                     err));
}

/* ---- results ----------------------------------------------------------------------------- */

/* Since 0044 a first result is its tube's slot of a chunk (store_sqlite_results.c, the
 * one writer of first results) and a correction a row of result_corrections, which the
 * schema's trigger checks (its tube received by its lab, replacing the current result). */
#define CORRECTION_COLS "result_corrections (id, tube_id, result, ct_orf1ab, ct_n, lab_id, " \
                        "reported_at, reported_by, replaces, reason)"

/* r's id (0043: a first result's is its tube's rank 0, a correction's the next rank
 * after the result it replaces, which the guard checks is the tube's current one). */
static void result_id_set(result_rec *r)
{
    r->id = r->replaces ? r->replaces + 1 : store_first_result_id(r->tube_id);
}

static int correction_insert(struct sq_store *s, const result_rec *r, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_TUBE_RESULT_INSERT, "INSERT INTO " CORRECTION_COLS
                              " VALUES (?,?,?,?,?,?,?,?,?,?)", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, r->id);
    sqlite3_bind_int64(q, 2, r->tube_id);
    sq_bind_text(q, 3, r->result);
    if (r->has_ct) { /* else NULL: sq_stmt cleared every binding */
        sqlite3_bind_double(q, 4, r->ct_orf1ab);
        sqlite3_bind_double(q, 5, r->ct_n);
    }
    sqlite3_bind_int64(q, 6, r->lab_id);
    sqlite3_bind_int64(q, 7, r->reported_at);
    sq_bind_text(q, 8, r->reported_by);
    sqlite3_bind_int64(q, 9, r->replaces);
    sq_bind_text(q, 10, r->reason);
    if (sq_exec_stmt(s, q, err) != 0)
        return err->code == FK_ECONFLICT
                   ? fk_fail(err, FK_ECONFLICT, "barcode", "barcode: tube %lld was not received "
                             "by lab %lld, or its current result changed", (long long)r->tube_id,
                             (long long)r->lab_id)
                   : -1;
    return 0;
}

/* The schema's CHECKs of a first result (0034), which the chunks cannot state. */
static int first_valid(const char *result, int has_ct, double ct_orf1ab, double ct_n, size_t i,
                       fk_err *err)
{
    bool positive = !strcmp(result, "positive");
    if (!positive && strcmp(result, "negative") && strcmp(result, "invalid"))
        return fk_fail(err, FK_EINVAL, "result", "result: row %zu: \"%s\" is not negative, "
                       "positive or invalid", i, result);
    if (positive != (has_ct != 0))
        return fk_fail(err, FK_EINVAL, "ct_orf1ab", "ct_orf1ab: row %zu: a positive carries "
                       "both Ct values, other results none", i);
    if (positive && !(ct_orf1ab > 0 && ct_orf1ab <= 45 && ct_n > 0 && ct_n <= 45))
        return fk_fail(err, FK_EINVAL, "ct_orf1ab", "ct_orf1ab: row %zu: Ct values in (0, 45]",
                       i);
    return 0;
}

/* The first results of a recording whose tube was not received in a box by the row's
 * lab, as ?1 = [[tube, lab], ...]: what 0043's guard checked for each row. */
#define FIRSTS_REFUSED                                                                        \
    "SELECT count(*) FROM json_each(?1) j WHERE NOT EXISTS (SELECT 1 FROM box_tubes bt JOIN " \
    "sample_boxes b ON b.id = bt.box_id WHERE bt.tube_id = j.value ->> 0 AND b.state = "      \
    "'received' AND b.lab_id = j.value ->> 1)"

static int firsts_received(struct sq_store *s, const result_rec *r, size_t n, fk_err *err)
{
    strbuf pairs = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        sb_appendf(&pairs, "%c[%lld,%lld]", i ? ',' : '[', (long long)r[i].tube_id,
                   (long long)r[i].lab_id);
    sb_append(&pairs, "]");
    sq_binds b = {0};
    int64_t bad = 0;
    sq_bind_add_text(&b, sb_str(&pairs));
    int rc = sq_count(s, FIRSTS_REFUSED, &b, &bad, err);
    sb_free(&pairs);
    if (rc != 0 || !bad)
        return rc;
    if (n == 1)
        return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: tube %lld was not received by "
                       "lab %lld, or its current result changed", (long long)r->tube_id,
                       (long long)r->lab_id);
    return fk_fail(err, FK_ECONFLICT, "barcode", "barcode: a batch of results refused: %lld "
                   "of its tubes not received by the row's lab", (long long)bad);
}

/* First results r[0..n): checked (their rules, each tube received by its lab), then into
 * their chunks, which refuse a tube with a first result already. */
static int firsts_add(struct sq_store *s, const result_rec *r, size_t n, fk_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (first_valid(r[i].result, r[i].has_ct, r[i].ct_orf1ab, r[i].ct_n, i, err) != 0)
            return -1;
    if (firsts_received(s, r, n, err) != 0)
        return -1;
    sq_first_result *f = fk_calloc(n, sizeof *f);
    for (size_t i = 0; i < n; i++)
        f[i] = (sq_first_result){.tube_id = r[i].tube_id, .lab_id = r[i].lab_id,
                                 .reported_at = r[i].reported_at, .result = r[i].result,
                                 .reported_by = r[i].reported_by, .ct_orf1ab = r[i].ct_orf1ab,
                                 .ct_n = r[i].ct_n};
    int rc = sq_results_firsts_write(s, f, n, err);
    free(f);
    return rc;
}

/* The rows in order: each run of first results at once, each correction by itself. */
static int results_unit(struct sq_store *s, result_rec *r, size_t n, const audit_rec *a,
                        fk_err *err)
{
    for (size_t i = 0; i < n; i++)
        result_id_set(&r[i]);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !r[j].replaces)
            j++;
        if (j > i && firsts_add(s, &r[i], j - i, err) != 0)
            return -1;
        if (j < n && correction_insert(s, &r[j], err) != 0)
            return -1;
        i = j + 1;
    }
    return sq_audit_write(s, a, n == 1 ? r[0].tube_id : 0, err);
}

static int sq_results_add(store *st, result_rec *r, size_t n, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, results_unit(s, r, n, a, err), err);
}

/* ---- first results an import checked (store_testing_bulk.h) ------------------------------- */

/* The rows into their chunks, their ids filled; with the connection's triggers off the
 * chunks' code_answers triggers (0044) do not run: the answers move once. */
static int checked_write(struct sq_store *s, checked_result *r, size_t n, const char *by,
                         fk_err *err)
{
    sq_first_result *f = fk_calloc(n, sizeof *f);
    for (size_t i = 0; i < n; i++) {
        r[i].id = store_first_result_id(r[i].tube_id);
        f[i] = (sq_first_result){.tube_id = r[i].tube_id, .lab_id = r[i].lab_id,
                                 .reported_at = r[i].reported_at, .result = r[i].result,
                                 .reported_by = by, .ct_orf1ab = r[i].ct_orf1ab,
                                 .ct_n = r[i].ct_n};
    }
    int rc = sq_results_firsts_write(s, f, n, err);
    free(f);
    return rc;
}

/* Inside the unit: the rows with the connection's triggers, foreign keys and CHECKs off
 * (held for this call unless its caller holds them: sq_results_checked_hold, which puts
 * every switch back whatever happened), the answers moved. */
static int checked_unit(struct sq_store *s, checked_result *r, size_t n, const char *by,
                        fk_err *err)
{
    bool held = s->checks_held;
    if (!held && sq_results_checked_hold(&s->base, true, err) != 0)
        return -1;
    int rc = checked_write(s, r, n, by, err);
    fk_err e;
    if (!held && sq_results_checked_hold(&s->base, false, rc ? &e : err) != 0)
        rc = -1;
    return rc != 0 ? -1 : sq_answers_moved(s, err);
}

int sq_results_checked_hold(store *st, bool on, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (on == s->checks_held)
        return 0;
    if (!on) {
        s->checks_held = false;
        int rc = sq_row_checks_off(s, false, err);
        sq_checks_off(s->db, false, s->held_was);
        return rc;
    }
    if (s->depth == 0)
        return fk_fail(err, FK_EINVAL, "", "checked results are held inside a unit");
    sq_checks_off(s->db, true, s->held_was);
    if (sq_row_checks_off(s, true, err) != 0) {
        fk_err e;
        sq_row_checks_off(s, false, &e);
        sq_checks_off(s->db, false, s->held_was);
        return -1;
    }
    s->checks_held = true;
    return 0;
}

int sq_results_add_checked(store *st, checked_result *r, size_t n, const char *by, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (s->depth == 0)
        return fk_fail(err, FK_EINVAL, "", "checked results are written inside the unit "
                       "that checked them");
    if (!by || !by[0])
        return fk_fail(err, FK_EINVAL, "reported_by", "reported_by: required");
    for (size_t i = 0; i < n; i++)
        if (first_valid(r[i].result, r[i].has_ct, r[i].ct_orf1ab, r[i].ct_n, i, err) != 0)
            return -1;
    if (n == 0)
        return 0;
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, checked_unit(s, r, n, by, err), err);
}

static void result_row(sqlite3_stmt *q, void *item)
{
    result_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    r->tube_id = sqlite3_column_int64(q, 1);
    sq_col_text(r->result, sizeof r->result, q, 2);
    r->has_ct = sqlite3_column_type(q, 3) != SQLITE_NULL;
    r->ct_orf1ab = sqlite3_column_double(q, 3);
    r->ct_n = sqlite3_column_double(q, 4);
    r->lab_id = sqlite3_column_int64(q, 5);
    r->reported_at = sqlite3_column_int64(q, 6);
    sq_col_text(r->reported_by, sizeof r->reported_by, q, 7);
    r->replaces = sqlite3_column_int64(q, 8);
    sq_col_text(r->reason, sizeof r->reason, q, 9);
    sq_col_text(r->lab_name, sizeof r->lab_name, q, 10);
}

static int sq_tube_results(store *st, int64_t tube_id, result_list *out, fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, tube_id);
    return sq_collect_sql(SQ(st), "SELECT r.id, r.tube_id, r.result, r.ct_orf1ab, r.ct_n, "
                          "r.lab_id, r.reported_at, r.reported_by, coalesce(r.replaces, 0), "
                          "coalesce(r.reason, ''), l.name FROM fk_results r JOIN labs l ON "
                          "l.id = r.lab_id WHERE " SQ_RESULTS_OF("r", "?1") " ORDER BY r.id",
                          &b, result_row, sizeof(result_rec), (void **)&out->items, &out->n,
                          err);
}

/* ---- the flow ---------------------------------------------------------------------------- */

static void flow_row_fill(sqlite3_stmt *q, void *item)
{
    flow_row *f = item;
    f->tube_id = sqlite3_column_int64(q, 0);
    f->site_id = sqlite3_column_int64(q, 1);
    sq_col_text(f->site_name, sizeof f->site_name, q, 2);
    f->lab_id = sqlite3_column_int64(q, 3);
    sq_col_text(f->lab_name, sizeof f->lab_name, q, 4);
    sq_col_text(f->box_state, sizeof f->box_state, q, 5);
    f->closed_at = sqlite3_column_int64(q, 6);
    f->received_at = sqlite3_column_int64(q, 7);
    f->resulted_at = sqlite3_column_int64(q, 8);
    sq_col_text(f->result, sizeof f->result, q, 9);
}

static int sq_flow_rows(store *st, const flow_filter *f, flow_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, "SELECT t.id, t.site_id, s.name, coalesce(b.lab_id, 0), coalesce(l.name, ''), "
              "coalesce(b.state, ''), t.closed_at, coalesce(b.received_at, 0), "
              "coalesce((SELECT r.reported_at FROM fk_results r WHERE r.id = "
              SQ_FIRST_RESULT("t.id") "), 0), "
              "coalesce((SELECT r.result FROM fk_results r WHERE " SQ_RESULTS_OF("r", "t.id")
              " ORDER BY r.id DESC LIMIT 1), '') "
              "FROM tubes t JOIN sampling_sites s ON s.id = t.site_id "
              "LEFT JOIN box_tubes bt ON bt.tube_id = t.id "
              "LEFT JOIN sample_boxes b ON b.id = bt.box_id LEFT JOIN labs l ON l.id = b.lab_id "
              "WHERE t.state = 'closed'");
    if (f->round_id) {
        sb_append(&w, " AND t.round_id = ?");
        sq_bind_add_int(&b, f->round_id);
    }
    if (f->site_id) {
        sb_append(&w, " AND t.site_id = ?");
        sq_bind_add_int(&b, f->site_id);
    }
    if (f->lab_id) {
        sb_append(&w, " AND b.lab_id = ?");
        sq_bind_add_int(&b, f->lab_id);
    }
    sq_where_prefix(&w, &b, "s.area_code", f->area_prefix);
    sb_append(&w, " ORDER BY t.site_id, t.id");
    int rc = sq_collect_sql(SQ(st), sb_str(&w), &b, flow_row_fill, sizeof(flow_row),
                            (void **)&out->items, &out->n, err);
    sb_free(&w);
    return rc;
}

const struct store_sample_flow_ops sq_sample_flow_ops = {
    .lab_insert = sq_lab_insert,
    .lab_get = sq_lab_get,
    .lab_list = sq_lab_list,
    .box_pack = sq_box_pack,
    .box_get = sq_box_get,
    .box_of_tube = sq_box_of_tube,
    .box_barcodes = sq_box_barcodes,
    .box_hand_over = sq_box_hand_over,
    .box_receive = sq_box_receive,
    .results_add = sq_results_add,
    .tube_results = sq_tube_results,
    .flow_rows = sq_flow_rows,
};
