/*
 * store_sqlite_travel.c - the traveler screening section (store_travel.h) on SQLite:
 * risk-area list versions, checkpoints, arrivals, itineraries, scans, matches. None of
 * these is hot (an arrival is one person), so every statement is prepared uncached
 * through the sq_*_sql helpers.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/* ---- risk-area lists ------------------------------------------------------------------ */

static int list_unit(struct sq_store *s, risk_list_rec *l, risk_area_rec *rows, size_t n,
                     const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, l->source);
    sq_bind_add_int(&b, l->imported_at);
    sq_bind_add_text(&b, l->imported_by);
    sq_bind_add_int(&b, (int64_t)n);
    sq_bind_add_text(&b, l->digest);
    if (sq_run_bound(s, "INSERT INTO risk_area_lists (source, imported_at, imported_by, "
                     "row_count, digest) VALUES (?,?,?,?,?)", &b, err) != 0)
        return -1;
    l->id = sqlite3_last_insert_rowid(s->db);
    l->row_count = (int64_t)n;
    for (size_t i = 0; i < n; i++) {
        risk_area_rec *r = &rows[i];
        sq_binds rb = {0};
        r->list_id = l->id;
        sq_bind_add_int(&rb, l->id);
        sq_bind_add_text(&rb, r->region_code);
        sq_bind_add_text(&rb, r->area_name);
        sq_bind_add_text(&rb, r->level);
        sq_bind_add_text(&rb, r->valid_from);
        sq_bind_add_text(&rb, r->valid_to[0] ? r->valid_to : NULL);
        if (sq_run_bound(s, "INSERT INTO risk_areas (list_id, region_code, area_name, level, "
                         "valid_from, valid_to) VALUES (?,?,?,?,?,?)", &rb, err) != 0)
            return -1;
        r->id = sqlite3_last_insert_rowid(s->db);
    }
    return sq_audit_write(s, a, l->id, err);
}

static int sq_risk_list_insert(store *st, risk_list_rec *l, risk_area_rec *rows, size_t n,
                               const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, list_unit(s, l, rows, n, a, err));
}

#define LIST_COLS "id, source, imported_at, imported_by, row_count, digest, " \
                  "id = (SELECT max(id) FROM risk_area_lists x WHERE x.source = l.source)"

static void list_fill(sqlite3_stmt *q, void *item)
{
    risk_list_rec *l = item;
    l->id = sqlite3_column_int64(q, 0);
    sq_col_text(l->source, sizeof l->source, q, 1);
    l->imported_at = sqlite3_column_int64(q, 2);
    sq_col_text(l->imported_by, sizeof l->imported_by, q, 3);
    l->row_count = sqlite3_column_int64(q, 4);
    sq_col_text(l->digest, sizeof l->digest, q, 5);
    l->current = sqlite3_column_int(q, 6);
}

static int sq_risk_lists(store *st, risk_list_list *out, fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    return sq_collect_sql(SQ(st), "SELECT " LIST_COLS " FROM risk_area_lists l ORDER BY id DESC",
                          &b, list_fill, sizeof *out->items, (void **)&out->items, &out->n, err);
}

#define AREA_COLS "id, list_id, region_code, area_name, level, valid_from, " \
                  "coalesce(valid_to, '')"

static void area_fill(sqlite3_stmt *q, void *item)
{
    risk_area_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    r->list_id = sqlite3_column_int64(q, 1);
    sq_col_text(r->region_code, sizeof r->region_code, q, 2);
    sq_col_text(r->area_name, sizeof r->area_name, q, 3);
    sq_col_text(r->level, sizeof r->level, q, 4);
    sq_col_text(r->valid_from, sizeof r->valid_from, q, 5);
    sq_col_text(r->valid_to, sizeof r->valid_to, q, 6);
}

static int sq_risk_list_get(store *st, int64_t id, risk_list_rec *out, risk_area_list *rows,
                            fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    if (rows)
        memset(rows, 0, sizeof *rows);
    sq_bind_add_int(&b, id);
    int found = sq_one_sql(s, "SELECT " LIST_COLS " FROM risk_area_lists l WHERE id = ?", &b,
                           list_fill, sizeof *out, out, err);
    if (found < 0)
        return -1;
    if (!found)
        return fk_fail(err, FK_ENOTFOUND, "id", "no risk-area list %lld", (long long)id);
    if (!rows)
        return 0;
    return sq_collect_sql(s, "SELECT " AREA_COLS " FROM risk_areas WHERE list_id = ? ORDER BY id",
                          &b, area_fill, sizeof *rows->items, (void **)&rows->items, &rows->n,
                          err);
}

static int sq_risk_areas_current(store *st, risk_area_list *out, fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    return sq_collect_sql(SQ(st), "SELECT " AREA_COLS " FROM risk_areas WHERE list_id IN "
                          "(SELECT max(id) FROM risk_area_lists GROUP BY source) ORDER BY id",
                          &b, area_fill, sizeof *out->items, (void **)&out->items, &out->n, err);
}

/* ---- checkpoints ---------------------------------------------------------------------- */

static int checkpoint_unit(struct sq_store *s, checkpoint_rec *c, const audit_rec *a,
                           fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, c->name);
    sq_bind_add_text(&b, c->kind);
    sq_bind_add_text(&b, c->area_code);
    sq_bind_add_int(&b, c->created_at);
    sq_bind_add_text(&b, c->created_by);
    if (sq_run_bound(s, "INSERT INTO checkpoints (name, kind, area_code, created_at, created_by) "
                     "VALUES (?,?,?,?,?)", &b, err) != 0)
        return -1;
    c->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, c->id, err);
}

static int sq_checkpoint_insert(store *st, checkpoint_rec *c, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, checkpoint_unit(s, c, a, err));
}

#define CP_COLS "id, name, kind, area_code, created_at, created_by"

static void checkpoint_fill(sqlite3_stmt *q, void *item)
{
    checkpoint_rec *c = item;
    c->id = sqlite3_column_int64(q, 0);
    sq_col_text(c->name, sizeof c->name, q, 1);
    sq_col_text(c->kind, sizeof c->kind, q, 2);
    sq_col_text(c->area_code, sizeof c->area_code, q, 3);
    c->created_at = sqlite3_column_int64(q, 4);
    sq_col_text(c->created_by, sizeof c->created_by, q, 5);
}

static int sq_checkpoint_get(store *st, int64_t id, checkpoint_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found = sq_one_sql(SQ(st), "SELECT " CP_COLS " FROM checkpoints WHERE id = ?", &b,
                           checkpoint_fill, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0 : fk_fail(err, FK_ENOTFOUND, "id", "no checkpoint %lld", (long long)id);
}

static int sq_checkpoint_list(store *st, const char *area_prefix, checkpoint_list *out,
                              fk_err *err)
{
    sq_binds b = {0};
    strbuf w = STRBUF_INIT;
    memset(out, 0, sizeof *out);
    sb_append(&w, "SELECT " CP_COLS " FROM checkpoints WHERE 1");
    if (area_prefix && area_prefix[0])
        sq_where_prefix(&w, &b, "area_code", area_prefix);
    sb_append(&w, " ORDER BY id");
    int rc = sq_collect_sql(SQ(st), sb_str(&w), &b, checkpoint_fill, sizeof *out->items,
                            (void **)&out->items, &out->n, err);
    sb_free(&w);
    return rc;
}

/* ---- arrivals ------------------------------------------------------------------------- */

static int arrival_unit(struct sq_store *s, arrival_rec *r, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, r->person_id);
    sq_bind_add_int(&b, r->arrived_at);
    sq_bind_add_text(&b, r->place_kind);
    sq_bind_add_text(&b, r->place);
    if (r->checkpoint_id)
        sq_bind_add_int(&b, r->checkpoint_id);
    else
        sq_bind_add_text(&b, NULL);
    sq_bind_add_text(&b, r->from_region);
    sq_bind_add_text(&b, r->from_area);
    sq_bind_add_text(&b, r->community_code);
    sq_bind_add_text(&b, r->source);
    sq_bind_add_text(&b, r->registered_by);
    sq_bind_add_int(&b, r->registered_at);
    if (sq_run_bound(s, "INSERT INTO arrivals (person_id, arrived_at, place_kind, place, "
                     "checkpoint_id, from_region, from_area, community_code, source, "
                     "registered_by, registered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", &b,
                     err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, r->id, err);
}

static int sq_arrival_insert(store *st, arrival_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, arrival_unit(s, r, a, err));
}

/* The strictest match of the arrival (high first), and its lead. */
#define ARR_FROM \
    "arrivals a JOIN persons p ON p.id = a.person_id" \
    " LEFT JOIN traveler_matches m ON m.id = (SELECT x.id FROM traveler_matches x" \
    "   WHERE x.arrival_id = a.id ORDER BY CASE x.level WHEN 'high' THEN 0" \
    "   WHEN 'medium' THEN 1 ELSE 2 END LIMIT 1)" \
    " LEFT JOIN leads l ON l.id = m.lead_id"
#define ARR_COLS \
    "a.id, a.person_id, a.arrived_at, a.place_kind, a.place, coalesce(a.checkpoint_id, 0), " \
    "a.from_region, a.from_area, a.community_code, a.source, a.registered_by, " \
    "a.registered_at, p.name, p.id_number, coalesce(m.level, ''), coalesce(m.measure, ''), " \
    "coalesce(m.lead_id, 0), coalesce(l.state, '')"

static void arrival_fill(sqlite3_stmt *q, void *item)
{
    arrival_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    r->person_id = sqlite3_column_int64(q, 1);
    r->arrived_at = sqlite3_column_int64(q, 2);
    sq_col_text(r->place_kind, sizeof r->place_kind, q, 3);
    sq_col_text(r->place, sizeof r->place, q, 4);
    r->checkpoint_id = sqlite3_column_int64(q, 5);
    sq_col_text(r->from_region, sizeof r->from_region, q, 6);
    sq_col_text(r->from_area, sizeof r->from_area, q, 7);
    sq_col_text(r->community_code, sizeof r->community_code, q, 8);
    sq_col_text(r->source, sizeof r->source, q, 9);
    sq_col_text(r->registered_by, sizeof r->registered_by, q, 10);
    r->registered_at = sqlite3_column_int64(q, 11);
    sq_col_text(r->person_name, sizeof r->person_name, q, 12);
    sq_col_text(r->id_number, sizeof r->id_number, q, 13);
    sq_col_text(r->level, sizeof r->level, q, 14);
    sq_col_text(r->measure, sizeof r->measure, q, 15);
    r->lead_id = sqlite3_column_int64(q, 16);
    sq_col_text(r->lead_state, sizeof r->lead_state, q, 17);
}

static int sq_arrival_get(store *st, int64_t id, arrival_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found = sq_one_sql(SQ(st), "SELECT " ARR_COLS " FROM " ARR_FROM " WHERE a.id = ?", &b,
                           arrival_fill, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0 : fk_fail(err, FK_ENOTFOUND, "id", "no arrival %lld", (long long)id);
}

static int sq_arrival_list(store *st, const arrival_filter *f, arrival_list *out, fk_err *err)
{
    sq_binds b = {0};
    strbuf w = STRBUF_INIT;
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    if (f->area_prefix && f->area_prefix[0])
        sq_where_prefix(&w, &b, "a.community_code", f->area_prefix);
    if (f->since) {
        sb_append(&w, " AND a.arrived_at >= ?");
        sq_bind_add_int(&b, f->since);
    }
    if (f->matched)
        sb_append(&w, " AND m.id IS NOT NULL");
    sq_page_query q = {ARR_COLS, ARR_FROM, sb_str(&w), "a.arrived_at DESC, a.id DESC", f->limit,
                       f->offset, arrival_fill, sizeof *out->items};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static void id_fill(sqlite3_stmt *q, void *item)
{
    *(int64_t *)item = sqlite3_column_int64(q, 0);
}

static int sq_arrival_ids_since(store *st, int64_t since, int64_t **ids, size_t *n, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, since);
    return sq_collect_sql(SQ(st), "SELECT id FROM arrivals WHERE arrived_at >= ? ORDER BY id",
                          &b, id_fill, sizeof **ids, (void **)ids, n, err);
}

static int sq_arrival_ids_of_person(store *st, int64_t person_id, int64_t since, int64_t **ids,
                                    size_t *n, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, person_id);
    sq_bind_add_int(&b, since);
    return sq_collect_sql(SQ(st), "SELECT id FROM arrivals WHERE person_id = ? AND "
                          "arrived_at >= ? ORDER BY id", &b, id_fill, sizeof **ids,
                          (void **)ids, n, err);
}

/* ---- itineraries and scans -------------------------------------------------------------- */

static int itinerary_unit(struct sq_store *s, itinerary_rec *r, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, r->person_id);
    sq_bind_add_text(&b, r->region_code);
    sq_bind_add_text(&b, r->area_name);
    sq_bind_add_int(&b, r->stay_from);
    sq_bind_add_int(&b, r->stay_to);
    sq_bind_add_text(&b, r->source);
    sq_bind_add_text(&b, r->recorded_by);
    sq_bind_add_int(&b, r->recorded_at);
    if (sq_run_bound(s, "INSERT INTO itineraries (person_id, region_code, area_name, stay_from, "
                     "stay_to, source, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?)", &b,
                     err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, r->id, err);
}

static int sq_itinerary_insert(store *st, itinerary_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, itinerary_unit(s, r, a, err));
}

static void itinerary_fill(sqlite3_stmt *q, void *item)
{
    itinerary_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    r->person_id = sqlite3_column_int64(q, 1);
    sq_col_text(r->region_code, sizeof r->region_code, q, 2);
    sq_col_text(r->area_name, sizeof r->area_name, q, 3);
    r->stay_from = sqlite3_column_int64(q, 4);
    r->stay_to = sqlite3_column_int64(q, 5);
    sq_col_text(r->source, sizeof r->source, q, 6);
    sq_col_text(r->recorded_by, sizeof r->recorded_by, q, 7);
    r->recorded_at = sqlite3_column_int64(q, 8);
}

static int sq_itineraries_of(store *st, int64_t person_id, int64_t since, itinerary_list *out,
                             fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, person_id);
    sq_bind_add_int(&b, since);
    return sq_collect_sql(SQ(st), "SELECT id, person_id, region_code, area_name, stay_from, "
                          "stay_to, source, recorded_by, recorded_at FROM itineraries WHERE "
                          "person_id = ? AND stay_to >= ? ORDER BY id", &b, itinerary_fill,
                          sizeof *out->items, (void **)&out->items, &out->n, err);
}

static void journey_fill(sqlite3_stmt *q, void *item)
{
    journey_rec *t = item;
    sq_col_text(t->kind, sizeof t->kind, q, 0);
    sq_col_text(t->region_code, sizeof t->region_code, q, 1);
    sq_col_text(t->area_name, sizeof t->area_name, q, 2);
    t->at = sqlite3_column_int64(q, 3);
    sq_col_text(t->level, sizeof t->level, q, 4);
}

/* The strictest matched level of the arrival or itinerary row named by `col` = `id`. */
#define JOURNEY_LEVEL(col, id)                                                              \
    "coalesce((SELECT m.level FROM traveler_matches m WHERE m." col " = " id " ORDER BY "   \
    "CASE m.level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END LIMIT 1), '')"

static int sq_person_journeys(store *st, int64_t person_id, int64_t since, journey_list *out,
                              fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, person_id);
    sq_bind_add_int(&b, since);
    sq_bind_add_int(&b, JOURNEY_MAX);
    /* an arrival's own level is the match on its from region (no itinerary) */
    return sq_collect_sql(SQ(st),
                          "SELECT 'arrival', a.from_region, a.from_area, a.arrived_at, "
                          JOURNEY_LEVEL("arrival_id", "a.id AND m.itinerary_id IS NULL")
                          " FROM arrivals a WHERE a.person_id = ?1 AND a.arrived_at >= ?2 "
                          "UNION ALL SELECT 'itinerary', i.region_code, i.area_name, i.stay_to, "
                          JOURNEY_LEVEL("itinerary_id", "i.id")
                          " FROM itineraries i WHERE i.person_id = ?1 AND i.stay_to >= ?2 "
                          "ORDER BY 4 DESC LIMIT ?3",
                          &b, journey_fill, sizeof *out->items, (void **)&out->items, &out->n,
                          err);
}

static int scan_unit(struct sq_store *s, scan_rec *r, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, r->checkpoint_id);
    sq_bind_add_int(&b, r->person_id);
    sq_bind_add_int(&b, r->at);
    sq_bind_add_text(&b, r->direction);
    sq_bind_add_text(&b, r->from_region);
    if (r->arrival_id)
        sq_bind_add_int(&b, r->arrival_id);
    else
        sq_bind_add_text(&b, NULL);
    sq_bind_add_text(&b, r->scanned_by);
    if (sq_run_bound(s, "INSERT INTO checkpoint_scans (checkpoint_id, person_id, at, direction, "
                     "from_region, arrival_id, scanned_by) VALUES (?,?,?,?,?,?,?)", &b,
                     err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, r->id, err);
}

static int sq_scan_insert(store *st, scan_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, scan_unit(s, r, a, err));
}

/* ---- matches ------------------------------------------------------------------------------ */

static int sq_match_insert(store *st, match_rec *m, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    sq_bind_add_int(&b, m->arrival_id);
    sq_bind_add_int(&b, m->person_id);
    if (m->risk_area_id)
        sq_bind_add_int(&b, m->risk_area_id);
    else
        sq_bind_add_text(&b, NULL);
    sq_bind_add_text(&b, m->level);
    sq_bind_add_text(&b, m->cohort);
    sq_bind_add_text(&b, m->region_code);
    sq_bind_add_text(&b, m->area_name);
    if (m->itinerary_id)
        sq_bind_add_int(&b, m->itinerary_id);
    else
        sq_bind_add_text(&b, NULL);
    sq_bind_add_text(&b, m->measure);
    sq_bind_add_text(&b, m->test_days);
    sq_bind_add_int(&b, m->lead_id);
    sq_bind_add_int(&b, m->matched_at);
    if (sq_run_bound(s, "INSERT INTO traveler_matches (arrival_id, person_id, risk_area_id, "
                     "level, cohort, region_code, area_name, itinerary_id, measure, test_days, "
                     "lead_id, matched_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", &b, err) != 0)
        return -1;
    m->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int sq_match_levels(store *st, int64_t arrival_id, unsigned *mask, fk_err *err)
{
    sq_binds b = {0};
    int64_t v = 0;
    sq_bind_add_int(&b, arrival_id);
    if (sq_count(SQ(st), "SELECT coalesce(sum(DISTINCT CASE level WHEN 'high' THEN 1 "
                 "WHEN 'medium' THEN 2 ELSE 4 END), 0) FROM traveler_matches WHERE "
                 "arrival_id = ?", &b, &v, err) != 0)
        return -1;
    *mask = (unsigned)v;
    return 0;
}

static void match_fill(sqlite3_stmt *q, void *item)
{
    match_rec *m = item;
    m->id = sqlite3_column_int64(q, 0);
    m->arrival_id = sqlite3_column_int64(q, 1);
    m->person_id = sqlite3_column_int64(q, 2);
    m->risk_area_id = sqlite3_column_int64(q, 3);
    sq_col_text(m->level, sizeof m->level, q, 4);
    sq_col_text(m->cohort, sizeof m->cohort, q, 5);
    sq_col_text(m->region_code, sizeof m->region_code, q, 6);
    sq_col_text(m->area_name, sizeof m->area_name, q, 7);
    m->itinerary_id = sqlite3_column_int64(q, 8);
    sq_col_text(m->measure, sizeof m->measure, q, 9);
    sq_col_text(m->test_days, sizeof m->test_days, q, 10);
    m->lead_id = sqlite3_column_int64(q, 11);
    m->matched_at = sqlite3_column_int64(q, 12);
}

static int sq_matches_of_arrival(store *st, int64_t arrival_id, match_rec **out, size_t *n,
                                 fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, arrival_id);
    return sq_collect_sql(SQ(st), "SELECT id, arrival_id, person_id, coalesce(risk_area_id, 0), "
                          "level, cohort, region_code, area_name, coalesce(itinerary_id, 0), "
                          "measure, test_days, lead_id, matched_at FROM traveler_matches WHERE "
                          "arrival_id = ? ORDER BY CASE level WHEN 'high' THEN 0 WHEN 'medium' "
                          "THEN 1 ELSE 2 END", &b, match_fill, sizeof **out, (void **)out, n,
                          err);
}

const struct store_travel_ops sq_travel_ops = {
    .risk_list_insert = sq_risk_list_insert,
    .risk_lists = sq_risk_lists,
    .risk_list_get = sq_risk_list_get,
    .risk_areas_current = sq_risk_areas_current,
    .checkpoint_insert = sq_checkpoint_insert,
    .checkpoint_get = sq_checkpoint_get,
    .checkpoint_list = sq_checkpoint_list,
    .arrival_insert = sq_arrival_insert,
    .arrival_get = sq_arrival_get,
    .arrival_list = sq_arrival_list,
    .arrival_ids_since = sq_arrival_ids_since,
    .arrival_ids_of_person = sq_arrival_ids_of_person,
    .itinerary_insert = sq_itinerary_insert,
    .itineraries_of = sq_itineraries_of,
    .scan_insert = sq_scan_insert,
    .person_journeys = sq_person_journeys,
    .match_insert = sq_match_insert,
    .match_levels = sq_match_levels,
    .matches_of_arrival = sq_matches_of_arrival,
};
