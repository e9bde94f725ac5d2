/*
 * store_sqlite_admin.c - users and sessions in SQLite.
 *
 * Users: username unique (FK_ECONFLICT "username"), checked in the writing unit.
 * Sessions are keyed by the hash of the token (the token itself is never stored).
 * A session is live while revoked_at IS NULL and now < expires_at and its user is
 * not disabled; store_session_user answers FK_EUNAUTH for anything else, without
 * saying which, so a caller cannot probe tokens. Revoking is idempotent.
 */
#include <string.h>

#include "base/timeutil.h"
#include "store/store_sqlite_int.h"

#define SQ_USER_COLS "u.id, u.username, u.role, u.area_code, u.pw_hash, u.disabled, u.created_at"

static void sq_user_row(sqlite3_stmt *st, void *item)
{
    user *u = item;
    u->id = sqlite3_column_int64(st, 0);
    sq_col_text(u->username, sizeof u->username, st, 1);
    sq_col_text(u->role, sizeof u->role, st, 2);
    sq_col_text(u->area_code, sizeof u->area_code, st, 3);
    sq_col_text(u->pw_hash, sizeof u->pw_hash, st, 4);
    u->disabled = sqlite3_column_int(st, 5);
    u->created_at = sqlite3_column_int64(st, 6);
}

/* 1 and *out filled when found, 0 when not, -1 on error. */
static int sq_user_lookup(struct sq_store *s, int by_name, int64_t id, const char *name,
                          user *out, fk_err *err)
{
    sqlite3_stmt *st =
        by_name ? sq_stmt(s, SQ_USER_BY_NAME,
                          "SELECT " SQ_USER_COLS " FROM users u WHERE u.username = ?", err)
                : sq_stmt(s, SQ_USER_GET, "SELECT " SQ_USER_COLS " FROM users u WHERE u.id = ?",
                          err);
    if (!st)
        return -1;
    if (by_name)
        sq_bind_text(st, 1, name ? name : "");
    else
        sqlite3_bind_int64(st, 1, id);
    int r = sq_step_row(s, st, err);
    if (r == 1) {
        memset(out, 0, sizeof *out);
        sq_user_row(st, out);
        sqlite3_reset(st);
    }
    return r;
}

/* FK_ECONFLICT unless `username` is free or belongs to user `self`. */
static int sq_username_free(struct sq_store *s, const char *username, int64_t self, fk_err *err)
{
    sqlite3_stmt *st = sq_stmt(s, SQ_USER_NAME_USED, "SELECT id FROM users WHERE username = ?",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, username);
    int64_t other = 0;
    if (sq_int_query(s, st, &other, err) != 0)
        return -1;
    if (other && other != self)
        return fk_fail(err, FK_ECONFLICT, "username", "username: %s is already taken", username);
    return 0;
}

static int sq_user_insert_unit(struct sq_store *s, user *u, const audit_rec *a, fk_err *err)
{
    if (sq_username_free(s, u->username, 0, err) != 0)
        return -1;
    sqlite3_stmt *st = sq_stmt(s, SQ_USER_INSERT,
                               "INSERT INTO users (username, role, area_code, pw_hash, disabled, "
                               "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                               err);
    if (!st)
        return -1;
    u->created_at = fk_now();
    sq_bind_text(st, 1, u->username);
    sq_bind_text(st, 2, u->role);
    sq_bind_text(st, 3, u->area_code);
    sq_bind_text(st, 4, u->pw_hash);
    sqlite3_bind_int(st, 5, u->disabled ? 1 : 0);
    sqlite3_bind_int64(st, 6, u->created_at);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    u->id = sqlite3_last_insert_rowid(s->db);
    return sq_audit_write(s, a, u->id, err);
}

int sq_user_insert(store *st, user *u, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    int rc = sq_end(s, sq_user_insert_unit(s, u, a, err), err);
    if (rc != 0)
        u->id = 0;
    return rc;
}

int sq_user_get_by_name(store *st, const char *username, user *out, fk_err *err)
{
    int r = sq_user_lookup(SQ(st), 1, 0, username, out, err);
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "username", "username: no user called %s",
                       username ? username : "");
    return r < 0 ? -1 : 0;
}

int sq_user_get(store *st, int64_t id, user *out, fk_err *err)
{
    int r = sq_user_lookup(SQ(st), 0, id, NULL, out, err);
    if (r == 0)
        return fk_fail(err, FK_ENOTFOUND, "id", "id: user %lld does not exist", (long long)id);
    return r < 0 ? -1 : 0;
}

/* Replaces username, role, area_code, pw_hash and disabled; created_at is kept. */
static int sq_user_update_unit(struct sq_store *s, const user *u, const audit_rec *a,
                               fk_err *err)
{
    user old;
    int r = sq_user_lookup(s, 0, u->id, NULL, &old, err);
    if (r <= 0)
        return r < 0 ? -1 : fk_fail(err, FK_ENOTFOUND, "id", "id: user %lld does not exist",
                                    (long long)u->id);
    if (sq_username_free(s, u->username, u->id, err) != 0)
        return -1;
    sqlite3_stmt *st = sq_stmt(s, SQ_USER_UPDATE,
                               "UPDATE users SET username = ?, role = ?, area_code = ?, "
                               "pw_hash = ?, disabled = ? WHERE id = ?",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, u->username);
    sq_bind_text(st, 2, u->role);
    sq_bind_text(st, 3, u->area_code);
    sq_bind_text(st, 4, u->pw_hash);
    sqlite3_bind_int(st, 5, u->disabled ? 1 : 0);
    sqlite3_bind_int64(st, 6, u->id);
    if (sq_exec_stmt(s, st, err) != 0)
        return -1;
    return sq_audit_write(s, a, u->id, err);
}

int sq_user_update(store *st, const user *u, const audit_rec *a, fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_user_update_unit(s, u, a, err), err);
}

/* Ordered by username. */
int sq_user_list(store *st, user_list *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = sq_stmt(s, SQ_USER_LIST,
                              "SELECT " SQ_USER_COLS " FROM users u ORDER BY u.username", err);
    if (!q)
        return -1;
    return sq_collect(s, q, sq_user_row, sizeof(user), (void **)&out->items, &out->n, err);
}

/* ---- sessions ----------------------------------------------------------------------- */

static int sq_session_insert_unit(struct sq_store *s, const char *token_hash, int64_t user_id,
                                  int64_t expires_at, fk_err *err)
{
    user u;
    int r = sq_user_lookup(s, 0, user_id, NULL, &u, err);
    if (r <= 0)
        return r < 0 ? -1 : fk_fail(err, FK_EREF, "user_id", "user_id: user %lld does not exist",
                                    (long long)user_id);
    sqlite3_stmt *st = sq_stmt(s, SQ_SESSION_INSERT,
                               "INSERT INTO sessions (token_hash, user_id, created_at, "
                               "expires_at) VALUES (?, ?, ?, ?)",
                               err);
    if (!st)
        return -1;
    sq_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, fk_now());
    sqlite3_bind_int64(st, 4, expires_at);
    return sq_exec_stmt(s, st, err);
}

int sq_session_insert(store *st, const char *token_hash, int64_t user_id, int64_t expires_at,
                      fk_err *err)
{
    struct sq_store *s = SQ(st);
    if (!sq_given(token_hash))
        return fk_fail(err, FK_EINVAL, "token", "token: empty session token hash");
    if (sq_begin(s, err) != 0)
        return -1;
    return sq_end(s, sq_session_insert_unit(s, token_hash, user_id, expires_at, err), err);
}

int sq_session_user(store *st, const char *token_hash, int64_t now, user *out, fk_err *err)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = sq_stmt(s, SQ_SESSION_USER,
                              "SELECT " SQ_USER_COLS " FROM sessions s "
                              "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? "
                              "AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled = 0",
                              err);
    if (!q)
        return -1;
    sq_bind_text(q, 1, token_hash ? token_hash : "");
    sqlite3_bind_int64(q, 2, now);
    int r = sq_step_row(s, q, err);
    if (r < 0)
        return -1;
    if (r == 0)
        return fk_fail(err, FK_EUNAUTH, "", "the session is unknown, expired or revoked");
    memset(out, 0, sizeof *out);
    sq_user_row(q, out);
    sqlite3_reset(q);
    return 0;
}

static int sq_session_revoke_by(struct sq_store *s, enum sq_stmt_id id, const char *sql,
                                const char *text, int64_t num, fk_err *err)
{
    if (sq_begin(s, err) != 0)
        return -1;
    sqlite3_stmt *st = sq_stmt(s, id, sql, err);
    int rc = -1;
    if (st) {
        sqlite3_bind_int64(st, 1, fk_now());
        if (text)
            sq_bind_text(st, 2, text);
        else
            sqlite3_bind_int64(st, 2, num);
        rc = sq_exec_stmt(s, st, err);
    }
    return sq_end(s, rc, err);
}

int sq_session_revoke(store *st, const char *token_hash, fk_err *err)
{
    return sq_session_revoke_by(SQ(st), SQ_SESSION_REVOKE,
                                "UPDATE sessions SET revoked_at = ? "
                                "WHERE token_hash = ? AND revoked_at IS NULL",
                                token_hash ? token_hash : "", 0, err);
}

int sq_session_revoke_user(store *st, int64_t user_id, fk_err *err)
{
    return sq_session_revoke_by(SQ(st), SQ_SESSION_REVOKE_USER,
                                "UPDATE sessions SET revoked_at = ? "
                                "WHERE user_id = ? AND revoked_at IS NULL",
                                NULL, user_id, err);
}
