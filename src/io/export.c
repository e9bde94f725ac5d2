/*
 * export.c - the export driver and its kinds table (persons, cases, areas, audit, stays).
 *
 * The driver opens the writer, writes the header from the kind's columns, lets the
 * kind's row function page through the records calling export_set/export_emit, then
 * closes the writer (which moves the file into place) and appends the audit record.
 * On any failure the writer is aborted, so no partial file is left behind.
 */
#include "io/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/timeutil.h"
#include "io/import.h"
#include "io/table_writer.h"
#include "model/role.h"
#include "services/registry.h"

#define EXPORT_PAGE 1000

enum { F_COMMUNITY = 1 << 0, F_STATUS = 1 << 1 };

typedef struct export_kind {
    const char *name;
    const char *entity;         /* audit entity */
    int perm;                   /* enum perm needed */
    const import_column *cols;  /* NULL: the OUT columns of the import kind `name` */
    size_t ncols;
    unsigned filters;           /* F_* the kind accepts */
    int (*rows)(export_ctx *cx, fk_err *err);
} export_kind;

struct export_ctx {
    store *st;
    const actor *a;
    const export_opts *o;
    const char **names;   /* column names, in output order */
    const char **cells;   /* current row */
    size_t ncols;
    tw *w;
};

store *export_ctx_store(const export_ctx *cx)
{
    return cx->st;
}

const actor *export_ctx_actor(const export_ctx *cx)
{
    return cx->a;
}

const export_opts *export_ctx_opts(const export_ctx *cx)
{
    return cx->o;
}

void export_set(export_ctx *cx, const char *col, const char *value)
{
    for (size_t i = 0; i < cx->ncols; i++)
        if (!strcmp(cx->names[i], col)) {
            cx->cells[i] = value;
            return;
        }
    fprintf(stderr, "fangkong: bug: export has no column %s\n", col);
    abort();
}

int export_emit(export_ctx *cx, fk_err *err)
{
    int rc = tw_row(cx->w, cx->cells, cx->ncols, err);
    for (size_t i = 0; i < cx->ncols; i++)
        cx->cells[i] = "";
    return rc;
}

/* ---- persons ---------------------------------------------------------------------- */

static void flags_text(unsigned flags, char *out, size_t cap)
{
    out[0] = '\0';
    for (unsigned bit = 1; bit && bit <= flags; bit <<= 1) {
        const char *name = (flags & bit) ? person_flag_name(bit) : NULL;
        if (name)
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "|" : "", name);
    }
}

static int person_emit(export_ctx *cx, const person *p, fk_err *err)
{
    char hh[24] = "", flags[96];
    if (p->household_id)
        snprintf(hh, sizeof hh, "%lld", (long long)p->household_id);
    flags_text(p->flags, flags, sizeof flags);
    export_set(cx, "name", p->name);
    export_set(cx, "id_type", p->id_type);
    export_set(cx, "id_number", p->id_number);
    export_set(cx, "sex", p->sex);
    export_set(cx, "birth_date", p->birth_date);
    export_set(cx, "phone", p->phone);
    export_set(cx, "resident_type", p->resident_type);
    export_set(cx, "household_id", hh);
    export_set(cx, "address", p->address);
    export_set(cx, "community_code", p->community_code);
    export_set(cx, "work_unit", p->work_unit);
    export_set(cx, "flags", flags);
    return export_emit(cx, err);
}

static int persons_rows(export_ctx *cx, fk_err *err)
{
    for (int offset = 0;; offset += EXPORT_PAGE) {
        person_filter f = {.community_code = cx->o->community, .limit = EXPORT_PAGE,
                           .offset = offset};
        person_list l;
        if (registry_person_list(cx->st, cx->a, &f, &l, err) != 0)
            return -1;
        int rc = 0;
        for (size_t i = 0; i < l.n && rc == 0; i++)
            rc = person_emit(cx, &l.items[i], err);
        size_t n = l.n;
        person_list_free(&l);
        if (rc != 0)
            return -1;
        if (n < EXPORT_PAGE)
            return 0;
    }
}

/* ---- cases ------------------------------------------------------------------------ */

/* The person's ID number as the actor may see it ("" when the person is gone). */
static void case_id_number(export_ctx *cx, int64_t person_id, char out[32])
{
    person p;
    out[0] = '\0';
    if (store_person_get(cx->st, person_id, &p, NULL) != 0)
        return;
    registry_mask_person(cx->a, &p);
    snprintf(out, 32, "%s", p.id_number);
}

static int case_emit(export_ctx *cx, const epicase *c, fk_err *err)
{
    char id[24], number[24], pid[24], idnum[32], reported[21];
    snprintf(id, sizeof id, "%lld", (long long)c->id);
    snprintf(number, sizeof number, "%lld", (long long)c->number);
    snprintf(pid, sizeof pid, "%lld", (long long)c->person_id);
    case_id_number(cx, c->person_id, idnum);
    fk_instant_format(c->reported_at, reported);
    export_set(cx, "id", id);
    export_set(cx, "number", number);
    export_set(cx, "person_id", pid);
    export_set(cx, "person_id_number", idnum);
    export_set(cx, "person_name", c->person_name);
    export_set(cx, "classification", c->classification);
    export_set(cx, "severity", c->severity);
    export_set(cx, "status", c->status);
    export_set(cx, "reported_at", reported);
    export_set(cx, "sampling_date", c->sampling_date);
    export_set(cx, "onset_date", c->onset_date);
    export_set(cx, "source", c->source);
    export_set(cx, "hospital", c->hospital);
    return export_emit(cx, err);
}

static int cases_rows(export_ctx *cx, fk_err *err)
{
    if (cx->o->status && !case_status_known(cx->o->status))
        return fk_fail(err, FK_EINVAL, "status", "status: unknown case status \"%s\"",
                       cx->o->status);
    if (actor_require(cx->a, PERM_PERSON_READ, err) != 0)
        return -1;
    for (int offset = 0;; offset += EXPORT_PAGE) {
        case_filter f = {.area_prefix = cx->o->community, .status = cx->o->status,
                         .limit = EXPORT_PAGE, .offset = offset};
        case_list l;
        if (registry_case_list(cx->st, cx->a, &f, &l, err) != 0)
            return -1;
        int rc = 0;
        for (size_t i = 0; i < l.n && rc == 0; i++)
            rc = case_emit(cx, &l.items[i], err);
        size_t n = l.n;
        case_list_free(&l);
        if (rc != 0)
            return -1;
        if (n < EXPORT_PAGE)
            return 0;
    }
}

/* ---- areas ------------------------------------------------------------------------ */

static int area_emit(export_ctx *cx, const area *ar, fk_err *err)
{
    export_set(cx, "code", ar->code);
    export_set(cx, "parent_code", ar->parent_code);
    export_set(cx, "name", ar->name);
    export_set(cx, "level", ar->level);
    return export_emit(cx, err);
}

/* Depth first, parents before children, so the file imports in order. */
static int area_subtree(export_ctx *cx, const char *parent, fk_err *err)
{
    area_list l;
    if (store_area_children(cx->st, parent, &l, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        rc = area_emit(cx, &l.items[i], err);
        if (rc == 0 && strlen(l.items[i].code) < 15)
            rc = area_subtree(cx, l.items[i].code, err);
    }
    area_list_free(&l);
    return rc;
}

static int areas_rows(export_ctx *cx, fk_err *err)
{
    const char *root = cx->o->community;
    if (!root || !root[0])
        return area_subtree(cx, "", err);
    area ar;
    if (store_area_get(cx->st, root, &ar, err) != 0)
        return fk_fail(err, FK_ENOTFOUND, "community", "no area %s", root);
    if (area_emit(cx, &ar, err) != 0)
        return -1;
    return area_subtree(cx, root, err);
}

/* ---- audit ------------------------------------------------------------------------ */

static const import_column audit_cols[] = {
    {"id", IMPORT_COL_OUT},     {"at", IMPORT_COL_OUT},       {"actor", IMPORT_COL_OUT},
    {"role", IMPORT_COL_OUT},   {"action", IMPORT_COL_OUT},   {"entity", IMPORT_COL_OUT},
    {"entity_id", IMPORT_COL_OUT}, {"detail", IMPORT_COL_OUT}, {"remote", IMPORT_COL_OUT},
    {"log", IMPORT_COL_OUT}, /* audit, or code_scans: the gates' scans, numbered apart */
};

static int audit_emit(export_ctx *cx, const audit_rec *r, fk_err *err)
{
    char id[24], at[21], eid[24] = "";
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    fk_instant_format(r->at, at);
    if (r->entity_id)
        snprintf(eid, sizeof eid, "%lld", (long long)r->entity_id);
    export_set(cx, "id", id);
    export_set(cx, "at", at);
    export_set(cx, "actor", r->actor);
    export_set(cx, "role", r->role);
    export_set(cx, "action", r->action);
    export_set(cx, "entity", r->entity);
    export_set(cx, "entity_id", eid);
    export_set(cx, "detail", r->detail);
    export_set(cx, "remote", r->remote);
    export_set(cx, "log", r->scan ? "code_scans" : "audit");
    return export_emit(cx, err);
}

static int audit_rows(export_ctx *cx, fk_err *err)
{
    if (strcmp(cx->a->role, "command"))
        return fk_fail(err, FK_EFORBIDDEN, "", "only the command role may export the audit log");
    for (int offset = 0;; offset += EXPORT_PAGE) {
        audit_filter f = {.limit = EXPORT_PAGE, .offset = offset};
        audit_list l;
        if (store_audit_list(cx->st, &f, &l, err) != 0)
            return -1;
        int rc = 0;
        for (size_t i = 0; i < l.n && rc == 0; i++)
            rc = audit_emit(cx, &l.items[i], err);
        size_t n = l.n;
        audit_list_free(&l);
        if (rc != 0)
            return -1;
        if (n < EXPORT_PAGE)
            return 0;
    }
}

/* ---- stays (location data; re-importable as stays) ---------------------------------- */

typedef struct stays_out { export_ctx *cx; fk_err *err; } stays_out;

static int stay_emit(void *ctx, const stay_rec *r)
{
    stays_out *o = ctx;
    char start[24], end[24];
    snprintf(start, sizeof start, "%lld", (long long)r->start);
    snprintf(end, sizeof end, "%lld", (long long)r->end);
    export_set(o->cx, "subject", r->subject);
    export_set(o->cx, "cell", r->place);
    export_set(o->cx, "start", start);
    export_set(o->cx, "end", end);
    export_set(o->cx, "source", r->source);
    return export_emit(o->cx, o->err) != 0;
}

/* Every stay in the order stored, single or packed (store_stays_each), times as Unix
 * seconds. */
static int stays_rows(export_ctx *cx, fk_err *err)
{
    stays_out o = {cx, err};
    int rc = store_stays_each(cx->st, 0, 0, stay_emit, &o, err);
    return rc == 0 ? 0 : -1;
}

/* ---- the table and the driver ------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const export_kind kinds[] = {
    {"persons", "person", PERM_PERSON_READ, NULL, 0, F_COMMUNITY, persons_rows},
    {"cases", "case", PERM_CASE_READ, NULL, 0, F_COMMUNITY | F_STATUS, cases_rows},
    {"areas", "area", PERM_PERSON_READ, NULL, 0, F_COMMUNITY, areas_rows},
    {"audit", "audit", PERM_AUDIT_READ, audit_cols, COUNT(audit_cols), 0, audit_rows},
    {"stays", "stay", PERM_TRACE, NULL, 0, 0, stays_rows},
};

const char *export_kind_names(void)
{
    return "persons, cases, areas, audit, stays";
}

static const export_kind *find_kind(const char *name)
{
    for (size_t i = 0; i < COUNT(kinds); i++)
        if (name && !strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

/* Fills cx->names with the kind's output columns. */
static void ctx_columns(export_ctx *cx, const export_kind *k)
{
    const import_column *cols = k->cols;
    size_t n = k->ncols;
    if (!cols) {
        const import_kind *ik = import_kind_find(k->name);
        cols = ik->cols;
        n = ik->ncols;
    }
    cx->names = fk_calloc(n, sizeof *cx->names);
    cx->cells = fk_calloc(n, sizeof *cx->cells);
    for (size_t i = 0; i < n; i++)
        if (cols[i].flags & IMPORT_COL_OUT)
            cx->names[cx->ncols++] = cols[i].name;
    for (size_t i = 0; i < cx->ncols; i++)
        cx->cells[i] = "";
}

static int check_request(const export_kind *k, const char *kind, const export_opts *o,
                         const actor *a, fk_err *err)
{
    if (!k)
        return fk_fail(err, FK_ENOTFOUND, "kind", "unknown kind \"%s\" (one of %s)", kind,
                       export_kind_names());
    if (o->community && !(k->filters & F_COMMUNITY))
        return fk_fail(err, FK_EINVAL, "community", "%s cannot be filtered by community", kind);
    if (o->status && !(k->filters & F_STATUS))
        return fk_fail(err, FK_EINVAL, "status", "%s cannot be filtered by status", kind);
    return actor_require(a, k->perm, err);
}

static int audit_export(export_ctx *cx, const export_kind *k, const char *path, size_t n,
                        fk_err *err)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char detail[256];
    snprintf(detail, sizeof detail, "kind=%s community=%s status=%s rows=%zu file=%.100s",
             k->name, cx->o->community ? cx->o->community : "",
             cx->o->status ? cx->o->status : "", n, base);
    audit_rec rec;
    actor_audit(cx->a, &rec, "export", k->entity, 0, detail);
    return store_audit_append(cx->st, &rec, err);
}

int export_file(store *st, const actor *a, const char *kind, const char *path,
                const export_opts *opts, size_t *rows, fk_err *err)
{
    static const export_opts none = {0};
    const export_opts *o = opts ? opts : &none;
    const export_kind *k = find_kind(kind);
    if (check_request(k, kind, o, a, err) != 0)
        return -1;
    export_ctx cx = {.st = st, .a = a, .o = o};
    ctx_columns(&cx, k);
    int rc = -1;
    size_t n = 0;
    cx.w = tw_open(path, k->name, err);
    if (!cx.w)
        goto out;
    if (tw_row(cx.w, cx.names, cx.ncols, err) != 0 || k->rows(&cx, err) != 0) {
        tw_abort(cx.w);
        goto out;
    }
    n = tw_rows(cx.w);
    if (audit_export(&cx, k, path, n, err) != 0) { /* no audit, no file */
        tw_abort(cx.w);
        goto out;
    }
    if (tw_close(cx.w, err) != 0)
        goto out;
    if (rows)
        *rows = n;
    rc = 0;
out:
    free(cx.names);
    free(cx.cells);
    return rc;
}
