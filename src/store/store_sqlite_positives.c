/*
 * store_sqlite_positives.c - the positives section (store_positives.h) on SQLite: holds,
 * their retest leads, recheck rounds and notices. The follow-up calls are set statements
 * over json_each(ids) (the new result rows), run inside the caller's unit (or their own
 * at depth 0), so their cost does not grow in statements with the rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "model/lead.h"
#include "store/store_sqlite_int.h"

/* The result rows of one recording, as a row source. */
#define NEW_ROWS "json_each(?1) j JOIN fk_results r ON r.id = j.value"

static int changes(struct sq_store *s, int64_t *n)
{
    if (n)
        *n = sqlite3_changes64(s->db);
    return 0;
}

/* ---- new holds, their leads, recheck rounds ------------------------------------------------ */

/* The new holds are picked first, in hold order, into temp.holds_new (its rowids 1..n:
 * the table is emptied after each use), then their leads are written, then the holds
 * citing them: lead n is the first lead's id + n - 1 (the leads' ids are consecutive, in
 * the same order). Writing the holds first and citing the leads afterwards rewrote every
 * new hold (an UPDATE through testing_holds_moves and lead_id's foreign key: 6.2 M
 * instructions of a results import's follow-up, bench/testing; the pick and the
 * temporary table cost 0.5 M). */
#define HOLDS_NEW_TABLE                                                                      \
    "CREATE TEMP TABLE IF NOT EXISTS holds_new (n INTEGER PRIMARY KEY, person_id INTEGER, "  \
    "tube_id INTEGER, round_id INTEGER, result_id INTEGER, reason TEXT, area_code TEXT)"
#define HOLDS_PICK                                                                           \
    "INSERT INTO temp.holds_new (person_id, tube_id, round_id, result_id, reason, "           \
    "area_code) SELECT m.person_id, r.tube_id, t.round_id, r.id, CASE r.result WHEN "         \
    "'positive' THEN 'positive_pool' ELSE 'invalid' END, p.community_code FROM "             \
    NEW_ROWS " JOIN tubes t ON t.id = r.tube_id JOIN fk_members m ON "                      \
    SQ_MEMBERS_OF("m", "t.id") " JOIN persons p ON p.id = m.person_id WHERE "                \
    "((r.result = 'positive' AND t.size > 1 AND ?2) OR (r.result = 'invalid' AND ?3)) AND "  \
    "NOT EXISTS (SELECT 1 FROM testing_holds h WHERE h.tube_id = r.tube_id AND h.person_id = " \
    "m.person_id AND h.state = 'held') ORDER BY r.id, m.id"

/* One pool_retest lead per picked hold, in hold order. due_at is found_by. */
#define HOLD_LEADS_INSERT                                                                    \
    "INSERT INTO leads (kind, person_id, subject, measure_required, area_code, state, "      \
    "pushed_at, found_by, controlled_by, closed_by, due_at, updated_at) SELECT "             \
    "'pool_retest', h.person_id, '', CASE h.reason WHEN 'invalid' THEN ?2 ELSE ?1 END, "     \
    "h.area_code, 'pushed', ?3, ?4, ?5, ?6, ?4, ?3 FROM temp.holds_new h ORDER BY h.n"

#define HOLDS_INSERT                                                                         \
    "INSERT INTO testing_holds (person_id, tube_id, round_id, result_id, reason, area_code, " \
    "held_at, held_by, lead_id) SELECT person_id, tube_id, round_id, result_id, reason, "     \
    "area_code, ?2, ?3, ?1 + n - 1 FROM temp.holds_new ORDER BY n"

/* The picked holds' leads (from lead0 on), then the holds (from first on) citing them. */
static int hold_leads(struct sq_store *s, const hold_open *h, int64_t first, int64_t n,
                      fk_err *err)
{
    sq_binds b = {0}, c = {0}, e = {0}, none = {0};
    int64_t lead0 = 0;
    if (sq_count(s, "SELECT coalesce(max(id), 0) + 1 FROM leads", &none, &lead0, err) != 0)
        return -1;
    sq_bind_add_text(&b, h->measure_pool);
    sq_bind_add_text(&b, h->measure_invalid);
    sq_bind_add_int(&b, h->at);
    for (int i = 0; i < 3; i++)
        sq_bind_add_int(&b, h->deadlines[i]);
    sq_bind_add_int(&c, lead0);
    sq_bind_add_int(&c, h->at);
    sq_bind_add_text(&c, h->by);
    sq_bind_add_int(&e, first);
    sq_bind_add_int(&e, h->at);
    sq_bind_add_text(&e, h->by);
    sq_bind_add_text(&e, h->note_pool);
    sq_bind_add_text(&e, h->note_invalid);
    if (sq_run_bound(s, HOLD_LEADS_INSERT, &b, err) != 0 ||
        sq_lead_esc_owe_pushed(s, lead0, lead0 + n - 1, h->deadlines, err) != 0 ||
        sq_run_bound(s, HOLDS_INSERT, &c, err) != 0)
        return -1;
    return sq_run_bound(s, "INSERT INTO lead_events (lead_id, at, actor, from_state, to_state, "
                        "note) SELECT h.lead_id, ?2, ?3, '', 'pushed', CASE h.reason WHEN "
                        "'invalid' THEN ?5 ELSE ?4 END FROM testing_holds h WHERE h.id >= ?1 "
                        "ORDER BY h.id", &e, err);
}

/* Each round of the new holds gets its open recheck round, or stretches it. */
static int recheck_rounds(struct sq_store *s, const hold_open *h, int64_t first, fk_err *err)
{
    sq_binds b = {0}, u = {0};
    sq_bind_add_int(&b, first);
    sq_bind_add_text(&b, h->recheck_suffix);
    sq_bind_add_int(&b, h->at);
    sq_bind_add_int(&b, h->recheck_until);
    sq_bind_add_text(&b, h->by);
    sq_bind_add_int(&u, first);
    sq_bind_add_int(&u, h->recheck_until);
    return sq_run_bound(s, "INSERT INTO testing_rounds (name, area_code, starts_at, ends_at, "
                        "state, created_by, created_at, kind, parent_id) SELECT substr(r.name, "
                        "1, 100) || ?2, r.area_code, ?3, ?4, 'open', ?5, ?3, 'recheck', r.id "
                        "FROM testing_rounds r WHERE r.id IN (SELECT round_id FROM "
                        "testing_holds WHERE id >= ?1) AND NOT EXISTS (SELECT 1 FROM "
                        "testing_rounds c WHERE c.parent_id = r.id) ORDER BY r.id", &b, err) ||
           sq_run_bound(s, "UPDATE testing_rounds SET ends_at = max(ends_at, ?2) WHERE state = "
                        "'open' AND parent_id IN (SELECT round_id FROM testing_holds WHERE id "
                        ">= ?1)", &u, err)
               ? -1
               : 0;
}

static int holds_open_unit(struct sq_store *s, const hold_open *h, int64_t *first, int64_t *n,
                           fk_err *err)
{
    sq_binds b = {0}, none = {0};
    if (sq_count(s, "SELECT coalesce(max(id), 0) + 1 FROM testing_holds", &none, first,
                 err) != 0 ||
        sq_run_bound(s, HOLDS_NEW_TABLE, &none, err) != 0 ||
        sq_run_bound(s, "DELETE FROM temp.holds_new", &none, err) != 0)
        return -1;
    sq_bind_add_text(&b, h->ids);
    sq_bind_add_int(&b, h->hold_pool);
    sq_bind_add_int(&b, h->hold_invalid);
    if (sq_run_bound(s, HOLDS_PICK, &b, err) != 0)
        return -1;
    changes(s, n);
    int rc = *n && (hold_leads(s, h, *first, *n, err) || recheck_rounds(s, h, *first, err));
    return rc || sq_run_bound(s, "DELETE FROM temp.holds_new", &none, err) ? -1 : 0;
}

static int sq_holds_open(store *st, const hold_open *h, int64_t *first, int64_t *n,
                         fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, holds_open_unit(s, h, first, n, err));
}

/* ---- holds ended ------------------------------------------------------------------------- */

#define RESULT_ZH(col)                                                                       \
    "CASE " col " WHEN 'negative' THEN '阴性' WHEN 'positive' THEN '阳性' ELSE '无效' END"

/* The corrections of `ids` whose result class changed, with the row they replace. */
#define CHANGED_CORRECTIONS                                                                  \
    NEW_ROWS " JOIN fk_results o ON o.id = r.replaces WHERE r.result <> o.result"

static int release_corrected_unit(struct sq_store *s, const char *ids, int64_t at,
                                  const char *by, const char *fmt, int64_t *n, fk_err *err)
{
    sq_binds b = {0};
    int64_t open = 0;
    sq_bind_add_text(&b, ids);
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, by);
    sq_bind_add_text(&b, fmt);
    /* the open holds the tube's replaced result made */
    if (sq_run_bound(s, "UPDATE testing_holds AS h SET state = 'released', ended_at = ?2, "
                     "ended_by = ?3, ended_result_id = r.id, note = substr(printf(?4, "
                     RESULT_ZH("r.result") ", r.reason), 1, 300) FROM " CHANGED_CORRECTIONS
                     " AND h.tube_id = r.tube_id AND h.state = 'held'", &b, err) != 0)
        return -1;
    changes(s, &open);
    /* the holds the replaced result confirmed, unless the tube stays positive */
    if (sq_run_bound(s, "UPDATE testing_holds AS h SET state = 'released', ended_at = ?2, "
                     "ended_by = ?3, ended_result_id = r.id, note = substr(printf(?4, "
                     RESULT_ZH("r.result") ", r.reason), 1, 300) FROM " CHANGED_CORRECTIONS
                     " AND r.result <> 'positive' AND h.ended_result_id = o.id AND h.state = "
                     "'confirmed'", &b, err) != 0)
        return -1;
    *n = open + sqlite3_changes64(s->db);
    return 0;
}

static int sq_holds_release_corrected(store *st, const char *ids, int64_t at, const char *by,
                                      const char *note_fmt, int64_t *n, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, release_corrected_unit(s, ids, at, by, note_fmt, n, err));
}

/* A negative single tube releases its member's holds made before the sample was taken. */
#define RELEASE_NEGATIVE                                                                     \
    "UPDATE testing_holds AS h SET state = 'released', ended_at = ?2, ended_by = ?3, "       \
    "ended_result_id = r.id, note = ?4 FROM " NEW_ROWS " JOIN tubes t ON t.id = r.tube_id "  \
    "JOIN fk_members m ON " SQ_MEMBERS_OF("m", "t.id") " WHERE r.result = 'negative' AND "   \
    "t.size = 1 "                                                                             \
    "AND h.person_id = m.person_id AND h.state = 'held' AND h.held_at <= m.scanned_at"

static int sq_holds_release_negative(store *st, const char *ids, int64_t at, const char *by,
                                     const char *note, int64_t *n, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    sq_bind_add_text(&b, ids);
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, by);
    sq_bind_add_text(&b, note);
    if (sq_run_bound(s, RELEASE_NEGATIVE, &b, err) != 0)
        return -1;
    return changes(s, n);
}

/* ---- the retest leads of released holds, closed by the legal path ---------------------- */

static const char *due_column(const char *state)
{
    switch (lead_step(state)) {
    case LEAD_STEP_FOUND:
        return "found_by";
    case LEAD_STEP_CONTROLLED:
        return "controlled_by";
    case LEAD_STEP_CLOSED:
        return "closed_by";
    default:
        return "NULL";
    }
}

/* The open leads of holds released by a row of ?1. */
#define RELEASED_LEADS                                                                       \
    "SELECT h.lead_id FROM json_each(?1) j JOIN testing_holds h ON h.ended_result_id = "    \
    "j.value WHERE h.state = 'released' AND h.lead_id IS NOT NULL"

static int close_move(struct sq_store *s, const lead_move *mv, const char *ids, int64_t at,
                      const char *by, const char *measure, const char *note, fk_err *err)
{
    char sql[768];
    sq_binds e = {0}, u = {0};
    sq_bind_add_text(&e, ids);
    sq_bind_add_int(&e, at);
    sq_bind_add_text(&e, by);
    sq_bind_add_text(&e, mv->from);
    sq_bind_add_text(&e, mv->to);
    sq_bind_add_text(&e, note);
    if (sq_run_bound(s, "INSERT INTO lead_events (lead_id, at, actor, from_state, to_state, "
                     "note) SELECT id, ?2, ?3, ?4, ?5, ?6 FROM leads WHERE state = ?4 AND id IN "
                     "(" RELEASED_LEADS ") ORDER BY id", &e, err) != 0)
        return -1;
    snprintf(sql, sizeof sql, "UPDATE leads SET state = ?3, measure_taken = CASE ?3 WHEN "
             "'controlled' THEN ?4 ELSE measure_taken END, due_at = %s, updated_at = ?2 WHERE "
             "state = ?5 AND id IN (" RELEASED_LEADS ")", due_column(mv->to));
    sq_bind_add_text(&u, ids);
    sq_bind_add_int(&u, at);
    sq_bind_add_text(&u, mv->to);
    sq_bind_add_text(&u, measure);
    sq_bind_add_text(&u, mv->from);
    return sq_run_bound(s, sql, &u, err);
}

/* fn on each open lead of holds released by a row of ids (the escalation clock's
 * bookkeeping around the moves: store_sqlite_int.h). */
static int each_released(struct sq_store *s, const char *ids,
                         int (*fn)(struct sq_store *, int64_t, fk_err *), fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, ids);
    sqlite3_stmt *q = sq_prepare_bound(s, "SELECT l.id FROM leads l WHERE l.due_at IS NOT NULL "
                                       "AND l.id IN (" RELEASED_LEADS ") ORDER BY l.id", &b, err);
    if (!q)
        return -1;
    int64_t *lead = NULL;
    size_t n = 0, cap = 0;
    int r, rc = 0;
    while ((r = sq_step_row(s, q, err)) > 0) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            lead = fk_realloc(lead, cap * sizeof *lead);
        }
        lead[n++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    rc = r < 0 ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(s, lead[i], err);
    free(lead);
    return rc;
}

static int close_leads_unit(struct sq_store *s, const char *ids, int64_t at, const char *by,
                            const char *measure, const char *note, fk_err *err)
{
    size_t n;
    const lead_move *path = lead_close_path(&n);
    if (each_released(s, ids, sq_lead_esc_settle, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (close_move(s, &path[i], ids, at, by, measure, note, err) != 0)
            return -1;
    return 0;
}

static int sq_holds_close_leads(store *st, const char *ids, int64_t at, const char *by,
                                const char *measure, const char *note, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, close_leads_unit(s, ids, at, by, measure, note, err));
}

/* ---- the rows with a follow-up ------------------------------------------------------------ */

#define TO_FOLLOW "(r.result <> 'negative' OR r.replaces IS NOT NULL OR t.size = 1)"

/* The one row of `sql` (binds b): a json_group_array's text in *out. */
static int follow_list(struct sq_store *s, const char *sql, sq_binds *b, char **out,
                       fk_err *err)
{
    *out = NULL;
    sqlite3_stmt *q = sq_prepare_bound(s, sql, b, err);
    if (!q)
        return -1;
    int rc = sq_step_row(s, q, err); /* json_group_array: one row, "[]" for none */
    if (rc > 0)
        *out = fk_strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (rc == 0)
        return fk_fail(err, FK_EIO, "", "the rows to follow up: no answer");
    return rc < 0 ? -1 : 0;
}

static int sq_results_to_follow(store *st, const char *ids, char **out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, ids);
    return follow_list(SQ(st), "SELECT json_group_array(id) FROM (SELECT r.id FROM " NEW_ROWS
                       " JOIN tubes t ON t.id = r.tube_id WHERE " TO_FOLLOW " ORDER BY r.id)",
                       &b, out, err);
}

/* ---- single positives and confirmation ---------------------------------------------------- */

static void single_row(sqlite3_stmt *q, void *item)
{
    single_positive *p = item;
    p->result_id = sqlite3_column_int64(q, 0);
    p->tube_id = sqlite3_column_int64(q, 1);
    p->person_id = sqlite3_column_int64(q, 2);
    p->replaces = sqlite3_column_int64(q, 3);
    p->scanned_at = sqlite3_column_int64(q, 4);
    sq_col_text(p->barcode, sizeof p->barcode, q, 5);
    sq_col_text(p->community_code, sizeof p->community_code, q, 6);
    sq_col_text(p->result, sizeof p->result, q, 7);
    sq_col_text(p->previous, sizeof p->previous, q, 8);
    p->ct_orf1ab = sqlite3_column_double(q, 9);
    p->ct_n = sqlite3_column_double(q, 10);
    p->reported = sqlite3_column_int(q, 11);
    p->case_id = sqlite3_column_int64(q, 12);
    p->case_number = sqlite3_column_int64(q, 13);
}

/* The person's latest screening-positive case: column `col` of it. */
#define LATEST_CASE(col)                                                                     \
    "coalesce((SELECT c." col " FROM cases c WHERE c.person_id = m.person_id AND "           \
    "c.classification = 'screening_positive' ORDER BY c.id DESC LIMIT 1), 0)"

static int sq_single_positives(store *st, const char *ids, single_positive_list *out,
                               fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_text(&b, ids);
    return sq_collect_sql(
        SQ(st),
        "SELECT r.id, r.tube_id, m.person_id, coalesce(r.replaces, 0), m.scanned_at, "
        "t.barcode, p.community_code, r.result, coalesce(o.result, ''), "
        "coalesce(r.ct_orf1ab, 0), coalesce(r.ct_n, 0), EXISTS (SELECT 1 FROM notifications n "
        "WHERE n.entity = 'tube' AND n.entity_id = r.tube_id AND n.kind = "
        "'screening_positive'), " LATEST_CASE("id") ", " LATEST_CASE("number") " FROM " NEW_ROWS
        " JOIN tubes t ON t.id = r.tube_id JOIN fk_members m ON " SQ_MEMBERS_OF("m", "t.id")
        " JOIN persons p ON p.id = m.person_id LEFT JOIN fk_results o ON o.id = r.replaces "
        "WHERE t.size = 1 AND (r.result = 'positive' OR o.result = 'positive') ORDER BY r.id",
        &b, single_row, sizeof(single_positive), (void **)&out->items, &out->n, err);
}

static int confirm_unit(struct sq_store *s, int64_t person_id, int64_t sampled_at,
                        int64_t replaced, int64_t result_id, int64_t case_id, int64_t at,
                        const char *by, const char *note, int64_t *n, fk_err *err)
{
    sq_binds b = {0}, e = {0};
    sq_bind_add_int(&b, person_id);
    sq_bind_add_int(&b, sampled_at);
    sq_bind_add_int(&b, replaced);
    sq_bind_add_int(&b, result_id);
    sq_bind_add_int(&b, case_id);
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, by);
    sq_bind_add_text(&b, note);
    if (sq_run_bound(s, "UPDATE testing_holds SET state = 'confirmed', ended_at = ?6, ended_by "
                     "= ?7, ended_result_id = ?4, case_id = ?5, note = ?8 WHERE person_id = ?1 "
                     "AND ((state = 'held' AND held_at <= ?2) OR (?3 <> 0 AND "
                     "ended_result_id = ?3))", &b, err) != 0)
        return -1;
    changes(s, n);
    sq_bind_add_int(&e, result_id);
    sq_bind_add_int(&e, at);
    sq_bind_add_text(&e, by);
    sq_bind_add_text(&e, note);
    return sq_run_bound(s, "INSERT INTO lead_events (lead_id, at, actor, from_state, to_state, "
                        "note) SELECT l.id, ?2, ?3, l.state, l.state, ?4 FROM testing_holds h "
                        "JOIN leads l ON l.id = h.lead_id WHERE h.ended_result_id = ?1 AND "
                        "h.state = 'confirmed' ORDER BY l.id", &e, err);
}

static int sq_holds_confirm(store *st, int64_t person_id, int64_t sampled_at, int64_t replaced,
                            int64_t result_id, int64_t case_id, int64_t at, const char *by,
                            const char *note, int64_t *n, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, confirm_unit(s, person_id, sampled_at, replaced, result_id, case_id, at,
                                    by, note, n, err));
}

/* ---- notices ------------------------------------------------------------------------------ */

/* The tubes a notice of `kind` names, as FROM ... WHERE over the rows of ?1:
 * pool_positive: positive pooled tubes that got holds from their row; pool_cleared:
 * pooled tubes whose holds of one positive result were all released, the last by a row. */
/* A hold's tube is its result's (HOLDS_INSERT; testing_holds_moves keeps both): the
 * tube narrows the probe to testing_holds_tube's key, not a scan of every hold for
 * each positive row. */
#define POOL_POSITIVE_TUBES                                                                  \
    NEW_ROWS " JOIN tubes t ON t.id = r.tube_id WHERE r.result = 'positive' AND t.size > 1 " \
    "AND EXISTS (SELECT 1 FROM testing_holds h WHERE h.tube_id = r.tube_id AND h.result_id " \
    "= r.id)"
#define POOL_CLEARED_TUBES                                                                   \
    "json_each(?1) j JOIN testing_holds h ON h.ended_result_id = j.value JOIN fk_results "   \
    "er ON er.id = h.ended_result_id AND er.tube_id <> h.tube_id JOIN tubes t ON t.id = "     \
    "h.tube_id WHERE h.state = 'released' AND h.reason = 'positive_pool' AND NOT "    \
    "EXISTS (SELECT 1 FROM testing_holds h2 WHERE h2.tube_id = h.tube_id AND h2.result_id "  \
    "= h.result_id AND h2.state <> 'released')"

#define NOTICES_FOR(tubes)                                                                   \
    "INSERT INTO notifications (audience, area_code, kind, entity, entity_id, message, "      \
    "created_at) SELECT ?2, s.area_code, ?3, 'tube', t.id, printf(?4, rd.name, s.name, "      \
    "t.barcode, t.n_members), ?5 FROM (SELECT DISTINCT t.id AS tube_id FROM " tubes ") x "    \
    "JOIN tubes t ON t.id = x.tube_id JOIN sampling_sites s ON s.id = t.site_id JOIN "         \
    "testing_rounds rd ON rd.id = t.round_id ORDER BY t.id"

/* Kept prepared: each audience of a kind runs the same statement (an import's positive
 * pools notify two). */
static int sq_notices_for_results(store *st, const char *kind, const char *ids,
                                  const char *audience, const char *fmt, int64_t at,
                                  fk_err *err)
{
    struct sq_store *s = SQ(st);
    bool cleared = !strcmp(kind, "pool_cleared");
    sqlite3_stmt *q = cleared ? sq_stmt(s, SQ_NOTICES_POOL_CLEARED,
                                        NOTICES_FOR(POOL_CLEARED_TUBES), err)
                              : sq_stmt(s, SQ_NOTICES_POOL_POSITIVE,
                                        NOTICES_FOR(POOL_POSITIVE_TUBES), err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, ids);
    sq_bind_text(q, 2, audience);
    sq_bind_text(q, 3, kind);
    sq_bind_text(q, 4, fmt);
    sqlite3_bind_int64(q, 5, at);
    return sq_exec_stmt(s, q, err);
}

static int sq_notice_insert(store *st, notice_rec *n, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    sq_bind_add_text(&b, n->audience);
    sq_bind_add_text(&b, n->area_code);
    sq_bind_add_text(&b, n->kind);
    sq_bind_add_text(&b, n->entity);
    sq_bind_add_int(&b, n->entity_id);
    sq_bind_add_text(&b, n->message);
    sq_bind_add_int(&b, n->created_at);
    if (sq_run_bound(s, "INSERT INTO notifications (audience, area_code, kind, entity, "
                     "entity_id, message, created_at) VALUES (?,?,?,?,?,?,?)", &b, err) != 0)
        return -1;
    n->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

#define NOTICE_COLS                                                                          \
    "n.id, n.audience, n.area_code, n.kind, n.entity, n.entity_id, n.message, n.created_at, " \
    "coalesce(n.ack_at, 0), coalesce(n.ack_by, '')"

static void notice_row(sqlite3_stmt *q, void *item)
{
    notice_rec *n = item;
    n->id = sqlite3_column_int64(q, 0);
    sq_col_text(n->audience, sizeof n->audience, q, 1);
    sq_col_text(n->area_code, sizeof n->area_code, q, 2);
    sq_col_text(n->kind, sizeof n->kind, q, 3);
    sq_col_text(n->entity, sizeof n->entity, q, 4);
    n->entity_id = sqlite3_column_int64(q, 5);
    sq_col_text(n->message, sizeof n->message, q, 6);
    n->created_at = sqlite3_column_int64(q, 7);
    n->ack_at = sqlite3_column_int64(q, 8);
    sq_col_text(n->ack_by, sizeof n->ack_by, q, 9);
}

static int sq_notice_list(store *st, const notice_filter *f, notice_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    if (f->audience) {
        sb_append(&w, " AND n.audience = ?");
        sq_bind_add_text(&b, f->audience);
    }
    sq_where_prefix(&w, &b, "n.area_code", f->area_prefix);
    if (f->unacked)
        sb_append(&w, " AND n.ack_at IS NULL");
    sq_page_query q = {NOTICE_COLS, "notifications n", sb_str(&w), "n.id DESC", f->limit,
                       f->offset, notice_row, sizeof(notice_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static int sq_notice_get(store *st, int64_t id, notice_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found = sq_one_sql(SQ(st), "SELECT " NOTICE_COLS " FROM notifications n WHERE n.id = ?",
                           &b, notice_row, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0 : fk_fail(err, FK_ENOTFOUND, "id", "id: no notification %lld", (long long)id);
}

static int ack_unit(struct sq_store *s, int64_t id, const char *by, int64_t at,
                    const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, by);
    sq_bind_add_int(&b, id);
    if (sq_run_bound(s, "UPDATE notifications SET ack_at = ?, ack_by = ? WHERE id = ? AND "
                     "ack_at IS NULL", &b, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ECONFLICT, "id", "id: notification %lld was acknowledged "
                       "already", (long long)id);
    return sq_audit_write(s, a, id, err);
}

static int sq_notice_ack(store *st, int64_t id, const char *by, int64_t at, const audit_rec *a,
                         fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, ack_unit(s, id, by, at, a, err));
}

/* ---- reads of holds ------------------------------------------------------------------------ */

#define HOLD_COLS                                                                            \
    "h.id, h.person_id, h.tube_id, h.round_id, h.result_id, h.reason, h.state, h.area_code, " \
    "coalesce(h.lead_id, 0), coalesce(h.case_id, 0), coalesce(h.ended_result_id, 0), "        \
    "h.held_at, coalesce(h.ended_at, 0), h.held_by, coalesce(h.ended_by, ''), h.note, "       \
    "t.barcode, rd.name, s.name, p.name, p.id_number, r.result, coalesce(e.result, ''), t.size"
#define HOLD_FROM                                                                            \
    "testing_holds h JOIN tubes t ON t.id = h.tube_id JOIN testing_rounds rd ON rd.id = "     \
    "h.round_id JOIN sampling_sites s ON s.id = t.site_id JOIN persons p ON p.id = "         \
    "h.person_id JOIN fk_results r ON r.id = h.result_id LEFT JOIN fk_results e ON "         \
    "e.id = h.ended_result_id"

static void hold_row(sqlite3_stmt *q, void *item)
{
    hold_rec *h = item;
    h->id = sqlite3_column_int64(q, 0);
    h->person_id = sqlite3_column_int64(q, 1);
    h->tube_id = sqlite3_column_int64(q, 2);
    h->round_id = sqlite3_column_int64(q, 3);
    h->result_id = sqlite3_column_int64(q, 4);
    sq_col_text(h->reason, sizeof h->reason, q, 5);
    sq_col_text(h->state, sizeof h->state, q, 6);
    sq_col_text(h->area_code, sizeof h->area_code, q, 7);
    h->lead_id = sqlite3_column_int64(q, 8);
    h->case_id = sqlite3_column_int64(q, 9);
    h->ended_result_id = sqlite3_column_int64(q, 10);
    h->held_at = sqlite3_column_int64(q, 11);
    h->ended_at = sqlite3_column_int64(q, 12);
    sq_col_text(h->held_by, sizeof h->held_by, q, 13);
    sq_col_text(h->ended_by, sizeof h->ended_by, q, 14);
    sq_col_text(h->note, sizeof h->note, q, 15);
    sq_col_text(h->barcode, sizeof h->barcode, q, 16);
    sq_col_text(h->round_name, sizeof h->round_name, q, 17);
    sq_col_text(h->site_name, sizeof h->site_name, q, 18);
    sq_col_text(h->person_name, sizeof h->person_name, q, 19);
    sq_col_text(h->id_number, sizeof h->id_number, q, 20);
    sq_col_text(h->result, sizeof h->result, q, 21);
    sq_col_text(h->ended_result, sizeof h->ended_result, q, 22);
    h->size = sqlite3_column_int(q, 23);
}

static void hold_where_id(strbuf *w, sq_binds *b, const char *col, int64_t v)
{
    if (!v)
        return;
    sb_appendf(w, " AND %s = ?", col);
    sq_bind_add_int(b, v);
}

static int sq_hold_list(store *st, const hold_filter *f, hold_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    hold_where_id(&w, &b, "h.round_id", f->round_id);
    hold_where_id(&w, &b, "h.person_id", f->person_id);
    hold_where_id(&w, &b, "h.tube_id", f->tube_id);
    if (f->state) {
        sb_append(&w, " AND h.state = ?");
        sq_bind_add_text(&b, f->state);
    }
    sq_where_prefix(&w, &b, "h.area_code", f->area_prefix);
    sq_page_query q = {HOLD_COLS, HOLD_FROM, sb_str(&w), "h.id DESC", f->limit, f->offset,
                       hold_row, sizeof(hold_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static int sq_person_held(store *st, int64_t person_id, fk_err *err)
{
    sq_binds b = {0};
    int64_t n = 0;
    sq_bind_add_int(&b, person_id);
    if (sq_count(SQ(st), "SELECT count(*) FROM testing_holds WHERE person_id = ? AND state = "
                 "'held'", &b, &n, err) != 0)
        return -1;
    return n > 0;
}

const struct store_positive_ops sq_positive_ops = {
    .holds_open = sq_holds_open,
    .holds_release_corrected = sq_holds_release_corrected,
    .holds_release_negative = sq_holds_release_negative,
    .holds_close_leads = sq_holds_close_leads,
    .single_positives = sq_single_positives,
    .results_to_follow = sq_results_to_follow,
    .holds_confirm = sq_holds_confirm,
    .notices_for_results = sq_notices_for_results,
    .notice_insert = sq_notice_insert,
    .notice_list = sq_notice_list,
    .notice_get = sq_notice_get,
    .notice_ack = sq_notice_ack,
    .hold_list = sq_hold_list,
    .person_held = sq_person_held,
};
