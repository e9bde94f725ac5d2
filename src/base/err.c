#include "base/err.h"

#include <stdio.h>
#include <string.h>

int fk_vfail(fk_err *err, fk_code code, const char *field, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return -1;
}

int fk_fail(fk_err *err, fk_code code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fk_vfail(err, code, field, fmt, ap);
    va_end(ap);
    return -1;
}

void fk_err_clear(fk_err *err)
{
    if (!err)
        return;
    err->code = FK_OK;
    err->field[0] = '\0';
    err->message[0] = '\0';
}

const char *fk_code_name(fk_code code)
{
    switch (code) {
    case FK_OK: return "ok";
    case FK_EINVAL: return "invalid";
    case FK_EUNAUTH: return "unauthenticated";
    case FK_EFORBIDDEN: return "forbidden";
    case FK_ENOTFOUND: return "not_found";
    case FK_EMETHOD: return "method_not_allowed";
    case FK_ECONFLICT: return "conflict";
    case FK_ETOOBIG: return "too_large";
    case FK_EREF: return "unknown_reference";
    case FK_EBUSY: return "unavailable";
    case FK_EIO: return "io_error";
    case FK_EGONE: return "gone";
    case FK_ETOOMANY: return "too_many_attempts";
    case FK_EINTERNAL: return "internal";
    }
    return "internal";
}
