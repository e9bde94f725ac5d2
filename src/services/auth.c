#include "services/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "model/role.h"
#include "services/throttle.h"

int auth_init(fk_err *err)
{
    if (sodium_init() < 0)
        return fk_fail(err, FK_EINTERNAL, "", "libsodium failed to initialise");
    return 0;
}

int auth_check_password_rules(const char *password, fk_err *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < 8 || n > 128)
        return fk_fail(err, FK_EINVAL, "password", "password: 8 to 128 characters");
    return 0;
}

int auth_hash_password(const char *password, char out[160], fk_err *err)
{
    _Static_assert(crypto_pwhash_STRBYTES <= 160, "pw_hash buffer too small");
    if (auth_check_password_rules(password, err) != 0)
        return -1;
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return fk_fail(err, FK_EBUSY, "", "out of memory hashing the password");
    return 0;
}

/* The store keeps BLAKE2b-256 of the token, in hex. */
static void token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static int check_area(store *st, const char *area_code, fk_err *err)
{
    area a;
    if (!area_code || !area_code[0])
        return 0;
    if (store_area_get(st, area_code, &a, err) != 0)
        return fk_fail(err, FK_EREF, "area", "area: no area with code %s", area_code);
    return 0;
}

int auth_user_add(store *st, const actor *by, const char *username, const char *role,
                  const char *area_code, const char *password, user *out, fk_err *err)
{
    user u = {0};
    size_t n = username ? strlen(username) : 0;
    if (n < 2 || n >= sizeof u.username || strspn(username, "abcdefghijklmnopqrstuvwxyz"
                                                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
        return fk_fail(err, FK_EINVAL, "username", "username: 2-63 letters, digits, _ . -");
    if (!role_known(role))
        return fk_fail(err, FK_EINVAL, "role", "role: unknown role %s", role ? role : "");
    if (check_area(st, area_code, err) != 0 || auth_hash_password(password, u.pw_hash, err) != 0)
        return -1;
    snprintf(u.username, sizeof u.username, "%s", username);
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.area_code, sizeof u.area_code, "%s", area_code ? area_code : "");
    audit_rec a;
    actor_audit(by, &a, "create", "user", 0, username);
    if (store_user_insert(st, &u, &a, err) != 0)
        return -1;
    if (out)
        *out = u;
    return 0;
}

int auth_user_set_role(store *st, const actor *by, const char *username, const char *role,
                       const char *area_code, fk_err *err)
{
    user u;
    if (!role_known(role))
        return fk_fail(err, FK_EINVAL, "role", "role: unknown role %s", role ? role : "");
    if (store_user_get_by_name(st, username, &u, err) != 0 || check_area(st, area_code, err) != 0)
        return -1;
    snprintf(u.role, sizeof u.role, "%s", role);
    if (area_code)
        snprintf(u.area_code, sizeof u.area_code, "%s", area_code);
    audit_rec a;
    char detail[96];
    snprintf(detail, sizeof detail, "role=%s area=%s", u.role, u.area_code);
    actor_audit(by, &a, "set_role", "user", u.id, detail);
    if (store_user_update(st, &u, &a, err) != 0)
        return -1;
    return store_session_revoke_user(st, u.id, err);
}

int auth_user_reset_password(store *st, const actor *by, const char *username,
                             const char *password, fk_err *err)
{
    user u;
    if (store_user_get_by_name(st, username, &u, err) != 0 ||
        auth_hash_password(password, u.pw_hash, err) != 0)
        return -1;
    audit_rec a;
    actor_audit(by, &a, "reset_password", "user", u.id, "");
    if (store_user_update(st, &u, &a, err) != 0)
        return -1;
    return store_session_revoke_user(st, u.id, err);
}

static int audit_login(store *st, const user *u, const char *username, const char *remote,
                       const char *outcome)
{
    actor who = {0};
    snprintf(who.username, sizeof who.username, "%s", username);
    snprintf(who.role, sizeof who.role, "%s", u ? u->role : "");
    snprintf(who.remote, sizeof who.remote, "%s", remote ? remote : "");
    audit_rec a;
    actor_audit(&who, &a, "login", "session", u ? u->id : 0, outcome);
    return store_audit_append(st, &a, NULL);
}

int auth_login(store *st, throttle *t, const char *username, const char *password,
               const char *remote, int64_t ttl, char token[AUTH_TOKEN_LEN + 1],
               int64_t *expires_at, user *out, fk_err *err)
{
    user u;
    fk_err lookup;
    char key[96];
    int64_t now = fk_now();
    snprintf(key, sizeof key, "login:%.80s", username ? username : "");
    if (throttle_check(t, key, "username", now, err) != 0) {
        audit_login(st, NULL, username ? username : "", remote, "throttled");
        return -1;
    }
    if (!username || !password || store_user_get_by_name(st, username, &u, &lookup) != 0 ||
        u.disabled ||
        crypto_pwhash_str_verify(u.pw_hash, password, strlen(password)) != 0) {
        throttle_failed(t, key, now);
        audit_login(st, NULL, username ? username : "", remote, "failed");
        return fk_fail(err, FK_EUNAUTH, "", "wrong username or password");
    }
    throttle_succeeded(t, key);
    unsigned char raw[AUTH_TOKEN_LEN / 2];
    char hash[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, AUTH_TOKEN_LEN + 1, raw, sizeof raw);
    token_hash(token, hash);
    *expires_at = fk_now() + (ttl > 0 ? ttl : AUTH_DEFAULT_TTL);
    if (store_session_insert(st, hash, u.id, *expires_at, err) != 0)
        return -1;
    audit_login(st, &u, username, remote, "ok");
    if (out)
        *out = u;
    return 0;
}

int auth_resolve(store *st, const char *token, const char *remote, actor *out, fk_err *err)
{
    user u;
    char hash[65];
    if (!token || strlen(token) != AUTH_TOKEN_LEN)
        return fk_fail(err, FK_EUNAUTH, "", "missing or malformed bearer token");
    token_hash(token, hash);
    if (store_session_user(st, hash, fk_now(), &u, err) != 0)
        return fk_fail(err, FK_EUNAUTH, "", "token unknown, expired or revoked");
    memset(out, 0, sizeof *out);
    snprintf(out->username, sizeof out->username, "%s", u.username);
    snprintf(out->role, sizeof out->role, "%s", u.role);
    snprintf(out->area_code, sizeof out->area_code, "%s", u.area_code);
    snprintf(out->remote, sizeof out->remote, "%s", remote ? remote : "");
    return 0;
}

int auth_logout(store *st, const char *token, fk_err *err)
{
    char hash[65];
    if (!token || strlen(token) != AUTH_TOKEN_LEN)
        return fk_fail(err, FK_EUNAUTH, "", "missing or malformed bearer token");
    token_hash(token, hash);
    return store_session_revoke(st, hash, err);
}
