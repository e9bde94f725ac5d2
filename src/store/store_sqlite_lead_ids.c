/*
 * store_sqlite_lead_ids.c - fk_ids(text): the integers of a JSON array of integers as
 * rows (column value), a table-valued function for the readers of leads by area
 * (lead_runs.ids, migration 0037). Contract: store_sqlite_int.h (sq_lead_ids_register).
 *
 * Why not json_each: it parses the array into a tree of JSON nodes and walks it with the
 * general JSON machinery, about a fifth of a street's queue read (97,830 leads); the
 * runs hold only what the push and 0037's trigger write there (json_group_array of
 * integer ids: digits and commas in brackets), which this reads in one pass into an
 * array. Anything else is refused (SQLITE_ERROR naming the function), never guessed.
 * The ids stay JSON text so that the sqlite3 shell, the trigger and json_each read them
 * as well. A cursor owns its array (sqlite3_malloc'd, freed on close); cursors are
 * independent; the module has no state of its own.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "store/store_sqlite_int.h"

enum { COL_VALUE, COL_IDS };

typedef struct ids_cursor {
    sqlite3_vtab_cursor base;
    sqlite3_int64 *v;
    size_t n, cap, at;
} ids_cursor;

static int ids_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                       sqlite3_vtab **out, char **errmsg)
{
    (void)aux, (void)argc, (void)argv, (void)errmsg;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(value INTEGER, ids HIDDEN)");
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_vtab *t = sqlite3_malloc(sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    *out = t;
    return SQLITE_OK;
}

static int ids_disconnect(sqlite3_vtab *t)
{
    sqlite3_free(t);
    return SQLITE_OK;
}

/* Only with its argument: fk_ids(x) (an equality on the hidden column). */
static int ids_best_index(sqlite3_vtab *t, sqlite3_index_info *ix)
{
    (void)t;
    for (int i = 0; i < ix->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
        if (c->iColumn == COL_IDS && c->op == SQLITE_INDEX_CONSTRAINT_EQ) {
            if (!c->usable)
                return SQLITE_CONSTRAINT;
            ix->aConstraintUsage[i].argvIndex = 1;
            ix->aConstraintUsage[i].omit = 1;
            ix->estimatedCost = 10;
            ix->estimatedRows = 100;
            return SQLITE_OK;
        }
    }
    return SQLITE_CONSTRAINT;
}

static int ids_open(sqlite3_vtab *t, sqlite3_vtab_cursor **out)
{
    (void)t;
    ids_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int ids_close(sqlite3_vtab_cursor *cur)
{
    ids_cursor *c = (ids_cursor *)cur;
    sqlite3_free(c->v);
    sqlite3_free(c);
    return SQLITE_OK;
}

static int ids_push(ids_cursor *c, sqlite3_int64 v)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        sqlite3_int64 *a = sqlite3_realloc64(c->v, cap * sizeof *a);
        if (!a)
            return SQLITE_NOMEM;
        c->v = a;
        c->cap = cap;
    }
    c->v[c->n++] = v;
    return SQLITE_OK;
}

/* The end of an array at s (its ']'): only spaces may follow. */
static int ids_end(const char *s)
{
    for (s++; *s == ' '; s++)
        ;
    return *s == '\0' ? 0 : -1;
}

/* "[" then integers (an optional '-', 1..18 digits) separated by ',' then "]", spaces
 * allowed between tokens; "[]" is empty. 0, or -1 when s is not such an array. */
static int ids_parse(ids_cursor *c, const char *s, int *rc)
{
    *rc = SQLITE_OK;
    while (*s == ' ')
        s++;
    if (*s++ != '[')
        return -1;
    while (*s == ' ')
        s++;
    if (*s == ']')
        return ids_end(s);
    for (;;) {
        while (*s == ' ')
            s++;
        bool neg = *s == '-';
        s += neg;
        sqlite3_int64 v = 0;
        int digits = 0;
        for (; *s >= '0' && *s <= '9' && digits < 19; s++, digits++)
            v = v * 10 + (*s - '0');
        if (digits == 0 || digits > 18)
            return -1;
        if ((*rc = ids_push(c, neg ? -v : v)) != SQLITE_OK)
            return -1;
        while (*s == ' ')
            s++;
        if (*s == ']')
            return ids_end(s);
        if (*s++ != ',')
            return -1;
    }
}

static int ids_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx_str, int argc,
                      sqlite3_value **argv)
{
    (void)plan, (void)idx_str;
    ids_cursor *c = (ids_cursor *)cur;
    c->n = c->at = 0;
    if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return SQLITE_OK;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    int rc = SQLITE_OK;
    if (s && ids_parse(c, s, &rc) == 0)
        return SQLITE_OK;
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_free(cur->pVtab->zErrMsg);
    cur->pVtab->zErrMsg = sqlite3_mprintf("fk_ids: not a JSON array of integers");
    return SQLITE_ERROR;
}

static int ids_next(sqlite3_vtab_cursor *cur)
{
    ((ids_cursor *)cur)->at++;
    return SQLITE_OK;
}

static int ids_eof(sqlite3_vtab_cursor *cur)
{
    ids_cursor *c = (ids_cursor *)cur;
    return c->at >= c->n;
}

static int ids_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    ids_cursor *c = (ids_cursor *)cur;
    if (col == COL_VALUE)
        sqlite3_result_int64(ctx, c->v[c->at]);
    return SQLITE_OK;
}

static int ids_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((ids_cursor *)cur)->at;
    return SQLITE_OK;
}

static sqlite3_module ids_module = {
    .iVersion = 0, .xCreate = NULL, .xConnect = ids_connect, .xBestIndex = ids_best_index,
    .xDisconnect = ids_disconnect, .xDestroy = ids_disconnect, .xOpen = ids_open,
    .xClose = ids_close, .xFilter = ids_filter, .xNext = ids_next, .xEof = ids_eof,
    .xColumn = ids_column, .xRowid = ids_rowid,
};

int sq_lead_ids_register(sqlite3 *db)
{
    return sqlite3_create_module(db, "fk_ids", &ids_module, NULL);
}
