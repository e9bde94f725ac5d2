/* test_leads.c - leads: the state machine and deadline arithmetic (model/lead.c), the
 * deadlines and measures the policy gives (services/leads.c), and the store's
 * transition and escalation units (store_sqlite_leads.c) on a fresh data directory:
 * refused moves change nothing, every change leaves one event, escalation raises once
 * per level and never lowers. */
#include "testutil.h"
#include "store_fixture.h"

#include "model/lead.h"
#include "policy/policy.h"
#include "services/leads.h"
#include "store/store.h"

#define HOUR 3600

static void machine_moves(void **state)
{
    (void)state;
    static const char *const legal[][2] = {
        {"pushed", "received"}, {"received", "found"},     {"received", "not_found"},
        {"found", "controlled"}, {"found", "refused"},     {"refused", "controlled"},
        {"not_found", "found"}, {"not_found", "closed"},   {"controlled", "closed"}};
    for (size_t i = 0; i < sizeof legal / sizeof legal[0]; i++)
        assert_true(lead_transition_allowed(legal[i][0], legal[i][1]));
    static const char *const illegal[][2] = {
        {"pushed", "found"},    {"pushed", "controlled"}, {"received", "controlled"},
        {"found", "closed"},    {"refused", "closed"},    {"controlled", "found"},
        {"closed", "pushed"},   {"closed", "received"},   {"pushed", "pushed"},
        {"found", "lost"},      {"nowhere", "received"},  {"received", "receive"}};
    for (size_t i = 0; i < sizeof illegal / sizeof illegal[0]; i++)
        assert_false(lead_transition_allowed(illegal[i][0], illegal[i][1]));
}

static void machine_errors(void **state)
{
    (void)state;
    fk_err err;
    assert_int_equal(lead_check_transition("pushed", "closed", NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "state");
    assert_int_equal(lead_check_transition("found", "lost", NULL, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, "state");
    assert_int_equal(lead_check_transition("found", "controlled", NULL, &err), -1);
    assert_string_equal(err.field, "measure_taken");
    assert_int_equal(lead_check_transition("found", "controlled", "teleported", &err), -1);
    assert_string_equal(err.field, "measure_taken");
    assert_int_equal(lead_check_transition("found", "controlled", "hospital", &err), 0);
    assert_true(lead_kind_known("pool_retest"));
    assert_false(lead_kind_known("close"));
}

static void deadline_steps(void **state)
{
    (void)state;
    const int64_t d[LEAD_STEPS] = {1000, 2000, 3000};
    assert_int_equal(lead_due("pushed", d), 1000);
    assert_int_equal(lead_due("received", d), 1000);
    assert_int_equal(lead_due("found", d), 2000);
    assert_int_equal(lead_due("refused", d), 2000);
    assert_int_equal(lead_due("not_found", d), 3000);
    assert_int_equal(lead_due("controlled", d), 3000);
    assert_int_equal(lead_due("closed", d), 0);
    /* missed steps count from the deadline the state waits for */
    assert_int_equal(lead_missed_steps("pushed", d, 1000), 0); /* at the deadline: in time */
    assert_int_equal(lead_missed_steps("pushed", d, 1001), 1);
    assert_int_equal(lead_missed_steps("pushed", d, 2500), 2);
    assert_int_equal(lead_missed_steps("pushed", d, 9999), 3);
    assert_int_equal(lead_missed_steps("found", d, 2500), 1);
    assert_int_equal(lead_missed_steps("controlled", d, 2500), 0);
    assert_int_equal(lead_missed_steps("closed", d, 9999), 0);
    assert_int_equal(lead_escalation_target("pushed", d, 9999), LEAD_LEVEL_COMMAND);
    assert_string_equal(lead_level_name(LEAD_LEVEL_STREET), "street");
    assert_null(lead_level_name(4));
}

static void policy_deadlines(void **state)
{
    (void)state;
    fk_err err;
    policy *p = policy_load_builtin("v9", &err);
    assert_non_null(p);
    int64_t d[LEAD_STEPS], located, closed, close_iso, second_iso, assist;
    assert_int_equal(policy_get_int(p, "tracing.time_limits_h.assist_located", &located, &err), 0);
    assert_int_equal(policy_get_int(p, "tracing.time_limits_h.pushed_list_closed", &closed, &err), 0);
    assert_int_equal(policy_get_int(p, "tracing.time_limits_h.close_contacts_isolated", &close_iso, &err), 0);
    assert_int_equal(policy_get_int(p, "tracing.time_limits_h.secondary_contacts_isolated", &second_iso, &err), 0);
    assert_int_equal(policy_get_int(p, "tracing.time_limits_h.assist_controlled", &assist, &err), 0);
    const int64_t t = 1651400000;
    assert_int_equal(leads_deadlines(p, "close_contact", t, d, &err), 0);
    assert_int_equal(d[0], t + located * HOUR);
    assert_int_equal(d[1], t + close_iso * HOUR);
    assert_int_equal(d[2], t + closed * HOUR);
    assert_int_equal(leads_deadlines(p, "secondary_contact", t, d, &err), 0);
    assert_int_equal(d[1], t + second_iso * HOUR);
    assert_int_equal(leads_deadlines(p, "traveler", t, d, &err), 0);
    assert_int_equal(d[1], t + assist * HOUR);
    /* the v9 numbers of domain.md §7, so a policy edit shows up here */
    assert_int_equal(located, 2);
    assert_int_equal(close_iso, 8);
    assert_int_equal(closed, 24);
    char m[32];
    assert_int_equal(leads_measure_for(p, "close_contact", m, sizeof m, &err), 0);
    assert_string_equal(m, "central_isolation");
    assert_int_equal(leads_measure_for(p, "secondary_contact", m, sizeof m, &err), 0);
    assert_string_equal(m, "home_isolation");
    assert_int_equal(leads_measure_for(p, "pool_retest", m, sizeof m, &err), 0);
    assert_string_equal(m, "test");
    policy_free(p);
}

/* ---- the store ------------------------------------------------------------------------ */

static int64_t add_lead(store *st, int64_t pushed_at)
{
    lead_rec l = {0};
    fk_err err;
    snprintf(l.kind, sizeof l.kind, "traveler");
    snprintf(l.subject, sizeof l.subject, "13900000001");
    snprintf(l.area_code, sizeof l.area_code, "510104001001");
    l.pushed_at = pushed_at;
    for (int i = 0; i < LEAD_STEPS; i++)
        l.deadlines[i] = pushed_at + (int64_t)(2 + 6 * i) * HOUR;
    if (store_lead_insert(st, &l, "alice", "by hand", NULL, &err) != 0)
        fail_msg("insert: %s", err.message);
    assert_string_equal(l.state, "pushed");
    assert_int_equal(l.due_at, l.deadlines[0]);
    return l.id;
}

static size_t event_count(store *st, int64_t id)
{
    lead_event_list ev;
    fk_err err;
    assert_int_equal(store_lead_events(st, id, &ev, &err), 0);
    size_t n = ev.n;
    lead_event_list_free(&ev);
    return n;
}

static void store_transitions(void **state)
{
    fixture *f = *state;
    fk_err err;
    lead_rec l;
    int64_t id = add_lead(f->st, 1000);
    /* illegal, stale, and controlled without a measure: refused, nothing written */
    assert_int_equal(store_lead_transition(f->st, id, "pushed", "found", NULL, NULL, "bob", "",
                                           2000, NULL, &l, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(store_lead_transition(f->st, id, "received", "found", NULL, NULL, "bob", "",
                                           2000, NULL, &l, &err), -1);
    assert_string_equal(err.field, "state");
    assert_int_equal(event_count(f->st, id), 1);
    const char *path[][2] = {{"pushed", "received"}, {"received", "found"}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(store_lead_transition(f->st, id, path[i][0], path[i][1], NULL, "bob",
                                               "bob", "", 2000 + i, NULL, &l, &err), 0);
    assert_int_equal(l.due_at, l.deadlines[LEAD_STEP_CONTROLLED]);
    assert_string_equal(l.assignee, "bob");
    assert_int_equal(store_lead_transition(f->st, id, "found", "controlled", NULL, NULL, "bob", "",
                                           3000, NULL, &l, &err), -1);
    assert_string_equal(err.field, "measure_taken");
    assert_int_equal(store_lead_transition(f->st, id, "found", "controlled", "hospital", NULL,
                                           "bob", "送医", 3000, NULL, &l, &err), 0);
    assert_string_equal(l.measure_taken, "hospital");
    assert_int_equal(store_lead_transition(f->st, id, "controlled", "closed", NULL, NULL, "bob",
                                           "", 4000, NULL, &l, &err), 0);
    assert_int_equal(l.due_at, 0);
    assert_int_equal(event_count(f->st, id), 5);
    lead_filter open = {.overdue_at = 1 << 30};
    lead_list ll;
    assert_int_equal(store_lead_list(f->st, &open, &ll, &err), 0);
    assert_int_equal(ll.total, 0); /* a closed lead is never overdue */
    lead_list_free(&ll);
}

static void store_escalation(void **state)
{
    fixture *f = *state;
    fk_err err;
    int raised;
    int64_t id = add_lead(f->st, 1000);
    assert_int_equal(store_lead_escalate(f->st, id, 1, 9000, "system", NULL, NULL, &raised, &err), 0);
    assert_int_equal(raised, 1);
    assert_int_equal(store_lead_escalate(f->st, id, 1, 9500, "system", NULL, NULL, &raised, &err), 0);
    assert_int_equal(raised, 0); /* the same level again: no event */
    assert_int_equal(store_lead_escalate(f->st, id, 0, 9600, "system", NULL, NULL, &raised, &err), 0);
    assert_int_equal(raised, 0); /* never lowered */
    lead_rec l;
    assert_int_equal(store_lead_get(f->st, id, &l, &err), 0);
    assert_int_equal(l.escalation_level, 1);
    assert_int_equal(l.escalated_at, 9000);
    assert_int_equal(event_count(f->st, id), 2);
    lead_filter overdue = {.overdue_at = 1000 + 2 * HOUR + 1};
    lead_list ll;
    assert_int_equal(store_lead_list(f->st, &overdue, &ll, &err), 0);
    assert_int_equal(ll.total, 1);
    lead_list_free(&ll);
    overdue.overdue_at = 1000 + 2 * HOUR; /* exactly at the deadline: not yet overdue */
    assert_int_equal(store_lead_list(f->st, &overdue, &ll, &err), 0);
    assert_int_equal(ll.total, 0);
    lead_list_free(&ll);
}

static void store_refuses_bad_rows(void **state)
{
    fixture *f = *state;
    fk_err err;
    lead_rec l = {0};
    snprintf(l.kind, sizeof l.kind, "traveler");
    snprintf(l.area_code, sizeof l.area_code, "510104001001");
    l.pushed_at = 1000;
    l.deadlines[0] = l.deadlines[1] = l.deadlines[2] = 2000;
    /* no person and no subject */
    assert_int_equal(store_lead_insert(f->st, &l, "alice", "", NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    snprintf(l.subject, sizeof l.subject, "13900000001");
    l.deadlines[2] = 1500; /* closed before controlled */
    assert_int_equal(store_lead_insert(f->st, &l, "alice", "", NULL, &err), -1);
    l.deadlines[2] = 2000;
    snprintf(l.area_code, sizeof l.area_code, "999999");
    assert_int_equal(store_lead_insert(f->st, &l, "alice", "", NULL, &err), -1);
    lead_filter all = {0};
    lead_list ll;
    assert_int_equal(store_lead_list(f->st, &all, &ll, &err), 0);
    assert_int_equal(ll.total, 0);
    lead_list_free(&ll);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_moves),
        cmocka_unit_test(machine_errors),
        cmocka_unit_test(deadline_steps),
        cmocka_unit_test(policy_deadlines),
        cmocka_unit_test_setup_teardown(store_transitions, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_escalation, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_refuses_bad_rows, store_fixture_setup_areas,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
