/*
 * store_sqlite_codes.c - the health-code section (store_codes.h) on SQLite.
 *
 * The recompute, as statements over the connection's temporary tables:
 *   temp.codes_touch(person_id)  the persons a state change touched (store_codes_touch);
 *   temp.codes_eval(person_id, ord, rule, colour, cohort, detail, override_id, last_neg)
 *                                the decision for each of them.
 * For each installed rule in order, one INSERT OR IGNORE puts the persons its condition
 * selects into codes_eval: a person's first matching rule is the one that stays (first
 * match wins, the key refuses the rest; a rule is skipped, never compiled, once every
 * touched person has a decision or while its condition's table is empty). The last rule
 * is 'always'. red_restriction turns a red decision into yellow when the matched cohort
 * is not one Henan's rule lets be red. Then the approved override in force replaces the
 * colour, and the writes: one code_changes row for every person whose colour, rule or
 * override differs from health_codes, then health_codes citing that row (the schema's
 * triggers require it).
 *
 * Conditions: a table of name -> SQL selecting (person_id, cohort, detail) for the
 * touched persons, over the bound values ?1 now, ?2 the city's date today, ?3 the
 * rule's params (JSON), ?4 the overdue cut-off date, and the table it needs a row of.
 * Adding a condition is one entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_sqlite_int.h"

/* ---- conditions ---------------------------------------------------------------------------- */

#define TOUCHED "temp.codes_touch t"
#define IN_LIST(col, key) col " IN (SELECT value FROM json_each(?3, '$." key "'))"

#define COHORT_ZH(col)                                                                        \
    "CASE " col " WHEN 'close_contact' THEN '密接' WHEN 'secondary_contact' THEN '次密接' "  \
    "WHEN 'inbound' THEN '入境人员' WHEN 'high_risk_area_stay' THEN '高风险区旅居' "          \
    "WHEN 'medium_risk_area_stay' THEN '中风险区旅居' WHEN 'confirmed' THEN '确诊' "          \
    "WHEN 'asymptomatic' THEN '无症状感染者' WHEN 'screening_positive' THEN '初筛阳性' "      \
    "ELSE " col " END"
#define KIND_ZH(col)                                                                          \
    "CASE " col " WHEN 'central_isolation' THEN '集中隔离' WHEN 'home_isolation' THEN "       \
    "'居家隔离' WHEN 'home_health_monitoring' THEN '居家健康监测' ELSE " col " END"

/* A person's negative tests: isolation tests, and pooled or single tubes whose current
 * result is negative (at the time of the scan). Each is one indexed read per person:
 * written out rather than as a UNION view, which SQLite would not narrow to the person. */
#define ISO_NEGATIVES(agg, who, since)                                                        \
    "(SELECT " agg "(x.result_at) FROM isolations i2 JOIN isolation_tests x ON "              \
    "x.isolation_id = i2.id WHERE i2.person_id = " who " AND x.result = 'negative' AND "      \
    "x.result_at >= " since ")"
#define TUBE_IS_NEGATIVE                                                                      \
    "(SELECT r.result FROM fk_results r WHERE " SQ_RESULTS_OF("r", "m.tube_id")               \
    " ORDER BY r.id DESC LIMIT 1) = 'negative'"
#define TUBE_NEGATIVES(agg, who, since)                                                       \
    "(SELECT " agg "(m.scanned_at) FROM fk_members m WHERE m.person_id = " who " AND "      \
    "m.scanned_at >= " since " AND " TUBE_IS_NEGATIVE ")"
/* The person's last negative tube, read rather than stored: the person's scans (a few,
 * through fk_members: the person's chunk of each round, one key range of round_slots,
 * migration 0035, then each scan's tube_sets row; each one's tube
 * result read, then sorted newest first) until one whose tube's current result is
 * negative. A round's results thus write one row a tube, not one a member
 * (bench/testing). */
#define TUBE_LAST_NEGATIVE(who)                                                               \
    "(SELECT m.scanned_at FROM fk_members m WHERE m.person_id = " who " AND "               \
    TUBE_IS_NEGATIVE " ORDER BY m.scanned_at DESC LIMIT 1)"
/* Over both kinds since contact k's exposure (pending_clearance). */
#define NEG_COUNT                                                                             \
    "(" ISO_NEGATIVES("count", "t.person_id", "k.first_overlap") " + "                         \
    TUBE_NEGATIVES("count", "t.person_id", "k.first_overlap") ")"
#define NEG_SPAN                                                                              \
    "(max(coalesce(" ISO_NEGATIVES("max", "t.person_id", "k.first_overlap") ", 0), coalesce(" \
    TUBE_NEGATIVES("max", "t.person_id", "k.first_overlap") ", 0)) - min(coalesce("           \
    ISO_NEGATIVES("min", "t.person_id", "k.first_overlap") ", 1e18), coalesce("               \
    TUBE_NEGATIVES("min", "t.person_id", "k.first_overlap") ", 1e18)))"
#define ANY_ZONE                                                                              \
    "EXISTS (SELECT 1 FROM zones y WHERE y.status = 'published' AND " IN_LIST("y.level",       \
    "levels") ")"
#define CLEARANCE(key) "json_extract(?3, '$.kinds.' || k.kind || '." key "')"

/* needs: a table without a row of which the condition selects nobody (NULL: none such);
 * an empty one spares the rule's statement, compiled and run (a city before its first
 * case, isolation, contact, zone or traveler: bench/testing's results import). */
typedef struct condition { const char *name, *sql, *needs; } condition;

static const condition conditions[] = {
    {"case_not_released",
     "SELECT t.person_id, c.classification, printf('阳性人员第 %d 号（%s），%s', c.number, "
     COHORT_ZH("c.classification") ", c.status) FROM " TOUCHED
     " CROSS JOIN cases c ON c.person_id = t.person_id WHERE c.status NOT IN ('discharged', 'died') "
     "AND " IN_LIST("c.classification", "cohorts") " ORDER BY c.id", "cases"},
    {"in_phase",
     "SELECT t.person_id, i.cohort, printf('%s，%s %s 至 %s（隔离 %d）', " COHORT_ZH("i.cohort")
     ", " KIND_ZH("i.kind") ", i.day1_date, i.end_date, i.id) FROM " TOUCHED
     " CROSS JOIN isolations i ON i.person_id = t.person_id AND i.state = 'active' WHERE "
     IN_LIST("i.cohort", "cohorts") " AND " IN_LIST("i.kind", "phases"), "isolations"},
    {"in_phase_after_red",
     "SELECT t.person_id, i.cohort, printf('%s至 %s（隔离 %d 解除后）', " KIND_ZH("i.next_kind")
     ", i.next_end_date, i.id) FROM " TOUCHED " CROSS JOIN isolations i ON i.person_id = "
     "t.person_id AND i.state = 'released' WHERE " IN_LIST("i.next_kind", "phases")
     " AND i.next_end_date >= ?2 ORDER BY i.id DESC", "isolations"},
    /* Only each kind's latest contact of the person is tested: the negatives since a later
     * exposure are a subset of those since an earlier one, so when the latest is cleared
     * every earlier one of its kind is, and when it is not, it is the one to show. Testing
     * every contact ran the six negative-test subqueries for each: a person exposed at a
     * dozen venues cost a dozen times (0.2-0.4 s of the sweep after 2,000 arrivals, bench/loop).
     * The kinds lead: the rule's params are parsed once, not once a touched person (6 k
     * instructions each); the rows' order is the ORDER BY's, a total one (contact ids). */
    {"pending_clearance",
     "SELECT t.person_id, json_extract(?3, '$.kinds.' || k.kind || '.cohort'), "
     "printf('阳性人员第 %d 号的%s（%s，%s），待 %d 次阴性检测（已 %d 次）', c.number, "
     "CASE k.kind WHEN 'companion' THEN '时空伴随' ELSE '场所暴露' END, k.place, "
     "datetime(k.first_overlap + 3600 * ?5, 'unixepoch'), " CLEARANCE("tests") ", "
     NEG_COUNT ") FROM json_each(?3, '$.kinds') j CROSS JOIN " TOUCHED " CROSS JOIN contacts k "
     "ON k.id = (SELECT y.id FROM contacts y WHERE y.person_id = t.person_id AND y.kind = "
     "j.key AND y.status <> 'dismissed' ORDER BY y.first_overlap DESC, y.id DESC LIMIT 1) "
     "JOIN cases c ON c.id = k.case_id WHERE NOT (" NEG_COUNT " >= "
     CLEARANCE("tests") " AND " NEG_SPAN " >= 3600 * "
     CLEARANCE("min_gap_h") " * (" CLEARANCE("tests") " - 1)) ORDER BY k.first_overlap DESC, "
     "k.id DESC", "contacts"},
    {"pool_held",
     "SELECT t.person_id, 'pool_positive', printf('混管阳性待单采复核：管 %s（%s 起）', "
     "b.barcode, datetime(h.held_at + 3600 * ?5, 'unixepoch')) FROM " TOUCHED
     " CROSS JOIN testing_holds h ON h.person_id = t.person_id AND h.state = 'held' JOIN tubes b ON "
     "b.id = h.tube_id WHERE h.reason = 'positive_pool' ORDER BY h.id", "testing_holds"},
    /* CROSS JOIN keeps the order person > isolation > its tests (the (isolation_id, day)
     * key): left free, SQLite read the tests through an automatic index on result, every
     * untested test for each touched person (1.2-1.5 s of the sweep after 2,000
     * arrivals, bench/loop) */
    {"required_test_overdue",
     "SELECT t.person_id, i.cohort, printf('隔离第 %d 天的检测（%s）未检', x.day, x.due_date) "
     "FROM " TOUCHED " CROSS JOIN isolations i ON i.person_id = t.person_id AND i.state = 'active' "
     "CROSS JOIN isolation_tests x ON x.isolation_id = i.id WHERE x.result = '' AND x.due_date < ?4 "
     "ORDER BY x.due_date", "isolation_tests"},
    /* a residence inside a published zone: sealed or high-risk residents are in a
     * high-risk area (red_restriction's high_risk_area_stay). The membership is the one of
     * view zone_persons (0018), written here from the person outward (SQLite plans the
     * view's area arm as a scan of every person even for one touched person): the zones
     * of the person's building, or of an area whose code is a prefix of the person's grid
     * (a district 6 digits, a street 9, a community 12, a grid 15: model/area.h), or for a
     * person without a household, of their community's code; each an index read, the
     * zone then by its key ('+' keeps SQLite from scanning zones by status instead). The
     * reads of each person (three rows, five probes of zones, the subquery's temporary
     * B-tree: 22 k instructions) are skipped when no published zone has one of the rule's
     * levels (ANY_ZONE, a term of no table: SQLite tests it once, before the loops), as in
     * a city before its first zone (bench/testing: 21 M of a results import's 480 codes). */
    {"in_zone",
     "SELECT t.person_id, CASE WHEN z.level IN ('sealed', 'high') THEN 'high_risk_area_stay' "
     "ELSE 'zone_' || z.level END, printf('居住地在%s：%s（风险区 %d）', CASE z.level WHEN "
     "'sealed' THEN '封控区' WHEN 'controlled' THEN '管控区' WHEN 'precaution' THEN '防范区' "
     "WHEN 'high' THEN '高风险区' WHEN 'medium' THEN '中风险区' WHEN 'low' THEN '低风险区' ELSE "
     "z.level END, z.name, z.id) FROM " TOUCHED " CROSS JOIN persons p ON p.id = t.person_id "
     "LEFT JOIN households h ON h.id = p.household_id LEFT JOIN buildings b ON b.id = "
     "h.building_id CROSS JOIN zones z WHERE z.id IN (SELECT y.id FROM zones y WHERE "
     "y.building_id = h.building_id UNION ALL SELECT y.id FROM zones y WHERE y.area_code IN "
     "(substr(b.grid_code, 1, 6), substr(b.grid_code, 1, 9), substr(b.grid_code, 1, 12), "
     "b.grid_code) AND y.unit_kind <> 'building' UNION ALL SELECT y.id FROM zones y WHERE "
     "p.household_id IS NULL AND y.area_code IN (substr(p.community_code, 1, 6), "
     "substr(p.community_code, 1, 9), p.community_code) AND y.unit_kind IN ('community', "
     "'street', 'district')) AND +z.status = 'published' AND +" IN_LIST("z.level", "levels")
     " AND " ANY_ZONE " ORDER BY z.id", "zones"},
    /* a traveler from a risk area whose lead is open (view traveler_pending, 0019) */
    {"traveler_pending",
     "SELECT t.person_id, CASE v.level WHEN 'high' THEN 'high_risk_area_stay' WHEN 'medium' "
     "THEN 'medium_risk_area_stay' ELSE 'low_risk_area_county' END, printf('%s来返人员，待落实"
     "管控措施（线索 %d，%s 抵达）', CASE v.level WHEN 'high' THEN '高风险区' WHEN 'medium' THEN "
     "'中风险区' ELSE '低风险区' END, v.lead_id, datetime(v.since + 3600 * ?5, 'unixepoch')) FROM "
     TOUCHED " CROSS JOIN traveler_pending v ON v.person_id = t.person_id WHERE "
     IN_LIST("v.level", "levels") " ORDER BY v.since DESC", "traveler_matches"},
    {"always", "SELECT t.person_id, NULL, '' FROM " TOUCHED, NULL},
};
#define NCONDITIONS (sizeof conditions / sizeof conditions[0])

static int condition_index(const char *name)
{
    for (size_t i = 0; i < NCONDITIONS; i++)
        if (!strcmp(conditions[i].name, name))
            return (int)i;
    return -1;
}

static const char *condition_sql(const char *name)
{
    int i = condition_index(name);
    return i < 0 ? NULL : conditions[i].sql;
}

bool store_codes_condition_known(const char *name)
{
    return condition_sql(name) != NULL;
}

/* ---- cached statements ----------------------------------------------------------------------- */

/* The recompute runs a score of statements per state change: each is prepared once per
 * connection (sq_stmt), so a change touching one person costs their steps, not their
 * parsing. One slot per statement; the conditions' slots follow CS_COND. */
enum codes_stmt {
    CS_TEMP_TOUCH, CS_TEMP_EVAL, CS_SETTINGS, CS_COUNT_TOUCH, CS_RULES, CS_DELETE_EVAL,
    CS_FINISH_OVERRIDE, CS_FINISH_COLOUR, CS_NEXT_CHANGE, CS_LOG, CS_WRITE, CS_ADD, CS_REFRESH,
    CS_DELETE_TOUCH, CS_DUE_TESTS, CS_DUE_MONITORING, CS_ZONE_VIEW, CS_EXPIRE_TOUCH,
    CS_EXPIRE, CS_ANSWERS_VERSION, CS_TOUCH_HELD, CS_TOUCH_HELD_RANGE, CS_FINISH_ANY,
    CS_TOUCH /* + codes_by */, CS_COND = CS_TOUCH + 13 /* + condition */,
    CS_NEEDS = CS_COND + 16 /* + condition: its table's probe */
};

_Static_assert(NCONDITIONS <= CS_NEEDS - CS_COND &&
               SQ_CODES_FIRST + CS_NEEDS + NCONDITIONS <= SQ_CODES_LAST + 1,
               "the codes' statement slots (store_sqlite_int.h) hold every condition");

static sqlite3_stmt *cached(struct sq_store *s, int slot, const char *sql, const sq_binds *b,
                            fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, (enum sq_stmt_id)(SQ_CODES_FIRST + slot), sql, err);
    for (int i = 0; st && b && i < b->n; i++) {
        if (b->v[i].is_text)
            sq_bind_text(st, i + 1, b->v[i].text);
        else
            sqlite3_bind_int64(st, i + 1, b->v[i].num);
    }
    return st;
}

static int run(struct sq_store *s, int slot, const char *sql, const sq_binds *b, fk_err *err)
{
    sqlite3_stmt *st = cached(s, slot, sql, b, err);
    return st ? sq_exec_stmt(s, st, err) : -1;
}

static int count_of(struct sq_store *s, int slot, const char *sql, const sq_binds *b,
                    int64_t *out, fk_err *err)
{
    sqlite3_stmt *st = cached(s, slot, sql, b, err);
    return st ? sq_int_query(s, st, out, err) : -1;
}

/* ---- the temporary tables ------------------------------------------------------------------ */

static int temp_tables(struct sq_store *s, fk_err *err)
{
    return run(s, CS_TEMP_TOUCH, "CREATE TEMP TABLE IF NOT EXISTS codes_touch (person_id "
               "INTEGER PRIMARY KEY)", NULL, err) ||
           run(s, CS_TEMP_EVAL, "CREATE TEMP TABLE IF NOT EXISTS codes_eval (person_id INTEGER "
               "PRIMARY KEY, ord INTEGER, rule TEXT, colour TEXT, cohort TEXT, detail TEXT, "
               "override_id INTEGER, last_neg INTEGER)", NULL, err) ? -1 : 0;
}

/* ---- install -------------------------------------------------------------------------------- */

static int install_unit(struct sq_store *s, const code_settings_rec *cs,
                        const code_rule_rec *rules, size_t n, fk_err *err)
{
    sq_binds none = {0}, b = {0};
    if (sq_run_bound(s, "DELETE FROM code_rules", &none, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        sq_binds r = {0};
        sq_bind_add_int(&r, rules[i].ord);
        sq_bind_add_text(&r, rules[i].rule);
        sq_bind_add_text(&r, rules[i].zh);
        sq_bind_add_text(&r, rules[i].colour);
        sq_bind_add_text(&r, rules[i].condition);
        sq_bind_add_text(&r, rules[i].params[0] ? rules[i].params : "{}");
        if (sq_run_bound(s, "INSERT INTO code_rules (ord, rule, zh, colour, condition, params) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &r, err) != 0)
            return -1;
    }
    sq_bind_add_text(&b, cs->policy_version);
    sq_bind_add_text(&b, cs->fingerprint);
    sq_bind_add_int(&b, cs->utc_offset_h);
    sq_bind_add_int(&b, cs->overdue_grace_h);
    sq_bind_add_int(&b, cs->red_restricted);
    sq_bind_add_text(&b, cs->red_cohorts[0] ? cs->red_cohorts : "[]");
    sq_bind_add_int(&b, cs->installed_at);
    return sq_run_bound(s, "INSERT OR REPLACE INTO code_settings (id, policy_version, "
                        "fingerprint, utc_offset_h, overdue_grace_h, red_restricted, "
                        "red_cohorts, installed_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        &b, err);
}

static int sq_codes_install(store *st, const code_settings_rec *cs, const code_rule_rec *rules,
                            size_t n, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, install_unit(s, cs, rules, n, err), err);
}

static void settings_row(sqlite3_stmt *q, void *item)
{
    code_settings_rec *c = item;
    sq_col_text(c->policy_version, sizeof c->policy_version, q, 0);
    sq_col_text(c->fingerprint, sizeof c->fingerprint, q, 1);
    c->utc_offset_h = sqlite3_column_int64(q, 2);
    c->overdue_grace_h = sqlite3_column_int64(q, 3);
    c->red_restricted = sqlite3_column_int(q, 4);
    sq_col_text(c->red_cohorts, sizeof c->red_cohorts, q, 5);
    c->installed_at = sqlite3_column_int64(q, 6);
}

static int sq_codes_settings(store *st, code_settings_rec *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = cached(s, CS_SETTINGS, "SELECT policy_version, fingerprint, utc_offset_h, "
                             "overdue_grace_h, red_restricted, red_cohorts, installed_at FROM "
                             "code_settings WHERE id = 1", NULL, err);
    if (!q)
        return -1;
    int rc = sq_step_row(s, q, err);
    if (rc == 1) {
        settings_row(q, out);
        sqlite3_reset(q);
    }
    return rc;
}

/* ---- touch --------------------------------------------------------------------------------- */

#define TOUCH "INSERT OR IGNORE INTO temp.codes_touch (person_id) "

/* Who a tube's result can recolour. A tube's first negative result changes its members'
 * last negative test, which the code reads through their scans (TUBE_LAST_NEGATIVE), and
 * nothing else, unless a member has a hold (released by it) or a contact awaiting
 * clearance tests (counted by it): a mass round's results are nearly all of that kind
 * and touch nobody. So: every member of a positive, invalid or corrected result's tube;
 * and the hold and contact persons (a small set, read once) whose scans are into one of
 * the results' tubes (the tubes a set built once), not the round's every member probed
 * against them: a second statement (TOUCH_HELD_*), after the first has touched the
 * members of the tubes that are not negative. Every person has a code once the rules
 * are installed (the registry's hook; a missing one is made at its first read). */
#define TOUCH_RESULTS                                                                         \
    TOUCH "SELECT m.person_id FROM json_each(?2) j JOIN fk_results r ON r.id = j.value "      \
    "JOIN fk_members m ON " SQ_MEMBERS_OF("m", "r.tube_id") " WHERE r.result <> 'negative' " \
    "OR r.replaces IS NOT NULL"
/* The hold and contact persons a result can recolour, not touched yet: those whose code
 * was decided by a rule of a condition that reads tube results or holds (RESULT_CONDITIONS:
 * clearance tests counted, a pool hold released). Any other code stands whatever the
 * tube's result: a rule above still holds (and is recomputed by what ends it, which then
 * counts every test), a rule below means the contact is cleared (more negatives keep it
 * so) or the hold no longer held. Found by the codes' index by rule, so the set is the
 * persons pending now, not every hold and contact a city ever had: with 100,000 confirmed
 * contacts, each probed, a results import took 5.3 s instead of 0.1 s. A person already
 * in codes_touch (most often the member of a positive tube just held) needs no probe:
 * reading a person's scans is a read of their chunk of every round, ~50 k instructions
 * (bench/testing). */
#define RESULT_CONDITIONS "('pending_clearance', 'pool_held')"
#define HELD_UNTOUCHED                                                                        \
    "SELECT m.person_id FROM code_rules cr CROSS JOIN health_codes x ON x.rule = cr.rule "   \
    "CROSS JOIN fk_members m ON m.person_id = x.person_id WHERE cr.condition IN "            \
    RESULT_CONDITIONS " AND NOT EXISTS (SELECT 1 FROM temp.codes_touch c WHERE "              \
    "c.person_id = x.person_id) AND "
#define TOUCH_HELD_RESULTS                                                                    \
    TOUCH HELD_UNTOUCHED "m.tube_id IN (SELECT r.tube_id FROM json_each(?2) j JOIN "         \
    "fk_results r ON r.id = j.value)"

/* The same for a range of rows (CODES_BY_RESULT_RANGE, an import's): ?1 the first id, ?2
 * a JSON object {"last": the last id, "rows": the rows with a follow-up}. The members of a
 * positive, invalid or corrected row are found from "rows" (the few the import's
 * follow-up listed), filtered as TOUCH_RESULTS filters, not by reading every row of the
 * range a second time (48,506 for a city's round, bench/testing); a hold or contact
 * person's scans are tested against the range through their tubes' ranges of results (a
 * few probes: SQ_RESULTS_OF). The rows lead (CROSS JOIN: the planner would otherwise walk every member
 * and probe the run for each); a tube's members are one row of fk_members' tube_sets, a
 * person's scans one key range of its round_slots. */
#define RANGE_ROWS "r.id BETWEEN ?1 AND CAST(json_extract(?2, '$.last') AS INTEGER)"
#define TOUCH_RESULT_RANGE                                                                    \
    TOUCH "SELECT m.person_id FROM json_each(?2, '$.rows') j CROSS JOIN fk_results r ON "     \
    "r.id = j.value CROSS JOIN fk_members m ON " SQ_MEMBERS_OF("m", "r.tube_id") " WHERE "   \
    RANGE_ROWS " AND (r.result <> 'negative' OR r.replaces IS NOT NULL)"
#define TOUCH_HELD_RANGE                                                                      \
    TOUCH HELD_UNTOUCHED "EXISTS (SELECT 1 FROM fk_results r WHERE "                          \
    SQ_RESULTS_OF("r", "m.tube_id") " AND " RANGE_ROWS ")"

static const char *touch_sql(codes_by by)
{
    switch (by) {
    case CODES_BY_PERSON: return TOUCH "SELECT id FROM persons WHERE id = ?1";
    case CODES_BY_PERSONS:
        return TOUCH "SELECT p.id FROM json_each(?2) j JOIN persons p ON p.id = j.value";
    case CODES_BY_CASE: return TOUCH "SELECT person_id FROM cases WHERE id = ?1";
    case CODES_BY_CASE_CONTACTS:
        return TOUCH "SELECT person_id FROM contacts WHERE case_id = ?1 AND person_id IS NOT NULL";
    case CODES_BY_CONTACT:
        return TOUCH "SELECT person_id FROM contacts WHERE id = ?1 AND person_id IS NOT NULL";
    case CODES_BY_ISOLATION: return TOUCH "SELECT person_id FROM isolations WHERE id = ?1";
    case CODES_BY_RESULTS: return TOUCH_RESULTS;
    case CODES_BY_RESULT_RANGE: return TOUCH_RESULT_RANGE;
    case CODES_BY_ZONE: return TOUCH "SELECT person_id FROM zone_persons WHERE zone_id = ?1";
    case CODES_BY_LEAD:
        return TOUCH "SELECT person_id FROM leads WHERE id = ?1 AND person_id IS NOT NULL";
    case CODES_BY_ALL: return TOUCH "SELECT id FROM persons";
    case CODES_BY_DUE: break;
    }
    return NULL;
}

/* Time-driven: whoever's code may have changed by the clock alone: a scheduled test of an
 * active isolation now past its cut-off and not yet counted, a monitoring phase ended, an
 * override expired (store_overrides_expire touches those). ?3 today, ?4 the cut-off.
 * Nothing else in the rules changes with the clock alone: clearances change with tests,
 * which recompute when recorded. */
#define TOUCH_DUE_TESTS                                                                      \
    TOUCH "SELECT DISTINCT i.person_id FROM isolation_tests x JOIN isolations i ON i.id = "  \
    "x.isolation_id AND i.state = 'active' WHERE x.result = '' AND x.due_date < ?4 AND "     \
    "NOT EXISTS (SELECT 1 FROM health_codes h WHERE h.person_id = i.person_id AND h.rule IN " \
    "(SELECT rule FROM code_rules WHERE condition = 'required_test_overdue'))"
#define TOUCH_DUE_MONITORING                                                                  \
    TOUCH "SELECT h.person_id FROM health_codes h WHERE h.rule IN (SELECT rule FROM "         \
    "code_rules WHERE condition = 'in_phase_after_red') AND NOT EXISTS (SELECT 1 FROM "      \
    "isolations i WHERE i.person_id = h.person_id AND i.state = 'released' AND "              \
    "i.next_end_date >= ?3)"

static void city_date(int64_t t, int64_t offset_h, char out[11])
{
    time_t tt = (time_t)(t + offset_h * 3600);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int touch_due(struct sq_store *s, int64_t now, fk_err *err)
{
    code_settings_rec cs;
    char today[11], cutoff[11];
    int found = sq_codes_settings(&s->base, &cs, err);
    if (found <= 0)
        return found;
    city_date(now, cs.utc_offset_h, today);
    city_date(now - cs.overdue_grace_h * 3600, cs.utc_offset_h, cutoff);
    sq_binds b = {0};
    sq_bind_add_int(&b, now);
    sq_bind_add_text(&b, "");
    sq_bind_add_text(&b, today);
    sq_bind_add_text(&b, cutoff);
    return run(s, CS_DUE_TESTS, TOUCH_DUE_TESTS, &b, err) ||
           run(s, CS_DUE_MONITORING, TOUCH_DUE_MONITORING, &b, err) ? -1 : 0;
}

static int sq_codes_touch(store *st, codes_by by, int64_t id, const char *ids, int64_t now,
                          fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (temp_tables(s, err) != 0)
        return -1;
    if (by == CODES_BY_DUE)
        return touch_due(s, now, err);
    if (by == CODES_BY_ZONE) {
        int64_t has = 0;
        sq_binds v = {0};
        if (count_of(s, CS_ZONE_VIEW, "SELECT count(*) FROM sqlite_master WHERE name = "
                     "'zone_persons'", &v, &has, err) != 0)
            return -1;
        if (!has)
            return 0;
    }
    const char *sql = touch_sql(by);
    if (!sql)
        return fk_fail(err, FK_EINTERNAL, "", "codes: unknown touch kind %d", (int)by);
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    sq_bind_add_text(&b, ids ? ids : "[]");
    if (run(s, CS_TOUCH + (int)by, sql, &b, err) != 0)
        return -1;
    if (by == CODES_BY_RESULTS)
        return run(s, CS_TOUCH_HELD, TOUCH_HELD_RESULTS, &b, err);
    if (by == CODES_BY_RESULT_RANGE)
        return run(s, CS_TOUCH_HELD_RANGE, TOUCH_HELD_RANGE, &b, err);
    return 0;
}

/* ---- evaluate ------------------------------------------------------------------------------ */

typedef struct rules_read { code_rule_rec *items; size_t n; } rules_read;

static void rule_row(sqlite3_stmt *q, void *item)
{
    code_rule_rec *r = item;
    r->ord = sqlite3_column_int(q, 0);
    sq_col_text(r->rule, sizeof r->rule, q, 1);
    sq_col_text(r->zh, sizeof r->zh, q, 2);
    sq_col_text(r->colour, sizeof r->colour, q, 3);
    sq_col_text(r->condition, sizeof r->condition, q, 4);
    sq_col_text(r->params, sizeof r->params, q, 5);
}

/* Whether condition i may select anyone: its table has a row (condition.needs). */
static int may_select(struct sq_store *s, int i, fk_err *err)
{
    char sql[96];
    int64_t any = 1;
    if (!conditions[i].needs)
        return 1;
    snprintf(sql, sizeof sql, "SELECT EXISTS (SELECT 1 FROM %s)", conditions[i].needs);
    return count_of(s, CS_NEEDS + i, sql, NULL, &any, err) != 0 ? -1 : any != 0;
}

/* One rule: the persons its condition selects and no earlier rule took (*decided counts
 * them). */
static int eval_rule(struct sq_store *s, const code_rule_rec *r, const code_settings_rec *cs,
                     int64_t now, const char *today, const char *cutoff, int64_t *decided,
                     fk_err *err)
{
    int i = condition_index(r->condition);
    if (i < 0)
        return fk_fail(err, FK_EINVAL, "condition", "codes: rule %s names an unknown condition "
                       "%s", r->rule, r->condition);
    int may = may_select(s, i, err);
    if (may <= 0)
        return may;
    const char *cond = conditions[i].sql;
    strbuf sql = STRBUF_INIT;
    sb_appendf(&sql, "WITH m(pid, cohort, detail) AS (%s) INSERT OR IGNORE INTO "
               "temp.codes_eval (person_id, ord, rule, colour, cohort, detail) SELECT m.pid, ?6, ?7, CASE WHEN ?8 = 'red' AND ?9 AND (m.cohort "
               "IS NULL OR m.cohort NOT IN (SELECT value FROM json_each(?10))) THEN 'yellow' "
               "ELSE ?8 END, m.cohort, CASE WHEN ?8 = 'red' AND ?9 AND (m.cohort IS NULL OR "
               "m.cohort NOT IN (SELECT value FROM json_each(?10))) THEN m.detail || '（红码限制："
               "降为黄码）' ELSE m.detail END FROM m", cond);
    sq_binds b = {0};
    sq_bind_add_int(&b, now);
    sq_bind_add_text(&b, today);
    sq_bind_add_text(&b, r->params);
    sq_bind_add_text(&b, cutoff);
    sq_bind_add_int(&b, cs->utc_offset_h);
    sq_bind_add_int(&b, r->ord);
    sq_bind_add_text(&b, r->rule);
    sq_bind_add_text(&b, r->colour);
    sq_bind_add_int(&b, cs->red_restricted);
    sq_bind_add_text(&b, cs->red_cohorts);
    int rc = run(s, CS_COND + i, sb_str(&sql), &b, err);
    sb_free(&sql);
    if (rc == 0)
        *decided += sqlite3_changes64(s->db);
    return rc;
}

/* The approved override in force, and the last negative isolation test, of each evaluated
 * person (a tube's negative is read with the code: TUBE_LAST_NEGATIVE). Without an
 * override or an isolation test in the store both stay NULL, as the rules wrote them:
 * the statements are spared (a city's first results). */
static int eval_finish(struct sq_store *s, int64_t now, fk_err *err)
{
    sq_binds b = {0}, none = {0};
    int64_t any = 1;
    if (count_of(s, CS_FINISH_ANY, "SELECT EXISTS (SELECT 1 FROM code_overrides) OR EXISTS "
                 "(SELECT 1 FROM isolation_tests)", &none, &any, err) != 0)
        return -1;
    if (!any)
        return 0;
    sq_bind_add_int(&b, now);
    return run(s, CS_FINISH_OVERRIDE, "UPDATE temp.codes_eval SET override_id = (SELECT o.id FROM "
                        "code_overrides o WHERE o.person_id = codes_eval.person_id AND "
                        "o.status = 'approved' AND (o.until IS NULL OR o.until > ?1) ORDER BY "
                        "o.id DESC LIMIT 1), last_neg = "
                        ISO_NEGATIVES("max", "codes_eval.person_id", "0"),
                        &b, err) ||
           run(s, CS_FINISH_COLOUR, "UPDATE temp.codes_eval SET colour = (SELECT colour FROM "
                        "code_overrides WHERE id = codes_eval.override_id) WHERE override_id "
                        "IS NOT NULL", &none, err) ? -1 : 0;
}

#define LOG_CHANGES                                                                          \
    "INSERT INTO code_changes (person_id, at, from_colour, to_colour, rule, reason, operator, " \
    "source, policy_version, override_id) SELECT e.person_id, ?1, h.colour, e.colour, e.rule, " \
    "CASE WHEN e.override_id IS NOT NULL AND e.override_id IS NOT h.override_id THEN "        \
    "printf('人工改码 #%d：%s', o.id, o.reason) ELSE e.detail END, ?2, ?3, ?4, e.override_id "  \
    "FROM temp.codes_eval e LEFT JOIN health_codes h ON h.person_id = e.person_id LEFT JOIN "  \
    "code_overrides o ON o.id = e.override_id WHERE h.person_id IS NULL OR h.colour <> "       \
    "e.colour OR h.rule <> e.rule OR h.override_id IS NOT e.override_id ORDER BY e.person_id"

/* The codes of the persons just logged, from their code_changes rows: an UPDATE of the
 * codes there are (nearly all: every person has one once the rules are installed), then
 * an INSERT of the missing. One upsert did both, but SQLite runs an INSERT's BEFORE
 * INSERT trigger (health_codes_logged_insert, two reads of code_changes) and its checks
 * for every row before it finds the conflict: a fifth of the write (bench/testing). The
 * rows and the answers' version come out the same (one AFTER trigger a row either way);
 * the UPDATE's trigger checks each row against its code_changes row as the upsert's did. */
#define WRITE_CODES                                                                          \
    "UPDATE health_codes SET colour = c.to_colour, rule = c.rule, cohort = e.cohort, "         \
    "detail = e.detail, since = c.at, policy_version = c.policy_version, last_negative_at = " \
    "e.last_neg, override_id = c.override_id, change_id = c.id FROM code_changes c JOIN "     \
    "temp.codes_eval e ON e.person_id = c.person_id WHERE c.id >= ?1 AND "                    \
    "health_codes.person_id = c.person_id"
#define ADD_CODES                                                                            \
    "INSERT INTO health_codes (person_id, colour, rule, cohort, detail, since, "              \
    "policy_version, last_negative_at, override_id, change_id) SELECT c.person_id, "          \
    "c.to_colour, c.rule, e.cohort, e.detail, c.at, c.policy_version, e.last_neg, "           \
    "c.override_id, c.id FROM code_changes c JOIN temp.codes_eval e ON e.person_id = "        \
    "c.person_id WHERE c.id >= ?1 AND NOT EXISTS (SELECT 1 FROM health_codes h WHERE "        \
    "h.person_id = c.person_id) ORDER BY c.id"

#define EVAL_OF(col) "(SELECT e." col " FROM temp.codes_eval e WHERE e.person_id = health_codes.person_id)"
#define REFRESH_DETAILS                                                                      \
    "UPDATE health_codes SET detail = " EVAL_OF("detail") ", cohort = " EVAL_OF("cohort")     \
    ", last_negative_at = " EVAL_OF("last_neg") " WHERE person_id IN (SELECT e.person_id "    \
    "FROM temp.codes_eval e CROSS JOIN health_codes h ON h.person_id = e.person_id WHERE "    \
    "h.detail IS NOT e.detail OR h.cohort IS NOT e.cohort OR h.last_negative_at IS NOT "      \
    "e.last_neg)"

/* WRITE_CODES with the connection's triggers and foreign keys off (sq_checks_off), then
 * the answers' version moved once (sq_answers_moved, where code_answers_code_changed
 * moves it for each row): what health_codes_logged_update checks per row holds by
 * construction here, each code
 * written from its person's code_changes row just logged (the only one at or after
 * ?1: codes_eval has a row a person), a new id above every id the code cited, of rows
 * whose own references were checked as they were logged. The triggers were 5.5 M of the
 * statement's 19.5 M instructions (a results import's 480 codes, bench/testing). */
static int write_logged(struct sq_store *s, const sq_binds *w, int64_t *n, fk_err *err)
{
    int was[2] = {1, 1};
    sq_checks_off(s->db, true, was);
    int rc = run(s, CS_WRITE, WRITE_CODES, w, err);
    *n = sqlite3_changes64(s->db);
    sq_checks_off(s->db, false, was);
    return rc != 0 || *n == 0 ? rc : sq_answers_moved(s, err);
}

/* `evaluated` persons in codes_eval. */
static int write_codes(struct sq_store *s, int64_t now, const char *op, const char *source,
                       const code_settings_rec *cs, int64_t evaluated, code_run *out,
                       fk_err *err)
{
    sq_binds c = {0}, l = {0}, w = {0}, none = {0};
    int64_t first = 0;
    if (count_of(s, CS_NEXT_CHANGE, "SELECT coalesce(max(id), 0) + 1 FROM code_changes", &c,
                 &first, err) != 0)
        return -1;
    sq_bind_add_int(&l, now);
    sq_bind_add_text(&l, op);
    sq_bind_add_text(&l, source);
    sq_bind_add_text(&l, cs->policy_version);
    if (run(s, CS_LOG, LOG_CHANGES, &l, err) != 0)
        return -1;
    out->changed = sqlite3_changes64(s->db);
    if (out->changed) {
        out->first_change = first;
        out->last_change = first + out->changed - 1;
    }
    sq_bind_add_int(&w, first);
    int64_t written = 0;
    if (out->changed && write_logged(s, &w, &written, err) != 0)
        return -1;
    /* each logged person's code updated (one row each): none to add, and the INSERT is
     * not even compiled (1.7 M instructions of a results import's follow-up) */
    bool missing = out->changed && written < out->changed;
    /* every evaluated person logged: each code was just written whole, none to refresh */
    bool refresh = out->changed < evaluated;
    return (missing && run(s, CS_ADD, ADD_CODES, &w, err)) ||
           (refresh && run(s, CS_REFRESH, REFRESH_DETAILS, &none, err)) ? -1 : 0;
}

static int recompute_unit(struct sq_store *s, int64_t now, const char *op, const char *source,
                          code_run *out, fk_err *err)
{
    code_settings_rec cs;
    rules_read rr = {0};
    char today[11], cutoff[11];
    sq_binds none = {0};
    int rc = 0;
    int found = sq_codes_settings(&s->base, &cs, err);
    if (found < 0)
        return -1;
    if (count_of(s, CS_COUNT_TOUCH, "SELECT count(*) FROM temp.codes_touch", &none,
                 &out->touched, err) != 0)
        return -1;
    out->installed = found > 0;
    if (found && out->touched) {
        city_date(now, cs.utc_offset_h, today);
        city_date(now - cs.overdue_grace_h * 3600, cs.utc_offset_h, cutoff);
        sqlite3_stmt *q = cached(s, CS_RULES, "SELECT ord, rule, zh, colour, condition, params "
                                 "FROM code_rules ORDER BY ord", NULL, err);
        if (!q || sq_collect(s, q, rule_row, sizeof(code_rule_rec), (void **)&rr.items, &rr.n,
                             err) != 0)
            return -1;
        rc = run(s, CS_DELETE_EVAL, "DELETE FROM temp.codes_eval", &none, err);
        /* Once every touched person has a decision the later rules could add nobody (first
         * match wins): they are neither compiled nor run. An import's positive pools decide
         * all their members at pool_held, the fifth rule of eleven (bench/testing). */
        int64_t decided = 0;
        for (size_t i = 0; rc == 0 && i < rr.n && decided < out->touched; i++)
            rc = eval_rule(s, &rr.items[i], &cs, now, today, cutoff, &decided, err);
        free(rr.items);
        rc = rc || eval_finish(s, now, err) ||
             write_codes(s, now, op, source, &cs, decided, out, err) ||
             run(s, CS_DELETE_EVAL, "DELETE FROM temp.codes_eval", &none, err);
    }
    return rc || run(s, CS_DELETE_TOUCH, "DELETE FROM temp.codes_touch", &none, err) ? -1 : 0;
}

static int sq_codes_recompute(store *st, int64_t now, const char *op, const char *source,
                              code_run *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    memset(out, 0, sizeof *out);
    if (temp_tables(s, err) != 0 || sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, recompute_unit(s, now, op, source, out, err), err);
}

/* ---- reads ---------------------------------------------------------------------------------- */

#define CODE_GET                                                                             \
    "SELECT h.person_id, h.colour, h.rule, coalesce(r.zh, h.rule), coalesce(h.cohort, ''), "  \
    "h.detail, h.since, max(coalesce(h.last_negative_at, 0), coalesce("                     \
    TUBE_LAST_NEGATIVE("h.person_id") ", 0)), coalesce(h.override_id, 0), "                   \
    "h.policy_version, p.name, p.community_code, o.colour, o.reason, o.requested_by, "         \
    "o.decided_by, coalesce(o.until, 0) FROM health_codes h JOIN persons p ON p.id = "         \
    "h.person_id LEFT JOIN code_rules r ON r.rule = h.rule LEFT JOIN code_overrides o ON "     \
    "o.id = h.override_id WHERE h.person_id = ?1"

static int sq_code_get(store *st, int64_t person_id, code_rec *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_CODE_GET, CODE_GET, err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, person_id);
    int rc = sq_step_row(s, q, err);
    if (rc != 1)
        return rc;
    memset(out, 0, sizeof *out);
    out->person_id = sqlite3_column_int64(q, 0);
    sq_col_text(out->colour, sizeof out->colour, q, 1);
    sq_col_text(out->rule, sizeof out->rule, q, 2);
    sq_col_text(out->rule_zh, sizeof out->rule_zh, q, 3);
    sq_col_text(out->cohort, sizeof out->cohort, q, 4);
    sq_col_text(out->detail, sizeof out->detail, q, 5);
    out->since = sqlite3_column_int64(q, 6);
    out->last_negative_at = sqlite3_column_int64(q, 7);
    out->override_id = sqlite3_column_int64(q, 8);
    sq_col_text(out->policy_version, sizeof out->policy_version, q, 9);
    sq_col_text(out->name, sizeof out->name, q, 10);
    sq_col_text(out->community_code, sizeof out->community_code, q, 11);
    sq_col_text(out->ov_colour, sizeof out->ov_colour, q, 12);
    sq_col_text(out->ov_reason, sizeof out->ov_reason, q, 13);
    sq_col_text(out->ov_requested_by, sizeof out->ov_requested_by, q, 14);
    sq_col_text(out->ov_decided_by, sizeof out->ov_decided_by, q, 15);
    out->ov_until = sqlite3_column_int64(q, 16);
    sqlite3_reset(q);
    return 1;
}

/* ---- the scan's version (migration 0033) -----------------------------------------------------
 *
 * A scan asks for code_answers_version before it answers from memory. Read as a
 * statement, that is a read transaction: the WAL's read locks are fcntl calls, system
 * calls a scan would otherwise not make. But the version cannot have moved unless a
 * transaction committed, and every commit rewrites the wal-index header
 * (sq_wal_header). So the connection keeps the header as it was just BEFORE its last
 * read of the version, and while the header is byte for byte the same, no commit
 * happened since that read began and the version read then is current. A header in
 * change, a database not in WAL mode, or a call inside a transaction or beside a
 * statement not yet reset (an older snapshot: sq_reads_now) read the row and keep
 * nothing. */
static int sq_code_answers_version(store *st, int64_t *version, fk_err *err)
{
    struct sq_store *s = SQ(st);
    unsigned char hdr[SQ_WAL_HDR_BYTES];
    bool have = sqlite3_get_autocommit(s->db) && sq_wal_header(s, hdr);
    if (have && s->answers_known && !memcmp(hdr, s->answers_hdr, sizeof hdr)) {
        *version = s->answers_version;
        return 0;
    }
    s->answers_known = false;
    have = have && sq_reads_now(s);
    sqlite3_stmt *q = cached(s, CS_ANSWERS_VERSION,
                             "SELECT version FROM code_answers_version WHERE id = 1", NULL, err);
    if (!q || sq_int_query(s, q, version, err) != 0)
        return -1;
    if (have) {
        memcpy(s->answers_hdr, hdr, sizeof hdr);
        s->answers_version = *version;
        s->answers_known = true;
    }
    return 0;
}

static void change_row(sqlite3_stmt *q, void *item)
{
    code_change_rec *c = item;
    c->id = sqlite3_column_int64(q, 0);
    c->person_id = sqlite3_column_int64(q, 1);
    c->at = sqlite3_column_int64(q, 2);
    sq_col_text(c->from_colour, sizeof c->from_colour, q, 3);
    sq_col_text(c->to_colour, sizeof c->to_colour, q, 4);
    sq_col_text(c->rule, sizeof c->rule, q, 5);
    sq_col_text(c->reason, sizeof c->reason, q, 6);
    sq_col_text(c->operator_, sizeof c->operator_, q, 7);
    sq_col_text(c->source, sizeof c->source, q, 8);
    sq_col_text(c->policy_version, sizeof c->policy_version, q, 9);
    c->override_id = sqlite3_column_int64(q, 10);
}

static int sq_code_history(store *st, int64_t person_id, int limit, code_change_list *out,
                           fk_err *err)
{
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sq_bind_add_int(&b, person_id);
    sq_bind_add_int(&b, sq_limit(limit));
    return sq_collect_sql(SQ(st), "SELECT id, person_id, at, from_colour, to_colour, rule, "
                          "reason, operator, source, policy_version, coalesce(override_id, 0) "
                          "FROM code_changes WHERE person_id = ?1 ORDER BY id DESC LIMIT ?2",
                          &b, change_row, sizeof(code_change_rec), (void **)&out->items,
                          &out->n, err);
}

/* ---- overrides ------------------------------------------------------------------------------ */

#define OVERRIDE_COLUMNS                                                                     \
    "o.id, o.person_id, coalesce(o.until, 0), o.requested_at, coalesce(o.decided_at, 0), "    \
    "o.colour, o.reason, o.status, o.requested_by, coalesce(o.decided_by, ''), o.note, "      \
    "p.name, p.community_code"

static void override_row(sqlite3_stmt *q, void *item)
{
    override_rec *o = item;
    o->id = sqlite3_column_int64(q, 0);
    o->person_id = sqlite3_column_int64(q, 1);
    o->until = sqlite3_column_int64(q, 2);
    o->requested_at = sqlite3_column_int64(q, 3);
    o->decided_at = sqlite3_column_int64(q, 4);
    sq_col_text(o->colour, sizeof o->colour, q, 5);
    sq_col_text(o->reason, sizeof o->reason, q, 6);
    sq_col_text(o->status, sizeof o->status, q, 7);
    sq_col_text(o->requested_by, sizeof o->requested_by, q, 8);
    sq_col_text(o->decided_by, sizeof o->decided_by, q, 9);
    sq_col_text(o->note, sizeof o->note, q, 10);
    sq_col_text(o->person_name, sizeof o->person_name, q, 11);
    sq_col_text(o->community_code, sizeof o->community_code, q, 12);
}

static int override_insert_unit(struct sq_store *s, override_rec *o, const audit_rec *a,
                                fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, o->person_id);
    sq_bind_add_text(&b, o->colour);
    sq_bind_add_text(&b, o->reason);
    sq_bind_add_int(&b, o->until);
    sq_bind_add_text(&b, o->requested_by);
    sq_bind_add_int(&b, o->requested_at);
    if (sq_run_bound(s, "INSERT INTO code_overrides (person_id, colour, reason, until, "
                     "requested_by, requested_at) VALUES (?1, ?2, ?3, nullif(?4, 0), ?5, ?6)",
                     &b, err) != 0)
        return -1;
    o->id = sqlite3_last_insert_rowid(s->db);
    strcpy(o->status, "pending");
    return sq_audit_write(s, a, o->id, err);
}

static int sq_override_insert(store *st, override_rec *o, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    person p;
    if (sq_person_get(st, o->person_id, &p, err) != 0)
        return -1;
    if (!o->requested_at)
        o->requested_at = (int64_t)time(NULL);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, override_insert_unit(s, o, a, err), err);
}

static int sq_override_get(store *st, int64_t id, override_rec *out, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    int rc = sq_one_sql(SQ(st), "SELECT " OVERRIDE_COLUMNS " FROM code_overrides o JOIN persons "
                        "p ON p.id = o.person_id WHERE o.id = ?1", &b, override_row,
                        sizeof *out, out, err);
    if (rc == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: no override %lld", (long long)id);
    return rc < 0 ? -1 : 0;
}

static int sq_override_list(store *st, const char *status, const char *area_prefix, int limit,
                            int offset, override_list *out, fk_err *err)
{
    strbuf w = STRBUF_INIT;
    sq_binds b = {0};
    memset(out, 0, sizeof *out);
    sb_append(&w, " WHERE 1");
    if (sq_given(status)) {
        sb_append(&w, " AND o.status = ?");
        sq_bind_add_text(&b, status);
    }
    sq_where_prefix(&w, &b, "p.community_code", area_prefix);
    sq_page_query q = {.columns = OVERRIDE_COLUMNS,
                       .from = "code_overrides o JOIN persons p ON p.id = o.person_id",
                       .where = sb_str(&w), .order = "o.id DESC", .limit = limit,
                       .offset = offset, .row = override_row, .size = sizeof(override_rec)};
    int rc = sq_page(SQ(st), &q, &b, (void **)&out->items, &out->n, &out->total, err);
    sb_free(&w);
    return rc;
}

static int decide_unit(struct sq_store *s, int64_t id, const char *status, const char *by,
                       int64_t at, const char *note, const audit_rec *a, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, id);
    sq_bind_add_text(&b, status);
    sq_bind_add_text(&b, by);
    sq_bind_add_int(&b, at);
    sq_bind_add_text(&b, note ? note : "");
    if (sq_run_bound(s, "UPDATE code_overrides SET status = ?2, decided_by = ?3, decided_at = "
                     "?4, note = ?5 WHERE id = ?1 AND status = 'pending' AND requested_by <> ?3",
                     &b, err) != 0)
        return -1;
    if (sqlite3_changes64(s->db) != 1)
        return fk_fail(err, FK_ECONFLICT, "id", "id: override %lld is not pending, or was "
                       "requested by %s", (long long)id, by);
    return sq_audit_write(s, a, id, err);
}

static int sq_override_decide(store *st, int64_t id, const char *status, const char *by,
                              int64_t at, const char *note, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, decide_unit(s, id, status, by, at, note, a, err), err);
}

static int expire_unit(struct sq_store *s, int64_t now, int64_t *n, fk_err *err)
{
    sq_binds b = {0};
    sq_bind_add_int(&b, now);
    if (temp_tables(s, err) != 0 ||
        run(s, CS_EXPIRE_TOUCH, TOUCH "SELECT person_id FROM code_overrides WHERE status = "
            "'approved' AND until IS NOT NULL AND until <= ?1", &b, err) != 0 ||
        run(s, CS_EXPIRE, "UPDATE code_overrides SET status = 'expired' WHERE status = "
            "'approved' AND until IS NOT NULL AND until <= ?1", &b, err) != 0)
        return -1;
    *n = sqlite3_changes64(s->db);
    return 0;
}

static int sq_overrides_expire(store *st, int64_t now, int64_t *n, fk_err *err)
{
    struct sq_store *s = SQ(st);
    *n = 0;
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, expire_unit(s, now, n, err), err);
}

const struct store_codes_ops sq_codes_ops = {
    .install = sq_codes_install,
    .settings = sq_codes_settings,
    .touch = sq_codes_touch,
    .recompute = sq_codes_recompute,
    .code_get = sq_code_get,
    .code_answers_version = sq_code_answers_version,
    .code_history = sq_code_history,
    .override_insert = sq_override_insert,
    .override_get = sq_override_get,
    .override_list = sq_override_list,
    .override_decide = sq_override_decide,
    .overrides_expire = sq_overrides_expire,
};
