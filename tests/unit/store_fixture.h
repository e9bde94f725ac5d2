/*
 * store_fixture.h - a fresh store in a temporary directory for the cmocka tests of the
 * store and its services: store_fixture_setup opens it (with the three areas of a
 * district > street > community chain when asked), store_fixture_teardown closes it
 * and removes the directory; fixture_exec runs SQL on the store's file through a
 * connection of its own (hand-made rows, foreign keys off as SQLite's default); the
 * MIGRATION_*_UNDONE texts and fixture_undo_0044 put a store's schema back before a
 * migration, for the tests that apply it again on their data. Include after testutil.h.
 */
#ifndef FK_TEST_STORE_FIXTURE_H
#define FK_TEST_STORE_FIXTURE_H

#include <sqlite3.h>

#include "base/timeutil.h"
#include "store/store.h"
#include "store/store_sqlite_int.h" /* sq_results_register, for fixture_undo_0044 */

typedef struct fixture { char *dir; store *st; } fixture;

static inline void fixture_areas(store *st)
{
    fk_err err;
    const char *codes[][3] = {{"510104", "", "district"}, {"510104001", "510104", "street"},
                              {"510104001001", "510104001", "community"}};
    for (int i = 0; i < 3; i++) {
        area a = {0};
        snprintf(a.code, sizeof a.code, "%s", codes[i][0]);
        snprintf(a.parent_code, sizeof a.parent_code, "%s", codes[i][1]);
        snprintf(a.level, sizeof a.level, "%s", codes[i][2]);
        snprintf(a.name, sizeof a.name, "area %d", i);
        if (store_area_insert(st, &a, &err) != 0)
            fail_msg("area: %s", err.message);
    }
}

static inline fixture *fixture_open(void)
{
    fixture *f = calloc(1, sizeof *f);
    fk_err err;
    f->dir = test_tmpdir();
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("store_open: %s", err.message);
    return f;
}

/* Every statement of `sql` on the store's file through a connection of the test's own;
 * SQLITE_OK or the code. */
static inline int fixture_exec(const fixture *f, const char *sql)
{
    char path[600];
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* A store with no rows. */
static inline int store_fixture_setup(void **state)
{
    *state = fixture_open();
    return 0;
}

/* A store with the areas 510104 > 510104001 > 510104001001. */
static inline int store_fixture_setup_areas(void **state)
{
    fixture *f = fixture_open();
    fixture_areas(f->st);
    *state = f;
    return 0;
}

/* A non-resident of community 510104001001 with a passport: ID number `prefix` and i,
 * name 人i, born 1980-01-01, address 某路i号. Tests change fields before inserting. */
static inline person fixture_person(const char *prefix, int i)
{
    person p = {0};
    snprintf(p.name, sizeof p.name, "人%d", i);
    snprintf(p.id_type, sizeof p.id_type, "passport");
    snprintf(p.id_number, sizeof p.id_number, "%s%07d", prefix, i);
    snprintf(p.sex, sizeof p.sex, "M");
    snprintf(p.birth_date, sizeof p.birth_date, "1980-01-01");
    snprintf(p.resident_type, sizeof p.resident_type, "non_resident");
    snprintf(p.address, sizeof p.address, "某路%d号", i);
    snprintf(p.community_code, sizeof p.community_code, "510104001001");
    return p;
}

/* Insert p (its id filled), or fail the test. */
static inline int64_t fixture_person_insert(store *st, person *p)
{
    fk_err err;
    if (store_person_insert(st, p, NULL, &err) != 0)
        fail_msg("person %s: %s", p->id_number, err.message);
    return p->id;
}

/* A mild confirmed case of person_id reported now by community screening, inserted (its
 * id filled), or fail the test. */
static inline epicase fixture_case_insert(store *st, int64_t person_id)
{
    fk_err err;
    epicase k = {0};
    k.person_id = person_id;
    snprintf(k.classification, sizeof k.classification, "confirmed");
    snprintf(k.severity, sizeof k.severity, "mild");
    k.reported_at = fk_now();
    fk_date_of(k.reported_at, k.sampling_date);
    snprintf(k.source, sizeof k.source, "community_screening");
    if (store_case_insert(st, &k, NULL, &err) != 0)
        fail_msg("case of person %lld: %s", (long long)person_id, err.message);
    return k;
}

static inline int store_fixture_teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* What migration 0033 creates, dropped so that a test that sets the store's version back
 * below it (to apply an earlier migration again on its data) can let it apply again: its
 * table, and its triggers, which live on other tables and go only by name. */
/* Migration 0035 undone (before 0033's undo: its triggers read code_answers_version): the
 * members' tables and view dropped, 0032's tube_members back, empty (its triggers come
 * back with 0032 to 0034 applied again). */
#define MIGRATION_0035_UNDONE                                                                \
    "DROP VIEW tube_members; DROP TABLE tube_sets; DROP TABLE round_slots; "                 \
    "CREATE TABLE tube_members (id INTEGER PRIMARY KEY, tube_id INTEGER NOT NULL, "          \
    "person_id INTEGER NOT NULL, round_id INTEGER NOT NULL, scanned_at INTEGER NOT NULL, "   \
    "scanned_by TEXT NOT NULL, UNIQUE (person_id, round_id)); "

#define MIGRATION_0033_UNDONE                                                                \
    "DROP TABLE code_answers_version; "                                                      \
    "DROP TRIGGER IF EXISTS code_answers_code_added; "                                       \
    "DROP TRIGGER IF EXISTS code_answers_code_changed; "                                     \
    "DROP TRIGGER IF EXISTS code_answers_code_deleted; "                                     \
    "DROP TRIGGER IF EXISTS code_answers_person_renamed; "                                   \
    "DROP TRIGGER IF EXISTS code_answers_person_deleted; "                                   \
    "DROP TRIGGER IF EXISTS code_answers_rule_added; "                                       \
    "DROP TRIGGER IF EXISTS code_answers_rule_changed; "                                     \
    "DROP TRIGGER IF EXISTS code_answers_rule_deleted; "                                     \
    "DROP TRIGGER IF EXISTS code_answers_result_added; "                                     \
    "DROP TRIGGER IF EXISTS code_answers_result_changed; "                                   \
    "DROP TRIGGER IF EXISTS code_answers_result_deleted; "                                   \
    "DROP TRIGGER IF EXISTS code_answers_scan_added; "                                       \
    "DROP TRIGGER IF EXISTS code_answers_scan_changed; "                                     \
    "DROP TRIGGER IF EXISTS code_answers_scan_deleted; "

/* What migration 0036 creates (the kept residents lookup), dropped for the same reason:
 * its tables, and its triggers on persons, which go only by name. */
#define MIGRATION_0036_UNDONE                                                                \
    "DROP TABLE residents_version; "                                                         \
    "DROP TABLE residents_lookup; "                                                          \
    "DROP TABLE residents_lookup_parts; "                                                    \
    "DROP TRIGGER IF EXISTS residents_person_changed; "                                      \
    "DROP TRIGGER IF EXISTS residents_person_deleted; "

/* What migration 0037 creates (leads by area through runs), dropped for the same reason:
 * the trigger, the partial leads_area back to 0028's whole index, the flag column (its
 * index first) and the runs. */
#define MIGRATION_0037_UNDONE                                                                \
    "DROP TRIGGER IF EXISTS leads_area_moved; "                                              \
    "DROP INDEX leads_area; "                                                                \
    "ALTER TABLE leads DROP COLUMN in_run; "                                                 \
    "CREATE INDEX leads_area ON leads(area_code); "                                          \
    "DROP TABLE lead_runs; "

/* What migration 0038 creates (a member's person is not deleted): its trigger on persons,
 * which goes only by name. */
#define MIGRATION_0038_UNDONE "DROP TRIGGER IF EXISTS persons_member_deleted; "

/* Migration 0044 undone: tube_results back as 0043 reads it (a plain table of every
 * result, read from fk_results: 0043 applied again makes it whole), the chunks and
 * corrections dropped with their triggers, and the triggers of tube_sets that read them
 * (0043 makes them again). testing_holds stays as 0044 rebuilt it (0040 and 0043 take it
 * as it is). Run before setting the version back below 44. */
#define MIGRATION_0044_UNDONE                                                                \
    "PRAGMA foreign_keys = OFF; BEGIN; "                                                     \
    "DROP TRIGGER code_answers_set_added; DROP TRIGGER code_answers_set_changed; "           \
    "CREATE TABLE tube_results (id INTEGER PRIMARY KEY, tube_id INTEGER NOT NULL, result "   \
    "TEXT NOT NULL, ct_orf1ab REAL, ct_n REAL, lab_id INTEGER NOT NULL, reported_at INTEGER " \
    "NOT NULL, reported_by TEXT NOT NULL, replaces INTEGER, reason TEXT); "                  \
    "INSERT INTO tube_results SELECT id, tube_id, result, ct_orf1ab, ct_n, lab_id, "         \
    "reported_at, reported_by, replaces, reason FROM fk_results ORDER BY id; "               \
    "DROP TABLE result_chunks; DROP TABLE result_corrections; PRAGMA user_version = 43; "    \
    "COMMIT;"

static inline void fixture_undo_0044(const fixture *f)
{
    char path[600];
    sqlite3 *db = NULL;
    char *msg = NULL;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sq_results_register(db), SQLITE_OK);
    if (sqlite3_exec(db, MIGRATION_0044_UNDONE, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("0044 undone: %s", msg);
    sqlite3_close(db);
}

/* Migration 0039 (tubes' state CHECK as comparisons) needs no undoing: it rebuilds tubes as
 * they are and recreates the triggers that read them, so it applies again on its own
 * result (test_testing_import.c tubes_state_check; the tests above re-apply it after
 * their earlier migrations). */

/* Migration 0041 (box_tubes_box covering the tube's id) needs none either: it drops and
 * creates the one index, so it applies again on its own result. */

#endif
