/* test_testing.c - pooled sampling: barcode format and pool sizes from the policy
 * (model/tube.h), the schema's own refusals of a person scanned twice in a round
 * and of a scan into a closed tube (store_testing.h, migration 0013), and the contact
 * group a person's open leads put them in (store_person_testing_flags, 0023, 0025), and
 * the plans the members' virtual table gives the store's SQL (fk_members, 0035) and its
 * answers by person and round when the persons come in no order of chunks. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/tube.h"
#include "policy/policy.h"
#include "store/store_sqlite_int.h"
#include "store_fixture.h"

static void barcodes(void **state)
{
    (void)state;
    fk_err err;
    const char *good[] = {"JC2022-000123", "12345678", "ABCDEFGHIJ0123456789"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(tube_barcode_check(good[i], "barcode", &err), 0);
    const char *bad[] = {"", "1234567", "ABCDEFGHIJ01234567890", "jc2022-000123", "-2022000123",
                         "2022000123-", "JC2022 0001", "JC2022_0001", "检测2022000123"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(tube_barcode_check(bad[i], "barcode", &err), -1);
        assert_int_equal(err.code, FK_EINVAL);
        assert_string_equal(err.field, "barcode");
    }
    assert_int_equal(tube_barcode_check(NULL, "barcodes", &err), -1);
    assert_string_equal(err.field, "barcodes");
}

static int size_of(const policy *p, const char *group)
{
    fk_err err;
    int size = -1;
    if (tube_pool_size(p, group, &size, &err) != 0)
        fail_msg("%s: %s", group, err.message);
    return size;
}

static void pool_sizes_from_the_policy(void **state)
{
    (void)state;
    fk_err err;
    policy *v9 = policy_load_builtin("v9", &err), *m20 = policy_load_builtin("m20", &err);
    assert_non_null(v9);
    assert_non_null(m20);
    assert_string_equal(tube_group(true, true, NULL), "isolation_site");
    assert_string_equal(tube_group(false, true, "controlled"), "key_group");
    assert_string_equal(tube_group(false, false, "controlled"), "controlled");
    assert_string_equal(tube_group(false, false, NULL), "other");
    assert_int_equal(size_of(v9, tube_group(true, false, NULL)), 1);
    assert_int_equal(size_of(v9, tube_group(false, true, NULL)), 1);
    assert_int_equal(size_of(v9, tube_group(false, false, NULL)), 20);
    assert_int_equal(size_of(v9, "sealed"), 1);
    assert_int_equal(size_of(v9, "controlled"), 10);
    assert_int_equal(size_of(v9, "medium"), 10);
    assert_int_equal(size_of(m20, "sealed"), 20); /* m20 names no sealed zone: other */
    assert_int_equal(size_of(m20, "high"), 1);

    /* a city's override of one group's pool */
    char *dir = test_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/local.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"overrides\": [{\"path\": \"testing.pool_by_group.groups.other\", \"value\": 10,"
          " \"source\": \"[L] 10:1 for everyone\"}]}\n", f);
    fclose(f);
    assert_int_equal(policy_apply_overrides(v9, path, &err), 0);
    assert_int_equal(size_of(v9, "other"), 10);
    assert_int_equal(size_of(v9, "key_group"), 1);

    /* joining an open tube */
    assert_int_equal(tube_fits(0, 1, "key_group", "person_id", &err), 0);  /* issued */
    assert_int_equal(tube_fits(10, 20, "other", "person_id", &err), 0);
    assert_int_equal(tube_fits(20, 1, "key_group", "person_id", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_string_equal(err.field, "person_id");
    assert_non_null(strstr(err.message, "single tube"));
    policy_free(v9);
    policy_free(m20);
    test_rmdir(dir);
    free(dir);
}

static void round_moves_and_window(void **state)
{
    (void)state;
    fk_err err;
    assert_int_equal(tube_round_check("planned", "open", &err), 0);
    assert_int_equal(tube_round_check("open", "closed", &err), 0);
    assert_int_equal(tube_round_check("closed", "open", &err), -1);
    assert_string_equal(err.field, "state");
    assert_int_equal(tube_round_check("open", "planned", &err), -1);
    assert_int_equal(tube_round_accepts("open", 100, 200, 150, &err), 0);
    assert_int_equal(tube_round_accepts("open", 100, 200, 200, &err), -1);
    assert_string_equal(err.field, "round_id");
    assert_int_equal(tube_round_accepts("planned", 100, 200, 150, &err), -1);
    assert_int_equal(tube_round_accepts("open", 100, 200, 99, &err), -1);
}

static int64_t add_person(store *st, int i)
{
    person p = fixture_person("T", i);
    snprintf(p.sex, sizeof p.sex, "F");
    return fixture_person_insert(st, &p);
}

static member_rec member(int64_t person, int64_t round)
{
    return (member_rec){.person_id = person, .round_id = round, .scanned_at = 1000,
                        .scanned_by = "s"};
}

static void schema_refuses(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    round_rec r = {.name = "第一轮", .area_code = "510104001", .starts_at = 0, .ends_at = 99999,
                   .state = "open", .created_by = "t", .created_at = 1};
    assert_int_equal(store_round_insert(st, &r, NULL, &err), 0);
    site_rec s = {.round_id = r.id, .name = "采样点一", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &s, NULL, &err), 0);
    const char *codes[] = {"T0000001", "T0000002", "T0000003"};
    assert_int_equal(store_tubes_issue(st, r.id, s.id, codes, 3, "t", 1, NULL, &err), 0);
    const char *again[] = {"T0000009", "T0000001"};
    assert_int_equal(store_tubes_issue(st, r.id, s.id, again, 2, "t", 1, NULL, &err), -1);
    assert_string_equal(err.field, "barcodes");
    tube_rec t1, t2, t3;
    assert_int_equal(store_tube_get(st, "T0000009", &t1, NULL, &err), -1); /* all or none */
    assert_int_equal(err.code, FK_ENOTFOUND);
    assert_int_equal(store_tube_get(st, "T0000001", &t1, NULL, &err), 0);
    assert_int_equal(store_tube_get(st, "T0000002", &t2, NULL, &err), 0);
    assert_int_equal(store_tube_get(st, "T0000003", &t3, NULL, &err), 0);
    assert_string_equal(t1.state, "issued");
    int64_t a = add_person(st, 1), b = add_person(st, 2), c = add_person(st, 3);

    member_rec m = member(a, r.id);
    assert_int_equal(store_tube_scan(st, t1.id, 5, &m, NULL, &err), 0);
    /* the same person again in the round, into another tube: the schema refuses it */
    m = member(a, r.id);
    assert_int_equal(store_tube_scan(st, t2.id, 5, &m, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(store_tube_get(st, "T0000002", &t2, NULL, &err), 0);
    assert_string_equal(t2.state, "issued"); /* the refused scan opened nothing */

    /* a closed tube takes no one, whatever the caller checked */
    assert_int_equal(store_tube_close(st, t1.id, "t", 2000, NULL, &err), 0);
    m = member(b, r.id);
    assert_int_equal(store_tube_scan(st, t1.id, 5, &m, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(store_tube_close(st, t1.id, "t", 2000, NULL, &err), -1);

    /* a full tube takes no one either; n_members stays exact */
    m = member(b, r.id);
    assert_int_equal(store_tube_scan(st, t3.id, 1, &m, NULL, &err), 0);
    m = member(c, r.id);
    assert_int_equal(store_tube_scan(st, t3.id, 1, &m, NULL, &err), -1);
    assert_int_equal(store_tube_get(st, "T0000003", &t3, NULL, &err), 0);
    assert_int_equal(t3.n_members, 1);
    assert_int_equal(store_tube_get(st, "T0000001", &t1, NULL, &err), 0);
    assert_int_equal(t1.n_members, 1);
    assert_int_equal(t1.size, 5);

    member_list h = {0};
    assert_int_equal(store_person_samples(st, a, &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.items[0].barcode, "T0000001");
    member_list_free(&h);

    /* a member of a round is not deleted (0038, its chunk found by key since 0042); a
     * person scanned nowhere is, on a connection without foreign keys */
    char del[128];
    snprintf(del, sizeof del, "DELETE FROM persons WHERE id = %lld", (long long)a);
    assert_int_not_equal(fixture_exec(f, del), SQLITE_OK);
    snprintf(del, sizeof del, "DELETE FROM persons WHERE id = %lld", (long long)c);
    assert_int_equal(fixture_exec(f, del), SQLITE_OK);
}

/* store_bulk_testing_flags' answer for one person: both 0 when it is not listed. */
typedef struct flags_of { int64_t pid; int isolated, contact, listed; } flags_of;

static int keep_flags(void *ctx, int64_t person_id, int isolated, int contact)
{
    flags_of *f = ctx;
    if (person_id == f->pid) {
        f->isolated = isolated;
        f->contact = contact;
        f->listed++;
    }
    return 0;
}

/* The bulk read (the scans import's) agrees with store_person_testing_flags for pid. */
static void bulk_agrees(store *st, int64_t pid)
{
    fk_err err;
    int isolated = -1, contact = -1;
    assert_int_equal(store_person_testing_flags(st, pid, &isolated, &contact, &err), 0);
    flags_of f = {.pid = pid};
    assert_int_equal(store_bulk_testing_flags(st, keep_flags, &f, &err), 0);
    assert_true(f.listed <= 1);
    assert_int_equal(f.isolated, isolated);
    assert_int_equal(f.contact, contact);
}

/* A pushed close contact's person (found through the contact it came from, 0025) and a
 * hand-made lead's person (through leads_open_person) are in a contact group while the
 * lead is open; a secondary contact pushed for someone else, a closed lead, another
 * person: not. */
static void contact_group_flags(void **state)
{
    fixture *f = *state;
    store *st = f->st;
    fk_err err;
    person p[5];
    for (int i = 0; i < 5; i++) {
        p[i] = fixture_person("G", i);
        fixture_person_insert(st, &p[i]);
    }
    epicase k = fixture_case_insert(st, p[0].id);
    contact_rec c = {0};
    c.case_id = k.id;
    c.person_id = p[1].id;
    snprintf(c.subject, sizeof c.subject, "13800000001");
    snprintf(c.kind, sizeof c.kind, "household");
    c.degree = 1;
    c.found_at = fk_now();
    assert_int_equal(store_contact_upsert(st, &c, NULL, &err), 0);

    lead_push push = {0};
    push.case_id = k.id;
    snprintf(push.case_area, sizeof push.case_area, "510104001001");
    push.pushed_at = fk_now();
    for (int d = 0; d < 2; d++) {
        snprintf(push.kind[d], sizeof push.kind[d], d ? "secondary_contact" : "close_contact");
        snprintf(push.measure[d], sizeof push.measure[d], "central_isolation");
        for (int s = 0; s < LEAD_STEPS; s++)
            push.deadlines[d][s] = push.pushed_at + 3600 * (s + 1);
    }
    push.actor = "test";
    int64_t first = 0, last = 0;
    assert_int_equal(store_lead_push(st, &push, NULL, &first, &last, &err), 0);
    assert_int_equal(last, first);

    lead_rec hand = {0};
    snprintf(hand.kind, sizeof hand.kind, "close_contact");
    hand.person_id = p[2].id;
    snprintf(hand.area_code, sizeof hand.area_code, "510104001001");
    hand.pushed_at = fk_now();
    for (int s = 0; s < LEAD_STEPS; s++)
        hand.deadlines[s] = hand.pushed_at + 3600 * (s + 1);
    assert_int_equal(store_lead_insert(st, &hand, "test", "", NULL, &err), 0);

    /* p[3]: isolated now; p[4]: an isolation that ended (store_bulk_testing_flags reads
     * the current rows through partial indexes: each person as the one-person read) */
    char iso[512];
    snprintf(iso, sizeof iso, "INSERT INTO isolations (person_id, area_code, cohort, phase, "
             "kind, day1_date, end_date, state, policy_id, started_at, ended_at) VALUES "
             "(%lld, '510104001001', 'close_contact', 0, 'home_isolation', '2026-01-01', "
             "'2026-01-07', 'active', 'v9', 1, NULL), (%lld, '510104001001', 'close_contact', "
             "0, 'home_isolation', '2026-01-01', '2026-01-07', 'released', 'v9', 1, 2)",
             (long long)p[3].id, (long long)p[4].id);
    assert_int_equal(fixture_exec(f, iso), 0);
    int want[5] = {0, 1, 1, 0, 0};
    for (int i = 0; i < 5; i++) {
        int isolated = -1, contact = -1;
        assert_int_equal(store_person_testing_flags(st, p[i].id, &isolated, &contact, &err), 0);
        assert_int_equal(isolated, i == 3);
        assert_int_equal(contact, want[i]);
        bulk_agrees(st, p[i].id);
    }
    /* closed leads no longer count */
    size_t n = 0;
    const lead_move *path = lead_close_path(&n);
    int64_t ids[2] = {first, hand.id};
    for (int l = 0; l < 2; l++)
        for (size_t m = 0; m < n; m++) {
            if (!strcmp(path[m].from, "not_found") || !strcmp(path[m].from, "refused"))
                continue;
            assert_int_equal(store_lead_transition(st, ids[l], path[m].from, path[m].to, "other",
                                                   NULL, "test", "", 0, NULL, NULL, &err), 0);
        }
    for (int i = 1; i < 3; i++) {
        int isolated = -1, contact = -1;
        assert_int_equal(store_person_testing_flags(st, p[i].id, &isolated, &contact, &err), 0);
        assert_int_equal(contact, 0);
        bulk_agrees(st, p[i].id);
    }
}

/* The plan fk_members (store_sqlite_members.c, migration 0035) gives a statement, as the
 * "VIRTUAL TABLE INDEX n:" of its query plan: 1 by tube, 2 by person and round, 3 by
 * person alone. */
static int members_plan(const fixture *f, const char *sql)
{
    char path[600];
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sq_members_register(db), SQLITE_OK);
    char eqp[1200];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &q, NULL), SQLITE_OK);
    int plan = -1;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *at = strstr((const char *)sqlite3_column_text(q, 3), "VIRTUAL TABLE INDEX ");
        if (at)
            plan = atoi(at + strlen("VIRTUAL TABLE INDEX "));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return plan;
}

/* A tube named by an IN list while the person is known is read by the person's chunks:
 * by tube it would be one lookup per listed tube for every person (the health codes'
 * touch of a city's 48,506 results by their id list: 42 s instead of 0.7 s). */
static void members_plans(void **state)
{
    const fixture *f = *state;
    assert_int_equal(members_plan(f, "SELECT person_id FROM fk_members WHERE tube_id = 5"), 1);
    assert_int_equal(members_plan(f, "SELECT tube_id FROM fk_members WHERE person_id = 7 AND "
                                     "round_id = 2"), 2);
    assert_int_equal(members_plan(f, "SELECT tube_id FROM fk_members WHERE person_id = 7"), 3);
    assert_int_equal(members_plan(f, "SELECT m.tube_id FROM (SELECT 7 AS person_id UNION ALL "
                                     "SELECT 8) x CROSS JOIN fk_members m ON m.person_id = "
                                     "x.person_id WHERE m.tube_id IN (SELECT 5 UNION ALL "
                                     "SELECT 6)"), 3);
    assert_int_equal(members_plan(f, "SELECT person_id FROM fk_members WHERE tube_id IN "
                                     "(5, 6)"), 1);
}

enum { SCATTER_CHUNKS = 300, SCATTER_SPAN = 307, SCATTER_PROBES = 20000 };

/* The member id of person `p` in the scattered round: tube chunk + 1, place 1 to 127; every
 * third person is not a member. */
static int64_t scattered_member(int64_t p)
{
    return p % 3 ? SQ_MEMBER_ID((p >> 10) + 1, p % 127 + 1) : 0;
}

/* Round 900's chunks 0 to SCATTER_CHUNKS - 1 written straight into round_slots (one chunk
 * of round 901 beside each, other members), on a connection without foreign keys. */
static void scattered_chunks(sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO round_slots (id, chunk, round_id, "
                                            "slots) VALUES (" SQ_SLOTS_KEY ", ?1, ?2, ?3)", -1,
                                        &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    unsigned char slots[SQ_CHUNK_BYTES];
    for (int64_t chunk = 0; chunk < SCATTER_CHUNKS; chunk++)
        for (int64_t round = 900; round <= 901; round++) {
            for (int64_t i = 0; i < 1024; i++) {
                uint64_t v = round == 900 ? (uint64_t)scattered_member(chunk * 1024 + i)
                                          : SQ_MEMBER_ID(5000, 1);
                for (int b = 0; b < SQ_SLOT_WIDTH; b++, v >>= 8)
                    slots[i * SQ_SLOT_WIDTH + b] = (unsigned char)v;
            }
            sqlite3_bind_int64(q, 1, chunk);
            sqlite3_bind_int64(q, 2, round);
            sqlite3_bind_blob(q, 3, slots, sizeof slots, SQLITE_STATIC);
            assert_int_equal(sqlite3_step(q), SQLITE_DONE);
            sqlite3_reset(q);
        }
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

/* Coverage probes a community's persons by birth date: person and round lookups that
 * jump between hundreds of chunks, and some chunks the round does not have (here every
 * fifth probe asks round 901). The answers must be each person's slot in that round,
 * whatever the cursor keeps of the chunks it read. */
static void members_scattered_probes(void **state)
{
    const fixture *f = *state;
    char path[600];
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sq_members_register(db), SQLITE_OK);
    scattered_chunks(db);
    int64_t want_n = 0, want_ids = 0;
    for (int64_t i = 0; i < SCATTER_PROBES; i++) {
        int64_t p = (i * 7919 % SCATTER_SPAN) * 1024 + i % 1024;
        int64_t id = p >> 10 >= SCATTER_CHUNKS ? 0
                     : i % 5 ? scattered_member(p) : SQ_MEMBER_ID(5000, 1);
        want_n += id != 0;
        want_ids += id;
    }
    char sql[600];
    snprintf(sql, sizeof sql, "WITH RECURSIVE x(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM x "
             "WHERE i < %d) SELECT count(m.id), sum(m.id), sum(m.tube_id = m.id >> 7) FROM x "
             "CROSS JOIN fk_members m ON m.round_id = 900 + (x.i %% 5 = 0) AND m.person_id = "
             "(x.i * 7919 %% %d) * 1024 + x.i %% 1024", SCATTER_PROBES - 1, SCATTER_SPAN);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_true(want_n > SCATTER_PROBES / 2);
    assert_int_equal(sqlite3_column_int64(q, 0), want_n);
    assert_int_equal(sqlite3_column_int64(q, 1), want_ids);
    assert_int_equal(sqlite3_column_int64(q, 2), want_n);
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_int_equal(members_plan(f, sql), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(barcodes),
        cmocka_unit_test(pool_sizes_from_the_policy),
        cmocka_unit_test(round_moves_and_window),
        cmocka_unit_test_setup_teardown(schema_refuses, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(contact_group_flags, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(members_plans, store_fixture_setup_areas,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(members_scattered_probes, store_fixture_setup_areas,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
