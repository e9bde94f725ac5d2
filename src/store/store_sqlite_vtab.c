/*
 * store_sqlite_vtab.c - what the store's virtual tables share (fk_members,
 * store_sqlite_members.c; fk_results, store_sqlite_results.c): the table's connect and
 * disconnect, and one cursor's prepared statements kept by the table between cursors, so
 * that a statement opening a cursor for each of many probes (a health code's reads)
 * does not prepare its cursor's statements each time; a second cursor open at once
 * prepares its own. Used by the table's connection's thread only, as the connection.
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

void sq_vtab_take(sqlite3_vtab *v, sqlite3_stmt **q, int n)
{
    sq_vtab *t = (sq_vtab *)v;
    if (!t->spare_free)
        return;
    memcpy(q, t->spare, (size_t)n * sizeof *q);
    memset(t->spare, 0, sizeof t->spare);
    t->spare_free = false;
}

void sq_vtab_give(sqlite3_vtab *v, sqlite3_stmt **q, int n)
{
    sq_vtab *t = (sq_vtab *)v;
    bool keep = !t->spare_free;
    for (int i = 0; i < n; i++) {
        sqlite3_reset(q[i]);
        if (keep)
            t->spare[i] = q[i];
        else
            sqlite3_finalize(q[i]);
        q[i] = NULL;
    }
    t->spare_free = true;
}

sqlite3_stmt *sq_vtab_stmt(sqlite3 *db, sqlite3_stmt **q, const char *sql)
{
    if (!*q && sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, q, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_reset(*q);
    return *q;
}
