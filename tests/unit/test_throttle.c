/* test_throttle.c - failed-attempt throttling (services/throttle.h) with explicit clocks:
 * the limit and its window, a success starting afresh, keys apart, the refusal's error,
 * no limit, and a full table forgetting rather than refusing. */
#include "testutil.h"

#include <sodium.h>

#include "services/throttle.h"

static const throttle_limits five_in_900 = {5, 900};

static int refused(throttle *t, const char *key, int64_t now)
{
    fk_err err;
    return throttle_check(t, key, "username", now, &err) != 0;
}

static void limit_and_window(void **state)
{
    (void)state;
    throttle *t = throttle_new(five_in_900);
    assert_non_null(t);
    for (int i = 0; i < 4; i++)
        throttle_failed(t, "login:a", 1000 + i);
    assert_false(refused(t, "login:a", 1010));
    throttle_failed(t, "login:a", 1010);
    assert_true(refused(t, "login:a", 1011));
    assert_true(refused(t, "login:a", 1000 + 899)); /* the window runs from the first failure */
    assert_false(refused(t, "login:a", 1000 + 900));
    assert_false(refused(t, "login:b", 1011));    /* another key */
    fk_err err;
    assert_int_equal(throttle_check(t, "login:a", "username", 1600, &err), -1);
    assert_int_equal(err.code, FK_ETOOMANY);
    assert_string_equal(err.field, "username");
    assert_non_null(strstr(err.message, "try again in 5 minutes")); /* 300 s left */
    /* after the window a failure starts a new count */
    throttle_failed(t, "login:a", 2000);
    assert_false(refused(t, "login:a", 2001));
    throttle_free(t);
}

static void success_starts_afresh(void **state)
{
    (void)state;
    throttle *t = throttle_new(five_in_900);
    for (int i = 0; i < 4; i++)
        throttle_failed(t, "login:c", 100);
    throttle_succeeded(t, "login:c");
    for (int i = 0; i < 4; i++)
        throttle_failed(t, "login:c", 101);
    assert_false(refused(t, "login:c", 102));
    throttle_failed(t, "login:c", 102);
    assert_true(refused(t, "login:c", 103));
    throttle_free(t);
}

static void no_limit_and_no_throttle(void **state)
{
    (void)state;
    throttle *t = throttle_new((throttle_limits){0, 900});
    for (int i = 0; i < 50; i++)
        throttle_failed(t, "login:d", 100);
    assert_false(refused(t, "login:d", 101));
    throttle_free(t);
    assert_false(refused(NULL, "login:d", 101));
    throttle_failed(NULL, "login:d", 101);
    throttle_succeeded(NULL, "login:d");
}

/* Many more keys than slots: the table reuses the oldest windows; a key nobody failed is
 * never refused, and the newest keys are still counted. */
static void full_table_forgets(void **state)
{
    (void)state;
    throttle *t = throttle_new(five_in_900);
    char key[32];
    for (int k = 0; k < 4 * THROTTLE_SLOTS; k++) {
        snprintf(key, sizeof key, "k%d", k);
        for (int i = 0; i < 5; i++)
            throttle_failed(t, key, 10 + k / 1000);
    }
    for (int k = 0; k < 1000; k++) {
        snprintf(key, sizeof key, "fresh%d", k);
        assert_false(refused(t, key, 20));
    }
    int kept = 0;
    for (int k = 4 * THROTTLE_SLOTS - 100; k < 4 * THROTTLE_SLOTS; k++) {
        snprintf(key, sizeof key, "k%d", k);
        kept += refused(t, key, 20);
    }
    assert_true(kept >= 90); /* the last ones stayed (a probe run may still push a few out) */
    throttle_free(t);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limit_and_window),
        cmocka_unit_test(success_starts_afresh),
        cmocka_unit_test(no_limit_and_no_throttle),
        cmocka_unit_test(full_table_forgets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
