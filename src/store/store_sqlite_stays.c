/*
 * store_sqlite_stays.c - presence records (table `stays`, migrations 0002 and 0006) for
 * the contact discovery engine: append one, append many packed, and stream those of a
 * time span or after a row id.
 *
 * Streaming keeps the caller's memory the only copy: the trace index is built from the
 * callback, never from a list materialised here.
 *
 * Packs (stays.pack, migration 0006): up to PACK_ROWS stays of one source in one row.
 * Format, per stay, back to back:
 *   subject   one byte length 1..63 and the bytes, or 0: the previous stay's subject;
 *   place     one byte length 1..31 and the bytes, or 0: the previous stay's place;
 *   start     start minus the row's `start` column (the pack's smallest start), and
 *   length    end minus start (> 0), both unsigned LEB128 varints.
 * No header: the row's columns hold the rest (source; start/end = the pack's smallest
 * start and largest end). Why packs: SQLite's cost is per row (the sqlite3 shell's
 * .import of 1.9 M stays takes 2.7 s on the bench machine, fangkong's single-row path
 * 3.0 s with its checks); a pack of 1,024 stays is one row. Why this encoding: files
 * come sorted by subject and a stay's times fit in a few bytes as offsets, so a stay
 * takes about 16 bytes instead of 44, and the import writes (twice, WAL and database)
 * and the load reads a third of the bytes. A damaged pack is reported (FK_EIO naming
 * the row id and byte), never read past its end.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "store/store_sqlite_int.h"

#define PACK_ROWS 1024
#define PACK_STAY_MAX (1 + 63 + 1 + 31 + 10 + 10)   /* bytes of one packed stay, at most */

int sq_stay_insert(store *store, const stay_rec *r, fk_err *err)
{
    struct sq_store *s = SQ(store);
    if (r->end <= r->start)
        return fk_fail(err, FK_EINVAL, "end", "end: must be after start");
    sqlite3_stmt *st = sq_stmt(s, SQ_STAY_INSERT,
                               "INSERT INTO stays (subject, place, start, \"end\", source) "
                               "VALUES (?, ?, ?, ?, ?)",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, r->subject);
    sq_bind_text(st, 2, r->place);
    sqlite3_bind_int64(st, 3, r->start);
    sqlite3_bind_int64(st, 4, r->end);
    sq_bind_text(st, 5, r->source[0] ? r->source : "stays");
    return sq_write1(s, st, err);
}

int sq_each_span(struct sq_store *s, enum sq_stmt_id id, const char *sql, int64_t from,
                 int64_t to, sq_span_row row, void *visit, fk_err *err)
{
    int began = 0, rc;
    if (sq_read_begin(s, &began, err) != 0)
        return -1;
    sqlite3_stmt *q = sq_stmt(s, id, sql, err);
    if (!q) {
        sq_read_end(s, began);
        return -1;
    }
    sqlite3_bind_int64(q, 1, from);
    sqlite3_bind_int64(q, 2, to > 0 ? to : INT64_MAX);
    int stop = 0;
    while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW)
        stop = row(q, visit);
    sqlite3_reset(q);
    sq_read_end(s, began);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : sq_dberr(s, rc, err);
}

/* ---- packs ---- */

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        *p++ = (unsigned char)(v | 0x80);
    *p++ = (unsigned char)v;
    return p;
}

/* A varint at *p (< end) of at most 63 bits into *out; -1 when cut short or too long. */
static int get_varint(const unsigned char **p, const unsigned char *end, int64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 63 && *p < end; shift += 7) {
        unsigned char b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v > INT64_MAX ? -1 : (*out = (int64_t)v, 0);
    }
    return -1;
}

/* The string s (n bytes), or 0 when it equals the previous one. */
static unsigned char *put_str(unsigned char *p, const char *s, const char *prev)
{
    size_t n = strlen(s);
    if (prev && strcmp(s, prev) == 0) {
        *p++ = 0;
        return p;
    }
    *p++ = (unsigned char)n;
    memcpy(p, s, n);
    return p + n;
}

/* The checks the table makes of a single stay, for stay i of a batch. */
static int check_stay(const stay_rec *r, size_t i, fk_err *err)
{
    size_t ns = strnlen(r->subject, sizeof r->subject), np = strnlen(r->place, sizeof r->place);
    if (ns < 1 || ns > 63)
        return fk_fail(err, FK_EINVAL, "subject", "stay %zu: subject must be 1 to 63 bytes", i);
    if (np < 1 || np > 31)
        return fk_fail(err, FK_EINVAL, "place", "stay %zu: place must be 1 to 31 bytes", i);
    if (r->end <= r->start)
        return fk_fail(err, FK_EINVAL, "end", "stay %zu: end must be after start", i);
    return 0;
}

/* Insert r[0..n) (one source, n <= PACK_ROWS) as one pack row; buf holds the pack. */
static int insert_pack(struct sq_store *s, const stay_rec *r, size_t n, unsigned char *buf,
                       fk_err *err)
{
    unsigned char *p = buf;
    int64_t lo = r[0].start, hi = r[0].end;
    for (size_t i = 0; i < n; i++) {
        lo = r[i].start < lo ? r[i].start : lo;
        hi = r[i].end > hi ? r[i].end : hi;
    }
    for (size_t i = 0; i < n; i++) {
        p = put_str(p, r[i].subject, i ? r[i - 1].subject : NULL);
        p = put_str(p, r[i].place, i ? r[i - 1].place : NULL);
        p = put_varint(p, (uint64_t)(r[i].start - lo));
        p = put_varint(p, (uint64_t)(r[i].end - r[i].start));
    }
    sqlite3_stmt *q = sq_stmt(s, SQ_STAY_PACK_INSERT,
                              "INSERT INTO stays (subject, place, start, \"end\", source, pack) "
                              "VALUES ('*', '*', ?, ?, ?, ?)",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, lo);
    sqlite3_bind_int64(q, 2, hi);
    sq_bind_text(q, 3, r[0].source[0] ? r[0].source : "stays");
    sqlite3_bind_blob(q, 4, buf, (int)(p - buf), SQLITE_STATIC);
    return sq_exec_stmt(s, q, err);
}

/* The stays from i on that can share i's pack: same source, at most PACK_ROWS. */
static size_t pack_run(const stay_rec *r, size_t i, size_t n)
{
    size_t k = i + 1;
    while (k < n && k - i < PACK_ROWS && strcmp(r[k].source, r[i].source) == 0)
        k++;
    return k - i;
}

int sq_stays_insert_many(store *st, const stay_rec *r, size_t n, fk_err *err)
{
    struct sq_store *s = SQ(st);
    for (size_t i = 0; i < n; i++)
        if (check_stay(&r[i], i, err) != 0)
            return -1;
    if (n == 0)
        return 0;
    if (sq_begin(s, err) != 0)
        return -1;
    unsigned char *buf = fk_malloc(PACK_ROWS * PACK_STAY_MAX);
    int rc = 0;
    for (size_t i = 0, run; rc == 0 && i < n; i += run) {
        run = pack_run(r, i, n);
        rc = insert_pack(s, r + i, run, buf, err);
    }
    free(buf);
    return sq_end(s, rc, err);
}

/* ---- reading ---- */

typedef struct stay_visit {
    stay_fn fn;
    void *ctx;
    int64_t from, to;        /* packed stays outside [from, to) are skipped */
    fk_err *err;
} stay_visit;

/* One string at *p (< end) of at most cap - 1 bytes into dst; a 0 length keeps dst
 * (the previous stay's), allowed only when there is one. */
static int get_str(const unsigned char **p, const unsigned char *end, char *dst, size_t cap,
                   bool have_prev)
{
    if (*p >= end || **p >= cap || (size_t)(end - *p) < 1u + **p)
        return -1;
    size_t n = *(*p)++;
    if (n == 0)
        return have_prev ? 0 : -1;
    memcpy(dst, *p, n);
    dst[n] = '\0';
    *p += n;
    return 0;
}

/* Times of one stay: the pack's lo plus an offset, and a positive length. */
static int get_times(const unsigned char **p, const unsigned char *end, int64_t lo,
                     stay_rec *r)
{
    int64_t off, len;
    if (get_varint(p, end, &off) != 0 || get_varint(p, end, &len) != 0 || len <= 0 ||
        off > INT64_MAX - lo || len > INT64_MAX - lo - off)
        return -1;
    r->start = lo + off;
    r->end = r->start + len;
    return 0;
}

/* Every stay of the pack in column 5 of q that overlaps [from, to), in pack order. */
static int pack_rows(sqlite3_stmt *q, const stay_visit *v)
{
    const unsigned char *p = sqlite3_column_blob(q, 5), *start = p;
    const unsigned char *end = p + sqlite3_column_bytes(q, 5);
    int64_t lo = sqlite3_column_int64(q, 2);
    stay_rec r;
    sq_col_text(r.source, sizeof r.source, q, 4);
    for (bool first = true; p < end; first = false) {
        if (get_str(&p, end, r.subject, sizeof r.subject, !first) != 0 ||
            get_str(&p, end, r.place, sizeof r.place, !first) != 0 ||
            get_times(&p, end, lo, &r) != 0)
            return fk_fail(v->err, FK_EIO, "stays", "stay pack %lld is damaged at byte %td",
                           (long long)sqlite3_column_int64(q, 6), p - start);
        if (r.end <= v->from || r.start >= v->to)
            continue;
        int stop = v->fn(v->ctx, &r);
        if (stop)
            return stop;
    }
    return 0;
}

static int stay_row(sqlite3_stmt *q, void *visit)
{
    const stay_visit *v = visit;
    if (sqlite3_column_type(q, 5) == SQLITE_BLOB)
        return pack_rows(q, v);
    stay_rec r;
    sq_col_text(r.subject, sizeof r.subject, q, 0);
    sq_col_text(r.place, sizeof r.place, q, 1);
    r.start = sqlite3_column_int64(q, 2);
    r.end = sqlite3_column_int64(q, 3);
    sq_col_text(r.source, sizeof r.source, q, 4);
    return v->fn(v->ctx, &r);
}

int sq_stays_each(store *st, int64_t from, int64_t to, stay_fn fn, void *ctx, fk_err *err)
{
    stay_visit v = {fn, ctx, from, to > 0 ? to : INT64_MAX, err};
    return sq_each_span(SQ(st), SQ_STAYS_SPAN,
                        "SELECT subject, place, start, \"end\", source, pack, id FROM stays "
                        "WHERE \"end\" > ? AND start < ? ORDER BY id",
                        from, to, stay_row, &v, err);
}

/* The sum of the three tables' highest ids: any insert into one of them raises it. */
int sq_stays_version(store *st, int64_t *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_STAYS_VERSION,
                               "SELECT (SELECT coalesce(max(id), 0) FROM stays) + "
                               "(SELECT coalesce(max(id), 0) FROM pings) + "
                               "(SELECT coalesce(max(id), 0) FROM detections)",
                               err);
    return q ? sq_int_query(s, q, out, err) : -1;
}

/* sq_each_span binds two bounds; here they are row ids: after_id < id <= upto_id. */
int sq_stays_after(store *st, int64_t after_id, int64_t upto_id, stay_fn fn, void *ctx,
                   fk_err *err)
{
    stay_visit v = {fn, ctx, INT64_MIN, INT64_MAX, err};
    return sq_each_span(SQ(st), SQ_STAYS_AFTER,
                        "SELECT subject, place, start, \"end\", source, pack, id FROM stays "
                        "WHERE id > ? AND id < ? ORDER BY id",
                        after_id, upto_id + 1, stay_row, &v, err);
}

int sq_input_ids(store *st, int64_t ids[3], fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_INPUT_IDS,
                              "SELECT (SELECT coalesce(max(id), 0) FROM stays), "
                              "(SELECT coalesce(max(id), 0) FROM pings), "
                              "(SELECT coalesce(max(id), 0) FROM detections)",
                              err);
    if (!q)
        return -1;
    int r = sq_step_row(s, q, err);
    if (r == 1)
        for (int i = 0; i < 3; i++)
            ids[i] = sqlite3_column_int64(q, i);
    sqlite3_reset(q);
    return r < 0 ? -1 : 0;
}
