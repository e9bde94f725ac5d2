/*
 * err.h - the one error convention of fangkong.
 *
 * Every function that can fail for a reason a user or operator must read takes a
 * `fk_err *err` as its last parameter and returns 0 on success or -1 on failure
 * (or NULL for constructors). On failure it fills *err with a code, the offending
 * field (JSON/CSV column name, may be empty) and a one-line human message.
 * On success *err is left untouched. `err` may be NULL when the caller does not care.
 *
 * The mapping from fk_code to HTTP status and to the JSON error body lives in
 * exactly one place: http/respond.c. The CLI prints `message` on one line.
 *
 * Thread safety: fk_err is a plain value owned by the caller; the functions here
 * are reentrant.
 */
#ifndef FK_BASE_ERR_H
#define FK_BASE_ERR_H

#include <stdarg.h>

typedef enum fk_code {
    FK_OK = 0,
    FK_EINVAL,      /* malformed or invalid input: 400 */
    FK_EUNAUTH,     /* no or bad credentials: 401 */
    FK_EFORBIDDEN,  /* authenticated, not allowed (role or jurisdiction): 403 */
    FK_ENOTFOUND,   /* referenced thing does not exist: 404 (or 422 for references) */
    FK_EMETHOD,     /* route exists, method does not: 405 */
    FK_ECONFLICT,   /* duplicate or invalid state transition: 409 */
    FK_ETOOBIG,     /* body or file over a limit: 413 */
    FK_EREF,        /* a field references something that does not exist: 422 */
    FK_EGONE,       /* valid once, no longer (an expired code token): 410 */
    FK_ETOOMANY,    /* too many failed attempts of one credential: 429 */
    FK_EBUSY,       /* store busy or out of memory for a request-sized buffer: 503 */
    FK_EIO,         /* file system or database failure: 500 */
    FK_EINTERNAL    /* a bug: 500 */
} fk_code;

typedef struct fk_err {
    fk_code code;
    char field[64];
    char message[256];
} fk_err;

/* Fill *err (if non-NULL) and return -1, so callers can `return fk_fail(...)`. */
int fk_fail(fk_err *err, fk_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int fk_vfail(fk_err *err, fk_code code, const char *field, const char *fmt, va_list ap);

/* Reset to FK_OK with empty strings. */
void fk_err_clear(fk_err *err);

/* Stable snake_case name of a code, used as the JSON "code": "invalid", "not_found"... */
const char *fk_code_name(fk_code code);

#endif
