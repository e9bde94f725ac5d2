/*
 * import_pings.c - the `pings` import kind: subject,time,lon,lat.
 *
 * One location ping of a phone (or any subject, kept as given) at `time`, in WGS 84
 * degrees. Rows go raw into table `pings`, with the grid cell computed here by
 * trace_grid_cell at the policy's companion.grid_m (so the import needs the policy in
 * force): the trace index turns pings into presence when it loads (presence.h), and the
 * cell must be the same one the demo's movement and the companion rule use. Refused
 * rows: empty or over-long subject (63 bytes), malformed time or one outside 2000..2099,
 * lon or lat that is not a plain decimal number or outside [-180, 180] / [-90, 90].
 * No duplicate key: two identical pings are harmless to the conversion.
 */
#include "io/import.h"
#include "model/role.h"
#include "trace/presence.h"

static const import_column ping_cols[] = {
    {"subject", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"time", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"lon", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"lat", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
};
enum { G_SUBJECT, G_TIME, G_LON, G_LAT };

static int ping_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                      fk_err *err)
{
    ping_rec *p = rec;
    int64_t grid_m;
    if (import_ctx_policy_int(cx, "companion.grid_m", &grid_m, err) != 0)
        return -1;
    if (import_field_required(p->subject, sizeof p->subject, v[G_SUBJECT], "subject", bad) ||
        import_field_instant(&p->time, v[G_TIME], "time", bad) ||
        import_field_number(&p->lon, v[G_LON], -180, 180, "lon", bad) ||
        import_field_number(&p->lat, v[G_LAT], -90, 90, "lat", bad))
        return 1;
    /* the coordinates are checked above, so only a broken grid_m fails here */
    return trace_grid_cell(p->lon, p->lat, grid_m, p->cell, err) == 0 ? 0 : -1;
}

static int ping_insert(import_ctx *cx, void *rec, fk_err *err)
{
    return store_ping_insert(import_ctx_store(cx), rec, err);
}

const import_kind import_kind_pings = {
    "pings", "ping", PERM_TRACE, ping_cols, sizeof ping_cols / sizeof ping_cols[0],
    sizeof(ping_rec), NULL, ping_parse, import_key_none, "", ping_insert, true};
