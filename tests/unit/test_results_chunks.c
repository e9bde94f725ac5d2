/* test_results_chunks.c - tube results as migration 0044 keeps them (store_sqlite_results.c):
 * first results in chunks of 128 tubes, corrections as rows, fk_results reading both as
 * the rows tube_results had. Checked against a model of what was written: every column
 * of every row through the store and through fk_results, across chunk boundaries, with
 * several reporters in a chunk and Ct values kept exactly; id ranges (closed, open, with
 * real bounds), a tube, a replaced id; a tube's first result refused a second time with
 * its chunk unchanged; a malformed chunk named, not read. */
#include "testutil.h"

#include "services/sample_flow.h"
#include "store_fixture.h"

/* Tubes issued to one site; the ones at PICKED places closed with a member, boxed and
 * received by the lab: ids 1.. in issue order, so the picked ones span chunks 0, 1, 2
 * (a chunk is 128 tubes: ids 0-127, 128-255, 256-383). */
#define ISSUED 270
static const int PICKED[] = {0, 1, 2, 125, 126, 127, 128, 200, 253, 254, 255, 256, 268};
#define NPICKED (sizeof PICKED / sizeof PICKED[0])

typedef struct world { int64_t lab, tubes[NPICKED]; } world;

static void make_world(store *st, world *w)
{
    fk_err err;
    round_rec r = {.name = "一轮", .area_code = "510104001", .starts_at = 0, .ends_at = 99999,
                   .state = "open", .created_by = "t", .created_at = 1};
    assert_int_equal(store_round_insert(st, &r, NULL, &err), 0);
    site_rec s = {.round_id = r.id, .name = "采样点", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &s, NULL, &err), 0);
    char codes[ISSUED][16];
    const char *ptrs[ISSUED];
    for (int i = 0; i < ISSUED; i++) {
        snprintf(codes[i], sizeof codes[i], "RC%06d", i);
        ptrs[i] = codes[i];
    }
    assert_int_equal(store_tubes_issue(st, r.id, s.id, ptrs, ISSUED, "t", 1, NULL, &err), 0);
    lab_rec l = {.name = "检测实验室", .area_code = "510104", .created_by = "t"};
    assert_int_equal(store_lab_insert(st, &l, NULL, &err), 0);
    w->lab = l.id;
    for (size_t i = 0; i < NPICKED; i++) {
        tube_rec t;
        assert_int_equal(store_tube_get(st, codes[PICKED[i]], &t, NULL, &err), 0);
        assert_int_equal(t.id, PICKED[i] + 1);
        w->tubes[i] = t.id;
        person p = fixture_person("C", (int)i);
        fixture_person_insert(st, &p);
        member_rec m = {.person_id = p.id, .round_id = r.id, .scanned_at = 1000,
                        .scanned_by = "s"};
        assert_int_equal(store_tube_scan(st, t.id, 1, &m, NULL, &err), 0);
        assert_int_equal(store_tube_close(st, t.id, "s", 1001, NULL, &err), 0);
    }
    box_rec b = {.round_id = r.id, .site_id = s.id, .packed_at = 2000, .packed_by = "s"};
    snprintf(b.code, sizeof b.code, "RBOX0001");
    assert_int_equal(store_box_pack(st, &b, w->tubes, NPICKED, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b.id, "王", "s", 2500, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b.id, w->lab, "l", 3000, NULL, &err), 0);
}

/* The model: every result written, in id order once sorted. */
typedef struct model { result_rec r[64]; size_t n; } model;

static result_rec first(int64_t tube, int64_t lab, const char *what, int64_t at,
                        const char *by, double ct1, double ct2)
{
    result_rec r = {.tube_id = tube, .lab_id = lab, .reported_at = at};
    snprintf(r.result, sizeof r.result, "%s", what);
    snprintf(r.reported_by, sizeof r.reported_by, "%s", by);
    if (!strcmp(what, "positive"))
        r.has_ct = 1, r.ct_orf1ab = ct1, r.ct_n = ct2;
    return r;
}

static int by_id(const void *a, const void *b)
{
    const result_rec *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static void written(model *m, const result_rec *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m->r[m->n++] = r[i];
    qsort(m->r, m->n, sizeof m->r[0], by_id);
}

static void record(store *st, model *m, result_rec *r, size_t n)
{
    fk_err err;
    if (store_results_add(st, r, n, NULL, &err) != 0)
        fail_msg("results: %s", err.message);
    written(m, r, n);
}

static void same_row(const result_rec *got, const result_rec *want)
{
    assert_int_equal(got->id, want->id);
    assert_int_equal(got->tube_id, want->tube_id);
    assert_string_equal(got->result, want->result);
    assert_int_equal(got->has_ct, want->has_ct);
    if (want->has_ct) { /* exactly: the chunk keeps the doubles' bits */
        assert_true(got->ct_orf1ab == want->ct_orf1ab);
        assert_true(got->ct_n == want->ct_n);
    }
    assert_int_equal(got->lab_id, want->lab_id);
    assert_int_equal(got->reported_at, want->reported_at);
    assert_string_equal(got->reported_by, want->reported_by);
    assert_int_equal(got->replaces, want->replaces);
    assert_string_equal(got->reason, want->replaces ? want->reason : "");
}

static sqlite3 *reader(const fixture *f)
{
    char path[600];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sq_results_register(db), SQLITE_OK);
    return db;
}

/* fk_results' rows for `where` (bound to ?1, ?2 when given), in the order it yields. */
static size_t rows_where(sqlite3 *db, const char *where, sqlite3_value *const *v, int nv,
                         const double *d, result_rec *out, size_t cap)
{
    char sql[400];
    sqlite3_stmt *q;
    snprintf(sql, sizeof sql, "SELECT id, tube_id, result, ct_orf1ab, ct_n, lab_id, "
             "reported_at, reported_by, coalesce(replaces, 0), coalesce(reason, '') FROM "
             "fk_results WHERE %s", where);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    for (int i = 0; i < nv; i++)
        sqlite3_bind_value(q, i + 1, v[i]);
    for (int i = 0; d && i < 2; i++) /* an integral bound as an integer */
        if (d[i] == (double)(int64_t)d[i])
            sqlite3_bind_int64(q, i + 1, (int64_t)d[i]);
        else
            sqlite3_bind_double(q, i + 1, d[i]);
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        assert_true(n < cap);
        result_rec *r = &out[n++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(q, 0);
        r->tube_id = sqlite3_column_int64(q, 1);
        sq_col_text(r->result, sizeof r->result, q, 2);
        r->has_ct = sqlite3_column_type(q, 3) != SQLITE_NULL;
        r->ct_orf1ab = sqlite3_column_double(q, 3);
        r->ct_n = sqlite3_column_double(q, 4);
        r->lab_id = sqlite3_column_int64(q, 5);
        r->reported_at = sqlite3_column_int64(q, 6);
        sq_col_text(r->reported_by, sizeof r->reported_by, q, 7);
        r->replaces = sqlite3_column_int64(q, 8);
        sq_col_text(r->reason, sizeof r->reason, q, 9);
    }
    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(q);
    return n;
}

/* Every row of the model through the store (a tube's results) and fk_results (all). */
static void matches(store *st, sqlite3 *db, const model *m)
{
    fk_err err;
    result_rec all[64];
    size_t n = rows_where(db, "1", NULL, 0, NULL, all, 64);
    assert_int_equal(n, m->n);
    for (size_t i = 0; i < n; i++)
        same_row(&all[i], &m->r[i]);
    for (size_t i = 0; i < m->n; i++) {
        result_list h = {0};
        assert_int_equal(store_tube_results(st, m->r[i].tube_id, &h, &err), 0);
        size_t k = 0;
        for (size_t j = 0; j < m->n; j++)
            if (m->r[j].tube_id == m->r[i].tube_id)
                same_row(&h.items[k++], &m->r[j]);
        assert_int_equal(h.n, k);
        result_list_free(&h);
    }
}

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* fk_results by id ranges: [lo, hi] closed, open, and with real bounds, against the model. */
static void ranges_match(sqlite3 *db, const model *m)
{
    uint64_t seed = 44;
    result_rec got[64];
    for (int k = 0; k < 300; k++) {
        double lo = (double)(next(&seed) % (300 * 128)), hi = lo + (double)(next(&seed) % 40000);
        if (k % 4 >= 2) { /* bounds at a row's id, or one off */
            lo = (double)(m->r[next(&seed) % m->n].id + (int64_t)(next(&seed) % 3) - 1);
            hi = (double)(m->r[next(&seed) % m->n].id + (int64_t)(next(&seed) % 3) - 1);
        }
        if (k % 3 == 1)
            lo += 0.5, hi -= 0.5;
        bool open = k % 2;
        double b[2] = {lo, hi};
        size_t n = rows_where(db, open ? "id > ?1 AND id < ?2" : "id >= ?1 AND id <= ?2", NULL,
                              0, b, got, 64);
        size_t want = 0;
        for (size_t i = 0; i < m->n; i++) {
            double id = (double)m->r[i].id;
            if (open ? id > lo && id < hi : id >= lo && id <= hi)
                same_row(&got[want++], &m->r[i]);
        }
        assert_int_equal(n, want);
    }
}

static void chunks_keep_what_was_written(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    model m = {0};
    make_world(st, &w);
    const int64_t *t = w.tubes;
    /* two reporters into chunk 0, one of them again into chunks 1 and 2 */
    result_rec a[] = {first(t[0], w.lab, "negative", 5000, "检测员甲", 0, 0),
                      first(t[4], w.lab, "positive", 5001, "检测员甲", 31.123456789, 44.999),
                      first(t[2], w.lab, "invalid", 5002, "检测员甲", 0, 0),
                      first(t[6], w.lab, "negative", 5003, "检测员甲", 0, 0),
                      first(t[11], w.lab, "positive", 5004, "检测员甲", 0.1, 45)};
    record(st, &m, a, 5);
    result_rec b[] = {first(t[5], w.lab, "negative", 6000, "lab-b", 0, 0),
                      first(t[1], w.lab, "positive", -7, "lab-b", 12.5, 13.25),
                      first(t[10], w.lab, "negative", (int64_t)1 << 40, "lab-b", 0, 0)};
    record(st, &m, b, 3);
    result_rec c = first(t[12], w.lab, "negative", 7000, "", 0, 0);
    record(st, &m, &c, 1);
    sqlite3 *db = reader(f);
    matches(st, db, &m);
    /* corrections: t[4] twice, t[10] once; rows of their own, the first result kept */
    result_rec k1 = first(t[4], w.lab, "negative", 8000, "复核员", 0, 0);
    k1.replaces = t[4] * 128;
    snprintf(k1.reason, sizeof k1.reason, "复核阴性");
    record(st, &m, &k1, 1);
    result_rec k2 = first(t[4], w.lab, "positive", 8001, "复核员", 20, 21);
    k2.replaces = t[4] * 128 + 1;
    snprintf(k2.reason, sizeof k2.reason, "再复核");
    result_rec k3 = first(t[10], w.lab, "invalid", 8002, "复核员", 0, 0);
    k3.replaces = t[10] * 128;
    snprintf(k3.reason, sizeof k3.reason, "样本溶血");
    result_rec ks[] = {k2, k3};
    record(st, &m, ks, 2);
    matches(st, db, &m);
    ranges_match(db, &m);
    /* a tube (its first result and corrections), a replaced id, an id */
    result_rec got[8];
    sqlite3_value *none[1] = {NULL};
    char where[80];
    snprintf(where, sizeof where, "tube_id = %lld", (long long)t[4]);
    assert_int_equal(rows_where(db, where, none, 0, NULL, got, 8), 3);
    assert_int_equal(got[2].id, t[4] * 128 + 2);
    snprintf(where, sizeof where, "replaces = %lld", (long long)(t[4] * 128 + 1));
    assert_int_equal(rows_where(db, where, none, 0, NULL, got, 8), 1);
    assert_int_equal(got[0].id, t[4] * 128 + 2);
    snprintf(where, sizeof where, "replaces = %lld", (long long)(t[0] * 128));
    assert_int_equal(rows_where(db, where, none, 0, NULL, got, 8), 0);
    snprintf(where, sizeof where, "id = %lld", (long long)(t[11] * 128));
    assert_int_equal(rows_where(db, where, none, 0, NULL, got, 8), 1);
    assert_true(got[0].ct_orf1ab == 0.1);
    snprintf(where, sizeof where, "id IN (%lld, %lld, 5, NULL, 'x')", (long long)(t[6] * 128),
             (long long)(t[6] * 128 + 1));
    assert_int_equal(rows_where(db, where, none, 0, NULL, got, 8), 1);
    /* the tubes with corrections are marked in their chunk, the others not */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT hex(substr(slots, 2 + ?1 % 128, 1)) FROM "
                                            "result_chunks WHERE id = ?1 >> 7", -1, &q, NULL),
                     SQLITE_OK);
    const int64_t marks[][2] = {{t[4], 0x82}, {t[10], 0x81}, {t[0], 0x01}, {t[2], 0x03},
                                {t[3], 0x00}};
    for (size_t i = 0; i < 5; i++) {
        char want[4];
        snprintf(want, sizeof want, "%02X", (unsigned)marks[i][1]);
        sqlite3_bind_int64(q, 1, marks[i][0]);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0), want);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    (void)err;
}

static void chunk_of(const fixture *f, int64_t chunk, char *hex, size_t cap)
{
    sqlite3 *db = reader(f);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT hex(slots) FROM result_chunks WHERE id = ?1",
                                        -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_int64(q, 1, chunk);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(hex, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* A tube's first result a second time, alone or beside a new one, in the store or twice
 * in one batch: refused, naming the tube; the chunk as it was. */
static void a_first_result_once(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    make_world(st, &w);
    const int64_t *t = w.tubes;
    result_rec r = first(t[0], w.lab, "negative", 5000, "甲", 0, 0);
    assert_int_equal(store_results_add(st, &r, 1, NULL, &err), 0);
    char before[8192], after[8192];
    chunk_of(f, 0, before, sizeof before);
    result_rec again[] = {first(t[1], w.lab, "negative", 5001, "乙", 0, 0),
                          first(t[0], w.lab, "positive", 5002, "乙", 30, 30)};
    assert_int_equal(store_results_add(st, again, 2, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "barcode");
    char name[40];
    snprintf(name, sizeof name, "tube %lld has a result", (long long)t[0]);
    assert_non_null(strstr(err.message, name));
    result_rec twice[] = {first(t[1], w.lab, "negative", 5001, "乙", 0, 0),
                          first(t[1], w.lab, "invalid", 5003, "乙", 0, 0)};
    assert_int_equal(store_results_add(st, twice, 2, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    chunk_of(f, 0, after, sizeof after);
    assert_string_equal(before, after);
    result_list h = {0};
    assert_int_equal(store_tube_results(st, t[1], &h, &err), 0);
    assert_int_equal(h.n, 0);
    result_list_free(&h);
}

/* A chunk that is not one (a byte short or over, another format, an unknown code) is
 * refused by name on read, and read again once put back. */
static void a_malformed_chunk_is_named(void **state)
{
    fixture *f = *state;
    fk_err err;
    world w;
    make_world(f->st, &w);
    result_rec r = first(w.tubes[0], w.lab, "negative", 5000, "甲", 0, 0);
    assert_int_equal(store_results_add(f->st, &r, 1, NULL, &err), 0);
    const char *bad[] = {"UPDATE result_chunks SET slots = substr(slots, 1, length(slots) - 1)",
                         "UPDATE result_chunks SET slots = CAST(slots || x'00' AS BLOB)",
                         "UPDATE result_chunks SET slots = CAST(x'02' || substr(slots, 2) AS "
                         "BLOB)",
                         /* tube 1's code (slot 1, the third byte) */
                         "UPDATE result_chunks SET slots = CAST(substr(slots, 1, 2) || x'04' || "
                         "substr(slots, 4) AS BLOB)"};
    char hex[8192];
    chunk_of(f, 0, hex, sizeof hex);
    char *put = malloc(strlen(hex) + 64);
    sprintf(put, "UPDATE result_chunks SET slots = x'%s'", hex);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(fixture_exec(f, bad[i]), SQLITE_OK);
        result_list h = {0};
        assert_int_equal(store_tube_results(f->st, w.tubes[0], &h, &err), -1);
        assert_non_null(strstr(err.message, "malformed"));
        result_list_free(&h);
        assert_int_equal(fixture_exec(f, put), SQLITE_OK); /* put back: read again */
        assert_int_equal(store_tube_results(f->st, w.tubes[0], &h, &err), 0);
        assert_int_equal(h.n, 1);
        result_list_free(&h);
    }
    free(put);
}

/* A query reads only the chunks its tightest bounds reach, whichever comes first: with
 * chunk 2 malformed, a tube of chunk 0 asked within a range over every chunk is still
 * read (the range alone reads chunk 2, and fails). */
static void the_tightest_bounds_are_read(void **state)
{
    fixture *f = *state;
    fk_err err;
    world w;
    make_world(f->st, &w);
    result_rec r[] = {first(w.tubes[0], w.lab, "negative", 5000, "甲", 0, 0),
                      first(w.tubes[11], w.lab, "negative", 5000, "甲", 0, 0)};
    assert_int_equal(store_results_add(f->st, r, 2, NULL, &err), 0);
    assert_int_equal(w.tubes[11] >> 7, 2);
    assert_int_equal(fixture_exec(f, "UPDATE result_chunks SET slots = x'02' WHERE id = 2"),
                     SQLITE_OK);
    sqlite3 *db = reader(f);
    char sql[300];
    /* each in both orders: SQLite lists a query's bounds in an order of its own (a
     * BETWEEN's two after the plain comparisons, later BETWEENs first) */
    const char *forms[] = {
        "id BETWEEN %lld AND %lld AND id BETWEEN 0 AND 99999999",
        "id BETWEEN 0 AND 99999999 AND id BETWEEN %lld AND %lld",
        "id < 99999999 AND id >= %lld AND id <= %lld",
        "id >= %lld AND id <= %lld AND id < 99999999",
        "id > -5 AND id < 99999999 AND id > %lld - 1 AND id < %lld + 1",
    };
    int64_t lo = w.tubes[0] * 128, hi = lo + 127;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM fk_results WHERE ");
        size_t at = strlen(sql);
        snprintf(sql + at, sizeof sql - at, forms[i], (long long)lo, (long long)hi);
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
        if (sqlite3_step(q) != SQLITE_ROW)
            fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        assert_int_equal(sqlite3_column_int64(q, 0), 1);
        sqlite3_finalize(q);
    }
    assert_int_not_equal(sqlite3_exec(db, "SELECT count(*) FROM fk_results WHERE id BETWEEN 0 "
                                          "AND 99999999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(chunks_keep_what_was_written, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_first_result_once, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_malformed_chunk_is_named, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(the_tightest_bounds_are_read, store_fixture_setup_areas,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
