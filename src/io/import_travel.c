/*
 * import_travel.c - the traveler screening import kinds (services/travel.h):
 *
 *   risk-areas   region_code,area_name,level,from,to   (the issue 6 contract's format:
 *                level high|medium|low, dates YYYY-MM-DD, to empty while in force,
 *                region_code 6 to 12 digits, from <= to). Needs a source name
 *                (opts->source: --source NAME, ?source=NAME). The whole file is one new
 *                version of that source (a full snapshot: it replaces the source's earlier
 *                versions for matching), with its SHA-256 and row count, and every
 *                arrival of the window is matched again, in the import's transaction.
 *   arrivals     id_number,arrived_at,place_kind,place,checkpoint_id,from_region,
 *                from_area,community_code   (落地登记; a registered person by resident
 *                ID number; community_code empty = the person's; each row matched)
 *   itineraries  id_number,region_code,area_name,from,to,source   (a stay; source
 *                itinerary_card, self_report or checkpoint, default self_report)
 * Times: ISO 8601 with an offset, Unix seconds, or a date YYYY-MM-DD, a local day of
 * reporting.utc_offset_h: its first second as `from` or arrived_at, its last as `to`.
 * Two passes (the driver's): every row is checked first; one bad row refuses the file.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "io/import.h"
#include "model/role.h"
#include "services/travel.h"

/* ---- risk-areas --------------------------------------------------------------------------- */

static const import_column risk_cols[] = {
    {"region_code", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"area_name", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"level", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"from", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"to", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
};
enum { R_REGION, R_AREA, R_LEVEL, R_FROM, R_TO };

typedef struct risk_state {
    risk_area_rec *rows;
    size_t n, cap;
} risk_state;

static int risk_begin(import_ctx *cx, void **state, fk_err *err)
{
    const char *src = import_ctx_source(cx);
    if (!src || !src[0])
        return fk_fail(err, FK_EINVAL, "source", "source: a risk-area list needs its source "
                       "name (--source NAME, ?source=NAME)");
    if (strlen(src) > 63)
        return fk_fail(err, FK_EINVAL, "source", "source: at most 63 bytes");
    if (!import_ctx_policy(cx))
        return fk_fail(err, FK_EINVAL, "policy", "policy: the import needs the policy in force");
    *state = fk_calloc(1, sizeof(risk_state));
    return 0;
}

static void risk_end(void *state)
{
    risk_state *rs = state;
    if (rs)
        free(rs->rows);
    free(rs);
}

static int risk_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad, fk_err *err)
{
    risk_area_rec *r = rec;
    (void)cx, (void)err;
    if (import_field_text(r->region_code, sizeof r->region_code, v[R_REGION], "region_code",
                          bad) ||
        import_field_text(r->area_name, sizeof r->area_name, v[R_AREA], "area_name", bad) ||
        import_field_text(r->level, sizeof r->level, v[R_LEVEL], "level", bad) ||
        import_field_text(r->valid_from, sizeof r->valid_from, v[R_FROM], "from", bad) ||
        import_field_text(r->valid_to, sizeof r->valid_to, v[R_TO], "to", bad))
        return 1;
    return travel_risk_row_check(r, bad) != 0 ? 1 : 0;
}

static int risk_insert(import_ctx *cx, void *rec, fk_err *err)
{
    risk_state *rs = import_ctx_state(cx);
    (void)err;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->rows = fk_realloc(rs->rows, rs->cap * sizeof *rs->rows);
    }
    rs->rows[rs->n++] = *(risk_area_rec *)rec;
    return 0;
}

static int file_digest(const char *path, char hex[65], fk_err *err)
{
    unsigned char buf[65536], out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state h;
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f)
        return fk_fail(err, FK_EIO, "", "%s: cannot read it again", path);
    crypto_hash_sha256_init(&h);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&h, buf, n);
    fclose(f);
    crypto_hash_sha256_final(&h, out);
    sodium_bin2hex(hex, 65, out, sizeof out);
    return 0;
}

static int risk_finish(import_ctx *cx, fk_err *err)
{
    risk_state *rs = import_ctx_state(cx);
    risk_list_rec l = {0};
    size_t made;
    snprintf(l.source, sizeof l.source, "%s", import_ctx_source(cx));
    if (file_digest(import_ctx_path(cx), l.digest, err) != 0)
        return -1;
    return travel_list_publish(import_ctx_store(cx), import_ctx_policy(cx), import_ctx_actor(cx),
                               &l, rs->rows, rs->n, &made, err);
}

const import_kind import_kind_risk_areas = {
    .name = "risk-areas", .entity = "risk_area_list", .perm = PERM_TRAVEL, .cols = risk_cols,
    .ncols = sizeof risk_cols / sizeof risk_cols[0], .rec_size = sizeof(risk_area_rec),
    .parse = risk_parse, .key = import_key_none, .key_field = "", .insert = risk_insert,
    .begin = risk_begin, .finish = risk_finish, .end = risk_end};

/* ---- arrivals ------------------------------------------------------------------------------- */

static const import_column arrival_cols[] = {
    {"id_number", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"arrived_at", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"place_kind", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"place", IMPORT_COL_IN},
    {"checkpoint_id", IMPORT_COL_IN},
    {"from_region", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"from_area", IMPORT_COL_IN},
    {"community_code", IMPORT_COL_IN},
};
enum { A_ID, A_AT, A_KIND, A_PLACE, A_CP, A_REGION, A_AREA, A_COMMUNITY };

typedef struct arrival_row {
    arrival_rec r;
    char id_number[32];
} arrival_row;

/* A check of the service's as a bad row (the store's own failures stay errors). */
static int as_bad(fk_err *e, fk_err *bad, fk_err *err)
{
    if (e->code == FK_EINVAL || e->code == FK_EREF || e->code == FK_EFORBIDDEN) {
        *bad = *e;
        return 1;
    }
    *err = *e;
    return -1;
}

static int local_offset(import_ctx *cx, int *out, fk_err *err)
{
    int64_t off;
    if (import_ctx_policy_int(cx, "reporting.utc_offset_h", &off, err) != 0)
        return -1;
    *out = (int)off;
    return 0;
}

static int arrival_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                         fk_err *err)
{
    arrival_row *a = rec;
    fk_err e;
    int off;
    if (local_offset(cx, &off, err) != 0)
        return -1;
    if (import_field_required(a->id_number, sizeof a->id_number, v[A_ID], "id_number", bad) ||
        import_field_text(a->r.place_kind, sizeof a->r.place_kind, v[A_KIND], "place_kind", bad) ||
        import_field_text(a->r.place, sizeof a->r.place, v[A_PLACE], "place", bad) ||
        import_field_text(a->r.from_region, sizeof a->r.from_region, v[A_REGION], "from_region",
                          bad) ||
        import_field_text(a->r.from_area, sizeof a->r.from_area, v[A_AREA], "from_area", bad) ||
        import_field_text(a->r.community_code, sizeof a->r.community_code, v[A_COMMUNITY],
                          "community_code", bad))
        return 1;
    if (travel_parse_time(v[A_AT], false, off, &a->r.arrived_at, "arrived_at", bad) != 0)
        return 1;
    if (v[A_CP][0] && import_field_id(&a->r.checkpoint_id, v[A_CP], "checkpoint_id", bad) != 0)
        return 1;
    memcpy(a->r.source, "import", 7);
    if (travel_arrival_check(import_ctx_store(cx), import_ctx_actor(cx), &a->r, a->id_number,
                             &e) != 0)
        return as_bad(&e, bad, err);
    return 0;
}

static int arrival_insert(import_ctx *cx, void *rec, fk_err *err)
{
    arrival_row *a = rec;
    travel_leads made;
    return travel_arrival_register(import_ctx_store(cx), import_ctx_policy(cx),
                                   import_ctx_actor(cx), &a->r, a->id_number, &made, err);
}

const import_kind import_kind_arrivals = {
    .name = "arrivals", .entity = "arrival", .perm = PERM_TRAVEL, .cols = arrival_cols,
    .ncols = sizeof arrival_cols / sizeof arrival_cols[0], .rec_size = sizeof(arrival_row),
    .parse = arrival_parse, .key = import_key_none, .key_field = "", .insert = arrival_insert};

/* ---- itineraries ---------------------------------------------------------------------------- */

static const import_column itinerary_cols[] = {
    {"id_number", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"region_code", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"area_name", IMPORT_COL_IN},
    {"from", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"to", IMPORT_COL_REQUIRED | IMPORT_COL_IN},
    {"source", IMPORT_COL_IN},
};
enum { I_ID, I_REGION, I_AREA, I_FROM, I_TO, I_SOURCE };

typedef struct itinerary_row {
    itinerary_rec r;
    char id_number[32];
} itinerary_row;

static int itinerary_parse(import_ctx *cx, const char *const *v, void *rec, fk_err *bad,
                           fk_err *err)
{
    itinerary_row *it = rec;
    fk_err e;
    int off;
    if (local_offset(cx, &off, err) != 0)
        return -1;
    if (import_field_required(it->id_number, sizeof it->id_number, v[I_ID], "id_number", bad) ||
        import_field_text(it->r.region_code, sizeof it->r.region_code, v[I_REGION],
                          "region_code", bad) ||
        import_field_text(it->r.area_name, sizeof it->r.area_name, v[I_AREA], "area_name", bad) ||
        import_field_text(it->r.source, sizeof it->r.source, v[I_SOURCE], "source", bad))
        return 1;
    if (travel_parse_time(v[I_FROM], false, off, &it->r.stay_from, "from", bad) != 0 ||
        travel_parse_time(v[I_TO], true, off, &it->r.stay_to, "to", bad) != 0)
        return 1;
    if (travel_itinerary_check(import_ctx_store(cx), import_ctx_actor(cx), &it->r,
                               it->id_number, &e) != 0)
        return as_bad(&e, bad, err);
    return 0;
}

static int itinerary_insert(import_ctx *cx, void *rec, fk_err *err)
{
    itinerary_row *it = rec;
    travel_leads made;
    return travel_itinerary_record(import_ctx_store(cx), import_ctx_policy(cx),
                                   import_ctx_actor(cx), &it->r, it->id_number, &made, err);
}

const import_kind import_kind_itineraries = {
    .name = "itineraries", .entity = "itinerary", .perm = PERM_TRAVEL, .cols = itinerary_cols,
    .ncols = sizeof itinerary_cols / sizeof itinerary_cols[0],
    .rec_size = sizeof(itinerary_row), .parse = itinerary_parse, .key = import_key_none,
    .key_field = "", .insert = itinerary_insert};
