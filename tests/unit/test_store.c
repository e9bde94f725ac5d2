/* test_store.c - the SQLite store: migrations, references, uniqueness, lists, cases,
 * audit, batches, sessions, check, and concurrent handles. Each test gets a fresh
 * temporary data directory (fixture). */
#include "testutil.h"

#include <pthread.h>
#include <sqlite3.h>

#include "base/timeutil.h"
#include "model/idcard.h"
#include "store/store.h"

#define DISTRICT "510104"
#define STREET "510104001"
#define COMMUNITY "510104001001"
#define GRID "510104001001001"
#define COMMUNITY2 "510104001002"
#define GRID2 "510104001002001"

typedef struct fixture {
    char *dir;
    store *st;
    int64_t household, household2; /* in COMMUNITY and COMMUNITY2 */
} fixture;

static void add_area(store *st, const char *code, const char *parent, const char *level)
{
    area a = {0};
    fk_err err;
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.parent_code, sizeof a.parent_code, "%s", parent);
    snprintf(a.level, sizeof a.level, "%s", level);
    snprintf(a.name, sizeof a.name, "area %s", code);
    if (store_area_insert(st, &a, &err) != 0)
        fail_msg("area %s: %s", code, err.message);
}

static int64_t add_household(store *st, const char *grid, const char *room)
{
    fk_err err;
    building b = {0};
    snprintf(b.grid_code, sizeof b.grid_code, "%s", grid);
    snprintf(b.name, sizeof b.name, "1栋");
    b.lon = 104.06;
    b.lat = 30.67;
    assert_int_equal(store_building_insert(st, &b, &err), 0);
    assert_true(b.id > 0);
    household h = {0};
    h.building_id = b.id;
    snprintf(h.room, sizeof h.room, "%s", room);
    assert_int_equal(store_household_insert(st, &h, &err), 0);
    assert_true(h.id > 0);
    return h.id;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    fk_err err;
    f->dir = test_tmpdir();
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("store_open: %s", err.message);
    add_area(f->st, DISTRICT, "", "district");
    add_area(f->st, STREET, DISTRICT, "street");
    add_area(f->st, COMMUNITY, STREET, "community");
    add_area(f->st, GRID, COMMUNITY, "grid");
    add_area(f->st, COMMUNITY2, STREET, "community");
    add_area(f->st, GRID2, COMMUNITY2, "grid");
    f->household = add_household(f->st, GRID, "1单元101");
    f->household2 = add_household(f->st, GRID2, "2单元202");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* A resident of household `hh` (0: a non-resident of `community`) with ID seq `seq`. */
static person make_person(const char *name, unsigned seq, int64_t hh, const char *community,
                          const char *phone)
{
    person p = {0};
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.id_type, sizeof p.id_type, "resident");
    int y = 1980 + (int)(seq % 30), m = 1 + (int)(seq % 12), d = 1 + (int)(seq % 28);
    idcard_make(DISTRICT, y, m, d, (int)(seq % 1000), p.id_number);
    snprintf(p.sex, sizeof p.sex, "%s", seq % 2 ? "M" : "F");
    snprintf(p.birth_date, sizeof p.birth_date, "%04u-%02u-%02u", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u);
    snprintf(p.phone, sizeof p.phone, "%s", phone ? phone : "");
    if (hh) {
        snprintf(p.resident_type, sizeof p.resident_type, "resident");
        p.household_id = hh;
    } else {
        snprintf(p.resident_type, sizeof p.resident_type, "non_resident");
        snprintf(p.address, sizeof p.address, "春熙路1号");
        snprintf(p.community_code, sizeof p.community_code, "%s", community);
    }
    return p;
}

static audit_rec make_audit(const char *action, const char *entity)
{
    audit_rec a = {0};
    snprintf(a.actor, sizeof a.actor, "alice");
    snprintf(a.role, sizeof a.role, "community");
    snprintf(a.action, sizeof a.action, "%s", action);
    snprintf(a.entity, sizeof a.entity, "%s", entity);
    snprintf(a.remote, sizeof a.remote, "cli");
    return a;
}

static int64_t count_audit(store *st, const char *entity, int64_t entity_id)
{
    audit_filter af = {.entity = entity, .entity_id = entity_id, .limit = 1000};
    audit_list al;
    fk_err err;
    assert_int_equal(store_audit_list(st, &af, &al, &err), 0);
    int64_t total = al.total;
    assert_int_equal((int64_t)al.n, total);
    audit_list_free(&al);
    return total;
}

static int64_t count_persons(store *st)
{
    store_counts c;
    fk_err err;
    assert_int_equal(store_counts_get(st, &c, &err), 0);
    return c.persons;
}

/* ---- tests ------------------------------------------------------------------------- */

static void migrations_applied(void **state)
{
    fixture *f = *state;
    fk_err err;
    assert_true(store_schema_latest() >= 1);
    assert_int_equal(store_schema_version(f->st), store_schema_latest());
    /* reopening applies nothing new and reports the same version */
    store *again = store_open(f->dir, &err);
    assert_non_null(again);
    assert_int_equal(store_schema_version(again), store_schema_latest());
    store_close(again);
    /* the "sqlite:" scheme, creating missing directories */
    char loc[600];
    snprintf(loc, sizeof loc, "sqlite:%s/nested/data", f->dir);
    store *other = store_open(loc, &err);
    assert_non_null(other);
    assert_int_equal(store_schema_version(other), store_schema_latest());
    store_close(other);
    /* pragmas: WAL on disk */
    char path[600];
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void areas_and_venues(void **state)
{
    fixture *f = *state;
    fk_err err;
    area_list l;
    assert_int_equal(store_area_children(f->st, "", &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].code, DISTRICT);
    assert_string_equal(l.items[0].parent_code, "");
    area_list_free(&l);
    assert_int_equal(store_area_children(f->st, STREET, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].code, COMMUNITY);
    assert_string_equal(l.items[1].code, COMMUNITY2);
    area_list_free(&l);

    area a = {.code = "510104002", .parent_code = "510199", .level = "street", .name = "x"};
    assert_int_equal(store_area_insert(f->st, &a, &err), -1);
    assert_int_equal(err.code, FK_EREF);
    assert_string_equal(err.field, "parent_code");
    area dup = {.code = COMMUNITY, .parent_code = STREET, .level = "community", .name = "y"};
    assert_int_equal(store_area_insert(f->st, &dup, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "code");
    area got;
    assert_int_equal(store_area_get(f->st, GRID, &got, &err), 0);
    assert_string_equal(got.parent_code, COMMUNITY);
    assert_int_equal(store_area_get(f->st, "510104009", &got, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);

    building b = {.grid_code = COMMUNITY, .name = "2栋"}; /* not a grid */
    assert_int_equal(store_building_insert(f->st, &b, &err), -1);
    assert_int_equal(err.code, FK_EREF);
    assert_string_equal(err.field, "grid_code");
    household h = {.building_id = 999, .room = "101"};
    assert_int_equal(store_household_insert(f->st, &h, &err), -1);
    assert_int_equal(err.code, FK_EREF);
    assert_string_equal(err.field, "building_id");
    assert_int_equal(store_household_get(f->st, f->household2, &h, &err), 0);
    assert_string_equal(h.community_code, COMMUNITY2);
    assert_string_equal(h.building_name, "1栋");
    int64_t h3 = add_household(f->st, GRID2, "3单元303");
    household_list hl;
    assert_int_equal(store_household_list(f->st, COMMUNITY2, 1, 1, &hl, &err), 0);
    assert_int_equal(hl.total, 2);
    assert_int_equal(hl.n, 1);
    assert_int_equal(hl.items[0].id, h3);
    assert_string_equal(hl.items[0].room, "3单元303");
    household_list_free(&hl);

    venue v = {.code = "V0001", .name = "菜市场", .kind = "market", .grid_code = GRID};
    assert_int_equal(store_venue_insert(f->st, &v, &err), 0);
    venue v2 = {.code = "V0002", .name = "超市", .kind = "supermarket", .grid_code = GRID2};
    assert_int_equal(store_venue_insert(f->st, &v2, &err), 0);
    venue v3 = {.code = "V0001", .name = "dup", .kind = "market", .grid_code = GRID};
    assert_int_equal(store_venue_insert(f->st, &v3, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "code");
    venue_list vl;
    assert_int_equal(store_venue_list(f->st, COMMUNITY2, NULL, 10, 0, &vl, &err), 0);
    assert_int_equal(vl.n, 1);
    assert_int_equal(vl.total, 1);
    assert_string_equal(vl.items[0].code, "V0002");
    venue_list_free(&vl);
    assert_int_equal(store_venue_list(f->st, NULL, "market", 10, 0, &vl, &err), 0);
    assert_int_equal(vl.total, 1);
    assert_string_equal(vl.items[0].name, "菜市场");
    venue_list_free(&vl);
}

static void person_insert_get_update(void **state)
{
    fixture *f = *state;
    fk_err err;
    audit_rec a = make_audit("create", "person");
    person p = make_person("张三", 1, f->household, NULL, "13800001111");
    snprintf(p.community_code, sizeof p.community_code, "%s", COMMUNITY2); /* ignored */
    assert_int_equal(store_person_insert(f->st, &p, &a, &err), 0);
    assert_true(p.id > 0);
    assert_string_equal(p.community_code, COMMUNITY); /* from the household */
    assert_true(p.created_at > 0);

    person got;
    assert_int_equal(store_person_get(f->st, p.id, &got, &err), 0);
    assert_string_equal(got.name, "张三");
    assert_string_equal(got.id_number, p.id_number);
    assert_int_equal(got.household_id, f->household);
    assert_string_equal(got.community_code, COMMUNITY);
    assert_int_equal(store_person_find_by_id_number(f->st, p.id_number, &got, &err), 0);
    assert_int_equal(got.id, p.id);

    person bad = make_person("李四", 2, 4242, NULL, NULL);
    assert_int_equal(store_person_insert(f->st, &bad, &a, &err), -1);
    assert_int_equal(err.code, FK_EREF);
    assert_string_equal(err.field, "household_id");
    bad = make_person("李四", 2, 0, "510104001099", NULL);
    assert_int_equal(store_person_insert(f->st, &bad, &a, &err), -1);
    assert_int_equal(err.code, FK_EREF);
    assert_string_equal(err.field, "community_code");
    bad = make_person("李四", 2, 0, GRID, NULL); /* exists, but is not a community */
    assert_int_equal(store_person_insert(f->st, &bad, &a, &err), -1);
    assert_int_equal(err.code, FK_EREF);
    assert_string_equal(err.field, "community_code");
    person dup = make_person("王五", 1, 0, COMMUNITY2, NULL); /* same ID number as 张三 */
    assert_int_equal(store_person_insert(f->st, &dup, &a, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "id_number");
    assert_non_null(strstr(err.message, "id_number"));
    assert_int_equal(count_persons(f->st), 1);

    /* update: move to household2, community follows */
    audit_rec u = make_audit("update", "person");
    p.household_id = f->household2;
    snprintf(p.name, sizeof p.name, "张三丰");
    assert_int_equal(store_person_update(f->st, &p, &u, &err), 0);
    assert_int_equal(store_person_get(f->st, p.id, &got, &err), 0);
    assert_string_equal(got.name, "张三丰");
    assert_string_equal(got.community_code, COMMUNITY2);
    assert_int_equal(count_audit(f->st, "person", p.id), 2);

    person other = make_person("赵六", 3, 0, COMMUNITY, NULL);
    assert_int_equal(store_person_insert(f->st, &other, &a, &err), 0);
    snprintf(other.id_number, sizeof other.id_number, "%s", p.id_number);
    assert_int_equal(store_person_update(f->st, &other, &u, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "id_number");
    person ghost = make_person("无名", 4, 0, COMMUNITY, NULL);
    ghost.id = 9999;
    assert_int_equal(store_person_update(f->st, &ghost, &u, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
    assert_int_equal(store_person_get(f->st, 9999, &got, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
}

static void person_lists(void **state)
{
    fixture *f = *state;
    fk_err err;
    static const char *const surnames[] = {"张", "李", "王"};
    assert_int_equal(store_begin(f->st, &err), 0);
    for (int i = 0; i < 30; i++) {
        char name[32], phone[20];
        snprintf(name, sizeof name, "%s%02d", surnames[i % 3], i);
        snprintf(phone, sizeof phone, "13%d0000%04d", i % 2 ? 8 : 9, i);
        person p = i < 20 ? make_person(name, 100 + i, f->household, NULL, phone)
                          : make_person(name, 100 + i, 0, COMMUNITY2, phone);
        if (i == 7)
            p.flags = 4;
        assert_int_equal(store_person_insert(f->st, &p, NULL, &err), 0);
    }
    assert_int_equal(store_commit(f->st, &err), 0);

    person_list l;
    person_filter pf = {.q = "张", .limit = 100};
    assert_int_equal(store_person_list(f->st, &pf, &l, &err), 0);
    assert_int_equal(l.total, 10);
    assert_int_equal(l.n, 10);
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.items[i].id > l.items[i - 1].id); /* ordered by id */
    for (size_t i = 0; i < l.n; i++)
        assert_memory_equal(l.items[i].name, "张", strlen("张"));
    person_list_free(&l);

    pf = (person_filter){.q = "1390000", .limit = 100}; /* phone prefix: even i */
    assert_int_equal(store_person_list(f->st, &pf, &l, &err), 0);
    assert_int_equal(l.total, 15);
    person_list_free(&l);

    person first;
    pf = (person_filter){.limit = 1, .offset = 3};
    assert_int_equal(store_person_list(f->st, &pf, &l, &err), 0);
    assert_int_equal(l.total, 30);
    assert_int_equal(l.n, 1);
    first = l.items[0];
    person_list_free(&l);
    char idprefix[15];
    memcpy(idprefix, first.id_number, 14);
    idprefix[14] = '\0';
    pf = (person_filter){.q = idprefix, .limit = 100}; /* ID prefix with birth date */
    assert_int_equal(store_person_list(f->st, &pf, &l, &err), 0);
    assert_true(l.total >= 1);
    int seen = 0;
    for (size_t i = 0; i < l.n; i++) {
        assert_memory_equal(l.items[i].id_number, idprefix, 14);
        seen |= l.items[i].id == first.id;
    }
    assert_true(seen);
    person_list_free(&l);

    pf = (person_filter){.area_prefix = COMMUNITY2, .limit = 4, .offset = 8};
    assert_int_equal(store_person_list(f->st, &pf, &l, &err), 0);
    assert_int_equal(l.total, 10);
    assert_int_equal(l.n, 2); /* paging: the last 2 of 10 */
    assert_string_equal(l.items[0].community_code, COMMUNITY2);
    person_list_free(&l);

    pf = (person_filter){.q = "李", .area_prefix = STREET, .sex = "M", .limit = 100};
    assert_int_equal(store_person_list(f->st, &pf, &l, &err), 0);
    for (size_t i = 0; i < l.n; i++)
        assert_string_equal(l.items[i].sex, "M");
    assert_int_equal(l.total, (int64_t)l.n);
    person_list_free(&l);

    pf = (person_filter){.flags_any = 4 | 8, .limit = 0}; /* limit 0 -> default */
    assert_int_equal(store_person_list(f->st, &pf, &l, &err), 0);
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].flags, 4);
    person_list_free(&l);

    pf = (person_filter){.q = "钱", .limit = 100};
    assert_int_equal(store_person_list(f->st, &pf, &l, &err), 0);
    assert_int_equal(l.total, 0);
    assert_int_equal(l.n, 0);
    person_list_free(&l);
    person_list_free(NULL);
}

static epicase make_case(int64_t person_id)
{
    epicase c = {0};
    c.person_id = person_id;
    snprintf(c.classification, sizeof c.classification, "confirmed");
    snprintf(c.severity, sizeof c.severity, "mild");
    c.reported_at = fk_now();
    fk_date_of(c.reported_at, c.sampling_date);
    snprintf(c.source, sizeof c.source, "community_screening");
    return c;
}

static void cases_and_transitions(void **state)
{
    fixture *f = *state;
    fk_err err;
    audit_rec a = make_audit("create", "case");
    person p = make_person("陈一", 7, f->household, NULL, "13700000001");
    assert_int_equal(store_person_insert(f->st, &p, NULL, &err), 0);
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        epicase c = make_case(p.id);
        assert_int_equal(store_case_insert(f->st, &c, &a, &err), 0);
        assert_int_equal(c.number, i + 1);
        assert_string_equal(c.status, "reported");
        assert_string_equal(c.person_name, "陈一");
        assert_string_equal(c.community_code, COMMUNITY);
        ids[i] = c.id;
    }
    epicase orphan = make_case(12345);
    assert_int_equal(store_case_insert(f->st, &orphan, &a, &err), -1);
    assert_int_equal(err.code, FK_EREF);
    assert_string_equal(err.field, "person_id");
    epicase next = make_case(p.id); /* the failed insert did not consume a number */
    assert_int_equal(store_case_insert(f->st, &next, &a, &err), 0);
    assert_int_equal(next.number, 4);

    audit_rec t = make_audit("transition", "case");
    case_transition tr;
    assert_int_equal(store_case_transition(f->st, ids[0], "transferred", "to hospital", &t, &tr,
                                           &err), 0);
    assert_string_equal(tr.from_status, "reported");
    assert_string_equal(tr.to_status, "transferred");
    assert_string_equal(tr.actor, "alice");
    assert_int_equal(store_case_transition(f->st, ids[0], "reported", NULL, &t, &tr, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "to");
    epicase got;
    assert_int_equal(store_case_get(f->st, ids[0], &got, &err), 0);
    assert_string_equal(got.status, "transferred"); /* unchanged by the refusal */
    assert_int_equal(store_case_transition(f->st, ids[0], "died", "", &t, &tr, &err), 0);
    assert_int_equal(store_case_transition(f->st, ids[0], "hospitalized", "", &t, &tr, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(store_case_transition(f->st, 999, "died", "", &t, &tr, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);

    transition_list tl;
    assert_int_equal(store_case_transitions(f->st, ids[0], &tl, &err), 0);
    assert_int_equal(tl.n, 3);
    assert_string_equal(tl.items[0].from_status, "");
    assert_string_equal(tl.items[0].to_status, "reported");
    assert_string_equal(tl.items[1].note, "to hospital");
    assert_string_equal(tl.items[2].to_status, "died");
    transition_list_free(&tl);
    /* audit: one create + two accepted transitions for this case */
    assert_int_equal(count_audit(f->st, "case", ids[0]), 3);

    epicase edit = got;
    snprintf(edit.hospital, sizeof edit.hospital, "公卫中心");
    snprintf(edit.status, sizeof edit.status, "discharged"); /* ignored */
    assert_int_equal(store_case_update(f->st, &edit, &a, &err), 0);
    assert_string_equal(edit.hospital, "公卫中心");
    assert_string_equal(edit.status, "died");

    case_list cl;
    case_filter cf = {.q = "2", .limit = 10};
    assert_int_equal(store_case_list(f->st, &cf, &cl, &err), 0);
    assert_int_equal(cl.total, 1);
    assert_int_equal(cl.items[0].number, 2);
    assert_string_equal(cl.items[0].person_name, "陈一");
    case_list_free(&cl);
    cf = (case_filter){.q = "陈", .status = "reported", .area_prefix = COMMUNITY, .limit = 10};
    assert_int_equal(store_case_list(f->st, &cf, &cl, &err), 0);
    assert_int_equal(cl.total, 3);
    case_list_free(&cl);
    cf = (case_filter){.area_prefix = COMMUNITY2, .limit = 10};
    assert_int_equal(store_case_list(f->st, &cf, &cl, &err), 0);
    assert_int_equal(cl.total, 0);
    case_list_free(&cl);

    tally_list tl2;
    assert_int_equal(store_case_tally(f->st, "status", STREET, &tl2, &err), 0);
    assert_int_equal(tl2.n, 2);
    assert_string_equal(tl2.items[0].key, "died");
    assert_int_equal(tl2.items[0].n, 1);
    assert_string_equal(tl2.items[1].key, "reported");
    assert_int_equal(tl2.items[1].n, 3);
    tally_list_free(&tl2);
    assert_int_equal(store_case_tally(f->st, "classification", COMMUNITY2, &tl2, &err), 0);
    assert_int_equal(tl2.n, 0);
    tally_list_free(&tl2);
    assert_int_equal(store_case_tally(f->st, "person_id; DROP", NULL, &tl2, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
}

static void audit_is_append_only(void **state)
{
    fixture *f = *state;
    fk_err err;
    audit_rec a = make_audit("read", "person");
    a.entity_id = 5;
    snprintf(a.detail, sizeof a.detail, "q=张");
    assert_int_equal(store_audit_append(f->st, &a, &err), 0);
    audit_filter af = {.actor = "alice", .limit = 10};
    audit_list al;
    assert_int_equal(store_audit_list(f->st, &af, &al, &err), 0);
    assert_int_equal(al.n, 1);
    assert_string_equal(al.items[0].detail, "q=张");
    assert_int_equal(al.items[0].entity_id, 5);
    assert_true(al.items[0].at > 0);
    audit_list_free(&al);

    /* a batch of reads in one commit, in order (a gate's scans) */
    audit_rec many[3];
    for (int i = 0; i < 3; i++) {
        many[i] = make_audit("scan", "health_code");
        many[i].entity_id = 100 + i;
    }
    assert_int_equal(store_audit_append_many(f->st, many, 3, &err), 0);
    assert_int_equal(count_audit(f->st, "health_code", 0), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(count_audit(f->st, "health_code", 100 + i), 1);

    /* a refused write leaves no audit row */
    audit_rec c = make_audit("create", "person");
    person bad = make_person("李四", 2, 4242, NULL, NULL);
    assert_int_equal(store_person_insert(f->st, &bad, &c, &err), -1);
    assert_int_equal(count_audit(f->st, "person", 0), 1);

    char path[600];
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET actor = 'mallory'", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, &msg), SQLITE_OK);
    sqlite3_free(msg);
    sqlite3_close(db);
    assert_int_equal(count_audit(f->st, "person", 0), 1);
}

/* The gates' scans live in code_scans (0029) and read as part of the audit log: merged
 * with the audit table by time (audit rows first within a second), paged, filtered,
 * counted, and append-only as the audit table. */
static scan_audit_rec make_scan(int64_t at, int64_t person_id, const char *colour)
{
    scan_audit_rec s = {.at = at, .person_id = person_id};
    snprintf(s.colour, sizeof s.colour, "%s", colour);
    snprintf(s.remote, sizeof s.remote, "10.0.0.%lld", (long long)person_id);
    return s;
}

static void assert_entry(const audit_rec *r, bool scan, int64_t at, int64_t entity_id)
{
    assert_int_equal(r->scan, scan);
    assert_int_equal(r->at, at);
    assert_int_equal(r->entity_id, entity_id);
}

static audit_list list_audit(store *st, audit_filter af)
{
    audit_list al;
    fk_err err;
    assert_int_equal(store_audit_list(st, &af, &al, &err), 0);
    return al;
}

static void scans_read_with_the_audit_log(void **state)
{
    fixture *f = *state;
    fk_err err;
    int64_t audit_at[] = {1000, 1002, 1004}, audit_id[] = {1, 2, 7};
    for (int i = 0; i < 3; i++) {
        audit_rec a = make_audit("read", i == 2 ? "health_code" : "person");
        a.at = audit_at[i];
        a.entity_id = audit_id[i];
        assert_int_equal(store_audit_append(f->st, &a, &err), 0);
    }
    scan_audit_rec s[] = {make_scan(1001, 7, "green"), make_scan(1002, 8, "red"),
                          make_scan(1003, 7, "yellow")};
    assert_int_equal(store_scan_audit_append_many(f->st, s, 3, &err), 0);
    scan_audit_rec later = make_scan(1005, 9, "green");
    assert_int_equal(store_scan_audit_append_many(f->st, &later, 1, &err), 0);

    /* the whole log, newest first */
    audit_list al = list_audit(f->st, (audit_filter){.limit = 10});
    assert_int_equal(al.total, 7);
    assert_int_equal(al.n, 7);
    assert_entry(&al.items[0], true, 1005, 9);
    assert_entry(&al.items[1], false, 1004, 7);
    assert_entry(&al.items[2], true, 1003, 7);
    assert_entry(&al.items[3], false, 1002, 2);
    assert_entry(&al.items[4], true, 1002, 8);
    assert_entry(&al.items[5], true, 1001, 7);
    assert_entry(&al.items[6], false, 1000, 1);
    const audit_rec *r = &al.items[4];
    assert_string_equal(r->actor, "public");
    assert_string_equal(r->action, "scan");
    assert_string_equal(r->entity, "health_code");
    assert_string_equal(r->detail, "colour=red");
    assert_string_equal(r->remote, "10.0.0.8");
    assert_int_equal(al.items[5].id, 1); /* code_scans numbers its own rows */
    audit_list_free(&al);

    /* a page in the middle */
    al = list_audit(f->st, (audit_filter){.limit = 3, .offset = 2});
    assert_int_equal(al.total, 7);
    assert_int_equal(al.n, 3);
    assert_entry(&al.items[0], true, 1003, 7);
    assert_entry(&al.items[1], false, 1002, 2);
    assert_entry(&al.items[2], true, 1002, 8);
    audit_list_free(&al);

    /* one person's code: read by a user and scanned at gates */
    al = list_audit(f->st, (audit_filter){.entity = "health_code", .entity_id = 7, .limit = 10});
    assert_int_equal(al.total, 3);
    assert_entry(&al.items[0], false, 1004, 7);
    assert_entry(&al.items[1], true, 1003, 7);
    assert_entry(&al.items[2], true, 1001, 7);
    audit_list_free(&al);
    al = list_audit(f->st, (audit_filter){.actor = "public", .entity_id = 8, .limit = 10});
    assert_int_equal(al.total, 1);
    assert_entry(&al.items[0], true, 1002, 8);
    audit_list_free(&al);

    /* filters no scan matches read the audit table alone; a time window reads both */
    al = list_audit(f->st, (audit_filter){.actor = "alice", .limit = 10});
    assert_int_equal(al.total, 3);
    assert_false(al.items[0].scan || al.items[1].scan || al.items[2].scan);
    audit_list_free(&al);
    assert_int_equal(count_audit(f->st, "person", 0), 2);
    al = list_audit(f->st, (audit_filter){.since = 1002, .until = 1004, .limit = 10});
    assert_int_equal(al.total, 3);
    assert_entry(&al.items[0], true, 1003, 7);
    assert_entry(&al.items[1], false, 1002, 2);
    assert_entry(&al.items[2], true, 1002, 8);
    audit_list_free(&al);
    al = list_audit(f->st, (audit_filter){.limit = 10, .offset = 7});
    assert_int_equal(al.total, 7);
    assert_int_equal(al.n, 0);
    audit_list_free(&al);

    store_counts c;
    assert_int_equal(store_counts_get(f->st, &c, &err), 0);
    assert_int_equal(c.audit, 7);

    /* append-only */
    char path[600];
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "UPDATE code_scans SET colour = 'green'", NULL, NULL,
                                      &msg), SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM code_scans", NULL, NULL, &msg), SQLITE_OK);
    sqlite3_free(msg);
    sqlite3_close(db);
    assert_int_equal(count_audit(f->st, "health_code", 8), 1);
}

static void batches_and_savepoints(void **state)
{
    fixture *f = *state;
    fk_err err;
    audit_rec a = make_audit("import", "person");
    assert_int_equal(store_begin(f->st, &err), 0);
    person p1 = make_person("一", 11, f->household, NULL, NULL);
    assert_int_equal(store_person_insert(f->st, &p1, &a, &err), 0);
    person dup = make_person("重复", 11, 0, COMMUNITY, NULL);
    assert_int_equal(store_person_insert(f->st, &dup, &a, &err), -1); /* undoes only itself */
    assert_int_equal(err.code, FK_ECONFLICT);
    person p2 = make_person("二", 12, 0, COMMUNITY, NULL);
    assert_int_equal(store_person_insert(f->st, &p2, &a, &err), 0);
    assert_int_equal(store_commit(f->st, &err), 0);
    assert_int_equal(count_persons(f->st), 2);
    assert_int_equal(count_audit(f->st, "person", 0), 2);

    assert_int_equal(store_begin(f->st, &err), 0);
    person p3 = make_person("三", 13, 0, COMMUNITY, NULL);
    assert_int_equal(store_person_insert(f->st, &p3, &a, &err), 0);
    epicase c = make_case(p3.id);
    assert_int_equal(store_case_insert(f->st, &c, &a, &err), 0);
    assert_int_equal(c.number, 1);
    store_rollback(f->st);
    assert_int_equal(count_persons(f->st), 2);
    assert_int_equal(count_audit(f->st, "person", 0), 2);
    store_counts sc;
    assert_int_equal(store_counts_get(f->st, &sc, &err), 0);
    assert_int_equal(sc.cases, 0);
    epicase c2 = make_case(p1.id); /* the rolled-back number is reused: no gaps */
    assert_int_equal(store_case_insert(f->st, &c2, &a, &err), 0);
    assert_int_equal(c2.number, 1);

    /* nested explicit batches */
    assert_int_equal(store_begin(f->st, &err), 0);
    assert_int_equal(store_begin(f->st, &err), 0);
    person p4 = make_person("四", 14, 0, COMMUNITY, NULL);
    assert_int_equal(store_person_insert(f->st, &p4, NULL, &err), 0);
    store_rollback(f->st);
    person p5 = make_person("五", 15, 0, COMMUNITY, NULL);
    assert_int_equal(store_person_insert(f->st, &p5, NULL, &err), 0);
    assert_int_equal(store_commit(f->st, &err), 0);
    assert_int_equal(count_persons(f->st), 3);
    assert_int_equal(store_commit(f->st, &err), -1); /* unbalanced */
}

static void users_and_sessions(void **state)
{
    fixture *f = *state;
    fk_err err;
    audit_rec a = make_audit("create", "user");
    user u = {.username = "bob", .role = "community", .area_code = COMMUNITY,
              .pw_hash = "$argon2id$fake"};
    assert_int_equal(store_user_insert(f->st, &u, &a, &err), 0);
    assert_true(u.id > 0);
    user dup = {.username = "bob", .role = "command", .pw_hash = "x"};
    assert_int_equal(store_user_insert(f->st, &dup, &a, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "username");
    user got;
    assert_int_equal(store_user_get_by_name(f->st, "bob", &got, &err), 0);
    assert_int_equal(got.id, u.id);
    assert_string_equal(got.area_code, COMMUNITY);
    assert_int_equal(store_user_get_by_name(f->st, "nobody", &got, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);

    int64_t now = fk_now();
    assert_int_equal(store_session_insert(f->st, "h1", u.id, now + 3600, &err), 0);
    assert_int_equal(store_session_insert(f->st, "h2", u.id, now + 3600, &err), 0);
    assert_int_equal(store_session_insert(f->st, "h3", u.id, now + 3600, &err), 0);
    assert_int_equal(store_session_insert(f->st, "h4", 999, now + 3600, &err), -1);
    assert_int_equal(err.code, FK_EREF);
    assert_int_equal(store_session_user(f->st, "h1", now, &got, &err), 0);
    assert_string_equal(got.username, "bob");
    assert_int_equal(store_session_user(f->st, "h1", now + 3600, &got, &err), -1); /* expired */
    assert_int_equal(err.code, FK_EUNAUTH);
    assert_int_equal(store_session_user(f->st, "nope", now, &got, &err), -1);
    assert_int_equal(err.code, FK_EUNAUTH);
    assert_int_equal(store_session_revoke(f->st, "h1", &err), 0);
    assert_int_equal(store_session_user(f->st, "h1", now, &got, &err), -1);
    assert_int_equal(err.code, FK_EUNAUTH);
    assert_int_equal(store_session_user(f->st, "h2", now, &got, &err), 0);

    u.disabled = 1;
    assert_int_equal(store_user_update(f->st, &u, &a, &err), 0);
    assert_int_equal(store_session_user(f->st, "h2", now, &got, &err), -1);
    assert_int_equal(err.code, FK_EUNAUTH);
    u.disabled = 0;
    assert_int_equal(store_user_update(f->st, &u, &a, &err), 0);
    assert_int_equal(store_session_user(f->st, "h2", now, &got, &err), 0);
    assert_int_equal(store_session_revoke_user(f->st, u.id, &err), 0);
    assert_int_equal(store_session_user(f->st, "h2", now, &got, &err), -1);
    assert_int_equal(store_session_user(f->st, "h3", now, &got, &err), -1);

    user v = {.username = "carol", .role = "command", .pw_hash = "y"};
    assert_int_equal(store_user_insert(f->st, &v, &a, &err), 0);
    v.id = u.id; /* rename bob to carol: taken */
    assert_int_equal(store_user_update(f->st, &v, &a, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    user_list ul;
    assert_int_equal(store_user_list(f->st, &ul, &err), 0);
    assert_int_equal(ul.n, 2);
    assert_string_equal(ul.items[0].username, "bob");
    user_list_free(&ul);
    assert_int_equal(count_audit(f->st, "user", 0), 4);
}

static void check_and_counts(void **state)
{
    fixture *f = *state;
    fk_err err;
    person p = make_person("检查", 21, f->household, NULL, NULL);
    assert_int_equal(store_person_insert(f->st, &p, NULL, &err), 0);
    strbuf report = STRBUF_INIT;
    assert_int_equal(store_check(f->st, &report, &err), 0);
    assert_non_null(strstr(sb_str(&report), "integrity: ok"));
    assert_non_null(strstr(sb_str(&report), "foreign keys: ok"));
    char want[64];
    snprintf(want, sizeof want, "schema: version %d (latest %d)", store_schema_latest(),
             store_schema_latest());
    assert_non_null(strstr(sb_str(&report), want));
    assert_non_null(strstr(sb_str(&report), "persons 1"));
    sb_free(&report);
    store_counts c;
    assert_int_equal(store_counts_get(f->st, &c, &err), 0);
    assert_int_equal(c.areas, 6);
    assert_int_equal(c.households, 2);
    assert_int_equal(c.persons, 1);
}

/* ---- concurrency: one handle per thread ------------------------------------------- */

typedef struct worker { const char *dir; int64_t person_id; int ok; } worker;

#define WORKERS 4
#define CASES_EACH 25

static void *case_worker(void *arg)
{
    worker *w = arg;
    fk_err err;
    store *st = store_open(w->dir, &err);
    if (!st)
        return NULL;
    for (int i = 0; i < CASES_EACH; i++) {
        epicase c = make_case(w->person_id);
        if (store_case_insert(st, &c, NULL, &err) != 0) {
            fprintf(stderr, "worker: %s\n", err.message);
            store_close(st);
            return NULL;
        }
    }
    store_close(st);
    w->ok = 1;
    return NULL;
}

static void *open_worker(void *arg)
{
    worker *w = arg;
    fk_err err;
    store *st = store_open(w->dir, &err);
    if (st) {
        w->ok = store_schema_version(st) == store_schema_latest();
        store_close(st);
    } else {
        fprintf(stderr, "open: %s\n", err.message);
    }
    return NULL;
}

static void concurrent_handles(void **state)
{
    fixture *f = *state;
    fk_err err;
    /* migrations: many handles opening a brand-new database at once */
    char fresh[600];
    snprintf(fresh, sizeof fresh, "%s/fresh", f->dir);
    pthread_t th[WORKERS];
    worker w[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (worker){.dir = fresh};
        assert_int_equal(pthread_create(&th[i], NULL, open_worker, &w[i]), 0);
    }
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(th[i], NULL);
        assert_true(w[i].ok);
    }
    /* case numbers: sequential, unique, no gaps under concurrent inserts */
    person p = make_person("并发", 31, f->household, NULL, NULL);
    assert_int_equal(store_person_insert(f->st, &p, NULL, &err), 0);
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (worker){.dir = f->dir, .person_id = p.id};
        assert_int_equal(pthread_create(&th[i], NULL, case_worker, &w[i]), 0);
    }
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(th[i], NULL);
        assert_true(w[i].ok);
    }
    case_list cl;
    case_filter cf = {.limit = 1000};
    assert_int_equal(store_case_list(f->st, &cf, &cl, &err), 0);
    assert_int_equal(cl.total, WORKERS * CASES_EACH);
    int seen[WORKERS * CASES_EACH + 1] = {0};
    for (size_t i = 0; i < cl.n; i++) {
        assert_in_range(cl.items[i].number, 1, WORKERS * CASES_EACH);
        assert_int_equal(seen[cl.items[i].number]++, 0);
    }
    case_list_free(&cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(areas_and_venues, setup, teardown),
        cmocka_unit_test_setup_teardown(person_insert_get_update, setup, teardown),
        cmocka_unit_test_setup_teardown(person_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(cases_and_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_is_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(scans_read_with_the_audit_log, setup, teardown),
        cmocka_unit_test_setup_teardown(batches_and_savepoints, setup, teardown),
        cmocka_unit_test_setup_teardown(users_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(check_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_handles, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
