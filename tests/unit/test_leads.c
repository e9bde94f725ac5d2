/* test_leads.c - leads: the state machine and deadline arithmetic (model/lead.c) and
 * its escalation rule in SQL (the same answers as in C), the deadlines and measures the
 * policy gives (services/leads.c), and the store's transition and escalation units
 * (store_sqlite_leads.c) on a fresh data directory: refused moves change nothing, every
 * change leaves one event, escalation raises once per level and never lowers, and the
 * set-based sweep raises exactly the leads the rule names, once; the push from a case
 * chooses one contact per subject in order and leaves every foreign key whole; migration
 * 0028 (leads rebuilt) keeps its rows and checks and refuses a store with a broken key. */
#include "testutil.h"
#include "store_fixture.h"

#include <sqlite3.h>

#include "base/timeutil.h"
#include "model/lead.h"
#include "policy/policy.h"
#include "services/leads.h"
#include "store/store.h"
#include "store/store_sqlite_int.h"

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

/* The SQL form of the rule against the C one, on every state and on the edges of
 * each deadline (at it: in time; one second past: missed), equal deadlines included. */
static void target_sql_agrees(void **state)
{
    (void)state;
    static const char *const states[] = {"pushed", "received", "found", "refused",
                                          "not_found", "controlled", "closed", "nowhere"};
    static const int64_t sets[][LEAD_STEPS] = {
        {1000, 2000, 3000}, {1000, 1000, 3000}, {1000, 3000, 3000}, {1000, 1000, 1000}};
    char expr[1024], sql[1536];
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(lead_escalation_target_sql(expr, 16, "?1"), -1); /* too small */
    assert_int_equal(lead_escalation_target_sql(expr, sizeof expr, "?1"), 0);
    snprintf(sql, sizeof sql, "SELECT %s FROM (SELECT ?2 AS state, ?3 AS found_by, "
             "?4 AS controlled_by, ?5 AS closed_by)", expr);
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++)
            for (int step = 0; step < LEAD_STEPS; step++)
                for (int64_t delta = -1; delta <= 1; delta++) {
                    int64_t now = sets[k][step] + delta;
                    sqlite3_bind_int64(q, 1, now);
                    sqlite3_bind_text(q, 2, states[i], -1, SQLITE_STATIC);
                    for (int c = 0; c < LEAD_STEPS; c++)
                        sqlite3_bind_int64(q, 3 + c, sets[k][c]);
                    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
                    if (sqlite3_column_int(q, 0) != lead_escalation_target(states[i], sets[k], now))
                        fail_msg("%s %lld/%lld/%lld at %lld: SQL %d, C %d", states[i],
                                 (long long)sets[k][0], (long long)sets[k][1],
                                 (long long)sets[k][2], (long long)now, sqlite3_column_int(q, 0),
                                 lead_escalation_target(states[i], sets[k], now));
                    sqlite3_reset(q);
                }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* The clock's rules (migration 0022): which deadline takes a state to a level, the next
 * deadline at or after an instant (C and SQL agree, on the edges), the level shown. */
static void clock_rules(void **state)
{
    (void)state;
    const int64_t d[LEAD_STEPS] = {1000, 2000, 3000};
    assert_int_equal(lead_level_step("pushed", 1), LEAD_STEP_FOUND);
    assert_int_equal(lead_level_step("received", 3), LEAD_STEP_CLOSED);
    assert_int_equal(lead_level_step("found", 1), LEAD_STEP_CONTROLLED);
    assert_int_equal(lead_level_step("found", 3), -1);
    assert_int_equal(lead_level_step("controlled", 1), LEAD_STEP_CLOSED);
    assert_int_equal(lead_level_step("closed", 1), -1);
    assert_int_equal(lead_level_step("pushed", 0), -1);
    assert_int_equal(lead_next_crossing("pushed", d, 1000), 1000); /* at it: still ahead */
    assert_int_equal(lead_next_crossing("pushed", d, 1001), 2000);
    assert_int_equal(lead_next_crossing("not_found", d, 0), 3000);
    assert_int_equal(lead_next_crossing("found", d, 3001), 0);
    assert_int_equal(lead_next_crossing("closed", d, 0), 0);
    assert_int_equal(lead_level_seen(0, false, "pushed", d, 1000), 0);
    assert_int_equal(lead_level_seen(0, false, "pushed", d, 1001), 1);
    assert_int_equal(lead_level_seen(0, true, "pushed", d, 9999), 0); /* owed: stored */
    assert_int_equal(lead_level_seen(2, false, "controlled", d, 9999), 2); /* never lower */
    assert_int_equal(lead_level_seen(1, false, "found", d, 3001), 2);
    static const char *const states[] = {"pushed", "received", "found", "refused",
                                          "not_found", "controlled", "closed"};
    static const int64_t sets[][LEAD_STEPS] = {{1000, 2000, 3000}, {1000, 1000, 3000}};
    char expr[1024], sql[1536];
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(lead_next_crossing_sql(expr, 16, "?1"), -1);
    assert_int_equal(lead_next_crossing_sql(expr, sizeof expr, "?1"), 0);
    snprintf(sql, sizeof sql, "SELECT coalesce(%s, 0) FROM (SELECT ?2 AS state, ?3 AS found_by, "
             "?4 AS controlled_by, ?5 AS closed_by)", expr);
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++)
            for (int step = 0; step < LEAD_STEPS; step++)
                for (int64_t delta = -1; delta <= 1; delta++) {
                    int64_t since = sets[k][step] + delta;
                    sqlite3_bind_int64(q, 1, since);
                    sqlite3_bind_text(q, 2, states[i], -1, SQLITE_STATIC);
                    for (int c = 0; c < LEAD_STEPS; c++)
                        sqlite3_bind_int64(q, 3 + c, sets[k][c]);
                    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
                    if (sqlite3_column_int64(q, 0) != lead_next_crossing(states[i], sets[k], since))
                        fail_msg("%s since %lld: SQL %lld, C %lld", states[i], (long long)since,
                                 (long long)sqlite3_column_int64(q, 0),
                                 (long long)lead_next_crossing(states[i], sets[k], since));
                    sqlite3_reset(q);
                }
    sqlite3_finalize(q);
    sqlite3_close(db);
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

/* The note callback: names the area and level, and counts the calls. */
static int test_note(void *ctx, const char *area, int level, char *note, size_t cap, fk_err *err)
{
    (void)err;
    ++*(int *)ctx;
    snprintf(note, cap, "to %d at %s", level, area);
    return 0;
}

/* The sweep at `now` in its own unit; its runs into runs[] (at most cap), their count
 * into *n_runs. */
static int64_t sweep(store *st, int64_t now, int *notes, lead_run *runs, size_t cap,
                     size_t *n_runs)
{
    fk_err err;
    lead_sweep sw = {.now = now, .actor = "system", .note = test_note, .note_ctx = notes};
    lead_sweep_page page;
    *n_runs = 0;
    assert_int_equal(store_begin(st, &err), 0);
    if (store_lead_escalate_page(st, &sw, &page, &err) != 0)
        fail_msg("sweep: %s", err.message);
    assert_int_equal(store_commit(st, &err), 0);
    for (size_t i = 0; i < page.n_runs && *n_runs < cap; i++)
        runs[(*n_runs)++] = page.runs[i];
    int64_t raised = page.raised;
    lead_sweep_page_free(&page);
    return raised;
}

static void move(store *st, int64_t id, const char *const *path, size_t n)
{
    fk_err err;
    lead_rec l;
    for (size_t i = 0; i + 1 < n; i++)
        if (store_lead_transition(st, id, path[i], path[i + 1], "hospital", NULL, "bob", "",
                                  1500, NULL, &l, &err) != 0)
            fail_msg("%s->%s: %s", path[i], path[i + 1], err.message);
}

static int level_of(store *st, int64_t id)
{
    fk_err err;
    lead_rec l;
    assert_int_equal(store_lead_get(st, id, &l, &err), 0);
    return l.escalation_level;
}

/* Deadlines of add_lead: found 2 h, controlled 8 h, closed 14 h after the push. */
static void store_sweep_pages(void **state)
{
    fixture *f = *state;
    fk_err err;
    static const char *const to_found[] = {"pushed", "received", "found"};
    static const char *const to_closed[] = {"pushed", "received", "not_found", "closed"};
    int64_t a = add_lead(f->st, 1000), b = add_lead(f->st, 1000), c = add_lead(f->st, 1000);
    int64_t d = add_lead(f->st, 1000), e = add_lead(f->st, 1000 + 9 * HOUR);
    move(f->st, b, to_found, 3);
    move(f->st, c, to_closed, 4);
    int up, notes = 0;
    assert_int_equal(store_lead_escalate(f->st, d, 2, 1200, "system", NULL, NULL, &up, &err), 0);
    /* without the caller's unit: refused */
    lead_sweep sw = {.now = 1000 + 10 * HOUR};
    lead_sweep_page page;
    assert_int_equal(store_lead_escalate_page(f->st, &sw, &page, &err), -1);
    bool pending;
    assert_int_equal(store_lead_escalation_pending(f->st, 1000 + 10 * HOUR, &pending, &err), 0);
    assert_true(pending);
    /* 10 h: a (pushed) missed found and controlled -> 2; b (found) missed controlled ->
     * 1; c closed, d already at 2, e not due: untouched. One call does the whole sweep
     * (the clock moves once), its runs by (from, to, first id). */
    lead_run runs[8];
    size_t n;
    assert_int_equal(sweep(f->st, 1000 + 10 * HOUR, &notes, runs, 8, &n), 2);
    assert_int_equal(n, 2);
    assert_true(runs[0].from == 0 && runs[0].to == 1 && runs[0].first == b && runs[0].n == 1);
    assert_true(runs[1].from == 0 && runs[1].to == 2 && runs[1].first == a && runs[1].n == 1);
    assert_int_equal(notes, 2); /* one per (area, new level) */
    int want[] = {2, 1, 0, 2, 0};
    int64_t ids[] = {a, b, c, d, e};
    for (int i = 0; i < 5; i++)
        assert_int_equal(level_of(f->st, ids[i]), want[i]);
    lead_event_list ev;
    assert_int_equal(store_lead_events(f->st, a, &ev, &err), 0);
    assert_int_equal(ev.n, 2);
    assert_string_equal(ev.items[1].note, "to 2 at 510104001001");
    assert_string_equal(ev.items[1].to_state, "pushed");
    assert_int_equal(ev.items[1].at, 1000 + 10 * HOUR);
    lead_event_list_free(&ev);
    assert_int_equal(event_count(f->st, c), 4); /* the closed lead: its moves only */
    /* again at the same time: nothing pending, nothing raised */
    assert_int_equal(store_lead_escalation_pending(f->st, 1000 + 10 * HOUR, &pending, &err), 0);
    assert_false(pending);
    assert_int_equal(sweep(f->st, 1000 + 10 * HOUR, &notes, runs, 8, &n), 0);
    assert_int_equal(event_count(f->st, a), 2);
    /* 30 h: every deadline past; a and d from 2 to command (two runs: b and c lie
     * between), e from 0, b (found) to 2. One page, runs by (from, to, first id). */
    assert_int_equal(sweep(f->st, 1000 + 30 * HOUR, &notes, runs, 8, &n), 4);
    assert_int_equal(n, 4);
    assert_true(runs[0].from == 0 && runs[0].to == 3 && runs[0].first == e && runs[0].n == 1);
    assert_true(runs[1].from == 1 && runs[1].to == 2 && runs[1].first == b && runs[1].n == 1);
    assert_true(runs[2].from == 2 && runs[2].to == 3 && runs[2].first == a && runs[2].n == 1);
    assert_true(runs[3].from == 2 && runs[3].to == 3 && runs[3].first == d && runs[3].n == 1);
    int at_30[] = {3, 2, 0, 3, 3};
    for (int i = 0; i < 5; i++)
        assert_int_equal(level_of(f->st, ids[i]), at_30[i]);
    /* b's history: its moves, then each raise in the state the sweep saw, in the order
     * written (the raises are kept per unit and level, the moves as events); a move
     * after them comes after them, whatever its time */
    lead_rec moved;
    assert_int_equal(store_lead_transition(f->st, b, "found", "controlled", "hospital", NULL,
                                           "bob", "", 1600, NULL, &moved, &err), 0);
    static const char *const b_states[][2] = {{"", "pushed"},        {"pushed", "received"},
                                              {"received", "found"}, {"found", "found"},
                                              {"found", "found"},    {"found", "controlled"}};
    assert_int_equal(store_lead_events(f->st, b, &ev, &err), 0);
    assert_int_equal(ev.n, 6);
    for (size_t i = 0; i < ev.n; i++) {
        assert_string_equal(ev.items[i].from_state, b_states[i][0]);
        assert_string_equal(ev.items[i].to_state, b_states[i][1]);
    }
    assert_string_equal(ev.items[3].note, "to 1 at 510104001001");
    assert_string_equal(ev.items[4].note, "to 2 at 510104001001");
    assert_string_equal(ev.items[4].actor, "system");
    assert_int_equal(ev.items[3].at, 1000 + 10 * HOUR);
    assert_int_equal(ev.items[4].at, 1000 + 30 * HOUR);
    assert_int_equal(ev.items[5].at, 1600);
    lead_event_list_free(&ev);
    assert_int_equal(store_lead_escalation_pending(f->st, 1000 + 30 * HOUR, &pending, &err), 0);
    assert_false(pending);
}

/* One sweep at `now` (the service's way: pending first, then one call in one unit);
 * the leads raised. */
static int64_t sweep_at(store *st, int64_t now, int *notes)
{
    fk_err err;
    bool pending;
    assert_int_equal(store_lead_escalation_pending(st, now, &pending, &err), 0);
    if (!pending)
        return 0;
    lead_run runs[8];
    size_t n;
    return sweep(st, now, notes, runs, 8, &n);
}

/* The sweep clock (migration 0022): levels at the exact deadline edges, a notice once
 * per crossing, a moved lead that owes its raise, a closed lead keeping its level, the
 * history rebuilt (a jump over levels is one entry). add_lead's deadlines: found 2 h,
 * controlled 8 h, closed 14 h after the push. */
static void store_sweep_clock(void **state)
{
    fixture *f = *state;
    fk_err err;
    int notes = 0;
    bool pending;
    lead_rec l;
    int64_t a = add_lead(f->st, 1000), n = add_lead(f->st, 1000);
    static const char *const to_not_found[] = {"pushed", "received", "not_found"};
    move(f->st, n, to_not_found, 3);
    /* at the deadline: in time, nothing to do */
    assert_int_equal(sweep_at(f->st, 1000 + 2 * HOUR, &notes), 0);
    assert_int_equal(level_of(f->st, a), 0);
    /* one second past: a to street, one notice; again, or later before the next
     * deadline: nothing pending, no notice */
    assert_int_equal(sweep_at(f->st, 1000 + 2 * HOUR + 1, &notes), 1);
    assert_int_equal(notes, 1);
    assert_int_equal(store_lead_get(f->st, a, &l, &err), 0);
    assert_int_equal(l.escalation_level, 1);
    assert_int_equal(l.escalated_at, 1000 + 2 * HOUR + 1);
    assert_int_equal(l.updated_at, 1000 + 2 * HOUR + 1);
    assert_int_equal(sweep_at(f->st, 1000 + 2 * HOUR + 1, &notes), 0);
    assert_int_equal(store_lead_escalation_pending(f->st, 1000 + 8 * HOUR, &pending, &err), 0);
    assert_false(pending);
    assert_int_equal(sweep_at(f->st, 1000 + 8 * HOUR + 1, &notes), 1);
    assert_int_equal(notes, 2);
    assert_int_equal(level_of(f->st, a), 2);
    assert_int_equal(level_of(f->st, n), 0); /* not_found waits for closed (14 h) */
    /* n found again: found counts the controlled deadline (8 h), already behind the
     * clock: it owes its raise and shows 0 until a sweep, which tells and writes it */
    assert_int_equal(store_lead_transition(f->st, n, "not_found", "found", NULL, NULL, "bob",
                                           "", 1600, NULL, &l, &err), 0);
    assert_int_equal(l.escalation_level, 0);
    assert_int_equal(store_lead_escalation_pending(f->st, 1000 + 8 * HOUR + 1, &pending, &err), 0);
    assert_true(pending);
    assert_int_equal(sweep_at(f->st, 1000 + 8 * HOUR + 1, &notes), 1);
    assert_int_equal(notes, 3);
    assert_int_equal(level_of(f->st, n), 1);
    /* a closed keeps the level it showed, and its history */
    static const char *const to_closed[] = {"pushed", "received", "not_found", "closed"};
    move(f->st, a, to_closed, 4);
    assert_int_equal(level_of(f->st, a), 2);
    /* j pushed at 20 h jumps 0 -> 3 at 40 h: one entry, though the sweep also wrote the
     * unit's level 2 notice (k, pushed at 30 h, reaches 2) */
    int64_t j = add_lead(f->st, 1000 + 20 * HOUR), k = add_lead(f->st, 1000 + 30 * HOUR);
    assert_int_equal(sweep_at(f->st, 1000 + 40 * HOUR, &notes), 3); /* j, k; n to 2 */
    assert_int_equal(level_of(f->st, a), 2);
    assert_int_equal(level_of(f->st, j), 3);
    assert_int_equal(level_of(f->st, k), 2);
    assert_int_equal(level_of(f->st, n), 2);
    lead_event_list ev;
    assert_int_equal(store_lead_events(f->st, j, &ev, &err), 0);
    assert_int_equal(ev.n, 2);
    assert_string_equal(ev.items[1].note, "to 3 at 510104001001");
    assert_int_equal(ev.items[1].at, 1000 + 40 * HOUR);
    assert_string_equal(ev.items[1].to_state, "pushed");
    lead_event_list_free(&ev);
    /* a: pushed, its two raises (settled when it moved, in the state the sweeps saw),
     * then its moves */
    static const char *const a_states[][2] = {
        {"", "pushed"},          {"pushed", "pushed"},       {"pushed", "pushed"},
        {"pushed", "received"},  {"received", "not_found"}, {"not_found", "closed"}};
    assert_int_equal(store_lead_events(f->st, a, &ev, &err), 0);
    assert_int_equal(ev.n, 6);
    for (size_t i = 0; i < ev.n; i++) {
        assert_string_equal(ev.items[i].from_state, a_states[i][0]);
        assert_string_equal(ev.items[i].to_state, a_states[i][1]);
    }
    assert_int_equal(ev.items[1].at, 1000 + 2 * HOUR + 1);
    assert_int_equal(ev.items[2].at, 1000 + 8 * HOUR + 1);
    lead_event_list_free(&ev);
    /* n: pushed, two moves, found again, its owed raise, the derived one */
    assert_int_equal(store_lead_events(f->st, n, &ev, &err), 0);
    assert_int_equal(ev.n, 6);
    assert_int_equal(ev.items[4].at, 1000 + 8 * HOUR + 1);
    assert_string_equal(ev.items[4].note, "to 1 at 510104001001");
    assert_string_equal(ev.items[5].note, "to 2 at 510104001001");
    assert_string_equal(ev.items[5].from_state, "found");
    lead_event_list_free(&ev);
    /* every deadline behind: nothing pending ever after */
    assert_int_equal(store_lead_escalation_pending(f->st, 1000 + 90 * HOUR, &pending, &err), 0);
    assert_true(pending); /* k's closed deadline (44 h) lies ahead of the clock */
    assert_int_equal(sweep_at(f->st, 1000 + 90 * HOUR, &notes), 1);
    assert_int_equal(store_lead_escalation_pending(f->st, 1000 + 99 * HOUR, &pending, &err), 0);
    assert_false(pending);
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

/* ---- the push (store_lead_push) and migration 0028 ------------------------------------- */

static void contact_add(store *st, int64_t case_id, int64_t person_id, const char *subject,
                        const char *kind, int degree, const char *status, int64_t *id)
{
    fk_err err;
    contact_rec c = {0};
    c.case_id = case_id;
    c.person_id = person_id;
    snprintf(c.subject, sizeof c.subject, "%s", subject);
    snprintf(c.kind, sizeof c.kind, "%s", kind);
    snprintf(c.source, sizeof c.source, "test");
    if (degree == 2)
        snprintf(c.via, sizeof c.via, "A");
    c.degree = degree;
    c.found_at = fk_now();
    if (store_contact_upsert(st, &c, NULL, &err) != 0)
        fail_msg("contact %s: %s", subject, err.message);
    if (strcmp(status, "proposed") != 0 &&
        store_contact_review(st, c.id, status, "", "test", fk_now(), NULL, &err) != 0)
        fail_msg("review %s: %s", subject, err.message);
    *id = c.id;
}

static lead_push push_of_case(int64_t case_id, const char *area)
{
    lead_push p = {0};
    p.case_id = case_id;
    snprintf(p.case_area, sizeof p.case_area, "%s", area);
    p.pushed_at = fk_now();
    for (int d = 0; d < 2; d++) {
        snprintf(p.kind[d], sizeof p.kind[d], d ? "secondary_contact" : "close_contact");
        snprintf(p.measure[d], sizeof p.measure[d], d ? "home_monitoring" : "central_isolation");
        for (int k = 0; k < LEAD_STEPS; k++)
            p.deadlines[d][k] = p.pushed_at + (int64_t)(d + 1) * (k + 1) * HOUR;
    }
    p.actor = "test";
    p.note = "pushed";
    return p;
}

/* Community 510104001002 ("area 3"), beside the fixture's 510104001001 in one street. */
static void second_community(store *st)
{
    fk_err err;
    area other = {0};
    snprintf(other.code, sizeof other.code, "510104001002");
    snprintf(other.parent_code, sizeof other.parent_code, "510104001");
    snprintf(other.level, sizeof other.level, "community");
    snprintf(other.name, sizeof other.name, "area 3");
    assert_int_equal(store_area_insert(st, &other, &err), 0);
}

/* The rows of `sql` on the store's file through a connection of the test's own (foreign
 * keys on, as the store's): how many, and the first column of the first. */
static int64_t raw_rows(const fixture *f, const char *sql, char *first, size_t cap)
{
    char path[600];
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    int64_t n = 0;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if (n++ == 0 && first)
            snprintf(first, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    int done = rc == SQLITE_DONE;
    if (!done && first)
        snprintf(first, cap, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return done ? n : -1;
}

/* One lead per subject of the case (its contact of lowest degree, then lowest id; the
 * dismissed left out), by subject whatever the degree, ids consecutive;
 * the person's community answers, else the case's; a second push makes nothing and a new
 * subject one lead. The rows go in without SQLite's per-row foreign-key probes: the
 * store's every foreign key holds after (PRAGMA foreign_key_check), the connection checks
 * them again after the push, and a push naming a community not in the store is refused
 * before it writes anything. */
static void store_push_choice(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    second_community(st);
    person p[4];
    for (int i = 0; i < 4; i++)
        p[i] = fixture_person("P", i);
    snprintf(p[2].community_code, sizeof p[2].community_code, "510104001002");
    for (int i = 0; i < 4; i++)
        fixture_person_insert(st, &p[i]);
    epicase k = fixture_case_insert(st, p[0].id);

    int64_t c[9];
    contact_add(st, k.id, p[1].id, "C", "venue", 2, "proposed", &c[0]);   /* C: degree 2 only */
    contact_add(st, k.id, p[1].id, "B", "venue", 2, "proposed", &c[1]);   /* B: 2, then 1 */
    contact_add(st, k.id, p[2].id, "A", "venue", 1, "confirmed", &c[2]);  /* A: two of degree 1 */
    contact_add(st, k.id, p[2].id, "A", "household", 1, "proposed", &c[3]);
    contact_add(st, k.id, p[1].id, "B", "household", 1, "proposed", &c[4]);
    contact_add(st, k.id, p[3].id, "D", "venue", 1, "dismissed", &c[5]);  /* D: dismissed */
    contact_add(st, k.id, p[3].id, "E", "venue", 1, "dismissed", &c[6]);  /* E: 1 dismissed, */
    contact_add(st, k.id, p[3].id, "E", "household", 2, "proposed", &c[7]); /* then 2 */
    contact_add(st, k.id, 0, "13900000009", "interview", 1, "proposed", &c[8]); /* no person */

    lead_push push = push_of_case(k.id, "510104001001");
    int64_t first = 0, last = 0;
    assert_int_equal(store_lead_push(st, &push, NULL, &first, &last, &err), 0);
    assert_int_equal(last - first + 1, 5);
    lead_list ll;
    assert_int_equal(store_lead_range(st, first, last, &ll, &err), 0);
    assert_int_equal(ll.n, 5);
    /* by subject ("1..." sorts before letters): degree 1 (1, A, B), then 2 (C, E) */
    const char *subject[5] = {"13900000009", "A", "B", "C", "E"};
    const int64_t contact[5] = {c[8], c[2], c[4], c[0], c[7]};
    const int64_t who[5] = {0, p[2].id, p[1].id, p[1].id, p[3].id};
    const char *area[5] = {"510104001001", "510104001002", "510104001001", "510104001001",
                           "510104001001"};
    for (int i = 0; i < 5; i++) {
        lead_rec *l = &ll.items[i];
        int d = i < 3 ? 0 : 1;
        assert_int_equal(l->id, first + i);
        assert_string_equal(l->subject, subject[i]);
        assert_int_equal(l->contact_id, contact[i]);
        assert_int_equal(l->person_id, who[i]);
        assert_int_equal(l->case_id, k.id);
        assert_string_equal(l->area_code, area[i]);
        assert_string_equal(l->kind, push.kind[d]);
        assert_string_equal(l->measure_required, push.measure[d]);
        assert_string_equal(l->state, "pushed");
        assert_int_equal(l->due_at, push.deadlines[d][0]);
        assert_int_equal(l->deadlines[2], push.deadlines[d][2]);
    }
    lead_list_free(&ll);
    assert_int_equal(event_count(st, first), 1); /* its pushed entry */

    /* again: nothing new; a new subject: one lead */
    assert_int_equal(store_lead_push(st, &push, NULL, &first, &last, &err), 0);
    assert_true(last < first);
    int64_t g;
    contact_add(st, k.id, p[3].id, "G", "venue", 1, "proposed", &g);
    assert_int_equal(store_lead_push(st, &push, NULL, &first, &last, &err), 0);
    assert_int_equal(last, first);

    char row[256] = "";
    assert_int_equal(raw_rows(f, "PRAGMA foreign_key_check", row, sizeof row), 0);
    /* integrity_check evaluates every CHECK of every row: the pushed rows hold them all */
    assert_int_equal(raw_rows(f, "PRAGMA integrity_check", row, sizeof row), 1);
    assert_string_equal(row, "ok");
    /* the connection checks foreign keys again: a lead of an unknown unit is refused */
    lead_rec bad = {0};
    snprintf(bad.kind, sizeof bad.kind, "traveler");
    snprintf(bad.subject, sizeof bad.subject, "13900000001");
    snprintf(bad.area_code, sizeof bad.area_code, "510104009999");
    bad.pushed_at = 1000;
    bad.deadlines[0] = bad.deadlines[1] = bad.deadlines[2] = 2000;
    assert_int_equal(store_lead_insert(st, &bad, "alice", "", NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    /* and its CHECKs: a lead closed before it is controlled is refused */
    snprintf(bad.area_code, sizeof bad.area_code, "510104001001");
    bad.deadlines[2] = 1500;
    assert_int_equal(store_lead_insert(st, &bad, "alice", "", NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    /* a push whose given values a row's CHECK would refuse writes nothing: the store
     * checks them once, its rows going in without the CHECKs */
    contact_add(st, k.id, 0, "13900000011", "interview", 1, "proposed", &g);
    push = push_of_case(k.id, "510104001001");
    push.deadlines[1][2] = push.deadlines[1][1] - 1; /* degree 2: closed before controlled */
    assert_int_equal(store_lead_push(st, &push, NULL, &first, &last, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, "deadlines");
    push = push_of_case(k.id, "510104001001");
    push.deadlines[0][0] = push.pushed_at - 1; /* found before pushed */
    assert_int_equal(store_lead_push(st, &push, NULL, &first, &last, &err), -1);
    assert_string_equal(err.field, "deadlines");
    push = push_of_case(k.id, "510104001001");
    snprintf(push.kind[1], sizeof push.kind[1], "bogus");
    assert_int_equal(store_lead_push(st, &push, NULL, &first, &last, &err), -1);
    assert_string_equal(err.field, "kind");
    assert_int_equal(raw_rows(f, "SELECT id FROM leads", NULL, 0), 6);
    /* a push for a community not in the store writes nothing */
    contact_add(st, k.id, 0, "13900000010", "interview", 1, "proposed", &g);
    push = push_of_case(k.id, "510104009999");
    assert_int_equal(store_lead_push(st, &push, NULL, &first, &last, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
    assert_int_equal(raw_rows(f, "SELECT id FROM leads", NULL, 0), 6);
}

/* fk_ids (store_sqlite_lead_ids.c) on a connection of its own: the integers of a JSON
 * array in order, none for [] or NULL, and anything else refused by name. */
static int64_t ids_rows(sqlite3 *db, const char *arg, char *out, size_t cap)
{
    char sql[256];
    sqlite3_stmt *q = NULL;
    snprintf(sql, sizeof sql, "SELECT value FROM fk_ids(%s)", arg);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    int64_t n = 0;
    int rc;
    out[0] = '\0';
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%lld", n++ ? " " : "",
                 (long long)sqlite3_column_int64(q, 0));
    }
    if (rc != SQLITE_DONE) {
        snprintf(out, cap, "%s", sqlite3_errmsg(db));
        n = -1;
    }
    sqlite3_finalize(q);
    return n;
}

static void lead_ids_function(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    char got[128];
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sq_lead_ids_register(db), SQLITE_OK);
    assert_int_equal(ids_rows(db, "'[3,1,20]'", got, sizeof got), 3);
    assert_string_equal(got, "3 1 20");
    assert_int_equal(ids_rows(db, "' [ 7 , -2 ] '", got, sizeof got), 2);
    assert_string_equal(got, "7 -2");
    assert_int_equal(ids_rows(db, "(SELECT json_group_array(x) FROM (SELECT 5 AS x UNION "
                                  "ALL SELECT 123456789012))",
                              got, sizeof got),
                     2);
    assert_string_equal(got, "5 123456789012");
    assert_int_equal(ids_rows(db, "'[]'", got, sizeof got), 0);
    assert_int_equal(ids_rows(db, "NULL", got, sizeof got), 0);
    const char *bad[] = {"'[1,,2]'", "'1,2'", "'[1]x'", "'[a]'", "'[1'", "'[1.5]'", "''",
                         "'[1234567890123456789]'"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(ids_rows(db, bad[i], got, sizeof got), -1);
        if (!strstr(got, "fk_ids"))
            fail_msg("%s: %s", bad[i], got);
    }
    sqlite3_close(db);
}

/* ---- leads by area (migration 0037: a push's leads in runs, not in leads_area) ----------- */

static void raw_exec(const fixture *f, const char *sql);

/* The ids of the leads of area prefix `prefix` (the queue, soonest deadline first, all in
 * one page), in ascending order into ids; the queue's total, the export's walk
 * (store_lead_each) and the performance read (store_lead_facts) must name the same. */
static int each_count(void *ctx, lead_rec *l)
{
    (void)l;
    (*(size_t *)ctx)++;
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static size_t area_ids(store *st, const char *prefix, int64_t *ids, size_t cap)
{
    fk_err err;
    lead_filter lf = {.area_prefix = prefix, .limit = 100};
    lead_list ll;
    assert_int_equal(store_lead_list(st, &lf, &ll, &err), 0);
    assert_int_equal(ll.total, (int64_t)ll.n);
    assert_true(ll.n <= cap);
    for (size_t i = 0; i < ll.n; i++) {
        assert_int_equal(strncmp(ll.items[i].area_code, prefix, strlen(prefix)), 0);
        ids[i] = ll.items[i].id;
    }
    size_t n = ll.n, walked = 0;
    lead_list_free(&ll);
    /* with another filter the total is counted from the rows themselves: the same */
    lead_filter pushed = {.area_prefix = prefix, .state = "pushed", .limit = 1};
    assert_int_equal(store_lead_list(st, &pushed, &ll, &err), 0);
    assert_int_equal(ll.total, (int64_t)n);
    lead_list_free(&ll);
    assert_int_equal(store_lead_each(st, &lf, each_count, &walked, &err), 0);
    assert_int_equal(walked, n);
    lead_fact_list facts;
    assert_int_equal(store_lead_facts(st, 0, INT64_MAX, prefix, &facts, &err), 0);
    assert_int_equal(facts.n, n);
    qsort(ids, n, sizeof *ids, cmp_id);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(facts.items[i].id, ids[i]); /* facts are by id */
    lead_fact_list_free(&facts);
    return n;
}

/* ids[0..n) equals want[0..m) (want ascending). */
static void ids_are(store *st, const char *prefix, const int64_t *want, size_t m)
{
    int64_t got[16];
    size_t n = area_ids(st, prefix, got, 16);
    if (n != m)
        fail_msg("%s: %zu leads, want %zu", prefix, n, m);
    for (size_t i = 0; i < m; i++)
        assert_int_equal(got[i], want[i]);
}

/* A case with contacts in two communities of one street: A (person in ...001), B and C
 * (persons in ...002), a phone with no person (the case's community, ...001). Pushed: their
 * leads are ids first..first+3 in subject order (phone, A, B, C). *hand: a lead entered by
 * hand in ...001. */
static void two_communities(const fixture *f, int64_t *first, int64_t *hand)
{
    store *st = f->st;
    fk_err err;
    second_community(st);
    person p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = fixture_person("Q", i);
        if (i >= 2)
            snprintf(p[i].community_code, sizeof p[i].community_code, "510104001002");
        fixture_person_insert(st, &p[i]);
    }
    epicase k = fixture_case_insert(st, p[0].id);
    int64_t c;
    contact_add(st, k.id, p[1].id, "A", "venue", 1, "proposed", &c);
    contact_add(st, k.id, p[2].id, "B", "venue", 1, "proposed", &c);
    contact_add(st, k.id, p[3].id, "C", "venue", 2, "proposed", &c);
    contact_add(st, k.id, 0, "13900000009", "interview", 1, "proposed", &c);
    lead_push push = push_of_case(k.id, "510104001001");
    int64_t last = 0;
    assert_int_equal(store_lead_push(st, &push, NULL, first, &last, &err), 0);
    assert_int_equal(last - *first + 1, 4);
    *hand = add_lead(st, fk_now());
}

static void move_area(const fixture *f, int64_t id, const char *code)
{
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE leads SET area_code = '%s' WHERE id = %lld", code,
             (long long)id);
    assert_int_equal(raw_rows(f, sql, NULL, 0), 0);
}

/* A pushed lead is found in its community's queue through its push's run, a lead entered
 * by hand through leads_area; one whose area changes (any UPDATE: the trigger clears
 * in_run) leaves its old queue and joins its new one, and a street's queue holds every
 * lead of its communities exactly once, a lead that moved inside it included. */
static void store_area_queues(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    int64_t x = 0, hand = 0; /* x: phone, x+1: A, x+2: B, x+3: C */
    two_communities(f, &x, &hand);
    const char *c1 = "510104001001", *c2 = "510104001002", *street = "510104001";
    char v[32] = "";
    assert_int_equal(raw_rows(f, "SELECT count(*) FROM lead_runs", v, sizeof v), 1);
    assert_string_equal(v, "2"); /* one run per community the push reached */
    assert_int_equal(raw_rows(f, "SELECT id FROM leads WHERE in_run = 1", NULL, 0), 4);
    ids_are(st, c1, (int64_t[]){x, x + 1, hand}, 3);
    ids_are(st, c2, (int64_t[]){x + 2, x + 3}, 2);
    ids_are(st, street, (int64_t[]){x, x + 1, x + 2, x + 3, hand}, 5);
    ids_are(st, "510104", (int64_t[]){x, x + 1, x + 2, x + 3, hand}, 5);
    ids_are(st, "510105", NULL, 0);

    move_area(f, x + 1, c2); /* A: pushed to c1, moved to c2 */
    assert_int_equal(raw_rows(f, "SELECT id FROM leads WHERE in_run = 1", NULL, 0), 3);
    ids_are(st, c1, (int64_t[]){x, hand}, 2);
    ids_are(st, c2, (int64_t[]){x + 1, x + 2, x + 3}, 3);
    ids_are(st, street, (int64_t[]){x, x + 1, x + 2, x + 3, hand}, 5);
    assert_int_equal(raw_rows(f, "SELECT group_concat(ids, ' ') FROM lead_runs", v, sizeof v), 1);
    char runs[64];
    snprintf(runs, sizeof runs, "[%lld] [%lld,%lld]", (long long)x, (long long)x + 2,
             (long long)x + 3);
    assert_string_equal(v, runs); /* A left its run */
    move_area(f, hand, c2); /* by hand: leads_area's key moves */
    ids_are(st, c1, (int64_t[]){x}, 1);
    ids_are(st, c2, (int64_t[]){x + 1, x + 2, x + 3, hand}, 4);
    move_area(f, x + 1, c1); /* A back: through leads_area now, once */
    ids_are(st, c1, (int64_t[]){x, x + 1}, 2);
    ids_are(st, c2, (int64_t[]){x + 2, x + 3, hand}, 3);
    ids_are(st, street, (int64_t[]){x, x + 1, x + 2, x + 3, hand}, 5);
    /* leads in flight by measure for the rooms' outlook count the same way */
    outlook_counts oc;
    fk_err err;
    assert_int_equal(store_outlook_counts(st, c2, "central_isolation", 0, &oc, &err), 0);
    assert_int_equal(oc.leads_in_flight, 1); /* B (C is degree 2, hand's measure is '') */
    assert_int_equal(store_outlook_counts(st, c1, "central_isolation", 0, &oc, &err), 0);
    assert_int_equal(oc.leads_in_flight, 2); /* phone, A */
    char row[256] = "";
    assert_int_equal(raw_rows(f, "PRAGMA integrity_check", row, sizeof row), 1);
    assert_string_equal(row, "ok");
}

/* Migration 0037 on a store with pushed and hand-entered leads (applied again: its
 * objects dropped, the version set back to 36): each push's leads grouped into one run
 * per current area, the others in leads_area, every queue as before, a lead that moved
 * before the migration found in its new area only. */
static void lead_runs_migration(void **state)
{
    fixture *f = *state;
    fk_err err;
    int64_t x = 0, hand = 0;
    two_communities(f, &x, &hand);
    /* moved before 0037 existed: C from c2 to c1; 0038 applies again too (its trigger on
     * persons names the round_slots it rebuilds: no scans here, nothing to widen) */
    char sql[1024];
    snprintf(sql, sizeof sql, MIGRATION_0038_UNDONE MIGRATION_0037_UNDONE
             "PRAGMA user_version = 36; UPDATE leads SET area_code = '510104001001' "
             "WHERE id = %lld",
             (long long)(x + 3));
    fixture_undo_0044(f);
    raw_exec(f, sql);
    store_close(f->st);
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("reopen: %s", err.message);
    assert_int_equal(store_schema_version(f->st), store_schema_latest());
    char v[64] = "";
    assert_int_equal(raw_rows(f, "SELECT group_concat(area_code || ':' || json_array_length("
                                 "ids), ' ') FROM (SELECT * FROM lead_runs ORDER BY area_code)",
                              v, sizeof v),
                     1);
    assert_string_equal(v, "510104001001:3 510104001002:1"); /* phone, A, C; B */
    assert_int_equal(raw_rows(f, "SELECT id FROM leads WHERE in_run = 1", NULL, 0), 4);
    ids_are(f->st, "510104001001", (int64_t[]){x, x + 1, x + 3, hand}, 4);
    ids_are(f->st, "510104001002", (int64_t[]){x + 2}, 1);
    /* the trigger came back with it */
    move_area(f, x, "510104001002");
    ids_are(f->st, "510104001001", (int64_t[]){x + 1, x + 3, hand}, 3);
    ids_are(f->st, "510104001002", (int64_t[]){x, x + 2}, 2);
}

/* Migration 0028 keeps every CHECK of leads: each bad value is refused. */
static void lead_checks_hold(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "kind = 'bogus'", "state = 'bogus'", "measure_taken = 'bogus'", "esc_owed = 2",
        "escalation_level = 4", "subject = printf('%070d', 1)", "state = 'controlled'",
        "due_at = NULL", "found_by = pushed_at - 1", "person_id = NULL, subject = ''",
    };
    char sql[256], why[256];
    assert_int_equal(add_lead(f->st, 1000) > 0, 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(sql, sizeof sql, "UPDATE leads SET %s", bad[i]);
        why[0] = '\0';
        assert_int_equal(raw_rows(f, sql, why, sizeof why), -1);
        if (!strstr(why, "CHECK constraint failed"))
            fail_msg("%s: %s", bad[i], why);
    }
    assert_int_equal(raw_rows(f, "UPDATE leads SET kind = 'missed_test', state = 'closed', "
                                 "measure_taken = 'other', due_at = NULL, esc_owed = 1",
                             NULL, 0),
                     0);
}

/* What the migrations after 0028 create, dropped so that they apply again after it (0030
 * is an UPDATE, 0031 and 0032 rebuild tables, which may run twice; 0037's column goes,
 * or 0028's copy of the table would not match). */
#define LATER_MIGRATIONS_UNDONE                                                             \
    MIGRATION_0038_UNDONE MIGRATION_0035_UNDONE "DROP TABLE code_scans; "                   \
        MIGRATION_0033_UNDONE MIGRATION_0036_UNDONE MIGRATION_0037_UNDONE

/* Every statement of `sql` on the store's file through a connection of the test's own. */
static void raw_exec(const fixture *f, const char *sql)
{
    char path[600];
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* 0028 on a store with leads that other tables reference (applied again: the version set
 * back to 27): the same rows, ids and history, every foreign key and check on after; and
 * on a store with a broken foreign key it refuses to commit, leaving the version at 27. */
static void lead_rebuild_migration(void **state)
{
    fixture *f = *state;
    fk_err err;
    int64_t a = add_lead(f->st, 1000), b = add_lead(f->st, 2000);
    const char *path_to_found[] = {"pushed", "received", "found"};
    move(f->st, b, path_to_found, 3);
    fixture_undo_0044(f);
    assert_int_equal(raw_rows(f, "PRAGMA user_version = 27", NULL, 0), 0);
    raw_exec(f, LATER_MIGRATIONS_UNDONE);
    store_close(f->st);
    f->st = NULL;
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("reopen: %s", err.message);
    char v[32];
    assert_int_equal(store_schema_version(f->st), store_schema_latest());
    lead_rec l;
    assert_int_equal(store_lead_get(f->st, b, &l, &err), 0);
    assert_string_equal(l.state, "found");
    assert_int_equal(event_count(f->st, b), 3);
    assert_int_equal(store_lead_get(f->st, a, &l, &err), 0);
    assert_string_equal(l.state, "pushed");
    assert_int_equal(raw_rows(f, "SELECT name FROM sqlite_master WHERE tbl_name = 'leads' AND "
                                 "type = 'index' AND name LIKE 'leads_%'", NULL, 0),
                     5);
    assert_int_equal(raw_rows(f, "SELECT * FROM traveler_pending", NULL, 0), 0);
    char why[256] = "";
    assert_int_equal(raw_rows(f, "UPDATE leads SET kind = 'bogus'", why, sizeof why), -1);
    assert_non_null(strstr(why, "CHECK constraint failed"));
    assert_int_equal(raw_rows(f, "INSERT INTO lead_events (lead_id, at, actor, from_state, "
                                 "to_state) VALUES (9999, 1, 'x', '', 'pushed')", why, sizeof why),
                     -1);
    assert_non_null(strstr(why, "FOREIGN KEY"));

    /* a broken reference (written with foreign keys off) stops the migration */
    char file[600];
    sqlite3 *db;
    snprintf(file, sizeof file, "%s/fangkong.db", f->dir);
    fixture_undo_0044(f);
    assert_int_equal(sqlite3_open(file, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO lead_events (lead_id, at, actor, from_state, "
                                      "to_state) VALUES (9999, 1, 'x', '', 'pushed'); "
                                      "PRAGMA user_version = 27; " LATER_MIGRATIONS_UNDONE,
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    store_close(f->st);
    f->st = NULL;
    store *refused = store_open(f->dir, &err);
    assert_null(refused);
    assert_non_null(strstr(err.message, "foreign key"));
    assert_int_equal(raw_rows(f, "PRAGMA user_version", v, sizeof v), 1);
    assert_string_equal(v, "27");
    /* mended, it applies */
    assert_int_equal(raw_rows(f, "DELETE FROM lead_events WHERE lead_id = 9999", NULL, 0), 0);
    f->st = store_open(f->dir, &err);
    assert_non_null(f->st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_moves),
        cmocka_unit_test(machine_errors),
        cmocka_unit_test(deadline_steps),
        cmocka_unit_test(target_sql_agrees),
        cmocka_unit_test(clock_rules),
        cmocka_unit_test(policy_deadlines),
        cmocka_unit_test_setup_teardown(store_transitions, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_escalation, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_sweep_pages, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_sweep_clock, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_refuses_bad_rows, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(store_push_choice, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(lead_checks_hold, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test(lead_ids_function),
        cmocka_unit_test_setup_teardown(store_area_queues, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(lead_runs_migration, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(lead_rebuild_migration, store_fixture_setup_areas,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
