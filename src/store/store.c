/*
 * store.c - backend selection and dispatch for store.h.
 *
 * store_open(location): "sqlite:DIR" or a plain directory path DIR selects SQLite at
 * DIR/fangkong.db; DIR (and missing parents) are created with mode 0700. A future
 * "postgres:..." scheme adds a branch here and nothing else changes.
 * Every other public function forwards to the handle's ops table (store_int.h).
 * The *_list_free functions are here because every backend returns one heap array
 * per list; they accept NULL and lists already freed.
 */
#include "store/store_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p with mode 0700 for the components that are missing. */
static int st_mkdirs(const char *dir, fk_err *err)
{
    char path[PATH_MAX];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof path)
        return fk_fail(err, FK_EINVAL, "data_dir", "data directory path is empty or too long");
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return fk_fail(err, FK_EIO, "data_dir", "cannot create directory %s: %s", path,
                           strerror(errno));
        path[i] = saved;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return fk_fail(err, FK_EIO, "data_dir", "%s is not a directory", dir);
    return 0;
}

/* The database file of `location` (OUT: path, PATH_MAX), its directory made. */
static int st_db_path(const char *location, char *path, fk_err *err)
{
    if (!location || !*location)
        return fk_fail(err, FK_EINVAL, "data_dir", "no data directory given");
    const char *dir = location;
    if (!strncmp(location, "sqlite:", 7))
        dir = location + 7;
    if (st_mkdirs(dir, err) != 0)
        return -1;
    if (snprintf(path, PATH_MAX, "%s/fangkong.db", dir) >= PATH_MAX)
        return fk_fail(err, FK_EINVAL, "data_dir", "data directory path too long");
    return 0;
}

store *store_open(const char *location, fk_err *err)
{
    char path[PATH_MAX];
    return st_db_path(location, path, err) == 0 ? store_sqlite_open(path, err) : NULL;
}

store_checkpointer *store_checkpointer_start(const char *location,
                                             const store_checkpoint_limits *lim, fk_err *err)
{
    char path[PATH_MAX];
    return st_db_path(location, path, err) == 0 ? store_sqlite_checkpointer_start(path, lim, err)
                                                : NULL;
}

void store_close(store *st)
{
    if (st)
        st->ops->close(st);
}

int store_schema_version(store *st) { return st->ops->schema_version(st); }
int store_map_reads(store *st, fk_err *err) { return st->ops->map_reads(st, err); }
int store_unmap_reads(store *st, fk_err *err) { return st->ops->unmap_reads(st, err); }
int store_spill_early(store *st, int kib, fk_err *err)
{
    return st->ops->spill_early(st, kib, err);
}
int store_checkpoint_later(store *st, bool later, fk_err *err)
{
    return st->ops->checkpoint_later(st, later, err);
}
void store_wal_write_early(store *st) { st->ops->wal_write_early(st); }
int store_batch_writer(store *st, fk_err *err) { return st->ops->batch_writer(st, err); }
int store_schema_latest(void) { return store_sqlite_schema_latest(); }
int store_check(store *st, strbuf *report, fk_err *err) { return st->ops->check(st, report, err); }

int store_begin(store *st, fk_err *err) { return st->ops->begin(st, err); }
int store_commit(store *st, fk_err *err) { return st->ops->commit(st, err); }
void store_rollback(store *st) { st->ops->rollback(st); }

int store_end(store *st, int rc, fk_err *err)
{
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, err);
}

int store_audit_append(store *st, const audit_rec *a, fk_err *err)
{
    return st->ops->audit_append(st, a, err);
}

int store_audit_append_many(store *st, const audit_rec *a, size_t n, fk_err *err)
{
    return st->ops->audit_append_many(st, a, n, err);
}

int store_scan_audit_append_many(store *st, const scan_audit_rec *s, size_t n, fk_err *err)
{
    return st->ops->scan_audit_append_many(st, s, n, err);
}

int store_audit_list(store *st, const audit_filter *f, audit_list *out, fk_err *err)
{
    return st->ops->audit_list(st, f, out, err);
}

int store_area_insert(store *st, const area *a, fk_err *err)
{
    return st->ops->area_insert(st, a, err);
}

int store_area_get(store *st, const char *code, area *out, fk_err *err)
{
    return st->ops->area_get(st, code, out, err);
}

int store_area_children(store *st, const char *parent_code, area_list *out, fk_err *err)
{
    return st->ops->area_children(st, parent_code, out, err);
}

int store_building_insert(store *st, building *b, fk_err *err)
{
    return st->ops->building_insert(st, b, err);
}

int store_household_insert(store *st, household *h, fk_err *err)
{
    return st->ops->household_insert(st, h, err);
}

int store_household_get(store *st, int64_t id, household *out, fk_err *err)
{
    return st->ops->household_get(st, id, out, err);
}

int store_household_list(store *st, const char *community_code, int limit, int offset,
                         household_list *out, fk_err *err)
{
    return st->ops->household_list(st, community_code, limit, offset, out, err);
}

int store_stay_insert(store *st, const stay_rec *s, fk_err *err)
{
    return st->ops->stay_insert(st, s, err);
}

int store_stays_insert_many(store *st, const stay_rec *s, size_t n, fk_err *err)
{
    return st->ops->stays_insert_many(st, s, n, err);
}

int store_stays_each(store *st, int64_t from, int64_t to, stay_fn fn, void *ctx, fk_err *err)
{
    return st->ops->stays_each(st, from, to, fn, ctx, err);
}

int store_stays_version(store *st, int64_t *out, fk_err *err)
{
    return st->ops->stays_version(st, out, err);
}

int store_ping_insert(store *st, const ping_rec *p, fk_err *err)
{
    return st->ops->ping_insert(st, p, err);
}

int store_pings_each(store *st, int64_t from, int64_t to, ping_fn fn, void *ctx, fk_err *err)
{
    return st->ops->pings_each(st, from, to, fn, ctx, err);
}

int store_detection_insert(store *st, const detection_rec *d, fk_err *err)
{
    return st->ops->detection_insert(st, d, err);
}

int store_detections_each(store *st, int64_t from, int64_t to, detection_fn fn, void *ctx,
                          fk_err *err)
{
    return st->ops->detections_each(st, from, to, fn, ctx, err);
}

int store_venue_insert(store *st, venue *v, fk_err *err)
{
    return st->ops->venue_insert(st, v, err);
}

int store_venue_list(store *st, const char *area_prefix, const char *kind, int limit, int offset,
                     venue_list *out, fk_err *err)
{
    return st->ops->venue_list(st, area_prefix, kind, limit, offset, out, err);
}

int store_person_insert(store *st, person *p, const audit_rec *a, fk_err *err)
{
    return st->ops->person_insert(st, p, a, err);
}

int store_person_update(store *st, person *p, const audit_rec *a, fk_err *err)
{
    return st->ops->person_update(st, p, a, err);
}

int store_person_get(store *st, int64_t id, person *out, fk_err *err)
{
    return st->ops->person_get(st, id, out, err);
}

int store_person_find_by_subject(store *st, const char *subject, person *out, fk_err *err)
{
    return st->ops->person_find_by_subject(st, subject, out, err);
}

int store_person_find_by_id_number(store *st, const char *id_number, person *out, fk_err *err)
{
    return st->ops->person_find_by_id_number(st, id_number, out, err);
}

int store_person_list(store *st, const person_filter *f, person_list *out, fk_err *err)
{
    return st->ops->person_list(st, f, out, err);
}

int store_case_insert(store *st, epicase *c, const audit_rec *a, fk_err *err)
{
    return st->ops->case_insert(st, c, a, err);
}

int store_case_update(store *st, epicase *c, const audit_rec *a, fk_err *err)
{
    return st->ops->case_update(st, c, a, err);
}

int store_case_get(store *st, int64_t id, epicase *out, fk_err *err)
{
    return st->ops->case_get(st, id, out, err);
}

int store_case_list(store *st, const case_filter *f, case_list *out, fk_err *err)
{
    return st->ops->case_list(st, f, out, err);
}

int store_case_transition(store *st, int64_t case_id, const char *to, const char *note,
                          const audit_rec *a, case_transition *out, fk_err *err)
{
    return st->ops->case_transition(st, case_id, to, note, a, out, err);
}

int store_case_transitions(store *st, int64_t case_id, transition_list *out, fk_err *err)
{
    return st->ops->case_transitions(st, case_id, out, err);
}

int store_case_tally(store *st, const char *column, const char *area_prefix, tally_list *out,
                     fk_err *err)
{
    return st->ops->case_tally(st, column, area_prefix, out, err);
}

int store_user_insert(store *st, user *u, const audit_rec *a, fk_err *err)
{
    return st->ops->user_insert(st, u, a, err);
}

int store_user_get_by_name(store *st, const char *username, user *out, fk_err *err)
{
    return st->ops->user_get_by_name(st, username, out, err);
}

int store_user_get(store *st, int64_t id, user *out, fk_err *err)
{
    return st->ops->user_get(st, id, out, err);
}

int store_user_update(store *st, const user *u, const audit_rec *a, fk_err *err)
{
    return st->ops->user_update(st, u, a, err);
}

int store_user_list(store *st, user_list *out, fk_err *err)
{
    return st->ops->user_list(st, out, err);
}

int store_session_insert(store *st, const char *token_hash, int64_t user_id, int64_t expires_at,
                         fk_err *err)
{
    return st->ops->session_insert(st, token_hash, user_id, expires_at, err);
}

int store_session_user(store *st, const char *token_hash, int64_t now, user *out, fk_err *err)
{
    return st->ops->session_user(st, token_hash, now, out, err);
}

int store_session_revoke(store *st, const char *token_hash, fk_err *err)
{
    return st->ops->session_revoke(st, token_hash, err);
}

int store_session_revoke_user(store *st, int64_t user_id, fk_err *err)
{
    return st->ops->session_revoke_user(st, user_id, err);
}

int store_counts_get(store *st, store_counts *out, fk_err *err)
{
    return st->ops->counts_get(st, out, err);
}

/* ---- list release ----------------------------------------------------------------- */

#define ST_LIST_FREE(l)        \
    do {                       \
        if (!(l))              \
            return;            \
        free((l)->items);      \
        (l)->items = NULL;     \
        (l)->n = 0;            \
    } while (0)

void audit_list_free(audit_list *l) { ST_LIST_FREE(l); }
void area_list_free(area_list *l) { ST_LIST_FREE(l); }
void household_list_free(household_list *l) { ST_LIST_FREE(l); }
void venue_list_free(venue_list *l) { ST_LIST_FREE(l); }
void person_list_free(person_list *l) { ST_LIST_FREE(l); }
void case_list_free(case_list *l) { ST_LIST_FREE(l); }
void transition_list_free(transition_list *l) { ST_LIST_FREE(l); }
void user_list_free(user_list *l) { ST_LIST_FREE(l); }
void tally_list_free(tally_list *l) { ST_LIST_FREE(l); }

int store_contact_upsert(store *st, contact_rec *c, const audit_rec *a, fk_err *err)
{
    return st->ops->contact_upsert(st, c, a, err);
}

int store_contact_get(store *st, int64_t id, contact_rec *out, fk_err *err)
{
    return st->ops->contact_get(st, id, out, err);
}

int store_contact_list(store *st, int64_t case_id, contact_rec_list *out, fk_err *err)
{
    return st->ops->contact_list(st, case_id, out, err);
}

int store_contact_review(store *st, int64_t id, const char *status, const char *note,
                         const char *reviewer, int64_t at, const audit_rec *a, fk_err *err)
{
    return st->ops->contact_review(st, id, status, note, reviewer, at, a, err);
}

void contact_rec_list_free(contact_rec_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int store_chain_edges(store *st, const char *area_prefix, chain_edge_list *out, fk_err *err)
{
    return st->ops->chain_edges(st, area_prefix, out, err);
}
int store_outbreak_link_insert(store *st, outbreak_link *l, fk_err *err)
{
    return st->ops->outbreak_link_insert(st, l, err);
}

int store_outbreak_links(store *st, outbreak_link_list *out, fk_err *err)
{
    return st->ops->outbreak_links(st, out, err);
}

void outbreak_link_list_free(outbreak_link_list *l) { ST_LIST_FREE(l); }

int store_stays_after(store *st, int64_t after_id, int64_t upto_id, stay_fn fn, void *ctx,
                      fk_err *err)
{
    return st->ops->stays_after(st, after_id, upto_id, fn, ctx, err);
}

int store_pings_after(store *st, int64_t after_id, int64_t upto_id, ping_fn fn, void *ctx,
                      fk_err *err)
{
    return st->ops->pings_after(st, after_id, upto_id, fn, ctx, err);
}

int store_ping_last(store *st, const char *subject, int64_t upto_id, ping_rec *out,
                    fk_err *err)
{
    return st->ops->ping_last(st, subject, upto_id, out, err);
}

int store_detections_after(store *st, int64_t after_id, int64_t upto_id,
                           detection_fn fn, void *ctx,
                           fk_err *err)
{
    return st->ops->detections_after(st, after_id, upto_id, fn, ctx, err);
}

int store_input_ids(store *st, int64_t ids[3], fk_err *err)
{
    return st->ops->input_ids(st, ids, err);
}
