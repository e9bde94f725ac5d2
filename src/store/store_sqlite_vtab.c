/*
 * store_sqlite_vtab.c - what the store's virtual tables share (fk_members,
 * store_sqlite_members.c; fk_results, store_sqlite_results.c): the table's connect and
 * disconnect, a cursor's open, close and error message, and one cursor's prepared
 * statements kept by the table between cursors, so that a statement opening a cursor for
 * each of many probes (a health code's reads) does not prepare its cursor's statements
 * each time; a second cursor open at once prepares its own. The tables' own cursors
 * start with an sq_vcursor and keep the rest of their state themselves. Used by the
 * table's connection's thread only, as the connection.
 */
#include <string.h>

#include "store/store_sqlite_int.h"

int sq_vtab_connect(sqlite3 *db, const char *schema, sqlite3_vtab **out)
{
    int rc = sqlite3_declare_vtab(db, schema);
    if (rc != SQLITE_OK)
        return rc;
    sq_vtab *t = sqlite3_malloc(sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    t->db = db;
    t->spare_free = true;
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    *out = &t->base;
    return SQLITE_OK;
}

int sq_vtab_disconnect(sqlite3_vtab *v)
{
    sq_vtab *t = (sq_vtab *)v;
    for (int i = 0; i < SQ_VTAB_STMTS; i++)
        sqlite3_finalize(t->spare[i]);
    sqlite3_free(v);
    return SQLITE_OK;
}

int sq_vtab_open(sqlite3_vtab *v, size_t size, int nq, sqlite3_vtab_cursor **out)
{
    sq_vcursor *c = sqlite3_malloc64(size);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, size);
    sq_vtab *t = (sq_vtab *)v;
    c->db = t->db;
    c->nq = nq;
    if (t->spare_free) {
        memcpy(c->q, t->spare, sizeof c->q);
        memset(t->spare, 0, sizeof t->spare);
        t->spare_free = false;
    }
    *out = &c->base;
    return SQLITE_OK;
}

void sq_vtab_close(sqlite3_vtab_cursor *cur)
{
    sq_vcursor *c = (sq_vcursor *)cur;
    sq_vtab *t = (sq_vtab *)cur->pVtab;
    bool keep = !t->spare_free;
    for (int i = 0; i < c->nq; i++) {
        sqlite3_reset(c->q[i]);
        if (keep)
            t->spare[i] = c->q[i];
        else
            sqlite3_finalize(c->q[i]);
    }
    t->spare_free = true;
    sqlite3_free(c);
}

sqlite3_stmt *sq_vtab_stmt(sq_vcursor *c, int which, const char *sql)
{
    sqlite3_stmt **q = &c->q[which];
    if (!*q && sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, q, NULL) !=
                   SQLITE_OK)
        return NULL;
    sqlite3_reset(*q);
    return *q;
}

int sq_vtab_fail(sq_vcursor *c, const char *name, const char *why)
{
    sqlite3_free(c->base.pVtab->zErrMsg);
    c->base.pVtab->zErrMsg = sqlite3_mprintf("%s: %s", name, why);
    return SQLITE_ERROR;
}
