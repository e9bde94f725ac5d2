/*
 * h_imports.c - POST /api/v1/imports/{kind}: a CSV file imported through io/import.h.
 *
 * The body arrives spooled to a temporary file (server.c, route flag `upload`), so a
 * file of any size up to IMPORT_MAX_FILE is imported exactly as `fangkong import` does
 * it, with the caller as the actor (import_file checks the permission of the kind).
 * Query: skip_bad=1 imports the good rows and reports the bad ones (the rejects CSV
 * import_file needs goes to a temporary file next to the upload and is deleted here);
 * dry_run=1 checks only; source=NAME names a risk-area list's source. Answer 200 {"kind","rows","imported","bad","problems"}; a
 * refused file answers the usual error body and status, plus the same "problems".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http/handlers.h"
#include "http/respond.h"
#include "io/import.h"

static bool flag(const http_req *rq, const char *name)
{
    const char *v = req_query(rq, name);
    return v && (!strcmp(v, "1") || !strcmp(v, "true"));
}

static json_t *problems_json(const import_report *rep)
{
    json_t *a = json_array();
    for (size_t i = 0; i < rep->n; i++)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)rep->items[i].row,
                                           "field", rep->items[i].field, "message",
                                           rep->items[i].message));
    return a;
}

int h_import_upload(http_req *rq, fk_err *err)
{
    const char *kind = rq->params[0];
    if (!rq->upload_path)
        return fk_fail(err, FK_EINVAL, "", "the body is empty: send the CSV file as the body");
    char rejects[4096];
    snprintf(rejects, sizeof rejects, "%s.rejects", rq->upload_path);
    bool skip = flag(rq, "skip_bad");
    import_opts o = {.rejects_path = skip ? rejects : NULL, .dry_run = flag(rq, "dry_run"),
                     .policy = rq->policy, .source = req_query(rq, "source")};
    import_report rep;
    fk_err e;
    int rc = import_file(rq->st, &rq->who, kind, rq->upload_path, &o, &rep, &e);
    if (skip)
        unlink(rejects);
    json_t *body = rc == 0 ? json_pack("{s:s, s:I, s:I, s:I}", "kind", kind, "rows",
                                       (json_int_t)rep.rows, "imported",
                                       (json_int_t)rep.imported, "bad", (json_int_t)rep.bad)
                           : http_error_json(&e);
    json_object_set_new(body, "problems", problems_json(&rep));
    import_report_free(&rep);
    return req_reply(rq, rc == 0 ? 200 : http_status_of(e.code), body);
}
