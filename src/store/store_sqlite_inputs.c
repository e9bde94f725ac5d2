/*
 * store_sqlite_inputs.c - raw location inputs (tables `pings` and `detections`,
 * migration 0003): append one, and stream those of a time span in the order the
 * trace engine consumes them (pings by subject and time, detections by pair and time).
 */
#include <sqlite3.h>
#include <string.h>

#include "store/store_sqlite_int.h"

int sq_ping_insert(store *st, const ping_rec *p, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_PING_INSERT,
                              "INSERT INTO pings (subject, time, cell, lon, lat) "
                              "VALUES (?, ?, ?, ?, ?)",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, p->subject);
    sqlite3_bind_int64(q, 2, p->time);
    sq_bind_text(q, 3, p->cell);
    sqlite3_bind_double(q, 4, p->lon);
    sqlite3_bind_double(q, 5, p->lat);
    return sq_write1(s, q, err);
}

typedef struct ping_visit { ping_fn fn; void *ctx; } ping_visit;

static int ping_row(sqlite3_stmt *q, void *visit)
{
    const ping_visit *v = visit;
    ping_rec p;
    p.id = sqlite3_column_int64(q, 0);
    sq_col_text(p.subject, sizeof p.subject, q, 1);
    p.time = sqlite3_column_int64(q, 2);
    sq_col_text(p.cell, sizeof p.cell, q, 3);
    p.lon = sqlite3_column_double(q, 4);
    p.lat = sqlite3_column_double(q, 5);
    return v->fn(v->ctx, &p);
}

static int copy_ping(void *ctx, const ping_rec *p)
{
    *(ping_rec *)ctx = *p;
    return 0;
}

int sq_pings_each(store *st, int64_t from, int64_t to, ping_fn fn, void *ctx, fk_err *err)
{
    ping_visit v = {fn, ctx};
    return sq_each_span(SQ(st), SQ_PINGS_SPAN,
                        "SELECT id, subject, time, cell, lon, lat FROM pings "
                        "WHERE time >= ? AND time < ? ORDER BY subject, time, id",
                        from, to, ping_row, &v, err);
}

/* sq_each_span binds two bounds; here they are row ids: after_id < id <= upto_id. */
int sq_pings_after(store *st, int64_t after_id, int64_t upto_id, ping_fn fn, void *ctx,
                   fk_err *err)
{
    ping_visit v = {fn, ctx};
    return sq_each_span(SQ(st), SQ_PINGS_AFTER,
                        "SELECT id, subject, time, cell, lon, lat FROM pings "
                        "WHERE id > ? AND id < ? ORDER BY subject, time, id",
                        after_id, upto_id + 1, ping_row, &v, err);
}

int sq_ping_last(store *st, const char *subject, int64_t upto_id, ping_rec *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_PING_LAST,
                              "SELECT id, subject, time, cell, lon, lat FROM pings "
                              "WHERE subject = ? AND id <= ? ORDER BY time DESC, id DESC LIMIT 1",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, subject);
    sqlite3_bind_int64(q, 2, upto_id);
    int r = sq_step_row(s, q, err);
    if (r == 1) {
        ping_visit v = {copy_ping, out};
        ping_row(q, &v);
        sqlite3_reset(q);
    }
    return r;
}

int sq_detection_insert(store *st, const detection_rec *d, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_DETECTION_INSERT,
                              "INSERT INTO detections (a, b, time, source) VALUES (?, ?, ?, ?)",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, d->a);
    sq_bind_text(q, 2, d->b);
    sqlite3_bind_int64(q, 3, d->time);
    sq_bind_text(q, 4, d->source[0] ? d->source : "proximity");
    return sq_write1(s, q, err);
}

typedef struct detection_visit { detection_fn fn; void *ctx; } detection_visit;

static int detection_row(sqlite3_stmt *q, void *visit)
{
    const detection_visit *v = visit;
    detection_rec d;
    d.id = sqlite3_column_int64(q, 0);
    sq_col_text(d.a, sizeof d.a, q, 1);
    sq_col_text(d.b, sizeof d.b, q, 2);
    d.time = sqlite3_column_int64(q, 3);
    sq_col_text(d.source, sizeof d.source, q, 4);
    return v->fn(v->ctx, &d);
}

int sq_detections_each(store *st, int64_t from, int64_t to, detection_fn fn, void *ctx,
                       fk_err *err)
{
    detection_visit v = {fn, ctx};
    return sq_each_span(SQ(st), SQ_DETECTIONS_SPAN,
                        "SELECT id, a, b, time, source FROM detections "
                        "WHERE time >= ? AND time < ? ORDER BY a, b, time, id",
                        from, to, detection_row, &v, err);
}

int sq_detections_after(store *st, int64_t after_id, int64_t upto_id,
                           detection_fn fn, void *ctx, fk_err *err)
{
    detection_visit v = {fn, ctx};
    return sq_each_span(SQ(st), SQ_DETECTIONS_AFTER,
                        "SELECT id, a, b, time, source FROM detections "
                        "WHERE id > ? AND id < ? ORDER BY id",
                        after_id, upto_id + 1, detection_row, &v, err);
}
