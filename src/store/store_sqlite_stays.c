/*
 * store_sqlite_stays.c - presence records (table `stays`, migration 0002) for the
 * contact discovery engine: append one, and stream those of a time span.
 *
 * Streaming keeps the caller's memory the only copy: the trace index is built from the
 * callback, never from a list materialised here.
 */
#include <sqlite3.h>
#include <string.h>

#include "store/store_sqlite_int.h"

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

typedef struct stay_visit { stay_fn fn; void *ctx; } stay_visit;

static int stay_row(sqlite3_stmt *q, void *visit)
{
    const stay_visit *v = visit;
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
    stay_visit v = {fn, ctx};
    return sq_each_span(SQ(st), SQ_STAYS_SPAN,
                        "SELECT subject, place, start, \"end\", source FROM stays "
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
    stay_visit v = {fn, ctx};
    return sq_each_span(SQ(st), SQ_STAYS_AFTER,
                        "SELECT subject, place, start, \"end\", source FROM stays "
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
