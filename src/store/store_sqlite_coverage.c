/*
 * store_sqlite_coverage.c - the coverage section (store_coverage.h) on SQLite.
 *
 * Every read is built on one derived table, "classified": the counted persons of the
 * area, each with two 0/1 columns (tested, exempt), from persons LEFT JOIN the round's
 * members. It walks the persons_coverage index (0015) by community code range, so a
 * city-wide count is one index scan plus one probe of fk_members per person (a slot of
 * the round's chunks, store_sqlite_members.c, the chunks kept between probes); the
 * exemption is a CASE, so that its arms run only for persons not tested and the
 * isolation probe only when the rule is on (SQLite evaluates both sides of an AND or OR
 * that computes a value: written so, the isolation probe opened two cursors on
 * isolations for each of a city's 1,000,000 persons, a third of a coverage's
 * instructions).
 * Statements are prepared per call: they are built from the query's rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "store/store_sqlite_int.h"

/* Appends the classified derived table's SELECT and its binds. A tested person is not
 * exempt; an untested one is when under age or (the rule on) in an active isolation. */
static void classified(strbuf *sb, sq_binds *b, const coverage_query *q)
{
    sb_append(sb, "SELECT p.id AS pid, p.community_code AS cc, p.household_id AS hh, "
                  "(m.id IS NOT NULL) AS tested, CASE WHEN m.id IS NOT NULL THEN 0 "
                  "WHEN ? <> '' AND p.birth_date > ? THEN 1 WHEN ? AND EXISTS (SELECT 1 "
                  "FROM isolations i WHERE i.person_id = p.id AND i.started_at <= ? AND "
                  "(i.ended_at IS NULL OR i.ended_at > ?)) THEN 1 ELSE 0 END AS exempt "
                  "FROM persons p LEFT JOIN fk_members m ON m.round_id = ? AND "
                  "m.person_id = p.id WHERE p.resident_type IN (");
    sq_bind_add_text(b, q->born_after);
    sq_bind_add_text(b, q->born_after);
    sq_bind_add_int(b, q->exempt_isolation ? 1 : 0);
    sq_bind_add_int(b, q->now);
    sq_bind_add_int(b, q->now);
    sq_bind_add_int(b, q->round_id);
    for (size_t i = 0; i < q->ntypes; i++) {
        sb_append(sb, i ? ", ?" : "?");
        sq_bind_add_text(b, q->types[i]);
    }
    sb_append(sb, ")");
    if (!q->ntypes) /* nobody is counted: keep the SQL valid */
        sb_append(sb, " AND 0");
    sq_where_prefix(sb, b, "p.community_code", q->area);
}

/* The count columns every grouped read ends with (read back by counts_at). */
#define COUNT_COLS "count(*) AS n, sum(c.tested) AS t, sum(c.exempt) AS e"

static void counts_at(sqlite3_stmt *s, int col, coverage_counts *c)
{
    c->population = sqlite3_column_int64(s, col);
    c->tested = sqlite3_column_int64(s, col + 1);
    c->exempt = sqlite3_column_int64(s, col + 2);
    c->untested = c->population - c->tested - c->exempt;
    c->expected = c->tested + c->untested;
}

static void unit_row(sqlite3_stmt *s, void *item)
{
    coverage_unit *u = item;
    sq_col_text(u->code, sizeof u->code, s, 0);
    sq_col_text(u->name, sizeof u->name, s, 1);
    counts_at(s, 2, &u->c);
}

static int sq_coverage_units(store *st, const coverage_query *q, coverage_unit_list *out,
                             fk_err *err)
{
    strbuf sb = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    /* Counted per community first, in the index's order (no sort of the persons), then
     * summed per unit over the few hundred communities: 0.06 s instead of 0.10 s for a
     * district of 100,000 (bench/testing's city). */
    sb_appendf(&sb, "SELECT u.code, coalesce(a.name, ''), u.n, u.t, u.e FROM (SELECT "
                    "substr(g.cc, 1, %d) AS code, sum(g.n) AS n, sum(g.t) AS t, "
                    "sum(g.e) AS e FROM (SELECT c.cc, " COUNT_COLS " FROM (", q->unit_len);
    classified(&sb, &b, q);
    sb_append(&sb, ") c GROUP BY c.cc) g GROUP BY 1) u LEFT JOIN areas a ON a.code = u.code "
                   "ORDER BY u.code");
    int rc = sq_collect_sql(SQ(st), sb_str(&sb), &b, unit_row, sizeof *out->items,
                            (void **)&out->items, &out->n, err);
    sb_free(&sb);
    return rc;
}

/* ---- households ---------------------------------------------------------------------- */

static void household_row(sqlite3_stmt *s, void *item)
{
    coverage_household *h = item;
    h->household_id = sqlite3_column_int64(s, 0);
    sq_col_text(h->building, sizeof h->building, s, 1);
    sq_col_text(h->room, sizeof h->room, s, 2);
    sq_col_text(h->community_code, sizeof h->community_code, s, 3);
    counts_at(s, 4, &h->c);
}

static int households_total(struct sq_store *s, const coverage_query *q, int64_t *total,
                            fk_err *err)
{
    strbuf sb = STRBUF_INIT;
    sq_binds b = {0};
    sb_append(&sb, "SELECT count(DISTINCT coalesce(c.hh, 0)) FROM (");
    classified(&sb, &b, q);
    sb_append(&sb, ") c");
    int rc = sq_count(s, sb_str(&sb), &b, total, err);
    sb_free(&sb);
    return rc;
}

static int households_page(struct sq_store *s, const coverage_query *q,
                           coverage_household_list *out, fk_err *err)
{
    strbuf sb = STRBUF_INIT;
    sq_binds b = {0};
    /* Non-residents have no household: they form one row, household 0, last among ties. */
    sb_append(&sb, "SELECT g.hh, coalesce(bd.name, ''), coalesce(h.room, ''), "
                   "coalesce(h.community_code, g.cc), g.n, g.t, g.e FROM (SELECT "
                   "coalesce(c.hh, 0) AS hh, min(c.cc) AS cc, " COUNT_COLS " FROM (");
    classified(&sb, &b, q);
    sb_append(&sb, ") c GROUP BY 1) g LEFT JOIN households h ON h.id = g.hh LEFT JOIN "
                   "buildings bd ON bd.id = h.building_id ORDER BY g.n - g.t - g.e DESC, "
                   "g.hh = 0, g.hh LIMIT ? OFFSET ?");
    sq_bind_add_int(&b, sq_limit(q->limit));
    sq_bind_add_int(&b, sq_offset(q->offset));
    int rc = sq_collect_sql(s, sb_str(&sb), &b, household_row, sizeof *out->items,
                            (void **)&out->items, &out->n, err);
    sb_free(&sb);
    return rc;
}

static int sq_coverage_households(store *st, const coverage_query *q,
                                  coverage_household_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    int began = 0;
    memset(out, 0, sizeof *out);
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    int rc = households_total(s, q, &out->total, err) || households_page(s, q, out, err);
    sq_read_end(s, began);
    if (rc)
        coverage_household_list_free(out);
    return rc ? -1 : 0;
}

/* ---- untested persons ---------------------------------------------------------------- */

static void untested_row(sqlite3_stmt *s, void *item)
{
    untested_rec *u = item;
    u->person_id = sqlite3_column_int64(s, 0);
    sq_col_text(u->name, sizeof u->name, s, 1);
    sq_col_text(u->id_number, sizeof u->id_number, s, 2);
    sq_col_text(u->phone, sizeof u->phone, s, 3);
    sq_col_text(u->resident_type, sizeof u->resident_type, s, 4);
    sq_col_text(u->address, sizeof u->address, s, 5);
    u->household_id = sqlite3_column_int64(s, 6);
    sq_col_text(u->household, sizeof u->household, s, 7);
    sq_col_text(u->community_code, sizeof u->community_code, s, 8);
    u->home_flags = (unsigned)sqlite3_column_int64(s, 9);
    u->home_why = (unsigned)sqlite3_column_int64(s, 10);
}

/* The home-sampling reasons of persons p: the flags among the rule's, `sep`, the other
 * reasons as COVERAGE_HOME_* bits; sep ", " makes two columns, " | " one value that is 0
 * when nothing holds. Each arm is coalesced: a person without a household or a birth
 * date would otherwise make the whole value NULL (NULL IN a non-empty set is NULL). The zone and isolation sets are subqueries without a reference to
 * p: SQLite builds each once per statement, not once per person. */
static void home_reasons(strbuf *sb, sq_binds *b, const coverage_query *q, const char *sep)
{
    sb_appendf(sb, "(p.flags & ?)%s(coalesce(? <> '' AND p.birth_date > ?, 0) * %d) | ", sep,
               COVERAGE_HOME_INFANT);
    sq_bind_add_int(b, q->home_flags);
    sq_bind_add_text(b, q->home_born_after);
    sq_bind_add_text(b, q->home_born_after);
    sb_append(sb, "((p.id IN (SELECT zp.person_id FROM zone_persons zp WHERE zp.level IN (''");
    for (size_t i = 0; i < q->n_home_levels; i++) {
        sb_append(sb, ", ?");
        sq_bind_add_text(b, q->home_levels[i]);
    }
    sb_appendf(sb, "))) * %d) | (coalesce(? AND p.household_id IN (SELECT i.household_id "
                   "FROM isolations i WHERE i.kind = 'home_isolation' AND i.state = 'active' "
                   "AND i.started_at <= ? AND i.household_id IS NOT NULL), 0) * %d)",
               COVERAGE_HOME_ZONE, COVERAGE_HOME_ISOLATION);
    sq_bind_add_int(b, q->home_isolation ? 1 : 0);
    sq_bind_add_int(b, q->now);
}

/* FROM and WHERE of the untested: the classified rows neither tested nor exempt. */
static void untested_from(strbuf *sb, sq_binds *b, const coverage_query *q)
{
    sb_append(sb, " FROM (");
    classified(sb, b, q);
    sb_append(sb, ") c WHERE NOT c.tested AND NOT c.exempt");
    if (q->home_only) {
        sb_append(sb, " AND EXISTS (SELECT 1 FROM persons p WHERE p.id = c.pid AND (");
        home_reasons(sb, b, q, " | ");
        sb_append(sb, ") <> 0)");
    }
    if (q->household_id > 0) {
        sb_append(sb, " AND c.hh = ?");
        sq_bind_add_int(b, q->household_id);
    } else if (q->household_id < 0) {
        sb_append(sb, " AND c.hh IS NULL");
    }
}

static int untested_page(struct sq_store *s, const coverage_query *q, untested_list *out,
                         fk_err *err)
{
    strbuf sb = STRBUF_INIT;
    sq_binds b = {0};
    sb_append(&sb, "SELECT p.id, p.name, p.id_number, p.phone, p.resident_type, p.address, "
                   "coalesce(p.household_id, 0), coalesce(bd.name || ' ' || h.room, ''), "
                   "p.community_code, ");
    home_reasons(&sb, &b, q, ", ");
    sb_append(&sb, " FROM (SELECT c.pid");
    untested_from(&sb, &b, q);
    sb_append(&sb, ") x JOIN persons p ON p.id = x.pid LEFT JOIN households h ON h.id = "
                   "p.household_id LEFT JOIN buildings bd ON bd.id = h.building_id ORDER BY "
                   "p.community_code, p.household_id IS NULL, p.household_id, p.id LIMIT ? "
                   "OFFSET ?");
    sq_bind_add_int(&b, sq_limit(q->limit));
    sq_bind_add_int(&b, sq_offset(q->offset));
    int rc = sq_collect_sql(s, sb_str(&sb), &b, untested_row, sizeof *out->items,
                            (void **)&out->items, &out->n, err);
    sb_free(&sb);
    return rc;
}

static int sq_coverage_untested(store *st, const coverage_query *q, untested_list *out,
                                fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf sb = STRBUF_INIT;
    sq_binds b = {0};
    int began = 0;
    memset(out, 0, sizeof *out);
    sb_append(&sb, "SELECT count(*)");
    untested_from(&sb, &b, q);
    if (sq_read_begin(s, &began, err) != 0) {
        sb_free(&sb);
        return -1;
    }
    int rc = sq_count(s, sb_str(&sb), &b, &out->total, err) || untested_page(s, q, out, err);
    sq_read_end(s, began);
    sb_free(&sb);
    if (rc)
        untested_list_free(out);
    return rc ? -1 : 0;
}

const struct store_coverage_ops sq_coverage_ops = {
    .units = sq_coverage_units,
    .households = sq_coverage_households,
    .untested = sq_coverage_untested,
};
