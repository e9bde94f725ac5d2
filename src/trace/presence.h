/*
 * presence.h - raw location inputs turned into presence: grid cells of coordinates,
 * and location pings turned into stays.
 *
 * Grid cells (the one definition every producer of cells uses: the pings import, the
 * demo's movement): "G<grid_m>:<row>:<col>" with
 *     row = floor(lat * 111320 / grid_m)
 *     col = floor(lon * 111320 * cos(row_centre_lat) / grid_m),
 *     row_centre_lat = (row + 0.5) * grid_m / 111320 degrees,
 * so a cell is about grid_m x grid_m metres anywhere (columns narrow with latitude by
 * the cosine of the row's centre, which is the same for every point of the row, so a
 * row is cut into equal columns). grid_m comes from the policy (companion.grid_m).
 *
 * Pings -> presence (trace_pings_*): pings arrive ordered by (subject, time), as
 * store_pings_each gives them. A ping at t in cell C followed by the next ping of the
 * same subject at t' gives presence in C over [t, min(t', t + max_gap_s)): the phone is
 * taken to stay where it was last seen, but never longer than max_gap_s (a longer gap
 * is unknown, not dwell). Hence: a gap of exactly max_gap_s is covered whole; the last
 * ping of a subject gives nothing; two pings at the same time give nothing for the
 * first. Pieces of one subject in one cell that touch (one ends where the next starts)
 * are emitted merged as one stay; pieces separated by an uncovered gap are not merged.
 * Input out of order (a subject sorting before the previous one, or a time before the
 * previous ping of the same subject) is refused with FK_EINVAL.
 *
 * Pure: no store, no policy, no globals.
 * Ownership: the converter copies what it keeps; `subject` and `cell` handed to emit
 * are valid during the call only. trace_pings_free frees the converter (NULL is fine).
 * Threads: a converter belongs to one thread; the functions are reentrant.
 */
#ifndef FK_TRACE_PRESENCE_H
#define FK_TRACE_PRESENCE_H

#include <stdint.h>

#include "base/err.h"

#define TRACE_CELL_MAX 32 /* bytes of a cell name with its NUL, as stay_rec.place */

/* The cell of (lon, lat) for a grid of grid_m metres into out. Returns 0, or -1 with
 * FK_EINVAL for NaN, lon outside [-180, 180], lat outside [-90, 90] or grid_m <= 0. */
int trace_grid_cell(double lon, double lat, int64_t grid_m, char out[TRACE_CELL_MAX],
                    fk_err *err);

/* Receives one stay [start, end) of subject in cell; returns 0 to go on. Any other
 * value stops the conversion: the add/finish call then returns -1 with FK_EBUSY (the
 * consumer keeps its own reason in ctx). */
typedef int (*trace_presence_fn)(void *ctx, const char *subject, const char *cell,
                                 int64_t start, int64_t end);

typedef struct trace_pings trace_pings;

/* A converter with the cap max_gap_s (> 0; policy trace_inputs.pings.max_gap_s).
 * NULL when max_gap_s <= 0 or emit is NULL. */
trace_pings *trace_pings_new(int64_t max_gap_s, trace_presence_fn emit, void *ctx);
/* The next ping. Returns 0, or -1 with FK_EINVAL (out of order, empty subject or cell)
 * or FK_EBUSY (emit stopped). After an error the converter only accepts _free. */
int trace_pings_add(trace_pings *tp, const char *subject, int64_t time, const char *cell,
                    fk_err *err);
/* Emits what is still held back (the merged piece of the last subject). */
int trace_pings_finish(trace_pings *tp, fk_err *err);
void trace_pings_free(trace_pings *tp);

#endif
