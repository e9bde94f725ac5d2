/*
 * store_sqlite_accountability.c - responsibilities, daily reports, actions decided
 * (migration 0009) and the lead facts read for performance and briefings. Contract:
 * store_accountability.h.
 *
 * Invariant: at most one row of an (area, function) has valid_to NULL (a partial
 * unique index holds it); store_resp_set ends that row and inserts the next in one
 * unit, so the periods of office of an area and function never overlap.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/* ---- responsibilities ------------------------------------------------------------------ */

#define RESP_COLS                                                                        \
    "id, area_code, function, unit, official, phone, valid_from, coalesce(valid_to, 0), " \
    "set_by, set_at"

static void resp_row(sqlite3_stmt *q, void *item)
{
    resp_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    sq_col_text(r->area_code, sizeof r->area_code, q, 1);
    sq_col_text(r->function, sizeof r->function, q, 2);
    sq_col_text(r->unit, sizeof r->unit, q, 3);
    sq_col_text(r->official, sizeof r->official, q, 4);
    sq_col_text(r->phone, sizeof r->phone, q, 5);
    r->valid_from = sqlite3_column_int64(q, 6);
    r->valid_to = sqlite3_column_int64(q, 7);
    sq_col_text(r->set_by, sizeof r->set_by, q, 8);
    r->set_at = sqlite3_column_int64(q, 9);
}

/* The current row's valid_from into *from (0 when there is none). */
static int resp_current_from(struct sq_store *s, const resp_rec *r, int64_t *from, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_RESP_CURRENT,
                              "SELECT valid_from FROM responsibilities WHERE function = ? AND "
                              "area_code = ? AND valid_to IS NULL",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, r->function);
    sq_bind_text(q, 2, r->area_code);
    return sq_int_query(s, q, from, err);
}

static int resp_set_unit(struct sq_store *s, resp_rec *r, const audit_rec *a, fk_err *err)
{
    int64_t current = 0;
    if (resp_current_from(s, r, &current, err) != 0)
        return -1;
    if (current && r->valid_from <= current)
        return fk_fail(err, FK_ECONFLICT, "valid_from",
                       "valid_from: must lie after the start of the current holder's term");
    sqlite3_stmt *q = sq_stmt(s, SQ_RESP_CLOSE,
                              "UPDATE responsibilities SET valid_to = ? WHERE function = ? AND "
                              "area_code = ? AND valid_to IS NULL",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, r->valid_from);
    sq_bind_text(q, 2, r->function);
    sq_bind_text(q, 3, r->area_code);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    q = sq_stmt(s, SQ_RESP_INSERT,
                "INSERT INTO responsibilities (area_code, function, unit, official, phone, "
                "valid_from, set_by, set_at) VALUES (?,?,?,?,?,?,?,?)",
                err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, r->area_code);
    sq_bind_text(q, 2, r->function);
    sq_bind_text(q, 3, r->unit);
    sq_bind_text(q, 4, r->official);
    sq_bind_text(q, 5, r->phone);
    sqlite3_bind_int64(q, 6, r->valid_from);
    sq_bind_text(q, 7, r->set_by);
    sqlite3_bind_int64(q, 8, r->set_at);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    r->valid_to = 0;
    return sq_audit_write(s, a, r->id, err);
}

int sq_resp_set(store *st, resp_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, resp_set_unit(s, r, a, err), err);
}

int sq_resp_at(store *st, const char *function, const char *area_code, int64_t at,
               resp_rec *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_RESP_AT,
                              "SELECT " RESP_COLS " FROM responsibilities WHERE function = ? "
                              "AND area_code = ? AND valid_from <= ? AND (valid_to IS NULL OR "
                              "valid_to > ?) ORDER BY valid_from DESC LIMIT 1",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, function);
    sq_bind_text(q, 2, area_code);
    sqlite3_bind_int64(q, 3, at);
    sqlite3_bind_int64(q, 4, at);
    int rc = sq_step_row(s, q, err);
    if (rc == 1) {
        resp_row(q, out);
        sqlite3_reset(q);
        return 0;
    }
    return rc < 0 ? -1
                  : fk_fail(err, FK_ENOTFOUND, "area_code", "no %s responsibility for '%s'",
                            function, area_code);
}

int sq_resp_list(store *st, const resp_filter *f, resp_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    sq_where_prefix(&w, &b, "area_code", f->area_prefix);
    if (sq_given(f->function)) {
        sb_append(&w, " AND function = ?");
        sq_bind_add_text(&b, f->function);
    }
    if (f->at > 0) {
        sb_append(&w, " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)");
        sq_bind_add_int(&b, f->at);
        sq_bind_add_int(&b, f->at);
    } else if (!f->history) {
        sb_append(&w, " AND valid_to IS NULL");
    }
    sq_page_query q = {RESP_COLS, "responsibilities", sb_str(&w),
                       "area_code, function, valid_from", f->limit, f->offset, resp_row,
                       sizeof(resp_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

/* ---- daily reports ----------------------------------------------------------------------- */

static void report_row(sqlite3_stmt *q, void *item)
{
    report_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    sq_col_text(r->area_code, sizeof r->area_code, q, 1);
    sq_col_text(r->day, sizeof r->day, q, 2);
    r->zero = sqlite3_column_int(q, 3);
    sq_col_text(r->figures, sizeof r->figures, q, 4);
    sq_col_text(r->note, sizeof r->note, q, 5);
    sq_col_text(r->submitted_by, sizeof r->submitted_by, q, 6);
    r->submitted_at = sqlite3_column_int64(q, 7);
    r->deadline = sqlite3_column_int64(q, 8);
}

static int report_insert_unit(struct sq_store *s, report_rec *r, const audit_rec *a,
                              fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_REPORT_INSERT,
                              "INSERT INTO daily_reports (area_code, day, zero, figures, note, "
                              "submitted_by, submitted_at, deadline) VALUES (?,?,?,?,?,?,?,?) "
                              "ON CONFLICT (day, area_code) DO NOTHING",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, r->area_code);
    sq_bind_text(q, 2, r->day);
    sqlite3_bind_int(q, 3, r->zero);
    sq_bind_text(q, 4, r->figures);
    sq_bind_text(q, 5, r->note);
    sq_bind_text(q, 6, r->submitted_by);
    sqlite3_bind_int64(q, 7, r->submitted_at);
    sqlite3_bind_int64(q, 8, r->deadline);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ECONFLICT, "day", "day: %s already reported for %s",
                       r->area_code, r->day);
    r->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, r->id, err);
}

int sq_report_insert(store *st, report_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, report_insert_unit(s, r, a, err), err);
}

int sq_reports_between(store *st, const char *from_day, const char *to_day,
                       const char *area_prefix, report_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, "SELECT id, area_code, day, zero, figures, note, submitted_by, submitted_at, "
                  "deadline FROM daily_reports WHERE day >= ? AND day <= ?");
    sq_bind_add_text(&b, from_day);
    sq_bind_add_text(&b, to_day);
    sq_where_prefix(&w, &b, "area_code", area_prefix);
    sb_append(&w, " ORDER BY day, area_code");
    sqlite3_stmt *q = sq_prepare_bound(s, sb_str(&w), &b, err);
    sb_free(&w);
    if (!q)
        return -1;
    int rc = sq_collect(s, q, report_row, sizeof(report_rec), (void **)&out->items, &out->n,
                        err);
    sqlite3_finalize(q);
    return rc;
}

static void area_row(sqlite3_stmt *q, void *item)
{
    area *a = item;
    sq_col_text(a->code, sizeof a->code, q, 0);
    sq_col_text(a->parent_code, sizeof a->parent_code, q, 1);
    sq_col_text(a->name, sizeof a->name, q, 2);
    sq_col_text(a->level, sizeof a->level, q, 3);
}

int sq_areas_at_levels(store *st, const char *levels, const char *area_prefix,
                       area_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, "SELECT code, coalesce(parent_code, ''), name, level FROM areas "
                  "WHERE instr('|' || ? || '|', '|' || level || '|') > 0");
    sq_bind_add_text(&b, levels);
    sq_where_prefix(&w, &b, "code", area_prefix);
    sb_append(&w, " ORDER BY code");
    sqlite3_stmt *q = sq_prepare_bound(s, sb_str(&w), &b, err);
    sb_free(&w);
    if (!q)
        return -1;
    int rc = sq_collect(s, q, area_row, sizeof(area), (void **)&out->items, &out->n, err);
    sqlite3_finalize(q);
    return rc;
}

/* ---- actions ------------------------------------------------------------------------------ */

#define ACTION_COLS \
    "id, failure_ref, area_code, unit, official, action, reason, decided_by, decided_at"

static void action_row(sqlite3_stmt *q, void *item)
{
    action_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    sq_col_text(r->failure_ref, sizeof r->failure_ref, q, 1);
    sq_col_text(r->area_code, sizeof r->area_code, q, 2);
    sq_col_text(r->unit, sizeof r->unit, q, 3);
    sq_col_text(r->official, sizeof r->official, q, 4);
    sq_col_text(r->action, sizeof r->action, q, 5);
    sq_col_text(r->reason, sizeof r->reason, q, 6);
    sq_col_text(r->decided_by, sizeof r->decided_by, q, 7);
    r->decided_at = sqlite3_column_int64(q, 8);
}

static int action_insert_unit(struct sq_store *s, action_rec *r, const audit_rec *a,
                              fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ACTION_INSERT,
                              "INSERT INTO accountability_actions (failure_ref, area_code, unit, "
                              "official, action, reason, decided_by, decided_at) "
                              "VALUES (?,?,?,?,?,?,?,?)",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, r->failure_ref);
    sq_bind_text(q, 2, r->area_code);
    sq_bind_text(q, 3, r->unit);
    sq_bind_text(q, 4, r->official);
    sq_bind_text(q, 5, r->action);
    sq_bind_text(q, 6, r->reason);
    sq_bind_text(q, 7, r->decided_by);
    sqlite3_bind_int64(q, 8, r->decided_at);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, r->id, err);
}

int sq_action_insert(store *st, action_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, action_insert_unit(s, r, a, err), err);
}

int sq_action_list(store *st, const action_filter *f, action_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    sq_where_prefix(&w, &b, "area_code", f->area_prefix);
    if (sq_given(f->failure_ref)) {
        sb_append(&w, " AND failure_ref = ?");
        sq_bind_add_text(&b, f->failure_ref);
    }
    if (f->from > 0) {
        sb_append(&w, " AND decided_at >= ?");
        sq_bind_add_int(&b, f->from);
    }
    if (f->to > 0) {
        sb_append(&w, " AND decided_at < ?");
        sq_bind_add_int(&b, f->to);
    }
    sq_page_query q = {ACTION_COLS, "accountability_actions", sb_str(&w), "decided_at DESC, id DESC",
                       f->limit, f->offset, action_row, sizeof(action_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

/* ---- lead facts ------------------------------------------------------------------------------ */

/* Each step's done time is the first event into a state that no longer waits for it
 * (lead.h: found waits for controlled, not_found and controlled for closed). */
#define FACT_SELECT                                                                           \
    "SELECT l.id, l.area_code, l.pushed_at, l.found_by, l.controlled_by, l.closed_by, "      \
    "min(CASE WHEN e.to_state IN ('found','not_found','refused','controlled','closed') "      \
    "THEN e.at END), "                                                                       \
    "min(CASE WHEN e.to_state IN ('not_found','controlled','closed') THEN e.at END), "       \
    "min(CASE WHEN e.to_state = 'closed' THEN e.at END) "                                   \
    "FROM leads l LEFT JOIN lead_events e ON e.lead_id = l.id"

static void fact_row(sqlite3_stmt *q, void *item)
{
    lead_fact *f = item;
    f->id = sqlite3_column_int64(q, 0);
    sq_col_text(f->area_code, sizeof f->area_code, q, 1);
    f->pushed_at = sqlite3_column_int64(q, 2);
    for (int i = 0; i < LEAD_STEPS; i++) {
        f->deadlines[i] = sqlite3_column_int64(q, 3 + i);
        f->done[i] = sqlite3_column_int64(q, 6 + i); /* NULL reads as 0: not done */
    }
}

/* The leads of the period without their events (fact_row's first six columns), by id. */
static void fact_lead_row(sqlite3_stmt *q, void *item)
{
    lead_fact *f = item;
    f->id = sqlite3_column_int64(q, 0);
    sq_col_text(f->area_code, sizeof f->area_code, q, 1);
    f->pushed_at = sqlite3_column_int64(q, 2);
    for (int i = 0; i < LEAD_STEPS; i++)
        f->deadlines[i] = sqlite3_column_int64(q, 3 + i);
}

/* Each lead's step times from its events (lead id >= ?1, by lead id), merged into the
 * facts (by id): a walk of both in order. */
static int fact_merge_events(struct sq_store *s, lead_fact_list *out, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_FACT_EVENTS,
                              "SELECT e.lead_id, min(CASE WHEN e.to_state IN ('found','not_found',"
                              "'refused','controlled','closed') THEN e.at END), min(CASE WHEN "
                              "e.to_state IN ('not_found','controlled','closed') THEN e.at END), "
                              "min(CASE WHEN e.to_state = 'closed' THEN e.at END) FROM "
                              "lead_events e WHERE e.lead_id >= ?1 GROUP BY e.lead_id ORDER BY "
                              "e.lead_id",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, out->items[0].id);
    size_t i = 0;
    int r;
    while ((r = sq_step_row(s, q, err)) > 0) {
        int64_t id = sqlite3_column_int64(q, 0);
        while (i < out->n && out->items[i].id < id)
            i++;
        if (i == out->n)
            break;
        if (out->items[i].id == id)
            for (int k = 0; k < LEAD_STEPS; k++)
                out->items[i].done[k] = sqlite3_column_int64(q, 1 + k); /* NULL: 0, not done */
    }
    sqlite3_reset(q);
    return r < 0 ? -1 : 0;
}

/* Two reads merged in C rather than leads LEFT JOIN lead_events: the join probed the
 * events index once per lead, and a period's leads are mostly without events (a city's
 * 352,106 leads, 2,029 with events: 0.72-1.38 s of the performance request, bench/loop). */
int sq_lead_facts(store *st, int64_t from, int64_t to, const char *area_prefix,
                  lead_fact_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, "SELECT l.id, l.area_code, l.pushed_at, l.found_by, l.controlled_by, "
                  "l.closed_by FROM ");
    sq_lead_area_from(&w, &b, area_prefix);
    sb_append(&w, " WHERE l.pushed_at < ? AND (l.due_at IS NOT NULL OR l.closed_by >= ? OR "
                  "l.updated_at >= ?) ORDER BY l.id");
    sq_bind_add_int(&b, to);
    sq_bind_add_int(&b, from);
    sq_bind_add_int(&b, from);
    int began = 0;
    if (sq_read_begin(s, &began, err) != 0) {
        sb_free(&w);
        return -1;
    }
    sqlite3_stmt *q = sq_prepare_bound(s, sb_str(&w), &b, err);
    sb_free(&w);
    int rc = q ? sq_collect(s, q, fact_lead_row, sizeof(lead_fact), (void **)&out->items,
                            &out->n, err)
               : -1;
    sqlite3_finalize(q);
    if (rc == 0 && out->n)
        rc = fact_merge_events(s, out, err);
    sq_read_end(s, began);
    if (rc != 0)
        lead_fact_list_free(out);
    return rc;
}

int sq_lead_fact(store *st, int64_t id, lead_fact *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    lead_fact_list l = {0};
    sq_bind_add_int(&b, id);
    sqlite3_stmt *q = sq_prepare_bound(s, FACT_SELECT " WHERE l.id = ? GROUP BY l.id", &b, err);
    if (!q)
        return -1;
    int rc = sq_collect(s, q, fact_row, sizeof(lead_fact), (void **)&l.items, &l.n, err);
    sqlite3_finalize(q);
    if (rc != 0)
        return -1;
    int found = l.n == 1;
    if (found)
        *out = l.items[0];
    lead_fact_list_free(&l);
    return found ? 0 : fk_fail(err, FK_ENOTFOUND, "failure_ref", "failure_ref: no lead %lld",
                               (long long)id);
}
