/*
 * import_proximity.c - the `proximity` import kind: a,b,time.
 *
 * One proximity detection (RFID badges, Bluetooth exposure records): subjects a and b
 * were near each other at `time`. Rows go raw into table `detections` (source
 * 'proximity'); the engine forms contact events from them by the policy's
 * trace_inputs.proximity.interval_s, so the import itself needs no policy. The pair is
 * stored ordered (a < b by bytes) so that one pair always reads back under one spelling
 * and (a, b, time) order groups it. Refused rows: an empty or over-long subject (63
 * bytes), a == b, a malformed time or one outside 2000..2099 (relative times such as
 * SocioPatterns' must be shifted to real instants before the import).
 */
#include <string.h>

#include "io/import.h"
#include "model/role.h"

static const import_column proximity_cols[] = {
    {"a", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"b", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"time", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
};
enum { X_A, X_B, X_TIME };

static int proximity_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                           fk_err *err)
{
    detection_rec *d = rec;
    (void)cx, (void)err;
    if (import_field_required(d->a, sizeof d->a, v[X_A], "a", bad) ||
        import_field_required(d->b, sizeof d->b, v[X_B], "b", bad) ||
        import_field_instant(&d->time, v[X_TIME], "time", bad))
        return 1;
    int order = strcmp(d->a, d->b);
    if (order == 0)
        return fk_fail(bad, FK_EINVAL, "b", "b: the same subject as a"), 1;
    if (order > 0) {
        char t[sizeof d->a];
        memcpy(t, d->a, sizeof t);
        memcpy(d->a, d->b, sizeof t);
        memcpy(d->b, t, sizeof t);
    }
    memcpy(d->source, "proximity", 10);
    return 0;
}

static int proximity_insert(import_ctx *cx, void *rec, fk_err *err)
{
    return store_detection_insert(import_ctx_store(cx), rec, err);
}

const import_kind import_kind_proximity = {
    "proximity", "detection", PERM_TRACE, proximity_cols,
    sizeof proximity_cols / sizeof proximity_cols[0], sizeof(detection_rec), NULL,
    proximity_parse, import_key_none, "", proximity_insert, true};
