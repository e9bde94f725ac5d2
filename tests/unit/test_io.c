/* test_io.c - CSV reader, table writer, import and export against a real store. */
#include "testutil.h"

#include <sys/stat.h>

#include "io/csv_reader.h"
#include "io/export.h"
#include "io/import.h"
#include "io/table_writer.h"
#include "model/idcard.h"
#include "policy/policy.h"

#define DISTRICT "510104"
#define STREET "510104001"
#define COMMUNITY "510104001001"
#define COMMUNITY2 "510104001002"
#define GRID "510104001001001"

typedef struct fixture {
    char *dir;
    store *st;
    actor a;
    int64_t hh1, hh2;     /* households in COMMUNITY */
} fixture;

/* ---- helpers ---------------------------------------------------------------------- */

static char *path_in(const fixture *f, const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", f->dir, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    fclose(fp);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    if (len)
        *len = (size_t)n;
    return buf;
}

static void id_of(int seq, char out[19])
{
    idcard_make(DISTRICT, 1980 + seq % 30, 1 + seq % 12, 1 + seq % 28, seq, out);
}

static void add_area(store *st, const char *code, const char *parent, const char *name,
                     const char *level)
{
    area ar = {{0}};
    fk_err err;
    snprintf(ar.code, sizeof ar.code, "%s", code);
    snprintf(ar.parent_code, sizeof ar.parent_code, "%s", parent);
    snprintf(ar.name, sizeof ar.name, "%s", name);
    snprintf(ar.level, sizeof ar.level, "%s", level);
    assert_int_equal(store_area_insert(st, &ar, &err), 0);
}

/* The areas, one building and two households every test starts from. */
static void seed(store *st, int64_t *hh1, int64_t *hh2)
{
    fk_err err;
    add_area(st, DISTRICT, "", "锦江区", "district");
    add_area(st, STREET, DISTRICT, "春熙路街道", "street");
    add_area(st, COMMUNITY, STREET, "和平社区", "community");
    add_area(st, COMMUNITY2, STREET, "新华社区", "community");
    add_area(st, GRID, COMMUNITY, "第一网格", "grid");
    building b = {.grid_code = GRID, .name = "3栋", .lon = 104.08, .lat = 30.65};
    assert_int_equal(store_building_insert(st, &b, &err), 0);
    household h1 = {.building_id = b.id, .room = "1单元101"};
    household h2 = {.building_id = b.id, .room = "1单元102"};
    assert_int_equal(store_household_insert(st, &h1, &err), 0);
    assert_int_equal(store_household_insert(st, &h2, &err), 0);
    *hh1 = h1.id;
    *hh2 = h2.id;
}

static store *open_store(const char *dir, const char *sub)
{
    char path[512];
    fk_err err;
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    store *st = store_open(path, &err);
    if (!st)
        fail_msg("store_open: %s", err.message);
    return st;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    f->st = open_store(f->dir, "data");
    seed(f->st, &f->hh1, &f->hh2);
    actor_cli(&f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int64_t count_persons(store *st)
{
    store_counts c;
    fk_err err;
    assert_int_equal(store_counts_get(st, &c, &err), 0);
    return c.persons;
}

static const char person_header[] =
    "name,id_type,id_number,sex,birth_date,phone,resident_type,household_id,address,"
    "community_code,work_unit,flags\n";

/* One resident row of the persons file. */
static void person_row(strbuf *sb, const char *name, const char *id, int64_t hh,
                       const char *flags)
{
    sb_appendf(sb, "%s,resident,%s,,,13800138000,resident,%lld,,,,%s\n", name, id,
               (long long)hh, flags);
}

/* ---- csv reader ----------------------------------------------------------------------- */

typedef struct collected {
    strbuf text;   /* "row:f1|f2\n" per record */
} collected;

static int collect(void *ud, const csvr_row *r, fk_err *err)
{
    (void)err;
    collected *c = ud;
    sb_appendf(&c->text, "%zu:", r->row);
    for (size_t i = 0; i < r->nstored; i++)
        sb_appendf(&c->text, "%s%s", i ? "|" : "", r->fields[i]);
    sb_append_char(&c->text, '\n');
    return 0;
}

static void test_csv_quotes_newlines_bom(void **state)
{
    fixture *f = *state;
    const char *p = path_in(f, "q.csv");
    write_file(p, "\xEF\xBB\xBF" "a,b\r\n\"x, y\",\"line1\r\nline2\"\r\n\r\n"
                  "\"say \"\"hi\"\"\", z \r\nlast,1");
    collected c = {STRBUF_INIT};
    fk_err err;
    assert_int_equal(csvr_read_file(p, NULL, collect, &c, &err), 0);
    assert_string_equal(sb_str(&c.text),
                        "1:a|b\n2:x, y|line1\r\nline2\n4:say \"hi\"| z \n5:last|1\n");
    sb_free(&c.text);
}

static void test_csv_chunked_bom_and_errors(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF" "k,v\n\"a\nb\",2\n";
    collected c = {STRBUF_INIT};
    fk_err err;
    csvr *r = csvr_new(NULL, collect, &c);
    for (size_t i = 0; text[i]; i++)
        assert_int_equal(csvr_feed(r, text + i, 1, &err), 0);
    assert_int_equal(csvr_finish(r, &err), 0);
    csvr_free(r);
    assert_string_equal(sb_str(&c.text), "1:k|v\n2:a\nb|2\n");
    sb_reset(&c.text);

    r = csvr_new(NULL, collect, &c);
    const char *bad = "k,v\n1,2\n\"unterminated,3\n";
    assert_int_equal(csvr_feed(r, bad, strlen(bad), &err), 0);
    assert_int_equal(csvr_finish(r, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_non_null(strstr(err.message, "row 3"));
    csvr_free(r);
    sb_free(&c.text);
}

/* Everything a reader hands out, byte for byte, and how it ended. */
typedef struct trace {
    strbuf text;
    size_t stop_at;     /* the callback stops at this row; 0 = never */
} trace;

static int trace_row(void *ud, const csvr_row *r, fk_err *err)
{
    trace *t = ud;
    sb_appendf(&t->text, "%zu/%zu/%zu/%zu/%zu:", r->row, r->nfields, r->nstored,
               r->long_field, r->long_len);
    for (size_t i = 0; i < r->nstored; i++) {
        sb_appendf(&t->text, "[%zu]", r->lens[i]);
        for (size_t j = 0; j < r->lens[i]; j++) {
            unsigned char c = (unsigned char)r->fields[i][j];
            if (c >= 0x20 && c < 0x7f)
                sb_append_char(&t->text, (char)c);
            else
                sb_appendf(&t->text, "\\x%02x", c);
        }
        assert_int_equal(r->fields[i][r->lens[i]], '\0');
        /* a record said plain has no byte the caller would have to test */
        for (size_t j = 0; r->plain && j < r->lens[i]; j++)
            assert_true(r->fields[i][j] != '\0' && (unsigned char)r->fields[i][j] < 0x80);
    }
    sb_append_char(&t->text, '\n');
    if (t->stop_at && r->row >= t->stop_at)
        return fk_fail(err, FK_EINVAL, "", "stopped at row %zu", r->row);
    return 0;
}

/* Feeds `in` in pieces of `step` bytes (0 = whole), the first piece `first` bytes when
 * non-zero; returns the trace (caller frees). */
static char *read_traced(const char *in, size_t len, const csvr_limits *lim, size_t stop_at,
                         size_t step, size_t first)
{
    trace t = {STRBUF_INIT, stop_at};
    fk_err err;
    fk_err_clear(&err);
    csvr *r = csvr_new(lim, trace_row, &t);
    int rc = 0;
    size_t at = 0;
    while (rc == 0 && at < len) {
        size_t n = at == 0 && first ? first : step ? step : len - at;
        if (n > len - at)
            n = len - at;
        rc = csvr_feed(r, in + at, n, &err);
        at += n;
    }
    if (rc == 0)
        rc = csvr_finish(r, &err);
    sb_appendf(&t.text, "rc=%d code=%d msg=%s rows=%zu\n", rc, (int)err.code,
               rc ? err.message : "", csvr_rows(r));
    csvr_free(r);
    return sb_take(&t.text);
}

/*
 * csv_reader's fast path (plain lines split by hand) against libcsv on tricky inputs.
 * Fed one byte at a time, every line reaches libcsv (a piece without a LF always goes
 * there, and so the line it starts): that is the oracle. Fed whole, at every split
 * point and in 7-byte pieces, plain lines take the fast path; the records, row numbers,
 * limits, errors and the callback's stop must be the same.
 */
static void test_csv_fast_path_matches_libcsv(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;     /* 0 = strlen */
    } in[] = {
        {"a,b\nc,d\n", 0},
        {"a,b\r\nc,d\r\n", 0},
        {"a,b\nc,d", 0},
        {"a,b\n\n\nc\n", 0},
        {"a,b\r\n\r\n\r\nc\r\n", 0},
        {"\xEF\xBB\xBF" "a,b\nc,d\n", 0},
        {"\xEF\xBB" "a,b\nc\n", 0},
        {"\xEF\xBB\xBF", 0},
        {"a,\"x,y\"\nb,c\n", 0},
        {"a,\"x\ny\"\nb,c\n", 0},
        {"a,\"x\r\ny\",z\r\nb,c\r\n", 0},
        {"a\rb\nc\n", 0},
        {"a\rb\rc", 0},
        {"a,b\n\r\nc\n", 0},
        {"a,b\r\r\nc\n", 0},
        {",\n,,\n ,  \n", 0},
        {"a\"b,c\n", 0},
        {"a,b\nc,\"d\"e\n", 0},
        {"a,b\n\"open,1\n2,3\n", 0},
        {"a\0b,c\nd\n", 8},
        {"a,b\n\n", 0},
        {"\n\na\n", 0},
        {"a,b\r", 0},
        {"\"a\"\"b\",c\nd\n", 0},
        {"a,b\r\n\"q\"\r\n\r\nz", 0},
        {"k,v\n1,22,333,4444,55555\nx,\"yy\",zzzzz\n\"\"\n", 0},
        {"h\r\n1\r\n\"2\r\n\"\r\n3\r\n", 0},
    };
    const csvr_limits tight = {.max_field = 3, .max_fields = 2};
    const csvr_limits *lims[] = {NULL, &tight};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        size_t len = in[i].len ? in[i].len : strlen(in[i].s);
        for (size_t l = 0; l < 2; l++) {
            for (size_t stop = 0; stop < 4; stop++) {
                char *want = read_traced(in[i].s, len, lims[l], stop, 1, 0);
                char *got = read_traced(in[i].s, len, lims[l], stop, 0, 0);
                assert_string_equal(got, want);
                free(got);
                got = read_traced(in[i].s, len, lims[l], stop, 7, 0);
                assert_string_equal(got, want);
                free(got);
                for (size_t k = 1; k < len; k++) {
                    got = read_traced(in[i].s, len, lims[l], stop, 0, k);
                    assert_string_equal(got, want);
                    free(got);
                }
                free(want);
            }
        }
    }
    /* and the oracle itself says what libcsv says */
    char *t = read_traced("a,\"x,y\"\r\n\r\nb,c", 14, NULL, 0, 0, 0);
    assert_string_equal(t, "1/2/2/0/0:[1]a[3]x,y\n3/2/2/0/0:[1]b[1]c\n"
                           "rc=0 code=0 msg= rows=3\n");
    free(t);
}

static void test_csv_long_field_flagged(void **state)
{
    fixture *f = *state;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "a,b\nx,");
    for (int i = 0; i < 2000; i++)
        sb_append_char(&sb, 'y');
    sb_append(&sb, "\n");
    const char *p = path_in(f, "long.csv");
    write_file(p, sb_str(&sb));
    sb_free(&sb);
    collected c = {STRBUF_INIT};
    fk_err err;
    csvr_limits lim = {.max_field = 1024};
    assert_int_equal(csvr_read_file(p, &lim, collect, &c, &err), 0);
    assert_string_equal(sb_str(&c.text), "1:a|b\n2:x|\n");
    sb_free(&c.text);
}

/* ---- table writer ----------------------------------------------------------------------- */

static void test_writer_csv_quoting_round_trip(void **state)
{
    fixture *f = *state;
    const char *p = path_in(f, "w.csv");
    fk_err err;
    tw *w = tw_open(p, NULL, &err);
    assert_non_null(w);
    const char *h[] = {"a", "b", "c"};
    const char *r1[] = {"x, y", "say \"hi\"", "two\nlines"};
    const char *r2[] = {" lead", "", "张三"};
    assert_int_equal(tw_row(w, h, 3, &err), 0);
    assert_int_equal(tw_row(w, r1, 3, &err), 0);
    assert_int_equal(tw_row(w, r2, 3, &err), 0);
    assert_int_equal(tw_rows(w), 2);
    assert_int_equal(tw_close(w, &err), 0);
    char *text = read_all(p, NULL);
    static const char want[] =
        "\xEF\xBB\xBF" "a,b,c\r\n"
        "\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        "\" lead\",,张三\r\n";
    assert_string_equal(text, want);
    free(text);
    collected c = {STRBUF_INIT};
    assert_int_equal(csvr_read_file(p, NULL, collect, &c, &err), 0);
    assert_string_equal(sb_str(&c.text),
                        "1:a|b|c\n2:x, y|say \"hi\"|two\nlines\n3: lead||张三\n");
    sb_free(&c.text);
}

static void test_writer_abort_leaves_nothing(void **state)
{
    fixture *f = *state;
    const char *p = path_in(f, "gone.csv");
    fk_err err;
    tw *w = tw_open(p, NULL, &err);
    const char *h[] = {"a"};
    assert_int_equal(tw_row(w, h, 1, &err), 0);
    tw_abort(w);
    struct stat sb;
    assert_int_not_equal(stat(p, &sb), 0);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    assert_int_not_equal(stat(tmp, &sb), 0);
}

/* ---- import --------------------------------------------------------------------------- */

static void test_import_good_persons(void **state)
{
    fixture *f = *state;
    char id1[19], id2[19], id3[19];
    id_of(1, id1);
    id_of(2, id2);
    id_of(3, id3);
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, person_header);
    person_row(&sb, "张三", id1, f->hh1, "elderly_alone|disabled");
    person_row(&sb, "李四", id2, f->hh2, "");
    sb_appendf(&sb, "John Smith,passport,E1234567,M,1975-06-01,,non_resident,,"
                    "\"春熙路1号, 3楼\",%s,某公司,\n", COMMUNITY2);
    sb_appendf(&sb, "王五,resident,%s,,,,resident,%lld,,%s,,\n", id3, (long long)f->hh1,
               COMMUNITY);
    const char *p = path_in(f, "persons.csv");
    write_file(p, sb_str(&sb));
    sb_free(&sb);

    import_report rep;
    fk_err err;
    int rc = import_file(f->st, &f->a, "persons", p, NULL, &rep, &err);
    if (rc != 0)
        fail_msg("import: %s (%zu bad, first: row %zu %s %s)", err.message, rep.bad,
                 rep.n ? rep.items[0].row : 0, rep.n ? rep.items[0].field : "",
                 rep.n ? rep.items[0].message : "");
    assert_int_equal(rep.rows, 4);
    assert_int_equal(rep.imported, 4);
    assert_int_equal(rep.bad, 0);
    import_report_free(&rep);
    assert_int_equal(count_persons(f->st), 4);

    person got;
    assert_int_equal(store_person_find_by_id_number(f->st, id1, &got, &err), 0);
    assert_string_equal(got.name, "张三");
    assert_string_equal(got.community_code, COMMUNITY);
    assert_int_equal(got.flags, PERSON_ELDERLY_ALONE | PERSON_DISABLED);
    assert_int_equal(strlen(got.birth_date), 10); /* derived from the ID number */
    assert_int_equal(store_person_find_by_id_number(f->st, "E1234567", &got, &err), 0);
    assert_string_equal(got.address, "春熙路1号, 3楼");

    audit_filter af = {.entity = "person", .limit = 100};
    audit_list al;
    assert_int_equal(store_audit_list(f->st, &af, &al, &err), 0);
    int creates = 0, imports = 0;
    for (size_t i = 0; i < al.n; i++) {
        creates += !strcmp(al.items[i].action, "create");
        imports += !strcmp(al.items[i].action, "import");
    }
    audit_list_free(&al);
    assert_int_equal(creates, 4);
    assert_int_equal(imports, 1);
}

/* Rows 2..6: good, bad check digit, good, good, unknown household. */
static const char *two_bad_file(fixture *f)
{
    char id[5][19];
    for (int i = 0; i < 5; i++)
        id_of(10 + i, id[i]);
    id[1][17] = id[1][17] == '1' ? '2' : '1';
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, person_header);
    person_row(&sb, "甲", id[0], f->hh1, "");
    person_row(&sb, "乙", id[1], f->hh1, "");
    person_row(&sb, "丙", id[2], f->hh2, "");
    person_row(&sb, "丁", id[3], f->hh2, "");
    person_row(&sb, "戊", id[4], 9999, "");
    const char *p = path_in(f, "two_bad.csv");
    write_file(p, sb_str(&sb));
    sb_free(&sb);
    return p;
}

static void test_import_bad_rows_refuse_all(void **state)
{
    fixture *f = *state;
    const char *p = two_bad_file(f);
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "persons", p, NULL, &rep, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_non_null(strstr(err.message, "2 of 5 rows are bad"));
    assert_int_equal(rep.rows, 5);
    assert_int_equal(rep.bad, 2);
    assert_int_equal(rep.imported, 0);
    assert_int_equal(rep.n, 2);
    assert_int_equal(rep.items[0].row, 3);
    assert_string_equal(rep.items[0].field, "id_number");
    assert_non_null(strstr(rep.items[0].message, "check"));
    assert_int_equal(rep.items[1].row, 6);
    assert_string_equal(rep.items[1].field, "household_id");
    import_report_free(&rep);
    assert_int_equal(count_persons(f->st), 0);
}

/* Invalid UTF-8 after a run of ASCII (the validator skips ASCII 8 bytes at a time) is
 * still found, and valid multi-byte text around ASCII still passes. */
static void test_import_utf8_after_ascii(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {
        "欧阳娜娜",                      /* 2 good */
        "abcdefghij\xC3",               /* 3 a lead byte with nothing after it */
        "abcdefgh\xFFxyz",              /* 4 never in UTF-8 */
        "abcdefghijklmnopq\xC0\x80",    /* 5 an overlong encoding */
        "abcdefghijklmnop\xE4\xB8",     /* 6 a 3-byte sequence cut short */
        "张伟",                          /* 7 good */
    };
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, person_header);
    for (int i = 0; i < 6; i++) {
        char id[19];
        id_of(40 + i, id);
        person_row(&sb, names[i], id, f->hh1, "");
    }
    const char *p = path_in(f, "utf8.csv");
    write_file(p, sb_str(&sb));
    sb_free(&sb);
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "persons", p, NULL, &rep, &err), -1);
    assert_int_equal(rep.rows, 6);
    assert_int_equal(rep.bad, 4);
    assert_int_equal(rep.n, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(rep.items[i].row, i + 3);
        assert_string_equal(rep.items[i].field, "name");
        assert_non_null(strstr(rep.items[i].message, "not valid UTF-8"));
    }
    import_report_free(&rep);
    assert_int_equal(count_persons(f->st), 0);
}

static int collect_plain(void *ud, const csvr_row *r, fk_err *err)
{
    (void)err;
    sb_appendf(ud, "%d", r->plain);
    return 0;
}

/* The fast path tells the caller a line is plain (ASCII, no NUL) so that it skips its
 * per-field tests; a line with UTF-8, a NUL or a quote is not said plain (nor the first
 * line, which libcsv reads: it may start with a BOM). */
static void test_csv_plain_lines(void **state)
{
    (void)state;
    static const char in[] = "h\na,b\nc\xC3\xA9,d\ne\0f,g\n\"q\",h\nij,k\n";
    strbuf got = STRBUF_INIT;
    fk_err err;
    csvr *r = csvr_new(NULL, collect_plain, &got);
    assert_int_equal(csvr_feed(r, in, sizeof in - 1, &err), 0);
    assert_int_equal(csvr_finish(r, &err), 0);
    csvr_free(r);
    assert_string_equal(sb_str(&got), "010001");
    sb_free(&got);
}

/* A NUL byte in a field of a line otherwise plain is still refused, naming the field,
 * and nothing is written. */
static void test_import_nul_byte_refused(void **state)
{
    fixture *f = *state;
    char id[19];
    id_of(60, id);
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, person_header);
    person_row(&sb, "NULNAME", id, f->hh1, "");
    char *text = sb_take(&sb);
    char *at = strstr(text, "NULNAME");
    assert_non_null(at);
    at[3] = '\0';
    const char *p = path_in(f, "nul.csv");
    FILE *fp = fopen(p, "wb");
    assert_non_null(fp);
    size_t len = strlen(at + 4) + (size_t)(at + 4 - text);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    fclose(fp);
    free(text);
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "persons", p, NULL, &rep, &err), -1);
    assert_int_equal(rep.bad, 1);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.items[0].field, "name");
    assert_non_null(strstr(rep.items[0].message, "NUL byte"));
    import_report_free(&rep);
    assert_int_equal(count_persons(f->st), 0);
}

static void test_import_skip_bad_writes_rejects(void **state)
{
    fixture *f = *state;
    const char *p = two_bad_file(f);
    const char *rej = path_in(f, "rejects.csv");
    import_opts o = {.rejects_path = rej};
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "persons", p, &o, &rep, &err), 0);
    assert_int_equal(rep.imported, 3);
    assert_int_equal(rep.bad, 2);
    import_report_free(&rep);
    assert_int_equal(count_persons(f->st), 3);

    collected c = {STRBUF_INIT};
    assert_int_equal(csvr_read_file(rej, NULL, collect, &c, &err), 0);
    const char *t = sb_str(&c.text);
    assert_non_null(strstr(t, "1:name|id_type|"));
    assert_non_null(strstr(t, "|flags|error\n"));
    assert_non_null(strstr(t, "2:乙|resident|"));
    assert_non_null(strstr(t, "|row 3, field id_number: "));
    assert_non_null(strstr(t, "3:戊|resident|"));
    assert_non_null(strstr(t, "|row 6, field household_id: "));
    assert_null(strstr(t, "4:"));
    sb_free(&c.text);
}

static void test_import_unknown_column(void **state)
{
    fixture *f = *state;
    char id[19];
    id_of(40, id);
    strbuf sb = STRBUF_INIT;
    sb_appendf(&sb, "name,id_type,id_number,resident_type,household_id,nickname\n"
                    "张三,resident,%s,resident,%lld,小张\n", id, (long long)f->hh1);
    const char *p = path_in(f, "unknown.csv");
    write_file(p, sb_str(&sb));
    sb_free(&sb);
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "persons", p, NULL, &rep, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.items[0].row, 1);
    assert_string_equal(rep.items[0].field, "nickname");
    assert_non_null(strstr(rep.items[0].message, "unknown column"));
    import_report_free(&rep);
    assert_int_equal(count_persons(f->st), 0);
}

static void test_import_header_and_row_shape(void **state)
{
    fixture *f = *state;
    const char *p = path_in(f, "shape.csv");
    import_report rep;
    fk_err err;
    write_file(p, "name,id_type,id_number,name\n");
    assert_int_equal(import_file(f->st, &f->a, "persons", p, NULL, &rep, &err), -1);
    assert_int_equal(rep.n, 2); /* "name" twice, resident_type missing */
    assert_non_null(strstr(rep.items[0].message, "twice"));
    assert_string_equal(rep.items[1].field, "resident_type");
    import_report_free(&rep);

    char id1[19], id2[19];
    id_of(50, id1);
    id_of(51, id2);
    strbuf sb = STRBUF_INIT;
    sb_appendf(&sb, "%s甲,resident,%s,,,,resident,%lld,,,,\n", person_header, id1,
               (long long)f->hh1);
    sb_appendf(&sb, "乙,resident,%s,,,,resident,%lld,,,\n", id2, (long long)f->hh1);
    sb_appendf(&sb, "丙,resident,%s,,,,resident,%lld,,,,\n", id1, (long long)f->hh1);
    sb_append(&sb, "丁,resident,110101199001011234,,,,resident,1,,,");
    for (int i = 0; i < 1100; i++)
        sb_append_char(&sb, 'x');
    sb_append(&sb, ",\n");
    write_file(p, sb_str(&sb));
    sb_free(&sb);
    assert_int_equal(import_file(f->st, &f->a, "persons", p, NULL, &rep, &err), -1);
    assert_int_equal(rep.bad, 3);
    assert_int_equal(rep.items[0].row, 3);
    assert_non_null(strstr(rep.items[0].message, "11 fields"));
    assert_int_equal(rep.items[1].row, 4);
    assert_string_equal(rep.items[1].field, "id_number");
    assert_non_null(strstr(rep.items[1].message, "duplicates row 2"));
    assert_int_equal(rep.items[2].row, 5);
    assert_string_equal(rep.items[2].field, "work_unit");
    assert_non_null(strstr(rep.items[2].message, "longer than 1024"));
    import_report_free(&rep);
    assert_int_equal(count_persons(f->st), 0);
}

static void test_import_size_limit_and_dry_run(void **state)
{
    fixture *f = *state;
    const char *big = path_in(f, "big.csv");
    write_file(big, person_header);
    assert_int_equal(truncate(big, IMPORT_MAX_FILE + 1), 0); /* sparse: costs no disk */
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "persons", big, NULL, &rep, &err), -1);
    assert_int_equal(err.code, FK_ETOOBIG);
    import_report_free(&rep);

    char id[19];
    id_of(70, id);
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, person_header);
    person_row(&sb, "钱七", id, f->hh1, "");
    const char *p = path_in(f, "dry.csv");
    write_file(p, sb_str(&sb));
    sb_free(&sb);
    import_opts o = {.dry_run = true};
    assert_int_equal(import_file(f->st, &f->a, "persons", p, &o, &rep, &err), 0);
    assert_int_equal(rep.rows, 1);
    assert_int_equal(rep.imported, 0);
    import_report_free(&rep);
    assert_int_equal(count_persons(f->st), 0);
    o = (import_opts){.rejects_path = p};
    assert_int_equal(import_file(f->st, &f->a, "persons", p, &o, &rep, &err), -1);
    import_report_free(&rep);
    assert_int_equal(import_file(f->st, &f->a, "people", p, NULL, &rep, &err), -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
    import_report_free(&rep);
}

static void test_import_areas_in_file_order(void **state)
{
    fixture *f = *state;
    const char *p = path_in(f, "areas.csv");
    write_file(p, "code,parent_code,name,level\n"
                  "510105,,青羊区,district\n"
                  "510105001,510105,草市街街道,\n"
                  "510105001001,510105001,红墙巷社区,community\n"
                  "510105002001,510105002,孤儿社区,\n");
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "areas", p, NULL, &rep, &err), -1);
    assert_int_equal(rep.bad, 1);
    assert_int_equal(rep.items[0].row, 5);
    assert_string_equal(rep.items[0].field, "parent_code");
    import_report_free(&rep);

    write_file(p, "code,parent_code,name\n510105,,青羊区\n510105001,510105,草市街街道\n"
                  "510105001001,510105001,红墙巷社区\n");
    assert_int_equal(import_file(f->st, &f->a, "areas", p, NULL, &rep, &err), 0);
    assert_int_equal(rep.imported, 3);
    import_report_free(&rep);
    area ar;
    assert_int_equal(store_area_get(f->st, "510105001001", &ar, &err), 0);
    assert_string_equal(ar.level, "community");
}

static void test_import_cases_by_id_number(void **state)
{
    fixture *f = *state;
    char id[19];
    id_of(60, id);
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, person_header);
    person_row(&sb, "赵六", id, f->hh1, "");
    const char *pp = path_in(f, "p.csv");
    write_file(pp, sb_str(&sb));
    sb_reset(&sb);
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "persons", pp, NULL, &rep, &err), 0);
    import_report_free(&rep);

    sb_appendf(&sb, "person_id_number,classification,severity,reported_at,sampling_date,"
                    "onset_date,source,hospital\n"
                    "%s,confirmed,mild,2022-04-02T09:00:00+08:00,2022-04-01,2022-03-31,"
                    "community_screening,公卫中心\n"
                    "%s,asymptomatic,,1648861200,2022-04-01,,fever_clinic,\n"
                    "%s,confirmed,,1648861200,2022-04-01,,fever_clinic,\n",
               id, id, id);
    const char *cp = path_in(f, "c.csv");
    write_file(cp, sb_str(&sb));
    sb_free(&sb);
    assert_int_equal(import_file(f->st, &f->a, "cases", cp, NULL, &rep, &err), -1);
    assert_int_equal(rep.bad, 1);
    assert_int_equal(rep.items[0].row, 4);
    assert_string_equal(rep.items[0].field, "severity");
    import_report_free(&rep);

    import_opts o = {.rejects_path = path_in(f, "crej.csv")};
    assert_int_equal(import_file(f->st, &f->a, "cases", cp, &o, &rep, &err), 0);
    assert_int_equal(rep.imported, 2);
    import_report_free(&rep);
    /* The same file again: both good rows are now duplicates of stored cases. */
    assert_int_equal(import_file(f->st, &f->a, "cases", cp, NULL, &rep, &err), -1);
    assert_int_equal(rep.bad, 3);
    assert_string_equal(rep.items[0].field, "sampling_date");
    import_report_free(&rep);
}

/* ---- export ----------------------------------------------------------------------------- */

static void import_two_bad_skipping(fixture *f)
{
    import_opts o = {.rejects_path = path_in(f, "rej.csv")};
    import_report rep;
    fk_err err;
    assert_int_equal(import_file(f->st, &f->a, "persons", two_bad_file(f), &o, &rep, &err), 0);
    import_report_free(&rep);
}

static void test_export_import_round_trip(void **state)
{
    fixture *f = *state;
    test_import_good_persons(state);
    const char *out = path_in(f, "export.csv");
    size_t rows = 0;
    fk_err err;
    assert_int_equal(export_file(f->st, &f->a, "persons", out, NULL, &rows, &err), 0);
    assert_int_equal(rows, 4);
    char *text = read_all(out, NULL);
    assert_memory_equal(text, "\xEF\xBB\xBF" "name,id_type,", 16);
    free(text);

    store *other = open_store(f->dir, "other");
    int64_t h1, h2;
    seed(other, &h1, &h2);
    assert_int_equal(h1, f->hh1);
    import_report rep;
    if (import_file(other, &f->a, "persons", out, NULL, &rep, &err) != 0)
        fail_msg("re-import: %s (row %zu %s %s)", err.message, rep.n ? rep.items[0].row : 0,
                 rep.n ? rep.items[0].field : "", rep.n ? rep.items[0].message : "");
    assert_int_equal(rep.imported, 4);
    import_report_free(&rep);

    person_filter pf = {.limit = 100};
    person_list a, b;
    assert_int_equal(store_person_list(f->st, &pf, &a, &err), 0);
    assert_int_equal(store_person_list(other, &pf, &b, &err), 0);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        person q;
        assert_int_equal(store_person_find_by_id_number(other, a.items[i].id_number, &q, &err), 0);
        const person *p = &a.items[i];
        assert_string_equal(p->name, q.name);
        assert_string_equal(p->id_type, q.id_type);
        assert_string_equal(p->sex, q.sex);
        assert_string_equal(p->birth_date, q.birth_date);
        assert_string_equal(p->phone, q.phone);
        assert_string_equal(p->resident_type, q.resident_type);
        assert_int_equal(p->household_id, q.household_id);
        assert_string_equal(p->address, q.address);
        assert_string_equal(p->community_code, q.community_code);
        assert_string_equal(p->work_unit, q.work_unit);
        assert_int_equal(p->flags, q.flags);
    }
    person_list_free(&a);
    person_list_free(&b);
    store_close(other);

    audit_filter af = {.entity = "person", .limit = 1000};
    audit_list al;
    assert_int_equal(store_audit_list(f->st, &af, &al, &err), 0);
    int exports = 0;
    for (size_t i = 0; i < al.n; i++)
        if (!strcmp(al.items[i].action, "export")) {
            exports++;
            assert_non_null(strstr(al.items[i].detail, "rows=4"));
        }
    audit_list_free(&al);
    assert_int_equal(exports, 1);
}

static void test_export_xlsx_is_zip(void **state)
{
    fixture *f = *state;
    import_two_bad_skipping(f);
    const char *out = path_in(f, "persons.xlsx");
    size_t rows = 0, len = 0;
    fk_err err;
    assert_int_equal(export_file(f->st, &f->a, "persons", out, NULL, &rows, &err), 0);
    assert_int_equal(rows, 3);
    char *data = read_all(out, &len);
    assert_true(len > 100);
    assert_memory_equal(data, "PK", 2);
    free(data);
}

static void test_export_filters_and_kinds(void **state)
{
    fixture *f = *state;
    import_two_bad_skipping(f);
    fk_err err;
    size_t rows = 0;
    export_opts o = {.community = COMMUNITY2};
    assert_int_equal(export_file(f->st, &f->a, "persons", path_in(f, "p2.csv"), &o, &rows, &err),
                     0);
    assert_int_equal(rows, 0);
    export_opts bad = {.status = "reported"};
    assert_int_equal(export_file(f->st, &f->a, "persons", path_in(f, "x.csv"), &bad, &rows, &err),
                     -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_int_equal(export_file(f->st, &f->a, "nothing", path_in(f, "x.csv"), NULL, &rows, &err),
                     -1);
    assert_int_equal(err.code, FK_ENOTFOUND);
    assert_int_equal(export_file(f->st, &f->a, "areas", path_in(f, "a.csv"), NULL, &rows, &err),
                     0);
    assert_int_equal(rows, 5);
    assert_int_equal(export_file(f->st, &f->a, "audit", path_in(f, "audit.xlsx"), NULL, &rows,
                                 &err), 0);
    assert_true(rows > 3);
    actor viewer = f->a;
    snprintf(viewer.role, sizeof viewer.role, "viewer");
    assert_int_equal(export_file(f->st, &viewer, "audit", path_in(f, "v.csv"), NULL, &rows, &err),
                     -1);
    assert_int_equal(err.code, FK_EFORBIDDEN);
}

/* Kinds whose rows depend on a rule refuse to run without the policy, and say which
 * rule; with it they import, and kinds without such rules need none. */
static void test_import_location_kinds_policy(void **state)
{
    fixture *f = *state;
    import_report rep;
    fk_err err;
    const char *p = path_in(f, "checkins.csv");
    write_file(p, "subject,venue,time_in\n13800000001,V1,1651363200\n");
    assert_int_equal(import_file(f->st, &f->a, "checkins", p, NULL, &rep, &err), -1);
    assert_int_equal(err.code, FK_EINVAL);
    assert_string_equal(err.field, "trace_inputs.checkins.default_dwell_s");
    assert_int_equal(rep.imported, 0);
    import_report_free(&rep);

    policy *pol = policy_load_builtin("v9", &err);
    assert_non_null(pol);
    import_opts o = {.policy = pol};
    assert_int_equal(import_file(f->st, &f->a, "checkins", p, &o, &rep, &err), 0);
    assert_int_equal(rep.imported, 1);
    import_report_free(&rep);
    const char *q = path_in(f, "pings.csv");
    write_file(q, "subject,time,lon,lat\n13800000001,1651363200,104.06,30.67\n");
    assert_int_equal(import_file(f->st, &f->a, "pings", q, NULL, &rep, &err), -1);
    assert_string_equal(err.field, "companion.grid_m");
    import_report_free(&rep);
    assert_int_equal(import_file(f->st, &f->a, "pings", q, &o, &rep, &err), 0);
    import_report_free(&rep);
    policy_free(pol);

    const char *x = path_in(f, "proximity.csv");
    write_file(x, "a,b,time\np1,p2,1651363200\n");
    assert_int_equal(import_file(f->st, &f->a, "proximity", x, NULL, &rep, &err), 0);
    assert_int_equal(rep.imported, 1);
    import_report_free(&rep);
    int64_t v = 0;
    assert_int_equal(store_stays_version(f->st, &v, &err), 0);
    assert_int_equal(v, 3); /* one stay, one ping, one detection */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_quotes_newlines_bom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_chunked_bom_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_fast_path_matches_libcsv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_long_field_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_plain_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_csv_quoting_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_abort_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_good_persons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_bad_rows_refuse_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_utf8_after_ascii, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_nul_byte_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_skip_bad_writes_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_unknown_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_header_and_row_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_size_limit_and_dry_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_areas_in_file_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_cases_by_id_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_import_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_xlsx_is_zip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_filters_and_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_location_kinds_policy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
