/* test_positives.c - what follows a lab result (services/positives.h, model/hold.h,
 * migration 0016): what a result calls for, the words of the notices (no ID number), the
 * lead's closing path against the lead machine, the policy's new rules in every version,
 * and through the service on a store: a positive pool's holds with their leads and the
 * recheck round, a negative single re-sample releasing and closing, a positive one making
 * a case, the schema's refusals (no delete, never back to held), the last negative test a
 * code shows over a timeline of rounds, corrections and retests, single re-samples one
 * at a time, migration 0040's rebuilt tables, and a box of 1,000 pooled positives
 * followed up set-wise. */
#include "testutil.h"

#include <sqlite3.h>
#include <time.h>

#include "base/timeutil.h"
#include "model/hold.h"
#include "model/lead.h"
#include "model/tube.h"
#include "services/codes.h"
#include "services/leads.h"
#include "services/sample_flow.h"
#include "store_fixture.h"

static void what_a_result_calls_for(void **state)
{
    (void)state;
    assert_int_equal(hold_call_for("positive", 5), HOLD_POOL_POSITIVE);
    assert_int_equal(hold_call_for("positive", 1), HOLD_SINGLE_POSITIVE);
    assert_int_equal(hold_call_for("invalid", 1), HOLD_RESAMPLE);
    assert_int_equal(hold_call_for("invalid", 20), HOLD_RESAMPLE);
    assert_int_equal(hold_call_for("negative", 20), HOLD_NOTHING);
    assert_int_equal(hold_call_for(NULL, 20), HOLD_NOTHING);
    assert_true(hold_state_known("held") && hold_state_known("released") &&
                hold_state_known("confirmed"));
    assert_false(hold_state_known("gone") || hold_state_known(NULL));
    assert_string_equal(hold_result_zh("negative"), "阴性");
    assert_string_equal(hold_result_zh("invalid"), "无效");
    assert_string_equal(hold_result_zh("x"), "");
}

static void notices_carry_no_id_number(void **state)
{
    (void)state;
    char m[512], tiny[16];
    assert_int_equal(hold_msg_screening_positive(m, sizeof m, "PR22-000001", 28.46, 30.1, 17), 0);
    assert_non_null(strstr(m, "PR22-000001"));
    assert_non_null(strstr(m, "第 17 号"));
    assert_non_null(strstr(m, "ORF1ab Ct 28.5"));
    assert_int_equal(hold_msg_corrected(m, sizeof m, "PR22-000001", "negative", 17), 0);
    assert_non_null(strstr(m, "更正为阴性"));
    assert_int_equal(hold_msg_corrected(tiny, sizeof tiny, "PR22-000001", "negative", 17), -1);
}

/* Every move of the closing path is legal, and applying them in order takes a lead in
 * any open state to closed, passing controlled (where the measure is set). */
static void closing_path_is_legal(void **state)
{
    (void)state;
    size_t n;
    const lead_move *path = lead_close_path(&n);
    const char *open[] = {"pushed", "received", "found", "not_found", "refused", "controlled"};
    for (size_t i = 0; i < n; i++)
        assert_true(lead_transition_allowed(path[i].from, path[i].to));
    for (size_t s = 0; s < sizeof open / sizeof open[0]; s++) {
        const char *at = open[s];
        bool controlled = !strcmp(at, "controlled");
        for (size_t i = 0; i < n; i++)
            if (!strcmp(at, path[i].from)) {
                at = path[i].to;
                controlled |= !strcmp(at, "controlled");
            }
        assert_string_equal(at, "closed");
        assert_true(controlled);
    }
}

static void every_policy_has_the_rules(void **state)
{
    (void)state;
    const char *ids[] = {"v8", "v9", "m20", "x10"};
    for (size_t i = 0; i < 4; i++) {
        fk_err err;
        policy *p = policy_load_builtin(ids[i], &err);
        assert_non_null(p);
        int size = 0;
        int64_t h = 0, d[LEAD_STEPS];
        const char *s;
        assert_int_equal(tube_pool_size(p, "pool_retest", &size, &err), 0);
        assert_int_equal(size, 1);
        assert_int_equal(policy_get_int(p, "testing.positive_pool.retest_within_h", &h, &err), 0);
        assert_int_equal(leads_deadlines(p, "pool_retest", 1000, d, &err), 0);
        assert_true(d[LEAD_STEP_CONTROLLED] == 1000 + h * 3600 ||
                    d[LEAD_STEP_CONTROLLED] == d[LEAD_STEP_FOUND]);
        assert_int_equal(policy_get_string(p, "testing.single_positive.case_classification", &s,
                                           &err), 0);
        assert_string_equal(s, "screening_positive");
        assert_int_equal(policy_get_string(p, "testing.single_positive.notify.0", &s, &err), 0);
        assert_string_equal(s, "epidemiologist");
        assert_int_equal(policy_get_string(p, "testing.invalid.lead_measure", &s, &err), 0);
        assert_non_null(policy_source(p, "testing.single_positive"));
        policy_free(p);
    }
}

/* ---- through the service ------------------------------------------------------------------ */

typedef struct world {
    int64_t round, site, lab;
    int64_t persons[8];
} world;

static int64_t new_person(store *st, int i)
{
    person p = fixture_person("S", i);
    return fixture_person_insert(st, &p);
}

static void make_world(store *st, world *w)
{
    fk_err err;
    int64_t now = fk_now();
    round_rec r = {.name = "第一轮", .area_code = "510104001", .starts_at = now - 3600,
                   .ends_at = now + 86400, .state = "open", .created_by = "t", .created_at = 1};
    assert_int_equal(store_round_insert(st, &r, NULL, &err), 0);
    site_rec s = {.round_id = r.id, .name = "采样点", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &s, NULL, &err), 0);
    lab_rec l = {.name = "实验室", .area_code = "510104", .created_by = "t"};
    assert_int_equal(store_lab_insert(st, &l, NULL, &err), 0);
    *w = (world){.round = r.id, .site = s.id, .lab = l.id};
    for (int i = 0; i < 8; i++)
        w->persons[i] = new_person(st, i);
}

/* Tubes `codes` of the world's site (or `site`), each with the persons given, closed,
 * boxed as `box` and received. */
static void tubes_at_lab(store *st, const world *w, int64_t round, int64_t site,
                         const char *box_code, const char *const *codes, size_t n_tubes,
                         const int64_t *persons, int per_tube, int size)
{
    fk_err err;
    int64_t *ids = calloc(n_tubes, sizeof *ids);
    assert_int_equal(store_tubes_issue(st, round, site, codes, n_tubes, "t", 1, NULL, &err), 0);
    for (size_t i = 0; i < n_tubes; i++) {
        tube_rec t;
        assert_int_equal(store_tube_get(st, codes[i], &t, NULL, &err), 0);
        ids[i] = t.id;
        for (int k = 0; k < per_tube; k++) {
            member_rec m = {.person_id = persons[i * per_tube + k], .round_id = round,
                            .scanned_at = fk_now(), .scanned_by = "s"};
            if (store_tube_scan(st, t.id, size, &m, NULL, &err) != 0)
                fail_msg("scan: %s", err.message);
        }
        assert_int_equal(store_tube_close(st, t.id, "s", fk_now(), NULL, &err), 0);
    }
    box_rec b = {.round_id = round, .site_id = site, .packed_at = 2000, .packed_by = "s"};
    snprintf(b.code, sizeof b.code, "%s", box_code);
    assert_int_equal(store_box_pack(st, &b, ids, n_tubes, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b.id, "王", "s", 3000, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b.id, w->lab, "l", 4000, NULL, &err), 0);
    free(ids);
}

static result_input res(const char *barcode, const char *result)
{
    bool pos = !strcmp(result, "positive");
    return (result_input){.barcode = barcode, .result = result, .has_orf1ab = pos,
                          .ct_orf1ab = 30, .has_n = pos, .ct_n = 31};
}

static hold_list holds_of(store *st, int64_t tube_id, const char *state)
{
    fk_err err;
    hold_list l;
    hold_filter f = {.tube_id = tube_id, .state = state, .limit = 1000};
    if (store_hold_list(st, &f, &l, &err) != 0)
        fail_msg("holds: %s", err.message);
    return l;
}

/* The world with v9's health-code rules installed (codes follow results); the policy is
 * the caller's. */
static policy *world_with_codes(store *st, world *w)
{
    fk_err err;
    policy *pol = policy_load_builtin("v9", &err);
    assert_non_null(pol);
    make_world(st, w);
    assert_int_equal(codes_install(st, pol, NULL, &err), 0);
    return pol;
}

static void pool_positive_then_rechecks(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    actor a;
    actor_cli(&a);
    policy *pol = world_with_codes(st, &w);
    const char *pool[] = {"PP00-0001"};
    tubes_at_lab(st, &w, w.round, w.site, "BOX-00001", pool, 1, w.persons, 5, 20);
    result_rec out;
    result_input in = res("PP00-0001", "positive");
    assert_int_equal(sample_result_record(st, NULL, &a, &in, 0, &out, &err), -1);
    assert_string_equal(err.field, "policy");
    assert_int_equal(sample_result_record(st, pol, &a, &in, 0, &out, &err), 0);
    hold_list h = holds_of(st, out.tube_id, "held");
    assert_int_equal(h.n, 5);
    for (size_t i = 0; i < h.n; i++) {
        lead_rec l;
        assert_string_equal(h.items[i].reason, "positive_pool");
        assert_int_equal(store_lead_get(st, h.items[i].lead_id, &l, &err), 0);
        assert_string_equal(l.kind, "pool_retest");
        assert_int_equal(l.person_id, h.items[i].person_id);
    }
    hold_list_free(&h);
    code_rec code;
    for (int i = 0; i < 5; i++) { /* held in place: yellow at once, naming the tube */
        assert_int_equal(store_code_get(st, w.persons[i], &code, &err), 1);
        assert_string_equal(code.colour, "yellow");
        assert_string_equal(code.rule, "pool_held");
        assert_non_null(strstr(code.detail, "PP00-0001"));
    }
    round_list rounds;
    assert_int_equal(store_round_list(st, NULL, 10, 0, &rounds, &err), 0);
    assert_int_equal(rounds.n, 2);
    round_rec recheck = rounds.items[0];
    round_list_free(&rounds);
    assert_string_equal(recheck.kind, "recheck");
    assert_int_equal(recheck.parent_id, w.round);
    notice_list nl;
    notice_filter nf = {.audience = "community", .limit = 10};
    assert_int_equal(store_notice_list(st, &nf, &nl, &err), 0);
    assert_int_equal(nl.n, 1);
    assert_string_equal(nl.items[0].kind, "pool_positive");
    notice_list_free(&nl);

    /* singles in the recheck round: the first positive, the rest negative */
    site_rec rs = {.round_id = recheck.id, .name = "复核点", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &rs, NULL, &err), 0);
    const char *singles[] = {"PR00-0001", "PR00-0002", "PR00-0003", "PR00-0004", "PR00-0005"};
    tubes_at_lab(st, &w, recheck.id, rs.id, "BOX-00002", singles, 5, w.persons, 1, 1);
    result_input batch[5];
    result_rec rows[5];
    for (int i = 0; i < 5; i++)
        batch[i] = res(singles[i], i ? "negative" : "positive");
    assert_int_equal(sample_results_record_box(st, pol, &a, "BOX-00002", batch, 5, 0, rows,
                                               &err), 0);
    h = holds_of(st, out.tube_id, NULL);
    int released = 0, confirmed = 0;
    for (size_t i = 0; i < h.n; i++) {
        lead_rec l;
        assert_int_equal(store_lead_get(st, h.items[i].lead_id, &l, &err), 0);
        if (!strcmp(h.items[i].state, "confirmed")) {
            confirmed++;
            assert_int_equal(h.items[i].person_id, w.persons[0]);
            assert_true(h.items[i].case_id > 0);
            assert_string_not_equal(l.state, "closed");
        } else {
            released++;
            assert_string_equal(h.items[i].state, "released");
            assert_string_equal(l.state, "closed");
            assert_string_equal(l.measure_taken, "other");
        }
    }
    assert_int_equal(confirmed, 1);
    assert_int_equal(released, 4);
    /* the positive single is a case: red; the negatives green, with their test time */
    assert_int_equal(store_code_get(st, w.persons[0], &code, &err), 1);
    assert_string_equal(code.colour, "red");
    assert_string_equal(code.rule, "case_not_released");
    for (int i = 1; i < 5; i++) {
        assert_int_equal(store_code_get(st, w.persons[i], &code, &err), 1);
        assert_string_equal(code.colour, "green");
        assert_true(code.last_negative_at > 0);
    }

    /* the schema: a hold is never deleted nor back to held */
    int64_t hid = h.items[0].id;
    hold_list_free(&h);
    char path[600], sql[200];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    snprintf(sql, sizeof sql, "DELETE FROM testing_holds WHERE id = %lld", (long long)hid);
    assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE testing_holds SET state = 'held', ended_at = NULL, "
             "ended_by = NULL, ended_result_id = NULL WHERE id = %lld", (long long)hid);
    assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    policy_free(pol);
}

/* Single re-samples recorded one at a time (the follow-up's JSON path, not a run of ids):
 * each negative one releases its held person, whom nothing else touches (not a member
 * of a tube that is not negative: only the touch of hold persons finds them), so the
 * code goes green for that person alone; the other member stays held, yellow. */
static void singles_one_by_one(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    actor a;
    actor_cli(&a);
    policy *pol = world_with_codes(st, &w);
    const char *pool[] = {"PQ00-0001"};
    tubes_at_lab(st, &w, w.round, w.site, "BOX-00011", pool, 1, w.persons, 2, 20);
    result_rec out;
    result_input in = res("PQ00-0001", "positive");
    assert_int_equal(sample_result_record(st, pol, &a, &in, 0, &out, &err), 0);
    round_list rounds;
    assert_int_equal(store_round_list(st, NULL, 10, 0, &rounds, &err), 0);
    int64_t recheck = rounds.items[0].id;
    round_list_free(&rounds);
    site_rec rs = {.round_id = recheck, .name = "复核点", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &rs, NULL, &err), 0);
    const char *singles[] = {"PS00-0001", "PS00-0002"};
    tubes_at_lab(st, &w, recheck, rs.id, "BOX-00012", singles, 2, w.persons, 1, 1);
    code_rec code;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(store_code_get(st, w.persons[i], &code, &err), 1);
        assert_string_equal(code.rule, "pool_held");
    }
    in = res("PS00-0001", "negative");
    assert_int_equal(sample_result_record(st, pol, &a, &in, 0, &out, &err), 0);
    assert_int_equal(store_code_get(st, w.persons[0], &code, &err), 1);
    assert_string_equal(code.colour, "green");
    assert_string_equal(code.rule, "default");
    assert_int_equal(store_code_get(st, w.persons[1], &code, &err), 1);
    assert_string_equal(code.rule, "pool_held");
    in = res("PS00-0002", "negative");
    assert_int_equal(sample_result_record(st, pol, &a, &in, 0, &out, &err), 0);
    assert_int_equal(store_code_get(st, w.persons[1], &code, &err), 1);
    assert_string_equal(code.colour, "green");
    policy_free(pol);
}


static void code_is(store *st, int64_t person, const char *rule, const char *detail_part)
{
    fk_err err;
    code_rec c;
    assert_int_equal(store_code_get(st, person, &c, &err), 1);
    assert_string_equal(c.rule, rule);
    if (detail_part && !strstr(c.detail, detail_part))
        fail_msg("detail '%s' lacks '%s'", c.detail, detail_part);
}

/* A negative pool recolours the persons whose code a tube result decides now (a venue
 * contact pending clearance: one negative more), and no one else's need be read again
 * (store_sqlite_codes.c, RESULT_CONDITIONS): a contact whose code a rule above decides
 * (in isolation, red) keeps it, and the tube's negative counts when that rule ends. */
static void results_recolour_the_pending(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    actor a;
    actor_cli(&a);
    policy *pol = world_with_codes(st, &w);
    char q[1024];
    int64_t now = fk_now();
    snprintf(q, sizeof q, "INSERT INTO cases (id, number, person_id, classification, status, "
             "reported_at, sampling_date, source, created_at, updated_at) VALUES (9001, 1, "
             "%lld, 'confirmed', 'hospitalized', 1, '2026-11-20', 'fever_clinic', 1, 1); "
             "INSERT INTO contacts (case_id, subject, person_id, kind, place, first_overlap, "
             "source, status, found_at) VALUES (9001, 'a', %lld, 'venue', 'V1', %lld, 't', "
             "'confirmed', 1), (9001, 'b', %lld, 'venue', 'V1', %lld, 't', 'confirmed', 1); "
             "INSERT INTO isolations (id, person_id, area_code, cohort, phase, kind, "
             "day1_date, end_date, next_kind, next_end_date, state, policy_id, started_at) "
             "VALUES (9101, %lld, '510104001001', 'close_contact', 0, 'home_isolation', "
             "'2026-01-01', '2099-01-07', '', '', 'active', 'v9', 1)",
             (long long)w.persons[7], (long long)w.persons[0], (long long)(now - 2 * 86400),
             (long long)w.persons[1], (long long)(now - 2 * 86400), (long long)w.persons[1]);
    assert_int_equal(fixture_exec(f, q), SQLITE_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(codes_recompute_for(st, &a, "test", CODES_BY_PERSON, w.persons[i],
                                             &err), 0);
    code_is(st, w.persons[0], "pending_clearance", "已 0 次");
    code_is(st, w.persons[1], "contact_in_isolation", NULL);

    const char *tube[] = {"PC00-0001"};
    tubes_at_lab(st, &w, w.round, w.site, "BOX-00031", tube, 1, w.persons, 3, 5);
    result_input in = res(tube[0], "negative");
    result_rec out;
    assert_int_equal(sample_result_record(st, pol, &a, &in, 0, &out, &err), 0);
    code_is(st, w.persons[0], "pending_clearance", "已 1 次");
    code_is(st, w.persons[1], "contact_in_isolation", NULL);
    code_is(st, w.persons[2], "default", NULL);

    assert_int_equal(fixture_exec(f, "UPDATE isolations SET state = 'released', ended_at = 2 WHERE "
                            "id = 9101"), SQLITE_OK);
    assert_int_equal(codes_recompute_for(st, &a, "test", CODES_BY_ISOLATION, 9101, &err), 0);
    code_is(st, w.persons[1], "pending_clearance", "已 1 次");
    policy_free(pol);
}

static int64_t raw_count(const fixture *f, const char *sql)
{
    char path[600];
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* Migration 0040 (applied again on a store with holds, leads and codes: the version set
 * back to 39): the same rows, every trigger back, the CHECKs spelled as comparisons and
 * still refusing what they refused, contacts_latest there; and the follow-up goes on. */
static void follow_up_tables_rebuilt(void **state)
{
    fixture *f = *state;
    fk_err err;
    world w;
    actor a;
    actor_cli(&a);
    policy *pol = world_with_codes(f->st, &w);
    const char *pool[] = {"PT00-0001"};
    tubes_at_lab(f->st, &w, w.round, w.site, "BOX-00021", pool, 1, w.persons, 3, 20);
    result_rec out;
    result_input in = res("PT00-0001", "positive");
    assert_int_equal(sample_result_record(f->st, pol, &a, &in, 0, &out, &err), 0);
    static const char *const counts[] = {
        "SELECT count(*) || '/' || total(length(detail)) FROM health_codes",
        "SELECT count(*) || '/' || max(id) FROM code_changes",
        "SELECT count(*) || '/' || total(lead_id) FROM testing_holds",
        "SELECT count(*) || '/' || max(id) FROM lead_events",
        "SELECT version FROM code_answers_version",
    };
    char before[5][64];
    store_close(f->st);
    f->st = NULL;
    for (int i = 0; i < 5; i++)
        snprintf(before[i], sizeof before[i], "%lld", (long long)raw_count(f, counts[i]));
    fixture_undo_0044(f);
    assert_int_equal(fixture_exec(f, "PRAGMA user_version = 39"), SQLITE_OK);
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("reopen: %s", err.message);
    assert_int_equal(store_schema_version(f->st), store_schema_latest());
    for (int i = 0; i < 5; i++) {
        char now[64];
        snprintf(now, sizeof now, "%lld", (long long)raw_count(f, counts[i]));
        assert_string_equal(now, before[i]);
    }
    assert_int_equal(raw_count(f, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                  "AND tbl_name IN ('health_codes', 'code_changes', "
                                  "'testing_holds')"), 10);
    assert_int_equal(raw_count(f, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                  "('health_codes', 'code_changes', 'testing_holds', "
                                  "'lead_events') AND sql LIKE '%IN (''%'"), 1); /* reason's 2 */
    assert_int_equal(raw_count(f, "SELECT count(*) FROM sqlite_master WHERE name = "
                                  "'contacts_latest'"), 1);
    /* the checks still refuse */
    assert_int_not_equal(fixture_exec(f, "INSERT INTO code_changes (person_id, at, to_colour, rule, "
                                "operator, source, policy_version) SELECT person_id, 1, "
                                "'blue', 'r', 'o', 's', 'v' FROM health_codes LIMIT 1"),
                         SQLITE_OK);
    assert_int_not_equal(fixture_exec(f, "INSERT INTO code_changes (person_id, at, from_colour, "
                                "to_colour, rule, operator, source, policy_version) SELECT "
                                "person_id, 1, 'grey', 'red', 'r', 'o', 's', 'v' FROM "
                                "health_codes LIMIT 1"), SQLITE_OK);
    assert_int_not_equal(fixture_exec(f, "INSERT INTO lead_events (lead_id, at, actor, from_state, "
                                "to_state) SELECT id, 1, 'a', '', 'lost' FROM leads LIMIT 1"),
                         SQLITE_OK);
    assert_int_not_equal(fixture_exec(f, "UPDATE testing_holds SET state = 'lost', ended_at = 1, "
                                "ended_by = 'a', ended_result_id = result_id"), SQLITE_OK);
    /* (its trigger, which would refuse first, dropped in a transaction never committed) */
    assert_int_not_equal(fixture_exec(f, "BEGIN; DROP TRIGGER health_codes_logged_update; UPDATE "
                                "health_codes SET colour = 'blue'"), SQLITE_OK);
    assert_int_equal(raw_count(f, "SELECT count(*) FROM sqlite_master WHERE name = "
                                  "'health_codes_logged_update'"), 1);
    assert_int_equal(fixture_exec(f, "INSERT INTO lead_events (lead_id, at, actor, from_state, "
                            "to_state) SELECT id, 1, 'a', 'pushed', 'received' FROM leads "
                            "LIMIT 1"), SQLITE_OK);
    /* the follow-up goes on: a negative single releases, the code goes green */
    round_list rounds;
    assert_int_equal(store_round_list(f->st, NULL, 10, 0, &rounds, &err), 0);
    int64_t recheck = rounds.items[0].id;
    round_list_free(&rounds);
    site_rec rs = {.round_id = recheck, .name = "复核点", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(f->st, &rs, NULL, &err), 0);
    const char *singles[] = {"PU00-0001"};
    tubes_at_lab(f->st, &w, recheck, rs.id, "BOX-00022", singles, 1, w.persons, 1, 1);
    in = res("PU00-0001", "negative");
    assert_int_equal(sample_result_record(f->st, pol, &a, &in, 0, &out, &err), 0);
    code_rec code;
    assert_int_equal(store_code_get(f->st, w.persons[0], &code, &err), 1);
    assert_string_equal(code.colour, "green");
    policy_free(pol);
}

/* A box of 1,000 pooled positives of 5: every member held and given a lead by the
 * set-based follow-up (its speed is bench/testing's to measure, not a test's). */
/* Negative first results show as each member's last negative without a colour change
 * (nobody touched: the code's read finds the tube); a positive tube's members are
 * recomputed. */
static void negatives_move_the_last_negative(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    actor a;
    actor_cli(&a);
    policy *pol = world_with_codes(st, &w);
    code_rec before[8], after;
    for (int i = 0; i < 8; i++)
        assert_int_equal(store_code_get(st, w.persons[i], &before[i], &err), 1);
    int64_t t0 = fk_now();
    const char *tubes[] = {"NG00-0001", "NG00-0002"};
    tubes_at_lab(st, &w, w.round, w.site, "BOX-00009", tubes, 2, w.persons, 4, 5);
    result_input in[2] = {res(tubes[0], "negative"), res(tubes[1], "positive")};
    result_rec out[2];
    assert_int_equal(sample_results_record_box(st, pol, &a, "BOX-00009", in, 2, 0, out, &err),
                     0);
    for (int i = 0; i < 4; i++) { /* the negative tube: the same code, a last negative now */
        assert_int_equal(store_code_get(st, w.persons[i], &after, &err), 1);
        assert_string_equal(after.colour, before[i].colour);
        assert_int_equal(after.since, before[i].since);
        assert_true(before[i].last_negative_at == 0 && after.last_negative_at >= t0);
    }
    for (int i = 4; i < 8; i++) { /* the positive pool: held, its rule; no negative */
        assert_int_equal(store_code_get(st, w.persons[i], &after, &err), 1);
        assert_string_equal(after.rule, "pool_held");
        assert_int_equal(after.last_negative_at, 0);
    }
    policy_free(pol);
}

/* ---- the last negative test on a timeline ------------------------------------------------ */

/* One tube of `n` persons (a pool of 5, or a single) scanned at `at` into `round` at `site`,
 * closed, boxed alone as `box_code` and received by the world's lab. */
static void tube_of(store *st, const world *w, int64_t round, int64_t site, const char *box_code,
                    const char *code, const int64_t *persons, int n, int64_t at)
{
    fk_err err;
    tube_rec t;
    assert_int_equal(store_tubes_issue(st, round, site, &code, 1, "t", 1, NULL, &err), 0);
    assert_int_equal(store_tube_get(st, code, &t, NULL, &err), 0);
    for (int k = 0; k < n; k++) {
        member_rec m = {.person_id = persons[k], .round_id = round, .scanned_at = at,
                        .scanned_by = "s"};
        if (store_tube_scan(st, t.id, n == 1 ? 1 : 5, &m, NULL, &err) != 0)
            fail_msg("scan: %s", err.message);
    }
    assert_int_equal(store_tube_close(st, t.id, "s", at + 60, NULL, &err), 0);
    box_rec b = {.round_id = round, .site_id = site, .packed_at = at + 120, .packed_by = "s"};
    snprintf(b.code, sizeof b.code, "%s", box_code);
    assert_int_equal(store_box_pack(st, &b, &t.id, 1, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b.id, "王", "s", at + 180, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b.id, w->lab, "l", at + 240, NULL, &err), 0);
}

/* The last negative as the store held it before migration 0030, computed from the rows
 * alone: the later of the person's negative isolation tests and of their scans into a
 * tube whose current result is negative (the recompute's former last_neg). */
static int64_t last_negative_by_rows(sqlite3 *db, int64_t person)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT max(coalesce((SELECT max(x.result_at) FROM "
        "isolations i JOIN isolation_tests x ON x.isolation_id = i.id WHERE i.person_id = ?1 "
        "AND x.result = 'negative'), 0), coalesce((SELECT max(m.scanned_at) FROM tube_members "
        "m WHERE m.person_id = ?1 AND (SELECT r.result FROM fk_results r WHERE r.tube_id = "
        "m.tube_id ORDER BY r.id DESC LIMIT 1) = 'negative'), 0))", -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_int64(q, 1, person);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Every person's code shows the hand-computed last negative, the same as the rows say. */
static void assert_last_negatives(store *st, sqlite3 *db, const int64_t *persons,
                                  const int64_t *want, int n, const char *step)
{
    fk_err err;
    for (int i = 0; i < n; i++) {
        code_rec c;
        assert_int_equal(store_code_get(st, persons[i], &c, &err), 1);
        if (c.last_negative_at != want[i] || last_negative_by_rows(db, persons[i]) != want[i])
            fail_msg("%s: person %d: code %lld, rows %lld, expected %lld", step, i,
                     (long long)c.last_negative_at,
                     (long long)last_negative_by_rows(db, persons[i]), (long long)want[i]);
    }
}

static result_rec result_now(store *st, const policy *pol, const actor *a, const char *tube,
                             const char *what)
{
    fk_err err;
    result_rec out;
    result_input in = res(tube, what);
    if (sample_result_record(st, pol, a, &in, 0, &out, &err) != 0)
        fail_msg("%s %s: %s", tube, what, err.message);
    return out;
}

static void correct_now(store *st, const policy *pol, const actor *a, const char *tube,
                        const char *what)
{
    fk_err err;
    result_rec out;
    result_input in = res(tube, what);
    if (sample_result_correct(st, pol, a, &in, 0, "复核更正", &out, &err) != 0)
        fail_msg("correct %s %s: %s", tube, what, err.message);
}

/* Since 0030 a negative tube writes nothing to its members' codes: the code's read finds
 * the person's last negative tube. Over several rounds, corrections both ways, a
 * positive pool's single retests and a negative isolation test, every code shows the
 * value the recompute used to store (the rows' own answer) and the hand-made timeline's. */
static void the_last_negative_on_a_timeline(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    actor a;
    actor_cli(&a);
    policy *pol = world_with_codes(st, &w);
    char path[600];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sq_members_register(db), SQLITE_OK);
    assert_int_equal(sq_results_register(db), SQLITE_OK);
    int64_t now = fk_now(), t1 = now - 5 * 86400, t2 = now - 3 * 86400, ti = now - 4 * 86400;
    const int64_t *p = w.persons;

    /* round 1: P0, P1, P2 in a negative pool; P3 untested */
    tube_of(st, &w, w.round, w.site, "TLB-0001", "TL00-0001", p, 3, t1);
    result_now(st, pol, &a, "TL00-0001", "negative");
    assert_last_negatives(st, db, p, (int64_t[]){t1, t1, t1, 0}, 4, "round 1");

    /* round 2: P0, P1 negative again; P2, P3 in a positive pool (held) */
    round_rec r2 = {.name = "第二轮", .area_code = "510104001", .starts_at = t2 - 3600,
                    .ends_at = now + 86400, .state = "open", .created_by = "t", .created_at = 2};
    assert_int_equal(store_round_insert(st, &r2, NULL, &err), 0);
    site_rec s2 = {.round_id = r2.id, .name = "采样点二", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &s2, NULL, &err), 0);
    tube_of(st, &w, r2.id, s2.id, "TLB-0002", "TL00-0002", p, 2, t2);
    tube_of(st, &w, r2.id, s2.id, "TLB-0003", "TL00-0003", p + 2, 2, t2 + 30);
    result_now(st, pol, &a, "TL00-0002", "negative");
    result_rec pool = result_now(st, pol, &a, "TL00-0003", "positive");
    assert_last_negatives(st, db, p, (int64_t[]){t2, t2, t1, 0}, 4, "round 2");

    /* the lab corrects round 2's negative to invalid: back to round 1 */
    correct_now(st, pol, &a, "TL00-0002", "invalid");
    assert_last_negatives(st, db, p, (int64_t[]){t1, t1, t1, 0}, 4, "corrected to invalid");

    /* P1's negative isolation test, recorded with its recompute */
    assert_int_equal(sqlite3_exec(db, "PRAGMA busy_timeout = 5000", NULL, NULL, NULL), SQLITE_OK);
    char sql[600];
    snprintf(sql, sizeof sql, "INSERT INTO isolations (id, person_id, area_code, cohort, phase, "
             "kind, day1_date, end_date, state, policy_id, started_at, ended_at) VALUES (7001, "
             "%lld, '510104001001', 'secondary_contact', 0, 'home_isolation', '2026-01-01', "
             "'2026-01-07', 'released', 'v9', 1, 2); INSERT INTO isolation_tests (isolation_id, "
             "day, due_date, test_kind, result, result_at) VALUES (7001, 1, '2026-01-01', 'pcr', "
             "'negative', %lld)", (long long)p[1], (long long)ti);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(codes_recompute_for(st, &a, "isolation_test", CODES_BY_ISOLATION, 7001, &err),
                     0);
    assert_last_negatives(st, db, p, (int64_t[]){t1, ti, t1, 0}, 4, "isolation test");

    /* corrected back to negative: round 2 again, later than the isolation test */
    correct_now(st, pol, &a, "TL00-0002", "negative");
    assert_last_negatives(st, db, p, (int64_t[]){t2, t2, t1, 0}, 4, "corrected to negative");

    /* the positive pool's single retests in its recheck round, sampled after the hold: P2
     * negative, P3 positive */
    int64_t t3 = fk_now() + 1;
    round_list rounds;
    assert_int_equal(store_round_list(st, NULL, 10, 0, &rounds, &err), 0);
    round_rec recheck = rounds.items[0];
    round_list_free(&rounds);
    assert_string_equal(recheck.kind, "recheck");
    site_rec rs = {.round_id = recheck.id, .name = "复核点", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &rs, NULL, &err), 0);
    tube_of(st, &w, recheck.id, rs.id, "TLB-0004", "TL00-0004", p + 2, 1, t3);
    tube_of(st, &w, recheck.id, rs.id, "TLB-0005", "TL00-0005", p + 3, 1, t3 + 30);
    result_now(st, pol, &a, "TL00-0004", "negative");
    result_now(st, pol, &a, "TL00-0005", "positive");
    hold_list h = holds_of(st, pool.tube_id, NULL);
    assert_int_equal(h.n, 2);
    for (size_t i = 0; i < h.n; i++)
        assert_string_equal(h.items[i].state, h.items[i].person_id == p[2] ? "released"
                                                                           : "confirmed");
    hold_list_free(&h);
    assert_last_negatives(st, db, p, (int64_t[]){t2, t2, t3, 0}, 4, "retests");

    /* P2's single negative corrected to positive: P2's last negative is round 1's again */
    correct_now(st, pol, &a, "TL00-0004", "positive");
    assert_last_negatives(st, db, p, (int64_t[]){t2, t2, t1, 0}, 4, "retest corrected");
    sqlite3_close(db);
    policy_free(pol);
}

static void a_box_of_a_thousand(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    actor a;
    actor_cli(&a);
    policy *pol = policy_load_builtin("v9", &err);
    make_world(st, &w);
    enum { TUBES = 1000, PER = 5 };
    int64_t *persons = calloc(TUBES * PER, sizeof *persons);
    char (*codes)[24] = calloc(TUBES, sizeof *codes);
    const char **cp = calloc(TUBES, sizeof *cp);
    result_input *in = calloc(TUBES, sizeof *in);
    result_rec *out = calloc(TUBES, sizeof *out);
    assert_int_equal(store_begin(st, &err), 0);
    for (int i = 0; i < TUBES * PER; i++)
        persons[i] = new_person(st, 100 + i);
    for (int i = 0; i < TUBES; i++) {
        snprintf(codes[i], sizeof codes[i], "PK00-%05d", i);
        cp[i] = codes[i];
        in[i] = res(codes[i], "positive");
    }
    tubes_at_lab(st, &w, w.round, w.site, "BOX-01000", cp, TUBES, persons, PER, 5);
    assert_int_equal(store_commit(st, &err), 0);
    /* a lead before them: the holds' leads' ids are not the holds' */
    assert_int_equal(fixture_exec(f, "INSERT INTO leads (kind, subject, area_code, pushed_at, found_by, "
                         "controlled_by, closed_by, due_at, updated_at) VALUES ('traveler', "
                         "'x', '510104001001', 1, 2, 3, 4, 2, 1)"), SQLITE_OK);
    assert_int_equal(sample_results_record_box(st, pol, &a, "BOX-01000", in, TUBES, 0, out,
                                               &err), 0);
    /* each hold cites the lead written for it: its person, its area, its reason's measure */
    assert_int_equal(raw_count(f, "SELECT count(*) FROM testing_holds h JOIN leads l ON l.id = "
                               "h.lead_id AND l.person_id = h.person_id AND l.area_code = "
                               "h.area_code AND l.kind = 'pool_retest' JOIN lead_events e ON "
                               "e.lead_id = l.id AND e.to_state = 'pushed'"), TUBES * PER);
    assert_int_equal(raw_count(f, "SELECT count(DISTINCT lead_id) FROM testing_holds"),
                     TUBES * PER);
    hold_filter hf = {.state = "held", .limit = 1};
    hold_list h;
    assert_int_equal(store_hold_list(st, &hf, &h, &err), 0);
    assert_int_equal(h.total, TUBES * PER);
    hold_list_free(&h);
    lead_filter lf = {.kind = "pool_retest", .limit = 1};
    lead_list ll;
    assert_int_equal(store_lead_list(st, &lf, &ll, &err), 0);
    assert_int_equal(ll.total, TUBES * PER);
    lead_list_free(&ll);
    free(persons);
    free(codes);
    free(cp);
    free(in);
    free(out);
    policy_free(pol);
}

/* The results of a store before migration 0043, ids in the order written across tubes:
 * t1's first result 1, t2's 2, t1's correction 3 (the holds' references made to match,
 * testing_holds' trigger that refuses a changed result_id dropped; 0044 undone first,
 * fixture_undo_0044, with the triggers of tube_sets that read the results). */
#define MIGRATION_0043_UNDONE                                                                \
    "PRAGMA foreign_keys = OFF; BEGIN; CREATE TEMP TABLE ids AS SELECT id AS new, "          \
    "row_number() OVER (ORDER BY id % 128, id) AS old FROM tube_results; "                   \
    "DROP TRIGGER testing_holds_moves; UPDATE testing_holds SET result_id = (SELECT "        \
    "old FROM ids WHERE new = result_id), ended_result_id = (SELECT old FROM ids WHERE new " \
    "= ended_result_id); CREATE TABLE old_results AS SELECT (SELECT old FROM ids WHERE new " \
    "= r.id) AS id, tube_id, result, ct_orf1ab, ct_n, lab_id, reported_at, reported_by, "   \
    "(SELECT old FROM ids WHERE new = r.replaces) AS replaces, reason FROM tube_results r; " \
    "DROP TABLE tube_results; ALTER TABLE old_results RENAME TO tube_results; "              \
    "PRAGMA user_version = 42; COMMIT;"

/* Every column of every result, through fk_results, as one text. */
static void results_dump(const fixture *f, char *out, size_t cap)
{
    char path[600];
    sqlite3 *db;
    sqlite3_stmt *q;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sq_results_register(db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(id || '|' || tube_id || '|' || "
        "result || '|' || quote(ct_orf1ab) || '|' || quote(ct_n) || '|' || lab_id || '|' || "
        "reported_at || '|' || reported_by || '|' || quote(replaces) || '|' || quote(reason), "
        "';') FROM (SELECT * FROM fk_results ORDER BY id)",
        -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(out, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    assert_non_null(strstr(out, "positive"));
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* Migrations 0043 and 0044 on such a store: each result keyed by its tube and rank, the
 * correction's replaces and the holds' result ids following their rows; the first
 * results in their tubes' chunks (t1's marked corrected), the correction a row, every
 * trigger back; the schema's own triggers (plain SQL, on a connection without fangkong's
 * functions) refuse a wrong correction and mark a right one; then the service goes on. */
static void results_keyed_by_tube(void **state)
{
    fixture *f = *state;
    fk_err err;
    world w;
    actor a;
    actor_cli(&a);
    policy *pol = world_with_codes(f->st, &w);
    const char *pools[] = {"PK00-0001", "PK00-0002"};
    tubes_at_lab(f->st, &w, w.round, w.site, "BOX-00043", pools, 2, w.persons, 3, 5);
    tube_rec t1, t2;
    assert_int_equal(store_tube_get(f->st, pools[0], &t1, NULL, &err), 0);
    assert_int_equal(store_tube_get(f->st, pools[1], &t2, NULL, &err), 0);
    result_rec out;
    result_input in = res(pools[0], "positive");
    assert_int_equal(sample_result_record(f->st, pol, &a, &in, 0, &out, &err), 0);
    in = res(pools[1], "negative");
    assert_int_equal(sample_result_record(f->st, pol, &a, &in, 0, &out, &err), 0);
    correct_now(f->st, pol, &a, pools[0], "negative");
    store_close(f->st);
    f->st = NULL;
    char before[2048], after[2048];
    results_dump(f, before, sizeof before);
    fixture_undo_0044(f);
    assert_int_equal(fixture_exec(f, MIGRATION_0043_UNDONE), SQLITE_OK);
    assert_int_equal(raw_count(f, "SELECT max(id) FROM tube_results"), 3);
    assert_int_equal(raw_count(f, "SELECT count(*) FROM testing_holds WHERE result_id = 1 "
                                  "AND ended_result_id = 3"), 3);
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("reopen: %s", err.message);
    assert_int_equal(store_schema_version(f->st), store_schema_latest());
    results_dump(f, after, sizeof after); /* every column of every result */
    assert_string_equal(before, after);
    result_list h = {0};
    assert_int_equal(store_tube_results(f->st, t1.id, &h, &err), 0);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.items[0].id, t1.id * 128);
    assert_string_equal(h.items[0].result, "positive");
    assert_true(h.items[0].has_ct);
    assert_int_equal(h.items[1].id, t1.id * 128 + 1);
    assert_int_equal(h.items[1].replaces, t1.id * 128);
    assert_string_equal(h.items[1].result, "negative");
    result_list_free(&h);
    assert_int_equal(store_tube_results(f->st, t2.id, &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.items[0].id, t2.id * 128);
    result_list_free(&h);
    hold_list held = holds_of(f->st, t1.id, "released");
    assert_int_equal(held.n, 3);
    for (size_t i = 0; i < held.n; i++) {
        assert_int_equal(held.items[i].result_id, t1.id * 128);
        assert_int_equal(held.items[i].ended_result_id, t1.id * 128 + 1);
    }
    hold_list_free(&held);
    assert_int_equal(raw_count(f, "SELECT count(*) FROM result_corrections"), 1);
    char sql[700];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM result_chunks WHERE id = %lld AND "
             "substr(slots, 2 + %lld, 1) = x'82' AND substr(slots, 2 + %lld, 1) = x'01'",
             (long long)(t1.id >> 7), (long long)(t1.id & 127), (long long)(t2.id & 127));
    assert_int_equal(raw_count(f, sql), t1.id >> 7 == t2.id >> 7 ? 1 : 0);
    assert_int_equal(raw_count(f, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                  "AND name IN ('result_corrections_guard', "
                                  "'result_corrections_mark', 'result_corrections_frozen_update', "
                                  "'result_corrections_frozen_delete', "
                                  "'code_answers_correction_added', 'result_chunks_kept', "
                                  "'code_answers_chunk_added', 'code_answers_chunk_changed', "
                                  "'code_answers_set_added', 'code_answers_set_changed', "
                                  "'testing_holds_moves', 'testing_holds_kept')"), 12);
    assert_int_equal(raw_count(f, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                  "('tube_results', 'tube_results_tube', 'tube_result_ids_0043', "
                                  "'testing_holds_0044')"), 0);
    /* a correction of t2 past the next rank, one replacing a result that is not t2's
     * current, one for another tube's id, one from a lab that did not receive it; a chunk
     * deleted: refused by the schema */
    const char *cols = "INSERT INTO result_corrections (id, tube_id, result, lab_id, "
                       "reported_at, reported_by, replaces, reason) VALUES ";
    int64_t t2r = t2.id * 128;
    snprintf(sql, sizeof sql, "%s(%lld, %lld, 'invalid', %lld, 5000, 'l', %lld, 'x')", cols,
             (long long)(t2r + 2), (long long)t2.id, (long long)w.lab, (long long)t2r);
    assert_int_not_equal(fixture_exec(f, sql), SQLITE_OK);
    snprintf(sql, sizeof sql, "%s(%lld, %lld, 'invalid', %lld, 5000, 'l', %lld, 'x')", cols,
             (long long)(t2r + 2), (long long)t2.id, (long long)w.lab, (long long)(t2r + 1));
    assert_int_not_equal(fixture_exec(f, sql), SQLITE_OK);
    snprintf(sql, sizeof sql, "%s(%lld, %lld, 'invalid', %lld, 5000, 'l', %lld, 'x')", cols,
             (long long)(t2r + 129), (long long)t2.id, (long long)w.lab, (long long)(t2r + 128));
    assert_int_not_equal(fixture_exec(f, sql), SQLITE_OK);
    snprintf(sql, sizeof sql, "%s(%lld, %lld, 'invalid', %lld, 5000, 'l', %lld, 'x')", cols,
             (long long)(t2r + 1), (long long)t2.id, (long long)w.lab + 1000, (long long)t2r);
    assert_int_not_equal(fixture_exec(f, sql), SQLITE_OK);
    assert_int_not_equal(fixture_exec(f, "DELETE FROM result_chunks"), SQLITE_OK);
    assert_int_equal(raw_count(f, "SELECT count(*) FROM result_corrections"), 1);
    /* the right one is taken and marks t2's slot (negative, corrected: 0x81) */
    snprintf(sql, sizeof sql, "%s(%lld, %lld, 'invalid', %lld, 5000, 'l', %lld, 'x')", cols,
             (long long)(t2r + 1), (long long)t2.id, (long long)w.lab, (long long)t2r);
    assert_int_equal(fixture_exec(f, sql), SQLITE_OK);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM result_chunks WHERE id = %lld AND "
             "substr(slots, 2 + %lld, 1) = x'81'", (long long)(t2.id >> 7),
             (long long)(t2.id & 127));
    assert_int_equal(raw_count(f, sql), 1);
    /* the service goes on: t2 corrected to positive holds its members on the next rank */
    correct_now(f->st, pol, &a, pools[1], "positive");
    held = holds_of(f->st, t2.id, "held");
    assert_int_equal(held.n, 3);
    assert_int_equal(held.items[0].result_id, t2r + 2);
    hold_list_free(&held);
    assert_int_equal(store_tube_results(f->st, t2.id, &h, &err), 0);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.items[1].result, "invalid");
    assert_int_equal(h.items[2].replaces, t2r + 1);
    result_list_free(&h);
    policy_free(pol);
}

/* The rows the follow-up's steps read: every row but a pooled tube's negative. */
static void rows_to_follow(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    world w;
    make_world(st, &w);
    const char *pooled[] = {"RF00-0001", "RF00-0002", "RF00-0003"}, *single[] = {"RF00-0004"};
    const char *results[] = {"negative", "positive", "invalid", "negative"};
    tubes_at_lab(st, &w, w.round, w.site, "BOX-RF001", pooled, 3, w.persons, 1, 5);
    tubes_at_lab(st, &w, w.round, w.site, "BOX-RF002", single, 1, w.persons + 3, 1, 1);
    result_rec r[4];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 4; i++) {
        tube_rec t;
        assert_int_equal(store_tube_get(st, i < 3 ? pooled[i] : single[0], &t, NULL, &err), 0);
        r[i].tube_id = t.id;
        snprintf(r[i].result, sizeof r[i].result, "%s", results[i]);
        r[i].has_ct = i == 1;
        r[i].ct_orf1ab = r[i].ct_n = 30;
        r[i].lab_id = w.lab;
        r[i].reported_at = 5000;
        snprintf(r[i].reported_by, sizeof r[i].reported_by, "l");
    }
    assert_int_equal(store_results_add(st, r, 4, NULL, &err), 0);
    char ids[128], want[128], *got = NULL;
    snprintf(ids, sizeof ids, "[%lld,%lld,%lld,%lld]", (long long)r[0].id, (long long)r[1].id,
             (long long)r[2].id, (long long)r[3].id);
    snprintf(want, sizeof want, "[%lld,%lld,%lld]", (long long)r[1].id, (long long)r[2].id,
             (long long)r[3].id);
    assert_int_equal(store_results_to_follow(st, ids, &got, &err), 0);
    assert_string_equal(got, want);
    free(got);
    /* first results keyed by their tubes (0043) */
    for (int i = 0; i < 4; i++)
        assert_int_equal(r[i].id, r[i].tube_id * 128);
    /* health codes: the range of ids touches whom the array of its ids touches (the
     * members of the positive and the invalid pool), whether its "rows" are the
     * follow-up's list or every row (a negative row listed touches nobody), and a range
     * of negative pools touches nobody */
    code_run by_array, by_run, by_all_rows, negative;
    char run[256];
    assert_int_equal(store_codes_touch(st, CODES_BY_RESULTS, 0, ids, 6000, &err), 0);
    assert_int_equal(store_codes_recompute(st, 6000, "t", "test", &by_array, &err), 0);
    snprintf(run, sizeof run, "{\"last\":%lld,\"rows\":%s}", (long long)r[3].id, want);
    assert_int_equal(store_codes_touch(st, CODES_BY_RESULT_RANGE, r[0].id, run, 6000, &err), 0);
    assert_int_equal(store_codes_recompute(st, 6000, "t", "test", &by_run, &err), 0);
    assert_true(by_array.touched >= 2);
    assert_int_equal(by_run.touched, by_array.touched);
    snprintf(run, sizeof run, "{\"last\":%lld,\"rows\":%s}", (long long)r[3].id, ids);
    assert_int_equal(store_codes_touch(st, CODES_BY_RESULT_RANGE, r[0].id, run, 6000, &err), 0);
    assert_int_equal(store_codes_recompute(st, 6000, "t", "test", &by_all_rows, &err), 0);
    assert_int_equal(by_all_rows.touched, by_array.touched);
    snprintf(run, sizeof run, "{\"last\":%lld,\"rows\":[]}", (long long)r[0].id);
    assert_int_equal(store_codes_touch(st, CODES_BY_RESULT_RANGE, r[0].id, run, 6000, &err), 0);
    assert_int_equal(store_codes_recompute(st, 6000, "t", "test", &negative, &err), 0);
    assert_int_equal(negative.touched, 0);
    snprintf(ids, sizeof ids, "[%lld]", (long long)r[0].id);
    assert_int_equal(store_results_to_follow(st, ids, &got, &err), 0);
    assert_string_equal(got, "[]");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(what_a_result_calls_for),
        cmocka_unit_test(notices_carry_no_id_number),
        cmocka_unit_test(closing_path_is_legal),
        cmocka_unit_test(every_policy_has_the_rules),
        cmocka_unit_test_setup_teardown(pool_positive_then_rechecks, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(negatives_move_the_last_negative,
                                        store_fixture_setup_areas, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(the_last_negative_on_a_timeline,
                                        store_fixture_setup_areas, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(singles_one_by_one, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(follow_up_tables_rebuilt, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(results_keyed_by_tube, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_box_of_a_thousand, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(results_recolour_the_pending, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(rows_to_follow, store_fixture_setup_areas,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
