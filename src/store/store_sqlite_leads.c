/*
 * store_sqlite_leads.c - leads and their history (tables leads, lead_events, migration
 * 0007; lead_pushes, escalation_notices, 0021) and how they are found by area (lead_runs
 * and the partial leads_area, 0037: sq_lead_area_from). Contract: store_leads.h.
 *
 * Invariant: a lead row and the history that explains its change (a lead_events row, or
 * for a push and a sweep the batch's lead_pushes or escalation_notices row the lead
 * falls in or points to) are written in one unit, together with the audit record;
 * due_at always equals lead_due(state, deadlines) (NULL once closed), so the overdue
 * filter is a range on the leads_due index. A transition re-reads the state inside its
 * unit and refuses the move when another writer changed it since the caller looked
 * (FK_ECONFLICT "state").
 * The escalation level a lead shows is derived (lead_level_seen) from its stored level,
 * esc_owed, its state's deadlines and the clock (escalation_sweeps, 0022): a sweep moves
 * the clock and writes one notice per unit and new level, not the leads; every write that
 * moves a lead settles first (the level shown and the notices that raised it become the
 * stored ones: the rule counts from the state it leaves) and owes after (esc_owed when
 * the rule over the new state is already past the stored level as of the clock, else
 * next_at lowered to its next deadline), so a level never drops, never rises without a
 * sweep telling its unit, and the sweep finds every rise in [clock, now) from next_at and
 * leads_due. store_lead_events merges the stored events, the batch rows and the notices
 * of the derived levels into the one history a client reads.
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "base/u64map.h"
#include "store/store_sqlite_int.h"

/* The escalation clock: the latest sweep's `now` (migration 0022). */
#define ESC_CLOCK "(SELECT max(at) FROM escalation_sweeps)"
#define LEAD_COLS                                                                           \
    "l.id, l.kind, coalesce(l.person_id, 0), l.subject, coalesce(l.case_id, 0), "           \
    "coalesce(l.contact_id, 0), l.measure_required, l.area_code, coalesce(l.assignee, ''), " \
    "l.state, l.measure_taken, l.pushed_at, l.found_by, l.controlled_by, l.closed_by, "      \
    "coalesce(l.due_at, 0), l.escalation_level, l.escalated_at, l.updated_at, "             \
    "coalesce(p.name, ''), coalesce(p.phone, ''), l.esc_owed, " ESC_CLOCK
#define LEAD_FROM "leads l LEFT JOIN persons p ON p.id = l.person_id"
enum { ESC_COL = 21 }; /* the first of the escalation clock's columns in LEAD_COLS */

/* A lead's stored escalation and the clock (migration 0022): what lead_level_seen needs. */
typedef struct esc_view {
    int stored;
    bool owed;
    int64_t clock;
} esc_view;

static void esc_view_read(sqlite3_stmt *q, const lead_rec *l, esc_view *v)
{
    v->stored = l->escalation_level;
    v->owed = sqlite3_column_int(q, ESC_COL) != 0;
    v->clock = sqlite3_column_int64(q, ESC_COL + 1);
}

/* The level lead l shows (it holds the stored one on entry); when derived, the deadline
 * whose passing raised it there (esc_deadline: esc_times reads when, after a sort). */
static void esc_seen(lead_rec *l, const esc_view *v)
{
    int seen = lead_level_seen(v->stored, v->owed, l->state, l->deadlines, v->clock);
    int step = lead_level_step(l->state, seen);
    l->esc_deadline = seen > v->stored && step >= 0 ? l->deadlines[step] : 0;
    l->escalation_level = seen;
}

/* The first sweep after `deadline` (0: none): the one that raised a level derived from
 * it. Not a column of LEAD_COLS: a sorted page would compute it for every row. */
static int esc_swept_after(struct sq_store *s, int64_t deadline, int64_t *at, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_AFTER,
                              "SELECT coalesce(min(at), 0) FROM escalation_sweeps WHERE at > ?",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, deadline);
    return sq_int_query(s, q, at, err);
}

/* escalated_at (and updated_at when later) of the leads whose level is derived. */
static int esc_times(struct sq_store *s, lead_rec *l, size_t n, fk_err *err)
{
    for (size_t i = 0; i < n; i++) {
        int64_t at = 0;
        if (!l[i].esc_deadline)
            continue;
        if (esc_swept_after(s, l[i].esc_deadline, &at, err) != 0)
            return -1;
        l[i].escalated_at = at;
        if (at > l[i].updated_at)
            l[i].updated_at = at;
    }
    return 0;
}

static void lead_row_only(sqlite3_stmt *q, lead_rec *l)
{
    l->id = sqlite3_column_int64(q, 0);
    sq_col_text(l->kind, sizeof l->kind, q, 1);
    l->person_id = sqlite3_column_int64(q, 2);
    sq_col_text(l->subject, sizeof l->subject, q, 3);
    l->case_id = sqlite3_column_int64(q, 4);
    l->contact_id = sqlite3_column_int64(q, 5);
    sq_col_text(l->measure_required, sizeof l->measure_required, q, 6);
    sq_col_text(l->area_code, sizeof l->area_code, q, 7);
    sq_col_text(l->assignee, sizeof l->assignee, q, 8);
    sq_col_text(l->state, sizeof l->state, q, 9);
    sq_col_text(l->measure_taken, sizeof l->measure_taken, q, 10);
    l->pushed_at = sqlite3_column_int64(q, 11);
    for (int i = 0; i < LEAD_STEPS; i++)
        l->deadlines[i] = sqlite3_column_int64(q, 12 + i);
    l->due_at = sqlite3_column_int64(q, 15);
    l->escalation_level = sqlite3_column_int(q, 16);
    l->escalated_at = sqlite3_column_int64(q, 17);
    l->updated_at = sqlite3_column_int64(q, 18);
    sq_col_text(l->person_name, sizeof l->person_name, q, 19);
    sq_col_text(l->person_phone, sizeof l->person_phone, q, 20);
}

static void lead_row(sqlite3_stmt *q, void *item)
{
    lead_rec *l = item;
    esc_view v;
    lead_row_only(q, l);
    esc_view_read(q, l, &v);
    esc_seen(l, &v);
}

static void bind_id_or_null(sqlite3_stmt *q, int idx, int64_t id)
{
    if (id)
        sqlite3_bind_int64(q, idx, id);
    else
        sqlite3_bind_null(q, idx);
}

static void bind_due(sqlite3_stmt *q, int idx, const char *state, const int64_t *deadlines)
{
    bind_id_or_null(q, idx, lead_due(state, deadlines));
}

static int event_insert(struct sq_store *s, int64_t lead_id, int64_t at, const char *actor,
                        const char *from, const char *to, const char *note, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_EVENT_INSERT,
                              "INSERT INTO lead_events (lead_id, at, actor, from_state, "
                              "to_state, note) VALUES (?,?,?,?,?,?)",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, lead_id);
    sqlite3_bind_int64(q, 2, at);
    sq_bind_text(q, 3, actor);
    sq_bind_text(q, 4, from);
    sq_bind_text(q, 5, to);
    sq_bind_text(q, 6, note ? note : "");
    return sq_exec_stmt(s, q, err);
}

/* The leads of area prefix P as the rows of alias l (migration 0037), P bound four times.
 * Candidates c, a co-routine feeding the join: the ids named by P's runs and the range of
 * leads_area, which holds only the leads in no run (the partial index's own condition
 * spelled out, so SQLite uses it). The two parts are exact and apart: a run names the
 * leads of its push still in its area, each with in_run = 1 (0037's trigger takes a lead
 * that changes area out of its run and clears in_run, whatever writer moved it), and
 * leads_area holds those with in_run = 0; so each lead of P comes once and no lead row
 * is checked again (reading in_run, the row's last column, for each lead was a tenth
 * of a street's filtered queue). CROSS JOIN keeps the candidates the outer loop.
 * Measured on bench/loop's store after the push (a street of 97,830 leads, a
 * community of 16,757; store_lead_list twice under callgrind): the street's first page
 * filtered by state 1.74 billion instructions (leads_area before: 1.81), unfiltered
 * 0.94 (1.68: the total from the runs' lengths); the community's first page 0.16 (0.29),
 * at offset 16,000 0.40 (0.52), filtered 0.30 (0.31). `l.id IN (candidates)` built a
 * temporary index of the ids first: 21% more than leads_area for the street; json_each
 * instead of fk_ids, a further 0.2 billion. */
#define LEAD_AREA_SOURCE                                                                    \
    "(SELECT j.value AS id FROM lead_runs r, fk_ids(r.ids) j WHERE r.area_code >= ? AND "   \
    "r.area_code < ? || '~' UNION ALL SELECT id FROM leads WHERE in_run = 0 AND "           \
    "area_code >= ? AND area_code < ? || '~') c CROSS JOIN leads l ON l.id = c.id"

void sq_lead_area_from(strbuf *sql, sq_binds *b, const char *prefix)
{
    if (!sq_given(prefix)) {
        sb_append(sql, "leads l");
        return;
    }
    sb_append(sql, LEAD_AREA_SOURCE);
    for (int i = 0; i < 4; i++)
        sq_bind_add_text(b, prefix);
}

/* The filter as FROM (leads l and persons p) and WHERE clauses and their binds, in that
 * order. A case's leads are found by leads_case and kept to the area by its range; any
 * other filter reads the area's leads (sq_lead_area_from). */
static void lead_where(const lead_filter *f, strbuf *from, strbuf *w, sq_binds *b)
{
    bool by_case = f->case_id != 0;
    sq_lead_area_from(from, b, by_case ? NULL : f->area_prefix);
    sb_append(from, " LEFT JOIN persons p ON p.id = l.person_id");
    sb_append(w, " WHERE 1");
    if (sq_given(f->state)) {
        sb_append(w, " AND l.state = ?");
        sq_bind_add_text(b, f->state);
    }
    if (sq_given(f->kind)) {
        sb_append(w, " AND l.kind = ?");
        sq_bind_add_text(b, f->kind);
    }
    if (by_case) {
        sq_where_prefix(w, b, "l.area_code", f->area_prefix);
        sb_append(w, " AND l.case_id = ?");
        sq_bind_add_int(b, f->case_id);
    }
    if (f->overdue_at > 0) {
        sb_append(w, " AND l.due_at IS NOT NULL AND l.due_at < ?");
        sq_bind_add_int(b, f->overdue_at);
    }
}

/* The number of leads of area prefix P (?1) counted from the runs' lengths and the range
 * of leads_area without reading a lead: a run names exactly the leads still in its push
 * and area (the trigger of 0037 takes a lead that moves out of its run). A street's
 * count read every one of its leads' rows (0.39 billion instructions for 97,830). */
#define LEAD_AREA_COUNT                                                                     \
    "SELECT (SELECT coalesce(sum(json_array_length(ids)), 0) FROM lead_runs WHERE "         \
    "area_code >= ?1 AND area_code < ?1 || '~') + (SELECT count(*) FROM leads WHERE "      \
    "in_run = 0 AND area_code >= ?1 AND area_code < ?1 || '~')"

int sq_lead_list(store *st, const lead_filter *f, lead_list *out, fk_err *err)
{
    strbuf from = STRBUF_INIT, w = STRBUF_INIT;
    sq_binds b = {0}, cb = {0};
    memset(out, 0, sizeof *out);
    lead_where(f, &from, &w, &b);
    sq_page_query q = {LEAD_COLS, sb_str(&from), sb_str(&w),
                       "l.due_at IS NULL, l.due_at, l.id", f->limit, f->offset, lead_row,
                       sizeof(lead_rec), NULL, NULL};
    /* the area and no other filter of lead_filter: the total without reading a lead */
    bool area_only = sq_given(f->area_prefix) && !sq_given(f->state) && !sq_given(f->kind) &&
                     !f->case_id && f->overdue_at <= 0;
    if (area_only) {
        sq_bind_add_text(&cb, f->area_prefix);
        q.count = LEAD_AREA_COUNT;
        q.count_binds = &cb;
    }
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&from);
    sb_free(&w);
    return rc == 0 ? esc_times(SQ(st), out->items, out->n, err) : -1;
}

/* A chunk of rows read by sq_lead_each: its escalation times (esc_times, as a page's),
 * then each to fn. */
static int lead_chunk(struct sq_store *s, lead_rec *rows, size_t n, lead_fn fn, void *ctx,
                      fk_err *err)
{
    if (esc_times(s, rows, n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int rc = fn(ctx, &rows[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

#define LEAD_EACH_CHUNK 1000

static int lead_each_rows(struct sq_store *s, sqlite3_stmt *q, lead_rec *rows, lead_fn fn,
                          void *ctx, fk_err *err)
{
    size_t n = 0;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&rows[n], 0, sizeof rows[n]);
        lead_row(q, &rows[n++]);
        if (n == LEAD_EACH_CHUNK) {
            rc = lead_chunk(s, rows, n, fn, ctx, err);
            n = 0;
        }
    }
    if (rc != 0)
        return rc;
    if (step != SQLITE_DONE)
        return sq_dberr(s, step, err);
    return lead_chunk(s, rows, n, fn, ctx, err);
}

int sq_lead_each(store *st, const lead_filter *f, lead_fn fn, void *ctx, fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf sql = STRBUF_INIT;
    sq_binds b = {0};
    int began = 0, rc = -1;
    lead_rec *rows = calloc(LEAD_EACH_CHUNK, sizeof *rows);
    if (!rows)
        return fk_fail(err, FK_EBUSY, "", "out of memory reading leads");
    strbuf from = STRBUF_INIT, w = STRBUF_INIT;
    lead_where(f, &from, &w, &b);
    sb_appendf(&sql, "SELECT " LEAD_COLS " FROM %s%s ORDER BY l.due_at IS NULL, l.due_at, "
               "l.id", sb_str(&from), sb_str(&w));
    sb_free(&from);
    sb_free(&w);
    if (sq_read_begin(s, &began, err) == 0) {
        sqlite3_stmt *q = sq_prepare_bound(s, sb_str(&sql), &b, err);
        if (q) {
            rc = lead_each_rows(s, q, rows, fn, ctx, err);
            sqlite3_finalize(q);
        }
        sq_read_end(s, began);
    }
    sb_free(&sql);
    free(rows);
    return rc;
}

/* The lead as it shows (out) and its stored escalation with the clock (v, may be NULL). */
static int lead_get_full(struct sq_store *s, int64_t id, lead_rec *out, esc_view *v,
                         fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_GET, "SELECT " LEAD_COLS " FROM " LEAD_FROM
                                              " WHERE l.id = ?", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, id);
    int r = sq_step_row(s, q, err);
    if (r > 0) {
        esc_view own;
        memset(out, 0, sizeof *out);
        lead_row_only(q, out);
        esc_view_read(q, out, v ? v : &own);
        esc_seen(out, v ? v : &own);
    }
    sqlite3_reset(q);
    if (r < 0)
        return -1;
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no lead %lld", (long long)id);
    return esc_times(s, out, 1, err);
}

/* One cached statement: a push re-reads every lead it made, so no paging query here. */
int sq_lead_get(store *st, int64_t id, lead_rec *out, fk_err *err)
{
    return lead_get_full(SQ(st), id, out, NULL, err);
}

/* ---- the escalation clock (migration 0022) ----------------------------------------------- */

/* The clock (the latest sweep's now) and next_at (*has_next false when NULL). */
static int esc_clock(struct sq_store *s, int64_t *clock, int64_t *next, bool *has_next,
                     fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_CLOCK,
                              "SELECT at, next_at FROM escalation_sweeps ORDER BY at DESC LIMIT 1",
                              err);
    int r = q ? sq_step_row(s, q, err) : -1;
    *clock = *next = 0;
    *has_next = false;
    if (r > 0) {
        *clock = sqlite3_column_int64(q, 0);
        *has_next = sqlite3_column_type(q, 1) != SQLITE_NULL;
        *next = sqlite3_column_int64(q, 1);
        sqlite3_reset(q);
    }
    return r < 0 ? -1 : 0;
}

/* A lead written now may next rise after `at` (0: never): next_at comes down to it. */
static int esc_lower_next(struct sq_store *s, int64_t at, fk_err *err)
{
    if (at <= 0)
        return 0;
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_LOWER,
                              "UPDATE escalation_sweeps SET next_at = min(coalesce(next_at, ?1), "
                              "?1) WHERE at = " ESC_CLOCK,
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, at);
    return sq_exec_stmt(s, q, err);
}

/* The notice of the sweep at `at` for the lead's unit and `level`, 0 when none. */
static int esc_notice_of(struct sq_store *s, const char *area, int level, int64_t at,
                         int64_t *id, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_NOTICE_OF,
                              "SELECT id FROM escalation_notices WHERE area_code = ? AND "
                              "level = ? AND at = ? ORDER BY id LIMIT 1",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, area);
    sqlite3_bind_int(q, 2, level);
    sqlite3_bind_int64(q, 3, at);
    *id = 0;
    return sq_int_query(s, q, id, err);
}

/* The derived levels of a lead (above its stored one, up to the one it shows) that a
 * sweep's notice raised it to, with that notice: a sweep that took it past several
 * levels at once wrote the top one's alone, as it wrote one event. *n (OUT). */
static int esc_derived(struct sq_store *s, const lead_rec *l, const esc_view *v,
                       int levels[LEAD_LEVEL_COMMAND], int64_t notices[LEAD_LEVEL_COMMAND],
                       size_t *n, fk_err *err)
{
    *n = 0;
    for (int level = v->stored + 1; level <= l->escalation_level; level++) {
        int step = lead_level_step(l->state, level);
        int above = level < l->escalation_level ? lead_level_step(l->state, level + 1) : -1;
        int64_t at = 0, at_above = -1, id = 0;
        if (step < 0)
            continue;
        if (esc_swept_after(s, l->deadlines[step], &at, err) != 0 ||
            (above >= 0 && esc_swept_after(s, l->deadlines[above], &at_above, err) != 0))
            return -1;
        if (at_above == at)
            continue;
        if (esc_notice_of(s, l->area_code, level, at, &id, err) != 0)
            return -1;
        if (id) {
            levels[*n] = level;
            notices[(*n)++] = id;
        }
    }
    return 0;
}

/* Before lead `id` moves: the level it shows becomes its stored level, with the notices
 * that raised it (the rule counts from its state's deadlines, which the move changes). */
int sq_lead_esc_settle(struct sq_store *s, int64_t id, fk_err *err)
{
    lead_rec l;
    esc_view v;
    int levels[LEAD_LEVEL_COMMAND];
    int64_t notices[LEAD_LEVEL_COMMAND], at[LEAD_LEVEL_COMMAND + 1] = {0};
    size_t n = 0;
    if (lead_get_full(s, id, &l, &v, err) != 0)
        return -1;
    if (l.escalation_level <= v.stored)
        return 0;
    if (esc_derived(s, &l, &v, levels, notices, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        at[levels[i]] = notices[i];
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_SETTLE,
                              "UPDATE leads SET escalation_level = ?1, escalated_at = ?2, "
                              "esc_notice_1 = coalesce(?3, esc_notice_1), esc_notice_2 = "
                              "coalesce(?4, esc_notice_2), esc_notice_3 = coalesce(?5, "
                              "esc_notice_3) WHERE id = ?6",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int(q, 1, l.escalation_level);
    sqlite3_bind_int64(q, 2, l.escalated_at);
    for (int level = 1; level <= LEAD_LEVEL_COMMAND; level++)
        bind_id_or_null(q, 2 + level, at[level]);
    sqlite3_bind_int64(q, 6, id);
    return sq_exec_stmt(s, q, err);
}

/* After lead `id` was written: it owes a sweep its raise when the rule over its state as
 * of the clock gives more than its stored level (no sweep told anyone); otherwise the
 * clock's next_at comes down to its next deadline. */
int sq_lead_esc_owe(struct sq_store *s, int64_t id, fk_err *err)
{
    lead_rec l;
    esc_view v;
    if (lead_get_full(s, id, &l, &v, err) != 0)
        return -1;
    int owed = lead_escalation_target(l.state, l.deadlines, v.clock) > v.stored;
    if (owed != v.owed) {
        sqlite3_stmt *q = sq_stmt(s, SQ_ESC_OWE, "UPDATE leads SET esc_owed = ? WHERE id = ?",
                                  err);
        if (!q)
            return -1;
        sqlite3_bind_int(q, 1, owed);
        sqlite3_bind_int64(q, 2, id);
        if (sq_exec_stmt(s, q, err) != 0)
            return -1;
    }
    return owed ? 0 : esc_lower_next(s, lead_next_crossing(l.state, l.deadlines, v.clock), err);
}

/* After leads [first, last] were inserted pushed with deadlines d (one set of a push). */
int sq_lead_esc_owe_pushed(struct sq_store *s, int64_t first, int64_t last,
                          const int64_t d[LEAD_STEPS], fk_err *err)
{
    int64_t clock, next;
    bool has_next;
    if (esc_clock(s, &clock, &next, &has_next, err) != 0)
        return -1;
    if (lead_escalation_target("pushed", d, clock) == 0)
        return esc_lower_next(s, lead_next_crossing("pushed", d, clock), err);
    char target[1024], sql[1536];
    if (lead_escalation_target_sql(target, sizeof target, "?3") != 0 ||
        snprintf(sql, sizeof sql, "UPDATE leads SET esc_owed = 1 WHERE id BETWEEN ?1 AND ?2 "
                 "AND %s > escalation_level", target) >= (int)sizeof sql)
        return fk_fail(err, FK_EINTERNAL, "", "the escalation rule does not fit its buffer");
    sq_binds b = {0};
    sq_bind_add_int(&b, first);
    sq_bind_add_int(&b, last);
    sq_bind_add_int(&b, clock);
    return sq_run_bound(s, sql, &b, err);
}

/* ---- writes ---------------------------------------------------------------------------- */

static int insert_unit(struct sq_store *s, lead_rec *l, const char *actor, const char *note,
                       const audit_rec *a, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_INSERT,
                              "INSERT INTO leads (kind, person_id, subject, case_id, contact_id, "
                              "measure_required, area_code, assignee, state, pushed_at, found_by, "
                              "controlled_by, closed_by, due_at, updated_at) "
                              "VALUES (?,?,?,?,?,?,?,?,'pushed',?,?,?,?,?,?)",
                              err);
    if (!q)
        return -1;
    snprintf(l->state, sizeof l->state, "pushed");
    l->updated_at = l->pushed_at;
    l->due_at = lead_due(l->state, l->deadlines);
    sq_bind_text(q, 1, l->kind);
    bind_id_or_null(q, 2, l->person_id);
    sq_bind_text(q, 3, l->subject);
    bind_id_or_null(q, 4, l->case_id);
    bind_id_or_null(q, 5, l->contact_id);
    sq_bind_text(q, 6, l->measure_required);
    sq_bind_text(q, 7, l->area_code);
    sq_bind_text(q, 8, l->assignee[0] ? l->assignee : NULL);
    sqlite3_bind_int64(q, 9, l->pushed_at);
    for (int i = 0; i < LEAD_STEPS; i++)
        sqlite3_bind_int64(q, 10 + i, l->deadlines[i]);
    bind_due(q, 13, l->state, l->deadlines);
    sqlite3_bind_int64(q, 14, l->updated_at);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    l->id = sqlite3_last_insert_rowid(s->db);
    if (event_insert(s, l->id, l->pushed_at, actor, "", "pushed", note, err) != 0 ||
        sq_lead_esc_owe_pushed(s, l->id, l->id, l->deadlines, err) != 0)
        return -1;
    return sq_audit_write(s, a, l->id, err);
}

int sq_lead_insert(store *st, lead_rec *l, const char *actor, const char *note,
                   const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, insert_unit(s, l, actor, note, a, err));
}

static void event_row(sqlite3_stmt *q, void *item)
{
    lead_event *e = item;
    e->id = sqlite3_column_int64(q, 0);
    e->lead_id = sqlite3_column_int64(q, 1);
    e->at = sqlite3_column_int64(q, 2);
    sq_col_text(e->actor, sizeof e->actor, q, 3);
    sq_col_text(e->from_state, sizeof e->from_state, q, 4);
    sq_col_text(e->to_state, sizeof e->to_state, q, 5);
    sq_col_text(e->note, sizeof e->note, q, 6);
}

/* The stored events of the lead, by id. */
static int stored_events(struct sq_store *s, int64_t lead_id, lead_event_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, lead_id);
    sqlite3_stmt *q = sq_prepare_bound(s,
                                       "SELECT id, lead_id, at, actor, from_state, to_state, note "
                                       "FROM lead_events WHERE lead_id = ? ORDER BY id",
                                       &b, err);
    if (!q)
        return -1;
    int rc = sq_collect(s, q, event_row, sizeof(lead_event), (void **)&out->items, &out->n, err);
    sqlite3_finalize(q);
    return rc;
}

/* The entries kept per batch (migration 0021), id 0: the push of the lead's range first
 * (from_state '' to pushed), then its escalation notices by level (levels only rise:
 * the order they were written), with events_before (the place among the stored events)
 * in `id` until merge() places them. */
#define KEPT_SQL                                                                             \
    "SELECT 0, ?1, at, actor, '', 'pushed', note, 0 FROM (SELECT * FROM lead_pushes "          \
    "WHERE first_id <= ?1 ORDER BY first_id DESC LIMIT 1) WHERE last_id >= ?1 "              \
    "UNION ALL SELECT n.events_before, ?1, n.at, n.actor, '', '', n.note, n.level "            \
    "FROM leads l JOIN escalation_notices n ON n.id IN (l.esc_notice_1, l.esc_notice_2, "     \
    "l.esc_notice_3) WHERE l.id = ?1 ORDER BY 8"

/* The entries of the levels derived from the clock (above the stored ones: after them),
 * each its sweep's notice for the lead's unit, as KEPT_SQL reads a stored one. */
static int derived_entries(struct sq_store *s, int64_t lead_id, lead_event_list *out,
                           fk_err *err)
{
    lead_rec l;
    esc_view v;
    int levels[LEAD_LEVEL_COMMAND];
    int64_t notices[LEAD_LEVEL_COMMAND];
    size_t n = 0;
    int r = lead_get_full(s, lead_id, &l, &v, err);
    if (r != 0)
        return err->code == FK_ENOTFOUND ? 0 : -1;
    if (esc_derived(s, &l, &v, levels, notices, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        lead_event_list one = {0};
        sq_binds b = {0};
        sq_bind_add_int(&b, lead_id);
        sq_bind_add_int(&b, notices[i]);
        sqlite3_stmt *q = sq_prepare_bound(s, "SELECT events_before, ?1, at, actor, '', '', "
                                           "note, level FROM escalation_notices WHERE id = ?2",
                                           &b, err);
        if (!q)
            return -1;
        int rc = sq_collect(s, q, event_row, sizeof(lead_event), (void **)&one.items, &one.n,
                            err);
        sqlite3_finalize(q);
        lead_event *grown = rc == 0 && one.n
                                ? fk_try_realloc(out->items, (out->n + 1) * sizeof *grown)
                                : NULL;
        if (grown) {
            grown[out->n++] = one.items[0];
            out->items = grown;
        } else if (rc == 0 && one.n) {
            rc = fk_fail(err, FK_EBUSY, "", "out of memory reading a lead's history");
        }
        lead_event_list_free(&one);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int kept_entries(struct sq_store *s, int64_t lead_id, lead_event_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, lead_id);
    sqlite3_stmt *q = sq_prepare_bound(s, KEPT_SQL, &b, err);
    if (!q)
        return -1;
    int rc = sq_collect(s, q, event_row, sizeof(lead_event), (void **)&out->items, &out->n, err);
    sqlite3_finalize(q);
    return rc == 0 ? derived_entries(s, lead_id, out, err) : -1;
}

/* stored (by id) and kept (the push first if any, then escalations by notice) into one
 * history: an escalation goes after the stored events up to its events_before and is
 * recorded in the state the last entry before it left (as the sweep wrote it). */
static int merge(lead_event_list *stored, lead_event_list *kept, lead_event_list *out,
                 fk_err *err)
{
    size_t n = stored->n + kept->n, i = 0, j = 0, k = 0;
    out->items = fk_try_realloc(NULL, (n ? n : 1) * sizeof *out->items);
    if (!out->items)
        return fk_fail(err, FK_EBUSY, "", "out of memory reading a lead's history");
    if (j < kept->n && !strcmp(kept->items[j].to_state, "pushed"))
        out->items[k++] = kept->items[j++];
    while (i < stored->n || j < kept->n) {
        if (j < kept->n && (i == stored->n || stored->items[i].id > kept->items[j].id)) {
            lead_event *e = &out->items[k];
            *e = kept->items[j++];
            const char *state = k ? out->items[k - 1].to_state : "pushed";
            snprintf(e->from_state, sizeof e->from_state, "%s", state);
            snprintf(e->to_state, sizeof e->to_state, "%s", state);
            e->id = 0;
            k++;
        } else {
            out->items[k++] = stored->items[i++];
        }
    }
    out->n = k;
    return 0;
}

/* The history: stored events and the entries kept per batch, in one read unit. */
int sq_lead_events(store *st, int64_t lead_id, lead_event_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    lead_event_list stored = {0}, kept = {0};
    int began = 0;
    memset(out, 0, sizeof *out);
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    int rc = stored_events(s, lead_id, &stored, err);
    if (rc == 0)
        rc = kept_entries(s, lead_id, &kept, err);
    if (rc == 0)
        rc = merge(&stored, &kept, out, err);
    sq_read_end(s, began);
    lead_event_list_free(&stored);
    lead_event_list_free(&kept);
    return rc;
}

/* The lead's current state and deadlines, read inside the caller's unit. */
static int current(struct sq_store *s, int64_t id, lead_rec *cur, fk_err *err)
{
    return sq_lead_get(&s->base, id, cur, err);
}

static int transition_unit(struct sq_store *s, int64_t id, const char *from, const char *to,
                           const char *measure_taken, const char *assignee, const char *actor,
                           const char *note, int64_t at, const audit_rec *a, fk_err *err)
{
    lead_rec cur;
    if (current(s, id, &cur, err) != 0)
        return -1;
    if (strcmp(cur.state, from) != 0)
        return fk_fail(err, FK_ECONFLICT, "state",
                       "state: the lead is now %s (changed by someone else), not %s", cur.state,
                       from);
    if (strcmp(from, to) != 0 && lead_check_transition(from, to, measure_taken, err) != 0)
        return -1;
    if (sq_lead_esc_settle(s, id, err) != 0)
        return -1;
    int entering_control = !strcmp(to, "controlled");
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_UPDATE,
                              "UPDATE leads SET state = ?, measure_taken = ?, "
                              "assignee = coalesce(?, assignee), due_at = ?, updated_at = ? "
                              "WHERE id = ?",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, to);
    sq_bind_text(q, 2, entering_control ? measure_taken : cur.measure_taken);
    sq_bind_text(q, 3, assignee);
    bind_due(q, 4, to, cur.deadlines);
    sqlite3_bind_int64(q, 5, at);
    sqlite3_bind_int64(q, 6, id);
    if (sq_exec_stmt(s, q, err) != 0 || event_insert(s, id, at, actor, from, to, note, err) != 0 ||
        sq_lead_esc_owe(s, id, err) != 0)
        return -1;
    return sq_audit_write(s, a, id, err);
}

int sq_lead_transition(store *st, int64_t id, const char *from, const char *to,
                       const char *measure_taken, const char *assignee, const char *actor,
                       const char *note, int64_t at, const audit_rec *a, lead_rec *out,
                       fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    int rc = transition_unit(s, id, from, to, measure_taken, assignee, actor, note,
                             at ? at : fk_now(), a, err);
    if (sq_end(s, rc, err) != 0)
        return -1;
    return out ? sq_lead_get(st, id, out, err) : 0;
}

/* An event that records no move (an escalation), in the lead's current state. */
static int event_same_state(struct sq_store *s, int64_t lead_id, int64_t at, const char *actor,
                            const char *note, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_EVENT_SAME,
                              "INSERT INTO lead_events (lead_id, at, actor, from_state, to_state, "
                              "note) SELECT id, ?, ?, state, state, ? FROM leads WHERE id = ?",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, at);
    sq_bind_text(q, 2, actor);
    sq_bind_text(q, 3, note);
    sqlite3_bind_int64(q, 4, lead_id);
    return sq_exec_stmt(s, q, err);
}

static int escalate_unit(struct sq_store *s, int64_t id, int level, int64_t at,
                         const char *actor, const char *given, const audit_rec *a, int *raised,
                         fk_err *err)
{
    char note[256];
    *raised = 0;
    /* levels only rise: the guard in the UPDATE is the check, against the level the
     * lead shows, made its stored one first */
    if (sq_lead_esc_settle(s, id, err) != 0)
        return -1;
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_ESCALATE,
                              "UPDATE leads SET escalation_level = ?1, escalated_at = ?2, "
                              "updated_at = ?2 WHERE id = ?3 AND escalation_level < ?1",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int(q, 1, level);
    sqlite3_bind_int64(q, 2, at);
    sqlite3_bind_int64(q, 3, id);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return 0;
    if (sq_lead_esc_owe(s, id, err) != 0)
        return -1;
    if (given)
        snprintf(note, sizeof note, "%s", given);
    else
        snprintf(note, sizeof note, "escalated to level %d (%s)", level,
                 lead_level_name(level) ? lead_level_name(level) : "?");
    if (event_same_state(s, id, at, actor, note, err) != 0)
        return -1;
    *raised = 1;
    return sq_audit_write(s, a, id, err);
}

int sq_lead_escalate(store *st, int64_t id, int level, int64_t at, const char *actor,
                     const char *note, const audit_rec *a, int *raised, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, escalate_unit(s, id, level, at, actor, note, a, raised, err));
}

/* The push's one history row: its leads' pushed entry (store_lead_events builds it). */
static int push_record(struct sq_store *s, const lead_push *p, int64_t first, int64_t last,
                       fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_PUSH_EVENTS,
                              "INSERT INTO lead_pushes (first_id, last_id, at, actor, note) "
                              "VALUES (?,?,?,?,?)",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, first);
    sqlite3_bind_int64(q, 2, last);
    sqlite3_bind_int64(q, 3, p->pushed_at);
    sq_bind_text(q, 4, p->actor);
    sq_bind_text(q, 5, p->note ? p->note : "");
    return sq_exec_stmt(s, q, err);
}

/* ---- a push's runs (migration 0037) ----------------------------------------------------- */

/* One area's leads of a push: its code and their ids as a JSON array being written. */
typedef struct push_run {
    char area[16];
    strbuf ids;
} push_run;

/* A push's runs by area: the runs in the order their areas came, and a map from the
 * area's hash to its run's index + 1 (hashes may collide: each hit is compared). */
typedef struct push_runs {
    push_run *r;
    size_t n, cap;
    u64map by_area;
} push_runs;

static void push_runs_free(push_runs *g)
{
    for (size_t i = 0; i < g->n; i++)
        sb_free(&g->r[i].ids);
    free(g->r);
    u64map_free(&g->by_area);
}

/* The run of `area`, added when new; NULL with FK_EBUSY when out of memory. */
static push_run *push_run_of(push_runs *g, const char *area, fk_err *err)
{
    uint64_t h = u64_hash_str(area), v;
    size_t pos = 0;
    while ((v = u64map_next(&g->by_area, h, &pos)) != 0)
        if (strcmp(g->r[v - 1].area, area) == 0)
            return &g->r[v - 1];
    if (strlen(area) >= sizeof g->r->area) { /* a grid's 15 digits fit; nothing longer */
        fk_fail(err, FK_EINVAL, "area_code", "a pushed lead's area code is too long");
        return NULL;
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        push_run *r = realloc(g->r, cap * sizeof *r);
        if (!r) {
            fk_fail(err, FK_EBUSY, "", "out of memory grouping a push by area");
            return NULL;
        }
        g->r = r;
        g->cap = cap;
    }
    push_run *run = &g->r[g->n];
    snprintf(run->area, sizeof run->area, "%s", area);
    run->ids = (strbuf)STRBUF_INIT;
    if (u64map_put(&g->by_area, h, ++g->n, err) != 0)
        return NULL;
    return run;
}

/* The push's rows [first, last] (just written: in the page cache, read by rowid in id
 * order) grouped by area in memory, each area's ids ascending. */
static int push_runs_read(struct sq_store *s, int64_t first, int64_t last, push_runs *g,
                          fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_PUSH_ROWS,
                              "SELECT id, area_code FROM leads WHERE id BETWEEN ? AND ?", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, first);
    sqlite3_bind_int64(q, 2, last);
    int r;
    while ((r = sq_step_row(s, q, err)) > 0) {
        push_run *run = push_run_of(g, (const char *)sqlite3_column_text(q, 1), err);
        if (!run) {
            r = -1;
            break;
        }
        sb_append_char(&run->ids, run->ids.len ? ',' : '[');
        sb_append_i64(&run->ids, sqlite3_column_int64(q, 0));
    }
    sqlite3_reset(q);
    return r < 0 ? -1 : 0;
}

/* The runs of the push [first, last]: one lead_runs row per area its leads reached,
 * naming them. Every pushed lead has in_run = 1 (PUSH_SQL), so it has no entry in
 * leads_area: this row is how a reader by area finds it. Grouped in C, not by an
 * INSERT ... SELECT ... GROUP BY area_code with json_group_array: that statement's sorter
 * and its JSON aggregate cost as much as the index entries saved (bench/loop's push
 * replayed under callgrind: 2.49 billion instructions against 2.56 with leads_area). This
 * way the CLI's push of those 76 cases runs 2.20 billion instructions against 2.54 with
 * a leads_area entry per lead, and the push's SQL writes 6,164 WAL frames against 10,381. */
static int push_runs_write(struct sq_store *s, int64_t first, int64_t last, fk_err *err)
{
    push_runs g = {0};
    int rc = push_runs_read(s, first, last, &g, err);
    sqlite3_stmt *q = rc == 0 ? sq_stmt(s, SQ_LEAD_PUSH_RUNS,
                                        "INSERT INTO lead_runs (area_code, first_id, ids) "
                                        "VALUES (?,?,?)",
                                        err)
                              : NULL;
    if (rc == 0 && !q)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < g.n; i++) {
        sb_append_char(&g.r[i].ids, ']');
        sq_bind_text(q, 1, g.r[i].area);
        sqlite3_bind_int64(q, 2, first);
        sqlite3_bind_text(q, 3, sb_str(&g.r[i].ids), (int)g.r[i].ids.len, SQLITE_TRANSIENT);
        rc = sq_exec_stmt(s, q, err);
    }
    push_runs_free(&g);
    return rc;
}

/* The leads of case ?8, both degrees in one pass: ?1/?9 the kind, ?2/?10 the measure of a
 * degree-1/degree-2 lead, ?3 the case's community, ?4 pushed_at, ?5..?7 / ?11..?13 the
 * degree's three deadlines (due_at is found_by: a pushed lead waits to be found,
 * model/lead.c). One lead per subject of the case: the case's contacts not dismissed are
 * read in the order of their unique index (case_id, subject, ...), so grouping by subject
 * needs no sort and yields the subjects in order; each group's contact is the one of
 * lowest degree, then lowest id (SQLite's min() gives the bare columns of the row it
 * picks, its joined person's included: the key is the degree above bit 53 and the id
 * below), and its degree chooses the kind, measure and deadlines (contacts' CHECK: degree
 * 1 or 2; the one min() is computed once however often it is written). A subject the case
 * already has a lead for is left out (PUSH_NOT_LED), a clause the push leaves out when the
 * case has none: a SELECT that reads the table its INSERT writes is run into a temporary
 * table first (SQLite's guard against reading its own rows), and that copy and the probe
 * per contact were 18% of the instructions of bench/loop's push, whose cases are each
 * pushed once (4.43 > 3.62 billion, the push's SQL replayed under cachegrind after
 * migration 0028). The ORDER BY is the grouping's order (no sort; EXPLAIN QUERY PLAN shows
 * none) and gives the leads their ids in subject order. One statement for both degrees
 * instead of one per degree: each read every contact of the case, its row in contacts
 * (status is not in the index) and its subject into the grouping again, a seventh of the
 * push's instructions (3.53 > 3.11 billion for the 101,655 leads of bench/loop replayed
 * under callgrind); and no subquery, whose rows were copied out to the join with persons
 * (3.03 billion). */
#define PUSH_DEGREE "(min((k.degree << 53) + k.id) >> 53)"
#define PUSH_BY_DEGREE(A, B) "CASE " PUSH_DEGREE " WHEN 1 THEN " A " ELSE " B " END"
#define PUSH_SQL(NOT_LED)                                                                    \
    "INSERT INTO leads (kind, person_id, subject, case_id, contact_id, measure_required, "   \
    "area_code, state, pushed_at, found_by, controlled_by, closed_by, due_at, updated_at, "  \
    "in_run) SELECT " PUSH_BY_DEGREE("?1", "?9") ", p.id, k.subject, ?8, k.id, "             \
    PUSH_BY_DEGREE("?2", "?10") ", coalesce(p.community_code, ?3), 'pushed', ?4, "           \
    PUSH_BY_DEGREE("?5", "?11") ", " PUSH_BY_DEGREE("?6", "?12") ", "                        \
    PUSH_BY_DEGREE("?7", "?13") ", " PUSH_BY_DEGREE("?5", "?11") ", ?4, 1 FROM contacts k "  \
    "LEFT JOIN persons p ON p.id = k.person_id WHERE k.case_id = ?8 AND k.status <> "        \
    "'dismissed' " NOT_LED " GROUP BY k.subject ORDER BY k.subject"
#define PUSH_NOT_LED                                                                         \
    "AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.case_id = k.case_id AND l.subject = "     \
    "k.subject)"

/* The references of a pushed lead hold by construction, except the two values the
 * caller gives: person_id is the id of the persons row joined (NULL when none), contact_id
 * the id of the contacts row read and case_id its case, area_code the joined person's
 * community (persons' own foreign key) or the case's community given. So the push checks
 * those two once (the case, the community) and inserts its rows without SQLite's four
 * probes a row (persons, cases, contacts, areas: 5.25 > 4.43 billion instructions for
 * the same replay); tests/unit/test_leads.c runs PRAGMA foreign_key_check after pushes.
 * The same read tells whether the case has leads already (*again: PUSH_NOT_LED). */
static int push_refs_hold(struct sq_store *s, const lead_push *p, bool *again, fk_err *err)
{
    sq_binds b = {0};
    int64_t found = 0;
    sq_bind_add_int(&b, p->case_id);
    sq_bind_add_text(&b, p->case_area);
    if (sq_count(s, "SELECT (SELECT count(*) FROM cases WHERE id = ?1) + (SELECT count(*) "
                 "FROM areas WHERE code = ?2) + 2 * EXISTS (SELECT 1 FROM leads WHERE "
                 "case_id = ?1)", &b, &found, err) != 0)
        return -1;
    *again = found > 2;
    found -= *again ? 2 : 0;
    return found == 2 ? 0
                      : fk_fail(err, FK_ENOTFOUND, "case_id", "case_id: case %lld or its "
                                "community %s is not in the store", (long long)p->case_id,
                                p->case_area);
}

/* The leads of both degrees, in subject order; *n how many. `again`: the case had leads
 * before (their subjects are left out). */
static int push_insert(struct sq_store *s, const lead_push *p, bool again, int64_t *n,
                       fk_err *err)
{
    sqlite3_stmt *q = again ? sq_stmt(s, SQ_LEAD_PUSH_AGAIN, PUSH_SQL(PUSH_NOT_LED), err)
                            : sq_stmt(s, SQ_LEAD_PUSH, PUSH_SQL(""), err);
    if (!q)
        return -1;
    for (int d = 0; d < 2; d++) { /* degree d + 1: ?1, ?2, ?5..?7, then ?9, ?10, ?11..?13 */
        sq_bind_text(q, 1 + 8 * d, p->kind[d]);
        sq_bind_text(q, 2 + 8 * d, p->measure[d]);
        for (int k = 0; k < LEAD_STEPS; k++)
            sqlite3_bind_int64(q, 5 + 6 * d + k, p->deadlines[d][k]);
    }
    sq_bind_text(q, 3, p->case_area);
    sqlite3_bind_int64(q, 4, p->pushed_at);
    sqlite3_bind_int64(q, 8, p->case_id);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    *n = sqlite3_changes64(s->db);
    return 0;
}

/* The CHECKs of leads a pushed row could fail, checked once for the push: every row
 * takes its kind, measure and deadlines from p (both degrees), its state, measure taken,
 * level and owed flag are the table's defaults or 'pushed' (valid), due_at is its
 * found_by deadline (set, so the closed check holds), and its subject comes from a
 * contacts row, whose own CHECK holds it to 1..63 characters (so the subject checks hold
 * with or without a person). The insert then runs without SQLite's eleven CHECK
 * expressions a row (2.81 > 2.59 billion instructions for bench/loop's 101,655 leads,
 * the server replayed under callgrind); tests/unit/test_leads.c runs PRAGMA
 * integrity_check, which evaluates every CHECK, after pushes. */
static int push_values_hold(const lead_push *p, fk_err *err)
{
    for (int d = 0; d < 2; d++) {
        const int64_t *t = p->deadlines[d];
        if (!lead_kind_known(p->kind[d]))
            return fk_fail(err, FK_EINVAL, "kind", "kind: %s is not a kind of lead", p->kind[d]);
        if (strnlen(p->measure[d], sizeof p->measure[d]) > 31)
            return fk_fail(err, FK_EINVAL, "measure_required",
                           "measure_required: longer than 31 bytes");
        if (!(p->pushed_at <= t[0] && t[0] <= t[1] && t[1] <= t[2]))
            return fk_fail(err, FK_EINVAL, "deadlines",
                           "deadlines: a %s lead's deadlines must follow its push in order",
                           p->kind[d]);
    }
    return 0;
}

/* The insert with the connection's foreign-key probes and CHECKs off (push_refs_hold,
 * push_values_hold), both back on whatever it did. */
static int push_unchecked(struct sq_store *s, const lead_push *p, bool again, int64_t *n,
                          fk_err *err)
{
    int was = 1;
    sq_fkeys_off(s->db, true, &was);
    int rc = sq_row_checks_off(s, true, err);
    if (rc == 0)
        rc = push_insert(s, p, again, n, err);
    fk_err back;
    if (sq_row_checks_off(s, false, &back) != 0 && rc == 0) {
        *err = back;
        rc = -1;
    }
    sq_fkeys_off(s->db, false, &was);
    return rc;
}

static int push_unit(struct sq_store *s, const lead_push *p, const audit_rec *a, int64_t *first,
                     int64_t *last, fk_err *err)
{
    int64_t n = 0, before = sqlite3_last_insert_rowid(s->db);
    bool again = false;
    if (push_values_hold(p, err) != 0 || push_refs_hold(s, p, &again, err) != 0)
        return -1;
    if (push_unchecked(s, p, again, &n, err) != 0)
        return -1;
    /* one statement: its rowids are consecutive */
    *last = n ? sqlite3_last_insert_rowid(s->db) : before;
    *first = *last - n + 1;
    if (n && (push_record(s, p, *first, *last, err) != 0 ||
              push_runs_write(s, *first, *last, err) != 0))
        return -1;
    for (int d = 0; n && d < 2; d++)
        if (sq_lead_esc_owe_pushed(s, *first, *last, p->deadlines[d], err) != 0)
            return -1;
    return n ? sq_audit_write(s, a, *first, err) : 0;
}

int sq_lead_push(store *st, const lead_push *p, const audit_rec *a, int64_t *first,
                 int64_t *last, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, push_unit(s, p, a, first, last, err));
}

int sq_lead_range(store *st, int64_t first, int64_t last, lead_list *out, fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, first);
    sq_bind_add_int(&b, last);
    int rc = sq_collect_sql(SQ(st), "SELECT " LEAD_COLS " FROM " LEAD_FROM
                            " WHERE l.id BETWEEN ? AND ? ORDER BY l.id", &b, lead_row,
                            sizeof(lead_rec), (void **)&out->items, &out->n, err);
    out->total = (int64_t)out->n;
    return rc == 0 ? esc_times(SQ(st), out->items, out->n, err) : -1;
}

/* ---- the set-based escalation sweep --------------------------------------------------- */

/* The sweep's owed leads it raises (lead_raised: the level each showed and rises to; the
 * column owed is 1 in every row, as esc_apply reads them; the leads whose level derives
 * from the clock are read into an esc_staged, not here) and the notices of its (area, new
 * level) pairs
 * (lead_esc_notice: their escalation_notices ids), per connection, emptied at the start
 * of every sweep. Temporary tables live in memory (temp_store) and roll back with the
 * caller's unit. */
static int esc_tables(struct sq_store *s, fk_err *err)
{
    static const struct { enum sq_stmt_id id; const char *sql; } steps[] = {
        {SQ_ESC_TABLES,
         "CREATE TEMP TABLE IF NOT EXISTS lead_raised (id INTEGER PRIMARY KEY, area_code TEXT "
         "NOT NULL, state TEXT NOT NULL, level_from INTEGER NOT NULL, level_to INTEGER NOT "
         "NULL, owed INTEGER NOT NULL)"},
        {SQ_ESC_NOTE_TABLE,
         "CREATE TEMP TABLE IF NOT EXISTS lead_esc_notice (area_code TEXT NOT NULL, level "
         "INTEGER NOT NULL, notice INTEGER NOT NULL, PRIMARY KEY (area_code, level)) "
         "WITHOUT ROWID"},
        {SQ_ESC_CLEAR, "DELETE FROM temp.lead_raised"},
        {SQ_ESC_CLEAR_NOTES, "DELETE FROM temp.lead_esc_notice"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sqlite3_stmt *q = sq_stmt(s, steps[i].id, steps[i].sql, err);
        if (!q || sq_exec_stmt(s, q, err) != 0)
            return -1;
    }
    return 0;
}

/* The model's escalation target over the row as of ?1 (now) and ?2 (the clock), and
 * its next deadline at or after ?1, in `t`. */
typedef struct esc_sql { char now[1024], clock[1024], next[1024]; } esc_sql;

static int esc_rules(esc_sql *t, fk_err *err)
{
    if (lead_escalation_target_sql(t->now, sizeof t->now, "?1") != 0 ||
        lead_escalation_target_sql(t->clock, sizeof t->clock, "?2") != 0 ||
        lead_next_crossing_sql(t->next, sizeof t->next, "?1") != 0)
        return fk_fail(err, FK_EINTERNAL, "", "the escalation rule does not fit its buffer");
    return 0;
}

/* sql (cap) from fmt and rules, or FK_EINTERNAL. */
static int esc_format(char *sql, size_t cap, fk_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, cap, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= cap
               ? fk_fail(err, FK_EINTERNAL, "", "an escalation statement does not fit its buffer")
               : 0;
}

/* Owed leads the rule as of ?1 raises above their stored level. */
#define OWED_RAISED "FROM leads WHERE esc_owed = 1 AND %s > escalation_level"

int sq_lead_escalation_pending(store *st, int64_t now, bool *pending, fk_err *err)
{
    struct sq_store *s = SQ(st);
    esc_sql t;
    char sql[2048];
    int64_t clock, next, any = 0;
    bool has_next;
    *pending = false;
    if (esc_clock(s, &clock, &next, &has_next, err) != 0)
        return -1;
    if (has_next && now > next && now > clock) {
        *pending = true;
        return 0;
    }
    if (esc_rules(&t, err) != 0 ||
        esc_format(sql, sizeof sql, err, "SELECT 1 " OWED_RAISED " LIMIT 1", t.now) != 0)
        return -1;
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_PENDING, sql, err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, now);
    if (sq_int_query(s, q, &any, err) != 0)
        return -1;
    *pending = any != 0;
    return 0;
}

typedef struct esc_pair { char area[16]; int level; } esc_pair;

/* The leads a sweep raises, as it read them (id, the level each showed and rises to), and
 * the distinct (area, new level) pairs they make, found through a map of the pairs'
 * hashes (base/u64map.h: pair index + 1, each candidate compared): a city has hundreds of
 * units, a sweep may raise hundreds of thousands of leads. Read in C rather than staged
 * in a temporary table: inserting every raised lead into one and reading it back three
 * times was most of a big sweep's cost. */
typedef struct esc_raise { int64_t id; int from, to; } esc_raise;
typedef struct esc_staged {
    esc_raise *rows;
    size_t n, cap;
    esc_pair *pairs;
    size_t n_pairs, cap_pairs;
    u64map index; /* pair hash -> index + 1 into pairs */
} esc_staged;

static void staged_free(esc_staged *g)
{
    free(g->rows);
    free(g->pairs);
    u64map_free(&g->index);
    memset(g, 0, sizeof *g);
}

static int pair_add(esc_staged *g, const char *area, int level, fk_err *err)
{
    uint64_t key = u64_hash_str(area) ^ ((uint64_t)level * 0x9E3779B97F4A7C15ull);
    size_t pos = 0;
    for (uint64_t at; (at = u64map_next(&g->index, key, &pos)) != 0;)
        if (g->pairs[at - 1].level == level && !strcmp(g->pairs[at - 1].area, area))
            return 0;
    if (fk_try_grow((void **)&g->pairs, &g->cap_pairs, g->n_pairs + 1, sizeof *g->pairs) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory listing the raised leads");
    esc_pair *p = &g->pairs[g->n_pairs];
    snprintf(p->area, sizeof p->area, "%s", area);
    p->level = level;
    if (u64map_put(&g->index, key, g->n_pairs + 1, err) != 0)
        return -1;
    g->n_pairs++;
    return 0;
}

/* Append the raise of lead id (area, from > to) to g. */
static int staged_add(esc_staged *g, int64_t id, const char *area, int from, int to,
                      fk_err *err)
{
    if (fk_try_grow((void **)&g->rows, &g->cap, g->n + 1, sizeof *g->rows) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory listing the raised leads");
    g->rows[g->n++] = (esc_raise){id, from, to};
    return pair_add(g, area ? area : "", to, err);
}

/* Read every row of q (id, area_code, level from, level to) into g; resets q. */
static int staged_read(struct sq_store *s, sqlite3_stmt *q, esc_staged *g, fk_err *err)
{
    int r, rc = 0;
    while (rc == 0 && (r = sq_step_row(s, q, err)) > 0)
        rc = staged_add(g, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
                        sqlite3_column_int(q, 2), sqlite3_column_int(q, 3), err);
    sqlite3_reset(q);
    return rc != 0 || r < 0 ? -1 : 0;
}

/* Read the rows of q (id, area_code, state, escalation_level, found_by, controlled_by,
 * closed_by) into g when the level they show rises between the clock and now: the
 * model's rule (lead_level_seen) in C, not its SQL form three times a row, which was
 * most of a sweep crossing 352,106 deadlines (0.5-0.7 s, bench/loop). Resets q. */
static int crossed_read(struct sq_store *s, sqlite3_stmt *q, int64_t now, int64_t clock,
                        esc_staged *g, fk_err *err)
{
    int r, rc = 0;
    while (rc == 0 && (r = sq_step_row(s, q, err)) > 0) {
        const char *state = (const char *)sqlite3_column_text(q, 2);
        int stored = sqlite3_column_int(q, 3);
        int64_t dl[LEAD_STEPS] = {sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5),
                                  sqlite3_column_int64(q, 6)};
        int from = lead_level_seen(stored, false, state ? state : "", dl, clock);
        int to = lead_level_seen(stored, false, state ? state : "", dl, now);
        if (to > from)
            rc = staged_add(g, sqlite3_column_int64(q, 0),
                            (const char *)sqlite3_column_text(q, 1), from, to, err);
    }
    sqlite3_reset(q);
    return rc != 0 || r < 0 ? -1 : 0;
}

/* The leads the sweep raises into g with the level they show now and the one they rise
 * to: the owed ones the rule as of now takes above their stored level (also kept in
 * lead_raised: they are written), and, when the clock moves (crossing), the others whose
 * derived level rises between the clock (?2) and now (?1): a deadline of theirs lies in
 * [clock, now), so due_at < now and closed_by >= clock, a range on leads_due (nothing of
 * theirs is written). */
static int esc_stage(struct sq_store *s, const esc_sql *t, int64_t now, int64_t clock,
                     bool crossing, esc_staged *g, fk_err *err)
{
    char sql[4096];
    if (esc_format(sql, sizeof sql, err,
                   "INSERT INTO temp.lead_raised (id, area_code, state, level_from, level_to, "
                   "owed) SELECT id, area_code, state, escalation_level, %s, 1 " OWED_RAISED,
                   t->now, t->now) != 0)
        return -1;
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_STAGE, sql, err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, now);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    if (sqlite3_changes64(s->db) > 0) {
        q = sq_stmt(s, SQ_ESC_OWED_ROWS, "SELECT id, area_code, level_from, level_to FROM "
                    "temp.lead_raised", err);
        if (!q || staged_read(s, q, g, err) != 0)
            return -1;
    }
    if (!crossing)
        return 0;
    q = sq_stmt(s, SQ_ESC_CROSSED, "SELECT id, area_code, state, escalation_level, found_by, "
                "controlled_by, closed_by FROM leads WHERE due_at IS NOT NULL AND due_at < ?1 "
                "AND closed_by >= ?2 AND esc_owed = 0", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, now);
    sqlite3_bind_int64(q, 2, clock);
    return crossed_read(s, q, now, clock, g, err);
}

/* After the raise: the owed leads the rule as of the clock (?2, moved or not) no longer
 * puts above their stored level owe nothing and count for next_at; when the clock moved
 * to now (?1), its row and the next_at of every open lead not owed. */
static int esc_clock_move(struct sq_store *s, const esc_sql *t, int64_t now, int64_t clock,
                          bool crossing, fk_err *err)
{
    char sql[4096];
    int64_t settled = 0;
    if (esc_format(sql, sizeof sql, err,
                   "SELECT coalesce(min(%s), 0) FROM leads WHERE esc_owed = 1 AND NOT (%s > "
                   "escalation_level)",
                   t->next, t->clock) != 0)
        return -1;
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_SETTLED, sql, err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, crossing ? now : clock);
    sqlite3_bind_int64(q, 2, crossing ? now : clock);
    if (sq_int_query(s, q, &settled, err) != 0 || esc_lower_next(s, settled, err) != 0)
        return -1;
    if (esc_format(sql, sizeof sql, err,
                   "UPDATE leads SET esc_owed = 0 WHERE esc_owed = 1 AND NOT (%s > "
                   "escalation_level)", t->clock) != 0)
        return -1;
    q = sq_stmt(s, SQ_ESC_UNOWE, sql, err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 2, crossing ? now : clock);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    if (!crossing)
        return 0;
    if (esc_format(sql, sizeof sql, err,
                   "INSERT INTO escalation_sweeps (at, next_at) SELECT ?1, min(%s) FROM "
                   "leads WHERE due_at IS NOT NULL AND esc_owed = 0 AND closed_by >= ?1",
                   t->next) != 0)
        return -1;
    q = sq_stmt(s, SQ_ESC_SWEPT, sql, err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, now);
    return sq_exec_stmt(s, q, err);
}

/* The notice of one (area, new level) of the page, mapped in lead_esc_notice. */
static int esc_notice_insert(struct sq_store *s, const lead_sweep *sw, const esc_pair *p,
                             const char *note, int64_t events_before, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_NOTE,
                              "INSERT INTO escalation_notices (at, actor, area_code, level, note, "
                              "events_before) VALUES (?,?,?,?,?,?)",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, sw->now);
    sq_bind_text(q, 2, sw->actor ? sw->actor : "system");
    sq_bind_text(q, 3, p->area);
    sqlite3_bind_int(q, 4, p->level);
    sq_bind_text(q, 5, note);
    sqlite3_bind_int64(q, 6, events_before);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    int64_t notice = sqlite3_last_insert_rowid(s->db);
    q = sq_stmt(s, SQ_ESC_PAIR_NOTICE,
                "INSERT INTO temp.lead_esc_notice (area_code, level, notice) VALUES (?,?,?)", err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, p->area);
    sqlite3_bind_int(q, 2, p->level);
    sqlite3_bind_int64(q, 3, notice);
    return sq_exec_stmt(s, q, err);
}

/* The highest lead_events id now: the notices of the page follow the events up to it. */
static int events_watermark(struct sq_store *s, int64_t *out, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_WATERMARK,
                              "SELECT coalesce(max(id), 0) FROM lead_events", err);
    return q ? sq_int_query(s, q, out, err) : -1;
}

static int pair_order(const void *a, const void *b)
{
    const esc_pair *x = a, *y = b;
    int c = strcmp(x->area, y->area);
    return c ? c : x->level - y->level;
}

/* One notice per (area, new level) of the sweep, by area and level: the caller's note,
 * or one naming the level. The pairs are sorted in place (the map's indexes are stale
 * after). */
static int esc_notes(struct sq_store *s, const lead_sweep *sw, esc_staged *g, fk_err *err)
{
    esc_pair *pairs = g->pairs;
    size_t n = g->n_pairs;
    int64_t events_before = 0;
    if (events_watermark(s, &events_before, err) != 0)
        return -1;
    qsort(pairs, n, sizeof *pairs, pair_order);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char note[256];
        const char *name = lead_level_name(pairs[i].level);
        snprintf(note, sizeof note, "escalated to level %d (%s)", pairs[i].level,
                 name ? name : "?");
        if (sw->note)
            rc = sw->note(sw->note_ctx, pairs[i].area, pairs[i].level, note, sizeof note, err);
        if (rc == 0)
            rc = esc_notice_insert(s, sw, &pairs[i], note, events_before, err);
    }
    return rc;
}

/* Append run r to out (growing it). */
static int run_push(lead_sweep_page *out, size_t *cap, const lead_run *r, fk_err *err)
{
    if (out->n_runs == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        lead_run *grown = fk_try_realloc(out->runs, ncap * sizeof *grown);
        if (!grown)
            return fk_fail(err, FK_EBUSY, "", "out of memory listing the raised leads");
        out->runs = grown;
        *cap = ncap;
    }
    out->runs[out->n_runs++] = *r;
    out->raised += r->n;
    return 0;
}

static int raise_order(const void *a, const void *b)
{
    const esc_raise *x = a, *y = b;
    if (x->from != y->from)
        return x->from - y->from;
    if (x->to != y->to)
        return x->to - y->to;
    return (x->id > y->id) - (x->id < y->id);
}

/* The leads to raise as runs of consecutive ids per (from, to), ordered by (from, to,
 * first): the rows sorted so (in place), then one pass. */
static int esc_runs(esc_staged *g, lead_sweep_page *out, fk_err *err)
{
    size_t cap = 0;
    lead_run open = {0};
    qsort(g->rows, g->n, sizeof *g->rows, raise_order);
    for (size_t i = 0; i < g->n; i++) {
        const esc_raise *e = &g->rows[i];
        if (open.n && open.from == e->from && open.to == e->to && open.last + 1 == e->id) {
            open.last = e->id;
            open.n++;
            continue;
        }
        if (open.n && run_push(out, &cap, &open, err) != 0)
            return -1;
        open = (lead_run){e->from, e->to, e->id, e->id, 1};
    }
    return open.n ? run_push(out, &cap, &open, err) : 0;
}

/* Step a statement that must change exactly `want` rows. */
static int exec_exactly(struct sq_store *s, sqlite3_stmt *q, int64_t want, const char *what,
                        fk_err *err)
{
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    int64_t got = sqlite3_changes64(s->db);
    if (got != want)
        return fk_fail(err, FK_ECONFLICT, "escalation_level",
                       "escalation: %s %lld of %lld leads (changed under the sweep)", what,
                       (long long)got, (long long)want);
    return 0;
}

/* The raise of the owed leads (`want` of them), guarded by the row as it is now (levels
 * only rise, the state is the one the target was computed from), each pointing to its
 * (area, level) notice: the entry of its history (store_lead_events). The others' levels
 * are derived from the clock: nothing of theirs is written. */
static int esc_apply(struct sq_store *s, const lead_sweep *sw, int64_t want, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_UPDATE,
                              "UPDATE leads SET escalation_level = e.level_to, escalated_at = "
                              "?1, updated_at = ?1, "
                              "esc_notice_1 = iif(e.level_to = 1, n.notice, esc_notice_1), "
                              "esc_notice_2 = iif(e.level_to = 2, n.notice, esc_notice_2), "
                              "esc_notice_3 = iif(e.level_to = 3, n.notice, esc_notice_3) "
                              "FROM temp.lead_raised e JOIN temp.lead_esc_notice n ON "
                              "n.area_code = e.area_code AND n.level = e.level_to "
                              "WHERE leads.id = e.id AND e.owed = 1 AND "
                              "leads.escalation_level < e.level_to AND leads.state = e.state",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, sw->now);
    return exec_exactly(s, q, want, "raised", err);
}

/* How many of the staged leads are owed ones (written by esc_apply). */
static int esc_owed_count(struct sq_store *s, int64_t *n, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ESC_OWED_N, "SELECT count(*) FROM temp.lead_raised WHERE owed",
                              err);
    return q ? sq_int_query(s, q, n, err) : -1;
}

int sq_lead_escalate_page(store *st, lead_sweep *sw, lead_sweep_page *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    esc_sql t;
    int64_t clock, next, owed = 0;
    bool has_next;
    memset(out, 0, sizeof *out);
    if (s->depth == 0)
        return fk_fail(err, FK_EINTERNAL, "", "an escalation page needs the caller's unit");
    if (esc_rules(&t, err) != 0 || esc_clock(s, &clock, &next, &has_next, err) != 0)
        return -1;
    /* the clock moves when a deadline of a lead not owed lies in [clock, now) */
    bool crossing = has_next && sw->now > next && sw->now > clock;
    esc_staged staged = {0};
    int rc = esc_tables(s, err);
    if (rc == 0)
        rc = esc_stage(s, &t, sw->now, clock, crossing, &staged, err);
    out->seen = staged.n;
    if (rc == 0 && staged.n)
        rc = esc_runs(&staged, out, err);
    if (rc == 0 && out->raised)
        rc = esc_notes(s, sw, &staged, err);
    staged_free(&staged);
    if (rc == 0 && out->raised)
        rc = esc_owed_count(s, &owed, err);
    if (rc == 0 && owed)
        rc = esc_apply(s, sw, owed, err);
    if (rc == 0)
        rc = esc_clock_move(s, &t, sw->now, clock, crossing, err);
    if (rc != 0)
        lead_sweep_page_free(out);
    return rc;
}
