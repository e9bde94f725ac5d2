/*
 * csv_reader.c - records out of libcsv's field and row callbacks.
 *
 * libcsv calls field_cb for every field and row_cb at every record end. The reader
 * collects the fields of the current record into `buf` (offsets in `offs`, so growing
 * the buffer never leaves a stale pointer) and builds the pointer array only when the
 * record ends. libcsv runs with CSV_REPALL_NL so that blank lines reach row_cb and
 * can be counted; the LF of a CRLF pair then arrives as an empty record right after
 * one ended by CR, and is not counted.
 *
 * A plain line (no quote, no CR but its CRLF's) met while libcsv holds no part of a
 * record skips libcsv (fast_line: the fields between commas into the same record
 * buffer, the same row_cb); libcsv reads everything else, so what a caller sees does
 * not depend on which path a line took (test_io compares them).
 *
 * Invariants: at_boundary only before the first line or when the last line read (by
 * either path) ended a record at its LF: libcsv then holds nothing of a record;
 * nstored <= lim.max_fields; buf never holds more than max_fields * (max_field + 1)
 * bytes; once `stopped` is set no callback reaches the user and csvr_feed/csvr_finish
 * return -1 with `err`.
 */
#include "io/csv_reader.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/utf8.h"

static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};

struct csvr {
    struct csv_parser p;
    csvr_limits lim;
    csvr_row_fn fn;
    void *ud;
    int stopped;
    fk_err err;             /* why it stopped */
    size_t row;             /* rows completed, blank ones included */
    int last_term;          /* terminator of the previous record */
    int lf_ended;           /* the last callback was the end of a record at a LF */
    int at_boundary;        /* libcsv holds no part of a record: a line may skip it */
    unsigned bom_pos;       /* BOM bytes matched so far */
    int bom_done;
    size_t total;           /* bytes fed */
    /* the current record */
    char *buf;
    size_t len, cap;
    size_t *offs, *lens;
    const char **ptrs;
    size_t nfields, nstored, long_field, long_len;
    int plain;              /* the record's line is ASCII without a NUL (fast_line) */
};

/* libcsv's buffer for one raw field may not grow past CSVR_PARSER_MAX. */
static void *capped_realloc(void *p, size_t n)
{
    if (n > (size_t)CSVR_PARSER_MAX + 64)
        return NULL;
    return realloc(p, n);
}

static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

csvr *csvr_new(const csvr_limits *lim, csvr_row_fn fn, void *ud)
{
    csvr *r = fk_calloc(1, sizeof *r);
    if (lim)
        r->lim = *lim;
    if (!r->lim.max_field)
        r->lim.max_field = CSVR_MAX_FIELD_DEFAULT;
    if (!r->lim.max_fields)
        r->lim.max_fields = CSVR_MAX_FIELDS_DEFAULT;
    r->fn = fn;
    r->ud = ud;
    r->at_boundary = 1;
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
        fprintf(stderr, "fangkong: out of memory in csv_init\n");
        abort();
    }
    csv_set_space_func(&r->p, no_space);
    csv_set_realloc_func(&r->p, capped_realloc);
    r->offs = fk_calloc(r->lim.max_fields, sizeof *r->offs);
    r->lens = fk_calloc(r->lim.max_fields, sizeof *r->lens);
    r->ptrs = fk_calloc(r->lim.max_fields, sizeof *r->ptrs);
    return r;
}

void csvr_free(csvr *r)
{
    if (!r)
        return;
    csv_free(&r->p);
    free(r->buf);
    free(r->offs);
    free(r->lens);
    free(r->ptrs);
    free(r);
}

size_t csvr_rows(const csvr *r)
{
    return r->row;
}

static void reset_row(csvr *r)
{
    r->len = 0;
    r->nfields = r->nstored = r->long_field = r->long_len = 0;
    r->plain = 0;
}

static void store(csvr *r, const char *s, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        size_t want = r->cap ? r->cap : 1024;
        while (want < r->len + n + 1)
            want *= 2;
        r->buf = fk_realloc(r->buf, want);
        r->cap = want;
    }
    r->offs[r->nstored] = r->len;
    r->lens[r->nstored] = n;
    if (n)
        memcpy(r->buf + r->len, s, n);
    r->buf[r->len + n] = '\0';
    r->len += n + 1;
    r->nstored++;
}

/* One more field of the current record (from libcsv or from the fast path). */
static void add_field(csvr *r, const char *data, size_t n)
{
    size_t idx = r->nfields++;
    if (r->stopped || idx >= r->lim.max_fields)
        return;
    if (n > r->lim.max_field) {
        if (!r->long_field) {
            r->long_field = idx + 1;
            r->long_len = n;
        }
        store(r, "", 0);
        return;
    }
    store(r, data ? data : "", n);
}

static void field_cb(void *data, size_t n, void *ud)
{
    csvr *r = ud;
    r->lf_ended = 0;
    add_field(r, data, n);
}

static void deliver(csvr *r)
{
    for (size_t i = 0; i < r->nstored; i++)
        r->ptrs[i] = r->buf + r->offs[i];
    csvr_row row = {
        .row = r->row,
        .nfields = r->nfields,
        .nstored = r->nstored,
        .fields = r->ptrs,
        .lens = r->lens,
        .long_field = r->long_field,
        .long_len = r->long_len,
        .plain = r->plain,
    };
    fk_err_clear(&r->err);
    if (r->fn(r->ud, &row, &r->err) != 0) {
        r->stopped = 1;
        if (r->err.code == FK_OK)
            fk_fail(&r->err, FK_EINTERNAL, "", "row %zu: reading stopped", r->row);
    }
}

static void row_cb(int term, void *ud)
{
    csvr *r = ud;
    int prev = r->last_term;
    r->last_term = term;
    r->lf_ended = term == '\n';
    if (r->stopped) {
        reset_row(r);
        return;
    }
    if (r->nfields == 0 && term == '\n' && prev == '\r')
        return; /* the LF of CRLF */
    r->row++;
    if (r->nfields > 0)
        deliver(r);
    reset_row(r);
}

/* Fails the reader with libcsv's error status. */
static int parse_error(csvr *r, fk_err *err)
{
    int e = csv_error(&r->p);
    r->stopped = 1;
    if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
        fk_fail(&r->err, FK_ETOOBIG, "", "row %zu: a field is longer than %u bytes",
                r->row + 1, (unsigned)CSVR_PARSER_MAX);
    else
        fk_fail(&r->err, FK_EINVAL, "",
                "row %zu: malformed CSV (a quote inside an unquoted field, text after a "
                "closing quote, or an unterminated quoted field)",
                r->row + 1);
    if (err)
        *err = r->err;
    return -1;
}

static int parse(csvr *r, const void *buf, size_t len, fk_err *err)
{
    if (len && csv_parse(&r->p, buf, len, field_cb, row_cb, r) != len)
        return parse_error(r, err);
    if (r->stopped) {
        if (err)
            *err = r->err;
        return -1;
    }
    return 0;
}

/* Hands bytes to libcsv. They either end with the LF of a line or hold no LF at all, so
 * the record ended at their last byte exactly when the last callback ended one at a LF:
 * libcsv then holds nothing and the next line may take the fast path. */
static int slow(csvr *r, const char *s, size_t len, fk_err *err)
{
    r->lf_ended = 0;
    int rc = parse(r, s, len, err);
    r->at_boundary = r->lf_ended;
    return rc;
}

/*
 * The fast path: one line [s, nl) ending at a LF, taken while libcsv holds no part of a
 * record. A line without a quote and without a CR other than the one of its CRLF is a
 * record whose fields are the bytes between commas, exactly as libcsv (strict, no space
 * trimming) splits it; the same add_field and row_cb then make the record, so limits,
 * row numbers and the callback's stop behave as on the slow path. Returns 1 when the
 * line holds a quote or a stray CR: nothing was done and libcsv must read it.
 *
 * Why by hand (the rule is to leave CSV to libcsv): callgrind of the scans import
 * (200,000 rows) put csv_parse at about a third of the parse thread's instructions, its
 * byte-at-a-time state machine and per-field callbacks; bulk files of this platform are
 * unquoted. With this path the thread's instructions went from 1,439 to 1,098 million.
 */
static int fast_line(csvr *r, const char *s, const char *nl)
{
    const char *e = nl > s && nl[-1] == '\r' ? nl - 1 : nl;
    size_t n = (size_t)(e - s);
    /* memchr rather than a loop over the bytes: the loop's three tests a byte were a
     * sixth of the scans import's parse thread (callgrind, 300,000 rows) */
    if (memchr(s, '"', n) || memchr(s, '\r', n)) {
        reset_row(r);
        return 1;
    }
    const char *f = s, *q;
    while ((q = memchr(f, ',', (size_t)(e - f))) != NULL) {
        add_field(r, f, (size_t)(q - f));
        f = q + 1;
    }
    if (e > s)
        add_field(r, f, (size_t)(e - f));
    /* one test of the line instead of the caller's tests of each field for NULs and
     * UTF-8: the results import's parse thread 194 to 187 M instructions (callgrind,
     * bench/testing's 48,506 rows; its field tests 23 to 9 M) */
    r->plain = !memchr(s, '\0', n) && fk_ascii_prefix((const unsigned char *)s, n) == n;
    row_cb('\n', r);
    return 0;
}

/* Line by line: the fast path where it applies, libcsv for the rest (a line with a
 * quote, the lines after it until a record ends at a LF, a chunk's unfinished tail). */
static int lines(csvr *r, const char *s, size_t len, fk_err *err)
{
    const char *end = s + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            return slow(r, s, (size_t)(end - s), err);
        if (!r->at_boundary || fast_line(r, s, nl) != 0) {
            if (slow(r, s, (size_t)(nl + 1 - s), err) != 0)
                return -1;
        } else if (r->stopped) {
            if (err)
                *err = r->err;
            return -1;
        }
        s = nl + 1;
    }
    return 0;
}

/* Consumes a leading BOM, possibly split over chunks; returns bytes used from buf. */
static size_t eat_bom(csvr *r, const unsigned char *s, size_t len, fk_err *err, int *rc)
{
    size_t used = 0;
    *rc = 0;
    while (!r->bom_done && used < len) {
        if (s[used] == bom[r->bom_pos]) {
            used++;
            if (++r->bom_pos == 3)
                r->bom_done = 1;
            continue;
        }
        r->bom_done = 1; /* not a BOM: hand over what looked like one */
        *rc = slow(r, (const char *)bom, r->bom_pos, err);
    }
    return used;
}

int csvr_feed(csvr *r, const void *buf, size_t len, fk_err *err)
{
    if (r->stopped) {
        if (err)
            *err = r->err;
        return -1;
    }
    r->total += len;
    if (r->lim.max_bytes && r->total > r->lim.max_bytes) {
        r->stopped = 1;
        fk_fail(&r->err, FK_ETOOBIG, "", "input larger than %zu bytes", r->lim.max_bytes);
        if (err)
            *err = r->err;
        return -1;
    }
    int rc;
    size_t used = eat_bom(r, buf, len, err, &rc);
    if (rc != 0)
        return -1;
    return lines(r, (const char *)buf + used, len - used, err);
}

int csvr_finish(csvr *r, fk_err *err)
{
    if (!r->stopped && !r->bom_done && r->bom_pos > 0) {
        r->bom_done = 1;
        if (parse(r, bom, r->bom_pos, err) != 0)
            return -1;
    }
    if (r->stopped) {
        if (err)
            *err = r->err;
        return -1;
    }
    if (csv_fini(&r->p, field_cb, row_cb, r) != 0)
        return parse_error(r, err);
    if (r->stopped) {
        if (err)
            *err = r->err;
        return -1;
    }
    return 0;
}

int csvr_read_file(const char *path, const csvr_limits *lim, csvr_row_fn fn, void *ud,
                   fk_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fk_fail(err, errno == ENOENT ? FK_ENOTFOUND : FK_EIO, "", "%s: %s", path,
                       strerror(errno));
    csvr *r = csvr_new(lim, fn, ud);
    char chunk[64 * 1024];
    int rc = 0;
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = csvr_feed(r, chunk, n, err);
    if (rc == 0 && ferror(f))
        rc = fk_fail(err, FK_EIO, "", "%s: read error", path);
    if (rc == 0)
        rc = csvr_finish(r, err);
    csvr_free(r);
    fclose(f);
    return rc;
}
