/*
 * token.h - the signed, expiring token a health code's QR carries (健康码令牌).
 *
 * A token is 48 bytes written as 64 characters of unpadded base64url:
 *     person id (8 bytes, little endian) | expiry (8 bytes, Unix seconds, LE) | MAC (32)
 * where MAC = crypto_auth (HMAC-SHA-512-256) of the first 16 bytes under the server's
 * key. It names the person by the store's row id: never the ID number, never a name.
 *
 * Why a MAC and not a signature (Ed25519): the server that issues a token is the one that
 * verifies it (a gate's scanner calls GET /api/v1/codes/{token}); nobody else needs to
 * check it offline, so a public key buys nothing, and a scan must cost microseconds: an
 * HMAC verification is about a microsecond, an Ed25519 verification some fifty.
 *
 * The key: 32 random bytes in DATA_DIR/code-token.key (mode 0600), created on first use
 * (O_EXCL, so two processes starting at once agree on one key), so tokens survive
 * restarts. Deleting the file revokes every token issued.
 *
 * Verification order: shape (length, alphabet, no trailing bits) -> FK_EINVAL (400);
 * MAC -> FK_EFORBIDDEN (403); expiry -> FK_EGONE (410). Nothing is read from the store
 * before the MAC holds. Pure apart from code_key_load; thread-safe (the key is read-only).
 */
#ifndef FK_CODES_TOKEN_H
#define FK_CODES_TOKEN_H

#include <stdint.h>

#include "base/err.h"

#define CODE_TOKEN_RAW 48
#define CODE_TOKEN_CHARS 64
#define CODE_KEY_BYTES 32

typedef struct code_key { unsigned char k[CODE_KEY_BYTES]; } code_key;

/* Read DATA_DIR/code-token.key, creating it (0600, 32 random bytes) when missing. */
int code_key_load(const char *data_dir, code_key *out, fk_err *err);

/* The token of a person valid until `expires`, NUL-terminated in out. */
void code_token_make(const code_key *k, int64_t person_id, int64_t expires,
                     char out[CODE_TOKEN_CHARS + 1]);

/* Check a token as of `now`: 0 with *person_id and *expires, or -1 with FK_EINVAL
 * (malformed), FK_EFORBIDDEN (forged: the MAC does not hold) or FK_EGONE (expired),
 * each naming the field "token". */
int code_token_verify(const code_key *k, const char *token, int64_t now, int64_t *person_id,
                      int64_t *expires, fk_err *err);
/* The expiry step alone, for a token verified before (a scan's memo of verified tokens,
 * services/codes.c): 0, or -1 with FK_EGONE naming "token" as code_token_verify says it. */
int code_token_expiry(int64_t expires, int64_t now, fk_err *err);

#endif
