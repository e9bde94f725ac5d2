/* test_testing_import.c - imports of scans and results (io/import_scans.c,
 * io/import_results.c) row by row against a real store: each rule's refusal names its
 * row and field, a refused file changes nothing, --skip-bad keeps the state of the good
 * rows only, a tube fills and closes as through the API; both lookup strategies (small
 * files look keys up, files of 1 MiB or more load them: padded here with blank lines,
 * which are not rows) give the same reports and the same store; the kept residents
 * lookup of the latter sees changes made after it. And u64map. */
#include "testutil.h"

#include <sqlite3.h>

#include "base/timeutil.h"
#include "base/u64map.h"
#include "io/import.h"
#include "model/idcard.h"
#include "policy/policy.h"
#include "services/actor.h"
#include "store_fixture.h"

static void u64map_basics(void **state)
{
    (void)state;
    u64map m = {0};
    fk_err err;
    assert_int_equal(u64map_get(&m, 7), 0);
    for (uint64_t k = 1; k <= 100000; k++)
        assert_int_equal(u64map_put(&m, k * 7919, k, &err), 0);
    for (uint64_t k = 1; k <= 100000; k++)
        assert_int_equal(u64map_get(&m, k * 7919), k);
    assert_int_equal(u64map_get(&m, 3), 0);
    /* a multimap: both values of a key come back */
    assert_int_equal(u64map_put(&m, 42, 1001, &err), 0);
    assert_int_equal(u64map_put(&m, 42, 1002, &err), 0);
    size_t pos = 0;
    uint64_t a = u64map_next(&m, 42, &pos), b = u64map_next(&m, 42, &pos);
    assert_int_equal(a + b, 2003);
    assert_int_equal(u64map_next(&m, 42, &pos), 0);
    *u64map_ref(&m, 7919) = 5;
    assert_int_equal(u64map_get(&m, 7919), 5);
    u64map_free(&m);
    /* reserved: the puts up to the count do not move the table, and everything is found
     * after a reserve that rehashes what was put */
    assert_int_equal(u64map_put(&m, 11, 1, &err), 0);
    assert_int_equal(u64map_reserve(&m, 5000, &err), 0);
    u64slot *at = m.s;
    assert_true(m.cap >= 10000);
    for (uint64_t k = 2; k <= 5000; k++)
        assert_int_equal(u64map_put(&m, k * 11, k, &err), 0);
    assert_ptr_equal(m.s, at);
    for (uint64_t k = 1; k <= 5000; k++)
        assert_int_equal(u64map_get(&m, k * 11), k);
    assert_int_equal(u64map_reserve(&m, 10, &err), 0); /* never shrinks */
    assert_ptr_equal(m.s, at);
    u64map_free(&m);
}

/* ---- a world: two communities, 30 residents, an open round, a planned one ----------- */

typedef struct world {
    fixture *f;
    actor a;
    policy *pol;
    int64_t round, site, site2, psite, lab, lab2;
    char id[32][19];   /* residents 0..29 of 510104001001, 30 of 510104001002, 31 unknown */
    int64_t pid[31];
    int64_t now;
} world;

static void add_area(store *st, const char *code, const char *parent)
{
    fk_err err;
    area a = {0};
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.parent_code, sizeof a.parent_code, "%s", parent);
    snprintf(a.level, sizeof a.level, "community");
    snprintf(a.name, sizeof a.name, "area %s", code);
    if (store_area_insert(st, &a, &err) != 0)
        fail_msg("area: %s", err.message);
}

static int64_t add_resident(store *st, const char *id, const char *community, int i)
{
    fk_err err;
    person p = {0};
    snprintf(p.name, sizeof p.name, "人%d", i);
    snprintf(p.id_type, sizeof p.id_type, "resident");
    snprintf(p.id_number, sizeof p.id_number, "%s", id);
    snprintf(p.sex, sizeof p.sex, "F");
    snprintf(p.birth_date, sizeof p.birth_date, "1990-01-01");
    snprintf(p.resident_type, sizeof p.resident_type, "non_resident");
    snprintf(p.address, sizeof p.address, "某路%d号", i);
    snprintf(p.community_code, sizeof p.community_code, "%s", community);
    if (store_person_insert(st, &p, NULL, &err) != 0)
        fail_msg("person: %s", err.message);
    return p.id;
}

static int64_t add_round(store *st, const char *state, int64_t now, const char *name)
{
    fk_err err;
    round_rec r = {.area_code = "510104001001", .starts_at = now - 3600, .ends_at = now + 3600,
                   .created_by = "t", .created_at = 1};
    snprintf(r.name, sizeof r.name, "%s", name);
    snprintf(r.state, sizeof r.state, "%s", state);
    assert_int_equal(store_round_insert(st, &r, NULL, &err), 0);
    return r.id;
}

static int64_t add_site(store *st, int64_t round, const char *const *codes, size_t n)
{
    fk_err err;
    site_rec s = {.round_id = round, .name = "采样点", .area_code = "510104001001"};
    assert_int_equal(store_site_insert(st, &s, NULL, &err), 0);
    assert_int_equal(store_tubes_issue(st, round, s.id, codes, n, "t", 1, NULL, &err), 0);
    return s.id;
}

static void make_world(world *w)
{
    memset(w, 0, sizeof *w);
    fk_err err;
    w->f = fixture_open();
    store *st = w->f->st;
    fixture_areas(st);
    add_area(st, "510104001002", "510104001");
    actor_cli(&w->a);
    w->pol = policy_load_builtin("v9", &err);
    assert_non_null(w->pol);
    w->now = fk_now();
    for (int i = 0; i < 32; i++)
        idcard_make("510104", 1960 + i, 1 + i % 12, 1 + i % 28, 100 + i, w->id[i]);
    for (int i = 0; i < 31; i++)
        w->pid[i] = add_resident(st, w->id[i], i < 30 ? "510104001001" : "510104001002", i);
    w->round = add_round(st, "open", w->now, "开放轮");
    const char *t[] = {"T0000001", "T0000002", "T0000003", "T0000004"}, *t2[] = {"T2000001"},
               *tp[] = {"TP000001"};
    w->site = add_site(st, w->round, t, 4);
    w->site2 = add_site(st, w->round, t2, 1);
    w->psite = add_site(st, add_round(st, "planned", w->now, "计划轮"), tp, 1);
    lab_rec l = {.name = "实验室一", .area_code = "510104", .created_by = "t"};
    lab_rec l2 = {.name = "实验室二", .area_code = "510104", .created_by = "t"};
    assert_int_equal(store_lab_insert(st, &l, NULL, &err), 0);
    assert_int_equal(store_lab_insert(st, &l2, NULL, &err), 0);
    w->lab = l.id;
    w->lab2 = l2.id;
}

static void free_world(world *w)
{
    policy_free(w->pol);
    fixture *f = w->f;
    void *s = f;
    store_fixture_teardown(&s);
}

/* Write `text` to a file of the world's directory, padded to over 1 MiB with blank
 * lines when `bulk`. */
static char *write_file(const world *w, const char *name, const char *text, bool bulk)
{
    char *path = malloc(512);
    snprintf(path, 512, "%s/%s", w->f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    for (int i = 0; bulk && i < (1 << 20) / 64 + 1; i++)
        fputs("\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
              "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", fp);
    fclose(fp);
    return path;
}

static int run_import(world *w, const char *kind, const char *text, bool bulk,
                      const char *rejects, import_report *rep, fk_err *err)
{
    char *path = write_file(w, bulk ? "bulk.csv" : "small.csv", text, bulk);
    import_opts o = {.policy = w->pol, .rejects_path = rejects};
    int rc = import_file(w->f->st, &w->a, kind, path, &o, rep, err);
    free(path);
    return rc;
}

/* "row:field,row:field,..." of a report. */
static void listed(const import_report *rep, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < rep->n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%zu:%s", i ? "," : "", rep->items[i].row,
                 rep->items[i].field);
    }
}

static void tube_is(store *st, const char *code, const char *state, int size, int n)
{
    fk_err err;
    tube_rec t;
    assert_int_equal(store_tube_get(st, code, &t, NULL, &err), 0);
    assert_string_equal(t.state, state);
    assert_int_equal(t.size, size);
    assert_int_equal(t.n_members, n);
}

static void line(strbuf *sb, const char *tube, const char *person, int64_t at, int64_t site)
{
    char when[21];
    fk_instant_format(at, when);
    sb_appendf(sb, "%s,%s,%s,%lld\n", tube, person, when, (long long)site);
}

static int raw_int(const fixture *f, const char *sql, int64_t *out);

/* ---- scans -------------------------------------------------------------------------- */

static void scans_refusals(bool bulk)
{
    world w;
    make_world(&w);
    store *st = w.f->st;
    fk_err err;
    /* T0000003 holds person 29 (a scan before the import); T0000004 is closed by hand */
    member_rec m = {.person_id = w.pid[29], .round_id = w.round, .scanned_at = w.now - 60,
                    .scanned_by = "s"};
    tube_rec t3, t4;
    assert_int_equal(store_tube_get(st, "T0000003", &t3, NULL, &err), 0);
    assert_int_equal(store_tube_scan(st, t3.id, 20, &m, NULL, &err), 0);
    assert_int_equal(store_tube_get(st, "T0000004", &t4, NULL, &err), 0);
    m.person_id = w.pid[28];
    assert_int_equal(store_tube_scan(st, t4.id, 20, &m, NULL, &err), 0);
    assert_int_equal(store_tube_close(st, t4.id, "s", w.now - 30, NULL, &err), 0);
    char unknown[19], wrong[19];
    snprintf(unknown, sizeof unknown, "%s", w.id[31]);
    snprintf(wrong, sizeof wrong, "%s", w.id[3]);
    wrong[17] = wrong[17] == '0' ? '1' : '0';
    int64_t t = w.now - 120;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,person,time,site\n");
    line(&sb, "T0000001", w.id[0], t, w.site);           /* 2 good, opens T1 */
    line(&sb, "T0000009", w.id[1], t, w.site);           /* 3 never issued */
    line(&sb, "t1", w.id[1], t, w.site);                 /* 4 malformed */
    line(&sb, "T2000001", w.id[1], t, w.site);           /* 5 another site's tube */
    line(&sb, "T0000004", w.id[1], t, w.site);           /* 6 closed */
    line(&sb, "T0000001", w.id[0], t, w.site);           /* 7 twice in the file */
    line(&sb, "T0000001", w.id[29], t, w.site);          /* 8 scanned before */
    line(&sb, "T0000001", w.id[30], t, w.site);          /* 9 outside the round's area */
    line(&sb, "T0000001", wrong, t, w.site);             /* 10 checksum */
    line(&sb, "T0000001", unknown, t, w.site);           /* 11 not registered */
    line(&sb, "TP000001", w.id[1], t, w.psite);          /* 12 round planned */
    line(&sb, "T0000001", w.id[1], w.now - 7200, w.site); /* 13 before the window */
    line(&sb, "T0000001", w.id[1], w.now + 3000, w.site); /* 14 in the future */
    line(&sb, "T0000001", w.id[2], t, w.site);           /* 15 good */
    import_report rep;
    assert_int_equal(run_import(&w, "scans", sb_str(&sb), bulk, NULL, &rep, &err), -1);
    char got[1024];
    listed(&rep, got, sizeof got);
    assert_string_equal(got, "3:tube,4:tube,5:site,6:tube,7:person,8:person,9:person,"
                             "10:person,11:person,12:tube,13:time,14:time");
    assert_int_equal(rep.imported, 0);
    assert_non_null(strstr(rep.items[4].message, "row 2"));
    assert_non_null(strstr(rep.items[5].message, "T0000003"));
    import_report_free(&rep);
    tube_is(st, "T0000001", "issued", 0, 0); /* nothing changed */
    round_rec r;
    assert_int_equal(store_round_get(st, w.round, &r, &err), 0);
    assert_int_equal(r.scanned, 2);

    /* --skip-bad: the good rows, and the state they make */
    char rej[512];
    snprintf(rej, sizeof rej, "%s/rejects.csv", w.f->dir);
    assert_int_equal(run_import(&w, "scans", sb_str(&sb), bulk, rej, &rep, &err), 0);
    assert_int_equal(rep.imported, 2);
    assert_int_equal(rep.bad, 12);
    import_report_free(&rep);
    tube_is(st, "T0000001", "open", 20, 2);
    sb_free(&sb);
    free_world(&w);
}

static void scans_refusals_small(void **state)
{
    (void)state;
    scans_refusals(false);
}

static void scans_refusals_bulk(void **state)
{
    (void)state;
    scans_refusals(true);
}

/* The first person sets the size (the policy's 20 for group other), the last place
 * closes the tube at its time; a skipped first row leaves the tube to the next good one.
 * (A contact's single tube: tests/api/testing_import.test.mjs.) */
static void scans_fill_and_close(bool bulk)
{
    world w;
    make_world(&w);
    store *st = w.f->st;
    fk_err err;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,person,time,site\n");
    for (int i = 0; i < 21; i++)   /* 20 fill T1; the 21st finds it closed and full */
        line(&sb, "T0000001", w.id[i], w.now - 100 + i, w.site);
    line(&sb, "T0000002", w.id[31], w.now - 10, w.site); /* unknown: skipped */
    line(&sb, "T0000002", w.id[21], w.now - 9, w.site);  /* opens T2 */
    import_report rep;
    char rej[512];
    snprintf(rej, sizeof rej, "%s/rejects.csv", w.f->dir);
    assert_int_equal(run_import(&w, "scans", sb_str(&sb), bulk, rej, &rep, &err), 0);
    char got[256];
    listed(&rep, got, sizeof got);
    assert_string_equal(got, "22:tube,23:person");
    assert_non_null(strstr(rep.items[0].message, "full (20 of 20) and closed"));
    assert_int_equal(rep.imported, 21);
    import_report_free(&rep);
    tube_is(st, "T0000001", "closed", 20, 20);
    tube_is(st, "T0000002", "open", 20, 1);
    tube_rec t;
    assert_int_equal(store_tube_get(st, "T0000001", &t, NULL, &err), 0);
    assert_int_equal(t.opened_at, w.now - 100);
    assert_int_equal(t.closed_at, w.now - 100 + 19);
    sb_free(&sb);
    free_world(&w);
}

static void scans_fill_small(void **state)
{
    (void)state;
    scans_fill_and_close(false);
}

static void scans_fill_bulk(void **state)
{
    (void)state;
    scans_fill_and_close(true);
}

/* The kept residents lookup (services/residents.h) under an import of 1 MiB or more:
 * the first builds and keeps it; changes made after it, by hand (the sqlite3 shell's
 * way: the triggers, not the service), are what the next import sees: a person moved
 * out of the round's area refused as outside, a deleted one as unknown, a person added
 * since (not in the kept lookup) found in the store; and it keeps the rebuilt lookup. */
static void scans_residents_kept(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    fixture *f = w.f;
    fk_err err;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,person,time,site\n");
    line(&sb, "T0000001", w.id[0], w.now - 100, w.site);
    import_report rep;
    assert_int_equal(run_import(&w, "scans", sb_str(&sb), true, NULL, &rep, &err), 0);
    import_report_free(&rep);
    int64_t kept_at = 0, version = 0;
    assert_int_equal(raw_int(f, "SELECT version FROM residents_lookup", &kept_at), 0);
    assert_int_equal(raw_int(f, "SELECT version FROM residents_version", &version), 0);
    assert_int_equal(kept_at, version);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE persons SET community_code = '510104001002' WHERE id = "
             "%lld; DELETE FROM persons WHERE id = %lld", (long long)w.pid[1],
             (long long)w.pid[2]);
    assert_int_equal(fixture_exec(f, sql), SQLITE_OK);
    int64_t added = add_resident(f->st, w.id[31], "510104001001", 31);
    sb_reset(&sb);
    sb_append(&sb, "tube,person,time,site\n");
    line(&sb, "T0000001", w.id[1], w.now - 90, w.site);  /* moved out of the round's area */
    line(&sb, "T0000001", w.id[2], w.now - 89, w.site);  /* deleted */
    line(&sb, "T0000001", w.id[31], w.now - 88, w.site); /* added since */
    line(&sb, "T0000001", w.id[3], w.now - 87, w.site);
    char rej[512];
    snprintf(rej, sizeof rej, "%s/rejects.csv", f->dir);
    assert_int_equal(run_import(&w, "scans", sb_str(&sb), true, rej, &rep, &err), 0);
    char got[256];
    listed(&rep, got, sizeof got);
    assert_string_equal(got, "2:person,3:person");
    assert_non_null(strstr(rep.items[0].message, "outside the round's area"));
    assert_non_null(strstr(rep.items[1].message, "no registered person"));
    assert_int_equal(rep.imported, 2);
    import_report_free(&rep);
    member_rec m;
    assert_int_equal(store_round_member(f->st, w.round, added, &m, &err), 1);
    assert_int_equal(raw_int(f, "SELECT version FROM residents_lookup", &kept_at), 0);
    assert_int_equal(raw_int(f, "SELECT version FROM residents_version", &version), 0);
    assert_int_equal(kept_at, version);
    tube_is(f->st, "T0000001", "open", 20, 3);
    sb_free(&sb);
    free_world(&w);
}

/* A time in the minute of the row before (row_time's short way) is that minute plus its
 * seconds, whatever the form; a time of that minute in another form, or malformed
 * seconds, goes the long way: the same instants as written, the bad one refused. */
static void scans_times_of_a_minute(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    fk_err err;
    int64_t m = (w.now - 600) / 60 * 60;
    char z[21], text[1024];
    fk_instant_format(m, z);
    z[17] = '\0'; /* "YYYY-MM-DDTHH:MM:" */
    snprintf(text, sizeof text, "tube,person,time,site\n"
             "T0000001,%s,%s10Z,%lld\n"      /* the long way: the minute noted */
             "T0000001,%s,%s11Z,%lld\n"      /* the short way */
             "T0000001,%s,%s12+00:01,%lld\n" /* the same minute, another form */
             "T0000001,%s,%s6xZ,%lld\n"      /* bad seconds */
             "T0000001,%s,%s13.5Z,%lld\n"    /* a fraction: another form */
             "T0000001,%s,%s59Z,%lld\n",
             w.id[0], z, (long long)w.site, w.id[1], z, (long long)w.site, w.id[2], z,
             (long long)w.site, w.id[3], z, (long long)w.site, w.id[4], z, (long long)w.site,
             w.id[5], z, (long long)w.site);
    char rej[512];
    snprintf(rej, sizeof rej, "%s/rejects.csv", w.f->dir);
    import_report rep;
    assert_int_equal(run_import(&w, "scans", text, false, rej, &rep, &err), 0);
    char got[128];
    listed(&rep, got, sizeof got);
    assert_string_equal(got, "5:time");
    assert_int_equal(rep.imported, 5);
    import_report_free(&rep);
    tube_rec t;
    member_list ml = {0};
    assert_int_equal(store_tube_get(w.f->st, "T0000001", &t, &ml, &err), 0);
    assert_int_equal(ml.n, 5);
    int64_t want[5] = {m + 10, m + 11, m + 12 - 60, m + 13, m + 59};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(ml.items[i].scanned_at, want[i]);
    member_list_free(&ml);
    free_world(&w);
}

/* ---- results ------------------------------------------------------------------------ */

/* T1 (persons 0, 1) and T2 (2) closed and received by lab; T3 (3) closed, its box
 * handed over only; T4 (4) received with a result already. */
static void results_world(world *w)
{
    store *st = w->f->st;
    fk_err err;
    const char *codes[] = {"T0000001", "T0000002", "T0000003", "T0000004"};
    int64_t ids[4];
    for (int i = 0; i < 4; i++) {
        tube_rec t;
        assert_int_equal(store_tube_get(st, codes[i], &t, NULL, &err), 0);
        ids[i] = t.id;
        for (int k = 0; k < (i == 0 ? 2 : 1); k++) {
            member_rec m = {.person_id = w->pid[i == 0 ? k : i + 1], .round_id = w->round,
                            .scanned_at = w->now - 600, .scanned_by = "s"};
            assert_int_equal(store_tube_scan(st, t.id, 20, &m, NULL, &err), 0);
        }
        assert_int_equal(store_tube_close(st, t.id, "s", w->now - 500, NULL, &err), 0);
    }
    box_rec b1 = {.round_id = w->round, .site_id = w->site, .packed_at = w->now - 400,
                  .packed_by = "s", .code = "BOX00001"};
    box_rec b2 = b1;
    snprintf(b2.code, sizeof b2.code, "BOX00002");
    int64_t in1[] = {ids[0], ids[1], ids[3]}, in2[] = {ids[2]};
    assert_int_equal(store_box_pack(st, &b1, in1, 3, NULL, &err), 0);
    assert_int_equal(store_box_pack(st, &b2, in2, 1, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b1.id, "王", "s", w->now - 300, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b2.id, "王", "s", w->now - 300, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b1.id, w->lab, "l", w->now - 200, NULL, &err), 0);
    result_rec r = {.tube_id = ids[3], .lab_id = w->lab, .reported_at = w->now - 100,
                    .reported_by = "l", .result = "negative"};
    assert_int_equal(store_results_add(st, &r, 1, NULL, &err), 0);
}

static void rline(strbuf *sb, const char *tube, const char *what, const char *ct, int64_t lab,
                  int64_t at)
{
    char when[21];
    fk_instant_format(at, when);
    sb_appendf(sb, "%s,%s,%s,%lld,%s\n", tube, what, ct, (long long)lab, when);
}

static void results_rules(bool bulk)
{
    world w;
    make_world(&w);
    results_world(&w);
    store *st = w.f->st;
    fk_err err;
    int64_t t = w.now - 50;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "T0000001", "positive", "24.5,26", w.lab, t);   /* 2 good */
    rline(&sb, "T0000003", "negative", ",", w.lab, t);         /* 3 not received */
    rline(&sb, "T0000004", "negative", ",", w.lab, t);         /* 4 has a result */
    rline(&sb, "T0000001", "negative", ",", w.lab, t);         /* 5 twice in the file */
    rline(&sb, "T0000002", "positive", "24,", w.lab, t);       /* 6 positive without N */
    rline(&sb, "T0000002", "negative", "30,31", w.lab, t);     /* 7 Ct on a negative */
    rline(&sb, "T0000002", "positive", "0,31", w.lab, t);      /* 8 Ct 0 */
    rline(&sb, "T0000002", "positive", "30,45.5", w.lab, t);   /* 9 Ct over 45 */
    rline(&sb, "T0000002", "unclear", ",", w.lab, t);          /* 10 */
    rline(&sb, "T0000002", "negative", ",", w.lab2, t);        /* 11 another lab */
    rline(&sb, "T0000002", "negative", ",", 999, t);           /* 12 no lab */
    rline(&sb, "T0000002", "negative", ",", w.lab, w.now - 250); /* 13 before receipt */
    rline(&sb, "T0000009", "negative", ",", w.lab, t);         /* 14 never issued */
    rline(&sb, "T0000002", "invalid", ",", w.lab, t);          /* 15 good */
    import_report rep;
    assert_int_equal(run_import(&w, "results", sb_str(&sb), bulk, NULL, &rep, &err), -1);
    char got[1024];
    listed(&rep, got, sizeof got);
    assert_string_equal(got, "3:tube,4:tube,5:tube,6:ct_n,7:ct_orf1ab,8:ct_orf1ab,9:ct_n,"
                             "10:result,11:lab,12:lab,13:time,14:tube");
    /* the tubes the memory does not hold, each looked up alone (store_bulk_tube_probe) */
    assert_string_equal(rep.items[0].message, "T0000003 has not been received by a lab: "
                        "its box is handed_over");
    assert_string_equal(rep.items[1].message, "T0000004 has a result (negative): a "
                        "correction goes through the API, with a reason");
    assert_string_equal(rep.items[11].message, "T0000009 was never issued");
    import_report_free(&rep);
    result_list h = {0};
    tube_rec t1;
    assert_int_equal(store_tube_get(st, "T0000001", &t1, NULL, &err), 0);
    assert_int_equal(store_tube_results(st, t1.id, &h, &err), 0);
    assert_int_equal(h.n, 0); /* nothing changed */

    assert_int_equal(run_import(&w, "results", sb_str(&sb), bulk, "", &rep, &err), -1);
    char rej[512];
    snprintf(rej, sizeof rej, "%s/rejects.csv", w.f->dir);
    assert_int_equal(run_import(&w, "results", sb_str(&sb), bulk, rej, &rep, &err), 0);
    assert_int_equal(rep.imported, 2);
    import_report_free(&rep);
    assert_int_equal(store_tube_results(st, t1.id, &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.items[0].result, "positive");
    assert_true(h.items[0].ct_orf1ab == 24.5 && h.items[0].ct_n == 26);
    assert_int_equal(h.items[0].reported_at, t);
    result_list_free(&h);
    /* the positive was followed up inside the import: audited as from the API */
    audit_filter af = {.entity = "tube", .entity_id = t1.id, .limit = 10};
    audit_list al = {0};
    assert_int_equal(store_audit_list(st, &af, &al, &err), 0);
    int positives = 0;
    for (size_t i = 0; i < al.n; i++)
        positives += !strcmp(al.items[i].action, "positive");
    assert_int_equal(positives, 1);
    audit_list_free(&al);
    sb_free(&sb);
    free_world(&w);
}

static void results_rules_small(void **state)
{
    (void)state;
    results_rules(false);
}

static void results_rules_bulk(void **state)
{
    (void)state;
    results_rules(true);
}

/* A bulk file's reader thread starts before the import's unit (it prepares its read,
 * then waits for the first row): a file refused at its header, one with no row and a dry
 * run each end it, and the next import still reads and writes (no thread, connection or
 * lock left behind: the sanitizer run checks the leaks). */
static void results_reader_ends_without_rows(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    results_world(&w);
    store *st = w.f->st;
    fk_err err;
    import_report rep;
    /* no time column: refused at the header, the reader never told to read */
    assert_int_equal(run_import(&w, "results", "tube,result,lab\nT0000001,negative,1\n",
                                true, NULL, &rep, &err), -1);
    assert_non_null(strstr(err.message, "header"));
    char got[64];
    listed(&rep, got, sizeof got);
    assert_string_equal(got, "1:time");
    import_report_free(&rep);
    /* a header and no row */
    assert_int_equal(run_import(&w, "results", "tube,result,ct_orf1ab,ct_n,lab,time\n", true,
                                NULL, &rep, &err), 0);
    assert_int_equal(rep.rows, 0);
    import_report_free(&rep);
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "T0000001", "negative", ",", w.lab, w.now - 50);
    rline(&sb, "T0000002", "negative", ",", w.lab, w.now - 50);
    /* a dry run reads the tubes outside any unit and writes nothing */
    import_opts o = {.policy = w.pol, .dry_run = true};
    char *path = write_file(&w, "dry.csv", sb_str(&sb), true);
    assert_int_equal(import_file(st, &w.a, "results", path, &o, &rep, &err), 0);
    free(path);
    assert_int_equal(rep.rows, 2);
    assert_int_equal(rep.imported, 0);
    import_report_free(&rep);
    result_list h = {0};
    tube_rec t1;
    assert_int_equal(store_tube_get(st, "T0000001", &t1, NULL, &err), 0);
    assert_int_equal(store_tube_results(st, t1.id, &h, &err), 0);
    assert_int_equal(h.n, 0);
    /* then the file for real */
    assert_int_equal(run_import(&w, "results", sb_str(&sb), true, NULL, &rep, &err), 0);
    assert_int_equal(rep.imported, 2);
    import_report_free(&rep);
    assert_int_equal(store_tube_results(st, t1.id, &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.items[0].result, "negative");
    result_list_free(&h);
    sb_free(&sb);
    free_world(&w);
}

/* ---- the bulk write's own checks -------------------------------------------------------- */

static int64_t tube_id_of(store *st, const char *code)
{
    fk_err err;
    tube_rec t;
    assert_int_equal(store_tube_get(st, code, &t, NULL, &err), 0);
    return t.id;
}

/* The tubes that may take a first result, as the bulk import reads them (on the import's
 * handle, and on a connection of its own inside the unit): the received boxes' tubes
 * without a result, box by box in packing order, each with its box's lab and receipt and
 * its site's area; not T3 (its box handed over only), not T4 (a result already). */
typedef struct got_tubes {
    received_tube t[8];
    size_t n;
} got_tubes;

static int keep_received(void *ctx, const received_tube *t)
{
    got_tubes *g = ctx;
    assert_true(g->n < 8);
    g->t[g->n++] = *t;
    return 0;
}

static void received_are(const world *w, const got_tubes *g)
{
    assert_int_equal(g->n, 3);
    const char *want[3] = {"T0000001", "T0000002", "T2000001"};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(g->t[i].barcode, want[i]);
        assert_int_equal(g->t[i].tube_id, tube_id_of(w->f->st, want[i]));
        assert_int_equal(g->t[i].lab_id, i < 2 ? w->lab : w->lab2);
        assert_int_equal(g->t[i].received_at, w->now - (i < 2 ? 200 : 150));
        assert_int_equal(g->t[i].size, i < 2 ? 20 : 10);
        assert_string_equal(g->t[i].site_area, i < 2 ? "510104001001" : "510104001002");
    }
}

/* The received tubes through the store's handle (own false) or a reader of its own,
 * inside a unit as the import reads them (own true). */
static void read_received(store *st, bool own, got_tubes *g)
{
    fk_err err;
    if (!own) {
        assert_int_equal(store_bulk_received_tubes(st, keep_received, g, &err), 0);
        return;
    }
    assert_int_equal(store_begin(st, &err), 0);
    bulk_reader *r = store_bulk_reader_open(st, &err);
    assert_non_null(r);
    assert_int_equal(store_bulk_reader_received_tubes(r, keep_received, g, &err), 0);
    store_bulk_reader_close(r);
    store_rollback(st);
}

/* Tubes the bulk read does not hold are looked up one by one (store_bulk_tube_probe),
 * with the API's reasons: a tube in no box, one with a result, one whose site is outside
 * the importer's area (as if never issued, to a community's staff), which an importer of
 * the whole city then gives its result. */
static void results_tubes_looked_up_alone(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    results_world(&w);
    fk_err err;
    int64_t t = w.now - 50;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "TP000001", "negative", ",", w.lab, t); /* 2 in no box */
    rline(&sb, "T0000004", "negative", ",", w.lab, t); /* 3 has a result */
    import_report rep;
    assert_int_equal(run_import(&w, "results", sb_str(&sb), false, NULL, &rep, &err), -1);
    assert_int_equal(rep.n, 2);
    assert_string_equal(rep.items[0].message, "TP000001 has not been received by a lab");
    assert_string_equal(rep.items[1].message, "T0000004 has a result (negative): a "
                        "correction goes through the API, with a reason");
    import_report_free(&rep);
    sb_free(&sb);
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "T0000002", "negative", ",", w.lab, t);
    snprintf(w.a.area_code, sizeof w.a.area_code, "510104001002");
    assert_int_equal(run_import(&w, "results", sb_str(&sb), false, NULL, &rep, &err), -1);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.items[0].message, "T0000002 was never issued");
    import_report_free(&rep);
    w.a.area_code[0] = '\0';
    assert_int_equal(run_import(&w, "results", sb_str(&sb), false, NULL, &rep, &err), 0);
    assert_int_equal(rep.imported, 1);
    import_report_free(&rep);
    sb_free(&sb);
    free_world(&w);
}

/* T2000001 (person 5) of site2, moved to another area, in a box received by lab2. */
static void second_box(world *w)
{
    store *st = w->f->st;
    fk_err err;
    int64_t id = tube_id_of(st, "T2000001");
    member_rec m = {.person_id = w->pid[5], .round_id = w->round, .scanned_at = w->now - 600,
                    .scanned_by = "s"};
    assert_int_equal(store_tube_scan(st, id, 10, &m, NULL, &err), 0);
    assert_int_equal(store_tube_close(st, id, "s", w->now - 500, NULL, &err), 0);
    assert_int_equal(fixture_exec(w->f, "UPDATE sampling_sites SET area_code = '510104001002' "
                                    "WHERE id = (SELECT site_id FROM tubes WHERE barcode = "
                                    "'T2000001')"), 0);
    box_rec b = {.round_id = w->round, .site_id = w->site2, .packed_at = w->now - 400,
                 .packed_by = "s", .code = "BOX00003"};
    assert_int_equal(store_box_pack(st, &b, &id, 1, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b.id, "王", "s", w->now - 300, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b.id, w->lab2, "l", w->now - 150, NULL, &err), 0);
}

/* The world of the received tubes' tests: results_world's boxes and second_box. */
static void received_world(world *w)
{
    make_world(w);
    results_world(w);
    second_box(w);
}

/* Both read paths give received_are's tubes. */
static void received_both_are(const world *w)
{
    for (int own = 0; own < 2; own++) {
        got_tubes g = {0};
        read_received(w->f->st, own, &g);
        received_are(w, &g);
    }
}

static void results_received_tubes(void **state)
{
    (void)state;
    world w;
    received_world(&w);
    received_both_are(&w);
    free_world(&w);
}

/* A box whose first and last packed tubes have a result is taken as done: the bulk read
 * leaves out its tubes (BOX1's T0000002, between T0000001 and T0000004), and a file
 * giving T0000002 its result, large enough for the bulk read, still takes it (looked up
 * alone). */
static void results_received_tubes_settled(void **state)
{
    (void)state;
    world w;
    received_world(&w);
    store *st = w.f->st;
    fk_err err;
    result_rec r = {.tube_id = tube_id_of(st, "T0000001"), .lab_id = w.lab,
                    .reported_at = w.now - 90, .reported_by = "l", .result = "negative"};
    assert_int_equal(store_results_add(st, &r, 1, NULL, &err), 0);
    for (int own = 0; own < 2; own++) {
        got_tubes g = {0};
        read_received(st, own, &g);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.t[0].barcode, "T2000001");
    }
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "T0000002", "negative", ",", w.lab, w.now - 50);
    import_report rep;
    assert_int_equal(run_import(&w, "results", sb_str(&sb), true, NULL, &rep, &err), 0);
    assert_int_equal(rep.imported, 1);
    import_report_free(&rep);
    result_list h = {0};
    assert_int_equal(store_tube_results(st, tube_id_of(st, "T0000002"), &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.items[0].result, "negative");
    result_list_free(&h);
    sb_free(&sb);
    free_world(&w);
}

/* A box whose tubes' ids spread wide (T0000001 given a far id behind the store's back) is
 * checked for results tube by tube, not by one read of its run of ids: T0000004, of the
 * same box, still left out for its result. */
static void results_received_tubes_spread(void **state)
{
    (void)state;
    world w;
    received_world(&w);
    store *st = w.f->st;
    char sql[200];
    int64_t id = tube_id_of(st, "T0000001");
    snprintf(sql, sizeof sql, "UPDATE box_tubes SET tube_id = 1000000 WHERE tube_id = %lld; "
             "UPDATE tubes SET id = 1000000 WHERE id = %lld", (long long)id, (long long)id);
    assert_int_equal(fixture_exec(w.f, sql), 0);
    received_both_are(&w);
    free_world(&w);
}

/* A tube whose site is not its box's (box_tubes_guard refuses it; written here behind the
 * guard's back) is not read by either path: the import looks it up one by one. */
static void results_received_tubes_site(void **state)
{
    (void)state;
    world w;
    received_world(&w);
    store *st = w.f->st;
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE tubes SET site_id = %lld WHERE barcode = 'T0000002'",
             (long long)w.site2);
    assert_int_equal(fixture_exec(w.f, sql), 0);
    for (int own = 0; own < 2; own++) {
        got_tubes g = {0};
        read_received(st, own, &g);
        assert_int_equal(g.n, 2);
        assert_string_equal(g.t[0].barcode, "T0000001");
        assert_int_equal(g.t[0].lab_id, w.lab);
        assert_string_equal(g.t[1].barcode, "T2000001");
        assert_int_equal(g.t[1].lab_id, w.lab2);
        assert_string_equal(g.t[1].site_area, "510104001002");
    }
    free_world(&w);
}

/* A file in the reverse of the order the tubes are read (the lookup's fast path is the
 * read order; any other order goes through the map): a repeat after it is still named,
 * and without it both rows are written. */
static void results_out_of_order(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    results_world(&w);
    fk_err err;
    int64_t t = w.now - 50;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "T0000002", "negative", ",", w.lab, t);
    rline(&sb, "T0000001", "negative", ",", w.lab, t);
    rline(&sb, "T0000002", "invalid", ",", w.lab, t);          /* 4 twice in the file */
    import_report rep;
    assert_int_equal(run_import(&w, "results", sb_str(&sb), true, NULL, &rep, &err), -1);
    char got[256];
    listed(&rep, got, sizeof got);
    assert_string_equal(got, "4:tube");
    import_report_free(&rep);
    sb_free(&sb);
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "T0000002", "negative", ",", w.lab, t);
    rline(&sb, "T0000001", "invalid", ",", w.lab, t);
    assert_int_equal(run_import(&w, "results", sb_str(&sb), true, NULL, &rep, &err), 0);
    assert_int_equal(rep.imported, 2);
    import_report_free(&rep);
    result_list h = {0};
    assert_int_equal(store_tube_results(w.f->st, tube_id_of(w.f->st, "T0000001"), &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.items[0].result, "invalid");
    result_list_free(&h);
    sb_free(&sb);
    free_world(&w);
}

/* The import keeps the rows the follow-up acts on itself (not negative, or a single
 * tube's), placed among the good rows: with bad rows between them (--skip-bad) the
 * positive pool's holds name its own result, the negative pool makes none; then a
 * single tube's negative, after a bad row, releases its person's hold and only it. */
static void results_follow_up_rows(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    results_world(&w);
    store *st = w.f->st;
    fk_err err;
    int64_t t = w.now - 50;
    char rej[512];
    snprintf(rej, sizeof rej, "%s/rejects.csv", w.f->dir);
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "T0000003", "negative", ",", w.lab, t);       /* 2 not received */
    rline(&sb, "T0000002", "negative", ",", w.lab, t);       /* 3 good */
    rline(&sb, "T0000009", "negative", ",", w.lab, t);       /* 4 never issued */
    rline(&sb, "T0000001", "positive", "24,26", w.lab, t);   /* 5 good: a pool of 2 */
    import_report rep;
    assert_int_equal(run_import(&w, "results", sb_str(&sb), true, rej, &rep, &err), 0);
    assert_int_equal(rep.imported, 2);
    import_report_free(&rep);
    result_list h = {0};
    int64_t t1 = tube_id_of(st, "T0000001"), t2 = tube_id_of(st, "T0000002");
    assert_int_equal(store_tube_results(st, t1, &h, &err), 0);
    assert_int_equal(h.n, 1);
    int64_t positive = h.items[0].id;
    result_list_free(&h);
    hold_list hl = {0};
    hold_filter f = {.tube_id = t1, .limit = 10};
    assert_int_equal(store_hold_list(st, &f, &hl, &err), 0);
    assert_int_equal(hl.n, 2);
    for (size_t i = 0; i < hl.n; i++) {
        assert_int_equal(hl.items[i].result_id, positive);
        assert_string_equal(hl.items[i].state, "held");
    }
    hold_list_free(&hl);
    f.tube_id = t2;
    assert_int_equal(store_hold_list(st, &f, &hl, &err), 0);
    assert_int_equal(hl.n, 0);
    hold_list_free(&hl);

    /* the first member re-sampled alone (a tube of one, in another round), boxed and
     * received */
    const char *single[] = {"T4000001"};
    int64_t again = add_round(st, "open", w.now, "复核轮");
    add_site(st, again, single, 1);
    int64_t ts = tube_id_of(st, "T4000001");
    member_rec m = {.person_id = w.pid[0], .round_id = again, .scanned_at = w.now + 100,
                    .scanned_by = "s"};
    assert_int_equal(store_tube_scan(st, ts, 1, &m, NULL, &err), 0);
    assert_int_equal(store_tube_close(st, ts, "s", w.now + 110, NULL, &err), 0);
    tube_rec tr;
    assert_int_equal(store_tube_get(st, "T4000001", &tr, NULL, &err), 0);
    box_rec b = {.round_id = again, .site_id = tr.site_id, .packed_at = w.now + 120,
                 .packed_by = "s", .code = "BOX00003"};
    assert_int_equal(store_box_pack(st, &b, &ts, 1, NULL, &err), 0);
    assert_int_equal(store_box_hand_over(st, b.id, "王", "s", w.now + 130, NULL, &err), 0);
    assert_int_equal(store_box_receive(st, b.id, w.lab, "l", w.now + 140, NULL, &err), 0);
    sb_free(&sb);
    sb_append(&sb, "tube,result,ct_orf1ab,ct_n,lab,time\n");
    rline(&sb, "T0000009", "negative", ",", w.lab, w.now + 150); /* 2 never issued */
    rline(&sb, "T4000001", "negative", ",", w.lab, w.now + 150); /* 3 good */
    assert_int_equal(run_import(&w, "results", sb_str(&sb), true, rej, &rep, &err), 0);
    assert_int_equal(rep.imported, 1);
    import_report_free(&rep);
    f.tube_id = t1;
    assert_int_equal(store_hold_list(st, &f, &hl, &err), 0);
    assert_int_equal(hl.n, 2);
    for (size_t i = 0; i < hl.n; i++)
        assert_string_equal(hl.items[i].state,
                            hl.items[i].person_id == w.pid[0] ? "released" : "held");
    hold_list_free(&hl);
    sb_free(&sb);
    free_world(&w);
}

/* store_scans_add refuses, all or none, what the schema's triggers and foreign keys
 * refuse row by row (it writes with them off and checks each batch at once), and leaves
 * them on for every other write: the API's scan into a closed tube or of an unknown
 * person is still refused by the schema. */
static void scans_add_checks(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    store *st = w.f->st;
    fk_err err;
    site_rec ps;
    assert_int_equal(store_site_get(st, w.psite, &ps, &err), 0);
    int64_t t1 = tube_id_of(st, "T0000001"), t2 = tube_id_of(st, "T0000002"),
            t3 = tube_id_of(st, "T0000003");
    scan_row ok[2] = {
        {.tube_id = t1, .person_id = w.pid[0], .round_id = w.round, .at = w.now, .size = 5,
         .place = 1, .opens = 1},
        {.tube_id = t1, .person_id = w.pid[1], .round_id = w.round, .at = w.now, .size = 5,
         .place = 2},
    };
    assert_int_equal(store_scans_add(st, ok, 2, "t", &err), 0);
    tube_is(st, "T0000001", "open", 5, 2);

    scan_row not_open = {.tube_id = t2, .person_id = w.pid[2], .round_id = w.round,
                         .at = w.now, .size = 5, .place = 1};
    scan_row other_round = {.tube_id = t1, .person_id = w.pid[3], .round_id = ps.round_id,
                            .at = w.now, .size = 5, .place = 3};
    scan_row nobody = {.tube_id = t1, .person_id = 999999, .round_id = w.round, .at = w.now,
                       .size = 5, .place = 3};
    scan_row over[3] = {
        {.tube_id = t3, .person_id = w.pid[4], .round_id = w.round, .at = w.now, .size = 2,
         .place = 1, .opens = 1},
        {.tube_id = t3, .person_id = w.pid[5], .round_id = w.round, .at = w.now, .size = 2,
         .place = 2},
        {.tube_id = t3, .person_id = w.pid[6], .round_id = w.round, .at = w.now, .size = 2,
         .place = 3, .closes = 1},
    };
    scan_row twice = {.tube_id = t1, .person_id = w.pid[0], .round_id = w.round, .at = w.now,
                      .size = 5, .place = 3};
    /* places: the tube's next one (3), once, in order */
    scan_row gap = {.tube_id = t1, .person_id = w.pid[3], .round_id = w.round, .at = w.now,
                    .size = 5, .place = 4};
    scan_row taken = {.tube_id = t1, .person_id = w.pid[3], .round_id = w.round, .at = w.now,
                      .size = 5, .place = 2};
    scan_row skipping[2] = {
        {.tube_id = t1, .person_id = w.pid[3], .round_id = w.round, .at = w.now, .size = 5,
         .place = 3},
        {.tube_id = t1, .person_id = w.pid[8], .round_id = w.round, .at = w.now, .size = 5,
         .place = 5},
    };
    assert_int_equal(store_scans_add(st, &not_open, 1, "t", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(store_scans_add(st, &other_round, 1, "t", &err), -1);
    assert_int_equal(store_scans_add(st, &nobody, 1, "t", &err), -1);
    assert_int_equal(store_scans_add(st, over, 3, "t", &err), -1);
    assert_int_equal(store_scans_add(st, &twice, 1, "t", &err), -1);
    assert_int_equal(store_scans_add(st, &gap, 1, "t", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(store_scans_add(st, &taken, 1, "t", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_int_equal(store_scans_add(st, skipping, 2, "t", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    /* all or none: nothing of the refused batches stayed */
    tube_is(st, "T0000001", "open", 5, 2);
    tube_is(st, "T0000002", "issued", 0, 0);
    tube_is(st, "T0000003", "issued", 0, 0);
    member_list ml = {0};
    assert_int_equal(store_person_samples(st, w.pid[4], &ml, &err), 0);
    assert_int_equal(ml.n, 0);
    member_list_free(&ml);

    /* runs of tubes interleaved in a batch: each at its own next places, members in
     * place order (the member id is tube * 128 + place) */
    scan_row mixed[3] = {
        {.tube_id = t2, .person_id = w.pid[9], .round_id = w.round, .at = w.now, .size = 5,
         .place = 1, .opens = 1},
        {.tube_id = t3, .person_id = w.pid[10], .round_id = w.round, .at = w.now, .size = 5,
         .place = 1, .opens = 1},
        {.tube_id = t2, .person_id = w.pid[11], .round_id = w.round, .at = w.now + 1,
         .size = 5, .place = 2},
    };
    assert_int_equal(store_scans_add(st, mixed, 3, "t", &err), 0);
    tube_is(st, "T0000002", "open", 5, 2);
    tube_is(st, "T0000003", "open", 5, 1);
    tube_rec tr;
    assert_int_equal(store_tube_get(st, "T0000002", &tr, &ml, &err), 0);
    assert_int_equal(ml.n, 2);
    assert_int_equal(ml.items[0].person_id, w.pid[9]);
    assert_int_equal(ml.items[0].id, t2 * 128 + 1);
    assert_int_equal(ml.items[1].person_id, w.pid[11]);
    assert_int_equal(ml.items[1].id, t2 * 128 + 2);
    member_list_free(&ml);

    /* the schema's own checks are on again for the API's writes */
    member_rec m = {.person_id = 999999, .round_id = w.round, .scanned_at = w.now,
                    .scanned_by = "t"};
    assert_int_equal(store_tube_scan(st, t1, 5, &m, NULL, &err), -1);
    assert_int_equal(store_tube_close(st, t1, "t", w.now, NULL, &err), 0);
    m.person_id = w.pid[7];
    assert_int_equal(store_tube_scan(st, t1, 5, &m, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    tube_is(st, "T0000001", "closed", 5, 2);
    free_world(&w);
}

/* The single integer of `sql` on the store's file; SQLITE_OK or the code. */
static int raw_int(const fixture *f, const char *sql, int64_t *out)
{
    char path[600];
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    snprintf(path, sizeof path, "%s/fangkong.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        *out = sqlite3_column_int64(q, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc;
}

/* store_results_add_checked writes what its caller checked in the same unit and only
 * that: refused outside a unit (the reads its rules rest on would not be the writer's),
 * without a reporter, and for a row breaking the schema's CHECKs (written with them off,
 * so checked by the call itself: nothing written); inside one, rows written in order
 * with consecutive ids, the reporter on each, and the answers version moved once. The
 * other writers stay checked by the store: a box's batch naming a tube with a result,
 * or not received, is refused. */
static void results_add_checked(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    results_world(&w);
    store *st = w.f->st;
    fk_err err;
    int64_t t1 = tube_id_of(st, "T0000001"), t2 = tube_id_of(st, "T0000002"),
            t3 = tube_id_of(st, "T0000003"), t4 = tube_id_of(st, "T0000004");
    checked_result r[2] = {
        {.tube_id = t1, .lab_id = w.lab, .reported_at = w.now - 50, .result = "negative"},
        {.tube_id = t2, .lab_id = w.lab, .reported_at = w.now - 50, .result = "invalid"},
    };
    assert_int_equal(store_results_add_checked(st, r, 2, "l", &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    result_list h = {0};
    assert_int_equal(store_tube_results(st, t1, &h, &err), 0);
    assert_int_equal(h.n, 0);
    /* a box's batch is still checked by the store: T4 has a result, T3 was not received */
    result_rec bad[2] = {
        {.tube_id = t1, .lab_id = w.lab, .reported_at = w.now - 50, .reported_by = "l",
         .result = "negative"},
        {.tube_id = t4, .lab_id = w.lab, .reported_at = w.now - 50, .reported_by = "l",
         .result = "invalid"},
    };
    assert_int_equal(store_results_add(st, bad, 2, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    bad[1].tube_id = t3;
    assert_int_equal(store_results_add(st, bad, 2, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    int64_t v0 = 0, v1 = 0;
    assert_int_equal(store_code_answers_version(st, &v0, &err), 0);
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_results_add_checked(st, r, 2, "", &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    /* the schema's CHECKs, checked by the call: an unknown result, a positive without its
     * Ct values, a negative with them, a Ct out of (0, 45] */
    checked_result odd[4] = {r[0], r[0], r[0], r[0]};
    snprintf(odd[0].result, sizeof odd[0].result, "maybe");
    snprintf(odd[1].result, sizeof odd[1].result, "positive");
    odd[2].has_ct = 1, odd[2].ct_orf1ab = 30, odd[2].ct_n = 30;
    odd[3] = odd[2];
    snprintf(odd[3].result, sizeof odd[3].result, "positive");
    odd[3].ct_n = 45.5;
    for (int i = 0; i < 4; i++) {
        checked_result two[2] = {r[1], odd[i]};
        assert_int_equal(store_results_add_checked(st, two, 2, "l", &err), -1);
        assert_int_equal(err.code, FK_EINVAL);
        assert_non_null(strstr(err.message, "row 1"));
    }
    assert_int_equal(store_results_add_checked(st, r, 2, "l", &err), 0);
    assert_int_equal(store_commit(st, &err), 0);
    assert_int_equal(r[0].id, store_first_result_id(r[0].tube_id));
    assert_int_equal(r[1].id, store_first_result_id(r[1].tube_id));
    assert_int_equal(store_code_answers_version(st, &v1, &err), 0);
    assert_int_equal(v1, v0 + 1);
    assert_int_equal(store_tube_results(st, t2, &h, &err), 0);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.items[0].result, "invalid");
    assert_string_equal(h.items[0].reported_by, "l");
    assert_int_equal(h.items[0].id, r[1].id);
    result_list_free(&h);
    /* the connection's CHECKs are on again: a correction of T2 to positive without its
     * Ct values is refused by the schema, the same with them goes in */
    result_rec fix = {.tube_id = t2, .lab_id = w.lab, .reported_at = w.now - 40,
                      .reported_by = "l", .result = "positive", .replaces = r[1].id,
                      .reason = "re-read"};
    assert_int_equal(store_results_add(st, &fix, 1, NULL, &err), -1);
    assert_int_equal(store_tube_results(st, t2, &h, &err), 0);
    assert_int_equal(h.n, 1);
    result_list_free(&h);
    fix.has_ct = 1, fix.ct_orf1ab = 30, fix.ct_n = 31;
    assert_int_equal(store_results_add(st, &fix, 1, NULL, &err), 0);
    free_world(&w);
}

/* store_results_checked_hold: refused outside a unit; while on, two calls write with the
 * checks off and each moves the answers' version; off (or the unit's end, a rollback
 * here) puts the schema's checks back: T3 (never received) then refused by the trigger
 * and a positive without Ct by the CHECKs, as before any hold. */
static void results_checked_hold(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    results_world(&w);
    store *st = w.f->st;
    fk_err err;
    int64_t t1 = tube_id_of(st, "T0000001"), t2 = tube_id_of(st, "T0000002"),
            t3 = tube_id_of(st, "T0000003");
    assert_int_equal(store_results_checked_hold(st, true, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    checked_result a = {.tube_id = t1, .lab_id = w.lab, .reported_at = w.now - 50,
                        .result = "negative"},
                   b = a;
    b.tube_id = t2;
    int64_t v0 = 0, v1 = 0;
    assert_int_equal(store_code_answers_version(st, &v0, &err), 0);
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_results_checked_hold(st, true, &err), 0);
    assert_int_equal(store_results_checked_hold(st, true, &err), 0);
    assert_int_equal(store_results_add_checked(st, &a, 1, "l", &err), 0);
    assert_int_equal(store_results_add_checked(st, &b, 1, "l", &err), 0);
    assert_int_equal(b.id, store_first_result_id(t2));
    assert_int_equal(store_results_checked_hold(st, false, &err), 0);
    result_rec unreceived = {.tube_id = t3, .lab_id = w.lab, .reported_at = w.now - 50,
                             .reported_by = "l", .result = "negative"};
    assert_int_equal(store_results_add(st, &unreceived, 1, NULL, &err), -1);
    assert_int_equal(store_commit(st, &err), 0);
    assert_int_equal(store_code_answers_version(st, &v1, &err), 0);
    assert_int_equal(v1, v0 + 2);
    result_list h = {0};
    assert_int_equal(store_tube_results(st, t2, &h, &err), 0);
    assert_int_equal(h.n, 1);
    result_list_free(&h);
    /* a hold left on ends with its unit */
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_results_checked_hold(st, true, &err), 0);
    store_rollback(st);
    assert_int_equal(store_results_add(st, &unreceived, 1, NULL, &err), -1);
    result_rec fix = {.tube_id = t2, .lab_id = w.lab, .reported_at = w.now - 40,
                      .reported_by = "l", .result = "positive", .replaces = b.id,
                      .reason = "re-read"};
    assert_int_equal(store_results_add(st, &fix, 1, NULL, &err), -1);
    assert_int_equal(store_tube_results(st, t3, &h, &err), 0);
    assert_int_equal(h.n, 0);
    assert_int_equal(store_tube_results(st, t2, &h, &err), 0);
    assert_int_equal(h.n, 1);
    result_list_free(&h);
    free_world(&w);
}

/* The checked writer's runs (64 rows an INSERT, the rest one by one): 150 rows land in
 * order, each with its tube's first result's id and its own values (a positive's Ct in a run and in
 * the tail); a row breaking a CHECK (a positive without Ct) in the middle of a run
 * refuses the whole call and writes nothing. The store does not check receipt here (the
 * caller does: store_testing_bulk.h), so tubes merely issued serve. */
static void results_add_checked_runs(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    store *st = w.f->st;
    fk_err err;
    enum { N = 150 };
    char codes[N][16];
    const char *cp[N];
    for (int i = 0; i < N; i++) {
        snprintf(codes[i], sizeof codes[i], "T3%06d", i + 1);
        cp[i] = codes[i];
    }
    add_site(st, w.round, cp, N);
    checked_result r[N];
    memset(r, 0, sizeof r);
    for (int i = 0; i < N; i++) {
        r[i] = (checked_result){.tube_id = tube_id_of(st, codes[i]), .lab_id = w.lab,
                                .reported_at = w.now - i, .result = "negative"};
        if (i == 70 || i == 140) {
            snprintf(r[i].result, sizeof r[i].result, "positive");
            r[i].has_ct = true;
            r[i].ct_orf1ab = 20 + i / 10.0;
            r[i].ct_n = 21;
        }
    }
    r[100].has_ct = false; /* refused by the call's CHECKs: nothing of the call stays */
    snprintf(r[100].result, sizeof r[100].result, "positive");
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_results_add_checked(st, r, N, "l", &err), -1);
    store_rollback(st);
    result_list h = {0};
    assert_int_equal(store_tube_results(st, r[0].tube_id, &h, &err), 0);
    assert_int_equal(h.n, 0);
    snprintf(r[100].result, sizeof r[100].result, "invalid");
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_results_add_checked(st, r, N, "l", &err), 0);
    assert_int_equal(store_commit(st, &err), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].id, store_first_result_id(r[i].tube_id));
        assert_int_equal(store_tube_results(st, r[i].tube_id, &h, &err), 0);
        assert_int_equal(h.n, 1);
        assert_int_equal(h.items[0].id, r[i].id);
        assert_string_equal(h.items[0].result, r[i].result);
        assert_int_equal(h.items[0].reported_at, w.now - i);
        assert_int_equal(h.items[0].has_ct, i == 70 || i == 140);
        if (h.items[0].has_ct)
            assert_true(h.items[0].ct_orf1ab == 20 + i / 10.0 && h.items[0].ct_n == 21);
        result_list_free(&h);
    }
    free_world(&w);
}

/* The writer of members does not look each person up (its callers read them in the same
 * transaction): it refuses an id outside the persons' range, and migration 0038 keeps a
 * member's person from being deleted by any connection (the foreign key tube_members had),
 * while a person who is a member of no round may still go. */
static void member_person_kept(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    fixture *f = w.f;
    fk_err err;
    int64_t t1 = tube_id_of(f->st, "T0000001"), top = 0;
    assert_int_equal(raw_int(f, "SELECT max(id) FROM persons", &top), SQLITE_OK);
    scan_row beyond = {.tube_id = t1, .person_id = top + 1, .round_id = w.round,
                       .at = w.now, .size = 5, .place = 1, .opens = 1};
    assert_int_equal(store_scans_add(f->st, &beyond, 1, "t", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_non_null(strstr(err.message, "does not exist"));
    beyond.person_id = 0;
    assert_int_equal(store_scans_add(f->st, &beyond, 1, "t", &err), -1);
    tube_is(f->st, "T0000001", "issued", 0, 0);
    scan_row ok = {.tube_id = t1, .person_id = w.pid[0], .round_id = w.round, .at = w.now,
                   .size = 5, .place = 1, .opens = 1};
    assert_int_equal(store_scans_add(f->st, &ok, 1, "t", &err), 0);
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM persons WHERE id = %lld", (long long)w.pid[0]);
    assert_int_equal(fixture_exec(f, sql), SQLITE_CONSTRAINT);
    int64_t n = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM persons WHERE id = %lld",
             (long long)w.pid[0]);
    assert_int_equal(raw_int(f, sql, &n), SQLITE_OK);
    assert_int_equal(n, 1);
    /* a neighbour in the same chunk of slots, not a member: deleted */
    snprintf(sql, sizeof sql, "DELETE FROM persons WHERE id = %lld", (long long)w.pid[29]);
    assert_int_equal(fixture_exec(f, sql), SQLITE_OK);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM persons WHERE id = %lld",
             (long long)w.pid[29]);
    assert_int_equal(raw_int(f, sql, &n), SQLITE_OK);
    assert_int_equal(n, 0);
    free_world(&w);
}

/* A tube id past 0035's 4-byte slots (2^25) is a member like any other since 0038's
 * 5-byte slots, read back by tube, by person and round, by person and through the view;
 * the last id a slot holds (2^33 - 1) too; the next is refused, naming the limit, and
 * changes nothing. */
static void wide_tube_ids(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    fixture *f = w.f;
    fk_err err;
    const int64_t big = 40000000, last = ((int64_t)1 << 33) - 1;
    char sql[320];
    snprintf(sql, sizeof sql, "UPDATE tubes SET id = %lld WHERE barcode = 'T0000002'; "
             "UPDATE tubes SET id = %lld WHERE barcode = 'T0000003'; "
             "UPDATE tubes SET id = %lld WHERE barcode = 'T0000004'",
             (long long)big, (long long)last, (long long)last + 1);
    assert_int_equal(fixture_exec(f, sql), SQLITE_OK);
    scan_row rows[3] = {
        {.tube_id = big, .person_id = w.pid[0], .round_id = w.round, .at = w.now, .size = 5,
         .place = 1, .opens = 1},
        {.tube_id = big, .person_id = w.pid[1], .round_id = w.round, .at = w.now, .size = 5,
         .place = 2},
        {.tube_id = last, .person_id = w.pid[2], .round_id = w.round, .at = w.now, .size = 5,
         .place = 1, .opens = 1},
    };
    if (store_scans_add(f->st, rows, 3, "t", &err) != 0)
        fail_msg("%s", err.message);
    tube_rec t;
    member_list ml = {0};
    assert_int_equal(store_tube_get(f->st, "T0000002", &t, &ml, &err), 0);
    assert_int_equal(ml.n, 2);
    assert_int_equal(ml.items[1].person_id, w.pid[1]);
    assert_int_equal(ml.items[1].id, big * 128 + 2);
    member_list_free(&ml);
    member_rec m;
    assert_int_equal(store_round_member(f->st, w.round, w.pid[2], &m, &err), 1);
    assert_string_equal(m.barcode, "T0000003");
    assert_int_equal(m.id, last * 128 + 1);
    assert_int_equal(store_person_samples(f->st, w.pid[0], &ml, &err), 0);
    assert_int_equal(ml.n, 1);
    assert_int_equal(ml.items[0].tube_id, big);
    member_list_free(&ml);
    int64_t n = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM tube_members WHERE tube_id = %lld",
             (long long)big);
    assert_int_equal(raw_int(f, sql, &n), SQLITE_OK);
    assert_int_equal(n, 2);
    /* a person once per round, whatever the tube's id */
    scan_row again = {.tube_id = big, .person_id = w.pid[2], .round_id = w.round,
                      .at = w.now, .size = 5, .place = 3};
    assert_int_equal(store_scans_add(f->st, &again, 1, "t", &err), -1);
    scan_row past = {.tube_id = last + 1, .person_id = w.pid[3], .round_id = w.round,
                     .at = w.now, .size = 5, .place = 1, .opens = 1};
    assert_int_equal(store_scans_add(f->st, &past, 1, "t", &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    assert_non_null(strstr(err.message, "past the largest"));
    tube_is(f->st, "T0000004", "issued", 0, 0);
    assert_int_equal(store_round_member(f->st, w.round, w.pid[3], &m, &err), 0);
    free_world(&w);
}

/* Migration 0032 on members laid out as 0013 made them (ids of the whole table, tubes
 * interleaved): each tube's members take places 1.. in their old id order (scan order),
 * the tubes' counts and the round-person rule hold, and the guard wants the next place;
 * then 0035 moves them into tube_sets and round_slots, read back the same. */
static void members_migration(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    fixture *f = w.f;
    fk_err err;
    int64_t t1 = tube_id_of(f->st, "T0000001"), t2 = tube_id_of(f->st, "T0000002");
    scan_row rows[3] = {
        {.tube_id = t1, .person_id = w.pid[0], .round_id = w.round, .at = w.now, .size = 5,
         .place = 1, .opens = 1},
        {.tube_id = t1, .person_id = w.pid[1], .round_id = w.round, .at = w.now, .size = 5,
         .place = 2},
        {.tube_id = t2, .person_id = w.pid[2], .round_id = w.round, .at = w.now, .size = 5,
         .place = 1, .opens = 1},
    };
    assert_int_equal(store_scans_add(f->st, rows, 3, "t", &err), 0);
    store_close(f->st);
    f->st = NULL;
    /* 0013's table, ids in scan order across tubes: person 1 (10), person 2 (20), person 0
     * (30): T0000001's places follow the old ids, not the person ids */
    fixture_undo_0044(f);
    assert_int_equal(fixture_exec(f, "PRAGMA foreign_keys = OFF; BEGIN; "
                                 /* first: an ALTER TABLE checks every trigger's tables */
                                 MIGRATION_0038_UNDONE "CREATE TABLE old_members ("
                                 "id INTEGER PRIMARY KEY, tube_id INTEGER NOT NULL, person_id "
                                 "INTEGER NOT NULL, round_id INTEGER NOT NULL, scanned_at "
                                 "INTEGER NOT NULL, scanned_by TEXT NOT NULL, UNIQUE (round_id, "
                                 "person_id)); INSERT INTO old_members SELECT CASE id - tube_id "
                                 "* 128 WHEN 1 THEN (CASE WHEN tube_id = (SELECT min(tube_id) "
                                 "FROM tube_members) THEN 30 ELSE 20 END) ELSE 10 END, tube_id, "
                                 "person_id, round_id, scanned_at, scanned_by FROM tube_members; "
                                 "DROP VIEW tube_members; DROP TABLE tube_sets; DROP TABLE round_slots; "
                                 "ALTER TABLE old_members RENAME TO "
                                 "tube_members; " MIGRATION_0033_UNDONE MIGRATION_0036_UNDONE
                                 MIGRATION_0037_UNDONE
                                 "PRAGMA user_version = 31; COMMIT;"),
                     SQLITE_OK);
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("reopen: %s", err.message);
    assert_int_equal(store_schema_version(f->st), store_schema_latest());
    tube_rec t;
    member_list ml = {0};
    assert_int_equal(store_tube_get(f->st, "T0000001", &t, &ml, &err), 0);
    assert_int_equal(t.n_members, 2);
    assert_int_equal(ml.n, 2);
    assert_int_equal(ml.items[0].person_id, w.pid[1]);
    assert_int_equal(ml.items[0].id, t1 * 128 + 1);
    assert_int_equal(ml.items[1].person_id, w.pid[0]);
    assert_int_equal(ml.items[1].id, t1 * 128 + 2);
    member_list_free(&ml);
    assert_int_equal(store_tube_get(f->st, "T0000002", &t, &ml, &err), 0);
    assert_int_equal(ml.n, 1);
    assert_int_equal(ml.items[0].id, t2 * 128 + 1);
    member_list_free(&ml);
    /* the rules after it: a person once per round, the next place only (the guard) */
    member_rec m = {.person_id = w.pid[0], .round_id = w.round, .scanned_at = w.now,
                    .scanned_by = "t"};
    assert_int_equal(store_tube_scan(f->st, t2, 5, &m, NULL, &err), -1);
    assert_int_equal(err.code, FK_ECONFLICT);
    char sql[256];
    /* 0035's tube_sets_count: a tube's members are its n_members, whoever writes them */
    snprintf(sql, sizeof sql, "UPDATE tube_sets SET members = '[[%lld,1],[%lld,1]]' WHERE "
             "tube_id = %lld", (long long)w.pid[2], (long long)w.pid[3], (long long)t2);
    assert_int_not_equal(fixture_exec(f, sql), SQLITE_OK);
    m.person_id = w.pid[3];
    assert_int_equal(store_tube_scan(f->st, t2, 5, &m, NULL, &err), 0);
    assert_int_equal(m.id, t2 * 128 + 2);
    tube_is(f->st, "T0000002", "open", 5, 2);
    free_world(&w);
}

/* Migration 0039 (applied again on a store with scans: the version set back to 38): the
 * tubes as they were, the state still one of three (the CHECK as comparisons), and the
 * triggers that read tubes back. */
static void tubes_state_check(void **state)
{
    (void)state;
    world w;
    make_world(&w);
    fixture *f = w.f;
    fk_err err;
    int64_t t1 = tube_id_of(f->st, "T0000001");
    scan_row rows[2] = {
        {.tube_id = t1, .person_id = w.pid[0], .round_id = w.round, .at = w.now, .size = 5,
         .place = 1, .opens = 1},
        {.tube_id = t1, .person_id = w.pid[1], .round_id = w.round, .at = w.now, .size = 5,
         .place = 2},
    };
    assert_int_equal(store_scans_add(f->st, rows, 2, "t", &err), 0);
    store_close(f->st);
    f->st = NULL;
    fixture_undo_0044(f);
    assert_int_equal(fixture_exec(f, "PRAGMA user_version = 38"), SQLITE_OK);
    f->st = store_open(f->dir, &err);
    if (!f->st)
        fail_msg("reopen: %s", err.message);
    assert_int_equal(store_schema_version(f->st), store_schema_latest());
    tube_is(f->st, "T0000001", "open", 5, 2);
    tube_is(f->st, "T0000002", "issued", 0, 0);
    int64_t n = 0;
    assert_int_equal(raw_int(f, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                                "name IN ('box_tubes_guard', 'tube_sets_count', "
                                "'tube_sets_count_update')", &n), 0);
    assert_int_equal(n, 3);
    assert_int_not_equal(fixture_exec(f, "UPDATE tubes SET state = 'lost' WHERE barcode = "
                                     "'T0000001'"), SQLITE_OK);
    assert_int_not_equal(fixture_exec(f, "UPDATE tubes SET state = 'closed' WHERE barcode = "
                                     "'T0000001'"), SQLITE_OK);
    tube_is(f->st, "T0000001", "open", 5, 2);
    /* the import goes on from there: the tube's next place */
    scan_row next = {.tube_id = t1, .person_id = w.pid[2], .round_id = w.round, .at = w.now,
                     .size = 5, .place = 3};
    assert_int_equal(store_scans_add(f->st, &next, 1, "t", &err), 0);
    tube_is(f->st, "T0000001", "open", 5, 3);
    free_world(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(u64map_basics),
        cmocka_unit_test(scans_refusals_small),
        cmocka_unit_test(scans_refusals_bulk),
        cmocka_unit_test(scans_fill_small),
        cmocka_unit_test(scans_fill_bulk),
        cmocka_unit_test(scans_residents_kept),
        cmocka_unit_test(scans_times_of_a_minute),
        cmocka_unit_test(results_rules_small),
        cmocka_unit_test(results_rules_bulk),
        cmocka_unit_test(results_reader_ends_without_rows),
        cmocka_unit_test(results_tubes_looked_up_alone),
        cmocka_unit_test(results_received_tubes),
        cmocka_unit_test(results_received_tubes_site),
        cmocka_unit_test(results_received_tubes_spread),
        cmocka_unit_test(results_received_tubes_settled),
        cmocka_unit_test(results_out_of_order),
        cmocka_unit_test(results_follow_up_rows),
        cmocka_unit_test(scans_add_checks),
        cmocka_unit_test(results_add_checked),
        cmocka_unit_test(results_add_checked_runs),
        cmocka_unit_test(results_checked_hold),
        cmocka_unit_test(members_migration),
        cmocka_unit_test(member_person_kept),
        cmocka_unit_test(wide_tube_ids),
        cmocka_unit_test(tubes_state_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
