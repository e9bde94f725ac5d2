/*
 * store_sqlite_transfers.c - the transfer section (store_transfers.h) on SQLite.
 * Statements are prepared per call: trips are made by the hundred a day, not by the
 * hundred thousand a second, and the late-trip page is one statement per sweep page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/transfer.h"
#include "store/store_sqlite_int.h"

/* ---- vehicles and crews ---------------------------------------------------------------- */

#define VEHICLE_COLS "id, plate, seats, area_code, state, updated_at"

static void vehicle_row(sqlite3_stmt *q, void *item)
{
    vehicle_rec *v = item;
    v->id = sqlite3_column_int64(q, 0);
    sq_col_text(v->plate, sizeof v->plate, q, 1);
    v->seats = sqlite3_column_int(q, 2);
    sq_col_text(v->area_code, sizeof v->area_code, q, 3);
    sq_col_text(v->state, sizeof v->state, q, 4);
    v->updated_at = sqlite3_column_int64(q, 5);
}

static int area_known(struct sq_store *s, const char *code, fk_err *err)
{
    sq_binds b = {0};
    int64_t n = 0;
    sq_bind_add_text(&b, code);
    if (sq_count(s, "SELECT count(*) FROM areas WHERE code = ?", &b, &n, err) != 0)
        return -1;
    return n ? 0 : fk_fail(err, FK_EREF, "area_code", "area_code: no area %s", code);
}

static int vehicle_insert_unit(struct sq_store *s, vehicle_rec *v, const audit_rec *a,
                               fk_err *err)
{
    sq_binds b = {0};
    int64_t n = 0;
    if (area_known(s, v->area_code, err) != 0)
        return -1;
    sq_bind_add_text(&b, v->plate);
    if (sq_count(s, "SELECT count(*) FROM vehicles WHERE plate = ?", &b, &n, err) != 0)
        return -1;
    if (n)
        return fk_fail(err, FK_ECONFLICT, "plate", "plate: vehicle %s is already registered",
                       v->plate);
    v->updated_at = fk_now();
    snprintf(v->state, sizeof v->state, "available");
    sq_bind_add_int(&b, v->seats);
    sq_bind_add_text(&b, v->area_code);
    sq_bind_add_int(&b, v->updated_at);
    if (sq_run_bound(s, "INSERT INTO vehicles (plate, seats, area_code, updated_at) "
                     "VALUES (?,?,?,?)", &b, err) != 0)
        return -1;
    v->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, v->id, err);
}

static int sq_vehicle_insert(store *st, vehicle_rec *v, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, vehicle_insert_unit(s, v, a, err));
}

static int sq_vehicle_get(store *st, int64_t id, vehicle_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found =
        sq_one_sql(SQ(st), "SELECT " VEHICLE_COLS " FROM vehicles WHERE id = ?",
                   &b, vehicle_row, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0
                 : fk_fail(err, FK_ENOTFOUND, "vehicle_id",
                           "vehicle_id: no vehicle %lld", (long long)id);
}

static int sq_vehicle_list(store *st, const char *area_prefix, int limit, int offset,
                    vehicle_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    sq_where_prefix(&w, &b, "area_code", area_prefix);
    sq_page_query q = {VEHICLE_COLS, "vehicles", sb_str(&w), "id", limit, offset, vehicle_row,
                       sizeof(vehicle_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static int vehicle_state_unit(struct sq_store *s, int64_t id, const char *from, const char *to,
                              int64_t at, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, to);
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, id);
    sq_bind_add_text(&b, from);
    if (sq_run_bound(s, "UPDATE vehicles SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                  &b, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: vehicle %lld is not %s",
                       (long long)id, from);
    return sq_audit_write(s, a, id, err);
}

static int sq_vehicle_set_state(store *st, int64_t id, const char *from, const char *to, int64_t at,
                         const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, vehicle_state_unit(s, id, from, to, at, a, err));
}

#define CREW_COLS "id, name, leader, phone, members, area_code"

static void crew_row(sqlite3_stmt *q, void *item)
{
    crew_rec *c = item;
    c->id = sqlite3_column_int64(q, 0);
    sq_col_text(c->name, sizeof c->name, q, 1);
    sq_col_text(c->leader, sizeof c->leader, q, 2);
    sq_col_text(c->phone, sizeof c->phone, q, 3);
    c->members = sqlite3_column_int(q, 4);
    sq_col_text(c->area_code, sizeof c->area_code, q, 5);
}

static int crew_insert_unit(struct sq_store *s, crew_rec *c, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    if (area_known(s, c->area_code, err) != 0)
        return -1;
    sq_bind_add_text(&b, c->name);
    sq_bind_add_text(&b, c->leader);
    sq_bind_add_text(&b, c->phone);
    sq_bind_add_int(&b, c->members);
    sq_bind_add_text(&b, c->area_code);
    if (sq_run_bound(s, "INSERT INTO crews (name, leader, phone, members, area_code) "
                     "VALUES (?,?,?,?,?)", &b, err) != 0)
        return -1;
    c->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, c->id, err);
}

static int sq_crew_insert(store *st, crew_rec *c, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, crew_insert_unit(s, c, a, err));
}

static int sq_crew_get(store *st, int64_t id, crew_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found =
        sq_one_sql(SQ(st), "SELECT " CREW_COLS " FROM crews WHERE id = ?", &b,
                   crew_row, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0
                 : fk_fail(err, FK_ENOTFOUND, "crew_id",
                           "crew_id: no crew %lld", (long long)id);
}

static int sq_crew_list(store *st, const char *area_prefix, int limit, int offset, crew_list *out,
                 fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    sq_where_prefix(&w, &b, "area_code", area_prefix);
    sq_page_query q = {CREW_COLS, "crews", sb_str(&w), "id", limit, offset, crew_row,
                       sizeof(crew_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

/* ---- trips ----------------------------------------------------------------------------- */

#define TRIP_COLS                                                                           \
    "t.id, t.vehicle_id, t.crew_id, t.facility_id, t.area_code, t.state, t.created_at, "    \
    "t.created_by, t.due_at, coalesce(t.picked_up_at, 0), coalesce(t.arrived_at, 0), "      \
    "t.late, t.escalation_level, t.escalated_at, "                                          \
    "(SELECT count(*) FROM trip_pickups p WHERE p.trip_id = t.id AND p.state <> 'missed'), " \
    "v.plate, f.name"
#define TRIP_FROM                                                                           \
    "trips t JOIN vehicles v ON v.id = t.vehicle_id JOIN facilities f ON f.id = t.facility_id"

static void trip_row(sqlite3_stmt *q, void *item)
{
    trip_rec *t = item;
    t->id = sqlite3_column_int64(q, 0);
    t->vehicle_id = sqlite3_column_int64(q, 1);
    t->crew_id = sqlite3_column_int64(q, 2);
    t->facility_id = sqlite3_column_int64(q, 3);
    sq_col_text(t->area_code, sizeof t->area_code, q, 4);
    sq_col_text(t->state, sizeof t->state, q, 5);
    t->created_at = sqlite3_column_int64(q, 6);
    sq_col_text(t->created_by, sizeof t->created_by, q, 7);
    t->due_at = sqlite3_column_int64(q, 8);
    t->picked_up_at = sqlite3_column_int64(q, 9);
    t->arrived_at = sqlite3_column_int64(q, 10);
    t->late = sqlite3_column_int(q, 11);
    t->escalation_level = sqlite3_column_int(q, 12);
    t->escalated_at = sqlite3_column_int64(q, 13);
    t->pickups = sqlite3_column_int(q, 14);
    sq_col_text(t->plate, sizeof t->plate, q, 15);
    sq_col_text(t->facility_name, sizeof t->facility_name, q, 16);
}

#define PICKUP_COLS                                                                         \
    "k.id, k.trip_id, k.lead_id, k.person_id, k.allocation_id, k.state, k.due_at, "         \
    "coalesce(k.aboard_at, 0), coalesce(k.arrived_at, 0), k.note, coalesce(p.name, ''), "   \
    "coalesce(p.phone, ''), coalesce(r.number, '')"
#define PICKUP_FROM                                                                         \
    " FROM trip_pickups k LEFT JOIN persons p ON p.id = k.person_id "                       \
    "LEFT JOIN allocations a ON a.id = k.allocation_id LEFT JOIN rooms r ON r.id = a.room_id"

static void pickup_row(sqlite3_stmt *q, void *item)
{
    pickup_rec *k = item;
    k->id = sqlite3_column_int64(q, 0);
    k->trip_id = sqlite3_column_int64(q, 1);
    k->lead_id = sqlite3_column_int64(q, 2);
    k->person_id = sqlite3_column_int64(q, 3);
    k->allocation_id = sqlite3_column_int64(q, 4);
    sq_col_text(k->state, sizeof k->state, q, 5);
    k->due_at = sqlite3_column_int64(q, 6);
    k->aboard_at = sqlite3_column_int64(q, 7);
    k->arrived_at = sqlite3_column_int64(q, 8);
    sq_col_text(k->note, sizeof k->note, q, 9);
    sq_col_text(k->person_name, sizeof k->person_name, q, 10);
    sq_col_text(k->person_phone, sizeof k->person_phone, q, 11);
    sq_col_text(k->room_number, sizeof k->room_number, q, 12);
}

static void event_row(sqlite3_stmt *q, void *item)
{
    trip_event *e = item;
    e->id = sqlite3_column_int64(q, 0);
    e->trip_id = sqlite3_column_int64(q, 1);
    e->at = sqlite3_column_int64(q, 2);
    sq_col_text(e->actor, sizeof e->actor, q, 3);
    sq_col_text(e->from_state, sizeof e->from_state, q, 4);
    sq_col_text(e->to_state, sizeof e->to_state, q, 5);
    sq_col_text(e->note, sizeof e->note, q, 6);
}

static int event_insert(struct sq_store *s, int64_t trip_id, int64_t at, const char *actor,
                        const char *from, const char *to, const char *note, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, trip_id);
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, actor);
    sq_bind_add_text(&b, from);
    sq_bind_add_text(&b, to);
    sq_bind_add_text(&b, note ? note : "");
    return sq_run_bound(s, "INSERT INTO trip_events (trip_id, at, actor, from_state, to_state, "
                        "note) VALUES (?,?,?,?,?,?)", &b, err);
}

static int pickup_insert(struct sq_store *s, pickup_rec *p, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, p->trip_id);
    sq_bind_add_int(&b, p->lead_id);
    sq_bind_add_int(&b, p->person_id);
    sq_bind_add_int(&b, p->allocation_id);
    sq_bind_add_int(&b, p->due_at);
    if (sq_run_bound(s, "INSERT INTO trip_pickups (trip_id, lead_id, person_id, allocation_id, "
                     "due_at) VALUES (?,?,?,?,?)", &b, err) != 0) {
        if (err && err->code == FK_ECONFLICT)
            fk_fail(err, FK_ECONFLICT, "lead_ids", "lead_ids: lead %lld is already on a trip",
                    (long long)p->lead_id);
        return -1;
    }
    p->id = sqlite3_last_insert_rowid(s->db);
    snprintf(p->state, sizeof p->state, "assigned");
    return 0;
}

static int trip_insert_unit(struct sq_store *s, trip_rec *t, pickup_rec *p, size_t n,
                            const audit_rec *a, fk_err *err)
{
    if (vehicle_state_unit(s, t->vehicle_id, "available", "on_trip", t->created_at, NULL, err))
        return fk_fail(err, FK_ECONFLICT, "vehicle_id", "vehicle_id: vehicle %lld is not "
                       "available", (long long)t->vehicle_id);
    sq_binds b = {0};
    sq_bind_add_int(&b, t->vehicle_id);
    sq_bind_add_int(&b, t->crew_id);
    sq_bind_add_int(&b, t->facility_id);
    sq_bind_add_text(&b, t->area_code);
    sq_bind_add_int(&b, t->created_at);
    sq_bind_add_text(&b, t->created_by);
    sq_bind_add_int(&b, t->due_at);
    if (sq_run_bound(s, "INSERT INTO trips (vehicle_id, crew_id, facility_id, area_code, "
                     "created_at, created_by, due_at) VALUES (?,?,?,?,?,?,?)", &b, err) != 0)
        return -1;
    t->id = sqlite3_last_insert_rowid(s->db);
    snprintf(t->state, sizeof t->state, "assigned");
    for (size_t i = 0; i < n; i++) {
        p[i].trip_id = t->id;
        if (pickup_insert(s, &p[i], err) != 0)
            return -1;
    }
    if (event_insert(s, t->id, t->created_at, t->created_by, "", "assigned", "", err) != 0)
        return -1;
    return sq_audit_write(s, a, t->id, err);
}

static int sq_trip_insert(store *st, trip_rec *t, pickup_rec *p, size_t n, const audit_rec *a,
                   fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, trip_insert_unit(s, t, p, n, a, err));
}

static int trip_one(struct sq_store *s, int64_t id, trip_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int found =
        sq_one_sql(s, "SELECT " TRIP_COLS " FROM " TRIP_FROM " WHERE t.id = ?",
                   &b, trip_row, sizeof *out, out, err);
    if (found < 0)
        return -1;
    return found ? 0
                 : fk_fail(err, FK_ENOTFOUND, "id", "id: no trip %lld",
                           (long long)id);
}

static int sq_trip_get(store *st, int64_t id, trip_rec *out, pickup_list *pickups,
                trip_event_list *events, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sq_binds b = {0};
    int began = 0, rc = sq_read_begin(s, &began, err);
    sq_bind_add_int(&b, id);
    if (rc == 0)
        rc = trip_one(s, id, out, err);
    if (rc == 0 && pickups)
        rc = sq_collect_sql(
            s, "SELECT " PICKUP_COLS PICKUP_FROM " WHERE k.trip_id = ? ORDER BY k.id", &b,
            pickup_row, sizeof(pickup_rec), (void **)&pickups->items, &pickups->n, err);
    if (rc == 0 && events)
        rc = sq_collect_sql(s,
                            "SELECT id, trip_id, at, actor, from_state, to_state, note FROM "
                            "trip_events WHERE trip_id = ? ORDER BY id",
                            &b, event_row, sizeof(trip_event), (void **)&events->items, &events->n,
                            err);
    sq_read_end(s, began);
    return rc;
}

static int sq_trip_list(store *st, const trip_filter *f, trip_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    sq_where_prefix(&w, &b, "t.area_code", f->area_prefix);
    if (sq_given(f->state)) {
        sb_append(&w, " AND t.state = ?");
        sq_bind_add_text(&b, f->state);
    }
    if (f->late_at > 0) {
        sb_append(&w, " AND (t.late = 1 OR (t.state IN ('assigned', 'picked_up') AND "
                      "t.due_at < ?))");
        sq_bind_add_int(&b, f->late_at);
    }
    sq_page_query q = {
        TRIP_COLS,
        TRIP_FROM,
        sb_str(&w),
        "t.state NOT IN ('assigned', 'picked_up'), "
        "CASE WHEN t.state IN ('assigned', 'picked_up') THEN t.due_at END, t.id DESC",
        f->limit,
        f->offset,
        trip_row,
        sizeof(trip_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static int trip_state_unit(struct sq_store *s, int64_t id, const char *from, const char *to,
                           int64_t at, const char *actor, const char *note, const audit_rec *a,
                           fk_err *err)
{
    trip_rec cur;
    if (trip_one(s, id, &cur, err) != 0)
        return -1;
    if (strcmp(cur.state, from) != 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: the trip is now %s, not %s",
                       cur.state, from);
    if (transfer_trip_check(from, to, err) != 0)
        return -1;
    sq_binds b = {0};
    sq_bind_add_text(&b, to);
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, id);
    const char *sql = "UPDATE trips SET state = ?1, "
                      "picked_up_at = CASE WHEN ?1 = 'picked_up' THEN ?2 ELSE picked_up_at END, "
                      "arrived_at = CASE WHEN ?1 = 'arrived' THEN ?2 ELSE arrived_at END, "
                      "late = CASE WHEN ?1 = 'arrived' AND ?2 > due_at THEN 1 ELSE late END "
                      "WHERE id = ?3";
    if (sq_run_bound(s, sql, &b, err) != 0 || event_insert(s, id, at, actor, from, to, note, err))
        return -1;
    return sq_audit_write(s, a, id, err);
}

static int sq_trip_set_state(store *st, int64_t id, const char *from, const char *to, int64_t at,
                      const char *actor, const char *note, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, trip_state_unit(s, id, from, to, at, actor, note, a, err));
}

/* A missed pickup's room: its reservation ends, and the room is vacant again once no
 * allocation holds it (a household member sharing it may still come). */
static int free_reservation(struct sq_store *s, int64_t pickup_id, int64_t at, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, pickup_id);
    if (sq_run_bound(s, "UPDATE allocations SET state = 'ended', ended_at = ?1 WHERE state = "
                     "'reserved' AND id = (SELECT allocation_id FROM trip_pickups WHERE id = ?2)",
                  &b, err) != 0)
        return -1;
    return sq_run_bound(s, "UPDATE rooms SET state = 'vacant', state_since = ?1 WHERE state = "
                        "'reserved' AND id = (SELECT a.room_id FROM trip_pickups k JOIN "
                        "allocations a ON a.id = k.allocation_id WHERE k.id = ?2) AND NOT "
                        "EXISTS (SELECT 1 FROM allocations x WHERE x.room_id = rooms.id AND "
                        "x.state <> 'ended')",
                     &b, err);
}

static int pickup_state_unit(struct sq_store *s, int64_t trip_id, int64_t pickup_id,
                             const char *from, const char *to, int64_t at, const char *note,
                             const audit_rec *a, fk_err *err)
{
    if (transfer_pickup_check(from, to, err) != 0)
        return -1;
    sq_binds b = {0};
    sq_bind_add_text(&b, to);
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, note ? note : "");
    sq_bind_add_int(&b, pickup_id);
    sq_bind_add_int(&b, trip_id);
    sq_bind_add_text(&b, from);
    if (sq_run_bound(s, "UPDATE trip_pickups SET state = ?1, "
                     "aboard_at = CASE WHEN ?1 = 'aboard' THEN ?2 ELSE aboard_at END, "
                     "arrived_at = CASE WHEN ?1 = 'arrived' THEN ?2 ELSE arrived_at END, "
                     "note = CASE WHEN ?3 <> '' THEN ?3 ELSE note END "
                     "WHERE id = ?4 AND trip_id = ?5 AND state = ?6",
                  &b, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: pickup %lld of trip %lld is not %s",
                       (long long)pickup_id, (long long)trip_id, from);
    if (!strcmp(to, "missed") && free_reservation(s, pickup_id, at, err) != 0)
        return -1;
    return sq_audit_write(s, a, pickup_id, err);
}

static int sq_pickup_set_state(store *st, int64_t trip_id, int64_t pickup_id, const char *from,
                        const char *to, int64_t at, const char *note, const audit_rec *a,
                        fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, pickup_state_unit(s, trip_id, pickup_id, from, to, at, note, a, err));
}

static int trip_escalate_unit(struct sq_store *s, int64_t id, int level, int64_t at,
                              const char *actor, const audit_rec *a, int *raised, fk_err *err)
{
    trip_rec cur;
    char note[64];
    *raised = 0;
    if (trip_one(s, id, &cur, err) != 0)
        return -1;
    if (level <= cur.escalation_level)
        return 0;
    sq_binds b = {0};
    sq_bind_add_int(&b, level);
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, id);
    snprintf(note, sizeof note, "late: escalated to level %d (%s)", level,
             transfer_level_name(level) ? transfer_level_name(level) : "?");
    if (sq_run_bound(s, "UPDATE trips SET escalation_level = ?, escalated_at = ? WHERE id = ?", &b,
                  err) != 0 ||
        event_insert(s, id, at, actor, cur.state, cur.state, note, err) != 0)
        return -1;
    *raised = 1;
    return sq_audit_write(s, a, id, err);
}

static int sq_trip_escalate(store *st, int64_t id, int level, int64_t at, const char *actor,
                     const audit_rec *a, int *raised, fk_err *err)
{
    struct sq_store *s = SQ(st);
    SQ_UNIT_OR_JOIN(s, trip_escalate_unit(s, id, level, at, actor, a, raised, err));
}

static int sq_trip_due_between(store *st, int64_t from, int64_t to, const char *area_prefix,
                               trip_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    sq_where_prefix(&w, &b, "t.area_code", area_prefix);
    sb_append(&w, " AND t.due_at >= ? AND t.due_at < ? ORDER BY t.id");
    sq_bind_add_int(&b, from);
    sq_bind_add_int(&b, to);
    strbuf sql = STRBUF_INIT;
    sb_appendf(&sql, "SELECT " TRIP_COLS " FROM " TRIP_FROM "%s", sb_str(&w));
    int rc = sq_collect_sql(SQ(st), sb_str(&sql), &b, trip_row, sizeof(trip_rec),
                            (void **)&out->items, &out->n, err);
    out->total = (int64_t)out->n;
    sb_free(&sql);
    sb_free(&w);
    return rc;
}

static int sq_trip_late_page(store *st, int64_t now, int64_t after_due, int64_t after_id, int limit,
                      trip_list *out, fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, now);
    sq_bind_add_int(&b, after_due);
    sq_bind_add_int(&b, after_id);
    sq_bind_add_int(&b, limit < 1 ? 1 : limit > 4096 ? 4096 : limit);
    int rc =
        sq_collect_sql(SQ(st),
                       "SELECT " TRIP_COLS " FROM " TRIP_FROM " WHERE t.state IN "
                       "('assigned', 'picked_up') AND t.due_at < ? AND (t.due_at, t.id) > (?, ?) "
                       "ORDER BY t.due_at, t.id LIMIT ?",
                       &b, trip_row, sizeof(trip_rec), (void **)&out->items, &out->n, err);
    out->total = (int64_t)out->n;
    return rc;
}

const struct store_transfer_ops sq_transfer_ops = {
    .trip_due_between = sq_trip_due_between,
    .vehicle_insert = sq_vehicle_insert,
    .vehicle_get = sq_vehicle_get,
    .vehicle_list = sq_vehicle_list,
    .vehicle_set_state = sq_vehicle_set_state,
    .crew_insert = sq_crew_insert,
    .crew_get = sq_crew_get,
    .crew_list = sq_crew_list,
    .trip_insert = sq_trip_insert,
    .trip_get = sq_trip_get,
    .trip_list = sq_trip_list,
    .trip_set_state = sq_trip_set_state,
    .pickup_set_state = sq_pickup_set_state,
    .trip_escalate = sq_trip_escalate,
    .trip_late_page = sq_trip_late_page,
};
