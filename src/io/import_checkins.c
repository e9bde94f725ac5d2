/*
 * import_checkins.c - the `checkins` import kind: subject,venue,time_in[,time_out].
 *
 * A venue-code scan (场所码): the subject entered the venue at time_in and, when the
 * scan system records it, left at time_out. Each row becomes one stay with place = the
 * venue code and source = 'checkins' (the contract: places with such stays are venues).
 * A scan usually records arrival only: an absent or empty time_out is taken as
 * time_in + the policy's trace_inputs.checkins.default_dwell_s, so the import needs the
 * policy in force. Refused rows: empty or over-long subject (63 bytes) or venue (31),
 * a malformed time or one outside 2000..2099, a time_out not after time_in. Subjects
 * are kept as given; no duplicate key (two scans are two observations).
 */
#include <string.h>

#include "io/import.h"
#include "model/role.h"

static const import_column checkin_cols[] = {
    {"subject", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"venue", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"time_in", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"time_out", IMPORT_COL_IN},
};
enum { K_SUBJECT, K_VENUE, K_IN, K_OUT };

static int checkin_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                         fk_err *err)
{
    stay_rec *r = rec;
    int64_t dwell;
    /* asked on every row so a missing policy stops the import at its first row */
    if (import_ctx_policy_int(cx, "trace_inputs.checkins.default_dwell_s", &dwell, err) != 0)
        return -1;
    if (import_field_required(r->subject, sizeof r->subject, v[K_SUBJECT], "subject", bad) ||
        import_field_required(r->place, sizeof r->place, v[K_VENUE], "venue", bad) ||
        import_field_instant(&r->start, v[K_IN], "time_in", bad))
        return 1;
    if (!v[K_OUT][0])
        r->end = r->start + dwell;
    else if (import_field_instant(&r->end, v[K_OUT], "time_out", bad) != 0)
        return 1;
    else if (r->end <= r->start)
        return fk_fail(bad, FK_EINVAL, "time_out", "time_out: must be after time_in"), 1;
    memcpy(r->source, "checkins", 9);
    return 0;
}

const import_kind import_kind_checkins = {
    "checkins", "checkin", PERM_TRACE, checkin_cols,
    sizeof checkin_cols / sizeof checkin_cols[0], sizeof(stay_rec), NULL, checkin_parse,
    import_key_none, "", import_stay_insert, true, import_stays_insert_many};
