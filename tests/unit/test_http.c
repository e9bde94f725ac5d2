/* test_http.c - route matching, error mapping and JSON decoding, without a socket. */
#include "testutil.h"

#include "http/json_io.h"
#include "http/respond.h"
#include "http/router.h"

static void routes_match_with_params(void **state)
{
    (void)state;
    http_req rq = {0};
    const route *r;
    assert_int_equal(router_find("GET", "/api/v1/persons/42", &rq, &r), ROUTE_FOUND);
    assert_string_equal(r->pattern, "/api/v1/persons/{id}");
    assert_string_equal(rq.params[0], "42");
    assert_int_equal(router_find("POST", "/api/v1/cases/7/transitions", &rq, &r), ROUTE_FOUND);
    assert_string_equal(rq.params[0], "7");
    assert_int_equal(router_find("DELETE", "/api/v1/persons", &rq, &r), ROUTE_NO_METHOD);
    assert_int_equal(router_find("GET", "/api/v1/persons/", &rq, &r), ROUTE_NO_PATH);
    assert_int_equal(router_find("GET", "/api/v1/persons/1/2", &rq, &r), ROUTE_NO_PATH);
    assert_int_equal(router_find("POST", "/api/v1/session", &rq, &r), ROUTE_FOUND);
    assert_false(r->auth);
}

/* The router dispatches by section (its first three segments): every route of the table
 * must still be found by a path of its own pattern, with the same method, and paths that
 * share only part of a section must not match. */
static void every_route_found_by_section(void **state)
{
    (void)state;
    json_t *doc = router_openapi(), *item, *op;
    const char *pattern, *method;
    size_t checked = 0;
    json_object_foreach(json_object_get(doc, "paths"), pattern, item) {
        char path[256];
        size_t k = 0;
        for (const char *p = pattern; *p && k < sizeof path - 2; p++) {
            if (*p == '{') { /* a parameter: "7" */
                path[k++] = '7';
                p = strchr(p, '}');
                continue;
            }
            path[k++] = *p;
        }
        path[k] = '\0';
        json_object_foreach(item, method, op) {
            char m[8];
            size_t i = 0;
            for (; method[i] && i < sizeof m - 1; i++)
                m[i] = (char)(method[i] & ~0x20);
            m[i] = '\0';
            http_req rq = {0};
            const route *r = NULL;
            assert_int_equal(router_find(m, path, &rq, &r), ROUTE_FOUND);
            assert_string_equal(r->pattern, pattern);
            assert_string_equal(r->method, m);
            checked++;
        }
    }
    assert_true(checked > 100);
    json_decref(doc);
    http_req rq = {0};
    const route *r;
    assert_int_equal(router_find("GET", "/healthz", &rq, &r), ROUTE_FOUND);
    assert_int_equal(router_find("GET", "/healthz/", &rq, &r), ROUTE_NO_PATH);
    assert_int_equal(router_find("GET", "/api/v1/code", &rq, &r), ROUTE_NO_PATH);
    assert_int_equal(router_find("GET", "/api/v1/codesx/abc", &rq, &r), ROUTE_NO_PATH);
    assert_int_equal(router_find("GET", "/api/v1/codes/abc", &rq, &r), ROUTE_FOUND);
    assert_string_equal(rq.params[0], "abc");
    assert_int_equal(router_find("POST", "/api/v1/codes/abc", &rq, &r), ROUTE_NO_METHOD);
    assert_int_equal(router_find("GET", "/api/v1", &rq, &r), ROUTE_NO_PATH);
    assert_int_equal(router_find("GET", "", &rq, &r), ROUTE_NO_PATH);
    assert_int_equal(router_find("GET", "/zzz/api/v1/persons", &rq, &r), ROUTE_NO_PATH);
}

static void errors_map_to_statuses(void **state)
{
    (void)state;
    assert_int_equal(http_status_of(FK_EINVAL), 400);
    assert_int_equal(http_status_of(FK_EUNAUTH), 401);
    assert_int_equal(http_status_of(FK_EFORBIDDEN), 403);
    assert_int_equal(http_status_of(FK_ENOTFOUND), 404);
    assert_int_equal(http_status_of(FK_EMETHOD), 405);
    assert_int_equal(http_status_of(FK_ECONFLICT), 409);
    assert_int_equal(http_status_of(FK_ETOOBIG), 413);
    assert_int_equal(http_status_of(FK_EREF), 422);
    assert_int_equal(http_status_of(FK_EBUSY), 503);
    assert_int_equal(http_status_of(FK_EIO), 500);
    fk_err err;
    fk_fail(&err, FK_EREF, "household_id", "household_id: no household 9");
    json_t *j = http_error_json(&err);
    json_t *e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "unknown_reference");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "household_id");
    json_decref(j);
}

static void person_decoding(void **state)
{
    (void)state;
    fk_err err;
    person p = {0};
    json_t *j = json_loads("{\"name\":\"王芳\",\"id_number\":\"11010519491231002X\","
                           "\"household_id\":3,\"flags\":[\"pregnant\"]}", 0, NULL);
    assert_int_equal(person_from_json(j, &p, false, &err), 0);
    assert_string_equal(p.id_type, "resident");
    assert_string_equal(p.resident_type, "resident");
    assert_int_equal(p.flags, PERSON_PREGNANT);
    json_decref(j);

    j = json_loads("{\"name\":\"王芳\",\"id_number\":\"x\",\"age\":3}", 0, NULL);
    assert_int_equal(person_from_json(j, &p, false, &err), -1);
    assert_string_equal(err.field, "age");
    json_decref(j);

    j = json_loads("{\"id_number\":\"11010519491231002X\"}", 0, NULL);
    assert_int_equal(person_from_json(j, &p, false, &err), -1);
    assert_string_equal(err.field, "name");
    json_decref(j);

    j = json_loads("{\"work_unit\":\"某厂\"}", 0, NULL); /* PATCH keeps the rest */
    assert_int_equal(person_from_json(j, &p, true, &err), 0);
    assert_string_equal(p.name, "王芳");
    assert_string_equal(p.work_unit, "某厂");
    json_decref(j);

    j = json_loads("{\"flags\":[\"vip\"]}", 0, NULL);
    assert_int_equal(person_from_json(j, &p, true, &err), -1);
    assert_string_equal(err.field, "flags");
    json_decref(j);
}

static void openapi_covers_routes(void **state)
{
    (void)state;
    json_t *doc = router_openapi();
    json_t *paths = json_object_get(doc, "paths");
    assert_non_null(json_object_get(json_object_get(paths, "/api/v1/persons/{id}"), "patch"));
    assert_non_null(json_object_get(json_object_get(paths, "/api/v1/audit"), "get"));
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes_match_with_params),
        cmocka_unit_test(every_route_found_by_section),
        cmocka_unit_test(errors_map_to_statuses),
        cmocka_unit_test(person_decoding),
        cmocka_unit_test(openapi_covers_routes),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
