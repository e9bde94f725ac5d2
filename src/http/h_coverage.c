/*
 * h_coverage.c - coverage of a testing round (应检尽检), contract in services/coverage.h:
 *   GET /api/v1/testing/rounds/{id}/coverage             per unit (area, level, now)
 *   GET /api/v1/testing/rounds/{id}/coverage/households  per household (area, now, limit,
 *                                                        offset), most untested first
 *   GET /api/v1/testing/rounds/{id}/untested             the untested persons (area,
 *                                                        household, home, now, limit,
 *                                                        offset); home=1: 上门采样 only
 *   GET /api/v1/testing/rounds/{id}/untested.csv|.xlsx   the same list as a file for
 *                                                        door-to-door follow-up
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "http/handlers.h"
#include "http/json_io.h"
#include "services/coverage.h"

static json_t *counts_json(const coverage_counts *c)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "population", (json_int_t)c->population,
                     "expected", (json_int_t)c->expected, "tested", (json_int_t)c->tested,
                     "untested", (json_int_t)c->untested, "exempt", (json_int_t)c->exempt,
                     "rate", coverage_rate(c));
}

/* The query arguments every coverage read shares. */
static int read_args(http_req *rq, coverage_args *a, fk_err *err)
{
    int64_t limit, offset, household, home;
    const char *now = req_query(rq, "now");
    memset(a, 0, sizeof *a);
    if (req_param_id(rq, 0, &a->round_id, err) ||
        req_query_int(rq, "limit", 50, 1, 1000, &limit, err) ||
        req_query_int(rq, "offset", 0, 0, 100000000, &offset, err) ||
        req_query_int(rq, "household", 0, -1, INT64_MAX, &household, err) ||
        req_query_int(rq, "home", 0, 0, 1, &home, err))
        return -1;
    if (now && fk_instant_parse(now, &a->now, "now", err) != 0)
        return -1;
    a->area = req_query(rq, "area");
    a->level = req_query(rq, "level");
    a->limit = (int)limit;
    a->offset = (int)offset;
    a->household_id = household;
    a->home_only = (int)home;
    return 0;
}

int h_coverage_units(http_req *rq, fk_err *err)
{
    coverage_args a;
    coverage_report r;
    if (read_args(rq, &a, err) || coverage_units(rq->st, rq->policy, &rq->who, &a, &r, err))
        return -1;
    json_t *units = json_array();
    for (size_t i = 0; i < r.units.n; i++) {
        const coverage_unit *u = &r.units.items[i];
        json_t *j = counts_json(&u->c);
        json_object_set_new(j, "code", json_string(u->code));
        json_object_set_new(j, "name", json_string(u->name));
        json_array_append_new(units, j);
    }
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:{s:f, s:f}}", "round_id",
                          (json_int_t)r.round.id, "round_name", r.round.name, "area", r.area,
                          "level", r.level, "total", counts_json(&r.total), "units", units,
                          "thresholds", "alert_below", r.alert_below, "good_from", r.good_from);
    json_object_set_new(j, "now", json_instant(r.now));
    coverage_report_free(&r);
    return req_reply(rq, 200, j);
}

int h_coverage_households(http_req *rq, fk_err *err)
{
    coverage_args a;
    coverage_household_list l;
    char area[16];
    if (read_args(rq, &a, err) ||
        coverage_households(rq->st, rq->policy, &rq->who, &a, area, &l, err))
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const coverage_household *h = &l.items[i];
        json_t *j = counts_json(&h->c);
        json_object_set_new(j, "household_id", json_integer(h->household_id));
        json_object_set_new(j, "building", json_string(h->building));
        json_object_set_new(j, "room", json_string(h->room));
        json_object_set_new(j, "community_code", json_string(h->community_code));
        json_array_append_new(items, j);
    }
    json_t *j = json_pack("{s:s, s:o, s:I}", "area", area, "items", items, "total",
                          (json_int_t)l.total);
    coverage_household_list_free(&l);
    return req_reply(rq, 200, j);
}

static json_t *untested_json(const untested_rec *u)
{
    const char *reasons[8];
    size_t n = coverage_home_reasons(u, reasons, 8);
    json_t *home = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(home, json_string(reasons[i]));
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "person_id",
                     (json_int_t)u->person_id, "name", u->name, "id_number", u->id_number,
                     "phone", u->phone, "resident_type", u->resident_type, "address",
                     u->address, "household_id", (json_int_t)u->household_id, "household",
                     u->household, "community_code", u->community_code, "home_reasons", home);
}

int h_coverage_untested(http_req *rq, fk_err *err)
{
    coverage_args a;
    untested_list l;
    char area[16];
    if (read_args(rq, &a, err) || coverage_untested(rq->st, rq->policy, &rq->who, &a, area, &l,
                                                    err))
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, untested_json(&l.items[i]));
    json_t *j = json_pack("{s:s, s:o, s:I}", "area", area, "items", items, "total",
                          (json_int_t)l.total);
    untested_list_free(&l);
    return req_reply(rq, 200, j);
}

/* ---- the file ---------------------------------------------------------------------------- */

/* The whole of a file into a heap block (*out, *len). */
static int slurp(const char *path, char **out, size_t *len, fk_err *err)
{
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        if (f)
            fclose(f);
        return fk_fail(err, FK_EIO, "", "export: cannot read the file back");
    }
    *out = malloc((size_t)n + 1);
    size_t got = *out ? fread(*out, 1, (size_t)n, f) : 0;
    fclose(f);
    if (got != (size_t)n) {
        free(*out);
        *out = NULL;
        return fk_fail(err, FK_EIO, "", "export: cannot read the file back");
    }
    *len = got;
    return 0;
}

/* The writer needs a path (it renames into place on success): a private temporary one,
 * removed before the answer goes out. */
static int export_bytes(http_req *rq, const coverage_args *a, tw_format fmt, char **out,
                        size_t *len, fk_err *err)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    size_t rows;
    snprintf(path, sizeof path, "%s/fangkong-untested-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return fk_fail(err, FK_EIO, "", "export: cannot create a temporary file");
    close(fd);
    tw *w = tw_open_as(path, fmt, "untested", err);
    int rc = w ? coverage_untested_export(rq->st, rq->policy, &rq->who, a, w, &rows, err) : -1;
    if (rc == 0)
        rc = tw_close(w, err);
    else
        tw_abort(w);
    rc = rc || slurp(path, out, len, err);
    unlink(path);
    return rc ? -1 : 0;
}

int h_coverage_untested_file(http_req *rq, fk_err *err)
{
    coverage_args a;
    char *bytes = NULL, name[96];
    size_t len = 0;
    bool xlsx = tw_path_is_xlsx(rq->path);
    if (read_args(rq, &a, err) ||
        export_bytes(rq, &a, xlsx ? TW_XLSX : TW_CSV, &bytes, &len, err) != 0)
        return -1;
    snprintf(name, sizeof name, "%s-round%lld-%s.%s", a.home_only ? "home-sampling" : "untested",
             (long long)a.round_id, a.area && a.area[0] ? a.area : "all", xlsx ? "xlsx" : "csv");
    /* The name goes into a header: only what a code and the id may hold. */
    for (char *p = name; *p; p++)
        if (!strchr("0123456789abcdefghijklmnopqrstuvwxyz-.", *p))
            *p = '_';
    return req_reply_file(rq, bytes, len,
                          xlsx ? "application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet"
                               : "text/csv; charset=utf-8",
                          name);
}
