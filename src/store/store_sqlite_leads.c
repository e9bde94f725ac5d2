/*
 * store_sqlite_leads.c - leads and their events (tables leads, lead_events, migration
 * 0007). Contract: store_leads.h.
 *
 * Invariant: a lead row and the lead_events row that explains its change are written
 * in one unit, together with the audit record; due_at always equals
 * lead_due(state, deadlines) (NULL once closed), so the overdue filter is a range on
 * the leads_due index. A transition re-reads the state inside its unit and refuses the
 * move when another writer changed it since the caller looked (FK_ECONFLICT "state").
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/store_sqlite_int.h"

#define LEAD_COLS                                                                           \
    "l.id, l.kind, coalesce(l.person_id, 0), l.subject, coalesce(l.case_id, 0), "           \
    "coalesce(l.contact_id, 0), l.measure_required, l.area_code, coalesce(l.assignee, ''), " \
    "l.state, l.measure_taken, l.pushed_at, l.found_by, l.controlled_by, l.closed_by, "      \
    "coalesce(l.due_at, 0), l.escalation_level, l.escalated_at, l.updated_at, "             \
    "coalesce(p.name, ''), coalesce(p.phone, '')"
#define LEAD_FROM "leads l LEFT JOIN persons p ON p.id = l.person_id"
/* The same columns without the person's (name and phone read as ""). */
#define LEAD_COLS_BARE                                                                      \
    "l.id, l.kind, coalesce(l.person_id, 0), l.subject, coalesce(l.case_id, 0), "           \
    "coalesce(l.contact_id, 0), l.measure_required, l.area_code, coalesce(l.assignee, ''), " \
    "l.state, l.measure_taken, l.pushed_at, l.found_by, l.controlled_by, l.closed_by, "      \
    "coalesce(l.due_at, 0), l.escalation_level, l.escalated_at, l.updated_at, '', ''"

static void lead_row(sqlite3_stmt *q, void *item)
{
    lead_rec *l = item;
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
    if (event_insert(s, l->id, l->pushed_at, actor, "", "pushed", note, err) != 0)
        return -1;
    return sq_audit_write(s, a, l->id, err);
}

int sq_lead_insert(store *st, lead_rec *l, const char *actor, const char *note,
                   const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, insert_unit(s, l, actor, note, a, err));
}

/* The filter as a WHERE clause and its binds. */
static void lead_where(const lead_filter *f, strbuf *w, sq_binds *b)
{
    sb_append(w, " WHERE 1");
    if (sq_given(f->state)) {
        sb_append(w, " AND l.state = ?");
        sq_bind_add_text(b, f->state);
    }
    if (sq_given(f->kind)) {
        sb_append(w, " AND l.kind = ?");
        sq_bind_add_text(b, f->kind);
    }
    if (sq_given(f->area_prefix)) {
        /* a prefix as a range, so the leads_area index serves it */
        sb_append(w, " AND l.area_code >= ? AND l.area_code < ? || '~'");
        sq_bind_add_text(b, f->area_prefix);
        sq_bind_add_text(b, f->area_prefix);
    }
    if (f->case_id) {
        sb_append(w, " AND l.case_id = ?");
        sq_bind_add_int(b, f->case_id);
    }
    if (f->overdue_at > 0) {
        sb_append(w, " AND l.due_at IS NOT NULL AND l.due_at < ?");
        sq_bind_add_int(b, f->overdue_at);
    }
}

int sq_lead_list(store *st, const lead_filter *f, lead_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    lead_where(f, &w, &b);
    sq_page_query q = {LEAD_COLS, LEAD_FROM, sb_str(&w),
                       "l.due_at IS NULL, l.due_at, l.id", f->limit, f->offset, lead_row,
                       sizeof(lead_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

/* One cached statement: a push re-reads every lead it made, so no paging query here. */
int sq_lead_get(store *st, int64_t id, lead_rec *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_GET, "SELECT " LEAD_COLS " FROM " LEAD_FROM
                                              " WHERE l.id = ?", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, id);
    int r = sq_step_row(s, q, err);
    if (r > 0) {
        memset(out, 0, sizeof *out);
        lead_row(q, out);
    }
    sqlite3_reset(q);
    if (r < 0)
        return -1;
    return r > 0 ? 0 : fk_fail(err, FK_ENOTFOUND, "id", "id: no lead %lld", (long long)id);
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

int sq_lead_events(store *st, int64_t lead_id, lead_event_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
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
    if (sq_exec_stmt(s, q, err) != 0 || event_insert(s, id, at, actor, from, to, note, err) != 0)
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

/* 0 when lead id exists (FK_ENOTFOUND otherwise). */
static int lead_exists(struct sq_store *s, int64_t id, fk_err *err)
{
    lead_rec cur;
    return current(s, id, &cur, err);
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
    /* levels only rise: the guard in the UPDATE is the check, no read first (the sweep
     * raises hundreds of thousands of leads) */
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
        return lead_exists(s, id, err);
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

static int push_events(struct sq_store *s, const lead_push *p, int64_t first, int64_t last,
                       fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_PUSH_EVENTS,
                              "INSERT INTO lead_events (lead_id, at, actor, from_state, to_state, "
                              "note) SELECT id, ?1, ?2, '', 'pushed', ?3 FROM leads "
                              "WHERE id BETWEEN ?4 AND ?5 ORDER BY id",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, p->pushed_at);
    sq_bind_text(q, 2, p->actor);
    sq_bind_text(q, 3, p->note ? p->note : "");
    sqlite3_bind_int64(q, 4, first);
    sqlite3_bind_int64(q, 5, last);
    return sq_exec_stmt(s, q, err);
}

/* ?1/?2 kind, ?3/?4 measure, ?5 the case's community, ?6 pushed_at, ?7..?12 the three
 * deadlines of each degree, ?13 the case. due_at is found_by: a pushed lead waits to be
 * found (model/lead.c). */
#define PUSH_SQL                                                                             \
    "INSERT INTO leads (kind, person_id, subject, case_id, contact_id, measure_required, "   \
    "area_code, state, pushed_at, found_by, controlled_by, closed_by, due_at, updated_at) "  \
    "SELECT CASE k.degree WHEN 1 THEN ?1 ELSE ?2 END, p.id, k.subject, k.case_id, k.id, "    \
    "CASE k.degree WHEN 1 THEN ?3 ELSE ?4 END, coalesce(p.community_code, ?5), 'pushed', "   \
    "?6, CASE k.degree WHEN 1 THEN ?7 ELSE ?8 END, CASE k.degree WHEN 1 THEN ?9 ELSE ?10 END, " \
    "CASE k.degree WHEN 1 THEN ?11 ELSE ?12 END, CASE k.degree WHEN 1 THEN ?7 ELSE ?8 END, ?6 " \
    "FROM contacts k LEFT JOIN persons p ON p.id = k.person_id "                             \
    "WHERE k.case_id = ?13 AND k.status <> 'dismissed' AND k.id = (SELECT k2.id FROM "       \
    "contacts k2 WHERE k2.case_id = k.case_id AND k2.subject = k.subject AND k2.status <> "  \
    "'dismissed' ORDER BY k2.degree, k2.id LIMIT 1) AND NOT EXISTS (SELECT 1 FROM leads l "  \
    "WHERE l.case_id = k.case_id AND l.subject = k.subject) ORDER BY k.degree, k.subject, k.id"

static int push_unit(struct sq_store *s, const lead_push *p, const audit_rec *a, int64_t *first,
                     int64_t *last, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_PUSH, PUSH_SQL, err);
    if (!q)
        return -1;
    for (int d = 0; d < 2; d++) {
        sq_bind_text(q, 1 + d, p->kind[d]);
        sq_bind_text(q, 3 + d, p->measure[d]);
        for (int k = 0; k < LEAD_STEPS; k++)
            sqlite3_bind_int64(q, 7 + 2 * k + d, p->deadlines[d][k]);
    }
    sq_bind_text(q, 5, p->case_area);
    sqlite3_bind_int64(q, 6, p->pushed_at);
    sqlite3_bind_int64(q, 13, p->case_id);
    int64_t before = sqlite3_last_insert_rowid(s->db);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    int64_t n = sqlite3_changes64(s->db);
    *last = n ? sqlite3_last_insert_rowid(s->db) : before;
    *first = *last - n + 1;
    if (n && push_events(s, p, *first, *last, err) != 0)
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
    return rc;
}

/* The leads_due index serves both the range and the order: no sort, no count. */
int sq_lead_overdue_page(store *st, int64_t now, int64_t after_due, int64_t after_id, int limit,
                         lead_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_OVERDUE,
                              "SELECT " LEAD_COLS_BARE " FROM leads l WHERE l.due_at IS NOT NULL "
                              "AND l.due_at < ? AND (l.due_at, l.id) > (?, ?) "
                              "AND l.escalation_level < ? ORDER BY l.due_at, l.id LIMIT ?",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, now);
    sqlite3_bind_int64(q, 2, after_due);
    sqlite3_bind_int64(q, 3, after_id);
    sqlite3_bind_int(q, 4, LEAD_LEVEL_COMMAND);
    sqlite3_bind_int(q, 5, limit < 1 ? 1 : limit > 4096 ? 4096 : limit);
    int rc = sq_collect(s, q, lead_row, sizeof(lead_rec), (void **)&out->items, &out->n, err);
    out->total = (int64_t)out->n;
    return rc;
}
