/*
 * store_sqlite_isolation.c - facilities, rooms, staff, checklist, allocations,
 * isolations and their tests (migration 0008). Contract: store_isolation.h.
 *
 * Invariants: the room counts of a facility row are the triggers', except a batch's
 * (allocations_insert_unit: the connection's triggers are off for its writes and the
 * batch counts once per facility); a room leaves reserved/occupied only when no active allocation holds it, and
 * every change of a room, allocation or isolation is written in one unit with its
 * audit record. The steps of a batch allocation (person_places, lead_areas, rooms_vacant,
 * allocations_insert: a statement or two for the whole batch each) use cached
 * statements and no savepoint inside a caller's unit (store_isolation.h).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "store/store_sqlite_int.h"

/* ---- helpers ---------------------------------------------------------------------------- */

/* The single row of `sql` into item, FK_ENOTFOUND naming "id" with `what` otherwise. */
static int one(struct sq_store *s, const char *sql, const sq_binds *b, sq_row_fn fn, size_t size,
               void *item, const char *what, int64_t id, fk_err *err)
{
    void *items;
    size_t n;
    if (sq_collect_sql(s, sql, b, fn, size, &items, &n, err) != 0)
        return -1;
    if (n)
        memcpy(item, items, size);
    free(items);
    return n ? 0 : fk_fail(err, FK_ENOTFOUND, "id", "id: no %s %lld", what, (long long)id);
}

static void bind_opt_id(sq_binds *b, int64_t id)
{
    if (id)
        sq_bind_add_int(b, id);
    else
        sq_bind_add_text(b, NULL);
}

/* ---- facilities -------------------------------------------------------------------------- */

#define FAC_COLS                                                                              \
    "id, name, area_code, address, lon, lat, state, n_vacant, n_reserved, n_occupied, "        \
    "n_cleaning, n_out_of_order, created_at, updated_at"

static void facility_row(sqlite3_stmt *q, void *item)
{
    facility_rec *f = item;
    f->id = sqlite3_column_int64(q, 0);
    sq_col_text(f->name, sizeof f->name, q, 1);
    sq_col_text(f->area_code, sizeof f->area_code, q, 2);
    sq_col_text(f->address, sizeof f->address, q, 3);
    f->lon = sqlite3_column_double(q, 4);
    f->lat = sqlite3_column_double(q, 5);
    sq_col_text(f->state, sizeof f->state, q, 6);
    f->n_vacant = sqlite3_column_int64(q, 7);
    f->n_reserved = sqlite3_column_int64(q, 8);
    f->n_occupied = sqlite3_column_int64(q, 9);
    f->n_cleaning = sqlite3_column_int64(q, 10);
    f->n_out_of_order = sqlite3_column_int64(q, 11);
    f->created_at = sqlite3_column_int64(q, 12);
    f->updated_at = sqlite3_column_int64(q, 13);
}

static int facility_insert_unit(struct sq_store *s, facility_rec *f, const audit_rec *a,
                                fk_err *err)
{
    sq_binds b = {0};
    f->created_at = f->updated_at = fk_now();
    sq_bind_add_text(&b, f->name);
    sq_bind_add_text(&b, f->area_code);
    sq_bind_add_text(&b, f->address);
    sq_bind_add_text(&b, f->state[0] ? f->state : "open");
    sq_bind_add_int(&b, f->created_at);
    sqlite3_stmt *q = sq_prepare_bound(s,
        "INSERT INTO facilities (name, area_code, address, state, created_at, updated_at, "
        "lon, lat) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)", &b, err);
    if (!q)
        return -1;
    sqlite3_bind_double(q, 6, f->lon);
    sqlite3_bind_double(q, 7, f->lat);
    int rc = sq_exec_stmt(s, q, err);
    sqlite3_finalize(q);
    if (rc != 0)
        return -1;
    f->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, f->id, err);
}

static int sq_facility_insert(store *st, facility_rec *f, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, facility_insert_unit(s, f, a, err), err);
}

static int sq_facility_get(store *st, int64_t id, facility_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    return one(SQ(st), "SELECT " FAC_COLS " FROM facilities WHERE id = ?", &b, facility_row,
               sizeof *out, out, "facility", id, err);
}

static int facility_update_unit(struct sq_store *s, facility_rec *f, const audit_rec *a,
                                fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, f->name);
    sq_bind_add_text(&b, f->address);
    sq_bind_add_text(&b, f->state);
    sq_bind_add_int(&b, fk_now());
    sq_bind_add_int(&b, f->id);
    sqlite3_stmt *q = sq_prepare_bound(s,
        "UPDATE facilities SET name = ?1, address = ?2, state = ?3, updated_at = ?4, "
        "lon = ?6, lat = ?7 WHERE id = ?5", &b, err);
    if (!q)
        return -1;
    sqlite3_bind_double(q, 6, f->lon);
    sqlite3_bind_double(q, 7, f->lat);
    int rc = sq_exec_stmt(s, q, err);
    sqlite3_finalize(q);
    if (rc != 0 || sq_audit_write(s, a, f->id, err) != 0)
        return -1;
    return sq_facility_get(&s->base, f->id, f, err);
}

static int sq_facility_update(store *st, facility_rec *f, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, facility_update_unit(s, f, a, err), err);
}

static int sq_facility_list(store *st, const char *area_prefix, int limit, int offset,
                            facility_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    sq_where_prefix(&w, &b, "area_code", area_prefix);
    sq_page_query q = {FAC_COLS, "facilities", sb_str(&w), "area_code, id", limit, offset,
                       facility_row, sizeof(facility_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static int sq_facility_open(store *st, const char *area_prefix, facility_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, "SELECT " FAC_COLS " FROM facilities WHERE state = 'open' AND n_vacant > 0");
    sq_where_prefix(&w, &b, "area_code", area_prefix);
    sb_append(&w, " ORDER BY id");
    int rc = sq_collect_sql(SQ(st), sb_str(&w), &b, facility_row, sizeof(facility_rec),
                            (void **)&out->items, &out->n, err);
    out->total = (int64_t)out->n;
    sb_free(&w);
    return rc;
}

/* ---- rooms ------------------------------------------------------------------------------- */

#define ROOM_COLS                                                                             \
    "r.id, r.facility_id, r.number, r.own_bathroom, r.state, r.state_since, "                  \
    "(SELECT count(*) FROM allocations x WHERE x.room_id = r.id AND x.state <> 'ended')"

static void room_row(sqlite3_stmt *q, void *item)
{
    room_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    r->facility_id = sqlite3_column_int64(q, 1);
    sq_col_text(r->number, sizeof r->number, q, 2);
    r->own_bathroom = sqlite3_column_int(q, 3);
    sq_col_text(r->state, sizeof r->state, q, 4);
    r->state_since = sqlite3_column_int64(q, 5);
    r->occupants = sqlite3_column_int64(q, 6);
}

static int rooms_insert_unit(struct sq_store *s, int64_t fid, const char *const *numbers,
                             size_t n, int own_bathroom, const audit_rec *a, fk_err *err)
{
    int64_t now = fk_now();
    sqlite3_stmt *q = sq_stmt(s, SQ_ROOM_INSERT,
                              "INSERT INTO rooms (facility_id, number, own_bathroom, state, "
                              "state_since) VALUES (?, ?, ?, 'vacant', ?)", err);
    if (!q)
        return -1;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(q, 1, fid);
        sq_bind_text(q, 2, numbers[i]);
        sqlite3_bind_int(q, 3, own_bathroom);
        sqlite3_bind_int64(q, 4, now);
        if (sq_exec_stmt(s, q, err) != 0)
            return fk_fail(err, err->code, "numbers", "numbers.%zu: room %s: %s", i,
                           numbers[i], err->code == FK_ECONFLICT
                                           ? "the facility has it already (or no such facility)"
                                           : err->message);
    }
    return sq_audit_write(s, a, fid, err);
}

static int sq_rooms_insert(store *st, int64_t fid, const char *const *numbers, size_t n,
                           int own_bathroom, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, rooms_insert_unit(s, fid, numbers, n, own_bathroom, a, err), err);
}

static int sq_room_list(store *st, int64_t fid, const char *state, room_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, fid);
    sq_bind_add_text(&b, state);
    return sq_collect_sql(SQ(st), "SELECT " ROOM_COLS " FROM rooms r WHERE r.facility_id = ?1 "
                          "AND (?2 IS NULL OR r.state = ?2) ORDER BY length(r.number), r.number",
                          &b, room_row, sizeof(room_rec), (void **)&out->items, &out->n, err);
}

static int sq_room_get(store *st, int64_t id, room_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    return one(SQ(st), "SELECT " ROOM_COLS " FROM rooms r WHERE r.id = ?", &b, room_row,
               sizeof *out, out, "room", id, err);
}

/* Set a room's state if it is still `from`; FK_ECONFLICT "state" otherwise. */
static int room_move(struct sq_store *s, int64_t id, const char *from, const char *to,
                     int64_t at, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ROOM_MOVE,
                              "UPDATE rooms SET state = ?, state_since = ? "
                              "WHERE id = ? AND state = ?", err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, to);
    sqlite3_bind_int64(q, 2, at);
    sqlite3_bind_int64(q, 3, id);
    sq_bind_text(q, 4, from);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) != 1)
        return fk_fail(err, FK_ECONFLICT, "state",
                       "state: room %lld is no longer %s (changed by someone else)",
                       (long long)id, from);
    return 0;
}

static int sq_room_set_state(store *st, int64_t id, const char *from, const char *to,
                             const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    int rc = room_move(s, id, from, to, fk_now(), err);
    return sq_end(s, rc == 0 ? sq_audit_write(s, a, id, err) : rc, err);
}

static int sq_rooms_vacant(store *st, int64_t fid, size_t cap, int64_t *ids,
                           char (*numbers)[32], size_t *n, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_ROOM_TAKE,
                              "SELECT id, number FROM rooms WHERE facility_id = ? "
                              "AND state = 'vacant' ORDER BY id LIMIT ?", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, fid);
    sqlite3_bind_int64(q, 2, (int64_t)cap);
    int r;
    for (*n = 0; (r = sq_step_row(s, q, err)) == 1; (*n)++) {
        ids[*n] = sqlite3_column_int64(q, 0);
        sq_col_text(numbers[*n], 32, q, 1);
    }
    return r < 0 ? -1 : 0;
}

/* ---- staff and checklist ------------------------------------------------------------------ */

static void staff_row(sqlite3_stmt *q, void *item)
{
    staff_rec *r = item;
    r->id = sqlite3_column_int64(q, 0);
    r->facility_id = sqlite3_column_int64(q, 1);
    sq_col_text(r->name, sizeof r->name, q, 2);
    sq_col_text(r->duty, sizeof r->duty, q, 3);
    sq_col_text(r->phone, sizeof r->phone, q, 4);
}

static int staff_unit(struct sq_store *s, staff_rec *r, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, r->facility_id);
    sq_bind_add_text(&b, r->name);
    sq_bind_add_text(&b, r->duty);
    sq_bind_add_text(&b, r->phone);
    if (sq_run_bound(s,
                     "INSERT INTO facility_staff (facility_id, name, duty, phone) VALUES (?,?,?,?)",
                     &b, err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, r->facility_id, err);
}

static int sq_staff_insert(store *st, staff_rec *r, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, staff_unit(s, r, a, err), err);
}

static int sq_staff_list(store *st, int64_t fid, staff_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, fid);
    return sq_collect_sql(SQ(st), "SELECT id, facility_id, name, duty, phone FROM facility_staff "
                          "WHERE facility_id = ? ORDER BY id", &b, staff_row, sizeof(staff_rec),
                          (void **)&out->items, &out->n, err);
}

static void check_row(sqlite3_stmt *q, void *item)
{
    check_rec *c = item;
    sq_col_text(c->item, sizeof c->item, q, 0);
    c->ok = sqlite3_column_int(q, 1);
    sq_col_text(c->note, sizeof c->note, q, 2);
    sq_col_text(c->checked_by, sizeof c->checked_by, q, 3);
    c->checked_at = sqlite3_column_int64(q, 4);
}

static int check_unit(struct sq_store *s, int64_t fid, const check_rec *c, const audit_rec *a,
                      fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, fid);
    sq_bind_add_text(&b, c->item);
    sq_bind_add_int(&b, c->ok);
    sq_bind_add_text(&b, c->note);
    sq_bind_add_text(&b, c->checked_by);
    sq_bind_add_int(&b, c->checked_at);
    if (sq_run_bound(s, "INSERT OR REPLACE INTO facility_checks (facility_id, item, ok, note, "
                     "checked_by, checked_at) VALUES (?,?,?,?,?,?)", &b, err) != 0)
        return -1;
    return sq_audit_write(s, a, fid, err);
}

static int sq_check_set(store *st, int64_t fid, const check_rec *c, const audit_rec *a,
                        fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, check_unit(s, fid, c, a, err), err);
}

static int sq_check_list(store *st, int64_t fid, check_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, fid);
    return sq_collect_sql(SQ(st), "SELECT item, ok, note, checked_by, checked_at FROM "
                          "facility_checks WHERE facility_id = ? ORDER BY item", &b, check_row,
                          sizeof(check_rec), (void **)&out->items, &out->n, err);
}

/* ---- allocations ------------------------------------------------------------------------ */

static int community_centre(struct sq_store *s, person_place *p, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_COMMUNITY_CENTRE,
                              "SELECT count(*), avg(lon), avg(lat) FROM buildings "
                              "WHERE grid_code >= ?1 AND grid_code < ?1 || '~'", err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, p->community_code);
    int r = sq_step_row(s, q, err);
    if (r < 0)
        return -1;
    if (r == 1 && sqlite3_column_int64(q, 0) > 0) {
        p->lon = sqlite3_column_double(q, 1);
        p->lat = sqlite3_column_double(q, 2);
        p->located = 1;
    }
    sqlite3_reset(q);
    return 0;
}

/* Run q over a batch: ids bound as ?1 ("[id,...]", for json_each), each row's column 0
 * its index in the batch, handed to row(q, out, index). */
static int each_of_batch(struct sq_store *s, sqlite3_stmt *q, const int64_t *ids, size_t n,
                         void (*row)(sqlite3_stmt *q, void *out, size_t i), void *out,
                         fk_err *err)
{
    strbuf b = STRBUF_INIT;
    int r;
    sb_append_id_array(&b, ids, n);
    sq_bind_text(q, 1, sb_str(&b));
    while ((r = sq_step_row(s, q, err)) == 1) {
        int64_t i = sqlite3_column_int64(q, 0);
        if (i >= 0 && (size_t)i < n)
            row(q, out, (size_t)i);
    }
    sb_free(&b);
    return r;
}

/* One row of the places query into ((person_place *)out)[i]. */
static void place_row(sqlite3_stmt *q, void *out, size_t i)
{
    person_place *p = (person_place *)out + i;
    p->person_id = sqlite3_column_int64(q, 1);
    sq_col_text(p->community_code, sizeof p->community_code, q, 2);
    p->household_id = sqlite3_column_int64(q, 3);
    sq_col_text(p->birth_date, sizeof p->birth_date, q, 4);
    p->located = sqlite3_column_type(q, 5) != SQLITE_NULL &&
                 (sqlite3_column_double(q, 5) != 0 || sqlite3_column_double(q, 6) != 0);
    p->lon = sqlite3_column_double(q, 5);
    p->lat = sqlite3_column_double(q, 6);
}

/* One statement for the whole batch instead of one a person; the community centre
 * only for the few homes without coordinates. */
static int sq_person_places(store *st, const int64_t *ids, size_t n, person_place *out,
                            fk_err *err)
{
    struct sq_store *s = SQ(st);
    memset(out, 0, n * sizeof *out);
    sqlite3_stmt *q = sq_stmt(s, SQ_PERSON_PLACE,
                              "SELECT j.key, p.id, p.community_code, coalesce(p.household_id, 0), "
                              "p.birth_date, b.lon, b.lat FROM json_each(?1) j "
                              "JOIN persons p ON p.id = j.value "
                              "LEFT JOIN households h ON h.id = p.household_id "
                              "LEFT JOIN buildings b ON b.id = h.building_id", err);
    int r = q ? each_of_batch(s, q, ids, n, place_row, out, err) : -1;
    for (size_t i = 0; i < n && r == 0; i++)
        if (out[i].person_id && !out[i].located && community_centre(s, &out[i], err) != 0)
            r = -1;
    return r;
}

static int sq_homes_version(store *st, int64_t *version, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_HOMES_VERSION,
                              "SELECT version FROM homes_version WHERE id = 1", err);
    return q ? sq_int_query(s, q, version, err) : -1;
}

/* Community centres already computed by one sq_homes_each (a city has tens of
 * communities and many persons in each). */
typedef struct centres {
    person_place *items; /* community_code, lon, lat, located */
    size_t n, cap;
} centres;

/* p located by its community's centre, computed once per community. */
static int centre_of(struct sq_store *s, centres *c, person_place *p, fk_err *err)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->items[i].community_code, p->community_code)) {
            p->lon = c->items[i].lon;
            p->lat = c->items[i].lat;
            p->located = c->items[i].located;
            return 0;
        }
    if (community_centre(s, p, err) != 0)
        return -1;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->items = fk_realloc(c->items, c->cap * sizeof *c->items);
    }
    c->items[c->n++] = *p;
    return 0;
}

/* The places query of sq_person_places for every person at once, in id order. */
static int sq_homes_each(store *st, int (*fn)(const person_place *p, void *ctx), void *ctx,
                         fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_HOMES_ALL,
                              "SELECT 0, p.id, p.community_code, coalesce(p.household_id, 0), "
                              "p.birth_date, b.lon, b.lat FROM persons p "
                              "LEFT JOIN households h ON h.id = p.household_id "
                              "LEFT JOIN buildings b ON b.id = h.building_id ORDER BY p.id", err);
    if (!q)
        return -1;
    centres c = {0};
    int r = 0, stop = 0;
    while (!stop && (r = sq_step_row(s, q, err)) == 1) {
        person_place p = {0};
        place_row(q, &p, 0);
        if (!p.located && centre_of(s, &c, &p, err) != 0) {
            r = -1;
            break;
        }
        stop = fn(&p, ctx);
    }
    free(c.items);
    if (stop || r < 0) {
        sqlite3_reset(q);
        return stop ? stop : -1;
    }
    return r;
}

static void area_row(sqlite3_stmt *q, void *out, size_t i)
{
    char(*areas)[16] = out;
    sq_col_text(areas[i], sizeof areas[i], q, 1);
}

static int sq_lead_areas(store *st, const int64_t *ids, size_t n, char (*areas)[16],
                         fk_err *err)
{
    struct sq_store *s = SQ(st);
    memset(areas, 0, n * sizeof *areas);
    sqlite3_stmt *q = sq_stmt(s, SQ_LEAD_AREAS,
                              "SELECT j.key, l.area_code FROM json_each(?1) j "
                              "JOIN leads l ON l.id = j.value", err);
    return q ? each_of_batch(s, q, ids, n, area_row, areas, err) : -1;
}

static int allocation_insert(struct sq_store *s, allocation_rec *al, const char *actor,
                             const audit_rec *a, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ALLOCATION_INSERT,
                              "INSERT INTO allocations (room_id, person_id, primary_id, lead_id, "
                              "state, distance_m, allocated_at, actor) "
                              "VALUES (?, ?, ?, ?, 'reserved', ?, ?, ?)", err);
    if (!q)
        return -1;
    al->allocated_at = al->allocated_at ? al->allocated_at : fk_now();
    sqlite3_bind_int64(q, 1, al->room_id);
    sqlite3_bind_int64(q, 2, al->person_id);
    if (al->primary_id)
        sqlite3_bind_int64(q, 3, al->primary_id);
    if (al->lead_id)
        sqlite3_bind_int64(q, 4, al->lead_id);
    sqlite3_bind_int64(q, 5, al->distance_m);
    sqlite3_bind_int64(q, 6, al->allocated_at);
    sq_bind_text(q, 7, actor);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    al->id = sqlite3_last_insert_rowid(s->db);
    snprintf(al->state, sizeof al->state, "reserved");
    /* the primary holds the room: it was vacant (trigger allocations_vacant) */
    if (!al->primary_id && room_move(s, al->room_id, "vacant", "reserved", al->allocated_at, err))
        return -1;
    return sq_audit_write(s, a, al->id, err);
}

static int sq_allocation_insert(store *st, allocation_rec *al, const char *actor,
                                const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (s->depth > 0)
        return allocation_insert(s, al, actor, a, err);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, allocation_insert(s, al, actor, a, err), err);
}

static int sq_allocation_next_id(store *st, int64_t *id, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_ALLOCATION_NEXT_ID,
                              "SELECT coalesce(max(id), 0) + 1 FROM allocations", err);
    return q ? sq_int_query(s, q, id, err) : -1;
}

/* The batch's rows as one JSON array [[id, room, person, primary, lead, distance], ...]
 * (0 as null), its primaries' rooms as another and its sharers' ids as a third: a
 * statement or two for the whole batch instead of two a person (each statement also paid
 * its own bind, step and reset). */
static void batch_json(const allocation_rec *al, size_t n, strbuf *rows, strbuf *rooms,
                       strbuf *sharers)
{
    int64_t *room_ids = fk_calloc(n + 1, sizeof *room_ids);
    int64_t *sharer_ids = fk_calloc(n + 1, sizeof *sharer_ids);
    size_t k = 0, m = 0;
    sb_append_char(rows, '[');
    for (size_t i = 0; i < n; i++) {
        const int64_t row[] = {al[i].id, al[i].room_id, al[i].person_id, al[i].primary_id,
                               al[i].lead_id, al[i].distance_m};
        if (i)
            sb_append_char(rows, ',');
        sb_append_id_array(rows, row, sizeof row / sizeof row[0]);
        if (!al[i].primary_id)
            room_ids[k++] = al[i].room_id;
        else
            sharer_ids[m++] = al[i].id;
    }
    sb_append_char(rows, ']');
    sb_append_id_array(rooms, room_ids, k);
    sb_append_id_array(sharers, sharer_ids, m);
    free(room_ids);
    free(sharer_ids);
}

/* Facility ids fids[0..n) (sorted) counted: each facility's rooms moved from vacant to
 * reserved, one UPDATE per facility (the facility must exist). */
static int counts_add(struct sq_store *s, const int64_t *fids, size_t n, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ROOM_COUNTS_ADD,
                              "UPDATE facilities SET n_vacant = n_vacant - ?2, "
                              "n_reserved = n_reserved + ?2 WHERE id = ?1", err);
    if (!q)
        return -1;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && fids[j] == fids[i]; j++)
            ;
        sqlite3_bind_int64(q, 1, fids[i]);
        sqlite3_bind_int64(q, 2, (int64_t)(j - i));
        if (sq_exec_stmt(s, q, err) != 0)
            return -1;
        if (sqlite3_changes(s->db) != 1)
            return fk_fail(err, FK_EINTERNAL, "facility_id",
                           "facility_id: no facility %lld for the batch's rooms",
                           (long long)fids[i]);
    }
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The batch's rows inserted (array `rows`, see batch_json) with the connection's triggers
 * and foreign-key probes off (allocations_insert_unit says why and what checks instead).
 * OR FAIL: a refused row stops the statement without a statement journal (SQLite copies
 * every page a multi-row statement that may abort touches, to undo just the statement);
 * the rows before it stay until the caller's unit is rolled back, which a failure here
 * always leads to (see Batches in store_isolation.h). */
static int rows_insert(struct sq_store *s, int64_t at, const char *actor, const strbuf *rows,
                       fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ALLOCATIONS_INSERT,
                              "INSERT OR FAIL INTO allocations (id, room_id, person_id, "
                              "primary_id, lead_id, state, distance_m, allocated_at, actor) "
                              "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
                              "json_extract(value, '$[2]'), "
                              "nullif(json_extract(value, '$[3]'), 0), "
                              "nullif(json_extract(value, '$[4]'), 0), 'reserved', "
                              "json_extract(value, '$[5]'), ?2, ?3 FROM json_each(?1) ORDER BY key",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, sb_str(rows));
    sqlite3_bind_int64(q, 2, at);
    sq_bind_text(q, 3, actor);
    return sq_exec_stmt(s, q, err);
}

/* The primaries' rooms (JSON array `rooms`) marked reserved, each of which must have been
 * vacant: the rule of trigger allocations_vacant, for the whole batch at once (a room
 * not vacant, missing, or named twice moves fewer rows than there are primaries). */
static int rooms_reserve(struct sq_store *s, size_t primaries, int64_t at, const strbuf *rooms,
                         fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ROOMS_RESERVE,
                              "UPDATE OR FAIL rooms SET state = 'reserved', state_since = ?2 "
                              "WHERE state = 'vacant' AND id IN (SELECT value FROM json_each(?1))",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, sb_str(rooms));
    sqlite3_bind_int64(q, 2, at);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    if ((size_t)sqlite3_changes(s->db) != primaries)
        return fk_fail(err, FK_ECONFLICT, "state", "state: a room of the batch is no longer "
                       "vacant (changed by someone else)");
    return 0;
}

/* The rule of trigger allocations_share for the batch's sharers (JSON array of their
 * ids) at once: each names the active primary allocation of its own room. */
static int sharers_hold(struct sq_store *s, const strbuf *sharers, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_ALLOCATIONS_SHARERS,
                              "SELECT count(*) FROM json_each(?1) j "
                              "JOIN allocations a ON a.id = j.value "
                              "WHERE NOT EXISTS (SELECT 1 FROM allocations p "
                              "WHERE p.id = a.primary_id AND p.room_id = a.room_id "
                              "AND p.state <> 'ended' AND p.primary_id IS NULL)", err);
    int64_t bad = 0;
    if (!q)
        return -1;
    sq_bind_text(q, 1, sb_str(sharers));
    if (sq_int_query(s, q, &bad, err) != 0)
        return -1;
    return bad ? fk_fail(err, FK_ECONFLICT, "primary_id", "primary_id: a shared allocation "
                         "must point to the active primary one of its room (%lld do not)",
                         (long long)bad) : 0;
}

/* The batch written in the caller's unit. Per row, the schema's triggers would check a
 * primary's room vacant (allocations_vacant), a sharer's primary (allocations_share) and
 * count each room moved (rooms_count_update), and the foreign keys would probe room,
 * person, lead and primary: a program call and a lookup or two per row, about a third of
 * the batch's writing (bench/loop). Here the connection's triggers and foreign-key probes
 * are off for the two statements that write rows, and the same rules are checked for the
 * batch at once in the same unit, which refuses the whole batch when one fails:
 *  - vacant rooms: rooms_reserve moves exactly one vacant room per primary;
 *  - sharers: sharers_hold, after every row of the batch is in;
 *  - room counts: counts_add, once per facility, from fids[0..primaries) (sorted), the
 *    facilities of the primaries' rooms as the caller read them with the rooms
 *    (store_rooms_vacant) in the same unit;
 *  - references: rooms (moved above), persons and leads the batch read in this unit, a
 *    sharer's primary (sharers_hold); test_allocation_counts runs
 *    PRAGMA foreign_key_check after every kind of batch.
 * The unique indexes stay the last word: a room held twice (allocations_room_holders) or
 * a person holding two rooms (allocations_person_active) is refused by the schema as
 * before; so are the CHECK constraints. */
static int allocations_insert_unit(struct sq_store *s, const int64_t *fids, size_t primaries,
                                   const char *actor, int64_t at, const strbuf *rows,
                                   const strbuf *rooms, const strbuf *sharers, fk_err *err)
{
    int was[2];
    sq_checks_off(s->db, true, was);
    int rc = rows_insert(s, at, actor, rows, err);
    if (rc == 0)
        rc = rooms_reserve(s, primaries, at, rooms, err);
    sq_checks_off(s->db, false, was);
    if (rc == 0 && sharers->len > 2)
        rc = sharers_hold(s, sharers, err);
    return rc == 0 ? counts_add(s, fids, primaries, err) : -1;
}

static int sq_allocations_insert(store *st, allocation_rec *al, size_t n, const char *actor,
                                 fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf rows = STRBUF_INIT, rooms = STRBUF_INIT, sharers = STRBUF_INIT;
    size_t primaries = 0;
    int64_t at = fk_now();
    int64_t *fids = fk_calloc(n + 1, sizeof *fids);
    for (size_t i = 0; i < n; i++) {
        al[i].allocated_at = at;
        snprintf(al[i].state, sizeof al[i].state, "reserved");
        if (!al[i].primary_id)
            fids[primaries++] = al[i].facility_id;
    }
    qsort(fids, primaries, sizeof *fids, cmp_id);
    batch_json(al, n, &rows, &rooms, &sharers);
    int rc;
    if (s->depth > 0) {
        rc = allocations_insert_unit(s, fids, primaries, actor, at, &rows, &rooms, &sharers,
                                     err);
    } else {
        rc = sq_begin(s, err);
        if (rc == 0)
            rc = sq_end(s, allocations_insert_unit(s, fids, primaries, actor, at, &rows,
                                                   &rooms, &sharers, err), err);
    }
    free(fids);
    sb_free(&rows);
    sb_free(&rooms);
    sb_free(&sharers);
    return rc;
}

#define ALLOC_SQL                                                                             \
    "SELECT a.id, a.room_id, a.person_id, coalesce(a.primary_id, 0), coalesce(a.lead_id, 0), " \
    "a.state, a.distance_m, a.allocated_at, coalesce(a.ended_at, 0), r.facility_id, r.number, " \
    "f.name FROM allocations a JOIN rooms r ON r.id = a.room_id "                              \
    "JOIN facilities f ON f.id = r.facility_id "

static void allocation_row(sqlite3_stmt *q, void *item)
{
    allocation_rec *al = item;
    al->id = sqlite3_column_int64(q, 0);
    al->room_id = sqlite3_column_int64(q, 1);
    al->person_id = sqlite3_column_int64(q, 2);
    al->primary_id = sqlite3_column_int64(q, 3);
    al->lead_id = sqlite3_column_int64(q, 4);
    sq_col_text(al->state, sizeof al->state, q, 5);
    al->distance_m = sqlite3_column_int64(q, 6);
    al->allocated_at = sqlite3_column_int64(q, 7);
    al->ended_at = sqlite3_column_int64(q, 8);
    al->facility_id = sqlite3_column_int64(q, 9);
    sq_col_text(al->room_number, sizeof al->room_number, q, 10);
    sq_col_text(al->facility_name, sizeof al->facility_name, q, 11);
}

static int sq_allocation_get(store *st, int64_t id, allocation_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    return one(SQ(st), ALLOC_SQL "WHERE a.id = ?", &b, allocation_row, sizeof *out, out,
               "allocation", id, err);
}

static int sq_allocation_of_person(store *st, int64_t person_id, allocation_rec *out,
                                   fk_err *err)
{
    /* the common answer, none, from one cached index probe; the details only for a hit */
    struct sq_store *s = SQ(st);
    int64_t id;
    sqlite3_stmt *q = sq_stmt(s, SQ_ALLOCATION_OF_PERSON,
                              "SELECT id FROM allocations WHERE person_id = ? "
                              "AND state <> 'ended'", err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, person_id);
    if (sq_int_query(s, q, &id, err) != 0)
        return -1;
    if (!id)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no active allocation of person %lld",
                       (long long)person_id);
    sq_binds b = {0};
    sq_bind_add_int(&b, person_id);
    return one(SQ(st), ALLOC_SQL "WHERE a.person_id = ? AND a.state <> 'ended'", &b,
               allocation_row, sizeof *out, out, "active allocation of person", person_id, err);
}

/* ---- isolations --------------------------------------------------------------------------- */

#define ISO_SQL                                                                               \
    "SELECT i.id, i.person_id, i.area_code, i.cohort, i.phase, i.kind, "                       \
    "coalesce(i.allocation_id, 0), coalesce(i.household_id, 0), coalesce(i.lead_id, 0), "     \
    "coalesce(i.case_id, 0), i.day1_date, i.end_date, i.next_kind, i.next_end_date, i.state, " \
    "i.policy_id, i.started_at, coalesce(i.ended_at, 0), p.name, p.id_number, "               \
    "coalesce(r.id, 0), coalesce(r.facility_id, 0), coalesce(r.number, ''), "                 \
    "coalesce(f.name, '') "
#define ISO_FROM                                                                              \
    "isolations i JOIN persons p ON p.id = i.person_id "                                       \
    "LEFT JOIN allocations a ON a.id = i.allocation_id LEFT JOIN rooms r ON r.id = a.room_id " \
    "LEFT JOIN facilities f ON f.id = r.facility_id"

static void isolation_row(sqlite3_stmt *q, void *item)
{
    isolation_rec *i = item;
    i->id = sqlite3_column_int64(q, 0);
    i->person_id = sqlite3_column_int64(q, 1);
    sq_col_text(i->area_code, sizeof i->area_code, q, 2);
    sq_col_text(i->cohort, sizeof i->cohort, q, 3);
    i->phase = sqlite3_column_int(q, 4);
    sq_col_text(i->kind, sizeof i->kind, q, 5);
    i->allocation_id = sqlite3_column_int64(q, 6);
    i->household_id = sqlite3_column_int64(q, 7);
    i->lead_id = sqlite3_column_int64(q, 8);
    i->case_id = sqlite3_column_int64(q, 9);
    sq_col_text(i->day1_date, sizeof i->day1_date, q, 10);
    sq_col_text(i->end_date, sizeof i->end_date, q, 11);
    sq_col_text(i->next_kind, sizeof i->next_kind, q, 12);
    sq_col_text(i->next_end_date, sizeof i->next_end_date, q, 13);
    sq_col_text(i->state, sizeof i->state, q, 14);
    sq_col_text(i->policy_id, sizeof i->policy_id, q, 15);
    i->started_at = sqlite3_column_int64(q, 16);
    i->ended_at = sqlite3_column_int64(q, 17);
    sq_col_text(i->person_name, sizeof i->person_name, q, 18);
    sq_col_text(i->id_number, sizeof i->id_number, q, 19);
    i->room_id = sqlite3_column_int64(q, 20);
    i->facility_id = sqlite3_column_int64(q, 21);
    sq_col_text(i->room_number, sizeof i->room_number, q, 22);
    sq_col_text(i->facility_name, sizeof i->facility_name, q, 23);
}

/* Allocation `id` and every allocation sharing its room move from `from` to `to`. */
static int allocations_move(struct sq_store *s, int64_t id, const char *from, const char *to,
                            int64_t at, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, to);
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, id);
    sq_bind_add_text(&b, from);
    return sq_run_bound(s, "UPDATE allocations SET state = ?1, ended_at = CASE WHEN ?1 = 'ended' "
                        "THEN ?2 END WHERE (id = ?3 OR primary_id = ?3) AND state = ?4", &b, err);
}

/* The allocation the isolation occupies: its room turns occupied with it. */
static int occupy(struct sq_store *s, int64_t allocation_id, int64_t at, fk_err *err)
{
    allocation_rec al;
    if (sq_allocation_get(&s->base, allocation_id, &al, err) != 0)
        return -1;
    if (!strcmp(al.state, "occupied"))
        return 0; /* a household member moved in already */
    if (strcmp(al.state, "reserved") != 0)
        return fk_fail(err, FK_ECONFLICT, "allocation_id",
                       "allocation_id: allocation %lld has ended", (long long)allocation_id);
    int64_t primary = al.primary_id ? al.primary_id : al.id;
    if (allocations_move(s, primary, "reserved", "occupied", at, err) != 0)
        return -1;
    room_rec r;
    if (sq_room_get(&s->base, al.room_id, &r, err) != 0)
        return -1;
    return strcmp(r.state, "reserved") ? 0 : room_move(s, al.room_id, "reserved", "occupied", at,
                                                      err);
}

static int tests_insert(struct sq_store *s, int64_t iso_id, isolation_test_rec *t, size_t n,
                        fk_err *err)
{
    for (size_t i = 0; i < n; i++) {
        sq_binds b = {0};
        t[i].isolation_id = iso_id;
        sq_bind_add_int(&b, iso_id);
        sq_bind_add_int(&b, t[i].day);
        sq_bind_add_text(&b, t[i].due_date);
        sq_bind_add_text(&b, t[i].test_kind);
        if (sq_run_bound(s, "INSERT INTO isolation_tests (isolation_id, day, due_date, test_kind) "
                         "VALUES (?,?,?,?)", &b, err) != 0)
            return -1;
        t[i].id = sqlite3_last_insert_rowid(s->db);
    }
    return 0;
}

static int isolation_insert_unit(struct sq_store *s, isolation_rec *iso, isolation_test_rec *t,
                                 size_t n, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    iso->started_at = iso->started_at ? iso->started_at : fk_now();
    sq_bind_add_int(&b, iso->person_id);
    sq_bind_add_text(&b, iso->area_code);
    sq_bind_add_text(&b, iso->cohort);
    sq_bind_add_int(&b, iso->phase);
    sq_bind_add_text(&b, iso->kind);
    bind_opt_id(&b, iso->allocation_id);
    bind_opt_id(&b, iso->household_id);
    bind_opt_id(&b, iso->lead_id);
    sq_bind_add_text(&b, iso->day1_date);
    sq_bind_add_text(&b, iso->end_date);
    sq_bind_add_text(&b, iso->next_kind);
    sq_bind_add_text(&b, iso->next_end_date);
    sq_bind_add_text(&b, iso->policy_id);
    sq_bind_add_int(&b, iso->started_at);
    if (sq_run_bound(s, "INSERT INTO isolations (person_id, area_code, cohort, phase, kind, "
                     "allocation_id, household_id, lead_id, day1_date, end_date, next_kind, "
                     "next_end_date, policy_id, started_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     &b, err) != 0)
        return fk_fail(err, err->code, err->code == FK_ECONFLICT ? "person_id" : err->field,
                       "%s", err->code == FK_ECONFLICT
                                 ? "person_id: the person is in an active isolation already"
                                 : err->message);
    iso->id = sqlite3_last_insert_rowid(s->db);
    snprintf(iso->state, sizeof iso->state, "active");
    if (iso->allocation_id && occupy(s, iso->allocation_id, iso->started_at, err) != 0)
        return -1;
    if (tests_insert(s, iso->id, t, n, err) != 0)
        return -1;
    return sq_audit_write(s, a, iso->id, err);
}

static int sq_isolation_insert(store *st, isolation_rec *iso, isolation_test_rec *t, size_t n,
                               const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, isolation_insert_unit(s, iso, t, n, a, err), err);
}

static int sq_isolation_get(store *st, int64_t id, isolation_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    return one(SQ(st), ISO_SQL "FROM " ISO_FROM " WHERE i.id = ?", &b, isolation_row,
               sizeof *out, out, "isolation", id, err);
}

static int sq_isolation_list(store *st, const isolation_filter *f, isolation_list *out,
                             fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    sq_where_prefix(&w, &b, "i.area_code", f->area_prefix);
    if (sq_given(f->state)) {
        sb_append(&w, " AND i.state = ?");
        sq_bind_add_text(&b, f->state);
    }
    if (sq_given(f->kind)) {
        sb_append(&w, " AND i.kind = ?");
        sq_bind_add_text(&b, f->kind);
    }
    if (f->facility_id) {
        sb_append(&w, " AND r.facility_id = ?");
        sq_bind_add_int(&b, f->facility_id);
    }
    if (f->person_id) {
        sb_append(&w, " AND i.person_id = ?");
        sq_bind_add_int(&b, f->person_id);
    }
    /* ISO_SQL starts with SELECT; sq_page wants the bare column list */
    sq_page_query q = {ISO_SQL + 7, ISO_FROM, sb_str(&w), "i.id DESC", f->limit, f->offset,
                       isolation_row, sizeof(isolation_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static void test_row(sqlite3_stmt *q, void *item)
{
    isolation_test_rec *t = item;
    t->id = sqlite3_column_int64(q, 0);
    t->isolation_id = sqlite3_column_int64(q, 1);
    t->day = sqlite3_column_int(q, 2);
    sq_col_text(t->due_date, sizeof t->due_date, q, 3);
    sq_col_text(t->test_kind, sizeof t->test_kind, q, 4);
    sq_col_text(t->result, sizeof t->result, q, 5);
    t->result_at = sqlite3_column_int64(q, 6);
    sq_col_text(t->recorded_by, sizeof t->recorded_by, q, 7);
    t->person_id = sqlite3_column_int64(q, 8);
    sq_col_text(t->person_name, sizeof t->person_name, q, 9);
    sq_col_text(t->area_code, sizeof t->area_code, q, 10);
    sq_col_text(t->place, sizeof t->place, q, 11);
}

#define TEST_SQL                                                                              \
    "SELECT t.id, t.isolation_id, t.day, t.due_date, t.test_kind, t.result, "                  \
    "coalesce(t.result_at, 0), t.recorded_by, i.person_id, p.name, i.area_code, "             \
    "coalesce(f.name || ' ' || r.number, '') FROM isolation_tests t "                         \
    "JOIN isolations i ON i.id = t.isolation_id JOIN persons p ON p.id = i.person_id "        \
    "LEFT JOIN allocations a ON a.id = i.allocation_id LEFT JOIN rooms r ON r.id = a.room_id " \
    "LEFT JOIN facilities f ON f.id = r.facility_id "

static int sq_isolation_tests(store *st, int64_t iso_id, isolation_test_list *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, iso_id);
    return sq_collect_sql(SQ(st), TEST_SQL "WHERE t.isolation_id = ? ORDER BY t.day", &b, test_row,
                          sizeof(isolation_test_rec), (void **)&out->items, &out->n, err);
}

static int test_result_unit(struct sq_store *s, int64_t test_id, const char *result,
                            const char *by, int64_t at, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_text(&b, result);
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, by);
    sq_bind_add_int(&b, test_id);
    if (sq_run_bound(s, "UPDATE isolation_tests SET result = ?, result_at = ?, recorded_by = ? "
                     "WHERE id = ? AND result = ''", &b, err) != 0)
        return -1;
    if (sqlite3_changes(s->db) != 1)
        return fk_fail(err, FK_ECONFLICT, "result", "result: test %lld has a result already",
                       (long long)test_id);
    return sq_audit_write(s, a, test_id, err);
}

static int sq_isolation_test_result(store *st, int64_t test_id, const char *result,
                                    const char *by, int64_t at, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, test_result_unit(s, test_id, result, by, at, a, err), err);
}

/* A primary leaving while sharers stay: the first sharer becomes the room's primary and
 * the others point to it (the primary's row is ended already, so the room still has one
 * active primary). */
static int promote_sharer(struct sq_store *s, int64_t old_primary, fk_err *err)
{
    sq_binds b = {0};
    int64_t next;
    sq_bind_add_int(&b, old_primary);
    if (sq_count(s, "SELECT coalesce(min(id), 0) FROM allocations WHERE primary_id = ? "
                 "AND state <> 'ended'", &b, &next, err) != 0)
        return -1;
    if (!next)
        return 0;
    sq_binds c = {0};
    sq_bind_add_int(&c, next);
    sq_bind_add_int(&c, old_primary);
    return sq_run_bound(
        s,
        "UPDATE allocations SET primary_id = CASE WHEN id = ?1 THEN NULL ELSE ?1 END "
        "WHERE primary_id = ?2 AND state <> 'ended'",
        &c, err);
}

/* End the isolation's allocation; the room goes to cleaning when nobody holds it. */
static int leave_room(struct sq_store *s, int64_t allocation_id, int64_t at, fk_err *err)
{
    allocation_rec al;
    sq_binds b = {0};
    int64_t holders;
    if (sq_allocation_get(&s->base, allocation_id, &al, err) != 0)
        return -1;
    if (!strcmp(al.state, "ended"))
        return 0;
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, al.id);
    if (sq_run_bound(s, "UPDATE allocations SET state = 'ended', ended_at = ? WHERE id = ?", &b,
                     err))
        return -1;
    if (!al.primary_id && promote_sharer(s, al.id, err) != 0)
        return -1;
    sq_binds d = {0};
    sq_bind_add_int(&d, al.room_id);
    if (sq_count(s, "SELECT count(*) FROM allocations WHERE room_id = ? AND state <> 'ended'",
                 &d, &holders, err) != 0)
        return -1;
    room_rec r;
    if (holders > 0 || sq_room_get(&s->base, al.room_id, &r, err) != 0)
        return holders > 0 ? 0 : -1;
    return room_move(s, r.id, r.state, strcmp(r.state, "reserved") ? "cleaning" : "vacant", at,
                     err);
}

static int isolation_end_unit(struct sq_store *s, int64_t id, const char *state,
                              int64_t case_id, int64_t at, const audit_rec *a, fk_err *err)
{
    isolation_rec iso;
    sq_binds b = {0};
    if (sq_isolation_get(&s->base, id, &iso, err) != 0)
        return -1;
    if (strcmp(iso.state, "active") != 0)
        return fk_fail(err, FK_ECONFLICT, "state", "state: isolation %lld is %s already",
                       (long long)id, iso.state);
    sq_bind_add_text(&b, state);
    bind_opt_id(&b, case_id);
    sq_bind_add_int(&b, at);
    sq_bind_add_int(&b, id);
    if (sq_run_bound(s, "UPDATE isolations SET state = ?, case_id = ?, ended_at = ? WHERE id = ?",
                     &b, err) != 0)
        return -1;
    if (iso.allocation_id && leave_room(s, iso.allocation_id, at, err) != 0)
        return -1;
    return sq_audit_write(s, a, id, err);
}

static int sq_isolation_end(store *st, int64_t id, const char *state, int64_t case_id,
                            int64_t at, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, isolation_end_unit(s, id, state, case_id, at, a, err), err);
}

static int sq_isolation_due(store *st, const char *date, const char *area_prefix,
                            isolation_test_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    sb_append(&w, TEST_SQL "WHERE t.result = '' AND t.due_date <= ? AND i.state = 'active'");
    sq_bind_add_text(&b, date);
    sq_where_prefix(&w, &b, "i.area_code", area_prefix);
    sb_append(&w, " ORDER BY t.due_date, t.id");
    int rc = sq_collect_sql(SQ(st), sb_str(&w), &b, test_row, sizeof(isolation_test_rec),
                            (void **)&out->items, &out->n, err);
    sb_free(&w);
    return rc;
}

/* ---- outlook ----------------------------------------------------------------------------- */

static int sq_outlook_counts(store *st, const char *area_prefix, const char *measure,
                             int64_t since, outlook_counts *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    int began, rc = -1;
    memset(out, 0, sizeof *out);
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    sb_append(&w, "SELECT coalesce(sum(n_vacant), 0), coalesce(sum(n_cleaning), 0), "
              "coalesce(sum(n_occupied), 0), coalesce(sum(n_reserved), 0), "
              "coalesce(sum(n_out_of_order), 0) FROM facilities WHERE state = 'open'");
    sq_where_prefix(&w, &b, "area_code", area_prefix);
    sqlite3_stmt *q = sq_prepare_bound(s, sb_str(&w), &b, err);
    if (q && sq_step_row(s, q, err) == 1) {
        out->vacant = sqlite3_column_int64(q, 0);
        out->cleaning = sqlite3_column_int64(q, 1);
        out->occupied = sqlite3_column_int64(q, 2);
        out->reserved = sqlite3_column_int64(q, 3);
        out->out_of_order = sqlite3_column_int64(q, 4);
        rc = 0;
    }
    sqlite3_finalize(q);
    sb_free(&w);
    /* leads not yet controlled that will need a room */
    sq_binds l = {0};
    sb_append(&w, "SELECT count(*) FROM ");
    sq_lead_area_from(&w, &l, area_prefix);
    sb_append(&w, " WHERE l.state IN ('pushed', 'received', 'found', 'not_found', 'refused') "
              "AND l.measure_required = ?");
    sq_bind_add_text(&l, measure);
    rc = rc || sq_count(s, sb_str(&w), &l, &out->leads_in_flight, err);
    sb_free(&w);
    sq_binds t = {0};
    sb_append(&w, "SELECT count(*) FROM isolations WHERE started_at >= ? "
              "AND kind = 'central_isolation'");
    sq_bind_add_int(&t, since);
    sq_where_prefix(&w, &t, "area_code", area_prefix);
    rc = rc || sq_count(s, sb_str(&w), &t, &out->started_in_window, err);
    sb_free(&w);
    sq_read_end(s, began);
    return rc ? -1 : 0;
}

static int sq_outlook_freeing(store *st, const char *area_prefix, int64_t by, int64_t cleaning_s,
                              const char *last_end_day, int64_t *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    int64_t cleaned = 0, released = 0;
    sb_append(&w, "SELECT count(*) FROM rooms r JOIN facilities f ON f.id = r.facility_id "
              "WHERE r.state = 'cleaning' AND f.state = 'open' AND r.state_since <= ?");
    sq_bind_add_int(&b, by - cleaning_s);
    sq_where_prefix(&w, &b, "f.area_code", area_prefix);
    int rc = sq_count(s, sb_str(&w), &b, &cleaned, err);
    sb_free(&w);
    sq_binds c = {0};
    sb_append(&w, "SELECT count(DISTINCT a.room_id) FROM isolations i "
              "JOIN allocations a ON a.id = i.allocation_id "
              "JOIN rooms r ON r.id = a.room_id JOIN facilities f ON f.id = r.facility_id "
              "WHERE i.state = 'active' AND i.end_date <= ? AND f.state = 'open'");
    sq_bind_add_text(&c, last_end_day);
    sq_where_prefix(&w, &c, "f.area_code", area_prefix);
    rc = rc || sq_count(s, sb_str(&w), &c, &released, err);
    sb_free(&w);
    *out = cleaned + released;
    return rc ? -1 : 0;
}

const struct store_isolation_ops sq_isolation_ops = {
    .facility_insert = sq_facility_insert,
    .facility_update = sq_facility_update,
    .facility_get = sq_facility_get,
    .facility_list = sq_facility_list,
    .facility_open = sq_facility_open,
    .rooms_insert = sq_rooms_insert,
    .room_list = sq_room_list,
    .room_get = sq_room_get,
    .room_set_state = sq_room_set_state,
    .rooms_vacant = sq_rooms_vacant,
    .staff_insert = sq_staff_insert,
    .staff_list = sq_staff_list,
    .check_set = sq_check_set,
    .check_list = sq_check_list,
    .person_places = sq_person_places,
    .homes_version = sq_homes_version,
    .homes_each = sq_homes_each,
    .lead_areas = sq_lead_areas,
    .allocation_insert = sq_allocation_insert,
    .allocation_next_id = sq_allocation_next_id,
    .allocations_insert = sq_allocations_insert,
    .allocation_get = sq_allocation_get,
    .allocation_of_person = sq_allocation_of_person,
    .isolation_insert = sq_isolation_insert,
    .isolation_get = sq_isolation_get,
    .isolation_list = sq_isolation_list,
    .isolation_tests = sq_isolation_tests,
    .isolation_test_result = sq_isolation_test_result,
    .isolation_end = sq_isolation_end,
    .isolation_due = sq_isolation_due,
    .outlook_counts = sq_outlook_counts,
    .outlook_freeing = sq_outlook_freeing,
};
