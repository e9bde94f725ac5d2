/*
 * import_stays.c - the `stays` import kind: subject,cell,start,end.
 *
 * A subject (phone, resident ID number or person id) was in a place (grid cell or venue
 * code) over [start, end); times are Unix seconds or ISO 8601 with an offset. Subjects
 * are kept as given: location data arrives before anyone is registered, so there is no
 * reference to check and an import works on an empty data directory. Rows are refused
 * for an empty or over-long subject or place, a malformed time, a time before 2000 or
 * after 2100, and an end not after its start. No in-file duplicate key: two identical
 * rows are two observations, and the index merges overlapping intervals anyway.
 * The column is called `place` in the store and `cell` in files, as the issue names it;
 * `place` is accepted too. A `source` column (written by `fangkong export stays`) is
 * accepted and ignored: what the file is imported as is its source.
 */
#include <string.h>

#include "io/import.h"
#include "model/role.h"

static const import_column stay_cols[] = {
    {"subject", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"cell", IMPORT_COL_IN | IMPORT_COL_OUT},
    {"place", IMPORT_COL_IN},
    {"start", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"end", IMPORT_COL_REQUIRED | IMPORT_COL_IN | IMPORT_COL_OUT},
    {"source", IMPORT_COL_OUT},   /* exported; accepted and ignored on import */
};
enum { S_SUBJECT, S_CELL, S_PLACE, S_START, S_END };

static int stay_check_header(const bool *present, fk_err *err)
{
    if (present[S_CELL] == present[S_PLACE])
        return fk_fail(err, FK_EINVAL, "cell", "cell: give exactly one of cell or place");
    return 0;
}

static int stay_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad, fk_err *err)
{
    stay_rec *r = rec;
    const char *place = v[S_CELL][0] ? v[S_CELL] : v[S_PLACE];
    (void)cx, (void)err;
    if (import_field_required(r->subject, sizeof r->subject, v[S_SUBJECT], "subject", bad) ||
        import_field_required(r->place, sizeof r->place, place,
                              v[S_PLACE][0] ? "place" : "cell", bad) ||
        import_field_instant(&r->start, v[S_START], "start", bad) ||
        import_field_instant(&r->end, v[S_END], "end", bad))
        return 1;
    if (r->end <= r->start)
        return fk_fail(bad, FK_EINVAL, "end", "end: must be after start"), 1;
    memcpy(r->source, "stays", 6);
    return 0;
}

int import_stay_insert(import_ctx *cx, void *rec, fk_err *err)
{
    return store_stay_insert(import_ctx_store(cx), rec, err);
}

int import_stays_insert_many(import_ctx *cx, const void *recs, size_t n, fk_err *err)
{
    return store_stays_insert_many(import_ctx_store(cx), recs, n, err);
}

const import_kind import_kind_stays = {
    "stays", "stay", PERM_TRACE, stay_cols, sizeof stay_cols / sizeof stay_cols[0],
    sizeof(stay_rec), stay_check_header, stay_parse, import_key_none, "",
    import_stay_insert, true, import_stays_insert_many};
