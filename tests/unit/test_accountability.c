/* test_accountability.c - responsibility and accountability: daily report periods and
 * deadlines at the edges of the cut-off and deadline hours (model/report.c), units by
 * escalation level and failure references (model/responsibility.c), the policy's new
 * rules and their validation (action names, reporting levels, hours), and the store's
 * units: terms of office that never overlap, one report per unit and day, the done
 * times of a lead's steps. */
#include "testutil.h"
#include "store_fixture.h"

#include <jansson.h>

#include "base/timeutil.h"
#include "model/report.h"
#include "model/responsibility.h"
#include "policy/policy.h"
#include "store/store.h"

static int64_t t(const char *iso)
{
    int64_t v = 0;
    fk_err err;
    if (fk_instant_parse(iso, &v, "t", &err) != 0)
        fail_msg("%s: %s", iso, err.message);
    return v;
}

static void day_of(const report_clock *c, const char *iso, const char *want)
{
    char got[11];
    report_day_of(c, t(iso), got);
    assert_string_equal(got, want);
}

static void periods_at_midnight_cutoff(void **state)
{
    (void)state;
    report_clock c = {.cutoff_hour = 0, .deadline_hour = 10, .utc_offset_h = 8};
    int64_t from, to;
    fk_err err;
    assert_int_equal(report_period(&c, "2022-05-01", &from, &to, "day", &err), 0);
    assert_int_equal(from, t("2022-05-01T00:00:00+08:00"));
    assert_int_equal(to, t("2022-05-02T00:00:00+08:00"));
    day_of(&c, "2022-05-01T00:00:00+08:00", "2022-05-01");
    day_of(&c, "2022-05-01T23:59:59+08:00", "2022-05-01");
    day_of(&c, "2022-05-02T00:00:00+08:00", "2022-05-02");
    day_of(&c, "2022-04-30T23:59:59+08:00", "2022-04-30");
    assert_int_equal(report_deadline(&c, "2022-05-01"), t("2022-05-02T10:00:00+08:00"));
    /* across a month and a year end */
    assert_int_equal(report_deadline(&c, "2022-12-31"), t("2023-01-01T10:00:00+08:00"));
    assert_int_equal(report_period(&c, "2022-02-30", &from, &to, "day", &err), -1);
    assert_string_equal(err.field, "day");
}

static void periods_at_afternoon_cutoff(void **state)
{
    (void)state;
    /* 16 时: the report of D covers D-1 16:00 to D 16:00 */
    report_clock c = {.cutoff_hour = 16, .deadline_hour = 18, .utc_offset_h = 8};
    int64_t from, to;
    fk_err err;
    assert_int_equal(report_period(&c, "2022-05-01", &from, &to, "day", &err), 0);
    assert_int_equal(from, t("2022-04-30T16:00:00+08:00"));
    assert_int_equal(to, t("2022-05-01T16:00:00+08:00"));
    day_of(&c, "2022-05-01T15:59:59+08:00", "2022-05-01");
    day_of(&c, "2022-05-01T16:00:00+08:00", "2022-05-02");
    day_of(&c, "2022-04-30T16:00:00+08:00", "2022-05-01");
    /* deadline after the cut-off on the same day, or the next morning */
    assert_int_equal(report_deadline(&c, "2022-05-01"), t("2022-05-01T18:00:00+08:00"));
    c.deadline_hour = 10;
    assert_int_equal(report_deadline(&c, "2022-05-01"), t("2022-05-02T10:00:00+08:00"));
    c.deadline_hour = 16; /* at the cut-off itself: due when the period ends */
    assert_int_equal(report_deadline(&c, "2022-05-01"), to);
    /* another offset moves every instant, not the dates */
    c.utc_offset_h = 0;
    day_of(&c, "2022-05-01T15:59:59Z", "2022-05-01");
    day_of(&c, "2022-05-01T16:00:00Z", "2022-05-02");
    char d[11];
    report_day_add("2022-03-01", -1, d);
    assert_string_equal(d, "2022-02-28");
    report_day_add("2024-02-28", 1, d);
    assert_string_equal(d, "2024-02-29");
}

static void report_states(void **state)
{
    (void)state;
    const int64_t due = 1000;
    assert_int_equal(report_state_of(0, 0, due, due), REPORT_PENDING);
    assert_int_equal(report_state_of(0, 0, due, due + 1), REPORT_MISSING);
    assert_int_equal(report_state_of(due, 0, due, due + 99), REPORT_SUBMITTED);
    assert_int_equal(report_state_of(due, 1, due, due + 99), REPORT_ZERO);
    assert_int_equal(report_state_of(due + 1, 1, due, due + 99), REPORT_LATE);
    assert_int_equal(report_state_of(due + 1, 0, due, due + 99), REPORT_LATE);
    /* as it stood before the report came: missing, or pending before the deadline */
    assert_int_equal(report_state_of(due + 50, 0, due, due + 49), REPORT_MISSING);
    assert_int_equal(report_state_of(due - 5, 1, due, due - 6), REPORT_PENDING);
    assert_string_equal(report_state_name(REPORT_MISSING), "missing");
    assert_string_equal(report_state_name(REPORT_ZERO), "zero");
}

static void units_and_refs(void **state)
{
    (void)state;
    char u[16], ref[64];
    fk_err err;
    failure_ref r;
    const char *c = "510104001002";
    const char *want[] = {"510104001002", "510104001", "510104", ""};
    for (int level = 0; level < 4; level++) {
        resp_unit_code(c, level, u);
        assert_string_equal(u, want[level]);
    }
    resp_unit_code("510104001", 0, u); /* a street's lead is the street's at level 0 */
    assert_string_equal(u, "510104001");
    resp_unit_code("510104001002003", 0, u); /* a grid's is its community's */
    assert_string_equal(u, "510104001002");
    assert_true(resp_function_known("leads"));
    assert_true(resp_function_known("reporting"));
    assert_false(resp_function_known("lead"));
    assert_false(resp_function_known(NULL));
    assert_int_equal(resp_level_length("street"), 9);
    assert_int_equal(resp_level_length("city"), 0);

    resp_ref_lead(42, 1, ref);
    assert_string_equal(ref, "lead:42:controlled");
    assert_int_equal(resp_ref_parse(ref, &r, &err), 0);
    assert_string_equal(r.kind, "lead");
    assert_int_equal(r.lead_id, 42);
    assert_int_equal(r.step, 1);
    resp_ref_report(c, "2022-05-01", ref);
    assert_int_equal(resp_ref_parse(ref, &r, &err), 0);
    assert_string_equal(r.area_code, c);
    assert_string_equal(r.day, "2022-05-01");
    resp_ref_trip(7, ref);
    assert_string_equal(ref, "trip:7");
    assert_int_equal(resp_ref_parse(ref, &r, &err), 0);
    assert_string_equal(r.kind, "trip");
    assert_int_equal(r.trip_id, 7);
    const char *bad[] = {"lead:0:found", "lead:42:lost", "lead:x:found", "lead:42", "report::2022-05-01",
                         "report:51a:2022-05-01", "report:510104:2022-13-01", "transfer:1", "trip:0",
                         "trip:7x", "trip:", "", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(resp_ref_parse(bad[i], &r, &err), -1);
        assert_string_equal(err.field, "failure_ref");
    }
}

static void policy_rules(void **state)
{
    (void)state;
    const char *ids[] = {"v8", "v9", "m20", "x10"};
    fk_err err;
    for (size_t i = 0; i < 4; i++) {
        policy *p = policy_load_builtin(ids[i], &err);
        assert_non_null(p);
        int64_t h;
        const char *zh;
        size_t n;
        assert_int_equal(policy_get_int(p, "reporting.deadline_hour", &h, &err), 0);
        assert_int_equal(policy_get_count(p, "reporting.levels", &n, &err), 0);
        assert_true(n >= 1);
        assert_int_equal(policy_get_string(p, "accountability.actions.dismissal.zh", &zh, &err), 0);
        assert_string_equal(zh, "免职");
        assert_int_equal(policy_get_string(p, "accountability.actions.suspension_for_inspection.zh", &zh, &err), 0);
        assert_string_equal(zh, "停职检查");
        assert_int_equal(policy_get_string(p, "accountability.actions.admonishment.zh", &zh, &err), 0);
        assert_string_equal(zh, "诫勉");
        assert_int_equal(policy_get_string(p, "accountability.actions.case_investigation.zh", &zh, &err), 0);
        assert_string_equal(zh, "立案审查");
        assert_non_null(policy_source(p, "reporting.figures.new_cases"));
        assert_true(strncmp(policy_source(p, "reporting.figures.new_cases"), "[?] fangkong parameter", 22) == 0);
        policy_free(p);
    }
}

/* v9 with one value replaced at `key` of object `parent`, loaded: 0 or -1 (err). */
static int load_changed(const char *parent, const char *key, json_t *value, fk_err *err)
{
    policy *p = policy_load_builtin("v9", err);
    json_t *doc = policy_document(p);
    policy_free(p);
    json_t *obj = doc;
    char path[128], *save = NULL;
    snprintf(path, sizeof path, "%s", parent);
    for (char *seg = strtok_r(path, ".", &save); seg; seg = strtok_r(NULL, ".", &save))
        obj = json_object_get(obj, seg);
    json_object_set_new(obj, key, value);
    json_object_del(doc, "local");
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    p = policy_load_string("changed", text, strlen(text), err);
    free(text);
    int rc = p ? 0 : -1;
    policy_free(p);
    return rc;
}

static void policy_refusals(void **state)
{
    (void)state;
    fk_err err;
    assert_int_equal(load_changed("reporting", "deadline_hour", json_integer(24), &err), -1);
    assert_string_equal(err.field, "reporting.deadline_hour");
    assert_int_equal(load_changed("reporting", "levels", json_pack("[s]", "city"), &err), -1);
    assert_string_equal(err.field, "reporting.levels.0");
    assert_int_equal(load_changed("reporting", "levels", json_array(), &err), -1);
    assert_string_equal(err.field, "reporting.levels");
    assert_int_equal(load_changed("accountability.actions", "Dismiss", json_pack("{s:s, s:s}", "zh", "免", "en", "x"), &err), -1);
    assert_string_equal(err.field, "accountability.actions");
    assert_int_equal(load_changed("accountability.actions", "warning", json_pack("{s:s}", "zh", "警告"), &err), -1);
    assert_string_equal(err.field, "accountability.actions.warning.en");
    assert_int_equal(load_changed("reporting", "levels_source", json_string("no tag"), &err), -1);
    assert_int_equal(load_changed("accountability.actions", "warning", json_pack("{s:s, s:s}", "zh", "警告", "en", "warning"), &err), 0);
}

/* ---- the store ------------------------------------------------------------------------ */

static resp_rec term(const char *official, int64_t from)
{
    resp_rec r = {0};
    snprintf(r.area_code, sizeof r.area_code, "510104001001");
    snprintf(r.function, sizeof r.function, "leads");
    snprintf(r.unit, sizeof r.unit, "社区居委会");
    snprintf(r.official, sizeof r.official, "%s", official);
    snprintf(r.set_by, sizeof r.set_by, "test");
    r.valid_from = from;
    r.set_at = from;
    return r;
}

static void store_terms(void **state)
{
    fixture *f = *state;
    fk_err err;
    resp_rec a = term("甲", 100), b = term("乙", 200), c = term("丙", 150), out;
    assert_int_equal(store_resp_set(f->st, &a, NULL, &err), 0);
    assert_int_equal(store_resp_set(f->st, &b, NULL, &err), 0);
    assert_int_equal(store_resp_set(f->st, &c, NULL, &err), -1); /* inside 乙's term */
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "valid_from");
    assert_int_equal(store_resp_at(f->st, "leads", "510104001001", 99, &out, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
    assert_int_equal(store_resp_at(f->st, "leads", "510104001001", 199, &out, &err), 0);
    assert_string_equal(out.official, "甲");
    assert_int_equal(out.valid_to, 200);
    assert_int_equal(store_resp_at(f->st, "leads", "510104001001", 200, &out, &err), 0);
    assert_string_equal(out.official, "乙");
    assert_int_equal(out.valid_to, 0);
    assert_int_equal(store_resp_at(f->st, "testing", "510104001001", 200, &out, &err), -1);
    resp_filter all = {.history = 1}, cur = {0};
    resp_list l;
    assert_int_equal(store_resp_list(f->st, &all, &l, &err), 0);
    assert_int_equal(l.total, 2); /* the refused one left nothing */
    resp_list_free(&l);
    assert_int_equal(store_resp_list(f->st, &cur, &l, &err), 0);
    assert_int_equal(l.total, 1);
    assert_string_equal(l.items[0].official, "乙");
    resp_list_free(&l);
}

static void store_reports(void **state)
{
    fixture *f = *state;
    fk_err err;
    report_rec r = {0};
    snprintf(r.area_code, sizeof r.area_code, "510104001001");
    snprintf(r.day, sizeof r.day, "2022-05-01");
    snprintf(r.figures, sizeof r.figures, "{}");
    snprintf(r.submitted_by, sizeof r.submitted_by, "shequ");
    r.zero = 1;
    r.submitted_at = 10;
    r.deadline = 20;
    assert_int_equal(store_report_insert(f->st, &r, NULL, &err), 0);
    assert_int_equal(store_report_insert(f->st, &r, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "day");
    report_list l;
    assert_int_equal(store_reports_between(f->st, "2022-05-01", "2022-05-01", "510104", &l, &err), 0);
    assert_int_equal(l.n, 1);
    report_list_free(&l);
    area_list units;
    assert_int_equal(store_areas_at_levels(f->st, "community|street", "", &units, &err), 0);
    assert_int_equal(units.n, 2);
    assert_string_equal(units.items[0].code, "510104001");
    area_list_free(&units);
}

static void store_fact_times(void **state)
{
    fixture *f = *state;
    fk_err err;
    lead_rec l = {0};
    snprintf(l.kind, sizeof l.kind, "close_contact");
    snprintf(l.subject, sizeof l.subject, "13700000000");
    snprintf(l.area_code, sizeof l.area_code, "510104001001");
    l.pushed_at = 1000;
    l.deadlines[0] = 2000;
    l.deadlines[1] = 3000;
    l.deadlines[2] = 4000;
    assert_int_equal(store_lead_insert(f->st, &l, "a", "", NULL, &err), 0);
    assert_int_equal(store_lead_transition(f->st, l.id, "pushed", "received", NULL, NULL, "a", NULL, 1100, NULL, NULL, &err), 0);
    assert_int_equal(store_lead_transition(f->st, l.id, "received", "not_found", NULL, NULL, "a", NULL, 2500, NULL, NULL, &err), 0);
    assert_int_equal(store_lead_transition(f->st, l.id, "not_found", "found", NULL, NULL, "a", NULL, 2600, NULL, NULL, &err), 0);
    lead_fact fact;
    assert_int_equal(store_lead_fact(f->st, l.id, &fact, &err), 0);
    /* not_found ends the wait for found and for control (it waits to be closed) */
    assert_int_equal(fact.done[LEAD_STEP_FOUND], 2500);
    assert_int_equal(fact.done[LEAD_STEP_CONTROLLED], 2500);
    assert_int_equal(fact.done[LEAD_STEP_CLOSED], 0);
    assert_int_equal(fact.deadlines[LEAD_STEP_CLOSED], 4000);
    lead_fact_list all;
    assert_int_equal(store_lead_facts(f->st, 3500, 5000, "510104001", &all, &err), 0);
    assert_int_equal(all.n, 1);
    lead_fact_list_free(&all);
    assert_int_equal(store_lead_facts(f->st, 0, 900, "", &all, &err), 0); /* pushed after */
    assert_int_equal(all.n, 0);
    lead_fact_list_free(&all);
    assert_int_equal(store_lead_fact(f->st, l.id + 1, &fact, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(periods_at_midnight_cutoff),
        cmocka_unit_test(periods_at_afternoon_cutoff),
        cmocka_unit_test(report_states),
        cmocka_unit_test(units_and_refs),
        cmocka_unit_test(policy_rules),
        cmocka_unit_test(policy_refusals),
        cmocka_unit_test_setup_teardown(store_terms, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_reports, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_fact_times, store_fixture_setup_areas,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
