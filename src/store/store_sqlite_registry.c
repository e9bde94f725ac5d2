/*
 * store_sqlite_registry.c - areas, buildings, households, venues and persons in SQLite.
 *
 * Every write is one unit (sq_begin ... sq_end) holding the write lock from its
 * first read: references (parent area, grid, building, household, community) and
 * uniqueness (area code, venue code, (id_type, id_number)) are checked in the unit
 * that writes, with the precise field in the error. A household's community_code
 * is derived building -> grid -> the grid's parent community; a resident's comes
 * from the household.
 *
 * Person lists: `q` is a prefix of name, ID number or phone, answered by the union
 * of three index range scans (col >= q AND col < q || U+10FFFF) rather than LIKE,
 * which cannot use the plain indexes; area_prefix is a range on community_code.
 * Results are ordered by id; `total` counts the whole filtered set.
 */
#include <string.h>

#include "base/timeutil.h"
#include "store/store_sqlite_int.h"

#define SQ_PERSON_COLS                                                                         \
    "p.id, p.name, p.id_type, p.id_number, p.sex, p.birth_date, p.phone, p.resident_type, "   \
    "p.household_id, p.address, p.community_code, p.work_unit, p.flags, p.created_at, "       \
    "p.updated_at"

const char sq_person_prefix_ids[] =
    "SELECT id FROM persons WHERE name >= ? AND name < ? || char(1114111) "
    "UNION SELECT id FROM persons WHERE id_number >= ? AND id_number < ? || char(1114111) "
    "UNION SELECT id FROM persons WHERE phone >= ? AND phone < ? || char(1114111)";

/* ---- areas ------------------------------------------------------------------------ */

static void sq_area_row(sqlite3_stmt *st, void *item)
{
    area *a = item;
    sq_col_text(a->code, sizeof a->code, st, 0);
    sq_col_text(a->parent_code, sizeof a->parent_code, st, 1);
    sq_col_text(a->name, sizeof a->name, st, 2);
    sq_col_text(a->level, sizeof a->level, st, 3);
}

/* 1 and *out filled when the area exists, 0 when not, -1 on error. */
static int sq_area_lookup(struct sq_store *s, const char *code, area *out, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_AREA_GET,
                               "SELECT code, coalesce(parent_code, ''), name, level FROM areas "
                               "WHERE code = ?",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, code);
    int r = sq_step_row(s, st, err);
    if (r == 1) {
        sq_area_row(st, out);
        sqlite3_reset(st);
    }
    return r;
}

static int sq_area_insert_unit(struct sq_store *s, const area *a, fk_err *err)
{
    area found;
    int r = sq_area_lookup(s, a->code, &found, err);
    if (r != 0)
        return r < 0 ? -1 : fk_fail(err, FK_ECONFLICT, "code", "code: area %s already exists",
                                    a->code);
    if (a->parent_code[0]) {
        r = sq_area_lookup(s, a->parent_code, &found, err);
        if (r <= 0)
            return r < 0 ? -1 : fk_fail(err, FK_EREF, "parent_code",
                                        "parent_code: area %s does not exist", a->parent_code);
    }
    sqlite3_stmt *st = sq_stmt(s, SQ_AREA_INSERT,
                               "INSERT INTO areas (code, parent_code, level, name) "
                               "VALUES (?, ?, ?, ?)",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, a->code);
    sq_bind_text(st, 2, a->parent_code[0] ? a->parent_code : NULL);
    sq_bind_text(st, 3, a->level);
    sq_bind_text(st, 4, a->name);
    return sq_exec_stmt(s, st, err);
}

int sq_area_insert(store *st, const area *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_area_insert_unit(s, a, err), err);
}

int sq_area_get(store *st, const char *code, area *out, fk_err *err)
{
    int r = sq_area_lookup(SQ(st), code, out, err);
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "code", "code: area %s does not exist", code);
    return r < 0 ? -1 : 0;
}

int sq_area_children(store *st, const char *parent_code, area_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q;
    memset(out, 0, sizeof *out);
    if (sq_given(parent_code)) {
        q = sq_stmt(s, SQ_AREA_CHILDREN,
                    "SELECT code, coalesce(parent_code, ''), name, level FROM areas "
                    "WHERE parent_code = ? ORDER BY code",
                    err);
        if (q)
            sq_bind_text(q, 1, parent_code);
    } else {
        q = sq_stmt(s, SQ_AREA_DISTRICTS,
                    "SELECT code, '', name, level FROM areas WHERE parent_code IS NULL "
                    "ORDER BY code",
                    err);
    }
    if (!q)
        return -1;
    return sq_collect(s, q, sq_area_row, sizeof(area), (void **)&out->items, &out->n, err);
}

/* ---- buildings and households ------------------------------------------------------ */

/* FK_EREF naming `field` unless `code` is an area of `level`. */
static int sq_require_area(struct sq_store *s, const char *code, const char *level,
                           const char *field, fk_err *err)
{
    area a;
    int r = sq_area_lookup(s, code, &a, err);
    if (r < 0)
        return -1;
    if (r == 0 || strcmp(a.level, level) != 0)
        return fk_fail(err, FK_EREF, field, "%s: no %s with code %s", field, level, code);
    return 0;
}

static int sq_building_insert_unit(struct sq_store *s, building *b, fk_err *err)
{
    if (sq_require_area(s, b->grid_code, "grid", "grid_code", err) != 0)
        return -1;
    sqlite3_stmt *st = sq_stmt(s, SQ_BUILDING_INSERT,
                               "INSERT INTO buildings (grid_code, name, lon, lat) "
                               "VALUES (?, ?, ?, ?)",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, b->grid_code);
    sq_bind_text(st, 2, b->name);
    sqlite3_bind_double(st, 3, b->lon);
    sqlite3_bind_double(st, 4, b->lat);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    b->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_building_insert(store *st, building *b, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_building_insert_unit(s, b, err), err);
}

static int sq_household_insert_unit(struct sq_store *s, household *h, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_BUILDING_COMMUNITY,
                               "SELECT g.parent_code FROM buildings b "
                               "JOIN areas g ON g.code = b.grid_code WHERE b.id = ?",
                               err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, h->building_id);
    int r = sq_step_row(s, st, err);
    if (r <= 0)
        return r < 0 ? -1 : fk_fail(err, FK_EREF, "building_id",
                                    "building_id: building %lld does not exist",
                                    (long long)h->building_id);
    sq_col_text(h->community_code, sizeof h->community_code, st, 0);
    sqlite3_reset(st);
    st = sq_stmt(s, SQ_HOUSEHOLD_INSERT,
                 "INSERT INTO households (building_id, room, community_code) VALUES (?, ?, ?)",
                 err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, h->building_id);
    sq_bind_text(st, 2, h->room);
    sq_bind_text(st, 3, h->community_code);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    h->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_household_insert(store *st, household *h, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_household_insert_unit(s, h, err), err);
}

#define SQ_HOUSEHOLD_SELECT                                                                    \
    "SELECT h.id, h.building_id, h.room, h.community_code, b.name FROM households h "         \
    "JOIN buildings b ON b.id = h.building_id"

static void sq_household_row(sqlite3_stmt *st, void *item)
{
    household *h = item;
    h->id = sqlite3_column_int64(st, 0);
    h->building_id = sqlite3_column_int64(st, 1);
    sq_col_text(h->room, sizeof h->room, st, 2);
    sq_col_text(h->community_code, sizeof h->community_code, st, 3);
    sq_col_text(h->building_name, sizeof h->building_name, st, 4);
}

/* 1 and *out filled when found, 0 when not, -1 on error. */
static int sq_household_lookup(struct sq_store *s, int64_t id, household *out, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_HOUSEHOLD_GET, SQ_HOUSEHOLD_SELECT " WHERE h.id = ?", err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int r = sq_step_row(s, st, err);
    if (r == 1) {
        memset(out, 0, sizeof *out);
        sq_household_row(st, out);
        sqlite3_reset(st);
    }
    return r;
}

/* Households of one community (exact code), ordered by id, with the total. */
int sq_household_list(store *st, const char *community_code, int limit, int offset,
                      household_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    const char *code = community_code ? community_code : "";
    int began = 0, rc = -1;
    memset(out, 0, sizeof *out);
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    sqlite3_stmt *q = sq_stmt(s, SQ_HOUSEHOLD_COUNT,
                              "SELECT count(*) FROM households WHERE community_code = ?", err);
    if (!q)
        goto done;
    sq_bind_text(q, 1, code);
    if (sq_int_query(s, q, &out->total, err) != 0)
        goto done;
    q = sq_stmt(s, SQ_HOUSEHOLD_PAGE,
                SQ_HOUSEHOLD_SELECT " WHERE h.community_code = ? ORDER BY h.id LIMIT ? OFFSET ?",
                err);
    if (!q)
        goto done;
    sq_bind_text(q, 1, code);
    sqlite3_bind_int(q, 2, sq_limit(limit));
    sqlite3_bind_int(q, 3, sq_offset(offset));
    rc = sq_collect(s, q, sq_household_row, sizeof(household), (void **)&out->items, &out->n,
                    err);
done:
    sq_read_end(s, began);
    return rc;
}

int sq_household_get(store *st, int64_t id, household *out, fk_err *err)
{
    int r = sq_household_lookup(SQ(st), id, out, err);
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: household %lld does not exist",
                       (long long)id);
    return r < 0 ? -1 : 0;
}

/* ---- venues ------------------------------------------------------------------------- */

static int sq_venue_insert_unit(struct sq_store *s, venue *v, fk_err *err)
{
    int64_t used = 0;
    sqlite3_stmt *st = sq_stmt(s, SQ_VENUE_CODE_USED, "SELECT count(*) FROM venues WHERE code = ?",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, v->code);
    if (sq_int_query(s, st, &used, err) != 0)
        return -1;
    if (used)
        return fk_fail(err, FK_ECONFLICT, "code", "code: venue %s already exists", v->code);
    if (sq_require_area(s, v->grid_code, "grid", "grid_code", err) != 0)
        return -1;
    st = sq_stmt(s, SQ_VENUE_INSERT,
                 "INSERT INTO venues (code, name, kind, grid_code, lon, lat) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, v->code);
    sq_bind_text(st, 2, v->name);
    sq_bind_text(st, 3, v->kind);
    sq_bind_text(st, 4, v->grid_code);
    sqlite3_bind_double(st, 5, v->lon);
    sqlite3_bind_double(st, 6, v->lat);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    v->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_venue_insert(store *st, venue *v, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_venue_insert_unit(s, v, err), err);
}

static void sq_venue_row(sqlite3_stmt *st, void *item)
{
    venue *v = item;
    v->id = sqlite3_column_int64(st, 0);
    sq_col_text(v->code, sizeof v->code, st, 1);
    sq_col_text(v->name, sizeof v->name, st, 2);
    sq_col_text(v->kind, sizeof v->kind, st, 3);
    sq_col_text(v->grid_code, sizeof v->grid_code, st, 4);
    v->lon = sqlite3_column_double(st, 5);
    v->lat = sqlite3_column_double(st, 6);
}

int sq_venue_list(store *st, const char *area_prefix, const char *kind, int limit, int offset,
                  venue_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    if (sq_given(area_prefix)) {
        sb_append(&w, " AND grid_code >= ? AND grid_code < ? || '~'");
        sq_bind_add_text(&b, area_prefix);
        sq_bind_add_text(&b, area_prefix);
    }
    if (sq_given(kind)) {
        sb_append(&w, " AND kind = ?");
        sq_bind_add_text(&b, kind);
    }
    sq_page_query q = {"id, code, name, kind, grid_code, lon, lat", "venues", sb_str(&w), "id",
                       limit, offset, sq_venue_row, sizeof(venue)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

/* ---- persons ------------------------------------------------------------------------ */

static void sq_person_row(sqlite3_stmt *st, void *item)
{
    person *p = item;
    p->id = sqlite3_column_int64(st, 0);
    sq_col_text(p->name, sizeof p->name, st, 1);
    sq_col_text(p->id_type, sizeof p->id_type, st, 2);
    sq_col_text(p->id_number, sizeof p->id_number, st, 3);
    sq_col_text(p->sex, sizeof p->sex, st, 4);
    sq_col_text(p->birth_date, sizeof p->birth_date, st, 5);
    sq_col_text(p->phone, sizeof p->phone, st, 6);
    sq_col_text(p->resident_type, sizeof p->resident_type, st, 7);
    p->household_id = sqlite3_column_int64(st, 8);
    sq_col_text(p->address, sizeof p->address, st, 9);
    sq_col_text(p->community_code, sizeof p->community_code, st, 10);
    sq_col_text(p->work_unit, sizeof p->work_unit, st, 11);
    p->flags = (unsigned)sqlite3_column_int64(st, 12);
    p->created_at = sqlite3_column_int64(st, 13);
    p->updated_at = sqlite3_column_int64(st, 14);
}

/* Binds the 14 stored fields after id at parameters 1..14, in column order. */
static void sq_person_bind(sqlite3_stmt *st, const person *p)
{
    sq_bind_text(st, 1, p->name);
    sq_bind_text(st, 2, p->id_type);
    sq_bind_text(st, 3, p->id_number);
    sq_bind_text(st, 4, p->sex);
    sq_bind_text(st, 5, p->birth_date);
    sq_bind_text(st, 6, p->phone);
    sq_bind_text(st, 7, p->resident_type);
    if (p->household_id > 0)
        sqlite3_bind_int64(st, 8, p->household_id);
    else
        sqlite3_bind_null(st, 8);
    sq_bind_text(st, 9, p->address);
    sq_bind_text(st, 10, p->community_code);
    sq_bind_text(st, 11, p->work_unit);
    sqlite3_bind_int64(st, 12, p->flags);
    sqlite3_bind_int64(st, 13, p->created_at);
    sqlite3_bind_int64(st, 14, p->updated_at);
}

/* Resolve the person's references: a household (residents; community_code then
 * copied from it) or a community (non-residents). */
static int sq_person_refs(struct sq_store *s, person *p, fk_err *err)
{
    if (p->household_id > 0 || !strcmp(p->resident_type, "resident")) {
        household h;
        int r = sq_household_lookup(s, p->household_id, &h, err);
        if (r <= 0)
            return r < 0 ? -1 : fk_fail(err, FK_EREF, "household_id",
                                        "household_id: household %lld does not exist",
                                        (long long)p->household_id);
        memcpy(p->community_code, h.community_code, sizeof p->community_code);
        return 0;
    }
    return sq_require_area(s, p->community_code, "community", "community_code", err);
}

/* FK_ECONFLICT unless (id_type, id_number) is free or belongs to person `self`. */
static int sq_person_unique(struct sq_store *s, const person *p, int64_t self, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_PERSON_DUPLICATE,
                               "SELECT id FROM persons WHERE id_type = ? AND id_number = ?", err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, p->id_type);
    sq_bind_text(st, 2, p->id_number);
    int64_t other = 0;
    if (sq_int_query(s, st, &other, err) != 0)
        return -1;
    if (other && other != self)
        return fk_fail(err, FK_ECONFLICT, "id_number",
                       "id_number: a person with this %s ID number is already registered (id %lld)",
                       p->id_type, (long long)other);
    return 0;
}

static int sq_person_insert_unit(struct sq_store *s, person *p, const audit_rec *a, fk_err *err)
{
    if (sq_person_refs(s, p, err) != 0 || sq_person_unique(s, p, 0, err) != 0)
        return -1;
    sqlite3_stmt *st = sq_stmt(s, SQ_PERSON_INSERT,
                               "INSERT INTO persons (name, id_type, id_number, sex, birth_date, "
                               "phone, resident_type, household_id, address, community_code, "
                               "work_unit, flags, created_at, updated_at) "
                               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               err);
    if (!st)
        return -1;
    p->created_at = p->updated_at = fk_now();
    sq_person_bind(st, p);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    p->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, p->id, err);
}

int sq_person_insert(store *st, person *p, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    int rc = sq_end(s, sq_person_insert_unit(s, p, a, err), err);
    if (rc != 0)
        p->id = 0;
    return rc;
}

/* 1 and *out filled when found, 0 when not, -1 on error. */
static int sq_person_lookup(struct sq_store *s, enum sq_stmt_id id, const char *sql,
                            int64_t num, const char *text, person *out, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, id, sql, err);
    if (!st)
        return -1;
    if (text)
        sq_bind_text(st, 1, text);
    else
        sqlite3_bind_int64(st, 1, num);
    int r = sq_step_row(s, st, err);
    if (r == 1) {
        memset(out, 0, sizeof *out);
        sq_person_row(st, out);
        sqlite3_reset(st);
    }
    return r;
}

static int sq_person_by_id(struct sq_store *s, int64_t id, person *out, fk_err *err)
{
    return sq_person_lookup(s, SQ_PERSON_GET,
                            "SELECT " SQ_PERSON_COLS " FROM persons p WHERE p.id = ?", id, NULL,
                            out, err);
}

static int sq_person_update_unit(struct sq_store *s, person *p, const audit_rec *a, fk_err *err)
{
    person old;
    int r = sq_person_by_id(s, p->id, &old, err);
    if (r <= 0)
        return r < 0 ? -1 : fk_fail(err, FK_ENOTFOUND, "id", "id: person %lld does not exist",
                                    (long long)p->id);
    if (sq_person_refs(s, p, err) != 0 || sq_person_unique(s, p, p->id, err) != 0)
        return -1;
    sqlite3_stmt *st = sq_stmt(s, SQ_PERSON_UPDATE,
                               "UPDATE persons SET name = ?1, id_type = ?2, id_number = ?3, "
                               "sex = ?4, birth_date = ?5, phone = ?6, resident_type = ?7, "
                               "household_id = ?8, address = ?9, community_code = ?10, "
                               "work_unit = ?11, flags = ?12, created_at = ?13, "
                               "updated_at = ?14 WHERE id = ?15",
                               err);
    if (!st)
        return -1;
    p->created_at = old.created_at;
    p->updated_at = fk_now();
    sq_person_bind(st, p);
    sqlite3_bind_int64(st, 15, p->id);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    return sq_audit_write(s, a, p->id, err);
}

int sq_person_update(store *st, person *p, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_person_update_unit(s, p, a, err), err);
}

int sq_person_get(store *st, int64_t id, person *out, fk_err *err)
{
    int r = sq_person_by_id(SQ(st), id, out, err);
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: person %lld does not exist", (long long)id);
    return r < 0 ? -1 : 0;
}

/* Any ID type; the lowest id when two types share a number. */
int sq_person_find_by_id_number(store *st, const char *id_number, person *out, fk_err *err)
{
    int r = sq_person_lookup(SQ(st), SQ_PERSON_BY_ID_NUMBER,
                             "SELECT " SQ_PERSON_COLS " FROM persons p WHERE p.id_number = ? "
                             "ORDER BY p.id LIMIT 1",
                             0, id_number ? id_number : "", out, err);
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "id_number",
                       "id_number: no person with this ID number is registered");
    return r < 0 ? -1 : 0;
}

int sq_person_find_by_subject(store *st, const char *subject, person *out, fk_err *err)
{
    int r = sq_person_lookup(SQ(st), SQ_PERSON_BY_SUBJECT,
                             "SELECT " SQ_PERSON_COLS " FROM persons p WHERE p.phone = ?1 "
                             "OR p.id_number = ?1 ORDER BY p.id LIMIT 1",
                             0, subject ? subject : "", out, err);
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "subject",
                       "subject: no person with this phone or ID number is registered");
    return r < 0 ? -1 : 0;
}

static void sq_person_where(const person_filter *f, strbuf *w, sq_binds *b)
{
    sb_append(w, " WHERE 1");
    if (sq_given(f->q)) {
        sb_appendf(w, " AND p.id IN (%s)", sq_person_prefix_ids);
        for (int i = 0; i < 6; i++)
            sq_bind_add_text(b, f->q);
    }
    if (sq_given(f->area_prefix)) {
        sb_append(w, " AND p.community_code >= ? AND p.community_code < ? || '~'");
        sq_bind_add_text(b, f->area_prefix);
        sq_bind_add_text(b, f->area_prefix);
    }
    if (sq_given(f->community_code)) {
        sb_append(w, " AND p.community_code = ?");
        sq_bind_add_text(b, f->community_code);
    }
    if (f->household_id) {
        sb_append(w, " AND p.household_id = ?");
        sq_bind_add_int(b, f->household_id);
    }
    if (sq_given(f->resident_type)) {
        sb_append(w, " AND p.resident_type = ?");
        sq_bind_add_text(b, f->resident_type);
    }
    if (sq_given(f->sex)) {
        sb_append(w, " AND p.sex = ?");
        sq_bind_add_text(b, f->sex);
    }
    if (f->flags_any) {
        sb_append(w, " AND (p.flags & ?) != 0");
        sq_bind_add_int(b, f->flags_any);
    }
}

int sq_person_list(store *st, const person_filter *f, person_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_person_where(f, &w, &b);
    sq_page_query q = {SQ_PERSON_COLS, "persons p", sb_str(&w), "p.id", f->limit, f->offset,
                       sq_person_row, sizeof(person)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}
