/* test_model.c - identity numbers, phones, person and case rules, roles, time. */
#include "testutil.h"

#include <jansson.h>
#include <limits.h>
#include <time.h>

#include "base/strbuf.h"
#include "base/timeutil.h"
#include "model/area.h"
#include "model/epicase.h"
#include "model/idcard.h"
#include "model/person.h"
#include "model/phone.h"
#include "model/role.h"

static void idcard_known_numbers(void **state)
{
    (void)state;
    idcard_info info;
    fk_err err;
    /* the GB 11643 worked example: 11010519491231002X */
    assert_int_equal(idcard_parse("11010519491231002X", &info, "id_number", &err), 0);
    assert_string_equal(info.birth_date, "1949-12-31");
    assert_int_equal(info.sex, 'F');
    assert_string_equal(info.region, "110105");
    assert_int_equal(idcard_check_char("11010519491231002"), 'X');
}

static void idcard_refusals(void **state)
{
    (void)state;
    fk_err err;
    assert_int_equal(idcard_parse("110105194912310021", NULL, "id_number", &err), -1);
    assert_non_null(strstr(err.message, "check digit"));
    assert_string_equal(err.field, "id_number");
    assert_int_equal(idcard_parse("1101051949123100", NULL, "id_number", &err), -1);
    assert_non_null(strstr(err.message, "18 characters"));
    assert_int_equal(idcard_parse("11010519490231002X", NULL, "id_number", &err), -1);
    assert_non_null(strstr(err.message, "birth date"));
    assert_int_equal(idcard_parse("1101051949123A002X", NULL, "id_number", &err), -1);
}

static void idcard_make_roundtrip(void **state)
{
    (void)state;
    char id[19];
    idcard_info info;
    for (int seq = 0; seq < 1000; seq += 37) {
        idcard_make("519901", 1988, 2, 29, seq, id);
        assert_int_equal(idcard_parse(id, &info, "id", NULL), 0);
        assert_int_equal(info.sex, seq % 2 ? 'M' : 'F');
        assert_string_equal(info.birth_date, "1988-02-29");
    }
}

static void phones(void **state)
{
    (void)state;
    char out[20];
    fk_err err;
    assert_int_equal(phone_normalize("+8613812345678", out, sizeof out, "phone", &err), 0);
    assert_string_equal(out, "13812345678");
    assert_int_equal(phone_normalize("028-85551234", out, sizeof out, "phone", &err), 0);
    assert_int_equal(phone_normalize("12812345678", out, sizeof out, "phone", &err), -1);
    assert_int_equal(phone_normalize("1381234567", out, sizeof out, "phone", &err), -1);
    assert_int_equal(phone_normalize("28-85551234", out, sizeof out, "phone", &err), -1);
}

static person resident(void)
{
    person p = {0};
    snprintf(p.name, sizeof p.name, "张伟");
    snprintf(p.id_type, sizeof p.id_type, "resident");
    idcard_make("519901", 1990, 3, 7, 123, p.id_number);
    snprintf(p.resident_type, sizeof p.resident_type, "resident");
    p.household_id = 7;
    return p;
}

static void person_rules(void **state)
{
    (void)state;
    fk_err err;
    person p = resident();
    assert_int_equal(person_validate(&p, &err), 0);
    assert_string_equal(p.birth_date, "1990-03-07");
    assert_string_equal(p.sex, "M");

    p = resident();
    snprintf(p.birth_date, sizeof p.birth_date, "1990-03-08");
    assert_int_equal(person_validate(&p, &err), -1);
    assert_string_equal(err.field, "birth_date");

    p = resident();
    snprintf(p.sex, sizeof p.sex, "F");
    assert_int_equal(person_validate(&p, &err), -1);
    assert_string_equal(err.field, "sex");

    p = resident();
    snprintf(p.resident_type, sizeof p.resident_type, "non_resident");
    assert_int_equal(person_validate(&p, &err), -1);
    assert_string_equal(err.field, "household_id");

    p = resident();
    snprintf(p.name, sizeof p.name, "%s", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一");
    assert_int_equal(person_validate(&p, &err), -1);
    assert_string_equal(err.field, "name");

    p = resident();
    snprintf(p.id_type, sizeof p.id_type, "passport");
    snprintf(p.id_number, sizeof p.id_number, "E12345678");
    assert_int_equal(person_validate(&p, &err), -1); /* passport needs birth date and sex */
    assert_string_equal(err.field, "birth_date");
}

static void masking(void **state)
{
    (void)state;
    char out[96];
    mask_name("张三丰", out, sizeof out);
    assert_string_equal(out, "张*丰");
    mask_name("李四", out, sizeof out);
    assert_string_equal(out, "李*");
    mask_id_number("11010519491231002X", out, sizeof out);
    assert_string_equal(out, "1101**********002X");
    mask_phone("13812345678", out, sizeof out);
    assert_string_equal(out, "138****5678");
}

static void case_machine(void **state)
{
    (void)state;
    fk_err err;
    assert_true(case_transition_allowed("reported", "transferred"));
    assert_true(case_transition_allowed("hospitalized", "discharged"));
    assert_true(case_transition_allowed("transferred", "died"));
    assert_false(case_transition_allowed("reported", "discharged"));
    assert_false(case_transition_allowed("discharged", "hospitalized"));
    assert_false(case_transition_allowed("died", "reported"));
    assert_int_equal(case_check_transition("reported", "flying", &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_int_equal(case_check_transition("reported", "discharged", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
}

static void case_fields(void **state)
{
    (void)state;
    fk_err err;
    epicase c = {.person_id = 1, .reported_at = 1651392000}; /* 2022-05-01 */
    snprintf(c.classification, sizeof c.classification, "confirmed");
    snprintf(c.source, sizeof c.source, "fever_clinic");
    snprintf(c.sampling_date, sizeof c.sampling_date, "2022-04-30");
    assert_int_equal(case_validate(&c, &err), -1);
    assert_string_equal(err.field, "severity");
    snprintf(c.severity, sizeof c.severity, "mild");
    assert_int_equal(case_validate(&c, &err), 0);
    snprintf(c.sampling_date, sizeof c.sampling_date, "2022-05-02");
    assert_int_equal(case_validate(&c, &err), -1);
    assert_string_equal(err.field, "sampling_date");
    /* reported at 00:30 on 2022-05-02 in Beijing (16:30 UTC on the 1st): its local date */
    c.reported_at = 1651363200 + 16 * 3600 + 1800;
    assert_int_equal(case_validate(&c, &err), 0);
    snprintf(c.sampling_date, sizeof c.sampling_date, "2022-05-03");
    assert_int_equal(case_validate(&c, &err), -1);
    assert_string_equal(err.field, "sampling_date");
}

static void roles(void **state)
{
    (void)state;
    assert_true(role_can("command", PERM_AUDIT_READ));
    assert_false(role_can("epidemiologist", PERM_AUDIT_READ));
    assert_true(role_can("community", PERM_PERSON_WRITE));
    assert_false(role_can("viewer", PERM_PERSON_WRITE));
    /* 公安: reads persons and cases in clear and works the leads queue; writes no record */
    assert_true(role_known("police"));
    assert_true(role_can("police", PERM_PERSON_READ) && role_can("police", PERM_CASE_READ));
    assert_true(role_can("police", PERM_UNMASKED) && role_can("police", PERM_LEADS));
    assert_false(role_can("police", PERM_PERSON_WRITE) || role_can("police", PERM_CASE_WRITE) ||
                 role_can("police", PERM_AUDIT_READ) || role_can("police", PERM_CODE_OVERRIDE));
    assert_false(role_can("viewer", PERM_UNMASKED));
    assert_false(role_can("nobody", PERM_PERSON_READ));
    assert_true(role_in_jurisdiction("", "519901001001"));
    assert_true(role_in_jurisdiction("519901001", "519901001001"));
    assert_false(role_in_jurisdiction("519901001001", "519901001002"));
}

static void areas(void **state)
{
    (void)state;
    fk_err err;
    area a = {.code = "519901001", .parent_code = "519901", .name = "桂花街道", .level = "street"};
    assert_int_equal(area_validate(&a, &err), 0);
    snprintf(a.parent_code, sizeof a.parent_code, "519902");
    assert_int_equal(area_validate(&a, &err), -1);
    assert_string_equal(err.field, "parent_code");
}

static void times(void **state)
{
    (void)state;
    int64_t t;
    fk_err err;
    char buf[21];
    assert_int_equal(fk_instant_parse("2022-05-01T08:00:00+08:00", &t, "at", &err), 0);
    assert_int_equal(t, 1651363200);
    fk_instant_format(t, buf);
    assert_string_equal(buf, "2022-05-01T00:00:00Z");
    assert_int_equal(fk_instant_parse("1651363200", &t, "at", &err), 0);
    assert_int_equal(t, 1651363200);
    assert_int_equal(fk_instant_parse("2022-05-01 08:00", &t, "at", &err), -1);
    assert_int_equal(fk_date_parse("2022-02-29", NULL, NULL, NULL, "d", &err), -1);
    assert_int_equal(fk_date_parse("2024-02-29", NULL, NULL, NULL, "d", &err), 0);
}

/* The arithmetic formatter equals gmtime + strftime over 1970..9999, edges included. */
static void instant_format_matches_library(void **state)
{
    (void)state;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    const int64_t edges[] = {0, 59, 86399, 86400, 951782400 /* 2000-02-29 */,
                             4107542399 /* 2100-02-28T23:59:59 */, 4107542400,
                             INT64_C(253402300799)};
    for (size_t i = 0; i < 200000 + sizeof edges / sizeof edges[0]; i++) {
        int64_t t = i < sizeof edges / sizeof edges[0]
                        ? edges[i] : (int64_t)test_xorshift(&rng, UINT64_C(253402300800));
        char ours[21], lib[21];
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(lib, sizeof lib, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fk_instant_format(t, ours);
        assert_string_equal(ours, lib);
    }
}

/* sb_append_i64 writes what printf("%lld") writes. */
static void strbuf_integers(void **state)
{
    (void)state;
    const long long v[] = {LLONG_MIN, -1234567, -1, 0, 7, 1651363200, LLONG_MAX};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        strbuf sb = STRBUF_INIT;
        char want[32];
        sb_append_i64(&sb, v[i]);
        snprintf(want, sizeof want, "%lld", v[i]);
        assert_string_equal(sb_str(&sb), want);
        sb_free(&sb);
    }
}

/* sb_append_json_string writes what jansson's json_dumps writes for the same string
 * (JSON_COMPACT | JSON_ENCODE_ANY), escapes and UTF-8 included. */
static void strbuf_json_strings(void **state)
{
    (void)state;
    const char *v[] = {"", "plain", "\"quoted\" \\ back", "line\nfeed\r\t\b\f",
                       "\x01\x1f control", "张某某 3号楼 101", "</script>"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        strbuf sb = STRBUF_INIT;
        sb_append_json_string(&sb, v[i]);
        json_t *j = json_string(v[i]);
        char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_string_equal(sb_str(&sb), want);
        free(want);
        json_decref(j);
        sb_free(&sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(instant_format_matches_library),
        cmocka_unit_test(strbuf_integers),       cmocka_unit_test(strbuf_json_strings),
        cmocka_unit_test(idcard_known_numbers), cmocka_unit_test(idcard_refusals),
        cmocka_unit_test(idcard_make_roundtrip), cmocka_unit_test(phones),
        cmocka_unit_test(person_rules),          cmocka_unit_test(masking),
        cmocka_unit_test(case_machine),          cmocka_unit_test(case_fields),
        cmocka_unit_test(roles),                 cmocka_unit_test(areas),
        cmocka_unit_test(times),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
