/*
 * test_dynlib.c - libraries loaded on first use (base/dynlib.h, http/mhd.h, io/xlsx.h):
 * a library that does not load and a symbol it lacks are clear errors, kept; the two
 * real ones load and fill every pointer.
 */
#include "testutil.h"

#include <string.h>

#include "base/dynlib.h"
#include "http/mhd.h"
#include "io/xlsx.h"

static void (*fn_a)(void);
static void (*fn_b)(void);

static void missing_library(void **state)
{
    (void)state;
    dynlib_sym syms[] = {{"cos", &fn_a}};
    dynlib lib = {.what = "a library (a test)", .soname = "libfangkong-none.so.9",
                  .syms = syms, .nsyms = 1};
    fk_err err = {0};
    assert_int_equal(dynlib_load(&lib, &err), -1);
    assert_int_equal(err.code, FK_EIO);
    assert_non_null(strstr(err.message, "cannot load a library (a test) (libfangkong-none.so.9)"));
    fk_err again = {0};
    assert_int_equal(dynlib_load(&lib, &again), -1); /* kept, not tried again */
    assert_string_equal(again.message, err.message);
    assert_null(fn_a);
}

static void missing_symbol(void **state)
{
    (void)state;
    dynlib_sym syms[] = {{"cos", &fn_a}, {"fangkong_no_such_function", &fn_b}};
    dynlib lib = {.what = "libm", .soname = "libm.so.6", .syms = syms, .nsyms = 2};
    fk_err err = {0};
    assert_int_equal(dynlib_load(&lib, &err), -1);
    assert_non_null(strstr(err.message, "no symbol fangkong_no_such_function"));
    assert_null(fn_b);
}

static void real_libraries(void **state)
{
    (void)state;
    fk_err err = {0};
    assert_int_equal(mhd_load(&err), 0);
    assert_int_equal(mhd_load(&err), 0);
    assert_non_null(fk_mhd.start_daemon);
    assert_non_null(fk_mhd.destroy_response);
    assert_int_equal(xlsx_load(&err), 0);
    assert_non_null(fk_xlsx.workbook_new_opt);
    assert_string_equal(fk_xlsx.lxw_strerror(LXW_ERROR_MEMORY_MALLOC_FAILED),
                        "Memory error, failed to malloc() required memory.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_library),
        cmocka_unit_test(missing_symbol),
        cmocka_unit_test(real_libraries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
