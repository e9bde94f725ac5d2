/*
 * token.c - health-code tokens (contract: token.h).
 */
#include "codes/token.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fdio.h"

#define KEY_FILE "code-token.key"
#define SIGNED_BYTES 16 /* person id + expiry */

/* A new key file, written whole before it is visible under its name (link of a temporary
 * file), so a reader never sees half a key. 1 created, 0 it existed, -1 error. */
static int key_create(const char *path, const char *tmp, fk_err *err)
{
    unsigned char k[CODE_KEY_BYTES];
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return fk_fail(err, FK_EIO, "", "code key: cannot create %s: %s", tmp, strerror(errno));
    randombytes_buf(k, sizeof k);
    int rc = fk_write_all(fd, k, sizeof k) || fsync(fd) ? -1 : 0;
    sodium_memzero(k, sizeof k);
    close(fd);
    if (rc == 0 && link(tmp, path) != 0)
        rc = errno == EEXIST ? 0 : -1;
    else if (rc == 0) /* the name made durable too: tokens signed with the key outlive a crash */
        rc = fk_fsync_dir_of(path) == 0 ? 1 : -1;
    unlink(tmp);
    if (rc < 0)
        return fk_fail(err, FK_EIO, "", "code key: cannot write %s: %s", path, strerror(errno));
    return rc;
}

int code_key_load(const char *data_dir, code_key *out, fk_err *err)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/" KEY_FILE, data_dir);
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    if (sodium_init() < 0)
        return fk_fail(err, FK_EINTERNAL, "", "libsodium failed to initialise");
    int fd = open(path, O_RDONLY);
    if (fd < 0 && errno == ENOENT) {
        if (key_create(path, tmp, err) < 0)
            return -1;
        fd = open(path, O_RDONLY);
    }
    if (fd < 0)
        return fk_fail(err, FK_EIO, "", "code key: cannot open %s: %s", path, strerror(errno));
    int rc = fk_read_all(fd, out->k, sizeof out->k);
    close(fd);
    if (rc != 0)
        return fk_fail(err, FK_EIO, "", "code key: %s is shorter than %d bytes", path,
                       CODE_KEY_BYTES);
    return 0;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void code_token_make(const code_key *k, int64_t person_id, int64_t expires,
                     char out[CODE_TOKEN_CHARS + 1])
{
    unsigned char raw[CODE_TOKEN_RAW];
    put_le64(raw, (uint64_t)person_id);
    put_le64(raw + 8, (uint64_t)expires);
    crypto_auth(raw + SIGNED_BYTES, raw, SIGNED_BYTES, k->k);
    sodium_bin2base64(out, CODE_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int code_token_verify(const code_key *k, const char *token, int64_t now, int64_t *person_id,
                      int64_t *expires, fk_err *err)
{
    unsigned char raw[CODE_TOKEN_RAW];
    size_t n = 0, len = token ? strlen(token) : 0;
    const char *end = NULL;
    if (len != CODE_TOKEN_CHARS)
        return fk_fail(err, FK_EINVAL, "token", "token: %d characters expected, %zu given",
                       CODE_TOKEN_CHARS, len);
    /* 64 characters carry exactly 48 bytes: no padding, no spare bits to vary */
    if (sodium_base642bin(raw, sizeof raw, token, len, NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != CODE_TOKEN_RAW || end != token + len)
        return fk_fail(err, FK_EINVAL, "token", "token: not base64url");
    if (crypto_auth_verify(raw + SIGNED_BYTES, raw, SIGNED_BYTES, k->k) != 0)
        return fk_fail(err, FK_EFORBIDDEN, "token", "token: not issued by this platform");
    *person_id = (int64_t)get_le64(raw);
    *expires = (int64_t)get_le64(raw + 8);
    return code_token_expiry(*expires, now, err);
}

int code_token_expiry(int64_t expires, int64_t now, fk_err *err)
{
    if (expires <= now)
        return fk_fail(err, FK_EGONE, "token", "token: expired; show the code again for a new one");
    return 0;
}
