/* test_reconcile.c - the pure rules of a round's reconciliation (services/reconcile.h):
 * the bounds of a local day, the matching rule of one person under two IDs, the reason
 * of a barcode found in a box it is not listed in, the names of the kinds; and at the
 * store (store_reconcile.h, migration 0017) the schema's refusals (a box unpacked once,
 * by its lab, missing only what it lists; an unmatched row resolved once) and the rows
 * of each kind on a small round. */
#include "testutil.h"

#include "base/timeutil.h"
#include "services/reconcile.h"
#include "store_fixture.h"

static void day_bounds_are_local_midnights(void **state)
{
    (void)state;
    fk_err err;
    int64_t from, to, expect;
    assert_int_equal(reconcile_day_bounds("2022-04-01", 8, &from, &to, &err), 0);
    assert_int_equal(fk_instant_parse("2022-03-31T16:00:00Z", &expect, "t", &err), 0);
    assert_int_equal(from, expect); /* 00:00 in Shanghai is 16:00 UTC the day before */
    assert_int_equal(to - from, 86400);
    assert_int_equal(reconcile_day_bounds("2022-04-01", 0, &from, &to, &err), 0);
    assert_int_equal(fk_instant_parse("2022-04-01T00:00:00Z", &expect, "t", &err), 0);
    assert_int_equal(from, expect);
    /* a leap day, and the day after it follows on */
    int64_t from2, to2;
    assert_int_equal(reconcile_day_bounds("2024-02-29", 8, &from, &to, &err), 0);
    assert_int_equal(reconcile_day_bounds("2024-03-01", 8, &from2, &to2, &err), 0);
    assert_int_equal(from2, to);
}

static void day_bounds_refuse_what_is_not_a_date(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "2022-4-1", "2022-13-01", "2023-02-29", "20220401",
                                      "2022-04-01T00:00", "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fk_err err;
        int64_t from = 7, to = 7;
        assert_int_equal(reconcile_day_bounds(bad[i], 8, &from, &to, &err), -1);
        assert_int_equal(err.code, FK_EINVAL);
        assert_string_equal(err.field, "day");
    }
    fk_err err;
    int64_t from, to;
    assert_int_equal(reconcile_day_bounds(NULL, 8, &from, &to, &err), -1);
}

static void names_equal_ignoring_white_space(void **state)
{
    (void)state;
    assert_true(reconcile_names_equal("张三", "张三"));
    assert_true(reconcile_names_equal("张 三", "张三"));
    assert_true(reconcile_names_equal("张\xE3\x80\x80三", " 张三 ")); /* U+3000 */
    assert_true(reconcile_names_equal("", "  "));
    assert_false(reconcile_names_equal("张三", "张三丰"));
    assert_false(reconcile_names_equal("张三", "张山"));
    assert_false(reconcile_names_equal("Li Lei", "lilei")); /* case counts */
}

static void same_person_needs_phone_birth_and_name(void **state)
{
    (void)state;
    person_key a = {1, "王 芳", "13800138000", "1980-05-01"};
    person_key b = {2, "王芳", "13800138000", "1980-05-01"};
    assert_true(reconcile_same_person(&a, &b));
    assert_true(reconcile_same_person(&b, &a));
    person_key self = a;
    assert_false(reconcile_same_person(&a, &self)); /* the same record */
    person_key relative = {3, "王强", "13800138000", "1980-05-01"};
    assert_false(reconcile_same_person(&a, &relative)); /* a twin sharing the phone */
    person_key other_birth = {4, "王芳", "13800138000", "1981-05-01"};
    assert_false(reconcile_same_person(&a, &other_birth));
    person_key other_phone = {5, "王芳", "13800138001", "1980-05-01"};
    assert_false(reconcile_same_person(&a, &other_phone));
    person_key no_phone_a = {6, "王芳", "", "1980-05-01"};
    person_key no_phone_b = {7, "王芳", "", "1980-05-01"};
    assert_false(reconcile_same_person(&no_phone_a, &no_phone_b)); /* no key, no match */
    person_key blank_a = {8, " ", "13800138000", "1980-05-01"};
    person_key blank_b = {9, "", "13800138000", "1980-05-01"};
    assert_false(reconcile_same_person(&blank_a, &blank_b)); /* no name, no match */
}

static void reason_of_a_barcode_found_unlisted(void **state)
{
    (void)state;
    assert_string_equal(reconcile_extra_reason(false, false, 0), "unknown");
    assert_string_equal(reconcile_extra_reason(true, true, 5), "other_box");
    assert_string_equal(reconcile_extra_reason(true, false, 0), "never_sampled");
    assert_string_equal(reconcile_extra_reason(true, false, 3), "not_boxed");
}

static void kind_names(void **state)
{
    (void)state;
    assert_string_equal(reconcile_kind_name(RECON_UNRECEIVED), "unreceived");
    assert_string_equal(reconcile_kind_name(RECON_UNSAMPLED), "unsampled");
    assert_string_equal(reconcile_kind_name(RECON_UNKNOWN), "unknown_results");
    assert_string_equal(reconcile_kind_name(RECON_NO_RESULT), "no_result");
    assert_string_equal(reconcile_kind_name(RECON_DUPLICATE), "duplicate_persons");
    assert_string_equal(reconcile_kind_name(RECON_KINDS), "");
}

/* ---- the store --------------------------------------------------------------------------- */

/* A round over the street; tubes R0000001..3 closed at 1000 with one person each (the
 * same person twice: p0 and p2 share name, phone and birth date); box RBOX0001 lists
 * R0000001 and R0000002 and is received by lab at 2000; R0000003 is never boxed. */
typedef struct world { int64_t round, site, lab, lab2, box, tubes[3], persons[4]; } world;

static int64_t add_person(store *st, int i, const char *name, const char *phone)
{
    person p = fixture_person("R", i);
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.phone, sizeof p.phone, "%s", phone);
    return fixture_person_insert(st, &p);
}

static void make_world(store *st, world *w)
{
    fk_err err;
    round_rec r = {.name = "对账", .area_code = "510104001", .starts_at = 0, .ends_at = 99999,
                   .state = "open", .created_by = "t", .created_at = 1};
    assert_int_equal(store_round_insert(st, &r, NULL, &err), 0);
    site_rec s = {.round_id = r.id, .name = "采样点", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &s, NULL, &err), 0);
    const char *codes[] = {"R0000001", "R0000002", "R0000003"};
    assert_int_equal(store_tubes_issue(st, r.id, s.id, codes, 3, "t", 1, NULL, &err), 0);
    lab_rec l = {.name = "实验室", .area_code = "510104", .created_by = "t"};
    lab_rec l2 = {.name = "另一实验室", .area_code = "510104", .created_by = "t"};
    assert_int_equal(store_lab_insert(st, &l, NULL, &err), 0);
    assert_int_equal(store_lab_insert(st, &l2, NULL, &err), 0);
    *w = (world){.round = r.id, .site = s.id, .lab = l.id, .lab2 = l2.id};
    w->persons[0] = add_person(st, 0, "李 娜", "13900000001");
    w->persons[1] = add_person(st, 1, "周杰", "13900000002");
    w->persons[2] = add_person(st, 2, "李娜", "13900000001");
    w->persons[3] = add_person(st, 3, "李娜", "13900000001"); /* never scanned */
    for (int i = 0; i < 3; i++) {
        tube_rec t;
        assert_int_equal(store_tube_get(st, codes[i], &t, NULL, &err), 0);
        w->tubes[i] = t.id;
        member_rec m = {.person_id = w->persons[i], .round_id = r.id, .scanned_at = 900,
                        .scanned_by = "s"};
        assert_int_equal(store_tube_scan(st, t.id, 5, &m, NULL, &err), 0);
        assert_int_equal(store_tube_close(st, t.id, "s", 1000, NULL, &err), 0);
    }
    box_rec b = {.round_id = r.id, .site_id = s.id, .packed_at = 1100, .packed_by = "s",
                 .code = "RBOX0001"};
    assert_int_equal(store_box_pack(st, &b, w->tubes, 2, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b.id, "courier", "s", 1200, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b.id, l.id, "lab", 2000, NULL, &err), 0);
    w->box = b.id;
}

static unmatched_rec found_row(const world *w, const char *barcode)
{
    unmatched_rec u = {.round_id = w->round, .box_id = w->box, .lab_id = w->lab,
                       .recorded_at = 2100, .kind = "found", .reason = "unknown",
                       .area_code = "510104001001", .recorded_by = "lab"};
    snprintf(u.barcode, sizeof u.barcode, "%s", barcode);
    return u;
}

static void unpack_once_by_its_lab(void **state)
{
    fixture *f = *state;
    world w;
    fk_err err;
    unpack_rec got;
    make_world(f->st, &w);
    unpack_rec u = {.box_id = w.box, .lab_id = w.lab2, .unpacked_at = 2100,
                    .unpacked_by = "lab", .found = 1, .missing = 1, .extra = 1};
    unmatched_rec extra = found_row(&w, "RX000001");
    /* another lab; a tube the box does not list: refused, nothing kept */
    assert_int_equal(store_box_unpack(f->st, &u, &w.tubes[1], 1, &extra, 1, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "code");
    u.lab_id = w.lab;
    assert_int_equal(store_box_unpack(f->st, &u, &w.tubes[2], 1, &extra, 1, NULL, &err), -1);
    assert_string_equal(err.field, "barcodes");
    assert_int_equal(store_box_unpack_get(f->st, w.box, &got, &err), 0);
    /* R0000002 missing, one barcode found unlisted */
    assert_int_equal(store_box_unpack(f->st, &u, &w.tubes[1], 1, &extra, 1, NULL, &err), 0);
    assert_int_equal(store_box_unpack_get(f->st, w.box, &got, &err), 1);
    assert_int_equal(got.missing, 1);
    assert_int_equal(store_box_unpack(f->st, &u, NULL, 0, NULL, 0, NULL, &err), -1);
    assert_string_equal(err.field, "code");
}

static void unmatched_resolved_once(void **state)
{
    fixture *f = *state;
    world w;
    fk_err err;
    make_world(f->st, &w);
    unmatched_rec u = found_row(&w, "RY000001"), got;
    snprintf(u.kind, sizeof u.kind, "result");
    u.box_id = 0;
    snprintf(u.result, sizeof u.result, "positive"); /* without its Ct values */
    assert_int_equal(store_unmatched_insert(f->st, &u, NULL, &err), -1);
    u.has_ct = 1;
    u.ct_orf1ab = 25;
    u.ct_n = 26;
    assert_int_equal(store_unmatched_insert(f->st, &u, NULL, &err), 0);
    assert_int_equal(store_unmatched_resolve(f->st, u.id, "matched", "找到", "x", 3000, NULL,
                                             &err), 0);
    assert_int_equal(store_unmatched_resolve(f->st, u.id, "discarded", "再次", "x", 3001, NULL,
                                             &err), -1);
    assert_string_equal(err.field, "resolution");
    assert_int_equal(store_unmatched_get(f->st, u.id, &got, &err), 0);
    assert_string_equal(got.resolution, "matched");
    assert_int_equal(got.resolved_at, 3000);
    assert_int_equal(store_unmatched_get(f->st, u.id + 1, &got, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
}

typedef struct kind_tally { int n[RECON_KINDS]; char first[RECON_KINDS][24]; } kind_tally;

static int count_row(const recon_item *it, void *ctx)
{
    kind_tally *t = ctx;
    if (!t->n[it->kind]++)
        snprintf(t->first[it->kind], 24, "%s", it->reason);
    return 0;
}

static void rows_of_each_kind(void **state)
{
    fixture *f = *state;
    world w;
    fk_err err;
    make_world(f->st, &w);
    unpack_rec u = {.box_id = w.box, .lab_id = w.lab, .unpacked_at = 2100, .unpacked_by = "l",
                    .found = 1, .missing = 1, .extra = 1};
    unmatched_rec extra = found_row(&w, "RX000001");
    assert_int_equal(store_box_unpack(f->st, &u, &w.tubes[1], 1, &extra, 1, NULL, &err), 0);
    /* 4 h to the lab, 24 h to a result: at 1000 + 4 h + 1 s nothing is without a result */
    recon_query q = {.round_id = w.round, .area = "510104001", .now = 1000 + 4 * 3600 + 1,
                     .sample_to_lab_s = 4 * 3600, .lab_to_result_s = 24 * 3600};
    kind_tally t = {0};
    assert_int_equal(store_reconcile_each(f->st, &q, count_row, &t, &err), 0);
    /* candidates of one phone: (p0, p2) both scanned, once; (p0, p3) and (p2, p3) */
    int early[RECON_KINDS] = {2, 1, 0, 0, 3};
    assert_memory_equal(t.n, early, sizeof early);
    assert_string_equal(t.first[RECON_UNRECEIVED], "missing");
    /* a day later all three members wait past the limits; another area sees nothing */
    q.now = 1000 + 29 * 3600;
    memset(&t, 0, sizeof t);
    assert_int_equal(store_reconcile_each(f->st, &q, count_row, &t, &err), 0);
    assert_int_equal(t.n[RECON_NO_RESULT], 3);
    q.area = "510104002";
    memset(&t, 0, sizeof t);
    assert_int_equal(store_reconcile_each(f->st, &q, count_row, &t, &err), 0);
    int none[RECON_KINDS] = {0};
    assert_memory_equal(t.n, none, sizeof none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(day_bounds_are_local_midnights),
        cmocka_unit_test(day_bounds_refuse_what_is_not_a_date),
        cmocka_unit_test(names_equal_ignoring_white_space),
        cmocka_unit_test(same_person_needs_phone_birth_and_name),
        cmocka_unit_test(reason_of_a_barcode_found_unlisted),
        cmocka_unit_test(kind_names),
        cmocka_unit_test_setup_teardown(unpack_once_by_its_lab, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(unmatched_resolved_once, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(rows_of_each_kind, store_fixture_setup_areas,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
