/*
 * store_sqlite_cases.c - cases (阳性人员) and their status transitions in SQLite.
 *
 * Numbers: the row counters('case_number') is incremented in the unit that inserts
 * the case, under the BEGIN IMMEDIATE write lock, so numbers are city-wide,
 * sequential and never reused (a rolled-back insert rolls the counter back too, so
 * there are no gaps either).
 * Status: a case is inserted "reported" with a first transition "" -> reported; a
 * transition reads the current status, asks case_check_transition() (model/epicase.h,
 * the only judge) and writes the new status, the transition row and the audit record,
 * all in one unit. A refused transition changes nothing.
 * Reads join persons for person_name and community_code (the scope of the case).
 * Filter q: 1 to 9 digits is a case number (exact match); anything else is a prefix
 * of the person's name, ID number or phone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/store_sqlite_int.h"

#define SQ_CASE_COLS                                                                           \
    "c.id, c.number, c.person_id, c.classification, c.severity, c.status, "                   \
    "c.reported_at, c.sampling_date, c.onset_date, c.source, c.hospital, p.community_code, "  \
    "p.name, c.created_at, c.updated_at"
#define SQ_CASE_FROM "cases c JOIN persons p ON p.id = c.person_id"
#define SQ_CASE_SELECT "SELECT " SQ_CASE_COLS " FROM " SQ_CASE_FROM

static void sq_case_row(sqlite3_stmt *st, void *item)
{
    epicase *c = item;
    c->id = sqlite3_column_int64(st, 0);
    c->number = sqlite3_column_int64(st, 1);
    c->person_id = sqlite3_column_int64(st, 2);
    sq_col_text(c->classification, sizeof c->classification, st, 3);
    sq_col_text(c->severity, sizeof c->severity, st, 4);
    sq_col_text(c->status, sizeof c->status, st, 5);
    c->reported_at = sqlite3_column_int64(st, 6);
    sq_col_text(c->sampling_date, sizeof c->sampling_date, st, 7);
    sq_col_text(c->onset_date, sizeof c->onset_date, st, 8);
    sq_col_text(c->source, sizeof c->source, st, 9);
    sq_col_text(c->hospital, sizeof c->hospital, st, 10);
    sq_col_text(c->community_code, sizeof c->community_code, st, 11);
    sq_col_text(c->person_name, sizeof c->person_name, st, 12);
    c->created_at = sqlite3_column_int64(st, 13);
    c->updated_at = sqlite3_column_int64(st, 14);
}

/* 1 and *out filled when found, 0 when not, -1 on error. */
static int sq_case_lookup(struct sq_store *s, int64_t id, epicase *out, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_CASE_GET, SQ_CASE_SELECT " WHERE c.id = ?", err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int r = sq_step_row(s, st, err);
    if (r == 1) {
        memset(out, 0, sizeof *out);
        sq_case_row(st, out);
        sqlite3_reset(st);
    }
    return r;
}

int sq_case_get(store *st, int64_t id, epicase *out, fk_err *err)
{
    int r = sq_case_lookup(SQ(st), id, out, err);
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: case %lld does not exist", (long long)id);
    return r < 0 ? -1 : 0;
}

static int sq_transition_write(struct sq_store *s, case_transition *t, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_TRANSITION_INSERT,
                               "INSERT INTO case_transitions (case_id, from_status, to_status, "
                               "at, actor, note) VALUES (?, ?, ?, ?, ?, ?)",
                               err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, t->case_id);
    sq_bind_text(st, 2, t->from_status);
    sq_bind_text(st, 3, t->to_status);
    sqlite3_bind_int64(st, 4, t->at);
    sq_bind_text(st, 5, t->actor);
    sq_bind_text(st, 6, t->note);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    t->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static void sq_transition_init(case_transition *t, int64_t case_id, const char *from,
                               const char *to, const char *note, const audit_rec *a)
{
    memset(t, 0, sizeof *t);
    t->case_id = case_id;
    snprintf(t->from_status, sizeof t->from_status, "%s", from);
    snprintf(t->to_status, sizeof t->to_status, "%s", to);
    t->at = fk_now();
    snprintf(t->actor, sizeof t->actor, "%s", a && a->actor[0] ? a->actor : "system");
    snprintf(t->note, sizeof t->note, "%s", note ? note : "");
}

/* The person's name and community into c; FK_EREF person_id when missing. */
static int sq_case_person(struct sq_store *s, epicase *c, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_PERSON_BRIEF,
                               "SELECT name, community_code FROM persons WHERE id = ?", err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, c->person_id);
    int r = sq_step_row(s, st, err);
    if (r <= 0)
        return r < 0 ? -1 : fk_fail(err, FK_EREF, "person_id",
                                    "person_id: person %lld does not exist",
                                    (long long)c->person_id);
    sq_col_text(c->person_name, sizeof c->person_name, st, 0);
    sq_col_text(c->community_code, sizeof c->community_code, st, 1);
    sqlite3_reset(st);
    return 0;
}

static int sq_case_insert_row(struct sq_store *s, epicase *c, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_CASE_INSERT,
                               "INSERT INTO cases (number, person_id, classification, severity, "
                               "status, reported_at, sampling_date, onset_date, source, hospital, "
                               "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                               err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, c->number);
    sqlite3_bind_int64(st, 2, c->person_id);
    sq_bind_text(st, 3, c->classification);
    sq_bind_text(st, 4, c->severity);
    sq_bind_text(st, 5, c->status);
    sqlite3_bind_int64(st, 6, c->reported_at);
    sq_bind_text(st, 7, c->sampling_date);
    sq_bind_text(st, 8, c->onset_date);
    sq_bind_text(st, 9, c->source);
    sq_bind_text(st, 10, c->hospital);
    sqlite3_bind_int64(st, 11, c->created_at);
    sqlite3_bind_int64(st, 12, c->updated_at);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    c->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int sq_case_insert_unit(struct sq_store *s, epicase *c, const audit_rec *a, fk_err *err)
{
    if (sq_case_person(s, c, err) != 0)
        return -1;
    sqlite3_stmt *st = sq_stmt(s, SQ_CASE_NEXT_NUMBER,
                               "UPDATE counters SET value = value + 1 "
                               "WHERE name = 'case_number' RETURNING value",
                               err);
    if (!st || sq_int_query(s, st, &c->number, err) != 0)
        return -1;
    if (c->number <= 0)
        return fk_fail(err, FK_EIO, "", "the case number counter is missing from the database");
    snprintf(c->status, sizeof c->status, "reported");
    c->created_at = c->updated_at = fk_now();
    if (sq_case_insert_row(s, c, err) != 0)
        return -1;
    case_transition t;
    sq_transition_init(&t, c->id, "", "reported", "", a);
    if (sq_transition_write(s, &t, err) != 0)
        return -1;
    return sq_audit_write(s, a, c->id, err);
}

int sq_case_insert(store *st, epicase *c, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    int rc = sq_end(s, sq_case_insert_unit(s, c, a, err), err);
    if (rc != 0)
        c->id = c->number = 0;
    return rc;
}

static int sq_case_update_unit(struct sq_store *s, epicase *c, const audit_rec *a, fk_err *err)
{
    epicase old;
    int r = sq_case_lookup(s, c->id, &old, err);
    if (r <= 0)
        return r < 0 ? -1 : fk_fail(err, FK_ENOTFOUND, "id", "id: case %lld does not exist",
                                    (long long)c->id);
    sqlite3_stmt *st = sq_stmt(s, SQ_CASE_UPDATE,
                               "UPDATE cases SET classification = ?, severity = ?, "
                               "reported_at = ?, sampling_date = ?, onset_date = ?, source = ?, "
                               "hospital = ?, updated_at = ? WHERE id = ?",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, c->classification);
    sq_bind_text(st, 2, c->severity);
    sqlite3_bind_int64(st, 3, c->reported_at);
    sq_bind_text(st, 4, c->sampling_date);
    sq_bind_text(st, 5, c->onset_date);
    sq_bind_text(st, 6, c->source);
    sq_bind_text(st, 7, c->hospital);
    sqlite3_bind_int64(st, 8, fk_now());
    sqlite3_bind_int64(st, 9, c->id);
    if (sq_exec_stmt(s, st, err) != 0 || sq_audit_write(s, a, c->id, err) != 0)
        return -1;
    return sq_case_lookup(s, c->id, c, err) == 1 ? 0 : -1;
}

int sq_case_update(store *st, epicase *c, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_case_update_unit(s, c, a, err), err);
}

static int sq_case_transition_unit(struct sq_store *s, int64_t case_id, const char *to,
                                   const char *note, const audit_rec *a, case_transition *out,
                                   fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_CASE_STATUS, "SELECT status FROM cases WHERE id = ?", err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    int r = sq_step_row(s, st, err);
    if (r <= 0)
        return r < 0 ? -1 : fk_fail(err, FK_ENOTFOUND, "id", "id: case %lld does not exist",
                                    (long long)case_id);
    char from[16];
    sq_col_text(from, sizeof from, st, 0);
    sqlite3_reset(st);
    if (case_check_transition(from, to, err) != 0)
        return -1;
    case_transition t;
    sq_transition_init(&t, case_id, from, to, note, a);
    st = sq_stmt(s, SQ_CASE_SET_STATUS, "UPDATE cases SET status = ?, updated_at = ? WHERE id = ?",
                 err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, t.to_status);
    sqlite3_bind_int64(st, 2, t.at);
    sqlite3_bind_int64(st, 3, case_id);
    if (sq_exec_stmt(s, st, err) != 0 || sq_transition_write(s, &t, err) != 0 ||
        sq_audit_write(s, a, case_id, err) != 0)
        return -1;
    if (out)
        *out = t;
    return 0;
}

int sq_case_transition(store *st, int64_t case_id, const char *to, const char *note,
                       const audit_rec *a, case_transition *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (!to)
        return fk_fail(err, FK_EINVAL, "to", "to: required");
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_case_transition_unit(s, case_id, to, note, a, out, err), err);
}

static void sq_transition_row(sqlite3_stmt *st, void *item)
{
    case_transition *t = item;
    t->id = sqlite3_column_int64(st, 0);
    t->case_id = sqlite3_column_int64(st, 1);
    sq_col_text(t->from_status, sizeof t->from_status, st, 2);
    sq_col_text(t->to_status, sizeof t->to_status, st, 3);
    t->at = sqlite3_column_int64(st, 4);
    sq_col_text(t->actor, sizeof t->actor, st, 5);
    sq_col_text(t->note, sizeof t->note, st, 6);
}

/* Oldest first; FK_ENOTFOUND when the case does not exist. */
int sq_case_transitions(store *st, int64_t case_id, transition_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    epicase c;
    memset(out, 0, sizeof *out);
    int r = sq_case_lookup(s, case_id, &c, err);
    if (r <= 0)
        return r < 0 ? -1 : fk_fail(err, FK_ENOTFOUND, "id", "id: case %lld does not exist",
                                    (long long)case_id);
    sqlite3_stmt *q = sq_stmt(s, SQ_TRANSITION_LIST,
                              "SELECT id, case_id, from_status, to_status, at, actor, note "
                              "FROM case_transitions WHERE case_id = ? ORDER BY id",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, case_id);
    return sq_collect(s, q, sq_transition_row, sizeof(case_transition), (void **)&out->items,
                      &out->n, err);
}

/* A case number: 1 to 9 ASCII digits. */
static int sq_case_number_of(const char *q, int64_t *out)
{
    size_t n = strlen(q);
    if (n == 0 || n > 9 || strspn(q, "0123456789") != n)
        return 0;
    *out = strtoll(q, NULL, 10);
    return 1;
}

static void sq_case_where(const case_filter *f, strbuf *w, sq_binds *b)
{
    int64_t number;
    sb_append(w, " WHERE 1");
    if (sq_given(f->q) && sq_case_number_of(f->q, &number)) {
        sb_append(w, " AND c.number = ?");
        sq_bind_add_int(b, number);
    } else if (sq_given(f->q)) {
        sb_appendf(w, " AND c.person_id IN (%s)", sq_person_prefix_ids);
        for (int i = 0; i < 6; i++)
            sq_bind_add_text(b, f->q);
    }
    if (sq_given(f->area_prefix)) {
        sb_append(w, " AND p.community_code >= ? AND p.community_code < ? || '~'");
        sq_bind_add_text(b, f->area_prefix);
        sq_bind_add_text(b, f->area_prefix);
    }
    const char *exact_cols[] = {"c.classification", "c.status", "c.source"};
    const char *exact_vals[] = {f->classification, f->status, f->source};
    for (int i = 0; i < 3; i++)
        if (sq_given(exact_vals[i])) {
            sb_appendf(w, " AND %s = ?", exact_cols[i]);
            sq_bind_add_text(b, exact_vals[i]);
        }
    if (f->person_id) {
        sb_append(w, " AND c.person_id = ?");
        sq_bind_add_int(b, f->person_id);
    }
    if (f->reported_from) {
        sb_append(w, " AND c.reported_at >= ?");
        sq_bind_add_int(b, f->reported_from);
    }
    if (f->reported_to) {
        sb_append(w, " AND c.reported_at < ?");
        sq_bind_add_int(b, f->reported_to);
    }
}

int sq_case_list(store *st, const case_filter *f, case_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_case_where(f, &w, &b);
    sq_page_query q = {SQ_CASE_COLS, SQ_CASE_FROM, sb_str(&w), "c.id", f->limit, f->offset,
                       sq_case_row, sizeof(epicase)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static void sq_tally_row(sqlite3_stmt *st, void *item)
{
    tally *t = item;
    sq_col_text(t->key, sizeof t->key, st, 0);
    t->n = sqlite3_column_int64(st, 1);
}

/* Counts per value of `column` (status | classification), ordered by the value. */
int sq_case_tally(store *st, const char *column, const char *area_prefix, tally_list *out,
                  fk_err *err)
{
    struct sq_store *s = SQ(st);
    memset(out, 0, sizeof *out);
    if (!column || (strcmp(column, "status") && strcmp(column, "classification")))
        return fk_fail(err, FK_EINVAL, "column", "column: cases are tallied by status or "
                                                 "classification");
    strbuf sql = STRBUF_INIT;
    sq_binds b = {0};
    sb_appendf(&sql, "SELECT c.%s, count(*) FROM cases c", column);
    if (sq_given(area_prefix)) {
        sb_append(&sql, " JOIN persons p ON p.id = c.person_id "
                        "WHERE p.community_code >= ? AND p.community_code < ? || '~'");
        sq_bind_add_text(&b, area_prefix);
        sq_bind_add_text(&b, area_prefix);
    }
    sb_append(&sql, " GROUP BY 1 ORDER BY 1");
    sqlite3_stmt *q = sq_prepare_bound(s, sb_str(&sql), &b, err);
    sb_free(&sql);
    if (!q)
        return -1;
    int rc = sq_collect(s, q, sq_tally_row, sizeof(tally), (void **)&out->items, &out->n, err);
    sqlite3_finalize(q);
    return rc;
}
