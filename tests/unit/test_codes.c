/* test_codes.c - health codes (services/codes.h, codes/token.h, codes/qr.h, migration
 * 0020): tokens (round trip, every single-bit flip refused, expired, malformed, another
 * key), the key file, the QR's SVG; every colour rule with its reason on hand-made states,
 * first-match order, red_restriction, two-person overrides and their expiry, the log's
 * guard against a quiet colour change, a recompute that writes only what changed, and
 * the version a scan's memory is checked against (migration 0033), and the scan audit
 * queue: scans from many threads at once, every one written, in time order. */
#include "testutil.h"

#include <pthread.h>
#include <qrencode.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "codes/qr.h"
#include "codes/token.h"
#include "services/codes.h"
#include "services/registry.h"
#include "store_fixture.h"

/* ---- tokens ---------------------------------------------------------------------------------- */

static code_key key_of(unsigned char fill)
{
    code_key k;
    memset(k.k, fill, sizeof k.k);
    return k;
}

static fk_code verify_code(const code_key *k, const char *tok, int64_t now)
{
    int64_t pid = 0, exp = 0;
    fk_err err = {0};
    return code_token_verify(k, tok, now, &pid, &exp, &err) == 0 ? FK_OK : err.code;
}

static void token_round_trip(void **state)
{
    (void)state;
    code_key k = key_of(7);
    char tok[CODE_TOKEN_CHARS + 1];
    int64_t pid = 0, exp = 0;
    fk_err err;
    code_token_make(&k, 123456789, 2000000000, tok);
    assert_int_equal(strlen(tok), CODE_TOKEN_CHARS);
    assert_int_equal(code_token_verify(&k, tok, 1999999999, &pid, &exp, &err), 0);
    assert_int_equal(pid, 123456789);
    assert_int_equal(exp, 2000000000);
    assert_int_equal(verify_code(&k, tok, 2000000000), FK_EGONE); /* expired at `until` */
    code_key other = key_of(8);
    assert_int_equal(verify_code(&other, tok, 1), FK_EFORBIDDEN);
}

/* Every single-bit flip of the 48 bytes is refused as forged (the MAC covers all). */
static void token_every_bit_flip_refused(void **state)
{
    (void)state;
    code_key k = key_of(9);
    char tok[CODE_TOKEN_CHARS + 1], bad[CODE_TOKEN_CHARS + 1];
    unsigned char raw[CODE_TOKEN_RAW];
    size_t n;
    code_token_make(&k, 42, 2000000000, tok);
    assert_int_equal(sodium_base642bin(raw, sizeof raw, tok, strlen(tok), NULL, &n, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    for (size_t bit = 0; bit < CODE_TOKEN_RAW * 8; bit++) {
        raw[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        sodium_bin2base64(bad, sizeof bad, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        assert_int_equal(verify_code(&k, bad, 1), FK_EFORBIDDEN);
        raw[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    /* and every single-bit flip of the text: never accepted (malformed or forged) */
    for (size_t i = 0; i < CODE_TOKEN_CHARS; i++)
        for (int b = 0; b < 8; b++) {
            memcpy(bad, tok, sizeof bad);
            bad[i] = (char)(bad[i] ^ (1 << b));
            if (!bad[i])
                continue; /* a NUL shortens the string: the wrong-length case below */
            fk_code c = verify_code(&k, bad, 1);
            assert_true(c == FK_EINVAL || c == FK_EFORBIDDEN);
        }
}

static void token_malformed(void **state)
{
    (void)state;
    code_key k = key_of(1);
    char tok[CODE_TOKEN_CHARS + 1], buf[CODE_TOKEN_CHARS + 8];
    code_token_make(&k, 5, 2000000000, tok);
    assert_int_equal(verify_code(&k, "", 1), FK_EINVAL);
    assert_int_equal(verify_code(&k, NULL, 1), FK_EINVAL);
    snprintf(buf, sizeof buf, "%.*s", CODE_TOKEN_CHARS - 1, tok); /* one short */
    assert_int_equal(verify_code(&k, buf, 1), FK_EINVAL);
    snprintf(buf, sizeof buf, "%sA", tok); /* trailing byte */
    assert_int_equal(verify_code(&k, buf, 1), FK_EINVAL);
    snprintf(buf, sizeof buf, "%s", tok);
    buf[10] = '+'; /* standard base64, not base64url */
    assert_int_equal(verify_code(&k, buf, 1), FK_EINVAL);
    buf[10] = '=';
    assert_int_equal(verify_code(&k, buf, 1), FK_EINVAL);
    buf[10] = ' ';
    assert_int_equal(verify_code(&k, buf, 1), FK_EINVAL);
}

static void key_file_kept(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), path[512];
    code_key a, b;
    fk_err err;
    struct stat sb;
    assert_int_equal(code_key_load(dir, &a, &err), 0);
    snprintf(path, sizeof path, "%s/code-token.key", dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, CODE_KEY_BYTES);
    assert_int_equal(code_key_load(dir, &b, &err), 0); /* survives a restart */
    assert_memory_equal(a.k, b.k, CODE_KEY_BYTES);
    test_rmdir(dir);
    free(dir);
}

/* ---- QR -------------------------------------------------------------------------------------- */

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + strlen(what), what))
        n++;
    return n;
}

static void qr_svg_well_formed(void **state)
{
    (void)state;
    code_key k = key_of(3);
    char tok[CODE_TOKEN_CHARS + 1], view[64];
    strbuf svg = STRBUF_INIT;
    fk_err err;
    int modules = 0;
    code_token_make(&k, 77, 2000000000, tok);
    assert_int_equal(code_qr_svg(tok, "red", &svg, &modules, &err), 0);
    QRcode *q = QRcode_encodeString8bit(tok, 0, QR_ECLEVEL_M);
    assert_non_null(q);
    assert_int_equal(modules, 17 + 4 * q->version);
    assert_int_equal(modules, q->width);
    size_t dark = 0;
    for (int i = 0; i < q->width * q->width; i++)
        dark += q->data[i] & 1;
    QRcode_free(q);
    const char *s = sb_str(&svg);
    snprintf(view, sizeof view, "viewBox=\"0 0 %d %d\"", modules + 2 * CODE_QR_QUIET,
             modules + 2 * CODE_QR_QUIET);
    assert_non_null(strstr(s, view));
    assert_int_equal(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
    assert_int_equal(strcmp(s + strlen(s) - 6, "</svg>"), 0);
    /* well-formed: one svg element around two empty elements, every tag closed */
    assert_int_equal(count(s, "<"), 4);
    assert_int_equal(count(s, ">"), 4);
    assert_int_equal(count(s, "/>"), 2);
    assert_int_equal(count(s, "\""), 2 * 8); /* 8 attributes */
    assert_int_equal(count(s, "M"), dark); /* one unit square per dark module */
    /* the quiet zone: no square starts left of or above 4 modules */
    assert_null(strstr(s, "M0 ") ? strstr(s, "M0 ") : strstr(s, " 0h"));
    assert_non_null(strstr(s, "#c62828"));
    sb_free(&svg);
}

/* ---- rules on hand-made states --------------------------------------------------------------- */

typedef struct world {
    fixture *f;
    policy *pol;
    sqlite3 *db; /* a second connection for hand-made rows (foreign keys off) */
    actor a;
    int n;
} world;

static void sql(world *w, const char *fmt, ...)
{
    char q[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    char *msg = NULL;
    if (sqlite3_exec(w->db, q, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", q, msg);
}

static int sql_fails(world *w, const char *q)
{
    return sqlite3_exec(w->db, q, NULL, NULL, NULL) != SQLITE_OK;
}

static world *world_open(const char *policy_json_patch)
{
    world *w = calloc(1, sizeof *w);
    fk_err err;
    char path[512];
    w->f = fixture_open();
    fixture_areas(w->f->st);
    w->pol = policy_load_builtin("v9", &err);
    assert_non_null(w->pol);
    if (policy_json_patch) {
        json_t *doc = policy_document(w->pol);
        json_t *patch = json_loads(policy_json_patch, 0, NULL);
        json_object_update_recursive(json_object_get(doc, "health_code"), patch);
        char *text = json_dumps(doc, 0);
        policy_free(w->pol);
        w->pol = policy_load_string("patched", text, strlen(text), &err);
        if (!w->pol)
            fail_msg("policy: %s", err.message);
        free(text);
        json_decref(doc);
        json_decref(patch);
    }
    assert_int_equal(codes_install(w->f->st, w->pol, NULL, &err), 0);
    snprintf(path, sizeof path, "%s/fangkong.db", w->f->dir);
    assert_int_equal(sqlite3_open(path, &w->db), SQLITE_OK);
    sqlite3_busy_timeout(w->db, 5000);
    actor_cli(&w->a);
    return w;
}

static void world_close(world *w)
{
    sqlite3_close(w->db);
    store_close(w->f->st);
    test_rmdir(w->f->dir);
    free(w->f->dir);
    free(w->f);
    policy_free(w->pol);
    free(w);
}

static int64_t new_person(world *w)
{
    fk_err err;
    person p = fixture_person("CODES", ++w->n);
    if (registry_person_create(w->f->st, &w->a, &p, &err) != 0)
        fail_msg("person: %s", err.message);
    return p.id;
}

static int64_t new_case(world *w, int64_t pid, const char *classification)
{
    fk_err err;
    epicase c = {.person_id = pid, .reported_at = fk_now()};
    snprintf(c.classification, sizeof c.classification, "%s", classification);
    snprintf(c.severity, sizeof c.severity, "%s", strcmp(classification, "confirmed") ? "" : "mild");
    snprintf(c.sampling_date, sizeof c.sampling_date, "2026-11-20");
    snprintf(c.source, sizeof c.source, "fever_clinic");
    if (registry_case_create(w->f->st, &w->a, &c, &err) != 0)
        fail_msg("case: %s", err.message);
    return c.id;
}

/* The code of pid after a recompute of that person. */
static code_rec code(world *w, int64_t pid)
{
    fk_err err;
    code_rec c;
    if (codes_recompute_for(w->f->st, &w->a, "test", CODES_BY_PERSON, pid, &err) != 0)
        fail_msg("recompute: %s", err.message);
    assert_int_equal(store_code_get(w->f->st, pid, &c, &err), 1);
    return c;
}

static void assert_code(world *w, int64_t pid, const char *colour, const char *rule,
                        const char *detail_part)
{
    code_rec c = code(w, pid);
    assert_string_equal(c.colour, colour);
    assert_string_equal(c.rule, rule);
    if (detail_part && !strstr(c.detail, detail_part))
        fail_msg("detail '%s' lacks '%s'", c.detail, detail_part);
}
#define ASSERT_CODE assert_code

static char *day_offset(int days, char out[11])
{
    char today[11];
    fk_date_of(fk_now() + 8 * 3600 + (int64_t)days * 86400, today);
    memcpy(out, today, 11);
    return out;
}

static void isolation_row(world *w, int64_t pid, const char *cohort, const char *state,
                          const char *end, const char *next_kind, const char *next_end)
{
    sql(w, "INSERT INTO isolations (person_id, area_code, cohort, phase, kind, day1_date, "
        "end_date, next_kind, next_end_date, state, policy_id, started_at, ended_at) VALUES "
        "(%lld, '510104001001', '%s', 0, 'home_isolation', '2026-01-01', '%s', '%s', '%s', "
        "'%s', 'v9', 1, %s)", (long long)pid, cohort, end, next_kind, next_end, state,
        strcmp(state, "active") ? "2" : "NULL");
}

static void every_rule_with_its_reason(void **state)
{
    (void)state;
    world *w = world_open(NULL);
    fk_err err;
    char d1[11], d2[11];
    int64_t now = fk_now();

    int64_t nobody = new_person(w);
    ASSERT_CODE(w, nobody, "green", "default", NULL);

    /* a case registered is red at once (the registry's hook), with its number */
    int64_t sick = new_person(w);
    int64_t cid = new_case(w, sick, "confirmed");
    code_rec c;
    assert_int_equal(store_code_get(w->f->st, sick, &c, &err), 1);
    assert_string_equal(c.colour, "red");
    assert_string_equal(c.rule, "case_not_released");
    assert_non_null(strstr(c.detail, "第 1 号"));
    /* released (discharged): green */
    case_transition t;
    assert_int_equal(registry_case_transition(w->f->st, &w->a, cid, "transferred", "", &t, &err), 0);
    assert_int_equal(registry_case_transition(w->f->st, &w->a, cid, "hospitalized", "", &t, &err), 0);
    assert_int_equal(registry_case_transition(w->f->st, &w->a, cid, "discharged", "", &t, &err), 0);
    assert_int_equal(store_code_get(w->f->st, sick, &c, &err), 1);
    assert_string_equal(c.colour, "green");

    /* a close contact in isolation: red, naming the end date */
    int64_t cc = new_person(w);
    isolation_row(w, cc, "close_contact", "active", day_offset(3, d1), "home_health_monitoring",
                  day_offset(6, d2));
    ASSERT_CODE(w, cc, "red", "contact_in_isolation", d1);

    /* released into home health monitoring that has not ended: yellow; ended: green */
    int64_t mon = new_person(w);
    isolation_row(w, mon, "close_contact", "released", day_offset(-1, d1),
                  "home_health_monitoring", day_offset(2, d2));
    ASSERT_CODE(w, mon, "yellow", "monitoring_after_red", d2);
    int64_t done = new_person(w);
    isolation_row(w, done, "close_contact", "released", day_offset(-5, d1),
                  "home_health_monitoring", day_offset(-2, d2));
    ASSERT_CODE(w, done, "green", "default", NULL);

    /* a time-space companion of a case: yellow until 2 negatives at least 24 h apart */
    int64_t comp = new_person(w);
    sql(w, "INSERT INTO contacts (case_id, subject, person_id, kind, place, first_overlap, "
        "source, found_at) VALUES (%lld, 's%lld', %lld, 'companion', 'G1', %lld, 'test', %lld)",
        (long long)cid, (long long)comp, (long long)comp, (long long)(now - 5 * 86400),
        (long long)now);
    ASSERT_CODE(w, comp, "yellow", "pending_clearance", "时空伴随");
    sql(w, "INSERT INTO isolations (id, person_id, area_code, cohort, phase, kind, day1_date, "
        "end_date, state, policy_id, started_at, ended_at) VALUES (9001, %lld, '510104001001', "
        "'secondary_contact', 0, 'home_isolation', '2026-01-01', '2026-01-07', 'released', "
        "'v9', 1, 2)", (long long)comp);
    sql(w, "INSERT INTO isolation_tests (isolation_id, day, due_date, test_kind, result, "
        "result_at) VALUES (9001, 1, '2026-01-01', 'pcr', 'negative', %lld), (9001, 2, "
        "'2026-01-02', 'pcr', 'negative', %lld)", (long long)(now - 4 * 86400),
        (long long)(now - 4 * 86400 + 3600));
    ASSERT_CODE(w, comp, "yellow", "pending_clearance", "已 2 次"); /* 1 h apart: not yet */
    sql(w, "INSERT INTO isolation_tests (isolation_id, day, due_date, test_kind, result, "
        "result_at) VALUES (9001, 3, '2026-01-03', 'pcr', 'negative', %lld)",
        (long long)(now - 2 * 86400));
    c = code(w, comp);
    assert_string_equal(c.colour, "green");
    assert_int_equal(c.last_negative_at, now - 2 * 86400);
    /* a dismissed contact no longer counts */
    int64_t venue = new_person(w);
    sql(w, "INSERT INTO contacts (case_id, subject, person_id, kind, place, first_overlap, "
        "source, found_at, status) VALUES (%lld, 'v%lld', %lld, 'venue', 'V1', %lld, 'test', "
        "%lld, 'proposed')", (long long)cid, (long long)venue, (long long)venue,
        (long long)(now - 86400), (long long)now);
    ASSERT_CODE(w, venue, "yellow", "pending_clearance", "场所暴露");
    sql(w, "UPDATE contacts SET status = 'dismissed' WHERE person_id = %lld", (long long)venue);
    ASSERT_CODE(w, venue, "green", "default", NULL);

    /* exposed at two venues: negatives 48 h apart after the first exposure clear it, not
     * the later one, which is the one shown until it is dismissed */
    int64_t twice = new_person(w);
    sql(w, "INSERT INTO contacts (case_id, subject, person_id, kind, place, first_overlap, "
        "source, found_at) VALUES (%lld, 'w%lld', %lld, 'venue', 'V2', %lld, 'test', %lld), "
        "(%lld, 'w%lld', %lld, 'venue', 'V3', %lld, 'test', %lld)", (long long)cid,
        (long long)twice, (long long)twice, (long long)(now - 6 * 86400), (long long)now,
        (long long)cid, (long long)twice, (long long)twice, (long long)(now - 86400),
        (long long)now);
    sql(w, "INSERT INTO isolations (id, person_id, area_code, cohort, phase, kind, day1_date, "
        "end_date, state, policy_id, started_at, ended_at) VALUES (9102, %lld, '510104001001', "
        "'secondary_contact', 0, 'home_isolation', '2026-01-01', '2026-01-07', 'released', "
        "'v9', 1, 2)", (long long)twice);
    sql(w, "INSERT INTO isolation_tests (isolation_id, day, due_date, test_kind, result, "
        "result_at) VALUES (9102, 1, '2026-01-01', 'pcr', 'negative', %lld), (9102, 3, "
        "'2026-01-03', 'pcr', 'negative', %lld)", (long long)(now - 5 * 86400),
        (long long)(now - 3 * 86400));
    ASSERT_CODE(w, twice, "yellow", "pending_clearance", "V3");
    sql(w, "UPDATE contacts SET status = 'dismissed' WHERE person_id = %lld AND place = 'V3'",
        (long long)twice);
    ASSERT_CODE(w, twice, "green", "default", NULL);
    sql(w, "UPDATE contacts SET status = 'proposed' WHERE person_id = %lld AND place = 'V3'",
        (long long)twice);
    sql(w, "UPDATE contacts SET status = 'dismissed' WHERE person_id = %lld AND place = 'V2'",
        (long long)twice);
    ASSERT_CODE(w, twice, "yellow", "pending_clearance", "V3");

    /* a member of a positive pool held for a single re-sample: yellow, naming the tube */
    int64_t held = new_person(w);
    sql(w, "PRAGMA foreign_keys = OFF");
    sql(w, "INSERT INTO tubes (id, barcode, round_id, site_id, issued_at, issued_by) VALUES "
        "(501, 'TB00000501', 1, 1, 1, 't')");
    sql(w, "INSERT INTO testing_holds (person_id, tube_id, round_id, result_id, reason, "
        "area_code, held_at, held_by) VALUES (%lld, 501, 1, 1, 'positive_pool', "
        "'510104001001', %lld, 't')", (long long)held, (long long)now);
    ASSERT_CODE(w, held, "yellow", "pool_held", "TB00000501");
    sql(w, "UPDATE testing_holds SET state = 'released', ended_at = %lld, ended_by = 't', "
        "ended_result_id = 2 WHERE person_id = %lld", (long long)now, (long long)held);
    ASSERT_CODE(w, held, "green", "default", NULL);

    /* a required test past its day (a cohort the red rule does not name): yellow */
    int64_t med = new_person(w);
    sql(w, "INSERT INTO isolations (id, person_id, area_code, cohort, phase, kind, day1_date, "
        "end_date, state, policy_id, started_at) VALUES (9002, %lld, '510104001001', "
        "'medium_risk_area_stay', 0, 'home_isolation', '%s', '%s', 'active', 'v9', 1)",
        (long long)med, day_offset(-3, d1), day_offset(3, d2));
    sql(w, "INSERT INTO isolation_tests (isolation_id, day, due_date, test_kind) VALUES "
        "(9002, 4, '%s', 'pcr')", day_offset(0, d1));
    ASSERT_CODE(w, med, "green", "default", NULL); /* due today: not overdue yet */
    sql(w, "INSERT INTO isolation_tests (isolation_id, day, due_date, test_kind) VALUES "
        "(9002, 1, '%s', 'pcr')", day_offset(-3, d1));
    ASSERT_CODE(w, med, "yellow", "test_overdue", d1);

    /* the clock alone: the sweep finds the test due today overdue two days later, and the
     * monitoring phase ended */
    int64_t med2 = new_person(w);
    sql(w, "INSERT INTO isolations (id, person_id, area_code, cohort, phase, kind, day1_date, "
        "end_date, state, policy_id, started_at) VALUES (9003, %lld, '510104001001', "
        "'medium_risk_area_stay', 0, 'home_isolation', '%s', '%s', 'active', 'v9', 1)",
        (long long)med2, day_offset(-3, d1), day_offset(3, d2));
    sql(w, "INSERT INTO isolation_tests (isolation_id, day, due_date, test_kind) VALUES "
        "(9003, 4, '%s', 'pcr')", day_offset(0, d1));
    ASSERT_CODE(w, med2, "green", "default", NULL);
    code_run r;
    assert_int_equal(codes_sweep(w->f->st, now + 2 * 86400, &r, &err), 0);
    assert_int_equal(store_code_get(w->f->st, med2, &c, &err), 1);
    assert_string_equal(c.rule, "test_overdue");
    assert_int_equal(store_code_get(w->f->st, mon, &c, &err), 1);
    assert_string_equal(c.rule, "monitoring_after_red");
    assert_int_equal(codes_sweep(w->f->st, now + 4 * 86400, &r, &err), 0);
    assert_int_equal(store_code_get(w->f->st, mon, &c, &err), 1);
    assert_string_equal(c.colour, "green");
    assert_int_equal(codes_sweep(w->f->st, now + 4 * 86400, &r, &err), 0);
    assert_int_equal(r.changed, 0); /* idempotent at a given time */

    /* first match wins: a case and a companion contact and a hold: the case's red */
    int64_t many = new_person(w);
    sql(w, "INSERT INTO testing_holds (person_id, tube_id, round_id, result_id, reason, "
        "area_code, held_at, held_by) VALUES (%lld, 501, 1, 1, 'positive_pool', "
        "'510104001001', %lld, 't')", (long long)many, (long long)now);
    ASSERT_CODE(w, many, "yellow", "pool_held", NULL);
    new_case(w, many, "screening_positive");
    ASSERT_CODE(w, many, "red", "case_not_released", "初筛阳性");
    world_close(w);
}

/* Zones (0018): a published zone over the person's community; its level decides. */
static void zones_by_level(void **state)
{
    (void)state;
    world *w = world_open(NULL);
    int64_t pid = new_person(w);
    ASSERT_CODE(w, pid, "green", "default", NULL);
    sql(w, "INSERT INTO zones (id, scheme, level, origin_level, unit_kind, area_code, name, "
        "status, rule, policy_version, start_date, last_case_date, created_at, created_by, "
        "updated_at) VALUES (71, 'fengkong', 'controlled', 'controlled', 'community', "
        "'510104001001', '测试管控区', 'proposed', 'test', 'v9', '2026-01-01', '2026-01-01', 1, "
        "'t', 1)");
    ASSERT_CODE(w, pid, "green", "default", NULL); /* proposed: not yet */
    sql(w, "UPDATE zones SET status = 'published', published_at = 2, published_by = 't'");
    ASSERT_CODE(w, pid, "yellow", "zone_controlled_or_medium", "管控区：测试管控区（风险区 71）");
    sql(w, "UPDATE zones SET level = 'sealed'");
    ASSERT_CODE(w, pid, "red", "zone_sealed_or_high", "封控区");
    code_rec c = code(w, pid);
    assert_string_equal(c.cohort, "high_risk_area_stay"); /* what red_restriction reads */
    sql(w, "UPDATE zones SET level = 'precaution'");
    ASSERT_CODE(w, pid, "green", "default", NULL);
    world_close(w);
}

static void red_restriction_holds(void **state)
{
    (void)state;
    world *w = world_open("{\"red_restriction\": {\"enabled\": true, \"cohorts\": "
                          "[\"confirmed\", \"close_contact\"]}}");
    fk_err err;
    int64_t conf = new_person(w), screen = new_person(w);
    new_case(w, conf, "confirmed");
    new_case(w, screen, "screening_positive");
    ASSERT_CODE(w, conf, "red", "case_not_released", NULL);
    ASSERT_CODE(w, screen, "yellow", "case_not_released", "红码限制");
    /* and no override may make the screening positive red */
    override_rec o;
    assert_int_equal(codes_override_request(w->f->st, w->pol, &w->a, screen, "red",
                                            "测试红码限制", 0, &o, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    world_close(w);
}

static void overrides_need_a_second_person(void **state)
{
    (void)state;
    world *w = world_open(NULL);
    fk_err err;
    override_rec o;
    actor first = w->a, second = w->a, reader = w->a;
    snprintf(first.username, sizeof first.username, "chief1");
    snprintf(second.username, sizeof second.username, "chief2");
    snprintf(reader.role, sizeof reader.role, "epi");
    int64_t pid = new_person(w);
    ASSERT_CODE(w, pid, "green", "default", NULL);
    /* no written reason, an unknown colour, a role without the permission: refused */
    assert_int_equal(codes_override_request(w->f->st, w->pol, &first, pid, "red", "", 0, &o,
                                            &err), -1);
    assert_string_equal(err.field, "reason");
    assert_int_equal(codes_override_request(w->f->st, w->pol, &first, pid, "blue", "理由充分",
                                            0, &o, &err), -1);
    assert_int_equal(codes_override_request(w->f->st, w->pol, &reader, pid, "yellow",
                                            "理由充分", 0, &o, &err), -1);
    assert_int_equal(err.code, FK_EFORBIDDEN);
    int64_t until = fk_now() + 3600;
    assert_int_equal(codes_override_request(w->f->st, w->pol, &first, pid, "yellow",
                                            "群众举报有发热症状，待核实", until, &o, &err), 0);
    assert_string_equal(o.status, "pending");
    ASSERT_CODE(w, pid, "green", "default", NULL); /* not in effect while pending */
    /* the requester cannot approve it */
    assert_int_equal(codes_override_decide(w->f->st, &first, o.id, true, NULL, &o, &err), -1);
    assert_int_equal(err.code, FK_EFORBIDDEN);
    assert_int_equal(codes_override_decide(w->f->st, &second, o.id, true, "核实", &o, &err), 0);
    assert_string_equal(o.status, "approved");
    code_rec c;
    assert_int_equal(store_code_get(w->f->st, pid, &c, &err), 1);
    assert_string_equal(c.colour, "yellow");
    assert_int_equal(c.override_id, o.id);
    assert_string_equal(c.ov_decided_by, "chief2");
    code_change_list h;
    assert_int_equal(store_code_history(w->f->st, pid, 10, &h, &err), 0);
    assert_true(h.n >= 2);
    assert_int_equal(h.items[0].override_id, o.id);
    assert_string_equal(h.items[0].to_colour, "yellow");
    assert_string_equal(h.items[0].from_colour, "green");
    assert_non_null(strstr(h.items[0].reason, "群众举报"));
    assert_string_equal(h.items[0].operator_, "chief2");
    code_change_list_free(&h);
    /* decided once only */
    assert_int_equal(codes_override_decide(w->f->st, &second, o.id, false, NULL, &o, &err), -1);
    /* it expires at `until`: the sweep turns the code back and logs it */
    code_run r;
    assert_int_equal(codes_sweep(w->f->st, until + 1, &r, &err), 0);
    assert_int_equal(r.changed, 1);
    assert_int_equal(store_code_get(w->f->st, pid, &c, &err), 1);
    assert_string_equal(c.colour, "green");
    assert_int_equal(c.override_id, 0);
    assert_int_equal(store_override_get(w->f->st, o.id, &o, &err), 0);
    assert_string_equal(o.status, "expired");
    /* a rejected override changes nothing */
    assert_int_equal(codes_override_request(w->f->st, w->pol, &first, pid, "red",
                                            "再次申请，理由不足", 0, &o, &err), 0);
    assert_int_equal(codes_override_decide(w->f->st, &second, o.id, false, "不同意", &o, &err), 0);
    assert_string_equal(o.status, "rejected");
    ASSERT_CODE(w, pid, "green", "default", NULL);
    world_close(w);
}

static void no_quiet_colour_change(void **state)
{
    (void)state;
    world *w = world_open(NULL);
    int64_t pid = new_person(w);
    ASSERT_CODE(w, pid, "green", "default", NULL);
    char q[256];
    snprintf(q, sizeof q, "UPDATE health_codes SET colour = 'red' WHERE person_id = %lld",
             (long long)pid);
    assert_true(sql_fails(w, q));
    snprintf(q, sizeof q, "DELETE FROM health_codes WHERE person_id = %lld", (long long)pid);
    assert_true(sql_fails(w, q));
    assert_true(sql_fails(w, "UPDATE code_changes SET to_colour = 'red'"));
    assert_true(sql_fails(w, "DELETE FROM code_changes"));
    /* citing an old log row, or a row of another colour, is refused too */
    snprintf(q, sizeof q, "UPDATE health_codes SET colour = 'red', change_id = change_id "
             "WHERE person_id = %lld", (long long)pid);
    assert_true(sql_fails(w, q));
    sql(w, "INSERT INTO code_changes (person_id, at, from_colour, to_colour, rule, operator, "
        "source, policy_version) VALUES (%lld, 1, 'green', 'yellow', 'default', 'x', 'x', "
        "'v9')", (long long)pid);
    snprintf(q, sizeof q, "UPDATE health_codes SET colour = 'red', change_id = (SELECT max(id) "
             "FROM code_changes) WHERE person_id = %lld", (long long)pid);
    assert_true(sql_fails(w, q));
    /* the schema refuses an override decided by its requester */
    sql(w, "INSERT INTO code_overrides (person_id, colour, reason, requested_by, requested_at) "
        "VALUES (%lld, 'red', 'some reason', 'u1', 1)", (long long)pid);
    assert_true(sql_fails(w, "UPDATE code_overrides SET status = 'approved', decided_by = "
                             "'u1', decided_at = 2"));
    world_close(w);
}

static void recompute_writes_only_changes(void **state)
{
    (void)state;
    world *w = world_open(NULL);
    fk_err err;
    code_run r;
    for (int i = 0; i < 50; i++)
        new_person(w);
    assert_int_equal(codes_recompute_all(w->f->st, &w->a, "test", &r, &err), 0);
    assert_int_equal(r.touched, 50);
    assert_int_equal(r.changed, 0); /* each got its code when it was registered */
    int64_t pid = new_person(w);
    new_case(w, pid, "asymptomatic");
    assert_int_equal(codes_recompute_all(w->f->st, &w->a, "test", &r, &err), 0);
    assert_int_equal(r.touched, 51);
    assert_int_equal(r.changed, 0);
    /* the same policy installed again changes nothing; another one recomputes all */
    assert_int_equal(codes_install(w->f->st, w->pol, &r, &err), 0);
    assert_int_equal(r.touched, 0);
    policy *m20 = policy_load_builtin("m20", &err);
    assert_int_equal(codes_install(w->f->st, m20, &r, &err), 0);
    assert_int_equal(r.touched, 51);
    code_rec c;
    assert_int_equal(store_code_get(w->f->st, pid, &c, &err), 1);
    assert_string_equal(c.policy_version, "v9"); /* unchanged colour: the row stays */
    policy_free(m20);
    world_close(w);
}

/* The rules stop once every touched person has a decision (store_sqlite_codes.c): the
 * later rules still decide whoever the earlier ones left, and a set decided at the first
 * rule comes out as with every rule run. */
static void later_rules_decide_the_rest(void **state)
{
    (void)state;
    world *w = world_open(NULL);
    fk_err err;
    code_run r;
    int64_t p1 = new_person(w), p2 = new_person(w);
    new_case(w, p1, "confirmed");
    int64_t c2 = new_case(w, p2, "confirmed");
    assert_int_equal(codes_recompute_all(w->f->st, &w->a, "test", &r, &err), 0);
    assert_int_equal(r.touched, 2);
    assert_int_equal(r.changed, 0); /* both red at the first rule, as the hook made them */
    assert_string_equal(code(w, p2).rule, "case_not_released");
    /* released behind the store's back: only the last rule (default) decides p2 now */
    sql(w, "UPDATE cases SET status = 'discharged' WHERE id = %lld", (long long)c2);
    assert_int_equal(codes_recompute_all(w->f->st, &w->a, "test", &r, &err), 0);
    assert_int_equal(r.touched, 2);
    assert_int_equal(r.changed, 1);
    code_rec c;
    assert_int_equal(store_code_get(w->f->st, p2, &c, &err), 1);
    assert_string_equal(c.colour, "green");
    assert_string_equal(c.rule, "default");
    assert_int_equal(store_code_get(w->f->st, p1, &c, &err), 1);
    assert_string_equal(c.colour, "red");
    assert_string_equal(c.rule, "case_not_released");
    /* one colour changed (p2 red again) and one detail only (p1's case's status): both
     * written, the detail by the refresh of unchanged colours */
    sql(w, "UPDATE cases SET status = 'hospitalized' WHERE person_id = %lld", (long long)p1);
    sql(w, "UPDATE cases SET status = 'transferred' WHERE id = %lld", (long long)c2);
    assert_int_equal(codes_recompute_all(w->f->st, &w->a, "test", &r, &err), 0);
    assert_int_equal(r.changed, 1);
    assert_int_equal(store_code_get(w->f->st, p2, &c, &err), 1);
    assert_string_equal(c.colour, "red");
    assert_int_equal(store_code_get(w->f->st, p1, &c, &err), 1);
    if (!strstr(c.detail, "hospitalized"))
        fail_msg("detail '%s' not refreshed", c.detail);
    /* one changed code to update and one person without a code to add, in one write: both
     * written (the INSERT of the missing runs only when the UPDATE missed someone) */
    sql(w, "INSERT INTO persons (id, name, id_type, id_number, sex, birth_date, resident_type, "
        "community_code, created_at, updated_at) SELECT 9000, name, id_type, 'NOCODE-1', sex, "
        "birth_date, resident_type, community_code, created_at, updated_at FROM persons WHERE "
        "id = %lld", (long long)p1);
    sql(w, "UPDATE cases SET status = 'discharged' WHERE person_id = %lld", (long long)p1);
    assert_int_equal(store_code_get(w->f->st, 9000, &c, &err), 0);
    assert_int_equal(codes_recompute_all(w->f->st, &w->a, "test", &r, &err), 0);
    assert_int_equal(r.touched, 3);
    assert_int_equal(r.changed, 2); /* p1 and 9000 (p2 stays red) */
    assert_int_equal(store_code_get(w->f->st, 9000, &c, &err), 1);
    assert_string_equal(c.rule, "default");
    assert_int_equal(store_code_get(w->f->st, p1, &c, &err), 1);
    assert_string_equal(c.rule, "default");
    world_close(w);
}

/* A rule whose condition's table is empty is skipped (store_sqlite_codes.c, condition
 * needs): in a world holding only what one rule reads, that rule still decides. */
static void each_rule_on_its_own_rows(void **state)
{
    (void)state;
    char d1[11], d2[11];
    world *w = world_open(NULL);
    int64_t med = new_person(w);
    sql(w, "INSERT INTO isolations (id, person_id, area_code, cohort, phase, kind, day1_date, "
        "end_date, state, policy_id, started_at) VALUES (9002, %lld, '510104001001', "
        "'medium_risk_area_stay', 0, 'home_isolation', '%s', '%s', 'active', 'v9', 1)",
        (long long)med, day_offset(-3, d1), day_offset(3, d2));
    sql(w, "INSERT INTO isolation_tests (isolation_id, day, due_date, test_kind) VALUES "
        "(9002, 1, '%s', 'pcr')", day_offset(-3, d1));
    ASSERT_CODE(w, med, "yellow", "test_overdue", d1);
    world_close(w);

    w = world_open(NULL);
    int64_t back = new_person(w);
    sql(w, "INSERT INTO leads (id, kind, person_id, area_code, pushed_at, found_by, "
        "controlled_by, closed_by, due_at, updated_at) VALUES (7001, 'traveler', %lld, "
        "'510104001001', 1, 2, 3, 4, 2, 1)", (long long)back);
    sql(w, "INSERT INTO arrivals (id, person_id, arrived_at, place_kind, from_region, "
        "community_code, source, registered_by, registered_at) VALUES (7002, %lld, 1, "
        "'station', '110101', '510104001001', 'api', 'test', 1)", (long long)back);
    sql(w, "INSERT INTO traveler_matches (arrival_id, person_id, level, cohort, region_code, "
        "measure, lead_id, matched_at) VALUES (7002, %lld, 'high', 'high_risk_area_stay', "
        "'110101', 'central_isolation', 7001, 1)", (long long)back);
    ASSERT_CODE(w, back, "red", "traveler_high_pending", "7001");
    world_close(w);
}

static int64_t answers_version(store *st)
{
    int64_t v = -1;
    fk_err err;
    assert_int_equal(store_code_answers_version(st, &v, &err), 0);
    return v;
}

/* The version a scan reads before answering from memory (migration 0033): it stays put
 * across commits that change no answer (the scan audit's), and moves with a rename, a
 * code written, a rule replaced, a tube result, each made by another connection (as a
 * process would: the wal-index header is shared), seen by the first connection's very
 * next read, which otherwise answers without a statement. */
static void answers_version_moves_with_the_answer(void **state)
{
    (void)state;
    world *w = world_open(NULL);
    fk_err err;
    int64_t pid = new_person(w);
    store *st = w->f->st;
    int64_t v = answers_version(st);
    assert_true(v > 0);
    assert_int_equal(answers_version(st), v); /* nothing committed: the same */
    scan_audit_rec scan = {.at = fk_now(), .person_id = pid};
    snprintf(scan.colour, sizeof scan.colour, "green");
    store *other = store_open(w->f->dir, &err);
    assert_non_null(other);
    assert_int_equal(store_scan_audit_append_many(other, &scan, 1, &err), 0);
    assert_int_equal(answers_version(st), v); /* a scan's audit moves nothing */
    sql(w, "UPDATE persons SET work_unit = 'elsewhere' WHERE id = %lld", (long long)pid);
    assert_int_equal(answers_version(st), v); /* not a name */
    sql(w, "UPDATE persons SET name = '欧阳某' WHERE id = %lld", (long long)pid);
    int64_t renamed = answers_version(st);
    assert_true(renamed > v);
    assert_int_equal(answers_version(st), renamed);
    new_case(w, pid, "confirmed"); /* the code turns red: written through `st` */
    int64_t red = answers_version(st);
    assert_true(red > renamed);
    assert_int_equal(answers_version(other), red); /* the other connection sees it too */
    sql(w, "UPDATE code_rules SET zh = zh || '' WHERE ord = 0");
    int64_t rules = answers_version(st);
    assert_true(rules > red);
    /* inside a unit the row is read in its snapshot, and nothing is kept from it */
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(answers_version(st), rules);
    assert_int_equal(store_end(st, 0, &err), 0);
    sql(w, "DELETE FROM code_rules WHERE ord = (SELECT max(ord) FROM code_rules)");
    assert_true(answers_version(st) > rules);
    store_close(other);
    world_close(w);
}

/* A recompute writes the codes with its connection's triggers off (store_sqlite_codes.c,
 * write_logged): each code still agrees with the log row it cites, which is its person's
 * last, the answers' version moves, and the connection's triggers are on again
 * afterwards (a rename through the same handle moves the version through its trigger). */
static void codes_written_as_logged(void **state)
{
    (void)state;
    world *w = world_open(NULL);
    fk_err err;
    store *st = w->f->st;
    int64_t pids[4];
    for (int i = 0; i < 4; i++)
        pids[i] = new_person(w);
    int64_t before = answers_version(st);
    new_case(w, pids[1], "confirmed");
    new_case(w, pids[3], "asymptomatic");
    int64_t after = answers_version(st);
    assert_true(after > before);
    ASSERT_CODE(w, pids[1], "red", "case_not_released", NULL);
    ASSERT_CODE(w, pids[0], "green", "default", NULL);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(w->db, "SELECT count(*) FROM health_codes h JOIN "
                     "code_changes c ON c.id = h.change_id WHERE c.person_id = h.person_id AND "
                     "c.to_colour = h.colour AND c.rule = h.rule AND c.override_id IS "
                     "h.override_id AND NOT EXISTS (SELECT 1 FROM code_changes l WHERE "
                     "l.person_id = h.person_id AND l.id > h.change_id)", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(q, 0), 4); /* every code, as the trigger checks */
    sqlite3_finalize(q);
    person p;
    assert_int_equal(store_person_get(st, pids[0], &p, &err), 0);
    snprintf(p.name, sizeof p.name, "欧阳某");
    assert_int_equal(store_person_update(st, &p, NULL, &err), 0);
    assert_true(answers_version(st) > after);
    world_close(w);
}

/* ---- the scan audit queue (codes_runtime) ------------------------------------------------- */

#define LOG_THREADS 6 /* more than the queue's shards: two threads share some */
#define LOG_EACH 5000

typedef struct log_work { codes_runtime *rt; int t; } log_work;

static void *log_scans(void *arg)
{
    const log_work *w = arg;
    for (int i = 0; i < LOG_EACH; i++) {
        codes_runtime_log_scan(w->rt, (int64_t)w->t * LOG_EACH + i + 1, i % 2 ? "red" : "green",
                               "10.0.0.1");
        if (i % 10 == 0)
            usleep(3000); /* about 1.5 s in all: the scans cross a second or two */
    }
    return NULL;
}

/* Threads log scans at once, across seconds' boundaries, while the writer commits in the
 * background: after a flush every scan is in code_scans exactly once, with its colour
 * and remote, and rowid order is time order (what the audit list's merge relies on). */
static void scan_audit_every_scan_in_time_order(void **state)
{
    (void)state;
    fixture *f = fixture_open();
    fk_err err;
    codes_runtime *rt = codes_runtime_start(f->dir, &err);
    assert_non_null(rt);
    pthread_t th[LOG_THREADS];
    log_work w[LOG_THREADS];
    for (int t = 0; t < LOG_THREADS; t++) {
        w[t] = (log_work){rt, t};
        assert_int_equal(pthread_create(&th[t], NULL, log_scans, &w[t]), 0);
    }
    for (int t = 0; t < LOG_THREADS; t++)
        pthread_join(th[t], NULL);
    assert_int_equal(codes_runtime_flush(rt, &err), 0);
    codes_runtime_stop(rt);
    sqlite3 *db = NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT count(*), count(DISTINCT person_id), min(person_id), "
                           "max(person_id), sum(colour = 'red'), sum(remote = '10.0.0.1'), "
                           "(SELECT count(*) FROM code_scans a JOIN code_scans b "
                           "ON b.id = a.id + 1 WHERE b.at < a.at) FROM code_scans",
                           -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    const int64_t n = LOG_THREADS * LOG_EACH;
    assert_int_equal(sqlite3_column_int64(q, 0), n);
    assert_int_equal(sqlite3_column_int64(q, 1), n);
    assert_int_equal(sqlite3_column_int64(q, 2), 1);
    assert_int_equal(sqlite3_column_int64(q, 3), n);
    assert_int_equal(sqlite3_column_int64(q, 4), n / 2);
    assert_int_equal(sqlite3_column_int64(q, 5), n);
    assert_int_equal(sqlite3_column_int64(q, 6), 0); /* no row earlier than the one before */
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE action = 'scan'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(q, 0), 0); /* nothing lost */
    sqlite3_finalize(q);
    sqlite3_close(db);
    store_fixture_teardown((void **)&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_round_trip),
        cmocka_unit_test(token_every_bit_flip_refused),
        cmocka_unit_test(token_malformed),
        cmocka_unit_test(key_file_kept),
        cmocka_unit_test(qr_svg_well_formed),
        cmocka_unit_test(every_rule_with_its_reason),
        cmocka_unit_test(zones_by_level),
        cmocka_unit_test(red_restriction_holds),
        cmocka_unit_test(overrides_need_a_second_person),
        cmocka_unit_test(no_quiet_colour_change),
        cmocka_unit_test(recompute_writes_only_changes),
        cmocka_unit_test(later_rules_decide_the_rest),
        cmocka_unit_test(each_rule_on_its_own_rows),
        cmocka_unit_test(answers_version_moves_with_the_answer),
        cmocka_unit_test(codes_written_as_logged),
        cmocka_unit_test(scan_audit_every_scan_in_time_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
