/*
 * auth.h - passwords, session tokens and user administration.
 *
 * Passwords are hashed with libsodium's crypto_pwhash_str (argon2id, interactive
 * limits). Tokens are 32 random bytes in hex (64 chars) handed to the client once;
 * the store keeps only their BLAKE2b hash. Tokens expire after `ttl` seconds and can
 * be revoked (logout, password reset, role change revoke all of a user's tokens).
 * auth_init() must run once before any other call (sodium_init). Thread-safe given
 * one store handle per thread.
 */
#ifndef FK_SERVICES_AUTH_H
#define FK_SERVICES_AUTH_H

#include <stdint.h>

#include "services/actor.h"
#include "store/store.h"

#define AUTH_TOKEN_LEN 64
#define AUTH_DEFAULT_TTL (12 * 3600)

int auth_init(fk_err *err);
int auth_hash_password(const char *password, char out[160], fk_err *err);
/* Passwords: 8 to 128 bytes. */
int auth_check_password_rules(const char *password, fk_err *err);

/* Create a user (role must be known, area code must exist unless ""). */
int auth_user_add(store *st, const actor *by, const char *username, const char *role,
                  const char *area_code, const char *password, user *out, fk_err *err);
int auth_user_set_role(store *st, const actor *by, const char *username, const char *role,
                       const char *area_code /* NULL = keep */, fk_err *err);
int auth_user_reset_password(store *st, const actor *by, const char *username,
                             const char *password, fk_err *err);

struct throttle;
/* Check credentials; on success write a new token (AUTH_TOKEN_LEN hex chars + NUL) and
 * its expiry. Wrong user or password are the same FK_EUNAUTH. Audited as "login"
 * (outcome ok, failed or throttled). With a throttle (services/throttle.h, may be NULL)
 * the username's failures are counted: past the limit FK_ETOOMANY "username" without
 * checking the password (known and unknown names alike). */
int auth_login(store *st, struct throttle *t, const char *username, const char *password,
               const char *remote, int64_t ttl, char token[AUTH_TOKEN_LEN + 1],
               int64_t *expires_at, user *out, fk_err *err);
/* Resolve a bearer token to an actor; FK_EUNAUTH if unknown, expired or revoked. */
int auth_resolve(store *st, const char *token, const char *remote, actor *out, fk_err *err);
int auth_logout(store *st, const char *token, fk_err *err);

#endif
