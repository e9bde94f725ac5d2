/*
 * test_policy.c - the shipped policy files load and say what domain.md says;
 * bad files are refused with a usable message; overrides are applied and sourced.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdbool.h>

#include "policy/policy.h"

static int64_t get_int(const policy *p, const char *path)
{
    int64_t v = -1;
    fk_err err = {0};
    if (policy_get_int(p, path, &v, &err) != 0)
        fail_msg("%s: %s", path, err.message);
    return v;
}

static bool get_bool(const policy *p, const char *path)
{
    bool v = false;
    fk_err err = {0};
    if (policy_get_bool(p, path, &v, &err) != 0)
        fail_msg("%s: %s", path, err.message);
    return v;
}

static const char *get_str(const policy *p, const char *path)
{
    const char *v = NULL;
    fk_err err = {0};
    if (policy_get_string(p, path, &v, &err) != 0)
        fail_msg("%s: %s", path, err.message);
    return v;
}

/* Compare an int array at `path` with the expected values. */
static void expect_ints(const policy *p, const char *path, const int64_t *want, size_t n)
{
    int64_t got[32];
    size_t len = 0;
    fk_err err = {0};
    if (policy_get_int_array(p, path, got, 32, &len, &err) != 0)
        fail_msg("%s: %s", path, err.message);
    assert_int_equal(len, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
}

static policy *load(const char *id)
{
    fk_err err = {0};
    policy *p = policy_load_builtin(id, &err);
    if (!p)
        fail_msg("load %s: %s", id, err.message);
    return p;
}

/* Write `text` to a fresh file under dir; returns the path (caller frees). */
static char *write_tmp(const char *dir, const char *name, const char *text)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_all_builtin_load(void **state)
{
    (void)state;
    const char *const *ids = policy_list_builtin();
    const char *want[] = {"m20", "v8", "v9", "x10"};
    size_t n = 0;
    for (; ids[n]; n++) {
        assert_string_equal(ids[n], want[n]);
        policy *p = load(ids[n]);
        assert_string_equal(policy_id(p), ids[n]);
        assert_non_null(policy_title(p));
        policy_free(p);
    }
    assert_int_equal(n, 4);
    fk_err err = {0};
    assert_null(policy_load_builtin("v7", &err));
    assert_int_equal(err.code, FK_ENOTFOUND);
}

static void test_v9_numbers(void **state)
{
    (void)state;
    policy *p = load("v9");
    static const int64_t central[] = {1, 2, 3, 5, 7}, home[] = {3}, secondary[] = {1, 4, 7};
    static const int64_t pools[] = {1, 5, 10, 20};
    assert_string_equal(get_str(p, "measures.close_contact.phases.0.kind"), "central_isolation");
    assert_int_equal(get_int(p, "measures.close_contact.phases.0.days"), 7);
    expect_ints(p, "measures.close_contact.phases.0.test_days", central, 5);
    assert_string_equal(get_str(p, "measures.close_contact.phases.1.kind"), "home_health_monitoring");
    assert_int_equal(get_int(p, "measures.close_contact.phases.1.days"), 3);
    expect_ints(p, "measures.close_contact.phases.1.test_days", home, 1);
    assert_string_equal(get_str(p, "measures.close_contact.day1_anchor"), "last_exposure");
    assert_string_equal(get_str(p, "measures.secondary_contact.phases.0.kind"), "home_isolation");
    expect_ints(p, "measures.secondary_contact.phases.0.test_days", secondary, 3);
    assert_true(get_bool(p, "secondary_contact.identified"));
    assert_int_equal(get_int(p, "close_contact.days_before_onset"), 2);
    assert_string_equal(get_str(p, "close_contact.window_start_routine_screening"), "last_negative_sample");
    assert_int_equal(get_int(p, "companion.grid_m"), 800);
    assert_int_equal(get_int(p, "companion.min_overlap_s"), 600);
    assert_int_equal(get_int(p, "companion.dwell_s"), 108000);
    assert_int_equal(get_int(p, "companion.lookback_days"), 14);
    assert_int_equal(get_int(p, "measures.companion.clearance.min_gap_h"), 24);
    expect_ints(p, "testing.pool_sizes", pools, 4);
    assert_int_equal(get_int(p, "testing.pool_by_group.groups.controlled"), 10);
    assert_int_equal(get_int(p, "release.ct_threshold"), 35);
    assert_int_equal(get_int(p, "release.min_interval_h"), 24);
    assert_int_equal(get_int(p, "release.then.days"), 7);
    assert_int_equal(get_int(p, "zones.publish_within_h"), 5);
    assert_int_equal(get_int(p, "zones.schemes.risk_level.lifting.national.high.0.clean_days"), 7);
    assert_int_equal(get_int(p, "zones.schemes.fengkong.lifting.national.sealed.0.clean_days"), 14);
    assert_int_equal(get_int(p, "itinerary.lookback_days"), 7);
    assert_int_equal(get_int(p, "itinerary.min_stay_h"), 4);
    assert_int_equal(get_int(p, "tracing.time_limits_h.close_contacts_isolated"), 8);
    assert_int_equal(get_int(p, "isolation.reserve_rooms_per_10000"), 20);
    assert_int_equal(get_int(p, "trace_inputs.proximity.interval_s"), 20);
    policy_free(p);
}

/* The demo's local block: 封控/管控/防范 and Chengdu's companion rule, with sources. */
static void test_v9_local_block(void **state)
{
    (void)state;
    policy *p = load("v9");
    assert_string_equal(get_str(p, "zones.scheme"), "fengkong");
    assert_true(get_bool(p, "companion.enabled"));
    assert_int_equal(policy_override_count(p), 2);
    const char *src = policy_source(p, "companion.enabled");
    assert_non_null(src);
    assert_non_null(strstr(src, "成都"));
    assert_true(strncmp(src, "[L] ", 4) == 0);
    /* not overridden: the nearest enclosing source */
    src = policy_source(p, "companion.grid_m");
    assert_true(strncmp(src, "[L] ", 4) == 0);
    src = policy_source(p, "measures.close_contact.phases.0.days");
    assert_true(strncmp(src, "[N] ", 4) == 0);
    assert_null(policy_source(p, "no.such.rule"));
    size_t n = 0;
    fk_err err = {0};
    assert_int_equal(policy_get_count(p, "health_code.rules", &n, &err), 0);
    assert_int_equal(n, 11); /* issue 6: zones, travelers, pool_held */
    assert_string_equal(get_str(p, "health_code.rules.2.condition"), "in_zone");
    assert_string_equal(get_str(p, "health_code.rules.4.condition"), "pool_held");
    assert_string_equal(get_str(p, "health_code.rules.10.colour"), "green");
    policy_free(p);
}

static void test_other_versions(void **state)
{
    (void)state;
    policy *v8 = load("v8"), *m20 = load("m20"), *x10 = load("x10");
    static const int64_t v8cc[] = {1, 4, 7, 14}, m20c[] = {1, 2, 3, 5}, m20h[] = {1, 3};
    static const int64_t m20high[] = {1, 3, 5, 7}, x10cc[] = {5};
    assert_int_equal(get_int(v8, "measures.close_contact.phases.0.days"), 14);
    expect_ints(v8, "measures.close_contact.phases.0.test_days", v8cc, 4);
    assert_int_equal(get_int(v8, "measures.close_contact.phases.1.days"), 7);
    assert_int_equal(get_int(v8, "release.ct_threshold"), 40);
    assert_string_equal(get_str(v8, "zones.scheme"), "fengkong");
    assert_int_equal(get_int(v8, "itinerary.lookback_days"), 14);
    assert_int_equal(get_int(v8, "companion.grid_m"), 800);
    assert_false(get_bool(v8, "companion.enabled"));

    assert_false(get_bool(m20, "secondary_contact.identified"));
    assert_false(get_bool(m20, "measures.secondary_contact.applies"));
    assert_false(get_bool(m20, "measures.medium_risk_area_stay.applies"));
    expect_ints(m20, "measures.close_contact.phases.0.test_days", m20c, 4);
    assert_string_equal(get_str(m20, "measures.close_contact.phases.1.kind"), "home_isolation");
    expect_ints(m20, "measures.close_contact.phases.1.test_days", m20h, 2);
    expect_ints(m20, "measures.high_risk_area_stay.phases.0.test_days", m20high, 4);
    assert_string_equal(get_str(m20, "zones.scheme"), "risk_level");
    assert_int_equal(get_int(m20, "zones.schemes.risk_level.lifting.national.high.0.clean_days"), 5);
    assert_false(policy_has(m20, "zones.schemes.risk_level.levels.2"));

    assert_false(get_bool(x10, "secondary_contact.identified"));
    assert_string_equal(get_str(x10, "measures.close_contact.phases.0.kind"), "home_isolation");
    expect_ints(x10, "measures.close_contact.phases.0.test_days", x10cc, 1);
    assert_false(get_bool(x10, "testing.mass_screening.enabled"));
    assert_false(get_bool(x10, "zones.temporary_lockdown_allowed"));
    assert_int_equal(policy_override_count(x10), 0);
    policy_free(v8);
    policy_free(m20);
    policy_free(x10);
}

static void test_malformed_refused(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *path = write_tmp(dir, "bad.json", "{\n  \"id\": \"v9\",\n  \"title\": oops\n}\n");
    fk_err err = {0};
    assert_null(policy_load_file(path, &err));
    assert_int_equal(err.code, FK_EINVAL);
    assert_non_null(strstr(err.message, "line 3"));
    assert_non_null(strstr(err.message, "column"));
    free(path);
    fk_err_clear(&err);
    assert_null(policy_load_file("/nonexistent/policy.json", &err));
    assert_int_equal(err.code, FK_ENOTFOUND);
    test_rmdir(dir);
    free(dir);
}

/* A copy of the builtin v9 with one line changed by `edit` (find -> repl). */
static char *v9_edited(const char *dir, const char *find, const char *repl)
{
    FILE *f = fopen("policy/v9.json", "r");
    assert_non_null(f);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, find);
    assert_non_null(at);
    size_t flen = strlen(find), rlen = strlen(repl);
    memmove(at + rlen, at + flen, strlen(at + flen) + 1);
    memcpy(at, repl, rlen);
    return write_tmp(dir, "edited.json", text);
}

static void test_missing_and_bad_keys(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    fk_err err = {0};
    char *path = v9_edited(dir, "\"days_before_onset\": 2,", "");
    assert_null(policy_load_file(path, &err));
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, "close_contact.days_before_onset");
    assert_non_null(strstr(err.message, "missing"));
    free(path);

    path = v9_edited(dir, "\"pool_sizes\": [1, 5, 10, 20]", "\"pool_sizes\": [1, 5, 15, 20]");
    assert_null(policy_load_file(path, &err));
    assert_string_equal(err.field, "testing.pool_sizes.2");
    free(path);

    path = v9_edited(dir, "\"grid_m\": 800", "\"grid_m\": \"800\"");
    assert_null(policy_load_file(path, &err));
    assert_string_equal(err.field, "companion.grid_m");
    free(path);

    path = v9_edited(dir, "\"lookback_days\": 14", "\"lookback_days\": -14");
    assert_null(policy_load_file(path, &err));
    assert_string_equal(err.field, "companion.lookback_days");
    free(path);

    path = v9_edited(dir, "\"test_days\": [1, 4, 7]", "\"test_days\": [1, 7, 4]");
    assert_null(policy_load_file(path, &err));
    assert_non_null(strstr(err.field, "test_days"));
    free(path);

    path = v9_edited(dir, "\"source\": \"[N?] domain.md §5\"", "\"source\": \"domain.md §5\"");
    assert_null(policy_load_file(path, &err));
    assert_string_equal(err.field, "testing.pool_by_group.source");
    free(path);

    /* the unedited file loads from disk too */
    path = v9_edited(dir, "\"grid_m\": 800", "\"grid_m\": 800");
    policy *p = policy_load_file(path, &err);
    assert_non_null(p);
    policy_free(p);
    free(path);
    test_rmdir(dir);
    free(dir);
}

static void test_override(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    policy *p = load("v9");
    fk_err err = {0};
    char *path = write_tmp(dir, "sh.json",
        "{\"policy\": \"v9\", \"name\": \"shanghai\", \"overrides\": [\n"
        " {\"path\": \"close_contact.days_before_onset\", \"value\": 4,\n"
        "  \"source\": \"[L] 上海 2022-05\"}]}\n");
    assert_int_equal(policy_apply_overrides(p, path, &err), 0);
    assert_int_equal(get_int(p, "close_contact.days_before_onset"), 4);
    assert_int_equal(get_int(p, "close_contact.days_before_sample_asymptomatic"), 2);
    assert_string_equal(policy_source(p, "close_contact.days_before_onset"), "[L] 上海 2022-05");
    assert_true(strncmp(policy_source(p, "close_contact.days_before_sample_asymptomatic"), "[N] ", 4) == 0);
    assert_int_equal(policy_override_count(p), 3);
    const char *op, *os;
    assert_int_equal(policy_override_at(p, 2, &op, &os), 0);
    assert_string_equal(op, "close_contact.days_before_onset");
    free(path);

    /* refused whole, policy unchanged: wrong type, unknown key, bad value, no source */
    const char *bad[] = {
        "{\"overrides\": [{\"path\": \"companion.grid_m\", \"value\": \"big\", \"source\": \"[L] x\"}]}",
        "{\"overrides\": [{\"path\": \"companion.grid_x\", \"value\": 1, \"source\": \"[L] x\"}]}",
        "{\"overrides\": [{\"path\": \"testing.pool_sizes.1\", \"value\": 7, \"source\": \"[L] x\"}]}",
        "{\"overrides\": [{\"path\": \"companion.grid_m\", \"value\": 500}]}",
        "{\"policy\": \"m20\", \"overrides\": []}",
        "{\"overrides\": [{\"path\": \"id\", \"value\": \"v10\", \"source\": \"[L] x\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        path = write_tmp(dir, "bad.json", bad[i]);
        fk_err_clear(&err);
        assert_int_equal(policy_apply_overrides(p, path, &err), -1);
        assert_int_equal(err.code, FK_EINVAL);
        free(path);
    }
    assert_int_equal(get_int(p, "companion.grid_m"), 800);
    assert_int_equal(policy_override_count(p), 3);
    policy_free(p);
    test_rmdir(dir);
    free(dir);
}

static void test_getter_errors(void **state)
{
    (void)state;
    policy *p = load("v9");
    fk_err err = {0};
    int64_t i;
    double d;
    const char *s;
    bool b;
    int64_t arr[2];
    size_t n;
    assert_int_equal(policy_get_int(p, "companion.no_such", &i, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, "companion.no_such");
    fk_err_clear(&err);
    assert_int_equal(policy_get_int(p, "zones.scheme", &i, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    fk_err_clear(&err);
    assert_int_equal(policy_get_string(p, "companion.grid_m", &s, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_int_equal(policy_get_bool(p, "companion.grid_m", &b, &err), -1);
    assert_int_equal(policy_get_int(p, "", &i, &err), -1);
    assert_int_equal(policy_get_int(p, "companion..grid_m", &i, &err), -1);
    assert_int_equal(policy_get_int(p, "measures.close_contact.phases.9.days", &i, &err), -1);
    assert_int_equal(policy_get_int_array(p, "zones.scheme", arr, 2, &n, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_int_equal(policy_get_int_array(p, "testing.pool_sizes", arr, 2, &n, &err), -1);
    assert_int_equal(err.code, FK_ETOOBIG);
    assert_int_equal(n, 4);
    assert_int_equal(policy_get_double(p, "release.ct_threshold", &d, &err), 0);
    assert_true(d == 35.0);
    policy_free(p);
}

static void *reader(void *arg)
{
    const policy *p = arg;
    long bad = 0;
    for (int i = 0; i < 20000; i++) {
        int64_t v = 0;
        const char *s = NULL;
        bad += policy_get_int(p, "companion.min_overlap_s", &v, NULL) != 0 || v != 600;
        bad += policy_get_string(p, "zones.scheme", &s, NULL) != 0 || strcmp(s, "fengkong") != 0;
        bad += policy_source(p, "companion.enabled") == NULL;
    }
    return (void *)bad;
}

/* A loaded policy is read by many threads at once. */
static void test_shared_between_threads(void **state)
{
    (void)state;
    policy *p = load("v9");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, p), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        assert_null(bad);
    }
    policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_builtin_load),
        cmocka_unit_test(test_v9_numbers),
        cmocka_unit_test(test_v9_local_block),
        cmocka_unit_test(test_other_versions),
        cmocka_unit_test(test_malformed_refused),
        cmocka_unit_test(test_missing_and_bad_keys),
        cmocka_unit_test(test_override),
        cmocka_unit_test(test_getter_errors),
        cmocka_unit_test(test_shared_between_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
