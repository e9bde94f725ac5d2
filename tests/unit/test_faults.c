/* test_faults.c - request-sized allocations that fail become errors, not crashes or leaks.
 * fk_alloc_fail_after(N) makes the N-th following fk_try_* call fail (base/alloc.h). */
#include "testutil.h"

#include "base/alloc.h"
#include "model/area.h"
#include "store/store.h"

static store *city_with_districts(char **dir, int n)
{
    fk_err err;
    *dir = test_tmpdir();
    store *st = store_open(*dir, &err);
    assert_non_null(st);
    for (int i = 0; i < n; i++) {
        area a = {.level = "district"};
        snprintf(a.code, sizeof a.code, "5199%02d", i + 1);
        snprintf(a.name, sizeof a.name, "第%d区", i + 1);
        assert_int_equal(store_area_insert(st, &a, &err), 0);
    }
    return st;
}

static void list_allocation_failure_is_busy(void **state)
{
    (void)state;
    char *dir;
    fk_err err;
    area_list l;
    store *st = city_with_districts(&dir, 40); /* more than one growth step of the list */
    for (long k = 1; k <= 3; k++) {
        fk_alloc_fail_after(k);
        assert_int_equal(store_area_children(st, "", &l, &err), -1);
        assert_int_equal(err.code, FK_EBUSY);
        assert_null(l.items);
        assert_int_equal(l.n, 0);
    }
    fk_alloc_fail_after(0);
    assert_int_equal(store_area_children(st, "", &l, &err), 0);
    assert_int_equal(l.n, 40);
    area_list_free(&l);
    store_close(st);
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_allocation_failure_is_busy),
    };
    return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
