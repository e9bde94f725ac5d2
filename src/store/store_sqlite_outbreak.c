/*
 * store_sqlite_outbreak.c - the demo outbreak's ground truth (table `outbreak_links`,
 * migration 0005): append one link, list them all.
 *
 * The references to persons are checked by SQLite's foreign keys inside the same unit
 * as the write (a missing person becomes FK_ECONFLICT through sq_dberr).
 */
#include <sqlite3.h>
#include <string.h>

#include "store/store_sqlite_int.h"

static int route_known(const char *route)
{
    return !strcmp(route, "household") || !strcmp(route, "venue") ||
           !strcmp(route, "companion");
}

static int sq_link_insert_unit(struct sq_store *s, outbreak_link *l, fk_err *err)
{
    sqlite3_stmt *q = sq_stmt(s, SQ_OUTBREAK_LINK_INSERT,
                              "INSERT INTO outbreak_links (infector_person, infectee_person, "
                              "infector_subject, infectee_subject, route, place, time) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)",
                              err);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, l->infector_person);
    sqlite3_bind_int64(q, 2, l->infectee_person);
    sq_bind_text(q, 3, l->infector_subject);
    sq_bind_text(q, 4, l->infectee_subject);
    sq_bind_text(q, 5, l->route);
    sq_bind_text(q, 6, l->place);
    sqlite3_bind_int64(q, 7, l->time);
    if (sq_exec_stmt(s, q, err) != 0)
        return -1;
    l->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_outbreak_link_insert(store *st, outbreak_link *l, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (!route_known(l->route))
        return fk_fail(err, FK_EINVAL, "route",
                       "route: must be household, venue or companion, got '%s'", l->route);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_link_insert_unit(s, l, err), err);
}

static void sq_link_row(sqlite3_stmt *q, void *item)
{
    outbreak_link *l = item;
    l->id = sqlite3_column_int64(q, 0);
    l->infector_person = sqlite3_column_int64(q, 1);
    l->infectee_person = sqlite3_column_int64(q, 2);
    sq_col_text(l->infector_subject, sizeof l->infector_subject, q, 3);
    sq_col_text(l->infectee_subject, sizeof l->infectee_subject, q, 4);
    sq_col_text(l->route, sizeof l->route, q, 5);
    sq_col_text(l->place, sizeof l->place, q, 6);
    l->time = sqlite3_column_int64(q, 7);
}

int sq_outbreak_links(store *st, outbreak_link_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = sq_stmt(s, SQ_OUTBREAK_LINKS,
                              "SELECT id, infector_person, infectee_person, infector_subject, "
                              "infectee_subject, route, place, time FROM outbreak_links "
                              "ORDER BY id",
                              err);
    if (!q)
        return -1;
    return sq_collect(s, q, sq_link_row, sizeof(outbreak_link), (void **)&out->items, &out->n,
                      err);
}
