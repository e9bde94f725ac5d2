/*
 * presence.c - grid cells and the pings -> stays converter (see presence.h).
 *
 * The converter holds two things back: the previous ping of the current subject (its
 * piece ends only when the next ping arrives) and the pending stay (emitted only when
 * a piece that does not extend it arrives, so touching pieces in one cell leave as one
 * stay). Memory is constant: one subject copy and two small records.
 */
#include "trace/presence.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define METRES_PER_DEGREE 111320.0

int trace_grid_cell(double lon, double lat, int64_t grid_m, char out[TRACE_CELL_MAX],
                    fk_err *err)
{
    if (grid_m <= 0)
        return fk_fail(err, FK_EINVAL, "grid_m", "grid_m: must be positive (%lld)",
                       (long long)grid_m);
    if (!(lon >= -180.0 && lon <= 180.0)) /* also false for NaN */
        return fk_fail(err, FK_EINVAL, "lon", "lon: must be a number in [-180, 180]");
    if (!(lat >= -90.0 && lat <= 90.0))
        return fk_fail(err, FK_EINVAL, "lat", "lat: must be a number in [-90, 90]");
    double g = (double)grid_m;
    double row = floor(lat * METRES_PER_DEGREE / g);
    double centre = (row + 0.5) * g / METRES_PER_DEGREE;
    double col = floor(lon * METRES_PER_DEGREE * cos(centre * M_PI / 180.0) / g);
    int n = snprintf(out, TRACE_CELL_MAX, "G%lld:%lld:%lld", (long long)grid_m,
                     (long long)row, (long long)col);
    if (n < 0 || n >= TRACE_CELL_MAX)
        return fk_fail(err, FK_EINVAL, "grid_m", "grid_m: %lld gives a cell name too long",
                       (long long)grid_m);
    return 0;
}

/* ---- pings -> presence -------------------------------------------------------------- */

typedef struct piece {
    bool set;
    char cell[TRACE_CELL_MAX];
    int64_t start, end;
} piece;

struct trace_pings {
    int64_t max_gap;
    trace_presence_fn emit;
    void *ctx;
    char *subject;          /* of the previous ping; NULL before the first */
    size_t subject_cap;
    piece last;             /* the previous ping: cell and time (start) */
    piece pending;          /* the stay held back for merging */
    bool failed;
};

trace_pings *trace_pings_new(int64_t max_gap_s, trace_presence_fn emit, void *ctx)
{
    if (max_gap_s <= 0 || !emit)
        return NULL;
    trace_pings *tp = fk_calloc(1, sizeof *tp);
    tp->max_gap = max_gap_s;
    tp->emit = emit;
    tp->ctx = ctx;
    return tp;
}

void trace_pings_free(trace_pings *tp)
{
    if (!tp)
        return;
    free(tp->subject);
    free(tp);
}

static int stop(trace_pings *tp, fk_err *err, fk_code code, const char *fmt, const char *arg)
{
    tp->failed = true;
    return fk_fail(err, code, "", fmt, arg);
}

static int flush_pending(trace_pings *tp, fk_err *err)
{
    if (!tp->pending.set)
        return 0;
    tp->pending.set = false;
    if (tp->emit(tp->ctx, tp->subject, tp->pending.cell, tp->pending.start, tp->pending.end))
        return stop(tp, err, FK_EBUSY, "the presence consumer stopped%s", "");
    return 0;
}

/* The piece [last.start, end) in last.cell joins the pending stay or replaces it. */
static int add_piece(trace_pings *tp, int64_t end, fk_err *err)
{
    piece *p = &tp->pending;
    if (p->set && p->end == tp->last.start && !strcmp(p->cell, tp->last.cell)) {
        p->end = end;
        return 0;
    }
    if (flush_pending(tp, err) != 0)
        return -1;
    *p = tp->last;
    p->end = end;
    p->set = true;
    return 0;
}

static void set_subject(trace_pings *tp, const char *subject)
{
    size_t n = strlen(subject) + 1;
    if (n > tp->subject_cap) {
        free(tp->subject);
        tp->subject_cap = n < 64 ? 64 : n;
        tp->subject = fk_calloc(1, tp->subject_cap);
    }
    memcpy(tp->subject, subject, n);
}

/* The previous ping's piece, now that the next ping of its subject is at `time`. */
static int close_last(trace_pings *tp, int64_t time, fk_err *err)
{
    if (time < tp->last.start)
        return stop(tp, err, FK_EINVAL, "pings of %.64s out of time order", tp->subject);
    int64_t end = time - tp->last.start > tp->max_gap ? tp->last.start + tp->max_gap : time;
    return end > tp->last.start ? add_piece(tp, end, err) : 0;
}

int trace_pings_add(trace_pings *tp, const char *subject, int64_t time, const char *cell,
                    fk_err *err)
{
    if (tp->failed)
        return fk_fail(err, FK_EINVAL, "", "the conversion already failed");
    if (!subject || !*subject || !cell || !*cell || strlen(cell) >= TRACE_CELL_MAX)
        return stop(tp, err, FK_EINVAL, "a ping needs a subject and a cell%s", "");
    int order = tp->subject ? strcmp(subject, tp->subject) : 1;
    if (order < 0)
        return stop(tp, err, FK_EINVAL, "pings out of subject order at %.64s", subject);
    if (order == 0 && close_last(tp, time, err) != 0)
        return -1;
    if (order > 0) {
        if (flush_pending(tp, err) != 0)
            return -1;
        set_subject(tp, subject);
    }
    snprintf(tp->last.cell, sizeof tp->last.cell, "%s", cell);
    tp->last.start = time;
    tp->last.set = true;
    return 0;
}

int trace_pings_finish(trace_pings *tp, fk_err *err)
{
    if (tp->failed)
        return fk_fail(err, FK_EINVAL, "", "the conversion already failed");
    return flush_pending(tp, err);
}
