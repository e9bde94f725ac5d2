/*
 * test_snapshot.c - the trace index saved and memory-mapped back, and extended with new
 * records: every query answers as on the index built in memory from all records, on
 * random data (stays of cells and venues, detections); bad files are refused with an
 * error, never a crash (run it under the san build too).
 *
 * The comparison is made twice: query by query (companions, venue contacts, proximity
 * for every subject over random windows) and array by array where the layouts must be
 * equal (trace_int.h), so a difference shows even where the queries do not look.
 */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "trace/trace.h"
#include "trace/trace_int.h"

#define DAY 86400

enum { NSUBJ = 120, NPLACE = 30, NSTAY = 4000, NDET = 1500 };
static char subj[NSUBJ][16], place[NPLACE][16];
static const char *sources[] = {NULL, "stays", "pings", "checkins", "interview", "demo", "x"};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(uint64_t n)
{
    return test_xorshift(&rng, n);
}

static void names_init(void)
{
    for (int i = 0; i < NSUBJ; i++)
        snprintf(subj[i], sizeof subj[i], "s%03d", i);
    for (int i = 0; i < NPLACE; i++)
        snprintf(place[i], sizeof place[i], "p%02d", i);
}

/* A random stay; places below 5 are venues, the rest take mixed sources. */
static trace_stay rnd_stay(void)
{
    trace_stay s;
    uint64_t p = rnd(NPLACE);
    s.subject = subj[rnd(NSUBJ)];
    s.place = place[p];
    s.start = (int64_t)rnd(20 * DAY);
    s.end = s.start + 60 + (int64_t)(rnd(4) ? rnd(3 * 3600) : rnd(2 * DAY));
    s.source = p < 5 ? sources[3 + rnd(2)] : sources[rnd(3)];
    if (p == 5)
        s.source = sources[5 + rnd(2)];
    return s;
}

typedef struct det { const char *a, *b; int64_t t; } det;

static det rnd_det(void)
{
    uint64_t a = rnd(NSUBJ), b = (a + 1 + rnd(NSUBJ - 1)) % NSUBJ;
    /* clustered times so that detections chain into events */
    return (det){subj[a], subj[b], (int64_t)(rnd(20) * DAY / 2 + rnd(3600))};
}

static void add_all(trace_builder *b, const trace_stay *st, size_t n, const det *d, size_t nd)
{
    fk_err err = {0};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(trace_builder_add(b, &st[i], &err), 0);
    for (size_t i = 0; i < nd; i++)
        assert_int_equal(trace_builder_add_detection(b, d[i].a, d[i].b, d[i].t, &err), 0);
}

static trace_index *build(const trace_stay *st, size_t n, const det *d, size_t nd)
{
    trace_builder *b = trace_builder_new();
    add_all(b, st, n, d, nd);
    fk_err err = {0};
    trace_index *ix = trace_builder_finish(b, &err);
    assert_non_null(ix);
    return ix;
}

static void same_rows(const trace_contact_list *x, const trace_contact_list *y)
{
    assert_int_equal(x->n, y->n);
    for (size_t i = 0; i < x->n; i++)
        assert_memory_equal(&x->items[i], &y->items[i], sizeof x->items[i]);
}

/* Every query kind, for every subject over random windows: the same rows on a and b.
 * Returns how many rows were compared (so the test can check it compared something). */
static size_t same_answers(const trace_index *a, const trace_index *b)
{
    const trace_rules rules[] = {{600, 108000, 14 * DAY}, {300, 20000, 3 * DAY}};
    size_t rows = 0;
    for (int s = 0; s < NSUBJ; s++) {
        int64_t from = (int64_t)rnd(15 * DAY), to = from + 1 + (int64_t)rnd(7 * DAY);
        trace_contact_list x, y;
        fk_err err = {0};
        for (int r = 0; r < 2; r++) {
            assert_int_equal(trace_companions(a, subj[s], from, to, &rules[r], &x, &err), 0);
            assert_int_equal(trace_companions(b, subj[s], from, to, &rules[r], &y, &err), 0);
            same_rows(&x, &y);
            rows += x.n;
            trace_contact_list_free(&x), trace_contact_list_free(&y);
        }
        assert_int_equal(trace_venue_contacts(a, subj[s], from, to, 300, &x, &err), 0);
        assert_int_equal(trace_venue_contacts(b, subj[s], from, to, 300, &y, &err), 0);
        same_rows(&x, &y);
        rows += x.n;
        trace_contact_list_free(&x), trace_contact_list_free(&y);
        assert_int_equal(trace_proximity_contacts(a, subj[s], from, to, 120, 60, &x, &err), 0);
        assert_int_equal(trace_proximity_contacts(b, subj[s], from, to, 120, 60, &y, &err), 0);
        same_rows(&x, &y);
        rows += x.n;
        trace_contact_list_free(&x), trace_contact_list_free(&y);
    }
    return rows;
}

static void same_names(const trace__names *a, const trace__names *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->blob_len, b->blob_len);
    assert_memory_equal(a->blob, b->blob, a->blob_len);
    for (uint32_t i = 0; i < a->n; i++) {
        assert_int_equal(a->off[i], b->off[i]);
        assert_int_equal(trace__names_find(b, trace__name(a, i)), i);
    }
}

#define SAME(f, count) assert_memory_equal(a->f, b->f, (count) * sizeof *a->f)

/* The arrays of two indexes are equal (the hash slots may differ: their lookups not). */
static void same_arrays(const trace_index *a, const trace_index *b)
{
    assert_int_equal(a->nrecords, b->nrecords);
    assert_int_equal(a->nmerged, b->nmerged);
    assert_int_equal(a->npairs, b->npairs);
    assert_int_equal(a->ndetections, b->ndetections);
    same_names(&a->subjects, &b->subjects);
    same_names(&a->places, &b->places);
    size_t ns = a->subjects.n, np = a->places.n, m = a->nmerged, q = a->npairs;
    SAME(start, m), SAME(end, m), SAME(subj, m), SAME(sp_rec, m), SAME(row_pair, m);
    SAME(place_off, np + 1), SAME(place_maxlen, np), SAME(place_src, np);
    SAME(subj_off, ns + 1), SAME(pair_place, q), SAME(pair_off, q + 1), SAME(pair_total, q);
    SAME(prox_off, ns + 1);
    SAME(prox_other, 2 * a->ndetections), SAME(prox_time, 2 * a->ndetections);
}

typedef struct data { trace_stay st[NSTAY]; det d[NDET]; } data;

static data *rnd_data(void)
{
    data *x = malloc(sizeof *x);
    for (int i = 0; i < NSTAY; i++)
        x->st[i] = rnd_stay();
    for (int i = 0; i < NDET; i++)
        x->d[i] = rnd_det();
    return x;
}

static char *snap_path(const char *dir)
{
    char *p = malloc(strlen(dir) + 16);
    sprintf(p, "%s/trace.snap", dir);
    return p;
}

/* Marks with every field distinct, v in the version. */
static trace_snapshot_marks marks_of(uint64_t v)
{
    return (trace_snapshot_marks){v, 1000 + v, 2000 + v, 3000 + v};
}

static void same_marks(const trace_snapshot_marks *a, const trace_snapshot_marks *b)
{
    assert_true(a->version == b->version);
    assert_true(a->stays == b->stays);
    assert_true(a->pings == b->pings);
    assert_true(a->detections == b->detections);
}

static void test_save_open_same_answers(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *ix = build(x->st, NSTAY, x->d, NDET);
    char *dir = test_tmpdir(), *path = snap_path(dir);
    fk_err err = {0};
    trace_snapshot_marks m = marks_of(42), got = {0};
    assert_int_equal(trace_index_save(ix, path, &m, &err), 0);
    trace_index *mx = trace_index_open(path, &got, &err);
    assert_non_null(mx);
    same_marks(&m, &got);
    same_arrays(ix, mx);
    assert_memory_equal(ix->subjects.slots, mx->subjects.slots, ix->subjects.nslots * 4);
    size_t rows = same_answers(ix, mx);
    print_message("snapshot: %zu rows equal\n", rows);
    assert_true(rows > 100);
    assert_int_equal(trace_index_records(mx), NSTAY);
    assert_int_equal(trace_index_detections(mx), NDET);
    /* saving again over it replaces the file; the mapping keeps the old one alive */
    m = marks_of(43);
    assert_int_equal(trace_index_save(ix, path, &m, &err), 0);
    trace_index *again = trace_index_open(path, &got, &err);
    same_marks(&m, &got);
    same_answers(mx, again);
    /* a mapped index can itself be saved (the lead re-saves after an extension) */
    m = marks_of(44);
    assert_int_equal(trace_index_save(mx, path, &m, &err), 0);
    trace_index_free(again);
    trace_index_free(mx);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

static void test_empty_round_trip(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = snap_path(dir);
    fk_err err = {0};
    trace_index *ix = trace_index_build(NULL, 0, &err);
    const trace_snapshot_marks m = {UINT64_MAX, UINT64_MAX - 1, 1, (uint64_t)1 << 40};
    trace_snapshot_marks v = {0};
    assert_int_equal(trace_index_save(ix, path, &m, &err), 0);
    trace_index *mx = trace_index_open(path, &v, &err);
    assert_non_null(mx);
    same_marks(&m, &v);
    trace_index_free(mx);
    /* no marks given: all zero */
    assert_int_equal(trace_index_save(ix, path, NULL, &err), 0);
    mx = trace_index_open(path, &v, &err);
    assert_non_null(mx);
    same_marks(&(trace_snapshot_marks){0}, &v);
    trace_contact_list l;
    const trace_rules r = {600, 0, DAY};
    assert_int_equal(trace_companions(mx, "a", 0, 10, &r, &l, &err), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(trace_proximity_contacts(mx, "a", 0, 10, 20, 1, &l, &err), 0);
    assert_int_equal(l.n, 0);
    trace_index_free(mx);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path);
}

/* ---- bad files ---- */

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *buf = malloc(*n);
    assert_int_equal(fread(buf, 1, *n, f), *n);
    fclose(f);
    return buf;
}

static void spit(const char *path, const unsigned char *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

/* open refuses path with code and a message containing `what`. */
static void expect_refused(const char *path, fk_code code, const char *what)
{
    fk_err err = {0};
    trace_snapshot_marks v = marks_of(7), untouched = marks_of(7);
    assert_null(trace_index_open(path, &v, &err));
    assert_int_equal(err.code, code);
    same_marks(&v, &untouched);
    if (!strstr(err.message, what))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, what);
}

static void test_bad_files_refused(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *ix = build(x->st, 500, x->d, 100);
    char *dir = test_tmpdir(), *path = snap_path(dir), bad[600];
    snprintf(bad, sizeof bad, "%s/bad.snap", dir);
    assert_int_equal(trace_index_save(ix, path, NULL, NULL), 0);
    size_t n;
    unsigned char *good = slurp(path, &n), *buf = malloc(n);
    expect_refused(bad, FK_EIO, "No such file");
    /* truncated: at every length from the empty file to one byte short */
    size_t cuts[] = {0, 1, 64, 127, 128, 129, n / 2, n - 8, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        spit(bad, good, cuts[i]);
        expect_refused(bad, FK_EINVAL, "truncated");
    }
    /* a flipped byte anywhere: checksum (or the header check before it) */
    for (size_t i = 0; i < 200; i++) {
        size_t at = i < 128 ? i : 128 + rnd(n - 128);
        memcpy(buf, good, n);
        buf[at] ^= (unsigned char)(1u << rnd(8));
        spit(bad, buf, n);
        fk_err err = {0};
        assert_null(trace_index_open(bad, NULL, &err));
        assert_int_equal(err.code, FK_EINVAL);
    }
    memcpy(buf, good, n);
    buf[20] ^= 1;        /* the version */
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "checksum");
    memcpy(buf, good, n);
    buf[n - 9] ^= 0x40;  /* the payload */
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "checksum");
    memcpy(buf, good, n);
    memcpy(buf, "FKTRACE2", 8);
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "magic");
    memcpy(buf, good, n);
    buf[12] ^= 0xff;     /* the endianness word */
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "byte order");
    /* a good file with something appended is refused, not half read */
    unsigned char *longer = calloc(1, n + 8);
    memcpy(longer, good, n);
    spit(bad, longer, n + 8);
    expect_refused(bad, FK_EINVAL, "padded");
    /* the good one still opens */
    trace_index *mx = trace_index_open(path, NULL, NULL);
    assert_non_null(mx);
    trace_index_free(mx);
    /* saving into a missing directory fails cleanly */
    char missing[600];
    snprintf(missing, sizeof missing, "%s/no/such/dir.snap", dir);
    fk_err err = {0};
    assert_int_equal(trace_index_save(ix, missing, NULL, &err), -1);
    assert_int_equal(err.code, FK_EIO);
    free(longer), free(buf), free(good);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

/* A file with a valid checksum but an inconsistent array (written by something else):
 * refused by the structure check. Offsets within the file follow walk_arrays(). */
static void expect_structure_refused(const unsigned char *good, size_t n, size_t at,
                                     const void *val, size_t len, const char *bad,
                                     const char *what)
{
    unsigned char *buf = malloc(n);
    memcpy(buf, good, n);
    memcpy(buf + at, val, len);
    uint64_t sum = trace__snapshot_checksum(buf, n);
    memcpy(buf + 24, &sum, 8);        /* the checksum field of the header */
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, what);
    free(buf);
}

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static void test_inconsistent_arrays_refused(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *ix = build(x->st, 500, x->d, 100);
    char *dir = test_tmpdir(), *path = snap_path(dir), bad[600];
    snprintf(bad, sizeof bad, "%s/bad.snap", dir);
    assert_int_equal(trace_index_save(ix, path, NULL, NULL), 0);
    size_t n;
    unsigned char *good = slurp(path, &n);
    /* the arrays after the names: start, end, subj, ... */
    size_t names = 0;
    const trace__names *t[2] = {&ix->subjects, &ix->places};
    for (int i = 0; i < 2; i++)
        names += pad8(t[i]->blob_len) + pad8(t[i]->n * 8) + pad8(t[i]->nslots * 4);
    size_t start = 128 + names, m8 = pad8(ix->nmerged * 8);
    int64_t neg = -5, far = INT64_MAX;
    uint32_t id = ix->subjects.n;
    expect_structure_refused(good, n, start, &neg, 8, bad, "time out of range");
    expect_structure_refused(good, n, start + m8, &far, 8, bad, "time out of range");
    expect_structure_refused(good, n, start + 2 * m8, &id, 4, bad, "id out of range");
    /* the last name not terminated inside the blob */
    expect_structure_refused(good, n, 128 + ix->subjects.blob_len - 1, "x", 1, bad,
                             "name table");
    free(good);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

/* ---- format 2: the marks ---- */

/* Header offsets of format 1's reserved words, which format 2 gives to the marks. */
enum { OFF_FORMAT = 8, OFF_MARKS = 104 };

static uint64_t word_at(const unsigned char *buf, size_t at)
{
    uint64_t w;
    memcpy(&w, buf + at, 8);
    return w;
}

/* The marks live in the header's last three words (the size stays 128: counts and
 * arrays did not move), and a format-1 file, whose marks were zero, is refused. */
static void test_marks_in_header_and_format1_refused(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *ix = build(x->st, 300, x->d, 50);
    char *dir = test_tmpdir(), *path = snap_path(dir), bad[600];
    snprintf(bad, sizeof bad, "%s/bad.snap", dir);
    const trace_snapshot_marks m = marks_of(9);
    assert_int_equal(trace_index_save(ix, path, &m, NULL), 0);
    size_t n;
    unsigned char *buf = slurp(path, &n);
    uint32_t format;
    memcpy(&format, buf + OFF_FORMAT, 4);
    assert_int_equal(format, 3);
    assert_true(word_at(buf, 16) == m.version);
    assert_true(word_at(buf, OFF_MARKS) == m.stays);
    assert_true(word_at(buf, OFF_MARKS + 8) == m.pings);
    assert_true(word_at(buf, OFF_MARKS + 16) == m.detections);
    /* a mark is under the checksum like the rest */
    buf[OFF_MARKS + 9] ^= 4;
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "checksum");
    /* what format 1 wrote: format 1, reserved words zero, a valid checksum */
    buf[OFF_MARKS + 9] ^= 4;
    format = 1;
    memcpy(buf + OFF_FORMAT, &format, 4);
    memset(buf + OFF_MARKS, 0, 24);
    uint64_t sum = trace__snapshot_checksum(buf, n);
    memcpy(buf + 24, &sum, 8);
    spit(bad, buf, n);
    expect_refused(bad, FK_EINVAL, "snapshot format 1, this build reads 3");
    free(buf);
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

/* ---- temporary files ---- */

/* Names in dir other than "." and "..", at most 8, into names (for checking leftovers). */
static int dir_names(const char *dir, char names[8][256])
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 8)
            snprintf(names[n++], 256, "%s", e->d_name);
    closedir(d);
    return n;
}

static int has_name(char names[8][256], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

static void touch(const char *dir, const char *name)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    spit(p, (const unsigned char *)"x", 1);
}

/* A save removes the temporaries of dead writers (killed mid-save), and no other file:
 * not a live process's, not its own process's, not one of another name. */
static void test_stale_temporaries_removed(void **state)
{
    (void)state;
    trace_index *ix = trace_index_build(NULL, 0, NULL);
    char *dir = test_tmpdir(), *path = snap_path(dir), dead[64], live[64], own[64];
    pid_t kid = fork();
    if (kid == 0)
        _exit(0);
    assert_int_equal(waitpid(kid, NULL, 0), kid);   /* reaped: that pid is no one now */
    snprintf(dead, sizeof dead, "trace.snap.tmp.%ld.0", (long)kid);
    snprintf(live, sizeof live, "trace.snap.tmp.%ld.3", (long)getppid());
    snprintf(own, sizeof own, "trace.snap.tmp.%ld.77", (long)getpid());
    touch(dir, dead), touch(dir, live), touch(dir, own), touch(dir, "trace.snap.tmpfoo");
    touch(dir, "other.snap.tmp.1.0");
    assert_int_equal(trace_index_save(ix, path, NULL, NULL), 0);
    char names[8][256];
    int n = dir_names(dir, names);
    assert_int_equal(n, 5);
    assert_false(has_name(names, n, dead));
    assert_true(has_name(names, n, live) && has_name(names, n, own));
    assert_true(has_name(names, n, "trace.snap") && has_name(names, n, "trace.snap.tmpfoo"));
    trace_index_free(ix);
    test_rmdir(dir);
    free(dir), free(path);
}

/* Two processes saving the same path over and over while a third opens it: every save
 * succeeds, every open finds one whole snapshot (its marks say whose; its records
 * agree), and no temporary is left. With one shared temporary name, a writer truncates
 * the other's file mid-write or writes into the renamed one: refused opens and failed
 * renames. */
static void test_concurrent_writers(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *ix[2] = {build(x->st, NSTAY, x->d, NDET), build(x->st, 700, x->d, 90)};
    const size_t records[2] = {NSTAY, 700};
    char *dir = test_tmpdir(), *path = snap_path(dir);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        if ((kids[k] = fork()) == 0) {
            int failed = 0;
            trace_snapshot_marks m = marks_of((uint64_t)k);
            for (int i = 0; i < 40; i++)
                failed += trace_index_save(ix[k], path, &m, NULL) != 0;
            _exit(failed ? 1 : 0);
        }
    }
    int running = 2, opened = 0, status;
    while (running > 0) {
        for (int k = 0; k < 2; k++)
            if (kids[k] && waitpid(kids[k], &status, WNOHANG) == kids[k]) {
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                kids[k] = 0, running--;
            }
        fk_err err = {0};
        trace_snapshot_marks m;
        trace_index *mx = trace_index_open(path, &m, &err);
        if (!mx) {
            assert_int_equal(err.code, FK_EIO);   /* none renamed into place yet */
            continue;
        }
        assert_true(m.version < 2);
        assert_int_equal(trace_index_records(mx), records[m.version]);
        trace_index_free(mx);
        opened++;
    }
    char names[8][256];
    assert_int_equal(dir_names(dir, names), 1);
    print_message("concurrent writers: %d opens while saving\n", opened);
    trace_index_free(ix[0]), trace_index_free(ix[1]);
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

/* ---- extension ---- */

/* extend(build(first k), rest) == build(all), arrays and answers, at several splits;
 * the extension also extends a mapped base and an extended one (a second day). */
static void test_extend_equals_full_build(void **state)
{
    (void)state;
    names_init();
    data *x = rnd_data();
    trace_index *full = build(x->st, NSTAY, x->d, NDET);
    const size_t splits[] = {0, 1, NSTAY / 2, NSTAY - 300, NSTAY};
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
        size_t k = splits[i], kd = k * NDET / NSTAY;
        trace_index *base = build(x->st, k, x->d, kd);
        trace_builder *more = trace_builder_new();
        add_all(more, x->st + k, NSTAY - k, x->d + kd, NDET - kd);
        fk_err err = {0};
        trace_index *ext = trace_index_extend(base, more, &err);
        assert_non_null(ext);
        same_arrays(full, ext);
        assert_int_equal(trace_index_records(ext), NSTAY);
        if (i == 2)
            print_message("extend: %zu rows equal\n", same_answers(full, ext));
        trace_index_free(ext);
        trace_index_free(base);
    }
    /* three days: a mapped base extended twice */
    char *dir = test_tmpdir(), *path = snap_path(dir);
    trace_index *day1 = build(x->st, 1000, x->d, 300);
    assert_int_equal(trace_index_save(day1, path, NULL, NULL), 0);
    trace_index *mx = trace_index_open(path, NULL, NULL);
    assert_non_null(mx);
    trace_builder *more = trace_builder_new();
    add_all(more, x->st + 1000, 2000, x->d + 300, 700);
    trace_index *day2 = trace_index_extend(mx, more, NULL);
    more = trace_builder_new();
    add_all(more, x->st + 3000, NSTAY - 3000, x->d + 1000, NDET - 1000);
    trace_index *day3 = trace_index_extend(day2, more, NULL);
    assert_non_null(day3);
    same_arrays(full, day3);
    assert_true(same_answers(full, day3) > 100);
    trace_index_free(day3), trace_index_free(day2), trace_index_free(mx);
    trace_index_free(day1), trace_index_free(full);
    assert_null(trace_index_extend(NULL, trace_builder_new(), NULL));
    test_rmdir(dir);
    free(dir), free(path), free(x);
}

/* New subjects and places only in the extension, sources of one place from both sides:
 * a cell of the base becomes a venue when check-ins arrive. */
static void test_extend_sources_and_new_names(void **state)
{
    (void)state;
    const trace_stay old[] = {{"case", "P", 1000, 5000, "stays"}, {"b", "P", 1000, 3000, "stays"}};
    const trace_stay add[] = {{"a0", "P", 2000, 4000, "checkins"}, {"zz", "Q", 0, 100, NULL}};
    trace_index *base = trace_index_build(old, 2, NULL);
    trace_builder *more = trace_builder_new();
    for (int i = 0; i < 2; i++)
        assert_int_equal(trace_builder_add(more, &add[i], NULL), 0);
    assert_int_equal(trace_builder_add_detection(more, "case", "new", 3000, NULL), 0);
    trace_index *ext = trace_index_extend(base, more, NULL);
    assert_non_null(ext);
    trace_contact_list l;
    assert_int_equal(trace_venue_contacts(ext, "case", 0, 10000, 600, &l, NULL), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].subject, "a0");
    assert_string_equal(l.items[0].source, "stays+checkins");
    assert_string_equal(l.items[1].subject, "b");
    trace_contact_list_free(&l);
    assert_int_equal(trace_proximity_contacts(ext, "new", 0, 10000, 60, 1, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].subject, "case");
    trace_contact_list_free(&l);
    /* the base is untouched: still a cell there, no venue contacts */
    assert_int_equal(trace_venue_contacts(base, "case", 0, 10000, 600, &l, NULL), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(trace_index_records(ext), 4);
    trace_index_free(ext);
    trace_index_free(base);
}

/* ---- the radix sort of the build (sort.c) against qsort ---- */

static int kv_cmp(const void *a, const void *b)
{
    const trace__kv *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Stable and ordered at widths from 0 to 64 bits, with many equal keys. */
static void test_radix_sort(void **state)
{
    (void)state;
    enum { N = 20000 };
    trace__kv *kv = malloc(N * sizeof *kv), *tmp = malloc(N * sizeof *tmp);
    trace__kv *want = malloc(N * sizeof *want);
    const unsigned widths[] = {0, 1, 7, 11, 12, 33, 49, 63, 64};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        unsigned bits = widths[w];
        for (uint32_t i = 0; i < N; i++) {
            uint64_t k = rnd(UINT64_MAX) ^ rnd(UINT64_MAX) << 32;
            if (bits < 64)
                k &= ((uint64_t)1 << bits) - 1;
            if (i % 3 == 0 && i > 0)
                k = kv[i / 2].key;         /* ties, to see stability */
            kv[i] = want[i] = (trace__kv){k, i};
        }
        qsort(want, N, sizeof *want, kv_cmp);
        trace__kv *got = trace__radix_sort(kv, tmp, N, bits);
        for (size_t i = 0; i < N; i++) {
            assert_true(got[i].key == want[i].key);
            assert_int_equal(got[i].i, want[i].i);
        }
    }
    assert_int_equal(trace__bits(0), 0);
    assert_int_equal(trace__bits(1), 1);
    assert_int_equal(trace__bits(UINT64_MAX), 64);
    free(kv), free(tmp), free(want);
}

/* trace__sort_recs gives the order of trace__rec_cmp (keys; ties may differ). */
static void test_sort_recs(void **state)
{
    (void)state;
    enum { N = 30000 };
    build_rec *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    for (size_t i = 0; i < N; i++)
        a[i] = b[i] = (build_rec){(uint32_t)rnd(900), (uint32_t)rnd(70),
                                  (int64_t)rnd(INT64_C(253402300799)) >> (i % 2 ? 0 : 20), 0};
    trace__sort_recs(a, N, 900, 70);
    qsort(b, N, sizeof *b, trace__rec_cmp);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(trace__rec_cmp(&a[i], &b[i]), 0);
    free(a), free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_open_same_answers),
        cmocka_unit_test(test_empty_round_trip),
        cmocka_unit_test(test_bad_files_refused),
        cmocka_unit_test(test_inconsistent_arrays_refused),
        cmocka_unit_test(test_marks_in_header_and_format1_refused),
        cmocka_unit_test(test_stale_temporaries_removed),
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_extend_equals_full_build),
        cmocka_unit_test(test_extend_sources_and_new_names),
        cmocka_unit_test(test_radix_sort),
        cmocka_unit_test(test_sort_recs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
