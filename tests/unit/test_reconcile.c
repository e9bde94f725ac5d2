/* test_reconcile.c - the pure rules of a round's reconciliation (services/reconcile.h):
 * the bounds of a local day, the matching rule of one person under two IDs, the reason
 * of a barcode found in a box it is not listed in, the names of the kinds. */
#include "testutil.h"

#include "base/timeutil.h"
#include "services/reconcile.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(day_bounds_are_local_midnights),
        cmocka_unit_test(day_bounds_refuse_what_is_not_a_date),
        cmocka_unit_test(names_equal_ignoring_white_space),
        cmocka_unit_test(same_person_needs_phone_birth_and_name),
        cmocka_unit_test(reason_of_a_barcode_found_unlisted),
        cmocka_unit_test(kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
