/*
 * store_sqlite_zones.c - the zones section (store_zones.h) on SQLite (migration 0018).
 *
 * Every write here is one statement joining the caller's unit (the service opens it);
 * the schema refuses what must never happen (a second live zone at a unit, a status
 * going back, an event edited). Reads walk the indexes of 0018 and 0001: a zone's
 * residents from buildings_grid / households_building / persons_household or
 * persons_community, never a scan of persons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "store/store_sqlite_int.h"

#define ZONE_COLS                                                                          \
    "z.id, z.scheme, z.level, z.origin_level, ifnull(z.pending_level, ''), z.steps, "     \
    "z.unit_kind, ifnull(z.building_id, 0), z.area_code, z.name, z.status, z.rule, "       \
    "z.policy_version, z.start_date, z.last_case_date, ifnull(z.last_step_date, ''), "     \
    "ifnull(z.may_downgrade_date, ''), ifnull(z.may_downgrade_to, ''), "                   \
    "ifnull(z.may_lift_date, ''), z.flags, z.created_at, ifnull(z.published_at, 0), "      \
    "ifnull(z.lifted_at, 0), z.updated_at, z.created_by, ifnull(z.published_by, ''), "     \
    "ifnull(z.lifted_by, ''), ifnull(a.name, ''), "                                        \
    "(SELECT count(*) FROM zone_cases c WHERE c.zone_id = z.id)"
#define ZONE_FROM " zones z LEFT JOIN areas a ON a.code = z.area_code"

static void zone_row(sqlite3_stmt *q, void *item)
{
    zone_rec *z = item;
    int c = 0;
    memset(z, 0, sizeof *z);
    z->id = sqlite3_column_int64(q, c++);
    sq_col_text(z->scheme, sizeof z->scheme, q, c++);
    sq_col_text(z->level, sizeof z->level, q, c++);
    sq_col_text(z->origin_level, sizeof z->origin_level, q, c++);
    sq_col_text(z->pending_level, sizeof z->pending_level, q, c++);
    z->steps = sqlite3_column_int(q, c++);
    sq_col_text(z->unit_kind, sizeof z->unit_kind, q, c++);
    z->building_id = sqlite3_column_int64(q, c++);
    sq_col_text(z->area_code, sizeof z->area_code, q, c++);
    sq_col_text(z->name, sizeof z->name, q, c++);
    sq_col_text(z->status, sizeof z->status, q, c++);
    sq_col_text(z->rule, sizeof z->rule, q, c++);
    sq_col_text(z->policy_version, sizeof z->policy_version, q, c++);
    sq_col_text(z->start_date, sizeof z->start_date, q, c++);
    sq_col_text(z->last_case_date, sizeof z->last_case_date, q, c++);
    sq_col_text(z->last_step_date, sizeof z->last_step_date, q, c++);
    sq_col_text(z->may_downgrade_date, sizeof z->may_downgrade_date, q, c++);
    sq_col_text(z->may_downgrade_to, sizeof z->may_downgrade_to, q, c++);
    sq_col_text(z->may_lift_date, sizeof z->may_lift_date, q, c++);
    z->flags = sqlite3_column_int(q, c++);
    z->created_at = sqlite3_column_int64(q, c++);
    z->published_at = sqlite3_column_int64(q, c++);
    z->lifted_at = sqlite3_column_int64(q, c++);
    z->updated_at = sqlite3_column_int64(q, c++);
    sq_col_text(z->created_by, sizeof z->created_by, q, c++);
    sq_col_text(z->published_by, sizeof z->published_by, q, c++);
    sq_col_text(z->lifted_by, sizeof z->lifted_by, q, c++);
    sq_col_text(z->area_name, sizeof z->area_name, q, c++);
    z->n_cases = sqlite3_column_int64(q, c++);
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

static int sq_zone_live_at(store *st, const char *unit_kind, const char *area_code,
                           int64_t building_id, zone_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, unit_kind);
    sq_bind_add_text(&b, area_code);
    sq_bind_add_int(&b, building_id);
    return sq_one_sql(SQ(st), "SELECT " ZONE_COLS " FROM" ZONE_FROM " WHERE z.unit_kind = ? "
                      "AND z.area_code = ? AND ifnull(z.building_id, 0) = ? "
                      "AND z.status IN ('proposed', 'published')", &b, zone_row, sizeof *out,
                      out, err);
}

/* The mutable columns in the order of the UPDATE and the INSERT below. */
static void zone_binds(sq_binds *b, const zone_rec *z)
{
    sq_bind_add_text(b, z->level);
    sq_bind_add_text(b, z->origin_level);
    sq_bind_add_int(b, z->steps);
    sq_bind_add_text(b, or_null(z->pending_level));
    sq_bind_add_text(b, z->unit_kind);
    sq_bind_add_text(b, z->area_code);
    sq_bind_add_text(b, z->name);
    sq_bind_add_text(b, z->status);
    sq_bind_add_text(b, z->start_date);
    sq_bind_add_text(b, z->last_case_date);
    sq_bind_add_text(b, or_null(z->last_step_date));
    sq_bind_add_text(b, or_null(z->may_downgrade_date));
    sq_bind_add_text(b, or_null(z->may_downgrade_to));
    sq_bind_add_text(b, or_null(z->may_lift_date));
    sq_bind_add_int(b, z->flags);
    sq_bind_add_int(b, z->updated_at);
}

static int sq_zone_insert(store *st, zone_rec *z, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    zone_binds(&b, z);
    sq_bind_add_text(&b, z->scheme);
    sq_bind_add_text(&b, z->rule);
    sq_bind_add_text(&b, z->policy_version);
    sq_bind_add_int(&b, z->created_at);
    sq_bind_add_text(&b, z->created_by);
    if (z->building_id)
        sq_bind_add_int(&b, z->building_id);
    else
        sq_bind_add_text(&b, NULL);
    if (sq_run_bound(s, "INSERT INTO zones (level, origin_level, steps, pending_level, "
                     "unit_kind, area_code, name, status, start_date, last_case_date, "
                     "last_step_date, may_downgrade_date, may_downgrade_to, may_lift_date, "
                     "flags, updated_at, scheme, rule, policy_version, created_at, created_by, "
                     "building_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &b,
                     err) != 0)
        return err->code == FK_ECONFLICT
                   ? fk_fail(err, FK_ECONFLICT, "unit", "unit: %s %s has a live zone already",
                             z->unit_kind, z->area_code)
                   : -1;
    z->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int sq_zone_update(store *st, const zone_rec *z, fk_err *err)
{
    sq_binds b = {0};
    zone_binds(&b, z);
    if (z->building_id)
        sq_bind_add_int(&b, z->building_id);
    else
        sq_bind_add_text(&b, NULL);
    sq_bind_add_int(&b, z->published_at);
    sq_bind_add_text(&b, or_null(z->published_by));
    sq_bind_add_int(&b, z->lifted_at);
    sq_bind_add_text(&b, or_null(z->lifted_by));
    sq_bind_add_int(&b, z->id);
    if (sq_run_bound(SQ(st), "UPDATE zones SET level = ?, origin_level = ?, steps = ?, "
                     "pending_level = ?, unit_kind = ?, area_code = ?, name = ?, status = ?, "
                     "start_date = ?, last_case_date = ?, last_step_date = ?, "
                     "may_downgrade_date = ?, may_downgrade_to = ?, may_lift_date = ?, "
                     "flags = ?, updated_at = ?, building_id = ?, "
                     "published_at = nullif(?, 0), published_by = ?, "
                     "lifted_at = nullif(?, 0), lifted_by = ? WHERE id = ?", &b, err) != 0)
        return err->code == FK_ECONFLICT
                   ? fk_fail(err, FK_ECONFLICT, "unit", "unit: the schema refused the change "
                             "(a live zone at that unit, or a status that cannot follow)")
                   : -1;
    return 0;
}

static int sq_zone_get(store *st, int64_t id, zone_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int rc = sq_one_sql(SQ(st), "SELECT " ZONE_COLS " FROM" ZONE_FROM " WHERE z.id = ?", &b,
                        zone_row, sizeof *out, out, err);
    if (rc == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "no zone %lld", (long long)id);
    return rc < 0 ? -1 : 0;
}

static int sq_zone_list(store *st, const zone_filter *f, zone_list *out, fk_err *err)
{
    strbuf w = {0};
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    if (sq_given(f->status)) {
        sb_append(&w, " AND z.status = ?");
        sq_bind_add_text(&b, f->status);
    }
    if (sq_given(f->level)) {
        sb_append(&w, " AND z.level = ?");
        sq_bind_add_text(&b, f->level);
    }
    if (f->published_ever)
        sb_append(&w, " AND z.published_at IS NOT NULL");
    if (f->case_id) {
        sb_append(&w, " AND z.id IN (SELECT zone_id FROM zone_cases WHERE case_id = ?)");
        sq_bind_add_int(&b, f->case_id);
    }
    sq_where_prefix(&w, &b, "z.area_code", f->area_prefix);
    sq_page_query q = {.columns = ZONE_COLS, .from = ZONE_FROM, .where = sb_str(&w),
                       .order = f->published_ever ? "z.published_at DESC, z.id DESC"
                                                  : "z.id DESC",
                       .limit = f->limit, .offset = f->offset, .row = zone_row,
                       .size = sizeof(zone_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static int sq_zone_case_add(store *st, int64_t zone_id, int64_t case_id, const char *rule,
                            int64_t at, int *added, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, zone_id);
    sq_bind_add_int(&b, case_id);
    sq_bind_add_text(&b, rule);
    sq_bind_add_int(&b, at);
    if (sq_run_bound(SQ(st), "INSERT OR IGNORE INTO zone_cases (zone_id, case_id, rule, "
                     "added_at) VALUES (?,?,?,?)", &b, err) != 0)
        return -1;
    *added = sqlite3_changes(SQ(st)->db) > 0;
    return 0;
}

static void case_row(sqlite3_stmt *q, void *item)
{
    zone_case *c = item;
    memset(c, 0, sizeof *c);
    c->case_id = sqlite3_column_int64(q, 0);
    c->case_number = sqlite3_column_int64(q, 1);
    sq_col_text(c->rule, sizeof c->rule, q, 2);
    c->added_at = sqlite3_column_int64(q, 3);
}

static int sq_zone_cases(store *st, int64_t zone_id, zone_case_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, zone_id);
    memset(out, 0, sizeof *out);
    return sq_collect_sql(SQ(st), "SELECT zc.case_id, c.number, zc.rule, zc.added_at "
                          "FROM zone_cases zc JOIN cases c ON c.id = zc.case_id "
                          "WHERE zc.zone_id = ? ORDER BY zc.added_at, zc.case_id", &b,
                          case_row, sizeof(zone_case), (void **)&out->items, &out->n, err);
}

static int sq_zone_event_add(store *st, zone_event *e, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, e->zone_id);
    sq_bind_add_int(&b, e->at);
    sq_bind_add_text(&b, e->actor);
    sq_bind_add_text(&b, e->kind);
    sq_bind_add_text(&b, e->from_level);
    sq_bind_add_text(&b, e->to_level);
    sq_bind_add_int(&b, e->forced);
    sq_bind_add_text(&b, e->note);
    if (sq_run_bound(SQ(st), "INSERT INTO zone_events (zone_id, at, actor, kind, from_level, "
                     "to_level, forced, note) VALUES (?,?,?,?,?,?,?,?)", &b, err) != 0)
        return -1;
    e->id = sqlite3_last_insert_rowid(SQ(st)->db);
    return 0;
}

static void event_row(sqlite3_stmt *q, void *item)
{
    zone_event *e = item;
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(q, 0);
    e->zone_id = sqlite3_column_int64(q, 1);
    e->at = sqlite3_column_int64(q, 2);
    sq_col_text(e->actor, sizeof e->actor, q, 3);
    sq_col_text(e->kind, sizeof e->kind, q, 4);
    sq_col_text(e->from_level, sizeof e->from_level, q, 5);
    sq_col_text(e->to_level, sizeof e->to_level, q, 6);
    e->forced = sqlite3_column_int(q, 7);
    sq_col_text(e->note, sizeof e->note, q, 8);
}

static int sq_zone_events(store *st, int64_t zone_id, zone_event_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, zone_id);
    memset(out, 0, sizeof *out);
    return sq_collect_sql(SQ(st), "SELECT id, zone_id, at, actor, kind, from_level, to_level, "
                          "forced, note FROM zone_events WHERE zone_id = ? ORDER BY id", &b,
                          event_row, sizeof(zone_event), (void **)&out->items, &out->n, err);
}

/* The residents of a zone's unit whatever its status: zone_persons' three branches. */
#define ZONE_RESIDENTS                                                                      \
    "SELECT p.id FROM zones z JOIN households h ON h.building_id = z.building_id "           \
    "JOIN persons p ON p.household_id = h.id WHERE z.id = ?1 AND z.unit_kind = 'building' "  \
    "UNION ALL SELECT p.id FROM zones z JOIN buildings b ON b.grid_code >= z.area_code "     \
    "AND b.grid_code < z.area_code || '~' JOIN households h ON h.building_id = b.id "        \
    "JOIN persons p ON p.household_id = h.id WHERE z.id = ?1 AND z.unit_kind <> 'building' " \
    "UNION ALL SELECT p.id FROM zones z JOIN persons p ON p.community_code >= z.area_code "   \
    "AND p.community_code < z.area_code || '~' WHERE z.id = ?1 "                             \
    "AND z.unit_kind IN ('community', 'street', 'district') AND p.household_id IS NULL"

static int sq_zone_residents(store *st, int64_t zone_id, int64_t *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, zone_id);
    return sq_count(SQ(st), "SELECT count(*) FROM (" ZONE_RESIDENTS ")", &b, out, err);
}

static void id_row(sqlite3_stmt *q, void *item)
{
    *(int64_t *)item = sqlite3_column_int64(q, 0);
}

static int sq_zone_person_ids(store *st, int64_t zone_id, int64_t **ids, size_t *n,
                              fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, zone_id);
    *ids = NULL;
    *n = 0;
    return sq_collect_sql(SQ(st), "SELECT person_id FROM zone_persons WHERE zone_id = ? "
                          "ORDER BY person_id", &b, id_row, sizeof(int64_t), (void **)ids, n,
                          err);
}

static void place_row(sqlite3_stmt *q, void *item)
{
    zone_place *p = item;
    memset(p, 0, sizeof *p);
    sq_col_text(p->kind, sizeof p->kind, q, 0);
    p->building_id = sqlite3_column_int64(q, 1);
    sq_col_text(p->grid_code, sizeof p->grid_code, q, 2);
    sq_col_text(p->community_code, sizeof p->community_code, q, 3);
    sq_col_text(p->name, sizeof p->name, q, 4);
}

#define ZONE_RESIDENCE                                                                      \
    "SELECT 'residence', ifnull(b.id, 0), ifnull(b.grid_code, ''), p.community_code, "      \
    "ifnull(b.name, '') FROM cases c JOIN persons p ON p.id = c.person_id "                  \
    "LEFT JOIN households h ON h.id = p.household_id "                                       \
    "LEFT JOIN buildings b ON b.id = h.building_id WHERE c.id = ?1"

static int sq_zone_case_places(store *st, int64_t case_id, int64_t from, int64_t to,
                               zone_place_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, case_id);
    memset(out, 0, sizeof *out);
    if (from >= to)
        return sq_collect_sql(SQ(st), ZONE_RESIDENCE, &b, place_row, sizeof(zone_place),
                              (void **)&out->items, &out->n, err);
    sq_bind_add_int(&b, from);
    sq_bind_add_int(&b, to);
    return sq_collect_sql(
        SQ(st),
        ZONE_RESIDENCE " UNION ALL SELECT * FROM (SELECT DISTINCT 'venue', 0, v.grid_code, '', "
        "v.name FROM cases c JOIN persons p ON p.id = c.person_id "
        "JOIN stays s ON s.subject IN (CAST(p.id AS TEXT), p.id_number, p.phone) "
        "JOIN venues v ON v.code = s.place "
        "WHERE c.id = ?1 AND s.start < ?3 AND s.\"end\" > ?2 ORDER BY v.grid_code)",
        &b, place_row, sizeof(zone_place), (void **)&out->items, &out->n, err);
}

static int sq_zones_holding_case(store *st, int64_t case_id, int64_t *ids, size_t cap,
                                 size_t *n, fk_err *err)
{
    sq_binds b = {0};
    int64_t *all = NULL;
    size_t got = 0;
    sq_bind_add_int(&b, case_id);
    *n = 0;
    int rc = sq_collect_sql(
        SQ(st),
        "SELECT z.id FROM cases c JOIN persons p ON p.id = c.person_id "
        "LEFT JOIN households h ON h.id = p.household_id "
        "LEFT JOIN buildings b ON b.id = h.building_id "
        "JOIN zones z ON z.status IN ('proposed', 'published') AND "
        "((z.unit_kind = 'building' AND z.building_id = b.id) OR (z.unit_kind <> 'building' "
        "AND substr(ifnull(b.grid_code, p.community_code), 1, length(z.area_code)) = z.area_code)) "
        "WHERE c.id = ? ORDER BY z.id", &b, id_row, sizeof(int64_t), (void **)&all, &got, err);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < got && i < cap; i++)
        ids[(*n)++] = all[i];
    free(all);
    return 0;
}

static int sq_zone_negative_rounds(store *st, int64_t zone_id, int64_t *starts, size_t cap,
                                   size_t *n, fk_err *err)
{
    sq_binds b = {0};
    int64_t *all = NULL;
    size_t got = 0;
    sq_bind_add_int(&b, zone_id);
    *n = 0;
    int rc = sq_collect_sql(
        SQ(st),
        "SELECT r.starts_at FROM zones z JOIN testing_rounds r "
        "ON substr(z.area_code, 1, length(r.area_code)) = r.area_code "
        "WHERE z.id = ? AND r.state = 'closed' "
        "AND EXISTS (SELECT 1 FROM tubes t JOIN fk_results x ON x.id = "
        SQ_FIRST_RESULT("t.id") " WHERE t.round_id = r.id) "
        "AND NOT EXISTS (SELECT 1 FROM tubes t JOIN fk_results x ON "
        SQ_RESULTS_OF("x", "t.id") " "
        "                WHERE t.round_id = r.id AND x.result <> 'negative' AND NOT EXISTS "
        "                (SELECT 1 FROM fk_results y WHERE y.replaces = x.id)) "
        "ORDER BY r.starts_at DESC", &b, id_row, sizeof(int64_t), (void **)&all, &got, err);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < got && i < cap; i++)
        starts[(*n)++] = all[i];
    free(all);
    return 0;
}

static int sq_zone_last_contact(store *st, int64_t zone_id, int64_t *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, zone_id);
    return sq_count(SQ(st), "SELECT ifnull(max(k.first_overlap + k.overlap_s), 0) "
                    "FROM zone_cases zc JOIN contacts k ON k.case_id = zc.case_id "
                    "WHERE zc.zone_id = ? AND k.degree = 1 AND k.status <> 'dismissed'", &b,
                    out, err);
}

static int sq_zones_open_other(store *st, const char *area_prefix, const char *level,
                               int64_t except, int64_t *out, fk_err *err)
{
    sq_binds b = {0};
    strbuf w = {0};
    sb_append(&w, "SELECT count(*) FROM zones z WHERE z.status = 'published' AND z.level <> ? "
                  "AND z.id <> ?");
    sq_bind_add_text(&b, level);
    sq_bind_add_int(&b, except);
    sq_where_prefix(&w, &b, "z.area_code", area_prefix);
    int rc = sq_count(SQ(st), sb_str(&w), &b, out, err);
    sb_free(&w);
    return rc;
}

typedef struct zone_building_row { char grid_code[16], name[132]; } zone_building_row;

static void building_row(sqlite3_stmt *q, void *item)
{
    zone_building_row *r = item;
    sq_col_text(r->grid_code, sizeof r->grid_code, q, 0);
    sq_col_text(r->name, sizeof r->name, q, 1);
}

static int sq_zone_building(store *st, int64_t id, char grid_code[16], char name[132],
                            fk_err *err)
{
    sq_binds b = {0};
    zone_building_row r = {{0}, {0}};
    sq_bind_add_int(&b, id);
    int rc = sq_one_sql(SQ(st), "SELECT grid_code, name FROM buildings WHERE id = ?", &b,
                        building_row, sizeof r, &r, err);
    if (rc == 1) {
        memcpy(grid_code, r.grid_code, sizeof r.grid_code);
        memcpy(name, r.name, sizeof r.name);
    }
    return rc;
}

static int sq_zone_venue(store *st, const char *code, char grid_code[16], char name[132],
                         fk_err *err)
{
    sq_binds b = {0};
    zone_building_row r = {{0}, {0}};
    sq_bind_add_text(&b, code);
    int rc = sq_one_sql(SQ(st), "SELECT grid_code, name FROM venues WHERE code = ?", &b,
                        building_row, sizeof r, &r, err);
    if (rc == 1) {
        memcpy(grid_code, r.grid_code, sizeof r.grid_code);
        memcpy(name, r.name, sizeof r.name);
    }
    return rc;
}

const struct store_zone_ops sq_zone_ops = {
    .zone_venue = sq_zone_venue,
    .zone_building = sq_zone_building,
    .zone_live_at = sq_zone_live_at,
    .zone_insert = sq_zone_insert,
    .zone_update = sq_zone_update,
    .zone_get = sq_zone_get,
    .zone_list = sq_zone_list,
    .zone_case_add = sq_zone_case_add,
    .zone_cases = sq_zone_cases,
    .zone_event_add = sq_zone_event_add,
    .zone_events = sq_zone_events,
    .zone_residents = sq_zone_residents,
    .zone_person_ids = sq_zone_person_ids,
    .zone_case_places = sq_zone_case_places,
    .zones_holding_case = sq_zones_holding_case,
    .zone_negative_rounds = sq_zone_negative_rounds,
    .zone_last_contact = sq_zone_last_contact,
    .zones_open_other = sq_zones_open_other,
};
